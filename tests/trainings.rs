//! Training plans (issue 16, part 2): `training new|attend|list|show`, their refusals, the
//! canonical file, `check` and the gate (`check --base`) on training files, the merge of
//! attendance recorded on two branches, and `report training` figure by figure.

mod common;

use common::{Env, clean};

fn at(env: &mut Env, t: &str) {
    env.now = format!("2026-{t}+08:00");
}

/// A session planned by the lead; returns its ID.
fn training(env: &Env, args: &[&str]) -> String {
    let mut full = vec!["training", "new"];
    full.extend_from_slice(args);
    env.run_as("zhang.wei", &full).ok()
}

fn attend(env: &Env, id: &str, members: &[&str]) {
    let mut args = vec!["training", "attend", id];
    for m in members {
        args.extend(["--member", m]);
    }
    env.run_as("zhang.wei", &args).ok();
}

fn security(env: &Env, date: &str) -> String {
    training(
        env,
        &[
            "--title",
            "年度保密培训",
            "--kind",
            "security",
            "--date",
            date,
            "--trainer",
            "zhang.wei",
            "--attendee",
            "li.na",
            "--attendee",
            "wang.fang",
            "--attendee",
            "liu.yang",
        ],
    )
}

#[test]
fn a_session_is_planned_attended_shown_and_listed() {
    let env = Env::new();
    let id = training(
        &env,
        &[
            "--title",
            "新版 VPN 产品培训",
            "--date",
            "2026-11-25",
            "--trainer",
            "李娜",
            "--attendee",
            "wang.fang",
            "--attendee",
            "LIU.YANG",
            "--topic",
            "VPN",
            "--topic",
            "IPsec",
            "--hours",
            "90m",
            "--place",
            "3 楼会议室",
        ],
    );
    assert!(id.starts_with("TRN-20261127-"), "{id}");
    assert!(env.path_of(&id).exists());
    let out = env.run(&["training", "attend", &id, "--member", "wang.fang"]);
    assert_eq!(out.ok(), format!("{id}: 1 attended (1 of 2 invited)"));
    // The record's own field names, members by id whatever was typed.
    let t = env.json(&["training", "show", &id]);
    assert_eq!(t["kind"], "product");
    assert_eq!(t["date"], "2026-11-25");
    assert_eq!(t["hours"], "1.5");
    assert_eq!(t["trainer"], "li.na");
    assert_eq!(t["place"], "3 楼会议室");
    assert_eq!(t["topics"], serde_json::json!(["VPN", "IPsec"]));
    assert_eq!(t["attendees"], serde_json::json!(["wang.fang", "liu.yang"]));
    assert_eq!(t["attended"][0]["member"], "wang.fang");
    assert_eq!(t["attended"][0]["by"], "zhao.lei");
    assert_eq!(t["author"], "zhang.wei");
    let history: Vec<&str> = t["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["create", "attend"]);
    // `presales show` knows the kind too.
    let shown = env.run(&["show", &id]).ok();
    assert!(shown.contains("1 of 2 invited attended"), "{shown}");
    assert!(shown.contains("liu.yang"), "{shown}");
    // The default length comes from presales.toml, 2 h without a setting.
    let other = training(
        &env,
        &[
            "--title",
            "数据库培训",
            "--date",
            "2026-12-02",
            "--trainer",
            "wang.fang",
        ],
    );
    assert_eq!(env.json(&["training", "show", &other])["hours"], "2");
    let list = env.json(&["training", "list"]);
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id.as_str(), other.as_str()], "oldest session first");
    assert_eq!(list[0]["attended_invited"], 1);
    assert_eq!(list[0]["trainer"], "li.na");
    let table = env.run(&["training", "list"]).ok();
    assert!(table.contains("新版 VPN 产品培训"), "{table}");
    let csv = env.run(&["--format", "csv", "training", "list"]).ok();
    assert!(
        csv.starts_with("ID,DATE,KIND,HOURS,TRAINER,INVITED,ATTENDED,TITLE\n"),
        "{csv}"
    );
}

