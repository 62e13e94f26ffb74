//! Plausibility: records no runner can have made (a 200 km "run" in six hours, 42,946 km in
//! 148 s, a session of 5.8 years, a run dated 2099) and runs far beyond the runner's own history,
//! so that a typo or a damaged file never becomes the load a plan is built on (DOMAIN.md §6).
//!
//! Two levels. An *impossible* record breaks a physical limit: faster than the world record for
//! its distance (with a margin for GPS and treadmill error), longer than any single session, or
//! dated outside 1990..=today. `add` and the importers refuse those with the reason. An
//! *unusual* run is possible but far beyond the runner's recent longest run (more than three
//! times it, and over 30 km): it is stored, flagged, and left out of every estimate until the
//! runner confirms it (`activities edit ID --confirm`) or fixes it.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use crate::core::load::{local_date, shift};
use crate::model::{Activity, Category, Sport};

/// The earliest day a recording can be from (GPS watches and the FIT epoch came after it).
pub const EARLIEST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(1990, 1, 1) {
    Some(day) => day,
    None => panic!("1990-01-01 is a valid date"),
};

/// The longest single session, moving or elapsed: eight days (multi-day races recorded as one
/// activity are rare but real; a "session" of years is a damaged file).
pub const MAX_SESSION_S: f64 = 8.0 * 86_400.0;

/// The longest distance one session can be given by hand (`add`, `activities edit`).
pub const MAX_MANUAL_DISTANCE_M: f64 = 1_000_000.0;

/// The most descent one session can be given by hand: more than any multi-day mountain race.
pub const MAX_MANUAL_DESCENT_M: f64 = 20_000.0;

/// A run may be this much faster than the world record for its distance: GPS over-measures
/// winding routes and treadmills can be miscalibrated by a few percent, never by 15%.
pub const RECORD_MARGIN: f64 = 1.15;

/// Average speed limits of the other sports, metres per second (far above any amateur's).
const MAX_CROSS_SPEED_MPS: f64 = 30.0;

/// Men's world records as (distance in metres, time in seconds), the fastest a human has
/// covered each distance; between them the speed is interpolated on log distance.
const RECORDS: [(f64, f64); 11] = [
    (100.0, 9.58),
    (400.0, 43.03),
    (1_500.0, 206.0),
    (5_000.0, 755.4),
    (10_000.0, 1_571.0),
    (21_097.5, 3_451.0),
    (42_195.0, 7_235.0),
    (100_000.0, 21_935.0),
    (319_614.0, 86_400.0),
    (473_495.0, 172_800.0),
    (1_036_800.0, 518_400.0),
];

/// A run this many times the longest run of the window before it is unusual...
pub const UNUSUAL_FACTOR: f64 = 3.0;
/// ...when it is also longer than this (a first half marathon after 5 km runs is a spike, not a
/// typo; the spike rules deal with it).
pub const UNUSUAL_MIN_M: f64 = 30_000.0;
/// The window the unusual rule looks back, days.
pub const UNUSUAL_WINDOW_DAYS: i64 = 90;

/// Why a record cannot be what it says. Numbers in metres, seconds and metres per second.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Implausible {
    /// Faster than the world record for the distance (times [`RECORD_MARGIN`]).
    FasterThanRecord {
        distance_m: f64,
        duration_s: f64,
        speed_mps: f64,
        record_speed_mps: f64,
    },
    /// Faster than any cross-training sport is done on average.
    TooFast { speed_mps: f64, limit_mps: f64 },
    /// Longer than any single session.
    TooLong { duration_s: f64, limit_s: f64 },
    /// A distance with no duration at all.
    NoDuration { distance_m: f64 },
    /// Dated before 1990.
    TooEarly { date: NaiveDate },
    /// Dated after today.
    InTheFuture { date: NaiveDate, today: NaiveDate },
    /// Possible, but far beyond the runner's own history: more than [`UNUSUAL_FACTOR`] times
    /// the longest run of the [`UNUSUAL_WINDOW_DAYS`] days before it (at least 10 km).
    Unusual {
        distance_m: f64,
        reference_m: f64,
        factor: f64,
    },
}

