//! Test environment: the real binary in a temp git repo, with a cleared environment, a fixed
//! identity and a fixed clock.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const NOW: &str = "2026-11-27T10:00:00+08:00";

pub struct Env {
    pub dir: tempfile::TempDir,
    pub now: String,
    pub user: String,
}

pub struct Run {
    pub out: Output,
}

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).to_string()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).to_string()
    }
    pub fn code(&self) -> i32 {
        self.out.status.code().unwrap_or(-1)
    }
    /// Asserts success and returns trimmed stdout.
    pub fn ok(&self) -> String {
        assert_eq!(
            self.code(),
            0,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self.stdout().trim().to_string()
    }
    /// Asserts failure with exit code 1 and returns stderr.
    pub fn err(&self) -> String {
        assert_eq!(
            self.code(),
            1,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self.stderr()
    }
    /// Asserts a usage error (exit 2, as clap gives for a bad flag value) and returns stderr.
    pub fn usage(&self) -> String {
        assert_eq!(
            self.code(),
            2,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self.stderr()
    }
}

impl Env {
    /// A git repo holding a store with the example team.
    pub fn new() -> Env {
        let env = Env::bare();
        env.run(&["init"]).ok();
        env.git(&["add", "-A"]);
        env.git(&["commit", "-qm", "init"]);
        env
    }

    /// An empty git repo, no store.
    pub fn bare() -> Env {
        let env = Env {
            dir: tempfile::tempdir().unwrap(),
            now: NOW.to_string(),
            user: "zhao.lei".to_string(),
        };
        env.git(&["init", "-q", "-b", "main"]);
        env
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_presales"));
        c.current_dir(self.root())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.root())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("PRESALES_NOW", &self.now)
            .env("PRESALES_USER", &self.user);
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run {
            out: self.cmd().args(args).output().unwrap(),
        }
    }

    pub fn run_as(&self, who: &str, args: &[&str]) -> Run {
        let mut full = vec!["--as", who];
        full.extend_from_slice(args);
        self.run(&full)
    }

    pub fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .current_dir(self.root())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    pub fn commit_all(&self, msg: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-qm", msg]);
    }

    pub fn customer(&self, name: &str) -> String {
        self.run(&["customer", "new", "--name", name]).ok()
    }

    pub fn request(&self, customer: &str, title: &str, extra: &[&str]) -> String {
        let mut args = vec!["new", "--title", title, "--customer", customer];
        args.extend_from_slice(extra);
        self.run(&args).ok()
    }

    /// A request (`extra` given to `new`) assigned to li.na, assessed feasible (difficulty
    /// 3) and moved into design: where a solution is written.
    pub fn request_in_design(&self, customer: &str, title: &str, extra: &[&str]) -> String {
        let req = self.request(customer, title, extra);
        self.run_as("zhang.wei", &["assign", &req, "--to", "li.na"])
            .ok();
        self.run_as(
            "li.na",
            &[
                "assess",
                &req,
                "--feasibility",
                "feasible",
                "--difficulty",
                "3",
            ],
        )
        .ok();
        self.run_as("li.na", &["advance", &req]).ok();
        req
    }

    pub fn path_of(&self, id: &str) -> PathBuf {
        let year = &id[id.find('-').unwrap() + 1..][..4];
        if id.starts_with("CUS-") {
            self.root().join("customers").join(format!("{id}.yaml"))
        } else if id.starts_with("SOL-") {
            self.root()
                .join("solutions")
                .join(year)
                .join(format!("{id}.yaml"))
        } else if id.starts_with("GAP-") {
            self.root()
                .join("gaps")
                .join(year)
                .join(format!("{id}.yaml"))
        } else if id.starts_with("TRN-") {
            self.root()
                .join("trainings")
                .join(year)
                .join(format!("{id}.yaml"))
        } else if id.starts_with("KB-") {
            self.root().join("kb").join(year).join(format!("{id}.yaml"))
        } else {
            self.root()
                .join("requests")
                .join(year)
                .join(format!("{id}.yaml"))
        }
    }

    pub fn read(&self, id: &str) -> String {
        std::fs::read_to_string(self.path_of(id)).unwrap()
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut full = vec!["--format", "json"];
        full.extend_from_slice(args);
        serde_json::from_str(&self.run(&full).ok()).unwrap()
    }
}

/// Words that belong to the libraries or to Rust, not to the product.
const JARGON: &[&str] = &[
    "Option<",
    "DuplicateKeyPolicy",
    "budget",
    "Nodes {",
    "0..=",
    "1..=",
    "premature end of input",
    "input is out of range",
    "input contains invalid characters",
    "invalid u8",
    "invalid u32",
    "invalid i64",
    "expected u8",
    "serde",
    "saphyr",
    "panicked",
    "RUST_BACKTRACE",
    "Error {",
    "Some(",
    "thread '",
    "unwrap()",
    "usize",
];

/// A bad input fails cleanly: exit 1 or 2 (never a panic's 101), says something, and speaks
/// the product's words.
pub fn clean(what: &str, r: &Run) {
    let code = r.code();
    assert!(
        code == 1 || code == 2,
        "{what}: exit {code}\nstdout:\n{}\nstderr:\n{}",
        r.stdout(),
        r.stderr()
    );
    let all = format!("{}{}", r.stdout(), r.stderr());
    for j in JARGON {
        assert!(!all.contains(j), "{what}: `{j}` in\n{all}");
    }
    assert!(!r.stderr().trim().is_empty(), "{what}: says nothing");
}
