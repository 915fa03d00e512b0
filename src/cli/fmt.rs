//! `presales fmt`: rewrite record files into their canonical form.

use std::path::PathBuf;

use super::{Ctx, output};
use crate::error::{Error, Result};
use crate::model::RecordId;
use crate::ops;

/// Rewrite record files in canonical form (key order, quoting, block text, the schema header).
///
/// With --check, only list the files that differ and exit 1 if any do.
///
/// Examples:
///   presales fmt
///   presales fmt --check
///   presales fmt requests/2026/REQ-20261127-A7KQ2MX.yaml
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Only report files that are not canonical.
    #[arg(long)]
    check: bool,
    /// Record files to format (default: every record in the store).
    paths: Vec<PathBuf>,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let store = ctx.store()?;
    let files: Vec<(RecordId, PathBuf)> = if a.paths.is_empty() {
        store.all_record_files()?
    } else {
        let mut v = Vec::new();
        for p in a.paths {
            let p = if p.is_absolute() { p } else { ctx.cwd.join(p) };
            let stem = p
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            match RecordId::parse(&stem) {
                Ok(id) => v.push((id, p)),
                Err(_) => ctx.warn_error(&Error::invalid(format!(
                    "{}: not a record file (its name is not an ID)",
                    p.display()
                ))),
            }
        }
        v
    };
    let done = ops::fmt::fmt(&store, files, a.check)?;
    for e in &done.errors {
        ctx.warn_error(e);
    }
    if a.check {
        let out: String = done
            .differing
            .iter()
            .map(|p| format!("{}\n", p.display()))
            .collect();
        output::print(&out)?;
        if !done.differing.is_empty() {
            eprintln!(
                "{} file(s) not in canonical form; run `presales fmt`",
                done.differing.len()
            );
            ctx.failed.set(true);
        }
        return Ok(());
    }
    for p in &done.differing {
        eprintln!("formatted {}", p.display());
    }
    Ok(())
}
