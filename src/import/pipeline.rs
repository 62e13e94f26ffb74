//! Many inputs at once: hashing, reading and measuring files is spread over worker threads
//! while the thread that owns the store stores them in the order the inputs came (so that
//! which of two copies of a run is "the duplicate" never depends on timing). Workers leave
//! unread the content that a snapshot of the store, taken at the start, knows; the store
//! decides again inside each file's savepoint.
//!
//! Files are stored in batches: the store thread waits until [`BATCH_READY`] files are ready in
//! input order (or it would otherwise have to wait), then writes them in one transaction of at
//! most [`BATCH_FILES`] files or [`BATCH_BYTES`] of input, a savepoint for each, so a file is
//! still stored whole or not at all. Each batch is committed before the store thread reads
//! another input or waits for a worker: the write lock is held only while ready files are
//! written, so another kneeguard (a `pain add` during a long import) gets it in between. An
//! outcome is handed on only once its batch is committed, so whatever the import reports as
//! stored is stored; a crash or Ctrl-C loses at most the files read and not yet committed, which
//! the next import reads again. A huge file that streams is a transaction of its own.
//!
//! Memory stays bounded whatever the size of the import: at most [`JOBS_PER_WORKER`] files a
//! worker, and at most [`MAX_READING_BYTES`] of input beyond one file, wait to be read, and at
//! most [`MAX_WAITING`] read files wait to be stored. A huge FIT
//! file is not given to a worker: once everything before it is stored, the store thread reads
//! it while it stores it ([`Importer::stream`]).

use super::{prepare, ImportOutcome, Importer, Input, Prepared, Triage};
use crate::db::DbError;
use std::collections::BTreeMap;
use std::sync::mpsc::{channel, sync_channel, Receiver};
use std::sync::{Arc, Mutex};

/// Read files waiting to be stored before the store thread stops taking new inputs.
const MAX_WAITING: usize = 32;

/// Files waiting for each worker to read them: enough that the workers stay busy while the
/// store thread commits a batch or SQLite checkpoints its log (its disk flushes take up to 5 ms;
/// with 8 a worker ran dry during them, and two cores gave 1.70-1.75x one core rather than
/// 1.75-1.88x).
const JOBS_PER_WORKER: usize = 32;

/// The input bytes handed to workers and not yet back, past which the store thread waits for
/// reads to come back before it hands out another file (it always hands out one).
const MAX_READING_BYTES: usize = 64 << 20;

/// Files ready in input order before the store thread writes them.
pub const BATCH_READY: usize = 16;

/// The most files one transaction holds.
pub const BATCH_FILES: usize = 64;

/// The input bytes after which a batch is committed even with fewer files.
pub const BATCH_BYTES: usize = 8_000_000;

/// One input in flight, in input order.
enum Slot {
    Settled(ImportOutcome),
    Read(Prepared),
    Row(super::strava_csv::ExportRow),
    /// Being read by a worker.
    Reading,
}

/// Imports every input that `produce` hands over, calling `done(label, outcome)` for each in
/// input order once it is committed. `workers` threads read and measure files (1 reads on the
/// calling thread's pace but still off it). Stops at the first database error, which is
/// returned: every file reported to `done` stays stored, and the files of the batch the error
/// came in are stored too unless SQLite rolled the batch back ([`DbError::BatchLost`]).
pub fn run(
    importer: &mut Importer<'_>,
    workers: usize,
    produce: impl FnOnce(&mut dyn FnMut(Input)),
    done: impl FnMut(String, ImportOutcome),
) -> Result<(), DbError> {
    run_within(importer, workers, MAX_READING_BYTES, produce, done)
}

