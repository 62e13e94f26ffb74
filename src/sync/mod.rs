//! `sync`: recent activities from Strava and intervals.icu into the store.
//!
//! A sync starts a day before the newest activity it synced last time and asks for everything
//! after it (Strava answers oldest first with `after`), page by page until an empty page. Each
//! activity is stored in its own transaction, in start order, so a sync stopped at any point
//! (Ctrl-C, a rate limit, a dead connection) loses nothing and the next one goes on from the
//! newest stored run without duplicates. Runs already imported from a file are recognised by
//! start time and distance and get the API id recorded instead of a second copy.
//!
//! Strava's summaries carry no descent, so runs of the last weeks get their altitude streams
//! and kneeguard's own descent (the same algorithm as for files); older runs get descent
//! estimated from their climb, marked as estimated, until the backfill (`backfill.rs`) measures
//! them with what the rate budget leaves. Records no runner can make are refused with the
//! reason, as the importer refuses them.

pub mod backfill;
pub mod http;
pub mod intervals;
pub mod rate_limit;
pub mod strava;
pub mod tokens;

use crate::core::measure;
use crate::core::plausibility::{self, Implausible, Record};
use crate::db::series::EncodedSeries;
use crate::db::{MatchRule, Store, Stored};
use crate::model::{AltitudeSource, DeviceTotals, NewActivity, ParsedActivity, Sample, SourceKind};
use crate::render::words;
use crate::settings::{Config, Units};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashSet;
use std::path::Path;

/// At most this many list pages in one sync (200 activities each).
const MAX_PAGES: u32 = 5000;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(
        "no Strava API application configured: create one at https://www.strava.com/settings/api \
         and set KNEEGUARD_STRAVA_CLIENT_ID and KNEEGUARD_STRAVA_CLIENT_SECRET (or [strava] \
         client_id and client_secret in the config)"
    )]
    MissingClient,
    #[error("kneeguard is not connected to Strava: run `kneeguard auth strava` first")]
    NotAuthorized,
    #[error(
        "Strava refused the refresh token (it was replaced or revoked): run `kneeguard auth strava` again"
    )]
    GrantRevoked,
    #[error("Strava refused the access token ({0}): run `kneeguard auth strava` again")]
    Unauthorized(String),
    #[error(
        "Strava refused the authorization code (wrong, used already or expired): run \
         `kneeguard auth strava` again and use the new code at once"
    )]
    BadCode,
    #[error(
        "Strava refused the client id or secret ({0}): check KNEEGUARD_STRAVA_CLIENT_ID and \
         KNEEGUARD_STRAVA_CLIENT_SECRET against https://www.strava.com/settings/api"
    )]
    BadClient(String),
    #[error(
        "the Strava authorization lacks the `{0}` scope: run `kneeguard auth strava` again and \
         leave \"View data about your private activities\" ticked"
    )]
    MissingScope(String),
    #[error("access on Strava was not granted ({0}): run `kneeguard auth strava` again and choose Authorize")]
    Denied(String),
    #[error("the redirect did not carry the state kneeguard sent (another login?): run `kneeguard auth strava` again")]
    StateMismatch,
    #[error(
        "no redirect from Strava arrived in time: run `kneeguard auth strava` again, or paste \
         the code with `kneeguard auth strava --code CODE`"
    )]
    AuthTimeout,
    #[error(
        "no intervals.icu API key: set KNEEGUARD_INTERVALS_API_KEY (intervals.icu Settings → \
         Developer Settings) or [intervals] api_key in the config"
    )]
    MissingIntervalsKey,
    #[error(
        "intervals.icu refused the API key ({0}): check KNEEGUARD_INTERVALS_API_KEY and \
         [intervals] athlete_id (\"0\" is the key's owner)"
    )]
    IntervalsAccess(String),
    #[error("rate limit reached; run again after {resume_after}")]
    RateLimited {
        resume_after: DateTime<Utc>,
        daily: bool,
    },
    #[error("{service} answered {status} to {what}: {message}")]
    Api {
        service: &'static str,
        what: String,
        status: u16,
        message: String,
    },
    #[error(
        "{service} did not answer {what} after {tries} tries ({last}); run the sync again later"
    )]
    Unavailable {
        service: &'static str,
        what: String,
        tries: u32,
        last: String,
    },
    #[error("cannot reach {service} for {what}: {message}")]
    Network {
        service: &'static str,
        what: String,
        message: String,
    },
    #[error("cannot read {service}'s answer to {what}: {message}")]
    Decode {
        service: &'static str,
        what: String,
        message: String,
    },
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
    #[error(transparent)]
    Tokens(#[from] tokens::TokenError),
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
}

