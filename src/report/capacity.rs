//! Effort and capacity (工时与产能): hours logged per engineer and activity in the period,
//! utilisation against each member's working week, open load, effort per deal and per won
//! value, and who frees up next.
//!
//! An effort entry counts in the period when its day lies in the period and is not after
//! the as-of day, and it was logged by the as-of instant. Capacity is the member's `hours_per_week` spread over five working days
//! a week: each working day of the period up to the as-of day (the calendar's working days
//! and holidays when presales.toml has one, else Monday to Friday) that the member is not
//! away adds a fifth of it.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

use super::stats::round;
use super::{Dataset, Header, Item, SCHEMA_VERSION};
use crate::config::{Member, Role};
use crate::model::{Activity, Outcome};

/// Working days in the week that `hours_per_week` is spread over.
pub const WORKING_DAYS_PER_WEEK: f64 = 5.0;

/// Hours of one member (or the team) in the period.
#[derive(Debug, Clone, Serialize)]
pub struct MemberCapacity {
    pub member: String,
    pub name: Option<String>,
    /// Hours logged in the period.
    #[serde(with = "rust_decimal::serde::str")]
    pub hours: Decimal,
    /// Hours per activity, every activity listed.
    pub by_activity: BTreeMap<Activity, String>,
    /// Working hours available in the period up to the as-of day (away days left out).
    pub capacity_hours: f64,
    /// `hours` ÷ `capacity_hours`, percent with one decimal; `None` without capacity.
    pub utilisation_pct: Option<f64>,
    /// Open requests assigned to the member at the as-of instant.
    pub open_load: usize,
    /// Away at the as-of day.
    pub away: bool,
}

/// The effort one request took.
#[derive(Debug, Clone, Serialize)]
pub struct DealEffort {
    pub id: String,
    pub title: String,
    pub customer: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub stage: String,
    pub outcome: Option<Outcome>,
    /// Hours logged in the period.
    #[serde(with = "rust_decimal::serde::str")]
    pub hours_in_period: Decimal,
    /// Hours logged up to the as-of day.
    #[serde(with = "rust_decimal::serde::str")]
    pub hours_total: Decimal,
    /// The deal's value (`opportunity`), if known.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub value: Option<Decimal>,
    pub currency: Option<String>,
}

/// Won value against the hours won deals took, in one currency.
#[derive(Debug, Clone, Serialize)]
pub struct WonPerHour {
    pub currency: String,
    /// Won deals (closed won up to the as-of instant, of a deal type) with effort logged.
    pub deals: usize,
    #[serde(with = "rust_decimal::serde::str")]
    pub value: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub hours: Decimal,
    /// `value` ÷ `hours`, two decimals; `None` without hours.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub value_per_hour: Option<Decimal>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CapacityReport {
    pub schema_version: u32,
    #[serde(flatten)]
    pub header: Header,
    /// Engineers, then anyone else who logged effort in the period, by id.
    pub members: Vec<MemberCapacity>,
    pub team: MemberCapacity,
    /// Requests with effort in the period, most hours first.
    pub deals: Vec<DealEffort>,
    /// Per currency: the value won deals brought against the effort they took.
    pub won_per_hour: Vec<WonPerHour>,
    /// Engineers available at the as-of day, least open load first, then least utilised:
    /// whom the next request can go to.
    pub frees_up_next: Vec<String>,
}

