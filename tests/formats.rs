//! The store format: every released format is read, checked and migrated; a binary meeting a
//! newer store refuses to write or judge it; clones get LF records and the merge driver.
//!
//! `tests/fixtures/stores/` keeps one store per released format, committed when the format
//! was current and never edited since: `v0.1.0` (format 1, as presales 0.1.0 wrote it,
//! without a recorded format) and `format-2` (as presales 0.2.0 writes it: replayable
//! history entries).

mod common;

use std::path::Path;

use common::Env;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/stores");

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A git repo holding a copy of the fixture store `name`, committed.
fn fixture(name: &str) -> Env {
    let env = Env::bare();
    copy_dir(&Path::new(FIXTURES).join(name), env.root());
    env.commit_all(name);
    env
}

/// Every record file of the store, with its text.
fn records(root: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in ["requests", "solutions", "kb", "customers"] {
        for e in walk(&root.join(dir)) {
            if e.extension().is_some_and(|x| x == "yaml") {
                out.push((
                    e.strip_prefix(root).unwrap().display().to_string(),
                    std::fs::read_to_string(&e).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// What every version must be able to do with a store of an older or equal format.
fn read_and_checked(env: &Env) {
    let list = env.json(&["list"]);
    assert!(list.as_array().unwrap().len() >= 5, "{list}");
    let first = list[0]["id"].as_str().unwrap().to_string();
    assert!(env.run(&["show", &first]).ok().contains(&first));
    env.run(&["solution", "list"]).ok();
    env.run(&["kb", "list"]).ok();
    assert!(!env.run(&["kb", "search", "派工"]).ok().is_empty());
    env.run(&["report", "weekly", "--as-of", "2026-11-27"]).ok();
    let check = env.run(&["check"]);
    assert_eq!(check.code(), 0, "{}", check.stderr());
    assert!(
        !check.stdout().contains("error"),
        "a released format must pass check: {}",
        check.stdout()
    );
}

#[test]
fn the_format_2_fixture_is_read_checked_and_needs_only_the_gitignore_gaps_and_trainings_lines() {
    let env = fixture("format-2");
    read_and_checked(&env);
    // Since the fixture was written, `.gitignore` also keeps out the temp files of
    // interrupted writes, and `.gitattributes` routes the new gap and training records
    // (`gaps/`, `trainings/`) to the merge driver; no record changes.
    let check = env.run(&["migrate", "--check"]);
    assert_eq!(check.code(), 1, "{}", check.stderr());
    assert_eq!(
        check.stdout(),
        ".gitattributes: add the merge-driver and LF line-ending rules for record files\n\
         .gitignore: ignore the derived caches and the temp files of interrupted writes\n"
    );
    let before = records(env.root());
    env.run(&["migrate"]).ok();
    assert_eq!(records(env.root()), before);
    assert_eq!(
        env.git(&["status", "--porcelain"]),
        " M .gitattributes\n M .gitignore\n"
    );
    let attributes = std::fs::read_to_string(env.root().join(".gitattributes")).unwrap();
    assert!(
        attributes.ends_with(
            "gaps/**/*.yaml merge=presales text eol=lf\n\
             trainings/**/*.yaml merge=presales text eol=lf\n"
        ),
        "{attributes}"
    );
    env.commit_all("migrate");
    let check = env.run(&["migrate", "--check"]);
    assert_eq!(check.code(), 0, "{}", check.stderr());
    assert_eq!(check.stdout(), "", "migrate --check prints nothing");
}

#[test]
fn a_0_1_0_store_is_read_checked_and_migrated_in_one_reviewable_change() {
    let env = fixture("v0.1.0");
    read_and_checked(&env);
    // check says a migration is due, without failing the pull request.
    let check = env.run(&["check"]);
    assert!(
        check.stdout().contains("warning") && check.stdout().contains("presales migrate"),
        "{}",
        check.stdout()
    );
    let planned = env.run(&["migrate", "--check"]);
    assert_eq!(planned.code(), 1);
    assert!(
        planned.stdout().contains("presales.toml"),
        "{}",
        planned.stdout()
    );
    assert!(
        planned.stdout().contains(".gitattributes"),
        "{}",
        planned.stdout()
    );
    // Nothing was written by --check.
    assert_eq!(env.git(&["status", "--porcelain"]), "");

    let before = records(env.root());
    let run = env.run_as("zhang.wei", &["--commit", "migrate"]);
    run.ok();
    let after = records(env.root());
    let changed = env.git(&["show", "--name-only", "--format=", "HEAD"]);
    let changed: Vec<&str> = changed.lines().collect();
    assert!(changed.contains(&".gitattributes") && changed.contains(&"presales.toml"));
    assert!(changed.contains(&".gitignore"), "{changed:?}");
    // Records with demos, feedback or verdicts gain item ids and one `migrate` entry after
    // their untouched past entries; every other record is byte for byte the same.
    let mut upgraded = 0;
    for ((path, old), (_, new)) in before.iter().zip(&after) {
        if old == new {
            assert!(!changed.contains(&path.as_str()), "{path}");
            continue;
        }
        upgraded += 1;
        assert!(changed.contains(&path.as_str()), "{path}");
        let old_history = &old[old.find("history:").unwrap()..];
        let new_history = &new[new.find("history:").unwrap()..];
        assert!(
            new_history.starts_with(old_history),
            "{path}: past entries untouched"
        );
        let added = &new_history[old_history.len()..];
        assert_eq!(added.matches("- at:").count(), 1, "{path}: {added}");
        assert!(added.contains("action: migrate\n"), "{added}");
        assert!(added.contains("from: \"1\""), "{added}");
        assert!(new.contains("- id: "), "{path}");
    }
    assert!(
        upgraded >= 3,
        "the demo has demos and review rounds: {upgraded}"
    );
    assert_eq!(changed.len(), upgraded + 3, "{changed:?}");
    let toml = std::fs::read_to_string(env.root().join("presales.toml")).unwrap();
    assert!(toml.contains("format = 2"), "{toml}");
    let attributes = std::fs::read_to_string(env.root().join(".gitattributes")).unwrap();
    assert!(
        attributes.contains("requests/**/*.yaml merge=presales text eol=lf"),
        "{attributes}"
    );
    assert_eq!(env.run(&["migrate", "--check"]).stdout(), "");
    let check = env.run(&["check"]);
    assert_eq!(check.code(), 0);
    assert!(!check.stdout().contains("migrate"), "{}", check.stdout());
    read_and_checked(&env);
}

/// Makes the store look as if a future presales had migrated it.
fn from_the_future(env: &Env) {
    let path = env.root().join("presales.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text
        .replace("format = 2", "format = 99\nsetting_from_the_future = true")
        .replace("requires = \"0.2.0\"", "requires = \"9.4.0\"");
    assert!(text.contains("format = 99"), "{text}");
    std::fs::write(&path, text).unwrap();
    env.commit_all("a newer presales migrated the store");
}

#[test]
fn a_binary_older_than_the_store_refuses_to_write_or_judge_it() {
    let env = fixture("format-2");
    from_the_future(&env);
    let id = env.json(&["list"])[0]["id"].as_str().unwrap().to_string();
    // Reading still works, with a note.
    let show = env.run(&["show", &id]);
    assert!(show.ok().contains(&id));
    assert!(show.stderr().contains("format 99"), "{}", show.stderr());

    for args in [
        vec!["comment", id.as_str(), "looks fine"],
        vec!["fmt"],
        vec!["migrate"],
        vec!["check"],
        vec!["check", "--base", "HEAD"],
        vec!["customer", "new", "--name", "新客户"],
    ] {
        let run = env.run_as("li.na", &args);
        let err = run.err();
        assert!(
            err.contains("format 99") && err.contains("9.4.0"),
            "{args:?} must name the format and the version it needs: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    assert_eq!(
        env.git(&["status", "--porcelain"]),
        "",
        "nothing was written"
    );
}

#[test]
fn a_newer_store_that_cannot_be_read_says_it_is_newer() {
    let env = fixture("format-2");
    let path = env.root().join("presales.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    // A newer format whose settings this binary cannot parse at all.
    std::fs::write(
        &path,
        text.replace("format = 2", "format = 3\nreview_policy = { quorum = 2 }")
            .replace("min_reviewers = 2", "min_reviewers = \"two\""),
    )
    .unwrap();
    let err = env.run(&["list"]).err();
    assert!(err.contains("format 3"), "{err}");
    assert!(!err.contains("min_reviewers"), "{err}");
}

#[test]
fn a_crlf_checkout_passes_fmt_check_once_records_are_normalized() {
    // A 0.1.0 store (no eol rule), cloned on a machine with core.autocrlf=true: CRLF records.
    let origin = fixture("v0.1.0");
    let clone = |env: &Env, name: &str| -> std::path::PathBuf {
        let to = env.root().join("..").join(format!(
            "{}-{name}",
            env.root().file_name().unwrap().to_string_lossy()
        ));
        let _ = std::fs::remove_dir_all(&to);
        let out = std::process::Command::new("git")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .args(["-c", "core.autocrlf=true", "clone", "-q"])
            .arg(env.root())
            .arg(&to)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        to
    };
    let windows = clone(&origin, "windows");
    let crlf = std::fs::read_to_string(windows.join("presales.toml")).unwrap();
    assert!(crlf.contains("\r\n"), "the old store checks out with CRLF");
    let fmt = |root: &Path| {
        let mut c = origin.cmd();
        c.current_dir(root)
            .args(["fmt", "--check"])
            .output()
            .unwrap()
    };
    assert_eq!(
        fmt(&windows).status.code(),
        Some(1),
        "CRLF records are not canonical"
    );

    // The fix: migrate (writes the eol rules), renormalize, commit; a new clone is clean.
    origin.run_as("zhang.wei", &["migrate"]).ok();
    origin.git(&["add", "--renormalize", "."]);
    origin.commit_all("migrate: LF line endings for records");
    let windows = clone(&origin, "windows-after");
    let lf = std::fs::read_to_string(windows.join("presales.toml")).unwrap();
    assert!(!lf.contains('\r'), "presales.toml is checked out with LF");
    let out = fmt(&windows);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&windows);
}

#[test]
fn the_first_command_in_a_clone_registers_the_merge_driver_once() {
    let env = Env::bare();
    env.run(&["init"]).ok();
    env.commit_all("init");
    // A fresh clone has no driver in its config.
    env.git(&["config", "--unset", "merge.presales.driver"]);
    let first = env.run(&["list"]);
    first.ok();
    let stderr = first.stderr();
    let said: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("merge driver"))
        .collect();
    assert_eq!(said.len(), 1, "one line: {}", first.stderr());
    assert!(
        env.git(&["config", "--get", "merge.presales.driver"])
            .contains("presales merge-file %O %A %B %P")
    );
    let second = env.run(&["list"]);
    assert!(
        !second.stderr().contains("merge driver"),
        "{}",
        second.stderr()
    );

    // Opting out leaves git's config alone.
    env.git(&["config", "--remove-section", "merge.presales"]);
    let path = env.root().join("presales.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace(
            "register_merge_driver = true",
            "register_merge_driver = false",
        ),
    )
    .unwrap();
    let run = env.run(&["list"]);
    assert!(!run.stderr().contains("merge driver"), "{}", run.stderr());
    assert!(
        !env.git(&["config", "--list"]).contains("merge.presales"),
        "the driver must not be registered"
    );
}

#[test]
fn init_writes_the_format_and_eol_rules() {
    let env = Env::new();
    let toml = std::fs::read_to_string(env.root().join("presales.toml")).unwrap();
    assert!(toml.contains("format = 2"), "{toml}");
    let attributes = std::fs::read_to_string(env.root().join(".gitattributes")).unwrap();
    for dir in ["requests", "solutions", "kb", "customers"] {
        assert!(
            attributes.contains(&format!("{dir}/**/*.yaml merge=presales text eol=lf")),
            "{attributes}"
        );
    }
    assert_eq!(env.run(&["migrate", "--check"]).stdout(), "");
}
