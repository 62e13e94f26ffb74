//! `kneeguard plan`: the days ahead — the rest of this week and next week — below the pain
//! threshold, from today's guidance.

use super::{guidance, parse_date, Context};
use crate::core::guidance::Guidance;
use crate::core::plan::{DayNote, DayStatus, WeekPlan};
use crate::core::threshold::{Estimate, Outcome};
use crate::db::Store;
use crate::render::{self, ics, views, words, OutputFormat, Terminal};
use crate::settings::Units;
use anyhow::Context as _;
use chrono::{Duration, NaiveDate};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use tabled::Tabled;

/// Plan the days ahead below your pain threshold.
///
/// The rest of this week from today on (the days before today show what you did) and next
/// week, day by day: runs with a distance and a descent budget, walk-run sessions when coming
/// back from red, cross-training of the same duration as the runs it replaces, strength days
/// with the routine, rest days — with every reason in plain words. The plan follows today's
/// pain: each rating you log re-plans the days ahead (a red rating today means no running from
/// today on). Green progresses about 10% a week below your threshold; amber holds or cuts and
/// flattens; red stops running until the knee settles, then a walk-run ladder brings it back.
/// Every planned run stays within 1.1x the longest run of the 30 days before its day (the
/// [load] spike window), and every week within kneeguard's ramp rule, so following the plan
/// raises none of `check`'s warnings.
///
/// Your available days, rest days, long-run day, weekly goal, cross-training and strength days
/// come from the config's [plan] section (`kneeguard config defaults`).
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kneeguard plan
  kneeguard plan --week 2026-11-30 --units mi
  kneeguard plan --ics days-ahead.ics
  kneeguard plan --format json | jq '.days[] | select(.kind == \"run\")'")]
pub struct PlanArgs {
    /// Only the week that contains this date: this week or next [default: both]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub week: Option<NaiveDate>,
    /// Also write the planned days as calendar events (iCalendar) to this file
    #[arg(long, value_name = "FILE")]
    pub ics: Option<PathBuf>,
}

/// The weeks to show: the one asked for, or this week (while it has days ahead) and next.
fn weeks<'a>(args: &PlanArgs, g: &'a Guidance, ctx: &Context) -> anyhow::Result<Vec<&'a WeekPlan>> {
    match args.week {
        Some(day) => {
            let start = crate::core::guidance::week_of(day, &guidance::settings(ctx));
            let week = g.week(start).with_context(|| {
                format!(
                    "--week {day}: kneeguard plans this week and next ({} and {}); for past weeks \
                     see `kneeguard weeks` and `kneeguard activities`",
                    g.this_week().week_start,
                    g.next_week().week_start
                )
            })?;
            Ok(vec![week])
        }
        None => Ok(g
            .weeks
            .iter()
            .filter(|w| w.days.iter().any(|d| d.status == DayStatus::Planned))
            .collect()),
    }
}

pub fn run(
    args: &PlanArgs,
    ctx: &Context,
    store: &Store,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let (g, _) = guidance::today(ctx, store)?;
    let units = ctx.settings.units;
    let shown = weeks(args, &g, ctx)?;
    if let Some(path) = &args.ics {
        let mut bytes = Vec::new();
        ics::write_plan(&mut bytes, &shown, units, ctx.settings.now)?;
        std::fs::write(path, bytes)
            .with_context(|| format!("cannot write the calendar file {}", path.display()))?;
    }
    match ctx.format {
        OutputFormat::Json => {
            let view = match args.week {
                Some(_) => views::plan(&g, shown[0], false),
                None => views::plan(&g, g.next_week(), true),
            };
            render::json(out, &view)?
        }
        OutputFormat::Csv => write_csv(out, &shown, units)?,
        OutputFormat::Table => write_text(out, &g, &shown, &ctx.term, units)?,
    }
    if let (Some(path), OutputFormat::Table) = (&args.ics, ctx.format) {
        writeln!(out, "Calendar written to {}.", path.display())?;
    }
    Ok(super::exit::OK)
}

fn write_csv(out: &mut dyn Write, weeks: &[&WeekPlan], units: Units) -> anyhow::Result<()> {
    #[derive(serde::Serialize)]
    struct CsvDay<'a> {
        date: NaiveDate,
        status: &'a str,
        kind: &'a str,
        distance_m: Option<f64>,
        max_descent_m: Option<f64>,
        minutes: Option<u32>,
        activity: Option<&'a str>,
        notes: String,
    }
    let rows: Vec<CsvDay> = weeks
        .iter()
        .flat_map(|w| &w.days)
        .map(|d| CsvDay {
            date: d.date,
            status: match d.status {
                DayStatus::Done => "done",
                DayStatus::Planned => "planned",
            },
            kind: d.kind.as_str(),
            distance_m: d.distance_m,
            max_descent_m: d.max_descent_m,
            minutes: d.minutes,
            activity: d.activity.as_deref(),
            notes: words::day_notes(d, units),
        })
        .collect();
    render::csv(out, &rows)?;
    Ok(())
}

