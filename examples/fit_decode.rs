//! The baseline for the import benchmark: fitparser's streaming decode alone over every FIT
//! file of a zip, timed in-process. `cargo run --release --example fit_decode -- ARCHIVE.zip`
//! prints `bytes seconds`.

// A benchmark tool times itself: it reads the clock.
#![allow(clippy::disallowed_methods)]

#[path = "../benches/support/baseline.rs"]
mod baseline;

use baseline::decode_only;
use std::io::Read;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: fit_decode ARCHIVE.zip")?;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path)?)?;
    let mut files = Vec::new();
    for i in 0..archive.len() {
        let mut member = archive.by_index(i)?;
        let mut bytes = Vec::new();
        member.read_to_end(&mut bytes)?;
        files.push(bytes);
    }
    let bytes: usize = files.iter().map(Vec::len).sum();
    let started = std::time::Instant::now();
    let messages: usize = files.iter().map(|f| decode_only(f)).sum();
    let seconds = started.elapsed().as_secs_f64();
    eprintln!("{messages} messages");
    println!("{bytes} {seconds:.4}");
    Ok(())
}
