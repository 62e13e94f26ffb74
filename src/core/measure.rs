//! Turns what a reader found in a file into the numbers kneeguard stores: distance, moving and
//! elapsed time, ascent and descent, and the compact series kept for recomputing later.
//!
//! The device's own totals win where the file has them (they are what the runner saw on the
//! watch); descent is always computed here as well, with one algorithm for every source, and
//! the device's figure is kept beside it.

use crate::core::descent::{self, DescentSettings};
use crate::model::{ParsedActivity, Sample};

/// The measured numbers of one activity.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Measured {
    pub distance_m: f64,
    pub moving_s: f64,
    pub elapsed_s: f64,
    pub ascent_m: Option<f64>,
    pub descent_m: Option<f64>,
    /// Distance computed from the samples alone (the device's record distance, else GPS).
    pub computed_distance_m: Option<f64>,
    /// The compact series: seconds from the start, cumulative metres, altitude metres.
    pub series: Vec<SeriesPoint>,
}

/// One point of the stored series. Missing values are NaN.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SeriesPoint {
    pub t_s: f32,
    pub distance_m: f32,
    pub altitude_m: f32,
}

/// Below this speed (m/s) between two samples the runner counts as stopped.
const MOVING_SPEED_MPS: f64 = 0.5;
/// Pauses longer than this between samples are never moving time.
const MAX_MOVING_GAP_S: f64 = 60.0;
/// A GPS step faster than this (m/s) is a glitch and does not add distance.
const MAX_GPS_SPEED_MPS: f64 = 60.0;
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Measures a parsed activity.
pub fn measure(activity: &ParsedActivity, settings: &DescentSettings) -> Measured {
    let cumulative = cumulative_distance(&activity.samples);
    let computed_distance_m = cumulative.iter().rev().find_map(|d| *d);
    let elevation = descent::elevation(&activity.samples, activity.altitude_source, settings);
    let totals = &activity.totals;

    let elapsed_from_samples = elapsed_seconds(&activity.samples);
    let elapsed_s = positive(totals.elapsed_s)
        .or(elapsed_from_samples)
        .or(positive(totals.timer_s))
        .unwrap_or(0.0);
    let moving_s = positive(totals.timer_s)
        .or_else(|| moving_seconds(&activity.samples, &cumulative))
        .unwrap_or(elapsed_s);

    let origin = activity
        .start
        .or_else(|| activity.samples.iter().find_map(|s| s.time));
    let series = activity
        .samples
        .iter()
        .zip(&cumulative)
        .map(|(s, d)| SeriesPoint {
            t_s: match (s.time, origin) {
                (Some(t), Some(o)) => (t - o).num_milliseconds() as f32 / 1000.0,
                _ => f32::NAN,
            },
            distance_m: d.map_or(f32::NAN, |d| d as f32),
            altitude_m: s.altitude_m.map_or(f32::NAN, |a| a as f32),
        })
        .collect();

    Measured {
        distance_m: totals
            .distance_m
            .filter(|d| d.is_finite() && *d >= 0.0)
            .or(computed_distance_m)
            .unwrap_or(0.0),
        moving_s,
        elapsed_s,
        ascent_m: totals
            .ascent_m
            .filter(|a| a.is_finite() && *a >= 0.0)
            .or(elevation.map(|e| e.ascent_m)),
        descent_m: elevation.map(|e| e.descent_m),
        computed_distance_m,
        series,
    }
}

fn positive(value: Option<f64>) -> Option<f64> {
    value.filter(|v| v.is_finite() && *v > 0.0)
}

/// Cumulative distance per sample: the device's own record distance when the file has it,
/// else the great-circle sum of the positions. `None` before the first known value.
pub fn cumulative_distance(samples: &[Sample]) -> Vec<Option<f64>> {
    let device_points = samples.iter().filter(|s| s.distance_m.is_some()).count();
    if device_points * 2 >= samples.len() && device_points > 0 {
        // Device distance: carry the last value forward and never let it go backwards.
        let mut best: Option<f64> = None;
        return samples
            .iter()
            .map(|s| {
                if let Some(d) = s.distance_m.filter(|d| d.is_finite() && *d >= 0.0) {
                    best = Some(best.map_or(d, |b: f64| b.max(d)));
                }
                best
            })
            .collect();
    }
    let mut total = 0.0;
    let mut previous: Option<&Sample> = None;
    let mut seen = false;
    samples
        .iter()
        .map(|s| {
            let Some(position) = s.position else {
                return seen.then_some(total);
            };
            if let Some(prev) = previous {
                let step = haversine(prev.position.unwrap_or(position), position);
                let dt = match (prev.time, s.time) {
                    (Some(a), Some(b)) => Some((b - a).num_milliseconds() as f64 / 1000.0),
                    _ => None,
                };
                let plausible = dt.is_none_or(|dt| dt <= 0.0 || step / dt <= MAX_GPS_SPEED_MPS);
                if plausible || dt.is_some_and(|dt| dt > MAX_MOVING_GAP_S) {
                    total += step;
                }
            }
            previous = Some(s);
            seen = true;
            Some(total)
        })
        .collect()
}

