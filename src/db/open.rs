//! Opening the database so that it stays the runner's: read commands never create one and open
//! it read-only; write commands create the file (and folders only for the default location);
//! a path that is no regular file, or another application's SQLite database, is refused before
//! SQLite writes a byte to it; the folder kneeguard creates is 0700 and the database 0600 (SQLite
//! gives its -wal and -shm files the database's mode).

use super::{DbError, Result, Store, MIGRATIONS};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// `PRAGMA application_id` of a kneeguard database ("KNEE").
pub(super) const APPLICATION_ID: i64 = 0x4B4E_4545;

/// How a command uses the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Only reads: the database must exist; it is opened read-only (a read-only file or folder
    /// is fine).
    Read,
    /// Writes: the file is created when missing, in a folder that exists — or, with
    /// `create_dirs` (the default location), in folders created for it with mode 0700.
    Write { create_dirs: bool },
}

/// What an existing SQLite file holds.
#[derive(Debug, PartialEq)]
enum Holds {
    /// Nothing yet (a new or empty file).
    Nothing,
    /// A kneeguard database at this schema version.
    Kneeguard(i64),
    /// Something else, described.
    Foreign(String),
}

impl Store {
    /// Opens the database at `path` for `access`; see [`Access`].
    pub fn open_with(path: &Path, access: Access) -> Result<Store> {
        // A kneeguard creating or migrating the file this moment can hold a lock SQLite's busy
        // timeout does not wait for (a journal-mode change, a schema read half-way): wait and
        // try again, for as long as the busy timeout.
        let pause = std::time::Duration::from_millis(50);
        let tries = (super::BUSY_TIMEOUT.as_millis() / pause.as_millis()).max(1);
        let mut tried = 1;
        loop {
            match Store::open_once(path, access) {
                Err(e) if is_busy(&e) && tried < tries => {
                    tried += 1;
                    std::thread::sleep(pause);
                }
                other => return other,
            }
        }
    }

    fn open_once(path: &Path, access: Access) -> Result<Store> {
        let exists = check_path(path)?;
        match access {
            Access::Read => open_read(path, exists),
            Access::Write { create_dirs } => {
                if !exists {
                    create_file(path, create_dirs)?;
                }
                if create_dirs {
                    // kneeguard's own folder at the default location holds health data.
                    make_private(&folder_of(path));
                }
                open_write(path)
            }
        }
    }
}

/// Whether SQLite said another connection holds the file.
fn is_busy(e: &DbError) -> bool {
    let code = match e {
        DbError::Open { source, .. } | DbError::Sql(source) => source.sqlite_error_code(),
        _ => None,
    };
    matches!(
        code,
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// Whether `path` exists; refuses what is not a regular file (a folder, `/dev/null`, a socket).
fn check_path(path: &Path) -> Result<bool> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(source) => {
            return Err(DbError::Open {
                path: path.to_path_buf(),
                source: rusqlite::Error::InvalidPath(format!("{source}").into()),
            })
        }
    };
    if meta.is_file() {
        return Ok(true);
    }
    let what = if meta.is_dir() {
        "a folder"
    } else {
        special_kind(&meta)
    };
    Err(DbError::NotAFile {
        path: path.to_path_buf(),
        what,
    })
}

#[cfg(unix)]
fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_fifo() {
        "a named pipe"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn special_kind(_meta: &std::fs::Metadata) -> &'static str {
    "not a regular file"
}

/// Creates an empty database file with mode 0600, and its folders when allowed.
fn create_file(path: &Path, create_dirs: bool) -> Result<()> {
    let folder = folder_of(path);
    if !folder.is_dir() {
        if !create_dirs {
            return Err(DbError::MissingFolder {
                path: path.to_path_buf(),
                folder: folder.to_path_buf(),
            });
        }
        private_dir(&folder).map_err(|source| DbError::CreateDir {
            path: folder.to_path_buf(),
            source,
        })?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        // Another kneeguard created it a moment ago.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(DbError::Open {
            path: path.to_path_buf(),
            source: rusqlite::Error::InvalidPath(format!("cannot create it: {source}").into()),
        }),
    }
}

/// Creates `dir` and its missing parents with mode 0700.
fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Takes the group's and others' permissions from a file or folder (databases and folders
/// written by earlier kneeguards were 0644 and 0755). Best effort: a file of another owner keeps
/// its mode, and the open goes on.
#[cfg(unix)]
fn make_private(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        let mode = meta.permissions().mode();
        if mode & 0o077 != 0 {
            let private = std::fs::Permissions::from_mode(mode & 0o700);
            let _ = std::fs::set_permissions(path, private);
        }
    }
}

