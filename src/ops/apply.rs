//! What every writing command does to the records, as one pure function of the records it
//! reads, the rules of presales.toml, the actor, the clock and the command's input.
//!
//! The commands call [`apply`] on records loaded from the store; `check --base` calls the
//! same function on a pull request's base records with each new history entry's own `at`,
//! `by` and input, and compares what comes out with what the pull request holds. So a
//! change passes the gate exactly when the commands could have made it.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::command::*;
use super::world::World;
use crate::assign;
use crate::config::{Config, Role};
use crate::error::{Error, Result};
use crate::model::article::Status;
use crate::model::request::{ArticleUse, Assessment, Demo, Feedback};
use crate::model::solution::{
    Approval, Handover, Milestone, Quotation, QuoteLine, QuoteProblem, Resource, ReviewRound, Risk,
    Verdict,
};
use crate::model::{
    Action, Article, Attendance, Customer, Gap, GapLink, GapStatus, HistoryEntry, Kind, Outcome,
    Record, Request, Solution, Timestamp, Training,
};
use crate::workflow::{CLOSED, FIRST_STAGE, Facts, Move, MoveKind, Workflow};

/// Whether a solution may still be changed while its request is in `stage`: in analysis and
/// design; later it is frozen until a revise loop.
pub fn editable_stage(wf: &Workflow, stage: &str) -> bool {
    stage == wf.stages.analysis || stage == wf.stages.design
}

/// Who acts, when, under which rules, as which operation.
pub struct Env<'a> {
    pub config: &'a Config,
    pub workflow: &'a Workflow,
    pub by: &'a str,
    pub now: Timestamp,
    /// The operation id every entry of this command carries.
    pub op: &'a str,
}

impl Env<'_> {
    fn entry(&self, action: Action) -> HistoryEntry {
        HistoryEntry::new(self.now, self.by, action.as_str()).op(self.op)
    }

    fn entry_with<T: Serialize>(&self, action: Action, payload: &T) -> HistoryEntry {
        let mut e = self.entry(action);
        fill(&mut e, payload);
        e
    }

    fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }

    fn facts<'f>(
        &'f self,
        req: &'f Request,
        sol: Option<&'f Solution>,
        note: Option<&'f str>,
    ) -> Facts<'f> {
        Facts {
            request: req,
            solution: sol,
            config: self.config,
            today: self.today(),
            note,
        }
    }

    fn check_member(&self, who: &str) -> Result<()> {
        check_member(self.config, who)
    }
}

/// Checks that `who` names a team member; the error lists them.
pub fn check_member(config: &Config, who: &str) -> Result<()> {
    if config.member(who).is_some() {
        return Ok(());
    }
    let ids = config.member_ids();
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

/// The longest one-line text (a title, a name) a record takes, in characters.
pub const ONE_LINE_MAX: usize = 200;

/// A text of one line (a title, a name, a tag): trimmed, not empty, at most
/// [`ONE_LINE_MAX`] characters, and free of line breaks, control characters and the
/// bidirectional controls that make a text display other than it reads.
pub fn one_line(what: &str, text: &str) -> Result<String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(Error::invalid(format!("{what} is empty")));
    }
    if let Some((i, c)) = t.chars().enumerate().find(|(_, c)| {
        c.is_control()
            || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }) {
        let name = match c {
            '\n' | '\r' => "a line break".to_string(),
            '\t' => "a tab".to_string(),
            c if c.is_control() => format!("the control character U+{:04X}", c as u32),
            c => format!("the direction control U+{:04X}", c as u32),
        };
        return Err(Error::invalid(format!(
            "{what} holds {name} at character {}; it is one line of plain text",
            i + 1
        )));
    }
    let n = t.chars().count();
    if n > ONE_LINE_MAX {
        return Err(Error::invalid(format!(
            "{what} is {n} characters long; at most {ONE_LINE_MAX} are allowed (put the rest in the description)"
        )));
    }
    Ok(t.to_string())
}

/// Every item of a list of one-line texts (tags, products, skills, attendees), checked.
pub(crate) fn one_line_items(what: &str, items: &[String]) -> Result<()> {
    for item in items {
        one_line(what, item)?;
    }
    Ok(())
}

/// Applies `cmd` to the records of `world`, as `env.by` at `env.now`. Nothing is changed
/// when it fails. The replay of a change calls this with each entry's own time.
pub fn apply(world: &mut World, env: &Env, cmd: &Command) -> Result<()> {
    apply_checked(world, env, cmd, false)
}

/// [`apply`] for a command run now ([`super::Tx::run`]): also refuses a clock earlier than
/// the last history entry of a record the command changes. The replay cannot judge that
/// rule: after a merge, a record's history rightly holds one branch's entries after the
/// other's later ones, so the gate cannot tell a wrong clock from an interleaving.
pub fn apply_now(world: &mut World, env: &Env, cmd: &Command) -> Result<()> {
    apply_checked(world, env, cmd, true)
}

fn apply_checked(world: &mut World, env: &Env, cmd: &Command, clock: bool) -> Result<()> {
    world.begin();
    let done = run_command(world, env, cmd).and_then(|()| {
        if clock {
            check_clock(world, env)
        } else {
            Ok(())
        }
    });
    match done {
        Ok(()) => world.commit(),
        Err(_) => world.rollback(),
    }
    done
}

/// Refuses a command whose time is earlier than the last history entry of a record it
/// changes: a clock that went back is a wrong clock, not a workflow, and would leave every
/// report an anomaly to list.
fn check_clock(world: &World, env: &Env) -> Result<()> {
    for (_, before) in world.touched() {
        let Some(before) = before else { continue };
        let Some(last) = before.history().last() else {
            continue;
        };
        if last.at > env.now {
            return Err(Error::invalid_with_hint(
                format!(
                    "{}'s last history entry (`{}` by {}) is at {}, but the clock says {}: a write may not come before it (a wrong clock, not a workflow); nothing was written",
                    before.id(),
                    last.action,
                    last.by,
                    last.at.to_rfc3339(),
                    env.now.to_rfc3339()
                ),
                "check the system clock, and PRESALES_NOW if it is set",
            ));
        }
    }
    Ok(())
}

fn run_command(world: &mut World, env: &Env, cmd: &Command) -> Result<()> {
    env.config
        .permit(env.by, cmd.permission())
        .map_err(|m| Error::invalid_with_hint(m, "ask someone who may, or change [permissions] in presales.toml in a pull request of its own"))?;
    match cmd {
        Command::NewCustomer { id, input } => new_customer(world, env, id, input),
        Command::CustomerNote { customer, input } => customer_note(world, env, customer, input),
        Command::ForgetContact { customer, input } => forget_contact(world, env, customer, input),
        Command::NewRequest { id, input } => new_request(world, env, id, input),
        Command::Assign { request, input } => assign(world, env, request, input),
        Command::Assess { request, input } => assess(world, env, request, input),
        Command::Advance { request, input } => advance(world, env, request, input),
        Command::Close { request, input } => close(world, env, request, input),
        Command::Reopen { request, input } => reopen(world, env, request, input),
        Command::Rate { request, input } => rate(world, env, request, input),
        Command::Comment { request, input } => comment(world, env, request, input),
        Command::Edit { record, input } => edit(world, env, record, input),
        Command::NewSolution { id, input } => new_solution(world, env, id, input),
        Command::Plan { solution, input } => plan(world, env, solution, input),
        Command::Milestone { solution, input } => milestone(world, env, solution, input),
        Command::Resource { solution, input } => resource(world, env, solution, input),
        Command::Quote { solution, input } => quote(world, env, solution, input),
        Command::Risk { solution, input } => risk(world, env, solution, input),
        Command::Demo { request, input } => demo(world, env, request, input),
        Command::PlanDemo { request, input } => plan_demo(world, env, request, input),
        Command::Feedback { request, input } => feedback(world, env, request, input),
        Command::Disposition { request, input } => disposition(world, env, request, input),
        Command::Review { solution, input } => review(world, env, solution, input),
        Command::Approve { solution, input } => approve(world, env, solution, input),
        Command::Handover { solution, input } => handover(world, env, solution, input),
        Command::NewArticle { id, input } => new_article(world, env, id, input),
        Command::Import { article, input } => import(world, env, article, input),
        Command::Publish { article, input } => publish(world, env, article, input),
        Command::Archive { article, input } => archive(world, env, article, input),
        Command::UseArticle { request, input } => use_article(world, env, request, input),
        Command::ReviewArticle { article, input } => review_article(world, env, article, input),
        Command::Flag { record, input } => flag(world, env, record, input),
        Command::Log { request, input } => log(world, env, request, input),
        Command::NewGap { id, input } => new_gap(world, env, id, input),
        Command::LinkGap { request, input } => link_gap(world, env, request, input),
        Command::GapStatus { gap, input } => gap_status(world, env, gap, input),
        Command::MergeGap { gap, input } => merge_gap(world, env, gap, input),
        Command::NewTraining { id, input } => new_training(world, env, id, input),
        Command::Attend { training, input } => attend(world, env, training, input),
    }
}

fn ensure_new(world: &mut World, id: &str) -> Result<()> {
    if world.exists(id)? {
        return Err(Error::invalid(format!("{id} exists already")));
    }
    Ok(())
}

fn new_customer(world: &mut World, env: &Env, id: &str, input: &CustomerInput) -> Result<()> {
    let name = one_line("a customer's name (--name)", &input.name)?;
    for (what, v) in [
        ("the industry", &input.industry),
        ("the region", &input.region),
    ] {
        if let Some(v) = v {
            one_line(what, v)?;
        }
    }
    if let Some(owner) = &input.account_owner {
        env.check_member(owner)?;
    }
    ensure_new(world, id)?;
    let input = CustomerInput {
        name: name.clone(),
        ..input.clone()
    };
    world.put(Customer {
        id: id.to_string(),
        name,
        industry: input.industry.clone(),
        region: input.region.clone(),
        contacts: Vec::new(),
        account_owner: input.account_owner.clone(),
        confidential: input.confidential,
        notes: input.notes.clone(),
        interactions: Vec::new(),
        created: env.now,
        extra: Default::default(),
        history: vec![env.entry_with(Action::Create, &input)],
    });
    Ok(())
}