/// [`run`], with at most `max_reading_bytes` of input (beyond one file) handed to workers at
/// once.
fn run_within(
    importer: &mut Importer<'_>,
    workers: usize,
    max_reading_bytes: usize,
    produce: impl FnOnce(&mut dyn FnMut(Input)),
    mut done: impl FnMut(String, ImportOutcome),
) -> Result<(), DbError> {
    let workers = workers.clamp(1, 16);
    let known = importer.known_files()?;
    let descent = importer.config.descent.clone();
    let tz = importer.tz;
    let (job_tx, job_rx) = sync_channel::<(usize, super::FileJob)>(workers * JOBS_PER_WORKER);
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (read_tx, read_rx) = channel::<(usize, Prepared)>();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let jobs = Arc::clone(&job_rx);
            let results = read_tx.clone();
            let (descent, known) = (&descent, &known);
            scope.spawn(move || loop {
                // Hold the lock only to take a job, never while reading it.
                let job = match jobs.lock() {
                    Ok(jobs) => jobs.recv(),
                    Err(_) => return,
                };
                let Ok((seq, job)) = job else { return };
                let prepared = prepare(job, &|hash| known.contains(hash), descent, tz);
                if results.send((seq, prepared)).is_err() {
                    return;
                }
            });
        }
        drop(read_tx);

        let mut queue = Queue {
            max_reading_bytes,
            ..Queue::default()
        };
        let mut seq = 0usize;
        produce(&mut |input| {
            if queue.error.is_some() {
                return;
            }
            let label = input.label().to_string();
            let mut bytes = 0;
            let slot = match importer.triage(input) {
                Ok(Triage::Done(outcome)) => Slot::Settled(outcome),
                Ok(Triage::Row { row, .. }) => Slot::Row(row),
                Ok(Triage::Read(job)) if job.streams() => {
                    // A huge file is read while it is stored, after everything before it, in
                    // a transaction of its own.
                    queue.drain(seq, &read_rx, importer, &mut done);
                    if queue.error.is_some() {
                        return;
                    }
                    match importer.stream(job) {
                        Ok(outcome) => Slot::Settled(outcome),
                        Err(e) => {
                            queue.error = Some(e);
                            return;
                        }
                    }
                }
                Ok(Triage::Read(job)) => {
                    bytes = job.bytes.len();
                    queue.make_room(bytes, &read_rx, importer, &mut done);
                    if job_tx.send((seq, job)).is_err() {
                        return;
                    }
                    queue.reading_bytes += bytes;
                    Slot::Reading
                }
                Err(e) => {
                    queue.error = Some(e);
                    return;
                }
            };
            queue.inputs.insert(seq, Queued { label, bytes });
            queue.slots.insert(seq, slot);
            seq += 1;
            queue.collect(&read_rx, false);
            queue.flush(importer, &mut done, false);
            while queue.waiting() >= MAX_WAITING && queue.error.is_none() {
                // Store what is ready before waiting for more.
                queue.flush(importer, &mut done, true);
                if queue.waiting() < MAX_WAITING || !queue.collect(&read_rx, true) {
                    break;
                }
            }
        });
        drop(job_tx);
        queue.drain(seq, &read_rx, importer, &mut done);
        match queue.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    })
}

/// An input waiting in the queue: its name, and its size for the batch.
#[derive(Default)]
struct Queued {
    label: String,
    bytes: usize,
}

/// The files stored since the last commit.
#[derive(Default)]
struct Batch {
    open: bool,
    files: usize,
    bytes: usize,
}

impl Batch {
    fn full(&self) -> bool {
        self.files >= BATCH_FILES || self.bytes >= BATCH_BYTES
    }
}

#[derive(Default)]
struct Queue {
    slots: BTreeMap<usize, Slot>,
    inputs: BTreeMap<usize, Queued>,
    /// The next input to store.
    next: usize,
    error: Option<DbError>,
    /// What the open batch holds.
    batch: Batch,
    /// Outcomes in input order, waiting for their batch to be committed.
    pending: Vec<(String, ImportOutcome)>,
    /// The bytes of the files handed to workers and not yet back, and their bound.
    reading_bytes: usize,
    max_reading_bytes: usize,
}