impl SyncError {
    /// Whether running again later may simply work (rate limits, server trouble).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            SyncError::RateLimited { .. }
                | SyncError::Unavailable { .. }
                | SyncError::Network { .. }
        )
    }
}

/// The current instant without reading the clock: the entry layer's wall-clock reading plus
/// the monotonic time elapsed since.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    start: DateTime<Utc>,
    since: std::time::Instant,
}

impl Clock {
    pub fn new(wall_clock: DateTime<Utc>) -> Clock {
        // The one clock read outside the entry point: a monotonic start, so that a long sync
        // follows the rate-limit windows without reading the wall clock again.
        #[allow(
            clippy::disallowed_methods,
            reason = "monotonic time since the entry point's wall-clock reading"
        )]
        let since = std::time::Instant::now();
        Clock {
            start: wall_clock,
            since,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.start + Duration::from_std(self.since.elapsed()).unwrap_or_default()
    }
}

/// Which service to sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Strava,
    Intervals,
}

/// What one sync is asked to do.
#[derive(Debug, Clone)]
pub struct SyncRequest {
    /// The local date the stream window counts back from.
    pub today: NaiveDate,
    pub tz: Tz,
    pub clock: Clock,
    /// Sleep to the end of a rate-limit window and go on, instead of stopping.
    pub wait: bool,
    /// Start here instead of at the newest synced activity.
    pub since: Option<NaiveDate>,
    /// Only measure the descent of runs synced with an estimate (`sync --backfill`).
    pub backfill_only: bool,
}

/// What a sync did; the field names are a stable JSON interface.
#[derive(Debug, Default, Serialize)]
pub struct SyncReport {
    pub source: String,
    /// Activities the service listed (each counted once).
    pub fetched: usize,
    /// Stored as new activities.
    pub new: usize,
    /// Already synced and changed on the service since (name, type, distance...).
    pub updated: usize,
    /// Already synced and unchanged.
    pub unchanged: usize,
    /// The same run already stored from a file or another service.
    pub duplicates: usize,
    /// intervals.icu stubs of Strava activities (empty; sync Strava for them).
    pub stubs_skipped: usize,
    /// Runs whose streams were fetched (their descent is kneeguard's own).
    pub streams_fetched: usize,
    /// New activities with descent estimated from the climb.
    pub descent_estimated: usize,
    /// HTTP requests to the service's API, retries included (token requests apart).
    pub requests: u32,
    pub list_requests: u32,
    pub streams_requests: u32,
    pub token_requests: u32,
    /// The sync stopped at a rate limit.
    pub rate_limited: bool,
    /// When the rate-limit window resets (RFC 3339), when it stopped at one.
    pub resume_after: Option<DateTime<Utc>>,
    /// The first day whose runs get streams.
    pub stream_window_start: Option<NaiveDate>,
    /// Activities started after this instant were asked for.
    pub after: Option<DateTime<Utc>>,
    /// Whether everything was synced.
    pub complete: bool,
    /// Why the sync stopped early, if it did.
    pub error: Option<String>,
    /// The ids of the new activities.
    pub new_ids: Vec<i64>,
    /// intervals.icu wellness days with soreness, injury or a comment (not kneeguard's pain log).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub wellness: Vec<intervals::WellnessDay>,
    /// Only the backfill was asked for (`sync --backfill`): nothing was listed.
    pub backfill_only: bool,
    /// Runs synced earlier whose estimated descent is now measured from their streams.
    pub backfilled: usize,
    /// Runs whose descent is still estimated and whose streams are still to be fetched.
    pub backfill_remaining: usize,
    /// Streams requests spent on the backfill (counted in `streams_requests` too).
    pub backfill_requests: u32,
    /// Why the backfill after a sync stopped before the rate budget was spent (the service
    /// stopped answering); the next sync goes on.
    pub backfill_stopped: Option<String>,
    /// Runs found without altitude on the service in this sync: their descent stays estimated.
    pub descent_notes: Vec<DescentNote>,
    /// Activities refused because no runner can make them (not stored, or not updated).
    pub refused: usize,
    /// Each refused activity and why.
    pub refusals: Vec<Refusal>,
    /// The error itself, for the exit code.
    #[serde(skip)]
    pub failure: Option<SyncError>,
}

