//! Owns the on-disk index: directory layout, schema + version checks, self-healing rebuilds,
//! cross-process locking and incremental sync driven by caller-made fingerprints.
//!
//! Layout of the directory handed to [`SearchIndex::open`] (the app uses
//! `<store>/.presales/index/`); this module owns *everything* in it:
//!
//! ```text
//! index.lock      std file lock serialising sync/rebuild across processes (never deleted)
//! manifest.json   {schema_version, opstamp, entries: {id: fingerprint}}, written via temp+rename
//! tantivy/        the tantivy index proper
//! ```
//!
//! Validity rule: the index is usable only if the manifest parses, its `schema_version` equals
//! [`SCHEMA_VERSION`], tantivy opens with exactly our schema, all segments open, and the
//! manifest's `opstamp` equals the last tantivy commit. The opstamp check ties the manifest to
//! the commit it describes: a crash between "commit" and "write manifest" leaves them out of
//! step, which we detect and answer with a full rebuild instead of silently keeping orphans.
//!
//! Concurrency (two `presales` processes at once):
//! * Searching takes no lock. tantivy writes `meta.json` atomically and never modifies segment
//!   files in place, so a reader always sees a complete commit (on Unix even a wipe by another
//!   process is harmless to an open reader, whose mmaps stay valid).
//! * `sync` and rebuilds take `index.lock` (a std exclusive file lock) because the manifest and
//!   the wipe are outside what tantivy's writer lock protects. While holding it we also take
//!   tantivy's own writer lock; should that one be busy (e.g. an older binary), we retry until
//!   the same timeout. If the timeout expires `sync` returns [`SearchError::Busy`]: the caller
//!   should warn and search the existing index, which stays readable throughout.
//! * `open` only locks when the index looks invalid. If another process holds the lock (it is
//!   probably rebuilding) we wait, then re-check; if we still cannot get it we fall back to any
//!   tantivy index that opens with our schema, else return `Busy`.

use std::collections::{BTreeMap, HashSet};
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tantivy::indexer::IndexWriterOptions;
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError, Term};

use super::SearchError;
use super::tokenizer::{
    CJK_TOKENIZER, CJK_UNIGRAM_TOKENIZER, KEYWORD_TOKENIZER, register_tokenizers,
};

/// Bump whenever the schema, a tokenizer's output or the stored-field layout changes:
/// an index written with another version is wiped and rebuilt on open.
pub const SCHEMA_VERSION: u32 = 1;

/// How long `sync` (and `open`, when it must rebuild) waits for another process.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(10);

const TANTIVY_SUBDIR: &str = "tantivy";
const MANIFEST_FILE: &str = "manifest.json";
const LOCK_FILE: &str = "index.lock";
const LOCK_POLL: Duration = Duration::from_millis(25);
/// Per indexing thread; tantivy's minimum is 15 MB. 32 MB keeps a 20k-doc rebuild in a
/// handful of segments without surprising memory use in a CLI.
const WRITER_MEMORY_PER_THREAD: usize = 32 * 1024 * 1024;

/// One knowledge-base record as the caller hands it to the index.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Doc {
    pub id: String,
    /// "article" | "request" | "solution" (free-form; matched case-insensitively).
    pub kind: String,
    pub title: String,
    pub body: String,
    pub category: Option<String>,
    pub status: Option<String>,
    pub products: Vec<String>,
    pub tags: Vec<String>,
}

/// One entry of the caller's current source list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceEntry {
    pub id: String,
    /// Opaque change marker made by the caller (e.g. `path + size + mtime_ns`); any change
    /// triggers a reload of that document.
    pub fingerprint: String,
}

/// A document whose `load` callback failed during sync. The index keeps its previous
/// version (if any) and the manifest keeps the old fingerprint, so the next sync retries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncFailure {
    pub id: String,
    pub error: String,
}

/// What a [`SearchIndex::sync`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncStats {
    pub added: usize,
    pub updated: usize,
    pub deleted: usize,
    pub unchanged: usize,
    pub failed: Vec<SyncFailure>,
    /// True if the index was wiped and recreated (by this sync or by the `open` before it).
    pub rebuilt: bool,
}

/// Fields of the tantivy schema. `*_uni` hold the same text as their sibling analysed as
/// CJK unigrams, so one-character queries can match inside longer runs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub id: Field,
    pub kind: Field,
    pub title: Field,
    pub title_uni: Field,
    pub body: Field,
    pub body_uni: Field,
    pub category: Field,
    pub status: Field,
    pub products: Field,
    pub tags: Field,
}

