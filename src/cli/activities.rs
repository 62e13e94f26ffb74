//! `kneeguard activities`: list what is stored, and let the runner fix it: show one, edit it,
//! delete it (it stays deleted on re-import), undelete it.

use super::{add, parse_date, parse_time, Context};
use crate::core::plausibility::{self, Flagged, Implausible, Record};
use crate::db::{ActivityChange, ActivityFilter, Store};
use crate::model::{Activity, Category, Sport};
use crate::render::{self, OutputFormat, Terminal};
use crate::settings::Units;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, SecondsFormat, Utc};
use clap::{Args, Subcommand};
use serde::Serialize;
use std::io::Write;
use tabled::settings::{object::Columns, Remove};
use tabled::Tabled;

/// List stored activities, oldest first; show, edit, delete or undelete one.
///
/// Dates are local to where each activity happened. `--format json` prints the stable
/// interface documented in the README.
#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "Examples:
  kneeguard activities --since 2026-10-01
  kneeguard activities --last 20 --sport run --units mi
  kneeguard activities --format json | jq '.[] | select(.descent_m > 200)'
  kneeguard activities show 42
  kneeguard activities edit 42 --km 20 --descent 180 --note \"the watch lost GPS\"
  kneeguard activities edit 57 --confirm          an unusually long run that was real
  kneeguard activities delete 42 43
  kneeguard activities undelete 42"
)]
pub struct ActivitiesArgs {
    #[command(subcommand)]
    pub what: Option<ActivitiesCommand>,
    #[command(flatten)]
    pub list: ListArgs,
}

impl ActivitiesArgs {
    /// Whether the command changes the database.
    pub fn writes(&self) -> bool {
        matches!(
            self.what,
            Some(
                ActivitiesCommand::Edit(_)
                    | ActivitiesCommand::Delete { .. }
                    | ActivitiesCommand::Undelete { .. }
            )
        )
    }
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// First local date to list (inclusive)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub since: Option<NaiveDate>,
    /// Last local date to list (inclusive)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub until: Option<NaiveDate>,
    /// Only this sport (run, trail_run, ride, elliptical, ...) or family (run, cross, strength)
    #[arg(long, value_parser = parse_sport_filter)]
    pub sport: Option<SportFilter>,
    /// Only the newest N that match (still listed oldest first)
    #[arg(long, visible_alias = "limit", value_name = "N")]
    pub last: Option<usize>,
}

#[derive(Debug, Subcommand)]
pub enum ActivitiesCommand {
    /// Show one activity in full: its numbers, source, linked pain ratings and any doubt
    Show {
        /// The activity's id (from `kneeguard activities`)
        id: i64,
    },
    /// Correct an activity: its date and time, distance, duration, descent, sport, name, note
    Edit(EditArgs),
    /// Delete activities; a re-import or sync leaves them deleted
    Delete {
        /// The activities' ids
        #[arg(required = true, num_args = 1..)]
        ids: Vec<i64>,
    },
    /// Let deleted activities back in: the next import or sync of them stores them again
    Undelete {
        /// The ids they had (`kneeguard activities deleted` lists them)
        #[arg(required = true, num_args = 1..)]
        ids: Vec<i64>,
    },
    /// List the deleted activities
    Deleted,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    /// The activity's id (from `kneeguard activities`)
    pub id: i64,
    /// New local date (the time of day is kept unless --time is given)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date: Option<NaiveDate>,
    /// New local start time
    #[arg(long, value_name = "HH:MM", value_parser = parse_time)]
    pub time: Option<NaiveTime>,
    /// New distance in kilometres
    #[arg(long, conflicts_with = "mi", allow_negative_numbers = true)]
    pub km: Option<f64>,
    /// New distance in miles
    #[arg(long, allow_negative_numbers = true)]
    pub mi: Option<f64>,
    /// New duration in minutes (the moving and the elapsed time)
    #[arg(long, allow_negative_numbers = true)]
    pub minutes: Option<f64>,
    /// New descent in metres (your figure: no longer an estimate)
    #[arg(long, value_name = "METRES", allow_negative_numbers = true)]
    pub descent: Option<f64>,
    /// New sport (run, trail_run, treadmill_run, ride, elliptical, ...)
    #[arg(long, value_parser = parse_sport)]
    pub sport: Option<Sport>,
    /// New name ("" removes it)
    #[arg(long)]
    pub name: Option<String>,
    /// New note ("" removes it)
    #[arg(long)]
    pub note: Option<String>,
    /// It is real: count a record that looked implausible (an unusually long run) again
    #[arg(long, conflicts_with = "unconfirm")]
    pub confirm: bool,
    /// Take back --confirm
    #[arg(long)]
    pub unconfirm: bool,
}