/// A run whose descent stays estimated because the service has no altitude for it; it is
/// not asked for again.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DescentNote {
    pub activity_id: i64,
    pub external_id: String,
    pub date: Option<NaiveDate>,
    pub name: Option<String>,
    pub note: &'static str,
}

/// The note of a run whose streams Strava no longer has.
pub const NOTE_NO_STREAMS: &str =
    "Strava has no streams for this run (deleted there?): its descent stays estimated";
/// The note of a run whose streams carry no usable altitude.
pub const NOTE_NO_ALTITUDE: &str =
    "Strava's streams of this run have no altitude: its descent stays estimated";

/// An activity from a service that no runner can have made, refused with the reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Refusal {
    pub external_id: String,
    pub name: Option<String>,
    pub date: Option<NaiveDate>,
    /// The stored activity kept as it was, when the refused record was an edit of it.
    pub kept_id: Option<i64>,
    pub problem: Implausible,
    /// The problem and what to do, in words (metric).
    pub reason: String,
}

/// Progress of a sync, for a progress bar.
#[derive(Debug, Clone)]
pub enum Progress {
    /// More activities are known.
    Listed(usize),
    /// One more activity is done; its name.
    Done(String),
}

/// One activity from a service, converted.
struct Incoming {
    activity: NewActivity,
    /// The Strava id, for the streams request.
    strava_id: Option<i64>,
    /// Whether its streams are worth fetching (a run with GPS, not entered by hand).
    wants_streams: bool,
}

/// Syncs Strava into `store`.
pub async fn sync_strava(
    store: &mut Store,
    config: &Config,
    token_path: &Path,
    request: &SyncRequest,
    progress: &mut dyn FnMut(Progress),
) -> Result<SyncReport, SyncError> {
    let app = strava::StravaApp::from_config(&config.strava)?;
    let http = http_client(config)?;
    let mut client = strava::StravaClient::new(
        http,
        app,
        token_path,
        request.clock,
        config.sync.rate_limit_reserve,
        request.wait,
    )?;
    let mut report = SyncReport {
        source: "strava".into(),
        ..SyncReport::default()
    };
    let outcome = if request.backfill_only {
        report.backfill_only = true;
        backfill::backfill(
            &mut client,
            store,
            config,
            request,
            backfill::Budget::Asked,
            &mut report,
            progress,
        )
        .await
    } else {
        strava_sync_and_backfill(&mut client, store, config, request, &mut report, progress).await
    };
    report.list_requests = client.counts.list;
    report.streams_requests = client.counts.streams;
    report.token_requests = client.counts.token;
    report.requests = client.api_requests();
    finish(&mut report, outcome);
    Ok(report)
}

