//! Operations on the store: each writing command of the CLI is a thin wrapper around one of
//! these. They resolve what the user gave into a [`Command`] (IDs, defaults, the dispatch
//! decision), then take the store lock, run [`apply::apply`] on the records and save what
//! it changed. The same `apply` replays pull requests in `check --base`.

pub mod apply;
pub mod command;
pub mod migrate;
pub mod solution;
pub mod world;

use chrono::NaiveDate;

use crate::assign::{self, Decision, Policy};
use crate::error::{Error, Result};
use crate::model::request::{Assessment, Feasibility};
use crate::model::{
    Customer, HistoryEntry, Kind, Outcome, Priority, Record, RecordId, Request, Timestamp,
};
use crate::store::{Store, StoreLock};
use crate::workflow::{CLOSED, Move};

pub use apply::{Env, check_member as check_member_of};
pub use command::Command;
pub use world::{AnyRecord, Source, Stored, World};

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

/// The store as the source of the records a command reads.
impl Source for Store {
    fn load(&self, id: &RecordId) -> Result<Option<AnyRecord>> {
        // A link where the record belongs is refused, not followed and not taken as absent.
        if std::fs::symlink_metadata(self.record_path(id)?).is_err() {
            return Ok(None);
        }
        Ok(Some(match id.kind() {
            Kind::Request => AnyRecord::Request(Store::load(self, id)?),
            Kind::Solution => AnyRecord::Solution(Store::load(self, id)?),
            Kind::Article => AnyRecord::Article(Store::load(self, id)?),
            Kind::Customer => AnyRecord::Customer(Store::load(self, id)?),
        }))
    }

    fn read_file(&self, rel: &str) -> Result<String> {
        self.read_repo_file(rel)
    }
}

/// Saves every record `world` changed, in canonical form; returns the files written.
pub(crate) fn save_world(store: &Store, lock: &StoreLock, world: &World) -> Result<Touched> {
    let mut touched = Vec::new();
    for rec in world.changed() {
        let written = match rec {
            AnyRecord::Request(r) => store.save(r, lock)?,
            AnyRecord::Solution(r) => store.save(r, lock)?,
            AnyRecord::Article(r) => store.save(r, lock)?,
            AnyRecord::Customer(r) => store.save(r, lock)?,
        };
        touched.extend(written);
    }
    Ok(touched)
}

/// Runs one command as `actor` on the records of `world` (loaded from `store` under
/// `lock`), with a fresh operation id, and saves what changed.
pub(crate) fn execute(
    store: &Store,
    lock: &StoreLock,
    world: &mut World,
    actor: &Actor,
    cmd: &Command,
) -> Result<Touched> {
    let op = crate::store::mint_op()?;
    let env = Env {
        config: &store.config,
        workflow: &store.workflow,
        by: &actor.id,
        now: actor.now,
        op: &op,
    };
    apply::apply(world, &env, cmd)?;
    let touched = save_world(store, lock, world)?;
    world.clear_changed();
    Ok(touched)
}

