//! Operations on solutions (解决方案) and the solution-side steps of a request: design,
//! demo and feedback, review rounds, four-eyes approval and handover. Each resolves its
//! input into a [`Command`] and runs it through [`super::apply`].

use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::command::{self, Command};
use super::{Actor, Touched, World, check_member, execute, run};
use crate::error::{Error, Result};
use crate::model::request::Disposition;
use crate::model::solution::{Risk, Training, VerdictKind};
use crate::model::{Kind, RecordId, Request, Solution, content_hash};
use crate::store::Store;

pub use super::apply::editable_stage;

pub struct NewSolution {
    pub request: String,
    pub title: Option<String>,
    /// Absolute path of a Markdown plan inside the store.
    pub plan_file: Option<std::path::PathBuf>,
    /// The plan, inline.
    pub plan: Option<String>,
    pub supersede: bool,
}

/// Creates the solution of a request and links both ways.
pub fn create(store: &Store, actor: &Actor, input: NewSolution) -> Result<(Solution, Touched)> {
    let req_id = store.resolve(Kind::Request, &input.request)?;
    let plan_file = input
        .plan_file
        .as_deref()
        .map(|p| plan_path(store, p))
        .transpose()?;
    let plan_sha256 = match (&plan_file, &input.plan) {
        (Some(f), _) => Some(content_hash(&store.read_repo_file(f)?)),
        (None, Some(t)) if !t.trim().is_empty() => Some(content_hash(t)),
        _ => None,
    };
    let lock = store.lock()?;
    let req: Request = store.load(&req_id)?;
    let id = store.mint(Kind::Solution, actor.now)?;
    let cmd = Command::NewSolution {
        id: id.to_string(),
        input: command::SolutionInput {
            request: req.id.clone(),
            title: input
                .title
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| req.title.clone()),
            plan_file,
            plan_sha256,
            supersedes: if input.supersede {
                req.solution.clone()
            } else {
                None
            },
            plan: input.plan.filter(|t| !t.trim().is_empty()),
        },
    };
    let mut world = World::new(store);
    let touched = execute(store, &lock, &mut world, actor, &cmd)?;
    Ok((world.get(id.as_str())?, touched))
}

/// A plan file must exist inside the store; it is recorded relative to the root.
fn plan_path(store: &Store, path: &Path) -> Result<String> {
    let abs = path
        .canonicalize()
        .map_err(|e| Error::invalid(format!("plan file {}: {e}", path.display())))?;
    let root = store
        .root()
        .canonicalize()
        .map_err(|e| Error::io(store.root(), e))?;
    let rel = abs.strip_prefix(&root).map_err(|_| {
        Error::invalid_with_hint(
            format!("plan file {} is outside the store", path.display()),
            format!(
                "copy it under {} so it is versioned with the solution",
                root.display()
            ),
        )
    })?;
    Ok(rel.to_string_lossy().replace('\\', "/"))
}

pub enum Plan {
    File(std::path::PathBuf),
    Text(String),
}

pub fn set_plan(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    plan: Plan,
) -> Result<(Solution, Touched)> {
    let input = match plan {
        Plan::File(p) => {
            let f = plan_path(store, &p)?;
            command::PlanInput {
                plan_sha256: content_hash(&store.read_repo_file(&f)?),
                plan_file: Some(f),
                plan: None,
            }
        }
        Plan::Text(t) if t.trim().is_empty() => {
            return Err(Error::invalid("--plan is empty"));
        }
        Plan::Text(t) => command::PlanInput {
            plan_file: None,
            plan_sha256: content_hash(&t),
            plan: Some(t),
        },
    };
    let cmd = Command::Plan {
        solution: id.to_string(),
        input,
    };
    run(store, actor, cmd, id.as_str())
}

pub fn add_milestone(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    name: &str,
    date: NaiveDate,
) -> Result<(Solution, Touched)> {
    let cmd = Command::Milestone {
        solution: id.to_string(),
        input: command::MilestoneInput {
            name: name.to_string(),
            date,
        },
    };
    run(store, actor, cmd, id.as_str())
}

pub fn add_resource(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    role: &str,
    person: Option<String>,
    days: Decimal,
) -> Result<(Solution, Touched)> {
    if let Some(p) = &person {
        check_member(store, p)?;
    }
    let cmd = Command::Resource {
        solution: id.to_string(),
        input: command::ResourceInput {
            role: role.to_string(),
            person,
            days,
        },
    };
    run(store, actor, cmd, id.as_str())
}

pub struct QuoteInput {
    pub item: String,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub currency: Option<String>,
    pub valid_until: Option<NaiveDate>,
}

/// Adds a quotation line (报价估算); the total is recomputed in decimal arithmetic.
pub fn add_quote_line(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    q: QuoteInput,
) -> Result<(Solution, Touched)> {
    let cmd = Command::Quote {
        solution: id.to_string(),
        input: command::QuoteInput {
            item: q.item,
            quantity: q.quantity,
            unit_price: q.unit_price,
            currency: q.currency,
            valid_until: q.valid_until,
            total: None,
        },
    };
    run(store, actor, cmd, id.as_str())
}

pub fn add_risk(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    risk: Risk,
) -> Result<(Solution, Touched)> {
    let cmd = Command::Risk {
        solution: id.to_string(),
        input: command::RiskInput {
            description: risk.description,
            likelihood: risk.likelihood,
            impact: risk.impact,
            mitigation: risk.mitigation,
            owner: risk.owner,
            score: None,
        },
    };
    run(store, actor, cmd, id.as_str())
}

/// Records a demo meeting (演示会议); a request in design moves to `demo`.
pub fn record_demo(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    date: NaiveDate,
    attendees: Vec<String>,
    notes: Option<String>,
) -> Result<(Request, Touched)> {
    let cmd = Command::Demo {
        request: id.to_string(),
        input: command::DemoInput {
            demo: crate::store::mint_item()?,
            date,
            attendees,
            note: notes,
        },
    };
    run(store, actor, cmd, id.as_str())
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
) -> Result<(Request, Touched)> {
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
    run(store, actor, cmd, id.as_str())
}

/// Sets the disposition of feedback item `item` (1-based) of the latest demo.
pub fn set_disposition(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    item: usize,
    disposition: Disposition,
) -> Result<(Request, Touched)> {
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
    let item = f.id.clone().ok_or_else(|| needs_ids(&req))?;
    let cmd = Command::Disposition {
        request: id.to_string(),
        input: command::DispositionInput { item, disposition },
    };
    run(store, actor, cmd, id.as_str())
}

/// Records the caller's verdict in the open review round (方案评审).
pub fn review(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    verdict: VerdictKind,
    comment: &str,
) -> Result<(Solution, Touched)> {
    let cmd = Command::Review {
        solution: id.to_string(),
        input: command::ReviewInput {
            verdict_id: crate::store::mint_item()?,
            round: None,
            verdict,
            note: comment.to_string(),
        },
    };
    run(store, actor, cmd, id.as_str())
}

/// A manager's approval (方案批准), four eyes; the request moves to `approved`.
pub fn approve(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    note: Option<String>,
) -> Result<(Solution, Touched)> {
    let cmd = Command::Approve {
        solution: id.to_string(),
        input: command::ApproveInput {
            version: None,
            note,
        },
    };
    run(store, actor, cmd, id.as_str())
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
) -> Result<(Request, Touched)> {
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
    run(store, actor, cmd, id.as_str())
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
