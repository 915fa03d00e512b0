//! The search index under faults, through the real binary (issue 12): nothing outside the
//! store is touched, nothing inside is lost, nothing crashes. A committed symbolic link at
//! `.presales` or `.presales/index`, every derived file damaged in every way, searches
//! racing `reindex`, a read-only clone, a folder that cannot be written.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Env, Run};
use serde_json::Value;

/// Articles with known words, then a first search that builds the index.
fn store() -> Env {
    let env = Env::new();
    for (title, body) in [
        ("派工原则说明", "本组的派工原则是轮流，有技能要求时跳过。"),
        ("容器平台部署手册", "我们使用 Kubernetes 集群部署演示环境。"),
        ("备份策略", "核心数据库每天凌晨全量备份，保留三十天。"),
        (
            "VPN setup FAQ",
            "How to configure an IPsec VPN tunnel between two sites.",
        ),
    ] {
        env.run(&[
            "kb",
            "new",
            "--title",
            title,
            "--category",
            "faq",
            "--body",
            body,
        ])
        .ok();
    }
    env.commit_all("articles");
    assert_eq!(hits(&env, &["派工原则"]).len(), 1);
    env
}

fn ids(run: &Run) -> Vec<String> {
    let v: Value = serde_json::from_str(&run.stdout())
        .unwrap_or_else(|e| panic!("{e}\nstdout:\n{}\nstderr:\n{}", run.stdout(), run.stderr()));
    let mut ids: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

fn search(env: &Env, words: &[&str]) -> Run {
    let mut args = vec!["--format", "json", "kb", "search"];
    args.extend_from_slice(words);
    env.run(&args)
}

fn hits(env: &Env, words: &[&str]) -> Vec<String> {
    let run = search(env, words);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    ids(&run)
}

/// What users must never read on a fault.
fn assert_no_dump(stderr: &str) {
    for bad in [
        "panicked",
        "RUST_BACKTRACE",
        "Os {",
        "IoError",
        "DataCorruption",
        "tantivy",
    ] {
        assert!(!stderr.contains(bad), "`{bad}` in:\n{stderr}");
    }
}

/// Every file and folder under `dir`, relative, sorted, with each file's bytes.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Option<Vec<u8>>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().to_path_buf();
            if p.is_dir() {
                stack.push(p);
                out.push((rel, None));
            } else {
                out.push((rel, Some(fs::read(&p).unwrap())));
            }
        }
    }
    out.sort();
    out
}

/// A folder outside the store holding what a careless link would expose: a sentinel, and
/// an `index/` with files named like the index's.
fn outside_with_sentinel() -> tempfile::TempDir {
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("sentinel.txt"), "do not delete").unwrap();
    fs::create_dir_all(outside.path().join("index/gen-1")).unwrap();
    fs::write(outside.path().join("index/manifest.json"), "{}").unwrap();
    fs::write(outside.path().join("index/gen-1/.presales-generation"), "").unwrap();
    fs::write(outside.path().join("index/gen-1/meta.json"), "{}").unwrap();
    outside
}

