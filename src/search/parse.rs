//! Owns the query language: what people type, turned into what the index is asked.
//!
//! Search ranks, it does not filter. People type questions and half-remembered sentences
//! (`怎么手动收集表的统计信息`), so by default every term is optional and documents are
//! ordered by relevance:
//! * the text is split at whitespace and at Chinese and ASCII punctuation into chunks;
//! * question words and particles (`怎么`, `如何`, `哪些`, `什么`, `吗`, `的`, `how`, `what`…)
//!   are dropped from scoring, and a chunk is cut where one was;
//! * each chunk scores by its terms (bigrams of Chinese runs, lowercased and lightly stemmed
//!   Latin words) and, when it has several, once more as a phrase (the exact substring);
//! * a document holding every term scores once more.
//!
//! Strict control when wanted: `"…"` (also `“…”`, `「…」`, `『…』`) is a phrase that must
//! occur; `+word` must occur; `-word` must not; `a OR b` between strict items lets either
//! satisfy them; `title:`, `body:` restrict a word to one field; `tag:`, `category:`
//! filter exactly; `word*` matches Latin words starting with `word`. An unbalanced quote runs
//! to the end of the text. Text with nothing searchable is [`SearchError::EmptyQuery`].

use super::SearchError;
use super::tokenizer::{CjkMode, is_cjk, tokenize};

/// Which pair of fields a part is matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClauseFields {
    /// `title`/`body`: CJK bigrams + words.
    Bigram,
    /// `title_uni`/`body_uni`: CJK unigrams + words (a lone CJK character).
    Unigram,
}

/// Where a part may match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Title (weighted) or body.
    Any,
    Title,
    Body,
}

/// One thing to look for: a term (one token) or a phrase (several adjacent tokens).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub terms: Vec<String>,
    pub fields: ClauseFields,
    /// Written in quotes (or with `+`/`-`): matched as written.
    pub quoted: bool,
    pub target: Target,
    /// `word*`: Latin words starting with the one term.
    pub prefix: bool,
}

impl Clause {
    /// Several terms that must stand next to each other.
    pub fn is_phrase(&self) -> bool {
        self.terms.len() > 1
    }
}

/// An exact filter given in the query text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    Tag(String),
    Category(String),
}

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    /// Optional terms: each adds its BM25 score.
    pub terms: Vec<Clause>,
    /// Chunks of several terms: an exact occurrence scores again.
    pub phrases: Vec<Clause>,
    /// Strict items: each inner list must match (any one of its alternatives).
    pub required: Vec<Vec<Clause>>,
    /// Items that must not match.
    pub excluded: Vec<Clause>,
    pub filters: Vec<Filter>,
}

impl ParsedQuery {
    /// Every clause, for highlighting.
    pub fn all(&self) -> impl Iterator<Item = &Clause> {
        self.terms
            .iter()
            .chain(&self.phrases)
            .chain(self.required.iter().flatten())
    }
}

/// Question words and particles (Chinese), longest first: dropped from scoring unless
/// quoted, and a chunk is cut where one stood.
const ZH_STOP: &[&str] = &[
    "为什么",
    "怎么办",
    "有哪些",
    "是什么",
    "怎么样",
    "能不能",
    "可不可以",
    "请问",
    "怎么",
    "怎样",
    "如何",
    "哪些",
    "哪个",
    "哪里",
    "什么",
    "为何",
    "是否",
    "能否",
    "可以",
    "介绍",
    "了解",
    "一下",
    "关于",
    "有关",
    "我们",
    "需要",
    "应该",
    "吗",
    "呢",
    "吧",
    "啊",
    "的",
    "了",
    "么",
];

/// Question words and function words (English), dropped from scoring unless quoted.
const EN_STOP: &[&str] = &[
    "a", "an", "the", "how", "what", "why", "which", "where", "when", "who", "do", "does", "did",
    "is", "are", "was", "be", "can", "could", "should", "would", "to", "of", "in", "on", "for",
    "with", "and", "or", "i", "we", "you", "my", "our", "it", "this", "that", "from", "by", "at",
    "as", "about",
];

