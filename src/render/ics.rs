//! The plan as an iCalendar file (RFC 5545): one all-day event per training day, so it can be
//! imported into any calendar.

use crate::core::plan::{DayKind, Plan, PlanDay};
use crate::settings::Units;
use chrono::{DateTime, Duration, Utc};
use std::io::{self, Write};

/// Writes the plan's training days (rest days are left out) as an iCalendar file. `stamp` is
/// the DTSTAMP of every event (when the file was made).
pub fn write_plan(
    out: &mut dyn Write,
    plan: &Plan,
    units: Units,
    stamp: DateTime<Utc>,
) -> io::Result<()> {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        "PRODID:-//kneeguard//plan//EN".to_string(),
        "CALSCALE:GREGORIAN".to_string(),
        format!("X-WR-CALNAME:kneeguard plan, week of {}", plan.week_start),
    ];
    for day in plan.days.iter().filter(|d| d.kind != DayKind::Rest) {
        let kind = kind_name(day.kind);
        lines.push("BEGIN:VEVENT".to_string());
        lines.push(format!(
            "UID:kneeguard-{}-{kind}@kneeguard",
            day.date.format("%Y%m%d")
        ));
        lines.push(format!("DTSTAMP:{}", stamp.format("%Y%m%dT%H%M%SZ")));
        lines.push(format!("DTSTART;VALUE=DATE:{}", day.date.format("%Y%m%d")));
        lines.push(format!(
            "DTEND;VALUE=DATE:{}",
            (day.date + Duration::days(1)).format("%Y%m%d")
        ));
        lines.push(format!("SUMMARY:{}", escape(&summary(day, units))));
        lines.push(format!("DESCRIPTION:{}", escape(&description(day, plan))));
        lines.push("TRANSP:TRANSPARENT".to_string());
        lines.push("END:VEVENT".to_string());
    }
    lines.push("END:VCALENDAR".to_string());
    for line in lines {
        write_folded(out, &line)?;
    }
    Ok(())
}

fn kind_name(kind: DayKind) -> &'static str {
    match kind {
        DayKind::Run => "run",
        DayKind::Cross => "cross",
        DayKind::Strength => "strength",
        DayKind::Rest => "rest",
    }
}

/// One line for the calendar: "Run 6.0 km, max 30 m descent", "Elliptical 45 min".
pub fn summary(day: &PlanDay, units: Units) -> String {
    match day.kind {
        DayKind::Run => {
            let mut s = format!(
                "Run {}",
                super::distance(day.distance_m.unwrap_or(0.0), units)
            );
            if let Some(d) = day.max_descent_m {
                s.push_str(&format!(", max {} descent", super::elevation(d, units)));
            }
            if !day.exercises.is_empty() {
                s.push_str(" + strength");
            }
            s
        }
        DayKind::Cross => {
            let activity = day
                .activity
                .as_deref()
                .unwrap_or("cross-training")
                .replace('_', " ");
            let mut s = capitalise(&activity);
            if let Some(m) = day.minutes {
                s.push_str(&format!(" {m} min"));
            }
            if !day.exercises.is_empty() {
                s.push_str(" + strength");
            }
            s
        }
        DayKind::Strength => format!(
            "Strength and mobility{}",
            day.minutes.map_or(String::new(), |m| format!(" {m} min"))
        ),
        DayKind::Rest => "Rest".to_string(),
    }
}

fn description(day: &PlanDay, plan: &Plan) -> String {
    let mut parts: Vec<String> = day.notes.clone();
    for e in &day.exercises {
        parts.push(super::exercise(e));
    }
    parts.push(plan.disclaimer.clone());
    parts.join("\n")
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// RFC 5545 text escaping.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// Lines longer than 75 octets are folded with CRLF and a space, never inside a character.
fn write_folded(out: &mut dyn Write, line: &str) -> io::Result<()> {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.write_all(b"\r\n ")?;
            width = 1;
        }
        let mut buf = [0u8; 4];
        out.write_all(c.encode_utf8(&mut buf).as_bytes())?;
        width += len;
    }
    out.write_all(b"\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let mut out = Vec::new();
        let line = format!("DESCRIPTION:{}", "é".repeat(60));
        write_folded(&mut out, &line).unwrap();
        let text = String::from_utf8(out).unwrap();
        for physical in text.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= 75, "{physical:?}");
        }
        let unfolded = text.replace("\r\n ", "").replace("\r\n", "");
        assert_eq!(unfolded, line);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a, b; c\nd\\"), "a\\, b\\; c\\nd\\\\");
    }
}