/// `customer note`: a contact with the customer outside requests.
fn customer_note(world: &mut World, env: &Env, id: &str, input: &NoteInput) -> Result<()> {
    let mut cus: Customer = world.get(id)?;
    let text = text_of(world, &input.text, &input.text_sha256);
    if text.trim().is_empty() {
        return Err(Error::invalid_with_hint(
            "a note needs its text",
            "say what was discussed with --text T",
        ));
    }
    let contact = match &input.contact_sha256 {
        None => None,
        Some(h) => {
            let name = text_of(world, &input.contact, h);
            let known = cus.contact(&name).map(|c| c.name.clone());
            Some(known.ok_or_else(|| {
                Error::invalid_with_hint(
                    format!("{id} has no contact named `{}`", name.trim()),
                    if cus.contacts.is_empty() {
                        format!("add contacts with `presales customer edit {id} --contact name=N`")
                    } else {
                        format!(
                            "contacts: {}",
                            cus.contacts
                                .iter()
                                .map(|c| c.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    },
                )
            })?)
        }
    };
    let input = NoteInput {
        contact_sha256: contact.as_deref().map(crate::model::content_hash),
        text_sha256: crate::model::content_hash(text.trim()),
        ..input.clone()
    };
    cus.interactions.push(crate::model::customer::Interaction {
        id: input.item.clone(),
        at: env.now,
        by: env.by.to_string(),
        contact,
        text: text.trim().to_string(),
        extra: Default::default(),
    });
    cus.history.push(env.entry_with(Action::Note, &input));
    world.put(cus);
    Ok(())
}

/// `customer forget-contact` (PIPL/GDPR erasure): the contact leaves the current file, and
/// its name leaves the interactions; entries never held it.
fn forget_contact(world: &mut World, env: &Env, id: &str, input: &ForgetInput) -> Result<()> {
    let mut cus: Customer = world.get(id)?;
    let Some(pos) = cus
        .contacts
        .iter()
        .position(|c| crate::model::content_hash(&c.name) == input.contact_sha256)
    else {
        return Err(Error::invalid(format!("{id} has no such contact")));
    };
    let gone = cus.contacts.remove(pos);
    let forgotten = crate::model::customer::FORGOTTEN;
    for i in &mut cus.interactions {
        if i.contact.as_deref() == Some(gone.name.as_str()) {
            i.contact = Some(forgotten.to_string());
        }
        if !gone.name.trim().is_empty() {
            i.text = i.text.replace(gone.name.trim(), forgotten);
        }
    }
    cus.history
        .push(env.entry_with(Action::ForgetContact, input));
    world.put(cus);
    Ok(())
}

fn new_request(world: &mut World, env: &Env, id: &str, input: &RequestInput) -> Result<()> {
    let title = one_line("a request's title (--title)", &input.title)?;
    one_line_items("a skill", &input.skills)?;
    one_line_items("a product", &input.products)?;
    one_line_items("a tag", &input.tags)?;
    env.workflow.path(&input.kind)?;
    if world.find::<Customer>(&input.customer)?.is_none() {
        return Err(Error::NotFound {
            noun: "customer",
            input: input.customer.clone(),
            hint: Some("create it with `presales customer new --name N`, or list them with `presales customer list`".into()),
        });
    }
    if let Some(who) = &input.requested_by {
        env.check_member(who)?;
    }
    if let Some(due) = input.due
        && due < env.today()
    {
        return Err(Error::invalid(format!(
            "--due {due} is before today ({})",
            env.today()
        )));
    }
    if let Some(c) = input
        .opportunity
        .as_ref()
        .and_then(|o| o.currency.as_deref())
    {
        one_line("the currency (--currency)", c)?;
    }
    if let Some(v) = input.opportunity.as_ref().and_then(|o| o.value)
        && v.is_sign_negative()
    {
        return Err(Error::invalid(format!(
            "the deal value {v} is negative; a deal's value is zero or more"
        )));
    }
    ensure_new(world, id)?;
    let input = RequestInput {
        to: Some(FIRST_STAGE.to_string()),
        title: title.clone(),
        description: input.description.clone().filter(|d| !d.trim().is_empty()),
        ..input.clone()
    };
    world.put(Request {
        id: id.to_string(),
        title,
        kind: input.kind.clone(),
        priority: input.priority,
        customer: input.customer.clone(),
        opportunity: input.opportunity.clone(),
        requested_by: input.requested_by.clone(),
        created: env.now,
        due: input.due,
        stage: FIRST_STAGE.to_string(),
        assignee: None,
        skills: input.skills.clone(),
        products: input.products.clone(),
        tags: input.tags.clone(),
        description: input.description.clone(),
        assessment: None,
        solution: None,
        demos: Vec::new(),
        planned_demos: Vec::new(),
        articles: Vec::new(),
        effort: Vec::new(),
        gaps: Vec::new(),
        article_flags: Vec::new(),
        outcome: None,
        technical_win: false,
        technical_win_evidence: None,
        loss_reason: None,
        competitor: None,
        resolution: None,
        summary: None,
        satisfaction: None,
        confidential: input.confidential,
        extra: Default::default(),
        history: vec![env.entry_with(Action::Create, &input)],
    });
    Ok(())
}

/// The solution a request links to. A link to a record that does not exist, or does not
/// parse, is an error: no command acts on a half-known state.
fn linked(world: &mut World, req: &Request) -> Result<Option<Solution>> {
    match &req.solution {
        None => Ok(None),
        Some(sid) => world.get::<Solution>(sid).map(Some).map_err(|e| match e {
            Error::NotFound { .. } => Error::invalid_with_hint(
                format!("{} links to solution {sid}, which does not exist", req.id),
                format!("restore {sid} (e.g. from git)"),
            ),
            e => e,
        }),
    }
}

fn put_both(world: &mut World, req: Request, sol: Option<Solution>) {
    world.put(req);
    if let Some(sol) = sol {
        world.put(sol);
    }
}

/// Applies a planned move to the request, appending its history entry, and to its
/// solution ([`on_move`]).
fn apply_move(
    req: &mut Request,
    sol: Option<&mut Solution>,
    mv: &Move,
    env: &Env,
    note: Option<&str>,
) {
    let action = match mv.kind {
        MoveKind::Revise => Action::Revise,
        MoveKind::Forward | MoveKind::Close => Action::Advance,
    };
    let entry = env.entry_with(
        action,
        &MoveInput {
            from: Some(req.stage.clone()),
            to: mv.to.clone(),
            note: note.map(str::to_string),
        },
    );
    if let Some(sol) = sol {
        on_move(sol, &req.stage, mv, env, note);
    }
    req.stage = mv.to.clone();
    req.history.push(entry);
}

/// Solution side effects of a request's move: entering `review` opens a review round,
/// leaving it closes the round, and a revise loop bumps the solution's version (earlier
/// rounds are kept; the approval, which was for the old version, is withdrawn).
fn on_move(sol: &mut Solution, from: &str, mv: &Move, env: &Env, note: Option<&str>) {
    let review = &env.workflow.stages.review;
    if from == review
        && let Some(round) = sol.reviews.last_mut()
        && round.closed.is_none()
    {
        round.closed = Some(env.now);
        let n = round.round;
        sol.history.push(
            env.entry(Action::ReviewClose)
                .with("round", n)
                .to(mv.to.clone()),
        );
    }
    if mv.kind == MoveKind::Revise {
        let old = sol.version;
        sol.version += 1;
        sol.approval = None;
        sol.history.push(
            env.entry(Action::Revise)
                .from_to(format!("v{old}"), format!("v{}", sol.version))
                .note(note.map(str::to_string)),
        );
    }
    if mv.to == *review {
        let n = sol.reviews.last().map_or(1, |r| r.round + 1);
        sol.reviews.push(ReviewRound {
            round: n,
            opened: env.now,
            closed: None,
            verdicts: Vec::new(),
            extra: Default::default(),
        });
        sol.history.push(
            env.entry(Action::ReviewOpen)
                .with("round", n)
                .with("version", sol.version),
        );
    }
}

/// Moves the request into `stage` when the guards allow it.
fn enter(env: &Env, req: &mut Request, sol: Option<&mut Solution>, stage: &str) -> Result<()> {
    if req.stage == stage {
        return Ok(());
    }
    let mv = {
        let f = env.facts(req, sol.as_deref(), None);
        env.workflow.plan(&f, Some(stage))?
    };
    apply_move(req, sol, &mv, env, None);
    Ok(())
}

fn open_request(world: &mut World, id: &str) -> Result<Request> {
    let req: Request = world.get(id)?;
    if req.stage == CLOSED {
        return Err(Error::invalid(format!("{id} is closed")));
    }
    Ok(req)
}

fn assign(world: &mut World, env: &Env, id: &str, input: &AssignInput) -> Result<()> {
    let mut req: Request = world.get(id)?;
    if req.stage == CLOSED {
        return Err(Error::invalid(format!(
            "{id} is closed; it cannot be assigned"
        )));
    }
    let who = &input.to;
    env.check_member(who)?;
    let member = env
        .config
        .member(who)
        .ok_or_else(|| Error::invalid(format!("`{who}` is not a team member")))?;
    match assign::unfit(member, &req.skills, env.today()) {
        None if input.force => {
            return Err(Error::invalid_with_hint(
                format!("{who} is not away; --force is only for assigning an away member"),
                format!("presales assign {id} --to {who}"),
            ));
        }
        None => {}
        Some(assign::Unfit::Away { .. }) if input.force => {
            // --force covers the absence only: the skills still count.
            if let Some(why) = assign::lacks(member, &req.skills) {
                return Err(Error::invalid_with_hint(
                    format!("{who} cannot take {id}: {why}"),
                    format!("see who can with `presales assign {id} --auto --dry-run`"),
                ));
            }
            if input.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
                return Err(Error::invalid_with_hint(
                    format!("assigning {who} while away needs the reason"),
                    format!("presales assign {id} --to {who} --force --note \"why\""),
                ));
            }
        }
        Some(why @ assign::Unfit::Away { .. }) => {
            return Err(Error::invalid_with_hint(
                format!("{who} cannot take {id}: {why}"),
                format!(
                    "to assign them anyway, give the reason: `presales assign {id} --to {who} --force --note \"…\"`; see who can with `presales assign {id} --auto --dry-run`"
                ),
            ));
        }
        Some(why) => {
            return Err(Error::invalid_with_hint(
                format!("{who} cannot take {id}: {why}"),
                format!("see who can with `presales assign {id} --auto --dry-run`"),
            ));
        }
    }
    if let Some(n) = &input.note {
        one_line("the note", n)?;
    }
    check_dispatch_record(world, env, &req, input)?;
    if req.assignee.as_deref() == Some(who.as_str()) {
        return Err(Error::invalid(format!("{id} is already assigned to {who}")));
    }
    let input = AssignInput {
        from: req.assignee.clone(),
        ..input.clone()
    };
    req.assignee = Some(who.clone());
    req.history.push(env.entry_with(Action::Assign, &input));
    let mut sol = linked(world, &req)?;
    if req.stage == FIRST_STAGE {
        let mv = env
            .workflow
            .plan(&env.facts(&req, sol.as_ref(), None), None)?;
        apply_move(&mut req, sol.as_mut(), &mv, env, None);
    }
    put_both(world, req, sol);
    Ok(())
}

/// An assignment's record of the rotation must be what the rotation does: the gate replays
/// it, so a skip without a true reason, or an engineer passed over without one, is refused.
/// (Where the rotation stood, `after`, is the branch's view of the store and is not judged
/// here: a merge may legitimately interleave another branch's turns.)
fn check_dispatch_record(
    world: &mut World,
    env: &Env,
    req: &Request,
    input: &AssignInput,
) -> Result<()> {
    let id = &req.id;
    let wrong = |msg: String| {
        Err(Error::invalid(format!(
            "the assignment of {id} does not follow the rotation: {msg}"
        )))
    };
    match input.policy.as_deref() {
        None => {
            if input.after.is_some() || !input.skipped.is_empty() {
                return wrong("an assignment by hand records no rotation".into());
            }
            // An entry without `turn` is also what binaries before the rule wrote: judged by
            // the earlier rule (the member can take it), it does not count in the rotation.
            if input.turn.is_some() && !env.config.dispatch.manual_takes_turn {
                return wrong(
                    "with [dispatch] manual_takes_turn = false, an assignment by hand takes no turn"
                        .into(),
                );
            }
        }
        Some(p) => {
            let policy: assign::Policy = p.parse().map_err(Error::invalid)?;
            if input.force {
                return wrong("an automatic assignment is never forced".into());
            }
            // Entries from before the rule recorded neither where the rotation stood nor
            // whom it passed: they are judged by the earlier rule (the assignee can take it).
            let recorded = input.after.is_some() || !input.skipped.is_empty();
            match policy {
                assign::Policy::RoundRobin if !recorded => {}
                assign::Policy::RoundRobin => {
                    if let Some(msg) = assign::verify_round_robin(
                        env.config,
                        req,
                        env.today(),
                        input.after.as_deref(),
                        &input.skipped,
                        &input.to,
                    ) {
                        return wrong(msg);
                    }
                }
                assign::Policy::LeastLoaded => {
                    for s in &input.skipped {
                        let actual = env
                            .config
                            .member(&s.member)
                            .and_then(|m| assign::skip_reason(m, req, env.today()));
                        if s.turn_taken_by.is_some() || actual.as_deref() != Some(&s.reason) {
                            return wrong(format!(
                                "{} is recorded as skipped ({}), which does not hold on {}",
                                s.member,
                                s.reason,
                                env.today()
                            ));
                        }
                    }
                }
            }
            for s in &input.skipped {
                let Some(q) = &s.turn_taken_by else { continue };
                let took = world.find::<Request>(q).ok().flatten().is_some_and(|r| {
                    r.history.iter().any(|h| {
                        h.action == assign::ASSIGN_ACTION
                            && h.to.as_deref() == Some(s.member.as_str())
                            && h.extra.contains_key(assign::TURN_KEY)
                    })
                });
                if !took {
                    return wrong(format!(
                        "{} is recorded as having had this turn with {q}, but {q} holds no assignment to them that takes a turn",
                        s.member
                    ));
                }
            }
        }
    }
    Ok(())
}

fn assess(world: &mut World, env: &Env, id: &str, input: &AssessInput) -> Result<()> {
    if !(1..=5).contains(&input.difficulty) {
        return Err(Error::invalid(format!(
            "--difficulty must be between 1 and 5 (got {})",
            input.difficulty
        )));
    }
    let mut req = open_request(world, id)?;
    let path = env.workflow.path(&req.kind)?;
    let names = &env.workflow.stages;
    if !path.stages.contains(&names.analysis) {
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
    let next_is_analysis =
        req.stage == names.assigned && path.next(&names.assigned) == Some(names.analysis.as_str());
    req.assessment = Some(Assessment {
        feasibility: input.feasibility,
        difficulty: input.difficulty,
        notes: input.note.clone(),
        extra: Default::default(),
    });
    req.history.push(env.entry_with(Action::Assess, input));
    let mut sol = linked(world, &req)?;
    if next_is_analysis {
        let mv = env
            .workflow
            .plan(&env.facts(&req, sol.as_ref(), None), Some(&names.analysis))?;
        apply_move(&mut req, sol.as_mut(), &mv, env, None);
    }
    put_both(world, req, sol);
    Ok(())
}

fn advance(world: &mut World, env: &Env, id: &str, input: &MoveInput) -> Result<()> {
    let mut req: Request = world.get(id)?;
    let mut sol = linked(world, &req)?;
    let note = input.note.as_deref();
    let mv = env
        .workflow
        .plan(&env.facts(&req, sol.as_ref(), note), Some(&input.to))?;
    if mv.to == CLOSED {
        return Err(Error::invalid_with_hint(
            format!("{id} is closed with `presales close`, which records the outcome"),
            format!(
                "presales close {id} --outcome won|lost|cancelled|no_decision|infeasible --summary T"
            ),
        ));
    }
    apply_move(&mut req, sol.as_mut(), &mv, env, note);
    put_both(world, req, sol);
    Ok(())
}

fn satisfaction_ok(s: u8) -> Result<()> {
    if (1..=5).contains(&s) {
        Ok(())
    } else {
        Err(Error::invalid(format!("satisfaction must be 1–5, got {s}")))
    }
}

fn close(world: &mut World, env: &Env, id: &str, input: &CloseInput) -> Result<()> {
    if let Some(s) = input.satisfaction {
        satisfaction_ok(s)?;
    }
    let resolution = input
        .resolution
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let is_complaint_outcome = Outcome::COMPLAINT.contains(&input.outcome);
    if resolution.is_some() && !is_complaint_outcome {
        return Err(Error::invalid_with_hint(
            format!(
                "--resolution says how a complaint ended, not `{}`",
                input.outcome.as_str()
            ),
            "write what happened with --summary",
        ));
    }
    if is_complaint_outcome && resolution.is_none() {
        return Err(Error::invalid_with_hint(
            format!(
                "a complaint closed as {} needs its resolution",
                input.outcome
            ),
            "say what was done, or why it was rejected, with --resolution T",
        ));
    }
    // A complaint's resolution is its summary unless one is written besides.
    let summary = match (input.summary.trim(), resolution) {
        ("", Some(r)) => r,
        (s, _) => s,
    };
    if summary.is_empty() {
        return Err(Error::invalid(
            "closing needs a written summary (--summary)",
        ));
    }
    let mut req: Request = world.get(id)?;
    if req.stage == CLOSED {
        return Err(Error::invalid(format!("{id} is already closed")));
    }
    // Short texts of one line each; an empty one is as good as none.
    let line = |what: &str, s: &Option<String>| -> Result<Option<String>> {
        s.as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| one_line(what, s))
            .transpose()
    };
    let evidence = line(
        "the evidence of a technical win (--evidence)",
        &input.evidence,
    )?;
    let loss_reason = line("the loss reason (--loss-reason)", &input.loss_reason)?;
    let competitor = line("the competitor (--competitor)", &input.competitor)?;
    if evidence.is_some() && !input.technical_win {
        return Err(Error::invalid_with_hint(
            "--evidence records who confirmed a technical win",
            "add --technical-win",
        ));
    }
    if (loss_reason.is_some() || competitor.is_some())
        && input.outcome != crate::model::Outcome::Lost
    {
        return Err(Error::invalid(format!(
            "--loss-reason and --competitor describe a lost deal, not `{}`",
            input.outcome.as_str()
        )));
    }
    if let Some(r) = &loss_reason
        && !env.config.deals.loss_reasons.contains(r)
    {
        return Err(Error::invalid_with_hint(
            format!("unknown loss reason `{r}`"),
            format!(
                "loss reasons ([deals] loss_reasons in presales.toml): {}",
                env.config.deals.loss_reasons.join(", ")
            ),
        ));
    }
    req.outcome = Some(input.outcome);
    req.summary = Some(summary.to_string());
    req.satisfaction = input.satisfaction;
    req.technical_win = input.technical_win;
    req.technical_win_evidence = evidence.clone();
    req.loss_reason = loss_reason.clone();
    req.competitor = competitor.clone();
    req.resolution = resolution.map(str::to_string);
    let mut sol = linked(world, &req)?;
    let mv = env
        .workflow
        .plan(&env.facts(&req, sol.as_ref(), None), Some(CLOSED))?;
    if let Some(sol) = sol.as_mut() {
        on_move(sol, &req.stage, &mv, env, None);
    }
    let input = CloseInput {
        from: Some(req.stage.clone()),
        to: Some(CLOSED.to_string()),
        summary: summary.to_string(),
        evidence,
        loss_reason,
        competitor,
        resolution: resolution.map(str::to_string),
        ..input.clone()
    };
    req.stage = mv.to;
    req.history.push(env.entry_with(Action::Close, &input));
    put_both(world, req, sol);
    Ok(())
}

fn reopen(world: &mut World, env: &Env, id: &str, input: &ReopenInput) -> Result<()> {
    let note = input.note.trim();
    if note.is_empty() {
        return Err(Error::invalid("reopening needs a reason (--note)"));
    }
    let mut req: Request = world.get(id)?;
    if req.stage != CLOSED {
        return Err(Error::invalid(format!(
            "{id} is in `{}`, not closed; only a closed request is reopened",
            req.stage
        )));
    }
    let back = req
        .history
        .iter()
        .rev()
        .find(|e| e.action == Action::Close.as_str() || e.to.as_deref() == Some(CLOSED))
        .and_then(|e| e.from.clone())
        .filter(|s| s != CLOSED)
        .ok_or_else(|| {
            Error::invalid(format!(
                "{id}'s history does not say which stage it was closed from"
            ))
        })?;
    env.workflow.path(&req.kind)?;
    req.stage = back.clone();
    req.outcome = None;
    req.summary = None;
    req.satisfaction = None;
    req.technical_win = false;
    req.technical_win_evidence = None;
    req.loss_reason = None;
    req.competitor = None;
    req.resolution = None;
    req.history.push(env.entry_with(
        Action::Reopen,
        &ReopenInput {
            from: Some(CLOSED.to_string()),
            to: Some(back),
            note: note.to_string(),
        },
    ));
    world.put(req);
    Ok(())
}

fn rate(world: &mut World, env: &Env, id: &str, input: &RateInput) -> Result<()> {
    satisfaction_ok(input.satisfaction)?;
    let mut req: Request = world.get(id)?;
    if req.stage != CLOSED {
        return Err(Error::invalid_with_hint(
            format!("{id} is not closed; satisfaction is recorded when it closes"),
            format!("presales close {id} --outcome O --summary T --satisfaction N"),
        ));
    }
    let input = RateInput {
        previous: req.satisfaction,
        note: input.note.clone().filter(|n| !n.trim().is_empty()),
        ..input.clone()
    };
    req.satisfaction = Some(input.satisfaction);
    req.history.push(env.entry_with(Action::Rate, &input));
    world.put(req);
    Ok(())
}

fn comment(world: &mut World, env: &Env, id: &str, input: &CommentInput) -> Result<()> {
    let text = input.note.trim();
    if text.is_empty() {
        return Err(Error::invalid("a comment needs text"));
    }
    let mut req: Request = world.get(id)?;
    req.history.push(env.entry_with(
        Action::Comment,
        &CommentInput {
            note: text.to_string(),
        },
    ));
    world.put(req);
    Ok(())
}

/// Applies old → new field changes to a record through its JSON form, refusing fields the
/// action may not change and old values that are not the record's.
fn edit_fields<T: Record>(
    record: &T,
    editable: &[&str],
    input: &EditInput,
    world_text: &dyn Fn(&str) -> Option<String>,
) -> Result<T> {
    if input.fields.is_empty() && input.body_sha256.is_none() {
        return Err(Error::invalid("the edit changes nothing"));
    }
    let mut value = serde_json::to_value(record)
        .map_err(|e| Error::internal_from(format!("cannot serialize {}", record.id()), e))?;
    let Some(map) = value.as_object_mut() else {
        return Err(Error::internal("a record serializes to a mapping"));
    };
    for (field, change) in &input.fields {
        if !editable.contains(&field.as_str()) {
            return Err(Error::invalid_with_hint(
                format!("`{field}` of {} is not changed by editing", record.id()),
                match owner_command(T::KIND, field) {
                    Some(cmd) => format!("it changes through `{cmd}`, which records it"),
                    None => format!(
                        "it never changes once written; editable fields: {}",
                        editable.join(", ")
                    ),
                },
            ));
        }
        let current = map.get(field).cloned().unwrap_or(serde_json::Value::Null);
        if is_private(T::KIND, field) {
            // Personal data: the entry holds hashes; the value comes with the command, or
            // (replaying) from the head's file by its hash.
            if private_hash(&current) != change.old {
                return Err(Error::invalid(format!(
                    "`{field}` of {} is not what the edit says it was",
                    record.id()
                )));
            }
            let lookup = |h: &serde_json::Value| -> Result<serde_json::Value> {
                h.as_str()
                    .and_then(world_text)
                    .and_then(|t| serde_json::from_str(&t).ok())
                    .ok_or_else(|| {
                        Error::invalid_with_hint(
                            format!(
                                "`{field}` of {}: a value the edit recorded by hash is in neither \
                                 the base nor the head of this change",
                                record.id()
                            ),
                            "it was added and erased within the change; merge the addition \
                             before forgetting it",
                        )
                    })
            };
            let new = match (&change.new, input.private.get(field)) {
                (serde_json::Value::Null, _) => serde_json::Value::Null,
                (_, Some(v)) => v.clone(),
                (serde_json::Value::Array(hashes), None) => {
                    serde_json::Value::Array(hashes.iter().map(lookup).collect::<Result<Vec<_>>>()?)
                }
                (h, None) => lookup(h)?,
            };
            if private_hash(&new) != change.new {
                return Err(Error::invalid(format!(
                    "`{field}` of {}: the new value does not match the recorded hash",
                    record.id()
                )));
            }
            if new.is_null() {
                map.remove(field);
            } else {
                map.insert(field.clone(), new);
            }
            continue;
        }
        if !same_value(&current, &change.old) {
            return Err(Error::invalid(format!(
                "`{field}` of {} is {current}, not {} as the edit says",
                record.id(),
                change.old
            )));
        }
        if change.new.is_null() {
            map.remove(field);
        } else {
            map.insert(field.clone(), change.new.clone());
        }
    }
    serde_json::from_value(value).map_err(|e| Error::invalid(format!("the edit: {e}")))
}

/// The command that changes a field editing may not touch, for the refusal's hint.
fn owner_command(kind: Kind, field: &str) -> Option<&'static str> {
    Some(match (kind, field) {
        (Kind::Request, "stage") => "presales advance",
        (Kind::Request, "assignee") => "presales assign",
        (Kind::Request, "assessment") => "presales assess",
        (Kind::Request, "solution") => "presales solution new",
        (Kind::Request, "demos") => "presales demo / presales feedback",
        (Kind::Request, "planned_demos") => "presales demo --planned / --held",
        (Kind::Request, "articles") => "presales kb use",
        (
            Kind::Request,
            "outcome"
            | "summary"
            | "technical_win"
            | "technical_win_evidence"
            | "loss_reason"
            | "competitor",
        ) => "presales reopen, then presales close",
        (Kind::Request, "satisfaction") => "presales rate",
        (Kind::Article, "status") => "presales kb publish / presales kb archive",
        (Kind::Request, "gaps") => "presales gap link",
        (Kind::Request, "effort") => "presales log",
        (Kind::Gap, "status" | "reference") => "presales gap status",
        (Kind::Gap, "merged_into") => "presales gap merge",
        (Kind::Training, "attended") => "presales training attend",
        _ => return None,
    })
}

