//! `kneeguard pain`: log knee pain (0-10) and manage the log.

use super::{parse_date, parse_time, Context};
use crate::core::load::local_date;
use crate::core::plausibility::EARLIEST_DAY;
use crate::db::{ActivityFilter, Store};
use crate::model::{Activity, PainEntry, PainWhen, Side};
use crate::render::{self, OutputFormat};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use clap::{Args, Subcommand};
use serde::Serialize;
use std::io::Write;
use tabled::Tabled;

/// Log knee pain and manage the log.
///
/// Rate the knee from 0 (no pain) to 10 (the worst imaginable), with when you felt it: during a
/// run, after it (within about an hour), the next morning, or a daily rating. This log is what
/// kneeguard learns your pain threshold from: log during/after each run and every morning after
/// one. Pain up to 2/10 that settles within an hour and is no worse the next morning is
/// acceptable (Esculier et al. 2018).
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kneeguard pain add 2 --when after
  kneeguard pain add 4 --when morning --side left --note \"stairs hurt\"
  kneeguard pain add 6 --when during --date 2026-11-20 --swelling
  kneeguard pain list --since 2026-11-01
  kneeguard pain edit 12 --score 3
  kneeguard pain delete 12
  kneeguard pain import diary.csv          date,time,score,when,side,swelling,note")]
pub struct PainArgs {
    #[command(subcommand)]
    pub what: PainCommand,
}

#[derive(Debug, Subcommand)]
pub enum PainCommand {
    /// Log a pain rating
    Add(AddArgs),
    /// List the pain log, oldest first
    List(ListArgs),
    /// Change a logged rating
    Edit(EditArgs),
    /// Delete a logged rating
    Delete {
        /// The entry's id (from `pain list`)
        id: i64,
    },
    /// Import ratings from a CSV file (a diary kept in a spreadsheet)
    Import(ImportArgs),
}

impl PainArgs {
    /// Whether the command changes the database.
    pub fn writes(&self) -> bool {
        !matches!(self.what, PainCommand::List(_))
    }
}

/// The columns of `pain import`, as the header row names them.
pub const CSV_COLUMNS: &str = "date,time,score,when,side,swelling,note";

/// Import pain ratings from a CSV file with a header row.
///
/// Columns (by header name, any order): date (YYYY-MM-DD) and score (0-10) are required; time
/// (HH:MM, default 12:00), when (during, after, morning, daily; default after on a day with a
/// run, else daily), side (left, right, both), swelling (yes/no, true/false, 1/0) and note are
/// optional. Each rating is linked to its run as `pain add` links it. All rows are checked
/// first: one bad row stores nothing, and the error names its line. A rating already in the
/// log is not stored twice, so importing the same file again adds nothing.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The CSV file
    #[arg(value_name = "FILE.csv")]
    pub file: std::path::PathBuf,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Pain from 0 (none) to 10 (worst imaginable)
    #[arg(value_parser = parse_score, allow_negative_numbers = true)]
    pub score: u8,
    /// When it was felt [default: after, if you ran that day; else daily]
    #[arg(long, value_enum)]
    pub when: Option<PainWhen>,
    /// The local day [default: today]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date: Option<NaiveDate>,
    /// The local time [default: now today, else 12:00]
    #[arg(long, value_name = "HH:MM", value_parser = parse_time)]
    pub time: Option<NaiveTime>,
    /// Which knee
    #[arg(long, value_enum)]
    pub side: Option<Side>,
    /// The knee is swollen (always a reason to see a professional)
    #[arg(long)]
    pub swelling: bool,
    /// A note (what hurt, what you did)
    #[arg(long)]
    pub note: Option<String>,
    /// The run it belongs to [default: that day's run for during/after, the previous day's for morning]
    #[arg(long, value_name = "ACTIVITY_ID")]
    pub run: Option<i64>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// First local date (inclusive)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub since: Option<NaiveDate>,
    /// Last local date (inclusive)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub until: Option<NaiveDate>,
}