impl Queue {
    /// Takes finished reads off the channel (waiting for one when `block`); false when no
    /// worker can send any more.
    fn collect(&mut self, results: &Receiver<(usize, Prepared)>, block: bool) -> bool {
        if block {
            match results.recv() {
                Ok((seq, prepared)) => self.read(seq, prepared),
                Err(_) => return false,
            }
        }
        while let Ok((seq, prepared)) = results.try_recv() {
            self.read(seq, prepared);
        }
        true
    }

    /// A worker's read of input `seq` has come back.
    fn read(&mut self, seq: usize, prepared: Prepared) {
        let bytes = self.inputs.get(&seq).map_or(0, |queued| queued.bytes);
        self.reading_bytes = self.reading_bytes.saturating_sub(bytes);
        self.slots.insert(seq, Slot::Read(prepared));
    }

    /// Before a file of `bytes` is handed to a worker: stores what is ready and waits for reads
    /// to come back while the files being read would exceed their bound with it.
    fn make_room(
        &mut self,
        bytes: usize,
        results: &Receiver<(usize, Prepared)>,
        importer: &mut Importer<'_>,
        done: &mut impl FnMut(String, ImportOutcome),
    ) {
        while self.reading_bytes > 0
            && self.reading_bytes + bytes > self.max_reading_bytes
            && self.error.is_none()
        {
            if !self.collect(results, true) {
                break;
            }
            self.flush(importer, done, false);
        }
    }

    /// Whether the next input to store is ready.
    fn next_ready(&self) -> bool {
        matches!(self.slots.get(&self.next), Some(s) if !matches!(s, Slot::Reading))
    }

    /// How many inputs are ready in input order from the next one on.
    fn ready_in_order(&self) -> usize {
        (self.next..)
            .take_while(|seq| matches!(self.slots.get(seq), Some(s) if !matches!(s, Slot::Reading)))
            .count()
    }

    /// Stores, in input order, the inputs ready from the next one on, once [`BATCH_READY`] are
    /// (or any number with `now`), and commits them before it returns: no transaction stays
    /// open while the import reads or waits.
    fn flush(
        &mut self,
        importer: &mut Importer<'_>,
        done: &mut impl FnMut(String, ImportOutcome),
        now: bool,
    ) {
        if now || self.ready_in_order() >= BATCH_READY {
            self.store_ready(importer, done);
        }
        self.commit(importer, done);
    }

    /// Stores the inputs ready in input order, committing each full batch.
    fn store_ready(
        &mut self,
        importer: &mut Importer<'_>,
        done: &mut impl FnMut(String, ImportOutcome),
    ) {
        while self.error.is_none() && self.next_ready() {
            let slot = self.slots.remove(&self.next).expect("checked above");
            let Queued { label, bytes } = self.inputs.remove(&self.next).unwrap_or_default();
            if !matches!(slot, Slot::Settled(_)) {
                if let Err(e) = self.open_batch(importer) {
                    self.error = Some(e);
                    return;
                }
            }
            let outcome = match slot {
                Slot::Settled(outcome) => Ok(outcome),
                Slot::Read(prepared) => importer.store(prepared),
                Slot::Row(row) => importer.store_row(&label, &row),
                Slot::Reading => unreachable!("not ready"),
            };
            match outcome {
                Ok(outcome) => self.pending.push((label, outcome)),
                Err(e) => {
                    self.error = Some(e);
                    return;
                }
            }
            self.next += 1;
            self.batch.files += 1;
            self.batch.bytes += bytes;
            if !self.batch.open || self.batch.full() {
                self.commit(importer, done);
            }
        }
    }

    /// Opens a batch for the files to come, unless one is open.
    fn open_batch(&mut self, importer: &mut Importer<'_>) -> Result<(), DbError> {
        if !self.batch.open {
            importer.store.begin_batch()?;
            self.batch.open = true;
        }
        Ok(())
    }

