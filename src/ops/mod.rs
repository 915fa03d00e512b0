//! Operations on the store: each writing command of the CLI is a thin wrapper around one of
//! these. They resolve what the user gave into a [`Command`] (IDs, defaults, the dispatch
//! decision), then take the store lock, run [`apply::apply`] on the records and save what
//! it changed. The same `apply` replays pull requests in `check --base`.

pub mod apply;
pub mod command;
pub mod fmt;
pub mod gap;
pub mod kb;
pub mod migrate;
pub mod solution;
pub mod team;
pub mod training;
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

/// What a writing operation did, for the CLI to report and `--commit` to commit: the files
/// written, a one-line description (the commit message) and who did it (the author).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    pub touched: Touched,
    pub description: String,
    /// The member who did it, when one is known (`migrate --check` has none).
    pub author: Option<String>,
}

/// One writing operation (jj's transaction): holds the store lock from [`Tx::begin`] to
/// [`Tx::finish`], runs commands on the records and saves what they changed in canonical
/// form, and collects the files written. Every write of presales goes through one.
pub struct Tx<'a> {
    store: &'a Store,
    lock: StoreLock,
    author: Option<String>,
    touched: Touched,
    /// The files of `touched`, for the check that lists each once: `migrate` writes every
    /// record of a store, where a scan of the list per write would be quadratic.
    seen: std::collections::HashSet<std::path::PathBuf>,
}

