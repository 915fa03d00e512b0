//! `presales customer`: the customer files (客户档案).

use serde::Serialize;

use super::{Ctx, Format, output};
use crate::error::Result;
use crate::model::{Customer, Request};
use crate::ops::{self, NewCustomer};
use crate::report::customer::{ServiceItem, ServiceSummary, history};
use crate::report::sla::Clock;
use crate::workflow::CLOSED;

/// Customer files (客户档案): create, list, show with their requests, contacts and notes.
///
/// A customer is named by its ID (or a unique abbreviation), its whole name, or a part of
/// its name only one customer has.
///
/// Examples:
///   presales customer new --name 华东银行 --industry banking --region 上海
///   presales customer list
///   presales customer show 华东银行
///   presales customer edit 华东银行 --contact 'name=王强,title=CTO,phone=13800000000,email=wq@hdbank.cn'
///   presales customer note 华东银行 --contact 王强 --text '电话沟通灾备方案进度'
///   presales customer forget-contact 华东银行 王强
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
    Show {
        /// The customer (ID, name or unique part of the name).
        id: String,
    },
    /// Change a customer's fields and contacts with flags, or (without flags) in
    /// $VISUAL/$EDITOR; each changed field is recorded (old → new; contacts by hash only).
    Edit(EditArgs),
    /// Record a contact with the customer outside requests (a call, a visit, a complaint by
    /// phone); its text stays in the customer file, history keeps only its hash.
    Note(NoteArgs),
    /// Erase a contact's personal data from the customer file (PIPL/GDPR requests); see
    /// docs/user-guide.md for purging it from git history too.
    ForgetContact {
        /// The customer (ID, name or unique part of the name).
        id: String,
        /// The contact's name.
        name: String,
    },
}

#[derive(Debug, clap::Args)]
struct EditArgs {
    /// The customer (ID, name or unique part of the name).
    id: String,
    /// A new name.
    #[arg(long)]
    name: Option<String>,
    /// The industry (empty to clear).
    #[arg(long)]
    industry: Option<String>,
    /// The region (empty to clear).
    #[arg(long)]
    region: Option<String>,
    /// The account owner (a team member).
    #[arg(long)]
    owner: Option<String>,
    /// General notes on the customer.
    #[arg(long)]
    notes: Option<String>,
    /// Confidential (保密): `true` or `false`.
    #[arg(long, value_name = "true|false")]
    confidential: Option<bool>,
    /// Add a contact, or change the one of that name: `name=N,title=T,phone=P,email=E`
    /// (only name is needed; repeatable).
    #[arg(long = "contact", value_name = "SPEC", value_parser = parse_contact)]
    contacts: Vec<crate::model::customer::Contact>,
    /// Remove the contact of this name (repeatable); `forget-contact` says it is an erasure.
    #[arg(long = "remove-contact", value_name = "NAME")]
    remove_contacts: Vec<String>,
}

#[derive(Debug, clap::Args)]
struct NoteArgs {
    /// The customer (ID, name or unique part of the name).
    id: String,
    /// What was discussed.
    #[arg(long)]
    text: String,
    /// With whom: the name of one of the customer's contacts.
    #[arg(long)]
    contact: Option<String>,
}

/// `--contact name=N,title=T,phone=P,email=E` (a bare first part is the name).
fn parse_contact(s: &str) -> std::result::Result<crate::model::customer::Contact, String> {
    let mut c = crate::model::customer::Contact {
        name: String::new(),
        title: None,
        email: None,
        phone: None,
        extra: Default::default(),
    };
    for (i, part) in s.split([',', '，']).enumerate() {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (key, value) = match part.split_once('=') {
            Some((k, v)) => (k.trim().to_lowercase(), v.trim().to_string()),
            None if i == 0 => ("name".to_string(), part.to_string()),
            None => {
                return Err(format!(
                    "`{part}` is not key=value (name, title, phone, email)"
                ));
            }
        };
        if value.chars().any(char::is_control) {
            return Err(format!("{key} must be one line of text"));
        }
        match key.as_str() {
            "name" => c.name = value,
            "title" => c.title = Some(value).filter(|v| !v.is_empty()),
            "phone" => c.phone = Some(value).filter(|v| !v.is_empty()),
            "email" | "e-mail" | "mail" => c.email = Some(value).filter(|v| !v.is_empty()),
            other => {
                return Err(format!(
                    "unknown contact field `{other}` (name, title, phone, email)"
                ));
            }
        }
    }
    if c.name.is_empty() {
        return Err("a contact needs a name: name=N,title=T,phone=P,email=E".into());
    }
    Ok(c)
}

