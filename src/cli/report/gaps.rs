//! `presales report gaps`: rendering of [`crate::report::gaps::GapsReport`].

use super::{Doc, machine, or_dash, subtitle, when};
use crate::cli::{Ctx, Format, output};
use crate::error::Result;
use crate::report::gaps::{self, Amount, GapLine, GapsReport};
use crate::report::{Dataset, Zone};

pub fn render(ctx: &Ctx, data: &Dataset, zone: &Zone) -> Result<String> {
    let r = gaps::build(data);
    if let Some(out) = machine(ctx.format, &r) {
        return out;
    }
    match ctx.format {
        Format::Csv => csv(&r),
        f => document(&r, zone).render_as(f),
    }
}

/// `1200000 CNY + 50000 USD`, or `-`.
fn money(amounts: &[Amount]) -> String {
    if amounts.is_empty() {
        return "-".into();
    }
    amounts
        .iter()
        .map(|a| format!("{} {}", a.value, a.currency))
        .collect::<Vec<_>>()
        .join(" + ")
}

pub(super) fn document(r: &GapsReport, zone: &Zone) -> Doc {
    let mut d = Doc::default();
    d.title(format!("Product gaps {}", r.header.period.label));
    d.text(subtitle(&r.header, zone));
    let linked = r.gaps.iter().filter(|g| g.requests > 0).count();
    d.strong(format!(
        "{}, {linked} linked to requests · {} blocked in the period · weights: blocker {}, challenge {}, nice_to_have {}",
        crate::cli::output::count(r.gaps.len(), "gap"),
        crate::cli::output::count(r.blocked.len(), "deal"),
        r.weights.blocker,
        r.weights.challenge,
        r.weights.nice_to_have
    ));
    d.heading("Top gaps by value at risk");
    d.table(
        &[
            "CURRENCY",
            "#",
            "GAP",
            "STATUS",
            "AT RISK",
            "OPEN DEALS",
            "TITLE",
        ],
        r.top_at_risk
            .iter()
            .map(|t| {
                vec![
                    t.currency.clone(),
                    t.rank.to_string(),
                    t.gap.clone(),
                    t.status.to_string(),
                    t.value_at_risk.to_string(),
                    t.open_deals.to_string(),
                    t.title.clone(),
                ]
            })
            .collect(),
        "no open deal with a value is linked to a gap",
    );
    d.heading("Per gap");
    d.table(
        &[
            "GAP", "PRODUCT", "STATUS", "AGE", "REQS", "OPEN", "AT RISK", "WON", "LOST", "BLOCKED",
            "TITLE",
        ],
        r.gaps
            .iter()
            .map(|g| {
                vec![
                    g.id.clone(),
                    g.product.clone(),
                    g.status.to_string(),
                    format!("{}d", g.age_days),
                    g.requests.to_string(),
                    format!("{} · {}", g.open_deals, money(&g.open_value)),
                    money(&g.value_at_risk),
                    format!("{} · {}", g.won_deals, money(&g.won_value)),
                    format!("{} · {}", g.lost_deals, money(&g.lost_value)),
                    g.deals_blocked.to_string(),
                    g.title.clone(),
                ]
            })
            .collect(),
        "no product gap yet (`presales gap new --title T --product P`)",
    );
    d.heading("Deals blocked");
    d.table(
        &[
            "REQUEST",
            "GAP",
            "CLOSED",
            "VALUE",
            "REASON",
            "COMPETITOR",
            "CUSTOMER",
            "TITLE",
        ],
        r.blocked
            .iter()
            .map(|b| {
                vec![
                    b.request.clone(),
                    b.gap.clone(),
                    b.closed.map_or_else(|| "-".into(), |t| when(zone, t)),
                    match (&b.value, &b.currency) {
                        (Some(v), Some(c)) => format!("{v} {c}"),
                        _ => "-".into(),
                    },
                    or_dash(b.loss_reason.as_deref()),
                    or_dash(b.competitor.as_deref()),
                    b.customer.clone(),
                    b.title.clone(),
                ]
            })
            .collect(),
        "no deal lost in the period with a blocker gap",
    );
    d
}

/// One row per gap and currency (a gap without valued deals: one row, currency empty).
fn csv(r: &GapsReport) -> Result<String> {
    let mut rows = Vec::new();
    for g in &r.gaps {
        let mut currencies: Vec<&str> = [
            &g.open_value,
            &g.value_at_risk,
            &g.won_value,
            &g.won_weighted,
            &g.lost_value,
            &g.lost_weighted,
        ]
        .iter()
        .flat_map(|a| a.iter().map(|x| x.currency.as_str()))
        .collect();
        currencies.sort_unstable();
        currencies.dedup();
        if currencies.is_empty() {
            currencies.push("");
        }
        for c in currencies {
            rows.push(row(g, c));
        }
    }
    output::csv(
        &[
            "gap",
            "title",
            "product",
            "area",
            "status",
            "reference",
            "age_days",
            "merged",
            "requests",
            "blockers",
            "linked_in_period",
            "open_deals",
            "won_deals",
            "lost_deals",
            "deals_blocked",
            "currency",
            "open_value",
            "value_at_risk",
            "won_value",
            "won_weighted",
            "lost_value",
            "lost_weighted",
        ],
        rows,
    )
}

fn row(g: &GapLine, currency: &str) -> Vec<String> {
    let of = |a: &[Amount]| {
        a.iter()
            .find(|x| x.currency == currency)
            .map_or_else(String::new, |x| x.value.to_string())
    };
    vec![
        g.id.clone(),
        g.title.clone(),
        g.product.clone(),
        g.area.clone().unwrap_or_default(),
        g.status.to_string(),
        g.reference.clone().unwrap_or_default(),
        g.age_days.to_string(),
        g.merged.join(" "),
        g.requests.to_string(),
        g.blockers.to_string(),
        g.linked_in_period.to_string(),
        g.open_deals.to_string(),
        g.won_deals.to_string(),
        g.lost_deals.to_string(),
        g.deals_blocked.to_string(),
        currency.to_string(),
        of(&g.open_value),
        of(&g.value_at_risk),
        of(&g.won_value),
        of(&g.won_weighted),
        of(&g.lost_value),
        of(&g.lost_weighted),
    ]
}
