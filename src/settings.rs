//! Settings, resolved once before any command runs: command line > environment > config file >
//! defaults, merged into one typed value.
//!
//! The config file is TOML; `config/kneeguard.toml` is the fully commented default, embedded in
//! the binary and printed by `kneeguard config defaults`.

use crate::core::descent::DescentSettings;
use crate::core::load::LoadSettings;
use crate::core::plan::PlanSettings;
use crate::core::zone::PainSettings;
use crate::db::MatchRule;
use chrono::{NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The commented default configuration file.
pub const DEFAULT_CONFIG: &str = include_str!("../config/kneeguard.toml");

/// Display units; everything inside kneeguard is metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Units {
    #[default]
    Km,
    Mi,
}

impl Units {
    /// The step planned distances come in: half a kilometre, or half a mile.
    pub fn plan_step_m(self) -> f64 {
        match self {
            Units::Km => 500.0,
            Units::Mi => 804.672,
        }
    }
}

/// The contents of the config file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub general: GeneralConfig,
    pub import: ImportConfig,
    pub descent: DescentSettings,
    pub load: LoadSettings,
    pub pain: PainSettings,
    pub plan: PlanSettings,
    pub strava: StravaConfig,
    pub intervals: IntervalsConfig,
    pub sync: SyncConfig,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct GeneralConfig {
    /// IANA time zone for "today", training weeks and times typed on the command line.
    /// Empty: the system's zone.
    pub timezone: Option<String>,
    /// Display units when `--units` is not given.
    pub units: Option<Units>,
    /// The database file when neither `--db` nor `KNEEGUARD_DB` is given.
    pub database: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImportConfig {
    /// Two records of the same kind starting at most this many seconds apart...
    pub duplicate_start_window_s: i64,
    /// ...and covering distances at most this many percent apart are one activity.
    pub duplicate_distance_pct: f64,
    /// Largest decompressed size of a single file, MB (guards against zip bombs).
    pub max_file_mb: u64,
}

impl Default for ImportConfig {
    fn default() -> Self {
        ImportConfig {
            duplicate_start_window_s: 120,
            duplicate_distance_pct: 5.0,
            max_file_mb: 512,
        }
    }
}

impl ImportConfig {
    pub fn match_rule(&self) -> MatchRule {
        MatchRule {
            start_window_s: self.duplicate_start_window_s,
            distance_pct: self.duplicate_distance_pct,
        }
    }
}

/// The Strava connection: the runner's own API application and where the tokens live.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StravaConfig {
    /// The Client ID of the runner's Strava API application.
    pub client_id: Option<String>,
    /// Its Client Secret; never printed (also `KNEEGUARD_STRAVA_CLIENT_SECRET`).
    #[serde(skip_serializing)]
    pub client_secret: Option<String>,
    /// Base of `/oauth/authorize`, `/oauth/token` and `/oauth/revoke`.
    pub oauth_url: String,
    /// Base of the API (`/athlete/activities`, `/activities/{id}/streams`).
    pub api_url: String,
    /// The token file; unset: `strava-tokens.json` in the data directory.
    pub token_file: Option<PathBuf>,
    /// The loopback port that catches the authorization redirect; 0 picks a free one.
    pub redirect_port: u16,
    /// How long `auth strava` waits for the browser's redirect, seconds.
    pub auth_timeout_s: u64,
}

impl Default for StravaConfig {
    fn default() -> Self {
        StravaConfig {
            client_id: None,
            client_secret: None,
            oauth_url: "https://www.strava.com".to_string(),
            api_url: "https://www.strava.com/api/v3".to_string(),
            token_file: None,
            redirect_port: 0,
            auth_timeout_s: 300,
        }
    }
}

/// The intervals.icu connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IntervalsConfig {
    /// Base URL of intervals.icu.
    pub api_url: String,
    /// The personal API key (intervals.icu Settings → Developer Settings); never printed.
    #[serde(skip_serializing)]
    pub api_key: Option<String>,
    /// The athlete id; "0" is the key's owner.
    pub athlete_id: String,
    /// Activities are fetched in date windows of this many days (the API has no paging).
    pub window_days: i64,
}

