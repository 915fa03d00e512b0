//! The rules of a legal change: each changed record against its version at a base revision.

use std::path::{Path, PathBuf};

use super::{Finding, Loaded, line_of_history_entry, line_of_key};
use crate::config::Role;
use crate::git::Change;
use crate::model::{HistoryEntry, Kind, Record, RecordId, Request, Solution};
use crate::store::{Store, yaml};
use crate::workflow::MoveKind;

/// A changed file and its text at the base revision.
pub struct BaseFile {
    /// Relative to the store root.
    pub path: PathBuf,
    pub change: Change,
    pub base_text: Option<String>,
}

const MOVES: [&str; 3] = ["advance", "revise", "close"];

/// Checks every changed record file against its base version.
pub fn check_changes(store: &Store, loaded: &Loaded, changes: &[BaseFile]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for c in changes {
        let stem = c
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let Ok(id) = RecordId::parse(&stem) else {
            continue;
        };
        if !c.path.starts_with(id.kind().dir()) {
            continue;
        }
        if c.change == Change::Deleted {
            findings.push(Finding::error(&c.path, 1, format!("{id} was deleted; records are closed, never deleted (restore it with `git checkout BASE -- {}`)", c.path.display())));
            continue;
        }
        match id.kind() {
            Kind::Request => {
                if let Some(head) = loaded.requests.iter().find(|r| r.record.id == id.as_str()) {
                    let base = parse_base::<Request>(c);
                    check_request(
                        store,
                        &c.path,
                        head.text(),
                        &head.record,
                        base.as_ref(),
                        &mut findings,
                    );
                }
            }
            Kind::Solution => {
                if let Some(head) = loaded.solutions.iter().find(|s| s.record.id == id.as_str()) {
                    let base = parse_base::<Solution>(c);
                    common(
                        &c.path,
                        head.text(),
                        &head.record,
                        base.as_ref(),
                        &mut findings,
                    );
                    check_solution(
                        store,
                        loaded,
                        &c.path,
                        head.text(),
                        &head.record,
                        base.as_ref(),
                        &mut findings,
                    );
                }
            }
            Kind::Customer => {
                if let Some(head) = loaded.customers.iter().find(|x| x.record.id == id.as_str()) {
                    let base = parse_base::<crate::model::Customer>(c);
                    common(
                        &c.path,
                        head.text(),
                        &head.record,
                        base.as_ref(),
                        &mut findings,
                    );
                }
            }
            Kind::Gap => {
                if let Some(head) = loaded.gaps.iter().find(|x| x.record.id == id.as_str()) {
                    let base = parse_base::<crate::model::Gap>(c);
                    common(
                        &c.path,
                        head.text(),
                        &head.record,
                        base.as_ref(),
                        &mut findings,
                    );
                }
            }
            Kind::Training => {
                if let Some(head) = loaded.trainings.iter().find(|x| x.record.id == id.as_str()) {
                    let base = parse_base::<crate::model::Training>(c);
                    common(
                        &c.path,
                        head.text(),
                        &head.record,
                        base.as_ref(),
                        &mut findings,
                    );
                }
            }
            Kind::Article => {}
        }
    }
    findings
}

fn parse_base<T: Record>(c: &BaseFile) -> Option<T> {
    // A base that does not parse cannot be compared; the head's own checks still run.
    c.base_text
        .as_deref()
        .and_then(|t| yaml::parse::<T>(&c.path, t).ok())
}

/// Rules shared by every kind: the id and created time stay, history is only appended to.
fn common<T: Record + serde::Serialize>(
    path: &Path,
    text: &str,
    head: &T,
    base: Option<&T>,
    findings: &mut Vec<Finding>,
) {
    let Some(base) = base else {
        if head.history().first().is_none_or(|h| h.action != "create") {
            findings.push(Finding::error(
                path,
                line_of_key(text, "history"),
                "a new record's history starts with its `create` entry",
            ));
        }
        return;
    };
    let (b, h) = (
        serde_json::to_value(base).unwrap_or_default(),
        serde_json::to_value(head).unwrap_or_default(),
    );
    for key in ["id", "created", "author", "request"] {
        if b.get(key) != h.get(key) {
            findings.push(Finding::error(
                path,
                line_of_key(text, key),
                format!(
                    "`{key}` changed from {} to {}; it never changes",
                    b.get(key).map(|v| v.to_string()).unwrap_or_default(),
                    h.get(key).map(|v| v.to_string()).unwrap_or_default()
                ),
            ));
        }
    }
    let (bh, hh) = (base.history(), head.history());
    if let Some(i) = (0..bh.len()).find(|&i| hh.get(i) != Some(&bh[i])) {
        let what = if i >= hh.len() { "removed" } else { "edited" };
        findings.push(Finding::error(
            path,
            line_of_history_entry(text, i.min(hh.len().saturating_sub(1))),
            format!(
                "history entry {} ({} by {}) was {what}; history is append-only",
                i + 1,
                bh[i].action,
                bh[i].by
            ),
        ));
    }
}

