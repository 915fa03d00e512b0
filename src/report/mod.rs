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
use std::sync::Arc;

use serde::Serialize;

use crate::calendar::Calendar;
use crate::config::{Config, Member};
use crate::model::facts::Step;
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
    /// Each request's history as the reports replay it, in the order of `requests` (the
    /// requests' own `history` is not read: [`RequestFacts`] leaves it empty).
    ///
    /// [`RequestFacts`]: crate::model::facts::RequestFacts
    pub steps: &'a [Vec<Step>],
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
    /// Its history, every entry (also those after the as-of instant).
    pub steps: &'a [Step],
    pub tl: Timeline,
    pub confidential: bool,
    /// The title, or [`REDACTED`].
    pub title: &'a str,
    /// The customer's name, or [`REDACTED`].
    pub customer: &'a str,
    pub first_response: Cycle,
    pub resolution: Cycle,
    /// When its latest history entry was made, also after the as-of instant (`None`: no
    /// history).
    pub latest: Option<Timestamp>,
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
            .then_with(|| a.3.cmp(&b.3))
            .then_with(|| a.2.cmp(b.2))
    });
    keyed.into_iter().map(|k| k.2.to_string()).collect()
}

/// The items of one as-of instant, in ID order. An item is shared (not copied) between
/// the instants at which it is the same ([`items_over`]).
#[derive(Clone, Default)]
pub struct Items<'a>(Vec<Arc<Item<'a>>>);

impl<'a> Items<'a> {
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Item<'a>> + ExactSizeIterator {
        self.0.iter().map(|i| &**i)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The items that can count in [`weekly::numbers`] of `window` (built at its as-of
    /// instant): open at that instant, closed since the window began, with a history entry
    /// since then, or with an SLA cycle breached and never stopped (which counts in every
    /// period). The others were settled before the window began, so every number of it
    /// reads the same without them: the past weeks of a trend then look only at the
    /// requests that were alive in them (about a tenth of a large store's).
    pub fn touching(&self, window: &Window) -> Items<'a> {
        let (start, as_of) = (window.start, window.as_of);
        // The latest entry first: a request settled long ago is passed over with one
        // comparison instead of a look at each of its entries.
        let alive = |i: &Item| {
            i.tl.closed.is_none_or(|t| t >= start)
                || (i.latest.is_some_and(|t| t >= start)
                    && i.steps.iter().any(|e| e.at >= start && e.at <= as_of))
                || i.cycles()
                    .iter()
                    .any(|c| c.status == sla::Status::Breached && c.stopped.is_none())
        };
        Items(self.0.iter().filter(|i| alive(i)).cloned().collect())
    }
}

impl<'s, 'a> IntoIterator for &'s Items<'a> {
    type Item = &'s Item<'a>;
    type IntoIter =
        std::iter::Map<std::slice::Iter<'s, Arc<Item<'a>>>, fn(&'s Arc<Item<'a>>) -> &'s Item<'a>>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|i| &**i)
    }
}

fn clock_of<'a>(input: &Input<'a>) -> Clock<'a> {
    input.calendar.map_or(Clock::Wall, Clock::Business)
}

/// Every request's item at each of `as_ofs`, in the order given; `input`'s window is not
/// read. A request that is settled at an instant — closed, every history entry at or before
/// it — replays to the same timeline and stopped cycles at every later instant, so its item
/// is built once and shared by the later ones (a dashboard's weeks replay only what
/// changed between them).
pub fn items_over<'a>(input: &Input<'a>, as_ofs: &[Timestamp]) -> Vec<Items<'a>> {
    use rayon::prelude::*;
    let clock = clock_of(input);
    // One lookup table, not a scan of every customer per request (hashed by Fx: looked up
    // for every request at every instant).
    let customers: rustc_hash::FxHashMap<&str, &Customer> =
        input.customers.iter().map(|c| (c.id.as_str(), c)).collect();
    assert_eq!(
        input.requests.len(),
        input.steps.len(),
        "a history for each request"
    );
    let mut requests: Vec<(&'a Request, &'a [Step])> = input
        .requests
        .iter()
        .zip(input.steps.iter().map(Vec::as_slice))
        .collect();
    requests.par_sort_by(|a, b| a.0.id.cmp(&b.0.id));
    let mut order: Vec<usize> = (0..as_ofs.len()).collect();
    order.sort_by_key(|&k| as_ofs[k]);
    // The items at the instant last built, by request, and whether each is settled there.
    let mut last: Vec<Option<(Arc<Item<'a>>, bool)>> = vec![None; requests.len()];
    let mut pools: Vec<Items<'a>> = vec![Items::default(); as_ofs.len()];
    let mut previous: Option<usize> = None;
    for k in order {
        let as_of = as_ofs[k];
        if let Some(p) = previous.filter(|&p| as_ofs[p] == as_of) {
            pools[k] = pools[p].clone();
            continue;
        }
        previous = Some(k);
        // Each request's history is replayed on its own: on every core.
        last = requests
            .par_iter()
            .zip(last.into_par_iter())
            .map(|(&(req, steps), prev)| match prev {
                Some((item, true)) => Some((item, true)),
                _ => item_at(input, clock, &customers, req, steps, as_of).map(|item| {
                    let settled = item.tl.closed.is_some() && steps.iter().all(|e| e.at <= as_of);
                    (Arc::new(item), settled)
                }),
            })
            .collect();
        pools[k] = Items(last.iter().flatten().map(|(i, _)| i.clone()).collect());
    }
    pools
}