fn parse_sport(text: &str) -> Result<Sport, String> {
    Sport::parse(text).ok_or_else(|| {
        let names: Vec<&str> = Sport::ALL.iter().map(|s| s.as_str()).collect();
        format!("unknown sport {text:?}: use one of {}", names.join(", "))
    })
}

/// A sport, or one of the families.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SportFilter {
    Family(Category),
    Exact(Sport),
}

fn parse_sport_filter(text: &str) -> Result<SportFilter, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "run" | "runs" | "running" => Ok(SportFilter::Family(Category::Run)),
        "cross" => Ok(SportFilter::Family(Category::Cross)),
        "strength" => Ok(SportFilter::Family(Category::Strength)),
        other => Sport::parse(other).map(SportFilter::Exact).ok_or_else(|| {
            let names: Vec<&str> = Sport::ALL.iter().map(|s| s.as_str()).collect();
            format!(
                "unknown sport {text:?}: use run, cross, strength or one of {}",
                names.join(", ")
            )
        }),
    }
}

impl SportFilter {
    fn matches(self, sport: Sport) -> bool {
        match self {
            SportFilter::Family(c) => sport.category() == c,
            SportFilter::Exact(s) => sport == s,
        }
    }
}

/// One activity in the stable JSON and CSV interface.
#[derive(Debug, Serialize)]
pub struct ActivityRecord {
    pub id: i64,
    pub sport: Sport,
    pub category: &'static str,
    pub start: Option<String>,
    pub utc_offset_s: i32,
    pub local_date: Option<NaiveDate>,
    pub distance_m: f64,
    pub moving_s: f64,
    pub elapsed_s: f64,
    pub ascent_m: Option<f64>,
    pub descent_m: Option<f64>,
    pub device_descent_m: Option<f64>,
    /// True when `descent_m` is an estimate (a synced run without altitude streams).
    pub descent_estimated: bool,
    /// True when the runner confirmed that a record which looked implausible is real.
    pub confirmed: bool,
    pub source_kind: &'static str,
    pub source: String,
    pub name: Option<String>,
    pub note: Option<String>,
    pub device: Option<String>,
}

impl ActivityRecord {
    pub fn from_activity(a: &Activity) -> Self {
        let round = |v: f64| (v * 10.0).round() / 10.0;
        ActivityRecord {
            id: a.id,
            sport: a.sport,
            category: a.sport.category().as_str(),
            start: a
                .start
                .map(|s| s.to_rfc3339_opts(SecondsFormat::Secs, true)),
            utc_offset_s: a.utc_offset_s,
            local_date: local_start(a).map(|t| t.date_naive()),
            distance_m: round(a.distance_m),
            moving_s: a.moving_s.round(),
            elapsed_s: a.elapsed_s.round(),
            ascent_m: a.ascent_m.map(round),
            descent_m: a.descent_m.map(round),
            device_descent_m: a.device_descent_m.map(round),
            descent_estimated: a.descent_estimated,
            confirmed: a.confirmed,
            source_kind: a.source_kind.as_str(),
            source: a.source.clone(),
            name: a.name.clone(),
            note: a.note.clone(),
            device: a.device.clone(),
        }
    }
}

/// The activity's start in the local time where it happened.
pub fn local_start(a: &Activity) -> Option<DateTime<FixedOffset>> {
    let offset = FixedOffset::east_opt(a.utc_offset_s)?;
    a.start.map(|s| s.with_timezone(&offset))
}

