//! Many inputs at once: hashing, reading and measuring files is spread over worker threads
//! while the thread that owns the store stores, one transaction per file, in the order the
//! inputs came (so that which of two copies of a run is "the duplicate" never depends on
//! timing). Workers leave unread the content that a snapshot of the store, taken at the start,
//! knows; the store decides again inside each file's transaction.
//!
//! Memory stays bounded whatever the size of the import: a few files wait for a worker, and at
//! most [`MAX_WAITING`] read files wait to be stored. A huge FIT file is not given to a
//! worker: once everything before it is stored, the store thread reads it while it stores it
//! ([`Importer::stream`]).

use super::{prepare, ImportOutcome, Importer, Input, Prepared, Triage};
use crate::db::DbError;
use std::collections::BTreeMap;
use std::sync::mpsc::{channel, sync_channel, Receiver};
use std::sync::{Arc, Mutex};

/// Read files waiting to be stored before the store thread stops taking new inputs.
const MAX_WAITING: usize = 32;

/// One input in flight, in input order.
enum Slot {
    Settled(ImportOutcome),
    Read(Prepared),
    Row(super::strava_csv::ExportRow),
    /// Being read by a worker.
    Reading,
}

/// Imports every input that `produce` hands over, calling `done(label, outcome)` for each in
/// input order. `workers` threads read and measure files (1 reads on the calling thread's
/// pace but still off it). Stops at the first database error, which is returned; everything
/// stored before it stays stored.
pub fn run(
    importer: &mut Importer<'_>,
    workers: usize,
    produce: impl FnOnce(&mut dyn FnMut(Input)),
    mut done: impl FnMut(String, ImportOutcome),
) -> Result<(), DbError> {
    let workers = workers.clamp(1, 16);
    let known = importer.known_files()?;
    let descent = importer.config.descent.clone();
    let tz = importer.tz;
    let (job_tx, job_rx) = sync_channel::<(usize, super::FileJob)>(workers * 2);
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
            slots: BTreeMap::new(),
            labels: BTreeMap::new(),
            next: 0,
            error: None,
        };
        let mut seq = 0usize;
        produce(&mut |input| {
            if queue.error.is_some() {
                return;
            }
            let label = input.label().to_string();
            let slot = match importer.triage(input) {
                Ok(Triage::Done(outcome)) => Slot::Settled(outcome),
                Ok(Triage::Row { row, .. }) => Slot::Row(row),
                Ok(Triage::Read(job)) if job.streams() => {
                    // A huge file is read while it is stored, after everything before it.
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
                    if job_tx.send((seq, job)).is_err() {
                        return;
                    }
                    Slot::Reading
                }
                Err(e) => {
                    queue.error = Some(e);
                    return;
                }
            };
            queue.labels.insert(seq, label);
            queue.slots.insert(seq, slot);
            seq += 1;
            queue.collect(&read_rx, false);
            queue.flush(importer, &mut done);
            while queue.waiting() >= MAX_WAITING && queue.error.is_none() {
                if !queue.collect(&read_rx, true) {
                    break;
                }
                queue.flush(importer, &mut done);
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

struct Queue {
    slots: BTreeMap<usize, Slot>,
    labels: BTreeMap<usize, String>,
    /// The next input to store.
    next: usize,
    error: Option<DbError>,
}

impl Queue {
    /// Takes finished reads off the channel (waiting for one when `block`); false when no
    /// worker can send any more.
    fn collect(&mut self, results: &Receiver<(usize, Prepared)>, block: bool) -> bool {
        if block {
            match results.recv() {
                Ok((seq, prepared)) => {
                    self.slots.insert(seq, Slot::Read(prepared));
                }
                Err(_) => return false,
            }
        }
        while let Ok((seq, prepared)) = results.try_recv() {
            self.slots.insert(seq, Slot::Read(prepared));
        }
        true
    }

    /// Stores, in input order, everything ready from the next input on.
    fn flush(&mut self, importer: &mut Importer<'_>, done: &mut impl FnMut(String, ImportOutcome)) {
        while self.error.is_none() {
            let ready =
                matches!(self.slots.get(&self.next), Some(s) if !matches!(s, Slot::Reading));
            if !ready {
                return;
            }
            let slot = self.slots.remove(&self.next).expect("checked above");
            let label = self.labels.remove(&self.next).unwrap_or_default();
            let outcome = match slot {
                Slot::Settled(outcome) => Ok(outcome),
                Slot::Read(prepared) => importer.store(prepared),
                Slot::Row(row) => importer.store_row(&label, &row),
                Slot::Reading => unreachable!("not ready"),
            };
            match outcome {
                Ok(outcome) => done(label, outcome),
                Err(e) => self.error = Some(e),
            }
            self.next += 1;
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
        self.flush(importer, done);
        while self.error.is_none() && self.next < end {
            if !self.collect(results, true) {
                break;
            }
            self.flush(importer, done);
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
        let mut out = Vec::new();
        match workers {
            None => {
                for input in inputs() {
                    let label = input.label().to_string();
                    out.push((label, importer.import(input).unwrap()));
                }
            }
            Some(n) => run(
                importer,
                n,
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
