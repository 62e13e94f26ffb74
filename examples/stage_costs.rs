//! Splits the import's cost into its stages over every FIT file of a zip:
//! `cargo run --release --example stage_costs -- ARCHIVE.zip`.

// A benchmark tool times itself: it reads the clock.
#![allow(clippy::disallowed_methods)]

use kneeguard::core::descent::DescentSettings;
use kneeguard::model::ParsedFile;
use std::io::Read;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: stage_costs ARCHIVE.zip")?;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path)?)?;
    let mut files = Vec::new();
    for i in 0..archive.len() {
        let mut bytes = Vec::new();
        archive.by_index(i)?.read_to_end(&mut bytes)?;
        files.push(bytes);
    }
    let mb = files.iter().map(Vec::len).sum::<usize>() as f64 / 1e6;
    let t = Instant::now();
    let parsed: Vec<ParsedFile> = files
        .iter()
        .map(|f| kneeguard::readers::read(f, kneeguard::readers::Format::Fit).unwrap())
        .collect();
    let read = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let settings = DescentSettings::default();
    let mut series = Vec::new();
    for p in &parsed {
        if let ParsedFile::Activities { activities, .. } = p {
            for a in activities {
                series.push(kneeguard::core::measure::measure(a, &settings).series);
            }
        }
    }
    let measure = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let blobs: usize = series
        .iter()
        .map(|s| kneeguard::db::series::encode(s).len())
        .sum();
    let encode = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let hashes: usize = files
        .iter()
        .map(|f| kneeguard::import::content_hash(f).len())
        .sum();
    let hash = t.elapsed().as_secs_f64();
    println!("{mb:.1} MB: read {read:.2}s ({:.1} MB/s), measure {measure:.2}s, encode {encode:.2}s ({blobs} bytes), hash {hash:.2}s ({hashes})", mb / read);
    Ok(())
}
