//! Completions, manual pages, the version and `config init`.

use crate::common::Env;

#[test]
fn completions_for_every_shell_and_bash_accepts_its_script() {
    let env = Env::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = env.ok(&["completions", shell]);
        assert!(
            script.contains("kneeguard") && script.contains("activities"),
            "{shell}"
        );
        assert!(
            script.contains("undelete"),
            "{shell}: subcommands of subcommands"
        );
    }
    let script = env.dir.path().join("kneeguard.bash");
    std::fs::write(&script, env.ok(&["completions", "bash"])).unwrap();
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .expect("bash is installed");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    env.fails(2, &["completions", "tcsh"]);
}

fn man_renders(page: &std::path::Path) -> String {
    let out = std::process::Command::new("man")
        .args(["-l", "-P", "cat"])
        .arg(page)
        .env("MANWIDTH", "80")
        .env("COLUMNS", "80")
        .output()
        .expect("man is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("warning"), "{stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_manual_pages_render() {
    let env = Env::new();
    let page = env.dir.path().join("kneeguard.1");
    std::fs::write(&page, env.ok(&["man"])).unwrap();
    let text = man_renders(&page);
    for word in ["NAME", "SYNOPSIS", "kneeguard", "activities", "--today"] {
        assert!(text.contains(word), "{word}:\n{text}");
    }
    let dir = env.dir.path().join("man1");
    std::fs::create_dir(&dir).unwrap();
    let out = env.ok(&["man", "--out-dir", dir.to_str().unwrap()]);
    assert!(out.contains("manual pages"), "{out}");
    let pain = man_renders(&dir.join("kneeguard-pain.1"));
    assert!(
        pain.contains("kneeguard pain") && pain.contains("import"),
        "{pain}"
    );
    let (_, stderr) = env.fails(2, &["man", "frobnicate"]);
    assert!(stderr.contains("no command"), "{stderr}");
}

#[test]
fn the_version_names_the_commit_when_built_from_git() {
    let env = Env::new();
    let version = env.ok(&["--version"]);
    assert!(
        version.starts_with(&format!("kneeguard {}", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short=10", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    match head {
        Ok(out) if out.status.success() => {
            let commit = String::from_utf8_lossy(&out.stdout).trim().to_string();
            assert!(
                version.contains(&format!("(commit {commit})")),
                "{version} vs {commit}"
            );
        }
        // Built from a tarball: the bare version.
        _ => assert_eq!(
            version.trim(),
            format!("kneeguard {}", env!("CARGO_PKG_VERSION"))
        ),
    }
}

#[test]
fn config_init_writes_the_defaults_once() {
    let env = Env::new();
    let path = env.dir.path().join("home/.config/kneeguard/config.toml");
    let out = env.ok(&["config", "init"]);
    assert!(out.contains("config.toml"), "{out}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        kneeguard::settings::DEFAULT_CONFIG
    );
    std::fs::write(&path, "[general]\nunits = \"mi\"\n").unwrap();
    let (_, stderr) = env.fails(2, &["config", "init"]);
    assert!(
        stderr.contains("exists") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "[general]\nunits = \"mi\"\n"
    );
    env.ok(&["config", "init", "--force"]);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        kneeguard::settings::DEFAULT_CONFIG
    );
    // --config names the file; its folder is created.
    let other = env.dir.path().join("new/folder/kg.toml");
    env.ok(&["--config", other.to_str().unwrap(), "config", "init"]);
    assert!(other.exists());
    // Scripts get JSON.
    let third = env.dir.path().join("third.toml");
    assert_eq!(
        env.json(&["--config", third.to_str().unwrap(), "config", "init"]),
        serde_json::json!({ "config": third.to_str().unwrap() })
    );
}
