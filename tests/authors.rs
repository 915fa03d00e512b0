//! Who did it: `check --base REF --verify-authors` and `--verify-signatures` on real branches,
//! each commit authored (and signed) by the member whose entries it adds, or not.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::Env;

fn email(who: &str) -> String {
    format!("{who}@example.com")
}

/// git with `email` as author and committer (Env::git commits as `t@example.com`).
fn git_as(env: &Env, email: &str, args: &[&str]) -> Output {
    Command::new("git")
        .current_dir(env.root())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", email)
        .env("GIT_AUTHOR_EMAIL", email)
        .env("GIT_COMMITTER_NAME", email)
        .env("GIT_COMMITTER_EMAIL", email)
        .args(args)
        .output()
        .unwrap()
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Commits everything as `who` (a team member's id).
fn commit_as(env: &Env, who: &str, msg: &str) {
    env.git(&["add", "-A"]);
    ok(git_as(env, &email(who), &["commit", "-qm", msg]));
}

fn with_driver(env: &Env) {
    env.git(&[
        "config",
        "merge.presales.driver",
        &format!("{} merge-file %O %A %B %P", env!("CARGO_BIN_EXE_presales")),
    ]);
}

/// A registered request on main, committed there; then a branch `pr`.
fn request_on_a_branch(env: &Env) -> String {
    with_driver(env);
    let cus = env.customer("华东银行");
    let id = env.request(&cus, "智慧园区", &["--skill", "network"]);
    env.commit_all("request");
    env.git(&["checkout", "-q", "-b", "pr"]);
    id
}

fn verify(env: &Env, flag: &str) -> common::Run {
    env.run(&["check", "--base", "main", flag])
}

/// The finding lines of `out` about `path` that contain `text`.
fn findings<'a>(out: &'a str, path: &str, text: &str) -> Vec<&'a str> {
    out.lines()
        .filter(|l| l.starts_with(&format!("{path}:")) && l.contains(text))
        .collect()
}

/// The entry a finding line points at: the lines from `path:LINE` to the next entry.
fn entry_at(root: &Path, finding: &str) -> String {
    let mut parts = finding.split(':');
    let (path, line) = (parts.next().unwrap(), parts.next().unwrap());
    let line: usize = line.parse().unwrap();
    let text = std::fs::read_to_string(root.join(path)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[line - 1].starts_with("- "),
        "{finding}: {}",
        lines[line - 1]
    );
    let rest: Vec<&str> = lines[line..]
        .iter()
        .take_while(|l| l.starts_with("  "))
        .copied()
        .collect();
    format!("{}\n{}", lines[line - 1], rest.join("\n"))
}

#[test]
fn entries_each_committed_by_their_member_pass_also_after_merging_main() {
    let mut env = Env::new();
    let id = request_on_a_branch(&env);
    // The driver unites histories in time order; main's entry is the earlier one here, as
    // `check --base` wants the base's entries to stay where they were.
    env.now = "2026-11-27T11:00:00+08:00".into();
    env.run_as("zhang.wei", &["assign", &id, "--to", "li.na"])
        .ok();
    commit_as(&env, "zhang.wei", "assign");
    env.run_as(
        "li.na",
        &[
            "assess",
            &id,
            "--feasibility",
            "feasible",
            "--difficulty",
            "3",
        ],
    )
    .ok();
    commit_as(&env, "li.na", "assess");
    env.run_as("chen.jing", &["comment", &id, "看过了"]).ok();
    commit_as(&env, "chen.jing", "comment");
    let r = verify(&env, "--verify-authors");
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());

    // Main moves on; the branch merges it (through the driver): the merge adds nothing.
    env.git(&["checkout", "-q", "main"]);
    env.now = "2026-11-27T10:30:00+08:00".into();
    env.run_as("zhao.lei", &["comment", &id, "客户催进度"]).ok();
    commit_as(&env, "zhao.lei", "main: comment");
    env.now = "2026-11-27T12:00:00+08:00".into();
    env.git(&["checkout", "-q", "pr"]);
    env.git(&["merge", "-q", "--no-edit", "main"]);
    assert_eq!(
        env.git(&["rev-list", "--parents", "-n1", "HEAD"])
            .split(' ')
            .count(),
        3
    );
    let r = verify(&env, "--verify-authors");
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());
    // More work after the merge is judged as before.
    env.run_as("li.na", &["comment", &id, "已回复"]).ok();
    commit_as(&env, "li.na", "comment after merge");
    let r = verify(&env, "--verify-authors");
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());

    // An entry written while merging comes from the merge commit, whoever authored it.
    env.git(&["checkout", "-q", "main"]);
    env.now = "2026-11-27T10:40:00+08:00".into();
    env.run_as("zhao.lei", &["comment", &id, "再催"]).ok();
    commit_as(&env, "zhao.lei", "main: another comment");
    env.git(&["checkout", "-q", "pr"]);
    env.git(&["merge", "-q", "--no-commit", "--no-ff", "main"]);
    env.now = "2026-11-27T13:00:00+08:00".into();
    env.run_as("chen.jing", &["comment", &id, "合并时写的"])
        .ok();
    commit_as(&env, "chen.jing", "merge main");
    let out = verify(&env, "--verify-authors").stdout();
    let hash = env.git(&["rev-parse", "--short=7", "HEAD"]);
    let lines = findings(
        &out,
        &format!("requests/2026/{id}.yaml"),
        &format!(
            "(comment by chen.jing) first appears in merge commit {}; entries must come from \
             ordinary commits",
            hash.trim()
        ),
    );
    assert_eq!(lines.len(), 1, "{out}");
}

