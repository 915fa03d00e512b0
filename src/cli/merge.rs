//! `presales merge-file`: git's merge driver for record files.

use std::path::PathBuf;

use serde_json::Value;

use super::Ctx;
use crate::error::{Error, Result};
use crate::merge::merge_records;
use crate::model::{Customer, Kind, RecordId, Request, Solution};
use crate::store::{write_atomic, yaml};

/// Merge three versions of a record file field by field (git merge driver).
///
/// Registered by `presales init` in .gitattributes; enable it in a clone with
///   git config merge.presales.driver "presales merge-file %O %A %B %P"
/// (or `presales init --git-hooks`). History entries from both sides are kept, in time
/// order; a field changed on one side is taken; a field changed differently on both sides
/// keeps ours and is listed under `merge_conflicts` for `presales check` to report (exit 1,
/// so git shows the file as conflicted). Never writes conflict markers.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The common ancestor (%O).
    base: PathBuf,
    /// Our version (%A); the result is written here.
    ours: PathBuf,
    /// Their version (%B).
    theirs: PathBuf,
    /// The file's path in the repository (%P), which names the record kind.
    path: Option<PathBuf>,
}

fn read_value(path: &PathBuf) -> Result<Value> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    yaml::parse::<Value>(path, &text)
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let base = read_value(&a.base)?;
    let ours = read_value(&a.ours)?;
    let theirs = read_value(&a.theirs)?;
    let (merged, conflicts) = merge_records(&base, &ours, &theirs);
    let named = a.path.as_ref().unwrap_or(&a.ours);
    let kind = named
        .file_stem()
        .and_then(|s| RecordId::parse(&s.to_string_lossy()).ok())
        .map(|id| id.kind());
    // Typed when possible, so the result is canonical like any record the tool writes.
    let typed = match kind {
        Some(Kind::Request) => typed::<Request>(&merged),
        Some(Kind::Solution) => typed::<Solution>(&merged),
        Some(Kind::Customer) => typed::<Customer>(&merged),
        Some(Kind::Article) => typed::<crate::model::Article>(&merged),
        Some(Kind::Gap) => typed::<crate::model::Gap>(&merged),
        Some(Kind::Training) => typed::<crate::model::Training>(&merged),
        _ => None,
    };
    let text = match typed {
        Some(t) => t,
        None => {
            let header = kind.map(crate::schema::header).unwrap_or_default();
            header + &yaml::to_canonical(&merged)?
        }
    };
    write_atomic(&a.ours, text.as_bytes())?;
    if !conflicts.is_empty() {
        for c in &conflicts {
            eprintln!(
                "{}",
                super::output::safe(&format!(
                    "presales merge-file: {}: `{}` changed on both sides (ours {}, theirs {}); kept ours, see merge_conflicts",
                    named.display(),
                    c.field,
                    c.ours,
                    c.theirs
                ))
            );
        }
        ctx.failed.set(true);
    }
    Ok(())
}

fn typed<T: crate::model::Record>(v: &Value) -> Option<String> {
    let rec: T = serde_json::from_value(v.clone()).ok()?;
    yaml::record_text(&rec).ok()
}
