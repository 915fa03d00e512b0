//! `presales report weekly`: rendering of [`crate::report::weekly::Weekly`].

use super::{
    Doc, anomalies, avg, h, machine, num, oh, or_dash, pct, rate, serde_plain, subtitle, when,
};
use crate::cli::{Ctx, Format, output};
use crate::error::Result;
use crate::report::targets::TargetsReport;
use crate::report::training::Session;
use crate::report::weekly::{self, Weekly};
use crate::report::{Dataset, Zone};

/// The weekly report with the targets of its quarter, when presales.toml sets any.
#[derive(serde::Serialize)]
struct WithTargets<'a> {
    #[serde(flatten)]
    weekly: &'a Weekly,
    #[serde(skip_serializing_if = "Option::is_none")]
    targets: Option<&'a TargetsReport>,
}

pub fn render(ctx: &Ctx, data: &Dataset, zone: &Zone, sessions: &[Session]) -> Result<String> {
    let r = weekly::build(data);
    let targets = super::quarter_targets(data, sessions);
    let both = WithTargets {
        weekly: &r,
        targets: targets.as_ref(),
    };
    if let Some(out) = machine(ctx.format, &both) {
        return out;
    }
    match ctx.format {
        Format::Csv => csv(&r),
        f => with_targets(document(&r, zone), targets.as_ref()).render_as(f),
    }
}

/// The weekly report's page as `report weekly` prints it: [`document`] and the targets of
/// its quarter (the dashboard's Weekly page is this page).
pub(super) fn page(r: &Weekly, data: &Dataset, zone: &Zone, sessions: &[Session]) -> Doc {
    with_targets(
        document(r, zone),
        super::quarter_targets(data, sessions).as_ref(),
    )
}

fn with_targets(mut d: Doc, targets: Option<&TargetsReport>) -> Doc {
    if let Some(t) = targets {
        super::targets::section(&mut d, t, true);
    }
    d
}

/// The headline: one sentence of the numbers that matter most.
fn headline(r: &Weekly) -> String {
    let s = &r.summary;
    format!(
        "{} new · {} closed ({} won, {} lost) · {} open · SLA attainment: first response {}, resolution {} · {} SLA breaches · {} at risk · {} unassigned",
        s.intake,
        s.closed,
        s.won,
        s.lost,
        s.open,
        pct(s.first_response_attainment_pct),
        pct(s.resolution_attainment_pct),
        s.breached,
        s.at_risk,
        s.unassigned,
    )
}

