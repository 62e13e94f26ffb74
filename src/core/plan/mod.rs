//! The plan for the days ahead: the rest of this week from today on, and next week — runs,
//! walk-run sessions, cross-training, strength and rest that keep running below the runner's own
//! pain threshold and within kneeguard's own spike and ramp rules (DOMAIN.md §7).
//!
//! The plan is built in named stages, each in its own module: [`history`] (the runner's recent
//! sessions, with the plan's own runs appended as it goes), [`targets`] (the week's distance for
//! the mode the knee is in, and the week-level limits), [`caps`] (each day's run and descent
//! limits), [`layout`] (which days hold which session), [`strength`] (the routine and its days).
//! Its rules are invariants, checked on every day of simulated runners who follow it:
//! no run from a red rating on (running returns through the walk-run ladder); every run within
//! 1.1x the longest run of the 30 days before its own day (at least the 3 km `check` raises
//! short references to); the week within the ramp rule; amber
//! never above the load under which the pain arose, no run longer than the ones that hurt;
//! never above a binding threshold; rest days stay rest days.

pub mod caps;
pub mod history;
pub mod layout;
pub mod strength;
pub mod targets;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::core::load::{shift, week_start_of, weekday_names, LoadSettings};
use crate::core::recovery::{Ladder, Recovery, SessionOutcome};
use crate::core::threshold::{Dimension, Thresholds};
use crate::core::zone::{PainSettings, Zone, ZoneAssessment};
use crate::model::Activity;
use strength::{Exercise, Stage};

/// How the planner lays out a week. Every field can be changed in the config file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlanSettings {
    /// Weekdays the runner can run (DOMAIN.md §7: respect the runner's available days;
    /// kneeguard's default: every day but Friday, the rest day).
    #[serde(with = "weekday_names::many")]
    pub available_days: Vec<Weekday>,
    /// Weekdays always kept free of training (DOMAIN.md §7: rest days stay rest days;
    /// kneeguard's default: Friday).
    #[serde(with = "weekday_names::many")]
    pub rest_days: Vec<Weekday>,
    /// The day of the long run (kneeguard's default: Sunday).
    #[serde(with = "weekday_names::one")]
    pub long_run_day: Weekday,
    /// The weekly running distance to build up to and then hold, in kilometres (DOMAIN.md §7:
    /// up to the runner's goal, then hold). Unset: keep progressing gently.
    pub weekly_goal_km: Option<f64>,
    /// Preferred cross-training, in order of preference, as sport names (DOMAIN.md §7: cycling,
    /// elliptical, pool running, swimming, rowing; kneeguard's default: elliptical, indoor ride,
    /// pool run).
    pub cross_training: Vec<String>,
    /// Strength days in a green week (kneeguard's choice: 2).
    pub strength_days: u32,
    /// Strength days in an amber or red week and on the walk-run ladder (DOMAIN.md §7: 2-3
    /// strength days; kneeguard's choice: 3).
    pub amber_strength_days: u32,
    /// No planned run longer than this times the longest run of the 30 days before its day
    /// (Frandsen et al. 2025, BJSM 59:1203: runs more than 10% over it carry more injuries).
    /// Never above the smallest spike band of `[load]`.
    pub max_long_run_factor: f64,
    /// The long run's share of the week's distance when it is built (DOMAIN.md §7: about a
    /// third); a long run the runner already does is kept up to 40% of the week.
    pub long_run_share: f64,
    /// Weekly progression in percent in a green week (DOMAIN.md §7: about 10%; Buist et al.
    /// 2008 found the 10% rule alone prevents nothing, so pain and the spike rule steer it).
    pub green_progression_pct: f64,
    /// Volume cut in percent in an amber week whose pain went above the ceiling (kneeguard's
    /// choice: 20%); amber pain within the ceiling holds the load instead.
    pub amber_cut_pct: f64,
    /// The week's distance in kilometres for a runner with no runs in the last 4 weeks
    /// (kneeguard's choice: 9 km, three runs of 3 km).
    pub default_start_km: f64,
    /// The longest run in kilometres when there is no run in the last 30 days to compare with
    /// (kneeguard's choice: 3 km).
    pub default_run_km: f64,
    /// Runs are not planned shorter than this, in kilometres (kneeguard's choice: 2 km).
    pub min_run_km: f64,
    /// A descent budget at or below this many metres per kilometre is a flat route (kneeguard's
    /// choice: 5 m/km; DOMAIN.md §5: avoid downhill and stairs until pain is at most 2/10).
    pub flat_descent_per_km: f64,
    /// The pace in seconds per kilometre used for durations when the runner has no recent runs
    /// with moving time (kneeguard's choice: 6:30/km).
    pub default_pace_s_per_km: f64,
    /// Cross-training sessions in a red week (kneeguard's choice: 3).
    pub red_cross_sessions: u32,
}

