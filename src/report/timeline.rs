//! A request's history replayed up to the as-of instant: stage visits, assignment spells,
//! the first response and the close, plus whatever in the history does not add up.
//!
//! Nothing here fails: an inconsistent history yields a best-effort timeline and an anomaly.

use serde::Serialize;

use crate::assign::ASSIGN_ACTION;
use crate::model::facts::{Name, Step};
use crate::model::{Outcome, Request, Timestamp};
use crate::workflow::{CLOSED, FIRST_STAGE};

/// One stay of a request in a stage, `[from, to)`; `to` is `None` while it lasts.
#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    pub stage: Name,
    pub from: Timestamp,
    pub to: Option<Timestamp>,
}

/// One period during which a member was the assignee.
#[derive(Debug, Clone, PartialEq)]
pub struct Spell {
    pub member: Name,
    pub from: Timestamp,
    pub to: Option<Timestamp>,
}

/// What can be wrong with a record, listed by the reports instead of crashing them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnomalyKind {
    ClosedBeforeCreated,
    HistoryBeforeCreated,
    HistoryOutOfOrder,
    StageWithoutHistory,
    MoveFromWrongStage,
    AssigneeWithoutHistory,
    ClosedWithoutOutcome,
    UnknownAssignee,
    FormerMember,
    UnknownCustomer,
    UnknownType,
    UnknownStage,
    SatisfactionOutOfRange,
    UnknownArticle,
}

/// An anomaly of one record, with a sentence saying what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Anomaly {
    pub request: String,
    pub kind: AnomalyKind,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    pub created: Timestamp,
    pub visits: Vec<Visit>,
    pub spells: Vec<Spell>,
    /// The assignee at the as-of instant.
    pub assignee: Option<Name>,
    /// When and by whom the first response came.
    pub first_response: Option<(Timestamp, Name)>,
    pub closed: Option<Timestamp>,
    pub outcome: Option<Outcome>,
    pub anomalies: Vec<(AnomalyKind, String)>,
}

/// The names the replay compares every step with, interned once per process: a step's
/// action or stage is then told by its address, not by its text (a dashboard replays a
/// million steps up to fourteen times).
struct Known {
    create: Name,
    assign: Name,
    advance: Name,
    revise: Name,
    close: Name,
    reopen: Name,
    log: Name,
    first_stage: Name,
    closed: Name,
}

fn known() -> &'static Known {
    use crate::model::Action;
    static KNOWN: std::sync::LazyLock<Known> = std::sync::LazyLock::new(|| Known {
        create: Name::new(Action::Create.as_str()),
        assign: Name::new(ASSIGN_ACTION),
        advance: Name::new(Action::Advance.as_str()),
        revise: Name::new(Action::Revise.as_str()),
        close: Name::new(Action::Close.as_str()),
        reopen: Name::new(Action::Reopen.as_str()),
        log: Name::new(Action::Log.as_str()),
        first_stage: Name::new(FIRST_STAGE),
        closed: Name::new(CLOSED),
    });
    &KNOWN
}

impl Known {
    /// [`crate::model::Action::is_move`] of an action's name.
    fn is_move(&self, action: Name) -> bool {
        action == self.advance
            || action == self.revise
            || action == self.close
            || action == self.reopen
    }

    /// The move `assign` makes by itself (out of `registered`) is not a response.
    fn is_automatic(&self, e: &Step) -> bool {
        e.action == self.create
            || e.action == self.assign
            || (e.action == self.advance && e.from == Some(self.first_stage))
            // Logging hours is bookkeeping, not an answer to anyone.
            || e.action == self.log
    }
}

impl Timeline {
    /// Replays `req`'s history up to `as_of`; `None` when the request did not exist yet.
    ///
    /// When the whole history is replayed, the record's own `stage` and `assignee` win over
    /// what the history says (a hand edit is the present truth); the mismatch is an anomaly
    /// and the change is dated at the last history entry.
    pub fn build(req: &Request, as_of: Timestamp) -> Option<Timeline> {
        Timeline::build_with(
            req,
            &Step::all(&req.history),
            as_of,
            &crate::config::DEFAULT_FIRST_RESPONSE.map(String::from),
        )
    }