/// The new activities, then the backfill with what the rate budget leaves.
async fn strava_sync_and_backfill(
    client: &mut strava::StravaClient,
    store: &mut Store,
    config: &Config,
    request: &SyncRequest,
    report: &mut SyncReport,
    progress: &mut dyn FnMut(Progress),
) -> Result<(), SyncError> {
    let after = start_after(store, "strava:", config, request)?;
    let window_start = request.today - Duration::weeks(config.sync.stream_window_weeks.max(0));
    report.stream_window_start = Some(window_start);
    report.after = Some(after);
    let rule = config.import.match_rule();
    strava_pages(
        client,
        store,
        config,
        request,
        rule,
        after,
        window_start,
        report,
        progress,
    )
    .await?;
    let spare = backfill::Budget::Spare;
    backfill::backfill(client, store, config, request, spare, report, progress).await
}

#[allow(clippy::too_many_arguments)]
async fn strava_pages(
    client: &mut strava::StravaClient,
    store: &mut Store,
    config: &Config,
    request: &SyncRequest,
    rule: MatchRule,
    after: DateTime<Utc>,
    window_start: NaiveDate,
    report: &mut SyncReport,
    progress: &mut dyn FnMut(Progress),
) -> Result<(), SyncError> {
    let mut seen = HashSet::new();
    for page in 1..=MAX_PAGES {
        let mut list = client
            .list_page(after.timestamp(), page, config.sync.per_page)
            .await?;
        // Only an empty page ends the list: Strava returns short pages before the end.
        if list.is_empty() {
            return Ok(());
        }
        // Oldest first (as `after` gives them), so a stop keeps a gap-free prefix.
        list.sort_by_key(start_of);
        let fresh: Vec<Value> = list
            .into_iter()
            .filter(|a| a["id"].as_i64().is_some_and(|id| seen.insert(id)))
            .collect();
        report.fetched += fresh.len();
        progress(Progress::Listed(fresh.len()));
        for raw in fresh {
            let Incoming {
                mut activity,
                strava_id,
                wants_streams,
            } = strava_activity(&raw, request.tz);
            let name = activity.name.clone().unwrap_or_default();
            if !settle_known(store, &activity, rule, request.today, report)?
                && !refused(&activity, None, request.today, report)
            {
                let in_window = local_date(&activity).is_some_and(|d| d >= window_start);
                let mut note = None;
                if let (true, true, Some(id)) = (wants_streams, in_window, strava_id) {
                    // A 404 (deleted, or entered by hand) is normal: the estimate stays.
                    note = match client.streams(id).await? {
                        Some(streams) => {
                            report.streams_fetched += 1;
                            (!apply_streams(&mut activity, &streams, &config.descent))
                                .then_some(NOTE_NO_ALTITUDE)
                        }
                        None => Some(NOTE_NO_STREAMS),
                    };
                }
                let id = store_new(store, &activity, rule, report)?;
                if let (Some(id), Some(note)) = (id, note) {
                    // Its own small transaction after the run's: a kill in between costs one
                    // more streams request later, never the run.
                    note_descent(store, id, &activity, note, report)?;
                }
            }
            progress(Progress::Done(name));
        }
    }
    Ok(())
}

/// Settles an activity already stored: updates it when it was synced before and changed on
/// the service since (unless the change is impossible), links it when the same run is stored
/// from a file. `false`: it is new.
fn settle_known(
    store: &mut Store,
    activity: &NewActivity,
    rule: MatchRule,
    today: NaiveDate,
    report: &mut SyncReport,
) -> Result<bool, SyncError> {
    let external = activity.external_id.clone().unwrap_or_default();
    if let Some(known) = store.find_external(&external)? {
        let changed =
            known.source_kind == activity.source_kind && known.raw_json != activity.raw_json;
        if changed && refused(activity, Some(known.id), today, report) {
            return Ok(true);
        }
        if changed {
            // Streams-based descent stays; an estimate follows the new climb.
            store.update_api_activity(known.id, activity, known.descent_estimated)?;
            report.updated += 1;
        } else {
            report.unchanged += 1;
        }
        return Ok(true);
    }
    if let Some(id) = store.find_duplicate(activity, rule)? {
        store.set_external_id(id, &external)?;
        report.duplicates += 1;
        return Ok(true);
    }
    Ok(false)
}

