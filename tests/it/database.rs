//! The database stays the runner's: nothing created by reading, nothing touched that is not
//! kneeguard's, private file modes, read-only databases readable, the token file checked.

use crate::common::{fixture, Env};

fn foreign_db(path: &std::path::Path) -> Vec<u8> {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch(
        "CREATE TABLE moz_bookmarks (id INTEGER PRIMARY KEY, title TEXT);
         INSERT INTO moz_bookmarks (title) VALUES ('kneeguard');",
    )
    .unwrap();
    drop(c);
    std::fs::read(path).unwrap()
}

#[test]
fn another_applications_sqlite_file_is_refused_untouched() {
    let env = Env::new();
    let path = env.dir.path().join("places.sqlite");
    let before = foreign_db(&path);
    let db = path.to_str().unwrap();
    let fit = fixture("fit/Activity.fit");
    for args in [
        vec!["--db", db, "activities"],
        vec!["--db", db, "add", "run", "--km", "5", "--minutes", "30"],
        vec!["--db", db, "pain", "add", "2"],
        vec!["--db", db, "import", fit.to_str().unwrap()],
    ] {
        let (_, stderr) = env.fails(2, &args);
        assert!(
            stderr.contains("another application's SQLite database")
                && stderr.contains("places.sqlite")
                && stderr.contains("moz_bookmarks"),
            "{args:?}: {stderr}"
        );
    }
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let names: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("places"))
        .collect();
    assert_eq!(
        names,
        vec!["places.sqlite"],
        "no journal or WAL was left beside it"
    );
}

#[test]
fn reading_never_creates_a_database() {
    let env = Env::new();
    for args in [
        &["activities"][..],
        &["weeks"],
        &["pain", "list"],
        &["export"],
        &["check"],
    ] {
        let (_, stderr) = env.fails(2, args);
        assert!(
            stderr.contains(&format!("no database at {}", env.db().display()))
                && stderr.contains("kneeguard import"),
            "{args:?}: {stderr}"
        );
    }
    assert!(!env.db().exists());
}

#[test]
fn a_db_in_a_missing_folder_creates_nothing() {
    let env = Env::new();
    let path = env.dir.path().join("Dropbx/kneeguard/kg.sqlite");
    let db = path.to_str().unwrap();
    for args in [
        vec!["--db", db, "pain", "add", "3"],
        vec!["--db", db, "add", "run", "--km", "5", "--minutes", "30"],
        vec!["--db", db, "activities"],
    ] {
        let (_, stderr) = env.fails(2, &args);
        assert!(stderr.contains("Dropbx"), "{args:?}: {stderr}");
    }
    // The same through the environment, as a mistyped KNEEGUARD_DB.
    let out = env
        .cmd()
        .env("KNEEGUARD_DB", &path)
        .args(["pain", "add", "3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!env.dir.path().join("Dropbx").exists());
}

#[test]
fn non_files_are_refused() {
    let env = Env::new();
    for (path, what) in [("/dev/null", "a device"), ("/tmp", "a folder")] {
        for args in [
            vec!["--db", path, "activities"],
            vec!["--db", path, "pain", "add", "1"],
        ] {
            let (_, stderr) = env.fails(2, &args);
            assert!(
                stderr.contains(&format!("{path} is {what}, not a database file")),
                "{stderr}"
            );
        }
    }
    assert!(!std::path::Path::new("/dev/null-journal").exists());
    assert!(!std::path::Path::new("/dev/null-wal").exists());
}

#[cfg(unix)]
#[test]
fn the_data_folder_and_database_files_are_private() {
    use crate::common::mode;
    let env = Env::new();
    let db = env.at_default_location(&["add", "run", "--km", "5", "--minutes", "30"]);
    let folder = db.parent().unwrap().to_path_buf();
    assert_eq!(mode(&folder), 0o700);
    assert_eq!(mode(&folder.join("kneeguard.sqlite")), 0o600);
    // A second process while the first holds the database open sees its -wal and -shm.
    let conn = rusqlite::Connection::open(folder.join("kneeguard.sqlite")).unwrap();
    conn.query_row("SELECT count(*) FROM activities", [], |r| {
        r.get::<_, i64>(0)
    })
    .unwrap();
    for suffix in ["-wal", "-shm"] {
        let file = folder.join(format!("kneeguard.sqlite{suffix}"));
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
    drop(conn);
    // A database another kneeguard left readable by all is made private on its next write.
    use std::os::unix::fs::PermissionsExt;
    let db = env.db();
    env.ok(&["add", "run", "--km", "5", "--minutes", "30"]);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    env.ok(&["pain", "add", "1", "--when", "daily"]);
    assert_eq!(mode(&db), 0o600);
}

/// The binary run as a user who may not write the database (root may write anything, so a
/// test run by root runs it as nobody).
#[cfg(unix)]
fn as_reader(env: &Env, args: &[&str]) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("kneeguard"));
    cmd.env_clear()
        .env("HOME", env.dir.path())
        .env("KNEEGUARD_DB", env.db())
        .env("KNEEGUARD_TODAY", &env.today)
        .env("COLUMNS", "100")
        .args(args);
    if rustix_is_root() {
        cmd.uid(65534).gid(65534);
    }
    cmd.output().unwrap()
}

#[cfg(unix)]
fn rustix_is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    // A file this process creates is owned by its effective user.
    let probe = tempfile::NamedTempFile::new().unwrap();
    probe.as_file().metadata().unwrap().uid() == 0
}

