//! `presales gap`: product gaps (产品差距 / 改进需求) and the requests that ran into them.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use super::{Ctx, Format, output};
use crate::error::Result;
use crate::model::{Customer, Gap, GapStatus, Kind, RecordId, Request, Severity};
use crate::ops::gap::{self as gap_ops, NewGap};
use crate::report::REDACTED;
use crate::report::gaps::{Amount, folded, targets};
use crate::store::Store;

/// Product gaps (产品差距): what a product lacks that deals asked for, and what it costs.
///
/// A gap is its own file (gaps/<year>/GAP-….yaml); the link from a request to a gap is kept
/// on the request, so a gap that many deals hit never conflicts. `presales report gaps` adds
/// up the value of the deals linked to each gap.
///
/// Examples:
///   presales gap new --title '不支持国密 SM4 加密' --product VPN --area crypto
///   presales gap link GAP-20261127-A7KQ2MX 7KQ2MX --severity blocker --feedback 2
///   presales gap status A7KQ2MX planned --ref JIRA-123
///   presales gap list --status open --product VPN
///   presales gap show A7KQ2MX
///   presales gap merge GAP-20261127-B000001 GAP-20261127-A7KQ2MX
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, clap::Subcommand)]
enum Cmd {
    New(NewArgs),
    Link(LinkArgs),
    Status(StatusArgs),
    List(ListArgs),
    Show(ShowArgs),
    Merge(MergeArgs),
    Edit(EditArgs),
}

/// Record a product gap (status open); prints its ID.
///
/// Examples:
///   presales gap new --title '不支持国密 SM4 加密' --product VPN
///   presales gap new --title 'No SAML single sign-on' --product Portal --area auth \
///     --description 'Customers on ADFS need SAML 2.0' --workaround KB-20261101-A000001
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
struct NewArgs {
    /// What the product lacks, in one line.
    #[arg(long)]
    title: String,
    /// The product that lacks it.
    #[arg(long)]
    product: String,
    /// The part of the product (module, feature area).
    #[arg(long)]
    area: Option<String>,
    /// What is missing and what the customer needs (Markdown).
    #[arg(long)]
    description: Option<String>,
    /// A knowledge-base article describing a workaround (ID or abbreviation).
    #[arg(long, value_name = "ARTICLE")]
    workaround: Option<String>,
}

/// Link a request to a gap it ran into, with how much it hurts the deal.
///
/// The link is written on the request. With --feedback N it comes from feedback item N
/// (1-based) of the request's latest demo, as `presales feedback --item` counts them, and
/// that item's disposition becomes `gap`. A request links to a gap once; a gap that was
/// merged is replaced by the gap it was merged into.
///
/// Examples:
///   presales gap link GAP-20261127-A7KQ2MX 7KQ2MX --severity blocker
///   presales gap link A7KQ2MX 7KQ2MX --severity challenge --feedback 2
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
struct LinkArgs {
    /// The gap (ID or abbreviation).
    gap: String,
    /// The request (ID or abbreviation).
    request: String,
    /// blocker (no deal without it), challenge (harder, a workaround or a concession) or
    /// nice_to_have.
    #[arg(long, value_parser = parse_severity)]
    severity: Severity,
    /// The feedback item (1-based) of the request's latest demo the gap came from.
    #[arg(long, value_name = "N", value_parser = super::parse_count)]
    feedback: Option<usize>,
}

/// Set where engineering stands on a gap: open, planned, shipped or wont_do.
///
/// Examples:
///   presales gap status A7KQ2MX planned --ref JIRA-123
///   presales gap status A7KQ2MX shipped --note 'in 5.2'
///   presales gap status A7KQ2MX wont_do --note 'out of the roadmap'
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
struct StatusArgs {
    /// The gap (ID or abbreviation).
    gap: String,
    /// open, planned, shipped or wont_do.
    #[arg(value_parser = parse_status)]
    status: GapStatus,
    /// The engineering reference (issue key, e.g. JIRA-123).
    #[arg(long = "ref", value_name = "REF")]
    reference: Option<String>,
    /// Why, or what was decided; kept in history.
    #[arg(long)]
    note: Option<String>,
}