#[derive(Tabled)]
struct Row {
    #[tabled(rename = "ID")]
    id: i64,
    #[tabled(rename = "Date")]
    date: String,
    #[tabled(rename = "Sport")]
    sport: String,
    #[tabled(rename = "Dist")]
    distance: String,
    #[tabled(rename = "Time")]
    time: String,
    #[tabled(rename = "Up")]
    ascent: String,
    #[tabled(rename = "Down")]
    descent: String,
    #[tabled(rename = "Name")]
    name: String,
}

pub fn run(
    args: &ActivitiesArgs,
    ctx: &Context,
    store: &mut Store,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    match &args.what {
        None => list(&args.list, ctx, store, out)?,
        Some(ActivitiesCommand::Show { id }) => show(*id, ctx, store, out)?,
        Some(ActivitiesCommand::Edit(edit)) => edit_activity(edit, ctx, store, out)?,
        Some(ActivitiesCommand::Delete { ids }) => delete(ids, ctx, store, out)?,
        Some(ActivitiesCommand::Undelete { ids }) => undelete(ids, ctx, store, out)?,
        Some(ActivitiesCommand::Deleted) => deleted(ctx, store, out)?,
    }
    Ok(super::exit::OK)
}

fn list(args: &ListArgs, ctx: &Context, store: &Store, out: &mut dyn Write) -> anyhow::Result<()> {
    let filter = super::date_range(args.since, args.until)?;
    let mut activities: Vec<Activity> = store
        .activities(&filter)?
        .into_iter()
        .filter(|a| args.sport.is_none_or(|f| f.matches(a.sport)))
        .collect();
    if let Some(n) = args.last {
        activities.drain(..activities.len().saturating_sub(n));
    }
    let records = || -> Vec<ActivityRecord> {
        activities
            .iter()
            .map(ActivityRecord::from_activity)
            .collect()
    };
    match ctx.format {
        OutputFormat::Json => render::json(out, &records())?,
        OutputFormat::Csv => render::csv(out, &records())?,
        OutputFormat::Table => write_table(out, &activities, ctx, store)?,
    }
    Ok(())
}

fn write_table(
    out: &mut dyn Write,
    activities: &[Activity],
    ctx: &Context,
    store: &Store,
) -> anyhow::Result<()> {
    let (units, term) = (ctx.settings.units, &ctx.term);
    if activities.is_empty() {
        let text = if store.count_activities()? == 0 {
            "No activities yet. Import some with `kneeguard import PATH` (FIT, GPX, TCX, or a \
             Strava/Garmin export zip), or add one with `kneeguard add run --km 5 --minutes 30`."
        } else {
            "No activities match these filters."
        };
        term.wrap(out, "", text)?;
        return Ok(());
    }
    let rows = |date_format: &str| -> Vec<Row> {
        activities
            .iter()
            .map(|a| row(a, date_format, units, term))
            .collect()
    };
    // When the full table does not fit (its name column wrapped down to the least), the date
    // loses its time, and the climb and the name their columns (descent is what loads the
    // knee; `activities show` has the name).
    let mut table = tabled::Table::new(rows("%Y-%m-%d %H:%M"));
    let narrow = !render::term::fits_with_flex(&table, term.width, 7);
    let table = if narrow {
        let mut table = tabled::Table::new(rows("%Y-%m-%d"));
        // Name (7) first, then Up (5): the indices stay valid.
        for column in [7, 5] {
            table.with(Remove::column(Columns::one(column)));
        }
        term.render_table(table, &[0, 3, 4, 5], Some(2))
    } else {
        table.with(tabled::settings::Style::sharp());
        term.render_table(table, &[0, 3, 4, 5, 6], Some(7))
    };
    writeln!(out, "{table}")?;
    let runs: Vec<&Activity> = activities.iter().filter(|a| a.sport.is_run()).collect();
    let distance: f64 = runs.iter().map(|a| a.distance_m).sum();
    let descent: f64 = runs.iter().filter_map(|a| a.descent_m).sum();
    let summary = format!(
        "{}; {}, {} running, {} descent.",
        render::count(activities.len(), "activity", "activities"),
        render::count(runs.len(), "run", "runs"),
        render::distance(distance, units),
        render::elevation(descent, units)
    );
    term.wrap(out, "", &summary)?;
    Ok(())
}

