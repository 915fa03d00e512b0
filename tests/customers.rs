//! Customer files and complaints (issue 16, parts 3 and 4): `customer edit` with flags,
//! `customer note`, `customer forget-contact` (personal data never in history entries),
//! customers found by name, `customer show` with response times, complaints and the
//! satisfaction trend; the complaint type, its outcomes, `close --resolution`, its SLA
//! limits, and the gate on all of it.

mod common;

use common::Env;

fn bank(env: &Env) -> String {
    env.run(&["customer", "new", "--name", "华东银行股份有限公司"])
        .ok()
}

#[test]
fn contacts_and_notes_by_command_stay_out_of_history() {
    let env = Env::new();
    let cus = bank(&env);
    env.run(&[
        "customer",
        "edit",
        "华东银行",
        "--contact",
        "name=王强,title=CTO,phone=13800000000,email=wq@hdbank.cn",
        "--contact",
        "李四",
        "--industry",
        "banking",
    ])
    .ok();
    env.run(&[
        "customer",
        "note",
        "华东银",
        "--contact",
        "王强",
        "--text",
        "电话沟通：王强要求下周演示",
    ])
    .ok();
    let text = env.read(&cus);
    let history = &text[text.find("history:").unwrap()..];
    for private in [
        "王强",
        "13800000000",
        "wq@hdbank.cn",
        "李四",
        "要求下周演示",
    ] {
        assert!(text.contains(private), "{private} is in the file");
        assert!(
            !history.contains(private),
            "{private} leaked into history:\n{history}"
        );
    }
    assert!(history.contains("industry"), "{history}");
    let show = env.json(&["customer", "show", "华东银行股份有限公司"]);
    assert_eq!(show["contacts"][0]["phone"], "13800000000");
    assert_eq!(show["interactions"][0]["contact"], "王强");

    // Changing a contact by name keeps its other fields.
    env.run(&["customer", "edit", &cus, "--contact", "name=王强,title=CIO"])
        .ok();
    let show = env.json(&["customer", "show", &cus]);
    assert_eq!(show["contacts"][0]["title"], "CIO");
    assert_eq!(show["contacts"][0]["email"], "wq@hdbank.cn");

    env.run(&["customer", "forget-contact", "华东银行", "王强"])
        .ok();
    let text = env.read(&cus);
    assert!(!text.contains("王强"), "{text}");
    assert!(!text.contains("13800000000"), "{text}");
    assert!(text.contains("[forgotten]"), "{text}");
    assert!(text.contains("李四"));
    assert_eq!(env.run(&["check"]).code(), 0);
}

#[test]
fn bad_customer_input_is_refused_and_writes_nothing() {
    let env = Env::new();
    let cus = bank(&env);
    env.run(&["customer", "new", "--name", "华东电力"]).ok();
    let before = env.read(&cus);
    for (what, args) in [
        (
            "contact without a name",
            vec!["customer", "edit", &cus, "--contact", "title=CTO"],
        ),
        (
            "unknown contact field",
            vec!["customer", "edit", &cus, "--contact", "name=A,fax=1"],
        ),
        (
            "note to a stranger",
            vec!["customer", "note", &cus, "--contact", "张三", "--text", "x"],
        ),
        ("empty note", vec!["customer", "note", &cus, "--text", "  "]),
        (
            "forget a stranger",
            vec!["customer", "forget-contact", &cus, "张三"],
        ),
        (
            "ambiguous name",
            vec!["customer", "note", "华东", "--text", "x"],
        ),
        (
            "unknown member",
            vec!["customer", "edit", &cus, "--owner", "nobody"],
        ),
    ] {
        let r = env.run(&args);
        common::clean(what, &r);
    }
    let r = env.run(&["customer", "note", "华东", "--text", "x"]);
    assert!(
        r.stderr().contains("华东电力") && r.stderr().contains("华东银行"),
        "{}",
        r.stderr()
    );
    assert_eq!(env.read(&cus), before);
    // Two contacts of one name.
    env.run(&["customer", "edit", &cus, "--contact", "王强"])
        .ok();
    let r = env.run(&["customer", "edit", &cus, "--contact", "王强"]);
    assert_ne!(r.code(), 0, "nothing changes: refused");
}

/// A complaint by phone, investigated and resolved.
fn complaint(env: &Env, cus: &str, priority: &str) -> String {
    let req = env.request(
        cus,
        "授权文件过期投诉",
        &["--type", "complaint", "--priority", priority],
    );
    env.run_as("zhang.wei", &["assign", &req, "--to", "li.na"])
        .ok();
    req
}

