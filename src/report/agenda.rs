//! `presales agenda`: the dated events ahead — planned demos, training sessions and open
//! review rounds — in date order, for the team or one member. Pure: records and a day in,
//! a `Serialize` struct out.

use chrono::NaiveDate;
use serde::Serialize;

use crate::config::Config;
use crate::model::{Request, Solution, Training};
use crate::workflow::CLOSED;

/// What kind of event an agenda item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum What {
    /// A demo planned with `presales demo --planned`, not held yet.
    Demo,
    /// A training session (`presales training new`).
    Training,
    /// A review round open on a solution (方案评审): the meeting that gives the verdicts.
    Review,
}

impl What {
    pub fn as_str(self) -> &'static str {
        match self {
            What::Demo => "demo",
            What::Training => "training",
            What::Review => "review",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub date: NaiveDate,
    pub what: What,
    /// The record it belongs to: the request, the training, the solution.
    pub id: String,
    pub title: String,
    /// Where it stands: "planned demo 1", "round 2, 1 verdict", a place.
    pub detail: String,
    /// Who is involved: attendees, trainer, assignee, author, reviewers.
    pub people: Vec<String>,
    /// A planned demo whose day has passed without being recorded as held, or a review
    /// round opened before the agenda's first day.
    pub overdue: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agenda {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The member whose agenda this is; `None`: the whole team.
    pub member: Option<String>,
    pub items: Vec<Item>,
}

/// The agenda from `today` to `today + days` (inclusive). Planned demos past their day and
/// open review rounds are listed too (as overdue, on their own day): they still wait.
/// With `member`, only the items that involve them: a demo of a request they are assigned
/// to, requested or attend; a training they give or are invited to; a review round on a
/// solution they wrote or whose request they hold, or one they may give a verdict in and
/// have not.
/// Replaces the titles of the items about `hidden` records (confidential customers'
/// requests and their solutions) with [`super::REDACTED`]. Pure.
pub fn redact(agenda: &mut Agenda, hidden: &std::collections::HashSet<&str>) {
    for i in &mut agenda.items {
        if hidden.contains(i.id.as_str()) {
            i.title = super::REDACTED.to_string();
        }
    }
}

pub fn build(
    requests: &[Request],
    solutions: &[Solution],
    trainings: &[Training],
    config: &Config,
    today: NaiveDate,
    days: u32,
    member: Option<&str>,
) -> Agenda {
    let to = today
        .checked_add_days(chrono::Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MAX);
    let mut items = Vec::new();
    for r in requests.iter().filter(|r| r.stage != CLOSED) {
        for (i, d) in r.planned_demos.iter().enumerate() {
            if d.date > to {
                continue;
            }
            let mut people: Vec<String> = r.assignee.iter().cloned().collect();
            people.extend(r.requested_by.iter().cloned());
            people.extend(d.attendees.iter().cloned());
            items.push(Item {
                date: d.date,
                what: What::Demo,
                id: r.id.clone(),
                title: r.title.clone(),
                detail: format!("planned demo {}", i + 1),
                people,
                overdue: d.date < today,
            });
        }
    }
    for t in trainings {
        if t.date < today || t.date > to {
            continue;
        }
        let mut people = vec![t.trainer.clone()];
        people.extend(t.attendees.iter().cloned());
        items.push(Item {
            date: t.date,
            what: What::Training,
            id: t.id.clone(),
            title: t.title.clone(),
            detail: format!(
                "{} h{}",
                t.hours,
                t.place
                    .as_deref()
                    .map(|p| format!(", {p}"))
                    .unwrap_or_default()
            ),
            people,
            overdue: false,
        });
    }
    for s in solutions.iter().filter(|s| s.superseded_by.is_none()) {
        let Some(req) = requests.iter().find(|r| r.id == s.request) else {
            continue;
        };
        if req.stage == CLOSED {
            continue;
        }
        let Some(round) = s.reviews.iter().rev().find(|r| r.closed.is_none()) else {
            continue;
        };
        let date = round.opened.date_naive();
        let given: Vec<&str> = round.verdicts.iter().map(|v| v.reviewer.as_str()).collect();
        let mut people = vec![s.author.clone()];
        people.extend(req.assignee.iter().filter(|a| **a != s.author).cloned());
        people.extend(given.iter().map(|g| g.to_string()));
        let waits_for = |m: &str| {
            m != s.author
                && req.assignee.as_deref() != Some(m)
                && !given.contains(&m)
                && config.member(m).is_some()
                && config.permit(m, "review").is_ok()
        };
        if let Some(m) = member
            && waits_for(m)
        {
            people.push(m.to_string());
        }
        items.push(Item {
            date: date.max(today),
            what: What::Review,
            id: s.id.clone(),
            title: s.title.clone(),
            detail: format!(
                "round {} open since {date}, {} verdict{}",
                round.round,
                given.len(),
                if given.len() == 1 { "" } else { "s" }
            ),
            people,
            overdue: false,
        });
    }
    if let Some(m) = member {
        items.retain(|i| i.people.iter().any(|p| p == m));
    }
    items.sort_by(|a, b| {
        (a.date, a.what, &a.id, &a.detail).cmp(&(b.date, b.what, &b.id, &b.detail))
    });
    Agenda {
        from: today,
        to,
        member: member.map(str::to_string),
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::request::Demo;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn demo(date: &str, attendees: &[&str]) -> Demo {
        Demo {
            id: Some(format!("D{date}")),
            date: day(date),
            attendees: attendees.iter().map(|a| a.to_string()).collect(),
            notes: None,
            feedback: Vec::new(),
            extra: Default::default(),
        }
    }

    fn request(id: &str, assignee: &str, stage: &str, planned: Vec<Demo>) -> Request {
        let mut r: Request = serde_json::from_value(serde_json::json!({
            "id": id,
            "title": format!("request {id}"),
            "type": "solution",
            "priority": "P3",
            "customer": "CUS-20261101-AAAAAAA",
            "created": "2026-11-01T09:00:00+08:00",
            "stage": "registered",
        }))
        .unwrap();
        r.assignee = Some(assignee.into());
        r.stage = stage.into();
        r.planned_demos = planned;
        r
    }

    #[test]
    fn planned_demos_are_listed_in_date_order_within_the_window() {
        let config = crate::report::testkit::config();
        let reqs = vec![
            request(
                "REQ-20261101-AAAAAAA",
                "li.na",
                "design",
                vec![demo("2026-12-09", &["客户CTO"]), demo("2027-01-20", &[])],
            ),
            request(
                "REQ-20261101-BBBBBBB",
                "wang.fang",
                "design",
                vec![demo("2026-11-25", &[]), demo("2026-12-01", &[])],
            ),
            request(
                "REQ-20261101-CCCCCCC",
                "li.na",
                CLOSED,
                vec![demo("2026-12-02", &[])],
            ),
        ];
        let a = build(&reqs, &[], &[], &config, day("2026-11-27"), 14, None);
        let got: Vec<(String, bool)> = a
            .items
            .iter()
            .map(|i| (format!("{} {}", i.date, i.id), i.overdue))
            .collect();
        assert_eq!(
            got,
            [
                ("2026-11-25 REQ-20261101-BBBBBBB".to_string(), true),
                ("2026-12-01 REQ-20261101-BBBBBBB".to_string(), false),
                ("2026-12-09 REQ-20261101-AAAAAAA".to_string(), false),
            ]
        );
        assert_eq!(a.to, day("2026-12-11"));
        let mine = build(
            &reqs,
            &[],
            &[],
            &config,
            day("2026-11-27"),
            14,
            Some("li.na"),
        );
        assert_eq!(mine.items.len(), 1);
        assert_eq!(mine.items[0].detail, "planned demo 1");
    }

    #[test]
    fn an_open_review_round_waits_for_the_reviewers_who_have_not_spoken() {
        let config = crate::report::testkit::config();
        let req = request("REQ-20261101-AAAAAAA", "li.na", "review", vec![]);
        let sol: Solution = serde_json::from_value(serde_json::json!({
            "id": "SOL-20261101-AAAAAAA",
            "request": "REQ-20261101-AAAAAAA",
            "title": "方案",
            "version": 1,
            "author": "li.na",
            "created": "2026-11-01T09:00:00+08:00",
            "reviews": [{"round": 1, "opened": "2026-11-20T09:00:00+08:00", "verdicts": [
                {"reviewer": "wang.fang", "verdict": "pass", "at": "2026-11-21T09:00:00+08:00"}
            ]}],
        }))
        .unwrap();
        let today = day("2026-11-27");
        let all = build(
            std::slice::from_ref(&req),
            std::slice::from_ref(&sol),
            &[],
            &config,
            today,
            14,
            None,
        );
        assert_eq!(all.items.len(), 1);
        let item = &all.items[0];
        assert_eq!((item.what, item.date), (What::Review, today));
        assert_eq!(item.detail, "round 1 open since 2026-11-20, 1 verdict");
        // The author and the reviewer who spoke see it.
        for m in ["li.na", "wang.fang"] {
            let a = build(
                std::slice::from_ref(&req),
                std::slice::from_ref(&sol),
                &[],
                &config,
                today,
                14,
                Some(m),
            );
            assert_eq!(a.items.len(), 1, "{m}");
        }
        // Closed: nothing waits.
        let mut closed = sol;
        closed.reviews[0].closed = Some(crate::report::testkit::t("20T12:00"));
        let a = build(&[req], &[closed], &[], &config, today, 14, None);
        assert!(a.items.is_empty());
    }
}
