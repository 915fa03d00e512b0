//! A record's last key (its history) read for soundness without building it, so that a
//! summary can be parsed from the text before it.
//!
//! Two readers of the same thing, each `None` when it cannot tell: a line reader for the
//! small subset of YAML that canonical files use (one pass over the bytes), and the YAML
//! parser itself (serde-saphyr's own, event by event) for everything else. A property test
//! checks that whatever the line reader accepts, the parser reads the same way.

use std::borrow::Cow;

use serde_json::Value as Json;
use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle, StructureStyle};

/// A scalar value as YAML reads it: its text, and whether it was written plain (unquoted,
/// so subject to YAML's reading of nulls, booleans and numbers).
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar<'t> {
    pub text: Cow<'t, str>,
    pub plain: bool,
}

/// A value of an entry's key as YAML reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'t> {
    Scalar(Scalar<'t>),
    /// A block sequence of scalars (a `create` entry's `skills`).
    List(Vec<Scalar<'t>>),
    /// Any other nested value, as JSON when every scalar in it is surely typed ([`typed`]).
    Nested(Option<Json>),
}

impl<'t> Value<'t> {
    pub fn scalar(&self) -> Option<&Scalar<'t>> {
        match self {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }
}

/// One item of a block sequence of mappings: each key with its value.
pub type Entry<'t> = [(Cow<'t, str>, Value<'t>)];

/// An entry's keys and values as plain pairs: the value's text and whether it was written
/// plain, `None` for a nested value (a list too).
pub fn fields<'a>(
    entry: &'a Entry<'_>,
) -> impl Iterator<Item = (&'a str, Option<(&'a str, bool)>)> {
    entry.iter().map(|(k, v)| {
        let scalar = v.scalar().map(|v| (v.text.as_ref(), v.plain));
        (k.as_ref(), scalar)
    })
}

/// A whole history entry built from an entry as the YAML parser read it, when serde would
/// surely read the same: [`surely_reads`], and every scalar of the extra keys surely typed
/// ([`typed`]), however nested. `None` when unsure: the caller then parses the whole record.
///
/// [`surely_reads`]: crate::model::history::surely_reads
pub fn history_entry(entry: &Entry<'_>) -> Option<crate::model::HistoryEntry> {
    if !crate::model::history::surely_reads(fields(entry)) {
        return None;
    }
    let mut out = crate::model::HistoryEntry::new(Default::default(), "", "");
    for (key, value) in entry {
        let text = || value.scalar().map(|s| s.text.to_string());
        match key.as_ref() {
            "at" => out.at = value.scalar()?.text.parse().ok()?,
            "by" => out.by = text()?,
            "action" => out.action = text()?,
            "op" => out.op = Some(text()?),
            "from" => out.from = Some(text()?),
            "to" => out.to = Some(text()?),
            "note" => out.note = Some(text()?),
            _ => {
                let value = match value {
                    Value::Scalar(s) => typed(s)?,
                    Value::List(items) => items.iter().map(typed).collect::<Option<_>>()?,
                    Value::Nested(json) => json.clone()?,
                };
                out.extra.insert(key.to_string(), value);
            }
        }
    }
    Some(out)
}

/// A plain scalar written as YAML writes an integer: `0`, or digits not starting with `0`,
/// with an optional `-`, within 64 bits.
fn decimal(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let canonical = digits == "0" || (!digits.starts_with('0') && !digits.is_empty());
    (canonical && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// The text before a record's last key `key` — a line `key:` at the margin followed by a
/// block sequence of mappings and nothing else — when that sequence is well-formed YAML and
/// `entry_ok` accepts every item (given with its number, from 0; a caller collecting items
/// keeps the first `number` it has before adding one, as a second reading may follow); `None` otherwise (parse the whole record instead, which
/// reports what is wrong). The caller parses the head alone and skips the costly part:
/// building a typed value for every item. The items are still read, so a file cut short, a
/// tab or a bad indent is never skipped, and anything unusual (anchors, tags, flow style,
/// comments, another key after it, the key twice) takes the whole-record path.
pub fn head_before_last<'t>(
    text: &'t str,
    key: &str,
    mut entry_ok: impl FnMut(usize, &Entry<'_>) -> bool,
) -> Option<&'t str> {
    // The first line that starts with the key must be the `key:` line itself.
    let cut = if text.starts_with(key) {
        0
    } else {
        text.find(&format!("\n{key}"))? + 1
    };
    let tail = &text[cut..];
    let after = tail.strip_prefix(key)?;
    let body = after
        .strip_prefix(":\n")
        .or_else(|| after.strip_prefix(":\r\n"))?;
    // Nor may the head spell the key another way (quoted, or as an explicit `?` key).
    let head = &text[..cut];
    if head.contains(&format!("{key}\""))
        || head.contains(&format!("{key}'"))
        || head.starts_with('?')
        || head.contains("\n?")
    {
        return None;
    }
    // Entries are numbered from 0; when the line reader gives up part way, the parser
    // starts again from entry 0.
    let n = std::cell::Cell::new(0);
    let mut ok = |e: &Entry<'_>| {
        let i = n.get();
        n.set(i + 1);
        entry_ok(i, e)
    };
    let read = by_lines(body, &mut ok).or_else(|| {
        n.set(0);
        by_events(tail, key, &mut ok)
    });
    (read == Some(true)).then_some(head)
}

