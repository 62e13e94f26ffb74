//! `kneeguard import` end to end on real and synthetic files.

use crate::common::{fixture, Env};
use chrono::{Duration, TimeZone, Utc};
use kneeguard::synth::{fit_writer::FitSport, Course};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

fn import_json(env: &Env, args: &[&str]) -> (Option<i32>, Value) {
    let out = env
        .cmd()
        .arg("import")
        .args(args)
        .arg("--format")
        .arg("json")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{stderr}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code(), json)
}

fn outcomes(summary: &Value) -> Vec<String> {
    summary["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["outcome"].as_str().unwrap().to_string())
        .collect()
}

fn course(day: i64, km: f64, climb: f64) -> Course {
    let start = Utc.with_ymd_and_hms(2026, 10, 1, 6, 30, 0).unwrap() + Duration::days(day);
    Course::new(start, km * 1000.0, climb)
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, bytes).unwrap();
    path
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn zip(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in entries {
        w.start_file(*name, options).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn real_gpx_and_tcx_files_import_with_their_numbers() {
    let env = Env::new();
    let gpx = fixture("gpx/garmin-activity.gpx");
    let tcx = fixture("tcx/test.tcx");
    let (code, summary) = import_json(&env, &[gpx.to_str().unwrap(), tcx.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    assert_eq!(outcomes(&summary), ["imported", "imported"]);
    let list = env.activities();
    assert_eq!(list.len(), 2);
    let by_source = |suffix: &str| {
        list.iter()
            .find(|a| a["source"].as_str().unwrap().ends_with(suffix))
            .unwrap()
            .clone()
    };
    let tcx = by_source("test.tcx");
    assert_eq!(tcx["sport"], "run");
    assert!(
        (tcx["distance_m"].as_f64().unwrap() - 4689.2).abs() < 0.2,
        "{tcx}"
    );
    assert!(
        (tcx["moving_s"].as_f64().unwrap() - 1993.0).abs() <= 1.0,
        "{tcx}"
    );
    assert!(tcx["descent_m"].as_f64().unwrap() > 0.0);
    let gpx = by_source("garmin-activity.gpx");
    assert_eq!(gpx["sport"], "run");
    // the manifest's 2D track length is 12835.5 m
    let d = gpx["distance_m"].as_f64().unwrap();
    assert!((d - 12835.5).abs() / 12835.5 < 0.01, "{d}");
    assert!(gpx["descent_m"].as_f64().unwrap() > 50.0, "{gpx}");
    assert_eq!(gpx["device_descent_m"], Value::Null);
}

#[test]
fn the_same_content_is_recognised_under_any_name_or_compression() {
    let env = Env::new();
    let original = std::fs::read(fixture("tcx/test.tcx")).unwrap();
    let dir = env.dir.path();
    let a = write(dir, "a.tcx", &original);
    let b = write(dir, "renamed.tcx", &original);
    let c = write(dir, "c.tcx.gz", &gzip(&original));
    let (_, first) = import_json(&env, &[a.to_str().unwrap()]);
    assert_eq!(outcomes(&first), ["imported"]);
    let (code, again) = import_json(
        &env,
        &[
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            c.to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(0));
    assert_eq!(outcomes(&again), ["already_imported"; 3]);
    assert_eq!(env.activities().len(), 1);
    let text = env.ok(&["import", a.to_str().unwrap()]);
    assert!(text.contains("1 already imported"), "{text}");
}

#[test]
fn the_same_run_from_a_fit_and_its_gpx_is_one_activity() {
    let env = Env::new();
    let run = course(3, 10.0, 120.0);
    let dir = env.dir.path();
    let fit = write(dir, "run.fit", &run.to_fit(FitSport::RUN, 1));
    let gpx = write(
        dir,
        "run.gpx",
        run.to_gpx("Morning run", "running").as_bytes(),
    );
    let (_, first) = import_json(&env, &[fit.to_str().unwrap()]);
    let id = first["activities"][0].as_i64().unwrap();
    let (code, second) = import_json(&env, &[gpx.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    assert_eq!(outcomes(&second), ["duplicate"]);
    assert_eq!(second["files"][0]["duplicate_of"][0], id);
    let list = env.activities();
    assert_eq!(list.len(), 1);
    // the FIT's device totals are kept, descent computed beside them
    assert_eq!(list[0]["distance_m"], 10000.0);
    assert_eq!(list[0]["device_descent_m"], 120.0);
    let descent = list[0]["descent_m"].as_f64().unwrap();
    assert!((descent - 120.0).abs() < 4.0, "{descent}");
    let text = env.ok(&["import", gpx.to_str().unwrap()]);
    assert!(text.contains("1 already imported"), "{text}");
}

#[test]
fn folders_are_searched_recursively_and_other_files_passed_over() {
    let env = Env::new();
    let root = env.dir.path().join("runs");
    write(
        &root,
        "2026/october/a.fit",
        &course(1, 8.0, 40.0).to_fit(FitSport::RUN, 1),
    );
    write(
        &root,
        "2026/october/b.gpx",
        course(2, 6.0, 10.0).to_gpx("b", "running").as_bytes(),
    );
    write(&root, "2026/notes.txt", b"felt good");
    write(&root, "photo.jpg", &[0xff, 0xd8, 0xff, 0xe0]);
    let (code, summary) = import_json(&env, &[root.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    assert_eq!(summary["inputs"], 2);
    assert_eq!(env.activities().len(), 2);
}

#[test]
fn a_strava_bulk_export_takes_names_sports_and_manual_activities_from_its_csv() {
    let env = Env::new();
    let csv = std::fs::read(fixture("strava_export/activities.csv")).unwrap();
    let morning = course(0, 10.2345, 140.0).to_fit(FitSport::RUN, 3);
    let trail = course(5, 14.88, 800.0).to_gpx("Trail", "running");
    let treadmill = std::fs::read(fixture("tcx/test.tcx")).unwrap();
    let archive = zip(&[
        ("export_123/activities.csv", csv),
        ("export_123/activities/16000000003.fit.gz", gzip(&morning)),
        ("export_123/activities/16000000002.gpx", trail.into_bytes()),
        ("export_123/activities/16000000001.tcx.gz", gzip(&treadmill)),
        ("export_123/profile.csv", b"x".to_vec()),
    ]);
    let path = write(env.dir.path(), "export_123.zip", &archive);
    let (code, summary) = import_json(&env, &[path.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{summary}");
    assert_eq!(summary["inputs"], 4, "{summary}");
    assert_eq!(outcomes(&summary), ["imported"; 4]);
    let list = env.activities();
    let named = |name: &str| {
        list.iter()
            .find(|a| a["name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {list:?}"))
            .clone()
    };
    assert_eq!(named("Morning Run")["sport"], "run");
    assert_eq!(named("Lunch Trail Run, hilly")["sport"], "trail_run");
    assert_eq!(named("Treadmill")["sport"], "run");
    let manual = named("Manual entry: easy jog");
    assert_eq!(manual["distance_m"], 5000.0);
    assert_eq!(manual["moving_s"], 1800.0);
    assert_eq!(manual["start"], "2026-09-22T06:00:00Z");
    assert!(manual["source"]
        .as_str()
        .unwrap()
        .contains("activities.csv"));
    // re-importing the export adds nothing
    let (_, again) = import_json(&env, &[path.to_str().unwrap()]);
    assert_eq!(again["activities"].as_array().unwrap().len(), 0);
    assert_eq!(env.activities().len(), 4);
}

#[test]
fn a_garmin_export_is_read_through_its_nested_archive() {
    let env = Env::new();
    let inner = zip(&[
        ("a.fit", course(1, 5.0, 20.0).to_fit(FitSport::RUN, 1)),
        ("b.fit", course(2, 7.0, 60.0).to_fit(FitSport::TRAIL_RUN, 2)),
        ("c.fit", course(3, 20.0, 0.0).to_fit(FitSport::RIDE, 3)),
    ]);
    let outer = zip(&[
        (
            "DI_CONNECT/DI-Connect-User/user_profile.json",
            b"{}".to_vec(),
        ),
        (
            "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip",
            inner,
        ),
    ]);
    let path = write(env.dir.path(), "garmin.zip", &outer);
    let (code, summary) = import_json(&env, &[path.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{summary}");
    let sports: Vec<String> = env
        .activities()
        .iter()
        .map(|a| a["sport"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(sports, ["run", "trail_run", "ride"]);
    let label = summary["files"][0]["input"].as_str().unwrap();
    assert!(
        label.contains("UploadedFiles_0-_Part1.zip:a.fit"),
        "{label}"
    );
}

#[test]
fn bad_inputs_fail_one_by_one_and_the_good_ones_still_import() {
    let env = Env::new();
    let dir = env.dir.path();
    let good = write(
        dir,
        "good.fit",
        &course(1, 8.0, 40.0).to_fit(FitSport::RUN, 1),
    );
    let mut damaged = course(2, 8.0, 40.0).to_fit(FitSport::RUN, 2);
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0xff;
    let damaged = write(dir, "damaged.fit", &damaged);
    let notes = write(dir, "notes.txt", b"ran 5k");
    let empty = write(dir, "empty.gpx", b"");
    let broken_gz = write(dir, "broken.fit.gz", &[0x1f, 0x8b, 8, 0, 1, 2, 3]);
    let args: Vec<&str> = [&good, &damaged, &notes, &empty, &broken_gz]
        .iter()
        .map(|p| p.to_str().unwrap())
        .chain(["missing.fit"])
        .collect();
    let (code, summary) = import_json(&env, &args);
    assert_eq!(code, Some(1));
    assert_eq!(
        outcomes(&summary),
        ["imported", "failed", "failed", "failed", "failed", "failed"]
    );
    let errors: Vec<&str> = summary["files"].as_array().unwrap()[1..]
        .iter()
        .map(|f| f["error"].as_str().unwrap())
        .collect();
    assert!(
        errors[0].contains("checksum") || errors[0].contains("corrupt"),
        "{}",
        errors[0]
    );
    assert!(errors[1].contains("not a FIT, GPX or TCX"), "{}", errors[1]);
    assert!(errors[2].contains("empty"), "{}", errors[2]);
    assert!(errors[3].contains("gzip"), "{}", errors[3]);
    assert!(errors[4].contains("no such file"), "{}", errors[4]);
    assert_eq!(env.activities().len(), 1);
    // the text summary names each failed file and its reason
    let out = env
        .cmd()
        .args(["import"])
        .args(&args[1..3])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("FAILED") && text.contains("damaged.fit") && text.contains("2 failed"),
        "{text}"
    );
}

#[test]
fn a_killed_import_keeps_what_it_finished_and_a_rerun_completes_it() {
    let env = Env::new();
    let entries: Vec<(String, Vec<u8>)> = (0..120)
        .map(|i| {
            (
                format!("r{i:03}.fit"),
                course(i, 6.0 + (i % 5) as f64, 30.0).to_fit(FitSport::RUN, i as u32 + 1),
            )
        })
        .collect();
    let refs: Vec<(&str, Vec<u8>)> = entries
        .iter()
        .map(|(n, b)| (n.as_str(), b.clone()))
        .collect();
    let path = write(env.dir.path(), "many.zip", &zip(&refs));
    let p = path.to_str().unwrap();

    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kneeguard"))
        .args([
            "--db",
            env.db().to_str().unwrap(),
            "--today",
            "2026-11-22",
            "import",
            "--quiet",
            p,
        ])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // kill it once some files are stored
    let started = std::time::Instant::now();
    loop {
        std::thread::sleep(std::time::Duration::from_millis(20));
        let stored = count_rows(&env.db());
        if stored >= 5 || started.elapsed().as_secs() > 60 {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let partial = count_rows(&env.db());
    assert!(
        partial < 120,
        "the import finished before it could be killed"
    );
    // every stored activity has its file recorded with it, nothing half-written
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let orphans: i64 = conn
        .query_row(
            "SELECT count(*) FROM activities a LEFT JOIN imported_files f
             ON f.content_hash = a.content_hash WHERE f.content_hash IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0);
    drop(conn);
    let (code, summary) = import_json(&env, &[p]);
    assert_eq!(code, Some(0));
    assert_eq!(
        summary["already_imported"].as_u64().unwrap() as i64,
        partial
    );
    assert_eq!(count_rows(&env.db()), 120);
}

fn count_rows(db: &Path) -> i64 {
    let Ok(conn) =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return 0;
    };
    conn.query_row("SELECT count(*) FROM activities", [], |r| r.get(0))
        .unwrap_or(0)
}

#[test]
fn two_imports_at_once_both_succeed() {
    let env = Env::new();
    let dir = env.dir.path();
    let a: Vec<PathBuf> = (0..15)
        .map(|i| {
            write(
                dir,
                &format!("a/{i}.fit"),
                &course(i, 5.0, 10.0).to_fit(FitSport::RUN, i as u32 + 1),
            )
        })
        .collect();
    let b: Vec<PathBuf> = (0..15)
        .map(|i| {
            write(
                dir,
                &format!("b/{i}.fit"),
                &course(20 + i, 5.0, 10.0).to_fit(FitSport::RUN, 100 + i as u32),
            )
        })
        .collect();
    assert_eq!((a.len(), b.len()), (15, 15));
    let spawn = |sub: &str| {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("kneeguard"))
            .args(["--db", env.db().to_str().unwrap(), "import", "--quiet"])
            .arg(dir.join(sub))
            .output()
    };
    let (ra, rb) = std::thread::scope(|s| {
        let ha = s.spawn(|| spawn("a"));
        let hb = s.spawn(|| spawn("b"));
        (ha.join().unwrap().unwrap(), hb.join().unwrap().unwrap())
    });
    assert!(
        ra.status.success(),
        "{}",
        String::from_utf8_lossy(&ra.stderr)
    );
    assert!(
        rb.status.success(),
        "{}",
        String::from_utf8_lossy(&rb.stderr)
    );
    assert_eq!(count_rows(&env.db()), 30);
}
