//! `presales assess`: record the feasibility analysis (需求分析与评估).

use super::{Ctx, output};
use crate::error::Result;
use crate::model::Kind;
use crate::model::request::Assessment;
use crate::ops;

/// Record the feasibility analysis of a request.
///
/// An assigned request moves to `analysis`.
///
/// Examples:
///   presales assess 7KQ2MX --feasibility feasible --difficulty 3 --notes '现有产品可覆盖，需定制接口'
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Request ID or unique abbreviation.
    id: String,
    /// feasible, partial or infeasible
    #[arg(long, value_parser = ["feasible", "partial", "infeasible"])]
    feasibility: String,
    /// 1 (easy) to 5 (hard)
    #[arg(long, value_parser = super::parse_scale, allow_hyphen_values = true)]
    difficulty: u8,
    /// The analysis: what fits, what needs work (需求分析).
    #[arg(long)]
    notes: Option<String>,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let store = ctx.store()?;
    let id = store.resolve(Kind::Request, &a.id)?;
    let actor = ctx.actor(&store)?;
    let assessment = Assessment {
        feasibility: ops::feasibility(&a.feasibility)?,
        difficulty: a.difficulty,
        notes: a.notes.filter(|n| !n.trim().is_empty()),
        extra: Default::default(),
    };
    let (req, written) = ops::assess(&store, &actor, &id, assessment)?;
    ctx.written(&store, &written)?;
    output::print(&format!("{id} assessed; stage: {}\n", req.stage))?;
    Ok(())
}
