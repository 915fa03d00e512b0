//! Messages in the product's words: a catalogue of bad inputs (command lines, record files)
//! run through the binary. Every one fails cleanly (exit 1 or 2, never a panic) and no
//! message speaks the libraries' language.

mod common;

use common::Env;

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

fn clean(what: &str, r: &common::Run) {
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

#[test]
fn bad_command_lines_get_product_messages() {
    let env = Env::new();
    let cus = env.customer("华东银行");
    let req = env.request(&cus, "智慧园区", &["--skill", "network"]);
    let cases: Vec<(&str, Vec<&str>)> = vec![
        (
            "priority",
            vec![
                "new",
                "--title",
                "t",
                "--customer",
                &cus,
                "--priority",
                "P9",
            ],
        ),
        (
            "due",
            vec![
                "new",
                "--title",
                "t",
                "--customer",
                &cus,
                "--due",
                "2026-13-01",
            ],
        ),
        (
            "due text",
            vec![
                "new",
                "--title",
                "t",
                "--customer",
                &cus,
                "--due",
                "tomorrow",
            ],
        ),
        (
            "unknown customer",
            vec!["new", "--title", "t", "--customer", "nobody"],
        ),
        (
            "title with ESC",
            vec![
                "new",
                "--title",
                "a\u{1b}]52;c;eA==\u{7}b",
                "--customer",
                &cus,
            ],
        ),
        (
            "title with newline",
            vec!["new", "--title", "a\nb", "--customer", &cus],
        ),
        (
            "title with bidi",
            vec!["new", "--title", "a\u{202e}b", "--customer", &cus],
        ),
        (
            "satisfaction -1",
            vec![
                "close",
                &req,
                "--outcome",
                "won",
                "--summary",
                "s",
                "--satisfaction",
                "-1",
            ],
        ),
        (
            "satisfaction 9",
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
        ),
        (
            "difficulty text",
            vec![
                "assess",
                &req,
                "--feasibility",
                "feasible",
                "--difficulty",
                "hard",
            ],
        ),
        (
            "outcome",
            vec!["close", &req, "--outcome", "maybe", "--summary", "s"],
        ),
        ("unknown id", vec!["show", "REQ-20200101-0000000"]),
        ("bad id", vec!["show", "../../etc/passwd"]),
        ("format", vec!["--format", "xml", "list"]),
        (
            "unknown member",
            vec!["--as", "zhang.wei", "assign", &req, "--to", "ghost"],
        ),
        ("not a lead", vec!["assign", &req, "--to", "li.na"]),
        ("empty comment", vec!["comment", &req, "  "]),
        ("stage", vec!["list", "--stage", "nowhere"]),
        ("week", vec!["report", "weekly", "--week", "2026-W99"]),
        ("as-of", vec!["report", "weekly", "--as-of", "yesterday"]),
    ];
    for (what, args) in cases {
        clean(what, &env.run(&args));
    }
    let r = env
        .cmd()
        .args(["list"])
        .env("PRESALES_NOW", "2026-11-27T10:00:00")
        .output()
        .unwrap();
    clean("PRESALES_NOW", &common::Run { out: r });
}

#[test]
fn malformed_record_files_get_product_messages() {
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
    ];
    for (what, text) in cases {
        std::fs::write(&path, &text).unwrap();
        clean(&format!("show ({what})"), &env.run(&["show", &req]));
        clean(&format!("check ({what})"), &env.run(&["check"]));
        clean(
            &format!("check --base ({what})"),
            &env.run(&["check", "--base", "HEAD"]),
        );
        let list = env.run(&["list"]);
        assert_eq!(list.code(), 1, "list ({what}) reports the file and exits 1");
        assert!(!list.stderr().contains("panicked"), "{}", list.stderr());
    }
}
