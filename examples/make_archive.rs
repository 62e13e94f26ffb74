//! Writes a zip of synthetic FIT runs, for the import benchmark:
//! `cargo run --release --example make_archive -- OUT.zip [COUNT]`.
//!
//! Every file is a distinct activity (its own day, distance and hills), so an import stores
//! all of them: nothing is skipped as a duplicate.
//!
//! `make_archive --chained OUT.fit MB` writes one huge chained FIT file instead (a long run a
//! day, each its own FIT part), for the memory benchmark.

use chrono::{Duration, TimeZone, Utc};
use kneeguard::synth::{fit_writer::FitSport, Course};
use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args
        .next()
        .ok_or("usage: make_archive OUT.zip [COUNT] | --chained OUT.fit MB")?;
    if out == "--chained" {
        let out = args
            .next()
            .ok_or("usage: make_archive --chained OUT.fit MB")?;
        let mb: usize = args.next().map_or(Ok(50), |m| m.parse())?;
        let first = Utc.with_ymd_and_hms(2020, 1, 1, 6, 0, 0).unwrap();
        let bytes = kneeguard::synth::chained_fit(first, mb * 1_000_000);
        std::fs::write(&out, &bytes)?;
        eprintln!(
            "{out}: one chained FIT file, {:.1} MB",
            bytes.len() as f64 / 1e6
        );
        return Ok(());
    }
    let count: u32 = args.next().map_or(Ok(1000), |c| c.parse())?;
    let file = std::fs::File::create(&out)?;
    let mut zip = zip::ZipWriter::new(file);
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let first = Utc.with_ymd_and_hms(2016, 1, 1, 6, 30, 0).unwrap();
    let mut bytes_total = 0usize;
    for i in 0..count {
        let mut course = Course::new(
            first + Duration::days(i as i64),
            5_000.0 + f64::from(i % 17) * 1_000.0,
            f64::from(i % 9) * 40.0,
        );
        course.seed = u64::from(i) + 1;
        let bytes = course.to_fit(FitSport::RUN, i + 1);
        bytes_total += bytes.len();
        zip.start_file(format!("runs/run-{i:05}.fit"), options)?;
        zip.write_all(&bytes)?;
    }
    zip.finish()?;
    eprintln!(
        "{out}: {count} FIT files, {:.1} MB",
        bytes_total as f64 / 1e6
    );
    Ok(())
}
