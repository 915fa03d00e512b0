//! `presales list`: requests, filtered.

use super::{Ctx, Format, output};
use crate::error::{Error, Result};
use crate::model::customer::CustomerSummary;
use crate::model::request::RequestSummary;
use crate::workflow::CLOSED;

/// List requests, in creation order (oldest first), or as --sort says.
///
/// Files that do not parse are reported on stderr, the others still listed, and the exit code
/// is 1.
///
/// Examples:
///   presales list --open
///   presales list --stage review --assignee li.na
///   presales list --overdue --format json
///   presales list --open --priority P1 --sort due
///   presales list --product SD-WAN --sort created --reverse --limit 10
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[arg(long)]
    stage: Option<String>,
    #[arg(long)]
    assignee: Option<String>,
    #[arg(long = "type")]
    kind: Option<String>,
    /// Customer ID or unique abbreviation.
    #[arg(long)]
    customer: Option<String>,
    /// Only requests that are not closed.
    #[arg(long)]
    open: bool,
    /// Only open requests past their due date.
    #[arg(long)]
    overdue: bool,
    /// Only this priority (P1–P4).
    #[arg(long, value_parser = parse_priority)]
    priority: Option<crate::model::Priority>,
    /// Only requests concerning this product.
    #[arg(long)]
    product: Option<String>,
    /// Only requests asked for by this member.
    #[arg(long, value_name = "MEMBER")]
    requested_by: Option<String>,
    /// Order: created (the default; age is the same, oldest first), priority (P1 first),
    /// stage (in workflow order), due (soonest first, none last).
    #[arg(long, value_enum, default_value_t = Sort::Created)]
    sort: Sort,
    /// Reverse the order.
    #[arg(long)]
    reverse: bool,
    /// Show at most N requests (after sorting).
    #[arg(long, value_name = "N", value_parser = super::parse_count)]
    limit: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Sort {
    Created,
    Age,
    Priority,
    Stage,
    Due,
}

fn parse_priority(s: &str) -> std::result::Result<crate::model::Priority, String> {
    s.parse()
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let store = ctx.store()?;
    if let Some(stage) = &a.stage {
        let all = store.workflow.all_stages();
        if !all.contains(stage) {
            return Err(Error::invalid_with_hint(
                format!("unknown stage `{stage}`"),
                format!("stages: {}", all.join(", ")),
            ));
        }
    }
    if let Some(kind) = &a.kind {
        store.workflow.path(kind)?;
    }
    for m in a.assignee.iter().chain(&a.requested_by) {
        crate::ops::check_member(&store, m)?;
    }
    let customer = match &a.customer {
        Some(c) => Some(crate::ops::resolve_customer(&store, c)?.to_string()),
        None => None,
    };
    let today = ctx.now()?.date_naive();
    let (requests, errors) = store.summaries::<RequestSummary>();
    for e in &errors {
        ctx.warn_error(e);
    }
    let needs_names = matches!(
        ctx.format,
        super::Format::Table | super::Format::Text | super::Format::Github | super::Format::Csv
    );
    let customers: std::collections::HashMap<String, String> = if needs_names {
        store
            .summaries::<CustomerSummary>()
            .0
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect()
    } else {
        Default::default()
    };
    let mut shown: Vec<&RequestSummary> = requests
        .iter()
        .filter(|r| a.priority.is_none_or(|p| r.priority == p))
        .filter(|r| {
            a.product
                .as_ref()
                .is_none_or(|p| r.products.iter().any(|x| x.eq_ignore_ascii_case(p)))
        })
        .filter(|r| a.requested_by.is_none() || r.requested_by == a.requested_by)
        .filter(|r| a.stage.as_ref().is_none_or(|s| &r.stage == s))
        .filter(|r| a.assignee.is_none() || r.assignee == a.assignee)
        .filter(|r| a.kind.as_ref().is_none_or(|k| &r.kind == k))
        .filter(|r| customer.as_ref().is_none_or(|c| &r.customer == c))
        .filter(|r| !a.open || r.stage != CLOSED)
        .filter(|r| !a.overdue || (r.stage != CLOSED && r.due.is_some_and(|d| d < today)))
        .collect();
    // Creation order to the second, then ID: the order requests were registered in.
    let stages = store.workflow.all_stages();
    let stage_rank = |s: &str| stages.iter().position(|x| x == s).unwrap_or(usize::MAX);
    shown.sort_by(|x, y| {
        let by = match a.sort {
            Sort::Created | Sort::Age => std::cmp::Ordering::Equal,
            Sort::Priority => x.priority.cmp(&y.priority),
            Sort::Stage => stage_rank(&x.stage).cmp(&stage_rank(&y.stage)),
            Sort::Due => x
                .due
                .is_none()
                .cmp(&y.due.is_none())
                .then(x.due.cmp(&y.due)),
        };
        by.then(x.created.cmp(&y.created)).then(x.id.cmp(&y.id))
    });
    if a.reverse {
        shown.reverse();
    }
    if let Some(n) = a.limit {
        shown.truncate(n);
    }
    let row = |i: usize| -> Vec<String> {
        let r = shown[i];
        let cname = customers
            .get(&r.customer)
            .cloned()
            .unwrap_or_else(|| r.customer.clone());
        vec![
            r.id.clone(),
            r.stage.clone(),
            r.kind.clone(),
            r.priority.to_string(),
            r.title.clone(),
            cname,
            r.assignee.clone().unwrap_or_default(),
            r.due.map(|d| d.to_string()).unwrap_or_default(),
        ]
    };
    let headers = [
        "ID", "STAGE", "TYPE", "PRI", "TITLE", "CUSTOMER", "ASSIGNEE", "DUE",
    ];
    // A store can hold 100,000 requests: write as we go rather than build the whole text.
    match ctx.format {
        Format::Json => output::stream_json(&shown)?,
        Format::Yaml | Format::Markdown => {
            let rows = (0..shown.len()).map(row).collect();
            output::print(&output::list(ctx.format, &shown, &headers, rows)?)?;
        }
        Format::Csv => output::stream_csv(&headers, shown.len(), row)?,
        Format::Table | Format::Text | Format::Github => {
            output::stream_table(&headers, shown.len(), row)?
        }
    }
    Ok(())
}
