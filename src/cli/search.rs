//! `presales search`: one query over articles, requests and solutions; and the parts every
//! search command shares (progress bar, hit rendering, sync reports).

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{Ctx, Format, output};
use crate::error::Result;
use crate::kb::index::{self, Phase, Synced};
use crate::search::{Hit, SearchQuery};

/// Search articles, requests, solutions and customers at once, best first.
///
/// Type words or a whole question: every word is optional and results are ranked (question
/// words such as 怎么 or how are left out). "Quotes" make a phrase that must occur, +word
/// must occur, -word must not, `a OR b` lets either strict item do; title: and body: look
/// in one field, tag: and category: filter, word* matches the start of a Latin word.
/// Archived articles and confidential records are left out unless asked for.
///
/// Examples:
///   presales search 派工原则
///   presales search 怎么给集群扩容
///   presales search VPN IPsec --kind request --kind solution
///   presales search '"load balancer"' -legacy --format json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Words to search for (several arguments are joined with spaces).
    #[arg(required = true, num_args = 1..)]
    query: Vec<String>,
    /// Only this kind of record: article, request, solution, customer, gap or training
    /// (repeatable).
    #[arg(long = "kind", value_parser = parse_kind)]
    kinds: Vec<String>,
    /// Only records about this product.
    #[arg(long)]
    product: Option<String>,
    /// Only records with this tag.
    #[arg(long)]
    tag: Option<String>,
    /// At most this many hits.
    #[arg(long, default_value_t = 20, value_parser = super::parse_count, allow_hyphen_values = true)]
    limit: usize,
    /// Also confidential customers, requests and articles (left out by default, as the
    /// reports do).
    #[arg(long)]
    include_confidential: bool,
}

/// `--kind`: one of the kinds of record the index holds.
fn parse_kind(s: &str) -> std::result::Result<String, String> {
    let indexed: Vec<&str> = index::INDEXED.iter().map(|k| k.noun()).collect();
    if indexed.contains(&s) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "unknown kind `{s}` (expected one of: {})",
            indexed.join(", ")
        ))
    }
}

/// Counts the search in the store's private search log (`report kb` lists the unanswered
/// ones). Best effort: a store that cannot be written still searches.
pub(super) fn note_search(ctx: &Ctx, store: &crate::store::Store, text: &str, answered: bool) {
    if let Ok(now) = ctx.now() {
        let _ = store.record_search(text, answered, now);
    }
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let store = ctx.store()?;
    let query = SearchQuery {
        text: a.query.join(" "),
        kinds: a.kinds,
        category: None,
        status: None,
        product: a.product,
        tag: a.tag,
        limit: a.limit,
        include_confidential: a.include_confidential,
    };
    let mut bar = Bar::new();
    let (synced, hits, answered) =
        index::search(&store, &query, &mut |p, d, t, r| bar.update(p, d, t, r))?;
    bar.finish();
    note_search(ctx, &store, &query.text, answered);
    report_sync(ctx, &synced);
    print_hits(ctx, &hits, &query.text)
}

/// A progress bar on stderr for long syncs (a rebuild, or many changed records); nothing
/// when stderr is not a terminal.
pub(super) struct Bar {
    enabled: bool,
    bar: Option<ProgressBar>,
    phase: Option<Phase>,
}

/// Below this many records to read, a sync is quick enough to need no bar.
const BAR_THRESHOLD: usize = 200;

impl Bar {
    pub(super) fn new() -> Bar {
        Bar {
            enabled: std::io::stderr().is_terminal(),
            bar: None,
            phase: None,
        }
    }

    pub(super) fn update(&mut self, phase: Phase, done: usize, total: usize, rebuilding: bool) {
        if !self.enabled {
            return;
        }
        if self.phase != Some(phase) {
            self.phase = Some(phase);
            if let Some(b) = self.bar.take() {
                b.finish_and_clear();
            }
            let wanted = match phase {
                Phase::Scan => rebuilding && total >= BAR_THRESHOLD,
                Phase::Index => rebuilding || total >= BAR_THRESHOLD,
            };
            if wanted && total > 0 {
                let b =
                    ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
                if let Ok(style) =
                    ProgressStyle::with_template("{msg:>16} [{bar:30}] {pos}/{len} ({eta})")
                {
                    b.set_style(style.progress_chars("=> "));
                }
                b.set_message(match phase {
                    Phase::Scan => "reading records",
                    Phase::Index => "indexing",
                });
                self.bar = Some(b);
            }
        }
        if let Some(b) = &self.bar {
            b.set_position(done as u64);
        }
    }

    pub(super) fn finish(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}

/// Reports what the sync could not index (exit code 1 at the end), its warnings (the index
/// was searched without the latest changes) and its notes (a damaged index was rebuilt, an
/// index was built in memory): each one line on stderr, none changing the exit code.
pub(super) fn report_sync(ctx: &Ctx, synced: &Synced) {
    for e in &synced.problems {
        ctx.warn_error(e);
    }
    for w in &synced.warnings {
        eprintln!("warning: {w}");
    }
    for n in &synced.notes {
        eprintln!("note: {n}");
    }
}

/// Hits as a table (ID, TITLE, CATEGORY, snippet) or in the chosen format; JSON and YAML
/// carry every field of a hit: id, kind, title, category, status, score, snippet.
pub(super) fn print_hits(ctx: &Ctx, hits: &[Hit], query: &str) -> Result<()> {
    let text = !matches!(ctx.format, Format::Json | Format::Yaml | Format::Csv);
    if hits.is_empty() && text {
        eprintln!("no matches for `{query}`");
        return Ok(());
    }
    let bold = ctx.color && std::io::stdout().is_terminal();
    let rows = hits
        .iter()
        .map(|h| {
            vec![
                h.id.clone(),
                h.title.clone(),
                h.category.clone().unwrap_or_default(),
                if text && bold {
                    emphasize(&h.snippet)
                } else {
                    h.snippet.clone()
                },
            ]
        })
        .collect();
    output::print(&output::list(
        ctx.format,
        hits,
        &["ID", "TITLE", "CATEGORY", "SNIPPET"],
        rows,
    )?)?;
    Ok(())
}

/// `**match**` → bold on a terminal.
fn emphasize(snippet: &str) -> String {
    let mut out = String::with_capacity(snippet.len() + 16);
    let parts: Vec<&str> = snippet.split("**").collect();
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 {
            out.push_str("\x1b[1m");
            out.push_str(part);
            out.push_str("\x1b[0m");
        } else {
            out.push_str(part);
        }
    }
    // Markdown bold in the text itself can leave a marker unpaired: never leak bold.
    if parts.len().is_multiple_of(2) {
        out.push_str("\x1b[0m");
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn emphasize_turns_markers_into_bold() {
        assert_eq!(super::emphasize("a **派工** b"), "a \x1b[1m派工\x1b[0m b");
    }
}
