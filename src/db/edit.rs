//! The runner fixing their data: one activity read, edited or deleted (deleted ones leave a
//! tombstone, so that a re-import or sync does not bring them back), pain ratings imported in
//! one transaction, and an online backup of the whole database.

use super::{activity_from_row, same_run, DbError, MatchRule, Result, Store};
use crate::model::{Activity, Category, NewActivity, PainEntry, Side, SourceKind, Sport};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;

/// The runner's corrections to one activity; `None` leaves a value as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActivityChange {
    pub sport: Option<Sport>,
    pub start: Option<DateTime<Utc>>,
    pub distance_m: Option<f64>,
    /// Sets the moving and the elapsed time.
    pub duration_s: Option<f64>,
    /// The runner's own descent (no longer an estimate).
    pub descent_m: Option<f64>,
    /// `Some(None)` clears it.
    pub name: Option<Option<String>>,
    pub note: Option<Option<String>>,
    pub confirmed: Option<bool>,
}

/// What deleting one activity did.
#[derive(Debug, Clone, PartialEq)]
pub struct Deleted {
    pub activity: Activity,
    /// Pain ratings that were linked to it and are now linked to no run.
    pub unlinked_pain: Vec<i64>,
}

/// A deleted activity, remembered so that it stays deleted.
#[derive(Debug, Clone, PartialEq)]
pub struct Tombstone {
    /// The id the activity had.
    pub activity_id: i64,
    pub sport: Sport,
    pub start: Option<DateTime<Utc>>,
    pub utc_offset_s: i32,
    pub distance_m: f64,
    pub name: Option<String>,
    pub source_kind: SourceKind,
    pub source: String,
    pub external_id: Option<String>,
    pub deleted_at: String,
}

const ACTIVITY_SELECT: &str = "SELECT id, sport, start_ts, utc_offset_s, distance_m, moving_s,
        elapsed_s, ascent_m, descent_m, device_descent_m, name, note, device, source_kind, source,
        descent_estimated, confirmed
    FROM activities";

impl Store {
    /// One activity, or `None` when there is none with this id.
    pub fn activity(&self, id: i64) -> Result<Option<Activity>> {
        Ok(self
            .conn
            .query_row(
                &format!("{ACTIVITY_SELECT} WHERE id = ?1"),
                [id],
                activity_from_row,
            )
            .optional()?)
    }

    /// The pain ratings linked to an activity, by id.
    pub fn pain_linked_to(&self, activity_id: i64) -> Result<Vec<i64>> {
        linked_pain(&self.conn, activity_id)
    }

    /// Applies the runner's corrections in one transaction; `false` when there is no such
    /// activity. A new sport drops the service's own label of it.
    pub fn update_activity(&mut self, id: i64, change: &ActivityChange) -> Result<bool> {
        let tx = self.write_transaction()?;
        let changed = tx.execute(
            "UPDATE activities SET
                sport_label = CASE WHEN ?2 IS NULL OR ?2 = sport THEN sport_label ELSE NULL END,
                sport = coalesce(?2, sport),
                start_ts = coalesce(?3, start_ts),
                distance_m = coalesce(?4, distance_m),
                moving_s = coalesce(?5, moving_s),
                elapsed_s = coalesce(?5, elapsed_s),
                descent_m = coalesce(?6, descent_m),
                descent_estimated = CASE WHEN ?6 IS NULL THEN descent_estimated ELSE 0 END,
                name = CASE WHEN ?7 THEN ?8 ELSE name END,
                note = CASE WHEN ?9 THEN ?10 ELSE note END,
                confirmed = coalesce(?11, confirmed)
             WHERE id = ?1",
            params![
                id,
                change.sport.map(Sport::as_str),
                change.start.map(|s| s.timestamp()),
                change.distance_m,
                change.duration_s,
                change.descent_m,
                change.name.is_some(),
                change.name.clone().flatten(),
                change.note.is_some(),
                change.note.clone().flatten(),
                change.confirmed,
            ],
        )?;
        tx.commit()?;
        Ok(changed == 1)
    }

