//! `check --base`: which rules judge a pull request, and with what. A change to presales.toml
//! is judged alone; a store of format 2 or later is judged by replaying its history
//! ([`super::replay`]); an older store by the field rules of [`super::base`].

use std::path::{Path, PathBuf};

use super::base::{BaseFile, check_changes};
use super::replay::{RecordChange, Rules, named_files, replay};
use super::{Finding, Loaded, Severity};
use crate::config::{CONFIG_FILE, Config};
use crate::git::Change;
use crate::model::{Article, Customer, Kind, RecordId, Request, Solution};
use crate::ops::AnyRecord;
use crate::store::format::StoreFormat;
use crate::store::{Store, yaml};
use crate::workflow::Workflow;

/// The first store format whose entries can be replayed.
pub const REPLAYABLE_FORMAT: u32 = 2;

/// A record file's ID, when `path` (relative to the root) is where a record of that ID lives.
pub fn record_id(path: &Path) -> Option<RecordId> {
    let stem = path.file_stem()?.to_string_lossy().to_string();
    let id = RecordId::parse(&stem).ok()?;
    (id.as_str() == stem && path.extension().is_some_and(|e| e == "yaml"))
        .then_some(id)
        .filter(|id| path.starts_with(id.kind().dir()))
}

fn parse_any(kind: Kind, path: &Path, text: &str) -> crate::Result<AnyRecord> {
    Ok(match kind {
        Kind::Request => AnyRecord::Request(yaml::parse::<Request>(path, text)?),
        Kind::Solution => AnyRecord::Solution(yaml::parse::<Solution>(path, text)?),
        Kind::Article => AnyRecord::Article(yaml::parse::<Article>(path, text)?),
        Kind::Customer => AnyRecord::Customer(yaml::parse::<Customer>(path, text)?),
        Kind::Gap => AnyRecord::Gap(yaml::parse::<crate::model::Gap>(path, text)?),
        Kind::Training => AnyRecord::Training(yaml::parse::<crate::model::Training>(path, text)?),
    })
}

