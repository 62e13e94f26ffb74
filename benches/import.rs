//! Import throughput against fitparser's own streaming decode, on the same bytes in the same
//! run: `cargo bench --bench import`. The target is an end-to-end import (read + descent +
//! store) at least four times as fast as fitparser's decode alone. `kneeguard_import` is one file after the
//! other on one thread (the cost per byte); `kneeguard_import_pipeline` is what the `import`
//! command does, reading on every core.

use chrono::{Duration, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use kneeguard::db::Store;
use kneeguard::import::{Importer, Input};
use kneeguard::readers::Format;
use kneeguard::settings::Config;
use kneeguard::synth::{fit_writer::FitSport, Course};
#[path = "support/baseline.rs"]
mod baseline;

use baseline::decode_only;
use std::path::Path;

/// 40 synthetic runs (5-13 km, 1 Hz), plus the real running and cycling files of the shared
/// corpus when it is present.
fn corpus() -> Vec<(String, Vec<u8>)> {
    let first = Utc.with_ymd_and_hms(2026, 1, 1, 6, 30, 0).unwrap();
    let mut files: Vec<(String, Vec<u8>)> = (0..40u32)
        .map(|i| {
            let mut c = Course::new(
                first + Duration::days(i64::from(i)),
                5_000.0 + f64::from(i % 9) * 1_000.0,
                f64::from(i % 5) * 50.0,
            );
            c.seed = u64::from(i);
            (format!("synthetic-{i}.fit"), c.to_fit(FitSport::RUN, i + 1))
        })
        .collect();
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/fit");
    for name in [
        "dtcooper_python-fitparse/tests/files/activity-small-fenix2-run.fit",
        "dtcooper_python-fitparse/tests/files/garmin-edge-500-activity.fit",
        "dtcooper_python-fitparse/tests/files/Edge810-Vector-2013-08-16-15-35-10.fit",
        "dtcooper_python-fitparse/tests/files/2013-02-06-12-11-14.fit",
    ] {
        if let Ok(bytes) = std::fs::read(shared.join(name)) {
            files.push((name.to_string(), bytes));
        }
    }
    files
}

fn bench(c: &mut Criterion) {
    let files = corpus();
    let total: usize = files.iter().map(|(_, b)| b.len()).sum();
    let config = Config::default();
    let mut group = c.benchmark_group("fit");
    group.throughput(Throughput::Bytes(total as u64));
    group.sample_size(10);
    group.bench_function("fitparser_stream_decode", |b| {
        b.iter(|| {
            files
                .iter()
                .map(|(_, bytes)| decode_only(bytes))
                .sum::<usize>()
        })
    });
    group.bench_function("kneeguard_import", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let store = Store::open(&dir.path().join("bench.sqlite")).unwrap();
                (dir, store)
            },
            |(dir, mut store)| {
                let mut importer =
                    Importer::new(&mut store, &config, chrono_tz::UTC, chrono::NaiveDate::MAX);
                for (name, bytes) in &files {
                    importer
                        .import(Input::File {
                            label: name.clone(),
                            bytes: bytes.clone(),
                            format: Some(Format::Fit),
                            export_row: None,
                        })
                        .unwrap();
                }
                drop(store);
                dir
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("kneeguard_import_pipeline", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let store = Store::open(&dir.path().join("bench.sqlite")).unwrap();
                (dir, store)
            },
            |(dir, mut store)| {
                let mut importer =
                    Importer::new(&mut store, &config, chrono_tz::UTC, chrono::NaiveDate::MAX);
                let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
                kneeguard::import::pipeline::run(
                    &mut importer,
                    workers,
                    |sink| {
                        for (name, bytes) in &files {
                            sink(Input::File {
                                label: name.clone(),
                                bytes: bytes.clone(),
                                format: Some(Format::Fit),
                                export_row: None,
                            });
                        }
                    },
                    |_, _| {},
                )
                .unwrap();
                drop(store);
                dir
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
