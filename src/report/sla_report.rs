//! The SLA report: per request, both cycles against their limits, and attainment; or, for
//! `presales sla`, only what is breached or at risk right now.

use serde::Serialize;

use super::sla::{Attainment, Cycle, Status};
use super::{Anomaly, Dataset, Header, Item, SCHEMA_VERSION};
use crate::model::{Priority, Timestamp};

#[derive(Debug, Clone, Serialize)]
pub struct SlaReport {
    pub schema_version: u32,
    pub report: &'static str,
    #[serde(flatten)]
    pub header: Header,
    /// `period`: requests open at some moment of the period; `now`: open requests with a
    /// cycle breached or at risk at the as-of instant.
    pub scope: &'static str,
    pub first_response: Attainment,
    pub resolution: Attainment,
    pub requests: Vec<SlaRow>,
    pub anomalies: Vec<Anomaly>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SlaRow {
    pub id: String,
    pub title: String,
    pub customer: String,
    pub priority: Priority,
    pub stage: String,
    pub assignee: Option<String>,
    pub created: Timestamp,
    /// The more urgent status of the two cycles.
    pub status: Status,
    pub first_response: Cycle,
    pub resolution: Cycle,
}

fn row(i: &Item) -> SlaRow {
    SlaRow {
        id: i.id().to_string(),
        title: i.title.to_string(),
        customer: i.customer.to_string(),
        priority: i.req.priority,
        stage: i.tl.stage().to_string(),
        assignee: i.tl.assignee.map(|a| a.to_string()),
        created: i.tl.created,
        status: i.first_response.status.min(i.resolution.status),
        first_response: i.first_response.clone(),
        resolution: i.resolution.clone(),
    }
}

/// Most urgent first: status, then share of the limit used, then priority, then ID.
fn sort(rows: &mut [SlaRow]) {
    let used = |r: &SlaRow| {
        r.first_response
            .used_pct
            .unwrap_or(0.0)
            .max(r.resolution.used_pct.unwrap_or(0.0))
    };
    rows.sort_by(|a, b| {
        a.status
            .cmp(&b.status)
            .then(used(b).total_cmp(&used(a)))
            .then_with(|| a.priority.cmp(&b.priority))
            .then_with(|| a.id.cmp(&b.id))
    });
}

/// `now_only`: the `presales sla` shortcut.
pub fn build(data: &Dataset, now_only: bool) -> SlaReport {
    let w = data.window();
    let contains = |t| w.contains(t);
    let urgent = |c: &Cycle| c.running && matches!(c.status, Status::Breached | Status::AtRisk);
    let mut requests: Vec<SlaRow> = data
        .items
        .iter()
        .filter(|i| {
            if now_only {
                i.tl.is_open() && i.cycles().into_iter().any(urgent)
            } else {
                data.in_scope(i)
            }
        })
        .map(row)
        .collect();
    sort(&mut requests);
    SlaReport {
        schema_version: SCHEMA_VERSION,
        report: "sla",
        header: data.header(),
        scope: if now_only { "now" } else { "period" },
        first_response: Attainment::of(data.items.iter().map(|i| &i.first_response), contains),
        resolution: Attainment::of(data.items.iter().map(|i| &i.resolution), contains),
        requests,
        anomalies: data.anomalies(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Outcome;
    use crate::report::testkit::*;

    #[test]
    fn rows_most_urgent_first_and_the_now_list() {
        let config = config();
        let stages = stages();
        let reqs = vec![
            // Met and closed in the week.
            req("A000001", "consultation", Priority::P2, "23T09:00")
                .assign("23T09:00", "li.na")
                .act("23T10:00", "li.na", "comment")
                .close("23T12:00", "li.na", Outcome::Won)
                .done(),
            // P4 (40 h) answered; resolution 320 h: fine.
            req("A000002", "solution", Priority::P4, "24T09:00")
                .assign("24T09:00", "li.na")
                .act("24T10:00", "li.na", "assess")
                .done(),
            // P3 first response (24 h) at 20 h: at risk.
            req("A000003", "solution", Priority::P3, "26T22:00").done(),
            // P1 first response (2 h) at 9 h: breached.
            req("A000004", "solution", Priority::P1, "27T09:00").done(),
            // Closed last week: out of the period.
            req("A000005", "solution", Priority::P1, "10T09:00")
                .close("11T09:00", "zhao.lei", Outcome::Cancelled)
                .done(),
        ];
        let input = input(&config, None, &stages, &reqs, &[], &[], week48("27T18:00"));
        let data = Dataset::new(&input);
        let r = build(&data, false);
        let rows: Vec<_> = r
            .requests
            .iter()
            .map(|x| (&x.id[x.id.len() - 1..], x.status))
            .collect();
        assert_eq!(
            rows,
            [
                ("4", Status::Breached),
                ("3", Status::AtRisk),
                ("2", Status::Ongoing),
                ("1", Status::Met),
            ]
        );
        assert_eq!(r.requests[1].first_response.used_pct, Some(83.3));
        let now = build(&data, true);
        let ids: Vec<_> = now.requests.iter().map(|x| x.id.clone()).collect();
        assert_eq!(ids, ["REQ-20261127-A000004", "REQ-20261126-A000003"]);
        assert_eq!(now.scope, "now");
    }
}
