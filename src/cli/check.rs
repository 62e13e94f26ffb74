//! `kneeguard check`: the load warnings that hold today, or over a period.

use super::{exit, guidance, parse_date, Context};
use crate::core::warnings::Severity;
use crate::db::{ActivityFilter, Store};
use crate::render::{self, words, OutputFormat};
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use std::io::Write;

/// Warn about load spikes and knee pain.
///
/// Single-run distance and descent spikes, weekly ramps, ACWR, monotony, today's knee zone, and
/// records left out as implausible.
///
/// Without `--since`: what holds today (spikes of the runs in the last 7 days, ramps of this and
/// last week, ACWR and monotony today, the knee). Each warning names its rule, the numbers, the
/// source and what to do, and says whether the signal has evidence behind it (the single-run
/// spike, your own pain) or is context (ramps, ACWR, monotony). Amber pain is a caution, red
/// pain or swelling a high warning.
///
/// Exit status: 0, or with `--fail-on` 3 when a warning at that severity or above holds (for
/// cron jobs and shell prompts); 2 on errors.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kneeguard check
  kneeguard check --since 2026-09-01
  kneeguard check --fail-on caution || notify-send \"kneeguard: ease off\"
  kneeguard check --format json | jq '.[] | select(.severity == \"high\")'")]
pub struct CheckArgs {
    /// Every warning raised from this local date to today
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub since: Option<NaiveDate>,
    /// Exit with status 3 when a warning of this severity or higher holds
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FailOn {
    Info,
    Caution,
    High,
}

pub fn run(
    args: &CheckArgs,
    ctx: &Context,
    store: &Store,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let settings = &ctx.settings;
    if let Some(since) = args.since {
        anyhow::ensure!(
            since <= settings.today,
            "--since {since} is after today ({}): give an earlier date",
            settings.today
        );
    }
    let (warnings, stored) = match args.since {
        Some(since) => {
            let (g, _) = guidance::today(ctx, store)?;
            let activities = store.activities(&ActivityFilter::default())?;
            let w = g.warnings_since(&activities, &settings.config.load, since);
            (w, activities.len())
        }
        None => {
            let (g, stored) = guidance::today(ctx, store)?;
            (g.warnings, stored)
        }
    };
    match ctx.format {
        OutputFormat::Json => render::json(out, &warnings)?,
        OutputFormat::Csv => {
            let rows: Vec<CsvRow> = warnings
                .iter()
                .map(|w| {
                    let text = words::warning(w, settings.units);
                    CsvRow {
                        rule: w.rule.as_str(),
                        severity: w.severity.as_str(),
                        date: w.date,
                        activity_id: w.activity_id,
                        message: text.message,
                        source: text.source,
                        advice: text.advice,
                    }
                })
                .collect();
            if rows.is_empty() {
                // the header alone: scripts see the columns even on a quiet day
                writeln!(out, "rule,severity,date,activity_id,message,source,advice")?;
            } else {
                render::csv(out, &rows)?;
            }
        }
        OutputFormat::Table => {
            if stored == 0 && warnings.is_empty() {
                writeln!(
                    out,
                    "Nothing to check yet: import your runs with `kneeguard import PATH` (FIT, GPX, \
                     TCX, or a Strava/Garmin export zip), or add one with `kneeguard add run`."
                )?;
            } else if warnings.is_empty() {
                let period = args.since.map_or("today".to_string(), |s| {
                    format!("from {s} to {}", settings.today)
                });
                writeln!(
                    out,
                    "No load warnings {period}. Keep listening to the knee: log pain with each run."
                )?;
            } else {
                render::warnings_at(out, &ctx.term, &warnings, settings.units)?;
            }
        }
    }
    let threshold = args.fail_on.map(|f| match f {
        FailOn::Info => Severity::Info,
        FailOn::Caution => Severity::Caution,
        FailOn::High => Severity::High,
    });
    Ok(match threshold {
        Some(t) if warnings.iter().any(|w| w.severity >= t) => exit::WARNING,
        _ => exit::OK,
    })
}

#[derive(serde::Serialize)]
struct CsvRow {
    rule: &'static str,
    severity: &'static str,
    date: NaiveDate,
    activity_id: Option<i64>,
    message: String,
    source: String,
    advice: String,
}
