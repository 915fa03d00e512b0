//! Files beside the records: cheap change fingerprints for the search index, and the
//! repository files that records point to (an article's `body_file`, a solution's
//! `plan_file`) or that `kb import` reads.

use std::fs;
use std::path::{Component, Path, PathBuf};
use std::time::UNIX_EPOCH;

use super::Store;
use crate::error::{Error, Result};

impl Store {
    /// `relative/path size mtime_ns`, or `None` when the file does not exist. Costs one
    /// `stat`, so the search index can check thousands of files before every query.
    pub fn fingerprint(&self, path: &Path) -> Result<Option<String>> {
        let meta = match fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(self.display_path(path), e)),
        };
        // Filesystems without mtimes fall back to size only; edits that keep the size are
        // then seen only by `presales reindex`.
        let nanos = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        Ok(Some(format!(
            "{} {} {nanos}",
            slash_path(&self.display_path(path)),
            meta.len()
        )))
    }

    /// The absolute path of a file named in a record relative to the store root. Refuses
    /// absolute paths and `..`, so a record can never point outside the store.
    pub fn repo_path(&self, rel: &str) -> Result<PathBuf> {
        let p = Path::new(rel.trim());
        let inside = !rel.trim().is_empty()
            && p.components()
                .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        if !inside {
            return Err(Error::invalid_with_hint(
                format!("`{rel}` is not a path inside the store"),
                "paths in records are relative to the folder holding presales.toml",
            ));
        }
        Ok(self.root().join(p))
    }

    /// Reads a text file named in a record (see [`Store::repo_path`]).
    pub fn read_repo_file(&self, rel: &str) -> Result<String> {
        let path = self.repo_path(rel)?;
        self.read_text(&path)
    }

    /// Reads a UTF-8 text file; errors name the path relative to the root when inside it.
    pub fn read_text(&self, path: &Path) -> Result<String> {
        let bytes = fs::read(path).map_err(|e| Error::io(self.display_path(path), e))?;
        String::from_utf8(bytes).map_err(|e| Error::Parse {
            path: self.display_path(path),
            line: 1,
            column: 1,
            message: format!("not UTF-8 text: {e}"),
            hint: Some("save the file as UTF-8".into()),
        })
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

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        crate::store::init(dir.path(), false).unwrap();
        let store = Store::open(dir.path().to_path_buf()).unwrap();
        (dir, store)
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
}
