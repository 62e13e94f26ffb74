//! Importing activity files: hashing, recognising what was seen before, reading, measuring and
//! storing each file all or nothing.
//!
//! [`sources`] expands paths and archives into [`Input`]s; [`Importer::import`] turns one input
//! into an [`ImportOutcome`]. Nothing here prints: the `import` command renders the outcomes.

pub mod pipeline;
pub mod sources;
pub mod strava_csv;

use crate::core::descent::DescentSettings;
use crate::core::measure;
use crate::core::plausibility::{self, Implausible, Record};
use crate::db::series::EncodedSeries;
use crate::db::{FileStored, SeenFile, Store, Stored};
use crate::model::{NewActivity, ParsedActivity, ParsedFile, SourceKind, Sport};
use crate::readers::{self, Format, ReadError};
use crate::settings::Config;
use chrono::{DateTime, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;
pub use sources::Input;
use strava_csv::ExportRow;

/// What became of one input.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ImportOutcome {
    /// New activities stored (and any sessions that were duplicates of stored ones).
    Imported {
        ids: Vec<i64>,
        duplicate_of: Vec<i64>,
        remarks: Vec<String>,
    },
    /// Every activity in it was already stored from another source; nothing of it was
    /// imported, so what the reader said about the file is not repeated.
    Duplicate { duplicate_of: Vec<i64> },
    /// The same content was imported before (perhaps under another name).
    AlreadyImported {
        first_path: String,
        activity_id: Option<i64>,
    },
    /// A valid file that holds no activity.
    Skipped { reason: String },
    /// The input could not be imported; nothing of it was stored.
    Failed { error: String },
}

pub struct Importer<'a> {
    store: &'a mut Store,
    config: &'a Config,
    tz: Tz,
    /// The runner's local day: records dated after it are refused.
    today: NaiveDate,
}

impl<'a> Importer<'a> {
    pub fn new(store: &'a mut Store, config: &'a Config, tz: Tz, today: NaiveDate) -> Self {
        Importer {
            store,
            config,
            tz,
            today,
        }
    }

    /// Imports one input, start to finish. Database errors are returned (they are fatal);
    /// problems with the input itself become [`ImportOutcome::Failed`]. [`pipeline`] does the
    /// same for many inputs with the reading spread over threads.
    pub fn import(&mut self, input: Input) -> Result<ImportOutcome, crate::db::DbError> {
        match self.triage(input)? {
            Triage::Done(outcome) => Ok(outcome),
            Triage::Read(job) if job.streams() => self.stream(job),
            Triage::Read(job) => {
                let store = &*self.store;
                let seen = |hash: &str| store.seen_file(hash).is_ok_and(|seen| seen.is_some());
                let prepared = prepare(job, &seen, &self.config.descent, self.tz);
                self.store(prepared)
            }
            Triage::Row { label, row } => self.store_row(&label, &row),
        }
    }

    /// The first step, on the thread that owns the store: inputs already settled (unreadable,
    /// empty) end here; files go on to [`prepare`], which hashes them and leaves content seen
    /// before unread.
    pub fn triage(&mut self, input: Input) -> Result<Triage, crate::db::DbError> {
        let (label, bytes, format, export_row) = match input {
            Input::Unreadable { error, .. } => {
                return Ok(Triage::Done(ImportOutcome::Failed { error }))
            }
            Input::Skipped { reason, .. } => {
                return Ok(Triage::Done(ImportOutcome::Skipped { reason }))
            }
            Input::ExportRowOnly { label, row } => return Ok(Triage::Row { label, row }),
            Input::File {
                label,
                bytes,
                format,
                export_row,
            } => (label, bytes, format, export_row),
        };
        if bytes.is_empty() {
            return Ok(Triage::Done(ImportOutcome::Failed {
                error: "the file is empty".to_string(),
            }));
        }
        Ok(Triage::Read(FileJob {
            label,
            bytes,
            format,
            export_row,
        }))
    }

    /// The content hashes of every file imported or skipped before: what [`prepare`] can
    /// settle without reading a file.
    pub fn known_files(&self) -> Result<KnownFiles, crate::db::DbError> {
        Ok(KnownFiles(self.store.known_content_hashes()?))
    }

