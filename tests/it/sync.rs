//! `kneeguard auth` and `kneeguard sync` end to end against the fake services on 127.0.0.1.

use crate::common::Env;
use crate::fake_strava::{strava_run, Fake, CLIENT_ID, CLIENT_SECRET, INTERVALS_KEY};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, Stdio};

/// external id, sport, start, distance, descent, descent estimated, raw JSON, series
type Row = (
    String,
    String,
    i64,
    f64,
    Option<f64>,
    bool,
    Option<String>,
    Option<Vec<u8>>,
);

struct Setup {
    env: Env,
    fake: Fake,
}

/// Kills the child when a test fails before it ends.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Setup {
    fn new() -> Setup {
        Setup::with("2026-11-22", "timeout_s = 5.0")
    }

    fn with(today: &str, sync_extra: &str) -> Setup {
        let env = Env::on(today);
        std::fs::write(
            env.dir.path().join("config.toml"),
            format!(
                "[general]\ntimezone = \"Europe/Berlin\"\n\n[sync]\ntries = 3\nretry_delay_ms = 5\n{sync_extra}\n"
            ),
        )
        .unwrap();
        Setup {
            env,
            fake: Fake::start(),
        }
    }

    fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = self.env.cmd();
        cmd.envs(self.vars());
        cmd
    }

    fn token_path(&self) -> PathBuf {
        self.env
            .dir
            .path()
            .join("home/.local/share/kneeguard/strava-tokens.json")
    }

    fn tokens(&self) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.token_path()).unwrap()).unwrap()
    }

    /// `auth strava --code <redirect address>` with the scopes granted.
    fn login_with_scope(&self, scope: &str) -> std::process::Output {
        let code = self.fake.new_code();
        let pasted = format!("http://127.0.0.1:1/?state=x&code={code}&scope={scope}");
        self.cmd()
            .args(["auth", "strava", "--code", &pasted])
            .output()
            .unwrap()
    }

    fn login(&self) {
        let out = self.login_with_scope("read,activity:read_all");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `sync --format json` plus `args`: (exit code, summary, stderr).
    fn sync(&self, args: &[&str]) -> (i32, Value, String) {
        let out = self
            .cmd()
            .args(["sync", "--format", "json"])
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!stderr.contains("panicked"), "{stderr}");
        let json = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}\n{stderr}", String::from_utf8_lossy(&out.stdout)));
        (out.status.code().unwrap(), json, stderr)
    }

    /// `args` in the table format, expecting exit 0: stdout.
    fn text(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{args:?}: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }

    fn sync_ok(&self) -> Value {
        let (code, json, stderr) = self.sync(&[]);
        assert_eq!(code, 0, "{json}\n{stderr}");
        json
    }

    /// The synced rows in a comparable form, ordered by start.
    fn rows(&self) -> Vec<Row> {
        let conn = rusqlite::Connection::open(self.env.db()).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT coalesce(external_id, ''), sport, start_ts, distance_m, descent_m,
                        descent_estimated, raw_json, series
                 FROM activities ORDER BY start_ts, external_id",
            )
            .unwrap();
        stmt.query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }

    /// The real binary in the background, with the same environment as `cmd`.
    fn spawn_sync(&self) -> KillOnDrop {
        let home = self.env.dir.path().join("home");
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("kneeguard"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("KNEEGUARD_DB", self.env.db())
            .env("KNEEGUARD_TODAY", &self.env.today)
            .envs(self.vars())
            .current_dir(self.env.dir.path())
            .args(["sync", "--format", "json"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        KillOnDrop(cmd.spawn().unwrap())
    }

    fn vars(&self) -> Vec<(String, String)> {
        let uri = self.fake.uri();
        [
            (
                "KNEEGUARD_CONFIG",
                self.env
                    .dir
                    .path()
                    .join("config.toml")
                    .display()
                    .to_string(),
            ),
            ("KNEEGUARD_STRAVA_OAUTH_URL", uri.clone()),
            ("KNEEGUARD_STRAVA_API_URL", format!("{uri}/api/v3")),
            ("KNEEGUARD_STRAVA_CLIENT_ID", CLIENT_ID.to_string()),
            ("KNEEGUARD_STRAVA_CLIENT_SECRET", CLIENT_SECRET.to_string()),
            ("KNEEGUARD_INTERVALS_API_URL", uri.clone()),
            ("KNEEGUARD_INTERVALS_API_KEY", INTERVALS_KEY.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// Runs a sync in the background and kills it once it has asked for the streams of `id`
    /// (which the fake must be told to hang).
    fn kill_sync_at_streams_of(&self, id: i64) {
        let mut child = self.spawn_sync();
        self.wait_for_streams_request(id);
        child.0.kill().unwrap();
        child.0.wait().unwrap();
    }

    /// Waits (bounded) until the fake has been asked for the streams of `id`.
    fn wait_for_streams_request(&self, id: i64) {
        for _ in 0..1200 {
            if self.fake.state().streams_asked.contains(&id) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        panic!("the sync never asked for the streams of {id}");
    }
}

/// A world with `runs` on Strava where a sync was killed while it waited for the streams of
/// `victim`; the fake answers normally again.
fn killed_sync(runs: Vec<Value>, victim: i64) -> Setup {
    let s = Setup::new();
    {
        let mut st = s.fake.state();
        st.activities = runs;
        st.hang_streams_of = Some(victim);
    }
    s.login();
    s.kill_sync_at_streams_of(victim);
    s.fake.state().hang_streams_of = None;
    s
}

fn n(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("{key} in {v}"))
}

/// 250 runs over the last year, one every 35 hours or so; ids from 17e9.
fn year_of_runs() -> Vec<Value> {
    (0..250)
        .map(|i| {
            strava_run(
                17_000_000_000 + i,
                360 - (i * 36) / 25,
                8.0 + (i % 5) as f64,
                40.0 + (i % 7) as f64 * 10.0,
            )
        })
        .collect()
}

fn in_window(runs: &[Value]) -> usize {
    // 8 weeks before 2026-11-22 in Europe/Berlin
    runs.iter()
        .filter(|r| r["start_date"].as_str().unwrap() >= "2026-09-27")
        .count()
}

#[test]
fn auth_with_a_pasted_code_keeps_private_tokens_and_never_prints_the_secret() {
    let s = Setup::new();
    let out = s.login_with_scope("read,activity:read_all");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("Connected to Strava as Test Runner"),
        "{stdout}"
    );
    let t = s.tokens();
    assert_eq!(t["refresh_token"], "fake-refresh-0001");
    assert_eq!(t["scope"], "read,activity:read_all");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(s.token_path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let status = s
        .cmd()
        .args(["auth", "status", "--format", "json"])
        .output()
        .unwrap();
    let status: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["connected"], true);
    assert_eq!(status["athlete_id"], 9000001);
    let config = s.cmd().args(["config"]).output().unwrap();
    for text in [
        &out.stdout,
        &out.stderr,
        &config.stdout,
        &status.to_string().into_bytes(),
    ] {
        assert!(!String::from_utf8_lossy(text).contains(CLIENT_SECRET));
    }
    // A code works once.
    let code = {
        let mut st = s.fake.state();
        st.codes.clear();
        "code-1".to_string()
    };
    let again = s
        .cmd()
        .args(["auth", "strava", "--code", &code])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(err.contains("refused the authorization code"), "{err}");
    assert_eq!(s.tokens()["refresh_token"], "fake-refresh-0001");
}

#[test]
fn auth_catches_the_redirect_on_the_loopback_address() {
    let s = Setup::new();
    let code = s.fake.new_code();
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("kneeguard"));
    let home = s.env.dir.path().join("home");
    cmd.env_clear()
        .env("HOME", &home)
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("KNEEGUARD_DB", s.env.db())
        .envs(s.vars())
        .args(["auth", "strava"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = KillOnDrop(cmd.spawn().unwrap());
    let stdout = child.0.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let address = lines
        .by_ref()
        .take(20)
        .map(Result::unwrap)
        .find(|l| l.trim().starts_with("http"))
        .expect("the authorize address is printed");
    let address = url::Url::parse(address.trim()).unwrap();
    assert_eq!(address.path(), "/oauth/authorize");
    let q: std::collections::HashMap<String, String> = address.query_pairs().into_owned().collect();
    assert_eq!(q["client_id"], CLIENT_ID);
    assert_eq!(q["scope"], "read,activity:read_all");
    let redirect = url::Url::parse(&q["redirect_uri"]).unwrap();
    assert_eq!(redirect.host_str(), Some("127.0.0.1"));
    // The browser, sent back by Strava.
    let port = redirect.port().unwrap();
    let mut socket = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        socket,
        "GET /?state={}&code={code}&scope=read,activity:read_all HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        q["state"]
    )
    .unwrap();
    let mut page = String::new();
    socket.read_to_string(&mut page).unwrap();
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    let status = child.0.wait().unwrap();
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    assert!(status.success(), "{rest:?}");
    assert!(
        rest.iter()
            .any(|l| l.contains("Granted scopes: read,activity:read_all")),
        "{rest:?}"
    );
    assert_eq!(s.tokens()["refresh_token"], "fake-refresh-0001");
}

#[test]
fn a_refused_scope_is_named_and_nothing_is_stored() {
    let s = Setup::new();
    let out = s.login_with_scope("read");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("activity:read_all") && err.contains("granted only"),
        "{err}"
    );
    assert!(!s.token_path().exists());
    let out = s.cmd().arg("sync").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("run `kneeguard auth strava` first"),
        "{stderr}"
    );
}

#[test]
fn a_first_sync_stores_every_run_with_streams_inside_the_window_and_few_requests() {
    let s = Setup::new();
    let runs = year_of_runs();
    let window = in_window(&runs) as u64;
    s.fake.state().activities = runs.clone();
    s.login();
    let summary = s.sync_ok();
    let n_runs = runs.len() as u64;
    assert_eq!(n(&summary, "fetched"), n_runs);
    assert_eq!(n(&summary, "new"), n_runs);
    assert_eq!(n(&summary, "duplicates"), 0);
    assert_eq!(n(&summary, "streams_fetched"), window);
    // ceil(250 / 200) + 1 list requests, one streams request per run in the window; then the
    // backfill takes what the read limit (100 a quarter hour) leaves, keeping 10 for the next sync
    let backfilled = 100 - 10 - (3 + window);
    assert_eq!(n(&summary, "list_requests"), 3);
    assert_eq!(n(&summary, "backfilled"), backfilled);
    assert_eq!(n(&summary, "backfill_requests"), backfilled);
    assert_eq!(
        n(&summary, "backfill_remaining"),
        n_runs - window - backfilled
    );
    assert_eq!(n(&summary, "streams_requests"), window + backfilled);
    assert_eq!(n(&summary, "requests"), 90);
    assert_eq!(s.fake.state().api_requests, 90);
    assert_eq!(summary["rate_limited"], false);
    assert_eq!(summary["resume_after"], Value::Null);
    // `after` is in epoch seconds (milliseconds are refused with 400 `future`)
    for after in &s.fake.state().afters {
        assert!(after.parse::<i64>().unwrap() < 10_000_000_000, "{after}");
    }
    println!(
        "first sync of {n_runs} runs ({window} in the stream window): {} requests ({} list, {} \
         streams, {backfilled} of them for older runs)",
        n(&summary, "requests"),
        n(&summary, "list_requests"),
        n(&summary, "streams_requests")
    );

    let rows = s.rows();
    assert_eq!(rows.len(), runs.len());
    let newest = rows.last().unwrap();
    assert_eq!(newest.0, "strava:17000000249");
    // Inside the window: kneeguard's own descent from the altitude stream (a loop of 40-100 m).
    let climb = runs[249]["total_elevation_gain"].as_f64().unwrap();
    let descent = newest.4.unwrap();
    assert!(!newest.5, "streams give a measured descent");
    assert!(
        (descent - climb).abs() <= climb * 0.15 + 5.0,
        "{descent} vs {climb}"
    );
    // Outside it: the climb as the estimate, marked as estimated, raw JSON kept.
    let oldest = &rows[0];
    assert!(oldest.5);
    assert_eq!(oldest.4, runs[0]["total_elevation_gain"].as_f64());
    let raw: Value = serde_json::from_str(oldest.6.as_deref().unwrap()).unwrap();
    assert_eq!(raw["id"], 17_000_000_000i64);

    // The next sync in the same quarter hour overlaps a day and lists one page plus the empty
    // one in the room the backfill left; the backfill has no room left.
    let again = s.sync_ok();
    assert_eq!(n(&again, "new"), 0);
    assert!(n(&again, "unchanged") >= 1);
    assert_eq!(n(&again, "list_requests"), 2);
    assert_eq!(n(&again, "streams_requests"), 0);
    assert_eq!(n(&again, "backfilled"), 0);
    assert_eq!(
        n(&again, "backfill_remaining"),
        n_runs - window - backfilled
    );
    assert_eq!(s.rows(), rows);
}

#[test]
fn short_pages_before_the_end_lose_nothing() {
    let s = Setup::new();
    let runs: Vec<Value> = (0..30)
        .map(|i| strava_run(18_000_000_000 + i, 300 - i * 5, 6.0, 20.0))
        .collect();
    {
        let mut st = s.fake.state();
        st.activities = runs;
        st.page_cap = Some(7);
    }
    s.login();
    let summary = s.sync_ok();
    assert_eq!(n(&summary, "new"), 30);
    // 5 pages of at most 7 (all short of 200) and the empty page that ends the list
    assert_eq!(n(&summary, "list_requests"), 6);
    assert_eq!(s.rows().len(), 30);
}

#[test]
fn a_run_imported_from_a_file_is_linked_not_stored_twice() {
    use chrono::{Duration, TimeZone, Utc};
    use kneeguard::synth::{fit_writer::FitSport, Course};
    let s = Setup::new();
    let start = Utc.with_ymd_and_hms(2026, 11, 20, 6, 30, 0).unwrap();
    let fit = Course::new(start, 10_000.0, 60.0).to_fit(FitSport::RUN, 7);
    let path = s.env.dir.path().join("run.fit");
    std::fs::write(&path, fit).unwrap();
    s.env.ok(&["import", path.to_str().unwrap()]);
    // The same run on Strava, 20 s later and 1% longer; and a run of its own.
    let mut same = strava_run(19_000_000_001, 2, 10.1, 60.0);
    same["start_date"] = Value::from(
        (start + Duration::seconds(20)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    );
    let other = strava_run(19_000_000_002, 1, 5.0, 10.0);
    s.fake.state().activities = vec![same, other];
    s.login();
    let summary = s.sync_ok();
    assert_eq!(n(&summary, "duplicates"), 1);
    assert_eq!(n(&summary, "new"), 1);
    assert_eq!(s.fake.state().streams_asked, vec![19_000_000_002]);
    let rows = s.rows();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0].0, "strava:19000000001",
        "the file's run got the Strava id"
    );
    let again = s.sync_ok();
    assert_eq!(n(&again, "duplicates") + n(&again, "new"), 0);
    // the overlap reaches back a day before the newest run: the linked one is not listed again
    assert_eq!(n(&again, "unchanged"), 1);
    assert_eq!(s.rows().len(), 2);
}

#[test]
fn manual_activities_and_missing_streams_keep_an_estimate() {
    let s = Setup::new();
    let mut manual = strava_run(20_000_000_001, 3, 5.0, 0.0);
    manual["manual"] = Value::Bool(true);
    manual["start_latlng"] = Value::Array(vec![]);
    let gone = strava_run(20_000_000_002, 2, 6.0, 30.0);
    let flat = strava_run(20_000_000_003, 1, 7.0, 25.0);
    {
        let mut st = s.fake.state();
        st.activities = vec![manual, gone, flat];
        st.streams_404.insert(20_000_000_002);
        st.no_altitude.insert(20_000_000_003);
    }
    s.login();
    let summary = s.sync_ok();
    assert_eq!(n(&summary, "new"), 3);
    // No streams request for the manual entry; a 404 is normal; a missing altitude stream too.
    assert_eq!(
        s.fake.state().streams_asked,
        vec![20_000_000_002, 20_000_000_003]
    );
    assert_eq!(n(&summary, "streams_fetched"), 1);
    assert_eq!(n(&summary, "descent_estimated"), 3);
    // The two runs Strava has no altitude for are noted, so the backfill does not ask again;
    // the manual entry has no streams to ask for.
    let notes: Vec<&str> = summary["descent_notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["external_id"].as_str().unwrap())
        .collect();
    assert_eq!(notes, ["strava:20000000002", "strava:20000000003"]);
    assert_eq!(n(&summary, "backfill_remaining"), 0);
    let rows = s.rows();
    assert_eq!(rows[1].4, Some(30.0));
    assert!(rows.iter().all(|r| r.5));
    // and the runner is told which descents are estimates
    let listed = s.env.activities();
    assert!(
        listed.iter().all(|a| a["descent_estimated"] == true),
        "{listed:?}"
    );
    let table = s.env.ok(&["activities"]);
    assert!(table.contains("~30 m"), "{table}");
}

#[test]
fn the_sync_stops_before_the_rate_limit_and_the_next_one_resumes() {
    let s = Setup::new();
    let runs: Vec<Value> = (0..8)
        .map(|i| strava_run(21_000_000_000 + i, 16 - 2 * i, 6.0, 20.0))
        .collect();
    {
        let mut st = s.fake.state();
        st.activities = runs;
        st.limit_15min = 5;
    }
    s.login();
    let (code, summary, stderr) = s.sync(&[]);
    assert_eq!(code, 1, "{summary}");
    assert_eq!(summary["rate_limited"], true);
    let resume = summary["resume_after"].as_str().unwrap();
    let resume = chrono::DateTime::parse_from_rfc3339(resume).unwrap();
    assert_eq!(resume.timestamp() % 900, 0, "a quarter hour: {resume}");
    // list + 4 streams = the limit of 5, and no request past it
    assert_eq!(n(&summary, "new"), 4);
    assert_eq!(n(&summary, "requests"), 5);
    assert_eq!(s.fake.state().api_requests, 5);
    assert!(
        stderr.contains("rate limit reached: 4 of 8 listed activities synced; run again after"),
        "{stderr}"
    );
    // The table says it too.
    s.fake.state().usage_15min = 5;
    let text = s.cmd().args(["sync"]).output().unwrap();
    assert_eq!(text.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&text.stdout).contains("rate limit reached"));

    // A new window, with room to finish.
    s.fake.state().usage_15min = 0;
    s.fake.state().limit_15min = 200;
    let rest = s.sync_ok();
    assert_eq!(n(&rest, "new"), 4);
    let rows = s.rows();
    assert_eq!(rows.len(), 8);
    let ids: std::collections::HashSet<_> = rows.iter().map(|r| r.0.clone()).collect();
    assert_eq!(ids.len(), 8);
}

#[test]
fn a_429_stops_the_sync_like_the_limit_and_nothing_is_lost() {
    let s = Setup::new();
    let runs: Vec<Value> = (0..4)
        .map(|i| strava_run(22_000_000_000 + i, 8 - 2 * i, 6.0, 20.0))
        .collect();
    {
        let mut st = s.fake.state();
        st.activities = runs;
        st.force_429_from = Some(3);
    }
    s.login();
    let (code, summary, stderr) = s.sync(&[]);
    assert_eq!(code, 1);
    assert_eq!(summary["rate_limited"], true);
    assert_eq!(n(&summary, "new"), 1);
    assert!(stderr.contains("rate limit reached"), "{stderr}");
    s.fake.state().force_429_from = None;
    let rest = s.sync_ok();
    assert_eq!(n(&rest, "new"), 3);
    assert_eq!(s.rows().len(), 4);
}

#[test]
fn server_errors_and_slow_answers_are_retried() {
    let s = Setup::with("2026-11-22", "timeout_s = 1.0");
    let runs: Vec<Value> = (0..3)
        .map(|i| strava_run(23_000_000_000 + i, 6 - 2 * i, 6.0, 20.0))
        .collect();
    {
        let mut st = s.fake.state();
        st.activities = runs;
        st.fail_next = 1;
    }
    s.login();
    {
        let mut st = s.fake.state();
        st.slow_next = 1;
        st.slow_delay = std::time::Duration::from_secs(3);
    }
    // 503, then the list answers after 3 s (timed out at 1 s), then in time; the empty page.
    let summary = s.sync_ok();
    assert_eq!(n(&summary, "new"), 3);
    assert_eq!(n(&summary, "list_requests"), 4);
    assert_eq!(n(&summary, "requests"), 4 + 3);

    // A service that stays down: reported, nothing lost, the next sync completes.
    let more = strava_run(23_000_000_010, 0, 5.0, 10.0);
    {
        let mut st = s.fake.state();
        st.activities.push(more);
        st.fail_next = 100;
    }
    let (code, summary, stderr) = s.sync(&[]);
    assert_eq!(code, 1, "{summary}");
    assert!(
        stderr.contains("did not answer") && stderr.contains("after 3 tries"),
        "{stderr}"
    );
    assert_eq!(s.rows().len(), 3);
    s.fake.state().fail_next = 0;
    assert_eq!(n(&s.sync_ok(), "new"), 1);
    assert_eq!(s.rows().len(), 4);
}

#[test]
fn expiring_tokens_are_refreshed_saved_and_rotated() {
    let s = Setup::new();
    s.fake.state().activities = vec![strava_run(24_000_000_001, 1, 5.0, 10.0)];
    s.fake.state().expires_in = 60; // inside the 5-minute margin: refreshed before use
    s.login();
    let first = s.sync_ok();
    assert_eq!(n(&first, "token_requests"), 1);
    assert_eq!(s.tokens()["refresh_token"], "fake-refresh-0002");
    assert_eq!(s.tokens()["scope"], "read,activity:read_all");
    let second = s.sync_ok();
    assert_eq!(n(&second, "token_requests"), 1);
    assert_eq!(s.tokens()["refresh_token"], "fake-refresh-0003");
    assert_eq!(s.fake.state().stale_refreshes, 0);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(s.token_path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn a_401_mid_sync_refreshes_once_and_goes_on() {
    let s = Setup::new();
    let runs: Vec<Value> = (0..4)
        .map(|i| strava_run(25_000_000_000 + i, 8 - 2 * i, 6.0, 20.0))
        .collect();
    s.fake.state().activities = runs;
    s.login();
    s.fake.state().revoke_access_after = Some(2);
    let summary = s.sync_ok();
    assert_eq!(n(&summary, "new"), 4);
    assert_eq!(n(&summary, "token_requests"), 1);
    // two list pages (the second empty), 4 streams, and the one retried after the 401
    assert_eq!(n(&summary, "requests"), 7);
    assert_eq!(s.tokens()["refresh_token"], "fake-refresh-0002");
}

#[test]
fn a_dead_grant_asks_for_a_new_authorization() {
    let s = Setup::new();
    s.fake.state().activities = vec![strava_run(26_000_000_001, 1, 5.0, 10.0)];
    s.fake.state().expires_in = 60;
    s.login();
    s.fake.state().refresh_token = Some("revoked-elsewhere".into());
    let (code, summary, stderr) = s.sync(&[]);
    assert_eq!(code, 2);
    assert_eq!(summary["complete"], false);
    assert!(
        stderr.contains("Strava refused the refresh token (it was replaced or revoked): run `kneeguard auth strava` again"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked") && !stderr.contains("backtrace"));
}

#[test]
fn a_killed_sync_loses_nothing_and_the_next_one_matches_a_clean_sync() {
    let runs: Vec<Value> = (0..12)
        .map(|i| strava_run(27_000_000_000 + i, 24 - 2 * i, 6.0 + i as f64, 30.0))
        .collect();
    // The clean run, in its own world.
    let clean = Setup::new();
    clean.fake.state().activities = runs.clone();
    clean.login();
    clean.sync_ok();
    let expected = clean.rows();
    assert_eq!(expected.len(), 12);

    let s = killed_sync(runs, 27_000_000_006);
    let partial = s.rows();
    assert_eq!(
        partial.len(),
        6,
        "the runs before the interrupted one are stored"
    );
    assert_eq!(partial[..], expected[..6]);

    let rest = s.sync_ok();
    assert_eq!(n(&rest, "new"), 6);
    assert_eq!(s.rows(), expected);
}

#[test]
fn an_interrupted_sync_after_a_refresh_leaves_the_new_refresh_token_on_disk() {
    let s = Setup::new();
    let run = strava_run(28_000_000_001, 1, 5.0, 10.0);
    {
        let mut st = s.fake.state();
        st.activities = vec![run];
        st.expires_in = 60;
        st.hang_streams_of = Some(28_000_000_001);
    }
    s.login();
    s.kill_sync_at_streams_of(28_000_000_001);
    // The fake rotated the token: the file must hold the live one, not the dead one.
    let live = s.fake.state().refresh_token.clone().unwrap();
    assert_eq!(live, "fake-refresh-0002");
    assert_eq!(s.tokens()["refresh_token"], live);
    s.fake.state().hang_streams_of = None;
    let summary = s.sync_ok();
    assert_eq!(n(&summary, "new"), 1);
    assert_eq!(s.fake.state().stale_refreshes, 0);
}

#[test]
fn logout_revokes_and_deletes_the_tokens() {
    let s = Setup::new();
    s.login();
    let out = s.cmd().args(["auth", "logout"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Revoked"));
    assert!(s.fake.state().revoked);
    assert!(!s.token_path().exists());
}

fn intervals_setup() -> Setup {
    let s = Setup::with("2026-09-30", "timeout_s = 5.0");
    let list: Vec<Value> = serde_json::from_str(include_str!(
        "../fixtures/intervals_api/athlete_activities.json"
    ))
    .unwrap();
    s.fake.state().intervals_activities = list;
    s
}

#[test]
fn intervals_sync_skips_strava_stubs_uses_the_loss_and_shows_wellness_apart() {
    let s = intervals_setup();
    let (code, summary, stderr) = s.sync(&["--source", "intervals"]);
    assert_eq!(code, 0, "{summary}\n{stderr}");
    assert_eq!(n(&summary, "new"), 1);
    assert_eq!(n(&summary, "stubs_skipped"), 1);
    // 13 windows of 30 days over the first year, and the wellness
    assert_eq!(n(&summary, "requests"), 14);
    assert_eq!(s.fake.state().intervals_requests, 14);
    assert_eq!(
        n(&summary, "list_requests"),
        13,
        "the wellness request is no list request"
    );
    let rows = s.rows();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "intervals:i90000003");
    assert_eq!(rows[0].4, Some(139.8));
    assert!(!rows[0].5);
    let wellness = summary["wellness"].as_array().unwrap();
    assert_eq!(wellness.len(), 2);
    assert_eq!(wellness[1]["injury"], 2);
    let text = s
        .cmd()
        .args(["sync", "--source", "intervals"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("2026-09-28  soreness 3, injury 2, \"left achilles tight\""),
        "{text}"
    );
    assert!(text.contains("kneeguard's pain log is separate"), "{text}");
    assert_eq!(s.rows().len(), 1, "no duplicate on the second sync");
}

#[test]
fn intervals_bad_key_and_429_are_explained() {
    let s = intervals_setup();
    let out = s
        .cmd()
        .env("KNEEGUARD_INTERVALS_API_KEY", "wrong")
        .args(["sync", "--source", "intervals"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("intervals.icu refused the API key (Access denied)"),
        "{err}"
    );

    s.fake.state().intervals_429_next = 1;
    let (code, summary, _) = s.sync(&["--source", "intervals"]);
    assert_eq!(code, 1);
    assert_eq!(summary["rate_limited"], true);
    s.fake.state().intervals_429_next = 1;
    let (code, summary, _) = s.sync(&["--source", "intervals", "--wait"]);
    assert_eq!(code, 0, "{summary}");
    assert_eq!(n(&summary, "new"), 1);
}

/// The rows of a world where every run of `runs` got its streams at the first sync (a stream
/// window of a year and room in the rate limit): what the backfill must arrive at.
fn measured_at_once(runs: &[Value]) -> Vec<Row> {
    let s = Setup::with("2026-11-22", "timeout_s = 5.0\nstream_window_weeks = 60");
    {
        let mut st = s.fake.state();
        st.activities = runs.to_vec();
        st.limit_15min = 1000;
        st.read_limit_15min = 1000;
    }
    s.login();
    let summary = s.sync_ok();
    assert_eq!(n(&summary, "streams_fetched"), runs.len() as u64);
    assert_eq!(n(&summary, "backfilled"), 0);
    s.rows()
}

/// `count` runs of last spring, one a day, newest last; ids from `first_id`.
fn old_runs(first_id: i64, count: i64) -> Vec<Value> {
    (0..count)
        .map(|i| strava_run(first_id + i, 200 - i, 8.0 + (i % 3) as f64, 40.0 + i as f64))
        .collect()
}

/// The streams the fake was asked for, in order.
fn asked(s: &Setup) -> Vec<i64> {
    s.fake.state().streams_asked.clone()
}

fn no_repeats(ids: &[i64]) {
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "streams asked twice: {ids:?}");
}

#[test]
fn a_year_of_history_gets_measured_descent_over_a_few_syncs_newest_first() {
    let runs = year_of_runs();
    let window = in_window(&runs);
    let expected = measured_at_once(&runs);
    let s = Setup::new();
    s.fake.state().activities = runs.clone();
    s.login();
    let mut per_sync = Vec::new();
    loop {
        let summary = s.sync_ok();
        per_sync.push(n(&summary, "backfilled"));
        assert_eq!(summary["rate_limited"], false);
        if n(&summary, "backfill_remaining") == 0 || per_sync.len() == 10 {
            break;
        }
        // the next quarter hour
        s.fake.state().usage_15min = 0;
    }
    // 100 reads a quarter hour, 10 kept for the next sync: the first sync lists 3 pages and
    // streams the recent runs; later ones list 2 pages and spend the other 88 on the backfill.
    let first = 90 - 3 - window as u64;
    let old = (runs.len() - window) as u64;
    assert_eq!(per_sync, vec![first, 88, old - first - 88]);
    println!(
        "{} runs, {window} in the stream window: older runs measured per sync {per_sync:?}",
        runs.len()
    );
    // Nothing asked twice, the backfill newest first (the ids rise with the start).
    let asked = asked(&s);
    no_repeats(&asked);
    let backfill = &asked[window..];
    assert_eq!(backfill.len() as u64, old);
    assert!(backfill.windows(2).all(|w| w[0] > w[1]), "{backfill:?}");
    // Every run measured exactly as a sync with streams for all of them measures it: the same
    // descent, the same series, no estimate left.
    assert_eq!(s.rows(), expected);
    assert!(s
        .env
        .activities()
        .iter()
        .all(|a| a["descent_estimated"] == false));
    // `--backfill` has nothing left to do and sends nothing.
    let before = s.fake.state().api_requests;
    let out = s.text(&["sync", "--backfill"]);
    assert!(
        out.contains("for 0 runs synced with an estimate; no run waits for its streams."),
        "{out}"
    );
    assert!(out.contains("0 requests (0 list, 0 streams)."), "{out}");
    assert_eq!(s.fake.state().api_requests, before);
}

#[test]
fn the_backfill_stops_quietly_at_the_budget_and_leaves_room_for_the_next_sync() {
    let mut runs = old_runs(30_000_000_000, 12);
    runs.extend((0..3).map(|i| strava_run(30_000_000_100 + i, 6 - 2 * i, 6.0, 20.0)));
    let s = Setup::new();
    s.fake.state().activities = runs.clone();
    s.fake.state().read_limit_15min = 20;
    s.login();
    // 2 list requests and 3 recent runs' streams; 5 older runs until 10 of the 20 are left.
    let summary = s.sync_ok();
    assert_eq!(n(&summary, "new"), 15);
    assert_eq!(n(&summary, "backfilled"), 5);
    assert_eq!(n(&summary, "backfill_remaining"), 7);
    assert_eq!(summary["complete"], true);
    assert_eq!(summary["rate_limited"], false);
    assert_eq!(s.fake.state().api_requests, 10);
    // The next sync in the same window finds its room, and says what is left.
    let out = s.text(&["sync"]);
    assert!(
        out.contains(
            "for 0 runs synced with an estimate; 7 still estimated: later syncs measure more"
        ),
        "{out}"
    );
    assert_eq!(s.fake.state().api_requests, 12);
    // Another app spent the window: a 429 after two more runs ends the backfill, not the sync.
    {
        let mut st = s.fake.state();
        st.usage_15min = 0;
        st.force_429_from = Some(st.api_requests + 5);
    }
    let summary = s.sync_ok();
    assert_eq!(n(&summary, "backfilled"), 2);
    assert_eq!(n(&summary, "backfill_remaining"), 5);
    assert_eq!(summary["rate_limited"], false);
    assert_eq!(summary["complete"], true);
    // The next window finishes it, and no run was asked for twice.
    {
        let mut st = s.fake.state();
        st.usage_15min = 0;
        st.force_429_from = None;
    }
    let summary = s.sync_ok();
    assert_eq!(n(&summary, "backfilled"), 5);
    assert_eq!(n(&summary, "backfill_remaining"), 0);
    // (the fake does not record a request it refused with the 429)
    let asked = asked(&s);
    assert_eq!(asked.len(), 3 + 12);
    no_repeats(&asked);
    assert_eq!(s.rows(), measured_at_once(&runs));
}

#[test]
fn sync_backfill_lists_nothing_and_stops_at_the_daily_limit_until_the_next_day() {
    let runs = old_runs(32_000_000_000, 12);
    let s = Setup::new();
    {
        let mut st = s.fake.state();
        st.activities = runs.clone();
        // room for the list and nothing more: 2 + the 10 kept
        st.read_limit_15min = 12;
    }
    s.login();
    let summary = s.sync_ok();
    assert_eq!(n(&summary, "new"), 12);
    assert_eq!(n(&summary, "backfilled"), 0);
    assert_eq!(n(&summary, "backfill_remaining"), 12);
    // A new quarter hour, but only 4 reads left today beyond the 10 kept.
    {
        let mut st = s.fake.state();
        st.usage_15min = 0;
        st.read_limit_15min = 100;
        st.read_limit_daily = st.usage_daily + 14;
    }
    let (code, summary, stderr) = s.sync(&["--backfill"]);
    assert_eq!(code, 1, "{summary}\n{stderr}");
    assert_eq!(summary["backfill_only"], true);
    assert_eq!(n(&summary, "fetched"), 0);
    assert_eq!(n(&summary, "list_requests"), 0);
    assert_eq!(s.fake.state().list_requests, 2, "--backfill lists nothing");
    assert_eq!(n(&summary, "backfilled"), 4);
    assert_eq!(n(&summary, "backfill_remaining"), 8);
    assert_eq!(summary["rate_limited"], true);
    let resume = summary["resume_after"].as_str().unwrap();
    let resume = chrono::DateTime::parse_from_rfc3339(resume).unwrap();
    assert_eq!(resume.timestamp() % 86_400, 0, "midnight UTC: {resume}");
    assert!(
        stderr.contains("rate limit reached for today: 4 of 12 runs measured; run again after"),
        "{stderr}"
    );
    // newest first
    let newest: Vec<i64> = (8..12).rev().map(|i| 32_000_000_000 + i).collect();
    assert_eq!(asked(&s), newest);
    // The next day it finishes.
    {
        let mut st = s.fake.state();
        st.usage_15min = 0;
        st.usage_daily = 0;
        st.read_limit_daily = 1000;
    }
    let (code, summary, _) = s.sync(&["--backfill"]);
    assert_eq!(code, 0, "{summary}");
    assert_eq!(n(&summary, "backfilled"), 8);
    assert_eq!(n(&summary, "backfill_remaining"), 0);
    let asked = asked(&s);
    no_repeats(&asked);
    assert_eq!(asked.len(), 12);
    assert!(asked.windows(2).all(|w| w[0] > w[1]), "{asked:?}");
    assert_eq!(s.rows(), measured_at_once(&runs));
}

#[test]
fn a_run_deleted_on_strava_keeps_its_estimate_with_a_note_and_is_never_asked_again() {
    let runs = old_runs(33_000_000_000, 5);
    let (deleted, flat) = (33_000_000_003, 33_000_000_001);
    let s = Setup::new();
    {
        let mut st = s.fake.state();
        st.activities = runs;
        st.streams_404.insert(deleted);
        st.no_altitude.insert(flat);
    }
    s.login();
    let out = s.text(&["sync"]);
    assert!(
        out.contains("for 3 runs synced with an estimate; no run waits for its streams."),
        "{out}"
    );
    assert!(
        out.contains("Descent stays estimated (`~` in `kneeguard activities`) for 2 runs, not asked for again:"),
        "{out}"
    );
    assert!(
        out.contains("\"Run 33000000003\" (strava:33000000003): Strava has no streams for this run (deleted there?): its descent stays estimated"),
        "{out}"
    );
    assert!(
        out.contains("(strava:33000000001): Strava's streams of this run have no altitude"),
        "{out}"
    );
    let rows = s.rows();
    let estimated: Vec<&str> = rows.iter().filter(|r| r.5).map(|r| r.0.as_str()).collect();
    assert_eq!(estimated, ["strava:33000000001", "strava:33000000003"]);
    let listed = s.env.activities();
    let still: Vec<i64> = listed
        .iter()
        .filter(|a| a["descent_estimated"] == true)
        .map(|a| {
            a["source"]
                .as_str()
                .unwrap()
                .trim_start_matches("strava:")
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(still, [flat, deleted]);
    // The next syncs ask for neither again, and have nothing left to backfill.
    for _ in 0..2 {
        s.fake.state().usage_15min = 0;
        let summary = s.sync_ok();
        assert_eq!(n(&summary, "streams_requests"), 0);
        assert_eq!(n(&summary, "backfill_remaining"), 0);
        assert_eq!(summary["descent_notes"], Value::Array(Vec::new()));
    }
    assert_eq!(asked(&s).len(), 5);
    assert_eq!(s.rows(), rows);
}

#[test]
fn a_killed_backfill_loses_nothing_and_the_next_sync_finishes_it() {
    let runs = old_runs(34_000_000_000, 8);
    let expected = measured_at_once(&runs);
    // newest first: 7, 6, 5, then the one that hangs
    let victim = 34_000_000_004;
    let s = killed_sync(runs, victim);
    let partial = s.rows();
    assert_eq!(partial.len(), 8, "every run was stored before the backfill");
    // the three measured before the kill are as a clean sync leaves them, the rest estimated
    assert_eq!(partial[5..], expected[5..]);
    assert!(partial[..5].iter().all(|r| r.5 && r.7.is_none()));

    let rest = s.sync_ok();
    assert_eq!(n(&rest, "new"), 0);
    assert_eq!(n(&rest, "backfilled"), 5);
    assert_eq!(s.rows(), expected);
    // only the interrupted run was asked for twice
    let asked = asked(&s);
    assert_eq!(asked.len(), 9);
    assert_eq!(asked.iter().filter(|id| **id == victim).count(), 2);
}

#[test]
fn backfill_is_for_strava_and_not_mixed_with_since() {
    let s = intervals_setup();
    let out = s
        .cmd()
        .args(["sync", "--source", "intervals", "--backfill"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("intervals.icu gives each activity's descent (total_elevation_loss), so there is nothing to backfill"),
        "{err}"
    );
    assert_eq!(s.fake.state().intervals_requests, 0);
    let out = s
        .cmd()
        .args(["sync", "--backfill", "--since", "2026-09-01"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used with"));
}

/// A run `days_ago` days before 2026-11-22 with other numbers.
fn edited(mut run: Value, distance_m: f64, seconds: f64) -> Value {
    run["distance"] = Value::from(distance_m);
    run["moving_time"] = Value::from(seconds);
    run["elapsed_time"] = Value::from(seconds);
    run
}

#[test]
fn impossible_activities_from_strava_are_refused_with_the_reason_and_the_sync_goes_on() {
    let good = strava_run(35_000_000_001, 3, 10.0, 50.0);
    // 42,946 km in 148 s; a session of 5.8 years; a run dated 2099
    let flood = edited(
        strava_run(35_000_000_002, 2, 0.0, 10.0),
        42_946_000.0,
        148.0,
    );
    let years = edited(
        strava_run(35_000_000_003, 1, 0.0, 10.0),
        10_000.0,
        181_848_977.0,
    );
    let future = strava_run(35_000_000_004, -26_650, 10.0, 50.0);
    let today = strava_run(35_000_000_005, 0, 5.0, 10.0);
    let s = Setup::new();
    s.fake.state().activities = vec![good, flood, years, future, today.clone()];
    s.login();
    let summary = s.sync_ok();
    assert_eq!(n(&summary, "fetched"), 5);
    assert_eq!(n(&summary, "new"), 2);
    assert_eq!(n(&summary, "refused"), 3);
    let refusals = summary["refusals"].as_array().unwrap();
    let codes: Vec<&str> = refusals
        .iter()
        .map(|r| r["problem"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["faster_than_record", "too_long", "in_the_future"]);
    assert_eq!(refusals[0]["external_id"], "strava:35000000002");
    assert_eq!(refusals[0]["date"], "2026-11-20");
    assert_eq!(refusals[0]["kept_id"], Value::Null);
    assert_eq!(
        refusals[0]["reason"],
        "42946.0 km in 2:28 is faster than the world record for that distance; correct or \
         delete it on Strava, then run `kneeguard sync --since 2026-11-20`"
    );
    // no streams for a refused run, nothing stored for it
    assert_eq!(asked(&s), [35_000_000_001, 35_000_000_005]);
    let stored: Vec<String> = s.rows().into_iter().map(|r| r.0).collect();
    assert_eq!(stored, ["strava:35000000001", "strava:35000000005"]);

    // An edit on Strava that no runner can make leaves the stored run as it was.
    let today_id = s.env.activities()[1]["id"].as_i64().unwrap();
    let before = s.rows();
    s.fake.state().activities[4] = edited(today, 900_000.0, 1_800.0);
    let out = s.text(&["sync"]);
    assert!(
        out.contains("2 activities listed: 0 new, 2 refused."),
        "{out}"
    );
    assert!(
        out.contains("Refused 2 activities that no runner can make (nothing stored for them):"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "\"Run 35000000005\" (strava:35000000005) (activity {today_id} kept as it was): 900.0 km in 30:00 is faster"
        )),
        "{out}"
    );
    assert!(out.contains("dated 2099-"), "{out}");
    assert_eq!(s.rows(), before);
}

#[test]
fn impossible_activities_from_intervals_are_refused_too() {
    let s = intervals_setup();
    let mut bad = s.fake.state().intervals_activities[0].clone();
    bad["id"] = Value::from("i90000009");
    bad["start_date_local"] = Value::from("2026-09-29T07:00:00");
    bad["start_date"] = Value::from("2026-09-29T05:00:00Z");
    bad["distance"] = Value::from(42_946_000.0);
    bad["icu_distance"] = Value::from(42_946_000.0);
    bad["moving_time"] = Value::from(148);
    s.fake.state().intervals_activities.push(bad);
    let (code, summary, stderr) = s.sync(&["--source", "intervals"]);
    assert_eq!(code, 0, "{summary}\n{stderr}");
    assert_eq!(n(&summary, "new"), 1);
    assert_eq!(n(&summary, "refused"), 1);
    let reason = summary["refusals"][0]["reason"].as_str().unwrap();
    assert!(
        reason.ends_with(
            "correct or delete it on intervals.icu, then run `kneeguard sync --source intervals --since 2026-09-29`"
        ),
        "{reason}"
    );
    assert_eq!(s.rows().len(), 1);
    // intervals.icu gives descent: nothing to backfill
    assert_eq!(n(&summary, "backfill_remaining"), 0);
}

#[test]
fn a_server_that_stops_answering_ends_the_backfill_but_not_the_sync() {
    let runs = old_runs(36_000_000_000, 6);
    let s = Setup::new();
    let failing = 36_000_000_002;
    {
        let mut st = s.fake.state();
        st.activities = runs.clone();
        st.streams_503.insert(failing);
    }
    s.login();
    let out = s.text(&["sync"]);
    // newest first: 5, 4, 3 measured, then 2 fails three times
    assert!(
        out.contains("for 3 runs synced with an estimate; 3 still estimated"),
        "{out}"
    );
    assert!(
        out.contains("The backfill stopped early (Strava did not answer the streams of activity 36000000002 after 3 tries"),
        "{out}"
    );
    s.fake.state().streams_503.clear();
    let summary = s.sync_ok();
    assert_eq!(n(&summary, "backfilled"), 3);
    assert_eq!(n(&summary, "backfill_remaining"), 0);
    assert_eq!(summary["backfill_stopped"], Value::Null);
    assert_eq!(s.rows(), measured_at_once(&runs));
}
