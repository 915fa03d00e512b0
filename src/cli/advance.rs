//! `presales advance`: move a request to its next stage (or a chosen legal one).

use super::{Ctx, output};
use crate::error::Result;
use crate::model::Kind;
use crate::ops;

/// Move a request to the next stage of its path, or --to a legal one (a revise loop such as `review → design`).
///
/// An illegal move names the current stage, the legal next stages and what each still lacks.
///
/// Examples:
///   presales advance 7KQ2MX
///   presales advance 7KQ2MX --to design --note '客户要求增加容灾'
///   presales advance 7KQ2MX --to answered --note 'Yes: the gateway supports OAuth 2.0'
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Request ID or unique abbreviation.
    id: String,
    /// Target stage (default: the next one on the path).
    #[arg(long)]
    to: Option<String>,
    /// Why, or the answer for `answered`; kept in history.
    #[arg(long)]
    note: Option<String>,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let store = ctx.store()?;
    let id = store.resolve(Kind::Request, &a.id)?;
    let actor = ctx.actor(&store)?;
    let done = ops::advance(&store, &actor, &id, a.to.as_deref(), a.note.as_deref())?;
    ctx.written(&store, &done.written)?;
    output::print(&format!("{id}: {} → {}\n", done.from, done.to))?;
    Ok(())
}
