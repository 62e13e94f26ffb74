//! `kneeguard add run|cross|strength`: sessions without a file.

use super::{activities::ActivityRecord, parse_date, parse_time, Context};
use crate::core::plausibility::{
    self, Record, MAX_MANUAL_DESCENT_M, MAX_MANUAL_DISTANCE_M, MAX_SESSION_S,
};
use crate::db::{Store, Stored};
use crate::model::{NewActivity, Sport};
use crate::render::{self, echo_number, OutputFormat};
use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use clap::{Args, Subcommand, ValueEnum};
use std::io::Write;

/// Add a session that has no file: a treadmill run without a watch, a spin class, a strength
/// session.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kneeguard add run --km 8 --minutes 46 --descent 40
  kneeguard add run --date 2026-11-20 --time 07:30 --mi 5 --minutes 45 --kind treadmill
  kneeguard add cross --kind elliptical --minutes 40 --note \"easy, no knee pain\"
  kneeguard add strength --minutes 25 --note \"clamshells, bridges, straight-leg raises\"")]
pub struct AddArgs {
    #[command(subcommand)]
    pub what: AddWhat,
}

#[derive(Debug, Subcommand)]
pub enum AddWhat {
    /// A run (road by default)
    Run {
        #[command(flatten)]
        common: Common,
        /// Distance in kilometres
        #[arg(
            long,
            conflicts_with = "mi",
            required_unless_present = "mi",
            allow_negative_numbers = true
        )]
        km: Option<f64>,
        /// Distance in miles
        #[arg(long, allow_negative_numbers = true)]
        mi: Option<f64>,
        /// Total descent in metres (what loads the knee: downhill and stairs)
        #[arg(long, value_name = "METRES", allow_negative_numbers = true)]
        descent: Option<f64>,
        /// Where you ran
        #[arg(long, value_enum, default_value_t = RunKind::Road)]
        kind: RunKind,
    },
    /// Cross-training: a ride, the elliptical, the pool, a row, a hike...
    Cross {
        #[command(flatten)]
        common: Common,
        /// What you did
        #[arg(long, value_enum)]
        kind: CrossKind,
        /// Distance in kilometres, if it matters
        #[arg(long, conflicts_with = "mi", allow_negative_numbers = true)]
        km: Option<f64>,
        /// Distance in miles
        #[arg(long, allow_negative_numbers = true)]
        mi: Option<f64>,
    },
    /// A strength or mobility session
    Strength {
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Debug, Args)]
pub struct Common {
    /// Local date of the session [default: today]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date: Option<NaiveDate>,
    /// Local start time [default: now for today, else 12:00]
    #[arg(long, value_name = "HH:MM", value_parser = parse_time)]
    pub time: Option<NaiveTime>,
    /// Duration in minutes
    #[arg(long, allow_negative_numbers = true)]
    pub minutes: f64,
    /// A note (how it felt, what you did)
    #[arg(long)]
    pub note: Option<String>,
    /// A name for the session
    #[arg(long)]
    pub name: Option<String>,
    /// Store it even when the same session (sport, start and distance) is already stored
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RunKind {
    Road,
    Trail,
    Treadmill,
    Virtual,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CrossKind {
    /// Outdoor cycling
    Ride,
    /// Indoor bike, spin class
    IndoorRide,
    Elliptical,
    /// Deep-water (aqua) running
    PoolRun,
    Swim,
    Row,
    Hike,
    Walk,
    Ski,
    Paddle,
}

const METRES_PER_MILE: f64 = 1609.344;

/// A distance given with `--km` or `--mi`, as given and in metres.
pub(super) struct GivenDistance {
    pub flag: &'static str,
    pub given: f64,
    pub metres: f64,
}

/// The distance of `--km` or `--mi`, whichever was given.
pub(super) fn given_distance(km: Option<f64>, mi: Option<f64>) -> Option<GivenDistance> {
    match (km, mi) {
        (Some(km), _) => Some(GivenDistance {
            flag: "--km",
            given: km,
            metres: km * 1000.0,
        }),
        (_, Some(mi)) => Some(GivenDistance {
            flag: "--mi",
            given: mi,
            metres: mi * METRES_PER_MILE,
        }),
        _ => None,
    }
}

/// The limits `add` and `activities edit` share for what a runner types in.
pub(super) fn check_distance(d: &GivenDistance) -> anyhow::Result<()> {
    let max = match d.flag {
        "--km" => MAX_MANUAL_DISTANCE_M / 1000.0,
        _ => (MAX_MANUAL_DISTANCE_M / METRES_PER_MILE).floor(),
    };
    anyhow::ensure!(
        d.given.is_finite() && d.given >= 0.0 && d.metres <= MAX_MANUAL_DISTANCE_M,
        "{} {} is not a distance: give a number from 0 to {max}",
        d.flag,
        echo_number(d.given)
    );
    Ok(())
}

pub(super) fn check_minutes(minutes: f64) -> anyhow::Result<()> {
    anyhow::ensure!(
        minutes.is_finite() && minutes > 0.0 && minutes * 60.0 <= MAX_SESSION_S,
        "--minutes {} is not a duration: give the minutes of the session, more than 0 and at \
         most {} (eight days)",
        echo_number(minutes),
        MAX_SESSION_S / 60.0
    );
    Ok(())
}

pub(super) fn check_descent(metres: f64) -> anyhow::Result<()> {
    anyhow::ensure!(
        metres.is_finite() && (0.0..=MAX_MANUAL_DESCENT_M).contains(&metres),
        "--descent {} is not a descent: give the metres of downhill, from 0 to {MAX_MANUAL_DESCENT_M}",
        echo_number(metres)
    );
    Ok(())
}

pub fn run(
    args: &AddArgs,
    ctx: &Context,
    store: &mut Store,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let (sport, common, km, mi, descent) = match &args.what {
        AddWhat::Run {
            common,
            km,
            mi,
            descent,
            kind,
        } => {
            let sport = match kind {
                RunKind::Road => Sport::Run,
                RunKind::Trail => Sport::TrailRun,
                RunKind::Treadmill => Sport::TreadmillRun,
                RunKind::Virtual => Sport::VirtualRun,
            };
            (sport, common, *km, *mi, *descent)
        }
        AddWhat::Cross {
            common,
            kind,
            km,
            mi,
        } => {
            let sport = match kind {
                CrossKind::Ride => Sport::Ride,
                CrossKind::IndoorRide => Sport::IndoorRide,
                CrossKind::Elliptical => Sport::Elliptical,
                CrossKind::PoolRun => Sport::PoolRun,
                CrossKind::Swim => Sport::Swim,
                CrossKind::Row => Sport::Row,
                CrossKind::Hike => Sport::Hike,
                CrossKind::Walk => Sport::Walk,
                CrossKind::Ski => Sport::Ski,
                CrossKind::Paddle => Sport::Paddle,
            };
            (sport, common, *km, *mi, None)
        }
        AddWhat::Strength { common } => (Sport::Strength, common, None, None, None),
    };
    let activity = build(sport, common, km, mi, descent, ctx)?;
    if !common.force {
        if let Some(id) = store.find_exact(&activity)? {
            anyhow::bail!(
                "the same {} (same start and distance) is already stored as #{id}: \
                 `kneeguard activities show {id}` shows it; give --force to add it again",
                sport.as_str().replace('_', " ")
            );
        }
    }
    let id = match store.store_activity(&activity, None)? {
        Stored::New(id) | Stored::Duplicate(id) | Stored::Deleted(id) => id,
    };
    let date = common.date.unwrap_or(ctx.settings.today);
    let stored = store
        .activity(id)?
        .ok_or_else(|| anyhow::anyhow!("activity #{id} was stored but cannot be read back"))?;
    let units = ctx.settings.units;
    match ctx.format {
        OutputFormat::Json => render::json(out, &ActivityRecord::from_activity(&stored))?,
        OutputFormat::Csv => render::csv(out, &[ActivityRecord::from_activity(&stored)])?,
        OutputFormat::Table => {
            let mut parts = vec![];
            if stored.distance_m > 0.0 {
                parts.push(render::distance(stored.distance_m, units));
            }
            parts.push(format!("{:.0} min", stored.moving_s / 60.0));
            if let Some(d) = stored.descent_m {
                parts.push(format!("{} descent", render::elevation(d, units)));
            }
            writeln!(
                out,
                "Added {} #{id} on {date}: {}.",
                sport.as_str().replace('_', " "),
                parts.join(", ")
            )?;
        }
    }
    Ok(super::exit::OK)
}

/// Validates the values and builds the activity; nothing is stored when this fails.
fn build(
    sport: Sport,
    common: &Common,
    km: Option<f64>,
    mi: Option<f64>,
    descent: Option<f64>,
    ctx: &Context,
) -> anyhow::Result<NewActivity> {
    let settings = &ctx.settings;
    let date = common.date.unwrap_or(settings.today);
    anyhow::ensure!(
        date <= settings.today,
        "--date {date} is in the future (today is {}): log sessions once they are done",
        settings.today
    );
    let start = match common.time {
        // A session logged today without a time starts now: never later than the clock.
        None if date == settings.today => settings.now,
        time => {
            let time = time.unwrap_or(NaiveTime::from_hms_opt(12, 0, 0).expect("noon"));
            let local = date.and_time(time);
            settings
                .tz
                .from_local_datetime(&local)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .ok_or_else(|| {
                    anyhow::anyhow!("{local} does not exist in {} (a clock change)", settings.tz)
                })?
        }
    };
    let time = common.time.unwrap_or_default();
    if common.time.is_some() && date == settings.today {
        anyhow::ensure!(
            start <= settings.now,
            "--time {} today is in the future: log sessions once they are done",
            time.format("%H:%M")
        );
    }
    let minutes = common.minutes;
    check_minutes(minutes)?;
    let distance_m = given_distance(km, mi);
    if let Some(distance) = &distance_m {
        anyhow::ensure!(
            !(sport.is_run() && distance.given == 0.0),
            "{} 0: a run needs its distance; for a session without one, use \
             `kneeguard add cross` or `kneeguard add strength`",
            distance.flag
        );
        check_distance(distance)?;
    }
    if let Some(d) = descent {
        check_descent(d)?;
    }
    let record = Record {
        sport,
        start: Some(start),
        utc_offset_s: settings.offset_at(start),
        distance_m: distance_m.as_ref().map_or(0.0, |d| d.metres),
        moving_s: minutes * 60.0,
        elapsed_s: minutes * 60.0,
    };
    if let Some(problem) = plausibility::impossible(&record, settings.today) {
        anyhow::bail!(
            "no runner can do this: {}; check --km/--mi and --minutes",
            render::words::implausible(&problem, settings.units)
        );
    }
    let offset = settings.offset_at(start);
    let mut activity = NewActivity::manual(sport, start, offset);
    activity.distance_m = distance_m.map_or(0.0, |d| d.metres);
    activity.moving_s = minutes * 60.0;
    activity.elapsed_s = minutes * 60.0;
    activity.descent_m = descent;
    activity.note = common.note.clone();
    activity.name = common.name.clone();
    Ok(activity)
}