    /// [`Timeline::build`] of the request's history as `steps`, with the actions that count
    /// as a response (`[workflow] first_response`).
    pub fn build_with(
        req: &Request,
        steps: &[Step],
        as_of: Timestamp,
        responses: &[String],
    ) -> Option<Timeline> {
        if req.created > as_of {
            return None;
        }
        let mut anomalies = Vec::new();
        // The entries in time order: the history itself, as it nearly always is (a replay
        // per request and instant copies nothing), else a sorted list of references.
        let mut sorted: Vec<&Step> = Vec::new();
        if !steps.is_sorted_by_key(|e| e.at) {
            anomalies.push((
                AnomalyKind::HistoryOutOfOrder,
                "history entries are not in time order; read in time order".to_string(),
            ));
            sorted = steps.iter().collect();
            sorted.sort_by_key(|e| e.at);
        }
        let in_order = || {
            if sorted.is_empty() {
                either::Either::Left(steps.iter())
            } else {
                either::Either::Right(sorted.iter().copied())
            }
        };
        if let Some(e) = in_order().find(|e| e.at < req.created && e.action != "close") {
            anomalies.push((
                AnomalyKind::HistoryBeforeCreated,
                format!(
                    "history entry `{}` at {} is earlier than the creation ({})",
                    e.action,
                    e.at.to_rfc3339(),
                    req.created.to_rfc3339()
                ),
            ));
        }
        // In time order, the entries up to the as-of instant come first.
        let replayed = in_order().take_while(|e| e.at <= as_of).count();
        let complete = replayed == steps.len();
        let entries = || in_order().take(replayed);

        // Sized to what the replay enters: a report keeps a timeline per request, and a
        // vector grown by doubling would hold twice the room it uses.
        let known = known();
        let moves = entries().filter(|e| known.is_move(e.action)).count();
        let assigns = entries().filter(|e| e.action == known.assign).count();
        let mut visits = Vec::with_capacity(1 + moves);
        visits.push(Visit {
            stage: known.first_stage,
            from: req.created,
            to: None,
        });
        let mut tl = Timeline {
            created: req.created,
            visits,
            spells: Vec::with_capacity(assigns),
            assignee: None,
            first_response: None,
            closed: None,
            outcome: None,
            anomalies,
        };
        for e in entries() {
            if tl.first_response.is_none()
                && tl.closed.is_none()
                && !known.is_automatic(e)
                && responses.iter().any(|r| e.action == r.as_str())
                && tl.assignee.as_deref() == Some(e.by.as_str())
            {
                tl.first_response = Some((e.at, e.by));
            }
            if e.action == known.create {
                if let (Some(to), [only]) = (&e.to, tl.visits.as_mut_slice()) {
                    only.stage = *to;
                }
            } else if e.action == known.assign {
                if let Some(to) = e.to {
                    tl.set_assignee(Some(to), e.at);
                }
            } else if known.is_move(e.action) {
                let to = match e.to {
                    Some(to) => to,
                    None if e.action == known.close => known.closed,
                    None => continue,
                };
                if let Some(from) = e.from
                    && from != tl.stage_name()
                {
                    tl.anomalies.push((
                        AnomalyKind::MoveFromWrongStage,
                        format!(
                            "history moves from `{from}` at {} but the request was in `{}`",
                            e.at.to_rfc3339(),
                            tl.stage()
                        ),
                    ));
                }
                tl.enter(to, e.at);
                if e.action == known.reopen {
                    // Reopened: open again until the next close.
                    tl.closed = None;
                    tl.outcome = None;
                }
                if to == known.closed && tl.closed.is_none() {
                    tl.closed = Some(e.at);
                    tl.outcome = e.outcome.and_then(|s| s.parse().ok()).or(req.outcome);
                }
            }
        }
        if complete {
            let last_at = in_order()
                .next_back()
                .map_or(req.created, |e| e.at.max(req.created));
            if req.stage != tl.stage() {
                tl.anomalies.push((
                    AnomalyKind::StageWithoutHistory,
                    format!(
                        "stage `{}` has no history entry (the history ends in `{}`)",
                        req.stage,
                        tl.stage()
                    ),
                ));
                let stage = Name::new(&req.stage);
                tl.enter(stage, last_at);
                if stage == CLOSED && tl.closed.is_none() {
                    tl.closed = Some(last_at);
                    tl.outcome = req.outcome;
                }
            }
            if req.assignee.as_deref() != tl.assignee.as_deref() {
                tl.anomalies.push((
                    AnomalyKind::AssigneeWithoutHistory,
                    format!(
                        "assignee `{}` has no assign entry (the history says `{}`)",
                        req.assignee.as_deref().unwrap_or("none"),
                        tl.assignee.as_deref().unwrap_or("none")
                    ),
                ));
                tl.set_assignee(req.assignee.as_deref().map(Name::new), last_at);
            }
        }
        if let Some(closed) = tl.closed {
            if closed < req.created {
                tl.anomalies.push((
                    AnomalyKind::ClosedBeforeCreated,
                    format!(
                        "closed at {}, before it was created ({})",
                        closed.to_rfc3339(),
                        req.created.to_rfc3339()
                    ),
                ));
            }
            if tl.outcome.is_none() {
                tl.anomalies.push((
                    AnomalyKind::ClosedWithoutOutcome,
                    "closed without an outcome".to_string(),
                ));
            }
            if let Some(s) = tl.spells.last_mut()
                && s.to.is_none()
            {
                s.to = Some(closed.max(s.from));
            }
        }
        Some(tl)
    }

