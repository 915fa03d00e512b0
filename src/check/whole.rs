//! The whole-store check, streamed: each record's own rules run on the worker that decodes
//! it, and only what the other records' rules need of it is kept (IDs, links, and an open
//! request with its solution while their guards wait), so memory follows the store's open
//! work instead of its size.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::records::{self, Others};
use super::{Checked, Finding, Parsed, check_article, stray_finding};
use crate::error::Error;
use crate::model::{Customer, Gap, Kind, Record, RecordId, Request, Solution, Training};
use crate::store::Store;
use crate::store::cache::Stamp;

type Files = Vec<(RecordId, std::io::Result<Stamp>)>;

/// Every record rule over the whole store, with the findings of reading it (strays, parse
/// errors, canonical form). The same findings as [`super::load`] and
/// [`super::check_records`] over every record.
pub fn check_store(store: &Store, today: chrono::NaiveDate) -> Vec<Finding> {
    let mut findings = Vec::new();
    // Each kind listed once, side by side.
    let listed: Vec<(Kind, Files, Vec<Finding>)> = Kind::ALL
        .par_iter()
        .map(|&kind| match store.list_records(kind) {
            Ok(listing) => {
                let strays = listing.strays.iter().map(stray_finding).collect();
                let files = listing.records.into_iter().map(|r| (r.id, r.meta));
                (kind, files.collect(), strays)
            }
            Err(e) => {
                let at = Finding::from_error(Path::new(kind.dir()), &e);
                (kind, Vec::new(), vec![at])
            }
        })
        .collect();
    let mut files: HashMap<Kind, Files> = HashMap::new();
    for (kind, fs, strays) in listed {
        findings.extend(strays);
        files.insert(kind, fs);
    }
    let mut take = |kind: Kind| files.remove(&kind).unwrap_or_default();
    let f = &mut findings;

    // The small kinds first: what requests and solutions link to.
    let customers: HashSet<String> =
        stream(store, take(Kind::Customer), f, |p: Parsed<Customer>, f| {
            f.extend(records::customer_findings(store, &p));
            Some(p.record.id)
        })
        .into_iter()
        .collect();
    let _: Vec<()> = stream(store, take(Kind::Training), f, |p: Parsed<Training>, f| {
        f.extend(records::training_findings(store, &p));
        None
    });
    let article_files = take(Kind::Article);
    // An article is known by its file (its record type is the knowledge base's to judge).
    let articles: HashSet<String> = article_files.iter().map(|(id, _)| id.to_string()).collect();
    let _: Vec<()> = stream(
        store,
        article_files,
        f,
        |p: Parsed<crate::model::Article>, f| {
            check_article(store, &p, f);
            None
        },
    );
    let gaps: Vec<Parsed<Gap>> = stream(store, take(Kind::Gap), f, |p, _| Some(p));
    let mut known = Known {
        customers,
        articles,
        gaps: gaps
            .iter()
            .map(|g| (g.record.id.clone(), g.record.merged_into.clone()))
            .collect(),
        requests: HashMap::new(),
        solutions: HashMap::new(),
    };
    for g in &gaps {
        f.extend(records::gap_findings(store, &known, g));
    }
    drop(gaps);

    // Requests: every rule that reads no solution now; the link to a solution and an open
    // request's guards once the solutions are read.
    let requests: Vec<Kept<Request>> =
        stream(store, take(Kind::Request), f, |p: Parsed<Request>, f| {
            let (own, guarded) = records::request_own_findings(store, &known, &p);
            f.extend(own);
            let linked = p.record.solution.is_some();
            if guarded && !linked {
                f.extend(records::guard_findings(store, &known, &p, today));
            }
            Some(Kept::of(
                p,
                |r| (&r.id, r.solution.as_ref()),
                guarded && linked,
            ))
        });
    let mut waiting: Vec<Box<Parsed<Request>>> = Vec::new();
    known.requests.reserve(requests.len());
    for r in requests {
        waiting.extend(r.whole);
        known.requests.insert(r.id, r.link);
    }
    // The solutions an open request's guards read are kept whole.
    let wanted: HashSet<&str> = waiting
        .iter()
        .filter_map(|p| p.record.solution.as_deref())
        .collect();
    let solutions: Vec<Kept<Solution>> =
        stream(store, take(Kind::Solution), f, |p: Parsed<Solution>, f| {
            f.extend(records::solution_findings(store, &known, &p));
            let whole = wanted.contains(p.record.id.as_str());
            Some(Kept::of(p, |s| (&s.id, Some(&s.request)), whole))
        });
    drop(wanted);
    known.solutions.reserve(solutions.len());
    for s in solutions {
        let whole = s.whole.map(|p| p.record);
        known
            .solutions
            .insert(s.id, (s.link.unwrap_or_default(), whole));
    }

    let known = &known;
    let linked: Vec<Finding> = known
        .requests
        .par_iter()
        .filter_map(|(id, sid)| {
            let problem = records::solution_link_problem(store, known, id, sid.as_deref()?)?;
            // The file is read only when there is something to say about it.
            let p = Parsed::new(store.path_of_id(id).unwrap_or_default(), None, ());
            Some(records::solution_link_finding(store, &p, problem))
        })
        .collect();
    findings.extend(linked);
    let guarded: Vec<Vec<Finding>> = waiting
        .par_iter()
        .map(|p| records::guard_findings(store, known, p, today))
        .collect();
    findings.extend(guarded.into_iter().flatten());
    findings
}

