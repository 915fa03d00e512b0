//! The pull-request gate (`check --base`): one test per forgery class, each a branch with one
//! hand-made commit that the gate refuses naming file:line, field and rule; and the legal
//! concurrent work that must pass, merged in both directions and by merging main into the
//! branch.

mod common;

use common::Env;

fn with_driver(env: &Env) {
    env.git(&[
        "config",
        "merge.presales.driver",
        &format!("{} merge-file %O %A %B %P", env!("CARGO_BIN_EXE_presales")),
    ]);
}

fn sol_path(env: &Env, sol: &str) -> std::path::PathBuf {
    env.root().join(format!("solutions/2026/{sol}.yaml"))
}

fn at(env: &mut Env, t: &str) {
    env.now = format!("2026-11-{t}+08:00");
}

/// A request and its solution in design with a plan, a time plan and resources.
fn designed(env: &mut Env) -> (String, String) {
    at(env, "27T10:00:00");
    let cus = env.customer("华东银行");
    let req = env.request_in_design(&cus, "智慧园区网络改造", &["--skill", "network"]);
    let sol = env
        .run_as(
            "li.na",
            &[
                "solution",
                "new",
                "--request",
                &req,
                "--plan",
                "# 方案\n\n核心交换机升级",
            ],
        )
        .ok();
    env.run_as(
        "li.na",
        &[
            "solution",
            "milestone",
            &sol,
            "--name",
            "上线",
            "--date",
            "2026-12-20",
        ],
    )
    .ok();
    env.run_as(
        "li.na",
        &[
            "solution", "resource", &sol, "--role", "engineer", "--days", "5",
        ],
    )
    .ok();
    (req, sol)
}

/// The request in review: a demo with one dispositioned feedback item, then `advance`.
fn in_review(env: &mut Env) -> (String, String) {
    let (req, sol) = designed(env);
    at(env, "28T10:00:00");
    env.run_as(
        "li.na",
        &[
            "demo",
            &req,
            "--date",
            "2026-11-28",
            "--attendee",
            "客户CTO",
        ],
    )
    .ok();
    env.run_as(
        "li.na",
        &["feedback", &req, "--from", "客户CTO", "--text", "需要容灾"],
    )
    .ok();
    env.run_as(
        "li.na",
        &["feedback", &req, "--item", "1", "--disposition", "accepted"],
    )
    .ok();
    env.run_as("li.na", &["advance", &req]).ok();
    (req, sol)
}

fn review(env: &Env, who: &str, sol: &str, verdict: &str) {
    env.run_as(
        who,
        &["review", sol, "--verdict", verdict, "--comment", "看过"],
    )
    .ok();
}

/// Commits the work so far on main and starts branch `pr`.
fn branch(env: &Env) {
    env.commit_all("main");
    env.git(&["checkout", "-q", "-b", "pr"]);
}

/// Rewrites a file by hand, commits it, and runs the gate; returns its findings.
fn forge(env: &Env, path: &std::path::Path, f: impl Fn(&str) -> String) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let forged = f(&text);
    assert_ne!(forged, text, "the forgery changes {}", path.display());
    std::fs::write(path, forged).unwrap();
    env.commit_all("hand edit");
    refused(env)
}

/// Runs the gate against main and expects a refusal; returns the findings.
fn refused(env: &Env) -> String {
    let r = env.run(&["check", "--base", "main"]);
    assert_eq!(
        r.code(),
        1,
        "the gate must refuse:\n{}{}",
        r.stdout(),
        r.stderr()
    );
    assert!(!r.stderr().contains("panicked"), "{}", r.stderr());
    r.stdout()
}

fn passes(env: &Env, base: &str) {
    let r = env.run(&["check", "--base", base]);
    assert_eq!(
        r.code(),
        0,
        "the gate must pass against {base}:\n{}{}",
        r.stdout(),
        r.stderr()
    );
}

/// A finding on `file` (relative path) whose message holds every one of `words`.
fn names(out: &str, file: &str, words: &[&str]) -> bool {
    out.lines()
        .any(|l| l.starts_with(&format!("{file}:")) && words.iter().all(|w| l.contains(w)))
}

fn rel_req(req: &str) -> String {
    format!("requests/2026/{req}.yaml")
}

