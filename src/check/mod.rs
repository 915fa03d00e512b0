//! Store validation: schema, places, duplicates, canonical form, references, stage guards,
//! merge conflicts; and, against a base revision, the rules of a legal change and who
//! committed each new history entry.

mod authors;
mod base;
pub mod gate;
mod records;
pub mod replay;
mod run;
mod whole;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use authors::verify as verify_authors;
pub use base::{BaseFile, check_changes};
pub use records::check_records;
pub use run::{Options, repo_prefix, run};
pub use whole::check_store;

use crate::error::Error;
use crate::model::{Customer, Kind, Record, RecordId, Request, Solution};
use crate::store::cache::Whole;
use crate::store::scan::Class;
use crate::store::{Store, Stray, yaml};

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
    text: std::sync::OnceLock<String>,
    pub record: T,
}

impl<T> Parsed<T> {
    pub fn new(path: PathBuf, text: Option<String>, record: T) -> Parsed<T> {
        let cell = std::sync::OnceLock::new();
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
    type Keys<'a> = ();
    const NAME: &'static str = match T::KIND {
        Kind::Request => "check-requests",
        Kind::Solution => "check-solutions",
        Kind::Article => "check-articles",
        Kind::Customer => "check-customers",
        Kind::Gap => "check-gaps",
        Kind::Training => "check-trainings",
    };
    fn of(full: &T) -> Self {
        Checked {
            record: full.clone(),
            rel: String::new(),
            canonical_diff: None,
        }
    }
    fn from_file(full: T, text: &str, rel: &Path) -> Self {
        let canonical_diff = match yaml::record_text(&full) {
            Ok(canonical) if canonical != text => Some(first_difference(text, &canonical)),
            _ => None,
        };
        Checked {
            record: full,
            rel: rel.to_string_lossy().replace('\\', "/"),
            canonical_diff,
        }
    }
    /// Read by a fast reader, taken only when provably what the parser reads: the file is
    /// the canonical text of the record so read, and the parser reads a record's canonical
    /// text back as that record (the round trip every write relies on). First the whole
    /// text by the canonical reader ([`crate::store::canonical`]); else the text before the
    /// history by the parser, with the history's entries as the line reader read them
    /// ([`crate::store::last_key::history_entry`]). Anything else (a file not in canonical
    /// form, a value either reader is unsure of) is parsed whole, so the verdict and the
    /// line of the first difference never depend on a fast reader.
    fn from_head(shown: &Path, text: &str) -> Option<Self> {
        let canonical = |r: &T| yaml::record_text(r).is_ok_and(|t| t == text);
        let record = crate::store::canonical::read::<T>(text)
            .filter(|r| shown.file_stem().is_some_and(|stem| stem == r.id()) && canonical(r))
            .or_else(|| {
                let mut history = Vec::new();
                let mut record: T =
                    crate::store::cache::record_from_head(shown, text, |i, entry| {
                        history.truncate(i);
                        crate::store::last_key::history_entry(entry)
                            .map(|e| history.push(e))
                            .is_some()
                    })?;
                *record.history_mut() = history;
                canonical(&record).then_some(record)
            })?;
        Some(Checked {
            record,
            rel: shown.to_string_lossy().replace('\\', "/"),
            canonical_diff: None,
        })
    }
    fn keys(&self) {}
}

/// Everything loaded once for the whole-store rules.
#[derive(Default)]
pub struct Loaded {
    pub requests: Vec<Parsed<Request>>,
    pub solutions: Vec<Parsed<Solution>>,
    pub customers: Vec<Parsed<Customer>>,
    pub gaps: Vec<Parsed<crate::model::Gap>>,
    pub trainings: Vec<Parsed<crate::model::Training>>,
    /// Article IDs present (their record type is validated by the knowledge base).
    pub articles: Vec<String>,
}

