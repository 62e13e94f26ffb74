//! `plan`, `status` and `demo` on histories built with the real binary: the scenarios of the
//! pain-threshold guard.

use crate::common::Env;
use chrono::{Duration, NaiveDate};
use serde_json::Value;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn json(env: &Env, args: &[&str]) -> Value {
    let mut full = args.to_vec();
    full.extend(["--format", "json"]);
    serde_json::from_str(&env.ok(&full)).unwrap()
}

/// One run on `date` and the pain that followed (after it, and the next morning).
struct Run {
    date: NaiveDate,
    km: f64,
    descent: f64,
    after: u8,
    morning: u8,
}

fn log(env: &Env, runs: &[Run]) {
    for r in runs {
        let date = r.date.to_string();
        env.ok(&[
            "add",
            "run",
            "--date",
            &date,
            "--time",
            "07:00",
            "--km",
            &r.km.to_string(),
            "--minutes",
            &(r.km * 6.0).to_string(),
            "--descent",
            &r.descent.to_string(),
        ]);
        env.ok(&[
            "pain",
            "add",
            &r.after.to_string(),
            "--when",
            "after",
            "--date",
            &date,
            "--time",
            "08:30",
        ]);
        let next = (r.date + Duration::days(1)).to_string();
        if r.date < day(&env.today) {
            env.ok(&[
                "pain",
                "add",
                &r.morning.to_string(),
                "--when",
                "morning",
                "--date",
                &next,
                "--time",
                "07:00",
            ]);
        }
    }
}

/// `weeks` weeks of three runs (Tue, Thu, Sun) ending with the week of Monday `last_monday`.
fn block(last_monday: &str, weeks: i64, km: [f64; 3], descent: f64, after: u8) -> Vec<Run> {
    let last = day(last_monday);
    (0..weeks)
        .flat_map(|w| {
            let monday = last - Duration::weeks(weeks - 1 - w);
            [(1, km[0]), (3, km[1]), (6, km[2])].map(|(d, k)| Run {
                date: monday + Duration::days(d),
                km: k,
                descent,
                after,
                morning: after.min(1),
            })
        })
        .collect()
}

fn runs(plan: &Value) -> Vec<&Value> {
    plan["days"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "run")
        .collect()
}

fn has_reason(plan: &Value, words: &str) -> bool {
    plan["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r.as_str().unwrap().contains(words))
}

#[test]
fn steady_green_weeks_progress_gently_and_stay_below_the_threshold() {
    let env = Env::new(); // today: Sunday 2026-11-22
    log(&env, &block("2026-11-16", 6, [6.0, 6.0, 8.0], 30.0, 1));
    let plan = json(&env, &["plan"]);
    assert_eq!(plan["week_start"], "2026-11-23");
    assert_eq!(plan["zone"], "green");
    let days = plan["days"].as_array().unwrap();
    assert_eq!(days.len(), 7);
    assert_eq!(days[4]["date"], "2026-11-27");
    assert_eq!(days[4]["kind"], "rest", "Friday is the configured rest day");
    let total = plan["totals"]["run_distance_m"].as_f64().unwrap();
    let tolerated = plan["thresholds"]["weekly_distance_m"]["tolerated_m"]
        .as_f64()
        .unwrap();
    assert!((tolerated - 20_000.0).abs() < 1.0, "{tolerated}");
    assert!(
        total <= tolerated && total >= 18_000.0,
        "{total} vs {tolerated}"
    );
    for run in runs(&plan) {
        assert!(run["distance_m"].as_f64().unwrap() <= 8_800.0, "{run}");
    }
    assert_eq!(plan["totals"]["strength_days"], 2);
    assert_eq!(plan["see_professional"], false);
    assert!(plan["disclaimer"]
        .as_str()
        .unwrap()
        .contains("not medical advice"));
}

#[test]
fn a_spike_followed_by_amber_pain_cuts_volume_and_swaps_the_long_run() {
    let env = Env::new();
    let mut history = block("2026-11-09", 5, [6.0, 6.0, 8.0], 30.0, 1);
    history.extend([
        Run {
            date: day("2026-11-17"),
            km: 6.0,
            descent: 30.0,
            after: 1,
            morning: 1,
        },
        Run {
            date: day("2026-11-19"),
            km: 6.0,
            descent: 30.0,
            after: 1,
            morning: 1,
        },
        // a 14 km long run, 75% over the 8 km longest: the knee answers with 4/10
        Run {
            date: day("2026-11-22"),
            km: 14.0,
            descent: 60.0,
            after: 4,
            morning: 0,
        },
    ]);
    log(&env, &history);
    let warnings = json(&env, &["check"]);
    assert!(warnings
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["rule"] == "single_run_spike"));
    let plan = json(&env, &["plan"]);
    assert_eq!(plan["zone"], "amber");
    let total = plan["totals"]["run_distance_m"].as_f64().unwrap();
    let tolerated = plan["thresholds"]["weekly_distance_m"]["tolerated_m"]
        .as_f64()
        .unwrap();
    assert!(total < tolerated, "{total} vs {tolerated}");
    let sunday = &plan["days"][6];
    assert_eq!(sunday["kind"], "cross", "the long run is swapped: {sunday}");
    assert!(sunday["minutes"].as_u64().unwrap() >= 40);
    for run in runs(&plan) {
        assert!(run["distance_m"].as_f64().unwrap() <= 8_800.0);
        let notes = run["notes"].to_string();
        assert!(
            notes.contains("flat route") && notes.contains("avoid downhill and stairs"),
            "{notes}"
        );
    }
    let strength = plan["totals"]["strength_days"].as_u64().unwrap();
    assert!((2..=3).contains(&strength), "{strength}");
    let text = env.ok(&["plan"]);
    assert!(
        text.contains("AMBER") && text.contains("Why:") && text.contains("clamshells"),
        "{text}"
    );
}

