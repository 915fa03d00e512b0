//! Product gaps (产品差距): per gap, the value of the deals linked to it (open at the as-of
//! instant, won and lost in the period), weighted by the severity of each link; its age;
//! the deals it blocked; and the gaps that put the most open value at risk.
//!
//! Links live on requests (`request.gaps`). A link counts from its `at`; a gap merged into
//! another (`gap merge A B`, from its `merge_gap` entry) counts for the gap it was merged
//! into, through any chain of merges; a request linked to several gaps that end in the same
//! one counts once, with its most severe link. A request counts with its `opportunity`
//! value, per currency (a value without a currency under `-`); a request without a value
//! still counts in the numbers of requests and of blocked deals.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use super::{Dataset, Header, SCHEMA_VERSION};
use crate::config::GapWeights;
use crate::model::{Action, Gap, GapLink, GapStatus, Outcome, Request, Severity, Timestamp};

/// How many gaps the top list holds per currency.
pub const TOP: usize = 10;

/// A sum of money in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Amount {
    pub currency: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub value: Decimal,
}

/// The severity weights the report used (`[deals] gap_weights`).
#[derive(Debug, Clone, Serialize)]
pub struct Weights {
    #[serde(with = "rust_decimal::serde::str")]
    pub blocker: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub challenge: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub nice_to_have: Decimal,
}

/// One gap's figures.
#[derive(Debug, Clone, Serialize)]
pub struct GapLine {
    pub id: String,
    pub title: String,
    pub product: String,
    pub area: Option<String>,
    /// The status at the as-of instant (from the `gap_status` entries).
    pub status: GapStatus,
    pub reference: Option<String>,
    /// Whole days from the gap's creation to the as-of instant.
    pub age_days: i64,
    /// Gaps merged into this one (their links count here).
    pub merged: Vec<String>,
    /// Requests linked at the as-of instant.
    pub requests: usize,
    /// Of these, linked with severity blocker.
    pub blockers: usize,
    /// Links made in the period.
    pub linked_in_period: usize,
    /// Requests open at the as-of instant.
    pub open_deals: usize,
    /// Their value, per currency.
    pub open_value: Vec<Amount>,
    /// Their value × the weight of each link's severity: the value at risk.
    pub value_at_risk: Vec<Amount>,
    /// Requests closed won in the period.
    pub won_deals: usize,
    pub won_value: Vec<Amount>,
    pub won_weighted: Vec<Amount>,
    /// Requests closed lost in the period.
    pub lost_deals: usize,
    pub lost_value: Vec<Amount>,
    pub lost_weighted: Vec<Amount>,
    /// Deals lost in the period with a blocker link to this gap.
    pub deals_blocked: usize,
}

/// A place in the list of gaps by value at risk, in one currency.
#[derive(Debug, Clone, Serialize)]
pub struct TopGap {
    pub currency: String,
    pub rank: usize,
    pub gap: String,
    pub title: String,
    pub status: GapStatus,
    #[serde(with = "rust_decimal::serde::str")]
    pub value_at_risk: Decimal,
    pub open_deals: usize,
}

