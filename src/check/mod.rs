//! Store validation: schema, places, duplicates, canonical form, references, stage guards,
//! merge conflicts; and, against a base revision, the rules of a legal change and who
//! committed each new history entry.

mod authors;
mod base;
pub mod gate;
pub mod replay;

use std::collections::{BTreeMap, HashMap, HashSet};

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use authors::verify as verify_authors;
pub use base::{BaseFile, check_changes};

use crate::config::Role;
use crate::error::Error;
use crate::model::{Customer, Kind, Record, RecordId, Request, Solution};
use crate::store::cache::Whole;
use crate::store::{Store, yaml};
use crate::workflow::{CLOSED, Facts, Guard};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, located in a file of the store.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    /// Relative to the store root.
    pub path: PathBuf,
    pub line: u64,
    pub column: u64,
    pub severity: Severity,
    pub message: String,
}

impl Finding {
    pub fn error(path: &Path, line: u64, message: impl Into<String>) -> Finding {
        Finding {
            path: path.to_path_buf(),
            line,
            column: 1,
            severity: Severity::Error,
            message: message.into(),
        }
    }

    fn from_error(path: &Path, e: &Error) -> Finding {
        match e {
            Error::Parse {
                path,
                line,
                column,
                message,
                ..
            } => Finding {
                path: path.clone(),
                line: *line,
                column: *column,
                severity: Severity::Error,
                message: message.clone(),
            },
            other => Finding::error(path, 1, other.to_string()),
        }
    }
}

/// The line (1-based) of a top-level key, or 1.
pub fn line_of_key(text: &str, key: &str) -> u64 {
    let prefix = format!("{key}:");
    text.lines()
        .position(|l| l.starts_with(&prefix))
        .map_or(1, |i| i as u64 + 1)
}

/// The line of the `n`-th (0-based) history entry, or of `history:`.
pub fn line_of_history_entry(text: &str, n: usize) -> u64 {
    let start = line_of_key(text, "history") as usize;
    text.lines()
        .enumerate()
        .skip(start)
        .filter(|(_, l)| l.starts_with("- "))
        .nth(n)
        .map_or(start as u64, |(i, _)| i as u64 + 1)
}

/// A parsed record with its file, as `check` needs it.
pub struct Parsed<T> {
    pub path: PathBuf,
    /// The file's text, read only when a finding needs a line number (records that come
    /// from the parse cache are not read at all).
    text: std::cell::OnceCell<String>,
    pub record: T,
}

impl<T> Parsed<T> {
    pub fn new(path: PathBuf, text: Option<String>, record: T) -> Parsed<T> {
        let cell = std::cell::OnceCell::new();
        if let Some(t) = text {
            let _ = cell.set(t);
        }
        Parsed {
            path,
            text: cell,
            record,
        }
    }

    pub fn text(&self) -> &str {
        self.text
            .get_or_init(|| std::fs::read_to_string(&self.path).unwrap_or_default())
    }
}

/// A record as `check` caches it: the record, where it was read, and whether (and from
/// which line) its text differs from the canonical form. Stored as JSON inside the parse
/// cache, keyed by the file's stamp like every summary.
#[derive(Clone)]
pub struct Checked<T> {
    pub record: T,
    pub rel: String,
    pub canonical_diff: Option<u64>,
}

// Stored through the cache's JSON-bytes wrapper, as a (record, path, verdict) triple.
impl<T: serde::Serialize> serde::Serialize for Checked<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Whole((&self.record, &self.rel, self.canonical_diff)).serialize(s)
    }
}

impl<'de, T: serde::de::DeserializeOwned> serde::Deserialize<'de> for Checked<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Whole((record, rel, canonical_diff)) =
            Whole::<(T, String, Option<u64>)>::deserialize(d)?;
        Ok(Checked {
            record,
            rel,
            canonical_diff,
        })
    }
}