#[test]
fn a_comment_in_someone_elses_name_fails_and_so_does_an_uncommitted_one() {
    let env = Env::new();
    let id = request_on_a_branch(&env);
    env.run_as("chen.jing", &["comment", &id, "我同意"]).ok();
    commit_as(&env, "li.na", "comment in chen.jing's name");
    let rel = format!("requests/2026/{id}.yaml");
    let r = verify(&env, "--verify-authors");
    assert_eq!(r.code(), 1, "{}{}", r.stdout(), r.stderr());
    let out = r.stdout();
    let hash = env.git(&["rev-parse", "--short=7", "HEAD"]);
    let lines = findings(
        &out,
        &rel,
        &format!(
            "history entry 2 (comment by chen.jing) was committed by li.na@example.com in {}; \
             only chen.jing (chen.jing@example.com) may write entries in their name",
            hash.trim()
        ),
    );
    assert_eq!(lines.len(), 1, "{out}");
    let entry = entry_at(env.root(), lines[0]);
    assert!(
        entry.contains("by: chen.jing") && entry.contains("我同意"),
        "{entry}"
    );
    // Without the flag, the same change passes.
    let r = env.run(&["check", "--base", "main"]);
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());

    // Changing chen.jing's e-mail in the same branch does not help: members come from the base.
    let toml = env.root().join("presales.toml");
    let config = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        config.replace("\"chen.jing@example.com\"", "\"li.na@example.com\""),
    )
    .unwrap();
    env.git(&["add", "-A"]);
    ok(git_as(
        &env,
        "li.na@example.com",
        &["commit", "-q", "--amend", "--no-edit"],
    ));
    let out = verify(&env, "--verify-authors").stdout();
    assert!(
        !findings(&out, &rel, "only chen.jing (chen.jing@example.com)").is_empty(),
        "{out}"
    );
    std::fs::write(&toml, config).unwrap();

    // An entry in the working tree only is not committed.
    env.run_as("li.na", &["comment", &id, "还没提交"]).ok();
    let out = verify(&env, "--verify-authors").stdout();
    assert_eq!(
        findings(
            &out,
            &rel,
            "history entry 3 (comment by li.na) is not committed"
        )
        .len(),
        1,
        "{out}"
    );

    // The flags need --base.
    let r = env.run(&["check", "--verify-authors"]);
    assert_eq!(r.code(), 2, "{}", r.stderr());
    assert!(r.stderr().contains("--base"), "{}", r.stderr());
}

