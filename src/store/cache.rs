//! The parse cache: per record kind, one file under `.presales/cache/` mapping each record
//! file's stamp (size, mtime and ctime to the nanosecond, inode) to a summary of it.
//!
//! A cache, never the truth: a file whose stamp differs is always re-read (every write of
//! ours is a rename, so even a same-size edit in the same second gets a new inode and
//! ctime), a missing or unreadable cache is rebuilt, and deleting `.presales/` loses
//! nothing. Summaries hold what listing needs, so `presales list` on 100,000 requests only
//! stats the files and decodes one compact file.
//!
//! The file ends with a CRC-32 of the rest: a cache whose bytes changed on disk (a flipped
//! bit, a torn or foreign write) is thrown away and rebuilt, never decoded into a wrong
//! title or an ID that does not exist.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{CACHE_DIR, Store, write_atomic_with};
use crate::error::Error;
use crate::model::{Kind, Record, RecordId};

/// Bumped whenever a summary type or this file's layout changes.
const FORMAT: u32 = 5;

/// A record type's summary as cached.
pub trait Summary: Serialize + DeserializeOwned + Clone + Send + Sync {
    type Full: Record + Send;
    /// The fields a command filters on, stored beside the stamp so that a filtered read
    /// decodes only the summaries it keeps ([`Store::summaries_where`]); `()` for none.
    type Keys<'a>: Serialize + serde::Deserialize<'a>
    where
        Self: 'a;
    /// Cache file name, e.g. `requests`.
    const NAME: &'static str;
    fn of(full: &Self::Full) -> Self;
    fn keys(&self) -> Self::Keys<'_>;
    /// The summary of a file just read: its text and path (relative to the root) are at
    /// hand for summaries that need them (`check` caches its canonical-form verdict).
    fn from_file(full: Self::Full, _text: &str, _rel: &Path) -> Self {
        Self::of(&full)
    }
    /// The summary read from part of a record file's text (`shown` is its path as errors
    /// name it), when the summary does not need the rest and the rest is surely sound;
    /// `None` to parse the whole record (which reports whatever is wrong).
    fn from_head(_shown: &Path, _text: &str) -> Option<Self> {
        None
    }
}

/// What identifies one version of a file without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stamp {
    size: u64,
    mtime: (i64, u32),
    ctime: (i64, u32),
    ino: u64,
}

impl Stamp {
    /// The file's size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The modification time in nanoseconds since 1970; 0 for a time before it (or none).
    pub fn mtime_nanos(&self) -> u128 {
        let (secs, nanos) = self.mtime;
        u64::try_from(secs).map_or(0, |s| u128::from(s) * 1_000_000_000 + u128::from(nanos))
    }

    pub fn of(meta: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Stamp {
                size: meta.len(),
                mtime: (meta.mtime(), meta.mtime_nsec() as u32),
                ctime: (meta.ctime(), meta.ctime_nsec() as u32),
                ino: meta.ino(),
            }
        }
        #[cfg(not(unix))]
        {
            let t = |r: std::io::Result<std::time::SystemTime>| {
                r.ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or((0, 0), |d| (d.as_secs() as i64, d.subsec_nanos()))
            };
            Stamp {
                size: meta.len(),
                mtime: t(meta.modified()),
                ctime: t(meta.created()),
                ino: 0,
            }
        }
    }
}

/// The cache file: every summary is stored as its own postcard bytes, after its keys, so
/// that decoding can run on every core, skip what a filter does not keep, and a rewrite
/// can copy the entries of unchanged files without encoding them again.
#[derive(serde::Serialize, serde::Deserialize)]
struct CacheFile<'a> {
    format: u32,
    crate_version: &'a str,
    #[serde(borrow)]
    entries: Vec<(&'a str, Stamp, Raw<'a>, Raw<'a>)>,
}

/// Bytes encoded as one postcard byte string (not a sequence of numbers).
#[derive(Clone, Copy)]
struct Raw<'a>(&'a [u8]);

impl serde::Serialize for Raw<'_> {
    fn serialize<Ser: serde::Serializer>(
        &self,
        s: Ser,
    ) -> std::result::Result<Ser::Ok, Ser::Error> {
        s.serialize_bytes(self.0)
    }
}

