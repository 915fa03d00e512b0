//! A knowledge base that stays alive (issue 16, part 1): review cycles (`review_every`,
//! `[kb] review_every`), `kb review`, `kb flag` on the request or the article, the private
//! log of unanswered searches, and what `report kb` and `inbox` make of them; the gate on
//! reviews and flags.

mod common;

use common::Env;
use serde_json::Value;

fn article(env: &Env, title: &str, body: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "kb",
        "new",
        "--title",
        title,
        "--category",
        "faq",
        "--body",
        body,
    ];
    args.extend_from_slice(extra);
    let id = env.run_as("wang.fang", &args).ok();
    env.run_as("wang.fang", &["kb", "publish", &id]).ok();
    id
}

#[test]
fn a_new_article_is_due_one_cycle_after_it_is_written() {
    let env = Env::new();
    // The init template sets [kb] review_every = "180d"; PRESALES_NOW is 2026-11-27.
    let a = article(&env, "派工原则说明", "依次轮流", &[]);
    assert!(
        env.read(&a).contains("review_by: \"2027-05-26\""),
        "{}",
        env.read(&a)
    );
    let b = article(&env, "VPN 配置", "IPsec", &["--review-every", "2w"]);
    let text = env.read(&b);
    assert!(text.contains("review_by: \"2026-12-11\""), "{text}");
    assert!(text.contains("review_every: 2w"), "{text}");
    // An explicit date wins over the cycle.
    let c = article(&env, "灾备", "两地三中心", &["--review-by", "2026-12-31"]);
    assert!(env.read(&c).contains("review_by: \"2026-12-31\""));
    let r = env.run(&[
        "kb",
        "new",
        "--title",
        "x",
        "--category",
        "faq",
        "--review-every",
        "often",
    ]);
    common::clean("bad cycle", &r);
    assert!(r.stderr().contains("180d"), "{}", r.stderr());
}

#[test]
fn a_review_moves_the_date_and_answers_the_flags_before_it() {
    let mut env = Env::new();
    let a = article(&env, "派工原则说明", "依次轮流", &[]);
    let cus = env.customer("华东银行");
    let req = env.request(&cus, "灾备方案", &[]);
    env.run_as(
        "li.na",
        &["kb", "flag", &a, "--request", &req, "--note", "第三步过时"],
    )
    .ok();
    env.run_as("sun.li", &["kb", "flag", &a, "--note", "截图是旧版"])
        .ok();
    // The flag found in a request is kept on the request: the article stays untouched by it.
    let req_text = env.read(&req);
    assert!(req_text.contains("article_flags:"), "{req_text}");
    assert!(req_text.contains("note: 第三步过时"), "{req_text}");
    assert!(!env.read(&a).contains("第三步过时"));
    assert!(env.read(&a).contains("note: 截图是旧版"));

    let show = env.json(&["kb", "show", &a]);
    let open: Vec<bool> = show["flags_raised"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["open"].as_bool().unwrap())
        .collect();
    assert_eq!(open, [true, true], "{show}");
    // The owner (the author) sees it in the inbox.
    let inbox = env.run(&["inbox", "--as", "wang.fang"]).ok();
    assert!(
        inbox.contains("article flagged") && inbox.contains("2 problems"),
        "{inbox}"
    );

    env.now = "2026-12-01T10:00:00+08:00".into();
    env.run_as(
        "wang.fang",
        &["kb", "review", &a, "--note", "更新了截图", "--every", "90d"],
    )
    .ok();
    let text = env.read(&a);
    assert!(text.contains("review_by: \"2027-03-01\""), "{text}");
    assert!(text.contains("review_every: 90d"), "{text}");
    assert!(text.contains("action: review"), "{text}");
    let show = env.json(&["kb", "show", &a]);
    assert!(
        show["flags_raised"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["open"] == false),
        "{show}"
    );
    let inbox = env.run(&["inbox", "--as", "wang.fang"]).ok();
    assert!(!inbox.contains("article flagged"), "{inbox}");
    // The next review uses the article's own cycle.
    env.now = "2027-01-10T10:00:00+08:00".into();
    env.run_as("wang.fang", &["kb", "review", &a]).ok();
    assert!(env.read(&a).contains("review_by: \"2027-04-10\""));
}

