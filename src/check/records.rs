//! The record rules, one function per record kind: references between records, team
//! members, stage consistency and guards, four eyes, quotation totals, risk scales, merge
//! conflicts. Each asks about the other records through [`Others`].

use std::collections::BTreeMap;

use super::{Finding, Loaded, Parsed, conflicts, line_of_history_entry, line_of_key, named_file};
use crate::config::Role;
use crate::model::{Customer, Gap, RecordId, Request, Solution, Training};
use crate::store::Store;
use crate::workflow::{CLOSED, Facts, Guard};

/// What one record's rules need to know of the others of the check: whether a record
/// exists, and the few fields a link is judged by. A record not among them may still be a
/// file of the store (a partial check loads only what it was given): each rule falls back
/// to looking for the file.
pub(super) trait Others {
    fn customer(&self, id: &str) -> bool;
    fn article(&self, id: &str) -> bool;
    /// A gap of the check: the gap it was merged into, if any.
    fn gap(&self, id: &str) -> Option<Option<&str>>;
    /// A request of the check: the solution it links, if any.
    fn request(&self, id: &str) -> Option<Option<&str>>;
    /// A solution of the check: the request it belongs to, and the whole record when the
    /// check holds it (the guards of an open request read it).
    fn solution(&self, id: &str) -> Option<(&str, Option<&Solution>)>;
}

/// The records of one check by ID, for the references between them.
struct Index<'a> {
    customers: BTreeMap<&'a str, &'a Customer>,
    solutions: BTreeMap<&'a str, &'a Parsed<Solution>>,
    requests: BTreeMap<&'a str, &'a Parsed<Request>>,
    gaps: BTreeMap<&'a str, &'a Gap>,
    articles: std::collections::HashSet<&'a str>,
}

impl Others for Index<'_> {
    fn customer(&self, id: &str) -> bool {
        self.customers.contains_key(id)
    }
    fn article(&self, id: &str) -> bool {
        self.articles.contains(id)
    }
    fn gap(&self, id: &str) -> Option<Option<&str>> {
        self.gaps.get(id).map(|g| g.merged_into.as_deref())
    }
    fn request(&self, id: &str) -> Option<Option<&str>> {
        self.requests.get(id).map(|r| r.record.solution.as_deref())
    }
    fn solution(&self, id: &str) -> Option<(&str, Option<&Solution>)> {
        self.solutions
            .get(id)
            .map(|s| (s.record.request.as_str(), Some(&s.record)))
    }
}

/// The record rules (references, members, stage consistency, guards, merge conflicts) over
/// the records of a partial check, as [`super::load`] read them; the whole store is
/// [`super::check_store`]'s, with the same rule functions.
pub fn check_records(store: &Store, loaded: &Loaded, today: chrono::NaiveDate) -> Vec<Finding> {
    let index = Index {
        customers: loaded
            .customers
            .iter()
            .map(|c| (c.record.id.as_str(), &c.record))
            .collect(),
        solutions: loaded
            .solutions
            .iter()
            .map(|s| (s.record.id.as_str(), s))
            .collect(),
        requests: loaded
            .requests
            .iter()
            .map(|r| (r.record.id.as_str(), r))
            .collect(),
        gaps: loaded
            .gaps
            .iter()
            .map(|g| (g.record.id.as_str(), &g.record))
            .collect(),
        articles: loaded.articles.iter().map(String::as_str).collect(),
    };
    use rayon::prelude::*;
    // Requests and solutions (most of a store) are judged on every core.
    let (requests, solutions): (Vec<Vec<Finding>>, Vec<Vec<Finding>>) = rayon::join(
        || {
            (loaded.requests.par_iter())
                .map(|p| request_findings(store, &index, p, today))
                .collect()
        },
        || {
            (loaded.solutions.par_iter())
                .map(|p| solution_findings(store, &index, p))
                .collect()
        },
    );
    let mut findings: Vec<Finding> = requests.into_iter().flatten().collect();
    findings.extend(solutions.into_iter().flatten());
    for p in &loaded.customers {
        findings.extend(customer_findings(store, p));
    }
    for p in &loaded.gaps {
        findings.extend(gap_findings(store, &index, p));
    }
    for p in &loaded.trainings {
        findings.extend(training_findings(store, p));
    }
    findings
}

