//! The one boundary for paths: whether presales may read or write a path of the store.
//!
//! Record files and folders, `.presales/`, and the files records name (`body_file`,
//! `plan_file`, `attachments`) are all reached through [`Store::inside`]: a path relative to
//! the store root, without `..`, and with no symbolic link on the way from the root down.
//! A link committed to a repository could otherwise make a teammate's `show` print, or
//! `comment` write, a file anywhere on their machine.

use std::fs;
use std::path::{Component, Path, PathBuf};

use super::{Store, slash_path};
use crate::error::{Error, Result};

/// Why a path may not be read or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Empty,
    /// An absolute path (or one with a drive prefix).
    Absolute,
    /// A `..` component.
    Parent,
    /// This existing part of the path (relative to the root) is a symbolic link.
    Link(PathBuf),
    /// An absolute path that does not lie under the store root.
    Outside,
}

impl Refusal {
    /// What is wrong with `shown` (the path as the user or the record gave it).
    pub fn message(&self, shown: &str) -> String {
        match self {
            Refusal::Empty => "an empty path names no file of the store".into(),
            Refusal::Absolute => format!("`{shown}` is an absolute path"),
            Refusal::Parent => format!("`{shown}` goes outside the store (`..`)"),
            Refusal::Outside => format!("`{shown}` is outside the store"),
            Refusal::Link(link) if slash_path(link) == shown => format!(
                "`{shown}` is a symbolic link; presales never reads or writes through a link in \
                 the store"
            ),
            Refusal::Link(link) => format!(
                "`{shown}`: `{}` is a symbolic link; presales never reads or writes through a \
                 link in the store",
                slash_path(link)
            ),
        }
    }

    /// The next step.
    pub fn fix(&self) -> String {
        match self {
            Refusal::Link(link) => {
                let link = slash_path(link);
                format!(
                    "replace the link `{link}` with the file or folder itself (if git tracks \
                     the link: `git rm --cached {link}`)"
                )
            }
            Refusal::Outside => "copy the file into the store and name it from there".into(),
            _ => {
                "name files relative to the folder holding presales.toml, e.g. docs/plan.md".into()
            }
        }
    }

    pub fn into_error(self, shown: &str) -> Error {
        Error::invalid_with_hint(self.message(shown), self.fix())
    }
}

/// `rel` without `.` components if it stays inside the folder it is relative to. Pure.
pub fn lexical(rel: &Path) -> std::result::Result<PathBuf, Refusal> {
    let mut clean = PathBuf::new();
    for c in rel.components() {
        match c {
            Component::Normal(part) => clean.push(part),
            Component::CurDir => {}
            Component::ParentDir => return Err(Refusal::Parent),
            Component::RootDir | Component::Prefix(_) => return Err(Refusal::Absolute),
        }
    }
    if clean.as_os_str().is_empty() {
        return Err(Refusal::Empty);
    }
    Ok(clean)
}

impl Store {
    /// The one boundary: the absolute path of `rel` (relative to the store root) if presales
    /// may read or write it — inside the root, and no existing part of it, from the root
    /// down, a symbolic link. Parts that do not exist yet are fine: a write creates them as
    /// real folders, a read then fails with "not found". One `lstat` per part.
    pub fn check_path(&self, rel: &Path) -> std::result::Result<PathBuf, Refusal> {
        let clean = lexical(rel)?;
        let mut at = self.root().to_path_buf();
        let mut walked = PathBuf::new();
        for part in clean.components() {
            at.push(part);
            walked.push(part);
            match fs::symlink_metadata(&at) {
                Ok(m) if m.file_type().is_symlink() => return Err(Refusal::Link(walked)),
                Ok(_) => {}
                // Nothing below a missing part exists either.
                Err(_) => return Ok(self.root().join(&clean)),
            }
        }
        Ok(at)
    }

