//! The pull-request gate's proof: a changed record's head must be exactly what replaying its
//! new history entries, through the commands' own [`apply`], makes of its version at the
//! merge-base, under the merge-base's presales.toml.
//!
//! Entries are grouped by operation id (one command's entries in several records), ordered
//! as each record's history orders them, and replayed with each entry's own `at` as the
//! clock and `by` as the actor. Whatever the replay does not reproduce is a finding naming
//! the file, the line, the field, both values and why.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{Finding, line_of_history_entry, line_of_key};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::action::Role;
use crate::model::{
    Action, Article, Customer, HistoryEntry, Kind, RecordId, Request, Solution, content_hash,
};
use crate::ops::apply::{Env, apply};
use crate::ops::command::decode;
use crate::ops::migrate;
use crate::ops::{AnyRecord, Source, World};
use crate::workflow::Workflow;

/// One record changed between the merge-base and the head.
pub struct RecordChange {
    pub id: RecordId,
    /// Relative to the store root.
    pub path: PathBuf,
    pub base: Option<AnyRecord>,
    /// The head version and its text (for line numbers); `None` when deleted.
    pub head: Option<(AnyRecord, String)>,
}

/// The rules a change is judged by: presales.toml as it is at the merge-base.
pub struct Rules<'a> {
    pub config: &'a Config,
    pub workflow: &'a Workflow,
    /// `Some((from, to))` when the change is a `presales migrate` from format `from` to `to`.
    pub migration: Option<(u32, u32)>,
}

/// Records as the replay sees them: changed ones at the merge-base (until the replay
/// changes them), every other one as it is (unchanged, so the same at both ends).
struct ReplaySource<'a> {
    base: HashMap<String, Option<AnyRecord>>,
    others: &'a dyn Source,
    texts: HashMap<String, String>,
}

impl Source for ReplaySource<'_> {
    fn load(&self, id: &RecordId) -> Result<Option<AnyRecord>> {
        match self.base.get(id.as_str()) {
            Some(r) => Ok(r.clone()),
            None => self.others.load(id),
        }
    }

    fn read_file(&self, rel: &str) -> Result<String> {
        self.others.read_file(rel)
    }

    fn text_by_hash(&self, hash: &str) -> Option<String> {
        self.texts.get(hash).cloned()
    }
}

/// Splits `head` into the entries of `base` (which must all be there, unchanged and in
/// order) and the new ones, returned with their index in `head`. `Err(i)`: base entry `i`
/// is missing or was edited.
pub fn new_entries<'a>(
    base: &[HistoryEntry],
    head: &'a [HistoryEntry],
) -> std::result::Result<Vec<(usize, &'a HistoryEntry)>, usize> {
    let mut j = 0;
    let mut new = Vec::new();
    for (i, e) in head.iter().enumerate() {
        if j < base.len() && *e == base[j] {
            j += 1;
        } else {
            new.push((i, e));
        }
    }
    if j < base.len() { Err(j) } else { Ok(new) }
}

/// A new entry and where it is.
struct NewEntry<'a> {
    record: usize,
    index: usize,
    entry: &'a HistoryEntry,
}

fn history_of(r: &AnyRecord) -> &[HistoryEntry] {
    r.history()
}

fn short(v: &Value) -> String {
    let s = match v {
        Value::Null => "(none)".to_string(),
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    };
    if s.chars().count() > 80 {
        let cut: String = s.chars().take(77).collect();
        format!("{cut}…")
    } else {
        s
    }
}

/// The commands that change a field, for the message about a field no entry explains.
fn changed_by(kind: Kind, field: &str) -> String {
    let known = Action::KNOWN;
    let mut names: Vec<String> = known
        .iter()
        .filter(|a| {
            let c = a.changes(kind);
            c.contains(&field) && !c.contains(&"*")
        })
        .map(|a| format!("`{}`", a.command(kind)))
        .collect();
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.clone()));
    match names.as_slice() {
        [] => "no command changes it once the record exists".to_string(),
        [one] => format!("only {one} changes it"),
        list => format!("only {} change it", list.join(", ")),
    }
}

