//! The report page: one self-contained HTML document built with maud from the gathered data
//! and the drawn charts. No script, no font, image or style from anywhere else; a content
//! security policy in the page itself forbids the browser to fetch anything.

use chrono::Duration;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::charts::{Chart, Key, Mark};
use super::data::{ReportData, ReportWeek};
use crate::core::plan::{DayKind, DayStatus, PlanDay};
use crate::core::threshold::{Estimate, Outcome};
use crate::core::warnings::Severity;
use crate::render::{self, words};
use crate::settings::Units;

const STYLE: &str = include_str!("report.css");

/// Nothing may be fetched: styles are inline, there are no scripts, fonts or remote images.
const POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// The whole page.
pub fn page(data: &ReportData, charts: &[Chart], units: Units) -> Markup {
    let chart = |id: &str| charts.iter().find(|c| c.id == id).map(figure);
    let date = data.today.format("%A %-d %B %Y");
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(POLICY);
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "kneeguard report, " (date) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    h1 { "Your knee's story" }
                    p.period {
                        "kneeguard report for " strong { (date) } ". "
                        (period(data)) ". Distances in " (distance_words(units))
                        ", dates are local."
                    }
                }
                (today(data, units))
                section #load {
                    h2 { "Load" }
                    (chart("weekly-distance").unwrap_or_default())
                    (chart("weekly-descent").unwrap_or_default())
                    (chart("runs").unwrap_or_default())
                }
                section #knee {
                    h2 { "Pain" }
                    (chart("pain").unwrap_or_default())
                }
                section #threshold {
                    h2 { "Your threshold, made visible" }
                    p.lead {
                        "Each point is a complete week or a run with the pain that followed it. "
                        "Points right of the threshold line are the loads that hurt; the ceiling is "
                        "the pain you accept during and after running."
                    }
                    div.grid {
                        (chart("pain-vs-weekly-distance").unwrap_or_default())
                        (chart("pain-vs-weekly-descent").unwrap_or_default())
                        (chart("pain-vs-run-distance").unwrap_or_default())
                        (chart("pain-vs-run-descent").unwrap_or_default())
                    }
                }
                section #context {
                    h2 { "Context" }
                    (chart("acwr").unwrap_or_default())
                }
                (week_table(data, units))
                footer {
                    p { (words::DISCLAIMER) }
                    p.small {
                        "Made by kneeguard from " (data.runs.len()) " runs and "
                        (data.pain.len()) " pain ratings. Single-run bands: Frandsen et al. 2025 "
                        "(BJSM 59:1203); pain ceiling: Esculier et al. 2018; ACWR: Gabbett 2016, "
                        "Williams et al. 2017."
                    }
                }
            }
        }
    }
}

fn period(data: &ReportData) -> String {
    let n = data.weeks.len();
    let last = data.weeks.last().map_or(data.today, |w| w.load.week_start) + Duration::days(6);
    format!(
        "{n} week{}, {} to {}",
        if n == 1 { "" } else { "s" },
        data.from.format("%-d %b %Y"),
        last.format("%-d %b %Y")
    )
}

fn distance_words(units: Units) -> &'static str {
    match units {
        Units::Km => "kilometres, heights in metres",
        Units::Mi => "miles, heights in feet",
    }
}

/// One chart: its title, the drawing, the legend and the text alternative.
fn figure(c: &Chart) -> Markup {
    let title = format!("{}-title", c.id);
    let text = format!("{}-text", c.id);
    html! {
        figure.chart id=(c.id) {
            h3 id=(title) { (c.title) }
            div.plot role="img" aria-labelledby=(title) aria-describedby=(text) {
                (PreEscaped(&c.svg))
            }
            ul.legend {
                @for k in &c.legend { (legend_key(k)) }
            }
            figcaption id=(text) { (c.summary) }
        }
    }
}

fn legend_key(k: &Key) -> Markup {
    let class = match k.mark {
        Mark::Bar => "bar",
        Mark::Line => "line",
        Mark::Dashed => "dashed",
        Mark::Circle => "circle",
        Mark::Triangle => "triangle",
        Mark::Square => "square",
        Mark::Ring => "ring",
        Mark::Band => "band",
    };
    html! {
        li {
            span class=(format!("key {class}")) style=(format!("--c:{}", k.colour)) aria-hidden="true" {}
            (k.label)
        }
    }
}

