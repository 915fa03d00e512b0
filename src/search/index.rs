//! Owns the on-disk index: directory layout, schema + version checks, self-healing rebuilds,
//! cross-process locking and incremental sync driven by caller-made fingerprints.
//!
//! Layout of the directory handed to [`SearchIndex::open`] (the app uses
//! `<store>/.presales/index/`):
//!
//! ```text
//! index.lock      std file lock serialising writers (never deleted)
//! manifest.json   {checksum, manifest: {schema_version, generation, opstamp, files, kinds}},
//!                 small (no fingerprints); replaced by temp file + rename: writing it is
//!                 what switches generations
//! gen-<n>/        one complete tantivy index, the generation the manifest names;
//!                 `.presales-generation` inside marks it as made here
//! gen-<n>/fingerprints-<kind>.bin
//!                 the fingerprints of one kind's documents (binary, sorted by id); the
//!                 manifest's `kinds` names each kind's file with its length and checksum
//! ```
//!
//! **Nothing is wiped, nothing is changed in place.** Every write (a full rebuild or an
//! incremental sync) makes a new generation folder: a rebuild fills an empty one, a sync
//! hard-links the live generation's files (tantivy never modifies a file it wrote) and
//! commits its changes there. A kind's fingerprint file is written anew in the new
//! generation only if that kind changed; the others are hard links to the live ones, so a
//! change to one request neither reads nor rewrites the articles' fingerprints. Writing the
//! manifest switches to the new generation, all kinds at once; only then is the old
//! generation deleted. A reader therefore always sees a complete index whose kinds agree, and
//! a write that fails or is killed half-way leaves the previous index as it was. What is ever
//! deleted: real folders named `gen-…` that carry the marker or that the manifest named, the
//! `tantivy/` folder of the previous layout, and this module's temp files. Never the
//! directory itself, never through a symbolic link, never a file it did not make.
//!
//! Validity rule, checked at every open: the manifest's checksum matches its bytes, its
//! `schema_version` is [`SCHEMA_VERSION`], the generation is a real folder without
//! symbolic links, every file the manifest lists (fingerprint files included) has the size
//! and modification time it recorded (one `stat` each: this is what notices a truncated,
//! zeroed, overwritten or deleted file without reading it), every kind's fingerprint file is
//! among them, tantivy opens it with exactly our schema, and its last commit is the
//! manifest's `opstamp`. A kind's fingerprints are read only when a sync of that kind asks
//! for them ([`SearchIndex::indexed_fingerprints`]), and must then match the length and
//! checksum the manifest recorded: a file from another generation, edited or damaged, makes
//! the index rebuilt, never trusted. An index in another layout or version is rebuilt too.
//!
//! Concurrency (several `presales` processes at once):
//! * Searching takes no lock, and a sync with nothing to change writes nothing, so a search
//!   of an up-to-date index waits for nobody, not even a `reindex` in progress. If the
//!   generation a reader read about is deleted under it, it reads the manifest again.
//! * Writing takes `index.lock` (a std exclusive file lock), then inspects the index again:
//!   another process may have updated or rebuilt it meanwhile. If the lock stays busy for
//!   the timeout, `sync` returns [`SearchError::Busy`] and the caller may search what it
//!   opened, which stays complete.
//! * A folder that cannot be written (a read-only clone) gives [`SearchError::ReadOnly`]
//!   only when something needed writing; an up-to-date index is searched read-only
//!   (tantivy's reader lock file is skipped there, as nothing can write).

use std::collections::{BTreeMap, HashSet};
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tantivy::directory::error::{
    DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError,
};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr,
};
use tantivy::indexer::IndexWriterOptions;
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError, Term};

use super::SearchError;
use super::tokenizer::{
    CJK_TOKENIZER, CJK_UNIGRAM_TOKENIZER, KEYWORD_TOKENIZER, register_tokenizers,
};

/// Bump whenever the schema, a tokenizer's output, the stored-field layout or the layout of
/// the manifest and fingerprint files changes: an index written with another version is
/// replaced on the next sync (4: fingerprints per kind, out of the manifest).
pub const SCHEMA_VERSION: u32 = 4;

/// How long `sync` waits for another process holding the lock.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(10);

const MANIFEST_FILE: &str = "manifest.json";
const LOCK_FILE: &str = "index.lock";
const GEN_PREFIX: &str = "gen-";
/// Written first into every generation folder this module creates.
const GEN_MARKER: &str = ".presales-generation";
/// The single tantivy folder of the layout before generations (deleted when replaced).
const LEGACY_SUBDIR: &str = "tantivy";
/// Prefix of tantivy's own lock files, which change without a commit.
const TANTIVY_LOCKS: &str = ".tantivy-";
/// tantivy's list of the files it manages: rewritten when a writer opens, checked by
/// tantivy itself when it opens the index, harmless when missing.
const TANTIVY_MANAGED: &str = ".managed.json";
const LOCK_POLL: Duration = Duration::from_millis(25);
/// A reader retries this many times when the generation it read about is switched under it.
const OPEN_ATTEMPTS: usize = 4;
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
    /// Confidential by itself (保密): left out of results unless asked for.
    pub confidential: bool,
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
    /// True if this sync built the index from scratch (none yet, outdated, damaged, or
    /// asked for with [`SearchIndex::request_rebuild`]).
    pub rebuilt: bool,
    /// True if the rebuild replaced an index found damaged (not merely missing or
    /// outdated): worth one line to the user.
    pub damaged: bool,
}

/// Why the next sync builds the index from scratch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Rebuild {
    /// There is no index yet (first use, or `.presales/` deleted).
    Missing,
    /// Written by another version, or its manifest does not match its checksum (edited):
    /// replaced without a word.
    Outdated,
    /// Its files are damaged: truncated, overwritten, deleted or unreadable.
    Damaged,
    /// Asked for by the caller (`presales reindex`).
    Requested,
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
    /// "yes" on confidential documents.
    pub confidential: Field,
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
        tags: b.add_text_field("tags", keyword.clone()),
        confidential: b.add_text_field("confidential", keyword),
    };
    (b.build(), fields)
}

/// Size and modification time (ns since the epoch) of one file of a generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp(u64, u64);

impl Stamp {
    fn of(meta: &fs::Metadata) -> Stamp {
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
        Stamp(meta.len(), mtime)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Manifest {
    schema_version: u32,
    /// The folder of the live generation (`gen-<n>`).
    generation: String,
    /// tantivy commit this manifest describes.
    opstamp: u64,
    /// Every file of the generation when it was committed (tantivy's lock files aside),
    /// the fingerprint files included.
    files: BTreeMap<String, Stamp>,
    /// Each indexed kind's fingerprint file in the generation. A kind without documents
    /// has none.
    kinds: BTreeMap<String, KindFile>,
    /// The checksum of the manifest as read or written: equal checksums, same manifest.
    #[serde(skip)]
    sum: u64,
}

/// Where one kind's fingerprints are and what they must read as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct KindFile {
    /// Name inside the generation folder ([`fingerprints_file`] of the kind).
    file: String,
    /// Exact length and [`checksum`] of the file's bytes.
    len: u64,
    sum: u64,
    /// Number of documents.
    count: u64,
}

const FINGERPRINTS_PREFIX: &str = "fingerprints-";
const FINGERPRINTS_EXT: &str = ".bin";
/// First bytes of a fingerprint file; the last one is the format version.
const FINGERPRINTS_MAGIC: &[u8; 8] = b"psfp\0\0\0\x01";

/// The file of a kind's fingerprints: `fingerprints-<kind>.bin` for a plain kind name,
/// `fingerprints-~<hex>.bin` for any other (never a path, never two kinds in one file).
fn fingerprints_file(kind: &str) -> String {
    let plain = !kind.is_empty()
        && kind
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if plain {
        format!("{FINGERPRINTS_PREFIX}{kind}{FINGERPRINTS_EXT}")
    } else {
        let hex: String = kind.bytes().map(|b| format!("{b:02x}")).collect();
        format!("{FINGERPRINTS_PREFIX}~{hex}{FINGERPRINTS_EXT}")
    }
}

fn is_fingerprints_file(name: &str) -> bool {
    name.starts_with(FINGERPRINTS_PREFIX) && name.ends_with(FINGERPRINTS_EXT)
}

/// The fingerprints of one kind's indexed documents, sorted by id, as the last sync
/// recorded them: one buffer of text and where each entry ends in it, so reading 20,000 of
/// them costs two allocations rather than 40,000.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fingerprints {
    text: String,
    /// Entry `i` is `text[start..id_end]` (id) and `text[id_end..fp_end]` (fingerprint),
    /// where `start` is the previous entry's `fp_end`.
    ends: Vec<(usize, usize)>,
}

/// See [`Fingerprints::lookup`].
pub struct Lookup<'a> {
    of: &'a Fingerprints,
    /// The entry after the last one found: the first one tried for the next id.
    next: usize,
}

impl<'a> Lookup<'a> {
    /// The fingerprint recorded for `id`.
    pub fn get(&mut self, id: &str) -> Option<&'a str> {
        let of = self.of;
        if self.next < of.len() {
            let (key, fp) = of.entry(self.next);
            if key == id {
                self.next += 1;
                return Some(fp);
            }
        }
        let at = of.position(id);
        match at {
            Ok(i) => {
                self.next = i + 1;
                Some(of.entry(i).1)
            }
            Err(i) => {
                self.next = i;
                None
            }
        }
    }
}

