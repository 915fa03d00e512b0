//! What waits for one member now (`presales inbox`), most urgent first: their requests
//! whose response-time limit is breached or at risk, solutions waiting for their review
//! verdict or their approval, their other open requests, and the articles they own that
//! are due for review. Pure: computed from the reports' dataset, the solutions and the
//! articles.

use serde::Serialize;

use super::sla::{Cycle, Status};
use super::{Dataset, Item};
use crate::model::solution::VerdictKind;
use crate::model::{Article, Solution, Timestamp};

/// Why an item is in the inbox, in the order they are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// A request of mine whose first response or resolution is over its limit.
    Breached,
    /// A solution that has its reviews and waits for my approval (方案批准).
    Approve,
    /// A review round that waits for my verdict (方案评审).
    Review,
    /// A request of mine that has used 80 % of a limit.
    AtRisk,
    /// Another open request of mine.
    Assigned,
    /// An article I own whose review date has passed.
    ArticleDue,
    /// An article I own with problems reported (`kb flag`) and no review since.
    ArticleFlagged,
}

#[derive(Debug, Clone, Serialize)]
pub struct InboxItem {
    pub reason: Reason,
    /// The record to act on (the request, the solution or the article).
    pub id: String,
    pub title: String,
    /// The stage of the request, when the item is about one.
    pub stage: Option<String>,
    /// What is late or due, in words.
    pub detail: String,
    /// The command that does it.
    pub next: String,
    /// When it breached or will breach (requests), for ordering.
    pub due: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Inbox {
    pub member: String,
    pub as_of: Timestamp,
    pub items: Vec<InboxItem>,
}

/// The cycle of `item` that matters most now: a breached one, else the one closest to its
/// limit, among the running ones.
pub fn urgent<'i>(item: &'i Item) -> Option<&'i Cycle> {
    item.cycles()
        .into_iter()
        .filter(|c| c.running)
        .min_by(|a, b| {
            a.status.cmp(&b.status).then(
                b.used_pct
                    .unwrap_or(0.0)
                    .total_cmp(&a.used_pct.unwrap_or(0.0)),
            )
        })
}

fn metric(c: &Cycle) -> &'static str {
    match c.metric {
        super::sla::Metric::FirstResponse => "first response",
        super::sla::Metric::Resolution => "resolution",
    }
}

