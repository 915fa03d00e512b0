//! `presales migrate`: upgrade the store to the current store format.

use super::{Ctx, Format, output};
use crate::error::Result;
use crate::ops::migrate::{self, Change};
use crate::store::format;

/// Upgrade the store to the store format of this presales, as one reviewable change.
///
/// Rewrites every record in canonical form, runs the format's upgrade steps (a record whose
/// content changes gets one `migrate` history entry; past entries are never touched), records
/// the format in presales.toml and completes .gitattributes and .gitignore. Run it on a
/// branch of its own and merge it as its own pull request, after upgrading the presales your
/// CI pins.
///
/// With --check, only list what would change and exit 1 if anything would; print nothing
/// when the store is up to date.
///
/// Examples:
///   presales migrate --check
///   git switch -c migrate-store && presales --commit migrate
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Only list the files that would change; exit 1 if any would.
    #[arg(long)]
    check: bool,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let store = ctx.store()?;
    // Only content changes need a signature; a migration without one still runs.
    let actor = if a.check {
        None
    } else {
        ctx.actor(&store).ok()
    };
    let m = migrate::migrate(&store, actor.as_ref(), a.check)?;
    if a.check {
        if matches!(ctx.format, Format::Json) {
            output::print(&output::json(&m.planned)?)?;
        } else {
            let text: String = m
                .planned
                .iter()
                .map(|p| format!("{}: {}\n", p.path.display(), describe(&p.change, &m)))
                .collect();
            output::print(&text)?;
        }
        if !m.planned.is_empty() {
            eprintln!(
                "{} file(s) to migrate to store format {}; run `presales migrate`",
                m.planned.len(),
                format::CURRENT
            );
            ctx.failed.set(true);
        }
        return Ok(());
    }
    if m.written.touched.is_empty() {
        eprintln!("the store is already in format {}", format::CURRENT);
        return Ok(());
    }
    ctx.written(&store, &m.written)?;
    let what = if m.from == m.to {
        format!("recorded store format {}", m.to)
    } else {
        format!("migrated the store from format {} to {}", m.from, m.to)
    };
    eprintln!(
        "{what}: {} file(s) changed; review and commit them as one change",
        m.written.touched.len()
    );
    Ok(())
}

fn describe(change: &Change, m: &migrate::Migration) -> String {
    match change {
        Change::Format if m.from == m.to => format!("record store format {}", m.to),
        Change::Format => format!("record store format {} (was {})", m.to, m.from),
        Change::Gitattributes => {
            "add the merge-driver and LF line-ending rules for record files".into()
        }
        Change::Gitignore => {
            "ignore the derived caches and the temp files of interrupted writes".into()
        }
        Change::Content => format!("upgrade the record to format {}", m.to),
        Change::Layout => "rewrite in canonical form".into(),
    }
}
