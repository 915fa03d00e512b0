//! Solutions end to end: design, demo feedback, review rounds, four-eyes approval, handover.

mod common;

use common::Env;

/// A request in `design` assigned to li.na, with its solution id.
fn designed(env: &Env, kind: &str) -> (String, String) {
    let cus = env.customer("华东银行");
    let req = env.request_in_design(
        &cus,
        "智慧园区网络改造方案",
        &["--type", kind, "--skill", "network"],
    );
    std::fs::create_dir_all(env.root().join("plans")).unwrap();
    std::fs::write(
        env.root().join("plans/park.md"),
        "# 方案\n\n核心交换 + SD-WAN\n",
    )
    .unwrap();
    let sol = env
        .run_as(
            "li.na",
            &[
                "solution",
                "new",
                "--request",
                &req,
                "--plan-file",
                "plans/park.md",
            ],
        )
        .ok();
    (req, sol)
}

fn ready(env: &Env, sol: &str) {
    env.run_as(
        "li.na",
        &[
            "solution",
            "milestone",
            sol,
            "--name",
            "PoC 完成",
            "--date",
            "2026-12-20",
        ],
    )
    .ok();
    env.run_as(
        "li.na",
        &[
            "solution",
            "resource",
            sol,
            "--role",
            "网络工程师",
            "--person",
            "li.na",
            "--days",
            "10",
        ],
    )
    .ok();
}

fn demo_with_feedback(env: &Env, req: &str, date: &str) {
    env.run_as(
        "li.na",
        &[
            "demo",
            req,
            "--date",
            date,
            "--attendee",
            "客户CTO",
            "--attendee",
            "IT 经理",
        ],
    )
    .ok();
    env.run_as(
        "li.na",
        &[
            "feedback",
            req,
            "--from",
            "客户CTO",
            "--text",
            "需要双活容灾",
        ],
    )
    .ok();
    env.run_as(
        "li.na",
        &["feedback", req, "--item", "1", "--disposition", "accepted"],
    )
    .ok();
}

