//! Operations on solutions (解决方案) and the solution-side steps of a request: design,
//! demo and feedback, review rounds, four-eyes approval and handover.

use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{Actor, Touched, apply_move, check_member, facts, linked_solution, save};
use crate::config::Role;
use crate::error::{Error, Result};
use crate::model::request::Disposition;
use crate::model::solution::{
    Approval, Handover, Milestone, Quotation, QuoteLine, Resource, ReviewRound, Risk, Training,
    Verdict, VerdictKind,
};
use crate::model::{Demo, Feedback, Kind, RecordId, Request, Solution};
use crate::store::{Store, StoreLock};
use crate::workflow::{CLOSED, Move, MoveKind};

/// Stages in which a solution may still be changed; later it is frozen until a revise loop.
const EDITABLE_STAGES: [&str; 2] = ["analysis", "design"];

/// Solution side effects of a request's move (see `apply_move`).
pub(crate) fn on_move(
    sol: &mut Solution,
    from: &str,
    mv: &Move,
    actor: &Actor,
    note: Option<&str>,
) {
    if from == "review"
        && let Some(round) = sol.reviews.last_mut()
        && round.closed.is_none()
    {
        round.closed = Some(actor.now);
        let n = round.round;
        sol.history.push(
            actor
                .entry("review-close")
                .with("round", n)
                .to(mv.to.clone()),
        );
    }
    if mv.kind == MoveKind::Revise {
        let old = sol.version;
        sol.version += 1;
        sol.approval = None;
        sol.history.push(
            actor
                .entry("revise")
                .from_to(format!("v{old}"), format!("v{}", sol.version))
                .note(note.map(str::to_string)),
        );
    }
    if mv.to == "review" {
        let n = sol.reviews.last().map_or(1, |r| r.round + 1);
        sol.reviews.push(ReviewRound {
            round: n,
            opened: actor.now,
            closed: None,
            verdicts: Vec::new(),
            extra: Default::default(),
        });
        sol.history.push(
            actor
                .entry("review-open")
                .with("round", n)
                .with("version", sol.version),
        );
    }
}

/// Loads request + solution, runs `change` on the solution and saves it, under the lock.
fn update_solution(
    store: &Store,
    id: &RecordId,
    change: impl FnOnce(&mut Solution, &Request) -> Result<()>,
) -> Result<(Solution, Touched)> {
    let lock = store.lock()?;
    let mut sol: Solution = store.load(id)?;
    let req_id = RecordId::parse(&sol.request).map_err(Error::invalid)?;
    let req: Request = store.load(&req_id)?;
    change(&mut sol, &req)?;
    let mut touched = Vec::new();
    save(store, &lock, &sol, &mut touched)?;
    Ok((sol, touched))
}

/// Refuses changes to a solution once its request has moved past design.
fn check_editable(sol: &Solution, req: &Request) -> Result<()> {
    if sol.superseded_by.is_some() {
        return Err(Error::invalid(format!(
            "{} was superseded by {}; change that one",
            sol.id,
            sol.superseded_by.as_deref().unwrap_or_default()
        )));
    }
    if EDITABLE_STAGES.contains(&req.stage.as_str()) {
        return Ok(());
    }
    Err(Error::invalid_with_hint(
        format!(
            "{} is frozen while {} is in `{}`",
            sol.id, req.id, req.stage
        ),
        if req.stage == "demo" || req.stage == "review" {
            format!(
                "go back with `presales advance {} --to design` (bumps the solution's version)",
                req.id
            )
        } else {
            "a solution changes only while its request is in analysis or design".to_string()
        },
    ))
}

