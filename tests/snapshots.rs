//! Snapshots of what users read: every `--help`, every error (with its hint and exit code)
//! of the bad-input catalogue, and one golden output per report and format from the demo
//! store. A snapshot is an expected value: review each change as you would a hand-written one.
//!
//! Update after an intended change: `INSTA_UPDATE=always cargo test --test snapshots`, then
//! read `git diff tests/snapshots/` (or `cargo insta review`, if cargo-insta is installed).
//! Without `INSTA_UPDATE`, a mismatch fails the test (and in CI nothing is written).

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use clap::CommandFactory;
use common::{Env, Run};

/// The terminal width every snapshot is taken at; stdout is a pipe, so clap wraps at this.
const COLUMNS: &str = "100";

// ── Transcripts and filters ──────────────────────────────────────────────────────────────

/// The command line as a user would type it (arguments with spaces or odd characters quoted).
fn command_line(args: &[&str]) -> String {
    let mut s = String::from("$ presales");
    for a in args {
        s.push(' ');
        let plain = !a.is_empty()
            && a.chars().all(|c| {
                c.is_alphanumeric() || "-_./:=@+,%…".contains(c) || (!c.is_ascii() && !odd(c))
            });
        if plain {
            s.push_str(a);
        } else {
            s.push_str(&format!("{a:?}"));
        }
    }
    s
}

/// Characters a terminal would act on rather than show: the product must escape them.
fn odd(c: char) -> bool {
    (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c) || c == '\u{2066}'
}