impl<'a> Tx<'a> {
    /// Takes the store lock (refused on a store with config problems or a newer format).
    pub fn begin(store: &'a Store, actor: Option<&Actor>) -> Result<Tx<'a>> {
        Ok(Tx {
            store,
            lock: store.lock()?,
            author: actor.map(|a| a.id.clone()),
            touched: Vec::new(),
            seen: std::collections::HashSet::new(),
        })
    }

    /// Runs `cmd` as `actor` on the records of `world` (loaded under this lock), with a
    /// fresh operation id, and saves what changed.
    /// Returns how many files it wrote (0: the command changed nothing).
    pub(crate) fn run(&mut self, world: &mut World, actor: &Actor, cmd: &Command) -> Result<usize> {
        let op = crate::store::mint_op()?;
        let env = Env {
            config: &self.store.config,
            workflow: &self.store.workflow,
            by: &actor.id,
            now: actor.now,
            op: &op,
        };
        apply::apply_now(world, &env, cmd)?;
        let mut count = 0;
        for rec in world.changed() {
            let written = match rec {
                AnyRecord::Request(r) => self.store.save(r, &self.lock)?,
                AnyRecord::Solution(r) => self.store.save(r, &self.lock)?,
                AnyRecord::Article(r) => self.store.save(r, &self.lock)?,
                AnyRecord::Customer(r) => self.store.save(r, &self.lock)?,
                AnyRecord::Gap(r) => self.store.save(r, &self.lock)?,
                AnyRecord::Training(r) => self.store.save(r, &self.lock)?,
            };
            if let Some(path) = written {
                count += 1;
                self.wrote(path);
            }
        }
        world.clear_changed();
        Ok(count)
    }

    /// Writes a whole file of the store as given (`fmt`, `migrate`): atomically.
    pub(crate) fn write_text(&mut self, path: &std::path::Path, text: &str) -> Result<()> {
        self.store.write_text(path, text, &self.lock)?;
        self.wrote(path.to_path_buf());
        Ok(())
    }

    /// Edits presales.toml keeping its comments and layout; returns the new config.
    pub(crate) fn edit_config(
        &mut self,
        edit: impl FnOnce(&mut toml_edit::DocumentMut) -> Result<()>,
    ) -> Result<crate::config::Config> {
        let config = self.store.edit_config(&self.lock, edit)?;
        self.wrote(self.store.config_path());
        Ok(config)
    }

    /// Rewrites `.gitattributes` (`migrate`).
    pub(crate) fn write_gitattributes(&mut self, text: &str) -> Result<()> {
        let path = self.store.write_gitattributes(text, &self.lock)?;
        self.wrote(path);
        Ok(())
    }

    /// Rewrites `.gitignore` (`migrate`).
    pub(crate) fn write_gitignore(&mut self, text: &str) -> Result<()> {
        let path = self.store.write_gitignore(text, &self.lock)?;
        self.wrote(path);
        Ok(())
    }

    /// Notes a file written under this lock.
    fn wrote(&mut self, path: std::path::PathBuf) {
        if self.seen.insert(path.clone()) {
            self.touched.push(path);
        }
    }

    /// Ends the operation (the lock is released) with its description.
    pub fn finish(self, description: impl Into<String>) -> Written {
        Written {
            touched: self.touched,
            description: description.into(),
            author: self.author,
        }
    }
}

/// Commits exactly the files of `written`, with its description as the message, authored
/// by its member (`Name <email>` from presales.toml). Nothing written: nothing committed
/// (false).
pub fn commit(store: &Store, written: &Written) -> Result<bool> {
    if written.touched.is_empty() {
        return Ok(false);
    }
    let author = written.author.as_deref().and_then(|id| {
        let m = store.config.member(id)?;
        Some(format!(
            "{} <{}>",
            m.name,
            m.email.as_deref().unwrap_or("unknown@invalid")
        ))
    });
    crate::git::commit(
        store.root(),
        &written.touched,
        &written.description,
        author.as_deref(),
    )?;
    Ok(true)
}

/// The caller, matched to a team member: `given` (`--as`, `PRESALES_USER`), else git's
/// `user.email`. `committing`: the command will commit, so the store must be in a git
/// repository (refused before anything is written rather than failing after).
pub fn identify(
    store: &Store,
    given: Option<String>,
    now: Timestamp,
    committing: bool,
) -> Result<Actor> {
    if committing && !crate::git::is_repo(store.root()) {
        return Err(Error::invalid_with_hint(
            "--commit (or auto_commit) needs the store to be in a git repository",
            "run `git init` in the store, or drop --commit",
        ));
    }
    let given = given.or_else(|| crate::git::user_email(store.root()));
    let Some(given) = given else {
        return Err(Error::invalid_with_hint(
            "who are you? no --as, PRESALES_USER or git user.email is set",
            "pass --as MEMBER or set PRESALES_USER",
        ));
    };
    if let Some(m) = store.config.find_member(&given) {
        return Ok(Actor {
            id: m.id.clone(),
            now,
        });
    }
    if store.config.members.is_empty() {
        // A store without a team yet: record who it was as given.
        return Ok(Actor { id: given, now });
    }
    Err(Error::invalid_with_hint(
        format!("`{given}` is not a member of the team in presales.toml"),
        format!(
            "pass --as with one of: {}; or add yourself with `presales team add`",
            store.config.member_ids().join(", ")
        ),
    ))
}

/// What `init` did.
pub struct Initialized {
    /// The files written (absolute).
    pub written: Vec<std::path::PathBuf>,
    /// The merge driver was registered in the clone's git config now.
    pub merge_driver: bool,
}

/// Creates a store in `dir` (with the example team unless `empty`) and registers the
/// merge driver in its clone when it is in a git repository.
pub fn init(dir: &std::path::Path, empty: bool) -> Result<Initialized> {
    let written = crate::store::init(dir, !empty)?;
    // The first command in every other clone registers it the same way.
    let merge_driver = crate::git::ensure_merge_driver(dir)?;
    Ok(Initialized {
        written,
        merge_driver,
    })
}

/// Registers the merge driver in the git config of the clone holding `dir` (`init
/// --git-hooks` on an existing store).
pub fn register_merge_driver(dir: &std::path::Path) -> Result<()> {
    crate::git::register_merge_driver(dir)
}

/// Registers the presales merge driver in the clone's git config when presales.toml asks
/// for it and it is not there yet; true when it was registered now.
pub fn ensure_merge_driver(store: &Store) -> Result<bool> {
    if !store.config.store.register_merge_driver {
        return Ok(false);
    }
    crate::git::ensure_merge_driver(store.root())
}

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
            Kind::Gap => AnyRecord::Gap(Store::load(self, id)?),
            Kind::Training => AnyRecord::Training(Store::load(self, id)?),
        }))
    }

    fn read_file(&self, rel: &str) -> Result<String> {
        self.read_repo_file(rel)
    }
}