pub struct NewSolution {
    pub request: String,
    pub title: Option<String>,
    /// Absolute path of a Markdown plan inside the store.
    pub plan_file: Option<std::path::PathBuf>,
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
    let lock = store.lock()?;
    let mut req: Request = store.load(&req_id)?;
    let path = store.workflow.path(&req.kind)?;
    if !path.stages.iter().any(|s| s == "design") {
        return Err(Error::invalid(format!(
            "requests of type `{}` have no design stage, so no solution",
            req.kind
        )));
    }
    if !EDITABLE_STAGES.contains(&req.stage.as_str()) {
        return Err(Error::invalid(format!(
            "{req_id} is in `{}`; a solution is created in analysis or design",
            req.stage
        )));
    }
    let mut old = linked_solution(store, &req);
    if let Some(old) = &old
        && !input.supersede
    {
        return Err(Error::invalid_with_hint(
            format!("{req_id} already has a solution: {}", old.id),
            format!(
                "change it with `presales solution plan {}` etc., or replace it with `presales solution new --request {req_id} --supersede`",
                old.id
            ),
        ));
    }
    let id = store.mint(Kind::Solution, actor.now)?;
    let mut sol = Solution {
        id: id.to_string(),
        request: req.id.clone(),
        title: input
            .title
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| req.title.clone()),
        version: 1,
        author: actor.id.clone(),
        created: actor.now,
        plan: None,
        plan_file,
        milestones: Vec::new(),
        resources: Vec::new(),
        quotation: None,
        risks: Vec::new(),
        reviews: Vec::new(),
        approval: None,
        handover: None,
        supersedes: old.as_ref().map(|o| o.id.clone()),
        superseded_by: None,
        extra: Default::default(),
        history: vec![actor.entry("create").with("request", req.id.clone())],
    };
    let mut touched = Vec::new();
    if let Some(old) = old.as_mut() {
        old.superseded_by = Some(sol.id.clone());
        old.history
            .push(actor.entry("superseded").to(sol.id.clone()));
        sol.version = 1;
        save(store, &lock, old, &mut touched)?;
    }
    req.solution = Some(sol.id.clone());
    req.history.push(actor.entry("solution").to(sol.id.clone()));
    save(store, &lock, &sol, &mut touched)?;
    save(store, &lock, &req, &mut touched)?;
    Ok((sol, touched))
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
    let file = match &plan {
        Plan::File(p) => Some(plan_path(store, p)?),
        Plan::Text(t) if t.trim().is_empty() => {
            return Err(Error::invalid("--plan is empty"));
        }
        Plan::Text(_) => None,
    };
    update_solution(store, id, |sol, req| {
        check_editable(sol, req)?;
        match (plan, file) {
            (_, Some(f)) => {
                sol.plan_file = Some(f.clone());
                sol.plan = None;
                sol.history.push(actor.entry("plan").with("plan_file", f));
            }
            (Plan::Text(t), None) => {
                sol.plan = Some(t);
                sol.plan_file = None;
                sol.history.push(actor.entry("plan"));
            }
            (Plan::File(_), None) => unreachable!("file plans always carry a path"),
        }
        Ok(())
    })
}

pub fn add_milestone(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    name: &str,
    date: NaiveDate,
) -> Result<(Solution, Touched)> {
    if name.trim().is_empty() {
        return Err(Error::invalid("a milestone needs a name"));
    }
    update_solution(store, id, |sol, req| {
        check_editable(sol, req)?;
        let created = req.created.date_naive();
        if date < created {
            return Err(Error::invalid(format!(
                "milestone date {date} is before {} was created ({created})",
                req.id
            )));
        }
        sol.milestones.push(Milestone {
            name: name.trim().to_string(),
            date,
            extra: Default::default(),
        });
        sol.milestones.sort_by_key(|m| m.date);
        sol.history.push(
            actor
                .entry("milestone")
                .note(Some(name.trim()))
                .with("date", date.to_string()),
        );
        Ok(())
    })
}

