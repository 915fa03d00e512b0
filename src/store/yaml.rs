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
pub fn to_canonical<T: Serialize + ?Sized>(record: &T) -> std::result::Result<String, String> {
    let mut text =
        serde_saphyr::to_string_with_options(&record, options()).map_err(|e| e.to_string())?;
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
pub fn record_text<T: crate::model::Record>(record: &T) -> std::result::Result<String, String> {
    Ok(crate::schema::header(T::KIND) + &to_canonical(record)?)
}

/// Parses a record, mapping errors to `path:line:col: message` with a hint.
pub fn parse<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T> {
    serde_saphyr::from_str::<T>(text).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line().max(1), l.column().max(1)))
            .unwrap_or((1, 1));
        Error::Parse {
            path: path.to_path_buf(),
            line,
            column,
            message: first_line(&e.without_snippet().to_string()),
            hint: Some(format!(
                "fix the file by hand (or `git checkout -- {}` to undo), then run `presales check`",
                path.display()
            )),
        }
    })
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
