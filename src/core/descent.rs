//! Elevation gain and loss from an altitude series, robust to real-world recordings.
//!
//! Summing every altitude drop over-counts badly (a median 2.1x the device's own figure on the
//! corpus, DOMAIN.md §3). This module cleans the series first and then applies hysteresis:
//!
//! 1. **Invalid samples** (non-finite, outside -500..9000 m, FIT sentinels) are dropped.
//! 2. **Gaps** (a pause or time jump longer than `max_gap_s`, or a jump in distance) split the
//!    series into segments; the level change across a gap is never counted.
//! 3. **Spikes**: a running median over `median_window` samples removes isolated outliers, and a
//!    sample that moves faster than `max_vertical_speed_mps` from its predecessor is dropped, so
//!    no single spike can add 100 m.
//! 4. **GPS altitude** (phones, app exports) is noisy, so it is smoothed with a moving average
//!    over about `gps_smoothing_s` seconds before the hysteresis.
//! 5. **Hysteresis**: a climb or descent counts only once it exceeds the threshold (3 m for
//!    barometric data, as GoldenCheetah and Runalyze use; more for GPS), and then counts in full
//!    from its turning point.
//!
//! Devices do not agree on how much of a series' small swings to count: the threshold that
//! reproduces each device's own total ranges from 0 to 8 m on series of the same interval and
//! resolution, so no threshold matches every device (README, "Descent"). 3 m lies in the flat
//! optimum of the error against all of them.

use crate::model::{AltitudeSource, Sample};
use serde::{Deserialize, Serialize};

/// Tunable parameters of the descent computation (all have DOMAIN.md defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DescentSettings {
    /// Hysteresis for barometric altitude, metres (GoldenCheetah and Runalyze use 3 m).
    pub hysteresis_barometric_m: f64,
    /// Hysteresis for GPS altitude, metres (noisier, so larger).
    pub hysteresis_gps_m: f64,
    /// Moving-average window for GPS altitude, seconds.
    pub gps_smoothing_s: f64,
    /// Running-median window, samples (odd; 1 disables it).
    pub median_window: usize,
    /// A pause longer than this splits the series; the level change across it is not counted.
    pub max_gap_s: f64,
    /// Vertical speed above which a sample is taken as a spike, metres per second.
    pub max_vertical_speed_mps: f64,
}

impl Default for DescentSettings {
    fn default() -> Self {
        DescentSettings {
            hysteresis_barometric_m: 3.0,
            hysteresis_gps_m: 5.0,
            gps_smoothing_s: 30.0,
            median_window: 5,
            max_gap_s: 120.0,
            max_vertical_speed_mps: 5.0,
        }
    }
}

/// Total climb and descent of one activity, metres.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Elevation {
    pub ascent_m: f64,
    pub descent_m: f64,
}

const MIN_ALTITUDE_M: f64 = -500.0;
const MAX_ALTITUDE_M: f64 = 9000.0;
/// A spike allowance that does not depend on time (covers coarse sampling).
const SPIKE_ALLOWANCE_M: f64 = 10.0;

/// Computes ascent and descent, or `None` when the samples carry no usable altitude.
pub fn elevation(
    samples: &[Sample],
    source: AltitudeSource,
    settings: &DescentSettings,
) -> Option<Elevation> {
    let (points, ends) = clean_segments(samples, settings);
    let segments = || {
        let starts = std::iter::once(0).chain(ends.iter().copied());
        starts.zip(ends.iter().copied()).map(|(a, b)| &points[a..b])
    };
    if segments().all(|s| s.len() < 2) {
        return None;
    }
    let threshold = match source {
        AltitudeSource::Barometric => settings.hysteresis_barometric_m,
        AltitudeSource::Gps => settings.hysteresis_gps_m,
    };
    let mut total = Elevation::default();
    let mut altitudes = Vec::with_capacity(points.len());
    for segment in segments() {
        median_filter(segment, settings.median_window, &mut altitudes);
        if source == AltitudeSource::Gps {
            altitudes = moving_average(segment, &altitudes, settings.gps_smoothing_s);
        }
        let leg = hysteresis(&altitudes, threshold);
        total.ascent_m += leg.ascent_m;
        total.descent_m += leg.descent_m;
    }
    Some(total)
}

/// A valid altitude reading with its time (seconds from the first sample) when known.
#[derive(Debug, Clone, Copy)]
struct Point {
    t: Option<f64>,
    altitude: f64,
}

