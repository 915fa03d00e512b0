//! A fast reader for the text presales itself writes: canonical YAML ([`super::yaml`]),
//! deserialized line by line (a serde deserializer over the lines, no tree in between).
//!
//! It reads only the subset the canonical writer produces — a header of comment lines, then
//! block mappings whose keys are plain words, sequences written compactly under their key
//! (`key:` then `- item` at the key's indentation), one-line scalars ([`scalar`]) and
//! literal blocks (`|`, `|-`) — and gives up (`None`) on anything else, and on any plain
//! scalar it is not sure how YAML types ([`typed`]). Its reading is never trusted alone: a
//! caller keeps a record it read only when the record's canonical text is exactly the
//! file's text, and the YAML parser reads a record's canonical text back as that record
//! (the round trip every write relies on), so what this reader returns and the caller
//! keeps is what the parser would have read.

use std::iter::Peekable;
use std::str::SplitInclusive;

use serde::de::value::{BorrowedStrDeserializer, Error};
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
use serde_json::Value as Json;

use super::last_key::{block, plain_key, scalar, typed, unbroken};

type Lines<'t> = Peekable<SplitInclusive<'t, char>>;

/// The record in `text`, when the text is in the subset this reader knows and every scalar
/// in it is surely typed ([`typed`]); `None` otherwise (parse it with the YAML parser).
pub fn read<T: DeserializeOwned>(text: &str) -> Option<T> {
    let mut lines = text.split_inclusive('\n').peekable();
    while lines.next_if(|l| l.starts_with('#')).is_some() {}
    let value = T::deserialize(Node {
        lines: &mut lines,
        indent: 0,
        inline: Inline::Map(None),
    })
    .ok()?;
    lines.peek().is_none().then_some(value)
}

/// The number of spaces a line starts with.
fn indent_of(line: &str) -> usize {
    line.bytes().take_while(|&b| b == b' ').count()
}

fn unsure<T>() -> Result<T, Error> {
    Err(de::Error::custom("outside the canonical subset"))
}

/// The next line without its line break, not taken; `Ok(None)` at the end of the text.
fn peek<'t>(lines: &mut Lines<'t>) -> Result<Option<&'t str>, Error> {
    match lines.peek() {
        None => Ok(None),
        Some(&line) => unbroken(line).map_or_else(unsure, |l| Ok(Some(l))),
    }
}

/// What a value's own line holds.
#[derive(Clone, Copy)]
enum Inline<'t> {
    /// The text after `key: ` or `- `.
    Text(&'t str),
    /// Nothing after `key:`: a sequence at the key's indentation or a mapping below it.
    Nested,
    /// A mapping whose keys start at the node's indentation; the first one, when given,
    /// was on the line of its sequence item (`- key: value`).
    Map(Option<(&'t str, &'t str)>),
}

/// One value: its lines are read as it is deserialized.
struct Node<'a, 't> {
    lines: &'a mut Lines<'t>,
    /// The indentation of the key (or dash) the value belongs to; a mapping's keys.
    indent: usize,
    inline: Inline<'t>,
}

