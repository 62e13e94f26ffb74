//! The planner's view of the runner's recent sessions: the references every rule needs (the
//! longest run and the largest descent of the 30 days before a day, week totals, the four-week
//! mean, the runner's habit and pace), with the plan's own runs appended as it lays out the days
//! ahead, so that each planned run is judged like a real one.
//!
//! Runs that were themselves spikes are not references: after a spike, `check` advises keeping
//! the next runs within 10% of the longest run *before* it, and the plan follows that advice.

use crate::core::clean;
use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};

use crate::core::load::{local_date, shift, week_start_of, LoadSettings};
use crate::core::plan::{DayKind, DayNote, DayStatus, PlanDay, PlanSettings};
use crate::core::spikes::{spikes, SpikeMetric};
use crate::model::{Activity, Category};

/// How many days back the planner looks: the spike window (30 days or less: 30) of every day up
/// to the end of next week, and the four weeks of the ramp rule before this week.
pub(crate) fn horizon_days(load: &LoadSettings) -> i64 {
    i64::from(load.spike_window_days.max(30)) + 45
}

/// Walking pace for the walk blocks of a ladder session, seconds per km (6 km/h).
pub const WALK_PACE_S_PER_KM: f64 = 600.0;

#[derive(Debug, Clone, PartialEq)]
struct Run {
    date: NaiveDate,
    distance_m: f64,
    descent_m: Option<f64>,
    moving_s: f64,
    /// A distance or descent spike itself: not a reference for the next runs.
    spike: bool,
    descent_spike: bool,
    planned: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct Other {
    date: NaiveDate,
    category: Category,
    moving_s: f64,
    sport: String,
}

/// The recent sessions, real and planned.
#[derive(Debug, Clone)]
pub struct History {
    settings: LoadSettings,
    /// The local day of the earliest activity of any kind: where the history begins.
    first_day: Option<NaiveDate>,
    runs: Vec<Run>,
    others: Vec<Other>,
    pace_s_per_km: f64,
}

impl History {
    pub fn new(
        activities: &[Activity],
        load: &LoadSettings,
        plan: &PlanSettings,
        today: NaiveDate,
    ) -> History {
        let alert_ids = |metric| -> HashSet<i64> {
            spikes(activities, load, metric, Some(today))
                .into_iter()
                .filter(|s| s.alert.is_some())
                .map(|s| s.activity_id)
                .collect()
        };
        let spiked = alert_ids(SpikeMetric::Distance);
        let descent_spiked = alert_ids(SpikeMetric::Descent);
        let from = shift(today, -horizon_days(load));
        let dated: Vec<(NaiveDate, &Activity)> = activities
            .iter()
            .filter_map(|a| local_date(a).map(|d| (d, a)))
            .filter(|(d, _)| *d <= today)
            .collect();
        let first_day = dated.iter().map(|(d, _)| *d).min();
        let mut runs = Vec::new();
        let mut others = Vec::new();
        for (date, a) in dated.into_iter().filter(|(d, _)| *d >= from) {
            match a.sport.category() {
                Category::Run => runs.push(Run {
                    date,
                    distance_m: clean(a.distance_m),
                    descent_m: a.descent_m.filter(|d| d.is_finite()).map(|d| d.max(0.0)),
                    moving_s: clean(a.moving_s),
                    spike: spiked.contains(&a.id),
                    descent_spike: descent_spiked.contains(&a.id),
                    planned: false,
                }),
                category => others.push(Other {
                    date,
                    category,
                    moving_s: clean(a.moving_s),
                    sport: a.sport.as_str().to_string(),
                }),
            }
        }
        runs.sort_by_key(|r| r.date);
        let pace_s_per_km = pace(&runs, shift(today, -60), plan.default_pace_s_per_km);
        History {
            settings: load.clone(),
            first_day,
            runs,
            others,
            pace_s_per_km,
        }
    }

    /// The runner's recent pace, seconds per km.
    pub fn pace(&self) -> f64 {
        self.pace_s_per_km
    }

