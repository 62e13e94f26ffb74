//! The runner fixing their data: show, edit, delete (and re-import), undelete, duplicate
//! entries, pain import, export and backup, each as a round trip through the real binary.

use crate::common::{fixture, Env};
use serde_json::Value;

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("json")
}

#[test]
fn an_edit_changes_what_it_names_and_refuses_the_impossible() {
    let env = Env::new();
    // 200 km in six hours is no typo --force can store: no runner can do it.
    let (_, stderr) = env.fails(
        2,
        &[
            "add",
            "run",
            "--date",
            "2026-11-20",
            "--km",
            "200",
            "--minutes",
            "360",
            "--force",
        ],
    );
    assert!(stderr.contains("faster than the world record"), "{stderr}");
    assert!(env.activities().is_empty());
    env.run_on("2026-11-20", "20", "110", &["--time", "07:00"]);
    let id = env.activity_ids()[0].to_string();
    let out = env.ok(&[
        "activities",
        "edit",
        &id,
        "--km",
        "21.1",
        "--descent",
        "180",
        "--note",
        "the watch lost GPS",
        "--date",
        "2026-11-19",
        "--time",
        "06:30",
        "--name",
        "Half",
    ]);
    assert!(out.contains("distance 20.0 km -> 21.1 km"), "{out}");
    let a = &env.activities()[0];
    assert_eq!(a["distance_m"], 21_100.0);
    assert_eq!(a["descent_m"], 180.0);
    assert_eq!(a["descent_estimated"], false);
    assert_eq!(a["note"], "the watch lost GPS");
    assert_eq!(a["name"], "Half");
    assert_eq!(a["local_date"], "2026-11-19");
    assert_eq!(a["start"], "2026-11-19T06:30:00Z");
    assert_eq!(a["moving_s"], 6600.0);

    let (_, stderr) = env.fails(2, &["activities", "edit", &id, "--minutes", "20"]);
    assert!(
        stderr.contains("impossible") && stderr.contains("nothing was changed"),
        "{stderr}"
    );
    let (_, stderr) = env.fails(2, &["activities", "edit", &id, "--km", "1e308"]);
    assert!(
        stderr.contains("1.000e308") && stderr.len() < 200,
        "{stderr}"
    );
    let (_, stderr) = env.fails(2, &["activities", "edit", &id, "--km", "0"]);
    assert!(stderr.contains("a run needs its distance"), "{stderr}");
    assert_eq!(env.activities()[0]["distance_m"], 21_100.0);
    let (_, stderr) = env.fails(2, &["activities", "edit", &id]);
    assert!(stderr.contains("nothing to change"), "{stderr}");
    let (_, stderr) = env.fails(2, &["activities", "edit", "999", "--km", "5"]);
    assert!(stderr.contains("no activity #999"), "{stderr}");

    // --confirm marks the record as real; show says so in JSON.
    env.ok(&["activities", "edit", &id, "--confirm", "--note", ""]);
    let shown = json(&env.ok(&["activities", "show", &id, "--format", "json"]));
    assert_eq!(shown["confirmed"], true);
    assert_eq!(shown["note"], Value::Null);
    assert_eq!(shown["problem"], Value::Null);
}

#[test]
fn show_names_the_doubt_about_an_unusual_run() {
    let env = Env::new();
    for date in ["2026-10-10", "2026-10-20", "2026-11-01"] {
        env.ok(&["add", "run", "--date", date, "--km", "8", "--minutes", "48"]);
    }
    env.run_on("2026-11-15", "80", "600", &[]);
    let id = env.activity_ids()[3].to_string();
    let shown = json(&env.ok(&["activities", "show", &id, "--format", "json"]));
    assert_eq!(shown["problem"]["code"], "unusual", "{shown}");
    let text = env.ok(&["activities", "show", &id]);
    assert!(text.contains("--confirm"), "{text}");
    env.ok(&["activities", "edit", &id, "--confirm"]);
    let shown = json(&env.ok(&["activities", "show", &id, "--format", "json"]));
    assert_eq!(shown["problem"], Value::Null);
}

