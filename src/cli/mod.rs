//! The command line: global options, settings resolved once, one module per subcommand.
//!
//! This is the only layer that reads the clock, the environment and the terminal; it opens the
//! database once and hands it, with the settings, to the subcommand's `run`.

mod activities;
mod add;
mod auth;
mod check;
mod config;
mod demo;
mod import;
mod pain;
mod plan;
mod report;
mod status;
mod sync;
mod weeks;

use crate::db::Store;
use crate::render::OutputFormat;
use crate::settings::{self, Config, Settings, Units};
use anyhow::Context as _;
use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use clap::{Args, CommandFactory, Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit codes, documented in the README.
pub mod exit {
    /// Everything worked.
    pub const OK: u8 = 0;
    /// Some inputs failed; the others were imported.
    pub const SOME_FAILED: u8 = 1;
    /// A usage error or a fatal error (bad flag, unreadable database).
    pub const FATAL: u8 = 2;
    /// `check --fail-on` found a warning at that severity.
    pub const WARNING: u8 = 3;
}

const EXAMPLES: &str = "\
Examples:
  kneeguard demo                                   see it work on a bundled history
  kneeguard import ~/Downloads/export_12345.zip    import a Strava or Garmin export
  kneeguard import runs/ morning.fit               files and folders, recursively
  kneeguard activities --since 2026-10-01          list what is stored
  kneeguard weeks                                  weekly mileage, descent, ramps
  kneeguard check                                  spikes and what to do about them
  kneeguard pain add 3 --when after                log knee pain (0-10)
  kneeguard plan                                   next week, below your pain threshold
  kneeguard status                                 today's zone, thresholds and next step
  kneeguard report --open                          the knee's story in charts (HTML)
  kneeguard add run --km 8 --minutes 46 --descent 40
  kneeguard add cross --kind elliptical --minutes 40
  kneeguard auth strava && kneeguard sync          recent runs from Strava

Not medical advice: see a physiotherapist or sports doctor when the knee swells or does not
improve.";

/// Keep running below your knee's pain threshold.
///
/// kneeguard imports your runs (FIT, GPX, TCX, Strava and Garmin exports, or a sync from
/// Strava and intervals.icu) into a local database, computes weekly mileage, ramps, single-run
/// spikes and elevation descent — the load that hurts a patellofemoral ("runner's") knee —
/// learns from the knee pain you log which load your knee tolerates, and plans next week
/// below it.
#[derive(Debug, Parser)]
#[command(name = "kneeguard", version, after_help = EXAMPLES, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The database file [default: ~/.local/share/kneeguard/kneeguard.sqlite]
    #[arg(long, global = true, env = "KNEEGUARD_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The config file [default: ~/.config/kneeguard/config.toml]
    #[arg(long, global = true, env = "KNEEGUARD_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Treat this date as today (reproducible output)
    #[arg(long, global = true, env = "KNEEGUARD_TODAY", value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub today: Option<NaiveDate>,
    /// Output format
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Display units (stored data is always metric) [default: km, or the config's]
    #[arg(long, global = true, value_enum)]
    pub units: Option<Units>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Demo(demo::DemoArgs),
    Import(import::ImportArgs),
    Activities(activities::ActivitiesArgs),
    Add(add::AddArgs),
    Weeks(weeks::WeeksArgs),
    Check(check::CheckArgs),
    Pain(pain::PainArgs),
    Plan(plan::PlanArgs),
    Status(status::StatusArgs),
    Report(report::ReportArgs),
    Config(config::ConfigArgs),
    Auth(auth::AuthArgs),
    Sync(sync::SyncArgs),
}

/// What every subcommand receives.
pub struct Context {
    pub settings: Settings,
    pub format: OutputFormat,
}

/// Parses a `YYYY-MM-DD` date.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{text:?} is not a date: use YYYY-MM-DD, e.g. 2026-11-22"))
}

/// Parses an `HH:MM` time.
pub fn parse_time(text: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M")
        .map_err(|_| format!("{text:?} is not a time: use HH:MM (24 h), e.g. 07:30"))
}

