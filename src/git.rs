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

/// Files under `dir` that differ between `base` and the working tree, relative to `dir`:
/// the tracked files whose text differs and the untracked ones (not ignored). Renames are
/// reported as a deletion and an addition, which is what they are for records. `base` is a
/// commit already verified ([`fork_point`], [`merge_base`]).
pub fn changed_files(dir: &Path, base: &str) -> Result<Vec<(Change, PathBuf)>> {
    changes_from(dir, || Ok(base.to_string())).map(|(_, changes)| changes)
}

/// The commit a change since `rev` is judged from ([`fork_point`]) and the files that
/// differ between it and the working tree ([`changed_files`]). A PR check runs this on
/// every push: the work tree is read while git finds the fork point, so the two cost the
/// time of the slower.
pub fn changed_since(dir: &Path, rev: &str) -> Result<(String, Vec<(Change, PathBuf)>)> {
    changes_from(dir, || fork_point(dir, rev))
}

/// Three reads side by side: the work tree against HEAD (`git diff HEAD`, which stats every
/// tracked file), the untracked files (`git ls-files --others`, which reads every folder),
/// and, once `base` has named the commit, what was committed since it (a comparison of
/// trees, which reads no file). A file git did not compare with the base itself (changed
/// in a commit and again on the work tree, or dropped from the index and left on disk) is
/// compared by its blob.
fn changes_from(
    dir: &Path,
    base: impl FnOnce() -> Result<String>,
) -> Result<(String, Vec<(Change, PathBuf)>)> {
    let diff = |from: &str, to: Option<&str>| {
        let mut args = vec![
            "diff",
            "--raw",
            "--no-abbrev",
            "--no-renames",
            "--relative",
            "-z",
            from,
        ];
        args.extend(to);
        args.extend(["--", "."]);
        run(dir, &args)
    };
    let (committed, work, untracked) = std::thread::scope(|s| {
        let work = s.spawn(|| diff("HEAD", None));
        let untracked = s.spawn(|| {
            let args = [
                "ls-files",
                "--others",
                "--exclude-standard",
                "-z",
                "--",
                ".",
            ];
            run(dir, &args)
        });
        let committed = base().and_then(|base| {
            let committed = diff(&base, Some("HEAD"))?;
            Ok((base, committed))
        });
        let join = |h: std::thread::ScopedJoinHandle<'_, Result<String>>| {
            h.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        };
        (committed, join(work), join(untracked))
    });
    let ((base, committed), work, untracked) = (committed?, work?, untracked?);
    // Each file committed since the base, with its blob there.
    let committed: HashMap<PathBuf, Before> = raw_diff(&committed).collect();
    // Each file that differs on the work tree, with its blob at HEAD.
    let mut touched: HashMap<PathBuf, Before> = raw_diff(&work).collect();
    let untracked: std::collections::HashSet<PathBuf> = untracked
        .split('\0')
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .collect();
    for p in &untracked {
        // Dropped from the index yet on disk, it is both: HEAD's blob is kept.
        touched.entry(p.clone()).or_insert(Before::None);
    }
    let mut paths: Vec<&PathBuf> = committed.keys().chain(touched.keys()).collect();
    paths.sort();
    paths.dedup();
    let mut changes = Vec::new();
    let mut maybe_same = Vec::new();
    for path in paths {
        // Unchanged since the base unless committed since: then the base has HEAD's blob.
        let before = committed.get(path).unwrap_or_else(|| &touched[path]);
        let meta = std::fs::symlink_metadata(dir.join(path));
        // A folder where the file was is the file gone, as git sees it (what it holds is
        // listed on its own). A plain file can be hashed as git would store it; a link is
        // simply changed.
        let here = meta.as_ref().is_ok_and(|m| !m.is_dir());
        let file = meta.as_ref().is_ok_and(|m| m.is_file());
        match (before, here) {
            (Before::None, true) => changes.push((Change::Added, path.clone())),
            (Before::None, false) => {}
            (_, false) => changes.push((Change::Deleted, path.clone())),
            // git compared the work tree with HEAD, not with the base, or not at all.
            (Before::Blob(blob), true)
                if file
                    && (untracked.contains(path)
                        || committed.contains_key(path) && touched.contains_key(path)) =>
            {
                maybe_same.push((path.clone(), blob.clone()))
            }
            (_, true) => changes.push((Change::Modified, path.clone())),
        }
    }
    if !maybe_same.is_empty() {
        let mut args = vec!["hash-object", "--"];
        let names: Vec<String> = maybe_same
            .iter()
            .map(|(p, _)| p.to_string_lossy().into_owned())
            .collect();
        args.extend(names.iter().map(String::as_str));
        let now = run(dir, &args)?;
        for ((path, blob), now) in maybe_same.into_iter().zip(now.lines()) {
            if blob != now.trim() {
                changes.push((Change::Modified, path));
            }
        }
    }
    changes.sort_by(|a, b| a.1.cmp(&b.1));
    Ok((base, changes))
}

