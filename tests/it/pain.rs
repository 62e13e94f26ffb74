//! `kneeguard pain`: logging, linking to runs, editing, and refusing bad input.

use crate::common::Env;
use serde_json::Value;

/// An 8 km run yesterday and a 5 km run today (2026-11-21 and -22), both at 07:00.
fn two_runs(env: &Env) {
    for (date, km, minutes) in [("2026-11-21", "8", "48"), ("2026-11-22", "5", "30")] {
        env.ok(&[
            "add",
            "run",
            "--date",
            date,
            "--time",
            "07:00",
            "--km",
            km,
            "--minutes",
            minutes,
        ]);
    }
}

#[test]
fn pain_is_linked_to_the_right_run() {
    let env = Env::new(); // today 2026-11-22
    two_runs(&env);
    let runs = env.activities();
    let (yesterday, today) = (
        runs[0]["id"].as_i64().unwrap(),
        runs[1]["id"].as_i64().unwrap(),
    );

    let after = env.json(&["pain", "add", "3", "--when", "after", "--side", "left"]);
    assert_eq!(after["activity_id"], today);
    assert_eq!(after["score"], 3);
    assert_eq!(after["when"], "after");
    assert_eq!(after["side"], "left");
    let morning = env.json(&["pain", "add", "2", "--when", "morning", "--time", "07:00"]);
    assert_eq!(
        morning["activity_id"], yesterday,
        "morning pain belongs to the previous day's run"
    );
    // without --when on a day with a run: after
    let default = env.json(&["pain", "add", "1", "--date", "2026-11-21"]);
    assert_eq!(default["when"], "after");
    assert_eq!(default["activity_id"], yesterday);
    // a rest day: daily, no run
    let rest = env.json(&["pain", "add", "0", "--date", "2026-11-19"]);
    assert_eq!(rest["when"], "daily");
    assert_eq!(rest["activity_id"], Value::Null);

    let list = env.json(&["pain", "list"]);
    let dates: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["date"].as_str().unwrap())
        .collect();
    assert_eq!(
        dates,
        ["2026-11-19", "2026-11-21", "2026-11-22", "2026-11-22"]
    );
    let since = env.json(&["pain", "list", "--since", "2026-11-22"]);
    assert_eq!(since.as_array().unwrap().len(), 2);
    let table = env.ok(&["pain", "list"]);
    assert!(
        table.contains("3/10") && table.contains("morning"),
        "{table}"
    );
}

#[test]
fn moving_a_rating_relinks_it_and_only_runs_take_pain() {
    let env = Env::new();
    two_runs(&env);
    env.ok(&[
        "add",
        "cross",
        "--kind",
        "elliptical",
        "--date",
        "2026-11-22",
        "--minutes",
        "30",
    ]);
    let ids: Vec<i64> = env
        .activities()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    let entry = env.json(&["pain", "add", "3", "--when", "after"]);
    assert_eq!(entry["activity_id"], ids[1]);
    let id = entry["id"].as_i64().unwrap().to_string();
    // the next-morning rating belongs to the previous day's run
    let moved = env.json(&["pain", "edit", &id, "--when", "morning"]);
    assert_eq!(moved["activity_id"], ids[0], "{moved}");
    let (_, stderr) = env.fails(2, &["pain", "add", "2", "--run", &ids[2].to_string()]);
    assert!(stderr.contains("not a run"), "{stderr}");
}

