//! Output rendering: tables, Markdown, JSON, YAML and CSV of the same structs; stdout handling.

use std::borrow::Cow;
use std::io::{self, IsTerminal, Write};
use std::sync::OnceLock;

use clap::ValueEnum;
use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::store::yaml;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    /// GitHub-flavoured Markdown: reports as documents, lists as tables; other commands
    /// print as for `table`.
    #[value(alias = "md")]
    Markdown,
    Json,
    Yaml,
    Csv,
    /// Plain `path:line:col: message` lines (`presales check`); elsewhere the same as table.
    Text,
    /// GitHub Actions annotations (`presales check`); elsewhere the same as table.
    Github,
    /// A self-contained HTML page (reports and lists; inline CSS, no script); elsewhere the
    /// same as table. `presales dashboard` writes a whole site.
    Html,
}

impl Format {
    /// Table and Markdown are for people; the others for programs.
    pub fn is_human(self) -> bool {
        matches!(
            self,
            Format::Table | Format::Markdown | Format::Text | Format::Github | Format::Html
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_take_the_plural_only_when_not_one() {
        assert_eq!(super::count(1, "open request"), "1 open request");
        assert_eq!(super::count(0, "deal"), "0 deals");
        assert_eq!(super::count(2, "request"), "2 requests");
        assert_eq!(super::count(3, "search"), "3 searches");
        assert_eq!(super::count(2, "approach"), "2 approaches");
    }

    #[test]
    fn the_streamed_table_is_the_table() {
        let headers = ["ID", "STAGE", "TITLE", "CUSTOMER"];
        let rows: Vec<Vec<String>> = vec![
            vec![
                "REQ-1".into(),
                "design".into(),
                "智慧园区网络改造".into(),
                "华东银行".into(),
            ],
            vec!["REQ-22".into(), "".into(), "VPN".into(), "".into()],
            vec![
                "R".into(),
                "closed".into(),
                "ＡＰＩ 网关 (full width)".into(),
                "x".into(),
            ],
            vec![
                "R3".into(),
                "review".into(),
                "tab\there".into(),
                "café".into(),
            ],
            // A title that would reorder or color the terminal: shown escaped.
            vec![
                "R4".into(),
                "draft".into(),
                "evil\u{202e}txt.exe\u{1b}[31m".into(),
                "x".into(),
            ],
        ];
        for width in [None, Some(80), Some(40), Some(20)] {
            for n in [0, 1, rows.len()] {
                let mut streamed = Vec::new();
                let row = |i: usize, cells: &mut [String]| {
                    for (cell, text) in cells.iter_mut().zip(&rows[i]) {
                        cell.push_str(text);
                    }
                };
                super::write_table(&mut streamed, &headers, n, row, width).unwrap();
                let streamed = String::from_utf8(streamed).unwrap();
                assert!(
                    !streamed.contains(['\u{202e}', '\u{1b}']),
                    "a control character reached the terminal: {streamed:?}"
                );
                assert_eq!(
                    streamed,
                    super::table_in(&headers, rows[..n].to_vec(), width),
                    "{n} rows, width {width:?}"
                );
                if let Some(w) = width.filter(|&w| w >= 40) {
                    use unicode_width::UnicodeWidthStr;
                    for line in streamed.lines() {
                        assert!(line.width() <= w, "{w}: {line}");
                    }
                }
            }
        }
    }

    use super::*;

    #[test]
    fn the_lead_byte_filter_misses_no_unsafe_character() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let text = format!("a{c}b");
            assert_eq!(safe(&text) != text, unsafe_char(c), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn record_text_cannot_drive_a_terminal() {
        let title = "ok\u{1b}]52;c;cHduZWQ=\u{7}\r\u{202e}gnp.exe\u{9b}";
        let shown = safe(title);
        assert!(!shown.chars().any(unsafe_char), "{shown}");
        assert_eq!(
            shown,
            "ok\\u001b]52;c;cHduZWQ=\\u0007\\u000d\\u202egnp.exe\\u009b"
        );
        assert_eq!(safe("智慧园区\n\t方案"), "智慧园区\n\t方案");
        // A character split across writes is still escaped once, whole.
        let mut w = SafeWriter::new(Vec::new());
        let bytes = "a\u{202e}b".as_bytes();
        w.write_all(&bytes[..2]).unwrap();
        w.write_all(&bytes[2..]).unwrap();
        w.flush().unwrap();
        assert_eq!(String::from_utf8(w.inner).unwrap(), "a\\u202eb");
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Whether a character may not reach a terminal as it is: control characters other than
/// newline and tab (ESC starts the sequences that clear a screen or set the clipboard, CR
/// overwrites a line) and the bidirectional controls that reorder what is shown.
fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text from records made safe to print: every unsafe character becomes a visible `\uXXXX`
/// (which is also how JSON and YAML escape it), so no record can drive a reader's terminal.
pub fn safe(text: &str) -> std::borrow::Cow<'_, str> {
    // Every unsafe character is an ASCII control or starts with one of three lead bytes
    // (C1 controls, U+061C, U+200E…U+2069): text without them is looked at no further.
    let suspect = |b: &u8| {
        (*b < 0x20 && *b != b'\n' && *b != b'\t') || matches!(*b, 0x7f | 0xc2 | 0xd8 | 0xe2)
    };
    if !text.as_bytes().iter().any(suspect) || !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A writer that passes text through [`safe`] on its way out, for streamed output. Bytes
/// of a character split across two writes wait for the rest.
pub struct SafeWriter<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> SafeWriter<W> {
    pub fn new(inner: W) -> Self {
        SafeWriter {
            inner,
            pending: Vec::new(),
        }
    }
}

impl<W: Write> Write for SafeWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // The common case: nothing waiting, and whole characters.
        if self.pending.is_empty()
            && let Ok(text) = std::str::from_utf8(buf)
        {
            self.inner.write_all(safe(text).as_bytes())?;
            return Ok(buf.len());
        }
        self.pending.extend_from_slice(buf);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            // Not UTF-8 at all: pass it on as it is (never the case for our output).
            Err(_) => self.pending.len(),
        };
        let text = String::from_utf8_lossy(&self.pending[..valid]).into_owned();
        self.inner.write_all(safe(&text).as_bytes())?;
        self.pending.drain(..valid);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let rest = String::from_utf8_lossy(&self.pending).into_owned();
            self.inner.write_all(safe(&rest).as_bytes())?;
            self.pending.clear();
        }
        self.inner.flush()
    }
}

/// Writes to stdout. A failed write is [`Error::Stdout`]; `run()` ends quietly with 0 when
/// it is a closed pipe (`presales list | head`).
pub fn print(text: &str) -> Result<()> {
    let text = safe(text);
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(Error::Stdout)
}

/// `1 request`, `2 requests`, `2 searches`: a count with its English noun, singular or
/// plural (`-s`, or `-es` after s, x, z, ch and sh).
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|e| noun.ends_with(e))
    {
        format!("{n} {noun}es")
    } else {
        format!("{n} {noun}s")
    }
}