/// Change a logged rating: only the values given change. A rating moved to another day or
/// moment is linked to that moment's run again.
#[derive(Debug, Args)]
pub struct EditArgs {
    /// The entry's id (from `pain list`)
    pub id: i64,
    /// New score, 0 (none) to 10 (worst imaginable)
    #[arg(long, value_parser = parse_score, allow_negative_numbers = true)]
    pub score: Option<u8>,
    /// When it was felt
    #[arg(long, value_enum)]
    pub when: Option<PainWhen>,
    /// The local day it is about
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date: Option<NaiveDate>,
    /// The local time it was felt
    #[arg(long, value_name = "HH:MM", value_parser = parse_time)]
    pub time: Option<NaiveTime>,
    /// Which knee
    #[arg(long, value_enum)]
    pub side: Option<Side>,
    /// Mark the knee as swollen
    #[arg(long, conflicts_with = "no_swelling")]
    pub swelling: bool,
    /// Mark the knee as not swollen
    #[arg(long)]
    pub no_swelling: bool,
    /// A new note ("" removes it)
    #[arg(long)]
    pub note: Option<String>,
    /// Link to this run (that day's run for during/after, the previous day's for morning)
    #[arg(long, value_name = "ACTIVITY_ID")]
    pub run: Option<i64>,
}

fn parse_score(text: &str) -> Result<u8, String> {
    let bad = || {
        format!(
            "pain score {text:?} is not on the 0-10 scale: 0 is no pain, 10 the worst imaginable \
             (whole numbers)"
        )
    };
    let value: i64 = text.trim().parse().map_err(|_| bad())?;
    u8::try_from(value)
        .ok()
        .filter(|v| *v <= 10)
        .ok_or_else(bad)
}

/// One entry in the stable JSON and CSV interface.
#[derive(Debug, Serialize)]
pub struct PainRecord {
    pub id: i64,
    pub date: NaiveDate,
    pub at: String,
    pub utc_offset_s: i32,
    pub score: u8,
    pub when: PainWhen,
    pub side: Option<Side>,
    pub swelling: bool,
    pub note: Option<String>,
    pub activity_id: Option<i64>,
}

impl From<&PainEntry> for PainRecord {
    fn from(e: &PainEntry) -> Self {
        PainRecord {
            id: e.id,
            date: e.date,
            at: e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            utc_offset_s: e.utc_offset_s,
            score: e.score,
            when: e.when,
            side: e.side,
            swelling: e.swelling,
            note: e.note.clone(),
            activity_id: e.activity_id,
        }
    }
}

pub fn run(
    args: &PainArgs,
    ctx: &Context,
    store: &mut Store,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    match &args.what {
        PainCommand::Add(add) => run_add(add, ctx, store, out),
        PainCommand::List(list) => run_list(list, ctx, store, out),
        PainCommand::Edit(edit) => run_edit(edit, ctx, store, out),
        PainCommand::Import(import) => run_import(import, ctx, store, out),
        PainCommand::Delete { id } => {
            let entry = store.pain_entry(*id)?.ok_or_else(|| {
                anyhow::anyhow!("no pain entry #{id}: `kneeguard pain list` shows the ids")
            })?;
            store.delete_pain(*id)?;
            match ctx.format {
                OutputFormat::Json => render::json(out, &PainRecord::from(&entry))?,
                _ => writeln!(
                    out,
                    "Deleted pain entry #{id} ({}/10 {} on {}).",
                    entry.score,
                    entry.when.as_str(),
                    entry.date
                )?,
            }
            Ok(super::exit::OK)
        }
    }
}