fn two(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// The working days of the period up to the as-of day.
fn working_days(data: &Dataset) -> Vec<NaiveDate> {
    let w = data.window();
    let last = w.period.to.min(w.zone.date_of(w.as_of));
    let mut days = Vec::new();
    let mut d = w.period.from;
    while d <= last {
        let working = match data.input.calendar {
            Some(c) => c.is_working_day(d),
            None => d.weekday().number_from_monday() <= 5,
        };
        if working {
            days.push(d);
        }
        match d.succ_opt() {
            Some(next) => d = next,
            None => break,
        }
    }
    days
}

pub fn build(data: &Dataset) -> CapacityReport {
    let w = data.window();
    let as_of_day = w.zone.date_of(w.as_of);
    let last = w.period.to.min(as_of_day);
    let in_period = |d: NaiveDate| w.period.from <= d && d <= last;
    let days = working_days(data);
    // The effort entries of each request known at the as-of instant, dated by then.
    let known_by_item: Vec<Vec<&crate::model::Effort>> = data
        .items
        .iter()
        .map(|i| {
            known(i.req, i.steps, w.as_of)
                .into_iter()
                .filter(|e| e.date <= as_of_day)
                .collect()
        })
        .collect();
    let entries: Vec<(&Item, &crate::model::Effort)> = data
        .items
        .iter()
        .zip(&known_by_item)
        .flat_map(|(i, k)| k.iter().map(move |e| (i, *e)))
        .collect();
    let mut by_member: BTreeMap<&str, Vec<&crate::model::Effort>> = BTreeMap::new();
    for (_, e) in entries.iter().filter(|(_, e)| in_period(e.date)) {
        by_member.entry(e.by.as_str()).or_default().push(e);
    }
    let config = data.input.config;
    let mut ids: Vec<&str> = config
        .members
        .iter()
        .filter(|m| m.active && m.has_role(Role::Engineer))
        .map(|m| m.id.as_str())
        .collect();
    for id in by_member.keys() {
        if !ids.contains(id) {
            ids.push(id);
        }
    }
    ids.sort_unstable();
    // Open load per assignee at the as-of instant, in one pass.
    let mut loads: BTreeMap<&str, usize> = BTreeMap::new();
    for i in data.items.iter().filter(|i| i.tl.is_open()) {
        if let Some(a) = i.tl.assignee_at(w.as_of) {
            *loads.entry(a).or_default() += 1;
        }
    }
    let open_load = |id: &str| loads.get(id).copied().unwrap_or(0);
    let members: Vec<MemberCapacity> = ids
        .iter()
        .map(|id| {
            let m = config.member(id);
            let logged = by_member.get(id).map(Vec::as_slice).unwrap_or(&[]);
            let capacity = m.map_or(0.0, |m| capacity_of(m, &days));
            line(
                id,
                m.map(|m| m.name.clone()),
                logged,
                capacity,
                open_load(id),
                m.is_some_and(|m| m.away_on(as_of_day).is_some()),
            )
        })
        .collect();
    let all: Vec<&crate::model::Effort> = by_member.values().flatten().copied().collect();
    let team = line(
        "team",
        None,
        &all,
        members.iter().map(|m| m.capacity_hours).sum(),
        loads.values().sum(),
        false,
    );
    // Effort per request.
    let mut deals: Vec<DealEffort> = Vec::new();
    for (i, mine) in data.items.iter().zip(&known_by_item) {
        let in_p: Decimal = mine
            .iter()
            .filter(|e| in_period(e.date))
            .map(|e| e.hours)
            .sum();
        if in_p.is_zero() {
            continue;
        }
        let value = i
            .req
            .opportunity
            .as_ref()
            .filter(|_| !i.confidential || data.input.include_confidential)
            .and_then(|o| config.deals.value_of(o));
        deals.push(DealEffort {
            id: i.id().to_string(),
            title: i.title.to_string(),
            customer: i.customer.to_string(),
            kind: i.req.kind.clone(),
            stage: i.tl.stage().to_string(),
            outcome: i.tl.outcome,
            hours_in_period: two(in_p),
            hours_total: two(mine.iter().map(|e| e.hours).sum()),
            value: value.as_ref().map(|(v, _)| *v),
            currency: value.map(|(_, c)| c),
        });
    }
    deals.sort_by(|a, b| {
        b.hours_in_period
            .cmp(&a.hours_in_period)
            .then_with(|| a.id.cmp(&b.id))
    });
    // Won deals: value against effort, per currency.
    let mut won: BTreeMap<String, (usize, Decimal, Decimal)> = BTreeMap::new();
    for (i, mine) in
        data.items.iter().zip(&known_by_item).filter(|(i, _)| {
            i.tl.outcome == Some(Outcome::Won) && data.decides(i) && !i.tl.is_open()
        })
    {
        let hours: Decimal = mine.iter().map(|e| e.hours).sum();
        if hours.is_zero() {
            continue;
        }
        let Some((value, currency)) = i
            .req
            .opportunity
            .as_ref()
            .and_then(|o| config.deals.value_of(o))
        else {
            continue;
        };
        let slot = won.entry(currency).or_default();
        slot.0 += 1;
        slot.1 += value;
        slot.2 += hours;
    }
    let won_per_hour = won
        .into_iter()
        .map(|(currency, (deals, value, hours))| WonPerHour {
            currency,
            deals,
            value,
            hours: two(hours),
            value_per_hour: (!hours.is_zero())
                .then(|| value.checked_div(hours).map(two))
                .flatten(),
        })
        .collect();
    let mut free: Vec<&MemberCapacity> = members
        .iter()
        .filter(|m| {
            !m.away
                && config
                    .member(&m.member)
                    .is_some_and(|c| c.active && c.has_role(Role::Engineer))
        })
        .collect();
    free.sort_by(|a, b| {
        a.open_load
            .cmp(&b.open_load)
            .then(
                a.utilisation_pct
                    .unwrap_or(0.0)
                    .total_cmp(&b.utilisation_pct.unwrap_or(0.0)),
            )
            .then_with(|| a.member.cmp(&b.member))
    });
    CapacityReport {
        schema_version: SCHEMA_VERSION,
        header: data.header(),
        frees_up_next: free.iter().map(|m| m.member.clone()).collect(),
        members,
        team,
        deals,
        won_per_hour,
    }
}

/// The effort entries of `req` recorded by `as_of`: those whose `log` history entry is not
/// later (an entry without one, written by hand or by an older tool, counts from its day).
/// So a report as of last Friday does not change when Friday's work is logged on Monday.
fn known<'a>(
    req: &'a crate::model::Request,
    steps: &[crate::model::facts::Step],
    as_of: crate::model::Timestamp,
) -> Vec<&'a crate::model::Effort> {
    if req.effort.is_empty() {
        return Vec::new();
    }
    let late: std::collections::HashSet<&str> = steps
        .iter()
        .filter(|h| h.action == crate::model::Action::Log.as_str() && h.at > as_of)
        .filter_map(|h| h.item.as_deref())
        .collect();
    req.effort
        .iter()
        .filter(|e| !late.contains(e.id.as_str()))
        .collect()
}

