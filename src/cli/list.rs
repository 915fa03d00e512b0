//! `presales list`: requests, filtered.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{Ctx, Format, output};
use crate::error::{Error, Result};
use crate::model::customer::CustomerSummary;
use crate::model::id::Kind;
use crate::model::request::{RequestKeys, RequestSummary};
use crate::model::{Priority, Timestamp};
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
    // The table and CSV print rows of cells; the other formats print whole summaries.
    let as_rows = matches!(
        ctx.format,
        Format::Table | Format::Text | Format::Github | Format::Csv
    );
    let needs_names = as_rows && (a.columns.is_empty() || a.columns.contains(&Column::Customer));
    let customers: HashMap<String, String> = if needs_names {
        store
            .summaries::<CustomerSummary>()
            .0
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect()
    } else {
        Default::default()
    };
    // The filters on the keys cached beside each summary: the others are not decoded.
    let keys = |k: &RequestKeys<'_>| {
        a.stage.as_ref().is_none_or(|s| k.stage == s)
            && a.assignee
                .as_ref()
                .is_none_or(|m| k.assignee == Some(m.as_str()))
            && a.kind.as_ref().is_none_or(|t| k.kind == t)
            && customer.as_ref().is_none_or(|c| k.customer == c)
            && a.priority.is_none_or(|p| k.priority == p)
            && (!a.open || k.stage != CLOSED)
    };
    // … and the others, on each decoded summary.
    let wanted = |r: &RequestSummary| {
        a.priority.is_none_or(|p| r.priority == p)
            && a.product
                .as_ref()
                .is_none_or(|p| r.products.iter().any(|x| x.eq_ignore_ascii_case(p)))
            && (a.requested_by.is_none() || r.requested_by == a.requested_by)
            && a.stage.as_ref().is_none_or(|s| &r.stage == s)
            && (a.assignee.is_none() || r.assignee == a.assignee)
            && a.kind.as_ref().is_none_or(|k| &r.kind == k)
            && customer.as_ref().is_none_or(|c| &r.customer == c)
            && (!a.open || r.stage != CLOSED)
            && (!a.overdue || (r.stage != CLOSED && r.due.is_some_and(|d| d < today)))
    };
    // Listed beside the reading of the cache file; a listing that fails is warned about
    // with the records' errors, and nothing is listed.
    let files = || store.stat_records(Kind::Request);
    let stages = store.workflow.all_stages();
    // SLA urgency needs each request's replayed history: read only when asked for, after
    // the requests (so their warnings come first).
    let order = |urgency| Order {
        sort: a.sort,
        reverse: a.reverse,
        limit: a.limit,
        stages: &stages,
        urgency,
    };
    if !as_rows {
        let (requests, errors) = store.summaries_listed::<RequestSummary, _>(files, keys, |r| r);
        for e in &errors {
            ctx.warn_error(e);
        }
        let mut shown: Vec<&RequestSummary> = requests.iter().filter(|r| wanted(r)).collect();
        order(urgency(ctx, a.sort)?).apply(&mut shown);
        let result = match ctx.format {
            Format::Json => output::stream_json(&shown),
            _ => {
                let columns = if a.columns.is_empty() {
                    Column::ALL.to_vec()
                } else {
                    a.columns.clone()
                };
                let headers: Vec<&str> = columns.iter().map(|c| c.header()).collect();
                let rows = shown
                    .iter()
                    .map(|r| {
                        let row = Row::of(r, &customers);
                        columns.iter().map(|&c| row.cell(c).to_string()).collect()
                    })
                    .collect();
                output::list(ctx.format, &shown, &headers, rows).and_then(|t| output::print(&t))
            }
        };
        // A million summaries are not freed one by one: the memory goes back when the
        // command ends.
        drop(shown);
        std::mem::forget(requests);
        return result;
    }
    // The table and CSV keep of each request only what they print (one string per
    // request, made on the core that decoded it), not a million whole summaries.
    let (rows, errors) = store.summaries_listed::<RequestSummary, _>(files, keys, |r| {
        wanted(&r).then(|| Row::of(&r, &customers))
    });
    for e in &errors {
        ctx.warn_error(e);
    }
    let mut shown: Vec<Row> = rows.into_iter().flatten().collect();
    order(urgency(ctx, a.sort)?).apply(&mut shown);
    let columns = if !a.columns.is_empty() {
        a.columns.clone()
    } else if matches!(ctx.format, Format::Table | Format::Text | Format::Github) {
        let width = output::width();
        let mut natural = Column::ALL.map(|c| c.header().len());
        if width.is_some() {
            use unicode_width::UnicodeWidthStr;
            for r in &shown {
                for c in Column::ALL {
                    let w = output::safe(r.cell(c)).width();
                    natural[c as usize] = natural[c as usize].max(w);
                }
            }
        }
        default_columns(&natural, width)
    } else {
        Column::ALL.to_vec()
    };
    let headers: Vec<&str> = columns.iter().map(|c| c.header()).collect();
    // A store can hold 100,000 requests: write as we go rather than build the whole text.
    let result = match ctx.format {
        Format::Csv => output::stream_csv(&headers, shown.len(), |i| {
            columns
                .iter()
                .map(|&c| shown[i].cell(c).to_string())
                .collect()
        }),
        _ => output::stream_table(&headers, shown.len(), |i, cells| {
            for (out, &c) in cells.iter_mut().zip(&columns) {
                out.push_str(shown[i].cell(c));
            }
        }),
    };
    std::mem::forget(shown);
    result
}