impl Implausible {
    /// The stable code, as in JSON.
    pub fn code(&self) -> &'static str {
        match self {
            Implausible::FasterThanRecord { .. } => "faster_than_record",
            Implausible::TooFast { .. } => "too_fast",
            Implausible::TooLong { .. } => "too_long",
            Implausible::NoDuration { .. } => "no_duration",
            Implausible::TooEarly { .. } => "too_early",
            Implausible::InTheFuture { .. } => "in_the_future",
            Implausible::Unusual { .. } => "unusual",
        }
    }
}

/// The fastest average speed a human has run `distance_m` at, metres per second.
pub fn record_speed(distance_m: f64) -> f64 {
    let speed = |(d, t): (f64, f64)| d / t;
    let first = RECORDS[0];
    let last = RECORDS[RECORDS.len() - 1];
    if !distance_m.is_finite() || distance_m <= first.0 {
        return speed(first);
    }
    if distance_m >= last.0 {
        return speed(last);
    }
    let i = RECORDS.partition_point(|(d, _)| *d < distance_m).max(1);
    let (a, b) = (RECORDS[i - 1], RECORDS[i]);
    let x = (distance_m.ln() - a.0.ln()) / (b.0.ln() - a.0.ln());
    speed(a) + x * (speed(b) - speed(a))
}

/// The numbers of one record, as `add`, the importers and the store see them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Record {
    pub sport: Sport,
    pub start: Option<DateTime<Utc>>,
    pub utc_offset_s: i32,
    pub distance_m: f64,
    pub moving_s: f64,
    pub elapsed_s: f64,
}

impl Record {
    pub fn of(a: &Activity) -> Record {
        Record {
            sport: a.sport,
            start: a.start,
            utc_offset_s: a.utc_offset_s,
            distance_m: a.distance_m,
            moving_s: a.moving_s,
            elapsed_s: a.elapsed_s,
        }
    }

    pub fn of_new(a: &crate::model::NewActivity) -> Record {
        Record {
            sport: a.sport,
            start: a.start,
            utc_offset_s: a.utc_offset_s,
            distance_m: a.distance_m,
            moving_s: a.moving_s,
            elapsed_s: a.elapsed_s,
        }
    }

    fn local_date(&self) -> Option<NaiveDate> {
        let local = self
            .start?
            .checked_add_signed(Duration::seconds(i64::from(self.utc_offset_s)))?;
        Some(local.date_naive())
    }
}

/// What makes `record` impossible, if anything; `today` is the runner's local day. A record
/// without a start is not judged on its date.
pub fn impossible(record: &Record, today: NaiveDate) -> Option<Implausible> {
    if let Some(date) = record.local_date() {
        if date < EARLIEST_DAY {
            return Some(Implausible::TooEarly { date });
        }
        // One day of slack: a run logged in a time zone ahead of the runner's.
        if date > shift(today, 1) {
            return Some(Implausible::InTheFuture { date, today });
        }
    }
    let finite = |v: f64| if v.is_finite() { v.max(0.0) } else { 0.0 };
    let (distance, moving, elapsed) = (
        finite(record.distance_m),
        finite(record.moving_s),
        finite(record.elapsed_s),
    );
    let longest = moving.max(elapsed);
    if longest > MAX_SESSION_S || !record.moving_s.is_finite() || !record.elapsed_s.is_finite() {
        return Some(Implausible::TooLong {
            duration_s: longest,
            limit_s: MAX_SESSION_S,
        });
    }
    if distance <= 0.0 && record.distance_m.is_finite() {
        return None;
    }
    // Moving time is what a recording's speed is judged on; a record with only elapsed time
    // (a manual entry, some exports) is judged on that.
    let duration = if moving > 0.0 { moving } else { elapsed };
    if duration <= 0.0 || !record.distance_m.is_finite() {
        return Some(Implausible::NoDuration {
            distance_m: distance,
        });
    }
    let speed = distance / duration;
    match record.sport.category() {
        Category::Run => {
            let limit = record_speed(distance) * RECORD_MARGIN;
            (speed > limit).then_some(Implausible::FasterThanRecord {
                distance_m: distance,
                duration_s: duration,
                speed_mps: speed,
                record_speed_mps: limit,
            })
        }
        _ => (speed > MAX_CROSS_SPEED_MPS).then_some(Implausible::TooFast {
            speed_mps: speed,
            limit_mps: MAX_CROSS_SPEED_MPS,
        }),
    }
}

