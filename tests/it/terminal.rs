//! Output that fits the terminal: widths from COLUMNS, colour only when asked or on a terminal,
//! ASCII without a UTF-8 locale, and help that keeps the global options apart.

use crate::common::{assert_fits, Env};

/// A small history with long names and notes, so that cells must wrap.
fn history() -> Env {
    let env = Env::new();
    let runs: [(&str, &str, &str, &str); 3] = [
        (
            "2026-11-17",
            "8",
            "46",
            "Hill repeats on the old quarry road, windy",
        ),
        (
            "2026-11-19",
            "12.5",
            "70",
            "Long easy run along the river to the bridge",
        ),
        ("2026-11-21", "5", "30", "Shakeout"),
    ];
    for (date, km, minutes, name) in runs {
        env.ok(&[
            "add",
            "run",
            "--date",
            date,
            "--time",
            "07:30",
            "--km",
            km,
            "--minutes",
            minutes,
            "--descent",
            "120",
            "--name",
            name,
        ]);
    }
    env.ok(&[
        "pain",
        "add",
        "3",
        "--when",
        "after",
        "--date",
        "2026-11-19",
        "--time",
        "09:00",
        "--note",
        "sharp under the kneecap on the last downhill, eased after ten minutes",
    ]);
    env
}

#[test]
fn tables_and_text_fit_60_and_80_columns() {
    let env = history();
    for width in [60, 80] {
        for (name, args) in [
            ("activities", &["activities"][..]),
            ("show", &["activities", "show", "2"][..]),
            ("pain_list", &["pain", "list"][..]),
            ("overview", &[][..]),
        ] {
            let out = env.at_width(width, args);
            insta::assert_snapshot!(format!("{name}_{width}"), without_commit(&out));
        }
    }
}

#[test]
fn a_narrow_table_wraps_cells_instead_of_cutting_them() {
    let env = history();
    let out = env.at_width(60, &["pain", "list"]);
    // The note column is cut to a preview, but every word of the preview is there, wrapped.
    for word in ["sharp", "under", "the"] {
        assert!(out.contains(word), "{word}:\n{out}");
    }
    let wide = env.at_width(200, &["activities"]);
    assert!(wide.lines().all(|l| l.chars().count() <= 200));
}

