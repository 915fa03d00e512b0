//! `presales dashboard` and `--format html`: every page well-formed and self-contained
//! (parsed with html5ever through `scraper`), charts labelled for screen readers, record
//! text escaped, the same bytes twice, and every number of every chart table equal to the
//! value `--format json` prints for the command the row names. In headless Chromium, when
//! one is installed (else skipped with a message): the rendered DOM holds the same numbers,
//! no console error, and screenshots at desktop and phone widths.

mod common;

use common::Env;
use scraper::{Html, Selector};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const AS_OF: &str = "2026-12-01T09:00:00+08:00";

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

fn site(env: &Env, name: &str) -> PathBuf {
    let out = env.root().join(name);
    env.run(&[
        "dashboard",
        "--out",
        out.to_str().unwrap(),
        "--as-of",
        AS_OF,
    ])
    .ok();
    out
}

fn pages(dir: &Path) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    found.sort();
    found
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

/// The structural rules every page keeps.
fn check_page(name: &str, text: &str) {
    assert!(text.starts_with("<!DOCTYPE html>\n"), "{name}");
    let doc = Html::parse_document(text);
    assert!(doc.errors.is_empty(), "{name}: {:?}", doc.errors);
    let title = doc.select(&sel("head > title")).next().expect("a <title>");
    assert!(
        !title.text().collect::<String>().trim().is_empty(),
        "{name}"
    );
    assert!(doc.select(&sel("html[lang]")).next().is_some(), "{name}");
    assert!(
        doc.select(&sel("meta[charset=utf-8]")).next().is_some(),
        "{name}"
    );
    assert!(
        doc.select(&sel("script")).next().is_none(),
        "{name}: no script"
    );
    assert!(
        doc.select(&sel("link, img, iframe, object"))
            .next()
            .is_none(),
        "{name}"
    );
    for el in doc.select(&sel("[src], [href]")) {
        for attr in ["src", "href"] {
            if let Some(v) = el.value().attr(attr) {
                assert!(
                    !v.contains("//") && !v.starts_with('/') && !v.contains(':'),
                    "{name}: {attr}={v} leaves the site"
                );
            }
        }
    }
    let style: String = doc.select(&sel("style")).flat_map(|s| s.text()).collect();
    assert!(
        !style.contains("@import") && !style.contains("url("),
        "{name}"
    );
    assert!(
        style.contains("\"PingFang SC\""),
        "{name}: CJK system fonts"
    );
    for table in doc.select(&sel("table")) {
        let heads = table.select(&sel("thead th[scope=col]")).count();
        assert!(heads > 0, "{name}: a table without headers");
        for row in table.select(&sel("tbody tr")) {
            assert_eq!(
                row.select(&sel("td")).count(),
                heads,
                "{name}: {}",
                row.html()
            );
        }
    }
    for svg in doc.select(&sel("svg")) {
        assert_eq!(svg.value().attr("role"), Some("img"), "{name}");
        let t = svg.select(&sel("title")).next().expect("an svg <title>");
        assert!(!t.text().collect::<String>().trim().is_empty(), "{name}");
        assert!(svg.select(&sel("desc")).next().is_some(), "{name}");
    }
    // Every chart has its numbers in a table beside it.
    for fig in doc.select(&sel("figure")) {
        assert!(fig.select(&sel("svg")).next().is_some(), "{name}");
        assert!(fig.select(&sel("table")).next().is_some(), "{name}");
    }
}

/// A JSON value as the pages show it.
fn text_of(v: Option<&serde_json::Value>) -> String {
    match v {
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Bool(b)) => b.to_string(),
        _ => "n/a".to_string(),
    }
}

/// Every `td[data-ptr]` equals the value at that pointer of `presales <data-args> --format
/// json`; returns how many cells were compared.
fn numbers_match_json(
    env: &Env,
    html: &str,
    cache: &mut HashMap<String, serde_json::Value>,
) -> usize {
    let doc = Html::parse_document(html);
    let mut compared = 0;
    for row in doc.select(&sel("tr[data-args]")) {
        let args = row.value().attr("data-args").unwrap().to_string();
        let json = cache.entry(args.clone()).or_insert_with(|| {
            let mut full: Vec<&str> = args.split_whitespace().collect();
            full.extend(["--format", "json"]);
            serde_json::from_str(&env.run(&full).ok()).unwrap()
        });
        for td in row.select(&sel("td[data-ptr]")) {
            let ptr = td.value().attr("data-ptr").unwrap();
            let shown: String = td.text().collect();
            assert!(json.pointer(ptr).is_some(), "{args}: no {ptr}");
            assert_eq!(shown, text_of(json.pointer(ptr)), "{args} {ptr}");
            compared += 1;
        }
    }
    compared
}

