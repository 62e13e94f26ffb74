//! Activities from decoded FIT messages: sessions, their points, the device, the local offset.
//!
//! The [`Collector`] takes the [`FitMessage`]s of every part in file order. At the end of each
//! complete part that holds a session summary, the points since the last such part are given
//! to its sessions and the activities are handed over, so memory holds one part's points at a
//! time. Whatever is left at the end of the file (a part cut before its summary) becomes an
//! activity rebuilt from its records.

use super::{corrupt, FitMessage, ReadError, RecordFields, SessionFields, Streamed, EXPORT_AGAIN};
use super::{DeviceTotals, FileIdFields};
use crate::model::{AltitudeSource, ParsedActivity, Sample, Sport};
use chrono::{DateTime, Utc};

/// Seconds between the Unix epoch and the FIT epoch (1989-12-31T00:00:00Z).
pub(super) const FIT_EPOCH_UNIX: i64 = 631_065_600;

/// The largest offset from UTC any time zone uses.
const MAX_UTC_OFFSET_S: i64 = 14 * 3600;

/// 4587.0 m, the form FIT's 16-bit "invalid" altitude takes in some exporters' output, and the
/// 16- and 32-bit markers themselves after the profile's scale 5 and offset 500, for decoders
/// that pass them through.
const INVALID_ALTITUDES: [f64; 3] = [
    4587.0,
    65_535.0 / 5.0 - 500.0,
    4_294_967_295.0 / 5.0 - 500.0,
];

/// Semicircles to degrees: 2^31 semicircles make 180 degrees.
pub(super) const DEGREES_PER_SEMICIRCLE: f64 = 180.0 / 2_147_483_648.0;

/// Manufacturers whose files come from a phone app, whose altitude is GPS altitude.
const PHONE_APPS: [&str; 5] = ["strava", "trailforks", "runna", "nike", "gotoes"];

/// A FIT time (seconds since the FIT epoch) as an instant.
pub(super) fn fit_time(seconds: u32) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(i64::from(seconds) + FIT_EPOCH_UNIX, 0)
}

/// An altitude in metres, without FIT's "invalid" markers.
pub(super) fn valid_altitude(altitude: Option<f64>) -> Option<f64> {
    altitude.filter(|a| {
        a.is_finite()
            && INVALID_ALTITUDES
                .iter()
                .all(|invalid| (a - invalid).abs() > 1e-3)
    })
}

/// What one `session` message says.
#[derive(Debug, Default)]
struct SessionInfo {
    start: Option<DateTime<Utc>>,
    /// The session message's own timestamp (its end).
    timestamp: Option<DateTime<Utc>>,
    sport: Option<String>,
    sub_sport: Option<String>,
    totals: DeviceTotals,
}

impl SessionInfo {
    fn from_fields(fields: SessionFields) -> Self {
        SessionInfo {
            start: fields.start_time.and_then(fit_time),
            timestamp: fields.timestamp.and_then(fit_time),
            sport: fields.sport,
            sub_sport: fields.sub_sport,
            totals: fields.totals,
        }
    }

    /// Start time, else its end minus its elapsed time.
    fn effective_start(&self) -> Option<DateTime<Utc>> {
        self.start.or_else(|| {
            let end = self.timestamp?;
            let elapsed = self.totals.elapsed_s?;
            end.checked_sub_signed(millis(elapsed)?)
        })
    }

    fn effective_end(&self) -> Option<DateTime<Utc>> {
        let start = self.effective_start()?;
        match self.totals.elapsed_s {
            Some(elapsed) => start.checked_add_signed(millis(elapsed)?),
            None => self.timestamp,
        }
    }
}

/// A duration in seconds as a time delta, when it is one.
fn millis(seconds: f64) -> Option<chrono::TimeDelta> {
    chrono::TimeDelta::try_milliseconds((seconds * 1000.0) as i64)
}

/// Gathers what the decoded messages say, across every part of the file, and hands the
/// activities over as their parts end.
pub(super) struct Collector<'a> {
    on_activity: &'a mut dyn FnMut(ParsedActivity),
    /// Whether the current part's `file_id` allows activity data (no `file_id` counts as yes).
    part_is_activity: bool,
    /// Whether any part declared itself an activity file.
    saw_activity_file: bool,
    /// The first non-activity file type seen, for the "not an activity" reason.
    other_file_type: Option<String>,
    manufacturer: Option<String>,
    device: Option<String>,
    /// Sessions and points not yet handed over.
    sessions: Vec<SessionInfo>,
    samples: Vec<Sample>,
    /// Whether the file held any session or point at all.
    saw_activity_data: bool,
    /// Sport and sub-sport from a `sport` message, used when no session names one.
    sport_hint: Option<(Option<String>, Option<String>)>,
    utc_offset_s: Option<i32>,
    /// Whether any data message at all was decoded.
    decoded_any: bool,
    /// The running total of `compressed_speed_distance` in this part: (last 12-bit count,
    /// total sixteenths of a metre).
    compressed_distance: Option<(u32, u64)>,
    /// The record distance where the last handed-over session ended, for rebasing.
    previous_end: f64,
    /// Activities that hold nothing, kept until one that holds something is handed over.
    held: Vec<ParsedActivity>,
    handed_over: usize,
    remarks: Vec<String>,
}

