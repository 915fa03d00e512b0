//! The `check` command's orchestration: which records to load (all, the paths given, or
//! what a change since `--base` can reach), every rule over them, the pull-request gate
//! against the merge-base, authorship, and the findings sorted for printing.

use std::path::{Path, PathBuf};

use super::{BaseFile, Finding, Severity};
use crate::config::CONFIG_FILE;
use crate::error::Result;
use crate::git::{self, Change};
use crate::store::Store;

/// What to check.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only these record files, relative to the store root (references are still resolved
    /// against the whole store).
    pub paths: Vec<PathBuf>,
    /// Judge the change since the merge-base of this git revision and HEAD.
    pub base: Option<String>,
    /// Each history entry the change adds was committed by the member it names.
    pub verify_authors: bool,
    /// … and signed with their `signing_key`.
    pub verify_signatures: bool,
    /// The day guards and SLA rules are judged on.
    pub today: Option<chrono::NaiveDate>,
}

/// Runs every rule `options` asks for; the findings come sorted and without repeats.
pub fn run(store: &Store, options: &Options) -> Result<Vec<Finding>> {
    store.format.ensure_understood("judge")?;
    let today = options
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let only: Option<Vec<PathBuf>> = (!options.paths.is_empty()).then(|| options.paths.clone());
    // With a base, the change is judged from the merge-base of REF and HEAD, and the
    // whole-store rules run over the records the change can reach (all of them when
    // presales.toml changed): the base branch passed the others already, and a PR check
    // stays fast on a large store.
    // The store-wide findings ask git too (whether it tracks the caches): they run beside
    // the reading of the change, which is most of a PR check's time.
    let (fork, changes, store_findings) = std::thread::scope(|s| -> Result<_> {
        let store_findings = s.spawn(|| super::store_findings(store));
        let (fork, changes) = match &options.base {
            Some(base) => {
                let (fork, changes) = git::changed_since(store.root(), base)?;
                (Some(fork), Some(changes))
            }
            None => (None, None),
        };
        let store_findings = store_findings
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Ok((fork, changes, store_findings))
    })?;
    let config_changed = changes
        .as_ref()
        .is_some_and(|ch| ch.iter().any(|(_, p)| p == Path::new(CONFIG_FILE)));
    // What the change can reach: the records the gate judges.
    let reach = changes.as_ref().filter(|_| only.is_none()).map(|ch| {
        let changed: Vec<PathBuf> = ch
            .iter()
            .filter(|(c, _)| *c != Change::Deleted)
            .map(|(_, p)| p.clone())
            .collect();
        let mut reach = super::gate::reach(store, &changed);
        reach.extend(ch.iter().map(|(_, p)| p.clone()));
        reach
    });
    let only = match (only, &reach) {
        (None, Some(_)) if config_changed => None,
        (None, Some(reach)) => Some(reach.clone()),
        (only, _) => only,
    };
    let (loaded, mut findings) = match &only {
        Some(only) => {
            let (loaded, mut findings) = super::load(store, only);
            findings.extend(super::check_records(store, &loaded, today));
            (loaded, findings)
        }
        // The whole store is judged record by record as it is read; the gate, when the
        // team's file changed, reads the records the change reaches again.
        None => {
            let findings = super::check_store(store, today);
            let loaded = reach.map(|r| super::load(store, &r).0).unwrap_or_default();
            (loaded, findings)
        }
    };
    findings.extend(super::config_findings(store));
    findings.extend(store_findings);
    if let (Some(fork), Some(changes)) = (&fork, changes) {
        let mut wanted: Vec<PathBuf> = changes
            .iter()
            .filter(|(c, _)| *c != Change::Added)
            .map(|(_, p)| p.clone())
            .collect();
        wanted.push(PathBuf::from(CONFIG_FILE));
        let mut texts = git::read_at(store.root(), fork, &wanted)?;
        let base_config = texts.remove(Path::new(CONFIG_FILE)).flatten();
        let files: Vec<BaseFile> = changes
            .into_iter()
            .map(|(change, path)| BaseFile {
                base_text: texts.remove(&path).flatten(),
                path,
                change,
            })
            .collect();
        findings.extend(super::gate::judge(
            store,
            &loaded,
            &files,
            base_config.as_deref(),
        ));
    }
    if let Some(only) = &only {
        findings.retain(|f| only.contains(&f.path) || f.path == Path::new(CONFIG_FILE));
    }
    // After the filter above: a file can carry new entries and yet match REF itself.
    if let Some(base) = options.base.as_deref()
        && (options.verify_authors || options.verify_signatures)
    {
        let mut who = super::verify_authors(store, base, options.verify_signatures)?;
        if let Some(only) = only.as_ref().filter(|_| !options.paths.is_empty()) {
            who.retain(|f| only.contains(&f.path));
        }
        findings.extend(who);
    }
    if store.format.migration_due() {
        findings.push(Finding {
            path: CONFIG_FILE.into(),
            line: 1,
            column: 1,
            severity: Severity::Warning,
            message: store.format.migration_summary(),
        });
    }
    // A path asked about that names no file: an error, not a silent "ok".
    for p in &options.paths {
        if std::fs::symlink_metadata(store.root().join(p)).is_err() {
            findings.push(Finding::error(
                p,
                1,
                "no such file in the store (give the path of a record file, relative to where you are)",
            ));
        }
    }
    // Files out of place are findings here, not warnings.
    store.take_noticed();
    findings.sort();
    findings.dedup();
    Ok(findings)
}

