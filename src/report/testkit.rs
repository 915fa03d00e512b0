//! Hand-made records for the report unit tests.

use chrono::DateTime;

use super::{ArticleInfo, AsOf, Input, Period, PeriodSpec, Window};
use crate::calendar::Calendar;
use crate::config::{self, Config};
use crate::model::{Customer, HistoryEntry, Outcome, Priority, Request, Timestamp};
use crate::workflow::CLOSED;

/// `"23T09:00"` → 2026-11-23 09:00 +08:00 (2026-11-23 is the Monday of 2026-W48).
pub fn t(s: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(&format!("2026-11-{s}:00+08:00")).unwrap()
}

pub fn config() -> Config {
    Config::parse(&config::template(true)).unwrap()
}

pub fn customer(id: &str, name: &str, confidential: bool) -> Customer {
    serde_json::from_value(serde_json::json!({
        "id": id, "name": name, "confidential": confidential,
        "created": "2026-10-01T09:00:00+08:00",
    }))
    .unwrap()
}

pub const CUS: &str = "CUS-20261001-A000000";

pub struct Req {
    req: Request,
}

/// A request created at `created` (see [`t`]) by sales, with `id` ending in `suffix`.
pub fn req(suffix: &str, kind: &str, priority: Priority, created: &str) -> Req {
    let mut r: Request = serde_json::from_value(serde_json::json!({
        "id": format!("REQ-202611{}-{suffix}", &created[..2]),
        "title": format!("request {suffix}"),
        "type": kind,
        "priority": "P3",
        "customer": CUS,
        "created": t(created).to_rfc3339(),
        "stage": "registered",
    }))
    .unwrap();
    r.priority = priority;
    r.history
        .push(HistoryEntry::new(t(created), "zhao.lei", "create").to("registered"));
    Req { req: r }
}

impl Req {
    fn stage(&self) -> String {
        self.req
            .history
            .iter()
            .rev()
            .find(|e| matches!(e.action.as_str(), "create" | "advance" | "revise" | "close"))
            .and_then(|e| e.to.clone())
            .unwrap_or_else(|| "registered".into())
    }

    /// The lead assigns `to`; the request moves to `assigned` if it was registered.
    pub fn assign(mut self, at: &str, to: &str) -> Req {
        let mut e = HistoryEntry::new(t(at), "zhang.wei", "assign").to(to);
        e.from = self.req.assignee.clone();
        self.req.history.push(e);
        self.req.assignee = Some(to.into());
        if self.stage() == "registered" {
            self.req.history.push(
                HistoryEntry::new(t(at), "zhang.wei", "advance").from_to("registered", "assigned"),
            );
        }
        self
    }

    pub fn act(mut self, at: &str, by: &str, action: &str) -> Req {
        self.req.history.push(HistoryEntry::new(t(at), by, action));
        self
    }

    pub fn advance(mut self, at: &str, by: &str, to: &str) -> Req {
        let from = self.stage();
        self.req
            .history
            .push(HistoryEntry::new(t(at), by, "advance").from_to(from, to));
        self
    }

    pub fn close(mut self, at: &str, by: &str, outcome: Outcome) -> Req {
        let from = self.stage();
        self.req.history.push(
            HistoryEntry::new(t(at), by, "close")
                .from_to(from, CLOSED)
                .with("outcome", outcome.as_str()),
        );
        self.req.outcome = Some(outcome);
        self
    }

    pub fn with(mut self, f: impl FnOnce(&mut Request)) -> Req {
        f(&mut self.req);
        self
    }

    pub fn done(mut self) -> Request {
        self.req.stage = self.stage();
        self.req
    }
}

/// Week 2026-W48 (Mon 23 – Sun 29 November), as of `as_of`, in +08:00.
pub fn week48(as_of: &str) -> Window {
    Window::resolve(
        None,
        PeriodSpec::Given(Period::parse_week("2026-W48").unwrap()),
        Some(AsOf::Instant(t(as_of))),
        t(as_of),
    )
    .unwrap()
}

/// The week holding `at`, as of `at`.
pub fn week_at(at: Timestamp) -> Window {
    Window::resolve(
        None,
        PeriodSpec::Given(Period::week_of(at.date_naive())),
        Some(AsOf::Instant(at)),
        at,
    )
    .unwrap()
}

pub fn input<'a>(
    config: &'a Config,
    calendar: Option<&'a Calendar>,
    stages: &'a [String],
    requests: &'a [Request],
    customers: &'a [Customer],
    articles: &'a [ArticleInfo],
    window: Window,
) -> Input<'a> {
    Input {
        config,
        calendar,
        stages,
        requests,
        // Leaked: a test's few requests, for the input's lifetime.
        steps: Box::leak(
            requests
                .iter()
                .map(|r| crate::model::facts::Step::all(&r.history))
                .collect(),
        ),
        customers,
        articles,
        gaps: &[],
        searches: &crate::report::kb::NO_SEARCHES,
        window,
        include_confidential: false,
    }
}

/// The input most report tests share: week 48 as of `as_of`, the workflow's stages, the
/// one customer `CUS`, no articles (stages and customer leaked, like the steps above).
pub fn week48_input<'a>(config: &'a Config, requests: &'a [Request], as_of: &str) -> Input<'a> {
    let stages: &'a [String] = Box::leak(stages().into_boxed_slice());
    let customers: &'a [Customer] = Box::leak(Box::new([customer(CUS, "华东银行", false)]));
    input(
        config,
        None,
        stages,
        requests,
        customers,
        &[],
        week48(as_of),
    )
}

pub fn stages() -> Vec<String> {
    [
        "registered",
        "assigned",
        "answered",
        "analysis",
        "design",
        "demo",
        "review",
        "approved",
        "handover",
        "closed",
    ]
    .map(String::from)
    .to_vec()
}
