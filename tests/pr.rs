//! The pull-request workflow: check, check --base, the merge driver, --commit.

mod common;

use common::Env;

fn with_driver(env: &Env) {
    env.git(&[
        "config",
        "merge.presales.driver",
        &format!("{} merge-file %O %A %B %P", env!("CARGO_BIN_EXE_presales")),
    ]);
}

/// A request in analysis on main, committed.
fn analysed(env: &Env) -> String {
    let cus = env.customer("华东银行");
    let id = env.request(&cus, "智慧园区", &["--skill", "network"]);
    env.run_as("zhang.wei", &["assign", &id, "--to", "li.na"])
        .ok();
    env.run_as(
        "li.na",
        &[
            "assess",
            &id,
            "--feasibility",
            "feasible",
            "--difficulty",
            "3",
        ],
    )
    .ok();
    env.commit_all("request in analysis");
    id
}

#[test]
fn a_fresh_store_and_its_records_pass_check() {
    let env = Env::new();
    analysed(&env);
    let r = env.run(&["check"]);
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());
    assert!(r.stderr().contains("no problems"));
    let r = env.run(&["check", "--base", "HEAD"]);
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());
    assert!(env.root().join(".gitattributes").exists());
}

#[test]
fn two_branches_advance_and_comment_then_merge_cleanly_with_the_driver() {
    let mut env = Env::new();
    with_driver(&env);
    let id = analysed(&env);
    env.git(&["checkout", "-q", "-b", "a"]);
    env.now = "2026-11-27T11:00:00+08:00".into();
    env.run_as("li.na", &["advance", &id]).ok();
    env.run_as("li.na", &["comment", &id, "开始设计"]).ok();
    env.commit_all("a: design");
    env.git(&["checkout", "-q", "main"]);
    env.git(&["checkout", "-q", "-b", "b"]);
    let mut env_b = env;
    env_b.now = "2026-11-27T12:00:00+08:00".into();
    env_b
        .run_as("zhao.lei", &["comment", &id, "客户催进度"])
        .ok();
    env_b.run_as("li.na", &["comment", &id, "已回复客户"]).ok();
    env_b.commit_all("b: comments");
    env_b.git(&["merge", "-q", "--no-edit", "a"]);
    let text = env_b.read(&id);
    assert!(
        !text.contains("<<<<<<<") && !text.contains(">>>>>>>"),
        "{text}"
    );
    let req = env_b.json(&["show", &id]);
    assert_eq!(req["stage"], "design");
    let notes: Vec<&str> = req["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["note"].as_str())
        .collect();
    assert_eq!(
        notes,
        ["开始设计", "客户催进度", "已回复客户"],
        "union in time order"
    );
    let r = env_b.run(&["check", "--base", "main"]);
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());
}

#[test]
fn a_real_conflict_is_kept_without_markers_and_reported_by_check() {
    let env = Env::new();
    with_driver(&env);
    let id = analysed(&env);
    let path = env.path_of(&id);
    env.git(&["checkout", "-q", "-b", "a"]);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("title: 智慧园区", "title: 智慧园区 A 方案"),
    )
    .unwrap();
    env.commit_all("a");
    env.git(&["checkout", "-q", "main"]);
    std::fs::write(
        &path,
        text.replace("title: 智慧园区", "title: 智慧园区 B 方案"),
    )
    .unwrap();
    env.commit_all("main");
    let out = env.cmd().args(["--version"]).output().unwrap();
    assert!(out.status.success());
    let merge = std::process::Command::new("git")
        .current_dir(env.root())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@e")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@e")
        .args(["merge", "-q", "--no-edit", "a"])
        .output()
        .unwrap();
    assert!(!merge.status.success(), "git reports the conflict");
    let merged = std::fs::read_to_string(&path).unwrap();
    assert!(!merged.contains("<<<<<<<"), "{merged}");
    assert!(merged.contains("merge_conflicts:"), "{merged}");
    let r = env.run(&["check"]);
    assert_eq!(r.code(), 1);
    assert!(
        r.stdout().contains("merge conflict on `title`")
            && r.stdout().contains("智慧园区 A 方案")
            && r.stdout().contains("智慧园区 B 方案"),
        "{}",
        r.stdout()
    );
}