    /// Commits the open batch (the files stored before an error too) and hands on the
    /// outcomes that waited for it. When the commit fails they are dropped, since nothing of
    /// them is stored, and the error says so.
    fn commit(
        &mut self,
        importer: &mut Importer<'_>,
        done: &mut impl FnMut(String, ImportOutcome),
    ) {
        let committed = match std::mem::take(&mut self.batch).open {
            true => importer.store.commit_batch(),
            false => Ok(true),
        };
        let pending = std::mem::take(&mut self.pending);
        match committed {
            Ok(true) => pending
                .into_iter()
                .for_each(|(label, outcome)| done(label, outcome)),
            // SQLite rolled the batch back after the error that stopped the import; when the
            // failing file was all it held, that error says everything.
            Ok(false) if pending.is_empty() => {}
            Ok(false) => {
                let cause = self
                    .error
                    .take()
                    .map_or_else(|| "an error".to_string(), |e| e.to_string());
                self.error = Some(DbError::BatchLost {
                    cause,
                    files: pending.len(),
                });
            }
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
    }

    /// Stores every input before `end`, waiting for their reads.
    fn drain(
        &mut self,
        end: usize,
        results: &Receiver<(usize, Prepared)>,
        importer: &mut Importer<'_>,
        done: &mut impl FnMut(String, ImportOutcome),
    ) {
        self.flush(importer, done, true);
        while self.error.is_none() && self.next < end {
            if !self.collect(results, true) {
                break;
            }
            self.flush(importer, done, true);
        }
    }

    /// Read files waiting to be stored.
    fn waiting(&self) -> usize {
        self.slots
            .values()
            .filter(|s| matches!(s, Slot::Read(_)))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Store;
    use crate::import::Prepared;
    use crate::model::Activity;
    use crate::readers::Format;
    use crate::settings::Config;
    use crate::synth::{fit_writer::FitSport, Course};
    use chrono::{Duration, TimeZone, Utc};
    use tempfile::TempDir;

    /// Twelve runs, one of them twice (the same bytes) and one also as GPX (another source).
    fn inputs() -> Vec<Input> {
        let first = Utc.with_ymd_and_hms(2026, 3, 2, 7, 0, 0).unwrap();
        let mut files: Vec<(String, Vec<u8>, Format)> = (0..12)
            .map(|i| {
                let course =
                    Course::new(first + Duration::days(i), 4000.0 + i as f64 * 500.0, 30.0);
                (
                    format!("run{i}.fit"),
                    course.to_fit(FitSport::RUN, i as u32 + 1),
                    Format::Fit,
                )
            })
            .collect();
        let again = files[3].1.clone();
        files.insert(7, ("copy-of-run3.fit".into(), again, Format::Fit));
        let gpx = Course::new(first + Duration::days(5), 6500.0, 30.0).to_gpx("run 5", "running");
        files.push(("run5.gpx".into(), gpx.into_bytes(), Format::Gpx));
        files
            .into_iter()
            .map(|(label, bytes, format)| Input::File {
                label,
                bytes,
                format: Some(format),
                export_row: None,
            })
            .collect()
    }

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
    }

    /// The outcomes of importing `inputs()` once: one by one without `workers`, else by the
    /// pipeline.
    fn import_once(
        importer: &mut Importer<'_>,
        workers: Option<usize>,
    ) -> Vec<(String, ImportOutcome)> {
        import_within(importer, workers, MAX_READING_BYTES)
    }

    /// [`import_once`] with a bound on the bytes being read at once.
    fn import_within(
        importer: &mut Importer<'_>,
        workers: Option<usize>,
        max_reading_bytes: usize,
    ) -> Vec<(String, ImportOutcome)> {
        let mut out = Vec::new();
        match workers {
            None => {
                for input in inputs() {
                    let label = input.label().to_string();
                    out.push((label, importer.import(input).unwrap()));
                }
            }
            Some(n) => run_within(
                importer,
                n,
                max_reading_bytes,
                |sink| inputs().into_iter().for_each(sink),
                |label, outcome| out.push((label, outcome)),
            )
            .unwrap(),
        }
        out
    }

    fn outcomes(workers: Option<usize>) -> Vec<(String, ImportOutcome)> {
        let mut store = Store::open_in_memory().unwrap();
        let config = Config::default();
        import_once(
            &mut Importer::new(&mut store, &config, chrono_tz::UTC, today()),
            workers,
        )
    }

    #[test]
    fn the_pipeline_stores_in_input_order_exactly_as_one_by_one() {
        let sequential = outcomes(None);
        assert_eq!(sequential.len(), 14);
        assert!(
            matches!(sequential[7].1, ImportOutcome::AlreadyImported { .. }),
            "{:?}",
            sequential[7]
        );
        assert!(
            matches!(sequential[13].1, ImportOutcome::Duplicate { .. }),
            "{:?}",
            sequential[13]
        );
        for workers in [1, 2, 4] {
            assert_eq!(outcomes(Some(workers)), sequential, "{workers} workers");
        }
    }

    #[test]
    fn a_tight_bound_on_the_bytes_being_read_changes_no_outcome() {
        let sequential = outcomes(None);
        let config = Config::default();
        // One byte: every file is handed out alone; 60 kB: one or two of these runs at once.
        for bound in [1, 60_000] {
            for workers in [1, 2, 4] {
                let mut store = Store::open_in_memory().unwrap();
                let mut importer = Importer::new(&mut store, &config, chrono_tz::UTC, today());
                assert_eq!(
                    import_within(&mut importer, Some(workers), bound),
                    sequential,
                    "{workers} workers, {bound} bytes"
                );
            }
        }
    }

    #[test]
    fn a_second_import_settles_known_content_unread_with_the_outcomes_one_by_one_gives() {
        let config = Config::default();
        let twice = |workers: Option<usize>| {
            let mut store = Store::open_in_memory().unwrap();
            let mut importer = Importer::new(&mut store, &config, chrono_tz::UTC, today());
            import_once(&mut importer, workers);
            import_once(&mut importer, workers)
        };
        let sequential = twice(None);
        assert!(
            sequential
                .iter()
                .all(|(_, o)| matches!(o, ImportOutcome::AlreadyImported { .. })),
            "{sequential:?}"
        );
        assert_eq!(twice(Some(2)), sequential);
    }

    #[test]
    fn content_known_to_the_snapshot_but_forgotten_since_is_read_after_all() {
        let mut store = Store::open_in_memory().unwrap();
        let config = Config::default();
        let mut importer = Importer::new(&mut store, &config, chrono_tz::UTC, today());
        let Some(input) = inputs().into_iter().next() else {
            unreachable!()
        };
        let Ok(Triage::Read(job)) = importer.triage(input) else {
            panic!("not a file to read")
        };
        let prepared = prepare(job, &|_| true, &config.descent, chrono_tz::UTC);
        assert!(matches!(prepared, Prepared::Seen { .. }), "{prepared:?}");
        let (activities, _) = imported(&importer.store(prepared).unwrap());
        assert_eq!(activities, 1);
    }

    /// The activity ids another connection to the database file sees: what is committed.
    fn committed_ids(path: &std::path::Path) -> Vec<i64> {
        let conn = rusqlite::Connection::open(path).unwrap();
        let mut stmt = conn
            .prepare("SELECT id FROM activities ORDER BY id")
            .unwrap();
        let ids = stmt.query_map([], |r| r.get(0)).unwrap();
        ids.collect::<rusqlite::Result<_>>().unwrap()
    }

    fn new_ids(outcome: &ImportOutcome) -> Vec<i64> {
        match outcome {
            ImportOutcome::Imported { ids, .. } => ids.clone(),
            _ => Vec::new(),
        }
    }

    /// `n` short runs, a day apart, each as its own FIT file.
    fn short_runs(n: i64) -> Vec<Input> {
        let first = Utc.with_ymd_and_hms(2026, 1, 1, 7, 0, 0).unwrap();
        (0..n)
            .map(|i| Input::File {
                label: format!("short{i}.fit"),
                bytes: Course::new(first + Duration::days(i), 800.0, 5.0)
                    .to_fit(FitSport::RUN, i as u32 + 1),
                format: Some(Format::Fit),
                export_row: None,
            })
            .collect()
    }

    #[test]
    fn a_long_import_commits_in_batches_so_a_crash_loses_at_most_one() {
        let (_dir, path, mut store) = store_in_a_file();
        let config = Config::default();
        let mut importer = Importer::new(&mut store, &config, chrono_tz::UTC, today());
        let total = 2 * BATCH_FILES + 5;
        // How many activities another connection sees at each outcome.
        let mut visible = Vec::new();
        run(
            &mut importer,
            2,
            |sink| short_runs(total as i64).into_iter().for_each(sink),
            |_, _| visible.push(committed_ids(&path).len()),
        )
        .unwrap();
        visible.dedup();
        let steps: Vec<usize> = std::iter::once(0)
            .chain(visible.iter().copied())
            .collect::<Vec<_>>()
            .windows(2)
            .map(|w| w[1] - w[0])
            .collect();
        assert_eq!(visible.last(), Some(&total));
        assert!(steps.len() >= 3, "committed in batches: {steps:?}");
        assert!(steps.iter().all(|s| *s <= BATCH_FILES), "{steps:?}");
    }

    #[test]
    fn another_writer_gets_the_lock_whenever_the_import_reads_or_waits() {
        let (_dir, path, mut store) = store_in_a_file();
        let config = Config::default();
        let mut importer = Importer::new(&mut store, &config, chrono_tz::UTC, today());
        // A `pain add` that does not wait: it fails at once if the import holds the lock.
        let other = rusqlite::Connection::open(&path).unwrap();
        other.busy_timeout(std::time::Duration::ZERO).unwrap();
        let mut writes = 0;
        run(
            &mut importer,
            2,
            |sink| {
                for input in short_runs(3 * BATCH_READY as i64) {
                    other
                        .execute_batch("BEGIN IMMEDIATE; COMMIT;")
                        .expect("the write lock is free between inputs");
                    writes += 1;
                    sink(input);
                }
            },
            |_, _| {},
        )
        .unwrap();
        assert_eq!(writes, 3 * BATCH_READY);
    }

    /// A new database in a file of a temporary folder (kept while the folder lives), so that
    /// another connection can look at what is committed.
    fn store_in_a_file() -> (TempDir, std::path::PathBuf, Store) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kneeguard.sqlite");
        let store = Store::open(&path).unwrap();
        (dir, path, store)
    }

