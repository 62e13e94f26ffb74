//! `kneeguard activities`: list what is stored.

use super::{parse_date, Context};
use crate::db::{ActivityFilter, Store};
use crate::model::{Activity, Category, Sport};
use crate::render::{self, OutputFormat};
use crate::settings::Units;
use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat};
use clap::Args;
use serde::Serialize;
use std::io::Write;
use tabled::Tabled;

/// List stored activities, oldest first.
///
/// Dates are local to where each activity happened. `--format json` prints the stable
/// interface documented in the README.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kneeguard activities --since 2026-10-01
  kneeguard activities --sport run --units mi
  kneeguard activities --format json | jq '.[] | select(.descent_m > 200)'")]
pub struct ActivitiesArgs {
    /// First local date to list (inclusive)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub since: Option<NaiveDate>,
    /// Last local date to list (inclusive)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub until: Option<NaiveDate>,
    /// Only this sport (run, trail_run, ride, elliptical, ...) or family (run, cross, strength)
    #[arg(long, value_parser = parse_sport_filter)]
    pub sport: Option<SportFilter>,
}

/// A sport, or one of the families.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SportFilter {
    Family(Category),
    Exact(Sport),
}

fn parse_sport_filter(text: &str) -> Result<SportFilter, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "run" | "runs" | "running" => Ok(SportFilter::Family(Category::Run)),
        "cross" => Ok(SportFilter::Family(Category::Cross)),
        "strength" => Ok(SportFilter::Family(Category::Strength)),
        other => Sport::parse(other).map(SportFilter::Exact).ok_or_else(|| {
            let names: Vec<&str> = Sport::ALL.iter().map(|s| s.as_str()).collect();
            format!(
                "unknown sport {text:?}: use run, cross, strength or one of {}",
                names.join(", ")
            )
        }),
    }
}

impl SportFilter {
    fn matches(self, sport: Sport) -> bool {
        match self {
            SportFilter::Family(c) => sport.category() == c,
            SportFilter::Exact(s) => sport == s,
        }
    }
}

/// One activity in the stable JSON and CSV interface.
#[derive(Debug, Serialize)]
pub struct ActivityRecord {
    pub id: i64,
    pub sport: Sport,
    pub category: &'static str,
    pub start: Option<String>,
    pub utc_offset_s: i32,
    pub local_date: Option<NaiveDate>,
    pub distance_m: f64,
    pub moving_s: f64,
    pub elapsed_s: f64,
    pub ascent_m: Option<f64>,
    pub descent_m: Option<f64>,
    pub device_descent_m: Option<f64>,
    /// True when `descent_m` is an estimate (a synced run without altitude streams).
    pub descent_estimated: bool,
    pub source_kind: &'static str,
    pub source: String,
    pub name: Option<String>,
    pub note: Option<String>,
    pub device: Option<String>,
}

impl ActivityRecord {
    pub fn from_activity(a: &Activity) -> Self {
        let round = |v: f64| (v * 10.0).round() / 10.0;
        ActivityRecord {
            id: a.id,
            sport: a.sport,
            category: a.sport.category().as_str(),
            start: a
                .start
                .map(|s| s.to_rfc3339_opts(SecondsFormat::Secs, true)),
            utc_offset_s: a.utc_offset_s,
            local_date: local_start(a).map(|t| t.date_naive()),
            distance_m: round(a.distance_m),
            moving_s: a.moving_s.round(),
            elapsed_s: a.elapsed_s.round(),
            ascent_m: a.ascent_m.map(round),
            descent_m: a.descent_m.map(round),
            device_descent_m: a.device_descent_m.map(round),
            descent_estimated: a.descent_estimated,
            source_kind: a.source_kind.as_str(),
            source: a.source.clone(),
            name: a.name.clone(),
            note: a.note.clone(),
            device: a.device.clone(),
        }
    }
}

