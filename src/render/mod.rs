//! Rendering apart from computing: unit conversion for display, and tables, JSON, CSV and
//! iCalendar written to any `impl Write`, so that every output can be tested.

pub mod ics;
pub mod rounded;
pub mod term;
pub mod views;
pub mod words;

pub use term::Terminal;
pub mod spark;

use crate::settings::Units;
use rounded::Rounded;
use serde::Serialize;
use std::io::{self, Write};
use tabled::settings::{object::Columns, Alignment, Style};
use tabled::{Table, Tabled};

/// How a command prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum OutputFormat {
    /// Human-readable tables and sentences.
    #[default]
    Table,
    /// JSON, a stable interface for scripts (documented in the README).
    Json,
    /// CSV with a header row.
    Csv,
}

const METRES_PER_MILE: f64 = 1609.344;
const FEET_PER_METRE: f64 = 3.280_84;

/// `12.3 km` or `7.6 mi`.
pub fn distance(metres: f64, units: Units) -> String {
    // `+ 0.0` turns the -0.0 of an empty sum into 0.0
    let metres = metres + 0.0;
    match units {
        Units::Km => format!("{:.1} km", metres / 1000.0),
        Units::Mi => format!("{:.1} mi", metres / METRES_PER_MILE),
    }
}

/// The number alone, in km or mi, one decimal.
pub fn distance_value(metres: f64, units: Units) -> f64 {
    let v = match units {
        Units::Km => metres / 1000.0,
        Units::Mi => metres / METRES_PER_MILE,
    };
    (v * 10.0).round() / 10.0
}

/// `120 m` or `394 ft`.
pub fn elevation(metres: f64, units: Units) -> String {
    let metres = metres + 0.0;
    match units {
        Units::Km => format!("{metres:.0} m"),
        Units::Mi => format!("{:.0} ft", metres * FEET_PER_METRE),
    }
}

/// `1:02:03` or `42:10`.
pub fn duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as i64;
    let (h, m, s) = (s / 3600, (s % 3600) / 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// `5:32 /km`, or `-` when the pace makes no sense.
pub fn pace(metres: f64, seconds: f64, units: Units) -> String {
    let per = match units {
        Units::Km => 1000.0,
        Units::Mi => METRES_PER_MILE,
    };
    if metres < 10.0 || seconds <= 0.0 {
        return "-".to_string();
    }
    let s = (seconds / (metres / per)).round() as i64;
    if s >= 3600 {
        return "-".to_string();
    }
    let unit = match units {
        Units::Km => "/km",
        Units::Mi => "/mi",
    };
    format!("{}:{:02}{unit}", s / 60, s % 60)
}

/// A compact table with right-aligned numbers in the given columns.
pub fn table<T: Tabled>(rows: impl IntoIterator<Item = T>, numeric_columns: &[usize]) -> String {
    let mut t = Table::new(rows);
    t.with(Style::sharp());
    for &c in numeric_columns {
        t.modify(Columns::one(c), Alignment::right());
    }
    t.to_string()
}

/// Pretty JSON and a newline, numbers rounded to three decimals ([`rounded`]).
pub fn json<T: Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &Rounded(value))?;
    writeln!(out)
}

/// CSV with a header row from the records' field names, numbers rounded as in [`json`].
pub fn csv<T: Serialize>(out: &mut dyn Write, rows: &[T]) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    for row in rows {
        writer.serialize(Rounded(row)).map_err(io::Error::other)?;
    }
    writer.flush()
}

/// One exercise in words: "Clamshells: 3 x 10-15 each side", "Bridges: hold 10 s x 7-10".
pub fn exercise(e: &crate::core::plan::strength::Exercise) -> String {
    let mut dose = Vec::new();
    match (e.sets, e.reps) {
        (Some(s), Some(r)) => dose.push(format!("{s} x {r}")),
        (Some(1), None) => dose.push("1 set".to_string()),
        (Some(s), None) => dose.push(format!("{s} sets")),
        (None, Some(r)) => dose.push(format!("{r} reps")),
        (None, None) => {}
    }
    if let Some(h) = e.hold_s {
        dose.push(format!("hold {h} s"));
    }
    let mut text = words::move_name(e.movement).to_string();
    if !dose.is_empty() {
        text.push_str(&format!(": {}", dose.join(", ")));
    }
    text.push_str(&format!(" ({})", words::exercise_note(e)));
    text
}