impl Default for IntervalsConfig {
    fn default() -> Self {
        IntervalsConfig {
            api_url: "https://intervals.icu".to_string(),
            api_key: None,
            athlete_id: "0".to_string(),
            window_days: 30,
        }
    }
}

/// How `kneeguard sync` fetches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SyncConfig {
    /// The first sync reaches back this many days (later ones start from the newest synced run).
    pub first_sync_days: i64,
    /// Each sync starts this many days before the newest synced run, to catch late uploads.
    pub overlap_days: i64,
    /// Runs from this many weeks before today on get their altitude streams (one request each)
    /// and kneeguard's own descent; older runs get descent estimated from their climb.
    pub stream_window_weeks: i64,
    /// Activities per list request (Strava allows at most 200).
    pub per_page: u32,
    /// A request that takes longer than this, seconds, has timed out.
    pub timeout_s: f64,
    /// Tries of a request that failed with a server error or a timeout.
    pub tries: u32,
    /// The pause before the first retry, milliseconds; it doubles with each further retry.
    pub retry_delay_ms: u64,
    /// Requests left unused in each Strava rate-limit window (for other apps of the runner).
    pub rate_limit_reserve: u32,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            first_sync_days: 365,
            overlap_days: 1,
            stream_window_weeks: 8,
            per_page: 200,
            timeout_s: 30.0,
            tries: 4,
            retry_delay_ms: 2000,
            rate_limit_reserve: 0,
        }
    }
}

impl SyncConfig {
    /// How long a request may take: `timeout_s`, which [`Config::check`] keeps finite and in
    /// (0, 600]; an unchecked value falls back to the default 30 s rather than panic.
    pub fn timeout(&self) -> std::time::Duration {
        std::time::Duration::try_from_secs_f64(self.timeout_s)
            .ok()
            .filter(|d| !d.is_zero() && d.as_secs() <= 600)
            .unwrap_or(std::time::Duration::from_secs(30))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read the config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}\n  (`kneeguard config defaults` prints a valid, commented config)")]
    Parse { path: PathBuf, message: String },
    #[error("unknown time zone {0:?} in the config: use an IANA name such as \"Europe/Berlin\"")]
    TimeZone(String),
}