impl Fingerprints {
    /// Number of documents.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    fn entry(&self, i: usize) -> (&str, &str) {
        let start = if i == 0 { 0 } else { self.ends[i - 1].1 };
        let (id_end, fp_end) = self.ends[i];
        (&self.text[start..id_end], &self.text[id_end..fp_end])
    }

    /// The fingerprint recorded for `id`.
    pub fn get(&self, id: &str) -> Option<&str> {
        self.position(id).ok().map(|i| self.entry(i).1)
    }

    /// Where `id` is, or would be inserted.
    fn position(&self, id: &str) -> Result<usize, usize> {
        let mut lo = 0;
        let mut hi = self.ends.len();
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.entry(mid).0.cmp(id) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(mid),
            }
        }
        Err(lo)
    }

    /// A reader for many lookups: ids asked for in increasing order (as the store lists
    /// them) cost one comparison each instead of a binary search.
    pub fn lookup(&self) -> Lookup<'_> {
        Lookup { of: self, next: 0 }
    }

    /// `(id, fingerprint)` in id order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        (0..self.ends.len()).map(|i| self.entry(i))
    }

    /// From entries sorted by id, each id once.
    fn from_sorted<'a>(entries: impl Iterator<Item = (&'a str, &'a str)>) -> Fingerprints {
        let mut out = Fingerprints::default();
        for (id, fp) in entries {
            debug_assert!(out.ends.is_empty() || out.entry(out.len() - 1).0 < id);
            out.text.push_str(id);
            let id_end = out.text.len();
            out.text.push_str(fp);
            out.ends.push((id_end, out.text.len()));
        }
        out
    }

    /// These fingerprints with `changes` applied (`None` deletes the id).
    fn merged(&self, changes: &BTreeMap<String, Option<String>>) -> Fingerprints {
        let mut old = self.iter().peekable();
        let mut new = changes.iter().peekable();
        let mut merged: Vec<(&str, &str)> = Vec::with_capacity(self.len() + changes.len());
        loop {
            let take_old = match (old.peek(), new.peek()) {
                (None, None) => break,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some((a, _)), Some((b, _))) => *a < b.as_str(),
            };
            if take_old {
                merged.extend(old.next());
                continue;
            }
            let Some((id, fp)) = new.next() else { break };
            if old.peek().is_some_and(|(a, _)| a == id) {
                old.next();
            }
            if let Some(fp) = fp {
                merged.push((id, fp));
            }
        }
        Fingerprints::from_sorted(merged.into_iter())
    }

    /// The file's bytes: magic, count (u64), then per entry the lengths of id and
    /// fingerprint (two u32), then all the text. Little-endian.
    fn encode(&self) -> io::Result<Vec<u8>> {
        let too_long = || io::Error::other("a fingerprint longer than 4 GB");
        let mut out = Vec::with_capacity(16 + self.len() * 8 + self.text.len());
        out.extend_from_slice(FINGERPRINTS_MAGIC);
        out.extend_from_slice(&(self.len() as u64).to_le_bytes());
        let mut start = 0;
        for &(id_end, fp_end) in &self.ends {
            let id_len = u32::try_from(id_end - start).map_err(|_| too_long())?;
            let fp_len = u32::try_from(fp_end - id_end).map_err(|_| too_long())?;
            out.extend_from_slice(&id_len.to_le_bytes());
            out.extend_from_slice(&fp_len.to_le_bytes());
            start = fp_end;
        }
        out.extend_from_slice(self.text.as_bytes());
        Ok(out)
    }

    /// Reads what [`Fingerprints::encode`] wrote; `None` for anything else (the checksum
    /// was checked by the caller: this guards the structure, ids sorted and unique).
    fn decode(bytes: &[u8]) -> Option<Fingerprints> {
        let rest = bytes.strip_prefix(FINGERPRINTS_MAGIC.as_slice())?;
        let (count, rest) = rest.split_first_chunk::<8>()?;
        let count = usize::try_from(u64::from_le_bytes(*count)).ok()?;
        let table_len = count.checked_mul(8)?;
        if rest.len() < table_len {
            return None;
        }
        let (table, text) = rest.split_at(table_len);
        let text = std::str::from_utf8(text).ok()?;
        let mut ends = Vec::with_capacity(count);
        let mut end = 0usize;
        let mut previous: Option<&str> = None;
        for lens in table.chunks_exact(8) {
            let id_len = u32::from_le_bytes(lens[..4].try_into().ok()?) as usize;
            let fp_len = u32::from_le_bytes(lens[4..].try_into().ok()?) as usize;
            let id_end = end.checked_add(id_len)?;
            let fp_end = id_end.checked_add(fp_len)?;
            let id = text.get(end..id_end)?;
            text.get(id_end..fp_end)?;
            if previous.is_some_and(|p| p >= id) {
                return None;
            }
            previous = Some(id);
            ends.push((id_end, fp_end));
            end = fp_end;
        }
        if end != text.len() {
            return None;
        }
        Some(Fingerprints {
            text: text.to_string(),
            ends,
        })
    }
}

/// The manifest file is `{"checksum":"<16 hex>","manifest":<body>}`: the checksum covers
/// the exact bytes of `<body>`, found at a fixed offset without parsing anything.
const MANIFEST_HEAD: &[u8] = b"{\"checksum\":\"";
const MANIFEST_MID: &[u8] = b"\",\"manifest\":";
const CHECKSUM_HEX: usize = 16;

/// A fast 64-bit checksum (four multiply-rotate lanes over 8-byte words, then a final
/// mix): not cryptographic, it only has to notice damage and hand edits, and costs well
/// under a millisecond for the 1 MB manifest of 20,000 records.
fn checksum(bytes: &[u8]) -> u64 {
    const K: [u64; 4] = [
        0x9E37_79B9_7F4A_7C15,
        0xC2B2_AE3D_27D4_EB4F,
        0x1656_67B1_9E37_79F9,
        0x85EB_CA77_C2B2_AE63,
    ];
    let word = |c: &[u8]| {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        u64::from_le_bytes(w)
    };
    let mut lanes = K;
    let mut blocks = bytes.chunks_exact(32);
    for block in &mut blocks {
        for (i, lane) in lanes.iter_mut().enumerate() {
            let w = word(&block[i * 8..i * 8 + 8]);
            *lane = (*lane ^ w).wrapping_mul(K[0]).rotate_left(31);
        }
    }
    let mut h = (bytes.len() as u64).wrapping_mul(K[1]);
    for lane in lanes {
        h = (h ^ lane).wrapping_mul(K[2]).rotate_left(27);
    }
    for &b in blocks.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(K[3]).rotate_left(11);
    }
    // murmur3's finaliser
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^ (h >> 33)
}

fn encode_manifest(m: &Manifest) -> Result<Vec<u8>, serde_json::Error> {
    let body = serde_json::to_vec(m)?;
    let mut out = Vec::with_capacity(body.len() + 48);
    out.extend_from_slice(MANIFEST_HEAD);
    out.extend_from_slice(format!("{:016x}", checksum(&body)).as_bytes());
    out.extend_from_slice(MANIFEST_MID);
    out.extend_from_slice(&body);
    out.push(b'}');
    Ok(out)
}

fn decode_manifest(bytes: &[u8]) -> Result<Manifest, Rebuild> {
    let body_start = MANIFEST_HEAD.len() + CHECKSUM_HEX + MANIFEST_MID.len();
    let framed = bytes.len() > body_start
        && bytes.starts_with(MANIFEST_HEAD)
        && bytes[MANIFEST_HEAD.len() + CHECKSUM_HEX..].starts_with(MANIFEST_MID)
        && bytes.ends_with(b"}");
    if !framed {
        // The manifest of the layout before generations is plain JSON: outdated, not damaged.
        let legacy = serde_json::from_slice::<serde_json::Value>(bytes)
            .is_ok_and(|v| v.get("schema_version").is_some() && v.get("checksum").is_none());
        return Err(if legacy {
            Rebuild::Outdated
        } else {
            Rebuild::Damaged
        });
    }
    let hex = &bytes[MANIFEST_HEAD.len()..MANIFEST_HEAD.len() + CHECKSUM_HEX];
    let body = &bytes[body_start..bytes.len() - 1];
    let stated = std::str::from_utf8(hex)
        .ok()
        .and_then(|h| u64::from_str_radix(h, 16).ok());
    if stated != Some(checksum(body)) {
        return Err(Rebuild::Outdated);
    }
    let mut manifest: Manifest = serde_json::from_slice(body).map_err(|_| Rebuild::Outdated)?;
    if manifest.schema_version != SCHEMA_VERSION {
        return Err(Rebuild::Outdated);
    }
    manifest.sum = checksum(body);
    Ok(manifest)
}

fn is_generation_name(name: &str) -> bool {
    name.strip_prefix(GEN_PREFIX)
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// A file name as the manifest lists it: one plain name, nothing that could leave the folder.
fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\'])
        && !name.contains('\0')
}

/// An mmap directory that never writes: its locks are no-ops and writes are refused. Used
/// to search an index in a folder that cannot be written (a read-only clone), where
/// tantivy's reader would otherwise fail to create its lock file. Nothing can change the
/// files there, so the lock has nothing to protect.
#[derive(Debug, Clone)]
struct ReadOnlyDir(MmapDirectory);

fn refused() -> io::Error {
    io::Error::new(io::ErrorKind::PermissionDenied, "opened read-only")
}

impl Directory for ReadOnlyDir {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.0.get_file_handle(path)
    }
    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        Err(DeleteError::IoError {
            io_error: Arc::new(refused()),
            filepath: path.to_path_buf(),
        })
    }
    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.0.exists(path)
    }
    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        Err(OpenWriteError::wrap_io_error(refused(), path.to_path_buf()))
    }
    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.0.atomic_read(path)
    }
    fn atomic_write(&self, _path: &Path, _data: &[u8]) -> io::Result<()> {
        Err(refused())
    }
    fn sync_directory(&self) -> io::Result<()> {
        Ok(())
    }
    fn acquire_lock(&self, _lock: &Lock) -> Result<DirectoryLock, LockError> {
        Ok(DirectoryLock::from(Box::new(())))
    }
    fn watch(&self, _callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        Ok(WatchHandle::empty())
    }
}

/// Held while writing; dropping the file releases the OS lock.
struct DirLock {
    _file: Option<File>,
}

/// A validated generation, opened.
struct Opened {
    index: Index,
    reader: IndexReader,
    manifest: Manifest,
    /// Each kind's fingerprint file, opened (not read) with the generation: read later
    /// through the handle, it is the file of this generation even if a writer has switched
    /// to a newer one and deleted this one meanwhile.
    handles: BTreeMap<String, File>,
}

/// One kind's part of a sync: its slot in the caller's list and its unique sources.
struct KindPart<'a> {
    kind: &'a str,
    sources: Vec<&'a SourceEntry>,
}

/// What to change in an index: ids to delete, and ids to (re)load with their fingerprint
/// and whether they were indexed before; each with the slot of its kind.
#[derive(Default)]
struct Plan<'a> {
    delete: Vec<(usize, String)>,
    load: Vec<(usize, &'a str, &'a str, bool)>,
    unchanged: usize,
}