impl<'de: 'a, 'a> serde::Deserialize<'de> for Raw<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        <&[u8]>::deserialize(d).map(Raw)
    }
}

/// `.presales/cache/<name>.bin`; `None` when a link lies on the way ([`Store::check_path`]):
/// then nothing is read from or written there, and `check` reports the link.
fn cache_path(store: &Store, name: &str) -> Option<PathBuf> {
    let rel = Path::new(CACHE_DIR)
        .join("cache")
        .join(format!("{name}.bin"));
    store.check_path(&rel).ok()
}

/// Removes the temp files of cache writes killed more than a minute ago. Caches are
/// written without the store lock, so a younger one may be another reader's write in
/// progress (removing it would only make that write fail, which costs that reader time).
fn remove_stale_temp_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let minute_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    for e in entries.flatten() {
        if e.file_name()
            .to_string_lossy()
            .starts_with(super::scan::TEMP_PREFIX)
            && e.metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t < minute_ago)
            && e.file_type().is_ok_and(|t| t.is_file())
        {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// A cache file is the encoded cache, then the CRC-32 of it (little-endian): a writer
/// that passes the bytes on and keeps their CRC-32, to be written after them.
struct Sealing<'w>(&'w mut dyn std::io::Write, crc32fast::Hasher);

impl std::io::Write for Sealing<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.0.write(buf)?;
        self.1.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// The bytes of a cache file holding `bytes` (what [`Sealing`] writes piece by piece).
#[cfg(test)]
fn seal(mut bytes: Vec<u8>) -> Vec<u8> {
    let crc = crc32fast::hash(&bytes);
    bytes.extend_from_slice(&crc.to_le_bytes());
    bytes
}

/// The encoded cache inside a cache file, if its checksum holds.
fn unseal(bytes: &[u8]) -> Option<&[u8]> {
    let (body, crc) = bytes.split_last_chunk::<4>()?;
    (!body.is_empty() && crc32fast::hash(body) == u32::from_le_bytes(*crc)).then_some(body)
}

/// A cache file's bytes, mapped from the page cache rather than copied: a warm command
/// on 100,000 requests reads a cache of 75 MB (the check's, 230 MB), and a copy costs as
/// many megabytes of fresh memory, which the kernel must first zero. Read into memory
/// when the file cannot be mapped (an empty file, a file system without mmap).
///
/// Every cache write is a rename of a new file ([`write_atomic_with`]), so the mapped file
/// never changes under the mapping: a concurrent command's new cache is another inode.
enum CacheBytes {
    #[cfg_attr(not(unix), allow(dead_code))]
    Mapped(memmap2::Mmap),
    /// Read into memory; empty when there is no file to read.
    Read(Vec<u8>),
}

impl Default for CacheBytes {
    fn default() -> CacheBytes {
        CacheBytes::Read(Vec::new())
    }
}

impl CacheBytes {
    fn open(path: &Path) -> CacheBytes {
        let Ok(file) = std::fs::File::open(path) else {
            return CacheBytes::default();
        };
        // Mapped on Unix only: on Windows a mapped file cannot be replaced, and the command
        // that maps a cache is often the one that rewrites it.
        #[cfg(unix)]
        {
            // SAFETY: the mapping is read-only and presales never writes a cache file in
            // place (see above). A file truncated in place by hand while a command reads it
            // is the one case left: it would end the process with SIGBUS, as for tantivy's
            // index.
            if let Ok(map) = unsafe { memmap2::MmapOptions::new().populate().map(&file) } {
                return CacheBytes::Mapped(map);
            }
        }
        use std::io::Read;
        let mut bytes = Vec::new();
        let mut file = file;
        if file.read_to_end(&mut bytes).is_err() {
            bytes.clear();
        }
        CacheBytes::Read(bytes)
    }
}

impl std::ops::Deref for CacheBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            CacheBytes::Mapped(map) => map,
            CacheBytes::Read(bytes) => bytes,
        }
    }
}

