//! Keeps the search index (`.presales/index/`) in step with the record files before every
//! search: articles, requests and solutions are listed with a one-`stat` fingerprint, and
//! only new, changed and deleted records are re-read. A body file (an article's
//! `body_file`, a solution's `plan_file`) is part of its record's fingerprint, so editing
//! the Markdown updates the article too.
//!
//! What a search does when the index cannot be written is decided here: a complete index
//! that could not be updated (another process holds it, a read-only clone, a full disk) is
//! searched as it is, with one warning line; with no usable index, one is built in memory
//! for this search. An index found damaged is rebuilt with one note line.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::model::{Article, Customer, Kind, RecordId, Request, Solution};
use crate::search::{
    Doc, Fingerprints, Hit, Rebuild, SearchError, SearchIndex, SearchQuery, SourceEntry, SyncStats,
};
use crate::store::Store;

/// Folder of the index inside `.presales/`.
pub const INDEX_DIR: &str = "index";

/// Bump when [`doc_of`] changes what it puts in a document: every record is then re-read,
/// as if it had changed (the index's own schema version covers tantivy's side). It starts
/// every fingerprint.
const DOC_FORMAT: &str = "doc1 ";

/// The kinds of record that are indexed.
pub const INDEXED: [Kind; 6] = [
    Kind::Article,
    Kind::Request,
    Kind::Solution,
    Kind::Customer,
    Kind::Gap,
    Kind::Training,
];

/// A step of a sync, for progress bars: listing the files, then indexing changed ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Scan,
    Index,
}

/// Progress callback: phase, done, total, and whether this is a full rebuild.
pub type Progress<'a> = &'a mut dyn FnMut(Phase, usize, usize, bool);

/// An index brought up to date, with what it took.
pub struct Synced {
    pub index: SearchIndex,
    pub stats: SyncStats,
    /// Records that could not be indexed (bad YAML, missing body file); the others were.
    pub problems: Vec<Error>,
    /// Things worth a warning that are not errors: the index could not be updated and was
    /// searched as it was (another process held it, a read-only folder, a full disk).
    pub warnings: Vec<String>,
    /// One-line notes: a damaged index was rebuilt, or the search used an index in memory.
    pub notes: Vec<String>,
    pub elapsed: Duration,
    /// Live documents in the index after the sync.
    pub documents: u64,
    /// Record files listed, per kind noun (`article`, `request`, `solution`).
    pub listed: BTreeMap<&'static str, usize>,
}

/// Maps the search module's errors to the library's: a query with nothing to search is the
/// user's mistake; everything else is kept whole, with its cause, as [`Error::Search`].
pub fn search_error(e: SearchError) -> Error {
    match e {
        SearchError::EmptyQuery => Error::invalid_with_hint(
            "the search query has no words to search for",
            "type at least one word, number or Chinese character; \"quotes\" group a phrase",
        ),
        e => Error::Search(e),
    }
}

/// The next step for a search error ([`Error::hint`]).
pub fn search_hint(e: &SearchError) -> Option<String> {
    Some(
        match e {
            SearchError::Io { .. } => return None,
            SearchError::EmptyQuery => {
                "type at least one word, number or Chinese character; \"quotes\" group a phrase"
            }
            SearchError::Busy { .. } => {
                "another presales command is updating the index; try again in a moment"
            }
            SearchError::Write { .. } => {
                "free some disk space (or fix the folder's permissions); searches meanwhile use \
                 the previous index"
            }
            SearchError::ReadOnly { .. } => {
                "searches still work, read-only; rebuild the index where the store can be written"
            }
            SearchError::Symlink { .. } => {
                "remove the link; the index is rebuilt by the next search"
            }
            SearchError::Tantivy { .. }
            | SearchError::Manifest { .. }
            | SearchError::Corrupt { .. } => {
                "run `presales reindex` to rebuild the search index from the record files"
            }
        }
        .into(),
    )
}

/// What a sync is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Bring the index up to date before a search.
    Update,
    /// `presales reindex`: a new index from every record; failing to write is an error.
    Reindex,
    /// A search found the index damaged: rebuild it, or search one in memory.
    Repair,
}

