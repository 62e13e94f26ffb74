//! The SQLite store: every SQL statement of kneeguard lives in this module.
//!
//! The database uses the bundled SQLite, WAL mode and a busy timeout, so that two kneeguard
//! processes can work at once. Migrations are numbered, embedded in the binary and applied in
//! one transaction at open; a released migration is never edited, only followed by a new one.
//! Each imported file is stored all or nothing (its own transaction, or a savepoint of an
//! import's batch): a crash or Ctrl-C leaves every committed file stored and nothing
//! half-written.

mod edit;
mod open;
pub mod series;

pub use edit::{ActivityChange, Deleted, Tombstone};
pub use open::Access;

use crate::core::measure::SeriesPoint;
use crate::model::{
    Activity, Category, DeviceTotals, NewActivity, PainEntry, PainWhen, Side, SourceKind, Sport,
};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use series::EncodedSeries;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The numbered migrations; index + 1 is the schema version they bring the database to.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_activities.sql"),
    include_str!("migrations/0002_pain.sql"),
    include_str!("migrations/0003_confirmed.sql"),
    include_str!("migrations/0004_deleted.sql"),
    include_str!("migrations/0005_local_date_index.sql"),
    include_str!("migrations/0006_descent_note.sql"),
];

// Rows carry when they were written (`created_at`, `imported_at`) for bookkeeping only; SQLite
// stamps them itself, so no code here reads the clock.

/// How long a writer waits for another kneeguard process before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Prepared statements kept for reuse: more than the module has (`prepare_cached` sites).
const STATEMENT_CACHE: usize = 48;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "cannot open the database {path}: {source}; check --db, the file's permissions and \
         the free space"
    )]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("cannot create the folder {path} for the database: {source}; give --db PATH")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the database {path} has schema version {found}, newer than this kneeguard knows ({known}); \
         upgrade kneeguard or point --db at another database"
    )]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
    #[error(
        "{path} is not a kneeguard database (not SQLite at all): check --db or KNEEGUARD_DB, \
         or give a new file name to start a new database"
    )]
    NotADatabase { path: String },
    #[error("no database at {path} — run `kneeguard import` first, or check --db")]
    Missing { path: PathBuf },
    #[error(
        "the folder {folder} does not exist, so there can be no database {path}: check --db or \
         KNEEGUARD_DB (kneeguard creates folders only for its default location)"
    )]
    MissingFolder { path: PathBuf, folder: PathBuf },
    #[error("{path} is {what}, not a database file: give --db the path of a file")]
    NotAFile { path: PathBuf, what: &'static str },
    #[error(
        "{path} is another application's SQLite database ({detail}); kneeguard left it \
         untouched: give --db a new file name or kneeguard's own database"
    )]
    Foreign { path: PathBuf, detail: String },
    #[error(
        "the database {path} is read-only and this command writes to it: make the file and its \
         folder writable, or copy it (`kneeguard backup`) and give --db the copy"
    )]
    ReadOnly { path: PathBuf },
    #[error(
        "the database {path} has schema version {found} and needs upgrading to {known}, but it \
         is read-only: run any writing command once with write access (e.g. `kneeguard pain \
         list` after making it writable)"
    )]
    NeedsUpgrade {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("cannot back up to {path}: {message}")]
    Backup { path: PathBuf, message: String },
    #[error("{cause}; {}", files_lost(*files))]
    BatchLost { cause: String, files: usize },
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
}

pub type Result<T> = std::result::Result<T, DbError>;

/// What a rolled-back batch of an import cost, in words.
fn files_lost(files: usize) -> String {
    let what = if files == 1 {
        "the file before it".to_string()
    } else {
        format!("the {files} files before it")
    };
    format!(
        "the database rolled back {what} with it, so they are not stored: import the same files \
         again"
    )
}

/// A file content seen before.
#[derive(Debug, Clone, PartialEq)]
pub struct SeenFile {
    pub path: String,
    pub outcome: String,
    pub activity_id: Option<i64>,
}

/// What happened to one activity handed to the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// Stored under this id.
    New(i64),
    /// The same activity was already stored under this id (same start and distance).
    Duplicate(i64),
    /// The runner deleted this activity (it had this id); it stays deleted.
    Deleted(i64),
}

/// What became of one file handed to the store.
#[derive(Debug, Clone, PartialEq)]
pub enum FileStored {
    /// Stored now: what happened to each of its activities.
    Stored(Vec<Stored>),
    /// The same content was recorded before (by this import, an earlier one or another
    /// process); nothing was written.
    SeenBefore(SeenFile),
}

/// How two records of the same run are recognised.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchRule {
    /// Starts at most this many seconds apart.
    pub start_window_s: i64,
    /// Distances at most this many percent apart (of the longer one).
    pub distance_pct: f64,
}

/// An activity stored under an API id, as a sync needs to know it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalRef {
    pub id: i64,
    pub source_kind: SourceKind,
    pub raw_json: Option<String>,
    pub descent_estimated: bool,
}

/// A synced run whose descent is still estimated from its climb, for the backfill.
#[derive(Debug, Clone, PartialEq)]
pub struct EstimatedDescent {
    pub id: i64,
    /// The service's own record, as it was last synced.
    pub raw_json: Option<String>,
}

/// Which activities to list.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    /// First local date (inclusive).
    pub since: Option<NaiveDate>,
    /// Last local date (inclusive).
    pub until: Option<NaiveDate>,
}

pub struct Store {
    conn: Connection,
    /// A batch transaction is open: writes go into savepoints of it.
    batch_open: bool,
}

/// One all-or-nothing change: a transaction of its own, or a savepoint inside a batch.
/// Dropped without [`WriteUnit::commit`], it is rolled back.
enum WriteUnit<'c> {
    Alone(rusqlite::Transaction<'c>),
    InBatch(rusqlite::Savepoint<'c>),
}

impl WriteUnit<'_> {
    fn commit(self) -> rusqlite::Result<()> {
        match self {
            WriteUnit::Alone(tx) => tx.commit(),
            WriteUnit::InBatch(savepoint) => savepoint.commit(),
        }
    }
}