#[test]
fn edit_and_delete_change_only_that_entry() {
    let env = Env::new();
    let first = env.json(&["pain", "add", "2", "--when", "daily"]);
    let second = env.json(&["pain", "add", "4", "--when", "daily", "--note", "stairs"]);
    let id = second["id"].as_i64().unwrap().to_string();
    let edited = env.json(&[
        "pain",
        "edit",
        &id,
        "--score",
        "5",
        "--swelling",
        "--date",
        "2026-11-20",
    ]);
    assert_eq!(edited["score"], 5);
    assert_eq!(edited["swelling"], true);
    assert_eq!(edited["date"], "2026-11-20");
    assert_eq!(edited["note"], "stairs");
    env.ok(&["pain", "delete", &first["id"].as_i64().unwrap().to_string()]);
    let list = env.json(&["pain", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["score"], 5);
    let (_, stderr) = env.fails(2, &["pain", "delete", "999"]);
    assert!(stderr.contains("no pain entry #999"), "{stderr}");
}

#[test]
fn impossible_ratings_are_refused_and_change_nothing() {
    let env = Env::new();
    env.ok(&["pain", "add", "1", "--when", "daily"]);
    let cases: &[(&[&str], &str)] = &[
        (&["pain", "add", "11"], "0-10 scale"),
        (&["pain", "add", "-1"], "0-10 scale"),
        (&["pain", "add", "2.5"], "0-10 scale"),
        (&["pain", "add", "3", "--when", "yesterday"], "yesterday"),
        (
            &["pain", "add", "3", "--date", "2026-11-23"],
            "in the future",
        ),
        (&["pain", "add", "3", "--time", "23:00"], "in the future"),
        (&["pain", "add", "3", "--run", "42"], "no such activity"),
        (&["pain", "edit", "1", "--score", "12"], "0-10 scale"),
        (&["pain", "edit", "1"], "nothing to change"),
    ];
    for (args, expected) in cases {
        let (_, stderr) = env.fails(2, args);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    let list = env.json(&["pain", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["score"], 1);
}

#[test]
fn red_pain_and_swelling_say_what_to_do() {
    // The advice after a rating is the guidance `status` shows: its zone and its next session.
    let env = Env::new();
    let out = env.pain_on("4", "daily", "2026-11-21", &[]);
    assert!(out.contains("Knee zone now AMBER"), "{out}");
    let out = env.ok(&["pain", "add", "7", "--when", "daily"]);
    assert!(out.contains("Knee zone now RED: no running."), "{out}");
    assert!(out.contains("red zone"), "{out}");
    let status = env.ok(&["status"]);
    let next = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("Next:"))
            .map(str::to_string)
    };
    assert!(next(&out).is_some(), "{out}");
    assert_eq!(next(&out), next(&status), "{out}\n{status}");
    let out = env.ok(&["pain", "add", "3", "--when", "daily", "--swelling"]);
    assert!(out.contains("physiotherapist"), "{out}");
}

#[test]
fn status_after_red_settled_speaks_of_the_days_since_and_of_thin_evidence() {
    let env = Env::new();
    env.run_on("2026-11-19", "8", "48", &[]);
    env.pain_on("6", "after", "2026-11-19", &[]);
    env.pain_on("1", "daily", "2026-11-20", &[]);
    let status = env.ok(&["status"]);
    let lines: Vec<&str> = status.lines().collect();
    let zone = lines
        .iter()
        .position(|l| l.contains("knee zone"))
        .expect("a zone line");
    assert_eq!(
        lines[zone..zone + 3].join("\n"),
        "Sunday 22 November 2026: knee zone GREEN\n  back from the red zone of 2026-11-19: the \
         knee settled on 2026-11-20, and pain since is at most\n  1/10, within the green zone \
         (0-2) and your ceiling of 2",
        "{status}"
    );
    let longest = lines
        .iter()
        .find(|l| l.trim_start().starts_with("longest run"))
        .expect("a longest-run line");
    assert_eq!(
        longest.trim(),
        "longest run         pain from 8.0 km, cap 7.2 km (not enough data yet)",
        "{status}"
    );
}

#[test]
fn a_rating_links_only_to_the_run_of_its_moment() {
    let env = Env::new();
    env.run_on("2026-10-06", "8", "48", &[]);
    let id = env.activity_ids()[0].to_string();
    let morning =
        |date: &'static str| vec!["pain", "add", "2", "--when", "morning", "--date", date];
    // A morning rating on 10-01 is about 09-30's run: there is none, so no link...
    let early = env.json(&morning("2026-10-01"));
    assert_eq!(early["activity_id"], Value::Null);
    // ...and the run of 10-06 cannot be forced onto it.
    let (_, stderr) = env.fails(2, &[morning("2026-10-01"), vec!["--run", &id]].concat());
    assert!(
        stderr.contains("is on 2026-10-06") && stderr.contains("2026-09-30"),
        "{stderr}"
    );
    let next_morning = env.json(&[morning("2026-10-07"), vec!["--run", &id]].concat());
    assert_eq!(next_morning["activity_id"].as_i64(), id.parse().ok());
    let entry = early["id"].to_string();
    let (_, stderr) = env.fails(2, &["pain", "edit", &entry, "--run", &id]);
    assert!(stderr.contains("2026-10-06"), "{stderr}");
    // `--run` without `--when`: after the run on its day, the next morning the day after.
    for (date, when) in [("2026-10-06", "after"), ("2026-10-07", "morning")] {
        let rating = env.json(&["pain", "add", "1", "--date", date, "--run", &id]);
        assert_eq!(rating["when"], when, "{rating}");
        assert_eq!(rating["activity_id"].as_i64(), id.parse().ok());
    }
}

#[test]
fn dates_before_1990_are_refused() {
    let env = Env::new();
    let (_, stderr) = env.fails(2, &["pain", "add", "2", "--date", "1989-12-31"]);
    assert!(stderr.contains("before 1990-01-01"), "{stderr}");
    let entry = env.json(&["pain", "add", "2", "--date", "2026-11-01"]);
    let (_, stderr) = env.fails(
        2,
        &[
            "pain",
            "edit",
            &entry["id"].to_string(),
            "--date",
            "1066-10-14",
        ],
    );
    assert!(stderr.contains("before 1990-01-01"), "{stderr}");
}