/// The weeks in words: each week's days and totals, then the thresholds, the reasons and the
/// strength routine.
pub fn write_text(
    out: &mut dyn Write,
    g: &Guidance,
    weeks: &[&WeekPlan],
    term: &Terminal,
    units: Units,
) -> anyhow::Result<()> {
    for (k, w) in weeks.iter().enumerate() {
        if k > 0 {
            writeln!(out)?;
        }
        write_week(out, g, w, term, units)?;
    }
    writeln!(out, "\nYour thresholds (from your runs and pain log):")?;
    for (name, e) in super::status::names(g) {
        term.wrap(
            out,
            &format!("  {name:<19} "),
            &words::estimate_finding(e, units),
        )?;
        if let Some(line) = evidence_line(e, units) {
            term.wrap(out, &format!("  {:<19} ", ""), &line)?;
        }
    }
    if let Some(day) = weeks
        .iter()
        .flat_map(|w| &w.days)
        .find(|d| !d.exercises.is_empty() && d.status == DayStatus::Planned)
    {
        writeln!(
            out,
            "\nStrength and mobility routine (about {} minutes):",
            crate::core::plan::strength::ROUTINE_MINUTES
        )?;
        for e in &day.exercises {
            term.wrap(out, "  - ", &render::exercise(e))?;
        }
    }
    writeln!(out)?;
    term.wrap(out, "", words::DISCLAIMER)?;
    Ok(())
}

fn write_week(
    out: &mut dyn Write,
    g: &Guidance,
    w: &WeekPlan,
    term: &Terminal,
    units: Units,
) -> anyhow::Result<()> {
    let end = w.week_start + Duration::days(6);
    let which = if w.week_start == g.this_week().week_start {
        "This week"
    } else {
        "Next week"
    };
    term.wrap(
        out,
        "",
        &format!(
            "{which}, {} - {}: knee zone {}, {}",
            w.week_start.format("%a %d %b"),
            end.format("%a %d %b %Y"),
            term.zone(g.zone.zone, &g.zone.zone.as_str().to_uppercase()),
            words::mode(g)
        ),
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
    // Day (6) and the table's borders (10) take 16 columns; the session gets about two fifths of
    // the rest and the notes the remainder, each wrapped at words: nothing is cut off.
    let room = term.width.saturating_sub(16).max(30);
    let session_width = (room * 2 / 5).max(16);
    let notes_width = room - session_width;
    let fill = |text: String, width: usize| crate::render::term::fill(&text, width);
    let rows = w.days.iter().map(|d| {
        let done = d.status == DayStatus::Done;
        let row = Row {
            day: d.date.format("%a %d").to_string(),
            session: if done {
                format!("done: {}", words::session(d, units))
            } else {
                words::session(d, units)
            },
            notes: if done {
                String::new()
            } else {
                // The descent budget is in the session already.
                d.notes
                    .iter()
                    .filter(|n| !matches!(n, DayNote::MaxDescent { .. }))
                    .map(|n| words::day_note(n, units))
                    .collect::<Vec<_>>()
                    .join("; ")
            },
        };
        Row {
            session: fill(row.session, session_width),
            notes: fill(row.notes, notes_width),
            ..row
        }
    });
    writeln!(out, "{}", term.table(rows, &[]))?;
    let t = &w.totals;
    term.wrap(
        out,
        "",
        &format!(
            "Week: {}, descent {}, {} min cross-training, {} strength day{}.",
            words::week_running(t, units),
            render::elevation(t.descent_m, units),
            t.cross_minutes,
            t.strength_days,
            if t.strength_days == 1 { "" } else { "s" }
        ),
    )?;
    writeln!(out, "Why:")?;
    for r in views::week_reasons(g, w, units) {
        term.wrap(out, "  - ", &r)?;
    }
    Ok(())
}

/// The evidence behind an estimate, briefly: the flares that still count and the highest load
/// tolerated, with dates and pain.
fn evidence_line(e: &Estimate, units: Units) -> Option<String> {
    let show = |m: f64| {
        if e.dimension.is_distance() {
            render::distance(m, units)
        } else {
            render::elevation(m, units)
        }
    };
    let what = |date: NaiveDate| {
        if e.dimension.is_weekly() {
            format!("week of {date}")
        } else {
            date.to_string()
        }
    };
    let mut parts: Vec<String> = e
        .evidence
        .iter()
        .filter(|x| x.outcome == Outcome::Provoked && x.active)
        .take(3)
        .map(|x| {
            format!(
                "pain {}/10 after {} ({})",
                x.pain,
                show(x.load_m),
                what(x.date)
            )
        })
        .collect();
    if let Some(best) = e
        .evidence
        .iter()
        .filter(|x| x.outcome == Outcome::Tolerated)
        .max_by(|a, b| a.load_m.total_cmp(&b.load_m))
    {
        parts.push(format!(
            "{} tolerated at {}/10 ({})",
            show(best.load_m),
            best.pain,
            what(best.date)
        ));
    }
    (!parts.is_empty()).then(|| {
        format!(
            "evidence from {} {} with pain logs: {}",
            e.evidence.len(),
            if e.dimension.is_weekly() {
                "weeks"
            } else {
                "runs"
            },
            parts.join("; ")
        )
    })
}
