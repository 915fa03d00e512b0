//! Dispatch (派工) as the seed says: one turn each in the team's order, skips explained by a
//! recorded reason, assignments by hand taking a turn, the rotation shown by `assign
//! --dry-run` and `team`, the same rotation after a merge, the gate replaying it; and the
//! team edited by command (`team edit`, `team remove`, `assign --force`).

mod common;

use std::collections::BTreeMap;

use common::{Env, clean};

fn at(env: &mut Env, t: &str) {
    env.now = format!("2026-{t}+08:00");
}

fn with_driver(env: &Env) {
    env.git(&[
        "config",
        "merge.presales.driver",
        &format!("{} merge-file %O %A %B %P", env!("CARGO_BIN_EXE_presales")),
    ]);
}

fn auto(env: &Env, req: &str) -> String {
    let v = env.json(&["--as", "zhang.wei", "assign", req, "--auto"]);
    v["request"]["assignee"].as_str().unwrap().to_string()
}

fn counts(env: &Env, reqs: &[String]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for r in reqs {
        let who = env.json(&["show", r])["assignee"]
            .as_str()
            .unwrap()
            .to_string();
        *out.entry(who).or_default() += 1;
    }
    out
}

/// The last `assign` entry of a request, as JSON.
fn assign_entry(env: &Env, req: &str) -> serde_json::Value {
    let v = env.json(&["show", req]);
    v["history"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["action"] == "assign")
        .unwrap()
        .clone()
}

#[test]
fn the_rotation_gives_one_turn_each_in_team_order() {
    let env = Env::new();
    let cus = env.customer("Acme");
    let mut reqs = Vec::new();
    let mut order = Vec::new();
    for i in 0..10 {
        let r = env.request(&cus, &format!("需求 {i}"), &[]);
        order.push(auto(&env, &r));
        reqs.push(r);
    }
    assert_eq!(
        order[..6],
        [
            "li.na",
            "wang.fang",
            "liu.yang",
            "li.na",
            "wang.fang",
            "liu.yang"
        ]
    );
    let c = counts(&env, &reqs);
    let (min, max) = (c.values().min().unwrap(), c.values().max().unwrap());
    assert!(max - min <= 1, "{c:?}");
    // Turns are numbered one after another.
    assert_eq!(assign_entry(&env, &reqs[9])["turn"], 10);
    env.run(&["check"]).ok();
}

#[test]
fn skips_for_skill_away_and_left_are_recorded_with_their_reason() {
    let mut env = Env::new();
    at(&mut env, "12-15T10:00:00"); // liu.yang is away 12-14 to 12-25
    let cus = env.customer("Acme");
    let r1 = env.request(&cus, "first", &[]);
    assert_eq!(auto(&env, &r1), "li.na");
    // Network: wang.fang lacks it, liu.yang is away; li.na again.
    let r2 = env.request(&cus, "SD-WAN", &["--skill", "network"]);
    assert_eq!(auto(&env, &r2), "li.na");
    let e = assign_entry(&env, &r2);
    assert_eq!(e["after"], "li.na");
    assert_eq!(
        e["skipped"],
        serde_json::json!([
            {"member": "wang.fang", "reason": "lacks skill network"},
            {"member": "liu.yang", "reason": "away 2026-12-14 to 2026-12-25 (annual leave)"},
        ])
    );
    // No compensation: wang.fang lost that turn; the rotation goes on after li.na.
    env.run_as("zhang.wei", &["team", "remove", "wang.fang"])
        .ok();
    let r3 = env.request(&cus, "third", &[]);
    assert_eq!(auto(&env, &r3), "li.na");
    let e = assign_entry(&env, &r3);
    assert_eq!(e["skipped"][0]["reason"], "has left the team");
    assert_eq!(e["skipped"][1]["member"], "liu.yang");
    // The history shows it.
    let story = env.run(&["show", &r3, "--history"]).ok();
    assert!(story.contains("has left the team"), "{story}");
    assert!(story.contains("annual leave"), "{story}");
    env.run(&["check"]).ok();
}