/// Opens the index syncing only records of `kinds`: the other kinds keep what the index
/// has, so `kb search` looks at kb/ alone instead of stat-ing every request too.
pub fn open_synced_kinds(store: &Store, kinds: &[Kind], progress: Progress) -> Result<Synced> {
    sync(store, Mode::Update, progress, kinds)
}

/// Builds a new index from every record file and switches to it (`presales reindex`); the
/// previous one is searchable until then, and kept if the new one cannot be written.
pub fn rebuild(store: &Store, progress: Progress) -> Result<Synced> {
    sync(store, Mode::Reindex, progress, &INDEXED)
}

fn sync(store: &Store, mode: Mode, progress: Progress, kinds: &[Kind]) -> Result<Synced> {
    let start = Instant::now();
    // Refuses a symlinked .presales or .presales/index: never written or deleted through.
    let dir = store.derived_path(INDEX_DIR)?;
    let shown = store.display_path(&dir);
    let mut index = SearchIndex::open(&dir).map_err(search_error)?;
    match mode {
        Mode::Update => {}
        Mode::Reindex => index.request_rebuild(Rebuild::Requested),
        Mode::Repair => index.request_rebuild(Rebuild::Damaged),
    }
    // Only the kinds synced are read (a kb search reads the articles' fingerprints alone);
    // a kind whose fingerprints turn out unreadable makes this sync a rebuild.
    let previous: Vec<Arc<Fingerprints>> = kinds
        .iter()
        .map(|k| index.indexed_fingerprints(k.noun()))
        .collect();
    let rebuilding = index.was_rebuilt();
    let empty = Fingerprints::default();
    let scanned: Vec<(Kind, &Fingerprints)> = kinds
        .iter()
        .zip(&previous)
        .map(|(k, p)| (*k, if rebuilding { &empty } else { p.as_ref() }))
        .collect();
    let mut problems = Vec::new();
    let Listed { sources, mut docs } =
        list_sources(store, &scanned, &mut problems, &mut |done, total| {
            progress(Phase::Scan, done, total, rebuilding)
        })?;
    drop(scanned);
    drop(previous);
    // Kinds not synced this time stay as indexed (untouched, not even read): counted from
    // the manifest.
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    for kind in INDEXED {
        let n = match kinds.iter().position(|k| *k == kind) {
            Some(i) => sources[i].len(),
            None => index.indexed_count(kind.noun()),
        };
        if n > 0 {
            counts.insert(kind.noun(), n);
        }
    }
    let listed: Vec<(&str, &[SourceEntry])> = kinds
        .iter()
        .zip(&sources)
        .map(|(k, s)| (k.noun(), s.as_slice()))
        .collect();
    let mut warnings = Vec::new();
    let mut notes = Vec::new();
    let mut load_errors = Vec::new();
    // Records read while listing come from `docs`; any other (a rebuild needs every record,
    // kinds not scanned included) is read now. Only listing errors are reported as
    // problems: a record of another kind that is gone simply drops out.
    let mut load = |id: &str| match docs.remove(id) {
        Some(Ok(doc)) => Ok(doc),
        Some(Err(e)) => {
            let message = e.to_string();
            load_errors.push(e);
            Err(message)
        }
        None => RecordId::parse(id)
            .map_err(|e| e.to_string())
            .and_then(|rid| load_doc(store, &rid).map_err(|e| e.to_string()))
            .map(|(doc, _)| doc),
    };
    let mut index_progress = |done, total| progress(Phase::Index, done, total, rebuilding);
    let stats = match index.sync(&listed, &mut load, &mut index_progress) {
        Ok(stats) => stats,
        Err(e @ (SearchError::ReadOnly { .. } | SearchError::Write { .. }))
            if mode == Mode::Reindex =>
        {
            let kept = if index.is_usable() {
                "; the previous index is kept"
            } else {
                ""
            };
            return Err(Error::invalid_with_hint(
                format!("{}{kept}", cannot_write(&e, &shown)),
                if matches!(e, SearchError::ReadOnly { .. }) {
                    "searches still work, read-only; rebuild the index where the store can be written"
                } else {
                    "free some disk space (or fix the folder's permissions) and run it again; \
                     searches meanwhile use the previous index"
                },
            ));
        }
        Err(e) if mode == Mode::Reindex => return Err(search_error(e)),
        Err(
            e @ (SearchError::Busy { .. }
            | SearchError::ReadOnly { .. }
            | SearchError::Write { .. }),
        ) if index.is_usable() => {
            warnings.push(stale_warning(&e, &shown));
            SyncStats::default()
        }
        Err(
            e @ (SearchError::Busy { .. }
            | SearchError::ReadOnly { .. }
            | SearchError::Write { .. }),
        ) => {
            // Nothing complete to search and nothing can be written now: build an index in
            // memory for this one search rather than answer from nothing.
            index = SearchIndex::in_memory().map_err(search_error)?;
            let stats = index
                .sync(&listed, &mut load, &mut index_progress)
                .map_err(search_error)?;
            notes.push(format!(
                "{}; searched an index built in memory",
                cannot_write(&e, &shown)
            ));
            stats
        }
        Err(e) => return Err(search_error(e)),
    };
    if stats.damaged {
        notes.push(format!(
            "the search index ({}) was damaged; rebuilt it from the record files",
            shown.display()
        ));
    }
    problems.extend(load_errors);
    let documents = index.num_docs();
    Ok(Synced {
        index,
        stats,
        problems,
        warnings,
        notes,
        elapsed: start.elapsed(),
        documents,
        listed: counts,
    })
}

