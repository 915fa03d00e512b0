//! Files beside the records: cheap change fingerprints for the search index, and the
//! repository files that records point to (an article's `body_file`, a solution's
//! `plan_file`) or that `kb import` reads.

use std::fs;
use std::path::{Component, Path, PathBuf};
use std::time::UNIX_EPOCH;

use super::Store;
use crate::error::{Error, Result};
use crate::model::{Kind, RecordId};

/// Reads a text file that must be UTF-8, naming it `shown` in errors. A file that is not
/// UTF-8 (a binary file saved over a record, another encoding) is an error at the line and
/// column of its first bad byte, with the fix.
pub(crate) fn read_utf8(path: &Path, shown: &Path) -> Result<String> {
    utf8_text(fs::read(path).map_err(|e| Error::io(shown, e))?, shown)
}

/// `bytes` as text, or the error [`read_utf8`] gives for the file `shown`.
pub(crate) fn utf8_text(bytes: Vec<u8>, shown: &Path) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line_start = good.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let line = good.iter().filter(|b| **b == b'\n').count() + 1;
        let column = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
        Error::Parse {
            path: shown.to_path_buf(),
            line: line as u64,
            column: column as u64,
            message: "not UTF-8 text".into(),
            hint: Some("save the file as UTF-8 text: presales reads it as text".into()),
        }
    })
}

impl Store {
    /// `relative/path size mtime_ns`, or `None` when the file does not exist. Costs one
    /// `stat`, so the search index can check thousands of files before every query.
    pub fn fingerprint(&self, path: &Path) -> Result<Option<String>> {
        let meta = match fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(self.display_path(path), e)),
        };
        Ok(Some(format!(
            "{} {} {}",
            slash_path(&self.display_path(path)),
            meta.len(),
            mtime_nanos(&meta)
        )))
    }

    /// Every record file of a kind with its fingerprint, `prefix` followed by
    /// `size mtime_ns` (the caller's mark of what it makes of the file, in the same one
    /// allocation): the search index calls this before every query. One listing serves it
    /// and the parse cache ([`Store::stat_records`]).
    pub fn record_fingerprints(&self, kind: Kind, prefix: &str) -> Result<Vec<(RecordId, String)>> {
        self.stat_records(kind)?
            .into_iter()
            .map(|(id, meta)| match meta {
                Ok(m) => {
                    // The same digits as the u128, formatted as a u64 (several times faster
                    // for 20,000 files) while the time fits in one (until the year 2554).
                    let ns = m.mtime_nanos();
                    let fp = match u64::try_from(ns) {
                        Ok(ns) => format!("{prefix}{} {ns}", m.size()),
                        Err(_) => format!("{prefix}{} {ns}", m.size()),
                    };
                    Ok((id, fp))
                }
                Err(e) => Err(Error::io(self.display_path(&self.path_of(&id)), e)),
            })
            .collect()
    }

    /// Every record file of a kind with its metadata, sorted by ID, without parsing
    /// ([`Store::list_records`], the one lister: the stats on every core, links and files
    /// out of place left out and noted). A file's path is [`Store::path_of`] its ID: it is
    /// made only for the files read, not for the million listed.
    pub fn stat_records(
        &self,
        kind: Kind,
    ) -> Result<Vec<(RecordId, std::io::Result<super::cache::Stamp>)>> {
        Ok(self
            .list_records(kind)?
            .records
            .into_iter()
            .map(|r| (r.id, r.meta))
            .collect())
    }

    /// The absolute path of a file named in a record (`body_file`, `plan_file`, an
    /// attachment) relative to the store root, through the one boundary
    /// ([`Store::inside`]): absolute paths, `..` and symbolic links on the way are refused,
    /// so a record can never point outside the store.
    pub fn repo_path(&self, rel: &str) -> Result<PathBuf> {
        self.inside(Path::new(rel.trim()))
    }

    /// Reads a text file named in a record (see [`Store::repo_path`]).
    pub fn read_repo_file(&self, rel: &str) -> Result<String> {
        let path = self.repo_path(rel)?;
        self.read_text(&path)
    }

    /// Reads a UTF-8 text file; errors name the path relative to the root when inside it.
    pub fn read_text(&self, path: &Path) -> Result<String> {
        read_utf8(path, &self.display_path(path))
    }

    /// The path of an existing file or folder relative to the store root, with `/`
    /// separators; `../…` when it lies outside the store.
    pub fn relative_to_root(&self, path: &Path) -> Result<String> {
        let abs = fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
        let root = fs::canonicalize(self.root()).map_err(|e| Error::io(self.root(), e))?;
        let common = abs
            .components()
            .zip(root.components())
            .take_while(|(a, b)| a == b)
            .count();
        let mut rel = PathBuf::new();
        for _ in root.components().skip(common) {
            rel.push("..");
        }
        for c in abs.components().skip(common) {
            rel.push(c);
        }
        Ok(slash_path(&rel))
    }

    /// The Markdown files (`.md`, `.markdown`) under `dir`, sorted, skipping hidden folders
    /// such as `.git` and `.presales`.
    pub fn markdown_files(&self, dir: &Path) -> Result<Vec<PathBuf>> {
        if !dir.is_dir() {
            return Err(Error::invalid(format!("{} is not a folder", dir.display())));
        }
        let mut out = Vec::new();
        let walker = walkdir::WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walker {
            let entry = entry.map_err(|e| {
                let path = e
                    .path()
                    .map_or_else(|| dir.to_path_buf(), Path::to_path_buf);
                Error::io(path, e.into())
            })?;
            let is_md = entry
                .path()
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| {
                    x.eq_ignore_ascii_case("md") || x.eq_ignore_ascii_case("markdown")
                });
            if entry.file_type().is_file() && is_md {
                out.push(entry.into_path());
            }
        }
        Ok(out)
    }
}

