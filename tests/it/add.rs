//! `kneeguard add` and `activities` on manual entries.

use crate::common::Env;

#[test]
fn manual_sessions_are_listed_with_their_numbers() {
    let env = Env::new();
    env.run_on(
        "2026-11-20",
        "8",
        "46",
        &["--time", "07:30", "--descent", "40"],
    );
    env.ok(&[
        "add",
        "cross",
        "--kind",
        "elliptical",
        "--minutes",
        "40",
        "--date",
        "2026-11-21",
    ]);
    env.ok(&[
        "add",
        "strength",
        "--minutes",
        "25",
        "--note",
        "clamshells, bridges",
    ]);
    env.ok(&[
        "add",
        "run",
        "--mi",
        "5",
        "--minutes",
        "45",
        "--kind",
        "treadmill",
        "--date",
        "2026-11-19",
    ]);
    let list = env.activities();
    assert_eq!(list.len(), 4);
    // oldest first
    assert_eq!(list[0]["sport"], "treadmill_run");
    assert!((list[0]["distance_m"].as_f64().unwrap() - 8046.7).abs() < 0.1);
    assert_eq!(list[1]["sport"], "run");
    assert_eq!(list[1]["distance_m"], 8000.0);
    assert_eq!(list[1]["moving_s"], 2760.0);
    assert_eq!(list[1]["descent_m"], 40.0);
    assert_eq!(list[1]["device_descent_m"], serde_json::Value::Null);
    assert_eq!(list[1]["start"], "2026-11-20T07:30:00Z");
    assert_eq!(list[1]["source"], "manual");
    assert_eq!(list[2]["sport"], "elliptical");
    assert_eq!(list[2]["category"], "cross");
    assert_eq!(list[3]["sport"], "strength");
    assert_eq!(list[3]["note"], "clamshells, bridges");
    assert_eq!(list[3]["local_date"], "2026-11-22");

    let runs = env.ok(&["activities", "--sport", "run", "--format", "json"]);
    let runs: Vec<serde_json::Value> = serde_json::from_str(&runs).unwrap();
    assert_eq!(runs.len(), 2);
    let since = env.ok(&["activities", "--since", "2026-11-21", "--format", "json"]);
    let since: Vec<serde_json::Value> = serde_json::from_str(&since).unwrap();
    assert_eq!(since.len(), 2);
}

#[test]
fn the_table_speaks_the_chosen_units() {
    let env = Env::new();
    env.ok(&[
        "add",
        "run",
        "--km",
        "16.09",
        "--minutes",
        "90",
        "--descent",
        "100",
    ]);
    let km = env.ok(&["activities"]);
    assert!(km.contains("16.1 km") && km.contains("100 m"), "{km}");
    let mi = env.ok(&["activities", "--units", "mi"]);
    assert!(mi.contains("10.0 mi") && mi.contains("328 ft"), "{mi}");
}