pub fn add_resource(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    role: &str,
    person: Option<String>,
    days: Decimal,
) -> Result<(Solution, Touched)> {
    if days <= Decimal::ZERO {
        return Err(Error::invalid(format!(
            "--days must be positive (got {days})"
        )));
    }
    if role.trim().is_empty() {
        return Err(Error::invalid("a resource needs a role"));
    }
    if let Some(p) = &person {
        check_member(store, p)?;
    }
    update_solution(store, id, |sol, req| {
        check_editable(sol, req)?;
        let mut entry = actor
            .entry("resource")
            .with("role", role.trim())
            .with("days", days.to_string());
        if let Some(p) = &person {
            entry = entry.with("person", p.clone());
        }
        sol.resources.push(Resource {
            role: role.trim().to_string(),
            person,
            days,
            extra: Default::default(),
        });
        sol.history.push(entry);
        Ok(())
    })
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
    if q.quantity <= Decimal::ZERO {
        return Err(Error::invalid(format!(
            "--qty must be positive (got {})",
            q.quantity
        )));
    }
    if q.unit_price < Decimal::ZERO {
        return Err(Error::invalid(format!(
            "--unit-price must not be negative (got {})",
            q.unit_price
        )));
    }
    if q.item.trim().is_empty() {
        return Err(Error::invalid("a quotation line needs an --item"));
    }
    let currency = q.currency.map(|c| c.trim().to_ascii_uppercase());
    if let Some(c) = &currency
        && (c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()))
    {
        return Err(Error::invalid(format!(
            "--currency `{c}` is not a three-letter ISO 4217 code such as CNY, USD or EUR"
        )));
    }
    update_solution(store, id, |sol, req| {
        check_editable(sol, req)?;
        let quote = sol.quotation.get_or_insert_with(|| Quotation {
            currency: currency.clone().unwrap_or_else(|| "CNY".into()),
            lines: Vec::new(),
            total: Decimal::ZERO,
            valid_until: None,
            extra: Default::default(),
        });
        if let Some(c) = &currency
            && c != &quote.currency
        {
            return Err(Error::invalid(format!(
                "the quotation is in {}; one quotation has one currency (got {c})",
                quote.currency
            )));
        }
        if let Some(v) = q.valid_until {
            if v < req.created.date_naive() {
                return Err(Error::invalid(format!(
                    "--valid-until {v} is before the request was created"
                )));
            }
            quote.valid_until = Some(v);
        }
        quote.lines.push(QuoteLine {
            item: q.item.trim().to_string(),
            quantity: q.quantity,
            unit_price: q.unit_price,
            extra: Default::default(),
        });
        quote.total = Quotation::compute_total(&quote.lines);
        let total = quote.total;
        sol.history.push(
            actor
                .entry("quote")
                .note(Some(q.item.trim()))
                .with("quantity", q.quantity.to_string())
                .with("unit_price", q.unit_price.to_string())
                .with("total", total.to_string()),
        );
        Ok(())
    })
}

pub fn add_risk(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    risk: Risk,
) -> Result<(Solution, Touched)> {
    for (name, v) in [("--likelihood", risk.likelihood), ("--impact", risk.impact)] {
        if !(1..=5).contains(&v) {
            return Err(Error::invalid(format!(
                "{name} must be between 1 and 5 (got {v})"
            )));
        }
    }
    if risk.description.trim().is_empty() || risk.mitigation.trim().is_empty() {
        return Err(Error::invalid(
            "a risk needs a --description and a --mitigation",
        ));
    }
    if let Some(o) = &risk.owner {
        check_member(store, o)?;
    }
    update_solution(store, id, |sol, req| {
        check_editable(sol, req)?;
        sol.history.push(
            actor
                .entry("risk")
                .note(Some(risk.description.clone()))
                .with("score", risk.score()),
        );
        sol.risks.push(risk);
        Ok(())
    })
}

/// Loads a request with its solution, runs `change`, saves both, under the lock.
fn update_request(
    store: &Store,
    id: &RecordId,
    change: impl FnOnce(&mut Request, Option<&mut Solution>, &StoreLock) -> Result<()>,
) -> Result<(Request, Touched)> {
    let lock = store.lock()?;
    let mut req: Request = store.load(id)?;
    let mut sol = linked_solution(store, &req);
    change(&mut req, sol.as_mut(), &lock)?;
    let mut touched = Vec::new();
    save(store, &lock, &req, &mut touched)?;
    if let Some(sol) = &sol {
        save(store, &lock, sol, &mut touched)?;
    }
    Ok((req, touched))
}

