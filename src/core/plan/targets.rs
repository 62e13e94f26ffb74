//! The week's target and its week-level limits: how much running the knee's mode allows
//! (DOMAIN.md §7), then the binding threshold, kneeguard's own ramp rule, and — in amber — the
//! load under which the pain arose and the runs that hurt.

use chrono::NaiveDate;

use crate::core::clean;
use crate::core::load::{shift, week_start_of};
use crate::core::plan::history::History;
use crate::core::plan::{Mode, PlanInput, Reason};
use crate::core::ramp::RampRule;
use crate::core::threshold::{Dimension, Estimate, EstimateStatus};
use crate::core::zone::ZoneReason;

/// What a week may hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The week's running distance (done included) to aim at.
    pub target_m: f64,
    /// No run longer than this this week (threshold, amber), before the per-day spike rule.
    pub run_cap_m: Option<f64>,
    /// The week's descent.
    pub descent_week_m: Option<f64>,
    /// No run with more descent than this (threshold).
    pub descent_run_cap_m: Option<f64>,
    /// Flat routes only (amber, or back from red).
    pub flat: bool,
    pub reasons: Vec<Reason>,
}

/// The target of the week starting at `week`, whose days from `open` on are to be planned.
pub fn week_target(
    input: &PlanInput<'_>,
    history: &History,
    week: NaiveDate,
    open: NaiveDate,
    mode: Mode,
) -> Target {
    let mut target = Target {
        target_m: 0.0,
        run_cap_m: None,
        descent_week_m: None,
        descent_run_cap_m: None,
        flat: matches!(mode, Mode::Hold | Mode::Cut | Mode::Ladder),
        reasons: Vec::new(),
    };
    target.target_m = match mode {
        Mode::Progress => progress(input, history, week, &mut target.reasons),
        Mode::Hold | Mode::Cut => amber(input, history, mode, &mut target),
        Mode::Rest => {
            target.reasons.push(Reason::Rest);
            return target;
        }
        Mode::Ladder => f64::INFINITY,
    };
    limit_by_threshold(&mut target, &input.thresholds.weekly_distance_m);
    limit_by_ramp(input, history, week, &mut target);
    target.descent_week_m = descent_week(input, history, week, &mut target);
    for e in [
        &input.thresholds.longest_run_m,
        &input.thresholds.run_descent_m,
    ] {
        if let Some((cap, reason)) = binding(e) {
            let slot = match e.dimension {
                Dimension::LongestRun => &mut target.run_cap_m,
                _ => &mut target.descent_run_cap_m,
            };
            if slot.is_none_or(|c| cap < c) {
                *slot = Some(cap);
                target.reasons.push(reason);
            }
        }
    }
    if target.flat {
        target.reasons.push(Reason::FlatRoutes {
            per_km: clean(input.plan.flat_descent_per_km),
        });
    }
    let done = history.done_in_week(week, open);
    if open > week && done > 0.0 && done + 1.0 >= target.target_m && target.target_m.is_finite() {
        target.reasons.push(Reason::WeekReached {
            done_m: done,
            target_m: target.target_m,
        });
    }
    target
}

/// Green: about 10% over the recent level, up to the goal; a gentle start without recent runs;
/// holding while no pain has been logged lately.
fn progress(
    input: &PlanInput<'_>,
    history: &History,
    week: NaiveDate,
    reasons: &mut Vec<Reason>,
) -> f64 {
    let previous = history.week_totals(shift(week, -7)).0;
    let mean = history.four_week_mean(week).map_or(0.0, |(d, _)| d);
    let base = previous.max(mean);
    let goal = input
        .plan
        .weekly_goal_km
        .map(|km| clean(km) * 1000.0)
        .filter(|g| *g > 0.0);
    if base <= 0.0 {
        let start = clean(input.plan.default_start_km) * 1000.0;
        reasons.push(Reason::StartGently { week_m: start });
        return goal.map_or(start, |g| start.min(g));
    }
    let quiet_days = input.zone.reasons.iter().find_map(|r| match r {
        ZoneReason::NoRecentPain { days, .. } => Some(*days),
        ZoneReason::NoPainLogged => Some(input.pain.recent_days),
        _ => None,
    });
    if let Some(days) = quiet_days {
        reasons.push(Reason::HoldNoRecentPain { base_m: base, days });
        return goal.map_or(base, |g| base.min(g));
    }
    let pct = clean(input.plan.green_progression_pct);
    let wanted = base * (1.0 + pct / 100.0);
    match goal {
        Some(g) if base >= g => {
            reasons.push(Reason::AtGoal { goal_m: g });
            g
        }
        Some(g) => {
            let t = wanted.min(g);
            reasons.push(Reason::Progress {
                target_m: t,
                base_m: base,
                pct,
            });
            if t >= g {
                reasons.push(Reason::AtGoal { goal_m: g });
            }
            t
        }
        None => {
            reasons.push(Reason::Progress {
                target_m: wanted,
                base_m: base,
                pct,
            });
            reasons.push(Reason::SetAGoal);
            wanted
        }
    }
}

