//! "The gate never crashes" (issue 11, item 9): record files written by the tool and
//! presales.toml, mutated at random, go through everything that reads them in a pull
//! request — the parsers, `check`'s load and whole-store rules, the replay of `check --base`,
//! the merge driver and the reports — and nothing may panic. A panic (exit 101 from the
//! binary) is a defect; a bad file is an error naming the file and the value.
//!
//! Every input that once panicked is kept below as a regression test, named after what
//! broke. End-to-end runs of the binary cover what the library properties cannot reach (the
//! renderers of `solution show` and the reports).
//!
//! By default each property runs 64 cases, so `cargo test` stays fast. A long session, with
//! integer overflow and debug assertions checked as in a debug build:
//!
//! ```text
//! PROPTEST_CASES=1000000 PRESALES_FUZZ_SECS=600 CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=true \
//!     CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS=true cargo test --release --test fuzz -- --nocapture
//! ```
//!
//! `PRESALES_FUZZ_SECS` is a time budget per property (cases after it pass without work);
//! when it runs out, each property prints how many cases it ran.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use chrono::NaiveDate;
use proptest::prelude::*;
use serde_json::Value;

use common::Env;
use presales::check::replay::{RecordChange, Rules, replay};
use presales::check::{self, BaseFile};
use presales::config::{self, CONFIG_FILE, Config};
use presales::model::facts::Step;
use presales::model::{Article, Customer, Gap, Kind, RecordId, Request, Solution};
use presales::ops::AnyRecord;
use presales::report::{self, Dataset, Input, PeriodSpec, Window};
use presales::store::{Store, yaml};
use presales::workflow::Workflow;

// ─── the seed store ──────────────────────────────────────────────────────────────────────

/// The files of a small store built with the binary: every kind of record, a solution with a
/// plan, milestones, resources, a quotation and a risk, a request closed after an answer.
struct Seeds {
    /// presales.toml's text.
    config: String,
    /// Every record file: relative path and text.
    records: Vec<(PathBuf, String)>,
}

fn seeds() -> &'static Seeds {
    static SEEDS: OnceLock<Seeds> = OnceLock::new();
    SEEDS.get_or_init(build_seeds)
}