/// Equal as record values: an absent field, null, an empty list and `false` are one value.
fn same_value(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    let empty = |v: &serde_json::Value| {
        v.is_null() || v.as_array().is_some_and(|a| a.is_empty()) || v.as_bool() == Some(false)
    };
    a == b || (empty(a) && empty(b))
}

fn edit(world: &mut World, env: &Env, id: &str, input: &EditInput) -> Result<()> {
    let rid = crate::model::RecordId::parse(id).map_err(Error::invalid)?;
    let source = world.source();
    let texts = |h: &str| source.text_by_hash(h);
    match rid.kind() {
        Kind::Request => {
            let mut req: Request = world.get(id)?;
            if input.body_sha256.is_some() {
                return Err(Error::invalid("a request has no body file"));
            }
            let mut after: Request = edit_fields(
                &req,
                crate::model::action::EDITABLE_REQUEST_FIELDS,
                input,
                &texts,
            )?;
            one_line("the title", &after.title)?;
            let full = crate::model::RecordId::parse(&after.customer)
                .is_ok_and(|c| c.kind() == Kind::Customer && c.as_str() == after.customer);
            if !full {
                return Err(Error::invalid(format!(
                    "customer must be a full ID (CUS-YYYYMMDD-…), not `{}`",
                    after.customer
                )));
            }
            if world.find::<Customer>(&after.customer)?.is_none() {
                return Err(Error::invalid(format!(
                    "customer {} does not exist",
                    after.customer
                )));
            }
            if let Some(who) = &after.requested_by {
                env.check_member(who)?;
            }
            after.history = std::mem::take(&mut req.history);
            after.history.push(env.entry_with(Action::Edit, input));
            world.put(after);
        }
        Kind::Article => {
            let mut art: Article = world.get(id)?;
            let mut after: Article = edit_fields(
                &art,
                crate::model::action::EDITABLE_ARTICLE_FIELDS,
                input,
                &texts,
            )?;
            if input.body_sha256.is_some() && after.body_file.is_none() {
                return Err(Error::invalid(format!("{id} has no body file")));
            }
            one_line("the title", &after.title)?;
            one_line_items("a tag", &after.tags)?;
            one_line_items("a product", &after.products)?;
            if let Some(o) = &after.owner {
                env.check_member(o)?;
            }
            after.history = std::mem::take(&mut art.history);
            after.history.push(env.entry_with(Action::Edit, input));
            world.put(after);
        }
        Kind::Customer => {
            let mut cus: Customer = world.get(id)?;
            if input.body_sha256.is_some() {
                return Err(Error::invalid("a customer has no body file"));
            }
            let mut after: Customer = edit_fields(
                &cus,
                crate::model::action::EDITABLE_CUSTOMER_FIELDS,
                input,
                &texts,
            )?;
            one_line("the name", &after.name)?;
            let mut names = std::collections::BTreeSet::new();
            for c in &after.contacts {
                one_line("a contact's name", &c.name)?;
                if !names.insert(c.name.trim().to_lowercase()) {
                    return Err(Error::invalid(format!(
                        "{id} would have two contacts named `{}`",
                        c.name.trim()
                    )));
                }
            }
            if let Some(o) = &after.account_owner {
                env.check_member(o)?;
            }
            after.history = std::mem::take(&mut cus.history);
            after.history.push(env.entry_with(Action::Edit, input));
            world.put(after);
        }
        Kind::Gap => {
            let mut gap: Gap = world.get(id)?;
            if input.body_sha256.is_some() {
                return Err(Error::invalid("a gap has no body file"));
            }
            let mut after: Gap = edit_fields(
                &gap,
                crate::model::action::EDITABLE_GAP_FIELDS,
                input,
                &texts,
            )?;
            one_line("the title", &after.title)?;
            one_line("the product", &after.product)?;
            if let Some(a) = &after.area {
                one_line("the area", a)?;
            }
            if let Some(w) = &after.workaround {
                workaround_exists(world, w)?;
            }
            after.history = std::mem::take(&mut gap.history);
            after.history.push(env.entry_with(Action::Edit, input));
            world.put(after);
        }
        Kind::Training => {
            let mut training: Training = world.get(id)?;
            if input.body_sha256.is_some() {
                return Err(Error::invalid("a training has no body file"));
            }
            let mut after: Training = edit_fields(
                &training,
                crate::model::action::EDITABLE_TRAINING_FIELDS,
                input,
                &texts,
            )?;
            check_training(env, &after)?;
            after.history = std::mem::take(&mut training.history);
            after.history.push(env.entry_with(Action::Edit, input));
            world.put(after);
        }
        Kind::Solution => {
            return Err(Error::invalid_with_hint(
                format!("{id}: a solution is changed by its own commands"),
                "presales solution plan|milestone|resource|quote|risk",
            ));
        }
    }
    Ok(())
}