#[test]
fn an_assignment_by_hand_takes_the_engineers_turn() {
    let env = Env::new();
    let cus = env.customer("Acme");
    let m = env.request(&cus, "by hand", &[]);
    let out = env
        .run_as("zhang.wei", &["assign", &m, "--to", "wang.fang"])
        .ok();
    assert!(out.contains("takes their next turn"), "{out}");
    assert_eq!(assign_entry(&env, &m)["turn"], 1);
    let r1 = env.request(&cus, "a", &[]);
    let r2 = env.request(&cus, "b", &[]);
    let r3 = env.request(&cus, "c", &[]);
    assert_eq!(auto(&env, &r1), "li.na");
    // wang.fang had her turn with the manual one: passed once, with the reason.
    assert_eq!(auto(&env, &r2), "liu.yang");
    let e = assign_entry(&env, &r2);
    assert_eq!(e["skipped"][0]["member"], "wang.fang");
    assert_eq!(e["skipped"][0]["turn_taken_by"], m.as_str());
    assert_eq!(
        e["skipped"][0]["reason"],
        format!("had this turn already: {m}")
    );
    // Then the rotation goes on as usual.
    assert_eq!(auto(&env, &r3), "li.na");
    let c = counts(&env, &[m, r1, r2, r3]);
    assert_eq!(c["li.na"], 2);
    assert_eq!(c["wang.fang"], 1);
    assert_eq!(c["liu.yang"], 1);
    env.run(&["check"]).ok();
}

#[test]
fn manual_takes_turn_false_leaves_the_rotation_alone() {
    let env = Env::new();
    let path = env.root().join("presales.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("manual_takes_turn = true"));
    std::fs::write(
        &path,
        text.replace("manual_takes_turn = true", "manual_takes_turn = false"),
    )
    .unwrap();
    let cus = env.customer("Acme");
    let m = env.request(&cus, "by hand", &[]);
    let out = env
        .run_as("zhang.wei", &["assign", &m, "--to", "li.na"])
        .ok();
    assert!(!out.contains("turn"), "{out}");
    assert!(assign_entry(&env, &m).get("turn").is_none());
    let r = env.request(&cus, "auto", &[]);
    assert_eq!(auto(&env, &r), "li.na");
}

#[test]
fn dry_run_shows_the_order_where_it_stands_and_why_others_are_passed() {
    let mut env = Env::new();
    at(&mut env, "12-15T10:00:00");
    let cus = env.customer("Acme");
    let r1 = env.request(&cus, "first", &[]);
    auto(&env, &r1); // li.na
    let r2 = env.request(&cus, "cloud", &["--skill", "database"]);
    let out = env
        .run_as("zhang.wei", &["assign", &r2, "--auto", "--dry-run"])
        .ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        format!("{r2} would go to wang.fang (王芳) by round-robin, turn 2")
    );
    assert_eq!(
        lines[1],
        "rotation: li.na → wang.fang → liu.yang; it stands after li.na"
    );
    let row = |who: &str| {
        *lines
            .iter()
            .find(|l| l.trim_start().starts_with(who))
            .unwrap()
    };
    assert!(row("wang.fang").ends_with("chosen"), "{out}");
    assert!(
        row("liu.yang").ends_with("skipped: away 2026-12-14 to 2026-12-25 (annual leave)"),
        "{out}"
    );
    assert!(
        row("li.na").ends_with("skipped: lacks skill database"),
        "{out}"
    );
    // Nothing was written.
    assert!(env.json(&["show", &r2])["assignee"].is_null());
    // JSON carries the recorded form.
    let v = env.json(&["--as", "zhang.wei", "assign", &r2, "--auto", "--dry-run"]);
    assert_eq!(v["decision"]["chosen"], "wang.fang");
    assert_eq!(v["decision"]["skipped"], serde_json::json!([]));
    assert_eq!(v["decision"]["last_assigned"], "li.na");
}

#[test]
fn team_shows_the_rotation_and_who_is_next() {
    let env = Env::new();
    let out = env.run(&["team"]).ok();
    assert!(
        out.contains("rotation (派工): li.na → wang.fang → liu.yang"),
        "{out}"
    );
    assert!(out.contains("stands after: nobody yet"), "{out}");
    assert!(out.contains("next: li.na"), "{out}");
    let cus = env.customer("Acme");
    let r = env.request(&cus, "a", &[]);
    auto(&env, &r);
    let m = env.request(&cus, "b", &[]);
    env.run_as("zhang.wei", &["assign", &m, "--to", "wang.fang"])
        .ok();
    let out = env.run(&["team"]).ok();
    assert!(out.contains("stands after: li.na (turn 2)"), "{out}");
    assert!(out.contains("next: liu.yang"), "{out}");
    assert!(
        out.contains(&format!("passing wang.fang: had this turn already: {m}")),
        "{out}"
    );
    let v = env.json(&["team"]);
    let liu = v
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "liu.yang")
        .unwrap();
    assert_eq!(liu["rotation"], 3);
    assert_eq!(liu["next"], true);
    let wang = v
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "wang.fang")
        .unwrap();
    assert_eq!(wang["turns_taken_ahead"], serde_json::json!([m]));
}

