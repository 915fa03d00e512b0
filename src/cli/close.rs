//! `presales close`: close a request with its outcome and written summary.

use super::{Ctx, output};
use crate::error::Result;
use crate::model::{Kind, Outcome};
use crate::ops::{self, Closing};

/// Close a request with its outcome and summary (工作记录与总结).
///
/// From the last stage of the path the type's outcomes are allowed (won, lost, no_decision,
/// infeasible; resolved or rejected for a complaint); earlier, only `cancelled` (and
/// `infeasible` from analysis, `rejected` from investigating), as presales.toml's
/// [workflow.close] says.
///
/// Examples:
///   presales close 7KQ2MX --outcome won --summary '客户签约，技术方案获认可' --satisfaction 5 --technical-win
///   presales close 7KQ2MX --outcome cancelled --summary 'Customer froze the budget'
///   presales close 7KQ2MX --outcome lost --loss-reason price --competitor Acme --summary '报价偏高'
///   presales close 7KQ2MX --outcome won --technical-win --evidence '客户CTO在评审会上书面确认' --summary '签约'
///   presales close 9N8T98 --outcome resolved --resolution '补发授权文件，客户确认可用' --satisfaction 4
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Request ID or unique abbreviation.
    id: String,
    /// won, lost, cancelled, no_decision, infeasible; for a complaint resolved or rejected.
    #[arg(long, value_parser = parse_outcome)]
    outcome: Outcome,
    /// What was done and how it ended (工作记录与总结); for a complaint, defaults to the
    /// resolution.
    #[arg(long)]
    summary: Option<String>,
    /// How a complaint was settled, or why it was rejected (with --outcome resolved or
    /// rejected; required there).
    #[arg(long)]
    resolution: Option<String>,
    /// Customer satisfaction, 1–5.
    #[arg(long, value_parser = super::parse_scale, allow_hyphen_values = true)]
    satisfaction: Option<u8>,
    /// The customer accepted the technical solution, whatever the commercial outcome.
    #[arg(long)]
    technical_win: bool,
    /// Who confirmed the technical win, and how (with --technical-win).
    #[arg(long, requires = "technical_win")]
    evidence: Option<String>,
    /// Why the deal was lost: one of [deals] loss_reasons in presales.toml (default: price,
    /// features, competitor, timing, relationship, no_decision, other).
    #[arg(long)]
    loss_reason: Option<String>,
    /// Who won the deal instead (with --outcome lost).
    #[arg(long)]
    competitor: Option<String>,
}

fn parse_outcome(s: &str) -> std::result::Result<Outcome, String> {
    s.parse()
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let store = ctx.store()?;
    let id = store.resolve(Kind::Request, &a.id)?;
    let actor = ctx.actor(&store)?;
    let (req, written) = ops::close(
        &store,
        &actor,
        &id,
        Closing {
            outcome: a.outcome,
            summary: a.summary.unwrap_or_default(),
            resolution: a.resolution,
            satisfaction: a.satisfaction,
            technical_win: a.technical_win,
            evidence: a.evidence,
            loss_reason: a.loss_reason,
            competitor: a.competitor,
        },
    )?;
    ctx.written(&store, &written)?;
    output::print(&format!("{id}: closed ({})\n", a.outcome))?;
    debug_assert_eq!(req.stage, crate::workflow::CLOSED);
    Ok(())
}
