//! `kneeguard backup FILE`: a consistent copy of the database through SQLite's online backup,
//! safe while another kneeguard reads or writes.

use super::Context;
use crate::db::{ActivityFilter, Store};
use crate::render::{self, OutputFormat};
use anyhow::Context as _;
use clap::Args;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Copy the database to a file, safely while kneeguard runs elsewhere.
///
/// The copy is a complete kneeguard database (use it with --db), readable only by you. It is
/// written beside FILE and renamed into place, so FILE is never half a copy.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kneeguard backup ~/backups/kneeguard-2026-11-22.sqlite
  kneeguard backup /mnt/usb/kneeguard.sqlite --force
  kneeguard --db ~/backups/kneeguard-2026-11-22.sqlite weeks")]
pub struct BackupArgs {
    /// Where to write the copy
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Replace FILE if it exists
    #[arg(long)]
    pub force: bool,
}

pub fn run(
    args: &BackupArgs,
    ctx: &Context,
    store: &Store,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let source = &ctx.settings.db_path;
    let same = std::fs::canonicalize(&args.file)
        .ok()
        .zip(std::fs::canonicalize(source).ok())
        .is_some_and(|(a, b)| a == b);
    anyhow::ensure!(
        !same,
        "{} is the database itself: give the backup another file name",
        args.file.display()
    );
    store.backup_to(&args.file, args.force)?;
    let copy = Store::open_with(&args.file, crate::db::Access::Read)
        .with_context(|| format!("the backup {} cannot be read back", args.file.display()))?;
    let activities = copy.count_activities()?;
    let pain = copy.pain_entries(&ActivityFilter::default())?.len();
    match ctx.format {
        OutputFormat::Json => render::json(
            out,
            &serde_json::json!({
                "backup": args.file.display().to_string(),
                "activities": activities,
                "pain_ratings": pain,
            }),
        )?,
        _ => writeln!(
            out,
            "Backed up {activities} activities and {pain} pain ratings to {}.",
            args.file.display()
        )?,
    }
    Ok(super::exit::OK)
}

/// Writes `bytes` to `path` readable only by the owner: a temporary file beside it, renamed
/// into place; an existing file is replaced only with `replace`.
pub(super) fn write_private(path: &Path, bytes: &[u8], replace: bool) -> anyhow::Result<()> {
    anyhow::ensure!(
        replace || !path.exists(),
        "{} exists: give --force to replace it",
        path.display()
    );
    let folder = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".kneeguard")
        .suffix(".tmp")
        .tempfile_in(folder)
        .with_context(|| format!("cannot write in {}", folder.display()))?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    let persisted = if replace {
        tmp.persist(path).map(|_| ())
    } else {
        tmp.persist_noclobber(path).map(|_| ())
    };
    persisted.with_context(|| format!("cannot write {}", path.display()))
}