fn build_seeds() -> Seeds {
    let (env, _, _) = seed_env();
    let root = env.root();
    let mut records = Vec::new();
    for kind in Kind::ALL {
        for entry in walk(&root.join(kind.dir())) {
            let rel = entry.strip_prefix(root).unwrap().to_path_buf();
            records.push((rel, std::fs::read_to_string(&entry).unwrap()));
        }
    }
    records.sort();
    let names: Vec<&Path> = records.iter().map(|(p, _)| p.as_path()).collect();
    assert_eq!(records.len(), 10, "{names:?}");
    // With the template's business-hours calendar, so the reports count working time.
    let config = std::fs::read_to_string(root.join(CONFIG_FILE))
        .unwrap()
        .lines()
        .map(|l| match l.strip_prefix("# ") {
            Some(rest)
                if [
                    "[calendar]",
                    "time_zone",
                    "working_days",
                    "hours",
                    "holidays",
                    "extra_",
                ]
                .iter()
                .any(|k| rest.starts_with(k)) =>
            {
                rest
            }
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    assert!(Config::parse(&config).unwrap().calendar.is_some());
    Seeds { config, records }
}

/// The seed store, built with the binary: returns it with its solution request and solution.
fn seed_env() -> (Env, String, String) {
    let env = Env::new();
    let cus = env.customer("华东银行");
    let req = env.request(&cus, "智慧园区网络改造", &["--skill", "network"]);
    env.run_as("zhang.wei", &["assign", &req, "--to", "li.na"])
        .ok();
    let steps: Vec<Vec<&str>> = vec![
        vec![
            "assess",
            &req,
            "--feasibility",
            "feasible",
            "--difficulty",
            "3",
        ],
        vec!["advance", &req],
    ];
    for s in &steps {
        env.run_as("li.na", s).ok();
    }
    let sol = env
        .run_as(
            "li.na",
            &[
                "solution",
                "new",
                "--request",
                &req,
                "--plan",
                "# 方案\n核心交换机",
            ],
        )
        .ok();
    let steps: Vec<Vec<&str>> = vec![
        vec![
            "solution",
            "milestone",
            &sol,
            "--name",
            "上线",
            "--date",
            "2026-12-20",
        ],
        vec![
            "solution", "resource", &sol, "--role", "engineer", "--person", "li.na", "--days", "5",
        ],
        vec![
            "solution",
            "quote",
            &sol,
            "--item",
            "交换机",
            "--qty",
            "3",
            "--unit-price",
            "120.50",
        ],
        vec![
            "solution",
            "risk",
            &sol,
            "--description",
            "旧设备兼容",
            "--likelihood",
            "3",
            "--impact",
            "4",
            "--mitigation",
            "先测",
        ],
        vec!["advance", &req],
        vec![
            "demo",
            &req,
            "--date",
            "2026-11-27",
            "--attendee",
            "客户CTO",
        ],
        vec!["feedback", &req, "--from", "客户CTO", "--text", "需要容灾"],
        vec!["feedback", &req, "--item", "1", "--disposition", "accepted"],
    ];
    for s in &steps {
        env.run_as("li.na", s).ok();
    }
    let q = env.request(&cus, "接口咨询", &["--type", "consultation"]);
    env.run_as("zhang.wei", &["assign", &q, "--to", "wang.fang"])
        .ok();
    env.run_as("wang.fang", &["advance", &q, "--note", "支持 REST"])
        .ok();
    env.run_as(
        "wang.fang",
        &["close", &q, "--outcome", "won", "--summary", "已答复"],
    )
    .ok();
    env.run_as(
        "zhang.wei",
        &[
            "kb",
            "new",
            "--title",
            "派工原则",
            "--category",
            "faq",
            "--body",
            "轮流派工",
        ],
    )
    .ok();
    env.run_as("li.na", &["comment", &req, "客户催进度"]).ok();
    // Product gaps: one linked from the request (blocker), one merged into it.
    let gap = env
        .run(&["gap", "new", "--title", "不支持 SM4", "--product", "VPN"])
        .ok();
    let dup = env
        .run(&["gap", "new", "--title", "国密算法", "--product", "VPN"])
        .ok();
    env.run_as(
        "li.na",
        &["gap", "link", &gap, &req, "--severity", "blocker"],
    )
    .ok();
    env.run(&["gap", "status", &gap, "planned", "--ref", "JIRA-1"])
        .ok();
    env.run(&["gap", "merge", &dup, &gap]).ok();
    // A solution still in design, where forged quotes, resources and risks are legal moves,
    // and a request nobody has picked up.
    let open = env.request(&cus, "数据中心迁移", &["--priority", "P1"]);
    env.run_as("zhang.wei", &["assign", &open, "--to", "wang.fang"])
        .ok();
    let steps: Vec<Vec<&str>> = vec![
        vec![
            "assess",
            &open,
            "--feasibility",
            "feasible",
            "--difficulty",
            "4",
        ],
        vec!["advance", &open],
    ];
    for s in &steps {
        env.run_as("wang.fang", s).ok();
    }
    let draft = env
        .run_as("wang.fang", &["solution", "new", "--request", &open])
        .ok();
    env.run_as(
        "wang.fang",
        &[
            "solution",
            "quote",
            &draft,
            "--item",
            "迁移服务",
            "--qty",
            "1",
            "--unit-price",
            "50000",
        ],
    )
    .ok();
    env.request(&cus, "新需求", &[]);
    (env, req, sol)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "yaml") {
            out.push(p);
        }
    }
    out
}

/// A store of the seed files in a folder of its own (no git: the library needs none).
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let s = seeds();
        let dir = tempfile::tempdir().unwrap();
        for kind in Kind::ALL {
            std::fs::create_dir_all(dir.path().join(kind.dir())).unwrap();
        }
        std::fs::write(dir.path().join(CONFIG_FILE), &s.config).unwrap();
        for (rel, text) in &s.records {
            let p = dir.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        Sandbox { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, rel: &Path, text: &str) {
        std::fs::write(self.root().join(rel), text).unwrap();
    }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
}

// ─── running a case ──────────────────────────────────────────────────────────────────────

/// Whether to run this case: cases after `PRESALES_FUZZ_SECS` (from the first case of the
/// run) pass without work. Each property counts its cases and, with a budget, says on stderr
/// how many it ran when the budget ends (`--nocapture` shows it).
fn run_case(property: &str) -> bool {
    use std::cell::Cell;
    static START: OnceLock<(Instant, Option<u64>)> = OnceLock::new();
    thread_local! {
        static CASES: Cell<u64> = const { Cell::new(0) };
        static REPORTED: Cell<bool> = const { Cell::new(false) };
    }
    let (start, budget) = START.get_or_init(|| {
        let secs = std::env::var("PRESALES_FUZZ_SECS")
            .ok()
            .and_then(|s| s.parse().ok());
        (Instant::now(), secs)
    });
    if budget.is_some_and(|b| start.elapsed().as_secs() >= b) {
        if !REPORTED.replace(true) {
            eprintln!(
                "fuzz: {property}: {} cases in {:.0} s",
                CASES.get(),
                start.elapsed().as_secs_f64()
            );
        }
        return false;
    }
    CASES.set(CASES.get() + 1);
    true
}

