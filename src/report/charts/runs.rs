//! Each run against the longest run of the spike window before it (30 days by default), inside
//! the single-run spike bands of Frandsen et al. 2025.

use super::*;
use crate::core::spikes::SpikeBand;

pub(super) fn runs_against_bands(data: &ReportData, scale: Scale) -> Result<Chart> {
    let t = Timeline::new(data);
    let [f1, f2, f3] = data.rules.spike_factors;
    let window = data.rules.spike_window_days;
    let unit = scale.distance_unit();
    let y_max = top(
        data.runs
            .iter()
            .map(|r| scale.distance(r.distance_m))
            .chain(
                data.runs
                    .iter()
                    .filter_map(|r| r.reference_m)
                    .map(|m| scale.distance(m) * f2),
            ),
        5.0,
    );
    let svg = svg(WIDE, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(52)
            .margin_right(28)
            .build_cartesian_2d(0f64..t.days, 0f64..y_max)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .x_labels(0)
            .y_label_formatter(&|v| fmt_value(*v))
            .y_desc(format!("run distance, {unit}"))
            .label_style(text_style(13))
            .axis_desc_style(text_style(14))
            .draw()?;
        week_ticks(root, &chart, &t)?;
        // The bands follow each run's own reference until the next run.
        let steps = reference_steps(data, &t, scale);
        for (lo, hi, colour) in [(1.0, f1, SKY), (f1, f2, ORANGE), (f2, f3, VERMILLION)] {
            for segment in &steps {
                let clamp = |v: f64| v.min(y_max);
                let mut polygon: Vec<(f64, f64)> =
                    segment.iter().map(|&(x, r)| (x, clamp(r * hi))).collect();
                polygon.extend(segment.iter().rev().map(|&(x, r)| (x, clamp(r * lo))));
                chart.draw_series(std::iter::once(Polygon::new(
                    polygon,
                    colour.mix(0.18).filled(),
                )))?;
            }
        }
        for segment in &steps {
            chart.draw_series(LineSeries::new(
                segment.iter().copied(),
                INK.mix(0.6).stroke_width(1),
            ))?;
        }
        let n = data.runs.len();
        for r in &data.runs {
            let at = (t.x(r.date) + 0.5, scale.distance(r.distance_m));
            if r.spike.is_some() {
                marker(root, &chart, at, Mark::Triangle, VERMILLION, dense(n, 6))?;
            } else {
                marker(root, &chart, at, Mark::Circle, BLUE, dense(n, 4))?;
            }
            if r.descent_spike.is_some() {
                marker(root, &chart, at, Mark::Ring, INK, dense(n, 10))?;
            }
        }
        Ok(())
    })?;
    let pct = |f: f64| format!("{:.0}%", (f - 1.0) * 100.0);
    let hazard = |band: SpikeBand| band.hazard_ratio().unwrap_or(1.0);
    let legend = vec![
        key(Mark::Circle, BLUE, "a run"),
        key(
            Mark::Triangle,
            VERMILLION,
            "a single-run spike, as kneeguard check warns",
        ),
        key(Mark::Ring, INK, "a descent spike"),
        key(
            Mark::Line,
            INK,
            format!("the longest run of the {window} days before"),
        ),
        key(Mark::Band, SKY, format!("up to {} longer", pct(f1))),
        key(
            Mark::Band,
            ORANGE,
            format!(
                "{}-{} longer (injury risk x{})",
                pct(f1),
                pct(f2),
                hazard(SpikeBand::From10To30)
            ),
        ),
        key(
            Mark::Band,
            VERMILLION,
            format!(
                "{}-{} longer (x{}; above: x{})",
                pct(f2),
                pct(f3),
                hazard(SpikeBand::From30To100),
                hazard(SpikeBand::Over100)
            ),
        ),
    ];
    Ok(Chart {
        id: "runs",
        title: format!("Each run against its {window}-day longest run"),
        svg,
        summary: runs_summary(data, scale),
        legend,
    })
}

/// The reference (the spike window's longest run) of each run, held until the next run: one polyline per
/// stretch of runs that had a reference.
fn reference_steps(data: &ReportData, t: &Timeline, scale: Scale) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    for (i, r) in data.runs.iter().enumerate() {
        let x0 = t.x(r.date) + 0.5;
        let x1 = data
            .runs
            .get(i + 1)
            .map_or(t.x(data.today) + 1.0, |n| t.x(n.date) + 0.5);
        match r.reference_m {
            Some(m) if m > 0.0 => {
                let y = scale.distance(m);
                current.push((x0, y));
                current.push((x1, y));
            }
            _ => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn runs_summary(data: &ReportData, scale: Scale) -> String {
    let n = data.runs.len();
    let window = data.rules.spike_window_days;
    if n == 0 {
        return "No runs in this period.".to_string();
    }
    let spikes: Vec<&ReportRun> = data.runs.iter().filter(|r| r.spike.is_some()).collect();
    let descent = data
        .runs
        .iter()
        .filter(|r| r.descent_spike.is_some())
        .count();
    let mut text = format!(
        "{n} run{} from {}, each against the longest run of the {window} days before it. ",
        if n == 1 { "" } else { "s" },
        data.from.format("%-d %b %Y")
    );
    if spikes.is_empty() {
        text.push_str("None was a single-run spike.");
    } else {
        let list: Vec<String> = spikes
            .iter()
            .map(|r| {
                let against = match r.reference_m {
                    Some(m) => format!(
                        "{:.0}% over {}",
                        (r.distance_m / m - 1.0) * 100.0,
                        render::distance(m, scale.units)
                    ),
                    None => format!("no run in the {window} days before"),
                };
                format!(
                    "{} on {} ({against})",
                    render::distance(r.distance_m, scale.units),
                    r.date.format("%-d %b %Y"),
                )
            })
            .collect();
        text.push_str(&format!(
            "{} single-run spike{}: {}.",
            spikes.len(),
            if spikes.len() == 1 { "" } else { "s" },
            list.join("; ")
        ));
    }
    if descent > 0 {
        text.push_str(&format!(
            " {descent} descent spike{}.",
            if descent == 1 { "" } else { "s" }
        ));
    }
    text
}
