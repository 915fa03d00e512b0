//! `presales migrate`: upgrade a store to the current store format as one reviewable change.
//!
//! A migration reads every record file as a plain value, runs the upgrade steps from the
//! store's format to [`format::CURRENT`] over it, and writes the result in canonical form.
//! Past history entries are never touched; a record whose content (not just its layout)
//! changed gets one `migrate` entry. presales.toml records the new format, and
//! `.gitattributes` and `.gitignore` get the lines the current version needs.

use std::path::PathBuf;

use serde_json::Value;

use super::{Actor, Tx, Written};
use crate::error::{Error, Result};
use crate::model::{Article, Customer, HistoryEntry, Kind, Record, Request, Solution};
use crate::store::{self, Store, format, yaml};

/// The history action of the entry a migration appends.
pub const MIGRATE_ACTION: &str = "migrate";

/// One upgrade step: turns a record of format `to - 1` into format `to`. Returns whether
/// the record's content changed. Pure: the value in, the value out.
pub struct Step {
    pub to: u32,
    pub record: fn(Kind, &mut Value) -> bool,
}

/// The steps, in order.
pub const STEPS: &[Step] = &[Step {
    to: 2,
    record: item_ids,
}];

/// Format 2: demos, feedback items and review verdicts get stable ids, derived from the
/// record's id and the item's place so that two people migrating the same store write the
/// same ids.
fn item_ids(kind: Kind, value: &mut Value) -> bool {
    let record = value
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut changed = false;
    let mut give = |item: &mut Value, place: String| {
        if let Some(obj) = item.as_object_mut()
            && !obj.contains_key("id")
        {
            obj.insert("id".into(), Value::String(derived_id(&record, &place)));
            // Keep `id` first, as the tool writes it.
            let rest: Vec<(String, Value)> = std::mem::take(obj).into_iter().collect();
            let (id, others): (Vec<_>, Vec<_>) = rest.into_iter().partition(|(k, _)| k == "id");
            obj.extend(id);
            obj.extend(others);
            changed = true;
        }
    };
    match kind {
        Kind::Request => {
            if let Some(demos) = value.get_mut("demos").and_then(Value::as_array_mut) {
                for (i, demo) in demos.iter_mut().enumerate() {
                    give(demo, format!("demos/{i}"));
                    if let Some(items) = demo.get_mut("feedback").and_then(Value::as_array_mut) {
                        for (j, item) in items.iter_mut().enumerate() {
                            give(item, format!("demos/{i}/feedback/{j}"));
                        }
                    }
                }
            }
        }
        Kind::Solution => {
            if let Some(rounds) = value.get_mut("reviews").and_then(Value::as_array_mut) {
                for (i, round) in rounds.iter_mut().enumerate() {
                    if let Some(verdicts) = round.get_mut("verdicts").and_then(Value::as_array_mut)
                    {
                        for (j, v) in verdicts.iter_mut().enumerate() {
                            give(v, format!("reviews/{i}/verdicts/{j}"));
                        }
                    }
                }
            }
        }
        Kind::Article | Kind::Customer | Kind::Gap | Kind::Training => {}
    }
    changed
}

/// An item id derived from its record and place: 8 characters of the SHA-256 of both.
fn derived_id(record: &str, place: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{record}/{place}").as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    crate::model::id::code(u64::from_le_bytes(bytes), 8)
}

/// Why a file is part of the migration.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// presales.toml records the new format.
    Format,
    /// `.gitattributes` gains the lines the format needs (merge driver, LF endings).
    Gitattributes,
    /// `.gitignore` gains the lines presales needs (derived caches, temp files of writes).
    Gitignore,
    /// The record's content changed: a `migrate` entry is appended.
    Content,
    /// Only the record's layout changed (canonical form).
    Layout,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Planned {
    /// Relative to the store root.
    pub path: PathBuf,
    pub change: Change,
}

/// What a migration did (or, with `check_only`, would do).
#[derive(Debug, Default)]
pub struct Migration {
    pub from: u32,
    pub to: u32,
    pub planned: Vec<Planned>,
    /// What was written (nothing with `check_only`).
    pub written: Written,
}

/// Runs the steps after `from` over one record value.
pub fn upgrade(kind: Kind, value: &mut Value, from: u32) -> bool {
    let mut changed = false;
    for step in STEPS.iter().filter(|s| s.to > from) {
        changed |= (step.record)(kind, value);
    }
    changed
}