impl<'de, 't: 'de> de::Deserializer<'de> for Node<'_, 't> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let Node {
            lines,
            indent,
            inline,
        } = self;
        match inline {
            Inline::Map(first) => visitor.visit_map(MapAccess {
                lines,
                indent,
                first,
                after: "",
                seen: Vec::new(),
            }),
            Inline::Nested => {
                let Some(next) = peek(lines)? else {
                    return unsure();
                };
                let at = indent_of(next);
                if at == indent && next[at..].starts_with("- ") {
                    visitor.visit_seq(SeqAccess { lines, indent })
                } else if at == indent + 2 {
                    visitor.visit_map(MapAccess {
                        lines,
                        indent: indent + 2,
                        first: None,
                        after: "",
                        seen: Vec::new(),
                    })
                } else {
                    unsure()
                }
            }
            Inline::Text(text) => match text {
                "|" | "|-" => match block(lines, indent + 2, text == "|") {
                    Some(content) => visitor.visit_string(content),
                    None => unsure(),
                },
                "[]" => visitor.visit_seq(de::value::SeqDeserializer::<_, Error>::new(
                    std::iter::empty::<()>(),
                )),
                "{}" => visitor.visit_map(de::value::MapDeserializer::<_, Error>::new(
                    std::iter::empty::<((), ())>(),
                )),
                one_line => match scalar(one_line).as_ref().and_then(typed) {
                    Some(Json::String(s)) => visitor.visit_string(s),
                    Some(Json::Bool(b)) => visitor.visit_bool(b),
                    Some(Json::Null) => visitor.visit_unit(),
                    Some(Json::Number(n)) => match n.as_i64() {
                        Some(i) if i >= 0 => visitor.visit_u64(i as u64),
                        Some(i) => visitor.visit_i64(i),
                        None => unsure(),
                    },
                    _ => unsure(),
                },
            },
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.inline {
            Inline::Text("null") => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        // Unit variants, written as a word; anything else is the parser's.
        match self.inline {
            Inline::Text(one_line) => match scalar(one_line).as_ref().and_then(typed) {
                Some(Json::String(s)) => visitor.visit_enum(s.into_deserializer()),
                _ => unsure(),
            },
            _ => unsure(),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// The keys of a block mapping at `indent`, read as they are asked for; it ends at a line
/// indented less, or at a sequence item at the same indentation (its parent's).
struct MapAccess<'a, 't> {
    lines: &'a mut Lines<'t>,
    indent: usize,
    first: Option<(&'t str, &'t str)>,
    /// The rest of the line of the key just read.
    after: &'t str,
    /// The keys read so far: a key twice is the parser's to judge.
    seen: Vec<&'t str>,
}

impl<'de, 't: 'de> de::MapAccess<'de> for MapAccess<'_, 't> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let (key, after) = match self.first.take() {
            Some(first) => first,
            None => {
                let Some(line) = peek(self.lines)? else {
                    return Ok(None);
                };
                let at = indent_of(line);
                if at < self.indent || line[at..].starts_with('-') {
                    return Ok(None);
                }
                if at > self.indent {
                    return unsure();
                }
                self.lines.next();
                let Some(pair) = line[at..].split_once(':') else {
                    return unsure();
                };
                pair
            }
        };
        if !plain_key(key) || self.seen.contains(&key) {
            return unsure();
        }
        self.seen.push(key);
        self.after = after;
        seed.deserialize(BorrowedStrDeserializer::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let inline = match self.after {
            "" => Inline::Nested,
            after => match after.strip_prefix(' ') {
                Some(text) => Inline::Text(text),
                None => return unsure(),
            },
        };
        seed.deserialize(Node {
            lines: self.lines,
            indent: self.indent,
            inline,
        })
    }
}

/// The items (`- `) of a block sequence at `indent`: scalars, literal blocks, or mappings
/// whose first key follows the dash and whose other keys line up with it.
struct SeqAccess<'a, 't> {
    lines: &'a mut Lines<'t>,
    indent: usize,
}

impl<'de, 't: 'de> de::SeqAccess<'de> for SeqAccess<'_, 't> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(line) = peek(self.lines)? else {
            return Ok(None);
        };
        if indent_of(line) != self.indent {
            return Ok(None);
        }
        let Some(item) = line[self.indent..].strip_prefix("- ") else {
            return Ok(None);
        };
        self.lines.next();
        let first_key = item
            .split_once(':')
            .filter(|(k, after)| plain_key(k) && (after.is_empty() || after.starts_with(' ')));
        let inline = match first_key {
            Some(first) => Inline::Map(Some(first)),
            None => Inline::Text(item),
        };
        seed.deserialize(Node {
            lines: self.lines,
            indent: self.indent + 2,
            inline,
        })
        .map(Some)
    }
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