    /// The outcome for content imported or skipped before, if it was.
    fn seen_before(&self, hash: &str) -> Result<Option<ImportOutcome>, crate::db::DbError> {
        Ok(self.store.seen_file(hash)?.map(seen_outcome))
    }

    /// The last step, on the thread that owns the store: records no runner can make are
    /// refused, the rest is stored all or nothing (a transaction, or a savepoint
    /// of the pipeline's batch). Content seen before (earlier
    /// in the same batch, or by another process meanwhile) is recognised inside it.
    pub fn store(&mut self, prepared: Prepared) -> Result<ImportOutcome, crate::db::DbError> {
        match prepared {
            Prepared::Failed { error } => Ok(ImportOutcome::Failed { error }),
            Prepared::Seen { hash, job } => match self.seen_before(&hash)? {
                Some(outcome) => Ok(outcome),
                // Forgotten since the snapshot: read it after all.
                None => {
                    let prepared = prepare(job, &|_| false, &self.config.descent, self.tz);
                    self.store(prepared)
                }
            },
            Prepared::NotAnActivity {
                label,
                hash,
                reason,
            } => Ok(
                match self.store.record_skipped_file(&hash, &label, &reason)? {
                    Some(seen) => seen_outcome(seen),
                    None => ImportOutcome::Skipped { reason },
                },
            ),
            Prepared::Activities {
                label,
                hash,
                activities,
                mut remarks,
            } => {
                let activities = match self.refuse_impossible(activities, &mut remarks) {
                    Ok(activities) => activities,
                    Err(error) => return Ok(ImportOutcome::Failed { error }),
                };
                let stored = self.store.store_file(
                    &hash,
                    &label,
                    &activities,
                    self.config.import.match_rule(),
                )?;
                Ok(match stored {
                    FileStored::Stored(stored) => outcome_of(&stored, remarks),
                    FileStored::SeenBefore(seen) => seen_outcome(seen),
                })
            }
        }
    }

    /// The activities that a runner can have made; each refused one gets a remark, and when
    /// none is left the error says why the file is refused.
    fn refuse_impossible(
        &self,
        activities: Vec<NewActivity>,
        remarks: &mut Vec<String>,
    ) -> Result<Vec<NewActivity>, String> {
        let several = activities.len() > 1;
        let mut kept = Vec::with_capacity(activities.len());
        let mut refused = Vec::new();
        for (i, activity) in activities.into_iter().enumerate() {
            match plausibility::impossible(&Record::of_new(&activity), self.today) {
                None => kept.push(activity),
                Some(problem) => {
                    let reason = describe_impossible(&problem);
                    refused.push(if several {
                        format!("session {} refused: {reason}", i + 1)
                    } else {
                        format!("refused: {reason}")
                    });
                }
            }
        }
        if kept.is_empty() && !refused.is_empty() {
            return Err(refused.join("; "));
        }
        remarks.extend(refused);
        Ok(kept)
    }

    /// Stores a manual activity from a Strava export (a row without a file).
    pub fn store_row(
        &mut self,
        label: &str,
        row: &ExportRow,
    ) -> Result<ImportOutcome, crate::db::DbError> {
        let Some(start) = row.start else {
            return Ok(ImportOutcome::Failed {
                error: "the row's Activity Date is not a date kneeguard reads".to_string(),
            });
        };
        let mut activity = NewActivity::manual(row.sport, start, offset_at(self.tz, start));
        activity.sport_label = Some(row.type_label.clone());
        activity.distance_m = row.distance_m.unwrap_or(0.0);
        activity.elapsed_s = row.elapsed_s.unwrap_or(0.0);
        activity.moving_s = row.moving_s.or(row.elapsed_s).unwrap_or(0.0);
        activity.ascent_m = row.elevation_gain_m;
        activity.descent_m = row.elevation_loss_m;
        activity.name = row.name.clone();
        activity.source = label.to_string();
        activity.external_id = Some(format!("strava:{}", row.activity_id));
        let hash = content_hash(format!("strava-export-row:{}", row.activity_id).as_bytes());
        activity.content_hash = Some(hash.clone());
        activity.session_index = Some(0);
        if let Some(problem) = plausibility::impossible(&Record::of_new(&activity), self.today) {
            return Ok(ImportOutcome::Failed {
                error: format!("refused: {}", describe_impossible(&problem)),
            });
        }
        let stored = self.store.store_file(
            &hash,
            label,
            std::slice::from_ref(&activity),
            self.config.import.match_rule(),
        )?;
        Ok(match stored {
            FileStored::Stored(stored) => outcome_of(&stored, Vec::new()),
            FileStored::SeenBefore(seen) => seen_outcome(seen),
        })
    }
}