/// Our own structs as JSON; they always serialize, so a failure is a bug.
pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    let mut s = serde_json::to_string_pretty(value)
        .map_err(|e| Error::internal_from("cannot serialize the output as JSON", e))?;
    s.push('\n');
    Ok(s)
}

pub fn yaml<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    yaml::to_canonical(value)
}

/// The width tables and report prose must fit, decided once per run by [`set_width`]:
/// `None` when nothing may be cut (stdout is not a terminal, or `--wide`).
static WIDTH: OnceLock<Option<usize>> = OnceLock::new();

/// Decides the width of this run's output: `--wide` or a stdout that is not a terminal
/// (`PRESALES_FORCE_TTY=1`, for tests, says it is one) cut nothing; on a terminal,
/// `COLUMNS` when it is a number, else the terminal's own width.
pub fn set_width(wide: bool, columns: Option<&str>, force_tty: bool) {
    let width = if wide || !(force_tty || io::stdout().is_terminal()) {
        None
    } else {
        columns
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|&c| c > 0)
            .or_else(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
    };
    let _ = WIDTH.set(width);
}

/// The width output must fit, if any (see [`set_width`]).
pub fn width() -> Option<usize> {
    WIDTH.get().copied().flatten()
}

/// A line of prose wrapped to [`width`] on a terminal (continuation lines indented by
/// `indent`), as it is otherwise.
pub fn wrap(line: &str, indent: usize) -> String {
    match width() {
        Some(w) => super::fit::wrap(line, w, indent),
        None => line.to_string(),
    }
}

