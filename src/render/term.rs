//! The terminal a command writes to — its width, whether it takes colour, whether it shows
//! UTF-8 — and the width-aware primitives built on it: paragraphs wrapped at a width, a severity
//! or zone in its colour, a table fitted to the width by wrapping its cells.
//!
//! `cli/mod.rs` builds one [`Terminal`] from the environment; everything here only receives it,
//! so every output can be rendered at any width in a test.

use crate::core::warnings::Severity;
use crate::core::zone::Zone;
use anstyle::{AnsiColor, Style};
use std::io::{self, Write};
use tabled::settings::peaker::PriorityMax;
use tabled::settings::{object::Columns, Alignment, Width};
use tabled::{Table, Tabled};

/// The narrowest width anything is laid out for; a narrower terminal gets this and wraps.
pub const MIN_WIDTH: usize = 40;
/// Paragraphs are never wider than this, however wide the terminal: long lines are hard to read.
pub const MAX_TEXT_WIDTH: usize = 100;
/// The width when neither the terminal nor `COLUMNS` tells one (output to a pipe or file).
pub const DEFAULT_WIDTH: usize = 80;

/// What the output can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terminal {
    /// Columns available, at least [`MIN_WIDTH`].
    pub width: usize,
    /// Whether to write ANSI colours.
    pub color: bool,
    /// Whether box-drawing characters and "…" can be shown; else plain ASCII.
    pub unicode: bool,
}

impl Default for Terminal {
    fn default() -> Self {
        Terminal::plain(DEFAULT_WIDTH)
    }
}

impl Terminal {
    /// No colour, UTF-8, the given width (at least [`MIN_WIDTH`]).
    pub fn plain(width: usize) -> Terminal {
        Terminal {
            width: width.max(MIN_WIDTH),
            color: false,
            unicode: true,
        }
    }

    /// The width paragraphs wrap to: the terminal's, at most [`MAX_TEXT_WIDTH`].
    pub fn text_width(&self) -> usize {
        self.width.min(MAX_TEXT_WIDTH)
    }

    /// Writes `text` after `lead`, wrapped to [`Terminal::text_width`], continuation lines
    /// indented under the text.
    pub fn wrap(&self, out: &mut dyn Write, lead: &str, text: &str) -> io::Result<()> {
        write_wrapped_at(out, self.text_width(), lead, text)
    }

    /// `text` in the colour of `severity` (bold red, yellow, cyan) when colour is on.
    pub fn severity(&self, severity: Severity, text: &str) -> String {
        let style = match severity {
            Severity::High => Style::new().bold().fg_color(Some(AnsiColor::Red.into())),
            Severity::Caution => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
            Severity::Info => Style::new().fg_color(Some(AnsiColor::Cyan.into())),
        };
        paint(text, style, self.color)
    }

    /// `text` in the colour of `zone` (green, yellow, bold red) when colour is on.
    pub fn zone(&self, zone: Zone, text: &str) -> String {
        let style = match zone {
            Zone::Green => Style::new().fg_color(Some(AnsiColor::Green.into())),
            Zone::Amber => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
            Zone::Red => Style::new().bold().fg_color(Some(AnsiColor::Red.into())),
        };
        paint(text, style, self.color)
    }

    /// `text` bold when colour is on (headings, the one number that matters).
    pub fn bold(&self, text: &str) -> String {
        paint(text, Style::new().bold(), self.color)
    }

    /// A table of `rows` in the terminal's style, numbers right-aligned in `numeric_columns`,
    /// fitted to the width.
    pub fn table<T: Tabled>(
        &self,
        rows: impl IntoIterator<Item = T>,
        numeric_columns: &[usize],
    ) -> String {
        self.render_table(Table::new(rows), numeric_columns, None)
    }

    /// Like [`Terminal::table`], but when the table is too wide the text column `flex` (a name,
    /// a note) gives up its width first, wrapped at word boundaries; only then do the others.
    pub fn table_flex<T: Tabled>(
        &self,
        rows: impl IntoIterator<Item = T>,
        numeric_columns: &[usize],
        flex: usize,
    ) -> String {
        self.render_table(Table::new(rows), numeric_columns, Some(flex))
    }

