//! The parse cache is never the truth: edits, additions and deletions between runs are seen.

mod common;

use common::Env;

fn titles(env: &Env) -> Vec<String> {
    env.json(&["list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn edits_additions_and_deletions_between_runs_are_seen() {
    let env = Env::new();
    let cus = env.customer("ACME");
    let a = env.request(&cus, "alpha", &[]);
    let b = env.request(&cus, "bravo", &[]);
    let mut expect = vec!["alpha".to_string(), "bravo".to_string()];
    expect.sort();
    let mut got = titles(&env);
    got.sort();
    assert_eq!(got, expect);
    assert!(env.root().join(".presales/cache/requests.bin").exists());

    // Same size, same mtime (restored to the nanosecond): still re-read.
    let path = env.path_of(&a);
    let meta = std::fs::metadata(&path).unwrap();
    let mtime = meta.modified().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("title: alpha", "title: omega")).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().len(), meta.len());
    assert!(titles(&env).contains(&"omega".to_string()));

    // Deleted and added by hand.
    std::fs::remove_file(env.path_of(&b)).unwrap();
    let c = env.request(&cus, "charlie", &[]);
    let got = titles(&env);
    assert!(
        !got.contains(&"bravo".to_string()) && got.contains(&"charlie".to_string()),
        "{got:?}"
    );
    assert!(c.starts_with("REQ-"));

    // A corrupt cache is ignored and rebuilt.
    std::fs::write(env.root().join(".presales/cache/requests.bin"), b"garbage").unwrap();
    assert_eq!(titles(&env).len(), 2);
    // And deleting .presales loses nothing.
    std::fs::remove_dir_all(env.root().join(".presales")).unwrap();
    assert_eq!(titles(&env).len(), 2);
}

#[test]
fn a_file_broken_after_caching_is_reported_not_served_stale() {
    let env = Env::new();
    let cus = env.customer("ACME");
    let a = env.request(&cus, "alpha", &[]);
    assert_eq!(titles(&env), ["alpha"]);
    let path = env.path_of(&a);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("priority: P3", "priority: [")).unwrap();
    let r = env.run(&["list", "--format", "json"]);
    assert_eq!(r.code(), 1);
    assert!(r.stderr().contains(&format!("{a}.yaml:")), "{}", r.stderr());
    assert_eq!(r.stdout().trim(), "[]");
}

#[test]
fn a_warm_check_sees_every_change_since_the_last_run() {
    let env = Env::new();
    let cus = env.customer("ACME");
    let a = env.request(&cus, "alpha", &[]);
    assert_eq!(env.run(&["check"]).code(), 0);
    assert!(
        env.root()
            .join(".presales/cache/check-requests.bin")
            .exists()
    );
    let path = env.path_of(&a);
    let text = std::fs::read_to_string(&path).unwrap();
    // Same data, not canonical (header line dropped): found, with the line.
    std::fs::write(
        &path,
        text.lines().skip(1).collect::<Vec<_>>().join("\n") + "\n",
    )
    .unwrap();
    let r = env.run(&["check"]);
    assert_eq!(r.code(), 1);
    assert!(
        r.stdout().contains("not in canonical form"),
        "{}",
        r.stdout()
    );
    env.run(&["fmt"]).ok();
    assert_eq!(env.run(&["check"]).code(), 0);
    // A broken reference introduced by hand is found on the next warm run.
    std::fs::write(
        &path,
        text.replace(
            &format!("customer: {cus}"),
            "customer: CUS-20200101-0000000",
        ),
    )
    .unwrap();
    let r = env.run(&["check"]);
    assert!(r.stdout().contains("does not exist"), "{}", r.stdout());
}

/// A filtered list decodes only the summaries whose cached keys match: a request moved to
/// another stage by hand, or a stage changed and changed back, is still listed rightly.
#[test]
fn a_filtered_list_follows_hand_edits_of_the_fields_it_filters_on() {
    let env = Env::new();
    let cus = env.customer("ACME");
    let other = env.customer("Globex");
    let a = env.request(&cus, "alpha", &[]);
    let b = env.request(&other, "bravo", &[]);
    let ids = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["list"];
        all.extend(args);
        env.json(&all)
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&["--stage", "registered"]).len(), 2);
    assert_eq!(ids(&["--stage", "assigned"]), Vec::<String>::new());
    // Moved to `assigned` by hand (a new stamp): the cached key `registered` is not used.
    let path = env.path_of(&a);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("stage: registered", "stage: assigned")).unwrap();
    assert_eq!(ids(&["--stage", "assigned"]), vec![a.clone()]);
    assert_eq!(ids(&["--stage", "registered"]), vec![b.clone()]);
    assert_eq!(ids(&["--customer", "Globex"]), vec![b.clone()]);
    assert_eq!(
        ids(&["--customer", "ACME", "--stage", "assigned"]),
        vec![a.clone()]
    );
    assert_eq!(ids(&["--priority", "P3"]).len(), 2);
    // Every filter agrees with the unfiltered list filtered afterwards.
    let all = env.json(&["list"]);
    let in_stage: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["stage"] == "assigned")
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(in_stage, ids(&["--stage", "assigned"]));
}

/// The reports read requests from their own cache (facts): a hand edit between two reports
/// shows in the second, and a damaged facts cache is rebuilt with the same report.
#[test]
fn reports_follow_hand_edits_and_survive_a_damaged_facts_cache() {
    let env = Env::new();
    let cus = env.customer("ACME");
    let a = env.request(&cus, "alpha", &[]);
    env.request(&cus, "bravo", &[]);
    let weekly = || env.json(&["report", "weekly"]);
    let first = weekly();
    assert_eq!(first["summary"]["intake"], 2, "{first}");
    assert!(
        env.root()
            .join(".presales/cache/requests-facts.bin")
            .exists()
    );
    std::fs::remove_file(env.path_of(&a)).unwrap();
    assert_eq!(weekly()["summary"]["intake"], 1);
    let cache = env.root().join(".presales/cache/requests-facts.bin");
    let mut bytes = std::fs::read(&cache).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&cache, &bytes).unwrap();
    assert_eq!(weekly()["summary"]["intake"], 1);
}