/// Stores a new activity in its own transaction; its id when it was stored.
fn store_new(
    store: &mut Store,
    activity: &NewActivity,
    rule: MatchRule,
    report: &mut SyncReport,
) -> Result<Option<i64>, SyncError> {
    match store.store_activity(activity, Some(rule))? {
        Stored::New(id) => {
            report.new += 1;
            report.new_ids.push(id);
            if activity.descent_estimated {
                report.descent_estimated += 1;
            }
            Ok(Some(id))
        }
        // A run the runner deleted stays deleted; it is counted with the runs already there.
        Stored::Duplicate(_) | Stored::Deleted(_) => {
            report.duplicates += 1;
            Ok(None)
        }
    }
}

/// Whether no runner can have made `activity` (as `core::plausibility` judges it on `today`,
/// like the importer); a refusal goes into the report with the reason, nothing is stored.
/// `kept` is the stored activity it would have changed.
fn refused(
    activity: &NewActivity,
    kept: Option<i64>,
    today: NaiveDate,
    report: &mut SyncReport,
) -> bool {
    let Some(problem) = plausibility::impossible(&Record::of_new(activity), today) else {
        return false;
    };
    let date = local_date(activity);
    let (service, source) = match activity.source_kind {
        SourceKind::Intervals => ("intervals.icu", " --source intervals"),
        _ => ("Strava", ""),
    };
    let since = date.map_or(String::new(), |d| format!(" --since {d}"));
    let reason = format!(
        "{}; correct or delete it on {service}, then run `kneeguard sync{source}{since}`",
        words::implausible(&problem, Units::Km)
    );
    report.refused += 1;
    report.refusals.push(Refusal {
        external_id: activity.external_id.clone().unwrap_or_default(),
        name: activity.name.clone(),
        date,
        kept_id: kept,
        problem,
        reason,
    });
    true
}

/// Records that a run's descent stays estimated, in the store and in the report.
fn note_descent(
    store: &mut Store,
    id: i64,
    activity: &NewActivity,
    note: &'static str,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    store.set_descent_note(id, note)?;
    report.descent_notes.push(DescentNote {
        activity_id: id,
        external_id: activity.external_id.clone().unwrap_or_default(),
        date: local_date(activity),
        name: activity.name.clone(),
        note,
    });
    Ok(())
}

/// The local day an activity started on.
fn local_date(activity: &NewActivity) -> Option<NaiveDate> {
    let start = activity.start?;
    let local = start.checked_add_signed(Duration::seconds(activity.utc_offset_s.into()))?;
    Some(local.date_naive())
}

/// Syncs intervals.icu into `store`.
pub async fn sync_intervals(
    store: &mut Store,
    config: &Config,
    request: &SyncRequest,
    progress: &mut dyn FnMut(Progress),
) -> Result<SyncReport, SyncError> {
    let http = http_client(config)?;
    let mut client =
        intervals::IntervalsClient::new(http, &config.intervals, request.clock, request.wait)?;
    let after = start_after(store, "intervals:", config, request)?;
    let first = after.with_timezone(&request.tz).date_naive();
    let mut report = SyncReport {
        source: "intervals".into(),
        after: Some(after),
        ..SyncReport::default()
    };
    let rule = config.import.match_rule();
    let mut list_requests = None;
    let outcome = async {
        let step = config.intervals.window_days.max(1);
        let mut oldest = first;
        // Date windows, oldest first: the API has no paging.
        while oldest <= request.today {
            let newest = (oldest + Duration::days(step - 1)).min(request.today);
            let mut list = client.activities(oldest, newest).await?;
            let before = list.len();
            list.retain(|a| !is_stub(a));
            report.stubs_skipped += before - list.len();
            list.sort_by_key(start_of);
            report.fetched += list.len();
            progress(Progress::Listed(list.len()));
            for raw in list {
                let activity = intervals_activity(&raw, request.tz).activity;
                if !settle_known(store, &activity, rule, request.today, &mut report)?
                    && !refused(&activity, None, request.today, &mut report)
                {
                    store_new(store, &activity, rule, &mut report)?;
                }
                progress(Progress::Done(activity.name.clone().unwrap_or_default()));
            }
            oldest = newest + Duration::days(1);
        }
        list_requests = Some(client.requests());
        let wellness_from = first.max(request.today - Duration::days(27));
        report.wellness = client.wellness(wellness_from, request.today).await?;
        Ok(())
    }
    .await;
    report.requests = client.requests();
    // the wellness request is neither a list of activities nor a stream
    report.list_requests = list_requests.unwrap_or(report.requests);
    finish(&mut report, outcome);
    Ok(report)
}