/// A deal lost in the period with a blocker link.
#[derive(Debug, Clone, Serialize)]
pub struct BlockedDeal {
    pub request: String,
    pub title: String,
    pub customer: String,
    pub gap: String,
    pub closed: Option<Timestamp>,
    /// The deal's value, `None` for a confidential request unless included.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub value: Option<Decimal>,
    pub currency: Option<String>,
    pub loss_reason: Option<String>,
    pub competitor: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GapsReport {
    pub schema_version: u32,
    #[serde(flatten)]
    pub header: Header,
    pub weights: Weights,
    /// Every gap that existed at the as-of instant and was not merged into another: most
    /// linked requests first, then by ID.
    pub gaps: Vec<GapLine>,
    /// Per currency, the gaps with open value at risk, most first (at most [`TOP`]).
    pub top_at_risk: Vec<TopGap>,
    /// Deals lost in the period with a blocker link, by request.
    pub blocked: Vec<BlockedDeal>,
}

/// When a gap's merge took effect: its latest `merge_gap` entry, or always when the field
/// was set without one.
fn merged_at(g: &Gap) -> Option<Option<Timestamp>> {
    g.merged_into.as_ref()?;
    Some(
        g.history
            .iter()
            .rev()
            .find(|h| Action::parse(&h.action) == Action::MergeGap)
            .map(|h| h.at),
    )
}

/// The gap each gap stands for at `as_of` (merges followed), for the gaps existing then.
/// `None` as-of: the current state.
pub fn targets(gaps: &[Gap], as_of: Option<Timestamp>) -> BTreeMap<String, String> {
    let existing: BTreeMap<&str, &Gap> = gaps
        .iter()
        .filter(|g| as_of.is_none_or(|t| g.created <= t))
        .map(|g| (g.id.as_str(), g))
        .collect();
    fn merged(g: &Gap, as_of: Option<Timestamp>) -> Option<&str> {
        let at = merged_at(g)?;
        let effective = match (at, as_of) {
            (Some(at), Some(t)) => at <= t,
            _ => true,
        };
        effective.then_some(g.merged_into.as_deref()).flatten()
    }
    let mut out = BTreeMap::new();
    for id in existing.keys() {
        let mut current = *id;
        for _ in 0..existing.len() {
            match existing.get(current).and_then(|g| merged(g, as_of)) {
                Some(next) if existing.contains_key(next) && next != *id => current = next,
                _ => break,
            }
        }
        out.insert(id.to_string(), current.to_string());
    }
    out
}

/// A request's links folded onto the gaps they stand for: one (gap, most severe link) per
/// target gap. Links made after `as_of` and links to unknown gaps are left out.
pub fn folded<'r>(
    req: &'r Request,
    targets: &BTreeMap<String, String>,
    as_of: Option<Timestamp>,
) -> BTreeMap<String, &'r GapLink> {
    let mut out: BTreeMap<String, &GapLink> = BTreeMap::new();
    for l in req.gaps.iter().filter(|l| as_of.is_none_or(|t| l.at <= t)) {
        let Some(target) = targets.get(&l.gap) else {
            continue;
        };
        out.entry(target.clone())
            .and_modify(|e| {
                // Severity orders blocker first.
                if l.severity < e.severity {
                    *e = l;
                }
            })
            .or_insert(l);
    }
    out
}

/// A gap's status at `as_of`: the last `gap_status` entry up to then, else open.
pub fn status_at(g: &Gap, as_of: Timestamp) -> GapStatus {
    g.history
        .iter()
        .filter(|h| h.at <= as_of && Action::parse(&h.action) == Action::GapStatus)
        .filter_map(|h| h.to.as_deref()?.parse().ok())
        .next_back()
        .unwrap_or(GapStatus::Open)
}

