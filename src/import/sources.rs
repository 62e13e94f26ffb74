//! Expands the paths given to `import` into a stream of [`Input`]s: plain files, folders
//! (recursively), `.gz` files, `.zip` archives (nested ones too), Strava bulk exports (with
//! `activities.csv`) and Garmin exports (with nested `UploadedFiles_*.zip`).
//!
//! Inputs are handed to a callback one at a time, so memory holds one file, never the archive.

use super::strava_csv::{self, ExportRow};
use crate::readers::Format;
use std::fs::File;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

/// One unit of import work.
#[derive(Debug)]
pub enum Input {
    /// An activity file's (decompressed) bytes.
    File {
        /// The path as given, or `archive.zip:member` inside archives.
        label: String,
        bytes: Vec<u8>,
        format: Option<Format>,
        /// What the Strava export's CSV says about this file.
        export_row: Option<ExportRow>,
    },
    /// A Strava export row without a file (a manual activity).
    ExportRowOnly { label: String, row: ExportRow },
    /// An input that could not be read (missing file, damaged archive member, too large).
    Unreadable { label: String, error: String },
}

impl Input {
    pub fn label(&self) -> &str {
        match self {
            Input::File { label, .. }
            | Input::ExportRowOnly { label, .. }
            | Input::Unreadable { label, .. } => label,
        }
    }
}

/// A planned top-level input, with how many inputs it will yield (as far as cheaply known).
#[derive(Debug)]
pub struct Planned {
    path: PathBuf,
    label: String,
    kind: PlannedKind,
    pub expected_inputs: u64,
}

#[derive(Debug)]
enum PlannedKind {
    File,
    Zip,
    Missing(String),
}

/// Nested archives deeper than this are not opened.
const MAX_ZIP_DEPTH: usize = 3;

/// Lists what `paths` hold: files (directories walked in name order) and archives.
pub fn plan(paths: &[PathBuf]) -> Vec<Planned> {
    let mut planned = Vec::new();
    for path in paths {
        let label = path.display().to_string();
        match std::fs::metadata(path) {
            Err(e) => planned.push(Planned {
                path: path.clone(),
                label,
                kind: PlannedKind::Missing(describe_io(&e)),
                expected_inputs: 1,
            }),
            Ok(meta) if meta.is_dir() => walk_dir(path, &mut planned),
            Ok(_) => planned.push(plan_file(path.clone(), label)),
        }
    }
    planned
}

fn plan_file(path: PathBuf, label: String) -> Planned {
    if is_zip_name(&label) {
        let expected = zip_member_count(&path).unwrap_or(1);
        Planned {
            path,
            label,
            kind: PlannedKind::Zip,
            expected_inputs: expected,
        }
    } else {
        Planned {
            path,
            label,
            kind: PlannedKind::File,
            expected_inputs: 1,
        }
    }
}

fn walk_dir(dir: &Path, planned: &mut Vec<Planned>) {
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            planned.push(Planned {
                path: dir.to_path_buf(),
                label: dir.display().to_string(),
                kind: PlannedKind::Missing(describe_io(&e)),
                expected_inputs: 1,
            });
            return;
        }
    };
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk_dir(&path, planned);
        } else {
            let label = path.display().to_string();
            // Inside folders only activity files and archives are taken; photos, notes and
            // other files are passed over silently.
            if Format::from_name(&label).is_some() || is_zip_name(&label) {
                planned.push(plan_file(path, label));
            }
        }
    }
}

/// Reads every planned input and hands it to `sink`; `more` is told of inputs discovered late
/// (members of nested archives).
pub fn read_all(
    planned: &[Planned],
    max_bytes: u64,
    more: &mut dyn FnMut(u64),
    sink: &mut dyn FnMut(Input),
) {
    for p in planned {
        match &p.kind {
            PlannedKind::Missing(error) => sink(Input::Unreadable {
                label: p.label.clone(),
                error: error.clone(),
            }),
            PlannedKind::File => sink(read_file(&p.path, &p.label, max_bytes)),
            PlannedKind::Zip => match File::open(&p.path) {
                Ok(file) => read_zip(file, &p.label, 0, max_bytes, more, sink),
                Err(e) => sink(Input::Unreadable {
                    label: p.label.clone(),
                    error: describe_io(&e),
                }),
            },
        }
    }
}

fn read_file(path: &Path, label: &str, max_bytes: u64) -> Input {
    let bytes = match File::open(path).and_then(|f| read_limited(f, max_bytes)) {
        Ok(bytes) => bytes,
        Err(e) => {
            return Input::Unreadable {
                label: label.to_string(),
                error: describe_io(&e),
            }
        }
    };
    from_bytes(label, bytes, max_bytes, None)
}

/// Decompresses `.gz` content and settles the format from the name or the content.
fn from_bytes(label: &str, bytes: Vec<u8>, max_bytes: u64, export_row: Option<ExportRow>) -> Input {
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        match read_limited(flate2::read::MultiGzDecoder::new(&bytes[..]), max_bytes) {
            Ok(inflated) => inflated,
            Err(e) => {
                return Input::Unreadable {
                    label: label.to_string(),
                    error: format!("damaged gzip data: {e}"),
                }
            }
        }
    } else {
        bytes
    };
    let format = Format::sniff(&bytes).or_else(|| Format::from_name(label));
    Input::File {
        label: label.to_string(),
        bytes,
        format,
        export_row,
    }
}