impl<T: Record + Send + Sync + 'static> crate::store::cache::Summary for Checked<T> {
    type Full = T;
    const NAME: &'static str = match T::KIND {
        Kind::Request => "check-requests",
        Kind::Solution => "check-solutions",
        Kind::Article => "check-articles",
        Kind::Customer => "check-customers",
    };
    fn of(full: &T) -> Self {
        Checked {
            record: full.clone(),
            rel: String::new(),
            canonical_diff: None,
        }
    }
    fn from_file(full: &T, text: &str, rel: &Path) -> Self {
        let canonical_diff = match yaml::record_text(full) {
            Ok(canonical) if canonical != text => Some(first_difference(text, &canonical)),
            _ => None,
        };
        Checked {
            record: full.clone(),
            rel: rel.to_string_lossy().replace('\\', "/"),
            canonical_diff,
        }
    }
}

/// Everything loaded once for the whole-store rules.
#[derive(Default)]
pub struct Loaded {
    pub requests: Vec<Parsed<Request>>,
    pub solutions: Vec<Parsed<Solution>>,
    pub customers: Vec<Parsed<Customer>>,
    /// Article IDs present (their record type is validated by the knowledge base).
    pub articles: Vec<String>,
}

/// One file's parse, done on a worker thread.
enum ParsedFile {
    Request(Parsed<Request>),
    Solution(Parsed<Solution>),
    Customer(Parsed<Customer>),
    Article(Parsed<crate::model::Article>),
    Failed,
}

fn parse_one<T: Record>(
    path: &Path,
    rel: &Path,
    text: String,
    findings: &mut Vec<Finding>,
) -> Option<Parsed<T>> {
    match yaml::parse::<T>(rel, &text) {
        Ok(record) => {
            if record.id() != file_stem(path) {
                findings.push(Finding::error(
                    rel,
                    line_of_key(&text, "id"),
                    format!("id `{}` does not match the file name", record.id()),
                ));
            }
            match yaml::record_text(&record) {
                Ok(canonical) if canonical != text => findings.push(Finding::error(
                    rel,
                    first_difference(&text, &canonical),
                    "not in canonical form; run `presales fmt`",
                )),
                Ok(_) => {}
                Err(e) => findings.push(Finding::error(rel, 1, e)),
            }
            Some(Parsed::new(path.to_path_buf(), Some(text), record))
        }
        Err(e) => {
            findings.push(Finding::from_error(rel, &e));
            None
        }
    }
}

fn first_difference(a: &str, b: &str) -> u64 {
    a.lines()
        .zip(b.lines())
        .position(|(x, y)| x != y)
        .unwrap_or_else(|| a.lines().count().min(b.lines().count())) as u64
        + 1
}