impl std::ops::Deref for WriteUnit<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        match self {
            WriteUnit::Alone(tx) => tx,
            WriteUnit::InBatch(savepoint) => savepoint,
        }
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| DbError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(|source| DbError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Store::setup(conn, &path.display().to_string(), false)
    }

    /// An empty in-memory database, for tests and the demo.
    pub fn open_in_memory() -> Result<Store> {
        Store::setup(Connection::open_in_memory()?, ":memory:", false)
    }

    /// Sets the connection up and brings the schema up to date. `holds_nothing`: the file is
    /// empty (just created), so its schema is written without waiting for the disk; there is
    /// nothing in it to lose, and what is stored in it next is flushed like every other change
    /// (when SQLite checkpoints its log, at the latest when the connection closes).
    fn setup(conn: Connection, name: &str, holds_nothing: bool) -> Result<Store> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let synchronous = if holds_nothing { "OFF" } else { "NORMAL" };
        conn.pragma_update(None, "synchronous", synchronous)?;
        // WAL lets readers and a writer work at once; NORMAL sync is safe with WAL (a power
        // cut may lose the last commit, never corrupt the file). This is the first read of
        // the file, so it is where a file that is no database shows.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::NotADatabase) => DbError::NotADatabase {
                    path: name.to_string(),
                },
                _ => DbError::Sql(e),
            })?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Every statement the module prepares fits, so none is parsed again per file.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        let mut store = Store {
            conn,
            batch_open: false,
        };
        store.migrate(name)?;
        if holds_nothing {
            store.conn.pragma_update(None, "synchronous", "NORMAL")?;
        }
        Ok(store)
    }

    fn migrate(&mut self, name: &str) -> Result<()> {
        let known = MIGRATIONS.len() as i64;
        // IMMEDIATE takes the write lock first, so two processes never migrate at once.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > known {
            return Err(DbError::TooNew {
                path: name.to_string(),
                found: version,
                known,
            });
        }
        for sql in &MIGRATIONS[version as usize..] {
            tx.execute_batch(sql)?;
        }
        if version < known {
            tx.pragma_update(None, "user_version", known)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// One change, all or nothing: its own transaction, which takes the write lock at once (a
    /// deferred one that reads first could not be promoted to a writer once another process
    /// has written, SQLITE_BUSY_SNAPSHOT, while this one simply waits for the busy timeout);
    /// inside a batch ([`Store::begin_batch`]), a savepoint of the batch.
    fn write_transaction(&mut self) -> Result<WriteUnit<'_>> {
        Ok(if self.batch_open {
            WriteUnit::InBatch(self.conn.savepoint()?)
        } else {
            WriteUnit::Alone(
                self.conn
                    .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?,
            )
        })
    }

    /// Starts a batch: the changes made until [`Store::commit_batch`] are kept or lost
    /// together, each still all or nothing on its own. One commit for many imported files
    /// writes each shared page of the database once instead of once a file. The write lock is
    /// held until the commit, so a batch must not stay open while its owner waits.
    pub(crate) fn begin_batch(&mut self) -> Result<()> {
        if !self.batch_open {
            self.conn.execute_batch("BEGIN IMMEDIATE")?;
            self.batch_open = true;
        }
        Ok(())
    }

    /// Commits the open batch, if there is one. `false` when there was nothing left to
    /// commit because SQLite had rolled the batch back by itself, as it does after some errors
    /// (a full disk, say); an error means the commit failed and nothing of the batch is stored.
    pub(crate) fn commit_batch(&mut self) -> Result<bool> {
        if !std::mem::take(&mut self.batch_open) {
            return Ok(true);
        }
        if self.conn.is_autocommit() {
            return Ok(false);
        }
        if let Err(e) = self.conn.execute_batch("COMMIT") {
            // Leave the connection usable: what the batch held is gone either way.
            let _ = self.conn.execute_batch("ROLLBACK");
            return Err(e.into());
        }
        Ok(true)
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// Whether a file with this content was imported (or skipped) before.
    pub fn seen_file(&self, content_hash: &str) -> Result<Option<SeenFile>> {
        seen_in(&self.conn, content_hash)
    }

    /// The content hash of every file imported or skipped before.
    pub fn known_content_hashes(&self) -> Result<std::collections::HashSet<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT content_hash FROM imported_files")?;
        let hashes = stmt.query_map([], |r| r.get(0))?;
        Ok(hashes.collect::<rusqlite::Result<_>>()?)
    }

    /// Stores the activities of one file and records the file, all in one transaction.
    /// Activities already stored from another source are reported as duplicates, not stored.
    /// Whether the content was seen before is decided inside the same transaction, so two
    /// processes importing the same file at once store it once, and the record of the first is
    /// never rewritten by the second.
    pub fn store_file(
        &mut self,
        content_hash: &str,
        path: &str,
        activities: &[NewActivity],
        rule: MatchRule,
    ) -> Result<FileStored> {
        let stored = self.store_file_each(content_hash, path, rule, |add| {
            for activity in activities {
                add(activity)?;
            }
            Ok(true)
        })?;
        Ok(stored.unwrap_or(FileStored::Stored(Vec::new())))
    }

    /// [`Store::store_file`] for activities handed over one at a time: `fill` calls `add` for
    /// each (so a huge file never holds all of them at once) and returns whether to keep them.
    /// Content seen before (by another process a moment ago, say) is not stored again; when
    /// `fill` returns `false` (the file turned out damaged) nothing is stored and the result is
    /// `None`.
    pub fn store_file_each(
        &mut self,
        content_hash: &str,
        path: &str,
        rule: MatchRule,
        fill: impl FnOnce(&mut dyn FnMut(&NewActivity) -> Result<Stored>) -> Result<bool>,
    ) -> Result<Option<FileStored>> {
        let tx = self.write_transaction()?;
        if let Some(seen) = seen_in(&tx, content_hash)? {
            return Ok(Some(FileStored::SeenBefore(seen)));
        }
        let mut outcomes = Vec::new();
        let keep = fill(&mut |activity| {
            let outcome = match edit::deleted_match(&tx, activity, rule)? {
                Some(old) => Stored::Deleted(old),
                None => match find_same_run(&tx, activity, rule)? {
                    Some(id) => Stored::Duplicate(id),
                    None => Stored::New(insert(&tx, activity)?),
                },
            };
            outcomes.push(outcome);
            Ok(outcome)
        })?;
        if !keep {
            return Ok(None);
        }
        let (outcome, activity_id) = match outcomes.first() {
            Some(Stored::New(id)) => ("imported", Some(*id)),
            Some(Stored::Duplicate(id)) => ("duplicate", Some(*id)),
            Some(Stored::Deleted(_)) => ("deleted", None),
            None => ("not_activity", None),
        };
        tx.prepare_cached(
            "INSERT INTO imported_files
                 (content_hash, path, outcome, activity_id, imported_at)
             VALUES (?1, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
        )?
        .execute(params![content_hash, path, outcome, activity_id])?;
        tx.commit()?;
        Ok(Some(FileStored::Stored(outcomes)))
    }

    /// Records a file that holds no activity, so that a re-import skips it at once; the record
    /// of content seen before (perhaps by another process a moment ago) is returned instead.
    pub fn record_skipped_file(
        &mut self,
        content_hash: &str,
        path: &str,
        reason: &str,
    ) -> Result<Option<SeenFile>> {
        let tx = self.write_transaction()?;
        if let Some(seen) = seen_in(&tx, content_hash)? {
            return Ok(Some(seen));
        }
        tx.prepare_cached(
            "INSERT INTO imported_files
                 (content_hash, path, outcome, detail, imported_at)
             VALUES (?1, ?2, 'not_activity', ?3, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
        )?
        .execute(params![content_hash, path, reason])?;
        tx.commit()?;
        Ok(None)
    }

    /// Stores one activity without a file (manual entries, CSV rows); duplicates are matched
    /// with `rule` when given.
    pub fn store_activity(
        &mut self,
        activity: &NewActivity,
        rule: Option<MatchRule>,
    ) -> Result<Stored> {
        let tx = self.write_transaction()?;
        let deleted = rule
            .map(|r| edit::deleted_match(&tx, activity, r))
            .transpose()?
            .flatten();
        let duplicate = match (deleted, rule) {
            (None, Some(r)) => find_same_run(&tx, activity, r)?,
            _ => None,
        };
        let outcome = match (deleted, duplicate) {
            (Some(old), _) => Stored::Deleted(old),
            (None, Some(id)) => Stored::Duplicate(id),
            (None, None) => Stored::New(insert(&tx, activity)?),
        };
        tx.commit()?;
        Ok(outcome)
    }

    /// The activities in the filter's local-date range, oldest first (by start, then id);
    /// undated ones last.
    pub fn activities(&self, filter: &ActivityFilter) -> Result<Vec<Activity>> {
        // Without a range every row is wanted; with one, the local-date index finds the rows
        // (undated activities have no local date and are never in a range).
        let ranged = filter.since.is_some() || filter.until.is_some();
        let mut stmt = self.conn.prepare_cached(&activities_sql(ranged))?;
        let rows = if !ranged {
            stmt.query_map([], activity_from_row)?
        } else {
            stmt.query_map(date_range(filter), activity_from_row)?
        };
        let mut activities = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        // Sorted here: cheaper than SQLite's sorter, which copies every row once more.
        activities.sort_unstable_by_key(|a| (a.start.is_none(), a.start, a.id));
        Ok(activities)
    }

    /// The first and last local day of the dated activities among `ids`, in one query.
    pub fn local_day_span(&self, ids: &[i64]) -> Result<Option<(NaiveDate, NaiveDate)>> {
        let ids = serde_json::to_string(ids)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT min(date(start_ts + utc_offset_s, 'unixepoch')),
                    max(date(start_ts + utc_offset_s, 'unixepoch'))
             FROM activities WHERE id IN (SELECT value FROM json_each(?1))",
        )?;
        let (first, last): (Option<String>, Option<String>) =
            stmt.query_row([ids], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let day = |text: Option<String>| text.and_then(|t| t.parse::<NaiveDate>().ok());
        Ok(day(first).zip(day(last)))
    }

    /// Marks an activity as confirmed (or not) by the runner: a record that looked implausible
    /// counts again. `false` when there is no activity with this id.
    pub fn set_confirmed(&mut self, id: i64, confirmed: bool) -> Result<bool> {
        let tx = self.write_transaction()?;
        let changed = tx.execute(
            "UPDATE activities SET confirmed = ?2 WHERE id = ?1",
            params![id, confirmed],
        )?;
        tx.commit()?;
        Ok(changed == 1)
    }

    /// The earliest dated activity: where the history begins.
    pub fn earliest_activity(&self) -> Result<Option<Activity>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, sport, start_ts, utc_offset_s, distance_m, moving_s, elapsed_s,
                    ascent_m, descent_m, device_descent_m, name, note, device, source_kind, source,
                    descent_estimated, confirmed
             FROM activities WHERE start_ts IS NOT NULL
             ORDER BY start_ts, id LIMIT 1",
        )?;
        Ok(stmt.query_row([], activity_from_row).optional()?)
    }

    /// The latest pain rating before a day: what the runner last logged when a window of the
    /// log holds nothing.
    pub fn latest_pain_before(&self, day: NaiveDate) -> Result<Option<PainEntry>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "{PAIN_SELECT} WHERE date < ?1 ORDER BY date DESC, at_ts DESC, id DESC LIMIT 1"
        ))?;
        Ok(stmt
            .query_row([day.to_string()], pain_from_row)
            .optional()?)
    }

    /// The latest red rating before `day` (swelling, or a score above `amber_max`) that no
    /// calm rating (at most `green_max`, no swelling) on a later day before `day` followed:
    /// red that had not settled when a window of days begins. It is found after the latest
    /// calm rating, so a log of calm days is read back only to the last of them.
    pub fn unsettled_red_before(
        &self,
        day: NaiveDate,
        amber_max: u8,
        green_max: u8,
    ) -> Result<Option<PainEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT date FROM pain WHERE date < ?1 AND NOT swelling AND score <= ?2
             ORDER BY date DESC LIMIT 1",
        )?;
        let last_calm: Option<String> = stmt
            .query_row(params![day.to_string(), green_max], |r| r.get(0))
            .optional()?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "{PAIN_SELECT} WHERE date < ?1 AND date >= ?2 AND (swelling OR score > ?3)
             ORDER BY date DESC, at_ts DESC, id DESC LIMIT 1"
        ))?;
        Ok(stmt
            .query_row(
                params![day.to_string(), last_calm.unwrap_or_default(), amber_max],
                pain_from_row,
            )
            .optional()?)
    }

    /// The stored series of one activity, if it has one.
    pub fn series(&self, id: i64) -> Result<Option<Vec<SeriesPoint>>> {
        let blob: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT series FROM activities WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?
            .flatten();
        Ok(blob.and_then(|b| series::decode(&b)))
    }

    /// The number of stored activities.
    pub fn count_activities(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM activities", [], |r| r.get(0))?)
    }

    /// Stores a pain rating; returns its id.
    pub fn insert_pain(&mut self, entry: &PainEntry) -> Result<i64> {
        let tx = self.write_transaction()?;
        let id = edit::insert_pain_row(&tx, entry)?;
        tx.commit()?;
        Ok(id)
    }

    /// Replaces a pain rating (by its id); false when there is no such entry.
    pub fn update_pain(&mut self, entry: &PainEntry) -> Result<bool> {
        let changed = self.conn.execute(
            "UPDATE pain SET at_ts = ?2, utc_offset_s = ?3, date = ?4, score = ?5, when_felt = ?6,
                             side = ?7, swelling = ?8, note = ?9, activity_id = ?10
             WHERE id = ?1",
            params![
                entry.id,
                entry.at.timestamp(),
                entry.utc_offset_s,
                entry.date.to_string(),
                entry.score,
                entry.when.as_str(),
                entry.side.map(Side::as_str),
                entry.swelling,
                entry.note,
                entry.activity_id,
            ],
        )?;
        Ok(changed == 1)
    }

    /// Deletes a pain rating; false when there is no such entry.
    pub fn delete_pain(&mut self, id: i64) -> Result<bool> {
        Ok(self.conn.execute("DELETE FROM pain WHERE id = ?1", [id])? == 1)
    }

    /// One pain rating.
    pub fn pain_entry(&self, id: i64) -> Result<Option<PainEntry>> {
        Ok(self
            .conn
            .query_row(&format!("{PAIN_SELECT} WHERE id = ?1"), [id], pain_from_row)
            .optional()?)
    }

    /// The pain ratings in the filter's local-date range, oldest first (by day, time, id).
    pub fn pain_entries(&self, filter: &ActivityFilter) -> Result<Vec<PainEntry>> {
        let ranged = filter.since.is_some() || filter.until.is_some();
        let mut stmt = self.conn.prepare_cached(&pain_sql(ranged))?;
        let rows = if ranged {
            stmt.query_map(date_range(filter), pain_from_row)?
        } else {
            stmt.query_map([], pain_from_row)?
        };
        let mut entries = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        entries.sort_unstable_by_key(|p| (p.date, p.at, p.id));
        Ok(entries)
    }

    /// The sport of an activity, or `None` when there is no activity with this id.
    pub fn activity_sport(&self, id: i64) -> Result<Option<Sport>> {
        let sport: Option<String> = self
            .conn
            .query_row("SELECT sport FROM activities WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(sport.map(|s| Sport::parse(&s).unwrap_or(Sport::Other)))
    }

    /// The activity recorded under an API id such as `strava:15000000003`.
    pub fn find_external(&self, external_id: &str) -> Result<Option<ExternalRef>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, source_kind, raw_json, descent_estimated FROM activities
                 WHERE external_id = ?1",
                [external_id],
                |r| {
                    let kind: String = r.get(1)?;
                    Ok(ExternalRef {
                        id: r.get(0)?,
                        source_kind: SourceKind::parse(&kind).unwrap_or(SourceKind::File),
                        raw_json: r.get(2)?,
                        descent_estimated: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// The start of the newest activity whose API id begins with `prefix` (`strava:`).
    pub fn newest_external_start(&self, prefix: &str) -> Result<Option<DateTime<Utc>>> {
        let ts: Option<i64> = self.conn.query_row(
            "SELECT max(start_ts) FROM activities WHERE substr(external_id, 1, length(?1)) = ?1",
            [prefix],
            |r| r.get(0),
        )?;
        Ok(ts.and_then(|t| DateTime::<Utc>::from_timestamp(t, 0)))
    }

    /// The stored activity that is the same run as `activity` under `rule`, if any.
    pub fn find_duplicate(&self, activity: &NewActivity, rule: MatchRule) -> Result<Option<i64>> {
        find_same_run(&self.conn, activity, rule)
    }

    /// Records an API id on an activity that has none (a file import the API also lists);
    /// `false` when it already had one.
    pub fn set_external_id(&mut self, id: i64, external_id: &str) -> Result<bool> {
        let tx = self.write_transaction()?;
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM activities WHERE external_id = ?1)",
            [external_id],
            |r| r.get(0),
        )?;
        let changed = !taken
            && tx.execute(
                "UPDATE activities SET external_id = ?2 WHERE id = ?1 AND external_id IS NULL",
                params![id, external_id],
            )? > 0;
        tx.commit()?;
        Ok(changed)
    }

    /// Replaces the service's figures of a synced activity (edited on the service since). The
    /// descent and series are replaced only with `replace_descent`, so a descent computed from
    /// streams is kept when the summary changes; the runner's note is always kept.
    pub fn update_api_activity(
        &mut self,
        id: i64,
        a: &NewActivity,
        replace_descent: bool,
    ) -> Result<()> {
        let tx = self.write_transaction()?;
        tx.execute(
            "UPDATE activities SET
                sport = ?2, sport_label = ?3, start_ts = ?4, utc_offset_s = ?5, distance_m = ?6,
                moving_s = ?7, elapsed_s = ?8, ascent_m = ?9, device_distance_m = ?10,
                device_timer_s = ?11, device_ascent_m = ?12, name = ?13, device = ?14,
                raw_json = ?15
             WHERE id = ?1",
            params![
                id,
                a.sport.as_str(),
                a.sport_label,
                a.start.map(|s| s.timestamp()),
                a.utc_offset_s,
                a.distance_m,
                a.moving_s,
                a.elapsed_s,
                a.ascent_m,
                a.device_totals.distance_m,
                a.device_totals.timer_s,
                a.device_totals.ascent_m,
                a.name,
                a.device,
                a.raw_json,
            ],
        )?;
        if replace_descent {
            let series_blob = a.series.blob();
            tx.execute(
                "UPDATE activities SET descent_m = ?2, descent_estimated = ?3,
                    device_descent_m = ?4, series = coalesce(?5, series)
                 WHERE id = ?1",
                params![
                    id,
                    a.descent_m,
                    a.descent_estimated,
                    a.device_totals.descent_m,
                    series_blob
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

// The backfill of synced descents.
impl Store {
    /// The activities synced from `kind` (a service) whose descent is still estimated (or
    /// unknown) and has no note saying the service lacks the altitude, newest first.
    pub fn estimated_descents(&self, kind: SourceKind) -> Result<Vec<EstimatedDescent>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, raw_json FROM activities
             WHERE source_kind = ?1 AND (descent_estimated OR descent_m IS NULL)
               AND descent_note IS NULL
             ORDER BY start_ts DESC, id DESC",
        )?;
        let rows = stmt.query_map([kind.as_str()], |r| {
            Ok(EstimatedDescent {
                id: r.get(0)?,
                raw_json: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Replaces the estimated descent of an activity with a measured one and stores its series,
    /// in one transaction. `false` when the activity is gone or measured already.
    pub fn replace_descent(
        &mut self,
        id: i64,
        descent_m: f64,
        series: &EncodedSeries,
    ) -> Result<bool> {
        let tx = self.write_transaction()?;
        let blob = series.blob();
        let changed = tx.execute(
            "UPDATE activities SET descent_m = ?2, descent_estimated = 0,
                series = coalesce(?3, series)
             WHERE id = ?1 AND (descent_estimated OR descent_m IS NULL)",
            params![id, descent_m, blob],
        )?;
        tx.commit()?;
        Ok(changed == 1)
    }

    /// Records why an activity's descent stays estimated, so that no sync asks for its streams
    /// again. `false` when there is no activity with this id.
    pub fn set_descent_note(&mut self, id: i64, note: &str) -> Result<bool> {
        let tx = self.write_transaction()?;
        let changed = tx.execute(
            "UPDATE activities SET descent_note = ?2 WHERE id = ?1",
            params![id, note],
        )?;
        tx.commit()?;
        Ok(changed == 1)
    }
}

fn seen_in(conn: &Connection, content_hash: &str) -> Result<Option<SeenFile>> {
    let mut stmt = conn.prepare_cached(
        "SELECT path, outcome, activity_id FROM imported_files WHERE content_hash = ?1",
    )?;
    Ok(stmt
        .query_row([content_hash], |r| {
            Ok(SeenFile {
                path: r.get(0)?,
                outcome: r.get(1)?,
                activity_id: r.get(2)?,
            })
        })
        .optional()?)
}

/// Whether two records of one category are the same run under `rule`: starts within the window,
/// distances within the percentage (or both about nothing).
fn same_run(rule: MatchRule, a: (i64, f64), b: (i64, f64)) -> bool {
    let longer = a.1.max(b.1);
    (a.0 - b.0).abs() <= rule.start_window_s
        && (longer < 50.0 || (a.1 - b.1).abs() <= longer * rule.distance_pct / 100.0)
}

/// An activity of the same kind that started within the window and covered about the same
/// distance: the same run recorded twice (a FIT and its GPX, or a file and the Strava copy).
fn find_same_run(
    conn: &Connection,
    activity: &NewActivity,
    rule: MatchRule,
) -> Result<Option<i64>> {
    let Some(start) = activity.start else {
        return Ok(None);
    };
    let ts = start.timestamp();
    let mut stmt = conn.prepare_cached(
        "SELECT id, sport, distance_m FROM activities
         WHERE start_ts BETWEEN ?1 AND ?2 ORDER BY abs(start_ts - ?3), id",
    )?;
    let candidates = stmt.query_map(
        params![ts - rule.start_window_s, ts + rule.start_window_s, ts],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, f64>(2)?,
            ))
        },
    )?;
    for candidate in candidates {
        let (id, sport, distance) = candidate?;
        let category = Sport::parse(&sport).map_or(Category::Other, Sport::category);
        if category != activity.sport.category() {
            continue;
        }
        if same_run(rule, (ts, distance), (ts, activity.distance_m)) {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

fn insert(conn: &Connection, a: &NewActivity) -> Result<i64> {
    let series_blob = a.series.blob();
    let DeviceTotals {
        distance_m: device_distance,
        timer_s: device_timer,
        ascent_m: device_ascent,
        descent_m: device_descent,
        ..
    } = a.device_totals;
    conn.prepare_cached(
        "INSERT INTO activities (
            sport, sport_label, start_ts, utc_offset_s, distance_m, moving_s, elapsed_s,
            ascent_m, descent_m, descent_estimated, device_distance_m, device_timer_s,
            device_ascent_m, device_descent_m, name, note, device, source_kind, source,
            content_hash, session_index, external_id, raw_json, series, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 ?18, ?19, ?20, ?21, ?22, ?23, ?24, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
    )?
    .execute(params![
        a.sport.as_str(),
        a.sport_label,
        a.start.map(|s| s.timestamp()),
        a.utc_offset_s,
        a.distance_m,
        a.moving_s,
        a.elapsed_s,
        a.ascent_m,
        a.descent_m,
        a.descent_estimated,
        device_distance,
        device_timer,
        device_ascent,
        device_descent,
        a.name,
        a.note,
        a.device,
        a.source_kind.as_str(),
        a.source,
        a.content_hash,
        a.session_index,
        a.external_id,
        a.raw_json,
        series_blob,
    ])?;
    Ok(conn.last_insert_rowid())
}

/// The query of [`Store::activities`], with or without a local-date range (`?1`, `?2`).
fn activities_sql(ranged: bool) -> String {
    let range = if ranged {
        "WHERE date(start_ts + utc_offset_s, 'unixepoch') BETWEEN ?1 AND ?2"
    } else {
        ""
    };
    format!(
        "SELECT id, sport, start_ts, utc_offset_s, distance_m, moving_s, elapsed_s, ascent_m,
                descent_m, device_descent_m, name, note, device, source_kind, source,
                descent_estimated, confirmed
         FROM activities {range}"
    )
}

/// The query of [`Store::pain_entries`], with or without a date range (`?1`, `?2`).
fn pain_sql(ranged: bool) -> String {
    let range = if ranged {
        "WHERE date BETWEEN ?1 AND ?2"
    } else {
        ""
    };
    format!("{PAIN_SELECT} {range}")
}

/// A filter's dates as the bounds of a `BETWEEN` on `YYYY-MM-DD` text: an open end is the
/// first or last day there is, so the bounds are plain values an index can use.
fn date_range(filter: &ActivityFilter) -> [String; 2] {
    let day =
        |date: Option<NaiveDate>, open: &str| date.map_or(open.to_string(), |d| d.to_string());
    [
        day(filter.since, "0000-01-01"),
        day(filter.until, "9999-12-31"),
    ]
}

const PAIN_SELECT: &str = "SELECT id, at_ts, utc_offset_s, date, score, when_felt, side, swelling,
                                   note, activity_id FROM pain";

fn pain_from_row(r: &Row<'_>) -> rusqlite::Result<PainEntry> {
    // The text columns are read in place: a long pain log is read on every `status` and `plan`.
    let side = r.get_ref(6)?.as_str_or_null()?;
    Ok(PainEntry {
        id: r.get(0)?,
        at: DateTime::<Utc>::from_timestamp(r.get(1)?, 0).unwrap_or_default(),
        utc_offset_s: r.get(2)?,
        date: r.get_ref(3)?.as_str()?.parse().unwrap_or_default(),
        score: r.get(4)?,
        when: PainWhen::parse(r.get_ref(5)?.as_str()?).unwrap_or(PainWhen::Daily),
        side: side.and_then(Side::parse),
        swelling: r.get(7)?,
        note: r.get(8)?,
        activity_id: r.get(9)?,
    })
}

/// A stored sport name: the stable names are matched as they are, without the allocation of
/// [`Sport::parse`]'s normalising.
fn stored_sport(name: &str) -> Sport {
    Sport::ALL
        .into_iter()
        .find(|s| s.as_str() == name)
        .or_else(|| Sport::parse(name))
        .unwrap_or(Sport::Other)
}

fn activity_from_row(r: &Row<'_>) -> rusqlite::Result<Activity> {
    let sport = stored_sport(r.get_ref(1)?.as_str()?);
    let kind = SourceKind::parse(r.get_ref(13)?.as_str()?).unwrap_or(SourceKind::File);
    Ok(Activity {
        id: r.get(0)?,
        sport,
        start: r
            .get::<_, Option<i64>>(2)?
            .and_then(|ts| DateTime::<Utc>::from_timestamp(ts, 0)),
        utc_offset_s: r.get(3)?,
        distance_m: r.get(4)?,
        moving_s: r.get(5)?,
        elapsed_s: r.get(6)?,
        ascent_m: r.get(7)?,
        descent_m: r.get(8)?,
        device_descent_m: r.get(9)?,
        descent_estimated: r.get(15)?,
        name: r.get(10)?,
        note: r.get(11)?,
        device: r.get(12)?,
        source_kind: kind,
        source: r.get(14)?,
        confirmed: r.get(16)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const RULE: MatchRule = MatchRule {
        start_window_s: 120,
        distance_pct: 5.0,
    };

    /// Stores a file that must be new, and what became of its activities.
    fn stored(
        store: &mut Store,
        hash: &str,
        path: &str,
        activities: &[NewActivity],
    ) -> Vec<Stored> {
        match store.store_file(hash, path, activities, RULE).unwrap() {
            FileStored::Stored(outcomes) => outcomes,
            other => panic!("{hash} was seen before: {other:?}"),
        }
    }

    #[test]
    fn content_seen_before_is_not_stored_again_nor_its_record_rewritten() {
        let mut store = Store::open_in_memory().unwrap();
        let first = stored(&mut store, "h1", "a.fit", &[run(7, 10.0)]);
        let again = store
            .store_file("h1", "copy.fit", &[run(9, 3.0)], RULE)
            .unwrap();
        let FileStored::SeenBefore(seen) = again else {
            panic!("{again:?}")
        };
        assert_eq!(
            (seen.path.as_str(), seen.outcome.as_str()),
            ("a.fit", "imported")
        );
        assert_eq!(
            Some(Stored::New(seen.activity_id.unwrap())),
            first.first().copied()
        );
        assert_eq!(store.count_activities().unwrap(), 1);
        // A skipped file's record is kept the same way.
        assert_eq!(
            store
                .record_skipped_file("h2", "s.fit", "settings")
                .unwrap(),
            None
        );
        let seen = store
            .record_skipped_file("h2", "t.fit", "other")
            .unwrap()
            .unwrap();
        assert_eq!(
            (seen.path.as_str(), seen.outcome.as_str()),
            ("s.fit", "not_activity")
        );
        let FileStored::SeenBefore(seen) = store
            .store_file("h2", "t.fit", &[run(9, 3.0)], RULE)
            .unwrap()
        else {
            panic!("stored over a skipped file")
        };
        assert_eq!(seen.outcome, "not_activity");
    }

    fn run(start_h: u32, km: f64) -> NewActivity {
        let start = Utc.with_ymd_and_hms(2026, 5, 1, start_h, 0, 0).unwrap();
        NewActivity {
            distance_m: km * 1000.0,
            source_kind: SourceKind::File,
            ..NewActivity::manual(Sport::Run, start, 7200)
        }
    }

    #[test]
    fn migrates_a_new_database_to_the_latest_schema() {
        let store = Store::open_in_memory().unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
    }

    #[test]
    fn a_confirmation_is_stored() {
        let mut store = Store::open_in_memory().unwrap();
        let Stored::New(id) = store.store_activity(&run(8, 80.0), None).unwrap() else {
            panic!("a new activity")
        };
        let read =
            |store: &Store| store.activities(&ActivityFilter::default()).unwrap()[0].confirmed;
        assert!(!read(&store));
        assert!(store.set_confirmed(id, true).unwrap());
        assert!(read(&store));
        assert!(!store.set_confirmed(id + 1, true).unwrap());
    }

    #[test]
    fn a_file_is_remembered_with_its_activities() {
        let mut store = Store::open_in_memory().unwrap();
        let out = stored(&mut store, "abc", "a.fit", &[run(7, 10.0)]);
        let Stored::New(id) = out[0] else {
            panic!("{out:?}")
        };
        let seen = store.seen_file("abc").unwrap().unwrap();
        assert_eq!(seen.outcome, "imported");
        assert_eq!(seen.activity_id, Some(id));
        assert_eq!(store.seen_file("other").unwrap(), None);
    }

    #[test]
    fn the_same_run_from_another_file_is_a_duplicate() {
        let mut store = Store::open_in_memory().unwrap();
        let first = stored(&mut store, "h1", "a.fit", &[run(7, 10.0)]);
        let mut again = run(7, 10.3);
        again.start = again.start.map(|s| s + chrono::Duration::seconds(40));
        let second = stored(&mut store, "h2", "a.gpx", &[again]);
        let Stored::New(id) = first[0] else { panic!() };
        assert_eq!(second, vec![Stored::Duplicate(id)]);
        // a different run an hour later is not
        let third = stored(&mut store, "h3", "b.fit", &[run(8, 10.0)]);
        assert!(matches!(third[0], Stored::New(_)));
        assert_eq!(store.count_activities().unwrap(), 2);
    }

    #[test]
    fn a_ride_at_the_same_time_is_not_a_duplicate_of_a_run() {
        let mut store = Store::open_in_memory().unwrap();
        stored(&mut store, "h1", "a.fit", &[run(7, 10.0)]);
        let mut ride = run(7, 10.0);
        ride.sport = Sport::Ride;
        let out = stored(&mut store, "h2", "b.fit", &[ride]);
        assert!(matches!(out[0], Stored::New(_)));
    }

    #[test]
    fn lists_by_local_date() {
        let mut store = Store::open_in_memory().unwrap();
        // 23:30 UTC on 1 May is 01:30 on 2 May at +02:00
        let mut late = run(23, 5.0);
        late.start = late.start.map(|s| s + chrono::Duration::minutes(30));
        store.store_activity(&late, None).unwrap();
        let on = |d: &str| ActivityFilter {
            since: Some(d.parse().unwrap()),
            until: Some(d.parse().unwrap()),
        };
        assert_eq!(store.activities(&on("2026-05-02")).unwrap().len(), 1);
        assert_eq!(store.activities(&on("2026-05-01")).unwrap().len(), 0);
    }

    #[test]
    fn a_batch_keeps_its_files_and_a_failed_file_only_loses_itself_unless_sqlite_rolls_back() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .conn
            .execute_batch(
                "CREATE TRIGGER refuse BEFORE INSERT ON imported_files WHEN NEW.content_hash = 'b'
                     BEGIN SELECT RAISE(ABORT, 'refused'); END;
                 CREATE TRIGGER roll_back BEFORE INSERT ON imported_files WHEN NEW.content_hash = 'e'
                     BEGIN SELECT RAISE(ROLLBACK, 'disk full'); END;",
            )
            .unwrap();
        let count = |store: &Store| store.count_activities().unwrap();

        store.begin_batch().unwrap();
        stored(&mut store, "a", "a.fit", &[run(7, 10.0)]);
        assert!(store
            .store_file("b", "bad.fit", &[run(9, 5.0)], RULE)
            .is_err());
        stored(&mut store, "c", "c.fit", &[run(11, 8.0)]);
        assert!(store.commit_batch().unwrap(), "committed");
        assert_eq!(
            count(&store),
            2,
            "the refused file's savepoint alone rolled back"
        );
        assert!(store.seen_file("b").unwrap().is_none());

        store.begin_batch().unwrap();
        stored(&mut store, "d", "d.fit", &[run(13, 6.0)]);
        assert!(store
            .store_file("e", "full.fit", &[run(15, 5.0)], RULE)
            .is_err());
        assert!(!store.commit_batch().unwrap(), "nothing left to commit");
        assert_eq!(count(&store), 2, "the whole batch is gone");
        // The store works on after a lost batch.
        stored(&mut store, "d", "d.fit", &[run(13, 6.0)]);
        assert_eq!(count(&store), 3);
    }

    #[test]
    fn the_local_day_span_of_some_activities() {
        let mut store = Store::open_in_memory().unwrap();
        let mut new = |activity: &NewActivity| match store.store_activity(activity, None) {
            Ok(Stored::New(id)) => id,
            other => panic!("{other:?}"),
        };
        let mut late = run(23, 5.0);
        late.start = late.start.map(|s| s + chrono::Duration::minutes(30));
        let mut undated = run(9, 3.0);
        undated.start = None;
        let (early, late, undated) = (new(&run(7, 5.0)), new(&late), new(&undated));
        let day = |d: &str| d.parse::<NaiveDate>().unwrap();
        assert_eq!(
            store.local_day_span(&[late, undated, early, 999]).unwrap(),
            Some((day("2026-05-01"), day("2026-05-02"))),
            "local days, undated and unknown ids left out"
        );
        assert_eq!(store.local_day_span(&[undated]).unwrap(), None);
        assert_eq!(store.local_day_span(&[]).unwrap(), None);
    }

    #[test]
    fn open_ended_ranges_and_undated_activities() {
        let mut store = Store::open_in_memory().unwrap();
        store.store_activity(&run(7, 5.0), None).unwrap();
        let mut undated = run(9, 3.0);
        undated.start = None;
        store.store_activity(&undated, None).unwrap();
        store.store_activity(&run(6, 4.0), None).unwrap();
        let range = |since: Option<&str>, until: Option<&str>| {
            let filter = ActivityFilter {
                since: since.map(|d| d.parse().unwrap()),
                until: until.map(|d| d.parse().unwrap()),
            };
            store.activities(&filter).unwrap().len()
        };
        assert_eq!(range(None, None), 3, "every activity, undated ones too");
        let order: Vec<Option<i64>> = store
            .activities(&ActivityFilter::default())
            .unwrap()
            .iter()
            .map(|a| a.start.map(|s| s.timestamp()))
            .collect();
        let (six, seven) = (run(6, 0.0).start, run(7, 0.0).start);
        assert_eq!(
            order,
            [six, seven, None].map(|s| s.map(|s| s.timestamp())),
            "oldest first, undated last"
        );
        assert_eq!(range(Some("2026-05-01"), None), 2);
        assert_eq!(range(Some("2026-05-02"), None), 0);
        assert_eq!(range(None, Some("2026-05-01")), 2);
        assert_eq!(range(None, Some("2026-04-30")), 0);
    }

    /// The plan SQLite chooses for a query of the store.
    fn query_plan(store: &Store, sql: &str) -> String {
        let mut stmt = store
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let rows = stmt
            .query_map(["2026-01-01", "2026-01-07"], |r| r.get::<_, String>(3))
            .unwrap();
        rows.map(|r| r.unwrap()).collect::<Vec<_>>().join("; ")
    }

    #[test]
    fn date_ranges_read_the_local_date_index() {
        let store = Store::open_in_memory().unwrap();
        let plan = query_plan(&store, &activities_sql(true));
        assert!(
            plan.contains("SEARCH activities USING INDEX activities_local_date"),
            "{plan}"
        );
        let plan = query_plan(
            &store,
            &format!("{PAIN_SELECT} WHERE date BETWEEN ?1 AND ?2"),
        );
        assert!(plan.contains("SEARCH pain USING INDEX pain_date"), "{plan}");
    }

    #[test]
    fn a_database_of_an_earlier_schema_migrates_and_keeps_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            for sql in &MIGRATIONS[..2] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 2).unwrap();
            conn.execute(
                "INSERT INTO activities (sport, start_ts, utc_offset_s, source_kind, source,
                                         created_at)
                 VALUES ('run', 1777615200, 7200, 'manual', 'add', '2026-05-01T06:00:00Z')",
                [],
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
        let day = ActivityFilter {
            since: Some("2026-05-01".parse().unwrap()),
            until: Some("2026-05-01".parse().unwrap()),
        };
        assert_eq!(store.activities(&day).unwrap().len(), 1);
        let plan = query_plan(&store, &activities_sql(true));
        assert!(plan.contains("USING INDEX activities_local_date"), "{plan}");
    }

    #[test]
    fn api_ids_are_found_linked_and_updated() {
        let mut store = Store::open_in_memory().unwrap();
        let Stored::New(file) = store.store_activity(&run(7, 10.0), None).unwrap() else {
            panic!()
        };
        assert_eq!(store.newest_external_start("strava:").unwrap(), None);
        let mut api = run(7, 10.1);
        api.source_kind = SourceKind::Strava;
        api.external_id = Some("strava:5".into());
        assert_eq!(store.find_duplicate(&api, RULE).unwrap(), Some(file));
        assert!(store.set_external_id(file, "strava:5").unwrap());
        assert!(!store.set_external_id(file, "strava:6").unwrap());
        let found = store.find_external("strava:5").unwrap().unwrap();
        assert_eq!((found.id, found.source_kind), (file, SourceKind::File));
        assert_eq!(
            store.newest_external_start("strava:").unwrap(),
            run(7, 0.0).start
        );
        assert_eq!(store.newest_external_start("intervals:").unwrap(), None);

        let mut synced = run(9, 8.0);
        synced.source_kind = SourceKind::Strava;
        synced.external_id = Some("strava:7".into());
        synced.descent_m = Some(50.0);
        let Stored::New(id) = store.store_activity(&synced, None).unwrap() else {
            panic!()
        };
        synced.name = Some("Renamed".into());
        synced.descent_m = Some(80.0);
        store.update_api_activity(id, &synced, false).unwrap();
        let all = store.activities(&ActivityFilter::default()).unwrap();
        let updated = all.iter().find(|a| a.id == id).unwrap();
        assert_eq!(updated.name.as_deref(), Some("Renamed"));
        assert_eq!(updated.descent_m, Some(50.0));
        store.update_api_activity(id, &synced, true).unwrap();
        let all = store.activities(&ActivityFilter::default()).unwrap();
        assert_eq!(
            all.iter().find(|a| a.id == id).unwrap().descent_m,
            Some(80.0)
        );
    }

    #[test]
    fn estimated_descents_are_listed_newest_first_until_measured_or_noted() {
        let mut store = Store::open_in_memory().unwrap();
        let mut ids = Vec::new();
        for (hour, kind, estimated) in [
            (6, SourceKind::Strava, true),
            (7, SourceKind::Strava, false),
            (8, SourceKind::Intervals, true),
            (9, SourceKind::Strava, true),
            (10, SourceKind::Strava, true),
        ] {
            let mut a = run(hour, 8.0);
            a.source_kind = kind;
            a.descent_m = Some(40.0);
            a.descent_estimated = estimated;
            a.raw_json = Some(format!("{{\"hour\":{hour}}}"));
            let Stored::New(id) = store.store_activity(&a, None).unwrap() else {
                panic!()
            };
            ids.push(id);
        }
        let listed = |store: &Store| -> Vec<i64> {
            let runs = store.estimated_descents(SourceKind::Strava).unwrap();
            runs.iter().map(|r| r.id).collect()
        };
        assert_eq!(listed(&store), [ids[4], ids[3], ids[0]]);
        let first = &store.estimated_descents(SourceKind::Strava).unwrap()[0];
        assert_eq!(first.raw_json.as_deref(), Some("{\"hour\":10}"));

        let series = EncodedSeries::new(&[SeriesPoint {
            t_s: 0.0,
            distance_m: 0.0,
            altitude_m: 100.0,
        }]);
        assert!(store.replace_descent(ids[4], 37.5, &series).unwrap());
        // measured once: a second replacement changes nothing
        assert!(!store.replace_descent(ids[4], 99.0, &series).unwrap());
        assert!(store.set_descent_note(ids[3], "gone").unwrap());
        assert!(!store.set_descent_note(9999, "gone").unwrap());
        assert_eq!(listed(&store), [ids[0]]);
        let all = store.activities(&ActivityFilter::default()).unwrap();
        let measured = all.iter().find(|a| a.id == ids[4]).unwrap();
        assert_eq!(
            (measured.descent_m, measured.descent_estimated),
            (Some(37.5), false)
        );
        assert_eq!(store.series(ids[4]).unwrap().map(|s| s.len()), Some(1));
        let noted = all.iter().find(|a| a.id == ids[3]).unwrap();
        assert_eq!(
            (noted.descent_m, noted.descent_estimated),
            (Some(40.0), true)
        );
    }

    #[test]
    fn two_connections_can_write_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kg.sqlite");
        let mut a = Store::open(&path).unwrap();
        let mut b = Store::open(&path).unwrap();
        a.store_activity(&run(6, 5.0), None).unwrap();
        b.store_activity(&run(9, 5.0), None).unwrap();
        assert_eq!(a.count_activities().unwrap(), 2);
    }
}
