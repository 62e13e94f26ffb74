//! Each day's limits: the single-run rule measured from the run's own day (no run more than
//! 1.1x the longest run of the 30 days before it, real runs and the plan's own earlier runs
//! alike, a reference under `[load]`'s minimum counting as that minimum, as `check` judges),
//! the week-level run caps, and the run's descent budget.

use chrono::NaiveDate;

use crate::core::clean;
use crate::core::plan::history::History;
use crate::core::plan::targets::Target;
use crate::core::plan::{floor_5, PlanInput};

/// The most a run on one day may be, and whether the single-run rule is what bounds it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunCap {
    pub cap_m: f64,
    /// The longest run of the window (not a spike itself), if any.
    pub reference_m: Option<f64>,
    /// The single-run rule is the binding limit.
    pub by_spike_rule: bool,
}

/// The factor of the single-run rule: the configured one, never above the smallest spike band,
/// so that a planned run never raises `check`'s own spike warning.
pub fn spike_factor(input: &PlanInput<'_>) -> f64 {
    let band = 1.0 + clean(input.load.spike_low_pct) / 100.0;
    clean(input.plan.max_long_run_factor).clamp(1.0, band)
}

/// The longest run the plan may put on `day`.
pub fn run_cap(
    input: &PlanInput<'_>,
    history: &History,
    target: &Target,
    day: NaiveDate,
) -> RunCap {
    let reference = history.reference_run(day);
    let floor = clean(input.load.spike_min_reference_m);
    let mut spike = spike_factor(input) * reference.unwrap_or(0.0).max(floor);
    if reference.is_none() {
        spike = spike.min(clean(input.plan.default_run_km) * 1000.0);
    }
    let week = target.run_cap_m.unwrap_or(f64::INFINITY);
    RunCap {
        cap_m: spike.min(week),
        reference_m: reference,
        by_spike_rule: spike <= week,
    }
}

/// The descent budget of a run of `distance_m` on `day`: within the descent-spike rule against
/// the hilliest run of the 30 days before, a binding per-run threshold, `share_m` of the week's
/// budget, and flat (a few metres a kilometre) when the week asks for flat routes.
pub fn descent_budget(
    input: &PlanInput<'_>,
    history: &History,
    target: &Target,
    day: NaiveDate,
    distance_m: f64,
    share_m: Option<f64>,
) -> f64 {
    let floor = clean(input.load.descent_spike_min_reference_m);
    let mut budget = spike_factor(input) * history.reference_descent(day).unwrap_or(0.0).max(floor);
    if let Some(cap) = target.descent_run_cap_m {
        budget = budget.min(cap);
    }
    if let Some(share) = share_m {
        budget = budget.min(share.max(0.0));
    }
    if target.flat {
        budget = budget.min(flat_budget(input, distance_m));
    }
    floor_5(budget)
}

/// The descent of a flat route of `distance_m`.
pub fn flat_budget(input: &PlanInput<'_>, distance_m: f64) -> f64 {
    clean(input.plan.flat_descent_per_km) * distance_m / 1000.0
}
