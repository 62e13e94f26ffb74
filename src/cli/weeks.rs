//! `kneeguard weeks`: the weekly load table.

use super::Context;
use crate::core::load::{weekly_summaries, WeekSummary};
use crate::db::{ActivityFilter, Store};
use crate::render::{self, OutputFormat};
use crate::settings::Units;
use clap::Args;
use std::io::Write;
use tabled::Tabled;

/// Weekly running load: distance, longest run, descent, ramps, ACWR, cross-training.
///
/// Weeks are local calendar weeks (Monday first unless the config says otherwise); weeks with
/// no runs are zero weeks. The current week is marked with `*` and is still under way.
///
/// Columns: Dist = running distance; Long = longest run; Desc = descent of the runs (what loads
/// a sore knee); D/km = descent per km; Ramp = change against the previous week; ACWR = last 7
/// days against the mean week of the 21 days before (context, not a proven predictor); X =
/// cross-training minutes; S = strength sessions. `--wide` adds time, ascent, the 4-week ramp,
/// the EWMA ratio, monotony and strain.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kneeguard weeks
  kneeguard weeks --weeks 26 --units mi
  kneeguard weeks --wide
  kneeguard weeks --format json | jq '.[-1].descent_m'")]
pub struct WeeksArgs {
    /// How many weeks to show, ending with the current one
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub weeks: u32,
    /// All columns (wider than 80 characters)
    #[arg(long)]
    pub wide: bool,
}

#[derive(Tabled)]
struct Row {
    #[tabled(rename = "Week")]
    week: String,
    #[tabled(rename = "Runs")]
    runs: u32,
    #[tabled(rename = "Dist")]
    distance: String,
    #[tabled(rename = "Long")]
    longest: String,
    #[tabled(rename = "Desc")]
    descent: String,
    #[tabled(rename = "D/km")]
    descent_per_km: String,
    #[tabled(rename = "Ramp")]
    ramp: String,
    #[tabled(rename = "ACWR")]
    acwr: String,
    #[tabled(rename = "X")]
    cross: String,
    #[tabled(rename = "S")]
    strength: u32,
}

#[derive(Tabled)]
struct WideRow {
    #[tabled(rename = "Week")]
    week: String,
    #[tabled(rename = "Runs")]
    runs: u32,
    #[tabled(rename = "Dist")]
    distance: String,
    #[tabled(rename = "Time")]
    time: String,
    #[tabled(rename = "Long")]
    longest: String,
    #[tabled(rename = "Up")]
    ascent: String,
    #[tabled(rename = "Desc")]
    descent: String,
    #[tabled(rename = "D/km")]
    descent_per_km: String,
    #[tabled(rename = "Ramp")]
    ramp: String,
    #[tabled(rename = "Ramp4")]
    ramp4: String,
    #[tabled(rename = "ACWR")]
    acwr: String,
    #[tabled(rename = "EWMA")]
    ewma: String,
    #[tabled(rename = "Mono")]
    monotony: String,
    #[tabled(rename = "Strain")]
    strain: String,
    #[tabled(rename = "X min")]
    cross: String,
    #[tabled(rename = "S")]
    strength: u32,
}

pub fn run(
    args: &WeeksArgs,
    ctx: &Context,
    store: &Store,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let activities = store.activities(&ActivityFilter::default())?;
    let settings = &ctx.settings;
    let weeks = weekly_summaries(
        &activities,
        &settings.config.load,
        settings.today,
        args.weeks as usize,
    );
    match ctx.format {
        OutputFormat::Json => render::json(out, &weeks)?,
        OutputFormat::Csv => render::csv(out, &weeks)?,
        OutputFormat::Table => {
            if activities.is_empty() {
                writeln!(
                    out,
                    "No activities yet. Import some with `kneeguard import PATH`, or add one with \
                     `kneeguard add run --km 5 --minutes 30`."
                )?;
                return Ok(super::exit::OK);
            }
            let units = settings.units;
            let table = if args.wide {
                let rows = weeks.iter().map(|w| wide_row(w, units));
                render::table(rows, &(1..16).collect::<Vec<_>>())
            } else {
                let rows = weeks.iter().map(|w| row(w, units));
                render::table(rows, &[1, 2, 3, 4, 5, 6, 7, 8, 9])
            };
            let (table, legend) = match units {
                Units::Km => (table, "km; Desc in m, D/km in m per km"),
                Units::Mi => (
                    table.replacen("D/km", "D/mi", 1),
                    "mi; Desc in ft, D/mi in ft per mi",
                ),
            };
            writeln!(out, "{table}")?;
            writeln!(out, "Dist and Long in {legend}; - = no known descent.")?;
            writeln!(
                out,
                "* week under way. Ramp and ACWR are context; single-run spikes and"
            )?;
            writeln!(
                out,
                "  your pain are the signals to watch (`kneeguard check`)."
            )?;
        }
    }
    Ok(super::exit::OK)
}

fn week_label(w: &WeekSummary) -> String {
    format!("{}{}", w.week_start, if w.partial { "*" } else { "" })
}

fn pct(v: Option<f64>) -> String {
    v.map_or("-".into(), |p| format!("{p:+.0}%"))
}

fn ratio(v: Option<f64>) -> String {
    v.map_or("-".into(), |r| format!("{r:.2}"))
}

/// Distance without the unit, for narrow columns.
fn dist(m: f64, units: Units) -> String {
    if m <= 0.0 {
        "0".into()
    } else {
        format!("{:.1}", render::distance_value(m, units))
    }
}

fn elev(m: f64, units: Units) -> String {
    match units {
        Units::Km => format!("{m:.0}"),
        Units::Mi => format!("{:.0}", m * 3.280_84),
    }
}

/// The week's descent, or `-` when it ran but no run's descent is known.
fn descent(w: &WeekSummary, units: Units) -> String {
    if w.runs > 0 && w.descent_per_km.is_none() {
        "-".into()
    } else {
        elev(w.descent_m, units)
    }
}

fn per_km(v: Option<f64>, units: Units) -> String {
    match (v, units) {
        (None, _) => "-".into(),
        (Some(v), Units::Km) => format!("{v:.1}"),
        // feet per mile
        (Some(v), Units::Mi) => format!("{:.0}", v * 3.280_84 * 1.609_344),
    }
}

fn row(w: &WeekSummary, units: Units) -> Row {
    Row {
        week: week_label(w),
        runs: w.runs,
        distance: dist(w.distance_m, units),
        longest: dist(w.longest_run_m, units),
        descent: descent(w, units),
        descent_per_km: per_km(w.descent_per_km, units),
        ramp: pct(w.ramp_pct),
        acwr: ratio(w.acwr_uncoupled),
        cross: format!("{:.0}", w.cross_minutes),
        strength: w.strength_sessions,
    }
}

fn wide_row(w: &WeekSummary, units: Units) -> WideRow {
    WideRow {
        week: week_label(w),
        runs: w.runs,
        distance: dist(w.distance_m, units),
        time: render::duration(w.moving_s),
        longest: dist(w.longest_run_m, units),
        ascent: elev(w.ascent_m, units),
        descent: descent(w, units),
        descent_per_km: per_km(w.descent_per_km, units),
        ramp: pct(w.ramp_pct),
        ramp4: pct(w.ramp_vs_4wk_pct),
        acwr: ratio(w.acwr_uncoupled),
        ewma: ratio(w.acwr_ewma),
        monotony: ratio(w.monotony),
        strain: w.strain.map_or("-".into(), |s| format!("{s:.0}")),
        cross: format!("{:.0}", w.cross_minutes),
        strength: w.strength_sessions,
    }
}