fn stage(env: &Env, req: &str) -> String {
    env.json(&["show", req])["stage"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_solution_request_goes_from_registered_to_won_through_a_revise_loop_and_two_rounds() {
    let env = Env::new();
    let (req, sol) = designed(&env, "solution");
    assert_eq!(env.json(&["show", &req])["solution"], sol.as_str());
    let s = env.json(&["solution", "show", &sol]);
    assert_eq!(
        (
            s["request"].as_str(),
            s["version"].as_u64(),
            s["author"].as_str()
        ),
        (Some(req.as_str()), Some(1), Some("li.na"))
    );
    assert_eq!(s["plan_file"], "plans/park.md");

    // design → demo needs the time plan and resources.
    let err = env.run_as("li.na", &["advance", &req]).err();
    assert!(
        err.contains("a time plan") && err.contains("resources") && !err.contains("technical plan"),
        "{err}"
    );
    ready(&env, &sol);
    env.run_as(
        "li.na",
        &[
            "solution",
            "risk",
            &sol,
            "--description",
            "旧设备兼容",
            "--likelihood",
            "3",
            "--impact",
            "4",
            "--mitigation",
            "先做兼容性测试",
        ],
    )
    .ok();

    // Recording the demo moves design → demo; review needs every feedback item dispositioned.
    env.run_as(
        "li.na",
        &[
            "demo",
            &req,
            "--date",
            "2026-11-27",
            "--attendee",
            "客户CTO",
        ],
    )
    .ok();
    assert_eq!(stage(&env, &req), "demo");
    env.run_as(
        "li.na",
        &[
            "feedback",
            &req,
            "--from",
            "客户CTO",
            "--text",
            "需要双活容灾",
        ],
    )
    .ok();
    let err = env.run_as("li.na", &["advance", &req]).err();
    assert!(err.contains("disposition for feedback item(s) 1"), "{err}");
    env.run_as(
        "li.na",
        &["feedback", &req, "--item", "1", "--disposition", "accepted"],
    )
    .ok();

    // Revise loop demo → design bumps the version; the solution can change again.
    env.run_as(
        "li.na",
        &["advance", &req, "--to", "design", "--note", "加入容灾"],
    )
    .ok();
    assert_eq!(env.json(&["solution", "show", &sol])["version"], 2);
    env.run_as(
        "li.na",
        &["solution", "plan", &sol, "--plan", "# v2\n\n双活数据中心"],
    )
    .ok();
    demo_with_feedback(&env, &req, "2026-11-27");
    env.run_as("li.na", &["advance", &req]).ok();
    assert_eq!(stage(&env, &req), "review");

    // Round 1: a revise verdict blocks approval; review → design keeps the round.
    env.run_as(
        "zhang.wei",
        &[
            "review",
            &sol,
            "--verdict",
            "revise",
            "--comment",
            "补充割接计划",
        ],
    )
    .ok();
    env.run_as(
        "wang.fang",
        &["review", &sol, "--verdict", "pass", "--comment", "可行"],
    )
    .ok();
    let err = env.run_as("chen.jing", &["approve", &sol]).err();
    assert!(err.contains("zhang.wei (revise)"), "{err}");
    env.run_as("li.na", &["advance", &req, "--to", "design"])
        .ok();
    let s = env.json(&["solution", "show", &sol]);
    assert_eq!(s["version"], 3);
    assert_eq!(s["reviews"][0]["round"], 1);
    assert!(
        s["reviews"][0]["closed"].is_string(),
        "round 1 closed on leaving review"
    );

    // Round 2 passes with two verdicts; four-eyes approval moves it to approved.
    env.run_as("li.na", &["advance", &req]).ok();
    demo_with_feedback(&env, &req, "2026-11-27");
    env.run_as("li.na", &["advance", &req]).ok();
    env.run_as(
        "zhang.wei",
        &["review", &sol, "--verdict", "pass", "--comment", "同意"],
    )
    .ok();
    let err = env.run_as("chen.jing", &["approve", &sol]).err();
    assert!(
        err.contains("2 pass verdict(s)") && err.contains("has 1"),
        "min_reviewers: {err}"
    );
    env.run_as(
        "wang.fang",
        &["review", &sol, "--verdict", "pass", "--comment", "同意"],
    )
    .ok();
    env.run_as("chen.jing", &["approve", &sol, "--note", "同意报价"])
        .ok();
    assert_eq!(stage(&env, &req), "approved");
    let s = env.json(&["solution", "show", &sol]);
    assert_eq!(s["reviews"].as_array().unwrap().len(), 2);
    assert_eq!(s["approval"]["by"], "chen.jing");

    env.run_as(
        "li.na",
        &[
            "handover",
            &req,
            "--to",
            "zhao.lei",
            "--training",
            "2026-12-20 方案讲解 zhao.lei,sun.li",
        ],
    )
    .ok();
    assert_eq!(stage(&env, &req), "handover");
    let s = env.json(&["solution", "show", &sol]);
    assert_eq!(s["handover"]["training"][0]["attendees"][1], "sun.li");
    env.run_as(
        "li.na",
        &[
            "close",
            &req,
            "--outcome",
            "won",
            "--summary",
            "客户签约",
            "--technical-win",
            "--satisfaction",
            "5",
        ],
    )
    .ok();
    assert_eq!(stage(&env, &req), "closed");

    // The story in time order, request and solution together.
    let story = env.run(&["show", &req, "--history"]).ok();
    let lines: Vec<&str> = story.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains(&sol) && l.contains("approve")),
        "{story}"
    );
    assert!(
        lines.iter().any(|l| l.contains("revise v1 → v2")),
        "{story}"
    );
    let times: Vec<&str> = lines.iter().map(|l| &l[22..38]).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted);
}

