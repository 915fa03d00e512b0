//! A fast reader for the text presales itself writes: canonical YAML ([`super::yaml`]),
//! read line by line into a JSON value and deserialized from that.
//!
//! It reads only the subset the canonical writer produces — a header of comment lines, then
//! block mappings whose keys are plain words, sequences written compactly under their key
//! (`key:` then `- item` at the key's indentation), one-line scalars ([`scalar`]) and
//! literal blocks (`|`, `|-`) — and gives up (`None`) on anything else. Its reading is
//! never trusted alone: a caller keeps a record it read only when the record's canonical
//! text is exactly the file's text, and the YAML parser reads a record's canonical text
//! back as that record (the round trip every write relies on), so what this reader returns
//! and the caller keeps is what the parser would have read.

use std::iter::Peekable;
use std::str::SplitInclusive;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value as Json};

use super::last_key::{block, plain_key, scalar, typed, unbroken};

type Lines<'t> = Peekable<SplitInclusive<'t, char>>;

/// The record in `text`, when the text is in the subset this reader knows and every scalar
/// in it is surely typed ([`typed`]); `None` otherwise (parse it with the YAML parser).
pub fn read<T: DeserializeOwned>(text: &str) -> Option<T> {
    let mut lines = text.split_inclusive('\n').peekable();
    while lines.next_if(|l| l.starts_with('#')).is_some() {}
    let map = mapping(&mut lines, 0)?;
    if lines.peek().is_some() {
        return None;
    }
    serde_json::from_value(Json::Object(map)).ok()
}

/// The number of spaces a line starts with.
fn indent_of(line: &str) -> usize {
    line.bytes().take_while(|&b| b == b' ').count()
}

/// A block mapping whose keys start at `indent`: it ends at a line indented less, or at a
/// sequence item at the same indentation (the caller's).
fn mapping(lines: &mut Lines<'_>, indent: usize) -> Option<Map<String, Json>> {
    let mut map = Map::new();
    while let Some(&line) = lines.peek() {
        let line = unbroken(line)?;
        let at = indent_of(line);
        if at < indent || line[at..].starts_with('-') {
            break;
        }
        if at > indent {
            return None;
        }
        lines.next();
        let (key, after) = line[at..].split_once(':')?;
        if !plain_key(key) {
            return None;
        }
        let value = value(lines, indent, after)?;
        if map.insert(key.to_string(), value).is_some() {
            return None;
        }
    }
    Some(map)
}

/// The value of a key at `indent`, `after` being the rest of its line after the colon.
fn value(lines: &mut Lines<'_>, indent: usize, after: &str) -> Option<Json> {
    if after.is_empty() {
        let next = unbroken(lines.peek()?)?;
        let at = indent_of(next);
        return if at == indent && next[at..].starts_with("- ") {
            sequence(lines, indent)
        } else if at == indent + 2 {
            mapping(lines, indent + 2).map(Json::Object)
        } else {
            None
        };
    }
    match after.strip_prefix(' ')? {
        "|" => block(lines, indent + 2, true).map(Json::String),
        "|-" => block(lines, indent + 2, false).map(Json::String),
        "[]" => Some(Json::Array(Vec::new())),
        "{}" => Some(Json::Object(Map::new())),
        one_line => typed(&scalar(one_line)?),
    }
}

/// A block sequence whose items (`- `) start at `indent`: scalars, literal blocks, or
/// mappings whose first key follows the dash and whose other keys line up with it.
fn sequence(lines: &mut Lines<'_>, indent: usize) -> Option<Json> {
    let mut items = Vec::new();
    while let Some(&line) = lines.peek() {
        let line = unbroken(line)?;
        if indent_of(line) != indent {
            break;
        }
        let Some(item) = line[indent..].strip_prefix("- ") else {
            break;
        };
        lines.next();
        let inner = indent + 2;
        let first_key = item
            .split_once(':')
            .filter(|(k, after)| plain_key(k) && (after.is_empty() || after.starts_with(' ')));
        let value = match first_key {
            Some((key, after)) => {
                let mut map = Map::new();
                map.insert(key.to_string(), value(lines, inner, after)?);
                for (k, v) in mapping(lines, inner)? {
                    if map.insert(k, v).is_some() {
                        return None;
                    }
                }
                Json::Object(map)
            }
            None => match item {
                "|" => Json::String(block(lines, inner, true)?),
                "|-" => Json::String(block(lines, inner, false)?),
                one_line => typed(&scalar(one_line)?)?,
            },
        };
        items.push(value);
    }
    Some(Json::Array(items))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subset_reads_as_json() {
        let text = "# header\nid: X\nnum: 3\nok: true\nlist:\n- a\n- \"b c\"\nmap:\n  k: v\n  \
                    deep:\n    d: 1\nitems:\n- id: 1\n  tags:\n  - x\n  note: |-\n    one\n\n    \
                    two\n- id: 2\nempty: []\ntext: |\n  t\n";
        let read: Json = read(text).unwrap();
        assert_eq!(
            read,
            serde_json::json!({
                "id": "X", "num": 3, "ok": true, "list": ["a", "b c"],
                "map": {"k": "v", "deep": {"d": 1}},
                "items": [{"id": 1, "tags": ["x"], "note": "one\n\ntwo"}, {"id": 2}],
                "empty": [], "text": "t\n",
            })
        );
        // And as the YAML parser reads it.
        let parsed: Json = serde_saphyr::from_str(text).unwrap();
        assert_eq!(read, parsed);
    }

    #[test]
    fn anything_else_is_left_to_the_parser() {
        for text in [
            "a: 1\n  b: 2\n",
            "a:\n",
            "a: 1\na: 2\n",
            "a: x # c\n",
            "a: [1, 2]\n",
            "a: &x 1\n",
            "a: yes\n",
            "a: 1.5\n",
            "a: \"x\\ty\"\n",
            "- a\n",
            "a:\n- b\n - c\n",
            "a:\n   b: 1\n",
            "a: |+\n  x\n",
            "a: 1",
            "a:\n- x: 1\n  x: 2\n",
            "A b: 1\n",
            "n: 1\n",
        ] {
            assert_eq!(read::<Json>(text), None, "{text:?}");
        }
    }
}
