//! Targets (issue 16, part 5): `[targets]` in presales.toml (defaults and quarters), its
//! problems located in the file, `report targets` and the Targets section of `report
//! weekly`, whose actuals are the other reports' own figures over the quarter.

mod common;

use common::Env;
use serde_json::Value;

fn at(env: &mut Env, t: &str) {
    env.now = format!("2026-{t}+08:00");
}

const TARGETS: &str = r#"
[targets]
win_rate = 60
technical_win_rate = 50
satisfaction = 4
trainings_per_member = 1

[targets."2026-Q4"]
win_rate = 65
first_response_attainment = 90
"#;

/// Consultations count as deals here, so a deal is three commands.
fn store(targets: &str) -> Env {
    let env = Env::new();
    let config = env.root().join("presales.toml");
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "types = [\"solution\", \"rfp\", \"poc\"]",
        "types = [\"solution\", \"rfp\", \"poc\", \"consultation\"]",
    ) + targets;
    std::fs::write(&config, text).unwrap();
    env
}

fn decided(env: &Env, customer: &str, close: &[&str]) -> String {
    let req = env.request(customer, "竞品对比", &["--type", "consultation"]);
    env.run_as("zhang.wei", &["assign", &req, "--to", "li.na"])
        .ok();
    env.run_as("li.na", &["advance", &req, "--note", "已答复"])
        .ok();
    let mut args = vec!["close", req.as_str(), "--summary", "结案"];
    args.extend_from_slice(close);
    env.run_as("li.na", &args).ok();
    req
}

/// Three deals decided in November (won with a technical win and 5, won with 3, lost), one
/// still open, and a training attended by two members.
fn quarter() -> Env {
    let mut env = store(TARGETS);
    at(&mut env, "11-02T10:00:00");
    let cus = env.customer("华东银行");
    decided(
        &env,
        &cus,
        &[
            "--outcome",
            "won",
            "--technical-win",
            "--evidence",
            "CTO 邮件",
            "--satisfaction",
            "5",
        ],
    );
    at(&mut env, "11-10T10:00:00");
    decided(&env, &cus, &["--outcome", "won", "--satisfaction", "3"]);
    at(&mut env, "11-16T10:00:00");
    decided(&env, &cus, &["--outcome", "lost", "--loss-reason", "price"]);
    env.request(&cus, "还在谈", &["--type", "consultation"]);
    let t = env
        .run_as(
            "zhang.wei",
            &[
                "training",
                "new",
                "--title",
                "产品培训",
                "--date",
                "2026-11-16",
                "--trainer",
                "zhang.wei",
                "--attendee",
                "li.na",
                "--attendee",
                "wang.fang",
            ],
        )
        .ok();
    env.run(&[
        "training",
        "attend",
        &t,
        "--member",
        "li.na",
        "--member",
        "wang.fang",
    ])
    .ok();
    at(&mut env, "11-27T10:00:00");
    env
}

fn line<'a>(r: &'a Value, target: &str) -> &'a Value {
    r["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["target"] == target)
        .unwrap_or_else(|| panic!("no {target} in {r:#}"))
}

