//! The shipped CI examples run as written, and the binary says which build it is.
//!
//! examples/ci is copied into users' repositories, where nothing checks it until a pull
//! request fails. So: every install step takes the pinned release (or builds its tag with
//! `cargo install --git`; no crate named `presales` is published), the pinned version is
//! this crate's, the release config builds what the examples download, and the pull-request
//! check runs on every pull request.

use serde_json::Value;
use std::path::{Path, PathBuf};

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Example {
    /// Relative to the repository root, for messages.
    path: String,
    text: String,
    /// The YAML document, as JSON values.
    doc: Value,
}

impl Example {
    fn is_github(&self) -> bool {
        self.path.starts_with("examples/ci/github/")
    }
}

/// Every YAML file under examples/ci/.
fn examples() -> Vec<Example> {
    let mut found = Vec::new();
    for dir in ["examples/ci/github", "examples/ci/gitlab"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                found.push(read(&path));
            }
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    let names: Vec<&str> = found.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        names,
        [
            "examples/ci/github/presales-check.yml",
            "examples/ci/github/presales-update-branch.yml",
            "examples/ci/github/presales-weekly.yml",
            "examples/ci/gitlab/.gitlab-ci.yml",
        ],
        "a new CI example needs its rules here"
    );
    found
}

fn read(path: &Path) -> Example {
    let text = std::fs::read_to_string(path).unwrap();
    let rel = path
        .strip_prefix(root())
        .unwrap()
        .to_string_lossy()
        .to_string();
    let doc: Value = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
    Example {
        path: rel,
        text,
        doc,
    }
}

/// Every string in the document (scripts, step inputs, variables), with its JSON pointer.
fn strings<'a>(v: &'a Value, at: String, out: &mut Vec<(String, &'a str)>) {
    match v {
        Value::String(s) => out.push((at, s)),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                strings(item, format!("{at}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                strings(item, format!("{at}/{k}"), out);
            }
        }
        _ => {}
    }
}

/// The shell lines of the document that are not comments.
fn shell_lines(e: &Example) -> Vec<(String, String)> {
    let mut all = Vec::new();
    strings(&e.doc, String::new(), &mut all);
    let mut lines = Vec::new();
    for (at, s) in all {
        for line in s.lines() {
            let line = line.trim();
            if !line.is_empty() && !line.starts_with('#') {
                lines.push((at.clone(), line.to_string()));
            }
        }
    }
    lines
}

fn cargo_toml() -> toml::Table {
    let text = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    toml::from_str(&text).unwrap()
}

fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(*k))
}

#[test]
fn install_steps_never_install_the_unpublished_crate() {
    for e in examples() {
        for (at, line) in shell_lines(&e) {
            if line.contains("cargo install") {
                for flag in [
                    "--git \"$PRESALES_REPO\"",
                    "--tag \"v$PRESALES_VERSION\"",
                    "--locked",
                ] {
                    assert!(
                        line.contains(flag),
                        "{} ({at}): `{line}` lacks {flag}",
                        e.path
                    );
                }
            }
        }
    }
    // Nor do the docs tell anyone to (the changelog only records that the examples did).
    // Once the crate is published, `cargo install presales --version X --locked` works too.
    let mut docs = vec![root().join("README.md")];
    for entry in std::fs::read_dir(root().join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if !path.ends_with("CHANGELOG.md") && path.extension().is_some_and(|e| e == "md") {
            docs.push(path);
        }
    }
    for path in docs {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("cargo install presales"),
            "{}: `cargo install presales` installs nothing: no such crate is published",
            path.display()
        );
    }
}