#[test]
fn list_filters_by_kind_member_and_period() {
    let env = Env::new();
    let sec = security(&env, "2026-11-20");
    let prod = training(
        &env,
        &[
            "--title",
            "产品培训",
            "--date",
            "2026-12-10",
            "--trainer",
            "li.na",
            "--attendee",
            "sun.li",
        ],
    );
    let old = training(
        &env,
        &[
            "--title",
            "去年的培训",
            "--date",
            "2025-06-01",
            "--trainer",
            "li.na",
        ],
    );
    let ids = |args: &[&str]| -> Vec<String> {
        let mut full = vec!["training", "list"];
        full.extend_from_slice(args);
        env.json(&full)
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&["--kind", "SECURITY"]), [sec.as_str()]);
    assert_eq!(ids(&["--member", "sun.li"]), [prod.as_str()]);
    assert_eq!(
        ids(&["--member", "li.na"]),
        [old.as_str(), sec.as_str(), prod.as_str()]
    );
    assert_eq!(
        ids(&["--quarter", "2026-Q4"]),
        [sec.as_str(), prod.as_str()]
    );
    assert_eq!(ids(&["--month", "this"]), [sec.as_str()]);
    assert_eq!(ids(&["--year", "2025"]), [old.as_str()]);
    assert_eq!(ids(&["--from", "2026-12-01"]), [prod.as_str()]);
    let r = env.run(&["training", "list", "--member", "nobody"]);
    clean("list --member nobody", &r);
    assert!(
        r.stderr().contains("`nobody` is not a team member"),
        "{}",
        r.stderr()
    );
    let r = env.run(&["training", "list", "--kind", "fun"]);
    assert_eq!(r.code(), 2, "{}", r.stderr());
}

#[test]
fn refusals_name_the_fix() {
    let mut env = Env::new();
    let base = ["--title", "培训", "--date", "2026-11-20"];
    let try_new = |extra: &[&str]| {
        let mut args = vec!["training", "new"];
        args.extend_from_slice(&base);
        args.extend_from_slice(extra);
        env.run(&args)
    };
    let r = try_new(&["--trainer", "nobody"]);
    clean("unknown trainer", &r);
    assert!(
        r.stderr().contains("`nobody` is not a team member"),
        "{}",
        r.stderr()
    );
    assert!(r.stderr().contains("members: zhang.wei"), "{}", r.stderr());
    let r = try_new(&["--trainer", "li.na", "--attendee", "ghost"]);
    clean("unknown attendee", &r);
    assert!(
        r.stderr().contains("`ghost` is not a team member"),
        "{}",
        r.stderr()
    );
    let r = try_new(&["--trainer", "li.na", "--attendee", "li.na"]);
    clean("trainer invited", &r);
    assert!(
        r.stderr().contains("not also an attendee"),
        "{}",
        r.stderr()
    );
    let r = try_new(&[
        "--trainer",
        "li.na",
        "--attendee",
        "wang.fang",
        "--attendee",
        "王芳",
    ]);
    clean("invited twice", &r);
    assert!(
        r.stderr().contains("wang.fang is invited twice"),
        "{}",
        r.stderr()
    );
    let r = try_new(&["--trainer", "li.na", "--kind", "fun"]);
    assert_eq!(r.code(), 2);
    clean("bad kind", &r);
    assert!(
        r.stderr()
            .contains("unknown training kind `fun` (expected product, security or handover)"),
        "{}",
        r.stderr()
    );
    let r = env.run(&[
        "training",
        "new",
        "--title",
        "培训",
        "--date",
        "2026-13-01",
        "--trainer",
        "li.na",
    ]);
    assert_eq!(r.code(), 2);
    clean("bad date", &r);
    assert!(
        r.stderr().contains("is not a date (expected YYYY-MM-DD"),
        "{}",
        r.stderr()
    );
    for bad in ["0", "25h", "-1", "2 weeks"] {
        let r = try_new(&["--trainer", "li.na", "--hours", bad]);
        clean(&format!("--hours {bad}"), &r);
    }
    let r = try_new(&["--trainer", "li.na", "--title", "两行\n标题"]);
    clean("two-line title", &r);
    // A member who left the team gives and attends no new session.
    let toml = std::fs::read_to_string(env.root().join("presales.toml")).unwrap();
    std::fs::write(
        env.root().join("presales.toml"),
        toml.replace("id = \"sun.li\"\n", "id = \"sun.li\"\nactive = false\n"),
    )
    .unwrap();
    let r = try_new(&["--trainer", "li.na", "--attendee", "sun.li"]);
    clean("inactive attendee", &r);
    assert!(r.stderr().contains("has left the team"), "{}", r.stderr());
    // Nothing was written by any refusal.
    assert!(!env.root().join("trainings").join("2026").exists());

    let id = training(
        &env,
        &[
            "--title",
            "下周的培训",
            "--date",
            "2026-12-03",
            "--trainer",
            "li.na",
            "--attendee",
            "wang.fang",
        ],
    );
    let r = env.run(&["training", "attend", &id, "--member", "wang.fang"]);
    clean("attend before the session", &r);
    assert!(
        r.stderr()
            .contains("attendance is recorded once it is held"),
        "{}",
        r.stderr()
    );
    at(&mut env, "12-03T18:00:00");
    let r = env.run(&["training", "attend", &id, "--member", "li.na"]);
    clean("trainer attends", &r);
    assert!(
        r.stderr().contains("the trainer is counted as trainer"),
        "{}",
        r.stderr()
    );
    let r = env.run(&["training", "attend", &id, "--member", "ghost"]);
    clean("unknown attendee", &r);
    let r = env.run(&["training", "attend", &id]);
    assert_eq!(r.code(), 2, "--member is required");
    env.run(&["training", "attend", &id, "--member", "wang.fang"])
        .ok();
    let r = env.run(&["training", "attend", &id, "--member", "wang.fang"]);
    clean("attends twice", &r);
    assert!(r.stderr().contains("recorded already"), "{}", r.stderr());
    let r = env.run(&[
        "training",
        "attend",
        "TRN-20260101-A000000",
        "--member",
        "li.na",
    ]);
    clean("unknown training", &r);
    let r = env.run_as(
        "sun.li",
        &["training", "attend", &id, "--member", "liu.yang"],
    );
    clean("caller left the team", &r);
}