/// Today: the zone, the thresholds, the warnings and the plan.
fn today(data: &ReportData, units: Units) -> Markup {
    let g = &data.guidance;
    let zone = g.zone.zone.as_str();
    html! {
        section #today {
            h2 { "Today" }
            div class=(format!("zone {zone}")) {
                span.badge { "Knee zone: " (zone.to_uppercase()) }
                ul.reasons {
                    @for r in &g.zone.reasons { li { (words::zone_reason(r, units)) } }
                }
                @if let Some(p) = &g.zone.latest {
                    p {
                        "Latest pain: " strong { (p.score) "/10" } " " (p.when.as_str()) " on "
                        (p.date.format("%a %-d %b %Y"))
                        @if p.swelling { ", with swelling" } "."
                    }
                }
                @if let Some(r) = &g.zone.referral {
                    p.professional { (words::referral(r.cause, r.weeks)) }
                }
                @for f in &g.flagged {
                    p.professional {
                        "Activity #" (f.activity_id) " is left out of the charts and the plan: "
                        (words::implausible(&f.problem, units)) "."
                    }
                }
            }
            h3 { "Your thresholds" }
            (thresholds(data, units))
            h3 { "Warnings today" }
            (warnings(data, units))
            (plan_strip(data, units))
        }
    }
}

