//! The request lifecycle end to end, through the real binary in temp git repos.

mod common;

use common::Env;

#[test]
fn init_writes_config_folders_and_gitignore_and_refuses_to_overwrite() {
    let env = Env::bare();
    env.run(&["init"]).ok();
    for p in [
        "presales.toml",
        "requests",
        "solutions",
        "kb",
        "customers",
        ".gitignore",
    ] {
        assert!(env.root().join(p).exists(), "{p} missing");
    }
    let toml = std::fs::read_to_string(env.root().join("presales.toml")).unwrap();
    assert!(toml.contains("EXAMPLE TEAM"));
    assert!(toml.contains("[sla.P1]"));
    assert!(toml.contains("[workflow.types.consultation]"));
    let gi = std::fs::read_to_string(env.root().join(".gitignore")).unwrap();
    assert!(gi.contains("/.presales/"));
    let err = env.run(&["init"]).err();
    assert!(err.contains("already holds a presales store"), "{err}");
    assert_eq!(
        std::fs::read_to_string(env.root().join("presales.toml")).unwrap(),
        toml
    );
}

#[test]
fn init_empty_leaves_the_team_empty_and_team_add_fills_it() {
    let env = Env::bare();
    env.run(&["init", "sub", "--empty"]).ok();
    let sub = env.root().join("sub");
    let toml = std::fs::read_to_string(sub.join("presales.toml")).unwrap();
    assert!(!toml.contains("[[members]]"));
    let r = env.run(&[
        "--root",
        "sub",
        "team",
        "add",
        "li.na",
        "--name",
        "李娜",
        "--email",
        "li.na@example.com",
        "--role",
        "engineer",
        "--skill",
        "network",
    ]);
    r.ok();
    env.run(&[
        "--root",
        "sub",
        "team",
        "away",
        "li.na",
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-05",
        "--note",
        "年假",
    ])
    .ok();
    let toml2 = std::fs::read_to_string(sub.join("presales.toml")).unwrap();
    assert!(
        toml2.starts_with(&toml[..200]),
        "comments and layout are kept"
    );
    assert!(
        toml2.contains("[[members]]") && toml2.contains("李娜"),
        "{toml2}"
    );
    let team = env.json(&["--root", "sub", "team"]);
    assert_eq!(team[0]["id"], "li.na");
    assert_eq!(team[0]["away"][0]["from"], "2026-12-01");
    assert_eq!(team[0]["load"], 0);
    // Bad input names the fix.
    let err = env
        .run(&[
            "--root", "sub", "team", "add", "li.na", "--name", "x", "--role", "engineer",
        ])
        .err();
    assert!(err.contains("already a member"), "{err}");
    let err = env
        .run(&[
            "--root",
            "sub",
            "team",
            "away",
            "nobody",
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-05",
        ])
        .err();
    assert!(
        err.contains("not a team member") && err.contains("li.na"),
        "{err}"
    );
    let r = env.run(&[
        "--root", "sub", "team", "add", "x", "--name", "x", "--role", "boss",
    ]);
    assert_eq!(r.code(), 2, "usage error: {}", r.stderr());
}

