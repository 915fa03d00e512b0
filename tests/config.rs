//! presales.toml validated when the store opens (issue 12, item 6): reading commands and
//! `check` still run on a store whose presales.toml has problems, `check` lists each one as
//! `presales.toml:LINE:COL`, every write is refused naming the first, and no report panics
//! or prints NaN on an SLA limit of `inf` (issue 11, item 9).

mod common;

use common::Env;

/// A committed store with one request, on branch `main`.
fn store() -> (Env, String) {
    let env = Env::new();
    let cus = env.customer("华东银行");
    let req = env.request(&cus, "智慧园区网络改造", &[]);
    env.commit_all("a request");
    (env, req)
}

fn config(env: &Env) -> String {
    std::fs::read_to_string(env.root().join("presales.toml")).unwrap()
}

/// Rewrites presales.toml: each `(from, to)` replaced once (each must be there).
fn edit_config(env: &Env, edits: &[(&str, &str)]) -> String {
    let mut text = config(env);
    for (from, to) in edits {
        assert!(text.contains(from), "presales.toml has no `{from}`");
        text = text.replacen(from, to, 1);
    }
    std::fs::write(env.root().join("presales.toml"), &text).unwrap();
    text
}

/// The 1-based line of `text` that starts with `prefix`, after the line starting with `after`.
fn line_of(text: &str, after: &str, prefix: &str) -> usize {
    let start = text.lines().position(|l| l.starts_with(after)).unwrap();
    start
        + text
            .lines()
            .skip(start)
            .position(|l| l.starts_with(prefix))
            .unwrap()
        + 1
}

/// Whether `out` prints a number that is not one: `NaN`, `inf` or `-inf` as a word.
fn prints_non_finite(out: &str) -> bool {
    out.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
        .any(|w| matches!(w, "NaN" | "nan" | "inf" | "Infinity" | ".inf" | ".nan"))
}

const BROKEN: &[(&str, &str)] = &[
    (
        "[sla.P1]\nfirst_response_hours = 2\nresolution_hours = 40",
        "[sla.P1]\nfirst_response_hours = 2\nresolution_hours = inf",
    ),
    ("paused_stages = []", "paused_stages = [\"waiting\"]"),
];

