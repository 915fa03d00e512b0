//! Operations on solutions (解决方案) and the solution-side steps of a request, each
//! resolving its input into a [`Command`] run in a [`super::Tx`]: the solution itself here;
//! the design (plan, milestones, resources, quotation, risks) in [`design`]; demos and
//! feedback in [`demo`]; review rounds, four-eyes approval and handover in [`review`].

mod demo;
mod design;
mod review;

use std::path::Path;

use super::command::{self, Command};
use super::{Actor, Tx, World, Written};
use crate::error::{Error, Result};
use crate::model::{Kind, Request, Solution, content_hash};
use crate::store::Store;

pub use super::apply::editable_stage;
pub use demo::{add_feedback, disposition_str, hold_demo, plan_demo, record_demo, set_disposition};
pub use design::{Plan, add_risk, milestone, quote, resource, set_plan};
pub use review::{approve, handover, parse_training, review, split_attendees};

pub struct NewSolution {
    pub request: String,
    pub title: Option<String>,
    /// Absolute path of a Markdown plan inside the store.
    pub plan_file: Option<std::path::PathBuf>,
    /// The plan, inline.
    pub plan: Option<String>,
    pub supersede: bool,
}

/// Creates the solution of a request and links both ways.
pub fn create(store: &Store, actor: &Actor, input: NewSolution) -> Result<(Solution, Written)> {
    let req_id = store.resolve(Kind::Request, &input.request)?;
    let plan_file = input
        .plan_file
        .as_deref()
        .map(|p| plan_path(store, p))
        .transpose()?;
    let plan_sha256 = match (&plan_file, &input.plan) {
        (Some(f), _) => Some(content_hash(&store.read_repo_file(f)?)),
        (None, Some(t)) if !t.trim().is_empty() => Some(content_hash(t)),
        _ => None,
    };
    let mut tx = Tx::begin(store, Some(actor))?;
    let req: Request = store.load(&req_id)?;
    let id = store.mint(Kind::Solution, actor.now)?;
    let cmd = Command::NewSolution {
        id: id.to_string(),
        input: command::SolutionInput {
            request: req.id.clone(),
            title: input
                .title
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| req.title.clone()),
            plan_file,
            plan_sha256,
            supersedes: if input.supersede {
                req.solution.clone()
            } else {
                None
            },
            plan: input.plan.filter(|t| !t.trim().is_empty()),
        },
    };
    let mut world = World::new(store);
    tx.run(&mut world, actor, &cmd)?;
    let sol: Solution = world.get(id.as_str())?;
    let description = format!("{}: new solution for {}", sol.id, sol.request);
    Ok((sol, tx.finish(description)))
}

/// A plan file must exist inside the store; it is recorded relative to the root.
pub(super) fn plan_path(store: &Store, path: &Path) -> Result<String> {
    let abs = path
        .canonicalize()
        .map_err(|e| Error::invalid(format!("plan file {}: {e}", path.display())))?;
    let root = store
        .root()
        .canonicalize()
        .map_err(|e| Error::io(store.root(), e))?;
    let rel = abs.strip_prefix(&root).map_err(|_| {
        Error::invalid_with_hint(
            format!("plan file {} is outside the store", path.display()),
            format!(
                "copy it under {} so it is versioned with the solution",
                root.display()
            ),
        )
    })?;
    Ok(rel.to_string_lossy().replace('\\', "/"))
}