#[test]
fn solution_request_runs_from_registration_to_design_with_minimal_diffs() {
    let env = Env::new();
    let cus = env.customer("华东银行");
    let id = env.request(
        &cus,
        "智慧园区网络改造方案",
        &[
            "--priority",
            "P2",
            "--skill",
            "network",
            "--product",
            "SD-WAN",
        ],
    );
    assert!(id.starts_with("REQ-20261127-") && id.len() <= 20, "{id}");
    let text = env.read(&id);
    assert!(text.contains("title: 智慧园区网络改造方案"), "{text}");
    assert!(text.contains("stage: registered"));
    env.commit_all("new");

    let out = env.run_as("zhang.wei", &["assign", &id, "--auto"]).ok();
    assert!(
        out.contains("li.na"),
        "network skill: li.na is first in rotation: {out}"
    );
    let diff = env.git(&["diff", "-U0"]);
    let changed: Vec<&str> = diff
        .lines()
        .filter(|l| l.starts_with('+') || l.starts_with('-'))
        .filter(|l| !l.starts_with("+++") && !l.starts_with("---"))
        .collect();
    assert!(
        changed.contains(&"-stage: registered") && changed.contains(&"+stage: assigned"),
        "{diff}"
    );
    assert!(changed.contains(&"+assignee: li.na"), "{diff}");
    assert!(
        changed
            .iter()
            .all(|l| l.starts_with('+') || *l == "-stage: registered"),
        "only additions besides the stage: {diff}"
    );
    env.commit_all("assign");

    env.run_as(
        "li.na",
        &[
            "assess",
            &id,
            "--feasibility",
            "feasible",
            "--difficulty",
            "3",
            "--notes",
            "现有产品可覆盖",
        ],
    )
    .ok();
    let req = env.json(&["show", &id]);
    assert_eq!(req["stage"], "analysis");
    assert_eq!(req["assessment"]["feasibility"], "feasible");
    env.commit_all("assess");

    env.run_as("li.na", &["advance", &id]).ok();
    assert_eq!(env.json(&["show", &id])["stage"], "design");
    // The next step needs a solution: refused, naming what is missing, nothing written.
    let before = env.read(&id);
    let err = env.run_as("li.na", &["advance", &id]).err();
    assert!(err.contains("cannot move from `design` to `demo`"), "{err}");
    assert!(err.contains("presales solution new --request"), "{err}");
    assert_eq!(env.read(&id), before);
    // Skipping ahead names the current stage and the legal ones.
    let err = env
        .run_as("li.na", &["advance", &id, "--to", "approved"])
        .err();
    assert!(
        err.contains("from `design`") && err.contains("demo:") && err.contains("closed"),
        "{err}"
    );

    let hist = env.json(&["show", &id])["history"]
        .as_array()
        .unwrap()
        .clone();
    let actions: Vec<&str> = hist.iter().map(|h| h["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "create", "assign", "advance", "assess", "advance", "advance"
        ]
    );
    assert_eq!(hist[1]["by"], "zhang.wei");
    assert_eq!(hist[1]["policy"], "round-robin");
    assert_eq!(hist[0]["at"], common::NOW);
}

#[test]
fn consultation_runs_from_registration_to_closed() {
    let env = Env::new();
    let cus = env.customer("ACME Corp");
    let id = env.request(
        &cus,
        "Does the gateway support OAuth 2.0?",
        &["--type", "consultation"],
    );
    env.run_as("zhang.wei", &["assign", &id, "--to", "wang.fang"])
        .ok();
    let err = env.run_as("wang.fang", &["advance", &id]).err();
    assert!(err.contains("--note"), "the answer is required: {err}");
    env.run_as(
        "wang.fang",
        &["advance", &id, "--note", "Yes, OAuth 2.0 and OIDC."],
    )
    .ok();
    assert_eq!(env.json(&["show", &id])["stage"], "answered");
    let err = env.run_as("wang.fang", &["advance", &id]).err();
    assert!(err.contains("presales close"), "{err}");
    env.run_as(
        "wang.fang",
        &[
            "close",
            &id,
            "--outcome",
            "won",
            "--summary",
            "答复客户，客户满意",
            "--satisfaction",
            "5",
        ],
    )
    .ok();
    let req = env.json(&["show", &id]);
    assert_eq!(req["stage"], "closed");
    assert_eq!(req["outcome"], "won");
    assert_eq!(req["satisfaction"], 5);
    let err = env
        .run(&["close", &id, "--outcome", "won", "--summary", "again"])
        .err();
    assert!(err.contains("already closed"), "{err}");
}