#[test]
fn every_page_is_well_formed_self_contained_and_reproducible() {
    let env = demo_store();
    let a = site(&env, "site-a");
    let b = site(&env, "site-b");
    let pa = pages(&a);
    let names: Vec<&str> = pa.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "capacity.html",
            "gaps.html",
            "index.html",
            "kb.html",
            "performance.html",
            "sla.html",
            "weekly.html",
            "winloss.html"
        ]
    );
    assert_eq!(
        pa,
        pages(&b),
        "the same store and as-of give the same bytes"
    );
    for (name, text) in &pa {
        check_page(name, text);
        // Every page links to every other, and only to them.
        let doc = Html::parse_document(text);
        let links: Vec<&str> = doc
            .select(&sel("nav a"))
            .map(|a| a.value().attr("href").unwrap())
            .collect();
        for l in &links {
            assert!(names.contains(l), "{name} links to {l}");
        }
        assert_eq!(links.len(), names.len(), "{name}");
    }
    let index = &pa.iter().find(|(n, _)| n == "index.html").unwrap().1;
    let doc = Html::parse_document(index);
    let figures: Vec<&str> = doc
        .select(&sel("figure"))
        .map(|f| f.value().attr("id").unwrap())
        .collect();
    assert_eq!(
        figures,
        [
            "intake",
            "sla-trend",
            "now",
            "cycle",
            "wip",
            "workload",
            "capacity",
            "winrate",
            "kb",
            "gaps"
        ]
    );
    // Confidential items stay redacted, as in the reports.
    assert!(index.contains("[confidential]"));
    assert!(
        !index.contains("核心系统灾备演练支持"),
        "a confidential title leaked"
    );
}

/// The inside of a page's `<main>`.
fn main_of(page: &str) -> &str {
    let from = page.find("<main>\n").expect("a <main>") + "<main>\n".len();
    let to = page.rfind("\n</main>").expect("a </main>");
    &page[from..to]
}

/// Each report page of the site is the page its command prints with `--format html`: the
/// last paragraph names the command, and the rest of the page's `<main>` must be that
/// command's, byte for byte. For the current week (whose weekly report the trend's last
/// week shares) and for an earlier week read later (which it does not).
#[test]
fn every_report_page_is_the_page_its_command_prints() {
    let env = demo_store();
    for (name, week) in [("site-now", None), ("site-earlier", Some("2026-W47"))] {
        let out = env.root().join(name);
        let mut args = vec![
            "dashboard",
            "--out",
            out.to_str().unwrap(),
            "--as-of",
            AS_OF,
        ];
        if let Some(w) = week {
            args.extend(["--week", w]);
        }
        env.run(&args).ok();
        let mut compared = 0;
        for (page, text) in pages(&out) {
            if page == "index.html" {
                continue;
            }
            let main = main_of(&text);
            let (rest, note) = main
                .rsplit_once("\n<p>The same numbers: presales ")
                .unwrap();
            let command = note
                .strip_suffix(" --format json</p>")
                .unwrap()
                .replace("&#x2f;", "/")
                .replace("&amp;", "&");
            if let Some(w) = week {
                assert!(
                    command.contains(&format!("--week {w}")),
                    "{page}: {command}"
                );
            }
            let mut run: Vec<&str> = command.split(' ').collect();
            run.extend(["--format", "html"]);
            let printed = env.run(&run).ok();
            assert_eq!(rest, main_of(&printed), "{name}/{page} is not `{command}`");
            compared += 1;
        }
        assert_eq!(compared, 7, "{name}");
    }
}

#[test]
fn every_chart_number_is_the_reports_json() {
    let env = demo_store();
    let dir = site(&env, "site");
    let mut cache = HashMap::new();
    let index = std::fs::read_to_string(dir.join("index.html")).unwrap();
    let compared = numbers_match_json(&env, &index, &mut cache);
    assert!(compared > 100, "only {compared} numbers compared");
    // The intake chart draws what its table says: the stacked columns of a week add up
    // to the week's total.
    let doc = Html::parse_document(&index);
    let fig = doc.select(&sel("figure#intake")).next().unwrap();
    let rects: f64 = fig
        .select(&sel("svg rect > title"))
        .map(|t| {
            let t: String = t.text().collect();
            t.rsplit(' ').next().unwrap().parse::<f64>().unwrap()
        })
        .sum();
    let total: f64 = fig
        .select(&sel("td[data-ptr='/intake/total']"))
        .map(|t| t.text().collect::<String>().parse::<f64>().unwrap())
        .sum();
    assert_eq!(rects, total);
}