#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
struct NewArgs {
    /// The customer's name, unique in the store.
    #[arg(long)]
    name: String,
    /// The industry (banking, manufacturing, …).
    #[arg(long)]
    industry: Option<String>,
    /// The region (上海, Europe, …).
    #[arg(long)]
    region: Option<String>,
    /// Account owner (a team member, usually sales).
    #[arg(long)]
    owner: Option<String>,
    /// General notes on the customer.
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
        Cmd::Edit(a) => edit(ctx, a),
        Cmd::Note(a) => {
            let store = ctx.store()?;
            let actor = ctx.actor(&store)?;
            let id = crate::ops::resolve_customer(&store, &a.id)?;
            let (_, written) =
                ops::customer_note(&store, &actor, &id, &a.text, a.contact.as_deref())?;
            ctx.written(&store, &written)?;
            Ok(())
        }
        Cmd::ForgetContact { id, name } => {
            let store = ctx.store()?;
            let actor = ctx.actor(&store)?;
            let id = crate::ops::resolve_customer(&store, &id)?;
            let (_, written) = ops::forget_contact(&store, &actor, &id, &name)?;
            ctx.written(&store, &written)?;
            eprintln!(
                "forgotten in the current file; earlier commits still hold it: see \"Personal data\" in docs/user-guide.md"
            );
            Ok(())
        }
    }
}

fn edit(ctx: &Ctx, a: EditArgs) -> Result<()> {
    let store = ctx.store()?;
    let id = crate::ops::resolve_customer(&store, &a.id)?;
    let no_flags = a.name.is_none()
        && a.industry.is_none()
        && a.region.is_none()
        && a.owner.is_none()
        && a.notes.is_none()
        && a.confidential.is_none()
        && a.contacts.is_empty()
        && a.remove_contacts.is_empty();
    if no_flags {
        return super::edit::edit_record::<Customer>(ctx, &store, id.as_str());
    }
    let actor = ctx.actor(&store)?;
    let before: Customer = store.load(&id)?;
    let mut after = before.clone();
    let text = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    if let Some(n) = a.name {
        after.name = n;
    }
    if a.industry.is_some() {
        after.industry = text(a.industry);
    }
    if a.region.is_some() {
        after.region = text(a.region);
    }
    if a.owner.is_some() {
        after.account_owner = text(a.owner);
    }
    if a.notes.is_some() {
        after.notes = text(a.notes);
    }
    if let Some(c) = a.confidential {
        after.confidential = c;
    }
    for name in &a.remove_contacts {
        let Some(c) = before.contact(name) else {
            return Err(crate::error::Error::invalid(format!(
                "{id} has no contact named `{}`",
                name.trim()
            )));
        };
        let gone = c.name.clone();
        after.contacts.retain(|x| x.name != gone);
    }
    for c in a.contacts {
        match after
            .contacts
            .iter_mut()
            .find(|x| x.name.trim().to_lowercase() == c.name.trim().to_lowercase())
        {
            Some(x) => {
                x.title = c.title.or(x.title.take());
                x.phone = c.phone.or(x.phone.take());
                x.email = c.email.or(x.email.take());
            }
            None => after.contacts.push(c),
        }
    }
    let edited = ops::save_edit(&store, &actor, &before, &after, None)?;
    ctx.written(&store, &edited.written)?;
    eprintln!("{id}: changed {}", edited.fields.join(", "));
    Ok(())
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
        &|k| store.config.is_complaint(k),
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
            let mean = |a: &crate::report::stats::Average| {
                a.mean
                    .map_or_else(|| "n/a".to_string(), |m| format!("{m:.2}"))
            };
            s.push_str(&format!(
                "\nservice history: {}, {} open, {} won, {} lost, satisfaction {}\n",
                output::count(sv.requests, "request"),
                sv.open,
                sv.won,
                sv.lost,
                mean(&sv.satisfaction),
            ));
            s.push_str(&format!(
                "response: first response {} h, resolution {} h on average\n",
                mean(&sv.first_response_hours),
                mean(&sv.resolution_hours)
            ));
            if sv.complaints > 0 {
                s.push_str(&format!(
                    "complaints: {}, {} open{}\n",
                    sv.complaints,
                    sv.open_complaints.len(),
                    if sv.open_complaints.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", sv.open_complaints.join(", "))
                    }
                ));
            }
            if !sv.satisfaction_trend.is_empty() {
                let trend: Vec<String> = sv
                    .satisfaction_trend
                    .iter()
                    .map(|q| format!("{} {}", q.quarter, mean(&q.satisfaction)))
                    .collect();
                s.push_str(&format!("satisfaction trend: {}\n", trend.join(" → ")));
            }
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
                        hours(i.first_response_hours),
                        hours(i.resolution_hours),
                        i.title.clone(),
                    ]
                })
                .collect();
            s.push_str(&output::table(
                &[
                    "ID", "CREATED", "TYPE", "PRI", "STAGE", "ASSIGNEE", "CLOSED", "OUTCOME",
                    "SAT", "RESP H", "RESOL H", "TITLE",
                ],
                rows,
            ));
            if !c.interactions.is_empty() {
                s.push_str("\ncontacts outside requests:\n");
                for i in &c.interactions {
                    s.push_str(&format!(
                        "  {}  {:<10} {}{}\n",
                        i.at.format("%Y-%m-%d"),
                        i.by,
                        i.contact
                            .as_deref()
                            .map(|n| format!("with {n}: "))
                            .unwrap_or_default(),
                        output::safe(&i.text.replace('\n', " "))
                    ));
                }
            }
            output::print(&s)?;
        }
    }
    Ok(())
}

/// Hours with one decimal, empty when unknown.
fn hours(h: Option<f64>) -> String {
    h.map(|h| format!("{h:.1}")).unwrap_or_default()
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