/// Replays `changes` and returns what does not hold.
pub fn replay(rules: &Rules, changes: &[RecordChange], others: &dyn Source) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut broken: BTreeSet<usize> = BTreeSet::new();
    let mut news: Vec<Vec<(usize, &HistoryEntry)>> = vec![Vec::new(); changes.len()];
    for (k, c) in changes.iter().enumerate() {
        let Some((head, text)) = &c.head else {
            // Deleted records are reported by the caller.
            broken.insert(k);
            continue;
        };
        let base_history = c.base.as_ref().map(history_of).unwrap_or(&[]);
        match new_entries(base_history, history_of(head)) {
            Ok(n) => news[k] = n,
            Err(i) => {
                let e = &base_history[i];
                findings.push(Finding::error(
                    &c.path,
                    line_of_history_entry(text, i.min(history_of(head).len().saturating_sub(1))),
                    format!(
                        "history entry {} (`{}` by {} at {}) was edited or removed; history is append-only",
                        i + 1,
                        e.action,
                        e.by,
                        e.at.to_rfc3339()
                    ),
                ));
                broken.insert(k);
            }
        }
    }

    // Group the new entries by operation.
    let mut groups: BTreeMap<String, Vec<NewEntry>> = BTreeMap::new();
    for (k, c) in changes.iter().enumerate() {
        if broken.contains(&k) {
            continue;
        }
        let text = c.head.as_ref().map_or("", |(_, t)| t.as_str());
        for (i, e) in &news[k] {
            match &e.op {
                Some(op) => groups.entry(op.clone()).or_default().push(NewEntry {
                    record: k,
                    index: *i,
                    entry: e,
                }),
                None => {
                    findings.push(Finding::error(
                        &c.path,
                        line_of_history_entry(text, *i),
                        format!(
                            "history entry {} (`{}` by {}) has no `op`: it was not written by a presales command of this store's format; run the command instead of editing the file",
                            i + 1,
                            e.action,
                            e.by
                        ),
                    ));
                    broken.insert(k);
                }
            }
        }
    }
    let order = match order_groups(changes, &news, &groups, &broken) {
        Ok(o) => o,
        Err(msg) => {
            findings.push(Finding::error(&changes[0].path, 1, msg));
            return findings;
        }
    };

    // Texts recorded by hash (plans, bodies), from the head.
    let mut texts = HashMap::new();
    for c in changes {
        // Personal data recorded by hash may come from the base too (a contact the change
        // edits or forgets).
        if let Some(AnyRecord::Customer(cus)) = &c.base
            && let Ok(v) = serde_json::to_value(&cus.contacts)
        {
            texts.extend(crate::ops::command::private_texts(&v));
        }
        match c.head.as_ref().map(|(r, _)| r) {
            Some(AnyRecord::Solution(s)) => {
                if let Some(p) = &s.plan {
                    texts.insert(content_hash(p), p.clone());
                }
            }
            Some(AnyRecord::Article(a)) => {
                if let Some(b) = &a.body {
                    texts.insert(content_hash(b), b.clone());
                }
            }
            // Personal data, recorded by hash: the contacts as `edit` hashes them, the
            // notes' texts and contact names.
            Some(AnyRecord::Customer(cus)) => {
                if let Ok(v) = serde_json::to_value(&cus.contacts) {
                    texts.extend(crate::ops::command::private_texts(&v));
                }
                for i in &cus.interactions {
                    texts.insert(content_hash(&i.text), i.text.clone());
                    if let Some(n) = &i.contact {
                        texts.insert(content_hash(n), n.clone());
                    }
                }
            }
            _ => {}
        }
    }
    let source = ReplaySource {
        base: changes
            .iter()
            .map(|c| (c.id.to_string(), c.base.clone()))
            .collect(),
        others,
        texts,
    };
    let mut world = World::new(&source);

    // Replay in order. An operation the rules refuse at its place waits for a later pass,
    // with everything after it in its records: it may need what another record's history
    // does at the same time (or, with two machines' clocks, a little later). When a pass
    // makes no progress, the refusals are final.
    let mut pending = order;
    loop {
        let mut blocked: BTreeSet<usize> = BTreeSet::new();
        let mut waiting = Vec::new();
        let mut failed: Vec<(Finding, Vec<usize>)> = Vec::new();
        let mut progressed = false;
        for op in pending {
            let group = &groups[&op];
            let records: Vec<usize> = group.iter().map(|n| n.record).collect();
            if records.iter().any(|k| broken.contains(k)) {
                broken.extend(records);
                continue;
            }
            if records.iter().any(|k| blocked.contains(k)) {
                blocked.extend(records);
                waiting.push(op);
                continue;
            }
            match replay_group(rules, changes, &mut world, &op, group) {
                Ok(()) => progressed = true,
                Err((f, true)) => {
                    blocked.extend(records.iter().copied());
                    failed.push((f, records));
                    waiting.push(op);
                }
                Err((f, false)) => {
                    findings.push(f);
                    broken.extend(records);
                }
            }
        }
        if waiting.is_empty() {
            break;
        }
        if !progressed {
            for (f, records) in failed {
                findings.push(f);
                broken.extend(records);
            }
            for op in &waiting {
                broken.extend(groups[op].iter().map(|n| n.record));
            }
            break;
        }
        pending = waiting;
    }

    for (k, c) in changes.iter().enumerate() {
        if broken.contains(&k) {
            continue;
        }
        let Some((head, text)) = &c.head else {
            continue;
        };
        compare(&mut world, c, head, text, &news[k], &mut findings);
    }
    // A command that changes a record the change leaves as it was: the entries claim a
    // command that did not happen (a solution created by hand, never linked from its
    // request, say).
    let changed_ids: BTreeSet<&str> = changes.iter().map(|c| c.id.as_str()).collect();
    let touched: Vec<AnyRecord> = world.changed().cloned().collect();
    for r in touched {
        let Ok(id) = RecordId::parse(r.id()) else {
            continue;
        };
        if changed_ids.contains(r.id()) || source.load(&id).ok().flatten().as_ref() == Some(&r) {
            continue;
        }
        let Some(e) = r.history().last() else {
            continue;
        };
        let path = crate::store::Store::rel_path(&id);
        findings.push(Finding::error(
            &path,
            1,
            format!(
                "operation {} of this change also writes {} (a `{}` entry), but this change leaves {} as it was",
                e.op.as_deref().unwrap_or("?"),
                r.id(),
                e.action,
                path.display()
            ),
        ));
    }
    findings
}