impl<'a> Plan<'a> {
    /// Adds the changes of kind `slot`: `sources` (unique ids) against what is `indexed`.
    fn diff(&mut self, slot: usize, sources: &[&'a SourceEntry], indexed: &Fingerprints) {
        let mut still = 0;
        let mut indexed_fp = indexed.lookup();
        for s in sources {
            match indexed_fp.get(&s.id) {
                Some(fp) if fp == s.fingerprint => self.unchanged += 1,
                Some(_) => self.load.push((slot, &s.id, &s.fingerprint, true)),
                None => {
                    self.load.push((slot, &s.id, &s.fingerprint, false));
                    continue;
                }
            }
            still += 1;
        }
        // Every indexed id is still a source (the usual case): nothing to delete, and no
        // set of 20,000 ids to build before each search.
        if still < indexed.len() {
            let seen: HashSet<&str> = sources.iter().map(|s| s.id.as_str()).collect();
            self.delete.extend(
                indexed
                    .iter()
                    .filter(|(id, _)| !seen.contains(id))
                    .map(|(id, _)| (slot, id.to_string())),
            );
        }
    }

    fn everything(parts: &[KindPart<'a>]) -> Plan<'a> {
        let mut plan = Plan::default();
        for (slot, part) in parts.iter().enumerate() {
            plan.load.extend(
                part.sources
                    .iter()
                    .map(|s| (slot, s.id.as_str(), s.fingerprint.as_str(), false)),
            );
        }
        plan
    }

    fn total(&self) -> usize {
        self.delete.len() + self.load.len()
    }
}

/// The search index. Cheap to keep open; `search` takes `&self`, `sync` takes `&mut self`.
pub struct SearchIndex {
    pub(crate) dir: PathBuf,
    pub(crate) fields: Fields,
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    schema: Schema,
    lock_timeout: Duration,
    /// Set while the next sync has to build the index from scratch.
    rebuild: Option<Rebuild>,
    /// The rebuild was asked for: done even if the index looks valid under the lock.
    forced: bool,
    /// `index` is a complete index a search may use (perhaps out of date).
    usable: bool,
    /// Lives in memory only: no folder, no lock, no manifest.
    in_memory: bool,
    /// The generation folder `index` was opened from.
    generation: Option<String>,
    /// The manifest's fingerprint file of each kind in `index` (empty in memory).
    kinds: BTreeMap<String, KindFile>,
    /// Those files, opened with the generation.
    handles: BTreeMap<String, File>,
    /// The fingerprints read so far, by kind (all of them for an index in memory).
    fingerprints: BTreeMap<String, Arc<Fingerprints>>,
    /// The checksum of that manifest.
    manifest_sum: u64,
    /// Set by a search that found the data unreadable: the next sync rebuilds.
    damaged: AtomicBool,
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> SearchError + '_ {
    move |source| SearchError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// An I/O error of our own while writing the index folder.
fn write_io(path: &Path) -> impl FnOnce(io::Error) -> SearchError + '_ {
    move |source| SearchError::Write {
        path: path.to_path_buf(),
        source,
    }
}

fn copy_io(e: &io::Error) -> io::Error {
    match e.raw_os_error() {
        Some(code) => io::Error::from_raw_os_error(code),
        None => io::Error::new(e.kind(), e.to_string()),
    }
}

/// The operating-system error behind a tantivy error, if there is one.
pub(crate) fn io_cause(e: &TantivyError) -> Option<io::Error> {
    let io = match e {
        TantivyError::IoError(e) => e,
        TantivyError::OpenWriteError(OpenWriteError::IoError { io_error, .. })
        | TantivyError::OpenReadError(OpenReadError::IoError { io_error, .. })
        | TantivyError::OpenDirectoryError(OpenDirectoryError::IoError { io_error, .. })
        | TantivyError::LockFailure(LockError::IoError(io_error), _) => io_error,
        _ => return None,
    };
    Some(copy_io(io))
}

/// A tantivy error met while writing: the OS error behind it (a full disk), or damage.
fn write_err(path: &Path) -> impl FnOnce(TantivyError) -> SearchError + '_ {
    move |e| match io_cause(&e) {
        Some(source) => SearchError::Write {
            path: path.to_path_buf(),
            source,
        },
        None => match e {
            TantivyError::ErrorInThread(_) | TantivyError::SystemError(_) => SearchError::Write {
                path: path.to_path_buf(),
                source: io::Error::other("the index files could not be written"),
            },
            e => SearchError::Corrupt {
                path: path.to_path_buf(),
                detail: e.to_string(),
            },
        },
    }
}

fn new_reader(index: &Index) -> tantivy::Result<IndexReader> {
    index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
}

/// An empty index in memory, standing in until a sync builds the real one.
fn empty_in_ram(path: &Path, schema: &Schema) -> Result<Opened, SearchError> {
    let index = Index::create_in_ram(schema.clone());
    register_tokenizers(index.tokenizers());
    let reader = new_reader(&index).map_err(|source| SearchError::Tantivy {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(Opened {
        index,
        reader,
        manifest: Manifest {
            schema_version: SCHEMA_VERSION,
            generation: String::new(),
            opstamp: 0,
            files: BTreeMap::new(),
            kinds: BTreeMap::new(),
            sum: 0,
        },
        handles: BTreeMap::new(),
    })
}

/// The sources grouped by kind (a kind named twice is one part), each id once: the first
/// entry wins, across kinds too.
fn unique_parts<'a>(kinds: &[(&'a str, &'a [SourceEntry])]) -> Vec<KindPart<'a>> {
    let mut parts: Vec<KindPart<'a>> = Vec::new();
    for (kind, _) in kinds {
        if !parts.iter().any(|p| p.kind == *kind) {
            parts.push(KindPart {
                kind,
                sources: Vec::new(),
            });
        }
    }
    // One kind listed in strictly increasing id order (what the store's listing gives):
    // no id can repeat, and no set of 20,000 ids is needed to know it.
    let sorted = |s: &[SourceEntry]| s.windows(2).all(|w| w[0].id < w[1].id);
    if let [(_, sources)] = kinds
        && sorted(sources)
    {
        parts[0].sources = sources.iter().collect();
        return parts;
    }
    let mut seen: HashSet<&str> = HashSet::new();
    for (kind, sources) in kinds {
        let Some(part) = parts.iter_mut().find(|p| p.kind == *kind) else {
            continue;
        };
        part.sources
            .extend(sources.iter().filter(|s| seen.insert(s.id.as_str())));
    }
    parts
}

impl SearchIndex {
    /// Opens the index in `dir` without writing anything (not even the folder), reading its
    /// small manifest but no fingerprints. If there is no usable index (none yet, outdated,
    /// damaged), the handle is empty, [`was_rebuilt`] says so with [`rebuild_reason`], and
    /// the next [`SearchIndex::sync`] builds one.
    ///
    /// [`was_rebuilt`]: SearchIndex::was_rebuilt
    /// [`rebuild_reason`]: SearchIndex::rebuild_reason
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        Self::open_with_timeout(dir, DEFAULT_LOCK_TIMEOUT)
    }

    /// Like [`SearchIndex::open`] with an explicit lock wait for later `sync`s.
    pub fn open_with_timeout(dir: &Path, lock_timeout: Duration) -> Result<Self, SearchError> {
        refuse_link(dir)?;
        let (schema, fields) = build_schema();
        let (opened, rebuild) = match inspect(dir, &schema) {
            Ok(opened) => (opened, None),
            Err(reason) => (empty_in_ram(dir, &schema)?, Some(reason)),
        };
        let usable = rebuild.is_none();
        let mut index = SearchIndex {
            dir: dir.to_path_buf(),
            fields,
            index: opened.index.clone(),
            reader: opened.reader.clone(),
            schema,
            lock_timeout,
            rebuild,
            forced: false,
            usable: false,
            in_memory: false,
            generation: None,
            kinds: BTreeMap::new(),
            handles: BTreeMap::new(),
            fingerprints: BTreeMap::new(),
            manifest_sum: 0,
            damaged: AtomicBool::new(false),
        };
        if usable {
            index.adopt(opened);
        }
        Ok(index)
    }

    /// An empty index in memory: [`SearchIndex::sync`] fills it, nothing is written to disk.
    /// For a store whose folder cannot be written and that has no usable index.
    pub fn in_memory() -> Result<Self, SearchError> {
        let (schema, fields) = build_schema();
        let opened = empty_in_ram(Path::new(""), &schema)?;
        Ok(SearchIndex {
            dir: PathBuf::new(),
            fields,
            index: opened.index,
            reader: opened.reader,
            schema,
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
            rebuild: Some(Rebuild::Missing),
            forced: false,
            usable: false,
            in_memory: true,
            generation: None,
            kinds: BTreeMap::new(),
            handles: BTreeMap::new(),
            fingerprints: BTreeMap::new(),
            manifest_sum: 0,
            damaged: AtomicBool::new(false),
        })
    }

    /// Switches the handle to a validated generation. Fingerprints already read stay if
    /// their kind's file is the same one.
    fn adopt(&mut self, opened: Opened) {
        self.index = opened.index;
        self.reader = opened.reader;
        self.generation = Some(opened.manifest.generation);
        let previous = std::mem::replace(&mut self.kinds, opened.manifest.kinds);
        let kinds = &self.kinds;
        self.fingerprints.retain(|kind, _| {
            previous
                .get(kind)
                .is_some_and(|p| kinds.get(kind) == Some(p))
        });
        self.handles = opened.handles;
        self.manifest_sum = opened.manifest.sum;
        self.usable = true;
    }

    /// The directory this index lives in (empty for an index in memory).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// True if the next [`SearchIndex::sync`] builds the index from scratch.
    pub fn was_rebuilt(&self) -> bool {
        self.rebuild.is_some()
    }

    /// Why the next sync builds the index from scratch, if it does.
    pub fn rebuild_reason(&self) -> Option<Rebuild> {
        self.rebuild
    }

    /// True if this handle holds a complete index that can be searched (perhaps out of
    /// date): false before the first sync of a missing, outdated or damaged index.
    pub fn is_usable(&self) -> bool {
        self.usable
    }

    /// Makes the next [`SearchIndex::sync`] build a new index from every source, however
    /// valid the current one looks (`presales reindex`, or a search that found damage).
    /// The current index stays searchable until the new one is complete.
    pub fn request_rebuild(&mut self, reason: Rebuild) {
        self.rebuild = Some(reason);
        self.forced = true;
        if reason == Rebuild::Damaged {
            self.usable = self.in_memory && self.usable;
        }
    }

    /// Changes how long `sync` waits for another process holding the lock.
    pub fn set_lock_timeout(&mut self, timeout: Duration) {
        self.lock_timeout = timeout;
    }

    /// The fingerprints the last sync recorded for the documents of `kind`, sorted by id
    /// (empty when the next sync builds the index from scratch). Lets the caller build
    /// fingerprints that depend on what it indexed before, such as the body file an article
    /// pointed to. Reads that kind's fingerprint file only (once per handle): a file that
    /// does not match the manifest makes the next sync a rebuild, and the answer empty.
    pub fn indexed_fingerprints(&mut self, kind: &str) -> Arc<Fingerprints> {
        if self.rebuild.is_some() {
            return Arc::default();
        }
        match self.read_fingerprints(kind) {
            Ok(fingerprints) => fingerprints,
            Err(reason) => {
                self.found_unreadable(reason);
                Arc::default()
            }
        }
    }

    /// Number of documents of `kind` as the last sync recorded them, without reading
    /// their fingerprints.
    pub fn indexed_count(&self, kind: &str) -> usize {
        if self.rebuild.is_some() {
            return 0;
        }
        match self.kinds.get(kind) {
            Some(file) => usize::try_from(file.count).unwrap_or(usize::MAX),
            None => self.fingerprints.get(kind).map_or(0, |f| f.len()),
        }
    }

    /// The kinds the index holds documents of, as the last sync recorded them.
    pub fn indexed_kinds(&self) -> Vec<String> {
        if self.rebuild.is_some() {
            return Vec::new();
        }
        let mut kinds: Vec<String> = self.kinds.keys().cloned().collect();
        kinds.extend(
            self.fingerprints
                .iter()
                .filter(|(k, f)| !f.is_empty() && !self.kinds.contains_key(*k))
                .map(|(k, _)| k.clone()),
        );
        kinds.sort();
        kinds
    }

    /// A kind's fingerprints: read before, or read now from its file in the generation,
    /// which must have the length and checksum the manifest recorded.
    fn read_fingerprints(&mut self, kind: &str) -> Result<Arc<Fingerprints>, Rebuild> {
        if let Some(fingerprints) = self.fingerprints.get(kind) {
            return Ok(fingerprints.clone());
        }
        let Some(record) = self.kinds.get(kind) else {
            // A kind the index has no documents of.
            return Ok(Arc::default());
        };
        let mut handle = self.handles.get(kind).ok_or(Rebuild::Damaged)?;
        let mut bytes = Vec::with_capacity(usize::try_from(record.len).unwrap_or(0));
        io::Seek::seek(&mut handle, io::SeekFrom::Start(0)).map_err(|_| Rebuild::Damaged)?;
        io::Read::read_to_end(&mut handle, &mut bytes).map_err(|_| Rebuild::Damaged)?;
        if bytes.len() as u64 != record.len || checksum(&bytes) != record.sum {
            return Err(Rebuild::Damaged);
        }
        let fingerprints = Fingerprints::decode(&bytes)
            .filter(|f| f.len() as u64 == record.count)
            .ok_or(Rebuild::Damaged)?;
        let fingerprints = Arc::new(fingerprints);
        self.fingerprints
            .insert(kind.to_string(), fingerprints.clone());
        Ok(fingerprints)
    }

    /// The index turned out not to be what its manifest says: the next sync rebuilds it,
    /// and until then it is not searched.
    fn found_unreadable(&mut self, reason: Rebuild) {
        self.rebuild = Some(reason);
        self.usable = self.in_memory && self.usable;
    }

    /// The changes that bring `parts` in line with what is indexed, or `None` when the
    /// index is to be built from scratch (perhaps because a kind's fingerprints turned
    /// out unreadable just now).
    fn plan<'a>(&mut self, parts: &[KindPart<'a>]) -> Option<Plan<'a>> {
        if self.rebuild.is_some() {
            return None;
        }
        let mut plan = Plan::default();
        for (slot, part) in parts.iter().enumerate() {
            match self.read_fingerprints(part.kind) {
                Ok(indexed) => plan.diff(slot, &part.sources, &indexed),
                Err(reason) => {
                    self.found_unreadable(reason);
                    return None;
                }
            }
        }
        Some(plan)
    }

