//! `presales check`: validate the store, and with --base a pull request's changes.

use std::path::PathBuf;

use super::{Ctx, Format, output};
use crate::check::{self, BaseFile, Finding, Severity};
use crate::config::CONFIG_FILE;
use crate::error::Result;
use crate::git::{self, Change};

/// Check every record.
///
/// Schema, file names and places, duplicate IDs, canonical form, references (request ↔ solution
/// ↔ article ↔ customer, team members), stage guards and merge conflicts. With --base, also
/// each changed record against its version at REF: only legal transitions, history append-only,
/// id/created/author unchanged, new approvals by approvers who are not the author (four eyes).
/// With --verify-authors, each history entry added since the merge-base of REF and HEAD was
/// committed by the member it names (commit author e-mail = their `email` in presales.toml);
/// --verify-signatures also wants that commit signed with the member's `signing_key`.
///
/// Output: `path:line:col: error: message`; `--format github` for GitHub annotations,
/// `--format json` for tools. Exit code 1 on any error.
///
/// Examples:
///   presales check
///   presales check --base origin/main --format github
///   presales check --base origin/main --verify-signatures
///   presales check requests/2026/REQ-20261127-A7KQ2MX.yaml
#[cfg(test)]
mod tests {
    #[test]
    fn annotations_escape_what_github_reads_as_syntax() {
        assert_eq!(
            super::annotation_data("50% done\r\nnext"),
            "50%25 done%0D%0Anext"
        );
        assert_eq!(
            super::annotation_property("a,b:c%.yaml"),
            "a%2Cb%3Ac%25.yaml"
        );
    }
}

