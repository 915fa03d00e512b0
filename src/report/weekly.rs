//! The weekly report: intake, work in progress, closures and rates, SLA attainment, cycle
//! time per stage, workload per engineer, KB activity and what needs attention.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::kb::{self, KbActivity};
use super::sla::{Attainment, Metric, Status};
use super::stats::{Average, Rate, hours, median, p90};
use super::{Anomaly, Count, Dataset, Header, Item, SCHEMA_VERSION, valid_satisfaction};
use crate::config::Role;
use crate::model::{Outcome, Priority, Timestamp};
use crate::workflow::CLOSED;

/// How many of the oldest open requests "needs attention" lists.
pub const OLDEST: usize = 3;
/// How many articles "most used" lists.
pub const MOST_USED: usize = 5;

#[derive(Debug, Clone, Serialize)]
pub struct Weekly {
    pub schema_version: u32,
    pub report: &'static str,
    #[serde(flatten)]
    pub header: Header,
    pub summary: Summary,
    pub intake: Intake,
    pub wip: Wip,
    pub closed: Closed,
    pub sla: SlaSection,
    pub cycle_time: Vec<StageCycle>,
    pub workload: Vec<Workload>,
    pub kb: KbActivity,
    /// Customer complaints (客户投诉), counted apart from the deals.
    pub complaints: Complaints,
    pub attention: Vec<Attention>,
    pub anomalies: Vec<Anomaly>,
}