/// Judges the changes between the merge-base and the working tree. `files` are every changed
/// file (records and others) with their text at the merge-base; `base_config` is
/// presales.toml there (`None` when the store is new in this change).
pub fn judge(
    store: &Store,
    loaded: &Loaded,
    files: &[BaseFile],
    base_config: Option<&str>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let config_path = Path::new(CONFIG_FILE);
    let records: Vec<&BaseFile> = files
        .iter()
        .filter(|f| record_id(&f.path).is_some())
        .collect();
    let config_changed = files.iter().any(|f| f.path == config_path);
    let base_format = base_config
        .and_then(StoreFormat::peek)
        .map_or(store.format.effective(), |f| f.effective());
    let head_format = store.format.effective();
    let migration =
        (config_changed && head_format > base_format).then_some((base_format, head_format));
    if config_changed && !records.is_empty() && migration.is_none() {
        findings.push(Finding::error(
            config_path,
            1,
            format!(
                "presales.toml changed together with {} record file(s); a change to the team, the rules or the permissions is reviewed alone: split it into its own pull request (only `presales migrate` changes both)",
                records.len()
            ),
        ));
    }
    // The rules of the merge-base judge the change.
    let base_rules = base_config.map(|text| {
        Config::parse(text)
            .map_err(|e| e.message().to_string())
            .and_then(|c| {
                Workflow::new(&c.workflow)
                    .map(|w| (c, w))
                    .map_err(|e| e.message)
            })
    });
    let (config, workflow) = match base_rules {
        Some(Ok((c, w))) => (c, w),
        Some(Err(e)) => {
            findings.push(Finding {
                path: config_path.to_path_buf(),
                line: 1,
                column: 1,
                severity: Severity::Warning,
                message: format!(
                    "presales.toml at the merge-base does not parse ({e}); the change is judged by the current one"
                ),
            });
            (store.config.clone(), store.workflow.clone())
        }
        None => (store.config.clone(), store.workflow.clone()),
    };
    if base_format < REPLAYABLE_FORMAT && migration.is_none() {
        findings.extend(check_changes(store, loaded, files));
        return findings;
    }
    let mut changes = Vec::new();
    for f in &records {
        let Some(id) = record_id(&f.path) else {
            continue;
        };
        if f.change == Change::Deleted {
            findings.push(Finding::error(
                &f.path,
                1,
                format!(
                    "{id} was deleted; records are closed, never deleted (restore it with `git checkout BASE -- {}`)",
                    f.path.display()
                ),
            ));
            continue;
        }
        let base = match &f.base_text {
            None => None,
            Some(t) => match parse_any(id.kind(), &f.path, t) {
                Ok(r) => Some(r),
                // A base that does not parse cannot be replayed from; the head's own checks run.
                Err(_) => continue,
            },
        };
        // Never through a link: the load reports it.
        let Ok(text) = store.read_inside(&f.path) else {
            continue;
        };
        // A head that does not parse is reported by the load.
        let Ok(head) = parse_any(id.kind(), &f.path, &text) else {
            continue;
        };
        changes.push(RecordChange {
            id,
            path: f.path.clone(),
            base,
            head: Some((head, text)),
        });
    }
    let rules = Rules {
        config: &config,
        workflow: &workflow,
        migration,
    };
    findings.extend(replay(&rules, &changes, store));
    // Files named by records: those of changed records, and records naming a changed file.
    let mut named: Vec<(PathBuf, AnyRecord)> = changes
        .iter()
        .filter_map(|c| c.head.as_ref().map(|(r, _)| (c.path.clone(), r.clone())))
        .collect();
    let others: Vec<String> = files
        .iter()
        .filter(|f| record_id(&f.path).is_none() && f.path != config_path)
        .map(|f| crate::store::slash_path(&f.path))
        .collect();
    if !others.is_empty() {
        let (sols, _) = store.load_all_cached::<Solution>();
        for s in sols {
            if s.plan_file.as_ref().is_some_and(|p| others.contains(p))
                && let Ok(id) = RecordId::parse(&s.id)
            {
                named.push((Store::rel_path(&id), AnyRecord::Solution(s)));
            }
        }
        let (arts, _) = store.load_all_cached::<Article>();
        for a in arts {
            if a.body_file.as_ref().is_some_and(|p| others.contains(p))
                && let Ok(id) = RecordId::parse(&a.id)
            {
                named.push((Store::rel_path(&id), AnyRecord::Article(a)));
            }
        }
    }
    named.sort_by(|a, b| a.0.cmp(&b.0));
    named.dedup_by(|a, b| a.0 == b.0);
    findings.extend(named_files(&named, store));
    findings
}

/// The record files a change can reach: the changed ones and the records they name (a
/// request's solution and customer, a solution's request and the solutions it supersedes or
/// is superseded by). The whole-store rules run over these, so a change cannot break an
/// unchanged file unseen. (A request that names a changed record is itself changed, or
/// named it before the change too: links are set by commands on both ends. A change to the
/// team or the rules in presales.toml is checked against the whole store.)
pub fn reach(store: &Store, changed: &[PathBuf]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = changed.to_vec();
    let push = |out: &mut Vec<PathBuf>, id: &str| {
        if let Ok(id) = RecordId::parse(id) {
            out.push(Store::rel_path(&id));
        }
    };
    for path in changed {
        let Some(id) = record_id(path) else { continue };
        let Ok(text) = store.read_inside(path) else {
            continue;
        };
        match parse_any(id.kind(), path, &text) {
            Ok(AnyRecord::Request(r)) => {
                push(&mut out, &r.customer);
                if let Some(s) = &r.solution {
                    push(&mut out, s);
                }
                for l in &r.gaps {
                    push(&mut out, &l.gap);
                }
            }
            Ok(AnyRecord::Gap(g)) => {
                for other in g.merged_into.iter().chain(&g.workaround) {
                    push(&mut out, other);
                }
            }
            Ok(AnyRecord::Solution(s)) => {
                push(&mut out, &s.request);
                for other in s.supersedes.iter().chain(&s.superseded_by) {
                    push(&mut out, other);
                }
            }
            _ => {}
        }
    }
    out.sort();
    out.dedup();
    out
}
