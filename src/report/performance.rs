//! Performance per engineer and period (绩效考核): requests handled, resolution rate,
//! conversion, satisfaction, SLA attainment and response time.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::sla::Attainment;
use super::stats::{Average, Rate, hours, median};
use super::{Anomaly, Dataset, Header, Item, SCHEMA_VERSION, valid_satisfaction};
use crate::config::Role;
use crate::model::Outcome;

#[derive(Debug, Clone, Serialize)]
pub struct PerformanceReport {
    pub schema_version: u32,
    pub report: &'static str,
    #[serde(flatten)]
    pub header: Header,
    pub members: Vec<MemberPerformance>,
    /// The whole team (every request, whoever handled it).
    pub team: MemberPerformance,
    pub anomalies: Vec<Anomaly>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberPerformance {
    pub member: String,
    pub name: Option<String>,
    /// `active`, `former`, `unknown` or `team`.
    pub status: &'static str,
    /// Requests the member worked on in the period while assignee: assigned at some moment
    /// of it and wrote an entry other than an assignment (a member reassigned away before
    /// touching it did not handle it). For the team: every request open at some moment of
    /// the period, assigned or not.
    pub handled: usize,
    /// Of those, open at the as-of instant.
    pub open: usize,
    /// Closed in the period, with the member as assignee at the close.
    pub closed: usize,
    /// Resolved ÷ handled; resolved = closed in the period with an outcome other than cancelled.
    pub resolution_rate: Rate,
    pub won: usize,
    pub lost: usize,
    /// Won ÷ (won + lost) (销售转化率).
    pub conversion: Rate,
    /// Technical wins ÷ (won + lost).
    pub technical_win_rate: Rate,
    pub satisfaction: Average,
    pub first_response: Attainment,
    pub resolution: Attainment,
    /// Median time to first response of the responses the member gave in the period.
    pub median_first_response_hours: Option<f64>,
    /// Median time to resolution of the requests the member closed in the period.
    pub median_resolution_hours: Option<f64>,
}

/// `None` for the whole team, `Some(id)` for one member. `items` holds every request the
/// figures can count: all of them for the team; for a member, at least those with a spell
/// of theirs (whoever a request's figures are credited to — its assignee at some instant,
/// the responder, who was the assignee then — has a spell on it).
fn figures(data: &Dataset, who: Option<&str>, items: &[&Item]) -> MemberPerformance {
    let w = data.window();
    let is = |m: Option<&str>| who.is_none() || (m.is_some() && m == who);
    // Work is any entry of the member's but the assignment itself (and the move out of
    // `registered` an assignment makes): a self-assignment is not work yet.
    let worked = |i: &Item, m: &str| {
        i.steps.iter().any(|e| {
            let assignment = matches!(e.action.as_str(), "assign" | "create")
                || (e.action == "advance"
                    && e.from.is_some_and(|f| f == crate::workflow::FIRST_STAGE));
            e.by == m && w.contains(e.at) && e.at <= w.as_of && !assignment
        })
    };
    let handled: Vec<&Item> = items
        .iter()
        .copied()
        .filter(|i| match who {
            None => w.overlaps(i.tl.created, i.tl.closed),
            Some(m) => {
                i.tl.spells
                    .iter()
                    .any(|s| s.member == m && w.overlaps(s.from, s.to))
                    && worked(i, m)
            }
        })
        .collect();
    // A closed request belongs to whoever was its assignee when it closed.
    let closed: Vec<&Item> = items
        .iter()
        .copied()
        .filter(|i| data.closed_in(i))
        .filter(|i| is(i.tl.closed.and_then(|t| i.tl.assignee_at(t))))
        .collect();
    let handled_ids: std::collections::HashSet<&str> = handled.iter().map(|h| h.id()).collect();
    let resolved = closed
        .iter()
        .filter(|i| i.tl.outcome.is_some_and(|o| o != Outcome::Cancelled))
        .filter(|i| handled_ids.contains(i.id()))
        .count();
    // Deal decisions only: a consultation or demo closed as won is not a converted deal.
    let deals: Vec<&&Item> = closed.iter().filter(|i| data.decides(i)).collect();
    let count = |o| deals.iter().filter(|i| i.tl.outcome == Some(o)).count();
    let (won, lost) = (count(Outcome::Won), count(Outcome::Lost));
    let tech = deals
        .iter()
        .filter(|i| {
            matches!(i.tl.outcome, Some(Outcome::Won | Outcome::Lost)) && i.req.technical_win
        })
        .count();
    let sats: Vec<f64> = closed
        .iter()
        .filter_map(|i| valid_satisfaction(i.req.satisfaction))
        .collect();
    let contains = |t| w.contains(t);
    // A cycle belongs to the assignee when it stopped, or now while it runs.
    let owned = |i: &Item, stopped: Option<_>| -> bool {
        who.is_none() || is(i.tl.assignee_at(stopped.unwrap_or(w.as_of)))
    };
    let fr_cycles = items
        .iter()
        .filter(|i| owned(i, i.first_response.stopped))
        .map(|i| &i.first_response);
    let res_cycles = items
        .iter()
        .filter(|i| owned(i, i.resolution.stopped))
        .map(|i| &i.resolution);
    let responses: Vec<i64> = items
        .iter()
        .filter_map(|i| {
            let (at, by) = i.tl.first_response.as_ref()?;
            (w.contains(*at) && is(Some(by.as_str()))).then_some(i.first_response.elapsed_secs)
        })
        .collect();
    let resolutions: Vec<i64> = closed.iter().map(|i| i.resolution.elapsed_secs).collect();
    let member = who.map(|m| data.member(m));
    MemberPerformance {
        member: who.unwrap_or("team").to_string(),
        name: member.flatten().map(|m| m.name.clone()),
        status: match member {
            None => "team",
            Some(None) => "unknown",
            Some(Some(m)) if !m.active => "former",
            Some(Some(_)) => "active",
        },
        handled: handled.len(),
        open: handled.iter().filter(|i| i.tl.is_open()).count(),
        closed: closed.len(),
        resolution_rate: Rate::new(resolved, handled.len()),
        won,
        lost,
        conversion: Rate::new(won, won + lost),
        technical_win_rate: Rate::new(tech, won + lost),
        satisfaction: Average::of(&sats),
        first_response: Attainment::of(fr_cycles, contains),
        resolution: Attainment::of(res_cycles, contains),
        median_first_response_hours: median(&responses).map(hours),
        median_resolution_hours: median(&resolutions).map(hours),
    }
}

/// Every engineer of the team plus anyone who handled a request in the period; or only
/// `member` when given.
pub fn build(data: &Dataset, member: Option<&str>) -> PerformanceReport {
    let w = data.window();
    let members: BTreeSet<String> = match member {
        Some(m) => BTreeSet::from([m.to_string()]),
        None => {
            let mut set: BTreeSet<String> = data
                .input
                .config
                .members
                .iter()
                .filter(|m| m.active && m.has_role(Role::Engineer))
                .map(|m| m.id.clone())
                .collect();
            for i in &data.items {
                set.extend(
                    i.tl.spells
                        .iter()
                        .filter(|s| w.overlaps(s.from, s.to))
                        .map(|s| s.member.to_string()),
                );
            }
            set
        }
    };
    // Each member's figures read only the requests with a spell of theirs: one pass over
    // the requests, not one per member.
    let mut theirs: HashMap<&str, Vec<&Item>> = HashMap::new();
    for i in &data.items {
        let mut seen: Vec<&str> = Vec::new();
        for s in &i.tl.spells {
            if members.contains(s.member.as_str()) && !seen.contains(&s.member.as_str()) {
                seen.push(&s.member);
                theirs.entry(&s.member).or_default().push(i);
            }
        }
    }
    let all: Vec<&Item> = data.items.iter().collect();
    PerformanceReport {
        schema_version: SCHEMA_VERSION,
        report: "performance",
        header: data.header(),
        members: members
            .iter()
            .map(|m| figures(data, Some(m), theirs.get(m.as_str()).map_or(&[], |v| v)))
            .collect(),
        team: figures(data, None, &all),
        anomalies: data.anomalies(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Priority;
    use crate::report::testkit::*;

    #[test]
    fn per_engineer_by_hand() {
        let mut config = config();
        if let Some(m) = config.members.iter_mut().find(|m| m.id == "liu.yang") {
            m.active = false;
        }
        let stages = stages();
        let reqs = vec![
            // li.na: answered in 2 h, won with satisfaction 5.
            req("A000001", "consultation", Priority::P2, "23T09:00")
                .assign("23T09:00", "li.na")
                .act("23T11:00", "li.na", "assess")
                .with(|r| r.satisfaction = Some(5))
                .close("24T09:00", "li.na", Outcome::Won)
                .done(),
            // Reassigned from li.na to liu.yang (who has since left), lost.
            req("A000002", "solution", Priority::P3, "23T09:00")
                .assign("23T09:00", "li.na")
                .assign("24T09:00", "liu.yang")
                .act("24T10:00", "liu.yang", "assess")
                .with(|r| r.technical_win = true)
                .close("26T09:00", "liu.yang", Outcome::Lost)
                .done(),
            // li.na, cancelled by sales before she did anything: not handled by her.
            req("A000003", "demo", Priority::P3, "23T09:00")
                .assign("23T09:00", "li.na")
                .close("23T12:00", "zhao.lei", Outcome::Cancelled)
                .done(),
            // Unassigned, still open: only in the team's figures.
            req("A000004", "demo", Priority::P1, "27T09:00").done(),
            // wang.fang assigned it to herself (with the move an assignment makes) and has
            // done nothing since: not handled.
            req("A000005", "demo", Priority::P3, "24T09:00")
                .with(|r| {
                    r.history.push(
                        crate::model::HistoryEntry::new(t("24T09:05"), "wang.fang", "assign")
                            .to("wang.fang"),
                    );
                    r.history.push(
                        crate::model::HistoryEntry::new(t("24T09:05"), "wang.fang", "advance")
                            .from_to("registered", "assigned"),
                    );
                    r.assignee = Some("wang.fang".into());
                    r.stage = "assigned".into();
                })
                .done(),
        ];
        let input = input(&config, None, &stages, &reqs, &[], &[], week48("27T18:00"));
        let data = Dataset::new(&input);
        let r = build(&data, None);
        let ids: Vec<_> = r
            .members
            .iter()
            .map(|m| (m.member.as_str(), m.status))
            .collect();
        assert_eq!(
            ids,
            [
                ("li.na", "active"),
                ("liu.yang", "former"),
                ("wang.fang", "active")
            ]
        );
        let lina = &r.members[0];
        // Handled means worked on: A1 only. A2 was reassigned away and A3 cancelled before
        // she wrote anything. A1 is a consultation: closed as won, but not a deal decision
        // ([deals] types), so it counts neither as won nor in the conversion rate. Closed
        // counts what was closed while she was assignee (A1, A3).
        assert_eq!(
            (lina.handled, lina.closed, lina.won, lina.lost),
            (1, 2, 0, 0)
        );
        assert_eq!(
            (
                lina.resolution_rate.numerator,
                lina.resolution_rate.denominator
            ),
            (1, 1)
        );
        assert_eq!(lina.conversion.pct, None);
        assert_eq!(lina.satisfaction.mean, Some(5.0));
        assert_eq!(lina.median_first_response_hours, Some(2.0));
        // First response: A1 met (2 h of 8); A3 stopped by the close after 3 h (met, its
        // owner at the stop was li.na).
        assert_eq!(
            (lina.first_response.met, lina.first_response.breached),
            (2, 0)
        );
        let liu = &r.members[1];
        assert_eq!(
            (liu.handled, liu.resolution_rate.pct, liu.conversion.pct),
            (1, Some(100.0), Some(0.0))
        );
        assert_eq!(liu.technical_win_rate.pct, Some(100.0));
        let fang = &r.members[2];
        assert_eq!(
            (
                fang.handled,
                fang.resolution_rate.pct,
                fang.satisfaction.mean
            ),
            (0, None, None)
        );
        // Team: every request open in the period, A4 (never assigned) and A5 too; 2
        // resolved (A3 was cancelled); A4's first response (P1, 2 h) is 9 h old: an
        // ongoing breach.
        assert_eq!(
            (
                r.team.handled,
                r.team.resolution_rate.numerator,
                r.team.resolution_rate.denominator
            ),
            (5, 2, 5)
        );
        // A5's self-assignment is no response either: two ongoing breaches.
        assert_eq!(r.team.first_response.ongoing_breached, 2);
        // One deal decided (A2, lost); A1's "won" consultation is not a deal.
        assert_eq!(r.team.conversion.pct, Some(0.0));

        // A cancelled request resolved nothing: its resolution clock is neither met nor
        // breached, so attainment counts A1 and A2 only.
        let a3 = data
            .items
            .iter()
            .find(|i| i.id().ends_with("A000003"))
            .unwrap();
        assert_eq!(a3.resolution.status, crate::report::sla::Status::NotCounted);
        assert_eq!(r.team.resolution.met + r.team.resolution.breached, 2);

        let one = build(&data, Some("liu.yang"));
        assert_eq!(one.members.len(), 1);
        assert_eq!(one.members[0].status, "former");
    }
}