#[test]
fn a_deleted_import_stays_deleted_until_undeleted() {
    let env = Env::new();
    let file = fixture("fit/Activity.fit");
    let file = file.to_str().unwrap();
    env.ok(&["import", file]);
    let ids = env.activity_ids();
    assert_eq!(ids.len(), 1);
    let id = ids[0].to_string();
    let date = env.activities()[0]["local_date"]
        .as_str()
        .unwrap()
        .to_string();
    env.cmd()
        .args([
            "--today", &date, "pain", "add", "2", "--when", "after", "--date", &date,
        ])
        .assert()
        .success();
    let pain = json(&env.ok(&["pain", "list", "--format", "json"]));
    assert_eq!(pain[0]["activity_id"].as_i64(), Some(ids[0]));

    let out = env.ok(&["activities", "delete", &id]);
    assert!(
        out.contains("stay in the log") && out.contains("undelete"),
        "{out}"
    );
    assert!(env.activities().is_empty());
    let pain = json(&env.ok(&["pain", "list", "--format", "json"]));
    assert_eq!(
        pain[0]["activity_id"],
        Value::Null,
        "the rating is kept, unlinked"
    );

    // Re-importing the file, or a renamed copy of it, leaves it deleted.
    let copy = env.dir.path().join("copy.fit");
    std::fs::copy(file, &copy).unwrap();
    env.ok(&["import", file, copy.to_str().unwrap()]);
    assert!(env.activities().is_empty());
    let deleted = json(&env.ok(&["activities", "deleted", "--format", "json"]));
    assert_eq!(deleted[0]["id"].as_i64(), Some(ids[0]));

    env.ok(&["activities", "undelete", &id]);
    env.ok(&["import", file]);
    assert_eq!(env.activities().len(), 1);
    assert_eq!(
        json(&env.ok(&["activities", "deleted", "--format", "json"])),
        json("[]")
    );

    let (_, stderr) = env.fails(2, &["activities", "delete", "4242"]);
    assert!(
        stderr.contains("no activity #4242") && stderr.contains("nothing was deleted"),
        "{stderr}"
    );
    let (_, stderr) = env.fails(2, &["activities", "undelete", "4242"]);
    assert!(stderr.contains("no deleted activity #4242"), "{stderr}");
    // An id given twice is deleted once.
    let text = env.ok(&["activities", "delete", &id, &id]);
    assert_eq!(text.matches("Deleted activity").count(), 1, "{text}");
    assert!(env.activities().is_empty());
}

