//! `presales report winloss`: rendering of [`crate::report::winloss::WinLossReport`].

use super::{Doc, machine, num, or_dash, rate, subtitle, when};
use crate::cli::{Ctx, Format, output};
use crate::error::Result;
use crate::report::winloss::{self, Ranked, Split, WinLossReport};
use crate::report::{Dataset, Zone};

pub fn render(ctx: &Ctx, data: &Dataset, zone: &Zone) -> Result<String> {
    let r = winloss::build(data);
    if let Some(out) = machine(ctx.format, &r) {
        return out;
    }
    match ctx.format {
        Format::Csv => csv(&r, zone),
        f => document(&r, zone).render_as(f),
    }
}

fn splits(d: &mut Doc, heading: &str, first: &'static str, list: &[Split]) {
    d.heading(heading);
    d.table(
        &[first, "WON", "LOST", "WIN RATE", "TECHNICAL WINS"],
        list.iter()
            .map(|s| {
                vec![
                    s.key.clone(),
                    s.won.to_string(),
                    s.lost.to_string(),
                    rate(&s.win_rate),
                    rate(&s.technical_win_rate),
                ]
            })
            .collect(),
        "no deal decided in the period",
    );
}

fn ranked(d: &mut Doc, heading: &str, first: &'static str, list: &[Ranked], empty: &'static str) {
    d.heading(heading);
    d.table(
        &[first, "DEALS", "VALUE LOST"],
        list.iter()
            .map(|x| {
                vec![
                    x.key.clone(),
                    x.deals.to_string(),
                    if x.value.is_empty() {
                        "-".into()
                    } else {
                        x.value.join(", ")
                    },
                ]
            })
            .collect(),
        empty,
    );
}

pub(super) fn document(r: &WinLossReport, zone: &Zone) -> Doc {
    let mut d = Doc::default();
    d.title(format!("Win/loss {}", r.header.period.label));
    d.text(subtitle(&r.header, zone));
    d.strong(format!(
        "{} decided · {} won, {} lost · win rate {} · technical wins {}",
        output::count(r.total.won + r.total.lost, "deal"),
        r.total.won,
        r.total.lost,
        rate(&r.total.win_rate),
        rate(&r.total.technical_win_rate)
    ));
    d.text(format!(
        "Deal types ([deals] types in presales.toml): {}",
        r.deal_types.join(", ")
    ));
    splits(&mut d, "By type", "TYPE", &r.by_type);
    splits(&mut d, "By product", "PRODUCT", &r.by_product);
    splits(&mut d, "By industry", "INDUSTRY", &r.by_industry);
    splits(&mut d, "By engineer", "ENGINEER", &r.by_engineer);
    splits(&mut d, "By value", "VALUE", &r.by_value_band);
    ranked(
        &mut d,
        "Loss reasons",
        "REASON",
        &r.loss_reasons,
        "no deal lost in the period",
    );
    ranked(
        &mut d,
        "Competitors",
        "COMPETITOR",
        &r.competitors,
        "no competitor named on a lost deal",
    );
    d.heading("Days from registration to decision");
    d.table(
        &["OUTCOME", "DEALS", "MEDIAN", "P90"],
        r.days_to_decision
            .iter()
            .map(|x| {
                vec![
                    x.outcome.to_string(),
                    x.deals.to_string(),
                    num(x.median_days, 1),
                    num(x.p90_days, 1),
                ]
            })
            .collect(),
        "none",
    );
    d.heading("Value won per demo and per POC");
    d.table(
        &[
            "CURRENCY",
            "WON VALUE",
            "DEMOS",
            "PER DEMO",
            "POCS",
            "POC WON VALUE",
            "PER POC",
        ],
        r.value_per
            .iter()
            .map(|v| {
                let opt = |x: Option<rust_decimal::Decimal>| {
                    x.map_or_else(|| "n/a".into(), |x| x.to_string())
                };
                vec![
                    v.currency.clone(),
                    v.won_value.to_string(),
                    v.demos.to_string(),
                    opt(v.won_value_per_demo),
                    v.pocs.to_string(),
                    v.poc_won_value.to_string(),
                    opt(v.won_value_per_poc),
                ]
            })
            .collect(),
        "no deal decided in the period",
    );
    d.heading("Deals");
    d.table(
        &[
            "CLOSED",
            "REQUEST",
            "TYPE",
            "OUTCOME",
            "TECH",
            "ENGINEER",
            "VALUE",
            "REASON",
            "COMPETITOR",
            "TITLE",
        ],
        r.deals
            .iter()
            .map(|x| {
                vec![
                    when(zone, x.closed),
                    x.id.clone(),
                    x.kind.clone(),
                    x.outcome.to_string(),
                    if x.technical_win { "yes" } else { "no" }.into(),
                    or_dash(x.engineer.as_deref()),
                    match (&x.value, &x.currency) {
                        (Some(v), Some(c)) => format!("{v} {c}"),
                        (Some(v), None) => v.to_string(),
                        _ => "-".into(),
                    },
                    or_dash(x.loss_reason.as_deref()),
                    or_dash(x.competitor.as_deref()),
                    x.title.clone(),
                ]
            })
            .collect(),
        "no deal decided in the period",
    );
    d
}

/// One line per deal, for spreadsheets.
fn csv(r: &WinLossReport, zone: &Zone) -> Result<String> {
    output::csv(
        &[
            "closed",
            "id",
            "type",
            "outcome",
            "technical_win",
            "engineer",
            "value",
            "currency",
            "loss_reason",
            "competitor",
            "customer",
            "title",
        ],
        r.deals
            .iter()
            .map(|x| {
                vec![
                    when(zone, x.closed),
                    x.id.clone(),
                    x.kind.clone(),
                    x.outcome.to_string(),
                    x.technical_win.to_string(),
                    x.engineer.clone().unwrap_or_default(),
                    x.value.map(|v| v.to_string()).unwrap_or_default(),
                    x.currency.clone().unwrap_or_default(),
                    x.loss_reason.clone().unwrap_or_default(),
                    x.competitor.clone().unwrap_or_default(),
                    x.customer.clone(),
                    x.title.clone(),
                ]
            })
            .collect(),
    )
}
