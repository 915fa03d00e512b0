//! Win/loss analysis (赢单/丢单分析): the deals decided in the period (requests of the types
//! that end in a deal decision, `[deals] types`, closed won or lost), their win and
//! technical-win rates by type, product, industry, engineer and value band, the loss reasons
//! and competitors ranked, the days from registration to decision, and the value won per
//! demo and per proof of concept.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use super::stats::{Rate, median, p90};
use super::{Dataset, Header, Item, REDACTED, SCHEMA_VERSION};
use crate::model::{Outcome, Timestamp};

/// Value bands, in any one currency: below the first bound, up to the second, and above.
pub const VALUE_BANDS: [u32; 2] = [100_000, 1_000_000];

/// Wins and losses of one group.
#[derive(Debug, Clone, Serialize)]
pub struct Split {
    pub key: String,
    pub won: usize,
    pub lost: usize,
    /// won ÷ (won + lost).
    pub win_rate: Rate,
    /// (won or lost with a technical win) ÷ (won + lost).
    pub technical_win_rate: Rate,
}

/// A loss reason or a competitor, with how many deals and how much value it cost.
#[derive(Debug, Clone, Serialize)]
pub struct Ranked {
    pub key: String,
    pub deals: usize,
    /// Lost value per currency, `"1200000 CNY"`, sorted by currency.
    pub value: Vec<String>,
}

/// Days from registration to decision.
#[derive(Debug, Clone, Serialize)]
pub struct DaysToDecision {
    pub outcome: Outcome,
    pub deals: usize,
    pub median_days: Option<f64>,
    pub p90_days: Option<f64>,
}

/// Value won against demos held and proofs of concept run, in one currency.
#[derive(Debug, Clone, Serialize)]
pub struct ValuePer {
    pub currency: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub won_value: Decimal,
    /// Demos recorded on the deals decided in the period (won and lost).
    pub demos: usize,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub won_value_per_demo: Option<Decimal>,
    /// Deals of type `poc` decided in the period.
    pub pocs: usize,
    /// Won value of those proofs of concept.
    #[serde(with = "rust_decimal::serde::str")]
    pub poc_won_value: Decimal,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub won_value_per_poc: Option<Decimal>,
}