/// The store's folder inside its git repository (`""` at the top, `store/` below it), for
/// annotations that name files from the repository root.
pub fn repo_prefix(store: &Store) -> String {
    git::prefix(store.root()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{HistoryEntry, Kind, Request};
    use crate::store::{self, Store};

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        store::init(dir.path(), true).unwrap();
        let store = Store::open(dir.path().to_path_buf()).unwrap();
        (dir, store)
    }

    fn now() -> crate::model::Timestamp {
        chrono::DateTime::parse_from_rfc3339("2026-11-27T10:00:00+08:00").unwrap()
    }

    /// A request written straight to the store, as a hand edit would.
    fn request(store: &Store, assignee: Option<&str>) -> PathBuf {
        let id = store.mint(Kind::Request, now()).unwrap();
        let customer = store.mint(Kind::Customer, now()).unwrap();
        let mut r: Request = serde_json::from_value(serde_json::json!({
            "id": id.to_string(),
            "title": "VPN 方案",
            "type": "solution",
            "stage": "registered",
            "priority": "P2",
            "customer": customer.to_string(),
            "created": now(),
            "history": [],
        }))
        .unwrap();
        r.history
            .push(HistoryEntry::new(now(), "zhao.lei", "create"));
        r.assignee = assignee.map(str::to_string);
        let lock = store.lock().unwrap();
        store.save(&r, &lock).unwrap().unwrap()
    }

    fn today() -> Options {
        Options {
            today: chrono::NaiveDate::from_ymd_opt(2026, 11, 27),
            ..Options::default()
        }
    }

    #[test]
    fn a_fresh_store_has_no_errors() {
        let (_dir, store) = store();
        let findings = run(&store, &today()).unwrap();
        assert!(
            findings.iter().all(|f| f.severity != Severity::Error),
            "{findings:?}"
        );
    }

    #[test]
    fn findings_name_the_file_and_only_the_paths_asked_for() {
        let (_dir, store) = store();
        let bad = request(&store, Some("nobody.here"));
        let findings = run(&store, &today()).unwrap();
        let rel = store.display_path(&bad);
        assert!(
            findings
                .iter()
                .any(|f| f.path == rel && f.severity == Severity::Error),
            "{findings:?}"
        );
        // Sorted and without repeats.
        let mut sorted = findings.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(findings, sorted);
        // Asked about another file only: the bad one is not reported.
        let other = request(&store, None);
        let only_other = Options {
            paths: vec![store.display_path(&other)],
            ..today()
        };
        let findings = run(&store, &only_other).unwrap();
        assert!(findings.iter().all(|f| f.path != rel), "{findings:?}");
    }

    #[test]
    fn a_path_that_names_no_file_is_an_error() {
        let (_dir, store) = store();
        let options = Options {
            paths: vec![PathBuf::from("requests/2026/REQ-20261127-AAAAAAA.yaml")],
            ..today()
        };
        let findings = run(&store, &options).unwrap();
        assert!(
            findings
                .iter()
                .any(|f| f.severity == Severity::Error && f.message.contains("no such file")),
            "{findings:?}"
        );
    }

    #[test]
    fn a_base_outside_git_is_an_error_not_a_pass() {
        let (_dir, store) = store();
        let with_base = Options {
            base: Some("main".into()),
            ..today()
        };
        assert!(run(&store, &with_base).is_err());
    }
}