#[test]
fn a_store_with_problems_still_reads_and_checks_but_refuses_every_write() {
    let (env, req) = store();
    let mut text = edit_config(&env, BROKEN);
    text.push_str("\n[[members]]\nid = \"Li.Na\"\nname = \"重名\"\n");
    std::fs::write(env.root().join("presales.toml"), &text).unwrap();
    let sla = line_of(&text, "[sla.P1]", "resolution_hours");
    let paused = line_of(&text, "[workflow]", "paused_stages");
    let dup = line_of(&text, "", "id = \"Li.Na\"");
    let first_li_na = line_of(&text, "", "id = \"li.na\"");

    // Reading: one warning line on stderr, naming the first problem and counting the rest.
    let r = env.run(&["list"]);
    assert!(r.ok().contains(&req));
    let stderr = r.stderr();
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(
        warnings,
        [format!(
            "warning: presales.toml:{sla}:20: sla.P1.resolution_hours must be a positive number of hours, got inf (and 2 more problems); writing commands refuse until it is fixed (`presales check` lists every problem)"
        )
        .as_str()],
        "{stderr}"
    );

    // check: every problem, at its line and column.
    let r = env.run(&["check"]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    let out = r.stdout();
    for want in [
        format!(
            "presales.toml:{sla}:20: error: sla.P1.resolution_hours must be a positive number of hours, got inf"
        ),
        format!(
            "presales.toml:{paused}:18: error: workflow.paused_stages: `waiting` is not a stage of any request type (stages: registered, assigned, analysis, design, demo, review, approved, handover, closed, investigating, resolved, answered)"
        ),
        format!(
            "presales.toml:{dup}:6: error: duplicate member id `Li.Na` (also on line {first_li_na}, as `li.na`)"
        ),
    ] {
        assert!(out.contains(&want), "missing {want}\nin:\n{out}");
    }
    assert_eq!(out.lines().count(), 3, "{out}");

    // Every write: refused before anything is written, naming the first problem.
    let before = env.read(&req);
    for args in [
        vec!["comment", req.as_str(), "催一下"],
        vec!["customer", "new", "--name", "新客户"],
        vec!["fmt"],
        vec!["migrate"],
        vec![
            "team",
            "away",
            "li.na",
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-02",
        ],
    ] {
        let err = env.run(&args).err();
        assert!(
            err.contains(&format!(
                "error: presales.toml:{sla}:20: sla.P1.resolution_hours must be a positive number of hours, got inf (and 2 more problems); nothing is written until presales.toml is fixed"
            )),
            "{args:?}: {err}"
        );
        assert!(err.contains("hint: fix presales.toml by hand"), "{err}");
    }
    assert_eq!(env.read(&req), before);
    assert_eq!(config(&env), text);
    assert_eq!(env.git(&["status", "--porcelain", "--", "customers"]), "");

    // Reading commands and migrate's plan still run; no report prints an infinite limit.
    for args in [
        vec!["show", req.as_str()],
        vec!["report", "weekly"],
        vec!["report", "weekly", "--format", "json"],
        vec!["report", "sla"],
        vec!["report", "sla", "--format", "csv"],
        vec!["sla"],
        vec!["report", "performance"],
        vec!["customer", "list"],
        vec!["migrate", "--check"],
    ] {
        let r = env.run(&args);
        assert_eq!(r.code(), 0, "{args:?}: {}", r.stderr());
        assert!(!prints_non_finite(&r.stdout()), "{args:?}: {}", r.stdout());
    }
}

#[test]
fn each_bad_sla_limit_is_a_finding_naming_file_line_and_value() {
    let (env, req) = store();
    // P2's limit is the one located below; the request is P3, whose limit goes bad too.
    let original = config(&env);
    for v in ["inf", "+inf", "-inf", "nan", "0", "-2", "0.0", "1e9"] {
        std::fs::write(env.root().join("presales.toml"), &original).unwrap();
        let text = edit_config(
            &env,
            &[
                (
                    "[sla.P2]\nfirst_response_hours = 8",
                    &format!("[sla.P2]\nfirst_response_hours = {v}"),
                ),
                (
                    "[sla.P3]\nfirst_response_hours = 24",
                    &format!("[sla.P3]\nfirst_response_hours = {v}"),
                ),
            ],
        );
        let line = line_of(&text, "[sla.P2]", "first_response_hours");
        let rule = if v == "1e9" {
            "must be at most 100000 hours"
        } else {
            "must be a positive number of hours"
        };
        let r = env.run(&["check"]);
        assert_eq!(r.code(), 1, "{v}: {}", r.stderr());
        assert!(
            r.stdout().contains(&format!(
                "presales.toml:{line}:24: error: sla.P2.first_response_hours {rule}, got {v}\n"
            )),
            "{v}: {}",
            r.stdout()
        );
        for args in [
            vec!["report", "weekly"],
            vec!["report", "sla"],
            vec!["sla"],
            vec!["show", req.as_str()],
        ] {
            let r = env.run(&args);
            assert_eq!(r.code(), 0, "{v} {args:?}: {}", r.stderr());
            assert!(
                !prints_non_finite(&r.stdout()),
                "{v} {args:?}: {}",
                r.stdout()
            );
        }
        // The request (P3) is measured as if its priority had no first-response limit.
        let r = env.run(&["report", "sla", "--format", "json"]);
        let json: serde_json::Value = serde_json::from_str(&r.ok()).unwrap();
        assert!(json.to_string().contains("\"no_limit\""), "{v}: {json}");
    }
}

#[test]
fn a_pull_request_that_breaks_presales_toml_fails_check_base_naming_each_value() {
    let (env, _req) = store();
    env.git(&["checkout", "-q", "-b", "pr"]);
    let text = edit_config(
        &env,
        &[
            (
                "[sla.P4]\nfirst_response_hours = 40\nresolution_hours = 320",
                "[sla.P4]\nfirst_response_hours = nan\nresolution_hours = -2",
            ),
            ("min_reviewers = 2", "min_reviewers = 0"),
            (
                "approved = [\"review_passed\", \"approval\"]",
                "approved = [\"review_passed\", \"approval\"]\nwaiting = [\"answer\"]",
            ),
        ],
    );
    env.commit_all("a new rule");
    let r = env.run(&["check", "--base", "main"]);
    assert_eq!(r.code(), 1, "{}\n{}", r.stdout(), r.stderr());
    let out = r.stdout();
    let p4 = line_of(&text, "[sla.P4]", "first_response_hours");
    let min = line_of(&text, "[workflow]", "min_reviewers");
    let waiting = line_of(&text, "[workflow.guards]", "waiting");
    for want in [
        format!(
            "presales.toml:{p4}:24: error: sla.P4.first_response_hours must be a positive number of hours, got nan"
        ),
        format!(
            "presales.toml:{}:20: error: sla.P4.resolution_hours must be a positive number of hours, got -2",
            p4 + 1
        ),
        format!(
            "presales.toml:{min}:17: error: workflow.min_reviewers must be at least 1 (a review needs a reviewer), got 0"
        ),
        format!(
            "presales.toml:{waiting}:1: error: workflow.guards: `waiting` is not a stage of any request type"
        ),
    ] {
        assert!(out.contains(&want), "missing {want}\nin:\n{out}");
    }
    // The same in GitHub's annotation format.
    let r = env.run(&["check", "--base", "main", "--format", "github"]);
    assert_eq!(r.code(), 1);
    assert!(
        r.stdout().contains(&format!(
            "::error file=presales.toml,line={p4},col=24::sla.P4.first_response_hours must be a positive number of hours, got nan"
        )),
        "{}",
        r.stdout()
    );
}

#[test]
fn team_add_cannot_bring_a_problem_into_presales_toml() {
    let (env, _req) = store();
    let before = config(&env);
    // `.x` passes team add's own check of the characters, not the plain-name rule.
    let err = env
        .run_as(
            "zhang.wei",
            &["team", "add", ".x", "--name", "X", "--role", "engineer"],
        )
        .err();
    assert!(
        err.contains(
            "refused: presales.toml would have a problem: member id `.x` is not a plain name (letters, digits, . _ -): it starts with `.`"
        ),
        "{err}"
    );
    assert_eq!(config(&env), before);
    // A plain name is added as before.
    env.run_as(
        "zhang.wei",
        &[
            "team", "add", "zhou.min", "--name", "周敏", "--role", "engineer",
        ],
    )
    .ok();
    assert!(config(&env).contains("id = \"zhou.min\""));
    let r = env.run(&["check"]);
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());
}

#[test]
fn a_store_without_problems_warns_about_nothing() {
    let (env, req) = store();
    let r = env.run(&["show", &req]);
    r.ok();
    assert!(!r.stderr().contains("warning"), "{}", r.stderr());
    let r = env.run(&["check"]);
    assert_eq!(r.code(), 0, "{}", r.stdout());
}
