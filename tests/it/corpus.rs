//! Tests over every file of the shared corpus (`../shared/data`), when it is present: each file
//! is imported, skipped with a reason, or rejected with a clear error; none panics; a re-import
//! adds nothing; distance and descent agree with the devices' own figures.

use crate::common::{shared_data, Env};
use kneeguard::core::descent::{elevation, DescentSettings};
use kneeguard::core::measure::measure;
use kneeguard::model::{ParsedActivity, ParsedFile};
use kneeguard::readers::{self, Format};
use std::collections::HashMap;
use std::path::Path;

/// One manifest row, by column name.
struct Row(HashMap<String, String>);

impl Row {
    fn get(&self, k: &str) -> &str {
        self.0.get(k).map_or("", String::as_str)
    }
    fn num(&self, k: &str) -> Option<f64> {
        self.get(k).parse().ok()
    }
}

fn manifest(data: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(data.join("MANIFEST.tsv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            Row(header
                .iter()
                .zip(l.split('\t'))
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect())
        })
        .collect()
}

macro_rules! corpus_or_skip {
    () => {
        match shared_data() {
            Some(p) => p,
            None => {
                crate::common::skipped("the corpus test did not run");
                return;
            }
        }
    };
}

#[test]
fn every_corpus_file_is_imported_skipped_or_rejected_clearly_and_reimport_adds_nothing() {
    let data = corpus_or_skip!();
    let env = Env::new();
    let dir = data.to_str().unwrap();
    let out = env
        .cmd()
        .args(["import", dir, "--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{stderr}");
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = summary["files"].as_array().unwrap();
    let rows = manifest(&data);
    assert_eq!(files.len(), rows.len(), "every manifest file is an input");
    let mut by_outcome: HashMap<String, usize> = HashMap::new();
    for f in files {
        let outcome = f["outcome"].as_str().unwrap().to_string();
        match outcome.as_str() {
            "imported" | "duplicate" | "already_imported" => {}
            "skipped" => assert!(!f["reason"].as_str().unwrap().is_empty()),
            "failed" => {
                let error = f["error"].as_str().unwrap();
                assert!(
                    error.len() > 15,
                    "{}: unhelpful error {error:?}",
                    f["input"]
                );
            }
            other => panic!("unknown outcome {other}"),
        }
        *by_outcome.entry(outcome).or_default() += 1;
    }
    println!("corpus outcomes: {by_outcome:?}");
    // 201 imported, 20 duplicates, 25 skipped: 15 that hold no activity (settings, waypoints,
    // planned routes), and 10 tracks whose points carry no time, which are routes and courses
    // (a Strava route export, a 46 km route up Kilimanjaro, route planners' exports, GPSBabel
    // files without times). 4 failed: 2 with bad checksums, and 2 refused as records no one
    // can make (a track whose only 5 timed points give 863 km/h; 195.7 km in one hour).
    let expected: HashMap<String, usize> = [
        ("imported", 201),
        ("duplicate", 20),
        ("skipped", 25),
        ("failed", 4),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(by_outcome, expected);
    // The corrupt-CRC files must be rejected, the settings files skipped.
    let outcome_of = |suffix: &str| {
        files
            .iter()
            .find(|f| f["input"].as_str().unwrap().ends_with(suffix))
            .map(|f| f["outcome"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(outcome_of("/activity-filecrc.fit"), "failed");
    assert_eq!(outcome_of("/Settings.fit"), "skipped");
    assert_eq!(outcome_of("/2013-02-06-12-11-14.fit"), "imported");
    assert_eq!(outcome_of("/running_activity_1.tcx"), "imported");
    assert_eq!(outcome_of("/garmin-activity.gpx"), "imported");
    assert_eq!(outcome_of("/strava_route_example.gpx"), "skipped");
    assert_eq!(outcome_of("/outdooractive-export.gpx"), "skipped");
    assert_eq!(outcome_of("/first_and_last_elevation.gpx"), "failed");

    let stored = env.activities().len();
    assert!(stored >= 40, "only {stored} activities from the corpus");
    let again = env
        .cmd()
        .args(["import", dir, "--format", "json"])
        .output()
        .unwrap();
    let again: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(again["activities"].as_array().unwrap().len(), 0);
    assert_eq!(again["imported"], 0);
    assert_eq!(env.activities().len(), stored, "a re-import adds nothing");
}

/// Our figures for one file: summed over its sessions.
struct Ours {
    distance_m: f64,
    computed_distance_m: Option<f64>,
    descent_m: Option<f64>,
}

/// The activities a reader finds in one corpus file.
fn activities(path: &Path) -> Option<Vec<ParsedActivity>> {
    let bytes = std::fs::read(path).ok()?;
    let format = Format::from_name(path.to_str()?)?;
    match readers::read(&bytes, format).ok()? {
        ParsedFile::Activities { activities, .. } => Some(activities),
        ParsedFile::NotAnActivity { .. } => None,
    }
}

fn ours(path: &Path) -> Option<Ours> {
    let activities = activities(path)?;
    let settings = DescentSettings::default();
    let measured: Vec<_> = activities.iter().map(|a| measure(a, &settings)).collect();
    Some(Ours {
        distance_m: measured.iter().map(|m| m.distance_m).sum(),
        computed_distance_m: measured
            .iter()
            .map(|m| m.computed_distance_m)
            .sum::<Option<f64>>(),
        descent_m: descent_of(&activities, &settings),
    })
}

/// The descent of a file's sessions under `settings`; sessions without altitude (a pool swim,
/// a transition) add nothing.
fn descent_of(activities: &[ParsedActivity], settings: &DescentSettings) -> Option<f64> {
    let legs: Vec<_> = activities
        .iter()
        .filter_map(|a| elevation(&a.samples, a.altitude_source, settings))
        .collect();
    (!legs.is_empty()).then(|| legs.iter().map(|e| e.descent_m).sum())
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

#[test]
fn descent_agrees_with_the_devices_own_figures() {
    let data = corpus_or_skip!();
    let mut running_errors = Vec::new();
    let mut hilly_running_errors = Vec::new();
    let mut all_errors = Vec::new();
    println!(
        "{:<58} {:>8} {:>8} {:>8} {:>7}",
        "file", "device", "naive", "ours", "error"
    );
    for row in manifest(&data) {
        let Some(device) = row.num("total_descent_m") else {
            continue;
        };
        // Generated files carry made-up device figures (their altitude never decreases).
        if row.get("format") != "fit"
            || row.get("has_altitude") != "yes"
            || row.get("flags").contains("likely generated")
        {
            continue;
        }
        let Some(ours) = ours(&data.join(row.get("file"))) else {
            continue;
        };
        let Some(descent) = ours.descent_m else {
            continue;
        };
        // Relative error; below 20 m of device descent the absolute error counts against 20 m,
        // so a flat 2 m run does not read as a 100% miss.
        let error = (descent - device).abs() / device.max(20.0);
        let name = row.get("file").rsplit('/').next().unwrap().to_string();
        println!(
            "{:<58} {:>8.0} {:>8} {:>8.1} {:>6.1}%",
            format!("{name} ({})", row.get("sport")),
            device,
            row.get("naive_descent_m"),
            descent,
            error * 100.0
        );
        if row.get("sport").contains("running") {
            running_errors.push(error);
            if device >= 20.0 {
                hilly_running_errors.push(error);
            }
        }
        all_errors.push(error);
    }
    assert!(running_errors.len() >= 5, "too few running files");
    assert!(
        hilly_running_errors.len() >= 3,
        "too few hilly running files"
    );
    let report = |name: &str, errors: &[f64]| {
        let mut sorted = errors.to_vec();
        let m = median(&mut sorted);
        let worst = sorted.last().copied().unwrap_or(0.0);
        println!(
            "{name}: n={}, median error {:.1}%, worst {:.1}%",
            errors.len(),
            m * 100.0,
            worst * 100.0
        );
        m
    };
    let running = report("running files with a device descent", &running_errors);
    let hilly = report(
        "running files with >= 20 m device descent",
        &hilly_running_errors,
    );
    let all = report("all FIT files with a device descent", &all_errors);
    assert!(running <= 0.10, "running files: {:.1}%", running * 100.0);
    assert!(hilly <= 0.10, "hilly running files: {:.1}%", hilly * 100.0);
    assert!(all <= 0.15, "all files: {:.1}%", all * 100.0);
}

/// A fixed split of the corpus: about a third of the files (by a hash of the path) are held out
/// of any tuning of the descent method, and reported apart.
fn held_out(path: &str) -> bool {
    // FNV-1a, 32 bits: stable across machines and Rust versions.
    let hash = path.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    hash % 3 == 0
}

fn quantile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let k = (sorted.len() - 1) as f64 * p;
    let (lo, hi) = (k.floor() as usize, k.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (k - lo as f64)
}

/// One file of the descent target: its path in the corpus, the device's own descent and the
/// sessions a reader finds in it.
struct Target {
    file: String,
    device_m: f64,
    activities: Vec<ParsedActivity>,
}

/// Every FIT file with a device descent of 20 m or more and an altitude series, whatever the
/// sport (generated files, whose device figures are made up, excluded).
fn descent_targets(data: &Path) -> Vec<Target> {
    manifest(data)
        .into_iter()
        .filter(|row| {
            row.get("format") == "fit"
                && row.get("has_altitude") == "yes"
                && !row.get("flags").contains("likely generated")
        })
        .filter_map(|row| {
            let device_m = row.num("total_descent_m").filter(|d| *d >= 20.0)?;
            let activities = activities(&data.join(row.get("file")))?;
            Some(Target {
                file: row.get("file").to_string(),
                device_m,
                activities,
            })
        })
        .collect()
}

/// The relative error of a descent against the device's, or infinity when there is none.
fn error_of(target: &Target, settings: &DescentSettings) -> f64 {
    descent_of(&target.activities, settings).map_or(f64::INFINITY, |d| {
        (d - target.device_m).abs() / target.device_m
    })
}

/// The distribution of kneeguard's error against the device over the descent target's files,
/// on the tuning part and on the held-out part of the corpus.
#[test]
fn descent_error_distribution_on_every_device() {
    let data = corpus_or_skip!();
    let settings = DescentSettings::default();
    let (mut tuning, mut held) = (Vec::new(), Vec::new());
    for target in descent_targets(&data) {
        let part = if held_out(&target.file) {
            &mut held
        } else {
            &mut tuning
        };
        part.push(error_of(&target, &settings));
    }
    let mut all = tuning.clone();
    all.extend(&held);
    for (name, errors) in [("tuning", &tuning), ("held out", &held), ("all", &all)] {
        println!(
            "descent vs device, {name}: n={}, median {:.1}%, 90th percentile {:.1}%, worst {:.1}%",
            errors.len(),
            quantile(errors, 0.5) * 100.0,
            quantile(errors, 0.9) * 100.0,
            quantile(errors, 1.0) * 100.0
        );
    }
    assert_eq!(all.len(), 40, "files with 20 m or more of device descent");
    assert!(held.len() >= 10 && tuning.len() >= 25);
    // What the method reaches (the aim is a 3% median and a 10% 90th percentile; the next test
    // shows why no threshold reaches both on these devices).
    for (name, errors, p90) in [
        ("tuning", &tuning, 0.24),
        ("held out", &held, 0.18),
        ("all", &all, 0.21),
    ] {
        assert!(
            quantile(errors, 0.9) <= p90,
            "{name}: p90 {:.1}%",
            quantile(errors, 0.9) * 100.0
        );
    }
    assert!(
        quantile(&all, 0.5) <= 0.03,
        "median {:.1}%",
        quantile(&all, 0.5) * 100.0
    );
}

/// Hysteresis thresholds swept by the descent target's sweep, metres: 0 to 10 in 0.25 m steps.
fn swept_thresholds() -> Vec<f64> {
    (0..=40).map(|i| f64::from(i) * 0.25).collect()
}

/// The settings of one point of the sweep: the threshold for either altitude source.
fn swept(threshold_m: f64, median_window: usize) -> DescentSettings {
    DescentSettings {
        hysteresis_barometric_m: threshold_m,
        hysteresis_gps_m: threshold_m,
        median_window,
        ..DescentSettings::default()
    }
}

/// Why one method does not reach a 10% 90th percentile on every device: each file alone is
/// matched within 10% (most within 1%) by some threshold, but no single threshold (0-10 m, with
/// or without the median filter) matches 36 of the 40 files within 10%, which a 10% 90th
/// percentile needs; pairs of files with the same kind of series (1 s barometric altitude at
/// 0.2 m resolution) need thresholds that do not overlap. Prints each file's range.
#[test]
fn no_single_threshold_matches_every_device() {
    let data = corpus_or_skip!();
    let targets = descent_targets(&data);
    let thresholds = swept_thresholds();
    let windows = [1, DescentSettings::default().median_window];
    // errors[w][t][f]: the error of file f under threshold t and median window w.
    let errors: Vec<Vec<Vec<f64>>> = windows
        .iter()
        .map(|&w| {
            thresholds
                .iter()
                .map(|&t| targets.iter().map(|f| error_of(f, &swept(t, w))).collect())
                .collect()
        })
        .collect();
    let (mut best_p90, mut best_at) = (f64::INFINITY, (0, 0.0));
    let mut most_within = 0;
    for (w, by_threshold) in windows.iter().zip(&errors) {
        for (t, per_file) in thresholds.iter().zip(by_threshold) {
            let p90 = quantile(per_file, 0.9);
            if p90 < best_p90 {
                (best_p90, best_at) = (p90, (*w, *t));
            }
            most_within = most_within.max(per_file.iter().filter(|e| **e <= 0.10).count());
        }
    }
    println!(
        "{:<44} {:>6} {:>9} {:>15} {:>15}",
        "file", "device", "best", "median 5: 10%", "no median: 10%"
    );
    let mut acceptable = Vec::new();
    for (f, target) in targets.iter().enumerate() {
        let within = |w: usize| -> Vec<f64> {
            thresholds
                .iter()
                .zip(&errors[w])
                .filter(|(_, per_file)| per_file[f] <= 0.10)
                .map(|(t, _)| *t)
                .collect()
        };
        let range = |ts: &[f64]| match (ts.first(), ts.last()) {
            (Some(lo), Some(hi)) => format!("{lo:.2}-{hi:.2} m"),
            _ => "none".to_string(),
        };
        let best = errors
            .iter()
            .flatten()
            .map(|per_file| per_file[f])
            .fold(f64::INFINITY, f64::min);
        let (filtered, plain) = (within(1), within(0));
        println!(
            "{:<44} {:>6.0} {:>8.1}% {:>15} {:>15}",
            target.file.rsplit('/').next().unwrap_or_default(),
            target.device_m,
            best * 100.0,
            range(&filtered),
            range(&plain)
        );
        assert!(
            best <= 0.10,
            "{}: no threshold comes within 10% ({:.1}%)",
            target.file,
            best * 100.0
        );
        acceptable.push((filtered, plain));
    }
    let disjoint = (0..targets.len())
        .flat_map(|a| (a + 1..targets.len()).map(move |b| (a, b)))
        .filter(|&(a, b)| {
            let overlap = |x: &[f64], y: &[f64]| x.iter().any(|t| y.contains(t));
            !overlap(&acceptable[a].0, &acceptable[b].0)
                && !overlap(&acceptable[a].1, &acceptable[b].1)
        })
        .count();
    println!(
        "lowest 90th percentile over every threshold: {:.1}% (median window {}, {} m); at most \
         {most_within} of {} files within 10% under one setting; {disjoint} pairs of files share \
         no threshold within 10%",
        best_p90 * 100.0,
        best_at.0,
        best_at.1,
        targets.len()
    );
    assert!(
        most_within < 36,
        "{most_within} files within 10% under one setting"
    );
    assert!(
        best_p90 > 0.10,
        "p90 {:.1}% is within reach",
        best_p90 * 100.0
    );
}

#[test]
fn computed_distance_agrees_with_the_devices_own_figures() {
    let data = corpus_or_skip!();
    let (mut checked, mut stored_checked) = (0, 0);
    for row in manifest(&data) {
        let Some(device) = row.num("total_distance_m").filter(|d| *d > 100.0) else {
            continue;
        };
        // GPX files carry no device totals (the manifest's are computed by another tool), and a
        // damaged file (fitparser "Err") is imported only up to the damage.
        if row.get("format") == "gpx"
            || row.get("fitparser").starts_with("Err")
            || row.get("flags").contains("likely generated")
        {
            continue;
        }
        let Some(ours) = ours(&data.join(row.get("file"))) else {
            continue;
        };
        // The stored distance is the device's own total on every file.
        assert!(
            (ours.distance_m - device).abs() / device <= 0.01,
            "{}: stored {:.1} m vs device {device:.1} m",
            row.get("file"),
            ours.distance_m
        );
        stored_checked += 1;
        // Indoors the distance is a model of speed from power or a trainer, and the head
        // unit's summary and its records are two separate estimates: a Stages M200 ride
        // records speeds that add up to its record distance, 44,067 m, while its session says
        // 41,548 m (its 9.123 m/s average over 4,554 s). Neither is a measurement to check the
        // other against, so the distance computed from the records is compared only where it
        // is measured (GPS, foot pod, wheel sensor).
        if row.get("flags").contains("indoor") {
            continue;
        }
        let Some(computed) = ours.computed_distance_m else {
            continue;
        };
        let error = (computed - device).abs() / device;
        assert!(
            error <= 0.01,
            "{}: computed {computed:.1} m vs device {device:.1} m ({:.2}%)",
            row.get("file"),
            error * 100.0
        );
        checked += 1;
    }
    println!(
        "stored distance within 1% of the device on {stored_checked} files, computed distance \
         on the {checked} recorded outdoors or with a sensor"
    );
    assert!(checked >= 15, "only {checked} files checked");
    assert!(stored_checked > checked, "{stored_checked} vs {checked}");
}