/// A long text given to the command, or recorded by hash in the entry being replayed. A
/// text that cannot be found stands in as a marker no record holds, so the comparison with
/// the pull request names the field.
fn text_of(world: &World, given: &Option<String>, hash: &str) -> String {
    given
        .clone()
        .or_else(|| world.source().text_by_hash(hash))
        .unwrap_or_else(|| format!("\u{0}(text with content hash {hash}, not found)"))
}

/// Refuses changes to a solution once its request has moved past design.
fn check_editable(wf: &Workflow, sol: &Solution, req: &Request) -> Result<()> {
    if let Some(by) = &sol.superseded_by {
        return Err(Error::invalid(format!(
            "{} was superseded by {by}; change that one",
            sol.id
        )));
    }
    if editable_stage(wf, &req.stage) {
        return Ok(());
    }
    Err(Error::invalid_with_hint(
        format!(
            "{} is frozen while {} is in `{}`",
            sol.id, req.id, req.stage
        ),
        if req.stage == wf.stages.demo || req.stage == wf.stages.review {
            format!(
                "go back with `presales advance {} --to {}` (bumps the solution's version)",
                req.id, wf.stages.design
            )
        } else {
            "a solution changes only while its request is in analysis or design".to_string()
        },
    ))
}

/// The solution and its request, for a change to the solution.
fn solution_and_request(world: &mut World, id: &str) -> Result<(Solution, Request)> {
    let sol: Solution = world.get(id)?;
    let req: Request = world.get(&sol.request)?;
    Ok((sol, req))
}

fn editable_solution(world: &mut World, env: &Env, id: &str) -> Result<(Solution, Request)> {
    let (sol, req) = solution_and_request(world, id)?;
    check_editable(env.workflow, &sol, &req)?;
    Ok((sol, req))
}

fn new_solution(world: &mut World, env: &Env, id: &str, input: &SolutionInput) -> Result<()> {
    let mut req: Request = world.get(&input.request)?;
    let path = env.workflow.path(&req.kind)?;
    if !path.stages.contains(&env.workflow.stages.design) {
        return Err(Error::invalid(format!(
            "requests of type `{}` have no design stage, so no solution",
            req.kind
        )));
    }
    if !editable_stage(env.workflow, &req.stage) {
        return Err(Error::invalid(format!(
            "{} is in `{}`; a solution is created in analysis or design",
            req.id, req.stage
        )));
    }
    let title = one_line("the solution's title", &input.title)?;
    let mut old = linked(world, &req)?;
    match (&old, &input.supersedes) {
        (Some(old), None) => {
            return Err(Error::invalid_with_hint(
                format!("{} already has a solution: {}", req.id, old.id),
                format!(
                    "change it with `presales solution plan {}` etc., or replace it with `presales solution new --request {} --supersede`",
                    old.id, req.id
                ),
            ));
        }
        (Some(old), Some(s)) if *s != old.id => {
            return Err(Error::invalid(format!(
                "{} supersedes {s}, but {}'s solution is {}",
                id, req.id, old.id
            )));
        }
        (None, Some(s)) => {
            return Err(Error::invalid(format!(
                "{id} supersedes {s}, but {} has no solution",
                req.id
            )));
        }
        _ => {}
    }
    ensure_new(world, id)?;
    let plan = input
        .plan_sha256
        .as_ref()
        .filter(|_| input.plan_file.is_none())
        .map(|h| text_of(world, &input.plan, h));
    let input = SolutionInput {
        title: title.clone(),
        ..input.clone()
    };
    let sol = Solution {
        id: id.to_string(),
        request: req.id.clone(),
        title,
        version: 1,
        author: env.by.to_string(),
        created: env.now,
        plan,
        plan_file: input.plan_file.clone(),
        milestones: Vec::new(),
        resources: Vec::new(),
        quotation: None,
        risks: Vec::new(),
        reviews: Vec::new(),
        approval: None,
        handover: None,
        supersedes: input.supersedes.clone(),
        superseded_by: None,
        extra: Default::default(),
        history: vec![env.entry_with(Action::Create, &input)],
    };
    if let Some(old) = old.as_mut() {
        old.superseded_by = Some(sol.id.clone());
        old.history
            .push(env.entry(Action::Superseded).to(sol.id.clone()));
    }
    req.solution = Some(sol.id.clone());
    req.history
        .push(env.entry(Action::LinkSolution).to(sol.id.clone()));
    world.put(sol);
    if let Some(old) = old {
        world.put(old);
    }
    world.put(req);
    Ok(())
}