fn run_add(
    args: &AddArgs,
    ctx: &Context,
    store: &mut Store,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let settings = &ctx.settings;
    let date = args.date.unwrap_or(settings.today);
    let at = instant(ctx, date, args.time, &OPTIONS)?;
    let runs = runs_around(store, date)?;
    let ran_that_day = runs.iter().any(|r| local_date(r) == Some(date));
    // Without `--when`: after the run given or a run that day, the morning after a run given
    // from the day before, else about the day.
    let given_day = args
        .run
        .and_then(|id| runs.iter().find(|r| r.id == id))
        .and_then(local_date);
    let when = args.when.unwrap_or(match given_day {
        Some(d) if d < date => PainWhen::Morning,
        Some(_) => PainWhen::After,
        None if ran_that_day || args.run.is_some() => PainWhen::After,
        None => PainWhen::Daily,
    });
    let activity_id = match args.run {
        Some(id) => Some(checked_run(store, id, when, date)?),
        None => default_run(&runs, when, date),
    };
    let mut entry = PainEntry {
        id: 0,
        at,
        utc_offset_s: settings.offset_at(at),
        date,
        score: args.score,
        when,
        side: args.side,
        swelling: args.swelling,
        note: args.note.clone(),
        activity_id,
    };
    entry.id = store.insert_pain(&entry)?;
    match ctx.format {
        OutputFormat::Json => render::json(out, &PainRecord::from(&entry))?,
        OutputFormat::Csv => render::csv(out, &[PainRecord::from(&entry)])?,
        OutputFormat::Table => {
            let run = entry
                .activity_id
                .and_then(|id| runs.iter().find(|r| r.id == id))
                .map(|r| {
                    format!(
                        " for run #{} ({})",
                        r.id,
                        render::distance(r.distance_m, settings.units)
                    )
                })
                .unwrap_or_default();
            let logged = format!(
                "Logged pain {}/10 {} on {}{run} as #{}.",
                entry.score,
                entry.when.as_str(),
                entry.date,
                entry.id
            );
            ctx.term.wrap(out, "", &logged)?;
            // What the rating changes, from the same guidance `status` shows: any zone but
            // green, and the ladder that a calm rating after red opens.
            let (g, _) = super::guidance::today(ctx, store)?;
            if g.zone.zone != crate::core::zone::Zone::Green
                || g.mode == crate::core::plan::Mode::Ladder
            {
                let zone = g.zone.zone.as_str().to_uppercase();
                let text = format!("Knee zone now {zone}: {}.", crate::render::words::mode(&g));
                let lines = crate::render::term::wrap_at(ctx.term.text_width(), "", &text);
                writeln!(out, "{}", ctx.term.zone(g.zone.zone, lines.trim_end()))?;
                super::status::write_next(out, &g, &ctx.term, settings.units)?;
            }
        }
    }
    Ok(super::exit::OK)
}

fn run_list(
    args: &ListArgs,
    ctx: &Context,
    store: &Store,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let entries = store.pain_entries(&super::date_range(args.since, args.until)?)?;
    let records: Vec<PainRecord> = entries.iter().map(PainRecord::from).collect();
    match ctx.format {
        OutputFormat::Json => render::json(out, &records)?,
        OutputFormat::Csv => render::csv(out, &records)?,
        OutputFormat::Table => {
            if records.is_empty() {
                ctx.term.wrap(out, "", "No pain logged yet. After a run: `kneeguard pain add 2 --when after`; the next morning: `kneeguard pain add 1 --when morning`.")?;
                return Ok(super::exit::OK);
            }
            #[derive(Tabled)]
            struct Row {
                #[tabled(rename = "ID")]
                id: i64,
                #[tabled(rename = "Date")]
                date: NaiveDate,
                #[tabled(rename = "Pain")]
                score: String,
                #[tabled(rename = "When")]
                when: &'static str,
                #[tabled(rename = "Side")]
                side: &'static str,
                #[tabled(rename = "Run")]
                run: String,
                #[tabled(rename = "Note")]
                note: String,
            }
            let rows = entries.iter().map(|e| Row {
                id: e.id,
                date: e.date,
                score: format!(
                    "{}/10{}",
                    e.score,
                    if e.swelling { " +swelling" } else { "" }
                ),
                when: e.when.as_str(),
                side: e.side.map_or("-", Side::as_str),
                run: e.activity_id.map_or("-".into(), |id| format!("#{id}")),
                note: ctx.term.truncate(e.note.as_deref().unwrap_or(""), 40),
            });
            writeln!(out, "{}", ctx.term.table_flex(rows, &[0], 6))?;
        }
    }
    Ok(super::exit::OK)
}