/// One file's parse, done on a worker thread.
enum ParsedFile {
    Request(Parsed<Request>),
    Solution(Parsed<Solution>),
    Customer(Parsed<Customer>),
    Gap(Parsed<crate::model::Gap>),
    Training(Parsed<crate::model::Training>),
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
            let stem = file_stem(path);
            if record.id() != stem {
                // As the whole-store check reads it: the record is left out, so its links
                // are judged alike whichever way the check runs.
                findings.push(Finding::error(
                    rel,
                    line_of_key(&text, "id"),
                    format!("id `{}` does not match the file name `{stem}`", record.id()),
                ));
                return None;
            }
            match yaml::record_text(&record) {
                Ok(canonical) if canonical != text => findings.push(Finding::error(
                    rel,
                    first_difference(&text, &canonical),
                    "not in canonical form; run `presales fmt`",
                )),
                Ok(_) => {}
                Err(e) => findings.push(Finding::error(rel, 1, e.to_string())),
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

/// Reads and parses the record files `only` (a partial check: `check PATH…`, `check
/// --base`), each judged by the lister's rule (names, places, duplicates, links, strays),
/// with parse errors and canonical form on the way; no walk of the whole store. Parsing
/// runs on every core. The whole store is [`check_store`]'s.
pub fn load(store: &Store, only: &[PathBuf]) -> (Loaded, Vec<Finding>) {
    use rayon::prelude::*;
    let mut findings = Vec::new();
    let mut loaded = Loaded::default();
    let mut to_parse: Vec<(RecordId, PathBuf, PathBuf)> = Vec::new();
    let mut rels: Vec<PathBuf> = only
        .iter()
        .map(|p| store.display_path(&store.root().join(p)))
        .collect();
    rels.sort();
    rels.dedup();
    for rel in rels {
        match store.classify_path(&rel) {
            Some(Class::Record(id)) => to_parse.push((id, store.root().join(&rel), rel)),
            Some(Class::Stray(kind)) => findings.push(stray_finding(&Stray { path: rel, kind })),
            Some(Class::Keep) | None => {}
        }
    }
    loaded.articles = to_parse
        .iter()
        .filter(|(id, _, _)| id.kind() == Kind::Article)
        .map(|(id, _, _)| id.to_string())
        .collect();
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
                Kind::Gap => parse_one(&path, &rel, text, &mut f).map(ParsedFile::Gap),
                Kind::Training => parse_one(&path, &rel, text, &mut f).map(ParsedFile::Training),
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
            ParsedFile::Gap(p) => loaded.gaps.push(p),
            ParsedFile::Training(p) => loaded.trainings.push(p),
            ParsedFile::Article(p) => check_article(store, &p, &mut findings),
            ParsedFile::Failed => {}
        }
    }
    (loaded, findings)
}

fn check_article(store: &Store, p: &Parsed<crate::model::Article>, findings: &mut Vec<Finding>) {
    let rel = store.display_path(&p.path);
    if let Some(bf) = &p.record.body_file {
        findings.extend(named_file(store, &rel, p.text(), "body_file", bf));
    }
    for a in &p.record.attachments {
        findings.extend(named_file(store, &rel, p.text(), "attachments", a));
    }
}

/// A file a record names (`body_file`, `plan_file`, an attachment) must be a real file
/// inside the store, reached without a symbolic link ([`Store::check_path`]).
fn named_file(store: &Store, rel: &Path, text: &str, field: &str, value: &str) -> Option<Finding> {
    let line = line_of_key(text, field);
    let problem = match store.check_path(Path::new(value.trim())) {
        Err(refusal) => format!("{field}: {}; {}", refusal.message(value), refusal.fix()),
        Ok(path) => match std::fs::symlink_metadata(&path) {
            Ok(m) if m.is_file() => return None,
            Ok(_) => format!("{field} `{value}` is not a file"),
            Err(_) => format!(
                "{field} `{value}` does not exist in the store; restore it (e.g. from git) or \
                 fix {field}"
            ),
        },
    };
    Some(Finding::error(rel, line, problem))
}

/// A stray of a record folder as a finding: what it is and the fix.
fn stray_finding(s: &Stray) -> Finding {
    Finding {
        path: s.path.clone(),
        line: 1,
        column: 1,
        severity: if s.is_error() {
            Severity::Error
        } else {
            Severity::Warning
        },
        message: format!("{}; {}", s.message(), s.fix()),
    }
}

