//! `presales report training`: rendering of [`crate::report::training::TrainingReport`].

use super::{Doc, h, machine, num, rate, subtitle};
use crate::cli::{Ctx, Format, output};
use crate::error::Result;
use crate::report::training::{self, Session, SessionLine, Source, TrainingReport};
use crate::report::{Dataset, Zone};

pub fn render(ctx: &Ctx, data: &Dataset, zone: &Zone, sessions: &[Session]) -> Result<String> {
    let r = training::build(data, sessions);
    if let Some(out) = machine(ctx.format, &r) {
        return out;
    }
    match ctx.format {
        Format::Csv => csv(&r),
        f => document(&r, zone).render_as(f),
    }
}

/// Held sessions show their attendance, planned ones how many are invited.
fn session_rows(lines: &[SessionLine], planned: bool) -> Vec<Vec<String>> {
    lines
        .iter()
        .map(|l| {
            let s = &l.session;
            vec![
                s.date.to_string(),
                s.kind.to_string(),
                match s.source {
                    Source::Training => s.id.clone(),
                    Source::Handover => format!("{} (handover)", s.id),
                },
                h(s.hours),
                s.trainer.clone(),
                match &l.attendance {
                    _ if planned => format!("{} invited", s.invited.len()),
                    Some(r) => rate(r),
                    None => s.attended.len().to_string(),
                },
                s.title.clone(),
            ]
        })
        .collect()
}

const SESSION_HEADERS: [&str; 7] = [
    "DATE", "KIND", "SESSION", "HOURS", "TRAINER", "ATTENDED", "TITLE",
];

fn document(r: &TrainingReport, zone: &Zone) -> Doc {
    let mut d = Doc::default();
    let s = &r.summary;
    d.title(format!("Training {}", r.header.period.label));
    d.text(subtitle(&r.header, zone));
    d.strong(format!(
        "{} held, {} h · attendance {} · {} trainings per member · {} without a security training since {}",
        output::count(s.sessions, "session"),
        h(s.hours),
        rate(&s.attendance_rate),
        s.trainings_per_member
            .map_or_else(|| "n/a".into(), |x| format!("{x:.2}")),
        output::count(s.security_due, "member"),
        r.security_window.0,
    ));
    d.heading("Per member");
    d.table(
        &[
            "MEMBER",
            "NAME",
            "ATTENDED",
            "HOURS",
            "GAVE",
            "HOURS GIVEN",
            "ATTENDANCE",
            "LAST SECURITY",
        ],
        r.members
            .iter()
            .map(|m| {
                vec![
                    if m.active {
                        m.member.clone()
                    } else {
                        format!("{} (left)", m.member)
                    },
                    m.name.clone(),
                    m.sessions_attended.to_string(),
                    h(m.hours_attended),
                    m.sessions_given.to_string(),
                    h(m.hours_given),
                    rate(&m.attendance),
                    match (m.last_security, m.security_due) {
                        (Some(day), true) => format!("{day} (due)"),
                        (Some(day), false) => day.to_string(),
                        (None, true) => "never (due)".into(),
                        (None, false) => "-".into(),
                    },
                ]
            })
            .collect(),
        "no team members in presales.toml",
    );
    d.heading("Security training due (保密培训)");
    let due: Vec<String> = r
        .members
        .iter()
        .filter(|m| m.security_due)
        .map(|m| match m.last_security {
            Some(day) => format!("{} {}: last on {day}", m.member, m.name),
            None => format!("{} {}: never", m.member, m.name),
        })
        .collect();
    if due.is_empty() {
        d.text(format!(
            "every active member has had one since {}",
            r.security_window.0
        ));
    } else {
        d.bullets(due);
    }
    d.heading("Sessions held");
    d.table(
        &SESSION_HEADERS,
        session_rows(&r.sessions, false),
        "no training session in the period (`presales training new`)",
    );
    d.heading("Planned");
    d.table(
        &SESSION_HEADERS,
        session_rows(&r.planned, true),
        "nothing planned for the rest of the period",
    );
    d
}

/// One row per member.
fn csv(r: &TrainingReport) -> Result<String> {
    output::csv(
        &[
            "member",
            "name",
            "active",
            "sessions_attended",
            "hours_attended",
            "sessions_given",
            "hours_given",
            "invited",
            "attended_invited",
            "attendance_pct",
            "last_security",
            "security_due",
        ],
        r.members
            .iter()
            .map(|m| {
                vec![
                    m.member.clone(),
                    m.name.clone(),
                    m.active.to_string(),
                    m.sessions_attended.to_string(),
                    num(Some(m.hours_attended), 2),
                    m.sessions_given.to_string(),
                    num(Some(m.hours_given), 2),
                    m.attendance.denominator.to_string(),
                    m.attendance.numerator.to_string(),
                    num(m.attendance.pct, 1),
                    m.last_security.map(|d| d.to_string()).unwrap_or_default(),
                    m.security_due.to_string(),
                ]
            })
            .collect(),
    )
}
