//! Product gaps (issue 15, part 2): `gap new|link|status|list|show|merge`, links kept on the
//! request, `report gaps` checked figure by figure against a hand computation, the gate
//! (`check --base`) on gap links and statuses, and the merge driver on links from two
//! branches.

mod common;

use common::Env;
use serde_json::Value;

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

/// A demo-type request assigned to li.na, with a demo and the given feedback items.
fn demoed(
    env: &Env,
    customer: &str,
    title: &str,
    value: Option<(&str, &str)>,
    feedback: &[&str],
) -> String {
    let mut extra = vec!["--type", "demo"];
    if let Some((v, c)) = value {
        extra.extend(["--value", v, "--currency", c]);
    }
    let req = env.request(customer, title, &extra);
    env.run_as("zhang.wei", &["assign", &req, "--to", "li.na"])
        .ok();
    let today = env.now[..10].to_string();
    env.run_as(
        "li.na",
        &["demo", &req, "--date", &today, "--attendee", "客户CTO"],
    )
    .ok();
    for text in feedback {
        env.run_as(
            "li.na",
            &["feedback", &req, "--from", "客户CTO", "--text", text],
        )
        .ok();
    }
    req
}

fn gap(env: &Env, title: &str, product: &str) -> String {
    env.run(&["gap", "new", "--title", title, "--product", product])
        .ok()
}

fn link(env: &Env, gap: &str, req: &str, severity: &str, feedback: Option<&str>) {
    let mut args = vec!["gap", "link", gap, req, "--severity", severity];
    if let Some(n) = feedback {
        args.extend(["--feedback", n]);
    }
    env.run_as("li.na", &args).ok();
}

fn close(env: &Env, req: &str, outcome: &str) {
    let mut args = vec!["close", req, "--outcome", outcome, "--summary", "结束"];
    if outcome == "lost" {
        args.extend(["--loss-reason", "features", "--competitor", "友商"]);
    }
    env.run_as("li.na", &args).ok();
}

