//! Search quality, measured the way users meet it, against a BM25 baseline computed in the
//! same run:
//!
//!   cargo run --release --example search_eval -- --corpus ../shared/corpus/tidb-operator-zh/docs \
//!       [--questions examples/search-eval/tidb-operator-zh.questions.tsv] \
//!       [--terms examples/search-eval/tidb-operator-zh.terms.tsv] [--queries FILE]…
//!
//! Every Markdown page of the corpus loses its front-matter `summary:` line and is imported
//! as an article (`presales kb import`, into a temporary store). Query sets:
//! - `summary`: each removed summary sentence; the page it came from is the answer;
//! - `summary15`: the same sentence cut after its first 15 Chinese characters;
//! - `heading`: each page's title;
//! - `question`: questions written by hand and frozen before looking at any result;
//! - `term`: product terms, likewise frozen;
//! - one set per `--queries FILE` (same format: query <TAB> page file name without `.md`),
//!   named after the file.
//!
//! For each set it prints success@1, success@5 and MRR@10 of `presales kb search` (the
//! library call behind the command, index sync included) and of a plain BM25 over the
//! same text (title and body, character bigrams of Chinese runs and lowercased words,
//! k1 = 1.2, b = 0.75), and the latency of presales' queries.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use presales::kb;
use presales::model::article::Category;
use presales::ops::Actor;
use presales::search::SearchQuery;
use presales::store::{self, Store};

struct Page {
    stem: String,
    title: String,
    summary: Option<String>,
    /// The page as imported: front matter without `summary:`.
    text: String,
}