/// What lies around the records: links at or inside `.presales/` (never followed), files
/// git tracks under `.presales/` (derived data, rebuilt by every clone), and the lines
/// `.gitignore` lacks.
pub fn store_findings(store: &Store) -> Vec<Finding> {
    let mut findings = Vec::new();
    let derived = Path::new(crate::store::CACHE_DIR);
    let link = |path: &Path| Finding {
        path: path.to_path_buf(),
        line: 1,
        column: 1,
        severity: Severity::Error,
        message: format!(
            "a symbolic link: presales keeps derived data here and never writes or deletes \
             through a link; remove it (if git tracks it: `git rm --cached {}`)",
            crate::store::slash_path(path)
        ),
    };
    match std::fs::symlink_metadata(store.root().join(derived)) {
        Ok(m) if m.file_type().is_symlink() => findings.push(link(derived)),
        Ok(m) if m.is_dir() => {
            if let Ok(entries) = std::fs::read_dir(store.root().join(derived)) {
                for e in entries.flatten() {
                    if e.file_type().is_ok_and(|t| t.is_symlink()) {
                        findings.push(link(&derived.join(e.file_name())));
                    }
                }
            }
        }
        _ => {}
    }
    if let Ok(tracked) = crate::git::tracked(store.root(), derived)
        && let Some(first) = tracked.first()
    {
        findings.push(Finding::error(
            derived,
            1,
            format!(
                "git tracks {} file(s) of the derived data under {}/ ({}{}); run `git rm -r \
                 --cached {}` and commit (`.gitignore` keeps them out)",
                tracked.len(),
                crate::store::CACHE_DIR,
                crate::store::slash_path(first),
                if tracked.len() > 1 { ", …" } else { "" },
                crate::store::CACHE_DIR,
            ),
        ));
    }
    if let Ok(text) = store.read_gitignore() {
        for line in crate::store::missing_gitignore_lines(&text) {
            findings.push(Finding {
                path: PathBuf::from(".gitignore"),
                line: 1,
                column: 1,
                severity: Severity::Warning,
                message: format!(
                    "`{line}` is missing: {}; run `presales migrate` (or add the line)",
                    if line.starts_with(".presales-tmp") {
                        "temp files of interrupted writes could be committed"
                    } else {
                        "the derived caches could be committed"
                    }
                ),
            });
        }
    }
    findings
}

fn file_stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default()
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