/// `req` as the reports see it at `as_of`; `None` when it did not exist yet.
fn item_at<'a>(
    input: &Input<'a>,
    clock: Clock,
    customers: &rustc_hash::FxHashMap<&str, &'a Customer>,
    req: &'a Request,
    steps: &'a [Step],
    as_of: Timestamp,
) -> Option<Item<'a>> {
    let paused_stages = &input.config.workflow.paused_stages;
    let tl = Timeline::build_with(req, steps, as_of, &input.config.workflow.first_response)?;
    let cust = customers.get(req.customer.as_str()).copied();
    let confidential = req.confidential || cust.is_some_and(|c| c.confidential);
    let hide = confidential && !input.include_confidential;
    let redact = |s: &'a str| if hide { REDACTED } else { s };
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
    // Closing stops the first-response clock too: a request closed unanswered was dealt
    // with.
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
    // Cancelled or infeasible: closed, but nothing was resolved; neither met nor breached.
    if matches!(tl.outcome, Some(Outcome::Cancelled | Outcome::Infeasible)) {
        resolution.status = sla::Status::NotCounted;
    }
    Some(Item {
        title: redact(&req.title),
        customer: redact(cust.map_or(&req.customer, |c| &c.name)),
        req,
        steps,
        tl,
        confidential,
        first_response,
        resolution,
        latest: steps.iter().map(|e| e.at).max(),
    })
}

pub struct Dataset<'a> {
    pub input: &'a Input<'a>,
    pub clock: Clock<'a>,
    /// Every request that existed at the as-of instant, by ID.
    pub items: Items<'a>,
}

impl<'a> Dataset<'a> {
    /// Whether the request's close is a deal decision (`[deals] types`): win, conversion
    /// and technical-win rates count only these.
    pub fn decides(&self, item: &Item) -> bool {
        self.input.config.deals.decides(&item.req.kind)
    }