/// "high confidence", or "not enough data yet" for an estimate without confidence.
pub fn confidence(c: crate::core::threshold::Confidence) -> String {
    match c {
        crate::core::threshold::Confidence::None => "not enough data yet".to_string(),
        other => format!("{} confidence", other.as_str()),
    }
}

/// A count with its noun: "1 run", "3 runs", "1 new activity".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The plural ending of a count's noun: "" for one, "s" otherwise.
pub fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Cuts `text` to `max` characters with an ellipsis.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// `text` safe to print on a terminal: control characters (escape sequences, newlines, tabs)
/// and the bidirectional overrides that reorder what is shown become visible escapes such as
/// `\u{1b}` and `\n`, so a file name can never forge a line of output.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `text` in at most `max` characters, shortened in the middle (`/home/…/run.fit`), so both the
/// start of a path and the file name stay visible.
pub fn shorten_middle(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_string();
    }
    let keep = max.saturating_sub(1);
    let tail = keep / 2 + keep % 2;
    let head = keep - tail;
    let mut s: String = text.chars().take(head).collect();
    s.push('…');
    s.extend(text.chars().skip(count - tail));
    s
}

/// A number the runner typed, echoed back in an error: as typed when it is ordinary, else in
/// scientific notation, so that `1e308` never prints 309 digits.
pub fn echo_number(value: f64) -> String {
    if value.is_finite() && (value == 0.0 || (1e-3..1e9).contains(&value.abs())) {
        let text = format!("{value}");
        if text.len() <= 16 {
            return text;
        }
    }
    if value.is_nan() {
        return "NaN".to_string();
    }
    format!("{value:.3e}")
}

/// Warnings as short paragraphs at the terminal's width: severity (in its colour when colour is
/// on), date and message; then the evidence and its source; then what to do.
pub fn warnings_at(
    out: &mut dyn Write,
    term: &Terminal,
    list: &[crate::core::warnings::Warning],
    units: Units,
) -> io::Result<()> {
    for w in list {
        let (tag, evidence) = warning_words(w);
        let text = words::warning(w, units);
        let tag = term.severity(w.severity, &format!("{tag:<8}"));
        term.wrap(out, &format!("{tag} {}  ", w.date), &text.message)?;
        term.wrap(
            out,
            "         why: ",
            &format!("{evidence}; {}", text.source),
        )?;
        if !text.advice.is_empty() {
            term.wrap(out, "         do:  ", &text.advice)?;
        }
    }
    Ok(())
}

