//! `kneeguard sync`: recent activities from Strava or intervals.icu.

use super::{exit, Context};
use crate::core::warnings::{warnings_for, Warning};
use crate::db::{ActivityFilter, Store};
use crate::render::{self, OutputFormat};
use crate::sync::{self, Progress, Source, SyncError, SyncReport, SyncRequest};
use anyhow::Context as _;
use chrono::NaiveDate;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use std::io::{IsTerminal, Write};

/// Fetch recent activities from Strava (or intervals.icu) into the database.
///
/// Starts a day before the newest activity synced last time (the first sync reaches back
/// `[sync] first_sync_days`), stores each activity in its own transaction and recognises runs
/// already imported from files. Runs of the last `[sync] stream_window_weeks` weeks get their
/// altitude streams and kneeguard's own descent; older runs get descent estimated from their
/// climb, and each sync then spends what Strava's rate limit leaves (keeping 10 requests of each
/// window for the next sync) on their streams, newest first, until every run's descent is
/// measured. For your full history, import the Strava bulk export instead.
///
/// Activities no runner can make (faster than the world record, a session of years, dated in
/// the future) are refused with the reason and not stored; the rest of the sync goes on.
///
/// At Strava's rate limit the sync stops before the limit, keeps everything synced so far and
/// says when to run again; `--wait` sleeps to the next window instead.
///
/// Exit status: 0 when everything was synced (a backfill that reached the limit and refused
/// records included); 1 when the sync, or `--backfill`, stopped early (rate limit, server
/// trouble: run it again later, nothing is lost); 2 on an error that needs you (authorization,
/// configuration).
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kneeguard auth strava                  connect once (see `kneeguard auth --help`)
  kneeguard sync                         new Strava activities since the last sync
  kneeguard sync --wait                  sleep through rate-limit windows and finish
  kneeguard sync --since 2026-09-01      start from a date
  kneeguard sync --backfill --wait       measure every older run's descent now
  KNEEGUARD_INTERVALS_API_KEY=... kneeguard sync --source intervals
  kneeguard sync --format json | jq '{new, requests, resume_after}'")]
pub struct SyncArgs {
    /// Where to fetch from
    #[arg(long, value_enum, default_value_t = Source::Strava)]
    pub source: Source,
    /// At a rate limit, sleep until the window resets and go on
    #[arg(long)]
    pub wait: bool,
    /// Fetch activities from this local date on, instead of from the last sync
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date)]
    pub since: Option<NaiveDate>,
    /// List nothing new: only fetch the streams of runs synced with an estimated descent,
    /// newest first, until the rate limit (Strava only: intervals.icu gives each descent)
    #[arg(long, conflicts_with = "since")]
    pub backfill: bool,
    /// No progress bar
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Serialize)]
struct Output<'a> {
    #[serde(flatten)]
    report: &'a SyncReport,
    warnings: &'a [Warning],
}

