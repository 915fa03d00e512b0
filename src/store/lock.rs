//! The store-wide write lock: one writer at a time, so no read-modify-write loses an update.
//!
//! The lock file is also the writer's journal: before a write creates its temp file in a
//! folder, the folder is noted in the lock file, and the notes are cleared when the lock is
//! released. Notes found by the next writer are a killed writer's: the folders where its
//! temp files may lie, swept at once ([`super::Store::lock`]) without listing the store.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// Held while a command reads, changes and writes records. Released on drop (and by the OS
/// if the process dies), so a crash never leaves the store locked.
pub struct StoreLock {
    file: Mutex<File>,
    path: PathBuf,
    /// Folders noted by this holder.
    noted: Mutex<Vec<PathBuf>>,
    /// Folders a previous holder noted and did not clear: it died while writing.
    left_over: Vec<PathBuf>,
}

impl StoreLock {
    pub fn acquire(cache_dir: &Path) -> Result<StoreLock> {
        fs::create_dir_all(cache_dir).map_err(|e| Error::io(cache_dir, e))?;
        let path = cache_dir.join("lock");
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        file.lock().map_err(|e| Error::io(&path, e))?;
        let mut notes = String::new();
        // Unreadable notes (not UTF-8): nothing to sweep; `check` still finds stray files.
        let _ = file.read_to_string(&mut notes);
        let mut left_over: Vec<PathBuf> = notes
            .lines()
            .filter(|l| !l.is_empty())
            .map(PathBuf::from)
            .collect();
        left_over.sort();
        left_over.dedup();
        Ok(StoreLock {
            file: Mutex::new(file),
            path,
            noted: Mutex::new(Vec::new()),
            left_over,
        })
    }

    /// The folders (relative to the store root) a killed writer was writing into.
    pub(super) fn left_over(&self) -> &[PathBuf] {
        &self.left_over
    }

    /// Clears the notes once the left-over folders are swept.
    pub(super) fn clear(&self) -> Result<()> {
        let file = self
            .file
            .lock()
            .map_err(|_| Error::invalid("the store lock was poisoned"))?;
        file.set_len(0).map_err(|e| Error::io(&self.path, e))
    }

    /// Notes `folder` (relative to the store root) before a temp file is created in it. No
    /// fsync: a killed process's writes still reach the file; only a power loss can drop
    /// the note, and then `check` reports what is left.
    pub(super) fn note(&self, folder: &Path) -> Result<()> {
        let mut noted = self
            .noted
            .lock()
            .map_err(|_| Error::invalid("the store lock was poisoned"))?;
        if noted.iter().any(|n| n == folder) {
            return Ok(());
        }
        let mut file = self
            .file
            .lock()
            .map_err(|_| Error::invalid("the store lock was poisoned"))?;
        let shown = super::slash_path(folder);
        let line = format!("{}\n", if shown.is_empty() { "." } else { &shown });
        file.seek(std::io::SeekFrom::End(0))
            .and_then(|_| file.write_all(line.as_bytes()))
            .map_err(|e| Error::io(&self.path, e))?;
        noted.push(folder.to_path_buf());
        Ok(())
    }
}

impl Drop for StoreLock {
    /// Every write of this holder is complete (renamed, or its temp file removed): clear
    /// the notes before the OS releases the lock.
    fn drop(&mut self) {
        if let (Ok(file), Ok(noted)) = (self.file.get_mut(), self.noted.get_mut())
            && !noted.is_empty()
        {
            let _ = file.set_len(0);
        }
    }
}
