//! Canonical YAML: the one text form of every record, and parsing with file positions.

use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

fn options() -> serde_saphyr::SerializerOptions {
    let mut options = serde_saphyr::SerializerOptions::default();
    options.indent_step = 2;
    // Single-line strings stay on one line however long: a one-word edit in a long
    // title must change one line of the diff, not reflow a folded block.
    options.folded_wrap_chars = usize::MAX;
    options
}

/// Serializes a record into canonical YAML: fixed key order (the struct's), block style,
/// one list item per line, UTF-8 text as is, multi-line text as `|` blocks, LF, one
/// trailing newline. YAML 1.1 words such as `no` or `on` and date-like strings are quoted
/// so that other YAML readers do not turn them into booleans or dates.
///
/// Our own types always serialize: a failure is [`Error::Internal`].
pub fn to_canonical<T: Serialize + ?Sized>(record: &T) -> crate::Result<String> {
    let mut text = serde_saphyr::to_string_with_options(&record, options())
        .map_err(|e| Error::internal_from("cannot serialize as YAML", e))?;
    if text.starts_with("---\n") {
        text.drain(..4);
    }
    while text.ends_with("\n\n") {
        text.pop();
    }
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// The whole text of a record file: the schema header line, then canonical YAML.
pub fn record_text<T: crate::model::Record>(record: &T) -> crate::Result<String> {
    Ok(crate::schema::header(T::KIND) + &to_canonical(record)?)
}

/// The parser's limits: the library's defaults guard against documents crafted to exhaust
/// memory, but a record the tool itself writes may hold tens of thousands of history
/// entries (a quarter of a million YAML nodes at the default). Records stay readable at any
/// length the tool lets them reach; aliases and nesting keep their default limits.
fn parse_options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::budget::Budget::default();
    budget.max_nodes = 50_000_000;
    budget.max_events = 200_000_000;
    budget.max_total_scalar_bytes = 1 << 30;
    budget.max_reader_input_bytes = None;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options
}

/// Parses a record, mapping errors to `path:line:col: message` with a hint.
pub fn parse<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T> {
    serde_saphyr::from_str_with_options::<T>(text, parse_options()).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line().max(1), l.column().max(1)))
            .unwrap_or((1, 1));
        let at_line = text
            .lines()
            .nth(line.saturating_sub(1) as usize)
            .unwrap_or("");
        Error::Parse {
            path: path.to_path_buf(),
            line,
            column,
            // An empty file (a write cut short, an editor's accident), not bad YAML.
            message: if text.trim().is_empty() {
                "the file is empty".to_string()
            } else if text.lines().all(|l| {
                let l = l.trim();
                l.is_empty() || l.starts_with('#')
            }) {
                "the file holds no record, only comments".to_string()
            } else {
                product_words(&first_line(&e.without_snippet().to_string()), at_line)
            },
            hint: Some(format!(
                "fix the file by hand (or `git checkout -- {}` to undo), then run `presales check`",
                path.display()
            )),
        }
    })
}

/// Fields on a 1–5 scale.
const SCALE_FIELDS: [&str; 4] = ["satisfaction", "difficulty", "likelihood", "impact"];
/// Fields that hold a timestamp with its offset.
const TIME_FIELDS: [&str; 4] = ["created", "at", "opened", "closed"];

/// The parser's message in the product's words: the field named, the value quoted, what is
/// allowed; never the library's types or settings.
fn product_words(raw: &str, line: &str) -> String {
    let item = line.trim().trim_start_matches("- ");
    let (key, value) = match item.split_once(':') {
        Some((k, v)) => (k.trim(), v.trim().trim_matches('"').trim_matches('\'')),
        None => ("", item),
    };
    let value = &glimpse(value);
    let field = if key.is_empty() {
        "the value".to_string()
    } else {
        format!("`{key}`")
    };
    let number = [
        "invalid u8",
        "invalid u16",
        "invalid u32",
        "invalid u64",
        "invalid i64",
        "invalid integer",
        "invalid number",
    ];
    if number.iter().any(|p| raw.starts_with(p)) || raw.contains(" is not in ") {
        return if SCALE_FIELDS.contains(&key) {
            format!("{field} must be 1–5, got {value}")
        } else {
            format!("{field} must be a whole number, got {value}")
        };
    }
    let time = [
        "premature end of input",
        "input is out of range",
        "input contains invalid characters",
        "trailing input",
        "input is not enough",
        "no possible date and time",
        "bad or unsupported format",
    ];
    if time.iter().any(|p| raw.contains(p)) {
        return if TIME_FIELDS.contains(&key) {
            format!(
                "{field} must be a time with its UTC offset, like 2026-11-27T10:00:00+08:00; got {value}"
            )
        } else {
            format!("{field} must be a date, like 2026-12-01; got {value}")
        };
    }
    if raw.starts_with("cannot deserialize null") || raw.starts_with("invalid type: null") {
        return format!("{field} needs a value");
    }
    if let Some(k) = raw.strip_prefix("duplicate mapping key: ") {
        let k = k.split(',').next().unwrap_or(k).trim();
        return format!("`{k}` appears twice in one mapping; keep one");
    }
    if raw.starts_with("expected string") {
        return format!("{field} must be a text, got {value}");
    }
    if raw.contains("recursive reference") {
        return "a YAML alias (`*name`) points back into the value it is part of; write the \
                value out in full"
            .to_string();
    }
    if raw.contains("budget") || raw.contains("recursion limit") {
        return "the file is too large or too deeply nested to read safely".to_string();
    }
    if raw.starts_with("multiple YAML documents") {
        return "the file holds more than one YAML document (a `---` line after the first \
                value); a record file holds one: remove what follows it"
            .to_string();
    }
    // Whatever else the library says, without its advice on its own settings.
    let cut = ["; use Option<", ", set DuplicateKeyPolicy", " (use Option"];
    let mut msg = raw.to_string();
    for c in cut {
        if let Some(i) = msg.find(c) {
            msg.truncate(i);
        }
    }
    msg
}