/// Orders the operations so that each record's entries replay in its own order.
fn order_groups(
    changes: &[RecordChange],
    news: &[Vec<(usize, &HistoryEntry)>],
    groups: &BTreeMap<String, Vec<NewEntry>>,
    broken: &BTreeSet<usize>,
) -> std::result::Result<Vec<String>, String> {
    let mut first_seen: HashMap<&str, (crate::model::Timestamp, usize, usize)> = HashMap::new();
    let mut edges: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    let mut indegree: HashMap<&str, usize> = HashMap::new();
    for op in groups.keys() {
        indegree.insert(op.as_str(), 0);
    }
    for (k, entries) in news.iter().enumerate() {
        if broken.contains(&k) {
            continue;
        }
        let mut prev: Option<&str> = None;
        for (i, e) in entries {
            let Some(op) = e.op.as_deref() else { continue };
            first_seen.entry(op).or_insert((e.at, k, *i));
            if let Some(p) = prev
                && p != op
                && edges.entry(p).or_default().insert(op)
            {
                *indegree.entry(op).or_default() += 1;
            }
            prev = Some(op);
        }
    }
    let key = |op: &str| first_seen.get(op).copied();
    let mut ready: Vec<&str> = indegree
        .iter()
        .filter(|(_, d)| **d == 0)
        .map(|(op, _)| *op)
        .collect();
    let mut order = Vec::new();
    while !ready.is_empty() {
        // Earliest first; ties by where the entry first appears.
        ready.sort_by_key(|op| std::cmp::Reverse(key(op)));
        let Some(op) = ready.pop() else { break };
        order.push(op.to_string());
        if let Some(next) = edges.get(op) {
            for n in next {
                if let Some(d) = indegree.get_mut(n) {
                    *d -= 1;
                    if *d == 0 {
                        ready.push(n);
                    }
                }
            }
        }
    }
    if order.len() < indegree.len() {
        let stuck: Vec<&str> = indegree
            .iter()
            .filter(|(op, _)| !order.iter().any(|o| o == *op))
            .map(|(op, _)| *op)
            .collect();
        let where_: Vec<String> = groups
            .get(stuck[0])
            .map(|g| {
                g.iter()
                    .map(|n| changes[n.record].path.display().to_string())
                    .collect()
            })
            .unwrap_or_default();
        return Err(format!(
            "the histories order operations {} differently ({}); each record's entries must keep the order the commands wrote them in",
            stuck.join(", "),
            where_.join(", ")
        ));
    }
    Ok(order)
}

