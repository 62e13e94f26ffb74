//! `kneeguard weeks`: the weekly load table.

use super::Context;
use crate::core::load::{weekly_summaries, WeekSummary};
use crate::db::{ActivityFilter, Store};
use crate::render::spark::{self, Charset};
use crate::render::{self, OutputFormat};
use crate::report::data::{with_pain, ReportWeek};
use crate::settings::Units;
use clap::Args;
use std::io::Write;
use tabled::Tabled;

/// Weekly running load: distance, longest run, descent, ramps, ACWR, cross-training.
///
/// Weeks are local calendar weeks (Monday first unless the config says otherwise); weeks with
/// no runs are zero weeks. The current week is marked with `*` and is still under way.
///
/// Columns: Dist = running distance, with a bar; Long = longest run; Desc = descent of the runs
/// (what loads a sore knee); Ramp = change against the previous week; ACWR = last 7 days against
/// the mean week of the 21 days before (context, not a proven predictor); Pain = the week's
/// highest pain rating (0-10) with its height; X = cross-training minutes; S = strength
/// sessions. The bars are Unicode blocks, or ASCII when the locale is not UTF-8. `--wide` adds
/// the number of runs, time, ascent, descent per km, the 4-week ramp, the EWMA ratio, monotony
/// and strain.
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
    #[tabled(rename = "Dist")]
    distance: String,
    #[tabled(rename = "Long")]
    longest: String,
    #[tabled(rename = "Desc")]
    descent: String,
    #[tabled(rename = "Ramp")]
    ramp: String,
    #[tabled(rename = "ACWR")]
    acwr: String,
    #[tabled(rename = "Pain")]
    pain: String,
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
    #[tabled(rename = "Pain")]
    pain: String,
}

/// How wide the distance bar is, in characters.
const BAR_WIDTH: usize = 8;

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
            let pain = store.pain_entries(&ActivityFilter::default())?;
            let weeks = with_pain(weeks, &pain, settings.today);
            let table = if args.wide {
                let rows = weeks.iter().map(|w| wide_row(w, units));
                // The wide form keeps every column on one line: it is wider than 80 columns.
                render::table(rows, &(1..17).collect::<Vec<_>>())
            } else {
                let max = weeks.iter().map(|w| w.load.distance_m).fold(0.0, f64::max);
                let look = Look {
                    units,
                    charset: Charset::of(&ctx.term),
                    max_m: max,
                };
                let rows = weeks.iter().map(|w| row(w, &look));
                ctx.term.table(rows, &[2, 3, 4, 5, 6, 7, 8])
            };
            let (table, legend) = match units {
                Units::Km => (table, "km; Desc in m"),
                Units::Mi => (table.replacen("D/km", "D/mi", 1), "mi; Desc in ft"),
            };
            let per = match (args.wide, units) {
                (false, _) => "",
                (true, Units::Km) => ", D/km in m per km",
                (true, Units::Mi) => ", D/mi in ft per mi",
            };
            writeln!(out, "{table}")?;
            writeln!(out, "Dist and Long in {legend}{per}; - = no known descent.")?;
            writeln!(
                out,
                "Pain: the week's highest rating (0-10); - = none logged."
            )?;
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

/// What the narrow table needs to draw its bars.
struct Look {
    units: Units,
    charset: Charset,
    /// The largest week's distance: the full bar.
    max_m: f64,
}

fn row(week: &ReportWeek, look: &Look) -> Row {
    let w = &week.load;
    let units = look.units;
    Row {
        week: week_label(w),
        distance: format!(
            "{:>5} {}",
            dist(w.distance_m, units),
            spark::bar(w.distance_m, look.max_m, BAR_WIDTH, look.charset)
        ),
        longest: dist(w.longest_run_m, units),
        descent: descent(w, units),
        ramp: pct(w.ramp_pct),
        acwr: ratio(w.acwr_uncoupled),
        pain: match week.highest_pain {
            Some(p) => format!(
                "{p:>2} {}",
                spark::level(Some(f64::from(p)), 10.0, look.charset)
            ),
            None => "-".to_string(),
        },
        cross: format!("{:.0}", w.cross_minutes),
        strength: w.strength_sessions,
    }
}

fn wide_row(week: &ReportWeek, units: Units) -> WideRow {
    let w = &week.load;
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
        pain: week.highest_pain.map_or("-".into(), |p| p.to_string()),
    }
}