/// One activity as a row of the list, its start written with `date_format`.
fn row(a: &Activity, date_format: &str, units: Units, term: &Terminal) -> Row {
    Row {
        id: a.id,
        date: local_start(a).map_or("(no date)".to_string(), |t| {
            t.format(date_format).to_string()
        }),
        sport: a.sport.as_str().replace('_', " "),
        distance: if a.distance_m > 0.0 {
            render::distance(a.distance_m, units)
        } else {
            "-".into()
        },
        time: render::duration(a.moving_s),
        ascent: a
            .ascent_m
            .map_or("-".into(), |v| render::elevation(v, units)),
        // "~" marks a descent estimated from the climb (a synced run without streams)
        descent: a.descent_m.map_or("-".into(), |v| {
            let tilde = if a.descent_estimated { "~" } else { "" };
            format!("{tilde}{}", render::elevation(v, units))
        }),
        name: term.truncate(a.name.as_deref().unwrap_or(""), 30),
    }
}

/// One activity in full, as `activities show --format json` prints it.
#[derive(Debug, Serialize)]
struct Detail {
    #[serde(flatten)]
    activity: ActivityRecord,
    /// The pain ratings linked to it.
    pain: Vec<super::pain::PainRecord>,
    /// Why the estimates leave it out, if they do (absent when confirmed).
    problem: Option<Implausible>,
}

fn the_activity(store: &Store, id: i64) -> anyhow::Result<Activity> {
    store.activity(id)?.ok_or_else(|| {
        anyhow::anyhow!(
            "no activity #{id}: `kneeguard activities` lists the ids (and `kneeguard activities \
             deleted` the deleted ones)"
        )
    })
}

/// Why the estimates leave the activity out, if they do.
fn problem_of(
    store: &Store,
    a: &Activity,
    today: NaiveDate,
) -> anyhow::Result<Option<Implausible>> {
    let all = store.activities(&ActivityFilter::default())?;
    let flagged: Vec<Flagged> = plausibility::review(&all, today);
    Ok(flagged
        .into_iter()
        .find(|f| f.activity_id == a.id)
        .map(|f| f.problem))
}

fn show(id: i64, ctx: &Context, store: &Store, out: &mut dyn Write) -> anyhow::Result<()> {
    let a = the_activity(store, id)?;
    let pain = store
        .pain_linked_to(id)?
        .into_iter()
        .filter_map(|p| store.pain_entry(p).transpose())
        .collect::<Result<Vec<_>, _>>()?;
    let detail = Detail {
        activity: ActivityRecord::from_activity(&a),
        pain: pain.iter().map(super::pain::PainRecord::from).collect(),
        problem: problem_of(store, &a, ctx.settings.today)?,
    };
    match ctx.format {
        OutputFormat::Json => render::json(out, &detail)?,
        OutputFormat::Csv => render::csv(out, &[&detail.activity])?,
        OutputFormat::Table => write_detail(out, &a, &detail, ctx)?,
    }
    Ok(())
}

