//! Reports end to end: a small store built with the CLI step by step (PRESALES_NOW moves the
//! clock), whose week-48 numbers were worked out by hand; reproducibility in every format;
//! redaction; bad input.

mod common;

use common::Env;
use serde_json::Value;

const AS_OF: &str = "2026-11-27T18:00:00+08:00";
const WEEK: [&str; 4] = ["--week", "2026-W48", "--as-of", AS_OF];

struct Fixture {
    env: Env,
    /// R1 carried over from week 47, won; R2 confidential, lost; R3 assigned, never
    /// answered; R4 unassigned.
    r: [String; 4],
}

fn at(env: &mut Env, t: &str) {
    env.now = format!("2026-11-{t}:00+08:00");
}

/// All times +08:00, 2026-11. Hand-computed figures are in `weekly_numbers_by_hand`.
fn fixture() -> Fixture {
    let mut env = Env::new();
    // This team sells through consultations too: their close is a deal decision, so R1
    // and R2 count in the win rates (by default only solution, rfp and poc do).
    let config = env.root().join("presales.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let text = text.replace(
        "types = [\"solution\", \"rfp\", \"poc\"]",
        "types = [\"solution\", \"rfp\", \"poc\", \"consultation\"]",
    );
    assert!(text.contains("\"consultation\"]"));
    // And its engineers answer customers by phone and record it as a comment: a comment
    // is a first response here ([workflow] first_response; by default it is not).
    let text = text.replacen(
        "[workflow]\n",
        "[workflow]\nfirst_response = [\"comment\", \"assess\", \"advance\", \"revise\", \"demo\", \"feedback\", \"close\"]\n",
        1,
    );
    assert!(text.contains("first_response = [\"comment\""));
    std::fs::write(&config, text).unwrap();
    at(&mut env, "02T09:00");
    let bank = env.customer("华东银行");
    let hosp = env
        .run(&["customer", "new", "--name", "仁和医院", "--confidential"])
        .ok();

    // R1: Fri 20th 10:00, consultation P2; assigned 11:00; answered Mon 23rd 10:00; won
    // Wed 25th 10:00 with satisfaction 4 and a technical win.
    at(&mut env, "20T10:00");
    let r1 = env.request(
        &bank,
        "分行网点 SD-WAN 组网咨询",
        &["--type", "consultation", "--priority", "P2"],
    );
    at(&mut env, "20T11:00");
    env.run_as("zhang.wei", &["assign", &r1, "--to", "li.na"])
        .ok();
    at(&mut env, "23T10:00");
    env.run_as("li.na", &["advance", &r1, "--note", "支持，见方案模板"])
        .ok();
    at(&mut env, "25T10:00");
    env.run_as(
        "li.na",
        &[
            "close",
            &r1,
            "--outcome",
            "won",
            "--summary",
            "客户采纳",
            "--satisfaction",
            "4",
            "--technical-win",
        ],
    )
    .ok();

    // R2 (confidential customer): Mon 23rd 09:00, consultation P2; assigned at once;
    // li.na comments 10:00 (first response, 1 h); answered Tue 09:00; lost Fri 09:00.
    at(&mut env, "23T09:00");
    let r2 = env.request(
        &hosp,
        "HIS 数据合规咨询",
        &["--type", "consultation", "--priority", "P2"],
    );
    env.run_as("zhang.wei", &["assign", &r2, "--to", "li.na"])
        .ok();
    at(&mut env, "23T10:00");
    env.run_as("li.na", &["comment", &r2, "已联系客户"]).ok();
    at(&mut env, "24T09:00");
    env.run_as("li.na", &["advance", &r2, "--note", "院内部署"])
        .ok();
    at(&mut env, "27T09:00");
    env.run(&[
        "close",
        &r2,
        "--outcome",
        "lost",
        "--summary",
        "选择了竞品",
        "--satisfaction",
        "2",
    ])
    .ok();

    // R3: Tue 24th 09:00, solution P1; assigned to wang.fang 09:30; nothing since.
    at(&mut env, "24T09:00");
    let r3 = env.request(&bank, "核心网络改造", &["--priority", "P1"]);
    at(&mut env, "24T09:30");
    env.run_as("zhang.wei", &["assign", &r3, "--to", "wang.fang"])
        .ok();

    // R4: Wed 25th 16:00, demo P3; unassigned.
    at(&mut env, "25T16:00");
    let r4 = env.request(
        &bank,
        "API 网关演示",
        &["--type", "demo", "--priority", "P3"],
    );

    at(&mut env, "27T18:00");
    env.commit_all("fixture");
    Fixture {
        env,
        r: [r1, r2, r3, r4],
    }
}