pub fn build(data: &Dataset, solutions: &[Solution], articles: &[Article], member: &str) -> Inbox {
    let w = data.window();
    let config = data.input.config;
    let mut items = Vec::new();
    // My open requests.
    for i in data
        .items
        .iter()
        .filter(|i| i.tl.is_open() && i.tl.assignee_at(w.as_of) == Some(member))
    {
        let cycle = urgent(i);
        let (reason, detail) = match cycle {
            Some(c) if c.status == Status::Breached => (
                Reason::Breached,
                format!(
                    "{} {:.1} h of {:.1} h",
                    metric(c),
                    c.elapsed_hours,
                    c.limit_hours.unwrap_or(0.0)
                ),
            ),
            Some(c) if c.status == Status::AtRisk => (
                Reason::AtRisk,
                format!(
                    "{} {:.1} h of {:.1} h",
                    metric(c),
                    c.elapsed_hours,
                    c.limit_hours.unwrap_or(0.0)
                ),
            ),
            _ => (Reason::Assigned, format!("in `{}`", i.tl.stage())),
        };
        let due = cycle.and_then(|c| match c.status {
            Status::Breached => c.limit_hours.map(|_| c.stopped.unwrap_or(w.as_of)),
            _ => c.breaches_at,
        });
        items.push(InboxItem {
            reason,
            id: i.id().to_string(),
            title: i.title.to_string(),
            stage: Some(i.tl.stage().to_string()),
            detail,
            next: format!("presales show {}", i.id()),
            due,
        });
    }
    // Solutions in review: my verdict, or my approval.
    let review_stage = &config.workflow.stages.review;
    let me = config.member(member);
    let may = |command: &str| {
        me.is_some_and(|m| {
            m.active && {
                let roles = config.allowed_roles(command);
                roles.is_empty() || roles.iter().any(|r| m.has_role(*r))
            }
        })
    };
    for i in data
        .items
        .iter()
        .filter(|i| i.tl.is_open() && i.tl.stage() == review_stage.as_str())
    {
        let Some(sol) = i
            .req
            .solution
            .as_deref()
            .and_then(|s| solutions.iter().find(|x| x.id == s))
        else {
            continue;
        };
        // Four eyes: neither the author nor the request's assignee judges it.
        if sol.author == member || i.tl.assignee_at(w.as_of) == Some(member) {
            continue;
        }
        let Some(round) = sol.reviews.last().filter(|r| r.closed.is_none()) else {
            continue;
        };
        let passes = round
            .verdicts
            .iter()
            .filter(|v| v.verdict == VerdictKind::Pass)
            .count();
        let objections = round
            .verdicts
            .iter()
            .any(|v| v.verdict != VerdictKind::Pass);
        let reviewed = passes >= config.workflow.min_reviewers as usize && !objections;
        if reviewed && sol.approval.is_none() && may("approve") {
            items.push(InboxItem {
                reason: Reason::Approve,
                id: sol.id.clone(),
                title: i.title.to_string(),
                stage: Some(i.tl.stage().to_string()),
                detail: format!(
                    "v{} passed review round {} ({passes} passes)",
                    sol.version, round.round
                ),
                next: format!("presales approve {}", sol.id),
                due: None,
            });
        } else if !reviewed
            && !objections
            && !round.verdicts.iter().any(|v| v.reviewer == member)
            && may("review")
        {
            items.push(InboxItem {
                reason: Reason::Review,
                id: sol.id.clone(),
                title: i.title.to_string(),
                stage: Some(i.tl.stage().to_string()),
                detail: format!(
                    "review round {} of v{}: {passes} of {} passes",
                    round.round, sol.version, config.workflow.min_reviewers
                ),
                next: format!(
                    "presales review {} --verdict pass|revise|reject --comment T",
                    sol.id
                ),
                due: None,
            });
        }
    }
    // Articles I own (owner, else author) that are due for review or flagged.
    let today = w.zone.date_of(w.as_of);
    let mine = |a: &&Article| {
        a.owner.as_deref().unwrap_or(&a.author) == member
            && a.status != crate::model::article::Status::Archived
    };
    let mut flags: std::collections::BTreeMap<&str, usize> = Default::default();
    for a in articles.iter().filter(mine) {
        let n = a
            .flags
            .iter()
            .filter(|f| f.at <= w.as_of && a.flag_is_open(f.at))
            .count();
        if n > 0 {
            flags.insert(&a.id, n);
        }
    }
    let owned: std::collections::HashMap<&str, &Article> = articles
        .iter()
        .filter(mine)
        .map(|a| (a.id.as_str(), a))
        .collect();
    for i in &data.items {
        for f in &i.req.article_flags {
            if let Some(a) = f.article.as_deref().and_then(|id| owned.get(id))
                && f.at <= w.as_of
                && a.flag_is_open(f.at)
            {
                *flags.entry(&a.id).or_default() += 1;
            }
        }
    }
    for (id, n) in flags {
        let a = owned[id];
        items.push(InboxItem {
            reason: Reason::ArticleFlagged,
            id: a.id.clone(),
            title: if a.confidential && !data.input.include_confidential {
                super::REDACTED.to_string()
            } else {
                a.title.clone()
            },
            stage: None,
            detail: format!(
                "{} raised since its last review",
                if n == 1 {
                    "1 problem".to_string()
                } else {
                    format!("{n} problems")
                }
            ),
            next: format!(
                "presales kb show {0}, fix it, then presales kb review {0}",
                a.id
            ),
            due: None,
        });
    }
    for a in articles
        .iter()
        .filter(mine)
        .filter(|a| a.review_by.is_some_and(|d| d < today))
    {
        items.push(InboxItem {
            reason: Reason::ArticleDue,
            id: a.id.clone(),
            title: if a.confidential && !data.input.include_confidential {
                super::REDACTED.to_string()
            } else {
                a.title.clone()
            },
            stage: None,
            detail: format!(
                "review by {} has passed",
                a.review_by.map(|d| d.to_string()).unwrap_or_default()
            ),
            next: format!("presales kb review {}", a.id),
            due: None,
        });
    }
    items.sort_by(|a, b| {
        a.reason
            .cmp(&b.reason)
            .then_with(|| a.due.is_none().cmp(&b.due.is_none()))
            .then_with(|| a.due.cmp(&b.due))
            .then_with(|| a.id.cmp(&b.id))
    });
    Inbox {
        member: member.to_string(),
        as_of: w.as_of,
        items,
    }
}