#[cfg(not(unix))]
fn make_private(_path: &Path) {}

/// The first bytes of every SQLite database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// The first bytes of the file at `path` (up to the end of SQLite's header fields kneeguard
/// reads), and how many there are.
fn header_of(path: &Path) -> std::io::Result<(usize, [u8; 72])> {
    use std::io::Read;
    let mut header = [0u8; 72];
    let mut f = std::fs::File::open(path)?;
    let mut read = 0;
    while read < header.len() {
        match f.read(&mut header[read..])? {
            0 => break,
            n => read += n,
        }
    }
    Ok((read, header))
}

/// The first bytes of the file at `path`, as [`header_of`] reads them, or why it cannot be read.
fn read_header(path: &Path) -> Result<(usize, [u8; 72])> {
    header_of(path).map_err(|source| DbError::Open {
        path: path.to_path_buf(),
        source: rusqlite::Error::InvalidPath(format!("{source}").into()),
    })
}

/// Whether SQLite may open the file, whose first `len` bytes are `header`, for writing before
/// kneeguard has told what it holds: an empty file with no log of another application beside
/// it, or a database whose header names kneeguard. On any other file a writing connection's
/// first read may replay a log left beside it (another application's, after a crash) into the
/// file, so it is told apart read-only first.
fn safe_to_open_writing(path: &Path, (len, header): (usize, [u8; 72])) -> bool {
    let beside = |ext: &str| {
        let mut name = path.as_os_str().to_os_string();
        name.push(ext);
        PathBuf::from(name).exists()
    };
    if len == 0 {
        return !beside("-journal") && !beside("-wal");
    }
    len == header.len()
        && &header[..16] == SQLITE_HEADER
        && header[68..72] == (APPLICATION_ID as u32).to_be_bytes()
}

/// Reads what the file at `path`, whose first `len` bytes are `header`, holds without writing
/// to it: a file that is no SQLite at all is told by its header; otherwise the schema is read
/// through the connection `connect` opens, which is returned for the command to work with.
fn inspect(
    path: &Path,
    (len, header): (usize, [u8; 72]),
    connect: fn(&Path) -> Result<Connection>,
) -> Result<(Holds, Connection)> {
    if len > 0 && (len < SQLITE_HEADER.len() || &header[..16] != SQLITE_HEADER) {
        return Err(DbError::NotADatabase {
            path: path.display().to_string(),
        });
    }
    let conn = connect(path)?;
    let holds = if len == 0 {
        Holds::Nothing
    } else {
        holds(&conn).map_err(|source| DbError::Open {
            path: path.to_path_buf(),
            source,
        })?
    };
    Ok((holds, conn))
}

/// A read-only connection; a WAL database on a read-only folder (no -shm can be made) is
/// opened as immutable.
fn connect_read_only(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let open_err = |source| DbError::Open {
        path: path.to_path_buf(),
        source,
    };
    let conn = Connection::open_with_flags(path, flags).map_err(open_err)?;
    // Another kneeguard may be creating or migrating the file this moment: wait for it.
    conn.busy_timeout(super::BUSY_TIMEOUT).map_err(open_err)?;
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => Ok(conn),
        Err(first) => {
            let uri = immutable_uri(path).ok_or_else(|| open_err(first))?;
            let conn = Connection::open_with_flags(uri, flags).map_err(open_err)?;
            conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(open_err)?;
            Ok(conn)
        }
    }
}

fn immutable_uri(path: &Path) -> Option<String> {
    let absolute = std::fs::canonicalize(path).ok()?;
    let mut url = url::Url::from_file_path(absolute).ok()?;
    url.set_query(Some("immutable=1"));
    Some(url.to_string())
}

fn holds(conn: &Connection) -> rusqlite::Result<Holds> {
    // One read transaction, so that a kneeguard migrating the file in another process at this
    // moment is seen either before or after, never half-way (tables, but no version yet).
    let snapshot = conn.unchecked_transaction()?;
    let conn = &*snapshot;
    let app: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
         ORDER BY name",
    )?;
    let tables: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let has = |t: &str| tables.iter().any(|n| n == t);
    Ok(if app == APPLICATION_ID {
        Holds::Kneeguard(version)
    } else if app != 0 {
        Holds::Foreign(format!("application id {app:#x}"))
    } else if tables.is_empty() && version == 0 {
        Holds::Nothing
    } else if version >= 1 && has("activities") && has("imported_files") {
        // Written by a kneeguard before the application id was set.
        Holds::Kneeguard(version)
    } else {
        let mut shown: Vec<&str> = tables.iter().take(3).map(String::as_str).collect();
        if tables.len() > 3 {
            shown.push("...");
        }
        Holds::Foreign(if shown.is_empty() {
            format!("schema version {version}")
        } else {
            format!("tables {}", shown.join(", "))
        })
    })
}

