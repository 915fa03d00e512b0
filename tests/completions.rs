//! Shell completion (issue 18, item 6): the registration script, and dynamic candidates
//! read from the store: record IDs with titles, members, stages, enum values.

mod common;

use common::Env;

fn complete(env: &Env, words: &[&str]) -> Vec<String> {
    let mut args = vec!["--", "presales"];
    args.extend_from_slice(words);
    let out = env
        .cmd()
        .env("COMPLETE", "fish")
        .args(&args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('\t').next().unwrap_or("").to_string())
        .collect()
}

#[test]
fn completion_offers_ids_members_stages_and_values() {
    let env = Env::new();
    let cus = env.customer("华东银行");
    let req = env.request(&cus, "灾备方案", &[]);
    let script = env.run(&["completions", "bash"]).ok();
    assert!(script.contains("COMPLETE"), "{script}");
    assert!(complete(&env, &["show", "REQ-"]).contains(&req));
    assert!(complete(&env, &["customer", "show", "CUS-"]).contains(&cus));
    let members = complete(&env, &["assign", &req, "--to", ""]);
    assert!(members.contains(&"li.na".to_string()), "{members:?}");
    let stages = complete(&env, &["list", "--stage", ""]);
    assert!(stages.contains(&"analysis".to_string()), "{stages:?}");
    let outcomes = complete(&env, &["close", &req, "--outcome", ""]);
    assert!(outcomes.contains(&"resolved".to_string()), "{outcomes:?}");
    // Outside a store nothing breaks: the flags still complete.
    let bare = Env::bare();
    let flags = complete(&bare, &["list", "--st"]);
    assert!(flags.contains(&"--stage".to_string()), "{flags:?}");
}
