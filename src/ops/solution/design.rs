//! The design of a solution (方案设计): technical plan, milestones (时间计划), resources
//! (资源需求), quotation lines (报价估算) and risks (风险评估).

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

/// Adds, changes (`edit`) or removes (`remove`) a milestone of the time plan (时间计划).
pub fn milestone(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    input: command::MilestoneInput,
) -> Result<(Solution, Written)> {
    let what = change_word(input.edit, input.remove);
    let cmd = Command::Milestone {
        solution: id.to_string(),
        input,
    };
    run(store, actor, cmd, id.as_str(), |s: &Solution| {
        format!("{}: milestone{what}", s.id)
    })
}

/// Adds, changes or removes a resource (资源需求).
pub fn resource(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    input: command::ResourceInput,
) -> Result<(Solution, Written)> {
    if let Some(p) = &input.person {
        check_member(store, p)?;
    }
    let what = change_word(input.edit, input.remove);
    let cmd = Command::Resource {
        solution: id.to_string(),
        input,
    };
    run(store, actor, cmd, id.as_str(), |s: &Solution| {
        format!("{}: resource{what}", s.id)
    })
}

/// Changes the quotation (报价估算): a line added, changed or removed, the discount, the tax,
/// the currency or the validity; the total is recomputed in decimal arithmetic.
pub fn quote(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    input: command::QuoteInput,
) -> Result<(Solution, Written)> {
    let what = change_word(input.edit, input.remove);
    let cmd = Command::Quote {
        solution: id.to_string(),
        input: command::QuoteInput {
            was: None,
            total: None,
            ..input
        },
    };
    run(store, actor, cmd, id.as_str(), |s: &Solution| {
        format!("{}: quote{what}", s.id)
    })
}

/// The commit message's word for a change of item N.
fn change_word(edit: Option<u32>, remove: Option<u32>) -> String {
    match (edit, remove) {
        (Some(n), _) => format!(" {n} changed"),
        (None, Some(n)) => format!(" {n} removed"),
        _ => String::new(),
    }
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