/// A warning's severity tag and the words for its evidence level.
fn warning_words(w: &crate::core::warnings::Warning) -> (&'static str, &'static str) {
    use crate::core::warnings::{Evidence, Severity};
    let tag = match w.severity {
        Severity::High => "HIGH",
        Severity::Caution => "CAUTION",
        Severity::Info => "info",
    };
    let evidence = match w.evidence {
        Evidence::Primary => "evidence-backed signal",
        Evidence::Context => "context, not a proven injury predictor",
    };
    (tag, evidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Measured {
        week: &'static str,
        descent_m: f64,
        ramp_pct: Option<f64>,
        runs: u32,
        nested: &'static [f64],
        partial: bool,
    }

    const NOISY: Measured = Measured {
        week: "2026-11-09, a \"quoted\" week",
        descent_m: 316.60000000000036,
        ramp_pct: Some(-0.0004),
        runs: 3,
        nested: &[22999.952870632565, 2e15, 23500.0],
        partial: false,
    };

    #[test]
    fn json_and_csv_numbers_keep_three_decimals_in_field_order() {
        let mut out = Vec::new();
        json(&mut out, &NOISY).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{
  "week": "2026-11-09, a \"quoted\" week",
  "descent_m": 316.6,
  "ramp_pct": 0.0,
  "runs": 3,
  "nested": [
    22999.953,
    2000000000000000.0,
    23500.0
  ],
  "partial": false
}
"#
        );
        #[derive(Serialize)]
        struct Row {
            week: &'static str,
            descent_m: f64,
            ramp_pct: Option<f64>,
            partial: bool,
        }
        let rows = [
            Row {
                week: NOISY.week,
                descent_m: NOISY.descent_m,
                ramp_pct: None,
                partial: true,
            },
            Row {
                week: "2026-11-16",
                descent_m: 0.1 + 0.2,
                ramp_pct: NOISY.ramp_pct,
                partial: false,
            },
        ];
        let mut out = Vec::new();
        csv(&mut out, &rows).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "week,descent_m,ramp_pct,partial\n\
             \"2026-11-09, a \"\"quoted\"\" week\",316.6,,true\n\
             2026-11-16,0.3,0.0,false\n"
        );
    }

    #[test]
    fn formats_units() {
        assert_eq!(distance(10_000.0, Units::Km), "10.0 km");
        assert_eq!(distance(10_000.0, Units::Mi), "6.2 mi");
        assert_eq!(elevation(100.0, Units::Mi), "328 ft");
        assert_eq!(duration(3723.0), "1:02:03");
        assert_eq!(duration(59.6), "1:00");
        assert_eq!(pace(10_000.0, 3000.0, Units::Km), "5:00/km");
        assert_eq!(pace(0.0, 3000.0, Units::Km), "-");
        assert_eq!(truncate("Lunch Trail Run, hilly", 10), "Lunch Tra…");
        let empty: f64 = std::iter::empty::<f64>().sum();
        assert_eq!(distance(empty, Units::Km), "0.0 km");
        assert_eq!(elevation(empty, Units::Km), "0 m");
    }

    #[test]
    fn names_are_made_printable_and_shortened_in_the_middle() {
        assert_eq!(printable("run.fit"), "run.fit");
        assert_eq!(
            printable("a\u{1b}[2J\nimported   x.fit\u{202e}"),
            "a\\u{1b}[2J\\nimported   x.fit\\u{202e}"
        );
        assert_eq!(
            shorten_middle("/home/ann/watch/ACTIVITY/run.fit", 15),
            "/home/a…run.fit"
        );
        assert_eq!(shorten_middle("short", 15), "short");
        assert_eq!(
            shorten_middle("/home/ann/watch/ACTIVITY/run.fit", 15)
                .chars()
                .count(),
            15
        );
    }

    #[test]
    fn echoed_numbers_are_bounded() {
        assert_eq!(echo_number(8.5), "8.5");
        assert_eq!(echo_number(-3.0), "-3");
        assert_eq!(echo_number(0.0), "0");
        assert_eq!(echo_number(1e308), "1.000e308");
        assert_eq!(echo_number(f64::INFINITY), "inf");
        assert_eq!(echo_number(f64::NAN), "NaN");
        assert!(echo_number(1.0 / 3.0).len() <= 16);
    }

    #[test]
    fn warnings_fit_the_terminal_and_colour_their_severity() {
        use crate::core::load::tests::{day, run};
        use crate::core::warnings::warnings_for;
        let runs = [
            run(1, day(2026, 11, 1), 10_000.0),
            run(7, day(2026, 11, 20), 18_000.0),
        ];
        let w = warnings_for(&runs, &Default::default(), &[7]).remove(0);
        let term = Terminal {
            color: true,
            ..Terminal::plain(60)
        };
        let mut out = Vec::new();
        warnings_at(&mut out, &term, std::slice::from_ref(&w), Units::Km).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\u{1b}["), "{text}");
        assert!(
            text.lines().all(|l| textwrap::core::display_width(l) <= 60),
            "{text}"
        );
        assert!(text.contains("do:  Keep the next runs"), "{text}");
    }
}
