//! `fmt`: record files rewritten in their canonical form (key order, quoting, block text,
//! the schema header), or, with `check_only`, only found.

use std::path::PathBuf;

use super::{Tx, Written};
use crate::error::{Error, Result};
use crate::model::RecordId;
use crate::store::Store;

/// What `fmt` found and did.
#[derive(Debug, Default)]
pub struct Formatted {
    /// Files not in canonical form (as shown: relative to the store root when inside it).
    pub differing: Vec<PathBuf>,
    /// Files that could not be read; the others were handled.
    pub errors: Vec<Error>,
    /// What was rewritten (nothing with `check_only`).
    pub written: Written,
}

/// Puts `files` (each with the ID its name gives) in canonical form, under the lock so no
/// write of another command is interleaved.
pub fn fmt(store: &Store, files: Vec<(RecordId, PathBuf)>, check_only: bool) -> Result<Formatted> {
    let mut tx = Tx::begin(store, None)?;
    let mut done = Formatted::default();
    for (id, path) in files {
        let (text, canonical) = match store.canonical_text(&id, &path) {
            Ok(t) => t,
            Err(e) => {
                done.errors.push(e);
                continue;
            }
        };
        if text == canonical {
            continue;
        }
        done.differing.push(store.display_path(&path));
        if !check_only {
            tx.write_text(&path, &canonical)?;
        }
    }
    done.written = tx.finish("fmt: canonical record files");
    Ok(done)
}