fn thresholds(data: &ReportData, units: Units) -> Markup {
    let th = &data.guidance.thresholds;
    let rows: [(&str, &Estimate, bool); 4] = [
        ("Weekly distance", &th.weekly_distance_m, true),
        ("Longest run", &th.longest_run_m, true),
        ("Weekly descent", &th.weekly_descent_m, false),
        ("Descent of one run", &th.run_descent_m, false),
    ];
    let show = |m: f64, distance: bool| {
        if distance {
            render::distance(m, units)
        } else {
            render::elevation(m, units)
        }
    };
    html! {
        table.thresholds {
            thead {
                tr { th { "" } th { "Pain starts at" } th { "Tolerated" } th { "Confidence" } th { "Evidence" } }
            }
            tbody {
                @for (name, e, distance) in rows {
                    tr {
                        th scope="row" { (name) }
                        td.num { (pain_starts(e, |m| show(m, distance))) }
                        td.num { (e.tolerated_m.map_or("unknown".to_string(), |m| show(m, distance))) }
                        td { (render::confidence(e.confidence)) }
                        td {
                            (words::estimate_finding(e, units))
                            @if !e.evidence.is_empty() {
                                details {
                                    summary { (evidence_words(e)) }
                                    ul.evidence {
                                        @for item in e.evidence.iter().take(12) {
                                            li {
                                                (item.date.format("%-d %b %Y")) ": "
                                                (show(item.load_m, distance)) ", pain "
                                                (item.pain) "/10"
                                                @if item.morning_rise { ", worse next morning" }
                                                " — " (outcome(item.outcome))
                                                @if item.outcome == Outcome::Provoked && !item.active { " (since tolerated)" }
                                            }
                                        }
                                        @if e.evidence.len() > 12 {
                                            li { "and " (e.evidence.len() - 12) " older" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn evidence_words(e: &Estimate) -> String {
    let provoked = e
        .evidence
        .iter()
        .filter(|i| i.outcome == Outcome::Provoked)
        .count();
    let n = e.evidence.len();
    format!(
        "{n} item{} of evidence, {provoked} provoked pain",
        if n == 1 { "" } else { "s" }
    )
}

fn outcome(o: Outcome) -> &'static str {
    match o {
        Outcome::Tolerated => "tolerated",
        Outcome::Provoked => "provoked pain",
    }
}

fn warnings(data: &ReportData, units: Units) -> Markup {
    let list: Vec<_> = data
        .guidance
        .warnings
        .iter()
        .filter(|w| w.severity >= Severity::Caution)
        .collect();
    let info = data.guidance.warnings.len() - list.len();
    html! {
        @if list.is_empty() {
            p { "None at caution or above." }
        } @else {
            ul.warnings {
                @for w in &list {
                    @let text = words::warning(w, units);
                    li class=(w.severity.as_str()) {
                        span.tag { (w.severity.as_str().to_uppercase()) } " "
                        (w.date.format("%-d %b")) ": " (text.message)
                        br;
                        span.advice { (text.advice) }
                    }
                }
            }
        }
        @if info > 0 {
            p.small { "And " (info) " for information (" code { "kneeguard check" } ")." }
        }
    }
}

/// The "pain starts at" cell: the level where it limits the plan; a load that provoked pain
/// without limiting the plan is marked so (its evidence says why).
fn pain_starts(e: &Estimate, show: impl Fn(f64) -> String) -> String {
    match (e.cap_m, e.provoking_m) {
        (Some(_), Some(p)) => show(p),
        (None, Some(p)) => format!("{} (no limit)", show(p)),
        (_, None) => "none yet".to_string(),
    }
}

/// How many days the plan strip shows: a week from today.
const STRIP_DAYS: usize = 7;

fn plan_strip(data: &ReportData, units: Units) -> Markup {
    let g = &data.guidance;
    // The seven days from today on.
    let days: Vec<&PlanDay> = g
        .weeks
        .iter()
        .flat_map(|w| &w.days)
        .filter(|d| d.date >= g.today)
        .take(STRIP_DAYS)
        .collect();
    let next = g.next_week();
    let last = days.last().map_or(g.today, |d| d.date);
    html! {
        h3 {
            "The next seven days, " (g.today.format("%a %-d %b")) " to "
            (last.format("%a %-d %b")) ": " (g.zone.zone.as_str()) " zone"
        }
        ol.plan {
            @for d in &days {
                li class=(kind_class(d.kind)) {
                    span.day { (d.date.format("%a %-d %b")) }
                    @if d.status == DayStatus::Done {
                        span.session { "done: " (words::session(d, units)) }
                    } @else {
                        span.session { (words::session(d, units)) }
                        @if let Some(m) = d.minutes.filter(|_| d.kind.is_running()) {
                            span.minutes { "about " (m) " min" }
                        }
                        @for n in &d.notes { span.note { (words::day_note(n, units)) } }
                    }
                }
            }
        }
        p.small {
            "Next week: " (words::week_running(&next.totals, units)) ", "
            (next.totals.cross_minutes) " min cross-training, " (next.totals.strength_days)
            " strength day" @if next.totals.strength_days != 1 { "s" } ". The full plan with its reasons: "
            code { "kneeguard plan" } "."
        }
    }
}

fn kind_class(kind: DayKind) -> &'static str {
    match kind {
        DayKind::Run => "run",
        DayKind::WalkRun => "run walk-run",
        DayKind::Cross => "cross",
        DayKind::Strength => "strength",
        DayKind::Rest => "rest",
    }
}

/// The numbers behind the weekly charts, as a table.
fn week_table(data: &ReportData, units: Units) -> Markup {
    let dist = |m: f64| render::distance(m, units);
    let elev = |m: f64| render::elevation(m, units);
    let ratio = |v: Option<f64>| v.map_or("-".to_string(), |r| format!("{r:.2}"));
    html! {
        details #numbers {
            summary { "The numbers behind the weekly charts" }
            table.weeks {
                thead {
                    tr {
                        th { "Week" } th { "Runs" } th { "Distance" } th { "Longest" } th { "Descent" }
                        th { "Cross-training" } th { "Strength" } th { "Highest pain" } th { "ACWR" } th { "EWMA" }
                    }
                }
                tbody {
                    @for w in data.weeks.iter().rev() {
                        tr {
                            th scope="row" { (w.load.week_start.format("%-d %b %Y")) @if w.load.partial { " (under way)" } }
                            td.num { (w.load.runs) }
                            td.num { (dist(w.load.distance_m)) }
                            td.num { (dist(w.load.longest_run_m)) }
                            td.num { (elev(w.load.descent_m)) }
                            td.num { (format!("{:.0} min", w.load.cross_minutes)) }
                            td.num { (w.load.strength_sessions) }
                            td.num { (pain_cell(w)) }
                            td.num { (ratio(w.load.acwr_uncoupled)) }
                            td.num { (ratio(w.load.acwr_ewma)) }
                        }
                    }
                }
            }
        }
    }
}

fn pain_cell(w: &ReportWeek) -> String {
    match w.highest_pain {
        None => "-".to_string(),
        Some(p) if w.swelling => format!("{p}/10, swelling"),
        Some(p) => format!("{p}/10"),
    }
}
