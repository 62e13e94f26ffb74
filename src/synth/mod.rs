//! Synthetic but realistic activity files: a run along a loop with rolling hills, written as
//! FIT or GPX. They feed `kneeguard demo`'s bundled history, the benchmarks and the tests, so
//! every figure they carry (distance, climb, descent) is known exactly.

pub mod fit_writer;

use crate::model::Sample;
use chrono::{DateTime, Duration, Utc};
use std::fmt::Write as _;

/// A chained FIT file of at least `bytes` bytes: one long run a day from `first` on (30 km,
/// 1 Hz, about 200 KB each), each its own FIT part, as a watch that keeps every recording
/// in one file writes them.
pub fn chained_fit(first: DateTime<Utc>, bytes: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes + 256 * 1024);
    let mut day = 0;
    while out.len() < bytes {
        let mut course = Course::new(first + Duration::days(day), 30_000.0, 150.0 + day as f64);
        course.seed = day as u64;
        out.extend(course.to_fit(fit_writer::FitSport::RUN, day as u32 + 1));
        day += 1;
    }
    out
}

/// One synthetic run or ride.
#[derive(Debug, Clone)]
pub struct Course {
    pub start: DateTime<Utc>,
    pub utc_offset_s: i32,
    pub distance_m: f64,
    /// Seconds per kilometre.
    pub pace_s_per_km: f64,
    /// Total climb, equal to the total descent (the course is a loop).
    pub climb_m: f64,
    /// Where the loop starts (degrees).
    pub origin: (f64, f64),
    /// Seconds between samples.
    pub interval_s: i64,
    /// Seeds the small altitude noise.
    pub seed: u64,
}

impl Course {
    /// A flat-ish 1 Hz loop near Zurich, for quick tests.
    pub fn new(start: DateTime<Utc>, distance_m: f64, climb_m: f64) -> Course {
        Course {
            start,
            utc_offset_s: 3600,
            distance_m,
            pace_s_per_km: 330.0,
            climb_m,
            origin: (47.3769, 8.5417),
            interval_s: 1,
            seed: 1,
        }
    }

    /// The recorded points: positions on a loop, a cumulative distance, and an altitude profile
    /// of whole hills (each climbed and descended once) with sub-metre sensor noise.
    pub fn samples(&self) -> Vec<Sample> {
        let duration_s = (self.distance_m / 1000.0 * self.pace_s_per_km).max(1.0);
        let steps = (duration_s / self.interval_s.max(1) as f64).ceil() as usize;
        let hills = ((self.distance_m / 3000.0).round() as usize).max(1) as f64;
        let amplitude = self.climb_m / hills;
        let radius_m = self.distance_m / (2.0 * std::f64::consts::PI);
        let metres_per_deg_lat = 111_195.0;
        let metres_per_deg_lon = metres_per_deg_lat * self.origin.0.to_radians().cos();
        let mut noise = SplitMix(self.seed);
        (0..=steps)
            .map(|i| {
                let fraction = i as f64 / steps as f64;
                let d = self.distance_m * fraction;
                let angle = 2.0 * std::f64::consts::PI * fraction;
                let north = radius_m * angle.sin();
                let east = radius_m * (1.0 - angle.cos());
                let profile =
                    amplitude * (1.0 - (2.0 * std::f64::consts::PI * hills * fraction).cos()) / 2.0;
                Sample {
                    time: Some(self.start + Duration::seconds(i as i64 * self.interval_s)),
                    position: Some((
                        self.origin.0 + north / metres_per_deg_lat,
                        self.origin.1 + east / metres_per_deg_lon,
                    )),
                    distance_m: Some(d),
                    altitude_m: Some(420.0 + profile + noise.next_centred() * 0.3),
                }
            })
            .collect()
    }

    /// The course as a FIT activity file with device totals.
    pub fn to_fit(&self, sport: fit_writer::FitSport, serial: u32) -> Vec<u8> {
        let samples = self.samples();
        let timer = samples
            .last()
            .and_then(|s| s.time)
            .map_or(0.0, |t| (t - self.start).num_seconds() as f64);
        fit_writer::encode(&fit_writer::FitActivity {
            sport,
            start: self.start,
            utc_offset_s: self.utc_offset_s,
            samples: &samples,
            total_distance_m: self.distance_m,
            total_timer_s: timer,
            total_ascent_m: self.climb_m,
            total_descent_m: self.climb_m,
            serial,
        })
    }

    /// The course as a GPX 1.1 track (what phone apps export).
    pub fn to_gpx(&self, name: &str, kind: &str) -> String {
        let mut out = String::with_capacity(200 + self.distance_m as usize / 3 * 110);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.push_str("<gpx version=\"1.1\" creator=\"kneeguard synth\" xmlns=\"http://www.topografix.com/GPX/1/1\">\n");
        let _ = writeln!(
            out,
            " <trk><name>{}</name><type>{}</type><trkseg>",
            escape(name),
            escape(kind)
        );
        for s in self.samples() {
            let (lat, lon) = s.position.unwrap_or_default();
            let _ = writeln!(
                out,
                "  <trkpt lat=\"{lat:.7}\" lon=\"{lon:.7}\"><ele>{:.1}</ele><time>{}</time></trkpt>",
                s.altitude_m.unwrap_or_default(),
                s.time.map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_default()
            );
        }
        out.push_str(" </trkseg></trk>\n</gpx>\n");
        out
    }
}

/// An indoor session (elliptical, spin bike, strength) as a FIT file: timed records without
/// position, distance or altitude.
pub fn indoor_fit(
    sport: fit_writer::FitSport,
    start: DateTime<Utc>,
    utc_offset_s: i32,
    minutes: u32,
    serial: u32,
) -> Vec<u8> {
    let samples: Vec<Sample> = (0..=i64::from(minutes) * 6)
        .map(|i| Sample {
            time: Some(start + Duration::seconds(i * 10)),
            ..Sample::default()
        })
        .collect();
    fit_writer::encode(&fit_writer::FitActivity {
        sport,
        start,
        utc_offset_s,
        samples: &samples,
        total_distance_m: 0.0,
        total_timer_s: f64::from(minutes) * 60.0,
        total_ascent_m: 0.0,
        total_descent_m: 0.0,
        serial,
    })
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A tiny deterministic generator (SplitMix64), so that synthetic files are reproducible.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [-1, 1).
    fn next_centred(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::descent::{elevation, DescentSettings};
    use crate::core::measure::cumulative_distance;
    use crate::model::AltitudeSource;
    use chrono::TimeZone;

    #[test]
    fn a_course_carries_its_distance_and_climb() {
        let start = Utc.with_ymd_and_hms(2026, 4, 1, 6, 0, 0).unwrap();
        let course = Course::new(start, 10_000.0, 120.0);
        let samples = course.samples();
        assert_eq!(samples.len(), 3301);
        let e = elevation(
            &samples,
            AltitudeSource::Barometric,
            &DescentSettings::default(),
        )
        .unwrap();
        assert!((e.descent_m - 120.0).abs() < 3.0, "{e:?}");
        assert!((e.ascent_m - 120.0).abs() < 3.0, "{e:?}");
        // the loop's GPS length is the distance (within the polygon's shortfall)
        let gps: Vec<crate::model::Sample> = samples
            .iter()
            .map(|s| crate::model::Sample {
                distance_m: None,
                ..*s
            })
            .collect();
        let d = cumulative_distance(&gps).last().copied().flatten().unwrap();
        assert!((d - 10_000.0).abs() < 20.0, "{d}");
    }
}
