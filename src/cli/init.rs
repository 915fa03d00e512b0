//! `presales init`: create a store.

use std::path::PathBuf;

use super::Ctx;
use crate::error::Result;

/// Create a presales store: presales.toml, the record folders and a .gitignore.
///
/// Refuses to overwrite an existing store. Without --empty, presales.toml holds an
/// example team (marked as such) to edit or replace.
///
/// Examples:
///   presales init
///   presales init ~/deals --empty
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Folder to create the store in (default: the current folder).
    dir: Option<PathBuf>,
    /// Leave the team empty instead of writing the example team.
    #[arg(long)]
    empty: bool,
    /// Register the merge driver in this clone's git config (works on an existing store
    /// too). Every presales command does this by itself unless `[store]
    /// register_merge_driver = false`.
    #[arg(long)]
    git_hooks: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<()> {
    let dir = match args.dir {
        Some(d) if d.is_absolute() => d,
        Some(d) => ctx.cwd.join(d),
        None => ctx.cwd.clone(),
    };
    if args.git_hooks && dir.join(crate::config::CONFIG_FILE).exists() {
        crate::ops::register_merge_driver(&dir)?;
        eprintln!("registered the presales merge driver in this clone's git config");
        return Ok(());
    }
    let done = crate::ops::init(&dir, args.empty)?;
    for p in &done.written {
        eprintln!("wrote {}", p.strip_prefix(&dir).unwrap_or(p).display());
    }
    eprintln!("Initialized a presales store in {}", dir.display());
    if done.merge_driver {
        eprintln!("registered the presales merge driver in this clone's git config");
    }
    if args.empty {
        eprintln!(
            "Next: add your team with `presales team add ID --name N --role engineer --skill S`."
        );
    } else {
        eprintln!(
            "Next: replace the EXAMPLE TEAM in presales.toml with your own people (`presales team`)."
        );
    }
    Ok(())
}