pub(super) fn document(r: &Weekly, zone: &Zone) -> Doc {
    let mut d = Doc::default();
    d.title(format!("Weekly report {}", r.header.period.label));
    d.text(subtitle(&r.header, zone));
    d.strong(headline(r));

    d.heading("Needs attention");
    d.table(
        &[
            "REASON", "REQUEST", "PRI", "STAGE", "ASSIGNEE", "HOURS", "LIMIT", "TITLE",
        ],
        r.attention
            .iter()
            .map(|a| {
                let reason = match a.metric {
                    Some(m) => format!("{} ({})", a.reason.as_str(), m.as_str()),
                    None => a.reason.as_str().to_string(),
                };
                vec![
                    reason,
                    a.request.clone(),
                    a.priority.to_string(),
                    a.stage.clone(),
                    or_dash(a.assignee.as_deref()),
                    h(a.hours),
                    oh(a.limit_hours),
                    a.title.clone(),
                ]
            })
            .collect(),
        "nothing needs attention",
    );

    d.heading("Intake");
    d.text(format!(
        "{} new request{}.",
        r.intake.total,
        if r.intake.total == 1 { "" } else { "s" }
    ));
    d.table(
        &["TYPE", "NEW"],
        r.intake
            .by_type
            .iter()
            .map(|c| vec![c.key.clone(), c.count.to_string()])
            .collect(),
        "no types",
    );
    d.table(
        &["PRIORITY", "NEW"],
        r.intake
            .by_priority
            .iter()
            .map(|c| vec![c.key.clone(), c.count.to_string()])
            .collect(),
        "no priorities",
    );

    d.heading("Work in progress");
    d.text(format!(
        "{}; age = hours in the current stage.",
        crate::cli::output::count(r.wip.total, "open request")
    ));
    d.table(
        &["STAGE", "OPEN", "AVG AGE", "MAX AGE", "OLDEST"],
        r.wip
            .stages
            .iter()
            .map(|s| {
                vec![
                    s.stage.clone(),
                    s.count.to_string(),
                    oh(s.avg_age_hours),
                    oh(s.max_age_hours),
                    or_dash(s.oldest.as_deref()),
                ]
            })
            .collect(),
        "no stages",
    );

    d.heading("Closed");
    let c = &r.closed;
    d.bullets(vec![
        format!(
            "Closed: {} ({})",
            c.total,
            c.by_outcome
                .iter()
                .map(|o| format!("{} {}", o.key, o.count))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        format!("Win rate: {}", rate(&c.win_rate)),
        format!("Technical-win rate: {}", rate(&c.technical_win_rate)),
        format!("Resolution rate: {}", rate(&c.resolution_rate)),
        format!("Average satisfaction: {}", avg(&c.satisfaction)),
    ]);
    d.table(
        &[
            "CLOSED", "REQUEST", "TYPE", "OUTCOME", "TECH WIN", "SAT", "ASSIGNEE", "HOURS",
            "CUSTOMER", "TITLE",
        ],
        c.requests
            .iter()
            .map(|i| {
                vec![
                    when(zone, i.closed),
                    i.id.clone(),
                    i.kind.clone(),
                    i.outcome.map_or_else(|| "-".into(), |o| o.to_string()),
                    if i.technical_win { "yes" } else { "" }.into(),
                    i.satisfaction.map_or_else(String::new, |s| s.to_string()),
                    or_dash(i.assignee.as_deref()),
                    h(i.resolution_hours),
                    i.customer.clone(),
                    i.title.clone(),
                ]
            })
            .collect(),
        "nothing closed in this period",
    );

    d.heading("Complaints");
    let c = &r.complaints;
    d.text(format!(
        "{} new · {} resolved · {} rejected · {} cancelled · {} open (not counted in win rates).",
        c.new,
        c.resolved,
        c.rejected,
        c.cancelled,
        c.open.len()
    ));
    d.table(
        &[
            "REQUEST", "PRI", "STAGE", "ASSIGNEE", "CREATED", "CUSTOMER", "TITLE",
        ],
        c.open
            .iter()
            .map(|o| {
                vec![
                    o.request.clone(),
                    o.priority.to_string(),
                    o.stage.clone(),
                    or_dash(o.assignee.as_deref()),
                    when(zone, o.created),
                    o.customer.clone(),
                    o.title.clone(),
                ]
            })
            .collect(),
        "no open complaint",
    );

    d.heading("SLA");
    d.table(
        &["METRIC", "MET", "BREACHED", "STILL OPEN", "ATTAINMENT"],
        [
            ("first response", &r.sla.first_response),
            ("resolution", &r.sla.resolution),
        ]
        .iter()
        .map(|(name, a)| {
            vec![
                name.to_string(),
                a.met.to_string(),
                a.breached.to_string(),
                a.ongoing_breached.to_string(),
                pct(a.attainment.pct),
            ]
        })
        .collect(),
        "no SLA",
    );
    d.table(
        &[
            "REQUEST", "PRI", "METRIC", "LIMIT", "ELAPSED", "STATE", "ASSIGNEE", "TITLE",
        ],
        r.sla
            .breaches
            .iter()
            .map(|b| {
                vec![
                    b.request.clone(),
                    b.priority.to_string(),
                    b.metric.as_str().to_string(),
                    oh(b.limit_hours),
                    h(b.elapsed_hours),
                    if b.running { "open" } else { "stopped" }.into(),
                    or_dash(b.assignee.as_deref()),
                    b.title.clone(),
                ]
            })
            .collect(),
        "no breaches",
    );

    d.heading("Cycle time per stage");
    d.text("Hours spent in a stage by the visits that ended in the period.".to_string());
    d.table(
        &["STAGE", "VISITS", "MEDIAN", "P90"],
        r.cycle_time
            .iter()
            .map(|s| {
                vec![
                    s.stage.clone(),
                    s.count.to_string(),
                    oh(s.median_hours),
                    oh(s.p90_hours),
                ]
            })
            .collect(),
        "no stage was left in this period",
    );

    d.heading("Workload");
    d.table(
        &[
            "MEMBER", "NAME", "OPEN", "ASSIGNED", "CLOSED", "OVERDUE", "NOTE",
        ],
        r.workload
            .iter()
            .map(|w| {
                let mut note = Vec::new();
                if w.status != "active" {
                    note.push(w.status);
                }
                if w.away {
                    note.push("away");
                }
                vec![
                    w.member.clone(),
                    or_dash(w.name.as_deref()),
                    w.open.to_string(),
                    w.assigned.to_string(),
                    w.closed.to_string(),
                    w.overdue.to_string(),
                    note.join(", "),
                ]
            })
            .collect(),
        "no engineers",
    );

    d.heading("Knowledge base");
    let kb = &r.kb;
    d.bullets(vec![
        format!("Articles: {}", kb.articles),
        format!("Uses in the period: {}", kb.uses_in_period),
        format!("New: {}", list(kb.new.iter().map(|a| (&a.id, &a.title)))),
        format!(
            "Updated: {}",
            list(kb.updated.iter().map(|a| (&a.id, &a.title)))
        ),
        format!(
            "Stale (review date passed): {}",
            list(kb.stale.iter().map(|a| (&a.id, &a.title)))
        ),
    ]);
    d.table(
        &["ARTICLE", "USES", "ALL TIME", "TITLE"],
        kb.most_used
            .iter()
            .map(|u| {
                vec![
                    u.id.clone(),
                    u.uses_in_period.to_string(),
                    u.uses_total.to_string(),
                    or_dash(u.title.as_deref()),
                ]
            })
            .collect(),
        "no article was used in this period",
    );

    anomalies(&mut d, &r.anomalies);
    d
}

fn list<'a>(items: impl Iterator<Item = (&'a String, &'a String)>) -> String {
    let v: Vec<String> = items.map(|(id, t)| format!("{id} {t}")).collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join("; ")
    }
}

