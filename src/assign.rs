//! Dispatch policies (派工原则): who gets a request, and why the others were skipped. Pure.
//!
//! The rotation is a function of the store alone: it is folded from the `assign` entries of
//! request histories that carry a `turn`, so there is no counter file to conflict in pull
//! requests, two people computing it on the same commit agree, and two branches merged give
//! one answer (see [`Rotation`]).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::config::{Config, Member, Role};
use crate::model::{Request, Timestamp};
use crate::workflow::CLOSED;

/// The history action an assignment writes, and the key that marks an automatic one.
pub const ASSIGN_ACTION: &str = "assign";
pub const POLICY_KEY: &str = "policy";
/// Place of an assignment that takes a turn: one more than the highest found in the store.
/// It orders assignments made within the same second (scripts, fixed clocks); after a merge
/// two branches may hold the same number, and only the first (by time, then request ID)
/// takes the turn in the rotation.
pub const TURN_KEY: &str = "turn";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    RoundRobin,
    LeastLoaded,
}

impl Policy {
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::RoundRobin => "round-robin",
            Policy::LeastLoaded => "least-loaded",
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Policy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "round-robin" => Ok(Policy::RoundRobin),
            "least-loaded" => Ok(Policy::LeastLoaded),
            _ => Err(format!(
                "unknown policy `{s}` (expected round-robin or least-loaded)"
            )),
        }
    }
}

/// Why a member cannot take a request now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unfit {
    Left,
    NotEngineer,
    Away {
        from: NaiveDate,
        to: NaiveDate,
        note: Option<String>,
    },
    LacksSkill(Vec<String>),
}

impl fmt::Display for Unfit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unfit::Left => f.write_str("has left the team"),
            Unfit::NotEngineer => f.write_str("is not an engineer"),
            Unfit::Away { from, to, note } => {
                write!(f, "away {from} to {to}")?;
                match note {
                    Some(n) => write!(f, " ({n})"),
                    None => Ok(()),
                }
            }
            Unfit::LacksSkill(s) => write!(f, "lacks skill {}", s.join(", ")),
        }
    }
}

/// Why `member` cannot take `request` on `today`, or `None` if they can.
pub fn unfit(member: &Member, skills: &[String], today: NaiveDate) -> Option<Unfit> {
    if !member.active {
        return Some(Unfit::Left);
    }
    if !member.has_role(Role::Engineer) {
        return Some(Unfit::NotEngineer);
    }
    if let Some(away) = member.away_on(today) {
        return Some(Unfit::Away {
            from: away.from,
            to: away.to,
            note: away.note.clone(),
        });
    }
    lacks(member, skills)
}

/// The skills of `skills` that `member` lacks, as a reason; `None` when they have them all.
pub fn lacks(member: &Member, skills: &[String]) -> Option<Unfit> {
    let lacking: Vec<String> = skills
        .iter()
        .filter(|s| !member.has_skill(s))
        .cloned()
        .collect();
    (!lacking.is_empty()).then_some(Unfit::LacksSkill(lacking))
}

/// Why `member` cannot take `request` on `today`, as printed and recorded.
pub fn skip_reason(member: &Member, request: &Request, today: NaiveDate) -> Option<String> {
    unfit(member, &request.skills, today).map(|u| u.to_string())
}

/// The reason recorded for an engineer passed because an earlier assignment took their turn.
pub fn turn_taken_reason(request: &str) -> String {
    format!("had this turn already: {request}")
}

/// One engineer the rotation passed on its way to the chosen one, as the assignment records
/// it (`skipped:` in the `assign` entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skip {
    pub member: String,
    pub reason: String,
    /// The assignment that took this turn ahead of the rotation (by hand, by least-loaded,
    /// or on another branch); the reason is then [`turn_taken_reason`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turn_taken_by: Option<String>,
}

/// One assignment that takes a turn, as found in a request's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnTaken {
    /// `None` for automatic assignments from before turns were numbered.
    pub turn: Option<u64>,
    pub at: Timestamp,
    pub request: String,
    pub member: String,
    /// Made by the round-robin rotation (`policy: round-robin`): it moves the rotation.
    /// Any other (by hand, least-loaded) takes the member's next turn instead.
    pub by_rotation: bool,
}