#[test]
fn red_pain_or_swelling_means_no_running_and_seeing_a_professional() {
    for extra in [&["7"][..], &["3", "--swelling"][..]] {
        let env = Env::new();
        log(&env, &block("2026-11-16", 4, [6.0, 6.0, 8.0], 30.0, 1));
        let mut args = vec!["pain", "add"];
        args.extend_from_slice(extra);
        args.extend(["--when", "daily", "--time", "11:00"]);
        env.ok(&args);
        let plan = json(&env, &["plan"]);
        assert_eq!(plan["zone"], "red", "{extra:?}");
        assert_eq!(plan["totals"]["run_distance_m"], 0.0);
        assert!(runs(&plan).is_empty());
        assert_eq!(plan["see_professional"], true);
        assert!(plan["totals"]["cross_minutes"].as_u64().unwrap() > 0);
        let text = env.ok(&["plan"]);
        assert!(text.contains("physiotherapist"), "{text}");
        let status = json(&env, &["status"]);
        assert_eq!(status["zone"]["zone"], "red");
        assert_eq!(status["see_professional"], true);
    }
}

#[test]
fn pain_after_hilly_weeks_but_not_flat_ones_sets_a_descent_budget() {
    let env = Env::new();
    // flat weeks without pain, hilly weeks with 4/10, and two flat weeks to finish
    let mut history = block("2026-10-12", 2, [6.0, 6.0, 8.0], 20.0, 1);
    history.extend(block("2026-10-26", 1, [6.0, 6.0, 8.0], 250.0, 4));
    history.extend(block("2026-11-02", 1, [6.0, 6.0, 8.0], 20.0, 1));
    history.extend(block("2026-11-09", 1, [6.0, 6.0, 8.0], 250.0, 4));
    history.extend(block("2026-11-16", 1, [6.0, 6.0, 8.0], 20.0, 1));
    log(&env, &history);
    let plan = json(&env, &["plan"]);
    let descent = &plan["thresholds"]["weekly_descent_m"];
    assert!(
        (descent["tolerated_m"].as_f64().unwrap() - 60.0).abs() < 1.0,
        "{descent}"
    );
    assert!(
        (descent["provoking_m"].as_f64().unwrap() - 750.0).abs() < 1.0,
        "{descent}"
    );
    let run_descent = plan["thresholds"]["run_descent_m"]["tolerated_m"]
        .as_f64()
        .unwrap();
    assert!(plan["totals"]["descent_m"].as_f64().unwrap() <= 60.0);
    let runs = runs(&plan);
    assert!(!runs.is_empty());
    for run in runs {
        assert!(
            run["max_descent_m"].as_f64().unwrap() <= run_descent,
            "{run}"
        );
    }
    assert!(has_reason(&plan, "descent"), "{}", plan["reasons"]);
}