/// Makes raw control characters visible (`⟦U+001B⟧`), so a snapshot never hides one: the
/// product's own escaping looks like `\u001b`, this marker means it let one through.
fn visible(text: &str) -> String {
    text.chars()
        .map(|c| {
            if odd(c) {
                format!("⟦U+{:04X}⟧", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// What the user reads: the command, the exit code, stdout (if any) and stderr.
fn transcript(args: &[&str], r: &Run) -> String {
    let mut s = format!("{}\nexit: {}\n", command_line(args), r.code());
    for (name, text) in [("stdout", r.stdout()), ("stderr", r.stderr())] {
        if !text.is_empty() {
            s.push_str(&format!("--- {name}\n{}", visible(&text)));
            if !text.ends_with('\n') {
                s.push_str("⟦no newline at end⟧\n");
            }
        }
    }
    s
}

/// A regex matching `text` literally.
fn literal(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_punctuation() {
                format!("\\{c}")
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Snapshot settings for runs in `root`: the temp folder becomes `[ROOT]`, and the random
/// part of the IDs minted at the test clock's date becomes `XXXXXXX`.
fn settings(root: &Path, minted_ids: bool) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    let mut roots = vec![root.to_path_buf()];
    if let Ok(c) = root.canonicalize() {
        roots.push(c);
    }
    roots.sort_by_key(|p| std::cmp::Reverse(p.as_os_str().len()));
    roots.dedup();
    for r in roots {
        s.add_filter(&literal(&r.to_string_lossy()), "[ROOT]");
    }
    if minted_ids {
        s.add_filter(
            r"\b(REQ|SOL|CUS|KB)-20261127-[0-9A-Z]{7}\b",
            "$1-20261127-XXXXXXX",
        );
    }
    s
}

/// The names a group of snapshots asserted, so that a snapshot file nobody asserts any more
/// (a removed command, a renamed case) fails instead of lingering.
struct Group {
    prefix: &'static str,
    names: BTreeSet<String>,
}

impl Group {
    fn new(prefix: &'static str) -> Group {
        Group {
            prefix,
            names: BTreeSet::new(),
        }
    }

    /// A snapshot name for `what` (`kb search --help` → `help__kb_search`).
    fn name(&mut self, what: &str) -> String {
        let slug: String = what
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        let name = format!("{}__{}", self.prefix, slug.trim_matches('_'));
        assert!(self.names.insert(name.clone()), "two cases named {name}");
        name
    }

    /// Fails on `tests/snapshots/<prefix>__*.snap` files that this run did not assert.
    fn no_stale_files(&self) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return;
        };
        let stale: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter_map(|f| f.strip_suffix(".snap").map(str::to_string))
            .filter(|n| n.starts_with(&format!("{}__", self.prefix)) && !self.names.contains(n))
            .collect();
        assert!(
            stale.is_empty(),
            "snapshot files no test asserts any more (delete them): {stale:?}"
        );
    }
}

// ── 1. Every --help ──────────────────────────────────────────────────────────────────────

/// Every command path of the clap tree, parents first: `[]`, `["kb"]`, `["kb", "search"]`…
fn command_paths(cmd: &clap::Command, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(prefix.clone());
    for sub in cmd.get_subcommands() {
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        let mut path = prefix.clone();
        path.push(sub.get_name().to_string());
        command_paths(sub, path, out);
    }
}

#[test]
fn help_of_every_command() {
    let env = Env::bare();
    let mut paths = Vec::new();
    command_paths(&presales::cli::Cli::command(), Vec::new(), &mut paths);
    assert!(
        paths.len() > 40,
        "the walk found only {} commands",
        paths.len()
    );
    let mut group = Group::new("help");
    let _guard = settings(env.root(), false).bind_to_scope();
    for path in &paths {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let r = Run {
            out: env
                .cmd()
                .env("COLUMNS", COLUMNS)
                // `[env: PRESALES_USER=…]` would show the test's value.
                .env_remove("PRESALES_USER")
                .args(&args)
                .output()
                .unwrap(),
        };
        assert_eq!(r.code(), 0, "{}: {}", command_line(&args), r.stderr());
        assert!(
            r.stderr().is_empty(),
            "{}: {}",
            command_line(&args),
            r.stderr()
        );
        let name = group.name(&if path.is_empty() {
            "presales".to_string()
        } else {
            path.join(" ")
        });
        insta::assert_snapshot!(name, format!("{}\n{}", command_line(&args), r.stdout()));
    }
    group.no_stale_files();
}

// ── 2. The bad-input catalogue: every error with its hint and exit code ──────────────────

/// Runs `args` (with extra environment), checks it fails cleanly and snapshots what the user
/// reads.
fn refused(group: &mut Group, env: &Env, what: &str, vars: &[(&str, Option<&str>)], args: &[&str]) {
    let mut cmd = env.cmd();
    cmd.env("COLUMNS", COLUMNS);
    for (k, v) in vars {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    let r = Run {
        out: cmd.args(args).output().unwrap(),
    };
    common::clean(what, &r);
    let mut text = String::new();
    for (k, v) in vars {
        text.push_str(&match v {
            Some(v) => format!("# {k}={v:?}\n"),
            None => format!("# {k} unset\n"),
        });
    }
    text.push_str(&transcript(args, &r));
    insta::assert_snapshot!(group.name(what), text);
}

#[test]
fn bad_command_lines() {
    let mut env = Env::new();
    let cus = env.customer("华东银行");
    let req = env.request(&cus, "智慧园区", &["--skill", "network"]);
    // A second request of the same day makes the date prefix ambiguous; an hour later, so
    // that the two IDs (time-sortable to the hour) are listed in a stable order.
    let now = env.now.clone();
    env.now = "2026-11-27T11:00:00+08:00".into();
    env.request(&cus, "数据中心", &[]);
    env.now = now;
    let sol = "SOL-20261127-A000000";
    let new = |extra: &[&'static str]| -> Vec<String> {
        let mut v: Vec<String> = ["new", "--title", "t", "--customer", &cus]
            .iter()
            .map(|s| s.to_string())
            .collect();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let s = |args: &[&str]| -> Vec<String> { args.iter().map(|a| a.to_string()).collect() };
    let cases: Vec<(&str, Vec<String>)> = vec![
        // Flag values.
        ("priority P9", new(&["--priority", "P9"])),
        ("due month 13", new(&["--due", "2026-13-01"])),
        ("due as text", new(&["--due", "tomorrow"])),
        ("type unknown", new(&["--type", "lunch"])),
        (
            "title with ESC",
            s(&[
                "new",
                "--title",
                "a\u{1b}]52;c;eA==\u{7}b",
                "--customer",
                &cus,
            ]),
        ),
        (
            "title with newline",
            s(&["new", "--title", "a\nb", "--customer", &cus]),
        ),
        (
            "title with bidi",
            s(&["new", "--title", "a\u{202e}b", "--customer", &cus]),
        ),
        (
            "satisfaction -1",
            s(&[
                "close",
                &req,
                "--outcome",
                "won",
                "--summary",
                "s",
                "--satisfaction",
                "-1",
            ]),
        ),
        (
            "satisfaction 9",
            s(&[
                "close",
                &req,
                "--outcome",
                "won",
                "--summary",
                "s",
                "--satisfaction",
                "9",
            ]),
        ),
        (
            "difficulty as text",
            s(&[
                "assess",
                &req,
                "--feasibility",
                "feasible",
                "--difficulty",
                "hard",
            ]),
        ),
        (
            "feasibility unknown",
            s(&[
                "assess",
                &req,
                "--feasibility",
                "perhaps",
                "--difficulty",
                "3",
            ]),
        ),
        (
            "outcome unknown",
            s(&["close", &req, "--outcome", "maybe", "--summary", "s"]),
        ),
        (
            "likelihood 9",
            s(&[
                "solution",
                "risk",
                sol,
                "--description",
                "d",
                "--likelihood",
                "9",
                "--impact",
                "3",
                "--mitigation",
                "m",
            ]),
        ),
        (
            "impact as text",
            s(&[
                "solution",
                "risk",
                sol,
                "--description",
                "d",
                "--likelihood",
                "2",
                "--impact",
                "high",
                "--mitigation",
                "m",
            ]),
        ),
        (
            "days not a number",
            s(&[
                "solution",
                "resource",
                sol,
                "--role",
                "architect",
                "--days",
                "three",
            ]),
        ),
        (
            "milestone date",
            s(&[
                "solution",
                "milestone",
                sol,
                "--name",
                "kick-off",
                "--date",
                "2026-02-30",
            ]),
        ),
        ("format xml", s(&["--format", "xml", "list"])),
        ("color sometimes", s(&["--color", "sometimes", "list"])),
        (
            "category unknown",
            s(&["kb", "new", "--title", "x", "--category", "nope"]),
        ),
        ("shell unknown", s(&["completions", "tcsh"])),
        ("search without words", s(&["kb", "search", " "])),
        (
            "role unknown",
            s(&["team", "add", "wu.di", "--name", "吴迪", "--role", "boss"]),
        ),
        (
            "away dates reversed",
            s(&[
                "team",
                "away",
                "li.na",
                "--from",
                "2026-12-10",
                "--to",
                "2026-12-01",
            ]),
        ),
        // clap's own refusals.
        ("unknown subcommand", s(&["frobnicate"])),
        ("unknown flag", s(&["list", "--bogus"])),
        ("missing argument", s(&["show"])),
        ("no subcommand", s(&[])),
        (
            "week and month",
            s(&[
                "report", "weekly", "--week", "2026-W48", "--month", "2026-11",
            ]),
        ),
        (
            "from without to",
            s(&["report", "sla", "--from", "2026-11-01"]),
        ),
        // Records that do not exist or cannot be told apart.
        ("unknown id", s(&["show", "REQ-20200101-0000000"])),
        ("unknown abbreviation", s(&["show", "ZZZZZ"])),
        ("ambiguous id", s(&["show", "REQ-20261127"])),
        ("id escaping the store", s(&["show", "../../etc/passwd"])),
        (
            "unknown customer",
            s(&["new", "--title", "t", "--customer", "nobody"]),
        ),
        ("customer show unknown", s(&["customer", "show", "nobody"])),
        ("solution show unknown", s(&["solution", "show", sol])),
        ("kb show unknown", s(&["kb", "show", "KB-20200101-0000000"])),
        // People.
        (
            "unknown member in --as",
            s(&["--as", "ghost", "comment", &req, "hello"]),
        ),
        (
            "assign to unknown member",
            s(&["--as", "zhang.wei", "assign", &req, "--to", "ghost"]),
        ),
        (
            "assign by a non-lead",
            s(&["assign", &req, "--to", "li.na"]),
        ),
        (
            "performance of unknown member",
            s(&["report", "performance", "--member", "ghost"]),
        ),
        // Workflow.
        (
            "illegal stage move",
            s(&["advance", &req, "--to", "closed"]),
        ),
        ("unknown stage", s(&["advance", &req, "--to", "nowhere"])),
        ("advance before assignment", s(&["advance", &req])),
        ("reopen without a note", s(&["reopen", &req])),
        ("reopen by a non-lead", s(&["reopen", &req, "--note", "n"])),
        (
            "reopen an open request",
            s(&["--as", "zhang.wei", "reopen", &req, "--note", "n"]),
        ),
        (
            "solution before analysis",
            s(&["solution", "new", "--request", &req]),
        ),
        (
            "feedback without its source",
            s(&["feedback", &req, "--text", "x"]),
        ),
        (
            "rate an open request",
            s(&["rate", &req, "--satisfaction", "5"]),
        ),
        ("empty comment", s(&["comment", &req, "  "])),
        ("list unknown stage", s(&["list", "--stage", "nowhere"])),
        // Periods and times.
        ("week 99", s(&["report", "weekly", "--week", "2026-W99"])),
        ("month 13", s(&["report", "sla", "--month", "2026-13"])),
        (
            "period reversed",
            s(&[
                "report",
                "sla",
                "--from",
                "2026-11-30",
                "--to",
                "2026-11-01",
            ]),
        ),
        (
            "as-of as text",
            s(&["report", "weekly", "--as-of", "yesterday"]),
        ),
        (
            "as-of before the period",
            s(&[
                "report",
                "weekly",
                "--week",
                "2026-W50",
                "--as-of",
                "2026-11-01",
            ]),
        ),
        // The store itself.
        ("init over a store", s(&["init", "."])),
        (
            "root that does not exist",
            s(&["--root", "/nonexistent/store", "list"]),
        ),
        (
            "fmt of a file that is not a record",
            s(&["fmt", "notes.yaml"]),
        ),
        (
            "merge-file of missing files",
            s(&["merge-file", "base", "ours", "theirs", "path"]),
        ),
    ];
    let mut group = Group::new("error");
    let _guard = settings(env.root(), true).bind_to_scope();
    for (what, args) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        refused(&mut group, &env, what, &[], &args);
    }
    refused(
        &mut group,
        &env,
        "PRESALES_NOW without offset",
        &[("PRESALES_NOW", Some("2026-11-27T10:00:00"))],
        &["list"],
    );
    refused(
        &mut group,
        &env,
        "editor fails",
        &[("EDITOR", Some("false"))],
        &["edit", &req],
    );
    refused(
        &mut group,
        &env,
        "who are you",
        &[("PRESALES_USER", None)],
        &["comment", &req, "hello"],
    );

    // Stores that cannot be used as they are.
    let bare = Env::bare();
    {
        let _guard = settings(bare.root(), true).bind_to_scope();
        refused(&mut group, &bare, "missing store", &[], &["list"]);
    }
    let toml = |env: &Env, edit: &dyn Fn(String) -> String| {
        let p = env.root().join("presales.toml");
        let text = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, edit(text)).unwrap();
    };
    let broken = Env::new();
    toml(&broken, &|t| t.replacen("[store]", "[store", 1));
    {
        let _guard = settings(broken.root(), true).bind_to_scope();
        refused(&mut group, &broken, "presales.toml syntax", &[], &["list"]);
    }
    let problem = Env::new();
    let cus = problem.customer("华东银行");
    toml(&problem, &|t| {
        t.replacen(
            "first_response_hours = 2\n",
            "first_response_hours = -2\n",
            1,
        )
    });
    {
        let _guard = settings(problem.root(), true).bind_to_scope();
        refused(
            &mut group,
            &problem,
            "presales.toml problem refuses writes",
            &[],
            &["new", "--title", "t", "--customer", &cus],
        );
    }
    let newer = Env::new();
    toml(&newer, &|t| {
        t.replacen("format = 2", "format = 99", 1).replacen(
            "requires = \"0.2.0\"",
            "requires = \"9.1.0\"",
            1,
        )
    });
    {
        let _guard = settings(newer.root(), true).bind_to_scope();
        refused(
            &mut group,
            &newer,
            "store from a newer presales",
            &[],
            &["customer", "new", "--name", "x"],
        );
    }
    group.no_stale_files();
}

#[test]
fn malformed_record_files() {
    let env = Env::new();
    let cus = env.customer("华东银行");
    let req = env.request(&cus, "智慧园区", &[]);
    env.commit_all("base");
    let path = env.path_of(&req);
    let good = std::fs::read_to_string(&path).unwrap();
    let line = |key: &str| {
        good.lines()
            .find(|l| l.starts_with(&format!("{key}:")))
            .unwrap()
            .to_string()
    };
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let cases: Vec<(&str, String)> = vec![
        ("empty", String::new()),
        ("garbage", "\u{0}\u{1}\u{2}binary".into()),
        ("not a mapping", "- a\n- b\n".into()),
        (
            "unterminated quote",
            good.replace(&line("title"), "title: \"open"),
        ),
        ("null title", good.replace(&line("title"), "title: ~")),
        (
            "duplicate key",
            good.replace(&line("title"), &format!("{}\ntitle: again", line("title"))),
        ),
        (
            "no zone",
            good.replace(&line("created"), "created: \"2026-11-27T10:00:00\""),
        ),
        (
            "bad date",
            good.replace(&line("created"), "created: \"2026-13-45T10:00:00+08:00\""),
        ),
        ("priority", good.replace(&line("priority"), "priority: P9")),
        ("stage list", good.replace(&line("stage"), "stage: [1, 2]")),
        (
            "missing type",
            good.replace(&format!("{}\n", line("type")), ""),
        ),
        (
            "satisfaction",
            good.replace("history:", "satisfaction: -1\nhistory:"),
        ),
        (
            "huge number",
            good.replace(
                "history:",
                "satisfaction: 99999999999999999999999\nhistory:",
            ),
        ),
        (
            "deep nesting",
            good.replace(&line("title"), &format!("title: {deep}")),
        ),
        ("alias bomb", format!("{good}x_bomb: &a [*a, *a]\n")),
        ("tabs", good.replace("\n  by:", "\n\tby:")),
        // The history, which `list` does not show, still gets read: an entry cut short and
        // an entry's time without its zone are reported by every command.
        (
            "history cut short",
            good.replacen("\n  action: create", "", 1),
        ),
        ("history time", good.replacen("- at: \"", "- at: \"1", 1)),
    ];
    let mut group = Group::new("record");
    let _guard = settings(env.root(), true).bind_to_scope();
    for (what, text) in cases {
        std::fs::write(&path, &text).unwrap();
        let mut all = String::new();
        for args in [
            vec!["show", req.as_str()],
            vec!["check"],
            vec!["check", "--base", "HEAD"],
        ] {
            let r = env.run(&args);
            common::clean(&format!("{} ({what})", args.join(" ")), &r);
            all.push_str(&transcript(&args, &r));
            all.push('\n');
        }
        // `list` reports the file, lists the rest and exits 1.
        let list = env.run(&["list"]);
        assert_eq!(list.code(), 1, "list ({what}) reports the file and exits 1");
        assert!(!list.stderr().contains("panicked"), "{}", list.stderr());
        all.push_str(&transcript(&["list"], &list));
        insta::assert_snapshot!(group.name(what), all);
    }
    group.no_stale_files();
}

// ── 3. Golden outputs: every report and read command in every format, on the demo store ──

/// The formats that render differently; `text` and `github` are checked to equal `table`.
const FORMATS: &[&str] = &["table", "markdown", "json", "yaml", "csv"];

/// A copy of `examples/demo` in a temp git repository (the read commands write their caches
/// and the search index under `.presales/`), warmed up so that no first-run notice (the
/// merge driver's registration) lands in a snapshot.
fn demo_store() -> Env {
    let env = Env::bare();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo");
    let out = std::process::Command::new("cp")
        .arg("-a")
        .arg(demo.join("."))
        .arg(env.root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    env.commit_all("the demo store");
    env.run(&["list"]).ok();
    env
}

#[test]
fn golden_outputs_of_the_demo_store() {
    let env = demo_store();
    let as_of = "--as-of=2026-11-27T10:00:00+08:00";
    let commands: Vec<(&str, Vec<&str>)> = vec![
        ("report weekly", vec!["report", "weekly", as_of]),
        (
            "report weekly last week",
            vec!["report", "weekly", "--week", "2026-W47"],
        ),
        ("report sla", vec!["report", "sla", as_of]),
        (
            "report sla month",
            vec!["report", "sla", "--month", "2026-11", as_of],
        ),
        ("report performance", vec!["report", "performance", as_of]),
        ("report kb", vec!["report", "kb", as_of]),
        ("report capacity", vec!["report", "capacity", as_of]),
        (
            "report winloss",
            vec!["report", "winloss", "--month", "2026-11", as_of],
        ),
        (
            "report gaps",
            vec!["report", "gaps", "--month", "2026-11", as_of],
        ),
        ("gap list", vec!["gap", "list"]),
        (
            "report training",
            vec!["report", "training", "--quarter", "2026-Q4", as_of],
        ),
        (
            "report targets",
            vec!["report", "targets", "--quarter", "2026-Q4", as_of],
        ),
        ("training list", vec!["training", "list"]),
        ("sla", vec!["sla", as_of]),
        ("inbox", vec!["inbox", "--as", "li.na", as_of]),
        ("inbox approver", vec!["inbox", "--as", "chen.jing", as_of]),
        ("list", vec!["list"]),
        ("list open", vec!["list", "--open"]),
        ("show request in demo", vec!["show", "REQ-20261112-9FJ28W1"]),
        ("show closed request", vec!["show", "REQ-20261012-9ND593V"]),
        (
            "customer show",
            vec!["customer", "show", "CUS-20261102-901P0Y9"],
        ),
        ("customer list", vec!["customer", "list"]),
        (
            "solution show",
            vec!["solution", "show", "SOL-20261114-AXTNCNK"],
        ),
        ("kb list", vec!["kb", "list"]),
        ("kb search", vec!["kb", "search", "SD-WAN"]),
        ("search", vec!["search", "园区"]),
        ("team", vec!["team"]),
    ];
    let mut group = Group::new("golden");
    let _guard = settings(env.root(), false).bind_to_scope();
    for (what, args) in &commands {
        let mut table = None;
        for format in FORMATS.iter().chain(&["text", "github"]) {
            let mut full = vec!["--format", format];
            full.extend_from_slice(args);
            let r = Run {
                out: env
                    .cmd()
                    .env("COLUMNS", COLUMNS)
                    .args(&full)
                    .output()
                    .unwrap(),
            };
            let line = command_line(&full);
            assert_eq!(r.code(), 0, "{line}\n{}", r.stderr());
            assert!(r.stderr().is_empty(), "{line}\n{}", r.stderr());
            assert!(
                !r.stdout().chars().any(odd),
                "{line}: a raw control character"
            );
            match *format {
                "table" => table = Some(r.stdout()),
                // The inbox's `github` is GitHub-flavoured Markdown, for a job summary.
                "github" if args.first() == Some(&"inbox") => continue,
                "text" | "github" => {
                    assert_eq!(Some(r.stdout()), table, "{line}: not the same as table");
                    continue;
                }
                _ => {}
            }
            if *format == "json" {
                let v: Result<serde_json::Value, _> = serde_json::from_str(&r.stdout());
                assert!(v.is_ok(), "{line}: not JSON: {v:?}");
            }
            let name = group.name(&format!("{what} {format}"));
            insta::with_settings!({ description => line }, {
                insta::assert_snapshot!(name, r.stdout());
            });
        }
    }
    group.no_stale_files();
}