/// Complaints: requests of a type whose path ends `resolved` or `rejected`.
#[derive(Debug, Clone, Serialize)]
pub struct Complaints {
    /// Registered in the period.
    pub new: usize,
    /// Closed in the period, by outcome.
    pub resolved: usize,
    pub rejected: usize,
    pub cancelled: usize,
    /// Open at the as-of instant, oldest first.
    pub open: Vec<OpenComplaint>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OpenComplaint {
    pub request: String,
    pub title: String,
    pub customer: String,
    pub priority: Priority,
    pub stage: String,
    pub assignee: Option<String>,
    pub created: Timestamp,
}

/// The headline numbers.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub intake: usize,
    pub closed: usize,
    pub won: usize,
    pub lost: usize,
    pub open: usize,
    pub first_response_attainment_pct: Option<f64>,
    pub resolution_attainment_pct: Option<f64>,
    /// Cycles breached in the period or still running breached.
    pub breached: usize,
    pub at_risk: usize,
    pub unassigned: usize,
    pub anomalies: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Intake {
    pub total: usize,
    pub by_type: Vec<Count>,
    pub by_priority: Vec<Count>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Wip {
    pub total: usize,
    pub stages: Vec<StageWip>,
}

/// Open requests in one stage and how long they have been there.
#[derive(Debug, Clone, Serialize)]
pub struct StageWip {
    pub stage: String,
    pub count: usize,
    pub avg_age_hours: Option<f64>,
    pub max_age_hours: Option<f64>,
    /// The request longest in the stage.
    pub oldest: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Closed {
    pub total: usize,
    pub by_outcome: Vec<Count>,
    pub win_rate: Rate,
    pub technical_win_rate: Rate,
    pub resolution_rate: Rate,
    pub satisfaction: Average,
    pub requests: Vec<ClosedItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClosedItem {
    pub id: String,
    pub title: String,
    pub customer: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub closed: Timestamp,
    pub outcome: Option<Outcome>,
    pub technical_win: bool,
    pub satisfaction: Option<u8>,
    pub assignee: Option<String>,
    pub resolution_hours: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SlaSection {
    pub first_response: Attainment,
    pub resolution: Attainment,
    pub breaches: Vec<Breach>,
}

/// A cycle that breached in the period, or is still running breached.
#[derive(Debug, Clone, Serialize)]
pub struct Breach {
    pub request: String,
    pub title: String,
    pub priority: Priority,
    pub metric: Metric,
    pub limit_hours: Option<f64>,
    pub elapsed_hours: f64,
    pub running: bool,
    pub assignee: Option<String>,
}

/// Time spent in a stage by the visits that ended in the period.
#[derive(Debug, Clone, Serialize)]
pub struct StageCycle {
    pub stage: String,
    pub count: usize,
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Workload {
    pub member: String,
    pub name: Option<String>,
    /// `active`, `former` (left the team) or `unknown` (not in presales.toml).
    pub status: &'static str,
    /// Open requests assigned to the member at the as-of instant.
    pub open: usize,
    /// Assignments to the member made in the period.
    pub assigned: usize,
    /// Requests closed in the period with the member as assignee.
    pub closed: usize,
    /// Open requests past their due date.
    pub overdue: usize,
    /// Away at the as-of day.
    pub away: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Breached,
    AtRisk,
    Unassigned,
    OldestInStage,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Breached => "breached",
            Reason::AtRisk => "at_risk",
            Reason::Unassigned => "unassigned",
            Reason::OldestInStage => "oldest_in_stage",
        }
    }
}

/// An open request that needs someone to act.
#[derive(Debug, Clone, Serialize)]
pub struct Attention {
    pub reason: Reason,
    pub request: String,
    pub title: String,
    pub priority: Priority,
    pub stage: String,
    pub assignee: Option<String>,
    /// For SLA reasons, the cycle concerned.
    pub metric: Option<Metric>,
    /// SLA reasons: elapsed against the limit; unassigned: age; oldest: time in stage.
    pub hours: f64,
    pub limit_hours: Option<f64>,
}

pub fn build(data: &Dataset) -> Weekly {
    build_as(data, true)
}

/// [`build`] for a reader of the numbers alone (the dashboard's trend): the same summary
/// and the same figures of intake, work in progress, closes, SLA attainment, cycle time
/// and workload, but none of the lists (breaches, requests needing attention, closed
/// requests, open complaints), and neither the knowledge base's activity nor the
/// anomalies, which take a pass over every request and article each.
pub fn numbers(data: &Dataset) -> Weekly {
    build_as(data, false)
}

fn build_as(data: &Dataset, lists: bool) -> Weekly {
    let w = data.window();
    let intake: Vec<&Item> = data
        .items
        .iter()
        .filter(|i| w.contains(i.tl.created))
        .collect();
    let closed: Vec<&Item> = data.closed_in_period().collect();
    let open: Vec<&Item> = data.open().collect();

    let (sla, breached) = sla_section(data, lists);
    let (attention, at_risk, unassigned) = attention(data, lists);
    let (kb, anomalies) = if lists {
        (kb::activity(data, MOST_USED), data.anomalies())
    } else {
        (kb::KbActivity::default(), Vec::new())
    };
    let closed_section = closed_section(data, &closed);
    let complaints = complaints(data, &intake, &closed, &open);
    let summary = Summary {
        intake: intake.len(),
        closed: closed.len(),
        won: outcome_count(&closed, Outcome::Won),
        lost: outcome_count(&closed, Outcome::Lost),
        open: open.len(),
        first_response_attainment_pct: sla.first_response.attainment.pct,
        resolution_attainment_pct: sla.resolution.attainment.pct,
        breached,
        at_risk,
        unassigned,
        anomalies: anomalies.len(),
    };
    let mut weekly = Weekly {
        schema_version: SCHEMA_VERSION,
        report: "weekly",
        header: data.header(),
        summary,
        intake: intake_section(data, &intake),
        wip: wip(data, &open),
        closed: closed_section,
        sla,
        cycle_time: cycle_time(data),
        workload: workload(data),
        kb,
        complaints,
        attention,
        anomalies,
    };
    if !lists {
        weekly.drop_lists();
    }
    weekly
}

impl Weekly {
    /// The report without its lists — breaches, closed requests, open complaints,
    /// requests needing attention, the knowledge base's activity, anomalies — for a reader
    /// of the numbers alone; the summary still counts what they held.
    pub fn drop_lists(&mut self) {
        self.sla.breaches = Vec::new();
        self.closed.requests = Vec::new();
        self.complaints.open = Vec::new();
        self.attention = Vec::new();
        self.kb = kb::KbActivity::default();
        self.anomalies = Vec::new();
    }
}

fn complaints(data: &Dataset, intake: &[&Item], closed: &[&Item], open: &[&Item]) -> Complaints {
    let is = |i: &&&Item| data.input.config.is_complaint(&i.req.kind);
    let closed: Vec<&Item> = closed.iter().filter(is).copied().collect();
    let mut open: Vec<OpenComplaint> = open
        .iter()
        .filter(is)
        .map(|i| OpenComplaint {
            request: i.id().to_string(),
            title: i.title.to_string(),
            customer: i.customer.to_string(),
            priority: i.req.priority,
            stage: i.tl.stage().to_string(),
            assignee: i.req.assignee.clone(),
            created: i.tl.created,
        })
        .collect();
    open.sort_by(|a, b| {
        a.created
            .cmp(&b.created)
            .then_with(|| a.request.cmp(&b.request))
    });
    Complaints {
        new: intake.iter().filter(is).count(),
        resolved: outcome_count(&closed, Outcome::Resolved),
        rejected: outcome_count(&closed, Outcome::Rejected),
        cancelled: outcome_count(&closed, Outcome::Cancelled),
        open,
    }
}

fn outcome_count(items: &[&Item], o: Outcome) -> usize {
    items.iter().filter(|i| i.tl.outcome == Some(o)).count()
}

fn intake_section(data: &Dataset, intake: &[&Item]) -> Intake {
    let mut types: BTreeMap<String, usize> = data
        .input
        .config
        .workflow
        .types
        .keys()
        .map(|k| (k.clone(), 0))
        .collect();
    for i in intake {
        *types.entry(i.req.kind.clone()).or_default() += 1;
    }
    Intake {
        total: intake.len(),
        by_type: types
            .into_iter()
            .map(|(key, count)| Count { key, count })
            .collect(),
        by_priority: Priority::ALL
            .iter()
            .map(|p| Count {
                key: p.to_string(),
                count: intake.iter().filter(|i| i.req.priority == *p).count(),
            })
            .collect(),
    }
}

/// Stages in workflow order, then any unknown stage the data holds, by name.
fn stage_order<'a>(data: &Dataset, seen: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut order: Vec<String> = data.input.stages.to_vec();
    let extra: BTreeSet<&str> = seen.filter(|s| !order.iter().any(|o| o == s)).collect();
    order.extend(extra.into_iter().map(String::from));
    order
}

fn wip(data: &Dataset, open: &[&Item]) -> Wip {
    let as_of = data.window().as_of;
    let order = stage_order(data, open.iter().map(|i| i.tl.stage()));
    let stages = order
        .into_iter()
        .filter(|s| s != CLOSED)
        .map(|stage| {
            let mut ages: Vec<(i64, &str)> = open
                .iter()
                .filter(|i| i.tl.stage() == stage)
                .map(|i| (data.secs(i.tl.entered(), as_of), i.id()))
                .collect();
            // Oldest first; ties by ID.
            ages.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
            let n = ages.len() as i64;
            StageWip {
                count: ages.len(),
                avg_age_hours: (n > 0).then(|| hours(ages.iter().map(|a| a.0).sum::<i64>() / n)),
                max_age_hours: ages.first().map(|a| hours(a.0)),
                oldest: ages.first().map(|a| a.1.to_string()),
                stage,
            }
        })
        .collect();
    Wip {
        total: open.len(),
        stages,
    }
}

fn closed_section(data: &Dataset, closed: &[&Item]) -> Closed {
    // Rates over deal decisions only: a consultation "won" is not a deal.
    let deals: Vec<&Item> = closed.iter().copied().filter(|i| data.decides(i)).collect();
    let won = outcome_count(&deals, Outcome::Won);
    let lost = outcome_count(&deals, Outcome::Lost);
    let tech = deals
        .iter()
        .filter(|i| {
            matches!(i.tl.outcome, Some(Outcome::Won | Outcome::Lost)) && i.req.technical_win
        })
        .count();
    // Resolution rate: of the requests open at some moment of the period (assigned or not,
    // as the performance report's team row), those closed in it with an outcome other than
    // cancelled.
    let w = data.window();
    let handled: Vec<&Item> = data
        .items
        .iter()
        .filter(|i| w.overlaps(i.tl.created, i.tl.closed))
        .collect();
    let resolved = handled
        .iter()
        .filter(|i| i.tl.closed.is_some_and(|t| w.contains(t)))
        .filter(|i| i.tl.outcome.is_some_and(|o| o != Outcome::Cancelled))
        .count();
    let sats: Vec<f64> = closed
        .iter()
        .filter_map(|i| valid_satisfaction(i.req.satisfaction))
        .collect();
    let mut requests: Vec<ClosedItem> = closed
        .iter()
        .filter_map(|i| {
            Some(ClosedItem {
                id: i.id().to_string(),
                title: i.title.to_string(),
                customer: i.customer.to_string(),
                kind: i.req.kind.clone(),
                closed: i.tl.closed?,
                outcome: i.tl.outcome,
                technical_win: i.req.technical_win,
                satisfaction: i.req.satisfaction,
                assignee: i
                    .tl
                    .closed
                    .and_then(|t| i.tl.assignee_at(t))
                    .map(String::from),
                resolution_hours: i.resolution.elapsed_hours,
            })
        })
        .collect();
    requests.sort_by(|a, b| a.closed.cmp(&b.closed).then_with(|| a.id.cmp(&b.id)));
    Closed {
        total: closed.len(),
        by_outcome: Outcome::ALL
            .iter()
            .map(|o| Count {
                key: o.to_string(),
                count: outcome_count(closed, *o),
            })
            .collect(),
        win_rate: Rate::new(won, won + lost),
        technical_win_rate: Rate::new(tech, won + lost),
        resolution_rate: Rate::new(resolved, handled.len()),
        satisfaction: Average::of(&sats),
        requests,
    }
}

/// The SLA section (its breaches listed when `lists`) and the number of breaches.
fn sla_section(data: &Dataset, lists: bool) -> (SlaSection, usize) {
    let w = data.window();
    let contains = |t| w.contains(t);
    let breached = || {
        data.items
            .iter()
            .flat_map(|i| i.cycles().map(move |c| (i, c)))
            .filter(|(_, c)| c.status == Status::Breached && c.counts(contains))
    };
    let (breaches, count) = if lists {
        let mut breaches: Vec<Breach> = breached()
            .map(|(i, c)| Breach {
                request: i.id().to_string(),
                title: i.title.to_string(),
                priority: i.req.priority,
                metric: c.metric,
                limit_hours: c.limit_hours,
                elapsed_hours: c.elapsed_hours,
                running: c.running,
                assignee: i.tl.assignee.map(|a| a.to_string()),
            })
            .collect();
        breaches.sort_by(|a, b| {
            b.running
                .cmp(&a.running)
                .then_with(|| a.priority.cmp(&b.priority))
                .then_with(|| a.request.cmp(&b.request))
                .then_with(|| a.metric.cmp(&b.metric))
        });
        let count = breaches.len();
        (breaches, count)
    } else {
        (Vec::new(), breached().count())
    };
    let section = SlaSection {
        first_response: Attainment::of(data.items.iter().map(|i| &i.first_response), contains),
        resolution: Attainment::of(data.items.iter().map(|i| &i.resolution), contains),
        breaches,
    };
    (section, count)
}

fn cycle_time(data: &Dataset) -> Vec<StageCycle> {
    let w = data.window();
    let mut by_stage: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for i in &data.items {
        for v in &i.tl.visits {
            if let Some(to) = v.to
                && v.stage != CLOSED
                && w.contains(to)
            {
                by_stage
                    .entry(v.stage.as_str())
                    .or_default()
                    .push(data.secs(v.from, to));
            }
        }
    }
    stage_order(data, by_stage.keys().copied())
        .into_iter()
        .filter_map(|stage| {
            let v = by_stage.get(stage.as_str())?;
            Some(StageCycle {
                count: v.len(),
                median_hours: median(v).map(hours),
                p90_hours: p90(v).map(hours),
                stage,
            })
        })
        .collect()
}

fn workload(data: &Dataset) -> Vec<Workload> {
    let w = data.window();
    let config = data.input.config;
    let today = w.zone.date_of(w.as_of);
    // Names borrowed, not copied: every spell of every request in scope is looked at.
    let mut members: BTreeSet<&str> = config
        .members
        .iter()
        .filter(|m| m.active && m.has_role(Role::Engineer))
        .map(|m| m.id.as_str())
        .collect();
    for i in data.items.iter().filter(|i| data.in_scope(i)) {
        members.extend(i.tl.spells.iter().map(|s| s.member.as_str()));
    }
    // One pass over the requests for every member's counts: (open, assigned, closed,
    // overdue).
    let mut counts: std::collections::HashMap<&str, [usize; 4]> = Default::default();
    for i in data.open() {
        if let Some(a) = i.tl.assignee.as_deref() {
            let c = counts.entry(a).or_default();
            c[0] += 1;
            if i.req.due.is_some_and(|d| d < today) {
                c[3] += 1;
            }
        }
    }
    for s in data.items.iter().flat_map(|i| &i.tl.spells) {
        if w.contains(s.from) {
            counts.entry(&s.member).or_default()[1] += 1;
        }
    }
    for i in data.closed_in_period() {
        if let Some(m) = i.tl.closed.and_then(|t| i.tl.assignee_at(t)) {
            counts.entry(m).or_default()[2] += 1;
        }
    }
    members
        .into_iter()
        .map(|id| {
            let m = config.member(id);
            let [open, assigned, closed, overdue] = counts.get(id).copied().unwrap_or_default();
            Workload {
                name: m.map(|m| m.name.clone()),
                status: match m {
                    None => "unknown",
                    Some(m) if !m.active => "former",
                    Some(_) => "active",
                },
                open,
                assigned,
                closed,
                overdue,
                away: m.is_some_and(|m| m.away_on(today).is_some()),
                member: id.to_string(),
            }
        })
        .collect()
}

/// The requests needing attention (listed when `lists`), and how many are at risk and how
/// many unassigned.
fn attention(data: &Dataset, lists: bool) -> (Vec<Attention>, usize, usize) {
    let as_of = data.window().as_of;
    let mut out = Vec::new();
    let (mut at_risk, mut unassigned) = (0, 0);
    let base = |i: &Item, reason, metric, hours, limit_hours| Attention {
        reason,
        request: i.id().to_string(),
        title: i.title.to_string(),
        priority: i.req.priority,
        stage: i.tl.stage().to_string(),
        assignee: i.tl.assignee.map(|a| a.to_string()),
        metric,
        hours,
        limit_hours,
    };
    let open: Vec<&Item> = data.open().collect();
    for i in &open {
        for c in i.cycles() {
            let reason = match (c.running, c.status) {
                (true, Status::Breached) => Reason::Breached,
                (true, Status::AtRisk) => Reason::AtRisk,
                _ => continue,
            };
            if reason == Reason::AtRisk {
                at_risk += 1;
            }
            if lists {
                out.push(base(
                    i,
                    reason,
                    Some(c.metric),
                    c.elapsed_hours,
                    c.limit_hours,
                ));
            }
        }
        if i.tl.assignee.is_none() {
            unassigned += 1;
            if lists {
                out.push(base(
                    i,
                    Reason::Unassigned,
                    None,
                    hours(data.secs(i.tl.created, as_of)),
                    None,
                ));
            }
        }
    }
    if !lists {
        return (out, at_risk, unassigned);
    }
    let mut ages: Vec<(i64, &Item)> = open
        .iter()
        .map(|i| (data.secs(i.tl.entered(), as_of), *i))
        .collect();
    ages.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id().cmp(b.1.id())));
    for (secs, i) in ages.into_iter().take(OLDEST) {
        out.push(base(i, Reason::OldestInStage, None, hours(secs), None));
    }
    out.sort_by(|a, b| {
        a.reason
            .cmp(&b.reason)
            .then(b.hours.total_cmp(&a.hours))
            .then_with(|| a.request.cmp(&b.request))
            .then_with(|| a.metric.cmp(&b.metric))
    });
    (out, at_risk, unassigned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::BusinessCalendar;
    use crate::report::testkit::*;
    use crate::report::{Dataset, REDACTED};

    /// Week 48 of a team with four requests, checked by hand.
    fn fixture() -> Vec<crate::model::Request> {
        vec![
            // Carried over from week 47; answered Monday, closed won Wednesday.
            req("A000001", "consultation", Priority::P2, "20T11:00")
                .assign("20T11:00", "li.na")
                .advance("23T10:00", "li.na", "answered")
                .with(|r| {
                    r.satisfaction = Some(4);
                    r.technical_win = true;
                })
                .close("25T10:00", "li.na", Outcome::Won)
                .done(),
            // New this week; assigned, never answered: first response (P1, 2 h) breached.
            req("A000002", "solution", Priority::P1, "24T09:00")
                .assign("24T09:30", "wang.fang")
                .done(),
            // New this week, unassigned.
            req("A000003", "demo", Priority::P3, "25T16:00").done(),
            // New this week, answered in 1 h, lost on Friday.
            req("A000004", "consultation", Priority::P2, "23T09:00")
                .assign("23T09:00", "li.na")
                .act("23T10:00", "li.na", "assess")
                .advance("24T09:00", "li.na", "answered")
                .with(|r| r.satisfaction = Some(2))
                .close("27T09:00", "zhao.lei", Outcome::Lost)
                .done(),
        ]
    }

    #[test]
    fn win_rates_count_the_types_presales_toml_names_as_deals() {
        let mut config = config();
        config.deals.types = vec!["consultation".into()];
        let reqs = fixture();
        let input = week48_input(&config, &reqs, "27T18:00");
        let data = Dataset::new(&input);
        let r = build(&data);
        // A1 won (technical win), A4 lost: both consultations, now deal decisions.
        assert_eq!(r.closed.win_rate.pct, Some(50.0));
        assert_eq!(r.closed.technical_win_rate.pct, Some(50.0));
    }

    #[test]
    fn week_numbers_by_hand() {
        let config = config();
        let reqs = fixture();
        let input = week48_input(&config, &reqs, "27T18:00");
        let data = Dataset::new(&input);
        let r = build(&data);
        assert_eq!(r.intake.total, 3);
        let by_type: Vec<_> = r
            .intake
            .by_type
            .iter()
            .map(|c| (c.key.as_str(), c.count))
            .collect();
        assert_eq!(
            by_type,
            [
                ("complaint", 0),
                ("consultation", 1),
                ("demo", 1),
                ("poc", 0),
                ("rfp", 0),
                ("solution", 1)
            ]
        );
        assert_eq!(r.closed.total, 2);
        // Both closed requests are consultations: counted by outcome, but no deal was
        // decided ([deals] types), so there is no win rate.
        let won = r.closed.by_outcome.iter().find(|c| c.key == "won").unwrap();
        assert_eq!(won.count, 1);
        assert_eq!(r.closed.win_rate.pct, None);
        assert_eq!(r.closed.technical_win_rate.pct, None);
        assert_eq!(r.closed.satisfaction.mean, Some(3.0));
        // Open during the week: all four (A3 unassigned counts too); resolved: A1, A4.
        assert_eq!(r.closed.resolution_rate.numerator, 2);
        assert_eq!(r.closed.resolution_rate.denominator, 4);
        assert_eq!(r.wip.total, 2);
        let assigned = r.wip.stages.iter().find(|s| s.stage == "assigned").unwrap();
        // A2 in `assigned` since Tue 09:30: 3 days 8.5 h = 80.5 h.
        assert_eq!((assigned.count, assigned.max_age_hours), (1, Some(80.5)));
        // First response: A1 responded Mon 10:00 (P2 8 h limit; created Fri 11:00 → 71 h,
        // breached, stopped in the period); A4 met in 1 h; A2 still running, 81 h > 2 h;
        // A3 (P3, 24 h) running for 50 h: breached too.
        let fr = r.sla.first_response;
        assert_eq!((fr.met, fr.breached, fr.ongoing_breached), (1, 3, 2));
        assert_eq!(fr.attainment.pct, Some(25.0));
        // Resolution: A1 closed after 119 h and A4 after 96 h (P2 limit 80 h: breached);
        // A2 (P1, 40 h) running for 81 h: breached; A3 within its 160 h.
        let res = r.sla.resolution;
        assert_eq!((res.met, res.breached, res.ongoing_breached), (0, 3, 1));
        assert_eq!(r.summary.breached, 6);
        let reasons: Vec<_> = r
            .attention
            .iter()
            .map(|a| (a.reason.as_str(), a.request.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                ("breached", "REQ-20261124-A000002"),
                ("breached", "REQ-20261124-A000002"),
                ("breached", "REQ-20261125-A000003"),
                ("unassigned", "REQ-20261125-A000003"),
                ("oldest_in_stage", "REQ-20261124-A000002"),
                ("oldest_in_stage", "REQ-20261125-A000003"),
            ]
        );
        let lina = r.workload.iter().find(|w| w.member == "li.na").unwrap();
        assert_eq!((lina.open, lina.assigned, lina.closed), (0, 1, 2));
        // Cycle time of the visits that ended this week: `registered` by A2 (0.5 h) and A4
        // (0 h); `assigned` by A1 (Fri 11:00 → Mon 10:00 = 71 h) and A4 (24 h); `answered`
        // by A1 (48 h) and A4 (72 h). Median of two = their mean; p90 = the larger.
        let ct: Vec<_> = r
            .cycle_time
            .iter()
            .map(|c| (c.stage.as_str(), c.count, c.median_hours, c.p90_hours))
            .collect();
        assert_eq!(
            ct,
            [
                ("registered", 2, Some(0.25), Some(0.5)),
                ("assigned", 2, Some(47.5), Some(71.0)),
                ("answered", 2, Some(60.0), Some(72.0)),
            ]
        );
        assert!(r.anomalies.is_empty(), "{:?}", r.anomalies);
    }

    #[test]
    fn business_hours_change_the_numbers() {
        let config = config();
        let stages = stages();
        let reqs = fixture();
        let customers = [customer(CUS, "华东银行", false)];
        let cal = BusinessCalendar {
            time_zone: "Asia/Shanghai".into(),
            ..BusinessCalendar::default()
        }
        .validate()
        .unwrap();
        let window = crate::report::Window::resolve(
            Some(cal.time_zone()),
            crate::report::PeriodSpec::Default,
            Some(crate::report::AsOf::Instant(t("27T18:00"))),
            t("27T18:00"),
        )
        .unwrap();
        let input = input(&config, Some(&cal), &stages, &reqs, &customers, &[], window);
        let data = Dataset::new(&input);
        let r = build(&data);
        // A1: Fri 11:00 → Mon 10:00 = 7 h (Fri 11–18) + 1 h (Mon 9–10) = 8 h: P2 limit 8 h,
        // met. A3: Wed 16:00 → Fri 18:00 = 2 + 9 + 9 = 20 h of 24 h (83 %): at risk.
        // A2: Tue 09:00 → Fri 18:00 = 36 h > 2 h: breached.
        let fr = r.sla.first_response;
        assert_eq!((fr.met, fr.breached, fr.ongoing_breached), (2, 1, 1));
        assert!(
            r.attention
                .iter()
                .any(|a| a.reason == Reason::AtRisk && a.request.ends_with("A000003"))
        );
        assert_eq!(r.header.clock, crate::report::sla::ClockKind::BusinessHours);
        assert_eq!(r.header.time_zone, "Asia/Shanghai");
    }

    #[test]
    fn an_empty_store_renders_with_null_rates() {
        let config = config();
        let stages = stages();
        let input = input(&config, None, &stages, &[], &[], &[], week48("27T18:00"));
        let data = Dataset::new(&input);
        let r = build(&data);
        assert_eq!(r.intake.total, 0);
        assert_eq!(r.closed.win_rate.pct, None);
        assert_eq!(r.closed.resolution_rate.pct, None);
        assert_eq!(r.closed.satisfaction.mean, None);
        assert_eq!(r.sla.first_response.attainment.pct, None);
        assert!(r.cycle_time.is_empty());
        assert!(r.attention.is_empty());
        assert_eq!(r.workload.len(), 3, "every active engineer, even idle");
        assert!(r.wip.stages.iter().all(|s| s.avg_age_hours.is_none()));
    }

    #[test]
    fn confidential_requests_are_counted_but_redacted() {
        let mut config = config();
        config.members.retain(|m| m.id != "wang.fang");
        let mut reqs = fixture();
        reqs[1].confidential = true;
        reqs[1].stage = "design".into();
        let input = week48_input(&config, &reqs, "27T18:00");
        let data = Dataset::new(&input);
        let r = build(&data);
        assert_eq!(r.intake.total, 3);
        let b = r
            .sla
            .breaches
            .iter()
            .find(|b| b.request.ends_with("A000002"))
            .unwrap();
        assert_eq!(b.title, REDACTED);
        let kinds: Vec<_> = r.anomalies.iter().map(|a| a.kind).collect();
        assert_eq!(
            kinds,
            [
                crate::report::AnomalyKind::StageWithoutHistory,
                crate::report::AnomalyKind::UnknownAssignee
            ]
        );
        assert!(
            r.workload
                .iter()
                .any(|w| w.member == "wang.fang" && w.status == "unknown")
        );
    }

    /// A month of requests in every state a past week can see them in: settled weeks
    /// before, settled in the week, open, never answered and closed, commented on after
    /// closing, closed with a stage edited by hand. For every week of the month, and at
    /// instants inside it, the numbers from the requests alive in the week
    /// ([`crate::report::Items::touching`]) are the numbers from all of them.
    #[test]
    fn a_weeks_numbers_read_only_the_requests_alive_in_it() {
        let mut config = config();
        config.deals.types = vec!["consultation".into()];
        let stages = stages();
        let reqs = vec![
            req("B000001", "consultation", Priority::P2, "02T09:00")
                .assign("02T09:30", "li.na")
                .advance("02T10:00", "li.na", "answered")
                .close("04T15:00", "li.na", Outcome::Won)
                .done(),
            // Never answered (P1), closed lost: its first response never stopped.
            req("B000002", "solution", Priority::P1, "03T09:00")
                .assign("03T09:30", "wang.fang")
                .close("05T12:00", "wang.fang", Outcome::Lost)
                .done(),
            // Closed in week 45, commented on in week 47.
            req("B000003", "consultation", Priority::P3, "03T11:00")
                .assign("03T12:00", "li.na")
                .advance("03T13:00", "li.na", "answered")
                .close("06T10:00", "li.na", Outcome::Resolved)
                .act("18T10:00", "zhang.wei", "comment")
                .done(),
            // Open and unassigned since week 46.
            req("B000004", "demo", Priority::P2, "09T16:00").done(),
            // Open, moving through the stages.
            req("B000005", "solution", Priority::P2, "10T09:00")
                .assign("10T09:10", "li.na")
                .advance("10T11:00", "li.na", "answered")
                .advance("12T11:00", "li.na", "analysis")
                .advance("17T11:00", "li.na", "design")
                .done(),
            // Created in week 47, closed in week 48.
            req("B000006", "consultation", Priority::P2, "16T09:00")
                .assign("16T09:05", "wang.fang")
                .advance("16T10:00", "wang.fang", "answered")
                .close("24T10:00", "wang.fang", Outcome::Lost)
                .done(),
            // Open since week 47 with nothing recorded in week 48, and within its limits.
            req("B000008", "consultation", Priority::P4, "17T09:00")
                .assign("17T09:05", "li.na")
                .advance("17T10:00", "li.na", "answered")
                .done(),
            // Closed in week 45, assigned again by hand in week 47.
            req("B000009", "consultation", Priority::P3, "04T09:00")
                .assign("04T09:05", "li.na")
                .advance("04T10:00", "li.na", "answered")
                .close("05T10:00", "li.na", Outcome::Resolved)
                .assign("18T10:00", "wang.fang")
                .done(),
            // Closed in week 46 with its stage edited by hand afterwards.
            req("B000007", "complaint", Priority::P1, "11T09:00")
                .assign("11T09:05", "li.na")
                .advance("11T09:30", "li.na", "answered")
                .close("13T10:00", "li.na", Outcome::Resolved)
                .with(|r| r.stage = "design".into())
                .done(),
        ];
        let customers = [customer(CUS, "华东银行", false)];
        let mut left_out = 0;
        for as_of in [
            "08T23:59", "04T16:00", "15T23:59", "12T08:00", "22T23:59", "18T09:00", "27T18:00",
            "29T23:59",
        ] {
            let window = week_at(t(as_of));
            let input = input(
                &config,
                None,
                &stages,
                &reqs,
                &customers,
                &[],
                window.clone(),
            );
            let all = Dataset::new(&input);
            let alive = Dataset::with_items(&input, all.items.touching(&window));
            left_out += all.items.len() - alive.items.len();
            assert_eq!(
                serde_json::to_value(numbers(&alive)).unwrap(),
                serde_json::to_value(numbers(&all)).unwrap(),
                "as of {as_of}"
            );
        }
        assert!(left_out > 0, "the later weeks leave settled requests out");
    }
}
