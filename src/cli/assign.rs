//! `presales assign`: give a request to an engineer (派工), by name or by policy.

use serde::Serialize;

use super::{Ctx, Format, output};
use crate::assign::{Decision, Policy};
use crate::error::Result;
use crate::model::{Kind, Request};
use crate::ops::{self, AssignTarget};

/// Assign an engineer.
///
/// --to a member, or --auto by round-robin (派工: one turn each, in the order of the team in
/// presales.toml; whoever is away, lacks the request's skills or left the team is skipped
/// for this round, with the reason recorded) or --policy least-loaded.
///
/// The rotation is derived from past assignments in the store's history, so it needs no
/// counter file. An assignment by hand takes the engineer's next turn ([dispatch]
/// manual_takes_turn). --dry-run explains who would get it and why the others are passed;
/// `presales team` shows the order and who is next.
///
/// Examples:
///   presales assign 7KQ2MX --auto --dry-run
///   presales assign 7KQ2MX --auto
///   presales assign 7KQ2MX --to li.na
///   presales assign 7KQ2MX --to liu.yang --force --note "customer asked for him"
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Request ID or unique abbreviation.
    id: String,
    /// The member to assign.
    #[arg(long, conflicts_with_all = ["auto", "policy"], required_unless_present = "auto")]
    to: Option<String>,
    /// Choose by policy.
    #[arg(long)]
    auto: bool,
    /// How --auto chooses.
    #[arg(long, value_parser = parse_policy, default_value = "round-robin", requires = "auto")]
    policy: Policy,
    /// Explain the choice without writing anything.
    #[arg(long, requires = "auto")]
    dry_run: bool,
    /// With --to: assign a member who is away, for the reason given with --note.
    #[arg(long, conflicts_with = "auto")]
    force: bool,
    /// With --to: why (recorded in the history; required with --force).
    #[arg(long, conflicts_with = "auto")]
    note: Option<String>,
}

fn parse_policy(s: &str) -> std::result::Result<Policy, String> {
    s.parse()
}

#[derive(Serialize)]
struct AssignView<'a> {
    request: &'a Request,
    #[serde(skip_serializing_if = "Option::is_none")]
    decision: Option<&'a Decision>,
    dry_run: bool,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let store = ctx.store()?;
    let id = store.resolve(Kind::Request, &a.id)?;
    let actor = ctx.actor(&store)?;
    if a.dry_run && a.to.is_some() {
        return Err(crate::Error::invalid_with_hint(
            "--dry-run explains an automatic choice; it cannot be combined with --to",
            format!("presales assign {id} --auto --dry-run"),
        ));
    }
    let target = match a.to {
        Some(m) => AssignTarget::Member {
            id: m,
            force: a.force,
            note: a.note,
        },
        None => AssignTarget::Auto {
            policy: a.policy,
            dry_run: a.dry_run,
        },
    };
    let done = ops::assign(&store, &actor, &id, target)?;
    ctx.written(&store, &done.written)?;
    if ctx.format == Format::Json {
        output::print(&output::json(&AssignView {
            request: &done.request,
            decision: done.decision.as_ref(),
            dry_run: a.dry_run,
        })?)?;
        return Ok(());
    }
    let name = |m: &str| {
        store
            .config
            .member(m)
            .map(|x| format!("{m} ({})", x.name))
            .unwrap_or_else(|| m.to_string())
    };
    let mut s = String::new();
    if let Some(d) = &done.decision {
        let verb = if a.dry_run {
            "would go to"
        } else {
            "assigned to"
        };
        match &d.chosen {
            Some(c) => s.push_str(&format!(
                "{id} {verb} {} by {}, turn {}\n",
                name(c),
                d.policy,
                d.turn
            )),
            None => s.push_str(&format!("{id}: no engineer can take it now\n")),
        }
        let order: Vec<&str> = store
            .config
            .members
            .iter()
            .filter(|m| m.has_role(crate::config::Role::Engineer))
            .map(|m| m.id.as_str())
            .collect();
        match d.last_assigned.as_deref() {
            Some(after) => s.push_str(&format!(
                "rotation: {}; it stands after {after}\n",
                order.join(" → ")
            )),
            None => s.push_str(&format!(
                "rotation: {}; nobody has had a turn yet\n",
                order.join(" → ")
            )),
        }
        let rows = d
            .candidates
            .iter()
            .map(|c| {
                let verdict = match (&c.skipped, d.chosen.as_deref() == Some(c.member.as_str())) {
                    (_, true) => "chosen".to_string(),
                    (Some(why), _) => format!("skipped: {why}"),
                    (None, false) => match d.policy {
                        Policy::RoundRobin => "eligible, later in rotation".to_string(),
                        Policy::LeastLoaded => {
                            "eligible, more load or later in rotation".to_string()
                        }
                    },
                };
                vec![name(&c.member), c.load.to_string(), verdict]
            })
            .collect();
        s.push_str(&output::table(&["ENGINEER", "OPEN LOAD", "DECISION"], rows));
    } else {
        s.push_str(&format!(
            "{id} assigned to {}\n",
            name(done.request.assignee.as_deref().unwrap_or_default())
        ));
        if let Some(e) = done
            .request
            .history
            .iter()
            .rev()
            .find(|e| e.action == crate::assign::ASSIGN_ACTION)
        {
            if e.extra.get("force").is_some_and(|f| f == true) {
                s.push_str(&format!(
                    "forced while away: {}\n",
                    e.note.as_deref().unwrap_or_default()
                ));
            }
            if let Some(t) = e.extra.get(crate::assign::TURN_KEY) {
                s.push_str(&format!(
                    "takes their next turn in the rotation (turn {t})\n"
                ));
            }
        }
    }
    if !a.dry_run {
        s.push_str(&format!("stage: {}\n", done.request.stage));
    }
    output::print(&s)?;
    Ok(())
}