#[test]
fn illegal_shortcuts_and_bad_input_are_refused_and_write_nothing() {
    let env = Env::new();
    let (req, sol) = designed(&env, "solution");
    let sol_path = env.root().join(format!("solutions/2026/{sol}.yaml"));
    let before = std::fs::read_to_string(&sol_path).unwrap();
    // A value out of its range is a usage error (exit 2), like any bad flag value.
    let r = env.run_as(
        "li.na",
        &[
            "solution",
            "risk",
            &sol,
            "--description",
            "d",
            "--likelihood",
            "6",
            "--impact",
            "1",
            "--mitigation",
            "m",
        ],
    );
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("must be 1–5, got 6"), "{}", r.stderr());
    for (args, expect) in [
        (
            vec![
                "solution",
                "quote",
                &sol,
                "--item",
                "x",
                "--qty",
                "-1",
                "--unit-price",
                "1",
            ],
            "'--qty <QTY>': must be positive, got -1",
        ),
        (
            vec![
                "solution",
                "quote",
                &sol,
                "--item",
                "x",
                "--qty",
                "1",
                "--unit-price",
                "-5",
            ],
            "'--unit-price <UNIT_PRICE>': must not be negative, got -5",
        ),
        (
            vec![
                "solution",
                "milestone",
                &sol,
                "--name",
                "early",
                "--date",
                "2026-01-01",
            ],
            "before",
        ),
        (
            vec!["solution", "resource", &sol, "--role", "r", "--days", "0"],
            "'--days <DAYS>': must be positive, got 0",
        ),
        (vec!["solution", "new", "--request", &req], "--supersede"),
        (
            vec!["review", &sol, "--verdict", "pass", "--comment", "c"],
            "verdicts are given while",
        ),
        (vec!["approve", &sol], "takes the role approver"),
        (vec!["handover", &req, "--to", "zhao.lei"], "not approved"),
    ] {
        let r = env.run_as("li.na", &args);
        // A flag value out of range is refused by clap (exit 2), the rest by the command.
        let err = if expect.contains("': must") {
            r.usage()
        } else {
            r.err()
        };
        assert!(err.contains(expect), "{args:?}: {err}");
    }
    assert_eq!(
        std::fs::read_to_string(&sol_path).unwrap(),
        before,
        "nothing written"
    );

    ready(&env, &sol);
    env.run_as("li.na", &["advance", &req]).ok();
    demo_with_feedback(&env, &req, "2026-11-27");
    env.run_as("li.na", &["advance", &req]).ok();
    // A frozen solution names the way back.
    let err = env
        .run_as("li.na", &["solution", "plan", &sol, "--plan", "sneaky"])
        .err();
    assert!(
        err.contains("frozen") && err.contains("--to design"),
        "{err}"
    );
    // Own solution, twice in a round, approving without passing.
    let err = env
        .run_as(
            "li.na",
            &["review", &sol, "--verdict", "pass", "--comment", "mine"],
        )
        .err();
    assert!(err.contains("author"), "{err}");
    env.run_as(
        "zhang.wei",
        &["review", &sol, "--verdict", "pass", "--comment", "ok"],
    )
    .ok();
    let err = env
        .run_as(
            "zhang.wei",
            &["review", &sol, "--verdict", "pass", "--comment", "again"],
        )
        .err();
    assert!(err.contains("already gave a verdict in round 1"), "{err}");
    env.run_as(
        "wang.fang",
        &["review", &sol, "--verdict", "pass", "--comment", "ok"],
    )
    .ok();
    // Skipping approval by advancing is refused with what is missing.
    let err = env.run_as("li.na", &["advance", &req]).err();
    assert!(err.contains("approve"), "{err}");
    let err = env
        .run_as("li.na", &["advance", &req, "--to", "handover"])
        .err();
    assert!(
        err.contains("cannot move from `review` to `handover`"),
        "{err}"
    );
}