fn run_edit(
    args: &EditArgs,
    ctx: &Context,
    store: &mut Store,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let nothing = args.score.is_none()
        && args.when.is_none()
        && args.date.is_none()
        && args.time.is_none()
        && args.side.is_none()
        && !args.swelling
        && !args.no_swelling
        && args.note.is_none()
        && args.run.is_none();
    anyhow::ensure!(
        !nothing,
        "nothing to change: give at least one of --score, --when, --date, --time, --side, \
         --swelling/--no-swelling, --note, --run"
    );
    let mut entry = store.pain_entry(args.id)?.ok_or_else(|| {
        anyhow::anyhow!(
            "no pain entry #{}: `kneeguard pain list` shows the ids",
            args.id
        )
    })?;
    if let Some(score) = args.score {
        entry.score = score;
    }
    if let Some(when) = args.when {
        entry.when = when;
    }
    if args.date.is_some() || args.time.is_some() {
        let date = args.date.unwrap_or(entry.date);
        let time = args.time.or_else(|| Some(local_time(&entry)));
        entry.at = instant(ctx, date, time, &OPTIONS)?;
        entry.utc_offset_s = ctx.settings.offset_at(entry.at);
        entry.date = date;
    }
    if let Some(side) = args.side {
        entry.side = Some(side);
    }
    if args.swelling {
        entry.swelling = true;
    }
    if args.no_swelling {
        entry.swelling = false;
    }
    if let Some(note) = &args.note {
        entry.note = Some(note.clone()).filter(|n| !n.is_empty());
    }
    let moved = args.when.is_some() || args.date.is_some();
    if let Some(run) = args.run {
        entry.activity_id = Some(checked_run(store, run, entry.when, entry.date)?);
    } else if moved {
        // A rating that moved to another day or moment belongs to that moment's run.
        let runs = runs_around(store, entry.date)?;
        entry.activity_id = default_run(&runs, entry.when, entry.date);
    }
    store.update_pain(&entry)?;
    match ctx.format {
        OutputFormat::Json => render::json(out, &PainRecord::from(&entry))?,
        _ => writeln!(
            out,
            "Pain entry #{}: {}/10 {} on {}.",
            entry.id,
            entry.score,
            entry.when.as_str(),
            entry.date
        )?,
    }
    Ok(super::exit::OK)
}

fn local_time(entry: &PainEntry) -> NaiveTime {
    chrono::FixedOffset::east_opt(entry.utc_offset_s)
        .map(|o| entry.at.with_timezone(&o).time())
        .unwrap_or_else(|| entry.at.time())
}

/// How errors name a rating's date and time: the options of `pain add` and `pain edit`, or the
/// columns of a `pain import` file.
struct FieldNames {
    date: &'static str,
    time: &'static str,
}

const OPTIONS: FieldNames = FieldNames {
    date: "--date",
    time: "--time",
};

const COLUMNS: FieldNames = FieldNames {
    date: "date",
    time: "time",
};