/// Each request's rank in SLA urgency when `sort` asks for it (its history replayed), by ID.
fn urgency(ctx: &Ctx, sort: Sort) -> Result<HashMap<String, usize>> {
    if sort != Sort::Sla {
        return Ok(HashMap::new());
    }
    let loaded = super::report::Loaded::load(ctx)?;
    let now = ctx.now()?;
    let window = loaded.window(crate::report::PeriodSpec::Default, None, now)?;
    let order = loaded.with(window, true, crate::report::by_sla_urgency);
    std::mem::forget(loaded);
    Ok(order
        .into_iter()
        .enumerate()
        .map(|(i, id)| (id, i))
        .collect())
}

/// One request as the table and CSV show it: the text of every column in one string, and
/// what the orders sort by.
struct Row {
    created: Timestamp,
    due: Option<NaiveDate>,
    priority: Priority,
    /// Where each column's text ends in `text`, in [`Column::ALL`] order.
    ends: [u32; Column::ALL.len()],
    text: Box<str>,
}

impl Row {
    /// `r`'s cells, the customer shown by name when `customers` knows it.
    fn of(r: &RequestSummary, customers: &HashMap<String, String>) -> Row {
        use std::fmt::Write as _;
        let mut text = String::new();
        let mut ends = [0u32; Column::ALL.len()];
        for (end, c) in ends.iter_mut().zip(Column::ALL) {
            match c {
                Column::Id => text.push_str(&r.id),
                Column::Stage => text.push_str(&r.stage),
                Column::Type => text.push_str(&r.kind),
                Column::Priority => {
                    let _ = write!(text, "{}", r.priority);
                }
                Column::Title => text.push_str(&r.title),
                Column::Customer => {
                    text.push_str(customers.get(&r.customer).unwrap_or(&r.customer))
                }
                Column::Assignee => text.push_str(r.assignee.as_deref().unwrap_or_default()),
                Column::Due => {
                    if let Some(d) = r.due {
                        let _ = write!(text, "{d}");
                    }
                }
            }
            // A record file is far below 4 GB.
            *end = u32::try_from(text.len()).unwrap_or(u32::MAX);
        }
        Row {
            created: r.created,
            due: r.due,
            priority: r.priority,
            ends,
            text: text.into_boxed_str(),
        }
    }