impl Default for PlanSettings {
    fn default() -> Self {
        PlanSettings {
            available_days: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Sat,
                Weekday::Sun,
            ],
            rest_days: vec![Weekday::Fri],
            long_run_day: Weekday::Sun,
            weekly_goal_km: None,
            cross_training: vec![
                "elliptical".to_string(),
                "indoor_ride".to_string(),
                "pool_run".to_string(),
            ],
            strength_days: 2,
            amber_strength_days: 3,
            max_long_run_factor: 1.1,
            long_run_share: 1.0 / 3.0,
            green_progression_pct: 10.0,
            amber_cut_pct: 20.0,
            default_start_km: 9.0,
            default_run_km: 3.0,
            min_run_km: 2.0,
            flat_descent_per_km: 5.0,
            default_pace_s_per_km: 390.0,
            red_cross_sessions: 3,
        }
    }
}

/// How the days ahead are planned, from the knee's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Green: progress gently below the threshold.
    Progress,
    /// Amber within the ceiling and settling overnight: hold the load.
    Hold,
    /// Amber above the ceiling or a morning rise: cut, shorter and flatter runs.
    Cut,
    /// Red: no running.
    Rest,
    /// Back from red on the walk-run ladder.
    Ladder,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Progress => "progress",
            Mode::Hold => "hold",
            Mode::Cut => "cut",
            Mode::Rest => "rest",
            Mode::Ladder => "ladder",
        }
    }

    /// The mode for today's zone and recovery state.
    pub fn of(zone: &ZoneAssessment, recovery: &Recovery) -> Mode {
        match recovery {
            Recovery::Resting { .. } => return Mode::Rest,
            Recovery::Ladder(_) => return Mode::Ladder,
            Recovery::None => {}
        }
        match (&zone.zone, &zone.amber) {
            (Zone::Red, _) => Mode::Rest,
            (Zone::Amber, Some(a)) if a.acceptable => Mode::Hold,
            (Zone::Amber, _) => Mode::Cut,
            (Zone::Green, _) => Mode::Progress,
        }
    }

    fn strength_heavy(self) -> bool {
        self != Mode::Progress
    }
}

/// What a day of the plan holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Run,
    /// A walk-run session of the ladder back from red.
    WalkRun,
    Cross,
    Strength,
    Rest,
}

impl DayKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Run => "run",
            DayKind::WalkRun => "walk_run",
            DayKind::Cross => "cross",
            DayKind::Strength => "strength",
            DayKind::Rest => "rest",
        }
    }

    /// A day that puts running load on the knee.
    pub fn is_running(self) -> bool {
        matches!(self, DayKind::Run | DayKind::WalkRun)
    }
}

/// Whether a day is history or advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayStatus {
    /// Before today (or today, once something is logged): what was done.
    Done,
    /// Today on: what to do.
    Planned,
}

/// The walk / run blocks of a ladder session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WalkRun {
    /// 1-based phase of `phases`.
    pub phase: u32,
    pub phases: u32,
    pub walk_min: u32,
    pub run_min: u32,
    pub repeats: u32,
}

/// A note on one day; `render` writes it in the runner's units.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum DayNote {
    EasyPace,
    LongRunEasy,
    FlatRoute,
    AvoidDownhill,
    MaxDescent {
        descent_m: f64,
    },
    /// Stop or walk if pain goes above the ceiling.
    StopAbove {
        ceiling: u8,
    },
    /// A 5-10% higher cadence where pain persists (Esculier et al. 2018).
    Cadence {
        min_pct: u32,
        max_pct: u32,
    },
    LevelGround,
    StrengthAfter,
    ReplacesLongRun,
    ReplacesHilliest,
    EasyPainFree,
    /// Walk briskly for 30 minutes: pain-free and without swelling, the ladder can start.
    BriskWalkTest,
    StrengthRoutine,
    RestDay,
    EasyDay,
}