#[test]
fn early_close_is_cancelled_only_and_infeasible_from_analysis() {
    let env = Env::new();
    let cus = env.customer("ACME");
    let id = env.request(&cus, "t", &[]);
    let err = env
        .run(&["close", &id, "--outcome", "won", "--summary", "s"])
        .err();
    assert!(
        err.contains("allowed from `registered`: cancelled"),
        "{err}"
    );
    assert_eq!(
        env.json(&["show", &id])["stage"],
        "registered",
        "nothing written"
    );
    env.run(&[
        "close",
        &id,
        "--outcome",
        "cancelled",
        "--summary",
        "budget frozen",
    ])
    .ok();
    assert_eq!(env.json(&["show", &id])["outcome"], "cancelled");
}

#[test]
fn abbreviations_resolve_and_ambiguity_lists_matches() {
    let env = Env::new();
    let cus = env.customer("ACME");
    let a = env.request(&cus, "a", &[]);
    let b = env.request(&cus, "b", &[]);
    assert_eq!(env.json(&["show", &a[a.len() - 5..]])["id"], a.as_str());
    assert_eq!(env.json(&["show", &a.to_lowercase()])["id"], a.as_str());
    let err = env.run(&["show", "REQ-2026"]).err();
    assert!(
        err.contains("ambiguous") && err.contains(&a) && err.contains(&b),
        "{err}"
    );
    let err = env.run(&["show", "ZZZZZ"]).err();
    assert!(err.contains("no record matches `ZZZZZ`"), "{err}");
    let err = env.run(&["show", "../../etc/passwd"]).err();
    assert!(err.contains("never contain"), "{err}");
    // The customer abbreviation works in `new` too.
    let c = env.request(&cus[cus.len() - 4..], "c", &[]);
    assert!(c.starts_with("REQ-"));
}

#[test]
fn unknown_names_get_the_valid_choices() {
    let env = Env::new();
    let cus = env.customer("ACME");
    let err = env
        .run(&[
            "new",
            "--title",
            "t",
            "--customer",
            &cus,
            "--type",
            "tender",
        ])
        .err();
    assert!(
        err.contains("unknown request type `tender`") && err.contains("rfp"),
        "{err}"
    );
    let err = env
        .run(&["new", "--title", "t", "--customer", "CUS-NOPE"])
        .err();
    assert!(
        err.contains("no customer matches") && err.contains("customer new"),
        "{err}"
    );
    let id = env.request(&cus, "t", &[]);
    let err = env.run(&["assign", &id, "--to", "nobody"]).err();
    assert!(
        err.contains("not a team member") && err.contains("li.na"),
        "{err}"
    );
    let err = env.run(&["list", "--stage", "limbo"]).err();
    assert!(
        err.contains("unknown stage") && err.contains("analysis"),
        "{err}"
    );
    let err = env.run(&["advance", &id, "--to", "limbo"]).err();
    assert!(err.contains("not a stage of type `solution`"), "{err}");
    let err = env
        .run_as("stranger@example.com", &["comment", &id, "hi"])
        .err();
    assert!(
        err.contains("not a member") && err.contains("--as"),
        "{err}"
    );
}

#[test]
fn assign_dry_run_explains_and_writes_nothing() {
    let mut env = Env::new();
    env.now = "2026-12-15T09:00:00+08:00".into();
    let cus = env.customer("ACME");
    let id = env.request(&cus, "t", &["--skill", "cloud"]);
    let before = env.read(&id);
    let out = env
        .run_as("zhang.wei", &["assign", &id, "--auto", "--dry-run"])
        .ok();
    assert!(out.contains("would go to wang.fang"), "{out}");
    assert!(out.contains("skipped: lacks skill cloud"), "li.na: {out}");
    assert!(
        out.contains("skipped: away 2026-12-14 to 2026-12-25"),
        "liu.yang: {out}"
    );
    assert_eq!(env.read(&id), before);
    let d = env.json(&["assign", &id, "--auto", "--dry-run"]);
    assert_eq!(d["decision"]["chosen"], "wang.fang");
    // --to someone away is refused with the reason.
    let err = env
        .run_as("zhang.wei", &["assign", &id, "--to", "liu.yang"])
        .err();
    assert!(err.contains("away"), "{err}");
}

