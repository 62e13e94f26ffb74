//! The report's charts, drawn with plotters into static SVG (no script): weekly distance and
//! descent, pain over time, each run against its spike bands, pain against load, and the ACWR.
//!
//! Each chart comes with its title, a legend and a text alternative, so the page never relies
//! on colour or on seeing the picture. Colours are the Okabe-Ito palette, which stays distinct
//! for the common colour-vision deficiencies; every series also differs in shape or line style.

use chrono::{Datelike, Duration, NaiveDate};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::data::{ReportData, ReportRun, ReportWeek, Rules};
use crate::core::threshold::Estimate;
use crate::model::PainWhen;
use crate::render;
use crate::settings::Units;

/// Okabe-Ito colours (Okabe and Ito 2008, "Color Universal Design").
pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
pub const SKY: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
pub const GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
pub const PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
pub const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const GRID: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);

const WIDE: (u32, u32) = (960, 320);
const SMALL: (u32, u32) = (470, 300);
const FONT: &str = "sans-serif";

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Bar,
    Line,
    Dashed,
    Circle,
    Triangle,
    Square,
    Ring,
    Band,
}

/// One legend entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub mark: Mark,
    /// `#RRGGBB`.
    pub colour: String,
    pub label: String,
}

/// One drawn chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// The element id on the page, stable for tests and links.
    pub id: &'static str,
    pub title: String,
    pub svg: String,
    /// The text alternative: what the chart shows, in sentences.
    pub summary: String,
    pub legend: Vec<Key>,
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

fn key(mark: Mark, colour: RGBColor, label: impl Into<String>) -> Key {
    Key {
        mark,
        colour: hex(colour),
        label: label.into(),
    }
}

/// Distances and heights in the display units.
#[derive(Debug, Clone, Copy)]
struct Scale {
    units: Units,
}

impl Scale {
    fn distance(self, metres: f64) -> f64 {
        match self.units {
            Units::Km => metres / 1000.0,
            Units::Mi => metres / 1609.344,
        }
    }
    fn height(self, metres: f64) -> f64 {
        match self.units {
            Units::Km => metres,
            Units::Mi => metres * 3.280_84,
        }
    }
    fn distance_unit(self) -> &'static str {
        match self.units {
            Units::Km => "km",
            Units::Mi => "mi",
        }
    }
    fn height_unit(self) -> &'static str {
        match self.units {
            Units::Km => "m",
            Units::Mi => "ft",
        }
    }
    /// A load in display units: a height for descent, else a distance.
    fn load(self, metres: f64, descent: bool) -> f64 {
        if descent {
            self.height(metres)
        } else {
            self.distance(metres)
        }
    }
    /// A load in words with its unit (`12.0 km`, `300 m`).
    fn words(self, metres: f64, descent: bool) -> String {
        if descent {
            render::elevation(metres, self.units)
        } else {
            render::distance(metres, self.units)
        }
    }
    fn load_unit(self, descent: bool) -> &'static str {
        if descent {
            self.height_unit()
        } else {
            self.distance_unit()
        }
    }
}

/// The time axis: days since the report's first day, labelled with local dates.
struct Timeline {
    from: NaiveDate,
    days: f64,
}

impl Timeline {
    fn new(data: &ReportData) -> Timeline {
        let end = data.weeks.last().map_or(data.today, |w| w.load.week_start) + Duration::days(7);
        Timeline {
            from: data.from,
            days: (end - data.from).num_days().max(7) as f64,
        }
    }

    fn x(&self, date: NaiveDate) -> f64 {
        (date - self.from).num_days() as f64
    }

    /// Tick positions: every week for a short report, else month or year starts.
    fn ticks(&self) -> Vec<f64> {
        let last = self.from + Duration::days(self.days as i64);
        let weeks = self.days / 7.0;
        let mut out = Vec::new();
        if weeks <= 16.0 {
            let mut d = self.from;
            while d <= last {
                out.push(self.x(d));
                d += Duration::days(7);
            }
            return out;
        }
        let months_step = match weeks {
            w if w <= 60.0 => 1,
            w if w <= 130.0 => 3,
            _ => 12,
        };
        let mut d =
            NaiveDate::from_ymd_opt(self.from.year(), self.from.month(), 1).unwrap_or(self.from);
        while d <= last {
            if d >= self.from && (months_step < 12 || d.month() == 1) {
                out.push(self.x(d));
            }
            d = d
                .checked_add_months(chrono::Months::new(if months_step == 12 {
                    1
                } else {
                    months_step
                }))
                .unwrap_or(last + Duration::days(1));
        }
        out
    }

    fn label(&self, x: f64) -> String {
        let date = self.from + Duration::days(x.round() as i64);
        let weeks = self.days / 7.0;
        if weeks <= 16.0 {
            date.format("%-d %b").to_string()
        } else if weeks <= 130.0 {
            date.format("%b %Y").to_string()
        } else {
            date.format("%Y").to_string()
        }
    }
}

