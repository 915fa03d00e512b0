//! `presales edit`: edit a request in $EDITOR, re-validated before it is saved.

use std::process::Command;

use super::Ctx;
use crate::error::{Error, Result};
use crate::model::{Kind, Request};
use crate::ops::{self, Stored};
use crate::store::{Store, yaml};

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
    /// The record (request, article, customer, gap or training; ID or unique abbreviation).
    id: String,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let store = ctx.store()?;
    let kind = crate::model::RecordId::parse(&a.id)
        .map(|id| id.kind())
        .or_else(|_| a.id.split('-').next().and_then(Kind::from_prefix).ok_or(()))
        .unwrap_or(Kind::Request);
    match kind {
        Kind::Article => edit_record::<crate::model::Article>(ctx, &store, &a.id),
        Kind::Customer => edit_record::<crate::model::Customer>(ctx, &store, &a.id),
        Kind::Gap => edit_record::<crate::model::Gap>(ctx, &store, &a.id),
        Kind::Training => edit_record::<crate::model::Training>(ctx, &store, &a.id),
        Kind::Solution => Err(Error::invalid_with_hint(
            format!("{}: a solution is changed by its own commands", a.id),
            "presales solution plan|milestone|resource|quote|risk SOL …",
        )),
        Kind::Request => edit_record::<Request>(ctx, &store, &a.id),
    }
}

/// The current hash of an article's body file when it differs from the last one recorded.
fn body_file_changed<T: Stored>(store: &Store, record: &T) -> Result<Option<String>> {
    let Some(article) = serde_json::to_value(record)
        .ok()
        .filter(|_| T::KIND == Kind::Article)
        .and_then(|v| serde_json::from_value::<crate::model::Article>(v).ok())
    else {
        return Ok(None);
    };
    let Some(file) = &article.body_file else {
        return Ok(None);
    };
    let now = crate::model::content_hash(&store.read_repo_file(file)?);
    Ok((ops::recorded_body_hash(&article).as_deref() != Some(now.as_str())).then_some(now))
}

/// Opens the record in `$VISUAL`/`$EDITOR`, then records each changed field as an `edit`
/// entry (old → new). A draft that does not parse, or changes what editing may not, is
/// kept in `.presales/recovery/` and nothing is saved.
pub fn edit_record<T: Stored>(ctx: &Ctx, store: &Store, input: &str) -> Result<()> {
    let id = store.resolve(T::KIND, input)?;
    let actor = ctx.actor(store)?;
    let before: T = store.load(&id)?;
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
    let shown = store.display_path(&store.path_of(&id));
    let draft_bytes = std::fs::read(&draft).map_err(|e| Error::io(&draft, e))?;
    let saved = match crate::store::utf8_text(draft_bytes, &shown) {
        // Saved in another encoding: kept below, as a draft that does not parse is.
        Err(e @ Error::Parse { .. }) => Err(e),
        Err(e) => return Err(e),
        Ok(text) => {
            // An article's body file edited since it was last recorded: this edit records it.
            let body_sha256 = body_file_changed(store, &before)?;
            if text == original && body_sha256.is_none() {
                eprintln!("{id}: no changes");
                let _ = std::fs::remove_file(&draft);
                return Ok(());
            }
            yaml::parse::<T>(&shown, &text)
                .and_then(|after| ops::save_edit(store, &actor, &before, &after, body_sha256))
        }
    };
    match saved {
        Ok(edited) => {
            let _ = std::fs::remove_file(&draft);
            ctx.written(store, &edited.written)?;
            eprintln!("{id}: saved ({})", edited.fields.join(", "));
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
                .unwrap_or_else(|| recovery_dir.join(format!("{id}-{stamp}-last.yaml")));
            // The draft's bytes as the editor left them, whatever their encoding.
            std::fs::copy(&draft, &recovery).map_err(|e| Error::io(&recovery, e))?;
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