fn entry_line(c: &RecordChange, index: usize) -> u64 {
    c.head
        .as_ref()
        .map_or(1, |(_, t)| line_of_history_entry(t, index))
}

/// Replays one operation on `world`.
fn replay_group(
    rules: &Rules,
    changes: &[RecordChange],
    world: &mut World,
    op: &str,
    group: &[NewEntry],
) -> std::result::Result<(), (Finding, bool)> {
    let first = &group[0];
    let fc = &changes[first.record];
    let finding = |n: &NewEntry, msg: String| {
        let c = &changes[n.record];
        Finding::error(&c.path, entry_line(c, n.index), msg)
    };
    let fail = |n: &NewEntry, msg: String| (finding(n, msg), false);
    if let Some(n) = group
        .iter()
        .find(|n| n.entry.at != first.entry.at || n.entry.by != first.entry.by)
    {
        return Err(fail(
            n,
            format!(
                "history entries of operation {op} disagree on who or when ({} at {} in {}); one command writes them all at once",
                n.entry.by,
                n.entry.at.to_rfc3339(),
                fc.path.display()
            ),
        ));
    }
    let kind_of = |n: &NewEntry| changes[n.record].id.kind();
    let role = |n: &NewEntry| Action::parse(&n.entry.action).role(kind_of(n));
    if group.iter().all(|n| role(n) == Role::Migration) {
        return replay_migration(rules, changes, world, group).map_err(|m| fail(first, m));
    }
    let commands: Vec<&NewEntry> = group.iter().filter(|n| role(n) == Role::Command).collect();
    let moves: Vec<&NewEntry> = group.iter().filter(|n| role(n) == Role::Move).collect();
    let primary = match (commands.as_slice(), moves.as_slice()) {
        ([one], _) => *one,
        ([], [one]) => *one,
        _ => {
            let names: Vec<String> = group
                .iter()
                .map(|n| format!("`{}` in {}", n.entry.action, changes[n.record].id))
                .collect();
            return Err(fail(
                first,
                format!(
                    "operation {op} ({}) is not what one presales command writes",
                    names.join(", ")
                ),
            ));
        }
    };
    let pc = &changes[primary.record];
    let what = format!(
        "history entry {} (`{}` by {})",
        primary.index + 1,
        primary.entry.action,
        primary.entry.by
    );
    let cmd = decode(pc.id.kind(), pc.id.as_str(), primary.entry)
        .map_err(|e| fail(primary, format!("{what} cannot be replayed: {e}")))?;
    let env = Env {
        config: rules.config,
        workflow: rules.workflow,
        by: &primary.entry.by,
        now: primary.entry.at,
        op,
    };
    apply(world, &env, &cmd).map_err(|e| {
        let mut msg = format!("{what} is not a legal change: {}", one_line(&e.to_string()));
        if let Some(h) = e.hint() {
            msg.push_str(&format!(" ({})", one_line(&h)));
        }
        // Another record's history may hold what this needs (its entries carry the same
        // time, or the clocks of two machines disagree): try again after the others.
        (finding(primary, msg), true)
    })
}

