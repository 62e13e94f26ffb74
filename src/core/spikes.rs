//! Single-run spikes: each run against the longest run (or the largest descent of a run) whose
//! start lies in the preceding 30 days, in the bands of Frandsen et al. 2025 (BJSM 59:1203,
//! 5,205 runners over 18 months), the load signal with the best evidence for running injuries.
//!
//! Runs are sorted by start once and scanned with a sliding-window maximum (a monotonic deque),
//! so the cost is O(n log n) for the sort and linear after it.

use std::collections::VecDeque;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use crate::core::load::{local_date, LoadSettings};
use crate::model::{Activity, Category};

/// Rounding slack, in percent, so that a run of exactly 11.0 km after 10.0 km is "up to 10%".
const SLACK_PCT: f64 = 1e-6;

/// What a single-run spike compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpikeMetric {
    /// The run's distance against the longest run of the window.
    Distance,
    /// The run's descent against the largest descent of one run in the window.
    Descent,
}

/// The change of a run against its reference, in the categories of Frandsen et al. 2025.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum SpikeBand {
    /// No run in the window to compare with.
    #[serde(rename = "no_reference")]
    NoReference,
    /// At most 10% above the reference (or below it).
    #[serde(rename = "up_to_10")]
    UpTo10,
    /// More than 10% and at most 30% above: HR 1.64.
    #[serde(rename = "10_to_30")]
    From10To30,
    /// More than 30% and at most 100% above: HR 1.52.
    #[serde(rename = "30_to_100")]
    From30To100,
    /// More than 100% above: HR 2.28.
    #[serde(rename = "over_100")]
    Over100,
}

impl SpikeBand {
    /// The stable name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            SpikeBand::NoReference => "no_reference",
            SpikeBand::UpTo10 => "up_to_10",
            SpikeBand::From10To30 => "10_to_30",
            SpikeBand::From30To100 => "30_to_100",
            SpikeBand::Over100 => "over_100",
        }
    }

    /// The band of a change in percent; each band includes its upper edge.
    pub fn classify(change_pct: f64, settings: &LoadSettings) -> SpikeBand {
        if change_pct <= settings.spike_low_pct + SLACK_PCT {
            SpikeBand::UpTo10
        } else if change_pct <= settings.spike_mid_pct + SLACK_PCT {
            SpikeBand::From10To30
        } else if change_pct <= settings.spike_high_pct + SLACK_PCT {
            SpikeBand::From30To100
        } else {
            SpikeBand::Over100
        }
    }

    /// The hazard ratio Frandsen et al. 2025 report for the band, against runs up to 10%.
    pub fn hazard_ratio(self) -> Option<f64> {
        match self {
            SpikeBand::From10To30 => Some(1.64),
            SpikeBand::From30To100 => Some(1.52),
            SpikeBand::Over100 => Some(2.28),
            SpikeBand::NoReference | SpikeBand::UpTo10 => None,
        }
    }
}

/// One run judged against the preceding window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSpike {
    pub activity_id: i64,
    pub metric: SpikeMetric,
    pub start: DateTime<Utc>,
    /// The local day of the run.
    pub date: NaiveDate,
    /// The run's distance or descent in metres.
    pub value_m: f64,
    /// The largest value of a run that started in the window before it, if any.
    pub reference_m: Option<f64>,
    pub reference_activity_id: Option<i64>,
    /// `value_m` against `reference_m`, in percent.
    pub change_pct: Option<f64>,
    /// The Frandsen band of `change_pct`.
    pub band: SpikeBand,
    /// The band warnings use: the change against the reference raised to the configured
    /// minimum, when that is above the smallest band; `None` otherwise.
    pub alert: Option<SpikeBand>,
    /// The reference the alert was judged against: the reference or the minimum, whichever is
    /// larger, or the minimum alone when no run lies in the window.
    pub judged_against_m: Option<f64>,
}