#[test]
fn check_base_catches_a_skipped_stage_an_edited_history_and_a_self_approval() {
    let env = Env::new();
    let id = analysed(&env);
    let path = env.path_of(&id);
    let text = std::fs::read_to_string(&path).unwrap();

    // Jump analysis → approved by hand, with a history entry to look legitimate.
    let jumped = text.replace("stage: analysis", "stage: approved")
        + "- at: \"2026-11-27T10:00:00+08:00\"\n  by: li.na\n  action: advance\n  from: analysis\n  to: approved\n";
    std::fs::write(&path, &jumped).unwrap();
    let r = env.run(&["check", "--base", "main"]);
    assert_eq!(r.code(), 1);
    let out = r.stdout();
    let rel = format!("requests/2026/{id}.yaml:");
    assert!(
        out.lines()
            .any(|l| l.starts_with(&rel) && l.contains("has no `op`")),
        "{out}"
    );
    // The same with an operation id, as if a command had written it: the replay refuses
    // the move and names the legal ones.
    let forged = text.replace("stage: analysis", "stage: approved")
        + "- at: \"2026-11-27T10:00:00+08:00\"\n  by: li.na\n  action: advance\n  op: FORGED0001\n  from: analysis\n  to: approved\n";
    std::fs::write(&path, &forged).unwrap();
    let out = env.run(&["check", "--base", "main"]).stdout();
    assert!(
        out.lines().any(|l| l.starts_with(&rel)
            && l.contains("not a legal change")
            && l.contains("design")),
        "{out}"
    );
    // The same jump without a history entry.
    std::fs::write(&path, text.replace("stage: analysis", "stage: design")).unwrap();
    let out = env.run(&["check", "--base", "main"]).stdout();
    assert!(
        out.contains("`stage` changed \"analysis\" → \"design\" with no command"),
        "{out}"
    );

    // Edit an old history entry.
    std::fs::write(&path, text.replacen("  by: zhao.lei", "  by: zhang.wei", 1)).unwrap();
    let r = env.run(&["check", "--base", "main", "--format", "github"]);
    assert_eq!(r.code(), 1);
    assert!(
        r.stdout()
            .contains(&format!("::error file=requests/2026/{id}.yaml,line=")),
        "{}",
        r.stdout()
    );
    assert!(
        r.stdout()
            .contains("history entry 1 (`create` by zhao.lei at 2026-11-27T10:00:00+08:00) was edited or removed"),
        "{}",
        r.stdout()
    );
    std::fs::write(&path, &text).unwrap();

    // Approve one's own solution by hand.
    env.run_as("li.na", &["advance", &id]).ok();
    let sol = env
        .run_as("li.na", &["solution", "new", "--request", &id])
        .ok();
    env.commit_all("solution");
    let sol_path = env.root().join(format!("solutions/2026/{sol}.yaml"));
    let s = std::fs::read_to_string(&sol_path).unwrap();
    let approved = s.replace(
        "history:\n",
        "approval:\n  by: li.na\n  at: \"2026-11-27T10:00:00+08:00\"\nhistory:\n",
    );
    std::fs::write(&sol_path, approved).unwrap();
    let r = env.run(&["check", "--base", "HEAD", "--format", "json"]);
    assert_eq!(r.code(), 1);
    let findings: serde_json::Value = serde_json::from_str(&r.stdout()).unwrap();
    let msgs: Vec<&str> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("`approval` changed (none) →") && m.contains("approve")),
        "{msgs:?}"
    );
    assert!(msgs.iter().any(|m| m.contains("four eyes")), "{msgs:?}");
    assert!(findings[0]["line"].as_u64().unwrap() > 1);
}

