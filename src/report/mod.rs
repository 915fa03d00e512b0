//! Report metrics: pure functions from loaded records, the config, an as-of instant and a
//! period to plain Serialize structs. No I/O, no formatting; `cli/` renders them.
//!
//! Every report starts from a [`Dataset`]: each request's history replayed up to the as-of
//! instant ([`timeline`]), its two SLA cycles measured ([`sla`]), and its title and customer
//! redacted when confidential. Everything is sorted, so the same input gives the same output.

pub mod agenda;
pub mod capacity;
pub mod customer;
pub mod gaps;
pub mod inbox;
pub mod kb;
pub mod performance;
pub mod period;
pub mod sla;
pub mod sla_report;
pub mod stats;
pub mod targets;
pub mod timeline;
pub mod training;
pub mod weekly;
pub mod winloss;

use std::collections::BTreeSet;

use serde::Serialize;

use crate::calendar::Calendar;
use crate::config::{Config, Member};
use crate::model::{Customer, Outcome, Request, Timestamp};
pub use kb::ArticleInfo;
pub use period::{AsOf, Period, PeriodSpec, Window, Zone};
use sla::{Clock, ClockKind, Cycle, CycleInput, Metric};
pub use timeline::{Anomaly, AnomalyKind, Timeline};

/// Version of the JSON shape of every report; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// What a confidential title or customer name is replaced with (保密制度).
pub const REDACTED: &str = "[confidential]";

/// Everything a report is computed from.
pub struct Input<'a> {
    pub config: &'a Config,
    pub calendar: Option<&'a Calendar>,
    /// Stages in workflow order, for display.
    pub stages: &'a [String],
    pub requests: &'a [Request],
    pub customers: &'a [Customer],
    /// The knowledge base; may be empty (usage is then read from requests alone).
    pub articles: &'a [ArticleInfo],
    /// The product gaps; may be empty (only `report gaps` reads them).
    pub gaps: &'a [crate::model::Gap],
    /// This clone's search log (only `report kb` reads it).
    pub searches: &'a kb::Searches,
    pub window: Window,
    pub include_confidential: bool,
}

/// The common head of every report.
#[derive(Debug, Clone, Serialize)]
pub struct Header {
    pub period: Period,
    pub as_of: Timestamp,
    pub time_zone: String,
    pub clock: ClockKind,
    /// `redacted` or `included`.
    pub confidential: &'static str,
}

/// One request as the reports see it.
pub struct Item<'a> {
    pub req: &'a Request,
    pub tl: Timeline,
    pub confidential: bool,
    /// The title, or [`REDACTED`].
    pub title: String,
    /// The customer's name, or [`REDACTED`].
    pub customer: String,
    pub first_response: Cycle,
    pub resolution: Cycle,
}

impl Item<'_> {
    pub fn id(&self) -> &str {
        &self.req.id
    }

    pub fn cycles(&self) -> [&Cycle; 2] {
        [&self.first_response, &self.resolution]
    }
}

/// The requests in SLA urgency order, most urgent first: a running breached cycle, then at
/// risk, then ongoing, each by the share of its limit used (most first); requests with no
/// running cycle (closed, or no limit) last, in creation order. Pure.
pub fn by_sla_urgency(data: &Dataset) -> Vec<String> {
    let mut keyed: Vec<(sla::Status, f64, &str, Timestamp)> = data
        .items
        .iter()
        .map(|i| match inbox::urgent(i) {
            Some(c) => (c.status, -c.used_pct.unwrap_or(0.0), i.id(), i.tl.created),
            None => (sla::Status::NotCounted, 0.0, i.id(), i.tl.created),
        })
        .collect();
    keyed.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(a.1.total_cmp(&b.1))
            .then(a.3.cmp(&b.3))
            .then(a.2.cmp(b.2))
    });
    keyed.into_iter().map(|k| k.2.to_string()).collect()
}

pub struct Dataset<'a> {
    pub input: &'a Input<'a>,
    pub clock: Clock<'a>,
    /// Every request that existed at the as-of instant, by ID.
    pub items: Vec<Item<'a>>,
}

impl<'a> Dataset<'a> {
    /// Whether the request's close is a deal decision (`[deals] types`): win, conversion
    /// and technical-win rates count only these.
    pub fn decides(&self, item: &Item) -> bool {
        self.input.config.deals.decides(&item.req.kind)
    }