/// A stored activity that every estimate leaves out until the runner fixes or confirms it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flagged {
    pub activity_id: i64,
    pub date: Option<NaiveDate>,
    pub sport: Sport,
    pub distance_m: f64,
    pub moving_s: f64,
    pub problem: Implausible,
}

/// The stored activities up to `today` that are impossible or (runs only) unusual for the
/// runner, oldest first; confirmed activities are never flagged. The unusual rule compares each
/// run with the longest run of the 90 days before it, among the runs that are not flagged.
pub fn review(activities: &[Activity], today: NaiveDate) -> Vec<Flagged> {
    let mut ordered: Vec<&Activity> = activities.iter().collect();
    ordered.sort_by_key(|a| (a.start, a.id));
    let mut flagged = Vec::new();
    // (date, distance) of the accepted runs, in start order.
    let mut accepted: Vec<(NaiveDate, f64)> = Vec::new();
    for a in ordered {
        let date = local_date(a);
        let problem = impossible(&Record::of(a), today).or_else(|| unusual(a, date, &accepted));
        match problem {
            Some(problem) if !a.confirmed => flagged.push(Flagged {
                activity_id: a.id,
                date,
                sport: a.sport,
                distance_m: a.distance_m,
                moving_s: a.moving_s,
                problem,
            }),
            _ => {
                if let (Some(date), true) = (date, a.sport.is_run()) {
                    accepted.push((date, a.distance_m.max(0.0)));
                }
            }
        }
    }
    flagged
}

fn unusual(
    a: &Activity,
    date: Option<NaiveDate>,
    accepted: &[(NaiveDate, f64)],
) -> Option<Implausible> {
    let date = date?;
    if !a.sport.is_run() || a.distance_m <= UNUSUAL_MIN_M {
        return None;
    }
    let from = shift(date, -UNUSUAL_WINDOW_DAYS);
    let reference = accepted
        .iter()
        .rev()
        .take_while(|(d, _)| *d >= from)
        .map(|(_, m)| *m)
        .fold(10_000.0, f64::max);
    (a.distance_m > UNUSUAL_FACTOR * reference).then_some(Implausible::Unusual {
        distance_m: a.distance_m,
        reference_m: reference,
        factor: UNUSUAL_FACTOR,
    })
}

