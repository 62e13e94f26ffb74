//! Readers turn the bytes of one activity file (FIT, GPX, TCX) into [`ParsedFile`] values.
//!
//! They take bytes, never paths, do no other IO and never panic, whatever the input: every
//! problem becomes a [`ReadError`] that names what is wrong so the importer can report it.

pub mod fit;
pub mod gpx;
pub mod tcx;
mod xml;

use crate::model::ParsedFile;

/// The activity file formats kneeguard reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Fit,
    Gpx,
    Tcx,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Fit => "FIT",
            Format::Gpx => "GPX",
            Format::Tcx => "TCX",
        }
    }

    /// The format a file name claims (`run.fit`, `run.gpx.gz`, `RUN.TCX`), if any.
    pub fn from_name(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        let stem = lower.strip_suffix(".gz").unwrap_or(&lower);
        if stem.ends_with(".fit") {
            Some(Format::Fit)
        } else if stem.ends_with(".gpx") {
            Some(Format::Gpx)
        } else if stem.ends_with(".tcx") {
            Some(Format::Tcx)
        } else {
            None
        }
    }

    /// The format the content itself shows: a FIT header, or the root element of GPX or TCX
    /// within the first 4 KB (a name inside a comment or an attribute does not count). Whatever
    /// the name says, the content decides which reader, with its guards, reads the file.
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        if bytes.len() >= 12 && &bytes[8..12] == b".FIT" {
            return Some(Format::Fit);
        }
        match xml::root_element(&bytes[..bytes.len().min(4096)])?.as_slice() {
            b"TrainingCenterDatabase" => Some(Format::Tcx),
            b"gpx" => Some(Format::Gpx),
            _ => None,
        }
    }
}

/// Why a file could not be read. Messages name the problem and, where one exists, the remedy.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReadError {
    /// The file is damaged: bad header, bad checksum, garbage, cut before any activity data.
    #[error("corrupt {format} file: {detail}")]
    Corrupt {
        format: &'static str,
        detail: String,
    },
    /// The XML is not well formed where it matters.
    #[error("malformed {format} XML near byte {position}: {detail}")]
    Xml {
        format: &'static str,
        position: u64,
        detail: String,
    },
    /// Neither the name nor the content shows a format kneeguard reads.
    #[error("not a FIT, GPX or TCX file")]
    UnknownFormat,
}

/// The shared corpus of real device files (`../shared/data` beside the project), for the
/// corpus tests: `None` when it is absent, which fails instead when `KNEEGUARD_REQUIRE_CORPUS`
/// is set (as `.ci/run` does when the corpus is there), so a wrong path cannot pass silently.
#[cfg(test)]
pub(crate) fn shared_corpus() -> Option<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    if root.join("MANIFEST.tsv").is_file() {
        return Some(root);
    }
    assert!(
        std::env::var_os("KNEEGUARD_REQUIRE_CORPUS").is_none(),
        "KNEEGUARD_REQUIRE_CORPUS is set but {} is missing",
        root.display()
    );
    println!(
        "skipped: the corpus {} is not on this machine",
        root.display()
    );
    None
}

/// Reads one file in the given format.
pub fn read(bytes: &[u8], format: Format) -> Result<ParsedFile, ReadError> {
    match format {
        Format::Fit => fit::read_fit(bytes),
        Format::Gpx => gpx::read_gpx(bytes),
        Format::Tcx => tcx::read_tcx(bytes),
    }
}
