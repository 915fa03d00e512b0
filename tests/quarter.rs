//! A quarter of realistic deal work (issue 15's acceptance): ten requests with values, demos
//! whose feedback becomes three product gaps, effort logged by two engineers, wins and
//! losses with reasons and competitors; every figure of `report gaps`, `report capacity`
//! and `report winloss` for 2026-Q4 checked against the hand computation in the comments.

mod common;

use common::Env;
use serde_json::Value;

const AS_OF: &str = "2026-12-31T18:00:00+08:00";

fn at(env: &mut Env, day_time: &str) {
    env.now = format!("2026-{day_time}:00+08:00");
}

/// A request registered by sales and assigned by the lead to `to`.
fn request(env: &Env, cus: &str, title: &str, kind: &str, value: Option<&str>, to: &str) -> String {
    let mut extra = vec!["--type", kind];
    if let Some(v) = value {
        extra.extend(["--value", v, "--currency", "CNY"]);
    }
    let req = env.request(cus, title, &extra);
    env.run_as("zhang.wei", &["assign", &req, "--to", to]).ok();
    req
}

/// A demo with one feedback item (the latest demo's item 1).
fn demo(env: &Env, who: &str, req: &str, date: &str, feedback: &str) {
    env.run_as(who, &["demo", req, "--date", date, "--attendee", "客户CTO"])
        .ok();
    env.run_as(
        who,
        &["feedback", req, "--from", "客户CTO", "--text", feedback],
    )
    .ok();
}

fn answer(env: &Env, who: &str, req: &str) {
    env.run_as(who, &["advance", req, "--note", "已书面答复"])
        .ok();
}

fn close(env: &Env, who: &str, req: &str, args: &[&str]) {
    let mut full = vec!["close", req, "--summary", "结案"];
    full.extend_from_slice(args);
    env.run_as(who, &full).ok();
}

fn report(env: &Env, name: &str) -> Value {
    env.json(&["report", name, "--quarter", "2026-Q4", "--as-of", AS_OF])
}