fn is_quote(c: char) -> bool {
    matches!(
        c,
        '"' | '\u{201C}' | '\u{201D}' | '\u{FF02}' | '「' | '」' | '『' | '』'
    )
}

/// A word or quoted text as typed, with its modifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Item {
    text: String,
    quoted: bool,
    sign: Sign,
    field: Option<Field>,
    /// `OR` stood before it.
    or_before: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sign {
    None,
    Plus,
    Minus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Title,
    Body,
    Tag,
    Category,
}

/// Splits the text into items: quoted runs and whitespace-separated words, with their
/// `+`/`-` signs, `field:` prefixes and `OR`s.
fn lex(text: &str) -> Vec<Item> {
    let mut items = Vec::new();
    let mut cur = String::new();
    let mut in_quote = false;
    let mut or_next = false;
    let mut pending: Option<(Sign, Option<Field>)> = None;
    let modifiers = |word: &str| -> (Sign, Option<Field>, String) {
        let (sign, rest) = match word.chars().next() {
            Some('+') => (Sign::Plus, &word[1..]),
            Some('-') => (Sign::Minus, &word[1..]),
            _ => (Sign::None, word),
        };
        let lower = rest.to_lowercase();
        for (name, field) in [
            ("title:", Field::Title),
            ("body:", Field::Body),
            ("tag:", Field::Tag),
            ("category:", Field::Category),
            ("title：", Field::Title),
            ("body：", Field::Body),
            ("tag：", Field::Tag),
            ("category：", Field::Category),
        ] {
            if lower.starts_with(name) {
                return (sign, Some(field), rest[name.len()..].to_string());
            }
        }
        (sign, None, rest.to_string())
    };
    let finish_word = |cur: &mut String, items: &mut Vec<Item>, or_next: &mut bool| {
        if cur.is_empty() {
            return;
        }
        let word = std::mem::take(cur);
        if word == "OR" {
            *or_next = true;
            return;
        }
        let (sign, field, text) = modifiers(&word);
        if text.is_empty() {
            return;
        }
        items.push(Item {
            text,
            quoted: false,
            sign,
            field,
            or_before: std::mem::take(or_next),
        });
    };
    for c in text.chars() {
        if is_quote(c) {
            if in_quote {
                let (sign, field) = pending.take().unwrap_or((Sign::None, None));
                items.push(Item {
                    text: std::mem::take(&mut cur),
                    quoted: true,
                    sign,
                    field,
                    or_before: std::mem::take(&mut or_next),
                });
            } else {
                // `-"…"`, `title:"…"`: the modifiers typed just before the quote.
                let (sign, field, rest) = modifiers(&cur);
                if rest.is_empty() && !cur.is_empty() {
                    pending = Some((sign, field));
                    cur.clear();
                } else {
                    finish_word(&mut cur, &mut items, &mut or_next);
                }
            }
            in_quote = !in_quote;
        } else if c.is_whitespace() && !in_quote {
            finish_word(&mut cur, &mut items, &mut or_next);
        } else {
            cur.push(c);
        }
    }
    if in_quote {
        // A dangling opening quote: the rest of the text is the phrase.
        let (sign, field) = pending.take().unwrap_or((Sign::None, None));
        if !cur.is_empty() {
            items.push(Item {
                text: cur,
                quoted: true,
                sign,
                field,
                or_before: or_next,
            });
        }
    } else {
        finish_word(&mut cur, &mut items, &mut or_next);
    }
    items.retain(|i| !i.text.trim().is_empty());
    items
}

fn is_lone_cjk(token: &str) -> bool {
    let mut chars = token.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if is_cjk(c))
}

