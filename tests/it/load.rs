//! `weeks` and `check` on histories built with the real binary's `add`.

use crate::common::Env;
use chrono::{Duration, NaiveDate};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Adds a run on `date` with `km` and `descent` metres.
fn run(env: &Env, date: NaiveDate, km: f64, descent: f64) {
    let minutes = km * 6.0;
    env.ok(&[
        "add",
        "run",
        "--date",
        &date.to_string(),
        "--time",
        "07:00",
        "--km",
        &km.to_string(),
        "--minutes",
        &minutes.to_string(),
        "--descent",
        &descent.to_string(),
    ]);
}

/// Six steady weeks (6, 6, 10 km on Tue/Thu/Sun, flat) ending on Sunday 2026-11-15.
fn steady_block(env: &Env) {
    let first_monday = day("2026-10-05");
    for week in 0..6 {
        let monday = first_monday + Duration::weeks(week);
        run(env, monday + Duration::days(1), 6.0, 20.0);
        run(env, monday + Duration::days(3), 6.0, 20.0);
        run(env, monday + Duration::days(6), 10.0, 30.0);
    }
}

#[test]
fn a_steady_block_then_a_long_run_spike() {
    let env = Env::new(); // today: Sunday 2026-11-22
    steady_block(&env);
    run(&env, day("2026-11-17"), 6.0, 20.0);
    run(&env, day("2026-11-21"), 16.0, 30.0); // 60% over the 10 km longest run

    let weeks = env.json(&["weeks", "--weeks", "8"]);
    let weeks = weeks.as_array().unwrap();
    assert_eq!(weeks.len(), 8);
    assert_eq!(weeks[0]["week_start"], "2026-09-28");
    assert_eq!(weeks[0]["distance_m"], 0.0); // a zero week, not a gap
    let steady = &weeks[6];
    assert_eq!(steady["week_start"], "2026-11-09");
    assert_eq!(steady["runs"], 3);
    assert_eq!(steady["distance_m"], 22000.0);
    assert_eq!(steady["longest_run_m"], 10000.0);
    assert_eq!(steady["descent_m"], 70.0);
    assert_eq!(steady["ramp_pct"], 0.0);
    let acwr = steady["acwr_uncoupled"].as_f64().unwrap();
    assert!(
        (acwr - 1.0).abs() < 1e-9,
        "a constant load gives ACWR 1, got {acwr}"
    );
    let current = &weeks[7];
    assert_eq!(current["distance_m"], 22000.0);
    assert_eq!(current["longest_run_m"], 16000.0);
    assert_eq!(current["partial"], true);

    let warnings = env.json(&["check"]);
    let spike = warnings
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["rule"] == "single_run_spike")
        .unwrap_or_else(|| panic!("no spike in {warnings}"));
    assert_eq!(spike["severity"], "high");
    assert_eq!(spike["date"], "2026-11-21");
    assert_eq!(spike["evidence"], "primary");
    assert!(spike["source"].as_str().unwrap().contains("Frandsen"));
    assert!(
        (spike["values"]["change_pct"].as_f64().unwrap() - 60.0).abs() < 1e-6,
        "{spike}"
    );
    assert!(spike["activity_id"].as_i64().is_some());

    let text = env.ok(&["check"]);
    assert!(
        text.contains("HIGH") && text.contains("60%") && text.contains("do:"),
        "{text}"
    );
    let (_, _) = env.fails(3, &["check", "--fail-on", "high"]);
    let (_, _) = env.fails(3, &["check", "--fail-on", "caution"]);
}

#[test]
fn a_steady_block_raises_nothing() {
    let env = Env::on("2026-11-15");
    steady_block(&env);
    let warnings = env.json(&["check"]);
    assert_eq!(warnings.as_array().unwrap().len(), 0, "{warnings}");
    env.ok(&["check", "--fail-on", "info"]);
    let text = env.ok(&["check"]);
    assert!(text.contains("No load warnings"), "{text}");
    let csv = env.ok(&["check", "--format", "csv"]);
    assert_eq!(
        csv,
        "rule,severity,date,activity_id,message,source,advice\n"
    );
}

