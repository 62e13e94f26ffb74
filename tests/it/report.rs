//! `report` end to end: the page is parsed and its marks are checked against the data behind
//! it, it stays self-contained, and a real browser (headless Chromium) renders it without a
//! console message or a network request.

use crate::common::Env;
use chrono::{Duration, NaiveDate};
use scraper::{ElementRef, Html, Selector};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Seven weeks to Sunday 2026-11-22: three runs a week with pain after each and the next
/// morning, a long-run spike that hurt (with swelling the morning after), cross-training,
/// strength sessions and a rest-day rating.
fn history(env: &Env) {
    let first: NaiveDate = "2026-10-06".parse().unwrap();
    for week in 0..7i64 {
        for (offset, km, descent) in [(0, 6.0, 40.0), (2, 6.5, 60.0), (5, 9.0 + week as f64, 90.0)]
        {
            let date = first + Duration::days(week * 7 + offset);
            let spike = week == 4 && offset == 5;
            let km = if spike { 17.0 } else { km };
            let descent = if spike { 400.0 } else { descent };
            let day = date.to_string();
            env.ok(&[
                "add",
                "run",
                "--date",
                &day,
                "--time",
                "07:00",
                "--km",
                &km.to_string(),
                "--minutes",
                &(km * 6.0).to_string(),
                "--descent",
                &descent.to_string(),
            ]);
            let after = if spike { "5" } else { "1" };
            env.ok(&[
                "pain", "add", after, "--when", "after", "--date", &day, "--time", "08:30",
            ]);
            let next = (date + Duration::days(1)).to_string();
            if date + Duration::days(1) <= "2026-11-22".parse::<NaiveDate>().unwrap() {
                let mut args = vec!["pain", "add", if spike { "4" } else { "1" }];
                args.extend(["--when", "morning", "--date", &next, "--time", "07:30"]);
                if spike {
                    args.push("--swelling");
                }
                env.ok(&args);
            }
        }
        let wednesday = (first + Duration::days(week * 7 + 1)).to_string();
        if week % 2 == 0 {
            env.ok(&[
                "add",
                "cross",
                "--kind",
                "elliptical",
                "--minutes",
                "40",
                "--date",
                &wednesday,
            ]);
        }
        let friday = (first + Duration::days(week * 7 + 3)).to_string();
        env.ok(&["add", "strength", "--minutes", "30", "--date", &friday]);
    }
    env.pain_on("2", "daily", "2026-11-18", &["--time", "19:00"]);
}

/// A database with a single 5 km run.
fn one_run() -> Env {
    let env = Env::new();
    env.ok(&[
        "add",
        "run",
        "--date",
        "2026-11-20",
        "--km",
        "5",
        "--minutes",
        "30",
    ]);
    env
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

/// The chart figure with `id`, which must be on the page.
fn figure<'a>(page: &'a Html, id: &str) -> ElementRef<'a> {
    page.select(&sel(&format!("figure#{id}")))
        .next()
        .unwrap_or_else(|| panic!("no chart {id}"))
}

/// The elements of `tag` inside the chart's drawing with the given fill, fully opaque or not.
fn marks<'a>(chart: ElementRef<'a>, tag: &str, fill: &str, opaque: bool) -> Vec<ElementRef<'a>> {
    chart
        .select(&sel(&format!("div.plot svg {tag}[fill=\"{fill}\"]")))
        .filter(|e| (e.value().attr("opacity") == Some("1")) == opaque)
        .collect()
}

fn num(e: ElementRef<'_>, attr: &str) -> f64 {
    e.value().attr(attr).unwrap().parse().unwrap()
}

fn km(v: &Value) -> f64 {
    v.as_f64().unwrap() / 1000.0
}

/// The y pixel of the horizontal line of `stroke` in a chart (a polyline at one height).
fn level_y(chart: ElementRef<'_>, stroke: &str) -> f64 {
    let line = chart
        .select(&sel(&format!("div.plot svg polyline[stroke=\"{stroke}\"]")))
        .find(|l| {
            let points: Vec<&str> = l
                .value()
                .attr("points")
                .unwrap()
                .split_whitespace()
                .collect();
            points.len() == 2 && points[0].split(',').nth(1) == points[1].split(',').nth(1)
        })
        .unwrap_or_else(|| panic!("no horizontal {stroke} line"));
    let first = line
        .value()
        .attr("points")
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    first.split(',').nth(1).unwrap().parse().unwrap()
}

