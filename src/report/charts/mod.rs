//! The report's charts, drawn with plotters into static SVG (no script): weekly distance and
//! descent, pain over time, each run against its spike bands, pain against load, and the ACWR.
//!
//! Each chart comes with its title, a legend and a text alternative, so the page never relies
//! on colour or on seeing the picture. Colours are the Okabe-Ito palette, which stays distinct
//! for the common colour-vision deficiencies; every series also differs in shape or line style.
//! This module holds what the charts share (palette, scales, the time axis, markers, bands,
//! level lines); each chart lives in its own file.

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

mod acwr;
mod pain;
mod runs;
mod scatter;
mod weekly;

use acwr::acwr;
use pain::pain_over_time;
use runs::runs_against_bands;
use scatter::{pain_vs_load_runs, pain_vs_load_weeks};
use weekly::{weekly_descent, weekly_distance};

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
    let style = text_style(13).color(&colour).pos(Pos::new(HPos::Right, v));
    // A pale backing keeps the label legible where it crosses a bar or a point.
    let (w, h) = root.estimate_text_size(label, &style)?;
    let (w, h) = (w as i32, h as i32);
    let top = if dashed { py + dy } else { py + dy - h };
    root.draw(&Rectangle::new(
        [(px - 6 - w, top - 1), (px - 2, top + h + 1)],
        WHITE.mix(0.85).filled(),
    ))?;
    root.draw(&Text::new(label.to_string(), (px - 4, py + dy), style))?;
    Ok(())
}

/// Where pain starts, when that limits the plan: the level the charts draw as the threshold.
/// A load that provoked pain but does not bind (it does not separate painful from painless
/// loads, or the knee has taken it since) is no threshold line.
fn threshold_m(e: &Estimate) -> Option<f64> {
    e.cap_m.and(e.provoking_m)
}

/// What a dimension's threshold says, for the legend and the summary.
fn threshold_words(e: &Estimate, show: &dyn Fn(f64) -> String, units: Units) -> String {
    match (threshold_m(e), e.provoking_m, e.tolerated_m) {
        (Some(p), _, Some(t)) => {
            format!("Pain started at {}; {} was tolerated.", show(p), show(t))
        }
        (Some(p), _, None) => format!("Pain started at {}.", show(p)),
        (None, Some(_), _) => {
            let finding = crate::render::words::estimate_finding(e, units);
            let mut chars = finding.chars();
            let first = chars.next().map(|c| c.to_uppercase().to_string());
            format!("{}{}.", first.unwrap_or_default(), chars.as_str())
        }
        (None, None, Some(t)) => {
            format!("{} was tolerated; nothing has provoked pain yet.", show(t))
        }
        (None, None, None) => "There is not enough pain logged for a threshold yet.".to_string(),
    }
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