#[test]
fn the_rotation_survives_a_merge_of_two_branches() {
    let mut env = Env::new();
    with_driver(&env);
    let cus = env.customer("Acme");
    let a = env.request(&cus, "on branch a", &[]);
    let b = env.request(&cus, "on branch b", &[]);
    let later: Vec<String> = (0..4)
        .map(|i| env.request(&cus, &format!("after {i}"), &[]))
        .collect();
    env.commit_all("requests");
    // Both branches take turn 1, and both give it to li.na.
    env.git(&["checkout", "-q", "-b", "a"]);
    at(&mut env, "11-27T11:00:00");
    assert_eq!(auto(&env, &a), "li.na");
    env.commit_all("a");
    env.git(&["checkout", "-q", "main"]);
    env.git(&["checkout", "-q", "-b", "b"]);
    at(&mut env, "11-27T12:00:00");
    assert_eq!(auto(&env, &b), "li.na");
    env.commit_all("b");
    env.git(&["merge", "-q", "--no-edit", "a"]);
    env.run(&["check"]).ok();
    let r = env.run(&["check", "--base", "main"]);
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());
    // The rule: the first holder of turn 1 (branch a, earlier) takes the turn; branch b's
    // counts as a turn li.na took ahead, so the rotation passes her once.
    let out = env.run(&["team"]).ok();
    assert!(out.contains("stands after: li.na (turn 1)"), "{out}");
    assert!(out.contains("next: wang.fang"), "{out}");
    at(&mut env, "11-27T13:00:00");
    let got: Vec<String> = later.iter().map(|r| auto(&env, r)).collect();
    assert_eq!(got, ["wang.fang", "liu.yang", "wang.fang", "liu.yang"]);
    assert_eq!(
        assign_entry(&env, &later[2])["skipped"][0]["turn_taken_by"],
        b.as_str()
    );
    let mut all = vec![a, b];
    all.extend(later);
    let c = counts(&env, &all);
    assert_eq!(c.values().collect::<Vec<_>>(), [&2, &2, &2], "{c:?}");
}

#[test]
fn the_gate_passes_command_made_assignments_and_refuses_forged_ones() {
    let mut env = Env::new();
    at(&mut env, "12-15T10:00:00");
    let cus = env.customer("Acme");
    let r1 = env.request(&cus, "first", &[]);
    let r2 = env.request(&cus, "second", &[]);
    let r3 = env.request(&cus, "third", &[]);
    let r4 = env.request(&cus, "fourth", &[]);
    env.commit_all("requests");
    env.git(&["checkout", "-q", "-b", "pr"]);
    assert_eq!(auto(&env, &r1), "li.na");
    assert_eq!(auto(&env, &r2), "wang.fang");
    assert_eq!(auto(&env, &r3), "li.na"); // liu.yang away: recorded
    env.run_as("zhang.wei", &["assign", &r4, "--to", "wang.fang"])
        .ok();
    env.commit_all("assign");
    let r = env.run(&["check", "--base", "main"]);
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());
    let path = env.path_of(&r3);
    let good = std::fs::read_to_string(&path).unwrap();
    assert!(
        good.contains("reason: away 2026-12-14 to 2026-12-25"),
        "{good}"
    );

    // A false reason.
    std::fs::write(
        &path,
        good.replace(
            "reason: away 2026-12-14 to 2026-12-25 (annual leave)",
            "reason: lacks skill network",
        ),
    )
    .unwrap();
    let r = env.run(&["check", "--base", "main"]);
    assert_eq!(r.code(), 1, "{}{}", r.stdout(), r.stderr());
    assert!(
        r.stdout().contains("does not follow the rotation"),
        "{}",
        r.stdout()
    );

    // A skip left out: the engineer was passed over without a reason.
    let skipped_block = good
        .lines()
        .skip_while(|l| !l.starts_with("  skipped:"))
        .take(3)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(skipped_block.contains("liu.yang"), "{skipped_block}");
    std::fs::write(&path, good.replace(&format!("{skipped_block}\n"), "")).unwrap();
    let r = env.run(&["check", "--base", "main"]);
    assert_eq!(r.code(), 1, "{}{}", r.stdout(), r.stderr());
    assert!(
        r.stdout()
            .contains("the rotation reaches liu.yang before li.na"),
        "{}",
        r.stdout()
    );
    std::fs::write(&path, &good).unwrap();
    env.run(&["check", "--base", "main"]).ok();
}