impl Config {
    /// Parses a config file's text; `path` only names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config, SettingsError> {
        let config: Config = toml::from_str(text).map_err(|e| SettingsError::Parse {
            path: path.to_path_buf(),
            message: e.to_string().trim().replace('\n', "\n  "),
        })?;
        config.check().map_err(|message| SettingsError::Parse {
            path: path.to_path_buf(),
            message,
        })?;
        Ok(config)
    }

    /// Refuses values that parse but make no sense together (a ceiling of 30/10, amber below
    /// green, no day to run on), naming the key.
    pub fn check(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        let mut need = |ok: bool, what: &str| {
            if !ok {
                problems.push(what.to_string());
            }
        };
        let p = &self.pain;
        need(p.ceiling <= 10, "[pain] ceiling must be 0-10");
        need(
            p.green_max <= p.amber_max && p.amber_max <= 10,
            "[pain] green_max <= amber_max <= 10",
        );
        need(
            p.tolerated_quantile > 0.0 && p.tolerated_quantile <= 1.0,
            "[pain] tolerated_quantile must be in (0, 1]",
        );
        need(
            p.half_life_weeks > 0.0,
            "[pain] half_life_weeks must be above 0",
        );
        need(
            p.lookback_weeks >= 1,
            "[pain] lookback_weeks must be at least 1",
        );
        need(p.recent_days >= 1, "[pain] recent_days must be at least 1");
        need(
            (1..=10).contains(&p.morning_rise),
            "[pain] morning_rise must be 1-10",
        );
        need(
            p.persisting_weeks >= 1 && p.rising_weeks >= 2,
            "[pain] persisting_weeks must be at least 1 and rising_weeks at least 2",
        );
        need(
            (0.0..90.0).contains(&p.threshold_margin_pct),
            "[pain] threshold_margin_pct must be in [0, 90)",
        );
        need(
            (0.0..=50.0).contains(&p.retest_step_pct) && p.retest_after >= 1,
            "[pain] retest_step_pct must be 0-50 and retest_after at least 1",
        );
        let plan = &self.plan;
        need(
            plan.available_days
                .iter()
                .any(|d| !plan.rest_days.contains(d)),
            "[plan] available_days must hold at least one day that is not a rest day",
        );
        need(
            !plan.rest_days.contains(&plan.long_run_day),
            "[plan] long_run_day cannot be one of rest_days",
        );
        need(
            plan.strength_days <= 7 && plan.amber_strength_days <= 7,
            "[plan] strength days are at most 7",
        );
        need(
            plan.max_long_run_factor >= 1.0,
            "[plan] max_long_run_factor must be at least 1.0",
        );
        need(
            plan.long_run_share > 0.0 && plan.long_run_share <= 1.0,
            "[plan] long_run_share must be in (0, 1]",
        );
        need(
            (0.0..100.0).contains(&plan.amber_cut_pct),
            "[plan] amber_cut_pct must be in [0, 100)",
        );
        need(
            plan.green_progression_pct >= 0.0,
            "[plan] green_progression_pct must not be negative",
        );
        need(
            plan.min_run_km > 0.0 && plan.default_run_km > 0.0,
            "[plan] run distances must be above 0",
        );
        need(
            plan.weekly_goal_km
                .is_none_or(|g| g.is_finite() && g > 0.0 && g <= 500.0),
            "[plan] weekly_goal_km must be above 0 and at most 500",
        );
        need(
            plan.default_pace_s_per_km > 0.0,
            "[plan] default_pace_s_per_km must be above 0",
        );
        let load = &self.load;
        need(
            load.spike_low_pct < load.spike_mid_pct && load.spike_mid_pct < load.spike_high_pct,
            "[load] spike_low_pct < spike_mid_pct < spike_high_pct",
        );
        need(
            load.acwr_low < load.acwr_caution && load.acwr_caution < load.acwr_high,
            "[load] acwr_low < acwr_caution < acwr_high",
        );
        need(
            (1..=crate::core::load::MAX_SPIKE_WINDOW_DAYS).contains(&load.spike_window_days),
            "[load] spike_window_days must be between 1 and 365",
        );
        need(
            load.ewma_acute_days >= 1 && load.ewma_acute_days < load.ewma_chronic_days,
            "[load] 1 <= ewma_acute_days < ewma_chronic_days",
        );
        let d = &self.descent;
        need(
            d.hysteresis_barometric_m > 0.0 && d.hysteresis_gps_m > 0.0,
            "[descent] hysteresis must be above 0 m",
        );
        need(
            d.median_window >= 1,
            "[descent] median_window must be at least 1",
        );
        need(
            d.max_gap_s > 0.0 && d.max_vertical_speed_mps > 0.0,
            "[descent] max_gap_s and max_vertical_speed_mps must be above 0",
        );
        let y = &self.sync;
        need(
            y.timeout_s.is_finite() && y.timeout_s > 0.0 && y.timeout_s <= 600.0,
            "[sync] timeout_s must be above 0 and at most 600",
        );
        need((1..=20).contains(&y.tries), "[sync] tries must be 1-20");
        need(
            (1..=200).contains(&y.per_page),
            "[sync] per_page must be 1-200 (Strava sends at most 200)",
        );
        need(
            y.first_sync_days >= 1 && y.first_sync_days <= 36_500,
            "[sync] first_sync_days must be 1-36500",
        );
        need(
            (0..=365).contains(&y.overlap_days),
            "[sync] overlap_days must be 0-365",
        );
        need(
            (0..=5_200).contains(&y.stream_window_weeks),
            "[sync] stream_window_weeks must be 0-5200",
        );
        need(
            y.retry_delay_ms <= 600_000,
            "[sync] retry_delay_ms must be at most 600000",
        );
        need(
            (1..=3650).contains(&self.intervals.window_days),
            "[intervals] window_days must be 1-3650",
        );
        need(
            self.strava.auth_timeout_s >= 1 && self.strava.auth_timeout_s <= 86_400,
            "[strava] auth_timeout_s must be 1-86400",
        );
        let i = &self.import;
        need(
            i.duplicate_start_window_s >= 0,
            "[import] duplicate_start_window_s must not be negative",
        );
        need(
            (0.0..=100.0).contains(&i.duplicate_distance_pct),
            "[import] duplicate_distance_pct must be 0-100",
        );
        need(
            i.max_file_mb >= 1,
            "[import] max_file_mb must be at least 1",
        );
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }

    /// Reads the config file at `path`; a missing file at the default location is no error.
    pub fn load(path: &Path, must_exist: bool) -> Result<Config, SettingsError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Config::parse(&text, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => {
                Ok(Config::default())
            }
            Err(source) => Err(SettingsError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// Applies the `KNEEGUARD_STRAVA_*` and `KNEEGUARD_INTERVALS_*` environment variables
    /// (`var` looks one up); they override the file.
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) {
        let set = |target: &mut Option<String>, name: &str| {
            if let Some(v) = var(name).filter(|v| !v.trim().is_empty()) {
                *target = Some(v.trim().to_string());
            }
        };
        set(&mut self.strava.client_id, "KNEEGUARD_STRAVA_CLIENT_ID");
        set(
            &mut self.strava.client_secret,
            "KNEEGUARD_STRAVA_CLIENT_SECRET",
        );
        set(&mut self.intervals.api_key, "KNEEGUARD_INTERVALS_API_KEY");
        let url = |target: &mut String, name: &str| {
            if let Some(v) = var(name).filter(|v| !v.trim().is_empty()) {
                *target = v.trim().trim_end_matches('/').to_string();
            }
        };
        url(&mut self.strava.oauth_url, "KNEEGUARD_STRAVA_OAUTH_URL");
        url(&mut self.strava.api_url, "KNEEGUARD_STRAVA_API_URL");
        url(&mut self.intervals.api_url, "KNEEGUARD_INTERVALS_API_URL");
    }

    /// The Strava token file: the configured one, else beside the default database.
    pub fn strava_token_path(&self) -> Option<PathBuf> {
        self.strava
            .token_file
            .clone()
            .or_else(|| data_dir().map(|d| d.join("strava-tokens.json")))
    }

    /// The configured time zone, else the system's, else UTC.
    pub fn time_zone(&self) -> Result<Tz, SettingsError> {
        match self
            .general
            .timezone
            .as_deref()
            .filter(|s| !s.trim().is_empty())
        {
            Some(name) => name
                .trim()
                .parse::<Tz>()
                .map_err(|_| SettingsError::TimeZone(name.to_string())),
            None => Ok(iana_time_zone::get_timezone()
                .ok()
                .and_then(|name| name.parse::<Tz>().ok())
                .unwrap_or(Tz::UTC)),
        }
    }
}

