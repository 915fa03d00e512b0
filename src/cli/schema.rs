//! `presales schema`: write the JSON Schemas of the record files and presales.toml.

use std::path::PathBuf;

use super::Ctx;
use crate::error::{Error, Result};
use crate::store::write_atomic;

/// Write the JSON Schemas (request, solution, customer, presales.toml) generated from this version's types.
///
/// `presales init` puts them in the store's schemas/ folder, where each record's first line
/// points, so editors validate while you type.
///
/// Examples:
///   presales schema --out schemas/
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Folder to write into (default: the store's schemas/ folder).
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let dir = match a.out {
        Some(d) if d.is_absolute() => d,
        Some(d) => ctx.cwd.join(d),
        None => ctx.store()?.root().join(crate::schema::DIR),
    };
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    for (name, text) in crate::schema::all() {
        let p = dir.join(&name);
        if std::fs::read_to_string(&p).ok().as_deref() != Some(text.as_str()) {
            write_atomic(&p, text.as_bytes())?;
            eprintln!("wrote {}", p.display());
        }
    }
    Ok(())
}