/// Reads and parses the record files (all of them, or `only`), reporting names, places,
/// duplicates, parse errors and canonical form on the way. Parsing runs on every core.
pub fn load(store: &Store, only: Option<&[PathBuf]>) -> (Loaded, Vec<Finding>) {
    use rayon::prelude::*;
    let mut findings = Vec::new();
    let mut loaded = Loaded::default();
    // A partial check (`check PATH…`, `check --base`) looks at the files it is given and,
    // for duplicates, at the place each one's ID belongs: no walk of the whole store.
    let files = match only {
        Some(o) => {
            let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.dir()).collect();
            let mut v: Vec<PathBuf> = o
                .iter()
                .map(|p| store.root().join(p))
                .filter(|p| {
                    p.is_file()
                        && p.extension().is_some_and(|x| x == "yaml" || x == "yml")
                        && store
                            .display_path(p)
                            .components()
                            .next()
                            .is_some_and(|c| kinds.iter().any(|k| c.as_os_str() == *k))
                })
                .collect();
            v.sort();
            v.dedup();
            v
        }
        None => match store.yaml_files() {
            Ok(f) => f,
            Err(e) => {
                findings.push(Finding::error(Path::new("."), 1, e.to_string()));
                return (loaded, findings);
            }
        },
    };
    let wanted =
        |rel: &Path, path: &Path| only.is_none_or(|o| o.iter().any(|p| p == rel || p == path));
    // Where each ID lives; a duplicate is reported on the copy that is not in its place.
    let mut places: HashMap<String, Vec<PathBuf>> = HashMap::new();
    for path in &files {
        let rel = store.display_path(path);
        let stem = file_stem(path);
        let copies = places.entry(stem.clone()).or_default();
        copies.push(rel.clone());
        if only.is_some()
            && let Ok(id) = RecordId::parse(&stem)
        {
            let home = Store::rel_path(&id);
            if home != rel && store.root().join(&home).is_file() && !copies.contains(&home) {
                copies.push(home);
            }
        }
    }
    let mut to_parse: Vec<(RecordId, PathBuf, PathBuf)> = Vec::new();
    for path in files {
        let rel = store.display_path(&path);
        let stem = file_stem(&path);
        let id = match RecordId::parse(&stem) {
            Ok(id) if id.as_str() == stem => id,
            _ => {
                if wanted(&rel, &path) {
                    findings.push(Finding::error(
                        &rel,
                        1,
                        format!("`{stem}` is not a record ID; record files are named ID.yaml"),
                    ));
                }
                continue;
            }
        };
        if id.kind() == Kind::Article {
            loaded.articles.push(id.to_string());
        }
        if !wanted(&rel, &path) {
            continue;
        }
        let expected = Store::rel_path(&id);
        let copies = places.get(id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
        if rel != expected {
            findings.push(Finding::error(
                &rel,
                1,
                format!(
                    "file in the wrong place: {id} belongs at {}",
                    expected.display()
                ),
            ));
        }
        if copies.len() > 1 {
            let others: Vec<String> = copies
                .iter()
                .filter(|p| **p != rel)
                .map(|p| p.display().to_string())
                .collect();
            findings.push(Finding::error(
                &rel,
                1,
                format!("duplicate ID {id}: also in {}", others.join(", ")),
            ));
            // Only the copy in its place (or the first, if none is) is checked further.
            let keeper = copies
                .iter()
                .find(|p| **p == expected)
                .unwrap_or(&copies[0]);
            if *keeper != rel {
                continue;
            }
        }
        to_parse.push((id, path, rel));
    }
    // A whole-store check takes unchanged records from the parse cache (stamp-checked, with
    // the canonical-form verdict computed when the file was last read) and parses the rest.
    if only.is_none() {
        let want: HashSet<PathBuf> = to_parse.iter().map(|(_, _, rel)| rel.clone()).collect();
        let mut covered: HashSet<PathBuf> = HashSet::new();
        let mut cached_findings = Vec::new();
        loaded.requests = from_cache(store, &want, &mut covered, &mut cached_findings);
        loaded.solutions = from_cache(store, &want, &mut covered, &mut cached_findings);
        loaded.customers = from_cache(store, &want, &mut covered, &mut cached_findings);
        let articles: Vec<Parsed<crate::model::Article>> =
            from_cache(store, &want, &mut covered, &mut cached_findings);
        for a in &articles {
            check_article(store, a, &mut cached_findings);
        }
        findings.extend(cached_findings);
        to_parse.retain(|(_, _, rel)| !covered.contains(rel));
    }
    let results: Vec<(ParsedFile, Vec<Finding>)> = to_parse
        .into_par_iter()
        .map(|(id, path, rel)| {
            let mut f = Vec::new();
            let text = match store.read_text(&path) {
                Ok(t) => t,
                Err(e) => {
                    f.push(Finding::from_error(&rel, &e));
                    return (ParsedFile::Failed, f);
                }
            };
            let parsed = match id.kind() {
                Kind::Request => parse_one(&path, &rel, text, &mut f).map(ParsedFile::Request),
                Kind::Solution => parse_one(&path, &rel, text, &mut f).map(ParsedFile::Solution),
                Kind::Customer => parse_one(&path, &rel, text, &mut f).map(ParsedFile::Customer),
                Kind::Article => parse_one(&path, &rel, text, &mut f).map(ParsedFile::Article),
            };
            (parsed.unwrap_or(ParsedFile::Failed), f)
        })
        .collect();
    for (parsed, f) in results {
        findings.extend(f);
        match parsed {
            ParsedFile::Request(p) => loaded.requests.push(p),
            ParsedFile::Solution(p) => loaded.solutions.push(p),
            ParsedFile::Customer(p) => loaded.customers.push(p),
            ParsedFile::Article(p) => check_article(store, &p, &mut findings),
            ParsedFile::Failed => {}
        }
    }
    (loaded, findings)
}

