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
    /// Won of the decided deals (complaints never count).
    pub win_rate: Rate,
    pub satisfaction: Average,
    /// Complaints (客户投诉) of this customer, and the open ones by ID.
    pub complaints: usize,
    pub open_complaints: Vec<String>,
    /// Mean first-response and resolution hours of the requests that have them.
    pub first_response_hours: Average,
    pub resolution_hours: Average,
    /// Satisfaction per quarter of closing, oldest first: the trend.
    pub satisfaction_trend: Vec<QuarterSatisfaction>,
}

/// The satisfaction scores of the requests closed in one quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuarterSatisfaction {
    /// `2026-Q4`.
    pub quarter: String,
    pub satisfaction: Average,
}

/// The requests of `customer`, by ID (that is, by creation), as known at `as_of`.
/// Durations skip `paused` stages, like the SLA figures; `is_complaint` tells complaint
/// types apart.
pub fn history(
    customer: &str,
    requests: &[Request],
    clock: Clock,
    paused: &[String],
    as_of: Timestamp,
    is_complaint: &dyn Fn(&str) -> bool,
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
    let complaints: Vec<&&Request> = mine.iter().filter(|r| is_complaint(&r.kind)).collect();
    let mean_of = |f: &dyn Fn(&ServiceItem) -> Option<f64>| {
        Average::of(&items.iter().filter_map(f).collect::<Vec<_>>())
    };
    let mut by_quarter: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    for (r, i) in mine.iter().zip(&items) {
        let (Some(s), Some(closed)) = (valid_satisfaction(r.satisfaction), &i.closed) else {
            continue;
        };
        let Ok(at) = chrono::DateTime::parse_from_rfc3339(closed) else {
            continue;
        };
        let q = (chrono::Datelike::month(&at) - 1) / 3 + 1;
        by_quarter
            .entry(format!("{}-Q{q}", chrono::Datelike::year(&at)))
            .or_default()
            .push(s);
    }
    let summary = ServiceSummary {
        complaints: complaints.len(),
        open_complaints: complaints
            .iter()
            .filter(|r| r.stage != crate::workflow::CLOSED)
            .map(|r| r.id.clone())
            .collect(),
        first_response_hours: mean_of(&|i| i.first_response_hours),
        resolution_hours: mean_of(&|i| i.resolution_hours),
        satisfaction_trend: by_quarter
            .into_iter()
            .map(|(quarter, v)| QuarterSatisfaction {
                quarter,
                satisfaction: Average::of(&v),
            })
            .collect(),
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
                .act("23T11:00", "li.na", "assess")
                .with(|r| r.satisfaction = Some(4))
                .close("24T09:00", "li.na", Outcome::Won)
                .done(),
            req("A000002", "solution", Priority::P3, "24T09:00")
                .with(|r| r.customer = "CUS-OTHER".into())
                .done(),
            req("A000003", "solution", Priority::P3, "25T09:00").done(),
        ];
        let (items, summary) = history(CUS, &reqs, Clock::Wall, &[], t("27T09:00"), &|k| {
            k == "complaint"
        });
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
        assert_eq!(summary.first_response_hours.mean, Some(2.0));
        assert_eq!(summary.resolution_hours.mean, Some(24.0));
        assert_eq!(summary.satisfaction_trend.len(), 1);
        assert_eq!(summary.satisfaction_trend[0].quarter, "2026-Q4");
        assert_eq!(summary.complaints, 0);
    }

    #[test]
    fn complaints_are_counted_apart_and_never_in_the_win_rate() {
        let reqs = vec![
            req("A000001", "complaint", Priority::P1, "23T09:00")
                .assign("23T09:00", "li.na")
                .with(|r| r.satisfaction = Some(2))
                .close("23T12:00", "li.na", Outcome::Resolved)
                .done(),
            req("A000002", "complaint", Priority::P2, "24T09:00").done(),
            req("A000003", "solution", Priority::P3, "25T09:00")
                .assign("25T09:00", "li.na")
                .close("26T09:00", "li.na", Outcome::Won)
                .done(),
        ];
        let (_, s) = history(CUS, &reqs, Clock::Wall, &[], t("27T09:00"), &|k| {
            k == "complaint"
        });
        assert_eq!(s.complaints, 2);
        assert_eq!(s.open_complaints.len(), 1);
        assert!(s.open_complaints[0].ends_with("A000002"));
        assert_eq!((s.won, s.lost), (1, 0));
        assert_eq!(s.win_rate.denominator, 1);
        assert_eq!(s.satisfaction.mean, Some(2.0));
    }
}