/// The entries of `key:` and its value (`tail`) as the YAML parser reads them: `Some(true)`
/// when every entry was read and accepted, `Some(false)` when `f` refused one, `None` when
/// the text does not parse or is not exactly a one-key mapping of a block sequence of block
/// mappings without anchors, aliases or tags, whose values are scalars (none of the floats
/// serde-saphyr refuses) or lists of them.
pub(crate) fn by_events(
    tail: &str,
    key: &str,
    f: &mut dyn FnMut(&Entry<'_>) -> bool,
) -> Option<bool> {
    let mut events = Parser::new_from_str(tail).map(|e| e.ok().map(|(ev, _)| ev));
    let mut next = move || events.next().flatten();
    let plain_start = |ev: &Option<Event>| match ev {
        Some(Event::StreamStart) => true,
        Some(Event::DocumentStart(explicit, _)) => !explicit,
        _ => false,
    };
    if !plain_start(&next()) || !plain_start(&next()) {
        return None;
    }
    match next()? {
        Event::MappingStart(StructureStyle::Block, 0, None) => {}
        _ => return None,
    }
    match next()? {
        Event::Scalar(k, ScalarStyle::Plain, 0, None) if k == key => {}
        _ => return None,
    }
    match next()? {
        Event::SequenceStart(StructureStyle::Block, 0, None) => {}
        _ => return None,
    }
    let mut entry: Vec<(Cow<str>, Value)> = Vec::new();
    let mut accepted = true;
    loop {
        match next()? {
            Event::SequenceEnd => break,
            Event::MappingStart(StructureStyle::Block, 0, None) => {}
            _ => return None,
        }
        entry.clear();
        loop {
            let k = match next()? {
                Event::MappingEnd => break,
                Event::Scalar(k, ScalarStyle::Plain, 0, None) if plain_key(&k) => k,
                _ => return None,
            };
            if entry.iter().any(|(seen, _)| *seen == k) {
                return None;
            }
            let value = match next()? {
                Event::Scalar(text, style, 0, None) => {
                    let plain = style == ScalarStyle::Plain;
                    if plain && !any_value(&text) {
                        return None;
                    }
                    Value::Scalar(Scalar { text, plain })
                }
                start @ (Event::SequenceStart(_, 0, None) | Event::MappingStart(_, 0, None)) => {
                    nested(start, &mut next)?
                }
                _ => return None,
            };
            entry.push((k, value));
        }
        accepted = accepted && f(&entry);
    }
    match (next()?, next()?, next()?) {
        (Event::MappingEnd, Event::DocumentEnd, Event::StreamEnd) => Some(accepted),
        _ => None,
    }
}

/// How deep a nested value this reader follows (an edit's `fields` go three deep); deeper
/// ones are left to the parser, whose limits on nesting then apply.
const MAX_DEPTH: usize = 32;

/// One open collection inside an entry's value.
enum Open<'t> {
    List,
    /// A mapping: the keys read so far, and whether a key comes next.
    Map(Vec<Cow<'t, str>>, bool),
}

/// Reads a nested value that began with `start` to its end, without recursion (however
/// deep it is): a [`Value::List`] when it is a sequence of scalars, else a
/// [`Value::Nested`] with the value as JSON when every scalar in it is surely typed
/// ([`typed`]); `None` for anchors, aliases, tags, a float serde-saphyr refuses, or a key
/// that is not a plain word or that repeats in its mapping (the parser decides those).
fn nested<'t>(start: Event<'t>, next: &mut impl FnMut() -> Option<Event<'t>>) -> Option<Value<'t>> {
    let open = |ev: &Event<'t>| match ev {
        Event::SequenceStart(_, 0, None) => Some(Open::List),
        Event::MappingStart(_, 0, None) => Some(Open::Map(Vec::new(), true)),
        _ => None,
    };
    let empty = |o: &Open<'t>| match o {
        Open::List => Json::Array(Vec::new()),
        Open::Map(..) => Json::Object(serde_json::Map::new()),
    };
    // A value ended: it goes into the collection open around it (under the mapping's last
    // key, which then expects a key again).
    let put = |stack: &mut Vec<Open<'t>>, trees: &mut Vec<Json>, value: Json| match (
        stack.last_mut(),
        trees.last_mut(),
    ) {
        (Some(Open::Map(keys, want_key)), Some(Json::Object(map))) => {
            *want_key = true;
            let key = keys.last().map_or(String::new(), |k| k.to_string());
            map.insert(key, value);
        }
        (_, Some(Json::Array(list))) => list.push(value),
        _ => {}
    };
    let mut stack = vec![open(&start)?];
    let mut trees = vec![empty(&stack[0])];
    let mut sure = true;
    // The scalars of a list, while it holds nothing else.
    let mut items = matches!(stack[0], Open::List).then(Vec::new);
    loop {
        let depth = stack.len();
        let Some(top) = stack.last_mut() else { break };
        let ev = next()?;
        let closes = matches!(
            (&ev, &*top),
            (Event::MappingEnd, Open::Map(_, true)) | (Event::SequenceEnd, Open::List)
        );
        if closes {
            stack.pop();
            let tree = trees.pop()?;
            if stack.is_empty() {
                trees.push(tree);
                break;
            }
            put(&mut stack, &mut trees, tree);
            continue;
        }
        if let Open::Map(keys, want_key @ true) = top {
            match ev {
                Event::Scalar(k, ScalarStyle::Plain, 0, None)
                    if plain_key(&k) && !keys.contains(&k) =>
                {
                    keys.push(k);
                    *want_key = false;
                }
                _ => return None,
            }
            continue;
        }
        match ev {
            Event::Scalar(text, style, 0, None) => {
                let scalar = Scalar {
                    text,
                    plain: style == ScalarStyle::Plain,
                };
                if scalar.plain && !any_value(&scalar.text) {
                    return None;
                }
                let value = typed(&scalar);
                sure = sure && value.is_some();
                put(&mut stack, &mut trees, value.unwrap_or_default());
                match &mut items {
                    Some(items) if depth == 1 => items.push(scalar),
                    _ => {}
                }
            }
            // Deeper than anything presales writes: the parser's own limits decide.
            _ if stack.len() >= MAX_DEPTH => return None,
            ev => {
                items = None;
                let o = open(&ev)?;
                trees.push(empty(&o));
                stack.push(o);
            }
        }
    }
    Some(match items {
        Some(items) => Value::List(items),
        None => Value::Nested(sure.then(|| trees.pop()).flatten()),
    })
}

