//! The design of a solution (方案设计): technical plan, milestones (时间计划), resources
//! (资源需求), quotation lines (报价估算) and risks (风险评估).

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::super::command::{self, Command};
use super::super::{Actor, Written, check_member, run};
use super::plan_path;
use crate::error::{Error, Result};
use crate::model::solution::Risk;
use crate::model::{RecordId, Solution, content_hash};
use crate::store::Store;

pub enum Plan {
    File(std::path::PathBuf),
    Text(String),
}

pub fn set_plan(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    plan: Plan,
) -> Result<(Solution, Written)> {
    let input = match plan {
        Plan::File(p) => {
            let f = plan_path(store, &p)?;
            command::PlanInput {
                plan_sha256: content_hash(&store.read_repo_file(&f)?),
                plan_file: Some(f),
                plan: None,
            }
        }
        Plan::Text(t) if t.trim().is_empty() => {
            return Err(Error::invalid("--plan is empty"));
        }
        Plan::Text(t) => command::PlanInput {
            plan_file: None,
            plan_sha256: content_hash(&t),
            plan: Some(t),
        },
    };
    let cmd = Command::Plan {
        solution: id.to_string(),
        input,
    };
    run(store, actor, cmd, id.as_str(), |s: &Solution| {
        format!("{}: plan", s.id)
    })
}

pub fn add_milestone(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    name: &str,
    date: NaiveDate,
) -> Result<(Solution, Written)> {
    let cmd = Command::Milestone {
        solution: id.to_string(),
        input: command::MilestoneInput {
            name: name.to_string(),
            date,
        },
    };
    run(store, actor, cmd, id.as_str(), |s: &Solution| {
        format!("{}: milestone", s.id)
    })
}

pub fn add_resource(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    role: &str,
    person: Option<String>,
    days: Decimal,
) -> Result<(Solution, Written)> {
    if let Some(p) = &person {
        check_member(store, p)?;
    }
    let cmd = Command::Resource {
        solution: id.to_string(),
        input: command::ResourceInput {
            role: role.to_string(),
            person,
            days,
        },
    };
    run(store, actor, cmd, id.as_str(), |s: &Solution| {
        format!("{}: resource", s.id)
    })
}

pub struct QuoteInput {
    pub item: String,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub currency: Option<String>,
    pub valid_until: Option<NaiveDate>,
}

/// Adds a quotation line (报价估算); the total is recomputed in decimal arithmetic.
pub fn add_quote_line(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    q: QuoteInput,
) -> Result<(Solution, Written)> {
    let cmd = Command::Quote {
        solution: id.to_string(),
        input: command::QuoteInput {
            item: q.item,
            quantity: q.quantity,
            unit_price: q.unit_price,
            currency: q.currency,
            valid_until: q.valid_until,
            total: None,
        },
    };
    run(store, actor, cmd, id.as_str(), |s: &Solution| {
        format!("{}: quote", s.id)
    })
}

pub fn add_risk(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    risk: Risk,
) -> Result<(Solution, Written)> {
    let cmd = Command::Risk {
        solution: id.to_string(),
        input: command::RiskInput {
            description: risk.description,
            likelihood: risk.likelihood,
            impact: risk.impact,
            mitigation: risk.mitigation,
            owner: risk.owner,
            score: None,
        },
    };
    run(store, actor, cmd, id.as_str(), |s: &Solution| {
        format!("{}: risk", s.id)
    })
}
