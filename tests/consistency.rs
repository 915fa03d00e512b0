//! Consistency (issue 18, item 7): IDs of any kind by unique prefix or suffix, ambiguity
//! listing five candidates with titles and a count, and every `--format` valid for what it
//! prints (YAML is YAML, CSV is CSV).

mod common;

use common::Env;

#[test]
fn show_finds_any_kind_by_its_suffix_and_lists_ambiguity_with_titles() {
    let env = Env::new();
    let cus = env.customer("华东银行");
    let art = env
        .run(&[
            "kb",
            "new",
            "--title",
            "派工原则",
            "--category",
            "faq",
            "--body",
            "轮流",
        ])
        .ok();
    // An article's suffix alone, no kind given.
    let out = env.run(&["show", &art[art.len() - 6..]]).ok();
    assert!(out.contains("派工原则"), "{out}");
    let out = env.run(&["show", &cus[cus.len() - 6..]]).ok();
    assert!(out.contains("华东银行"), "{out}");
    // Seven requests share the prefix of their day: five are listed with titles, and a count.
    for i in 0..7 {
        env.request(&cus, &format!("需求 {i}"), &[]);
    }
    let r = env.run(&["show", "REQ-20261127"]);
    common::clean("ambiguous", &r);
    let err = r.stderr();
    assert!(err.contains("7 records"), "{err}");
    assert!(err.contains("and 2 more"), "{err}");
    assert_eq!(err.matches("(需求 ").count(), 5, "{err}");
    assert!(err.contains("type more characters"), "{err}");
    let r = env.run(&["show", "ZZZZZZZ"]);
    common::clean("no such record", &r);
    assert!(r.stderr().contains("no record matches"), "{}", r.stderr());
}

#[test]
fn every_format_is_what_it_says() {
    let env = Env::new();
    let cus = env.customer("华东银行");
    let req = env.request(&cus, "灾备方案", &[]);
    env.run_as("zhang.wei", &["assign", &req, "--to", "li.na"])
        .ok();
    let art = env
        .run(&[
            "kb",
            "new",
            "--title",
            "派工原则",
            "--category",
            "faq",
            "--body",
            "轮流",
        ])
        .ok();

    let yaml = env
        .run(&["show", &req, "--history", "--format", "yaml"])
        .ok();
    assert!(yaml.starts_with("- "), "a YAML list: {yaml}");
    assert!(yaml.contains("action: assign"), "{yaml}");
    assert!(
        !yaml.contains(&format!("{req}  ")),
        "not the table lines: {yaml}"
    );
    let csv = env
        .run(&["show", &req, "--history", "--format", "csv"])
        .ok();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("record,at,by,action,from,to,note"));
    assert!(lines.all(|l| l.starts_with(&req)), "{csv}");
    let json: serde_json::Value = serde_json::from_str(
        &env.run(&["show", &req, "--history", "--format", "json"])
            .ok(),
    )
    .unwrap();
    assert_eq!(json[1]["action"], "assign");

    let csv = env.run(&["kb", "show", &art, "--format", "csv"]).ok();
    assert!(csv.starts_with("ID,STATUS,CATEGORY,TITLE"), "{csv}");
    assert!(csv.contains("派工原则"), "{csv}");
    // JSON keeps Chinese as it is, never \\u-escaped.
    let json = env.run(&["kb", "show", &art, "--format", "json"]).ok();
    assert!(json.contains("派工原则") && !json.contains("\\u"), "{json}");
}