fn amounts(v: &Value) -> Vec<(String, String)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["currency"].as_str().unwrap().to_string(),
                a["value"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn cny(v: &str) -> Vec<(String, String)> {
    vec![("CNY".to_string(), v.to_string())]
}

fn usd(v: &str) -> Vec<(String, String)> {
    vec![("USD".to_string(), v.to_string())]
}

struct World {
    env: Env,
    g1: String,
    g2: String,
    g3: String,
    g4: String,
    r: Vec<String>,
}

/// Six requests, four gaps (the fourth merged into the first), wins and losses:
///
/// | req | value         | links                                   | end            |
/// |-----|---------------|-----------------------------------------|----------------|
/// | R1  | 1,000,000 CNY | G1 blocker (fb 1), G2 challenge (fb 2)  | lost 11-20     |
/// | R2  |   500,000 CNY | G1 challenge (fb 1)                     | open           |
/// | R3  |   200,000 USD | G3 nice_to_have (fb 1), G2 blocker      | open           |
/// | R4  |   300,000 CNY | G2 challenge (fb 1)                     | won 11-25      |
/// | R5  | none          | G1 blocker                              | lost 11-21     |
/// | R6  |   800,000 CNY | G4 blocker (fb 1); G4 merged into G1    | open           |
///
/// R1's customer is confidential.
fn world() -> World {
    let mut env = Env::new();
    at(&mut env, "11-02T10:00:00");
    let secret = env
        .run(&["customer", "new", "--name", "保密银行", "--confidential"])
        .ok();
    let open = env.customer("华东电力");
    let g1 = gap(&env, "不支持国密 SM4", "VPN");
    let g2 = gap(&env, "No SAML single sign-on", "Portal");
    let g3 = gap(&env, "报表不能导出 Excel", "Portal");
    let g4 = gap(&env, "国密算法缺失", "VPN");
    let r1 = demoed(
        &env,
        &secret,
        "核心网改造",
        Some(("1000000", "CNY")),
        &["需要 SM4", "需要 SAML"],
    );
    let r2 = demoed(
        &env,
        &open,
        "分支互联",
        Some(("500000", "CNY")),
        &["需要 SM4"],
    );
    let r3 = demoed(
        &env,
        &open,
        "Global portal",
        Some(("200000", "USD")),
        &["Excel export"],
    );
    let r4 = demoed(&env, &open, "员工门户", Some(("300000", "CNY")), &["SAML"]);
    let r5 = demoed(&env, &open, "试点", None, &[]);
    let r6 = demoed(
        &env,
        &open,
        "数据中心互联",
        Some(("800000", "CNY")),
        &["国密"],
    );
    link(&env, &g1, &r1, "blocker", Some("1"));
    link(&env, &g2, &r1, "challenge", Some("2"));
    link(&env, &g1, &r2, "challenge", Some("1"));
    link(&env, &g3, &r3, "nice_to_have", Some("1"));
    link(&env, &g2, &r3, "blocker", None);
    link(&env, &g2, &r4, "challenge", Some("1"));
    link(&env, &g1, &r5, "blocker", None);
    link(&env, &g4, &r6, "blocker", Some("1"));
    at(&mut env, "11-10T10:00:00");
    env.run(&["gap", "merge", &g4, &g1, "--note", "同一个差距"])
        .ok();
    env.run(&["gap", "status", &g1, "planned", "--ref", "JIRA-123"])
        .ok();
    at(&mut env, "11-20T10:00:00");
    close(&env, &r1, "lost");
    at(&mut env, "11-21T10:00:00");
    close(&env, &r5, "lost");
    at(&mut env, "11-25T10:00:00");
    close(&env, &r4, "won");
    at(&mut env, "11-27T10:00:00");
    World {
        env,
        g1,
        g2,
        g3,
        g4,
        r: vec![r1, r2, r3, r4, r5, r6],
    }
}

const QUARTER: [&str; 6] = [
    "--from",
    "2026-10-01",
    "--to",
    "2026-12-31",
    "--as-of",
    "2026-12-31",
];

fn report(env: &Env, extra: &[&str]) -> Value {
    let mut args = vec!["report", "gaps"];
    args.extend_from_slice(&QUARTER);
    args.extend_from_slice(extra);
    env.json(&args)
}

#[test]
fn report_gaps_matches_the_hand_computation() {
    let w = world();
    let env = &w.env;
    let r = report(env, &[]);
    assert_eq!(r["weights"]["blocker"], "1");
    assert_eq!(r["weights"]["challenge"], "0.5");
    assert_eq!(r["weights"]["nice_to_have"], "0.1");
    let gaps = r["gaps"].as_array().unwrap();
    // G4 was merged into G1: three gaps, most linked first.
    let ids: Vec<&str> = gaps.iter().map(|g| g["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [w.g1.as_str(), w.g2.as_str(), w.g3.as_str()]);

    // G1: R1 blocker (lost), R2 challenge (open), R5 blocker (lost, no value), R6 via G4
    // blocker (open).
    let g1 = &gaps[0];
    assert_eq!(g1["status"], "planned");
    assert_eq!(g1["reference"], "JIRA-123");
    assert_eq!(g1["merged"], serde_json::json!([w.g4]));
    // Created 2026-11-02 10:00 +08:00, as of 2026-12-31 23:59:59 UTC: 59 whole days.
    assert_eq!(g1["age_days"], 59);
    assert_eq!(g1["requests"], 4);
    assert_eq!(g1["blockers"], 3);
    assert_eq!(g1["linked_in_period"], 4);
    assert_eq!(g1["open_deals"], 2);
    // 500,000 + 800,000
    assert_eq!(amounts(&g1["open_value"]), cny("1300000"));
    // 500,000 × 0.5 + 800,000 × 1
    assert_eq!(amounts(&g1["value_at_risk"]), cny("1050000"));
    assert_eq!(g1["won_deals"], 0);
    assert_eq!(amounts(&g1["won_value"]), vec![]);
    // R1 and R5 lost; only R1 has a value (blocker: weight 1).
    assert_eq!(g1["lost_deals"], 2);
    assert_eq!(amounts(&g1["lost_value"]), cny("1000000"));
    assert_eq!(amounts(&g1["lost_weighted"]), cny("1000000"));
    assert_eq!(g1["deals_blocked"], 2);

    // G2: R1 challenge (lost), R3 blocker (open, USD), R4 challenge (won).
    let g2 = &gaps[1];
    assert_eq!(g2["status"], "open");
    assert_eq!(g2["requests"], 3);
    assert_eq!(g2["blockers"], 1);
    assert_eq!(g2["open_deals"], 1);
    assert_eq!(amounts(&g2["open_value"]), usd("200000"));
    assert_eq!(amounts(&g2["value_at_risk"]), usd("200000"));
    assert_eq!(g2["won_deals"], 1);
    assert_eq!(amounts(&g2["won_value"]), cny("300000"));
    // 300,000 × 0.5
    assert_eq!(amounts(&g2["won_weighted"]), cny("150000"));
    assert_eq!(g2["lost_deals"], 1);
    assert_eq!(amounts(&g2["lost_value"]), cny("1000000"));
    // 1,000,000 × 0.5
    assert_eq!(amounts(&g2["lost_weighted"]), cny("500000"));
    // R1's link to G2 is a challenge, not a blocker.
    assert_eq!(g2["deals_blocked"], 0);

    // G3: R3 nice_to_have, open: 200,000 USD × 0.1.
    let g3 = &gaps[2];
    assert_eq!(g3["requests"], 1);
    assert_eq!(amounts(&g3["open_value"]), usd("200000"));
    assert_eq!(amounts(&g3["value_at_risk"]), usd("20000"));
    assert_eq!(g3["deals_blocked"], 0);

    // Top gaps by value at risk, per currency.
    let top: Vec<(String, u64, String, String)> = r["top_at_risk"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["currency"].as_str().unwrap().to_string(),
                t["rank"].as_u64().unwrap(),
                t["gap"].as_str().unwrap().to_string(),
                t["value_at_risk"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        top,
        vec![
            ("CNY".into(), 1, w.g1.clone(), "1050000".into()),
            ("USD".into(), 1, w.g2.clone(), "200000".into()),
            ("USD".into(), 2, w.g3.clone(), "20000".into()),
        ]
    );

    // Blocked deals: R1 (confidential: title, customer and value hidden) and R5.
    let blocked = r["blocked"].as_array().unwrap();
    assert_eq!(blocked.len(), 2);
    let (b1, b5) = if blocked[0]["request"] == w.r[0].as_str() {
        (&blocked[0], &blocked[1])
    } else {
        (&blocked[1], &blocked[0])
    };
    assert_eq!(b1["request"], w.r[0].as_str());
    assert_eq!(b1["title"], "[confidential]");
    assert_eq!(b1["customer"], "[confidential]");
    assert_eq!(b1["value"], Value::Null);
    assert_eq!(b1["loss_reason"], "features");
    assert_eq!(b1["competitor"], "友商");
    assert_eq!(b5["request"], w.r[4].as_str());
    assert_eq!(b5["title"], "试点");
    let all = report(env, &["--include-confidential"]);
    let shown = all["blocked"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["request"] == w.r[0].as_str())
        .unwrap()
        .clone();
    assert_eq!(shown["title"], "核心网改造");
    assert_eq!(shown["value"], "1000000");

    // Before the merge (11-05) G4 stood alone with R6; before the closes nothing was lost.
    let early = env.json(&[
        "report",
        "gaps",
        "--month",
        "2026-11",
        "--as-of",
        "2026-11-05",
    ]);
    let early_ids: Vec<&str> = early["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap())
        .collect();
    assert!(early_ids.contains(&w.g4.as_str()), "{early_ids:?}");
    let g1_early = early["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == w.g1.as_str())
        .unwrap();
    assert_eq!(g1_early["status"], "open");
    assert_eq!(g1_early["requests"], 3);
    assert_eq!(g1_early["lost_deals"], 0);
    // R1 open then (1,000,000 × 1) and R2 (500,000 × 0.5); R6 still counts for G4.
    assert_eq!(amounts(&g1_early["value_at_risk"]), cny("1250000"));
    let g4_early = early["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == w.g4.as_str())
        .unwrap();
    assert_eq!(amounts(&g4_early["value_at_risk"]), cny("800000"));
}

#[test]
fn report_gaps_is_byte_reproducible_in_every_format() {
    let w = world();
    for format in ["table", "markdown", "json", "yaml", "csv"] {
        let mut args = vec!["--format", format, "report", "gaps"];
        args.extend_from_slice(&QUARTER);
        let a = w.env.run(&args).ok();
        let b = w.env.run(&args).ok();
        assert_eq!(a, b, "{format}");
        assert!(a.contains(&w.g1), "{format}: {a}");
        // Confidential titles never leak.
        assert!(!a.contains("核心网改造"), "{format}: {a}");
    }
    let csv = w.env.run(&{
        let mut args = vec!["--format", "csv", "report", "gaps"];
        args.extend_from_slice(&QUARTER);
        args
    });
    let csv = csv.ok();
    // G2 has CNY and USD figures: one row each.
    assert_eq!(
        csv.lines().filter(|l| l.starts_with(&w.g2)).count(),
        2,
        "{csv}"
    );
}

#[test]
fn links_live_on_the_request_and_feedback_becomes_gap() {
    let w = world();
    let env = &w.env;
    let r1 = env.json(&["show", &w.r[0]]);
    let links = r1["gaps"].as_array().unwrap();
    assert_eq!(links.len(), 2);
    assert_eq!(links[0]["gap"], w.g1.as_str());
    assert_eq!(links[0]["severity"], "blocker");
    assert_eq!(links[0]["by"], "li.na");
    let fb = &r1["demos"][0]["feedback"];
    assert_eq!(links[0]["feedback"], fb[0]["id"]);
    assert_eq!(fb[0]["disposition"], "gap");
    assert_eq!(fb[1]["disposition"], "gap");
    // The gap files hold no links: a popular gap never conflicts.
    let g1 = std::fs::read_to_string(env.path_of(&w.g1)).unwrap();
    assert!(!g1.contains(&w.r[0]), "{g1}");
    assert!(g1.starts_with("# yaml-language-server: $schema=../../schemas/gap.schema.json\n"));
    // gap show: the links, G4's among them, with value, stage and outcome.
    let show = env.json(&["gap", "show", &w.g1]);
    let reqs: Vec<&str> = show["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["request"].as_str().unwrap())
        .collect();
    assert_eq!(reqs.len(), 4);
    let via = show["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["request"] == w.r[5].as_str())
        .unwrap();
    assert_eq!(via["via"], w.g4.as_str());
    assert_eq!(via["value"], "800000");
    assert_eq!(via["stage"], "demo");
    let text = env.run(&["gap", "show", &w.g1]).ok();
    assert!(text.contains("merged here   "), "{text}");
    assert!(text.contains("gap_status open → planned"), "{text}");
    assert!(text.contains("[confidential]"), "{text}");
    // gap list: merged gaps listed as such, the others with their requests and value.
    let list = env.json(&["gap", "list"]);
    let g4 = list
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == w.g4.as_str())
        .unwrap();
    assert_eq!(g4["state"], "merged");
    let open = env.json(&["gap", "list", "--status", "open", "--product", "portal"]);
    let mut ids: Vec<&str> = open
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    let mut want = [w.g2.as_str(), w.g3.as_str()];
    want.sort_unstable();
    assert_eq!(ids, want);
    let g2 = open
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == w.g2.as_str())
        .unwrap();
    assert_eq!(g2["requests"], 3);
    assert_eq!(
        amounts(&g2["linked_value"]),
        vec![
            ("CNY".to_string(), "1300000".to_string()),
            ("USD".to_string(), "200000".to_string())
        ]
    );
    // Search finds gaps.
    let hits = env.run(&["search", "SAML", "--kind", "gap"]).ok();
    assert!(hits.contains(&w.g2), "{hits}");
    // The whole store is valid.
    env.run(&["check"]).ok();
}

#[test]
fn refusals_name_the_rule() {
    let w = world();
    let env = &w.env;
    let r = env.run_as(
        "li.na",
        &["gap", "link", &w.g1, &w.r[0], "--severity", "challenge"],
    );
    assert!(r.err().contains("already linked"));
    // A merged gap is replaced by the gap it was merged into.
    let r = env.run_as(
        "li.na",
        &["gap", "link", &w.g4, &w.r[2], "--severity", "blocker"],
    );
    r.ok();
    assert!(r.stderr().contains("was merged into"), "{}", r.stderr());
    let r3 = env.json(&["show", &w.r[2]]);
    assert_eq!(r3["gaps"][2]["gap"], w.g1.as_str());
    let r = env.run_as(
        "li.na",
        &["gap", "link", &w.g4, &w.r[1], "--severity", "blocker"],
    );
    assert!(r.err().contains("already linked"));
    let r = env.run_as(
        "li.na",
        &[
            "gap",
            "link",
            &w.g3,
            &w.r[1],
            "--severity",
            "blocker",
            "--feedback",
            "5",
        ],
    );
    assert!(r.err().contains("--feedback 5 is not one"));
    let r = env.run(&["gap", "link", &w.g3, &w.r[1], "--severity", "fatal"]);
    assert!(r.usage().contains("severity"));
    assert!(
        env.run(&["gap", "merge", &w.g2, &w.g2])
            .err()
            .contains("itself")
    );
    assert!(
        env.run(&["gap", "merge", &w.g2, &w.g4])
            .err()
            .contains("was merged into")
    );
    assert!(
        env.run(&["gap", "merge", &w.g4, &w.g2])
            .err()
            .contains("was merged into")
    );
    assert!(
        env.run(&["gap", "status", &w.g1, "planned"])
            .err()
            .contains("already")
    );
    assert!(
        env.run(&["gap", "status", &w.g4, "shipped"])
            .err()
            .contains("was merged into")
    );
    let r = env.run(&[
        "gap",
        "new",
        "--title",
        "x",
        "--product",
        "VPN",
        "--workaround",
        "KB-20261101-A000001",
    ]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
}

// ── The gate ──────────────────────────────────────────────────────────────────────────

fn branch(env: &Env) {
    env.commit_all("main");
    env.git(&["checkout", "-q", "-b", "pr"]);
}

fn gate(env: &Env) -> common::Run {
    env.run(&["check", "--base", "main"])
}

fn forge(env: &Env, path: &std::path::Path, f: impl Fn(&str) -> String) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let forged = f(&text);
    assert_ne!(forged, text, "the forgery changes {}", path.display());
    std::fs::write(path, forged).unwrap();
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

fn small() -> (Env, String, String, String) {
    let mut env = Env::new();
    at(&mut env, "11-02T10:00:00");
    let cus = env.customer("华东电力");
    let g = gap(&env, "不支持国密 SM4", "VPN");
    let req = demoed(
        &env,
        &cus,
        "分支互联",
        Some(("500000", "CNY")),
        &["需要 SM4"],
    );
    (env, cus, g, req)
}

#[test]
fn gap_work_done_with_commands_passes_the_gate() {
    let (mut env, cus, g, req) = small();
    branch(&env);
    at(&mut env, "11-03T10:00:00");
    link(&env, &g, &req, "blocker", Some("1"));
    env.run(&["gap", "status", &g, "planned", "--ref", "JIRA-9"])
        .ok();
    let other = gap(&env, "SM4 missing", "VPN");
    let req2 = demoed(&env, &cus, "总部", None, &[]);
    link(&env, &other, &req2, "challenge", None);
    env.run(&["gap", "merge", &other, &g]).ok();
    env.commit_all("gap work");
    let r = gate(&env);
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());
}

#[test]
fn a_gap_link_forged_by_hand_is_refused() {
    let (mut env, _, g, req) = small();
    branch(&env);
    at(&mut env, "11-03T10:00:00");
    // A link added by hand (no history entry) to the request.
    let out = forge(&env, &env.path_of(&req), |t| {
        t.replacen(
            "history:\n",
            &format!(
                "gaps:\n- id: FORGED01\n  gap: {g}\n  severity: blocker\n  at: \"2026-11-03T10:00:00+08:00\"\n  by: li.na\nhistory:\n"
            ),
            1,
        )
    });
    assert!(out.contains("`gaps`"), "{out}");
}

#[test]
fn a_gap_link_severity_raised_by_hand_is_refused() {
    let (mut env, _, g, req) = small();
    branch(&env);
    at(&mut env, "11-03T10:00:00");
    link(&env, &g, &req, "nice_to_have", None);
    env.commit_all("link");
    let out = forge(&env, &env.path_of(&req), |t| {
        t.replacen(
            "severity: nice_to_have\n  at:",
            "severity: blocker\n  at:",
            1,
        )
    });
    assert!(out.contains("gaps"), "{out}");
}

#[test]
fn a_gap_status_forged_by_hand_is_refused() {
    let (mut env, _, g, _) = small();
    branch(&env);
    at(&mut env, "11-03T10:00:00");
    let out = forge(&env, &env.path_of(&g), |t| {
        t.replacen("status: open", "status: shipped", 1)
    });
    assert!(out.contains("status"), "{out}");
}

#[test]
fn a_merge_forged_by_hand_is_refused() {
    let (mut env, _, g, _) = small();
    let other = gap(&env, "SM4 missing", "VPN");
    branch(&env);
    at(&mut env, "11-03T10:00:00");
    let out = forge(&env, &env.path_of(&other), |t| {
        t.replacen(
            "author: zhao.lei\n",
            &format!("author: zhao.lei\nmerged_into: {g}\n"),
            1,
        )
    });
    assert!(out.contains("merged_into"), "{out}");
}

// ── The merge driver ─────────────────────────────────────────────────────────────────

#[test]
fn two_branches_linking_the_same_gap_and_the_same_request_merge_without_conflict() {
    let (mut env, cus, g, req) = small();
    let g2 = gap(&env, "No SAML", "Portal");
    let req2 = demoed(&env, &cus, "总部", Some(("100000", "CNY")), &[]);
    with_driver(&env);
    env.commit_all("main");
    // Branch a: g linked to req, g2 to req2.
    env.git(&["checkout", "-q", "-b", "a"]);
    at(&mut env, "11-03T10:00:00");
    link(&env, &g, &req, "blocker", Some("1"));
    link(&env, &g2, &req2, "challenge", None);
    env.commit_all("a");
    // Branch b, from main: the same gap g linked to req2, and the same request req linked
    // to the second gap g2.
    env.git(&["checkout", "-q", "main"]);
    env.git(&["checkout", "-q", "-b", "b"]);
    at(&mut env, "11-04T10:00:00");
    link(&env, &g, &req2, "challenge", None);
    link(&env, &g2, &req, "blocker", None);
    env.run(&["gap", "status", &g, "planned"]).ok();
    env.commit_all("b");
    env.git(&["merge", "-q", "--no-edit", "a"]);
    let text = std::fs::read_to_string(env.path_of(&req)).unwrap();
    assert!(!text.contains("merge_conflicts"), "{text}");
    let r1 = env.json(&["show", &req]);
    assert_eq!(r1["gaps"].as_array().unwrap().len(), 2);
    let r2 = env.json(&["show", &req2]);
    assert_eq!(r2["gaps"].as_array().unwrap().len(), 2);
    let show = env.json(&["gap", "show", &g]);
    assert_eq!(show["requests"].as_array().unwrap().len(), 2);
    assert_eq!(show["status"], "planned");
    env.run(&["check"]).ok();
    // Both sides' work passes the gate against main.
    let r = gate(&env);
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());
}

#[test]
fn check_names_broken_gap_references() {
    let (env, _, g, req) = small();
    let other = gap(&env, "SM4 missing", "VPN");
    link(&env, &g, &req, "blocker", Some("1"));
    env.run(&["check"]).ok();
    let edit = |id: &str, f: &dyn Fn(&str) -> String| {
        let p = env.path_of(id);
        let t = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, f(&t)).unwrap();
    };
    edit(&g, &|t| {
        t.replacen(
            "author: zhao.lei\n",
            "author: zhao.lei\nworkaround: KB-20261101-A000001\n",
            1,
        )
    });
    edit(&other, &|t| {
        t.replacen(
            "author: zhao.lei\n",
            &format!("author: zhao.lei\nmerged_into: {other}\n"),
            1,
        )
    });
    edit(&req, &|t| t.replace(&g, "GAP-20261101-A000009"));
    let r = env.run(&["check"]);
    assert_eq!(r.code(), 1, "{}{}", r.stdout(), r.stderr());
    let out = r.stdout();
    assert!(
        out.contains("workaround KB-20261101-A000001 is not an article"),
        "{out}"
    );
    assert!(out.contains("merged into itself"), "{out}");
    assert!(
        out.contains("gap GAP-20261101-A000009 does not exist"),
        "{out}"
    );
}