fn parse_any(kind: Kind, path: &Path, text: &str) -> presales::Result<AnyRecord> {
    Ok(match kind {
        Kind::Request => AnyRecord::Request(yaml::parse::<Request>(path, text)?),
        Kind::Solution => AnyRecord::Solution(yaml::parse::<Solution>(path, text)?),
        Kind::Article => AnyRecord::Article(yaml::parse::<Article>(path, text)?),
        Kind::Customer => AnyRecord::Customer(yaml::parse::<Customer>(path, text)?),
        Kind::Gap => AnyRecord::Gap(yaml::parse::<Gap>(path, text)?),
        Kind::Training => {
            AnyRecord::Training(yaml::parse::<presales::model::Training>(path, text)?)
        }
    })
}

fn canonical(record: &AnyRecord) {
    let _ = match record {
        AnyRecord::Request(r) => yaml::record_text(r),
        AnyRecord::Solution(r) => yaml::record_text(r),
        AnyRecord::Article(r) => yaml::record_text(r),
        AnyRecord::Customer(r) => yaml::record_text(r),
        AnyRecord::Gap(r) => yaml::record_text(r),
        AnyRecord::Training(r) => yaml::record_text(r),
    };
}

/// The record at `rel` (a seed file) as `text`, through everything that reads a changed record
/// in a pull request.
fn judge_record(sandbox: &Sandbox, rel: &Path, text: &str) {
    let seed = seeds();
    let base_text = &seed.records.iter().find(|(p, _)| p == rel).unwrap().1;
    let id = RecordId::parse(&rel.file_stem().unwrap().to_string_lossy()).unwrap();
    let kind = id.kind();
    // The parser and the canonical form.
    let head = parse_any(kind, rel, text);
    if let Ok(h) = &head {
        canonical(h);
    }
    // The merge driver, with the mutated text on each side.
    if let (Ok(base), Ok(mutated)) = (
        yaml::parse::<Value>(rel, base_text),
        yaml::parse::<Value>(rel, text),
    ) {
        for (b, o, t) in [
            (&base, &mutated, &base),
            (&base, &base, &mutated),
            (&mutated, &base, &base),
        ] {
            let (merged, _) = presales::merge::merge_records(b, o, t);
            if let Ok(m) = serde_json::from_value::<Request>(merged.clone()) {
                let _ = yaml::record_text(&m);
            }
            if let Ok(m) = serde_json::from_value::<Solution>(merged) {
                let _ = yaml::record_text(&m);
            }
        }
    }
    sandbox.write(rel, text);
    let store = Store::open(sandbox.root().to_path_buf()).unwrap();
    // `check FILE`: load, the whole-store rules.
    let only = [rel.to_path_buf()];
    let (loaded, _) = check::load(&store, &only);
    let _ = check::check_records(&store, &loaded, today());
    // `check --base`: the replay from the seed, directly and through the gate.
    let base = parse_any(kind, rel, base_text).unwrap();
    if let Ok(h) = head {
        let change = RecordChange {
            id: id.clone(),
            path: rel.to_path_buf(),
            base: Some(base),
            head: Some((h, text.to_string())),
        };
        let rules = Rules {
            config: &store.config,
            workflow: &store.workflow,
            migration: None,
        };
        let _ = replay(&rules, &[change], &store);
    }
    let files = [BaseFile {
        path: rel.to_path_buf(),
        change: presales::git::Change::Modified,
        base_text: Some(base_text.clone()),
    }];
    let _ = check::gate::judge(&store, &loaded, &files, Some(&seed.config));
    let _ = check::gate::reach(&store, &only);
    // The reports, over every request (the mutated one included when it parses).
    reports(&store);
    sandbox.write(rel, base_text);
}

/// Every report over the store's requests and customers, as `report …` computes them.
fn reports(store: &Store) {
    let (requests, _) = store.load_all::<Request>();
    let (customers, _) = store.load_all::<Customer>();
    let (gaps, _) = store.load_all::<Gap>();
    let stages = store.workflow.all_stages();
    let now = chrono::DateTime::parse_from_rfc3339(common::NOW).unwrap();
    let Ok(window) = Window::resolve(
        store.calendar.as_ref().map(|c| c.time_zone()),
        PeriodSpec::Default,
        None,
        now,
    ) else {
        return;
    };
    let steps: Vec<Vec<Step>> = requests.iter().map(|r| Step::all(&r.history)).collect();
    let input = Input {
        config: &store.config,
        calendar: store.calendar.as_ref(),
        stages: &stages,
        requests: &requests,
        steps: &steps,
        customers: &customers,
        articles: &[],
        gaps: &gaps,
        searches: &presales::report::kb::NO_SEARCHES,
        window,
        include_confidential: false,
    };
    let data = Dataset::new(&input);
    let weekly = report::weekly::build(&data);
    let sla = report::sla_report::build(&data, false);
    let perf = report::performance::build(&data, None);
    let _ = report::kb::build(&data);
    let gap_report = report::gaps::build(&data);
    for c in &customers {
        let (items, summary) = report::customer::history(
            &c.id,
            &requests,
            data.clock,
            &store.config.workflow.paused_stages,
            data.window().as_of,
            &|k| store.config.is_complaint(k),
        );
        finite_numbers_only(&serde_saphyr::to_string(&(items, summary)).unwrap());
    }
    for text in [
        serde_saphyr::to_string(&weekly).unwrap(),
        serde_saphyr::to_string(&sla).unwrap(),
        serde_saphyr::to_string(&perf).unwrap(),
        serde_saphyr::to_string(&gap_report).unwrap(),
    ] {
        finite_numbers_only(&text);
    }
}

