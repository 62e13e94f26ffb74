//! `kneeguard report`: the knee's story in charts, as one self-contained HTML file.

use super::Context;
use crate::db::Store;
use crate::render::{self, OutputFormat};
use crate::report;
use clap::Args;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Write the knee's story as one HTML page of charts.
///
/// Weekly running distance and descent against your thresholds, every pain rating with the
/// green / amber / red zones, each run against the longest run of the spike window before it
/// (30 days unless [load] spike_window_days says otherwise), your pain against your load (the
/// threshold made visible, per week and per run), the ACWR as context, and today's zone,
/// thresholds, warnings and plan.
///
/// The page is one self-contained file: no script, no web font, nothing fetched from the
/// network. It works offline, attached to an email to a physiotherapist, or printed to PDF.
/// Units follow --units; dates are local. `--format json` prints the data behind the charts
/// instead of writing the page.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kneeguard report                          write kneeguard-report.html here
  kneeguard report --open                   and open it in the browser
  kneeguard report --weeks 52 -o ~/knee.html --units mi
  kneeguard report --format json | jq '.weeks[-1].highest_pain'")]
pub struct ReportArgs {
    /// How many weeks to chart, ending with the current one (never before your first record)
    #[arg(long, default_value_t = report::DEFAULT_WEEKS as u32,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub weeks: u32,
    /// The file to write
    #[arg(
        short,
        long,
        value_name = "FILE",
        default_value = "kneeguard-report.html"
    )]
    pub output: PathBuf,
    /// Open the report in the system's browser (xdg-open, or open on macOS) when written
    #[arg(long)]
    pub open: bool,
}

pub fn run(
    args: &ReportArgs,
    ctx: &Context,
    store: &Store,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let weeks = args.weeks as usize;
    match ctx.format {
        OutputFormat::Json => {
            let data = report::load(store, &ctx.settings, weeks)?;
            render::json(out, &data)?;
        }
        OutputFormat::Csv => anyhow::bail!(
            "`report` has nested data that does not fit CSV: use --format json, or the HTML page"
        ),
        OutputFormat::Table => {
            let written = report::write(store, &ctx.settings, weeks, &args.output)?;
            writeln!(
                out,
                "Report written to {} ({} week{}, {} run{}, {} pain rating{}; {} KB).",
                args.output.display(),
                written.weeks,
                render::plural(written.weeks),
                written.runs,
                render::plural(written.runs),
                written.ratings,
                render::plural(written.ratings),
                written.bytes.div_ceil(1024)
            )?;
            if args.open {
                open_in_browser(&args.output);
            }
        }
    }
    Ok(super::exit::OK)
}

/// Hands the file to the system's opener; where there is none, quietly does nothing.
fn open_in_browser(path: &Path) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let _ = std::process::Command::new(opener)
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}