    fn cell(&self, c: Column) -> &str {
        let i = c as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text
            .get(start..self.ends[i] as usize)
            .unwrap_or_default()
    }
}

/// What the orders of `presales list` read of a request.
#[derive(Clone, Copy)]
struct SortKeys<'a> {
    id: &'a str,
    stage: &'a str,
    created: Timestamp,
    priority: Priority,
    due: Option<NaiveDate>,
}

/// A request as `presales list` orders it: a whole summary, or a table's row.
trait Listed {
    fn keys(&self) -> SortKeys<'_>;
}

impl Listed for &RequestSummary {
    fn keys(&self) -> SortKeys<'_> {
        SortKeys {
            id: &self.id,
            stage: &self.stage,
            created: self.created,
            priority: self.priority,
            due: self.due,
        }
    }
}

impl Listed for Row {
    fn keys(&self) -> SortKeys<'_> {
        SortKeys {
            id: self.cell(Column::Id),
            stage: self.cell(Column::Stage),
            created: self.created,
            priority: self.priority,
            due: self.due,
        }
    }
}

/// The order asked for: --sort, --reverse, --limit.
struct Order<'a> {
    sort: Sort,
    reverse: bool,
    limit: Option<usize>,
    stages: &'a [String],
    urgency: HashMap<String, usize>,
}

