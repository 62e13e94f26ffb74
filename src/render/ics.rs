//! The plan as an iCalendar file (RFC 5545): one all-day event per planned training day, so it
//! can be imported into any calendar.

use crate::core::plan::{DayKind, DayStatus, PlanDay, WeekPlan};
use crate::settings::Units;
use chrono::{DateTime, Duration, Utc};
use std::io::{self, Write};

use super::words;

/// Writes the planned training days of `weeks` (rest days and days already done are left out)
/// as an iCalendar file. `stamp` is the DTSTAMP of every event (when the file was made).
pub fn write_plan(
    out: &mut dyn Write,
    weeks: &[&WeekPlan],
    units: Units,
    stamp: DateTime<Utc>,
) -> io::Result<()> {
    let first = weeks
        .first()
        .map(|w| w.week_start.to_string())
        .unwrap_or_default();
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        "PRODID:-//kneeguard//plan//EN".to_string(),
        "CALSCALE:GREGORIAN".to_string(),
        format!("X-WR-CALNAME:kneeguard plan, week of {first}"),
    ];
    let days = weeks
        .iter()
        .flat_map(|w| &w.days)
        .filter(|d| d.kind != DayKind::Rest && d.status == DayStatus::Planned);
    for day in days {
        let kind = day.kind.as_str();
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
        lines.push(format!("SUMMARY:{}", escape(&words::session(day, units))));
        lines.push(format!("DESCRIPTION:{}", escape(&description(day, units))));
        lines.push("TRANSP:TRANSPARENT".to_string());
        lines.push("END:VEVENT".to_string());
    }
    lines.push("END:VCALENDAR".to_string());
    for line in lines {
        write_folded(out, &line)?;
    }
    Ok(())
}

fn description(day: &PlanDay, units: Units) -> String {
    let mut parts: Vec<String> = day
        .notes
        .iter()
        .map(|n| words::day_note(n, units))
        .collect();
    for e in &day.exercises {
        parts.push(super::exercise(e));
    }
    parts.push(words::DISCLAIMER.to_string());
    parts.join("\n")
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