/// Moves the request into `stage` when that is its next stage and the guards allow it.
fn enter(
    store: &Store,
    actor: &Actor,
    req: &mut Request,
    sol: Option<&mut Solution>,
    stage: &str,
) -> Result<()> {
    if req.stage == stage {
        return Ok(());
    }
    let mv = {
        let f = facts(store, req, sol.as_deref(), actor, None);
        store.workflow.plan(&f, Some(stage))?
    };
    apply_move(req, sol, &mv, actor, None);
    Ok(())
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
    update_request(store, id, |req, sol, _| {
        if date < req.created.date_naive() {
            return Err(Error::invalid(format!(
                "demo date {date} is before {} was created",
                req.id
            )));
        }
        if req.stage != "demo" {
            let path = store.workflow.path(&req.kind)?;
            if path.next(&req.stage) != Some("demo") {
                return Err(Error::invalid(format!(
                    "{} is in `{}`; a demo is recorded in the demo stage (or from the stage before it)",
                    req.id, req.stage
                )));
            }
            enter(store, actor, req, sol, "demo")?;
        }
        let mut entry = actor
            .entry("demo")
            .with("date", date.to_string())
            .with("attendees", attendees.join(", "));
        entry.note = notes.clone();
        req.demos.push(Demo {
            date,
            attendees,
            notes,
            feedback: Vec::new(),
            extra: Default::default(),
        });
        req.history.push(entry);
        Ok(())
    })
}

/// Collects a feedback item on the latest demo (收集反馈).
pub fn add_feedback(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    from: &str,
    text: &str,
) -> Result<(Request, Touched)> {
    if text.trim().is_empty() || from.trim().is_empty() {
        return Err(Error::invalid("feedback needs --from and --text"));
    }
    update_request(store, id, |req, _, _| {
        open_or_err(req)?;
        let rid = req.id.clone();
        let demo = req.demos.last_mut().ok_or_else(|| {
            Error::invalid_with_hint(
                format!("{rid} has no demo to attach feedback to"),
                format!("record it first: `presales demo {rid} --date D --attendee NAME`"),
            )
        })?;
        demo.feedback.push(Feedback {
            from: from.trim().to_string(),
            text: text.trim().to_string(),
            disposition: None,
            extra: Default::default(),
        });
        let n = demo.feedback.len();
        req.history.push(
            actor
                .entry("feedback")
                .with("item", n)
                .with("source", from.trim())
                .note(Some(text.trim())),
        );
        Ok(())
    })
}

/// Sets the disposition of feedback item `item` (1-based) of the latest demo.
pub fn set_disposition(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    item: usize,
    disposition: Disposition,
) -> Result<(Request, Touched)> {
    update_request(store, id, |req, _, _| {
        open_or_err(req)?;
        let rid = req.id.clone();
        let demo = req
            .demos
            .last_mut()
            .ok_or_else(|| Error::invalid(format!("{rid} has no demo")))?;
        let count = demo.feedback.len();
        let f = demo.feedback.get_mut(item.wrapping_sub(1)).ok_or_else(|| {
            Error::invalid(format!(
                "the latest demo of {rid} has {count} feedback item(s); --item {item} is not one"
            ))
        })?;
        f.disposition = Some(disposition);
        req.history.push(
            actor
                .entry("feedback-disposition")
                .with("item", item)
                .with("disposition", disposition_str(disposition)),
        );
        Ok(())
    })
}

pub fn disposition_str(d: Disposition) -> &'static str {
    match d {
        Disposition::Accepted => "accepted",
        Disposition::Rejected => "rejected",
        Disposition::Done => "done",
    }
}

fn open_or_err(req: &Request) -> Result<()> {
    if req.stage == CLOSED {
        Err(Error::invalid(format!("{} is closed", req.id)))
    } else {
        Ok(())
    }
}

/// Records the caller's verdict in the open review round (方案评审).
pub fn review(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    verdict: VerdictKind,
    comment: &str,
) -> Result<(Solution, Touched)> {
    if comment.trim().is_empty() {
        return Err(Error::invalid("a review needs a --comment"));
    }
    update_solution(store, id, |sol, req| {
        if req.stage != "review" {
            let before_review = store
                .workflow
                .path(&req.kind)
                .ok()
                .and_then(|p| Some(p.index(&req.stage)? < p.index("review")?))
                .unwrap_or(false);
            return Err(Error::invalid_with_hint(
                format!(
                    "{} is in `{}`; verdicts are given while it is in `review`",
                    req.id, req.stage
                ),
                if before_review {
                    format!(
                        "the round opens when it enters review: `presales advance {}`",
                        req.id
                    )
                } else {
                    "its review is over; to review a new version, revise with `presales advance REQ --to design`".to_string()
                },
            ));
        }
        if sol.author == actor.id {
            return Err(Error::invalid(format!(
                "{} is the author of {}; reviews come from other experts",
                actor.id, sol.id
            )));
        }
        let round = match sol.reviews.last_mut() {
            Some(r) if r.closed.is_none() => r,
            _ => {
                return Err(Error::invalid(format!(
                    "{} has no open review round",
                    sol.id
                )));
            }
        };
        if round.verdicts.iter().any(|v| v.reviewer == actor.id) {
            return Err(Error::invalid(format!(
                "{} already gave a verdict in round {} of {}",
                actor.id, round.round, sol.id
            )));
        }
        round.verdicts.push(Verdict {
            reviewer: actor.id.clone(),
            verdict,
            at: actor.now,
            comment: Some(comment.trim().to_string()),
            extra: Default::default(),
        });
        let n = round.round;
        sol.history.push(
            actor
                .entry("review")
                .with("round", n)
                .with("verdict", verdict.as_str())
                .note(Some(comment.trim())),
        );
        Ok(())
    })
}

