//! The training report (员工技术培训 / 培训计划 / 保密培训): per member the sessions and hours
//! as trainee and as trainer, the attendance rate, and who has not had the yearly security
//! training.
//!
//! Sessions are the training records (`trainings/`) and, derived and never copied, the
//! trainings given at a solution's handover (`handover.training`, kind `handover`). A
//! session counts in the period when its date falls in it and is not after the as-of day;
//! what was recorded after the as-of instant (a session created, an attendance, a
//! handover) is left out, so a past period reads the same whenever it is reported.
//!
//! - **Attendance rate** = invited members who attended ÷ members invited, over the
//!   training records of the period. Members who came uninvited count for their hours,
//!   not for the rate; handover trainings record who was there, not who was invited, so
//!   they are not in the rate either.
//! - **Trainings per member** = sessions attended by active members ÷ active members.
//! - **Security training** is due yearly: a member has had it when they attended or gave a
//!   session of kind `security` dated in the 12 months up to the as-of day (a rolling year,
//!   so a training in December still counts in November of the next year).

use std::collections::BTreeMap;

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use super::stats::{Rate, round};
use super::{Dataset, Header, SCHEMA_VERSION};
use crate::model::{Action, Solution, Training, TrainingKind};

/// Where a session comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A training record (`presales training new`).
    Training,
    /// A training given at a solution's handover (`presales handover --training`).
    Handover,
}

/// One session as the report counts it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Session {
    /// The training's ID, or the solution's for a handover training.
    pub id: String,
    pub source: Source,
    pub kind: TrainingKind,
    pub date: NaiveDate,
    pub title: String,
    pub hours: f64,
    pub trainer: String,
    /// Members invited (empty for handover trainings).
    pub invited: Vec<String>,
    /// Members who attended, as recorded by the as-of instant.
    pub attended: Vec<String>,
}

impl Session {
    /// Invited members who attended.
    pub fn attended_invited(&self) -> usize {
        self.invited
            .iter()
            .filter(|m| self.attended.contains(m))
            .count()
    }
}

fn hours_of(d: Decimal) -> f64 {
    round(d.to_f64().unwrap_or(0.0), 2)
}

/// Every session known at `as_of`: the training records created by then, with the
/// attendance recorded by then, and the trainings of the handovers made by then, whose
/// trainer is who recorded the handover (else the solution's author), whose attendees are
/// the ones that name team members, and whose length is `default_hours`. Sorted by date,
/// then ID. Pure.
pub fn sessions(
    trainings: &[Training],
    solutions: &[Solution],
    is_member: impl Fn(&str) -> bool,
    default_hours: Decimal,
    as_of: crate::model::Timestamp,
) -> Vec<Session> {
    let mut out: Vec<Session> = trainings
        .iter()
        .filter(|t| t.created <= as_of)
        .map(|t| Session {
            id: t.id.clone(),
            source: Source::Training,
            kind: t.kind,
            date: t.date,
            title: t.title.clone(),
            hours: hours_of(t.hours),
            trainer: t.trainer.clone(),
            invited: t.attendees.clone(),
            attended: t
                .attended
                .iter()
                .filter(|a| a.at <= as_of)
                .map(|a| a.member.clone())
                .collect(),
        })
        .collect();
    for s in solutions {
        let Some(h) = s.handover.as_ref().filter(|h| h.at <= as_of) else {
            continue;
        };
        let trainer = s
            .history
            .iter()
            .rev()
            .find(|e| e.at <= as_of && Action::parse(&e.action) == Action::Handover)
            .map_or_else(|| s.author.clone(), |e| e.by.clone());
        for t in &h.training {
            let mut attended: Vec<String> = Vec::new();
            for a in t.attendees.iter().map(|a| a.trim()) {
                if is_member(a) && a != trainer && !attended.iter().any(|x| x == a) {
                    attended.push(a.to_string());
                }
            }
            out.push(Session {
                id: s.id.clone(),
                source: Source::Handover,
                kind: TrainingKind::Handover,
                date: t.date,
                title: t.topic.clone(),
                hours: hours_of(default_hours),
                trainer: trainer.clone(),
                invited: Vec::new(),
                attended,
            });
        }
    }
    out.sort_by(|a, b| {
        (a.date, &a.id, a.source, &a.title).cmp(&(b.date, &b.id, b.source, &b.title))
    });
    out
}

