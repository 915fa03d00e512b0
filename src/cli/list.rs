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
///   presales list --columns id,stage,assignee,title
///
/// On a terminal the table fits its width: titles and customer names are cut with `…`, and
/// when even that is not enough, TYPE, CUSTOMER, DUE and PRI are left out in that order
/// (--columns says which to show, --wide cuts nothing).
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Only requests in this stage.
    #[arg(long)]
    stage: Option<String>,
    /// Only requests assigned to this member.
    #[arg(long)]
    assignee: Option<String>,
    /// Only requests of this type (solution, rfp, demo, consultation, poc, complaint).
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
    /// The columns of the table, CSV and Markdown, in this order (comma-separated): id,
    /// stage, type, priority (pri), title, customer, assignee, due. JSON and YAML print
    /// whole summaries.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "COLUMN,…")]
    columns: Vec<Column>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Column {
    Id,
    Stage,
    Type,
    #[value(alias = "pri")]
    Priority,
    Title,
    Customer,
    Assignee,
    Due,
}

impl Column {
    const ALL: [Column; 8] = [
        Column::Id,
        Column::Stage,
        Column::Type,
        Column::Priority,
        Column::Title,
        Column::Customer,
        Column::Assignee,
        Column::Due,
    ];

    /// What a narrow terminal leaves out first when no --columns are given.
    const DROPPED_FIRST: [Column; 4] = [
        Column::Type,
        Column::Customer,
        Column::Due,
        Column::Priority,
    ];

    fn header(self) -> &'static str {
        match self {
            Column::Id => "ID",
            Column::Stage => "STAGE",
            Column::Type => "TYPE",
            Column::Priority => "PRI",
            Column::Title => "TITLE",
            Column::Customer => "CUSTOMER",
            Column::Assignee => "ASSIGNEE",
            Column::Due => "DUE",
        }
    }
}

