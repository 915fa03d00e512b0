//! `presales report sla` and `presales sla`: rendering of [`crate::report::sla_report::SlaReport`].

use super::{Doc, anomalies, clock_name, h, machine, num, oh, or_dash, pct, subtitle, when};
use crate::cli::{Ctx, Format, output};
use crate::error::Result;
use crate::report::Zone;
use crate::report::sla::Cycle;
use crate::report::sla_report::SlaReport;

pub fn render(ctx: &Ctx, r: &SlaReport, zone: &Zone) -> Result<String> {
    if let Some(out) = machine(ctx.format, r) {
        return out;
    }
    match ctx.format {
        Format::Csv => csv(r, zone),
        f => document(r, zone).render_as(f),
    }
}

/// `3.5/8.0 h (44%)`, with the state when the cycle still runs.
fn cycle(c: &Cycle) -> String {
    let used = c
        .used_pct
        .map(|p| format!(" ({p:.0}%)"))
        .unwrap_or_default();
    format!("{}/{} h{used}", h(c.elapsed_hours), oh(c.limit_hours))
}

fn state(c: &Cycle) -> String {
    let s = c.status.as_str();
    if c.running && s == "breached" {
        "breached, open".into()
    } else {
        s.into()
    }
}

pub(super) fn document(r: &SlaReport, zone: &Zone) -> Doc {
    let mut d = Doc::default();
    let now = r.scope == "now";
    if now {
        d.title("SLA: breached or at risk now");
        d.text(format!(
            "as of {} ({}) · durations in {} · confidential items {}",
            when(zone, r.header.as_of),
            r.header.time_zone,
            clock_name(r.header.clock),
            r.header.confidential
        ));
        d.strong(format!(
            "{} {} action",
            crate::cli::output::count(r.requests.len(), "open request"),
            if r.requests.len() == 1 {
                "needs"
            } else {
                "need"
            }
        ));
    } else {
        d.title(format!("SLA report {}", r.header.period.label));
        d.text(subtitle(&r.header, zone));
        d.strong(format!(
            "Attainment: first response {} ({} met, {} breached of which {} still open) · resolution {} ({} met, {} breached of which {} still open)",
            pct(r.first_response.attainment.pct),
            r.first_response.met,
            r.first_response.breached,
            r.first_response.ongoing_breached,
            pct(r.resolution.attainment.pct),
            r.resolution.met,
            r.resolution.breached,
            r.resolution.ongoing_breached,
        ));
        d.heading("Requests");
    }
    d.table(
        &[
            "REQUEST",
            "PRI",
            "STAGE",
            "ASSIGNEE",
            "FIRST RESPONSE",
            "STATE",
            "RESOLUTION",
            "STATE",
            "CUSTOMER",
            "TITLE",
        ],
        r.requests
            .iter()
            .map(|x| {
                vec![
                    x.id.clone(),
                    x.priority.to_string(),
                    x.stage.clone(),
                    or_dash(x.assignee.as_deref()),
                    cycle(&x.first_response),
                    state(&x.first_response),
                    cycle(&x.resolution),
                    state(&x.resolution),
                    x.customer.clone(),
                    x.title.clone(),
                ]
            })
            .collect(),
        if now {
            "nothing is breached or at risk"
        } else {
            "no request was open in this period"
        },
    );
    if !now {
        anomalies(&mut d, &r.anomalies);
    }
    d
}

fn csv(r: &SlaReport, zone: &Zone) -> Result<String> {
    let mut headers = vec!["id", "priority", "stage", "assignee", "created", "status"];
    let cyc = [
        "status",
        "running",
        "limit_hours",
        "elapsed_hours",
        "used_pct",
        "stopped",
        "breaches_at",
    ];
    let names: Vec<String> = ["first_response", "resolution"]
        .iter()
        .flat_map(|m| cyc.iter().map(move |c| format!("{m}_{c}")))
        .collect();
    headers.extend(names.iter().map(String::as_str));
    headers.extend(["customer", "title"]);
    let rows = r
        .requests
        .iter()
        .map(|x| {
            let mut row = vec![
                x.id.clone(),
                x.priority.to_string(),
                x.stage.clone(),
                x.assignee.clone().unwrap_or_default(),
                when(zone, x.created),
                x.status.as_str().to_string(),
            ];
            for c in [&x.first_response, &x.resolution] {
                row.extend([
                    c.status.as_str().to_string(),
                    c.running.to_string(),
                    num(c.limit_hours, 2),
                    num(Some(c.elapsed_hours), 2),
                    num(c.used_pct, 1),
                    c.stopped.map(|t| when(zone, t)).unwrap_or_default(),
                    c.breaches_at.map(|t| when(zone, t)).unwrap_or_default(),
                ]);
            }
            row.extend([x.customer.clone(), x.title.clone()]);
            row
        })
        .collect();
    output::csv(&headers, rows)
}
