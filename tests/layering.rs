//! The architecture's rules, held by grep (docs/ARCHITECTURE.md, "Invariants"): `cli` only
//! parses, calls one operation and prints; every write goes through `ops::Tx`; only `git.rs`
//! runs git; only `store` touches record files; `report` and `search` stay independent.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Lines of the files under `src/<dir>` (tests modules excluded) that contain `needle`.
fn offenders(dir: &str, needles: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir);
    let files = if root.is_dir() {
        rust_files(&root)
    } else {
        vec![root.with_extension("rs")]
    };
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        // Unit tests may build fixtures any way they like.
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for (n, line) in code.lines().enumerate() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("//") {
                continue;
            }
            for needle in needles {
                if line.contains(needle) {
                    found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    found
}

#[test]
fn cli_holds_no_lock_no_save_and_runs_no_git() {
    let found = offenders(
        "cli",
        &[
            "store.lock(",
            ".save(",
            "StoreLock",
            "crate::git",
            "git::",
            "write_text(",
            "edit_config(",
        ],
    );
    assert!(
        found.is_empty(),
        "cli must call an operation (ops::…) instead:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_write_goes_through_a_transaction() {
    // `Store::lock` is taken in one place outside `store`: `ops::Tx::begin`.
    let mut found = Vec::new();
    for dir in [
        "cli",
        "check",
        "kb",
        "report",
        "search",
        "model",
        "workflow",
        "merge.rs",
        "assign.rs",
    ] {
        found.extend(offenders(
            dir.trim_end_matches(".rs"),
            &["store.lock(", ".lock()?"],
        ));
    }
    let ops: Vec<String> = offenders("ops", &["store.lock("]);
    assert!(found.is_empty(), "{}", found.join("\n"));
    assert_eq!(ops.len(), 1, "only Tx::begin locks: {ops:#?}");
    assert!(ops[0].contains("ops/mod.rs"), "{ops:?}");
}

#[test]
fn only_git_rs_runs_git() {
    let mut found = Vec::new();
    for dir in [
        "cli", "ops", "check", "kb", "report", "search", "store", "model", "workflow",
    ] {
        found.extend(offenders(dir, &["Command::new(\"git\")"]));
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn report_and_search_do_not_reach_into_the_store_or_the_cli() {
    let mut found = offenders("report", &["crate::store", "crate::cli", "crate::ops"]);
    found.extend(offenders(
        "search",
        &["crate::store", "crate::cli", "crate::ops", "crate::model"],
    ));
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn only_cli_prints() {
    let mut found = Vec::new();
    for dir in [
        "ops",
        "check",
        "kb",
        "report",
        "search",
        "store",
        "model",
        "workflow",
        "config.rs",
        "assign.rs",
        "calendar.rs",
        "merge.rs",
    ] {
        found.extend(offenders(
            dir.trim_end_matches(".rs"),
            &["println!(", "print!(", "eprintln!(", "eprint!("],
        ));
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
