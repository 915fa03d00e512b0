//! `presales check`: validate the store, and with --base a pull request's changes.

use std::path::PathBuf;

use super::{Ctx, Format, output};
use crate::check::{self, Finding, Severity};
use crate::error::Result;

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
    let options = check::Options {
        paths: a
            .paths
            .iter()
            .map(|p| {
                let abs = if p.is_absolute() {
                    p.clone()
                } else {
                    ctx.cwd.join(p)
                };
                store.display_path(&abs)
            })
            .collect(),
        base: a.base,
        verify_authors: a.verify_authors,
        verify_signatures: a.verify_signatures,
        today: Some(ctx.now()?.date_naive()),
    };
    let findings = check::run(&store, &options)?;
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
            let prefix = check::repo_prefix(&store);
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
        Format::Table | Format::Text | Format::Markdown | Format::Html => findings
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
