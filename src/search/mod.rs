//! Owns full-text search over the knowledge base: the public API and the error type.
//!
//! The YAML files in git are the source of truth; the index under `<store>/.presales/index/`
//! is a disposable cache. Everything here is therefore built to *rebuild rather than fail*:
//! a missing, outdated or garbage index is silently recreated and refilled by the next
//! [`SearchIndex::sync`].
//!
//! * [`tokenizer`] — CJK bigram / Latin word analysis (Chinese substring search without a
//!   dictionary).
//! * [`index`] — on-disk layout, schema versioning, locking, incremental sync.
//! * [`query`] — parsing what users type into tantivy queries, ranking, snippets, suggestions.

pub mod index;
pub mod query;
pub mod tokenizer;

use std::path::PathBuf;
use std::time::Duration;

pub use index::{Doc, SCHEMA_VERSION, SearchIndex, SourceEntry, SyncFailure, SyncStats};
pub use query::{Clause, ClauseFields, Hit, SearchQuery, parse_query_text};
pub use tokenizer::{CjkBigramTokenizer, CjkMode};

/// Everything that can go wrong in this module. Variants carry the path involved so the CLI
/// can print an actionable message without extra context.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// A filesystem operation on the index directory failed.
    #[error("search index I/O error at {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// tantivy reported an error while opening, writing or searching the index.
    #[error("search index error in {path}: {source}")]
    Tantivy {
        path: PathBuf,
        #[source]
        source: tantivy::TantivyError,
    },

    /// The fingerprint manifest could not be serialized.
    #[error("cannot write search manifest {path}: {source}")]
    Manifest {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },

    /// Another process holds the index lock for longer than we were willing to wait.
    /// The existing index is still searchable (possibly stale); the CLI should warn and
    /// go on searching rather than abort.
    #[error(
        "search index at {path} is being updated by another process (waited {waited:?}); results may be stale"
    )]
    Busy { path: PathBuf, waited: Duration },

    /// The index data turned out to be unreadable while in use (tantivy panicked or reported
    /// corruption). The manifest has been invalidated so the next open rebuilds it.
    #[error("search index at {path} is corrupt and will be rebuilt on next use: {detail}")]
    Corrupt { path: PathBuf, detail: String },

    /// The query text contains nothing searchable (only punctuation, symbols or spaces).
    #[error("the search query contains no searchable words")]
    EmptyQuery,
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

        pub fn sources(&self) -> Vec<SourceEntry> {
            self.docs
                .iter()
                .map(|(id, (fp, _))| SourceEntry {
                    id: id.clone(),
                    fingerprint: fp.clone(),
                })
                .collect()
        }

        /// Syncs and also returns the ids that `load` was asked for.
        pub fn sync_traced(&self, index: &mut SearchIndex) -> (SyncStats, Vec<String>) {
            let mut loaded = Vec::new();
            let stats = index
                .sync(
                    &self.sources(),
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