/// `activities` without the flagged ones: what every estimate is computed from.
pub fn trusted(activities: &[Activity], flagged: &[Flagged]) -> Vec<Activity> {
    activities
        .iter()
        .filter(|a| !flagged.iter().any(|f| f.activity_id == a.id))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::load::tests::{activity, day, run};

    fn record(sport: Sport, km: f64, minutes: f64) -> Record {
        Record {
            sport,
            start: Some(day(2026, 11, 20).and_hms_opt(8, 0, 0).unwrap().and_utc()),
            utc_offset_s: 0,
            distance_m: km * 1000.0,
            moving_s: minutes * 60.0,
            elapsed_s: minutes * 60.0,
        }
    }

    #[test]
    fn record_speeds_follow_the_world_records() {
        assert!((record_speed(42_195.0) - 42_195.0 / 7_235.0).abs() < 1e-9);
        assert!((record_speed(50.0) - 100.0 / 9.58).abs() < 1e-9);
        assert!((record_speed(5_000_000.0) - 2.0).abs() < 1e-9);
        // Between records the speed falls with distance.
        let mut last = f64::INFINITY;
        for d in [
            200.0, 800.0, 3_000.0, 15_000.0, 30_000.0, 60_000.0, 200_000.0,
        ] {
            let s = record_speed(d);
            assert!(s < last, "{d}: {s}");
            last = s;
        }
    }

    #[test]
    fn impossible_cases() {
        let today = day(2026, 11, 22);
        // (case, record, expected code or None)
        let cases: Vec<(&str, Record, Option<&str>)> = vec![
            ("an easy 8 km", record(Sport::Run, 8.0, 46.0), None),
            ("a 2:05 marathon", record(Sport::Run, 42.195, 125.0), None),
            ("a 24 h race", record(Sport::Run, 250.0, 1440.0), None),
            (
                "200 km in six hours",
                record(Sport::Run, 200.0, 360.0),
                Some("faster_than_record"),
            ),
            (
                "20 km in 36 minutes",
                record(Sport::Run, 20.0, 36.0),
                Some("faster_than_record"),
            ),
            (
                "42,946 km in 148 s",
                record(Sport::Run, 42_946.0, 148.0 / 60.0),
                Some("faster_than_record"),
            ),
            ("a ride at 40 km/h", record(Sport::Ride, 80.0, 120.0), None),
            (
                "a ride at 300 km/h",
                record(Sport::Ride, 300.0, 60.0),
                Some("too_fast"),
            ),
            (
                "5.8 years",
                record(Sport::Run, 10.0, 181_848_977.0 / 60.0),
                Some("too_long"),
            ),
            (
                "strength without distance",
                record(Sport::Strength, 0.0, 30.0),
                None,
            ),
            (
                "distance without time",
                record(Sport::Run, 10.0, 0.0),
                Some("no_duration"),
            ),
            (
                "not a number",
                record(Sport::Run, f64::NAN, 30.0),
                Some("no_duration"),
            ),
        ];
        for (name, r, want) in cases {
            let got = impossible(&r, today);
            assert_eq!(got.map(|p| p.code()), want, "{name}: {got:?}");
        }
        let mut future = record(Sport::Run, 8.0, 46.0);
        future.start = Some(day(2099, 1, 1).and_hms_opt(8, 0, 0).unwrap().and_utc());
        assert_eq!(
            impossible(&future, today).map(|p| p.code()),
            Some("in_the_future")
        );
        let mut old = future;
        old.start = Some(day(1985, 1, 1).and_hms_opt(8, 0, 0).unwrap().and_utc());
        assert_eq!(impossible(&old, today).map(|p| p.code()), Some("too_early"));
        // Tomorrow is allowed: the runner may be a time zone behind the recording.
        let mut tomorrow = future;
        tomorrow.start = Some(day(2026, 11, 23).and_hms_opt(1, 0, 0).unwrap().and_utc());
        assert_eq!(impossible(&tomorrow, today), None);
    }

    #[test]
    fn review_flags_the_typo_and_keeps_the_history() {
        let today = day(2026, 11, 22);
        let mut all: Vec<Activity> = (0..6)
            .map(|w| run(w, shift(today, -7 * (6 - w)), 8_000.0))
            .collect();
        let mut typo = run(100, shift(today, -1), 200_000.0);
        typo.moving_s = 360.0 * 60.0;
        all.push(typo.clone());
        // Possible (a slow 80 km) but ten times the longest run: unusual.
        let mut long = run(101, shift(today, -2), 80_000.0);
        long.moving_s = 10.0 * 3600.0;
        all.push(long.clone());
        let flagged = review(&all, today);
        let codes: Vec<(i64, &str)> = flagged
            .iter()
            .map(|f| (f.activity_id, f.problem.code()))
            .collect();
        assert_eq!(codes, vec![(101, "unusual"), (100, "faster_than_record")]);
        assert_eq!(trusted(&all, &flagged).len(), 6);
        // Confirmed by the runner: no longer flagged.
        let mut confirmed = long;
        confirmed.confirmed = true;
        all[7] = confirmed;
        let flagged = review(&all, today);
        assert_eq!(flagged.len(), 1);
        assert_eq!(flagged[0].activity_id, 100);
    }

    #[test]
    fn a_first_marathon_is_not_unusual() {
        let today = day(2026, 11, 22);
        let mut all = vec![run(1, shift(today, -20), 16_000.0)];
        let mut marathon = run(2, shift(today, -1), 42_195.0);
        marathon.moving_s = 4.5 * 3600.0;
        all.push(marathon);
        // Cross-training is never judged against runs.
        let mut ride = activity(3, Sport::Ride, shift(today, -3), 9, 0, 0, 120_000.0);
        ride.moving_s = 4.0 * 3600.0;
        all.push(ride);
        assert_eq!(review(&all, today), vec![]);
    }
}
