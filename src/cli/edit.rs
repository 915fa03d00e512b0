//! `presales edit`: edit a request in $EDITOR, re-validated before it is saved.

use std::process::Command;

use super::Ctx;
use crate::error::{Error, Result};
use crate::model::{Kind, Request};
use crate::ops;
use crate::store::yaml;

/// Open a request in $VISUAL or $EDITOR.
///
/// The result is checked (it must parse, keep its id and history, and change its stage only
/// through `advance`); an invalid result is not saved, and your text is kept in a recovery file
/// whose path is printed.
///
/// Examples:
///   EDITOR=nano presales edit 7KQ2MX
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    id: String,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let store = ctx.store()?;
    let id = store.resolve(Kind::Request, &a.id)?;
    let actor = ctx.actor(&store)?;
    let before: Request = store.load(&id)?;
    let original = std::fs::read_to_string(store.path_of(&id))
        .map_err(|e| Error::io(store.path_of(&id), e))?;
    let work = store.cache_path("edit")?;
    std::fs::create_dir_all(&work).map_err(|e| Error::io(&work, e))?;
    let draft = work.join(format!("{id}.yaml"));
    std::fs::write(&draft, &original).map_err(|e| Error::io(&draft, e))?;
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| {
            std::env::var("EDITOR")
                .ok()
                .filter(|s| !s.trim().is_empty())
        })
        .unwrap_or_else(|| "vi".into());
    // EDITOR may carry arguments ("code --wait"); run it through the shell like git does.
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&draft)
        .status()
        .map_err(|e| Error::invalid(format!("cannot run editor `{editor}`: {e}")))?;
    if !status.success() {
        return Err(Error::invalid_with_hint(
            format!("editor `{editor}` failed ({status}); nothing saved"),
            format!("your draft is in {}", draft.display()),
        ));
    }
    let text = std::fs::read_to_string(&draft).map_err(|e| Error::io(&draft, e))?;
    if text == original {
        eprintln!("{id}: no changes");
        let _ = std::fs::remove_file(&draft);
        return Ok(());
    }
    let checked = yaml::parse::<Request>(&store.display_path(&store.path_of(&id)), &text)
        .and_then(|after| ops::check_edit(&store, &before, &after).map(|fields| (after, fields)));
    match checked {
        Ok((after, fields)) => {
            let (_, touched) = ops::save_edit(&store, &actor, after, &fields)?;
            let _ = std::fs::remove_file(&draft);
            ctx.written(
                &store,
                &touched,
                &format!("{id}: edit {}", fields.join(", ")),
            )?;
            eprintln!(
                "{id}: saved ({})",
                if fields.is_empty() {
                    "history only".to_string()
                } else {
                    fields.join(", ")
                }
            );
            Ok(())
        }
        Err(e) => {
            let recovery_dir = store.cache_path("recovery")?;
            std::fs::create_dir_all(&recovery_dir).map_err(|e| Error::io(&recovery_dir, e))?;
            let stamp = actor.now.format("%Y%m%dT%H%M%S");
            // Never overwrite an earlier recovery file made in the same second.
            let recovery = (0..)
                .map(|n| match n {
                    0 => recovery_dir.join(format!("{id}-{stamp}.yaml")),
                    n => recovery_dir.join(format!("{id}-{stamp}-{n}.yaml")),
                })
                .find(|p| !p.exists())
                .expect("an unbounded range always yields a free name");
            std::fs::write(&recovery, &text).map_err(|e| Error::io(&recovery, e))?;
            let _ = std::fs::remove_file(&draft);
            let why = match e.hint() {
                Some(h) if !matches!(e, Error::Parse { .. }) => format!("{e} ({h})"),
                _ => e.to_string(),
            };
            Err(Error::invalid_with_hint(
                format!("{id} was not saved: {why}"),
                format!(
                    "your text is kept in {}; fix it and copy it back, or run `presales edit {id}` again",
                    store.display_path(&recovery).display()
                ),
            ))
        }
    }
}