/// Working hours `m` has on `days`: a fifth of the week for each day not away.
fn capacity_of(m: &Member, days: &[NaiveDate]) -> f64 {
    let present = days.iter().filter(|d| m.away_on(**d).is_none()).count();
    round(m.hours_per_week / WORKING_DAYS_PER_WEEK * present as f64, 1)
}

fn line(
    id: &str,
    name: Option<String>,
    logged: &[&crate::model::Effort],
    capacity: f64,
    open_load: usize,
    away: bool,
) -> MemberCapacity {
    let hours: Decimal = logged.iter().map(|e| e.hours).sum();
    let by_activity = Activity::ALL
        .iter()
        .map(|a| {
            let h: Decimal = logged
                .iter()
                .filter(|e| e.activity == *a)
                .map(|e| e.hours)
                .sum();
            (*a, two(h).to_string())
        })
        .collect();
    let hours_f: f64 = hours.to_string().parse().unwrap_or(0.0);
    MemberCapacity {
        member: id.to_string(),
        name,
        hours: two(hours),
        by_activity,
        capacity_hours: capacity,
        utilisation_pct: (capacity > 0.0).then(|| round(hours_f * 100.0 / capacity, 1)),
        open_load,
        away,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Effort, Priority};
    use crate::report::testkit::*;
    use crate::report::{Dataset, REDACTED};

    fn effort(by: &str, date: &str, hours: &str, activity: Activity) -> Effort {
        Effort {
            id: format!("{by}-{date}-{hours}"),
            by: by.into(),
            date: date.parse().unwrap(),
            hours: hours.parse().unwrap(),
            activity,
            note: None,
            extra: Default::default(),
        }
    }

    fn value(v: &str) -> Option<crate::model::request::Opportunity> {
        Some(crate::model::request::Opportunity {
            name: None,
            value: Some(v.parse().unwrap()),
            currency: Some("CNY".into()),
            expected_close: None,
            extra: Default::default(),
        })
    }

    #[test]
    fn effort_logged_after_the_as_of_instant_is_not_counted() {
        let config = config();
        let stages = stages();
        let reqs = vec![
            req("A000001", "solution", Priority::P2, "23T09:00")
                .assign("23T09:00", "li.na")
                .with(|r| {
                    // Thursday's 4 h, logged on Saturday.
                    r.effort = vec![effort("li.na", "2026-11-26", "4", Activity::Design)];
                    r.history.push(
                        crate::model::HistoryEntry::new(t("28T10:00"), "li.na", "log")
                            .with("item", r.effort[0].id.as_str()),
                    );
                })
                .done(),
        ];
        let hours = |as_of: &str| {
            let input = input(&config, None, &stages, &reqs, &[], &[], week48(as_of));
            build(&Dataset::new(&input)).team.hours
        };
        assert_eq!(hours("27T18:00"), Decimal::ZERO);
        assert_eq!(hours("28T18:00"), Decimal::from(4));
    }

    /// Week 48 (Mon 23rd – Sun 29th), as of Fri 27th 18:00: four working days have passed
    /// in full and Friday counts too, so five days; li.na is away on Thursday.
    #[test]
    fn hours_capacity_and_deals_by_hand() {
        let mut config = config();
        if let Some(m) = config.members.iter_mut().find(|m| m.id == "li.na") {
            m.away = vec![crate::config::Away {
                from: "2026-11-26".parse().unwrap(),
                to: "2026-11-26".parse().unwrap(),
                note: None,
            }];
        }
        if let Some(m) = config.members.iter_mut().find(|m| m.id == "wang.fang") {
            m.hours_per_week = 20.0;
        }
        let stages = stages();
        let reqs = vec![
            // Won solution worth 1,000,000 CNY: 6 h this week by li.na, 4 h last week.
            req("A000001", "solution", Priority::P2, "16T09:00")
                .assign("16T09:00", "li.na")
                .close("25T10:00", "li.na", Outcome::Won)
                .with(|r| {
                    r.opportunity = value("1000000");
                    r.effort = vec![
                        effort("li.na", "2026-11-20", "4", Activity::Design),
                        effort("li.na", "2026-11-23", "3.5", Activity::Demo),
                        effort("li.na", "2026-11-24", "2.5", Activity::Meeting),
                    ];
                })
                .done(),
            // Open, assigned to wang.fang: 7.25 h this week, one entry after the as-of day.
            req("A000002", "poc", Priority::P3, "23T09:00")
                .assign("23T09:30", "wang.fang")
                .with(|r| {
                    r.effort = vec![
                        effort("wang.fang", "2026-11-25", "7.25", Activity::Poc),
                        effort("wang.fang", "2026-11-28", "5", Activity::Poc),
                    ];
                })
                .done(),
        ];
        let input = input(&config, None, &stages, &reqs, &[], &[], week48("27T18:00"));
        let data = Dataset::new(&input);
        let r = build(&data);
        let lina = r.members.iter().find(|m| m.member == "li.na").unwrap();
        // 3.5 + 2.5 = 6 h; capacity 40/5 × 4 days (Thursday away) = 32 h; 18.8 %.
        assert_eq!(lina.hours, Decimal::from(6));
        assert_eq!(lina.by_activity[&Activity::Demo], "3.5");
        assert_eq!(lina.by_activity[&Activity::Design], "0");
        assert_eq!(lina.capacity_hours, 32.0);
        assert_eq!(lina.utilisation_pct, Some(18.8));
        assert_eq!(lina.open_load, 0);
        let fang = r.members.iter().find(|m| m.member == "wang.fang").unwrap();
        // 7.25 h (Saturday's 5 h is after the as-of day); 20/5 × 5 = 20 h; 36.3 %.
        assert_eq!(fang.hours, "7.25".parse::<Decimal>().unwrap());
        assert_eq!(fang.capacity_hours, 20.0);
        assert_eq!(fang.utilisation_pct, Some(36.3));
        assert_eq!(fang.open_load, 1);
        assert_eq!(r.team.hours, "13.25".parse::<Decimal>().unwrap());
        // Deals: A2 7.25 h, then A1 6 h this week of 10 h in all.
        let deals: Vec<(&str, String, String)> = r
            .deals
            .iter()
            .map(|d| {
                (
                    d.id.as_str(),
                    d.hours_in_period.to_string(),
                    d.hours_total.to_string(),
                )
            })
            .collect();
        assert_eq!(
            deals,
            [
                ("REQ-20261123-A000002", "7.25".into(), "7.25".into()),
                ("REQ-20261116-A000001", "6".into(), "10".into()),
            ]
        );
        // Won: 1,000,000 CNY for 10 h = 100,000 per hour.
        assert_eq!(r.won_per_hour.len(), 1);
        assert_eq!(
            r.won_per_hour[0].value_per_hour,
            Some(Decimal::from(100_000))
        );
        // No open load and nothing logged, liu.yang first; li.na has no open load but
        // 18.8 % used; wang.fang has a request open.
        assert_eq!(r.frees_up_next, ["liu.yang", "li.na", "wang.fang"]);
        assert!(!r.deals.iter().any(|d| d.title == REDACTED));
    }
}