fn plan(world: &mut World, env: &Env, id: &str, input: &PlanInput) -> Result<()> {
    let (mut sol, _) = editable_solution(world, env, id)?;
    match &input.plan_file {
        Some(f) => {
            sol.plan_file = Some(f.clone());
            sol.plan = None;
        }
        None => {
            let text = text_of(world, &input.plan, &input.plan_sha256);
            if text.trim().is_empty() {
                return Err(Error::invalid("--plan is empty"));
            }
            sol.plan = Some(text);
            sol.plan_file = None;
        }
    }
    sol.history.push(env.entry_with(Action::Plan, input));
    world.put(sol);
    Ok(())
}

/// The index of item `n` (1-based, as `solution show` numbers them) of a solution's list,
/// checked against `was` when the entry recorded it (a replay, or a forged entry).
fn place<T: PartialEq + std::fmt::Debug>(
    items: &[T],
    n: u32,
    was: Option<&T>,
    what: &str,
    sol: &str,
    show: impl Fn(&T) -> String,
) -> Result<usize> {
    let len = items.len();
    let i = (n as usize).checked_sub(1).filter(|i| *i < len);
    let Some(i) = i else {
        return Err(Error::invalid_with_hint(
            match len {
                0 => format!("{sol} has no {what}s, so no {what} {n}"),
                1 => format!("{sol} has 1 {what}; there is no {what} {n}"),
                _ => format!("{sol} has {len} {what}s; there is no {what} {n}"),
            },
            format!("`presales solution show {sol}` numbers them"),
        ));
    };
    if let Some(w) = was
        && *w != items[i]
    {
        return Err(Error::invalid(format!(
            "{what} {n} of {sol} is {}, not {} as the entry says: the list changed under it",
            show(&items[i]),
            show(w)
        )));
    }
    Ok(i)
}

/// `--edit` and `--remove` name one item; a change is one of add, edit or remove.
fn one_change(edit: Option<u32>, remove: Option<u32>) -> Result<()> {
    if edit.is_some() && remove.is_some() {
        return Err(Error::usage("--edit and --remove cannot be used together"));
    }
    Ok(())
}

fn show_milestone(m: &Milestone) -> String {
    format!("`{}` on {}", m.name, m.date)
}

fn show_resource(r: &Resource) -> String {
    format!(
        "`{}`{} for {} days",
        r.role,
        r.person
            .as_deref()
            .map(|p| format!(" ({p})"))
            .unwrap_or_default(),
        r.days
    )
}

fn show_line(l: &QuoteLine) -> String {
    format!("`{}` {} × {}", l.item, l.quantity, l.unit_price)
}

fn milestone(world: &mut World, env: &Env, id: &str, input: &MilestoneInput) -> Result<()> {
    one_change(input.edit, input.remove)?;
    let name = input
        .name
        .as_deref()
        .map(|n| one_line("a milestone's name", n))
        .transpose()?;
    let (mut sol, req) = editable_solution(world, env, id)?;
    let created = req.created.date_naive();
    if let Some(date) = input.date
        && date < created
    {
        return Err(Error::invalid(format!(
            "milestone date {date} is before {} was created ({created})",
            req.id
        )));
    }
    let mut recorded = MilestoneInput {
        edit: input.edit,
        remove: input.remove,
        ..Default::default()
    };
    let sid = sol.id.clone();
    let at = |n| {
        place(
            &sol.milestones,
            n,
            input.was.as_ref(),
            "milestone",
            &sid,
            show_milestone,
        )
    };
    match (input.edit, input.remove) {
        (Some(n), _) => {
            let i = at(n)?;
            if name.is_none() && input.date.is_none() {
                return Err(Error::usage(format!(
                    "--edit {n} changes --name or --date; give at least one"
                )));
            }
            let m = &mut sol.milestones[i];
            recorded.was = Some(m.clone());
            if let Some(name) = name {
                m.name = name;
            }
            if let Some(date) = input.date {
                m.date = date;
            }
            recorded.name = Some(m.name.clone());
            recorded.date = Some(m.date);
        }
        (None, Some(n)) => {
            let i = at(n)?;
            if name.is_some() || input.date.is_some() {
                return Err(Error::usage(format!(
                    "--remove {n} takes no --name or --date"
                )));
            }
            recorded.was = Some(sol.milestones.remove(i));
        }
        (None, None) => {
            let (Some(name), Some(date)) = (name, input.date) else {
                return Err(Error::usage(
                    "a new milestone needs --name and --date (or --edit N / --remove N)",
                ));
            };
            sol.milestones.push(Milestone {
                name: name.clone(),
                date,
                extra: Default::default(),
            });
            recorded.name = Some(name);
            recorded.date = Some(date);
        }
    }
    sol.milestones.sort_by_key(|m| m.date);
    sol.history
        .push(env.entry_with(Action::Milestone, &recorded));
    world.put(sol);
    Ok(())
}

fn resource(world: &mut World, env: &Env, id: &str, input: &ResourceInput) -> Result<()> {
    one_change(input.edit, input.remove)?;
    if let Some(days) = input.days
        && days <= Decimal::ZERO
    {
        return Err(Error::invalid(format!(
            "--days must be positive (got {days})"
        )));
    }
    let role = input
        .role
        .as_deref()
        .map(|r| one_line("a resource's role", r))
        .transpose()?;
    if let Some(p) = &input.person {
        env.check_member(p)?;
    }
    let (mut sol, _) = editable_solution(world, env, id)?;
    let mut recorded = ResourceInput {
        edit: input.edit,
        remove: input.remove,
        ..Default::default()
    };
    let sid = sol.id.clone();
    let at = |n| {
        place(
            &sol.resources,
            n,
            input.was.as_ref(),
            "resource",
            &sid,
            show_resource,
        )
    };
    match (input.edit, input.remove) {
        (Some(n), _) => {
            let i = at(n)?;
            if role.is_none() && input.person.is_none() && input.days.is_none() {
                return Err(Error::usage(format!(
                    "--edit {n} changes --role, --person or --days; give at least one"
                )));
            }
            let r = &mut sol.resources[i];
            recorded.was = Some(r.clone());
            if let Some(role) = role {
                r.role = role;
            }
            if let Some(p) = &input.person {
                r.person = Some(p.clone());
            }
            if let Some(days) = input.days {
                r.days = days;
            }
            recorded.role = Some(r.role.clone());
            recorded.person = r.person.clone();
            recorded.days = Some(r.days);
        }
        (None, Some(n)) => {
            let i = at(n)?;
            if role.is_some() || input.person.is_some() || input.days.is_some() {
                return Err(Error::usage(format!(
                    "--remove {n} takes no --role, --person or --days"
                )));
            }
            recorded.was = Some(sol.resources.remove(i));
        }
        (None, None) => {
            let (Some(role), Some(days)) = (role, input.days) else {
                return Err(Error::usage(
                    "a new resource needs --role and --days (or --edit N / --remove N)",
                ));
            };
            sol.resources.push(Resource {
                role: role.clone(),
                person: input.person.clone(),
                days,
                extra: Default::default(),
            });
            recorded.role = Some(role);
            recorded.person = input.person.clone();
            recorded.days = Some(days);
        }
    }
    sol.history
        .push(env.entry_with(Action::Resource, &recorded));
    world.put(sol);
    Ok(())
}

/// A quotation's problem, as the user reads it after a change.
fn quote_problem(sol: &str, p: QuoteProblem) -> Error {
    match p {
        QuoteProblem::TooLarge => Error::invalid(format!(
            "{sol}: the quotation's total is too large to compute: {p}"
        )),
        QuoteProblem::Discount(m) => Error::invalid_with_hint(
            m,
            format!(
                "a discount is at most the subtotal: lower it with `presales solution quote {sol} --discount …` (0 removes it)"
            ),
        ),
        QuoteProblem::Tax(m) => Error::invalid_with_hint(
            m,
            format!("give the tax as a percentage, e.g. `presales solution quote {sol} --tax 13%`"),
        ),
    }
}

