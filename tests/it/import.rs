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
                // 120 days up to 2026-11-22, today in these tests
                course(i - 68, 6.0 + (i % 5) as f64, 30.0).to_fit(FitSport::RUN, i as u32 + 1),
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

// ---- hostile and damaged input --------------------------------------------------------------

const TCX_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?><TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">"#;

/// A TCX run without any timestamp: lap totals and trackpoints with distance and altitude.
fn tcx_without_times(i: usize) -> String {
    let points: String = (0..40)
        .map(|p| {
            format!(
                "<Trackpoint><DistanceMeters>{}</DistanceMeters><AltitudeMeters>{}</AltitudeMeters></Trackpoint>",
                p * 100 + i,
                200 + (p % 10) * 3
            )
        })
        .collect();
    format!(
        "{TCX_HEAD}<Activities><Activity Sport=\"Running\"><Lap><TotalTimeSeconds>{}</TotalTimeSeconds><DistanceMeters>{}</DistanceMeters><Track>{points}</Track></Lap></Activity></Activities></TrainingCenterDatabase>",
        1500 + i * 10,
        4000 + i
    )
}

/// The text summary of `import` with `args`, its exit code and stderr.
fn import_text(env: &Env, args: &[&str]) -> (Option<i32>, String, String) {
    let out = env.cmd().arg("import").args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    )
}

/// A config file with the given `[import]` lines.
fn import_config(env: &Env, lines: &str) -> PathBuf {
    let path = env.dir.path().join("config.toml");
    std::fs::write(&path, format!("[import]\n{lines}\n")).unwrap();
    path
}