    /// Number of live documents visible to searches.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Brings the documents of the given kinds in sync with their sources: for each kind,
    /// the complete current list of its documents. An id belongs to one kind.
    ///
    /// * ids of a listed kind absent from its sources are deleted;
    /// * new ids and ids whose fingerprint changed are fetched with `load(id)` and replaced by
    ///   key (`delete_term(id)` + add); the source id is authoritative, `Doc::id` is ignored;
    /// * unchanged ids are not loaded nor touched; if nothing changed, nothing is written
    ///   and no lock is taken;
    /// * kinds not listed keep what the index has: their fingerprints are neither read nor
    ///   rewritten;
    /// * when the index has to be built from scratch, every id listed is loaded, and kinds
    ///   not listed are left out of the new index.
    ///
    /// Duplicate ids in the sources: the first entry wins. A failing `load` is reported in
    /// [`SyncStats::failed`] and leaves that document's previous state in place.
    /// `progress(done, total)` is called once with `(0, total)` and after each document.
    ///
    /// On any error the handle still holds the complete index it held before (if it was
    /// [usable](SearchIndex::is_usable)), and the folder holds it too: [`SearchError::Busy`]
    /// (another process writes), [`SearchError::ReadOnly`] (the folder cannot be written),
    /// [`SearchError::Write`] (a write failed, e.g. the disk is full).
    pub fn sync<E, F>(
        &mut self,
        kinds: &[(&str, &[SourceEntry])],
        mut load: F,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<SyncStats, SearchError>
    where
        F: FnMut(&str) -> Result<Doc, E>,
        E: std::fmt::Display,
    {
        if self.damaged.swap(false, Ordering::Relaxed) {
            self.request_rebuild(Rebuild::Damaged);
        }
        let parts = unique_parts(kinds);

        // Without the lock: an index that is up to date needs nothing written.
        let plan = self.plan(&parts);
        if let Some(plan) = &plan
            && plan.total() == 0
        {
            progress(0, 0);
            return Ok(SyncStats {
                unchanged: plan.unchanged,
                ..SyncStats::default()
            });
        }
        if self.in_memory {
            return self.sync_in_memory(&parts, plan, &mut load, progress);
        }
        let listed = parts.iter().map(|p| p.sources.len()).sum();
        let pending = plan.as_ref().map_or(listed, Plan::total);
        let _lock = acquire_dir_lock(&self.dir, self.lock_timeout, pending)?;
        let diffed_against = self.manifest_sum;

        // Under the lock, look again: another process may have written since we opened.
        match inspect(&self.dir, &self.schema) {
            Ok(opened) => {
                self.adopt(opened);
                if !self.forced {
                    self.rebuild = None;
                }
            }
            Err(reason) => {
                if !self.forced {
                    self.rebuild = Some(reason);
                }
            }
        }
        // The plan made before the lock stands if nobody wrote since.
        let plan = plan.filter(|_| self.rebuild.is_none() && self.manifest_sum == diffed_against);
        // Ours for certain, whatever happened to its marker: we opened it through the manifest.
        let previous = self.generation.clone();
        let result = self.write_generation(&parts, plan, &mut load, progress);
        let result = match result {
            // Damage met while updating (a segment tantivy could not merge): build afresh.
            Err(SearchError::Corrupt { .. }) if self.rebuild.is_none() => {
                self.rebuild = Some(Rebuild::Damaged);
                self.write_generation(&parts, None, &mut load, progress)
            }
            other => other,
        };
        if result.is_ok() {
            remove_stale(&self.dir, self.generation.as_deref(), previous.as_deref());
        }
        result
    }

    /// Writes a new generation: a copy (hard links) of the live one with the changes (`plan`,
    /// or the diff against the live one), or with a rebuild pending an empty one with every
    /// source; then switches to it.
    fn write_generation<'a, E, F>(
        &mut self,
        parts: &[KindPart<'a>],
        plan: Option<Plan<'a>>,
        load: &mut F,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<SyncStats, SearchError>
    where
        F: FnMut(&str) -> Result<Doc, E>,
        E: std::fmt::Display,
    {
        let plan = match plan {
            Some(plan) if self.rebuild.is_none() => Some(plan),
            _ => self.plan(parts),
        };
        let rebuild = self.rebuild;
        let (base, plan) = match (rebuild, &self.generation, plan) {
            (None, Some(g), Some(plan)) => (Some(g.clone()), plan),
            _ => (None, Plan::everything(parts)),
        };
        let mut stats = SyncStats {
            unchanged: plan.unchanged,
            rebuilt: base.is_none(),
            damaged: rebuild == Some(Rebuild::Damaged),
            ..SyncStats::default()
        };
        if plan.total() == 0 && base.is_some() {
            progress(0, 0);
            return Ok(stats);
        }

        let name = next_generation_name(&self.dir);
        let gen_dir = self.dir.join(&name);
        fs::create_dir(&gen_dir).map_err(write_io(&gen_dir))?;
        // The new generation opened, and the fingerprints written for it, by kind.
        type Built = (Opened, Vec<(String, Arc<Fingerprints>)>);
        let built = (|| -> Result<Built, SearchError> {
            File::create(gen_dir.join(GEN_MARKER))
                .and_then(|mut f| {
                    f.write_all(b"made by presales; deleted when replaced by a newer generation\n")
                })
                .map_err(write_io(&gen_dir))?;
            let index = match &base {
                Some(base) => {
                    link_generation(&self.dir.join(base), &gen_dir)?;
                    quietly(&gen_dir, || {
                        MmapDirectory::open(&gen_dir)
                            .map_err(TantivyError::from)
                            .and_then(Index::open)
                            .map_err(write_err(&gen_dir))
                    })
                    .and_then(|r| r)?
                }
                None => quietly(&gen_dir, || {
                    Index::create_in_dir(&gen_dir, self.schema.clone()).map_err(write_err(&gen_dir))
                })
                .and_then(|r| r)?,
            };
            register_tokenizers(index.tokenizers());
            let mut changes = vec![BTreeMap::new(); parts.len()];
            self.apply(
                &index,
                &gen_dir,
                plan,
                load,
                progress,
                &mut changes,
                &mut stats,
            )?;
            let opstamp = quietly(&gen_dir, || index.load_metas())?
                .map_err(write_err(&gen_dir))?
                .opstamp;

            // Fingerprints: a new file for each kind that changed, a link to the live one
            // for every other kind (not read, not rewritten).
            let mut kinds = match &base {
                Some(_) => self.kinds.clone(),
                None => BTreeMap::new(),
            };
            let mut written = Vec::new();
            for (part, changes) in parts.iter().zip(&changes) {
                if base.is_some() && changes.is_empty() {
                    continue;
                }
                let old = match &base {
                    Some(_) => self
                        .fingerprints
                        .get(part.kind)
                        .cloned()
                        .unwrap_or_default(),
                    None => Arc::default(),
                };
                let new = old.merged(changes);
                kinds.remove(part.kind);
                if !new.is_empty() {
                    let file = write_fingerprints(&gen_dir, part.kind, &new)?;
                    kinds.insert(part.kind.to_string(), file);
                }
                written.push((part.kind.to_string(), Arc::new(new)));
            }
            if let Some(base) = &base {
                let base_dir = self.dir.join(base);
                for (kind, file) in &kinds {
                    if !written.iter().any(|(k, _)| k == kind) {
                        link_file(&base_dir.join(&file.file), &gen_dir.join(&file.file))?;
                    }
                }
            }
            let handles = open_handles(&gen_dir, &kinds).map_err(write_io(&gen_dir))?;
            let mut manifest = Manifest {
                schema_version: SCHEMA_VERSION,
                generation: name.clone(),
                opstamp,
                files: stamps(&gen_dir).map_err(write_io(&gen_dir))?,
                kinds,
                sum: 0,
            };
            let reader = quietly(&gen_dir, || new_reader(&index))?.map_err(write_err(&gen_dir))?;
            // The switch: from here on, readers open the new generation, every kind at once.
            manifest.sum = write_manifest(&self.dir, &manifest)?;
            let opened = Opened {
                index,
                reader,
                manifest,
                handles,
            };
            Ok((opened, written))
        })();
        match built {
            Ok((opened, written)) => {
                if base.is_none() {
                    self.fingerprints.clear();
                }
                self.adopt(opened);
                self.fingerprints.extend(written);
                self.rebuild = None;
                self.forced = false;
                Ok(stats)
            }
            Err(e) => {
                // Only the folder made above: the live generation is untouched.
                let _ = fs::remove_dir_all(&gen_dir);
                Err(e)
            }
        }
    }

    fn sync_in_memory<'a, E, F>(
        &mut self,
        parts: &[KindPart<'a>],
        plan: Option<Plan<'a>>,
        load: &mut F,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<SyncStats, SearchError>
    where
        F: FnMut(&str) -> Result<Doc, E>,
        E: std::fmt::Display,
    {
        let rebuild = self.rebuild.take();
        self.forced = false;
        if rebuild.is_some() {
            let index = Index::create_in_ram(self.schema.clone());
            register_tokenizers(index.tokenizers());
            self.index = index;
            self.fingerprints.clear();
        }
        let plan = match plan {
            Some(plan) if rebuild.is_none() => plan,
            // In memory every kind's fingerprints are at hand: this cannot fail.
            _ => self.plan(parts).unwrap_or_else(|| Plan::everything(parts)),
        };
        let mut stats = SyncStats {
            unchanged: plan.unchanged,
            rebuilt: rebuild.is_some(),
            ..SyncStats::default()
        };
        let index = self.index.clone();
        let mut changes = vec![BTreeMap::new(); parts.len()];
        let result = self.apply(
            &index,
            Path::new(""),
            plan,
            load,
            progress,
            &mut changes,
            &mut stats,
        );
        for (part, changes) in parts.iter().zip(&changes) {
            if !changes.is_empty() {
                let old = self
                    .fingerprints
                    .get(part.kind)
                    .cloned()
                    .unwrap_or_default();
                self.fingerprints
                    .insert(part.kind.to_string(), Arc::new(old.merged(changes)));
            }
        }
        result?;
        self.reader =
            quietly(&self.dir, || new_reader(&self.index))?.map_err(write_err(&self.dir))?;
        self.usable = true;
        Ok(stats)
    }

    /// Applies `plan` to `index` with one writer and one commit, noting in `changes` (by
    /// kind slot) each id indexed with its fingerprint (`Some`) or deleted (`None`).
    #[allow(clippy::too_many_arguments)]
    fn apply<E, F>(
        &self,
        index: &Index,
        path: &Path,
        plan: Plan,
        load: &mut F,
        progress: &mut dyn FnMut(usize, usize),
        changes: &mut [BTreeMap<String, Option<String>>],
        stats: &mut SyncStats,
    ) -> Result<(), SearchError>
    where
        F: FnMut(&str) -> Result<Doc, E>,
        E: std::fmt::Display,
    {
        let total = plan.total();
        progress(0, total);
        let mut writer = self.open_writer(index, path)?;
        let mut done = 0;
        for (slot, id) in plan.delete {
            writer.delete_term(Term::from_field_text(self.fields.id, &id));
            changes[slot].insert(id, None);
            stats.deleted += 1;
            done += 1;
            progress(done, total);
        }
        for (slot, id, fingerprint, existed) in plan.load {
            match load(id) {
                Ok(doc) => {
                    writer.delete_term(Term::from_field_text(self.fields.id, id));
                    writer
                        .add_document(self.to_tantivy(id, &doc))
                        .map_err(write_err(path))?;
                    changes[slot].insert(id.to_string(), Some(fingerprint.to_string()));
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
        quietly(path, || -> Result<(), SearchError> {
            writer.commit().map_err(write_err(path))?;
            // Let merges finish before the manifest records the files, so the generation
            // is settled when readers open it; merges keep the commit opstamp unchanged.
            writer.wait_merging_threads().map_err(write_err(path))
        })?
    }

    /// Takes tantivy's writer lock, retrying while another writer holds it.
    fn open_writer(
        &self,
        index: &Index,
        path: &Path,
    ) -> Result<IndexWriter<TantivyDocument>, SearchError> {
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
            match quietly(path, || index.writer_with_options(options.clone()))? {
                Ok(w) => return Ok(w),
                Err(TantivyError::LockFailure(LockError::LockBusy, _))
                    if start.elapsed() < self.lock_timeout =>
                {
                    std::thread::sleep(LOCK_POLL);
                }
                Err(TantivyError::LockFailure(LockError::LockBusy, _)) => {
                    return Err(SearchError::Busy {
                        path: self.dir.clone(),
                        waited: self.lock_timeout,
                        pending: 0,
                    });
                }
                Err(e) => return Err(write_err(path)(e)),
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
        if doc.confidential {
            d.add_text(f.confidential, "yes");
        }
        d
    }

    /// Runs `f` against tantivy, turning a panic (which tantivy may raise on corrupt data,
    /// silenced) or a corruption error into [`SearchError::Corrupt`]; the next sync then
    /// rebuilds the index.
    pub(crate) fn guarded<T>(
        &self,
        f: impl FnOnce() -> Result<T, TantivyError>,
    ) -> Result<T, SearchError> {
        let result = quietly(&self.dir, f).and_then(|r| {
            r.map_err(|e| match e {
                e @ (TantivyError::DataCorruption(_) | TantivyError::IncompatibleIndex(_)) => {
                    SearchError::Corrupt {
                        path: self.dir.clone(),
                        detail: e.to_string(),
                    }
                }
                e => SearchError::Tantivy {
                    path: self.dir.clone(),
                    source: e,
                },
            })
        });
        if matches!(result, Err(SearchError::Corrupt { .. })) {
            self.damaged.store(true, Ordering::Relaxed);
        }
        result
    }
}

/// Runs `f` catching a panic, with the panic message silenced (see [`super::quiet`]): a
/// panic becomes [`SearchError::Corrupt`], as tantivy panics only on data it cannot read.
fn quietly<T>(path: &Path, f: impl FnOnce() -> T) -> Result<T, SearchError> {
    super::quiet::catch(f).map_err(|detail| SearchError::Corrupt {
        path: path.to_path_buf(),
        detail,
    })
}

/// Refuses a symbolic link where a folder of ours should be: it is never followed for
/// writing or deleting.
fn refuse_link(path: &Path) -> Result<(), SearchError> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(SearchError::Symlink {
            path: path.to_path_buf(),
        }),
        _ => Ok(()),
    }
}

/// Takes `<dir>/index.lock` (creating the folder if needed), polling until `timeout`.
/// Filesystems without lock support (some network mounts) proceed unlocked; the
/// generation folders and tantivy's writer lock still keep writers apart there.
fn acquire_dir_lock(dir: &Path, timeout: Duration, pending: usize) -> Result<DirLock, SearchError> {
    let read_only = |e: &io::Error| {
        matches!(
            e.kind(),
            io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
        )
    };
    refuse_link(dir)?;
    if let Err(e) = fs::create_dir_all(dir) {
        return Err(if read_only(&e) {
            SearchError::ReadOnly {
                path: dir.to_path_buf(),
                pending,
            }
        } else {
            write_io(dir)(e)
        });
    }
    let path = dir.join(LOCK_FILE);
    // Opening follows links: never open one (a dangling link would create its target).
    refuse_link(&path)?;
    let file = match OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
    {
        Ok(f) => f,
        Err(e) if read_only(&e) => {
            return Err(SearchError::ReadOnly {
                path: dir.to_path_buf(),
                pending,
            });
        }
        Err(e) => return Err(write_io(&path)(e)),
    };
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(DirLock { _file: Some(file) }),
            Err(TryLockError::WouldBlock) => {
                if start.elapsed() >= timeout {
                    return Err(SearchError::Busy {
                        path: dir.to_path_buf(),
                        waited: timeout,
                        pending,
                    });
                }
                std::thread::sleep(LOCK_POLL);
            }
            Err(TryLockError::Error(e)) if e.kind() == io::ErrorKind::Unsupported => {
                return Ok(DirLock { _file: None });
            }
            Err(TryLockError::Error(e)) => return Err(io_err(&path)(e)),
        }
    }
}

/// Validates and opens the live generation, reading the manifest again and retrying when
/// the generation it named was switched under us by a writer.
fn inspect(dir: &Path, schema: &Schema) -> Result<Opened, Rebuild> {
    let mut last = Rebuild::Missing;
    for _ in 0..OPEN_ATTEMPTS {
        let bytes = match fs::read(dir.join(MANIFEST_FILE)) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(if has_generations(dir) {
                    Rebuild::Damaged
                } else {
                    Rebuild::Missing
                });
            }
            Err(_) => return Err(Rebuild::Damaged),
        };
        let manifest = decode_manifest(&bytes)?;
        match open_generation(dir, manifest, schema) {
            Ok(opened) => return Ok(opened),
            Err(reason) => last = reason,
        }
        // Switched meanwhile? Then try the new one; else the damage is real.
        if fs::read(dir.join(MANIFEST_FILE)).is_ok_and(|now| now == bytes) {
            break;
        }
    }
    Err(last)
}

fn open_generation(dir: &Path, manifest: Manifest, schema: &Schema) -> Result<Opened, Rebuild> {
    if !is_generation_name(&manifest.generation) {
        return Err(Rebuild::Damaged);
    }
    let gen_dir = dir.join(&manifest.generation);
    match fs::symlink_metadata(&gen_dir) {
        Ok(m) if m.is_dir() => {}
        _ => return Err(Rebuild::Damaged),
    }
    // No links inside: tantivy would follow them, for reading and for its lock files.
    let entries = fs::read_dir(&gen_dir).map_err(|_| Rebuild::Damaged)?;
    for entry in entries {
        match entry.map(|e| e.file_type()) {
            Ok(Ok(t)) if !t.is_symlink() => {}
            _ => return Err(Rebuild::Damaged),
        }
    }
    // Each kind's fingerprints in the file of its name, stamped like any other file.
    for (kind, file) in &manifest.kinds {
        let stamped = manifest
            .files
            .get(&file.file)
            .is_some_and(|s| s.0 == file.len);
        if file.file != fingerprints_file(kind) || !stamped {
            return Err(Rebuild::Damaged);
        }
    }
    for (name, stamp) in &manifest.files {
        if !is_plain_file_name(name) {
            return Err(Rebuild::Damaged);
        }
        match fs::symlink_metadata(gen_dir.join(name)) {
            Ok(m) if m.is_file() && Stamp::of(&m) == *stamp => {}
            _ => return Err(Rebuild::Damaged),
        }
    }
    let open = |read_only: bool| -> Result<(Index, IndexReader), ()> {
        let mmap = MmapDirectory::open(&gen_dir).map_err(|_| ())?;
        let index = if read_only {
            Index::open(ReadOnlyDir(mmap))
        } else {
            Index::open(mmap)
        }
        .map_err(|_| ())?;
        if index.schema() != *schema {
            return Err(());
        }
        register_tokenizers(index.tokenizers());
        let opstamp = index.load_metas().map_err(|_| ())?.opstamp;
        if opstamp != manifest.opstamp {
            return Err(());
        }
        let reader = new_reader(&index).map_err(|_| ())?;
        Ok((index, reader))
    };
    // Normally with tantivy's reader lock; in a folder we cannot write, without it.
    let opened = quietly(&gen_dir, || open(false).or_else(|()| open(true)))
        .map_err(|_| Rebuild::Damaged)?
        .map_err(|()| Rebuild::Damaged)?;
    let handles = open_handles(&gen_dir, &manifest.kinds).map_err(|_| Rebuild::Damaged)?;
    Ok(Opened {
        index: opened.0,
        reader: opened.1,
        manifest,
        handles,
    })
}

/// Opens (without reading) each kind's fingerprint file of a generation.
fn open_handles(
    gen_dir: &Path,
    kinds: &BTreeMap<String, KindFile>,
) -> io::Result<BTreeMap<String, File>> {
    kinds
        .iter()
        .map(|(kind, file)| Ok((kind.clone(), File::open(gen_dir.join(&file.file))?)))
        .collect()
}

/// Writes a kind's fingerprints into a new generation (a new file: never through a link
/// to the live generation's), durable before the manifest names it.
fn write_fingerprints(
    gen_dir: &Path,
    kind: &str,
    fingerprints: &Fingerprints,
) -> Result<KindFile, SearchError> {
    let name = fingerprints_file(kind);
    let path = gen_dir.join(&name);
    let bytes = fingerprints.encode().map_err(write_io(&path))?;
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(write_io(&path))?;
    file.write_all(&bytes).map_err(write_io(&path))?;
    file.sync_all().map_err(write_io(&path))?;
    Ok(KindFile {
        file: name,
        len: bytes.len() as u64,
        sum: checksum(&bytes),
        count: fingerprints.len() as u64,
    })
}

/// Whether `dir` holds a generation (or the previous layout's folder): a missing manifest
/// then means damage, not a first use.
fn has_generations(dir: &Path) -> bool {
    fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| is_generation_name(n) || n == LEGACY_SUBDIR)
        })
    })
}

