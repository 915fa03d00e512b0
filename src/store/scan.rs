//! The one lister of record files: what commands, the parse cache, the search index and
//! `check` read, and the one rule for everything else found in the record folders.
//!
//! A record file is `ID.yaml` at [`Store::rel_path`] of its ID, a real file. Anything else
//! under `requests/`, `solutions/`, `kb/` or `customers/` is a [`Stray`]: a record file in
//! the wrong place or under a wrong name, a symbolic link, a temp file left by a killed
//! write, any other file. Strays are never read as records; every listing notes the ones
//! that look like records, so that every reading command warns about them the same way,
//! and `check` reports all of them.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::cache::Stamp;
use super::{Store, slash_path};
use crate::error::{Error, Result};
use crate::model::{Kind, RecordId};

/// The prefix of the temp files of [`super::write_atomic`].
pub const TEMP_PREFIX: &str = ".presales-tmp-";

/// A record file in its place (its path is [`Store::path_of`] its ID), with its `lstat`.
pub struct RecordFile {
    pub id: RecordId,
    /// What the file's `lstat` said that the caches compare (not the whole metadata: a
    /// listing of a million files is copied several times on its way to the caller).
    pub meta: std::io::Result<Stamp>,
}

/// What a path of a record folder is when it is not a record file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum StrayKind {
    /// `ID.yaml`, but not at the place of that ID; `duplicate` when that place holds it too.
    Misplaced {
        id: String,
        home: PathBuf,
        duplicate: bool,
    },
    /// A YAML file whose name is not `ID.yaml`.
    Misnamed,
    /// A symbolic link (to a file or a folder): never followed.
    Link,
    /// A temp file of a write that was killed before its rename.
    TempFile,
    /// Any other file.
    Other,
}

/// A path of a record folder that is not a record file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stray {
    /// Relative to the store root.
    pub path: PathBuf,
    pub kind: StrayKind,
}

impl Stray {
    /// What is wrong, without the path.
    pub fn message(&self) -> String {
        match &self.kind {
            StrayKind::Misplaced {
                id,
                home,
                duplicate: false,
            } => format!(
                "file in the wrong place: {id} belongs at {}, so no command reads it",
                slash_path(home)
            ),
            StrayKind::Misplaced {
                id,
                home,
                duplicate: true,
            } => format!(
                "file in the wrong place: duplicate ID {id}, whose record is at {}; this copy \
                 is not read",
                slash_path(home)
            ),
            StrayKind::Misnamed => "not a record ID: record files are named ID.yaml, so no \
                                    command reads it"
                .into(),
            StrayKind::Link => {
                "a symbolic link: presales never reads or writes through a link in the store".into()
            }
            StrayKind::TempFile => "temp file left by an interrupted write".into(),
            StrayKind::Other => "not a record file".into(),
        }
    }

    /// The next step.
    pub fn fix(&self) -> String {
        let path = slash_path(&self.path);
        match &self.kind {
            StrayKind::Misplaced {
                home,
                duplicate: false,
                ..
            } => format!("move it: `git mv {path} {}`", slash_path(home)),
            StrayKind::Misplaced { .. } => {
                "keep one copy: merge what this one adds by hand, then delete it".into()
            }
            StrayKind::Misnamed => format!(
                "rename it to the ID in its `id:` field, or move it out of {}",
                self.folder()
            ),
            StrayKind::Link => format!(
                "replace the link with the file or folder itself (if git tracks it: `git rm \
                 --cached {path}`)"
            ),
            StrayKind::TempFile => {
                "delete it (the next presales write removes it); `.presales-tmp-*` belongs in \
                 .gitignore"
                    .into()
            }
            StrayKind::Other => format!(
                "move it out of {} (notes and attachments belong elsewhere, e.g. docs/)",
                self.folder()
            ),
        }
    }

    /// Whether it looks like a record (or may hide some), so that commands reading records
    /// say they left it out. A temp file may be a write in progress; other files are for
    /// `check` to report.
    pub fn looks_like_record(&self) -> bool {
        matches!(
            self.kind,
            StrayKind::Misplaced { .. } | StrayKind::Misnamed | StrayKind::Link
        )
    }

    /// Whether `check` fails on it (other files are a warning).
    pub fn is_error(&self) -> bool {
        self.kind != StrayKind::Other
    }

    fn folder(&self) -> String {
        self.path
            .components()
            .next()
            .map(|c| format!("{}/", c.as_os_str().to_string_lossy()))
            .unwrap_or_default()
    }
}

