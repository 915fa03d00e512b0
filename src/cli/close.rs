//! `presales close`: close a request with its outcome and written summary.

use super::{Ctx, output};
use crate::error::Result;
use crate::model::{Kind, Outcome};
use crate::ops::{self, Closing};

/// Close a request with its outcome and summary (工作记录与总结).
///
/// From the last stage of the path any outcome is allowed; earlier, only `cancelled`
/// (and `infeasible` from analysis), as presales.toml's [workflow.close] says.
///
/// Examples:
///   presales close 7KQ2MX --outcome won --summary '客户签约，技术方案获认可' --satisfaction 5 --technical-win
///   presales close 7KQ2MX --outcome cancelled --summary 'Customer froze the budget'
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    id: String,
    #[arg(long, value_parser = parse_outcome)]
    outcome: Outcome,
    #[arg(long)]
    summary: String,
    /// Customer satisfaction, 1–5.
    #[arg(long, value_parser = super::parse_scale, allow_hyphen_values = true)]
    satisfaction: Option<u8>,
    /// The customer accepted the technical solution, whatever the commercial outcome.
    #[arg(long)]
    technical_win: bool,
}

fn parse_outcome(s: &str) -> std::result::Result<Outcome, String> {
    s.parse()
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let store = ctx.store()?;
    let id = store.resolve(Kind::Request, &a.id)?;
    let actor = ctx.actor(&store)?;
    let (req, touched) = ops::close(
        &store,
        &actor,
        &id,
        Closing {
            outcome: a.outcome,
            summary: a.summary,
            satisfaction: a.satisfaction,
            technical_win: a.technical_win,
        },
    )?;
    ctx.written(&store, &touched, &format!("{id}: close ({})", a.outcome))?;
    output::print(&format!("{id}: closed ({})\n", a.outcome))?;
    debug_assert_eq!(req.stage, crate::workflow::CLOSED);
    Ok(())
}
