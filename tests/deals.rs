//! Deal value and outcome detail (issue 15, part 1): `new --value --currency`, `close
//! --loss-reason --competitor`, `close --technical-win --evidence`, `[deals]` in
//! presales.toml, and win rates that count only the types ending in a deal decision.

mod common;

use common::Env;

fn closed_lost(env: &Env, customer: &str, extra: &[&str]) -> (String, common::Run) {
    let cus = env.customer(customer);
    let req = env.request(
        &cus,
        "核心网络改造",
        &["--value", "1200000", "--currency", "cny"],
    );
    let mut args = vec![
        "close",
        req.as_str(),
        "--outcome",
        "cancelled",
        "--summary",
        "客户改选他家",
    ];
    args.extend_from_slice(extra);
    let run = env.run_as("li.na", &args);
    (req, run)
}

#[test]
fn new_records_the_deal_value_exactly_and_show_prints_it() {
    let env = Env::new();
    let cus = env.customer("华东银行");
    let req = env.request(
        &cus,
        "核心网络改造",
        &["--value", "1200000.50", "--currency", "cny"],
    );
    let json = env.json(&["show", &req]);
    assert_eq!(json["opportunity"]["value"], "1200000.50");
    assert_eq!(json["opportunity"]["currency"], "CNY");
    let shown = env.run(&["show", &req]).ok();
    assert!(shown.contains("deal value   1200000.50 CNY"), "{shown}");
    // A negative or non-numeric value is a usage error; a currency alone needs a value.
    for bad in [
        vec!["--value", "-5"],
        vec!["--value", "12万"],
        vec!["--currency", "CNY"],
    ] {
        let mut args = vec!["new", "--title", "x", "--customer", cus.as_str()];
        args.extend(bad.iter().copied());
        let r = env.run(&args);
        assert_eq!(r.code(), 2, "{bad:?}: {}", r.stderr());
    }
}

#[test]
fn loss_reasons_come_from_presales_toml_and_describe_lost_deals_only() {
    let env = Env::new();
    // Not lost: a loss reason is refused.
    let (_, r) = closed_lost(&env, "华东银行", &["--loss-reason", "price"]);
    assert_eq!(r.code(), 1);
    assert!(
        r.stderr().contains("describe a lost deal"),
        "{}",
        r.stderr()
    );

    // Lost (from the last stage a solution can close from any outcome only at the end of
    // its path; a consultation answers a question, so use `answered`).
    let cus = env.customer("华北电力");
    let req = env.request(&cus, "竞品对比咨询", &["--type", "consultation"]);
    env.run_as("zhang.wei", &["assign", &req, "--to", "li.na"])
        .ok();
    env.run_as("li.na", &["advance", &req, "--note", "已答复"])
        .ok();
    let r = env.run_as(
        "li.na",
        &[
            "close",
            &req,
            "--outcome",
            "lost",
            "--loss-reason",
            "budget",
            "--summary",
            "丢单",
        ],
    );
    assert_eq!(r.code(), 1);
    assert!(
        r.stderr().contains("unknown loss reason `budget`")
            && r.stderr().contains("price, features, competitor"),
        "{}",
        r.stderr()
    );
    env.run_as(
        "li.na",
        &[
            "close",
            &req,
            "--outcome",
            "lost",
            "--loss-reason",
            "price",
            "--competitor",
            "Acme 网络",
            "--summary",
            "报价高于对手",
        ],
    )
    .ok();
    let json = env.json(&["show", &req]);
    assert_eq!(
        (json["loss_reason"].as_str(), json["competitor"].as_str()),
        (Some("price"), Some("Acme 网络"))
    );
    let shown = env.run(&["show", &req]).ok();
    assert!(
        shown.contains("lost, lost on price to Acme 网络"),
        "{shown}"
    );
    // Reopening clears the outcome and its detail.
    env.run_as("zhang.wei", &["reopen", &req, "--note", "客户重新招标"])
        .ok();
    let json = env.json(&["show", &req]);
    assert!(json.get("loss_reason").is_none(), "{json}");
    assert!(json.get("competitor").is_none(), "{json}");
}

#[test]
fn evidence_needs_a_technical_win_and_is_kept() {
    let env = Env::new();
    let (_, r) = closed_lost(&env, "华东银行", &["--evidence", "CTO 确认"]);
    assert_eq!(r.code(), 2, "{}", r.stderr());
    let (req, r) = closed_lost(
        &env,
        "华南制造",
        &["--technical-win", "--evidence", "客户CTO邮件确认"],
    );
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let json = env.json(&["show", &req]);
    assert_eq!(json["technical_win_evidence"], "客户CTO邮件确认");
    assert_eq!(json["technical_win"], true);
}

