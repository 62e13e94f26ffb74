//! A clean environment for running the real binary: a temporary HOME, config and database, a
//! fixed "today", and nothing from the developer's own setup.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub struct Env {
    pub dir: tempfile::TempDir,
    pub today: String,
}

impl Env {
    pub fn new() -> Env {
        Env::on("2026-11-22")
    }

    pub fn on(today: &str) -> Env {
        Env {
            dir: tempfile::tempdir().expect("temp dir"),
            today: today.to_string(),
        }
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("kneeguard.sqlite")
    }

    /// The binary with a clean environment; arguments follow.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("kneeguard").expect("binary");
        let home = self.dir.path().join("home");
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("KNEEGUARD_DB", self.db())
            .env("KNEEGUARD_TODAY", &self.today)
            .env("COLUMNS", "100")
            // Temporary files (the demo's report) go where the test cleans up.
            .env("TMPDIR", self.dir.path())
            .current_dir(self.dir.path());
        cmd
    }

    /// Runs with `args`, expects exit 0, returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().expect("runs");
        assert!(
            out.status.success(),
            "kneeguard {args:?} failed ({:?}):\nstdout: {}\nstderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    /// Runs with `args` and `--format json`, expects exit 0, returns the parsed output.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut full = args.to_vec();
        full.extend(["--format", "json"]);
        let out = self.ok(&full);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}):\n{out}"))
    }

    /// Runs with `args`, expects `code`, returns (stdout, stderr).
    pub fn fails(&self, code: i32, args: &[&str]) -> (String, String) {
        let out = self.cmd().args(args).output().expect("runs");
        assert_eq!(
            out.status.code(),
            Some(code),
            "kneeguard {args:?}:\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// `activities --format json`, parsed.
    pub fn activities(&self) -> Vec<serde_json::Value> {
        let text = self.ok(&["activities", "--format", "json"]);
        serde_json::from_str(&text).expect("json array")
    }
}

/// A fixture file shipped with the project.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// The shared corpus, when it is beside the project.
/// `KNEEGUARD_REQUIRE_CORPUS=1` (set by `.ci/run` when the corpus is there) turns its absence
/// into a failure, so a wrong path cannot pass silently; otherwise its absence is said.
pub fn shared_data() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    if p.join("MANIFEST.tsv").exists() {
        return Some(p);
    }
    assert!(
        !required("KNEEGUARD_REQUIRE_CORPUS"),
        "KNEEGUARD_REQUIRE_CORPUS=1 but {} is missing",
        p.display()
    );
    skipped(&format!("{} is not present", p.display()));
    None
}

/// Whether the environment variable `name` is `1`: a prerequisite must be there.
pub fn required(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| v == "1")
}

/// Says that a test, or part of it, did not run and why. Written to the process's stderr
/// directly: the test harness keeps what `println!` and `eprintln!` print of a passing test.
pub fn skipped(why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED: {why}");
}

impl Env {
    /// Runs with `args` at a terminal width of `columns`, expects exit 0, checks that no line
    /// is wider than `columns`, returns stdout.
    pub fn at_width(&self, columns: usize, args: &[&str]) -> String {
        let out = self
            .cmd()
            .env("COLUMNS", columns.to_string())
            .args(args)
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "kneeguard {args:?} failed:\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).expect("utf-8 output");
        assert_fits(&text, columns);
        text
    }

    /// The activity ids in the database, from `activities --format json`.
    pub fn activity_ids(&self) -> Vec<i64> {
        self.activities()
            .iter()
            .map(|a| a["id"].as_i64().expect("id"))
            .collect()
    }
}

/// Asserts that no line of `text` is wider than `columns` characters.
pub fn assert_fits(text: &str, columns: usize) {
    for line in text.lines() {
        assert!(
            line.chars().count() <= columns,
            "a line of {} characters at {columns} columns:\n{line}\n\nin:\n{text}",
            line.chars().count()
        );
    }
}

/// The file's permission bits.
#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

impl Env {
    /// `add run --date DATE --km KM --minutes MINUTES` and any `more` arguments; stdout.
    /// `pain add SCORE --when WHEN --date DATE` and `more`, expecting exit 0.
    pub fn pain_on(&self, score: &str, when: &str, date: &str, more: &[&str]) -> String {
        let mut args = vec!["pain", "add", score, "--when", when, "--date", date];
        args.extend(more);
        self.ok(&args)
    }

    pub fn run_on(&self, date: &str, km: &str, minutes: &str, more: &[&str]) -> String {
        let args = [
            "add",
            "run",
            "--date",
            date,
            "--km",
            km,
            "--minutes",
            minutes,
        ];
        self.ok(&[&args[..], more].concat())
    }

    /// Runs `args` with the database at its default location (no `--db`, no `KNEEGUARD_DB`),
    /// expects exit 0; returns that location.
    pub fn at_default_location(&self, args: &[&str]) -> PathBuf {
        let out = self
            .cmd()
            .env_remove("KNEEGUARD_DB")
            .args(args)
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.dir
            .path()
            .join("home/.local/share/kneeguard/kneeguard.sqlite")
    }
}