/// List gaps with the number of linked requests and their value.
///
/// Links to a merged gap count for the gap it was merged into; merged gaps are listed with
/// the status `merged` (filter them with --status merged).
///
/// Examples:
///   presales gap list
///   presales gap list --status open --product VPN --format csv
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
struct ListArgs {
    /// Only gaps with this status: open, planned, shipped, wont_do or merged.
    #[arg(long, value_parser = ["open", "planned", "shipped", "wont_do", "merged"])]
    status: Option<String>,
    /// Only gaps of this product (case-insensitive).
    #[arg(long)]
    product: Option<String>,
}

/// Show a gap: its fields, the requests linked to it (with value, stage and outcome) and
/// its history.
///
/// Examples:
///   presales gap show A7KQ2MX
///   presales gap show GAP-20261127-A7KQ2MX --format json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ShowArgs {
    /// The gap (ID or unique abbreviation).
    gap: String,
    /// Show confidential customers and requests instead of `[confidential]` (保密制度).
    #[arg(long)]
    include_confidential: bool,
}

/// Merge gap A into gap B (the same gap recorded twice).
///
/// A gets `merged_into: B` and a `merge_gap` entry; nothing else changes, so no history or
/// link is lost: every request linked to A counts for B in `gap show B`, `gap list` and
/// `report gaps`. A merged gap takes no status changes, and `gap link A` links B. Refused: merging a
/// gap into itself, into a gap that was merged, or a gap that was merged already.
///
/// Examples:
///   presales gap merge GAP-20261127-B000001 GAP-20261127-A7KQ2MX --note 'same SM4 gap'
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
struct MergeArgs {
    /// The gap merged away (ID or abbreviation).
    from: String,
    /// The gap it is merged into.
    into: String,
    /// Why they are the same gap; kept in history.
    #[arg(long)]
    note: Option<String>,
}

/// Edit a gap in $VISUAL/$EDITOR: title, product, area, description, workaround.
///
/// Status and reference change with `gap status`, `merged_into` with `gap merge`.
///
/// Examples:
///   EDITOR=nano presales gap edit A7KQ2MX
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
struct EditArgs {
    /// The gap (ID or unique abbreviation).
    gap: String,
}

fn parse_severity(s: &str) -> std::result::Result<Severity, String> {
    s.parse()
}

fn parse_status(s: &str) -> std::result::Result<GapStatus, String> {
    s.parse()
}

pub fn run(ctx: &Ctx, args: Args) -> Result<()> {
    match args.cmd {
        Cmd::New(a) => new(ctx, a),
        Cmd::Link(a) => link(ctx, a),
        Cmd::Status(a) => status(ctx, a),
        Cmd::List(a) => list(ctx, a),
        Cmd::Show(a) => {
            let store = ctx.store()?;
            let id = store.resolve(Kind::Gap, &a.gap)?;
            show_gap(ctx, &store, &id, a.include_confidential)
        }
        Cmd::Merge(a) => merge(ctx, a),
        Cmd::Edit(a) => {
            let store = ctx.store()?;
            super::edit::edit_record::<Gap>(ctx, &store, &a.gap)
        }
    }
}

fn new(ctx: &Ctx, a: NewArgs) -> Result<()> {
    let store = ctx.store()?;
    let actor = ctx.actor(&store)?;
    let (gap, written) = gap_ops::create(
        &store,
        &actor,
        NewGap {
            title: a.title,
            product: a.product,
            area: a.area,
            description: a.description,
            workaround: a.workaround,
        },
    )?;
    ctx.written(&store, &written)?;
    output::print(&format!("{}\n", gap.id))?;
    Ok(())
}

