//! Expands the paths given to `import` into a stream of [`Input`]s: plain files, folders
//! (recursively), `.gz` files, `.zip` archives (nested ones too), Strava bulk exports (with
//! `activities.csv`) and Garmin exports (with nested `UploadedFiles_*.zip`).
//!
//! Inputs are handed to a callback one at a time, as they are read, so memory holds one file,
//! never the archive, and nothing waits for the whole walk.

use super::strava_csv::{self, ExportRow};
use crate::readers::Format;
use crate::render::printable;
use std::collections::HashSet;
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
    /// An input passed over without reading it (a FIFO or device, an archive nested too deep).
    Skipped { label: String, reason: String },
}

impl Input {
    pub fn label(&self) -> &str {
        match self {
            Input::File { label, .. }
            | Input::ExportRowOnly { label, .. }
            | Input::Unreadable { label, .. }
            | Input::Skipped { label, .. } => label,
        }
    }
}

/// Nested archives deeper than this are not opened.
const MAX_ZIP_DEPTH: usize = 3;

/// Reads every path (files, folders walked in name order, archives) and hands each input to
/// `sink` as soon as it is read, so the import stores what is finished as it goes; `more` is
/// told how many inputs were found, as they are found. A folder walk reads each real file once
/// (one visited set of device and inode for all folders, so symlink loops end), and passes
/// over FIFOs, devices and sockets with a note, without opening them.
pub fn read_all(
    paths: &[PathBuf],
    max_bytes: u64,
    more: &mut dyn FnMut(u64),
    sink: &mut dyn FnMut(Input),
) {
    let mut reader = Reader {
        max_bytes,
        visited: HashSet::new(),
        more,
        sink,
    };
    for path in paths {
        reader.top_level(path);
    }
}

struct Reader<'a> {
    max_bytes: u64,
    /// The real files and folders the walk has met, by device and inode.
    visited: HashSet<FileId>,
    more: &'a mut dyn FnMut(u64),
    sink: &'a mut dyn FnMut(Input),
}