impl<'a> Collector<'a> {
    pub(super) fn new(on_activity: &'a mut dyn FnMut(ParsedActivity)) -> Self {
        Collector {
            on_activity,
            part_is_activity: true,
            saw_activity_file: false,
            other_file_type: None,
            manufacturer: None,
            device: None,
            sessions: Vec::new(),
            samples: Vec::new(),
            saw_activity_data: false,
            sport_hint: None,
            utc_offset_s: None,
            decoded_any: false,
            compressed_distance: None,
            previous_end: 0.0,
            held: Vec::new(),
            handed_over: 0,
            remarks: Vec::new(),
        }
    }

    pub(super) fn start_part(&mut self) {
        self.part_is_activity = true;
        self.compressed_distance = None;
    }

    /// Keeps what is needed from one decoded message.
    pub(super) fn take(&mut self, message: FitMessage) {
        self.decoded_any = true;
        match message {
            FitMessage::FileId(fields) => self.take_file_id(fields),
            _ if !self.part_is_activity => {}
            FitMessage::Record(fields) => self.take_record(&fields),
            FitMessage::Session(fields) => {
                self.saw_activity_data = true;
                self.sessions.push(SessionInfo::from_fields(fields));
            }
            FitMessage::Activity {
                timestamp,
                local_timestamp,
            } => self.take_activity(timestamp, local_timestamp),
            FitMessage::Sport { sport, sub_sport } => {
                if self.sport_hint.is_none() {
                    self.sport_hint = Some((sport, sub_sport));
                }
            }
            FitMessage::Other => {}
        }
    }