#[test]
fn report_targets_compares_each_target_with_the_quarters_own_figures() {
    let env = quarter();
    let r = env.json(&[
        "report",
        "targets",
        "--quarter",
        "2026-Q4",
        "--as-of",
        "2026-11-27",
    ]);
    assert_eq!(r["period"]["label"], "2026-Q4");
    let names: Vec<&str> = r["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "win_rate",
            "technical_win_rate",
            "first_response_attainment",
            "satisfaction",
            "trainings_per_member"
        ],
        "defaults and the quarter's own, in one order"
    );
    // The quarter's value wins over the default.
    assert_eq!(line(&r, "win_rate")["target_value"], 65.0);
    assert_eq!(line(&r, "win_rate")["actual"], 66.7);
    assert_eq!(line(&r, "win_rate")["basis"], "2/3 deals");
    assert_eq!(line(&r, "win_rate")["met"], true);
    assert_eq!(line(&r, "technical_win_rate")["actual"], 33.3);
    assert_eq!(line(&r, "technical_win_rate")["met"], false);
    assert_eq!(line(&r, "satisfaction")["actual"], 4.0);
    assert_eq!(
        line(&r, "satisfaction")["met"],
        true,
        "at the target is met"
    );
    // 2 attendances over 7 active members.
    assert_eq!(line(&r, "trainings_per_member")["actual"], 0.29);
    assert_eq!(line(&r, "trainings_per_member")["met"], false);
    // The actuals are the weekly report's and the training report's own figures over the
    // same quarter.
    let weekly = env.json(&[
        "report",
        "weekly",
        "--quarter",
        "2026-Q4",
        "--as-of",
        "2026-11-27",
    ]);
    assert_eq!(
        line(&r, "win_rate")["actual"],
        weekly["closed"]["win_rate"]["pct"]
    );
    assert_eq!(
        line(&r, "technical_win_rate")["actual"],
        weekly["closed"]["technical_win_rate"]["pct"]
    );
    assert_eq!(
        line(&r, "first_response_attainment")["actual"],
        weekly["summary"]["first_response_attainment_pct"]
    );
    assert_eq!(
        line(&r, "satisfaction")["actual"],
        weekly["closed"]["satisfaction"]["mean"]
    );
    let training = env.json(&[
        "report",
        "training",
        "--quarter",
        "2026-Q4",
        "--as-of",
        "2026-11-27",
    ]);
    assert_eq!(
        line(&r, "trainings_per_member")["actual"],
        training["summary"]["trainings_per_member"]
    );
    // Another quarter has only the defaults, and nothing to measure yet.
    let q1 = env.json(&[
        "report",
        "targets",
        "--quarter",
        "2027-Q1",
        "--as-of",
        "2027-01-05",
    ]);
    assert_eq!(line(&q1, "win_rate")["target_value"], 60.0);
    assert_eq!(line(&q1, "win_rate")["actual"], Value::Null);
    assert_eq!(line(&q1, "win_rate")["met"], Value::Null);
    assert!(
        q1["targets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["target"] != "first_response_attainment")
    );
    // Every format renders, the same twice.
    for format in ["table", "markdown", "json", "yaml", "csv"] {
        let run = || {
            env.run(&[
                "--format",
                format,
                "report",
                "targets",
                "--quarter",
                "2026-Q4",
                "--as-of",
                "2026-11-27",
            ])
            .ok()
        };
        assert_eq!(run(), run(), "{format}");
    }
    let table = env
        .run(&[
            "report",
            "targets",
            "--quarter",
            "2026-Q4",
            "--as-of",
            "2026-11-27",
        ])
        .ok();
    // The open request has waited past its first-response limit: 3 of 4 met.
    assert_eq!(line(&r, "first_response_attainment")["actual"], 75.0);
    assert_eq!(line(&r, "first_response_attainment")["basis"], "3/4 met");
    assert!(table.contains("2 of 5 targets met so far"), "{table}");
    assert!(table.contains("not met"), "{table}");
}

#[test]
fn the_weekly_report_shows_the_targets_of_its_quarter_to_date() {
    let env = quarter();
    let week = [
        "report",
        "weekly",
        "--week",
        "2026-W48",
        "--as-of",
        "2026-11-27",
    ];
    let table = env.run(&week).ok();
    assert!(table.contains("Targets 2026-Q4 (to 2026-11-27)"), "{table}");
    let mut json_args = vec!["--format", "json"];
    json_args.extend_from_slice(&week);
    let w: Value = serde_json::from_str(&env.run(&json_args).ok()).unwrap();
    // The week closed nothing, the quarter three deals: the targets read the quarter.
    assert_eq!(w["closed"]["total"], 0);
    assert_eq!(w["targets"]["period"]["label"], "2026-Q4");
    assert_eq!(line(&w["targets"], "win_rate")["actual"], 66.7);
    // Without [targets], the weekly report has no targets section.
    let plain = store("");
    let w = plain.json(&week);
    assert!(w.get("targets").is_none(), "{w:#}");
    let table = plain.run(&week).ok();
    assert!(!table.contains("Targets"), "{table}");
}

#[test]
fn problems_of_targets_are_located_in_presales_toml() {
    let env = store(
        r#"
[targets]
win_rat = 40
satisfaction = 7

[targets."2026Q4"]
win_rate = 45

[targets."2026-Q4"]
technical_win_rate = 140
"#,
    );
    let r = env.run(&["check"]);
    assert_eq!(r.code(), 1, "{}{}", r.stdout(), r.stderr());
    let out = r.stdout();
    let text = std::fs::read_to_string(env.root().join("presales.toml")).unwrap();
    let line_of = |needle: &str| text.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
    assert!(
        out.contains(&format!(
            "presales.toml:{}:1: error: targets: `win_rat` is not a target",
            line_of("win_rat")
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "presales.toml:{}:16: error: targets: satisfaction must be from 1 to 5 (of 5), got 7",
            line_of("satisfaction = 7")
        )),
        "{out}"
    );
    assert!(out.contains("`2026Q4` is not a quarter"), "{out}");
    assert!(
        out.contains("technical_win_rate must be from 0 to 100 (%), got 140"),
        "{out}"
    );
    // Writing commands refuse until it is fixed; reading ones warn.
    let r = env.run(&["customer", "new", "--name", "华东银行"]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    // A value that is not a number is a parse error naming the fix.
    let env = store("\n[targets]\nwin_rate = \"high\"\n");
    let r = env.run(&["check"]);
    common::clean("a target that is text", &r);
    assert!(
        r.stderr().contains("a target is a number (win_rate = 40)"),
        "{}",
        r.stderr()
    );
}