    /// The inputs an import reported, with the ids of their new activities.
    type Reported = Vec<(String, Vec<i64>)>;

    /// Imports `inputs()` into a database whose trigger refuses run8.fit's activity with
    /// `RAISE(how, 'disk full')`: what the import returned and reported (labels and new ids),
    /// and the folder of the database file (`kneeguard.sqlite`).
    fn import_refusing_run8(how: &str) -> (Result<(), DbError>, Reported, TempDir) {
        let (dir, path, mut store) = store_in_a_file();
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch(&format!(
                "CREATE TRIGGER refuse BEFORE INSERT ON activities
                 WHEN NEW.source = 'run8.fit' BEGIN SELECT RAISE({how}, 'disk full'); END"
            ))
            .unwrap();
        let config = Config::default();
        let mut importer = Importer::new(&mut store, &config, chrono_tz::UTC, today());
        let mut reported = Vec::new();
        let result = run(
            &mut importer,
            2,
            |sink| inputs().into_iter().for_each(sink),
            |label, outcome| reported.push((label, new_ids(&outcome))),
        );
        (result, reported, dir)
    }

    #[test]
    fn a_batch_the_database_rolls_back_is_reported_as_lost_and_none_of_it_as_stored() {
        // As after a full disk: SQLite rolls back the whole transaction, not only the file.
        let (result, reported, dir) = import_refusing_run8("ROLLBACK");
        // Which files shared the failing one's batch depends on how fast the workers read.
        let error = result.unwrap_err();
        let files = match error {
            DbError::BatchLost { files, .. } => files,
            _ => 0,
        };
        let lost = match files {
            0 => String::new(),
            1 => "; the database rolled back the file before it with it, so they are not \
                  stored: import the same files again"
                .to_string(),
            n => format!(
                "; the database rolled back the {n} files before it with it, so they are not \
                 stored: import the same files again"
            ),
        };
        assert_eq!(
            error.to_string(),
            format!("database error: disk full{lost}")
        );
        let labels: Vec<String> = inputs().iter().map(|i| i.label().to_string()).collect();
        let before = labels.iter().position(|l| l == "run8.fit").unwrap();
        let names: Vec<&String> = reported.iter().map(|(label, _)| label).collect();
        assert_eq!(names, labels[..before - files].iter().collect::<Vec<_>>());
        let ids: Vec<i64> = reported.into_iter().flat_map(|(_, ids)| ids).collect();
        let path = dir.path().join("kneeguard.sqlite");
        assert_eq!(committed_ids(&path), ids, "stored is what was reported");
    }

