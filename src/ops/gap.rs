//! The product-gap commands (产品差距): `gap new`, `gap link` (written on the request, so a
//! gap many deals hit never conflicts), `gap status` and `gap merge`.

use super::command::{self, Command};
use super::{Actor, Tx, World, Written, run};
use crate::error::{Error, Result};
use crate::model::{Gap, GapStatus, Kind, RecordId, Request, Severity};
use crate::store::Store;

/// What `gap new` records.
pub struct NewGap {
    pub title: String,
    pub product: String,
    pub area: Option<String>,
    pub description: Option<String>,
    /// An article ID or abbreviation.
    pub workaround: Option<String>,
}

/// Creates a gap (status `open`); returns it with what was written.
pub fn create(store: &Store, actor: &Actor, input: NewGap) -> Result<(Gap, Written)> {
    let workaround = match &input.workaround {
        Some(w) => Some(store.resolve(Kind::Article, w)?.to_string()),
        None => None,
    };
    let mut tx = Tx::begin(store, Some(actor))?;
    let id = store.mint(Kind::Gap, actor.now)?;
    let cmd = Command::NewGap {
        id: id.to_string(),
        input: command::GapInput {
            title: input.title,
            product: input.product,
            area: input.area,
            description: input.description,
            workaround,
        },
    };
    let mut world = World::new(store);
    tx.run(&mut world, actor, &cmd)?;
    let gap: Gap = world.get(id.as_str())?;
    let description = format!("{}: new gap {}", gap.id, gap.title);
    Ok((gap, tx.finish(description)))
}

/// Links request `req` to `gap` with a severity; `feedback` is the 1-based number of a
/// feedback item of the request's latest demo, whose disposition becomes `gap`. A gap that
/// was merged is replaced by the gap it was merged into.
pub fn link(
    store: &Store,
    actor: &Actor,
    gap: &RecordId,
    req: &RecordId,
    severity: Severity,
    feedback: Option<usize>,
) -> Result<(Request, Written)> {
    let feedback = match feedback {
        None => None,
        Some(n) => {
            let r: Request = store.load(req)?;
            let demo = r.demos.last().ok_or_else(|| {
                Error::invalid_with_hint(
                    format!("{req} has no demo, so no feedback item {n}"),
                    "leave out --feedback, or record the demo and its feedback first",
                )
            })?;
            let count = demo.feedback.len();
            let f = demo.feedback.get(n.wrapping_sub(1)).ok_or_else(|| {
                Error::invalid(format!(
                    "the latest demo of {req} has {count} feedback item(s); --feedback {n} is not one"
                ))
            })?;
            Some(f.id.clone().ok_or_else(|| {
                Error::invalid_with_hint(
                    format!("{req}'s feedback was recorded before store format 2 and has no ids"),
                    "run `presales migrate`",
                )
            })?)
        }
    };
    let gap = &live(store, gap)?;
    let cmd = Command::LinkGap {
        request: req.to_string(),
        input: command::GapLinkInput {
            item: crate::store::mint_item()?,
            gap: gap.to_string(),
            severity,
            feedback,
        },
    };
    run(store, actor, cmd, req.as_str(), |_: &Request| {
        format!("{req}: gap {gap} ({severity})")
    })
}

/// The gap `id` stands for: itself, or the gap it was merged into (merges followed).
pub fn live(store: &Store, id: &RecordId) -> Result<RecordId> {
    let mut current = id.clone();
    for _ in 0..64 {
        let g: Gap = store.load(&current)?;
        match g.merged_into.as_deref().map(RecordId::parse) {
            Some(Ok(next)) if next.kind() == Kind::Gap && next != *id => current = next,
            _ => return Ok(current),
        }
    }
    Ok(current)
}

/// Sets a gap's status, with the engineering reference and a note.
pub fn set_status(
    store: &Store,
    actor: &Actor,
    gap: &RecordId,
    to: GapStatus,
    reference: Option<String>,
    note: Option<String>,
) -> Result<(Gap, Written)> {
    let cmd = Command::GapStatus {
        gap: gap.to_string(),
        input: command::GapStatusInput {
            from: None,
            to,
            reference,
            note,
        },
    };
    run(store, actor, cmd, gap.as_str(), |g: &Gap| {
        format!("{gap}: {}", g.status)
    })
}

/// Merges gap `from` into gap `into`: `from` gets `merged_into`, and every link to it
/// counts for `into`.
pub fn merge(
    store: &Store,
    actor: &Actor,
    from: &RecordId,
    into: &RecordId,
    note: Option<String>,
) -> Result<(Gap, Written)> {
    let cmd = Command::MergeGap {
        gap: from.to_string(),
        input: command::GapMergeInput {
            to: into.to_string(),
            note,
        },
    };
    run(store, actor, cmd, from.as_str(), |_: &Gap| {
        format!("{from}: merged into {into}")
    })
}
