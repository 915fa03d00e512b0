//! Tables that fit: on a terminal (`PRESALES_FORCE_TTY=1` stands in for one) output fits
//! `COLUMNS`, cut with `…` between characters, never through a Chinese one; piped output
//! and `--wide` are never cut; `list --columns` chooses the columns.

mod common;

use common::Env;
use std::path::Path;
use unicode_width::UnicodeWidthStr;

fn demo_store() -> Env {
    let env = Env::bare();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo");
    let out = std::process::Command::new("cp")
        .arg("-a")
        .arg(demo.join("."))
        .arg(env.root())
        .output()
        .unwrap();
    assert!(out.status.success());
    env.commit_all("the demo store");
    env.run(&["list"]).ok();
    env
}

/// stdout of `args` as on a terminal `columns` wide.
fn on_terminal(env: &Env, columns: &str, args: &[&str]) -> String {
    let out = env
        .cmd()
        .env("PRESALES_FORCE_TTY", "1")
        .env("COLUMNS", columns)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn piped(env: &Env, args: &[&str]) -> String {
    let out = env.cmd().env("COLUMNS", "80").args(args).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// The read commands of the README's tour, and every report, on the demo store.
const COMMANDS: &[&[&str]] = &[
    &["list"],
    &["list", "--open"],
    &["inbox", "--as", "li.na"],
    &["show", "REQ-20261104-94W1CDH"],
    &["solution", "show", "SOL-20261107-AGA81C0"],
    &["kb", "search", "怎么派工"],
    &["search", "网络"],
    &["kb", "list"],
    &["team"],
    &["customer", "list"],
    &[
        "assign",
        "REQ-20261124-AQ3YAFY",
        "--auto",
        "--dry-run",
        "--as",
        "zhang.wei",
    ],
    &["sla"],
    &["report", "weekly", "--week", "2026-W48"],
    &["report", "sla", "--week", "2026-W48"],
    &["report", "performance", "--week", "2026-W48"],
    &["report", "kb", "--week", "2026-W48"],
    &["report", "capacity", "--week", "2026-W48"],
    &["report", "winloss", "--month", "2026-11"],
];

#[test]
fn at_80_columns_no_line_is_wider_than_the_terminal() {
    let env = demo_store();
    for args in COMMANDS {
        let text = on_terminal(&env, "80", args);
        for line in text.lines() {
            assert!(
                line.width() <= 80,
                "{args:?} is {} wide:\n{line}",
                line.width()
            );
        }
        // Piped, and with --wide, nothing is cut: the same bytes as each other.
        let wide = on_terminal(&env, "80", &[&["--wide"], *args].concat());
        assert_eq!(piped(&env, args), wide, "{args:?}");
    }
}

#[test]
fn a_cut_title_is_a_prefix_of_the_title_and_keeps_chinese_characters_whole() {
    let env = demo_store();
    let titles: Vec<String> = env
        .json(&["list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap().to_string())
        .collect();
    for columns in ["60", "72", "80", "100"] {
        let text = on_terminal(&env, columns, &["list", "--columns", "id,title"]);
        let mut cut = 0;
        for (line, title) in text.lines().skip(2).zip(&titles) {
            let shown = line.split_once("   ").unwrap().1.trim();
            if let Some(prefix) = shown.strip_suffix('…') {
                cut += 1;
                assert!(title.starts_with(prefix), "{shown} of {title}");
                // The cut is as late as the width allows: the next character and the `…`
                // did not both fit in the column (a row is one narrower than the rule).
                let next = title[prefix.len()..].chars().next().unwrap();
                let left = columns.parse::<usize>().unwrap() - line.width();
                assert!(
                    unicode_width::UnicodeWidthChar::width(next).unwrap() + 1 > left,
                    "{columns}: cut too early: {line}"
                );
            } else {
                assert_eq!(shown, title);
            }
        }
        if columns == "60" {
            assert!(cut > 0, "nothing was cut at 60 columns:\n{text}");
        }
    }
}

#[test]
fn list_columns_chooses_the_columns_in_every_format() {
    let env = demo_store();
    let text = env
        .run(&["list", "--columns", "id,stage,assignee,title"])
        .ok();
    let header: Vec<&str> = text.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["ID", "STAGE", "ASSIGNEE", "TITLE"]);
    let csv = env
        .run(&["list", "--columns", "title,pri", "--format", "csv"])
        .ok();
    assert!(csv.starts_with("TITLE,PRI\n"), "{csv}");
    let bad = env.run(&["list", "--columns", "id,colour"]).usage();
    assert!(bad.contains("colour"), "{bad}");
    // A narrow terminal leaves out whole columns before it cuts titles to nothing.
    let narrow = on_terminal(&env, "80", &["list"]);
    let header: Vec<&str> = narrow.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["ID", "STAGE", "PRI", "TITLE", "ASSIGNEE"]);
}