fn build_schema() -> (Schema, Fields) {
    let text = |tokenizer: &str, stored: bool| {
        let opts = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                // Positions are needed for phrase queries and snippet offsets.
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored { opts.set_stored() } else { opts }
    };
    let keyword = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(KEYWORD_TOKENIZER)
                .set_index_option(IndexRecordOption::Basic),
        )
        .set_stored();

    let mut b = Schema::builder();
    let fields = Fields {
        // Exact, case-sensitive: ids are keys for delete_term.
        id: b.add_text_field("id", STRING | STORED),
        kind: b.add_text_field("kind", keyword.clone()),
        title: b.add_text_field("title", text(CJK_TOKENIZER, true)),
        title_uni: b.add_text_field("title_uni", text(CJK_UNIGRAM_TOKENIZER, false)),
        body: b.add_text_field("body", text(CJK_TOKENIZER, true)),
        body_uni: b.add_text_field("body_uni", text(CJK_UNIGRAM_TOKENIZER, false)),
        category: b.add_text_field("category", keyword.clone()),
        status: b.add_text_field("status", keyword.clone()),
        products: b.add_text_field("products", keyword.clone()),
        tags: b.add_text_field("tags", keyword),
    };
    (b.build(), fields)
}

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    schema_version: u32,
    /// tantivy commit this manifest describes.
    opstamp: u64,
    entries: BTreeMap<String, String>,
}

/// Held while syncing/rebuilding; dropping the file releases the OS lock.
struct DirLock {
    _file: Option<File>,
}

/// A successfully opened, validated index.
struct Opened {
    index: Index,
    reader: IndexReader,
    manifest: Option<Manifest>,
}

