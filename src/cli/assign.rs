//! `presales assign`: give a request to an engineer (派工), by name or by policy.

use serde::Serialize;

use super::{Ctx, Format, output};
use crate::assign::{Decision, Policy};
use crate::error::Result;
use crate::model::{Kind, Request};
use crate::ops::{self, AssignTarget};

/// Assign an engineer.
///
/// --to a member, or --auto by round-robin (equal turns among engineers who have the request's
/// skills and are not away) or --policy least-loaded.
///
/// The rotation is derived from past automatic assignments in the store's history, so it
/// needs no counter file. --dry-run explains who would get it and why others were skipped.
///
/// Examples:
///   presales assign 7KQ2MX --auto --dry-run
///   presales assign 7KQ2MX --auto
///   presales assign 7KQ2MX --to li.na
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
        Some(m) => AssignTarget::Member(m),
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
            Some(c) => s.push_str(&format!("{id} {verb} {} by {}\n", name(c), d.policy)),
            None => s.push_str(&format!("{id}: no engineer can take it now\n")),
        }
        s.push_str(&format!(
            "rotation resumes after: {}\n",
            d.last_assigned
                .as_deref()
                .unwrap_or("(no automatic assignment yet)")
        ));
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
    }
    if !a.dry_run {
        s.push_str(&format!("stage: {}\n", done.request.stage));
    }
    output::print(&s)?;
    Ok(())
}