/// A `presales migrate` entry: the record is its base version upgraded by the format's steps,
/// with the entry appended. Allowed only in a change that migrates the store.
fn replay_migration(
    rules: &Rules,
    changes: &[RecordChange],
    world: &mut World,
    group: &[NewEntry],
) -> std::result::Result<(), String> {
    let Some((from, to)) = rules.migration else {
        return Err(
            "a `migrate` entry in a change that does not migrate the store (presales.toml keeps its format)"
                .into(),
        );
    };
    for n in group {
        let c = &changes[n.record];
        let (want_from, want_to) = (from.to_string(), to.to_string());
        if n.entry.from.as_deref() != Some(&want_from) || n.entry.to.as_deref() != Some(&want_to) {
            return Err(format!(
                "the `migrate` entry says {} → {}, but the store moves from format {from} to {to}",
                n.entry.from.as_deref().unwrap_or("?"),
                n.entry.to.as_deref().unwrap_or("?")
            ));
        }
        let current = world
            .find_any(c.id.as_str())
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("{} does not exist at the merge-base", c.id))?;
        let mut value = any_to_value(&current).map_err(|e| e.to_string())?;
        migrate::upgrade(c.id.kind(), &mut value, from);
        let entry = serde_json::to_value(n.entry).map_err(|e| e.to_string())?;
        if let Some(h) = value.get_mut("history").and_then(Value::as_array_mut) {
            h.push(entry);
        }
        let upgraded = value_to_any(c.id.kind(), value).map_err(|e| e.to_string())?;
        world.put_any(upgraded);
    }
    Ok(())
}

/// A message of several lines as one: a finding is one line of output.
fn one_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
        .replace(":;", ":")
}

fn any_to_value(r: &AnyRecord) -> Result<Value> {
    let v = match r {
        AnyRecord::Request(x) => serde_json::to_value(x),
        AnyRecord::Solution(x) => serde_json::to_value(x),
        AnyRecord::Article(x) => serde_json::to_value(x),
        AnyRecord::Customer(x) => serde_json::to_value(x),
        AnyRecord::Gap(x) => serde_json::to_value(x),
        AnyRecord::Training(x) => serde_json::to_value(x),
    };
    v.map_err(|e| Error::internal_from(format!("cannot serialize {}", r.id()), e))
}

fn value_to_any(kind: Kind, v: Value) -> Result<AnyRecord> {
    let r = match kind {
        Kind::Request => serde_json::from_value::<Request>(v).map(AnyRecord::Request),
        Kind::Solution => serde_json::from_value::<Solution>(v).map(AnyRecord::Solution),
        Kind::Article => serde_json::from_value::<Article>(v).map(AnyRecord::Article),
        Kind::Customer => serde_json::from_value::<Customer>(v).map(AnyRecord::Customer),
        Kind::Gap => serde_json::from_value::<crate::model::Gap>(v).map(AnyRecord::Gap),
        Kind::Training => {
            serde_json::from_value::<crate::model::Training>(v).map(AnyRecord::Training)
        }
    };
    r.map_err(|e| Error::invalid(e.to_string()))
}