#[test]
fn a_deals_section_with_an_unknown_type_or_rates_without_currency_is_a_config_problem() {
    let env = Env::new();
    let path = env.root().join("presales.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("[deals]"), "init writes the section");
    let broken = text
        .replace(
            "types = [\"solution\", \"rfp\", \"poc\"]",
            "types = [\"solution\", \"tender\"]",
        )
        .replace("# rates = {", "rates = {");
    assert_ne!(broken, text);
    std::fs::write(&path, broken).unwrap();
    let r = env.run(&["check"]);
    assert_eq!(r.code(), 1);
    let out = r.stdout();
    assert!(
        out.contains("deals.types: `tender` is not a request type"),
        "{out}"
    );
    assert!(out.contains("deals.rates needs deals.currency"), "{out}");
}

#[test]
fn effort_is_logged_by_the_caller_and_adds_up_in_report_capacity() {
    let mut env = Env::new();
    env.now = "2026-11-27T10:00:00+08:00".into();
    let cus = env.customer("华东银行");
    let req = env.request(
        &cus,
        "核心网络改造",
        &["--value", "800000", "--currency", "CNY"],
    );
    env.run_as("zhang.wei", &["assign", &req, "--to", "li.na"])
        .ok();
    env.run_as(
        "li.na",
        &[
            "log",
            &req,
            "3h",
            "--activity",
            "demo",
            "--note",
            "现场演示",
        ],
    )
    .ok();
    env.run_as(
        "li.na",
        &[
            "log",
            &req,
            "90m",
            "--activity",
            "meeting",
            "--date",
            "2026-11-24",
        ],
    )
    .ok();
    // A working day without a calendar is 8 h; wang.fang helps on Wednesday.
    env.run_as(
        "wang.fang",
        &[
            "log",
            &req,
            "1d",
            "--activity",
            "design",
            "--date",
            "2026-11-25",
        ],
    )
    .ok();
    // Refused: no unit, too long, in the future, an unknown activity.
    assert_eq!(
        env.run_as("li.na", &["log", &req, "3", "--activity", "demo"])
            .code(),
        2
    );
    let r = env.run_as("li.na", &["log", &req, "25h", "--activity", "demo"]);
    assert!(r.err().contains("at most 24 hours"));
    let r = env.run_as(
        "li.na",
        &[
            "log",
            &req,
            "1h",
            "--activity",
            "demo",
            "--date",
            "2026-12-01",
        ],
    );
    assert!(r.err().contains("in the future"));
    assert_eq!(
        env.run_as("li.na", &["log", &req, "1h", "--activity", "golf"])
            .code(),
        2
    );
    let json = env.json(&["show", &req]);
    let effort = json["effort"].as_array().unwrap();
    assert_eq!(effort.len(), 3);
    assert_eq!(
        (effort[0]["by"].as_str(), effort[0]["hours"].as_str()),
        (Some("li.na"), Some("3"))
    );
    assert_eq!(effort[2]["hours"], "8");
    let shown = env.run(&["show", &req]).ok();
    assert!(
        shown.contains("effort       12.5 h (li.na 4.5 h, wang.fang 8 h)"),
        "{shown}"
    );

    // Week 48 as of Friday 18:00: five working days, 40 h a week each.
    let cap = env.json(&[
        "report",
        "capacity",
        "--week",
        "2026-W48",
        "--as-of",
        "2026-11-27T18:00:00+08:00",
    ]);
    let member = |id: &str| {
        cap["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["member"] == id)
            .unwrap()
            .clone()
    };
    let lina = member("li.na");
    assert_eq!(lina["hours"], "4.5");
    assert_eq!(lina["by_activity"]["demo"], "3");
    assert_eq!(lina["by_activity"]["meeting"], "1.5");
    assert_eq!(lina["capacity_hours"], 40.0);
    // 4.5 / 40 = 11.25 % → 11.3 (half away from zero).
    assert_eq!(lina["utilisation_pct"], 11.3);
    assert_eq!(lina["open_load"], 1);
    assert_eq!(member("wang.fang")["hours"], "8");
    assert_eq!(cap["team"]["hours"], "12.5");
    assert_eq!(cap["deals"][0]["hours_in_period"], "12.5");
    assert_eq!(cap["deals"][0]["value"], "800000");
    // li.na carries the only open request: she frees up last.
    let next: Vec<&str> = cap["frees_up_next"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(next.last(), Some(&"li.na"));
    // Every format renders; CSV has one line per engineer plus the team.
    for format in ["table", "markdown", "yaml"] {
        env.run(&[
            "--format",
            format,
            "report",
            "capacity",
            "--week",
            "2026-W48",
            "--as-of",
            "2026-11-27T18:00:00+08:00",
        ])
        .ok();
    }
    let csv = env
        .run(&[
            "--format",
            "csv",
            "report",
            "capacity",
            "--week",
            "2026-W48",
            "--as-of",
            "2026-11-27T18:00:00+08:00",
        ])
        .ok();
    assert!(
        csv.contains("\nli.na,李娜,4.5,3,0,1.5,0,0,0,0,40.0,11.3,1\n"),
        "{csv}"
    );
}

/// A consultation answered and closed: the shortest path to a decided deal (with
/// `consultation` among `[deals] types`).
fn decided(env: &Env, customer: &str, value: &str, close: &[&str]) -> String {
    let req = env.request(
        customer,
        "竞品对比",
        &[
            "--type",
            "consultation",
            "--value",
            value,
            "--currency",
            "CNY",
        ],
    );
    env.run_as("zhang.wei", &["assign", &req, "--to", "li.na"])
        .ok();
    env.run_as("li.na", &["advance", &req, "--note", "已答复"])
        .ok();
    let mut args = vec!["close", req.as_str(), "--summary", "结案"];
    args.extend_from_slice(close);
    env.run_as("li.na", &args).ok();
    req
}

#[test]
fn report_winloss_ranks_reasons_and_competitors_of_the_deals_decided() {
    let env = Env::new();
    let config = env.root().join("presales.toml");
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "types = [\"solution\", \"rfp\", \"poc\"]",
        "types = [\"solution\", \"rfp\", \"poc\", \"consultation\"]",
    );
    std::fs::write(&config, text).unwrap();
    let cus = env.customer("华东银行");
    decided(
        &env,
        &cus,
        "100000",
        &[
            "--outcome",
            "won",
            "--technical-win",
            "--evidence",
            "CTO 邮件",
        ],
    );
    decided(
        &env,
        &cus,
        "50000",
        &[
            "--outcome",
            "lost",
            "--loss-reason",
            "price",
            "--competitor",
            "Acme",
        ],
    );
    decided(
        &env,
        &cus,
        "20000",
        &[
            "--outcome",
            "lost",
            "--loss-reason",
            "price",
            "--competitor",
            "Acme",
        ],
    );
    decided(
        &env,
        &cus,
        "70000",
        &["--outcome", "lost", "--loss-reason", "features"],
    );
    let args = [
        "report",
        "winloss",
        "--week",
        "2026-W48",
        "--as-of",
        "2026-11-27T18:00:00+08:00",
    ];
    let r = env.json(&args);
    assert_eq!(
        (r["total"]["won"].as_u64(), r["total"]["lost"].as_u64()),
        (Some(1), Some(3))
    );
    assert_eq!(r["total"]["win_rate"]["pct"], 25.0);
    assert_eq!(r["total"]["technical_win_rate"]["pct"], 25.0);
    assert_eq!(r["loss_reasons"][0]["key"], "price");
    assert_eq!(r["loss_reasons"][0]["deals"], 2);
    assert_eq!(r["loss_reasons"][0]["value"][0], "70000 CNY");
    assert_eq!(r["loss_reasons"][1]["key"], "features");
    assert_eq!(r["competitors"][0]["key"], "Acme");
    assert_eq!(r["competitors"][0]["value"][0], "70000 CNY");
    assert_eq!(r["value_per"][0]["won_value"], "100000");
    assert_eq!(r["by_value_band"][0]["key"], "< 100000");
    // Every format renders; CSV is one line per deal.
    for format in ["table", "markdown", "yaml"] {
        let mut full = vec!["--format", format];
        full.extend_from_slice(&args);
        env.run(&full).ok();
    }
    let mut full = vec!["--format", "csv"];
    full.extend_from_slice(&args);
    assert_eq!(env.run(&full).ok().lines().count(), 5);
}

#[test]
fn deal_texts_are_one_line_of_plain_text() {
    let env = Env::new();
    let cus = env.customer("华东银行");
    let r = env.run(&[
        "new",
        "--title",
        "x",
        "--customer",
        &cus,
        "--value",
        "5",
        "--currency",
        "C\u{1b}[31mNY",
    ]);
    assert!(
        r.err()
            .contains("the currency (--currency) holds the control character U+001B")
    );
    let req = env.request(&cus, "咨询", &["--type", "consultation"]);
    env.run_as("zhang.wei", &["assign", &req, "--to", "li.na"])
        .ok();
    env.run_as("li.na", &["advance", &req, "--note", "已答复"])
        .ok();
    let r = env.run_as(
        "li.na",
        &[
            "close",
            &req,
            "--outcome",
            "lost",
            "--summary",
            "s",
            "--competitor",
            "Acme\nFAKE",
        ],
    );
    assert!(
        r.err()
            .contains("the competitor (--competitor) holds a line break")
    );
    assert_eq!(env.json(&["show", &req])["stage"], "answered");
}