/// The headline numbers.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Sessions held in the period.
    pub sessions: usize,
    /// Their hours, added up.
    pub hours: f64,
    /// Member attendances of these sessions.
    pub attendances: usize,
    /// Invited members who attended ÷ members invited (training records only).
    pub attendance_rate: Rate,
    /// Active members.
    pub members: usize,
    /// Sessions attended by active members ÷ active members.
    pub trainings_per_member: Option<f64>,
    /// Active members without a security training in the 12 months up to the as-of day.
    pub security_due: usize,
}

/// One member's figures.
#[derive(Debug, Clone, Serialize)]
pub struct MemberLine {
    pub member: String,
    pub name: String,
    pub active: bool,
    /// Sessions attended and their hours.
    pub sessions_attended: usize,
    pub hours_attended: f64,
    /// Sessions given and their hours.
    pub sessions_given: usize,
    pub hours_given: f64,
    /// Sessions the member was invited to, and attended of those.
    pub attendance: Rate,
    /// The last security training attended or given, up to the as-of day (any year).
    pub last_security: Option<NaiveDate>,
    /// No security training in the 12 months up to the as-of day.
    pub security_due: bool,
}

/// A session held in the period.
#[derive(Debug, Clone, Serialize)]
pub struct SessionLine {
    #[serde(flatten)]
    pub session: Session,
    /// Invited members who attended ÷ invited (`null` for handover trainings).
    pub attendance: Option<Rate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrainingReport {
    pub schema_version: u32,
    pub report: &'static str,
    #[serde(flatten)]
    pub header: Header,
    /// The 12 months the security training is looked for in: from, to (the as-of day).
    pub security_window: (NaiveDate, NaiveDate),
    pub summary: Summary,
    /// Every active member, then former members who appear in the period; by id.
    pub members: Vec<MemberLine>,
    /// Sessions held in the period, by date.
    pub sessions: Vec<SessionLine>,
    /// Sessions of the period still to come (dated after the as-of day), by date.
    pub planned: Vec<SessionLine>,
}

fn line(s: &Session) -> SessionLine {
    SessionLine {
        attendance: (s.source == Source::Training)
            .then(|| Rate::new(s.attended_invited(), s.invited.len())),
        session: s.clone(),
    }
}

/// The report over `all` sessions (from [`sessions`]). Pure.
pub fn build(data: &Dataset, all: &[Session]) -> TrainingReport {
    let w = data.window();
    let config = data.input.config;
    let today = w.zone.date_of(w.as_of);
    let in_period = |s: &&Session| w.period.from <= s.date && s.date <= w.period.to;
    let held: Vec<&Session> = all
        .iter()
        .filter(in_period)
        .filter(|s| s.date <= today)
        .collect();
    let planned: Vec<SessionLine> = all
        .iter()
        .filter(in_period)
        .filter(|s| s.date > today)
        .map(line)
        .collect();
    let since = today
        .checked_sub_months(Months::new(12))
        .and_then(|d| d.succ_opt())
        .unwrap_or(NaiveDate::MIN);

    #[derive(Default)]
    struct Acc {
        attended: usize,
        hours_attended: f64,
        given: usize,
        hours_given: f64,
        invited: usize,
        attended_invited: usize,
    }
    let mut acc: BTreeMap<&str, Acc> = BTreeMap::new();
    for m in config.members.iter().filter(|m| m.active) {
        acc.entry(m.id.as_str()).or_default();
    }
    for s in &held {
        let a = acc.entry(s.trainer.as_str()).or_default();
        a.given += 1;
        a.hours_given += s.hours;
        for m in &s.attended {
            let a = acc.entry(m.as_str()).or_default();
            a.attended += 1;
            a.hours_attended += s.hours;
        }
        for m in &s.invited {
            let a = acc.entry(m.as_str()).or_default();
            a.invited += 1;
            if s.attended.contains(m) {
                a.attended_invited += 1;
            }
        }
    }
    // The last security training of each member, up to the as-of day, any period.
    let mut last_security: BTreeMap<&str, NaiveDate> = BTreeMap::new();
    for s in all
        .iter()
        .filter(|s| s.kind == TrainingKind::Security && s.date <= today)
    {
        for m in s.attended.iter().chain(std::iter::once(&s.trainer)) {
            let e = last_security.entry(m.as_str()).or_insert(s.date);
            *e = (*e).max(s.date);
        }
    }
    let members: Vec<MemberLine> = acc
        .iter()
        .map(|(id, a)| {
            let member = config.member(id);
            let active = member.is_some_and(|m| m.active);
            let last = last_security.get(id).copied();
            MemberLine {
                member: id.to_string(),
                name: member.map_or_else(String::new, |m| m.name.clone()),
                active,
                sessions_attended: a.attended,
                hours_attended: round(a.hours_attended, 2),
                sessions_given: a.given,
                hours_given: round(a.hours_given, 2),
                attendance: Rate::new(a.attended_invited, a.invited),
                last_security: last,
                security_due: active && last.is_none_or(|d| d < since),
            }
        })
        .collect();
    let active: Vec<&MemberLine> = members.iter().filter(|m| m.active).collect();
    let active_attendances: usize = active.iter().map(|m| m.sessions_attended).sum();
    let invited: usize = held.iter().map(|s| s.invited.len()).sum();
    let attended_invited: usize = held.iter().map(|s| s.attended_invited()).sum();
    let summary = Summary {
        sessions: held.len(),
        hours: round(held.iter().map(|s| s.hours).sum(), 2),
        attendances: held.iter().map(|s| s.attended.len()).sum(),
        attendance_rate: Rate::new(attended_invited, invited),
        members: active.len(),
        trainings_per_member: (!active.is_empty())
            .then(|| round(active_attendances as f64 / active.len() as f64, 2)),
        security_due: active.iter().filter(|m| m.security_due).count(),
    };
    TrainingReport {
        schema_version: SCHEMA_VERSION,
        report: "training",
        header: data.header(),
        security_window: (since, today),
        summary,
        members,
        sessions: held.into_iter().map(line).collect(),
        planned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::model::training::Attendance;
    use crate::report::testkit::{input, week48};
    use crate::report::{Dataset, Period, PeriodSpec, Window};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn t(s: &str) -> crate::model::Timestamp {
        chrono::DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn training(
        id: &str,
        kind: TrainingKind,
        date: &str,
        hours: i64,
        trainer: &str,
        invited: &[&str],
        attended: &[(&str, &str)],
    ) -> Training {
        Training {
            id: id.into(),
            title: id.into(),
            kind,
            date: d(date),
            hours: Decimal::from(hours),
            trainer: trainer.into(),
            place: None,
            topics: vec![],
            attendees: invited.iter().map(|s| s.to_string()).collect(),
            attended: attended
                .iter()
                .map(|(m, at)| Attendance {
                    member: m.to_string(),
                    at: t(at),
                    by: "zhang.wei".into(),
                    extra: Default::default(),
                })
                .collect(),
            note: None,
            created: t("2026-01-05T09:00:00+08:00"),
            author: "zhang.wei".into(),
            extra: Default::default(),
            history: vec![],
        }
    }

    fn config() -> Config {
        let mut c = Config::parse(&crate::config::template(true)).unwrap();
        // sun.li has left: no figures are asked of her.
        if let Some(m) = c.members.iter_mut().find(|m| m.id == "sun.li") {
            m.active = false;
        }
        c
    }

    fn quarter(as_of: &str) -> Window {
        Window::resolve(
            None,
            PeriodSpec::Given(Period::parse_quarter("2026-Q4").unwrap()),
            Some(crate::report::AsOf::Instant(t(as_of))),
            t(as_of),
        )
        .unwrap()
    }

    const AS_OF: &str = "2026-11-27T18:00:00+08:00";

    fn figures(window: Window, trainings: &[Training]) -> TrainingReport {
        let config = config();
        let stages: Vec<String> = vec![];
        let input = input(&config, None, &stages, &[], &[], &[], window);
        let data = Dataset::new(&input);
        let all = sessions(
            trainings,
            &[],
            |m| config.member(m).is_some(),
            Decimal::from(2),
            t(AS_OF),
        );
        build(&data, &all)
    }

    /// Four sessions in Q4 and one the year before:
    ///
    /// | id | kind     | date       | h | trainer   | invited                  | attended                 |
    /// |----|----------|------------|---|-----------|--------------------------|--------------------------|
    /// | P1 | product  | 2026-10-10 | 3 | li.na     | wang.fang, liu.yang      | wang.fang, zhao.lei      |
    /// | S1 | security | 2026-11-20 | 2 | zhang.wei | li.na, wang.fang, liu.yang | li.na, wang.fang       |
    /// | P2 | product  | 2026-11-25 | 1 | wang.fang | li.na                    | li.na (recorded 11-28)   |
    /// | F1 | product  | 2026-12-10 | 2 | li.na     | liu.yang                 | —                        |
    /// | S0 | security | 2025-11-01 | 2 | zhang.wei | liu.yang, chen.jing      | liu.yang, chen.jing      |
    fn store() -> Vec<Training> {
        use TrainingKind::*;
        vec![
            training(
                "P1",
                Product,
                "2026-10-10",
                3,
                "li.na",
                &["wang.fang", "liu.yang"],
                &[
                    ("wang.fang", "2026-10-10T18:00:00+08:00"),
                    ("zhao.lei", "2026-10-10T18:00:00+08:00"),
                ],
            ),
            training(
                "S1",
                Security,
                "2026-11-20",
                2,
                "zhang.wei",
                &["li.na", "wang.fang", "liu.yang"],
                &[
                    ("li.na", "2026-11-20T18:00:00+08:00"),
                    ("wang.fang", "2026-11-20T18:00:00+08:00"),
                ],
            ),
            training(
                "P2",
                Product,
                "2026-11-25",
                1,
                "wang.fang",
                &["li.na"],
                &[("li.na", "2026-11-28T09:00:00+08:00")],
            ),
            training("F1", Product, "2026-12-10", 2, "li.na", &["liu.yang"], &[]),
            training(
                "S0",
                Security,
                "2025-11-01",
                2,
                "zhang.wei",
                &["liu.yang", "chen.jing"],
                &[
                    ("liu.yang", "2025-11-01T18:00:00+08:00"),
                    ("chen.jing", "2025-11-01T18:00:00+08:00"),
                ],
            ),
        ]
    }

    fn member<'a>(r: &'a TrainingReport, id: &str) -> &'a MemberLine {
        r.members.iter().find(|m| m.member == id).unwrap()
    }

    #[test]
    fn the_quarter_matches_the_hand_computation() {
        let r = figures(quarter(AS_OF), &store());
        // Held by 11-27: P1, S1, P2 (F1 is planned; S0 is another year).
        let held: Vec<&str> = r.sessions.iter().map(|s| s.session.id.as_str()).collect();
        assert_eq!(held, ["P1", "S1", "P2"]);
        let planned: Vec<&str> = r.planned.iter().map(|s| s.session.id.as_str()).collect();
        assert_eq!(planned, ["F1"]);
        assert_eq!(r.summary.sessions, 3);
        assert_eq!(r.summary.hours, 6.0);
        // li.na's attendance of P2 was recorded after the as-of instant: not counted.
        assert_eq!(r.summary.attendances, 4);
        // Invited 2 + 3 + 1 = 6; of them attended wang.fang (P1), li.na and wang.fang (S1).
        assert_eq!(r.summary.attendance_rate, Rate::new(3, 6));
        // Active: zhang.wei, chen.jing, li.na, wang.fang, liu.yang, zhao.lei (sun.li left).
        assert_eq!(r.summary.members, 6);
        assert_eq!(r.summary.trainings_per_member, Some(round(4.0 / 6.0, 2)));
        let li = member(&r, "li.na");
        assert_eq!((li.sessions_attended, li.hours_attended), (1, 2.0));
        assert_eq!((li.sessions_given, li.hours_given), (1, 3.0));
        assert_eq!(li.attendance, Rate::new(1, 2));
        let wang = member(&r, "wang.fang");
        assert_eq!((wang.sessions_attended, wang.hours_attended), (2, 5.0));
        assert_eq!((wang.sessions_given, wang.hours_given), (1, 1.0));
        assert_eq!(wang.attendance, Rate::new(2, 2));
        // zhao.lei came uninvited: hours, no rate.
        let zhao = member(&r, "zhao.lei");
        assert_eq!((zhao.sessions_attended, zhao.hours_attended), (1, 3.0));
        assert_eq!(zhao.attendance, Rate::new(0, 0));
        assert_eq!(zhao.attendance.pct, None);
        // Security: li.na and wang.fang attended S1, zhang.wei gave it; liu.yang and
        // chen.jing last had it on 2025-11-01, more than 12 months before 11-27.
        assert_eq!(r.security_window, (d("2025-11-28"), d("2026-11-27")));
        let due: Vec<&str> = r
            .members
            .iter()
            .filter(|m| m.security_due)
            .map(|m| m.member.as_str())
            .collect();
        assert_eq!(due, ["chen.jing", "liu.yang", "zhao.lei"]);
        assert_eq!(member(&r, "liu.yang").last_security, Some(d("2025-11-01")));
        assert_eq!(member(&r, "zhang.wei").last_security, Some(d("2026-11-20")));
        assert_eq!(r.summary.security_due, 3);
        assert!(r.members.iter().all(|m| m.member != "sun.li"));
    }

    #[test]
    fn the_rolling_year_reaches_back_twelve_months() {
        // Whatever the period: as of 2026-11-27 the 2025-11-01 session is too old.
        let window = week48("27T18:00");
        let r = figures(window, &store());
        assert!(member(&r, "liu.yang").security_due);
        assert_eq!(r.summary.sessions, 1, "P2 in W48; S1 was the week before");
        // As of 2026-10-31, it is inside the 12 months.
        let mut early = store();
        early.retain(|t| t.id == "S0");
        let w = Window::resolve(
            None,
            PeriodSpec::Given(Period::parse_month("2026-10").unwrap()),
            Some(crate::report::AsOf::Instant(t("2026-10-31T12:00:00+08:00"))),
            t("2026-10-31T12:00:00+08:00"),
        )
        .unwrap();
        let r = figures(w, &early);
        assert!(!member(&r, "liu.yang").security_due);
        assert!(member(&r, "li.na").security_due);
    }

    #[test]
    fn handover_trainings_count_as_derived_sessions() {
        use crate::model::HistoryEntry;
        use crate::model::solution::{Handover, Training as Given};
        let config = config();
        let mut sol: Solution = serde_json::from_value(serde_json::json!({
            "id": "SOL-1", "request": "REQ-1", "title": "方案", "version": 1,
            "author": "li.na", "created": "2026-11-01T09:00:00+08:00",
        }))
        .unwrap();
        sol.handover = Some(Handover {
            to: "zhao.lei".into(),
            at: t("2026-11-26T10:00:00+08:00"),
            training: vec![Given {
                date: d("2026-11-26"),
                topic: "方案讲解".into(),
                attendees: vec!["zhao.lei".into(), "客户 CTO".into(), "wang.fang".into()],
                extra: Default::default(),
            }],
            notes: None,
            extra: Default::default(),
        });
        sol.history.push(HistoryEntry::new(
            t("2026-11-26T10:00:00+08:00"),
            "wang.fang",
            "handover",
        ));
        let all = sessions(
            &[],
            std::slice::from_ref(&sol),
            |m| config.member(m).is_some(),
            Decimal::new(15, 1),
            t(AS_OF),
        );
        assert_eq!(all.len(), 1);
        let s = &all[0];
        assert_eq!(s.kind, TrainingKind::Handover);
        assert_eq!(s.source, Source::Handover);
        assert_eq!(s.trainer, "wang.fang", "who recorded the handover");
        assert_eq!(
            s.attended,
            ["zhao.lei"],
            "members only, the trainer left out"
        );
        assert_eq!(s.hours, 1.5);
        // Before the handover was recorded, there is no session.
        let none = sessions(
            &[],
            std::slice::from_ref(&sol),
            |m| config.member(m).is_some(),
            Decimal::from(2),
            t("2026-11-25T10:00:00+08:00"),
        );
        assert!(none.is_empty());
    }
}