#[test]
fn bad_reviews_and_flags_are_refused_and_write_nothing() {
    let env = Env::new();
    let a = article(&env, "派工原则说明", "依次轮流", &[]);
    let r = env.run(&["kb", "flag", &a, "--note", "  "]);
    common::clean("empty note", &r);
    assert!(r.stderr().contains("note"), "{}", r.stderr());
    let r = env.run(&["kb", "flag", &a, "--request", "REQ-NOPE", "--note", "x"]);
    common::clean("unknown request", &r);
    let r = env.run(&["kb", "review", "KB-NOPE"]);
    common::clean("unknown article", &r);
    assert!(!env.read(&a).contains("flag"), "nothing written");
    env.run(&["kb", "archive", &a]).ok();
    let before = env.read(&a);
    let r = env.run(&["kb", "review", &a]);
    common::clean("archived", &r);
    assert!(r.stderr().contains("kb publish"), "{}", r.stderr());
    assert_eq!(env.read(&a), before);
}

#[test]
fn without_a_cycle_a_review_asks_for_one() {
    let env = Env::new();
    let toml = std::fs::read_to_string(env.root().join("presales.toml")).unwrap();
    std::fs::write(
        env.root().join("presales.toml"),
        toml.replace("review_every = \"180d\"", ""),
    )
    .unwrap();
    let a = article(&env, "派工原则说明", "依次轮流", &[]);
    assert!(!env.read(&a).contains("review_by"), "no cycle, no date");
    let r = env.run(&["kb", "review", &a]);
    common::clean("no cycle", &r);
    assert!(r.stderr().contains("--every"), "{}", r.stderr());
    env.run(&["kb", "review", &a, "--every", "1y"]).ok();
    assert!(env.read(&a).contains("review_by: \"2027-11-27\""));
}