/// One day of the plan. The field names are a stable JSON interface.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanDay {
    pub date: NaiveDate,
    pub status: DayStatus,
    pub kind: DayKind,
    /// The run's distance in metres (planned, or done); `null` on other days.
    pub distance_m: Option<f64>,
    /// The run's descent budget in metres (or the descent done); `null` on other days.
    pub max_descent_m: Option<f64>,
    /// Duration: the run at the runner's recent pace, the cross-training session, the walk-run
    /// session or the strength routine; `null` on rest days.
    pub minutes: Option<u32>,
    /// The cross-training kind (a sport name such as `elliptical`); `null` on other days.
    pub activity: Option<String>,
    /// The walk / run blocks of a ladder session.
    pub walk_run: Option<WalkRun>,
    /// The strength routine, on strength days and on sessions that carry it.
    pub exercises: Vec<Exercise>,
    pub notes: Vec<DayNote>,
}

impl PlanDay {
    /// Whether the day holds strength work: its routine when planned, a logged session (on
    /// its own or beside a run or cross-training) when done.
    pub fn has_strength(&self) -> bool {
        !self.exercises.is_empty()
            || self.kind == DayKind::Strength
            || self.notes.contains(&DayNote::StrengthRoutine)
    }

    pub(crate) fn new(date: NaiveDate, status: DayStatus, kind: DayKind) -> PlanDay {
        PlanDay {
            date,
            status,
            kind,
            distance_m: None,
            max_descent_m: None,
            minutes: None,
            activity: None,
            walk_run: None,
            exercises: Vec::new(),
            notes: Vec::new(),
        }
    }
}

/// The week's totals. The field names are a stable JSON interface.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanTotals {
    /// Running distance of the week: done and planned.
    pub run_distance_m: f64,
    /// The part already run.
    pub done_distance_m: f64,
    /// The walk-run sessions planned in the week, and their distance walking included (part
    /// of `run_distance_m`: the ladder's sessions are timed, not run throughout).
    pub walk_run_sessions: u32,
    pub walk_run_distance_m: f64,
    /// Descent: done, plus the planned runs' budgets.
    pub descent_m: f64,
    pub cross_minutes: u32,
    /// Days that carry the strength routine.
    pub strength_days: u32,
}

/// What replaced a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Replaced {
    LongRun,
    Hilliest,
}

/// Why the week looks the way it does, with the numbers; `render` writes the words.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// No runs in the last 4 weeks: a gentle start.
    StartGently { week_m: f64 },
    /// Green: this much over the recent level.
    Progress {
        target_m: f64,
        base_m: f64,
        pct: f64,
    },
    /// At the configured goal: holding.
    AtGoal { goal_m: f64 },
    /// Progressing without a goal: set `[plan] weekly_goal_km`.
    SetAGoal,
    /// Green but no rating in the last days: holding until the knee's response is known.
    HoldNoRecentPain { base_m: f64, days: u32 },
    /// Amber within the ceiling: hold the load under which the pain arose.
    AmberHold { cap_m: f64, arose: NaiveDate },
    /// Amber above the ceiling: cut below the load under which the pain arose.
    AmberCut {
        target_m: f64,
        cap_m: f64,
        pct: f64,
        arose: NaiveDate,
    },
    /// Amber: no run longer than the runs that hurt.
    AmberRuns { cap_m: f64 },
    /// Red: no running.
    Rest,
    /// Red until a calm rating; then the walk-run ladder.
    WaitForSettled { since: NaiveDate },
    /// On the ladder.
    Ladder {
        phase: u32,
        phases: u32,
        good_in_phase: u32,
        needed: u32,
        last: Option<SessionOutcome>,
    },
    /// The ladder is projected to finish: green rules from here.
    LadderComplete,
    /// A binding threshold keeps the week or the runs below where pain starts.
    ThresholdCap {
        dimension: Dimension,
        cap_m: f64,
        provoking_m: f64,
        retests: u32,
    },
    /// The week within the ramp rule (over the previous week, or the mean of the four before).
    RampCap {
        cap_m: f64,
        reference_m: f64,
        pct: f64,
        four_weeks: bool,
        /// A smaller reference is raised to this before the rule is applied.
        floor_m: f64,
    },
    /// The week before rose past the ramp rule: hold at or below it.
    RampHold { week_m: f64 },
    /// A run capped by the single-run rule against the longest run of the spike window (the
    /// `window_days` before it).
    SpikeCap {
        date: NaiveDate,
        cap_m: f64,
        reference_m: f64,
        factor: f64,
        window_days: u32,
    },
    /// No run in the spike window's `window_days` before: runs start short.
    NoReference { cap_m: f64, window_days: u32 },
    /// The week's descent budget, and what bounds the descent of each run.
    DescentBudget { week_m: f64, per_run_m: f64 },
    /// Flat routes while the knee is amber or back from red.
    FlatRoutes { per_km: f64 },
    /// This week's distance is already run.
    WeekReached { done_m: f64, target_m: f64 },
    /// Less than the target fits under the per-run caps on the days left.
    ShortOfTarget { planned_m: f64, target_m: f64 },
    /// Amber cut the week's running below one run: cross-training takes the runs' days.
    CrossInsteadOfRuns {
        target_m: f64,
        min_run_m: f64,
        sessions: u32,
        minutes: u32,
    },
    /// Amber left no run of the least length within the caps (`run_cap_m`: the runs that hurt,
    /// when set): cross-training takes the runs' days.
    NoRunFits {
        min_run_m: f64,
        run_cap_m: Option<f64>,
        sessions: u32,
        minutes: u32,
    },
    /// A run replaced with cross-training of the same duration.
    Swap {
        date: NaiveDate,
        replaced: Replaced,
        minutes: u32,
        activity: String,
    },
    /// Strength days, at the routine's stage.
    Strength {
        days: u32,
        stage: Stage,
        weeks_kept: u32,
    },
    /// Fewer strength days this week than wanted: skipped ones, or no day left to hold them.
    StrengthShort { fitted: u32, wanted: u32 },
    /// No day left to run on in the settings or the week.
    NoRunningDays,
}