/// Records of one kind from the parse cache, limited to the files `want`ed; parse errors
/// become findings. Every file handled here is added to `covered`.
fn from_cache<T: Record + Send + Sync + 'static>(
    store: &Store,
    want: &HashSet<PathBuf>,
    covered: &mut HashSet<PathBuf>,
    findings: &mut Vec<Finding>,
) -> Vec<Parsed<T>> {
    let (checked, errors) = store.summaries::<Checked<T>>();
    for e in errors {
        let rel = match &e {
            Error::Parse { path, .. } | Error::Io { path, .. } => path.clone(),
            _ => continue,
        };
        if want.contains(&rel) && covered.insert(rel.clone()) {
            findings.push(Finding::from_error(&rel, &e));
        }
    }
    let mut out = Vec::new();
    for c in checked {
        let rel = PathBuf::from(&c.rel);
        if !want.contains(&rel) || !covered.insert(rel.clone()) {
            continue;
        }
        if let Some(line) = c.canonical_diff {
            findings.push(Finding::error(
                &rel,
                line,
                "not in canonical form; run `presales fmt`",
            ));
        }
        out.push(Parsed::new(store.root().join(&rel), None, c.record));
    }
    out
}

fn check_article(store: &Store, p: &Parsed<crate::model::Article>, findings: &mut Vec<Finding>) {
    if let Some(bf) = &p.record.body_file
        && store.repo_path(bf).map_or(true, |f| !f.is_file())
    {
        findings.push(Finding::error(
            &store.display_path(&p.path),
            line_of_key(p.text(), "body_file"),
            format!("body_file `{bf}` does not exist in the store"),
        ));
    }
}

fn file_stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default()
}