/// The search index. Cheap to keep open; `search` takes `&self`, `sync` takes `&mut self`.
pub struct SearchIndex {
    pub(crate) dir: PathBuf,
    pub(crate) fields: Fields,
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    schema: Schema,
    lock_timeout: Duration,
    rebuilt_pending: bool,
    /// The manifest's fingerprints as read when the index was opened, so a caller asking
    /// for them does not read and parse the file again.
    opened_entries: Option<BTreeMap<String, String>>,
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> SearchError + '_ {
    move |source| SearchError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn tv_err(path: &Path) -> impl FnOnce(TantivyError) -> SearchError + '_ {
    move |source| SearchError::Tantivy {
        path: path.to_path_buf(),
        source,
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it if needed. A missing, outdated (other
    /// [`SCHEMA_VERSION`]), corrupt or garbage index is wiped and recreated empty; check
    /// [`SearchIndex::was_rebuilt`] or the `rebuilt` flag of the next [`SyncStats`].
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        Self::open_with_timeout(dir, DEFAULT_LOCK_TIMEOUT)
    }

    /// Like [`SearchIndex::open`] with an explicit lock wait (also used by later `sync`s).
    pub fn open_with_timeout(dir: &Path, lock_timeout: Duration) -> Result<Self, SearchError> {
        fs::create_dir_all(dir).map_err(io_err(dir))?;
        let (schema, fields) = build_schema();
        let make = |opened: Opened, rebuilt: bool| SearchIndex {
            dir: dir.to_path_buf(),
            fields,
            index: opened.index,
            reader: opened.reader,
            schema: schema.clone(),
            lock_timeout,
            rebuilt_pending: rebuilt,
            opened_entries: opened.manifest.map(|m| m.entries),
        };

        // Fast path: no lock for the common "index is fine" case, so concurrent searches
        // never wait on each other.
        if let Ok(opened) = inspect(dir, &schema, true) {
            return Ok(make(opened, false));
        }
        match acquire_dir_lock(dir, lock_timeout)? {
            Some(_lock) => {
                // Re-check under the lock: another process may have rebuilt it meanwhile.
                if let Ok(opened) = inspect(dir, &schema, true) {
                    return Ok(make(opened, false));
                }
                let opened = wipe_and_create(dir, &schema)?;
                Ok(make(opened, true))
            }
            None => match inspect(dir, &schema, false) {
                // Someone else is busy with it (long rebuild); a readable index is better
                // than an error. The next sync will take the lock and fix things up.
                Ok(opened) => Ok(make(opened, false)),
                Err(_) => Err(SearchError::Busy {
                    path: dir.to_path_buf(),
                    waited: lock_timeout,
                }),
            },
        }
    }

    /// The directory this index lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// True if `open` had to wipe and recreate the index and no `sync` has reported it yet.
    pub fn was_rebuilt(&self) -> bool {
        self.rebuilt_pending
    }

    /// Changes how long `sync` waits for another process holding the lock.
    pub fn set_lock_timeout(&mut self, timeout: Duration) {
        self.lock_timeout = timeout;
    }

    /// The fingerprints recorded by the last sync, by id (empty if the manifest is gone).
    /// Lets the caller build fingerprints that depend on what it indexed before, such as
    /// the body file an article pointed to.
    pub fn indexed_fingerprints(&self) -> BTreeMap<String, String> {
        if let Some(entries) = &self.opened_entries {
            return entries.clone();
        }
        read_manifest(&self.dir)
            .ok()
            .filter(|m| m.schema_version == SCHEMA_VERSION)
            .map(|m| m.entries)
            .unwrap_or_default()
    }

    /// Empties the index (under the sync lock) so the next [`SearchIndex::sync`] loads every
    /// document again: `presales reindex`.
    pub fn clear(&mut self) -> Result<(), SearchError> {
        let dir = self.dir.clone();
        // The manifest is about to change: later callers read it afresh.
        self.opened_entries = None;
        let Some(_lock) = acquire_dir_lock(&dir, self.lock_timeout)? else {
            return Err(SearchError::Busy {
                path: dir,
                waited: self.lock_timeout,
            });
        };
        let opened = wipe_and_create(&dir, &self.schema)?;
        self.index = opened.index;
        self.reader = opened.reader;
        self.rebuilt_pending = true;
        Ok(())
    }

    /// Number of live documents visible to searches.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Picks up commits made by other processes (searches otherwise see the state as of
    /// `open`/the last `sync`, which is what a short-lived CLI wants).
    pub fn reload(&self) -> Result<(), SearchError> {
        self.reader.reload().map_err(tv_err(&self.dir))
    }

    /// Brings the index in sync with `sources`, the complete current list of documents.
    ///
    /// * ids absent from `sources` are deleted;
    /// * new ids and ids whose fingerprint changed are fetched with `load(id)` and replaced by
    ///   key (`delete_term(id)` + add); the source id is authoritative, `Doc::id` is ignored;
    /// * unchanged ids are not loaded nor touched; if nothing changed, nothing is written.
    ///
    /// Duplicate ids in `sources`: the first entry wins. A failing `load` is reported in
    /// [`SyncStats::failed`] and leaves that document's previous state in place.
    /// `progress(done, total)` is called once with `(0, total)` and after each document.
    pub fn sync<E, F>(
        &mut self,
        sources: &[SourceEntry],
        mut load: F,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<SyncStats, SearchError>
    where
        F: FnMut(&str) -> Result<Doc, E>,
        E: std::fmt::Display,
    {
        let dir = self.dir.clone();
        // The manifest is about to change: later callers read it afresh.
        self.opened_entries = None;
        let Some(_lock) = acquire_dir_lock(&dir, self.lock_timeout)? else {
            return Err(SearchError::Busy {
                path: dir,
                waited: self.lock_timeout,
            });
        };

        // Re-validate under the lock and switch to fresh handles: another process may have
        // committed or even rebuilt since we opened.
        let (opened, rebuilt_now) = match inspect(&dir, &self.schema, true) {
            Ok(opened) => (opened, false),
            Err(_) => (wipe_and_create(&dir, &self.schema)?, true),
        };
        self.index = opened.index;
        self.reader = opened.reader;
        let mut entries = opened.manifest.map(|m| m.entries).unwrap_or_default();
        let mut stats = SyncStats {
            rebuilt: rebuilt_now || std::mem::take(&mut self.rebuilt_pending),
            ..SyncStats::default()
        };

        // Diff against the manifest.
        let mut seen: HashSet<&str> = HashSet::with_capacity(sources.len());
        let mut to_load: Vec<(&str, &str, bool)> = Vec::new();
        for s in sources {
            if !seen.insert(s.id.as_str()) {
                continue;
            }
            match entries.get(&s.id) {
                Some(fp) if *fp == s.fingerprint => stats.unchanged += 1,
                Some(_) => to_load.push((&s.id, &s.fingerprint, true)),
                None => to_load.push((&s.id, &s.fingerprint, false)),
            }
        }
        let to_delete: Vec<String> = entries
            .keys()
            .filter(|id| !seen.contains(id.as_str()))
            .cloned()
            .collect();

        let total = to_delete.len() + to_load.len();
        progress(0, total);
        if total == 0 {
            return Ok(stats);
        }

        let mut writer = self.open_writer()?;
        let mut done = 0;
        for id in to_delete {
            writer.delete_term(Term::from_field_text(self.fields.id, &id));
            entries.remove(&id);
            stats.deleted += 1;
            done += 1;
            progress(done, total);
        }
        for (id, fingerprint, existed) in to_load {
            match load(id) {
                Ok(doc) => {
                    writer.delete_term(Term::from_field_text(self.fields.id, id));
                    writer
                        .add_document(self.to_tantivy(id, &doc))
                        .map_err(tv_err(&dir))?;
                    entries.insert(id.to_string(), fingerprint.to_string());
                    if existed {
                        stats.updated += 1;
                    } else {
                        stats.added += 1;
                    }
                }
                Err(e) => stats.failed.push(SyncFailure {
                    id: id.to_string(),
                    error: e.to_string(),
                }),
            }
            done += 1;
            progress(done, total);
        }
        writer.commit().map_err(tv_err(&dir))?;
        // Let background merges finish while we still hold the lock so the next process
        // starts from a settled index; merges keep the commit opstamp unchanged.
        writer.wait_merging_threads().map_err(tv_err(&dir))?;
        let opstamp = self.index.load_metas().map_err(tv_err(&dir))?.opstamp;
        write_manifest(
            &dir,
            &Manifest {
                schema_version: SCHEMA_VERSION,
                opstamp,
                entries,
            },
        )?;
        self.reload()?;
        Ok(stats)
    }

    /// Takes tantivy's writer lock, retrying while another writer holds it.
    fn open_writer(&self) -> Result<IndexWriter<TantivyDocument>, SearchError> {
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 4);
        let options = IndexWriterOptions::builder()
            .num_worker_threads(threads)
            .memory_budget_per_thread(WRITER_MEMORY_PER_THREAD)
            .num_merge_threads(1)
            .build();
        let start = Instant::now();
        loop {
            match self.index.writer_with_options(options.clone()) {
                Ok(w) => return Ok(w),
                Err(TantivyError::LockFailure(_, _)) if start.elapsed() < self.lock_timeout => {
                    std::thread::sleep(LOCK_POLL);
                }
                Err(TantivyError::LockFailure(_, _)) => {
                    return Err(SearchError::Busy {
                        path: self.dir.clone(),
                        waited: self.lock_timeout,
                    });
                }
                Err(e) => return Err(tv_err(&self.dir)(e)),
            }
        }
    }

    fn to_tantivy(&self, id: &str, doc: &Doc) -> TantivyDocument {
        let f = &self.fields;
        let mut d = TantivyDocument::new();
        d.add_text(f.id, id);
        d.add_text(f.kind, &doc.kind);
        d.add_text(f.title, &doc.title);
        d.add_text(f.title_uni, &doc.title);
        d.add_text(f.body, &doc.body);
        d.add_text(f.body_uni, &doc.body);
        if let Some(c) = &doc.category {
            d.add_text(f.category, c);
        }
        if let Some(s) = &doc.status {
            d.add_text(f.status, s);
        }
        for p in &doc.products {
            d.add_text(f.products, p);
        }
        for t in &doc.tags {
            d.add_text(f.tags, t);
        }
        d
    }

    /// Runs `f` against tantivy, turning a panic (which tantivy may raise on corrupt data)
    /// into [`SearchError::Corrupt`] and invalidating the manifest so the next open rebuilds.
    pub(crate) fn guarded<T>(
        &self,
        f: impl FnOnce() -> Result<T, TantivyError>,
    ) -> Result<T, SearchError> {
        match catch_unwind(AssertUnwindSafe(f)) {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e @ (TantivyError::DataCorruption(_) | TantivyError::IncompatibleIndex(_)))) => {
                self.invalidate();
                Err(SearchError::Corrupt {
                    path: self.dir.clone(),
                    detail: e.to_string(),
                })
            }
            Ok(Err(e)) => Err(tv_err(&self.dir)(e)),
            Err(payload) => {
                self.invalidate();
                Err(SearchError::Corrupt {
                    path: self.dir.clone(),
                    detail: panic_message(payload.as_ref()),
                })
            }
        }
    }

    /// Removing the manifest makes the index invalid, forcing a rebuild on the next
    /// open/sync. Best effort: if it fails we are already reporting an error.
    fn invalidate(&self) {
        let _ = fs::remove_file(self.dir.join(MANIFEST_FILE));
    }
}