#[test]
fn the_file_is_canonical_and_rewriting_it_changes_nothing() {
    let mut env = Env::new();
    let id = security(&env, "2026-11-20");
    attend(&env, &id, &["li.na", "wang.fang"]);
    at(&mut env, "11-28T09:00:00");
    attend(&env, &id, &["刘洋"]);
    let before = env.read(&id);
    assert!(
        before.starts_with("# yaml-language-server: $schema=../../schemas/training.schema.json\n"),
        "{before}"
    );
    assert!(
        before.contains(
            "attended:\n- member: li.na\n  at: \"2026-11-27T10:00:00+08:00\"\n  by: zhang.wei\n"
        ),
        "{before}"
    );
    env.run(&["fmt", "--check"]).ok();
    env.run(&["fmt"]).ok();
    assert_eq!(env.read(&id), before, "fmt rewrites the file byte for byte");
    env.run(&["check"]).ok();
    // An unknown field survives a command's rewrite.
    std::fs::write(
        env.path_of(&id),
        before.replace(
            "author: zhang.wei\n",
            "author: zhang.wei\nroom_booking: R-17\n",
        ),
    )
    .unwrap();
    let t = env.json(&["training", "show", &id]);
    assert_eq!(t["room_booking"], "R-17");
}

#[test]
fn check_names_what_is_wrong_in_a_training_file() {
    let env = Env::new();
    let id = security(&env, "2026-11-20");
    attend(&env, &id, &["li.na"]);
    env.run(&["check"]).ok();
    let text = env.read(&id);
    let forged = text
        .replacen("trainer: zhang.wei", "trainer: ghost", 1)
        .replacen("- wang.fang\n", "- wang.fang\n- wang.fang\n", 1)
        .replacen("hours: \"2\"", "hours: \"0\"", 1)
        .replacen("- member: li.na", "- member: zhou.qiang", 1);
    std::fs::write(env.path_of(&id), forged).unwrap();
    let r = env.run(&["check"]);
    assert_eq!(r.code(), 1, "{}{}", r.stdout(), r.stderr());
    let out = r.stdout();
    assert!(
        out.contains("trainer `ghost` is not a team member"),
        "{out}"
    );
    assert!(out.contains("wang.fang is invited twice"), "{out}");
    assert!(out.contains("hours 0 is not a session"), "{out}");
    assert!(
        out.contains("`zhou.qiang` attended but is not a team member"),
        "{out}"
    );
}

// ── The gate ──────────────────────────────────────────────────────────────────────────

fn branch(env: &Env) {
    env.commit_all("main");
    env.git(&["checkout", "-q", "-b", "pr"]);
}

fn gate(env: &Env) -> common::Run {
    env.run(&["check", "--base", "main"])
}

fn forged(env: &Env, id: &str, f: impl Fn(&str) -> String) -> String {
    let path = env.path_of(id);
    let text = std::fs::read_to_string(&path).unwrap();
    let forged = f(&text);
    assert_ne!(forged, text, "the forgery changes {id}");
    std::fs::write(&path, forged).unwrap();
    env.commit_all("hand edit");
    let r = gate(env);
    assert_eq!(
        r.code(),
        1,
        "the gate must refuse:\n{}{}",
        r.stdout(),
        r.stderr()
    );
    r.stdout()
}