    fn take_record(&mut self, record: &RecordFields) {
        let mut sample = Sample {
            time: record.timestamp.and_then(fit_time),
            distance_m: record.distance_m.filter(|d| d.is_finite() && *d >= 0.0),
            altitude_m: valid_altitude(record.enhanced_altitude_m)
                .or(valid_altitude(record.altitude_m)),
            position: None,
        };
        if let Some(count) = record.compressed_distance {
            // The profile accumulates the rolling count: add its differences.
            let (last, total) = self.compressed_distance.unwrap_or((count, 0));
            let total = total + u64::from(count.wrapping_sub(last) & 0xFFF);
            self.compressed_distance = Some((count, total));
            sample.distance_m = Some(total as f64 / 16.0);
        }
        if let Some((lat, lon)) = record.position {
            let lat = f64::from(lat) * DEGREES_PER_SEMICIRCLE;
            let lon = f64::from(lon) * DEGREES_PER_SEMICIRCLE;
            if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) {
                sample.position = Some((lat, lon));
            }
        }
        if sample != Sample::default() {
            self.saw_activity_data = true;
            self.samples.push(sample);
        }
    }

    fn take_file_id(&mut self, fields: FileIdFields) {
        let FileIdFields {
            file_type,
            manufacturer,
            product,
            product_name,
        } = fields;
        let is_activity = file_type.as_deref().is_none_or(|t| t == "activity");
        self.part_is_activity = is_activity;
        if !is_activity {
            if self.other_file_type.is_none() {
                self.other_file_type = file_type;
            }
            return;
        }
        if file_type.is_some() {
            self.saw_activity_file = true;
        }
        if self.device.is_none() {
            let product = product_name
                .map(|name| name.trim().to_string())
                .filter(|name| !name.is_empty())
                .or(product);
            self.device = match (&manufacturer, product) {
                (Some(m), Some(p)) => Some(format!("{m} {p}")),
                (Some(m), None) => Some(m.clone()),
                (None, Some(p)) => Some(p),
                (None, None) => None,
            };
            self.manufacturer = manufacturer;
        }
    }

    fn take_activity(&mut self, utc: Option<u32>, local: Option<u32>) {
        let (Some(utc), Some(local)) = (utc, local) else {
            return;
        };
        let offset = i64::from(local) - i64::from(utc);
        let rounded = ((offset as f64 / 900.0).round() as i64) * 900;
        if rounded.abs() <= MAX_UTC_OFFSET_S {
            self.utc_offset_s = Some(rounded as i32);
        }
    }

    /// The end of a complete part: its sessions, with the points since the last handed-over
    /// session, are ready.
    pub(super) fn end_part(&mut self) {
        if !self.sessions.is_empty() {
            let sessions = std::mem::take(&mut self.sessions);
            self.hand_over(sessions);
        }
    }

    fn base_activity(&self) -> ParsedActivity {
        let altitude_source = match self.manufacturer.as_deref() {
            Some(m) if PHONE_APPS.contains(&m) => AltitudeSource::Gps,
            _ => AltitudeSource::Barometric,
        };
        ParsedActivity {
            utc_offset_s: self.utc_offset_s,
            device: self.device.clone(),
            altitude_source,
            ..ParsedActivity::default()
        }
    }

    /// Gives the waiting points to `sessions` and hands the activities over, in chronological
    /// order.
    fn hand_over(&mut self, mut sessions: Vec<SessionInfo>) {
        // Sessions without any time keep their place at the end.
        sessions.sort_by_key(|s| (s.effective_start().is_none(), s.effective_start()));
        let base = self.base_activity();
        let mut activities: Vec<ParsedActivity> = sessions
            .iter()
            .map(|session| {
                let (sport, label) =
                    map_sport(session.sport.as_deref(), session.sub_sport.as_deref());
                ParsedActivity {
                    sport,
                    sport_label: label,
                    start: session.start,
                    totals: session.totals,
                    ..base.clone()
                }
            })
            .collect();
        let samples = std::mem::take(&mut self.samples);
        assign_samples(&sessions, samples, &mut activities);
        self.previous_end = rebase_session_distances(&mut activities, self.previous_end);
        for mut activity in activities {
            if activity.start.is_none() {
                activity.start = activity.samples.iter().find_map(|s| s.time);
            }
            let holds_nothing = activity.start.is_none()
                && activity.samples.is_empty()
                && activity.totals == DeviceTotals::default();
            if holds_nothing {
                self.held.push(activity);
                continue;
            }
            for held in std::mem::take(&mut self.held) {
                (self.on_activity)(held);
                self.handed_over += 1;
            }
            (self.on_activity)(activity);
            self.handed_over += 1;
        }
    }

    /// Hands over what is left and says what the file was.
    pub(super) fn finish(
        mut self,
        cut_short: Option<String>,
        damage: Option<(usize, String)>,
        mut remarks: Vec<String>,
    ) -> Result<Streamed, ReadError> {
        if !self.saw_activity_data {
            return self.why_no_activity(cut_short, damage);
        }
        if !self.sessions.is_empty() {
            let sessions = std::mem::take(&mut self.sessions);
            self.hand_over(sessions);
        } else if !self.samples.is_empty() {
            let (sport, sub_sport) = self.sport_hint.clone().unwrap_or((None, None));
            self.remarks.push(format!(
                "no session summary in the file; the activity was rebuilt from its {} recorded \
                 points, without the device's totals",
                self.samples.len()
            ));
            self.hand_over(vec![SessionInfo {
                sport,
                sub_sport,
                ..SessionInfo::default()
            }]);
        }
        if self.handed_over == 0 {
            return Ok(Streamed::NotAnActivity {
                reason: "an activity file with no recorded data (no time, no points, no totals)"
                    .to_string(),
            });
        }
        remarks.append(&mut self.remarks);
        if let Some(why) = cut_short {
            remarks.insert(0, why);
        }
        Ok(Streamed::Activities {
            count: self.handed_over,
            remarks,
        })
    }

    /// A file without any session or point: another kind of file, a damaged one or an
    /// empty one.
    fn why_no_activity(
        &self,
        cut_short: Option<String>,
        damage: Option<(usize, String)>,
    ) -> Result<Streamed, ReadError> {
        let not_an_activity = |reason: String| Ok(Streamed::NotAnActivity { reason });
        if let Some(file_type) = &self.other_file_type {
            if !self.saw_activity_file {
                return not_an_activity(describe_file_type(file_type));
            }
        }
        if let Some((position, detail)) = damage {
            return Err(corrupt(format!(
                "unreadable data at byte {position} ({detail}), before any activity data; \
                 {EXPORT_AGAIN}"
            )));
        }
        if let Some(why) = cut_short {
            let what = why.strip_prefix("truncated: ").unwrap_or(&why);
            let what = what.split(';').next().unwrap_or(what);
            return Err(corrupt(format!(
                "{what}, before any activity data; {EXPORT_AGAIN}"
            )));
        }
        if !self.decoded_any {
            return not_an_activity("an empty FIT file (a header and no messages)".to_string());
        }
        not_an_activity("a FIT file with no session and no recorded points".to_string())
    }
}