#[test]
fn the_same_session_twice_needs_force() {
    let env = Env::new();
    let args = [
        "add",
        "run",
        "--date",
        "2026-11-20",
        "--time",
        "07:00",
        "--km",
        "8",
        "--minutes",
        "46",
    ];
    env.ok(&args);
    let (_, stderr) = env.fails(2, &args);
    assert!(
        stderr.contains("already stored as #1") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(env.activities().len(), 1);
    env.ok(&[&args[..], &["--force"]].concat());
    assert_eq!(env.activities().len(), 2);
    // Another distance at the same time is another session.
    env.run_on("2026-11-20", "5", "46", &["--time", "07:00"]);
    assert_eq!(env.activities().len(), 3);
}

#[test]
fn last_shows_the_newest_only() {
    let env = Env::new();
    for day in 10..16 {
        let date = format!("2026-11-{day}");
        env.ok(&[
            "add",
            "run",
            "--date",
            &date,
            "--km",
            "5",
            "--minutes",
            "30",
        ]);
    }
    let last = json(&env.ok(&["activities", "--last", "2", "--format", "json"]));
    let dates: Vec<&str> = last
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["local_date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, vec!["2026-11-14", "2026-11-15"]);
    let limit = json(&env.ok(&["activities", "--limit", "2", "--format", "json"]));
    assert_eq!(limit, last);
}

#[test]
fn a_pain_diary_imports_once_and_a_bad_row_imports_nothing() {
    let env = Env::new();
    env.run_on("2026-08-11", "5", "30", &["--time", "19:00"]);
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo/pain.csv");
    let rows = std::fs::read_to_string(&demo).unwrap().lines().count() - 1;
    let out = env.ok(&["pain", "import", demo.to_str().unwrap()]);
    assert!(
        out.contains(&format!("Imported {rows} pain ratings")),
        "{out}"
    );
    let log = json(&env.ok(&["pain", "list", "--format", "json"]));
    assert_eq!(log.as_array().unwrap().len(), rows);
    assert_eq!(log[0]["date"], "2026-08-11");
    assert_eq!(log[0]["when"], "after");
    assert_eq!(log[0]["activity_id"], 1, "linked to that evening's run");
    let again = env.ok(&["pain", "import", demo.to_str().unwrap()]);
    assert!(
        again.contains("Imported 0 pain ratings")
            && again.contains(&format!("{rows} were already")),
        "{again}"
    );

    let bad = env.dir.path().join("diary.csv");
    let columns = "the columns are date,time,score,when,side,swelling,note (date and score \
                   required), with a header row";
    for (text, expected) in [
        (
            "date,score,when\n2026-09-01,2,after\n2026-09-02,11,after\n",
            "line 3: pain score \"11\" is not on the 0-10 scale: 0 is no pain, 10 the worst \
             imaginable (whole numbers); nothing was imported"
                .to_string(),
        ),
        (
            "date,score\n1989-12-31,2\n",
            "line 2: date 1989-12-31 is before 1990-01-01: check the year; nothing was imported"
                .to_string(),
        ),
        (
            "date,score,mood\n2026-09-01,2,happy\n",
            format!("line 2: unknown column `mood`; {columns}"),
        ),
        (
            "date,when\n2026-09-01,after\n",
            format!("line 2: no `score` column; {columns}"),
        ),
        (
            "date,score,\n2026-09-01,2,\n",
            format!("line 2: a column without a name in the header (a comma too many?); {columns}"),
        ),
        (
            "date,score\n2026-12-01,2\n",
            "line 2: date 2026-12-01 is in the future (today is 2026-11-22): log pain once you \
             have felt it; nothing was imported"
                .to_string(),
        ),
        (
            "date,score,time\n2026-11-22,2,23:00\n",
            "line 2: time 23:00 today is in the future: log pain once you have felt it; nothing \
             was imported"
                .to_string(),
        ),
        (
            "date,score,side\n2026-09-01,2,middle\n",
            "line 2: side \"middle\" is not one of left, right, both; nothing was imported"
                .to_string(),
        ),
    ] {
        std::fs::write(&bad, text).unwrap();
        let (_, stderr) = env.fails(2, &["pain", "import", bad.to_str().unwrap()]);
        assert_eq!(
            stderr,
            format!("error: {}, {expected}\n", bad.display()),
            "{text}"
        );
    }
    let log_after = json(&env.ok(&["pain", "list", "--format", "json"]));
    assert_eq!(
        log_after.as_array().unwrap().len(),
        rows,
        "nothing of a bad file was stored"
    );
}

#[test]
fn export_holds_everything_and_backup_is_a_working_copy() {
    let env = Env::new();
    env.run_on("2026-11-20", "8", "46", &["--descent", "40"]);
    env.ok(&[
        "add",
        "cross",
        "--kind",
        "elliptical",
        "--date",
        "2026-11-21",
        "--minutes",
        "40",
    ]);
    env.run_on("2026-11-21", "3", "20", &[]);
    env.ok(&[
        "pain",
        "add",
        "2",
        "--when",
        "after",
        "--date",
        "2026-11-20",
    ]);
    env.ok(&["activities", "delete", "3"]);
    let export = json(&env.ok(&["export"]));
    assert_eq!(export["format"], "kneeguard-export");
    assert_eq!(export["version"], 1);
    assert_eq!(
        export["activities"],
        json(&env.ok(&["activities", "--format", "json"]))
    );
    assert_eq!(
        export["pain"],
        json(&env.ok(&["pain", "list", "--format", "json"]))
    );
    assert_eq!(export["deleted"].as_array().unwrap().len(), 1);
    let keys: Vec<&String> = export.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["format", "version", "activities", "pain", "deleted"]);
    let file = env.dir.path().join("export.json");
    env.ok(&["export", "--output", file.to_str().unwrap()]);
    assert_eq!(json(&std::fs::read_to_string(&file).unwrap()), export);
    #[cfg(unix)]
    assert_eq!(crate::common::mode(&file), 0o600);
    env.fails(2, &["export", "--output", file.to_str().unwrap()]);
    let again = env.dir.path().join("again.json");
    let out = env.ok(&["--format", "json", "export", "-o", again.to_str().unwrap()]);
    assert_eq!(
        json(&out),
        serde_json::json!({
            "exported": again.to_str().unwrap(),
            "activities": 2,
            "pain_ratings": 1,
            "deleted": 1,
        })
    );

    // A backup taken while another connection holds an open write transaction.
    let writer = rusqlite::Connection::open(env.db()).unwrap();
    writer
        .execute_batch("BEGIN IMMEDIATE; DELETE FROM pain;")
        .unwrap();
    let copy = env.dir.path().join("backup.sqlite");
    let out = env.ok(&["backup", copy.to_str().unwrap()]);
    writer.execute_batch("ROLLBACK").unwrap();
    assert!(
        out.contains("Backed up 2 activities and 1 pain ratings"),
        "{out}"
    );
    #[cfg(unix)]
    assert_eq!(crate::common::mode(&copy), 0o600);
    let from_copy = json(&env.ok(&["--db", copy.to_str().unwrap(), "export"]));
    assert_eq!(from_copy, export);
    let (_, stderr) = env.fails(2, &["backup", copy.to_str().unwrap()]);
    assert!(stderr.contains("--force"), "{stderr}");
    let out = env.ok(&[
        "--format",
        "json",
        "backup",
        copy.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(
        json(&out),
        serde_json::json!({
            "backup": copy.to_str().unwrap(),
            "activities": 2,
            "pain_ratings": 1,
        })
    );
    let (_, stderr) = env.fails(2, &["backup", env.db().to_str().unwrap(), "--force"]);
    assert!(stderr.contains("the database itself"), "{stderr}");
}