#[test]
fn round_robin_over_the_cli_is_fair_and_survives_in_history_only() {
    let env = Env::new();
    let cus = env.customer("ACME");
    let mut got = Vec::new();
    for i in 0..6 {
        let id = env.request(&cus, &format!("r{i}"), &[]);
        env.run_as("zhang.wei", &["assign", &id, "--auto"]).ok();
        got.push(
            env.json(&["show", &id])["assignee"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    assert_eq!(
        got,
        [
            "li.na",
            "wang.fang",
            "liu.yang",
            "li.na",
            "wang.fang",
            "liu.yang"
        ]
    );
    assert!(!env.root().join(".presales/rotation").exists());
    let least = env.json(&[
        "assign",
        &env.request(&cus, "x", &[]),
        "--auto",
        "--policy",
        "least-loaded",
        "--dry-run",
    ]);
    assert_eq!(least["decision"]["chosen"], "li.na");
}

#[test]
fn a_malformed_record_is_reported_with_position_and_the_rest_still_listed() {
    let env = Env::new();
    let cus = env.customer("ACME");
    let good = env.request(&cus, "good one", &[]);
    let bad = env.request(&cus, "bad one", &[]);
    let path = env.path_of(&bad);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("priority: P3", "priority: [P3")).unwrap();
    let r = env.run(&["list"]);
    assert_eq!(r.code(), 1);
    assert!(r.stdout().contains(&good), "{}", r.stdout());
    let err = r.stderr();
    let rel = format!("requests/2026/{bad}.yaml:");
    assert!(err.contains(&rel), "{err}");
    assert!(err.contains("hint:"), "{err}");
    // Line and column follow the path.
    let after = &err[err.find(&rel).unwrap() + rel.len()..];
    let pos: Vec<&str> = after.splitn(3, ':').collect();
    assert!(
        pos[0].parse::<u32>().is_ok() && pos[1].parse::<u32>().is_ok(),
        "{err}"
    );
    // A wrong field type is located on its line.
    std::fs::write(&path, text.replace("priority: P3", "priority: P9")).unwrap();
    let err = env.run(&["show", &bad]).err();
    assert!(err.contains(&format!("{bad}.yaml:5:")), "{err}");
}

#[test]
fn unknown_fields_survive_and_unchanged_records_are_not_rewritten() {
    let env = Env::new();
    let cus = env.customer("ACME");
    let id = env.request(&cus, "t", &[]);
    let path = env.path_of(&id);
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text.replace(
        "stage: registered\n",
        "stage: registered\nx_crm_ref: OPP-7781\n",
    );
    std::fs::write(&path, &edited).unwrap();
    env.run(&["comment", &id, "保留未知字段"]).ok();
    let after = std::fs::read_to_string(&path).unwrap();
    assert!(after.contains("x_crm_ref: OPP-7781"), "{after}");
    assert!(after.starts_with(
        &text[..text.find("history:").unwrap()].replace("stage: registered\n", "")[..20]
    ));
    // History is only appended to.
    assert!(after.starts_with(&after[..after.find("- at:").unwrap()]));
    let last = &after[after.rfind("- at:").unwrap()..];
    assert!(last.contains("  action: comment\n"), "{after}");
    assert!(last.ends_with("  note: 保留未知字段\n"), "{after}");
}

/// `presales edit ID` with an editor that runs `command` on the draft (`$1`).
fn edit_with(env: &Env, id: &str, command: &str) -> std::process::Output {
    let script = env.root().join("ed.sh");
    std::fs::write(&script, format!("#!/bin/sh\n{command}\n")).unwrap();
    env.cmd()
        .args(["edit", id])
        .env("EDITOR", format!("sh {}", script.display()))
        .output()
        .unwrap()
}

/// The bytes of the draft `presales edit` kept in `.presales/recovery/` (the first file
/// there).
fn recovered(env: &Env) -> Vec<u8> {
    let rec = std::fs::read_dir(env.root().join(".presales/recovery"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    std::fs::read(rec.path()).unwrap()
}

#[test]
fn edit_saves_a_valid_change_and_keeps_an_invalid_one_in_a_recovery_file() {
    let env = Env::new();
    let cus = env.customer("ACME");
    let id = env.request(&cus, "old title", &[]);
    let r = edit_with(
        &env,
        &id,
        "sed -i 's/^title: old title/title: 新标题/' \"$1\"",
    );
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let req = env.json(&["show", &id]);
    assert_eq!(req["title"], "新标题");
    assert_eq!(
        req["history"].as_array().unwrap().last().unwrap()["action"],
        "edit"
    );
    let last = req["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["fields"]["title"]["old"], "old title", "{last}");
    assert_eq!(last["fields"]["title"]["new"], "新标题", "{last}");

    let before = env.read(&id);
    let r = edit_with(
        &env,
        &id,
        "sed -i 's/^stage: registered/stage: approved/' \"$1\"",
    );
    assert_eq!(r.status.code(), Some(1));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("presales advance"), "{err}");
    assert!(err.contains(".presales/recovery/"), "{err}");
    assert_eq!(env.read(&id), before, "nothing saved");
    assert!(
        String::from_utf8(recovered(&env))
            .unwrap()
            .contains("stage: approved")
    );

    let r = edit_with(&env, &id, "printf 'title: [broken\\n' >> \"$1\"");
    assert_eq!(r.status.code(), Some(1));
    assert_eq!(env.read(&id), before);
}

/// An editor set to another encoding saves the draft in GBK: nothing is saved, the error
/// names the line and column of the first byte that is not UTF-8, and the draft's bytes are
/// kept, as they were, in a recovery file the message names.
#[test]
fn edit_keeps_a_draft_saved_in_another_encoding_in_a_recovery_file() {
    let env = Env::new();
    let cus = env.customer("ACME");
    let id = env.request(&cus, "old title", &[]);
    let before = env.read(&id);
    // `新` in GBK is the two bytes D0 C2.
    let r = edit_with(
        &env,
        &id,
        "sed -i 's/^title: old title/title: \\xd0\\xc2/' \"$1\"",
    );
    assert_eq!(r.status.code(), Some(1));
    let err = String::from_utf8_lossy(&r.stderr);
    let line = before
        .lines()
        .position(|l| l.starts_with("title:"))
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!(".yaml:{line}:8: not UTF-8 text")),
        "{err}"
    );
    assert!(err.contains(".presales/recovery/"), "{err}");
    assert_eq!(env.read(&id), before, "nothing saved");
    let kept = recovered(&env);
    assert!(
        kept.windows(9).any(|w| w == b"title: \xd0\xc2"),
        "{}",
        String::from_utf8_lossy(&kept)
    );
    assert!(
        !env.root()
            .join(".presales/edit")
            .join(format!("{id}.yaml"))
            .exists(),
        "the draft moved to the recovery file"
    );
}

#[test]
fn list_filters() {
    let mut env = Env::new();
    let a = env.customer("甲公司");
    let b = env.customer("乙公司");
    let r1 = env.request(&a, "one", &["--due", "2026-12-01"]);
    let r2 = env.request(&b, "two", &["--type", "consultation"]);
    env.run_as("zhang.wei", &["assign", &r1, "--to", "li.na"])
        .ok();
    let ids = |v: serde_json::Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(env.json(&["list", "--assignee", "li.na"])),
        vec![r1.clone()]
    );
    assert_eq!(
        ids(env.json(&["list", "--type", "consultation"])),
        vec![r2.clone()]
    );
    assert_eq!(ids(env.json(&["list", "--customer", &b])), vec![r2.clone()]);
    assert_eq!(
        ids(env.json(&["list", "--stage", "registered"])),
        vec![r2.clone()]
    );
    env.now = "2026-12-05T09:00:00+08:00".into();
    assert_eq!(ids(env.json(&["list", "--overdue"])), vec![r1.clone()]);
    env.run(&["close", &r2, "--outcome", "cancelled", "--summary", "x"])
        .ok();
    assert_eq!(ids(env.json(&["list", "--open"])), vec![r1.clone()]);
    let table = env.run(&["list"]).ok();
    assert!(
        table.contains("甲公司") && table.contains("乙公司"),
        "{table}"
    );
    let csv = env.run(&["list", "--format", "csv"]).ok();
    assert!(csv.starts_with("ID,STAGE,TYPE"), "{csv}");
}

#[test]
fn new_prints_the_id_alone_and_fails_without_input_when_not_a_tty() {
    let env = Env::new();
    let cus = env.customer("ACME");
    let r = env.run(&["new", "--title", "t", "--customer", &cus]);
    let out = r.stdout();
    assert_eq!(out.lines().count(), 1);
    assert!(out.trim().starts_with("REQ-"));
    // A usage error (exit 2): without a terminal there is no prompt for the title.
    let err = env.run(&["new", "--customer", &cus]).usage();
    assert!(err.contains("--title"), "{err}");
}

#[test]
fn no_store_is_a_clear_error() {
    let env = Env::bare();
    let err = env.run(&["list"]).err();
    assert!(
        err.contains("no presales store found") && err.contains("presales init"),
        "{err}"
    );
    let err = env.run(&["--root", "/nonexistent", "list"]).err();
    assert!(err.contains("no presales store found"), "{err}");
}

#[test]
fn records_are_world_readable_like_any_file_in_a_repo() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    let cus = env.customer("ACME");
    let id = env.request(&cus, "t", &[]);
    let mode = std::fs::metadata(env.path_of(&id))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o644);
}