/// `[{currency, value}]` as `"VALUE CUR"` strings.
fn amounts(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|a| {
            format!(
                "{} {}",
                a["value"]
                    .as_str()
                    .map_or_else(|| a["value"].to_string(), str::to_string),
                a["currency"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn a_quarter_of_deals_gaps_and_effort_adds_up_by_hand() {
    let mut env = Env::new();
    // This team sells through demos and consultations too: all five types decide deals.
    let config = env.root().join("presales.toml");
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "types = [\"solution\", \"rfp\", \"poc\"]",
        "types = [\"solution\", \"rfp\", \"poc\", \"demo\", \"consultation\"]",
    );
    std::fs::write(&config, text).unwrap();

    at(&mut env, "10-05T09:00");
    let bank = env.customer("华东银行");
    let grid = env.customer("北方电网");
    let g1 = env
        .run_as(
            "li.na",
            &[
                "gap",
                "new",
                "--title",
                "不支持 IPv6 overlay",
                "--product",
                "SD-WAN",
            ],
        )
        .ok();
    let g2 = env
        .run_as(
            "li.na",
            &[
                "gap",
                "new",
                "--title",
                "不支持国密 SM4",
                "--product",
                "VPN",
            ],
        )
        .ok();
    let g3 = env
        .run_as(
            "li.na",
            &["gap", "new", "--title", "缺少单点登录", "--product", "IAM"],
        )
        .ok();

    at(&mut env, "10-06T09:00");
    let r1 = request(
        &env,
        &bank,
        "R1 分行组网演示",
        "demo",
        Some("1000000"),
        "li.na",
    );
    let r2 = request(&env, &bank, "R2 VPN 演示", "demo", Some("2000000"), "li.na");
    let r3 = request(
        &env,
        &grid,
        "R3 变电站组网演示",
        "demo",
        Some("500000"),
        "wang.fang",
    );
    let r4 = request(
        &env,
        &grid,
        "R4 咨询",
        "consultation",
        Some("300000"),
        "wang.fang",
    );
    let r5 = request(
        &env,
        &bank,
        "R5 咨询",
        "consultation",
        Some("800000"),
        "li.na",
    );
    let r6 = request(
        &env,
        &grid,
        "R6 咨询",
        "consultation",
        Some("200000"),
        "wang.fang",
    );
    let r7 = request(
        &env,
        &bank,
        "R7 身份认证演示",
        "demo",
        Some("1500000"),
        "li.na",
    );
    let r8 = request(&env, &grid, "R8 咨询", "consultation", None, "wang.fang");
    let r9 = request(
        &env,
        &bank,
        "R9 咨询",
        "consultation",
        Some("400000"),
        "li.na",
    );
    let r10 = request(
        &env,
        &grid,
        "R10 VPN 演示",
        "demo",
        Some("600000"),
        "wang.fang",
    );

    // Demos, feedback that becomes gaps, and effort, through October to December.
    at(&mut env, "10-12T10:00");
    demo(&env, "li.na", &r1, "2026-10-12", "需要 IPv6");
    env.run_as(
        "li.na",
        &[
            "log",
            &r1,
            "4h",
            "--activity",
            "demo",
            "--date",
            "2026-10-12",
        ],
    )
    .ok();
    env.run_as(
        "li.na",
        &[
            "gap",
            "link",
            &g1,
            &r1,
            "--severity",
            "blocker",
            "--feedback",
            "1",
        ],
    )
    .ok();
    at(&mut env, "10-15T10:00");
    demo(&env, "wang.fang", &r3, "2026-10-15", "也需要 IPv6");
    env.run_as(
        "wang.fang",
        &[
            "log",
            &r3,
            "5h",
            "--activity",
            "demo",
            "--date",
            "2026-10-15",
        ],
    )
    .ok();
    env.run_as(
        "wang.fang",
        &[
            "gap",
            "link",
            &g1,
            &r3,
            "--severity",
            "challenge",
            "--feedback",
            "1",
        ],
    )
    .ok();
    at(&mut env, "10-20T10:00");
    demo(&env, "li.na", &r2, "2026-10-20", "需要国密算法");
    env.run_as(
        "li.na",
        &[
            "log",
            &r2,
            "1d",
            "--activity",
            "design",
            "--date",
            "2026-10-20",
        ],
    )
    .ok();
    env.run_as(
        "li.na",
        &[
            "gap",
            "link",
            &g2,
            &r2,
            "--severity",
            "challenge",
            "--feedback",
            "1",
        ],
    )
    .ok();
    at(&mut env, "11-03T10:00");
    answer(&env, "li.na", &r5);
    env.run_as(
        "li.na",
        &[
            "log",
            &r5,
            "2h",
            "--activity",
            "meeting",
            "--date",
            "2026-11-03",
        ],
    )
    .ok();
    at(&mut env, "11-10T10:00");
    answer(&env, "wang.fang", &r4);
    env.run_as(
        "wang.fang",
        &[
            "log",
            &r4,
            "90m",
            "--activity",
            "meeting",
            "--date",
            "2026-11-10",
        ],
    )
    .ok();
    answer(&env, "wang.fang", &r6);
    answer(&env, "li.na", &r9);
    at(&mut env, "12-01T10:00");
    demo(&env, "wang.fang", &r10, "2026-12-01", "需要国密");
    env.run_as(
        "wang.fang",
        &[
            "log",
            &r10,
            "6h",
            "--activity",
            "demo",
            "--date",
            "2026-12-01",
        ],
    )
    .ok();
    env.run_as(
        "wang.fang",
        &[
            "gap",
            "link",
            &g2,
            &r10,
            "--severity",
            "blocker",
            "--feedback",
            "1",
        ],
    )
    .ok();
    at(&mut env, "12-08T10:00");
    demo(&env, "li.na", &r7, "2026-12-08", "希望单点登录");
    env.run_as(
        "li.na",
        &[
            "log",
            &r7,
            "3h",
            "--activity",
            "demo",
            "--date",
            "2026-12-08",
        ],
    )
    .ok();
    env.run_as(
        "li.na",
        &[
            "gap",
            "link",
            &g3,
            &r7,
            "--severity",
            "nice_to_have",
            "--feedback",
            "1",
        ],
    )
    .ok();

    // Decisions in December.
    at(&mut env, "12-15T10:00");
    close(
        &env,
        "li.na",
        &r1,
        &[
            "--outcome",
            "lost",
            "--technical-win",
            "--loss-reason",
            "features",
            "--competitor",
            "Acme",
        ],
    );
    close(&env, "li.na", &r2, &["--outcome", "won", "--technical-win"]);
    close(&env, "wang.fang", &r4, &["--outcome", "won"]);
    close(
        &env,
        "li.na",
        &r5,
        &[
            "--outcome",
            "lost",
            "--loss-reason",
            "price",
            "--competitor",
            "Globex",
        ],
    );
    close(
        &env,
        "wang.fang",
        &r6,
        &["--outcome", "lost", "--loss-reason", "price"],
    );
    close(&env, "wang.fang", &r8, &["--outcome", "cancelled"]);
    close(&env, "wang.fang", &r10, &["--outcome", "won"]);
    env.run(&["check"]).ok();

    // ── report winloss ───────────────────────────────────────────────────────────────
    // Decided in Q4: R1 lost, R2 won, R4 won, R5 lost, R6 lost, R10 won (R8 cancelled is no
    // decision; R3, R7, R9 are open). Technical wins: R1, R2.
    let w = report(&env, "winloss");
    assert_eq!(
        (w["total"]["won"].as_u64(), w["total"]["lost"].as_u64()),
        (Some(3), Some(3))
    );
    assert_eq!(w["total"]["win_rate"]["pct"], 50.0);
    assert_eq!(w["total"]["technical_win_rate"]["pct"], 33.3);
    let splits = |key: &str| -> Vec<(String, u64, u64)> {
        w[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["key"].as_str().unwrap().to_string(),
                    s["won"].as_u64().unwrap(),
                    s["lost"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    // Demo: R1 L, R2 W, R10 W; consultation: R4 W, R5 L, R6 L (3 each: by name).
    assert_eq!(
        splits("by_type"),
        [("consultation".into(), 1, 2), ("demo".into(), 2, 1)]
    );
    // li.na: R1 L, R2 W, R5 L; wang.fang: R4 W, R6 L, R10 W.
    assert_eq!(
        splits("by_engineer"),
        [("li.na".into(), 1, 2), ("wang.fang".into(), 2, 1)]
    );
    // 100000–1000000: R4 W, R5 L, R6 L, R10 W; ≥ 1000000: R1 L (1,000,000), R2 W.
    assert_eq!(
        splits("by_value_band"),
        [("100000–1000000".into(), 2, 2), ("≥ 1000000".into(), 1, 1)]
    );
    // Price: R5 800,000 + R6 200,000; features: R1 1,000,000.
    assert_eq!(w["loss_reasons"][0]["key"], "price");
    assert_eq!(w["loss_reasons"][0]["deals"], 2);
    assert_eq!(w["loss_reasons"][0]["value"][0], "1000000 CNY");
    assert_eq!(w["loss_reasons"][1]["key"], "features");
    assert_eq!(w["competitors"][0]["key"], "Acme");
    assert_eq!(w["competitors"][1]["key"], "Globex");
    assert_eq!(w["competitors"][1]["value"][0], "800000 CNY");
    // Won value 2,000,000 + 300,000 + 600,000 = 2,900,000 over 3 demos (R1, R2, R10).
    let cny = &w["value_per"][0];
    assert_eq!(cny["won_value"], "2900000");
    assert_eq!(cny["demos"], 3);
    assert_eq!(cny["won_value_per_demo"], "966666.67");
    assert_eq!(cny["pocs"], 0);

    // ── report gaps ──────────────────────────────────────────────────────────────────
    // G1: R1 (blocker, lost 1,000,000), R3 (challenge, open 500,000 → at risk 250,000).
    // G2: R2 (challenge, won 2,000,000 → weighted 1,000,000), R10 (blocker, won 600,000).
    // G3: R7 (nice_to_have, open 1,500,000 → at risk 150,000).
    let g = report(&env, "gaps");
    let line = |id: &str| {
        g["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == id)
            .unwrap_or_else(|| panic!("{id} in {g}"))
            .clone()
    };
    let l1 = line(&g1);
    assert_eq!(
        (l1["requests"].as_u64(), l1["blockers"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(l1["open_deals"], 1);
    assert_eq!(amounts(&l1["open_value"]), ["500000 CNY"]);
    assert_eq!(amounts(&l1["value_at_risk"]), ["250000 CNY"]);
    assert_eq!(l1["lost_deals"], 1);
    assert_eq!(amounts(&l1["lost_value"]), ["1000000 CNY"]);
    assert_eq!(l1["deals_blocked"], 1);
    let l2 = line(&g2);
    assert_eq!(
        (l2["won_deals"].as_u64(), l2["open_deals"].as_u64()),
        (Some(2), Some(0))
    );
    assert_eq!(amounts(&l2["won_value"]), ["2600000 CNY"]);
    assert_eq!(amounts(&l2["won_weighted"]), ["1600000 CNY"]);
    assert_eq!(l2["deals_blocked"], 0);
    let l3 = line(&g3);
    assert_eq!(amounts(&l3["value_at_risk"]), ["150000 CNY"]);
    // Top by value at risk: G1 250,000, then G3 150,000.
    let top: Vec<(&str, &str)> = g["top_at_risk"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["gap"].as_str().unwrap(),
                t["value_at_risk"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(top, [(g1.as_str(), "250000"), (g3.as_str(), "150000")]);
    // The deal the blocker cost: R1, lost on features to Acme.
    let blocked = &g["blocked"];
    assert_eq!(blocked.as_array().unwrap().len(), 1);
    assert_eq!(
        (blocked[0]["request"].as_str(), blocked[0]["gap"].as_str()),
        (Some(r1.as_str()), Some(g1.as_str()))
    );
    assert_eq!(blocked[0]["competitor"], "Acme");

    // ── report capacity ──────────────────────────────────────────────────────────────
    // Q4 has 66 weekdays: 40 h / 5 × 66 = 528 h each. li.na 4 + 8 + 2 + 3 = 17 h (3.2 %);
    // wang.fang 5 + 1.5 + 6 = 12.5 h (2.4 %). Open at the end: R3 (wang.fang), R7 and R9
    // (li.na).
    let c = report(&env, "capacity");
    let member = |id: &str| {
        c["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["member"] == id)
            .unwrap()
            .clone()
    };
    let lina = member("li.na");
    assert_eq!(lina["hours"], "17");
    assert_eq!(lina["by_activity"]["demo"], "7");
    assert_eq!(lina["by_activity"]["design"], "8");
    assert_eq!(lina["by_activity"]["meeting"], "2");
    assert_eq!(lina["capacity_hours"], 528.0);
    assert_eq!(lina["utilisation_pct"], 3.2);
    assert_eq!(lina["open_load"], 2);
    let fang = member("wang.fang");
    assert_eq!(fang["hours"], "12.5");
    assert_eq!(fang["utilisation_pct"], 2.4);
    assert_eq!(fang["open_load"], 1);
    assert_eq!(c["team"]["hours"], "29.5");
    // Effort per request, most hours first: R2 8, R10 6, R3 5, R1 4, R7 3, R5 2, R4 1.5.
    let deals: Vec<(String, String)> = c["deals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap().to_string(),
                d["hours_in_period"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        (&r2, "8"),
        (&r10, "6"),
        (&r3, "5"),
        (&r1, "4"),
        (&r7, "3"),
        (&r5, "2"),
        (&r4, "1.5"),
    ]
    .map(|(r, h)| (r.clone(), h.to_string()));
    assert_eq!(deals, want);
    // Won deals with effort: R2 2,000,000 / 8 h, R4 300,000 / 1.5 h, R10 600,000 / 6 h:
    // 2,900,000 for 15.5 h = 187,096.77 an hour.
    let won = &c["won_per_hour"][0];
    assert_eq!(
        (
            won["deals"].as_u64(),
            won["value"].as_str(),
            won["hours"].as_str()
        ),
        (Some(3), Some("2900000"), Some("15.5"))
    );
    assert_eq!(won["value_per_hour"], "187096.77");
}
