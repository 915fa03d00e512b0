//! `presales inbox`: what waits for me now, most urgent first.

use super::report::{Doc, PeriodArgs, with_data};
use super::{Ctx, Format, output};
use crate::error::Result;
use crate::model::{Article, Solution};
use crate::report::AsOf;
use crate::report::inbox::{self, Inbox, Reason};

/// What waits for you now, most urgent first (待办).
///
/// Your requests whose first response or resolution is breached or at risk, solutions
/// waiting for your approval or your review verdict, your other open requests, and the
/// articles you own whose review date has passed. "You" is --as, PRESALES_USER or git's
/// user.email. `--format markdown` or `json` for a CI job that posts it.
///
/// Examples:
///   presales inbox
///   presales inbox --as chen.jing
///   presales inbox --as li.na --format markdown >> "$GITHUB_STEP_SUMMARY"
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Look as of this day (its last second) or RFC 3339 time; default PRESALES_NOW or the clock.
    #[arg(long, value_name = "WHEN", value_parser = AsOf::parse)]
    as_of: Option<AsOf>,
    /// Show confidential customers and requests instead of `[confidential]`.
    #[arg(long)]
    include_confidential: bool,
}

fn what(r: Reason) -> &'static str {
    match r {
        Reason::Breached => "breached",
        Reason::Approve => "approve",
        Reason::Review => "review",
        Reason::AtRisk => "at risk",
        Reason::Assigned => "assigned",
        Reason::ArticleDue => "article due",
        Reason::ArticleFlagged => "article flagged",
    }
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let store = ctx.store()?;
    let me = ctx.actor(&store)?.id;
    let (solutions, errors) = store.load_all_cached::<Solution>();
    let (articles, aerrors) = store.load_all_cached::<Article>();
    for e in errors.iter().chain(&aerrors) {
        ctx.warn_error(e);
    }
    with_data(
        ctx,
        &PeriodArgs::now(a.as_of, a.include_confidential),
        |data, _zone| {
            let inbox = inbox::build(data, &solutions, &articles, &me);
            render(ctx.format, &inbox)
        },
    )
}

fn render(format: Format, inbox: &Inbox) -> Result<String> {
    match format {
        Format::Json => return output::json(inbox),
        Format::Yaml => return output::yaml(inbox),
        _ => {}
    }
    let headers = ["WHAT", "ID", "STAGE", "DETAIL", "TITLE", "NEXT"];
    let rows: Vec<Vec<String>> = inbox
        .items
        .iter()
        .map(|i| {
            vec![
                what(i.reason).to_string(),
                i.id.clone(),
                i.stage.clone().unwrap_or_else(|| "-".into()),
                i.detail.clone(),
                i.title.clone(),
                i.next.clone(),
            ]
        })
        .collect();
    if format == Format::Csv {
        return output::csv(&headers, rows);
    }
    let mut d = Doc::default();
    d.title(format!("Inbox of {}", inbox.member));
    d.text(format!(
        "as of {} · {}",
        inbox.as_of.format("%Y-%m-%d %H:%M %:z"),
        output::count(inbox.items.len(), "item")
    ));
    d.table(&headers, rows, "nothing waits for you");
    // `github` is for a job summary or a comment: GitHub-flavoured Markdown.
    d.render_as(if format == Format::Github {
        Format::Markdown
    } else {
        format
    })
}