/// The default columns that fit `width` with the title at least 16 wide (or whole), leaving
/// out [`Column::DROPPED_FIRST`] one by one. Pure: `natural` is each column's widest cell.
fn default_columns(natural: &[usize; 8], width: Option<usize>) -> Vec<Column> {
    let mut cols = Column::ALL.to_vec();
    let Some(width) = width else { return cols };
    let need = |cols: &[Column]| -> usize {
        cols.iter()
            .map(|&c| {
                let w = natural[c as usize];
                match c {
                    Column::Title => w.min(16),
                    Column::Customer => w.min(8),
                    _ => w,
                }
            })
            .sum::<usize>()
            + super::fit::overhead(cols.len())
    };
    for drop in Column::DROPPED_FIRST {
        if need(&cols) <= width {
            break;
        }
        cols.retain(|&c| c != drop);
    }
    cols
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Sort {
    Created,
    Age,
    Priority,
    Stage,
    Due,
    /// SLA urgency: breached first, then at risk, by the share of the limit used.
    Sla,
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
    // The filters on the keys cached beside each summary: the others are not decoded.
    let (requests, errors) = store.summaries_where::<RequestSummary>(|k| {
        a.stage.as_ref().is_none_or(|s| k.stage == s)
            && a.assignee
                .as_ref()
                .is_none_or(|m| k.assignee == Some(m.as_str()))
            && a.kind.as_ref().is_none_or(|t| k.kind == t)
            && customer.as_ref().is_none_or(|c| k.customer == c)
            && a.priority.is_none_or(|p| k.priority == p)
            && (!a.open || k.stage != CLOSED)
    });
    for e in &errors {
        ctx.warn_error(e);
    }
    let needs_names = matches!(
        ctx.format,
        super::Format::Table | super::Format::Text | super::Format::Github | super::Format::Csv
    ) && (a.columns.is_empty() || a.columns.contains(&Column::Customer));
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
    // SLA urgency needs each request's replayed history: read only when asked for.
    let urgency: std::collections::HashMap<String, usize> = if a.sort == Sort::Sla {
        let loaded = super::report::Loaded::load(ctx)?;
        let now = ctx.now()?;
        let window = loaded.window(crate::report::PeriodSpec::Default, None, now)?;
        let order = loaded.with(window, true, crate::report::by_sla_urgency);
        std::mem::forget(loaded);
        order
            .into_iter()
            .enumerate()
            .map(|(i, id)| (id, i))
            .collect()
    } else {
        Default::default()
    };
    shown.sort_by(|x, y| {
        let by = match a.sort {
            Sort::Created | Sort::Age => std::cmp::Ordering::Equal,
            Sort::Sla => urgency
                .get(&x.id)
                .unwrap_or(&usize::MAX)
                .cmp(urgency.get(&y.id).unwrap_or(&usize::MAX)),
            Sort::Priority => x.priority.cmp(&y.priority),
            Sort::Stage => stage_rank(&x.stage).cmp(&stage_rank(&y.stage)),
            Sort::Due => x
                .due
                .is_none()
                .cmp(&y.due.is_none())
                .then_with(|| x.due.cmp(&y.due)),
        };
        by.then_with(|| x.created.cmp(&y.created))
            .then_with(|| x.id.cmp(&y.id))
    });
    if a.reverse {
        shown.reverse();
    }
    if let Some(n) = a.limit {
        shown.truncate(n);
    }
    // A cell's text, written into `out` (the table's streamed rows reuse their strings).
    let write_cell = |r: &RequestSummary, c: Column, out: &mut String| {
        use std::fmt::Write as _;
        match c {
            Column::Id => out.push_str(&r.id),
            Column::Stage => out.push_str(&r.stage),
            Column::Type => out.push_str(&r.kind),
            Column::Priority => {
                let _ = write!(out, "{}", r.priority);
            }
            Column::Title => out.push_str(&r.title),
            Column::Customer => out.push_str(customers.get(&r.customer).unwrap_or(&r.customer)),
            Column::Assignee => out.push_str(r.assignee.as_deref().unwrap_or_default()),
            Column::Due => {
                if let Some(d) = r.due {
                    let _ = write!(out, "{d}");
                }
            }
        }
    };
    let cell = |r: &RequestSummary, c: Column| -> String {
        let mut out = String::new();
        write_cell(r, c, &mut out);
        out
    };
    let columns = if !a.columns.is_empty() {
        a.columns.clone()
    } else if matches!(ctx.format, Format::Table | Format::Text | Format::Github) {
        let width = output::width();
        let mut natural = Column::ALL.map(|c| c.header().len());
        if width.is_some() {
            use unicode_width::UnicodeWidthStr;
            let mut text = String::new();
            for r in &shown {
                for c in Column::ALL {
                    text.clear();
                    write_cell(r, c, &mut text);
                    let w = output::safe(&text).width();
                    natural[c as usize] = natural[c as usize].max(w);
                }
            }
        }
        default_columns(&natural, width)
    } else {
        Column::ALL.to_vec()
    };
    let row = |i: usize| -> Vec<String> { columns.iter().map(|&c| cell(shown[i], c)).collect() };
    let headers: Vec<&str> = columns.iter().map(|c| c.header()).collect();
    // A store can hold 100,000 requests: write as we go rather than build the whole text.
    match ctx.format {
        Format::Json => output::stream_json(&shown)?,
        Format::Yaml | Format::Markdown | Format::Html => {
            let rows = (0..shown.len()).map(row).collect();
            output::print(&output::list(ctx.format, &shown, &headers, rows)?)?;
        }
        Format::Csv => output::stream_csv(&headers, shown.len(), row)?,
        Format::Table | Format::Text | Format::Github => {
            output::stream_table(&headers, shown.len(), |i, cells| {
                for (out, &c) in cells.iter_mut().zip(&columns) {
                    write_cell(shown[i], c, out);
                }
            })?
        }
    }
    // A million summaries are not freed one by one: the memory goes back when the
    // command ends.
    drop(shown);
    std::mem::forget(requests);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_narrow_terminal_leaves_out_type_customer_due_then_priority() {
        // ID, STAGE, TYPE, PRI, TITLE, CUSTOMER, ASSIGNEE, DUE
        let natural = [20, 8, 12, 3, 30, 12, 9, 10];
        assert_eq!(default_columns(&natural, None), Column::ALL);
        assert_eq!(default_columns(&natural, Some(200)), Column::ALL);
        assert_eq!(
            default_columns(&natural, Some(80)),
            [
                Column::Id,
                Column::Stage,
                Column::Priority,
                Column::Title,
                Column::Assignee
            ]
        );
        assert_eq!(
            default_columns(&natural, Some(100)),
            [
                Column::Id,
                Column::Stage,
                Column::Priority,
                Column::Title,
                Column::Customer,
                Column::Assignee,
                Column::Due
            ]
        );
    }
}