#[test]
fn four_eyes_refuses_an_approver_who_is_the_author_or_the_assignee() {
    let env = Env::new();
    // chen.jing is an approver who also engineers: she cannot approve what she works on.
    env.run(&[
        "team", "add", "zhou.min", "--name", "周敏", "--role", "engineer", "--role", "approver",
        "--skill", "network",
    ])
    .ok();
    let cus = env.customer("ACME");
    let req = env.request(&cus, "Self-approval attempt", &[]);
    env.run_as("zhang.wei", &["assign", &req, "--to", "zhou.min"])
        .ok();
    env.run_as(
        "zhou.min",
        &[
            "assess",
            &req,
            "--feasibility",
            "feasible",
            "--difficulty",
            "2",
        ],
    )
    .ok();
    env.run_as("zhou.min", &["advance", &req]).ok();
    let sol = env
        .run_as("zhou.min", &["solution", "new", "--request", &req])
        .ok();
    env.run_as("zhou.min", &["solution", "plan", &sol, "--plan", "p"])
        .ok();
    env.run_as(
        "zhou.min",
        &[
            "solution",
            "milestone",
            &sol,
            "--name",
            "m",
            "--date",
            "2026-12-01",
        ],
    )
    .ok();
    env.run_as(
        "zhou.min",
        &["solution", "resource", &sol, "--role", "r", "--days", "1.5"],
    )
    .ok();
    env.run_as(
        "zhou.min",
        &["demo", &req, "--date", "2026-11-27", "--attendee", "x"],
    )
    .ok();
    env.run_as(
        "zhou.min",
        &["feedback", &req, "--from", "x", "--text", "y"],
    )
    .ok();
    env.run_as(
        "zhou.min",
        &["feedback", &req, "--item", "1", "--disposition", "done"],
    )
    .ok();
    env.run_as("zhou.min", &["advance", &req]).ok();
    env.run_as(
        "li.na",
        &["review", &sol, "--verdict", "pass", "--comment", "ok"],
    )
    .ok();
    env.run_as(
        "wang.fang",
        &["review", &sol, "--verdict", "pass", "--comment", "ok"],
    )
    .ok();
    let err = env.run_as("zhou.min", &["approve", &sol]).err();
    assert!(err.contains("four eyes"), "{err}");
    env.run_as("chen.jing", &["approve", &sol]).ok();
    assert_eq!(stage(&env, &req), "approved");
}

#[test]
fn quotation_is_decimal_and_rfp_requires_it() {
    let env = Env::new();
    let (req, sol) = designed(&env, "rfp");
    ready(&env, &sol);
    env.run_as(
        "li.na",
        &[
            "solution",
            "quote",
            &sol,
            "--item",
            "a",
            "--qty",
            "1",
            "--unit-price",
            "0.1",
        ],
    )
    .ok();
    let out = env
        .run_as(
            "li.na",
            &[
                "solution",
                "quote",
                &sol,
                "--item",
                "b",
                "--qty",
                "1",
                "--unit-price",
                "0.2",
            ],
        )
        .ok();
    assert!(out.contains("0.30 CNY"), "{out}");
    let s = env.json(&["solution", "show", &sol]);
    assert_eq!(s["quotation"]["total"], "0.30");
    let err = env
        .run_as(
            "li.na",
            &[
                "solution",
                "quote",
                &sol,
                "--item",
                "c",
                "--qty",
                "1",
                "--unit-price",
                "1",
                "--currency",
                "USD",
            ],
        )
        .err();
    assert!(err.contains("one currency"), "{err}");
    let table = env.run(&["solution", "show", &sol]).ok();
    assert!(table.contains("TOTAL") && table.contains("0.30"), "{table}");
    assert!(table.contains("risk matrix") || !table.contains("risks:"));
    env.run_as("li.na", &["advance", &req]).ok();
    demo_with_feedback(&env, &req, "2026-11-27");
    env.run_as("li.na", &["advance", &req]).ok();
    assert_eq!(stage(&env, &req), "review");
}

#[test]
fn rfp_without_quotation_cannot_enter_review() {
    let env = Env::new();
    let (req, sol) = designed(&env, "rfp");
    ready(&env, &sol);
    env.run_as("li.na", &["advance", &req]).ok();
    demo_with_feedback(&env, &req, "2026-11-27");
    let err = env.run_as("li.na", &["advance", &req]).err();
    assert!(err.contains("a quotation with a total"), "{err}");
}

