//! Three-way merge of record files, field by field, for git's merge driver. Pure.
//!
//! Lists that both sides only appended to (history above all) are unioned, new entries
//! ordered by time; a field changed on one side is taken from that side; a field changed
//! differently on both sides keeps our value and is recorded under `merge_conflicts` with
//! both values, which `presales check` reports. No conflict markers are ever written, so the
//! file stays valid YAML.

use serde_json::{Map, Value};

use crate::check::CONFLICTS_KEY;

#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub field: String,
    pub ours: Value,
    pub theirs: Value,
}

/// Merges `ours` and `theirs` against their common `base` (Null when the file is new on both
/// sides). Returns the merged value, with `merge_conflicts` added when there are conflicts.
pub fn merge_records(base: &Value, ours: &Value, theirs: &Value) -> (Value, Vec<Conflict>) {
    let mut conflicts = Vec::new();
    let mut merged = merge_value("", base, ours, theirs, &mut conflicts);
    if !conflicts.is_empty()
        && let Value::Object(map) = &mut merged
    {
        let list: Vec<Value> = conflicts
            .iter()
            .map(|c| {
                let mut m = Map::new();
                m.insert("field".into(), Value::String(c.field.clone()));
                m.insert("ours".into(), c.ours.clone());
                m.insert("theirs".into(), c.theirs.clone());
                Value::Object(m)
            })
            .collect();
        map.insert(CONFLICTS_KEY.into(), Value::Array(list));
    }
    (merged, conflicts)
}

fn merge_value(
    path: &str,
    base: &Value,
    ours: &Value,
    theirs: &Value,
    conflicts: &mut Vec<Conflict>,
) -> Value {
    if ours == theirs {
        return ours.clone();
    }
    if ours == base {
        return theirs.clone();
    }
    if theirs == base {
        return ours.clone();
    }
    match (base, ours, theirs) {
        (Value::Object(_) | Value::Null, Value::Object(o), Value::Object(t)) => {
            let empty = Map::new();
            let b = base.as_object().unwrap_or(&empty);
            let mut out = Map::new();
            let keys = o.keys().chain(t.keys().filter(|k| !o.contains_key(*k)));
            for k in keys {
                let field = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                let (bv, ov, tv) = (
                    b.get(k).unwrap_or(&Value::Null),
                    o.get(k).unwrap_or(&Value::Null),
                    t.get(k).unwrap_or(&Value::Null),
                );
                let v = merge_value(&field, bv, ov, tv, conflicts);
                if !v.is_null() {
                    out.insert(k.clone(), v);
                }
            }
            Value::Object(out)
        }
        (Value::Array(_) | Value::Null, Value::Array(o), Value::Array(t)) => {
            let empty = Vec::new();
            let b = base.as_array().unwrap_or(&empty);
            if let Some(key) = item_key(b, o, t) {
                return merge_keyed(path, key, b, o, t, conflicts);
            }
            if o.starts_with(b) && t.starts_with(b) {
                let ours_new = &o[b.len()..];
                let theirs_new: Vec<&Value> = t[b.len()..]
                    .iter()
                    .filter(|x| !ours_new.contains(x))
                    .collect();
                let mut out = b.clone();
                out.extend(union_by_time(ours_new.iter().collect(), theirs_new));
                Value::Array(out)
            } else {
                conflict(path, ours, theirs, conflicts)
            }
        }
        _ => conflict(path, ours, theirs, conflicts),
    }
}

/// The key that identifies the items of a list, when every item of all three versions has
/// one: `id` (demos, feedback items, verdicts, article uses) or `round` (review rounds).
/// History entries have neither and merge as appended lists.
fn item_key(b: &[Value], o: &[Value], t: &[Value]) -> Option<&'static str> {
    let all = || b.iter().chain(o).chain(t);
    all().next()?;
    ["id", "round"]
        .into_iter()
        .find(|k| all().all(|v| v.get(*k).is_some_and(|x| x.is_string() || x.is_u64())))
}