/// Locks the store, runs `cmd` and returns the record `id` as it is afterwards.
pub(crate) fn run<T: Stored>(
    store: &Store,
    actor: &Actor,
    cmd: Command,
    id: &str,
) -> Result<(T, Touched)> {
    let lock = store.lock()?;
    let mut world = World::new(store);
    let touched = execute(store, &lock, &mut world, actor, &cmd)?;
    Ok((world.get(id)?, touched))
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
    let lock = store.lock()?;
    let (existing, _) = store.load_all::<Customer>();
    if let Some(dup) = existing.iter().find(|c| c.name.trim() == input.name.trim()) {
        return Err(Error::invalid_with_hint(
            format!("a customer named `{}` already exists: {}", dup.name, dup.id),
            format!("use `--customer {}` on requests for them", dup.id),
        ));
    }
    let id = store.mint(Kind::Customer, actor.now)?;
    let cmd = Command::NewCustomer {
        id: id.to_string(),
        input: command::CustomerInput {
            name: input.name,
            industry: input.industry,
            region: input.region,
            account_owner: input.account_owner,
            confidential: input.confidential,
            notes: input.notes,
        },
    };
    let mut world = World::new(store);
    let touched = execute(store, &lock, &mut world, actor, &cmd)?;
    Ok((world.get(id.as_str())?, touched))
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
    let kind = input
        .kind
        .unwrap_or_else(|| store.config.workflow.default_type.clone());
    let customer = store.resolve(Kind::Customer, &input.customer).map_err(|e| match e {
        Error::NotFound { input, .. } => Error::invalid_with_hint(
            format!("no customer matches `{input}`"),
            "create it with `presales customer new --name N`, or list them with `presales customer list`",
        ),
        e => e,
    })?;
    // Sales registering a request for themselves are its requester.
    let requested_by = input.requested_by.or_else(|| {
        store
            .config
            .member(&actor.id)
            .filter(|m| m.has_role(crate::config::Role::Sales))
            .map(|m| m.id.clone())
    });
    let lock = store.lock()?;
    let id = store.mint(Kind::Request, actor.now)?;
    let cmd = Command::NewRequest {
        id: id.to_string(),
        input: command::RequestInput {
            to: None,
            title: input.title,
            kind,
            priority: input.priority,
            customer: customer.to_string(),
            requested_by,
            due: input.due,
            skills: input.skills,
            products: input.products,
            tags: input.tags,
            description: input.description,
            confidential: input.confidential,
        },
    };
    let mut world = World::new(store);
    let touched = execute(store, &lock, &mut world, actor, &cmd)?;
    Ok((world.get(id.as_str())?, touched))
}

