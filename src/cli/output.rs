//! Output rendering: tables, Markdown, JSON, YAML and CSV of the same structs; stdout handling.

use std::io::{self, IsTerminal, Write};

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
}

impl Format {
    /// Table and Markdown are for people; the others for programs.
    pub fn is_human(self) -> bool {
        matches!(
            self,
            Format::Table | Format::Markdown | Format::Text | Format::Github
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Writes to stdout; a closed pipe (`presales list | head`) ends the program quietly.
pub fn print(text: &str) {
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to stdout: {e}");
        std::process::exit(1);
    }
}

pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    let mut s = serde_json::to_string_pretty(value).map_err(|e| Error::invalid(e.to_string()))?;
    s.push('\n');
    Ok(s)
}

pub fn yaml<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    yaml::to_canonical(value).map_err(Error::invalid)
}

/// A plain table: header rule, no borders, CJK-width aware (comfy-table measures display
/// width, so Chinese columns line up).
pub fn table(headers: &[&str], rows: Vec<Vec<String>>) -> String {
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
        .set_header(headers.iter().map(|h| h.to_string()));
    for row in rows {
        t.add_row(row);
    }
    let mut s = t.trim_fmt();
    s.push('\n');
    s
}

/// A GitHub-flavoured Markdown table; `|` in cells is escaped and line breaks become spaces.
pub fn markdown_table(headers: &[&str], rows: Vec<Vec<String>>) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace(['\r', '\n'], " ");
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
    let err = |e: csv::Error| Error::invalid(e.to_string());
    w.write_record(headers).map_err(err)?;
    for row in rows {
        w.write_record(&row).map_err(err)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::invalid(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| Error::invalid(e.to_string()))
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
    }
}

pub fn color_enabled(choice: ColorChoice, no_color_env: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !no_color_env && io::stderr().is_terminal(),
    }
}