impl Importer<'_> {
    /// Reads a huge FIT file while it is stored, on the thread that owns the store: each
    /// activity is measured and stored as soon as its part is read, in the file's one
    /// transaction, so memory holds the file and one part of it. A file damaged further on is
    /// rolled back whole.
    pub fn stream(&mut self, job: FileJob) -> Result<ImportOutcome, crate::db::DbError> {
        let FileJob { label, bytes, .. } = job;
        let hash = content_hash(&bytes);
        if let Some(outcome) = self.seen_before(&hash)? {
            return Ok(outcome);
        }
        let (descent, tz, today) = (&self.config.descent, self.tz, self.today);
        let mut notes = Notes::default();
        let mut refused: Vec<String> = Vec::new();
        let mut read = None;
        let stored =
            self.store
                .store_file_each(&hash, &label, self.config.import.match_rule(), |add| {
                    let mut failure = None;
                    let mut session = 0;
                    let mut added = 0;
                    let result = readers::fit::read_fit_each(&bytes, &mut |parsed| {
                        if failure.is_some() {
                            return;
                        }
                        let activity =
                            new_activity(&parsed, &label, &hash, session, None, descent, tz);
                        session += 1;
                        if let Some(problem) =
                            plausibility::impossible(&Record::of_new(&activity), today)
                        {
                            refused.push(format!(
                                "session {session} refused: {}",
                                describe_impossible(&problem)
                            ));
                            return;
                        }
                        notes.note(&activity);
                        added += 1;
                        if let Err(e) = add(&activity) {
                            failure = Some(e);
                        }
                    });
                    if let Some(e) = failure {
                        return Err(e);
                    }
                    // A file whose every session is impossible is refused whole, stored as nothing.
                    let keep = matches!(result, Ok(readers::fit::Streamed::Activities { .. }))
                        && (added > 0 || refused.is_empty());
                    read = Some(result);
                    Ok(keep)
                })?;
        Ok(match (read, stored) {
            (_, Some(FileStored::SeenBefore(seen))) => seen_outcome(seen),
            (Some(Ok(readers::fit::Streamed::Activities { .. })), None) if !refused.is_empty() => {
                ImportOutcome::Failed {
                    error: refused.join("; "),
                }
            }
            (
                Some(Ok(readers::fit::Streamed::Activities { mut remarks, .. })),
                Some(FileStored::Stored(stored)),
            ) => {
                notes.add_to(&mut remarks);
                remarks.extend(refused);
                outcome_of(&stored, remarks)
            }
            (Some(Ok(readers::fit::Streamed::NotAnActivity { reason })), _) => {
                self.store.record_skipped_file(&hash, &label, &reason)?;
                ImportOutcome::Skipped { reason }
            }
            (Some(Err(error)), _) => ImportOutcome::Failed {
                error: error.to_string(),
            },
            _ => ImportOutcome::Failed {
                error: "the FIT file could not be read".to_string(),
            },
        })
    }
}

/// What the runner is told about a file's activities as a whole.
#[derive(Default)]
struct Notes {
    undated: bool,
    run_without_descent: bool,
}

impl Notes {
    fn note(&mut self, activity: &NewActivity) {
        self.undated |= activity.start.is_none();
        self.run_without_descent |= activity.descent_m.is_none() && activity.sport.is_run();
    }

