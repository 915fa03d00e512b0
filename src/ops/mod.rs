//! Operations on the store: each writing command of the CLI is a thin wrapper around one of
//! these. They validate input, run the workflow engine, append history and save, all under
//! the store lock.

pub mod migrate;
pub mod solution;

use chrono::NaiveDate;

use crate::assign::{self, ASSIGN_ACTION, Decision, POLICY_KEY, Policy, TURN_KEY};
use crate::config::Role;
use crate::error::{Error, Result};
use crate::model::request::{Assessment, Feasibility};
use crate::model::{
    Customer, HistoryEntry, Kind, Outcome, Priority, Record, RecordId, Request, Solution, Timestamp,
};
use crate::store::{Store, StoreLock};
use crate::workflow::{CLOSED, FIRST_STAGE, Facts, Move, MoveKind};

/// Who does something and when: every history entry is stamped with these.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: String,
    pub now: Timestamp,
}

impl Actor {
    pub fn entry(&self, action: &str) -> HistoryEntry {
        HistoryEntry::new(self.now, &self.id, action)
    }

    pub fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }
}

/// The files a command wrote, so `--commit` can commit exactly those.
pub type Touched = Vec<std::path::PathBuf>;

pub(crate) fn save<T: Record>(
    store: &Store,
    lock: &StoreLock,
    rec: &T,
    touched: &mut Touched,
) -> Result<()> {
    if let Some(p) = store.save(rec, lock)? {
        touched.push(p);
    }
    Ok(())
}

pub struct NewCustomer {
    pub name: String,
    pub industry: Option<String>,
    pub region: Option<String>,
    pub account_owner: Option<String>,
    pub confidential: bool,
    pub notes: Option<String>,
}

pub fn create_customer(
    store: &Store,
    actor: &Actor,
    input: NewCustomer,
) -> Result<(Customer, Touched)> {
    if input.name.trim().is_empty() {
        return Err(Error::invalid("a customer needs a name (--name)"));
    }
    if let Some(owner) = &input.account_owner {
        check_member(store, owner)?;
    }
    let lock = store.lock()?;
    let (existing, _) = store.load_all::<Customer>();
    if let Some(dup) = existing.iter().find(|c| c.name.trim() == input.name.trim()) {
        return Err(Error::invalid_with_hint(
            format!("a customer named `{}` already exists: {}", dup.name, dup.id),
            format!("use `--customer {}` on requests for them", dup.id),
        ));
    }
    let id = store.mint(Kind::Customer, actor.now)?;
    let customer = Customer {
        id: id.to_string(),
        name: input.name.trim().to_string(),
        industry: input.industry,
        region: input.region,
        contacts: Vec::new(),
        account_owner: input.account_owner,
        confidential: input.confidential,
        notes: input.notes,
        created: actor.now,
        extra: Default::default(),
        history: vec![actor.entry("create")],
    };
    let mut touched = Vec::new();
    save(store, &lock, &customer, &mut touched)?;
    Ok((customer, touched))
}

pub struct NewRequest {
    pub title: String,
    pub customer: String,
    pub kind: Option<String>,
    pub priority: Priority,
    pub description: Option<String>,
    pub requested_by: Option<String>,
    pub due: Option<NaiveDate>,
    pub products: Vec<String>,
    pub tags: Vec<String>,
    pub skills: Vec<String>,
    pub confidential: bool,
}

/// Registers a request (需求登记) in the first stage of its type's path.
pub fn create_request(
    store: &Store,
    actor: &Actor,
    input: NewRequest,
) -> Result<(Request, Touched)> {
    let title = input.title.trim().to_string();
    if title.is_empty() {
        return Err(Error::invalid("a request needs a title (--title)"));
    }
    let kind = input
        .kind
        .unwrap_or_else(|| store.config.workflow.default_type.clone());
    store.workflow.path(&kind)?;
    let customer = store.resolve(Kind::Customer, &input.customer).map_err(|e| match e {
        Error::NotFound { input, .. } => Error::invalid_with_hint(
            format!("no customer matches `{input}`"),
            "create it with `presales customer new --name N`, or list them with `presales customer list`",
        ),
        e => e,
    })?;
    if let Some(who) = &input.requested_by {
        check_member(store, who)?;
    }
    if let Some(due) = input.due
        && due < actor.today()
    {
        return Err(Error::invalid(format!(
            "--due {due} is before today ({})",
            actor.today()
        )));
    }
    let lock = store.lock()?;
    let id = store.mint(Kind::Request, actor.now)?;
    let request = Request {
        id: id.to_string(),
        title,
        kind,
        priority: input.priority,
        customer: customer.to_string(),
        opportunity: None,
        requested_by: input.requested_by.or_else(|| {
            store
                .config
                .member(&actor.id)
                .filter(|m| m.has_role(Role::Sales))
                .map(|m| m.id.clone())
        }),
        created: actor.now,
        due: input.due,
        stage: FIRST_STAGE.to_string(),
        assignee: None,
        skills: input.skills,
        products: input.products,
        tags: input.tags,
        description: input.description.filter(|d| !d.trim().is_empty()),
        assessment: None,
        solution: None,
        demos: Vec::new(),
        articles: Vec::new(),
        outcome: None,
        technical_win: false,
        summary: None,
        satisfaction: None,
        confidential: input.confidential,
        extra: Default::default(),
        history: vec![actor.entry("create").to(FIRST_STAGE)],
    };
    let mut touched = Vec::new();
    save(store, &lock, &request, &mut touched)?;
    Ok((request, touched))
}

