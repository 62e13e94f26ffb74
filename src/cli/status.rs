//! `kneeguard status`: one screen — today's zone, the latest pain, the thresholds, the
//! warnings and the next step.

use super::Context;
use crate::core::load::week_start_of;
use crate::core::plan::{plan_week, PlanDay};
use crate::core::threshold::{estimate, Thresholds};
use crate::core::warnings::{check, Severity, Warning};
use crate::core::zone::{assess, ZoneAssessment};
use crate::db::{ActivityFilter, Store};
use crate::render::{self, ics, OutputFormat};
use chrono::{Duration, NaiveDate};
use clap::Args;
use serde::Serialize;
use std::io::Write;

/// Where the knee stands today, on one screen.
///
/// Today's pain zone (green, amber, red) and why, the latest pain you logged, your threshold
/// estimates with their evidence, the load warnings that hold today, and the next step from the
/// plan.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kneeguard status
  kneeguard status --format json | jq .zone.zone")]
pub struct StatusArgs {}

#[derive(Serialize)]
struct Status {
    today: NaiveDate,
    zone: ZoneAssessment,
    thresholds: Thresholds,
    warnings: Vec<Warning>,
    /// Tomorrow in the plan.
    next: Option<PlanDay>,
    see_professional: bool,
}

pub fn run(
    _args: &StatusArgs,
    ctx: &Context,
    store: &Store,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let settings = &ctx.settings;
    let config = &settings.config;
    let today = settings.today;
    let activities = store.activities(&ActivityFilter::default())?;
    let pain = store.pain_entries(&ActivityFilter::default())?;
    let zone = assess(&pain, &activities, &config.pain, today);
    let thresholds = estimate(&activities, &pain, &config.pain, &config.load, today);
    let warnings = check(&activities, &config.load, today, None);
    let tomorrow = today + Duration::days(1);
    let plan = plan_week(
        &activities,
        &pain,
        &config.plan,
        &config.pain,
        &config.load,
        today,
        week_start_of(tomorrow, config.load.week_start),
    );
    let next = plan.days.iter().find(|d| d.date == tomorrow).cloned();
    let status = Status {
        today,
        see_professional: zone.see_professional || plan.see_professional,
        zone,
        thresholds,
        warnings,
        next,
    };
    match ctx.format {
        OutputFormat::Json => render::json(out, &status)?,
        OutputFormat::Csv => anyhow::bail!(
            "`status` has nested data that does not fit CSV: use --format json (or table)"
        ),
        OutputFormat::Table => write_text(out, &status, ctx, activities.is_empty())?,
    }
    Ok(super::exit::OK)
}

fn write_text(out: &mut dyn Write, s: &Status, ctx: &Context, empty: bool) -> anyhow::Result<()> {
    let units = ctx.settings.units;
    writeln!(
        out,
        "{}: knee zone {}",
        s.today.format("%A %d %B %Y"),
        s.zone.zone.as_str().to_uppercase()
    )?;
    for r in &s.zone.reasons {
        render::write_wrapped(out, "  ", r)?;
    }
    match &s.zone.latest {
        Some(p) => writeln!(
            out,
            "Latest pain: {}/10 {} on {}{}.",
            p.score,
            p.when.as_str(),
            p.date,
            if p.swelling { ", with swelling" } else { "" }
        )?,
        None => writeln!(
            out,
            "No pain logged yet: after each run, `kneeguard pain add SCORE --when after`."
        )?,
    }
    if empty {
        writeln!(
            out,
            "\nNo activities yet: `kneeguard import PATH` (FIT, GPX, TCX, or a Strava/Garmin export)."
        )?;
    }
    writeln!(out, "\nThresholds:")?;
    let th = &s.thresholds;
    for (name, e, distance) in [
        ("weekly distance", &th.weekly_distance_m, true),
        ("longest run", &th.longest_run_m, true),
        ("weekly descent", &th.weekly_descent_m, false),
        ("descent of one run", &th.run_descent_m, false),
    ] {
        let show = |m: f64| {
            if distance {
                render::distance(m, units)
            } else {
                render::elevation(m, units)
            }
        };
        let value = match (e.tolerated_m, e.provoking_m) {
            (Some(t), Some(p)) => format!("tolerated {}, pain from {}", show(t), show(p)),
            (Some(t), None) => format!("tolerated {}", show(t)),
            (None, Some(p)) => format!("pain from {}", show(p)),
            (None, None) => "unknown".to_string(),
        };
        writeln!(
            out,
            "  {name:<19} {value} ({})",
            render::confidence(e.confidence)
        )?;
    }
    let serious: Vec<&Warning> = s
        .warnings
        .iter()
        .filter(|w| w.severity >= Severity::Caution)
        .collect();
    writeln!(
        out,
        "\nWarnings today: {}",
        if serious.is_empty() { "none" } else { "" }
    )?;
    for w in &serious {
        render::write_wrapped(
            out,
            &format!("  {:<8}", w.severity.as_str().to_uppercase()),
            &w.message,
        )?;
    }
    if serious.len() < s.warnings.len() {
        writeln!(
            out,
            "  (and {} for information: `kneeguard check`)",
            s.warnings.len() - serious.len()
        )?;
    }
    if let Some(next) = &s.next {
        writeln!(
            out,
            "\nNext: {} — {}{}",
            next.date.format("%a %d %b"),
            ics::summary(next, units),
            if next.notes.is_empty() {
                String::new()
            } else {
                format!(" ({})", next.notes.join("; "))
            }
        )?;
    }
    if s.see_professional {
        writeln!(
            out,
            "See a physiotherapist or sports doctor about the knee."
        )?;
    }
    writeln!(
        out,
        "The full week: `kneeguard plan`. kneeguard is not medical advice."
    )?;
    Ok(())
}