/// Tries to take `<dir>/index.lock`, polling until `timeout`. `Ok(None)` means busy.
/// Filesystems without lock support (some network mounts) proceed unlocked; tantivy's own
/// writer lock still prevents two concurrent writers there.
fn acquire_dir_lock(dir: &Path, timeout: Duration) -> Result<Option<DirLock>, SearchError> {
    let path = dir.join(LOCK_FILE);
    // The directory may have been deleted by the user since open.
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io_err(&path))?;
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Some(DirLock { _file: Some(file) })),
            Err(TryLockError::WouldBlock) => {
                if start.elapsed() >= timeout {
                    return Ok(None);
                }
                std::thread::sleep(LOCK_POLL);
            }
            Err(TryLockError::Error(e)) if e.kind() == io::ErrorKind::Unsupported => {
                return Ok(Some(DirLock { _file: None }));
            }
            Err(TryLockError::Error(e)) => return Err(io_err(&path)(e)),
        }
    }
}

/// Validates and opens the index. `strict` additionally requires a matching manifest
/// (version + opstamp); non-strict is the read-only fallback used when another process
/// holds the lock. Never panics: tantivy panics on garbage input are caught.
fn inspect(dir: &Path, schema: &Schema, strict: bool) -> Result<Opened, String> {
    let run = || -> Result<Opened, String> {
        let manifest = match read_manifest(dir) {
            Ok(m) if m.schema_version == SCHEMA_VERSION => Some(m),
            Ok(m) if strict => {
                return Err(format!(
                    "schema version {} != {SCHEMA_VERSION}",
                    m.schema_version
                ));
            }
            Err(e) if strict => return Err(e),
            _ => None,
        };
        let index = Index::open_in_dir(dir.join(TANTIVY_SUBDIR)).map_err(|e| e.to_string())?;
        if index.schema() != *schema {
            return Err("schema differs".into());
        }
        register_tokenizers(index.tokenizers());
        if let Some(m) = &manifest {
            let opstamp = index.load_metas().map_err(|e| e.to_string())?.opstamp;
            if strict && opstamp != m.opstamp {
                return Err(format!("manifest opstamp {} != index {opstamp}", m.opstamp));
            }
        }
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| e.to_string())?;
        Ok(Opened {
            index,
            reader,
            manifest,
        })
    };
    catch_unwind(AssertUnwindSafe(run)).unwrap_or_else(|p| Err(panic_message(p.as_ref())))
}