/// Every run's distance against the longest run that started in the preceding window (strictly
/// before it, at most `spike_window_days` × 24 h before), ordered by start.
pub fn run_spikes(activities: &[Activity], settings: &LoadSettings) -> Vec<RunSpike> {
    spikes(activities, settings, SpikeMetric::Distance, None)
}

/// Every run's descent against the largest descent of a run in the preceding window, ordered by
/// start. Runs without a descent figure are neither judged nor used as references.
pub fn descent_spikes(activities: &[Activity], settings: &LoadSettings) -> Vec<RunSpike> {
    spikes(activities, settings, SpikeMetric::Descent, None)
}

/// Spikes of `metric` over the runs whose local day is at most `until`, when given.
pub(crate) fn spikes(
    activities: &[Activity],
    settings: &LoadSettings,
    metric: SpikeMetric,
    until: Option<NaiveDate>,
) -> Vec<RunSpike> {
    struct Item {
        start: DateTime<Utc>,
        date: NaiveDate,
        id: i64,
        value: f64,
    }
    let mut items: Vec<Item> = activities
        .iter()
        .filter(|a| a.sport.category() == Category::Run)
        .filter_map(|a| {
            let value = match metric {
                SpikeMetric::Distance => a.distance_m,
                SpikeMetric::Descent => a.descent_m?,
            };
            let date = local_date(a)?;
            let keep = value.is_finite() && until.is_none_or(|until| date <= until);
            keep.then_some(Item {
                start: a.start?,
                date,
                id: a.id,
                value: value.max(0.0),
            })
        })
        .collect();
    items.sort_by(|a, b| a.start.cmp(&b.start).then(a.id.cmp(&b.id)));

    let floor = match metric {
        SpikeMetric::Distance => settings.spike_min_reference_m,
        SpikeMetric::Descent => settings.descent_spike_min_reference_m,
    };
    let window = Duration::days(i64::from(settings.spike_window_days));
    let mut out = Vec::with_capacity(items.len());
    // Indices of runs in the window, values strictly decreasing from front to back.
    let mut deque: VecDeque<usize> = VecDeque::new();
    let mut next = 0;
    for (i, item) in items.iter().enumerate() {
        while next < i && items[next].start < item.start {
            while deque
                .back()
                .is_some_and(|&b| items[b].value <= items[next].value)
            {
                deque.pop_back();
            }
            deque.push_back(next);
            next += 1;
        }
        let earliest = item
            .start
            .checked_sub_signed(window)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        while deque.front().is_some_and(|&f| items[f].start < earliest) {
            deque.pop_front();
        }
        let reference = deque.front().map(|&f| &items[f]).filter(|r| r.value > 0.0);
        let change_pct = reference.map(|r| (item.value / r.value - 1.0) * 100.0);
        let band = change_pct.map_or(SpikeBand::NoReference, |pct| {
            SpikeBand::classify(pct, settings)
        });
        // With no run in the window (a layoff, or the start of the history) the run is judged
        // against the floor, as a short window already is.
        let judged_against_m = match reference {
            Some(r) => Some(r.value.max(floor)),
            None => (floor > 0.0).then_some(floor),
        };
        let alert = judged_against_m
            .filter(|against| *against > 0.0)
            .map(|against| SpikeBand::classify((item.value / against - 1.0) * 100.0, settings))
            .filter(|band| *band > SpikeBand::UpTo10);
        out.push(RunSpike {
            activity_id: item.id,
            metric,
            start: item.start,
            date: item.date,
            value_m: item.value,
            reference_m: reference.map(|r| r.value),
            reference_activity_id: reference.map(|r| r.id),
            change_pct,
            band,
            alert,
            judged_against_m,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::load::tests::{activity, day, run};
    use crate::model::Sport;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(id: i64, start: DateTime<Utc>, distance_m: f64) -> Activity {
        let mut a = run(id, day(2025, 1, 1), distance_m);
        a.start = Some(start);
        a
    }

    fn utc(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, d, h, 0, 0).unwrap()
    }

    #[test]
    fn band_boundaries() {
        // (reference km, run km, band)
        let cases = [
            (10.0, 11.0, SpikeBand::UpTo10),
            (10.0, 11.01, SpikeBand::From10To30),
            (10.0, 13.0, SpikeBand::From10To30),
            (10.0, 13.01, SpikeBand::From30To100),
            (10.0, 20.0, SpikeBand::From30To100),
            (10.0, 20.01, SpikeBand::Over100),
            (10.0, 5.0, SpikeBand::UpTo10),
            (3.3, 3.63, SpikeBand::UpTo10),
            (7.0, 9.1, SpikeBand::From10To30),
            (4.2, 8.4, SpikeBand::From30To100),
        ];
        let settings = LoadSettings::default();
        for (reference, distance, want) in cases {
            let all = [
                at(1, utc(1, 8), reference * 1000.0),
                at(2, utc(10, 8), distance * 1000.0),
            ];
            let spikes = run_spikes(&all, &settings);
            assert_eq!(spikes[0].band, SpikeBand::NoReference);
            assert_eq!(spikes[1].band, want, "{reference} -> {distance}");
            assert_eq!(spikes[1].reference_activity_id, Some(1));
        }
    }

    #[test]
    fn window_edges() {
        // (reference start, run start, reference found)
        let run_start = utc(31, 8);
        let cases = [
            (run_start - Duration::days(30), true),
            (run_start - Duration::days(30) - Duration::seconds(1), false),
            (run_start - Duration::days(30) + Duration::seconds(1), true),
            (run_start - Duration::seconds(1), true),
            (run_start, false),
            (run_start + Duration::hours(1), false),
        ];
        let settings = LoadSettings::default();
        for (reference_start, found) in cases {
            let all = [at(1, reference_start, 10000.0), at(2, run_start, 15000.0)];
            let spikes = run_spikes(&all, &settings);
            let judged = spikes.iter().find(|s| s.activity_id == 2).unwrap();
            assert_eq!(judged.reference_m.is_some(), found, "{reference_start}");
            let want = if found {
                SpikeBand::From30To100
            } else {
                SpikeBand::NoReference
            };
            assert_eq!(judged.band, want);
        }
    }

    #[test]
    fn without_a_run_in_the_window_the_floor_is_the_reference() {
        let settings = LoadSettings::default();
        let single = run_spikes(&[at(1, utc(5, 8), 12000.0)], &settings);
        assert_eq!(single.len(), 1);
        assert_eq!(single[0].band, SpikeBand::NoReference);
        assert_eq!(
            single[0].alert,
            Some(SpikeBand::Over100),
            "12 km against the 3 km floor"
        );
        let short = run_spikes(&[at(1, utc(5, 8), 3300.0)], &settings);
        assert_eq!(short[0].alert, None);
        let apart = [
            at(1, utc(1, 8), 5000.0),
            at(2, utc(1, 8) + Duration::days(45), 15000.0),
        ];
        let spikes = run_spikes(&apart, &settings);
        assert_eq!(spikes[1].band, SpikeBand::NoReference);
        // After the layoff the 15 km run is judged against the 3 km floor: +400%.
        assert_eq!(spikes[1].judged_against_m, Some(3000.0));
        assert_eq!(spikes[1].alert, Some(SpikeBand::Over100));
        assert!(run_spikes(&[], &settings).is_empty());
    }

    #[test]
    fn reference_is_the_longest_run_not_the_last() {
        let all = [
            at(1, utc(1, 8), 10000.0),
            at(2, utc(5, 8), 6000.0),
            at(3, utc(8, 8), 4000.0),
            at(4, utc(9, 8), 12500.0),
        ];
        let spikes = run_spikes(&all, &LoadSettings::default());
        let last = &spikes[3];
        assert_eq!(last.reference_activity_id, Some(1));
        assert!((last.change_pct.unwrap() - 25.0).abs() < 1e-9);
        assert_eq!(last.alert, Some(SpikeBand::From10To30));
    }

    #[test]
    fn minimum_reference_cases() {
        // (reference km, run km, alert)
        let cases = [
            (2.0, 3.0, None),
            (2.0, 3.3, None),
            (2.0, 3.5, Some(SpikeBand::From10To30)),
            (2.0, 10.0, Some(SpikeBand::Over100)),
            (3.0, 3.5, Some(SpikeBand::From10To30)),
            (0.0, 5.0, Some(SpikeBand::From30To100)),
        ];
        for (reference, distance, want) in cases {
            let all = [
                at(1, utc(1, 8), reference * 1000.0),
                at(2, utc(2, 8), distance * 1000.0),
            ];
            let spikes = run_spikes(&all, &LoadSettings::default());
            assert_eq!(spikes[1].alert, want, "{reference} -> {distance}");
        }
    }

    #[test]
    fn descent_spike_cases() {
        // (reference descent, run descent, band, alert)
        let cases = [
            (Some(100.0), Some(110.0), SpikeBand::UpTo10, None),
            (
                Some(100.0),
                Some(130.0),
                SpikeBand::From10To30,
                Some(SpikeBand::From10To30),
            ),
            (
                Some(100.0),
                Some(200.0),
                SpikeBand::From30To100,
                Some(SpikeBand::From30To100),
            ),
            (
                Some(100.0),
                Some(250.0),
                SpikeBand::Over100,
                Some(SpikeBand::Over100),
            ),
            (Some(20.0), Some(45.0), SpikeBand::Over100, None),
            (
                None,
                Some(300.0),
                SpikeBand::NoReference,
                Some(SpikeBand::Over100),
            ),
        ];
        for (reference, descent, band, alert) in cases {
            let mut first = at(1, utc(1, 8), 8000.0);
            first.descent_m = reference;
            let mut second = at(2, utc(3, 8), 8000.0);
            second.descent_m = descent;
            let spikes = descent_spikes(&[first, second], &LoadSettings::default());
            let judged = spikes.last().unwrap();
            assert_eq!(judged.activity_id, 2);
            assert_eq!((judged.band, judged.alert), (band, alert), "{reference:?}");
        }
    }

    #[test]
    fn only_runs_count() {
        let ride = activity(1, Sport::Ride, day(2025, 3, 1), 8, 0, 0, 60000.0);
        let all = [ride, run(2, day(2025, 3, 2), 10000.0)];
        let spikes = run_spikes(&all, &LoadSettings::default());
        assert_eq!(spikes.len(), 1);
        assert_eq!(spikes[0].band, SpikeBand::NoReference);
    }

    /// The plain definition, for comparison with the sliding window.
    fn brute_force(all: &[Activity]) -> Vec<(i64, Option<f64>)> {
        let mut out: Vec<(i64, Option<f64>)> = all
            .iter()
            .map(|a| {
                let start = a.start.unwrap();
                let reference = all
                    .iter()
                    .filter(|b| {
                        let s = b.start.unwrap();
                        s < start && s >= start - Duration::days(30)
                    })
                    .map(|b| b.distance_m)
                    .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.max(d))));
                (a.id, reference.filter(|r| *r > 0.0))
            })
            .collect();
        out.sort_by_key(|(id, _)| *id);
        out
    }

    proptest! {
        #[test]
        fn sliding_window_matches_the_definition(
            runs in prop::collection::vec((0i64..200 * 24, 0.0f64..30000.0), 0..80),
        ) {
            let base = utc(1, 0);
            let all: Vec<Activity> = runs
                .iter()
                .enumerate()
                .map(|(i, &(hours, d))| at(i as i64, base + Duration::hours(hours), d.round()))
                .collect();
            let mut got: Vec<(i64, Option<f64>)> = run_spikes(&all, &LoadSettings::default())
                .iter()
                .map(|s| (s.activity_id, s.reference_m))
                .collect();
            got.sort_by_key(|(id, _)| *id);
            prop_assert_eq!(got, brute_force(&all));
        }
    }
}