/// Checks that `who` names a team member; the error lists them.
pub fn check_member(store: &Store, who: &str) -> Result<()> {
    apply::check_member(&store.config, who)
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
    let req: Request = store.load(id)?;
    let (to, decision, policy) = match target {
        AssignTarget::Member(m) => {
            check_member(store, &m)?;
            (m, None, None)
        }
        AssignTarget::Auto { policy, dry_run } => {
            if req.stage == CLOSED {
                return Err(Error::invalid(format!(
                    "{id} is closed; it cannot be assigned"
                )));
            }
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
    let cmd = Command::Assign {
        request: id.to_string(),
        input: command::AssignInput {
            from: None,
            to,
            policy: policy.map(|p| p.as_str().to_string()),
            turn: decision
                .as_ref()
                .filter(|_| policy.is_some())
                .map(|d| d.turn),
        },
    };
    let mut world = World::new(store);
    let touched = execute(store, &lock, &mut world, actor, &cmd)?;
    Ok(Assigned {
        request: world.get(id.as_str())?,
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
    let cmd = Command::Assess {
        request: id.to_string(),
        input: command::AssessInput {
            feasibility: assessment.feasibility,
            difficulty: assessment.difficulty,
            note: assessment.notes,
        },
    };
    run(store, actor, cmd, id.as_str())
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
    let mut world = World::new(store);
    // The move is planned here to name the next stage; `apply` plans it again, the same way.
    let req: Request = world.get(id.as_str())?;
    let sol = match &req.solution {
        Some(s) => Some(world.get::<crate::model::Solution>(s)?),
        None => None,
    };
    let facts = crate::workflow::Facts {
        request: &req,
        solution: sol.as_ref(),
        config: &store.config,
        today: actor.today(),
        note,
    };
    let mv = store.workflow.plan(&facts, to)?;
    let cmd = Command::Advance {
        request: id.to_string(),
        input: command::MoveInput {
            from: None,
            to: mv.to.clone(),
            note: note.map(str::to_string),
        },
    };
    let touched = execute(store, &lock, &mut world, actor, &cmd)?;
    Ok((world.get(id.as_str())?, mv, touched))
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
    let cmd = Command::Close {
        request: id.to_string(),
        input: command::CloseInput {
            from: None,
            to: None,
            outcome: closing.outcome,
            summary: closing.summary,
            satisfaction: closing.satisfaction,
            technical_win: closing.technical_win,
        },
    };
    run(store, actor, cmd, id.as_str())
}

/// Reopens a closed request, back in the stage it was closed from (lead).
pub fn reopen(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    note: &str,
) -> Result<(Request, Touched)> {
    let cmd = Command::Reopen {
        request: id.to_string(),
        input: command::ReopenInput {
            from: None,
            to: None,
            note: note.to_string(),
        },
    };
    run(store, actor, cmd, id.as_str())
}

/// Records a customer satisfaction score that arrives after close.
pub fn rate(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    satisfaction: u8,
    note: Option<String>,
) -> Result<(Request, Touched)> {
    let cmd = Command::Rate {
        request: id.to_string(),
        input: command::RateInput {
            satisfaction,
            previous: None,
            note,
        },
    };
    run(store, actor, cmd, id.as_str())
}

/// Appends a comment to a request's history.
pub fn comment(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    text: &str,
) -> Result<(Request, Touched)> {
    let cmd = Command::Comment {
        request: id.to_string(),
        input: command::CommentInput {
            note: text.to_string(),
        },
    };
    run(store, actor, cmd, id.as_str())
}

/// The changes between a record and its hand-edited copy, as `edit` records them: old →
/// new for each top-level field that differs (history aside). The copy's history must be
/// the record's.
pub fn edit_changes<T: Record>(before: &T, after: &T) -> Result<command::EditInput> {
    if after.history() != before.history() {
        return Err(Error::invalid(
            "history is append-only: existing entries must not be edited or removed",
        ));
    }
    let as_value = |r: &T| {
        serde_json::to_value(r)
            .map_err(|e| Error::internal_from(format!("cannot serialize {}", r.id()), e))
    };
    let (b, a) = (as_value(before)?, as_value(after)?);
    let (Some(b), Some(a)) = (b.as_object(), a.as_object()) else {
        return Err(Error::internal("a record serializes to a mapping"));
    };
    let mut keys: Vec<&String> = b
        .keys()
        .chain(a.keys())
        .filter(|k| *k != "history")
        .collect();
    keys.sort();
    keys.dedup();
    let fields = keys
        .into_iter()
        .filter(|k| b.get(*k) != a.get(*k))
        .map(|k| {
            (
                k.clone(),
                command::FieldChange {
                    old: b.get(k).cloned().unwrap_or_default(),
                    new: a.get(k).cloned().unwrap_or_default(),
                },
            )
        })
        .collect();
    Ok(command::EditInput {
        fields,
        body_sha256: None,
    })
}

/// The hash an article's body file was last recorded with (by `kb new` or `kb edit`).
pub fn recorded_body_hash(article: &crate::model::Article) -> Option<String> {
    article.history.iter().rev().find_map(|e| {
        e.extra
            .get("body_sha256")
            .and_then(serde_json::Value::as_str)
            .map(str::to_string)
    })
}

/// Saves a hand-edited record as an `edit` entry: each changed field, old → new. Refuses
/// fields that only their own command changes (or nothing does), and a record that changed
/// on disk meanwhile.
pub fn save_edit<T: Stored>(
    store: &Store,
    actor: &Actor,
    before: &T,
    after: &T,
    body_sha256: Option<String>,
) -> Result<(T, Touched)> {
    let mut input = edit_changes(before, after)?;
    input.body_sha256 = body_sha256;
    let lock = store.lock()?;
    let mut world = World::new(store);
    let current: T = world.get(before.id())?;
    if current.history() != before.history() {
        return Err(Error::invalid(format!(
            "{} changed while you were editing; run the edit again",
            before.id()
        )));
    }
    let cmd = Command::Edit {
        record: before.id().to_string(),
        input,
    };
    let touched = execute(store, &lock, &mut world, actor, &cmd)?;
    Ok((world.get(before.id())?, touched))
}

pub fn feasibility(s: &str) -> Result<Feasibility> {
    s.parse().map_err(Error::invalid)
}