/// The merge driver's conflicts a record carries; the file's text (`text`) is read only
/// when there are some, for the line.
fn conflicts<'t>(
    text: impl FnOnce() -> &'t str,
    extra: &crate::model::Extra,
    push: &mut impl FnMut(u64, String),
) {
    let Some(list) = extra.get(CONFLICTS_KEY).and_then(|v| v.as_array()) else {
        return;
    };
    let line = line_of_key(text(), CONFLICTS_KEY);
    for c in list {
        push(
            line,
            format!(
                "merge conflict on `{}`: ours = {}, theirs = {}; keep one, remove {CONFLICTS_KEY}",
                c.get("field").and_then(|f| f.as_str()).unwrap_or("?"),
                c.get("ours").map(|v| v.to_string()).unwrap_or_default(),
                c.get("theirs").map(|v| v.to_string()).unwrap_or_default()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Article, Gap, Training};
    use crate::store::cache::Summary;

    /// Every record of one kind in the demo store (canonical files, as commands write them):
    /// read from its head and its entries as the whole parse reads it, in canonical form;
    /// any change to the text sends the file to the whole parse.
    fn from_head_as_whole<T: Record + std::fmt::Debug + PartialEq + Send + Sync + 'static>() -> usize
    {
        let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo");
        let mut seen = 0;
        for entry in walkdir::WalkDir::new(demo.join(T::KIND.dir())) {
            let path = entry.unwrap().into_path();
            if path.extension().is_none_or(|e| e != "yaml") {
                continue;
            }
            let rel = path.strip_prefix(&demo).unwrap();
            let text = std::fs::read_to_string(&path).unwrap();
            let whole: T = yaml::parse(rel, &text).unwrap();
            // The canonical reader reads it whole, as the parser does.
            let fast = crate::store::canonical::read::<T>(&text);
            assert_eq!(fast.as_ref(), Some(&whole), "{}", rel.display());
            let head = Checked::<T>::from_head(rel, &text)
                .unwrap_or_else(|| panic!("{} not read from its head", rel.display()));
            assert_eq!(head.record, whole, "{}", rel.display());
            assert_eq!(head.canonical_diff, None);
            assert_eq!(head.rel, crate::store::slash_path(rel));
            let last_at = text.rfind("\n- at: ").unwrap();
            let by = text.rfind("\n  by: ").unwrap() + 7;
            let by_end = by + text[by..].find('\n').unwrap();
            let by_value = &text[by..by_end];
            let requoted = match by_value.strip_prefix('"') {
                Some(quoted) => quoted.trim_end_matches('"').to_string(),
                None => format!("\"{by_value}\""),
            };
            for changed in [
                // Not canonical, each in a way the line reader takes: a Windows checkout,
                // the last `by` quoted when it need not be (or the other way), a key of the
                // last entry moved first.
                text.replace('\n', "\r\n"),
                format!("{}{requoted}{}", &text[..by], &text[by_end..]),
                format!(
                    "{}\n- x_1: a\n  at: {}",
                    &text[..last_at],
                    &text[last_at + 7..]
                ),
                // Damaged: the last entry without its time.
                format!("{}\n- by: {}", &text[..last_at], &text[last_at + 7..]),
            ] {
                assert!(
                    Checked::<T>::from_head(rel, &changed).is_none(),
                    "{}: {changed}",
                    rel.display()
                );
            }
            seen += 1;
        }
        seen
    }

    /// Whatever a record file holds, a record read from its head is the whole parse's, in
    /// canonical form: the demo's requests and solutions with one edit anywhere.
    fn from_head_is_sound<T: Record + std::fmt::Debug + PartialEq + Send + Sync + 'static>(
        rel: &Path,
        text: &str,
    ) -> Result<(), proptest::test_runner::TestCaseError> {
        let Some(head) = Checked::<T>::from_head(rel, text) else {
            return Ok(());
        };
        let whole = yaml::parse::<T>(rel, text)
            .map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{e}: {text}")))?;
        proptest::prop_assert_eq!(&head.record, &whole, "{}", text);
        proptest::prop_assert_eq!(head.canonical_diff, None);
        proptest::prop_assert_eq!(yaml::record_text(&whole).unwrap(), text);
        Ok(())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        #[test]
        fn a_record_read_from_its_head_is_the_whole_parse(
            file in 0usize..64,
            at in 0usize..100_000,
            edit in proptest::sample::select(vec![
                " ", "\t", "#", ":", ": ", "'", "\"", "\\", "-", "- ", "\n", "\r", "\n  ",
                "  ", "|", "*a", "&a ", "!!str ", "\u{85}", "x: 1\n", "1e3", "{", "[", "---\n",
                "? ", "~", "yes", "0x1F", "note: a\n", "  - b\n", "- at: x\n", "",
            ]),
            cut in 0usize..3,
        ) {
            let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo");
            let mut files: Vec<_> = ["requests", "solutions"]
                .iter()
                .flat_map(|d| walkdir::WalkDir::new(demo.join(d)))
                .map(|e| e.unwrap().into_path())
                .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
                .collect();
            files.sort();
            let path = &files[file % files.len()];
            let rel = path.strip_prefix(&demo).unwrap();
            let text = std::fs::read_to_string(path).unwrap();
            // One edit at a character boundary: `edit` inserted, replacing `cut` characters.
            let mut at = at % text.len();
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let rest: String = text[at..].chars().skip(cut).collect();
            let changed = format!("{}{edit}{rest}", &text[..at]);
            if rel.starts_with(Kind::Solution.dir()) {
                from_head_is_sound::<Solution>(rel, &changed)?;
            } else {
                from_head_is_sound::<Request>(rel, &changed)?;
            }
        }
    }

    #[test]
    fn canonical_records_are_read_from_their_head_as_the_whole_parse_reads_them() {
        assert!(from_head_as_whole::<Request>() >= 5);
        assert!(from_head_as_whole::<Solution>() >= 2);
        assert!(from_head_as_whole::<Article>() >= 2);
        assert!(from_head_as_whole::<Customer>() >= 2);
        assert!(from_head_as_whole::<Gap>() >= 1);
        assert!(from_head_as_whole::<Training>() >= 1);
    }
}