fn write_detail(
    out: &mut dyn Write,
    a: &Activity,
    d: &Detail,
    ctx: &Context,
) -> anyhow::Result<()> {
    let (units, term) = (ctx.settings.units, &ctx.term);
    let when = local_start(a).map_or("no date".to_string(), |t| {
        t.format("%Y-%m-%d %H:%M (UTC%:z)").to_string()
    });
    term.wrap(
        out,
        "",
        &format!(
            "Activity #{}: {} on {when}",
            a.id,
            a.sport.as_str().replace('_', " ")
        ),
    )?;
    let mut line = |label: &str, text: String| term.wrap(out, &format!("  {label:<10} "), &text);
    if a.distance_m > 0.0 {
        line(
            "Distance",
            format!(
                "{} at {}",
                render::distance(a.distance_m, units),
                render::pace(a.distance_m, a.moving_s, units)
            ),
        )?;
    }
    line(
        "Time",
        format!(
            "{} moving, {} elapsed",
            render::duration(a.moving_s),
            render::duration(a.elapsed_s)
        ),
    )?;
    let elevation = |v: Option<f64>| v.map_or("-".to_string(), |v| render::elevation(v, units));
    let mut climb = format!(
        "{} up, {} down",
        elevation(a.ascent_m),
        elevation(a.descent_m)
    );
    if a.descent_estimated {
        climb.push_str(" (descent estimated from the climb)");
    }
    if let Some(device) = a.device_descent_m {
        climb.push_str(&format!(
            "; the device said {} down",
            render::elevation(device, units)
        ));
    }
    line("Climb", climb)?;
    for (label, value) in [("Name", &a.name), ("Note", &a.note), ("Device", &a.device)] {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            line(label, render::printable(v).into_owned())?;
        }
    }
    line(
        "Source",
        format!(
            "{}: {}",
            a.source_kind.as_str(),
            render::printable(&a.source)
        ),
    )?;
    if !d.pain.is_empty() {
        let ratings: Vec<String> = d
            .pain
            .iter()
            .map(|p| format!("#{} {}/10 {} on {}", p.id, p.score, p.when.as_str(), p.date))
            .collect();
        line("Pain", ratings.join("; "))?;
    }
    match &d.problem {
        Some(problem) => line(
            "Doubt",
            format!(
                "{}; the estimates leave it out. Fix it with `kneeguard activities edit {}`, or \
                 if it is real, `kneeguard activities edit {} --confirm`.",
                render::words::implausible(problem, units),
                a.id,
                a.id
            ),
        )?,
        None if a.confirmed => line("Confirmed", "by you as real".to_string())?,
        None => {}
    }
    Ok(())
}

/// The activity's start moved to `date` and/or `time`, local to where it happened.
fn moved_start(
    a: &Activity,
    date: Option<NaiveDate>,
    time: Option<NaiveTime>,
) -> anyhow::Result<Option<DateTime<Utc>>> {
    if date.is_none() && time.is_none() {
        return Ok(None);
    }
    let local = local_start(a);
    let date = date.or(local.map(|t| t.date_naive())).ok_or_else(|| {
        anyhow::anyhow!(
            "activity #{} has no date: give --date as well as --time",
            a.id
        )
    })?;
    let time = time
        .or(local.map(|t| t.time()))
        .unwrap_or(NaiveTime::from_hms_opt(12, 0, 0).expect("noon"));
    let naive = date.and_time(time) - Duration::seconds(i64::from(a.utc_offset_s));
    Ok(Some(naive.and_utc()))
}

/// The change `args` asks for, with every number checked.
fn change_of(args: &EditArgs, a: &Activity) -> anyhow::Result<ActivityChange> {
    let distance_m = add::given_distance(args.km, args.mi);
    if let Some(distance) = &distance_m {
        add::check_distance(distance)?;
        anyhow::ensure!(
            !(args.sport.unwrap_or(a.sport).is_run() && distance.given == 0.0),
            "{} 0: a run needs its distance; to keep the session without one, give it \
             another sport with --sport",
            distance.flag
        );
    }
    if let Some(m) = args.minutes {
        add::check_minutes(m)?;
    }
    if let Some(d) = args.descent {
        add::check_descent(d)?;
    }
    let text = |v: &Option<String>| {
        v.as_ref()
            .map(|t| Some(t.trim().to_string()).filter(|t| !t.is_empty()))
    };
    let confirmed = match (args.confirm, args.unconfirm) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    };
    Ok(ActivityChange {
        sport: args.sport,
        start: moved_start(a, args.date, args.time)?,
        distance_m: distance_m.map(|d| d.metres),
        duration_s: args.minutes.map(|m| m * 60.0),
        descent_m: args.descent,
        name: text(&args.name),
        note: text(&args.note),
        confirmed,
    })
}