#[test]
fn superseding_a_solution_relinks_the_request_and_keeps_the_old_one() {
    let env = Env::new();
    let (req, old) = designed(&env, "solution");
    let new = env
        .run_as(
            "li.na",
            &[
                "solution",
                "new",
                "--request",
                &req,
                "--supersede",
                "--title",
                "方案 B",
            ],
        )
        .ok();
    assert_ne!(old, new);
    assert_eq!(env.json(&["show", &req])["solution"], new.as_str());
    assert_eq!(
        env.json(&["solution", "show", &old])["superseded_by"],
        new.as_str()
    );
    assert_eq!(
        env.json(&["solution", "show", &new])["supersedes"],
        old.as_str()
    );
    let err = env
        .run_as("li.na", &["solution", "plan", &old, "--plan", "x"])
        .err();
    assert!(err.contains("superseded"), "{err}");
}

#[test]
fn the_solution_file_is_canonical_and_diffs_are_small() {
    let env = Env::new();
    let (_, sol) = designed(&env, "solution");
    env.commit_all("sol");
    env.run_as(
        "li.na",
        &[
            "solution",
            "resource",
            &sol,
            "--role",
            "网络工程师",
            "--days",
            "2.5",
        ],
    )
    .ok();
    let diff = env.git(&["diff", "-U0"]);
    let removed = diff
        .lines()
        .filter(|l| l.starts_with('-') && !l.starts_with("---"))
        .count();
    assert_eq!(removed, 0, "only additions: {diff}");
    assert!(diff.contains("+- role: 网络工程师"), "{diff}");
    assert!(
        diff.contains("days: '2.5'") || diff.contains("days: \"2.5\""),
        "{diff}"
    );
}

#[test]
fn every_step_of_the_solution_path_writes_canonical_files() {
    let env = Env::new();
    let (req, sol) = designed(&env, "rfp");
    ready(&env, &sol);
    env.run_as(
        "li.na",
        &[
            "solution",
            "quote",
            &sol,
            "--item",
            "a",
            "--qty",
            "2",
            "--unit-price",
            "10.5",
        ],
    )
    .ok();
    env.run_as(
        "li.na",
        &[
            "solution",
            "risk",
            &sol,
            "--description",
            "d",
            "--likelihood",
            "2",
            "--impact",
            "3",
            "--mitigation",
            "m",
        ],
    )
    .ok();
    demo_with_feedback(&env, &req, "2026-11-27");
    env.run_as("li.na", &["advance", &req]).ok();
    env.run_as(
        "zhang.wei",
        &["review", &sol, "--verdict", "pass", "--comment", "ok"],
    )
    .ok();
    env.run_as(
        "wang.fang",
        &["review", &sol, "--verdict", "pass", "--comment", "ok"],
    )
    .ok();
    env.run_as("chen.jing", &["approve", &sol]).ok();
    env.run_as(
        "li.na",
        &[
            "handover",
            &req,
            "--to",
            "zhao.lei",
            "--training",
            "2026-12-20 讲解 zhao.lei",
        ],
    )
    .ok();
    env.run_as(
        "li.na",
        &["close", &req, "--outcome", "won", "--summary", "签约"],
    )
    .ok();
    let r = env.run(&["fmt", "--check"]);
    assert_eq!(
        r.code(),
        0,
        "files the tool wrote must already be canonical: {}",
        r.stdout()
    );
    assert_eq!(env.run(&["check"]).code(), 0);
}

#[test]
fn a_renamed_review_stage_works_through_workflow_stages() {
    let env = Env::new();
    let toml = env.root().join("presales.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    let renamed = text
        .replace("\"review\"", "\"evaluation\"")
        .replace("review = [", "evaluation = [")
        .replace("review = \"design\"", "evaluation = \"design\"")
        .replace("guards = { review =", "guards = { evaluation =")
        + "\n[workflow.stages]\nreview = \"evaluation\"\n";
    std::fs::write(&toml, renamed).unwrap();
    env.commit_all("our stage is called evaluation");
    let (req, sol) = designed(&env, "solution");
    ready(&env, &sol);
    demo_with_feedback(&env, &req, "2026-11-27");
    env.run_as("li.na", &["advance", &req]).ok();
    assert_eq!(stage(&env, &req), "evaluation");
    // The round opened on entering the renamed stage; verdicts are taken there.
    for who in ["wang.fang", "zhang.wei"] {
        env.run_as(
            who,
            &["review", &sol, "--verdict", "pass", "--comment", "ok"],
        )
        .ok();
    }
    env.run_as("chen.jing", &["approve", &sol]).ok();
    assert_eq!(stage(&env, &req), "approved");
    let r = env.run(&["check", "--base", "main"]);
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());
}