    fn enter(&mut self, stage: Name, at: Timestamp) {
        if let Some(v) = self.visits.last_mut() {
            v.to = Some(at.max(v.from));
        }
        let from = self.visits.last().and_then(|v| v.to).unwrap_or(at);
        self.visits.push(Visit {
            stage,
            from,
            to: None,
        });
    }

    fn set_assignee(&mut self, who: Option<Name>, at: Timestamp) {
        if let Some(s) = self.spells.last_mut()
            && s.to.is_none()
        {
            s.to = Some(at.max(s.from));
        }
        if let Some(m) = who {
            self.spells.push(Spell {
                member: m,
                from: at,
                to: None,
            });
        }
        self.assignee = who;
    }

    /// The stage at the as-of instant.
    pub fn stage(&self) -> &str {
        self.visits.last().map_or(FIRST_STAGE, |v| v.stage.as_str())
    }

    /// [`Timeline::stage`] as a name, compared by address.
    fn stage_name(&self) -> Name {
        self.visits.last().map_or(known().first_stage, |v| v.stage)
    }

    /// When the request entered its current stage.
    pub fn entered(&self) -> Timestamp {
        self.visits.last().map_or(self.created, |v| v.from)
    }

    pub fn is_open(&self) -> bool {
        self.closed.is_none()
    }

    /// The member who was the assignee at `t` (the latest spell started at or before it).
    pub fn assignee_at(&self, t: Timestamp) -> Option<&str> {
        self.spells
            .iter()
            .rev()
            .find(|s| s.from <= t)
            .map(|s| s.member.as_str())
    }

