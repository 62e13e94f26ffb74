//! Importing activity files: hashing, recognising what was seen before, reading, measuring and
//! storing each file in its own transaction.
//!
//! [`sources`] expands paths and archives into [`Input`]s; [`Importer::import`] turns one input
//! into an [`ImportOutcome`]. Nothing here prints: the `import` command renders the outcomes.

pub mod sources;
pub mod strava_csv;

use crate::core::measure;
use crate::db::{Store, Stored};
use crate::model::{NewActivity, ParsedActivity, ParsedFile, SourceKind, Sport};
use crate::readers::{self, Format, ReadError};
use crate::settings::Config;
use chrono::{DateTime, Offset, TimeZone, Utc};
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
    /// Every activity in it was already stored from another source.
    Duplicate {
        duplicate_of: Vec<i64>,
        remarks: Vec<String>,
    },
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
}

impl<'a> Importer<'a> {
    pub fn new(store: &'a mut Store, config: &'a Config, tz: Tz) -> Self {
        Importer { store, config, tz }
    }

    /// Imports one input. Database errors are returned (they are fatal); problems with the
    /// input itself become [`ImportOutcome::Failed`].
    pub fn import(&mut self, input: Input) -> Result<ImportOutcome, crate::db::DbError> {
        match input {
            Input::Unreadable { error, .. } => Ok(ImportOutcome::Failed { error }),
            Input::ExportRowOnly { label, row } => self.import_export_row(&label, &row),
            Input::File {
                label,
                bytes,
                format,
                export_row,
            } => self.import_file(&label, &bytes, format, export_row.as_ref()),
        }
    }

    fn import_file(
        &mut self,
        label: &str,
        bytes: &[u8],
        format: Option<Format>,
        export_row: Option<&ExportRow>,
    ) -> Result<ImportOutcome, crate::db::DbError> {
        if bytes.is_empty() {
            return Ok(ImportOutcome::Failed {
                error: "the file is empty".to_string(),
            });
        }
        let hash = content_hash(bytes);
        if let Some(seen) = self.store.seen_file(&hash)? {
            return Ok(match seen.outcome.as_str() {
                "not_activity" => ImportOutcome::Skipped {
                    reason: format!("seen before as {}: not an activity", seen.path),
                },
                _ => ImportOutcome::AlreadyImported {
                    first_path: seen.path,
                    activity_id: seen.activity_id,
                },
            });
        }
        let Some(format) = format else {
            return Ok(ImportOutcome::Failed {
                error: ReadError::UnknownFormat.to_string(),
            });
        };
        let parsed = match read_guarded(bytes, format) {
            Ok(parsed) => parsed,
            Err(error) => return Ok(ImportOutcome::Failed { error }),
        };
        let (activities, mut remarks) = match parsed {
            ParsedFile::NotAnActivity { reason } => {
                self.store.record_skipped_file(&hash, label, &reason)?;
                return Ok(ImportOutcome::Skipped { reason });
            }
            ParsedFile::Activities {
                activities,
                remarks,
            } => (activities, remarks),
        };
        if activities.is_empty() {
            let reason = "no activity data in the file".to_string();
            self.store.record_skipped_file(&hash, label, &reason)?;
            return Ok(ImportOutcome::Skipped { reason });
        }
        let several = activities.len() > 1;
        let new: Vec<NewActivity> = activities
            .iter()
            .enumerate()
            .map(|(i, parsed)| {
                self.to_new_activity(parsed, label, &hash, i, export_row.filter(|_| !several))
            })
            .collect();
        if new.iter().any(|a| a.start.is_none()) {
            remarks.push(
                "stored without a date: the file has no timestamps, so it is listed but not \
                 counted in weekly load"
                    .to_string(),
            );
        }
        if new
            .iter()
            .any(|a| a.descent_m.is_none() && a.sport.is_run())
        {
            remarks.push("no usable altitude: descent unknown".to_string());
        }
        let stored = self
            .store
            .store_file(&hash, label, &new, self.config.import.match_rule())?;
        Ok(outcome_of(&stored, remarks))
    }

    fn to_new_activity(
        &self,
        parsed: &ParsedActivity,
        label: &str,
        hash: &str,
        session: usize,
        export_row: Option<&ExportRow>,
    ) -> NewActivity {
        let measured = measure::measure(parsed, &self.config.descent);
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
                .or_else(|| start.map(|s| offset_at(self.tz, s)))
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
            series: measured.series,
        }
    }

    /// A manual activity from a Strava export (a row without a file).
    fn import_export_row(
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
        if let Some(seen) = self.store.seen_file(&hash)? {
            return Ok(ImportOutcome::AlreadyImported {
                first_path: seen.path,
                activity_id: seen.activity_id,
            });
        }
        activity.content_hash = Some(hash.clone());
        activity.session_index = Some(0);
        let stored = self.store.store_file(
            &hash,
            label,
            std::slice::from_ref(&activity),
            self.config.import.match_rule(),
        )?;
        Ok(outcome_of(&stored, Vec::new()))
    }
}

fn outcome_of(stored: &[Stored], remarks: Vec<String>) -> ImportOutcome {
    let ids: Vec<i64> = stored
        .iter()
        .filter_map(|s| match s {
            Stored::New(id) => Some(*id),
            Stored::Duplicate(_) => None,
        })
        .collect();
    let duplicate_of: Vec<i64> = stored
        .iter()
        .filter_map(|s| match s {
            Stored::Duplicate(id) => Some(*id),
            Stored::New(_) => None,
        })
        .collect();
    if ids.is_empty() {
        ImportOutcome::Duplicate {
            duplicate_of,
            remarks,
        }
    } else {
        ImportOutcome::Imported {
            ids,
            duplicate_of,
            remarks,
        }
    }
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