/// `gen-<n+1>` for the highest `gen-<n>` present (whatever made it), so a new generation
/// never lands in an existing folder. Called under the lock.
fn next_generation_name(dir: &Path) -> String {
    let highest = fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| {
                    let name = e.file_name();
                    name.to_str()?.strip_prefix(GEN_PREFIX)?.parse::<u64>().ok()
                })
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(0);
    format!("{GEN_PREFIX}{}", highest.saturating_add(1))
}

/// Fills `to` with hard links to the files of generation `from` (copies where the file
/// system has no hard links). tantivy never rewrites a segment file, and rewrites
/// `meta.json` and `.managed.json` by replacing them, so the old generation is unaffected.
fn link_generation(from: &Path, to: &Path) -> Result<(), SearchError> {
    let entries = fs::read_dir(from).map_err(write_io(from))?;
    for entry in entries {
        let entry = entry.map_err(write_io(from))?;
        let name = entry.file_name();
        let Some(text) = name.to_str() else { continue };
        // Fingerprint files are linked or written per kind by the caller.
        if text.starts_with(TANTIVY_LOCKS) || text == GEN_MARKER || is_fingerprints_file(text) {
            continue;
        }
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        link_file(&entry.path(), &to.join(&name))?;
    }
    Ok(())
}

/// A hard link `to` → the file `from` (a copy where the file system has no hard links).
fn link_file(from: &Path, to: &Path) -> Result<(), SearchError> {
    if fs::hard_link(from, to).is_err() {
        fs::copy(from, to).map_err(write_io(to))?;
    }
    Ok(())
}

/// The stamps of a generation's files, as the manifest records them.
fn stamps(gen_dir: &Path) -> io::Result<BTreeMap<String, Stamp>> {
    let mut out = BTreeMap::new();
    for entry in fs::read_dir(gen_dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with(TANTIVY_LOCKS) || name == GEN_MARKER || name == TANTIVY_MANAGED {
            continue;
        }
        let meta = fs::symlink_metadata(entry.path())?;
        if meta.is_file() {
            out.insert(name.to_string(), Stamp::of(&meta));
        }
    }
    Ok(out)
}

/// Deletes what earlier writes left behind, keeping `live`: older generation folders (real
/// folders named `gen-<n>` that carry the marker, or the `previous` live one), the previous
/// layout's `tantivy/` folder, and manifest temp files. Best effort, under the lock: on
/// Windows a folder still mapped by a reader stays until a later write.
fn remove_stale(dir: &Path, live: Option<&str>, previous: Option<&str>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if Some(name) == live {
            continue;
        }
        let path = entry.path();
        // symlink_metadata: a link is never followed, whatever its name.
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        let ours = if meta.is_dir() {
            (is_generation_name(name)
                && (Some(name) == previous
                    || fs::symlink_metadata(path.join(GEN_MARKER)).is_ok_and(|m| m.is_file())))
                || (name == LEGACY_SUBDIR
                    && fs::symlink_metadata(path.join("meta.json")).is_ok_and(|m| m.is_file()))
        } else {
            false
        };
        if ours {
            let _ = fs::remove_dir_all(&path);
        } else if meta.is_file() && name.starts_with(MANIFEST_TMP) {
            let _ = fs::remove_file(&path);
        }
    }
}