/// Checks that `who` names a team member; the error lists them.
pub fn check_member(store: &Store, who: &str) -> Result<()> {
    if store.config.member(who).is_some() {
        return Ok(());
    }
    let ids = store.config.member_ids();
    Err(Error::invalid_with_hint(
        format!("`{who}` is not a team member"),
        if ids.is_empty() {
            "the team is empty: add members with `presales team add ID --name N --role R`"
                .to_string()
        } else {
            format!("members: {}", ids.join(", "))
        },
    ))
}

/// Loads the solution linked from a request, if any; a dangling link counts as none.
pub(crate) fn linked_solution(store: &Store, req: &Request) -> Option<Solution> {
    let sid = RecordId::parse(req.solution.as_deref()?).ok()?;
    store.load::<Solution>(&sid).ok()
}

pub(crate) fn facts<'a>(
    store: &'a Store,
    req: &'a Request,
    sol: Option<&'a Solution>,
    actor: &Actor,
    note: Option<&'a str>,
) -> Facts<'a> {
    Facts {
        request: req,
        solution: sol,
        config: &store.config,
        today: actor.today(),
        note,
    }
}

/// Applies a planned move to the request, appending its history entry, and to its
/// solution: entering `review` opens a review round, leaving it closes the round, and a
/// revise loop bumps the solution's version (earlier rounds are kept; the approval, which
/// was for the old version, is withdrawn).
pub(crate) fn apply_move(
    req: &mut Request,
    sol: Option<&mut Solution>,
    mv: &Move,
    actor: &Actor,
    note: Option<&str>,
) {
    let action = match mv.kind {
        MoveKind::Revise => "revise",
        MoveKind::Forward | MoveKind::Close => "advance",
    };
    let entry = actor
        .entry(action)
        .from_to(req.stage.clone(), mv.to.clone())
        .note(note.map(str::to_string));
    if let Some(sol) = sol {
        solution::on_move(sol, &req.stage, mv, actor, note);
    }
    req.stage = mv.to.clone();
    req.history.push(entry);
}

pub enum AssignTarget {
    Member(String),
    Auto { policy: Policy, dry_run: bool },
}

pub struct Assigned {
    pub request: Request,
    pub decision: Option<Decision>,
    pub touched: Touched,
}

/// Assigns an engineer (派工), by name or by policy; moves `registered` to `assigned`.
pub fn assign(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    target: AssignTarget,
) -> Result<Assigned> {
    let lock = store.lock()?;
    let mut req: Request = store.load(id)?;
    if req.stage == CLOSED {
        return Err(Error::invalid(format!(
            "{id} is closed; it cannot be assigned"
        )));
    }
    let (who, decision, policy): (String, Option<Decision>, Option<Policy>) = match target {
        AssignTarget::Member(m) => {
            check_member(store, &m)?;
            let member = store.config.member(&m).expect("checked above");
            if let Some(why) = assign::skip_reason(member, &req, actor.today()) {
                return Err(Error::invalid_with_hint(
                    format!("{m} cannot take {id}: {why}"),
                    format!("see who can with `presales assign {id} --auto --dry-run`"),
                ));
            }
            (m, None, None)
        }
        AssignTarget::Auto { policy, dry_run } => {
            let (all, _) = store.load_all::<Request>();
            let decision = assign::choose(&store.config, &req, &all, actor.today(), policy);
            if dry_run {
                return Ok(Assigned {
                    request: req,
                    decision: Some(decision),
                    touched: Vec::new(),
                });
            }
            let Some(who) = decision.chosen.clone() else {
                let reasons: Vec<String> = decision
                    .candidates
                    .iter()
                    .map(|c| format!("{}: {}", c.member, c.skipped.as_deref().unwrap_or("?")))
                    .collect();
                return Err(Error::invalid_with_hint(
                    format!("no engineer can take {id} now"),
                    if reasons.is_empty() {
                        "the team has no engineers: `presales team add ID --name N --role engineer`"
                            .into()
                    } else {
                        reasons.join("; ")
                    },
                ));
            };
            (who, Some(decision), Some(policy))
        }
    };
    if req.assignee.as_deref() == Some(who.as_str()) {
        return Err(Error::invalid(format!("{id} is already assigned to {who}")));
    }
    let mut entry = actor.entry(ASSIGN_ACTION).to(who.clone());
    if let Some(prev) = &req.assignee {
        entry.from = Some(prev.clone());
    }
    if let (Some(p), Some(d)) = (policy, &decision) {
        entry = entry.with(POLICY_KEY, p.as_str()).with(TURN_KEY, d.turn);
    }
    req.assignee = Some(who);
    req.history.push(entry);
    if req.stage == FIRST_STAGE {
        let sol = linked_solution(store, &req);
        let f = facts(store, &req, sol.as_ref(), actor, None);
        let mv = store.workflow.plan(&f, None)?;
        apply_move(&mut req, None, &mv, actor, None);
    }
    let mut touched = Vec::new();
    save(store, &lock, &req, &mut touched)?;
    Ok(Assigned {
        request: req,
        decision,
        touched,
    })
}