/// The assignments of `requests` that take a turn (`assign` entries with a `turn`, or with a
/// `policy` from before turns were numbered), in rotation order: turn, then time, then
/// request ID.
pub fn turns_taken(requests: &[Request]) -> Vec<TurnTaken> {
    let mut out: Vec<TurnTaken> = requests
        .iter()
        .flat_map(|r| {
            r.history
                .iter()
                .filter(|h| {
                    h.action == ASSIGN_ACTION
                        && (h.extra.contains_key(TURN_KEY) || h.extra.contains_key(POLICY_KEY))
                })
                .filter_map(move |h| {
                    Some(TurnTaken {
                        turn: h.extra.get(TURN_KEY).and_then(|t| t.as_u64()),
                        at: h.at,
                        request: r.id.clone(),
                        member: h.to.clone()?,
                        by_rotation: h.extra.get(POLICY_KEY).and_then(|p| p.as_str())
                            == Some(Policy::RoundRobin.as_str()),
                    })
                })
        })
        .collect();
    out.sort_by(|a, b| {
        (a.turn.unwrap_or(0), a.at, &a.request).cmp(&(b.turn.unwrap_or(0), b.at, &b.request))
    });
    out
}

/// Where the rotation stands (派工顺序): the engineers in team order, the one who took the
/// last turn, and the turns some took ahead of the rotation.
///
/// The rule: the rotation visits the engineers in the order of `[[members]]`, one turn each,
/// starting after the engineer of the last round-robin assignment. At each visit, an engineer
/// who already took this turn (an assignment by hand or by least-loaded, counted as a
/// credit) passes and the credit is used; one who cannot take the request (left, away,
/// lacking a skill) is skipped and loses the turn for good; the first other one gets the
/// request. Replaying the store's turn-taking assignments in order (turn, time, request ID)
/// through the same visits gives the state; a turn number already taken (two branches
/// merged) counts as taken ahead, like an assignment by hand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Rotation {
    /// Engineers in the order of presales.toml.
    pub order: Vec<String>,
    /// The engineer of the last round-robin turn: the rotation resumes after them.
    pub after: Option<String>,
    /// Turns taken ahead of the rotation and not yet passed: member → the requests.
    pub credits: BTreeMap<String, VecDeque<String>>,
    /// The highest turn number in the store.
    pub last_turn: u64,
}

impl Rotation {
    /// The rotation after the turn-taking assignments of `requests`.
    pub fn of(config: &Config, requests: &[Request]) -> Rotation {
        let order: Vec<String> = config
            .members
            .iter()
            .filter(|m| m.has_role(Role::Engineer))
            .map(|m| m.id.clone())
            .collect();
        Rotation::replay(order, &turns_taken(requests))
    }

    /// Replays `turns` (in rotation order) over engineers in `order`.
    pub fn replay(order: Vec<String>, turns: &[TurnTaken]) -> Rotation {
        let mut rot = Rotation {
            order,
            ..Rotation::default()
        };
        let mut numbers = BTreeSet::new();
        for t in turns {
            rot.last_turn = rot.last_turn.max(t.turn.unwrap_or(0));
            let first_of_its_number = t.turn.is_none_or(|n| numbers.insert(n));
            if t.by_rotation && first_of_its_number && rot.order.contains(&t.member) {
                rot.walk(|who| who == t.member);
                rot.after = Some(t.member.clone());
            } else {
                rot.credits
                    .entry(t.member.clone())
                    .or_default()
                    .push_back(t.request.clone());
            }
        }
        rot
    }

    /// Index in `order` of the first engineer the next visit reaches.
    fn start(&self) -> usize {
        self.after
            .as_deref()
            .and_then(|a| self.order.iter().position(|m| m == a))
            .map_or(0, |i| i + 1)
    }

