//! Small pictures in text for the terminal: horizontal bars and sparklines in Unicode block
//! characters, or plain ASCII where the terminal's locale is not UTF-8.

use crate::settings::Units;

/// Which characters a picture may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// Unicode block elements (`▁▂▃`, `▏▎▍`).
    Unicode,
    /// Printable ASCII only.
    Ascii,
}

impl Charset {
    /// The charset the terminal shows: block elements with UTF-8, ASCII without.
    pub fn of(term: &super::Terminal) -> Charset {
        if term.unicode {
            Charset::Unicode
        } else {
            Charset::Ascii
        }
    }
}

/// Eight heights, lowest first.
const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const ASCII_LEVELS: [char; 8] = ['_', '.', ',', ':', '-', '=', '+', '#'];
/// Eighths of a character cell, for bars: one eighth first.
const EIGHTHS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];

/// One of eight heights for `value` on a scale from 0 to `max`; a space for no value. Zero is
/// the lowest height (a week without running is a week of zero, not missing data).
pub fn level(value: Option<f64>, max: f64, charset: Charset) -> char {
    let Some(v) = value.filter(|v| v.is_finite()) else {
        return ' ';
    };
    let share = if max > 0.0 {
        (v / max).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let index = ((share * 8.0).ceil() as usize).clamp(1, 8) - 1;
    match charset {
        Charset::Unicode => LEVELS[index],
        Charset::Ascii => ASCII_LEVELS[index],
    }
}

/// A horizontal bar `width` characters wide at `max`, padded with spaces to `width`. Any value
/// above zero shows at least the thinnest mark, so that a short week is not mistaken for none.
pub fn bar(value: f64, max: f64, width: usize, charset: Charset) -> String {
    let share = if max > 0.0 && value.is_finite() {
        (value / max).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mut out = match charset {
        Charset::Unicode => {
            let eighths =
                ((share * (width * 8) as f64).round() as usize).max(usize::from(share > 0.0));
            let mut s = "█".repeat(eighths / 8);
            if eighths % 8 > 0 {
                s.push(EIGHTHS[eighths % 8 - 1]);
            }
            s
        }
        Charset::Ascii => {
            let cells = ((share * width as f64).round() as usize).max(usize::from(share > 0.0));
            "#".repeat(cells)
        }
    };
    let len = out.chars().count();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(len)));
    out
}

/// A sparkline of `values` scaled to their largest (or to `max` when given).
pub fn sparkline(values: &[Option<f64>], max: Option<f64>, charset: Charset) -> String {
    let max = max.unwrap_or_else(|| values.iter().flatten().copied().fold(0.0, f64::max));
    values.iter().map(|v| level(*v, max, charset)).collect()
}

/// One week of the strip: its running distance and highest pain rating.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StripWeek {
    pub distance_m: f64,
    /// `None` when no pain was logged that week.
    pub highest_pain: Option<u8>,
}

/// Two lines: the weeks' running distance (scaled to the largest week) and their highest pain
/// (on the 0-10 scale; a space for a week without ratings), oldest week first.
///
/// ```text
/// distance ▃▄▅▅▆█▂▁▂▃▄▅  up to 33.5 km a week, this week 12.0 km
/// pain     ▂▂▂▂▃▄▃▂ ▂▂▂  0-10, highest each week; this week 2/10
/// ```
pub fn strip(weeks: &[StripWeek], units: Units, charset: Charset) -> String {
    let distances: Vec<Option<f64>> = weeks.iter().map(|w| Some(w.distance_m)).collect();
    let pain: Vec<Option<f64>> = weeks
        .iter()
        .map(|w| w.highest_pain.map(|p| f64::from(p.min(10))))
        .collect();
    let max = weeks.iter().map(|w| w.distance_m).fold(0.0, f64::max);
    let per_week = match units {
        Units::Km => "km a week",
        Units::Mi => "mi a week",
    };
    let last = weeks.last();
    let distance_note = format!(
        "up to {} {per_week}, this week {}",
        super::distance(max, units)
            .trim_end_matches(" km")
            .trim_end_matches(" mi"),
        super::distance(last.map_or(0.0, |w| w.distance_m), units)
    );
    let pain_note = match last.and_then(|w| w.highest_pain) {
        Some(p) => format!("0-10, highest each week; this week {p}/10"),
        None => "0-10, highest each week".to_string(),
    };
    format!(
        "distance {}  {distance_note}\npain     {}  {pain_note}\n",
        sparkline(&distances, Some(max), charset),
        sparkline(&pain, Some(10.0), charset),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_span_zero_to_max_and_keep_missing_values_blank() {
        let u = Charset::Unicode;
        assert_eq!(level(Some(0.0), 10.0, u), '▁');
        assert_eq!(level(Some(10.0), 10.0, u), '█');
        assert_eq!(level(Some(5.0), 10.0, u), '▄');
        assert_eq!(level(Some(20.0), 10.0, u), '█', "clamped");
        assert_eq!(level(None, 10.0, u), ' ');
        assert_eq!(level(Some(f64::NAN), 10.0, u), ' ');
        assert_eq!(level(Some(3.0), 0.0, u), '▁', "no scale: lowest");
        assert_eq!(level(Some(10.0), 10.0, Charset::Ascii), '#');
        assert_eq!(level(Some(0.0), 10.0, Charset::Ascii), '_');
    }

    #[test]
    fn bars_use_eighths_and_fill_their_width() {
        let u = Charset::Unicode;
        assert_eq!(bar(10.0, 10.0, 4, u), "████");
        assert_eq!(bar(5.0, 10.0, 4, u), "██  ");
        assert_eq!(bar(1.0, 8.0, 1, u), "▏");
        assert_eq!(bar(3.0, 8.0, 2, u), "▊ ", "6 of 16 eighths");
        assert_eq!(bar(0.0, 10.0, 3, u), "   ");
        assert_eq!(bar(0.01, 10.0, 3, u), "▏  ", "a short week still shows");
        assert_eq!(bar(-1.0, 10.0, 2, u), "  ");
        assert_eq!(bar(5.0, 10.0, 4, Charset::Ascii), "##  ");
        assert_eq!(bar(0.01, 10.0, 4, Charset::Ascii), "#   ");
        for v in [0.0, 0.3, 2.5, 7.77, 10.0, 99.0] {
            assert_eq!(bar(v, 10.0, 6, u).chars().count(), 6, "{v}");
            assert_eq!(bar(v, 10.0, 6, Charset::Ascii).len(), 6, "{v}");
        }
    }

    #[test]
    fn a_strip_shows_distance_and_pain_week_by_week() {
        let weeks: Vec<StripWeek> = [
            (0.0, None),
            (10_000.0, Some(1)),
            (20_000.0, Some(6)),
            (5_000.0, Some(0)),
        ]
        .into_iter()
        .map(|(d, p)| StripWeek {
            distance_m: d,
            highest_pain: p,
        })
        .collect();
        assert_eq!(
            strip(&weeks, Units::Km, Charset::Unicode),
            "distance ▁▄█▂  up to 20.0 km a week, this week 5.0 km\n\
             pain      ▁▅▁  0-10, highest each week; this week 0/10\n"
        );
        assert_eq!(
            strip(&weeks, Units::Mi, Charset::Ascii),
            "distance _:#.  up to 12.4 mi a week, this week 3.1 mi\n\
             pain      _-_  0-10, highest each week; this week 0/10\n"
        );
        assert_eq!(
            strip(&[], Units::Km, Charset::Unicode),
            "distance   up to 0.0 km a week, this week 0.0 km\npain       0-10, highest each week\n"
        );
    }
}
