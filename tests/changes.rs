//! `check --base` learns what changed from git's index and the store's own walk of the
//! tree (`check::changes`): in every state a working tree can be in, it finds what
//! `git diff` and `git ls-files --others` find.

mod common;

use std::path::{Path, PathBuf};

use common::Env;
use presales::check::changes::changed_since;
use presales::git::{self, Change};
use presales::store::Store;

/// Both readings of the change since `fork`, which must agree; the change.
fn same(dir: &Path, fork: &str) -> Vec<(Change, PathBuf)> {
    let store = Store::open(dir.to_path_buf()).unwrap();
    let mut fast = changed_since(&store, fork).unwrap();
    fast.sort_by(|a, b| a.1.cmp(&b.1));
    let git = git::changed_files(dir, fork).unwrap();
    assert_eq!(fast, git, "the index reading and git disagree");
    fast
}

fn write(env: &Env, rel: &str, text: &str) {
    let path = env.root().join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn rel(env: &Env, id: &str) -> String {
    env.path_of(id)
        .strip_prefix(env.root())
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

fn change(c: Change, p: &str) -> (Change, PathBuf) {
    (c, PathBuf::from(p))
}

#[test]
fn the_index_and_the_walk_find_what_git_finds() {
    let env = Env::new();
    let cus = env.customer("华东银行");
    let req = env.request(&cus, "智慧园区网络改造", &[]);
    let other = env.request(&cus, "数据中心迁移", &[]);
    env.commit_all("two requests");
    let fork = env.git(&["rev-parse", "HEAD"]).trim().to_string();
    let (req_path, other_path) = (rel(&env, &req), rel(&env, &other));
    let original = std::fs::read_to_string(env.root().join(&req_path)).unwrap();

    // The index is read here, not left to git.
    assert!(git::index(env.root()).unwrap().is_some());
    assert_eq!(same(env.root(), &fork), vec![]);

    // An edit in the working tree.
    write(&env, &req_path, &original.replace("智慧园区", "智慧校园"));
    assert_eq!(
        same(env.root(), &fork),
        vec![change(Change::Modified, &req_path)]
    );
    // Written back byte for byte: its stat changed, its content did not.
    write(&env, &req_path, &original);
    assert_eq!(same(env.root(), &fork), vec![]);

    // Staged, then undone in the working tree only: the tree is what counts.
    write(&env, &req_path, &original.replace("智慧园区", "智慧校园"));
    env.git(&["add", &req_path]);
    assert_eq!(
        same(env.root(), &fork),
        vec![change(Change::Modified, &req_path)]
    );
    write(&env, &req_path, &original);
    assert_eq!(same(env.root(), &fork), vec![]);
    env.git(&["reset", "-q"]);

    // Untracked files: a new record, a stray, an ignored temp file, a link.
    let new_id = env.request(&cus, "新需求", &[]);
    let new_path = rel(&env, &new_id);
    write(&env, "requests/notes.txt", "a note\n");
    write(&env, "requests/2026/.presales-tmp-123", "half a write");
    std::os::unix::fs::symlink("/etc/hostname", env.root().join("customers/link.yaml")).unwrap();
    let found = same(env.root(), &fork);
    assert!(found.contains(&change(Change::Added, &new_path)), "{found:?}");
    assert!(found.contains(&change(Change::Added, "requests/notes.txt")));
    assert!(found.contains(&change(Change::Added, "customers/link.yaml")));
    assert!(!found.iter().any(|(_, p)| p.to_string_lossy().contains("presales-tmp")));

    // A branch's commits (fork vs index) and a deletion, a rename, presales.toml.
    env.commit_all("more");
    std::fs::remove_file(env.root().join(&other_path)).unwrap();
    let moved = other_path.replace("requests/2026/", "requests/2025/");
    write(&env, &moved, &original);
    let config = std::fs::read_to_string(env.root().join("presales.toml")).unwrap();
    write(&env, "presales.toml", &format!("{config}\n# a comment\n"));
    let found = same(env.root(), &fork);
    assert!(found.contains(&change(Change::Deleted, &other_path)), "{found:?}");
    assert!(found.contains(&change(Change::Added, &moved)), "{found:?}");
    assert!(found.contains(&change(Change::Modified, "presales.toml")));
    assert!(found.contains(&change(Change::Added, &new_path)));

    // Deleted with `git rm`, and a tracked file outside the record folders.
    env.commit_all("again");
    std::fs::remove_file(env.root().join("requests/2026/.presales-tmp-123")).unwrap();
    env.git(&["rm", "-q", &new_path]);
    let ignore = std::fs::read_to_string(env.root().join(".gitignore")).unwrap();
    write(&env, ".gitignore", &format!("{ignore}# a comment\n"));
    let head = env.git(&["rev-parse", "HEAD"]).trim().to_string();
    assert_eq!(
        same(env.root(), &head),
        vec![
            change(Change::Modified, ".gitignore"),
            change(Change::Deleted, &new_path)
        ]
    );
}

#[test]
fn a_store_inside_a_larger_repository_sees_only_itself() {
    let env = Env::bare();
    let store = env.root().join("deals");
    std::fs::create_dir_all(&store).unwrap();
    let run = env.cmd().current_dir(&store).arg("init").output().unwrap();
    assert!(run.status.success());
    write(&env, "docs/readme.md", "outside\n");
    env.commit_all("init");
    let fork = env.git(&["rev-parse", "HEAD"]).trim().to_string();
    write(&env, "docs/readme.md", "changed outside\n");
    write(&env, "deals/requests/notes.txt", "inside\n");
    assert_eq!(
        same(&store, &fork),
        vec![change(Change::Added, "requests/notes.txt")]
    );
}

#[test]
fn conflicts_are_left_to_git() {
    let env = Env::new();
    let cus = env.customer("华东银行");
    let req = env.request(&cus, "智慧园区网络改造", &[]);
    env.commit_all("one request");
    let path = rel(&env, &req);
    let text = std::fs::read_to_string(env.root().join(&path)).unwrap();
    env.git(&["checkout", "-qb", "side"]);
    write(&env, &path, &text.replace("智慧园区", "甲"));
    env.commit_all("side");
    env.git(&["checkout", "-q", "main"]);
    write(&env, &path, &text.replace("智慧园区", "乙"));
    env.commit_all("main");
    let fork = env.git(&["rev-parse", "HEAD"]).trim().to_string();
    // No merge driver here: git leaves a conflict in the index (stages 1 to 3).
    let out = std::process::Command::new("git")
        .current_dir(env.root())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .args(["merge", "-q", "side"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(git::index(env.root()).unwrap().is_none());
    same(env.root(), &fork);
}