/// One deal decided in the period.
#[derive(Debug, Clone, Serialize)]
pub struct Deal {
    pub id: String,
    pub title: String,
    pub customer: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub closed: Timestamp,
    pub outcome: Outcome,
    pub technical_win: bool,
    pub engineer: Option<String>,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub value: Option<Decimal>,
    pub currency: Option<String>,
    pub loss_reason: Option<String>,
    pub competitor: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WinLossReport {
    pub schema_version: u32,
    #[serde(flatten)]
    pub header: Header,
    /// The request types counted (`[deals] types`).
    pub deal_types: Vec<String>,
    pub total: Split,
    pub by_type: Vec<Split>,
    pub by_product: Vec<Split>,
    pub by_industry: Vec<Split>,
    pub by_engineer: Vec<Split>,
    pub by_value_band: Vec<Split>,
    /// Lost deals by reason, most first (`unspecified` when none was given).
    pub loss_reasons: Vec<Ranked>,
    /// Lost deals by competitor, most first (deals without one left out).
    pub competitors: Vec<Ranked>,
    pub days_to_decision: Vec<DaysToDecision>,
    pub value_per: Vec<ValuePer>,
    /// Every deal decided in the period, by close time.
    pub deals: Vec<Deal>,
}

fn split(key: String, deals: &[&Deal]) -> Split {
    let won = deals.iter().filter(|d| d.outcome == Outcome::Won).count();
    let lost = deals.len() - won;
    let tech = deals.iter().filter(|d| d.technical_win).count();
    Split {
        key,
        won,
        lost,
        win_rate: Rate::new(won, won + lost),
        technical_win_rate: Rate::new(tech, won + lost),
    }
}

/// Groups deals by the keys `keys` gives each (a deal may fall in several groups, e.g.
/// products); groups sorted by number of deals, then key.
fn group(deals: &[Deal], keys: impl Fn(&Deal) -> Vec<String>) -> Vec<Split> {
    let mut groups: BTreeMap<String, Vec<&Deal>> = BTreeMap::new();
    for d in deals {
        for k in keys(d) {
            groups.entry(k).or_default().push(d);
        }
    }
    let mut out: Vec<Split> = groups.into_iter().map(|(k, v)| split(k, &v)).collect();
    out.sort_by(|a, b| {
        (b.won + b.lost)
            .cmp(&(a.won + a.lost))
            .then_with(|| a.key.cmp(&b.key))
    });
    out
}

fn band(d: &Deal) -> String {
    match d.value {
        None => "unknown".into(),
        Some(v) if v < Decimal::from(VALUE_BANDS[0]) => format!("< {}", VALUE_BANDS[0]),
        Some(v) if v < Decimal::from(VALUE_BANDS[1]) => {
            format!("{}–{}", VALUE_BANDS[0], VALUE_BANDS[1])
        }
        Some(_) => format!("≥ {}", VALUE_BANDS[1]),
    }
}

fn ranked(lost: &[&Deal], key: impl Fn(&Deal) -> Option<String>) -> Vec<Ranked> {
    let mut groups: BTreeMap<String, (usize, BTreeMap<String, Decimal>)> = BTreeMap::new();
    for d in lost {
        let Some(k) = key(d) else { continue };
        let slot = groups.entry(k).or_default();
        slot.0 += 1;
        if let Some(v) = d.value {
            *slot
                .1
                .entry(d.currency.clone().unwrap_or_else(|| "-".into()))
                .or_default() += v;
        }
    }
    let mut out: Vec<Ranked> = groups
        .into_iter()
        .map(|(key, (deals, value))| Ranked {
            key,
            deals,
            value: value
                .into_iter()
                .map(|(c, v)| format!("{} {c}", v.normalize()))
                .collect(),
        })
        .collect();
    out.sort_by(|a, b| b.deals.cmp(&a.deals).then_with(|| a.key.cmp(&b.key)));
    out
}

fn per(value: Decimal, n: usize) -> Option<Decimal> {
    (n > 0).then(|| {
        (value / Decimal::from(n))
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            .normalize()
    })
}

pub fn build(data: &Dataset) -> WinLossReport {
    let w = data.window();
    let industries: BTreeMap<&str, Option<&str>> = data
        .input
        .customers
        .iter()
        .map(|c| (c.id.as_str(), c.industry.as_deref()))
        .collect();
    let decided: Vec<&Item> = data
        .items
        .iter()
        .filter(|i| data.decides(i))
        .filter(|i| matches!(i.tl.outcome, Some(Outcome::Won | Outcome::Lost)))
        .filter(|i| i.tl.closed.is_some_and(|t| w.contains(t)))
        .collect();
    let hidden = |i: &Item| i.confidential && !data.input.include_confidential;
    let mut deals: Vec<Deal> = decided
        .iter()
        .filter_map(|i| {
            let closed = i.tl.closed?;
            let value = i
                .req
                .opportunity
                .as_ref()
                .and_then(|o| data.input.config.deals.value_of(o));
            Some(Deal {
                id: i.id().to_string(),
                title: i.title.to_string(),
                customer: i.customer.to_string(),
                kind: i.req.kind.clone(),
                closed,
                outcome: i.tl.outcome?,
                technical_win: i.req.technical_win,
                engineer: i.tl.assignee_at(closed).map(String::from),
                value: value.as_ref().map(|(v, _)| *v),
                currency: value.map(|(_, c)| c),
                loss_reason: i.req.loss_reason.clone(),
                competitor: if hidden(i) {
                    i.req.competitor.as_ref().map(|_| REDACTED.to_string())
                } else {
                    i.req.competitor.clone()
                },
            })
        })
        .collect();
    deals.sort_by(|a, b| a.closed.cmp(&b.closed).then_with(|| a.id.cmp(&b.id)));
    let by_id: BTreeMap<&str, &Item> = decided.iter().map(|i| (i.id(), *i)).collect();
    let products = |d: &Deal| {
        let p = &by_id[d.id.as_str()].req.products;
        if p.is_empty() {
            vec!["(none)".to_string()]
        } else {
            p.clone()
        }
    };
    let industry = |d: &Deal| {
        let i = by_id[d.id.as_str()];
        if hidden(i) {
            return vec![REDACTED.to_string()];
        }
        vec![
            industries
                .get(i.req.customer.as_str())
                .copied()
                .flatten()
                .unwrap_or("(unknown)")
                .to_string(),
        ]
    };
    let lost: Vec<&Deal> = deals
        .iter()
        .filter(|d| d.outcome == Outcome::Lost)
        .collect();
    let days = |o: Outcome| {
        let list: Vec<i64> = decided
            .iter()
            .filter(|i| i.tl.outcome == Some(o))
            .filter_map(|i| Some((i.tl.closed? - i.tl.created).num_seconds()))
            .collect();
        let d = |s: i64| super::stats::round(s as f64 / 86_400.0, 1);
        DaysToDecision {
            outcome: o,
            deals: list.len(),
            median_days: median(&list).map(d),
            p90_days: p90(&list).map(d),
        }
    };
    // Value won per demo and per POC, per currency.
    let mut value_per: BTreeMap<String, ValuePer> = BTreeMap::new();
    for d in &deals {
        let currency = d.currency.clone().unwrap_or_else(|| "-".into());
        let v = value_per.entry(currency.clone()).or_insert(ValuePer {
            currency,
            won_value: Decimal::ZERO,
            demos: 0,
            won_value_per_demo: None,
            pocs: 0,
            poc_won_value: Decimal::ZERO,
            won_value_per_poc: None,
        });
        let won_value = match (d.outcome, d.value) {
            (Outcome::Won, Some(x)) => x,
            _ => Decimal::ZERO,
        };
        v.won_value += won_value;
        v.demos += by_id[d.id.as_str()].req.demos.len();
        if d.kind == "poc" {
            v.pocs += 1;
            v.poc_won_value += won_value;
        }
    }
    let value_per = value_per
        .into_values()
        .map(|mut v| {
            v.won_value_per_demo = per(v.won_value, v.demos);
            v.won_value_per_poc = per(v.poc_won_value, v.pocs);
            v
        })
        .collect();
    let all: Vec<&Deal> = deals.iter().collect();
    WinLossReport {
        schema_version: SCHEMA_VERSION,
        header: data.header(),
        deal_types: data.input.config.deals.types.clone(),
        total: split("all".into(), &all),
        by_type: group(&deals, |d| vec![d.kind.clone()]),
        by_product: group(&deals, products),
        by_industry: group(&deals, industry),
        by_engineer: group(&deals, |d| {
            vec![d.engineer.clone().unwrap_or_else(|| "(unassigned)".into())]
        }),
        by_value_band: group(&deals, |d| vec![band(d)]),
        loss_reasons: ranked(&lost, |d| {
            Some(
                d.loss_reason
                    .clone()
                    .unwrap_or_else(|| "unspecified".into()),
            )
        }),
        competitors: ranked(&lost, |d| d.competitor.clone()),
        days_to_decision: vec![days(Outcome::Won), days(Outcome::Lost)],
        value_per,
        deals,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Priority;
    use crate::report::testkit::*;
    use crate::report::{Dataset, REDACTED};

    fn opp(v: u32) -> Option<crate::model::request::Opportunity> {
        Some(crate::model::request::Opportunity {
            name: None,
            value: Some(Decimal::from(v)),
            currency: Some("CNY".into()),
            expected_close: None,
            extra: Default::default(),
        })
    }

    /// Week 48, as of Friday 18:00. Decided: A1 solution won (2 demos, 1.2M, network),
    /// A2 poc won (0.3M), A3 solution lost on price to Acme (0.5M), A4 rfp lost on features
    /// (no value, confidential customer). Not counted: A5 consultation won (not a deal type),
    /// A6 solution lost last week, A7 cancelled.
    #[test]
    fn win_loss_by_hand() {
        let config = config();
        let stages = stages();
        let customers = [
            customer(CUS, "华东银行", false),
            customer("CUS-20261101-AAAAAA2", "仁和医院", true),
        ];
        let reqs = vec![
            req("A000001", "solution", Priority::P2, "16T09:00")
                .assign("16T09:00", "li.na")
                .with(|r| {
                    r.opportunity = opp(1_200_000);
                    r.products = vec!["SD-WAN".into()];
                    r.technical_win = true;
                    r.demos = vec![
                        serde_json::from_value(serde_json::json!({"date": "2026-11-18"})).unwrap(),
                        serde_json::from_value(serde_json::json!({"date": "2026-11-20"})).unwrap(),
                    ];
                })
                .close("24T09:00", "li.na", Outcome::Won)
                .done(),
            req("A000002", "poc", Priority::P2, "20T09:00")
                .assign("20T09:00", "wang.fang")
                .with(|r| r.opportunity = opp(300_000))
                .close("25T09:00", "wang.fang", Outcome::Won)
                .done(),
            req("A000003", "solution", Priority::P3, "13T09:00")
                .assign("13T09:00", "li.na")
                .with(|r| {
                    r.opportunity = opp(500_000);
                    r.products = vec!["SD-WAN".into()];
                    r.technical_win = true;
                    r.loss_reason = Some("price".into());
                    r.competitor = Some("Acme".into());
                })
                .close("26T09:00", "li.na", Outcome::Lost)
                .done(),
            req("A000004", "rfp", Priority::P3, "23T09:00")
                .assign("23T09:00", "wang.fang")
                .with(|r| {
                    r.customer = "CUS-20261101-AAAAAA2".into();
                    r.loss_reason = Some("features".into());
                    r.competitor = Some("Beta".into());
                })
                .close("27T09:00", "wang.fang", Outcome::Lost)
                .done(),
            req("A000005", "consultation", Priority::P3, "23T09:00")
                .assign("23T09:00", "li.na")
                .close("23T12:00", "li.na", Outcome::Won)
                .done(),
            req("A000006", "solution", Priority::P3, "02T09:00")
                .assign("02T09:00", "li.na")
                .close("20T09:00", "li.na", Outcome::Lost)
                .done(),
            req("A000007", "solution", Priority::P3, "23T09:00")
                .close("24T09:00", "zhao.lei", Outcome::Cancelled)
                .done(),
        ];
        let input = input(
            &config,
            None,
            &stages,
            &reqs,
            &customers,
            &[],
            week48("27T18:00"),
        );
        let data = Dataset::new(&input);
        let r = build(&data);
        assert_eq!(r.deals.len(), 4);
        assert_eq!((r.total.won, r.total.lost), (2, 2));
        assert_eq!(r.total.win_rate.pct, Some(50.0));
        // Technical wins: A1 and A3.
        assert_eq!(r.total.technical_win_rate.pct, Some(50.0));
        let by = |v: &[Split]| -> Vec<(String, usize, usize)> {
            v.iter().map(|s| (s.key.clone(), s.won, s.lost)).collect()
        };
        assert_eq!(
            by(&r.by_type),
            [
                ("solution".into(), 1, 1),
                ("poc".into(), 1, 0),
                ("rfp".into(), 0, 1)
            ]
        );
        assert_eq!(
            by(&r.by_product),
            [("(none)".into(), 1, 1), ("SD-WAN".into(), 1, 1)]
        );
        assert_eq!(
            by(&r.by_engineer),
            [("li.na".into(), 1, 1), ("wang.fang".into(), 1, 1)]
        );
        assert_eq!(
            by(&r.by_value_band),
            [
                ("100000–1000000".into(), 1, 1),
                ("unknown".into(), 0, 1),
                ("≥ 1000000".into(), 1, 0)
            ]
        );
        // The confidential customer's industry is not shown.
        assert!(r.by_industry.iter().any(|s| s.key == REDACTED));
        let reasons: Vec<(String, usize, Vec<String>)> = r
            .loss_reasons
            .iter()
            .map(|x| (x.key.clone(), x.deals, x.value.clone()))
            .collect();
        assert_eq!(
            reasons,
            [
                ("features".into(), 1, vec![]),
                ("price".into(), 1, vec!["500000 CNY".to_string()])
            ]
        );
        let comps: Vec<&str> = r.competitors.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(comps, ["Acme", REDACTED]);
        // Days to decision: won A1 8 days, A2 5 days → median 6.5; lost A3 13, A4 4 → 8.5.
        assert_eq!(r.days_to_decision[0].median_days, Some(6.5));
        assert_eq!(r.days_to_decision[1].median_days, Some(8.5));
        // CNY: won 1.5M over 2 demos = 750000 per demo; 1 POC won 300000.
        let cny = r.value_per.iter().find(|v| v.currency == "CNY").unwrap();
        assert_eq!(cny.won_value, Decimal::from(1_500_000));
        assert_eq!(cny.demos, 2);
        assert_eq!(cny.won_value_per_demo, Some(Decimal::from(750_000)));
        assert_eq!(
            (cny.pocs, cny.won_value_per_poc),
            (1, Some(Decimal::from(300_000)))
        );
    }
}
