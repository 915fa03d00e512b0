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

use super::{CACHE_DIR, Store, write_atomic};
use crate::error::{Error, Result};
use crate::model::{Kind, Record};

/// Bumped whenever a summary type or this file's layout changes.
const FORMAT: u32 = 3;

/// A record type's summary as cached.
pub trait Summary: Serialize + DeserializeOwned + Clone + Send + Sync {
    type Full: Record + Send;
    /// Cache file name, e.g. `requests`.
    const NAME: &'static str;
    fn of(full: &Self::Full) -> Self;
    /// The summary of a file just read: its text and path (relative to the root) are at
    /// hand for summaries that need them (`check` caches its canonical-form verdict).
    fn from_file(full: &Self::Full, _text: &str, _rel: &Path) -> Self {
        Self::of(full)
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

/// The cache file: every summary is stored as its own postcard bytes so that decoding can
/// run on every core.
#[derive(serde::Serialize)]
struct CacheFile {
    format: u32,
    crate_version: String,
    entries: Vec<(String, Stamp, Raw)>,
}

/// Bytes encoded as one postcard byte string (not a sequence of numbers).
struct Raw(Vec<u8>);

impl serde::Serialize for Raw {
    fn serialize<Ser: serde::Serializer>(
        &self,
        s: Ser,
    ) -> std::result::Result<Ser::Ok, Ser::Error> {
        s.serialize_bytes(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Raw {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Raw;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> std::result::Result<Raw, E> {
                Ok(Raw(v.to_vec()))
            }
        }
        d.deserialize_bytes(V)
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

/// The bytes of a cache file: the encoded cache, then the CRC-32 of it (little-endian).
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

/// The cache file as read: borrowed from the file's bytes, so nothing is copied twice.
#[derive(serde::Deserialize)]
struct CacheView<'a> {
    format: u32,
    crate_version: &'a str,
    #[serde(borrow)]
    entries: Vec<(&'a str, Stamp, &'a [u8])>,
}

/// The cached entries, sorted by ID as they were written.
fn read_cache<S: Summary>(path: &Path) -> Vec<(String, Stamp, S)> {
    let Ok(bytes) = std::fs::read(path) else {
        return Vec::new();
    };
    // A damaged file is a cache miss: everything is parsed again and the file rewritten.
    let Some(body) = unseal(&bytes) else {
        return Vec::new();
    };
    match postcard::from_bytes::<CacheView>(body) {
        Ok(c) if c.format == FORMAT && c.crate_version == env!("CARGO_PKG_VERSION") => c
            .entries
            .into_par_iter()
            .filter_map(|(p, st, raw)| {
                // An entry that does not decode is simply re-read from its file.
                postcard::from_bytes::<S>(raw)
                    .ok()
                    .map(|s| (p.to_string(), st, s))
            })
            .collect(),
        // Corrupt, truncated or from another version: start over.
        _ => Vec::new(),
    }
}

impl Store {
    /// Summaries of every record of `S`'s kind, fresh: unchanged files come from the cache,
    /// the others are parsed (in parallel) and the cache is updated. Files that do not parse
    /// are returned as errors, never cached.
    pub fn summaries<S: Summary>(&self) -> (Vec<S>, Vec<Error>) {
        let kind: Kind = S::Full::KIND;
        let mut errors = Vec::new();
        let files = match self.stat_records(kind) {
            Ok(f) => f,
            Err(e) => return (Vec::new(), vec![e]),
        };
        let path = cache_path(self, S::NAME);
        let cached = path.as_deref().map(read_cache::<S>).unwrap_or_default();
        let cached_len = cached.len();
        let mut cached = cached.into_iter().peekable();
        let mut reused = 0usize;
        let mut out: Vec<Option<(String, Stamp, S)>> = Vec::with_capacity(files.len());
        let mut todo: Vec<(usize, String, Stamp, PathBuf)> = Vec::new();
        for (i, (id, p, meta)) in files.into_iter().enumerate() {
            let key = id.to_string();
            let stamp = match meta {
                Ok(m) => Stamp::of(&m),
                Err(e) => {
                    errors.push(Error::io(self.display_path(&p), e));
                    out.push(None);
                    continue;
                }
            };
            // Both lists are sorted by ID: walk them together instead of hashing every key.
            while cached
                .next_if(|(k, _, _)| k.as_str() < key.as_str())
                .is_some()
            {}
            let hit = cached.next_if(|(k, _, _)| *k == key);
            match hit {
                Some((_, st, s)) if st == stamp => {
                    reused += 1;
                    out.push(Some((key, stamp, s)));
                }
                _ => {
                    todo.push((i, key, stamp, p));
                    out.push(None);
                }
            }
        }
        // Cached entries not reused are files deleted or changed since: rewrite the cache.
        let mut dirty = reused != cached_len || !todo.is_empty();
        let parsed: Vec<(usize, String, Stamp, Result<S>)> = todo
            .into_par_iter()
            .map(|(i, key, stamp, p)| {
                let r = self
                    .load_listed::<S::Full>(&p)
                    .map(|(full, text)| S::from_file(&full, &text, &self.display_path(&p)));
                (i, key, stamp, r)
            })
            .collect();
        for (i, key, stamp, r) in parsed {
            match r {
                Ok(s) => out[i] = Some((key, stamp, s)),
                Err(e) => {
                    errors.push(e);
                    dirty = true;
                }
            }
        }
        let out: Vec<(String, Stamp, S)> = out.into_iter().flatten().collect();
        if dirty {
            let entries: Vec<(String, Stamp, Raw)> = out
                .par_iter()
                .filter_map(|(k, st, s)| {
                    Some((k.clone(), *st, Raw(postcard::to_allocvec(s).ok()?)))
                })
                .collect();
            let file = CacheFile {
                format: FORMAT,
                crate_version: env!("CARGO_PKG_VERSION").to_string(),
                entries,
            };
            // A cache that cannot be written only costs time next run.
            if let Some(path) = &path
                && let Ok(bytes) = postcard::to_allocvec(&file)
                && let Some(dir) = path.parent()
                && std::fs::create_dir_all(dir).is_ok()
            {
                remove_stale_temp_files(dir);
                let _ = write_atomic(path, &seal(bytes));
            }
        }
        (out.into_iter().map(|(_, _, s)| s).collect(), errors)
    }
}

impl Summary for crate::model::request::RequestSummary {
    type Full = crate::model::Request;
    const NAME: &'static str = "requests";
    fn of(full: &Self::Full) -> Self {
        full.into()
    }
}

impl Summary for crate::model::customer::CustomerSummary {
    type Full = crate::model::Customer;
    const NAME: &'static str = "customers";
    fn of(full: &Self::Full) -> Self {
        full.into()
    }
}

/// A whole record cached as JSON (self-describing, so flattened unknown fields survive),
/// for commands that need every field, such as the reports. Any serializable value can be
/// wrapped to be stored as JSON bytes inside the postcard cache file.
#[derive(Clone)]
pub struct Whole<T>(pub T);

impl<T: serde::Serialize> serde::Serialize for Whole<T> {
    fn serialize<Ser: serde::Serializer>(
        &self,
        s: Ser,
    ) -> std::result::Result<Ser::Ok, Ser::Error> {
        let bytes = serde_json::to_vec(&self.0).map_err(serde::ser::Error::custom)?;
        s.serialize_bytes(&bytes)
    }
}

impl<'de, T: DeserializeOwned> serde::Deserialize<'de> for Whole<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Json<T>(std::marker::PhantomData<T>);
        impl<T: DeserializeOwned> serde::de::Visitor<'_> for Json<T> {
            type Value = Whole<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a value as JSON bytes")
            }
            fn visit_bytes<E: serde::de::Error>(
                self,
                v: &[u8],
            ) -> std::result::Result<Self::Value, E> {
                serde_json::from_slice(v).map(Whole).map_err(E::custom)
            }
        }
        d.deserialize_bytes(Json(std::marker::PhantomData))
    }
}

impl<T: Record + Send + Sync + 'static> Summary for Whole<T> {
    type Full = T;
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
}

impl Store {
    /// Every record of a kind, whole, fresh, through the cache: the reports' loader.
    pub fn load_all_cached<T: Record + Send + Sync + 'static>(&self) -> (Vec<T>, Vec<Error>) {
        let (wholes, errors) = self.summaries::<Whole<T>>();
        (wholes.into_iter().map(|w| w.0).collect(), errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cache_file_with_any_byte_changed_is_refused() {
        let sealed = seal(b"cached summaries".to_vec());
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
