//! The plain values that flow through kneeguard: sports, samples, parsed and stored activities.
//!
//! Everything here is data without behaviour that touches IO, so readers, the pure core, the
//! store and the renderers can all share it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of session an activity was, as far as the knee is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sport {
    Run,
    TrailRun,
    TreadmillRun,
    VirtualRun,
    Ride,
    IndoorRide,
    Elliptical,
    PoolRun,
    Swim,
    Row,
    Hike,
    Walk,
    Ski,
    Paddle,
    Strength,
    Other,
}

/// The three families the planner cares about (DOMAIN.md §2), plus everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Counts toward running load.
    Run,
    /// Low-impact cardio that can replace a run.
    Cross,
    /// Strength and mobility work.
    Strength,
    /// Shown, never counted (transitions, unknown sports).
    Other,
}

impl Sport {
    pub const ALL: [Sport; 16] = [
        Sport::Run,
        Sport::TrailRun,
        Sport::TreadmillRun,
        Sport::VirtualRun,
        Sport::Ride,
        Sport::IndoorRide,
        Sport::Elliptical,
        Sport::PoolRun,
        Sport::Swim,
        Sport::Row,
        Sport::Hike,
        Sport::Walk,
        Sport::Ski,
        Sport::Paddle,
        Sport::Strength,
        Sport::Other,
    ];

    /// The stable snake_case name used in the database, JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Sport::Run => "run",
            Sport::TrailRun => "trail_run",
            Sport::TreadmillRun => "treadmill_run",
            Sport::VirtualRun => "virtual_run",
            Sport::Ride => "ride",
            Sport::IndoorRide => "indoor_ride",
            Sport::Elliptical => "elliptical",
            Sport::PoolRun => "pool_run",
            Sport::Swim => "swim",
            Sport::Row => "row",
            Sport::Hike => "hike",
            Sport::Walk => "walk",
            Sport::Ski => "ski",
            Sport::Paddle => "paddle",
            Sport::Strength => "strength",
            Sport::Other => "other",
        }
    }

    /// Parses a stable name (as produced by [`Sport::as_str`]); also accepts `-` for `_`.
    pub fn parse(name: &str) -> Option<Sport> {
        let wanted = name.trim().to_ascii_lowercase().replace('-', "_");
        Sport::ALL.into_iter().find(|s| s.as_str() == wanted)
    }

    pub fn category(self) -> Category {
        match self {
            Sport::Run | Sport::TrailRun | Sport::TreadmillRun | Sport::VirtualRun => Category::Run,
            Sport::Ride
            | Sport::IndoorRide
            | Sport::Elliptical
            | Sport::PoolRun
            | Sport::Swim
            | Sport::Row
            | Sport::Hike
            | Sport::Walk
            | Sport::Ski
            | Sport::Paddle => Category::Cross,
            Sport::Strength => Category::Strength,
            Sport::Other => Category::Other,
        }
    }

    pub fn is_run(self) -> bool {
        self.category() == Category::Run
    }
}

impl fmt::Display for Sport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Run => "run",
            Category::Cross => "cross",
            Category::Strength => "strength",
            Category::Other => "other",
        }
    }
}

/// One recorded point of an activity. Every field may be missing in real files.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Sample {
    /// The instant of the point, when the file has one.
    pub time: Option<DateTime<Utc>>,
    /// Latitude and longitude in degrees.
    pub position: Option<(f64, f64)>,
    /// The device's cumulative distance in metres (wheel or foot pod, or its own GPS sum).
    pub distance_m: Option<f64>,
    /// Altitude in metres (barometric or GPS; see [`AltitudeSource`]).
    pub altitude_m: Option<f64>,
}

/// Where an activity's altitude comes from; GPS altitude is noisy and is smoothed first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AltitudeSource {
    /// A barometric altimeter (most watches and bike computers).
    Barometric,
    /// GPS altitude (phones, app exports, GPX/TCX of unknown origin).
    #[default]
    Gps,
}

/// The totals a device wrote into the file itself (FIT session, TCX laps).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct DeviceTotals {
    pub distance_m: Option<f64>,
    /// Timer (moving) time in seconds.
    pub timer_s: Option<f64>,
    pub elapsed_s: Option<f64>,
    pub ascent_m: Option<f64>,
    pub descent_m: Option<f64>,
}

/// One activity as a reader found it in a file, before any computation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParsedActivity {
    pub sport: Option<Sport>,
    /// The file's own words for the sport (e.g. `running/trail`, `Run`), for display and notes.
    pub sport_label: Option<String>,
    /// Start instant; falls back to the first sample's time when the file has no explicit one.
    pub start: Option<DateTime<Utc>>,
    /// The local offset at the start, in seconds east of UTC, when the file says it.
    pub utc_offset_s: Option<i32>,
    pub name: Option<String>,
    /// Manufacturer and product, or the creator application.
    pub device: Option<String>,
    pub totals: DeviceTotals,
    pub altitude_source: AltitudeSource,
    pub samples: Vec<Sample>,
}

/// What a reader made of one file.
#[derive(Debug, Clone, PartialEq)]
pub enum ParsedFile {
    /// One or more activities (multi-session files give one per session), with remarks such as
    /// "truncated: the last 812 bytes were cut off" or "no elevation data".
    Activities {
        activities: Vec<ParsedActivity>,
        remarks: Vec<String>,
    },
    /// A valid file that holds no activity (settings, monitoring, a course): skipped, not failed.
    NotAnActivity { reason: String },
}