    /// Minutes a run of `metres` takes at the recent pace.
    pub fn minutes_for(&self, metres: f64) -> u32 {
        super::round_minutes(metres / 1000.0 * self.pace_s_per_km / 60.0)
    }

    fn runs_between(&self, from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = &Run> {
        self.runs
            .iter()
            .filter(move |r| r.date >= from && r.date <= to)
    }

    /// The longest run of the 30 days before `day` that was not itself a spike.
    pub fn reference_run(&self, day: NaiveDate) -> Option<f64> {
        self.runs_between(self.window_start(day), shift(day, -1))
            .filter(|r| !r.spike)
            .map(|r| r.distance_m)
            .filter(|d| *d > 0.0)
            .reduce(f64::max)
    }

    /// The largest known descent of one run of the 30 days before `day` that was not itself a
    /// descent spike.
    pub fn reference_descent(&self, day: NaiveDate) -> Option<f64> {
        self.runs_between(self.window_start(day), shift(day, -1))
            .filter(|r| !r.descent_spike)
            .filter_map(|r| r.descent_m)
            .reduce(f64::max)
    }

    /// The first day of the window before `day`: whole days that are inside `spike_window_days`
    /// of 24 hours whatever the time of day.
    fn window_start(&self, day: NaiveDate) -> NaiveDate {
        shift(day, 1 - i64::from(self.settings.spike_window_days.max(1)))
    }

    /// Running distance and descent of the week starting at `week`.
    pub fn week_totals(&self, week: NaiveDate) -> (f64, f64) {
        self.runs_between(week, shift(week, 6))
            .fold((0.0, 0.0), |(d, h), r| {
                (d + r.distance_m, h + r.descent_m.unwrap_or(0.0))
            })
    }

    /// Running distance of the days before `day` in its week.
    pub fn done_in_week(&self, week: NaiveDate, before: NaiveDate) -> f64 {
        self.runs_between(week, shift(before, -1))
            .map(|r| r.distance_m)
            .sum()
    }

    /// Running distance actually run in the 7 days ending at `day` (the plan's own runs, such
    /// as one planned on that day, are not load the knee has had).
    pub fn run_in_seven_days(&self, day: NaiveDate) -> f64 {
        self.runs_between(shift(day, -6), day)
            .filter(|r| !r.planned)
            .map(|r| r.distance_m)
            .sum()
    }

    /// Mean running distance and descent of the four weeks before `week`, when the history
    /// covers them (as `check`'s ramp rule reads it).
    pub fn four_week_mean(&self, week: NaiveDate) -> Option<(f64, f64)> {
        let first = shift(week, -28);
        let history = week_start_of(self.first_day?, self.settings.week_start);
        (first >= history).then(|| {
            let (d, h) = (0..4).fold((0.0, 0.0), |(d, h), k| {
                let (wd, wh) = self.week_totals(shift(first, 7 * k));
                (d + wd, h + wh)
            });
            (d / 4.0, h / 4.0)
        })
    }

    /// The most days with a run in one of the four weeks before `week`: the runner's habit.
    pub fn run_days_habit(&self, week: NaiveDate) -> usize {
        (1..=4)
            .map(|k| {
                let start = shift(week, -7 * k);
                let mut days: Vec<NaiveDate> = self
                    .runs_between(start, shift(start, 6))
                    .map(|r| r.date)
                    .collect();
                days.dedup();
                days.len()
            })
            .max()
            .unwrap_or(0)
    }

    /// The days with a run in the week up to (not including) `before`, in order.
    pub fn run_dates_before(&self, week: NaiveDate, before: NaiveDate) -> Vec<NaiveDate> {
        let mut days: Vec<NaiveDate> = self
            .runs_between(week, shift(before, -1))
            .map(|r| r.date)
            .collect();
        days.dedup();
        days
    }

    /// How many days of the week up to (not including) `before` had a run.
    pub fn run_days_before(&self, week: NaiveDate, before: NaiveDate) -> usize {
        self.run_dates_before(week, before).len()
    }

    /// The latest day with a run before `day`.
    pub fn last_run_before(&self, day: NaiveDate) -> Option<NaiveDate> {
        self.runs.iter().rev().map(|r| r.date).find(|d| *d < day)
    }

    /// Real runs of the 14 days before `day` with their weekday: (weekday, distance, descent).
    pub fn recent_runs(&self, day: NaiveDate) -> Vec<(chrono::Weekday, f64, Option<f64>)> {
        self.runs_between(shift(day, -14), shift(day, -1))
            .filter(|r| !r.planned)
            .map(|r| (r.date.weekday(), r.distance_m, r.descent_m))
            .collect()
    }

    /// Strength sessions logged in the week starting at `week`.
    pub fn strength_in_week(&self, week: NaiveDate) -> usize {
        self.others
            .iter()
            .filter(|o| {
                o.category == Category::Strength && o.date >= week && o.date <= shift(week, 6)
            })
            .count()
    }

    /// Whether a run or a cross-training session is logged on `day`.
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.runs.iter().any(|r| r.date == day && !r.planned)
            || self
                .others
                .iter()
                .any(|o| o.date == day && o.category == Category::Cross)
    }