#[test]
fn check_reports_places_duplicates_references_members_and_form() {
    let env = Env::new();
    let id = analysed(&env);
    let path = env.path_of(&id);
    let text = std::fs::read_to_string(&path).unwrap();
    // Wrong year folder + duplicate.
    std::fs::create_dir_all(env.root().join("requests/2025")).unwrap();
    std::fs::write(env.root().join(format!("requests/2025/{id}.yaml")), &text).unwrap();
    // Broken customer reference, unknown member, non-canonical spacing.
    std::fs::write(
        &path,
        text.replacen(
            "\ncustomer: CUS-",
            "\ncustomer: CUS-20200101-0000000\nx_old: CUS-",
            1,
        )
        .replace("assignee: li.na", "assignee: ghost"),
    )
    .unwrap();
    let r = env.run(&["check"]);
    assert_eq!(r.code(), 1);
    let out = r.stdout();
    for expect in [
        "wrong place",
        "duplicate ID",
        "customer CUS-20200101-0000000 does not exist",
        "assignee `ghost` is not a team member",
        "not in canonical form",
    ] {
        assert!(out.contains(expect), "{expect}: {out}");
    }
    std::fs::write(env.root().join("requests/2026/notes.yaml"), "x: 1\n").unwrap();
    assert!(env.run(&["check"]).stdout().contains("not a record ID"));
}

#[test]
fn commit_flag_commits_exactly_the_touched_files_with_a_readable_message() {
    let env = Env::new();
    let id = analysed(&env);
    std::fs::write(env.root().join("unrelated.txt"), "do not commit me").unwrap();
    env.run_as("li.na", &["--commit", "advance", &id]).ok();
    let log = env.git(&["log", "-1", "--format=%s|%an|%ae"]);
    assert_eq!(
        log.trim(),
        format!("{id}: advance analysis → design|李娜|li.na@example.com")
    );
    let files = env.git(&["show", "--name-only", "--format=", "HEAD"]);
    assert_eq!(files.trim(), format!("requests/2026/{id}.yaml"));
    assert!(
        env.git(&["status", "--porcelain"])
            .contains("unrelated.txt")
    );
    // auto_commit in presales.toml does the same without the flag.
    let cfg = env.root().join("presales.toml");
    let t = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("auto_commit = false", "auto_commit = true");
    std::fs::write(&cfg, t).unwrap();
    env.commit_all("auto");
    env.run_as("li.na", &["comment", &id, "auto"]).ok();
    assert_eq!(
        env.git(&["log", "-1", "--format=%s"]).trim(),
        format!("{id}: comment")
    );
}

#[test]
fn auto_commit_outside_git_blocks_writes_before_writing_but_never_reads() {
    let env = Env::bare();
    let sub = env.root().join("store");
    std::fs::create_dir_all(&sub).unwrap();
    // A store in a folder that is not a git repository (GIT_CEILING keeps git from finding
    // the temp repo above).
    let outside = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut c = env.cmd();
        c.current_dir(outside.path())
            .env("GIT_CEILING_DIRECTORIES", outside.path().parent().unwrap());
        c.args(args).output().unwrap()
    };
    assert!(run(&["init"]).status.success());
    let cfg = outside.path().join("presales.toml");
    let t = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("auto_commit = false", "auto_commit = true");
    std::fs::write(&cfg, t).unwrap();
    let out = run(&["customer", "new", "--name", "X"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("git repository"));
    assert_eq!(
        std::fs::read_dir(outside.path().join("customers"))
            .unwrap()
            .count(),
        1,
        "only .gitkeep: nothing written"
    );
    assert!(run(&["list"]).status.success(), "reading is never blocked");
}

#[test]
fn check_parses_articles_too() {
    let env = Env::new();
    let id = env
        .run(&[
            "kb",
            "new",
            "--title",
            "派工原则",
            "--category",
            "faq",
            "--body",
            "轮流派工",
        ])
        .ok();
    assert_eq!(env.run(&["check"]).code(), 0);
    let path = env.root().join(format!("kb/2026/{id}.yaml"));
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("category: faq", "category: bogus")).unwrap();
    let r = env.run(&["check"]);
    assert_eq!(r.code(), 1);
    assert!(
        r.stdout().contains(&format!("kb/2026/{id}.yaml:")) && r.stdout().contains("bogus"),
        "{}",
        r.stdout()
    );
}