/// A scalar as serde reads it into a value of any type, when that is sure: a text (quoted,
/// a block, or a plain scalar that is surely a text), a plain decimal integer (`0`, `12`,
/// `-3`), `true`, `false` or `null`; `None` for any other plain scalar.
pub(crate) fn typed(s: &Scalar<'_>) -> Option<Json> {
    match s.text.as_ref() {
        _ if !s.plain || crate::model::history::plain_text(&s.text) => {
            Some(s.text.to_string().into())
        }
        "true" => Some(Json::Bool(true)),
        "false" => Some(Json::Bool(false)),
        "null" => Some(Json::Null),
        text => decimal(text).map(Json::from),
    }
}

/// A mapping key YAML reads as this very text and nothing else: a plain word of ASCII
/// letters, digits and `_`, starting with a letter or `_`, and not one YAML reads as a null
/// or a boolean (`no`, `on`, `y`…), so that two keys are the same exactly when their texts
/// are (the parser also counts `1` and `0x1` as one key).
pub(crate) fn plain_key(k: &str) -> bool {
    k.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !crate::model::history::null_or_boolean_word(k)
}

/// The entries of a last key's value (`body`, the lines after `key:`) when every line is in
/// the subset canonical files use; `None` for any other line, so the YAML parser decides.
///
/// The subset: entries `- key: value` continued by `  key: value` lines; keys of lowercase
/// ASCII letters, digits and `_`; a value double-quoted without escapes, single-quoted
/// without inner quotes, plain (no indicator first, no `: ` or ` #` inside, no `:` or space
/// last), a literal block (`|` or `|-`, content lines indented four spaces), or nothing
/// followed by `  - value` items; no tabs, control characters, comments or blank lines
/// outside a block; a line break (LF or CRLF) at the end of every line.
pub(crate) fn by_lines(body: &str, f: &mut dyn FnMut(&Entry<'_>) -> bool) -> Option<bool> {
    let mut entry: Vec<(Cow<str>, Value)> = Vec::new();
    let mut accepted = true;
    let mut lines = body.split_inclusive('\n').peekable();
    lines.peek()?;
    while let Some(line) = lines.next() {
        let line = unbroken(line)?;
        let pair = if let Some(pair) = line.strip_prefix("- ") {
            if !entry.is_empty() {
                accepted = accepted && f(&entry);
                entry.clear();
            }
            pair
        } else if let Some(pair) = line.strip_prefix("  ") {
            if entry.is_empty() {
                return None;
            }
            pair
        } else {
            return None;
        };
        let (k, rest) = pair.split_once(':')?;
        let key_ok = plain_key(k) && !k.bytes().any(|b| b.is_ascii_uppercase());
        if !key_ok || entry.iter().any(|(seen, _)| seen == k) {
            return None;
        }
        let value = if rest.is_empty() {
            // A nested list of scalars, one `  - value` line each.
            let mut items = Vec::new();
            while let Some(item) = lines.peek().and_then(|l| l.strip_prefix("  - ")) {
                items.push(scalar(unbroken(item)?)?);
                lines.next();
            }
            if items.is_empty() {
                return None;
            }
            Value::List(items)
        } else {
            let value = rest.strip_prefix(' ')?;
            if value == "|" || value == "|-" {
                Value::Scalar(Scalar {
                    text: Cow::Owned(block(&mut lines, 4, value == "|")?),
                    plain: false,
                })
            } else {
                Value::Scalar(scalar(value)?)
            }
        };
        entry.push((Cow::Borrowed(k), value));
    }
    if entry.is_empty() {
        return None;
    }
    Some(accepted && f(&entry))
}

/// A line without its line break (LF, or CRLF as a Windows checkout writes it); `None`
/// for a last line without one.
pub(crate) fn unbroken(line: &str) -> Option<&str> {
    let line = line.strip_suffix('\n')?;
    Some(line.strip_suffix('\r').unwrap_or(line))
}

/// A one-line scalar in the subset [`by_lines`] reads, with its text.
pub(crate) fn scalar(value: &str) -> Option<Scalar<'_>> {
    let printable = |s: &str| s.chars().all(|c| !c.is_control() && !odd(c));
    let inner = |q: char| {
        value
            .strip_prefix(q)?
            .strip_suffix(q)
            .filter(|i| printable(i))
    };
    let quoted = |text| Some(Scalar { text, plain: false });
    match value.chars().next()? {
        '"' => inner('"')
            .filter(|i| !i.contains(['"', '\\']))
            .and_then(|i| quoted(Cow::Borrowed(i))),
        // A single quote inside is written twice.
        '\'' => match inner('\'')? {
            i if !i.contains('\'') => quoted(Cow::Borrowed(i)),
            i if !i.replace("''", "").contains('\'') => quoted(Cow::Owned(i.replace("''", "'"))),
            _ => None,
        },
        c if "-?:,[]{}#&*!|>%@` ".contains(c) => None,
        _ => {
            let plain = printable(value)
                && any_value(value)
                && !value.contains(": ")
                && !value.contains(" #")
                && !value.ends_with([':', ' ']);
            plain.then_some(Scalar {
                text: Cow::Borrowed(value),
                plain: true,
            })
        }
    }
}

