//! One state for a day: from the activities, the pain log, the settings and `today`, everything
//! kneeguard advises — the zone, the way back from red, the thresholds with their evidence, the
//! warnings (load, knee and implausible records) and the plan of this week and next. `status`,
//! `plan`, `check`, `demo` and `report` render this one value, so they always agree.
//!
//! Implausible records (`core::plausibility`) are left out of every estimate and named.

use chrono::NaiveDate;
use serde::Serialize;

use crate::core::load::{shift, week_start_of, weekly_summaries, LoadSettings};
use crate::core::plan::history::horizon_days;
use crate::core::plan::{self, Mode, PlanDay, PlanInput, PlanSettings, WeekPlan};
use crate::core::plausibility::{review, trusted, Flagged};
use crate::core::recovery::{recovery, Recovery};
use crate::core::threshold::{estimate, Thresholds};
use crate::core::warnings::{self, check, implausible_warnings, knee_warning, Warning};
use crate::core::zone::{assess, PainSettings, ZoneAssessment};
use crate::model::{Activity, PainEntry};

/// The settings guidance reads.
#[derive(Debug, Clone, Copy)]
pub struct GuidanceSettings<'a> {
    pub load: &'a LoadSettings,
    pub pain: &'a PainSettings,
    pub plan: &'a PlanSettings,
    /// Planned distances are multiples of this (0.5 km, or 0.5 mi in miles).
    pub step_m: f64,
}

/// Everything kneeguard advises on one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Guidance {
    pub today: NaiveDate,
    pub zone: ZoneAssessment,
    pub recovery: Recovery,
    /// How the days ahead are planned.
    pub mode: Mode,
    pub thresholds: Thresholds,
    /// What holds today: load warnings, the knee, implausible records; by date, most severe
    /// first.
    #[serde(skip)]
    pub warnings: Vec<Warning>,
    /// Records left out of every estimate until fixed or confirmed.
    pub flagged: Vec<Flagged>,
    /// This week (days before today as done) and next week.
    pub weeks: [WeekPlan; 2],
    /// The last twelve weeks, this one included: running distance and the highest pain.
    pub recent: Vec<RecentWeek>,
    pub see_professional: bool,
}

/// One week of the recent picture.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecentWeek {
    pub week_start: NaiveDate,
    pub distance_m: f64,
    /// `null` when no pain was logged that week.
    pub highest_pain: Option<u8>,
}

/// Weeks in the recent picture.
const RECENT_WEEKS: usize = 12;

/// The last [`RECENT_WEEKS`] weeks up to `today`: distance, and the highest rating dated in each.
fn recent(
    activities: &[Activity],
    pain: &[PainEntry],
    settings: &GuidanceSettings<'_>,
    today: NaiveDate,
) -> Vec<RecentWeek> {
    weekly_summaries(activities, settings.load, today, RECENT_WEEKS)
        .into_iter()
        .map(|w| RecentWeek {
            week_start: w.week_start,
            distance_m: w.distance_m,
            highest_pain: pain
                .iter()
                .filter(|e| {
                    e.date >= w.week_start && e.date < shift(w.week_start, 7) && e.date <= today
                })
                .map(|e| e.score.min(10))
                .max(),
        })
        .collect()
}

impl Guidance {
    pub fn this_week(&self) -> &WeekPlan {
        &self.weeks[0]
    }

    pub fn next_week(&self) -> &WeekPlan {
        &self.weeks[1]
    }

    /// The week starting at `week_start`, when it is this week or next.
    pub fn week(&self, week_start: NaiveDate) -> Option<&WeekPlan> {
        self.weeks.iter().find(|w| w.week_start == week_start)
    }

    /// The first day from today on that is still to do.
    pub fn next_session(&self) -> Option<&PlanDay> {
        self.weeks
            .iter()
            .flat_map(|w| &w.days)
            .find(|d| d.date >= self.today && d.status == plan::DayStatus::Planned)
    }
}

/// Weeks of history before the threshold's lookback that guidance still reads: the 90 days the
/// plausibility rule looks back, and the windows of the spike and ramp rules.
const MARGIN_WEEKS: i64 = 14;

/// The earliest day guidance reads (the lookback and a margin, and at least twice the
/// planner's horizon: the runs of the horizon are judged against their own spike windows):
/// activities and ratings before it change nothing but where the history begins and what was
/// last logged, so a caller may leave them out and pass the
/// earliest activity and the latest rating before this day alone (a ten-year history is read
/// for its last months only).
pub fn window_start(settings: &GuidanceSettings<'_>, today: NaiveDate) -> NaiveDate {
    let lookback = i64::from(settings.pain.lookback_weeks.clamp(1, 520));
    shift(
        week_start_of(today, settings.load.week_start),
        -7 * (lookback + MARGIN_WEEKS),
    )
    .min(shift(today, -2 * horizon_days(settings.load)))
}

