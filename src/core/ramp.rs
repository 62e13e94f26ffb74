//! The weekly ramp rule, one for `check`'s warnings and the plan's caps (DOMAIN.md §4): a week
//! rises past it when it holds more than `weekly_ramp_pct` over a reference week with any load
//! in it (the week before, or the mean of the four before), a reference smaller than the floor
//! raised to the floor.

use crate::core::clean;
use crate::core::load::LoadSettings;

/// Rounding slack, in percent: a week exactly at the cap has not risen past it.
const SLACK_PCT: f64 = 1e-9;

/// The ramp rule for one load: distance or descent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RampRule {
    pct: f64,
    floor_m: f64,
}

impl RampRule {
    /// The rule on running distance.
    pub fn distance(settings: &LoadSettings) -> RampRule {
        RampRule::new(settings.weekly_ramp_pct, settings.ramp_min_reference_m)
    }

    /// The rule on the descent of the runs.
    pub fn descent(settings: &LoadSettings) -> RampRule {
        RampRule::new(
            settings.weekly_ramp_pct,
            settings.descent_ramp_min_reference_m,
        )
    }

    fn new(pct: f64, floor_m: f64) -> RampRule {
        RampRule {
            pct: clean(pct),
            floor_m: clean(floor_m),
        }
    }

    /// The rise the rule allows, in percent.
    pub fn pct(&self) -> f64 {
        self.pct
    }

    /// The floor small references are raised to.
    pub fn floor_m(&self) -> f64 {
        self.floor_m
    }

    /// The most a week may hold against `reference`; none against a reference without load.
    pub fn cap(&self, reference: f64) -> Option<f64> {
        (reference > 0.0).then(|| (1.0 + self.pct / 100.0) * reference.max(self.floor_m))
    }

    /// How far `now` rose over `reference`, in percent, when it rose past the rule.
    pub fn exceeded(&self, now: f64, reference: f64) -> Option<f64> {
        (reference > 0.0)
            .then(|| (now / reference.max(self.floor_m) - 1.0) * 100.0)
            .filter(|rise| *rise > self.pct + SLACK_PCT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn small_references_are_raised_to_the_floor() {
        let rule = RampRule::distance(&LoadSettings::default());
        assert_eq!(rule.cap(0.0), None);
        assert_eq!(rule.cap(3000.0), Some(6500.0));
        assert_eq!(rule.cap(20_000.0), Some(26_000.0));
        assert_eq!(rule.exceeded(5000.0, 3000.0), None);
        let rise = rule.exceeded(12_000.0, 3000.0).unwrap();
        assert!((rise - 140.0).abs() < 1e-9, "{rise}");
        assert_eq!(rule.exceeded(26_000.0, 20_000.0), None);
        assert_eq!(rule.exceeded(99_000.0, 0.0), None);
        let descent = RampRule::descent(&LoadSettings::default());
        assert_eq!(descent.cap(50.0), Some(260.0));
    }

    proptest! {
        /// A week at the cap has not ramped; a week a metre above it has.
        #[test]
        fn the_cap_is_where_the_rule_starts_to_fire(
            reference in 1.0f64..200_000.0,
            pct in 0.0f64..100.0,
            floor in 0.0f64..10_000.0,
        ) {
            let rule = RampRule::new(pct, floor);
            let cap = rule.cap(reference).unwrap();
            prop_assert_eq!(rule.exceeded(cap, reference), None);
            prop_assert!(rule.exceeded(cap + 1.0, reference).is_some());
        }
    }
}