/// What the check keeps of a request or a solution once its own rules ran: its ID, the
/// record it links (a request's solution, a solution's request) and, while its guards
/// wait, the whole record (boxed: a million of these are a few words each).
struct Kept<T> {
    id: String,
    link: Option<String>,
    whole: Option<Box<Parsed<T>>>,
}

impl<T> Kept<T> {
    /// `p` kept: its ID and link as `fields` reads them, and itself if `whole`.
    fn of(p: Parsed<T>, fields: impl Fn(&T) -> (&String, Option<&String>), whole: bool) -> Kept<T> {
        let (id, link) = fields(&p.record);
        let (id, link) = (id.clone(), link.cloned());
        Kept {
            id,
            link,
            whole: whole.then(|| Box::new(p)),
        }
    }
}

/// The other records as the whole-store check knows them, filled kind by kind: a rule
/// only asks about the kinds read before it.
struct Known {
    customers: HashSet<String>,
    articles: HashSet<String>,
    gaps: HashMap<String, Option<String>>,
    requests: HashMap<String, Option<String>>,
    solutions: HashMap<String, (String, Option<Solution>)>,
}

impl Others for Known {
    fn customer(&self, id: &str) -> bool {
        self.customers.contains(id)
    }
    fn article(&self, id: &str) -> bool {
        self.articles.contains(id)
    }
    fn gap(&self, id: &str) -> Option<Option<&str>> {
        self.gaps.get(id).map(Option::as_deref)
    }
    fn request(&self, id: &str) -> Option<Option<&str>> {
        self.requests.get(id).map(Option::as_deref)
    }
    fn solution(&self, id: &str) -> Option<(&str, Option<&Solution>)> {
        self.solutions
            .get(id)
            .map(|(request, whole)| (request.as_str(), whole.as_ref()))
    }
}