/// The cached entries (sorted by ID as they were written), borrowed from the file's bytes;
/// none when the file is missing, damaged or from another version.
fn read_cache(bytes: &[u8]) -> Vec<(&str, Stamp, Raw<'_>, Raw<'_>)> {
    // A damaged file is a cache miss: everything is parsed again and the file rewritten.
    let Some(body) = unseal(bytes) else {
        return Vec::new();
    };
    match postcard::from_bytes::<CacheFile>(body) {
        Ok(c) if c.format == FORMAT && c.crate_version == env!("CARGO_PKG_VERSION") => c.entries,
        // Corrupt, truncated or from another version: start over.
        _ => Vec::new(),
    }
}

/// Where one record's summary comes from.
enum Slot<'a> {
    /// The cache's entry holds for the file as it is.
    Cached(&'a str, Stamp, Raw<'a>, Raw<'a>, RecordId),
    /// To be read from the file.
    Parse(RecordId, Stamp),
    /// The file could not be looked at (the error is reported).
    Gone,
}

/// What became of one record file: the cache entry that holds its summary. The summary
/// itself travels beside it (`Store::get`): a summary is hundreds of bytes, and a
/// vector of these for 100,000 records is not copied again on its way out.
enum Got<'a> {
    /// Decoded from the cache, or left out by the filter.
    Cached(&'a str, Stamp, Raw<'a>, Raw<'a>),
    /// Read from its file: its new entry's keys and summary encoded (`None` if they cannot
    /// be: then it is not cached).
    Parsed(String, Stamp, Option<(Vec<u8>, Vec<u8>)>),
    Failed(Error),
    Gone,
}

impl Store {
    /// Summaries of every record of `S`'s kind, fresh: unchanged files come from the cache,
    /// the others are parsed (in parallel) and the cache is updated. Files that do not parse
    /// are returned as errors, never cached.
    pub fn summaries<S: Summary>(&self) -> (Vec<S>, Vec<Error>) {
        self.summaries_where::<S>(|_| true)
    }