    #[test]
    fn an_outcome_is_handed_on_only_once_its_file_is_committed() {
        let (_dir, path, mut store) = store_in_a_file();
        let config = Config::default();
        let mut importer = Importer::new(&mut store, &config, chrono_tz::UTC, today());
        let mut reported = Vec::new();
        let mut seen_by_others = Vec::new();
        run(
            &mut importer,
            2,
            |sink| inputs().into_iter().for_each(sink),
            |_, outcome| {
                reported.extend(new_ids(&outcome));
                seen_by_others = committed_ids(&path);
                for id in &reported {
                    assert!(seen_by_others.contains(id), "#{id} reported, not committed");
                }
            },
        )
        .unwrap();
        assert_eq!(reported.len(), 12, "{reported:?}");
        assert_eq!(seen_by_others, reported);
    }

    #[test]
    fn a_rolled_back_batch_of_ready_files_loses_them_all_and_says_how_many() {
        // Every input read before the store thread writes: one batch, whatever the timing.
        let (_dir, path, mut store) = store_in_a_file();
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch(
                "CREATE TRIGGER refuse BEFORE INSERT ON activities
                 WHEN NEW.source = 'run8.fit' BEGIN SELECT RAISE(ROLLBACK, 'disk full'); END",
            )
            .unwrap();
        let config = Config::default();
        let mut importer = Importer::new(&mut store, &config, chrono_tz::UTC, today());
        let mut queue = Queue::default();
        for (seq, input) in inputs().into_iter().enumerate() {
            let label = input.label().to_string();
            let Ok(Triage::Read(job)) = importer.triage(input) else {
                panic!("{label} is a file to read")
            };
            let prepared = prepare(job, &|_| false, &config.descent, chrono_tz::UTC);
            queue.slots.insert(seq, Slot::Read(prepared));
            queue.inputs.insert(seq, Queued { label, bytes: 0 });
        }
        let mut reported = Vec::new();
        queue.flush(&mut importer, &mut |label, _| reported.push(label), true);
        let error = queue.error.take().expect("the import stopped");
        assert_eq!(
            error.to_string(),
            "database error: disk full; the database rolled back the 9 files before it with it, \
             so they are not stored: import the same files again"
        );
        assert_eq!(reported, Vec::<String>::new());
        assert_eq!(committed_ids(&path), Vec::<i64>::new());
    }