/// Every value given to `name` (`--queries A --queries B`).
fn args_all(name: &str) -> Vec<String> {
    let args: Vec<String> = std::env::args().collect();
    args.windows(2)
        .filter(|w| w[0] == name)
        .map(|w| w[1].clone())
        .collect()
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// Splits `---` front matter off; returns (front matter lines, body).
fn front_matter(text: &str) -> (Vec<&str>, &str) {
    let Some(rest) = text.strip_prefix("---\n") else {
        return (Vec::new(), text);
    };
    match rest.find("\n---\n") {
        Some(end) => (rest[..end].lines().collect(), &rest[end + 5..]),
        None => (Vec::new(), text),
    }
}

fn value(line: &str, key: &str) -> Option<String> {
    line.strip_prefix(key)
        .map(|v| v.trim().trim_matches('"').trim_matches('\'').to_string())
}

fn read_pages(dir: &Path) -> Vec<Page> {
    let mut pages = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("corpus dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    for path in files {
        let raw = std::fs::read_to_string(&path).expect("page");
        let raw = raw.replace("\r\n", "\n");
        let (fm, body) = front_matter(&raw);
        let title = fm
            .iter()
            .find_map(|l| value(l, "title:"))
            .unwrap_or_default();
        let summary = fm.iter().find_map(|l| value(l, "summary:"));
        let kept: Vec<&str> = fm
            .iter()
            .copied()
            .filter(|l| !l.starts_with("summary:"))
            .collect();
        let text = if fm.is_empty() {
            raw.clone()
        } else {
            format!("---\n{}\n---\n{body}", kept.join("\n"))
        };
        pages.push(Page {
            stem: path.file_stem().unwrap().to_string_lossy().to_string(),
            title,
            summary,
            text,
        });
    }
    pages
}

fn is_cjk(c: char) -> bool {
    presales::search::tokenizer::is_cjk(c)
}

/// The baseline's analysis: bigrams of Chinese runs (a lone character as itself) and
/// lowercased runs of letters and digits.
fn bigrams(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush_run = |run: &mut Vec<char>, out: &mut Vec<String>| {
        if run.len() == 1 {
            out.push(run[0].to_string());
        }
        for w in run.windows(2) {
            out.push(w.iter().collect());
        }
        run.clear();
    };
    for c in text.chars() {
        if is_cjk(c) {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            run.push(c);
        } else if c.is_alphanumeric() {
            flush_run(&mut run, &mut out);
            word.extend(c.to_lowercase());
        } else {
            flush_run(&mut run, &mut out);
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
        }
    }
    flush_run(&mut run, &mut out);
    if !word.is_empty() {
        out.push(word);
    }
    out
}

struct Bm25 {
    docs: Vec<HashMap<String, u32>>,
    lens: Vec<f64>,
    avg: f64,
    df: HashMap<String, u32>,
}

impl Bm25 {
    fn new(texts: &[String]) -> Bm25 {
        let mut docs = Vec::new();
        let mut lens = Vec::new();
        let mut df: HashMap<String, u32> = HashMap::new();
        for t in texts {
            let toks = bigrams(t);
            lens.push(toks.len() as f64);
            let mut tf: HashMap<String, u32> = HashMap::new();
            for tok in toks {
                *tf.entry(tok).or_default() += 1;
            }
            for k in tf.keys() {
                *df.entry(k.clone()).or_default() += 1;
            }
            docs.push(tf);
        }
        let avg = lens.iter().sum::<f64>() / lens.len().max(1) as f64;
        Bm25 {
            docs,
            lens,
            avg,
            df,
        }
    }

    fn rank(&self, query: &str) -> Vec<usize> {
        let (k1, b) = (1.2, 0.75);
        let n = self.docs.len() as f64;
        let mut q = bigrams(query);
        q.sort();
        q.dedup();
        let mut scored: Vec<(f64, usize)> = self
            .docs
            .iter()
            .enumerate()
            .map(|(i, tf)| {
                let mut s = 0.0;
                for t in &q {
                    let Some(f) = tf.get(t) else { continue };
                    let df = f64::from(*self.df.get(t).unwrap_or(&0));
                    let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
                    let f = f64::from(*f);
                    s += idf * f * (k1 + 1.0) / (f + k1 * (1.0 - b + b * self.lens[i] / self.avg));
                }
                (s, i)
            })
            .filter(|(s, _)| *s > 0.0)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.into_iter().map(|(_, i)| i).collect()
    }
}

#[derive(Default)]
struct Score {
    n: usize,
    at1: usize,
    at5: usize,
    rr: f64,
}

impl Score {
    fn add(&mut self, ranked: &[String], want: &str) {
        self.n += 1;
        if let Some(pos) = ranked.iter().take(10).position(|s| s == want) {
            if pos == 0 {
                self.at1 += 1;
            }
            if pos < 5 {
                self.at5 += 1;
            }
            self.rr += 1.0 / (pos as f64 + 1.0);
        }
    }

    fn row(&self) -> String {
        let n = self.n.max(1) as f64;
        format!(
            "{:.2} | {:.2} | {:.3}",
            self.at1 as f64 / n,
            self.at5 as f64 / n,
            self.rr / n
        )
    }
}

fn read_pairs(path: &str) -> Vec<(String, String)> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let (q, s) = l.split_once('\t')?;
            Some((q.trim().to_string(), s.trim().to_string()))
        })
        .collect()
}