#[test]
fn training_work_done_with_commands_passes_the_gate() {
    let mut env = Env::new();
    let id = security(&env, "2026-11-20");
    branch(&env);
    at(&mut env, "11-28T09:00:00");
    attend(&env, &id, &["li.na", "wang.fang"]);
    training(
        &env,
        &[
            "--title",
            "产品培训",
            "--date",
            "2026-12-10",
            "--trainer",
            "li.na",
            "--hours",
            "3",
        ],
    );
    env.commit_all("training work");
    let r = gate(&env);
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());
}

#[test]
fn attendance_forged_by_hand_is_refused() {
    let mut env = Env::new();
    let id = security(&env, "2026-11-20");
    branch(&env);
    at(&mut env, "11-28T09:00:00");
    let out = forged(&env, &id, |t| {
        t.replacen(
            "created:",
            "attended:\n- member: li.na\n  at: \"2026-11-28T09:00:00+08:00\"\n  by: zhang.wei\ncreated:",
            1,
        )
    });
    assert!(out.contains("`attended`"), "{out}");
    assert!(out.contains("presales training attend"), "{out}");
}

#[test]
fn hours_and_trainer_changed_by_hand_are_refused() {
    let mut env = Env::new();
    let id = security(&env, "2026-11-20");
    branch(&env);
    at(&mut env, "11-28T09:00:00");
    let out = forged(&env, &id, |t| {
        t.replacen("hours: \"2\"", "hours: \"8\"", 1).replacen(
            "trainer: zhang.wei",
            "trainer: chen.jing",
            1,
        )
    });
    assert!(out.contains("`hours`"), "{out}");
    assert!(out.contains("`trainer`"), "{out}");
}

#[test]
fn an_attend_entry_without_its_attendance_is_refused() {
    let mut env = Env::new();
    let id = security(&env, "2026-11-20");
    branch(&env);
    at(&mut env, "11-28T09:00:00");
    attend(&env, &id, &["li.na"]);
    env.commit_all("attend");
    // The entry stays, the attendance it records is removed by hand.
    let out = forged(&env, &id, |t| {
        let start = t.find("attended:\n").unwrap();
        let end = t.find("created:").unwrap();
        format!("{}{}", &t[..start], &t[end..])
    });
    assert!(out.contains("attended"), "{out}");
}

// ── The merge driver ─────────────────────────────────────────────────────────────────

#[test]
fn attendance_recorded_on_two_branches_merges_and_passes_the_gate() {
    let mut env = Env::new();
    env.git(&[
        "config",
        "merge.presales.driver",
        &format!("{} merge-file %O %A %B %P", env!("CARGO_BIN_EXE_presales")),
    ]);
    let id = security(&env, "2026-11-20");
    env.commit_all("main");
    env.git(&["checkout", "-q", "-b", "a"]);
    at(&mut env, "11-28T11:00:00");
    attend(&env, &id, &["wang.fang"]);
    env.commit_all("a");
    env.git(&["checkout", "-q", "main"]);
    env.git(&["checkout", "-q", "-b", "b"]);
    at(&mut env, "11-28T09:00:00");
    attend(&env, &id, &["li.na"]);
    env.commit_all("b");
    env.git(&["merge", "-q", "--no-edit", "a"]);
    let t = env.json(&["training", "show", &id]);
    let members: Vec<&str> = t["attended"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["member"].as_str().unwrap())
        .collect();
    assert_eq!(members, ["li.na", "wang.fang"], "in time order");
    assert!(!env.read(&id).contains("merge_conflicts"));
    env.run(&["check"]).ok();
    let r = gate(&env);
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());
}

// ── report training ──────────────────────────────────────────────────────────────────

/// A request taken to handover, with a handover training on 11-29 recorded by zhang.wei
/// for zhao.lei and sun.li.
fn handed_over(env: &mut Env) {
    at(env, "11-27T10:00:00");
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
                "# 方案\n\n升级",
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
    at(env, "11-28T10:00:00");
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
    at(env, "11-29T10:00:00");
    for who in ["wang.fang", "zhang.wei"] {
        env.run_as(
            who,
            &["review", &sol, "--verdict", "pass", "--comment", "好"],
        )
        .ok();
    }
    env.run_as("chen.jing", &["approve", &sol]).ok();
    env.run_as(
        "zhang.wei",
        &[
            "handover",
            &req,
            "--to",
            "zhao.lei",
            "--training",
            "2026-11-29 方案讲解 zhao.lei,sun.li",
        ],
    )
    .ok();
}