#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Only these record files (references are still resolved against the whole store).
    paths: Vec<PathBuf>,
    /// Also check each record changed since this git revision.
    #[arg(long, value_name = "REF")]
    base: Option<String>,
    /// Each history entry added since the merge-base of REF and HEAD was committed by the
    /// member it names: an ordinary commit whose author e-mail is their `email` (members as
    /// presales.toml has them at the merge-base). Needs the branch's full history.
    #[arg(long, requires = "base")]
    verify_authors: bool,
    /// As --verify-authors, and each such commit has a good signature (`%G?` is `G`) by the
    /// member's `signing_key`.
    #[arg(long, requires = "base")]
    verify_signatures: bool,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let store = ctx.store()?;
    store.format.ensure_understood("judge")?;
    let today = ctx.now()?.date_naive();
    let only: Option<Vec<PathBuf>> = (!a.paths.is_empty()).then(|| {
        a.paths
            .iter()
            .map(|p| {
                let abs = if p.is_absolute() {
                    p.clone()
                } else {
                    ctx.cwd.join(p)
                };
                store.display_path(&abs)
            })
            .collect()
    });
    // With --base, the change is judged from the merge-base of REF and HEAD, and the
    // whole-store rules run over the records the change can reach (all of them when
    // presales.toml changed): the base branch passed the others already, and a PR check
    // stays fast on a large store.
    let fork = match &a.base {
        Some(base) => Some(git::fork_point(store.root(), base)?),
        None => None,
    };
    let changes = match &fork {
        Some(fork) => Some(git::changed_files(store.root(), fork)?),
        None => None,
    };
    let config_changed = changes.as_ref().is_some_and(|ch| {
        ch.iter()
            .any(|(_, p)| p == std::path::Path::new(CONFIG_FILE))
    });
    let only = match (&only, &changes) {
        (None, Some(_)) if config_changed => None,
        (None, Some(ch)) => {
            let changed: Vec<PathBuf> = ch
                .iter()
                .filter(|(c, _)| *c != Change::Deleted)
                .map(|(_, p)| p.clone())
                .collect();
            let mut reach = check::gate::reach(&store, &changed);
            reach.extend(ch.iter().map(|(_, p)| p.clone()));
            Some(reach)
        }
        _ => only,
    };
    let (loaded, mut findings) = check::load(&store, only.as_deref());
    findings.extend(check::check_records(&store, &loaded, today));
    findings.extend(check::config_findings(&store));
    findings.extend(check::store_findings(&store));
    if let (Some(fork), Some(changes)) = (&fork, changes) {
        let mut wanted: Vec<PathBuf> = changes
            .iter()
            .filter(|(c, _)| *c != Change::Added)
            .map(|(_, p)| p.clone())
            .collect();
        wanted.push(PathBuf::from(CONFIG_FILE));
        let mut texts = git::read_at(store.root(), fork, &wanted)?;
        let base_config = texts.remove(std::path::Path::new(CONFIG_FILE)).flatten();
        let files: Vec<BaseFile> = changes
            .into_iter()
            .map(|(change, path)| BaseFile {
                base_text: texts.remove(&path).flatten(),
                path,
                change,
            })
            .collect();
        findings.extend(check::gate::judge(
            &store,
            &loaded,
            &files,
            base_config.as_deref(),
        ));
    }
    if let Some(only) = &only {
        findings.retain(|f| only.contains(&f.path) || f.path == std::path::Path::new(CONFIG_FILE));
    }
    // After the filter above: a file can carry new entries and yet match REF itself.
    if let Some(base) = a.base.as_deref()
        && (a.verify_authors || a.verify_signatures)
    {
        let mut who = check::verify_authors(&store, base, a.verify_signatures)?;
        if let Some(only) = only.as_ref().filter(|_| !a.paths.is_empty()) {
            who.retain(|f| only.contains(&f.path));
        }
        findings.extend(who);
    }
    if store.format.migration_due() {
        findings.push(Finding {
            path: crate::config::CONFIG_FILE.into(),
            line: 1,
            column: 1,
            severity: Severity::Warning,
            message: store.format.migration_summary(),
        });
    }
    // Files out of place are findings here, not warnings.
    store.take_noticed();
    findings.sort();
    findings.dedup();
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let text = match ctx.format {
        Format::Json => output::json(&findings)?,
        Format::Yaml => output::yaml(&findings)?,
        Format::Csv => output::csv(
            &["path", "line", "column", "severity", "message"],
            findings.iter().map(row).collect(),
        )?,
        Format::Github => {
            let prefix = git::prefix(store.root()).unwrap_or_default();
            findings
                .iter()
                .map(|f| {
                    format!(
                        "::{} file={},line={},col={}::{}\n",
                        match f.severity {
                            Severity::Error => "error",
                            Severity::Warning => "warning",
                        },
                        annotation_property(&format!("{prefix}{}", f.path.display())),
                        f.line,
                        f.column,
                        annotation_data(&f.message)
                    )
                })
                .collect()
        }
        Format::Table | Format::Text | Format::Markdown => findings
            .iter()
            .map(|f| {
                format!(
                    "{}:{}:{}: {}: {}\n",
                    f.path.display(),
                    f.line,
                    f.column,
                    row(f)[3],
                    f.message
                )
            })
            .collect(),
    };
    output::print(&text)?;
    if errors > 0 {
        eprintln!("{errors} error(s) found");
        ctx.failed.set(true);
    } else if !matches!(ctx.format, Format::Json | Format::Github) {
        eprintln!("ok: no problems found");
    }
    Ok(())
}

/// A GitHub workflow command's message: `%`, CR and LF escaped, so a finding stays one
/// annotation whatever the record data it quotes.
fn annotation_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A GitHub workflow command's property value (`file=`): also `:` and `,`.
fn annotation_property(s: &str) -> String {
    annotation_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn row(f: &Finding) -> Vec<String> {
    vec![
        f.path.display().to_string(),
        f.line.to_string(),
        f.column.to_string(),
        match f.severity {
            Severity::Error => "error".into(),
            Severity::Warning => "warning".into(),
        },
        f.message.clone(),
    ]
}