/// Long format: one figure per row, `section,key,metric,value`.
fn csv(r: &Weekly) -> Result<String> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row = |section: &str, key: &str, metric: &str, value: String| {
        rows.push(vec![section.into(), key.into(), metric.into(), value]);
    };
    let s = &r.summary;
    for (m, v) in [
        ("intake", s.intake),
        ("closed", s.closed),
        ("won", s.won),
        ("lost", s.lost),
        ("open", s.open),
        ("breached", s.breached),
        ("at_risk", s.at_risk),
        ("unassigned", s.unassigned),
        ("anomalies", s.anomalies),
    ] {
        row("summary", "", m, v.to_string());
    }
    for c in &r.intake.by_type {
        row(
            "intake",
            &format!("type={}", c.key),
            "count",
            c.count.to_string(),
        );
    }
    for c in &r.intake.by_priority {
        row(
            "intake",
            &format!("priority={}", c.key),
            "count",
            c.count.to_string(),
        );
    }
    for st in &r.wip.stages {
        let k = format!("stage={}", st.stage);
        row("wip", &k, "count", st.count.to_string());
        row("wip", &k, "avg_age_hours", num(st.avg_age_hours, 2));
        row("wip", &k, "max_age_hours", num(st.max_age_hours, 2));
        row("wip", &k, "oldest", st.oldest.clone().unwrap_or_default());
    }
    for c in &r.closed.by_outcome {
        row(
            "closed",
            &format!("outcome={}", c.key),
            "count",
            c.count.to_string(),
        );
    }
    for (m, rt) in [
        ("win_rate_pct", &r.closed.win_rate),
        ("technical_win_rate_pct", &r.closed.technical_win_rate),
        ("resolution_rate_pct", &r.closed.resolution_rate),
    ] {
        row("closed", "", m, num(rt.pct, 1));
    }
    row(
        "closed",
        "",
        "satisfaction_mean",
        num(r.closed.satisfaction.mean, 2),
    );
    let c = &r.complaints;
    for (m, v) in [
        ("new", c.new),
        ("resolved", c.resolved),
        ("rejected", c.rejected),
        ("cancelled", c.cancelled),
        ("open", c.open.len()),
    ] {
        row("complaints", "", m, v.to_string());
    }
    for (k, a) in [
        ("first_response", &r.sla.first_response),
        ("resolution", &r.sla.resolution),
    ] {
        row("sla", k, "met", a.met.to_string());
        row("sla", k, "breached", a.breached.to_string());
        row("sla", k, "ongoing_breached", a.ongoing_breached.to_string());
        row("sla", k, "attainment_pct", num(a.attainment.pct, 1));
    }
    for b in &r.sla.breaches {
        row(
            "breach",
            &format!("{} {}", b.request, b.metric.as_str()),
            if b.running {
                "elapsed_hours_open"
            } else {
                "elapsed_hours"
            },
            num(Some(b.elapsed_hours), 2),
        );
    }
    for c in &r.cycle_time {
        let k = format!("stage={}", c.stage);
        row("cycle_time", &k, "visits", c.count.to_string());
        row("cycle_time", &k, "median_hours", num(c.median_hours, 2));
        row("cycle_time", &k, "p90_hours", num(c.p90_hours, 2));
    }
    for w in &r.workload {
        let k = format!("member={}", w.member);
        row("workload", &k, "open", w.open.to_string());
        row("workload", &k, "assigned", w.assigned.to_string());
        row("workload", &k, "closed", w.closed.to_string());
        row("workload", &k, "overdue", w.overdue.to_string());
    }
    row("kb", "", "articles", r.kb.articles.to_string());
    row("kb", "", "uses_in_period", r.kb.uses_in_period.to_string());
    for u in &r.kb.most_used {
        row(
            "kb",
            &format!("article={}", u.id),
            "uses_in_period",
            u.uses_in_period.to_string(),
        );
    }
    for a in &r.kb.stale {
        row("kb", &format!("article={}", a.id), "stale", "true".into());
    }
    for a in &r.attention {
        let key = match a.metric {
            Some(m) => format!("{} {}", a.request, m.as_str()),
            None => a.request.clone(),
        };
        row("attention", &key, a.reason.as_str(), num(Some(a.hours), 2));
    }
    for a in &r.anomalies {
        row(
            "anomaly",
            &a.request,
            &serde_plain(&a.kind),
            a.detail.clone(),
        );
    }
    output::csv(&["section", "key", "metric", "value"], rows)
}