/// The whole-store rules: references, members, stage consistency, guards, merge conflicts.
pub fn check_records(store: &Store, loaded: &Loaded, today: chrono::NaiveDate) -> Vec<Finding> {
    let mut findings = Vec::new();
    let customers: BTreeMap<&str, &Customer> = loaded
        .customers
        .iter()
        .map(|c| (c.record.id.as_str(), &c.record))
        .collect();
    let solutions: BTreeMap<&str, &Parsed<Solution>> = loaded
        .solutions
        .iter()
        .map(|s| (s.record.id.as_str(), s))
        .collect();
    let requests: BTreeMap<&str, &Parsed<Request>> = loaded
        .requests
        .iter()
        .map(|r| (r.record.id.as_str(), r))
        .collect();
    let config = &store.config;
    let member = |who: &str| config.member(who).is_some();

    for p in &loaded.requests {
        let r = &p.record;
        let rel = store.display_path(&p.path);
        let at = |key: &str| line_of_key(p.text(), key);
        let mut push = |line: u64, msg: String| findings.push(Finding::error(&rel, line, msg));
        if !customers.contains_key(r.customer.as_str())
            && !store.path_of_id(&r.customer).is_some_and(|p| p.exists())
        {
            push(
                at("customer"),
                format!("customer {} does not exist", r.customer),
            );
        }
        if let Some(sid) = &r.solution {
            match solutions.get(sid.as_str()) {
                Some(s) if s.record.request != r.id => push(
                    at("solution"),
                    format!(
                        "solution {sid} belongs to {}, not to this request",
                        s.record.request
                    ),
                ),
                Some(_) => {}
                None if store.path_of_id(sid).is_some_and(|p| p.exists()) => {}
                None => push(at("solution"), format!("solution {sid} does not exist")),
            }
        }
        for a in &r.articles {
            if !loaded.articles.contains(&a.id)
                && !store.path_of_id(&a.id).is_some_and(|p| p.exists())
            {
                push(at("articles"), format!("article {} does not exist", a.id));
            }
        }
        for (key, who) in [
            ("assignee", r.assignee.as_deref()),
            ("requested_by", r.requested_by.as_deref()),
        ] {
            if let Some(w) = who
                && !member(w)
            {
                push(
                    at(key),
                    format!("{key} `{w}` is not a team member in presales.toml"),
                );
            }
        }
        for (i, h) in r.history.iter().enumerate() {
            if !member(&h.by) && !config.members.is_empty() {
                // Old entries by people who left stay valid if they are kept as inactive members.
                push(
                    line_of_history_entry(p.text(), i),
                    format!(
                        "history entry {} is by `{}`, who is not in presales.toml (keep leavers with active = false)",
                        i + 1,
                        h.by
                    ),
                );
            }
        }
        conflicts(p.text(), &r.extra, &mut push);
        // Stage consistency: the stage is where the last move in history led.
        let last_move = r.history.iter().rev().find(|h| {
            crate::model::Action::parse(&h.action).is_move()
                || (h.action == "create" && h.to.is_some())
        });
        if let Some(m) = last_move
            && m.to.as_deref() != Some(r.stage.as_str())
        {
            push(
                at("stage"),
                format!(
                    "stage `{}` has no history entry: the last move led to `{}`; use `presales advance`",
                    r.stage,
                    m.to.as_deref().unwrap_or("?")
                ),
            );
        }
        // The current stage's guards must still hold.
        let Ok(path) = store.workflow.path(&r.kind) else {
            push(
                at("type"),
                format!(
                    "unknown request type `{}`; types: {}",
                    r.kind,
                    store.workflow.type_names().join(", ")
                ),
            );
            continue;
        };
        if !path.stages.contains(&r.stage) {
            push(
                at("stage"),
                format!(
                    "`{}` is not a stage of type `{}` ({})",
                    r.stage,
                    r.kind,
                    path.stages.join(" → ")
                ),
            );
            continue;
        }
        // In a partial check the linked solution may not be loaded: read it for the guards.
        let unloaded: Option<Solution>;
        let sol = match r.solution.as_deref().and_then(|s| solutions.get(s)) {
            Some(s) => Some(&s.record),
            None => {
                unloaded = r
                    .solution
                    .as_deref()
                    .and_then(|s| RecordId::parse(s).ok())
                    .and_then(|id| store.load::<Solution>(&id).ok());
                unloaded.as_ref()
            }
        };
        if r.stage == CLOSED {
            if r.outcome.is_none() {
                push(at("stage"), "closed without an outcome".into());
            }
            if r.summary.as_deref().is_none_or(|s| s.trim().is_empty()) {
                push(at("stage"), "closed without a summary".into());
            }
            continue;
        }
        let facts = Facts {
            request: r,
            solution: sol,
            config,
            today,
            note: None,
        };
        for g in path.guards_of(&r.stage) {
            if matches!(g, Guard::Answer | Guard::Outcome) {
                continue;
            }
            // Away today does not invalidate an assignment made before.
            for m in g.missing(&store.workflow, path, &facts) {
                push(at("stage"), format!("stage `{}` needs {m}", r.stage));
            }
        }
    }
    for p in &loaded.solutions {
        let s = &p.record;
        let rel = store.display_path(&p.path);
        let at = |key: &str| line_of_key(p.text(), key);
        let mut push = |line: u64, msg: String| findings.push(Finding::error(&rel, line, msg));
        match requests.get(s.request.as_str()) {
            Some(r)
                if r.record.solution.as_deref() != Some(s.id.as_str())
                    && s.superseded_by.is_none() =>
            {
                push(
                    at("request"),
                    format!("{} does not link back to this solution", s.request),
                )
            }
            Some(_) => {}
            None if store.path_of_id(&s.request).is_some_and(|p| p.exists()) => {}
            None => push(
                at("request"),
                format!("request {} does not exist", s.request),
            ),
        }
        let mut people: Vec<(&str, &str)> = vec![("author", s.author.as_str())];
        people.extend(
            s.resources
                .iter()
                .filter_map(|r| r.person.as_deref())
                .map(|p| ("resources", p)),
        );
        people.extend(
            s.reviews
                .iter()
                .flat_map(|r| r.verdicts.iter())
                .map(|v| ("reviews", v.reviewer.as_str())),
        );
        if let Some(a) = &s.approval {
            people.push(("approval", a.by.as_str()));
            let approver = config.member(&a.by);
            if approver.is_some_and(|m| !m.has_role(Role::Approver)) {
                push(
                    at("approval"),
                    format!("approved by `{}`, who lacks the approver role", a.by),
                );
            }
            if a.by == s.author {
                push(
                    at("approval"),
                    format!("approved by its own author `{}` (four eyes)", a.by),
                );
            }
        }
        if let Some(h) = &s.handover {
            people.push(("handover", h.to.as_str()));
        }
        for (key, who) in people {
            if !member(who) {
                push(
                    at(key),
                    format!("{key}: `{who}` is not a team member in presales.toml"),
                );
            }
        }
        if let Some(q) = &s.quotation {
            match crate::model::solution::Quotation::compute_total(&q.lines) {
                Some(total) if total == q.total => {}
                Some(total) => push(
                    at("quotation"),
                    format!(
                        "quotation total {} does not match its lines ({total})",
                        q.total
                    ),
                ),
                None => push(
                    at("quotation"),
                    "quotation lines add up to more than a decimal holds (about 7.9 × 10²⁸); fix quantities or prices".to_string(),
                ),
            }
        }
        conflicts(p.text(), &s.extra, &mut push);
    }
    for p in &loaded.customers {
        let c = &p.record;
        if let Some(o) = &c.account_owner
            && !member(o)
        {
            findings.push(Finding::error(
                &store.display_path(&p.path),
                line_of_key(p.text(), "account_owner"),
                format!("account_owner `{o}` is not a team member"),
            ));
        }
        let rel = store.display_path(&p.path);
        conflicts(p.text(), &c.extra, &mut |line, msg| {
            findings.push(Finding::error(&rel, line, msg))
        });
    }
    findings
}