/// Amber: never above the load under which the pain arose (the lower of the 7 days up to it
/// and the last complete week before it), cut when the pain went above the ceiling; no run
/// longer than the ones that hurt.
fn amber(input: &PlanInput<'_>, history: &History, mode: Mode, target: &mut Target) -> f64 {
    let Some(episode) = input.zone.amber.as_ref() else {
        return 0.0;
    };
    let arose = episode.arose;
    // The runs of that day after the rating that signalled the pain came after it.
    let after_the_pain: f64 = input
        .activities
        .iter()
        .filter(|a| a.sport.is_run() && a.start.is_some_and(|t| t > episode.arose_at))
        .filter(|a| crate::core::load::local_date(a) == Some(arose))
        .map(|a| clean(a.distance_m))
        .sum();
    let seven = (history.run_in_seven_days(arose) - after_the_pain).max(0.0);
    let week_before = history
        .week_totals(shift(week_start_of(arose, input.load.week_start), -7))
        .0;
    let load = if week_before > 0.0 {
        seven.min(week_before)
    } else {
        seven
    };
    let hurt: Vec<f64> = episode
        .hurt_runs
        .iter()
        .filter_map(|id| input.activities.iter().find(|a| a.id == *id))
        .map(|a| clean(a.distance_m))
        .filter(|d| *d > 0.0)
        .collect();
    let cut = 1.0 - clean(input.plan.amber_cut_pct).min(100.0) / 100.0;
    let (week, runs) = match mode {
        // Each run followed by pain above the ceiling lowers the next (the 24-hour response
        // decides): the plan's own shorter runs, done at amber, become runs that hurt in turn.
        Mode::Cut => {
            let shortest = hurt.iter().copied().reduce(f64::min);
            (load * cut, shortest.map(|s| s * cut))
        }
        _ => (load, hurt.iter().copied().reduce(f64::max)),
    };
    target.reasons.push(match mode {
        Mode::Cut => Reason::AmberCut {
            target_m: week,
            cap_m: load,
            pct: clean(input.plan.amber_cut_pct),
            arose,
        },
        _ => Reason::AmberHold { cap_m: load, arose },
    });
    if let Some(cap) = runs {
        target.run_cap_m = Some(cap);
        target.reasons.push(Reason::AmberRuns { cap_m: cap });
    }
    week
}

/// The cap of a binding estimate, and the reason that names it.
fn binding(e: &Estimate) -> Option<(f64, Reason)> {
    match e.status {
        EstimateStatus::Binding {
            provoking_m,
            cap_m,
            retests,
            ..
        } => Some((
            cap_m,
            Reason::ThresholdCap {
                dimension: e.dimension,
                cap_m,
                provoking_m,
                retests,
            },
        )),
        _ => None,
    }
}

fn limit_by_threshold(target: &mut Target, e: &Estimate) {
    if let Some((cap, reason)) = binding(e) {
        if cap < target.target_m {
            target.target_m = cap;
            target.reasons.push(reason);
        }
    }
}

/// Whether the week starting at `week` rose past the ramp rule on distance.
fn ramped(input: &PlanInput<'_>, history: &History, week: NaiveDate) -> bool {
    let rule = RampRule::distance(input.load);
    let (now, _) = history.week_totals(week);
    let over = |reference: f64| rule.exceeded(now, reference).is_some();
    over(history.week_totals(shift(week, -7)).0)
        || history.four_week_mean(week).is_some_and(|(d, _)| over(d))
}

/// The week within the ramp rule of `check` (against the previous week and the mean of the
/// four before), and held after a week that ramped.
fn limit_by_ramp(input: &PlanInput<'_>, history: &History, week: NaiveDate, target: &mut Target) {
    let rule = RampRule::distance(input.load);
    let previous = history.week_totals(shift(week, -7)).0;
    let mean = history.four_week_mean(week).map(|(d, _)| d);
    let caps = [(Some(previous), false), (mean, true)];
    for (reference, four_weeks) in caps {
        let Some((reference, cap)) = reference.and_then(|r| Some((r, rule.cap(r)?))) else {
            continue;
        };
        if cap < target.target_m {
            let unbounded = !target.target_m.is_finite();
            target.target_m = cap;
            if unbounded {
                // A ladder week: its sessions are small; the cap only guards them.
                continue;
            }
            target.reasons.push(Reason::RampCap {
                cap_m: cap,
                reference_m: reference,
                pct: rule.pct(),
                four_weeks,
                floor_m: rule.floor_m(),
            });
        }
    }
    if previous > 0.0 && previous < target.target_m && ramped(input, history, shift(week, -7)) {
        target.target_m = previous;
        target.reasons.push(Reason::RampHold { week_m: previous });
    }
}

/// The week's descent budget: within the ramp rule on descent and a binding weekly-descent
/// threshold.
fn descent_week(
    input: &PlanInput<'_>,
    history: &History,
    week: NaiveDate,
    target: &mut Target,
) -> Option<f64> {
    let rule = RampRule::descent(input.load);
    let previous = history.week_totals(shift(week, -7)).1;
    let mean = history.four_week_mean(week).map(|(_, h)| h);
    let mut cap = [Some(previous), mean]
        .into_iter()
        .flatten()
        .filter_map(|reference| rule.cap(reference))
        .reduce(f64::min);
    if let Some((c, reason)) = binding(&input.thresholds.weekly_descent_m) {
        if cap.is_none_or(|x| c < x) {
            cap = Some(c);
            target.reasons.push(reason);
        }
    }
    cap
}