fn args<'a>(cmd: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = cmd.to_vec();
    v.extend_from_slice(extra);
    v
}

fn pct(v: &Value) -> Value {
    v["pct"].clone()
}

#[test]
fn weekly_numbers_by_hand() {
    let f = fixture();
    let [r1, r2, r3, r4] = &f.r;
    let w = f.env.json(&args(&["report", "weekly"], &WEEK));
    assert_eq!(w["schema_version"], 1);
    assert_eq!(w["period"]["label"], "2026-W48");
    assert_eq!(w["period"]["from"], "2026-11-23");
    assert_eq!(w["as_of"], AS_OF);
    assert_eq!(w["time_zone"], "+08:00");
    assert_eq!(w["clock"], "calendar_hours");

    // Intake: R2, R3, R4 (R1 is from week 47).
    assert_eq!(w["intake"]["total"], 3);
    let by_type: Vec<(String, u64)> = w["intake"]["by_type"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["key"].as_str().unwrap().to_string(),
                c["count"].as_u64().unwrap(),
            )
        })
        .filter(|c| c.1 > 0)
        .collect();
    assert_eq!(
        by_type,
        [
            ("consultation".into(), 1),
            ("demo".into(), 1),
            ("solution".into(), 1)
        ]
    );

    // Closed: R1 won (technical win, 4), R2 lost (2).
    let c = &w["closed"];
    assert_eq!(c["total"], 2);
    assert_eq!(pct(&c["win_rate"]), 50.0);
    assert_eq!(pct(&c["technical_win_rate"]), 50.0);
    assert_eq!(c["satisfaction"]["mean"], 3.0);
    // Handled = open at some moment of the week, assigned or not: R1–R4; resolved: R1, R2.
    assert_eq!(c["resolution_rate"]["numerator"], 2);
    assert_eq!(c["resolution_rate"]["denominator"], 4);
    assert_eq!(pct(&c["resolution_rate"]), 50.0);

    // First response: R1 72 h > 8 (breached, stopped Mon); R2 1 h (met); R3 81 h > 2 and
    // R4 50 h > 24, both still running → 1 ÷ (1 + 3) = 25 %.
    let fr = &w["sla"]["first_response"];
    assert_eq!(
        (fr["met"].as_u64(), fr["breached"].as_u64()),
        (Some(1), Some(3))
    );
    assert_eq!(fr["ongoing_breached"], 2);
    assert_eq!(pct(&fr["attainment"]), 25.0);
    // Resolution: R1 120 h and R2 96 h > 80 (P2); R3 81 h > 40 (P1) running; R4 50 of
    // 160 h, not counted → 0 ÷ 3.
    let res = &w["sla"]["resolution"];
    assert_eq!(
        (res["met"].as_u64(), res["breached"].as_u64()),
        (Some(0), Some(3))
    );
    assert_eq!(res["ongoing_breached"], 1);
    assert_eq!(pct(&res["attainment"]), 0.0);

    // WIP: R4 registered for 50 h, R3 assigned since Tue 09:30 = 80.5 h.
    let wip: Vec<(String, u64, Value)> = w["wip"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["count"].as_u64() > Some(0))
        .map(|s| {
            (
                s["stage"].as_str().unwrap().to_string(),
                s["count"].as_u64().unwrap(),
                s["max_age_hours"].clone(),
            )
        })
        .collect();
    assert_eq!(
        wip,
        [
            ("registered".into(), 1, Value::from(50.0)),
            ("assigned".into(), 1, Value::from(80.5))
        ]
    );

    // Cycle time of visits that ended this week: registered R2 0 h, R3 0.5 h; assigned
    // R1 71 h, R2 24 h; answered R1 48 h, R2 72 h.
    let ct: Vec<(String, Value, Value)> = w["cycle_time"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["stage"].as_str().unwrap().to_string(),
                s["median_hours"].clone(),
                s["p90_hours"].clone(),
            )
        })
        .collect();
    assert_eq!(
        ct,
        [
            ("registered".into(), Value::from(0.25), Value::from(0.5)),
            ("assigned".into(), Value::from(47.5), Value::from(71.0)),
            ("answered".into(), Value::from(60.0), Value::from(72.0)),
        ]
    );

    // Needs attention.
    let att: Vec<(String, String)> = w["attention"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["reason"].as_str().unwrap().to_string(),
                a["request"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let e = |r: &str, id: &String| (r.to_string(), id.clone());
    assert_eq!(
        att,
        [
            e("breached", r3),
            e("breached", r3),
            e("breached", r4),
            e("unassigned", r4),
            e("oldest_in_stage", r3),
            e("oldest_in_stage", r4),
        ]
    );

    // Workload.
    let lina = w["workload"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["member"] == "li.na")
        .unwrap();
    assert_eq!(
        (
            lina["open"].as_u64(),
            lina["assigned"].as_u64(),
            lina["closed"].as_u64()
        ),
        (Some(0), Some(1), Some(2))
    );
    assert_eq!(w["anomalies"].as_array().unwrap().len(), 0);
    assert_eq!(w["summary"]["breached"], 6);

    // The confidential request is counted but not named.
    let closed = w["closed"]["requests"].as_array().unwrap();
    let conf = closed.iter().find(|i| i["id"] == r2.as_str()).unwrap();
    assert_eq!(conf["title"], "[confidential]");
    assert_eq!(conf["customer"], "[confidential]");
    let open = closed.iter().find(|i| i["id"] == r1.as_str()).unwrap();
    assert_eq!(open["customer"], "华东银行");
}

#[test]
fn every_format_is_byte_identical_across_runs_and_clocks() {
    let mut f = fixture();
    let reports: [&[&str]; 5] = [
        &["report", "weekly"],
        &["report", "sla"],
        &["report", "performance"],
        &["report", "kb"],
        &["sla"],
    ];
    for format in ["table", "markdown", "json", "yaml", "csv"] {
        for r in reports {
            let mut a = vec!["--format", format];
            a.extend_from_slice(r);
            a.extend_from_slice(&["--as-of", AS_OF]);
            f.env.now = "2026-11-27T18:00:00+08:00".into();
            let one = f.env.run(&a);
            // A different clock must not matter once --as-of is given.
            f.env.now = "2027-03-01T08:00:00+01:00".into();
            let two = f.env.run(&a);
            assert_eq!(one.code(), 0, "{a:?}: {}", one.stderr());
            assert!(!one.out.stdout.is_empty(), "{a:?}");
            assert_eq!(one.out.stdout, two.out.stdout, "{a:?}");
        }
    }
    // A past week without --as-of is read as of its end, whenever it is run.
    f.env.now = "2026-12-09T10:00:00+08:00".into();
    let a = f.env.run(&["report", "weekly", "--week", "2026-W48"]).ok();
    let b = f
        .env
        .run(&[
            "report",
            "weekly",
            "--week",
            "2026-W48",
            "--as-of",
            "2026-11-29T23:59:59+08:00",
        ])
        .ok();
    assert_eq!(a, b);
}

#[test]
fn markdown_opens_with_the_headline_and_renders_tables() {
    let f = fixture();
    let md = f
        .env
        .run(&args(&["--format", "md", "report", "weekly"], &WEEK))
        .ok();
    let lines: Vec<&str> = md.lines().collect();
    assert_eq!(lines[0], "# Weekly report 2026-W48");
    assert!(
        lines[2].starts_with("2026-11-23 – 2026-11-29 · as of 2026-11-27 18:00"),
        "{md}"
    );
    assert_eq!(
        lines[4],
        "**3 new · 2 closed (1 won, 1 lost) · 2 open · SLA attainment: first response 25.0%, resolution 0.0% · 6 SLA breaches · 0 at risk · 1 unassigned**"
    );
    assert!(
        md.contains("\n## Needs attention\n\n| REASON | REQUEST |"),
        "{md}"
    );
    assert!(md.contains("- Win rate: 50.0% (1/2)"), "{md}");
    assert!(
        !md.contains("仁和医院") && !md.contains("HIS 数据合规咨询"),
        "{md}"
    );
    let all = f
        .env
        .run(&args(
            &[
                "--format",
                "markdown",
                "report",
                "weekly",
                "--include-confidential",
            ],
            &WEEK,
        ))
        .ok();
    assert!(
        all.contains("HIS 数据合规咨询") && all.contains("仁和医院"),
        "{all}"
    );
}

#[test]
fn sla_now_lists_what_is_breached_or_at_risk() {
    let f = fixture();
    let v = f.env.json(&["sla", "--as-of", AS_OF]);
    let ids: Vec<&str> = v["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [f.r[2].as_str(), f.r[3].as_str()]);
    assert_eq!(v["scope"], "now");
    let table = f.env.run(&["sla", "--as-of", AS_OF]).ok();
    assert!(table.contains("2 open requests need action"), "{table}");
    // An hour after R1 was created, 1 h of its 8 h is used: nothing yet.
    let early = f
        .env
        .run(&["sla", "--as-of", "2026-11-20T11:00:00+08:00"])
        .ok();
    assert!(early.contains("nothing is breached or at risk"), "{early}");
}

#[test]
fn performance_per_engineer_and_one_member() {
    let f = fixture();
    let p = f.env.json(&args(&["report", "performance"], &WEEK));
    let lina = p["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["member"] == "li.na")
        .unwrap();
    assert_eq!(lina["handled"], 2);
    assert_eq!(pct(&lina["resolution_rate"]), 100.0);
    assert_eq!(pct(&lina["conversion"]), 50.0);
    assert_eq!(lina["satisfaction"]["mean"], 3.0);
    // R1 72 h, R2 1 h → median 36.5 h.
    assert_eq!(lina["median_first_response_hours"], 36.5);
    // The team: every request open in the week, R4 (unassigned) too.
    assert_eq!(p["team"]["handled"], 4);
    // wang.fang was assigned R3 but has not touched it: not handled.
    let fang = p["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["member"] == "wang.fang")
        .unwrap();
    assert_eq!(fang["handled"], 0);
    let one = f.env.json(&args(
        &["report", "performance", "--member", "wang.fang"],
        &WEEK,
    ));
    assert_eq!(one["members"].as_array().unwrap().len(), 1);
    assert_eq!(one["members"][0]["first_response"]["ongoing_breached"], 1);
    let err = f
        .env
        .run(&["report", "performance", "--member", "nobody"])
        .err();
    assert!(err.contains("`nobody` is not a team member"), "{err}");
}

#[test]
fn customer_show_has_the_whole_service_history() {
    let f = fixture();
    let v = f.env.json(&["customer", "list"]);
    let bank = v
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "华东银行")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let c = f.env.json(&["customer", "show", &bank]);
    assert_eq!(c["name"], "华东银行");
    let reqs = c["requests"].as_array().unwrap();
    assert_eq!(reqs.len(), 3);
    let r1 = &reqs[0];
    for key in ["id", "title", "type", "stage", "created", "outcome"] {
        assert!(r1.get(key).is_some(), "{key} missing: {r1}");
    }
    assert_eq!(r1["closed"], "2026-11-25T10:00:00+08:00");
    assert_eq!(r1["assignee"], "li.na");
    assert_eq!(r1["satisfaction"], 4);
    assert_eq!(r1["resolution_hours"], 120.0);
    assert_eq!(c["service"]["won"], 1);
    let table = f.env.run(&["customer", "show", &bank]).ok();
    assert!(
        table.contains("service history: 3 requests, 2 open, 1 won, 0 lost"),
        "{table}"
    );
}

#[test]
fn an_empty_store_renders_every_report_in_every_format() {
    let env = Env::new();
    for format in ["table", "markdown", "json", "yaml", "csv"] {
        for r in [
            &["report", "weekly"][..],
            &["report", "sla"],
            &["report", "performance"],
            &["report", "kb"],
            &["sla"],
        ] {
            let mut a = vec!["--format", format];
            a.extend_from_slice(r);
            let out = env.run(&a);
            assert_eq!(out.code(), 0, "{a:?}: {}", out.stderr());
        }
    }
    let w = env.json(&["report", "weekly"]);
    assert_eq!(w["closed"]["win_rate"]["pct"], Value::Null);
    assert_eq!(w["sla"]["first_response"]["attainment"]["pct"], Value::Null);
    let md = env.run(&["--format", "markdown", "report", "weekly"]).ok();
    assert!(md.contains("0 new · 0 closed"), "{md}");
    assert!(md.contains("- Win rate: n/a (0/0)"), "{md}");
}

#[test]
fn inconsistent_records_are_listed_not_fatal() {
    let f = fixture();
    let [_, _, r3, _] = &f.r;
    // A hand-edited stage with no history entry, and an assignee who has left the team.
    let path = f.env.path_of(r3);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("stage: assigned", "stage: design")).unwrap();
    let toml_path = f.env.root().join("presales.toml");
    let toml = std::fs::read_to_string(&toml_path).unwrap();
    std::fs::write(
        &toml_path,
        toml.replace(
            "id = \"wang.fang\"\n",
            "id = \"wang.fang\"\nactive = false\n",
        ),
    )
    .unwrap();
    let w = f.env.json(&args(&["report", "weekly"], &WEEK));
    let kinds: Vec<&str> = w["anomalies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["stage_without_history", "former_member"]);
    let fang = w["workload"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["member"] == "wang.fang")
        .unwrap();
    assert_eq!(fang["status"], "former");
    let table = f.env.run(&args(&["report", "weekly"], &WEEK)).ok();
    assert!(
        table.contains("stage `design` has no history entry"),
        "{table}"
    );
}

#[test]
fn business_hours_calendar_from_presales_toml() {
    let f = fixture();
    let toml_path = f.env.root().join("presales.toml");
    let mut toml = std::fs::read_to_string(&toml_path).unwrap();
    toml.push_str("\n[calendar]\ntime_zone = \"Asia/Shanghai\"\nhours = [\"09:00\", \"18:00\"]\n");
    std::fs::write(&toml_path, &toml).unwrap();
    let w = f.env.json(&args(&["report", "weekly"], &WEEK));
    assert_eq!(w["clock"], "business_hours");
    assert_eq!(w["time_zone"], "Asia/Shanghai");
    // R1: Fri 10–18 (8 h) + Mon 9–10 (1 h) = 9 h > 8: still breached. R4: Wed 16–18 +
    // Thu + Fri = 20 h of 24: at risk now, no longer breached.
    let fr = &w["sla"]["first_response"];
    assert_eq!(
        (fr["met"].as_u64(), fr["breached"].as_u64()),
        (Some(1), Some(2))
    );
    // R3's resolution: Tue 09:00 → Fri 18:00 = 36 h of 40 h: at risk too.
    assert_eq!(w["summary"]["at_risk"], 2);

    // A bad calendar is an error naming presales.toml and the line of [calendar].
    std::fs::write(&toml_path, toml.replace("Asia/Shanghai", "Mars/Olympus")).unwrap();
    let err = f.env.run(&["report", "weekly"]).err();
    assert!(err.contains("presales.toml:"), "{err}");
    assert!(err.contains("unknown time zone \"Mars/Olympus\""), "{err}");
}

#[test]
fn bad_periods_are_usage_errors() {
    let env = Env::new();
    let out = env.run(&["report", "weekly", "--week", "2026-W60"]);
    assert_eq!(out.code(), 2, "{}", out.stderr());
    assert!(out.stderr().contains("no ISO week 60"), "{}", out.stderr());
    let out = env.run(&["report", "weekly", "--from", "2026-11-01"]);
    assert_eq!(out.code(), 2);
    let out = env.run(&[
        "report", "weekly", "--week", "2026-W48", "--month", "2026-11",
    ]);
    assert_eq!(out.code(), 2);
    let err = env
        .run(&[
            "report",
            "weekly",
            "--week",
            "2026-W50",
            "--as-of",
            "2026-11-27",
        ])
        .err();
    assert!(err.contains("starts after the as-of time"), "{err}");
    let err = env
        .run(&[
            "report",
            "weekly",
            "--from",
            "2026-11-10",
            "--to",
            "2026-11-01",
        ])
        .usage();
    assert!(err.contains("before --from"), "{err}");
}

#[test]
fn week_last_is_the_week_that_just_ended_whenever_the_job_runs() {
    let f = fixture();
    // Monday 2026-11-30 morning and Wednesday afternoon: the same report of W48.
    let at = |now: &str| {
        let mut env_now = f.env.cmd();
        env_now.env("PRESALES_NOW", now);
        let out = env_now
            .args(["--format", "json", "report", "weekly", "--week", "last"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let monday = at("2026-11-30T01:00:00+08:00");
    let wednesday = at("2026-12-02T15:00:00+08:00");
    assert_eq!(monday, wednesday);
    let json: Value = serde_json::from_str(&monday).unwrap();
    assert_eq!(json["period"]["label"], "2026-W48");
    assert_eq!(json["as_of"], "2026-11-29T23:59:59+08:00");
    // The same figures as asking for the week by name as of its end.
    let named = f.env.json(&[
        "report",
        "weekly",
        "--week",
        "2026-W48",
        "--as-of",
        "2026-11-29T23:59:59+08:00",
    ]);
    assert_eq!(json, named);
}