fn link(ctx: &Ctx, a: LinkArgs) -> Result<()> {
    let store = ctx.store()?;
    let gap = store.resolve(Kind::Gap, &a.gap)?;
    let req = store.resolve(Kind::Request, &a.request)?;
    let actor = ctx.actor(&store)?;
    let target = gap_ops::live(&store, &gap)?;
    if target != gap {
        eprintln!("note: {gap} was merged into {target}; linking {target}");
    }
    let gap = target;
    let (_, written) = gap_ops::link(&store, &actor, &gap, &req, a.severity, a.feedback)?;
    ctx.written(&store, &written)?;
    let from = a
        .feedback
        .map(|n| format!(" (from feedback item {n}, now `gap`)"))
        .unwrap_or_default();
    output::print(&format!("{req}: linked to {gap} as {}{from}\n", a.severity))?;
    Ok(())
}

fn status(ctx: &Ctx, a: StatusArgs) -> Result<()> {
    let store = ctx.store()?;
    let id = store.resolve(Kind::Gap, &a.gap)?;
    let actor = ctx.actor(&store)?;
    let (gap, written) = gap_ops::set_status(&store, &actor, &id, a.status, a.reference, a.note)?;
    ctx.written(&store, &written)?;
    let reference = gap
        .reference
        .as_deref()
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    output::print(&format!("{id}: {}{reference}\n", gap.status))?;
    Ok(())
}

fn merge(ctx: &Ctx, a: MergeArgs) -> Result<()> {
    let store = ctx.store()?;
    let from = store.resolve(Kind::Gap, &a.from)?;
    let into = store.resolve(Kind::Gap, &a.into)?;
    let actor = ctx.actor(&store)?;
    let (_, written) = gap_ops::merge(&store, &actor, &from, &into, a.note)?;
    ctx.written(&store, &written)?;
    output::print(&format!(
        "{from}: merged into {into}; its links count for {into}\n"
    ))?;
    Ok(())
}

/// A gap's state as people read it: its status, or `merged` once merged.
fn state(g: &Gap) -> String {
    if g.merged_into.is_some() {
        "merged".into()
    } else {
        g.status.to_string()
    }
}

/// Values per currency, sorted, as `1200000 CNY + 50000 USD`.
fn money(sums: &BTreeMap<String, Decimal>) -> String {
    if sums.is_empty() {
        return "-".into();
    }
    sums.iter()
        .map(|(c, v)| format!("{} {c}", v.normalize()))
        .collect::<Vec<_>>()
        .join(" + ")
}

fn amounts(sums: &BTreeMap<String, Decimal>) -> Vec<Amount> {
    sums.iter()
        .map(|(c, v)| Amount {
            currency: c.clone(),
            value: v.normalize(),
        })
        .collect()
}

fn add_value(sums: &mut BTreeMap<String, Decimal>, req: &Request) {
    if let Some(o) = &req.opportunity
        && let Some(v) = o.value
    {
        let c = o.currency.clone().unwrap_or_else(|| "-".into());
        let slot = sums.entry(c).or_default();
        *slot = slot.checked_add(v).unwrap_or(Decimal::MAX);
    }
}

#[derive(Serialize)]
struct GapView<'a> {
    #[serde(flatten)]
    gap: &'a Gap,
    state: String,
    requests: usize,
    blockers: usize,
    linked_value: Vec<Amount>,
}

fn load_gaps_and_requests(ctx: &Ctx, store: &Store) -> (Vec<Gap>, Vec<Request>) {
    let (gaps, errors) = store.load_all_cached::<Gap>();
    let (requests, rerrors) = store.load_all_cached::<Request>();
    for e in errors.iter().chain(&rerrors) {
        ctx.warn_error(e);
    }
    (gaps, requests)
}