#[test]
fn check_base_looks_only_at_changed_records_but_reads_their_solutions() {
    let env = Env::new();
    let id = analysed(&env);
    env.run_as("li.na", &["advance", &id]).ok();
    let sol = env
        .run_as("li.na", &["solution", "new", "--request", &id])
        .ok();
    env.run_as("li.na", &["solution", "plan", &sol, "--plan", "p"])
        .ok();
    env.run_as(
        "li.na",
        &[
            "solution",
            "milestone",
            &sol,
            "--name",
            "m",
            "--date",
            "2026-12-20",
        ],
    )
    .ok();
    env.run_as(
        "li.na",
        &["solution", "resource", &sol, "--role", "r", "--days", "3"],
    )
    .ok();
    env.run_as("li.na", &["advance", &id]).ok();
    env.commit_all("solution, in demo");
    // Break an unrelated record on main's side: a base-only check does not look at it.
    let other = env.request(&env.customer("Other"), "other", &[]);
    env.commit_all("other");
    let path = env.path_of(&other);
    let t = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, t.replace("stage: registered", "stage: design")).unwrap();
    env.commit_all("broken on main");
    // A comment on the request in demo: its solution is read for the guards, no false alarm.
    env.run_as("li.na", &["comment", &id, "进展顺利"]).ok();
    let r = env.run(&["check", "--base", "HEAD"]);
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());
    // The whole-store check still sees the broken record.
    assert_eq!(env.run(&["check"]).code(), 1);
}

#[test]
fn check_base_refuses_what_is_not_a_commit_and_never_takes_it_for_an_option() {
    let env = Env::new();
    analysed(&env);
    for rev in ["no-such-branch", "--all", "--octopus", "HEAD^{tree}"] {
        let r = env.run(&["check", &format!("--base={rev}")]);
        let err = r.err();
        assert!(
            err.contains(&format!("`{rev}` is not a commit in this repository"))
                && err.contains("git fetch"),
            "{rev}: {err}"
        );
        assert!(r.stdout().is_empty(), "{rev}: {}", r.stdout());
    }
}

/// A CI checkout is often shallow: the base branch and the PR's head each without their
/// history, so they have no merge-base. The change is then judged from the base itself.
#[test]
fn check_base_in_a_shallow_clone_judges_the_change_from_the_base_itself() {
    let env = Env::new();
    let id = analysed(&env);
    env.git(&["checkout", "-q", "-b", "feature"]);
    env.run_as("li.na", &["comment", &id, "已联系客户"]).ok();
    env.commit_all("feature: a comment");
    env.git(&["checkout", "-q", "main"]);
    std::fs::write(env.root().join("NOTES.md"), "main moved on\n").unwrap();
    env.commit_all("main: notes");

    let clone = Env {
        dir: tempfile::tempdir().unwrap(),
        now: env.now.clone(),
        user: env.user.clone(),
    };
    let from = format!("file://{}", env.root().display());
    clone.git(&[
        "clone",
        "-q",
        "--depth",
        "1",
        "--no-single-branch",
        &from,
        ".",
    ]);
    clone.git(&["checkout", "-q", "feature"]);
    assert_eq!(
        clone.git(&["rev-parse", "--is-shallow-repository"]).trim(),
        "true"
    );
    let r = clone.run(&["check", "--base", "origin/main"]);
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());

    // A forged edit is still caught, judged against origin/main's own copy.
    let path = clone.root().join(format!("requests/2026/{id}.yaml"));
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("  by: zhao.lei", "  by: zhang.wei", 1)).unwrap();
    let r = clone.run(&["check", "--base", "origin/main"]);
    assert_eq!(r.code(), 1, "{}{}", r.stdout(), r.stderr());
    assert!(
        r.stdout().contains("history entry 1 (`create` by zhao.lei"),
        "{}",
        r.stdout()
    );
}