/// The figures of the doc comment of `report::training`, end to end:
///
/// | session  | date  | h | trainer   | invited                  | attended                  |
/// |----------|-------|---|-----------|--------------------------|---------------------------|
/// | security | 11-20 | 2 | zhang.wei | li.na, wang.fang, liu.yang | li.na, wang.fang        |
/// | product  | 11-25 | 3 | li.na     | wang.fang, sun.li        | wang.fang, zhao.lei       |
/// | handover | 11-29 | 2 | zhang.wei | —                        | zhao.lei, sun.li          |
#[test]
fn report_training_matches_the_hand_computation() {
    let mut env = Env::new();
    let sec = security(&env, "2026-11-20");
    attend(&env, &sec, &["li.na", "wang.fang"]);
    let prod = training(
        &env,
        &[
            "--title",
            "产品培训",
            "--date",
            "2026-11-25",
            "--trainer",
            "li.na",
            "--hours",
            "3",
            "--attendee",
            "wang.fang",
            "--attendee",
            "sun.li",
        ],
    );
    attend(&env, &prod, &["wang.fang", "zhao.lei"]);
    handed_over(&mut env);
    // Planned, after the as-of day: not held, listed as planned.
    training(
        &env,
        &[
            "--title",
            "年末培训",
            "--date",
            "2026-12-15",
            "--trainer",
            "li.na",
        ],
    );
    let args = [
        "--format",
        "json",
        "report",
        "training",
        "--quarter",
        "2026-Q4",
        "--as-of",
        "2026-11-30",
    ];
    let r: serde_json::Value = serde_json::from_str(&env.run(&args).ok()).unwrap();
    let s = &r["summary"];
    assert_eq!(s["sessions"], 3);
    assert_eq!(s["hours"], 7.0);
    assert_eq!(s["attendances"], 6);
    assert_eq!(s["attendance_rate"]["numerator"], 3);
    assert_eq!(s["attendance_rate"]["denominator"], 5);
    assert_eq!(s["attendance_rate"]["pct"], 60.0);
    assert_eq!(s["members"], 7);
    assert_eq!(s["trainings_per_member"], 0.86);
    assert_eq!(s["security_due"], 4);
    let m = |id: &str| {
        r["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["member"] == id)
            .unwrap()
            .clone()
    };
    let li = m("li.na");
    assert_eq!(
        (
            li["sessions_attended"].clone(),
            li["hours_attended"].clone()
        ),
        (1.into(), 2.0.into())
    );
    assert_eq!(
        (li["sessions_given"].clone(), li["hours_given"].clone()),
        (1.into(), 3.0.into())
    );
    let zhao = m("zhao.lei");
    assert_eq!(
        (
            zhao["sessions_attended"].clone(),
            zhao["hours_attended"].clone()
        ),
        (2.into(), 5.0.into())
    );
    assert_eq!(zhao["security_due"], true);
    let zhang = m("zhang.wei");
    assert_eq!(
        (
            zhang["sessions_given"].clone(),
            zhang["hours_given"].clone()
        ),
        (2.into(), 4.0.into())
    );
    assert_eq!(zhang["last_security"], "2026-11-20");
    assert_eq!(zhang["security_due"], false);
    let sun = m("sun.li");
    assert_eq!(sun["attendance"]["numerator"], 0);
    assert_eq!(sun["attendance"]["denominator"], 1);
    let due: Vec<&str> = r["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["security_due"] == true)
        .map(|m| m["member"].as_str().unwrap())
        .collect();
    assert_eq!(due, ["chen.jing", "liu.yang", "sun.li", "zhao.lei"]);
    let kinds: Vec<(&str, &str)> = r["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["kind"].as_str().unwrap(), s["source"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("security", "training"),
            ("product", "training"),
            ("handover", "handover")
        ]
    );
    assert_eq!(r["sessions"][2]["trainer"], "zhang.wei");
    assert_eq!(r["planned"].as_array().unwrap().len(), 1);
    // The handover training is derived, never copied into a training file.
    let files = std::fs::read_dir(env.root().join("trainings/2026"))
        .unwrap()
        .count();
    assert_eq!(files, 3);
    // Every format renders, twice the same.
    for format in ["table", "markdown", "json", "yaml", "csv"] {
        let run = |_: u8| {
            env.run(&[
                "--format",
                format,
                "report",
                "training",
                "--quarter",
                "2026-Q4",
                "--as-of",
                "2026-11-30",
            ])
            .ok()
        };
        assert_eq!(run(1), run(2), "{format}");
    }
    let table = env
        .run(&[
            "report",
            "training",
            "--quarter",
            "2026-Q4",
            "--as-of",
            "2026-11-30",
        ])
        .ok();
    assert!(table.contains("liu.yang 刘洋: never"), "{table}");
    assert!(table.contains("(handover)"), "{table}");
}