fn list(ctx: &Ctx, a: ListArgs) -> Result<()> {
    let store = ctx.store()?;
    let (gaps, requests) = load_gaps_and_requests(ctx, &store);
    let targets = targets(&gaps, None);
    // Per gap the links have been folded onto: (requests, blockers, value per currency).
    let mut linked: BTreeMap<String, (usize, usize, BTreeMap<String, Decimal>)> = BTreeMap::new();
    for r in &requests {
        for (gap, l) in folded(r, &targets, None) {
            let slot = linked.entry(gap).or_default();
            slot.0 += 1;
            if l.severity == Severity::Blocker {
                slot.1 += 1;
            }
            add_value(&mut slot.2, r);
        }
    }
    let empty = (0, 0, BTreeMap::new());
    let views: Vec<GapView> = gaps
        .iter()
        .filter(|g| a.status.as_deref().is_none_or(|s| state(g) == s))
        .filter(|g| {
            a.product
                .as_deref()
                .is_none_or(|p| g.product.to_lowercase() == p.trim().to_lowercase())
        })
        .map(|g| {
            let (n, b, v) = linked.get(&g.id).unwrap_or(&empty);
            GapView {
                gap: g,
                state: state(g),
                requests: *n,
                blockers: *b,
                linked_value: amounts(v),
            }
        })
        .collect();
    let rows = views
        .iter()
        .map(|v| {
            let g = v.gap;
            let value: BTreeMap<String, Decimal> = v
                .linked_value
                .iter()
                .map(|a| (a.currency.clone(), a.value))
                .collect();
            vec![
                g.id.clone(),
                g.product.clone(),
                g.area.clone().unwrap_or_default(),
                match &g.merged_into {
                    Some(into) => format!("merged into {into}"),
                    None => g.status.to_string(),
                },
                g.reference.clone().unwrap_or_default(),
                v.requests.to_string(),
                v.blockers.to_string(),
                money(&value),
                g.title.clone(),
            ]
        })
        .collect();
    let headers = [
        "ID", "PRODUCT", "AREA", "STATUS", "REF", "REQS", "BLOCKERS", "VALUE", "TITLE",
    ];
    output::print(&output::list(ctx.format, &views, &headers, rows)?)?;
    Ok(())
}

/// A request linked to a gap, as `gap show` lists it.
#[derive(Serialize)]
struct LinkedRequest {
    request: String,
    title: String,
    customer: String,
    severity: Severity,
    /// The gap the link names, when it is a gap merged into this one.
    via: Option<String>,
    stage: String,
    outcome: Option<crate::model::Outcome>,
    #[serde(with = "rust_decimal::serde::str_option")]
    value: Option<Decimal>,
    currency: Option<String>,
    linked_at: crate::model::Timestamp,
    linked_by: String,
}

#[derive(Serialize)]
struct GapFile<'a> {
    #[serde(flatten)]
    gap: &'a Gap,
    state: String,
    /// Gaps merged into this one.
    merged: Vec<String>,
    requests: Vec<LinkedRequest>,
    linked_value: Vec<Amount>,
}

pub(super) fn show(ctx: &Ctx, store: &Store, id: &RecordId) -> Result<()> {
    show_gap(ctx, store, id, false)
}