#[test]
fn assign_force_gives_an_away_member_a_request_with_the_reason() {
    let mut env = Env::new();
    at(&mut env, "12-15T10:00:00");
    let cus = env.customer("Acme");
    let r = env.request(&cus, "needs liu.yang", &[]);
    let err = env
        .run_as("zhang.wei", &["assign", &r, "--to", "liu.yang"])
        .err();
    assert!(err.contains("away 2026-12-14 to 2026-12-25"), "{err}");
    assert!(err.contains("--force --note"), "{err}");
    let no_note = env.run_as("zhang.wei", &["assign", &r, "--to", "liu.yang", "--force"]);
    clean("force without a note", &no_note);
    assert!(no_note.stderr().contains("needs the reason"));
    let not_away = env.run_as(
        "zhang.wei",
        &["assign", &r, "--to", "li.na", "--force", "--note", "x"],
    );
    clean("force for someone present", &not_away);
    assert!(not_away.stderr().contains("li.na is not away"));
    let lacks = env.request(&cus, "db", &["--skill", "database"]);
    let r2 = env.run_as(
        "zhang.wei",
        &[
            "assign", &lacks, "--to", "liu.yang", "--force", "--note", "x",
        ],
    );
    clean("force does not cover a missing skill", &r2);
    assert!(r2.stderr().contains("lacks skill database"));
    clean(
        "force without --to",
        &env.run_as("zhang.wei", &["assign", &r, "--auto", "--force"]),
    );
    let out = env
        .run_as(
            "zhang.wei",
            &[
                "assign",
                &r,
                "--to",
                "liu.yang",
                "--force",
                "--note",
                "客户点名要他",
            ],
        )
        .ok();
    assert!(out.contains("forced while away: 客户点名要他"), "{out}");
    let e = assign_entry(&env, &r);
    assert_eq!(e["force"], true);
    assert_eq!(e["note"], "客户点名要他");
    env.run(&["check"]).ok();
    // Only who may assign may force.
    let r3 = env.request(&cus, "other", &[]);
    clean(
        "a sales member forcing",
        &env.run_as(
            "sun.li",
            &["assign", &r3, "--to", "liu.yang", "--force", "--note", "x"],
        ),
    );
}

#[test]
fn team_edit_changes_a_member_and_keeps_the_file_readable() {
    let env = Env::new();
    env.run_as(
        "zhang.wei",
        &[
            "team",
            "edit",
            "li.na",
            "--roles",
            "engineer,approver",
            "--skills",
            "network,security,cloud",
            "--hours-per-week",
            "32",
            "--email",
            "Li.Na@corp.example",
            "--name",
            "李娜 (Lina)",
        ],
    )
    .ok();
    let toml = std::fs::read_to_string(env.root().join("presales.toml")).unwrap();
    let block: String = toml
        .split("[[members]]")
        .find(|b| b.contains("id = \"li.na\""))
        .unwrap()
        .to_string();
    assert!(
        block.contains("roles = [\"engineer\", \"approver\"]"),
        "{block}"
    );
    assert!(
        block.contains("skills = [\"network\", \"security\", \"cloud\"]"),
        "{block}"
    );
    assert!(block.contains("hours_per_week = 32"), "{block}");
    assert!(block.contains("email = \"Li.Na@corp.example\""), "{block}");
    // Comments survive.
    assert!(toml.contains("# EXAMPLE TEAM"), "{toml}");
    // --role and --skill repeated replace too; --skills "" clears.
    env.run(&[
        "team", "edit", "li.na", "--role", "engineer", "--skill", "network",
    ])
    .ok();
    env.run(&["team", "edit", "li.na", "--skills", ""]).ok();
    let v = env.json(&["team"]);
    let li = v
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "li.na")
        .unwrap();
    assert_eq!(li["roles"], serde_json::json!(["engineer"]));
    assert_eq!(li["skills"], serde_json::json!([]));
    env.run(&["check"]).ok();
}