    #[test]
    fn a_database_error_keeps_and_reports_every_file_before_it_and_nothing_after() {
        // The database refuses the tenth input's activity, and only that file's savepoint.
        let (result, reported, dir) = import_refusing_run8("ABORT");
        let error = result.unwrap_err().to_string();
        assert!(error.contains("disk full"), "{error}");
        let labels: Vec<&str> = reported.iter().map(|(label, _)| label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "run0.fit",
                "run1.fit",
                "run2.fit",
                "run3.fit",
                "run4.fit",
                "run5.fit",
                "run6.fit",
                "copy-of-run3.fit",
                "run7.fit"
            ]
        );
        let ids: Vec<i64> = reported.into_iter().flat_map(|(_, ids)| ids).collect();
        assert_eq!(ids.len(), 8);
        assert_eq!(committed_ids(&dir.path().join("kneeguard.sqlite")), ids);
    }

    /// What a database holds of one file's activities (without their ids), for comparing
    /// two imports.
    fn stored(store: &Store, source: &str) -> Vec<String> {
        let activities = store.activities(&Default::default()).unwrap();
        activities
            .into_iter()
            .filter(|a| a.source == source)
            .map(|a| {
                let series = store.series(a.id).unwrap().unwrap_or_default();
                let points: Vec<String> = series
                    .iter()
                    .step_by(997)
                    .map(|p| format!("{:?}", (p.t_s, p.distance_m, p.altitude_m)))
                    .collect();
                format!("{:?} {} {points:?}", Activity { id: 0, ..a }, series.len())
            })
            .collect()
    }

    fn imported(outcome: &ImportOutcome) -> (usize, Vec<String>) {
        match outcome {
            ImportOutcome::Imported { ids, remarks, .. } => (ids.len(), remarks.clone()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_huge_chained_file_streams_into_the_store_as_reading_it_whole_would() {
        let first = Utc.with_ymd_and_hms(2025, 6, 1, 6, 0, 0).unwrap();
        let bytes = crate::synth::chained_fit(first, 4 << 20);
        let huge = || Input::File {
            label: "watch.fit".into(),
            bytes: bytes.clone(),
            format: Some(Format::Fit),
            export_row: None,
        };
        let config = Config::default();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();

        // Read whole on a worker's path, as smaller files are.
        let mut whole = Store::open_in_memory().unwrap();
        let mut importer = Importer::new(&mut whole, &config, chrono_tz::UTC, today);
        let Ok(Triage::Read(job)) = importer.triage(huge()) else {
            panic!("not a file to read")
        };
        assert!(job.streams());
        let read_whole = importer
            .store(prepare(job, &|_| false, &config.descent, chrono_tz::UTC))
            .unwrap();

        // Streamed, between other files, by the pipeline.
        let mut streamed = Store::open_in_memory().unwrap();
        let mut importer = Importer::new(&mut streamed, &config, chrono_tz::UTC, today);
        let mut out = Vec::new();
        let small = inputs();
        let count = small.len();
        run(
            &mut importer,
            2,
            |sink| {
                let mut small = small.into_iter();
                small.by_ref().take(5).for_each(&mut *sink);
                sink(huge());
                small.for_each(sink);
            },
            |label, outcome| out.push((label, outcome)),
        )
        .unwrap();
        assert_eq!(out.len(), count + 1);
        assert_eq!(out[5].0, "watch.fit", "stored in input order");
        let (activities, remarks) = imported(&out[5].1);
        assert!(activities >= 20, "{activities} activities");
        assert_eq!((activities, remarks), imported(&read_whole));
        assert_eq!(stored(&streamed, "watch.fit"), stored(&whole, "watch.fit"));
        assert_eq!(streamed.count_activities().unwrap(), activities as i64 + 12);
    }
}