/// Every rule of a request: [`request_own_findings`], its solution's link back and, while
/// it is open, its stage's guards.
fn request_findings(
    store: &Store,
    others: &impl Others,
    p: &Parsed<Request>,
    today: chrono::NaiveDate,
) -> Vec<Finding> {
    let (mut findings, guarded) = request_own_findings(store, others, p);
    if let Some(sid) = &p.record.solution {
        let problem = solution_link_problem(store, others, &p.record.id, sid);
        findings.extend(problem.map(|problem| solution_link_finding(store, p, problem)));
    }
    if guarded {
        findings.extend(guard_findings(store, others, p, today));
    }
    findings
}

/// A request's rules that read no solution: its customer, articles and gaps exist; its
/// people are members; its stage is where its history led and is a stage of its type; a
/// closed request has an outcome and a summary. Also whether its stage's guards are to be
/// judged (an open request of a known type and stage).
pub(super) fn request_own_findings(
    store: &Store,
    others: &impl Others,
    p: &Parsed<Request>,
) -> (Vec<Finding>, bool) {
    let mut findings = Vec::new();
    let config = &store.config;
    let member = |who: &str| config.member(who).is_some();
    let r = &p.record;
    let rel = store.display_path(&p.path);
    let at = |key: &str| line_of_key(p.text(), key);
    let mut push = |line: u64, msg: String| findings.push(Finding::error(&rel, line, msg));
    if !others.customer(&r.customer) && !store.path_of_id(&r.customer).is_some_and(|p| p.exists()) {
        push(
            at("customer"),
            format!("customer {} does not exist", r.customer),
        );
    }
    for a in &r.articles {
        if !others.article(&a.id) && !store.path_of_id(&a.id).is_some_and(|p| p.exists()) {
            push(at("articles"), format!("article {} does not exist", a.id));
        }
    }
    for f in &r.article_flags {
        match f.article.as_deref() {
            None => push(
                at("article_flags"),
                format!("flag {} names no article", f.id),
            ),
            Some(id)
                if !others.article(id) && !store.path_of_id(id).is_some_and(|p| p.exists()) =>
            {
                push(
                    at("article_flags"),
                    format!("flag {} names article {id}, which does not exist", f.id),
                );
            }
            Some(_) => {}
        }
    }
    let feedback_ids: Vec<&str> = r
        .demos
        .iter()
        .flat_map(|d| d.feedback.iter())
        .filter_map(|f| f.id.as_deref())
        .collect();
    let mut linked: Vec<&str> = Vec::new();
    for l in &r.gaps {
        let exists = match others.gap(&l.gap) {
            Some(_) => true,
            None => RecordId::parse(&l.gap).is_ok_and(|id| {
                id.kind() == crate::model::Kind::Gap
                    && store.path_of_id(&l.gap).is_some_and(|p| p.exists())
            }),
        };
        if !exists {
            push(at("gaps"), format!("gap {} does not exist", l.gap));
        }
        if linked.contains(&l.gap.as_str()) {
            push(at("gaps"), format!("gap {} is linked twice", l.gap));
        }
        linked.push(&l.gap);
        if let Some(f) = &l.feedback
            && !feedback_ids.contains(&f.as_str())
        {
            push(
                at("gaps"),
                format!(
                    "the link to {} names feedback item {f}, which no demo holds",
                    l.gap
                ),
            );
        }
        if !member(&l.by) && !config.members.is_empty() {
            push(
                at("gaps"),
                format!(
                    "the link to {} is by `{}`, who is not in presales.toml",
                    l.gap, l.by
                ),
            );
        }
    }
    for (key, who) in [
        ("assignee", r.assignee.as_deref()),
        ("requested_by", r.requested_by.as_deref()),
    ] {
        if let Some(w) = who
            && !member(w)
        {
            push(
                at(key),
                format!("{key} `{w}` is not a team member in presales.toml"),
            );
        }
    }
    for (i, h) in r.history.iter().enumerate() {
        if !member(&h.by) && !config.members.is_empty() {
            // Old entries by people who left stay valid if they are kept as inactive members.
            push(
                line_of_history_entry(p.text(), i),
                format!(
                    "history entry {} is by `{}`, who is not in presales.toml (keep leavers with active = false)",
                    i + 1,
                    h.by
                ),
            );
        }
    }
    conflicts(|| p.text(), &r.extra, &mut push);
    // Stage consistency: the stage is where the last move in history led.
    let last_move = r.history.iter().rev().find(|h| {
        crate::model::Action::parse(&h.action).is_move() || (h.action == "create" && h.to.is_some())
    });
    if let Some(m) = last_move
        && m.to.as_deref() != Some(r.stage.as_str())
    {
        push(
            at("stage"),
            format!(
                "stage `{}` has no history entry: the last move led to `{}`; use `presales advance`",
                r.stage,
                m.to.as_deref().unwrap_or("?")
            ),
        );
    }
    let Ok(path) = store.workflow.path(&r.kind) else {
        push(
            at("type"),
            format!(
                "unknown request type `{}`; types: {}",
                r.kind,
                store.workflow.type_names().join(", ")
            ),
        );
        return (findings, false);
    };
    if !path.stages.contains(&r.stage) {
        push(
            at("stage"),
            format!(
                "`{}` is not a stage of type `{}` ({})",
                r.stage,
                r.kind,
                path.stages.join(" → ")
            ),
        );
        return (findings, false);
    }
    if r.stage == CLOSED {
        if r.outcome.is_none() {
            push(at("stage"), "closed without an outcome".into());
        }
        if r.summary.as_deref().is_none_or(|s| s.trim().is_empty()) {
            push(at("stage"), "closed without a summary".into());
        }
        return (findings, false);
    }
    (findings, true)
}