/// The summary cut after its first `n` Chinese characters.
fn first_cjk(s: &str, n: usize) -> String {
    let mut count = 0;
    let mut out = String::new();
    for c in s.chars() {
        out.push(c);
        if is_cjk(c) {
            count += 1;
            if count == n {
                break;
            }
        }
    }
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let corpus = arg("--corpus").unwrap_or_else(|| "../shared/corpus/tidb-operator-zh/docs".into());
    let questions = arg("--questions")
        .unwrap_or_else(|| "examples/search-eval/tidb-operator-zh.questions.tsv".into());
    let terms =
        arg("--terms").unwrap_or_else(|| "examples/search-eval/tidb-operator-zh.terms.tsv".into());
    let pages = read_pages(Path::new(&corpus));
    let tmp = tempfile::tempdir()?;
    let root = tmp.path().join("store");
    store::init(&root, false)?;
    let docs = root.join("docs");
    std::fs::create_dir_all(&docs)?;
    for p in &pages {
        std::fs::write(docs.join(format!("{}.md", p.stem)), &p.text)?;
    }
    let store = Store::open(root.clone())?;
    let actor = Actor {
        id: "eval".into(),
        now: chrono::DateTime::parse_from_rfc3339("2026-11-27T10:00:00+08:00")?,
    };
    let report = kb::import_dir(&store, &actor, &docs, Category::TechnicalDoc)?;
    let by_id: HashMap<String, String> = report
        .created
        .iter()
        .map(|(id, source)| {
            let stem = Path::new(source)
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .to_string();
            (id.clone(), stem)
        })
        .collect();
    eprintln!(
        "imported {} pages ({} errors) from {corpus}",
        by_id.len(),
        report.errors.len()
    );
    let texts: Vec<String> = pages
        .iter()
        .map(|p| format!("{}\n{}", p.title, front_matter(&p.text).1))
        .collect();
    let bm25 = Bm25::new(&texts);

    let mut sets: Vec<(String, Vec<(String, String)>)> = vec![
        (
            "summary".to_string(),
            pages
                .iter()
                .filter_map(|p| Some((p.summary.clone()?, p.stem.clone())))
                .collect(),
        ),
        (
            "summary15".to_string(),
            pages
                .iter()
                .filter_map(|p| Some((first_cjk(p.summary.as_ref()?, 15), p.stem.clone())))
                .collect(),
        ),
        (
            "heading".to_string(),
            pages
                .iter()
                .filter(|p| !p.title.is_empty())
                .map(|p| (p.title.clone(), p.stem.clone()))
                .collect(),
        ),
    ];
    if Path::new(&questions).exists() {
        sets.push(("question".into(), read_pairs(&questions)));
    }
    if Path::new(&terms).exists() {
        sets.push(("term".into(), read_pairs(&terms)));
    }
    // Extra sets: `--queries FILE` (query <TAB> page stem), named after the file.
    let extra = args_all("--queries");
    for file in &extra {
        let name = Path::new(file)
            .file_stem()
            .map_or_else(|| file.clone(), |s| s.to_string_lossy().to_string());
        sets.push((name, read_pairs(file)));
    }
    // Warm the index (the first search builds it).
    let _ = kb::index::search(&store, &SearchQuery::new("TiDB"), &mut |_, _, _, _| {});
    println!("| set | queries | presales s@1 | s@5 | MRR@10 | bigram BM25 s@1 | s@5 | MRR@10 |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    let mut latencies = Vec::new();
    for (name, queries) in &sets {
        let (mut ours, mut base) = (Score::default(), Score::default());
        for (q, want) in queries {
            let mut sq = SearchQuery::new(q.clone());
            sq.kinds = vec!["article".into()];
            sq.limit = 10;
            let t = Instant::now();
            let hits = match kb::index::search(&store, &sq, &mut |_, _, _, _| {}) {
                Ok((_, hits, _)) => hits,
                Err(_) => Vec::new(),
            };
            latencies.push(t.elapsed().as_secs_f64() * 1000.0);
            let ranked: Vec<String> = hits
                .iter()
                .filter_map(|h| by_id.get(&h.id).cloned())
                .collect();
            ours.add(&ranked, want);
            let ranked: Vec<String> = bm25
                .rank(q)
                .into_iter()
                .take(10)
                .map(|i| pages[i].stem.clone())
                .collect();
            base.add(&ranked, want);
        }
        println!("| {name} | {} | {} | {} |", ours.n, ours.row(), base.row());
    }
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    println!(
        "\npresales query latency (in process, index warm): median {:.1} ms, p95 {:.1} ms, over {} queries",
        pct(0.5),
        pct(0.95),
        latencies.len()
    );
    Ok(())
}