/// One week of the plan. The field names are a stable JSON interface.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekPlan {
    pub week_start: NaiveDate,
    pub mode: Mode,
    /// The week's running distance the plan aims at (done included), before per-run caps.
    pub target_m: f64,
    /// Seven consecutive days from `week_start`.
    pub days: Vec<PlanDay>,
    pub totals: PlanTotals,
    pub reasons: Vec<Reason>,
}

/// Everything the planner reads.
#[derive(Debug, Clone, Copy)]
pub struct PlanInput<'a> {
    /// The runner's trusted activities (implausible records left out).
    pub activities: &'a [Activity],
    pub zone: &'a ZoneAssessment,
    pub recovery: &'a Recovery,
    pub thresholds: &'a Thresholds,
    pub plan: &'a PlanSettings,
    pub pain: &'a PainSettings,
    pub load: &'a LoadSettings,
    /// Planned distances are multiples of this (0.5 km, or 0.5 mi for a runner in miles).
    pub step_m: f64,
    pub today: NaiveDate,
}

/// The plan of this week (days before today show what was done) and next week.
pub fn plan(input: &PlanInput<'_>) -> [WeekPlan; 2] {
    let mut history = history::History::new(input.activities, input.load, input.plan, input.today);
    let this_week = week_start_of(input.today, input.load.week_start);
    let mut ladder = match input.recovery {
        Recovery::Ladder(l) => Some(l.clone()),
        _ => None,
    };
    let first_open = if history.active_on(input.today) {
        shift(input.today, 1)
    } else {
        input.today
    };
    let today_mode = Mode::of(input.zone, input.recovery);
    let mut build = |week: NaiveDate| {
        let mode = match (today_mode, &ladder) {
            (Mode::Ladder, Some(l)) if l.complete() => Mode::Progress,
            (mode, _) => mode,
        };
        let open = first_open.max(week);
        build_week(input, &mut history, &mut ladder, week, open, mode)
    };
    let first = build(this_week);
    let second = build(shift(this_week, 7));
    [first, second]
}