/// A manager's approval (方案批准), four eyes; the request moves to `approved`.
pub fn approve(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    note: Option<String>,
) -> Result<(Solution, Touched)> {
    let member = store
        .config
        .member(&actor.id)
        .ok_or_else(|| Error::invalid(format!("{} is not a team member", actor.id)))?;
    if !member.has_role(Role::Approver) {
        let approvers: Vec<&str> = store
            .config
            .members
            .iter()
            .filter(|m| m.has_role(Role::Approver))
            .map(|m| m.id.as_str())
            .collect();
        return Err(Error::invalid_with_hint(
            format!("{} lacks the approver role", actor.id),
            format!("approvers: {}", approvers.join(", ")),
        ));
    }
    let lock = store.lock()?;
    let mut sol: Solution = store.load(id)?;
    let req_id = RecordId::parse(&sol.request).map_err(Error::invalid)?;
    let mut req: Request = store.load(&req_id)?;
    if req.solution.as_deref() != Some(sol.id.as_str()) {
        return Err(Error::invalid(format!(
            "{} is not the current solution of {}",
            sol.id, req.id
        )));
    }
    if sol.author == actor.id || req.assignee.as_deref() == Some(actor.id.as_str()) {
        return Err(Error::invalid(format!(
            "four eyes: {} is the author or assignee of {} and cannot approve it",
            actor.id, sol.id
        )));
    }
    if req.stage != "review" {
        return Err(Error::invalid(format!(
            "{} is in `{}`; a solution is approved after its review (stage `review`)",
            req.id, req.stage
        )));
    }
    sol.approval = Some(Approval {
        by: actor.id.clone(),
        at: actor.now,
        note: note.clone(),
        extra: Default::default(),
    });
    sol.history.push(
        actor
            .entry("approve")
            .with("version", sol.version)
            .note(note),
    );
    // The move checks the review round too; if it fails, nothing is written.
    enter(store, actor, &mut req, Some(&mut sol), "approved")?;
    let mut touched = Vec::new();
    save(store, &lock, &sol, &mut touched)?;
    save(store, &lock, &req, &mut touched)?;
    Ok((sol, touched))
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
    if !store
        .config
        .member(to)
        .is_some_and(|m| m.has_role(Role::Sales))
    {
        return Err(Error::invalid(format!(
            "{to} is not in sales; a solution is handed over to a sales member"
        )));
    }
    let mut training = training;
    for t in &mut training {
        split_attendees(t, |n| store.config.member(n).is_some());
    }
    update_request(store, id, |req, sol, _| {
        let rid = req.id.clone();
        let sol = sol.ok_or_else(|| Error::invalid(format!("{rid} has no solution")))?;
        if sol.approval.is_none() {
            return Err(Error::invalid_with_hint(
                format!("{} is not approved", sol.id),
                format!("an approver runs `presales approve {}`", sol.id),
            ));
        }
        sol.handover = Some(Handover {
            to: to.to_string(),
            at: actor.now,
            training: training.clone(),
            notes: notes.clone(),
            extra: Default::default(),
        });
        sol.history.push(
            actor
                .entry("handover")
                .to(to)
                .with("training", training.len())
                .note(notes),
        );
        enter(store, actor, req, Some(sol), "handover")
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