/// The activity's start in the local time where it happened.
pub fn local_start(a: &Activity) -> Option<DateTime<FixedOffset>> {
    let offset = FixedOffset::east_opt(a.utc_offset_s)?;
    a.start.map(|s| s.with_timezone(&offset))
}

#[derive(Tabled)]
struct Row {
    #[tabled(rename = "ID")]
    id: i64,
    #[tabled(rename = "Date")]
    date: String,
    #[tabled(rename = "Sport")]
    sport: String,
    #[tabled(rename = "Dist")]
    distance: String,
    #[tabled(rename = "Time")]
    time: String,
    #[tabled(rename = "Up")]
    ascent: String,
    #[tabled(rename = "Down")]
    descent: String,
    #[tabled(rename = "Name")]
    name: String,
}

pub fn run(
    args: &ActivitiesArgs,
    ctx: &Context,
    store: &Store,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    if let (Some(since), Some(until)) = (args.since, args.until) {
        anyhow::ensure!(
            since <= until,
            "--since {since} is after --until {until}: nothing can match"
        );
    }
    let filter = ActivityFilter {
        since: args.since,
        until: args.until,
    };
    let activities: Vec<Activity> = store
        .activities(&filter)?
        .into_iter()
        .filter(|a| args.sport.is_none_or(|f| f.matches(a.sport)))
        .collect();
    match ctx.format {
        OutputFormat::Json => {
            let records: Vec<ActivityRecord> = activities
                .iter()
                .map(ActivityRecord::from_activity)
                .collect();
            render::json(out, &records)?;
        }
        OutputFormat::Csv => {
            let records: Vec<ActivityRecord> = activities
                .iter()
                .map(ActivityRecord::from_activity)
                .collect();
            render::csv(out, &records)?;
        }
        OutputFormat::Table => write_table(out, &activities, ctx.settings.units, store)?,
    }
    Ok(super::exit::OK)
}

fn write_table(
    out: &mut dyn Write,
    activities: &[Activity],
    units: Units,
    store: &Store,
) -> anyhow::Result<()> {
    if activities.is_empty() {
        if store.count_activities()? == 0 {
            writeln!(
                out,
                "No activities yet. Import some with `kneeguard import PATH` (FIT, GPX, TCX, or a \
                 Strava/Garmin export zip), or add one with `kneeguard add run --km 5 --minutes 30`."
            )?;
        } else {
            writeln!(out, "No activities match these filters.")?;
        }
        return Ok(());
    }
    let rows = activities.iter().map(|a| Row {
        id: a.id,
        date: local_start(a).map_or("(no date)".to_string(), |t| {
            t.format("%Y-%m-%d %H:%M").to_string()
        }),
        sport: a.sport.as_str().replace('_', " "),
        distance: if a.distance_m > 0.0 {
            render::distance(a.distance_m, units)
        } else {
            "-".into()
        },
        time: render::duration(a.moving_s),
        ascent: a
            .ascent_m
            .map_or("-".into(), |v| render::elevation(v, units)),
        // "~" marks a descent estimated from the climb (a synced run without streams)
        descent: a.descent_m.map_or("-".into(), |v| {
            let tilde = if a.descent_estimated { "~" } else { "" };
            format!("{tilde}{}", render::elevation(v, units))
        }),
        name: render::truncate(a.name.as_deref().unwrap_or(""), 18),
    });
    writeln!(out, "{}", render::table(rows, &[0, 3, 4, 5, 6]))?;
    let runs: Vec<&Activity> = activities.iter().filter(|a| a.sport.is_run()).collect();
    let distance: f64 = runs.iter().map(|a| a.distance_m).sum();
    let descent: f64 = runs.iter().filter_map(|a| a.descent_m).sum();
    writeln!(
        out,
        "{} activities; {} runs, {} running, {} descent.",
        activities.len(),
        runs.len(),
        render::distance(distance, units),
        render::elevation(descent, units)
    )?;
    Ok(())
}
