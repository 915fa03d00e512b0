//! `presales reindex`: rebuild the search index from the record files.

use serde::Serialize;

use super::search::{Bar, report_sync};
use super::{Ctx, Format, output};
use crate::error::Result;
use crate::kb::index;

/// Rebuild the search index (.presales/index/) from every article, request and solution.
///
/// Never needed for correctness: every search updates the index by itself, and rebuilds it
/// when it is missing, outdated or damaged. Useful after restoring a backup of .presales/,
/// or to time a full rebuild.
///
/// The new index is built beside the current one, which searches keep using until the new
/// one is complete; if it cannot be written (a full disk), the current one is kept.
///
/// Examples:
///   presales reindex
///   presales reindex --format json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {}

#[derive(Serialize)]
struct Summary {
    documents: u64,
    articles: usize,
    requests: usize,
    solutions: usize,
    failed: usize,
    seconds: f64,
}

pub fn run(ctx: &Ctx, _a: Args) -> Result<()> {
    let store = ctx.store()?;
    let mut bar = Bar::new();
    let synced = index::rebuild(&store, &mut |p, d, t, r| bar.update(p, d, t, r))?;
    bar.finish();
    report_sync(ctx, &synced);
    let count = |k: &str| synced.listed.get(k).copied().unwrap_or(0);
    let summary = Summary {
        documents: synced.documents,
        articles: count("article"),
        requests: count("request"),
        solutions: count("solution"),
        failed: synced.stats.failed.len(),
        seconds: synced.elapsed.as_secs_f64(),
    };
    match ctx.format {
        Format::Json => output::print(&output::json(&summary)?)?,
        Format::Yaml => output::print(&output::yaml(&summary)?)?,
        _ => output::print(&format!(
            "indexed {} documents ({} articles, {} requests, {} solutions) in {:.2}s{}\n",
            summary.documents,
            summary.articles,
            summary.requests,
            summary.solutions,
            summary.seconds,
            if summary.failed > 0 {
                format!("; {} could not be read", summary.failed)
            } else {
                String::new()
            }
        ))?,
    }
    Ok(())
}
