//! `kneeguard export`: everything in the database as one stable JSON document.

use super::activities::ActivityRecord;
use super::pain::PainRecord;
use super::Context;
use crate::db::{ActivityFilter, Store, Tombstone};
use crate::render::{self, OutputFormat};
use chrono::SecondsFormat;
use clap::Args;
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;

/// Export every activity, pain rating and deleted activity as one JSON document.
///
/// The document is a stable interface (documented in the README): `format` is
/// "kneeguard-export", `version` 1; fields are only ever added. Metres and seconds, instants in
/// UTC with the local offset.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kneeguard export > kneeguard.json
  kneeguard export --output ~/kneeguard-2026-11-22.json
  kneeguard export | jq '.pain | length'")]
pub struct ExportArgs {
    /// Write to this file (created readable only by you) instead of standard output
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace the --output file if it exists
    #[arg(long)]
    pub force: bool,
}

/// The export document.
#[derive(Debug, Serialize)]
pub struct Export {
    pub format: &'static str,
    pub version: u32,
    pub activities: Vec<ActivityRecord>,
    pub pain: Vec<PainRecord>,
    pub deleted: Vec<DeletedRecord>,
}

/// A deleted activity: what it was, so that it stays deleted.
#[derive(Debug, Serialize)]
pub struct DeletedRecord {
    pub id: i64,
    pub sport: crate::model::Sport,
    pub start: Option<String>,
    pub utc_offset_s: i32,
    pub distance_m: f64,
    pub name: Option<String>,
    pub source_kind: &'static str,
    pub source: String,
    pub external_id: Option<String>,
    pub deleted_at: String,
}

impl From<&Tombstone> for DeletedRecord {
    fn from(t: &Tombstone) -> Self {
        DeletedRecord {
            id: t.activity_id,
            sport: t.sport,
            start: t
                .start
                .map(|s| s.to_rfc3339_opts(SecondsFormat::Secs, true)),
            utc_offset_s: t.utc_offset_s,
            distance_m: (t.distance_m * 10.0).round() / 10.0,
            name: t.name.clone(),
            source_kind: t.source_kind.as_str(),
            source: t.source.clone(),
            external_id: t.external_id.clone(),
            deleted_at: t.deleted_at.clone(),
        }
    }
}

/// The whole database as an [`Export`].
pub fn export(store: &Store) -> anyhow::Result<Export> {
    let all = ActivityFilter::default();
    Ok(Export {
        format: "kneeguard-export",
        version: 1,
        activities: store
            .activities(&all)?
            .iter()
            .map(ActivityRecord::from_activity)
            .collect(),
        pain: store
            .pain_entries(&all)?
            .iter()
            .map(PainRecord::from)
            .collect(),
        deleted: store
            .tombstones()?
            .iter()
            .map(DeletedRecord::from)
            .collect(),
    })
}

pub fn run(
    args: &ExportArgs,
    ctx: &Context,
    store: &Store,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    anyhow::ensure!(
        ctx.format != OutputFormat::Csv,
        "`export` writes one JSON document (activities, pain and deleted activities do not fit \
         one CSV): leave out --format, or use `activities --format csv` and `pain list --format csv`"
    );
    let document = export(store)?;
    match &args.output {
        None => render::json(out, &document)?,
        Some(path) => {
            let mut bytes = Vec::new();
            render::json(&mut bytes, &document)?;
            super::backup::write_private(path, &bytes, args.force)?;
            let (activities, pain, deleted) = (
                document.activities.len(),
                document.pain.len(),
                document.deleted.len(),
            );
            match ctx.format {
                OutputFormat::Json => render::json(
                    out,
                    &serde_json::json!({
                        "exported": path.display().to_string(),
                        "activities": activities,
                        "pain_ratings": pain,
                        "deleted": deleted,
                    }),
                )?,
                _ => writeln!(
                    out,
                    "Exported {activities} activities, {pain} pain ratings and {deleted} deleted \
                     activities to {}.",
                    path.display()
                )?,
            }
        }
    }
    Ok(super::exit::OK)
}
