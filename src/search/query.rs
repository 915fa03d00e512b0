//! Owns the query side: parsing raw user text into clauses, building tantivy queries with
//! filters and title boost, collecting ranked hits with Markdown-highlighted snippets, and
//! free-text "related article" suggestions.
//!
//! Query language (deliberately tiny, because users type raw Chinese/English, not syntax):
//! * whitespace-separated words are all required (AND) and may match title or body;
//! * a word that analyses to several tokens (`派工原则` → `派工 工原 原则`, `e-mail` →
//!   `e mail`) is a phrase, so an unquoted Chinese word matches exactly that substring;
//! * `"quoted text"` (also `“…”`, `「…」`, `『…』`, `＂…＂`) is one phrase, spaces included;
//! * an unbalanced quote opens a phrase that runs to the end of the text — never an error,
//!   and closest to what someone who forgot the closing quote meant;
//! * text with no letters, digits or CJK characters yields [`SearchError::EmptyQuery`].
//!
//! One-character CJK terms: bigram fields cannot match `库` inside `数据库`, so any clause
//! whose bigram analysis contains a lone CJK character is run as a phrase over the unigram
//! fields (`title_uni`/`body_uni`) instead. Unigram phrases are still exact substrings
//! (`A库` matches "A库" but not "A数据库"), just slower and less selective than bigrams, which is
//! why they are only used when needed.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use serde::Serialize;
use tantivy::collector::{Collector, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, EmptyQuery, EnableScoring, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use super::index::{Fields, SearchIndex};
use super::parse::{Clause, ClauseFields, Filter, ParsedQuery, Target, parse};
use super::tokenizer::{CjkBigramTokenizer, CjkMode, is_cjk, tokenize};
use super::{SearchError, quiet};

/// Used by [`SearchQuery::new`] / `Default`.
pub const DEFAULT_LIMIT: usize = 20;
/// Weight of a match in the title against one in the body. Moderate: a title hit counts
/// double, but a question whose words are spread over a page's body still finds it (a
/// weight of 3 or more put pages that merely share a title word ahead of the answer).
pub const TITLE_WEIGHT: f32 = 2.0;
/// Extra weight of a chunk of the query found as written (its terms adjacent, in order).
pub const PHRASE_BOOST: f32 = 1.0;
/// Extra weight of a document that holds every term of the query.
pub const ALL_TERMS_BOOST: f32 = 1.0;
/// A constant added to the work people look up by name (requests and customers), so that
/// one matching in its title is not buried under long articles that repeat the words.
pub const WORK_BONUS: f32 = 1.0;
/// Snippet length in bytes (tantivy counts bytes; ≈80 CJK or ≈240 Latin characters).
const SNIPPET_MAX_BYTES: usize = 240;
/// Cap on distinct terms used by `suggest`, so pasting a long request stays fast.
const MAX_SUGGEST_TERMS: usize = 256;
const ARCHIVED: &str = "archived";
const ARTICLE: &str = "article";

/// A search request. Filters are exact, case-insensitive matches; `kinds` empty = any kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    pub text: String,
    pub kinds: Vec<String>,
    pub category: Option<String>,
    /// `Some("archived")` is the only way to see archived articles.
    pub status: Option<String>,
    pub product: Option<String>,
    pub tag: Option<String>,
    /// Maximum hits; 0 returns no hits (without error).
    pub limit: usize,
    /// Also confidential documents (保密制度: left out by default, as the reports do).
    pub include_confidential: bool,
}

impl Default for SearchQuery {
    fn default() -> Self {
        Self {
            text: String::new(),
            kinds: Vec::new(),
            category: None,
            status: None,
            product: None,
            tag: None,
            limit: DEFAULT_LIMIT,
            include_confidential: false,
        }
    }
}

impl SearchQuery {
    /// A query for `text` with no filters and [`DEFAULT_LIMIT`].
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }
}

/// One ranked result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub category: Option<String>,
    pub status: Option<String>,
    pub score: f32,
    /// Excerpt of the body (or title) with matches wrapped in `**…**`; newlines flattened.
    pub snippet: String,
    /// The share (0–1) of the query's terms this hit matches; measured on the best hit
    /// only (a search whose best hit matches less than half went unanswered).
    #[serde(skip)]
    pub coverage: Option<f32>,
}

fn field_pair(fields: &Fields, which: ClauseFields) -> (Field, Field) {
    match which {
        ClauseFields::Bigram => (fields.title, fields.body),
        ClauseFields::Unigram => (fields.title_uni, fields.body_uni),
    }
}