fn quote(world: &mut World, env: &Env, id: &str, input: &QuoteInput) -> Result<()> {
    one_change(input.edit, input.remove)?;
    if let Some(q) = input.quantity
        && q <= Decimal::ZERO
    {
        return Err(Error::invalid(format!("--qty must be positive (got {q})")));
    }
    if let Some(p) = input.unit_price
        && p < Decimal::ZERO
    {
        return Err(Error::invalid_with_hint(
            format!("--unit-price must not be negative (got {p})"),
            "a price reduction is a discount: `--discount 5%` or `--discount AMOUNT`",
        ));
    }
    let item = input
        .item
        .as_deref()
        .map(|i| one_line("a quotation line's --item", i))
        .transpose()?;
    let currency = input
        .currency
        .as_ref()
        .map(|c| c.trim().to_ascii_uppercase());
    if let Some(c) = &currency
        && (c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()))
    {
        return Err(Error::invalid(format!(
            "--currency `{c}` is not a three-letter ISO 4217 code such as CNY, USD or EUR"
        )));
    }
    let line_given = item.is_some() || input.quantity.is_some() || input.unit_price.is_some();
    let adding = input.edit.is_none() && input.remove.is_none() && line_given;
    if !line_given
        && input.edit.is_none()
        && input.remove.is_none()
        && input.discount.is_none()
        && input.tax.is_none()
        && currency.is_none()
        && input.valid_until.is_none()
    {
        return Err(Error::usage(
            "nothing to change: give a line (--item, --qty, --unit-price), --edit N, --remove N, --discount, --tax or --valid-until",
        ));
    }
    let (mut sol, req) = editable_solution(world, env, id)?;
    let sid = sol.id.clone();
    if sol.quotation.is_none() && !adding {
        return Err(Error::invalid_with_hint(
            format!("{sid} has no quotation yet"),
            format!(
                "add its first line: `presales solution quote {sid} --item … --qty … --unit-price …`"
            ),
        ));
    }
    let quote = sol.quotation.get_or_insert_with(|| Quotation {
        currency: currency.clone().unwrap_or_else(|| "CNY".into()),
        lines: Vec::new(),
        discount: None,
        tax: None,
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
    if let Some(v) = input.valid_until {
        if v < req.created.date_naive() {
            return Err(Error::invalid(format!(
                "--valid-until {v} is before the request was created"
            )));
        }
        quote.valid_until = Some(v);
    }
    let mut recorded = QuoteInput {
        edit: input.edit,
        remove: input.remove,
        discount: input.discount,
        tax: input.tax,
        currency,
        valid_until: input.valid_until,
        ..Default::default()
    };
    let at = |lines: &[QuoteLine], n| {
        place(
            lines,
            n,
            input.was.as_ref(),
            "quotation line",
            &sid,
            show_line,
        )
    };
    match (input.edit, input.remove) {
        (Some(n), _) => {
            let i = at(&quote.lines, n)?;
            if !line_given {
                return Err(Error::usage(format!(
                    "--edit {n} changes --qty, --unit-price or --item; give at least one"
                )));
            }
            let l = &mut quote.lines[i];
            recorded.was = Some(l.clone());
            if let Some(item) = item {
                l.item = item;
            }
            if let Some(q) = input.quantity {
                l.quantity = q;
            }
            if let Some(p) = input.unit_price {
                l.unit_price = p;
            }
            recorded.item = Some(l.item.clone());
            recorded.quantity = Some(l.quantity);
            recorded.unit_price = Some(l.unit_price);
        }
        (None, Some(n)) => {
            let i = at(&quote.lines, n)?;
            if line_given {
                return Err(Error::usage(format!(
                    "--remove {n} takes no --item, --qty or --unit-price"
                )));
            }
            recorded.was = Some(quote.lines.remove(i));
        }
        (None, None) if adding => {
            let (Some(item), Some(quantity), Some(unit_price)) =
                (item, input.quantity, input.unit_price)
            else {
                return Err(Error::usage(
                    "a new quotation line needs --item, --qty and --unit-price (or --edit N to change line N)",
                ));
            };
            quote.lines.push(QuoteLine {
                item: item.clone(),
                quantity,
                unit_price,
                extra: Default::default(),
            });
            recorded.item = Some(item);
            recorded.quantity = Some(quantity);
            recorded.unit_price = Some(unit_price);
        }
        (None, None) => {}
    }
    if let Some(d) = input.discount {
        quote.discount = (!d.is_zero()).then_some(d);
    }
    if let Some(t) = input.tax {
        quote.tax = (!t.is_zero()).then_some(t);
    }
    let figures = quote.figures().map_err(|p| quote_problem(&sid, p))?;
    quote.total = figures.total;
    recorded.total = Some(figures.total);
    sol.history.push(env.entry_with(Action::Quote, &recorded));
    world.put(sol);
    Ok(())
}

fn risk(world: &mut World, env: &Env, id: &str, input: &RiskInput) -> Result<()> {
    for (name, v) in [("likelihood", input.likelihood), ("impact", input.impact)] {
        if !(1..=5).contains(&v) {
            return Err(Error::invalid(format!("{name} must be 1–5, got {v}")));
        }
    }
    if input.description.trim().is_empty() || input.mitigation.trim().is_empty() {
        return Err(Error::invalid(
            "a risk needs a --description and a --mitigation",
        ));
    }
    if let Some(o) = &input.owner {
        env.check_member(o)?;
    }
    let (mut sol, _) = editable_solution(world, env, id)?;
    let risk = Risk {
        description: input.description.clone(),
        likelihood: input.likelihood,
        impact: input.impact,
        mitigation: input.mitigation.clone(),
        owner: input.owner.clone(),
        extra: Default::default(),
    };
    let input = RiskInput {
        score: Some(risk.score()),
        ..input.clone()
    };
    sol.risks.push(risk);
    sol.history.push(env.entry_with(Action::Risk, &input));
    world.put(sol);
    Ok(())
}

/// Refuses a demo id the request already has, held or planned.
fn new_demo_id(req: &Request, demo: &str) -> Result<()> {
    if req
        .demos
        .iter()
        .chain(&req.planned_demos)
        .any(|d| d.id.as_deref() == Some(demo))
    {
        return Err(Error::invalid(format!(
            "{} already has a demo with id {demo}",
            req.id
        )));
    }
    Ok(())
}

/// A demo planned for a later date: kept apart from the demos held, so it satisfies no
/// guard and counts in no report until `demo --held` records it as held.
fn plan_demo(world: &mut World, env: &Env, id: &str, input: &DemoInput) -> Result<()> {
    one_line_items("an attendee", &input.attendees)?;
    let mut req = open_request(world, id)?;
    if input.held {
        return Err(Error::invalid("a planned demo is not held yet"));
    }
    let today = env.today();
    if input.date < today {
        return Err(Error::invalid_with_hint(
            format!(
                "a planned demo is in the future; {} is before today ({today})",
                input.date
            ),
            format!(
                "a demo already held is recorded without --planned: `presales demo {} --date {} --attendee NAME`",
                req.id, input.date
            ),
        ));
    }
    let path = env.workflow.path(&req.kind)?;
    if !path.stages.contains(&env.workflow.stages.demo) {
        return Err(Error::invalid(format!(
            "requests of type `{}` have no demo stage",
            req.kind
        )));
    }
    new_demo_id(&req, &input.demo)?;
    req.planned_demos.push(Demo {
        id: Some(input.demo.clone()),
        date: input.date,
        attendees: input.attendees.clone(),
        notes: input.note.clone(),
        feedback: Vec::new(),
        extra: Default::default(),
    });
    req.planned_demos.sort_by_key(|d| d.date);
    req.history.push(env.entry_with(Action::PlanDemo, input));
    world.put(req);
    Ok(())
}

fn demo(world: &mut World, env: &Env, id: &str, input: &DemoInput) -> Result<()> {
    one_line_items("an attendee", &input.attendees)?;
    let mut req: Request = world.get(id)?;
    let mut input = input.clone();
    if input.held {
        let i = req
            .planned_demos
            .iter()
            .position(|d| d.id.as_deref() == Some(input.demo.as_str()))
            .ok_or_else(|| {
                Error::invalid(format!("{} has no planned demo {}", req.id, input.demo))
            })?;
        let planned = req.planned_demos.remove(i);
        if input.attendees.is_empty() {
            input.attendees = planned.attendees;
        }
        if input.note.is_none() {
            input.note = planned.notes;
        }
        if input.attendees.is_empty() {
            return Err(Error::usage(
                "the planned demo names no attendees: give them with --attendee",
            ));
        }
    }
    if input.date > env.today() {
        return Err(Error::invalid_with_hint(
            format!(
                "demo date {} is after today ({}): a demo is recorded once it is held",
                input.date,
                env.today()
            ),
            if input.held {
                "hold it on or after its date, or give the day it was held with --date".to_string()
            } else {
                format!(
                    "plan it with `presales demo {} --planned --date {}`",
                    req.id, input.date
                )
            },
        ));
    }
    let input = &input;
    if input.date < req.created.date_naive() {
        return Err(Error::invalid(format!(
            "demo date {} is before {} was created",
            input.date, req.id
        )));
    }
    if !input.held {
        new_demo_id(&req, &input.demo)?;
    }
    let mut sol = linked(world, &req)?;
    let demo_stage = env.workflow.stages.demo.clone();
    if req.stage != demo_stage {
        let path = env.workflow.path(&req.kind)?;
        if path.next(&req.stage) != Some(demo_stage.as_str()) {
            return Err(Error::invalid(format!(
                "{} is in `{}`; a demo is recorded in the demo stage (or from the stage before it)",
                req.id, req.stage
            )));
        }
        enter(env, &mut req, sol.as_mut(), &demo_stage)?;
    }
    req.demos.push(Demo {
        id: Some(input.demo.clone()),
        date: input.date,
        attendees: input.attendees.clone(),
        notes: input.note.clone(),
        feedback: Vec::new(),
        extra: Default::default(),
    });
    req.history.push(env.entry_with(Action::Demo, input));
    put_both(world, req, sol);
    Ok(())
}

fn feedback(world: &mut World, env: &Env, id: &str, input: &FeedbackInput) -> Result<()> {
    let text = input.note.trim();
    if text.is_empty() || input.source.trim().is_empty() {
        return Err(Error::invalid("feedback needs --from and --text"));
    }
    let source = one_line("who gave the feedback (--from)", &input.source)?;
    let source = source.as_str();
    let mut req = open_request(world, id)?;
    let rid = req.id.clone();
    let demo = req.demos.last_mut().ok_or_else(|| {
        Error::invalid_with_hint(
            format!("{rid} has no demo to attach feedback to"),
            format!("record it first: `presales demo {rid} --date D --attendee NAME`"),
        )
    })?;
    if demo.id.as_deref() != Some(input.demo.as_str()) {
        return Err(Error::invalid(format!(
            "feedback is collected on the latest demo of {rid}, not on demo {}",
            input.demo
        )));
    }
    if demo
        .feedback
        .iter()
        .any(|f| f.id.as_deref() == Some(input.item.as_str()))
    {
        return Err(Error::invalid(format!(
            "the demo already has a feedback item {}",
            input.item
        )));
    }
    demo.feedback.push(Feedback {
        id: Some(input.item.clone()),
        from: source.to_string(),
        text: text.to_string(),
        disposition: None,
        extra: Default::default(),
    });
    req.history.push(env.entry_with(
        Action::Feedback,
        &FeedbackInput {
            demo: input.demo.clone(),
            item: input.item.clone(),
            source: source.to_string(),
            note: text.to_string(),
        },
    ));
    world.put(req);
    Ok(())
}

fn disposition(world: &mut World, env: &Env, id: &str, input: &DispositionInput) -> Result<()> {
    let mut req = open_request(world, id)?;
    let rid = req.id.clone();
    let demo = req
        .demos
        .last_mut()
        .ok_or_else(|| Error::invalid(format!("{rid} has no demo")))?;
    let f = demo
        .feedback
        .iter_mut()
        .find(|f| f.id.as_deref() == Some(input.item.as_str()))
        .ok_or_else(|| {
            Error::invalid(format!(
                "the latest demo of {rid} has no feedback item {}",
                input.item
            ))
        })?;
    f.disposition = Some(input.disposition);
    req.history.push(env.entry_with(Action::Disposition, input));
    world.put(req);
    Ok(())
}

fn review(world: &mut World, env: &Env, id: &str, input: &ReviewInput) -> Result<()> {
    let comment = input.note.trim();
    if comment.is_empty() {
        return Err(Error::invalid("a review needs a --comment"));
    }
    let (mut sol, req) = solution_and_request(world, id)?;
    let review_stage = &env.workflow.stages.review;
    if req.stage != *review_stage {
        let before_review = env
            .workflow
            .path(&req.kind)
            .ok()
            .and_then(|p| Some(p.index(&req.stage)? < p.index(review_stage)?))
            .unwrap_or(false);
        return Err(Error::invalid_with_hint(
            format!(
                "{} is in `{}`; verdicts are given while it is in `{review_stage}`",
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
    if sol.author == env.by {
        return Err(Error::invalid(format!(
            "{} is the author of {}; reviews come from other experts",
            env.by, sol.id
        )));
    }
    if req.assignee.as_deref() == Some(env.by) {
        return Err(Error::invalid(format!(
            "{} is the assignee of {}; reviews come from other experts",
            env.by, req.id
        )));
    }
    if req.solution.as_deref() != Some(sol.id.as_str()) {
        return Err(Error::invalid(format!(
            "{} is not the current solution of {}",
            sol.id, req.id
        )));
    }
    let sid = sol.id.clone();
    let round = match sol.reviews.last_mut() {
        Some(r) if r.closed.is_none() => r,
        _ => {
            return Err(Error::invalid(format!("{sid} has no open review round")));
        }
    };
    if round.verdicts.iter().any(|v| v.reviewer == env.by) {
        return Err(Error::invalid(format!(
            "{} already gave a verdict in round {} of {sid}",
            env.by, round.round
        )));
    }
    round.verdicts.push(Verdict {
        id: Some(input.verdict_id.clone()),
        reviewer: env.by.to_string(),
        verdict: input.verdict,
        at: env.now,
        comment: Some(comment.to_string()),
        extra: Default::default(),
    });
    let input = ReviewInput {
        round: Some(round.round),
        note: comment.to_string(),
        ..input.clone()
    };
    sol.history.push(env.entry_with(Action::Review, &input));
    world.put(sol);
    Ok(())
}

fn approve(world: &mut World, env: &Env, id: &str, input: &ApproveInput) -> Result<()> {
    let member = env
        .config
        .member(env.by)
        .ok_or_else(|| Error::invalid(format!("{} is not a team member", env.by)))?;
    if !member.has_role(Role::Approver) {
        let approvers: Vec<&str> = env
            .config
            .members
            .iter()
            .filter(|m| m.has_role(Role::Approver))
            .map(|m| m.id.as_str())
            .collect();
        return Err(Error::invalid_with_hint(
            format!("{} lacks the approver role", env.by),
            format!("approvers: {}", approvers.join(", ")),
        ));
    }
    let (mut sol, mut req) = solution_and_request(world, id)?;
    if req.solution.as_deref() != Some(sol.id.as_str()) {
        return Err(Error::invalid(format!(
            "{} is not the current solution of {}",
            sol.id, req.id
        )));
    }
    if sol.author == env.by || req.assignee.as_deref() == Some(env.by) {
        return Err(Error::invalid(format!(
            "four eyes: {} is the author or assignee of {} and cannot approve it",
            env.by, sol.id
        )));
    }
    if req.stage != env.workflow.stages.review {
        return Err(Error::invalid(format!(
            "{} is in `{}`; a solution is approved after its review (stage `{}`)",
            req.id, req.stage, env.workflow.stages.review
        )));
    }
    let note = input.note.clone().filter(|n| !n.trim().is_empty());
    sol.approval = Some(Approval {
        by: env.by.to_string(),
        at: env.now,
        note: note.clone(),
        extra: Default::default(),
    });
    sol.history.push(env.entry_with(
        Action::Approve,
        &ApproveInput {
            version: Some(sol.version),
            note,
        },
    ));
    // The move checks the review round too; if it fails, nothing is kept.
    let approved = env.workflow.stages.approved.clone();
    enter(env, &mut req, Some(&mut sol), &approved)?;
    world.put(sol);
    world.put(req);
    Ok(())
}

fn handover(world: &mut World, env: &Env, id: &str, input: &HandoverInput) -> Result<()> {
    env.check_member(&input.to)?;
    if !env
        .config
        .member(&input.to)
        .is_some_and(|m| m.has_role(Role::Sales))
    {
        return Err(Error::invalid(format!(
            "{} is not in sales; a solution is handed over to a sales member",
            input.to
        )));
    }
    for t in &input.training {
        one_line("a training's topic", &t.topic)?;
    }
    let (mut sol, mut req) = solution_and_request(world, id)?;
    if req.solution.as_deref() != Some(sol.id.as_str()) {
        return Err(Error::invalid(format!(
            "{} is not the current solution of {}",
            sol.id, req.id
        )));
    }
    if sol.approval.is_none() {
        return Err(Error::invalid_with_hint(
            format!("{} is not approved", sol.id),
            format!("an approver runs `presales approve {}`", sol.id),
        ));
    }
    let note = input.note.clone().filter(|n| !n.trim().is_empty());
    sol.handover = Some(Handover {
        to: input.to.clone(),
        at: env.now,
        training: input.training.clone(),
        notes: note.clone(),
        extra: Default::default(),
    });
    sol.history.push(env.entry_with(
        Action::Handover,
        &HandoverInput {
            note,
            ..input.clone()
        },
    ));
    let handover = env.workflow.stages.handover.clone();
    enter(env, &mut req, Some(&mut sol), &handover)?;
    world.put(sol);
    world.put(req);
    Ok(())
}

fn new_article(world: &mut World, env: &Env, id: &str, input: &ArticleInput) -> Result<()> {
    let title = one_line("an article's title (--title)", &input.title)?;
    one_line_items("a tag", &input.tags)?;
    one_line_items("a product", &input.products)?;
    if let Some(owner) = &input.owner {
        env.check_member(owner)?;
    }
    ensure_new(world, id)?;
    let body = match (&input.body_file, &input.body_sha256) {
        (None, Some(h)) => Some(text_of(world, &input.body, h)).filter(|b| !b.trim().is_empty()),
        _ => None,
    };
    let input = ArticleInput {
        to: Some(Status::Draft.as_str().to_string()),
        title: title.clone(),
        products: crate::kb::clean_list(input.products.clone()),
        tags: crate::kb::clean_list(input.tags.clone()),
        body_sha256: if input.body_file.is_none() && body.is_none() {
            None
        } else {
            input.body_sha256.clone()
        },
        ..input.clone()
    };
    world.put(Article {
        id: id.to_string(),
        title,
        category: input.category,
        products: input.products.clone(),
        tags: input.tags.clone(),
        author: env.by.to_string(),
        owner: input.owner.clone(),
        status: Status::Draft,
        review_by: input.review_by,
        review_every: input.review_every,
        confidential: input.confidential,
        summary: None,
        aliases: Vec::new(),
        body,
        body_file: input.body_file.clone(),
        attachments: Vec::new(),
        source: None,
        created: env.now,
        flags: Vec::new(),
        extra: Default::default(),
        history: vec![env.entry_with(Action::Create, &input)],
    });
    Ok(())
}

fn import(world: &mut World, env: &Env, id: &str, input: &ImportInput) -> Result<()> {
    if let Some(owner) = &input.owner {
        env.check_member(owner)?;
    }
    let existing: Option<Article> = world.find(id)?;
    let is_new = existing.is_none();
    let mut article = existing.unwrap_or_else(|| Article {
        id: id.to_string(),
        title: String::new(),
        category: input.category,
        products: Vec::new(),
        tags: Vec::new(),
        author: env.by.to_string(),
        owner: None,
        status: Status::Draft,
        review_by: None,
        review_every: None,
        confidential: false,
        summary: None,
        aliases: Vec::new(),
        body: None,
        body_file: None,
        attachments: Vec::new(),
        source: Some(input.source.clone()),
        created: env.now,
        flags: Vec::new(),
        extra: Default::default(),
        history: Vec::new(),
    });
    if article.source.as_deref() != Some(input.source.as_str()) {
        return Err(Error::invalid(format!(
            "{id} was not imported from {}",
            input.source
        )));
    }
    let before = article.clone();
    article.title = one_line("an imported article's title", &input.title)?;
    one_line_items("a tag", input.tags.as_deref().unwrap_or_default())?;
    one_line_items("a product", input.products.as_deref().unwrap_or_default())?;
    article.body = Some(text_of(world, &input.body, &input.body_sha256)).filter(|b| !b.is_empty());
    article.body_file = None;
    if input.category_given || is_new {
        article.category = input.category;
    }
    if let Some(tags) = &input.tags {
        article.tags = tags.clone();
    }
    if let Some(products) = &input.products {
        article.products = products.clone();
    }
    if let Some(owner) = &input.owner {
        article.owner = Some(owner.clone());
    }
    if let Some(status) = input.status {
        article.status = status;
    }
    if let Some(day) = input.review_by {
        article.review_by = Some(day);
    }
    if let Some(c) = input.confidential {
        article.confidential = c;
    }
    if let Some(summary) = &input.summary {
        article.summary = Some(one_line("an imported article's summary", summary)?);
    }
    if let Some(aliases) = &input.aliases {
        one_line_items("an alias", aliases)?;
        article.aliases = aliases.clone();
    }
    if !is_new && article == before {
        // Nothing to change: the import writes nothing for this file.
        return Ok(());
    }
    let input = ImportInput {
        to: is_new.then(|| article.status.as_str().to_string()),
        ..input.clone()
    };
    article.history.push(env.entry_with(Action::Import, &input));
    world.put(article);
    Ok(())
}

fn publish(world: &mut World, env: &Env, id: &str, input: &StatusInput) -> Result<()> {
    let mut article: Article = world.get(id)?;
    if article.status == Status::Published {
        return Err(Error::invalid(format!("{id} is already published")));
    }
    let text = match (&article.body, &article.body_file) {
        (Some(b), _) => b.clone(),
        (None, Some(f)) => world.source().read_file(f).map_err(|e| match e {
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                crate::kb::missing_body_file(&article, f)
            }
            e => e,
        })?,
        (None, None) => String::new(),
    };
    if text.trim().is_empty() {
        return Err(Error::invalid_with_hint(
            format!("{id} has no text to publish"),
            format!(
                "add a body or body_file to {}",
                crate::store::Store::rel_path(
                    &crate::model::RecordId::parse(id).map_err(Error::invalid)?
                )
                .display()
            ),
        ));
    }
    let entry = env.entry_with(
        Action::Publish,
        &StatusInput {
            from: Some(article.status.as_str().to_string()),
            to: Some(Status::Published.as_str().to_string()),
            note: input.note.clone().filter(|n| !n.trim().is_empty()),
        },
    );
    article.status = Status::Published;
    article.history.push(entry);
    world.put(article);
    Ok(())
}

fn archive(world: &mut World, env: &Env, id: &str, input: &StatusInput) -> Result<()> {
    let mut article: Article = world.get(id)?;
    if article.status == Status::Archived {
        return Err(Error::invalid(format!("{id} is already archived")));
    }
    let entry = env.entry_with(
        Action::Archive,
        &StatusInput {
            from: Some(article.status.as_str().to_string()),
            to: Some(Status::Archived.as_str().to_string()),
            note: input.note.clone().filter(|n| !n.trim().is_empty()),
        },
    );
    article.status = Status::Archived;
    article.history.push(entry);
    world.put(article);
    Ok(())
}

/// The most one effort entry may hold: a day and a night.
const MAX_EFFORT_HOURS: u32 = 24;

fn log(world: &mut World, env: &Env, id: &str, input: &LogInput) -> Result<()> {
    let max = rust_decimal::Decimal::from(MAX_EFFORT_HOURS);
    if input.hours <= rust_decimal::Decimal::ZERO || input.hours > max {
        return Err(Error::invalid_with_hint(
            format!(
                "{} h is not an effort entry: more than 0 and at most {MAX_EFFORT_HOURS} hours",
                input.hours
            ),
            "log each day's work on its own line (--date)",
        ));
    }
    if input.date > env.today() {
        return Err(Error::invalid(format!(
            "--date {} is in the future (today is {})",
            input.date,
            env.today()
        )));
    }
    let mut req: Request = world.get(id)?;
    if req.effort.iter().any(|e| e.id == input.item) {
        return Err(Error::invalid(format!(
            "{id} already has an effort entry `{}`",
            input.item
        )));
    }
    let input = LogInput {
        note: input
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string),
        ..input.clone()
    };
    req.effort.push(crate::model::Effort {
        id: input.item.clone(),
        by: env.by.to_string(),
        date: input.date,
        hours: input.hours,
        activity: input.activity,
        note: input.note.clone(),
        extra: Default::default(),
    });
    req.history.push(env.entry_with(Action::Log, &input));
    world.put(req);
    Ok(())
}

fn use_article(world: &mut World, env: &Env, id: &str, input: &UseInput) -> Result<()> {
    let art: Article = world.get(&input.article)?;
    if art.status == Status::Archived {
        return Err(Error::invalid_with_hint(
            format!("{} is archived", art.id),
            "find a current article with `presales kb search` or `presales kb suggest`",
        ));
    }
    let mut req: Request = world.get(id)?;
    if req.articles.iter().any(|u| u.id == art.id) {
        return Err(Error::invalid(format!(
            "{} already records the use of {}",
            req.id, art.id
        )));
    }
    req.articles.push(ArticleUse {
        id: art.id.clone(),
        at: env.now,
        by: env.by.to_string(),
        extra: Default::default(),
    });
    req.history.push(env.entry_with(Action::UseArticle, input));
    world.put(req);
    Ok(())
}

/// `kb review`: the article was checked and is still true (or was fixed); `review_by` moves
/// one cycle ahead of today, which also closes the flags raised before it.
fn review_article(
    world: &mut World,
    env: &Env,
    id: &str,
    input: &ArticleReviewInput,
) -> Result<()> {
    let mut article: Article = world.get(id)?;
    if article.status == Status::Archived {
        return Err(Error::invalid_with_hint(
            format!("{id} is archived: nobody relies on it any more"),
            format!("bring it back with `presales kb publish {id}` first"),
        ));
    }
    let every = input
        .every
        .or(article.review_every)
        .or(env.config.kb.review_every)
        .ok_or_else(|| {
            Error::invalid_with_hint(
                format!("{id} has no review cycle, so the next review date is unknown"),
                "give one with --every 180d, or set `review_every` under [kb] in presales.toml",
            )
        })?;
    let next = every.after(env.today());
    let entry = env.entry_with(
        Action::Review,
        &ArticleReviewInput {
            from: article.review_by.map(|d| d.to_string()),
            to: Some(next.to_string()),
            every: input.every,
            note: input.note.clone().filter(|n| !n.trim().is_empty()),
        },
    );
    article.review_by = Some(next);
    if input.every.is_some() {
        article.review_every = input.every;
    }
    article.history.push(entry);
    world.put(article);
    Ok(())
}

/// `kb flag`: a problem with an article, kept on the request it was found in (so that a
/// popular article never conflicts), else on the article.
fn flag(world: &mut World, env: &Env, id: &str, input: &FlagInput) -> Result<()> {
    let note = input.note.trim();
    if note.is_empty() {
        return Err(Error::invalid_with_hint(
            "a flag needs a note saying what is wrong",
            "e.g. --note \"step 3 refers to the old console\"",
        ));
    }
    let art: Article = world.get(&input.article)?;
    let flag = |article: Option<String>| crate::model::article::Flag {
        id: input.item.clone(),
        article,
        note: note.to_string(),
        at: env.now,
        by: env.by.to_string(),
        extra: Default::default(),
    };
    let entry = env.entry_with(Action::Flag, input);
    if id == art.id {
        let mut art = art;
        art.flags.push(flag(None));
        art.history.push(entry);
        world.put(art);
    } else {
        let mut req: Request = world.get(id)?;
        req.article_flags.push(flag(Some(art.id.clone())));
        req.history.push(entry);
        world.put(req);
    }
    Ok(())
}

/// A gap's workaround is a knowledge-base article that exists.
fn workaround_exists(world: &mut World, id: &str) -> Result<()> {
    match world.find::<Article>(id) {
        Ok(Some(_)) => Ok(()),
        Ok(None) | Err(_) => Err(Error::invalid_with_hint(
            format!("workaround {id} is not an article of the knowledge base"),
            "give an article's full ID (KB-…); list them with `presales kb list`",
        )),
    }
}

fn new_gap(world: &mut World, env: &Env, id: &str, input: &GapInput) -> Result<()> {
    let title = one_line("a gap's title (--title)", &input.title)?;
    let product = one_line("the product (--product)", &input.product)?;
    let area = match &input.area {
        Some(a) => Some(one_line("the area (--area)", a)?),
        None => None,
    };
    if let Some(w) = &input.workaround {
        workaround_exists(world, w)?;
    }
    ensure_new(world, id)?;
    let input = GapInput {
        title: title.clone(),
        product: product.clone(),
        area: area.clone(),
        description: input
            .description
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_string),
        workaround: input.workaround.clone(),
    };
    world.put(Gap {
        id: id.to_string(),
        title,
        product,
        area,
        description: input.description.clone(),
        status: GapStatus::Open,
        reference: None,
        workaround: input.workaround.clone(),
        created: env.now,
        author: env.by.to_string(),
        merged_into: None,
        extra: Default::default(),
        history: vec![env.entry_with(Action::Create, &input)],
    });
    Ok(())
}

/// A gap that has not been merged into another, for a command that acts on it.
fn live_gap(world: &mut World, id: &str) -> Result<Gap> {
    let gap: Gap = world.get(id)?;
    if let Some(into) = &gap.merged_into {
        return Err(Error::invalid_with_hint(
            format!("{id} was merged into {into}"),
            format!("act on {into} instead"),
        ));
    }
    Ok(gap)
}

fn link_gap(world: &mut World, env: &Env, id: &str, input: &GapLinkInput) -> Result<()> {
    // A gap merged since is no reason to refuse: the link counts for the gap it was merged
    // into. (The command links that gap in the first place; a replay may see the merge of
    // the same second first.)
    let gap: Gap = world.get(&input.gap)?;
    let mut req: Request = world.get(id)?;
    if let Some(l) = req.gaps.iter().find(|l| l.gap == gap.id) {
        return Err(Error::invalid(format!(
            "{} is already linked to {} (severity {})",
            req.id, gap.id, l.severity
        )));
    }
    if req.gaps.iter().any(|l| l.id == input.item) {
        return Err(Error::invalid(format!(
            "{} already has a gap link `{}`",
            req.id, input.item
        )));
    }
    if let Some(item) = &input.feedback {
        let rid = req.id.clone();
        let f = req
            .demos
            .last_mut()
            .and_then(|d| {
                d.feedback
                    .iter_mut()
                    .find(|f| f.id.as_deref() == Some(item.as_str()))
            })
            .ok_or_else(|| {
                Error::invalid(format!(
                    "the latest demo of {rid} has no feedback item {item}"
                ))
            })?;
        f.disposition = Some(crate::model::request::Disposition::Gap);
    }
    req.gaps.push(GapLink {
        id: input.item.clone(),
        gap: gap.id.clone(),
        severity: input.severity,
        feedback: input.feedback.clone(),
        at: env.now,
        by: env.by.to_string(),
        extra: Default::default(),
    });
    req.history.push(env.entry_with(Action::LinkGap, input));
    world.put(req);
    Ok(())
}

fn gap_status(world: &mut World, env: &Env, id: &str, input: &GapStatusInput) -> Result<()> {
    let mut gap = live_gap(world, id)?;
    let reference = match &input.reference {
        Some(r) => Some(one_line("the engineering reference (--ref)", r)?),
        None => None,
    };
    if gap.status == input.to && (reference.is_none() || reference == gap.reference) {
        return Err(Error::invalid(format!("{id} is `{}` already", input.to)));
    }
    let input = GapStatusInput {
        from: Some(gap.status),
        to: input.to,
        reference: reference.clone(),
        note: input
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string),
    };
    gap.status = input.to;
    if reference.is_some() {
        gap.reference = reference;
    }
    gap.history.push(env.entry_with(Action::GapStatus, &input));
    world.put(gap);
    Ok(())
}

fn merge_gap(world: &mut World, env: &Env, id: &str, input: &GapMergeInput) -> Result<()> {
    if id == input.to {
        return Err(Error::invalid(format!("{id} cannot be merged into itself")));
    }
    let mut gap = live_gap(world, id)?;
    let into: Gap = world.get(&input.to)?;
    if let Some(further) = &into.merged_into {
        return Err(Error::invalid_with_hint(
            format!("{} was merged into {further} itself", into.id),
            format!("merge {id} into {further}"),
        ));
    }
    let input = GapMergeInput {
        to: into.id.clone(),
        note: input
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string),
    };
    gap.merged_into = Some(into.id.clone());
    gap.history.push(env.entry_with(Action::MergeGap, &input));
    world.put(gap);
    Ok(())
}

