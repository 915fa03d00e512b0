//! Concurrency and branches: the lock loses no update; IDs never collide across branches.

mod common;

use std::collections::HashSet;

use common::Env;

#[test]
fn twenty_concurrent_comments_leave_twenty_history_entries() {
    let env = Env::new();
    let cus = env.customer("ACME");
    let id = env.request(&cus, "并发评论", &[]);
    let before = env.json(&["show", &id])["history"]
        .as_array()
        .unwrap()
        .len();
    let children: Vec<_> = (0..20)
        .map(|i| {
            env.cmd()
                .args(["comment", &id, &format!("评论 {i}")])
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let hist = env.json(&["show", &id])["history"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(hist.len(), before + 20);
    let notes: HashSet<String> = hist
        .iter()
        .filter_map(|h| h["note"].as_str().map(str::to_string))
        .collect();
    for i in 0..20 {
        assert!(notes.contains(&format!("评论 {i}")), "comment {i} lost");
    }
    // No temp files left behind.
    let dir = env.path_of(&id).parent().unwrap().to_path_buf();
    let names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn two_clones_creating_two_hundred_requests_each_merge_without_collision() {
    let env = Env::new();
    let cus = env.customer("ACME");
    env.commit_all("customer");
    let clone = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("git")
        .args(["clone", "-q"])
        .arg(env.root())
        .arg(clone.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .status()
        .unwrap();
    assert!(status.success());
    let other = Env {
        dir: clone,
        now: env.now.clone(),
        user: env.user.clone(),
    };
    other.git(&["checkout", "-q", "-b", "other"]);
    env.git(&["checkout", "-q", "-b", "mine"]);
    let mut ids = HashSet::new();
    for i in 0..200 {
        // Same clock on both sides: the worst case for time-based IDs.
        assert!(ids.insert(env.request(&cus, &format!("mine {i}"), &[])));
        assert!(ids.insert(other.request(&cus, &format!("other {i}"), &[])));
    }
    env.commit_all("mine");
    other.commit_all("other");
    env.git(&[
        "pull",
        "-q",
        "--no-rebase",
        other.root().to_str().unwrap(),
        "other",
    ]);
    let listed = env.json(&["list"]);
    let listed: HashSet<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed.len(), 400);
    assert_eq!(listed, ids);
}
