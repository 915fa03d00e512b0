//! The store-wide write lock: one writer at a time, so no read-modify-write loses an update.

use std::fs::{self, File, OpenOptions};
use std::path::Path;

use crate::error::{Error, Result};

/// Held while a command reads, changes and writes records. Released on drop (and by the OS
/// if the process dies), so a crash never leaves the store locked.
pub struct StoreLock {
    _file: File,
}

impl StoreLock {
    pub fn acquire(cache_dir: &Path) -> Result<StoreLock> {
        fs::create_dir_all(cache_dir).map_err(|e| Error::io(cache_dir, e))?;
        let path = cache_dir.join("lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        file.lock().map_err(|e| Error::io(&path, e))?;
        Ok(StoreLock { _file: file })
    }
}