/// Everything a command needs to know about its environment, resolved once.
#[derive(Debug, Clone)]
pub struct Settings {
    pub db_path: PathBuf,
    pub config: Config,
    pub tz: Tz,
    /// The local date the command treats as today (from `--today` or the clock).
    pub today: NaiveDate,
    /// The current instant (from the clock, or noon of `--today` when that is given).
    pub now: chrono::DateTime<Utc>,
    /// The real current instant, whatever `--today` says: for token expiry and rate-limit
    /// windows, which follow the services' clocks.
    pub wall_clock: chrono::DateTime<Utc>,
    pub units: Units,
}

impl Settings {
    /// The UTC offset (seconds) of the user's zone at `instant`.
    pub fn offset_at(&self, instant: chrono::DateTime<Utc>) -> i32 {
        self.tz
            .offset_from_utc_datetime(&instant.naive_utc())
            .fix()
            .local_minus_utc()
    }
}

/// The user's data directory for kneeguard (XDG on Linux), where the database lives.
pub fn data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "kneeguard").map(|d| d.data_dir().to_path_buf())
}

/// The default config file path (XDG on Linux).
pub fn default_config_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "kneeguard").map(|d| d.config_dir().join("config.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_default_config_parses_to_the_defaults() {
        let parsed = Config::parse(DEFAULT_CONFIG, Path::new("kneeguard.toml")).unwrap();
        assert_eq!(parsed, Config::default());
    }

    #[test]
    fn an_unknown_key_is_named_in_the_error() {
        let err =
            Config::parse("[import]\nduplicate_window = 3\n", Path::new("c.toml")).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("c.toml") && text.contains("duplicate_window"),
            "{text}"
        );
    }

    #[test]
    fn the_environment_overrides_the_file_and_secrets_are_never_serialized() {
        let mut c = Config::parse(
            "[strava]\nclient_id = \"1\"\nclient_secret = \"s3cret\"\n",
            Path::new("c.toml"),
        )
        .unwrap();
        c.apply_env(|name| match name {
            "KNEEGUARD_STRAVA_CLIENT_ID" => Some("42".into()),
            "KNEEGUARD_STRAVA_API_URL" => Some("http://127.0.0.1:9/api/v3/".into()),
            "KNEEGUARD_INTERVALS_API_KEY" => Some("k3y".into()),
            _ => None,
        });
        assert_eq!(c.strava.client_id.as_deref(), Some("42"));
        assert_eq!(c.strava.client_secret.as_deref(), Some("s3cret"));
        assert_eq!(c.strava.api_url, "http://127.0.0.1:9/api/v3");
        assert_eq!(c.strava.oauth_url, "https://www.strava.com");
        let text = toml::to_string(&c).unwrap();
        assert!(!text.contains("s3cret") && !text.contains("k3y"), "{text}");
    }

    #[test]
    fn values_that_make_no_sense_are_refused_by_name() {
        let cases = [
            ("[pain]\nceiling = 30\n", "[pain] ceiling"),
            (
                "[pain]\ngreen_max = 8\namber_max = 3\n",
                "green_max <= amber_max",
            ),
            ("[plan]\navailable_days = []\n", "available_days"),
            ("[plan]\nrest_days = [\"sunday\"]\n", "long_run_day"),
            ("[load]\nacwr_caution = 2.0\n", "acwr_caution"),
            ("[descent]\nhysteresis_gps_m = 0.0\n", "hysteresis"),
            ("[sync]\ntimeout_s = nan\n", "[sync] timeout_s"),
            ("[sync]\ntimeout_s = -1.0\n", "[sync] timeout_s"),
            ("[sync]\ntries = 0\n", "[sync] tries"),
            ("[sync]\nper_page = 500\n", "[sync] per_page"),
        ];
        for (text, expected) in cases {
            let err = Config::parse(text, Path::new("c.toml"))
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(expected) && err.contains("c.toml"),
                "{text}: {err}"
            );
        }
    }

    #[test]
    fn an_unchecked_timeout_never_panics() {
        let mut sync = SyncConfig::default();
        for bad in [f64::NAN, f64::INFINITY, -1.0, 0.0, 1e300] {
            sync.timeout_s = bad;
            assert_eq!(sync.timeout(), std::time::Duration::from_secs(30), "{bad}");
        }
        sync.timeout_s = 2.5;
        assert_eq!(sync.timeout(), std::time::Duration::from_millis(2500));
    }

    #[test]
    fn a_bad_time_zone_is_refused() {
        let mut c = Config::default();
        c.general.timezone = Some("Mars/Olympus".into());
        assert!(c
            .time_zone()
            .unwrap_err()
            .to_string()
            .contains("Mars/Olympus"));
        c.general.timezone = Some("Europe/Berlin".into());
        assert_eq!(c.time_zone().unwrap(), chrono_tz::Europe::Berlin);
    }
}