#[test]
fn edit_refuses_assignee_changes_and_abbreviated_customers() {
    let env = Env::new();
    let cus = env.customer("ACME");
    let id = env.request(&cus, "t", &[]);
    let run = |sed: &str| edit_with(&env, &id, &format!("sed -i '{sed}' \"$1\""));
    let out = run("s/^stage: registered/stage: registered\\nassignee: li.na/");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("presales assign"));
    let short = &cus[cus.len() - 5..];
    let out = run(&format!("s/^customer: .*/customer: {short}/"));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("full ID"));
}

#[test]
fn a_bad_presales_toml_is_located_by_line() {
    let env = Env::new();
    let cfg = env.root().join("presales.toml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(
        &cfg,
        text.replace("design = [\"assessment\"]", "design = [\"asessment\"]"),
    )
    .unwrap();
    let err = env.run(&["list"]).err();
    let line = text
        .lines()
        .position(|l| l == "design = [\"assessment\"]")
        .unwrap()
        + 1;
    assert!(err.contains(&format!("presales.toml:{line}:")), "{err}");
    assert!(
        err.contains("unknown guard `asessment`") && err.contains("assessment,"),
        "{err}"
    );
    std::fs::write(
        &cfg,
        text.replace("min_reviewers = 2", "min_reviewers = \"two\""),
    )
    .unwrap();
    let err = env.run(&["list"]).err();
    let line = text.lines().position(|l| l == "min_reviewers = 2").unwrap() + 1;
    assert!(err.contains(&format!("presales.toml:{line}:")), "{err}");
}

