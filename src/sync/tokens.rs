//! The Strava token file: JSON, mode 0600, replaced atomically (a temporary file in the same
//! folder, fsync, rename, fsync of the folder), so a crash leaves the old or the new tokens,
//! never half a file. Strava invalidates a refresh token the moment it hands out a new one, so
//! a refreshed token is written here before it is used. A token file others can read is
//! refused, as ssh refuses such a key, and so is a token path that is a symbolic link: the
//! rename would replace the link by a regular file, silently.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Refresh this long before the access token expires.
pub const REFRESH_MARGIN_S: i64 = 5 * 60;

/// The scopes `sync` asks for.
pub const WANTED_SCOPES: &str = "read,activity:read_all";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StravaTokens {
    pub access_token: String,
    pub refresh_token: String,
    /// Epoch seconds.
    pub expires_at: i64,
    /// The scopes the runner granted, as Strava reported them (`None`: not known).
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub athlete_id: Option<i64>,
    #[serde(default)]
    pub athlete_name: Option<String>,
}

impl StravaTokens {
    /// Whether the access token expires within the refresh margin of `now`.
    pub fn needs_refresh(&self, now: DateTime<Utc>) -> bool {
        self.expires_at - REFRESH_MARGIN_S <= now.timestamp()
    }

    /// Whether the granted scopes include `scope` (unknown scopes count as granted).
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scope
            .as_deref()
            .is_none_or(|s| s.split(',').any(|g| g.trim() == scope))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("cannot read the Strava token file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the Strava token file {path} is damaged ({message}): run `kneeguard auth strava` again"
    )]
    Damaged { path: PathBuf, message: String },
    #[error("cannot write the Strava token file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the Strava token file {path} can be read by other users (mode {mode:03o}), so its \
         tokens may have leaked: run `chmod 600 {path}`, and `kneeguard auth logout` then \
         `kneeguard auth strava` if others use this machine"
    )]
    Exposed { path: PathBuf, mode: u32 },
    #[error(
        "the Strava token path {path} is a symbolic link; kneeguard reads and writes tokens only \
         in a regular file: set [strava] token_file to the file the link points to"
    )]
    Symlink { path: PathBuf },
}

/// Refuses a token path that is a symbolic link; `false` when nothing is there.
fn check_path(path: &Path) -> Result<bool, TokenError> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(TokenError::Symlink {
            path: path.to_path_buf(),
        }),
        Ok(_) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(TokenError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Refuses a token file the group or others can read or write.
#[cfg(unix)]
fn check_private(path: &Path, file: &std::fs::File) -> Result<(), TokenError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = file
        .metadata()
        .map_err(|source| TokenError::Read {
            path: path.to_path_buf(),
            source,
        })?
        .permissions()
        .mode()
        & 0o777;
    if mode & 0o077 != 0 {
        return Err(TokenError::Exposed {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path, _file: &std::fs::File) -> Result<(), TokenError> {
    Ok(())
}

/// The tokens in `path`, or `None` when there is no file.
pub fn load(path: &Path) -> Result<Option<StravaTokens>, TokenError> {
    use std::io::Read;
    if !check_path(path)? {
        return Ok(None);
    }
    let read_err = |source| TokenError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut file = open_no_follow(path).map_err(read_err)?;
    check_private(path, &file)?;
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(read_err)?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| TokenError::Damaged {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
}

/// Opens `path` for reading, refusing a symbolic link put there since it was checked.
fn open_no_follow(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(target_os = "linux")]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, 0o400_000); // O_NOFOLLOW
    options.open(path)
}

/// Writes `tokens` to `path` atomically with mode 0600, creating the folder if needed.
pub fn save(path: &Path, tokens: &StravaTokens) -> Result<(), TokenError> {
    let err = |source: std::io::Error| TokenError::Write {
        path: path.to_path_buf(),
        source,
    };
    check_path(path)?;
    let dir = match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(d) => d.to_path_buf(),
        None => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(err)?;
    // NamedTempFile creates the file with mode 0600 on Unix.
    let mut tmp = tempfile::Builder::new()
        .prefix(".strava-tokens")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(err)?;
    let json = serde_json::to_vec_pretty(tokens).map_err(|e| err(std::io::Error::other(e)))?;
    tmp.write_all(&json).map_err(err)?;
    tmp.write_all(b"\n").map_err(err)?;
    set_private(tmp.as_file()).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    sync_dir(&dir).map_err(err)?;
    Ok(())
}

/// Deletes the token file; `false` when there was none. A symbolic link is refused, not
/// followed or removed.
pub fn remove(path: &Path) -> Result<bool, TokenError> {
    check_path(path)?;
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(TokenError::Write {
            path: path.to_path_buf(),
            source,
        }),
    }
}

#[cfg(unix)]
fn set_private(file: &std::fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn set_private(_file: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(refresh: &str) -> StravaTokens {
        StravaTokens {
            access_token: "a".into(),
            refresh_token: refresh.into(),
            expires_at: 1_790_000_000,
            scope: Some("read,activity:read_all".into()),
            athlete_id: Some(9_000_001),
            athlete_name: None,
        }
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn saves_private_atomically_and_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/strava-tokens.json");
        assert_eq!(load(&path).unwrap(), None);
        save(&path, &tokens("r1")).unwrap();
        #[cfg(unix)]
        assert_eq!(mode(&path), 0o600);
        save(&path, &tokens("r2")).unwrap();
        assert_eq!(load(&path).unwrap().unwrap().refresh_token, "r2");
        // only the token file is left: no temporary files
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("strava-tokens.json")]);
        assert!(remove(&path).unwrap());
        assert!(!remove(&path).unwrap());
    }

    #[cfg(unix)]
    #[test]
    fn a_readable_file_becomes_private_when_replaced() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.json");
        std::fs::write(&path, "{}").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        save(&path, &tokens("r1")).unwrap();
        assert_eq!(mode(&path), 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn a_readable_token_file_and_a_symlink_are_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.json");
        save(&path, &tokens("r1")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = load(&path).unwrap_err();
        assert!(
            matches!(err, TokenError::Exposed { mode: 0o644, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("chmod 600"), "{err}");
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        assert!(matches!(
            load(&link).unwrap_err(),
            TokenError::Symlink { .. }
        ));
        assert!(matches!(
            save(&link, &tokens("r2")).unwrap_err(),
            TokenError::Symlink { .. }
        ));
        assert!(matches!(
            remove(&link).unwrap_err(),
            TokenError::Symlink { .. }
        ));
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
    }

    #[test]
    fn a_damaged_file_names_the_way_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.json");
        std::fs::write(&path, "{\"access_token\":").unwrap();
        let text = load(&path).unwrap_err().to_string();
        assert!(text.contains("kneeguard auth strava"), "{text}");
    }

    #[test]
    fn refreshes_five_minutes_early_and_reads_scopes() {
        let t = tokens("r");
        let at = |s| DateTime::<Utc>::from_timestamp(s, 0).unwrap();
        assert!(!t.needs_refresh(at(t.expires_at - 301)));
        assert!(t.needs_refresh(at(t.expires_at - 300)));
        assert!(t.has_scope("activity:read_all"));
        assert!(!t.has_scope("activity:write"));
    }
}