/// What the renderers would print has no NaN and no infinity: in YAML these are the plain
/// scalars `.nan`, `.inf` and `-.inf` (a string spelled so is quoted).
fn finite_numbers_only(yaml: &str) {
    for line in yaml.lines() {
        let t = line.trim_end();
        let v = t
            .rsplit(": ")
            .next()
            .unwrap_or(t)
            .trim_start_matches("- ")
            .trim();
        assert!(
            !matches!(v, ".nan" | ".inf" | "-.inf"),
            "a report holds {v}:\n{yaml}"
        );
    }
}

/// presales.toml as `text`, through the parser, the validation, the workflow, the calendar,
/// and (when it opens) `check` and the reports; every write refused while it has problems.
fn judge_config(sandbox: &Sandbox, text: &str) {
    let _ = presales::store::format::StoreFormat::peek(text);
    let _ = Config::parse_skipping_unknown(text);
    if let Ok(c) = Config::parse(text) {
        let lines = text.lines().count() as u64 + 1;
        for p in c.problems(text) {
            assert!(p.line >= 1 && p.line <= lines && p.column >= 1, "{p:?}");
        }
        let _ = Workflow::new(&c.workflow);
        if let Some(cal) = &c.calendar {
            let _ = cal.validate();
        }
        let _ = config::problems_summary(&c.problems(text));
    }
    sandbox.write(Path::new(CONFIG_FILE), text);
    if let Ok(store) = Store::open(sandbox.root().to_path_buf()) {
        if !store.config_problems.is_empty() {
            let e = store.lock().err().expect("a write is refused");
            assert!(e.to_string().starts_with("presales.toml:"), "{e}");
        }
        let _ = check::check_store(&store, today());
        let loaded = check::Loaded::default();
        let _ = check::config_findings(&store);
        let files = [BaseFile {
            path: PathBuf::from(CONFIG_FILE),
            change: presales::git::Change::Modified,
            base_text: Some(seeds().config.clone()),
        }];
        let _ = check::gate::judge(&store, &loaded, &files, Some(text));
        let _ = check::gate::judge(&store, &loaded, &files, Some(&seeds().config));
        reports(&store);
    }
    sandbox.write(Path::new(CONFIG_FILE), &seeds().config);
}

// ─── mutations ───────────────────────────────────────────────────────────────────────────

#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    /// The value of a `key: value` (or `key = value`, or `- value`) line.
    ReplaceValue(usize, String),
    InsertLine(usize, String),
    /// Keep this share (in 1/256) of the text.
    Truncate(u8),
    ReplaceChar(usize, char),
}