/// Term, phrase or prefix over one field.
fn terms_query(field: Field, clause: &Clause) -> Box<dyn Query> {
    if clause.prefix
        && let [word] = clause.terms.as_slice()
    {
        let pattern = format!("{}.*", regex_escape(word));
        return match tantivy::query::RegexQuery::from_pattern(&pattern, field) {
            Ok(q) => Box::new(q),
            Err(_) => Box::new(EmptyQuery),
        };
    }
    let terms: Vec<Term> = clause
        .terms
        .iter()
        .map(|t| Term::from_field_text(field, t))
        .collect();
    match terms.len() {
        // Unreachable through parse, but Clause is public: match nothing rather than hit
        // PhraseQuery's "at least two terms" assertion.
        0 => Box::new(EmptyQuery),
        1 => Box::new(TermQuery::new(
            terms[0].clone(),
            IndexRecordOption::WithFreqs,
        )),
        _ => Box::new(PhraseQuery::new(terms)),
    }
}

/// A Latin word as a literal in a regular expression.
fn regex_escape(word: &str) -> String {
    word.chars()
        .flat_map(|c| {
            let special = !c.is_alphanumeric();
            special
                .then_some('\\')
                .into_iter()
                .chain(std::iter::once(c))
        })
        .collect()
}

/// One clause over the fields it targets: "title (weighted) OR body" by default.
fn clause_query(fields: &Fields, clause: &Clause) -> Box<dyn Query> {
    let (title, body) = field_pair(fields, clause.fields);
    match clause.target {
        Target::Title => terms_query(title, clause),
        Target::Body => terms_query(body, clause),
        Target::Any => Box::new(BooleanQuery::new(vec![
            (
                Occur::Should,
                Box::new(BoostQuery::new(terms_query(title, clause), TITLE_WEIGHT))
                    as Box<dyn Query>,
            ),
            (Occur::Should, terms_query(body, clause)),
        ])),
    }
}

fn keyword_term(field: Field, value: &str) -> Term {
    // Mirrors the keyword_lower analyser used at index time.
    Term::from_field_text(field, &value.trim().to_lowercase())
}

fn keyword_query(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        keyword_term(field, value),
        IndexRecordOption::Basic,
    ))
}

/// "kind = article AND status = archived", used as a MustNot.
fn archived_articles(fields: &Fields) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, keyword_query(fields.kind, ARTICLE)),
        (Occur::Must, keyword_query(fields.status, ARCHIVED)),
    ]))
}

/// The ranking query: every term optional and scored (BM25 over title and body), chunks
/// found as written and documents holding every term scored again; strict items, filters
/// and exclusions as asked.
fn build_query(fields: &Fields, parsed: &ParsedQuery, q: &SearchQuery) -> BooleanQuery {
    let mut scored: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for c in &parsed.terms {
        scored.push((Occur::Should, clause_query(fields, c)));
    }
    for c in &parsed.phrases {
        scored.push((
            Occur::Should,
            Box::new(BoostQuery::new(clause_query(fields, c), PHRASE_BOOST)),
        ));
    }
    if parsed.terms.len() > 1 {
        let all: Vec<(Occur, Box<dyn Query>)> = parsed
            .terms
            .iter()
            .map(|c| (Occur::Must, clause_query(fields, c)))
            .collect();
        scored.push((
            Occur::Should,
            Box::new(BoostQuery::new(
                Box::new(BooleanQuery::new(all)),
                ALL_TERMS_BOOST,
            )),
        ));
    }
    let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if !scored.is_empty() {
        let occur = if parsed.required.is_empty() && parsed.filters.is_empty() {
            // Nothing else to match: at least one term must.
            Occur::Must
        } else {
            Occur::Should
        };
        parts.push((occur, Box::new(BooleanQuery::new(scored))));
    }
    for alternatives in &parsed.required {
        let any: Vec<(Occur, Box<dyn Query>)> = alternatives
            .iter()
            .map(|c| (Occur::Should, clause_query(fields, c)))
            .collect();
        parts.push((Occur::Must, Box::new(BooleanQuery::new(any))));
    }
    for c in &parsed.excluded {
        parts.push((Occur::MustNot, clause_query(fields, c)));
    }
    for f in &parsed.filters {
        let (field, value) = match f {
            Filter::Tag(t) => (fields.tags, t),
            Filter::Category(c) => (fields.category, c),
        };
        parts.push((Occur::Must, keyword_query(field, value)));
    }
    let kinds: Vec<(Occur, Box<dyn Query>)> = q
        .kinds
        .iter()
        .filter(|k| !k.trim().is_empty())
        .map(|k| (Occur::Should, keyword_query(fields.kind, k)))
        .collect();
    if !kinds.is_empty() {
        parts.push((Occur::Must, Box::new(BooleanQuery::new(kinds))));
    }
    for (field, value) in [
        (fields.category, &q.category),
        (fields.status, &q.status),
        (fields.products, &q.product),
        (fields.tags, &q.tag),
    ] {
        if let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            parts.push((Occur::Must, keyword_query(field, v)));
        }
    }
    if !q.include_confidential {
        parts.push((Occur::MustNot, keyword_query(fields.confidential, "yes")));
    }
    if parts.iter().any(|(o, _)| *o == Occur::Must) {
        for kind in ["request", "customer"] {
            parts.push((
                Occur::Should,
                Box::new(tantivy::query::ConstScoreQuery::new(
                    keyword_query(fields.kind, kind),
                    WORK_BONUS,
                )),
            ));
        }
    }
    let wants_archived = q
        .status
        .as_deref()
        .is_some_and(|s| s.trim().eq_ignore_ascii_case(ARCHIVED));
    if !wants_archived {
        parts.push((Occur::MustNot, archived_articles(fields)));
    }
    BooleanQuery::new(parts)
}