    /// Intervals spent in `paused` stages, open ones ending at `as_of`.
    pub fn paused(&self, paused: &[String], as_of: Timestamp) -> Vec<(Timestamp, Timestamp)> {
        self.visits
            .iter()
            .filter(|v| v.stage != CLOSED && paused.iter().any(|p| v.stage == p.as_str()))
            .map(|v| (v.from, v.to.unwrap_or(as_of)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{HistoryEntry, Priority};
    use chrono::DateTime;

    fn t(s: &str) -> Timestamp {
        DateTime::parse_from_rfc3339(&format!("2026-11-{s}:00+08:00")).unwrap()
    }

    pub(crate) fn req(created: &str, history: Vec<HistoryEntry>) -> Request {
        let mut r: Request = serde_json::from_value(serde_json::json!({
            "id": "REQ-20261102-A000000",
            "title": "t",
            "type": "solution",
            "priority": "P2",
            "customer": "CUS-20261102-A000000",
            "created": t(created).to_rfc3339(),
            "stage": "registered",
        }))
        .unwrap();
        r.priority = Priority::P2;
        r.history = history;
        // The record's fields agree with its history unless a test says otherwise.
        for e in &r.history {
            match e.action.as_str() {
                "create" | "advance" | "revise" | "close" => {
                    r.stage = e.to.clone().unwrap_or_default();
                }
                "assign" => r.assignee = e.to.clone(),
                _ => {}
            }
            if let Some(o) = e.extra.get("outcome").and_then(|o| o.as_str()) {
                r.outcome = o.parse().ok();
            }
        }
        r
    }

    pub(crate) fn e(at: &str, by: &str, action: &str) -> HistoryEntry {
        HistoryEntry::new(t(at), by, action)
    }

    #[test]
    fn logging_effort_is_not_a_first_response() {
        let r = req(
            "02T09:00",
            vec![
                e("02T09:00", "zhao.lei", "create").to("registered"),
                e("02T10:00", "zhang.wei", "assign").to("li.na"),
                e("02T11:00", "li.na", "log").with("hours", "3"),
                e("02T12:00", "li.na", "comment"),
                e("02T13:00", "li.na", "use_article"),
                e("02T15:00", "li.na", "assess"),
            ],
        );
        // Hours, an internal comment and a used article are not what the customer sees.
        let tl = Timeline::build(&r, t("30T00:00")).unwrap();
        assert_eq!(tl.first_response, Some((t("02T15:00"), Name::new("li.na"))));
        // Unless the team says so ([workflow] first_response).
        let tl = Timeline::build_with(
            &r,
            &Step::all(&r.history),
            t("30T00:00"),
            &["comment".to_string()],
        )
        .unwrap();
        assert_eq!(tl.first_response, Some((t("02T12:00"), Name::new("li.na"))));
    }

    #[test]
    fn replays_stages_assignments_and_first_response() {
        let r = req(
            "02T09:00",
            vec![
                e("02T09:00", "zhao.lei", "create").to("registered"),
                e("02T10:00", "zhang.wei", "assign").to("li.na"),
                e("02T10:00", "zhang.wei", "advance").from_to("registered", "assigned"),
                e("02T11:00", "zhang.wei", "comment"),
                e("02T15:00", "li.na", "assess"),
                e("02T15:00", "li.na", "advance").from_to("assigned", "analysis"),
                e("05T09:00", "li.na", "close")
                    .from_to("analysis", "closed")
                    .with("outcome", "infeasible"),
            ],
        );
        let tl = Timeline::build(&r, t("30T00:00")).unwrap();
        assert_eq!(tl.first_response, Some((t("02T15:00"), Name::new("li.na"))));
        assert_eq!(tl.closed, Some(t("05T09:00")));
        assert_eq!(tl.outcome, Some(Outcome::Infeasible));
        let stages: Vec<_> = tl.visits.iter().map(|v| v.stage.as_str()).collect();
        assert_eq!(stages, ["registered", "assigned", "analysis", "closed"]);
        assert_eq!(tl.visits[2].from, t("02T15:00"));
        assert_eq!(tl.visits[2].to, Some(t("05T09:00")));
        assert_eq!(tl.spells.len(), 1);
        assert_eq!(tl.spells[0].to, Some(t("05T09:00")));
        assert_eq!(tl.assignee_at(t("05T09:00")), Some("li.na"));
        // A report keeps one timeline per request: no room beyond what the replay entered.
        assert_eq!(tl.visits.capacity(), tl.visits.len());
        assert_eq!(tl.spells.capacity(), tl.spells.len());
        assert!(tl.anomalies.is_empty(), "{:?}", tl.anomalies);

        // As of an earlier time: still in analysis, not closed, nothing anomalous.
        let tl = Timeline::build(&r, t("03T00:00")).unwrap();
        assert_eq!(tl.stage(), "analysis");
        assert!(tl.is_open());
        assert!(tl.anomalies.is_empty());
        assert!(Timeline::build(&r, t("01T00:00")).is_none());
    }

    #[test]
    fn a_reopened_request_is_open_again_until_it_closes_again() {
        let mut r = req(
            "02T09:00",
            vec![
                e("02T09:00", "zhao.lei", "create").to("registered"),
                e("02T10:00", "zhang.wei", "assign").to("li.na"),
                e("02T10:00", "zhang.wei", "advance").from_to("registered", "assigned"),
                e("03T09:00", "li.na", "close")
                    .from_to("assigned", "closed")
                    .with("outcome", "cancelled"),
                e("04T09:00", "zhang.wei", "reopen").from_to("closed", "assigned"),
            ],
        );
        r.stage = "assigned".into();
        r.outcome = None;
        let tl = Timeline::build(&r, t("30T00:00")).unwrap();
        assert_eq!(tl.closed, None);
        assert_eq!(tl.outcome, None);
        assert_eq!(tl.stage(), "assigned");
        r.history.push(
            e("05T09:00", "li.na", "close")
                .from_to("assigned", "closed")
                .with("outcome", "won"),
        );
        r.stage = "closed".into();
        let tl = Timeline::build(&r, t("30T00:00")).unwrap();
        assert_eq!(tl.closed, Some(t("05T09:00")));
        assert_eq!(tl.outcome, Some(Outcome::Won));
    }

    #[test]
    fn a_self_assignment_is_not_a_response_nor_is_someone_elses_action() {
        let r = req(
            "02T09:00",
            vec![
                e("02T09:00", "li.na", "create").to("registered"),
                e("02T09:30", "li.na", "assign").to("li.na"),
                e("02T09:30", "li.na", "advance").from_to("registered", "assigned"),
                e("02T10:00", "wang.fang", "comment"),
                e("02T11:00", "zhang.wei", "assign").from_to("li.na", "wang.fang"),
                e("02T12:00", "li.na", "assess"),
                e("02T13:00", "wang.fang", "assess"),
            ],
        );
        let tl = Timeline::build(&r, t("30T00:00")).unwrap();
        assert_eq!(
            tl.first_response,
            Some((t("02T13:00"), Name::new("wang.fang")))
        );
        assert_eq!(tl.assignee.as_deref(), Some("wang.fang"));
        assert_eq!(tl.spells.len(), 2);
        assert_eq!(tl.assignee_at(t("02T10:30")), Some("li.na"));
    }

    #[test]
    fn hand_edited_stage_and_closed_before_created_are_anomalies() {
        let mut r = req(
            "10T09:00",
            vec![
                e("10T09:00", "zhao.lei", "create").to("registered"),
                e("10T10:00", "zhang.wei", "assign").to("li.na"),
                e("10T10:00", "zhang.wei", "advance").from_to("registered", "assigned"),
            ],
        );
        r.stage = "design".into();
        let tl = Timeline::build(&r, t("30T00:00")).unwrap();
        assert_eq!(tl.stage(), "design");
        assert_eq!(tl.entered(), t("10T10:00"));
        assert_eq!(tl.anomalies[0].0, AnomalyKind::StageWithoutHistory);

        // `created` hand-edited to after the close.
        let mut r = req(
            "02T09:00",
            vec![
                e("02T09:00", "zhao.lei", "create").to("registered"),
                e("03T09:00", "li.na", "close")
                    .from_to("registered", "closed")
                    .with("outcome", "won"),
            ],
        );
        r.created = t("04T09:00");
        let tl = Timeline::build(&r, t("30T00:00")).unwrap();
        let kinds: Vec<_> = tl.anomalies.iter().map(|a| a.0).collect();
        assert_eq!(
            kinds,
            [
                AnomalyKind::HistoryBeforeCreated,
                AnomalyKind::ClosedBeforeCreated
            ]
        );
        assert_eq!(tl.closed, Some(t("03T09:00")));
        assert_eq!(tl.outcome, Some(Outcome::Won));

        // Entries out of order are read in time order.
        let mut r = req("02T09:00", vec![]);
        r.history = vec![
            e("02T09:00", "zhao.lei", "create").to("registered"),
            e("03T09:00", "x", "advance").from_to("assigned", "analysis"),
            e("02T10:00", "x", "advance").from_to("registered", "assigned"),
        ];
        r.stage = "analysis".into();
        let tl = Timeline::build(&r, t("30T00:00")).unwrap();
        let kinds: Vec<_> = tl.anomalies.iter().map(|a| a.0).collect();
        assert_eq!(kinds, [AnomalyKind::HistoryOutOfOrder]);
        assert_eq!(tl.visits[1].from, t("02T10:00"));
        // … and cut at the as-of instant in time order, not in the file's order.
        let tl = Timeline::build(&r, t("02T12:00")).unwrap();
        let stages: Vec<&str> = tl.visits.iter().map(|v| v.stage.as_str()).collect();
        assert_eq!(stages, ["registered", "assigned"]);
        let kinds: Vec<_> = tl.anomalies.iter().map(|a| a.0).collect();
        assert_eq!(kinds, [AnomalyKind::HistoryOutOfOrder]);
        // In order, a cut between entries replays those before it alone.
        r.history.swap(1, 2);
        let tl = Timeline::build(&r, t("02T12:00")).unwrap();
        let stages: Vec<&str> = tl.visits.iter().map(|v| v.stage.as_str()).collect();
        assert_eq!(stages, ["registered", "assigned"]);
        assert!(tl.anomalies.is_empty(), "{:?}", tl.anomalies);
        assert_eq!(Timeline::build(&r, t("01T12:00")), None, "not created yet");
    }

    /// The interned names tell the same actions apart as [`crate::model::Action`] does.
    #[test]
    fn known_names_agree_with_the_actions() {
        use crate::model::Action;
        let known = known();
        for a in Action::KNOWN
            .iter()
            .chain([&Action::Unknown("advance-ish".into())])
        {
            let text = match a {
                Action::Unknown(t) => t.as_str(),
                a => a.as_str(),
            };
            let name = Name::new(text);
            assert_eq!(known.is_move(name), a.is_move(), "{text}");
            assert_eq!(name == known.assign, text == ASSIGN_ACTION, "{text}");
            assert_eq!(name == known.create, *a == Action::Create, "{text}");
            assert_eq!(name == known.log, *a == Action::Log, "{text}");
            assert_eq!(name == known.close, *a == Action::Close, "{text}");
            assert_eq!(name == known.reopen, *a == Action::Reopen, "{text}");
        }
        assert_eq!(known.first_stage.as_str(), FIRST_STAGE);
        assert_eq!(known.closed.as_str(), CLOSED);
    }

    #[test]
    fn paused_visits_become_intervals() {
        let r = req(
            "02T09:00",
            vec![
                e("02T09:00", "zhao.lei", "create").to("registered"),
                e("03T09:00", "li.na", "advance").from_to("registered", "waiting"),
                e("04T09:00", "li.na", "advance").from_to("waiting", "design"),
                e("05T09:00", "li.na", "advance").from_to("design", "waiting"),
            ],
        );
        let tl = Timeline::build(&r, t("30T00:00")).unwrap();
        let p = tl.paused(&["waiting".into()], t("06T09:00"));
        assert_eq!(
            p,
            [
                (t("03T09:00"), t("04T09:00")),
                (t("05T09:00"), t("06T09:00"))
            ]
        );
    }

    #[test]
    fn an_empty_history_still_gives_a_timeline() {
        let mut r = req("02T09:00", vec![]);
        r.stage = "closed".into();
        let tl = Timeline::build(&r, t("30T00:00")).unwrap();
        assert_eq!(tl.closed, Some(t("02T09:00")));
        let kinds: Vec<_> = tl.anomalies.iter().map(|a| a.0).collect();
        assert_eq!(
            kinds,
            [
                AnomalyKind::StageWithoutHistory,
                AnomalyKind::ClosedWithoutOutcome
            ]
        );
    }
}