/// Values that have broken parsers before, or might: numbers past every limit, YAML and
/// TOML special words, timestamps at the ends of the calendar, control characters, nesting.
const NASTY: &[&str] = &[
    "",
    "~",
    "null",
    "[]",
    "{}",
    "0",
    "-0",
    "-1",
    "-2",
    "1e400",
    "-1e400",
    ".inf",
    "-.inf",
    ".nan",
    "inf",
    "-inf",
    "nan",
    "+nan",
    "NaN",
    "1e15",
    "1000000000000000",
    "'1000000000000000'",
    "79228162514264337593543950335",
    "'79228162514264337593543950335'",
    "-79228162514264337593543950335",
    "79228162514264337593543950336",
    "'7922816251426433759354395033.5'",
    "0.0000000000000000000000000001",
    "'0.00000000000000000000000000001'",
    "'1e30'",
    "18446744073709551616",
    "-9223372036854775809",
    "9223372036854775807",
    "255",
    "256",
    "4294967296",
    "\"2026-02-30T10:00:00+08:00\"",
    "2026-02-30T10:00:00+08:00",
    "9999-12-31T23:59:59-23:59",
    "0000-01-01T00:00:00+23:59",
    "'0001-01-01T00:00:00Z'",
    "2026-11-27T10:00:00Z",
    "2026-11-27",
    "+262143-12-31",
    "1979-05-27T07:32:00Z",
    "P1",
    "P9",
    "closed",
    "registered",
    "waiting",
    "li.na",
    "Li.Na",
    "\"../x\"",
    "../../etc/passwd",
    "/etc/passwd",
    "REQ-20261127-AAAAAAA",
    "SOL-99991231-ZZZZZZZ",
    "CUS-00000101-0000000",
    "*a",
    "&a x",
    "!!binary aGVsbG8=",
    "!custom x",
    "|",
    ">-",
    "'",
    "\"",
    "? x",
    "- x",
    "{a: [b, {c: d}]}",
    "[1, [2, [3, [4]]]]",
    "\u{0}",
    "\u{7}",
    "\u{1b}[31m",
    "\u{202e}gnp.exe",
    "\u{feff}",
    "中文 的 值",
    "😀",
    "\t",
    "\r",
    "true",
    "false",
    "yes",
    "NO",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "<<: *a",
    "%YAML 1.2",
    "---",
    "...",
    "#",
];

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(NASTY).prop_map(str::to_string),
        3 => prop_oneof![proptest::sample::select(NASTY).prop_map(str::to_string), ".{0,24}"]
            .prop_map(|s| serde_json::to_string(&s).unwrap_or_default()),
        2 => timestamp(),
        2 => ".{0,24}",
        1 => any::<i64>().prop_map(|n| n.to_string()),
        1 => any::<f64>().prop_map(|f| format!("{f:e}")),
        1 => (1usize..60).prop_map(|n| format!("1{}", "0".repeat(n))),
        1 => (1usize..40).prop_map(|n| format!("-{}.{}", "9".repeat(n), "9".repeat(n))),
        1 => (1usize..300).prop_map(|n| format!("{}{}", "[".repeat(n), "]".repeat(n))),
        1 => (1usize..300).prop_map(|n| "{a: ".repeat(n) + "1" + &"}".repeat(n)),
        1 => (1usize..4000).prop_map(|n| "x".repeat(n)),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let i = any::<usize>();
    prop_oneof![
        2 => i.prop_map(Mutation::DeleteLine),
        1 => i.prop_map(Mutation::DuplicateLine),
        1 => (i, i).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        12 => (i, value()).prop_map(|(a, v)| Mutation::ReplaceValue(a, v)),
        1 => (i, value()).prop_map(|(a, v)| Mutation::InsertLine(a, v)),
        1 => any::<u8>().prop_map(Mutation::Truncate),
        1 => (i, any::<char>()).prop_map(|(a, c)| Mutation::ReplaceChar(a, c)),
    ]
}

/// `text` with `mutations` applied; `sep` is what separates a key from its value.
fn mutate(text: &str, mutations: &[Mutation], sep: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut out_text = None;
    for m in mutations {
        if lines.is_empty() {
            lines.push(String::new());
        }
        let n = lines.len();
        match m {
            Mutation::DeleteLine(i) => {
                lines.remove(i % n);
            }
            Mutation::DuplicateLine(i) => {
                let l = lines[i % n].clone();
                lines.insert(i % n, l);
            }
            Mutation::SwapLines(a, b) => lines.swap(a % n, b % n),
            Mutation::ReplaceValue(i, v) => {
                let l = &lines[i % n];
                let new = if let Some(at) = l.find(sep) {
                    format!("{}{v}", &l[..at + sep.len()])
                } else if let Some(at) = l.find("- ") {
                    format!("{}{v}", &l[..at + 2])
                } else {
                    v.clone()
                };
                lines[i % n] = new;
            }
            Mutation::InsertLine(i, v) => lines.insert(i % (n + 1), v.clone()),
            Mutation::Truncate(keep) => {
                let joined = lines.join("\n");
                let mut cut = joined.len() * (*keep as usize) / 256;
                while !joined.is_char_boundary(cut) {
                    cut -= 1;
                }
                out_text = Some(joined[..cut].to_string());
                break;
            }
            Mutation::ReplaceChar(i, c) => {
                let l = &lines[i % n];
                let chars: Vec<char> = l.chars().collect();
                if !chars.is_empty() {
                    let at = (i / n.max(1)) % chars.len();
                    let mut chars = chars;
                    chars[at] = *c;
                    lines[i % n] = chars.into_iter().collect();
                }
            }
        }
    }
    out_text.unwrap_or_else(|| {
        let mut t = lines.join("\n");
        t.push('\n');
        t
    })
}

/// Timestamps and dates around every edge of the calendar, mostly well-formed.
fn timestamp() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just(0i32), Just(1), Just(1970), 2025..2028i32, Just(9999)],
        0u32..=13,
        0u32..=32,
        0u32..=25,
        prop_oneof![
            Just("Z"),
            Just("+08:00"),
            Just("+23:59"),
            Just("-23:59"),
            Just("+14:00")
        ],
        any::<bool>(),
    )
        .prop_map(|(y, mo, d, h, off, date_only)| {
            if date_only {
                format!("\"{y:04}-{mo:02}-{d:02}\"")
            } else {
                format!("\"{y:04}-{mo:02}-{d:02}T{h:02}:00:00{off}\"")
            }
        })
}