/// What one entry of a folder is, from its `lstat` (`DirEntry::file_type` needs no call).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    File,
    Dir,
    Link,
    Other,
}

impl Entry {
    pub fn of(t: fs::FileType) -> Entry {
        if t.is_symlink() {
            Entry::Link
        } else if t.is_dir() {
            Entry::Dir
        } else if t.is_file() {
            Entry::File
        } else {
            Entry::Other
        }
    }
}

/// What a path of a record folder is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Class {
    Record(RecordId),
    /// `.gitkeep`, which `init` writes so that git keeps the empty folders.
    Keep,
    Stray(StrayKind),
}

/// The rule: what the entry `name` of `folder` (relative to the store root) is. Folders are
/// the lister's business; here they are strays. Pure; `duplicate` is decided by the caller.
pub fn classify(folder: &Path, name: &OsStr, entry: Entry) -> Class {
    match entry {
        Entry::File => {}
        Entry::Link => return Class::Stray(StrayKind::Link),
        Entry::Dir | Entry::Other => return Class::Stray(StrayKind::Other),
    }
    let Some(name) = name.to_str() else {
        return Class::Stray(StrayKind::Other);
    };
    if name == ".gitkeep" {
        return Class::Keep;
    }
    if name.starts_with(TEMP_PREFIX) {
        return Class::Stray(StrayKind::TempFile);
    }
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return Class::Stray(StrayKind::Other);
    };
    if !ext.eq_ignore_ascii_case("yaml") && !ext.eq_ignore_ascii_case("yml") {
        return Class::Stray(StrayKind::Other);
    }
    let id = match RecordId::parse(stem) {
        Ok(id) if id.as_str() == stem && ext == "yaml" => id,
        _ => return Class::Stray(StrayKind::Misnamed),
    };
    if placed(folder, &id) {
        Class::Record(id)
    } else {
        Class::Stray(StrayKind::Misplaced {
            home: Store::rel_path(&id),
            id: id.to_string(),
            duplicate: false,
        })
    }
}

/// Whether `folder` is the folder of `id`'s file: `kb/2026`, `customers`.
fn placed(folder: &Path, id: &RecordId) -> bool {
    let mut parts = folder.components().map(|c| c.as_os_str());
    if parts.next() != Some(OsStr::new(id.kind().dir())) {
        return false;
    }
    if id.kind().by_year() {
        let year = parts.next().and_then(OsStr::to_str);
        if year.and_then(|y| y.parse::<i32>().ok()) != Some(id.year())
            || year.is_some_and(|y| y.len() != 4)
        {
            return false;
        }
    }
    parts.next().is_none()
}

/// Every record file of a kind, sorted by ID, and the strays of its folder.
pub struct Listing {
    pub records: Vec<RecordFile>,
    pub strays: Vec<Stray>,
}

/// One entry of a folder, as the lister sorts it out.
enum Found {
    Record(RecordFile),
    Stray(Stray),
    Folder(PathBuf),
}

/// What one folder of a record folder holds: its record files in name order, its strays,
/// its subfolders.
struct Scanned {
    records: Vec<RecordFile>,
    strays: Vec<Stray>,
    folders: Vec<PathBuf>,
}

