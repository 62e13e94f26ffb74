//! The weekly bar charts: running distance (with cross-training and strength marked) and
//! descent, each against its threshold and tolerated level.

use super::*;

/// One of the two weekly bar charts: running distance, or descent.
struct Weekly<'a> {
    descent: bool,
    estimate: &'a Estimate,
    colour: RGBColor,
    /// The bars' heights in display units, one per week.
    values: Vec<f64>,
    y_max: f64,
    y_desc: String,
}

impl<'a> Weekly<'a> {
    fn new(data: &'a ReportData, scale: Scale, descent: bool) -> Weekly<'a> {
        let th = &data.guidance.thresholds;
        let (estimate, colour, what, min) = if descent {
            (&th.weekly_descent_m, GREEN, "descent", 50.0)
        } else {
            (&th.weekly_distance_m, BLUE, "running", 5.0)
        };
        let metres = |w: &ReportWeek| {
            if descent {
                w.load.descent_m
            } else {
                w.load.distance_m
            }
        };
        let values: Vec<f64> = data
            .weeks
            .iter()
            .map(|w| scale.load(metres(w), descent))
            .collect();
        let levels = [threshold_m(estimate), estimate.tolerated_m];
        let y_max = top(
            values
                .iter()
                .copied()
                .chain(levels.iter().flatten().map(|m| scale.load(*m, descent))),
            min,
        );
        Weekly {
            descent,
            estimate,
            colour,
            values,
            y_max,
            y_desc: format!("{what}, {} a week", scale.load_unit(descent)),
        }
    }

    /// The chart's frame, with a label area on the right for a second axis when asked.
    fn frame<'c, 'b>(
        &self,
        root: &'c Root<'_, 'b>,
        t: &Timeline,
        right_axis: bool,
    ) -> Result<Plot<'c, 'b>> {
        let mut builder = ChartBuilder::on(root);
        builder
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(52);
        if right_axis {
            builder.right_y_label_area_size(52);
        } else {
            builder.margin_right(28);
        }
        Ok(builder.build_cartesian_2d(0f64..t.days, 0f64..self.y_max)?)
    }

    /// Draws the axes, one bar per week (the week under way paler) and the threshold and
    /// tolerated levels. A second axis must be set on `chart` before, or the first one's labels
    /// are drawn on both sides.
    fn draw(
        &self,
        root: &Root<'_, '_>,
        chart: &mut Plot<'_, '_>,
        data: &ReportData,
        t: &Timeline,
        scale: Scale,
    ) -> Result<()> {
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .x_labels(0)
            .y_label_formatter(&|v| fmt_value(*v))
            .y_desc(self.y_desc.clone())
            .label_style(text_style(13))
            .axis_desc_style(text_style(14))
            .draw()?;
        week_ticks(root, chart, t)?;
        chart.draw_series(data.weeks.iter().zip(&self.values).map(|(w, v)| {
            let x = t.x(w.load.week_start);
            let alpha = if w.load.partial { 0.45 } else { 1.0 };
            Rectangle::new(
                [(x + 0.5, 0.0), (x + 6.5, *v)],
                self.colour.mix(alpha).filled(),
            )
        }))?;
        let e = self.estimate;
        for (level, colour, dashed, word) in [
            (threshold_m(e), VERMILLION, false, "pain from"),
            (e.tolerated_m, INK, true, "tolerated"),
        ] {
            if let Some(m) = level {
                let label = format!("{word} {}", scale.words(m, self.descent));
                let y = scale.load(m, self.descent);
                draw_level(root, chart, y, colour, dashed, &label)?;
            }
        }
        Ok(())
    }

    /// The bars' and levels' legend entries (the levels only when they exist).
    fn legend(&self, bars: String, threshold: &str, tolerated: &str) -> Vec<Key> {
        let mut out = vec![key(Mark::Bar, self.colour, bars)];
        if threshold_m(self.estimate).is_some() {
            out.push(key(Mark::Line, VERMILLION, threshold));
        }
        if self.estimate.tolerated_m.is_some() {
            out.push(key(Mark::Dashed, INK, tolerated));
        }
        out
    }
}

pub(super) fn weekly_distance(data: &ReportData, scale: Scale) -> Result<Chart> {
    let weekly = Weekly::new(data, scale, false);
    let cross_max = top(data.weeks.iter().map(|w| w.load.cross_minutes), 60.0);
    let t = Timeline::new(data);
    let svg = svg(WIDE, |root| {
        let mut chart = weekly
            .frame(root, &t, true)?
            .set_secondary_coord(0f64..t.days, 0f64..cross_max);
        weekly.draw(root, &mut chart, data, &t, scale)?;
        chart
            .configure_secondary_axes()
            .y_label_formatter(&|v| format!("{v:.0}"))
            .y_desc("cross-training, min a week")
            .label_style(text_style(13).color(&SKY))
            .axis_desc_style(text_style(14))
            .draw()?;
        let middle = |w: &ReportWeek| t.x(w.load.week_start) + 3.5;
        let weeks = data.weeks.len();
        chart.draw_secondary_series(
            data.weeks
                .iter()
                .filter(|w| w.load.cross_minutes > 0.0)
                .map(|w| {
                    Circle::new(
                        (middle(w), w.load.cross_minutes),
                        dense(weeks, 5),
                        SKY.filled(),
                    )
                }),
        )?;
        chart.draw_series(
            data.weeks
                .iter()
                .filter(|w| w.load.strength_sessions > 0)
                .map(|w| {
                    let at = (middle(w), weekly.y_max * 0.96);
                    TriangleMarker::new(at, dense(weeks, 6), PURPLE.filled())
                }),
        )?;
        Ok(())
    })?;
    let unit = scale.distance_unit();
    let mut legend = weekly.legend(
        format!("running distance ({unit} a week; pale: week under way)"),
        "threshold: the lowest week that provoked pain",
        "tolerated: the most your knee took without pain",
    );
    legend.push(key(
        Mark::Circle,
        SKY,
        "cross-training minutes (right axis)",
    ));
    legend.push(key(Mark::Triangle, PURPLE, "a week with strength sessions"));
    let show = |m: f64| scale.words(m, false);
    Ok(Chart {
        id: "weekly-distance",
        title: "Weekly running distance".to_string(),
        svg,
        summary: weekly_summary(
            data,
            "Running distance",
            |w| w.load.distance_m,
            &show,
            weekly.estimate,
            scale.units,
        ),
        legend,
    })
}

pub(super) fn weekly_descent(data: &ReportData, scale: Scale) -> Result<Chart> {
    let weekly = Weekly::new(data, scale, true);
    let t = Timeline::new(data);
    let svg = svg(WIDE, |root| {
        let mut chart = weekly.frame(root, &t, false)?;
        weekly.draw(root, &mut chart, data, &t, scale)
    })?;
    let legend = weekly.legend(
        format!(
            "descent of the runs ({} a week; pale: week under way)",
            scale.height_unit()
        ),
        "threshold: the lowest weekly descent that provoked pain",
        "tolerated weekly descent",
    );
    let show = |m: f64| scale.words(m, true);
    Ok(Chart {
        id: "weekly-descent",
        title: "Weekly descent".to_string(),
        svg,
        summary: weekly_summary(
            data,
            "Descent",
            |w| w.load.descent_m,
            &show,
            weekly.estimate,
            scale.units,
        ),
        legend,
    })
}

fn weekly_summary(
    data: &ReportData,
    what: &str,
    value: impl Fn(&ReportWeek) -> f64,
    show: &dyn Fn(f64) -> String,
    th: &Estimate,
    units: Units,
) -> String {
    let n = data.weeks.len();
    let mut text = format!(
        "{what} in each of {n} week{} from {}.",
        if n == 1 { "" } else { "s" },
        data.from.format("%-d %b %Y")
    );
    if let Some(max) = data
        .weeks
        .iter()
        .max_by(|a, b| value(a).total_cmp(&value(b)))
        .filter(|w| value(w) > 0.0)
    {
        text.push_str(&format!(
            " The highest was {} in the week of {}.",
            show(value(max)),
            max.load.week_start.format("%-d %b %Y")
        ));
    }
    if let Some(last) = data.weeks.last() {
        text.push_str(&format!(
            " This week{}: {}.",
            if last.load.partial { " so far" } else { "" },
            show(value(last))
        ));
    }
    text.push(' ');
    text.push_str(&threshold_words(th, show, units));
    text
}
