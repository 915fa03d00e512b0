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
        if !path.ends_with("CHANGELOG.md") {
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