#[test]
fn check_reports_a_risk_off_the_one_to_five_scale() {
    let env = Env::new();
    let (_req, sol) = designed(&env, "solution");
    env.run_as(
        "li.na",
        &[
            "solution",
            "risk",
            &sol,
            "--description",
            "旧设备兼容",
            "--likelihood",
            "3",
            "--impact",
            "4",
            "--mitigation",
            "先做兼容性测试",
        ],
    )
    .ok();
    env.run(&["check"]).ok();
    // A hand edit the flags would refuse.
    let path = env.path_of(&sol);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("likelihood: 3"), "{text}");
    std::fs::write(&path, text.replace("likelihood: 3", "likelihood: 9")).unwrap();
    let run = env.run(&["check"]);
    assert_eq!(run.code(), 1);
    assert!(
        run.stdout()
            .contains("risk 1 (旧设备兼容): likelihood 9 is not on the 1–5 scale"),
        "{}",
        run.stdout()
    );
}

/// The rows of `presales inbox` for `who`: (what, id).
fn inbox(env: &Env, who: &str) -> Vec<(String, String)> {
    let v = env.json(&["--as", who, "inbox"]);
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["reason"].as_str().unwrap().to_string(),
                i["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_inbox_shows_each_member_what_waits_for_them() {
    let env = Env::new();
    let (req, sol) = designed(&env, "solution");
    ready(&env, &sol);
    env.run_as("li.na", &["advance", &req]).ok();
    demo_with_feedback(&env, &req, "2026-11-27");
    env.run_as("li.na", &["advance", &req]).ok();
    assert_eq!(stage(&env, &req), "review");
    // The assignee has the request; reviewers (not the author) have a verdict to give.
    assert_eq!(inbox(&env, "li.na"), [("assigned".into(), req.clone())]);
    assert_eq!(inbox(&env, "wang.fang"), [("review".into(), sol.clone())]);
    assert!(inbox(&env, "zhang.wei").contains(&("review".into(), sol.clone())));
    // Sales have nothing to review.
    assert!(inbox(&env, "zhao.lei").is_empty());
    env.run_as(
        "wang.fang",
        &["review", &sol, "--verdict", "pass", "--comment", "可行"],
    )
    .ok();
    assert!(inbox(&env, "wang.fang").is_empty());
    env.run_as(
        "zhang.wei",
        &["review", &sol, "--verdict", "pass", "--comment", "同意"],
    )
    .ok();
    // Two passes: now the approver has it, and nobody else a verdict to give.
    assert_eq!(inbox(&env, "chen.jing"), [("approve".into(), sol.clone())]);
    assert!(inbox(&env, "liu.yang").is_empty());
    // Days later the resolution limit has passed: the assignee sees it as breached first.
    let late = env
        .cmd()
        .env("PRESALES_NOW", "2026-12-31T10:00:00+08:00")
        .args(["--as", "li.na", "--format", "json", "inbox"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&late.stdout).unwrap();
    assert_eq!(v["items"][0]["reason"], "breached", "{v}");
    assert_eq!(v["items"][0]["id"], req.as_str());
    // Every format renders; `github` is GitHub-flavoured Markdown for a job summary.
    for format in ["table", "markdown", "csv", "yaml", "html"] {
        env.run(&["--as", "chen.jing", "--format", format, "inbox"])
            .ok();
    }
    let md = env
        .run(&["--as", "chen.jing", "--format", "github", "inbox"])
        .ok();
    assert!(md.starts_with("# Inbox of chen.jing"), "{md}");
    assert!(
        md.contains("| approve |") || md.contains("| approve"),
        "{md}"
    );
}