#[test]
fn too_little_data_gives_a_conservative_plan_and_says_so() {
    let env = Env::new();
    env.ok(&[
        "add",
        "run",
        "--date",
        "2026-11-20",
        "--km",
        "5",
        "--minutes",
        "30",
    ]);
    let plan = json(&env, &["plan"]);
    assert_eq!(
        plan["thresholds"]["weekly_distance_m"]["confidence"],
        "none"
    );
    assert_eq!(
        plan["thresholds"]["weekly_distance_m"]["tolerated_m"],
        Value::Null
    );
    let total = plan["totals"]["run_distance_m"].as_f64().unwrap();
    assert!(total > 0.0 && total <= 9_000.0, "{total}");
    for run in runs(&plan) {
        assert!(run["distance_m"].as_f64().unwrap() <= 5_500.0);
    }
    assert!(
        has_reason(&plan, "starting floor of 55 m"),
        "{}",
        plan["reasons"]
    );
    let reasons = plan["reasons"].to_string().to_lowercase();
    assert!(
        reasons.contains("pain")
            && (reasons.contains("conservative")
                || reasons.contains("too little")
                || reasons.contains("no pain")),
        "{reasons}"
    );
}

#[test]
fn another_week_and_a_calendar_file() {
    let env = Env::new();
    log(&env, &block("2026-11-16", 3, [5.0, 5.0, 7.0], 30.0, 1));
    let plan = json(&env, &["plan", "--week", "2026-12-02"]);
    assert_eq!(plan["week_start"], "2026-11-30");
    let ics = env.dir.path().join("plan.ics");
    let text = env.ok(&["plan", "--ics", ics.to_str().unwrap()]);
    assert!(text.contains("Calendar written"), "{text}");
    let calendar = std::fs::read_to_string(&ics).unwrap();
    assert!(calendar.starts_with("BEGIN:VCALENDAR\r\n") && calendar.ends_with("END:VCALENDAR\r\n"));
    let plan = json(&env, &["plan"]);
    let training_days: Vec<String> = plan["days"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] != "rest")
        .map(|d| {
            format!(
                "DTSTART;VALUE=DATE:{}",
                d["date"].as_str().unwrap().replace('-', "")
            )
        })
        .collect();
    assert!(!training_days.is_empty());
    assert_eq!(
        calendar.matches("BEGIN:VEVENT").count(),
        training_days.len()
    );
    for start in &training_days {
        assert!(calendar.contains(start.as_str()), "{start} in {calendar}");
    }
    assert!(calendar.lines().all(|l| l.len() <= 76), "folded lines");
}

#[test]
fn status_shows_the_zone_the_thresholds_and_the_next_step() {
    let env = Env::new();
    log(&env, &block("2026-11-16", 4, [6.0, 6.0, 8.0], 30.0, 1));
    let status = json(&env, &["status"]);
    assert_eq!(status["today"], "2026-11-22");
    assert_eq!(status["zone"]["zone"], "green");
    assert_eq!(status["zone"]["latest"]["score"], 1);
    assert_eq!(status["next"]["date"], "2026-11-23");
    assert!(status["thresholds"]["weekly_distance_m"]["tolerated_m"]
        .as_f64()
        .is_some());
    let text = env.ok(&["status"]);
    assert!(
        text.contains("knee zone GREEN") && text.contains("Thresholds:") && text.contains("Next:"),
        "{text}"
    );
}

#[test]
fn the_demo_runs_the_main_job_without_touching_the_users_data() {
    let env = Env::new();
    let text = env.ok(&["demo"]);
    for section in [
        "$ kneeguard weeks",
        "$ kneeguard check",
        "$ kneeguard status",
        "$ kneeguard plan",
    ] {
        assert!(text.contains(section), "{section}");
    }
    assert!(text.contains("18.0"), "the long-run spike week: {text}");
    assert!(text.contains("not medical advice"));
    let all = json(&env, &["demo"]);
    assert_eq!(all["weeks"].as_array().unwrap().len(), 15);
    assert!(all["check"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["rule"] == "descent_spike"));
    assert_eq!(all["plan"]["days"].as_array().unwrap().len(), 7);
    assert_eq!(all["status"]["today"], "2026-11-15");
    assert!(
        !env.db().exists(),
        "the demo must not create the user's database"
    );
    assert!(!env.dir.path().join("home/.local/share/kneeguard").exists());
}