/// One week: the days before `open` as done, the rest planned in `mode`.
fn build_week(
    input: &PlanInput<'_>,
    history: &mut history::History,
    ladder: &mut Option<Ladder>,
    week: NaiveDate,
    open: NaiveDate,
    mode: Mode,
) -> WeekPlan {
    let dates: Vec<NaiveDate> = (0..7).map(|i| shift(week, i)).collect();
    let mut days: Vec<Option<PlanDay>> = dates
        .iter()
        .map(|&d| (d < open).then(|| history.done_day(d)))
        .collect();
    // On the ladder the runs since the calm rating are its walk-run sessions (on its own day,
    // a run is taken to come after it).
    if let (Mode::Ladder, Some(l)) = (mode, ladder.as_ref()) {
        for d in days.iter_mut().flatten() {
            if d.kind == DayKind::Run && d.date >= l.started {
                d.kind = DayKind::WalkRun;
            }
        }
    }
    let target = targets::week_target(input, history, week, open, mode);
    let mut reasons = target.reasons.clone();
    if mode == Mode::Ladder {
        if let Some(l) = ladder.as_ref() {
            reasons.push(Reason::Ladder {
                phase: (l.phase as u32 + 1).min(crate::core::recovery::PHASES.len() as u32),
                phases: crate::core::recovery::PHASES.len() as u32,
                good_in_phase: l.good_in_phase,
                needed: crate::core::recovery::SESSIONS_PER_PHASE,
                last: l.last_outcome,
            });
        }
    }
    let free = |d: &NaiveDate| !input.plan.rest_days.contains(&d.weekday());
    let open_days: Vec<usize> = (0..7)
        .filter(|&i| dates[i] >= open && free(&dates[i]))
        .collect();
    let mut sessions = layout::Week {
        input,
        dates: &dates,
        open_days: &open_days,
        mode,
        target: &target,
        reasons: &mut reasons,
        days: &mut days,
    };
    if dates.iter().all(|d| *d < open) {
        // The week is history: nothing to place, only how it compares with its target.
        let done = history.done_in_week(week, open);
        let runs_mode = matches!(mode, Mode::Progress | Mode::Hold | Mode::Cut);
        if runs_mode && done + input.step_m <= target.target_m {
            sessions.reasons.push(Reason::ShortOfTarget {
                planned_m: done,
                target_m: target.target_m,
            });
        }
    } else {
        match mode {
            Mode::Rest => sessions.rest(history),
            Mode::Ladder => sessions.ladder(history, ladder),
            _ => sessions.runs(history),
        }
        strength::place(
            input,
            history,
            &dates,
            &open_days,
            mode,
            &mut days,
            &mut reasons,
        );
    }
    let days: Vec<PlanDay> = days
        .into_iter()
        .enumerate()
        .map(|(i, day)| {
            day.unwrap_or_else(|| {
                let mut d = PlanDay::new(dates[i], DayStatus::Planned, DayKind::Rest);
                d.notes.push(if free(&dates[i]) {
                    DayNote::EasyDay
                } else {
                    DayNote::RestDay
                });
                d
            })
        })
        .collect();
    WeekPlan {
        week_start: week,
        mode,
        target_m: target.target_m,
        totals: totals(&days),
        days,
        reasons,
    }
}

fn totals(days: &[PlanDay]) -> PlanTotals {
    let sum =
        |f: &dyn Fn(&PlanDay) -> Option<f64>| days.iter().filter_map(f).fold(0.0, |a, b| a + b);
    PlanTotals {
        run_distance_m: sum(&|d| d.distance_m),
        done_distance_m: sum(&|d| d.distance_m.filter(|_| d.status == DayStatus::Done)),
        walk_run_sessions: days.iter().filter(|d| d.kind == DayKind::WalkRun).count() as u32,
        walk_run_distance_m: sum(&|d| d.distance_m.filter(|_| d.kind == DayKind::WalkRun)),
        descent_m: sum(&|d| d.max_descent_m),
        cross_minutes: days
            .iter()
            .filter(|d| d.kind == DayKind::Cross)
            .filter_map(|d| d.minutes)
            .sum(),
        strength_days: days.iter().filter(|d| d.has_strength()).count() as u32,
    }
}

/// Distances are planned in whole steps, rounded down so that no cap is ever exceeded.
pub(crate) fn floor_step(metres: f64, step: f64) -> f64 {
    let step = if step.is_finite() && step > 0.0 {
        step
    } else {
        500.0
    };
    if metres.is_finite() && metres > 0.0 {
        // A hair of slack so that 3 x 0.5 km reads as 1.5 km, not 1.0 km.
        ((metres / step) + 1e-9).floor() * step
    } else {
        0.0
    }
}

/// A planned run's distance: whole steps (0.5 km or 0.5 mi), or fifths of a step for runs
/// shorter than ten steps, where a whole step would be more than the 10% a run may grow by.
/// Rounded down, so that no cap is ever exceeded.
pub(crate) fn floor_distance(metres: f64, step: f64) -> f64 {
    let step = if step.is_finite() && step > 0.0 {
        step
    } else {
        500.0
    };
    let coarse = floor_step(metres, step);
    if coarse >= 10.0 * step {
        coarse
    } else {
        floor_step(metres, step / 5.0)
    }
}

/// Descent budgets in whole 5 m, rounded down.
pub(crate) fn floor_5(metres: f64) -> f64 {
    floor_step(metres, 5.0)
}

/// Minutes rounded to the nearest 5, at least 5.
pub(crate) fn round_minutes(minutes: f64) -> u32 {
    if !minutes.is_finite() || minutes <= 0.0 {
        return 5;
    }
    ((minutes / 5.0).round() * 5.0).clamp(5.0, 600.0) as u32
}

#[cfg(test)]
mod tests;
