//! Review rounds (方案评审), the manager's four-eyes approval (方案批准) and the handover to
//! sales with training (方案交接与培训).

use chrono::NaiveDate;

use super::super::command::{self, Command};
use super::super::{Actor, Written, check_member, run};
use crate::error::{Error, Result};
use crate::model::solution::{Training, VerdictKind};
use crate::model::{RecordId, Request, Solution};
use crate::store::Store;

/// Records the caller's verdict in the open review round (方案评审).
pub fn review(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    verdict: VerdictKind,
    comment: &str,
) -> Result<(Solution, Written)> {
    let cmd = Command::Review {
        solution: id.to_string(),
        input: command::ReviewInput {
            verdict_id: crate::store::mint_item()?,
            round: None,
            verdict,
            note: comment.to_string(),
        },
    };
    run(store, actor, cmd, id.as_str(), |_: &Solution| {
        format!("{id}: review {}", verdict.as_str())
    })
}

/// A manager's approval (方案批准), four eyes; the request moves to `approved`.
pub fn approve(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    note: Option<String>,
) -> Result<(Solution, Written)> {
    let cmd = Command::Approve {
        solution: id.to_string(),
        input: command::ApproveInput {
            version: None,
            note,
        },
    };
    run(store, actor, cmd, id.as_str(), |s: &Solution| {
        format!("{id}: approve v{}", s.version)
    })
}

/// Hands the approved solution over to sales with training (方案交接与培训); the request
/// moves to `handover`.
pub fn handover(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    to: &str,
    training: Vec<Training>,
    notes: Option<String>,
) -> Result<(Request, Written)> {
    check_member(store, to)?;
    let mut training = training;
    for t in &mut training {
        split_attendees(t, |n| store.config.member(n).is_some());
    }
    let req: Request = store.load(id)?;
    let sol = req
        .solution
        .clone()
        .ok_or_else(|| Error::invalid(format!("{id} has no solution")))?;
    let cmd = Command::Handover {
        solution: sol,
        input: command::HandoverInput {
            to: to.to_string(),
            training,
            note: notes,
        },
    };
    run(store, actor, cmd, id.as_str(), |_: &Request| {
        format!("{id}: handover → {to}")
    })
}

/// Parses `--training "DATE TOPIC [ATTENDEE,…]"`: a date, then the topic. Attendees are
/// recognised against the team by [`split_attendees`] when the handover is recorded.
pub fn parse_training(s: &str) -> std::result::Result<Training, String> {
    let usage =
        "expected \"DATE TOPIC [ATTENDEE,…]\", e.g. \"2026-12-20 产品培训 zhao.lei,sun.li\"";
    let mut words = s.split_whitespace();
    let (Some(first), Some(_)) = (words.next(), s.split_whitespace().nth(1)) else {
        return Err(format!("`{s}`: {usage}"));
    };
    let date = NaiveDate::parse_from_str(first, "%Y-%m-%d")
        .map_err(|_| format!("`{first}` is not a date; {usage}"))?;
    Ok(Training {
        date,
        topic: words.collect::<Vec<_>>().join(" "),
        attendees: Vec::new(),
        extra: Default::default(),
    })
}

/// Moves the topic's last word into the attendees when it is a comma-separated list of
/// team members (`zhao.lei` or `zhao.lei,sun.li`); a topic word that merely looks like one
/// stays in the topic.
pub fn split_attendees(t: &mut Training, is_member: impl Fn(&str) -> bool) {
    let Some((head, last)) = t.topic.rsplit_once(' ') else {
        return;
    };
    let names: Vec<&str> = last
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    if !names.is_empty() && names.iter().all(|n| is_member(n)) {
        t.attendees = names.into_iter().map(str::to_string).collect();
        t.topic = head.trim().to_string();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn training_strings_parse_and_attendees_are_team_members() {
        let member = |n: &str| ["zhao.lei", "sun.li"].contains(&n);
        let mut t = parse_training("2026-12-20 产品培训 zhao.lei,sun.li").unwrap();
        split_attendees(&mut t, member);
        assert_eq!(
            (t.topic.as_str(), t.attendees.clone()),
            ("产品培训", vec!["zhao.lei".to_string(), "sun.li".into()])
        );
        let mut t = parse_training("2026-12-16 报价说明 zhao.lei").unwrap();
        split_attendees(&mut t, member);
        assert_eq!((t.topic.as_str(), t.attendees.len()), ("报价说明", 1));
        let mut t = parse_training("2026-12-20 Solution walkthrough for sales").unwrap();
        split_attendees(&mut t, member);
        assert_eq!(
            (t.topic.as_str(), t.attendees.len()),
            ("Solution walkthrough for sales", 0)
        );
        let mut t = parse_training("2026-12-20 培训").unwrap();
        split_attendees(&mut t, member);
        assert_eq!((t.topic.as_str(), t.attendees.len()), ("培训", 0));
        assert!(parse_training("tomorrow 培训").is_err());
        assert!(parse_training("2026-12-20").is_err());
    }
}