/// Every chart of the report, in page order.
pub fn all(data: &ReportData, units: Units) -> Result<Vec<Chart>> {
    let scale = Scale { units };
    Ok(vec![
        weekly_distance(data, scale)?,
        weekly_descent(data, scale)?,
        pain_over_time(data)?,
        runs_against_bands(data, scale)?,
        pain_vs_load_weeks(data, scale, false)?,
        pain_vs_load_weeks(data, scale, true)?,
        pain_vs_load_runs(data, scale, false)?,
        pain_vs_load_runs(data, scale, true)?,
        acwr(data)?,
    ])
}

/// Draws into an SVG string of `size`.
fn svg(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<()>,
) -> Result<String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        root.fill(&WHITE)?;
        draw(&root)?;
        root.present()?;
    }
    Ok(out)
}

fn text_style(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&INK)
}

/// The highest value to show on an axis: a little above the largest of `values`, at least `min`.
fn top(values: impl IntoIterator<Item = f64>, min: f64) -> f64 {
    let max = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    (max * 1.12).max(min)
}

/// A marker's size in pixels for `count` marks across a chart: smaller as they crowd, so that
/// years of runs stay points rather than a smear.
fn dense(count: usize, size: i32) -> i32 {
    match count {
        0..=120 => size,
        121..=400 => (size * 2 / 3).max(2),
        _ => (size / 2).max(2),
    }
}

fn fmt_value(v: f64) -> String {
    if v.abs() >= 100.0 || v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

type Root<'a, 'b> = DrawingArea<SVGBackend<'b>, Shift>;
type Plot<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A horizontal reference line across the chart with its label at the right end.
fn draw_level(
    root: &Root<'_, '_>,
    chart: &mut Plot<'_, '_>,
    y: f64,
    colour: RGBColor,
    dashed: bool,
    label: &str,
) -> Result<()> {
    let (x0, x1) = {
        let r = chart.x_range();
        (r.start, r.end)
    };
    let style = colour.stroke_width(2);
    let points = [(x0, y), (x1, y)];
    if dashed {
        chart.draw_series(DashedLineSeries::new(points, 8, 5, style))?;
    } else {
        chart.draw_series(LineSeries::new(points, style))?;
    }
    // Dashed lines (the tolerated level, the ceiling) are named below the line, solid ones (the
    // threshold) above it, so two close levels keep legible labels.
    let (px, py) = chart.backend_coord(&(x1, y));
    let (dy, v) = if dashed {
        (4, VPos::Top)
    } else {
        (-4, VPos::Bottom)
    };
    root.draw(&Text::new(
        label.to_string(),
        (px - 4, py + dy),
        text_style(13).color(&colour).pos(Pos::new(HPos::Right, v)),
    ))?;
    Ok(())
}

/// What a dimension's threshold says, for the legend and the summary.
fn threshold_words(e: &Estimate, show: &dyn Fn(f64) -> String) -> String {
    match (e.provoking_m, e.tolerated_m) {
        (Some(p), Some(t)) => format!("Pain started at {}; {} was tolerated.", show(p), show(t)),
        (Some(p), None) => format!("Pain started at {}.", show(p)),
        (None, Some(t)) => format!("{} was tolerated; nothing has provoked pain yet.", show(t)),
        (None, None) => "There is not enough pain logged for a threshold yet.".to_string(),
    }
}

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
        let levels = [estimate.provoking_m, estimate.tolerated_m];
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
            (e.provoking_m, VERMILLION, false, "pain from"),
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
        if self.estimate.provoking_m.is_some() {
            out.push(key(Mark::Line, VERMILLION, threshold));
        }
        if self.estimate.tolerated_m.is_some() {
            out.push(key(Mark::Dashed, INK, tolerated));
        }
        out
    }
}

fn weekly_distance(data: &ReportData, scale: Scale) -> Result<Chart> {
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
        ),
        legend,
    })
}

fn weekly_descent(data: &ReportData, scale: Scale) -> Result<Chart> {
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
        ),
        legend,
    })
}

/// Labels the x axis at the timeline's ticks (plotters' own ticks would fall on round day
/// counts, not on weeks or months).
fn week_ticks(root: &Root<'_, '_>, chart: &Plot<'_, '_>, t: &Timeline) -> Result<()> {
    let y0 = chart.y_range().start;
    for x in t.ticks() {
        let (px, py) = chart.backend_coord(&(x, y0));
        root.draw(&PathElement::new(vec![(px, py), (px, py + 5)], INK))?;
        let style = text_style(13).pos(Pos::new(HPos::Center, VPos::Top));
        root.draw(&Text::new(t.label(x), (px, py + 8), style))?;
    }
    Ok(())
}

fn weekly_summary(
    data: &ReportData,
    what: &str,
    value: impl Fn(&ReportWeek) -> f64,
    show: &dyn Fn(f64) -> String,
    th: &Estimate,
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
    text.push_str(&threshold_words(th, show));
    text
}

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