/// A solution in review on main (two pass verdicts), ready for chen.jing's approval.
fn in_review(env: &Env) -> (String, String) {
    with_driver(env);
    let cus = env.customer("华东银行");
    let req = env.request(
        &cus,
        "智慧园区",
        &["--type", "solution", "--skill", "network"],
    );
    env.run_as("zhang.wei", &["assign", &req, "--to", "li.na"])
        .ok();
    let assess = [
        "assess",
        &req,
        "--feasibility",
        "feasible",
        "--difficulty",
        "3",
    ];
    env.run_as("li.na", &assess).ok();
    env.run_as("li.na", &["advance", &req]).ok();
    std::fs::create_dir_all(env.root().join("plans")).unwrap();
    std::fs::write(env.root().join("plans/park.md"), "# 方案\n").unwrap();
    let sol = env
        .run_as(
            "li.na",
            &[
                "solution",
                "new",
                "--request",
                &req,
                "--plan-file",
                "plans/park.md",
            ],
        )
        .ok();
    let steps: [&[&str]; 6] = [
        &[
            "solution",
            "milestone",
            &sol,
            "--name",
            "PoC",
            "--date",
            "2026-12-20",
        ],
        &[
            "solution",
            "resource",
            &sol,
            "--role",
            "网络工程师",
            "--person",
            "li.na",
            "--days",
            "10",
        ],
        &[
            "demo",
            &req,
            "--date",
            "2026-11-27",
            "--attendee",
            "客户CTO",
        ],
        &["feedback", &req, "--from", "客户CTO", "--text", "需要双活"],
        &["feedback", &req, "--item", "1", "--disposition", "accepted"],
        &["advance", &req],
    ];
    for s in steps {
        env.run_as("li.na", s).ok();
    }
    for who in ["zhang.wei", "wang.fang"] {
        env.run_as(
            who,
            &["review", &sol, "--verdict", "pass", "--comment", "ok"],
        )
        .ok();
    }
    env.commit_all("solution in review");
    env.git(&["checkout", "-q", "-b", "pr"]);
    (req, sol)
}

#[test]
fn an_approval_committed_by_li_na_in_chen_jings_name_fails_naming_file_and_line() {
    let env = Env::new();
    let (_req, sol) = in_review(&env);
    env.run_as("chen.jing", &["approve", &sol]).ok();
    commit_as(&env, "li.na", "approve");
    let r = verify(&env, "--verify-authors");
    assert_eq!(r.code(), 1, "{}{}", r.stdout(), r.stderr());
    let out = r.stdout();
    let rel = format!("solutions/2026/{sol}.yaml");
    let lines = findings(
        &out,
        &rel,
        "(approve by chen.jing) was committed by li.na@example.com in ",
    );
    assert_eq!(lines.len(), 1, "{out}");
    assert!(
        lines[0].contains("only chen.jing (chen.jing@example.com) may write entries in their name"),
        "{out}"
    );
    let entry = entry_at(env.root(), lines[0]);
    assert!(
        entry.contains("by: chen.jing") && entry.contains("action: approve"),
        "{entry}"
    );
    // The request's move to `approved` is chen.jing's entry too.
    assert!(
        out.contains("(advance by chen.jing) was committed by li.na"),
        "{out}"
    );

    // The same commit authored by chen.jing passes, also in GitHub's format.
    ok(git_as(
        &env,
        &email("chen.jing"),
        &["commit", "-q", "--amend", "--no-edit", "--reset-author"],
    ));
    let r = env.run(&[
        "check",
        "--base",
        "main",
        "--verify-authors",
        "--format",
        "github",
    ]);
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());
}

/// An SSH key pair in `dir`: (private key path, public key line, fingerprint `SHA256:…`).
fn ssh_key(dir: &Path, name: &str) -> Option<(String, String, String)> {
    let key = dir.join(name);
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&key)
        .output()
        .ok()?;
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let pub_path = dir.join(format!("{name}.pub"));
    let listed = Command::new("ssh-keygen")
        .arg("-lf")
        .arg(&pub_path)
        .output()
        .ok()?;
    let listed = String::from_utf8_lossy(&listed.stdout).to_string();
    let fingerprint = listed.split_whitespace().nth(1)?.to_string();
    let public = std::fs::read_to_string(&pub_path).ok()?.trim().to_string();
    Some((key.to_string_lossy().to_string(), public, fingerprint))
}

