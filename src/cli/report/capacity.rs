//! `presales report capacity`: rendering of [`crate::report::capacity::CapacityReport`].

use super::{Doc, h, machine, or_dash, pct, subtitle};
use crate::cli::{Ctx, Format, output};
use crate::error::Result;
use crate::model::Activity;
use crate::report::capacity::{self, CapacityReport, MemberCapacity};
use crate::report::{Dataset, Zone};

pub fn render(ctx: &Ctx, data: &Dataset, zone: &Zone) -> Result<String> {
    let r = capacity::build(data);
    if let Some(out) = machine(ctx.format, &r) {
        return out;
    }
    match ctx.format {
        Format::Csv => csv(&r),
        f => document(&r, zone).render_as(f),
    }
}

const MEMBER_HEADERS: [&str; 13] = [
    "MEMBER", "NAME", "HOURS", "DEMO", "DESIGN", "MEETING", "TRAVEL", "POC", "RFP", "OTHER",
    "CAPACITY", "UTIL", "OPEN",
];

fn member_row(m: &MemberCapacity) -> Vec<String> {
    let mut row = vec![
        m.member.clone(),
        or_dash(m.name.as_deref()),
        m.hours.to_string(),
    ];
    row.extend(Activity::ALL.iter().map(|a| m.by_activity[a].clone()));
    row.push(h(m.capacity_hours));
    row.push(pct(m.utilisation_pct));
    row.push(if m.away {
        format!("{} (away)", m.open_load)
    } else {
        m.open_load.to_string()
    });
    row
}

pub(super) fn document(r: &CapacityReport, zone: &Zone) -> Doc {
    let mut d = Doc::default();
    d.title(format!("Capacity {}", r.header.period.label));
    d.text(subtitle(&r.header, zone));
    d.strong(format!(
        "{} h logged · utilisation {} of {} h · {} assigned · next free: {}",
        r.team.hours,
        pct(r.team.utilisation_pct),
        h(r.team.capacity_hours),
        output::count(r.team.open_load, "open request"),
        r.frees_up_next.first().map_or("-", String::as_str)
    ));
    d.heading("Hours per engineer and activity");
    let mut rows: Vec<Vec<String>> = r.members.iter().map(member_row).collect();
    if !rows.is_empty() {
        rows.push(member_row(&r.team));
    }
    d.table(&MEMBER_HEADERS, rows, "no engineer in presales.toml");
    d.heading("Effort per request");
    d.table(
        &[
            "REQUEST", "TYPE", "STAGE", "OUTCOME", "HOURS", "ALL TIME", "VALUE", "TITLE",
        ],
        r.deals
            .iter()
            .map(|x| {
                vec![
                    x.id.clone(),
                    x.kind.clone(),
                    x.stage.clone(),
                    x.outcome.map_or_else(|| "-".into(), |o| o.to_string()),
                    x.hours_in_period.to_string(),
                    x.hours_total.to_string(),
                    match (&x.value, &x.currency) {
                        (Some(v), Some(c)) => format!("{v} {c}"),
                        (Some(v), None) => v.to_string(),
                        _ => "-".into(),
                    },
                    x.title.clone(),
                ]
            })
            .collect(),
        "no effort logged in the period (`presales log REQ 3h --activity demo`)",
    );
    d.heading("Won value per hour");
    d.table(
        &["CURRENCY", "WON DEALS", "VALUE", "HOURS", "VALUE PER HOUR"],
        r.won_per_hour
            .iter()
            .map(|w| {
                vec![
                    w.currency.clone(),
                    w.deals.to_string(),
                    w.value.to_string(),
                    w.hours.to_string(),
                    w.value_per_hour
                        .map_or_else(|| "n/a".into(), |v| v.to_string()),
                ]
            })
            .collect(),
        "no won deal with a value and logged effort",
    );
    d.heading("Frees up next");
    d.bullets(
        r.frees_up_next
            .iter()
            .filter_map(|id| r.members.iter().find(|m| &m.member == id))
            .map(|m| {
                format!(
                    "{} ({}): {} open, {} used",
                    m.member,
                    or_dash(m.name.as_deref()),
                    m.open_load,
                    pct(m.utilisation_pct)
                )
            })
            .collect(),
    );
    d
}

fn csv(r: &CapacityReport) -> Result<String> {
    let mut rows: Vec<Vec<String>> = r.members.iter().map(member_row).collect();
    rows.push(member_row(&r.team));
    output::csv(
        &[
            "member",
            "name",
            "hours",
            "demo",
            "design",
            "meeting",
            "travel",
            "poc",
            "rfp",
            "other",
            "capacity_hours",
            "utilisation_pct",
            "open_load",
        ],
        rows.into_iter()
            .map(|mut row| {
                // Plain numbers for tools: no `%`, no `(away)`.
                row[11] = row[11].trim_end_matches('%').replace("n/a", "");
                row[12] = row[12].split(' ').next().unwrap_or("").to_string();
                row
            })
            .collect(),
    )
}