/// Great-circle distance in metres between two (lat, lon) points in degrees.
pub fn haversine(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

fn elapsed_seconds(samples: &[Sample]) -> Option<f64> {
    let first = samples.iter().find_map(|s| s.time)?;
    let last = samples.iter().rev().find_map(|s| s.time)?;
    positive(Some((last - first).num_milliseconds() as f64 / 1000.0))
}

/// Time spent moving: the sum of sample intervals at walking speed or faster.
fn moving_seconds(samples: &[Sample], cumulative: &[Option<f64>]) -> Option<f64> {
    let mut moving = 0.0;
    let mut any = false;
    let mut previous: Option<(chrono::DateTime<chrono::Utc>, f64)> = None;
    for (s, d) in samples.iter().zip(cumulative) {
        let (Some(t), Some(d)) = (s.time, *d) else {
            continue;
        };
        if let Some((pt, pd)) = previous {
            let dt = (t - pt).num_milliseconds() as f64 / 1000.0;
            if dt > 0.0 && dt <= MAX_MOVING_GAP_S && (d - pd) / dt >= MOVING_SPEED_MPS {
                moving += dt;
            }
            any = true;
        }
        previous = Some((t, d));
    }
    any.then_some(moving)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AltitudeSource, DeviceTotals};
    use chrono::{Duration, TimeZone, Utc};

    fn track(points: &[(f64, f64, f64)], step_s: i64) -> Vec<Sample> {
        let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
        points
            .iter()
            .enumerate()
            .map(|(i, &(lat, lon, ele))| Sample {
                time: Some(t0 + Duration::seconds(i as i64 * step_s)),
                position: Some((lat, lon)),
                altitude_m: Some(ele),
                distance_m: None,
            })
            .collect()
    }

    #[test]
    fn haversine_matches_a_known_distance() {
        // one degree of latitude is about 111.2 km
        let d = haversine((45.0, 7.0), (46.0, 7.0));
        assert!((d - 111_195.0).abs() < 50.0, "{d}");
    }

    #[test]
    fn device_totals_win_and_descent_is_computed() {
        let samples = track(
            &[(45.0, 7.0, 100.0), (45.001, 7.0, 90.0), (45.002, 7.0, 80.0)],
            30,
        );
        let activity = ParsedActivity {
            totals: DeviceTotals {
                distance_m: Some(250.0),
                timer_s: Some(55.0),
                elapsed_s: Some(70.0),
                ascent_m: Some(3.0),
                descent_m: Some(19.0),
            },
            altitude_source: AltitudeSource::Barometric,
            samples,
            ..ParsedActivity::default()
        };
        let m = measure(&activity, &DescentSettings::default());
        assert_eq!(m.distance_m, 250.0);
        assert_eq!(m.moving_s, 55.0);
        assert_eq!(m.elapsed_s, 70.0);
        assert_eq!(m.ascent_m, Some(3.0));
        assert!((m.descent_m.unwrap() - 20.0).abs() < 0.01);
        let computed = m.computed_distance_m.unwrap();
        assert!((computed - 222.4).abs() < 1.0, "{computed}");
        assert_eq!(m.series.len(), 3);
        assert_eq!(m.series[2].t_s, 60.0);
    }

    #[test]
    fn without_totals_everything_comes_from_the_samples() {
        let mut points = Vec::new();
        for i in 0..100 {
            points.push((45.0 + i as f64 * 0.0001, 7.0, 100.0));
        }
        // a 10-minute stop at the end, in place
        for _ in 0..3 {
            points.push((45.0099, 7.0, 100.0));
        }
        let activity = ParsedActivity {
            samples: track(&points, 5),
            ..ParsedActivity::default()
        };
        let m = measure(&activity, &DescentSettings::default());
        assert!((m.distance_m - 1100.8).abs() < 2.0, "{}", m.distance_m);
        assert_eq!(m.elapsed_s, 102.0 * 5.0);
        assert_eq!(m.moving_s, 99.0 * 5.0);
        assert_eq!(m.descent_m, Some(0.0));
    }

    #[test]
    fn device_record_distance_never_goes_backwards() {
        let samples: Vec<Sample> = [Some(0.0), Some(10.0), Some(5.0), None, Some(30.0)]
            .into_iter()
            .map(|d| Sample {
                distance_m: d,
                ..Sample::default()
            })
            .collect();
        let c = cumulative_distance(&samples);
        assert_eq!(
            c,
            vec![Some(0.0), Some(10.0), Some(10.0), Some(10.0), Some(30.0)]
        );
    }

    #[test]
    fn a_gps_glitch_adds_no_distance() {
        let mut points: Vec<(f64, f64, f64)> = (0..10)
            .map(|i| (45.0 + i as f64 * 0.00003, 7.0, 0.0))
            .collect();
        points[5] = (46.0, 7.0, 0.0); // 111 km away for one second
        let activity = ParsedActivity {
            samples: track(&points, 1),
            ..ParsedActivity::default()
        };
        let m = measure(&activity, &DescentSettings::default());
        assert!(m.distance_m < 40.0, "{}", m.distance_m);
    }
}
