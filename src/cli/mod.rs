//! The command line: global options, settings resolved once, one module per subcommand.
//!
//! This is the only layer that reads the clock, the environment and the terminal; it opens the
//! database once and hands it, with the settings, to the subcommand's `run`.

mod activities;
mod add;
mod auth;
mod backup;
mod check;
mod completions;
mod config;
mod demo;
mod export;
mod guidance;
mod import;
mod man;
mod pain;
mod plan;
mod report;
mod status;
mod sync;
mod weeks;

use crate::db::{Access, DbError, Store};
use crate::render::{term, OutputFormat, Terminal};
use crate::settings::{self, Config, Settings, Units};
use anyhow::Context as _;
use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
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
#[command(
    name = "kneeguard",
    version = env!("KNEEGUARD_VERSION"),
    after_help = EXAMPLES,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The heading of the options every command takes, in every command's help.
const GLOBAL: &str = "Global options";

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The database file [default: ~/.local/share/kneeguard/kneeguard.sqlite]
    #[arg(long, global = true, env = "KNEEGUARD_DB", value_name = "PATH", help_heading = GLOBAL)]
    pub db: Option<PathBuf>,
    /// The config file [default: ~/.config/kneeguard/config.toml]
    #[arg(long, global = true, env = "KNEEGUARD_CONFIG", value_name = "PATH", help_heading = GLOBAL)]
    pub config: Option<PathBuf>,
    /// Treat this date as today (reproducible output)
    #[arg(long, global = true, env = "KNEEGUARD_TODAY", value_name = "YYYY-MM-DD", value_parser = parse_date, help_heading = GLOBAL)]
    pub today: Option<NaiveDate>,
    /// Output format
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Table, help_heading = GLOBAL)]
    pub format: OutputFormat,
    /// Display units (stored data is always metric) [default: km, or the config's]
    #[arg(long, global = true, value_enum, help_heading = GLOBAL)]
    pub units: Option<Units>,
    /// When to colour the output; auto: on a terminal, unless NO_COLOR is set
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN", help_heading = GLOBAL)]
    pub color: ColorChoice,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
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
    Export(export::ExportArgs),
    Backup(backup::BackupArgs),
    Report(report::ReportArgs),
    Config(config::ConfigArgs),
    Auth(auth::AuthArgs),
    Sync(sync::SyncArgs),
    Completions(completions::CompletionsArgs),
    Man(man::ManArgs),
}

/// What every subcommand receives.
pub struct Context {
    pub settings: Settings,
    pub format: OutputFormat,
    /// The terminal the output goes to: its width, colour and character set.
    pub term: Terminal,
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

/// The dates from `--since` to `--until`, refused when they leave nothing between them.
pub fn date_range(
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
) -> anyhow::Result<crate::db::ActivityFilter> {
    if let (Some(since), Some(until)) = (since, until) {
        anyhow::ensure!(
            since <= until,
            "--since {since} is after --until {until}: nothing can match; swap the two dates"
        );
    }
    Ok(crate::db::ActivityFilter { since, until })
}

/// Runs kneeguard with the process's arguments and returns its exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let term = terminal(cli.global.color, |name| std::env::var_os(name));
    let mut stdout = std::io::stdout().lock();
    let code = match run(cli, term, &mut stdout) {
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

/// The terminal description, from stdout and the environment (`var` looks a variable up):
/// the width from `COLUMNS` or the terminal (80 when neither says), colour by `--color` and
/// `NO_COLOR` (never when piped, unless `always`), UTF-8 from the locale.
pub fn terminal(color: ColorChoice, var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Terminal {
    let stdout_is_terminal = std::io::stdout().is_terminal();
    let text = |name: &str| var(name).map(|v| v.to_string_lossy().into_owned());
    let width = text("COLUMNS")
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|w| *w > 0)
        .or_else(|| {
            stdout_is_terminal
                .then(terminal_size::terminal_size)
                .flatten()
                .map(|(w, _)| usize::from(w.0))
        })
        .unwrap_or(term::DEFAULT_WIDTH);
    let no_color = text("NO_COLOR").is_some_and(|v| !v.is_empty());
    let dumb = text("TERM").as_deref() == Some("dumb");
    let color = match color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => stdout_is_terminal && !no_color && !dumb,
    };
    // The first of LC_ALL, LC_CTYPE and LANG that is set names the character set; none set is
    // taken as UTF-8, what every current system uses.
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|n| text(n).filter(|v| !v.is_empty()));
    let unicode = locale.is_none_or(|l| {
        let l = l.to_ascii_lowercase();
        l.contains("utf-8") || l.contains("utf8")
    });
    Terminal {
        width: width.max(term::MIN_WIDTH),
        color,
        unicode,
    }
}

