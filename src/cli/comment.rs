//! `presales comment`: add a note to a request's history.

use super::{Ctx, output};
use crate::error::Result;
use crate::model::Kind;
use crate::ops;

/// Append a comment to a request's history.
///
/// Examples:
///   presales comment 7KQ2MX '客户希望下周二演示'
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Request ID or unique abbreviation.
    id: String,
    /// The comment (internal: not a first response unless [workflow] first_response lists `comment`).
    text: String,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let store = ctx.store()?;
    let id = store.resolve(Kind::Request, &a.id)?;
    let actor = ctx.actor(&store)?;
    let (req, written) = ops::comment(&store, &actor, &id, &a.text)?;
    ctx.written(&store, &written)?;
    output::print(&format!(
        "{id}: comment added ({} history entries)\n",
        req.history.len()
    ))?;
    Ok(())
}