impl Store {
    /// The path of `name` (one plain folder name) inside `.presales/`, for derived data
    /// that presales deletes and recreates, such as the search index. Creates nothing.
    /// Refuses when `.presales` or `.presales/<name>` is a symbolic link or not a folder,
    /// or does not resolve to the store's own `.presales/<name>`: what lies there is not
    /// presales' to write or delete (a committed link would make a teammate's next search
    /// delete the folder it points to).
    pub fn derived_path(&self, name: &str) -> Result<PathBuf> {
        let plain = matches!(
            Path::new(name).components().collect::<Vec<_>>().as_slice(),
            [Component::Normal(_)]
        );
        if !plain {
            return Err(Error::invalid(format!(
                "`{name}` is not a folder name inside {}",
                super::CACHE_DIR
            )));
        }
        let cache = self.root().join(super::CACHE_DIR);
        let path = cache.join(name);
        for p in [&cache, &path] {
            match fs::symlink_metadata(p) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(self.not_derived(p, "is a symbolic link"));
                }
                Ok(m) if !m.is_dir() => return Err(self.not_derived(p, "is not a folder")),
                Ok(_) => {}
                // Nothing there yet: whoever writes creates real folders.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(path.clone()),
                Err(e) => return Err(Error::io(self.display_path(p), e)),
            }
        }
        let root = fs::canonicalize(self.root()).map_err(|e| Error::io(self.root(), e))?;
        let real = fs::canonicalize(&path).map_err(|e| Error::io(self.display_path(&path), e))?;
        if real != root.join(super::CACHE_DIR).join(name) {
            return Err(self.not_derived(&path, "resolves outside the store"));
        }
        Ok(path)
    }

    fn not_derived(&self, path: &Path, what: &str) -> Error {
        let shown = slash_path(&self.display_path(path));
        let fix = if what.contains("link") {
            format!(
                "remove the link itself: `rm {shown}` (no trailing slash; the search index is \
                 rebuilt by the next search); if git tracks it, also `git rm --cached {shown}` \
                 and commit"
            )
        } else {
            format!(
                "move `{shown}` out of the way (presales rebuilds what it keeps there); if git \
                 tracks it, also `git rm -r --cached {shown}` and commit"
            )
        };
        Error::invalid_with_hint(
            format!(
                "`{shown}` {what}; presales keeps derived data there and will not write or \
                 delete through it"
            ),
            fix,
        )
    }
}