/// Every index command on a teammate's clone of a repository where `link` (relative to
/// the root) was committed as a symbolic link to `target`.
#[cfg(unix)]
fn commands_on_a_clone_with_a_committed_link(link: &str, target: &Path) -> Vec<Run> {
    let env = store();
    let at = env.root().join(link);
    let _ = fs::remove_dir_all(env.root().join(".presales"));
    fs::create_dir_all(at.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, &at).unwrap();
    env.git(&["add", "-f", link]);
    env.git(&["commit", "-qm", "a link"]);
    let clone = tempfile::tempdir().unwrap();
    let status = Command::new("git")
        .args(["clone", "-q"])
        .arg(env.root())
        .arg(clone.path().join("c"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .status()
        .unwrap();
    assert!(status.success());
    let root = clone.path().join("c");
    assert!(
        fs::symlink_metadata(root.join(link))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let run = |args: &[&str]| Run {
        out: env.cmd().current_dir(&root).args(args).output().unwrap(),
    };
    vec![
        run(&["kb", "search", "派工原则"]),
        run(&["search", "派工原则"]),
        run(&["reindex"]),
        run(&["--format", "json", "reindex"]),
    ]
}

#[cfg(unix)]
#[test]
fn a_committed_link_at_presales_index_is_refused_and_its_target_untouched() {
    let outside = outside_with_sentinel();
    let before = snapshot(outside.path());
    for run in commands_on_a_clone_with_a_committed_link(".presales/index", outside.path()) {
        let err = run.err();
        assert!(
            err.contains("`.presales/index` is a symbolic link"),
            "{err}"
        );
        assert!(
            err.contains("hint: remove the link itself: `rm .presales/index`"),
            "{err}"
        );
        assert_no_dump(&err);
    }
    assert_eq!(snapshot(outside.path()), before, "nothing outside touched");
}

#[cfg(unix)]
#[test]
fn a_committed_link_at_presales_is_refused_and_its_target_untouched() {
    let outside = outside_with_sentinel();
    let before = snapshot(outside.path());
    for run in commands_on_a_clone_with_a_committed_link(".presales", outside.path()) {
        let err = run.err();
        assert!(err.contains("`.presales` is a symbolic link"), "{err}");
        assert_no_dump(&err);
    }
    assert_eq!(snapshot(outside.path()), before, "nothing outside touched");
}

/// Files of the index in a stable order: the generation folder's name (which changes with
/// every rebuild) is left out, and files sort by extension.
fn index_files(env: &Env) -> Vec<PathBuf> {
    let index = env.root().join(".presales/index");
    let mut files: Vec<PathBuf> = snapshot(&index)
        .into_iter()
        .filter(|(_, bytes)| bytes.is_some())
        .map(|(rel, _)| index.join(rel))
        .collect();
    let key = |p: &PathBuf| {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let ext = p.extension().map(|e| e.to_string_lossy().to_string());
        let in_gen = p.parent() != Some(index.as_path());
        (
            in_gen,
            ext,
            if name.len() > 30 { String::new() } else { name },
        )
    };
    files.sort_by_key(key);
    files
}

fn pseudo_random(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        })
        .collect()
}

#[test]
fn every_derived_file_damaged_in_every_way_gives_the_same_hits() {
    let env = store();
    let queries: [&[&str]; 3] = [&["派工原则"], &["kubernetes"], &["库"]];
    let want: Vec<Vec<String>> = queries.iter().map(|q| hits(&env, q)).collect();
    assert!(want.iter().all(|w| w.len() == 1), "{want:?}");
    let count = index_files(&env).len();
    assert!(count >= 8, "{:?}", index_files(&env));
    type Damage = fn(&Path);
    let damages: [(&str, Damage); 4] = [
        ("truncated", |p| {
            let b = fs::read(p).unwrap();
            fs::write(p, &b[..b.len() / 2]).unwrap();
        }),
        ("zeroed", |p| {
            let n = fs::metadata(p).unwrap().len() as usize;
            fs::write(p, vec![0u8; n.max(1)]).unwrap();
        }),
        ("random bytes", |p| {
            let n = fs::metadata(p).unwrap().len() as usize;
            fs::write(p, pseudo_random(n.max(16), n as u64)).unwrap();
        }),
        ("deleted", |p| fs::remove_file(p).unwrap()),
    ];
    let mut notices = 0;
    for k in 0..count {
        for (q, (what, damage)) in damages.iter().enumerate() {
            let files = index_files(&env);
            let Some(target) = files.get(k) else { continue };
            let name = target
                .strip_prefix(env.root())
                .unwrap()
                .display()
                .to_string();
            damage(target);
            let query = queries[(k + q) % queries.len()];
            let run = search(&env, query);
            assert_eq!(run.code(), 0, "{what} {name}:\n{}", run.stderr());
            assert_eq!(ids(&run), want[(k + q) % queries.len()], "{what} {name}");
            let stderr = run.stderr();
            assert_no_dump(&stderr);
            assert!(stderr.lines().count() <= 1, "{what} {name}:\n{stderr}");
            if let Some(line) = stderr.lines().next() {
                assert!(
                    line.starts_with("note: the search index"),
                    "{what} {name}: {line}"
                );
                notices += 1;
            }
            // Repaired: the next search is quiet.
            let run = search(&env, query);
            assert_eq!(ids(&run), want[(k + q) % queries.len()]);
            assert_eq!(run.stderr(), "", "{what} {name}, second search");
        }
    }
    assert!(notices > 0, "damage to the segment files is worth a note");

    // The manifest edited by hand: its checksum no longer matches; replaced silently.
    let manifest = env.root().join(".presales/index/manifest.json");
    let text = fs::read_to_string(&manifest).unwrap();
    let edited = text.replacen("\"count\":", "\"count\":9", 1);
    assert_ne!(edited, text);
    fs::write(&manifest, edited).unwrap();
    let run = search(&env, &["派工原则"]);
    assert_eq!(ids(&run), want[0]);
    assert_eq!(run.stderr(), "");
    // The whole folder replaced by garbage, and gone.
    for (rel, _) in snapshot(&env.root().join(".presales/index")) {
        let p = env.root().join(".presales/index").join(rel);
        if p.is_file() {
            fs::write(&p, b"\x00garbage{{").unwrap();
        }
    }
    let run = search(&env, &["kubernetes"]);
    assert_eq!(ids(&run), want[1]);
    assert!(run.stderr().lines().count() <= 1, "{}", run.stderr());
    fs::remove_dir_all(env.root().join(".presales/index")).unwrap();
    let run = search(&env, &["库"]);
    assert_eq!(ids(&run), want[2]);
    assert_eq!(run.stderr(), "", "a missing index is built without a word");
}

#[test]
fn searches_racing_reindex_never_answer_empty() {
    let env = store();
    let want = hits(&env, &["派工原则"]);
    let stop = std::sync::atomic::AtomicBool::new(false);
    let start = Instant::now();
    let mut searches = 0;
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                env.run(&["reindex"]).ok();
            }
        });
        // Two searches at a time, for up to 100 rounds or about 15 s.
        while searches < 100 && start.elapsed() < Duration::from_secs(15) {
            let spawn = || {
                env.cmd()
                    .args(["--format", "json", "kb", "search", "派工原则"])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            };
            let pair = [spawn(), spawn()];
            for child in pair {
                let run = Run {
                    out: child.wait_with_output().unwrap(),
                };
                assert_eq!(run.code(), 0, "{}", run.stderr());
                assert_eq!(ids(&run), want, "search {searches}: {}", run.stderr());
                assert_no_dump(&run.stderr());
                searches += 1;
            }
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    assert!(searches >= 20, "only {searches} searches ran");
}

