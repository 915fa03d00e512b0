//! The append-only history entry that every record carries.

use serde::{Deserialize, Serialize};

use super::{Extra, Timestamp};

/// One change a command made: who, when, what. Entries are appended, never rewritten.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HistoryEntry {
    pub at: Timestamp,
    pub by: String,
    pub action: String,
    /// The operation this entry belongs to: every entry one command writes, in every record,
    /// carries the same id (store format 2 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The keys of a history entry that are fields of [`HistoryEntry`], not extras.
pub const NAMED: [&str; 7] = ["at", "by", "action", "op", "from", "to", "note"];

/// The keys every history entry must have (the fields of [`HistoryEntry`] without a default).
pub const REQUIRED: [&str; 3] = ["at", "by", "action"];

/// Whether a history entry, given as the YAML parser read it (each key with its scalar
/// value: text and whether written plain; `None` for a nested value), surely reads as a
/// [`HistoryEntry`]: every required key present, every named key a text (a plain scalar
/// YAML might read as a null, a boolean or a number does not count), `at` a time with its
/// offset. Extra keys may hold anything. `false` means "not sure", never "broken": the
/// caller then reads the entry through serde, which says what is wrong.
pub fn surely_reads<'a>(
    fields: impl IntoIterator<Item = (&'a str, Option<(&'a str, bool)>)>,
) -> bool {
    let mut required = 0;
    for (key, value) in fields {
        if !NAMED.contains(&key) {
            continue;
        }
        let Some((text, plain)) = value else {
            return false;
        };
        if key == "at" {
            if text.parse::<Timestamp>().is_err() {
                return false;
            }
        } else if plain && !plain_text(text) {
            return false;
        }
        if REQUIRED.contains(&key) {
            required += 1;
        }
    }
    required == REQUIRED.len()
}

/// Whether a plain scalar is a word YAML (1.1 or 1.2) may read as a null or a boolean, in
/// any case: `null`, `true`, `false`, `yes`, `no`, `on`, `off`, `y`, `n`.
pub(crate) fn null_or_boolean_word(text: &str) -> bool {
    const WORDS: [&str; 9] = ["null", "true", "false", "yes", "no", "on", "off", "y", "n"];
    WORDS.iter().any(|w| w.eq_ignore_ascii_case(text))
}

/// A plain scalar that YAML surely reads as a text: not empty, not starting with `~` or
/// `.` (`.5`, `.inf`), not a word YAML (1.1 or 1.2) reads as a null or a boolean, and — when
/// it starts like a number, with a digit or a sign — neither a radix prefix (`0x`, `0o`,
/// `0b`) after the sign nor made only of the characters of decimal numbers, times and
/// dates (`0KPMVN8Y0F` and `6A77BBED` are texts; `12`, `-1`, `-.inf`, `0x1F`, `1e3`,
/// `1_000`, `1:20`, `2019-01-02` are not). Anything starting with another letter is a text
/// (`E3C7B1E441`, `won`).
pub(crate) fn plain_text(text: &str) -> bool {
    const NUMERIC: &str = "0123456789+-._:eE";
    if text.is_empty() || text.starts_with(['~', '.']) {
        return false;
    }
    if null_or_boolean_word(text) {
        return false;
    }
    let after_sign = text.strip_prefix(['+', '-']);
    if after_sign.is_some_and(|rest| rest.starts_with('.')) {
        return false;
    }
    let number_like = after_sign.is_some() || text.starts_with(|c: char| c.is_ascii_digit());
    let unsigned = after_sign.unwrap_or(text).as_bytes();
    let radix = unsigned.len() > 1 && unsigned[0] == b'0' && b"xXoObB".contains(&unsigned[1]);
    !number_like || !radix && text.chars().any(|c| !NUMERIC.contains(c))
}

impl HistoryEntry {
    pub fn new(at: Timestamp, by: &str, action: &str) -> HistoryEntry {
        HistoryEntry {
            at,
            by: by.to_string(),
            action: action.to_string(),
            op: None,
            from: None,
            to: None,
            note: None,
            extra: Extra::new(),
        }
    }

    pub fn from_to(mut self, from: impl Into<String>, to: impl Into<String>) -> Self {
        self.from = Some(from.into());
        self.to = Some(to.into());
        self
    }

    pub fn to(mut self, to: impl Into<String>) -> Self {
        self.to = Some(to.into());
        self
    }

    pub fn op(mut self, op: impl Into<String>) -> Self {
        self.op = Some(op.into());
        self
    }

    pub fn note(mut self, note: Option<impl Into<String>>) -> Self {
        self.note = note.map(Into::into);
        self
    }

    /// Adds an extra key. The named fields (`at`, `by`, `action`, `from`, `to`, `note`) have
    /// their own setters: an extra under one of those names would read back as the field.
    pub fn with(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        debug_assert!(
            !NAMED.contains(&key),
            "`{key}` is a named field of a history entry"
        );
        self.extra.insert(key.to_string(), value.into());
        self
    }
}

#[cfg(test)]
mod surely_reads_tests {
    use super::*;

    fn reads(fields: &[(&str, Option<(&str, bool)>)]) -> bool {
        surely_reads(fields.iter().copied())
    }

    const AT: Option<(&str, bool)> = Some(("2026-11-27T10:00:00+08:00", false));

    #[test]
    fn an_entry_surely_reads_only_with_every_required_field_as_text() {
        let by = Some(("li.na", true));
        let act = Some(("advance", true));
        assert!(reads(&[("at", AT), ("by", by), ("action", act)]));
        // Extras may hold anything, even nested values.
        assert!(reads(&[
            ("at", AT),
            ("by", by),
            ("action", act),
            ("x", None)
        ]));
        assert!(reads(&[
            ("at", AT),
            ("by", by),
            ("action", act),
            ("to", Some(("7", false)))
        ]));
        // A required field missing (a file cut short), nested, or a time without a zone.
        assert!(!reads(&[("at", AT), ("by", by)]));
        assert!(!reads(&[("at", AT), ("by", None), ("action", act)]));
        assert!(!reads(&[
            ("at", Some(("2026-11-27T10:00:00", false))),
            ("by", by),
            ("action", act)
        ]));
        assert!(!reads(&[
            ("at", Some(("yesterday", true))),
            ("by", by),
            ("action", act)
        ]));
        // Plain scalars YAML may read as something else than a text.
        for word in [
            "~",
            "",
            "null",
            "true",
            "False",
            "NO",
            "on",
            "12",
            "-1",
            ".5",
            ".inf",
            "-.inf",
            "+.NaN",
            "0x1F",
            "1e3",
            "2019-01-02",
            "+1_000",
            "1:20",
        ] {
            assert!(
                !reads(&[("at", AT), ("by", Some((word, true))), ("action", act)]),
                "{word}"
            );
            assert!(
                reads(&[("at", AT), ("by", Some((word, false))), ("action", act)]),
                "{word}"
            );
        }
    }

    /// The required keys are exactly the fields serde requires (no default).
    #[test]
    fn required_keys_are_the_fields_without_a_default() {
        let schema = schemars::schema_for!(HistoryEntry);
        let required: Vec<&str> = schema
            .get("required")
            .and_then(|r| r.as_array())
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        assert_eq!(required, REQUIRED);
    }
}