/// Why the index could not be written, as the start of one sentence.
fn cannot_write(e: &SearchError, shown: &std::path::Path) -> String {
    match e {
        SearchError::Busy { waited, .. } => format!(
            "another presales command held the search index for {} s",
            waited.as_secs()
        ),
        SearchError::ReadOnly { .. } => {
            format!("the search index ({}) cannot be written", shown.display())
        }
        SearchError::Write { source, .. } => format!(
            "could not write the search index ({}): {}",
            shown.display(),
            crate::search::plain_io(source)
        ),
        e => e.to_string(),
    }
}

/// One line for a complete index searched without the latest changes.
fn stale_warning(e: &SearchError, shown: &std::path::Path) -> String {
    let changes = match e.pending() {
        Some(1) => "1 changed record".to_string(),
        Some(n) => format!("{n} changed records"),
        None => "the latest changes".to_string(),
    };
    format!(
        "{}; searched the previous index, without {changes}",
        cannot_write(e, shown)
    )
}

struct Listed {
    /// Per kind, in the order asked for.
    sources: Vec<Vec<SourceEntry>>,
    /// Documents of the records whose fingerprint changed, read while listing (each changed
    /// file is parsed once); errors for the ones that do not parse.
    docs: HashMap<String, Result<Doc>>,
}