/// Runs kneeguard with the process's arguments and returns its exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut stdout = std::io::stdout().lock();
    let code = match run(cli, &mut stdout) {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => exit::OK,
        Err(e) => {
            let _ = stdout.flush();
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            exit::FATAL
        }
    };
    ExitCode::from(code)
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Resolves the settings, opens the database and runs the command.
pub fn run(cli: Cli, out: &mut dyn Write) -> anyhow::Result<u8> {
    let settings = resolve_settings(&cli.global)?;
    let ctx = Context {
        settings,
        format: cli.global.format,
    };
    // Commands that do not open the database.
    match &cli.command {
        Command::Config(args) => return config::run(args, &ctx, &cli.global, out),
        Command::Demo(args) => return demo::run(args, &ctx, out),
        Command::Auth(args) => return auth::run(args, &ctx, out),
        _ => {}
    }
    let mut store = Store::open(&ctx.settings.db_path)?;
    match cli.command {
        Command::Import(args) => import::run(&args, &ctx, &mut store, out),
        Command::Activities(args) => activities::run(&args, &ctx, &store, out),
        Command::Add(args) => add::run(&args, &ctx, &mut store, out),
        Command::Weeks(args) => weeks::run(&args, &ctx, &store, out),
        Command::Check(args) => check::run(&args, &ctx, &store, out),
        Command::Pain(args) => pain::run(&args, &ctx, &mut store, out),
        Command::Plan(args) => plan::run(&args, &ctx, &store, out),
        Command::Status(args) => status::run(&args, &ctx, &store, out),
        Command::Report(args) => report::run(&args, &ctx, &store, out),
        Command::Sync(args) => sync::run(&args, &ctx, &mut store, out),
        Command::Config(_) | Command::Demo(_) | Command::Auth(_) => unreachable!("handled above"),
    }
}

fn resolve_settings(global: &GlobalArgs) -> anyhow::Result<Settings> {
    let (config_path, must_exist) = match &global.config {
        Some(p) => (Some(p.clone()), true),
        None => (settings::default_config_path(), false),
    };
    let mut config = match &config_path {
        Some(p) => Config::load(p, must_exist)?,
        None => Config::default(),
    };
    config.apply_env(|name| std::env::var(name).ok());
    let wall_clock = Utc::now();
    let tz = config.time_zone()?;
    let db_path = match global
        .db
        .clone()
        .or_else(|| config.general.database.clone())
    {
        Some(p) => p,
        None => settings::data_dir()
            .context("cannot find a data directory for the database: give --db PATH")?
            .join("kneeguard.sqlite"),
    };
    let (today, now) = match global.today {
        Some(day) => {
            // A fixed "today" makes every command reproducible; "now" is its local noon.
            let noon = day.and_hms_opt(12, 0, 0).expect("noon exists");
            let now = tz
                .from_local_datetime(&noon)
                .earliest()
                .map_or_else(|| noon.and_utc(), |t| t.with_timezone(&Utc));
            (day, now)
        }
        None => (wall_clock.with_timezone(&tz).date_naive(), wall_clock),
    };
    Ok(Settings {
        db_path,
        units: global.units.or(config.general.units).unwrap_or_default(),
        config,
        tz,
        today,
        now,
        wall_clock,
    })
}

/// The terminal's charset for bars and sparklines, from the locale (`LC_ALL`, `LC_CTYPE`,
/// `LANG`): Unicode blocks on a UTF-8 terminal, ASCII elsewhere.
pub(crate) fn charset() -> crate::render::spark::Charset {
    let var = |name: &str| std::env::var(name).ok();
    crate::render::spark::Charset::from_locale(
        var("LC_ALL").as_deref(),
        var("LC_CTYPE").as_deref(),
        var("LANG").as_deref(),
    )
}

/// Checks the clap definition (used by the tests).
pub fn debug_assert_cli() {
    Cli::command().debug_assert();
}
