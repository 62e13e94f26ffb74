//! `kneeguard demo`: the main job on a bundled history, in a temporary database.

use super::{check, plan, status, weeks, Context};
use crate::db::Store;
use crate::import::{Importer, Input};
use crate::model::{PainEntry, PainWhen};
use crate::readers::Format;
use crate::render::{self, OutputFormat, Terminal};
use crate::settings::{Config, Settings, Units};
use anyhow::Context as _;
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use clap::Args;
use std::io::Write;

include!(concat!(env!("OUT_DIR"), "/demo_files.rs"));

/// The demo's "today": the last day of its history (a Sunday).
const DEMO_TODAY: (i32, u32, u32) = (2026, 11, 15);
const DEMO_ZONE: chrono_tz::Tz = chrono_tz::Europe::Berlin;

/// See kneeguard at work on a bundled 14-week history, without touching your data.
///
/// Builds a temporary database from activity files shipped with kneeguard (a runner with a
/// sore knee: a steady base, a long-run spike, a hilly trail block that brought a pain flare,
/// a cut-back with cross-training and strength work, and a careful rebuild, with the pain they
/// logged), then shows `weeks`, `check`, `status` and `plan` on it. Your own database and
/// config are not read or written.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kneeguard demo
  kneeguard demo --units mi
  kneeguard demo --format json | jq .plan.days")]
pub struct DemoArgs {}

/// Runs the demo. It is the same for every runner: it reads no config file (so a broken one
/// cannot stop it); only the units, the format, the terminal and the clock come from outside.
pub fn run(
    _args: &DemoArgs,
    units: Units,
    format: OutputFormat,
    term: Terminal,
    wall_clock: DateTime<Utc>,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    anyhow::ensure!(
        format != OutputFormat::Csv,
        "`demo` shows several tables at once, which do not fit one CSV: use --format json (or table)"
    );
    let dir = tempfile::tempdir().context("cannot create a temporary folder for the demo")?;
    let today = NaiveDate::from_ymd_opt(DEMO_TODAY.0, DEMO_TODAY.1, DEMO_TODAY.2).expect("date");
    let now = DEMO_ZONE
        .from_local_datetime(&today.and_hms_opt(20, 0, 0).expect("time"))
        .earliest()
        .expect("exists")
        .with_timezone(&Utc);
    let demo = Context {
        settings: Settings {
            db_path: dir.path().join("demo.sqlite"),
            config: Config::default(),
            tz: DEMO_ZONE,
            today,
            now,
            wall_clock,
            units,
        },
        format,
        term,
    };
    let mut store = Store::open(&demo.settings.db_path)?;
    load_history(&mut store, &demo)?;

    let sections: [(&str, Section); 4] = [
        ("weeks", &|c, s, o| {
            let args = weeks::WeeksArgs {
                weeks: 15,
                wide: false,
            };
            weeks::run(&args, c, s, o)
        }),
        ("check", &|c, s, o| {
            let args = check::CheckArgs {
                since: None,
                fail_on: None,
            };
            check::run(&args, c, s, o)
        }),
        ("status", &|c, s, o| {
            status::run(&status::StatusArgs {}, c, s, o)
        }),
        ("plan", &|c, s, o| {
            let args = plan::PlanArgs {
                week: None,
                ics: None,
            };
            plan::run(&args, c, s, o)
        }),
    ];
    match format {
        OutputFormat::Json | OutputFormat::Csv => {
            let mut object = serde_json::Map::new();
            let json = Context {
                settings: demo.settings.clone(),
                format: OutputFormat::Json,
                term,
            };
            for (name, section) in sections {
                let mut buffer = Vec::new();
                section(&json, &store, &mut buffer)?;
                object.insert(name.to_string(), serde_json::from_slice(&buffer)?);
            }
            render::json(out, &object)?;
        }
        OutputFormat::Table => {
            term.wrap(
                out,
                "",
                &format!(
                    "kneeguard demo: 14 weeks of a runner with a sore knee (10 Aug - 15 Nov \
                     2026), imported into a temporary database. In this demo, today is Sunday \
                     {today}."
                ),
            )?;
            writeln!(out)?;
            for (name, section) in sections {
                writeln!(out, "$ kneeguard {name}")?;
                section(&demo, &store, out)?;
                writeln!(out)?;
            }
            let folder = tempfile::Builder::new()
                .prefix("kneeguard-demo-")
                .tempdir()
                .context("cannot create a temporary folder for the demo's report")?
                .keep();
            let report = folder.join("kneeguard-report.html");
            crate::report::write(&store, &demo.settings, 15, &report)?;
            writeln!(out, "The story in charts: {}\n", report.display())?;
            term.wrap(
                out,
                "",
                "Your own data was not touched. Start with your runs: `kneeguard import PATH`, \
                 then log pain after runs (`kneeguard pain add 2 --when after`) and ask for \
                 `kneeguard plan`.",
            )?;
        }
    }
    Ok(super::exit::OK)
}

type Section<'a> = &'a dyn Fn(&Context, &Store, &mut dyn Write) -> anyhow::Result<u8>;

/// Imports the bundled files and pain log.
fn load_history(store: &mut Store, ctx: &Context) -> anyhow::Result<()> {
    let config = ctx.settings.config.clone();
    let mut importer = Importer::new(store, &config, ctx.settings.tz, ctx.settings.today);
    let mut pain_csv: &[u8] = &[];
    for (name, bytes) in DEMO_FILES {
        if name.ends_with(".csv") {
            pain_csv = bytes;
            continue;
        }
        importer.import(Input::File {
            label: format!("demo/{name}"),
            bytes: bytes.to_vec(),
            format: Format::from_name(name),
            export_row: None,
        })?;
    }
    let mut reader = csv::Reader::from_reader(pain_csv);
    for row in reader.records() {
        let row = row?;
        let field = |i: usize| row.get(i).unwrap_or("");
        let date: NaiveDate = field(0).parse()?;
        let time = NaiveTime::parse_from_str(field(1), "%H:%M")?;
        let when = PainWhen::parse(field(3)).context("pain.csv: unknown `when`")?;
        let at = ctx
            .settings
            .tz
            .from_local_datetime(&date.and_time(time))
            .earliest()
            .context("pain.csv: a time that does not exist")?
            .with_timezone(&Utc);
        let runs = super::pain::runs_around(store, date)?;
        let entry = PainEntry {
            id: 0,
            at,
            utc_offset_s: ctx.settings.offset_at(at),
            date,
            score: field(2).parse()?,
            when,
            side: Some(crate::model::Side::Left),
            swelling: false,
            note: Some(field(4).to_string()).filter(|n| !n.is_empty()),
            activity_id: super::pain::default_run(&runs, when, date),
        };
        store.insert_pain(&entry)?;
    }
    Ok(())
}
