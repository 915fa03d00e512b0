//! Exit codes and the error lines as DESIGN §8 and the user guide give them: a closed pipe
//! ends quietly with 0, a failed git command shows its cause on a `caused by:` line, flag
//! values out of range are usage errors (2), presales.toml errors exit 1 naming the file.
//! (What every message says is pinned by the snapshots of `tests/snapshots.rs`.)

mod common;

use common::Env;

/// `presales list | head -0`: the reader closes the pipe before presales writes. A closed
/// pipe is not a failure: exit 0 and nothing on stderr, in every output path (a printed
/// table, the streamed table, JSON and CSV, a record shown).
#[test]
fn a_closed_pipe_ends_quietly_with_exit_0() {
    use std::process::Stdio;
    let env = Env::new();
    let cus = env.customer("华东银行");
    let mut last = String::new();
    for i in 0..12 {
        last = env.request(&cus, &format!("智慧园区 {i}"), &[]);
    }
    for args in [
        vec!["list"],
        vec!["list", "--format", "json"],
        vec!["list", "--format", "csv"],
        vec!["list", "--format", "yaml"],
        vec!["show", &last],
        vec!["customer", "list"],
    ] {
        let mut child = env
            .cmd()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end before presales writes anything.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}

/// A git command that fails says which one, then why, on a `caused by:` line.
#[test]
fn a_failed_git_commit_shows_its_cause() {
    let env = Env::new();
    let hook = env.root().join(".git/hooks/pre-commit");
    std::fs::write(
        &hook,
        "#!/bin/sh\necho 'the hook refuses this commit' >&2\nexit 1\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let err = env
        .run(&["--commit", "customer", "new", "--name", "华东银行"])
        .err();
    let lines: Vec<&str> = err.lines().collect();
    let error = lines
        .iter()
        .position(|l| l.starts_with("error: git commit -- customers/"));
    let cause = lines
        .iter()
        .position(|l| *l == "caused by: the hook refuses this commit");
    assert!(
        matches!((error, cause), (Some(e), Some(c)) if c == e + 1),
        "{err}"
    );
    assert!(!err.contains("caused by: cannot run git"), "{err}");
}

/// Flag values out of range are refused at the edge, by clap: exit 2, before the store is
/// even opened, with the range in the message.
#[test]
fn flags_out_of_range_are_usage_errors() {
    let env = Env::new();
    let cus = env.customer("华东银行");
    let req = env.request(&cus, "智慧园区", &[]);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "close",
                &req,
                "--outcome",
                "won",
                "--summary",
                "s",
                "--satisfaction",
                "9",
            ],
            "must be 1–5, got 9",
        ),
        (
            vec!["rate", &req, "--satisfaction", "0"],
            "must be 1–5, got 0",
        ),
        (
            vec![
                "assess",
                &req,
                "--feasibility",
                "feasible",
                "--difficulty",
                "6",
            ],
            "must be 1–5, got 6",
        ),
        (
            vec!["close", &req, "--outcome", "maybe", "--summary", "s"],
            "maybe",
        ),
        (
            vec![
                "new",
                "--title",
                "t",
                "--customer",
                &cus,
                "--priority",
                "P9",
            ],
            "P9",
        ),
        (
            vec!["kb", "search", "x", "--limit", "0"],
            "must be 1 or more, got 0",
        ),
        (
            vec!["search", "x", "--limit", "-3"],
            "must be 1 or more, got -3",
        ),
        (vec!["kb", "suggest", &req, "--limit", "many"], "`many`"),
        (vec!["kb", "list", "--category", "manual"], "product_manual"),
        (
            vec!["search", "x", "--kind", "contract"],
            "article, request",
        ),
        (
            vec!["feedback", &req, "--item", "0", "--disposition", "done"],
            "got 0",
        ),
    ];
    for (args, expect) in cases {
        let r = env.run(&args);
        let err = r.usage();
        assert!(err.contains(expect), "{args:?}: {err}");
        common::clean(&format!("{args:?}"), &r);
    }
}

/// A presales.toml that does not parse, or whose problems stop a write, is a configuration
/// error: exit 1, the file and line named, and no cause printed twice.
#[test]
fn config_errors_exit_1_with_the_file_named() {
    let env = Env::new();
    let path = env.root().join("presales.toml");
    let good = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{good}\n[sla\n")).unwrap();
    let err = env.run(&["list"]).err();
    assert!(
        err.starts_with("error: ")
            && err.contains(&format!("presales.toml:{}:", good.lines().count() + 2)),
        "{err}"
    );
    // Parses, but two members are the same person: reading goes on, writing refuses.
    std::fs::write(
        &path,
        format!("{good}\n[[members]]\nid = \"Li.Na\"\nname = \"重名\"\n"),
    )
    .unwrap();
    let r = env.run(&["customer", "new", "--name", "华东银行"]);
    let err = r.err();
    assert!(
        err.contains("nothing is written until presales.toml is fixed"),
        "{err}"
    );
    let errors = err.lines().filter(|l| l.starts_with("error:")).count();
    assert_eq!(errors, 1, "{err}");
}

/// `presales show X 2>&-`: with stderr closed the error cannot be read, but the command
/// still ends with its own exit code, not a panic (101).
#[test]
fn a_closed_stderr_keeps_the_exit_code() {
    use std::process::Stdio;
    let env = Env::new();
    for (args, code) in [(vec!["show", "ZZZZ"], 1), (vec!["list"], 0)] {
        let mut child = env
            .cmd()
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "{args:?}");
    }
}