fn check_request(
    store: &Store,
    path: &Path,
    text: &str,
    head: &Request,
    base: Option<&Request>,
    findings: &mut Vec<Finding>,
) {
    common(path, text, head, base, findings);
    let Ok(wf) = store.workflow.path(&head.kind) else {
        return;
    };
    let new_from = base.map_or(0, |b| b.history.len().min(head.history.len()));
    let appended: Vec<(usize, &HistoryEntry)> =
        head.history.iter().enumerate().skip(new_from).collect();
    for (i, h) in &appended {
        if !MOVES.contains(&h.action.as_str()) {
            continue;
        }
        let (Some(from), Some(to)) = (h.from.as_deref(), h.to.as_deref()) else {
            findings.push(Finding::error(
                path,
                line_of_history_entry(text, *i),
                format!("history entry {} ({}) lacks from/to", i + 1, h.action),
            ));
            continue;
        };
        let legal = match wf.move_kind(from, to) {
            Some(MoveKind::Revise) => h.action == "revise",
            Some(_) => h.action != "revise",
            None => false,
        };
        if !legal {
            let options: Vec<String> = wf.moves_from(from).into_iter().map(|m| m.to).collect();
            findings.push(Finding::error(path, line_of_history_entry(text, *i), format!("illegal transition {from} → {to} for type `{}`; from `{from}` the legal next stages are: {}", head.kind, options.join(", "))));
        }
    }
    if let Some(b) = base
        && b.stage != head.stage
        && !appended.iter().any(|(_, h)| {
            MOVES.contains(&h.action.as_str()) && h.to.as_deref() == Some(head.stage.as_str())
        })
    {
        findings.push(Finding::error(
            path,
            line_of_key(text, "stage"),
            format!(
                "stage changed from `{}` to `{}` without a history entry; use `presales advance`",
                b.stage, head.stage
            ),
        ));
    }
    if let Some(b) = base
        && b.assignee != head.assignee
        && !appended
            .iter()
            .any(|(_, h)| h.action == crate::assign::ASSIGN_ACTION)
    {
        findings.push(Finding::error(
            path,
            line_of_key(text, "assignee"),
            "assignee changed without an `assign` history entry; use `presales assign`",
        ));
    }
}

fn check_solution(
    store: &Store,
    loaded: &Loaded,
    path: &Path,
    text: &str,
    head: &Solution,
    base: Option<&Solution>,
    findings: &mut Vec<Finding>,
) {
    let Some(approval) = &head.approval else {
        return;
    };
    if base.and_then(|b| b.approval.as_ref()) == Some(approval) {
        return;
    }
    let line = line_of_key(text, "approval");
    match store.config.member(&approval.by) {
        Some(m) if m.has_role(Role::Approver) => {}
        _ => findings.push(Finding::error(
            path,
            line,
            format!(
                "new approval by `{}`, who does not hold the approver role",
                approval.by
            ),
        )),
    }
    if approval.by == head.author {
        findings.push(Finding::error(
            path,
            line,
            format!(
                "new approval by `{}`, the solution's own author (four eyes)",
                approval.by
            ),
        ));
    }
    let assignee = loaded
        .requests
        .iter()
        .find(|r| r.record.id == head.request)
        .and_then(|r| r.record.assignee.as_deref());
    if assignee == Some(approval.by.as_str()) {
        findings.push(Finding::error(
            path,
            line,
            format!(
                "new approval by `{}`, the request's assignee (four eyes)",
                approval.by
            ),
        ));
    }
}