#[test]
fn a_flood_of_empty_tcx_activities_is_no_activity_even_named_gpx() {
    let env = Env::new();
    let dir = env.dir.path();
    // 100,000 empty activities (1.1 MB), and a .gpx holding a TCX flood of empty trackpoints.
    let empty = format!(
        "{TCX_HEAD}<Activities>{}</Activities></TrainingCenterDatabase>",
        "<Activity/>".repeat(100_000)
    );
    let points = format!(
        "{TCX_HEAD}<Activities><Activity Sport=\"Running\"><Lap><Track>{}</Track></Lap></Activity>{}</Activities></TrainingCenterDatabase>",
        "<Trackpoint/>".repeat(50_000),
        "<Activity></Activity>".repeat(20_000)
    );
    let tcx = write(dir, "flood.tcx", empty.as_bytes());
    let gpx = write(dir, "flood.gpx", points.as_bytes());
    let (code, summary) = import_json(&env, &[tcx.to_str().unwrap(), gpx.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{summary}");
    assert_eq!(outcomes(&summary), ["skipped", "skipped"]);
    for f in summary["files"].as_array().unwrap() {
        assert_eq!(f["reason"], "no activities: nothing was recorded", "{f}");
    }
    assert_eq!(env.activities().len(), 0);
}

#[test]
fn four_imports_of_the_same_files_at_once_store_each_file_once() {
    let env = Env::new();
    let dir = env.dir.path();
    // Files without timestamps (no duplicate rule can catch them) and runs with them.
    let mut files: Vec<PathBuf> = (0..10)
        .map(|i| {
            write(
                dir,
                &format!("untimed{i}.tcx"),
                tcx_without_times(i).as_bytes(),
            )
        })
        .collect();
    files.extend((0..6).map(|i| {
        write(
            dir,
            &format!("timed{i}.fit"),
            &course(i, 5.0 + i as f64, 20.0).to_fit(FitSport::RUN, i as u32 + 1),
        )
    }));
    // Every process takes the files in another order.
    let orders: Vec<Vec<PathBuf>> = (0..4)
        .map(|p| {
            let mut order = files.clone();
            order.rotate_left(p * 4);
            if p % 2 == 1 {
                order.reverse();
            }
            order
        })
        .collect();
    let results: Vec<std::process::Output> = std::thread::scope(|s| {
        let handles: Vec<_> = orders
            .iter()
            .map(|order| {
                let db = env.db();
                s.spawn(move || {
                    std::process::Command::new(assert_cmd::cargo::cargo_bin("kneeguard"))
                        .args(["--db", db.to_str().unwrap(), "--today", "2026-11-22"])
                        .args(["import", "--quiet", "--format", "json"])
                        .args(order)
                        .output()
                        .unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut imported_by: std::collections::HashMap<String, usize> = Default::default();
    for out in &results {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{stderr}");
        let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(summary["inputs"], files.len(), "{summary}");
        for f in summary["files"].as_array().unwrap() {
            let input = f["input"].as_str().unwrap().to_string();
            match f["outcome"].as_str().unwrap() {
                "imported" => *imported_by.entry(input).or_default() += 1,
                "already_imported" => {}
                other => panic!("{input}: {other} in {f}"),
            }
        }
    }
    // Each file imported by exactly one of the processes, and recorded as imported.
    assert_eq!(imported_by.len(), files.len(), "{imported_by:?}");
    assert!(imported_by.values().all(|n| *n == 1), "{imported_by:?}");
    assert_eq!(count_rows(&env.db()), files.len() as i64);
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let outcomes: Vec<String> = conn
        .prepare("SELECT outcome FROM imported_files")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(outcomes, vec!["imported"; files.len()]);
}

/// Runs the import, failing (not hanging) when it takes longer than a minute.
fn import_within_a_minute(env: &Env, args: &[&str]) -> (Option<i32>, Value) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kneeguard"))
        .args(["--db", env.db().to_str().unwrap(), "--today", "2026-11-22"])
        .args(["import", "--quiet", "--format", "json"])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed().as_secs() > 60 {
            child.kill().unwrap();
            panic!("the import of {args:?} did not end");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let summary = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), summary)
}

#[cfg(unix)]
#[test]
fn the_folder_walk_reads_each_real_file_once_and_never_opens_special_files() {
    use std::os::unix::fs::symlink;
    let env = Env::new();
    let root = env.dir.path().join("watch");
    let a = write(
        &root,
        "a.fit",
        &course(1, 8.0, 40.0).to_fit(FitSport::RUN, 1),
    );
    write(
        &root,
        "b.gpx",
        course(2, 6.0, 10.0).to_gpx("b", "running").as_bytes(),
    );
    // Two links back to the folder itself, a link to a file already walked, a link loop
    // through a subfolder, a FIFO, a socket and a device, all with activity names.
    symlink(".", root.join("x")).unwrap();
    symlink(".", root.join("y")).unwrap();
    std::fs::create_dir(root.join("sub")).unwrap();
    symlink(&a, root.join("sub/again.fit")).unwrap();
    symlink("..", root.join("sub/up")).unwrap();
    let fifo = root.join("pipe.fit");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let _socket = std::os::unix::net::UnixListener::bind(root.join("socket.tcx")).unwrap();
    symlink("/dev/zero", root.join("zero.fit")).unwrap();

    let (code, summary) = import_within_a_minute(&env, &[root.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{summary}");
    let by_name = |name: &str| -> Vec<Value> {
        summary["files"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["input"].as_str().unwrap().ends_with(name))
            .cloned()
            .collect()
    };
    assert_eq!(by_name("a.fit").len(), 1, "{summary}");
    assert_eq!(by_name("b.gpx").len(), 1, "{summary}");
    assert_eq!(
        by_name("again.fit").len(),
        0,
        "the same real file: {summary}"
    );
    for (name, kind) in [
        ("pipe.fit", "a FIFO"),
        ("socket.tcx", "a socket"),
        ("zero.fit", "a device"),
    ] {
        let f = &by_name(name)[0];
        assert_eq!(f["outcome"], "skipped", "{f}");
        let reason = f["reason"].as_str().unwrap();
        assert!(
            reason.starts_with(kind) && reason.contains("without opening"),
            "{reason}"
        );
    }
    assert_eq!(summary["inputs"], 5, "{summary}");
    assert_eq!(env.activities().len(), 2);
    // Named on the command line, the link to /dev/zero is refused before a byte is read.
    let zero = root.join("zero.fit");
    let (code, summary) = import_within_a_minute(&env, &[zero.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    assert_eq!(outcomes(&summary), ["skipped"]);
}

#[test]
fn nested_archives_are_capped_cleaned_up_and_too_deep_ones_reported() {
    let env = Env::new();
    let dir = env.dir.path();
    let config = import_config(&env, "max_file_mb = 1");
    let tmp = dir.join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let run = course(1, 5.0, 20.0).to_fit(FitSport::RUN, 1);
    // A nested archive holding 3 MB of zeros, stored uncompressed: the outer deflates it.
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    w.start_file("zeros.fit", stored).unwrap();
    w.write_all(&vec![0u8; 3_000_000]).unwrap();
    let big_inner = w.finish().unwrap().into_inner();
    // Five levels deep, with a run at the bottom.
    let mut deep = zip(&[("run.fit", run.clone())]);
    for level in (1..5).rev() {
        deep = zip(&[(format!("level{level}.zip").as_str(), deep)]);
    }
    let outer = zip(&[
        ("big.zip", big_inner),
        ("deep.zip", deep),
        ("ok.zip", zip(&[("run.fit", run)])),
    ]);
    let path = write(dir, "export.zip", &outer);
    let out = env
        .cmd()
        .env("TMPDIR", &tmp)
        .args([
            "--config",
            config.to_str().unwrap(),
            "import",
            "--format",
            "json",
        ])
        .arg(&path)
        .output()
        .unwrap();
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{summary}");
    let files = summary["files"].as_array().unwrap();
    let labels: Vec<&str> = files.iter().map(|f| f["input"].as_str().unwrap()).collect();
    assert_eq!(files.len(), 3, "{labels:?}");
    assert_eq!(files[0]["outcome"], "failed");
    assert!(
        files[0]["error"]
            .as_str()
            .unwrap()
            .starts_with("a nested archive larger than 1 MB"),
        "{}",
        files[0]
    );
    // deep.zip, level1.zip and level2.zip are the three levels opened.
    assert!(
        labels[1].ends_with("deep.zip:level1.zip:level2.zip:level3.zip"),
        "{labels:?}"
    );
    assert_eq!(files[1]["outcome"], "skipped");
    assert!(files[1]["reason"]
        .as_str()
        .unwrap()
        .starts_with("an archive nested more than 3 levels deep"));
    assert_eq!(files[2]["outcome"], "imported");
    // No temporary copy is left behind, after the error either.
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0);
    let (_, text, _) = import_text(
        &env,
        &["--config", config.to_str().unwrap(), path.to_str().unwrap()],
    );
    assert!(text.contains("nested more than 3 levels deep"), "{text}");
}

#[test]
fn records_no_runner_can_make_are_refused_with_the_reason() {
    let env = Env::new();
    let dir = env.dir.path();
    let tcx = |activities: &str| {
        format!("{TCX_HEAD}<Activities>{activities}</Activities></TrainingCenterDatabase>")
    };
    let activity = |start: &str, end: &str, metres: f64, seconds: f64| {
        format!(
            "<Activity Sport=\"Running\"><Id>{start}</Id><Lap><TotalTimeSeconds>{seconds}</TotalTimeSeconds><DistanceMeters>{metres}</DistanceMeters><Track><Trackpoint><Time>{start}</Time><DistanceMeters>0</DistanceMeters></Trackpoint><Trackpoint><Time>{end}</Time><DistanceMeters>{metres}</DistanceMeters></Trackpoint></Track></Lap></Activity>"
        )
    };
    let fast = write(
        dir,
        "fast.tcx",
        tcx(&activity(
            "2026-10-01T06:00:00Z",
            "2026-10-01T06:02:28Z",
            42_946_000.0,
            148.0,
        ))
        .as_bytes(),
    );
    let long = write(
        dir,
        "long.tcx",
        tcx(&activity(
            "2020-10-01T06:00:00Z",
            "2026-07-27T06:00:00Z",
            10_000.0,
            3600.0,
        ))
        .as_bytes(),
    );
    // The same run with its times moved to another year.
    let dated = |name: &str, year: &str| {
        let gpx = course(0, 8.0, 20.0).to_gpx("x", "running");
        write(dir, name, gpx.replace("2026-", year).as_bytes())
    };
    let future = dated("future.gpx", "2099-");
    let old = dated("old.gpx", "1985-");
    let mixed = write(
        dir,
        "mixed.tcx",
        tcx(&format!(
            "{}{}",
            activity(
                "2026-10-02T06:00:00Z",
                "2026-10-02T06:50:00Z",
                10_000.0,
                3000.0
            ),
            activity(
                "2026-10-03T06:00:00Z",
                "2026-10-03T06:36:00Z",
                20_000.0,
                2160.0
            )
        ))
        .as_bytes(),
    );
    let route = write(
        dir,
        "route.gpx",
        &std::fs::read(fixture("gpx/strava_route_example.gpx")).unwrap(),
    );
    let args: Vec<&str> = [&fast, &long, &future, &old, &mixed, &route]
        .iter()
        .map(|p| p.to_str().unwrap())
        .collect();
    let (code, summary) = import_json(&env, &args);
    assert_eq!(code, Some(1), "{summary}");
    assert_eq!(
        outcomes(&summary),
        ["failed", "failed", "failed", "failed", "imported", "skipped"]
    );
    let files = summary["files"].as_array().unwrap();
    let text = |i: usize, key: &str| files[i][key].as_str().unwrap().to_string();
    assert!(
        text(0, "error").starts_with("refused: 42946.0 km in 2:28 is faster than the world record"),
        "{}",
        files[0]
    );
    assert!(
        text(1, "error").starts_with("refused: a session of 2125.0 days is longer than 8.0 days"),
        "{}",
        files[1]
    );
    assert!(
        text(2, "error").contains("after today (2026-11-22)"),
        "{}",
        files[2]
    );
    assert!(
        text(3, "error").contains("before 1990-01-01"),
        "{}",
        files[3]
    );
    let remarks = files[4]["remarks"].to_string();
    assert!(
        remarks.contains("session 2 refused: 20.0 km in 36:00"),
        "{remarks}"
    );
    assert_eq!(files[4]["ids"].as_array().unwrap().len(), 1);
    assert!(
        text(5, "reason").starts_with("a planned route or course"),
        "{}",
        files[5]
    );
    let stored = env.activities();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["distance_m"], 10_000.0);
}

#[test]
fn names_reach_the_terminal_with_their_control_characters_escaped() {
    let env = Env::new();
    let dir = env.dir.path();
    let forged = "x\u{1b}[2J\nimported   forged.fit  → #99\u{202e}.fit";
    let archive = zip(&[
        (forged, b"not a fit file at all".to_vec()),
        ("ok.fit", course(1, 5.0, 20.0).to_fit(FitSport::RUN, 1)),
    ]);
    let path = write(dir, "names.zip", &archive);
    #[cfg(unix)]
    let on_disk = write(
        dir,
        "run\u{7}\r\n.fit",
        &course(2, 6.0, 20.0).to_fit(FitSport::RUN, 2),
    );
    #[cfg(not(unix))]
    let on_disk = write(
        dir,
        "plain.fit",
        &course(2, 6.0, 20.0).to_fit(FitSport::RUN, 2),
    );
    let (code, text, _) = import_text(&env, &[path.to_str().unwrap(), on_disk.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\r') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(!text.contains('\u{202e}'), "{text:?}");
    assert!(
        !text.lines().any(|l| l.starts_with("imported   forged")),
        "a name forged a line: {text}"
    );
    assert!(
        text.contains(r"x\u{1b}[2J\nimported   forged.fit"),
        "{text}"
    );
    #[cfg(unix)]
    assert!(text.contains(r"run\u{7}\r\n.fit"), "{text}");
    // The stored source is printable too.
    let sources: Vec<String> = env
        .activities()
        .iter()
        .map(|a| a["source"].as_str().unwrap().to_string())
        .collect();
    assert!(
        sources.iter().all(|s| !s.chars().any(char::is_control)),
        "{sources:?}"
    );
}

#[test]
fn stored_names_and_notes_are_printed_escaped_in_every_list() {
    let env = Env::new();
    let dir = env.dir.path();
    let forged = "Run\u{1b}[2J\n│ 2026-01-01 │ forged row";
    let gpx = course(4, 5.0, 20.0).to_gpx(forged, "running");
    let path = write(dir, "named.gpx", gpx.as_bytes());
    env.ok(&["import", path.to_str().unwrap()]);
    let id = env.activity_ids()[0].to_string();
    env.ok(&[
        "pain",
        "add",
        "2",
        "--when",
        "daily",
        "--note",
        "sore\u{1b}]0;title\u{7}",
    ]);
    for args in [
        vec!["activities"],
        vec!["activities", "show", id.as_str()],
        vec!["pain", "list"],
    ] {
        let text = env.ok(&args);
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{args:?}: {text:?}"
        );
        assert!(
            !text
                .lines()
                .any(|l| l.contains("forged row") && !l.contains("Run")),
            "{args:?}: a name forged a line: {text}"
        );
    }
    assert!(env
        .ok(&["activities", "show", id.as_str()])
        .contains(r"Run\u{1b}[2J\n"));
}

#[test]
fn the_summary_counts_in_words_and_says_what_a_duplicate_left_out() {
    let env = Env::new();
    let dir = env.dir.path();
    let config = import_config(&env, "max_file_mb = 1");
    let run = course(3, 10.0, 60.0);
    let fit = write(dir, "run.fit", &run.to_fit(FitSport::RUN, 1));
    let gpx = run.to_gpx("Morning run", "running");
    // The GPX cut short near its end: read up to the cut, still the same run.
    let cut = write(dir, "cut.gpx", &gpx.as_bytes()[..gpx.len() - 300]);
    // 3 MB of zeros in 3 KB of gzip: too large once decompressed.
    let bomb = write(dir, "bomb.fit.gz", &gzip(&vec![0u8; 3_000_000]));
    let c = config.to_str().unwrap();
    import_text(&env, &["--config", c, fit.to_str().unwrap()]);
    let (code, text, _) = import_text(
        &env,
        &["--config", c, cut.to_str().unwrap(), bomb.to_str().unwrap()],
    );
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("nothing imported from this file") && !text.contains("imported the"),
        "{text}"
    );
    assert!(!text.contains("note:"), "{text}");
    assert!(
        text.contains("2 inputs: 0 new activities, 1 duplicate of stored activities, 1 failed."),
        "{text}"
    );
    assert!(
        text.contains("decompressed, it is larger than 1 MB") && !text.contains("damaged gzip"),
        "{text}"
    );
}

#[test]
fn the_warnings_of_an_import_advise_what_check_and_the_plan_do() {
    // Four weeks of pain-free 5 km runs, then a 6 km run that hurt (4/10 after it and the next
    // morning): the knee is amber and the plan cuts. Yesterday's 9 km, imported from a GPX
    // file, is a spike: import advises for it what `check` and `check --since` do, the plan's
    // shorter runs, not the spike rule's own cap.
    let env = Env::new();
    let first = chrono::NaiveDate::from_ymd_opt(2026, 10, 20).unwrap();
    for week in 0..4 {
        for d in [0, 2, 5] {
            let date = (first + Duration::days(7 * week + d)).to_string();
            env.run_on(&date, "5", "30", &[]);
            env.pain_on("1", "after", &date, &[]);
        }
    }
    env.run_on("2026-11-18", "6", "36", &[]);
    env.pain_on("4", "after", "2026-11-18", &[]);
    env.pain_on("4", "morning", "2026-11-19", &[]);
    let start = Utc.with_ymd_and_hms(2026, 11, 21, 7, 0, 0).unwrap();
    let gpx = Course::new(start, 9_000.0, 0.0).to_gpx("Long one", "running");
    let file = write(env.dir.path(), "long.gpx", gpx.as_bytes());
    let (code, summary) = import_json(&env, &[file.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{summary:#}");
    let id = &summary["warnings"][0]["activity_id"];
    assert!(id.is_i64(), "{summary:#}");
    let spike_advice = |warnings: &Value| -> Vec<String> {
        warnings
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["rule"] == "single_run_spike" && w["activity_id"] == *id)
            .map(|w| w["advice"].as_str().unwrap().to_string())
            .collect()
    };
    let imported = spike_advice(&summary["warnings"]);
    assert_eq!(imported.len(), 1, "{summary:#}");
    assert!(imported[0].contains("as your plan does"), "{imported:?}");
    assert_eq!(spike_advice(&env.json(&["check"])), imported);
    assert_eq!(
        spike_advice(&env.json(&["check", "--since", "2026-11-01"])),
        imported
    );
}
