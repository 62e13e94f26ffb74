//! Embeds the demo history (`examples/demo/`) into the binary for `kneeguard demo`, and names
//! the commit in `--version` when the build runs inside a git checkout (a tarball builds too,
//! with the bare version).

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

fn main() {
    version();
    demo_files();
}

/// `KNEEGUARD_VERSION`: `0.1.0 (commit 1a2b3c4d5e)`, or the bare package version without git.
fn version() {
    let package = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let version = match git(&["rev-parse", "--short=10", "HEAD"]) {
        Some(commit) => {
            // Rebuild when HEAD moves: the HEAD file and the branch it names.
            let branch = git(&["symbolic-ref", "-q", "HEAD"]);
            let watched = [
                Some("HEAD".to_string()),
                branch,
                Some("packed-refs".to_string()),
            ];
            for name in watched.into_iter().flatten() {
                match git(&["rev-parse", "--git-path", &name]) {
                    Some(path) if Path::new(&path).exists() => {
                        println!("cargo:rerun-if-changed={path}")
                    }
                    _ => {}
                }
            }
            format!("{package} (commit {commit})")
        }
        None => package,
    };
    println!("cargo:rustc-env=KNEEGUARD_VERSION={version}");
}

fn demo_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".fit") || n.ends_with(".gpx") || n.ends_with(".csv"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut code = String::from("/// The demo history's files: (name, bytes).\npub const DEMO_FILES: &[(&str, &[u8])] = &[\n");
    for name in names {
        let path = dir.join(&name);
        println!("cargo:rerun-if-changed={}", path.display());
        let _ = writeln!(
            code,
            "    ({name:?}, include_bytes!({:?})),",
            path.display().to_string()
        );
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("demo_files.rs");
    std::fs::write(out, code).expect("write demo_files.rs");
}