/// Rows with their cells cut to the column widths that fit [`width`], after making them
/// safe to print (an escape is wider than the character it shows).
fn fitted(
    headers: &[&str],
    rows: Vec<Vec<String>>,
    width: Option<usize>,
) -> (Vec<String>, Vec<Vec<String>>) {
    use unicode_width::UnicodeWidthStr;
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|r| r.iter().map(|c| safe(c).into_owned()).collect())
        .collect();
    let head = headers.iter().map(|h| h.to_string()).collect();
    let Some(width) = width else {
        return (head, rows);
    };
    let mut natural: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for row in &rows {
        for (w, cell) in natural.iter_mut().zip(row) {
            *w = (*w).max(cell.lines().map(|l| l.width()).max().unwrap_or(0));
        }
    }
    let widths = super::fit::column_widths(headers, &natural, width);
    if widths == natural {
        return (head, rows);
    }
    let rows = rows
        .into_iter()
        .map(|r| super::fit::fit_row(r, &widths))
        .collect();
    (super::fit::fit_row(head, &widths), rows)
}

/// A plain table: header rule, no borders, CJK-width aware (comfy-table measures display
/// width, so Chinese columns line up). On a terminal, cut to fit [`width`].
pub fn table(headers: &[&str], rows: Vec<Vec<String>>) -> String {
    table_in(headers, rows, width())
}

fn table_in(headers: &[&str], rows: Vec<Vec<String>>, width: Option<usize>) -> String {
    let (headers, rows) = fitted(headers, rows, width);
    let mut t = Table::new();
    t.load_preset(presets::UTF8_HORIZONTAL_ONLY)
        .remove_style(comfy_table::TableComponent::HorizontalLines)
        .remove_style(comfy_table::TableComponent::MiddleIntersections)
        .remove_style(comfy_table::TableComponent::LeftBorderIntersections)
        .remove_style(comfy_table::TableComponent::RightBorderIntersections)
        .remove_style(comfy_table::TableComponent::TopBorder)
        .remove_style(comfy_table::TableComponent::BottomBorder)
        .remove_style(comfy_table::TableComponent::TopBorderIntersections)
        .remove_style(comfy_table::TableComponent::BottomBorderIntersections)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(headers);
    for row in rows {
        t.add_row(row);
    }
    let mut s = t.trim_fmt();
    s.push('\n');
    s
}

/// A GitHub-flavoured Markdown table; `|` in cells is escaped and line breaks become spaces.
pub fn markdown_table(headers: &[&str], rows: Vec<Vec<String>>) -> String {
    let cell = |s: &str| safe(&s.replace('|', "\\|").replace(['\r', '\n'], " ")).into_owned();
    let line = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
    let mut s = line(headers.iter().map(|h| cell(h)).collect());
    s.push_str(&line(headers.iter().map(|_| "---".to_string()).collect()));
    for row in rows {
        s.push_str(&line(row.iter().map(|c| cell(c)).collect()));
    }
    s
}

pub fn csv(headers: &[&str], rows: Vec<Vec<String>>) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| Error::internal_from("cannot write the output as CSV", e);
    w.write_record(headers).map_err(err)?;
    for row in rows {
        w.write_record(&row).map_err(err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::internal_from("cannot write the output as CSV", e.into_error()))?;
    String::from_utf8(bytes).map_err(|e| Error::internal_from("the CSV output is not UTF-8", e))
}

/// Renders a list in the chosen format: records as they are for json/yaml, the table's
/// columns for table/csv.
pub fn list<T: Serialize>(
    format: Format,
    records: &[T],
    headers: &[&str],
    rows: Vec<Vec<String>>,
) -> Result<String> {
    match format {
        Format::Json => json(records),
        Format::Yaml => yaml(records),
        Format::Csv => csv(headers, rows),
        Format::Table | Format::Text | Format::Github => Ok(table(headers, rows)),
        Format::Markdown => Ok(markdown_table(headers, rows)),
        Format::Html => {
            let mut doc = super::report::Doc::default();
            doc.table(&leak(headers), rows, "none");
            doc.render_as(Format::Html)
        }
    }
}

/// Headers as the `'static` strings a document table keeps (a handful per run).
fn leak(headers: &[&str]) -> Vec<&'static str> {
    headers
        .iter()
        .map(|h| &*Box::leak(h.to_string().into_boxed_str()))
        .collect()
}

pub fn color_enabled(choice: ColorChoice, no_color_env: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !no_color_env && io::stderr().is_terminal(),
    }
}

/// Writes a JSON array straight to stdout, without building the text in memory.
pub fn stream_json<T: Serialize>(items: &[T]) -> Result<()> {
    let mut out = io::BufWriter::new(SafeWriter::new(io::stdout().lock()));
    if let Err(e) = serde_json::to_writer_pretty(&mut out, items) {
        return Err(match e.io_error_kind() {
            Some(kind) => Error::Stdout(io::Error::from(kind)),
            None => Error::internal_from("cannot serialize the output as JSON", e),
        });
    }
    out.write_all(b"\n")
        .and_then(|()| out.flush())
        .map_err(Error::Stdout)
}