#[test]
fn unanswered_searches_are_counted_privately_and_reported() {
    let env = Env::new();
    article(&env, "派工原则说明", "派工依次轮流，机会均等", &[]);
    env.run(&["kb", "search", "派工原则"]).ok();
    for q in ["VPN 隧道 超时", "vpn   隧道 超时", "派工 VPN 隧道 超时"] {
        env.run(&["kb", "search", q]);
    }
    env.run(&["search", "报价 折扣 审批"]);
    let log = std::fs::read_to_string(env.root().join(".presales/searches.json")).unwrap();
    assert!(log.contains("vpn 隧道 超时"), "{log}");
    assert!(
        !log.contains("派工原则"),
        "answered searches are not listed: {log}"
    );
    // Never committed: .presales is ignored.
    assert!(
        env.git(&["status", "--porcelain"])
            .lines()
            .all(|l| !l.contains(".presales"))
    );
    let r = env.json(&["report", "kb"]);
    assert_eq!(r["searches"], 5, "{r}");
    let top: Vec<(String, u64)> = r["unanswered_searches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["query"].as_str().unwrap().to_string(),
                u["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(top[0], ("vpn 隧道 超时".to_string(), 2), "{top:?}");
    assert_eq!(top.len(), 3, "{top:?}");
    // A damaged log is derived data: searches go on and start a new one.
    std::fs::write(env.root().join(".presales/searches.json"), "{not json").unwrap();
    env.run(&["kb", "search", "无此内容 完全没有"]);
    assert_eq!(env.json(&["report", "kb"])["searches"], 1);
}

#[test]
fn report_kb_lists_overdue_by_owner_open_flags_unused_and_won_with() {
    let mut env = Env::new();
    env.now = "2026-06-01T10:00:00+08:00".into();
    let old = article(&env, "旧手册", "内容", &[]);
    let used = article(&env, "派工原则说明", "依次轮流", &["--owner", "li.na"]);
    env.now = "2026-11-20T10:00:00+08:00".into();
    let cus = env.customer("华东银行");
    let req = env.request(&cus, "咨询", &["--type", "consultation"]);
    env.run_as("zhang.wei", &["assign", &req, "--to", "li.na"])
        .ok();
    env.run_as("li.na", &["kb", "use", &used, "--request", &req])
        .ok();
    env.run_as(
        "li.na",
        &[
            "kb",
            "flag",
            &used,
            "--request",
            &req,
            "--note",
            "缺少第四步",
        ],
    )
    .ok();
    env.run_as("li.na", &["advance", &req, "--note", "答复"])
        .ok();
    env.run_as(
        "li.na",
        &["close", &req, "--outcome", "won", "--summary", "ok"],
    )
    .ok();
    env.now = "2026-12-15T10:00:00+08:00".into();
    let r: Value = env.json(&["report", "kb"]);
    let owners: Vec<(&str, usize)> = r["overdue_by_owner"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["owner"].as_str().unwrap(),
                o["articles"].as_array().unwrap().len(),
            )
        })
        .collect();
    // Both were written 2026-06-01 with a 180-day cycle: due 2026-11-28.
    assert_eq!(owners, [("li.na", 1), ("wang.fang", 1)], "{r}");
    let flags = r["open_flags"].as_array().unwrap();
    assert_eq!(flags.len(), 1, "{r}");
    assert_eq!(flags[0]["article"], used.as_str());
    assert_eq!(flags[0]["request"], req.as_str());
    assert_eq!(flags[0]["owner"], "li.na");
    let unused: Vec<&str> = r["unused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(unused, [old.as_str()]);
    let won: Vec<(&str, u64)> = r["won_with"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["id"].as_str().unwrap(), w["won"].as_u64().unwrap()))
        .collect();
    assert_eq!(won, [(used.as_str(), 1)]);
    let text = env.run(&["report", "kb"]).ok();
    for heading in [
        "Overdue reviews by owner",
        "Open flags",
        "Unanswered searches",
        "Unused articles",
        "Articles used by won deals",
    ] {
        assert!(text.contains(heading), "{heading}\n{text}");
    }
    // As of before the flag, it was not raised yet.
    let r = env.json(&["report", "kb", "--as-of", "2026-11-19"]);
    assert!(r["open_flags"].as_array().unwrap().is_empty(), "{r}");
}

// ── The gate ──────────────────────────────────────────────────────────────────

fn gate(env: &Env) -> common::Run {
    env.run(&["check", "--base", "main"])
}

#[test]
fn reviews_and_flags_made_by_commands_pass_the_gate_and_forged_ones_do_not() {
    let mut env = Env::new();
    let a = article(&env, "派工原则说明", "依次轮流", &[]);
    let cus = env.customer("华东银行");
    let req = env.request(&cus, "灾备方案", &[]);
    env.commit_all("main");
    env.git(&["checkout", "-q", "-b", "pr"]);
    env.now = "2026-11-28T10:00:00+08:00".into();
    env.run_as(
        "li.na",
        &["kb", "flag", &a, "--request", &req, "--note", "第三步过时"],
    )
    .ok();
    env.run_as("wang.fang", &["kb", "review", &a, "--note", "改好了"])
        .ok();
    env.commit_all("upkeep");
    let r = gate(&env);
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());
    assert_eq!(env.run(&["fmt", "--check"]).code(), 0);

    // A review date moved by hand, without a review.
    let path = env.path_of(&a);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("review_by: \"2027-05-27\"", "review_by: \"2030-01-01\""),
    )
    .unwrap();
    env.commit_all("hand edit");
    let r = gate(&env);
    assert_eq!(r.code(), 1, "{}{}", r.stdout(), r.stderr());
    assert!(r.stdout().contains("review_by"), "{}", r.stdout());
    env.git(&["reset", "-q", "--hard", "HEAD~1"]);

    // A flag's note rewritten by hand.
    let path = env.path_of(&req);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("note: 第三步过时\n  at", "note: 全部都错\n  at"),
    )
    .unwrap();
    env.commit_all("hand edit");
    let r = gate(&env);
    assert_eq!(r.code(), 1, "{}{}", r.stdout(), r.stderr());
    assert!(r.stdout().contains("article_flags"), "{}", r.stdout());
}