/// Root ignores permissions: a read-only store cannot be simulated as root.
fn permissions_apply(env: &Env) -> bool {
    let probe = env.root().join("probe");
    fs::create_dir(&probe).unwrap();
    chmod_tree(&probe, false);
    let ignored = fs::write(probe.join("x"), "x").is_ok();
    chmod_tree(&probe, true);
    fs::remove_dir_all(&probe).unwrap();
    !ignored
}

/// `chmod -R a-w` (or back to writable for the owner).
fn chmod_tree(path: &Path, writable: bool) {
    let meta = fs::symlink_metadata(path).unwrap();
    if meta.file_type().is_symlink() {
        return;
    }
    if meta.is_dir() && writable {
        set_mode(path, meta.permissions(), true);
    }
    if meta.is_dir() {
        for entry in fs::read_dir(path).unwrap() {
            chmod_tree(&entry.unwrap().path(), writable);
        }
    }
    if !(meta.is_dir() && writable) {
        set_mode(path, fs::metadata(path).unwrap().permissions(), writable);
    }
}

fn set_mode(path: &Path, mut perms: fs::Permissions, writable: bool) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = perms.mode();
        perms.set_mode(if writable {
            mode | 0o200
        } else {
            mode & !0o222
        });
    }
    #[cfg(not(unix))]
    perms.set_readonly(!writable);
    fs::set_permissions(path, perms).unwrap();
}