/// Writes CSV rows straight to stdout.
pub fn stream_csv(headers: &[&str], n: usize, row: impl Fn(usize) -> Vec<String>) -> Result<()> {
    let mut w = csv::Writer::from_writer(SafeWriter::new(io::stdout().lock()));
    let fail = |e: csv::Error| match e.kind() {
        csv::ErrorKind::Io(io) => Error::Stdout(io::Error::from(io.kind())),
        _ => Error::internal_from("cannot write the output as CSV", e),
    };
    w.write_record(headers).map_err(fail)?;
    for i in 0..n {
        w.write_record(row(i)).map_err(fail)?;
    }
    w.flush().map_err(Error::Stdout)
}

/// The same table as [`table`], written row by row: the widths come from a first pass over
/// the rows (display width, so Chinese lines up), the text from a second, so memory stays
/// flat however many rows there are. `row(i, cells)` writes row `i` into `cells`, one
/// string per header, each emptied first: the same strings serve every row, so a table of
/// a million rows allocates no more than one of ten.
pub fn stream_table(headers: &[&str], n: usize, row: impl Fn(usize, &mut [String])) -> Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    write_table(&mut out, headers, n, row, width()).map_err(Error::Stdout)?;
    out.flush().map_err(Error::Stdout)
}

/// [`stream_table`]'s renderer, into any writer. A test holds it to [`table`]'s output, so
/// the two renderers (comfy-table for tables built in memory, this one for `list`, which
/// must not hold 100,000 rendered rows) print the same tables.
fn write_table(
    out: &mut impl Write,
    headers: &[&str],
    n: usize,
    row: impl Fn(usize, &mut [String]),
    width: Option<usize>,
) -> io::Result<()> {
    use unicode_width::UnicodeWidthStr;
    let mut cells = vec![String::new(); headers.len()];
    let safe_row = |i: usize, cells: &mut [String]| {
        for c in cells.iter_mut() {
            c.clear();
        }
        row(i, cells);
        for c in cells.iter_mut() {
            if let Cow::Owned(s) = safe(c) {
                *c = s;
            }
        }
    };
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for i in 0..n {
        safe_row(i, &mut cells);
        for (w, cell) in widths.iter_mut().zip(&cells) {
            *w = (*w).max(cell.width());
        }
    }
    let fitted = match width {
        Some(width) => super::fit::column_widths(headers, &widths, width),
        None => widths.clone(),
    };
    // Row `i` as shown: made safe, then cut to its columns.
    let fit_row = |i: usize, cells: &mut [String]| {
        safe_row(i, cells);
        super::fit::fit_cells(cells, &fitted);
    };
    if fitted != widths {
        // A cut cell can come out narrower than its column (a wide character left out
        // whole): the column is as wide as what is shown, as comfy-table measures it.
        widths = fitted
            .iter()
            .zip(headers)
            .map(|(&w, h)| super::fit::truncate(h, w).width())
            .collect();
        for i in 0..n {
            fit_row(i, &mut cells);
            for (w, cell) in widths.iter_mut().zip(&cells) {
                *w = (*w).max(cell.lines().map(|l| l.width()).max().unwrap_or(0));
            }
        }
    }
    let widths = widths;
    let line = |cells: &[String], s: &mut String| {
        s.clear();
        for (k, (c, w)) in cells.iter().zip(&widths).enumerate() {
            s.push(' ');
            s.push_str(c);
            // The last column is not padded: no trailing blanks.
            if k + 1 < widths.len() {
                s.extend(std::iter::repeat_n(' ', w - c.width() + 2));
            }
        }
        s.truncate(s.trim_end().len());
        s.push('\n');
    };
    let head = super::fit::fit_row(headers.iter().map(|h| h.to_string()).collect(), &fitted);
    let total: usize = widths.iter().map(|w| w + 3).sum::<usize>() - 1;
    let mut text = String::new();
    line(&head, &mut text);
    text.push_str(&"═".repeat(total));
    text.push('\n');
    out.write_all(text.as_bytes())?;
    for i in 0..n {
        fit_row(i, &mut cells);
        line(&cells, &mut text);
        out.write_all(text.as_bytes())?;
    }
    Ok(())
}
