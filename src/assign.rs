//! Dispatch policies (派工原则): who gets a request, and why the others were skipped. Pure.
//!
//! The choice is a function of the store alone: the round-robin pointer is the last
//! automatic assignment found in request histories, so there is no counter file to conflict
//! in pull requests, and two people computing it on the same commit agree.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::Serialize;

use crate::config::{Config, Member, Role};
use crate::model::Request;
use crate::workflow::CLOSED;

/// The history action an assignment writes, and the key that marks an automatic one.
pub const ASSIGN_ACTION: &str = "assign";
pub const POLICY_KEY: &str = "policy";
/// Position of an automatic assignment in the rotation: one more than the highest found in
/// the store. It orders assignments made within the same second (scripts, fixed clocks);
/// after a merge two branches may share a turn, and the time decides.
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
    /// The engineer who took the last automatic assignment, where the rotation resumes.
    pub last_assigned: Option<String>,
    /// Engineers in rotation order, starting after `last_assigned`.
    pub candidates: Vec<Candidate>,
    /// The rotation turn this assignment takes.
    pub turn: u64,
}

/// Why `member` cannot take `request` on `today`, or `None` if they can.
pub fn skip_reason(member: &Member, request: &Request, today: NaiveDate) -> Option<String> {
    if !member.active {
        return Some("has left the team".into());
    }
    if !member.has_role(Role::Engineer) {
        return Some("is not an engineer".into());
    }
    if let Some(away) = member.away_on(today) {
        let note = away
            .note
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        return Some(format!("away {} to {}{note}", away.from, away.to));
    }
    let lacking: Vec<&str> = request
        .skills
        .iter()
        .filter(|s| !member.has_skill(s))
        .map(String::as_str)
        .collect();
    if !lacking.is_empty() {
        return Some(format!("lacks skill {}", lacking.join(", ")));
    }
    None
}

/// The most recent automatic assignment in `requests`: its turn and engineer.
pub fn last_auto_assignment(requests: &[Request]) -> Option<(u64, String)> {
    requests
        .iter()
        .flat_map(|r| {
            r.history
                .iter()
                .filter(|h| h.action == ASSIGN_ACTION && h.extra.contains_key(POLICY_KEY))
                .map(move |h| {
                    let turn = h.extra.get(TURN_KEY).and_then(|t| t.as_u64()).unwrap_or(0);
                    (turn, h.at, r.id.as_str(), h.to.as_deref())
                })
        })
        .max_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)))
        .and_then(|(turn, _, _, to)| to.map(|t| (turn, t.to_string())))
}

/// Chooses an engineer for `request` among the team's engineers.
pub fn choose(
    config: &Config,
    request: &Request,
    requests: &[Request],
    today: NaiveDate,
    policy: Policy,
) -> Decision {
    let engineers: Vec<&Member> = config
        .members
        .iter()
        .filter(|m| m.has_role(Role::Engineer))
        .collect();
    let last_auto = last_auto_assignment(requests);
    let turn = last_auto.as_ref().map_or(1, |(t, _)| t + 1);
    let last = last_auto.map(|(_, who)| who);
    let start = last
        .as_deref()
        .and_then(|l| engineers.iter().position(|m| m.id == l))
        .map_or(0, |i| i + 1);
    let n = engineers.len();
    let candidates: Vec<Candidate> = (0..n)
        .map(|k| engineers[(start + k) % n])
        .map(|m| Candidate {
            member: m.id.clone(),
            load: requests
                .iter()
                .filter(|r| {
                    r.id != request.id
                        && r.stage != CLOSED
                        && r.assignee.as_deref() == Some(m.id.as_str())
                })
                .count(),
            skipped: skip_reason(m, request, today),
        })
        .collect();
    let eligible = candidates.iter().filter(|c| c.skipped.is_none());
    let chosen = match policy {
        Policy::RoundRobin => eligible.map(|c| c.member.clone()).next(),
        // min_by_key keeps the first minimum, so ties go to whoever is next in rotation.
        Policy::LeastLoaded => eligible.min_by_key(|c| c.load).map(|c| c.member.clone()),
    };
    Decision {
        request: request.id.clone(),
        policy,
        chosen,
        last_assigned: last,
        candidates,
        turn,
    }
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
        record_turn(req, who, at, 0);
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
