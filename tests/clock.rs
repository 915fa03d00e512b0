//! Clock sanity: a write earlier than a record's last entry is refused (a wrong clock, not
//! a workflow); demos dated in the future are planned, not held; `presales agenda`.

mod common;

use common::{Env, clean};

/// A request in `design` assigned to li.na whose solution is ready for the demo stage.
fn ready(env: &Env) -> (String, String) {
    let cus = env.customer("华东银行");
    let req = env.request(
        &cus,
        "智慧园区网络改造",
        &["--type", "solution", "--skill", "network"],
    );
    env.run_as("zhang.wei", &["assign", &req, "--to", "li.na"])
        .ok();
    env.run_as(
        "li.na",
        &[
            "assess",
            &req,
            "--feasibility",
            "feasible",
            "--difficulty",
            "3",
        ],
    )
    .ok();
    env.run_as("li.na", &["advance", &req]).ok();
    let sol = env
        .run_as(
            "li.na",
            &["solution", "new", "--request", &req, "--plan", "# 方案"],
        )
        .ok();
    for args in [
        vec!["milestone", &sol, "--name", "PoC", "--date", "2026-12-20"],
        vec!["resource", &sol, "--role", "网络工程师", "--days", "10"],
    ] {
        let mut full = vec!["solution"];
        full.extend(args);
        env.run_as("li.na", &full).ok();
    }
    (req, sol)
}

/// Runs `args` as li.na with the clock at `now`.
fn run_at(env: &Env, now: &str, args: &[&str]) -> common::Run {
    let mut c = env.cmd();
    c.env("PRESALES_NOW", now)
        .arg("--as")
        .arg("li.na")
        .args(args);
    common::Run {
        out: c.output().unwrap(),
    }
}

#[test]
fn a_write_before_the_last_entry_is_refused_with_both_times_and_writes_nothing() {
    let env = Env::new();
    let (req, sol) = ready(&env);
    let before = (env.read(&req), env.read(&sol));
    let r = run_at(
        &env,
        "2026-11-27T09:00:00+08:00",
        &["comment", &req, "客户来电"],
    );
    clean("a clock an hour late", &r);
    let err = r.stderr();
    for want in [
        &req as &str,
        "2026-11-27T10:00:00+08:00",
        "2026-11-27T09:00:00+08:00",
        "a wrong clock, not a workflow",
        "PRESALES_NOW",
    ] {
        assert!(err.contains(want), "missing {want:?} in\n{err}");
    }
    let r = run_at(
        &env,
        "2026-11-26T18:00:00+08:00",
        &[
            "solution",
            "quote",
            &sol,
            "--item",
            "交换机",
            "--qty",
            "1",
            "--unit-price",
            "10",
        ],
    );
    clean("a clock a day late", &r);
    assert!(r.stderr().contains(&sol), "{}", r.stderr());
    assert_eq!((env.read(&req), env.read(&sol)), before, "nothing written");

    // The same instant in another offset is not earlier; a later one is fine.
    run_at(&env, "2026-11-27T02:00:00Z", &["comment", &req, "同一时刻"]).ok();
    run_at(
        &env,
        "2026-11-27T11:00:00+08:00",
        &["comment", &req, "一小时后"],
    )
    .ok();
}

#[test]
fn the_gate_replays_entries_written_in_order_and_interleaved_by_a_merge() {
    let env = Env::new();
    let (req, _) = ready(&env);
    env.commit_all("main");
    env.git(&["checkout", "-q", "-b", "pr"]);
    run_at(
        &env,
        "2026-11-27T11:00:00+08:00",
        &["comment", &req, "第一次"],
    )
    .ok();
    run_at(
        &env,
        "2026-11-27T12:00:00+08:00",
        &["comment", &req, "第二次"],
    )
    .ok();
    env.commit_all("comments");
    let r = env.run(&["check", "--base", "main"]);
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());
    // Against the branch's first commit, the second comment is new and the first one is
    // base: entries of two branches interleave like this after a merge, so the gate does
    // not judge the writer's clock (each command did).
    let text = env.read(&req);
    let swapped = text.replace(
        "at: \"2026-11-27T12:00:00+08:00\"",
        "at: \"2026-11-27T10:30:00+08:00\"",
    );
    assert_ne!(swapped, text);
    std::fs::write(env.path_of(&req), swapped).unwrap();
    env.commit_all("an entry from a branch whose clock was behind");
    let r = env.run(&["check", "--base", "main"]);
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());
}