/// The instant of a rating; refuses the future.
fn instant(
    ctx: &Context,
    date: NaiveDate,
    time: Option<NaiveTime>,
    names: &FieldNames,
) -> anyhow::Result<DateTime<Utc>> {
    let settings = &ctx.settings;
    anyhow::ensure!(
        date <= settings.today,
        "{} {date} is in the future (today is {}): log pain once you have felt it",
        names.date,
        settings.today
    );
    anyhow::ensure!(
        date >= EARLIEST_DAY,
        "{} {date} is before {EARLIEST_DAY}: check the year",
        names.date
    );
    let at = match time {
        None if date == settings.today => return Ok(settings.now),
        None => NaiveTime::from_hms_opt(12, 0, 0).expect("noon"),
        Some(t) => t,
    };
    let instant = settings
        .tz
        .from_local_datetime(&date.and_time(at))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| {
            anyhow::anyhow!(
                "{date} {at} does not exist in {} (a clock change)",
                settings.tz
            )
        })?;
    anyhow::ensure!(
        instant <= settings.now,
        "{} {} today is in the future: log pain once you have felt it",
        names.time,
        at.format("%H:%M")
    );
    Ok(instant)
}

/// Runs of the day before, the day and the day after `date`.
pub(super) fn runs_around(store: &Store, date: NaiveDate) -> anyhow::Result<Vec<Activity>> {
    Ok(store
        .activities(&ActivityFilter {
            since: Some(date - Duration::days(1)),
            until: Some(date),
        })?
        .into_iter()
        .filter(|a| a.sport.is_run())
        .collect())
}

/// That day's last run for during/after, the previous day's last run for morning.
pub(super) fn default_run(runs: &[Activity], when: PainWhen, date: NaiveDate) -> Option<i64> {
    let day = run_day(when, date)?;
    runs.iter()
        .rev()
        .find(|r| local_date(r) == Some(day))
        .map(|r| r.id)
}

/// The local day whose run a rating felt `when` on `date` is about: the same day during and
/// after a run, the day before for a morning rating; a daily rating is about no run.
fn run_day(when: PainWhen, date: NaiveDate) -> Option<NaiveDate> {
    match when {
        PainWhen::During | PainWhen::After => Some(date),
        PainWhen::Morning => Some(date - Duration::days(1)),
        PainWhen::Daily => None,
    }
}

/// `id` when it is a run of the day the rating is about.
fn checked_run(store: &Store, id: i64, when: PainWhen, date: NaiveDate) -> anyhow::Result<i64> {
    let Some(activity) = store.activity(id)? else {
        anyhow::bail!("--run {id}: no such activity (`kneeguard activities` lists the ids)")
    };
    anyhow::ensure!(
        activity.sport.is_run(),
        "--run {id}: activity #{id} is {}, not a run; knee pain is linked to runs \
         (`kneeguard activities --sport run` lists them), or log it without --run",
        activity.sport.as_str().replace('_', " ")
    );
    let ran = local_date(&activity);
    match run_day(when, date) {
        None => anyhow::bail!(
            "--run {id}: a daily rating is about the day, not a run; use --when during, after or \
             morning to link it"
        ),
        Some(day) if ran != Some(day) => anyhow::bail!(
            "--run {id}: run #{id} is on {}, but a{} rating on {date} is about the run of {day}",
            ran.map_or("no date".to_string(), |d| d.to_string()),
            match when {
                PainWhen::Morning => " morning",
                PainWhen::During => " during-run",
                _ => "n after-run",
            }
        ),
        Some(_) => Ok(id),
    }
}

/// One row of a pain diary, as read.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DiaryRow {
    date: String,
    #[serde(default)]
    time: Option<String>,
    score: String,
    #[serde(default)]
    when: Option<String>,
    #[serde(default)]
    side: Option<String>,
    #[serde(default)]
    swelling: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