/// Filesystems without mtimes give 0: edits that keep the size are then seen only by
/// `presales reindex`.
fn mtime_nanos(meta: &fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

/// A relative path with `/` separators, as records store it on every platform.
pub fn slash_path(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_is_not_utf8_is_an_error_at_its_first_bad_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.yaml");
        fs::write(&path, b"id: x\ntitle: \xe6\x95\xb0\xff\xfe\n").unwrap();
        let shown = Path::new("requests/2026/r.yaml");
        match read_utf8(&path, shown) {
            Err(Error::Parse {
                path,
                line,
                column,
                message,
                hint,
            }) => {
                assert_eq!(path, shown);
                // Line 2, after `title: ` (7 characters) and one Chinese character.
                assert_eq!((line, column), (2, 9));
                assert_eq!(message, "not UTF-8 text");
                assert!(hint.is_some_and(|h| h.contains("save the file as UTF-8")));
            }
            other => panic!("{other:?}"),
        }
        fs::write(&path, "id: x\ntitle: 数据\n").unwrap();
        assert_eq!(read_utf8(&path, shown).unwrap(), "id: x\ntitle: 数据\n");
    }

    /// The listing keeps a file's stamp, not its metadata: the modification time it gives
    /// the search index's fingerprints must be the one `fingerprint` reads, or every
    /// article would look changed.
    #[test]
    fn a_stamps_mtime_is_the_metadatas() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.yaml");
        fs::write(&path, "id: x\n").unwrap();
        let file = fs::File::options().write(true).open(&path).unwrap();
        let after = UNIX_EPOCH + std::time::Duration::new(1_764_000_000, 123_456_789);
        let before = UNIX_EPOCH - std::time::Duration::new(1, 500_000_000);
        for t in [after, before, UNIX_EPOCH] {
            file.set_modified(t).unwrap();
            let meta = fs::symlink_metadata(&path).unwrap();
            let stamp = crate::store::cache::Stamp::of(&meta);
            assert_eq!(stamp.mtime_nanos(), mtime_nanos(&meta), "{t:?}");
            assert_eq!(stamp.size(), meta.len());
        }
        let meta = fs::symlink_metadata(&path).unwrap();
        file.set_modified(after).unwrap();
        let meta_after = fs::symlink_metadata(&path).unwrap();
        assert_ne!(meta.modified().unwrap(), meta_after.modified().unwrap());
        assert_eq!(
            crate::store::cache::Stamp::of(&meta_after).mtime_nanos(),
            1_764_000_000_123_456_789
        );
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        crate::store::init(dir.path(), false).unwrap();
        let store = Store::open(dir.path().to_path_buf()).unwrap();
        (dir, store)
    }

    #[test]
    fn record_fingerprints_list_the_same_files_as_ids() {
        let (d, s) = store();
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-27T10:00:00+08:00").unwrap();
        let lock = s.lock().unwrap();
        for _ in 0..3 {
            let id = s.mint(Kind::Customer, now).unwrap();
            let text = format!("id: {id}\nname: n{id}\ncreated: 2026-11-27T10:00:00+08:00\n");
            fs::write(s.path_of(&id), text).unwrap();
        }
        drop(lock);
        fs::write(d.path().join("customers/notes.yaml"), "x").unwrap();
        fs::write(d.path().join("customers/README.md"), "x").unwrap();
        let mut got: Vec<_> = s
            .record_fingerprints(Kind::Customer, "")
            .unwrap()
            .into_iter()
            .map(|(id, _)| {
                let path = s.path_of(&id);
                (id, path)
            })
            .collect();
        got.sort();
        assert_eq!(got, s.ids(Kind::Customer).unwrap());
        assert!(s.record_fingerprints(Kind::Article, "").unwrap().is_empty());
        fs::remove_dir_all(d.path().join("kb")).unwrap();
        assert!(s.record_fingerprints(Kind::Article, "").unwrap().is_empty());
    }

    #[test]
    fn repo_paths_stay_inside_the_store() {
        let (_d, s) = store();
        assert!(s.repo_path("docs/a.md").is_ok());
        assert!(s.repo_path("./docs/a.md").is_ok());
        for bad in ["../x.md", "/etc/passwd", "docs/../../x", ""] {
            assert!(s.repo_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fingerprint_changes_with_content_and_is_none_when_missing() {
        let (d, s) = store();
        let p = d.path().join("a.md");
        assert_eq!(s.fingerprint(&p).unwrap(), None);
        fs::write(&p, "one").unwrap();
        let one = s.fingerprint(&p).unwrap().unwrap();
        assert!(one.starts_with("a.md 3 "), "{one}");
        fs::write(&p, "three").unwrap();
        assert_ne!(s.fingerprint(&p).unwrap().unwrap(), one);
    }

    #[test]
    fn relative_to_root_inside_and_outside() {
        let (d, s) = store();
        fs::create_dir_all(d.path().join("docs/sub")).unwrap();
        assert_eq!(
            s.relative_to_root(&d.path().join("docs/sub")).unwrap(),
            "docs/sub"
        );
        let other = tempfile::tempdir().unwrap();
        let rel = s.relative_to_root(other.path()).unwrap();
        assert!(rel.starts_with("../"), "{rel}");
    }

    #[test]
    fn markdown_files_skip_hidden_folders_and_other_files() {
        let (d, s) = store();
        let docs = d.path().join("docs");
        fs::create_dir_all(docs.join(".hidden")).unwrap();
        fs::create_dir_all(docs.join("b")).unwrap();
        fs::write(docs.join("a.md"), "").unwrap();
        fs::write(docs.join("b/c.MD"), "").unwrap();
        fs::write(docs.join("b/d.txt"), "").unwrap();
        fs::write(docs.join(".hidden/e.md"), "").unwrap();
        let got: Vec<String> = s
            .markdown_files(&docs)
            .unwrap()
            .iter()
            .map(|p| s.relative_to_root(p).unwrap())
            .collect();
        assert_eq!(got, vec!["docs/a.md", "docs/b/c.MD"]);
        assert!(s.markdown_files(&docs.join("a.md")).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn derived_path_refuses_links_and_files() {
        let (d, s) = store();
        let outside = tempfile::tempdir().unwrap();
        let cache = d.path().join(crate::store::CACHE_DIR);
        fs::create_dir_all(&cache).unwrap();
        assert_eq!(s.derived_path("index").unwrap(), cache.join("index"));
        std::os::unix::fs::symlink(outside.path(), cache.join("index")).unwrap();
        let err = s.derived_path("index").unwrap_err().to_string();
        assert!(
            err.contains("`.presales/index` is a symbolic link"),
            "{err}"
        );
        fs::remove_file(cache.join("index")).unwrap();
        fs::write(cache.join("index"), "x").unwrap();
        assert!(s.derived_path("index").is_err());
        fs::remove_dir_all(&cache).unwrap();
        std::os::unix::fs::symlink(outside.path(), &cache).unwrap();
        let err = s.derived_path("index").unwrap_err().to_string();
        assert!(err.contains("`.presales` is a symbolic link"), "{err}");
        for bad in ["", "..", "a/b", "/x"] {
            assert!(s.derived_path(bad).is_err(), "{bad}");
        }
    }
}
