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
            date,
            attendees,
            note: notes,
        },
    };
    run(store, actor, cmd, id.as_str(), |_: &Request| {
        format!("{id}: demo on {date}")
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