    fn add_to(self, remarks: &mut Vec<String>) {
        if self.undated {
            remarks.push(
                "stored without a date: the file has no timestamps, so it is listed but not \
                 counted in weekly load"
                    .to_string(),
            );
        }
        if self.run_without_descent {
            remarks.push("no usable altitude: descent unknown".to_string());
        }
    }
}

/// An input after [`Importer::triage`].
#[derive(Debug)]
pub enum Triage {
    /// Settled: nothing more to do.
    Done(ImportOutcome),
    /// A file to read and measure ([`prepare`], any thread), then store.
    Read(FileJob),
    /// A Strava export row without a file, stored as it is ([`Importer::store_row`]).
    Row { label: String, row: ExportRow },
}

/// A file waiting to be read.
#[derive(Debug)]
pub struct FileJob {
    label: String,
    bytes: Vec<u8>,
    format: Option<Format>,
    export_row: Option<ExportRow>,
}

/// The content hashes of the files imported or skipped before, as a snapshot taken when an
/// import starts; the store decides again inside each file's transaction.
#[derive(Debug, Default)]
pub struct KnownFiles(std::collections::HashSet<String>);

impl KnownFiles {
    pub fn contains(&self, hash: &str) -> bool {
        self.0.contains(hash)
    }
}

/// FIT files from this size on are read while they are stored ([`Importer::stream`]) instead
/// of on a worker: reading one whole costs about four times its size in memory.
const STREAM_FROM_BYTES: usize = 4 << 20;

impl FileJob {
    /// Whether the file is a huge FIT file, read while it is stored.
    pub fn streams(&self) -> bool {
        self.format == Some(Format::Fit)
            && self.export_row.is_none()
            && self.bytes.len() >= STREAM_FROM_BYTES
    }
}

/// A file read and measured, ready for [`Importer::store`].
#[derive(Debug)]
pub enum Prepared {
    /// The file could not be read; nothing will be stored.
    Failed { error: String },
    /// Content seen before: not read (the store tells what became of it).
    Seen { hash: String, job: FileJob },
    /// A valid file without an activity.
    NotAnActivity {
        label: String,
        hash: String,
        reason: String,
    },
    /// The activities to store, with remarks for the runner.
    Activities {
        label: String,
        hash: String,
        activities: Vec<NewActivity>,
        remarks: Vec<String>,
    },
}

/// Hashes, reads and measures one file, unless `seen` knows its content. Pure (no store, no
/// IO): safe to run on any thread.
pub fn prepare(
    job: FileJob,
    seen: &dyn Fn(&str) -> bool,
    descent: &DescentSettings,
    tz: Tz,
) -> Prepared {
    let hash = content_hash(&job.bytes);
    if seen(&hash) {
        return Prepared::Seen { hash, job };
    }
    let FileJob {
        label,
        bytes,
        format,
        export_row,
    } = job;
    let Some(format) = format else {
        return Prepared::Failed {
            error: ReadError::UnknownFormat.to_string(),
        };
    };
    let (activities, mut remarks) = match read_guarded(&bytes, format) {
        Err(error) => return Prepared::Failed { error },
        Ok(ParsedFile::NotAnActivity { reason }) => {
            return Prepared::NotAnActivity {
                label,
                hash,
                reason,
            }
        }
        Ok(ParsedFile::Activities {
            activities,
            remarks,
        }) => (activities, remarks),
    };
    if activities.is_empty() {
        return Prepared::NotAnActivity {
            label,
            hash,
            reason: "no activity data in the file".to_string(),
        };
    }
    let several = activities.len() > 1;
    let row = export_row.as_ref().filter(|_| !several);
    let new: Vec<NewActivity> = activities
        .iter()
        .enumerate()
        .map(|(i, parsed)| new_activity(parsed, &label, &hash, i, row, descent, tz))
        .collect();
    let mut notes = Notes::default();
    new.iter().for_each(|a| notes.note(a));
    notes.add_to(&mut remarks);
    Prepared::Activities {
        label,
        hash,
        activities: new,
        remarks,
    }
}

