//! Demos (演示会议) and the feedback collected there (收集反馈), with its disposition.

use chrono::NaiveDate;

use super::super::command::{self, Command};
use super::super::{Actor, Written, run};
use crate::error::{Error, Result};
use crate::model::request::Disposition;
use crate::model::{RecordId, Request};
use crate::store::Store;

/// Records a demo meeting (演示会议); a request in design moves to `demo`.
pub fn record_demo(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    date: NaiveDate,
    attendees: Vec<String>,
    notes: Option<String>,
) -> Result<(Request, Written)> {
    let cmd = Command::Demo {
        request: id.to_string(),
        input: command::DemoInput {
            demo: crate::store::mint_item()?,
            held: false,
            date,
            attendees,
            note: notes,
        },
    };
    run(store, actor, cmd, id.as_str(), |_: &Request| {
        format!("{id}: demo on {date}")
    })
}

/// Plans a demo for a later date (`demo --planned`): listed by `presales agenda`, held
/// later with [`hold_demo`].
pub fn plan_demo(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    date: NaiveDate,
    attendees: Vec<String>,
    notes: Option<String>,
) -> Result<(Request, Written)> {
    let cmd = Command::PlanDemo {
        request: id.to_string(),
        input: command::DemoInput {
            demo: crate::store::mint_item()?,
            held: false,
            date,
            attendees,
            note: notes,
        },
    };
    run(store, actor, cmd, id.as_str(), |_: &Request| {
        format!("{id}: demo planned on {date}")
    })
}

/// Records planned demo `which` (its number among the request's planned demos, as `show`
/// prints it, or its id) as held: on `date` (default: the planned date), with the planned
/// attendees and note unless others are given. A request in design moves to `demo`.
pub fn hold_demo(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    which: &str,
    date: Option<NaiveDate>,
    attendees: Vec<String>,
    notes: Option<String>,
) -> Result<(Request, Written)> {
    let req: Request = store.load(id)?;
    let planned = match which.trim().parse::<usize>() {
        Ok(n) => req.planned_demos.get(n.wrapping_sub(1)),
        Err(_) => req
            .planned_demos
            .iter()
            .find(|d| d.id.as_deref() == Some(which.trim())),
    }
    .ok_or_else(|| {
        Error::invalid_with_hint(
            match req.planned_demos.len() {
                0 => format!("{id} has no planned demo"),
                n => format!("{id} has {n} planned demo(s); `{which}` is not one"),
            },
            format!("`presales show {id}` lists the planned demos by number"),
        )
    })?;
    let demo = planned.id.clone().ok_or_else(|| needs_ids(&req))?;
    let date = date.unwrap_or(planned.date);
    let cmd = Command::Demo {
        request: id.to_string(),
        input: command::DemoInput {
            demo,
            held: true,
            date,
            attendees,
            note: notes,
        },
    };
    run(store, actor, cmd, id.as_str(), |_: &Request| {
        format!("{id}: planned demo held on {date}")
    })
}

/// The id of the latest demo of a request, for feedback on it.
fn latest_demo(req: &Request) -> Result<&crate::model::Demo> {
    req.demos.last().ok_or_else(|| {
        Error::invalid_with_hint(
            format!("{} has no demo to attach feedback to", req.id),
            format!(
                "record it first: `presales demo {} --date D --attendee NAME`",
                req.id
            ),
        )
    })
}

fn needs_ids(req: &Request) -> Error {
    Error::invalid_with_hint(
        format!(
            "{}'s demos were recorded before store format 2 and have no ids",
            req.id
        ),
        "run `presales migrate`",
    )
}

/// Collects a feedback item on the latest demo (收集反馈).
pub fn add_feedback(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    from: &str,
    text: &str,
) -> Result<(Request, Written)> {
    let req: Request = store.load(id)?;
    let demo = latest_demo(&req)?
        .id
        .clone()
        .ok_or_else(|| needs_ids(&req))?;
    let cmd = Command::Feedback {
        request: id.to_string(),
        input: command::FeedbackInput {
            demo,
            item: crate::store::mint_item()?,
            source: from.to_string(),
            note: text.to_string(),
        },
    };
    run(store, actor, cmd, id.as_str(), |r: &Request| {
        let n = r.demos.last().map_or(0, |d| d.feedback.len());
        format!("{id}: feedback item {n}")
    })
}

/// Sets the disposition of feedback item `item` (1-based) of the latest demo.
pub fn set_disposition(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    item: usize,
    disposition: Disposition,
) -> Result<(Request, Written)> {
    let req: Request = store.load(id)?;
    let demo = req
        .demos
        .last()
        .ok_or_else(|| Error::invalid(format!("{id} has no demo")))?;
    let count = demo.feedback.len();
    let f = demo.feedback.get(item.wrapping_sub(1)).ok_or_else(|| {
        Error::invalid(format!(
            "the latest demo of {id} has {count} feedback item(s); --item {item} is not one"
        ))
    })?;
    let number = item;
    let item = f.id.clone().ok_or_else(|| needs_ids(&req))?;
    let cmd = Command::Disposition {
        request: id.to_string(),
        input: command::DispositionInput { item, disposition },
    };
    run(store, actor, cmd, id.as_str(), |_: &Request| {
        format!(
            "{id}: feedback item {number} {}",
            disposition_str(disposition)
        )
    })
}

pub fn disposition_str(d: Disposition) -> &'static str {
    match d {
        Disposition::Accepted => "accepted",
        Disposition::Rejected => "rejected",
        Disposition::Done => "done",
        Disposition::Gap => "gap",
    }
}