/// Plans the migration of `store` and, unless `check_only`, carries it out under the lock.
/// Any record that cannot be read stops it before anything is written. `actor` signs the
/// `migrate` entries; it is needed only when some record's content changes.
pub fn migrate(store: &Store, actor: Option<&Actor>, check_only: bool) -> Result<Migration> {
    if store.format.is_newer() {
        store.format.ensure_understood("migrate")?;
    }
    let from = store.format.effective();
    let tx = if check_only {
        None
    } else {
        Some(Tx::begin(store, actor)?)
    };
    let mut migration = Migration {
        from,
        to: format::CURRENT,
        ..Migration::default()
    };
    let op = crate::store::mint_op()?;
    let mut writes: Vec<(PathBuf, String)> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    for (id, path) in store.all_record_files()? {
        let result = (|| -> Result<Option<(Change, String)>> {
            let text = store.read_text(&path)?;
            let shown = store.display_path(&path);
            let mut value: Value = yaml::parse(&shown, &text)?;
            let content = upgrade(id.kind(), &mut value, from);
            let new_text = match id.kind() {
                Kind::Request => {
                    rewrite::<Request>(&shown, value, content, actor, from, &op, check_only)?
                }
                Kind::Solution => {
                    rewrite::<Solution>(&shown, value, content, actor, from, &op, check_only)?
                }
                Kind::Article => {
                    rewrite::<Article>(&shown, value, content, actor, from, &op, check_only)?
                }
                Kind::Customer => {
                    rewrite::<Customer>(&shown, value, content, actor, from, &op, check_only)?
                }
                Kind::Gap => rewrite::<crate::model::Gap>(
                    &shown, value, content, actor, from, &op, check_only,
                )?,
                Kind::Training => rewrite::<crate::model::Training>(
                    &shown, value, content, actor, from, &op, check_only,
                )?,
            };
            Ok((new_text != text).then(|| {
                let change = if content {
                    Change::Content
                } else {
                    Change::Layout
                };
                (change, new_text)
            }))
        })();
        match result {
            Ok(Some((change, new_text))) => {
                migration.planned.push(Planned {
                    path: store.display_path(&path),
                    change,
                });
                writes.push((path, new_text));
            }
            Ok(None) => {}
            Err(e) => problems.push(e.to_string()),
        }
    }
    if !problems.is_empty() {
        return Err(Error::invalid_with_hint(
            format!(
                "{} record file(s) cannot be read, so nothing was migrated:\n  {}",
                problems.len(),
                problems.join("\n  ")
            ),
            "fix them (`presales check` lists every problem), then run `presales migrate` again",
        ));
    }
    let attributes = store::updated_gitattributes(&store.read_gitattributes()?);
    if attributes.is_some() {
        migration.planned.push(Planned {
            path: PathBuf::from(".gitattributes"),
            change: Change::Gitattributes,
        });
    }
    let ignore = store::updated_gitignore(&store.read_gitignore()?);
    if ignore.is_some() {
        migration.planned.push(Planned {
            path: PathBuf::from(".gitignore"),
            change: Change::Gitignore,
        });
    }
    if store.format.migration_due() {
        migration.planned.push(Planned {
            path: PathBuf::from(crate::config::CONFIG_FILE),
            change: Change::Format,
        });
    }
    let Some(mut tx) = tx else {
        return Ok(migration);
    };
    for (path, text) in writes {
        tx.write_text(&path, &text)?;
    }
    if let Some(text) = attributes {
        tx.write_gitattributes(&text)?;
    }
    if let Some(text) = ignore {
        tx.write_gitignore(&text)?;
    }
    if store.format.migration_due() {
        tx.edit_config(set_format)?;
    }
    migration.written = tx.finish(format!("migrate the store to format {}", format::CURRENT));
    Ok(migration)
}

/// The canonical text of an upgraded record value, with a `migrate` entry when its content
/// changed.
fn rewrite<T: Record>(
    shown: &std::path::Path,
    value: Value,
    content: bool,
    actor: Option<&Actor>,
    from: u32,
    op: &str,
    check_only: bool,
) -> Result<String> {
    let mut record: T = serde_json::from_value(value).map_err(|e| Error::Parse {
        path: shown.to_path_buf(),
        line: 1,
        column: 1,
        message: format!("after the upgrade to format {}: {e}", format::CURRENT),
        hint: None,
    })?;
    if content && !check_only {
        let actor = actor.ok_or_else(|| {
            Error::invalid_with_hint(
                "the migration changes records, and each change is signed: who are you?",
                "pass --as MEMBER or set PRESALES_USER",
            )
        })?;
        record.history_mut().push(
            HistoryEntry::new(actor.now, &actor.id, MIGRATE_ACTION)
                .op(op)
                .from_to(from.to_string(), format::CURRENT.to_string()),
        );
    }
    yaml::record_text(&record)
}