#[test]
fn every_example_pins_this_version_and_verifies_the_download() {
    let repository = cargo_toml()["package"]["repository"]
        .as_str()
        .unwrap()
        .to_string();
    for e in examples() {
        let vars = if e.is_github() { "env" } else { "variables" };
        let pinned = get(&e.doc, &[vars, "PRESALES_VERSION"]);
        assert_eq!(
            pinned.and_then(Value::as_str),
            Some(VERSION),
            "{}: {vars}.PRESALES_VERSION must be this crate's version (a quoted string)",
            e.path
        );
        let repo = get(&e.doc, &[vars, "PRESALES_REPO"]).and_then(Value::as_str);
        assert_eq!(repo, Some(repository.as_str()), "{}: PRESALES_REPO", e.path);
        // The version and repository are named once, in those variables.
        assert_eq!(e.text.matches(VERSION).count(), 1, "{}: version", e.path);
        assert_eq!(e.text.matches(&repository).count(), 1, "{}: repo", e.path);

        let lines = shell_lines(&e);
        let has = |needle: &str| lines.iter().any(|(_, l)| l.contains(needle));
        assert!(
            has("$PRESALES_REPO/releases/download/v$PRESALES_VERSION/"),
            "{}: installs the pinned release",
            e.path
        );
        assert!(has("sha256sum -c"), "{}: verifies the checksum", e.path);
        assert!(has("cargo install --git"), "{}: has the fallback", e.path);
        assert!(
            lines
                .iter()
                .any(|(_, l)| l.contains("presales") && l.ends_with(" --version")),
            "{}: logs which presales it runs",
            e.path
        );
    }
}

#[test]
fn examples_download_what_the_release_builds() {
    let cargo = cargo_toml();
    let dist = &cargo["workspace"]["metadata"]["dist"];
    let targets: Vec<&str> = dist["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    // The examples name `presales-$(uname -m)-unknown-linux-musl.tar.xz`: Linux runners
    // are x86_64 or aarch64.
    for arch in ["x86_64", "aarch64"] {
        let target = format!("{arch}-unknown-linux-musl");
        assert!(targets.contains(&target.as_str()), "dist builds {target}");
    }
    assert_eq!(dist["checksum"].as_str(), Some("sha256"));
    for e in examples() {
        let lines = shell_lines(&e);
        assert!(
            lines
                .iter()
                .any(|(_, l)| l
                    .contains("archive=\"presales-$(uname -m)-unknown-linux-musl.tar.xz\"")),
            "{}: the archive name dist gives a Linux musl build",
            e.path
        );
    }
}

#[test]
fn pull_request_checks_run_on_every_pull_request() {
    let mut checks = 0;
    for e in examples() {
        if e.is_github() {
            let Some(pr) = get(&e.doc, &["on", "pull_request"]) else {
                continue;
            };
            checks += 1;
            for filter in ["paths", "paths-ignore"] {
                assert!(
                    pr.get(filter).is_none(),
                    "{}: on.pull_request.{filter} skips pull requests",
                    e.path
                );
            }
        } else {
            let Some(jobs) = e.doc.as_object() else {
                continue;
            };
            for (name, job) in jobs {
                let Some(rules) = job.get("rules").and_then(Value::as_array) else {
                    continue;
                };
                let on_mr = rules.iter().any(|r| {
                    r.get("if")
                        .and_then(Value::as_str)
                        .is_some_and(|c| c.contains("merge_request_event"))
                });
                if on_mr {
                    checks += 1;
                    for rule in rules {
                        assert!(
                            rule.get("changes").is_none(),
                            "{}: {name}: rules: changes skips merge requests",
                            e.path
                        );
                    }
                }
            }
        }
    }
    assert_eq!(
        checks, 2,
        "one pull-request check for GitHub, one for GitLab"
    );
}

#[test]
fn version_names_the_release_and_the_commit() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_presales"))
        .arg("--version")
        .env_clear()
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let text = text.trim();
    // src/build.rs sets PRESALES_GIT_COMMIT only when it built from a git checkout of this
    // crate; a build from the crates.io package says the version alone.
    match option_env!("PRESALES_GIT_COMMIT") {
        Some(hash) => {
            assert!(
                hash.len() >= 7 && hash.chars().all(|c| c.is_ascii_hexdigit()),
                "{hash}"
            );
            let prefix = format!("presales {VERSION} ({hash} ");
            assert!(text.starts_with(&prefix), "{text:?} starts with {prefix:?}");
            let date = text[prefix.len()..].trim_end_matches(')');
            assert!(
                chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok(),
                "{text:?} ends with the commit date"
            );
        }
        None => assert_eq!(text, format!("presales {VERSION}")),
    }
}