/// Where a stored activity came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    File,
    Manual,
    Strava,
    Intervals,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::File => "file",
            SourceKind::Manual => "manual",
            SourceKind::Strava => "strava",
            SourceKind::Intervals => "intervals",
        }
    }

    pub fn parse(s: &str) -> Option<SourceKind> {
        match s {
            "file" => Some(SourceKind::File),
            "manual" => Some(SourceKind::Manual),
            "strava" => Some(SourceKind::Strava),
            "intervals" => Some(SourceKind::Intervals),
            _ => None,
        }
    }
}

/// An activity as the store keeps it and the analytics see it. Metric units throughout.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Activity {
    pub id: i64,
    pub sport: Sport,
    /// Start instant in UTC; `None` only for files that carry no time at all.
    pub start: Option<DateTime<Utc>>,
    /// Local offset at the start, seconds east of UTC.
    pub utc_offset_s: i32,
    pub distance_m: f64,
    pub moving_s: f64,
    pub elapsed_s: f64,
    pub ascent_m: Option<f64>,
    /// kneeguard's own descent (one algorithm for every source), or what the runner entered.
    pub descent_m: Option<f64>,
    /// The device's own descent figure, kept for comparison.
    pub device_descent_m: Option<f64>,
    /// True when `descent_m` is an estimate (a synced run without altitude streams).
    pub descent_estimated: bool,
    pub name: Option<String>,
    pub note: Option<String>,
    pub device: Option<String>,
    pub source_kind: SourceKind,
    /// The file path as given, or the API id, or `manual`.
    pub source: String,
    /// The runner confirmed the record is real although it looked implausible
    /// (`core::plausibility`).
    pub confirmed: bool,
}

/// An activity about to be stored: what the importers, `add` and `sync` hand to the store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewActivity {
    pub sport: Sport,
    pub sport_label: Option<String>,
    pub start: Option<DateTime<Utc>>,
    pub utc_offset_s: i32,
    pub distance_m: f64,
    pub moving_s: f64,
    pub elapsed_s: f64,
    pub ascent_m: Option<f64>,
    pub descent_m: Option<f64>,
    /// True when the descent is an estimate (e.g. taken from the climb of a loop).
    pub descent_estimated: bool,
    pub device_totals: DeviceTotals,
    pub name: Option<String>,
    pub note: Option<String>,
    pub device: Option<String>,
    pub source_kind: SourceKind,
    pub source: String,
    pub content_hash: Option<String>,
    pub session_index: Option<u32>,
    pub external_id: Option<String>,
    pub raw_json: Option<String>,
    /// The measured series, encoded for storage.
    pub series: crate::db::series::EncodedSeries,
}

impl NewActivity {
    /// A manual entry with the given sport, start and numbers; everything else empty.
    pub fn manual(sport: Sport, start: DateTime<Utc>, utc_offset_s: i32) -> NewActivity {
        NewActivity {
            sport,
            sport_label: None,
            start: Some(start),
            utc_offset_s,
            distance_m: 0.0,
            moving_s: 0.0,
            elapsed_s: 0.0,
            ascent_m: None,
            descent_m: None,
            descent_estimated: false,
            device_totals: DeviceTotals::default(),
            name: None,
            note: None,
            device: None,
            source_kind: SourceKind::Manual,
            source: "manual".to_string(),
            content_hash: None,
            session_index: None,
            external_id: None,
            raw_json: None,
            series: Default::default(),
        }
    }
}

/// When knee pain was felt (DOMAIN.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum PainWhen {
    /// During a run.
    During,
    /// Within about an hour after it.
    After,
    /// The next morning (the 24-hour response).
    Morning,
    /// A daily or rest-day rating.
    Daily,
}

impl PainWhen {
    pub fn as_str(self) -> &'static str {
        match self {
            PainWhen::During => "during",
            PainWhen::After => "after",
            PainWhen::Morning => "morning",
            PainWhen::Daily => "daily",
        }
    }

    pub fn parse(s: &str) -> Option<PainWhen> {
        [
            PainWhen::During,
            PainWhen::After,
            PainWhen::Morning,
            PainWhen::Daily,
        ]
        .into_iter()
        .find(|w| w.as_str() == s)
    }
}

/// Which knee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Left,
    Right,
    Both,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
            Side::Both => "both",
        }
    }

    pub fn parse(s: &str) -> Option<Side> {
        [Side::Left, Side::Right, Side::Both]
            .into_iter()
            .find(|w| w.as_str() == s)
    }
}

/// One knee-pain rating on the 0-10 numeric scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PainEntry {
    pub id: i64,
    /// When it was logged (UTC).
    pub at: DateTime<Utc>,
    /// The local offset at that moment, seconds east of UTC.
    pub utc_offset_s: i32,
    /// The local day the rating is about.
    pub date: chrono::NaiveDate,
    /// 0 (none) to 10 (worst imaginable).
    pub score: u8,
    pub when: PainWhen,
    pub side: Option<Side>,
    pub swelling: bool,
    pub note: Option<String>,
    /// The run it belongs to (that day's run for during/after, the previous day's for morning).
    pub activity_id: Option<i64>,
}