fn edit_activity(
    args: &EditArgs,
    ctx: &Context,
    store: &mut Store,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let a = the_activity(store, args.id)?;
    let change = change_of(args, &a)?;
    anyhow::ensure!(
        change != ActivityChange::default(),
        "nothing to change: give at least one of --date, --time, --km/--mi, --minutes, \
         --descent, --sport, --name, --note, --confirm/--unconfirm"
    );
    let numbers_changed = change.sport.is_some()
        || change.start.is_some()
        || change.distance_m.is_some()
        || change.duration_s.is_some();
    if numbers_changed {
        let record = Record {
            sport: change.sport.unwrap_or(a.sport),
            start: change.start.or(a.start),
            utc_offset_s: a.utc_offset_s,
            distance_m: change.distance_m.unwrap_or(a.distance_m),
            moving_s: change.duration_s.unwrap_or(a.moving_s),
            elapsed_s: change.duration_s.unwrap_or(a.elapsed_s),
        };
        if let Some(problem) = plausibility::impossible(&record, ctx.settings.today) {
            anyhow::bail!(
                "activity #{} would be impossible: {}; nothing was changed",
                a.id,
                render::words::implausible(&problem, ctx.settings.units)
            );
        }
    }
    store.update_activity(a.id, &change)?;
    let edited = the_activity(store, a.id)?;
    match ctx.format {
        OutputFormat::Json => render::json(out, &ActivityRecord::from_activity(&edited))?,
        OutputFormat::Csv => render::csv(out, &[ActivityRecord::from_activity(&edited)])?,
        OutputFormat::Table => {
            let changes = describe_changes(&a, &edited, ctx.settings.units);
            ctx.term.wrap(
                out,
                "",
                &format!("Activity #{}: {}.", a.id, changes.join("; ")),
            )?;
        }
    }
    Ok(())
}

/// "distance 200.0 km -> 20.0 km", one entry for each value that changed.
fn describe_changes(before: &Activity, after: &Activity, units: Units) -> Vec<String> {
    let mut changes = Vec::new();
    let mut note = |what: &str, old: String, new: String| {
        if old != new {
            changes.push(format!("{what} {old} -> {new}"));
        }
    };
    let start = |a: &Activity| {
        local_start(a).map_or("none".to_string(), |t| {
            t.format("%Y-%m-%d %H:%M").to_string()
        })
    };
    let text = |v: &Option<String>| v.clone().map_or("none".to_string(), |t| format!("{t:?}"));
    let elevation = |v: Option<f64>| v.map_or("none".to_string(), |v| render::elevation(v, units));
    note(
        "sport",
        before.sport.as_str().into(),
        after.sport.as_str().into(),
    );
    note("start", start(before), start(after));
    note(
        "distance",
        render::distance(before.distance_m, units),
        render::distance(after.distance_m, units),
    );
    note(
        "time",
        render::duration(before.moving_s),
        render::duration(after.moving_s),
    );
    note(
        "descent",
        elevation(before.descent_m),
        elevation(after.descent_m),
    );
    note("name", text(&before.name), text(&after.name));
    note("note", text(&before.note), text(&after.note));
    let confirmed = |a: &Activity| {
        if a.confirmed {
            "confirmed"
        } else {
            "not confirmed"
        }
        .to_string()
    };
    note("", confirmed(before), confirmed(after));
    if changes.is_empty() {
        changes.push("unchanged (the values were already these)".into());
    }
    changes
        .into_iter()
        .map(|c| c.trim_start().to_string())
        .collect()
}

fn summary(a: &Activity, units: Units) -> String {
    let date = local_start(a).map_or("no date".to_string(), |t| t.date_naive().to_string());
    let mut text = format!("{} on {date}", a.sport.as_str().replace('_', " "));
    if a.distance_m > 0.0 {
        text.push_str(&format!(", {}", render::distance(a.distance_m, units)));
    }
    text
}