/// Compares the replayed record with the head: history entry by entry, then field by field
/// (fields this version does not know are kept, not judged).
fn compare(
    world: &mut World,
    c: &RecordChange,
    head: &AnyRecord,
    text: &str,
    news: &[(usize, &HistoryEntry)],
    findings: &mut Vec<Finding>,
) {
    let replayed = match world.find_any(c.id.as_str()) {
        Ok(Some(r)) => r,
        Ok(None) => {
            findings.push(Finding::error(
                &c.path,
                line_of_key(text, "history"),
                format!(
                    "{} was not created by a presales command: its history has no entry that creates it",
                    c.id
                ),
            ));
            return;
        }
        Err(e) => {
            findings.push(Finding::error(&c.path, 1, e.to_string()));
            return;
        }
    };
    let base_len = c.base.as_ref().map_or(0, |b| history_of(b).len());
    let replayed_new = history_of(&replayed).get(base_len..).unwrap_or(&[]);
    for (pos, (i, e)) in news.iter().enumerate() {
        let Some(r) = replayed_new.get(pos) else {
            findings.push(Finding::error(
                &c.path,
                line_of_history_entry(text, *i),
                format!(
                    "history entry {} (`{}` by {}) is not one the commands of this change write",
                    i + 1,
                    e.action,
                    e.by
                ),
            ));
            return;
        };
        if r != *e {
            findings.push(Finding::error(
                &c.path,
                line_of_history_entry(text, *i),
                format!(
                    "history entry {} (`{}` by {}) is not what the command writes: {}",
                    i + 1,
                    e.action,
                    e.by,
                    entry_difference(e, r)
                ),
            ));
            return;
        }
    }
    if replayed_new.len() > news.len() {
        let missing = &replayed_new[news.len()];
        findings.push(Finding::error(
            &c.path,
            line_of_key(text, "history"),
            format!(
                "the history lacks the `{}` entry its command writes here",
                missing.action
            ),
        ));
        return;
    }
    let (Ok(mut want), Ok(have)) = (any_to_value(&replayed), any_to_value(head)) else {
        return;
    };
    let (Some(want_map), Some(have_map)) = (want.as_object_mut(), have.as_object()) else {
        return;
    };
    want_map.insert(
        "history".into(),
        have_map.get("history").cloned().unwrap_or(Value::Null),
    );
    let known = known_fields(c.id.kind());
    // Fields this version does not know ride along untouched.
    for (k, v) in have_map {
        if !known.iter().any(|f| f == k) && k != super::CONFLICTS_KEY {
            want_map.insert(k.clone(), v.clone());
        }
    }
    let base_value = c.base.as_ref().and_then(|b| any_to_value(b).ok());
    // Items added on two branches are kept in the order the merge put them: compare lists
    // of identified items as sets.
    let mut have_sorted = have.clone();
    by_id(&mut want);
    by_id(&mut have_sorted);
    let (Some(want_map), Some(have_map)) = (want.as_object(), have_sorted.as_object()) else {
        return;
    };
    let mut keys: Vec<&String> = want_map.keys().chain(have_map.keys()).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        let (w, h) = (
            want_map.get(k).unwrap_or(&Value::Null),
            have_map.get(k).unwrap_or(&Value::Null),
        );
        if w == h {
            continue;
        }
        let b = base_value
            .as_ref()
            .and_then(|b| b.get(k))
            .unwrap_or(&Value::Null);
        let msg = if b == w {
            format!(
                "`{k}` changed {} → {} with no command in this change's history that makes it ({})",
                short(b),
                short(h),
                changed_by(c.id.kind(), k)
            )
        } else {
            format!(
                "`{k}` is {}, but replaying this change's history gives {}",
                short(h),
                short(w)
            )
        };
        findings.push(Finding::error(&c.path, line_of_key(text, k), msg));
    }
}

/// Sorts every list whose items all carry an `id` by it, at any depth.
fn by_id(v: &mut Value) {
    match v {
        Value::Array(items) => {
            for i in items.iter_mut() {
                by_id(i);
            }
            if !items.is_empty()
                && items
                    .iter()
                    .all(|i| i.get("id").is_some_and(Value::is_string))
            {
                items.sort_by(|a, b| {
                    a.get("id")
                        .and_then(Value::as_str)
                        .cmp(&b.get("id").and_then(Value::as_str))
                });
            }
        }
        Value::Object(map) => {
            for (_, x) in map.iter_mut() {
                by_id(x);
            }
        }
        _ => {}
    }
}