    /// [`Store::summaries`] of the records whose keys `keep` accepts: the others' summaries
    /// are not decoded. Every file is still looked at, so the result is as fresh.
    pub fn summaries_where<S: Summary>(
        &self,
        keep: impl Fn(&S::Keys<'_>) -> bool + Sync,
    ) -> (Vec<S>, Vec<Error>) {
        self.summaries_listed(|| self.stat_records(S::Full::KIND), keep, |s| s)
    }

    /// [`Store::summaries_where`] of the record files a listing of `S`'s kind found
    /// ([`Store::stat_records`], sorted by ID) for a caller that lists them itself, each
    /// summary handed to `map` on the worker that decoded it: a caller that needs little of
    /// each (the whole-store check) never holds them all.
    pub fn summaries_mapped<S: Summary, R: Send>(
        &self,
        files: Vec<(RecordId, std::io::Result<Stamp>)>,
        keep: impl Fn(&S::Keys<'_>) -> bool + Sync,
        map: impl Fn(S) -> R + Sync,
    ) -> (Vec<R>, Vec<Error>) {
        self.summaries_listed(|| Ok(files), keep, map)
    }

    /// [`Store::summaries_mapped`] of the record files `list` finds (an error of the listing
    /// is returned alone). The listing and the reading of the cache file (mapping, checksum,
    /// table of entries: 30 ms for 100,000 requests) run side by side.
    pub fn summaries_listed<S: Summary, R: Send>(
        &self,
        list: impl FnOnce() -> crate::error::Result<Vec<(RecordId, std::io::Result<Stamp>)>> + Send,
        keep: impl Fn(&S::Keys<'_>) -> bool + Sync,
        map: impl Fn(S) -> R + Sync,
    ) -> (Vec<R>, Vec<Error>) {
        let path = cache_path(self, S::NAME);
        let bytes = std::sync::OnceLock::new();
        let (files, cached) = rayon::join(list, || {
            read_cache(
                bytes.get_or_init(|| path.as_deref().map(CacheBytes::open).unwrap_or_default()),
            )
        });
        let files = match files {
            Ok(files) => files,
            Err(e) => return (Vec::new(), vec![e]),
        };
        let cached_len = cached.len();
        let mut cached = cached.into_iter().peekable();
        let mut slots: Vec<Slot> = Vec::with_capacity(files.len());
        let mut errors = Vec::new();
        for (id, meta) in files {
            let stamp = match meta {
                Ok(stamp) => stamp,
                Err(e) => {
                    errors.push(Error::io(self.display_path(&self.path_of(&id)), e));
                    slots.push(Slot::Gone);
                    continue;
                }
            };
            let key = id.as_str();
            // Both lists are sorted by ID: walk them together instead of hashing every key.
            while cached.next_if(|(k, ..)| *k < key).is_some() {}
            match cached.next_if(|(k, ..)| *k == key) {
                Some((k, st, keys, raw)) if st == stamp => {
                    slots.push(Slot::Cached(k, st, keys, raw, id))
                }
                _ => slots.push(Slot::Parse(id, stamp)),
            }
        }
        // A long read (a fresh clone's first command) tells how it goes.
        let to_read = slots
            .iter()
            .filter(|s| matches!(s, Slot::Parse(..)))
            .count();
        let progress = self.progress(to_read);
        let what = S::Full::KIND.dir();
        let done = std::sync::atomic::AtomicUsize::new(0);
        if let Some(p) = progress {
            p(what, 0, to_read);
        }
        let (got, summaries): (Vec<Got>, Vec<Option<R>>) = slots
            .into_par_iter()
            .map(|slot| {
                let parse = matches!(slot, Slot::Parse(..));
                let (got, summary) = self.get::<S>(slot, &keep);
                let got = (got, summary.map(&map));
                if let Some(p) = progress.filter(|_| parse) {
                    let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    if n.is_multiple_of(64) || n == to_read {
                        p(what, n, to_read);
                    }
                }
                got
            })
            .unzip();
        let reused = got.iter().filter(|g| matches!(g, Got::Cached(..))).count();
        // Cached entries not reused are files deleted or changed since: rewrite the cache.
        let dirty = reused != cached_len || got.iter().any(|g| !matches!(g, Got::Cached(..)));
        if dirty && let Some(path) = &path {
            let entries = got
                .iter()
                .filter_map(|g| match g {
                    Got::Cached(k, st, keys, raw) => Some((*k, *st, *keys, *raw)),
                    Got::Parsed(k, st, Some((keys, raw))) => {
                        Some((k.as_str(), *st, Raw(keys), Raw(raw)))
                    }
                    Got::Parsed(_, _, None) | Got::Failed(_) | Got::Gone => None,
                })
                .collect();
            let file = CacheFile {
                format: FORMAT,
                crate_version: env!("CARGO_PKG_VERSION"),
                entries,
            };
            // Encoded straight into the file with its checksum: a cache of hundreds of
            // megabytes is never held whole in memory.
            // A cache that cannot be written only costs time next run.
            if let Some(dir) = path.parent()
                && std::fs::create_dir_all(dir).is_ok()
            {
                remove_stale_temp_files(dir);
                let _ = write_atomic_with(path, |w| {
                    let sealing = Sealing(w, crc32fast::Hasher::new());
                    let mut buffered = std::io::BufWriter::with_capacity(1 << 18, sealing);
                    postcard::to_io(&file, &mut buffered).map_err(std::io::Error::other)?;
                    let Sealing(w, crc) = buffered.into_inner().map_err(|e| e.into_error())?;
                    w.write_all(&crc.finalize().to_le_bytes())
                });
            }
        }
        errors.extend(got.into_iter().filter_map(|g| match g {
            Got::Failed(e) => Some(e),
            _ => None,
        }));
        // In place: the summaries' own vector becomes the result (std collects a
        // `filter_map` into its source's allocation; a `flatten` it copies).
        #[allow(clippy::filter_map_identity)]
        let out: Vec<R> = summaries.into_iter().filter_map(|s| s).collect();
        // Decoding is done: the file's bytes, borrowed until here, can go.
        drop(bytes);
        (out, errors)
    }

    /// One record's summary: decoded from its cache entry when the filter keeps it, else
    /// read from its file (also when the entry does not decode).
    fn get<'a, S: Summary>(
        &self,
        slot: Slot<'a>,
        keep: &(impl Fn(&S::Keys<'_>) -> bool + Sync),
    ) -> (Got<'a>, Option<S>) {
        let (id, stamp) = match slot {
            Slot::Gone => return (Got::Gone, None),
            Slot::Cached(k, st, keys, raw, id) => {
                match postcard::from_bytes::<S::Keys<'_>>(keys.0) {
                    Ok(ks) if !keep(&ks) => return (Got::Cached(k, st, keys, raw), None),
                    Ok(_) => {
                        if let Ok(s) = postcard::from_bytes::<S>(raw.0) {
                            return (Got::Cached(k, st, keys, raw), Some(s));
                        }
                    }
                    Err(_) => {}
                }
                // An entry that does not decode is simply re-read from its file.
                (id, st)
            }
            Slot::Parse(id, st) => (id, st),
        };
        let p = self.path_of(&id);
        let key = id.into_string();
        // The whole record is parsed unless the summary can be read from its head and the
        // rest is surely sound, so that a damaged file (a bad history entry, a file cut
        // short) is reported by every command that reads it.
        let shown = self.display_path(&p);
        let parsed = self
            .read_text(&p)
            .and_then(|text| match S::from_head(&shown, &text) {
                Some(s) => Ok(s),
                None => self
                    .parse_listed::<S::Full>(&p, &text)
                    .map(|full| S::from_file(full, &text, &shown)),
            });
        match parsed {
            Ok(s) => {
                let (kept, encoded) = {
                    let keys = s.keys();
                    let encoded = postcard::to_allocvec(&keys)
                        .and_then(|keys| Ok((keys, postcard::to_allocvec(&s)?)));
                    (keep(&keys), encoded)
                };
                (Got::Parsed(key, stamp, encoded.ok()), kept.then_some(s))
            }
            Err(e) => (Got::Failed(e), None),
        }
    }
}

impl Summary for crate::model::request::RequestSummary {
    type Full = crate::model::Request;
    type Keys<'a> = crate::model::request::RequestKeys<'a>;
    const NAME: &'static str = "requests";
    fn of(full: &Self::Full) -> Self {
        full.into()
    }
    /// From the text before the history (most of a request's bytes are its history) when
    /// the history is the last key and every entry surely reads
    /// ([`crate::model::history::surely_reads`]); the history is still read by the YAML
    /// parser, only not built into entries.
    fn from_head(shown: &Path, text: &str) -> Option<Self> {
        let r = record_from_head::<crate::model::Request>(shown, text, |_, entry| {
            crate::model::history::surely_reads(super::last_key::fields(entry))
        })?;
        Some(Self::of(&r))
    }
    fn keys(&self) -> Self::Keys<'_> {
        self.keys()
    }
}

impl Summary for crate::model::customer::CustomerSummary {
    type Full = crate::model::Customer;
    type Keys<'a> = ();
    const NAME: &'static str = "customers";
    fn of(full: &Self::Full) -> Self {
        full.into()
    }
    fn keys(&self) {}
}

/// A whole record cached as JSON (self-describing, so flattened unknown fields survive),
/// for commands that need every field. Any serializable value can be wrapped to be stored
/// as JSON bytes inside the postcard cache file.
pub use crate::model::facts::Json as Whole;

impl<T: Record + Send + Sync + 'static> Summary for Whole<T> {
    type Full = T;
    type Keys<'a> = ();
    const NAME: &'static str = match T::KIND {
        Kind::Request => "requests-whole",
        Kind::Solution => "solutions-whole",
        Kind::Article => "articles-whole",
        Kind::Customer => "customers-whole",
        Kind::Gap => "gaps-whole",
        Kind::Training => "trainings-whole",
    };
    fn of(full: &T) -> Self {
        Whole(full.clone())
    }
    fn keys(&self) {}
}