/// presales.toml's problems beyond its syntax ([`crate::config::Config::problems`], found when
/// the store opened), one finding each.
pub fn config_findings(store: &Store) -> Vec<Finding> {
    store
        .config_problems
        .iter()
        .map(|p| Finding {
            path: PathBuf::from(crate::config::CONFIG_FILE),
            line: p.line,
            column: p.column,
            severity: Severity::Error,
            message: p.message.clone(),
        })
        .collect()
}

/// The key the merge driver writes when both sides changed a field differently.
pub const CONFLICTS_KEY: &str = "merge_conflicts";

fn conflicts(text: &str, extra: &crate::model::Extra, push: &mut impl FnMut(u64, String)) {
    let Some(list) = extra.get(CONFLICTS_KEY).and_then(|v| v.as_array()) else {
        return;
    };
    for c in list {
        push(
            line_of_key(text, CONFLICTS_KEY),
            format!(
                "merge conflict on `{}`: ours = {}, theirs = {}; keep one, remove {CONFLICTS_KEY}",
                c.get("field").and_then(|f| f.as_str()).unwrap_or("?"),
                c.get("ours").map(|v| v.to_string()).unwrap_or_default(),
                c.get("theirs").map(|v| v.to_string()).unwrap_or_default()
            ),
        );
    }
}