/// Merges lists of identified items item by item: items added on either side are kept
/// (base order, then ours, then theirs), an item changed on one side takes that change, and
/// the same item changed on both sides merges field by field. An item one side removed is a
/// conflict: these lists only grow.
fn merge_keyed(
    path: &str,
    key: &str,
    b: &[Value],
    o: &[Value],
    t: &[Value],
    conflicts: &mut Vec<Conflict>,
) -> Value {
    let find = |list: &[Value], k: &Value| list.iter().find(|v| v.get(key) == Some(k)).cloned();
    let mut keys: Vec<Value> = Vec::new();
    for v in b.iter().chain(o).chain(t) {
        if let Some(k) = v.get(key)
            && !keys.contains(k)
        {
            keys.push(k.clone());
        }
    }
    let mut out = Vec::new();
    for k in keys {
        let field = format!(
            "{path}[{key}={}]",
            k.as_str().map_or(k.to_string(), str::to_string)
        );
        match (find(b, &k), find(o, &k), find(t, &k)) {
            (bv, Some(ov), Some(tv)) => {
                out.push(merge_value(
                    &field,
                    &bv.unwrap_or(Value::Null),
                    &ov,
                    &tv,
                    conflicts,
                ));
            }
            (None, Some(v), None) | (None, None, Some(v)) => out.push(v),
            (Some(bv), Some(v), None) | (Some(bv), None, Some(v)) => {
                conflicts.push(Conflict {
                    field,
                    ours: if o.iter().any(|x| x.get(key) == Some(&k)) {
                        v.clone()
                    } else {
                        Value::Null
                    },
                    theirs: if t.iter().any(|x| x.get(key) == Some(&k)) {
                        v.clone()
                    } else {
                        Value::Null
                    },
                });
                out.push(if v == bv { v } else { bv });
            }
            (Some(_), None, None) | (None, None, None) => {}
        }
    }
    Value::Array(out)
}

/// Both sides' new entries, ordered by their `at` timestamps when they have them (RFC 3339
/// strings of one offset compare as text; mixed offsets are compared as instants).
fn union_by_time(ours: Vec<&Value>, theirs: Vec<&Value>) -> Vec<Value> {
    let mut all: Vec<(usize, &Value)> = ours.into_iter().chain(theirs).enumerate().collect();
    let key = |v: &Value| {
        v.get("at")
            .and_then(Value::as_str)
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
    };
    // Stable: entries without a time keep their order after the timed ones they follow.
    all.sort_by(|(i, a), (j, b)| match (key(a), key(b)) {
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| i.cmp(j)),
        _ => i.cmp(j),
    });
    all.into_iter().map(|(_, v)| v.clone()).collect()
}