pub fn run(
    args: &SyncArgs,
    ctx: &Context,
    store: &mut Store,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let settings = &ctx.settings;
    let config = &settings.config;
    if args.backfill && args.source == Source::Intervals {
        anyhow::bail!(
            "intervals.icu gives each activity's descent (total_elevation_loss), so there is \
             nothing to backfill: `--backfill` is for runs synced from Strava"
        );
    }
    let request = SyncRequest {
        today: settings.today,
        tz: settings.tz,
        clock: sync::Clock::new(settings.wall_clock),
        wait: args.wait,
        since: args.since,
        backfill_only: args.backfill,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the network runtime")?;
    let bar = progress_bar(args.quiet);
    let mut on_progress = |p: Progress| match p {
        Progress::Listed(n) => bar.inc_length(n as u64),
        Progress::Done(name) => {
            bar.set_message(render::truncate(&name, 40));
            bar.inc(1);
        }
    };
    let result = match args.source {
        Source::Strava => {
            let token_path = config.strava_token_path().context(
                "cannot find a data directory for the Strava tokens: set [strava] token_file",
            )?;
            runtime.block_on(sync::sync_strava(
                store,
                config,
                &token_path,
                &request,
                &mut on_progress,
            ))
        }
        Source::Intervals => runtime.block_on(sync::sync_intervals(
            store,
            config,
            &request,
            &mut on_progress,
        )),
    };
    bar.finish_and_clear();
    let report = result?;
    let warnings = if report.new_ids.is_empty() {
        Vec::new()
    } else {
        let all = store.activities(&ActivityFilter::default())?;
        warnings_for(&all, &config.load, &report.new_ids)
    };
    match ctx.format {
        OutputFormat::Json => render::json(
            out,
            &Output {
                report: &report,
                warnings: &warnings,
            },
        )?,
        OutputFormat::Table | OutputFormat::Csv => write_text(out, ctx, &report, &warnings)?,
    }
    Ok(match &report.failure {
        None => exit::OK,
        Some(e) if e.is_transient() => {
            if matches!(ctx.format, OutputFormat::Json) {
                // The text summary says it on stdout; beside JSON it goes to stderr.
                eprintln!("{}", stop_line(ctx, &report, e));
            }
            exit::SOME_FAILED
        }
        Some(e) => {
            eprintln!("error: {e}");
            eprintln!(
                "  {} activities synced before the error are kept.",
                report.new + report.updated
            );
            exit::FATAL
        }
    })
}

/// "rate limit reached: 37 of 120 activities synced; run again after 10:45".
fn stop_line(ctx: &Context, report: &SyncReport, error: &SyncError) -> String {
    let done = report.new + report.updated + report.unchanged + report.duplicates;
    match error {
        SyncError::RateLimited {
            resume_after,
            daily,
        } => {
            let local = resume_after.with_timezone(&ctx.settings.tz);
            let when = if local.date_naive() == ctx.settings.wall_clock.with_timezone(&ctx.settings.tz).date_naive() {
                local.format("%H:%M").to_string()
            } else {
                local.format("%Y-%m-%d %H:%M").to_string()
            };
            let progress = if report.backfill_only {
                format!(
                    "{} of {} runs measured",
                    report.backfilled,
                    report.backfilled + report.backfill_remaining
                )
            } else {
                format!("{done} of {} listed activities synced", report.fetched)
            };
            format!(
                "rate limit reached{}: {progress}; run again after {when} (or use --wait)",
                if *daily { " for today" } else { "" },
            )
        }
        other => format!("sync stopped: {other}; {done} of {} listed activities synced, the rest follow on the next run", report.fetched),
    }
}

fn write_text(
    out: &mut dyn Write,
    ctx: &Context,
    r: &SyncReport,
    warnings: &[Warning],
) -> std::io::Result<()> {
    if !r.backfill_only {
        write_listing(out, r)?;
    }
    write_backfill(out, r)?;
    write_refusals(out, r)?;
    write_wellness(out, r)?;
    writeln!(
        out,
        "{} request{} ({} list, {} streams).",
        r.requests,
        render::plural(r.requests as usize),
        r.list_requests,
        r.streams_requests
    )?;
    if let Some(e) = &r.failure {
        if e.is_transient() {
            writeln!(out, "{}", stop_line(ctx, r, e))?;
        }
    }
    if !warnings.is_empty() {
        writeln!(out, "\nWarnings raised by the new activities:")?;
        render::warnings_at(out, &ctx.term, warnings, ctx.settings.units)?;
    }
    Ok(())
}

/// "activity" or "activities".
fn activities(n: usize) -> &'static str {
    if n == 1 {
        "activity"
    } else {
        "activities"
    }
}

/// One line about one activity: its local date, its label, and what is said of it.
fn write_item(
    out: &mut dyn Write,
    date: Option<NaiveDate>,
    label: &str,
    text: &str,
) -> std::io::Result<()> {
    let date = date.map_or("----------".to_string(), |d| d.to_string());
    writeln!(out, "  {date}  {label}: {text}")
}