/// Lists every record of the given kinds with its fingerprint `doc1 <size mtime>` (the path
/// is a function of the ID, which is the key) followed, when it has a body file, by
/// `\n<body path>\n<its fingerprint or "missing">`. A record whose file fingerprint is
/// unchanged from its kind's `previous` takes its body path from the previous fingerprint; a
/// changed one is parsed to learn it (and its document is kept for the sync).
fn list_sources(
    store: &Store,
    kinds: &[(Kind, &Fingerprints)],
    problems: &mut Vec<Error>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Listed> {
    use rayon::prelude::*;
    let files = kinds
        .iter()
        .map(|(kind, _)| store.record_fingerprints(*kind, DOC_FORMAT))
        .collect::<Result<Vec<_>>>()?;
    let total = files.iter().map(Vec::len).sum();
    progress(0, total);
    let mut done = 0;
    let mut sources = Vec::with_capacity(kinds.len());
    let mut docs = HashMap::new();
    for ((_, previous), files) in kinds.iter().zip(files) {
        // Each record's previous fingerprint, found in one pass (the listing is in ID
        // order). A record whose file is unchanged and that has no body file (its
        // fingerprint was its file's alone) is done there; the others (a body file to stat,
        // a record to parse) are worked on every core, a slice at a time so that a first
        // build still shows its progress.
        let mut lookup = previous.lookup();
        let mut listed = Vec::with_capacity(files.len());
        let mut pending: Vec<(usize, RecordId, String, Option<&str>)> = Vec::new();
        for (id, head) in files {
            let prev = lookup.get(id.as_str());
            if prev == Some(head.as_str()) {
                listed.push(SourceEntry {
                    id: id.into_string(),
                    fingerprint: head,
                });
            } else {
                listed.push(SourceEntry {
                    id: id.to_string(),
                    fingerprint: String::new(),
                });
                pending.push((listed.len() - 1, id, head, prev));
            }
        }
        done += listed.len() - pending.len();
        progress(done, total);
        for slice in pending.chunks_mut(PARSED_AT_ONCE) {
            // An indexed collect: each result written in its place, none gathered.
            let found: Vec<Result<Found>> = slice
                .par_iter_mut()
                .map(|(_, id, head, prev)| fingerprint(store, id, std::mem::take(head), *prev))
                .collect();
            for ((i, ..), found) in slice.iter().zip(found) {
                let found = found?;
                let entry = &mut listed[*i];
                if let Some(doc) = found.doc {
                    docs.insert(entry.id.clone(), doc);
                }
                problems.extend(found.problem);
                entry.fingerprint = found.fingerprint;
            }
            done += slice.len();
            progress(done, total);
        }
        sources.push(listed);
    }
    Ok(Listed { sources, docs })
}

/// How many records [`list_sources`] takes on at once between two reports of progress.
const PARSED_AT_ONCE: usize = 4096;

/// What [`fingerprint`] learns of one record.
struct Found {
    fingerprint: String,
    /// Its document, read when the record (or its body file) changed.
    doc: Option<Result<Doc>>,
    /// Its body file is missing.
    problem: Option<Error>,
}

/// The fingerprint of one record (see [`list_sources`]) from its file's `head` and the
/// fingerprint indexed before, parsing the record when it changed.
fn fingerprint(store: &Store, id: &RecordId, head: String, prev: Option<&str>) -> Result<Found> {
    let mut doc = None;
    let body_rel = match prev.and_then(|p| p.split_once('\n').or(Some((p, "")))) {
        Some((prev_head, rest)) if prev_head == head.as_str() => rest
            .split('\n')
            .next()
            .filter(|r| !r.is_empty())
            .map(str::to_string),
        _ => {
            let loaded = load_doc(store, id);
            let rel = loaded.as_ref().ok().and_then(|(_, rel)| rel.clone());
            doc = Some(loaded.map(|(d, _)| d));
            rel
        }
    };
    let mut fingerprint = head;
    let mut problem = None;
    if let Some(rel) = body_rel {
        let body_fp = match store.repo_path(&rel) {
            Ok(p) => store.fingerprint(&p)?,
            Err(_) => None,
        };
        if body_fp.is_none() {
            problem = Some(missing_body(id, &rel));
        }
        fingerprint.push('\n');
        fingerprint.push_str(&rel);
        fingerprint.push('\n');
        fingerprint.push_str(body_fp.as_deref().unwrap_or("missing"));
    }
    // A changed fingerprint means the record is loaded by the sync; make sure its
    // document is at hand even when the body file alone changed.
    if prev != Some(fingerprint.as_str()) && doc.is_none() {
        doc = Some(load_doc(store, id).map(|(d, _)| d));
    }
    Ok(Found {
        fingerprint,
        doc,
        problem,
    })
}

fn missing_body(id: &RecordId, rel: &str) -> Error {
    let field = if id.kind() == Kind::Solution {
        "plan_file"
    } else {
        "body_file"
    };
    Error::invalid_with_hint(
        format!("{id}: {field} `{rel}` does not exist; indexed without its text"),
        format!(
            "restore {rel} (e.g. from git), or fix {field} in {}",
            Store::rel_path(id).display()
        ),
    )
}

/// Reads a body file; a missing one reads as empty (the listing reports it).
fn body_file_text(store: &Store, rel: &str) -> Result<String> {
    match store.read_repo_file(rel) {
        Ok(text) => Ok(text),
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            Ok(String::new())
        }
        Err(Error::Invalid { .. }) => Ok(String::new()),
        Err(e) => Err(e),
    }
}

