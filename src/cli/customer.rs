//! `presales customer`: the customer files (客户档案).

use serde::Serialize;

use super::{Ctx, Format, output};
use crate::error::Result;
use crate::model::{Customer, Request};
use crate::ops::{self, NewCustomer};
use crate::report::customer::{ServiceItem, ServiceSummary, history};
use crate::report::sla::Clock;
use crate::workflow::CLOSED;

/// Customer files: create, list, show with their requests.
///
/// Examples:
///   presales customer new --name 华东银行 --industry banking --region 上海
///   presales customer list
///   presales customer show CUS-20261127-A7KQ2MX
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, clap::Subcommand)]
enum Cmd {
    /// Create a customer; prints its ID.
    New(NewArgs),
    /// List customers with their open and total requests.
    List,
    /// Show a customer and its whole service history: every request with its type, stage,
    /// dates, assignee, solution, outcome and satisfaction.
    Show { id: String },
    /// Edit a customer in $VISUAL/$EDITOR (contacts, industry, notes…); each changed field
    /// is recorded (old → new).
    Edit { id: String },
}

#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
struct NewArgs {
    #[arg(long)]
    name: String,
    #[arg(long)]
    industry: Option<String>,
    #[arg(long)]
    region: Option<String>,
    /// Account owner (a team member, usually sales).
    #[arg(long)]
    owner: Option<String>,
    #[arg(long)]
    notes: Option<String>,
    /// Redact this customer in reports unless --include-confidential (保密制度).
    #[arg(long)]
    confidential: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<()> {
    match args.cmd {
        Cmd::New(a) => new(ctx, a),
        Cmd::List => list(ctx),
        Cmd::Show { id } => show(ctx, &id),
        Cmd::Edit { id } => {
            let store = ctx.store()?;
            super::edit::edit_record::<Customer>(ctx, &store, &id)
        }
    }
}

fn new(ctx: &Ctx, a: NewArgs) -> Result<()> {
    let store = ctx.store()?;
    let actor = ctx.actor(&store)?;
    let (customer, written) = ops::create_customer(
        &store,
        &actor,
        NewCustomer {
            name: a.name,
            industry: a.industry,
            region: a.region,
            account_owner: a.owner,
            confidential: a.confidential,
            notes: a.notes,
        },
    )?;
    ctx.written(&store, &written)?;
    output::print(&format!("{}\n", customer.id))?;
    Ok(())
}

#[derive(Serialize)]
struct CustomerView<'a> {
    #[serde(flatten)]
    customer: &'a Customer,
    open_requests: usize,
    total_requests: usize,
}