#[test]
fn a_hilly_week_after_flat_weeks_raises_descent_warnings() {
    let env = Env::new();
    steady_block(&env);
    run(&env, day("2026-11-17"), 6.0, 150.0);
    run(&env, day("2026-11-19"), 6.0, 160.0);
    run(&env, day("2026-11-22"), 10.0, 320.0);
    let warnings = env.json(&["check"]);
    let rules: Vec<&str> = warnings
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"descent_spike"), "{rules:?}");
    assert!(rules.contains(&"weekly_descent_ramp"), "{rules:?}");
    assert!(
        !rules.contains(&"single_run_spike"),
        "same distances: {rules:?}"
    );
    let weeks = env.json(&["weeks", "--weeks", "2"]);
    assert_eq!(weeks[1]["descent_m"], 630.0);
    assert!((weeks[1]["descent_per_km"].as_f64().unwrap() - 28.636).abs() < 0.01);
}

#[test]
fn import_ends_with_the_warnings_its_runs_raise() {
    use chrono::TimeZone;
    use kneeguard::synth::{fit_writer::FitSport, Course};
    let env = Env::new();
    steady_block(&env);
    let start = chrono::Utc.with_ymd_and_hms(2026, 11, 21, 8, 0, 0).unwrap();
    let path = env.dir.path().join("long.fit");
    std::fs::write(
        &path,
        Course::new(start, 14_200.0, 40.0).to_fit(FitSport::RUN, 9),
    )
    .unwrap();
    let text = env.ok(&["import", path.to_str().unwrap()]);
    assert!(
        text.contains("Warnings raised by the new activities"),
        "{text}"
    );
    assert!(text.contains("42%"), "{text}");
}

#[test]
fn weeks_table_fits_80_columns_and_speaks_miles() {
    let env = Env::new();
    steady_block(&env);
    let table = env.at_width(80, &["weeks"]);
    assert!(table.contains("22.0"), "{table}");
    let miles = env.ok(&["weeks", "--units", "mi"]);
    assert!(miles.contains("13.7"), "{miles}");
    assert!(miles.contains("Desc in ft"), "{miles}");
    let wide_miles = env.ok(&["weeks", "--units", "mi", "--wide"]);
    assert!(
        wide_miles.contains("D/mi") && !wide_miles.contains("D/km"),
        "{wide_miles}"
    );
    let wide = env.ok(&["weeks", "--wide"]);
    assert!(wide.contains("EWMA") && wide.contains("Mono"), "{wide}");
    let csv = env.ok(&["weeks", "--format", "csv"]);
    assert!(csv.starts_with("week_start,runs,distance_m"), "{csv}");
}

#[test]
fn with_no_data_weeks_and_check_say_how_to_start() {
    let env = Env::new();
    // No database yet: an error that says how to start, and no database is created.
    let (_, stderr) = env.fails(2, &["check"]);
    assert!(stderr.contains("kneeguard import"), "{stderr}");
    // A database without activities.
    env.ok(&["add", "run", "--km", "5", "--minutes", "30"]);
    env.ok(&["activities", "delete", "1"]);
    assert!(env.ok(&["check"]).contains("kneeguard import"));
    assert!(env.ok(&["weeks"]).contains("kneeguard import"));
    assert_eq!(env.json(&["check"]).as_array().unwrap().len(), 0);
    assert_eq!(env.json(&["weeks"]).as_array().unwrap().len(), 12);
}

#[test]
fn weeks_json_and_csv_give_measured_numbers_to_three_decimals() {
    // The demo's runs: a GPX run whose distance is summed from its points, descents summed
    // from smoothed altitudes, ramps and ratios of them.
    let env = Env::on("2026-11-18");
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo");
    env.ok(&["import", "--quiet", demo.to_str().unwrap()]);
    let json = env.ok(&["weeks", "--weeks", "3", "--format", "json"]);
    insta::assert_snapshot!("weeks-json-rounded", json);
    let csv = env.ok(&["weeks", "--weeks", "3", "--format", "csv"]);
    insta::assert_snapshot!("weeks-csv-rounded", csv);
}