/// `problem` with request file `p`'s link to its solution, at the line of `solution`.
pub(super) fn solution_link_finding<T>(store: &Store, p: &Parsed<T>, problem: String) -> Finding {
    let rel = store.display_path(&p.path);
    Finding::error(&rel, line_of_key(p.text(), "solution"), problem)
}

/// What is wrong with request `id`'s link to solution `sid`, if anything.
pub(super) fn solution_link_problem(
    store: &Store,
    others: &impl Others,
    id: &str,
    sid: &str,
) -> Option<String> {
    match others.solution(sid) {
        Some((request, _)) if request != id => Some(format!(
            "solution {sid} belongs to {request}, not to this request"
        )),
        Some(_) => None,
        None if store.path_of_id(sid).is_some_and(|p| p.exists()) => None,
        None => Some(format!("solution {sid} does not exist")),
    }
}

/// The guards of an open request's stage still hold (of a known type and stage: see
/// [`request_own_findings`]).
pub(super) fn guard_findings(
    store: &Store,
    others: &impl Others,
    p: &Parsed<Request>,
    today: chrono::NaiveDate,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let r = &p.record;
    let Ok(path) = store.workflow.path(&r.kind) else {
        return findings;
    };
    // In a partial check the linked solution may not be loaded: read it for the guards.
    let unloaded: Option<Solution>;
    let sol = match r.solution.as_deref().and_then(|s| others.solution(s)) {
        Some((_, Some(s))) => Some(s),
        _ => {
            unloaded = r
                .solution
                .as_deref()
                .and_then(|s| RecordId::parse(s).ok())
                .and_then(|id| store.load::<Solution>(&id).ok());
            unloaded.as_ref()
        }
    };
    let facts = Facts {
        request: r,
        solution: sol,
        config: &store.config,
        today,
        note: None,
    };
    let rel = store.display_path(&p.path);
    for g in path.guards_of(&r.stage) {
        if matches!(g, Guard::Answer | Guard::Outcome) {
            return findings;
        }
        // Away today does not invalidate an assignment made before.
        for m in g.missing(&store.workflow, path, &facts) {
            findings.push(Finding::error(
                &rel,
                line_of_key(p.text(), "stage"),
                format!("stage `{}` needs {m}", r.stage),
            ));
        }
    }
    findings
}