const MANIFEST_TMP: &str = ".manifest.json.tmp-";

/// Atomic replace: a new temp file in the same directory (never an existing path, so never
/// through a link), fsync, rename over.
fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<u64, SearchError> {
    let path = dir.join(MANIFEST_FILE);
    let bytes = encode_manifest(manifest).map_err(|source| SearchError::Manifest {
        path: path.clone(),
        source,
    })?;
    let mut tmp = tempfile::Builder::new()
        .prefix(MANIFEST_TMP)
        .tempfile_in(dir)
        .map_err(write_io(dir))?;
    tmp.write_all(&bytes).map_err(write_io(&path))?;
    // tempfile makes files 0600; the index is as readable as the rest of the store.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(0o644))
            .map_err(write_io(&path))?;
    }
    tmp.as_file().sync_all().map_err(write_io(&path))?;
    tmp.persist(&path).map_err(|e| write_io(&path)(e.error))?;
    let body_start = MANIFEST_HEAD.len() + CHECKSUM_HEX + MANIFEST_MID.len();
    Ok(checksum(&bytes[body_start..bytes.len() - 1]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::SearchQuery;
    use crate::search::test_util::{Store, as_kinds, doc};

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

    fn built(dir: &Path) -> Store {
        let store = three_docs();
        let mut index = SearchIndex::open(dir).expect("open");
        store.sync(&mut index);
        store
    }

    fn live_generation(dir: &Path) -> String {
        let bytes = fs::read(dir.join(MANIFEST_FILE)).expect("manifest");
        decode_manifest(&bytes).expect("valid").generation
    }

    /// Folder names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
            .collect();
        names.sort();
        names
    }

    /// Root ignores permissions: tests of unwritable folders cannot run as root.
    fn permissions_apply(dir: &Path) -> bool {
        let probe = dir.join("probe");
        fs::create_dir(&probe).expect("probe dir");
        set_writable(&probe, false);
        let ignored = fs::write(probe.join("x"), "x").is_ok();
        set_writable(&probe, true);
        fs::remove_dir_all(&probe).expect("rm probe");
        !ignored
    }

    fn set_writable(path: &Path, writable: bool) {
        let mut perms = fs::metadata(path).expect("meta").permissions();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            perms.set_mode(if writable { 0o755 } else { 0o555 });
        }
        #[cfg(not(unix))]
        perms.set_readonly(!writable);
        fs::set_permissions(path, perms).expect("chmod");
    }

    #[test]
    fn open_writes_nothing_and_the_first_sync_builds() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("nested/index");
        let mut index = SearchIndex::open(&dir).expect("open");
        assert!(index.was_rebuilt());
        assert_eq!(index.rebuild_reason(), Some(Rebuild::Missing));
        assert!(!index.is_usable());
        assert_eq!(index.num_docs(), 0);
        assert!(!dir.exists(), "open creates nothing");
        let stats = Store::default().sync(&mut index);
        assert!(stats.rebuilt && !stats.damaged);
        assert!(!index.was_rebuilt());
        assert!(index.is_usable());
        // Re-opening a valid index is not a rebuild.
        let index = SearchIndex::open(&dir).expect("reopen");
        assert!(!index.was_rebuilt());
        assert!(index.is_usable());
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

        // Nothing changed: nothing loaded, nothing written, no lock taken.
        let before = live_generation(tmp.path());
        let lock = File::create(tmp.path().join(LOCK_FILE)).expect("lock file");
        lock.lock().expect("lock");
        index.set_lock_timeout(Duration::from_millis(10));
        let (stats, loaded) = store.sync_traced(&mut index);
        drop(lock);
        assert_eq!(stats.unchanged, 3);
        assert_eq!((stats.added, stats.updated, stats.deleted), (0, 0, 0));
        assert!(loaded.is_empty());
        assert_eq!(live_generation(tmp.path()), before);

        // Change one document: only it is reloaded, the old text disappears.
        store.put(doc("a2", "article", "Backup policy", "每周归档到磁带"));
        let (stats, loaded) = store.sync_traced(&mut index);
        assert_eq!(loaded, vec!["a2"]);
        assert_eq!((stats.updated, stats.unchanged), (1, 2));
        assert!(ids(&index, "数据库").is_empty());
        assert_eq!(ids(&index, "磁带"), vec!["a2"]);
        assert_eq!(index.num_docs(), 3);
        // A new generation replaced the old one, which is gone.
        let live = live_generation(tmp.path());
        assert_ne!(live, before);
        assert!(!tmp.path().join(&before).exists());

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
        let gens: Vec<String> = names(tmp.path())
            .into_iter()
            .filter(|n| n.starts_with(GEN_PREFIX))
            .collect();
        assert_eq!(gens.len(), 1, "{gens:?}");
    }

    #[test]
    fn requested_rebuild_keeps_the_old_index_searchable_until_the_new_one_is_complete() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut index = SearchIndex::open(tmp.path()).expect("open");
        let store = three_docs();
        store.sync(&mut index);
        let old = live_generation(tmp.path());
        index.request_rebuild(Rebuild::Requested);
        assert!(index.indexed_fingerprints("article").is_empty());
        assert!(index.is_usable());
        let mut seen_during_build = Vec::new();
        let stats = index
            .sync(
                &as_kinds(&store.sources()),
                |id| {
                    // Another reader opening now gets the old, complete index.
                    let reader = SearchIndex::open(tmp.path()).expect("reader");
                    seen_during_build.push(ids(&reader, "派工原则"));
                    Ok::<_, String>(store.docs[id].1.clone())
                },
                &mut |_, _| {},
            )
            .expect("sync");
        assert!(stats.rebuilt && !stats.damaged);
        assert_eq!(stats.added, 3);
        assert!(seen_during_build.iter().all(|hits| hits == &["a1"]));
        assert_ne!(live_generation(tmp.path()), old);
        assert!(!tmp.path().join(&old).exists());
        assert_eq!(ids(&index, "kubernetes"), vec!["r1"]);
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
                &as_kinds(&store.sources()),
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
                &as_kinds(&store.sources()),
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
        // The same id again under another kind: still the first one's.
        let again = vec![SourceEntry {
            id: "x".into(),
            fingerprint: "3".into(),
        }];
        let mut n = 0;
        let stats = index
            .sync(
                &[("article", &sources), ("request", &again)],
                |id| {
                    n += 1;
                    Ok::<_, String>(doc(id, "article", "t", "body"))
                },
                &mut |_, _| {},
            )
            .expect("sync");
        assert_eq!((stats.added, n), (1, 1));
        assert_eq!(index.num_docs(), 1);
        assert_eq!(index.indexed_fingerprints("article").get("x"), Some("1"));
        assert!(index.indexed_fingerprints("request").is_empty());
    }

    #[test]
    fn rebuild_after_directory_deleted() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("index");
        let mut store = built(&dir);
        fs::remove_dir_all(&dir).expect("rm");
        let mut index = SearchIndex::open(&dir).expect("open after delete");
        assert_eq!(index.rebuild_reason(), Some(Rebuild::Missing));
        let stats = store.sync(&mut index);
        assert!(stats.rebuilt && !stats.damaged);
        assert_eq!(stats.added, 3);
        assert_eq!(ids(&index, "库"), vec!["a2"]);

        // Deleted underneath a live handle: it still searches what it opened, and the next
        // write notices under the lock and rebuilds.
        fs::remove_dir_all(&dir).expect("rm again");
        #[cfg(unix)]
        assert_eq!(ids(&index, "库"), vec!["a2"]);
        store.put(doc("n1", "article", "new", "全新文章"));
        let stats = store.sync(&mut index);
        assert!(stats.rebuilt);
        assert_eq!(stats.added, 4);
        assert_eq!(index.num_docs(), 4);
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
    }

    #[test]
    fn garbage_files_are_replaced_and_unknown_files_left_alone() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let store = built(tmp.path());
        fill_with_garbage(tmp.path());
        fs::write(tmp.path().join("junk.bin"), [0xde, 0xad, 0xbe, 0xef]).expect("junk");
        fs::create_dir(tmp.path().join("gen-77")).expect("unmarked folder");
        fs::write(tmp.path().join("gen-77/keep.txt"), "not ours").expect("keep");
        let mut index = SearchIndex::open(tmp.path()).expect("open garbage");
        assert_eq!(index.rebuild_reason(), Some(Rebuild::Damaged));
        let stats = store.sync(&mut index);
        assert!(stats.rebuilt && stats.damaged);
        assert_eq!(ids(&index, "kubernetes"), vec!["r1"]);
        // Only what this module made is deleted.
        assert!(tmp.path().join("junk.bin").exists());
        assert!(tmp.path().join("gen-77/keep.txt").exists());
        assert_eq!(live_generation(tmp.path()), "gen-78");
    }

    /// The files of the live generation whose damage must be noticed, in a stable order
    /// (by extension: a rebuild of the same documents gives the same kinds of file).
    fn damageable(dir: &Path) -> Vec<PathBuf> {
        let gen_dir = dir.join(live_generation(dir));
        let mut files: Vec<PathBuf> = fs::read_dir(&gen_dir)
            .expect("read_dir")
            .map(|e| e.expect("entry").path())
            .filter(|p| {
                let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                !n.starts_with(TANTIVY_LOCKS) && n != GEN_MARKER && n != TANTIVY_MANAGED
            })
            .collect();
        files.sort_by_key(|p| (p.extension().map(|e| e.to_os_string()), p.clone()));
        files
    }

    #[test]
    fn each_damaged_generation_file_is_noticed_by_its_stamp() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let store = built(tmp.path());
        let count = damageable(tmp.path()).len();
        assert!(count > 3, "{:?}", damageable(tmp.path()));
        type Damage = fn(&Path);
        let damages: [(&str, Damage); 4] = [
            ("truncated", |p| {
                let b = fs::read(p).expect("r");
                fs::write(p, &b[..b.len() / 2]).expect("w")
            }),
            ("zeroed", |p| {
                let n = fs::metadata(p).expect("m").len() as usize;
                fs::write(p, vec![0u8; n]).expect("w")
            }),
            ("random", |p| {
                let n = fs::metadata(p).expect("m").len() as usize;
                let mut x = 0x2545_F491_4F6C_DD1Du64;
                let junk: Vec<u8> = (0..n)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        x.to_le_bytes()[0]
                    })
                    .collect();
                fs::write(p, junk).expect("w")
            }),
            ("deleted", |p| fs::remove_file(p).expect("rm")),
        ];
        for k in 0..count {
            for (what, damage) in &damages {
                let target = damageable(tmp.path())[k].clone();
                damage(&target);
                let mut index = SearchIndex::open(tmp.path()).expect("open");
                assert_eq!(
                    index.rebuild_reason(),
                    Some(Rebuild::Damaged),
                    "{what} {}",
                    target.display()
                );
                let stats = store.sync(&mut index);
                assert!(stats.damaged, "{what}");
                assert_eq!(ids(&index, "派工原则"), vec!["a1"], "{what}");
            }
        }
    }

    #[test]
    fn manifest_checksum_and_versions() {
        let m = Manifest {
            schema_version: SCHEMA_VERSION,
            generation: "gen-3".into(),
            opstamp: 9,
            files: BTreeMap::from([("meta.json".into(), Stamp(10, 20))]),
            kinds: BTreeMap::from([(
                "article".into(),
                KindFile {
                    file: fingerprints_file("article"),
                    len: 30,
                    sum: 40,
                    count: 1,
                },
            )]),
            sum: 0,
        };
        let bytes = encode_manifest(&m).expect("encode");
        assert!(serde_json::from_slice::<serde_json::Value>(&bytes).is_ok());
        assert_eq!(decode_manifest(&bytes).expect("decode").generation, "gen-3");
        // An edit of the body: the checksum no longer matches → replaced silently.
        let edited = String::from_utf8(bytes.clone())
            .expect("utf8")
            .replace("\"count\":1", "\"count\":2");
        assert_eq!(
            decode_manifest(edited.as_bytes()).err(),
            Some(Rebuild::Outdated)
        );
        assert_eq!(
            decode_manifest(&bytes[..bytes.len() - 5]).err(),
            Some(Rebuild::Damaged)
        );
        assert_eq!(
            decode_manifest(&vec![0u8; bytes.len()]).err(),
            Some(Rebuild::Damaged)
        );
        // The layout before generations, and another schema version.
        let legacy = br#"{"schema_version":1,"opstamp":3,"entries":{}}"#;
        assert_eq!(decode_manifest(legacy).err(), Some(Rebuild::Outdated));
        let other = Manifest {
            schema_version: SCHEMA_VERSION + 1,
            ..m
        };
        let bytes = encode_manifest(&other).expect("encode");
        assert_eq!(decode_manifest(&bytes).err(), Some(Rebuild::Outdated));
        assert_ne!(checksum(b"abc"), checksum(b"abd"));
        assert_ne!(checksum(&[0; 40]), checksum(&[0; 41]));
    }

    #[test]
    fn edited_manifest_or_previous_layout_is_replaced_silently() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let store = built(tmp.path());
        let path = tmp.path().join(MANIFEST_FILE);
        let text = fs::read_to_string(&path).expect("read");
        fs::write(&path, text.replacen("\"count\":", "\"count\":1", 1)).expect("edit");
        let mut index = SearchIndex::open(tmp.path()).expect("open");
        assert_eq!(index.rebuild_reason(), Some(Rebuild::Outdated));
        let stats = store.sync(&mut index);
        assert!(stats.rebuilt && !stats.damaged);
        assert_eq!(ids(&index, "派工原则"), vec!["a1"]);

        // The layout before generations: manifest.json + tantivy/.
        let old = tempfile::tempdir().expect("tempdir");
        let tdir = old.path().join(LEGACY_SUBDIR);
        fs::create_dir(&tdir).expect("mkdir");
        Index::create_in_dir(&tdir, build_schema().0).expect("legacy index");
        fs::write(
            old.path().join(MANIFEST_FILE),
            br#"{"schema_version":1,"opstamp":0,"entries":{}}"#,
        )
        .expect("legacy manifest");
        let mut index = SearchIndex::open(old.path()).expect("open");
        assert_eq!(index.rebuild_reason(), Some(Rebuild::Outdated));
        store.sync(&mut index);
        assert!(!tdir.exists(), "the previous layout's folder is replaced");
        assert_eq!(ids(&index, "kubernetes"), vec!["r1"]);
    }

    #[test]
    fn a_failed_write_keeps_the_previous_index_as_it_was() {
        // The new generation's folder disappears while it is written (as a full disk or a
        // vanished mount would make the writes fail): the live one is untouched.
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut store = built(tmp.path());
        let mut index = SearchIndex::open(tmp.path()).expect("open");
        let live = live_generation(tmp.path());
        let manifest = fs::read(tmp.path().join(MANIFEST_FILE)).expect("manifest");
        let sabotage = |id: &str| {
            for name in names(tmp.path()) {
                if name.starts_with(GEN_PREFIX) && name != live {
                    fs::remove_dir_all(tmp.path().join(name)).expect("rm new");
                }
            }
            Ok::<_, String>(doc(id, "article", "新标题", "新正文"))
        };
        // An incremental update, then a full rebuild.
        store.put(doc("a1", "article", "VPN 配置", "改过的正文"));
        let err = index
            .sync(&as_kinds(&store.sources()), sabotage, &mut |_, _| {})
            .expect_err("the write fails");
        assert!(
            matches!(err, SearchError::Write { .. } | SearchError::Corrupt { .. }),
            "{err}"
        );
        index.request_rebuild(Rebuild::Requested);
        index
            .sync(&as_kinds(&store.sources()), sabotage, &mut |_, _| {})
            .expect_err("the rebuild fails");
        assert!(index.is_usable());
        assert_eq!(
            ids(&index, "派工原则"),
            vec!["a1"],
            "the old text is still searched"
        );
        assert_eq!(
            fs::read(tmp.path().join(MANIFEST_FILE)).expect("manifest"),
            manifest
        );
        let reopened = SearchIndex::open(tmp.path()).expect("reopen");
        assert!(!reopened.was_rebuilt());
        assert_eq!(ids(&reopened, "派工原则"), vec!["a1"]);
        assert_eq!(live_generation(tmp.path()), live);
    }

    #[test]
    fn an_unwritable_folder_keeps_the_previous_index_and_says_read_only() {
        let tmp = tempfile::tempdir().expect("tempdir");
        if !permissions_apply(tmp.path()) {
            eprintln!("skipped: permissions do not apply (running as root)");
            return;
        }
        let mut store = built(tmp.path());
        let mut index = SearchIndex::open(tmp.path()).expect("open");
        set_writable(tmp.path(), false);
        // The lock file exists and can be locked, but no new generation can be made.
        store.put(doc("n1", "article", "new", "全新文章"));
        let err = index.sync(
            &as_kinds(&store.sources()),
            |id| Ok::<_, String>(store.docs[id].1.clone()),
            &mut |_, _| {},
        );
        set_writable(tmp.path(), true);
        let err = err.expect_err("cannot write");
        assert!(matches!(err, SearchError::Write { .. }), "{err}");
        assert!(err.to_string().contains("permission denied"), "{err}");
        assert_eq!(ids(&index, "派工原则"), vec!["a1"]);

        // A folder without the lock file, read-only throughout: searched read-only.
        fs::remove_file(tmp.path().join(LOCK_FILE)).expect("rm lock");
        let gen_dir = tmp.path().join(live_generation(tmp.path()));
        set_writable(&gen_dir, false);
        set_writable(tmp.path(), false);
        let reader = SearchIndex::open(tmp.path());
        let result = reader.map(|mut r| {
            let hits = ids(&r, "派工原则");
            let err = r
                .sync(
                    &as_kinds(&store.sources()),
                    |_| Err::<Doc, _>("unused"),
                    &mut |_, _| {},
                )
                .err();
            (hits, err)
        });
        set_writable(tmp.path(), true);
        set_writable(&gen_dir, true);
        let (hits, err) = result.expect("open read-only");
        assert_eq!(hits, vec!["a1"]);
        assert!(
            matches!(err, Some(SearchError::ReadOnly { pending: 1, .. })),
            "{err:?}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_are_never_followed() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let outside = tempfile::tempdir().expect("outside");
        fs::write(outside.path().join("sentinel"), "keep me").expect("sentinel");
        fs::write(outside.path().join(GEN_MARKER), "").expect("marker");
        // The index folder itself.
        let link = tmp.path().join("index");
        std::os::unix::fs::symlink(outside.path(), &link).expect("symlink");
        assert!(matches!(
            SearchIndex::open(&link),
            Err(SearchError::Symlink { .. })
        ));
        // A generation replaced by a link, and a link posing as a stale generation.
        let dir = tmp.path().join("real");
        let store = built(&dir);
        let live = live_generation(&dir);
        fs::remove_dir_all(dir.join(&live)).expect("rm live");
        std::os::unix::fs::symlink(outside.path(), dir.join(&live)).expect("link live");
        std::os::unix::fs::symlink(outside.path(), dir.join("gen-50")).expect("link stale");
        let mut index = SearchIndex::open(&dir).expect("open");
        assert_eq!(index.rebuild_reason(), Some(Rebuild::Damaged));
        store.sync(&mut index);
        assert_eq!(ids(&index, "派工原则"), vec!["a1"]);
        assert_eq!(names(outside.path()), vec![GEN_MARKER, "sentinel"]);
        // A link at the lock file's place is refused rather than opened.
        fs::remove_file(dir.join(LOCK_FILE)).expect("rm lock");
        std::os::unix::fs::symlink(outside.path().join("new"), dir.join(LOCK_FILE)).expect("l");
        index.request_rebuild(Rebuild::Requested);
        let err = store_sync_err(&store, &mut index);
        assert!(matches!(err, SearchError::Symlink { .. }), "{err}");
        assert!(!outside.path().join("new").exists());
    }

    fn store_sync_err(store: &Store, index: &mut SearchIndex) -> SearchError {
        index
            .sync(
                &as_kinds(&store.sources()),
                |id| Ok::<_, String>(store.docs[id].1.clone()),
                &mut |_, _| {},
            )
            .expect_err("refused")
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
                &as_kinds(&store.sources()),
                |_| Err::<Doc, _>("unused"),
                &mut |_, _| {},
            )
            .expect_err("busy");
        assert!(matches!(err, SearchError::Busy { pending: 1, .. }), "{err}");
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
    fn no_index_and_a_busy_lock_is_busy_with_everything_pending() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let other = File::create(tmp.path().join(LOCK_FILE)).expect("lock file");
        other.lock().expect("lock");
        let mut index =
            SearchIndex::open_with_timeout(tmp.path(), Duration::from_millis(50)).expect("open");
        assert!(!index.is_usable());
        let err = store_sync_err(&three_docs(), &mut index);
        assert!(matches!(err, SearchError::Busy { pending: 3, .. }), "{err}");
    }

    #[test]
    fn in_memory_index_writes_nothing() {
        let mut index = SearchIndex::in_memory().expect("memory");
        assert!(!index.is_usable());
        let mut store = three_docs();
        let stats = store.sync(&mut index);
        assert!(stats.rebuilt);
        assert!(index.is_usable());
        assert_eq!(ids(&index, "派工原则"), vec!["a1"]);
        store.put(doc("a1", "article", "VPN", "抢单"));
        assert_eq!(store.sync(&mut index).updated, 1);
        assert_eq!(ids(&index, "抢单"), vec!["a1"]);
        assert_eq!(index.dir(), Path::new(""));
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
                        let reader = SearchIndex::open(&dir).expect("reader");
                        assert!(reader.is_usable());
                        assert_eq!(reader.num_docs(), 20);
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
    fn a_panic_while_searching_is_damage_and_the_next_sync_rebuilds() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut index = SearchIndex::open(tmp.path()).expect("open");
        let store = three_docs();
        store.sync(&mut index);
        let err = index
            .guarded::<()>(|| panic!("simulated tantivy panic"))
            .expect_err("corrupt");
        assert!(matches!(err, SearchError::Corrupt { .. }));
        assert_eq!(
            err.to_string(),
            format!("the search index at {} is damaged", tmp.path().display())
        );
        let stats = store.sync(&mut index);
        assert!(stats.rebuilt && stats.damaged);
        assert_eq!(ids(&index, "派工原则"), vec!["a1"]);
    }

    #[test]
    fn write_errors_read_as_plain_sentences() {
        let full = write_err(Path::new("/s/.presales/index"))(TantivyError::IoError(Arc::new(
            io::Error::from(io::ErrorKind::StorageFull),
        )));
        assert_eq!(
            full.to_string(),
            "could not write the search index at /s/.presales/index: the disk is full"
        );
        let e = SearchError::Tantivy {
            path: "/i".into(),
            source: TantivyError::OpenWriteError(OpenWriteError::wrap_io_error(
                io::Error::from(io::ErrorKind::PermissionDenied),
                "x".into(),
            )),
        };
        assert_eq!(
            e.to_string(),
            "cannot use the search index at /i: permission denied"
        );
    }

    #[test]
    fn fingerprints_round_trip_merge_and_look_up_in_order() {
        let fps = Fingerprints::from_sorted(
            [("a", "1"), ("b", "文档 2"), ("d", ""), ("e", "4")].into_iter(),
        );
        let bytes = fps.encode().expect("encode");
        assert_eq!(Fingerprints::decode(&bytes), Some(fps.clone()));
        assert_eq!(fps.get("b"), Some("文档 2"));
        assert_eq!(fps.get("c"), None);
        // In order, out of order, absent: the same answers as `get`.
        let mut lookup = fps.lookup();
        for id in ["a", "b", "c", "d", "e", "a", "zz", "d", "0"] {
            assert_eq!(lookup.get(id), fps.get(id), "{id}");
        }
        let changes = BTreeMap::from([
            ("0".to_string(), Some("new".to_string())),
            ("b".to_string(), None),
            ("d".to_string(), Some("3".to_string())),
            ("f".to_string(), Some("5".to_string())),
        ]);
        let merged_fps = fps.merged(&changes);
        let merged: Vec<(&str, &str)> = merged_fps.iter().collect();
        assert_eq!(
            merged,
            vec![("0", "new"), ("a", "1"), ("d", "3"), ("e", "4"), ("f", "5")]
        );
        assert_eq!(merged_fps.len(), 5);
        // Anything but what encode wrote is refused: truncated, ids out of order, garbage.
        assert_eq!(Fingerprints::decode(&bytes[..bytes.len() - 1]), None);
        assert_eq!(Fingerprints::decode(b"psfp"), None);
        let unsorted = Fingerprints {
            text: "ba".into(),
            ends: vec![(1, 1), (2, 2)],
        };
        assert_eq!(
            Fingerprints::decode(&unsorted.encode().expect("encode")),
            None
        );
        assert_eq!(Fingerprints::decode(&vec![0u8; bytes.len()]), None);
        assert_eq!(fingerprints_file("article"), "fingerprints-article.bin");
        assert_eq!(fingerprints_file("a/b"), "fingerprints-~612f62.bin");
        assert_eq!(fingerprints_file(""), "fingerprints-~.bin");
    }

    /// The path of a kind's fingerprint file in the live generation.
    fn kind_file(dir: &Path, kind: &str) -> PathBuf {
        dir.join(live_generation(dir)).join(fingerprints_file(kind))
    }

    /// Replaces a file's bytes by `bytes` of the same length, keeping its modification
    /// time: the stamp checked at open still matches, only the checksum can tell.
    fn forge(path: &Path, bytes: &[u8]) {
        let meta = fs::metadata(path).expect("meta");
        assert_eq!(meta.len(), bytes.len() as u64, "{}", path.display());
        let mtime = meta.modified().expect("mtime");
        // A new file (not writing through a hard link shared with another generation).
        fs::remove_file(path).expect("rm");
        fs::write(path, bytes).expect("write");
        File::options()
            .write(true)
            .open(path)
            .and_then(|f| f.set_modified(mtime))
            .expect("set mtime");
    }

    #[test]
    fn a_request_change_neither_reads_nor_rewrites_the_article_fingerprints() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut store = built(tmp.path());
        let articles = kind_file(tmp.path(), "article");
        let article_bytes = fs::read(&articles).expect("read");

        // The requests' file garbled with its stamp kept: a sync of the articles alone
        // does not notice, because it never reads it.
        let requests = kind_file(tmp.path(), "request");
        let n = fs::metadata(&requests).expect("meta").len() as usize;
        forge(&requests, &vec![b'#'; n]);
        store.put(doc("a3", "article", "新文章", "值班安排"));
        let mut index = SearchIndex::open(tmp.path()).expect("open");
        let (stats, loaded) = store.sync_kinds_traced(&mut index, &["article"]);
        assert_eq!(loaded, vec!["a3"]);
        assert!(!stats.rebuilt, "{stats:?}");
        assert_eq!(ids(&index, "值班"), vec!["a3"]);
        assert_eq!(
            ids(&index, "kubernetes"),
            vec!["r1"],
            "requests kept as indexed"
        );

        // A sync that lists requests reads their file, finds it is not what the manifest
        // recorded, and rebuilds: the same results as ever.
        let mut index = SearchIndex::open(tmp.path()).expect("open");
        let (stats, _) = store.sync_kinds_traced(&mut index, &["article", "request"]);
        assert!(stats.rebuilt && stats.damaged, "{stats:?}");
        assert_eq!(ids(&index, "kubernetes"), vec!["r1"]);
        assert_eq!(ids(&index, "派工原则"), vec!["a1"]);
        assert_eq!(ids(&index, "值班"), vec!["a3"]);

        // Now a request changes: only it is loaded, and the new generation's article file
        // is the previous one, linked, not written again.
        let articles = kind_file(tmp.path(), "article");
        let article_bytes_now = fs::read(&articles).expect("read");
        assert_ne!(article_bytes, article_bytes_now, "a3 was added since");
        store.put(doc("r1", "request", "客户需求", "需要 OpenShift 部署"));
        let mut index = SearchIndex::open(tmp.path()).expect("open");
        let (stats, loaded) = store.sync_kinds_traced(&mut index, &["article", "request"]);
        assert_eq!(
            (loaded, stats.updated, stats.rebuilt),
            (vec!["r1".into()], 1, false)
        );
        let new_articles = kind_file(tmp.path(), "article");
        assert_ne!(new_articles, articles, "a new generation");
        assert_eq!(fs::read(&new_articles).expect("read"), article_bytes_now);
        assert_eq!(ids(&index, "openshift"), vec!["r1"]);
        assert!(ids(&index, "kubernetes").is_empty());
    }

    #[test]
    fn a_request_change_links_the_article_file_into_the_new_generation() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut store = built(tmp.path());
        let articles = kind_file(tmp.path(), "article");
        let requests = kind_file(tmp.path(), "request");
        let request_bytes = fs::read(&requests).expect("read");
        store.put(doc("r1", "request", "客户需求", "需要 OpenShift 部署"));
        let mut index = SearchIndex::open(tmp.path()).expect("open");
        let (_, loaded) = store.sync_kinds_traced(&mut index, &["request"]);
        assert_eq!(loaded, vec!["r1"]);
        let manifest =
            decode_manifest(&fs::read(tmp.path().join(MANIFEST_FILE)).expect("m")).expect("valid");
        assert_eq!(manifest.kinds["article"].count, 2);
        assert_eq!(manifest.kinds["request"].count, 1);
        let new_articles = kind_file(tmp.path(), "article");
        let new_requests = kind_file(tmp.path(), "request");
        assert_ne!(new_articles, articles, "a new generation");
        assert_ne!(fs::read(&new_requests).expect("read"), request_bytes);
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // The previous generation is deleted once replaced: its article file lives on
            // under the new generation's name, the same inode, linked and not rewritten.
            let inode = fs::metadata(&new_articles).expect("meta").ino();
            store.put(doc("r1", "request", "客户需求", "需要 Rancher 部署"));
            store.sync_kinds_traced(&mut index, &["request"]);
            let next = kind_file(tmp.path(), "article");
            assert_ne!(next, new_articles);
            assert_eq!(fs::metadata(&next).expect("meta").ino(), inode);
        }
        assert_eq!(ids(&index, "rancher"), vec!["r1"]);
    }

    #[test]
    fn kinds_from_different_generations_are_never_trusted() {
        // What a crash between two writes could leave if the kinds' files were switched one
        // by one: the article file of an older generation beside the newer manifest.
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut store = built(tmp.path());
        let old_articles = fs::read(kind_file(tmp.path(), "article")).expect("read");
        store.put(doc("a1", "article", "VPN 配置", "派工原则是抢单"));
        store.sync(&mut SearchIndex::open(tmp.path()).expect("open"));
        let live = kind_file(tmp.path(), "article");
        assert_ne!(fs::read(&live).expect("read"), old_articles);

        // Same length, stamp kept: open accepts it, reading the articles' fingerprints
        // does not, and the index is rebuilt with the same results.
        forge(&live, &old_articles);
        let mut index = SearchIndex::open(tmp.path()).expect("open");
        assert!(!index.was_rebuilt());
        assert!(index.indexed_fingerprints("article").is_empty());
        assert_eq!(index.rebuild_reason(), Some(Rebuild::Damaged));
        assert!(!index.is_usable());
        let stats = store.sync(&mut index);
        assert!(stats.rebuilt && stats.damaged, "{stats:?}");
        assert_eq!(ids(&index, "抢单"), vec!["a1"]);
        assert_eq!(ids(&index, "kubernetes"), vec!["r1"]);
        let fresh = tempfile::tempdir().expect("tempdir");
        let mut reference = SearchIndex::open(fresh.path()).expect("open");
        store.sync(&mut reference);
        for q in ["派工", "抢单", "kubernetes", "备份", "vpn"] {
            assert_eq!(ids(&index, q), ids(&reference, q), "{q}");
        }

        // The same file copied in plainly (its own stamp): noticed at open.
        let live = kind_file(tmp.path(), "article");
        fs::remove_file(&live).expect("rm");
        fs::write(&live, &old_articles).expect("write");
        let mut index = SearchIndex::open(tmp.path()).expect("open");
        assert_eq!(index.rebuild_reason(), Some(Rebuild::Damaged));
        assert!(store.sync(&mut index).damaged);
        assert_eq!(ids(&index, "抢单"), vec!["a1"]);

        // A manifest naming another file for a kind, or a kind's file missing from its
        // list of files: damaged, whatever the checksum says.
        let path = tmp.path().join(MANIFEST_FILE);
        let mut manifest = decode_manifest(&fs::read(&path).expect("read")).expect("valid");
        let entry = manifest.kinds.get_mut("article").expect("article");
        entry.file = fingerprints_file("request");
        write_manifest(tmp.path(), &manifest).expect("write");
        assert_eq!(
            SearchIndex::open(tmp.path())
                .expect("open")
                .rebuild_reason(),
            Some(Rebuild::Damaged)
        );
    }

    #[test]
    fn a_write_killed_before_the_switch_leaves_the_live_generation_in_force() {
        // kill -9 after the new generation's files (tantivy's and the fingerprints) were
        // written but before the manifest was: the folder is there, the manifest is not.
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut store = built(tmp.path());
        let live = live_generation(tmp.path());
        let manifest = fs::read(tmp.path().join(MANIFEST_FILE)).expect("manifest");
        let half = tmp.path().join("gen-99");
        fs::create_dir(&half).expect("mkdir");
        link_generation(&tmp.path().join(&live), &half).expect("link");
        fs::write(half.join(GEN_MARKER), "").expect("marker");
        let garbage = Fingerprints::from_sorted([("a1", "other")].into_iter());
        write_fingerprints(&half, "article", &garbage).expect("fingerprints");

        let mut index = SearchIndex::open(tmp.path()).expect("open");
        assert!(!index.was_rebuilt());
        assert_eq!(
            index.indexed_fingerprints("article").get("a1"),
            Some(store.docs["a1"].0.as_str())
        );
        assert_eq!(ids(&index, "派工原则"), vec!["a1"]);
        assert_eq!(
            fs::read(tmp.path().join(MANIFEST_FILE)).expect("m"),
            manifest
        );

        // The next write carries on from the live generation and removes the leftover.
        store.put(doc("a2", "article", "Backup policy", "数据库每周备份"));
        let (stats, loaded) = store.sync_traced(&mut index);
        assert_eq!((loaded, stats.rebuilt), (vec!["a2".into()], false));
        assert!(!half.exists());
        assert_eq!(live_generation(tmp.path()), "gen-100");
        assert_eq!(ids(&index, "每周"), vec!["a2"]);
    }
}
