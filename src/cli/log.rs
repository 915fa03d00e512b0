//! `presales log`: record hours of work on a request (工时).

use chrono::NaiveDate;

use super::{Ctx, output, parse_date};
use crate::error::Result;
use crate::model::{Activity, Kind};
use crate::ops::{self, Duration, EffortLog};

/// Log effort on a request (工时): how long, on what, which day.
///
/// The entry is the caller's. Durations: 3h, 1.5h, 90m, 1d (a working day of the
/// calendar in presales.toml, 8 h without one). `presales report capacity` adds them up.
///
/// Examples:
///   presales log 7KQ2MX 3h --activity demo --note '客户现场演示'
///   presales log 7KQ2MX 1d --activity design --date 2026-11-26
///   presales log 7KQ2MX 90m --activity meeting
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The request (ID or abbreviation).
    id: String,
    /// How long: 3h, 1.5h, 90m or 1d.
    #[arg(value_parser = ops::parse_duration)]
    duration: Duration,
    /// What it was spent on: demo, design, meeting, travel, poc, rfp or other.
    #[arg(long, value_parser = parse_activity)]
    activity: Activity,
    /// The day of the work (default: today).
    #[arg(long, value_parser = parse_date)]
    date: Option<NaiveDate>,
    /// What was done.
    #[arg(long)]
    note: Option<String>,
}

fn parse_activity(s: &str) -> std::result::Result<Activity, String> {
    s.parse()
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let store = ctx.store()?;
    let id = store.resolve(Kind::Request, &a.id)?;
    let actor = ctx.actor(&store)?;
    let (req, written) = ops::log_effort(
        &store,
        &actor,
        &id,
        EffortLog {
            duration: a.duration,
            activity: a.activity,
            date: a.date,
            note: a.note,
        },
    )?;
    ctx.written(&store, &written)?;
    let entry = req.effort.last();
    let mine: rust_decimal::Decimal = req
        .effort
        .iter()
        .filter(|e| e.by == actor.id)
        .map(|e| e.hours)
        .sum();
    output::print(&format!(
        "{id}: logged {} h of {} on {} ({} h by {} in all)\n",
        entry.map(|e| e.hours.to_string()).unwrap_or_default(),
        a.activity,
        entry.map(|e| e.date.to_string()).unwrap_or_default(),
        mine.normalize(),
        actor.id
    ))?;
    Ok(())
}