/// Resolves the settings, opens the database and runs the command.
pub fn run(cli: Cli, term: Terminal, out: &mut dyn Write) -> anyhow::Result<u8> {
    // Commands that need neither settings nor database.
    let command = match cli.command {
        None => return overview(&term, out),
        Some(Command::Completions(args)) => return completions::run(&args, out),
        Some(Command::Man(args)) => return man::run(&args, out),
        Some(Command::Config(config::ConfigArgs {
            what: Some(config::ConfigWhat::Init { force }),
        })) => {
            config::init(&cli.global, force, &term, out)?;
            return Ok(exit::OK);
        }
        // The defaults are the remedy a broken config file's error points to: they must not
        // need that file.
        Some(Command::Config(config::ConfigArgs {
            what: Some(config::ConfigWhat::Defaults),
        })) => {
            write!(out, "{}", crate::settings::DEFAULT_CONFIG)?;
            return Ok(exit::OK);
        }
        // The demo is the same for every runner and reads no config file.
        Some(Command::Demo(args)) => {
            let units = cli.global.units.unwrap_or_default();
            return demo::run(&args, units, cli.global.format, term, wall_clock(), out);
        }
        Some(command) => command,
    };
    let (settings, default_db) = resolve_settings(&cli.global)?;
    let ctx = Context {
        settings,
        format: cli.global.format,
        term,
    };
    // Commands that do not open the database.
    match &command {
        Command::Config(args) => return config::run(args, &ctx, &cli.global, out),
        Command::Auth(args) => return auth::run(args, &ctx, out),
        _ => {}
    }
    let path = &ctx.settings.db_path;
    let access = if writes(&command) {
        Access::Write {
            create_dirs: default_db,
        }
    } else {
        Access::Read
    };
    let mut store = Store::open_with(path, access)?;
    let result = match command {
        Command::Import(args) => import::run(&args, &ctx, &mut store, out),
        Command::Activities(args) => activities::run(&args, &ctx, &mut store, out),
        Command::Add(args) => add::run(&args, &ctx, &mut store, out),
        Command::Weeks(args) => weeks::run(&args, &ctx, &store, out),
        Command::Check(args) => check::run(&args, &ctx, &store, out),
        Command::Pain(args) => pain::run(&args, &ctx, &mut store, out),
        Command::Plan(args) => plan::run(&args, &ctx, &store, out),
        Command::Status(args) => status::run(&args, &ctx, &store, out),
        Command::Export(args) => export::run(&args, &ctx, &store, out),
        Command::Backup(args) => backup::run(&args, &ctx, &store, out),
        Command::Report(args) => report::run(&args, &ctx, &store, out),
        Command::Sync(args) => sync::run(&args, &ctx, &mut store, out),
        Command::Config(_)
        | Command::Demo(_)
        | Command::Auth(_)
        | Command::Completions(_)
        | Command::Man(_) => unreachable!("handled above"),
    };
    result.map_err(|e| name_database(e, path))
}

/// Whether a command writes to the database (and so may create it).
fn writes(command: &Command) -> bool {
    match command {
        Command::Import(_) | Command::Add(_) | Command::Sync(_) => true,
        Command::Activities(args) => args.writes(),
        Command::Pain(args) => args.writes(),
        _ => false,
    }
}

/// A bare SQL error names the database and the way out.
fn name_database(e: anyhow::Error, path: &std::path::Path) -> anyhow::Error {
    let bare = e
        .chain()
        .any(|c| matches!(c.downcast_ref::<DbError>(), Some(DbError::Sql(_))));
    if bare {
        e.context(format!(
            "the database {} failed: check that its folder is writable and the disk has room; \
             `kneeguard backup FILE` copies what it holds",
            path.display()
        ))
    } else {
        e
    }
}

/// What a bare `kneeguard` prints: what it is, the commands, where to start.
fn overview(term: &Terminal, out: &mut dyn Write) -> anyhow::Result<u8> {
    let mut cmd = Cli::command();
    let about = cmd.get_about().map(|a| a.to_string()).unwrap_or_default();
    term.wrap(
        out,
        "",
        &format!("kneeguard {}: {about}.", env!("KNEEGUARD_VERSION")),
    )?;
    writeln!(out, "\nUsage: kneeguard <COMMAND> [OPTIONS]\n\nCommands:")?;
    cmd.build();
    let commands: Vec<(String, String)> = cmd
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| {
            let about = c.get_about().map(|a| a.to_string()).unwrap_or_default();
            (c.get_name().to_string(), about)
        })
        .collect();
    let name_width = commands.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    for (name, about) in commands {
        term.wrap(out, &format!("  {name:<name_width$}  "), &about)?;
    }
    writeln!(out)?;
    term.wrap(
        out,
        "",
        "Start with `kneeguard demo`, then `kneeguard import PATH`. `kneeguard --help` shows \
         examples; `kneeguard COMMAND --help` explains a command.",
    )?;
    Ok(exit::OK)
}

/// The real time now: the one place kneeguard reads the clock.
fn wall_clock() -> chrono::DateTime<Utc> {
    #[allow(
        clippy::disallowed_methods,
        reason = "the entry point is where kneeguard reads the clock"
    )]
    Utc::now()
}

/// The settings, and whether the database is at its default location (the only place whose
/// folders kneeguard creates).
fn resolve_settings(global: &GlobalArgs) -> anyhow::Result<(Settings, bool)> {
    let (config_path, must_exist) = match &global.config {
        Some(p) => (Some(p.clone()), true),
        None => (settings::default_config_path(), false),
    };
    let mut config = match &config_path {
        Some(p) => Config::load(p, must_exist)?,
        None => Config::default(),
    };
    config.apply_env(|name| std::env::var(name).ok());
    let wall_clock = wall_clock();
    let tz = config.time_zone()?;
    let (db_path, default_db) = match global
        .db
        .clone()
        .or_else(|| config.general.database.clone())
    {
        Some(p) => (p, false),
        None => (
            settings::data_dir()
                .context("cannot find a data directory for the database: give --db PATH")?
                .join("kneeguard.sqlite"),
            true,
        ),
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
    let settings = Settings {
        db_path,
        units: global.units.or(config.general.units).unwrap_or_default(),
        config,
        tz,
        today,
        now,
        wall_clock,
    };
    Ok((settings, default_db))
}

/// Checks the clap definition (used by the tests).
pub fn debug_assert_cli() {
    Cli::command().debug_assert();
}
