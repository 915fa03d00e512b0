//! `presales reopen` and `presales rate`: corrections to a closed request, as recorded moves.

use super::{Ctx, output};
use crate::error::Result;
use crate::model::Kind;
use crate::ops;

/// Reopen a closed request, back in the stage it was closed from (lead).
///
/// The outcome, summary, satisfaction and technical win are cleared; the history keeps the
/// close and records why it was reopened. Close it again with `presales close`.
///
/// Examples:
///   presales reopen 7KQ2MX --note '客户追加需求，重新评估'
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ReopenArgs {
    /// Request ID or unique abbreviation.
    id: String,
    /// Why it is reopened.
    #[arg(long)]
    note: String,
}

pub fn run_reopen(ctx: &Ctx, a: ReopenArgs) -> Result<()> {
    let store = ctx.store()?;
    let id = store.resolve(Kind::Request, &a.id)?;
    let actor = ctx.actor(&store)?;
    let (req, written) = ops::reopen(&store, &actor, &id, &a.note)?;
    ctx.written(&store, &written)?;
    output::print(&format!("{id}: reopened in {}\n", req.stage))?;
    Ok(())
}

/// Record a customer satisfaction score (1–5) that arrives after the request closed.
///
/// Examples:
///   presales rate 7KQ2MX --satisfaction 4 --note '回访电话'
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct RateArgs {
    /// Request ID or unique abbreviation.
    id: String,
    /// Customer satisfaction, 1–5.
    #[arg(long, value_parser = super::parse_scale, allow_hyphen_values = true)]
    satisfaction: u8,
    /// Where the score comes from (a survey, a call).
    #[arg(long)]
    note: Option<String>,
}

pub fn run_rate(ctx: &Ctx, a: RateArgs) -> Result<()> {
    let store = ctx.store()?;
    let id = store.resolve(Kind::Request, &a.id)?;
    let actor = ctx.actor(&store)?;
    let (_, written) = ops::rate(&store, &actor, &id, a.satisfaction, a.note)?;
    ctx.written(&store, &written)?;
    output::print(&format!("{id}: satisfaction {}\n", a.satisfaction))?;
    Ok(())
}
