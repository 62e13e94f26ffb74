//! `kneeguard import`: files, folders, `.gz` and `.zip` (Strava and Garmin exports).

use super::{exit, Context};
use crate::core::warnings::{spike_context, warnings_for, Warning};
use crate::db::{ActivityFilter, Store};
use crate::import::{pipeline, sources, ImportOutcome, Importer};
use crate::render::{self, count, printable, OutputFormat};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// Import activity files into the database.
///
/// Takes FIT, GPX and TCX files (also gzipped), folders (searched recursively) and zip
/// archives, including a Strava bulk export (Settings → My Account → Download your data) and a
/// Garmin export (its nested UploadedFiles zips). Each file is stored in its own transaction:
/// stopping midway loses nothing, and running the same import again completes the rest. The
/// same file twice, or the same run from two sources, is stored once.
///
/// Exit status: 0 when every input was imported, skipped or already known; 1 when some inputs
/// failed (the others were still imported); 2 on a usage or fatal error.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kneeguard import morning-run.fit
  kneeguard import ~/Garmin/Activities/ ~/Downloads/*.gpx
  kneeguard import export_12345.zip                 a Strava bulk export
  kneeguard import --format json runs/ | jq .imported")]
pub struct ImportArgs {
    /// Files, folders or zip archives to import
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// No progress bar
    #[arg(long, short)]
    pub quiet: bool,
}

/// One input and what became of it.
#[derive(Debug, Serialize)]
struct InputReport {
    input: String,
    #[serde(flatten)]
    outcome: ImportOutcome,
}

/// The summary of an import, as printed with `--format json`.
#[derive(Debug, Default, Serialize)]
struct Summary {
    inputs: usize,
    imported: usize,
    activities: Vec<i64>,
    duplicates: usize,
    already_imported: usize,
    skipped: usize,
    failed: usize,
    files: Vec<InputReport>,
    /// The load warnings the new activities raise (spikes against the spike window before them).
    warnings: Vec<Warning>,
}

pub fn run(
    args: &ImportArgs,
    ctx: &Context,
    store: &mut Store,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let progress = progress_bar(args.quiet);
    let config = &ctx.settings.config;
    let mut importer = Importer::new(store, config, ctx.settings.tz, ctx.settings.today);
    let mut summary = Summary::default();
    let max_bytes = config.import.max_file_mb.saturating_mul(1_000_000);
    // Reading and measuring files runs on every core; storing stays in input order.
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let result = pipeline::run(
        &mut importer,
        workers,
        |sink| {
            sources::read_all(
                &args.paths,
                max_bytes,
                &mut |more| progress.inc_length(more),
                sink,
            )
        },
        |label, outcome| {
            progress.set_message(progress_message(&label));
            progress.inc(1);
            summary.add(label, outcome);
        },
    );
    progress.finish_and_clear();
    if let Err(e) = result {
        // Everything before the failing file is stored; say so with the error.
        return Err(anyhow::Error::new(e).context(format!(
            "import stopped after {} of the inputs; what was imported before is kept",
            summary.inputs
        )));
    }
    // The new runs are judged against the days before them, not the whole history.
    if let Some((first, last)) = store.local_day_span(&summary.activities)? {
        let (since, until) = spike_context(first, last, &config.load);
        let context = store.activities(&ActivityFilter {
            since: Some(since),
            until: Some(until),
        })?;
        summary.warnings = warnings_for(&context, &config.load, &summary.activities);
        if !summary.warnings.is_empty() {
            // What `check` says of the same runs: the advice of recent ones within the plan.
            let (today, _) = super::guidance::today(ctx, store)?;
            today.hold_to_plan(&mut summary.warnings);
        }
    }
    match ctx.format {
        OutputFormat::Json => render::json(out, &summary)?,
        OutputFormat::Csv => render::csv(out, &csv_rows(&summary))?,
        OutputFormat::Table => write_text(out, &summary, &ctx.term, ctx.settings.units)?,
    }
    Ok(if summary.failed > 0 {
        exit::SOME_FAILED
    } else {
        exit::OK
    })
}

impl Summary {
    fn add(&mut self, input: String, outcome: ImportOutcome) {
        self.inputs += 1;
        match &outcome {
            ImportOutcome::Imported { ids, .. } => {
                self.imported += 1;
                self.activities.extend(ids);
            }
            ImportOutcome::Duplicate { .. } => self.duplicates += 1,
            ImportOutcome::AlreadyImported { .. } => self.already_imported += 1,
            ImportOutcome::Skipped { .. } => self.skipped += 1,
            ImportOutcome::Failed { .. } => self.failed += 1,
        }
        self.files.push(InputReport { input, outcome });
    }
}

#[derive(Serialize)]
struct CsvRow {
    input: String,
    outcome: &'static str,
    activity_ids: String,
    detail: String,
}

/// One row per input; names and messages with control characters made visible, as on the
/// terminal.
fn csv_rows(summary: &Summary) -> Vec<CsvRow> {
    let ids = |v: &[i64]| {
        v.iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    summary
        .files
        .iter()
        .map(|f| {
            let (outcome, activity_ids, detail) = match &f.outcome {
                ImportOutcome::Imported {
                    ids: i, remarks, ..
                } => ("imported", ids(i), remarks.join("; ")),
                ImportOutcome::Duplicate { duplicate_of } => {
                    ("duplicate", ids(duplicate_of), String::new())
                }
                ImportOutcome::AlreadyImported {
                    activity_id,
                    first_path,
                } => (
                    "already_imported",
                    activity_id.map(|i| i.to_string()).unwrap_or_default(),
                    first_path.clone(),
                ),
                ImportOutcome::Skipped { reason } => ("skipped", String::new(), reason.clone()),
                ImportOutcome::Failed { error } => ("failed", String::new(), error.clone()),
            };
            CsvRow {
                input: printable(&f.input).into_owned(),
                outcome,
                activity_ids,
                detail: printable(&detail).into_owned(),
            }
        })
        .collect()
}

/// "1 duplicate", "2 duplicates".
fn write_text(
    out: &mut dyn Write,
    s: &Summary,
    term: &crate::render::Terminal,
    units: crate::settings::Units,
) -> std::io::Result<()> {
    if s.inputs == 0 {
        writeln!(
            out,
            "No activity files found (kneeguard reads .fit, .gpx, .tcx, their .gz, and .zip)."
        )?;
        return Ok(());
    }
    // Small imports list every file; large ones only what needs attention.
    let every_file = s.inputs <= 20;
    for f in &s.files {
        let input = printable(&f.input);
        match &f.outcome {
            ImportOutcome::Imported {
                ids,
                duplicate_of,
                remarks,
            } if every_file || !remarks.is_empty() || !duplicate_of.is_empty() => {
                let ids: Vec<String> = ids.iter().map(|i| format!("#{i}")).collect();
                writeln!(out, "imported   {input}  → {}", ids.join(", "))?;
                for d in duplicate_of {
                    writeln!(out, "           one session is already stored as #{d}")?;
                }
                for r in remarks {
                    writeln!(out, "           note: {}", printable(r))?;
                }
            }
            ImportOutcome::Duplicate { duplicate_of } => {
                let ids: Vec<String> = duplicate_of.iter().map(|i| format!("#{i}")).collect();
                writeln!(
                    out,
                    "duplicate  {input}  the same activity is already stored as {}; nothing \
                     imported from this file",
                    ids.join(", ")
                )?;
            }
            ImportOutcome::Imported { .. } | ImportOutcome::AlreadyImported { .. } => {}
            ImportOutcome::Skipped { reason } => {
                writeln!(out, "skipped    {input}  {}", printable(reason))?;
            }
            ImportOutcome::Failed { error } => {
                writeln!(out, "FAILED     {input}  {}", printable(error))?;
            }
        }
    }
    let mut parts = vec![count(s.activities.len(), "new activity", "new activities")];
    if s.already_imported > 0 {
        parts.push(format!("{} already imported", s.already_imported));
    }
    if s.duplicates > 0 {
        parts.push(format!(
            "{} of stored activities",
            count(s.duplicates, "duplicate", "duplicates")
        ));
    }
    if s.skipped > 0 {
        parts.push(format!("{} skipped (not activities)", s.skipped));
    }
    if s.failed > 0 {
        parts.push(format!("{} failed", s.failed));
    }
    writeln!(
        out,
        "\n{}: {}.",
        count(s.inputs, "input", "inputs"),
        parts.join(", ")
    )?;
    if s.failed > 0 {
        term.wrap(
            out,
            "",
            "The failed inputs stored nothing; the others are imported. Fix or re-export them \
             and run the import again.",
        )?;
    }
    if !s.warnings.is_empty() {
        writeln!(out, "\nWarnings raised by the new activities:")?;
        render::warnings_at(out, term, &s.warnings, units)?;
    }
    Ok(())
}

/// Characters of the current file's name on the progress line, shortened in the middle: with
/// the bar and the counts the line fits a 60-column terminal.
const PROGRESS_NAME: usize = 26;

fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    // The total grows as folders are walked and archives opened.
    styled(ProgressBar::with_draw_target(
        Some(0),
        ProgressDrawTarget::stderr(),
    ))
}

fn styled(bar: ProgressBar) -> ProgressBar {
    bar.set_style(
        ProgressStyle::with_template("{bar:16} {pos}/{len}  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// The current input as the progress line shows it.
fn progress_message(label: &str) -> String {
    render::shorten_middle(&printable(label), PROGRESS_NAME)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A terminal wider than needed that keeps every line drawn on it.
    #[derive(Debug, Default, Clone)]
    struct Screen(Arc<Mutex<Vec<String>>>);

    impl indicatif::TermLike for Screen {
        fn width(&self) -> u16 {
            200
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.write_str(s)
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            if !s.is_empty() {
                self.0.lock().unwrap().push(s.to_string());
            }
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_progress_line_fits_sixty_columns_with_any_name() {
        let screen = Screen::default();
        let bar = styled(ProgressBar::with_draw_target(
            Some(0),
            ProgressDrawTarget::term_like(Box::new(screen.clone())),
        ));
        bar.inc_length(1_000_000);
        let name = "/home/runner/Downloads/export_12345678.zip:export_12345678/activities/\
                    1234567890123.fit.gz\u{1b}[2J\n";
        bar.set_message(progress_message(name));
        bar.set_position(999_999);
        bar.tick();
        let lines = screen.0.lock().unwrap().clone();
        assert!(!lines.is_empty());
        // indicatif pads a line with spaces to clear what was there before.
        let lines: Vec<&str> = lines
            .iter()
            .map(|l| l.trim_end())
            .filter(|l| !l.is_empty())
            .collect();
        assert!(!lines.is_empty());
        for line in &lines {
            assert!(
                line.chars().count() <= 60,
                "{} columns: {line:?}",
                line.chars().count()
            );
            assert!(!line.chars().any(char::is_control), "{line:?}");
        }
        let last = lines.last().unwrap();
        assert!(last.contains("999999/1000000  /home/runner…gz"), "{last}");
        assert!(last.ends_with(r"2J\n"), "{last}");
    }
}