    /// Visits the engineers from where the rotation stands, using credits, until `takes`
    /// accepts one (whose id is returned) or a whole round visits nobody with a credit and
    /// accepts nobody. `takes(member)` is asked about engineers without a credit. Returns the
    /// visits before the accepted one, as (member, the credit used), and the accepted one.
    fn walk(
        &mut self,
        mut takes: impl FnMut(&str) -> bool,
    ) -> (Vec<(String, Option<String>)>, Option<String>) {
        let n = self.order.len();
        let mut visits = Vec::new();
        if n == 0 {
            return (visits, None);
        }
        let mut i = self.start();
        let mut idle = 0;
        while idle < n {
            let who = self.order[i % n].clone();
            i += 1;
            if let Some(q) = self.credits.get_mut(&who).and_then(VecDeque::pop_front) {
                if self.credits.get(&who).is_some_and(VecDeque::is_empty) {
                    self.credits.remove(&who);
                }
                visits.push((who, Some(q)));
                idle = 0;
                continue;
            }
            if takes(&who) {
                return (visits, Some(who));
            }
            visits.push((who, None));
            idle += 1;
        }
        (visits, None)
    }

    /// The first engineer the rotation would give a request that needs no skill, on `today`,
    /// with the ones it passes on the way; `None` when nobody can take one.
    pub fn next(&self, config: &Config, today: NaiveDate) -> (Option<String>, Vec<Skip>) {
        let mut rot = self.clone();
        let (visits, chosen) = rot.walk(|who| {
            config
                .member(who)
                .is_some_and(|m| unfit(m, &[], today).is_none())
        });
        (chosen, skips(config, &[], today, visits))
    }
}

/// The recorded form of a walk's visits.
fn skips(
    config: &Config,
    skills: &[String],
    today: NaiveDate,
    visits: Vec<(String, Option<String>)>,
) -> Vec<Skip> {
    visits
        .into_iter()
        .map(|(member, credit)| match credit {
            Some(q) => Skip {
                reason: turn_taken_reason(&q),
                member,
                turn_taken_by: Some(q),
            },
            None => Skip {
                reason: config
                    .member(&member)
                    .and_then(|m| unfit(m, skills, today))
                    .map(|u| u.to_string())
                    .unwrap_or_else(|| "is not a team member".into()),
                member,
                turn_taken_by: None,
            },
        })
        .collect()
}

/// One engineer as the dispatcher saw them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    pub member: String,
    /// Open requests assigned to them now.
    pub load: usize,
    /// Why they cannot take this request; `None` when they can.
    pub skipped: Option<String>,
}

/// The dispatcher's answer: who, and the whole reasoning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub request: String,
    pub policy: Policy,
    pub chosen: Option<String>,
    /// The engineer of the last round-robin turn, where the rotation resumes.
    pub last_assigned: Option<String>,
    /// Engineers in rotation order, starting after `last_assigned`, each once.
    pub candidates: Vec<Candidate>,
    /// The engineers passed before the chosen one, in the order visited, with the reason:
    /// what the assignment records.
    pub skipped: Vec<Skip>,
    /// The turn number this assignment takes.
    pub turn: u64,
}

/// Chooses an engineer for `request` among the team's engineers.
pub fn choose(
    config: &Config,
    request: &Request,
    requests: &[Request],
    today: NaiveDate,
    policy: Policy,
) -> Decision {
    let rotation = Rotation::of(config, requests);
    let fit = |who: &str| {
        config
            .member(who)
            .is_some_and(|m| unfit(m, &request.skills, today).is_none())
    };
    let n = rotation.order.len();
    let start = rotation.start();
    let load = |who: &str| {
        requests
            .iter()
            .filter(|r| {
                r.id != request.id && r.stage != CLOSED && r.assignee.as_deref() == Some(who)
            })
            .count()
    };
    let candidates: Vec<Candidate> = (0..n)
        .map(|k| rotation.order[(start + k) % n].as_str())
        .map(|who| Candidate {
            member: who.to_string(),
            load: load(who),
            skipped: match rotation.credits.get(who).and_then(|c| c.front()) {
                Some(q) if policy == Policy::RoundRobin => Some(turn_taken_reason(q)),
                _ => config
                    .member(who)
                    .and_then(|m| skip_reason(m, request, today)),
            },
        })
        .collect();
    let (chosen, skipped) = match policy {
        Policy::RoundRobin => {
            let mut rot = rotation.clone();
            let (visits, chosen) = rot.walk(fit);
            (chosen, skips(config, &request.skills, today, visits))
        }
        Policy::LeastLoaded => {
            // min_by_key keeps the first minimum, so ties go to whoever is next in rotation.
            let chosen = candidates
                .iter()
                .filter(|c| fit(&c.member))
                .min_by_key(|c| c.load)
                .map(|c| c.member.clone());
            let visits = candidates
                .iter()
                .filter(|c| !fit(&c.member))
                .map(|c| (c.member.clone(), None))
                .collect();
            (chosen, skips(config, &request.skills, today, visits))
        }
    };
    Decision {
        request: request.id.clone(),
        policy,
        chosen,
        last_assigned: rotation.after.clone(),
        candidates,
        skipped,
        turn: rotation.last_turn + 1,
    }
}