#[test]
fn ssh_signed_commits_pass_and_unsigned_or_foreign_ones_fail() {
    let keys = tempfile::tempdir().unwrap();
    let (Some(chen), Some(li)) = (ssh_key(keys.path(), "chen"), ssh_key(keys.path(), "li")) else {
        eprintln!("note: ssh-keygen is not available; SSH signing is not tested");
        return;
    };
    let env = Env::new();
    // chen.jing's key is in presales.toml at the base; git knows both keys.
    let toml = env.root().join("presales.toml");
    let config = std::fs::read_to_string(&toml).unwrap();
    let with_key = config.replacen(
        "email = \"chen.jing@example.com\"",
        &format!(
            "email = \"chen.jing@example.com\"\nsigning_key = \"{}\"",
            chen.2
        ),
        1,
    );
    assert_ne!(config, with_key);
    std::fs::write(&toml, with_key).unwrap();
    let allowed = keys.path().join("allowed_signers");
    std::fs::write(
        &allowed,
        format!(
            "chen.jing@example.com {}\nli.na@example.com {}\n",
            chen.1, li.1
        ),
    )
    .unwrap();
    env.git(&["config", "gpg.format", "ssh"]);
    env.git(&[
        "config",
        "gpg.ssh.allowedSignersFile",
        &allowed.to_string_lossy(),
    ]);
    let id = request_on_a_branch(&env);
    assert_eq!(
        env.run(&["check"]).code(),
        0,
        "signing_key is a known setting"
    );

    env.run_as("chen.jing", &["comment", &id, "已签名"]).ok();
    env.git(&["add", "-A"]);
    let sign_with = |key: &str| format!("user.signingkey={key}");
    ok(git_as(
        &env,
        &email("chen.jing"),
        &[
            "-c",
            &sign_with(&chen.0),
            "commit",
            "-q",
            "-S",
            "-m",
            "signed",
        ],
    ));
    let r = verify(&env, "--verify-signatures");
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());

    let rel = format!("requests/2026/{id}.yaml");
    // Unsigned.
    ok(git_as(
        &env,
        &email("chen.jing"),
        &["commit", "-q", "--amend", "--no-edit", "--no-gpg-sign"],
    ));
    let out = verify(&env, "--verify-signatures").stdout();
    let lines = findings(
        &out,
        &rel,
        "history entry 2 (comment by chen.jing) was committed in ",
    );
    assert_eq!(lines.len(), 1, "{out}");
    assert!(
        lines[0].contains("without a good signature (git reports `N`")
            && lines[0].contains(&chen.2),
        "{out}"
    );
    // Unsigned is fine for --verify-authors alone.
    assert_eq!(verify(&env, "--verify-authors").code(), 0);

    // Signed by li.na's key, which git trusts, but it is not chen.jing's.
    ok(git_as(
        &env,
        &email("chen.jing"),
        &[
            "-c",
            &sign_with(&li.0),
            "commit",
            "-q",
            "--amend",
            "--no-edit",
            "-S",
        ],
    ));
    let out = verify(&env, "--verify-signatures").stdout();
    let lines = findings(
        &out,
        &rel,
        &format!(
            "was signed in {} with key {}, not with chen.jing's signing_key {}",
            env.git(&["rev-parse", "--short=7", "HEAD"]).trim(),
            li.2,
            chen.2
        ),
    );
    assert_eq!(lines.len(), 1, "{out}");
}

#[test]
fn a_store_in_a_subfolder_of_the_repository_is_judged_by_its_own_paths() {
    let env = Env::bare();
    env.run(&["init", "deals"]).ok();
    with_driver(&env);
    // A file outside the store changes too; it is none of the rule's business.
    std::fs::write(env.root().join("README.md"), "deals\n").unwrap();
    let at = |args: &[&str]| {
        let mut full = vec!["--root", "deals"];
        full.extend_from_slice(args);
        env.run(&full).ok()
    };
    let cus = at(&["customer", "new", "--name", "华东银行"]);
    let id = at(&["new", "--title", "园区", "--customer", &cus]);
    env.commit_all("store");
    env.git(&["checkout", "-q", "-b", "pr"]);
    at(&["--as", "chen.jing", "comment", &id, "子目录"]);
    std::fs::write(env.root().join("README.md"), "deals!\n").unwrap();
    commit_as(&env, "chen.jing", "comment");
    let r = env.run(&[
        "--root",
        "deals",
        "check",
        "--base",
        "main",
        "--verify-authors",
    ]);
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());

    at(&["--as", "chen.jing", "comment", &id, "不是她提交的"]);
    commit_as(&env, "li.na", "comment");
    let r = env.run(&[
        "--root",
        "deals",
        "check",
        "--base",
        "main",
        "--verify-authors",
        "--format",
        "github",
    ]);
    assert_eq!(r.code(), 1, "{}{}", r.stdout(), r.stderr());
    let out = r.stdout();
    assert!(
        out.contains(&format!("::error file=deals/requests/2026/{id}.yaml,line="))
            && out.contains("history entry 3 (comment by chen.jing) was committed by li.na"),
        "{out}"
    );
}