fn open_read(path: &Path, exists: bool) -> Result<Store> {
    if !exists {
        return Err(DbError::Missing {
            path: path.to_path_buf(),
        });
    }
    let (holds, conn) = inspect(path, read_header(path)?, connect_read_only)?;
    let known = MIGRATIONS.len() as i64;
    match holds {
        Holds::Nothing => Err(DbError::Missing {
            path: path.to_path_buf(),
        }),
        Holds::Foreign(detail) => Err(DbError::Foreign {
            path: path.to_path_buf(),
            detail,
        }),
        Holds::Kneeguard(v) if v > known => Err(DbError::TooNew {
            path: path.display().to_string(),
            found: v,
            known,
        }),
        Holds::Kneeguard(v) if v == known => {
            conn.busy_timeout(super::BUSY_TIMEOUT)?;
            Ok(Store {
                conn,
                batch_open: false,
            })
        }
        Holds::Kneeguard(found) => {
            // An older schema: upgrade it once, if the file can be written.
            drop(conn);
            open_write(path).map_err(|e| match e {
                DbError::ReadOnly { path } => DbError::NeedsUpgrade { path, found, known },
                other => other,
            })
        }
    }
}

fn open_write(path: &Path) -> Result<Store> {
    let header = read_header(path)?;
    let (holds, conn) = if safe_to_open_writing(path, header) {
        let (holds, conn) =
            inspect(path, header, connect_read_write).map_err(|e| named(e, path))?;
        (holds, Some(conn))
    } else {
        let (holds, _probe) = inspect(path, header, connect_read_only)?;
        (holds, None)
    };
    let holds_nothing = match holds {
        Holds::Foreign(detail) => {
            return Err(DbError::Foreign {
                path: path.to_path_buf(),
                detail,
            })
        }
        Holds::Nothing => true,
        Holds::Kneeguard(_) => false,
    };
    make_private(path);
    let conn = match conn {
        Some(conn) => conn,
        None => connect_read_write(path).map_err(|e| named(e, path))?,
    };
    // SQLite opens a file it may not write read-only, silently.
    if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
        return Err(DbError::ReadOnly {
            path: path.to_path_buf(),
        });
    }
    Store::setup(conn, &path.display().to_string(), holds_nothing).map_err(|e| named(e, path))
}

/// A connection that may write (it writes nothing until asked); on a file SQLite may not
/// write, the one of [`connect_read_only`], so that what the file holds can still be told.
fn connect_read_write(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let open_err = |source| DbError::Open {
        path: path.to_path_buf(),
        source,
    };
    let conn = Connection::open_with_flags(path, flags).map_err(open_err)?;
    if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
        return connect_read_only(path);
    }
    // Another kneeguard may be creating or migrating the file this moment: wait for it.
    conn.busy_timeout(super::BUSY_TIMEOUT).map_err(open_err)?;
    Ok(conn)
}

/// Gives a bare SQLite error from opening the path and the way out.
fn named(e: DbError, path: &Path) -> DbError {
    match e {
        DbError::Sql(source) | DbError::Open { source, .. } => match source.sqlite_error_code() {
            Some(rusqlite::ErrorCode::ReadOnly) => DbError::ReadOnly {
                path: path.to_path_buf(),
            },
            _ => DbError::Open {
                path: path.to_path_buf(),
                source,
            },
        },
        other => other,
    }
}

