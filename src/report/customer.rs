//! A customer's service history (客户档案): every request with its type, stage, dates,
//! assignee, solution, outcome and satisfaction, and a summary.

use serde::Serialize;

use super::sla::Clock;
use super::stats::{Average, Rate, hours};
use super::{Timeline, valid_satisfaction};
use crate::model::{Outcome, Priority, Request, Timestamp};

#[derive(Debug, Clone, Serialize)]
pub struct ServiceItem {
    pub id: String,
    pub title: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub stage: String,
    /// RFC 3339, as recorded.
    pub created: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    pub priority: Priority,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub solution: Option<String>,
    pub technical_win: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub satisfaction: Option<u8>,
    /// Created → first response (or close), in the report clock's hours.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_response_hours: Option<f64>,
    /// Created → close.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution_hours: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceSummary {
    pub requests: usize,
    pub open: usize,
    pub won: usize,
    pub lost: usize,
    pub win_rate: Rate,
    pub satisfaction: Average,
}

/// The requests of `customer`, by ID (that is, by creation), as known at `as_of`.
/// Durations skip `paused` stages, like the SLA figures.
pub fn history(
    customer: &str,
    requests: &[Request],
    clock: Clock,
    paused: &[String],
    as_of: Timestamp,
) -> (Vec<ServiceItem>, ServiceSummary) {
    let mut mine: Vec<&Request> = requests.iter().filter(|r| r.customer == customer).collect();
    mine.sort_by(|a, b| a.id.cmp(&b.id));
    let items: Vec<ServiceItem> = mine
        .iter()
        .map(|r| {
            let tl = Timeline::build(r, as_of);
            let closed = tl.as_ref().and_then(|t| t.closed);
            let pauses = tl
                .as_ref()
                .map(|t| t.paused(paused, as_of))
                .unwrap_or_default();
            let measure =
                |end: Option<Timestamp>| end.map(|e| hours(clock.secs(r.created, e, &pauses)));
            let responded = tl.as_ref().and_then(|t| {
                let fr = t.first_response.as_ref().map(|f| f.0);
                match (fr, t.closed) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                }
            });
            ServiceItem {
                id: r.id.clone(),
                title: r.title.clone(),
                kind: r.kind.clone(),
                stage: r.stage.clone(),
                created: r.created.to_rfc3339(),
                outcome: r.outcome.map(|o| o.to_string()),
                priority: r.priority,
                closed: closed.map(|c| c.to_rfc3339()),
                assignee: r.assignee.clone(),
                solution: r.solution.clone(),
                technical_win: r.technical_win,
                satisfaction: r.satisfaction,
                first_response_hours: measure(responded),
                resolution_hours: measure(closed),
            }
        })
        .collect();
    let won = mine
        .iter()
        .filter(|r| r.outcome == Some(Outcome::Won))
        .count();
    let lost = mine
        .iter()
        .filter(|r| r.outcome == Some(Outcome::Lost))
        .count();
    let sats: Vec<f64> = mine
        .iter()
        .filter_map(|r| valid_satisfaction(r.satisfaction))
        .collect();
    let summary = ServiceSummary {
        requests: mine.len(),
        open: mine
            .iter()
            .filter(|r| r.stage != crate::workflow::CLOSED)
            .count(),
        won,
        lost,
        win_rate: Rate::new(won, won + lost),
        satisfaction: Average::of(&sats),
    };
    (items, summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testkit::*;

    #[test]
    fn history_of_one_customer() {
        let reqs = vec![
            req("A000001", "consultation", Priority::P2, "23T09:00")
                .assign("23T09:00", "li.na")
                .act("23T11:00", "li.na", "comment")
                .with(|r| r.satisfaction = Some(4))
                .close("24T09:00", "li.na", Outcome::Won)
                .done(),
            req("A000002", "solution", Priority::P3, "24T09:00")
                .with(|r| r.customer = "CUS-OTHER".into())
                .done(),
            req("A000003", "solution", Priority::P3, "25T09:00").done(),
        ];
        let (items, summary) = history(CUS, &reqs, Clock::Wall, &[], t("27T09:00"));
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].first_response_hours, Some(2.0));
        assert_eq!(items[0].resolution_hours, Some(24.0));
        assert_eq!(
            items[0].closed.as_deref(),
            Some("2026-11-24T09:00:00+08:00")
        );
        assert_eq!(items[1].resolution_hours, None);
        assert_eq!((summary.requests, summary.open, summary.won), (2, 1, 1));
        assert_eq!(summary.win_rate.pct, Some(100.0));
        assert_eq!(summary.satisfaction.mean, Some(4.0));
    }
}