/// One kind's records through the parse cache, each handed to `keep` on the worker that
/// decoded it, with the findings of reading it (parse errors, canonical form).
fn stream<T, R>(
    store: &Store,
    files: Files,
    findings: &mut Vec<Finding>,
    keep: impl Fn(Parsed<T>, &mut Vec<Finding>) -> Option<R> + Sync,
) -> Vec<R>
where
    T: Record + Send + Sync + 'static,
    R: Send,
{
    let (kept, errors) = store.summaries_mapped::<Checked<T>, _>(
        files,
        |_| true,
        |c| {
            let mut f = Vec::new();
            let rel = PathBuf::from(&c.rel);
            if let Some(line) = c.canonical_diff {
                f.push(Finding::error(
                    &rel,
                    line,
                    "not in canonical form; run `presales fmt`",
                ));
            }
            let kept = keep(Parsed::new(store.root().join(&rel), None, c.record), &mut f);
            (f, kept)
        },
    );
    for e in errors {
        if let Error::Parse { path, .. } | Error::Io { path, .. } = &e {
            findings.push(Finding::from_error(path, &e));
        }
    }
    let mut out = Vec::with_capacity(kept.len());
    for (f, kept) in kept {
        findings.extend(f);
        out.extend(kept);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The demo store in a temporary folder.
    fn demo() -> tempfile::TempDir {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo");
        let dir = tempfile::tempdir().unwrap();
        for entry in walkdir::WalkDir::new(&from) {
            let entry = entry.unwrap();
            let to = dir.path().join(entry.path().strip_prefix(&from).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&to).unwrap();
            } else {
                std::fs::copy(entry.path(), &to).unwrap();
            }
        }
        dir
    }

    /// The record files of the store, relative to its root.
    fn record_files(store: &Store) -> Vec<PathBuf> {
        let mut all = Vec::new();
        for kind in Kind::ALL {
            for r in store.list_records(kind).unwrap().records {
                all.push(store.display_path(&store.path_of(&r.id)));
            }
        }
        all
    }

    /// The keys whose values link records or place them in the workflow, and a record's
    /// own `id` (one not its file's is left out by both checks).
    const LINKS: [&str; 9] = [
        "id: ",
        "customer: ",
        "solution: ",
        "request: ",
        "merged_into: ",
        "workaround: ",
        "stage: ",
        "superseded_by: ",
        "- id: ",
    ];

    /// The values a link may be set to: every ID of the store, every stage, and an ID of
    /// each kind that no file holds.
    fn values(store: &Store, files: &[PathBuf]) -> Vec<String> {
        let mut v: Vec<String> = files
            .iter()
            .filter_map(|p| p.file_stem())
            .map(|s| s.to_string_lossy().into_owned())
            .collect();
        for path in store.workflow.type_names() {
            v.extend(store.workflow.path(&path).unwrap().stages.iter().cloned());
        }
        v.extend(
            [
                "REQ-20250101-ZZZZZZZ",
                "SOL-20250101-ZZZZZZZ",
                "CUS-nobody",
                "GAP-20250101-ZZZZZZZ",
                "KB-20250101-ZZZZZZZ",
            ]
            .map(String::from),
        );
        v
    }

    fn sorted(mut f: Vec<Finding>) -> Vec<Finding> {
        f.sort();
        f.dedup();
        f
    }

    /// Rewrites the record at `rel` through `edit`, in canonical form.
    fn rewrite<T: Record>(root: &Path, rel: &Path, edit: impl FnOnce(&mut T)) {
        let path = root.join(rel);
        let mut record: T =
            crate::store::yaml::parse(rel, &std::fs::read_to_string(&path).unwrap()).unwrap();
        edit(&mut record);
        std::fs::write(&path, crate::store::yaml::record_text(&record).unwrap()).unwrap();
    }

    /// Two gaps merged into each other (the demo store merges none): the streamed check
    /// follows the merges through the gaps it kept and finds the loop, as the loaded check
    /// does.
    #[test]
    fn a_loop_of_merged_gaps_is_found_alike() {
        let dir = demo();
        let store = Store::open(dir.path().to_path_buf()).unwrap();
        let files = record_files(&store);
        let gaps: Vec<&PathBuf> = files.iter().filter(|p| p.starts_with("gaps")).collect();
        let id = |p: &Path| p.file_stem().unwrap().to_string_lossy().into_owned();
        let (g1, g2) = (id(gaps[0]), id(gaps[1]));
        rewrite::<Gap>(dir.path(), gaps[0], |g| g.merged_into = Some(g2.clone()));
        rewrite::<Gap>(dir.path(), gaps[1], |g| g.merged_into = Some(g1.clone()));
        let store = Store::open(dir.path().to_path_buf()).unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let (loaded, mut expected) = super::super::load(&store, &record_files(&store));
        expected.extend(records::check_records(&store, &loaded, today));
        let streamed = sorted(check_store(&store, today));
        assert_eq!(streamed, sorted(expected));
        let loops = streamed
            .iter()
            .filter(|f| f.message.contains("go round in a loop"));
        assert_eq!(loops.count(), 2, "{streamed:#?}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]

        /// Links set to other records, to records that do not exist and to other stages:
        /// the streamed whole-store check finds what reading every record and judging
        /// them together finds, from the files and again from the parse cache.
        #[test]
        fn the_streamed_check_finds_what_the_loaded_check_finds(
            edits in proptest::collection::vec((any::<usize>(), any::<usize>(), any::<usize>()), 1..12)
        ) {
            let dir = demo();
            let store = Store::open(dir.path().to_path_buf()).unwrap();
            let files = record_files(&store);
            let values = values(&store, &files);
            for (file, line, value) in edits {
                let rel = &files[file % files.len()];
                let path = dir.path().join(rel);
                let text = std::fs::read_to_string(&path).unwrap();
                let mut lines: Vec<String> = text.lines().map(String::from).collect();
                let linking: Vec<usize> = (0..lines.len())
                    .filter(|&i| LINKS.iter().any(|k| lines[i].trim_start().starts_with(k)))
                    .collect();
                if linking.is_empty() {
                    continue;
                }
                let at = linking[line % linking.len()];
                let key_end = lines[at].find(": ").unwrap() + 2;
                lines[at] = format!("{}{}", &lines[at][..key_end], values[value % values.len()]);
                std::fs::write(&path, lines.join("\n") + "\n").unwrap();
            }
            let store = Store::open(dir.path().to_path_buf()).unwrap();
            let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
            let (loaded, mut expected) = super::super::load(&store, &record_files(&store));
            expected.extend(records::check_records(&store, &loaded, today));
            let expected = sorted(expected);
            let streamed = sorted(check_store(&store, today));
            prop_assert_eq!(&streamed, &expected);
            let cached = sorted(check_store(&store, today));
            prop_assert_eq!(&cached, &expected);
        }
    }
}