impl Reader<'_> {
    fn top_level(&mut self, path: &Path) {
        let label = label_of(path);
        match std::fs::metadata(path) {
            Err(e) => {
                self.found(1);
                self.emit(Input::Unreadable {
                    label,
                    error: describe_io(&e),
                })
            }
            Ok(meta) if meta.is_dir() => self.walk(path),
            Ok(meta) => self.file(path, label, &meta),
        }
    }

    /// Walks a folder: activity files and archives are read, other files passed over silently.
    fn walk(&mut self, root: &Path) {
        let mut entries = walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter();
        while let Some(entry) = entries.next() {
            let entry = match entry {
                Ok(entry) => entry,
                // A link back to a folder above: that folder is being walked already.
                Err(e) if e.loop_ancestor().is_some() => continue,
                Err(e) => {
                    let label = e.path().map_or_else(|| label_of(root), label_of);
                    if wanted(&label) || e.depth() == 0 {
                        let error = e.io_error().map_or_else(|| e.to_string(), describe_io);
                        self.found(1);
                        self.emit(Input::Unreadable { label, error });
                    }
                    continue;
                }
            };
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            if meta.is_dir() {
                if !self.visited.insert(FileId::of(entry.path(), &meta)) {
                    entries.skip_current_dir();
                }
                continue;
            }
            let label = label_of(entry.path());
            if wanted(&label) && self.visited.insert(FileId::of(entry.path(), &meta)) {
                self.file(entry.path(), label, &meta);
            }
        }
    }

    /// One file: a special file is noted and never opened, an archive is expanded, anything
    /// else is read (up to the size limit) as one input.
    fn file(&mut self, path: &Path, label: String, meta: &std::fs::Metadata) {
        self.found(1);
        if let Some(kind) = special_kind(meta) {
            return self.emit(Input::Skipped {
                label,
                reason: format!("{kind}, not a regular file: passed over without opening it"),
            });
        }
        if meta.len() > self.max_bytes {
            return self.emit(Input::Unreadable {
                label,
                error: too_large(self.max_bytes),
            });
        }
        let opened = File::open(path).and_then(|file| {
            // The file may have been replaced since it was looked at.
            match special_kind(&file.metadata()?) {
                Some(kind) => Err(std::io::Error::other(format!("{kind}, not a regular file"))),
                None => Ok(file),
            }
        });
        let file = match opened {
            Ok(file) => file,
            Err(e) => {
                return self.emit(Input::Unreadable {
                    label,
                    error: describe_io(&e),
                })
            }
        };
        if is_zip_name(&label) {
            return self.zip(file, &label, 0);
        }
        let declared = file.metadata().map_or(0, |m| m.len());
        let input = match read_limited(file, declared, self.max_bytes) {
            Ok(bytes) => from_bytes(&label, bytes, self.max_bytes, None),
            Err(e) => Input::Unreadable {
                label,
                error: e.to_string(),
            },
        };
        self.emit(input);
    }

    fn emit(&mut self, input: Input) {
        (self.sink)(input);
    }

    /// Tells the progress display of `n` more inputs.
    fn found(&mut self, n: u64) {
        if n > 0 {
            (self.more)(n);
        }
    }

    fn zip<R: Read + Seek>(&mut self, reader: R, label: &str, depth: usize) {
        let mut archive = match zip::ZipArchive::new(reader) {
            Ok(a) => a,
            Err(e) => {
                return self.emit(Input::Unreadable {
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
            return self.strava_export(&mut archive, &names, &csv_name, label);
        }
        let mut sorted: Vec<String> = names.into_iter().filter(|n| wanted(n)).collect();
        sorted.sort();
        // The archive itself was counted as one input; its members take its place.
        self.found((sorted.len() as u64).saturating_sub(1));
        for name in sorted {
            let member_label = format!("{label}:{}", printable(&name));
            if !is_zip_name(&name) {
                let input = read_member(&mut archive, &name, &member_label, self.max_bytes, None);
                self.emit(input);
            } else if depth + 1 > MAX_ZIP_DEPTH {
                self.emit(Input::Skipped {
                    label: member_label,
                    reason: format!(
                        "an archive nested more than {MAX_ZIP_DEPTH} levels deep: not opened; \
                         unpack it and import what it holds"
                    ),
                });
            } else {
                match extract_to_temp(&mut archive, &name, self.max_bytes) {
                    // The temporary copy has no name on disk: it is gone when it is dropped,
                    // after an error, and even when the process is killed.
                    Ok(temp) => self.zip(temp, &member_label, depth + 1),
                    Err(error) => self.emit(Input::Unreadable {
                        label: member_label,
                        error,
                    }),
                }
            }
        }
    }

    fn strava_export<R: Read + Seek>(
        &mut self,
        archive: &mut zip::ZipArchive<R>,
        names: &[String],
        csv_name: &str,
        label: &str,
    ) {
        let csv_label = format!("{label}:{}", printable(csv_name));
        let rows = match read_limited_member(archive, csv_name, self.max_bytes)
            .and_then(|bytes| strava_csv::parse(&bytes).map_err(|e| e.to_string()))
        {
            Ok(rows) => rows,
            Err(error) => {
                return self.emit(Input::Unreadable {
                    label: csv_label,
                    error,
                })
            }
        };
        let root = csv_name.strip_suffix("activities.csv").unwrap_or("");
        self.found((rows.len() as u64).saturating_sub(1));
        for row in rows {
            if row.filename.is_empty() {
                let label = format!("{csv_label}#{}", row.activity_id);
                self.emit(Input::ExportRowOnly { label, row });
                continue;
            }
            let member = format!("{root}{}", row.filename);
            let member_label = format!("{label}:{}", printable(&member));
            let input = if names.contains(&member) {
                read_member(archive, &member, &member_label, self.max_bytes, Some(row))
            } else {
                Input::Unreadable {
                    label: member_label,
                    error: format!(
                        "activities.csv lists {} for activity {}, but the archive has no such file",
                        printable(&row.filename),
                        row.activity_id
                    ),
                }
            };
            self.emit(input);
        }
    }
}

/// A real file or folder, whatever the path that reached it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum FileId {
    #[cfg(unix)]
    Inode { device: u64, inode: u64 },
    #[cfg_attr(unix, allow(dead_code))]
    Path(PathBuf),
}

impl FileId {
    fn of(path: &Path, meta: &std::fs::Metadata) -> FileId {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let _ = path;
            FileId::Inode {
                device: meta.dev(),
                inode: meta.ino(),
            }
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            FileId::Path(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
        }
    }
}

/// What kind of special file this is, or `None` for a regular file.
fn special_kind(meta: &std::fs::Metadata) -> Option<&'static str> {
    if meta.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if t.is_socket() {
            return Some("a socket");
        }
        if t.is_char_device() || t.is_block_device() {
            return Some("a device");
        }
    }
    Some(if meta.is_dir() {
        "a folder"
    } else {
        "a special file"
    })
}

/// Inside folders and archives only activity files and archives are taken; photos, notes and
/// other files are passed over silently.
fn wanted(name: &str) -> bool {
    Format::from_name(name).is_some() || is_zip_name(name)
}

/// How a path is shown: as given, with control characters made visible.
fn label_of(path: &Path) -> String {
    printable(&path.display().to_string()).into_owned()
}

/// Decompresses `.gz` content and settles the format from the content or the name.
fn from_bytes(label: &str, bytes: Vec<u8>, max_bytes: u64, export_row: Option<ExportRow>) -> Input {
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        match read_limited(
            flate2::read::MultiGzDecoder::new(&bytes[..]),
            gzip_declared_size(&bytes),
            max_bytes,
        ) {
            Ok(inflated) => inflated,
            Err(TooLarge::Limit(max)) => {
                return Input::Unreadable {
                    label: label.to_string(),
                    error: format!("decompressed, it is {}", too_large(max)),
                }
            }
            Err(TooLarge::Io(e)) => {
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

/// Why bytes could not be read in full.
#[derive(Debug)]
enum TooLarge {
    /// More than the limit, in bytes.
    Limit(u64),
    Io(std::io::Error),
}

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TooLarge::Limit(max) => f.write_str(&too_large(*max)),
            TooLarge::Io(e) => f.write_str(&describe_io(e)),
        }
    }
}