#[test]
fn a_complaint_runs_its_own_path_and_ends_with_its_resolution() {
    let mut env = Env::new();
    let cus = bank(&env);
    let req = complaint(&env, &cus, "P1");
    env.now = "2026-11-27T10:30:00+08:00".into();
    env.run_as("li.na", &["advance", &req, "--note", "开始调查"])
        .ok();
    let r = env.run_as(
        "li.na",
        &["close", &req, "--outcome", "resolved", "--resolution", "x"],
    );
    common::clean("resolved from investigating", &r);
    assert!(
        r.stderr().contains("cancelled") && r.stderr().contains("rejected"),
        "{}",
        r.stderr()
    );
    env.run_as("li.na", &["advance", &req, "--note", "补发授权"])
        .ok();
    // A deal outcome does not end a complaint; a complaint outcome needs its resolution.
    let r = env.run_as(
        "li.na",
        &["close", &req, "--outcome", "won", "--summary", "x"],
    );
    common::clean("won complaint", &r);
    let r = env.run_as("li.na", &["close", &req, "--outcome", "resolved"]);
    common::clean("no resolution", &r);
    assert!(r.stderr().contains("--resolution"), "{}", r.stderr());
    env.now = "2026-11-28T09:00:00+08:00".into();
    env.run_as(
        "li.na",
        &[
            "close",
            &req,
            "--outcome",
            "resolved",
            "--resolution",
            "补发授权文件，客户确认",
            "--satisfaction",
            "4",
        ],
    )
    .ok();
    let text = env.read(&req);
    assert!(text.contains("outcome: resolved"), "{text}");
    assert!(
        text.contains("resolution: 补发授权文件，客户确认"),
        "{text}"
    );

    // A deal cannot end with a complaint outcome.
    let deal = env.request(&cus, "灾备方案", &["--type", "consultation"]);
    env.run_as("zhang.wei", &["assign", &deal, "--to", "li.na"])
        .ok();
    env.run_as("li.na", &["advance", &deal, "--note", "答复"])
        .ok();
    let r = env.run_as(
        "li.na",
        &["close", &deal, "--outcome", "resolved", "--resolution", "x"],
    );
    common::clean("resolved deal", &r);
    let r = env.run_as(
        "li.na",
        &[
            "close",
            &deal,
            "--outcome",
            "won",
            "--summary",
            "x",
            "--resolution",
            "y",
        ],
    );
    common::clean("resolution on a deal", &r);
    env.run_as(
        "li.na",
        &["close", &deal, "--outcome", "won", "--summary", "ok"],
    )
    .ok();

    // Counted in the reports, never in win rates.
    let w = env.json(&["report", "weekly"]);
    assert_eq!(w["complaints"]["new"], 1, "{}", w["complaints"]);
    assert_eq!(w["complaints"]["resolved"], 1);
    assert_eq!(w["summary"]["won"], 1);
    let c = env.json(&["customer", "show", &cus]);
    assert_eq!(c["service"]["complaints"], 1);
    assert_eq!(
        c["service"]["win_rate"]["denominator"], 1,
        "{}",
        c["service"]
    );
    assert_eq!(c["service"]["satisfaction_trend"][0]["quarter"], "2026-Q4");
    let text = env.run(&["customer", "show", &cus]).ok();
    assert!(
        text.contains("RESP H") && text.contains("satisfaction trend"),
        "{text}"
    );
}

#[test]
fn complaints_have_their_own_limits_per_priority() {
    let mut env = Env::new();
    let cus = bank(&env);
    let p1 = complaint(&env, &cus, "P1");
    let p3 = complaint(&env, &cus, "P3");
    env.now = "2026-11-27T13:00:00+08:00".into();
    let sla = env.json(&["report", "sla"]);
    let limit = |id: &str| {
        sla["requests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .map(|r| r["first_response"]["limit_hours"].clone())
            .unwrap()
    };
    // [workflow.types.complaint] sla P1 = 1 h; P3 falls back to [sla] P3.
    assert_eq!(limit(&p1), 1.0, "{sla}");
    let toml = std::fs::read_to_string(env.root().join("presales.toml")).unwrap();
    let p3_limit: f64 = toml[toml.find("[sla.P3]").unwrap()..]
        .lines()
        .find_map(|l| l.strip_prefix("first_response_hours = "))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(limit(&p3), p3_limit, "{sla}");
}

#[test]
fn a_zero_limit_for_a_type_is_refused_where_it_is_written() {
    let env = Env::new();
    let path = env.root().join("presales.toml");
    let toml = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        toml.replace(
            "P1 = { first_response_hours = 1,",
            "P1 = { first_response_hours = 0,",
        ),
    )
    .unwrap();
    // Reading warns; writing refuses; both name the place.
    let r = env.run(&["list"]);
    assert!(r.stderr().contains("presales.toml:111:"), "{}", r.stderr());
    let r = env.run(&["customer", "new", "--name", "x"]);
    common::clean("zero limit", &r);
    assert!(
        r.stderr()
            .contains("workflow.types.complaint.sla.P1.first_response_hours"),
        "{}",
        r.stderr()
    );
    assert!(r.stderr().contains("presales.toml:"), "{}", r.stderr());
}