/// Draws a marker of `mark` at `at`, in pixels so that every marker keeps its size.
fn marker(
    root: &Root<'_, '_>,
    chart: &Plot<'_, '_>,
    at: (f64, f64),
    mark: Mark,
    colour: RGBColor,
    size: i32,
) -> Result<()> {
    let p = chart.backend_coord(&at);
    match mark {
        Mark::Triangle => root.draw(&TriangleMarker::new(p, size + 1, colour.filled()))?,
        Mark::Square => {
            let s = size - 1;
            root.draw(&Rectangle::new(
                [(p.0 - s, p.1 - s), (p.0 + s, p.1 + s)],
                colour.filled(),
            ))?
        }
        Mark::Ring => root.draw(&Circle::new(p, size, colour.stroke_width(2)))?,
        _ => root.draw(&Circle::new(p, size, colour.filled()))?,
    }
    Ok(())
}

/// Pale bands for the pain zones, each labelled, with the ceiling as a dashed line.
fn pain_zones(root: &Root<'_, '_>, chart: &mut Plot<'_, '_>, rules: &Rules) -> Result<()> {
    bands(
        root,
        chart,
        &[
            (
                -0.5,
                f64::from(rules.green_max) + 0.5,
                GREEN,
                "green".to_string(),
            ),
            (
                f64::from(rules.green_max) + 0.5,
                f64::from(rules.amber_max) + 0.5,
                ORANGE,
                "amber".to_string(),
            ),
            (
                f64::from(rules.amber_max) + 0.5,
                10.5,
                VERMILLION,
                "red".to_string(),
            ),
        ],
    )?;
    draw_level(
        root,
        chart,
        f64::from(rules.ceiling),
        INK,
        true,
        &format!("ceiling {}/10", rules.ceiling),
    )
}

/// Pale horizontal bands (low, high, colour, name), each named in the right margin.
fn bands(
    root: &Root<'_, '_>,
    chart: &mut Plot<'_, '_>,
    list: &[(f64, f64, RGBColor, String)],
) -> Result<()> {
    let (x0, x1) = {
        let r = chart.x_range();
        (r.start, r.end)
    };
    let y_max = chart.y_range().end;
    for (lo, hi, colour, name) in list {
        let hi = hi.min(y_max);
        chart.draw_series(std::iter::once(Rectangle::new(
            [(x0, *lo), (x1, hi)],
            colour.mix(0.13).filled(),
        )))?;
        let (px, py) = chart.backend_coord(&(x1, (lo.max(chart.y_range().start) + hi) / 2.0));
        root.draw(&Text::new(
            name.clone(),
            (px + 5, py),
            text_style(12)
                .color(colour)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
}

fn pain_over_time(data: &ReportData) -> Result<Chart> {
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

fn runs_against_bands(data: &ReportData, scale: Scale) -> Result<Chart> {
    let t = Timeline::new(data);
    let [f1, f2, f3] = data.rules.spike_factors;
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
    let legend = vec![
        key(Mark::Circle, BLUE, "a run"),
        key(
            Mark::Triangle,
            VERMILLION,
            "a single-run spike, as kneeguard check warns",
        ),
        key(Mark::Ring, INK, "a descent spike"),
        key(Mark::Line, INK, "the longest run of the 30 days before"),
        key(Mark::Band, SKY, format!("up to {} longer", pct(f1))),
        key(
            Mark::Band,
            ORANGE,
            format!("{}-{} longer (injury risk x1.64)", pct(f1), pct(f2)),
        ),
        key(
            Mark::Band,
            VERMILLION,
            format!("{}-{} longer (x1.52; above: x2.28)", pct(f2), pct(f3)),
        ),
    ];
    Ok(Chart {
        id: "runs",
        title: "Each run against its 30-day longest run".to_string(),
        svg,
        summary: runs_summary(data, scale),
        legend,
    })
}

/// The reference (30-day longest run) of each run, held until the next run: one polyline per
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
        "{n} run{} from {}, each against the longest run of the 30 days before it. ",
        if n == 1 { "" } else { "s" },
        data.from.format("%-d %b %Y")
    );
    if spikes.is_empty() {
        text.push_str("None was a single-run spike.");
    } else {
        let list: Vec<String> = spikes
            .iter()
            .map(|r| {
                format!(
                    "{} on {} ({}% over {})",
                    render::distance(r.distance_m, scale.units),
                    r.date.format("%-d %b %Y"),
                    r.reference_m
                        .map_or(0.0, |m| (r.distance_m / m - 1.0) * 100.0)
                        .round(),
                    r.reference_m
                        .map_or("-".into(), |m| render::distance(m, scale.units))
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
    let lines = [s.estimate.provoking_m, s.estimate.tolerated_m]
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
                s.estimate.provoking_m
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
        summary: format!("{} {}", s.points_are, threshold_words(s.estimate, &show)),
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

fn pain_vs_load_weeks(data: &ReportData, scale: Scale, descent: bool) -> Result<Chart> {
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

fn pain_vs_load_runs(data: &ReportData, scale: Scale, descent: bool) -> Result<Chart> {
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

fn acwr(data: &ReportData) -> Result<Chart> {
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