fn too_large(max_bytes: u64) -> String {
    format!(
        "larger than {} MB; raise [import] max_file_mb in the config if this is really one activity",
        max_bytes / 1_000_000
    )
}

/// The most memory reserved at once for the size a file or archive member says it has (a
/// damaged or hostile one may claim anything); the rest grows as the bytes come.
const MAX_RESERVE: u64 = 64 << 20;

/// Spare capacity, left by a declared size larger than the content, that is given back.
const MAX_SLACK: usize = 1 << 20;

/// Reads everything, up to `max_bytes`. `declared` is the size the container gives: reserved
/// up front, it spares regrowing and copying the buffer as the bytes come.
fn read_limited(reader: impl Read, declared: u64, max_bytes: u64) -> Result<Vec<u8>, TooLarge> {
    let reserve = declared.min(max_bytes).min(MAX_RESERVE);
    let mut bytes = Vec::with_capacity(usize::try_from(reserve).unwrap_or(0));
    reader
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(TooLarge::Io)?;
    if bytes.len() as u64 > max_bytes {
        return Err(TooLarge::Limit(max_bytes));
    }
    if bytes.capacity() - bytes.len() > MAX_SLACK {
        bytes.shrink_to_fit();
    }
    Ok(bytes)
}

/// The uncompressed size a gzip stream's trailer gives (of its last member, modulo 4 GiB).
fn gzip_declared_size(gzip: &[u8]) -> u64 {
    gzip.len()
        .checked_sub(4)
        .and_then(|at| gzip.get(at..))
        .and_then(|tail| <[u8; 4]>::try_from(tail).ok())
        .map_or(0, |size| u64::from(u32::from_le_bytes(size)))
}

fn is_zip_name(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".zip")
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
        .and_then(|member| {
            let declared = member.size();
            read_limited(member, declared, max_bytes).map_err(|e| e.to_string())
        });
    match bytes {
        Ok(bytes) => from_bytes(label, bytes, max_bytes, export_row),
        Err(error) => Input::Unreadable {
            label: label.to_string(),
            error: format!("cannot read this archive member: {error}"),
        },
    }
}

/// A nested archive is copied to an unnamed temporary file, at most `max_bytes` of it, so
/// that it can be read without holding it in memory (Garmin's `UploadedFiles_*.zip` can be
/// large) and never outlives the import.
fn extract_to_temp<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    name: &str,
    max_bytes: u64,
) -> Result<File, String> {
    let mut member = archive
        .by_name(name)
        .map_err(|e| format!("cannot read this nested archive: {e}"))?;
    let mut file =
        tempfile::tempfile().map_err(|e| format!("cannot create a temporary file: {e}"))?;
    let copied = std::io::copy(
        &mut (&mut member).take(max_bytes.saturating_add(1)),
        &mut file,
    )
    .map_err(|e| format!("cannot extract this nested archive: {e}"))?;
    if copied > max_bytes {
        return Err(format!("a nested archive {}", too_large(max_bytes)));
    }
    file.rewind()
        .map_err(|e| format!("cannot read back this nested archive: {e}"))?;
    Ok(file)
}

fn read_limited_member<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    name: &str,
    max_bytes: u64,
) -> Result<Vec<u8>, String> {
    let member = archive.by_name(name).map_err(|e| e.to_string())?;
    let declared = member.size();
    read_limited(member, declared, max_bytes).map_err(|e| e.to_string())
}

fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn content(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn whatever_size_is_declared_the_bytes_read_are_the_content() {
        let bytes = content(100_000);
        for declared in [0, 1, 99_999, 100_000, 100_001, 40 << 20, u64::MAX] {
            let read = read_limited(&bytes[..], declared, 1 << 30).unwrap();
            assert_eq!(read, bytes, "declared {declared}");
            // A size claimed far beyond the content leaves no large reservation behind.
            assert!(
                read.capacity() - read.len() <= MAX_SLACK,
                "declared {declared}: capacity {}",
                read.capacity()
            );
        }
    }

    #[test]
    fn the_declared_size_is_reserved_once() {
        let bytes = content(300_000);
        let read = read_limited(&bytes[..], 300_000, 1 << 30).unwrap();
        assert_eq!((read.len(), read.capacity()), (300_000, 300_000));
    }

    #[test]
    fn the_limit_holds_whatever_size_is_declared() {
        let bytes = content(2_000);
        for declared in [0, 1_000, 2_000, u64::MAX] {
            assert!(
                matches!(
                    read_limited(&bytes[..], declared, 1_999),
                    Err(TooLarge::Limit(1_999))
                ),
                "declared {declared}"
            );
            assert_eq!(read_limited(&bytes[..], declared, 2_000).unwrap(), bytes);
        }
    }

    #[test]
    fn a_gzip_trailer_gives_the_size_of_its_content() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&content(123_457)).unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(gzip_declared_size(&gz), 123_457);
        assert_eq!(gzip_declared_size(&gz[..3]), 0);
        assert_eq!(gzip_declared_size(&[]), 0);
    }
}