/// Reads a record into a search document, with the body file it points to, if any.
fn load_doc(store: &Store, id: &RecordId) -> Result<(Doc, Option<String>)> {
    match id.kind() {
        Kind::Article => {
            let a: Article = store.load(id)?;
            let body = match (&a.body, &a.body_file) {
                (Some(b), _) => b.clone(),
                (None, Some(rel)) => body_file_text(store, rel)?,
                (None, None) => String::new(),
            };
            let rel = a.body.is_none().then(|| a.body_file.clone()).flatten();
            Ok((article_doc(&a, body), rel))
        }
        Kind::Request => {
            let r: Request = store.load(id)?;
            Ok((request_doc(&r), None))
        }
        Kind::Solution => {
            let s: Solution = store.load(id)?;
            let plan = match (&s.plan, &s.plan_file) {
                (Some(p), _) => p.clone(),
                (None, Some(rel)) => body_file_text(store, rel)?,
                (None, None) => String::new(),
            };
            let rel = s.plan.is_none().then(|| s.plan_file.clone()).flatten();
            Ok((solution_doc(&s, plan), rel))
        }
        Kind::Customer => {
            let c: Customer = store.load(id)?;
            Ok((customer_doc(&c), None))
        }
        Kind::Gap => {
            let g: crate::model::Gap = store.load(id)?;
            Ok((gap_doc(&g), None))
        }
        Kind::Training => {
            let t: crate::model::Training = store.load(id)?;
            Ok((training_doc(&t), None))
        }
    }
}

