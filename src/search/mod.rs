//! Owns full-text search over the knowledge base: the public API and the error type.
//!
//! The YAML files in git are the source of truth; the index under `<store>/.presales/index/`
//! is a disposable cache. Everything here is therefore built to *rebuild rather than fail*:
//! a missing, outdated, damaged or garbage index is replaced by the next
//! [`SearchIndex::sync`], built beside it and switched to when complete, so the previous
//! one stays searchable meanwhile and stays as it was if the build fails.
//!
//! * [`tokenizer`] — CJK bigram / Latin word analysis (Chinese substring search without a
//!   dictionary).
//! * [`index`] — on-disk layout, generations, manifest checksum, per-kind fingerprints,
//!   schema versioning, locking, incremental sync.
//! * [`query`] — parsing what users type into tantivy queries, ranking, snippets, suggestions.
//! * `quiet` — catching tantivy's panics without printing them.

pub mod index;
pub mod parse;
pub mod query;
mod quiet;
pub mod text;
pub mod tokenizer;

use std::io;
use std::path::PathBuf;
use std::time::Duration;

pub use index::{
    Doc, Fingerprints, Lookup, Rebuild, SCHEMA_VERSION, SearchIndex, SourceEntry, SyncFailure,
    SyncStats,
};
pub use parse::{Clause, ClauseFields, ParsedQuery, parse as parse_query};
pub use query::{Hit, SearchQuery};
pub use tokenizer::{CjkBigramTokenizer, CjkMode};

/// Everything that can go wrong in this module. Variants carry the path involved so the CLI
/// can print an actionable message without extra context; messages are plain sentences,
/// never a library's debug output.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// A filesystem operation on the index directory failed.
    #[error("cannot read the search index at {}: {}", path.display(), plain_io(source))]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// tantivy reported an error while opening or searching the index.
    #[error("cannot use the search index at {}: {}", path.display(), plain_tantivy(source))]
    Tantivy {
        path: PathBuf,
        #[source]
        source: tantivy::TantivyError,
    },

    /// The fingerprint manifest could not be serialized.
    #[error("cannot write search manifest {}: {source}", path.display())]
    Manifest {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },

    /// Writing the index failed (the disk is full, a file could not be created). Nothing
    /// was switched: the previous index is still there, complete and searchable.
    #[error("could not write the search index at {}: {}", path.display(), plain_io(source))]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// Another process holds the index lock for longer than we were willing to wait.
    /// The existing index is still searchable (possibly stale); the CLI should warn and
    /// go on searching rather than abort. `pending`: the changes not written.
    #[error(
        "the search index at {} is being updated by another presales command (waited {} s)",
        path.display(),
        waited.as_secs()
    )]
    Busy {
        path: PathBuf,
        waited: Duration,
        pending: usize,
    },

    /// The index needed writing (`pending` changes, or a rebuild) but its folder cannot be
    /// written (a read-only clone). What was opened is still searchable.
    #[error("the search index at {} cannot be written (read-only)", path.display())]
    ReadOnly { path: PathBuf, pending: usize },

    /// The index folder is a symbolic link: it is never followed for writing or deleting.
    #[error(
        "{} is a symbolic link; the search index is never written or deleted through a link",
        path.display()
    )]
    Symlink { path: PathBuf },

    /// The index data turned out to be unreadable while in use (tantivy panicked or reported
    /// corruption). The next sync of the same handle rebuilds it. `detail` is for debugging
    /// and not part of the message.
    #[error("the search index at {} is damaged", path.display())]
    Corrupt { path: PathBuf, detail: String },

    /// The query text contains nothing searchable (only punctuation, symbols or spaces).
    #[error("the search query contains no searchable words")]
    EmptyQuery,
}

impl SearchError {
    /// Changes the caller's index could not write (for "searched without N changes").
    pub fn pending(&self) -> Option<usize> {
        match self {
            SearchError::Busy { pending, .. } | SearchError::ReadOnly { pending, .. } => {
                Some(*pending)
            }
            _ => None,
        }
    }
}