fn read_manifest(dir: &Path) -> Result<Manifest, String> {
    let path = dir.join(MANIFEST_FILE);
    let bytes = fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// Atomic replace: write a temp file in the same directory, fsync, rename over.
fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<(), SearchError> {
    let path = dir.join(MANIFEST_FILE);
    let tmp = dir.join(format!("{MANIFEST_FILE}.tmp-{}", std::process::id()));
    let bytes = serde_json::to_vec(manifest).map_err(|source| SearchError::Manifest {
        path: path.clone(),
        source,
    })?;
    let write = || -> io::Result<()> {
        let mut f = File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        Ok(())
    };
    write().map_err(io_err(&tmp))?;
    fs::rename(&tmp, &path).map_err(io_err(&path))?;
    Ok(())
}

/// Deletes everything in `dir` except the lock file (which other processes may be waiting
/// on), then creates an empty index and its manifest. Caller must hold the dir lock.
fn wipe_and_create(dir: &Path, schema: &Schema) -> Result<Opened, SearchError> {
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    for entry in fs::read_dir(dir).map_err(io_err(dir))? {
        let entry = entry.map_err(io_err(dir))?;
        if entry.file_name() == LOCK_FILE {
            continue;
        }
        let path = entry.path();
        let is_dir = entry.file_type().map_err(io_err(&path))?.is_dir();
        if is_dir {
            fs::remove_dir_all(&path).map_err(io_err(&path))?;
        } else {
            fs::remove_file(&path).map_err(io_err(&path))?;
        }
    }
    let tdir = dir.join(TANTIVY_SUBDIR);
    fs::create_dir_all(&tdir).map_err(io_err(&tdir))?;
    let index = Index::create_in_dir(&tdir, schema.clone()).map_err(tv_err(&tdir))?;
    register_tokenizers(index.tokenizers());
    let opstamp = index.load_metas().map_err(tv_err(&tdir))?.opstamp;
    let manifest = Manifest {
        schema_version: SCHEMA_VERSION,
        opstamp,
        entries: BTreeMap::new(),
    };
    write_manifest(dir, &manifest)?;
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map_err(tv_err(&tdir))?;
    Ok(Opened {
        index,
        reader,
        manifest: Some(manifest),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::SearchQuery;
    use crate::search::test_util::{Store, doc};

    fn ids(index: &SearchIndex, text: &str) -> Vec<String> {
        let mut ids: Vec<String> = index
            .search(&SearchQuery::new(text))
            .expect("search")
            .into_iter()
            .map(|h| h.id)
            .collect();
        ids.sort();
        ids
    }

    fn three_docs() -> Store {
        let mut store = Store::default();
        store.put(doc("a1", "article", "VPN 配置", "派工原则是轮流"));
        store.put(doc("a2", "article", "Backup policy", "数据库每天备份"));
        store.put(doc("r1", "request", "客户需求", "需要 Kubernetes 部署"));
        store
    }

    fn opstamp(index: &SearchIndex) -> u64 {
        index.index.load_metas().expect("metas").opstamp
    }

    #[test]
    fn fresh_open_creates_empty_index_and_reports_build() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("nested/index");
        let mut index = SearchIndex::open(&dir).expect("open");
        assert!(index.was_rebuilt());
        assert_eq!(index.num_docs(), 0);
        let stats = Store::default().sync(&mut index);
        assert!(stats.rebuilt);
        assert!(!index.was_rebuilt());
        // Re-opening a valid index is not a rebuild.
        let index = SearchIndex::open(&dir).expect("reopen");
        assert!(!index.was_rebuilt());
    }

    #[test]
    fn sync_add_change_delete_and_unchanged_not_touched() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut index = SearchIndex::open(tmp.path()).expect("open");
        let mut store = three_docs();

        let (stats, loaded) = store.sync_traced(&mut index);
        assert_eq!((stats.added, stats.updated, stats.deleted), (3, 0, 0));
        assert_eq!(loaded.len(), 3);
        assert_eq!(index.num_docs(), 3);
        assert_eq!(ids(&index, "kubernetes"), vec!["r1"]);

        // Nothing changed: nothing loaded, nothing committed.
        let before = opstamp(&index);
        let (stats, loaded) = store.sync_traced(&mut index);
        assert_eq!(stats.unchanged, 3);
        assert_eq!((stats.added, stats.updated, stats.deleted), (0, 0, 0));
        assert!(loaded.is_empty());
        assert_eq!(opstamp(&index), before);

        // Change one document: only it is reloaded, the old text disappears.
        store.put(doc("a2", "article", "Backup policy", "每周归档到磁带"));
        let (stats, loaded) = store.sync_traced(&mut index);
        assert_eq!(loaded, vec!["a2"]);
        assert_eq!((stats.updated, stats.unchanged), (1, 2));
        assert!(ids(&index, "数据库").is_empty());
        assert_eq!(ids(&index, "磁带"), vec!["a2"]);
        assert_eq!(index.num_docs(), 3);

        // Delete one.
        store.remove("r1");
        let (stats, loaded) = store.sync_traced(&mut index);
        assert!(loaded.is_empty());
        assert_eq!((stats.deleted, stats.unchanged), (1, 2));
        assert!(ids(&index, "kubernetes").is_empty());
        assert_eq!(index.num_docs(), 2);

        // State survives reopening.
        drop(index);
        let index = SearchIndex::open(tmp.path()).expect("reopen");
        assert!(!index.was_rebuilt());
        assert_eq!(index.num_docs(), 2);
        assert_eq!(ids(&index, "派工原则"), vec!["a1"]);
    }

    #[test]
    fn clear_empties_and_next_sync_reloads_everything() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut index = SearchIndex::open(tmp.path()).expect("open");
        let store = three_docs();
        store.sync(&mut index);
        assert_eq!(index.indexed_fingerprints().len(), 3);
        index.clear().expect("clear");
        assert_eq!(index.num_docs(), 0);
        assert!(index.indexed_fingerprints().is_empty());
        let (stats, loaded) = store.sync_traced(&mut index);
        assert!(stats.rebuilt);
        assert_eq!((stats.added, loaded.len()), (3, 3));
    }

    #[test]
    fn sync_handles_rename_of_id() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut index = SearchIndex::open(tmp.path()).expect("open");
        let mut store = three_docs();
        store.sync(&mut index);

        let (_, mut d) = store.docs["a1"].clone();
        store.remove("a1");
        d.id = "a1-renamed".into();
        store.put(d);
        let stats = store.sync(&mut index);
        assert_eq!((stats.added, stats.deleted, stats.unchanged), (1, 1, 2));
        assert_eq!(ids(&index, "派工原则"), vec!["a1-renamed"]);
        assert_eq!(index.num_docs(), 3);
    }

    #[test]
    fn progress_reports_every_document() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut index = SearchIndex::open(tmp.path()).expect("open");
        let store = three_docs();
        let mut calls = Vec::new();
        index
            .sync(
                &store.sources(),
                |id| Ok::<_, String>(store.docs[id].1.clone()),
                &mut |done, total| calls.push((done, total)),
            )
            .expect("sync");
        assert_eq!(calls, vec![(0, 3), (1, 3), (2, 3), (3, 3)]);
    }

    #[test]
    fn failed_load_keeps_previous_version_and_retries() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut index = SearchIndex::open(tmp.path()).expect("open");
        let mut store = three_docs();
        store.sync(&mut index);

        store.put(doc("a2", "article", "Backup policy", "新内容"));
        store.put(doc("n1", "article", "new", "全新文章"));
        let stats = index
            .sync(
                &store.sources(),
                |id| {
                    if id == "a2" || id == "n1" {
                        Err(format!("bad yaml in {id}"))
                    } else {
                        Ok(store.docs[id].1.clone())
                    }
                },
                &mut |_, _| {},
            )
            .expect("sync");
        assert_eq!(stats.failed.len(), 2);
        assert_eq!(stats.failed[0].error, "bad yaml in a2");
        assert_eq!(ids(&index, "数据库"), vec!["a2"], "old version kept");
        assert!(ids(&index, "全新").is_empty());

        let (stats, loaded) = store.sync_traced(&mut index);
        assert_eq!(loaded, vec!["a2", "n1"]);
        assert_eq!((stats.updated, stats.added), (1, 1));
        assert_eq!(ids(&index, "新内容"), vec!["a2"]);
    }

    #[test]
    fn duplicate_source_ids_first_wins() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut index = SearchIndex::open(tmp.path()).expect("open");
        let sources = vec![
            SourceEntry {
                id: "x".into(),
                fingerprint: "1".into(),
            },
            SourceEntry {
                id: "x".into(),
                fingerprint: "2".into(),
            },
        ];
        let mut n = 0;
        let stats = index
            .sync(
                &sources,
                |id| {
                    n += 1;
                    Ok::<_, String>(doc(id, "article", "t", "body"))
                },
                &mut |_, _| {},
            )
            .expect("sync");
        assert_eq!((stats.added, n), (1, 1));
        assert_eq!(index.num_docs(), 1);
    }

    #[test]
    fn rebuild_after_directory_deleted() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("index");
        let store = three_docs();
        {
            let mut index = SearchIndex::open(&dir).expect("open");
            store.sync(&mut index);
        }
        fs::remove_dir_all(&dir).expect("rm");
        let mut index = SearchIndex::open(&dir).expect("open after delete");
        assert!(index.was_rebuilt());
        let stats = store.sync(&mut index);
        assert!(stats.rebuilt);
        assert_eq!(stats.added, 3);
        assert_eq!(ids(&index, "库"), vec!["a2"]);

        // Deleted underneath a live handle: the next sync notices and rebuilds too.
        fs::remove_dir_all(&dir).expect("rm again");
        let stats = store.sync(&mut index);
        assert!(stats.rebuilt);
        assert_eq!(stats.added, 3);
        assert_eq!(index.num_docs(), 3);
    }

    fn fill_with_garbage(dir: &Path) {
        for entry in fs::read_dir(dir).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                fill_with_garbage(&path);
            } else if path.file_name().is_some_and(|n| n != LOCK_FILE) {
                fs::write(&path, b"\x00garbage\xff{not json").expect("write");
            }
        }
        fs::write(dir.join("junk.bin"), [0xde, 0xad, 0xbe, 0xef]).expect("junk");
    }

    #[test]
    fn rebuild_after_garbage_files() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let store = three_docs();
        {
            let mut index = SearchIndex::open(tmp.path()).expect("open");
            store.sync(&mut index);
        }
        fill_with_garbage(tmp.path());
        let mut index = SearchIndex::open(tmp.path()).expect("open garbage");
        assert!(index.was_rebuilt());
        let stats = store.sync(&mut index);
        assert!(stats.rebuilt);
        assert_eq!(ids(&index, "kubernetes"), vec!["r1"]);
        assert!(!tmp.path().join("junk.bin").exists());
    }

    #[test]
    fn rebuild_when_only_segment_files_are_garbage() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let store = three_docs();
        {
            let mut index = SearchIndex::open(tmp.path()).expect("open");
            store.sync(&mut index);
        }
        // Keep meta.json and manifest intact, trash the segment data.
        let tdir = tmp.path().join(TANTIVY_SUBDIR);
        for entry in fs::read_dir(&tdir).expect("read_dir") {
            let path = entry.expect("entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if !name.ends_with(".json") && !name.starts_with('.') {
                fs::write(&path, b"garbage").expect("write");
            }
        }
        let mut index = SearchIndex::open(tmp.path()).expect("open");
        assert!(index.was_rebuilt());
        assert_eq!(store.sync(&mut index).added, 3);
    }

    #[test]
    fn rebuild_on_schema_version_change_or_manifest_mismatch() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let store = three_docs();
        let mut index = SearchIndex::open(tmp.path()).expect("open");
        store.sync(&mut index);
        drop(index);

        let path = tmp.path().join(MANIFEST_FILE);
        let mut m: Manifest =
            serde_json::from_slice(&fs::read(&path).expect("read")).expect("json");
        m.schema_version = SCHEMA_VERSION + 1;
        fs::write(&path, serde_json::to_vec(&m).expect("ser")).expect("write");
        let mut index = SearchIndex::open(tmp.path()).expect("open");
        assert!(index.was_rebuilt());
        assert_eq!(index.num_docs(), 0);
        store.sync(&mut index);
        drop(index);

        // Simulated crash between tantivy commit and manifest write.
        let mut m: Manifest =
            serde_json::from_slice(&fs::read(&path).expect("read")).expect("json");
        m.opstamp += 1;
        fs::write(&path, serde_json::to_vec(&m).expect("ser")).expect("write");
        let index = SearchIndex::open(tmp.path()).expect("open");
        assert!(index.was_rebuilt());
    }

    #[test]
    fn busy_lock_times_out_and_existing_index_stays_searchable() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut index = SearchIndex::open(tmp.path()).expect("open");
        let mut store = three_docs();
        store.sync(&mut index);

        // Another "process" holds the sync lock.
        let other = File::options()
            .write(true)
            .open(tmp.path().join(LOCK_FILE))
            .expect("lock file");
        other.lock().expect("lock");

        index.set_lock_timeout(Duration::from_millis(100));
        store.put(doc("n1", "article", "new", "新的"));
        let err = index
            .sync(
                &store.sources(),
                |_| Err::<Doc, _>("unused"),
                &mut |_, _| {},
            )
            .expect_err("busy");
        assert!(matches!(err, SearchError::Busy { .. }), "{err}");
        assert_eq!(ids(&index, "kubernetes"), vec!["r1"]);

        // A second opener of a valid index does not need the lock at all.
        let reader = SearchIndex::open_with_timeout(tmp.path(), Duration::from_millis(100))
            .expect("open while locked");
        assert_eq!(ids(&reader, "派工原则"), vec!["a1"]);

        drop(other);
        let stats = store.sync(&mut index);
        assert_eq!(stats.added, 1);
    }

    #[test]
    fn open_while_locked_and_invalid_returns_busy() {
        let tmp = tempfile::tempdir().expect("tempdir");
        fs::create_dir_all(tmp.path()).expect("mkdir");
        let other = File::create(tmp.path().join(LOCK_FILE)).expect("lock file");
        other.lock().expect("lock");
        let err = SearchIndex::open_with_timeout(tmp.path(), Duration::from_millis(50))
            .err()
            .expect("busy");
        assert!(matches!(err, SearchError::Busy { .. }));
    }

    #[test]
    fn concurrent_syncs_and_searches_do_not_fail() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().to_path_buf();
        let workers: Vec<_> = (0..3)
            .map(|w| {
                let dir = dir.clone();
                std::thread::spawn(move || {
                    // Each thread has its own handles and file descriptors, like a process.
                    let mut index = SearchIndex::open(&dir).expect("open");
                    let mut store = Store::default();
                    for round in 0..4 {
                        for i in 0..20 {
                            store.put(doc(
                                &format!("d{i}"),
                                "article",
                                &format!("标题 {i}"),
                                &format!("第{round}轮 worker{w} 派工原则 数据库"),
                            ));
                        }
                        store.sync(&mut index);
                        let hits = index.search(&SearchQuery::new("派工原则")).expect("search");
                        assert!(!hits.is_empty());
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().expect("worker panicked");
        }
        let index = SearchIndex::open(&dir).expect("open");
        assert!(!index.was_rebuilt());
        assert_eq!(index.num_docs(), 20);
    }

    #[test]
    fn corrupt_error_invalidates_manifest() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut index = SearchIndex::open(tmp.path()).expect("open");
        three_docs().sync(&mut index);
        let err = index
            .guarded::<()>(|| panic!("simulated tantivy panic"))
            .expect_err("corrupt");
        assert!(matches!(err, SearchError::Corrupt { .. }));
        drop(index);
        assert!(SearchIndex::open(tmp.path()).expect("open").was_rebuilt());
    }
}
