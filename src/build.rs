//! Build script: names the commit `presales --version` was built from.
//!
//! Sets `PRESALES_VERSION` to `0.2.0 (abc1234 2026-11-29)` (short hash and commit date of
//! HEAD) when the crate is built from a git checkout of its own, and to plain `0.2.0`
//! otherwise: a crates.io download, a source tarball, or no git on `PATH`.
//! `PRESALES_GIT_COMMIT` is set only in the first case, so a test can tell which it got.
//! (It lives in `src/` because the repository's top level is fixed.)

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo::rerun-if-changed=src/build.rs");
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    match head_commit(&dir) {
        Some((hash, date)) => {
            println!("cargo::rustc-env=PRESALES_GIT_COMMIT={hash}");
            println!("cargo::rustc-env=PRESALES_VERSION={version} ({hash} {date})");
        }
        None => println!("cargo::rustc-env=PRESALES_VERSION={version}"),
    }
}

/// Short hash and commit date of HEAD, if `dir` is the top of a git work tree. A packaged
/// copy that merely sits inside another repository (`cargo package`'s `target/package/`, a
/// registry cache under a home kept in git) must not name that repository's commit.
fn head_commit(dir: &Path) -> Option<(String, String)> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    if Path::new(&top).canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    // Rebuild when HEAD moves, and only then: HEAD (checkout), the branch's ref (commit),
    // packed-refs (gc). A path that does not exist would rerun this script on every build.
    let mut watched = vec!["HEAD".to_string(), "packed-refs".to_string()];
    watched.extend(git(dir, &["symbolic-ref", "-q", "HEAD"]));
    for name in &watched {
        if let Some(path) = git(dir, &["rev-parse", "--git-path", name]) {
            let path = dir.join(path);
            if path.exists() {
                println!("cargo::rerun-if-changed={}", path.display());
            }
        }
    }
    let line = git(dir, &["log", "-1", "--format=%h %cs"])?;
    let (hash, date) = line.split_once(' ')?;
    Some((hash.to_string(), date.to_string()))
}

/// Trimmed stdout of a successful, non-empty git command run in `dir`.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (out.status.success() && !text.is_empty()).then(|| text.to_string())
}