    /// Deletes activities in one transaction, each leaving a tombstone; their pain ratings stay
    /// in the log, linked to no run. Ids that do not exist are returned in the error, and then
    /// nothing is deleted.
    pub fn delete_activities(
        &mut self,
        ids: &[i64],
    ) -> Result<std::result::Result<Vec<Deleted>, Vec<i64>>> {
        let tx = self.write_transaction()?;
        let mut deleted = Vec::with_capacity(ids.len());
        let mut missing = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for &id in ids.iter().filter(|id| seen.insert(**id)) {
            let activity = tx
                .query_row(
                    &format!("{ACTIVITY_SELECT} WHERE id = ?1"),
                    [id],
                    activity_from_row,
                )
                .optional()?;
            let Some(activity) = activity else {
                missing.push(id);
                continue;
            };
            let unlinked_pain = linked_pain(&tx, id)?;
            bury(&tx, id)?;
            deleted.push(Deleted {
                activity,
                unlinked_pain,
            });
        }
        if !missing.is_empty() {
            return Ok(Err(missing));
        }
        tx.commit()?;
        Ok(Ok(deleted))
    }

    /// The deleted activities, oldest first.
    pub fn tombstones(&self) -> Result<Vec<Tombstone>> {
        let mut stmt = self.conn.prepare(
            "SELECT activity_id, sport, start_ts, utc_offset_s, distance_m, name, source_kind,
                    source, external_id, deleted_at
             FROM deleted_activities ORDER BY start_ts IS NULL, start_ts, id",
        )?;
        let rows = stmt.query_map([], |r| {
            let sport: String = r.get(1)?;
            let kind: String = r.get(6)?;
            Ok(Tombstone {
                activity_id: r.get(0)?,
                sport: Sport::parse(&sport).unwrap_or(Sport::Other),
                start: r
                    .get::<_, Option<i64>>(2)?
                    .and_then(|t| DateTime::<Utc>::from_timestamp(t, 0)),
                utc_offset_s: r.get(3)?,
                distance_m: r.get(4)?,
                name: r.get(5)?,
                source_kind: SourceKind::parse(&kind).unwrap_or(SourceKind::File),
                source: r.get(7)?,
                external_id: r.get(8)?,
                deleted_at: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Lifts the tombstones of these (deleted) activity ids and forgets their files, so that the
    /// next import or sync stores them again; returns the tombstones lifted.
    pub fn undelete(&mut self, ids: &[i64]) -> Result<Vec<Tombstone>> {
        let lifted: Vec<Tombstone> = self
            .tombstones()?
            .into_iter()
            .filter(|t| ids.contains(&t.activity_id))
            .collect();
        let tx = self.write_transaction()?;
        for &id in ids {
            tx.execute(
                "DELETE FROM deleted_activities WHERE activity_id = ?1",
                [id],
            )?;
        }
        // Every file held back by a tombstone is read again on its next import; those of the
        // tombstones that remain are held back again then.
        tx.execute("DELETE FROM imported_files WHERE outcome = 'deleted'", [])?;
        tx.commit()?;
        Ok(lifted)
    }

    /// A stored activity of the same sport with the same start and distance (within a metre):
    /// the same session entered twice.
    pub fn find_exact(&self, activity: &NewActivity) -> Result<Option<i64>> {
        let Some(start) = activity.start else {
            return Ok(None);
        };
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM activities
                 WHERE sport = ?1 AND start_ts = ?2 AND abs(distance_m - ?3) < 1.0
                 ORDER BY id LIMIT 1",
                params![
                    activity.sport.as_str(),
                    start.timestamp(),
                    activity.distance_m
                ],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Stores pain ratings in one transaction: all or none. A rating already in the log (same
    /// instant, day, moment and score) is not stored twice: its slot holds `None`.
    pub fn insert_pain_all(&mut self, entries: &[PainEntry]) -> Result<Vec<Option<i64>>> {
        let tx = self.write_transaction()?;
        let mut ids = Vec::with_capacity(entries.len());
        for e in entries {
            let exists: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM pain
                 WHERE at_ts = ?1 AND date = ?2 AND when_felt = ?3 AND score = ?4)",
                params![
                    e.at.timestamp(),
                    e.date.to_string(),
                    e.when.as_str(),
                    e.score
                ],
                |r| r.get(0),
            )?;
            if exists {
                ids.push(None);
                continue;
            }
            ids.push(Some(insert_pain_row(&tx, e)?));
        }
        tx.commit()?;
        Ok(ids)
    }

    /// Copies the whole database to `dest` with SQLite's online backup, which is consistent
    /// while other kneeguard processes read and write. The copy is written beside `dest` (mode
    /// 0600), checked, and renamed into place; an existing `dest` is replaced only with
    /// `replace`.
    pub fn backup_to(&self, dest: &Path, replace: bool) -> Result<()> {
        let err = |message: String| DbError::Backup {
            path: dest.to_path_buf(),
            message,
        };
        if dest.exists() && !replace {
            return Err(err("it exists; give --force to replace it".into()));
        }
        let folder = dest
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        // tempfile creates the file with mode 0600.
        let tmp = tempfile::Builder::new()
            .prefix(".kneeguard-backup")
            .suffix(".tmp")
            .tempfile_in(folder)
            .map_err(|e| err(format!("cannot write in {}: {e}", folder.display())))?;
        {
            let mut to = Connection::open(tmp.path()).map_err(|e| err(e.to_string()))?;
            let backup = rusqlite::backup::Backup::new(&self.conn, &mut to)
                .map_err(|e| err(e.to_string()))?;
            backup
                .run_to_completion(256, std::time::Duration::from_millis(5), None)
                .map_err(|e| err(e.to_string()))?;
            drop(backup);
            let check: String = to
                .query_row("PRAGMA quick_check", [], |r| r.get(0))
                .map_err(|e| err(e.to_string()))?;
            if check != "ok" {
                return Err(err(format!("the copy failed its check: {check}")));
            }
            // A copy of a WAL database is one self-contained file.
            to.pragma_update(None, "journal_mode", "DELETE")
                .map_err(|e| err(e.to_string()))?;
        }
        let result = if replace {
            tmp.persist(dest).map(|_| ())
        } else {
            tmp.persist_noclobber(dest).map(|_| ())
        };
        result.map_err(|e| err(e.error.to_string()))
    }
}

/// Inserts one pain rating; its id.
pub(super) fn insert_pain_row(conn: &Connection, e: &PainEntry) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO pain (at_ts, utc_offset_s, date, score, when_felt, side, swelling, note,
                           activity_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
    )?
    .execute(params![
        e.at.timestamp(),
        e.utc_offset_s,
        e.date.to_string(),
        e.score,
        e.when.as_str(),
        e.side.map(Side::as_str),
        e.swelling,
        e.note,
        e.activity_id,
    ])?;
    Ok(conn.last_insert_rowid())
}

fn linked_pain(conn: &Connection, activity_id: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached("SELECT id FROM pain WHERE activity_id = ?1 ORDER BY id")?;
    let ids = stmt.query_map([activity_id], |r| r.get(0))?;
    Ok(ids.collect::<rusqlite::Result<_>>()?)
}

/// Replaces an activity by its tombstone; the files it came from are remembered as deleted.
fn bury(conn: &Connection, id: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO deleted_activities (activity_id, sport, start_ts, utc_offset_s, distance_m,
             name, source_kind, source, content_hash, session_index, external_id, deleted_at)
         SELECT id, sport, start_ts, utc_offset_s, distance_m, name, source_kind, source,
                content_hash, session_index, external_id, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
         FROM activities WHERE id = ?1",
        [id],
    )?;
    conn.execute(
        "UPDATE imported_files SET outcome = 'deleted', activity_id = NULL
         WHERE activity_id = ?1",
        [id],
    )?;
    conn.execute(
        "UPDATE pain SET activity_id = NULL WHERE activity_id = ?1",
        [id],
    )?;
    conn.execute("DELETE FROM activities WHERE id = ?1", [id])?;
    Ok(())
}

/// The id a deleted activity had when `activity` is it again: the same file session, the same
/// service record, or (for every source but manual entries) the same run under `rule`.
pub(super) fn deleted_match(
    conn: &Connection,
    activity: &NewActivity,
    rule: MatchRule,
) -> Result<Option<i64>> {
    if let Some(ext) = &activity.external_id {
        let found = conn
            .prepare_cached("SELECT activity_id FROM deleted_activities WHERE external_id = ?1")?
            .query_row([ext], |r| r.get(0))
            .optional()?;
        if found.is_some() {
            return Ok(found);
        }
    }
    if let (Some(hash), Some(session)) = (&activity.content_hash, activity.session_index) {
        let found = conn
            .prepare_cached(
                "SELECT activity_id FROM deleted_activities
                 WHERE content_hash = ?1 AND session_index = ?2",
            )?
            .query_row(params![hash, session], |r| r.get(0))
            .optional()?;
        if found.is_some() {
            return Ok(found);
        }
    }
    let Some(start) = activity.start else {
        return Ok(None);
    };
    let ts = start.timestamp();
    let mut stmt = conn.prepare_cached(
        "SELECT activity_id, sport, start_ts, distance_m FROM deleted_activities
         WHERE start_ts BETWEEN ?1 AND ?2 ORDER BY abs(start_ts - ?3), id",
    )?;
    let rows = stmt.query_map(
        params![ts - rule.start_window_s, ts + rule.start_window_s, ts],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, f64>(3)?,
            ))
        },
    )?;
    for row in rows {
        let (id, sport, start_ts, distance) = row?;
        let category = Sport::parse(&sport).map_or(Category::Other, Sport::category);
        if category == activity.sport.category()
            && same_run(rule, (start_ts, distance), (ts, activity.distance_m))
        {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::super::{ActivityFilter, FileStored, Stored};
    use super::*;
    use crate::model::PainWhen;
    use chrono::TimeZone;

    const RULE: MatchRule = MatchRule {
        start_window_s: 120,
        distance_pct: 5.0,
    };

    fn file_run(hash: &str, km: f64) -> NewActivity {
        let start = Utc.with_ymd_and_hms(2026, 5, 1, 7, 0, 0).unwrap();
        NewActivity {
            distance_m: km * 1000.0,
            source_kind: SourceKind::File,
            content_hash: Some(hash.into()),
            session_index: Some(0),
            ..NewActivity::manual(Sport::Run, start, 7200)
        }
    }

    fn pain(activity_id: Option<i64>) -> PainEntry {
        let at = Utc.with_ymd_and_hms(2026, 5, 1, 9, 0, 0).unwrap();
        PainEntry {
            id: 0,
            at,
            utc_offset_s: 7200,
            date: at.date_naive(),
            score: 3,
            when: PainWhen::After,
            side: None,
            swelling: false,
            note: None,
            activity_id,
        }
    }

    #[test]
    fn a_deleted_import_stays_deleted_until_undeleted() {
        let mut store = Store::open_in_memory().unwrap();
        let out = store
            .store_file("h1", "a.fit", &[file_run("h1", 10.0)], RULE)
            .unwrap();
        let FileStored::Stored(out) = out else {
            panic!("{out:?}")
        };
        let Stored::New(id) = out[0] else {
            panic!("{out:?}")
        };
        let pain_id = store.insert_pain(&pain(Some(id))).unwrap();
        let deleted = store.delete_activities(&[id]).unwrap().unwrap();
        assert_eq!(deleted[0].unlinked_pain, vec![pain_id]);
        assert_eq!(
            store.pain_entry(pain_id).unwrap().unwrap().activity_id,
            None
        );
        assert_eq!(store.count_activities().unwrap(), 0);
        // The same file again, and another recording of the same run: both stay out.
        assert_eq!(store.seen_file("h1").unwrap().unwrap().outcome, "deleted");
        let again = store
            .store_file("h1b", "a.gpx", &[file_run("h1b", 10.2)], RULE)
            .unwrap();
        assert_eq!(again, FileStored::Stored(vec![Stored::Deleted(id)]));
        let mut synced = file_run("x", 10.0);
        synced.content_hash = None;
        synced.external_id = Some("strava:9".into());
        assert_eq!(
            store.store_activity(&synced, Some(RULE)).unwrap(),
            Stored::Deleted(id)
        );
        // A manual entry is the runner's own: never held back.
        let manual = NewActivity::manual(Sport::Run, synced.start.unwrap(), 7200);
        assert!(matches!(
            store.store_activity(&manual, None).unwrap(),
            Stored::New(_)
        ));
        assert_eq!(store.tombstones().unwrap().len(), 1);
        let lifted = store.undelete(&[id]).unwrap();
        assert_eq!(lifted.len(), 1);
        assert_eq!(store.seen_file("h1").unwrap(), None);
        let back = store
            .store_file("h1", "a.fit", &[file_run("h1", 10.0)], RULE)
            .unwrap();
        assert!(
            matches!(&back, FileStored::Stored(b) if matches!(b[0], Stored::Duplicate(_) | Stored::New(_))),
            "{back:?}"
        );
    }

    #[test]
    fn deleting_an_unknown_id_deletes_nothing() {
        let mut store = Store::open_in_memory().unwrap();
        let Stored::New(id) = store.store_activity(&file_run("h", 5.0), None).unwrap() else {
            panic!()
        };
        assert_eq!(
            store.delete_activities(&[id, id + 7]).unwrap(),
            Err(vec![id + 7])
        );
        assert_eq!(store.count_activities().unwrap(), 1);
    }

    #[test]
    fn edits_change_only_what_is_given() {
        let mut store = Store::open_in_memory().unwrap();
        let mut a = file_run("h", 8.0);
        a.descent_estimated = true;
        a.descent_m = Some(10.0);
        a.name = Some("Morning".into());
        let Stored::New(id) = store.store_activity(&a, None).unwrap() else {
            panic!()
        };
        let change = ActivityChange {
            distance_m: Some(8_400.0),
            descent_m: Some(95.0),
            note: Some(Some("hilly".into())),
            confirmed: Some(true),
            ..ActivityChange::default()
        };
        assert!(store.update_activity(id, &change).unwrap());
        let got = store.activity(id).unwrap().unwrap();
        assert_eq!(got.distance_m, 8_400.0);
        assert_eq!((got.descent_m, got.descent_estimated), (Some(95.0), false));
        assert_eq!(got.name.as_deref(), Some("Morning"));
        assert_eq!(got.note.as_deref(), Some("hilly"));
        assert!(got.confirmed);
        let clear = ActivityChange {
            name: Some(None),
            ..ActivityChange::default()
        };
        store.update_activity(id, &clear).unwrap();
        assert_eq!(store.activity(id).unwrap().unwrap().name, None);
        assert!(!store.update_activity(id + 1, &clear).unwrap());
        assert_eq!(
            store.find_exact(&a).unwrap(),
            None,
            "the distance was corrected, so the original entry is no longer the same"
        );
        a.distance_m = 8_400.0;
        assert_eq!(store.find_exact(&a).unwrap(), Some(id));
        assert_eq!(
            store.activities(&ActivityFilter::default()).unwrap().len(),
            1
        );
    }

    #[test]
    fn pain_imports_once() {
        let mut store = Store::open_in_memory().unwrap();
        let entries = [pain(None), pain(None)];
        let ids = store.insert_pain_all(&entries[..1]).unwrap();
        assert!(ids[0].is_some());
        let again = store.insert_pain_all(&entries).unwrap();
        assert_eq!(again, vec![None, None]);
        assert_eq!(
            store
                .pain_entries(&ActivityFilter::default())
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn a_backup_is_a_whole_database() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("kg.sqlite")).unwrap();
        store.store_activity(&file_run("h", 5.0), None).unwrap();
        let dest = dir.path().join("copy.sqlite");
        store.backup_to(&dest, false).unwrap();
        let err = store.backup_to(&dest, false).unwrap_err().to_string();
        assert!(err.contains("--force"), "{err}");
        store.backup_to(&dest, true).unwrap();
        let copy = Store::open(&dest).unwrap();
        assert_eq!(copy.count_activities().unwrap(), 1);
    }
}