fn finish(report: &mut SyncReport, outcome: Result<(), SyncError>) {
    match outcome {
        Ok(()) => report.complete = true,
        Err(e) => {
            if let SyncError::RateLimited { resume_after, .. } = &e {
                report.rate_limited = true;
                report.resume_after = Some(*resume_after);
            }
            report.error = Some(e.to_string());
            report.failure = Some(e);
        }
    }
}

fn http_client(config: &Config) -> Result<http::Http, SyncError> {
    let timeout = config.sync.timeout();
    let delay = std::time::Duration::from_millis(config.sync.retry_delay_ms);
    http::Http::new(timeout, config.sync.tries, delay)
}

/// Where a sync starts: `--since`, else a day (the overlap) before the newest activity synced
/// from this service, else `first_sync_days` ago.
fn start_after(
    store: &Store,
    prefix: &str,
    config: &Config,
    request: &SyncRequest,
) -> Result<DateTime<Utc>, SyncError> {
    let local_midnight = |day: NaiveDate| {
        let t = day.and_hms_opt(0, 0, 0).unwrap_or_default();
        request
            .tz
            .from_local_datetime(&t)
            .earliest()
            .map_or_else(|| t.and_utc(), |l| l.with_timezone(&Utc))
    };
    if let Some(day) = request.since {
        return Ok(local_midnight(day));
    }
    Ok(match store.newest_external_start(prefix)? {
        Some(newest) => newest - Duration::days(config.sync.overlap_days.max(0)),
        None => local_midnight(request.today - Duration::days(config.sync.first_sync_days.max(1))),
    })
}

/// The first 200 characters of a body that is not JSON (an HTML error page).
pub(crate) fn truncate_body(body: &str) -> String {
    crate::render::truncate(body.trim(), 200)
}