/// The content of a literal block scalar (`|` keeps one final newline, `|-` none): lines
/// indented `indent` spaces, or empty; the first one not empty.
pub(crate) fn block<'t>(
    lines: &mut std::iter::Peekable<impl Iterator<Item = &'t str>>,
    indent: usize,
    clip: bool,
) -> Option<String> {
    let mut content = String::new();
    let mut first = true;
    while let Some(line) = lines.peek() {
        let line = unbroken(line)?;
        let text = if line.is_empty() && !first {
            ""
        } else if let Some(text) = line
            .get(indent..)
            .filter(|_| line.bytes().take(indent).all(|b| b == b' '))
        {
            if first && text.starts_with(' ') || text.is_empty() {
                return None;
            }
            text
        } else {
            break;
        };
        if !text
            .chars()
            .all(|c| c == '\t' || !c.is_control() && !odd(c))
        {
            return None;
        }
        content.push_str(text);
        content.push('\n');
        first = false;
        lines.next();
    }
    if first {
        return None;
    }
    // Trailing empty lines are not content; `|` keeps one newline, `|-` none.
    let kept = content.trim_end_matches('\n').len();
    content.truncate(kept);
    if clip {
        content.push('\n');
    }
    Some(content)
}

/// Whether a plain scalar surely deserializes into any value (a field this version does not
/// know is kept as one): everything but the floats serde-saphyr refuses — `.inf`, `.nan`
/// (with a dot first: `inf` and `NaN` are texts) and numbers too large for a float, which
/// take an exponent or hundreds of digits.
fn any_value(text: &str) -> bool {
    let unsigned = text.trim_start_matches(['+', '-']);
    if unsigned.starts_with('.') && unsigned[1..].starts_with(|c: char| !c.is_ascii_digit()) {
        return false;
    }
    let is_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let float_with_exponent = unsigned.split_once(['e', 'E']).is_some_and(|(m, e)| {
        let m = m.replacen('.', "", 1);
        is_digits(&m) && is_digits(e.trim_start_matches(['+', '-']))
    });
    !float_with_exponent
        && (text.len() <= 300
            || !text.starts_with(|c: char| c.is_ascii_digit() || "+-.".contains(c)))
}