fn rel_sol(sol: &str) -> String {
    format!("solutions/2026/{sol}.yaml")
}

/// A line of `text` replaced (the first one starting with `from`).
fn replace_line(text: &str, from: &str, to: &str) -> String {
    let mut done = false;
    text.lines()
        .map(|l| {
            if !done && l.starts_with(from) {
                done = true;
                to.to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn work_done_with_commands_passes_the_gate() {
    let mut env = Env::new();
    let (req, sol) = in_review(&mut env);
    at(&mut env, "29T10:00:00");
    review(&env, "wang.fang", &sol, "pass");
    review(&env, "zhang.wei", &sol, "pass");
    env.run_as("chen.jing", &["approve", &sol, "--note", "同意"])
        .ok();
    env.run_as(
        "zhang.wei",
        &[
            "handover",
            &req,
            "--to",
            "zhao.lei",
            "--training",
            "2026-12-01 产品培训 zhao.lei",
        ],
    )
    .ok();
    env.run_as(
        "li.na",
        &[
            "close",
            &req,
            "--outcome",
            "won",
            "--summary",
            "签约",
            "--satisfaction",
            "4",
        ],
    )
    .ok();
    env.run_as("zhang.wei", &["reopen", &req, "--note", "客户追加需求"])
        .ok();
    env.run_as(
        "li.na",
        &[
            "close",
            &req,
            "--outcome",
            "won",
            "--summary",
            "签约（含追加）",
        ],
    )
    .ok();
    env.run_as("zhao.lei", &["rate", &req, "--satisfaction", "5"])
        .ok();
    // Everything since `init`, replayed from nothing.
    passes(&env, "HEAD");
    env.commit_all("work");
    passes(&env, "HEAD~1");
}

#[test]
fn a_flipped_verdict_is_refused() {
    let mut env = Env::new();
    let (_, sol) = in_review(&mut env);
    review(&env, "wang.fang", &sol, "revise");
    branch(&env);
    let out = forge(&env, &sol_path(&env, &sol), |t| {
        t.replacen("verdict: revise", "verdict: pass", 1)
    });
    assert!(names(&out, &rel_sol(&sol), &["`reviews`"]), "{out}");
}

#[test]
fn deleted_review_rounds_are_refused() {
    let mut env = Env::new();
    let (_, sol) = in_review(&mut env);
    review(&env, "wang.fang", &sol, "pass");
    branch(&env);
    let out = forge(&env, &sol_path(&env, &sol), |t| {
        let start = t.find("\nreviews:\n").unwrap() + 1;
        let end = t.find("\nhistory:\n").unwrap() + 1;
        format!("{}{}", &t[..start], &t[end..])
    });
    assert!(names(&out, &rel_sol(&sol), &["`reviews`"]), "{out}");
}

#[test]
fn the_same_reviewers_pass_twice_or_the_authors_own_pass_is_refused() {
    let mut env = Env::new();
    let (_, sol) = in_review(&mut env);
    review(&env, "wang.fang", &sol, "pass");
    branch(&env);
    // A second copy of wang.fang's verdict, under another id.
    let out = forge(&env, &sol_path(&env, &sol), |t| {
        let start = t.find("  - id: ").unwrap();
        let end = start + t[start..].find("\nhistory:").unwrap() + 1;
        let copy = t[start..end].replacen("  - id: ", "  - id: Z", 1);
        format!("{}{copy}{}", &t[..end], &t[end..])
    });
    assert!(names(&out, &rel_sol(&sol), &["`reviews`"]), "{out}");

    // The author's own pass, with an entry made to look like the command's.
    env.git(&["reset", "-q", "--hard", "main"]);
    let out = forge(&env, &sol_path(&env, &sol), |t| {
        let verdict = "  - id: AUTHOR01\n    reviewer: li.na\n    verdict: pass\n    at: \"2026-11-28T10:00:00+08:00\"\n    comment: 自评通过\n";
        let end = t.find("\nhistory:").unwrap() + 1;
        let entry = "- at: \"2026-11-28T10:00:00+08:00\"\n  by: li.na\n  action: review\n  op: AUTHOR0001\n  note: 自评通过\n  round: 1\n  verdict: pass\n  verdict_id: AUTHOR01\n";
        format!("{}{verdict}{}{entry}", &t[..end], &t[end..])
    });
    assert!(
        names(&out, &rel_sol(&sol), &["not a legal change", "author"]),
        "{out}"
    );
}

#[test]
fn approving_by_pointing_to_another_requests_approved_solution_is_refused() {
    let mut env = Env::new();
    let (_, sol) = in_review(&mut env);
    at(&mut env, "29T10:00:00");
    review(&env, "wang.fang", &sol, "pass");
    review(&env, "zhang.wei", &sol, "pass");
    env.run_as("chen.jing", &["approve", &sol]).ok();
    let cus = env.customer("苏州园区");
    let other = env.request(&cus, "另一个需求", &["--skill", "network"]);
    env.run_as("zhang.wei", &["assign", &other, "--to", "li.na"])
        .ok();
    env.run_as(
        "li.na",
        &[
            "assess",
            &other,
            "--feasibility",
            "feasible",
            "--difficulty",
            "2",
        ],
    )
    .ok();
    branch(&env);
    let out = forge(&env, &env.path_of(&other), |t| {
        let t = replace_line(t, "stage:", "stage: approved");
        let t = t.replace("history:\n", &format!("solution: {sol}\nhistory:\n"));
        t + "- at: \"2026-11-29T11:00:00+08:00\"\n  by: li.na\n  action: advance\n  op: STEAL00001\n  from: analysis\n  to: approved\n"
    });
    assert!(
        names(&out, &rel_req(&other), &["not a legal change"]),
        "{out}"
    );
}

#[test]
fn an_approval_rewritten_to_the_assignee_is_refused() {
    let mut env = Env::new();
    let (_, sol) = in_review(&mut env);
    at(&mut env, "29T10:00:00");
    review(&env, "wang.fang", &sol, "pass");
    review(&env, "zhang.wei", &sol, "pass");
    env.run_as("chen.jing", &["approve", &sol]).ok();
    branch(&env);
    let out = forge(&env, &sol_path(&env, &sol), |t| {
        t.replacen("  by: chen.jing\n  at:", "  by: li.na\n  at:", 1)
    });
    assert!(names(&out, &rel_sol(&sol), &["`approval`"]), "{out}");
}

#[test]
fn a_lost_deal_cannot_become_won_with_satisfaction_5() {
    let mut env = Env::new();
    let (req, _) = designed(&mut env);
    env.run_as(
        "li.na",
        &[
            "close",
            &req,
            "--outcome",
            "cancelled",
            "--summary",
            "预算冻结",
            "--satisfaction",
            "3",
        ],
    )
    .ok();
    branch(&env);
    let out = forge(&env, &env.path_of(&req), |t| {
        replace_line(
            &replace_line(t, "outcome:", "outcome: won"),
            "satisfaction:",
            "satisfaction: 5",
        )
    });
    assert!(
        names(
            &out,
            &rel_req(&req),
            &["`satisfaction` changed 3 → 5", "rate"]
        ),
        "{out}"
    );
    assert!(names(&out, &rel_req(&req), &["`outcome`"]), "{out}");
}

#[test]
fn won_on_an_open_request_or_a_changed_type_is_refused() {
    let mut env = Env::new();
    let (req, _) = designed(&mut env);
    branch(&env);
    let out = forge(&env, &env.path_of(&req), |t| {
        t.replace("history:\n", "outcome: won\nhistory:\n")
    });
    assert!(names(&out, &rel_req(&req), &["`outcome`"]), "{out}");

    env.git(&["reset", "-q", "--hard", "main"]);
    let out = forge(&env, &env.path_of(&req), |t| {
        replace_line(t, "type:", "type: consultation")
    });
    assert!(names(&out, &rel_req(&req), &["`type`"]), "{out}");
}

#[test]
fn a_request_created_closed_or_a_move_from_the_wrong_stage_is_refused() {
    let mut env = Env::new();
    let (req, _) = designed(&mut env);
    branch(&env);
    // A new request file, closed from the start, with a create entry like the command's.
    let cus = env.json(&["customer", "list"])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let id = "REQ-20261127-A000000";
    let path = env.path_of(id);
    std::fs::write(
        &path,
        format!(
            "# yaml-language-server: $schema=../../schemas/request.schema.json\nid: {id}\ntitle: 伪造\ntype: solution\npriority: P3\ncustomer: {cus}\ncreated: \"2026-11-27T10:00:00+08:00\"\nstage: closed\noutcome: won\nsummary: 伪造\nhistory:\n- at: \"2026-11-27T10:00:00+08:00\"\n  by: zhao.lei\n  action: create\n  op: FAKE000001\n  to: registered\n  customer: {cus}\n  priority: P3\n  title: 伪造\n  type: solution\n"
        ),
    )
    .unwrap();
    env.commit_all("closed from birth");
    let out = refused(&env);
    assert!(names(&out, &rel_req(id), &["`stage`"]), "{out}");

    // A move whose `from` is not the stage the request is in.
    env.git(&["reset", "-q", "--hard", "main"]);
    let out = forge(&env, &env.path_of(&req), |t| {
        let t = replace_line(t, "stage:", "stage: demo");
        t + "- at: \"2026-11-28T10:00:00+08:00\"\n  by: li.na\n  action: advance\n  op: WRONGFROM1\n  from: analysis\n  to: demo\n"
    });
    assert!(
        names(&out, &rel_req(&req), &["history entry", "`from`"]),
        "{out}"
    );
}

#[test]
fn a_solution_edited_in_review_or_its_version_bumped_by_hand_is_refused() {
    let mut env = Env::new();
    let (_, sol) = in_review(&mut env);
    branch(&env);
    let out = forge(&env, &sol_path(&env, &sol), |t| {
        t.replacen("核心交换机升级", "核心交换机升级（改）", 1)
    });
    assert!(names(&out, &rel_sol(&sol), &["`plan`"]), "{out}");
    env.git(&["reset", "-q", "--hard", "main"]);
    let out = forge(&env, &sol_path(&env, &sol), |t| {
        t.replacen("days: \"5\"", "days: \"50\"", 1)
    });
    assert!(names(&out, &rel_sol(&sol), &["`resources`"]), "{out}");
    env.git(&["reset", "-q", "--hard", "main"]);
    let out = forge(&env, &sol_path(&env, &sol), |t| {
        replace_line(t, "version:", "version: 7")
    });
    assert!(names(&out, &rel_sol(&sol), &["`version`"]), "{out}");
}

#[test]
fn an_articles_history_author_or_status_rewritten_is_refused() {
    let env = Env::new();
    let art = env
        .run_as(
            "zhang.wei",
            &[
                "kb",
                "new",
                "--title",
                "派工原则",
                "--category",
                "faq",
                "--body",
                "轮流派工",
            ],
        )
        .ok();
    branch(&env);
    let path = env.root().join(format!("kb/2026/{art}.yaml"));
    let out = forge(&env, &path, |t| {
        replace_line(t, "status:", "status: published")
    });
    assert!(
        names(&out, &format!("kb/2026/{art}.yaml"), &["`status`"]),
        "{out}"
    );
    env.git(&["reset", "-q", "--hard", "main"]);
    let out = forge(&env, &path, |t| replace_line(t, "author:", "author: li.na"));
    assert!(out.contains("`author`"), "{out}");
    env.git(&["reset", "-q", "--hard", "main"]);
    let out = forge(&env, &path, |t| {
        t.replacen("  by: zhang.wei", "  by: li.na", 1)
    });
    assert!(out.contains("edited or removed"), "{out}");
}

#[test]
fn presales_toml_changed_with_records_is_refused() {
    let mut env = Env::new();
    let (_, sol) = in_review(&mut env);
    review(&env, "wang.fang", &sol, "pass");
    review(&env, "zhang.wei", &sol, "pass");
    branch(&env);
    // li.na grants herself the approver role and approves in the same change.
    let toml = env.root().join("presales.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        text.replacen(
            "roles = [\"engineer\"]\nskills = [\"network\", \"security\"]",
            "roles = [\"engineer\", \"approver\"]\nskills = [\"network\", \"security\"]",
            1,
        ),
    )
    .unwrap();
    let r = env.run_as("li.na", &["approve", &sol]);
    // The approval itself is refused by four eyes; the hand-written one below by the gate.
    assert_eq!(r.code(), 1);
    let s = std::fs::read_to_string(sol_path(&env, &sol)).unwrap();
    std::fs::write(
        sol_path(&env, &sol),
        s.replace(
            "history:\n",
            "approval:\n  by: li.na\n  at: \"2026-11-28T12:00:00+08:00\"\nhistory:\n",
        ),
    )
    .unwrap();
    env.commit_all("self-made approver");
    let out = refused(&env);
    assert!(
        names(&out, "presales.toml", &["changed together with", "split"]),
        "{out}"
    );

    // Guards or SLA limits emptied beside a record change: the same rule.
    env.git(&["reset", "-q", "--hard", "main"]);
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        text.replace("first_response_hours = 2", "first_response_hours = 2000"),
    )
    .unwrap();
    env.run_as(
        "li.na",
        &[
            "comment",
            env.json(&["list"])[0]["id"].as_str().unwrap(),
            "x",
        ],
    )
    .ok();
    env.commit_all("sla and a comment");
    let out = refused(&env);
    assert!(names(&out, "presales.toml", &["split"]), "{out}");
}

#[test]
fn a_comment_in_someone_elses_name_is_refused_with_verify_authors() {
    let mut env = Env::new();
    let (req, _) = designed(&mut env);
    branch(&env);
    env.run_as("wang.fang", &["comment", &req, "我来接手"]).ok();
    // Committed by li.na, although the entry says wang.fang.
    env.git(&["add", "-A"]);
    let out = std::process::Command::new("git")
        .current_dir(env.root())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args([
            "-c",
            "user.name=李娜",
            "-c",
            "user.email=li.na@example.com",
            "commit",
            "-qm",
            "comment",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let r = env.run(&["check", "--base", "main", "--verify-authors"]);
    assert_eq!(r.code(), 1, "{}", r.stdout());
    assert!(
        names(&r.stdout(), &rel_req(&req), &["comment", "wang.fang"]),
        "{}",
        r.stdout()
    );
}

/// Two branches from main, one change each; merged both ways and by merging main into the
/// branch, the gate passes every time.
fn concurrent(
    setup: impl Fn(&mut Env) -> (String, String),
    a: impl Fn(&mut Env, &str, &str),
    b: impl Fn(&mut Env, &str, &str),
) {
    let mut env = Env::new();
    with_driver(&env);
    let (req, sol) = setup(&mut env);
    env.commit_all("main");
    env.git(&["checkout", "-q", "-b", "a"]);
    a(&mut env, &req, &sol);
    env.commit_all("a");
    env.git(&["checkout", "-q", "main"]);
    env.git(&["checkout", "-q", "-b", "b"]);
    b(&mut env, &req, &sol);
    env.commit_all("b");
    passes(&env, "main");
    // b merged into a, and a merged into b.
    env.git(&["checkout", "-q", "-b", "ab", "a"]);
    env.git(&["merge", "-q", "--no-edit", "b"]);
    passes(&env, "main");
    passes(&env, "b");
    let text = std::fs::read_to_string(env.path_of(&req)).unwrap();
    assert!(!text.contains("merge_conflicts"), "{text}");
    env.git(&["checkout", "-q", "-b", "ba", "b"]);
    env.git(&["merge", "-q", "--no-edit", "a"]);
    passes(&env, "main");
    passes(&env, "a");
    // b lands on main; a is brought up to date by merging main.
    env.git(&["checkout", "-q", "main"]);
    env.git(&["merge", "-q", "--no-edit", "b"]);
    env.git(&["checkout", "-q", "a"]);
    env.git(&["merge", "-q", "--no-edit", "main"]);
    passes(&env, "main");
}

#[test]
fn comments_on_two_branches_merge_and_pass() {
    concurrent(
        designed,
        |env, req, _| {
            at(env, "28T11:00:00");
            env.run_as("li.na", &["comment", req, "方案已发客户"]).ok();
        },
        |env, req, _| {
            at(env, "28T09:00:00");
            env.run_as("zhao.lei", &["comment", req, "客户催进度"]).ok();
        },
    );
}

#[test]
fn two_reviewers_in_one_round_on_two_branches_merge_and_pass() {
    concurrent(
        in_review,
        |env, _, sol| {
            at(env, "29T11:00:00");
            review(env, "wang.fang", sol, "pass");
        },
        |env, _, sol| {
            at(env, "29T10:00:00");
            review(env, "zhang.wei", sol, "pass");
        },
    );
}

#[test]
fn two_feedback_items_on_one_demo_merge_and_pass() {
    concurrent(
        |env| {
            let (req, sol) = designed(env);
            at(env, "28T10:00:00");
            env.run_as(
                "li.na",
                &[
                    "demo",
                    &req,
                    "--date",
                    "2026-11-28",
                    "--attendee",
                    "客户CTO",
                ],
            )
            .ok();
            (req, sol)
        },
        |env, req, _| {
            at(env, "28T11:00:00");
            env.run_as(
                "li.na",
                &["feedback", req, "--from", "CTO", "--text", "需要容灾"],
            )
            .ok();
        },
        |env, req, _| {
            at(env, "28T12:00:00");
            env.run_as(
                "wang.fang",
                &["feedback", req, "--from", "CIO", "--text", "价格"],
            )
            .ok();
        },
    );
}

#[test]
fn an_assignment_and_a_comment_on_two_branches_merge_and_pass() {
    concurrent(
        |env| {
            at(env, "27T10:00:00");
            let cus = env.customer("华东银行");
            let req = env.request(&cus, "咨询", &["--skill", "network"]);
            (req, String::new())
        },
        |env, req, _| {
            at(env, "27T11:00:00");
            env.run_as("zhang.wei", &["assign", req, "--to", "li.na"])
                .ok();
        },
        |env, req, _| {
            at(env, "27T12:00:00");
            env.run_as("zhao.lei", &["comment", req, "客户很急"]).ok();
        },
    );
}

#[test]
fn a_milestone_on_a_branch_while_main_moves_on_merges_and_passes() {
    concurrent(
        designed,
        |env, _, sol| {
            at(env, "28T10:00:00");
            env.run_as(
                "li.na",
                &[
                    "solution",
                    "milestone",
                    sol,
                    "--name",
                    "试点",
                    "--date",
                    "2026-12-10",
                ],
            )
            .ok();
        },
        |env, req, _| {
            at(env, "28T11:00:00");
            env.run_as("zhao.lei", &["comment", req, "客户确认里程碑"])
                .ok();
        },
    );
}

#[test]
fn a_move_made_on_both_branches_is_refused_on_the_merge() {
    let mut env = Env::new();
    with_driver(&env);
    let (req, _) = designed(&mut env);
    at(&mut env, "28T10:00:00");
    env.run_as(
        "li.na",
        &[
            "demo",
            &req,
            "--date",
            "2026-11-28",
            "--attendee",
            "客户CTO",
        ],
    )
    .ok();
    env.commit_all("main");
    for (name, who, t) in [
        ("a", "li.na", "28T11:00:00"),
        ("b", "zhang.wei", "28T12:00:00"),
    ] {
        env.git(&["checkout", "-q", "-b", name, "main"]);
        at(&mut env, t);
        env.run_as(who, &["advance", &req, "--to", "design"]).ok();
        env.commit_all(name);
        passes(&env, "main");
    }
    env.git(&["merge", "-q", "--no-edit", "a"]);
    let out = refused(&env);
    assert!(
        names(&out, &rel_req(&req), &["not a legal change"]),
        "{out}"
    );
}

/// Every record of the demo store (built with the tool by examples/make-demo.sh), replayed
/// from an empty store with its presales.toml: every command the demo uses replays exactly.
#[test]
fn the_whole_demo_store_replays_from_nothing() {
    let env = Env::bare();
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo");
    for f in ["presales.toml", ".gitattributes", ".gitignore"] {
        std::fs::copy(demo.join(f), env.root().join(f)).unwrap();
    }
    std::fs::create_dir_all(env.root().join("requests")).unwrap();
    std::fs::write(env.root().join("requests/.gitkeep"), "").unwrap();
    env.commit_all("the configuration alone");
    let copy = |from: &std::path::Path, to: &std::path::Path| {
        let out = std::process::Command::new("cp")
            .arg("-r")
            .arg(from)
            .arg(to)
            .output()
            .unwrap();
        assert!(out.status.success());
    };
    for dir in [
        "requests",
        "solutions",
        "kb",
        "customers",
        "gaps",
        "trainings",
        "plans",
        "docs",
    ] {
        if demo.join(dir).exists() {
            let _ = std::fs::remove_dir_all(env.root().join(dir));
            copy(&demo.join(dir), &env.root().join(dir));
        }
    }
    env.commit_all("the demo's records");
    passes(&env, "HEAD~1");
}

#[test]
fn a_body_file_changed_by_hand_is_refused_until_kb_edit_records_it() {
    let env = Env::new();
    std::fs::create_dir_all(env.root().join("docs")).unwrap();
    std::fs::write(env.root().join("docs/manual.md"), "# 手册\n\n第一版\n").unwrap();
    let art = env
        .run_as(
            "li.na",
            &[
                "kb",
                "new",
                "--title",
                "SD-WAN 手册",
                "--category",
                "product_manual",
                "--body-file",
                "docs/manual.md",
            ],
        )
        .ok();
    branch(&env);
    std::fs::write(env.root().join("docs/manual.md"), "# 手册\n\n第二版\n").unwrap();
    env.commit_all("manual v2 by hand");
    let out = refused(&env);
    assert!(
        names(&out, "docs/manual.md", &["changed after", &art, "kb edit"]),
        "{out}"
    );
    // `kb edit` (the editor changes nothing) records the file's new text.
    let r = env
        .cmd()
        .args(["--as", "li.na", "kb", "edit", &art])
        .env("EDITOR", "true")
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    env.commit_all("record manual v2");
    passes(&env, "main");
}

#[test]
fn a_loss_reason_or_competitor_rewritten_after_close_is_refused_and_the_real_close_passes() {
    let mut env = Env::new();
    let (req, _) = designed(&mut env);
    branch(&env);
    env.run_as(
        "li.na",
        &[
            "close",
            &req,
            "--outcome",
            "cancelled",
            "--summary",
            "客户暂停项目",
        ],
    )
    .ok();
    env.commit_all("close");
    passes(&env, "main");
    // A cancelled request given a loss reason and a competitor by hand afterwards.
    let out = forge(&env, &env.path_of(&req), |t| {
        replace_line(
            t,
            "outcome:",
            "outcome: cancelled\nloss_reason: price\ncompetitor: Acme",
        )
    });
    assert!(names(&out, &rel_req(&req), &["`loss_reason`"]), "{out}");
    assert!(names(&out, &rel_req(&req), &["`competitor`"]), "{out}");
}

#[test]
fn effort_logged_with_the_command_passes_and_effort_added_by_hand_is_refused() {
    let mut env = Env::new();
    let (req, _) = designed(&mut env);
    branch(&env);
    env.run_as("li.na", &["log", &req, "3h", "--activity", "design"])
        .ok();
    env.commit_all("log");
    passes(&env, "main");
    // Hours inflated by hand afterwards.
    let out = forge(&env, &env.path_of(&req), |t| {
        t.replacen("hours: \"3\"", "hours: \"30\"", 1)
    });
    assert!(names(&out, &rel_req(&req), &["`effort`"]), "{out}");
}

/// A solution's `id` rewritten by hand: the gate and the whole-store check refuse it with
/// the same finding, naming both IDs, and neither judges the links of a record read under
/// an ID that is not its file's (the gate once added a "does not link back" finding the
/// whole-store check never gave). The gate's replay adds its own finding on the field.
#[test]
fn an_id_rewritten_by_hand_is_refused_alike_by_the_gate_and_the_whole_check() {
    let mut env = Env::new();
    let (_, sol) = designed(&mut env);
    branch(&env);
    let out = forge(&env, &sol_path(&env, &sol), |t| {
        replace_line(t, "id:", &format!("id: {sol}X"))
    });
    let expected = format!("id `{sol}X` does not match the file name `{sol}`");
    assert!(names(&out, &rel_sol(&sol), &[&expected]), "{out}");
    let whole = env.run(&["check"]);
    assert_eq!(whole.code(), 1, "{}", whole.stdout());
    let findings = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.contains(": error:") || l.contains(": warning:"))
            .map(str::to_string)
            .collect()
    };
    // The gate also replays the change (no command rewrites an id); beyond that, the same.
    let gate: Vec<String> = findings(&out)
        .into_iter()
        .filter(|l| !l.contains("with no command in this change's history"))
        .collect();
    assert_eq!(gate, findings(&whole.stdout()), "{out}");
    assert_eq!(gate.len(), 1, "{out}");
}