impl Store {
    /// Lists the record folder of `kind`: one `readdir` per folder and one `lstat` per
    /// record file (on every core), no parsing. Symbolic links are never followed; a
    /// folder that is a link is one stray and its contents are not looked at. Record files
    /// deleted between the listing and the stat are left out; other stat errors are
    /// returned per file. Notes the strays that look like records for the CLI to report
    /// ([`Store::take_noticed`]).
    pub fn list_records(&self, kind: Kind) -> Result<Listing> {
        let top = PathBuf::from(kind.dir());
        let mut listing = Listing {
            records: Vec::new(),
            strays: Vec::new(),
        };
        match fs::symlink_metadata(self.root().join(&top)) {
            Ok(m) if m.is_dir() => {}
            Ok(m) => {
                let entry = Entry::of(m.file_type());
                let kind = if entry == Entry::Link {
                    StrayKind::Link
                } else {
                    StrayKind::Other
                };
                listing.strays.push(Stray { path: top, kind });
                self.notice(&listing.strays);
                return Ok(listing);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(listing),
            Err(e) => return Err(Error::io(top, e)),
        }
        // Folder by folder, a level at a time: the folders of a level (kb's ten year folders)
        // are read side by side, and each one's files are stat-ed on every core.
        let mut level = vec![top];
        let mut scanned: Vec<Scanned> = Vec::new();
        while !level.is_empty() {
            let found = level
                .par_iter()
                .map(|folder| self.scan_folder(folder))
                .collect::<Result<Vec<Scanned>>>()?;
            level = found.iter().flat_map(|f| f.folders.clone()).collect();
            scanned.extend(found);
        }
        // Each folder's records are (nearly always) sorted; a kind's folders (years) hold
        // disjoint ranges of IDs, so in the order of their first ID they make the sorted
        // list, and the final sort only checks it.
        let first = |s: &Scanned| s.records.first().map(|r| r.id.as_str().to_string());
        scanned.sort_by_cached_key(first);
        listing
            .records
            .reserve_exact(scanned.iter().map(|s| s.records.len()).sum());
        for folder in scanned {
            listing.records.extend(folder.records);
            listing.strays.extend(folder.strays);
        }
        listing
            .records
            .sort_unstable_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
        for stray in &mut listing.strays {
            if let StrayKind::Misplaced {
                id,
                home,
                duplicate,
            } = &mut stray.kind
            {
                *duplicate = if home.starts_with(kind.dir()) {
                    listing
                        .records
                        .binary_search_by(|r| r.id.as_str().cmp(id.as_str()))
                        .is_ok()
                } else {
                    fs::symlink_metadata(self.root().join(&*home)).is_ok_and(|m| m.is_file())
                };
            }
        }
        listing.strays.sort();
        self.notice(&listing.strays);
        Ok(listing)
    }

    /// One `readdir` of `folder` (relative to the root) and one `lstat` per record file in
    /// it, on every core.
    fn scan_folder(&self, folder: &Path) -> Result<Scanned> {
        let abs = self.root().join(folder);
        let mut entries = fs::read_dir(&abs)
            .and_then(|it| {
                it.map(|e| e.map(|e| (e.file_name(), e)))
                    .collect::<std::io::Result<Vec<_>>>()
            })
            .map_err(|e| Error::io(folder, e))?;
        // In name order the record files (`ID.yaml`) come out in ID order: the record files,
        // a few hundred bytes each, are never moved by a sort (the listing's final sort
        // only checks the order).
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        // `map`, not `filter_map`: an indexed collect writes each result in its place
        // instead of gathering pieces and copying them together.
        let found: Vec<Option<Found>> = entries
            .par_iter()
            .map(|(name, entry)| {
                let t = entry.file_type().ok()?;
                let entry_kind = Entry::of(t);
                if entry_kind == Entry::Dir {
                    // Year folders hold records; any other folder is looked through, so
                    // that no record file in it goes unreported.
                    return Some(Found::Folder(folder.join(name)));
                }
                match classify(folder, name, entry_kind) {
                    Class::Record(id) => {
                        let meta = match entry.metadata() {
                            Ok(m) => Ok(Stamp::of(&m)),
                            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                                return None;
                            }
                            Err(e) => Err(e),
                        };
                        Some(Found::Record(RecordFile { id, meta }))
                    }
                    Class::Keep => None,
                    Class::Stray(kind) => Some(Found::Stray(Stray {
                        path: folder.join(name),
                        kind,
                    })),
                }
            })
            .collect();
        let mut scanned = Scanned {
            records: Vec::with_capacity(found.len()),
            strays: Vec::new(),
            folders: Vec::new(),
        };
        for found in found.into_iter().flatten() {
            match found {
                Found::Record(r) => scanned.records.push(r),
                Found::Stray(s) => scanned.strays.push(s),
                Found::Folder(f) => scanned.folders.push(f),
            }
        }
        Ok(scanned)
    }

    /// What one path given by the user (relative to the root) is, by the lister's rule:
    /// `None` when it does not exist or lies outside the record folders.
    pub fn classify_path(&self, rel: &Path) -> Option<Class> {
        let top = rel.components().next()?.as_os_str();
        if !Kind::ALL.iter().any(|k| OsStr::new(k.dir()) == top) {
            return None;
        }
        let meta = fs::symlink_metadata(self.root().join(rel)).ok()?;
        if let Err(super::paths::Refusal::Link(_)) = self.check_path(rel) {
            return Some(Class::Stray(StrayKind::Link));
        }
        let class = classify(
            rel.parent().unwrap_or(Path::new("")),
            rel.file_name()?,
            Entry::of(meta.file_type()),
        );
        Some(match class {
            Class::Stray(StrayKind::Misplaced { id, home, .. }) => {
                let duplicate =
                    fs::symlink_metadata(self.root().join(&home)).is_ok_and(|m| m.is_file());
                Class::Stray(StrayKind::Misplaced {
                    id,
                    home,
                    duplicate,
                })
            }
            other => other,
        })
    }