fn show_gap(ctx: &Ctx, store: &Store, id: &RecordId, include_confidential: bool) -> Result<()> {
    let gap: Gap = store.load(id)?;
    let (gaps, requests) = load_gaps_and_requests(ctx, store);
    let (customers, cerrors) = store.load_all_cached::<Customer>();
    for e in &cerrors {
        ctx.warn_error(e);
    }
    let customers: BTreeMap<&str, &Customer> =
        customers.iter().map(|c| (c.id.as_str(), c)).collect();
    let targets = targets(&gaps, None);
    let merged: Vec<String> = targets
        .iter()
        .filter(|(from, to)| *to == &gap.id && *from != &gap.id)
        .map(|(from, _)| from.clone())
        .collect();
    let mut linked = Vec::new();
    let mut value = BTreeMap::new();
    for r in &requests {
        let Some(l) = folded(r, &targets, None).remove(&gap.id) else {
            continue;
        };
        add_value(&mut value, r);
        let cust = customers.get(r.customer.as_str());
        let hide =
            !include_confidential && (r.confidential || cust.is_some_and(|c| c.confidential));
        let redact = |s: String| if hide { REDACTED.to_string() } else { s };
        let o = r.opportunity.as_ref().filter(|_| !hide);
        linked.push(LinkedRequest {
            request: r.id.clone(),
            title: redact(r.title.clone()),
            customer: redact(cust.map_or_else(|| r.customer.clone(), |c| c.name.clone())),
            severity: l.severity,
            via: (l.gap != gap.id).then(|| l.gap.clone()),
            stage: r.stage.clone(),
            outcome: r.outcome,
            value: o.and_then(|o| o.value),
            currency: o.and_then(|o| o.currency.clone()),
            linked_at: l.at,
            linked_by: l.by.clone(),
        });
    }
    let file = GapFile {
        state: state(&gap),
        gap: &gap,
        merged,
        requests: linked,
        linked_value: amounts(&value),
    };
    match ctx.format {
        Format::Json => output::print(&output::json(&file)?)?,
        Format::Yaml => output::print(&output::yaml(&file)?)?,
        Format::Csv => output::print(&output::csv(
            &[
                "request", "severity", "via", "stage", "outcome", "value", "currency", "customer",
                "title",
            ],
            file.requests
                .iter()
                .map(|l| {
                    vec![
                        l.request.clone(),
                        l.severity.to_string(),
                        l.via.clone().unwrap_or_default(),
                        l.stage.clone(),
                        l.outcome.map(|o| o.to_string()).unwrap_or_default(),
                        l.value.map(|v| v.to_string()).unwrap_or_default(),
                        l.currency.clone().unwrap_or_default(),
                        l.customer.clone(),
                        l.title.clone(),
                    ]
                })
                .collect(),
        )?)?,
        Format::Table | Format::Text | Format::Github | Format::Markdown | Format::Html => {
            let g = &gap;
            let mut s = format!("{}  {}\n", g.id, g.title);
            let mut field = |k: &str, v: Option<String>| {
                if let Some(v) = v {
                    s.push_str(&format!("{k:<14}{v}\n"));
                }
            };
            field("product", Some(g.product.clone()));
            field("area", g.area.clone());
            field("status", Some(file.state.clone()));
            field("merged into", g.merged_into.clone());
            field("reference", g.reference.clone());
            field("workaround", g.workaround.clone());
            field(
                "created",
                Some(format!("{} by {}", g.created.format("%Y-%m-%d"), g.author)),
            );
            if !file.merged.is_empty() {
                field("merged here", Some(file.merged.join(", ")));
            }
            field(
                "linked",
                Some(format!(
                    "{} requests, {}",
                    file.requests.len(),
                    money(&value)
                )),
            );
            if let Some(d) = &g.description {
                s.push_str("\ndescription:\n");
                for line in d.lines() {
                    s.push_str(&format!("  {line}\n"));
                }
            }
            s.push('\n');
            let rows = file
                .requests
                .iter()
                .map(|l| {
                    vec![
                        l.request.clone(),
                        match &l.via {
                            Some(v) => format!("{} (via {v})", l.severity),
                            None => l.severity.to_string(),
                        },
                        l.stage.clone(),
                        l.outcome.map_or_else(|| "-".into(), |o| o.to_string()),
                        match (&l.value, &l.currency) {
                            (Some(v), Some(c)) => format!("{v} {c}"),
                            (Some(v), None) => v.to_string(),
                            _ => "-".into(),
                        },
                        l.customer.clone(),
                        l.title.clone(),
                    ]
                })
                .collect();
            s.push_str(&output::table(
                &[
                    "REQUEST", "SEVERITY", "STAGE", "OUTCOME", "VALUE", "CUSTOMER", "TITLE",
                ],
                rows,
            ));
            s.push_str("\nhistory:\n");
            for h in &g.history {
                s.push_str(&format!("  {}\n", super::show::history_line(h)));
            }
            output::print(&s)?;
        }
    }
    Ok(())
}