#[test]
fn show_as_csv_is_one_row_with_the_list_columns() {
    let env = Env::new();
    let cus = env.customer("华东银行");
    let id = env.request(&cus, "智慧园区", &[]);
    let csv = env.run(&["show", &id, "--format", "csv"]).ok();
    let list = env.run(&["list", "--format", "csv"]).ok();
    assert_eq!(csv, list);
    assert!(csv.contains("华东银行"), "{csv}");
}

#[test]
fn customers_are_found_by_name_as_well_as_by_id() {
    let env = Env::new();
    let bank = env.customer("华东银行");
    env.customer("华东电力");
    // The whole name, then a part only one name holds.
    let shown = env.run(&["customer", "show", "华东银行"]).ok();
    assert!(shown.starts_with(&format!("{bank}  华东银行")), "{shown}");
    let req = env
        .run(&["new", "--title", "核心网络", "--customer", "银行"])
        .ok();
    assert_eq!(env.json(&["show", req.trim()])["customer"], bank.as_str());
    let listed = env.run(&["list", "--customer", "华东银行"]).ok();
    assert!(listed.contains("核心网络"), "{listed}");
    // A part two names hold is ambiguous, and the error names both.
    let err = env.run(&["customer", "show", "华东"]).err();
    assert!(
        err.contains("华东银行") && err.contains("华东电力"),
        "{err}"
    );
    let err = env.run(&["customer", "show", "北方"]).err();
    assert!(err.contains("no customer matches `北方`"), "{err}");
}

