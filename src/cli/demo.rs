//! `presales demo` and `presales feedback`: the demo meeting and the feedback collected.

use chrono::NaiveDate;

use super::{Ctx, output, parse_date};
use crate::error::Result;
use crate::model::Kind;
use crate::model::request::Disposition;
use crate::ops::solution as sol_ops;

/// Record a demo meeting (演示会议) once it is held, or plan one for a later date.
///
/// A request in design moves to `demo` (its solution needs a plan, a time plan and
/// resources). A demo dated after today is refused: plan it with --planned instead. A
/// planned demo is listed by `presales agenda` and satisfies no guard until it is recorded
/// as held with --held N (N as `presales show` numbers the planned demos).
///
/// Examples:
///   presales demo 7KQ2MX --date 2026-12-02 --attendee 客户CTO --attendee 'IT 经理' --notes '现场演示 SD-WAN 切换'
///   presales demo 7KQ2MX --planned --date 2026-12-09 --attendee 客户CTO
///   presales demo 7KQ2MX --held 1
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct DemoArgs {
    /// Request ID or unique abbreviation.
    id: String,
    /// The day of the demo (for --held: the day it was held, default the planned day).
    #[arg(long, value_parser = parse_date, required_unless_present = "held")]
    date: Option<NaiveDate>,
    /// Who attended, or will attend (repeatable).
    #[arg(long = "attendee", required_unless_present_any = ["planned", "held"])]
    attendees: Vec<String>,
    /// Notes on the demo.
    #[arg(long)]
    notes: Option<String>,
    /// Plan the demo for --date, today or later: it is not held yet.
    #[arg(long, conflicts_with = "held")]
    planned: bool,
    /// Record planned demo N (or its id) as held.
    #[arg(long, value_name = "N")]
    held: Option<String>,
}

/// Collect feedback from the latest demo (收集反馈), or set an item's disposition.
///
/// Every item needs a disposition (accepted, rejected or done) before the request may move
/// to review.
///
/// Examples:
///   presales feedback 7KQ2MX --from 客户CTO --text '需要支持双活容灾'
///   presales feedback 7KQ2MX --item 1 --disposition accepted
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct FeedbackArgs {
    /// Request ID or unique abbreviation.
    id: String,
    /// Who said it (a person at the demo).
    #[arg(long, requires = "text", conflicts_with_all = ["item", "disposition"])]
    from: Option<String>,
    /// The feedback (反馈意见), one item.
    #[arg(long)]
    text: Option<String>,
    /// Feedback item number (1-based) of the latest demo.
    #[arg(long, requires = "disposition", value_parser = super::parse_count, allow_hyphen_values = true)]
    item: Option<usize>,
    /// With --item N: accepted, rejected or done.
    #[arg(long, value_parser = ["accepted", "rejected", "done"], requires = "item")]
    disposition: Option<String>,
}

pub fn run_demo(ctx: &Ctx, a: DemoArgs) -> Result<()> {
    let store = ctx.store()?;
    let id = store.resolve(Kind::Request, &a.id)?;
    let actor = ctx.actor(&store)?;
    let (req, written) = match (a.held, a.date) {
        (Some(which), date) => {
            sol_ops::hold_demo(&store, &actor, &id, &which, date, a.attendees, a.notes)?
        }
        (None, Some(date)) if a.planned => {
            let (req, written) =
                sol_ops::plan_demo(&store, &actor, &id, date, a.attendees, a.notes)?;
            ctx.written(&store, &written)?;
            output::print(&format!(
                "{id}: demo planned on {date} (planned demo {} of {}; not held yet)\n",
                req.planned_demos
                    .iter()
                    .position(|d| d.date == date)
                    .map_or(req.planned_demos.len(), |i| i + 1),
                req.planned_demos.len()
            ))?;
            return Ok(());
        }
        (None, Some(date)) => {
            sol_ops::record_demo(&store, &actor, &id, date, a.attendees, a.notes)?
        }
        (None, None) => unreachable!("clap requires --date without --held"),
    };
    ctx.written(&store, &written)?;
    output::print(&format!(
        "{id}: demo {} recorded; stage: {}\n",
        req.demos.len(),
        req.stage
    ))?;
    Ok(())
}

pub fn run_feedback(ctx: &Ctx, a: FeedbackArgs) -> Result<()> {
    let store = ctx.store()?;
    let id = store.resolve(Kind::Request, &a.id)?;
    let actor = ctx.actor(&store)?;
    match (a.from, a.text, a.item, a.disposition) {
        (Some(from), Some(text), None, None) => {
            let (req, written) = sol_ops::add_feedback(&store, &actor, &id, &from, &text)?;
            let n = req.demos.last().map_or(0, |d| d.feedback.len());
            ctx.written(&store, &written)?;
            output::print(&format!("{id}: feedback item {n} added\n"))?;
        }
        (None, None, Some(item), Some(d)) => {
            let disposition = match d.as_str() {
                "accepted" => Disposition::Accepted,
                "rejected" => Disposition::Rejected,
                _ => Disposition::Done,
            };
            let (_, written) = sol_ops::set_disposition(&store, &actor, &id, item, disposition)?;
            ctx.written(&store, &written)?;
            output::print(&format!("{id}: feedback item {item} {d}\n"))?;
        }
        _ => {
            return Err(crate::Error::invalid_with_hint(
                "give either --from and --text, or --item and --disposition",
                format!("presales feedback {id} --from NAME --text T"),
            ));
        }
    }
    Ok(())
}
