//! `presales report performance`: rendering of
//! [`crate::report::performance::PerformanceReport`] (绩效考核).

use super::{Doc, anomalies, avg, machine, num, oh, or_dash, pct, rate, subtitle};
use crate::cli::{Ctx, Format, output};
use crate::error::Result;
use crate::report::performance::{self, MemberPerformance, PerformanceReport};
use crate::report::{Dataset, Zone};

pub fn render(ctx: &Ctx, data: &Dataset, member: Option<&str>, zone: &Zone) -> Result<String> {
    let r = performance::build(data, member);
    if let Some(out) = machine(ctx.format, &r) {
        return out;
    }
    match ctx.format {
        Format::Csv => csv(&r),
        f => document(&r, zone).render_as(f),
    }
}

fn rows(r: &PerformanceReport) -> Vec<&MemberPerformance> {
    r.members.iter().chain(std::iter::once(&r.team)).collect()
}

pub(super) fn document(r: &PerformanceReport, zone: &Zone) -> Doc {
    let mut d = Doc::default();
    d.title(format!("Performance {}", r.header.period.label));
    d.text(subtitle(&r.header, zone));
    let t = &r.team;
    d.strong(format!(
        "Team: {} handled · resolution rate {} · conversion {} · satisfaction {} · SLA first response {}, resolution {}",
        t.handled,
        pct(t.resolution_rate.pct),
        pct(t.conversion.pct),
        avg(&t.satisfaction),
        pct(t.first_response.attainment.pct),
        pct(t.resolution.attainment.pct),
    ));
    d.heading("Per engineer");
    d.table(
        &[
            "MEMBER",
            "NAME",
            "HANDLED",
            "OPEN",
            "CLOSED",
            "RESOLUTION RATE",
            "WON",
            "LOST",
            "CONVERSION",
            "SATISFACTION",
        ],
        rows(r)
            .into_iter()
            .map(|m| {
                vec![
                    member(m),
                    or_dash(m.name.as_deref()),
                    m.handled.to_string(),
                    m.open.to_string(),
                    m.closed.to_string(),
                    rate(&m.resolution_rate),
                    m.won.to_string(),
                    m.lost.to_string(),
                    rate(&m.conversion),
                    avg(&m.satisfaction),
                ]
            })
            .collect(),
        "no engineers",
    );
    d.heading("Service levels");
    d.table(
        &[
            "MEMBER",
            "FIRST RESPONSE",
            "RESOLUTION",
            "MEDIAN RESPONSE H",
            "MEDIAN RESOLUTION H",
            "TECH WIN RATE",
        ],
        rows(r)
            .into_iter()
            .map(|m| {
                vec![
                    member(m),
                    rate(&m.first_response.attainment),
                    rate(&m.resolution.attainment),
                    oh(m.median_first_response_hours),
                    oh(m.median_resolution_hours),
                    rate(&m.technical_win_rate),
                ]
            })
            .collect(),
        "no engineers",
    );
    anomalies(&mut d, &r.anomalies);
    d
}

fn member(m: &MemberPerformance) -> String {
    match m.status {
        "former" | "unknown" => format!("{} ({})", m.member, m.status),
        _ => m.member.clone(),
    }
}

fn csv(r: &PerformanceReport) -> Result<String> {
    let headers = [
        "member",
        "name",
        "status",
        "handled",
        "open",
        "closed",
        "resolved",
        "resolution_rate_pct",
        "won",
        "lost",
        "conversion_pct",
        "technical_win_rate_pct",
        "satisfaction_mean",
        "satisfaction_count",
        "first_response_met",
        "first_response_breached",
        "first_response_attainment_pct",
        "resolution_met",
        "resolution_breached",
        "resolution_attainment_pct",
        "median_first_response_hours",
        "median_resolution_hours",
    ];
    let rows = rows(r)
        .into_iter()
        .map(|m| {
            vec![
                m.member.clone(),
                m.name.clone().unwrap_or_default(),
                m.status.to_string(),
                m.handled.to_string(),
                m.open.to_string(),
                m.closed.to_string(),
                m.resolution_rate.numerator.to_string(),
                num(m.resolution_rate.pct, 1),
                m.won.to_string(),
                m.lost.to_string(),
                num(m.conversion.pct, 1),
                num(m.technical_win_rate.pct, 1),
                num(m.satisfaction.mean, 2),
                m.satisfaction.count.to_string(),
                m.first_response.met.to_string(),
                m.first_response.breached.to_string(),
                num(m.first_response.attainment.pct, 1),
                m.resolution.met.to_string(),
                m.resolution.breached.to_string(),
                num(m.resolution.attainment.pct, 1),
                num(m.median_first_response_hours, 2),
                num(m.median_resolution_hours, 2),
            ]
        })
        .collect();
    output::csv(&headers, rows)
}
