//! Pain against load, the threshold made visible: complete weeks and single runs as points
//! against the pain that followed, with the threshold, the tolerated level and the ceiling.

use super::*;

/// A scatter of load against pain with the threshold and the tolerated level as vertical lines
/// and the ceiling as a horizontal one.
struct Scatter<'a> {
    id: &'static str,
    /// The load on the x axis, in words ("weekly distance").
    what: &'static str,
    estimate: &'a Estimate,
    /// (load in display units, pain, mark, colour)
    points: Vec<(f64, u8, Mark, RGBColor)>,
    scale: Scale,
    /// Descent rather than distance.
    descent: bool,
    /// The first sentence of the text alternative: what the points are.
    points_are: String,
    legend: Vec<Key>,
}

fn scatter(data: &ReportData, s: Scatter<'_>) -> Result<Chart> {
    let lines = [threshold_m(s.estimate), s.estimate.tolerated_m]
        .map(|v| v.map(|m| s.scale.load(m, s.descent)));
    let x_max = top(
        s.points
            .iter()
            .map(|p| p.0)
            .chain(lines.iter().flatten().copied()),
        1.0,
    );
    let svg = svg(SMALL, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .margin_right(50)
            .x_label_area_size(40)
            .y_label_area_size(44)
            .build_cartesian_2d(0f64..x_max, -0.5f64..10.5)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(6)
            .y_labels(6)
            .x_label_formatter(&|v| fmt_value(*v))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .x_desc(format!("{}, {}", s.what, s.scale.load_unit(s.descent)))
            .y_desc("highest pain, 0-10")
            .label_style(text_style(13))
            .axis_desc_style(text_style(14))
            .draw()?;
        pain_zones(root, &mut chart, &data.rules)?;
        for (i, (value, colour, dashed, word)) in [
            (lines[0], VERMILLION, false, "pain from"),
            (lines[1], INK, true, "tolerated"),
        ]
        .into_iter()
        .enumerate()
        {
            let Some(x) = value else { continue };
            let points = [(x, -0.5), (x, 10.5)];
            if dashed {
                chart.draw_series(DashedLineSeries::new(points, 8, 5, colour.stroke_width(2)))?;
            } else {
                chart.draw_series(LineSeries::new(points, colour.stroke_width(2)))?;
            }
            // The higher level is named right of its line, the lower one left of it, on
            // separate rows, so that two close levels stay legible.
            let metres = if i == 0 {
                threshold_m(s.estimate)
            } else {
                s.estimate.tolerated_m
            };
            let other = if i == 0 { lines[1] } else { lines[0] };
            let right = other.is_none_or(|o| x >= o) && x < x_max * 0.7;
            let pos = chart.backend_coord(&(x, 10.5));
            let (dx, h) = if right {
                (4, HPos::Left)
            } else {
                (-4, HPos::Right)
            };
            root.draw(&Text::new(
                format!("{word} {}", s.scale.words(metres.unwrap_or(0.0), s.descent)),
                (pos.0 + dx, pos.1 + 3 + 15 * i as i32),
                text_style(12).color(&colour).pos(Pos::new(h, VPos::Top)),
            ))?;
        }
        for &(x, pain, mark, colour) in &s.points {
            marker(root, &chart, (x, f64::from(pain)), mark, colour, 5)?;
        }
        Ok(())
    })?;
    let show = |m: f64| s.scale.words(m, s.descent);
    Ok(Chart {
        id: s.id,
        title: format!("Pain against {}", s.what),
        svg,
        summary: format!(
            "{} {}",
            s.points_are,
            threshold_words(s.estimate, &show, s.scale.units)
        ),
        legend: s.legend,
    })
}

/// The complete weeks with runs and at least one rating.
fn rated_weeks(data: &ReportData) -> impl Iterator<Item = &ReportWeek> {
    data.weeks
        .iter()
        .filter(|w| !w.load.partial && w.load.runs > 0)
        .filter(|w| w.highest_pain.is_some())
}

pub(super) fn pain_vs_load_weeks(data: &ReportData, scale: Scale, descent: bool) -> Result<Chart> {
    let th = &data.guidance.thresholds;
    let (estimate, id, what) = if descent {
        (
            &th.weekly_descent_m,
            "pain-vs-weekly-descent",
            "weekly descent",
        )
    } else {
        (
            &th.weekly_distance_m,
            "pain-vs-weekly-distance",
            "weekly distance",
        )
    };
    let to_display = |m: f64| scale.load(m, descent);
    let load = |w: &ReportWeek| {
        if descent {
            w.load.descent_m
        } else {
            w.load.distance_m
        }
    };
    let points: Vec<(f64, u8, Mark, RGBColor)> = rated_weeks(data)
        .map(|w| {
            let pain = w.highest_pain.unwrap_or(0);
            (to_display(load(w)), pain, Mark::Circle, BLUE)
        })
        .collect();
    let n = points.len();
    let points_are = format!(
        "{n} complete week{} with runs and pain logged, each as its {what} against the week's \
         highest pain.",
        if n == 1 { "" } else { "s" },
    );
    scatter(
        data,
        Scatter {
            id,
            what,
            estimate,
            points,
            scale,
            descent,
            points_are,
            legend: vec![
                key(
                    Mark::Circle,
                    BLUE,
                    "a complete week: its load and highest pain",
                ),
                key(Mark::Line, VERMILLION, "threshold: where pain starts"),
                key(
                    Mark::Dashed,
                    INK,
                    "tolerated level; the horizontal dashes are the ceiling",
                ),
            ],
        },
    )
}

pub(super) fn pain_vs_load_runs(data: &ReportData, scale: Scale, descent: bool) -> Result<Chart> {
    let th = &data.guidance.thresholds;
    let (estimate, id, what) = if descent {
        (
            &th.run_descent_m,
            "pain-vs-run-descent",
            "descent of the run",
        )
    } else {
        (&th.longest_run_m, "pain-vs-run-distance", "run distance")
    };
    let to_display = |m: f64| scale.load(m, descent);
    let mut points = Vec::new();
    for r in &data.runs {
        let load = if descent {
            r.descent_m
        } else {
            Some(r.distance_m)
        };
        let Some(load) = load else { continue };
        if let Some(p) = r.pain_after {
            points.push((to_display(load), p, Mark::Triangle, VERMILLION));
        }
        if let Some(p) = r.pain_morning {
            points.push((to_display(load), p, Mark::Square, BLUE));
        }
    }
    let runs = data
        .runs
        .iter()
        .filter(|r| r.pain_after.is_some() || r.pain_morning.is_some())
        .filter(|r| !descent || r.descent_m.is_some())
        .count();
    let points_are = format!(
        "{runs} run{} with pain logged after it or the next morning, each as its {what} against \
         that pain.",
        if runs == 1 { "" } else { "s" },
    );
    scatter(
        data,
        Scatter {
            id,
            what,
            estimate,
            points,
            scale,
            descent,
            points_are,
            legend: vec![
                key(Mark::Triangle, VERMILLION, "pain during or after the run"),
                key(Mark::Square, BLUE, "the next morning"),
                key(Mark::Line, VERMILLION, "threshold"),
                key(Mark::Dashed, INK, "tolerated"),
            ],
        },
    )
}