/// The index's table of requests breached or at risk now is the last week's `report
/// weekly` attention list, those two reasons only, in its order: the dashboard turns only
/// that part of the list into JSON.
#[test]
fn the_urgent_table_is_the_weekly_reports_breached_and_at_risk() {
    let env = demo_store();
    // An instant when the demo store has requests of both reasons.
    let dir = env.root().join("site");
    env.run(&[
        "dashboard",
        "--out",
        dir.to_str().unwrap(),
        "--as-of",
        "2026-11-27T10:00:00+08:00",
    ])
    .ok();
    let index = std::fs::read_to_string(dir.join("index.html")).unwrap();
    let doc = Html::parse_document(&index);
    // The last week's report, as the rows of the "now" figure name it.
    let args: String = doc
        .select(&sel("figure#now tr[data-args]"))
        .next()
        .unwrap()
        .value()
        .attr("data-args")
        .unwrap()
        .to_string();
    let mut full: Vec<&str> = args.split_whitespace().collect();
    full.extend(["--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&env.run(&full).ok()).unwrap();
    let expected: Vec<(String, String)> = json["attention"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| matches!(a["reason"].as_str(), Some("breached" | "at_risk")))
        .map(|a| {
            (
                a["reason"].as_str().unwrap().to_string(),
                a["request"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for reason in ["breached", "at_risk"] {
        assert!(expected.iter().any(|(r, _)| r == reason), "{expected:?}");
    }
    let table = doc
        .select(&sel("table"))
        .find(|t| {
            t.select(&sel("th"))
                .next()
                .is_some_and(|th| th.text().collect::<String>() == "REASON")
        })
        .unwrap();
    let shown: Vec<(String, String)> = table
        .select(&sel("tbody tr"))
        .map(|tr| {
            let tds: Vec<String> = tr.select(&sel("td")).map(|t| t.text().collect()).collect();
            (tds[0].clone(), tds[1].clone())
        })
        .collect();
    assert_eq!(shown, expected);
}

#[test]
fn record_text_is_escaped_in_html_reports_and_the_dashboard() {
    let env = Env::new();
    let cus = env.customer("<b>ACME</b> & 华东");
    env.request(&cus, "<img src=x onerror=alert(1)> 智慧园区", &[]);
    let page = env.run(&["report", "weekly", "--format", "html"]).ok();
    check_page("report weekly", &format!("{page}\n"));
    assert!(
        page.contains("&lt;img src=x onerror=alert(1)&gt; 智慧园区"),
        "{page}"
    );
    let dir = env.root().join("site");
    env.run(&["dashboard", "--out", dir.to_str().unwrap()]).ok();
    for (name, text) in pages(&dir) {
        check_page(&name, &text);
        assert!(
            !text.contains("<img") && !text.contains("<b>ACME"),
            "{name}"
        );
    }
    for report in ["sla", "performance", "kb", "capacity", "winloss", "gaps"] {
        let page = env.run(&["report", report, "--format", "html"]).ok();
        check_page(report, &format!("{page}\n"));
    }
    let list = env.run(&["list", "--format", "html"]).ok();
    check_page("list", &format!("{list}\n"));
    assert!(list.contains("&lt;img src=x"), "{list}");
}

/// The browser to drive, if one is installed: `PRESALES_CHROMIUM`, else the usual names.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PRESALES_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in [
            "chromium",
            "chromium-browser",
            "google-chrome",
            "google-chrome-stable",
        ] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn headless(browser: &Path, args: &[&str]) -> std::process::Output {
    let profile = tempfile::tempdir().unwrap();
    std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            &format!("--user-data-dir={}", profile.path().display()),
        ])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_dashboard_in_headless_chromium() {
    let Some(browser) = chromium() else {
        println!(
            "skipped: no chromium installed (apt-get install chromium, or set PRESALES_CHROMIUM)"
        );
        return;
    };
    let env = demo_store();
    let dir = site(&env, "site");
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let mut cache = HashMap::new();
    for (name, _) in pages(&dir) {
        let url = format!("file://{}", dir.join(&name).display());
        let out = headless(&browser, &["--dump-dom", &url]);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let dom = String::from_utf8(out.stdout).unwrap();
        let log = String::from_utf8_lossy(&out.stderr);
        for line in log.lines() {
            assert!(
                !line.contains("CONSOLE") && !line.contains("Uncaught"),
                "{name}: {line}"
            );
        }
        assert!(dom.contains("<main>"), "{name}: {dom}");
        if name == "index.html" {
            assert!(numbers_match_json(&env, &dom, &mut cache) > 100);
        }
        let stem = name.trim_end_matches(".html");
        for (label, size) in [("desktop", "1280,2000"), ("phone", "390,2400")] {
            let png = shots.join(format!("{stem}-{label}.png"));
            let out = headless(
                &browser,
                &[
                    &format!("--window-size={size}"),
                    &format!("--screenshot={}", png.display()),
                    &url,
                ],
            );
            assert!(out.status.success(), "{name} {label}");
            let bytes = std::fs::read(&png).unwrap();
            assert!(
                bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000,
                "{}",
                png.display()
            );
        }
    }
    println!("screenshots in {}", shots.display());
}