impl Summary for crate::model::facts::RequestFacts {
    type Full = crate::model::Request;
    type Keys<'a> = ();
    const NAME: &'static str = "requests-facts";
    fn of(full: &Self::Full) -> Self {
        full.into()
    }
    /// From the text before the history, and the history's entries built straight from
    /// what the YAML reader read (only the keys reports read,
    /// [`crate::model::facts::reported_entry`]) when every entry is surely sound; a first
    /// report on a fresh clone (a CI job) then never builds the entries through serde.
    fn from_head(shown: &Path, text: &str) -> Option<Self> {
        let mut history = Vec::new();
        let mut r = record_from_head::<crate::model::Request>(shown, text, |i, entry| {
            let fields: Vec<_> = super::last_key::fields(entry).collect();
            history.truncate(i);
            crate::model::facts::reported_entry(&fields)
                .map(|e| history.push(e))
                .is_some()
        })?;
        r.history = history;
        Some(Self::of(&r))
    }
    fn keys(&self) {}
}

/// A record read from the text before its history, with an empty history, when `entry_ok`
/// accepts every entry of the history ([`super::last_key::head_before_last`]). The head is
/// read as a whole record, so every field of it is checked as a whole parse would, and its
/// ID must be its file name; `None` sends the file to the whole parse.
pub(crate) fn record_from_head<T: Record>(
    shown: &Path,
    text: &str,
    entry_ok: impl FnMut(usize, &super::last_key::Entry<'_>) -> bool,
) -> Option<T> {
    let head = super::last_key::head_before_last(text, "history", entry_ok)?;
    let r: T = super::yaml::parse(shown, head).ok()?;
    shown
        .file_stem()
        .is_some_and(|stem| stem == r.id())
        .then_some(r)
}

impl Summary for crate::model::facts::ArticleFacts {
    type Full = crate::model::Article;
    type Keys<'a> = ();
    const NAME: &'static str = "articles-facts";
    fn of(full: &Self::Full) -> Self {
        full.into()
    }
    fn keys(&self) {}
}

impl Store {
    /// Every request as the reports read it ([`RequestFacts`]: no free texts, no notes, the
    /// history left out) and, in the same order, its history as the reports replay it,
    /// fresh, through the cache.
    ///
    /// [`RequestFacts`]: crate::model::facts::RequestFacts
    pub fn report_requests(
        &self,
    ) -> (
        Vec<crate::model::Request>,
        Vec<Vec<crate::model::facts::Step>>,
        Vec<Error>,
    ) {
        let (facts, errors) = self.summaries::<crate::model::facts::RequestFacts>();
        let (requests, steps) = facts
            .into_par_iter()
            .map(crate::model::facts::RequestFacts::into_request)
            .unzip();
        (requests, steps, errors)
    }

    /// Every record of a kind, whole, fresh, through the cache.
    pub fn load_all_cached<T: Record + Send + Sync + 'static>(&self) -> (Vec<T>, Vec<Error>) {
        let (wholes, errors) = self.summaries::<Whole<T>>();
        (wholes.into_iter().map(|w| w.0).collect(), errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::request::RequestSummary;

    /// A cache file is read as its bytes, mapped or not; an empty or missing one is no
    /// bytes (a cache miss, not an error).
    #[test]
    fn cache_bytes_are_the_files_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.bin");
        let bytes: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(&*CacheBytes::open(&path), &bytes[..]);
        std::fs::write(&path, b"").unwrap();
        assert!(CacheBytes::open(&path).is_empty());
        assert!(CacheBytes::open(&dir.path().join("missing.bin")).is_empty());
        // A folder where the file should be.
        assert!(CacheBytes::open(dir.path()).is_empty());
    }

    /// Every request of the demo store (canonical files, as commands write them) is read
    /// from its head, to the same summary as from the whole record; a damaged history sends
    /// the file to the whole-record parse.
    #[test]
    fn a_request_summary_from_its_head_equals_the_whole_records() {
        let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo/requests");
        let mut seen = 0;
        for entry in walkdir::WalkDir::new(&demo) {
            let path = entry.unwrap().into_path();
            if path.extension().is_none_or(|e| e != "yaml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let full: crate::model::Request = super::super::yaml::parse(&path, &text).unwrap();
            let head = RequestSummary::from_head(&path, &text);
            assert_eq!(head, Some(RequestSummary::of(&full)), "{}", path.display());
            // A Windows checkout (core.autocrlf) reads the same.
            let crlf = text.replace('\n', "\r\n");
            assert_eq!(
                RequestSummary::from_head(&path, &crlf),
                Some(RequestSummary::of(&full)),
                "{} with CRLF",
                path.display()
            );
            // The reports' facts likewise (as cached: what they keep of each entry), the
            // history built from what the reader read.
            let facts = crate::model::facts::RequestFacts::from_head(&path, &text).unwrap();
            assert_eq!(
                postcard::to_allocvec(&facts).unwrap(),
                postcard::to_allocvec(&crate::model::facts::RequestFacts::of(&full)).unwrap(),
                "{}",
                path.display()
            );
            seen += 1;
            let last_action = text.rfind("\n  action: ").unwrap();
            let line_end = last_action + 1 + text[last_action + 1..].find('\n').unwrap();
            let last_at = text.rfind("- at: ").unwrap();
            let damaged = [
                // Cut short: the last entry without its action.
                format!("{}{}", &text[..last_action + 1], &text[line_end + 1..]),
                text.replacen("\n  by: ", "\n\tby: ", 1),
                format!(
                    "{}- at: yesterday{}",
                    &text[..last_at],
                    &text[last_at + 31..]
                ),
                format!("{text}x_after: 1\n"),
                text.replacen("id: REQ", "id: REQX", 1),
            ];
            for d in damaged {
                assert_eq!(RequestSummary::from_head(&path, &d), None, "{d}");
                assert!(crate::model::facts::RequestFacts::from_head(&path, &d).is_none());
            }
        }
        assert!(seen >= 10, "{seen}");
    }

    /// A read of many files reports its progress (0 first, the total once all are read);
    /// a warm read reports none.
    #[test]
    fn a_long_read_reports_its_progress_and_a_warm_one_does_not() {
        use std::sync::{Arc, Mutex};
        let dir = tempfile::tempdir().unwrap();
        crate::store::init(dir.path(), false).unwrap();
        let mut store = Store::open(dir.path().to_path_buf()).unwrap();
        let calls: Arc<Mutex<Vec<(String, usize, usize)>>> = Arc::default();
        let seen = calls.clone();
        store.on_progress(Arc::new(move |what, done, total| {
            seen.lock().unwrap().push((what.to_string(), done, total));
        }));
        let n = crate::store::PROGRESS_FROM;
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-27T10:00:00+08:00").unwrap();
        let lock = store.lock().unwrap();
        for i in 0..n {
            let id = store.mint(Kind::Customer, now).unwrap();
            let text = format!("id: {id}\nname: n{i}\ncreated: 2026-11-27T10:00:00+08:00\n");
            std::fs::write(store.path_of(&id), text).unwrap();
        }
        drop(lock);
        let (all, errors) = store.summaries::<crate::model::customer::CustomerSummary>();
        assert_eq!((all.len(), errors.len()), (n, 0));
        let got = std::mem::take(&mut *calls.lock().unwrap());
        assert_eq!(got.first(), Some(&("customers".to_string(), 0, n)));
        // Calls come from every core: the last one to finish reports the total.
        assert!(got.contains(&("customers".to_string(), n, n)));
        assert!(
            got.iter()
                .all(|(_, done, total)| done <= total && *total == n)
        );
        assert!(got.len() > 2);
        // Warm: nothing is parsed, nothing reported.
        let (all, _) = store.summaries::<crate::model::customer::CustomerSummary>();
        assert_eq!(all.len(), n);
        assert!(calls.lock().unwrap().is_empty());
    }

    #[test]
    fn a_cache_file_with_any_byte_changed_is_refused() {
        // Sealed as it is written: the same bytes.
        let mut written = Vec::new();
        let mut sealing = Sealing(&mut written, crc32fast::Hasher::new());
        for piece in [&b"cached "[..], b"", b"summaries"] {
            std::io::Write::write_all(&mut sealing, piece).unwrap();
        }
        let crc = sealing.1.finalize();
        written.extend_from_slice(&crc.to_le_bytes());
        let sealed = seal(b"cached summaries".to_vec());
        assert_eq!(written, sealed);
        assert_eq!(unseal(&sealed), Some(&b"cached summaries"[..]));
        for i in 0..sealed.len() {
            for bit in 0..8 {
                let mut bad = sealed.clone();
                bad[i] ^= 1 << bit;
                assert_eq!(unseal(&bad), None, "byte {i} bit {bit}");
            }
        }
        assert_eq!(unseal(&sealed[..sealed.len() - 1]), None);
        assert_eq!(unseal(&[]), None);
        assert_eq!(unseal(&[0; 4]), None);
    }
}