    /// [`Store::check_path`] as a `Result` whose error names the path and the fix.
    pub fn inside(&self, rel: &Path) -> Result<PathBuf> {
        self.check_path(rel)
            .map_err(|r| r.into_error(&slash_path(rel)))
    }

    /// [`Store::inside`] for an absolute path (or one relative to the root).
    pub fn inside_abs(&self, path: &Path) -> Result<PathBuf> {
        if path.is_relative() {
            return self.inside(path);
        }
        match path.strip_prefix(self.root()) {
            Ok(rel) => self.inside(rel),
            Err(_) => Err(Refusal::Outside.into_error(&path.display().to_string())),
        }
    }

    /// Reads a UTF-8 file of the store named relative to the root (a file a pull request
    /// changed, say), through [`Store::inside`].
    pub fn read_inside(&self, rel: &Path) -> Result<String> {
        self.read_text(&self.inside(rel)?)
    }

    /// The path of a record file, checked by [`Store::inside`].
    pub fn record_path(&self, id: &crate::model::RecordId) -> Result<PathBuf> {
        self.inside(&Store::rel_path(id))
    }

    /// Writes a file of the store atomically, through [`Store::inside`]: never through a
    /// symbolic link, whether the target or a folder on the way. Creates missing folders.
    /// The folder is noted in the lock's journal first, so that a temp file this write
    /// leaves if it is killed is removed by the next writer.
    pub fn write_file(&self, path: &Path, bytes: &[u8], lock: &super::StoreLock) -> Result<()> {
        let path = self.inside_abs(path)?;
        if let Some(dir) = path.parent() {
            lock.note(&self.display_path(dir))?;
            fs::create_dir_all(dir).map_err(|e| Error::io(self.display_path(dir), e))?;
        }
        super::write_atomic(&path, bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_keeps_paths_inside() {
        assert_eq!(
            lexical(Path::new("./docs/a.md")),
            Ok(PathBuf::from("docs/a.md"))
        );
        assert_eq!(lexical(Path::new("docs/../../x")), Err(Refusal::Parent));
        assert_eq!(lexical(Path::new("/etc/passwd")), Err(Refusal::Absolute));
        assert_eq!(lexical(Path::new("")), Err(Refusal::Empty));
        assert_eq!(lexical(Path::new(".")), Err(Refusal::Empty));
    }

    #[cfg(unix)]
    #[test]
    fn check_path_refuses_a_link_anywhere_on_the_way() {
        let dir = tempfile::tempdir().unwrap();
        crate::store::init(dir.path(), false).unwrap();
        let s = Store::open(dir.path().to_path_buf()).unwrap();
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("secret.md"), "x").unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("docs")).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret.md"),
            dir.path().join("kb/plan.md"),
        )
        .unwrap();
        assert_eq!(
            s.check_path(Path::new("docs/secret.md")),
            Err(Refusal::Link(PathBuf::from("docs")))
        );
        assert_eq!(
            s.check_path(Path::new("kb/plan.md")),
            Err(Refusal::Link(PathBuf::from("kb/plan.md")))
        );
        // Missing parts are fine; real folders and files too.
        assert!(s.check_path(Path::new("requests/2030/x.yaml")).is_ok());
        assert!(s.check_path(Path::new("presales.toml")).is_ok());
        let err = s.inside(Path::new("docs/secret.md")).unwrap_err();
        assert!(
            err.to_string().contains("`docs` is a symbolic link"),
            "{err}"
        );
        let lock = s.lock().unwrap();
        assert!(
            s.write_file(&dir.path().join("docs/new.md"), b"x", &lock)
                .is_err()
        );
        assert!(!outside.path().join("new.md").exists());
        assert!(
            s.write_file(&dir.path().join("kb/plan.md"), b"x", &lock)
                .is_err()
        );
        assert_eq!(fs::read(outside.path().join("secret.md")).unwrap(), b"x");
        assert!(s.inside_abs(outside.path()).is_err());
    }
}
