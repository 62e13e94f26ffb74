//! `kneeguard status`: one screen — today's zone, the latest pain, the thresholds, the warnings
//! and the next session, all from today's guidance.

use super::{guidance, Context};
use crate::core::guidance::Guidance;
use crate::core::threshold::{Confidence, Estimate};
use crate::core::warnings::Severity;
use crate::db::Store;
use crate::render::spark::{self, Charset, StripWeek};
use crate::render::{self, views, words, OutputFormat, Terminal};
use crate::settings::Units;
use clap::Args;
use std::io::Write;

/// Where the knee stands today, on one screen.
///
/// Today's pain zone (green, amber, red) and why, the latest pain you logged, how the days ahead
/// are planned, your threshold estimates, the warnings that hold today (load, knee, records left
/// out as implausible), and the next session — the same one `kneeguard plan` shows for that day.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kneeguard status
  kneeguard status --units mi
  kneeguard status --format json | jq .next")]
pub struct StatusArgs {}

pub fn run(
    _args: &StatusArgs,
    ctx: &Context,
    store: &Store,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let (g, stored) = guidance::today(ctx, store)?;
    match ctx.format {
        OutputFormat::Json => render::json(out, &views::status(&g))?,
        OutputFormat::Csv => anyhow::bail!(
            "`status` has nested data that does not fit CSV: use --format json (or table)"
        ),
        OutputFormat::Table => write_text(out, &g, &ctx.term, ctx.settings.units, stored == 0)?,
    }
    Ok(super::exit::OK)
}

fn write_text(
    out: &mut dyn Write,
    g: &Guidance,
    term: &Terminal,
    units: Units,
    empty: bool,
) -> anyhow::Result<()> {
    let zone = match g.zone.data {
        crate::core::zone::PainData::None => "no pain logged yet".to_string(),
        crate::core::zone::PainData::Some => {
            term.zone(g.zone.zone, &g.zone.zone.as_str().to_uppercase())
        }
    };
    writeln!(out, "{}: knee zone {zone}", g.today.format("%A %d %B %Y"))?;
    for r in &g.zone.reasons {
        term.wrap(out, "  ", &words::zone_reason(r, units))?;
    }
    if let Some(p) = &g.zone.latest {
        term.wrap(
            out,
            "",
            &format!(
                "Latest pain: {}/10 {} on {}{}.",
                p.score,
                p.when.as_str(),
                p.date,
                if p.swelling { ", with swelling" } else { "" }
            ),
        )?;
    } else {
        term.wrap(
            out,
            "",
            "No pain logged yet: after each run, `kneeguard pain add SCORE --when after`.",
        )?;
    }
    term.wrap(out, "", &format!("Days ahead: {}.", words::mode(g)))?;
    if !empty {
        let weeks: Vec<StripWeek> = g
            .recent
            .iter()
            .map(|w| StripWeek {
                distance_m: w.distance_m,
                highest_pain: w.highest_pain,
            })
            .collect();
        writeln!(out)?;
        // Each line is a label, the picture (blanks are weeks without ratings) and a caption;
        // on a narrow terminal the caption goes under the picture.
        const LABEL: usize = 9;
        for line in spark::strip(&weeks, units, Charset::of(term)).lines() {
            if line.chars().count() <= term.width {
                writeln!(out, "{line}")?;
                continue;
            }
            let picture: String = line.chars().take(LABEL + weeks.len()).collect();
            let caption: String = line.chars().skip(LABEL + weeks.len()).collect();
            writeln!(out, "{}", picture.trim_end())?;
            term.wrap(out, &" ".repeat(LABEL), caption.trim())?;
        }
    }
    if empty {
        writeln!(out)?;
        term.wrap(
            out,
            "",
            "No activities yet: `kneeguard import PATH` (FIT, GPX, TCX, or a Strava/Garmin export).",
        )?;
    }
    write_thresholds(out, g, term, units)?;
    write_warnings(out, g, term, units)?;
    write_next(out, g, term, units)?;
    term.wrap(
        out,
        "",
        "The full plan: `kneeguard plan`. kneeguard is not medical advice.",
    )?;
    Ok(())
}

/// The next session still to do and, while it stands, the advice to see a professional.
pub fn write_next(
    out: &mut dyn Write,
    g: &Guidance,
    term: &Terminal,
    units: Units,
) -> anyhow::Result<()> {
    if let Some(next) = g.next_session() {
        let notes = words::day_notes(next, units);
        let text = format!(
            "{}{}",
            words::session(next, units),
            if notes.is_empty() {
                String::new()
            } else {
                format!(" ({notes})")
            }
        );
        writeln!(out)?;
        term.wrap(
            out,
            &format!("Next: {} — ", next.date.format("%a %d %b")),
            &text,
        )?;
    }
    if let Some(r) = &g.zone.referral {
        term.wrap(out, "", &words::referral(r.cause, r.weeks))?;
    }
    Ok(())
}

fn write_thresholds(
    out: &mut dyn Write,
    g: &Guidance,
    term: &Terminal,
    units: Units,
) -> anyhow::Result<()> {
    writeln!(out, "\nThresholds (where pain starts):")?;
    for (name, e) in names(g) {
        let brief = words::estimate_brief(e, units);
        // Without evidence the brief says why; a confidence would only repeat it. With too
        // little evidence for a confidence, it says so.
        let text = match e.confidence {
            Confidence::None if e.evidence.is_empty() => brief,
            c => format!("{brief} ({})", render::confidence(c)),
        };
        term.wrap(out, &format!("  {name:<19} "), &text)?;
    }
    Ok(())
}

/// The four estimates with their names.
pub fn names(g: &Guidance) -> [(&'static str, &Estimate); 4] {
    let t = &g.thresholds;
    [
        ("weekly distance", &t.weekly_distance_m),
        ("longest run", &t.longest_run_m),
        ("weekly descent", &t.weekly_descent_m),
        ("descent of one run", &t.run_descent_m),
    ]
}

fn write_warnings(
    out: &mut dyn Write,
    g: &Guidance,
    term: &Terminal,
    units: Units,
) -> anyhow::Result<()> {
    let serious: Vec<_> = g
        .warnings
        .iter()
        .filter(|w| w.severity >= Severity::Caution)
        .collect();
    if serious.is_empty() {
        writeln!(out, "\nWarnings today: none")?;
    } else {
        writeln!(out, "\nWarnings today:")?;
    }
    for w in &serious {
        term.wrap(
            out,
            &format!(
                "  {}",
                term.severity(
                    w.severity,
                    &format!("{:<8}", w.severity.as_str().to_uppercase())
                )
            ),
            &words::warning(w, units).message,
        )?;
    }
    if serious.len() < g.warnings.len() {
        writeln!(
            out,
            "  (and {} for information: `kneeguard check`)",
            g.warnings.len() - serious.len()
        )?;
    }
    Ok(())
}
