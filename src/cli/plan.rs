//! `kneeguard plan`: next week, day by day, below the pain threshold.

use super::{parse_date, Context};
use crate::core::load::week_start_of;
use crate::core::plan::{plan_week, DayKind, Plan};
use crate::core::threshold::Estimate;
use crate::db::{ActivityFilter, Store};
use crate::render::{self, ics, OutputFormat};
use crate::settings::Units;
use anyhow::Context as _;
use chrono::{Duration, NaiveDate};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use tabled::Tabled;

/// Plan next week below your pain threshold.
///
/// A day-by-day plan: runs with a distance and a descent budget, cross-training days sized to
/// the runs they replace, strength days with the routine, rest days — and the week's totals set
/// against your threshold estimates, today's pain zone, and every reason in plain words. Green:
/// progress gently, never past what the knee tolerated. Amber: less and flatter running, the
/// longest and hilliest runs swapped for cross-training, 2-3 strength days. Red: no running.
///
/// Your available days, rest days, long-run day, preferred cross-training and strength days come
/// from the config's [plan] section (`kneeguard config defaults`).
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kneeguard plan
  kneeguard plan --week 2026-11-30 --units mi
  kneeguard plan --ics next-week.ics
  kneeguard plan --format json | jq '.days[] | select(.kind == \"run\")'")]
pub struct PlanArgs {
    /// Plan the week that contains this date [default: next week]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub week: Option<NaiveDate>,
    /// Also write the plan as calendar events (iCalendar) to this file
    #[arg(long, value_name = "FILE")]
    pub ics: Option<PathBuf>,
}

/// Computes the plan for the requested week.
pub fn compute(args: &PlanArgs, ctx: &Context, store: &Store) -> anyhow::Result<Plan> {
    let settings = &ctx.settings;
    let config = &settings.config;
    let this_week = week_start_of(settings.today, config.load.week_start);
    let week_start = match args.week {
        Some(day) => week_start_of(day, config.load.week_start),
        None => this_week + Duration::days(7),
    };
    let activities = store.activities(&ActivityFilter::default())?;
    let pain = store.pain_entries(&ActivityFilter::default())?;
    Ok(plan_week(
        &activities,
        &pain,
        &config.plan,
        &config.pain,
        &config.load,
        settings.today,
        week_start,
    ))
}

pub fn run(
    args: &PlanArgs,
    ctx: &Context,
    store: &Store,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let plan = compute(args, ctx, store)?;
    let units = ctx.settings.units;
    if let Some(path) = &args.ics {
        write_ics(path, &plan, ctx)?;
    }
    match ctx.format {
        OutputFormat::Json => render::json(out, &plan)?,
        OutputFormat::Csv => {
            #[derive(serde::Serialize)]
            struct CsvDay<'a> {
                date: NaiveDate,
                kind: &'a str,
                distance_m: Option<f64>,
                max_descent_m: Option<f64>,
                minutes: Option<u32>,
                activity: Option<&'a str>,
                notes: String,
            }
            let rows: Vec<CsvDay> = plan
                .days
                .iter()
                .map(|d| CsvDay {
                    date: d.date,
                    kind: kind_word(d.kind),
                    distance_m: d.distance_m,
                    max_descent_m: d.max_descent_m,
                    minutes: d.minutes,
                    activity: d.activity.as_deref(),
                    notes: d.notes.join("; "),
                })
                .collect();
            render::csv(out, &rows)?;
        }
        OutputFormat::Table => write_text(out, &plan, units)?,
    }
    if let Some(path) = &args.ics {
        if ctx.format == OutputFormat::Table {
            writeln!(out, "Calendar written to {}.", path.display())?;
        }
    }
    Ok(super::exit::OK)
}

fn write_ics(path: &PathBuf, plan: &Plan, ctx: &Context) -> anyhow::Result<()> {
    let mut bytes = Vec::new();
    ics::write_plan(&mut bytes, plan, ctx.settings.units, ctx.settings.now)?;
    std::fs::write(path, bytes)
        .with_context(|| format!("cannot write the calendar file {}", path.display()))
}

fn kind_word(kind: DayKind) -> &'static str {
    match kind {
        DayKind::Run => "run",
        DayKind::Cross => "cross",
        DayKind::Strength => "strength",
        DayKind::Rest => "rest",
    }
}

/// The plan in words: the days, the totals against the thresholds, the reasons, the routine.
pub fn write_text(out: &mut dyn Write, plan: &Plan, units: Units) -> anyhow::Result<()> {
    let end = plan.week_start + Duration::days(6);
    writeln!(
        out,
        "Plan for {} - {}: knee zone {}",
        plan.week_start.format("%a %d %b"),
        end.format("%a %d %b %Y"),
        plan.zone.as_str().to_uppercase()
    )?;
    #[derive(Tabled)]
    struct Row {
        #[tabled(rename = "Day")]
        day: String,
        #[tabled(rename = "Session")]
        session: String,
        #[tabled(rename = "Notes")]
        notes: String,
    }
    let rows = plan.days.iter().map(|d| Row {
        day: d.date.format("%a %d").to_string(),
        session: ics::summary(d, units),
        notes: render::truncate(&d.notes.join("; "), 44),
    });
    writeln!(out, "{}", render::table(rows, &[]))?;
    let t = &plan.totals;
    writeln!(
        out,
        "Week: {} running, descent budget {}, {} min cross-training, {} strength day{}.",
        render::distance(t.run_distance_m, units),
        render::elevation(t.descent_m, units),
        t.cross_minutes,
        t.strength_days,
        if t.strength_days == 1 { "" } else { "s" }
    )?;
    writeln!(out, "\nYour thresholds (from your runs and pain log):")?;
    let th = &plan.thresholds;
    for (name, estimate, is_distance) in [
        ("weekly distance", &th.weekly_distance_m, true),
        ("longest run", &th.longest_run_m, true),
        ("weekly descent", &th.weekly_descent_m, false),
        ("descent of one run", &th.run_descent_m, false),
    ] {
        write_estimate(out, name, estimate, is_distance, units)?;
    }
    if !plan.reasons.is_empty() {
        writeln!(out, "\nWhy:")?;
        for r in &plan.reasons {
            render::write_wrapped(out, "  - ", r)?;
        }
    }
    if let Some(day) = plan.days.iter().find(|d| !d.exercises.is_empty()) {
        writeln!(out, "\nStrength and mobility routine (about 35 minutes):")?;
        for e in &day.exercises {
            render::write_wrapped(out, "  - ", &render::exercise(e))?;
        }
    }
    if plan.see_professional {
        writeln!(
            out,
            "\nSee a physiotherapist or sports doctor about the knee before running again."
        )?;
    }
    writeln!(out)?;
    render::write_wrapped(out, "", &plan.disclaimer)?;
    Ok(())
}

fn write_estimate(
    out: &mut dyn Write,
    name: &str,
    e: &Estimate,
    is_distance: bool,
    units: Units,
) -> std::io::Result<()> {
    let show = |m: f64| {
        if is_distance {
            render::distance(m, units)
        } else {
            render::elevation(m, units)
        }
    };
    let tolerated = e.tolerated_m.map_or("unknown".to_string(), show);
    let provoking = e
        .provoking_m
        .map_or(String::new(), |p| format!(", pain from {}", show(p)));
    let evidence = e.evidence.len();
    render::write_wrapped(
        out,
        &format!("  {name:<19} "),
        &format!(
            "tolerated {tolerated}{provoking} ({}, {evidence} {} of evidence). {}",
            render::confidence(e.confidence),
            if evidence == 1 { "item" } else { "items" },
            e.note
        ),
    )
}