/// The `presales dashboard` line of a job's script, and the folder it writes.
fn dashboard_line(e: &Example) -> (String, String) {
    let lines: Vec<String> = shell_lines(e)
        .into_iter()
        .map(|(_, l)| l)
        .filter(|l| l.starts_with("presales dashboard") || l.starts_with("run: presales dashboard"))
        .collect();
    assert_eq!(lines.len(), 1, "{}: one dashboard build: {lines:?}", e.path);
    let line = lines[0].split(" #").next().unwrap().trim().to_string();
    let words: Vec<&str> = line.split_whitespace().collect();
    let out = words
        .iter()
        .position(|w| *w == "--out")
        .and_then(|i| words.get(i + 1))
        .unwrap_or_else(|| panic!("{}: `{line}` has no --out", e.path))
        .trim_end_matches('/')
        .to_string();
    assert!(
        words.windows(2).any(|w| w == ["--week", "last"]),
        "{}: the dashboard is of the week that has just ended: {line}",
        e.path
    );
    (line, out)
}

#[test]
fn weekly_jobs_build_the_dashboard_and_publish_it_to_pages() {
    for e in examples() {
        if e.path.ends_with("presales-weekly.yml") {
            let (_, out) = dashboard_line(&e);
            let report = get(&e.doc, &["jobs", "report", "steps"]).unwrap();
            let uses = |name: &str| -> Vec<&Value> {
                report
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|s| {
                        s.get("uses")
                            .and_then(|u| u.as_str())
                            .is_some_and(|u| u.starts_with(name))
                    })
                    .collect()
            };
            let pages = uses("actions/upload-pages-artifact@");
            assert_eq!(pages.len(), 1, "{}", e.path);
            let path = get(pages[0], &["with", "path"]).unwrap().as_str().unwrap();
            assert_eq!(
                path.trim_end_matches('/'),
                out,
                "{}: Pages gets the site",
                e.path
            );
            let artifact = uses("actions/upload-artifact@");
            let kept = get(artifact[0], &["with", "path"])
                .unwrap()
                .as_str()
                .unwrap();
            assert!(
                kept.lines().any(|l| l.trim().trim_end_matches('/') == out),
                "{}: the site is kept as an artifact too",
                e.path
            );
            let deploy = get(&e.doc, &["jobs", "deploy"]).expect("a deploy job");
            assert_eq!(get(deploy, &["needs"]).unwrap(), "report");
            assert_eq!(get(deploy, &["permissions", "pages"]).unwrap(), "write");
            assert_eq!(get(deploy, &["permissions", "id-token"]).unwrap(), "write");
            assert_eq!(
                get(deploy, &["environment", "name"]).unwrap(),
                "github-pages"
            );
            let steps = get(deploy, &["steps"]).unwrap().as_array().unwrap();
            assert!(
                steps.iter().any(|s| s
                    .get("uses")
                    .and_then(|u| u.as_str())
                    .is_some_and(|u| u.starts_with("actions/deploy-pages@"))),
                "{}",
                e.path
            );
            assert!(
                e.text.contains("public even"),
                "{}: the Pages warning",
                e.path
            );
        }
        if e.path.ends_with(".gitlab-ci.yml") {
            let (_, out) = dashboard_line(&e);
            assert_eq!(out, "public", "GitLab Pages publishes public/");
            let pages = get(&e.doc, &["pages"]).expect("a `pages` job");
            let paths = get(pages, &["artifacts", "paths"]).unwrap();
            assert_eq!(paths, &serde_json::json!(["public"]));
            assert!(
                e.text.contains("public even"),
                "{}: the Pages warning",
                e.path
            );
        }
    }
}

#[test]
fn the_dashboard_lines_of_the_examples_run_as_written() {
    let demo = root().join("examples/demo");
    for e in examples() {
        if !(e.path.ends_with("presales-weekly.yml") || e.path.ends_with(".gitlab-ci.yml")) {
            continue;
        }
        let (line, out) = dashboard_line(&e);
        let dir = tempfile::tempdir().unwrap();
        let copied = std::process::Command::new("cp")
            .arg("-a")
            .arg(demo.join("."))
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(copied.success());
        let words: Vec<&str> = line
            .trim_start_matches("run: ")
            .split_whitespace()
            .collect();
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_presales"))
            .args(&words[1..])
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("PRESALES_NOW", "2026-11-30T09:00:00+08:00")
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}: `{line}`: {}",
            e.path,
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(
            dir.path().join(&out).join("index.html").is_file(),
            "{}",
            e.path
        );
    }
}