    /// Renders a table built elsewhere (columns removed, say) in the terminal's style, numbers
    /// right-aligned in `numeric_columns`, fitted to the width by wrapping `flex` first.
    pub fn render_table(
        &self,
        mut table: Table,
        numeric_columns: &[usize],
        flex: Option<usize>,
    ) -> String {
        self.style(&mut table);
        for &c in numeric_columns {
            table.modify(Columns::one(c), Alignment::right());
        }
        if let Some(flex) = flex {
            shrink_column(&mut table, self.width, flex);
        }
        self.fit(&mut table);
        table.to_string()
    }

    /// The terminal's table style: box drawing with UTF-8, ASCII without.
    pub fn style(&self, table: &mut Table) {
        if self.unicode {
            table.with(tabled::settings::Style::sharp());
        } else {
            table.with(tabled::settings::Style::ascii());
        }
    }

    /// Fits `table` into the terminal's width by wrapping its widest cells (at word boundaries
    /// where it can); nothing is cut off.
    pub fn fit(&self, table: &mut Table) {
        fit_table(table, self.width);
    }

    /// `text` cut to `max` characters with an ellipsis ("…", or "..." without UTF-8); for names
    /// in lists, never for advice or safety notes. Control characters are escaped first: a name
    /// or note comes from a file or a service and must not drive the terminal.
    pub fn truncate(&self, text: &str, max: usize) -> String {
        let text = &*super::printable(text);
        if self.unicode || text.chars().count() <= max {
            super::truncate(text, max)
        } else {
            let mut s: String = text.chars().take(max.saturating_sub(3)).collect();
            s.push_str("...");
            s
        }
    }
}

/// Fits `table` into `width` columns by wrapping the widest columns first, keeping words whole
/// where a word fits.
pub fn fit_table(table: &mut Table, width: usize) {
    if table.total_width() > width {
        table.with(
            Width::wrap(width)
                .priority(PriorityMax::right())
                .keep_words(true),
        );
    }
}

/// Wraps the cells of column `column` at word boundaries so that `table` fits `width`, down to
/// [`MIN_FLEX`] characters for that column.
pub fn shrink_column(table: &mut Table, width: usize, column: usize) {
    use tabled::grid::records::vec_records::{Cell, Text};
    let total = table.total_width();
    if total <= width {
        return;
    }
    let records = table.get_records_mut();
    let widest = records
        .iter()
        .filter_map(|row| row.get(column))
        .map(|cell| cell.width())
        .max()
        .unwrap_or(0);
    let target = widest.saturating_sub(total - width).max(MIN_FLEX);
    if target >= widest {
        return;
    }
    for row in records.iter_mut() {
        if let Some(cell) = row.get_mut(column) {
            if cell.width() > target {
                *cell = Text::new(fill(cell.text(), target));
            }
        }
    }
}

/// Whether `table` fits `width` once its column `flex` is wrapped down to [`MIN_FLEX`]
/// characters (what [`shrink_column`] would do), without wrapping any other column.
pub fn fits_with_flex(table: &Table, width: usize, flex: usize) -> bool {
    use tabled::grid::records::vec_records::Cell;
    let widest = table
        .get_records()
        .iter()
        .filter_map(|row| row.get(flex))
        .map(|cell| cell.width())
        .max()
        .unwrap_or(0);
    table.total_width() - widest.saturating_sub(MIN_FLEX) <= width
}

/// The narrowest a wrapped text column becomes.
pub const MIN_FLEX: usize = 8;

/// `text` wrapped at `width` columns, at spaces only: a date such as 2026-10-12 or a word such
/// as pain-free stays whole on its line. Words longer than a line are broken.
pub fn fill(text: &str, width: usize) -> String {
    textwrap::fill(text, options(width))
}

fn options(width: usize) -> textwrap::Options<'static> {
    textwrap::Options::new(width).word_splitter(textwrap::WordSplitter::NoHyphenation)
}

