//! Honest KPIs (issue 18, item 3), end to end: "handled" means worked on, the team row counts
//! unassigned requests, a cancelled request is out of resolution attainment, and an internal
//! comment is not a first response.

mod common;

use common::Env;
use serde_json::Value;

fn member<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["member"] == id)
        .unwrap_or_else(|| panic!("{id} in {r}"))
}

#[test]
fn kpis_count_work_not_assignments() {
    let mut env = Env::new();
    let cus = env.customer("华东银行");
    // A: assigned to li.na, reassigned to wang.fang a minute later; wang.fang answers it.
    let a = env.request(&cus, "咨询 A", &["--type", "consultation"]);
    env.run_as("zhang.wei", &["assign", &a, "--to", "li.na"])
        .ok();
    env.now = "2026-11-27T10:01:00+08:00".into();
    env.run_as("zhang.wei", &["assign", &a, "--to", "wang.fang"])
        .ok();
    env.now = "2026-11-27T10:30:00+08:00".into();
    env.run_as("wang.fang", &["advance", &a, "--note", "答复"])
        .ok();
    // B: never assigned.
    let b = env.request(&cus, "咨询 B", &["--type", "consultation"]);
    // C: a POC cancelled after its resolution limit had passed.
    env.now = "2026-11-23T09:00:00+08:00".into();
    let c = env.request(&cus, "POC C", &["--type", "poc", "--priority", "P1"]);
    env.run_as("zhang.wei", &["assign", &c, "--to", "liu.yang"])
        .ok();
    env.run_as("liu.yang", &["comment", &c, "内部：等客户环境"])
        .ok();
    env.now = "2026-11-27T11:00:00+08:00".into();
    env.run_as(
        "liu.yang",
        &[
            "close",
            &c,
            "--outcome",
            "cancelled",
            "--summary",
            "客户取消",
        ],
    )
    .ok();

    env.now = "2026-11-27T12:00:00+08:00".into();
    let r = env.json(&["report", "performance"]);
    assert_eq!(
        member(&r, "li.na")["handled"],
        0,
        "reassigned away untouched: {r}"
    );
    assert_eq!(member(&r, "wang.fang")["handled"], 1);
    // The team row counts every request open in the week, B (unassigned) too.
    assert_eq!(r["team"]["handled"], 3, "{}", r["team"]);

    let sla = env.json(&["report", "sla"]);
    let row = |id: &str| {
        sla["requests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id)
            .cloned()
            .unwrap()
    };
    // C's comment was internal: its first response came only with the close.
    let c_row = row(&c);
    assert_eq!(c_row["resolution"]["status"], "not_counted", "{c_row}");
    assert_eq!(
        c_row["first_response"]["stopped"], "2026-11-27T11:00:00+08:00",
        "{c_row}"
    );
    assert!(row(&b)["first_response"]["stopped"].is_null());
    // Attainment leaves C's resolution out: only A resolved (met).
    assert_eq!(sla["resolution"]["breached"], 0, "{}", sla["resolution"]);
    let _ = a;
}

#[test]
fn a_team_that_answers_by_comment_can_say_so() {
    let env = Env::new();
    let path = env.root().join("presales.toml");
    let toml = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        toml.replacen(
            "[workflow]\n",
            "[workflow]\nfirst_response = [\"comment\", \"assess\", \"advance\", \"close\"]\n",
            1,
        ),
    )
    .unwrap();
    let cus = env.customer("华东银行");
    let a = env.request(&cus, "咨询", &["--type", "consultation"]);
    env.run_as("zhang.wei", &["assign", &a, "--to", "li.na"])
        .ok();
    env.run_as("li.na", &["comment", &a, "已电话回复客户"]).ok();
    let sla = env.json(&["report", "sla"]);
    let row = &sla["requests"][0];
    assert_eq!(row["first_response"]["status"], "met", "{row}");
}

#[test]
fn list_sorts_by_sla_urgency() {
    let mut env = Env::new();
    let cus = env.customer("华东银行");
    env.now = "2026-11-27T08:00:00+08:00".into();
    let calm = env.request(&cus, "P4 calm", &["--priority", "P4"]);
    let breached = env.request(&cus, "P1 breached", &["--priority", "P1"]);
    let closed = env.request(&cus, "closed", &["--priority", "P1"]);
    env.run_as(
        "zhao.lei",
        &["close", &closed, "--outcome", "cancelled", "--summary", "x"],
    )
    .ok();
    env.now = "2026-11-27T16:00:00+08:00".into();
    let out = env.run(&["list", "--sort", "sla", "--format", "csv"]).ok();
    let ids: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(
        ids,
        [breached.as_str(), calm.as_str(), closed.as_str()],
        "{out}"
    );
    let out = env
        .run(&[
            "list",
            "--sort",
            "sla",
            "--reverse",
            "--limit",
            "1",
            "--format",
            "csv",
        ])
        .ok();
    assert!(out.contains(&closed), "{out}");
}