/// Runs `cmd` in a transaction of its own and returns the record `id` as it is afterwards,
/// with what was written, described by `describe`.
pub(crate) fn run<T: Stored>(
    store: &Store,
    actor: &Actor,
    cmd: Command,
    id: &str,
    describe: impl FnOnce(&T) -> String,
) -> Result<(T, Written)> {
    let mut tx = Tx::begin(store, Some(actor))?;
    let mut world = World::new(store);
    tx.run(&mut world, actor, &cmd)?;
    let record: T = world.get(id)?;
    let description = describe(&record);
    Ok((record, tx.finish(description)))
}

/// Records a contact with a customer outside requests (客户接触记录), with whom (a name of
/// its contacts) if given. The text and the name reach the entry as hashes only.
pub fn customer_note(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    text: &str,
    contact: Option<&str>,
) -> Result<(Customer, Written)> {
    let cmd = Command::CustomerNote {
        customer: id.to_string(),
        input: command::NoteInput {
            item: crate::store::mint_item()?,
            text_sha256: crate::model::content_hash(text.trim()),
            contact_sha256: contact.map(|c| crate::model::content_hash(c.trim())),
            text: Some(text.to_string()),
            contact: contact.map(str::to_string),
        },
    };
    run(store, actor, cmd, id.as_str(), |_: &Customer| {
        format!("{id}: note")
    })
}

