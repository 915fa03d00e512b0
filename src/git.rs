//! The only module that runs git.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::{Error, Result};

fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.current_dir(dir);
    c
}

fn run(dir: &Path, args: &[&str]) -> Result<String> {
    let out = git(dir)
        .args(args)
        .output()
        .map_err(|e| Error::Git(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        return Err(Error::Git(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).to_string())
}

/// `git config user.email` as seen from `dir`, if git is installed and it is set.
pub fn user_email(dir: &Path) -> Option<String> {
    let email = run(dir, &["config", "user.email"]).ok()?.trim().to_string();
    (!email.is_empty()).then_some(email)
}

/// Whether `dir` is inside a git work tree.
pub fn is_repo(dir: &Path) -> bool {
    run(dir, &["rev-parse", "--is-inside-work-tree"]).is_ok_and(|o| o.trim() == "true")
}

/// The store's path inside its repository (`git rev-parse --show-prefix`), e.g. `deals/`.
pub fn prefix(dir: &Path) -> Result<String> {
    Ok(run(dir, &["rev-parse", "--show-prefix"])?
        .trim()
        .to_string())
}

/// How a file differs between a base revision and the working tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Added,
    Modified,
    Deleted,
}

/// Files under `dir` that differ between `base` and the working tree, relative to `dir`.
/// Renames are reported as a deletion and an addition, which is what they are for records.
pub fn changed_files(dir: &Path, base: &str) -> Result<Vec<(Change, PathBuf)>> {
    run(
        dir,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{base}^{{commit}}"),
        ],
    )
    .map_err(|_| {
        Error::invalid_with_hint(
            format!("`{base}` is not a commit in this repository"),
            "fetch it first, e.g. `git fetch origin main` and use --base origin/main",
        )
    })?;
    let out = run(
        dir,
        &[
            "diff",
            "--name-status",
            "--no-renames",
            "--relative",
            "-z",
            base,
            "--",
            ".",
        ],
    )?;
    let mut parts = out.split('\0').filter(|p| !p.is_empty());
    let mut changes = Vec::new();
    while let (Some(status), Some(path)) = (parts.next(), parts.next()) {
        let change = match status.chars().next() {
            Some('A') => Change::Added,
            Some('D') => Change::Deleted,
            _ => Change::Modified,
        };
        changes.push((change, PathBuf::from(path)));
    }
    // Untracked new files are part of the change too (a PR checkout has none, a local run may).
    let untracked = run(
        dir,
        &[
            "ls-files",
            "--others",
            "--exclude-standard",
            "-z",
            "--",
            ".",
        ],
    )?;
    for p in untracked.split('\0').filter(|p| !p.is_empty()) {
        changes.push((Change::Added, PathBuf::from(p)));
    }
    changes.sort_by(|a, b| a.1.cmp(&b.1));
    changes.dedup_by(|a, b| a.1 == b.1);
    Ok(changes)
}

/// Reads many files at `rev` with one `git cat-file --batch` process. `paths` are relative
/// to `dir`; missing files map to `None`.
pub fn read_at(
    dir: &Path,
    rev: &str,
    paths: &[PathBuf],
) -> Result<HashMap<PathBuf, Option<String>>> {
    let prefix = prefix(dir)?;
    let mut child = git(dir)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| Error::Git(format!("cannot run git cat-file: {e}")))?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| Error::Git("no stdin for git cat-file".into()))?;
    let queries: Vec<String> = paths
        .iter()
        .map(|p| format!("{rev}:{prefix}{}\n", p.to_string_lossy()))
        .collect();
    // Write from a thread so a large answer cannot dead-lock against our reading.
    let writer = std::thread::spawn(move || {
        for q in queries {
            if stdin.write_all(q.as_bytes()).is_err() {
                break;
            }
        }
    });
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| Error::Git("no stdout for git cat-file".into()))?;
    let mut reader = BufReader::new(stdout);
    let mut out = HashMap::new();
    for p in paths {
        let mut header = String::new();
        reader
            .read_line(&mut header)
            .map_err(|e| Error::Git(format!("git cat-file: {e}")))?;
        let fields: Vec<&str> = header.split_whitespace().collect();
        if fields.len() == 3 {
            let size: usize = fields[2].parse().unwrap_or(0);
            let mut buf = vec![0; size + 1];
            reader
                .read_exact(&mut buf)
                .map_err(|e| Error::Git(format!("git cat-file: {e}")))?;
            buf.pop();
            out.insert(p.clone(), Some(String::from_utf8_lossy(&buf).to_string()));
        } else {
            out.insert(p.clone(), None);
        }
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(out)
}

/// Commits exactly `paths` (relative or absolute) with `message`, authored by `author`.
pub fn commit(dir: &Path, paths: &[PathBuf], message: &str, author: Option<&str>) -> Result<()> {
    run(dir, &["rev-parse", "--git-dir"]).map_err(|_| {
        Error::invalid_with_hint(
            "--commit needs a git repository",
            "run `git init` in the store, or drop --commit",
        )
    })?;
    let list: Vec<String> = paths
        .iter()
        .map(|p| p.to_string_lossy().to_string())
        .collect();
    let mut add = vec!["add", "--"];
    add.extend(list.iter().map(String::as_str));
    run(dir, &add)?;
    let mut args = vec!["commit", "--quiet", "-m", message];
    if let Some(a) = author {
        args.push("--author");
        args.push(a);
    }
    args.push("--");
    args.extend(list.iter().map(String::as_str));
    let mut cmd = git(dir);
    cmd.args(&args);
    // Without a configured identity (a fresh CI runner), the caller commits as themselves.
    if user_email(dir).is_none()
        && let Some((name, email)) = author.and_then(|a| a.split_once(" <"))
    {
        cmd.env("GIT_COMMITTER_NAME", name)
            .env("GIT_COMMITTER_EMAIL", email.trim_end_matches('>'));
    }
    let out = cmd
        .output()
        .map_err(|e| Error::Git(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        return Err(Error::Git(format!(
            "git commit failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

/// Registers the merge driver in the git config of the repository holding `dir` when it is
/// missing there. Returns whether it registered it now; `Ok(false)` also when `dir` is not
/// in a git repository. Cheap on the common path: the repository's `config` file is read
/// directly, and git runs only when that file does not name the driver.
pub fn ensure_merge_driver(dir: &Path) -> Result<bool> {
    let Some(dot_git) = dir.ancestors().map(|d| d.join(".git")).find(|g| g.exists()) else {
        return Ok(false);
    };
    if dot_git.is_dir()
        && std::fs::read_to_string(dot_git.join("config"))
            .is_ok_and(|c| c.contains("[merge \"presales\"]") && c.contains("merge-file"))
    {
        return Ok(false);
    }
    // A worktree, a submodule, or a config the quick look could not read: ask git.
    if run(dir, &["config", "--get", "merge.presales.driver"]).is_ok_and(|d| !d.trim().is_empty()) {
        return Ok(false);
    }
    if !is_repo(dir) {
        return Ok(false);
    }
    register_merge_driver(dir)?;
    Ok(true)
}

/// Registers the YAML merge driver in the repository's config.
pub fn register_merge_driver(dir: &Path) -> Result<()> {
    run(
        dir,
        &["config", "merge.presales.name", "presales record merge"],
    )?;
    run(dir, &["config", "merge.presales.driver", MERGE_DRIVER])?;
    Ok(())
}

/// The driver command line git runs (`%O` base, `%A` ours and result, `%B` theirs, `%P` path).
pub const MERGE_DRIVER: &str = "presales merge-file %O %A %B %P";
