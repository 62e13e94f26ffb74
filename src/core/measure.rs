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

/// Measures a parsed activity: one pass over the samples, each time read once.
pub fn measure(activity: &ParsedActivity, settings: &DescentSettings) -> Measured {
    let samples = &activity.samples;
    let elevation = descent::elevation(samples, activity.altitude_source, settings);
    let totals = &activity.totals;
    let origin_ms = activity
        .start
        .or_else(|| samples.iter().find_map(|s| s.time))
        .map(|t| t.timestamp_millis());

    let mut distance = Cumulative::new(samples);
    let mut moving = Moving::default();
    let mut span: Option<(i64, i64)> = None;
    let mut series = Vec::with_capacity(samples.len());
    for sample in samples {
        let t_ms = sample.time.map(|t| t.timestamp_millis());
        let d = distance.step(sample, t_ms);
        if let Some(t) = t_ms {
            moving.step(t, d);
            span = Some(span.map_or((t, t), |(first, _)| (first, t)));
        }
        series.push(SeriesPoint {
            t_s: match (t_ms, origin_ms) {
                (Some(t), Some(o)) => (t - o) as f32 / 1000.0,
                _ => f32::NAN,
            },
            distance_m: d.map_or(f32::NAN, |d| d as f32),
            altitude_m: sample.altitude_m.map_or(f32::NAN, |a| a as f32),
        });
    }
    let computed_distance_m = distance.last;

    let elapsed_from_samples = span.and_then(|(first, last)| positive(Some(seconds(last - first))));
    let elapsed_s = positive(totals.elapsed_s)
        .or(elapsed_from_samples)
        .or(positive(totals.timer_s))
        .unwrap_or(0.0);
    let moving_s = positive(totals.timer_s)
        .or(moving.total())
        .unwrap_or(elapsed_s);

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

fn seconds(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

/// Cumulative distance per sample: the device's own record distance when the file has it,
/// else the great-circle sum of the positions. `None` before the first known value.
pub fn cumulative_distance(samples: &[Sample]) -> Vec<Option<f64>> {
    let mut distance = Cumulative::new(samples);
    samples
        .iter()
        .map(|s| distance.step(s, s.time.map(|t| t.timestamp_millis())))
        .collect()
}

/// The running cumulative distance, a sample at a time.
struct Cumulative {
    /// The device's record distance (carried forward, never backwards), else the GPS sum.
    device: bool,
    /// The value at the last sample that had one.
    last: Option<f64>,
    /// GPS: the last position and its time.
    previous: Option<((f64, f64), Option<i64>)>,
}

impl Cumulative {
    fn new(samples: &[Sample]) -> Self {
        let device_points = samples.iter().filter(|s| s.distance_m.is_some()).count();
        Cumulative {
            device: device_points > 0 && device_points * 2 >= samples.len(),
            last: None,
            previous: None,
        }
    }

    fn step(&mut self, sample: &Sample, t_ms: Option<i64>) -> Option<f64> {
        if self.device {
            if let Some(d) = sample.distance_m.filter(|d| d.is_finite() && *d >= 0.0) {
                self.last = Some(self.last.map_or(d, |best| best.max(d)));
            }
            return self.last;
        }
        let Some(position) = sample.position else {
            return self.last;
        };
        let mut total = self.last.unwrap_or(0.0);
        if let Some((previous, previous_ms)) = self.previous {
            let step = haversine(previous, position);
            let dt = previous_ms.zip(t_ms).map(|(a, b)| seconds(b - a));
            let plausible = dt.is_none_or(|dt| dt <= 0.0 || step / dt <= MAX_GPS_SPEED_MPS);
            if plausible || dt.is_some_and(|dt| dt > MAX_MOVING_GAP_S) {
                total += step;
            }
        }
        self.previous = Some((position, t_ms));
        self.last = Some(total);
        self.last
    }
}

/// Great-circle distance in metres between two (lat, lon) points in degrees.
pub fn haversine(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// Time spent moving: the sum of sample intervals at walking speed or faster.
#[derive(Default)]
struct Moving {
    seconds: f64,
    /// Whether any two timed samples with a distance followed each other.
    any: bool,
    previous: Option<(i64, f64)>,
}

impl Moving {
    fn step(&mut self, t_ms: i64, distance: Option<f64>) {
        let Some(d) = distance else {
            return;
        };
        if let Some((pt, pd)) = self.previous {
            let dt = seconds(t_ms - pt);
            if dt > 0.0 && dt <= MAX_MOVING_GAP_S && (d - pd) / dt >= MOVING_SPEED_MPS {
                self.seconds += dt;
            }
            self.any = true;
        }
        self.previous = Some((t_ms, d));
    }

    fn total(&self) -> Option<f64> {
        self.any.then_some(self.seconds)
    }
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