/// Erases a contact from a customer's file (PIPL/GDPR): the contact goes, and its name in
/// the notes becomes `[forgotten]`. History never held it; git history may (the docs say
/// how to purge it).
pub fn forget_contact(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    name: &str,
) -> Result<(Customer, Written)> {
    let customer: Customer = store.load(id)?;
    let Some(contact) = customer.contact(name) else {
        return Err(Error::invalid_with_hint(
            format!("{id} has no contact named `{}`", name.trim()),
            if customer.contacts.is_empty() {
                "it has no contacts".to_string()
            } else {
                format!(
                    "contacts: {}",
                    customer
                        .contacts
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
        ));
    };
    let cmd = Command::ForgetContact {
        customer: id.to_string(),
        input: command::ForgetInput {
            contact_sha256: crate::model::content_hash(&contact.name),
        },
    };
    run(store, actor, cmd, id.as_str(), |_: &Customer| {
        format!("{id}: forget a contact")
    })
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
) -> Result<(Customer, Written)> {
    let mut tx = Tx::begin(store, Some(actor))?;
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
    tx.run(&mut world, actor, &cmd)?;
    let customer: Customer = world.get(id.as_str())?;
    let description = format!("{}: new customer {}", customer.id, customer.name);
    Ok((customer, tx.finish(description)))
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
    /// The deal's value (`--value`) and its currency (`--currency`).
    pub value: Option<rust_decimal::Decimal>,
    pub currency: Option<String>,
}

/// Registers a request (需求登记) in the first stage of its type's path.
pub fn create_request(
    store: &Store,
    actor: &Actor,
    input: NewRequest,
) -> Result<(Request, Written)> {
    let kind = input
        .kind
        .unwrap_or_else(|| store.config.workflow.default_type.clone());
    // `--type RFP` means `rfp` when that is the one type spelled so in any case.
    let kind = if store.workflow.path(&kind).is_ok() {
        kind
    } else {
        let names = store.workflow.type_names();
        let mut same = names.iter().filter(|t| t.eq_ignore_ascii_case(&kind));
        match (same.next(), same.next()) {
            (Some(t), None) => t.clone(),
            _ => kind,
        }
    };
    let customer = resolve_customer(store, &input.customer).map_err(|e| match e {
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
    let mut tx = Tx::begin(store, Some(actor))?;
    let id = store.mint(Kind::Request, actor.now)?;
    let cmd = Command::NewRequest {
        id: id.to_string(),
        input: command::RequestInput {
            to: None,
            title: input.title,
            kind,
            priority: input.priority,
            customer: customer.to_string(),
            opportunity: opportunity(input.value, input.currency)?,
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
    tx.run(&mut world, actor, &cmd)?;
    let request: Request = world.get(id.as_str())?;
    let description = format!("{}: new request {}", request.id, request.title);
    Ok((request, tx.finish(description)))
}

/// A duration as typed after `presales log REQ`: `3h`, `1.5h`, `90m`, `1d`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duration {
    Hours(rust_decimal::Decimal),
    /// Working days: the calendar's working day, 8 h without a calendar.
    Days(rust_decimal::Decimal),
}

/// Hours in a working day when presales.toml has no `[calendar]`.
pub const DEFAULT_WORKING_DAY_HOURS: u32 = 8;

/// The hours of a working day (`1d`): the calendar's, or [`DEFAULT_WORKING_DAY_HOURS`].
pub(crate) fn working_day_hours(store: &Store) -> rust_decimal::Decimal {
    store.calendar.as_ref().map_or(
        rust_decimal::Decimal::from(DEFAULT_WORKING_DAY_HOURS),
        |c| {
            rust_decimal::Decimal::from(c.working_seconds_per_day())
                / rust_decimal::Decimal::from(3600)
        },
    )
}

/// Parses `3h`, `1.5h`, `90m`, `45min`, `1d`, `0.5d` (a space before the unit is fine).
pub fn parse_duration(s: &str) -> std::result::Result<Duration, String> {
    use rust_decimal::Decimal;
    let t = s.trim().to_ascii_lowercase();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let usage = "expected a number and a unit: 3h, 1.5h, 90m or 1d";
    let n: Decimal = number
        .parse()
        .map_err(|_| format!("`{s}` is not a duration ({usage})"))?;
    if n <= Decimal::ZERO {
        return Err(format!("`{s}`: a duration is more than zero"));
    }
    match unit.trim() {
        "h" | "hr" | "hrs" | "hour" | "hours" => Ok(Duration::Hours(n)),
        "m" | "min" | "mins" | "minutes" => Ok(Duration::Hours(n / Decimal::from(60))),
        "d" | "day" | "days" => Ok(Duration::Days(n)),
        "" => Err(format!("`{s}` has no unit ({usage})")),
        other => Err(format!("`{other}` is not a unit of time ({usage})")),
    }
}

impl Duration {
    /// In hours, a working day being `day_hours` long; rounded to two decimals.
    pub fn hours(self, day_hours: rust_decimal::Decimal) -> rust_decimal::Decimal {
        let h = match self {
            Duration::Hours(h) => h,
            Duration::Days(d) => d * day_hours,
        };
        h.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            .normalize()
    }
}

/// What `log` records.
pub struct EffortLog {
    pub duration: Duration,
    pub activity: crate::model::Activity,
    /// Default: today.
    pub date: Option<NaiveDate>,
    pub note: Option<String>,
}

/// Logs effort by the caller on a request (工时): one entry, in hours (days counted in
/// the calendar's working day).
pub fn log_effort(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    log: EffortLog,
) -> Result<(Request, Written)> {
    let hours = log.duration.hours(working_day_hours(store));
    let activity = log.activity;
    let cmd = Command::Log {
        request: id.to_string(),
        input: command::LogInput {
            item: crate::store::mint_item()?,
            date: log.date.unwrap_or_else(|| actor.today()),
            hours,
            activity,
            note: log.note,
        },
    };
    run(store, actor, cmd, id.as_str(), |_: &Request| {
        format!("{id}: log {hours}h {activity}")
    })
}

/// The opportunity `--value V --currency C` describe: a value of zero or more, and a
/// currency code (upper-cased) that needs a value.
fn opportunity(
    value: Option<rust_decimal::Decimal>,
    currency: Option<String>,
) -> Result<Option<crate::model::request::Opportunity>> {
    let currency = currency
        .map(|c| c.trim().to_uppercase())
        .filter(|c| !c.is_empty());
    match (value, currency) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err(Error::invalid_with_hint(
            "--currency needs --value",
            "e.g. --value 1200000 --currency CNY",
        )),
        (Some(v), _) if v.is_sign_negative() => Err(Error::invalid(format!(
            "--value {v} is negative; a deal's value is zero or more"
        ))),
        (Some(v), currency) => Ok(Some(crate::model::request::Opportunity {
            name: None,
            value: Some(v),
            currency,
            expected_close: None,
            extra: Default::default(),
        })),
    }
}

/// The customer `input` names: an ID or its abbreviation, else the customer's name — the
/// whole name (any case), or a part of it that only one customer's name holds (客户档案 by
/// name: `presales customer show 华东银行`).
pub fn resolve_customer(store: &Store, input: &str) -> Result<RecordId> {
    let by_id = store.resolve(Kind::Customer, input);
    let by_id_err = match by_id {
        Ok(id) => return Ok(id),
        Err(e @ Error::Ambiguous { .. }) => return Err(e),
        Err(e) => e,
    };
    let wanted = input.trim().to_lowercase();
    if wanted.is_empty() {
        return Err(by_id_err);
    }
    let (customers, _) = store.load_all_cached::<Customer>();
    let exact: Vec<&Customer> = customers
        .iter()
        .filter(|c| c.name.trim().to_lowercase() == wanted)
        .collect();
    let found: Vec<&Customer> = if exact.is_empty() {
        customers
            .iter()
            .filter(|c| c.name.to_lowercase().contains(&wanted))
            .collect()
    } else {
        exact
    };
    match found.as_slice() {
        [one] => RecordId::parse(&one.id).map_err(Error::invalid),
        [] => Err(Error::NotFound {
            noun: "customer",
            input: input.to_string(),
            hint: Some(
                "give a customer ID or a part of its name; list them with `presales customer list`"
                    .into(),
            ),
        }),
        many => Err(Error::Ambiguous {
            input: input.to_string(),
            matches: many
                .iter()
                .map(|c| format!("{} ({})", c.id, c.name))
                .collect(),
        }),
    }
}

/// Checks that `who` names a team member; the error lists them.
pub fn check_member(store: &Store, who: &str) -> Result<()> {
    apply::check_member(&store.config, who)
}

pub enum AssignTarget {
    /// `--to`; `force` assigns an away member for the reason in `note`.
    Member {
        id: String,
        force: bool,
        note: Option<String>,
    },
    Auto {
        policy: Policy,
        dry_run: bool,
    },
}

pub struct Assigned {
    pub request: Request,
    pub decision: Option<Decision>,
    pub written: Written,
}

/// Assigns an engineer (派工), by name or by policy; moves `registered` to `assigned`.
pub fn assign(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    target: AssignTarget,
) -> Result<Assigned> {
    let mut tx = Tx::begin(store, Some(actor))?;
    let req: Request = store.load(id)?;
    if req.stage == CLOSED {
        return Err(Error::invalid(format!(
            "{id} is closed; it cannot be assigned"
        )));
    }
    let input = match target {
        AssignTarget::Member { id: m, force, note } => {
            check_member(store, &m)?;
            let turn = if store.config.dispatch.manual_takes_turn {
                let (all, _) = store.load_all::<Request>();
                Some(assign::Rotation::of(&store.config, &all).last_turn + 1)
            } else {
                None
            };
            let decision = None;
            (
                command::AssignInput {
                    from: None,
                    to: m,
                    policy: None,
                    turn,
                    after: None,
                    skipped: Vec::new(),
                    force,
                    note,
                },
                decision,
            )
        }
        AssignTarget::Auto { policy, dry_run } => {
            let (all, _) = store.load_all::<Request>();
            let decision = assign::choose(&store.config, &req, &all, actor.today(), policy);
            if dry_run {
                return Ok(Assigned {
                    request: req,
                    decision: Some(decision),
                    written: Written::default(),
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
            (
                command::AssignInput {
                    from: None,
                    to: who,
                    policy: Some(policy.as_str().to_string()),
                    turn: Some(decision.turn),
                    after: match policy {
                        Policy::RoundRobin => decision.last_assigned.clone(),
                        Policy::LeastLoaded => None,
                    },
                    skipped: decision.skipped.clone(),
                    force: false,
                    note: None,
                },
                Some(decision),
            )
        }
    };
    let (input, decision) = input;
    let cmd = Command::Assign {
        request: id.to_string(),
        input,
    };
    let mut world = World::new(store);
    tx.run(&mut world, actor, &cmd)?;
    let request: Request = world.get(id.as_str())?;
    let description = format!(
        "{id}: assign → {}",
        request.assignee.as_deref().unwrap_or("?")
    );
    Ok(Assigned {
        request,
        decision,
        written: tx.finish(description),
    })
}

/// Records the feasibility analysis (需求分析与评估); moves `assigned` to `analysis`.
pub fn assess(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    assessment: Assessment,
) -> Result<(Request, Written)> {
    let feasibility = assessment.feasibility;
    let cmd = Command::Assess {
        request: id.to_string(),
        input: command::AssessInput {
            feasibility: assessment.feasibility,
            difficulty: assessment.difficulty,
            note: assessment.notes,
        },
    };
    run(store, actor, cmd, id.as_str(), |_: &Request| {
        format!("{id}: assess ({})", feasibility.as_str())
    })
}

/// What `advance` did.
pub struct Advanced {
    pub request: Request,
    pub from: String,
    pub to: String,
    pub written: Written,
}

/// Moves a request to its next stage, or to `to`; refused with reasons when a guard fails.
pub fn advance(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    to: Option<&str>,
    note: Option<&str>,
) -> Result<Advanced> {
    let mut tx = Tx::begin(store, Some(actor))?;
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
    tx.run(&mut world, actor, &cmd)?;
    let from = req.stage;
    let Move { to, .. } = mv;
    Ok(Advanced {
        request: world.get(id.as_str())?,
        written: tx.finish(format!("{id}: advance {from} → {to}")),
        from,
        to,
    })
}

pub struct Closing {
    pub outcome: Outcome,
    pub summary: String,
    pub satisfaction: Option<u8>,
    pub technical_win: bool,
    /// Who confirmed the technical win, and how.
    pub evidence: Option<String>,
    pub loss_reason: Option<String>,
    pub competitor: Option<String>,
    /// How a complaint was settled or why it was rejected.
    pub resolution: Option<String>,
}

/// Closes a request with its outcome and summary (工作记录与总结).
pub fn close(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    closing: Closing,
) -> Result<(Request, Written)> {
    let outcome = closing.outcome;
    let cmd = Command::Close {
        request: id.to_string(),
        input: command::CloseInput {
            from: None,
            to: None,
            outcome: closing.outcome,
            summary: closing.summary,
            satisfaction: closing.satisfaction,
            technical_win: closing.technical_win,
            evidence: closing.evidence,
            loss_reason: closing.loss_reason,
            competitor: closing.competitor,
            resolution: closing.resolution,
        },
    };
    run(store, actor, cmd, id.as_str(), |_: &Request| {
        format!("{id}: close ({})", outcome.as_str())
    })
}

/// Reopens a closed request, back in the stage it was closed from (lead).
pub fn reopen(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    note: &str,
) -> Result<(Request, Written)> {
    let cmd = Command::Reopen {
        request: id.to_string(),
        input: command::ReopenInput {
            from: None,
            to: None,
            note: note.to_string(),
        },
    };
    run(store, actor, cmd, id.as_str(), |r: &Request| {
        format!("{id}: reopen closed → {}", r.stage)
    })
}

/// Records a customer satisfaction score that arrives after close.
pub fn rate(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    satisfaction: u8,
    note: Option<String>,
) -> Result<(Request, Written)> {
    let cmd = Command::Rate {
        request: id.to_string(),
        input: command::RateInput {
            satisfaction,
            previous: None,
            note,
        },
    };
    run(store, actor, cmd, id.as_str(), |_: &Request| {
        format!("{id}: rate satisfaction {satisfaction}")
    })
}

/// Appends a comment to a request's history.
pub fn comment(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    text: &str,
) -> Result<(Request, Written)> {
    let cmd = Command::Comment {
        request: id.to_string(),
        input: command::CommentInput {
            note: text.to_string(),
        },
    };
    run(store, actor, cmd, id.as_str(), |_: &Request| {
        format!("{id}: comment")
    })
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
    let mut private = std::collections::BTreeMap::new();
    let fields = keys
        .into_iter()
        .filter(|k| b.get(*k) != a.get(*k))
        .map(|k| {
            let (old, new) = (
                b.get(k).cloned().unwrap_or_default(),
                a.get(k).cloned().unwrap_or_default(),
            );
            let change = if command::is_private(T::KIND, k) {
                let change = command::FieldChange {
                    old: command::private_hash(&old),
                    new: command::private_hash(&new),
                };
                private.insert(k.clone(), new);
                change
            } else {
                command::FieldChange { old, new }
            };
            (k.clone(), change)
        })
        .collect();
    Ok(command::EditInput {
        fields,
        body_sha256: None,
        private,
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

/// What `save_edit` did.
pub struct Edited<T> {
    pub record: T,
    /// The fields changed, with "body file" when an article's body file was recorded.
    pub fields: Vec<String>,
    pub written: Written,
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
) -> Result<Edited<T>> {
    let mut input = edit_changes(before, after)?;
    let mut fields: Vec<String> = input.fields.keys().cloned().collect();
    if body_sha256.is_some() {
        fields.push("body file".into());
    }
    if fields.is_empty() {
        return Err(Error::invalid("nothing but the layout changed"));
    }
    input.body_sha256 = body_sha256;
    let mut tx = Tx::begin(store, Some(actor))?;
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
    tx.run(&mut world, actor, &cmd)?;
    let description = format!("{}: edit {}", before.id(), fields.join(", "));
    Ok(Edited {
        record: world.get(before.id())?,
        fields,
        written: tx.finish(description),
    })
}

pub fn feasibility(s: &str) -> Result<Feasibility> {
    s.parse().map_err(Error::invalid)
}

#[cfg(test)]
mod duration_tests {
    use super::*;
    use rust_decimal::Decimal;

    fn hours(s: &str) -> String {
        parse_duration(s)
            .map(|d| d.hours(Decimal::from(8)).to_string())
            .unwrap_or_else(|e| e)
    }

    #[test]
    fn durations_as_people_type_them() {
        assert_eq!(hours("3h"), "3");
        assert_eq!(hours("1.5h"), "1.5");
        assert_eq!(hours("90m"), "1.5");
        assert_eq!(hours("45 min"), "0.75");
        assert_eq!(hours("20m"), "0.33");
        assert_eq!(hours("1d"), "8");
        assert_eq!(hours("0.5D"), "4");
        assert_eq!(
            parse_duration("2d").unwrap().hours(Decimal::new(75, 1)),
            Decimal::from(15)
        );
        assert!(hours("3").contains("no unit"));
        assert!(hours("3w").contains("not a unit"));
        assert!(hours("0h").contains("more than zero"));
        assert!(hours("-1h").contains("not a duration"));
        assert!(hours("h").contains("not a duration"));
    }
}