#[test]
fn team_edit_and_remove_refuse_bad_input_cleanly() {
    let env = Env::new();
    let before = std::fs::read_to_string(env.root().join("presales.toml")).unwrap();
    for (what, args) in [
        (
            "unknown member",
            vec!["team", "edit", "nobody", "--name", "X"],
        ),
        ("bad role", vec!["team", "edit", "li.na", "--role", "boss"]),
        (
            "bad roles",
            vec!["team", "edit", "li.na", "--roles", "engineer,boss"],
        ),
        (
            "zero hours",
            vec!["team", "edit", "li.na", "--hours-per-week", "0"],
        ),
        (
            "too many hours",
            vec!["team", "edit", "li.na", "--hours-per-week", "200"],
        ),
        (
            "nan hours",
            vec!["team", "edit", "li.na", "--hours-per-week", "nan"],
        ),
        (
            "text hours",
            vec!["team", "edit", "li.na", "--hours-per-week", "lots"],
        ),
        (
            "duplicate e-mail",
            vec!["team", "edit", "li.na", "--email", "WANG.FANG@example.com"],
        ),
        ("nothing to change", vec!["team", "edit", "li.na"]),
        ("no role left", vec!["team", "edit", "li.na", "--roles", ""]),
        (
            "name with a line break",
            vec!["team", "edit", "li.na", "--name", "a\nb"],
        ),
        (
            "both forms",
            vec![
                "team", "edit", "li.na", "--roles", "engineer", "--role", "lead",
            ],
        ),
        (
            "last lead's role",
            vec!["team", "edit", "zhang.wei", "--role", "engineer"],
        ),
        ("remove the last lead", vec!["team", "remove", "zhang.wei"]),
        ("remove nobody", vec!["team", "remove", "nobody"]),
    ] {
        let r = env.run(&args);
        clean(what, &r);
    }
    assert!(
        env.run(&["team", "remove", "zhang.wei"])
            .stderr()
            .contains("only lead")
    );
    assert!(
        env.run(&["team", "edit", "li.na", "--email", "WANG.FANG@example.com"])
            .stderr()
            .contains("already belongs to wang.fang")
    );
    let after = std::fs::read_to_string(env.root().join("presales.toml")).unwrap();
    assert_eq!(before, after, "a refused edit changes nothing");
}

#[test]
fn team_remove_keeps_references_and_names_open_requests() {
    let env = Env::new();
    let cus = env.customer("Acme");
    let r = env.request(&cus, "open one", &[]);
    env.run_as("zhang.wei", &["assign", &r, "--to", "wang.fang"])
        .ok();
    let out = env.run_as("zhang.wei", &["team", "remove", "wang.fang"]);
    assert_eq!(out.code(), 0, "{}", out.stderr());
    let err = out.stderr();
    assert!(err.contains("wang.fang has left the team"), "{err}");
    assert!(err.contains("1 open request;"), "{err}");
    assert!(err.contains(&r), "{err}");
    // Until it is reassigned, the check names it.
    let c = env.run(&["check"]);
    assert_eq!(c.code(), 1);
    assert!(c.stdout().contains("has left the team"), "{}", c.stdout());
    assert_eq!(auto(&env, &r), "li.na");
    let toml = std::fs::read_to_string(env.root().join("presales.toml")).unwrap();
    assert!(toml.contains("id = \"wang.fang\""));
    assert!(toml.contains("active = false"));
    // Every reference still resolves; she gets nothing new; removing twice is refused.
    env.run(&["check"]).ok();
    let story = env.run(&["show", &r, "--history"]).ok();
    assert!(story.contains("wang.fang → li.na"), "{story}");
    let r2 = env.request(&cus, "new", &[]);
    clean(
        "assign to who left",
        &env.run_as("zhang.wei", &["assign", &r2, "--to", "wang.fang"]),
    );
    clean(
        "remove twice",
        &env.run_as("zhang.wei", &["team", "remove", "wang.fang"]),
    );
    // A second lead makes the first removable.
    env.run(&["team", "edit", "chen.jing", "--roles", "approver,lead"])
        .ok();
    env.run(&["team", "remove", "zhang.wei"]).ok();
}
