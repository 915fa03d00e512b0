//! `presales new`: register a request (需求登记).

use std::path::PathBuf;

use chrono::NaiveDate;

use super::{Ctx, output, parse_date};
use crate::error::{Error, Result};
use crate::model::{Customer, Priority};
use crate::ops::{self, NewRequest};

/// Register a presales request (需求登记); prints the new ID alone on stdout.
///
/// On a terminal, asks for a missing title or customer; with --no-input or in a script it
/// fails instead.
///
/// Examples:
///   presales new --title '智慧园区网络改造方案' --customer 7KQ2MX --priority P2 --skill network
///   presales new --title 'API gateway question' --customer CUS-20261127-A7KQ2MX --type consultation
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The request's title, one line (asked for on a terminal when missing).
    #[arg(long)]
    title: Option<String>,
    /// Customer ID or unique abbreviation (`presales customer list`).
    #[arg(long)]
    customer: Option<String>,
    /// Workflow type: solution, rfp, demo, consultation, poc (default from presales.toml).
    #[arg(long = "type")]
    kind: Option<String>,
    /// P1 (most urgent) to P4; sets the SLA limits.
    #[arg(long, default_value = "P3", value_parser = parse_priority)]
    priority: Priority,
    /// What the customer asks for (Markdown).
    #[arg(long, conflicts_with = "description_file")]
    description: Option<String>,
    /// Read the description (Markdown) from a file.
    #[arg(long)]
    description_file: Option<PathBuf>,
    /// The sales member who asked (default: the caller, if they are sales).
    #[arg(long)]
    requested_by: Option<String>,
    /// Wanted by this day (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    due: Option<NaiveDate>,
    /// A product concerned (repeatable).
    #[arg(long = "product")]
    products: Vec<String>,
    /// A tag (repeatable).
    #[arg(long = "tag")]
    tags: Vec<String>,
    /// A skill the engineer needs (repeatable); --auto assignment skips who lacks it.
    #[arg(long = "skill")]
    skills: Vec<String>,
    /// Redact this request in reports unless --include-confidential (保密制度).
    #[arg(long)]
    confidential: bool,
    /// The deal's value (an exact decimal, e.g. 1200000 or 98000.50).
    #[arg(long, value_parser = parse_value)]
    value: Option<rust_decimal::Decimal>,
    /// The value's currency code, e.g. CNY or USD (needs --value).
    #[arg(long, requires = "value")]
    currency: Option<String>,
}

/// A deal value: an exact decimal of zero or more.
fn parse_value(s: &str) -> std::result::Result<rust_decimal::Decimal, String> {
    let v: rust_decimal::Decimal = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number (e.g. 1200000 or 98000.50)"))?;
    if v.is_sign_negative() {
        return Err(format!("must be zero or more, got {s}"));
    }
    Ok(v)
}

fn parse_priority(s: &str) -> std::result::Result<Priority, String> {
    s.parse()
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let store = ctx.store()?;
    let actor = ctx.actor(&store)?;
    let title = match a.title {
        Some(t) => t,
        None if ctx.interactive() => dialoguer::Input::<String>::new()
            .with_prompt("Title")
            .interact_text()
            .map_err(|e| Error::invalid(e.to_string()))?,
        None => {
            return Err(Error::Usage {
                message: "missing --title".into(),
                hint: None,
            });
        }
    };
    let customer = match a.customer {
        Some(c) => c,
        None if ctx.interactive() => {
            let (customers, _) = store.load_all::<Customer>();
            if customers.is_empty() {
                return Err(Error::invalid_with_hint(
                    "there are no customers yet",
                    "create one with `presales customer new --name N`",
                ));
            }
            let names: Vec<String> = customers
                .iter()
                .map(|c| format!("{}  {}", c.name, c.id))
                .collect();
            let i = dialoguer::Select::new()
                .with_prompt("Customer")
                .items(&names)
                .default(0)
                .interact()
                .map_err(|e| Error::invalid(e.to_string()))?;
            customers[i].id.clone()
        }
        None => {
            return Err(Error::Usage {
                message: "missing --customer".into(),
                hint: Some("list customers with `presales customer list`".into()),
            });
        }
    };
    let description = match a.description_file {
        Some(path) => {
            let p = if path.is_absolute() {
                path
            } else {
                ctx.cwd.join(path)
            };
            Some(std::fs::read_to_string(&p).map_err(|e| Error::io(&p, e))?)
        }
        None => a.description,
    };
    let (request, written) = ops::create_request(
        &store,
        &actor,
        NewRequest {
            title,
            customer,
            kind: a.kind,
            priority: a.priority,
            description,
            requested_by: a.requested_by,
            due: a.due,
            products: a.products,
            tags: a.tags,
            skills: a.skills,
            confidential: a.confidential,
            value: a.value,
            currency: a.currency,
        },
    )?;
    ctx.written(&store, &written)?;
    output::print(&format!("{}\n", request.id))?;
    Ok(())
}