// ── The gate ──────────────────────────────────────────────────────────────────

#[test]
fn customer_work_by_command_passes_the_gate_and_forged_contacts_do_not() {
    let mut env = Env::new();
    let cus = bank(&env);
    env.run(&["customer", "edit", &cus, "--contact", "李四"])
        .ok();
    env.commit_all("main");
    env.git(&["checkout", "-q", "-b", "pr"]);
    env.now = "2026-11-28T10:00:00+08:00".into();
    env.run(&[
        "customer",
        "edit",
        &cus,
        "--contact",
        "name=王强,phone=13800000000",
    ])
    .ok();
    env.run(&[
        "customer",
        "note",
        &cus,
        "--contact",
        "王强",
        "--text",
        "回访",
    ])
    .ok();
    env.run(&["customer", "forget-contact", &cus, "李四"]).ok();
    let req = complaint(&env, &cus, "P2");
    env.run_as("li.na", &["advance", &req, "--note", "调查"])
        .ok();
    env.run_as(
        "li.na",
        &[
            "close",
            &req,
            "--outcome",
            "rejected",
            "--resolution",
            "非产品问题",
        ],
    )
    .ok();
    env.commit_all("work");
    let r = env.run(&["check", "--base", "main"]);
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());
    assert_eq!(env.run(&["fmt", "--check"]).code(), 0);

    // An edit entry that claims the contacts were something else before.
    let path = env.path_of(&cus);
    let text = std::fs::read_to_string(&path).unwrap();
    let at = text
        .rfind("    contacts:\n      old:")
        .expect("an edit of contacts");
    let line_end = text[at..].find("\n      new:").unwrap() + at;
    let forged = format!(
        "{}    contacts:\n      old: sha256:{}{}",
        &text[..at],
        "0".repeat(64),
        &text[line_end..]
    );
    std::fs::write(&path, forged).unwrap();
    env.commit_all("hand edit");
    let r = env.run(&["check", "--base", "main"]);
    assert_eq!(r.code(), 1, "{}{}", r.stdout(), r.stderr());
    assert!(r.stdout().contains("contacts"), "{}", r.stdout());
    env.git(&["reset", "-q", "--hard", "HEAD~1"]);

    // A phone number changed by hand, with no command.
    let path = env.path_of(&cus);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("13800000000", "13900000000")).unwrap();
    env.commit_all("hand edit");
    let r = env.run(&["check", "--base", "main"]);
    assert_eq!(r.code(), 1, "{}{}", r.stdout(), r.stderr());
    assert!(r.stdout().contains("contacts"), "{}", r.stdout());
    env.git(&["reset", "-q", "--hard", "HEAD~1"]);

    // A note's text rewritten by hand.
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("text: 回访", "text: 客户很满意")).unwrap();
    env.commit_all("hand edit");
    let r = env.run(&["check", "--base", "main"]);
    assert_eq!(r.code(), 1, "{}{}", r.stdout(), r.stderr());
    // The entry's hash no longer matches the text in the file.
    assert!(
        r.stdout().contains("`note`") && r.stdout().contains("text_sha256"),
        "{}",
        r.stdout()
    );
    env.git(&["reset", "-q", "--hard", "HEAD~1"]);

    // A complaint's resolution rewritten by hand.
    let path = env.path_of(&req);
    let text = std::fs::read_to_string(&path).unwrap();
    // Only the field: the entry still says what the command was given.
    std::fs::write(
        &path,
        text.replacen("resolution: 非产品问题", "resolution: 已解决", 1),
    )
    .unwrap();
    env.commit_all("hand edit");
    let r = env.run(&["check", "--base", "main"]);
    assert_eq!(r.code(), 1, "{}{}", r.stdout(), r.stderr());
    assert!(r.stdout().contains("resolution"), "{}", r.stdout());
}
