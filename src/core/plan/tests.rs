//! Each stage of the planner on its own: the history's references, the week's targets, the
//! day caps, the layout and the strength days. The rules as invariants over whole simulated
//! runners live in `core::sim`.

use super::history::History;
use super::layout::spread;
use super::targets::{week_target, Target};
use super::*;
use crate::core::load::tests::{day, run};
use crate::core::recovery::{recovery, Phase, PHASES};
use crate::core::threshold::estimate;
use crate::core::zone::tests::pain;
use crate::core::zone::{assess, PainSettings};
use crate::model::{PainEntry, PainWhen, Sport};

/// Monday 2026-11-23; today is the Sunday before it.
fn monday() -> NaiveDate {
    day(2026, 11, 23)
}

fn today() -> NaiveDate {
    day(2026, 11, 22)
}

/// Weeks of runs on the given weekdays (0 = Monday) ending with the week before `monday()`,
/// each followed by `after`/10.
fn weeks(n: i64, runs: &[(i64, f64)], after: u8) -> (Vec<Activity>, Vec<PainEntry>) {
    let mut all = Vec::new();
    let mut ratings = Vec::new();
    for w in 0..n {
        let start = shift(monday(), -7 * (n - w));
        for &(d, km) in runs {
            let id = all.len() as i64 + 1;
            let date = shift(start, d);
            let mut r = run(id, date, km * 1000.0);
            r.descent_m = Some(20.0);
            all.push(r);
            ratings.push(pain(id, date, after, PainWhen::After));
        }
    }
    (all, ratings)
}

/// Everything the planner reads, for `today()`.
struct Case {
    activities: Vec<Activity>,
    pain: Vec<PainEntry>,
    plan: PlanSettings,
    pain_settings: PainSettings,
    load: LoadSettings,
}