/// An I/O error as a short phrase: the common causes in words, others as the system says.
pub fn plain_io(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::StorageFull => "the disk is full".into(),
        io::ErrorKind::QuotaExceeded => "the disk quota is exceeded".into(),
        io::ErrorKind::ReadOnlyFilesystem => "the file system is read-only".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::NotFound => "a file of the index is missing".into(),
        _ => e.to_string(),
    }
}

fn plain_tantivy(e: &tantivy::TantivyError) -> String {
    match index::io_cause(e) {
        Some(io) => plain_io(&io),
        None => "its files cannot be read".into(),
    }
}

/// Shared fixtures for the index and query tests: an in-memory "store" standing in for the
/// YAML files, with fingerprints bumped on every write like a real mtime would be.
#[cfg(test)]
pub(crate) mod test_util {
    use std::collections::BTreeMap;

    use super::{Doc, SearchIndex, SourceEntry, SyncStats};

    pub fn doc(id: &str, kind: &str, title: &str, body: &str) -> Doc {
        Doc {
            id: id.into(),
            kind: kind.into(),
            title: title.into(),
            body: body.into(),
            ..Doc::default()
        }
    }

    /// `(kind, sources)` as [`SearchIndex::sync`] takes them.
    pub fn as_kinds(sources: &[(String, Vec<SourceEntry>)]) -> Vec<(&str, &[SourceEntry])> {
        sources
            .iter()
            .map(|(k, s)| (k.as_str(), s.as_slice()))
            .collect()
    }

    /// The kinds the fixtures use.
    const FIXED: [&str; 3] = ["article", "request", "solution"];

    #[derive(Default)]
    pub struct Store {
        pub docs: BTreeMap<String, (String, Doc)>,
        version: u64,
    }

    impl Store {
        pub fn put(&mut self, doc: Doc) {
            self.version += 1;
            self.docs
                .insert(doc.id.clone(), (format!("v{}", self.version), doc));
        }

        pub fn remove(&mut self, id: &str) {
            self.docs.remove(id);
        }

        /// The sources of each kind: the kinds the fixtures use are always listed (a kind
        /// whose documents are all removed must be listed empty), and any other present.
        pub fn sources(&self) -> Vec<(String, Vec<SourceEntry>)> {
            let mut kinds: BTreeMap<String, Vec<SourceEntry>> = FIXED
                .into_iter()
                .map(|k| (k.to_string(), Vec::new()))
                .collect();
            for (id, (fp, doc)) in &self.docs {
                kinds
                    .entry(doc.kind.clone())
                    .or_default()
                    .push(SourceEntry {
                        id: id.clone(),
                        fingerprint: fp.clone(),
                    });
            }
            kinds.into_iter().collect()
        }

        /// Syncs and also returns the ids that `load` was asked for.
        pub fn sync_traced(&self, index: &mut SearchIndex) -> (SyncStats, Vec<String>) {
            self.sync_kinds_traced(index, &FIXED)
        }

        /// Syncs only `kinds` (the others as indexed), returning the ids loaded.
        pub fn sync_kinds_traced(
            &self,
            index: &mut SearchIndex,
            kinds: &[&str],
        ) -> (SyncStats, Vec<String>) {
            let sources = self.sources();
            let mut listed = as_kinds(&sources);
            listed.retain(|(k, _)| kinds.contains(k) || !FIXED.contains(k));
            let mut loaded = Vec::new();
            let stats = index
                .sync(
                    &listed,
                    |id| {
                        loaded.push(id.to_string());
                        self.docs
                            .get(id)
                            .map(|(_, d)| d.clone())
                            .ok_or_else(|| format!("no doc {id}"))
                    },
                    &mut |_, _| {},
                )
                .expect("sync");
            (stats, loaded)
        }

        pub fn sync(&self, index: &mut SearchIndex) -> SyncStats {
            self.sync_traced(index).0
        }
    }
}