/// Products and tags are appended to the text so a search for them finds the record.
fn with_keywords(mut body: String, products: &[String], tags: &[String]) -> String {
    if !products.is_empty() || !tags.is_empty() {
        body.push_str("\n\n");
        body.push_str(
            &products
                .iter()
                .chain(tags)
                .cloned()
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    body
}

/// The search document of an article: its summary and other names first, then the
/// readable text of its body (link targets, image paths and comments left out). Pure.
pub fn article_doc(a: &Article, body: String) -> Doc {
    let mut text = String::new();
    for part in a.summary.iter().chain(&a.aliases) {
        text.push_str(part);
        text.push('\n');
    }
    text.push_str(&crate::search::text::plain(&body));
    Doc {
        id: a.id.clone(),
        kind: Kind::Article.noun().into(),
        title: a.title.clone(),
        body: with_keywords(text, &a.products, &a.tags),
        category: Some(a.category.as_str().into()),
        status: Some(a.status.as_str().into()),
        products: a.products.clone(),
        tags: a.tags.clone(),
        confidential: a.confidential,
    }
}

/// The search document of a request: description, assessment notes, demo notes and
/// feedback, comments, closing summary. Category = type, status = stage. Pure.
pub fn request_doc(r: &Request) -> Doc {
    let mut parts: Vec<&str> = Vec::new();
    parts.extend(r.description.as_deref());
    parts.extend(r.assessment.as_ref().and_then(|a| a.notes.as_deref()));
    for d in &r.demos {
        parts.extend(d.notes.as_deref());
        parts.extend(d.feedback.iter().map(|f| f.text.as_str()));
    }
    for e in &r.history {
        if e.action == crate::model::Action::Comment.as_str() {
            parts.extend(e.note.as_deref());
        }
    }
    parts.extend(r.summary.as_deref());
    Doc {
        id: r.id.clone(),
        kind: Kind::Request.noun().into(),
        title: r.title.clone(),
        body: with_keywords(
            crate::search::text::plain(&parts.join("\n\n")),
            &r.products,
            &r.tags,
        ),
        category: Some(r.kind.clone()),
        status: Some(r.stage.clone()),
        products: r.products.clone(),
        tags: r.tags.clone(),
        confidential: r.confidential,
    }
}

/// The search document of a solution: technical plan and risks. Status = approved or
/// draft. Pure.
pub fn solution_doc(s: &Solution, plan: String) -> Doc {
    let mut body = crate::search::text::plain(&plan);
    for r in &s.risks {
        body.push_str("\n\n");
        body.push_str(&r.description);
        if !r.mitigation.is_empty() {
            body.push('\n');
            body.push_str(&r.mitigation);
        }
    }
    Doc {
        id: s.id.clone(),
        kind: Kind::Solution.noun().into(),
        title: s.title.clone(),
        body,
        category: None,
        status: Some(
            if s.approval.is_some() {
                "approved"
            } else {
                "draft"
            }
            .into(),
        ),
        products: Vec::new(),
        tags: Vec::new(),
        confidential: false,
    }
}

/// The search document of a customer (客户档案): the name as title; industry, region,
/// contacts and notes as text. Pure.
pub fn customer_doc(c: &Customer) -> Doc {
    let mut parts: Vec<String> = Vec::new();
    parts.extend(c.industry.clone());
    parts.extend(c.region.clone());
    for contact in &c.contacts {
        let mut line = contact.name.clone();
        for extra in contact.title.iter().chain(&contact.email) {
            line.push(' ');
            line.push_str(extra);
        }
        parts.push(line);
    }
    parts.extend(c.notes.clone());
    Doc {
        id: c.id.clone(),
        kind: Kind::Customer.noun().into(),
        title: c.name.clone(),
        body: parts.join("\n"),
        category: c.industry.clone(),
        status: None,
        products: Vec::new(),
        tags: Vec::new(),
        confidential: c.confidential,
    }
}

/// The search document of a product gap (产品差距): the title; description, area and the
/// engineering reference as text. Category = product, status = the gap's status (`merged`
/// once merged). Never confidential: a gap names a product, not a customer. Pure.
pub fn gap_doc(g: &crate::model::Gap) -> Doc {
    let mut parts: Vec<String> = Vec::new();
    parts.extend(g.description.clone());
    parts.extend(g.area.clone());
    parts.extend(g.reference.clone());
    Doc {
        id: g.id.clone(),
        kind: Kind::Gap.noun().into(),
        title: g.title.clone(),
        body: with_keywords(
            crate::search::text::plain(&parts.join("\n\n")),
            std::slice::from_ref(&g.product),
            &[],
        ),
        category: Some(g.product.clone()),
        status: Some(if g.merged_into.is_some() {
            "merged".into()
        } else {
            g.status.as_str().into()
        }),
        products: vec![g.product.clone()],
        tags: Vec::new(),
        confidential: false,
    }
}

/// The search document of a training session (培训计划): the title; topics, place and note
/// as text. Category = the training's kind; no status. Never confidential: a training names
/// members and subjects, not customers. Pure.
pub fn training_doc(t: &crate::model::Training) -> Doc {
    let mut parts: Vec<String> = t.topics.clone();
    parts.extend(t.place.clone());
    parts.extend(t.note.clone());
    Doc {
        id: t.id.clone(),
        kind: Kind::Training.noun().into(),
        title: t.title.clone(),
        body: crate::search::text::plain(&parts.join("\n\n")),
        category: Some(t.kind.as_str().into()),
        status: None,
        products: Vec::new(),
        tags: t.topics.clone(),
        confidential: false,
    }
}

/// Searches, syncing first. If the index turns out damaged while searching, it is rebuilt
/// (or, when it cannot be written, built in memory) and the search run once more, so the
/// answer is never an error or an answer from a damaged index.
///
/// The flag says whether the search was answered: its best hit (confidential or not)
/// matches at least half of the query.
pub fn search(
    store: &Store,
    q: &SearchQuery,
    progress: Progress,
) -> Result<(Synced, Vec<Hit>, bool)> {
    // Reject an empty query before touching the index.
    crate::search::parse_query(&q.text).map_err(search_error)?;
    // Only the kinds asked for need to be fresh.
    let kinds: Vec<Kind> = INDEXED
        .into_iter()
        .filter(|k| q.kinds.is_empty() || q.kinds.iter().any(|n| n == k.noun()))
        .collect();
    let synced = open_synced_kinds(store, &kinds, progress)?;
    // Requests of confidential customers (and their solutions) are confidential too, which
    // the index cannot know by itself: ask for some more hits and leave those out.
    let mut asked = q.clone();
    if !q.include_confidential {
        asked.limit = q.limit.saturating_add(q.limit / 2 + 10);
    }
    let hits = match synced.index.search(&asked) {
        Ok(hits) => (synced, hits),
        Err(SearchError::Corrupt { .. }) => {
            drop(synced);
            let synced = sync(store, Mode::Repair, progress, &kinds)?;
            let hits = synced.index.search(&asked).map_err(search_error)?;
            (synced, hits)
        }
        Err(e) => return Err(search_error(e)),
    };
    let (synced, mut hits) = hits;
    let answered = hits
        .first()
        .is_some_and(|h| h.coverage.is_none_or(|c| c >= 0.5));
    if !q.include_confidential {
        hits.retain(|h| !confidential_by_link(store, h));
    }
    hits.truncate(q.limit);
    Ok((synced, hits, answered))
}

/// A request of a confidential customer, or a solution of a confidential request (or of
/// one of a confidential customer). A record that cannot be read counts as confidential:
/// leaving one out is the safe mistake.
fn confidential_by_link(store: &Store, hit: &Hit) -> bool {
    let Ok(id) = RecordId::parse(&hit.id) else {
        return false;
    };
    let request = match id.kind() {
        Kind::Request => store.load::<Request>(&id).ok(),
        Kind::Solution => store
            .load::<Solution>(&id)
            .ok()
            .and_then(|s| RecordId::parse(&s.request).ok())
            .and_then(|r| store.load::<Request>(&r).ok()),
        _ => return false,
    };
    let Some(r) = request else { return true };
    r.confidential
        || RecordId::parse(&r.customer)
            .ok()
            .and_then(|c| store.load::<Customer>(&c).ok())
            .is_none_or(|c| c.confidential)
}

/// The text `kb suggest` ranks articles by: a request's title, description and products.
pub fn request_text(r: &Request) -> String {
    let mut text = r.title.clone();
    for part in r.description.iter().chain(&r.products).chain(&r.tags) {
        text.push('\n');
        text.push_str(part);
    }
    text
}

/// Articles related to a request, best first; archived ones are left out.
pub fn suggest(
    store: &Store,
    request: &Request,
    limit: usize,
    progress: Progress,
) -> Result<(Synced, Vec<Hit>)> {
    let text = request_text(request);
    let synced = open_synced_kinds(store, &[Kind::Article], progress)?;
    match synced.index.suggest(&text, limit) {
        Ok(hits) => Ok((synced, hits)),
        Err(SearchError::Corrupt { .. }) => {
            drop(synced);
            let synced = sync(store, Mode::Repair, progress, &[Kind::Article])?;
            let hits = synced.index.suggest(&text, limit).map_err(search_error)?;
            Ok((synced, hits))
        }
        Err(e) => Err(search_error(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        crate::store::init(dir.path(), true).unwrap();
        let store = Store::open(dir.path().to_path_buf()).unwrap();
        (dir, store)
    }

    fn actor() -> crate::ops::Actor {
        crate::ops::Actor {
            id: "zhao.lei".into(),
            now: chrono::DateTime::parse_from_rfc3339("2026-11-27T10:00:00+08:00").unwrap(),
        }
    }

    fn new_article(store: &Store, title: &str, body: Option<&str>, file: Option<&str>) -> Article {
        let input = super::super::NewArticle {
            title: title.into(),
            category: crate::model::article::Category::Faq,
            body: body.map(str::to_string),
            body_file: file.map(|f| store.root().join(f)),
            tags: vec![],
            products: vec![],
            review_by: None,
            review_every: None,
            owner: None,
            confidential: false,
        };
        crate::ops::kb::create(store, &actor(), input).unwrap().0
    }

    fn ids(store: &Store, text: &str) -> Vec<String> {
        let (_, hits, _) = search(store, &SearchQuery::new(text), &mut |_, _, _, _| {}).unwrap();
        hits.into_iter().map(|h| h.id).collect()
    }

    fn quiet(store: &Store) -> Synced {
        open_synced_kinds(store, &INDEXED, &mut |_, _, _, _| {}).unwrap()
    }

    #[test]
    fn body_file_edits_are_seen_and_only_that_record_is_reloaded() {
        let (dir, store) = store();
        fs::create_dir_all(dir.path().join("docs")).unwrap();
        fs::write(dir.path().join("docs/a.md"), "第一版：派工原则是轮流").unwrap();
        let a = new_article(&store, "派工", None, Some("docs/a.md"));
        let b = new_article(&store, "备份", Some("数据库每天备份"), None);
        let s = quiet(&store);
        assert_eq!((s.stats.added, s.stats.rebuilt), (2, true));
        assert_eq!(ids(&store, "轮流"), vec![a.id.clone()]);

        // Same size edit still seen, by mtime (nanoseconds) or by size.
        fs::write(
            dir.path().join("docs/a.md"),
            "第二版：派工原则是抢单，不再轮流执行",
        )
        .unwrap();
        let s = quiet(&store);
        assert_eq!((s.stats.updated, s.stats.unchanged), (1, 1));
        assert_eq!(ids(&store, "抢单"), vec![a.id.clone()]);
        assert_eq!(ids(&store, "库"), vec![b.id]);
        let s = quiet(&store);
        assert_eq!((s.stats.updated, s.stats.unchanged), (0, 2));
    }

    #[test]
    fn missing_body_file_is_a_problem_naming_article_and_path_not_a_failure() {
        let (dir, store) = store();
        fs::write(dir.path().join("m.md"), "手册正文").unwrap();
        let a = new_article(&store, "产品手册", None, Some("m.md"));
        fs::remove_file(dir.path().join("m.md")).unwrap();
        let s = quiet(&store);
        assert_eq!(s.problems.len(), 1);
        let msg = s.problems[0].to_string();
        assert!(msg.contains(&a.id) && msg.contains("m.md"), "{msg}");
        assert_eq!(ids(&store, "手册"), vec![a.id.clone()], "title still found");
        // Reported again on every sync until fixed, then the text comes back.
        assert_eq!(quiet(&store).problems.len(), 1);
        fs::write(dir.path().join("m.md"), "恢复的正文").unwrap();
        let s = quiet(&store);
        assert!(s.problems.is_empty());
        assert_eq!(s.stats.updated, 1);
        assert_eq!(ids(&store, "恢复"), vec![a.id]);
    }

    #[test]
    fn broken_yaml_is_reported_and_others_still_indexed() {
        let (_dir, store) = store();
        let a = new_article(&store, "VPN 配置", Some("IPsec"), None);
        let b = new_article(&store, "VPN 排错", Some("IPsec"), None);
        let path = store.path_of(&RecordId::parse(&b.id).unwrap());
        fs::write(&path, "id: [broken\n").unwrap();
        let s = quiet(&store);
        assert_eq!(s.problems.len(), 1, "{:?}", s.problems);
        assert!(
            s.problems[0].to_string().contains(&b.id),
            "{}",
            s.problems[0]
        );
        assert_eq!(ids(&store, "vpn"), vec![a.id]);
    }

    #[test]
    fn rebuild_reloads_everything() {
        let (_dir, store) = store();
        new_article(&store, "VPN", Some("x"), None);
        quiet(&store);
        let s = rebuild(&store, &mut |_, _, _, _| {}).unwrap();
        assert!(s.stats.rebuilt);
        assert_eq!((s.stats.added, s.documents), (1, 1));
    }

    #[test]
    fn empty_query_is_refused_before_opening_the_index() {
        let (dir, store) = store();
        let Err(err) = search(&store, &SearchQuery::new(" ，。 "), &mut |_, _, _, _| {}) else {
            panic!("an empty query must be refused");
        };
        assert!(err.to_string().contains("no words"), "{err}");
        assert!(!dir.path().join(".presales/index").exists());
    }
}