/// Records the feasibility analysis (需求分析与评估); moves `assigned` to `analysis`.
pub fn assess(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    assessment: Assessment,
) -> Result<(Request, Touched)> {
    if !(1..=5).contains(&assessment.difficulty) {
        return Err(Error::invalid("--difficulty must be between 1 and 5"));
    }
    let lock = store.lock()?;
    let mut req: Request = store.load(id)?;
    if req.stage == CLOSED {
        return Err(Error::invalid(format!("{id} is closed")));
    }
    let path = store.workflow.path(&req.kind)?;
    if !path.stages.iter().any(|s| s == "analysis") {
        return Err(Error::invalid(format!(
            "requests of type `{}` have no analysis stage",
            req.kind
        )));
    }
    if req.stage == FIRST_STAGE {
        return Err(Error::invalid_with_hint(
            format!("{id} is not assigned yet"),
            format!("assign it first: `presales assign {id} --auto`"),
        ));
    }
    let entry = actor
        .entry("assess")
        .with("feasibility", assessment.feasibility.as_str())
        .with("difficulty", assessment.difficulty)
        .note(assessment.notes.clone());
    req.assessment = Some(assessment);
    req.history.push(entry);
    if req.stage == "assigned" && path.next("assigned") == Some("analysis") {
        let sol = linked_solution(store, &req);
        let f = facts(store, &req, sol.as_ref(), actor, None);
        let mv = store.workflow.plan(&f, Some("analysis"))?;
        apply_move(&mut req, None, &mv, actor, None);
    }
    let mut touched = Vec::new();
    save(store, &lock, &req, &mut touched)?;
    Ok((req, touched))
}

/// Moves a request to its next stage, or to `to`; refused with reasons when a guard fails.
pub fn advance(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    to: Option<&str>,
    note: Option<&str>,
) -> Result<(Request, Move, Touched)> {
    let lock = store.lock()?;
    let mut req: Request = store.load(id)?;
    let mut sol = linked_solution(store, &req);
    let f = facts(store, &req, sol.as_ref(), actor, note);
    let mv = store.workflow.plan(&f, to)?;
    if mv.to == CLOSED {
        return Err(Error::invalid_with_hint(
            format!("{id} is closed with `presales close`, which records the outcome"),
            format!(
                "presales close {id} --outcome won|lost|cancelled|no_decision|infeasible --summary T"
            ),
        ));
    }
    apply_move(&mut req, sol.as_mut(), &mv, actor, note);
    let mut touched = Vec::new();
    save(store, &lock, &req, &mut touched)?;
    if let Some(sol) = &sol {
        save(store, &lock, sol, &mut touched)?;
    }
    Ok((req, mv, touched))
}

pub struct Closing {
    pub outcome: Outcome,
    pub summary: String,
    pub satisfaction: Option<u8>,
    pub technical_win: bool,
}

/// Closes a request with its outcome and summary (工作记录与总结).
pub fn close(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    closing: Closing,
) -> Result<(Request, Touched)> {
    if let Some(s) = closing.satisfaction
        && !(1..=5).contains(&s)
    {
        return Err(Error::invalid("--satisfaction must be between 1 and 5"));
    }
    if closing.summary.trim().is_empty() {
        return Err(Error::invalid(
            "closing needs a written summary (--summary)",
        ));
    }
    let lock = store.lock()?;
    let mut req: Request = store.load(id)?;
    if req.stage == CLOSED {
        return Err(Error::invalid(format!("{id} is already closed")));
    }
    req.outcome = Some(closing.outcome);
    req.summary = Some(closing.summary.trim().to_string());
    req.satisfaction = closing.satisfaction;
    req.technical_win = closing.technical_win;
    let mut sol = linked_solution(store, &req);
    let f = facts(store, &req, sol.as_ref(), actor, None);
    let mv = store.workflow.plan(&f, Some(CLOSED))?;
    if let Some(sol) = sol.as_mut() {
        solution::on_move(sol, &req.stage, &mv, actor, None);
    }
    let mut entry = actor
        .entry("close")
        .from_to(req.stage.clone(), CLOSED)
        .with("outcome", closing.outcome.as_str());
    if let Some(s) = closing.satisfaction {
        entry = entry.with("satisfaction", s);
    }
    if closing.technical_win {
        entry = entry.with("technical_win", true);
    }
    req.stage = mv.to;
    req.history.push(entry);
    let mut touched = Vec::new();
    save(store, &lock, &req, &mut touched)?;
    if let Some(sol) = &sol {
        save(store, &lock, sol, &mut touched)?;
    }
    Ok((req, touched))
}