impl Case {
    fn new((activities, pain): (Vec<Activity>, Vec<PainEntry>)) -> Case {
        Case {
            activities,
            pain,
            plan: PlanSettings::default(),
            pain_settings: PainSettings::default(),
            load: LoadSettings::default(),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&PlanInput<'_>) -> R) -> R {
        let zone = assess(&self.pain, &self.activities, &self.pain_settings, today());
        let recovery = recovery(&self.pain, &self.activities, &self.pain_settings, today());
        let thresholds = estimate(
            &self.activities,
            &self.pain,
            &self.pain_settings,
            &self.load,
            today(),
        );
        let input = PlanInput {
            activities: &self.activities,
            zone: &zone,
            recovery: &recovery,
            thresholds: &thresholds,
            plan: &self.plan,
            pain: &self.pain_settings,
            load: &self.load,
            step_m: 500.0,
            today: today(),
        };
        f(&input)
    }

    fn history(&self) -> History {
        History::new(&self.activities, &self.load, &self.plan, today())
    }

    fn target(&self, week: NaiveDate) -> Target {
        let history = self.history();
        self.with(|input| {
            let mode = Mode::of(input.zone, input.recovery);
            week_target(input, &history, week, week, mode)
        })
    }

    fn weeks(&self) -> [WeekPlan; 2] {
        self.with(plan)
    }
}

fn codes(reasons: &[Reason]) -> Vec<String> {
    reasons
        .iter()
        .map(|r| {
            serde_json::to_value(r).unwrap()["code"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// The minutes of each cross-training day of a week.
fn cross_minutes(w: &WeekPlan) -> Vec<u32> {
    w.days
        .iter()
        .filter(|d| d.kind == DayKind::Cross)
        .filter_map(|d| d.minutes)
        .collect()
}

fn planned_runs(w: &WeekPlan) -> Vec<&PlanDay> {
    w.days
        .iter()
        .filter(|d| d.status == DayStatus::Planned && d.kind.is_running())
        .collect()
}

#[test]
fn the_reference_is_the_longest_run_of_the_30_days_before_that_day_and_not_a_spike() {
    // 8 km runs, an 8.8 km run on 2026-10-24 and a 12 km spike on 2026-11-19.
    let (mut all, _) = weeks(5, &[(1, 8.0), (6, 8.0)], 1);
    all.push(run(100, day(2026, 10, 24), 8_800.0));
    all.push(run(101, day(2026, 11, 19), 12_000.0));
    let history = History::new(
        &all,
        &LoadSettings::default(),
        &PlanSettings::default(),
        today(),
    );
    // Sunday 2026-11-22 still sees the 8.8 km run (29 days before); the spike is no reference.
    assert_eq!(history.reference_run(day(2026, 11, 22)), Some(8_800.0));
    // Monday 2026-11-23 is 30 days after it: out of the whole-day window.
    assert_eq!(history.reference_run(day(2026, 11, 23)), Some(8_000.0));
    assert_eq!(history.reference_run(day(2025, 1, 1)), None);
    assert_eq!(
        history.run_days_habit(monday()),
        3,
        "the week with the spike had three run days"
    );
    assert!(history.four_week_mean(monday()).is_some());
    assert_eq!(
        history.four_week_mean(day(2026, 10, 20)),
        None,
        "history does not cover it"
    );
}

#[test]
fn green_progresses_ten_percent_up_to_the_goal_and_holds_there() {
    let mut case = Case::new(weeks(4, &[(1, 6.0), (3, 6.0), (6, 8.0)], 1));
    let t = case.target(monday());
    assert!((t.target_m - 22_000.0).abs() < 1e-6, "{t:?}");
    assert!(codes(&t.reasons).contains(&"set_a_goal".to_string()));
    case.plan.weekly_goal_km = Some(21.0);
    let t = case.target(monday());
    assert!((t.target_m - 21_000.0).abs() < 1e-6);
    assert!(codes(&t.reasons).contains(&"at_goal".to_string()));
    case.plan.weekly_goal_km = Some(18.0);
    assert!(
        (case.target(monday()).target_m - 18_000.0).abs() < 1e-6,
        "holds at the goal"
    );
}

#[test]
fn green_without_recent_ratings_holds_and_without_runs_starts_gently() {
    let (all, _) = weeks(4, &[(1, 6.0), (3, 6.0), (6, 8.0)], 1);
    let t = Case::new((all, vec![])).target(monday());
    assert!((t.target_m - 20_000.0).abs() < 1e-6, "{t:?}");
    assert_eq!(codes(&t.reasons)[0], "hold_no_recent_pain");
    let t = Case::new((vec![], vec![])).target(monday());
    assert!((t.target_m - 9_000.0).abs() < 1e-6);
    assert_eq!(codes(&t.reasons)[0], "start_gently");
}

#[test]
fn amber_within_the_ceiling_holds_and_above_it_cuts() {
    // 20 km weeks; Sunday's 8 km run hurt at 4/10.
    let (all, mut ratings) = weeks(4, &[(1, 6.0), (3, 6.0), (6, 8.0)], 1);
    ratings.push(pain(900, today(), 4, PainWhen::After));
    let mut case = Case::new((all, ratings));
    let cut = case.target(monday());
    assert!(
        (cut.target_m - 16_000.0).abs() < 1e-6,
        "20 km less 20%: {cut:?}"
    );
    assert_eq!(
        cut.run_cap_m,
        Some(6_400.0),
        "shorter than the 8 km that hurt"
    );
    assert!(cut.flat);
    case.pain_settings.ceiling = 5;
    let hold = case.target(monday());
    assert!((hold.target_m - 20_000.0).abs() < 1e-6, "{hold:?}");
    assert_eq!(hold.run_cap_m, Some(8_000.0));
}

#[test]
fn the_load_under_which_the_pain_arose_leaves_out_that_days_runs_after_a_morning_rating() {
    // 20 km weeks; this Sunday's 4/10 morning rating (a rise from 1) and its 8 km run are
    // logged at the same instant, as entries made by date alone are: the morning came first,
    // so the pain arose under the week's 12 km before Sunday, and the cut is 20% below that.
    let (all, mut ratings) = weeks(4, &[(1, 6.0), (3, 6.0), (6, 8.0)], 1);
    ratings.push(pain(900, today(), 4, PainWhen::Morning));
    let cut = Case::new((all, ratings)).target(monday());
    assert!(
        (cut.target_m - 9_600.0).abs() < 1e-6,
        "12 km less 20%: {cut:?}"
    );
}

#[test]
fn a_finished_week_says_how_it_compares_with_its_target_not_what_does_not_fit() {
    // Sunday's run is logged: the whole week is history. With Thursday's run skipped, it came
    // to 14 km against its target, and it says so rather than "no running day is open".
    let (mut all, ratings) = weeks(4, &[(1, 6.0), (3, 6.0), (6, 8.0)], 1);
    all.retain(|a| crate::core::load::local_date(a) != Some(day(2026, 11, 19)));
    let [this, _] = Case::new((all, ratings)).weeks();
    assert!(this.days.iter().all(|d| d.status == DayStatus::Done));
    let short: Vec<&Reason> = this
        .reasons
        .iter()
        .filter(|r| matches!(r, Reason::ShortOfTarget { .. }))
        .collect();
    assert!(
        matches!(short[..], [Reason::ShortOfTarget { planned_m, target_m }]
            if *planned_m == 14_000.0 && *target_m > 14_500.0),
        "{:?}",
        this.reasons
    );
    for code in ["no_running_days", "strength_short"] {
        assert!(!codes(&this.reasons).contains(&code.to_string()), "{code}");
    }
}

#[test]
fn the_week_stays_within_the_ramp_rule_and_holds_after_a_ramp() {
    // 10 km weeks, then 20 km last week: next week at most last week's 20 km (held), and at
    // most 30% over the four-week mean.
    let (mut all, mut ratings) = weeks(4, &[(1, 5.0), (6, 5.0)], 1);
    for (k, d) in [0, 2, 4, 5].into_iter().enumerate() {
        let id = 200 + k as i64;
        all.push(run(id, shift(monday(), d - 7), 2_500.0));
        ratings.push(pain(id, shift(monday(), d - 7), 1, PainWhen::After));
    }
    let t = Case::new((all, ratings)).target(monday());
    let mean = (10.0 * 3.0 + 20.0) / 4.0;
    assert!(t.target_m <= 1.3 * mean * 1000.0 + 1e-6, "{t:?}");
    assert!(codes(&t.reasons).contains(&"ramp_cap".to_string()));
}

#[test]
fn a_ramp_cap_raised_to_the_floor_says_so() {
    // Weeks of 8 km, then 1 km last week: the ramp rule judges next week against the 5 km
    // floor, not against 1 km.
    let (mut all, ratings) = weeks(4, &[(2, 8.0)], 1);
    all.last_mut().unwrap().distance_m = 1_000.0;
    let t = Case::new((all, ratings)).target(monday());
    let words: Vec<String> = t
        .reasons
        .iter()
        .filter(|r| matches!(r, Reason::RampCap { .. }))
        .map(|r| crate::render::words::reason(r, crate::settings::Units::Km))
        .collect();
    assert_eq!(
        words,
        [
            "the week kept within 6.5 km: at most 30% over the week before (1.0 km, judged \
          against at least 5.0 km), kneeguard's ramp rule"
        ],
        "{t:?}"
    );
}

#[test]
fn a_week_after_a_ramp_is_held_at_its_level() {
    // 10 km weeks, then a 4 km run more last week: 14 km, 40% up, a ramp. Green would build to
    // 15.4 km and the ramp caps allow 14.3 km (30% over the four-week mean of 11 km): the week
    // is held at last week's 14 km.
    let (mut all, mut ratings) = weeks(4, &[(1, 5.0), (6, 5.0)], 1);
    all.push(run(300, shift(monday(), 3 - 7), 4_000.0));
    ratings.push(pain(300, shift(monday(), 3 - 7), 1, PainWhen::After));
    let t = Case::new((all, ratings)).target(monday());
    assert!((t.target_m - 14_000.0).abs() < 1e-6, "{t:?}");
    assert!(
        codes(&t.reasons).contains(&"ramp_hold".to_string()),
        "{t:?}"
    );
}

#[test]
fn a_binding_threshold_caps_the_week() {
    // Pain after a 30 km week; the other weeks pain-free, the last at 26 km: green would build
    // to 28.6 km, the threshold holds it at 27 km (30 km less 10%).
    let w = crate::core::threshold::tests::six_weeks();
    let (all, ratings) = crate::core::threshold::tests::history(&[
        (w[0], 20.0, 20.0, 1, 1),
        (w[1], 20.0, 20.0, 1, 1),
        (w[2], 20.0, 20.0, 1, 1),
        (w[3], 30.0, 20.0, 1, 4),
        (w[4], 25.0, 20.0, 1, 1),
        (w[5], 26.0, 20.0, 1, 1),
    ]);
    let case = Case::new((all, ratings));
    let cap = case.with(|input| input.thresholds.weekly_distance_m.cap_m);
    assert_eq!(cap.map(|c| c.round()), Some(27_000.0), "30 km less 10%");
    let t = case.target(monday());
    assert_eq!(t.target_m.round(), 27_000.0, "{t:?}");
    assert!(
        codes(&t.reasons).contains(&"threshold_cap".to_string()),
        "{t:?}"
    );
    let [_, next] = case.weeks();
    assert!(next.totals.run_distance_m <= 27_000.0 + 1e-6);
}

#[test]
fn a_run_is_capped_from_its_own_day_and_short_references_are_raised() {
    let (all, ratings) = weeks(3, &[(1, 8.0), (6, 8.0)], 1);
    let case = Case::new((all, ratings));
    let history = case.history();
    let target = case.target(monday());
    case.with(|input| {
        let cap = caps::run_cap(input, &history, &target, monday());
        assert!((cap.cap_m - 8_800.0).abs() < 1e-6, "{cap:?}");
        assert!(cap.by_spike_rule);
        // No run in the 30 days before: the default first run.
        let empty = History::new(&[], input.load, input.plan, today());
        let cap = caps::run_cap(input, &empty, &target, monday());
        assert_eq!(cap.cap_m, 3_000.0);
        assert_eq!(cap.reference_m, None);
        // Descent: 1.1x the largest descent of the window, raised to the 50 m floor.
        let budget = caps::descent_budget(input, &history, &target, monday(), 8_000.0, None);
        assert_eq!(budget, 55.0);
        let share = caps::descent_budget(input, &history, &target, monday(), 8_000.0, Some(12.0));
        assert_eq!(share, 10.0, "the week's share, in whole 5 m");
    });
}

#[test]
fn spread_keeps_days_apart() {
    assert_eq!(spread(&[0, 1, 2, 3, 5, 6], &[6], 2), vec![1, 3]);
    assert_eq!(spread(&[0, 1], &[], 5), vec![0, 1]);
    assert!(spread(&[], &[], 3).is_empty());
}

#[test]
fn runs_go_on_available_days_with_a_long_run_and_rest_days_stay_free() {
    let case = Case::new(weeks(4, &[(1, 6.0), (3, 6.0), (6, 8.0)], 1));
    let [this, next] = case.weeks();
    assert!(planned_runs(&this).is_empty(), "this week is done");
    assert_eq!(next.days.len(), 7);
    let runs = planned_runs(&next);
    assert!(runs.len() >= 3, "{runs:?}");
    let friday = &next.days[4];
    assert_eq!(
        (friday.kind, &friday.notes),
        (DayKind::Rest, &vec![DayNote::RestDay])
    );
    let sunday = next.days[6].distance_m.unwrap();
    for d in runs.iter().filter(|d| d.date != next.days[6].date) {
        assert!(d.distance_m.unwrap() < sunday, "{d:?}");
    }
    for d in &runs {
        assert!(
            (d.distance_m.unwrap() / 500.0).fract().abs() < 1e-9,
            "0.5 km steps: {d:?}"
        );
    }
    assert_eq!(next.totals.strength_days, 2);
}

#[test]
fn six_running_days_keep_six_runs_and_strength_shares_them() {
    let case = Case::new(weeks(
        4,
        &[(0, 8.0), (1, 8.0), (2, 8.0), (3, 8.0), (5, 8.0), (6, 8.0)],
        0,
    ));
    let [_, next] = case.weeks();
    assert_eq!(planned_runs(&next).len(), 6);
    assert_eq!(next.totals.strength_days, 2);
    let shared = next
        .days
        .iter()
        .filter(|d| d.notes.contains(&DayNote::StrengthAfter))
        .count();
    assert_eq!(shared, 2);
}

#[test]
fn amber_swaps_the_long_run_for_cross_training_of_the_same_duration() {
    let (all, mut ratings) = weeks(4, &[(1, 6.0), (3, 6.0), (6, 8.0)], 1);
    ratings.push(pain(900, today(), 4, PainWhen::After));
    let [_, next] = Case::new((all, ratings)).weeks();
    assert_eq!(next.mode, Mode::Cut);
    let sunday = &next.days[6];
    assert_eq!(sunday.kind, DayKind::Cross);
    assert!(sunday.notes.contains(&DayNote::ReplacesLongRun));
    let runs = planned_runs(&next);
    let run_minutes = runs[0].minutes.unwrap();
    assert!(
        sunday.minutes.unwrap().abs_diff(run_minutes) <= 5,
        "{sunday:?} vs {run_minutes}"
    );
    for d in runs {
        assert!(d.notes.contains(&DayNote::FlatRoute) && d.notes.contains(&DayNote::AvoidDownhill));
    }
    assert_eq!(next.totals.strength_days, 3);
}

#[test]
fn amber_that_leaves_less_than_one_run_plans_cross_training_on_the_run_days() {
    // Four weeks of running, two weeks off, then amber mornings all of last week: the pain
    // arose with no running before it, so the week's running is cut to nothing.
    let (mut all, mut ratings) = weeks(6, &[(0, 6.0), (3, 6.0), (6, 8.0)], 1);
    let off = shift(monday(), -14);
    all.retain(|a| crate::core::load::local_date(a).is_some_and(|d| d < off));
    ratings.retain(|e| e.date < off);
    for k in 0..7 {
        ratings.push(pain(500 + k, shift(monday(), k - 7), 3, PainWhen::Morning));
    }
    let [_, next] = Case::new((all, ratings)).weeks();
    assert_eq!(next.mode, Mode::Cut);
    assert!(planned_runs(&next).is_empty(), "{:?}", next.days);
    let cross = cross_minutes(&next);
    assert_eq!(cross, [30, 30, 30], "{:?}", next.days);
    let reason = next.reasons.iter().find_map(|r| match r {
        Reason::CrossInsteadOfRuns {
            target_m, sessions, ..
        } => Some((*target_m, *sessions)),
        _ => None,
    });
    assert_eq!(reason, Some((0.0, 3)));
    assert_eq!(
        next.reasons
            .iter()
            .map(|r| crate::render::words::reason(r, crate::settings::Units::Km))
            .find(|w| w.starts_with("amber: the pain arose")),
        Some(
            "amber: the pain arose on 2026-11-16 with no running in the week before it, so \
             running stays out while the knee is amber"
                .to_string()
        )
    );
}

#[test]
fn amber_whose_runs_that_hurt_are_shorter_than_one_run_plans_cross_training_instead() {
    // Three 2 km runs a week, the last one hurting at 4/10: the week is cut to 4.8 km, more
    // than one run, but no run may be as long as the 2 km that hurt, and the least run is 2 km.
    let (all, mut ratings) = weeks(4, &[(1, 2.0), (3, 2.0), (6, 2.0)], 1);
    ratings.push(pain(900, today(), 4, PainWhen::After));
    let [_, next] = Case::new((all, ratings)).weeks();
    assert!(planned_runs(&next).is_empty(), "{:?}", next.days);
    let cross = cross_minutes(&next);
    assert_eq!(cross.len(), 3, "{:?}", next.days);
    assert!(cross.iter().all(|m| *m >= 20), "{cross:?}");
    let words: Vec<String> = next
        .reasons
        .iter()
        .map(|r| crate::render::words::reason(r, crate::settings::Units::Km))
        .filter(|w| w.contains("cross-training session"))
        .collect();
    assert_eq!(
        words,
        [format!(
            "amber: the runs that hurt leave runs of at most 1.6 km, less than one run (2.0 km at \
             least): no running this week, and 3 cross-training sessions of {} min instead",
            cross[0]
        )]
    );
}

#[test]
fn a_cut_week_whose_runs_are_done_does_not_say_no_running_this_week() {
    // Weeks of 5 km on Thursday, Friday and Saturday; this week 2 km on Monday, Tuesday and
    // Wednesday, Wednesday's at 4/10:
    // on Thursday the week's three runs are done, its cut target is not, and the runs that hurt
    // leave none of the least length. The week says nothing of "no running this week" (it ran),
    // nor of cross-training sessions it does not plan.
    let (mut all, mut ratings) = weeks(4, &[(3, 5.0), (4, 5.0), (5, 5.0)], 1);
    let week = day(2026, 11, 16);
    all.retain(|a| crate::core::load::local_date(a).is_some_and(|d| d < week));
    ratings.retain(|e| e.date < week);
    for (id, offset) in [(800, 0), (801, 1), (802, 2)] {
        all.push(run(id, shift(week, offset), 2_000.0));
        ratings.push(pain(
            id,
            shift(week, offset),
            if offset == 2 { 4 } else { 1 },
            PainWhen::After,
        ));
    }
    let [this, _] = plan_on(Case::new((all, ratings)), day(2026, 11, 19));
    assert_eq!(this.mode, Mode::Cut);
    let words: Vec<String> = this
        .reasons
        .iter()
        .map(|r| crate::render::words::reason(r, crate::settings::Units::Km))
        .filter(|w| w.contains("no running this week"))
        .collect();
    assert!(words.is_empty(), "{words:?}");
    assert!(!codes(&this.reasons).contains(&"no_run_fits".to_string()));
}

#[test]
fn red_plans_cross_training_and_the_brisk_walk_that_opens_the_ladder() {
    let (all, mut ratings) = weeks(4, &[(1, 6.0), (3, 6.0), (6, 8.0)], 1);
    ratings.push(pain(900, today(), 7, PainWhen::After));
    let [_, next] = Case::new((all, ratings)).weeks();
    assert_eq!(next.mode, Mode::Rest);
    assert!(planned_runs(&next).is_empty());
    let walk = next
        .days
        .iter()
        .find(|d| d.notes.contains(&DayNote::BriskWalkTest))
        .unwrap();
    assert_eq!(
        (walk.activity.as_deref(), walk.minutes),
        (Some("walk"), Some(30))
    );
    assert!(codes(&next.reasons).contains(&"wait_for_settled".to_string()));
}

#[test]
fn the_ladder_spaces_its_sessions_and_fits_them_to_the_caps() {
    let (all, mut ratings) = weeks(4, &[(1, 6.0), (3, 6.0), (6, 8.0)], 1);
    ratings.push(pain(900, shift(today(), -3), 7, PainWhen::After));
    ratings.push(pain(901, shift(today(), -1), 1, PainWhen::Daily));
    let [_, next] = Case::new((all, ratings)).weeks();
    assert_eq!(next.mode, Mode::Ladder);
    let sessions = planned_runs(&next);
    assert!(sessions.len() >= 2);
    assert!(sessions.iter().all(|d| d.kind == DayKind::WalkRun));
    for pair in sessions.windows(2) {
        assert!((pair[1].date - pair[0].date).num_days() >= 2);
    }
    assert_eq!(sessions[0].walk_run.unwrap().phase, 1);
    // A short cap takes blocks off, never the rest day.
    let (p, d) = layout_fit(PHASES[0], 2_000.0);
    assert!(p.repeats < PHASES[0].repeats && d <= 2_000.0, "{p:?} {d}");
    let (p, _) = layout_fit(PHASES[5], 3_000.0);
    assert!(p.run_min < 30 && p.repeats == 1, "{p:?}");
}

#[test]
fn walk_run_sessions_already_done_count_as_walk_run_not_as_running() {
    // A red 7/10 on Sunday 8 November, calm on the morning of the 17th, then ladder sessions
    // that day and on the 19th: on Friday the 20th they show as walk-run, and the week's totals
    // say so.
    let (mut all, mut ratings) = weeks(4, &[(1, 6.0), (3, 6.0), (6, 8.0)], 1);
    all.retain(|a| crate::core::load::local_date(a).is_some_and(|d| d <= day(2026, 11, 8)));
    ratings.retain(|e| e.date < day(2026, 11, 8));
    ratings.push(pain(900, day(2026, 11, 8), 7, PainWhen::After));
    ratings.push(pain(901, day(2026, 11, 17), 0, PainWhen::Morning));
    for (id, date) in [(910, day(2026, 11, 17)), (911, day(2026, 11, 19))] {
        all.push(run(id, date, 4_300.0));
        ratings.push(pain(id, date, 1, PainWhen::After));
    }
    let [this, _] = plan_on(Case::new((all, ratings)), day(2026, 11, 20));
    assert_eq!(this.mode, Mode::Ladder);
    let done: Vec<(DayKind, String)> = this.days[..4]
        .iter()
        .filter(|d| d.kind != DayKind::Rest && d.kind != DayKind::Strength)
        .map(|d| {
            (
                d.kind,
                crate::render::words::session(d, crate::settings::Units::Km),
            )
        })
        .collect();
    assert_eq!(
        done,
        [
            (DayKind::WalkRun, "Walk-run 4.3 km".to_string()),
            (DayKind::WalkRun, "Walk-run 4.3 km".to_string())
        ]
    );
    let t = &this.totals;
    assert_eq!(t.done_distance_m, 8_600.0);
    assert!(t.walk_run_sessions >= 2, "{t:?}");
    assert_eq!(t.walk_run_distance_m, t.run_distance_m, "{t:?}");
}

fn layout_fit(phase: Phase, cap: f64) -> (Phase, f64) {
    super::layout::fit_session(phase, cap, 360.0).expect("a block fits")
}

#[test]
fn the_routine_progresses_with_the_weeks_it_was_kept_up() {
    let (mut all, ratings) = weeks(6, &[(1, 6.0), (3, 6.0), (6, 8.0)], 1);
    for w in 1..=6 {
        for d in [2, 4] {
            let mut s = run(1000 + w * 10 + d, shift(monday(), d - 7 * w), 0.0);
            s.sport = Sport::Strength;
            all.push(s);
        }
    }
    let [_, next] = Case::new((all, ratings)).weeks();
    let stage = next.reasons.iter().find_map(|r| match r {
        Reason::Strength {
            stage, weeks_kept, ..
        } => Some((*stage, *weeks_kept)),
        _ => None,
    });
    assert_eq!(stage, Some((strength::Stage::Load, 6)));
}

#[test]
fn midweek_next_weeks_routine_keeps_the_stage_of_the_weeks_kept_up() {
    // Six weeks with two sessions each; this week, by Wednesday, one.
    let (mut all, ratings) = weeks(6, &[(1, 6.0), (3, 6.0), (6, 8.0)], 1);
    let sessions = (1..=6)
        .flat_map(|w| [2, 4].map(|d| shift(day(2026, 11, 16), d - 7 * w)))
        .chain([day(2026, 11, 17)]);
    for (i, date) in sessions.enumerate() {
        let mut s = run(1000 + i as i64, date, 0.0);
        s.sport = Sport::Strength;
        all.push(s);
    }
    let stage = |w: &WeekPlan| {
        w.reasons.iter().find_map(|r| match r {
            Reason::Strength {
                stage, weeks_kept, ..
            } => Some((*stage, *weeks_kept)),
            _ => None,
        })
    };
    let [this, next] = plan_on(Case::new((all, ratings)), day(2026, 11, 18));
    let six = Some((strength::Stage::Load, 6));
    assert_eq!((stage(&this), stage(&next)), (six, six));
}

#[test]
fn days_already_past_show_what_was_done() {
    // Today is Wednesday: Monday's run is done, Tuesday was a rest day.
    let (all, ratings) = weeks(4, &[(0, 6.0), (3, 6.0), (6, 8.0)], 1);
    let [this, _] = plan_on(Case::new((all, ratings)), day(2026, 11, 18));
    assert_eq!(this.days[0].status, DayStatus::Done);
    assert_eq!(
        (this.days[0].kind, this.days[0].distance_m),
        (DayKind::Run, Some(6_000.0))
    );
    assert_eq!(
        (this.days[1].status, this.days[1].kind),
        (DayStatus::Done, DayKind::Rest)
    );
    assert!(this.days[2..]
        .iter()
        .all(|d| d.status == DayStatus::Planned));
    assert_eq!(this.totals.done_distance_m, 6_000.0);
}

#[test]
fn strength_already_done_shows_its_minutes_and_counts_among_the_strength_days() {
    // Monday: the run and a strength session; Tuesday: 35 minutes of strength alone.
    let (mut all, ratings) = weeks(4, &[(0, 6.0), (3, 6.0), (6, 8.0)], 1);
    for (id, date, minutes) in [
        (900, day(2026, 11, 16), 20.0),
        (901, day(2026, 11, 17), 35.0),
    ] {
        let mut s = run(id, date, 0.0);
        s.sport = Sport::Strength;
        (s.moving_s, s.elapsed_s) = (minutes * 60.0, minutes * 60.0);
        all.push(s);
    }
    let [this, _] = plan_on(Case::new((all, ratings)), day(2026, 11, 18));
    let (monday, tuesday) = (&this.days[0], &this.days[1]);
    assert_eq!(
        (
            monday.kind,
            monday.has_strength(),
            tuesday.kind,
            tuesday.minutes
        ),
        (DayKind::Run, true, DayKind::Strength, Some(35))
    );
    let units = crate::settings::Units::Km;
    assert_eq!(
        [monday, tuesday].map(|d| crate::render::words::session(d, units)),
        [
            "Run 6.0 km, 20 m descent + strength",
            "Strength and mobility 35 min"
        ]
    );
    let planned = this.days[2..].iter().filter(|d| d.has_strength()).count() as u32;
    assert_eq!(this.totals.strength_days, 2 + planned);
}

/// Four weeks of `runs` (weekday from 0, km), then the week of 2026-11-16 lived a day at a time:
/// each morning the week is planned again, and `act` says what the runner runs of that day's
/// planned run (its weekday and km; `None` skips it).
fn live_a_week(
    runs: &[(i64, f64)],
    plan: PlanSettings,
    act: impl Fn(chrono::Weekday, f64) -> Option<f64>,
) -> Vec<(chrono::Weekday, f64)> {
    let (mut all, mut ratings) = weeks(4, runs, 1);
    let week = day(2026, 11, 16);
    all.retain(|a| crate::core::load::local_date(a).is_some_and(|d| d < week));
    ratings.retain(|e| e.date < week);
    let mut ran = Vec::new();
    for offset in 0..7 {
        let today = shift(week, offset);
        let mut case = Case::new((all.clone(), ratings.clone()));
        case.plan = plan.clone();
        let [this, _] = plan_on(case, today);
        let session = &this.days[offset as usize];
        if session.kind != DayKind::Run {
            continue;
        }
        let planned = session.distance_m.unwrap() / 1000.0;
        if let Some(km) = act(today.weekday(), planned) {
            let id = 1000 + offset;
            all.push(run(id, today, km * 1000.0));
            ratings.push(pain(id, today, 1, PainWhen::After));
            ran.push((today.weekday(), km));
        }
    }
    ran
}

#[test]
fn a_week_followed_day_by_day_keeps_its_runs_apart_and_its_long_run_on_its_day() {
    // Re-planned every morning, the runs still to come keep their distance from those done, and
    // the last one left is the long run, on Sunday.
    use chrono::Weekday::*;
    let three = [(1, 6.0), (3, 6.0), (6, 10.0)];
    let ran = live_a_week(&three, PlanSettings::default(), |_, km| Some(km));
    let longest = ran.iter().map(|(_, km)| *km).fold(0.0, f64::max);
    assert_eq!(ran.last().copied(), Some((Sun, longest)), "{ran:?}");
    let days: Vec<u32> = ran.iter().map(|(d, _)| d.num_days_from_monday()).collect();
    assert!(
        days.len() >= 3 && days.windows(3).all(|w| w[2] - w[0] > 2),
        "three runs on consecutive days: {ran:?}"
    );
    // Running more than planned does not move the long run off its day.
    let more = live_a_week(&three, PlanSettings::default(), |d, km| {
        Some(if d == Sun { km } else { km * 1.3 })
    });
    assert_eq!(more.last().map(|(d, _)| *d), Some(Sun), "{more:?}");
    // A week cut short is not made up in its long run: Sunday stays a long run of the week's
    // share or the long run the runner already does (10 km), not the whole remainder.
    let skipped = live_a_week(&three, PlanSettings::default(), |d, km| {
        (d == Sun || d == Mon || d == Tue).then_some(km)
    });
    let sunday = skipped.iter().find(|(d, _)| *d == Sun).map(|(_, km)| *km);
    assert!(sunday.is_some_and(|km| km <= 10.0), "{skipped:?}");
    // Nor in the easy runs left: a six-run week with Thursday skipped keeps Saturday easy.
    let six = [(0, 5.0), (1, 5.0), (2, 5.0), (3, 5.0), (5, 5.0), (6, 10.0)];
    let no_thursday = live_a_week(&six, PlanSettings::default(), |d, km| {
        (d != Thu).then_some(km)
    });
    let easy_most = no_thursday
        .iter()
        .filter(|(d, _)| *d != Sun)
        .map(|(_, km)| *km)
        .fold(0.0, f64::max);
    assert!(easy_most <= 6.0, "{no_thursday:?}");
    // A long-run day early in the week leaves no second long run for Sunday (four runs a week,
    // 12 km on Sundays until now).
    let wednesday = PlanSettings {
        long_run_day: Wed,
        ..PlanSettings::default()
    };
    let four = [(1, 6.0), (3, 7.0), (5, 5.0), (6, 12.0)];
    let early = live_a_week(&four, wednesday, |_, km| Some(km));
    let long = early.iter().find(|(d, _)| *d == Wed).map(|(_, km)| *km);
    assert!(
        long.is_some_and(|l| early.iter().all(|(d, km)| *d == Wed || *km < l)),
        "{early:?}"
    );
}

/// The plan of this week and the next as `today` sees them, with what came after it removed.
fn plan_on(mut case: Case, today: NaiveDate) -> [WeekPlan; 2] {
    case.activities
        .retain(|a| crate::core::load::local_date(a).is_some_and(|d| d < today));
    case.pain.retain(|e| e.date < today);
    let wednesday = today;
    let zone = assess(&case.pain, &case.activities, &case.pain_settings, wednesday);
    let recovery = recovery(&case.pain, &case.activities, &case.pain_settings, wednesday);
    let thresholds = estimate(
        &case.activities,
        &case.pain,
        &case.pain_settings,
        &case.load,
        wednesday,
    );
    let input = PlanInput {
        activities: &case.activities,
        zone: &zone,
        recovery: &recovery,
        thresholds: &thresholds,
        plan: &case.plan,
        pain: &case.pain_settings,
        load: &case.load,
        step_m: 500.0,
        today: wednesday,
    };
    plan(&input)
}

#[test]
fn settings_round_trip_with_weekday_names() {
    let settings = PlanSettings::default();
    let json = serde_json::to_value(&settings).unwrap();
    assert_eq!(json["rest_days"][0], "friday");
    assert_eq!(json["long_run_day"], "sunday");
    assert_eq!(json["available_days"].as_array().unwrap().len(), 6);
    assert!(json["weekly_goal_km"].is_null());
    let back: PlanSettings = serde_json::from_value(json).unwrap();
    assert_eq!(back, settings);
    let partial: PlanSettings =
        serde_json::from_str(r#"{"rest_days": ["Monday", "thu"], "long_run_day": "sat"}"#).unwrap();
    assert_eq!(partial.rest_days, vec![Weekday::Mon, Weekday::Thu]);
    assert!(serde_json::from_str::<PlanSettings>(r#"{"rest_days": ["someday"]}"#).is_err());
    assert!(serde_json::from_str::<PlanSettings>(r#"{"restdays": []}"#).is_err());
}

#[test]
fn distances_round_down_to_steps_and_finer_below_ten_steps() {
    assert_eq!(floor_step(8_799.0, 500.0), 8_500.0);
    assert_eq!(floor_distance(3_300.0, 500.0), 3_300.0);
    assert_eq!(floor_distance(3_349.0, 500.0), 3_300.0);
    assert_eq!(floor_distance(5_450.0, 500.0), 5_000.0);
    assert_eq!(floor_distance(f64::NAN, 500.0), 0.0);
    assert_eq!(round_minutes(47.0), 45);
}

#[test]
fn a_cap_that_leaves_every_run_too_short_is_not_named_and_the_week_says_it_falls_short() {
    // Three 3 km runs a week with no pain, and a shortest run worth planning of 4 km: the
    // single-run rule allows 3.3 km, so no run is planned. No day is said to be capped at
    // 3.3 km (none holds a run); the week says it comes to nothing rather than its target.
    let mut case = Case::new(weeks(4, &[(1, 3.0), (3, 3.0), (5, 3.0)], 0));
    case.plan.min_run_km = 4.0;
    let [_, next] = case.weeks();
    assert!(planned_runs(&next).is_empty(), "{:?}", next.days);
    let codes = codes(&next.reasons);
    assert!(!codes.contains(&"spike_cap".to_string()), "{codes:?}");
    assert!(codes.contains(&"short_of_target".to_string()), "{codes:?}");
}
