//! Splits the import's cost into its stages over the activity files of a zip or a folder:
//! `cargo run --release --example stage_costs -- ARCHIVE.zip|FOLDER`. For GPX and TCX it also
//! times quick-xml's tokenizer alone over the same bytes, the floor any XML reader stands on.
//! Each stage is timed RUNS times (default 5) and the median printed.

// A benchmark tool times itself: it reads the clock.
#![allow(clippy::disallowed_methods)]

use kneeguard::core::descent::DescentSettings;
use kneeguard::model::ParsedFile;
use kneeguard::readers::Format;
use std::io::Read;
use std::path::Path;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: stage_costs ARCHIVE.zip|FOLDER")?;
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let files = load(Path::new(&path))?;
    let mb = files.iter().map(|(_, f)| f.len()).sum::<usize>() as f64 / 1e6;
    println!("{} files, {mb:.1} MB; medians of {runs} runs", files.len());
    let stage = |name: &str, f: &dyn Fn() -> usize| {
        let mut times: Vec<f64> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed().as_secs_f64()
            })
            .collect();
        times.sort_by(f64::total_cmp);
        let median = times[runs / 2];
        println!(
            "{name:<28} {:8.1} ms {:8.1} MB/s",
            median * 1e3,
            mb / median
        );
    };
    let xml: Vec<&[u8]> = files
        .iter()
        .filter(|(format, _)| *format != Format::Fit)
        .map(|(_, bytes)| bytes.as_slice())
        .collect();
    if !xml.is_empty() {
        stage("quick-xml events (XML only)", &|| {
            xml.iter().map(|b| events(b)).sum()
        });
    }
    stage("read", &|| {
        files
            .iter()
            .filter_map(|(format, bytes)| kneeguard::readers::read(bytes, *format).ok())
            .count()
    });
    let parsed: Vec<ParsedFile> = files
        .iter()
        .filter_map(|(format, bytes)| kneeguard::readers::read(bytes, *format).ok())
        .collect();
    let settings = DescentSettings::default();
    let series = || {
        let mut series = Vec::new();
        for p in &parsed {
            if let ParsedFile::Activities { activities, .. } = p {
                for a in activities {
                    series.push(kneeguard::core::measure::measure(a, &settings).series);
                }
            }
        }
        series
    };
    stage("measure (descent, series)", &|| series().len());
    let measured = series();
    stage("encode series", &|| {
        measured
            .iter()
            .map(|s| kneeguard::db::series::encode(s).len())
            .sum()
    });
    stage("hash (BLAKE3)", &|| {
        files
            .iter()
            .map(|(_, f)| kneeguard::import::content_hash(f).len())
            .sum()
    });
    Ok(())
}

/// The number of events quick-xml reads from `bytes`.
fn events(bytes: &[u8]) -> usize {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    reader.config_mut().check_end_names = true;
    let mut n = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) | Err(_) => return n,
            Ok(_) => n += 1,
        }
    }
}

/// Files with their formats.
type Files = Vec<(Format, Vec<u8>)>;

/// The FIT, GPX and TCX files of a zip or under a folder, with their formats.
fn load(path: &Path) -> Result<Files, Box<dyn std::error::Error>> {
    let mut files = Vec::new();
    if path.is_dir() {
        let mut folders = vec![path.to_path_buf()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(folder)? {
                let path = entry?.path();
                if path.is_dir() {
                    folders.push(path);
                } else if let Some(format) = format_of(&path.to_string_lossy()) {
                    files.push((format, std::fs::read(&path)?));
                }
            }
        }
    } else {
        let mut archive = zip::ZipArchive::new(std::fs::File::open(path)?)?;
        for i in 0..archive.len() {
            let mut member = archive.by_index(i)?;
            if let Some(format) = format_of(member.name()) {
                let mut bytes = Vec::new();
                member.read_to_end(&mut bytes)?;
                files.push((format, bytes));
            }
        }
    }
    Ok(files)
}

fn format_of(name: &str) -> Option<Format> {
    let lower = name.to_ascii_lowercase();
    [
        (".fit", Format::Fit),
        (".gpx", Format::Gpx),
        (".tcx", Format::Tcx),
    ]
    .into_iter()
    .find(|(ext, _)| lower.ends_with(ext))
    .map(|(_, format)| format)
}