fn read_limited(reader: impl Read, max_bytes: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(max_bytes + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(std::io::Error::other(format!(
            "larger than {} MB; raise [import] max_file_mb in the config if this is really one activity",
            max_bytes / 1_000_000
        )));
    }
    Ok(bytes)
}

fn is_zip_name(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".zip")
}

fn zip_member_count(path: &Path) -> Option<u64> {
    let archive = zip::ZipArchive::new(File::open(path).ok()?).ok()?;
    let count = archive
        .file_names()
        .filter(|n| Format::from_name(n).is_some() || is_zip_name(n))
        .count() as u64;
    Some(count.max(1))
}

fn read_zip<R: Read + Seek>(
    reader: R,
    label: &str,
    depth: usize,
    max_bytes: u64,
    more: &mut dyn FnMut(u64),
    sink: &mut dyn FnMut(Input),
) {
    let mut archive = match zip::ZipArchive::new(reader) {
        Ok(a) => a,
        Err(e) => {
            return sink(Input::Unreadable {
                label: label.to_string(),
                error: format!("not a readable zip archive ({e}); download or export it again"),
            })
        }
    };
    let names: Vec<String> = archive.file_names().map(str::to_string).collect();
    if let Some(csv_name) = names
        .iter()
        .filter(|n| n.rsplit('/').next() == Some("activities.csv"))
        .min_by_key(|n| n.len())
        .cloned()
    {
        return read_strava_export(&mut archive, &names, &csv_name, label, max_bytes, sink);
    }
    let mut sorted = names;
    sorted.sort();
    for name in sorted {
        let member_label = format!("{label}:{name}");
        if is_zip_name(&name) {
            if depth + 1 > MAX_ZIP_DEPTH {
                continue;
            }
            match extract_to_temp(&mut archive, &name) {
                Ok(temp) => {
                    let count = zip::ZipArchive::new(temp.reopen_file())
                        .map(|a| {
                            a.file_names()
                                .filter(|n| Format::from_name(n).is_some() || is_zip_name(n))
                                .count() as u64
                        })
                        .unwrap_or(0);
                    more(count);
                    read_zip(
                        temp.reopen_file(),
                        &member_label,
                        depth + 1,
                        max_bytes,
                        more,
                        sink,
                    );
                }
                Err(error) => sink(Input::Unreadable {
                    label: member_label,
                    error,
                }),
            }
        } else if Format::from_name(&name).is_some() {
            sink(read_member(
                &mut archive,
                &name,
                &member_label,
                max_bytes,
                None,
            ));
        }
    }
}

fn read_member<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    name: &str,
    label: &str,
    max_bytes: u64,
    export_row: Option<ExportRow>,
) -> Input {
    let bytes = archive
        .by_name(name)
        .map_err(|e| e.to_string())
        .and_then(|member| read_limited(member, max_bytes).map_err(|e| e.to_string()));
    match bytes {
        Ok(bytes) => from_bytes(label, bytes, max_bytes, export_row),
        Err(error) => Input::Unreadable {
            label: label.to_string(),
            error: format!("cannot read this archive member: {error}"),
        },
    }
}

/// A nested archive is copied to a temporary file so that it can be read without holding it in
/// memory (Garmin's `UploadedFiles_*.zip` can be gigabytes).
struct TempZip {
    file: tempfile::NamedTempFile,
}

impl TempZip {
    fn reopen_file(&self) -> File {
        self.file
            .reopen()
            .unwrap_or_else(|_| self.file.as_file().try_clone().expect("temporary file"))
    }
}

fn extract_to_temp<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    name: &str,
) -> Result<TempZip, String> {
    let mut member = archive
        .by_name(name)
        .map_err(|e| format!("cannot read this nested archive: {e}"))?;
    let mut file = tempfile::NamedTempFile::new()
        .map_err(|e| format!("cannot create a temporary file: {e}"))?;
    std::io::copy(&mut member, &mut file)
        .map_err(|e| format!("cannot extract this nested archive: {e}"))?;
    Ok(TempZip { file })
}

fn read_strava_export<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    names: &[String],
    csv_name: &str,
    label: &str,
    max_bytes: u64,
    sink: &mut dyn FnMut(Input),
) {
    let csv_label = format!("{label}:{csv_name}");
    let rows = match read_limited_member(archive, csv_name, max_bytes)
        .and_then(|bytes| strava_csv::parse(&bytes).map_err(|e| e.to_string()))
    {
        Ok(rows) => rows,
        Err(error) => {
            return sink(Input::Unreadable {
                label: csv_label,
                error,
            })
        }
    };
    let root = csv_name.strip_suffix("activities.csv").unwrap_or("");
    for row in rows {
        if row.filename.is_empty() {
            let label = format!("{csv_label}#{}", row.activity_id);
            sink(Input::ExportRowOnly { label, row });
            continue;
        }
        let member = format!("{root}{}", row.filename);
        let member_label = format!("{label}:{member}");
        if names.contains(&member) {
            sink(read_member(
                archive,
                &member,
                &member_label,
                max_bytes,
                Some(row),
            ));
        } else {
            sink(Input::Unreadable {
                label: member_label,
                error: format!(
                    "activities.csv lists {} for activity {}, but the archive has no such file",
                    row.filename, row.activity_id
                ),
            });
        }
    }
}

fn read_limited_member<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    name: &str,
    max_bytes: u64,
) -> Result<Vec<u8>, String> {
    let member = archive.by_name(name).map_err(|e| e.to_string())?;
    read_limited(member, max_bytes).map_err(|e| e.to_string())
}

fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}
