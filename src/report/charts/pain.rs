//! Knee pain over time: every rating on 0-10 over the green, amber and red zones.

use super::*;

fn pain_marker(when: PainWhen) -> (Mark, RGBColor) {
    match when {
        PainWhen::During => (Mark::Circle, ORANGE),
        PainWhen::After => (Mark::Triangle, VERMILLION),
        PainWhen::Morning => (Mark::Square, BLUE),
        PainWhen::Daily => (Mark::Circle, INK),
    }
}

/// The horizontal offset of a rating within its day, so that the day's ratings sit side by side.
fn pain_offset(when: PainWhen) -> f64 {
    match when {
        PainWhen::Morning => 0.2,
        PainWhen::During => 0.4,
        PainWhen::After => 0.6,
        PainWhen::Daily => 0.8,
    }
}

pub(super) fn pain_over_time(data: &ReportData) -> Result<Chart> {
    let t = Timeline::new(data);
    let svg = svg(WIDE, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(52)
            .margin_right(56)
            .build_cartesian_2d(0f64..t.days, -0.5f64..10.5)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .disable_y_mesh()
            .x_labels(0)
            .y_labels(6)
            .y_label_formatter(&|v| format!("{v:.0}"))
            .y_desc("knee pain, 0-10")
            .label_style(text_style(13))
            .axis_desc_style(text_style(14))
            .draw()?;
        week_ticks(root, &chart, &t)?;
        pain_zones(root, &mut chart, &data.rules)?;
        for p in &data.pain {
            let at = (t.x(p.date) + pain_offset(p.when), f64::from(p.score));
            let (mark, colour) = pain_marker(p.when);
            marker(root, &chart, at, mark, colour, 5)?;
            if p.swelling {
                marker(root, &chart, at, Mark::Ring, INK, 9)?;
            }
        }
        Ok(())
    })?;
    let legend = vec![
        key(Mark::Circle, ORANGE, "during a run"),
        key(Mark::Triangle, VERMILLION, "within an hour after"),
        key(Mark::Square, BLUE, "the next morning"),
        key(Mark::Circle, INK, "a day's rating"),
        key(Mark::Ring, INK, "swelling"),
        key(
            Mark::Band,
            GREEN,
            format!("green 0-{}", data.rules.green_max),
        ),
        key(
            Mark::Band,
            ORANGE,
            format!(
                "amber {}-{}",
                data.rules.green_max + 1,
                data.rules.amber_max
            ),
        ),
        key(
            Mark::Band,
            VERMILLION,
            format!("red above {}", data.rules.amber_max),
        ),
    ];
    Ok(Chart {
        id: "pain",
        title: "Knee pain over time".to_string(),
        svg,
        summary: pain_summary(data),
        legend,
    })
}

fn pain_summary(data: &ReportData) -> String {
    let n = data.pain.len();
    if n == 0 {
        return "No pain has been logged in this period: log it during, after and the morning \
                after your runs (kneeguard pain add)."
            .to_string();
    }
    let worst = data
        .pain
        .iter()
        .max_by_key(|p| (p.score, p.date))
        .expect("not empty");
    let above = data
        .pain
        .iter()
        .filter(|p| p.score > data.rules.ceiling)
        .count();
    let swelling = data.pain.iter().filter(|p| p.swelling).count();
    let last = data.pain.last().expect("not empty");
    let mut text = format!(
        "{n} rating{} from {}. The highest was {}/10 {} on {}; {above} {} above the ceiling of {}/10. \
         The latest is {}/10 ({}) on {}.",
        if n == 1 { "" } else { "s" },
        data.from.format("%-d %b %Y"),
        worst.score,
        worst.when.as_str(),
        worst.date.format("%-d %b %Y"),
        if above == 1 { "was" } else { "were" },
        data.rules.ceiling,
        last.score,
        last.when.as_str(),
        last.date.format("%-d %b %Y"),
    );
    if swelling > 0 {
        text.push_str(&format!(
            " Swelling was logged {swelling} time{}.",
            if swelling == 1 { "" } else { "s" }
        ));
    }
    text
}