/// Drops invalid readings and spikes, and splits the series at pauses and time jumps: the
/// points, and the end of each segment in them.
fn clean_segments(samples: &[Sample], settings: &DescentSettings) -> (Vec<Point>, Vec<usize>) {
    let origin_ms = samples
        .iter()
        .find_map(|s| s.time)
        .map(|t| t.timestamp_millis());
    let mut points: Vec<Point> = Vec::with_capacity(samples.len());
    let mut ends = Vec::new();
    let mut segment_start = 0;
    let mut last_distance: Option<f64> = None;
    for sample in samples {
        let Some(altitude) = sample.altitude_m else {
            continue;
        };
        if !altitude.is_finite() || !(MIN_ALTITUDE_M..=MAX_ALTITUDE_M).contains(&altitude) {
            continue;
        }
        let t = match (sample.time, origin_ms) {
            (Some(time), Some(origin)) => Some((time.timestamp_millis() - origin) as f64 / 1000.0),
            _ => None,
        };
        let point = Point { t, altitude };
        if let Some(prev) = points[segment_start..].last().copied() {
            let dt = match (point.t, prev.t) {
                (Some(a), Some(b)) => Some(a - b),
                _ => None,
            };
            // Time going backwards or a long pause: start a new segment.
            let gap = dt.is_some_and(|dt| dt < 0.0 || dt > settings.max_gap_s)
                || distance_jump(last_distance, sample.distance_m);
            if gap {
                ends.push(points.len());
                segment_start = points.len();
            } else {
                let allowed =
                    SPIKE_ALLOWANCE_M + settings.max_vertical_speed_mps * dt.unwrap_or(0.0);
                if (point.altitude - prev.altitude).abs() > allowed {
                    continue; // a spike: skip it, the next good sample will be compared to `prev`
                }
            }
        }
        points.push(point);
        last_distance = sample.distance_m.or(last_distance);
    }
    ends.push(points.len());
    (points, ends)
}

/// A jump of more than 1 km between consecutive samples is a lost-signal gap, not running.
fn distance_jump(previous: Option<f64>, current: Option<f64>) -> bool {
    matches!((previous, current), (Some(a), Some(b)) if (b - a).abs() > 1000.0)
}

/// Running median over `window` samples into `out`; the first and last `window / 2` samples
/// are kept as they are, so the start and end altitudes survive.
fn median_filter(points: &[Point], window: usize, out: &mut Vec<f64>) {
    let half = window / 2;
    let n = points.len();
    out.clear();
    out.extend(points.iter().map(|p| p.altitude));
    if half == 0 || n < window {
        return;
    }
    // Each window of samples around a middle one (an even window takes one more) gives the
    // median of that middle sample.
    let span = 2 * half + 1;
    let middles = out[half..n - half].iter_mut().zip(points.windows(span));
    if span == 5 {
        // The default window: a fixed network of comparisons, no sorting.
        for (median, w) in middles {
            *median = median_of_5([0, 1, 2, 3, 4].map(|k| w[k].altitude));
        }
        return;
    }
    let mut buffer = vec![0.0; span];
    for (median, w) in middles {
        for (slot, p) in buffer.iter_mut().zip(w) {
            *slot = p.altitude;
        }
        buffer.sort_unstable_by(f64::total_cmp);
        *median = buffer[half];
    }
}

/// The median of five values (all finite) in six comparisons: of two ordered pairs, the
/// lower end that lies below three others cannot be the median and gives way to the fifth
/// value; the median is then the second smallest of the four left.
fn median_of_5([a, b, c, d, e]: [f64; 5]) -> f64 {
    let ordered = |x: f64, y: f64| if x <= y { (x, y) } else { (y, x) };
    let ((a, b), (c, d)) = (ordered(a, b), ordered(c, d));
    let ((a, b), (c, d)) = if a < c {
        (ordered(e, b), (c, d))
    } else {
        ((a, b), ordered(e, d))
    };
    if a < c {
        b.min(c)
    } else {
        a.min(d)
    }
}

/// Centred moving average over about `window_s` seconds (or 7 samples without times).
fn moving_average(points: &[Point], altitudes: &[f64], window_s: f64) -> Vec<f64> {
    let n = points.len();
    if n < 3 {
        return altitudes.to_vec();
    }
    let half = match (points[0].t, points[n - 1].t) {
        (Some(first), Some(last)) if last > first => {
            let interval = (last - first) / (n - 1) as f64;
            ((window_s / 2.0) / interval.max(0.1)).round() as usize
        }
        _ => 3,
    }
    .clamp(1, 50);
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0.0);
    for a in altitudes {
        prefix.push(prefix.last().copied().unwrap_or(0.0) + a);
    }
    (0..n)
        .map(|i| {
            let lo = i.saturating_sub(half);
            let hi = (i + half + 1).min(n);
            (prefix[hi] - prefix[lo]) / (hi - lo) as f64
        })
        .collect()
}