/// The clause for a piece of text matched as written (a term, or a phrase of its tokens).
fn exact(text: &str, quoted: bool, target: Target) -> Option<Clause> {
    let bigrams = tokenize(text, CjkMode::Bigram);
    if bigrams.is_empty() {
        return None;
    }
    let (mode, fields) = if bigrams.iter().any(|t| is_lone_cjk(&t.text)) {
        (CjkMode::Unigram, ClauseFields::Unigram)
    } else {
        (CjkMode::Bigram, ClauseFields::Bigram)
    };
    let terms = if mode == CjkMode::Bigram {
        bigrams.into_iter().map(|t| t.text).collect()
    } else {
        tokenize(text, mode).into_iter().map(|t| t.text).collect()
    };
    Some(Clause {
        terms,
        fields,
        quoted,
        target,
        prefix: false,
    })
}

/// Chunks of free text: split at whitespace and punctuation, and where a stop word stood
/// (unless `keep_stop`).
fn chunks(text: &str, keep_stop: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    'outer: while i < chars.len() {
        let c = chars[i];
        if !(c.is_alphanumeric() || c == '*' || c == '\'' || c == '-' || c == '_' || c == '.') {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            i += 1;
            continue;
        }
        if !keep_stop && is_cjk(c) {
            for stop in ZH_STOP {
                let n = stop.chars().count();
                if i + n <= chars.len() && chars[i..i + n].iter().copied().eq(stop.chars()) {
                    if !cur.is_empty() {
                        out.push(std::mem::take(&mut cur));
                    }
                    i += n;
                    continue 'outer;
                }
            }
        }
        cur.push(c);
        i += 1;
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The scored clauses of a chunk of free text: its terms, and its phrase when it has
/// several.
fn free(chunk: &str, target: Target, keep_stop: bool, q: &mut ParsedQuery) {
    let trimmed = chunk.trim_matches(|c: char| c == '-' || c == '.' || c == '\'' || c == '_');
    if let Some(stem) = trimmed.strip_suffix('*')
        && !stem.is_empty()
        && stem.chars().all(|c| c.is_alphanumeric() && !is_cjk(c))
    {
        q.terms.push(Clause {
            terms: vec![super::tokenizer::normalize_word(stem)],
            fields: ClauseFields::Bigram,
            quoted: false,
            target,
            prefix: true,
        });
        return;
    }
    let Some(c) = exact(trimmed, false, target) else {
        return;
    };
    let words: Vec<String> = c
        .terms
        .iter()
        .filter(|t| keep_stop || !EN_STOP.contains(&t.as_str()))
        .cloned()
        .collect();
    if words.is_empty() {
        return;
    }
    for t in &words {
        q.terms.push(Clause {
            terms: vec![t.clone()],
            fields: c.fields,
            quoted: false,
            target,
            prefix: false,
        });
    }
    if words.len() > 1 && words.len() == c.terms.len() {
        q.phrases.push(c);
    }
}

/// Parses what was typed (see the module docs).
pub fn parse(text: &str) -> Result<ParsedQuery, SearchError> {
    let q = parse_with(text, false)?;
    if q.terms.is_empty() && q.required.is_empty() && q.excluded.is_empty() && q.filters.is_empty()
    {
        // Only stop words: search them after all.
        return parse_with(text, true);
    }
    Ok(q)
}

fn parse_with(text: &str, keep_stop: bool) -> Result<ParsedQuery, SearchError> {
    let mut q = ParsedQuery::default();
    let items = lex(text);
    for (n, item) in items.iter().enumerate() {
        let target = match item.field {
            Some(Field::Title) => Target::Title,
            Some(Field::Body) => Target::Body,
            _ => Target::Any,
        };
        match item.field {
            Some(Field::Tag) => {
                q.filters.push(Filter::Tag(item.text.trim().to_string()));
                continue;
            }
            Some(Field::Category) => {
                q.filters
                    .push(Filter::Category(item.text.trim().to_string()));
                continue;
            }
            _ => {}
        }
        let strict = item.quoted || item.sign == Sign::Plus;
        if item.sign == Sign::Minus {
            if let Some(c) = exact(&item.text, true, target) {
                q.excluded.push(c);
            }
            continue;
        }
        if strict {
            let Some(c) = exact(&item.text, true, target) else {
                continue;
            };
            // `a OR "b"`: joins the previous strict item's alternatives.
            let joins =
                item.or_before && n > 0 && (items[n - 1].quoted || items[n - 1].sign == Sign::Plus);
            match q.required.last_mut() {
                Some(last) if joins => last.push(c),
                _ => q.required.push(vec![c]),
            }
            continue;
        }
        for chunk in chunks(&item.text, keep_stop) {
            free(&chunk, target, keep_stop, &mut q);
        }
    }
    // The same term typed twice counts once.
    let mut seen = std::collections::HashSet::new();
    q.terms
        .retain(|c| seen.insert((c.terms.clone(), c.target as u8, c.prefix)));
    if q.terms.is_empty() && q.required.is_empty() && q.excluded.is_empty() && q.filters.is_empty()
    {
        if keep_stop {
            return Err(SearchError::EmptyQuery);
        }
        return Ok(q);
    }
    if q.terms.is_empty() && q.required.is_empty() && q.filters.is_empty() {
        // Only exclusions: nothing to rank by.
        return Err(SearchError::EmptyQuery);
    }
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(q: &ParsedQuery) -> Vec<String> {
        q.terms.iter().map(|c| c.terms.join("")).collect()
    }

    #[test]
    fn questions_lose_their_question_words_and_split_at_particles() {
        let q = parse("怎么手动收集表的统计信息").unwrap();
        assert_eq!(
            terms(&q),
            ["手动", "动收", "收集", "集表", "统计", "计信", "信息"]
        );
        let phrases: Vec<String> = q.phrases.iter().map(|c| c.terms.join(" ")).collect();
        assert_eq!(phrases, ["手动 动收 收集 集表", "统计 计信 信息"]);
        assert!(q.required.is_empty());
        let q = parse("How do I back up to S3?").unwrap();
        assert_eq!(terms(&q), ["back", "up", "s3"]);
        // Only stop words: searched after all.
        assert_eq!(terms(&parse("什么").unwrap()), ["什么"]);
    }

    #[test]
    fn latin_words_are_lowercased_and_lightly_stemmed() {
        assert_eq!(terms(&parse("Backups").unwrap()), ["backup"]);
        assert_eq!(terms(&parse("indices").unwrap()), ["index"]);
        assert_eq!(terms(&parse("TiDB 集群").unwrap()), ["tidb", "集群"]);
    }

    #[test]
    fn quotes_plus_minus_or_and_fields_are_strict() {
        let q = parse("\"派工原则\" -请假 title:轮流 tag:流程 category:faq backup*").unwrap();
        assert_eq!(q.required.len(), 1);
        assert_eq!(q.required[0][0].terms, ["派工", "工原", "原则"]);
        assert_eq!(q.excluded[0].terms, ["请假"]);
        assert!(
            q.terms
                .iter()
                .any(|c| c.target == Target::Title && c.terms == ["轮流"])
        );
        assert_eq!(
            q.filters,
            [Filter::Tag("流程".into()), Filter::Category("faq".into())]
        );
        assert!(q.terms.iter().any(|c| c.prefix && c.terms == ["backup"]));
        let q = parse("+备份 OR \"恢复\" 集群").unwrap();
        assert_eq!(q.required.len(), 1);
        assert_eq!(q.required[0].len(), 2);
        assert_eq!(terms(&q), ["集群"]);
        // `OR` is never searched as a word.
        assert!(!terms(&parse("a OR b").unwrap()).contains(&"or".to_string()));
        let q = parse("-\"旧版 文档\" 新版").unwrap();
        assert_eq!(q.excluded[0].terms, ["旧版", "文档"]);
    }

    #[test]
    fn unbalanced_quotes_and_lone_characters() {
        let q = parse("“派工 原则").unwrap();
        assert_eq!(q.required[0][0].terms, ["派工", "原则"]);
        let q = parse("库").unwrap();
        assert_eq!(q.terms[0].fields, ClauseFields::Unigram);
        assert!(matches!(parse("，。！"), Err(SearchError::EmptyQuery)));
        assert!(matches!(parse("-x"), Err(SearchError::EmptyQuery)));
    }
}