/// A change to a record's value tree: the text stays YAML, the content goes wrong.
#[derive(Debug, Clone)]
enum Edit {
    /// The n-th node (pre-order) becomes this value.
    Set(usize, Value),
    /// The n-th node is removed from its map or list.
    Remove(usize),
    /// The n-th node, if a list item, is repeated.
    Repeat(usize),
    /// A new history entry, as a command would write it: a copy of the n-th entry with a
    /// fresh operation id, a later time, and some of its fields set to these values.
    Forge(usize, u32, Vec<(usize, Value)>),
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => proptest::sample::select(NASTY).prop_map(|s| Value::String(s.to_string())),
        3 => timestamp().prop_map(|s| Value::String(s.trim_matches('"').to_string())),
        2 => ".{0,24}".prop_map(Value::String),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        1 => any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        1 => prop_oneof![0u8..=6, Just(255u8)].prop_map(Value::from),
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => Just(serde_json::json!([])),
        1 => Just(serde_json::json!({})),
        1 => Just(serde_json::json!([{"x": 1}])),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    let i = any::<usize>();
    prop_oneof![
        6 => (i, leaf()).prop_map(|(n, v)| Edit::Set(n, v)),
        2 => i.prop_map(Edit::Remove),
        1 => i.prop_map(Edit::Repeat),
        4 => (i, any::<u32>(), proptest::collection::vec((i, leaf()), 0..3))
            .prop_map(|(n, op, fields)| Edit::Forge(n, op, fields)),
    ]
}

/// JSON pointers of every node below the root, in pre-order.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                pointers(c, p, out);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(c, p, out);
            }
        }
        _ => {}
    }
}

/// Appends a forged entry (see [`Edit::Forge`]) to `v`'s history.
fn forge(v: &mut Value, n: usize, op: u32, fields: &[(usize, Value)]) {
    let Some(history) = v.get_mut("history").and_then(Value::as_array_mut) else {
        return;
    };
    if history.is_empty() {
        return;
    }
    let mut entry = history[n % history.len()].clone();
    let Some(map) = entry.as_object_mut() else {
        return;
    };
    let code: String = (0..10)
        .map(|k| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ"[((op >> (k * 3)) as usize + k) % 32] as char)
        .collect();
    map.insert("op".into(), Value::String(code));
    map.insert(
        "at".into(),
        Value::String("2026-11-27T11:00:00+08:00".into()),
    );
    for (k, value) in fields {
        let keys: Vec<String> = map.keys().cloned().collect();
        let key = &keys[k % keys.len()];
        map.insert(key.clone(), value.clone());
    }
    history.push(entry);
}

fn apply_edits(mut v: Value, edits: &[Edit]) -> Value {
    for e in edits {
        if let Edit::Forge(n, op, fields) = e {
            forge(&mut v, *n, *op, fields);
            continue;
        }
        let mut all = Vec::new();
        pointers(&v, String::new(), &mut all);
        if all.is_empty() {
            break;
        }
        let n = match e {
            Edit::Set(n, _) | Edit::Remove(n) | Edit::Repeat(n) | Edit::Forge(n, ..) => {
                *n % all.len()
            }
        };
        let p = &all[n];
        let (parent, last) = p.rsplit_once('/').unwrap();
        match e {
            Edit::Set(_, new) => {
                if let Some(node) = v.pointer_mut(p) {
                    *node = new.clone();
                }
            }
            Edit::Forge(..) => {}
            Edit::Remove(_) | Edit::Repeat(_) => match v.pointer_mut(parent) {
                Some(Value::Object(m)) => {
                    if matches!(e, Edit::Remove(_)) {
                        m.remove(&last.replace("~1", "/").replace("~0", "~"));
                    }
                }
                Some(Value::Array(a)) => {
                    let i: usize = last.parse().unwrap();
                    if matches!(e, Edit::Remove(_)) {
                        a.remove(i);
                    } else {
                        let item = a[i].clone();
                        a.insert(i, item);
                    }
                }
                _ => {}
            },
        }
    }
    v
}

fn fuzz_config() -> ProptestConfig {
    let mut c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = 64;
    }
    c
}

/// One sandbox per property (each property runs its cases one after another).
fn sandbox() -> &'static std::sync::Mutex<Sandbox> {
    thread_local! {
        static SANDBOX: &'static std::sync::Mutex<Sandbox> =
            Box::leak(Box::new(std::sync::Mutex::new(Sandbox::new())));
    }
    SANDBOX.with(|s| *s)
}