/// Gives each sample to the session whose time window holds it: the latest session started at
/// or before it (or the one before that, while it has not ended), and the first session for
/// samples before every session. A sample without a time follows the one before it.
fn assign_samples(
    sessions: &[SessionInfo],
    samples: Vec<Sample>,
    activities: &mut [ParsedActivity],
) {
    if activities.len() == 1 {
        activities[0].samples = samples;
        return;
    }
    let starts: Vec<Option<DateTime<Utc>>> =
        sessions.iter().map(SessionInfo::effective_start).collect();
    let ends: Vec<Option<DateTime<Utc>>> =
        sessions.iter().map(SessionInfo::effective_end).collect();
    let timed = starts.iter().take_while(|s| s.is_some()).count();
    let mut current = 0usize;
    for sample in samples {
        if let Some(time) = sample.time {
            let after = starts[..timed].partition_point(|s| s.is_some_and(|start| start <= time));
            current = after.saturating_sub(1);
            if current > 0 && ends[current - 1].is_some_and(|end| time <= end) {
                current -= 1;
            }
        }
        activities[current].samples.push(sample);
    }
}

/// Devices keep counting record distance across the sessions of a multisport file, so each
/// session's distances are counted from where the session before it ended (unless the device
/// started again from zero). Returns where the last of them ended.
fn rebase_session_distances(activities: &mut [ParsedActivity], mut previous_end: f64) -> f64 {
    for activity in activities.iter_mut() {
        let first = activity.samples.iter().find_map(|s| s.distance_m);
        let base = match first {
            Some(first) if first + 1.0 >= previous_end => previous_end,
            _ => 0.0,
        };
        let mut end = previous_end;
        for sample in &mut activity.samples {
            if let Some(d) = sample.distance_m {
                end = end.max(d);
                sample.distance_m = Some((d - base).max(0.0));
            }
        }
        previous_end = end;
    }
    previous_end
}

/// The reason given for a valid FIT file of another type.
pub(super) fn describe_file_type(file_type: &str) -> String {
    let words = match file_type {
        "monitoring_a" | "monitoring_b" | "monitoring_daily" => "monitoring".to_string(),
        "mfg_range_min" | "mfg_range_max" => "manufacturer-specific".to_string(),
        other => other.replace('_', " "),
    };
    let article = match words.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    };
    format!("{article} {words} file, not an activity")
}

/// Maps FIT's sport and sub-sport names to a [`Sport`] and a label like `running/trail`.
pub(super) fn map_sport(
    sport: Option<&str>,
    sub_sport: Option<&str>,
) -> (Option<Sport>, Option<String>) {
    let Some(sport) = sport else {
        return (None, None);
    };
    let sub = sub_sport.filter(|s| *s != "generic");
    let label = match sub {
        Some(sub) => format!("{sport}/{sub}"),
        None => sport.to_string(),
    };
    let mapped = match (sport, sub.unwrap_or("")) {
        ("running", "trail") => Sport::TrailRun,
        ("running", "treadmill" | "indoor_running") => Sport::TreadmillRun,
        ("running", "virtual_activity") => Sport::VirtualRun,
        ("running", _) => Sport::Run,
        ("cycling", "indoor_cycling" | "virtual_activity" | "spin") => Sport::IndoorRide,
        ("cycling" | "e_biking", _) => Sport::Ride,
        ("training" | "fitness_equipment", "indoor_cycling" | "spin") => Sport::IndoorRide,
        ("fitness_equipment", "elliptical") => Sport::Elliptical,
        ("fitness_equipment", "indoor_rowing") | ("rowing", _) => Sport::Row,
        ("fitness_equipment", "treadmill") => Sport::TreadmillRun,
        ("fitness_equipment", "indoor_walking") => Sport::Walk,
        ("training" | "fitness_equipment", "strength_training")
        | ("fitness_equipment", "strength") => Sport::Strength,
        ("swimming", _) => Sport::Swim,
        ("walking", _) => Sport::Walk,
        ("hiking", _) => Sport::Hike,
        ("cross_country_skiing" | "alpine_skiing", _) => Sport::Ski,
        ("paddling" | "stand_up_paddleboarding" | "kayaking", _) => Sport::Paddle,
        _ => Sport::Other,
    };
    (Some(mapped), Some(label))
}