#[test]
fn bad_values_are_refused_and_change_nothing() {
    let env = Env::new();
    env.ok(&["add", "run", "--km", "5", "--minutes", "30"]);
    let cases: &[(&[&str], &str)] = &[
        (
            &["add", "run", "--km", "-3", "--minutes", "30"],
            "--km -3 is not a distance",
        ),
        (
            &[
                "--units",
                "mi",
                "add",
                "cross",
                "--kind",
                "ride",
                "--mi",
                "100",
                "--minutes",
                "30",
            ],
            "an average of 200 mph is faster than the sport allows",
        ),
        (
            &["add", "run", "--km", "5", "--minutes", "0"],
            "--minutes 0",
        ),
        (
            &[
                "add",
                "run",
                "--km",
                "5",
                "--minutes",
                "30",
                "--date",
                "2026-11-23",
            ],
            "in the future",
        ),
        (
            &[
                "add",
                "run",
                "--km",
                "5",
                "--minutes",
                "30",
                "--date",
                "22/11/2026",
            ],
            "use YYYY-MM-DD",
        ),
        (
            &[
                "add",
                "run",
                "--km",
                "5",
                "--minutes",
                "30",
                "--descent",
                "-10",
            ],
            "--descent -10",
        ),
        (
            &["add", "run", "--km", "50", "--minutes", "10"],
            "faster than the world record",
        ),
        (
            &["add", "cross", "--kind", "trampoline", "--minutes", "30"],
            "trampoline",
        ),
        (
            &["add", "run", "--km", "NaN", "--minutes", "30"],
            "not a distance",
        ),
    ];
    for (args, expected) in cases {
        let (_, stderr) = env.fails(2, args);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    assert_eq!(env.activities().len(), 1);
}

#[test]
fn a_time_later_today_is_refused() {
    let env = Env::new(); // --today fixes "now" at local noon
    let (_, stderr) = env.fails(
        2,
        &[
            "add",
            "run",
            "--km",
            "5",
            "--minutes",
            "30",
            "--time",
            "18:00",
        ],
    );
    assert!(stderr.contains("in the future"), "{stderr}");
    env.ok(&[
        "add",
        "run",
        "--km",
        "5",
        "--minutes",
        "30",
        "--time",
        "07:00",
    ]);
}

#[test]
fn a_session_today_without_a_time_starts_now() {
    let env = Env::new();
    let before = chrono::Utc::now().timestamp();
    let out = env
        .cmd()
        .env_remove("KNEEGUARD_TODAY")
        .args([
            "add",
            "run",
            "--km",
            "5",
            "--minutes",
            "30",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let after = chrono::Utc::now().timestamp();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let record: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let start = chrono::DateTime::parse_from_rfc3339(record["start"].as_str().unwrap())
        .unwrap()
        .timestamp();
    // The record keeps whole seconds.
    assert!(
        (before - 1..=after).contains(&start),
        "{before} <= {start} <= {after}"
    );
}

#[test]
fn huge_numbers_are_echoed_briefly() {
    let env = Env::new();
    for (flag, value) in [("--km", "1e308"), ("--minutes", "1e308")] {
        let mut args = vec!["add", "run", "--km", "5", "--minutes", "30"];
        let at = args.iter().position(|a| *a == flag).unwrap();
        args[at + 1] = value;
        let (_, stderr) = env.fails(2, &args);
        assert!(stderr.contains("1.000e308"), "{stderr}");
        assert!(stderr.len() < 240, "{} characters: {stderr}", stderr.len());
    }
}

#[test]
fn add_and_edit_accept_the_same_values_and_say_the_same_about_the_rest() {
    let env = Env::new();
    env.ok(&["add", "run", "--km", "5", "--minutes", "30"]);
    for (bad, message) in [
        (
            ["--km", "1001"],
            "--km 1001 is not a distance: give a number from 0 to 1000",
        ),
        (
            ["--mi", "700"],
            "--mi 700 is not a distance: give a number from 0 to 621",
        ),
        (
            ["--minutes", "11521"],
            "--minutes 11521 is not a duration: give the minutes of the session, more than 0 \
             and at most 11520 (eight days)",
        ),
        (
            ["--descent", "20001"],
            "--descent 20001 is not a descent: give the metres of downhill, from 0 to 20000",
        ),
    ] {
        // A good run but for the bad value (--km and --mi are one distance).
        let mut add = vec!["add", "run"];
        for good in [["--km", "5"], ["--minutes", "30"]] {
            let same = good[0] == bad[0] || (good[0] == "--km" && bad[0] == "--mi");
            if !same {
                add.extend(good);
            }
        }
        add.extend(bad);
        let (_, added) = env.fails(2, &add);
        let mut edit = vec!["activities", "edit", "1"];
        edit.extend(bad);
        let (_, edited) = env.fails(2, &edit);
        assert_eq!(added, format!("error: {message}\n"), "add {bad:?}");
        assert_eq!(edited, added, "edit {bad:?}");
    }
    // A two-day race by hand, as an import could bring one.
    env.ok(&[
        "add",
        "run",
        "--km",
        "160",
        "--minutes",
        "2400",
        "--date",
        "2026-11-20",
    ]);
}