/// The top-level fields of a record kind this version knows: the properties of its JSON
/// Schema, so that a field added to a record is judged by the gate from the start (a field
/// missing here would ride along unjudged as if a newer version had written it).
fn known_fields(kind: Kind) -> &'static [String] {
    use std::sync::OnceLock;
    fn props(schema: schemars::Schema) -> Vec<String> {
        schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }
    static FIELDS: [OnceLock<Vec<String>>; 6] = [const { OnceLock::new() }; 6];
    let (slot, make): (usize, fn() -> Vec<String>) = match kind {
        Kind::Request => (0, || props(schemars::schema_for!(crate::model::Request))),
        Kind::Solution => (1, || props(schemars::schema_for!(crate::model::Solution))),
        Kind::Article => (2, || props(schemars::schema_for!(crate::model::Article))),
        Kind::Customer => (3, || props(schemars::schema_for!(crate::model::Customer))),
        Kind::Gap => (4, || props(schemars::schema_for!(crate::model::Gap))),
        Kind::Training => (5, || props(schemars::schema_for!(crate::model::Training))),
    };
    FIELDS[slot].get_or_init(make)
}

/// The first key on which two entries differ, both values named.
fn entry_difference(head: &HistoryEntry, replayed: &HistoryEntry) -> String {
    let (Ok(h), Ok(r)) = (serde_json::to_value(head), serde_json::to_value(replayed)) else {
        return "it differs".into();
    };
    let (Some(h), Some(r)) = (h.as_object(), r.as_object()) else {
        return "it differs".into();
    };
    let mut keys: Vec<&String> = r.keys().chain(h.keys()).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        let (hv, rv) = (
            h.get(k).unwrap_or(&Value::Null),
            r.get(k).unwrap_or(&Value::Null),
        );
        if hv != rv {
            return format!("`{k}` is {}, the command writes {}", short(hv), short(rv));
        }
    }
    "it differs".into()
}

/// Files named by records (`plan_file`, `body_file`) against the hash the latest entry that
/// named them recorded. Entries of format 1 recorded none and are not checked.
pub fn named_files(records: &[(PathBuf, AnyRecord)], others: &dyn Source) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (path, rec) in records {
        let (file, key, hint) = match rec {
            AnyRecord::Solution(s) => match &s.plan_file {
                Some(f) => (
                    f,
                    "plan_sha256",
                    format!("presales solution plan {} --plan-file {f}", s.id),
                ),
                None => continue,
            },
            AnyRecord::Article(a) => match &a.body_file {
                Some(f) => (f, "body_sha256", format!("presales kb edit {}", a.id)),
                None => continue,
            },
            _ => continue,
        };
        let recorded = rec.history().iter().rev().find_map(|e| {
            let named = e
                .extra
                .get("plan_file")
                .or_else(|| e.extra.get("body_file"));
            match named.and_then(Value::as_str) {
                Some(n) if n == file => e.extra.get(key).and_then(Value::as_str),
                // `kb edit` records a body file's new text without naming the file again.
                None if e.action == Action::Edit.as_str() => {
                    e.extra.get(key).and_then(Value::as_str)
                }
                _ => None,
            }
        });
        let Some(recorded) = recorded else { continue };
        match others.read_file(file) {
            Ok(text) if content_hash(&text) == recorded => {}
            Ok(_) => findings.push(Finding::error(
                Path::new(file),
                1,
                format!(
                    "{file} changed after {} recorded it ({}); record the new version with `{hint}`",
                    rec.id(),
                    path.display()
                ),
            )),
            Err(e) => findings.push(Finding::error(
                path,
                1,
                format!("{} names {file}, which cannot be read: {e}", rec.id()),
            )),
        }
    }
    findings
}

#[cfg(test)]
mod tests;