#[test]
fn colour_follows_color_and_no_color() {
    let env = Env::new();
    env.ok(&["add", "run", "--km", "5", "--minutes", "30"]);
    let pain = |extra: &[&str], no_color: bool| {
        let mut cmd = env.cmd();
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        let out = cmd
            .args(extra)
            .args(["pain", "add", "8", "--when", "after"])
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let always = pain(&["--color", "always"], false);
    assert!(
        always.contains("\u{1b}[1m\u{1b}[31m") || always.contains("\u{1b}[31m"),
        "{always:?}"
    );
    assert!(always.contains("red zone"), "{always}");
    // Piped (as in every test): no colour unless asked, and NO_COLOR does not matter then.
    for out in [
        pain(&[], false),
        pain(&["--color", "auto"], true),
        pain(&["--color", "never"], false),
    ] {
        assert!(!out.contains('\u{1b}'), "{out:?}");
    }
}

#[test]
fn without_a_utf8_locale_tables_are_ascii() {
    let env = history();
    let out = env
        .cmd()
        .env("LANG", "C")
        .env("COLUMNS", "80")
        .args(["activities"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.is_ascii(), "{text}");
    assert!(text.contains("+----"), "{text}");
    assert_fits(&text, 80);
}

#[test]
fn every_help_keeps_the_global_options_under_their_own_heading() {
    let env = Env::new();
    let commands: &[&[&str]] = &[
        &["import"],
        &["activities"],
        &["activities", "edit"],
        &["add", "run"],
        &["weeks"],
        &["check"],
        &["pain", "add"],
        &["pain", "edit"],
        &["pain", "import"],
        &["plan"],
        &["status"],
        &["export"],
        &["backup"],
        &["config"],
        &["auth"],
        &["sync"],
        &["completions"],
        &["man"],
    ];
    for command in commands {
        let mut args = command.to_vec();
        args.push("--help");
        let help = env.ok(&args);
        let (own, global) = help
            .split_once("Global options:")
            .unwrap_or_else(|| panic!("{command:?} has no global heading:\n{help}"));
        for flag in [
            "--db", "--config", "--today", "--format", "--units", "--color",
        ] {
            assert!(
                global.contains(flag),
                "{command:?}: {flag} not under the heading:\n{help}"
            );
            assert!(
                !own.lines().any(|l| l.trim_start().starts_with(flag)),
                "{command:?}: {flag} among the command's own options:\n{help}"
            );
        }
    }
}

#[test]
fn every_option_of_pain_edit_is_explained() {
    let env = Env::new();
    let help = env.ok(&["pain", "edit", "--help"]);
    let own = help.split("Global options:").next().unwrap();
    let options = own.split("Options:").nth(1).expect("an options section");
    // Each option line carries its explanation (on the same line, or the next in long help).
    let lines: Vec<&str> = options.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        if t.starts_with("--") || t.starts_with("-h") {
            let explained = t.split_whitespace().count() > 2
                || lines
                    .get(i + 1)
                    .is_some_and(|n| !n.trim().is_empty() && !n.trim_start().starts_with('-'));
            assert!(explained, "{t} has no help text:\n{help}");
        }
    }
    for flag in [
        "--score", "--when", "--date", "--time", "--side", "--note", "--run",
    ] {
        assert!(options.contains(flag), "{flag}:\n{help}");
    }
}

#[test]
fn a_bare_kneeguard_prints_an_overview_and_succeeds() {
    let env = Env::new();
    let out = env.ok(&[]);
    assert!(
        out.contains("Commands:") && out.contains("kneeguard demo"),
        "{out}"
    );
    assert!(out.lines().count() < 40, "{out}");
    assert!(!env.db().exists(), "the overview opens no database");
}

/// The output with the commit in the version replaced, so that snapshots outlive a commit.
fn without_commit(text: &str) -> String {
    match text.split_once("(commit ") {
        Some((before, after)) => {
            let rest = after.split_once(')').map_or("", |(_, r)| r);
            format!("{before}(commit [hash]){rest}")
        }
        None => text.to_string(),
    }
}

#[test]
fn a_table_whose_columns_cannot_fit_drops_to_the_narrow_layout_instead_of_wrapping_dates() {
    // Named hilly runs in feet: with "12.4 mi", "1837 ft" and the name column at its narrowest,
    // the full layout needs 84 columns.
    let env = Env::new();
    for (day, km, climb) in [(17, 20.0, 560.0), (19, 8.0, 256.0)] {
        let start =
            chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, day, 7, 30, 0).unwrap();
        let bytes = kneeguard::synth::Course::new(start, km * 1000.0, climb)
            .to_fit(kneeguard::synth::fit_writer::FitSport::RUN, day);
        let path = env.dir.path().join(format!("hills-{day}.fit"));
        std::fs::write(&path, bytes).unwrap();
        env.ok(&["import", "--quiet", path.to_str().unwrap()]);
    }
    env.ok(&["activities", "edit", "1", "--name", "Quarry hill repeats"]);
    for (units, width) in [("mi", 80), ("mi", 84), ("km", 80)] {
        let out = env.at_width(width, &["--units", units, "activities"]);
        insta::assert_snapshot!(format!("hilly_{units}_{width}"), without_commit(&out));
    }
}

#[test]
fn one_activity_is_counted_in_the_singular() {
    let env = Env::new();
    env.run_on("2026-11-20", "5", "30", &[]);
    let out = env.at_width(80, &["activities"]);
    insta::assert_snapshot!("one_activity_80", without_commit(&out));
}