fn list(ctx: &Ctx) -> Result<()> {
    let store = ctx.store()?;
    let (customers, errors) = store.load_all::<Customer>();
    let (requests, req_errors) = store.load_all::<Request>();
    for e in errors.iter().chain(&req_errors) {
        ctx.warn_error(e);
    }
    let views: Vec<CustomerView> = customers
        .iter()
        .map(|c| {
            let mine = requests.iter().filter(|r| r.customer == c.id);
            CustomerView {
                customer: c,
                open_requests: mine.clone().filter(|r| r.stage != CLOSED).count(),
                total_requests: mine.count(),
            }
        })
        .collect();
    let rows = views
        .iter()
        .map(|v| {
            let c = v.customer;
            vec![
                c.id.clone(),
                c.name.clone(),
                c.industry.clone().unwrap_or_default(),
                c.region.clone().unwrap_or_default(),
                c.account_owner.clone().unwrap_or_default(),
                format!("{}/{}", v.open_requests, v.total_requests),
                if c.confidential {
                    "yes".into()
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    let headers = [
        "ID",
        "NAME",
        "INDUSTRY",
        "REGION",
        "OWNER",
        "OPEN/ALL",
        "CONFIDENTIAL",
    ];
    output::print(&output::list(ctx.format, &views, &headers, rows)?)?;
    Ok(())
}

#[derive(Serialize)]
struct CustomerFile<'a> {
    #[serde(flatten)]
    customer: &'a Customer,
    requests: Vec<ServiceItem>,
    service: ServiceSummary,
}

pub(super) fn show(ctx: &Ctx, input: &str) -> Result<()> {
    let store = ctx.store()?;
    let id = crate::ops::resolve_customer(&store, input)?;
    let customer: Customer = store.load(&id)?;
    let (requests, errors) = store.load_all::<Request>();
    for e in &errors {
        ctx.warn_error(e);
    }
    let clock = store.calendar.as_ref().map_or(Clock::Wall, Clock::Business);
    let (items, service) = history(
        &customer.id,
        &requests,
        clock,
        &store.config.workflow.paused_stages,
        ctx.now()?,
    );
    let file = CustomerFile {
        customer: &customer,
        requests: items,
        service,
    };
    match ctx.format {
        Format::Json => output::print(&output::json(&file)?)?,
        Format::Yaml => output::print(&output::yaml(&file)?)?,
        Format::Csv => {
            let rows = file.requests.iter().map(csv_row).collect();
            output::print(&output::csv(
                &[
                    "id",
                    "title",
                    "type",
                    "stage",
                    "created",
                    "outcome",
                    "priority",
                    "closed",
                    "assignee",
                    "solution",
                    "technical_win",
                    "satisfaction",
                    "first_response_hours",
                    "resolution_hours",
                ],
                rows,
            )?)?
        }
        Format::Table | Format::Text | Format::Github | Format::Markdown | Format::Html => {
            let c = &customer;
            let mut s = format!("{}  {}\n", c.id, c.name);
            let field = |s: &mut String, k: &str, v: &Option<String>| {
                if let Some(v) = v {
                    s.push_str(&format!("{k:<14}{v}\n"));
                }
            };
            field(&mut s, "industry", &c.industry);
            field(&mut s, "region", &c.region);
            field(&mut s, "owner", &c.account_owner);
            if c.confidential {
                s.push_str("confidential  yes\n");
            }
            for ct in &c.contacts {
                s.push_str(&format!(
                    "contact       {}{}\n",
                    ct.name,
                    ct.email
                        .as_deref()
                        .map(|e| format!(" <{e}>"))
                        .unwrap_or_default()
                ));
            }
            field(&mut s, "notes", &c.notes);
            let sv = &file.service;
            s.push_str(&format!(
                "\nservice history: {}, {} open, {} won, {} lost, satisfaction {}\n",
                output::count(sv.requests, "request"),
                sv.open,
                sv.won,
                sv.lost,
                sv.satisfaction
                    .mean
                    .map_or_else(|| "n/a".to_string(), |m| format!("{m:.2}")),
            ));
            let day = |t: &str| t.get(..10).unwrap_or_default().to_string();
            let rows = file
                .requests
                .iter()
                .map(|i| {
                    vec![
                        i.id.clone(),
                        day(&i.created),
                        i.kind.clone(),
                        i.priority.to_string(),
                        i.stage.clone(),
                        i.assignee.clone().unwrap_or_default(),
                        i.closed.as_deref().map(day).unwrap_or_default(),
                        i.outcome.clone().unwrap_or_default(),
                        i.satisfaction.map(|x| x.to_string()).unwrap_or_default(),
                        i.solution.clone().unwrap_or_default(),
                        i.title.clone(),
                    ]
                })
                .collect();
            s.push_str(&output::table(
                &[
                    "ID", "CREATED", "TYPE", "PRI", "STAGE", "ASSIGNEE", "CLOSED", "OUTCOME",
                    "SAT", "SOLUTION", "TITLE",
                ],
                rows,
            ));
            output::print(&s)?;
        }
    }
    Ok(())
}

fn csv_row(i: &ServiceItem) -> Vec<String> {
    let hours = |h: Option<f64>| h.map(|h| format!("{h:.2}")).unwrap_or_default();
    vec![
        i.id.clone(),
        i.title.clone(),
        i.kind.clone(),
        i.stage.clone(),
        i.created.clone(),
        i.outcome.clone().unwrap_or_default(),
        i.priority.to_string(),
        i.closed.clone().unwrap_or_default(),
        i.assignee.clone().unwrap_or_default(),
        i.solution.clone().unwrap_or_default(),
        i.technical_win.to_string(),
        i.satisfaction.map(|x| x.to_string()).unwrap_or_default(),
        hours(i.first_response_hours),
        hours(i.resolution_hours),
    ]
}