    /// The strays of every record folder.
    pub fn strays(&self) -> Result<Vec<Stray>> {
        let mut out = Vec::new();
        for kind in Kind::ALL {
            out.extend(self.list_records(kind)?.strays);
        }
        Ok(out)
    }

    fn notice(&self, strays: &[Stray]) {
        let shown: Vec<Stray> = strays
            .iter()
            .filter(|s| s.looks_like_record())
            .cloned()
            .collect();
        if shown.is_empty() {
            return;
        }
        if let Ok(mut noticed) = self.noticed.lock() {
            noticed.extend(shown);
        }
    }

    /// The list listings note strays in, for the CLI to report them once the command ends
    /// (the store itself is dropped by then).
    pub fn noticed(&self) -> super::Noticed {
        self.noticed.clone()
    }

    /// Drops the note of one stray, when an error says it instead.
    pub(super) fn forget_noticed(&self, path: &Path) {
        if let Ok(mut noticed) = self.noticed.lock() {
            noticed.retain(|s| s.path != path);
        }
    }

    /// The strays listings noted since the last call (each once), for the CLI to report:
    /// files that look like records but that no command reads.
    pub fn take_noticed(&self) -> Vec<Stray> {
        let mut out = self
            .noticed
            .lock()
            .map(|mut n| std::mem::take(&mut *n))
            .unwrap_or_default();
        out.sort();
        out.dedup();
        out
    }

    /// Removes the temp files of writes in `folders` (relative to the root): the folders a
    /// killed writer noted in the lock's journal. Called under the store lock, when no
    /// other write can be running, so every temp file there is stale. Never through a link;
    /// best effort: what cannot be removed, `check` reports.
    pub(super) fn sweep_temp_files(&self, folders: &[PathBuf]) {
        for folder in folders {
            let abs = match self.check_path(folder) {
                Ok(abs) => abs,
                Err(super::paths::Refusal::Empty) => self.root().to_path_buf(),
                Err(_) => continue,
            };
            let Ok(it) = fs::read_dir(&abs) else { continue };
            for entry in it.flatten() {
                if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX)
                    && entry.file_type().is_ok_and(|t| t.is_file())
                {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(rel: &str, entry: Entry) -> Class {
        let p = Path::new(rel);
        classify(p.parent().unwrap(), p.file_name().unwrap(), entry)
    }

    #[test]
    fn one_rule_for_every_path_of_a_record_folder() {
        let id = "REQ-20261127-A7KQ2MX";
        assert!(matches!(
            class(&format!("requests/2026/{id}.yaml"), Entry::File),
            Class::Record(_)
        ));
        for wrong in [
            format!("requests/2025/{id}.yaml"),
            format!("requests/{id}.yaml"),
            format!("requests/x/2026/{id}.yaml"),
            format!("customers/{id}.yaml"),
            format!("requests/02026/{id}.yaml"),
        ] {
            assert!(
                matches!(
                    class(&wrong, Entry::File),
                    Class::Stray(StrayKind::Misplaced { ref home, .. })
                        if home == Path::new(&format!("requests/2026/{id}.yaml"))
                ),
                "{wrong}"
            );
        }
        for misnamed in [
            "requests/2026/notes.yaml",
            "requests/2026/REQ-20261127-A7KQ2MX.yml",
            "requests/2026/req-20261127-a7kq2mx.yaml",
        ] {
            assert_eq!(
                class(misnamed, Entry::File),
                Class::Stray(StrayKind::Misnamed),
                "{misnamed}"
            );
        }
        assert_eq!(
            class(&format!("requests/2026/{id}.yaml"), Entry::Link),
            Class::Stray(StrayKind::Link)
        );
        assert_eq!(
            class("requests/2026/.presales-tmp-x1y2", Entry::File),
            Class::Stray(StrayKind::TempFile)
        );
        assert_eq!(
            class("requests/README.md", Entry::File),
            Class::Stray(StrayKind::Other)
        );
        assert_eq!(class("requests/.gitkeep", Entry::File), Class::Keep);
        assert!(matches!(
            class("customers/CUS-20261127-A7KQ2MX.yaml", Entry::File),
            Class::Record(_)
        ));
    }
}