/// A value quoted back from the file, cut to a glance: an error message stays one short
/// line however long the value is.
fn glimpse(value: &str) -> String {
    const MAX: usize = 60;
    match value.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", &value[..end]),
        None => value.to_string(),
    }
}

/// The error's message without the location prefix the library may add.
fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or(message).trim();
    let line = line.strip_prefix("error: ").unwrap_or(line);
    // The position is already in front of the message.
    match line.rfind(" at line ") {
        Some(i) if line[i..].contains("column") => line[..i].trim_end().to_string(),
        _ => line.to_string(),
    }
}

#[cfg(test)]
mod product_words_tests {
    use super::*;
    use crate::model::Request;

    fn msg(yaml_line_from: &str, to: &str) -> String {
        let text = "id: REQ-20261127-A7KQ2MX\ntitle: t\ntype: solution\npriority: P3\ncustomer: CUS-20261127-A7KQ2MX\ncreated: \"2026-11-27T10:00:00+08:00\"\nstage: closed\nsatisfaction: 3\n";
        assert!(text.contains(yaml_line_from));
        parse::<Request>(Path::new("r.yaml"), &text.replacen(yaml_line_from, to, 1))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn parse_errors_speak_of_fields_and_values() {
        assert!(
            msg("satisfaction: 3", "satisfaction: -1")
                .ends_with("`satisfaction` must be 1–5, got -1")
        );
        assert!(msg("title: t", "title: ~").ends_with("`title` needs a value"));
        assert!(
            msg("title: t", "title: t\ntitle: u")
                .ends_with("`title` appears twice in one mapping; keep one")
        );
        let m = msg("\"2026-11-27T10:00:00+08:00\"", "\"2026-11-27T10:00:00\"");
        assert!(
            m.contains("`created` must be a time with its UTC offset")
                && m.contains("2026-11-27T10:00:00"),
            "{m}"
        );
        let m = msg(
            "\"2026-11-27T10:00:00+08:00\"",
            "\"2026-13-45T10:00:00+08:00\"",
        );
        assert!(m.contains("2026-13-45"), "{m}");
        for m in [
            msg("title: t", "title: ~"),
            msg("satisfaction: 3", "satisfaction: 99999999999"),
        ] {
            for jargon in [
                "Option<",
                "DuplicateKeyPolicy",
                "u8",
                "0..=255",
                "premature",
                "budget",
            ] {
                assert!(!m.contains(jargon), "{m}");
            }
        }
    }

    /// What the YAML library says of a second document, of nesting past its limit and of
    /// an empty file is put in the product's words, without the library's advice on its
    /// own functions.
    #[test]
    fn structural_errors_speak_of_the_file() {
        let text = "id: REQ-20261127-A7KQ2MX\ntitle: t\ntype: solution\npriority: P3\ncustomer: CUS-20261127-A7KQ2MX\ncreated: \"2026-11-27T10:00:00+08:00\"\nstage: closed\n";
        assert!(parse::<Request>(Path::new("r.yaml"), text).is_ok());
        let read = |t: &str| {
            parse::<Request>(Path::new("r.yaml"), t)
                .unwrap_err()
                .to_string()
        };
        let m = read(&format!("{text}---\n{text}"));
        assert!(m.contains("more than one YAML document"), "{m}");
        assert!(!m.contains("from_str_multiple"), "{m}");
        let m = read(&format!(
            "{text}deep: {}{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        ));
        assert!(m.contains("too deeply nested"), "{m}");
        assert!(!m.contains("recursion"), "{m}");
        let m = read("");
        assert!(m.contains("the file is empty"), "{m}");
        let m = read("# yaml-language-server: $schema=../../schemas/request.schema.json\n\n");
        assert!(m.contains("no record, only comments"), "{m}");
    }

    #[test]
    fn a_long_value_is_quoted_back_cut_short() {
        let long = format!("[{}]", "x".repeat(5000));
        let m = msg("title: t", &format!("title: {long}"));
        assert!(m.contains("`title` must be a text, got [xxx"), "{m}");
        assert!(m.ends_with('…') && m.chars().count() < 120, "{m}");
        // A short value is quoted whole.
        assert!(msg("title: t", "title: [a]").ends_with("got [a]"));
    }

    #[test]
    fn an_alias_into_itself_is_named_in_the_products_words() {
        let m = msg("title: t", "title: t\nlegacy: &a [x, *a]");
        assert!(
            m.contains("alias") && m.contains("write the value out"),
            "{m}"
        );
        assert!(!m.contains("weak recursion"), "{m}");
    }

    #[test]
    fn a_record_with_tens_of_thousands_of_entries_stays_readable() {
        let mut r: Request = serde_json::from_value(serde_json::json!({
            "id": "REQ-20261127-A7KQ2MX", "title": "t", "type": "solution", "priority": "P3",
            "customer": "CUS-20261127-A7KQ2MX", "created": "2026-11-27T10:00:00+08:00",
            "stage": "registered",
        }))
        .unwrap();
        let at = r.created;
        for i in 0..30_000 {
            r.history.push(
                crate::model::HistoryEntry::new(at, "li.na", "comment")
                    .op(format!("OP{i:08}"))
                    .note(Some(format!("第 {i} 条"))),
            );
        }
        let text = record_text(&r).unwrap();
        let back: Request = parse(Path::new("r.yaml"), &text).unwrap();
        assert_eq!(back.history.len(), 30_000);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Customer, Request};

    const SAMPLE: &str = "id: REQ-20261127-A7KQ2MX
title: 智慧园区网络改造方案
type: solution
priority: P2
customer: CUS-20261101-A000000
created: 2026-11-27T10:00:00+08:00
stage: registered
tags:
- 'no'
- 网络
description: |-
  第一行
  second line
assessment:
  feasibility: feasible
  difficulty: 2
  x_nested: keep me
x_custom_field:
  nested: 1
history:
- at: 2026-11-27T10:00:00+08:00
  by: zhao.lei
  action: create
  some_future_key: kept
";

    #[test]
    fn rewrite_is_stable_keeps_unknown_fields_and_chinese() {
        let req: Request = parse(Path::new("x.yaml"), SAMPLE).unwrap();
        let once = to_canonical(&req).unwrap();
        assert!(once.contains("智慧园区网络改造方案"), "{once}");
        assert!(!once.contains("\\u"), "{once}");
        assert!(once.contains("x_custom_field"), "{once}");
        assert!(once.contains("some_future_key: kept"), "{once}");
        assert!(
            once.contains("  x_nested: keep me"),
            "nested unknown fields too: {once}"
        );
        assert!(once.contains("description: |"), "{once}");
        let again: Request = parse(Path::new("x.yaml"), &once).unwrap();
        assert_eq!(to_canonical(&again).unwrap(), once);
        assert_eq!(again, req);
    }

    #[test]
    fn yaml11_words_are_quoted() {
        let req: Request = parse(Path::new("x.yaml"), SAMPLE).unwrap();
        let text = to_canonical(&req).unwrap();
        assert!(
            text.contains("- 'no'") || text.contains("- \"no\""),
            "{text}"
        );
    }

    #[test]
    fn parse_errors_carry_path_line_and_column() {
        let bad = "id: CUS-20261101-A000000\nname: [unclosed\ncreated: 2026-11-27T10:00:00+08:00\n";
        let err = parse::<Customer>(Path::new("customers/x.yaml"), bad).unwrap_err();
        let Error::Parse { line, path, .. } = &err else {
            panic!("{err:?}")
        };
        assert!(*line >= 2, "{err}");
        assert_eq!(path, Path::new("customers/x.yaml"));
        assert!(err.to_string().starts_with("customers/x.yaml:"), "{err}");
    }

    #[test]
    fn wrong_types_are_located() {
        let bad = "id: CUS-20261101-A000000\nname: ACME\ncreated: yesterday\n";
        let err = parse::<Customer>(Path::new("c.yaml"), bad).unwrap_err();
        assert!(err.to_string().starts_with("c.yaml:3:"), "{err}");
    }
}