#[cfg(unix)]
#[test]
fn a_read_only_database_can_be_read() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    env.ok(&[
        "add",
        "run",
        "--km",
        "5",
        "--minutes",
        "30",
        "--date",
        "2026-11-20",
    ]);
    env.ok(&[
        "pain",
        "add",
        "2",
        "--when",
        "after",
        "--date",
        "2026-11-20",
    ]);
    let before = std::fs::read(env.db()).unwrap();
    let dir = env.dir.path();
    std::fs::set_permissions(env.db(), std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    let weeks = as_reader(&env, &["weeks"]);
    let list = as_reader(&env, &["activities", "--format", "json"]);
    let write = as_reader(&env, &["add", "run", "--km", "5", "--minutes", "30"]);
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(env.db(), std::fs::Permissions::from_mode(0o644)).unwrap();
    assert!(
        weeks.status.success(),
        "{}",
        String::from_utf8_lossy(&weeks.stderr)
    );
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(write.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&write.stderr);
    assert!(
        stderr.contains(&env.db().display().to_string()) && stderr.contains("read-only"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(env.db()).unwrap(), before);
}

#[cfg(unix)]
#[test]
fn a_writable_database_in_a_read_only_folder_refuses_a_write_as_read_only() {
    // SQLite keeps its log beside the file, so a folder it may not write makes the database
    // read-only for a write, whatever the file's own mode: said so, with the way out.
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    env.run_on("2026-11-20", "5", "30", &[]);
    let before = std::fs::read(env.db()).unwrap();
    let dir = env.dir.path();
    std::fs::set_permissions(env.db(), std::fs::Permissions::from_mode(0o666)).unwrap();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    let write = as_reader(&env, &["add", "run", "--km", "5", "--minutes", "30"]);
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(env.db(), std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(write.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&write.stderr);
    let db = env.db().display().to_string();
    assert_eq!(
        stderr.lines().next().unwrap_or_default(),
        format!(
            "error: the database {db} is read-only and this command writes to it: make the file \
             and its folder writable, or copy it (`kneeguard backup`) and give --db the copy"
        ),
        "{stderr}"
    );
    assert_eq!(std::fs::read(env.db()).unwrap(), before);
}

#[cfg(unix)]
#[test]
fn a_token_file_others_can_read_is_refused_and_a_symlink_is_not_followed() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    let tokens = env.dir.path().join("strava-tokens.json");
    std::fs::write(
        &tokens,
        r#"{"access_token":"a","refresh_token":"r","expires_at":1790000000,"athlete_id":1}"#,
    )
    .unwrap();
    std::fs::set_permissions(&tokens, std::fs::Permissions::from_mode(0o644)).unwrap();
    let config = env.dir.path().join("c.toml");
    let write_config = |path: &std::path::Path| {
        let text = format!("[strava]\ntoken_file = {:?}\n", path.to_str().unwrap());
        std::fs::write(&config, text).unwrap();
    };
    write_config(&tokens);
    let c = config.to_str().unwrap();
    let (_, stderr) = env.fails(2, &["--config", c, "auth", "status"]);
    assert!(
        stderr.contains("mode 644") && stderr.contains("chmod 600"),
        "{stderr}"
    );
    std::fs::set_permissions(&tokens, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = env.ok(&["--config", c, "auth", "status"]);
    assert!(out.contains("Connected to Strava"), "{out}");

    let link = env.dir.path().join("link.json");
    std::os::unix::fs::symlink(&tokens, &link).unwrap();
    write_config(&link);
    for args in [["auth", "status"], ["auth", "logout"]] {
        let (_, stderr) = env.fails(2, &[&["--config", c][..], &args[..]].concat());
        assert!(stderr.contains("symbolic link"), "{stderr}");
    }
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(tokens.exists());
}

#[test]
fn a_nan_timeout_is_refused_by_name_not_a_panic() {
    let env = Env::new();
    let config = env.dir.path().join("c.toml");
    std::fs::write(&config, "[sync]\ntimeout_s = nan\n").unwrap();
    for args in [["auth", "status"], ["sync", "--help"]] {
        let out = env
            .cmd()
            .args(["--config", config.to_str().unwrap()])
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        if args[1] != "--help" {
            assert_eq!(out.status.code(), Some(2));
            assert!(stderr.contains("[sync] timeout_s"), "{stderr}");
        }
    }
}