proptest! {
    #![proptest_config(fuzz_config())]

    #[test]
    fn mutated_records_never_panic_the_gate(
        which in any::<usize>(),
        mutations in proptest::collection::vec(mutation(), 1..5),
    ) {
        if !run_case("mutated_records") {
            return Ok(());
        }
        let seeds = seeds();
        let (rel, text) = &seeds.records[which % seeds.records.len()];
        let mutated = mutate(text, &mutations, ": ");
        let sandbox = sandbox().lock().unwrap_or_else(|e| e.into_inner());
        judge_record(&sandbox, rel, &mutated);
    }

    #[test]
    fn records_with_wrong_content_never_panic_the_gate(
        which in any::<usize>(),
        edits in proptest::collection::vec(edit(), 1..4),
    ) {
        if !run_case("records_with_wrong_content") {
            return Ok(());
        }
        let seeds = seeds();
        let (rel, text) = &seeds.records[which % seeds.records.len()];
        let value: Value = yaml::parse(rel, text).unwrap();
        let edited = serde_saphyr::to_string(&apply_edits(value, &edits)).unwrap();
        let sandbox = sandbox().lock().unwrap_or_else(|e| e.into_inner());
        judge_record(&sandbox, rel, &edited);
    }

    #[test]
    fn mutated_presales_toml_never_panics(
        mutations in proptest::collection::vec(mutation(), 1..5),
    ) {
        if !run_case("mutated_presales_toml") {
            return Ok(());
        }
        let mutated = mutate(&seeds().config, &mutations, " = ");
        let sandbox = sandbox().lock().unwrap_or_else(|e| e.into_inner());
        judge_config(&sandbox, &mutated);
    }
}

// ─── regressions and end-to-end runs ─────────────────────────────────────────────────────

#[test]
fn every_seed_passes_the_gate_unchanged() {
    let sandbox = Sandbox::new();
    for (rel, text) in &seeds().records {
        judge_record(&sandbox, rel, text);
    }
    judge_config(&sandbox, &seeds().config);
}

#[test]
fn sla_limits_of_inf_nan_zero_or_negative_never_panic_a_report() {
    let sandbox = Sandbox::new();
    for v in ["inf", "-inf", "nan", "0", "-2", "1e300", "100001"] {
        let text = seeds()
            .config
            .replace("resolution_hours = 40", &format!("resolution_hours = {v}"))
            .replace(
                "first_response_hours = 8",
                &format!("first_response_hours = {v}"),
            );
        assert_ne!(text, seeds().config);
        judge_config(&sandbox, &text);
        let c = Config::parse(&text).unwrap();
        let p = c.problems(&text);
        assert_eq!(p.len(), 2, "{v}: {p:?}");
        assert!(p[0].message.ends_with(&format!("got {v}")), "{p:?}");
    }
}

const DECIMAL_MAX: &str = "79228162514264337593543950335";

/// A run of the binary that did not panic (exit 101 is a defect); returns stdout.
fn no_panic(env: &Env, args: &[&str]) -> (i32, String) {
    let r = env.run(args);
    assert!(
        r.code() == 0 || r.code() == 1,
        "{args:?} exited {}:\n{}\n{}",
        r.code(),
        r.stdout(),
        r.stderr()
    );
    assert!(!r.stderr().contains("panicked"), "{args:?}: {}", r.stderr());
    (r.code(), r.stdout())
}

/// The seed store on `main`, and branch `pr` checked out; the solution's path.
fn pull_request() -> (Env, String, PathBuf) {
    let (env, _req, sol) = seed_env();
    env.commit_all("main");
    env.git(&["checkout", "-q", "-b", "pr"]);
    let path = PathBuf::from(format!("solutions/2026/{sol}.yaml"));
    (env, sol, path)
}

#[test]
fn a_quotation_beyond_a_decimal_is_a_finding_of_check_and_check_base_never_a_panic() {
    let (env, sol, rel) = pull_request();
    let path = env.root().join(&rel);
    let base = std::fs::read_to_string(&path).unwrap();
    let line = |t: &str, key: &str| t.lines().position(|l| l.starts_with(key)).unwrap() + 1;
    for (qty, price, message) in [
        // 10^15 × 10^15 = 10^30: more than a decimal holds.
        (
            "1000000000000000",
            "1000000000000000",
            "quotation lines add up to more than a decimal holds",
        ),
        (
            DECIMAL_MAX,
            "2",
            "quotation lines add up to more than a decimal holds",
        ),
        (
            DECIMAL_MAX,
            "1",
            "quotation total 361.50 does not match its lines (79228162514264337593543950335)",
        ),
        (
            "-79228162514264337593543950335",
            DECIMAL_MAX,
            "quotation lines add up to more than a decimal holds",
        ),
    ] {
        let forged = base.replacen(
            "    quantity: \"3\"\n    unit_price: \"120.50\"",
            &format!("    quantity: \"{qty}\"\n    unit_price: \"{price}\""),
            1,
        );
        assert_ne!(forged, base);
        std::fs::write(&path, &forged).unwrap();
        env.commit_all("a quotation by hand");
        let want = format!(
            "{}:{}:1: error: {message}",
            rel.display(),
            line(&forged, "quotation:")
        );
        for args in [vec!["check"], vec!["check", "--base", "main"]] {
            let (code, out) = no_panic(&env, &args);
            assert_eq!(code, 1, "{args:?}: {out}");
            assert!(out.contains(&want), "{args:?}: missing {want}\n{out}");
        }
        let (code, out) = no_panic(&env, &["solution", "show", &sol]);
        assert_eq!(code, 0);
        assert!(out.contains(qty) && out.contains("TOTAL"), "{out}");
        no_panic(&env, &["report", "weekly"]);
        no_panic(&env, &["report", "weekly", "--format", "json"]);
    }
}