/// A solution: its plan file, its request links back, its people are members, its approval
/// respects the approver role and four eyes, its quotation total matches its lines, and
/// its risks are on the 1–5 scale.
pub(super) fn solution_findings(
    store: &Store,
    others: &impl Others,
    p: &Parsed<Solution>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let config = &store.config;
    let member = |who: &str| config.member(who).is_some();
    let s = &p.record;
    let rel = store.display_path(&p.path);
    if let Some(pf) = &s.plan_file {
        findings.extend(named_file(store, &rel, p.text(), "plan_file", pf));
    }
    let at = |key: &str| line_of_key(p.text(), key);
    let mut push = |line: u64, msg: String| findings.push(Finding::error(&rel, line, msg));
    match others.request(&s.request) {
        Some(linked) if linked != Some(s.id.as_str()) && s.superseded_by.is_none() => push(
            at("request"),
            format!("{} does not link back to this solution", s.request),
        ),
        Some(_) => {}
        None if store.path_of_id(&s.request).is_some_and(|p| p.exists()) => {}
        None => push(
            at("request"),
            format!("request {} does not exist", s.request),
        ),
    }
    let mut people: Vec<(&str, &str)> = vec![("author", s.author.as_str())];
    people.extend(
        s.resources
            .iter()
            .filter_map(|r| r.person.as_deref())
            .map(|p| ("resources", p)),
    );
    people.extend(
        s.reviews
            .iter()
            .flat_map(|r| r.verdicts.iter())
            .map(|v| ("reviews", v.reviewer.as_str())),
    );
    if let Some(a) = &s.approval {
        people.push(("approval", a.by.as_str()));
        let approver = config.member(&a.by);
        if approver.is_some_and(|m| !m.has_role(Role::Approver)) {
            push(
                at("approval"),
                format!("approved by `{}`, who lacks the approver role", a.by),
            );
        }
        if a.by == s.author {
            push(
                at("approval"),
                format!("approved by its own author `{}` (four eyes)", a.by),
            );
        }
    }
    if let Some(h) = &s.handover {
        people.push(("handover", h.to.as_str()));
    }
    for (key, who) in people {
        if !member(who) {
            push(
                at(key),
                format!("{key}: `{who}` is not a team member in presales.toml"),
            );
        }
    }
    if let Some(q) = &s.quotation {
        match q.figures() {
            Ok(f) if f.total == q.total => {}
            Ok(f) => push(
                at("quotation"),
                if q.discount.is_none() && q.tax.is_none() {
                    format!(
                        "quotation total {} does not match its lines ({})",
                        q.total, f.total
                    )
                } else {
                    format!(
                        "quotation total {} does not match its lines, discount and tax ({})",
                        q.total, f.total
                    )
                },
            ),
            Err(crate::model::solution::QuoteProblem::TooLarge) => push(
                at("quotation"),
                "quotation lines add up to more than a decimal holds (about 7.9 × 10²⁸); fix quantities or prices".to_string(),
            ),
            Err(p) => push(at("quotation"), format!("quotation: {p}")),
        }
    }
    for (i, risk) in s.risks.iter().enumerate() {
        for (what, value) in [("likelihood", risk.likelihood), ("impact", risk.impact)] {
            if !(1..=5).contains(&value) {
                push(
                    at("risks"),
                    format!(
                        "risk {} ({}): {what} {value} is not on the 1–5 scale",
                        i + 1,
                        risk.description
                    ),
                );
            }
        }
    }
    conflicts(|| p.text(), &s.extra, &mut push);
    findings
}

/// A customer: its account owner is a member.
pub(super) fn customer_findings(store: &Store, p: &Parsed<Customer>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let member = |who: &str| store.config.member(who).is_some();
    let c = &p.record;
    if let Some(o) = &c.account_owner
        && !member(o)
    {
        findings.push(Finding::error(
            &store.display_path(&p.path),
            line_of_key(p.text(), "account_owner"),
            format!("account_owner `{o}` is not a team member"),
        ));
    }
    let rel = store.display_path(&p.path);
    conflicts(|| p.text(), &c.extra, &mut |line, msg| {
        findings.push(Finding::error(&rel, line, msg))
    });
    findings
}