#[test]
fn a_planned_demo_satisfies_no_guard_until_it_is_held() {
    let env = Env::new();
    let (req, _) = ready(&env);
    env.commit_all("main");
    env.git(&["checkout", "-q", "-b", "pr"]);
    // A future demo is not recorded as held.
    let r = env.run_as(
        "li.na",
        &[
            "demo",
            &req,
            "--date",
            "2026-12-09",
            "--attendee",
            "客户CTO",
        ],
    );
    clean("a demo in the future", &r);
    assert!(r.stderr().contains("--planned"), "{}", r.stderr());
    // Planned: the request stays in design, and there is no demo to give feedback on.
    let out = env
        .run_as(
            "li.na",
            &[
                "demo",
                &req,
                "--planned",
                "--date",
                "2026-12-09",
                "--attendee",
                "客户CTO",
                "--attendee",
                "IT 经理",
            ],
        )
        .ok();
    assert!(out.contains("not held yet"), "{out}");
    let shown = env.json(&["show", &req]);
    assert_eq!(shown["stage"], "design");
    assert!(shown["demos"].is_null(), "{shown}");
    assert_eq!(shown["planned_demos"][0]["date"], "2026-12-09");
    assert!(
        env.run(&["show", &req])
            .ok()
            .contains("planned demo 1 on 2026-12-09")
    );
    let r = env.run_as(
        "li.na",
        &["feedback", &req, "--from", "客户CTO", "--text", "好"],
    );
    clean("feedback on a planned demo", &r);
    // Entering demo by hand: the planned demo does not satisfy demo → review.
    env.run_as("li.na", &["advance", &req, "--to", "demo"]).ok();
    let r = env.run_as("li.na", &["advance", &req]);
    clean("review without a demo held", &r);
    assert!(r.stderr().contains("a demo recorded"), "{}", r.stderr());
    // Held before its day: refused.
    let r = env.run_as("li.na", &["demo", &req, "--held", "1"]);
    clean("held before its day", &r);
    // On its day it is held: the request is in demo and feedback goes to it.
    let out = run_at(
        &env,
        "2026-12-09T16:00:00+08:00",
        &["demo", &req, "--held", "1"],
    )
    .ok();
    assert!(out.contains("demo 1 recorded; stage: demo"), "{out}");
    let shown = env.json(&["show", &req]);
    assert!(shown["planned_demos"].is_null(), "{shown}");
    assert_eq!(shown["demos"][0]["date"], "2026-12-09");
    assert_eq!(
        shown["demos"][0]["attendees"],
        serde_json::json!(["客户CTO", "IT 经理"])
    );
    run_at(
        &env,
        "2026-12-09T17:00:00+08:00",
        &["feedback", &req, "--from", "客户CTO", "--text", "需要双活"],
    )
    .ok();
    env.run(&["fmt", "--check"]).ok();
    env.commit_all("demo");
    let r = env.run(&["check", "--base", "main"]);
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());
}

#[test]
fn the_agenda_lists_demos_trainings_and_reviews_in_date_order() {
    let env = Env::new();
    let (req, _) = ready(&env);
    env.run_as(
        "li.na",
        &[
            "demo",
            &req,
            "--planned",
            "--date",
            "2026-12-09",
            "--attendee",
            "客户CTO",
        ],
    )
    .ok();
    env.run_as(
        "zhang.wei",
        &[
            "training",
            "new",
            "--title",
            "SD-WAN 产品培训",
            "--date",
            "2026-12-03",
            "--trainer",
            "li.na",
            "--attendee",
            "wang.fang",
            "--hours",
            "2",
            "--place",
            "3 楼会议室",
        ],
    )
    .ok();
    env.run_as(
        "zhang.wei",
        &[
            "training",
            "new",
            "--title",
            "明年的培训",
            "--date",
            "2027-02-01",
            "--trainer",
            "zhang.wei",
        ],
    )
    .ok();
    let a = env.json(&["agenda", "--team"]);
    let items = a["items"].as_array().unwrap();
    let got: Vec<(&str, &str)> = items
        .iter()
        .map(|i| (i["date"].as_str().unwrap(), i["what"].as_str().unwrap()))
        .collect();
    assert_eq!(got, [("2026-12-03", "training"), ("2026-12-09", "demo")]);
    assert_eq!(a["from"], "2026-11-27");
    assert_eq!(a["to"], "2026-12-11");
    // Further ahead, the February session too.
    let a = env.json(&["agenda", "--team", "--days", "90"]);
    assert_eq!(a["items"].as_array().unwrap().len(), 3);
    // One member: wang.fang is invited to the training only.
    let a = env.json(&["agenda", "--as", "wang.fang"]);
    let items = a["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["what"], "training");
    let md = env.run(&["agenda", "--team", "--format", "markdown"]).ok();
    assert!(md.contains("| 2026-12-03 | training |"), "{md}");
    let table = env.run(&["agenda", "--team"]).ok();
    let t = table.find("SD-WAN 产品培训").unwrap();
    let d = table.find("智慧园区网络改造").unwrap();
    assert!(t < d, "{table}");
}

#[test]
fn the_agenda_redacts_confidential_customers() {
    let env = Env::new();
    let cus = env
        .run(&["customer", "new", "--name", "仁和医院", "--confidential"])
        .ok();
    let req = env.request(&cus, "HIS 合规演示", &["--type", "demo"]);
    env.run_as("zhang.wei", &["assign", &req, "--to", "li.na"])
        .ok();
    env.run_as(
        "li.na",
        &[
            "demo",
            &req,
            "--planned",
            "--date",
            "2026-12-01",
            "--attendee",
            "信息科",
        ],
    )
    .ok();
    let out = env.run(&["agenda", "--team"]).ok();
    assert!(
        out.contains("[confidential]") && !out.contains("HIS 合规演示"),
        "{out}"
    );
    let out = env
        .run(&["agenda", "--team", "--include-confidential"])
        .ok();
    assert!(out.contains("HIS 合规演示"), "{out}");
}