fn run_import(
    args: &ImportArgs,
    ctx: &Context,
    store: &mut Store,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let name = args.file.display().to_string();
    let file =
        std::fs::File::open(&args.file).map_err(|e| anyhow::anyhow!("cannot read {name}: {e}"))?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(std::io::BufReader::new(file));
    let mut entries = Vec::new();
    for (index, row) in reader.deserialize::<DiaryRow>().enumerate() {
        let line = index + 2;
        let row = row.map_err(|e| {
            anyhow::anyhow!(
                "{name}, line {line}: {}; the columns are {CSV_COLUMNS} (date and score \
                 required), with a header row",
                csv_problem(&e)
            )
        })?;
        let entry = diary_entry(&row, ctx, store)
            .map_err(|e| anyhow::anyhow!("{name}, line {line}: {e}; nothing was imported"))?;
        entries.push(entry);
    }
    anyhow::ensure!(
        !entries.is_empty(),
        "{name} holds no ratings: it needs a header row ({CSV_COLUMNS}) and a row per rating"
    );
    let ids = store.insert_pain_all(&entries)?;
    let stored: Vec<PainRecord> = entries
        .iter()
        .zip(&ids)
        .filter_map(|(e, id)| id.map(|id| PainRecord::from(&PainEntry { id, ..e.clone() })))
        .collect();
    match ctx.format {
        OutputFormat::Json => render::json(out, &stored)?,
        OutputFormat::Csv => render::csv(out, &stored)?,
        OutputFormat::Table => {
            let already = ids.len() - stored.len();
            let mut text = format!("Imported {} pain ratings from {name}", stored.len());
            if already > 0 {
                text.push_str(&format!(" ({already} were already in the log)"));
            }
            text.push('.');
            ctx.term.wrap(out, "", &text)?;
        }
    }
    Ok(super::exit::OK)
}

/// A CSV problem in the words of a diary's columns.
fn csv_problem(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => {
            let text = err.to_string();
            let column = |prefix: &str| {
                text.strip_prefix(prefix)
                    .and_then(|rest| rest.split_once('`'))
                    .map(|(name, _)| name.to_string())
            };
            match (column("unknown field `"), column("missing field `")) {
                (Some(name), _) if name.is_empty() => {
                    "a column without a name in the header (a comma too many?)".to_string()
                }
                (Some(name), _) => format!("unknown column `{name}`"),
                (_, Some(name)) => format!("no `{name}` column"),
                _ => text,
            }
        }
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} fields where the header has {expected_len}"),
        _ => e.to_string(),
    }
}

/// One diary row as a rating, checked like `pain add` checks its options.
fn diary_entry(row: &DiaryRow, ctx: &Context, store: &Store) -> anyhow::Result<PainEntry> {
    let blank = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let date = parse_date(&row.date).map_err(anyhow::Error::msg)?;
    let score = parse_score(&row.score).map_err(anyhow::Error::msg)?;
    // Without a time a rating is at noon, or now when it is today's (as with `pain add`).
    let time = blank(&row.time)
        .map(|t| parse_time(&t))
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let runs = runs_around(store, date)?;
    let when = match blank(&row.when) {
        Some(w) => PainWhen::parse(&w.to_ascii_lowercase()).ok_or_else(|| {
            anyhow::anyhow!("when {w:?} is not one of during, after, morning, daily")
        })?,
        None if runs.iter().any(|r| local_date(r) == Some(date)) => PainWhen::After,
        None => PainWhen::Daily,
    };
    let side = blank(&row.side)
        .map(|v| {
            Side::parse(&v.to_ascii_lowercase())
                .ok_or_else(|| anyhow::anyhow!("side {v:?} is not one of left, right, both"))
        })
        .transpose()?;
    let swelling = match blank(&row.swelling)
        .map(|v| v.to_ascii_lowercase())
        .as_deref()
    {
        None | Some("no" | "false" | "0" | "n") => false,
        Some("yes" | "true" | "1" | "y") => true,
        Some(other) => anyhow::bail!("swelling {other:?} is not yes or no"),
    };
    let at = instant(ctx, date, time, &COLUMNS)?;
    Ok(PainEntry {
        id: 0,
        at,
        utc_offset_s: ctx.settings.offset_at(at),
        date,
        score,
        when,
        side,
        swelling,
        note: blank(&row.note),
        activity_id: default_run(&runs, when, date),
    })
}
