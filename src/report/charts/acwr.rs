//! The acute:chronic workload ratio, uncoupled and EWMA, in its 0.8 / 1.3 / 1.5 bands, shown as
//! context.

use super::*;

pub(super) fn acwr(data: &ReportData) -> Result<Chart> {
    let t = Timeline::new(data);
    let r = &data.rules;
    let day_of = |w: &ReportWeek| {
        if w.load.partial {
            t.x(data.today)
        } else {
            t.x(w.load.week_start) + 6.0
        }
    } + 0.5;
    let series = |get: fn(&ReportWeek) -> Option<f64>| -> Vec<Vec<(f64, f64)>> {
        let mut out = vec![Vec::new()];
        for w in &data.weeks {
            match get(w) {
                Some(v) if v.is_finite() => out.last_mut().expect("one").push((day_of(w), v)),
                _ => out.push(Vec::new()),
            }
        }
        out.retain(|s| !s.is_empty());
        out
    };
    let uncoupled = series(|w| w.load.acwr_uncoupled);
    let ewma = series(|w| w.load.acwr_ewma);
    let y_max = top(
        uncoupled.iter().chain(&ewma).flatten().map(|p| p.1),
        r.acwr_high * 1.25,
    );
    let svg = svg(WIDE, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(52)
            .margin_right(64)
            .build_cartesian_2d(0f64..t.days, 0f64..y_max)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(0)
            .y_label_formatter(&|v| format!("{v:.1}"))
            .y_desc("acute : chronic load")
            .label_style(text_style(13))
            .axis_desc_style(text_style(14))
            .draw()?;
        week_ticks(root, &chart, &t)?;
        bands(
            root,
            &mut chart,
            &[
                (0.0, r.acwr_low, SKY, "low".to_string()),
                (r.acwr_caution, r.acwr_high, ORANGE, "caution".to_string()),
                (r.acwr_high, y_max, VERMILLION, "high".to_string()),
            ],
        )?;
        for s in &uncoupled {
            chart.draw_series(LineSeries::new(s.iter().copied(), BLUE.stroke_width(2)))?;
            chart.draw_series(s.iter().map(|&p| Circle::new(p, 3, BLUE.filled())))?;
        }
        for s in &ewma {
            chart.draw_series(DashedLineSeries::new(
                s.iter().copied(),
                8,
                5,
                INK.stroke_width(2),
            ))?;
        }
        Ok(())
    })?;
    let last = data.weeks.last();
    let mut summary = "Acute (last 7 days) against chronic load, at the end of each week: context, not \
                       a proven injury predictor (the single-run spike and your pain are the signals \
                       to watch)."
        .to_string();
    if let Some(v) = last.and_then(|w| w.load.acwr_uncoupled) {
        summary.push_str(&format!(" Today's uncoupled ratio is {v:.2}"));
        if let Some(e) = last.and_then(|w| w.load.acwr_ewma) {
            summary.push_str(&format!(", the EWMA ratio {e:.2}"));
        }
        summary.push('.');
    } else {
        summary.push_str(" There are not yet 28 days of history with running for a ratio.");
    }
    Ok(Chart {
        id: "acwr",
        title: "Acute:chronic workload ratio (context)".to_string(),
        svg,
        summary,
        legend: vec![
            key(Mark::Line, BLUE, "uncoupled: 7 days against the 21 before"),
            key(
                Mark::Dashed,
                INK,
                "EWMA: 7-day against 28-day weighted averages",
            ),
            key(Mark::Band, SKY, format!("below {}", r.acwr_low)),
            key(
                Mark::Band,
                ORANGE,
                format!("{}-{}", r.acwr_caution, r.acwr_high),
            ),
            key(Mark::Band, VERMILLION, format!("above {}", r.acwr_high)),
        ],
    })
}
