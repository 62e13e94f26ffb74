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
/// corpus tests: `None` when it is absent, which fails instead when `KNEEGUARD_REQUIRE_CORPUS=1`
/// (as `.ci/run` sets when the corpus is there), so a wrong path cannot pass silently.
#[cfg(test)]
pub(crate) fn shared_corpus() -> Option<std::path::PathBuf> {
    use std::io::Write;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    if root.join("MANIFEST.tsv").is_file() {
        return Some(root);
    }
    assert!(
        std::env::var_os("KNEEGUARD_REQUIRE_CORPUS").is_none_or(|v| v != "1"),
        "KNEEGUARD_REQUIRE_CORPUS=1 but {} is missing",
        root.display()
    );
    // Straight to stderr: the test harness keeps what a passing test prints.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: the corpus {} is not on this machine",
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

/// The fuzz harness: mutated real files and generated tag soup through every reader's byte
/// entry point and the format sniffing, checking that nothing panics and that a reader never
/// keeps more points than the file could hold. `PROPTEST_CASES` sets the number of cases per
/// property (the README gives the command for an hour's run).
#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    const SEEDS: [(&str, Format); 6] = [
        ("fit/activity-small-fenix2-run.fit", Format::Fit),
        ("fit/sample_mulitple_header.fit", Format::Fit),
        ("gpx/garmin-activity.gpx", Format::Gpx),
        ("gpx/cerknicko-without-times.gpx", Format::Gpx),
        ("tcx/test.tcx", Format::Tcx),
        ("tcx/pool_swim-activity_1.tcx", Format::Tcx),
    ];

    fn seed(i: usize) -> (Vec<u8>, Format) {
        let (name, format) = SEEDS[i % SEEDS.len()];
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        (std::fs::read(&path).expect("fixture"), format)
    }

    /// One mutation of a seed file.
    #[derive(Debug, Clone)]
    enum Mutation {
        Flip(usize, u8),
        Cut(usize),
        Repeat(usize, usize, u16),
        Insert(usize, Vec<u8>),
    }

    fn mutation() -> impl Strategy<Value = Mutation> {
        prop_oneof![
            (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::Flip(at, b)),
            any::<usize>().prop_map(Mutation::Cut),
            (any::<usize>(), 1usize..64, 1u16..2000)
                .prop_map(|(at, len, n)| Mutation::Repeat(at, len, n)),
            (any::<usize>(), prop::collection::vec(any::<u8>(), 1..32))
                .prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        ]
    }

    fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
        let len = bytes.len().max(1);
        match m {
            Mutation::Flip(at, b) => {
                if !bytes.is_empty() {
                    bytes[at % len] = *b;
                }
            }
            Mutation::Cut(at) => bytes.truncate(at % len),
            Mutation::Repeat(at, n, times) => {
                let start = at % len;
                let end = (start + n).min(bytes.len());
                let chunk = bytes[start.min(end)..end].to_vec();
                let tail = bytes.split_off(end);
                for _ in 0..*times {
                    bytes.extend_from_slice(&chunk);
                }
                bytes.extend(tail);
            }
            Mutation::Insert(at, extra) => {
                let at = (at % len).min(bytes.len());
                bytes.splice(at..at, extra.iter().copied());
            }
        }
    }

    fn check(bytes: &[u8], format: Format) {
        let _ = Format::sniff(bytes);
        for format in [format, Format::Fit, Format::Gpx, Format::Tcx] {
            if let Ok(ParsedFile::Activities { activities, .. }) = read(bytes, format) {
                let points: usize = activities.iter().map(|a| a.samples.len()).sum();
                // A point takes at least a handful of bytes in every format.
                assert!(
                    points <= bytes.len() / 4 + 1,
                    "{points} points from {} bytes",
                    bytes.len()
                );
            }
        }
    }

    proptest! {
        #[test]
        fn mutated_real_files_never_panic(
            which in 0usize..SEEDS.len(),
            mutations in prop::collection::vec(mutation(), 1..6),
        ) {
            let (mut bytes, format) = seed(which);
            for m in &mutations {
                apply(&mut bytes, m);
            }
            check(&bytes, format);
        }

        #[test]
        fn generated_xml_never_panics(parts in prop::collection::vec(prop::sample::select(vec![
            "<?xml version=\"1.0\"?>", "<gpx>", "</gpx>", "<trk>", "<trkseg>", "<trkpt lat=\"1\" lon=\"2\">",
            "</trkpt>", "<time>2024-01-01T00:00:00Z</time>", "<ele>12</ele>", "<rte>", "<rtept lat=\"1\" lon=\"1\"/>",
            "<TrainingCenterDatabase>", "</TrainingCenterDatabase>", "<Activities>", "<Activity>", "<Activity/>",
            "</Activity>", "<Lap>", "<Trackpoint>", "<Trackpoint/>", "</Trackpoint>", "<Time>2024-01-01T00:00:00Z</Time>",
            "<DistanceMeters>1e308</DistanceMeters>", "<AltitudeMeters>-1e9</AltitudeMeters>", "<Course>",
            "&amp;", "&#0;", "&#x110000;", "<![CDATA[", "]]>", "<!--", "-->", "<", ">", "\u{feff}", "\0",
        ]), 0..120)) {
            let text: String = parts.concat();
            check(text.as_bytes(), Format::Gpx);
        }
    }
}