/// Records the current format in presales.toml's `[store]` table (created first in the file
/// when missing), keeping every comment.
fn set_format(doc: &mut toml_edit::DocumentMut) -> Result<()> {
    if !doc.contains_key("store") {
        // Before the first table header, below the file's opening comments (`#:schema`).
        let text = doc.to_string();
        let at = text
            .lines()
            .scan(0, |offset, line| {
                let start = *offset;
                *offset += line.len() + 1;
                Some((start, line))
            })
            .find(|(_, l)| l.trim_start().starts_with('['))
            .map_or(text.len(), |(start, _)| start);
        let new = format!("{}[store]\n\n{}", &text[..at], &text[at..]);
        *doc = new
            .parse()
            .map_err(|e: toml_edit::TomlError| Error::Config {
                message: format!("presales.toml: {}", e.message()),
                hint: None,
            })?;
    }
    let Some(table) = doc.get_mut("store").and_then(|s| s.as_table_like_mut()) else {
        return Err(Error::Config {
            message: "presales.toml: `store` is not a table; write it as [store]".into(),
            hint: None,
        });
    };
    table.insert("format", toml_edit::value(i64::from(format::CURRENT)));
    table.insert(
        "requires",
        toml_edit::value(format::requires(format::CURRENT)),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_format_adds_a_store_table_first_and_keeps_comments() {
        let mut doc: toml_edit::DocumentMut =
            "# team file\n[sla.P1]\nfirst_response_hours = 2\nresolution_hours = 4\n"
                .parse()
                .unwrap();
        set_format(&mut doc).unwrap();
        let text = doc.to_string();
        assert!(text.starts_with("# team file\n"), "{text}");
        let store_at = text.find("[store]").unwrap();
        assert!(store_at < text.find("[sla.P1]").unwrap(), "{text}");
        assert!(
            text.contains(&format!("format = {}", format::CURRENT)),
            "{text}"
        );
        let parsed = crate::config::Config::parse(&text).unwrap();
        assert_eq!(parsed.store.format, Some(format::CURRENT));
    }

    #[test]
    fn set_format_updates_an_existing_store_table_in_place() {
        let mut doc: toml_edit::DocumentMut =
            "[store]\n# keep me\nauto_commit = true\nformat = 1\n"
                .parse()
                .unwrap();
        set_format(&mut doc).unwrap();
        let text = doc.to_string();
        assert!(text.contains("# keep me\nauto_commit = true\n"), "{text}");
        assert_eq!(text.matches("format =").count(), 1, "{text}");
    }

    #[test]
    fn format_2_gives_demos_feedback_and_verdicts_stable_ids_once() {
        let mut req = serde_json::json!({
            "id": "REQ-20261127-A7KQ2MX",
            "demos": [{"date": "2026-12-01", "feedback": [{"from": "CTO", "text": "x"}]}],
        });
        assert!(upgrade(Kind::Request, &mut req, 1));
        let id = req["demos"][0]["id"].as_str().unwrap().to_string();
        assert_eq!(id.len(), 8);
        let item = req["demos"][0]["feedback"][0]["id"].as_str().unwrap();
        assert_ne!(item, id);
        assert_eq!(
            req["demos"][0]
                .as_object()
                .unwrap()
                .keys()
                .next()
                .map(String::as_str),
            Some("id")
        );
        // The same record migrated twice, or by someone else: the same ids.
        let mut again = req.clone();
        assert!(!upgrade(Kind::Request, &mut again, 1));
        let mut other = serde_json::json!({
            "id": "REQ-20261127-A7KQ2MX",
            "demos": [{"date": "2026-12-01", "feedback": [{"from": "CTO", "text": "x"}]}],
        });
        upgrade(Kind::Request, &mut other, 1);
        assert_eq!(other, req);

        let mut sol = serde_json::json!({
            "id": "SOL-20261127-A7KQ2MX",
            "reviews": [{"round": 1, "verdicts": [{"reviewer": "a"}, {"reviewer": "b"}]}],
        });
        assert!(upgrade(Kind::Solution, &mut sol, 1));
        assert_ne!(
            sol["reviews"][0]["verdicts"][0]["id"],
            sol["reviews"][0]["verdicts"][1]["id"]
        );
        let mut customer = serde_json::json!({"id": "CUS-20261127-A7KQ2MX"});
        assert!(!upgrade(Kind::Customer, &mut customer, 1));
    }

    #[test]
    fn no_step_runs_for_a_store_already_in_the_current_format() {
        let mut v = serde_json::json!({"id": "REQ-20261127-A7KQ2MX"});
        let before = v.clone();
        assert!(!upgrade(Kind::Request, &mut v, format::CURRENT));
        assert_eq!(v, before);
    }
}