/// Appends a comment to a request's history.
pub fn comment(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    text: &str,
) -> Result<(Request, Touched)> {
    if text.trim().is_empty() {
        return Err(Error::invalid("a comment needs text"));
    }
    let lock = store.lock()?;
    let mut req: Request = store.load(id)?;
    req.history
        .push(actor.entry("comment").note(Some(text.trim())));
    let mut touched = Vec::new();
    save(store, &lock, &req, &mut touched)?;
    Ok((req, touched))
}

/// Checks a hand-edited request against the one on disk: same identity, history only
/// appended to, a known type and stage. Returns the names of the top-level fields changed.
pub fn check_edit(store: &Store, before: &Request, after: &Request) -> Result<Vec<String>> {
    if after.id != before.id {
        return Err(Error::invalid(format!("the id must stay {}", before.id)));
    }
    if after.created != before.created {
        return Err(Error::invalid("the created time must not change"));
    }
    if after.history.len() < before.history.len()
        || after.history[..before.history.len()] != before.history[..]
    {
        return Err(Error::invalid(
            "history is append-only: existing entries must not be edited or removed",
        ));
    }
    let path = store.workflow.path(&after.kind)?;
    if !path.stages.contains(&after.stage) {
        return Err(Error::invalid(format!(
            "`{}` is not a stage of type `{}` ({})",
            after.stage,
            after.kind,
            path.stages.join(", ")
        )));
    }
    if after.stage != before.stage {
        return Err(Error::invalid_with_hint(
            "the stage changes only through the workflow",
            format!("use `presales advance {} --to {}`", before.id, after.stage),
        ));
    }
    if after.assignee != before.assignee {
        return Err(Error::invalid_with_hint(
            "the assignee changes only through `presales assign`, which records it",
            format!("presales assign {} --to MEMBER", before.id),
        ));
    }
    let customer = store.resolve(Kind::Customer, &after.customer)?;
    if customer.as_str() != after.customer {
        return Err(Error::invalid(format!(
            "customer must be a full ID: write {customer}, not `{}`",
            after.customer
        )));
    }
    let b = serde_json::to_value(before).map_err(|e| Error::invalid(e.to_string()))?;
    let a = serde_json::to_value(after).map_err(|e| Error::invalid(e.to_string()))?;
    let (Some(b), Some(a)) = (b.as_object(), a.as_object()) else {
        return Ok(Vec::new());
    };
    let mut keys: Vec<&String> = b
        .keys()
        .chain(a.keys())
        .filter(|k| *k != "history")
        .collect();
    keys.sort();
    keys.dedup();
    Ok(keys
        .into_iter()
        .filter(|k| b.get(*k) != a.get(*k))
        .cloned()
        .collect())
}

/// Saves a hand-edited request after [`check_edit`], with an `edit` history entry.
pub fn save_edit(
    store: &Store,
    actor: &Actor,
    mut after: Request,
    fields: &[String],
) -> Result<(Request, Touched)> {
    let lock = store.lock()?;
    let id = RecordId::parse(&after.id).map_err(Error::invalid)?;
    let current: Request = store.load(&id)?;
    // Someone else may have written in the meantime; refuse rather than lose their update.
    if current.history.len() > after.history.len()
        || current.history[..] != after.history[..current.history.len()]
    {
        return Err(Error::invalid(format!(
            "{id} changed while you were editing; run `presales edit {id}` again"
        )));
    }
    after
        .history
        .push(actor.entry("edit").with("fields", fields.join(", ")));
    let mut touched = Vec::new();
    save(store, &lock, &after, &mut touched)?;
    Ok((after, touched))
}

pub fn feasibility(s: &str) -> Result<Feasibility> {
    match s {
        "feasible" => Ok(Feasibility::Feasible),
        "partial" => Ok(Feasibility::Partial),
        "infeasible" => Ok(Feasibility::Infeasible),
        _ => Err(Error::invalid(format!(
            "unknown feasibility `{s}` (expected feasible, partial or infeasible)"
        ))),
    }
}
