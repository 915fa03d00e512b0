//! The only module that runs git.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::{Error, GitFailure, Result};

fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.current_dir(dir);
    c
}

/// The error of `git ARGS` failing for `why`.
fn failed(args: &[&str], why: GitFailure) -> Error {
    Error::Git {
        args: args.join(" "),
        source: why,
    }
}

/// git could not be started, or its pipes broke.
fn cannot_run<'a>(args: &'a [&'a str]) -> impl FnOnce(std::io::Error) -> Error + 'a {
    move |e| failed(args, GitFailure::Run(e))
}

/// git ran and exited with an error: its status and stderr.
fn exited(args: &[&str], out: &std::process::Output) -> Error {
    failed(
        args,
        GitFailure::Exit {
            status: out.status,
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        },
    )
}

fn run(dir: &Path, args: &[&str]) -> Result<String> {
    let out = git(dir).args(args).output().map_err(cannot_run(args))?;
    if !out.status.success() {
        return Err(exited(args, &out));
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

/// The files git tracks under `path` (relative to `dir`), relative to `dir`: `git ls-files`.
pub fn tracked(dir: &Path, path: &Path) -> Result<Vec<PathBuf>> {
    let out = run(dir, &["ls-files", "-z", "--", &path.to_string_lossy()])?;
    Ok(out
        .split('\0')
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .collect())
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
/// `base` is a commit already verified ([`fork_point`], [`merge_base`]): a PR check runs
/// this on every push, so no git process is spent asking again.
pub fn changed_files(dir: &Path, base: &str) -> Result<Vec<(Change, PathBuf)>> {
    // Untracked new files are part of the change too (a PR checkout has none, a local run
    // may). Both reads stat the whole tree, so they run side by side.
    let (out, untracked) = std::thread::scope(|s| {
        let untracked = s.spawn(|| {
            run(
                dir,
                &[
                    "ls-files",
                    "--others",
                    "--exclude-standard",
                    "-z",
                    "--",
                    ".",
                ],
            )
        });
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
        );
        let untracked = untracked
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (out, untracked)
    });
    let (out, untracked) = (out?, untracked?);
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
    for p in untracked.split('\0').filter(|p| !p.is_empty()) {
        changes.push((Change::Added, PathBuf::from(p)));
    }
    changes.sort_by(|a, b| a.1.cmp(&b.1));
    changes.dedup_by(|a, b| a.1 == b.1);
    Ok(changes)
}

/// Reads many files at `rev` with one `git cat-file --batch` process. `paths` are relative
/// to `dir` (asked as `REV:./PATH`, git's name for a path relative to where it runs, so the
/// store's place in its repository is never looked up); missing files map to `None`.
pub fn read_at(
    dir: &Path,
    rev: &str,
    paths: &[PathBuf],
) -> Result<HashMap<PathBuf, Option<String>>> {
    let args = ["cat-file", "--batch"];
    let mut child = git(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(cannot_run(&args))?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| failed(&args, GitFailure::Answer("no stdin to write to")))?;
    let queries: Vec<String> = paths
        .iter()
        .map(|p| format!("{rev}:./{}\n", p.to_string_lossy()))
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
        .ok_or_else(|| failed(&args, GitFailure::Answer("no stdout to read from")))?;
    let mut reader = BufReader::new(stdout);
    let mut out = HashMap::new();
    for p in paths {
        let mut header = String::new();
        reader.read_line(&mut header).map_err(cannot_run(&args))?;
        let fields: Vec<&str> = header.split_whitespace().collect();
        if fields.len() == 3 {
            let size: usize = fields[2].parse().unwrap_or(0);
            let mut buf = vec![0; size + 1];
            reader.read_exact(&mut buf).map_err(cannot_run(&args))?;
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
    // Relative to the store (git runs there), so an error names them as the user sees them.
    let list: Vec<String> = paths
        .iter()
        .map(|p| {
            p.strip_prefix(dir)
                .unwrap_or(p)
                .to_string_lossy()
                .to_string()
        })
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
    // What an error shows: the paths say what was committed; the message is left out.
    let mut shown = vec!["commit", "--"];
    shown.extend(list.iter().map(String::as_str));
    let out = cmd.output().map_err(cannot_run(&shown))?;
    if !out.status.success() {
        return Err(exited(&shown, &out));
    }
    Ok(())
}

/// Refuses a `rev` that names no commit, with the fix.
fn verify_commit(dir: &Path, rev: &str) -> Result<()> {
    run(
        dir,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .map_err(|_| {
        Error::invalid_with_hint(
            format!("`{rev}` is not a commit in this repository"),
            "fetch it first, e.g. `git fetch origin main` and use --base origin/main",
        )
    })?;
    Ok(())
}

/// The commit a change is judged from: the merge-base of `rev` and HEAD, or `rev` itself
/// when the history does not reach it (a shallow clone). Errors when `rev` is not a commit.
pub fn fork_point(dir: &Path, rev: &str) -> Result<String> {
    verify_commit(dir, rev)?;
    match run(dir, &["merge-base", rev, "HEAD"]) {
        Ok(out) if !out.trim().is_empty() => Ok(out.trim().to_string()),
        _ => Ok(rev.to_string()),
    }
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

/// A commit as `check --verify-authors` sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub hash: String,
    /// First parent first; empty for a root commit.
    pub parents: Vec<String>,
    /// The author's e-mail as recorded in the commit (`%ae`: no mailmap).
    pub author_email: String,
    /// git's verdict on the signature (`%G?`): `G` good, `U` good but from a key git does not
    /// trust, `N` none (or not checkable), `B` bad, `X`/`Y` expired, `R` revoked, `E` error.
    /// `N` when signatures were not asked for.
    pub signature: char,
    /// The fingerprint of the signing key (`%GF`; `SHA256:…` for SSH), empty if unsigned.
    pub key: String,
    /// The fingerprint of the primary key of a GPG signing subkey (`%GP`); empty for SSH.
    pub primary_key: String,
}

/// The best common ancestor of `rev` and HEAD. A shallow clone is refused: its oldest
/// commits look like root commits that wrote every file, and the ancestor may be missing.
pub fn merge_base(dir: &Path, rev: &str) -> Result<String> {
    verify_commit(dir, rev)?;
    if run(dir, &["rev-parse", "--is-shallow-repository"]).is_ok_and(|o| o.trim() == "true") {
        return Err(Error::invalid_with_hint(
            "this is a shallow clone; verifying who committed each history entry needs the \
             whole history of the branch",
            "fetch it with `git fetch --unshallow`, or check out with `fetch-depth: 0`",
        ));
    }
    let out = run(dir, &["merge-base", rev, "HEAD"]).map_err(|_| {
        Error::invalid_with_hint(
            format!("`{rev}` and HEAD have no common ancestor"),
            "use the branch this one was started from as --base",
        )
    })?;
    Ok(out.trim().to_string())
}

/// The commits of `from..HEAD` that change files under `dir`, parents before children.
/// Merges are included and both sides of each are followed (`--full-history`), so no commit
/// that changed the store is left out. With `signatures`, git checks each commit's signature.
pub fn commits_since(dir: &Path, from: &str, signatures: bool) -> Result<Vec<Commit>> {
    let format = if signatures {
        "--format=tformat:%H%x00%P%x00%ae%x00%G?%x00%GF%x00%GP"
    } else {
        "--format=tformat:%H%x00%P%x00%ae"
    };
    let range = format!("{from}..HEAD");
    let out = run(
        dir,
        &[
            "log",
            "--no-show-signature",
            "--full-history",
            "--topo-order",
            "--reverse",
            format,
            &range,
            "--",
            ".",
        ],
    )?;
    Ok(out
        .lines()
        .filter(|l| !l.is_empty())
        .map(|line| {
            let mut f = line.split('\0');
            let mut next = || f.next().unwrap_or_default().trim().to_string();
            Commit {
                hash: next(),
                parents: next().split_whitespace().map(str::to_string).collect(),
                author_email: next(),
                signature: next().chars().next().unwrap_or('N'),
                key: next(),
                primary_key: next(),
            }
        })
        .collect())
}

/// The files under `dir` (relative to it) that each commit changed against its first parent,
/// or all of its files for a root commit: one `git diff-tree --stdin` process for all.
pub fn files_changed(dir: &Path, commits: &[Commit]) -> Result<Vec<Vec<PathBuf>>> {
    let input: String = commits
        .iter()
        .map(|c| match c.parents.first() {
            Some(p) => format!("{} {p}\n", c.hash),
            None => format!("{}\n", c.hash),
        })
        .collect();
    let out = run_with_input(
        dir,
        &[
            "diff-tree",
            "--stdin",
            "--root",
            "-r",
            "--no-renames",
            "--name-only",
            "--relative",
            "-z",
        ],
        input,
    )?;
    let index: HashMap<&str, usize> = commits
        .iter()
        .enumerate()
        .map(|(i, c)| (c.hash.as_str(), i))
        .collect();
    let mut files = vec![Vec::new(); commits.len()];
    // Each commit's list starts with its hash (commits that change nothing here print none).
    let mut current = None;
    for token in out.split(|b| *b == 0).filter(|t| !t.is_empty()) {
        let token = String::from_utf8_lossy(token);
        let token = token.trim_start_matches('\n');
        if let Some(&i) = index.get(token) {
            current = Some(i);
        } else if let Some(i) = current {
            files[i].push(PathBuf::from(token));
        }
    }
    Ok(files)
}

/// Reads many files, each at its own revision, with one `git cat-file --batch` process.
/// Paths are relative to `dir`; a file missing at its revision reads as `None`.
pub fn read_revs(dir: &Path, wanted: &[(String, PathBuf)]) -> Result<Vec<Option<String>>> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let input: String = wanted
        .iter()
        .map(|(rev, p)| format!("{rev}:./{}\n", p.to_string_lossy()))
        .collect();
    let args = ["cat-file", "--batch"];
    let out = run_with_input(dir, &args, input)?;
    let mut rest = out.as_slice();
    let mut texts = Vec::with_capacity(wanted.len());
    for _ in wanted {
        let end = rest
            .iter()
            .position(|b| *b == b'\n')
            .ok_or_else(|| failed(&args, GitFailure::Answer("the answer was cut short")))?;
        let header = String::from_utf8_lossy(&rest[..end]).to_string();
        rest = &rest[end + 1..];
        // `<oid> <type> <size>`, then the content and a newline; or `<query> missing`.
        let fields: Vec<&str> = header.split(' ').collect();
        let size = match fields.as_slice() {
            [_, kind, size] if !header.ends_with(" missing") => {
                size.parse::<usize>().ok().map(|s| (*kind == "blob", s))
            }
            _ => None,
        };
        match size {
            Some((is_blob, size)) if rest.len() > size => {
                texts.push(is_blob.then(|| String::from_utf8_lossy(&rest[..size]).to_string()));
                rest = &rest[size + 1..];
            }
            Some(_) => {
                return Err(failed(
                    &args,
                    GitFailure::Answer("the answer was cut short"),
                ));
            }
            None => texts.push(None),
        }
    }
    Ok(texts)
}

/// Runs git with `input` on its stdin (written from a thread, so a large answer cannot
/// dead-lock against the writing) and returns its stdout.
fn run_with_input(dir: &Path, args: &[&str], input: String) -> Result<Vec<u8>> {
    let mut child = git(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(cannot_run(args))?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| failed(args, GitFailure::Answer("no stdin to write to")))?;
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let out = child.wait_with_output().map_err(cannot_run(args))?;
    let _ = writer.join();
    if !out.status.success() {
        return Err(exited(args, &out));
    }
    Ok(out.stdout)
}