/// The longest a training session may be, in hours: a day and a night (a course of several
/// days is one session per day).
pub const MAX_TRAINING_HOURS: u32 = 24;

/// Checks that `who` is an active team member, for `what` (`the trainer`, `an attendee`).
fn check_active(env: &Env, what: &str, who: &str) -> Result<()> {
    env.check_member(who)?;
    match env.config.member(who) {
        Some(m) if !m.active => Err(Error::invalid_with_hint(
            format!("{what} `{who}` has left the team (active = false)"),
            "name an active member",
        )),
        _ => Ok(()),
    }
}

/// What a training session must be, whether new or edited: one-line texts, hours above
/// zero and at most a day, an active trainer, active attendees named once, the trainer not
/// among them.
fn check_training(env: &Env, t: &Training) -> Result<()> {
    one_line("a training's title (--title)", &t.title)?;
    if let Some(p) = &t.place {
        one_line("the place (--place)", p)?;
    }
    one_line_items("a topic (--topic)", &t.topics)?;
    let max = Decimal::from(MAX_TRAINING_HOURS);
    if t.hours <= Decimal::ZERO || t.hours > max {
        return Err(Error::invalid_with_hint(
            format!(
                "{} h is not a training session: more than 0 and at most {MAX_TRAINING_HOURS} hours",
                t.hours
            ),
            "record a course of several days as one session per day",
        ));
    }
    check_active(env, "the trainer", &t.trainer)?;
    let mut seen: Vec<&str> = Vec::new();
    for a in &t.attendees {
        check_active(env, "the attendee", a)?;
        if a == &t.trainer {
            return Err(Error::invalid(format!(
                "{a} gives the training; the trainer is not also an attendee"
            )));
        }
        if seen.contains(&a.as_str()) {
            return Err(Error::invalid(format!("{a} is invited twice")));
        }
        seen.push(a);
    }
    Ok(())
}