#[test]
fn list_filters_sorts_and_limits() {
    let mut env = Env::new();
    let cus = env.customer("华东银行");
    // Registered in this order, within one day: creation order is the default.
    env.now = "2026-11-27T09:00:00+08:00".into();
    let a = env.request(&cus, "A", &["--priority", "P3", "--product", "SD-WAN"]);
    env.now = "2026-11-27T09:00:30+08:00".into();
    let b = env.request(&cus, "B", &["--priority", "P1", "--due", "2026-12-20"]);
    env.now = "2026-11-27T11:00:00+08:00".into();
    let c = env.request(
        &cus,
        "C",
        &[
            "--priority",
            "P1",
            "--due",
            "2026-12-05",
            "--product",
            "sd-wan",
        ],
    );
    let ids = |args: &[&str]| -> Vec<String> {
        let mut full = vec!["list"];
        full.extend_from_slice(args);
        env.json(&full)
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&[]), [a.clone(), b.clone(), c.clone()]);
    assert_eq!(ids(&["--priority", "P1"]), [b.clone(), c.clone()]);
    assert_eq!(ids(&["--product", "SD-WAN"]), [a.clone(), c.clone()]);
    assert_eq!(
        ids(&["--requested-by", "zhao.lei", "--limit", "1"]),
        std::slice::from_ref(&a)
    );
    assert_eq!(ids(&["--sort", "due"]), [c.clone(), b.clone(), a.clone()]);
    assert_eq!(
        ids(&["--sort", "priority", "--reverse"]),
        [a.clone(), c.clone(), b.clone()]
    );
    assert_eq!(env.run(&["list", "--limit", "0"]).code(), 2);
}

#[test]
fn members_and_types_are_found_in_any_case() {
    let env = Env::new();
    let cus = env.customer("华东银行");
    // `--type RFP` is the `rfp` type; `--as LI.NA` and `--as 李娜` are li.na.
    let req = env
        .run(&[
            "new",
            "--title",
            "招标",
            "--customer",
            &cus,
            "--type",
            "RFP",
        ])
        .ok();
    let req = req.trim();
    assert_eq!(env.json(&["show", req])["type"], "rfp");
    env.run(&["--as", "ZHANG.WEI", "assign", req, "--to", "li.na"])
        .ok();
    env.run(&["--as", "李娜", "comment", req, "已联系客户"])
        .ok();
    let history = env.json(&["show", req])["history"].clone();
    let last = history.as_array().unwrap().last().unwrap();
    assert_eq!(last["by"], "li.na");
}
