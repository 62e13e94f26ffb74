//! `plan`, `status` and `check` on histories built with the real binary (`add`, `pain add`,
//! a fixed `--today`): the runners' scenarios of the pain-threshold guard, and whole-output
//! snapshots in km and in mi.

use crate::common::{assert_fits, Env};
use chrono::{Duration, NaiveDate};
use serde_json::Value;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// One run on `date` and the pain that followed (after it, and the next morning when that
/// morning is not after today).
#[derive(Clone, Copy)]
struct Run {
    date: NaiveDate,
    km: f64,
    descent: f64,
    after: u8,
    morning: Option<u8>,
}

fn log(env: &Env, runs: &[Run]) {
    let today = day(&env.today);
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
        let next = r.date + Duration::days(1);
        if let (Some(m), true) = (r.morning, next <= today) {
            env.ok(&[
                "pain",
                "add",
                &m.to_string(),
                "--when",
                "morning",
                "--date",
                &next.to_string(),
                "--time",
                "06:30",
            ]);
        }
    }
}

/// `weeks` weeks of runs on the given weekdays (0 = Monday) with the given distances, ending
/// with the week of Monday `last_monday`.
fn block(
    last_monday: &str,
    weeks: i64,
    days_km: &[(i64, f64)],
    descent: f64,
    after: u8,
) -> Vec<Run> {
    let last = day(last_monday);
    (0..weeks)
        .flat_map(|w| {
            let monday = last - Duration::weeks(weeks - 1 - w);
            days_km
                .iter()
                .map(move |&(d, km)| Run {
                    date: monday + Duration::days(d),
                    km,
                    descent,
                    after,
                    morning: Some(after.min(1)),
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn all_days(plan: &Value) -> Vec<&Value> {
    let mut days: Vec<&Value> = plan["days"].as_array().unwrap().iter().collect();
    if let Some(this) = plan.get("this_week") {
        days.extend(this["days"].as_array().unwrap());
    }
    days
}

fn planned_runs(plan: &Value) -> Vec<&Value> {
    all_days(plan)
        .into_iter()
        .filter(|d| d["status"] == "planned" && (d["kind"] == "run" || d["kind"] == "walk_run"))
        .collect()
}

fn km(v: &Value) -> f64 {
    v["distance_m"].as_f64().unwrap() / 1000.0
}

/// Runs `status`, `plan` and `check` as text in an 80-column terminal and snapshots each.
fn snapshot_all(env: &Env, name: &str, units: &str) {
    for command in ["status", "plan", "check"] {
        let text = env.at_width(80, &[command, "--units", units]);
        insta::assert_snapshot!(format!("{name}-{command}-{units}"), text);
    }
}

/// Six weeks of three easy runs with pain 1/10 after each, ending the week before Monday
/// 2026-11-23; today is Sunday 2026-11-22.
fn steady(env: &Env) {
    log(
        env,
        &block("2026-11-16", 6, &[(1, 6.0), (3, 6.0), (6, 8.0)], 30.0, 1),
    );
}

#[test]
fn steady_green_weeks_progress_about_ten_percent() {
    let env = Env::new();
    steady(&env);
    let plan = env.json(&["plan"]);
    assert_eq!(plan["week_start"], "2026-11-23");
    assert_eq!(plan["zone"], "green");
    assert_eq!(plan["mode"], "progress");
    let days = plan["days"].as_array().unwrap();
    assert_eq!(days.len(), 7);
    assert_eq!(days[4]["kind"], "rest", "Friday is the configured rest day");
    let total = plan["totals"]["run_distance_m"].as_f64().unwrap() / 1000.0;
    assert!(
        (20.0..=22.0).contains(&total),
        "20 km +10% at most: {total}"
    );
    let runs = planned_runs(&plan);
    let sunday = runs
        .iter()
        .find(|d| d["date"] == "2026-11-29")
        .expect("a Sunday long run");
    let longest_easy = runs
        .iter()
        .filter(|d| d["date"] != "2026-11-29")
        .map(|d| km(d))
        .fold(0.0, f64::max);
    assert!(km(sunday) > longest_easy, "the long run stays a long run");
    assert!(km(sunday) <= 8.8, "within 1.1x the 8 km longest");
    assert_eq!(plan["totals"]["strength_days"], 2);
    assert_eq!(plan["see_professional"], false);
    snapshot_all(&env, "steady", "km");
    snapshot_all(&env, "steady", "mi");
}

#[test]
fn red_today_means_no_running_from_today_on_in_status_and_plan_alike() {
    // Six weeks of 8 km runs at pain 1, then Monday's 8 km with pain 7 after; today Tuesday.
    let env = Env::on("2026-11-24");
    let mut runs = block("2026-11-16", 6, &[(0, 8.0), (2, 8.0), (5, 8.0)], 30.0, 1);
    runs.push(Run {
        date: day("2026-11-23"),
        km: 8.0,
        descent: 30.0,
        after: 7,
        morning: None,
    });
    log(&env, &runs);
    let status = env.json(&["status"]);
    assert_eq!(status["zone"]["zone"], "red");
    assert_eq!(status["see_professional"], true);
    let next = &status["next"];
    assert!(
        next["kind"] != "run" && next["kind"] != "walk_run",
        "{next}"
    );
    let this_week = env.json(&["plan", "--week", "2026-11-23"]);
    assert_eq!(this_week["zone"], "red");
    let days = this_week["days"].as_array().unwrap();
    assert_eq!(days[0]["status"], "done");
    assert_eq!(days[0]["kind"], "run");
    assert!(planned_runs(&this_week).is_empty(), "{this_week}");
    // status's next session is the plan's session for that day
    let same = days.iter().find(|d| d["date"] == next["date"]).unwrap();
    assert_eq!(same["kind"], next["kind"]);
    assert_eq!(same["minutes"], next["minutes"]);
    snapshot_all(&env, "red-monday", "km");
    snapshot_all(&env, "red-monday", "mi");
}

#[test]
fn each_run_is_capped_from_its_own_day_not_the_weeks_start() {
    // A 21.1 km race exactly 30 days before Monday 2026-11-23, then 8 km runs: by Sunday the
    // race is out of the window, so Sunday's run is judged against the 8 km runs.
    let env = Env::new();
    let mut runs = block("2026-11-16", 5, &[(1, 8.0), (3, 8.0), (6, 8.0)], 30.0, 1);
    runs.push(Run {
        date: day("2026-10-24"),
        km: 21.1,
        descent: 60.0,
        after: 1,
        morning: Some(1),
    });
    log(&env, &runs);
    let plan = env.json(&["plan"]);
    for d in planned_runs(&plan) {
        assert!(km(d) <= 8.8 + 1e-9, "{d}");
    }
}

#[test]
fn amber_never_raises_volume_and_no_run_is_longer_than_the_ones_that_hurt() {
    // Weeks of 58 km; this week 10 + 6 km at pain 4; today Thursday.
    let env = Env::on("2026-11-26");
    let mut runs = block(
        "2026-11-16",
        4,
        &[(0, 10.0), (1, 8.0), (3, 10.0), (5, 10.0), (6, 20.0)],
        60.0,
        1,
    );
    runs.extend([
        Run {
            date: day("2026-11-23"),
            km: 10.0,
            descent: 60.0,
            after: 4,
            morning: Some(3),
        },
        Run {
            date: day("2026-11-25"),
            km: 6.0,
            descent: 40.0,
            after: 4,
            morning: Some(3),
        },
    ]);
    log(&env, &runs);
    let plan = env.json(&["plan"]);
    assert_eq!(plan["zone"], "amber");
    assert_eq!(plan["mode"], "cut");
    assert!(
        !planned_runs(&plan).is_empty(),
        "amber cuts, it does not stop running"
    );
    for d in planned_runs(&plan) {
        assert!(km(d) <= 6.0, "shorter than the runs that hurt: {d}");
        assert!(
            d["max_descent_m"].as_f64().unwrap() <= 5.0 * km(d) + 1e-9,
            "flat: {d}"
        );
    }
    for week in [&plan, &plan["this_week"]] {
        let total = week["totals"]["run_distance_m"].as_f64().unwrap() / 1000.0;
        assert!(total <= 58.0 * 0.8, "{total}");
    }
    let sunday = plan["days"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["date"] == "2026-12-06");
    assert_eq!(
        sunday.unwrap()["kind"],
        "cross",
        "the long run becomes cross-training"
    );
    snapshot_all(&env, "amber-after-big-weeks", "km");
    snapshot_all(&env, "amber-after-big-weeks", "mi");
}

#[test]
fn the_plan_follows_the_ramp_advice_of_check() {
    // Three weeks of 12 km, then 20 km this week (+67%): check says hold next week at or below
    // this week's distance, or the plan's when that is lower, and the plan does.
    let env = Env::new();
    let mut runs = block("2026-11-09", 3, &[(1, 4.0), (3, 4.0), (6, 4.0)], 20.0, 1);
    runs.extend(block(
        "2026-11-16",
        1,
        &[(0, 4.0), (1, 4.0), (3, 4.0), (5, 4.0), (6, 4.0)],
        20.0,
        1,
    ));
    log(&env, &runs);
    let warnings = env.json(&["check"]);
    let ramp = warnings
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["rule"] == "weekly_ramp")
        .expect("a ramp warning");
    let plan = env.json(&["plan"]);
    let total = plan["totals"]["run_distance_m"].as_f64().unwrap();
    assert!(total <= 20_000.0, "{total}");
    let advised = match total < 20_000.0 {
        true => format!("at or below {:.1} km, as your plan does,", total / 1000.0),
        false => "at or below this week's 20.0 km".to_string(),
    };
    assert!(
        ramp["advice"].as_str().unwrap().contains(&advised),
        "{advised}: {ramp}"
    );
    let codes: Vec<&str> = plan["reason_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"ramp_hold") || codes.contains(&"ramp_cap"),
        "{codes:?}"
    );
}

#[test]
fn a_pain_free_long_run_stays_long_and_six_running_days_stay_six() {
    // Six runs a week (6 and 8 km easy, 14 km on Sunday), all pain-free: the plan keeps six
    // runs, a long run well above the easy ones, and strength shares run days.
    let env = Env::new();
    let week = [(0, 6.0), (1, 8.0), (2, 6.0), (3, 8.0), (5, 6.0), (6, 14.0)];
    log(&env, &block("2026-11-16", 4, &week, 30.0, 0));
    let plan = env.json(&["plan"]);
    let runs = planned_runs(&plan);
    assert_eq!(runs.len(), 6, "{}", plan["reasons"]);
    let sunday = runs.iter().find(|d| d["date"] == "2026-11-29").unwrap();
    let longest_easy = runs
        .iter()
        .filter(|d| d["date"] != "2026-11-29")
        .map(|d| km(d))
        .fold(0.0, f64::max);
    assert!(
        km(sunday) >= 1.25 * longest_easy,
        "{} vs {longest_easy}",
        km(sunday)
    );
    let lr = &plan["thresholds"]["longest_run_m"];
    assert_eq!(
        lr["tolerated_m"], 14_000.0,
        "the long run judged on its own response"
    );
    assert_eq!(plan["totals"]["strength_days"], 2);
}

#[test]
fn a_long_run_after_a_layoff_is_judged_against_the_floor() {
    let env = Env::new();
    log(
        &env,
        &block("2026-08-31", 3, &[(1, 8.0), (6, 10.0)], 30.0, 1),
    );
    env.ok(&[
        "add",
        "run",
        "--date",
        "2026-11-21",
        "--km",
        "20",
        "--minutes",
        "120",
    ]);
    let warnings = env.json(&["check"]);
    let spike = warnings
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["rule"] == "single_run_spike")
        .expect("the 20 km run after ten weeks off is a spike");
    assert_eq!(spike["severity"], "high");
    assert!(spike["message"]
        .as_str()
        .unwrap()
        .contains("no run in the previous 30 days"));
}

#[test]
fn an_implausible_record_is_named_and_left_out_of_the_plan() {
    let env = Env::new();
    steady(&env);
    // 80 km at a slow but possible pace: ten times the longest run, so unusual.
    env.ok(&[
        "add",
        "run",
        "--date",
        "2026-11-21",
        "--km",
        "80",
        "--minutes",
        "600",
    ]);
    let status = env.json(&["status"]);
    let flagged = status["flagged"].as_array().unwrap();
    assert_eq!(flagged.len(), 1, "{status}");
    assert_eq!(flagged[0]["problem"]["code"], "unusual");
    let text = env.ok(&["status"]);
    assert!(text.contains("looks implausible"), "{text}");
    let plan = env.json(&["plan"]);
    let total = plan["totals"]["run_distance_m"].as_f64().unwrap() / 1000.0;
    assert!(total <= 22.0, "the 80 km is no base to build on: {total}");
    let warnings = env.json(&["check"]);
    assert!(warnings
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["rule"] == "implausible_record"));
    assert!(warnings
        .as_array()
        .unwrap()
        .iter()
        .all(|w| w["rule"] != "single_run_spike"));
}

#[test]
fn check_hears_the_knee() {
    let env = Env::new();
    steady(&env);
    env.ok(&["pain", "add", "4", "--when", "daily", "--time", "11:00"]);
    let out = env
        .cmd()
        .args(["check", "--fail-on", "caution"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "amber is a caution");
    env.ok(&[
        "pain",
        "add",
        "3",
        "--when",
        "daily",
        "--time",
        "12:00",
        "--swelling",
    ]);
    let warnings = env.json(&["check"]);
    let knee = warnings
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["rule"] == "knee_pain")
        .unwrap();
    assert_eq!(knee["severity"], "high", "swelling is a high warning");
    assert_eq!(knee["evidence"], "primary");
    let out = env
        .cmd()
        .args(["check", "--fail-on", "high"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn back_from_red_runs_return_through_the_walk_run_ladder() {
    // Swelling on 10 Nov, a calm morning rating on 11 Nov: the ladder starts there, and the five
    // pain-free runs of 12-22 Nov count as its good sessions (two per phase), so phase 3 of 6
    // is under way with one of its two sessions done. The days ahead hold walk-run sessions
    // with a rest day between, no plain run yet.
    let env = Env::new();
    steady(&env);
    env.pain_on("4", "daily", "2026-11-10", &["--swelling"]);
    env.pain_on("1", "daily", "2026-11-12", &[]);
    let status = env.json(&["status"]);
    let ladder = &status["recovery"];
    assert_eq!(ladder["state"], "ladder", "{ladder}");
    assert_eq!(ladder["started"], "2026-11-11", "{ladder}");
    assert_eq!(ladder["sessions"], 5, "{ladder}");
    assert_eq!(
        (ladder["phase"].as_u64(), ladder["good_in_phase"].as_u64()),
        (Some(2), Some(1))
    );
    let plan = env.json(&["plan"]);
    assert_eq!(plan["mode"], "ladder", "{}", plan["reasons"]);
    let runs = planned_runs(&plan);
    assert!(!runs.is_empty());
    assert!(runs.iter().all(|d| d["kind"] == "walk_run"), "{runs:?}");
    let dates: Vec<NaiveDate> = runs
        .iter()
        .map(|d| day(d["date"].as_str().unwrap()))
        .collect();
    assert!(
        dates.windows(2).all(|w| (w[1] - w[0]).num_days() >= 2),
        "{dates:?}"
    );
    // The first session ahead is phase 3's second (a day's `walk_run.phase` counts from 1).
    assert_eq!(
        runs[0]["walk_run"]["phase"].as_u64(),
        Some(3),
        "{}",
        runs[0]
    );
    assert!(runs
        .iter()
        .all(|d| d["walk_run"]["phase"].as_u64().unwrap() >= 3));
    snapshot_all(&env, "back-from-red", "km");
    snapshot_all(&env, "back-from-red", "mi");
}

#[test]
fn miles_speak_miles_everywhere() {
    let env = Env::new();
    steady(&env);
    env.ok(&["pain", "add", "3", "--when", "daily", "--time", "11:00"]);
    for command in ["status", "plan", "check"] {
        let text = env.ok(&[command, "--units", "mi"]);
        for word in [" km", " m ", " m,", " m)", "/km"] {
            assert!(
                !text.contains(word),
                "{command} says {word:?} in miles:\n{text}"
            );
        }
    }
}

#[test]
fn an_empty_database_says_what_to_do() {
    let env = Env::new();
    let (_, err) = env.fails(2, &["status"]);
    assert!(
        err.contains("no database at") && err.contains("kneeguard import"),
        "{err}"
    );
    // An empty database: nothing imported yet.
    let empty = env.dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    env.ok(&["import", empty.to_str().unwrap()]);
    let text = env.ok(&["status"]);
    assert!(text.contains("no pain logged yet"), "{text}");
    assert!(!text.contains("knee zone GREEN"), "{text}");
    assert!(text.contains("kneeguard import"), "{text}");
    let plan = env.json(&["plan"]);
    let total = plan["totals"]["run_distance_m"].as_f64().unwrap();
    assert!(total <= 9_000.0, "{total}");
}

#[test]
fn other_weeks_are_refused_and_the_calendar_holds_the_planned_days() {
    let env = Env::new();
    steady(&env);
    let (_, err) = env.fails(2, &["plan", "--week", "2027-01-04"]);
    assert!(err.contains("plans this week and next"), "{err}");
    let plan = env.json(&["plan", "--week", "2026-11-25"]);
    assert_eq!(plan["week_start"], "2026-11-23");
    let ics = env.dir.path().join("plan.ics");
    let text = env.ok(&["plan", "--ics", ics.to_str().unwrap()]);
    assert!(text.contains("Calendar written"), "{text}");
    let calendar = std::fs::read_to_string(&ics).unwrap();
    assert!(calendar.starts_with("BEGIN:VCALENDAR\r\n") && calendar.ends_with("END:VCALENDAR\r\n"));
    let plan = env.json(&["plan"]);
    let training: Vec<&Value> = all_days(&plan)
        .into_iter()
        .filter(|d| d["kind"] != "rest" && d["status"] == "planned")
        .collect();
    assert!(!training.is_empty());
    assert_eq!(calendar.matches("BEGIN:VEVENT").count(), training.len());
    for d in training {
        let start = format!(
            "DTSTART;VALUE=DATE:{}",
            d["date"].as_str().unwrap().replace('-', "")
        );
        assert!(calendar.contains(&start), "{start}");
    }
    assert!(calendar.lines().all(|l| l.len() <= 76), "folded lines");
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
    assert!(text.contains("not medical advice"));
    let all = env.json(&["demo"]);
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
    for units in ["km", "mi"] {
        let out = env
            .cmd()
            .env("COLUMNS", "80")
            .args(["demo", "--units", units])
            .output()
            .unwrap();
        assert!(out.status.success(), "demo --units {units}");
        let text = String::from_utf8(out.stdout).unwrap();
        // The report goes to a new temporary folder each time.
        let text: String = text
            .lines()
            .map(|l| match l.strip_prefix("The story in charts: ") {
                Some(_) => "The story in charts: [a temporary folder]/kneeguard-report.html",
                None => l,
            })
            .collect::<Vec<_>>()
            .join("\n");
        assert_fits(&text, 80);
        insta::assert_snapshot!(format!("demo-{units}"), text);
    }
    // The demo reads no config file: a broken one changes nothing.
    let broken = env.dir.path().join("broken.toml");
    std::fs::write(&broken, "[general\nunits = 3").unwrap();
    assert_eq!(
        env.json(&["--config", broken.to_str().unwrap(), "demo"]),
        all
    );
}

#[test]
fn every_day_of_a_runner_who_follows_the_plan_status_and_plan_agree() {
    // Three weeks, day by day through the binary: the runner does what the plan says for today
    // and logs 1/10 after each run; each day status's next session is plan's session for it.
    let mut env = Env::on("2026-11-22");
    steady(&env);
    for _ in 0..21 {
        let status = env.json(&["status"]);
        let plan = env.json(&["plan"]);
        let next = &status["next"];
        let same = all_days(&plan)
            .into_iter()
            .find(|d| d["date"] == next["date"])
            .cloned();
        assert_eq!(same.as_ref(), Some(next), "{}", env.today);
        let today = day(&env.today);
        if let Some(d) = all_days(&plan)
            .into_iter()
            .find(|d| d["date"] == env.today.as_str())
        {
            if d["status"] == "planned" && d["kind"] == "run" {
                log(
                    &env,
                    &[Run {
                        date: today,
                        km: km(d),
                        descent: d["max_descent_m"].as_f64().unwrap() * 0.5,
                        after: 1,
                        morning: None,
                    }],
                );
            }
        }
        env.today = (today + Duration::days(1)).to_string();
        env.ok(&["pain", "add", "0", "--when", "morning", "--time", "06:30"]);
    }
}

#[test]
fn status_plan_and_check_fit_60_and_80_columns() {
    // A run on Tuesday that hurt: amber, with warnings, reasons and notes to wrap.
    let env = Env::on("2026-11-26");
    steady(&env);
    env.run_on("2026-11-24", "6", "36", &["--time", "07:00"]);
    env.pain_on("4", "after", "2026-11-24", &["--time", "08:00"]);
    for columns in [60, 80] {
        for command in ["status", "plan", "check"] {
            let text = env.at_width(columns, &[command]);
            if columns == 60 {
                insta::assert_snapshot!(format!("narrow-{command}-60"), text);
            }
        }
    }
}

#[test]
fn a_day_in_the_past_ignores_what_came_after_it() {
    // Runs up to 20 Nov; asked about 10 Nov, status, plan and check see the history as it was
    // then: the later 30 km run is neither a warning nor a done day.
    let env = Env::on("2026-11-20");
    for (date, km) in [
        ("2026-11-03", "8"),
        ("2026-11-06", "8"),
        ("2026-11-18", "30"),
    ] {
        env.run_on(date, km, &(km.parse::<u32>().unwrap() * 6).to_string(), &[]);
    }
    let now = env.json(&["status"]);
    assert!(
        now["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["rule"] == "single_run_spike"),
        "{now}"
    );
    let then = env.json(&["--today", "2026-11-10", "status"]);
    assert!(
        then["warnings"].as_array().unwrap().is_empty(),
        "{}",
        then["warnings"]
    );
    let plan = env.json(&["--today", "2026-11-10", "plan"]);
    assert!(
        all_days(&plan)
            .iter()
            .all(|d| d["status"] != "done" || d["date"].as_str().unwrap() <= "2026-11-10"),
        "{plan}"
    );
}

/// Red pain logged a year ago (the lookback is 26 weeks, and `status` reads 40 weeks of
/// ratings) with only amber since: the knee is still red until a calm rating says it settled,
/// and the calm rating starts the walk-run ladder.
#[test]
fn red_from_a_year_ago_that_never_settled_is_still_red() {
    let env = Env::new();
    env.run_on("2025-11-24", "6", "36", &[]);
    env.pain_on("7", "after", "2025-11-24", &[]);
    env.pain_on("4", "daily", "2025-12-01", &[]);
    env.run_on("2026-11-20", "5", "30", &[]);
    let status = env.json(&["status"]);
    assert_eq!(status["zone"]["zone"], "red", "{status}");
    assert_eq!(status["zone"]["red_since"], "2025-11-24", "{status}");
    assert_eq!(
        status["zone"]["reason_codes"][0]["code"], "not_settled",
        "{status}"
    );
    assert_eq!(status["see_professional"], true);
    let next = &status["next"];
    assert!(
        next["kind"] != "run" && next["kind"] != "walk_run",
        "{next}"
    );

    let logged = env.ok(&["pain", "add", "0", "--when", "daily"]);
    let lines: Vec<&str> = logged.lines().collect();
    assert_eq!(
        lines[..3],
        [
            "Logged pain 0/10 daily on 2026-11-22 as #3.",
            "Knee zone now GREEN: back from red on the walk-run ladder, phase 1 of 6.",
            "",
        ],
        "{logged}"
    );
    assert!(
        lines[3].starts_with("Next: Sun 22 Nov — Walk-run"),
        "{logged}"
    );
    let status = env.json(&["status"]);
    assert_ne!(status["zone"]["zone"], "red", "{status}");
    assert_eq!(status["mode"], "ladder", "{status}");
}

#[test]
fn a_strength_day_gives_each_move_its_name_dose_how_to_and_code() {
    let env = Env::new();
    let demo = env.json(&["demo"]);
    let day = demo["plan"]["days"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["exercises"].as_array().is_some_and(|e| !e.is_empty()))
        .expect("the demo's plan holds a strength day");
    insta::assert_json_snapshot!("demo-strength-day-exercises", day["exercises"]);
}

#[test]
fn the_plan_looks_as_far_back_as_the_spike_window_says() {
    let env = Env::new();
    // Two 5 km runs 82 and 89 days before Sunday 22 Nov, then nothing: inside a 100-day window.
    env.run_on("2026-08-25", "5", "30", &[]);
    env.run_on("2026-09-01", "5", "30", &[]);
    let config = env.dir.path().join("window.toml");
    std::fs::write(&config, "[load]\nspike_window_days = 100\n").unwrap();
    let plan = env.json(&["--config", config.to_str().unwrap(), "plan"]);
    let caps: Vec<&Value> = plan["this_week"]["reason_codes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["code"] == "spike_cap" || r["code"] == "no_reference")
        .collect();
    assert_eq!(
        caps,
        [&serde_json::json!({
            "code": "spike_cap",
            "date": "2026-11-22",
            "cap_m": 5500.0,
            "reference_m": 5000.0,
            "factor": 1.1,
            "window_days": 100
        })],
        "the runs of the window are the reference, not 'no run in the 100 days before'"
    );

    // Runs 19 and 21 days back are outside a 14-day window: the plan starts short, and says
    // which window it looked in.
    std::fs::write(&config, "[load]\nspike_window_days = 14\n").unwrap();
    let short = Env::new();
    short.run_on("2026-11-01", "5", "30", &[]);
    short.run_on("2026-11-03", "5", "30", &[]);
    let c = config.to_str().unwrap();
    let plan = short.json(&["--config", c, "plan"]);
    let starts: Vec<&Value> = plan["this_week"]["reason_codes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["code"] == "no_reference")
        .collect();
    assert_eq!(
        starts,
        [&serde_json::json!({"code": "no_reference", "cap_m": 3000.0, "window_days": 14})]
    );
    let text = short.ok(&["--config", c, "plan"]);
    assert!(
        text.contains("no run in the 14 days before: runs start at 3.0 km at most"),
        "{text}"
    );

    std::fs::write(&config, "[load]\nspike_window_days = 366\n").unwrap();
    let (_, stderr) = env.fails(2, &["--config", config.to_str().unwrap(), "plan"]);
    assert!(
        stderr.contains("spike_window_days must be between 1 and 365"),
        "{stderr}"
    );
}