/// What the list of new activities brought.
fn write_listing(out: &mut dyn Write, r: &SyncReport) -> std::io::Result<()> {
    let intervals = r.source == "intervals";
    let service = if intervals { "intervals.icu" } else { "Strava" };
    let mut parts = vec![format!("{} new", r.new)];
    if r.updated > 0 {
        parts.push(format!("{} updated", r.updated));
    }
    if r.unchanged > 0 {
        parts.push(format!("{} already synced", r.unchanged));
    }
    if r.duplicates > 0 {
        parts.push(format!(
            "{} already stored from files (linked)",
            r.duplicates
        ));
    }
    if r.refused > 0 {
        parts.push(format!("{} refused", r.refused));
    }
    writeln!(
        out,
        "{service}: {} {} listed: {}.",
        r.fetched,
        activities(r.fetched),
        parts.join(", ")
    )?;
    if r.streams_fetched > 0 {
        if let Some(from) = r.stream_window_start {
            writeln!(
                out,
                "Descent computed from altitude streams for {} run{} since {from}.",
                r.streams_fetched,
                render::plural(r.streams_fetched)
            )?;
        }
    }
    let n = r.descent_estimated;
    if n > 0 && intervals {
        writeln!(
            out,
            "{n} {} came without a descent (total_elevation_loss): estimated from the climb.",
            activities(n)
        )?;
    } else if n > 0 {
        writeln!(
            out,
            "{n} new {} {} descent estimated from the climb (a loop descends what it \
             climbs) until the backfill measures it from the streams; the Strava bulk export \
             measures every run at once: `kneeguard import export.zip`.",
            activities(n),
            if n == 1 { "has its" } else { "have their" }
        )?;
    }
    if r.stubs_skipped > 0 {
        let one = r.stubs_skipped == 1;
        writeln!(
            out,
            "{} Strava activit{} only stub{} on intervals.icu: `kneeguard sync` fetches {} from \
             Strava.",
            r.stubs_skipped,
            if one { "y is" } else { "ies are" },
            if one { "" } else { "s" },
            if one { "it" } else { "them" }
        )?;
    }
    Ok(())
}

/// What the backfill measured, what is left, and the runs whose descent stays estimated.
fn write_backfill(out: &mut dyn Write, r: &SyncReport) -> std::io::Result<()> {
    if r.source == "intervals" {
        return Ok(());
    }
    let (done, left) = (r.backfilled, r.backfill_remaining);
    if done > 0 || left > 0 || r.backfill_only {
        let measured = format!(
            "Backfill: descent measured from altitude streams for {done} run{} synced with an \
             estimate",
            render::plural(done)
        );
        if left == 0 {
            writeln!(out, "{measured}; no run waits for its streams.")?;
        } else if r.backfill_only {
            writeln!(out, "{measured}; {left} still estimated.")?;
        } else {
            writeln!(
                out,
                "{measured}; {left} still estimated: later syncs measure more as Strava's rate \
                 limit allows (`kneeguard sync --backfill --wait` measures them all now)."
            )?;
        }
    }
    if let Some(why) = &r.backfill_stopped {
        writeln!(
            out,
            "The backfill stopped early ({why}); the next sync goes on."
        )?;
    }
    if !r.descent_notes.is_empty() {
        writeln!(
            out,
            "Descent stays estimated (`~` in `kneeguard activities`) for {} run{}, not asked for again:",
            r.descent_notes.len(),
            render::plural(r.descent_notes.len())
        )?;
        for n in &r.descent_notes {
            let label = label(n.name.as_deref(), &n.external_id);
            write_item(out, n.date, &label, n.note)?;
        }
    }
    Ok(())
}

/// The activities refused as impossible, each with its reason.
fn write_refusals(out: &mut dyn Write, r: &SyncReport) -> std::io::Result<()> {
    if r.refusals.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "Refused {} {} that no runner can make (nothing stored for {}):",
        r.refusals.len(),
        activities(r.refusals.len()),
        if r.refusals.len() == 1 { "it" } else { "them" }
    )?;
    for f in &r.refusals {
        let kept = f.kept_id.map_or(String::new(), |id| {
            format!(" (activity {id} kept as it was)")
        });
        let label = format!("{}{kept}", label(f.name.as_deref(), &f.external_id));
        write_item(out, f.date, &label, &f.reason)?;
    }
    Ok(())
}

/// `"Morning Run" (strava:123)`, with control characters escaped.
fn label(name: Option<&str>, external_id: &str) -> String {
    match name {
        Some(name) => format!(
            "\"{}\" ({external_id})",
            render::printable(&render::truncate(name, 40))
        ),
        None => external_id.to_string(),
    }
}

fn write_wellness(out: &mut dyn Write, r: &SyncReport) -> std::io::Result<()> {
    if r.wellness.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\nintervals.icu wellness (shown only; kneeguard's pain log is separate):"
    )?;
    for d in &r.wellness {
        let mut bits = Vec::new();
        if let Some(s) = d.soreness {
            bits.push(format!("soreness {s}"));
        }
        if let Some(i) = d.injury {
            bits.push(format!("injury {i}"));
        }
        if let Some(c) = &d.comments {
            bits.push(format!("\"{}\"", render::printable(c)));
        }
        writeln!(out, "  {}  {}", d.date, bits.join(", "))?;
    }
    Ok(())
}

fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} activities  {elapsed}  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
