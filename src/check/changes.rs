//! What a change since its fork point touched, told from git's index and the store's own
//! listing: the tree is walked once, by the store's lister on every core, instead of once
//! by `git diff` and once more by `git ls-files --others`.
//!
//! git's index keeps the `lstat` of every tracked file. A file whose `lstat` still matches
//! holds what the index holds, and what the index holds differs from the fork point only
//! where `git diff --cached` says so (it reads trees, not the working tree). Every other
//! path (its stat changed, racily clean, untracked, gone, or staged) is a candidate, and a
//! candidate is a change only when its bytes differ from the fork point's. What the index
//! holds that this reading does not judge (conflicts, sparse checkouts, flags that tell git
//! not to look) is left to git, as is a working tree where most files look touched.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::CONFIG_FILE;
use crate::error::Result;
use crate::git::{self, Change, IndexStat};
use crate::model::Kind;
use crate::store::cache::Stamp;
use crate::store::{Store, WorktreeFile};

/// More candidates than this (a fresh checkout whose index git has not refreshed, a
/// mass `touch`), and git's own walk is cheaper than reading them.
const MOST_CANDIDATES: usize = 2_000;

/// The files under the store that differ between `fork` and the working tree, as
/// [`git::changed_files`] finds them, without its two walks of the tree. Untracked files
/// count when `.gitignore` does not exclude them and they lie in a record folder or are
/// `presales.toml` or `.gitignore`; no other file carries a record or a finding.
pub fn changed_since(store: &Store, fork: &str) -> Result<Vec<(Change, PathBuf)>> {
    let root = store.root();
    let (index, staged, listings) = std::thread::scope(|s| {
        let index = s.spawn(|| git::index(root));
        let staged = s.spawn(|| git::staged_files(root, fork));
        let listings: Vec<_> = Kind::ALL
            .par_iter()
            .map(|k| store.list_records(*k))
            .collect();
        let index = index
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let staged = staged
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (index, staged, listings)
    });
    let Some(index) = index? else {
        return git::changed_files(root, fork);
    };
    let listings = listings.into_iter().collect::<Result<Vec<_>>>()?;
    // What the lister saw, each record file's path relative to the root (its bytes, in
    // git's order) with its stamp.
    let root_bytes = root.as_os_str().as_encoded_bytes();
    let mut seen: Vec<(&[u8], Option<Stamp>)> = listings
        .iter()
        .flat_map(|l| &l.records)
        .map(|r| {
            let path = r.path.as_os_str().as_encoded_bytes();
            let rel = path.strip_prefix(root_bytes).unwrap_or(path);
            (rel.strip_prefix(b"/").unwrap_or(rel), r.meta.as_ref().ok().copied())
        })
        .collect();
    seen.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut candidates: BTreeSet<PathBuf> = staged?.into_iter().map(|(_, p)| p).collect();
    let mut untracked: Vec<PathBuf> = Vec::new();
    // Both in git's order: one pass pairs each tracked file with what the lister saw.
    let mut seen = seen.into_iter().peekable();
    for (path, stat) in index.entries() {
        while let Some((rel, _)) = seen.next_if(|(rel, _)| *rel < path) {
            untracked.push(path_of(rel));
        }
        let now = match seen.next_if(|(rel, _)| *rel == path) {
            Some((_, stamp)) => stamp,
            // Not a record file: a stray of a record folder, a file gone, or a file
            // beside the record folders (presales.toml), which the lister does not see.
            None if in_record_folder(path) => None,
            None => store.stamp_of(&path_of(path)),
        };
        if !matches!((stat, now), (Some(stat), Some(now)) if unchanged(&stat, &now)) {
            candidates.insert(path_of(path));
        }
    }
    untracked.extend(seen.map(|(rel, _)| path_of(rel)));
    for listing in &listings {
        for stray in &listing.strays {
            if !index.tracks(stray.path.as_os_str().as_encoded_bytes()) {
                untracked.push(stray.path.clone());
            }
        }
    }
    for top in [CONFIG_FILE, ".gitignore"] {
        if !index.tracks(top.as_bytes())
            && store.worktree_file(Path::new(top))? != WorktreeFile::Absent
        {
            untracked.push(PathBuf::from(top));
        }
    }
    if !untracked.is_empty() {
        let ignored: HashSet<PathBuf> = git::ignored_among(root, &untracked)?
            .into_iter()
            .collect();
        candidates.extend(untracked.into_iter().filter(|p| !ignored.contains(p)));
    }
    if candidates.len() > MOST_CANDIDATES {
        return git::changed_files(root, fork);
    }
    let candidates: Vec<PathBuf> = candidates.into_iter().collect();
    let mut base = git::read_bytes_at(root, fork, &candidates)?;
    let mut changes = Vec::new();
    for path in candidates {
        let then = base.remove(&path).flatten();
        let change = match (then, store.worktree_file(&path)?) {
            (None, WorktreeFile::Absent) => None,
            (None, _) => Some(Change::Added),
            (Some(_), WorktreeFile::Absent) => Some(Change::Deleted),
            (Some(then), WorktreeFile::Bytes(now) | WorktreeFile::Link(now)) => {
                (then != now).then_some(Change::Modified)
            }
            (Some(_), WorktreeFile::Other) => Some(Change::Modified),
        };
        if let Some(change) = change {
            changes.push((change, path));
        }
    }
    Ok(changes)
}

/// A path from its bytes (the index keeps them as the file system does).
fn path_of(bytes: &[u8]) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
    }
}

/// Whether a path relative to the store (its bytes) lies in a record folder.
fn in_record_folder(path: &[u8]) -> bool {
    let top = path.split(|b| *b == b'/').next().unwrap_or_default();
    Kind::ALL.iter().any(|k| top == k.dir().as_bytes())
}

/// Whether a file's `lstat` is still the one git's index recorded, by git's own rule: size,
/// inode, modification and change times (nanoseconds too when the index keeps them), each
/// cut to the 32 bits git keeps.
fn unchanged(index: &IndexStat, now: &Stamp) -> bool {
    let ((m_secs, m_nanos), (c_secs, c_nanos)) = now.times();
    let time = |(secs, nanos): (u32, u32), now_secs: i64, now_nanos: u32| {
        secs == now_secs as u32 && (nanos == 0 || nanos == now_nanos)
    };
    index.size == now.size() as u32
        && index.ino == now.ino() as u32
        && time(index.mtime, m_secs, m_nanos)
        && time(index.ctime, c_secs, c_nanos)
}