fn delete(
    ids: &[i64],
    ctx: &Context,
    store: &mut Store,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let deleted = store.delete_activities(ids)?.map_err(|missing| {
        let list: Vec<String> = missing.iter().map(|i| format!("#{i}")).collect();
        anyhow::anyhow!(
            "no activity {}: nothing was deleted; `kneeguard activities` lists the ids",
            list.join(", ")
        )
    })?;
    if ctx.format == OutputFormat::Json {
        #[derive(Serialize)]
        struct Gone {
            #[serde(flatten)]
            activity: ActivityRecord,
            unlinked_pain: Vec<i64>,
        }
        let gone: Vec<Gone> = deleted
            .iter()
            .map(|d| Gone {
                activity: ActivityRecord::from_activity(&d.activity),
                unlinked_pain: d.unlinked_pain.clone(),
            })
            .collect();
        render::json(out, &gone)?;
        return Ok(());
    }
    for d in &deleted {
        let mut text = format!(
            "Deleted activity #{} ({}).",
            d.activity.id,
            summary(&d.activity, ctx.settings.units)
        );
        if !d.unlinked_pain.is_empty() {
            let list: Vec<String> = d.unlinked_pain.iter().map(|i| format!("#{i}")).collect();
            text.push_str(&format!(
                " Its pain ratings {} stay in the log, linked to no run.",
                list.join(", ")
            ));
        }
        ctx.term.wrap(out, "", &text)?;
    }
    let ids: Vec<String> = deleted.iter().map(|d| d.activity.id.to_string()).collect();
    ctx.term.wrap(
        out,
        "",
        &format!(
            "A re-import or sync leaves {} deleted; `kneeguard activities undelete {}` lets {} \
             back in.",
            if ids.len() == 1 { "it" } else { "them" },
            ids.join(" "),
            if ids.len() == 1 { "it" } else { "them" }
        ),
    )?;
    Ok(())
}

fn undelete(
    ids: &[i64],
    ctx: &Context,
    store: &mut Store,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let known: Vec<i64> = store.tombstones()?.iter().map(|t| t.activity_id).collect();
    let unknown: Vec<String> = ids
        .iter()
        .filter(|id| !known.contains(id))
        .map(|i| format!("#{i}"))
        .collect();
    anyhow::ensure!(
        unknown.is_empty(),
        "no deleted activity {}: `kneeguard activities deleted` lists them; nothing was changed",
        unknown.join(", ")
    );
    let lifted = store.undelete(ids)?;
    let records: Vec<super::export::DeletedRecord> = lifted
        .iter()
        .map(super::export::DeletedRecord::from)
        .collect();
    if ctx.format == OutputFormat::Json {
        render::json(out, &records)?;
        return Ok(());
    }
    for t in &lifted {
        let how = match t.source_kind {
            crate::model::SourceKind::Manual => {
                "it was entered by hand: add it again with `kneeguard add`".to_string()
            }
            crate::model::SourceKind::File => {
                format!("`kneeguard import {}` stores it again", t.source)
            }
            _ => "the next `kneeguard sync` stores it again".to_string(),
        };
        ctx.term.wrap(
            out,
            "",
            &format!("Activity #{} is no longer held back; {how}.", t.activity_id),
        )?;
    }
    Ok(())
}

fn deleted(ctx: &Context, store: &Store, out: &mut dyn Write) -> anyhow::Result<()> {
    let tombstones = store.tombstones()?;
    let records: Vec<super::export::DeletedRecord> = tombstones
        .iter()
        .map(super::export::DeletedRecord::from)
        .collect();
    match ctx.format {
        OutputFormat::Json => render::json(out, &records)?,
        OutputFormat::Csv => render::csv(out, &records)?,
        OutputFormat::Table if records.is_empty() => {
            ctx.term.wrap(out, "", "No deleted activities.")?
        }
        OutputFormat::Table => {
            #[derive(Tabled)]
            struct Gone {
                #[tabled(rename = "ID")]
                id: i64,
                #[tabled(rename = "Date")]
                date: String,
                #[tabled(rename = "Sport")]
                sport: String,
                #[tabled(rename = "Dist")]
                distance: String,
                #[tabled(rename = "Source")]
                source: String,
            }
            let rows = tombstones.iter().map(|t| Gone {
                id: t.activity_id,
                date: t
                    .start
                    .and_then(|s| {
                        FixedOffset::east_opt(t.utc_offset_s).map(|o| s.with_timezone(&o))
                    })
                    .map_or("(no date)".into(), |s| s.format("%Y-%m-%d").to_string()),
                sport: t.sport.as_str().replace('_', " "),
                distance: render::distance(t.distance_m, ctx.settings.units),
                source: format!(
                    "{}: {}",
                    t.source_kind.as_str(),
                    render::printable(&t.source)
                ),
            });
            writeln!(out, "{}", ctx.term.table(rows, &[0, 3]))?;
        }
    }
    Ok(())
}
