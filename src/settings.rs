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
        toml::from_str(text).map_err(|e| SettingsError::Parse {
            path: path.to_path_buf(),
            message: e.to_string().trim().replace('\n', "\n  "),
        })
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