/// What a file was on the old side of a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Before {
    /// It was not there.
    None,
    /// This blob.
    Blob(String),
    /// Unmerged: it was there, its blob is not told.
    Unmerged,
}

/// The files of a `git diff --raw --no-abbrev -z` and what each was on the old side.
fn raw_diff(out: &str) -> impl Iterator<Item = (PathBuf, Before)> + '_ {
    let mut parts = out.split('\0');
    std::iter::from_fn(move || {
        loop {
            let (head, path) = (parts.next()?, parts.next()?);
            // `:OLD_MODE NEW_MODE OLD_BLOB NEW_BLOB STATUS`
            let fields: Vec<&str> = head.split(' ').collect();
            let [old_mode, _, old_blob, _, status] = fields.as_slice() else {
                continue;
            };
            let before = if status.starts_with('U') {
                Before::Unmerged
            } else if old_mode.trim_start_matches(':') == "000000" {
                Before::None
            } else {
                Before::Blob(old_blob.to_string())
            };
            return Some((PathBuf::from(path), before));
        }
    })
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
        let header = header.trim_end_matches('\n');
        // `<oid> <type> <size>`, or `<object> missing` (`ambiguous`) when there is none:
        // the name may hold spaces, so only a size at the end says it was found.
        let size = header
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse::<usize>().ok());
        if let Some(size) = size {
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
/// (One git process on the common path: `rev` is verified only when there is no
/// merge-base, to tell a missing commit from a shallow history.)
pub fn fork_point(dir: &Path, rev: &str) -> Result<String> {
    match run(dir, &["merge-base", "--end-of-options", rev, "HEAD"]) {
        Ok(out) if !out.trim().is_empty() => Ok(out.trim().to_string()),
        _ => {
            verify_commit(dir, rev)?;
            Ok(rev.to_string())
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sh(dir: &Path, args: &[&str]) -> String {
        let out = git(dir)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    }

    /// The files of the store that git would see at the work tree (tracked, or untracked
    /// and not ignored) against those of `base`, compared by content: the truth
    /// [`changed_files`] must tell, worked out the slow way.
    fn truth(dir: &Path, base: &str) -> Vec<(Change, PathBuf)> {
        let split = |s: String| -> Vec<PathBuf> {
            s.split('\0')
                .filter(|p| !p.is_empty())
                .map(PathBuf::from)
                .collect()
        };
        let then = split(sh(
            dir,
            &["ls-tree", "-r", "-z", "--name-only", base, "--", "."],
        ));
        let now = split(sh(
            dir,
            &[
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
                "--",
                ".",
            ],
        ));
        let mut all: Vec<PathBuf> = then.iter().chain(&now).cloned().collect();
        all.sort();
        all.dedup();
        let mut out = Vec::new();
        for p in all {
            let was = then.contains(&p);
            let is = now.contains(&p) && dir.join(&p).is_file();
            let name = p.to_string_lossy().to_string();
            match (was, is) {
                (true, false) => out.push((Change::Deleted, p)),
                (false, true) => out.push((Change::Added, p)),
                (true, true) => {
                    let old = sh(dir, &["rev-parse", &format!("{base}:./{name}")]);
                    let new = sh(dir, &["hash-object", "--", &name]);
                    if old != new {
                        out.push((Change::Modified, p));
                    }
                }
                (false, false) => {}
            }
        }
        out
    }

    #[test]
    fn a_raw_diff_tells_what_each_file_was_before() {
        let h = "a".repeat(40);
        let z = "0".repeat(40);
        let out = format!(
            ":100644 100644 {h} {z} M\0a b.yaml\0:000000 100644 {z} {z} A\0new.yaml\0\
             :100644 000000 {h} {z} D\0gone.yaml\0:000000 000000 {z} {z} U\0both.yaml\0"
        );
        let got: Vec<(PathBuf, Before)> = raw_diff(&out).collect();
        assert_eq!(
            got,
            [
                ("a b.yaml".into(), Before::Blob(h.clone())),
                ("new.yaml".into(), Before::None),
                ("gone.yaml".into(), Before::Blob(h)),
                ("both.yaml".into(), Before::Unmerged),
            ]
        );
    }

    #[test]
    fn read_at_gives_each_files_text_at_a_revision_and_none_where_there_is_none() {
        let repo = tempfile::tempdir().unwrap();
        let root = repo.path();
        sh(root, &["init", "-q"]);
        std::fs::write(root.join("a b.yaml"), "spaced\n").unwrap();
        std::fs::write(root.join("x.yaml"), "plain\n").unwrap();
        sh(root, &["add", "-A"]);
        sh(root, &["commit", "-q", "-m", "one"]);
        let paths: Vec<PathBuf> = ["a b.yaml", "gone x.yaml", "x.yaml", "no.yaml"]
            .map(PathBuf::from)
            .to_vec();
        let texts = read_at(root, "HEAD", &paths).unwrap();
        let text = |p: &str| texts[Path::new(p)].clone();
        assert_eq!(text("a b.yaml").as_deref(), Some("spaced\n"));
        // `<path with spaces> missing` is not an object of three fields.
        assert_eq!(text("gone x.yaml"), None);
        assert_eq!(text("x.yaml").as_deref(), Some("plain\n"));
        assert_eq!(text("no.yaml"), None);
    }

    const FILES: [&str; 7] = [
        "a.yaml",
        "dir/b.yaml",
        "dir/sub/c.yaml",
        "new dir/d e.yaml",
        "x/y/z.yaml",
        "notes.log",
        "文件.yaml",
    ];

    /// What a step does to one file: nothing, write one of three texts, delete it, or put
    /// a folder holding a file in its place.
    fn apply(root: &Path, file: &str, op: u8) {
        let path = root.join(file);
        match op % 6 {
            0 => {}
            1..=3 => {
                let _ = std::fs::remove_dir_all(&path);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, format!("text {}\n", op % 6)).unwrap();
            }
            4 => {
                let _ = std::fs::remove_file(&path);
            }
            // A folder where the file was, holding a file.
            _ => {
                let _ = std::fs::remove_file(&path);
                std::fs::create_dir_all(&path).unwrap();
                std::fs::write(path.join("inner.yaml"), "inner\n").unwrap();
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// Commits since the base, staged and unstaged edits, files dropped from the index,
        /// deletions, untracked files and folders, ignored files, files changed and changed back, a store at the top of its
        /// repository or in a folder with files beside it: the changed files are the truth.
        #[test]
        fn changed_files_are_what_differs_from_the_base(
            nested in any::<bool>(),
            base_ops in proptest::collection::vec(0u8..4, FILES.len()),
            commit_ops in proptest::collection::vec(0u8..5, FILES.len()),
            work_ops in proptest::collection::vec(0u8..6, FILES.len()),
            staged in proptest::collection::vec(0u8..3, FILES.len()),
            cache in any::<bool>(),
        ) {
            let repo = tempfile::tempdir().unwrap();
            let root = repo.path();
            sh(root, &["init", "-q"]);
            if cache {
                sh(root, &["config", "core.untrackedCache", "true"]);
            }
            let store = if nested { root.join("deals") } else { root.to_path_buf() };
            std::fs::create_dir_all(&store).unwrap();
            std::fs::write(root.join(".gitignore"), "*.log\n").unwrap();
            std::fs::write(root.join("outside.txt"), "x\n").unwrap();
            for (f, op) in FILES.iter().zip(&base_ops) {
                apply(&store, f, *op);
            }
            sh(root, &["add", "-A"]);
            sh(root, &["commit", "-q", "--allow-empty", "-m", "base"]);
            let base = sh(root, &["rev-parse", "HEAD"]).trim().to_string();
            for (f, op) in FILES.iter().zip(&commit_ops) {
                apply(&store, f, *op);
            }
            std::fs::write(root.join("outside.txt"), "y\n").unwrap();
            sh(root, &["add", "-A"]);
            sh(root, &["commit", "-q", "--allow-empty", "-m", "since"]);
            if cache {
                sh(root, &["status", "--porcelain"]);
            }
            // A gate run just before the edits: whatever it leaves behind (nothing: it
            // never writes git's index) must not hide the edits from the next run.
            let index = std::fs::read(root.join(".git/index")).unwrap();
            let _ = changed_files(&store, &base).unwrap();
            prop_assert!(std::fs::read(root.join(".git/index")).unwrap() == index);
            for ((f, op), stage) in FILES.iter().zip(&work_ops).zip(&staged) {
                apply(&store, f, *op);
                // Staged even when ignored (git then tracks it), or dropped from the index
                // and kept on disk; a path that never existed has nothing to stage.
                let index: &[&str] = match stage {
                    1 => &["add", "-A", "-f", "--"],
                    2 => &["rm", "-q", "--cached", "--ignore-unmatch", "--"],
                    _ => continue,
                };
                let _ = git(&store).args(index).arg(f).output();
            }
            std::fs::write(root.join("outside new.txt"), "z\n").unwrap();
            let got = changed_files(&store, &base).unwrap();
            prop_assert_eq!(got, truth(&store, &base));
        }
    }
}