/// Snippet generators for the terms of a query: one per analyser, since tantivy's generator
/// re-tokenizes the text with a single analyser and only highlights tokens it knows.
struct Snippets {
    body: Vec<SnippetGenerator>,
    title: Vec<SnippetGenerator>,
    /// The texts worth marking: each chunk of the query as typed (see [`worth_marking`]).
    wanted: Vec<String>,
}

impl Snippets {
    fn new(searcher: &Searcher, fields: &Fields, clauses: &[Clause]) -> Self {
        let mut body = Vec::new();
        let mut title = Vec::new();
        for (which, mode) in [
            (ClauseFields::Bigram, CjkMode::Bigram),
            (ClauseFields::Unigram, CjkMode::Unigram),
        ] {
            let terms: BTreeSet<&str> = clauses
                .iter()
                .filter(|c| c.fields == which)
                .flat_map(|c| c.terms.iter().map(String::as_str))
                .collect();
            if terms.is_empty() {
                continue;
            }
            let (title_f, body_f) = field_pair(fields, which);
            // Same weighting as SnippetGenerator::create: rarer terms make better fragments.
            let weights: BTreeMap<String, f32> = terms
                .iter()
                .map(|t| {
                    let df = searcher
                        .doc_freq(&Term::from_field_text(body_f, t))
                        .unwrap_or(0);
                    (t.to_string(), 1.0 / (1.0 + df as f32))
                })
                .collect();
            let analyzer = || TextAnalyzer::from(CjkBigramTokenizer::with_mode(mode));
            body.push(SnippetGenerator::new(
                weights.clone(),
                analyzer(),
                body_f,
                SNIPPET_MAX_BYTES,
            ));
            title.push(SnippetGenerator::new(
                weights,
                analyzer(),
                title_f,
                SNIPPET_MAX_BYTES,
            ));
        }
        Self {
            body,
            title,
            wanted: wanted(clauses),
        }
    }

    /// Highlighted body fragment, else highlighted title, else the start of the body,
    /// else the title.
    fn render(&self, title: &str, body: &str) -> String {
        for (gens, text) in [(&self.body, body), (&self.title, title)] {
            for g in gens {
                let s = g.snippet(text);
                if !s.is_empty() {
                    return to_markdown(&s, &self.wanted);
                }
            }
        }
        let plain = if body.trim().is_empty() { title } else { body };
        let mut end = plain.len().min(SNIPPET_MAX_BYTES);
        while !plain.is_char_boundary(end) {
            end -= 1;
        }
        let mut out = flatten(plain[..end].trim());
        if end < plain.len() {
            out.push('…');
        }
        out
    }
}