fn new_training(world: &mut World, env: &Env, id: &str, input: &TrainingInput) -> Result<()> {
    let trimmed = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let input = TrainingInput {
        title: input.title.trim().to_string(),
        place: trimmed(&input.place),
        topics: input.topics.iter().map(|t| t.trim().to_string()).collect(),
        note: trimmed(&input.note),
        ..input.clone()
    };
    let training = Training {
        id: id.to_string(),
        title: input.title.clone(),
        kind: input.kind,
        date: input.date,
        hours: input.hours,
        trainer: input.trainer.clone(),
        place: input.place.clone(),
        topics: input.topics.clone(),
        attendees: input.attendees.clone(),
        attended: Vec::new(),
        note: input.note.clone(),
        created: env.now,
        author: env.by.to_string(),
        extra: Default::default(),
        history: vec![env.entry_with(Action::Create, &input)],
    };
    check_training(env, &training)?;
    ensure_new(world, id)?;
    world.put(training);
    Ok(())
}

fn attend(world: &mut World, env: &Env, id: &str, input: &AttendInput) -> Result<()> {
    let mut training: Training = world.get(id)?;
    if input.members.is_empty() {
        return Err(Error::invalid_with_hint(
            "no member given",
            "name who attended with --member M (repeatable)",
        ));
    }
    if training.date > env.today() {
        return Err(Error::invalid_with_hint(
            format!(
                "{id} is on {}, after today ({}); attendance is recorded once it is held",
                training.date,
                env.today()
            ),
            format!("move the date with `presales training edit {id}` if it was held earlier"),
        ));
    }
    for (i, m) in input.members.iter().enumerate() {
        check_active(env, "the attendee", m)?;
        if m == &training.trainer {
            return Err(Error::invalid(format!(
                "{m} gave {id}; the trainer is counted as trainer, not as an attendee"
            )));
        }
        if training.did_attend(m) || input.members[..i].contains(m) {
            return Err(Error::invalid(format!(
                "{m}'s attendance of {id} is recorded already"
            )));
        }
    }
    for m in &input.members {
        training.attended.push(Attendance {
            member: m.clone(),
            at: env.now,
            by: env.by.to_string(),
            extra: Default::default(),
        });
    }
    training.history.push(env.entry_with(Action::Attend, input));
    world.put(training);
    Ok(())
}