/// Characters this reader leaves to the YAML parser: the byte-order mark, noncharacters, and
/// the line and paragraph separators (line breaks in YAML 1.1).
fn odd(c: char) -> bool {
    matches!(
        c,
        '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}' | '\u{2028}' | '\u{2029}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The head is returned only when the rest is exactly the last key's block sequence of
    /// mappings, each accepted; anything else means "parse the whole record".
    #[test]
    fn head_before_last_key() {
        let all = |_: usize, _: &Entry<'_>| true;
        let good =
            "id: R\nstage: design\nhistory:\n- at: x\n  by: y\n  list: [1, [2, b]]\n\n# note\n";
        assert_eq!(
            head_before_last(good, "history", all),
            Some("id: R\nstage: design\n")
        );
        assert_eq!(
            head_before_last("history:\n- a: 1\n", "history", all),
            Some("")
        );
        // The entries reach the check with their scalars and styles.
        let seen = std::cell::RefCell::new(Vec::new());
        head_before_last(
            "history:\n- at: '1'\n  by: y\n  m: [x, 1]\n",
            "history",
            |_, e: &Entry<'_>| {
                for (k, v) in e {
                    seen.borrow_mut().push((
                        k.to_string(),
                        v.scalar().map(|v| (v.text.to_string(), v.plain)),
                    ));
                }
                true
            },
        );
        assert_eq!(
            seen.into_inner(),
            [
                ("at".to_string(), Some(("1".to_string(), false))),
                ("by".to_string(), Some(("y".to_string(), true))),
                ("m".to_string(), None),
            ]
        );
        let refused = [
            // Another key after it, or the key twice.
            "id: R\nhistory:\n- at: x\nstage: design\n",
            "id: R\nhistory: []\nhistory:\n- at: x\n",
            "id: R\n\"history\": []\nhistory:\n- at: x\n",
            "? history\n: []\nhistory:\n- at: x\n",
            "id: R\n? history\n: []\nhistory:\n- at: x\n",
            "id: R\n'history': []\nhistory:\n- at: x\n",
            // Not the key line itself.
            "id: R\nhistory_x:\n- a: 1\n",
            "id: R\nhistory: []\n",
            "id: R\n",
            // Not a block sequence of block mappings.
            "id: R\nhistory:\n  a: 1\n",
            "id: R\nhistory:\n- 1\n",
            "id: R\nhistory:\n- {a: 1}\n",
            "id: R\nhistory:\n",
            // Damage the YAML parser sees: a tab, a bad indent, an unclosed quote.
            "id: R\nhistory:\n- at: x\n\tby: y\n",
            "id: R\nhistory:\n- at: x\n   by: y\n",
            "id: R\nhistory:\n- at: \"x\n",
            // Anchors, aliases, tags, a key twice in one entry, a second document.
            "id: R\nhistory:\n- at: &a x\n  by: *a\n",
            "id: R\nhistory:\n- at: !!str x\n",
            "id: R\nhistory:\n- at: x\n  at: y\n",
            "id: R\nhistory:\n- at: x\n---\nid: S\n",
            // Keys the parser alone can compare: repeated in a nested mapping, numbers
            // (`1` and `0x1` are one key), words read as booleans or nulls, quoted.
            "id: R\nhistory:\n- at: x\n  m: {a: 1, a: 2}\n",
            "id: R\nhistory:\n- at: x\n  m:\n    a: 1\n    a: 2\n",
            "id: R\nhistory:\n- at: x\n  m: [{1: a, 0x1: b}]\n",
            "id: R\nhistory:\n- at: x\n  m: {no: 1, false: 2}\n",
            "id: R\nhistory:\n- at: x\n  m: {'a': 1}\n",
            "id: R\nhistory:\n- at: x\n  no: 1\n",
            "id: R\nhistory:\n- at: x\n  1: a\n",
        ];
        for text in refused {
            assert_eq!(head_before_last(text, "history", all), None, "{text}");
        }
        // The line reader gives up at the second entry's comment; the parser reads both
        // entries again from number 0.
        let mut numbers = Vec::new();
        let text = "history:\n- at: x\n- at: y\n  # c\n";
        assert_eq!(
            head_before_last(text, "history", |i, _: &Entry<'_>| {
                numbers.push(i);
                true
            }),
            Some("")
        );
        assert_eq!(numbers, [0, 0, 1]);
        // Nested mappings with distinct word keys are read (an edit records its fields so);
        // nesting deeper than presales writes is left to the parser (and costs no stack).
        let edit = "history:\n- at: x\n  fields:\n    opportunity:\n      old: null\n      new:\n        value: \"780000\"\n        currency: EUR\n";
        assert_eq!(head_before_last(edit, "history", all), Some(""));
        let deep = format!(
            "history:\n- at: x\n  m: {}{}\n",
            "[".repeat(20_000),
            "]".repeat(20_000)
        );
        assert_eq!(head_before_last(&deep, "history", all), None);
        let shallow = format!(
            "history:\n- at: x\n  m: {}{}\n",
            "[".repeat(MAX_DEPTH),
            "]".repeat(MAX_DEPTH)
        );
        assert_eq!(head_before_last(&shallow, "history", all), Some(""));
        // An entry the check refuses.
        assert_eq!(
            head_before_last(good, "history", |_, _: &Entry<'_>| false),
            None
        );
    }

    /// Each key with its scalar, or with its list's scalars after a `[` (`None` for any
    /// other nested value).
    type Owned = Vec<Vec<(String, Option<(String, bool)>)>>;

    fn collect(
        read: impl FnOnce(&mut dyn FnMut(&Entry<'_>) -> bool) -> Option<bool>,
    ) -> Option<Owned> {
        let mut all = Vec::new();
        let done = read(&mut |e: &Entry<'_>| {
            all.push(
                e.iter()
                    .map(|(k, v)| {
                        let owned = |s: &Scalar<'_>| (s.text.to_string(), s.plain);
                        let list = |items: &[Scalar<'_>]| {
                            let items: Vec<_> = items.iter().map(owned).collect();
                            (format!("[{items:?}"), false)
                        };
                        let v = match v {
                            Value::Scalar(s) => Some(owned(s)),
                            Value::List(items) => Some(list(items)),
                            Value::Nested(_) => None,
                        };
                        (k.to_string(), v)
                    })
                    .collect(),
            );
            true
        })?;
        assert!(done);
        Some(all)
    }

    fn lines(body: &str) -> Option<Owned> {
        collect(|f| by_lines(body, f))
    }

    fn events(body: &str) -> Option<Owned> {
        let tail = format!("history:\n{body}");
        collect(|f| by_events(&tail, "history", f))
    }

    /// The plain scalars serde-saphyr refuses as values are never taken as sound.
    #[test]
    fn plain_scalars_that_no_value_reads_are_left_to_the_parser() {
        for v in [
            ".inf",
            "-.inf",
            "+.INF",
            ".nan",
            ".NaN",
            "1e400",
            "-1E400",
            &"9".repeat(400),
        ] {
            assert!(!any_value(v), "{v}");
            let body = format!("- at: x\n  x_1: {v}\n");
            assert_eq!(lines(&body), None, "{v}");
            assert_eq!(events(&body), None, "{v}");
            let nested = format!("- at: x\n  x_1:\n  - {v}\n");
            assert_eq!(events(&nested), None, "{v}");
        }
        for v in [
            "12",
            "-1",
            "1.5",
            "0x1F",
            "1_000",
            "99999999999999999999",
            "won",
            "E3C7B1E441",
            "no",
            "~",
        ] {
            assert!(any_value(v), "{v}");
        }
    }

    #[test]
    fn the_line_reader_reads_canonical_entries_as_the_parser_does() {
        let body = "- at: \"2019-01-01T00:46:13+08:00\"\n  by: sales2\n  action: create\n  to: registered\n- at: \"2019-01-02T01:41:13+08:00\"\n  by: lead\n  action: assign\n  turn: 19937\n  skills:\n  - network\n  - 安全\n  note: |-\n    第一行\n\n      indented: yes # not a comment\n  x: 'it is'\n  w: a#b, [c]\n  z: \"\"\n";
        let read = lines(body).expect("canonical entries are in the subset");
        assert_eq!(read, events(body).unwrap());
        assert_eq!(read.len(), 2);
        let skills = format!(
            "[{:?}",
            [("network", true), ("安全", true)].map(|(t, p)| (t.to_string(), p))
        );
        assert_eq!(read[1][4], ("skills".to_string(), Some((skills, false))));
        assert_eq!(
            read[1][5].1,
            Some((
                "第一行\n\n  indented: yes # not a comment".to_string(),
                false
            ))
        );
        // `|` keeps one final newline.
        let clip = "- note: |\n    a\n\n";
        assert_eq!(lines(clip), events(clip));
        assert_eq!(
            lines(clip).unwrap()[0][0].1,
            Some(("a\n".to_string(), false))
        );
        // Outside the subset: the parser decides.
        for body in [
            "",
            "- at: x\n\n  by: y\n",
            "- at: x\n  # c\n",
            "- at: x",
            "- at: x\ry\n",
            "- at: \"a\\tb\"\n",
            "- at: x # c\n",
            "- at: *a\n",
            "- Key: x\n",
            "  at: x\n",
            "- at: x\n  at: y\n",
            "- at: x\n  n:\n    a: 1\n",
            "- note: |\n      a\n",
            "- note: |+\n    a\n",
            "- at: x\u{2028}y\n",
        ] {
            assert_eq!(lines(body), None, "{body:?}");
        }
    }

    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("eng32".to_string()),
            Just("已答复 / answered".to_string()),
            Just("\"2019-01-01T00:46:13+08:00\"".to_string()),
            Just("2019-01-01T00:46:13+08:00".to_string()),
            Just("'it''s'".to_string()),
            Just("'plain text'".to_string()),
            Just("\"\"".to_string()),
            Just("a#b, [c] {d}".to_string()),
            Just("yes".to_string()),
            Just("~".to_string()),
            Just("19937".to_string()),
            Just("0KPMVN8Y0F".to_string()),
            Just("E3C7B1E441".to_string()),
            Just("6A77BBED".to_string()),
            Just("1_000".to_string()),
            Just("0b101".to_string()),
            Just("0o17".to_string()),
            Just("+0x1F".to_string()),
            Just("0xCAFE".to_string()),
            Just("1:20".to_string()),
            Just("12AB".to_string()),
            Just("no".to_string()),
            Just("a:b".to_string()),
            Just("|-\n    line one\n\n    line: two # x\n".to_string()),
            Just("|\n    一\n      二\n".to_string()),
            Just("\n  - network\n  - 安全".to_string()),
        ]
    }

    /// One entry's lines: `- ` before the first key, two spaces before the others; a
    /// value starting with a line break (a nested list) follows the colon directly.
    fn entry_text<'k>(pairs: impl IntoIterator<Item = (&'k str, String)>) -> String {
        let mut out = String::new();
        for (i, (k, v)) in pairs.into_iter().enumerate() {
            out.push_str(if i == 0 { "- " } else { "  " });
            out.push_str(k);
            out.push(':');
            if !v.starts_with('\n') {
                out.push(' ');
            }
            out.push_str(v.trim_end_matches('\n'));
            out.push('\n');
        }
        out
    }

    fn body() -> impl Strategy<Value = String> {
        let keys = ["at", "by", "action", "to", "note", "op", "x_1", "skills"];
        let entry = proptest::sample::subsequence(keys.to_vec(), 1..=keys.len())
            .prop_flat_map(|ks| {
                let n = ks.len();
                (Just(ks), proptest::collection::vec(piece(), n))
            })
            .prop_map(|(ks, vs)| entry_text(ks.into_iter().zip(vs)));
        proptest::collection::vec(entry, 1..4).prop_map(|es| es.concat())
    }

    /// A body with one edit: a character or a few inserted, or one removed.
    fn damaged() -> impl Strategy<Value = String> {
        let bits = prop_oneof![
            Just(" "),
            Just("\t"),
            Just("#"),
            Just(":"),
            Just(": "),
            Just("'"),
            Just("\""),
            Just("\\"),
            Just("-"),
            Just("- "),
            Just("\n"),
            Just("\r"),
            Just("\u{2028}"),
            Just("\u{FEFF}"),
            Just("  "),
            Just("|"),
            Just("*a"),
            Just("&a "),
            Just("!!str "),
            Just("\u{7}"),
            Just("\u{85}"),
            Just("\u{A0}"),
            Just("x: "),
            Just(".inf"),
            Just("1e999"),
            Just("{"),
            Just("["),
            Just("---\n"),
            Just("? "),
            Just("%"),
        ];
        (body(), any::<prop::sample::Index>(), bits, any::<bool>()).prop_map(
            |(body, at, bit, remove)| {
                let bounds: Vec<usize> = (0..=body.len())
                    .filter(|&i| body.is_char_boundary(i))
                    .collect();
                let i = bounds[at.index(bounds.len())];
                let mut out = body.clone();
                if remove && i < body.len() {
                    let next = bounds
                        .iter()
                        .find(|&&b| b > i)
                        .copied()
                        .unwrap_or(body.len());
                    out.replace_range(i..next, "");
                } else {
                    out.insert_str(i, bit);
                }
                out
            },
        )
    }

    /// Bodies of one to three entries, each with a time (in three spellings), an author and
    /// an action, then some of `optional` (in order) with values from `value`.
    fn bodies(
        optional: &'static [&'static str],
        value: impl Strategy<Value = String>,
    ) -> impl Strategy<Value = String> {
        let entry = (
            prop_oneof![
                Just("\"2019-01-01T00:46:13+08:00\""),
                Just("2019-01-01T00:46:13+08:00"),
                Just("'2019-01-01T00:46:13Z'"),
            ],
            piece(),
            piece(),
            proptest::sample::subsequence(optional.to_vec(), 0..=optional.len()),
            proptest::collection::vec(value, optional.len()),
        )
            .prop_map(|(at, by, action, keys, values)| {
                let named = [("at", at.to_string()), ("by", by), ("action", action)];
                entry_text(named.into_iter().chain(keys.into_iter().zip(values)))
            });
        proptest::collection::vec(entry, 1..4).prop_map(|es| es.concat())
    }

    /// Bodies whose entries all have a time, an author and an action, the other keys
    /// reports read sometimes, with values of every kind.
    fn reported_body() -> impl Strategy<Value = String> {
        bodies(&["from", "to", "outcome", "item", "note", "x_1"], piece())
    }

    /// The entries the reports read, built from what the reader read, as serde builds them.
    fn reported_alike(body: &str) -> Result<(), TestCaseError> {
        use crate::model::facts::{Step, reported_entry};
        let text = format!("history:\n{body}");
        let mut built = Vec::new();
        let head = head_before_last(&text, "history", |i, e: &Entry<'_>| {
            let fields: Vec<_> = fields(e).collect();
            built.truncate(i);
            reported_entry(&fields).map(|e| built.push(e)).is_some()
        });
        if head.is_some() {
            #[derive(serde::Deserialize)]
            struct History {
                history: Vec<crate::model::HistoryEntry>,
            }
            let parsed: History = serde_saphyr::from_str(&text)
                .map_err(|e| TestCaseError::fail(format!("{e}: {text:?}")))?;
            let facts = |h: &[crate::model::HistoryEntry]| -> Vec<Step> { Step::all(h) };
            prop_assert_eq!(facts(&built), facts(&parsed.history), "{:?}", text);
        }
        Ok(())
    }

    /// A body of whole entries: the named keys, extras, and plain scalars YAML may read as
    /// numbers.
    fn whole_body() -> impl Strategy<Value = String> {
        let value = prop_oneof![
            4 => piece(),
            1 => prop_oneof![
                Just("0"),
                Just("-0"),
                Just("12"),
                Just("-3"),
                Just("007"),
                Just("+5"),
                Just("3.5"),
                Just("1e3"),
                Just("6E5"),
                Just("-inf"),
                Just("0x1F"),
                Just("9223372036854775807"),
                Just("9223372036854775808"),
                Just("-9223372036854775808"),
                Just("\"12\""),
                Just("true"),
                Just("false"),
                Just("null"),
                Just("True"),
                Just("yes"),
                Just("~"),
                Just("\n  - 12\n  - true\n  - a"),
                Just("\n  - 0.5"),
                Just("\n    old: null\n    new:\n      value: \"780000\"\n      n: 12\n      ok: true"),
                Just("\n    a: yes\n    b: 1"),
                Just("\n    - a: 1\n      b: [x, 2, '3']\n    - {}\n    - []"),
                Just("\n    old: []\n    new:\n    - network\n    - 6A77BBED"),
            ]
            .prop_map(str::to_string),
        ];
        bodies(&["op", "from", "to", "note", "x_1", "turn", "from"], value)
    }

    /// Whole entries built from what the reader read, as serde builds them; returns whether
    /// the reader took the body.
    fn whole_alike(body: &str) -> Result<bool, TestCaseError> {
        let text = format!("history:\n{body}");
        let mut built = Vec::new();
        let head = head_before_last(&text, "history", |i, e: &Entry<'_>| {
            built.truncate(i);
            history_entry(e).map(|e| built.push(e)).is_some()
        });
        if head.is_some() {
            #[derive(serde::Deserialize)]
            struct History {
                history: Vec<crate::model::HistoryEntry>,
            }
            let parsed: History = serde_saphyr::from_str(&text)
                .map_err(|e| TestCaseError::fail(format!("{e}: {text:?}")))?;
            prop_assert_eq!(&built, &parsed.history, "{:?}", text);
        }
        Ok(head.is_some())
    }

    /// Entries as commands write them are taken by the reader, numbers among their extras
    /// too; a key twice or a number YAML reads another way is not.
    #[test]
    fn whole_entries_of_written_histories_are_read() {
        let entry = crate::model::HistoryEntry::new(
            "2026-01-01T00:12:23+08:00".parse().unwrap(),
            "eng27",
            "assign",
        )
        .from_to("registered", "assigned")
        .note(Some("第一行\n第二行"))
        .with("turn", 12)
        .with("policy", "round-robin")
        .with("skills", serde_json::json!(["network", "安全"]))
        .with(
            "fields",
            serde_json::json!({"opportunity": {"old": null, "new": {"value": "780000", "ok": true}}}),
        );
        let body = crate::store::yaml::to_canonical(&vec![entry]).unwrap();
        assert!(whole_alike(&body).unwrap(), "{body}");
        for unsure in [
            "- at: \"2019-01-01T00:46:13Z\"\n  by: a\n  action: b\n  by: c\n",
            "- at: \"2019-01-01T00:46:13Z\"\n  by: a\n  action: b\n  turn: 007\n",
            "- at: \"2019-01-01T00:46:13Z\"\n  by: a\n  action: b\n  turn: 3.5\n",
            "- at: \"2019-01-01T00:46:13Z\"\n  by: a\n  action: b\n  x: yes\n",
        ] {
            assert!(!whole_alike(unsure).unwrap(), "{unsure}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// A whole history entry built from the reader's entry is what serde builds.
        #[test]
        fn whole_entries_read_as_serde_reads_them(body in whole_body()) {
            whole_alike(&body)?;
            whole_alike(&body.replace('\n', "\r\n"))?;
        }

        /// What the reports read of a history, built from the reader's entries, is what
        /// serde builds; and such bodies are often read that way.
        #[test]
        fn reported_entries_read_as_serde_reads_them(body in reported_body()) {
            reported_alike(&body)?;
            reported_alike(&body.replace('\n', "\r\n"))?;
        }

        /// Canonical bodies are read by the line reader, as the parser reads them.
        #[test]
        fn canonical_bodies_read_alike(body in body()) {
            let read = lines(&body);
            prop_assert!(read.is_some(), "{body:?}");
            prop_assert_eq!(&read, &events(&body), "{:?}", body);
            // The same with Windows line breaks (a checkout with core.autocrlf).
            let crlf = body.replace('\n', "\r\n");
            prop_assert_eq!(&lines(&crlf), &read, "{:?}", crlf);
            prop_assert_eq!(lines(&crlf), events(&crlf), "{:?}", crlf);
        }

        /// Whatever the line reader accepts, however damaged, the parser reads the same way.
        #[test]
        fn what_the_line_reader_accepts_the_parser_reads_alike(body in damaged()) {
            if let Some(read) = lines(&body) {
                prop_assert_eq!(Some(read), events(&body), "{:?}", body);
            }
        }
    }
}