#[derive(Clone, Copy, PartialEq)]
enum Direction {
    Unknown,
    Up,
    Down,
}

/// Counts full climbs and descents whose size exceeds `threshold`.
fn hysteresis(altitudes: &[f64], threshold: f64) -> Elevation {
    let mut result = Elevation::default();
    let Some(&first) = altitudes.first() else {
        return result;
    };
    let (mut low, mut high) = (first, first);
    let mut anchor = first; // the last turning point
    let mut extreme = first; // the furthest point of the current leg
    let mut direction = Direction::Unknown;
    for &a in &altitudes[1..] {
        match direction {
            Direction::Unknown => {
                low = low.min(a);
                high = high.max(a);
                if a - low > threshold {
                    direction = Direction::Up;
                    anchor = low;
                    extreme = a;
                } else if high - a > threshold {
                    direction = Direction::Down;
                    anchor = high;
                    extreme = a;
                }
            }
            Direction::Up => {
                if a > extreme {
                    extreme = a;
                } else if extreme - a > threshold {
                    result.ascent_m += extreme - anchor;
                    anchor = extreme;
                    extreme = a;
                    direction = Direction::Down;
                }
            }
            Direction::Down => {
                if a < extreme {
                    extreme = a;
                } else if a - extreme > threshold {
                    result.descent_m += anchor - extreme;
                    anchor = extreme;
                    extreme = a;
                    direction = Direction::Up;
                }
            }
        }
    }
    match direction {
        Direction::Up => result.ascent_m += extreme - anchor,
        Direction::Down => result.descent_m += anchor - extreme,
        Direction::Unknown => {}
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Duration, TimeZone, Utc};
    use proptest::prelude::*;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 1, 7, 0, 0).unwrap()
    }

    /// One sample a second with the given altitudes.
    fn series(altitudes: &[f64]) -> Vec<Sample> {
        altitudes
            .iter()
            .enumerate()
            .map(|(i, &a)| Sample {
                time: Some(t0() + Duration::seconds(i as i64)),
                altitude_m: Some(a),
                ..Sample::default()
            })
            .collect()
    }

    fn baro(altitudes: &[f64]) -> Elevation {
        elevation(
            &series(altitudes),
            AltitudeSource::Barometric,
            &DescentSettings::default(),
        )
        .unwrap()
    }

    /// A smooth ramp from `from` to `to`, 0.5 m per second.
    fn ramp(from: f64, to: f64) -> Vec<f64> {
        let steps = ((to - from).abs() / 0.5) as usize;
        (0..=steps)
            .map(|i| from + (to - from) * i as f64 / steps as f64)
            .collect()
    }

    #[test]
    fn a_hill_counts_its_full_climb_and_descent() {
        let mut alts = ramp(100.0, 150.0);
        alts.extend(ramp(150.0, 80.0));
        let e = baro(&alts);
        assert!((e.ascent_m - 50.0).abs() < 1.0, "{e:?}");
        assert!((e.descent_m - 70.0).abs() < 1.0, "{e:?}");
    }

    #[test]
    fn noise_below_the_threshold_is_ignored() {
        let alts: Vec<f64> = (0..600)
            .map(|i| 200.0 + if i % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        let e = baro(&alts);
        assert_eq!(e.descent_m, 0.0);
        assert_eq!(e.ascent_m, 0.0);
    }

    #[test]
    fn a_single_spike_adds_nothing() {
        let mut alts = vec![100.0; 300];
        alts[150] = 250.0;
        alts[151] = 0.0;
        let e = baro(&alts);
        assert_eq!(e.descent_m, 0.0, "{e:?}");
    }

    #[test]
    fn invalid_altitudes_are_ignored() {
        let mut alts = ramp(100.0, 60.0);
        alts[10] = f64::NAN;
        alts[20] = 4587.0 + 9000.0;
        alts[30] = -9999.0;
        let e = baro(&alts);
        assert!((e.descent_m - 40.0).abs() < 1.0, "{e:?}");
    }

    #[test]
    fn the_level_change_across_a_long_pause_is_not_counted() {
        let mut samples = series(&vec![300.0; 60]);
        // after a 20-minute pause (a lift, a car), the recording goes on 150 m lower
        let restart = t0() + Duration::seconds(60 + 1200);
        samples.extend((0..60).map(|i| Sample {
            time: Some(restart + Duration::seconds(i)),
            altitude_m: Some(150.0),
            ..Sample::default()
        }));
        let e = elevation(
            &samples,
            AltitudeSource::Barometric,
            &DescentSettings::default(),
        )
        .unwrap();
        assert_eq!(e.descent_m, 0.0);
    }

    #[test]
    fn gps_noise_is_smoothed_away() {
        // flat ground with +-4 m GPS jitter: the naive sum would be hundreds of metres
        let alts: Vec<f64> = (0..1800)
            .map(|i| 50.0 + 4.0 * ((i as f64) * 1.7).sin())
            .collect();
        let e = elevation(
            &series(&alts),
            AltitudeSource::Gps,
            &DescentSettings::default(),
        )
        .unwrap();
        assert!(e.descent_m < 5.0, "{e:?}");
    }

    #[test]
    fn samples_without_times_still_give_elevation() {
        let samples: Vec<Sample> = ramp(80.0, 20.0)
            .into_iter()
            .map(|a| Sample {
                altitude_m: Some(a),
                ..Sample::default()
            })
            .collect();
        let e = elevation(&samples, AltitudeSource::Gps, &DescentSettings::default()).unwrap();
        assert!((e.descent_m - 60.0).abs() < 2.0, "{e:?}");
    }

    #[test]
    fn no_altitude_gives_none() {
        let samples = vec![Sample::default(); 10];
        assert_eq!(
            elevation(
                &samples,
                AltitudeSource::Barometric,
                &DescentSettings::default()
            ),
            None
        );
    }

    proptest! {
        #[test]
        fn the_median_of_five_is_the_middle_of_the_sorted_five(
            values in proptest::array::uniform5(prop_oneof![-3.0f64..3.0, (0i32..3).prop_map(f64::from)])
        ) {
            let mut sorted = values;
            sorted.sort_by(f64::total_cmp);
            prop_assert_eq!(median_of_5(values), sorted[2]);
        }

        #[test]
        fn each_window_takes_the_median_of_its_samples(
            alts in proptest::collection::vec(0.0f64..50.0, 0..40),
            window in 1usize..9,
        ) {
            let points: Vec<Point> = alts.iter().map(|&altitude| Point { t: None, altitude }).collect();
            let mut filtered = Vec::new();
            median_filter(&points, window, &mut filtered);
            let half = window / 2;
            for (i, value) in filtered.iter().enumerate() {
                let expected = if i < half || i + half >= alts.len() || alts.len() < window {
                    alts[i]
                } else {
                    let mut around = alts[i - half..=i + half].to_vec();
                    around.sort_by(f64::total_cmp);
                    around[half]
                };
                prop_assert_eq!(*value, expected, "sample {}", i);
            }
        }

        #[test]
        fn never_panics_and_never_exceeds_the_naive_sum(
            alts in proptest::collection::vec(prop_oneof![
                -1000.0f64..10000.0,
                Just(f64::NAN),
                Just(f64::INFINITY),
            ], 0..400),
            gps in any::<bool>(),
        ) {
            let source = if gps { AltitudeSource::Gps } else { AltitudeSource::Barometric };
            let samples = series(&alts);
            if let Some(e) = elevation(&samples, source, &DescentSettings::default()) {
                let valid: Vec<f64> = alts.iter().copied()
                    .filter(|a| a.is_finite() && (MIN_ALTITUDE_M..=MAX_ALTITUDE_M).contains(a))
                    .collect();
                let naive: f64 = valid.windows(2).map(|w| (w[0] - w[1]).max(0.0)).sum();
                prop_assert!(e.descent_m >= 0.0 && e.ascent_m >= 0.0);
                prop_assert!(e.descent_m <= naive + 1e-6, "descent {} > naive {}", e.descent_m, naive);
            }
        }

        #[test]
        fn descent_of_a_monotone_fall_is_its_height(top in 100.0f64..3000.0, drop in 10.0f64..500.0) {
            let e = baro(&ramp(top, top - drop));
            prop_assert!((e.descent_m - drop).abs() < 0.01 * drop + 0.5, "{e:?} for drop {drop}");
            prop_assert_eq!(e.ascent_m, 0.0);
        }
    }
}