    /// A planned run, from here on part of the history.
    pub fn push_planned(&mut self, date: NaiveDate, distance_m: f64, descent_m: f64) {
        let at = self.runs.partition_point(|r| r.date <= date);
        self.runs.insert(
            at,
            Run {
                date,
                distance_m,
                descent_m: Some(descent_m),
                moving_s: distance_m / 1000.0 * self.pace_s_per_km,
                spike: false,
                descent_spike: false,
                planned: true,
            },
        );
    }

    /// What was done on `day`, as a plan day.
    pub fn done_day(&self, day: NaiveDate) -> PlanDay {
        let runs: Vec<&Run> = self
            .runs
            .iter()
            .filter(|r| r.date == day && !r.planned)
            .collect();
        let cross: Vec<&Other> = self
            .others
            .iter()
            .filter(|o| o.date == day && o.category == Category::Cross)
            .collect();
        let strength: Vec<&Other> = self
            .others
            .iter()
            .filter(|o| o.date == day && o.category == Category::Strength)
            .collect();
        let kind = if !runs.is_empty() {
            DayKind::Run
        } else if !cross.is_empty() {
            DayKind::Cross
        } else if !strength.is_empty() {
            DayKind::Strength
        } else {
            DayKind::Rest
        };
        let mut d = PlanDay::new(day, DayStatus::Done, kind);
        // A session logged without a duration has none to show.
        let minutes = |s: f64| Some((s / 60.0).round() as u32).filter(|m| *m > 0);
        match kind {
            DayKind::Run => {
                d.distance_m = Some(runs.iter().map(|r| r.distance_m).sum());
                d.max_descent_m = runs.iter().filter_map(|r| r.descent_m).reduce(|a, b| a + b);
                d.minutes = minutes(runs.iter().map(|r| r.moving_s).sum());
            }
            DayKind::Cross => {
                d.minutes = minutes(cross.iter().map(|o| o.moving_s).sum());
                d.activity = cross.first().map(|o| o.sport.clone());
            }
            DayKind::Strength => d.minutes = minutes(strength.iter().map(|o| o.moving_s).sum()),
            _ => {}
        }
        if !strength.is_empty() && kind != DayKind::Strength {
            d.notes.push(DayNote::StrengthRoutine);
        }
        d
    }
}

/// Recent pace from the runs since `from` with moving time, else the default.
fn pace(runs: &[Run], from: NaiveDate, default: f64) -> f64 {
    let (distance, moving) = runs
        .iter()
        .filter(|r| r.date >= from && r.distance_m > 0.0 && r.moving_s > 0.0)
        .fold((0.0, 0.0), |(d, m), r| (d + r.distance_m, m + r.moving_s));
    let measured = moving / distance * 1000.0;
    if distance > 0.0 && measured.is_finite() {
        measured.clamp(180.0, 1200.0)
    } else {
        clean(default).clamp(180.0, 1200.0)
    }
}