fn start_of(activity: &Value) -> Option<DateTime<Utc>> {
    activity["start_date"]
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// `TrailRun` → `trail run`, as the bulk export spells the types.
fn spaced(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// Watches known to record barometric altitude; everything else is taken as GPS altitude.
fn altitude_source(device: Option<&str>) -> AltitudeSource {
    const BAROMETRIC: [&str; 8] = [
        "fenix",
        "fēnix",
        "epix",
        "enduro",
        "forerunner 9",
        "vertix",
        "suunto 9",
        "instinct",
    ];
    let device = device.unwrap_or_default().to_lowercase();
    if BAROMETRIC.iter().any(|b| device.contains(b)) {
        AltitudeSource::Barometric
    } else {
        AltitudeSource::Gps
    }
}

fn number(v: &Value) -> Option<f64> {
    v.as_f64().filter(|x| x.is_finite())
}

/// An activity as both services describe it; the descent is estimated from the climb until
/// streams (or a figure from the service) say better.
fn base_activity(raw: &Value, kind: SourceKind, external_id: String, tz: Tz) -> NewActivity {
    let label = raw["sport_type"]
        .as_str()
        .or(raw["type"].as_str())
        .unwrap_or("")
        .to_string();
    let sport = crate::import::strava_csv::sport_from_type(&spaced(&label));
    let start = start_of(raw);
    let offset = number(&raw["utc_offset"])
        .map(|o| o as i32)
        .or_else(|| {
            let local = raw["start_date_local"].as_str()?;
            let local =
                NaiveDateTime::parse_from_str(local.trim_end_matches('Z'), "%Y-%m-%dT%H:%M:%S")
                    .ok()?;
            Some((local - start?.naive_utc()).num_seconds() as i32)
        })
        .or_else(|| {
            start.map(|s| {
                use chrono::Offset;
                tz.offset_from_utc_datetime(&s.naive_utc())
                    .fix()
                    .local_minus_utc()
            })
        })
        .unwrap_or(0);
    let distance = number(&raw["distance"])
        .or(number(&raw["icu_distance"]))
        .unwrap_or(0.0);
    let moving = number(&raw["moving_time"]).unwrap_or(0.0);
    let elapsed = number(&raw["elapsed_time"]).unwrap_or(moving);
    let gain = number(&raw["total_elevation_gain"]);
    let device = raw["device_name"].as_str().map(str::to_string);
    NewActivity {
        sport,
        sport_label: (!label.is_empty()).then_some(label),
        start,
        utc_offset_s: offset,
        distance_m: distance,
        moving_s: moving,
        elapsed_s: elapsed,
        ascent_m: gain,
        // A loop descends what it climbs.
        descent_m: gain,
        descent_estimated: gain.is_some(),
        device_totals: DeviceTotals {
            distance_m: number(&raw["distance"]),
            timer_s: number(&raw["moving_time"]),
            elapsed_s: number(&raw["elapsed_time"]),
            ascent_m: gain,
            descent_m: None,
        },
        name: raw["name"].as_str().map(str::to_string),
        note: None,
        device,
        source_kind: kind,
        source: external_id.clone(),
        content_hash: None,
        session_index: None,
        external_id: Some(external_id),
        raw_json: Some(raw.to_string()),
        series: Default::default(),
    }
}

/// A Strava SummaryActivity.
fn strava_activity(raw: &Value, tz: Tz) -> Incoming {
    let id = raw["id"].as_i64();
    let activity = base_activity(
        raw,
        SourceKind::Strava,
        format!("strava:{}", id.unwrap_or_default()),
        tz,
    );
    let manual = raw["manual"].as_bool().unwrap_or(false);
    let trainer = raw["trainer"].as_bool().unwrap_or(false);
    Incoming {
        wants_streams: activity.sport.is_run() && !manual && !trainer,
        activity,
        strava_id: id,
    }
}

/// An intervals.icu activity; `total_elevation_loss` is its descent.
fn intervals_activity(raw: &Value, tz: Tz) -> Incoming {
    let id = match &raw["id"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut activity = base_activity(raw, SourceKind::Intervals, format!("intervals:{id}"), tz);
    if let Some(loss) = number(&raw["total_elevation_loss"]) {
        activity.descent_m = Some(loss);
        activity.descent_estimated = false;
        activity.device_totals.descent_m = Some(loss);
    }
    Incoming {
        activity,
        strava_id: None,
        wants_streams: false,
    }
}

/// An intervals.icu stub of a Strava activity: nothing but an id, a date and the source.
fn is_stub(raw: &Value) -> bool {
    raw["source"].as_str() == Some("STRAVA")
        || raw["distance"].is_null() && raw["moving_time"].is_null()
}

/// Computes descent and the series from streams with the same algorithm as for files;
/// `false` when the streams give no descent (no usable altitude) and the estimate stays.
fn apply_streams(
    activity: &mut NewActivity,
    streams: &strava::Streams,
    settings: &crate::core::descent::DescentSettings,
) -> bool {
    let len = [
        streams.time.len(),
        streams.distance.len(),
        streams.altitude.len(),
        streams.latlng.len(),
    ]
    .into_iter()
    .max()
    .unwrap_or(0);
    let Some(start) = activity.start else {
        return false;
    };
    let finite = |v: Option<&f64>| v.copied().filter(|x| x.is_finite());
    let samples: Vec<Sample> = (0..len)
        .map(|i| Sample {
            time: finite(streams.time.get(i))
                .map(|t| start + Duration::milliseconds((t * 1000.0) as i64)),
            position: streams
                .latlng
                .get(i)
                .copied()
                .filter(|(a, b)| a.is_finite() && b.is_finite()),
            distance_m: finite(streams.distance.get(i)),
            altitude_m: finite(streams.altitude.get(i)),
        })
        .collect();
    let parsed = ParsedActivity {
        sport: Some(activity.sport),
        start: Some(start),
        altitude_source: altitude_source(activity.device.as_deref()),
        totals: activity.device_totals,
        samples,
        ..ParsedActivity::default()
    };
    let measured = measure::measure(&parsed, settings);
    apply_measured(activity, measured)
}

fn apply_measured(activity: &mut NewActivity, measured: measure::Measured) -> bool {
    activity.series = EncodedSeries::new(&measured.series);
    let Some(descent) = measured.descent_m else {
        return false;
    };
    activity.descent_m = Some(descent);
    activity.descent_estimated = false;
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Vec<Value> {
        serde_json::from_str(include_str!(
            "../../tests/fixtures/strava_api/athlete_activities_page1.json"
        ))
        .unwrap()
    }

    #[test]
    fn strava_summaries_convert() {
        let list = page();
        let run = strava_activity(&list[0], chrono_tz::UTC);
        let a = &run.activity;
        assert_eq!(a.sport, crate::model::Sport::Run);
        assert_eq!(a.external_id.as_deref(), Some("strava:15000000003"));
        assert_eq!(a.utc_offset_s, 7200);
        assert_eq!(a.distance_m, 10234.5);
        assert_eq!(a.descent_m, Some(142.0));
        assert!(a.descent_estimated);
        assert!(run.wants_streams);
        let trail = strava_activity(&list[1], chrono_tz::UTC);
        assert_eq!(trail.activity.sport, crate::model::Sport::TrailRun);
        let manual = strava_activity(&list[3], chrono_tz::UTC);
        assert!(!manual.wants_streams);
    }

    #[test]
    fn intervals_activities_convert_and_stubs_are_recognised() {
        let list: Vec<Value> = serde_json::from_str(include_str!(
            "../../tests/fixtures/intervals_api/athlete_activities.json"
        ))
        .unwrap();
        let a = intervals_activity(&list[0], chrono_tz::UTC).activity;
        assert_eq!(a.external_id.as_deref(), Some("intervals:i90000003"));
        assert_eq!(a.descent_m, Some(139.8));
        assert!(!a.descent_estimated);
        assert_eq!(a.utc_offset_s, 7200);
        assert!(!is_stub(&list[0]));
        assert!(is_stub(&list[1]));
    }

    #[test]
    fn streams_give_kneeguards_own_descent() {
        let mut a = strava_activity(&page()[0], chrono_tz::UTC).activity;
        // 10 minutes down a 60 m slope, one sample a second
        let n = 600;
        let streams = strava::Streams {
            time: (0..n).map(f64::from).collect(),
            distance: (0..n).map(|i| f64::from(i) * 3.0).collect(),
            altitude: (0..n).map(|i| 100.0 - f64::from(i) * 0.1).collect(),
            latlng: Vec::new(),
        };
        apply_streams(&mut a, &streams, &Default::default());
        assert!(!a.descent_estimated);
        let d = a.descent_m.unwrap();
        assert!((d - 59.9).abs() < 6.0, "{d}");
        assert_eq!(a.series.len(), n as usize);
        assert_eq!(
            altitude_source(Some("Garmin fēnix 7")),
            AltitudeSource::Barometric
        );
        assert_eq!(
            altitude_source(Some("Strava iPhone App")),
            AltitudeSource::Gps
        );
    }
}