/// Replaces line breaks/tabs with spaces (same byte length, so ranges stay valid).
fn flatten(s: &str) -> String {
    s.chars()
        .map(|c| {
            if matches!(c, '\n' | '\r' | '\t') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// Merges overlapping *and adjacent* ranges: overlapping bigrams (`派工`,`工原`) and adjacent
/// unigrams (`数`,`据`) become one `**…**` run instead of `**数****据**`.
fn merge_ranges(ranges: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut sorted = ranges.to_vec();
    sorted.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::new();
    for r in sorted {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// The text a clause stands for: its terms joined back (overlapping bigrams by their
/// shared character, words by a space).
fn clause_text(c: &Clause) -> String {
    let mut out = String::new();
    for t in &c.terms {
        let overlaps = out
            .chars()
            .last()
            .is_some_and(|l| is_cjk(l) && t.starts_with(l) && t.chars().count() == 2);
        if overlaps {
            out.extend(t.chars().skip(1));
        } else {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(t);
        }
    }
    out
}

/// What a snippet may mark: every phrase and strict item as typed, and every term that is
/// not just a piece of one of those (a bigram of `增量备份` alone is not worth marking).
fn wanted(clauses: &[Clause]) -> Vec<String> {
    let whole: Vec<&Clause> = clauses.iter().filter(|c| c.is_phrase()).collect();
    let mut out: Vec<String> = whole.iter().map(|c| clause_text(c)).collect();
    for c in clauses.iter().filter(|c| !c.is_phrase()) {
        let piece = whole
            .iter()
            .any(|w| c.terms.iter().all(|t| w.terms.contains(t)));
        if !piece {
            out.push(clause_text(c));
        }
    }
    out
}

/// Whether a matched run of text deserves a mark: Latin words always; Chinese text when it
/// is a whole chunk of the query, or long enough (four characters) to be a real match
/// rather than the tail of another word (`全量备份` for `增量备份` marks nothing).
fn worth_marking(text: &str, wanted: &[String]) -> bool {
    if !text.chars().any(is_cjk) {
        return true;
    }
    let lower = text.to_lowercase();
    wanted.contains(&lower) || text.chars().filter(|c| is_cjk(*c)).count() >= 4
}

fn to_markdown(snippet: &Snippet, wanted: &[String]) -> String {
    let fragment = flatten(snippet.fragment());
    let mut out = String::with_capacity(fragment.len() + 16);
    let mut pos = 0;
    for r in merge_ranges(snippet.highlighted()).into_iter().filter(|r| {
        fragment
            .get(r.clone())
            .is_some_and(|t| worth_marking(t, wanted))
    }) {
        // Ranges come from our tokenizer's offsets, so they are on char boundaries; `get`
        // keeps us panic-free even if that ever stopped being true.
        let (Some(before), Some(mark)) = (fragment.get(pos..r.start), fragment.get(r.clone()))
        else {
            continue;
        };
        // The text's own Markdown bold would pair up with our markers: drop it.
        out.push_str(&before.replace("**", ""));
        out.push_str("**");
        out.push_str(&mark.replace("**", ""));
        out.push_str("**");
        pos = r.end;
    }
    out.push_str(&fragment.get(pos..).unwrap_or("").replace("**", ""));
    out.trim().to_string()
}

fn is_lone_cjk(token: &str) -> bool {
    let mut chars = token.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if is_cjk(c))
}

fn first_str(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

impl SearchIndex {
    /// Runs a search. Errors: [`SearchError::EmptyQuery`] when the text has nothing
    /// searchable; [`SearchError::Corrupt`] if the index turns out unreadable.
    pub fn search(&self, q: &SearchQuery) -> Result<Vec<Hit>, SearchError> {
        self.search_on(q, rayon::current_num_threads() > 1)
    }

    /// [`SearchIndex::search`] on every core (rayon's threads), or on this thread alone.
    fn search_on(&self, q: &SearchQuery, parallel: bool) -> Result<Vec<Hit>, SearchError> {
        let parsed = parse(&q.text)?;
        if q.limit == 0 {
            return Ok(Vec::new());
        }
        let query = build_query(&self.fields, &parsed, q);
        let clauses: Vec<Clause> = parsed.all().cloned().collect();
        // The query's terms, each strict item counted once (by its first alternative).
        let mut asked: Vec<Clause> = parsed.terms.clone();
        asked.extend(
            parsed
                .required
                .iter()
                .filter_map(|alts| alts.first().cloned()),
        );
        if asked.is_empty() {
            asked = parsed.phrases.clone();
        }
        self.run(&query, &clauses, &asked, q.limit, parallel)
    }

    /// Ranks articles related to free text (e.g. a request's title + description + products)
    /// with OR semantics over its terms. Archived articles and other kinds are excluded.
    /// Text without searchable terms yields no suggestions rather than an error.
    pub fn suggest(&self, text: &str, limit: usize) -> Result<Vec<Hit>, SearchError> {
        let mut seen = BTreeSet::new();
        let clauses: Vec<Clause> = tokenize(text, CjkMode::Bigram)
            .into_iter()
            .filter(|t| seen.insert(t.text.clone()))
            .take(MAX_SUGGEST_TERMS)
            .map(|t| Clause {
                fields: if is_lone_cjk(&t.text) {
                    ClauseFields::Unigram
                } else {
                    ClauseFields::Bigram
                },
                terms: vec![t.text],
                quoted: false,
                target: Target::Any,
                prefix: false,
            })
            .collect();
        if clauses.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let any_term: Vec<(Occur, Box<dyn Query>)> = clauses
            .iter()
            .map(|c| (Occur::Should, clause_query(&self.fields, c)))
            .collect();
        let query = BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(BooleanQuery::new(any_term)) as Box<dyn Query>,
            ),
            (Occur::Must, keyword_query(self.fields.kind, ARTICLE)),
            (Occur::MustNot, keyword_query(self.fields.status, ARCHIVED)),
            (
                Occur::MustNot,
                keyword_query(self.fields.confidential, "yes"),
            ),
        ]);
        self.run(
            &query,
            &clauses,
            &clauses,
            limit,
            rayon::current_num_threads() > 1,
        )
    }

    /// The search proper, run as one guarded step: a panic anywhere in tantivy (the query,
    /// the snippet statistics, a stored document) becomes [`SearchError::Corrupt`].
    fn run(
        &self,
        query: &dyn Query,
        clauses: &[Clause],
        asked: &[Clause],
        limit: usize,
        parallel: bool,
    ) -> Result<Vec<Hit>, SearchError> {
        self.guarded(|| self.run_unguarded(query, clauses, asked, limit, parallel))
    }

    /// The search proper. Once the index is up to date a search waits on nothing else:
    /// with `parallel`, the segments are scored, and the hits read and highlighted, on
    /// rayon's threads (already started by the listing), with the same hits as on this
    /// thread alone. A panic there reaches [`SearchIndex::guarded`] as it would from here.
    fn run_unguarded(
        &self,
        query: &dyn Query,
        clauses: &[Clause],
        asked: &[Clause],
        limit: usize,
        parallel: bool,
    ) -> tantivy::Result<Vec<Hit>> {
        use rayon::prelude::*;
        let searcher = self.reader.searcher();
        // TopDocs panics on 0 and pre-allocates `limit`; clamp to what can exist.
        let limit = limit.min(usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX));
        if limit == 0 {
            return Ok(Vec::new());
        }
        let collector = TopDocs::with_limit(limit).order_by_score();
        let segments = searcher.segment_readers();
        let top = if parallel && segments.len() > 1 {
            // What `Searcher::search` does, one segment per task.
            let weight = query.weight(EnableScoring::enabled_from_searcher(&searcher))?;
            let fruits = segments
                .par_iter()
                .enumerate()
                .map(|(ord, segment)| {
                    quiet::on_worker(|| {
                        collector.collect_segment(weight.as_ref(), ord as u32, segment)
                    })
                })
                .collect::<tantivy::Result<Vec<_>>>()?;
            collector.merge_fruits(fruits)?
        } else {
            searcher.search(query, &collector)?
        };
        let snippets = Snippets::new(&searcher, &self.fields, clauses);
        let f = &self.fields;
        let hit = |(rank, (score, addr)): (usize, (f32, DocAddress))| -> tantivy::Result<Hit> {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let title = first_str(&doc, f.title).unwrap_or_default();
            let body = first_str(&doc, f.body).unwrap_or_default();
            Ok(Hit {
                id: first_str(&doc, f.id).unwrap_or_default(),
                kind: first_str(&doc, f.kind).unwrap_or_default(),
                snippet: snippets.render(&title, &body),
                title,
                category: first_str(&doc, f.category),
                status: first_str(&doc, f.status),
                score,
                coverage: (rank == 0).then(|| self.coverage(&searcher, asked, addr)),
            })
        };
        // In rank order either way: a parallel collect keeps its items' places.
        if parallel && top.len() > 1 {
            top.into_par_iter()
                .enumerate()
                .map(|h| quiet::on_worker(|| hit(h)))
                .collect()
        } else {
            top.into_iter().enumerate().map(hit).collect()
        }
    }

    /// The share of `asked` that the document at `addr` matches.
    fn coverage(&self, searcher: &Searcher, asked: &[Clause], addr: DocAddress) -> f32 {
        if asked.is_empty() {
            return 1.0;
        }
        let reader = searcher.segment_reader(addr.segment_ord);
        // Whether the document holds `text` in `field`, read from the postings directly
        // (tantivy's `explain` trips over a term the segment lacks).
        let holds = |field: Field, text: &str| -> bool {
            let Ok(inv) = reader.inverted_index(field) else {
                return false;
            };
            let term = Term::from_field_text(field, text);
            match inv.read_postings(&term, IndexRecordOption::Basic) {
                Ok(Some(mut p)) => {
                    use tantivy::DocSet;
                    if p.doc() >= addr.doc_id {
                        p.doc() == addr.doc_id
                    } else {
                        p.seek(addr.doc_id) == addr.doc_id
                    }
                }
                _ => false,
            }
        };
        let matched = asked
            .iter()
            .filter(|c| {
                let (title, body) = field_pair(&self.fields, c.fields);
                let fields: &[Field] = match c.target {
                    Target::Title => &[title],
                    Target::Body => &[body],
                    Target::Any => &[title, body],
                };
                // A prefix matches when the word was found at all (the hit is ranked by it).
                c.prefix || fields.iter().any(|f| c.terms.iter().all(|t| holds(*f, t)))
            })
            .count();
        matched as f32 / asked.len() as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::Doc;
    use crate::search::test_util::{Store, doc};

    #[test]
    fn parse_punctuation_only_is_empty_query() {
        for text in ["", "   ", "!!!", "，。？", r#"""""#, "— … ·"] {
            assert!(
                matches!(parse(text), Err(SearchError::EmptyQuery)),
                "{text:?}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn prop_parse_never_panics_and_terms_nonempty(text in proptest::prelude::any::<String>()) {
            match parse(&text) {
                Ok(q) => {
                    proptest::prop_assert!(q.all().all(|c| !c.terms.is_empty()));
                    proptest::prop_assert!(q.excluded.iter().all(|c| !c.terms.is_empty()));
                }
                Err(e) => proptest::prop_assert!(matches!(e, SearchError::EmptyQuery)),
            }
        }
    }

    #[test]
    fn search_never_panics_on_arbitrary_text() {
        use proptest::strategy::{Strategy, ValueTree};
        use proptest::test_runner::TestRunner;
        let f = fixture(vec![
            doc(
                "a",
                "article",
                "派工原则 API",
                "数据库\n\"引号\" 使用API接口 库",
            ),
            doc("b", "request", "Ünïcödé ＡＰＩ", "カタカナ 한국어 émoji 🎉"),
        ]);
        let mut runner = TestRunner::default();
        let strategy = "[派工原则库数据 aApPiI\"“”「」!?。，\\*🎉 ]{0,24}|\\PC{0,24}";
        for _ in 0..200 {
            let text = strategy.new_tree(&mut runner).expect("strategy").current();
            match f.index.search(&SearchQuery::new(text.clone())) {
                Ok(_) | Err(SearchError::EmptyQuery) => {}
                Err(e) => panic!("{text:?}: {e}"),
            }
            f.index.suggest(&text, 5).expect("suggest");
        }
    }

    #[test]
    fn merge_ranges_merges_overlapping_and_adjacent() {
        assert_eq!(merge_ranges(&[3..6, 0..3, 8..9, 4..7]), vec![0..7, 8..9]);
    }

    fn full_doc(id: &str, kind: &str, title: &str, body: &str, status: Option<&str>) -> Doc {
        Doc {
            category: Some("Network".into()),
            status: status.map(str::to_string),
            products: vec!["FireWall-X".into()],
            tags: vec!["vpn".into(), "How-To".into()],
            ..doc(id, kind, title, body)
        }
    }

    struct Fixture {
        _tmp: tempfile::TempDir,
        index: SearchIndex,
    }

    fn fixture(docs: Vec<Doc>) -> Fixture {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut index = SearchIndex::open(tmp.path()).expect("open");
        let mut store = Store::default();
        for d in docs {
            store.put(d);
        }
        store.sync(&mut index);
        Fixture { _tmp: tmp, index }
    }

    fn search_ids(index: &SearchIndex, q: &SearchQuery) -> Vec<String> {
        index
            .search(q)
            .expect("search")
            .into_iter()
            .map(|h| h.id)
            .collect()
    }

    /// Hits in rank order.
    fn ranked(index: &SearchIndex, text: &str) -> Vec<String> {
        search_ids(index, &SearchQuery::new(text))
    }

    fn ids(index: &SearchIndex, text: &str) -> Vec<String> {
        let mut v = search_ids(index, &SearchQuery::new(text));
        v.sort();
        v
    }

    /// Each sync commits a segment; a search over several is scored on rayon's threads
    /// and must give exactly what one thread gives: the same hits, scores, snippets, order
    /// and coverage.
    #[test]
    fn a_search_on_every_core_gives_what_one_thread_gives() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut index = SearchIndex::open(tmp.path()).expect("open");
        let mut store = Store::default();
        let topics = ["派工原则", "值班工程师", "VPN 超时", "紧急需求", "报价审批"];
        // Three batches: tantivy merges at eight segments.
        for batch in 0..3 {
            for i in 0..12 {
                let n = batch * 12 + i;
                let (a, b) = (topics[n % 5], topics[(n / 5) % 5]);
                store.put(doc(
                    &format!("KB-{n:03}"),
                    "article",
                    &format!("{a} #{n}"),
                    &format!(
                        "{a}与{b}：紧急需求可以直接指派给值班工程师，第 {n} 条。{}",
                        b.repeat(n % 3 + 1)
                    ),
                ));
            }
            store.sync(&mut index);
        }
        let segments = index.reader.searcher().segment_readers().len();
        assert!(segments > 1, "{segments} segment(s)");
        for text in [
            "紧急需求怎么指派给值班工程师",
            "派工原则",
            "vpn",
            "工程师 -vpn",
        ] {
            let mut q = SearchQuery::new(text);
            q.limit = 20;
            let alone = index.search_on(&q, false).expect("search");
            let pooled = index.search_on(&q, true).expect("search");
            assert!(alone.len() > 1, "{text}: {alone:?}");
            assert_eq!(pooled, alone, "{text}");
            assert!(alone[0].coverage.is_some() && alone[1].coverage.is_none());
        }
    }

    #[test]
    fn chinese_phrase_matches_exact_substring_only() {
        let f = fixture(vec![
            doc(
                "together",
                "article",
                "排班",
                "本组的派工原则是轮流，不得插队。",
            ),
            doc("apart", "article", "排班", "派工需要遵守原则，也要轮流。"),
            doc("other", "article", "其他", "与此无关"),
        ]);
        // Ranked: the exact phrase first, the one holding its words apart after it.
        assert_eq!(ranked(&f.index, "派工原则"), vec!["together", "apart"]);
        // Quoted, only the exact substring matches.
        assert_eq!(ids(&f.index, "\"派工原则\""), vec!["together"]);
        assert_eq!(ids(&f.index, "派工 原则"), vec!["apart", "together"]);
        assert_eq!(ranked(&f.index, "原则是轮流")[0], "together");
        assert!(ids(&f.index, "\"原则轮流\"").is_empty());
        assert!(ids(&f.index, "+原则轮流").is_empty());
    }

    #[test]
    fn english_word_inside_chinese_text() {
        let f = fixture(vec![
            doc("mixed", "article", "对接说明", "我们使用API接口对接CRM系统"),
            doc("plain", "article", "说明", "我们使用接口"),
        ]);
        assert_eq!(ids(&f.index, "api"), vec!["mixed"]);
        assert_eq!(ranked(&f.index, "API接口")[0], "mixed");
        assert_eq!(ids(&f.index, "\"API接口\""), vec!["mixed"]);
        assert_eq!(ids(&f.index, "ＣＲＭ"), vec!["mixed"]);
        assert_eq!(ids(&f.index, "接口"), vec!["mixed", "plain"]);
    }

    #[test]
    fn one_char_query_finds_char_inside_longer_run() {
        let f = fixture(vec![
            doc("db", "article", "备份", "数据库每天凌晨备份"),
            doc("lone", "article", "仓", "库 在这里单独出现"),
            doc("none", "article", "网络", "交换机配置"),
        ]);
        assert_eq!(ids(&f.index, "库"), vec!["db", "lone"]);
        assert_eq!(ranked(&f.index, "库 备份")[0], "db");
        assert_eq!(ids(&f.index, "+库 +备份"), vec!["db"]);
        // Unigram phrases are still exact.
        assert_eq!(ids(&f.index, "据库"), vec!["db"]);
        assert!(ids(&f.index, "\"凌库\"").is_empty());
    }

    #[test]
    fn title_matches_rank_above_body_only_matches() {
        let long_body = "防火墙 ".repeat(30);
        let f = fixture(vec![
            doc("body1", "article", "网络设备说明", &long_body),
            doc("title", "article", "防火墙选型指南", "选型时请参考下列要点"),
            doc("body2", "article", "其他", "提到一次防火墙"),
        ]);
        let hits = search_ids(&f.index, &SearchQuery::new("防火墙"));
        assert_eq!(hits.len(), 3);
        assert_eq!(hits[0], "title");
        // Words are optional: a word nobody has does not hide the others' matches…
        let hits = search_ids(&f.index, &SearchQuery::new("firewall 防火墙"));
        assert_eq!(hits.len(), 3);
        // …unless it is required.
        let hits = search_ids(&f.index, &SearchQuery::new("+firewall 防火墙"));
        assert!(hits.is_empty(), "{hits:?}");
    }

    #[test]
    fn filters_are_case_insensitive_and_combine() {
        let mut req = full_doc("r1", "request", "VPN 需求", "客户要 VPN", Some("open"));
        req.category = Some("Sales".into());
        let mut sol = full_doc("s1", "solution", "VPN 方案", "VPN 架构", Some("draft"));
        sol.products = vec!["Router-Y".into()];
        sol.tags = vec!["design".into()];
        let f = fixture(vec![
            full_doc("a1", "article", "VPN 配置", "VPN 步骤", Some("published")),
            req,
            sol,
        ]);
        let base = SearchQuery::new("vpn");
        assert_eq!(search_ids(&f.index, &base).len(), 3);
        let q = |f: &dyn Fn(&mut SearchQuery)| {
            let mut q = base.clone();
            f(&mut q);
            q
        };
        let sorted = |mut v: Vec<String>| {
            v.sort();
            v
        };
        assert_eq!(
            sorted(search_ids(
                &f.index,
                &q(&|q| q.kinds = vec!["Article".into(), "solution".into()])
            )),
            vec!["a1", "s1"]
        );
        assert_eq!(
            search_ids(&f.index, &q(&|q| q.category = Some("sales".into()))),
            vec!["r1"]
        );
        assert_eq!(
            search_ids(&f.index, &q(&|q| q.status = Some("DRAFT".into()))),
            vec!["s1"]
        );
        assert_eq!(
            search_ids(&f.index, &q(&|q| q.product = Some("router-y".into()))),
            vec!["s1"]
        );
        assert_eq!(
            sorted(search_ids(&f.index, &q(&|q| q.tag = Some("how-to".into())))),
            vec!["a1", "r1"]
        );
        assert!(
            search_ids(
                &f.index,
                &q(&|q| {
                    q.tag = Some("how-to".into());
                    q.kinds = vec!["solution".into()];
                })
            )
            .is_empty()
        );
    }

    #[test]
    fn archived_articles_hidden_unless_asked_for() {
        let f = fixture(vec![
            full_doc("live", "article", "VPN 配置", "步骤", Some("published")),
            full_doc("old", "article", "VPN 旧版", "步骤", Some("Archived")),
            full_doc("req", "request", "VPN 需求", "步骤", Some("archived")),
        ]);
        assert_eq!(ids(&f.index, "vpn"), vec!["live", "req"]);
        let mut q = SearchQuery::new("vpn");
        q.status = Some("archived".into());
        let mut got = search_ids(&f.index, &q);
        got.sort();
        assert_eq!(got, vec!["old", "req"]);
    }

    #[test]
    fn hits_carry_fields_and_markdown_snippet() {
        let f = fixture(vec![full_doc(
            "a1",
            "article",
            "排班规则",
            "第一段介绍。\n本组的派工原则是轮流，不得插队。",
            Some("published"),
        )]);
        let hits = f
            .index
            .search(&SearchQuery::new("派工原则"))
            .expect("search");
        assert_eq!(hits.len(), 1);
        let h = &hits[0];
        assert_eq!(h.kind, "article");
        assert_eq!(h.title, "排班规则");
        assert_eq!(h.category.as_deref(), Some("Network"));
        assert_eq!(h.status.as_deref(), Some("published"));
        assert!(h.score > 0.0);
        assert!(h.snippet.contains("**派工原则**"), "{}", h.snippet);
        assert!(!h.snippet.contains('\n'));

        let hits = f
            .index
            .search(&SearchQuery::new("+库 +排"))
            .expect("search");
        assert!(hits.is_empty());
        let hits = f.index.search(&SearchQuery::new("插")).expect("search");
        assert!(hits[0].snippet.contains("**插**"), "{}", hits[0].snippet);
    }

    #[test]
    fn markdown_bold_in_the_text_does_not_mix_with_highlights() {
        let f = fixture(vec![doc(
            "a1",
            "article",
            "排班",
            "主管派工，**派工原则是轮流**：机会均等。",
        )]);
        let hits = f
            .index
            .search(&SearchQuery::new("派工原则"))
            .expect("search");
        let snippet = &hits[0].snippet;
        assert!(snippet.contains("，**派工原则**是轮流："), "{snippet}");
        assert!(!snippet.contains("****"), "{snippet}");
    }

    #[test]
    fn snippet_falls_back_to_title() {
        let f = fixture(vec![doc(
            "a1",
            "article",
            "Kubernetes 部署",
            "没有相关正文",
        )]);
        let hits = f
            .index
            .search(&SearchQuery::new("kubernetes"))
            .expect("search");
        assert_eq!(hits[0].snippet, "**Kubernetes** 部署");
    }

    #[test]
    fn empty_query_and_limits() {
        let f = fixture(
            (0..30)
                .map(|i| doc(&format!("d{i}"), "article", "VPN", &format!("第{i}篇")))
                .collect(),
        );
        assert!(matches!(
            f.index.search(&SearchQuery::new("？！…")),
            Err(SearchError::EmptyQuery)
        ));
        assert_eq!(
            search_ids(&f.index, &SearchQuery::new("vpn")).len(),
            DEFAULT_LIMIT
        );
        let mut q = SearchQuery::new("vpn");
        q.limit = 0;
        assert!(search_ids(&f.index, &q).is_empty());
        q.limit = usize::MAX;
        assert_eq!(search_ids(&f.index, &q).len(), 30);
    }

    #[test]
    fn suggest_ranks_related_articles_with_or_semantics() {
        let f = fixture(vec![
            full_doc(
                "fw",
                "article",
                "防火墙 VPN 配置指南",
                "IPsec 隧道配置步骤",
                Some("published"),
            ),
            full_doc("db", "article", "数据库备份", "每天备份", Some("published")),
            full_doc(
                "fw-old",
                "article",
                "防火墙 VPN 旧指南",
                "IPsec",
                Some("archived"),
            ),
            full_doc("req", "request", "防火墙 VPN 需求", "IPsec", Some("open")),
            full_doc(
                "net",
                "article",
                "网络规划",
                "VPN 与专线对比",
                Some("published"),
            ),
        ]);
        let hits = f
            .index
            .suggest("客户需要在防火墙上配置 IPsec VPN，产品 FireWall-X", 10)
            .expect("suggest");
        let got: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(got.first(), Some(&"fw"));
        assert!(got.contains(&"net"), "OR semantics: {got:?}");
        assert!(!got.contains(&"fw-old"));
        assert!(!got.contains(&"req"));
        assert!(!got.contains(&"db"));
        assert!(f.index.suggest("!!!", 5).expect("suggest").is_empty());
        assert!(f.index.suggest("防火墙", 0).expect("suggest").is_empty());
        // One-character CJK terms take part too.
        let hits = f.index.suggest("库", 5).expect("suggest");
        assert_eq!(hits[0].id, "db");
    }
}
#[cfg(test)]
mod coverage_tests {
    use crate::search::SearchQuery;
    use crate::search::test_util::{Store, doc};

    #[test]
    fn coverage_of_the_best_hit() {
        let mut store = Store::default();
        store.put(doc(
            "KB-1",
            "article",
            "派工原则说明",
            "派工依次轮流，机会均等",
        ));
        let mut index = crate::search::SearchIndex::in_memory().unwrap();
        store.sync(&mut index);
        let hits = index
            .search(&SearchQuery::new("派工 VPN 隧道 超时"))
            .unwrap();
        assert_eq!(hits.len(), 1);
        assert!(hits[0].coverage.unwrap() < 0.5, "{:?}", hits[0].coverage);
        let hits = index.search(&SearchQuery::new("派工原则")).unwrap();
        assert_eq!(hits[0].coverage, Some(1.0));
    }
}