#[test]
fn the_charts_marks_match_the_data_behind_them() {
    let env = Env::new();
    history(&env);
    let data = env.json(&["report", "--weeks", "12"]);
    let text = env.ok(&["report", "--weeks", "12"]);
    assert!(text.contains("kneeguard-report.html"), "{text}");
    let html = std::fs::read_to_string(env.dir.path().join("kneeguard-report.html")).unwrap();
    let page = Html::parse_document(&html);

    // The history starts in the week of 6 Oct, so 12 weeks asked become its 7 weeks.
    let weeks = data["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), 7, "{data}");
    assert_eq!(data["from"], "2026-10-05");

    for id in [
        "weekly-distance",
        "weekly-descent",
        "pain",
        "runs",
        "pain-vs-weekly-distance",
        "pain-vs-weekly-descent",
        "pain-vs-run-distance",
        "pain-vs-run-descent",
        "acwr",
    ] {
        let f = figure(&page, id);
        let title = f
            .select(&sel("h3"))
            .next()
            .map(|h| h.text().collect::<String>());
        assert!(
            title.is_some_and(|t| !t.trim().is_empty()),
            "{id} has no title"
        );
        let caption: String = f
            .select(&sel("figcaption"))
            .flat_map(|c| c.text())
            .collect();
        assert!(
            caption.len() > 40,
            "{id} has no text alternative: {caption:?}"
        );
        let plot = f
            .select(&sel("div.plot[role=img]"))
            .next()
            .expect("a drawing");
        let labelled = plot.value().attr("aria-describedby").unwrap();
        assert_eq!(labelled, format!("{id}-text"));
        assert!(f.select(&sel("ul.legend li")).count() >= 2, "{id} legend");
        let svg = f.select(&sel("svg")).next().expect("an svg");
        let axis_text: String = svg.select(&sel("text")).flat_map(|t| t.text()).collect();
        assert!(!axis_text.is_empty(), "{id} has no axis labels");
    }

    // Weekly distance: one bar per week (the week under way paler), heights in proportion.
    let chart = figure(&page, "weekly-distance");
    let full = marks(chart, "rect", "#0072B2", true);
    let under_way = marks(chart, "rect", "#0072B2", false);
    assert_eq!(full.len() + under_way.len(), weeks.len());
    assert_eq!(under_way.len(), 1, "the current week is under way");
    let bars: Vec<ElementRef> = full.into_iter().chain(under_way).collect();
    let baseline = num(bars[0], "y") + num(bars[0], "height");
    let distances: Vec<f64> = weeks.iter().map(|w| km(&w["distance_m"])).collect();
    let max_d = distances.iter().copied().fold(0.0, f64::max);
    let tallest = bars.iter().map(|b| num(*b, "height")).fold(0.0, f64::max);
    for (bar, d) in bars.iter().zip(&distances) {
        assert!(
            (num(*bar, "height") - d / max_d * tallest).abs() <= 1.5,
            "bar of {d} km is {} px of {tallest}",
            num(*bar, "height")
        );
        assert!((num(*bar, "y") + num(*bar, "height") - baseline).abs() < 1.0);
    }
    // The threshold line sits at the threshold's value on the same scale as the bars.
    let threshold =
        km(&data["guidance"]["status"]["thresholds"]["weekly_distance_m"]["provoking_m"]);
    let y = level_y(chart, "#D55E00");
    let expected = baseline - threshold / max_d * tallest;
    assert!(
        (y - expected).abs() <= 1.5,
        "threshold {threshold} km at {y}, expected {expected}"
    );
    let labels: String = chart
        .select(&sel("svg text"))
        .flat_map(|t| t.text())
        .collect();
    assert!(
        labels.contains(&format!("pain from {threshold:.1} km")),
        "{labels}"
    );
    // Cross-training weeks and strength weeks are marked.
    let cross = weeks
        .iter()
        .filter(|w| w["cross_minutes"].as_f64().unwrap() > 0.0)
        .count();
    assert_eq!(marks(chart, "circle", "#56B4E9", true).len(), cross);
    let strength = weeks
        .iter()
        .filter(|w| w["strength_sessions"].as_u64().unwrap() > 0)
        .count();
    assert_eq!(marks(chart, "polygon", "#CC79A7", true).len(), strength);

    // Weekly descent: one bar per week.
    let chart = figure(&page, "weekly-descent");
    let bars =
        marks(chart, "rect", "#009E73", true).len() + marks(chart, "rect", "#009E73", false).len();
    assert_eq!(bars, weeks.len());

    // Pain: one point per rating, by when it was felt; swelling ringed.
    let pain = data["pain"].as_array().unwrap();
    let count = |when: &str| pain.iter().filter(|p| p["when"] == when).count();
    let chart = figure(&page, "pain");
    assert_eq!(
        marks(chart, "polygon", "#D55E00", true).len(),
        count("after")
    );
    assert_eq!(
        marks(chart, "rect", "#0072B2", true).len(),
        count("morning")
    );
    assert_eq!(
        marks(chart, "circle", "#222222", true).len(),
        count("daily")
    );
    assert_eq!(count("daily"), 1);
    let rings = chart
        .select(&sel(
            "div.plot svg circle[fill=\"none\"][stroke=\"#222222\"]",
        ))
        .count();
    assert_eq!(rings, pain.iter().filter(|p| p["swelling"] == true).count());
    assert_eq!(rings, 1);

    // Runs: one mark per run, the spike a triangle; the descent spike ringed.
    let runs = data["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 21);
    let chart = figure(&page, "runs");
    let spikes = runs.iter().filter(|r| !r["spike"].is_null()).count();
    assert!(spikes >= 1, "the 17 km run is a spike");
    assert_eq!(marks(chart, "polygon", "#D55E00", true).len(), spikes);
    assert_eq!(
        marks(chart, "circle", "#0072B2", true).len(),
        runs.len() - spikes
    );
    let descent_spikes = runs
        .iter()
        .filter(|r| !r["descent_spike"].is_null())
        .count();
    assert!(descent_spikes >= 1);
    let rings = chart
        .select(&sel("div.plot svg circle[fill=\"none\"]"))
        .count();
    assert_eq!(rings, descent_spikes);

    // Pain against weekly distance: one point per complete week with runs and ratings.
    let rated = weeks
        .iter()
        .filter(|w| {
            w["partial"] == false && w["runs"].as_u64() > Some(0) && !w["highest_pain"].is_null()
        })
        .count();
    assert_eq!(rated, 6);
    let chart = figure(&page, "pain-vs-weekly-distance");
    assert_eq!(marks(chart, "circle", "#0072B2", true).len(), rated);
    // Per run: a point for the pain after and one for the next morning.
    let chart = figure(&page, "pain-vs-run-distance");
    let after = runs.iter().filter(|r| !r["pain_after"].is_null()).count();
    let morning = runs.iter().filter(|r| !r["pain_morning"].is_null()).count();
    assert_eq!(after, 21);
    assert_eq!(morning, 20, "the last run has no next morning yet");
    assert_eq!(marks(chart, "polygon", "#D55E00", true).len(), after);
    assert_eq!(marks(chart, "rect", "#0072B2", true).len(), morning);

    // Today: the zone, the four thresholds and the seven-day plan.
    let zone = data["guidance"]["status"]["zone"]["zone"]
        .as_str()
        .unwrap()
        .to_uppercase();
    let today: String = page
        .select(&sel("#today .badge"))
        .flat_map(|e| e.text())
        .collect();
    assert!(today.contains(&zone), "{today}");
    assert_eq!(page.select(&sel("table.thresholds tbody tr")).count(), 4);
    // The plan strip: the seven days from today, each with its day and session.
    let ahead: Vec<String> = ["this_week", "next_week"]
        .iter()
        .flat_map(|w| data["guidance"][w]["days"].as_array().unwrap().clone())
        .filter(|d| d["date"].as_str().unwrap() >= data["today"].as_str().unwrap())
        .take(7)
        .map(|d| d["date"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ahead.len(), 7);
    let shown: Vec<String> = page
        .select(&sel("ol.plan > li .day"))
        .map(|e| e.text().collect())
        .collect();
    let expected: Vec<String> = ahead
        .iter()
        .map(|d| {
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .unwrap()
                .format("%a %-d %b")
                .to_string()
        })
        .collect();
    assert_eq!(shown, expected);
    assert_eq!(
        page.select(&sel("table.weeks tbody tr")).count(),
        weeks.len()
    );
}

#[test]
fn the_page_is_self_contained_and_follows_the_units() {
    let env = Env::new();
    history(&env);
    let out = env.dir.path().join("sub dir");
    std::fs::create_dir(&out).unwrap();
    let file = out.join("knee.html");
    env.ok(&["report", "-o", file.to_str().unwrap(), "--units", "mi"]);
    let html = std::fs::read_to_string(&file).unwrap();
    let page = Html::parse_document(&html);
    assert!(page
        .select(&sel("script, link, iframe, object, embed, img"))
        .next()
        .is_none());
    let references: Vec<String> = page
        .select(&sel("[src], [href]"))
        .map(|e| format!("{:?}", e.value()))
        .collect();
    assert!(
        references.is_empty(),
        "references to outside: {references:?}"
    );
    let style: String = page.select(&sel("style")).flat_map(|s| s.text()).collect();
    assert!(
        !style.contains("url(") && !style.contains("@import"),
        "the style fetches"
    );
    let policy = page
        .select(&sel("meta[http-equiv=Content-Security-Policy]"))
        .next()
        .and_then(|m| m.value().attr("content"))
        .unwrap();
    assert!(policy.starts_with("default-src 'none'"), "{policy}");
    // Miles and feet on the axes and in the words; no kilometres.
    let labels: String = page
        .select(&sel("svg text"))
        .flat_map(|t| t.text())
        .collect();
    assert!(
        labels.contains("mi a week") && labels.contains("ft a week"),
        "{labels}"
    );
    assert!(!labels.contains("km"), "{labels}");
    let words: String = page
        .select(&sel("figcaption"))
        .flat_map(|t| t.text())
        .collect();
    assert!(words.contains(" mi") && !words.contains(" km"), "{words}");
    // Local dates on the time axes.
    assert!(
        labels.contains("5 Oct") && labels.contains("16 Nov"),
        "{labels}"
    );
}

#[test]
fn an_empty_database_gets_advice_and_no_file() {
    let env = Env::new();
    let (_, stderr) = env.fails(2, &["report"]);
    assert!(stderr.contains("no database at"), "{stderr}");
    let empty = env.dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    env.ok(&["import", empty.to_str().unwrap()]);
    let (stdout, stderr) = env.fails(2, &["report"]);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("no activities") && stderr.contains("kneeguard import"),
        "{stderr}"
    );
    assert!(!env.dir.path().join("kneeguard-report.html").exists());
    let (_, stderr) = env.fails(2, &["report", "--format", "json"]);
    assert!(stderr.contains("kneeguard import"), "{stderr}");
}

#[test]
fn json_prints_the_data_and_writes_no_page() {
    let env = one_run();
    let data = env.json(&["report"]);
    assert_eq!(data["weeks"].as_array().unwrap().len(), 1);
    assert_eq!(data["runs"][0]["distance_m"], 5000.0);
    assert_eq!(
        data["rules"]["spike_factors"],
        serde_json::json!([1.1, 1.3, 2.0])
    );
    assert!(!env.dir.path().join("kneeguard-report.html").exists());
    let (_, stderr) = env.fails(2, &["report", "--format", "csv"]);
    assert!(stderr.contains("--format json"), "{stderr}");
}

#[test]
fn an_unwritable_path_is_named_and_nothing_is_written() {
    let env = one_run();
    let (_, stderr) = env.fails(2, &["report", "-o", "no/such/folder/r.html"]);
    assert!(stderr.contains("no/such/folder/r.html"), "{stderr}");
    assert!(!env.dir.path().join("no").exists());
}

#[test]
fn open_hands_the_file_to_the_system_opener_or_quietly_does_nothing() {
    let env = one_run();
    // No opener on the PATH: the report is written and nothing is said about it.
    let empty = env.dir.path().join("empty-bin");
    std::fs::create_dir(&empty).unwrap();
    let out = env
        .cmd()
        .env("PATH", &empty)
        .args(["report", "--open"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A fake xdg-open records what it was given.
    let bin = env.dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let record = env.dir.path().join("opened.txt");
    let opener = bin.join(if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    });
    std::fs::write(
        &opener,
        format!("#!/bin/sh\necho \"$1\" > '{}'\n", record.display()),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!("{}:/bin:/usr/bin", bin.display());
    let out = env
        .cmd()
        .env("PATH", path)
        .args(["report", "--open", "-o", "r.html"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let mut opened = String::new();
    for _ in 0..100 {
        opened = std::fs::read_to_string(&record).unwrap_or_default();
        if !opened.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(opened.trim(), "r.html");
}

/// A headless Chromium on the PATH, if there is one.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
    .find(|p| p.is_file())
}

/// What the browser did with a page.
struct Visit {
    /// Console messages the page caused.
    console: Vec<String>,
    /// Addresses the page asked the network for.
    requests: Vec<String>,
    screenshot: PathBuf,
    stderr: String,
}

/// Opens `page` in headless Chromium, with nothing resolvable so that even the browser's own
/// background services cannot reach out, and records its console and network log.
fn visit(browser: &Path, page: &Path, work: &Path) -> Visit {
    let screenshot = work.join("screenshot.png");
    let net_log = work.join("net-log.json");
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-extensions",
            "--disable-default-apps",
            "--no-default-browser-check",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,3000",
        ])
        .arg(format!(
            "--user-data-dir={}",
            work.join("profile").display()
        ))
        .arg(format!("--log-net-log={}", net_log.display()))
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(format!("file://{}", page.display()))
        .env("HOME", work)
        .output()
        .expect("chromium runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    Visit {
        console,
        requests: page_requests(&net_log),
        screenshot,
        stderr,
    }
}

/// The network requests made for a `file://` page: URL requests in the net log whose
/// isolation key is the page's (the browser's own traffic has none).
fn page_requests(net_log: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(net_log).unwrap_or_default();
    // Chromium may be stopped before it closes the event array.
    let log: Value = serde_json::from_str(&text)
        .or_else(|_| serde_json::from_str(&format!("{}]}}", text.trim_end().trim_end_matches(','))))
        .expect("a net log");
    let start_job = &log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"];
    log["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| &e["type"] == start_job)
        .filter(|e| {
            e["params"]["network_isolation_key"]
                .as_str()
                .is_some_and(|k| k.contains("file://"))
        })
        .filter_map(|e| e["params"]["url"].as_str().map(str::to_string))
        .filter(|url| !url.starts_with("file:") && !url.starts_with("data:"))
        .collect()
}

/// The share of pixels that are not white, and whether the bar colour appears.
fn picture(png_path: &Path) -> (f64, bool) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_path).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels = buf[..info.buffer_size()].chunks(channels);
    let (mut ink, mut total, mut blue) = (0usize, 0usize, false);
    for p in pixels {
        total += 1;
        if p[..3] != [255, 255, 255] {
            ink += 1;
        }
        blue |= p[..3] == [0x00, 0x72, 0xB2];
    }
    (ink as f64 / total as f64, blue)
}

#[test]
fn a_real_browser_renders_the_report_offline_without_a_console_message() {
    let Some(browser) = chromium() else {
        assert!(
            !crate::common::required("KNEEGUARD_REQUIRE_BROWSER"),
            "KNEEGUARD_REQUIRE_BROWSER=1 but no chromium is on the PATH"
        );
        crate::common::skipped("no chromium on the PATH; the browser test did not run");
        return;
    };
    let env = Env::new();
    history(&env);
    env.ok(&["report"]);
    let page = env.dir.path().join("kneeguard-report.html");

    // A control page first, so that the checks are known to see what they look for.
    let control = env.dir.path().join("control.html");
    std::fs::write(
        &control,
        "<!DOCTYPE html><html><body><p>control</p><img src=\"http://127.0.0.1:9/x.png\">\
         <script>console.error('control message')</script></body></html>",
    )
    .unwrap();
    let work = env.dir.path().join("control-browser");
    std::fs::create_dir(&work).unwrap();
    let seen = visit(&browser, &control, &work);
    assert!(
        seen.console.iter().any(|l| l.contains("control message")),
        "{}",
        seen.stderr
    );
    assert!(
        seen.requests.iter().any(|u| u.contains("127.0.0.1:9")),
        "{:?}",
        seen.requests
    );

    let work = env.dir.path().join("browser");
    std::fs::create_dir(&work).unwrap();
    let seen = visit(&browser, &page, &work);
    assert!(
        seen.stderr.contains("written to file"),
        "no screenshot:\n{}",
        seen.stderr
    );
    assert!(
        seen.console.is_empty(),
        "console messages: {:?}",
        seen.console
    );
    assert!(
        seen.requests.is_empty(),
        "network requests: {:?}",
        seen.requests
    );
    let (ink, blue) = picture(&seen.screenshot);
    assert!(
        ink > 0.05,
        "the screenshot is nearly blank ({:.1}% ink)",
        ink * 100.0
    );
    assert!(blue, "the distance bars' blue is not on the screenshot");
}

#[test]
fn weeks_draws_distance_bars_and_pain_in_unicode_or_ascii() {
    let env = Env::new();
    history(&env);
    let weeks = |lang: &str| {
        let out = env
            .cmd()
            .env("LANG", lang)
            .env("COLUMNS", "80")
            .args(["weeks", "--weeks", "8"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let unicode = weeks("en_GB.UTF-8");
    let ascii = weeks("C");
    for table in [&unicode, &ascii] {
        crate::common::assert_fits(table, 80);
    }
    assert!(
        !ascii.contains('█') && ascii.contains("########"),
        "{ascii}"
    );
    insta::assert_snapshot!("weeks_unicode", unicode);
    insta::assert_snapshot!("weeks_ascii", ascii);
}

#[test]
fn the_demo_ends_by_writing_its_report_and_saying_where() {
    let env = Env::new();
    let text = env.ok(&["demo"]);
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("The story in charts: "))
        .unwrap_or_else(|| panic!("the demo does not say where its report is:\n{text}"));
    let path = Path::new(line.trim());
    assert!(
        path.starts_with(env.dir.path()),
        "not in the temporary folder: {line}"
    );
    let page = Html::parse_document(&std::fs::read_to_string(path).unwrap());
    assert_eq!(page.select(&sel("figure.chart")).count(), 9);
    let period: String = page
        .select(&sel(".period"))
        .flat_map(|e| e.text())
        .collect();
    assert!(period.contains("15 November 2026"), "{period}");
}

/// A threshold line is drawn where the dimension limits the plan, and only there: a load that
/// provoked pain without separating painful from painless loads is no threshold (`status` and
/// `plan` say it does not limit the plan).
#[test]
fn threshold_lines_only_where_the_threshold_binds() {
    let env = Env::new();
    history(&env);
    // A short flat run that hurt, where longer and hillier ones did not: run distance and run
    // descent no longer separate painful from painless runs.
    env.run_on(
        "2026-11-22",
        "4",
        "24",
        &["--time", "09:30", "--descent", "10"],
    );
    env.pain_on("4", "after", "2026-11-22", &["--time", "10:30"]);
    let data = env.json(&["report", "--weeks", "12"]);
    env.ok(&["report", "--weeks", "12"]);
    let html = std::fs::read_to_string(env.dir.path().join("kneeguard-report.html")).unwrap();
    let page = Html::parse_document(&html);
    let th = &data["guidance"]["status"]["thresholds"];
    let mut kinds = std::collections::BTreeSet::new();
    for (dimension, charts) in [
        (
            "weekly_distance_m",
            ["weekly-distance", "pain-vs-weekly-distance"],
        ),
        (
            "weekly_descent_m",
            ["weekly-descent", "pain-vs-weekly-descent"],
        ),
        (
            "longest_run_m",
            ["pain-vs-run-distance", "pain-vs-run-distance"],
        ),
        (
            "run_descent_m",
            ["pain-vs-run-descent", "pain-vs-run-descent"],
        ),
    ] {
        let binds = !th[dimension]["cap_m"].is_null();
        let provoked = !th[dimension]["provoking_m"].is_null();
        kinds.insert((binds, provoked));
        for id in charts {
            let chart = page
                .select(&sel(&format!("figure#{id}")))
                .next()
                .unwrap_or_else(|| panic!("no chart {id}"));
            let lines = chart
                .select(&sel("div.plot svg polyline[stroke=\"#D55E00\"]"))
                .count();
            assert_eq!(lines > 0, binds, "{id}: {dimension} {}", th[dimension]);
        }
    }
    // The history holds both: a binding threshold and a provoking load that does not bind.
    assert!(kinds.contains(&(true, true)), "{kinds:?}");
    assert!(kinds.contains(&(false, true)), "{kinds:?}");
}

#[test]
fn a_configured_spike_window_is_the_one_the_plan_and_the_page_name() {
    let env = Env::new();
    // A 10 km run on 1 Nov, then 5 km runs from the 10th with quiet pain: the runs of the 17th
    // and 19th no longer have the 10 km run in a 14-day window; the default 30-day one does.
    env.run_on("2026-11-01", "10", "60", &[]);
    for day in ["10", "12", "14", "17", "19"] {
        let date = format!("2026-11-{day}");
        env.run_on(&date, "5", "30", &[]);
        env.pain_on("1", "after", &date, &[]);
    }
    let config = env.dir.path().join("window.toml");
    std::fs::write(&config, "[load]\nspike_window_days = 14\n").unwrap();
    let c = config.to_str().unwrap();

    let plan = env.json(&["--config", c, "plan"]);
    let caps: Vec<&Value> = [&plan["this_week"], &plan]
        .into_iter()
        .flat_map(|w| w["reason_codes"].as_array().unwrap())
        .filter(|r| r["code"] == "spike_cap")
        .collect();
    assert!(!caps.is_empty(), "the plan caps a run: {plan:#}");
    assert!(caps.iter().all(|r| r["window_days"] == 14), "{caps:?}");
    let text = env.ok(&["--config", c, "plan"]);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("1.1x your longest run of the 14 days before it (5.0 km)"),
        "{text}"
    );
    assert!(!text.contains("30 days"), "{text}");

    env.ok(&["--config", c, "report"]);
    let html = std::fs::read_to_string(env.dir.path().join("kneeguard-report.html")).unwrap();
    let page = Html::parse_document(&html);
    let chart = figure(&page, "runs");
    let words = |s: &str| -> String { chart.select(&sel(s)).flat_map(|e| e.text()).collect() };
    assert_eq!(words("h3"), "Each run against its 14-day longest run");
    assert!(
        words("ul.legend").contains("the longest run of the 14 days before"),
        "{}",
        words("ul.legend")
    );
    assert!(
        words("figcaption").contains("the longest run of the 14 days before it"),
        "{}",
        words("figcaption")
    );
    assert!(
        !html.contains("30 days") && !html.contains("30-day"),
        "the page names the default window somewhere"
    );

    // The run of the 17th is judged against the 5 km runs of its 14 days, not the 10 km run.
    let references = |data: Value| -> Vec<(String, Value)> {
        data["runs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["date"].as_str().unwrap().to_string(),
                    r["reference_m"].clone(),
                )
            })
            .collect()
    };
    let data = env.json(&["--config", c, "report"]);
    assert_eq!(data["rules"]["spike_window_days"], 14);
    let (five, ten) = (Value::from(5000.0), Value::from(10000.0));
    let expected = |late: &Value| {
        vec![
            ("2026-11-01".to_string(), Value::Null),
            ("2026-11-10".to_string(), ten.clone()),
            ("2026-11-12".to_string(), ten.clone()),
            ("2026-11-14".to_string(), ten.clone()),
            ("2026-11-17".to_string(), late.clone()),
            ("2026-11-19".to_string(), late.clone()),
        ]
    };
    assert_eq!(references(data), expected(&five));
    assert_eq!(references(env.json(&["report"])), expected(&ten));
}