/// The folder the database file at `path` lives in.
fn folder_of(path: &Path) -> PathBuf {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_never_creates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("none.sqlite");
        let err = Store::open_with(&path, Access::Read).err().unwrap();
        assert!(matches!(err, DbError::Missing { .. }), "{err}");
        assert!(!path.exists());
        let nested = dir.path().join("no/such/folder/kg.sqlite");
        let err = Store::open_with(&nested, Access::Write { create_dirs: false })
            .err()
            .unwrap();
        assert!(matches!(err, DbError::MissingFolder { .. }), "{err}");
        assert!(!dir.path().join("no").exists());
    }

    #[cfg(unix)]
    #[test]
    fn created_folders_and_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/kneeguard/kg.sqlite");
        let mut store = Store::open_with(&path, Access::Write { create_dirs: true }).unwrap();
        store.set_confirmed(1, true).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        assert_eq!(mode(&path), 0o600);
        let wal = dir.path().join("data/kneeguard/kg.sqlite-wal");
        assert_eq!(mode(&wal), 0o600);
        drop(store);
        let read = Store::open_with(&path, Access::Read).unwrap();
        assert_eq!(read.schema_version().unwrap(), MIGRATIONS.len() as i64);
        assert_eq!(
            read.conn
                .pragma_query_value(None, "application_id", |r| r.get::<_, i64>(0))
                .unwrap(),
            APPLICATION_ID
        );
    }

    #[test]
    fn a_new_database_is_written_with_the_disk_flushes_of_every_other() {
        // Its schema is written without waiting for the disk; what is stored in it after that
        // is not: the connection the command works with syncs as one on an existing file does.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kg.sqlite");
        let sync = |store: &Store| -> (i64, String) {
            let level = store
                .conn
                .pragma_query_value(None, "synchronous", |r| r.get(0));
            let mode = store
                .conn
                .pragma_query_value(None, "journal_mode", |r| r.get(0));
            (level.unwrap(), mode.unwrap())
        };
        let normal = (1, "wal".to_string());
        let created = Store::open_with(&path, Access::Write { create_dirs: false }).unwrap();
        assert_eq!(sync(&created), normal);
        assert_eq!(created.schema_version().unwrap(), MIGRATIONS.len() as i64);
        drop(created);
        let reopened = Store::open_with(&path, Access::Write { create_dirs: false }).unwrap();
        assert_eq!(sync(&reopened), normal);
    }

    #[test]
    fn another_applications_database_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("photos.db");
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch("CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT);")
                .unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        for access in [Access::Read, Access::Write { create_dirs: false }] {
            let err = Store::open_with(&path, access).err().unwrap();
            assert!(
                matches!(err, DbError::Foreign { .. }) && err.to_string().contains("photos"),
                "{err}"
            );
        }
        assert_eq!(std::fs::read(&path).unwrap(), before);
        let folder = Store::open_with(dir.path(), Access::Read).err().unwrap();
        assert!(matches!(folder, DbError::NotAFile { .. }), "{folder}");
    }

    /// The files of a database as another application left them when it stopped this moment,
    /// copied to `to`: the file and its `-wal` or `-journal`, with no process holding them.
    fn crash_image(from: &Path, to: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        ["", "-wal", "-journal"]
            .iter()
            .filter_map(|ext| {
                let side = |p: &Path| PathBuf::from(format!("{}{ext}", p.display()));
                let bytes = std::fs::read(side(from)).ok()?;
                std::fs::write(side(to), &bytes).unwrap();
                Some((side(to), bytes))
            })
            .collect()
    }

    #[test]
    fn another_applications_unfinished_log_is_left_where_it_is() {
        // Another application stopped with committed rows still in its WAL, or half-way through
        // a transaction whose rollback journal is still hot. A writing command refuses the file
        // and leaves the file and its log as they were: neither replayed nor deleted.
        let dir = tempfile::tempdir().unwrap();
        let wal = dir.path().join("wal.db");
        let c = Connection::open(&wal).unwrap();
        c.pragma_update(None, "journal_mode", "WAL").unwrap();
        c.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
        c.execute_batch("CREATE TABLE notes (x); INSERT INTO notes VALUES (1);")
            .unwrap();
        let journal = dir.path().join("journal.db");
        let j = Connection::open(&journal).unwrap();
        j.execute_batch("CREATE TABLE notes (x); INSERT INTO notes VALUES (zeroblob(8000));")
            .unwrap();
        j.pragma_update(None, "cache_size", 1).unwrap();
        j.execute_batch(
            "BEGIN; UPDATE notes SET x = zeroblob(9000); INSERT INTO notes SELECT x FROM notes;",
        )
        .unwrap();
        for (from, name, log) in [
            (&wal, "wal-crash.db", "-wal"),
            (&journal, "journal-crash.db", "-journal"),
        ] {
            let path = dir.path().join(name);
            let files = crash_image(from, &path);
            assert!(
                files
                    .iter()
                    .any(|(p, _)| p.display().to_string().ends_with(log)),
                "{files:?}"
            );
            let err = Store::open_with(&path, Access::Write { create_dirs: false })
                .err()
                .unwrap();
            assert!(matches!(err, DbError::Foreign { .. }), "{name}: {err}");
            for (file, bytes) in &files {
                let now = std::fs::read(file).ok();
                assert!(now.as_ref() == Some(bytes), "{} changed", file.display());
            }
        }
    }
}