/// What is wrong with a round-robin assignment's record, judged by `config` on `today`:
/// starting after `after`, the engineers visited must be exactly `skipped`, then `to`; each
/// skip's reason must hold (a turn taken ahead must name a request, which the caller checks),
/// and `to` must be able to take the request. `None` when it holds.
pub fn verify_round_robin(
    config: &Config,
    request: &Request,
    today: NaiveDate,
    after: Option<&str>,
    skipped: &[Skip],
    to: &str,
) -> Option<String> {
    let order: Vec<&str> = config
        .members
        .iter()
        .filter(|m| m.has_role(Role::Engineer))
        .map(|m| m.id.as_str())
        .collect();
    let n = order.len();
    if n == 0 {
        return Some("the team has no engineers".into());
    }
    let start = after
        .and_then(|a| order.iter().position(|m| *m == a))
        .map_or(0, |i| i + 1);
    for (k, s) in skipped.iter().enumerate() {
        let expected = order[(start + k) % n];
        if s.member != expected {
            return Some(format!(
                "the rotation after {} visits {expected} next, but the entry records {} as skipped there",
                after.unwrap_or("(the start)"),
                s.member
            ));
        }
        match &s.turn_taken_by {
            Some(q) => {
                if s.reason != turn_taken_reason(q) {
                    return Some(format!(
                        "{} is recorded as passed with `{}`; a turn taken ahead reads `{}`",
                        s.member,
                        s.reason,
                        turn_taken_reason(q)
                    ));
                }
            }
            None => {
                let actual = config
                    .member(&s.member)
                    .and_then(|m| skip_reason(m, request, today));
                if actual.as_deref() != Some(s.reason.as_str()) {
                    return Some(match actual {
                        None => format!(
                            "{} is recorded as skipped ({}), but could take it on {today}",
                            s.member, s.reason
                        ),
                        Some(a) => format!(
                            "{} is recorded as skipped ({}), but the reason on {today} is: {a}",
                            s.member, s.reason
                        ),
                    });
                }
            }
        }
    }
    let expected = order[(start + skipped.len()) % n];
    if expected != to {
        let why = config
            .member(expected)
            .and_then(|m| skip_reason(m, request, today));
        return Some(match why {
            None => format!(
                "the rotation reaches {expected} before {to}, and {expected} could take it: no reason is recorded for passing over them"
            ),
            Some(w) => format!(
                "the rotation reaches {expected} before {to} ({w}), but the entry does not record the skip"
            ),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Away, template};
    use crate::model::{HistoryEntry, Priority, Timestamp};

    fn t(s: &str) -> Timestamp {
        chrono::DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn request(id: &str, skills: &[&str]) -> Request {
        Request {
            id: id.into(),
            title: "t".into(),
            kind: "solution".into(),
            priority: Priority::P3,
            customer: "CUS-20261101-0000000".into(),
            opportunity: None,
            requested_by: None,
            created: t("2026-11-01T09:00:00+08:00"),
            due: None,
            stage: "registered".into(),
            assignee: None,
            skills: skills.iter().map(|s| s.to_string()).collect(),
            products: vec![],
            tags: vec![],
            description: None,
            assessment: None,
            solution: None,
            demos: vec![],
            planned_demos: Vec::new(),
            articles: vec![],
            effort: vec![],
            gaps: vec![],
            article_flags: vec![],
            outcome: None,
            technical_win: false,
            technical_win_evidence: None,
            loss_reason: None,
            competitor: None,
            resolution: None,
            summary: None,
            satisfaction: None,
            confidential: false,
            extra: Default::default(),
            history: vec![],
        }
    }

    /// Applies a decision the way `presales assign --auto` records it.
    fn record(req: &mut Request, who: &str, at: Timestamp) {
        req.assignee = Some(who.into());
        req.stage = "assigned".into();
        req.history.push(
            HistoryEntry::new(at, "zhang.wei", ASSIGN_ACTION)
                .to(who)
                .with(POLICY_KEY, "round-robin"),
        );
    }

    fn record_turn(req: &mut Request, who: &str, at: Timestamp, turn: u64) {
        req.assignee = Some(who.into());
        req.stage = "assigned".into();
        req.history.push(
            HistoryEntry::new(at, "zhang.wei", ASSIGN_ACTION)
                .to(who)
                .with(POLICY_KEY, "round-robin")
                .with(TURN_KEY, turn),
        );
    }

    fn team() -> Config {
        Config::parse(&template(true)).unwrap()
    }

    #[test]
    fn round_robin_rotates_fairly_among_available_engineers() {
        let config = team();
        let today = day("2026-11-27");
        let mut store: Vec<Request> = Vec::new();
        for i in 0..30 {
            let mut r = request(&format!("REQ-{i:02}"), &[]);
            let d = choose(&config, &r, &store, today, Policy::RoundRobin);
            let who = d.chosen.unwrap();
            let at = t("2026-11-27T09:00:00+08:00") + chrono::Duration::minutes(i);
            record(&mut r, &who, at);
            store.push(r);
        }
        for eng in ["li.na", "wang.fang", "liu.yang"] {
            let n = store
                .iter()
                .filter(|r| r.assignee.as_deref() == Some(eng))
                .count();
            assert_eq!(n, 10, "{eng} got {n} of 30");
        }
        // The rotation order is the team order.
        let first: Vec<_> = store[..3]
            .iter()
            .map(|r| r.assignee.clone().unwrap())
            .collect();
        assert_eq!(first, ["li.na", "wang.fang", "liu.yang"]);
    }

    #[test]
    fn assignments_in_the_same_second_rotate_by_turn() {
        let config = team();
        let at = t("2026-11-27T09:00:00+08:00");
        let mut store: Vec<Request> = Vec::new();
        for i in 0..9 {
            // Random IDs: their order must not matter.
            let mut r = request(&format!("REQ-{}", (i * 7919) % 13), &[]);
            let d = choose(&config, &r, &store, day("2026-11-27"), Policy::RoundRobin);
            assert_eq!(d.turn, i as u64 + 1);
            record_turn(&mut r, &d.chosen.unwrap(), at, d.turn);
            store.push(r);
        }
        let order: Vec<_> = store.iter().map(|r| r.assignee.clone().unwrap()).collect();
        assert_eq!(order[..3], order[3..6]);
        assert_eq!(order[3..6], order[6..9]);
    }

    #[test]
    fn away_engineers_are_skipped_with_the_reason() {
        let config = team();
        let r = request("REQ-1", &[]);
        let d = choose(&config, &r, &[], day("2026-12-15"), Policy::RoundRobin);
        let liu = d
            .candidates
            .iter()
            .find(|c| c.member == "liu.yang")
            .unwrap();
        assert_eq!(
            liu.skipped.as_deref(),
            Some("away 2026-12-14 to 2026-12-25 (annual leave)")
        );
        // Over many rounds liu.yang never gets one while away, the other two share equally.
        let mut store = Vec::new();
        for i in 0..10 {
            let mut r = request(&format!("REQ-{i:02}"), &[]);
            let who = choose(&config, &r, &store, day("2026-12-15"), Policy::RoundRobin)
                .chosen
                .unwrap();
            record(
                &mut r,
                &who,
                t("2026-12-15T09:00:00+08:00") + chrono::Duration::minutes(i),
            );
            store.push(r);
        }
        assert_eq!(
            store
                .iter()
                .filter(|r| r.assignee.as_deref() == Some("li.na"))
                .count(),
            5
        );
        assert_eq!(
            store
                .iter()
                .filter(|r| r.assignee.as_deref() == Some("wang.fang"))
                .count(),
            5
        );
    }

    #[test]
    fn skill_filter_skips_who_lacks_it() {
        let config = team();
        let r = request("REQ-1", &["database"]);
        let d = choose(&config, &r, &[], day("2026-11-27"), Policy::RoundRobin);
        assert_eq!(d.chosen.as_deref(), Some("wang.fang"));
        let li = d.candidates.iter().find(|c| c.member == "li.na").unwrap();
        assert_eq!(li.skipped.as_deref(), Some("lacks skill database"));
    }

    #[test]
    fn nobody_eligible_means_no_choice() {
        let config = team();
        let r = request("REQ-1", &["mainframe"]);
        let d = choose(&config, &r, &[], day("2026-11-27"), Policy::RoundRobin);
        assert_eq!(d.chosen, None);
        assert!(d.candidates.iter().all(|c| c.skipped.is_some()));
    }

    #[test]
    fn rotation_resumes_after_the_last_automatic_assignment_only() {
        let config = team();
        let mut a = request("REQ-A", &[]);
        record(&mut a, "li.na", t("2026-11-27T09:00:00+08:00"));
        // A manual assignment (no policy key) later does not move the pointer.
        let mut b = request("REQ-B", &[]);
        b.assignee = Some("liu.yang".into());
        b.history.push(
            HistoryEntry::new(t("2026-11-27T10:00:00+08:00"), "zhang.wei", ASSIGN_ACTION)
                .to("liu.yang"),
        );
        let store = vec![a, b];
        let d = choose(
            &config,
            &request("REQ-C", &[]),
            &store,
            day("2026-11-27"),
            Policy::RoundRobin,
        );
        assert_eq!(d.last_assigned.as_deref(), Some("li.na"));
        assert_eq!(d.chosen.as_deref(), Some("wang.fang"));
    }

    #[test]
    fn least_loaded_picks_the_lightest_and_breaks_ties_by_rotation() {
        let mut config = team();
        config.members.iter_mut().for_each(|m| m.away.clear());
        let mut store = Vec::new();
        for (i, who) in ["li.na", "li.na", "wang.fang"].iter().enumerate() {
            let mut r = request(&format!("REQ-{i}"), &[]);
            record(
                &mut r,
                who,
                t("2026-11-27T09:00:00+08:00") + chrono::Duration::minutes(i as i64),
            );
            store.push(r);
        }
        let d = choose(
            &config,
            &request("REQ-X", &[]),
            &store,
            day("2026-11-27"),
            Policy::LeastLoaded,
        );
        assert_eq!(d.chosen.as_deref(), Some("liu.yang"));
        // Closed requests do not count as load.
        for r in &mut store {
            r.stage = CLOSED.into();
        }
        let d = choose(
            &config,
            &request("REQ-X", &[]),
            &store,
            day("2026-11-27"),
            Policy::LeastLoaded,
        );
        assert!(d.candidates.iter().all(|c| c.load == 0));
        // All equal: the tie goes to the next in rotation after wang.fang, the last auto-assignee.
        assert_eq!(d.chosen.as_deref(), Some("liu.yang"));
    }

    #[test]
    fn a_turn_number_held_twice_after_a_merge_counts_once_then_as_taken_ahead() {
        let config = team();
        // Two branches each took turn 1 for li.na; a (09:00) first, b (10:00) second.
        let mut a = request("REQ-A", &[]);
        record_turn(&mut a, "li.na", t("2026-11-27T09:00:00+08:00"), 1);
        let mut b = request("REQ-B", &[]);
        record_turn(&mut b, "li.na", t("2026-11-27T10:00:00+08:00"), 1);
        let rot = Rotation::of(&config, &[b.clone(), a.clone()]);
        assert_eq!(rot.after.as_deref(), Some("li.na"));
        assert_eq!(rot.last_turn, 1);
        assert_eq!(
            rot.credits
                .get("li.na")
                .map(|c| c.iter().cloned().collect::<Vec<_>>()),
            Some(vec!["REQ-B".to_string()])
        );
        // li.na is passed once, with the request that took her turn as the reason.
        let mut store = vec![a, b];
        let mut got = Vec::new();
        for i in 0..4 {
            let mut r = request(&format!("REQ-{i}"), &[]);
            let d = choose(&config, &r, &store, day("2026-11-27"), Policy::RoundRobin);
            if i == 2 {
                assert_eq!(d.skipped[0].turn_taken_by.as_deref(), Some("REQ-B"));
                assert_eq!(d.skipped[0].reason, "had this turn already: REQ-B");
            }
            let who = d.chosen.unwrap();
            record_turn(&mut r, &who, t("2026-11-27T11:00:00+08:00"), d.turn);
            got.push(who);
            store.push(r);
        }
        assert_eq!(got, ["wang.fang", "liu.yang", "wang.fang", "liu.yang"]);
    }

    #[test]
    fn members_who_left_are_skipped() {
        let mut config = team();
        config
            .members
            .iter_mut()
            .find(|m| m.id == "li.na")
            .unwrap()
            .active = false;
        config
            .members
            .iter_mut()
            .find(|m| m.id == "liu.yang")
            .unwrap()
            .away = vec![Away {
            from: day("2026-01-01"),
            to: day("2026-01-02"),
            note: None,
        }];
        let d = choose(
            &config,
            &request("REQ-1", &[]),
            &[],
            day("2026-11-27"),
            Policy::RoundRobin,
        );
        assert_eq!(d.chosen.as_deref(), Some("wang.fang"));
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;
    use crate::config::{Away, template};
    use crate::model::HistoryEntry;

    fn t0() -> Timestamp {
        chrono::DateTime::parse_from_rfc3339("2026-11-27T09:00:00+08:00").unwrap()
    }

    fn request(id: String, skills: Vec<String>) -> Request {
        let mut r: Request = bare_request(&id);
        r.skills = skills;
        r
    }

    /// A bare request, built from its YAML form so the test does not list every field.
    fn bare_request(id: &str) -> Request {
        serde_json::from_value(serde_json::json!({
            "id": id,
            "title": "t",
            "type": "solution",
            "priority": "P3",
            "customer": "CUS-20261101-0000000",
            "created": "2026-11-01T09:00:00+08:00",
            "stage": "registered",
            "history": [],
        }))
        .unwrap()
    }

    /// Writes a decision into `req` the way `presales assign --auto` records it.
    fn record(req: &mut Request, d: &Decision, minute: i64) {
        let who = d.chosen.clone().unwrap();
        let mut e = HistoryEntry::new(
            t0() + chrono::Duration::minutes(minute),
            "zhang.wei",
            ASSIGN_ACTION,
        )
        .to(who.as_str())
        .with(POLICY_KEY, d.policy.as_str())
        .with(TURN_KEY, d.turn);
        if let Some(a) = &d.last_assigned {
            e = e.with("after", a.as_str());
        }
        if !d.skipped.is_empty() {
            e = e.with("skipped", serde_json::to_value(&d.skipped).unwrap());
        }
        req.assignee = Some(who);
        req.history.push(e);
    }

    /// An assignment by hand that takes a turn.
    fn record_manual(req: &mut Request, who: &str, turn: u64, minute: i64) {
        req.assignee = Some(who.into());
        req.history.push(
            HistoryEntry::new(
                t0() + chrono::Duration::minutes(minute),
                "zhang.wei",
                ASSIGN_ACTION,
            )
            .to(who)
            .with(TURN_KEY, turn),
        );
    }

    fn engineers(n: usize) -> Config {
        let mut config = Config::parse(&template(true)).unwrap();
        let base = config
            .members
            .iter()
            .find(|m| m.id == "li.na")
            .unwrap()
            .clone();
        config.members.retain(|m| !m.has_role(Role::Engineer));
        for i in 0..n {
            let mut m = base.clone();
            m.id = format!("eng{i}");
            m.email = None;
            m.away.clear();
            m.skills = vec!["network".into(), "cloud".into()];
            config.members.push(m);
        }
        config
    }

    fn count(store: &[Request], who: &str) -> usize {
        store
            .iter()
            .filter(|r| r.assignee.as_deref() == Some(who))
            .count()
    }

    /// An operation: `None` = `assign --auto`, `Some(k)` = `assign --to` engineer k.
    fn ops() -> impl Strategy<Value = Vec<Option<usize>>> {
        proptest::collection::vec(proptest::option::weighted(0.25, 0usize..8), 0..60)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// 依次轮流、机会均等: with nobody skipped, after any number of automatic assignments
        /// the counts differ by at most one.
        #[test]
        fn without_skips_counts_differ_by_at_most_one(n in 1usize..7, k in 0usize..60) {
            let config = engineers(n);
            let today = t0().date_naive();
            let mut store: Vec<Request> = Vec::new();
            for i in 0..k {
                let mut r = request(format!("REQ-{i:03}"), vec![]);
                let d = choose(&config, &r, &store, today, Policy::RoundRobin);
                prop_assert!(d.skipped.is_empty(), "{:?}", d.skipped);
                record(&mut r, &d, i as i64);
                store.push(r);
                let c: Vec<usize> = (0..n).map(|e| count(&store, &format!("eng{e}"))).collect();
                let (lo, hi) = (c.iter().min().unwrap(), c.iter().max().unwrap());
                prop_assert!(hi - lo <= 1, "{c:?}");
            }
        }

        /// Assignments by hand take a turn: counting the turns taken ahead and not yet
        /// passed, the rotation stays even whatever mix of manual and automatic ones.
        #[test]
        fn manual_assignments_take_a_turn(n in 1usize..6, ops in ops()) {
            let config = engineers(n);
            let today = t0().date_naive();
            let mut store: Vec<Request> = Vec::new();
            for (i, op) in ops.iter().enumerate() {
                let mut r = request(format!("REQ-{i:03}"), vec![]);
                match op {
                    None => {
                        let d = choose(&config, &r, &store, today, Policy::RoundRobin);
                        record(&mut r, &d, i as i64);
                    }
                    Some(k) => {
                        let turn = Rotation::of(&config, &store).last_turn + 1;
                        record_manual(&mut r, &format!("eng{}", k % n), turn, i as i64);
                    }
                }
                store.push(r);
                let rot = Rotation::of(&config, &store);
                let owed: Vec<usize> = (0..n)
                    .map(|e| {
                        let id = format!("eng{e}");
                        count(&store, &id) - rot.credits.get(&id).map_or(0, |c| c.len())
                    })
                    .collect();
                let (lo, hi) = (owed.iter().min().unwrap(), owed.iter().max().unwrap());
                prop_assert!(hi - lo <= 1, "{owed:?} after {ops:?}");
            }
        }

        /// With people away, gone, or lacking a skill, every engineer the rotation passes is
        /// recorded with a reason that holds, and the record replays (`check --base`).
        #[test]
        fn every_skip_is_explained_by_a_recorded_reason(
            n in 1usize..6,
            away in proptest::collection::vec(any::<bool>(), 6),
            left in proptest::collection::vec(any::<bool>(), 6),
            lacks in proptest::collection::vec(any::<bool>(), 6),
            ops in proptest::collection::vec((any::<bool>(), proptest::option::weighted(0.2, 0usize..8)), 0..40),
        ) {
            let mut config = engineers(n);
            let today = t0().date_naive();
            for (i, m) in config.members.iter_mut().filter(|m| m.has_role(Role::Engineer)).enumerate() {
                if away[i] {
                    m.away = vec![Away { from: today, to: today, note: Some("leave".into()) }];
                }
                m.active = !left[i];
                if lacks[i] {
                    m.skills = vec!["network".into()];
                }
            }
            let mut store: Vec<Request> = Vec::new();
            for (i, (needs_cloud, manual)) in ops.iter().enumerate() {
                let skills = if *needs_cloud { vec!["cloud".to_string()] } else { vec![] };
                let mut r = request(format!("REQ-{i:03}"), skills);
                if let Some(k) = manual {
                    let turn = Rotation::of(&config, &store).last_turn + 1;
                    record_manual(&mut r, &format!("eng{}", k % n), turn, i as i64);
                    store.push(r);
                    continue;
                }
                let d = choose(&config, &r, &store, today, Policy::RoundRobin);
                let Some(who) = d.chosen.clone() else {
                    // Nobody: every engineer has a reason.
                    prop_assert!(d.candidates.iter().all(|c| c.skipped.is_some()));
                    continue;
                };
                for s in &d.skipped {
                    prop_assert!(!s.reason.is_empty());
                    if let Some(q) = &s.turn_taken_by {
                        prop_assert!(store.iter().any(|x| x.id == *q && x.assignee.as_deref() == Some(s.member.as_str())));
                    }
                }
                prop_assert_eq!(
                    verify_round_robin(&config, &r, today, d.last_assigned.as_deref(), &d.skipped, &who),
                    None
                );
                record(&mut r, &d, i as i64);
                store.push(r);
                let after = Rotation::of(&config, &store).after;
                prop_assert_eq!(after.as_deref(), Some(who.as_str()));
            }
        }
    }
}