/// A gap: its author and the people of its history are members, its workaround is an
/// article, and the gap it was merged into exists, is another gap, and the merges do not
/// loop.
pub(super) fn gap_findings(store: &Store, others: &impl Others, p: &Parsed<Gap>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let config = &store.config;
    let g = &p.record;
    let rel = store.display_path(&p.path);
    let at = |key: &str| line_of_key(p.text(), key);
    let mut push = |line: u64, msg: String| findings.push(Finding::error(&rel, line, msg));
    if config.member(&g.author).is_none() && !config.members.is_empty() {
        push(
            at("author"),
            format!(
                "author `{}` is not a team member in presales.toml",
                g.author
            ),
        );
    }
    for (i, h) in g.history.iter().enumerate() {
        if config.member(&h.by).is_none() && !config.members.is_empty() {
            push(
                line_of_history_entry(p.text(), i),
                format!(
                    "history entry {} is by `{}`, who is not in presales.toml (keep leavers with active = false)",
                    i + 1,
                    h.by
                ),
            );
        }
    }
    if let Some(w) = &g.workaround {
        let is_article =
            RecordId::parse(w).is_ok_and(|id| id.kind() == crate::model::Kind::Article);
        if !is_article || (!others.article(w) && !store.path_of_id(w).is_some_and(|p| p.exists())) {
            push(
                at("workaround"),
                format!("workaround {w} is not an article of the knowledge base"),
            );
        }
    }
    if let Some(into) = &g.merged_into {
        let is_gap = RecordId::parse(into).is_ok_and(|id| id.kind() == crate::model::Kind::Gap);
        if into == &g.id {
            push(at("merged_into"), "merged into itself".into());
        } else if !is_gap
            || (others.gap(into).is_none() && !store.path_of_id(into).is_some_and(|p| p.exists()))
        {
            push(
                at("merged_into"),
                format!("merged into {into}, which is not a gap"),
            );
        } else {
            // Follow the chain through the loaded gaps: a loop never ends in a live gap.
            let mut seen = vec![g.id.as_str()];
            let mut current = into.as_str();
            while let Some(next) = others.gap(current).flatten() {
                if seen.contains(&current) {
                    push(
                        at("merged_into"),
                        format!(
                            "the merges from {} go round in a loop through {current}",
                            g.id
                        ),
                    );
                    break;
                }
                seen.push(current);
                current = next;
            }
        }
    }
    conflicts(|| p.text(), &g.extra, &mut push);
    findings
}

/// A training session: its trainer, invited and attending members and the people of its
/// history are members of the team (leavers kept with `active = false` still count: the
/// session was before they left); nobody is invited or recorded twice; the trainer is not
/// an attendee; its hours are above zero and at most a day.
pub(super) fn training_findings(store: &Store, p: &Parsed<Training>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let config = &store.config;
    let t = &p.record;
    let rel = store.display_path(&p.path);
    let at = |key: &str| line_of_key(p.text(), key);
    let mut push = |line: u64, msg: String| findings.push(Finding::error(&rel, line, msg));
    let known = |who: &str| config.members.is_empty() || config.member(who).is_some();
    for (key, who) in [("trainer", &t.trainer), ("author", &t.author)] {
        if !known(who) {
            push(
                at(key),
                format!("{key} `{who}` is not a team member in presales.toml"),
            );
        }
    }
    let mut seen: Vec<&str> = Vec::new();
    for a in &t.attendees {
        if !known(a) {
            push(
                at("attendees"),
                format!("attendee `{a}` is not a team member in presales.toml"),
            );
        }
        if a == &t.trainer {
            push(
                at("attendees"),
                format!("{a} is the trainer and also invited as an attendee"),
            );
        }
        if seen.contains(&a.as_str()) {
            push(at("attendees"), format!("{a} is invited twice"));
        }
        seen.push(a);
    }
    let mut seen: Vec<&str> = Vec::new();
    for a in &t.attended {
        if !known(&a.member) {
            push(
                at("attended"),
                format!(
                    "`{}` attended but is not a team member in presales.toml",
                    a.member
                ),
            );
        }
        if a.member == t.trainer {
            push(
                at("attended"),
                format!("{} is the trainer and also recorded as attending", a.member),
            );
        }
        if seen.contains(&a.member.as_str()) {
            push(
                at("attended"),
                format!("{}'s attendance is recorded twice", a.member),
            );
        }
        seen.push(&a.member);
        if !known(&a.by) {
            push(
                at("attended"),
                format!(
                    "the attendance of {} was recorded by `{}`, who is not in presales.toml",
                    a.member, a.by
                ),
            );
        }
    }
    let max = rust_decimal::Decimal::from(crate::ops::apply::MAX_TRAINING_HOURS);
    if t.hours <= rust_decimal::Decimal::ZERO || t.hours > max {
        push(
            at("hours"),
            format!(
                "hours {} is not a session: more than 0 and at most {max}",
                t.hours
            ),
        );
    }
    for (i, h) in t.history.iter().enumerate() {
        if !known(&h.by) {
            push(
                line_of_history_entry(p.text(), i),
                format!(
                    "history entry {} is by `{}`, who is not in presales.toml (keep leavers with active = false)",
                    i + 1,
                    h.by
                ),
            );
        }
    }
    conflicts(|| p.text(), &t.extra, &mut push);
    findings
}