    /// The dataset of `input`: every request replayed to the window's as-of instant.
    pub fn new(input: &'a Input<'a>) -> Dataset<'a> {
        let mut pools = items_over(input, &[input.window.as_of]);
        Dataset::with_items(input, pools.pop().unwrap_or_default())
    }

    /// The dataset of `input` from items already built for its as-of instant
    /// ([`items_over`]).
    pub fn with_items(input: &'a Input<'a>, items: Items<'a>) -> Dataset<'a> {
        Dataset {
            input,
            clock: clock_of(input),
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
        self.items.iter().filter(|i| self.closed_in(i))
    }

    /// Whether `item` was closed inside the period.
    pub fn closed_in(&self, item: &Item) -> bool {
        item.tl.closed.is_some_and(|t| self.window().contains(t))
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
        // Hashed: each looked up once or more per request, never walked in order.
        let known_customers: rustc_hash::FxHashSet<&str> =
            self.input.customers.iter().map(|c| c.id.as_str()).collect();
        let config = self.input.config;
        let known_articles: rustc_hash::FxHashSet<&str> =
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

#[cfg(test)]
mod tests {
    use super::testkit::*;
    use super::*;
    use crate::model::{HistoryEntry, Priority};

    /// Requests of every shape a replay can take between two instants: closed before both,
    /// closed and then commented on or reopened later, open, paused, created later.
    fn fixture() -> Vec<Request> {
        vec![
            req("A1", "demo", Priority::P2, "16T09:00")
                .assign("16T10:00", "li.na")
                .act("16T11:00", "li.na", "comment")
                .close("17T09:00", "li.na", Outcome::Won)
                .done(),
            req("A2", "demo", Priority::P1, "16T09:00")
                .assign("16T10:00", "li.na")
                .close("18T09:00", "li.na", Outcome::Lost)
                .act("25T09:00", "li.na", "comment")
                .done(),
            {
                let mut r = req("A3", "solution", Priority::P2, "17T09:00")
                    .assign("17T10:00", "wang.fang")
                    .close("18T09:00", "wang.fang", Outcome::Won)
                    .done();
                r.history.push(
                    HistoryEntry::new(t("24T09:00"), "wang.fang", "reopen")
                        .from_to("closed", "design"),
                );
                r.stage = "design".into();
                r.outcome = None;
                r
            },
            req("A4", "poc", Priority::P3, "18T09:00")
                .assign("18T10:00", "wang.fang")
                .advance("19T09:00", "wang.fang", "demo")
                .done(),
            req("A5", "demo", Priority::P2, "26T09:00")
                .assign("26T10:00", "li.na")
                .close("26T15:00", "li.na", Outcome::Cancelled)
                .done(),
        ]
    }

    /// Everything of an item a report reads, in a comparable form.
    fn seen(i: &Item) -> String {
        format!(
            "{} {:?} {:?} {:?} {} {} {}",
            i.id(),
            i.tl,
            i.first_response,
            i.resolution,
            i.title,
            i.customer,
            i.confidential
        )
    }

    /// Per instant: the items as the shared pool holds them, and as a replay alone builds them.
    type Compared = Vec<(Vec<String>, Vec<String>)>;

    /// The items of `as_ofs` built together ([`items_over`]), and for each instant what
    /// they hold beside what a replay at that instant alone builds.
    fn shared_and_alone<'a>(
        config: &'a Config,
        stages: &'a [String],
        reqs: &'a [Request],
        customers: &'a [Customer],
        as_ofs: &[Timestamp],
    ) -> (Vec<Items<'a>>, Compared) {
        let together = input(
            config,
            None,
            stages,
            reqs,
            customers,
            &[],
            week_at(as_ofs[0]),
        );
        let pools = items_over(&together, as_ofs);
        let compared = as_ofs
            .iter()
            .zip(&pools)
            .map(|(at, pool)| {
                let alone = input(config, None, stages, reqs, customers, &[], week_at(*at));
                let fresh = Dataset::new(&alone).items.iter().map(seen).collect();
                (pool.iter().map(seen).collect(), fresh)
            })
            .collect();
        (pools, compared)
    }

    /// One random history step: hours after the creation (some before it, some far after
    /// every instant), who, and what.
    fn step() -> impl proptest::strategy::Strategy<Value = (i64, usize, usize)> {
        (-5i64..600, 0usize..3, 0usize..7)
    }

    /// A request built from random steps: assignments, moves, closes with and without an
    /// outcome, reopenings, comments, in any order (out-of-order histories included), and
    /// a stage and assignee that may disagree with the history (a hand edit).
    fn random_request(
        n: usize,
        created: i64,
        steps: &[(i64, usize, usize)],
        edit: bool,
    ) -> Request {
        let base = t("02T09:00");
        let hour = |h: i64| base + chrono::Duration::hours(h);
        let people = ["li.na", "wang.fang", "zhao.lei"];
        let mut r = req(&format!("R{n:06}"), "demo", Priority::P2, "02T09:00").done();
        r.created = hour(created);
        r.history[0].at = hour(created);
        for &(h, who, what) in steps {
            let by = people[who];
            let e = HistoryEntry::new(hour(created + h), by, "comment");
            r.history.push(match what {
                0 => HistoryEntry::new(e.at, "zhang.wei", "assign").to(by),
                1 => HistoryEntry::new(e.at, by, "advance").from_to("assigned", "demo"),
                2 => HistoryEntry::new(e.at, by, "close")
                    .from_to("demo", "closed")
                    .with("outcome", "won"),
                3 => HistoryEntry::new(e.at, by, "close").from_to("demo", "closed"),
                4 => HistoryEntry::new(e.at, by, "reopen").from_to("closed", "demo"),
                5 => HistoryEntry::new(e.at, by, "advance").from_to("demo", "review"),
                _ => e,
            });
        }
        if edit {
            r.stage = "closed".into();
            r.assignee = Some("sun.li".into());
        }
        r
    }

    /// One to eleven requests built by [`random_request`] from random steps.
    fn random_requests() -> impl proptest::strategy::Strategy<Value = Vec<Request>> {
        use proptest::strategy::Strategy;
        proptest::collection::vec(
            (
                -10i64..300,
                proptest::collection::vec(step(), 0..8),
                proptest::bool::weighted(0.2),
            ),
            1..12,
        )
        .prop_map(|requests| {
            requests
                .iter()
                .enumerate()
                .map(|(n, (created, steps, edit))| random_request(n, *created, steps, *edit))
                .collect()
        })
    }

    proptest::proptest! {
        /// Whatever the histories and the instants, the items shared between instants are
        /// those a replay at each instant builds.
        #[test]
        fn shared_items_equal_a_replay_at_each_instant(
            reqs in random_requests(),
            instants in proptest::collection::vec(-20i64..900, 1..6),
            paused in proptest::bool::ANY,
        ) {
            let mut config = config();
            if paused {
                config.workflow.paused_stages = vec!["demo".into()];
            }
            let stages = stages();
            let customers = [customer(CUS, "华东银行", false)];
            let base = t("02T09:00");
            let as_ofs: Vec<Timestamp> = instants
                .iter()
                .map(|h| base + chrono::Duration::hours(*h))
                .collect();
            let (_, compared) = shared_and_alone(&config, &stages, &reqs, &customers, &as_ofs);
            for (shared, fresh) in compared {
                proptest::prop_assert_eq!(shared, fresh);
            }
        }
    }

    proptest::proptest! {
        /// The weekly numbers without the lists are the weekly report's, but for what they
        /// leave out.
        #[test]
        fn weekly_numbers_are_the_weekly_reports(
            reqs in random_requests(),
            instant in -20i64..900,
        ) {
            let config = config();
            let stages = stages();
            let customers = [customer(CUS, "华东银行", false)];
            let at = t("02T09:00") + chrono::Duration::hours(instant);
            let input = input(&config, None, &stages, &reqs, &customers, &[], week_at(at));
            let data = Dataset::new(&input);
            let mut full = serde_json::to_value(weekly::build(&data)).unwrap();
            let numbers = serde_json::to_value(weekly::numbers(&data)).unwrap();
            // What the numbers leave out, emptied in the whole report.
            for (parent, key) in [
                ("/sla", "breaches"),
                ("/closed", "requests"),
                ("/complaints", "open"),
                ("", "attention"),
                ("", "anomalies"),
            ] {
                full.pointer_mut(parent).unwrap()[key] = serde_json::json!([]);
            }
            full["summary"]["anomalies"] = serde_json::json!(0);
            full["kb"] = serde_json::to_value(kb::KbActivity::default()).unwrap();
            proptest::prop_assert_eq!(full, numbers);
        }
    }

    #[test]
    fn items_shared_between_instants_are_those_replayed_at_each() {
        let mut config = config();
        config.workflow.paused_stages = vec!["demo".into()];
        let stages = stages();
        let reqs = fixture();
        let customers = [customer(CUS, "华东银行", true)];
        // Out of order and repeated: each pool answers its own instant.
        let instants = [
            "27T18:00", "16T09:30", "20T12:00", "24T08:00", "27T18:00", "19T09:00",
        ];
        let as_ofs: Vec<Timestamp> = instants.iter().map(|s| t(s)).collect();
        let (pools, compared) = shared_and_alone(&config, &stages, &reqs, &customers, &as_ofs);
        assert_eq!(pools.len(), instants.len());
        for (at, (shared, fresh)) in instants.iter().zip(compared) {
            assert_eq!(shared, fresh, "as of {at}");
        }
        // A1, closed on the 17th with nothing after, is one item from the 20th on; A2, commented
        // on the 25th, and A3, reopened on the 24th, are replayed again at the 27th.
        fn id<'p>(pool: &Items<'p>, suffix: &str) -> Arc<Item<'p>> {
            pool.0
                .iter()
                .find(|i| i.id().ends_with(suffix))
                .cloned()
                .unwrap()
        }
        let (p20, p27) = (&pools[2], &pools[0]);
        assert!(Arc::ptr_eq(&id(p20, "A1"), &id(p27, "A1")));
        assert!(!Arc::ptr_eq(&id(p20, "A2"), &id(p27, "A2")));
        assert!(!Arc::ptr_eq(&id(p20, "A3"), &id(p27, "A3")));
        assert!(Arc::ptr_eq(&pools[0].0[0], &pools[4].0[0]));
        assert_eq!(pools[1].len(), 2, "as of the 16th, only A1 and A2 exist");
    }
}