/// The records the estimates and the plan leave out: implausible ones of the lookback or of the
/// planner's horizon, whichever reaches further (older ones change nothing the guidance says).
fn flag(
    activities: &[Activity],
    settings: &GuidanceSettings<'_>,
    today: NaiveDate,
) -> Vec<Flagged> {
    // The lookback of the estimates, or the planner's horizon when that reaches further back.
    let from = shift(window_start(settings, today), 7 * MARGIN_WEEKS)
        .min(shift(today, -horizon_days(settings.load)));
    review(activities, today)
        .into_iter()
        .filter(|f| f.date.is_none_or(|d| d >= from))
        .collect()
}

/// The guidance for `today` (DOMAIN.md §5-§7).
pub fn guidance(
    activities: &[Activity],
    pain: &[PainEntry],
    settings: &GuidanceSettings<'_>,
    today: NaiveDate,
) -> Guidance {
    let flagged = flag(activities, settings, today);
    let trusted = trusted(activities, &flagged);
    let zone = assess(pain, &trusted, settings.pain, today);
    let recovery = recovery(pain, &trusted, settings.pain, today);
    let thresholds = estimate(&trusted, pain, settings.pain, settings.load, today);
    let input = PlanInput {
        activities: &trusted,
        zone: &zone,
        recovery: &recovery,
        thresholds: &thresholds,
        plan: settings.plan,
        pain: settings.pain,
        load: settings.load,
        step_m: settings.step_m,
        today,
    };
    let weeks = plan::plan(&input);
    let recent = recent(&trusted, pain, settings, today);
    let mut warnings = check(&trusted, settings.load, today, None);
    warnings::within_plan(&mut warnings, &plan_limits(&weeks, today));
    warnings.extend(knee_warning(&zone, today));
    warnings.extend(implausible_warnings(&flagged, today));
    warnings::sort(&mut warnings);
    Guidance {
        today,
        mode: Mode::of(&zone, &recovery),
        see_professional: zone.see_professional,
        zone,
        recovery,
        thresholds,
        warnings,
        flagged,
        weeks,
        recent,
    }
}

impl Guidance {
    /// Holds the advice of the warnings about the last 7 days, those whose "next runs" are the
    /// days ahead, to this guidance's plan, as its own warnings are: `check --since` and
    /// `import` then say what `check` says of the same run. Older warnings keep the rule's
    /// own advice.
    pub fn hold_to_plan(&self, warnings: &mut [Warning]) {
        let from = shift(self.today, -6);
        warnings::within_plan(
            warnings.iter_mut().filter(|w| w.date >= from),
            &plan_limits(&self.weeks, self.today),
        );
    }
}

/// What the plan allows from `today` on: its longest run and largest descent budget, and each
/// week's totals.
fn plan_limits(weeks: &[WeekPlan; 2], today: NaiveDate) -> warnings::PlanLimits {
    let ahead: Vec<&PlanDay> = weeks
        .iter()
        .flat_map(|w| &w.days)
        .filter(|d| d.date >= today && d.status == plan::DayStatus::Planned)
        .filter(|d| d.kind.is_running())
        .collect();
    let week = |w: &WeekPlan| (w.week_start, w.totals.run_distance_m, w.totals.descent_m);
    warnings::PlanLimits {
        run_m: ahead
            .iter()
            .filter_map(|d| d.distance_m)
            .fold(0.0, f64::max),
        run_descent_m: ahead
            .iter()
            .map(|d| d.max_descent_m)
            .try_fold(0.0, |most: f64, budget| budget.map(|b| most.max(b))),
        weeks: [week(&weeks[0]), week(&weeks[1])],
    }
}

impl Guidance {
    /// Every warning raised from `since` to today in `activities` (load warnings over the
    /// period), with today's knee and implausible-record warnings; the records this guidance
    /// left out stay out of the load rules, and the advice of the warnings about the last 7 days
    /// is held to its plan, as its own warnings are.
    pub fn warnings_since(
        &self,
        activities: &[Activity],
        load: &LoadSettings,
        since: NaiveDate,
    ) -> Vec<Warning> {
        let trusted = trusted(activities, &self.flagged);
        let mut out = check(&trusted, load, self.today, Some(since));
        self.hold_to_plan(&mut out);
        out.extend(knee_warning(&self.zone, self.today));
        out.extend(implausible_warnings(&self.flagged, self.today));
        warnings::sort(&mut out);
        out
    }
}

/// The first day of the week that holds `day`.
pub fn week_of(day: NaiveDate, settings: &GuidanceSettings<'_>) -> NaiveDate {
    week_start_of(day, settings.load.week_start)
}