fn new_activity(
    parsed: &ParsedActivity,
    label: &str,
    hash: &str,
    session: usize,
    export_row: Option<&ExportRow>,
    descent: &DescentSettings,
    tz: Tz,
) -> NewActivity {
    let measured = measure::measure(parsed, descent);
    let start = parsed.start.or_else(|| export_row.and_then(|r| r.start));
    let sport = export_row
        .map(|r| r.sport)
        .filter(|s| *s != Sport::Other)
        .or(parsed.sport)
        .unwrap_or(Sport::Other);
    NewActivity {
        sport,
        sport_label: export_row
            .map(|r| r.type_label.clone())
            .or_else(|| parsed.sport_label.clone()),
        start,
        utc_offset_s: parsed
            .utc_offset_s
            .or_else(|| start.map(|s| offset_at(tz, s)))
            .unwrap_or(0),
        distance_m: measured.distance_m,
        moving_s: measured.moving_s,
        elapsed_s: measured.elapsed_s,
        ascent_m: measured.ascent_m,
        descent_m: measured.descent_m,
        descent_estimated: false,
        device_totals: parsed.totals,
        name: export_row
            .and_then(|r| r.name.clone())
            .or_else(|| parsed.name.clone()),
        note: None,
        device: parsed.device.clone(),
        source_kind: SourceKind::File,
        source: label.to_string(),
        content_hash: Some(hash.to_string()),
        session_index: Some(session as u32),
        external_id: export_row.map(|r| format!("strava:{}", r.activity_id)),
        raw_json: None,
        series: EncodedSeries::new(&measured.series),
    }
}

fn outcome_of(stored: &[Stored], remarks: Vec<String>) -> ImportOutcome {
    let ids: Vec<i64> = stored
        .iter()
        .filter_map(|s| match s {
            Stored::New(id) => Some(*id),
            Stored::Duplicate(_) | Stored::Deleted(_) => None,
        })
        .collect();
    let duplicate_of: Vec<i64> = stored
        .iter()
        .filter_map(|s| match s {
            Stored::Duplicate(id) => Some(*id),
            Stored::New(_) | Stored::Deleted(_) => None,
        })
        .collect();
    let deleted: Vec<String> = stored
        .iter()
        .filter_map(|s| match s {
            Stored::Deleted(id) => Some(id.to_string()),
            _ => None,
        })
        .collect();
    if ids.is_empty() && duplicate_of.is_empty() && !deleted.is_empty() {
        return ImportOutcome::Skipped {
            reason: format!(
                "deleted by you (as #{}); `kneeguard activities undelete {}` lets it back in",
                deleted.join(", #"),
                deleted.join(" ")
            ),
        };
    }
    if ids.is_empty() {
        ImportOutcome::Duplicate { duplicate_of }
    } else {
        ImportOutcome::Imported {
            ids,
            duplicate_of,
            remarks,
        }
    }
}

/// What a file's content seen before means now: skipped again, or already imported.
fn seen_outcome(seen: SeenFile) -> ImportOutcome {
    match seen.outcome.as_str() {
        "not_activity" => ImportOutcome::Skipped {
            reason: format!("seen before as {}: not an activity", seen.path),
        },
        _ => ImportOutcome::AlreadyImported {
            first_path: seen.path,
            activity_id: seen.activity_id,
        },
    }
}

/// Why a record cannot be what it says, in words for the runner, with what to do.
pub fn describe_impossible(problem: &Implausible) -> String {
    use crate::render::words;
    format!(
        "{}; {}",
        words::implausible(problem, crate::settings::Units::Km),
        words::file_advice(problem)
    )
}

/// Reads a file, turning even a reader panic (which must never happen) into an error message.
fn read_guarded(bytes: &[u8], format: Format) -> Result<ParsedFile, String> {
    match std::panic::catch_unwind(|| readers::read(bytes, format)) {
        Ok(Ok(parsed)) => Ok(parsed),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!(
            "the {} reader failed on this file; it is probably damaged",
            format.as_str()
        )),
    }
}

/// The BLAKE3 hash of the content, hex: how a file is recognised under any name.
pub fn content_hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

fn offset_at(tz: Tz, instant: DateTime<Utc>) -> i32 {
    tz.offset_from_utc_datetime(&instant.naive_utc())
        .fix()
        .local_minus_utc()
}