impl Order<'_> {
    /// Sorts by the order asked for, then creation time to the second, then ID (the order
    /// requests were registered in); reverses and cuts when asked.
    fn apply<T: Listed>(&self, shown: &mut Vec<T>) {
        let stage_rank = |s: &str| {
            self.stages
                .iter()
                .position(|x| x == s)
                .unwrap_or(usize::MAX)
        };
        let urgency = |id: &str| self.urgency.get(id).copied().unwrap_or(usize::MAX);
        shown.sort_by(|x, y| {
            let (x, y) = (x.keys(), y.keys());
            let by = match self.sort {
                Sort::Created | Sort::Age => std::cmp::Ordering::Equal,
                Sort::Sla => urgency(x.id).cmp(&urgency(y.id)),
                Sort::Priority => x.priority.cmp(&y.priority),
                Sort::Stage => stage_rank(x.stage).cmp(&stage_rank(y.stage)),
                Sort::Due => x
                    .due
                    .is_none()
                    .cmp(&y.due.is_none())
                    .then_with(|| x.due.cmp(&y.due)),
            };
            by.then_with(|| x.created.cmp(&y.created))
                .then_with(|| x.id.cmp(y.id))
        });
        if self.reverse {
            shown.reverse();
        }
        if let Some(n) = self.limit {
            shown.truncate(n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(id: &str, created: &str, priority: Priority) -> RequestSummary {
        RequestSummary {
            id: id.to_string(),
            title: "华东电网调度系统升级".to_string(),
            kind: "solution".to_string(),
            priority,
            customer: "CUS-20261101-AAAAAAA".to_string(),
            requested_by: None,
            created: chrono::DateTime::parse_from_rfc3339(created).unwrap(),
            due: None,
            stage: "design".to_string(),
            assignee: None,
            skills: Vec::new(),
            products: Vec::new(),
            tags: Vec::new(),
            solution: None,
            outcome: None,
            technical_win: false,
            satisfaction: None,
            confidential: false,
        }
    }

    /// Each cell of a row is the text the columns print: the customer by name when known
    /// (else its ID), empty cells for no assignee and no due date.
    #[test]
    fn a_row_holds_each_columns_text() {
        let mut r = summary("REQ-20261101-AAAAAAA", "2026-11-01T09:00:00Z", Priority::P2);
        let names = HashMap::from([(r.customer.clone(), "华东电网".to_string())]);
        let row = Row::of(&r, &names);
        let cells: Vec<&str> = Column::ALL.iter().map(|&c| row.cell(c)).collect();
        assert_eq!(
            cells,
            [
                "REQ-20261101-AAAAAAA",
                "design",
                "solution",
                "P2",
                "华东电网调度系统升级",
                "华东电网",
                "",
                ""
            ]
        );
        r.assignee = Some("li.na".to_string());
        r.due = NaiveDate::from_ymd_opt(2026, 12, 24);
        let row = Row::of(&r, &HashMap::new());
        assert_eq!(row.cell(Column::Customer), "CUS-20261101-AAAAAAA");
        assert_eq!(row.cell(Column::Assignee), "li.na");
        assert_eq!(row.cell(Column::Due), "2026-12-24");
        assert_eq!(row.cell(Column::Id), "REQ-20261101-AAAAAAA");
    }

    /// Rows and whole summaries sort alike: by the order asked for, then creation time,
    /// then ID; reversed and cut after sorting. (The IDs are not in creation order, so
    /// each key is seen.)
    #[test]
    fn rows_and_summaries_sort_alike() {
        let request = |id: &str, created: &str, priority: Priority, stage: &str, due| {
            let mut r = summary(id, created, priority);
            r.stage = stage.to_string();
            r.due = due;
            r
        };
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d);
        let all = [
            request(
                "REQ-20261101-ZZZZZZZ",
                "2026-11-03T09:00:00Z",
                Priority::P3,
                "review",
                None,
            ),
            request(
                "REQ-20261102-BBBBBBB",
                "2026-11-02T09:00:00Z",
                Priority::P1,
                "design",
                day(10),
            ),
            request(
                "REQ-20261101-CCCCCCC",
                "2026-11-01T09:00:00Z",
                Priority::P3,
                "design",
                day(1),
            ),
            request(
                "REQ-20261101-AAAAAAA",
                "2026-11-01T09:00:00Z",
                Priority::P3,
                "design",
                None,
            ),
        ];
        let urgent: HashMap<String, usize> = HashMap::from([
            ("REQ-20261101-CCCCCCC".to_string(), 0),
            ("REQ-20261101-ZZZZZZZ".to_string(), 1),
        ]);
        // A workflow where review comes before design, so that the stage order is not
        // the creation order.
        let stages = vec!["review".to_string(), "design".to_string()];
        for (sort, reverse, limit, want) in [
            (
                Sort::Created,
                false,
                None,
                ["AAAAAAA", "CCCCCCC", "BBBBBBB", "ZZZZZZZ"].as_slice(),
            ),
            (
                Sort::Priority,
                false,
                None,
                &["BBBBBBB", "AAAAAAA", "CCCCCCC", "ZZZZZZZ"],
            ),
            (
                Sort::Stage,
                false,
                None,
                &["ZZZZZZZ", "AAAAAAA", "CCCCCCC", "BBBBBBB"],
            ),
            (
                Sort::Due,
                false,
                None,
                &["CCCCCCC", "BBBBBBB", "AAAAAAA", "ZZZZZZZ"],
            ),
            (
                Sort::Sla,
                false,
                None,
                &["CCCCCCC", "ZZZZZZZ", "AAAAAAA", "BBBBBBB"],
            ),
            (Sort::Created, true, Some(2), &["ZZZZZZZ", "BBBBBBB"]),
        ] {
            let order = || Order {
                sort,
                reverse,
                limit,
                stages: &stages,
                urgency: urgent.clone(),
            };
            let mut summaries: Vec<&RequestSummary> = all.iter().collect();
            order().apply(&mut summaries);
            let mut rows: Vec<Row> = all.iter().map(|r| Row::of(r, &HashMap::new())).collect();
            order().apply(&mut rows);
            let ids: Vec<&str> = summaries.iter().map(|r| &r.id[13..]).collect();
            assert_eq!(ids, want, "{sort:?}");
            let row_ids: Vec<&str> = rows.iter().map(|r| &r.keys().id[13..]).collect();
            assert_eq!(row_ids, want, "{sort:?}");
        }
    }

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