fn two(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// Sums per currency, sorted by currency.
#[derive(Default)]
struct Sums(BTreeMap<String, Decimal>);

impl Sums {
    fn add(&mut self, currency: &str, v: Decimal) {
        let slot = self.0.entry(currency.to_string()).or_default();
        *slot = slot.checked_add(v).unwrap_or(Decimal::MAX);
    }
    fn amounts(&self) -> Vec<Amount> {
        self.0
            .iter()
            .map(|(c, v)| Amount {
                currency: c.clone(),
                value: two(*v),
            })
            .collect()
    }
}

/// A request's value and currency, converted as `[deals]` says ([`crate::config::Deals::value_of`]).
fn value_of(deals: &crate::config::Deals, req: &Request) -> Option<(Decimal, String)> {
    deals.value_of(req.opportunity.as_ref()?)
}

#[derive(Default)]
struct Acc {
    requests: usize,
    blockers: usize,
    linked_in_period: usize,
    open_deals: usize,
    open: Sums,
    risk: Sums,
    won_deals: usize,
    won: Sums,
    won_w: Sums,
    lost_deals: usize,
    lost: Sums,
    lost_w: Sums,
    blocked: usize,
}

pub fn build(data: &Dataset) -> GapsReport {
    let w = data.window();
    let as_of = w.as_of;
    let weights: &GapWeights = &data.input.config.deals.gap_weights;
    let gaps = data.input.gaps;
    let targets = targets(gaps, Some(as_of));
    let mut acc: BTreeMap<String, Acc> = BTreeMap::new();
    let mut blocked: Vec<BlockedDeal> = Vec::new();
    for item in &data.items {
        let links = folded(item.req, &targets, Some(as_of));
        for (gap, link) in links {
            let a = acc.entry(gap.clone()).or_default();
            a.requests += 1;
            let weight = weights.of(link.severity);
            if link.severity == Severity::Blocker {
                a.blockers += 1;
            }
            if w.contains(link.at) {
                a.linked_in_period += 1;
            }
            let value = value_of(&data.input.config.deals, item.req);
            let weighted = |v: Decimal| v.checked_mul(weight).unwrap_or(Decimal::MAX);
            if item.tl.is_open() {
                a.open_deals += 1;
                if let Some((v, c)) = &value {
                    a.open.add(c, *v);
                    a.risk.add(c, weighted(*v));
                }
            } else if data.closed_in(item) {
                match item.tl.outcome {
                    Some(Outcome::Won) => {
                        a.won_deals += 1;
                        if let Some((v, c)) = &value {
                            a.won.add(c, *v);
                            a.won_w.add(c, weighted(*v));
                        }
                    }
                    Some(Outcome::Lost) => {
                        a.lost_deals += 1;
                        if let Some((v, c)) = &value {
                            a.lost.add(c, *v);
                            a.lost_w.add(c, weighted(*v));
                        }
                        if link.severity == Severity::Blocker {
                            a.blocked += 1;
                            let shown = !item.confidential || data.input.include_confidential;
                            blocked.push(BlockedDeal {
                                request: item.id().to_string(),
                                title: item.title.to_string(),
                                customer: item.customer.to_string(),
                                gap: gap.clone(),
                                closed: item.tl.closed,
                                value: value.as_ref().filter(|_| shown).map(|(v, _)| *v),
                                currency: value.as_ref().filter(|_| shown).map(|(_, c)| c.clone()),
                                loss_reason: item.req.loss_reason.clone(),
                                competitor: item.req.competitor.clone(),
                            });
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    let mut lines: Vec<GapLine> = gaps
        .iter()
        .filter(|g| targets.get(&g.id) == Some(&g.id))
        .map(|g| {
            let a = acc.remove(&g.id).unwrap_or_default();
            let mut merged: Vec<String> = targets
                .iter()
                .filter(|(from, to)| *to == &g.id && *from != &g.id)
                .map(|(from, _)| from.clone())
                .collect();
            merged.sort();
            GapLine {
                id: g.id.clone(),
                title: g.title.clone(),
                product: g.product.clone(),
                area: g.area.clone(),
                status: status_at(g, as_of),
                reference: g.reference.clone(),
                age_days: (as_of - g.created).num_days().max(0),
                merged,
                requests: a.requests,
                blockers: a.blockers,
                linked_in_period: a.linked_in_period,
                open_deals: a.open_deals,
                open_value: a.open.amounts(),
                value_at_risk: a.risk.amounts(),
                won_deals: a.won_deals,
                won_value: a.won.amounts(),
                won_weighted: a.won_w.amounts(),
                lost_deals: a.lost_deals,
                lost_value: a.lost.amounts(),
                lost_weighted: a.lost_w.amounts(),
                deals_blocked: a.blocked,
            }
        })
        .collect();
    lines.sort_by(|a, b| b.requests.cmp(&a.requests).then_with(|| a.id.cmp(&b.id)));
    let mut top: Vec<TopGap> = Vec::new();
    let mut by_currency: BTreeMap<&str, Vec<(&GapLine, Decimal)>> = BTreeMap::new();
    for l in &lines {
        for a in &l.value_at_risk {
            if a.value > Decimal::ZERO {
                by_currency
                    .entry(a.currency.as_str())
                    .or_default()
                    .push((l, a.value));
            }
        }
    }
    for (currency, mut list) in by_currency {
        list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.id.cmp(&b.0.id)));
        for (rank, (l, v)) in list.into_iter().take(TOP).enumerate() {
            top.push(TopGap {
                currency: currency.to_string(),
                rank: rank + 1,
                gap: l.id.clone(),
                title: l.title.clone(),
                status: l.status,
                value_at_risk: v,
                open_deals: l.open_deals,
            });
        }
    }
    blocked.sort_by(|a, b| a.request.cmp(&b.request).then_with(|| a.gap.cmp(&b.gap)));
    GapsReport {
        schema_version: SCHEMA_VERSION,
        header: data.header(),
        weights: Weights {
            blocker: weights.blocker,
            challenge: weights.challenge,
            nice_to_have: weights.nice_to_have,
        },
        gaps: lines,
        top_at_risk: top,
        blocked,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Priority;
    use crate::report::testkit::*;

    fn gap(id: &str, created: &str, merged: Option<(&str, &str)>, status: &[(&str, &str)]) -> Gap {
        let mut history = vec![crate::model::HistoryEntry::new(
            t(created),
            "li.na",
            "create",
        )];
        for (at, to) in status {
            history.push(crate::model::HistoryEntry::new(t(at), "li.na", "gap_status").to(*to));
        }
        if let Some((at, _)) = merged {
            history.push(crate::model::HistoryEntry::new(t(at), "li.na", "merge_gap"));
        }
        serde_json::from_value(serde_json::json!({
            "id": id, "title": id, "product": "VPN", "status": "open",
            "created": t(created).to_rfc3339(), "author": "li.na",
            "merged_into": merged.map(|m| m.1),
            "history": history,
        }))
        .unwrap()
    }

    fn linked(r: Req, links: &[(&str, Severity, &str)], value: Option<&str>) -> Request {
        r.with(|req| {
            for (i, (gap, severity, at)) in links.iter().enumerate() {
                req.gaps.push(GapLink {
                    id: format!("L{i}"),
                    gap: gap.to_string(),
                    severity: *severity,
                    feedback: None,
                    at: t(at),
                    by: "li.na".into(),
                    extra: Default::default(),
                });
            }
            if let Some(v) = value {
                req.opportunity =
                    serde_json::from_value(serde_json::json!({"value": v, "currency": "CNY"}))
                        .unwrap();
            }
        })
        .done()
    }

    #[test]
    fn merges_count_from_their_entry_and_a_request_counts_once_with_its_worst_link() {
        let gaps = vec![
            gap("GAP-A", "23T09:00", Some(("25T09:00", "GAP-B")), &[]),
            gap("GAP-B", "23T09:00", None, &[("24T09:00", "planned")]),
        ];
        let r = linked(
            req("R1", "solution", Priority::P3, "23T09:00"),
            &[
                ("GAP-A", Severity::Blocker, "23T10:00"),
                ("GAP-B", Severity::NiceToHave, "23T10:00"),
                ("GAP-X", Severity::Blocker, "23T10:00"),
            ],
            Some("1000"),
        );
        // Before the merge: two gaps, each with its own link; the unknown gap is left out.
        let before = targets(&gaps, Some(t("24T12:00")));
        let f = folded(&r, &before, Some(t("24T12:00")));
        assert_eq!(f.len(), 2);
        assert_eq!(f["GAP-A"].severity, Severity::Blocker);
        // After: one gap, the blocker link.
        let after = targets(&gaps, Some(t("26T12:00")));
        assert_eq!(after["GAP-A"], "GAP-B");
        let f = folded(&r, &after, Some(t("26T12:00")));
        assert_eq!(f.len(), 1);
        assert_eq!(f["GAP-B"].severity, Severity::Blocker);
        // Links made after the as-of instant do not exist yet.
        assert!(folded(&r, &after, Some(t("23T09:30"))).is_empty());
        assert_eq!(status_at(&gaps[1], t("23T12:00")), GapStatus::Open);
        assert_eq!(status_at(&gaps[1], t("24T12:00")), GapStatus::Planned);
    }

    #[test]
    fn values_are_weighted_by_severity_per_state() {
        let config = config();
        let stages = stages();
        let customers = vec![customer(CUS, "华东银行", false)];
        let gaps = vec![gap("GAP-B", "23T09:00", None, &[])];
        let requests = vec![
            // Open, challenge: 1000 × 0.5 at risk.
            linked(
                req("R1", "solution", Priority::P3, "23T09:00"),
                &[("GAP-B", Severity::Challenge, "23T10:00")],
                Some("1000"),
            ),
            // Lost in the week with a blocker: blocked.
            linked(
                req("R2", "solution", Priority::P3, "23T09:00")
                    .assign("23T09:30", "li.na")
                    .close("24T09:00", "li.na", Outcome::Lost),
                &[("GAP-B", Severity::Blocker, "23T10:00")],
                Some("333.33"),
            ),
            // Won, nice to have: 0.1 of 999.99 = 100.00 (half-up).
            linked(
                req("R3", "solution", Priority::P3, "23T09:00")
                    .assign("23T09:30", "li.na")
                    .close("24T09:00", "li.na", Outcome::Won),
                &[("GAP-B", Severity::NiceToHave, "23T10:00")],
                Some("999.99"),
            ),
        ];
        let mut input = input(
            &config,
            None,
            &stages,
            &requests,
            &customers,
            &[],
            week48("27T18:00"),
        );
        input.gaps = &gaps;
        let data = Dataset::new(&input);
        let r = build(&data);
        let g = &r.gaps[0];
        let one = |v: &[Amount]| v.first().map(|a| a.value.to_string()).unwrap_or_default();
        assert_eq!((g.requests, g.blockers, g.open_deals), (3, 1, 1));
        assert_eq!(one(&g.open_value), "1000");
        assert_eq!(one(&g.value_at_risk), "500");
        assert_eq!(
            (g.won_deals, one(&g.won_value), one(&g.won_weighted)),
            (1, "999.99".into(), "100".into())
        );
        assert_eq!(
            (g.lost_deals, one(&g.lost_value), one(&g.lost_weighted)),
            (1, "333.33".into(), "333.33".into())
        );
        assert_eq!(g.deals_blocked, 1);
        assert_eq!(g.age_days, 4);
        assert_eq!(r.top_at_risk.len(), 1);
        assert_eq!(r.blocked[0].request, requests[1].id);
    }
}
