//! `presales review`, `presales approve`, `presales handover`: review rounds, the manager's
//! four-eyes approval and the handover to sales.

use super::{Ctx, output};
use crate::error::Result;
use crate::model::Kind;
use crate::model::solution::{Training, VerdictKind};
use crate::ops::solution as sol_ops;

/// Give your verdict on a solution in its open review round (方案评审).
///
/// A round opens when the request enters `review` and closes when it leaves it. Each
/// reviewer gives one verdict per round; the author cannot review their own solution.
///
/// Examples:
///   presales review SOL-… --verdict pass --comment '技术可行，风险可控' --as wang.fang
///   presales review SOL-… --verdict revise --comment 'Add a DR site' --as zhang.wei
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ReviewArgs {
    /// Solution ID or unique abbreviation.
    id: String,
    /// pass, revise or reject.
    #[arg(long, value_parser = ["pass", "revise", "reject"])]
    verdict: String,
    /// The review opinion (评审意见).
    #[arg(long)]
    comment: String,
}

/// Approve a solution (方案批准).
///
/// By an approver who is neither its author nor the request's assignee, after a passed review
/// round. The request moves to `approved`.
///
/// Examples:
///   presales approve SOL-… --note '同意报价' --as chen.jing
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ApproveArgs {
    /// Solution ID or unique abbreviation.
    id: String,
    /// Conditions or remarks of the approval; kept in history.
    #[arg(long)]
    note: Option<String>,
}

/// Hand an approved solution over to sales with training (方案交接与培训).
///
/// The request moves to `handover`.
///
/// Examples:
///   presales handover 7KQ2MX --to zhao.lei --training '2026-12-20 方案讲解 zhao.lei,sun.li'
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct HandoverArgs {
    /// Request ID or unique abbreviation.
    id: String,
    /// The sales member taking over.
    #[arg(long)]
    to: String,
    /// A training session: "DATE TOPIC [ATTENDEE,…]" (repeatable).
    #[arg(long, value_parser = sol_ops::parse_training)]
    training: Vec<Training>,
    /// What sales needs to know to run with it (交接说明).
    #[arg(long)]
    notes: Option<String>,
}

pub fn run_review(ctx: &Ctx, a: ReviewArgs) -> Result<()> {
    let store = ctx.store()?;
    let id = store.resolve(Kind::Solution, &a.id)?;
    let actor = ctx.actor(&store)?;
    let verdict = match a.verdict.as_str() {
        "pass" => VerdictKind::Pass,
        "revise" => VerdictKind::Revise,
        _ => VerdictKind::Reject,
    };
    let (sol, written) = sol_ops::review(&store, &actor, &id, verdict, &a.comment)?;
    ctx.written(&store, &written)?;
    let round = sol.reviews.last().map_or(0, |r| r.round);
    output::print(&format!(
        "{id}: {} gave `{}` in review round {round}\n",
        actor.id, a.verdict
    ))?;
    Ok(())
}

pub fn run_approve(ctx: &Ctx, a: ApproveArgs) -> Result<()> {
    let store = ctx.store()?;
    let id = store.resolve(Kind::Solution, &a.id)?;
    let actor = ctx.actor(&store)?;
    let (sol, written) = sol_ops::approve(&store, &actor, &id, a.note)?;
    ctx.written(&store, &written)?;
    output::print(&format!(
        "{id} v{} approved by {}; {} is now approved\n",
        sol.version, actor.id, sol.request
    ))?;
    Ok(())
}

pub fn run_handover(ctx: &Ctx, a: HandoverArgs) -> Result<()> {
    let store = ctx.store()?;
    let id = store.resolve(Kind::Request, &a.id)?;
    let actor = ctx.actor(&store)?;
    let (req, written) = sol_ops::handover(&store, &actor, &id, &a.to, a.training, a.notes)?;
    ctx.written(&store, &written)?;
    output::print(&format!(
        "{id}: handed over to {}; stage: {}\n",
        a.to, req.stage
    ))?;
    Ok(())
}