#[test]
fn a_forged_quote_entry_beyond_a_decimal_is_refused_by_the_replay() {
    // A solution in design (where quotes are legal), on main; on the branch a hand-written
    // `quote` entry of 10^15 × 10^15, which the replay runs through the command itself.
    let env = Env::new();
    let cus = env.customer("华东银行");
    let req = env.request(&cus, "报价", &[]);
    env.run_as("zhang.wei", &["assign", &req, "--to", "li.na"])
        .ok();
    env.run_as(
        "li.na",
        &[
            "assess",
            &req,
            "--feasibility",
            "feasible",
            "--difficulty",
            "2",
        ],
    )
    .ok();
    env.run_as("li.na", &["advance", &req]).ok();
    let sol = env
        .run_as("li.na", &["solution", "new", "--request", &req])
        .ok();
    env.commit_all("main");
    env.git(&["checkout", "-q", "-b", "pr"]);
    let rel = format!("solutions/2026/{sol}.yaml");
    let path = env.root().join(&rel);
    let base = std::fs::read_to_string(&path).unwrap();
    let big = "1000000000000000";
    let forged = base.replacen(
        "history:\n",
        &format!(
            "quotation:\n  currency: CNY\n  lines:\n  - item: 天价\n    quantity: \"{big}\"\n    unit_price: \"{big}\"\n  total: \"0\"\nhistory:\n"
        ),
        1,
    ) + &format!(
        "- at: \"2026-11-27T11:00:00+08:00\"\n  by: li.na\n  action: quote\n  op: ZZZZZZZZZZ\n  item: 天价\n  quantity: \"{big}\"\n  unit_price: \"{big}\"\n"
    );
    std::fs::write(&path, forged).unwrap();
    env.commit_all("a quote by hand");
    let (code, out) = no_panic(&env, &["check", "--base", "main"]);
    assert_eq!(code, 1);
    assert!(
        out.lines().any(|l| l.starts_with(&format!("{rel}:"))
            && l.contains("the quotation's total is too large to compute")),
        "{out}"
    );
}

#[test]
fn solution_show_of_efforts_and_amounts_beyond_a_decimal_does_not_panic() {
    // Regression: `solution show` summed the days and multiplied quantity by unit price
    // unchecked: "Addition overflowed", "Multiplication overflowed", exit 101.
    let (env, sol, rel) = pull_request();
    let path = env.root().join(&rel);
    let base = std::fs::read_to_string(&path).unwrap();
    let forged = base
        .replacen(
            "  days: \"5\"",
            &format!("  days: \"{DECIMAL_MAX}\"\n- role: architect\n  days: \"{DECIMAL_MAX}\""),
            1,
        )
        .replacen(
            "    quantity: \"3\"\n    unit_price: \"120.50\"",
            &format!("    quantity: \"{DECIMAL_MAX}\"\n    unit_price: \"{DECIMAL_MAX}\""),
            1,
        );
    assert_ne!(forged, base);
    std::fs::write(&path, forged).unwrap();
    let (code, out) = no_panic(&env, &["solution", "show", &sol]);
    assert_eq!(code, 0);
    assert!(out.contains("total effort: too large to add up"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.contains(DECIMAL_MAX) && l.contains("too large")),
        "{out}"
    );
    no_panic(&env, &["check"]);
    no_panic(&env, &["solution", "list"]);
    no_panic(&env, &["report", "weekly"]);
}

#[test]
fn solution_show_of_a_risk_scored_beyond_a_u8_does_not_panic() {
    // Regression: likelihood × impact overflowed a u8 ("attempt to multiply with overflow"
    // in a debug build, a wrong level in a release build).
    let (env, sol, rel) = pull_request();
    let path = env.root().join(&rel);
    let base = std::fs::read_to_string(&path).unwrap();
    let forged = base.replacen(
        "  likelihood: 3\n  impact: 4",
        "  likelihood: 200\n  impact: 200",
        1,
    );
    assert_ne!(forged, base);
    std::fs::write(&path, forged).unwrap();
    let (code, out) = no_panic(&env, &["solution", "show", &sol]);
    assert_eq!(code, 0);
    assert!(out.contains("255 (high)"), "{out}");
}
