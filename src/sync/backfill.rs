//! The backfill: kneeguard's own descent for Strava runs that were synced with an estimate.
//!
//! Runs older than the stream window are stored with their descent estimated from the climb.
//! Each Strava sync then spends what the rate budget leaves on their altitude streams, newest
//! first, and measures their descent exactly as for new runs (`core::measure`), so a year of
//! history gets measured descent over a few syncs. Each run is updated in its own transaction:
//! a stopped or killed backfill loses nothing and the next sync goes on where it stopped. A run
//! whose streams Strava no longer has (a 404: deleted there) or whose streams have no altitude
//! keeps its estimate and gets a note, so that no sync asks for it again.
//!
//! intervals.icu needs none of this: it gives each activity's descent (`total_elevation_loss`).

use super::{
    apply_streams, note_descent, strava, strava_activity, Incoming, Progress, SyncError,
    SyncReport, SyncRequest, NOTE_NO_ALTITUDE, NOTE_NO_STREAMS,
};
use crate::db::{EstimatedDescent, Store};
use crate::model::SourceKind;
use crate::settings::Config;
use chrono_tz::Tz;
use serde_json::Value;

/// Requests of each rate-limit window that the backfill leaves unused beyond the configured
/// reserve, so that another sync in the same window still finds the new activities.
pub const KEEP_FOR_NEXT_SYNC: u32 = 10;

/// How the backfill may spend the rate budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// After a sync: what the windows leave. A limit (or a service that stops answering)
    /// ends the backfill without failing the sync and is never waited for; the next sync goes
    /// on.
    Spare,
    /// `sync --backfill`: the backfill is the job, so a limit stops the sync like any other
    /// (`--wait` sleeps through it).
    Asked,
}

/// One run to measure, newest first.
struct Pending {
    id: i64,
    strava_id: i64,
    incoming: Incoming,
}

/// Measures the descent of the runs synced with an estimate, newest first, while `budget`
/// allows.
pub(super) async fn backfill(
    client: &mut strava::StravaClient,
    store: &mut Store,
    config: &Config,
    request: &SyncRequest,
    budget: Budget,
    report: &mut SyncReport,
    progress: &mut dyn FnMut(Progress),
) -> Result<(), SyncError> {
    let runs = pending(store, request.tz)?;
    report.backfill_remaining = runs.len();
    progress(Progress::Listed(runs.len()));
    if budget == Budget::Spare {
        client.set_wait(false);
    }
    let before = client.counts.streams;
    let outcome = measure_each(client, store, config, runs, report, progress).await;
    report.backfill_requests = client.counts.streams - before;
    match outcome {
        // The sync itself is done: what stops the backfill waits for the next sync.
        Err(SyncError::RateLimited { .. }) if budget == Budget::Spare => Ok(()),
        Err(e) if budget == Budget::Spare && e.is_transient() => {
            report.backfill_stopped = Some(e.to_string());
            Ok(())
        }
        other => other,
    }
}

/// The synced Strava runs whose descent is still estimated and whose streams are worth asking
/// for (runs with GPS, not entered by hand), newest first.
fn pending(store: &Store, tz: Tz) -> Result<Vec<Pending>, SyncError> {
    let runs = store.estimated_descents(SourceKind::Strava)?;
    Ok(runs
        .into_iter()
        .filter_map(|EstimatedDescent { id, raw_json }| {
            let raw: Value = serde_json::from_str(raw_json.as_deref()?).ok()?;
            let incoming = strava_activity(&raw, tz);
            let strava_id = incoming.strava_id.filter(|_| incoming.wants_streams)?;
            Some(Pending {
                id,
                strava_id,
                incoming,
            })
        })
        .collect())
}

async fn measure_each(
    client: &mut strava::StravaClient,
    store: &mut Store,
    config: &Config,
    runs: Vec<Pending>,
    report: &mut SyncReport,
    progress: &mut dyn FnMut(Progress),
) -> Result<(), SyncError> {
    for run in runs {
        if let Some(window) = client.spent(KEEP_FOR_NEXT_SYNC) {
            // Stops (or, with `--wait` on `--backfill`, sleeps to the window's reset).
            client.hold(window).await?;
        }
        let streams = client.streams(run.strava_id).await?;
        let mut activity = run.incoming.activity;
        match streams {
            Some(streams) if apply_streams(&mut activity, &streams, &config.descent) => {
                let descent = activity.descent_m.unwrap_or_default();
                if store.replace_descent(run.id, descent, &activity.series)? {
                    report.backfilled += 1;
                }
            }
            Some(_) => note_descent(store, run.id, &activity, NOTE_NO_ALTITUDE, report)?,
            None => note_descent(store, run.id, &activity, NOTE_NO_STREAMS, report)?,
        }
        report.backfill_remaining -= 1;
        progress(Progress::Done(activity.name.unwrap_or_default()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Stored;
    use serde_json::json;

    /// Stores a synced Strava activity with its descent estimated; its id.
    fn synced(store: &mut Store, raw: Value) -> i64 {
        let activity = strava_activity(&raw, chrono_tz::UTC).activity;
        assert!(activity.descent_estimated);
        match store.store_activity(&activity, None).unwrap() {
            Stored::New(id) => id,
            other => panic!("{other:?}"),
        }
    }

    fn summary(id: i64, day: u32, sport: &str) -> Value {
        json!({
            "id": id,
            "name": format!("{sport} {id}"),
            "sport_type": sport,
            "start_date": format!("2026-03-{day:02}T07:00:00Z"),
            "utc_offset": 3600.0,
            "distance": 8000.0,
            "moving_time": 2700,
            "elapsed_time": 2800,
            "total_elevation_gain": 60.0,
            "manual": false,
            "trainer": false,
        })
    }

    #[test]
    fn only_runs_with_streams_to_ask_for_are_pending_newest_first() {
        let mut store = Store::open_in_memory().unwrap();
        let old = synced(&mut store, summary(1, 2, "Run"));
        let trail = synced(&mut store, summary(2, 3, "TrailRun"));
        synced(&mut store, summary(3, 4, "Ride"));
        let mut manual = summary(4, 5, "Run");
        manual["manual"] = json!(true);
        synced(&mut store, manual);
        let mut treadmill = summary(5, 6, "Run");
        treadmill["trainer"] = json!(true);
        synced(&mut store, treadmill);
        let newest = synced(&mut store, summary(6, 7, "Run"));
        let pending = pending(&store, chrono_tz::UTC).unwrap();
        let ids: Vec<(i64, i64)> = pending.iter().map(|p| (p.id, p.strava_id)).collect();
        assert_eq!(ids, [(newest, 6), (trail, 2), (old, 1)]);
        // rebuilt from the stored summary, as a new run would be
        assert_eq!(pending[0].incoming.activity.name.as_deref(), Some("Run 6"));
        assert_eq!(pending[0].incoming.activity.utc_offset_s, 3600);
    }
}