    pub fn new(input: &'a Input<'a>) -> Dataset<'a> {
        let clock = input.calendar.map_or(Clock::Wall, Clock::Business);
        let as_of = input.window.as_of;
        let paused_stages = &input.config.workflow.paused_stages;
        // One lookup table, not a scan of every customer per request.
        let customers: std::collections::HashMap<&str, &crate::model::Customer> =
            input.customers.iter().map(|c| (c.id.as_str(), c)).collect();
        // Each request's history is replayed on its own: on every core.
        use rayon::prelude::*;
        let mut items: Vec<Item> = input
            .requests
            .par_iter()
            .filter_map(|req| {
                let tl = Timeline::build_with(req, as_of, &input.config.workflow.first_response)?;
                let cust = customers.get(req.customer.as_str()).copied();
                let confidential = req.confidential || cust.is_some_and(|c| c.confidential);
                let hide = confidential && !input.include_confidential;
                let redact = |s: String| if hide { REDACTED.to_string() } else { s };
                let paused = tl.paused(paused_stages, as_of);
                let paused_now = tl.is_open() && paused_stages.iter().any(|s| s == tl.stage());
                let limit = input.config.sla_limit(&req.kind, req.priority);
                let cycle = |metric, limit_hours, stop| {
                    Cycle::measure(
                        clock,
                        CycleInput {
                            metric,
                            limit_hours,
                            start: req.created,
                            stop,
                            as_of,
                            paused: &paused,
                            paused_now,
                        },
                    )
                };
                // Closing stops the first-response clock too: a request closed unanswered
                // was dealt with.
                let responded = match (tl.first_response.as_ref().map(|r| r.0), tl.closed) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                let first_response = cycle(
                    Metric::FirstResponse,
                    limit.map(|l| l.first_response_hours),
                    responded,
                );
                let mut resolution = cycle(
                    Metric::Resolution,
                    limit.map(|l| l.resolution_hours),
                    tl.closed,
                );
                // Cancelled or infeasible: closed, but nothing was resolved; neither met nor
                // breached.
                if matches!(tl.outcome, Some(Outcome::Cancelled | Outcome::Infeasible)) {
                    resolution.status = sla::Status::NotCounted;
                }
                Some(Item {
                    title: redact(req.title.clone()),
                    customer: redact(cust.map_or_else(|| req.customer.clone(), |c| c.name.clone())),
                    req,
                    tl,
                    confidential,
                    first_response,
                    resolution,
                })
            })
            .collect();
        items.par_sort_by(|a, b| a.req.id.cmp(&b.req.id));
        Dataset {
            input,
            clock,
            items,
        }
    }

    pub fn window(&self) -> &Window {
        &self.input.window
    }

    pub fn header(&self) -> Header {
        let w = self.window();
        Header {
            period: w.period.clone(),
            as_of: w.as_of,
            time_zone: w.zone.name(),
            clock: self.clock.kind(),
            confidential: if self.input.include_confidential {
                "included"
            } else {
                "redacted"
            },
        }
    }

    /// Requests the period saw: created before its end and open at some moment in it.
    pub fn in_scope(&self, item: &Item) -> bool {
        self.window().overlaps(item.tl.created, item.tl.closed)
    }

    /// Open at the as-of instant.
    pub fn open(&self) -> impl Iterator<Item = &Item<'a>> {
        self.items.iter().filter(|i| i.tl.is_open())
    }

    /// Closed inside the period.
    pub fn closed_in_period(&self) -> impl Iterator<Item = &Item<'a>> {
        self.items
            .iter()
            .filter(|i| i.tl.closed.is_some_and(|t| self.window().contains(t)))
    }

    /// Measures `[start, end)` with the report clock, no pauses.
    pub fn secs(&self, start: Timestamp, end: Timestamp) -> i64 {
        self.clock.secs(start, end, &[])
    }

    pub fn member(&self, id: &str) -> Option<&'a Member> {
        self.input.config.member(id)
    }

    /// Anomalies of the requests in scope, sorted.
    pub fn anomalies(&self) -> Vec<Anomaly> {
        let known_customers: std::collections::HashSet<&str> =
            self.input.customers.iter().map(|c| c.id.as_str()).collect();
        let config = self.input.config;
        let known_articles: BTreeSet<&str> =
            self.input.articles.iter().map(|a| a.id.as_str()).collect();
        let mut out = Vec::new();
        for item in self.items.iter().filter(|i| self.in_scope(i)) {
            let req = item.req;
            let mut push = |kind, detail: String| {
                out.push(Anomaly {
                    request: req.id.clone(),
                    kind,
                    detail,
                })
            };
            for (kind, detail) in &item.tl.anomalies {
                push(*kind, detail.clone());
            }
            if !known_customers.contains(req.customer.as_str()) {
                push(
                    AnomalyKind::UnknownCustomer,
                    format!("customer `{}` does not exist", req.customer),
                );
            }
            match config.workflow.types.get(&req.kind) {
                None => push(
                    AnomalyKind::UnknownType,
                    format!("type `{}` is not defined in presales.toml", req.kind),
                ),
                Some(t) if !t.stages.iter().any(|s| s == item.tl.stage()) => push(
                    AnomalyKind::UnknownStage,
                    format!(
                        "stage `{}` is not on the path of type `{}`",
                        item.tl.stage(),
                        req.kind
                    ),
                ),
                Some(_) => {}
            }
            if item.tl.is_open()
                && let Some(a) = &item.tl.assignee
            {
                match config.member(a) {
                    None => push(
                        AnomalyKind::UnknownAssignee,
                        format!("assignee `{a}` is not a team member"),
                    ),
                    Some(m) if !m.active => push(
                        AnomalyKind::FormerMember,
                        format!("assignee `{a}` has left the team; reassign the request"),
                    ),
                    Some(_) => {}
                }
            }
            if let Some(s) = req.satisfaction
                && !(1..=5).contains(&s)
            {
                push(
                    AnomalyKind::SatisfactionOutOfRange,
                    format!("satisfaction {s} is outside 1–5; left out of averages"),
                );
            }
            if !known_articles.is_empty() {
                let unknown: BTreeSet<&str> = req
                    .articles
                    .iter()
                    .map(|a| a.id.as_str())
                    .filter(|id| !known_articles.contains(id))
                    .collect();
                for id in unknown {
                    push(
                        AnomalyKind::UnknownArticle,
                        format!("uses article `{id}`, which does not exist"),
                    );
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

/// Satisfaction values that count: 1–5.
pub fn valid_satisfaction(s: Option<u8>) -> Option<f64> {
    s.filter(|s| (1..=5).contains(s)).map(f64::from)
}

/// A key and how many requests have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    pub key: String,
    pub count: usize,
}

#[cfg(test)]
pub(crate) mod testkit;
