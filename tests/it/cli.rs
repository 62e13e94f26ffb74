//! Global options, help, config and errors.

use crate::common::Env;

#[test]
fn the_clap_definition_is_consistent() {
    kneeguard::cli::debug_assert_cli();
}

#[test]
fn help_shows_examples_for_every_command() {
    let env = Env::new();
    for cmd in ["import", "activities", "add", "config"] {
        let help = env.ok(&[cmd, "--help"]);
        assert!(help.contains("Examples:"), "{cmd}: {help}");
    }
}

#[test]
fn an_empty_database_says_how_to_start() {
    let env = Env::new();
    let (_, stderr) = env.fails(2, &["activities"]);
    assert!(stderr.contains("no database at"), "{stderr}");
    env.ok(&["add", "run", "--km", "5", "--minutes", "30"]);
    env.ok(&["activities", "delete", "1"]);
    let out = env.ok(&["activities"]);
    assert!(out.contains("kneeguard import"), "{out}");
    assert_eq!(env.activities().len(), 0);
}

#[test]
fn the_database_defaults_to_the_xdg_data_directory() {
    let env = Env::new();
    let db = env.at_default_location(&["add", "run", "--km", "5", "--minutes", "30"]);
    assert!(db.exists());
}

#[test]
fn config_defaults_is_the_shipped_file_and_a_bad_config_is_named() {
    let env = Env::new();
    let defaults = env.ok(&["config", "defaults"]);
    assert_eq!(defaults, kneeguard::settings::DEFAULT_CONFIG);
    let bad = env.dir.path().join("bad.toml");
    std::fs::write(&bad, "[general]\ntimezone = 5\n").unwrap();
    let (_, stderr) = env.fails(2, &["--config", bad.to_str().unwrap(), "activities"]);
    assert!(
        stderr.contains("bad.toml") && stderr.contains("timezone"),
        "{stderr}"
    );
    // The remedy the error names works with the broken file in place.
    assert!(stderr.contains("config defaults"), "{stderr}");
    let remedy = env.ok(&["--config", bad.to_str().unwrap(), "config", "defaults"]);
    assert_eq!(remedy, kneeguard::settings::DEFAULT_CONFIG);
    let (_, stderr) = env.fails(2, &["--config", "missing.toml", "activities"]);
    assert!(stderr.contains("missing.toml"), "{stderr}");
}

#[test]
fn a_config_time_zone_sets_the_local_offset_of_manual_entries() {
    let env = Env::new();
    let config = env.dir.path().join("c.toml");
    std::fs::write(&config, "[general]\ntimezone = \"America/New_York\"\n").unwrap();
    let c = config.to_str().unwrap();
    env.ok(&[
        "--config",
        c,
        "add",
        "run",
        "--km",
        "5",
        "--minutes",
        "30",
        "--date",
        "2026-07-01",
        "--time",
        "23:30",
    ]);
    let list = env.activities();
    assert_eq!(list[0]["start"], "2026-07-02T03:30:00Z");
    assert_eq!(list[0]["utc_offset_s"], -4 * 3600);
    assert_eq!(list[0]["local_date"], "2026-07-01");
}

#[test]
fn a_usage_error_exits_2() {
    let env = Env::new();
    env.fails(2, &["activities", "--format", "yaml"]);
    env.fails(2, &["frobnicate"]);
    let (_, stderr) = env.fails(2, &["--today", "yesterday", "activities"]);
    assert!(stderr.contains("YYYY-MM-DD"), "{stderr}");
}

#[test]
fn a_database_from_a_newer_version_is_refused_untouched() {
    let env = Env::new();
    env.ok(&["add", "run", "--km", "5", "--minutes", "30"]);
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let (_, stderr) = env.fails(2, &["activities"]);
    assert!(stderr.contains("newer"), "{stderr}");
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let rows: i64 = conn
        .query_row("SELECT count(*) FROM activities", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 1);
}

#[test]
fn a_file_that_is_no_database_is_named_and_left_alone() {
    let env = Env::new();
    let notes = env.dir.path().join("notes.txt");
    std::fs::write(&notes, "ran 5k, felt fine ".repeat(100)).unwrap();
    let (_, stderr) = env.fails(2, &["--db", notes.to_str().unwrap(), "activities"]);
    assert!(
        stderr.contains("notes.txt is not a kneeguard database"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(std::fs::read_to_string(&notes)
        .unwrap()
        .starts_with("ran 5k"));
}

#[test]
fn a_date_range_that_leaves_nothing_is_refused_by_every_list() {
    let env = Env::new();
    env.ok(&["pain", "add", "1", "--when", "daily"]);
    for list in [&["pain", "list"][..], &["activities"][..]] {
        let args = [list, &["--since", "2026-11-20", "--until", "2026-11-01"]].concat();
        let (stdout, stderr) = env.fails(2, &args);
        assert_eq!(stdout, "", "{args:?}");
        assert_eq!(
            stderr.trim_end(),
            "error: --since 2026-11-20 is after --until 2026-11-01: nothing can match; swap the \
             two dates",
            "{args:?}"
        );
    }
}