/// `text` wrapped at `width` after `lead`, continuation lines indented to line up with the
/// text; each line ends with a newline. Words longer than a line are broken.
pub fn wrap_at(width: usize, lead: &str, text: &str) -> String {
    let indent = " ".repeat(textwrap::core::display_width(lead));
    let width = width.max(indent.len() + 20);
    let options = options(width)
        .initial_indent(lead)
        .subsequent_indent(&indent);
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut wrapped = textwrap::fill(&words, options);
    wrapped.push('\n');
    wrapped
}

/// Writes [`wrap_at`]`(width, lead, text)`.
pub fn write_wrapped_at(
    out: &mut dyn Write,
    width: usize,
    lead: &str,
    text: &str,
) -> io::Result<()> {
    out.write_all(wrap_at(width, lead, text).as_bytes())
}

/// `text` in `style` when `on`, else as it is.
pub fn paint(text: &str, style: Style, on: bool) -> String {
    if on {
        format!("{}{text}{}", style.render(), style.render_reset())
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn widths(text: &str) -> Vec<usize> {
        text.lines().map(textwrap::core::display_width).collect()
    }

    #[test]
    fn paragraphs_fit_the_width_and_keep_every_word() {
        let text = "Keep the long run under 12 km and descend no more than 150 m this week; \
                    run on flat ground, walk the steep downhills, and log pain after each run.";
        for width in [40, 60, 80] {
            let out = wrap_at(width, "do:  ", text);
            assert!(widths(&out).iter().all(|w| *w <= width), "{width}:\n{out}");
            assert!(out.lines().skip(1).all(|l| l.starts_with("     ")), "{out}");
            let words: Vec<&str> = out.split_whitespace().filter(|w| *w != "do:").collect();
            assert_eq!(
                words.join(" "),
                text.split_whitespace().collect::<Vec<_>>().join(" ")
            );
        }
        let long = wrap_at(40, "", &"x".repeat(100));
        assert!(widths(&long).iter().all(|w| *w <= 40), "{long}");
    }

    #[test]
    fn colour_only_when_on() {
        let on = Terminal {
            color: true,
            ..Terminal::plain(80)
        };
        let off = Terminal::plain(80);
        assert_eq!(off.severity(Severity::High, "HIGH"), "HIGH");
        assert_eq!(off.zone(Zone::Red, "red"), "red");
        let red = on.zone(Zone::Red, "red");
        assert!(red.starts_with("\u{1b}[") && red.contains("red") && red.ends_with("\u{1b}[0m"));
        assert_ne!(
            on.severity(Severity::Caution, "x"),
            on.severity(Severity::Info, "x")
        );
    }

    #[derive(Tabled)]
    struct Row {
        name: &'static str,
        advice: &'static str,
    }

    #[test]
    fn tables_wrap_cells_to_the_width_and_lose_nothing() {
        let advice = "Stop running for now; see a physiotherapist or sports doctor when the knee \
                      swells or does not improve within two weeks.";
        let rows = [Row {
            name: "red",
            advice,
        }];
        for width in [40, 60, 80] {
            let term = Terminal::plain(width);
            let out = term.table(rows.iter().map(|r| Row { ..*r }), &[]);
            assert!(widths(&out).iter().all(|w| *w <= width), "{width}:\n{out}");
            let words: Vec<&str> = out
                .split(|c: char| c.is_whitespace() || "│┌┐└┘├┤┬┴┼─".contains(c))
                .filter(|w| !w.is_empty())
                .collect();
            for word in advice.split_whitespace() {
                assert!(words.contains(&word), "{word} lost at {width}:\n{out}");
            }
        }
        let ascii = Terminal {
            unicode: false,
            ..Terminal::plain(80)
        };
        let out = ascii.table(rows.iter().map(|r| Row { ..*r }), &[]);
        assert!(out.is_ascii(), "{out}");
        assert_eq!(ascii.truncate("Lunch Trail Run", 10), "Lunch T...");
    }
}