/// Makes the store read-only for `f`, then writable again (so the temp dir can go).
fn read_only<T>(env: &Env, f: impl FnOnce() -> T) -> T {
    chmod_tree(env.root(), false);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    chmod_tree(env.root(), true);
    result.unwrap_or_else(|p| std::panic::resume_unwind(p))
}

#[test]
fn a_read_only_clone_searches() {
    let env = store();
    if !permissions_apply(&env) {
        eprintln!("skipped: permissions do not apply (running as root)");
        return;
    }
    let want = hits(&env, &["派工原则"]);
    let vpn = hits(&env, &["vpn"]);

    // Up to date: searched read-only, without a word.
    read_only(&env, || {
        let run = search(&env, &["派工原则"]);
        assert_eq!(ids(&run), want);
        assert_eq!(run.stderr(), "");
    });

    // Out of date: the index is searched as it was, and one line says so.
    let path = env.root().join(".presales");
    let article = fs::read_dir(env.root().join("kb"))
        .unwrap()
        .flat_map(|y| fs::read_dir(y.unwrap().path()).unwrap())
        .map(|e| e.unwrap().path())
        .find(|p| fs::read_to_string(p).unwrap().contains("VPN setup FAQ"))
        .unwrap();
    let text = fs::read_to_string(&article).unwrap();
    fs::write(&article, text.replace("IPsec VPN tunnel", "IPsec 隧道")).unwrap();
    read_only(&env, || {
        let run = search(&env, &["派工原则"]);
        assert_eq!(ids(&run), want);
        let err = run.stderr();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with("warning: the search index (.presales/index) cannot be written; searched the previous index, without 1 changed record"),
            "{err}"
        );
        assert_no_dump(&err);
    });

    // No index at all (a fresh clone: .presales/ is not committed): built in memory.
    fs::remove_dir_all(&path).unwrap();
    read_only(&env, || {
        let run = search(&env, &["派工原则"]);
        assert_eq!(ids(&run), want);
        let run = search(&env, &["隧道"]);
        assert_eq!(ids(&run), vpn, "the edit is seen");
        let err = run.stderr();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("note: "), "{err}");
        assert!(err.contains("searched an index built in memory"), "{err}");
        assert_no_dump(&err);
        // reindex cannot write: one clear error, nothing else.
        let err = env.run(&["reindex"]).err();
        assert!(err.contains("cannot be written"), "{err}");
        assert_no_dump(&err);
    });
    assert!(!path.exists(), "nothing written");
}

#[test]
fn reindex_that_cannot_write_keeps_the_previous_index() {
    let env = store();
    if !permissions_apply(&env) {
        eprintln!("skipped: permissions do not apply (running as root)");
        return;
    }
    let want = hits(&env, &["派工原则"]);
    let index = env.root().join(".presales/index");
    let before = snapshot(&index);
    // The folder cannot take a new generation (as on a full disk, the write fails).
    set_mode(&index, fs::metadata(&index).unwrap().permissions(), false);
    let run = env.run(&["reindex"]);
    set_mode(&index, fs::metadata(&index).unwrap().permissions(), true);
    let err = run.err();
    assert!(
        err.contains("could not write the search index")
            && err.contains("the previous index is kept"),
        "{err}"
    );
    assert_no_dump(&err);
    assert_eq!(snapshot(&index), before, "the previous index is untouched");
    let run = search(&env, &["派工原则"]);
    assert_eq!(ids(&run), want);
    assert_eq!(run.stderr(), "");
}