fn conflict(path: &str, ours: &Value, theirs: &Value, conflicts: &mut Vec<Conflict>) -> Value {
    conflicts.push(Conflict {
        field: path.to_string(),
        ours: ours.clone(),
        theirs: theirs.clone(),
    });
    ours.clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(at: &str, action: &str) -> Value {
        json!({"at": at, "by": "x", "action": action})
    }

    #[test]
    fn concurrent_appends_are_unioned_in_time_order() {
        let base =
            json!({"stage": "analysis", "history": [entry("2026-11-27T09:00:00+08:00", "create")]});
        let mut ours = base.clone();
        ours["history"]
            .as_array_mut()
            .unwrap()
            .push(entry("2026-11-27T11:00:00+08:00", "comment"));
        let mut theirs = base.clone();
        theirs["stage"] = json!("design");
        theirs["history"]
            .as_array_mut()
            .unwrap()
            .push(entry("2026-11-27T10:00:00+08:00", "advance"));
        let (m, c) = merge_records(&base, &ours, &theirs);
        assert!(c.is_empty());
        assert_eq!(m["stage"], "design");
        let actions: Vec<&str> = m["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["create", "advance", "comment"]);
    }

    #[test]
    fn a_field_changed_on_one_side_is_taken() {
        let base = json!({"title": "a", "priority": "P3"});
        let ours = json!({"title": "b", "priority": "P3"});
        let theirs = json!({"title": "a", "priority": "P1"});
        let (m, c) = merge_records(&base, &ours, &theirs);
        assert!(c.is_empty());
        assert_eq!(m, json!({"title": "b", "priority": "P1"}));
    }

    #[test]
    fn a_real_conflict_keeps_ours_and_records_both() {
        let base = json!({"title": "a", "history": []});
        let ours = json!({"title": "ours", "history": []});
        let theirs = json!({"title": "theirs", "history": []});
        let (m, c) = merge_records(&base, &ours, &theirs);
        assert_eq!(c.len(), 1);
        assert_eq!(m["title"], "ours");
        assert_eq!(m[CONFLICTS_KEY][0]["field"], "title");
        assert_eq!(m[CONFLICTS_KEY][0]["theirs"], "theirs");
    }

    #[test]
    fn nested_fields_merge_and_removals_apply() {
        let base = json!({"assessment": {"difficulty": 2, "notes": "n"}, "due": "2026-12-01"});
        let ours = json!({"assessment": {"difficulty": 3, "notes": "n"}, "due": "2026-12-01"});
        let theirs = json!({"assessment": {"difficulty": 2, "notes": "m"}});
        let (m, c) = merge_records(&base, &ours, &theirs);
        assert!(c.is_empty(), "{c:?}");
        assert_eq!(m, json!({"assessment": {"difficulty": 3, "notes": "m"}}));
    }

    #[test]
    fn identical_appends_on_both_sides_appear_once() {
        let e = entry("2026-11-27T10:00:00+08:00", "comment");
        let base = json!({"history": []});
        let both = json!({"history": [e]});
        let (m, _) = merge_records(&base, &both, &both.clone());
        assert_eq!(m["history"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn verdicts_and_feedback_added_on_two_branches_are_unioned_by_id() {
        let base = json!({
            "reviews": [{"round": 1, "opened": "t", "verdicts": []}],
            "demos": [{"id": "D1", "date": "2026-12-01", "feedback": [{"id": "F1", "from": "a", "text": "x"}]}],
        });
        let ours = json!({
            "reviews": [{"round": 1, "opened": "t", "verdicts": [{"id": "V1", "reviewer": "li.na"}]}],
            "demos": [{"id": "D1", "date": "2026-12-01", "feedback": [
                {"id": "F1", "from": "a", "text": "x", "disposition": "accepted"},
                {"id": "F2", "from": "b", "text": "y"}]}],
        });
        let theirs = json!({
            "reviews": [{"round": 1, "opened": "t", "verdicts": [{"id": "V2", "reviewer": "wang.fang"}]}],
            "demos": [{"id": "D1", "date": "2026-12-01", "feedback": [
                {"id": "F1", "from": "a", "text": "x"},
                {"id": "F3", "from": "c", "text": "z"}]}],
        });
        let (m, c) = merge_records(&base, &ours, &theirs);
        assert!(c.is_empty(), "{c:?}");
        let verdicts: Vec<&str> = m["reviews"][0]["verdicts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["id"].as_str().unwrap())
            .collect();
        assert_eq!(verdicts, ["V1", "V2"]);
        let items = &m["demos"][0]["feedback"];
        assert_eq!(items.as_array().unwrap().len(), 3);
        assert_eq!(items[0]["disposition"], "accepted");
        // An item removed on one side is a conflict, never a silent loss.
        let mut gone = base.clone();
        gone["demos"][0]["feedback"] = json!([]);
        let (_, c) = merge_records(&base, &gone, &base.clone());
        assert!(
            c.is_empty(),
            "a one-sided change of a list that only that side touched"
        );
        let (_, c) = merge_records(&base, &gone, &theirs);
        assert_eq!(c.len(), 1, "{c:?}");
    }

    #[test]
    fn rewritten_history_is_a_conflict_not_a_silent_merge() {
        let base = json!({"history": [entry("2026-11-27T09:00:00+08:00", "create")]});
        let ours = json!({"history": [entry("2026-11-27T09:00:00+08:00", "edited")]});
        let theirs = json!({"history": [entry("2026-11-27T09:00:00+08:00", "create"), entry("2026-11-27T10:00:00+08:00", "comment")]});
        let (_, c) = merge_records(&base, &ours, &theirs);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].field, "history");
    }
}
