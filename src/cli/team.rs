//! `presales team`: list members with availability and load; add members; record absences.

use chrono::NaiveDate;
use serde::Serialize;
use toml_edit::{Array, ArrayOfTables, InlineTable, Item, Table, value};

use super::{Ctx, output, parse_date};
use crate::config::{Member, Role};
use crate::error::{Error, Result};
use crate::model::Request;
use crate::workflow::CLOSED;

/// Team members with roles, skills, availability and current load.
///
/// Examples:
///   presales team
///   presales team add li.na --name 李娜 --email li.na@example.com --role engineer --skill network
///   presales team away liu.yang --from 2026-12-14 --to 2026-12-25
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(Debug, clap::Subcommand)]
enum Cmd {
    /// List members (the default).
    List,
    /// Add a member to presales.toml.
    Add(AddArgs),
    /// Record an absence: the member gets no automatic assignments in that range.
    Away(AwayArgs),
}

#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
struct AddArgs {
    /// Short id used everywhere else, e.g. li.na
    id: String,
    #[arg(long)]
    name: String,
    #[arg(long)]
    email: Option<String>,
    /// engineer, lead, approver or sales (repeatable).
    #[arg(long = "role", required = true, value_parser = parse_role)]
    roles: Vec<Role>,
    /// A skill matched by `presales new --skill` (repeatable).
    #[arg(long = "skill")]
    skills: Vec<String>,
}

#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
struct AwayArgs {
    id: String,
    #[arg(long, value_parser = parse_date)]
    from: NaiveDate,
    #[arg(long, value_parser = parse_date)]
    to: NaiveDate,
    #[arg(long)]
    note: Option<String>,
}

fn parse_role(s: &str) -> std::result::Result<Role, String> {
    s.parse()
}

#[derive(Serialize)]
struct MemberView<'a> {
    #[serde(flatten)]
    member: &'a Member,
    available: bool,
    load: usize,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<()> {
    match args.cmd.unwrap_or(Cmd::List) {
        Cmd::List => list(ctx),
        Cmd::Add(a) => add(ctx, a),
        Cmd::Away(a) => away(ctx, a),
    }
}

fn list(ctx: &Ctx) -> Result<()> {
    let store = ctx.store()?;
    let today = ctx.now()?.date_naive();
    let (requests, errors) = store.load_all::<Request>();
    for e in &errors {
        ctx.warn_error(e);
    }
    let views: Vec<MemberView> = store
        .config
        .members
        .iter()
        .map(|m| MemberView {
            member: m,
            available: m.active && m.away_on(today).is_none(),
            load: requests
                .iter()
                .filter(|r| r.stage != CLOSED && r.assignee.as_deref() == Some(m.id.as_str()))
                .count(),
        })
        .collect();
    let rows = views
        .iter()
        .map(|v| {
            let m = v.member;
            let availability = if !m.active {
                "left the team".to_string()
            } else if let Some(a) = m.away_on(today) {
                format!("away until {}", a.to)
            } else {
                match m
                    .away
                    .iter()
                    .filter(|a| a.from > today)
                    .min_by_key(|a| a.from)
                {
                    Some(a) => format!("available (away {} to {})", a.from, a.to),
                    None => "available".to_string(),
                }
            };
            vec![
                m.id.clone(),
                m.name.clone(),
                m.roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
                m.skills.join(","),
                availability,
                v.load.to_string(),
            ]
        })
        .collect();
    let headers = ["ID", "NAME", "ROLES", "SKILLS", "AVAILABILITY", "LOAD"];
    if views.is_empty() && ctx.format.is_human() {
        eprintln!(
            "The team is empty: add members with `presales team add ID --name N --role engineer`."
        );
        return Ok(());
    }
    output::print(&output::list(ctx.format, &views, &headers, rows)?)?;
    Ok(())
}

fn valid_member_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
}

fn add(ctx: &Ctx, a: AddArgs) -> Result<()> {
    let mut store = ctx.store()?;
    if !valid_member_id(&a.id) {
        return Err(Error::invalid_with_hint(
            format!("`{}` is not a valid member id", a.id),
            "use lower-case letters, digits, `.`, `_` or `-`, e.g. li.na",
        ));
    }
    if store.config.member(&a.id).is_some() {
        return Err(Error::invalid(format!("{} is already a member", a.id)));
    }
    if let Some(email) = &a.email
        && let Some(m) = store.config.find_member(email)
    {
        return Err(Error::invalid(format!(
            "{email} already belongs to {}",
            m.id
        )));
    }
    let lock = store.lock()?;
    store.edit_config(&lock, |doc| {
        let mut t = Table::new();
        t.insert("id", value(&a.id));
        t.insert("name", value(&a.name));
        if let Some(e) = &a.email {
            t.insert("email", value(e));
        }
        t.insert(
            "roles",
            value(a.roles.iter().map(|r| r.as_str()).collect::<Array>()),
        );
        t.insert(
            "skills",
            value(a.skills.iter().map(String::as_str).collect::<Array>()),
        );
        match doc.get_mut("members") {
            None => {
                let mut aot = ArrayOfTables::new();
                aot.push(t);
                doc.insert("members", Item::ArrayOfTables(aot));
            }
            Some(Item::ArrayOfTables(aot)) => aot.push(t),
            Some(Item::Value(toml_edit::Value::Array(arr))) => {
                arr.push(t.into_inline_table());
            }
            Some(_) => {
                return Err(Error::invalid(
                    "presales.toml: `members` is neither [[members]] tables nor an array",
                ));
            }
        }
        Ok(())
    })?;
    eprintln!("added {} ({}) to presales.toml", a.id, a.name);
    ctx.written(
        &store,
        &[store.config_path()],
        &format!("team: add {}", a.id),
    )?;
    Ok(())
}

fn away(ctx: &Ctx, a: AwayArgs) -> Result<()> {
    let mut store = ctx.store()?;
    if a.to < a.from {
        return Err(Error::invalid(format!(
            "--to {} is before --from {}",
            a.to, a.from
        )));
    }
    let Some(index) = store.config.members.iter().position(|m| m.id == a.id) else {
        return Err(Error::invalid_with_hint(
            format!("`{}` is not a team member", a.id),
            format!("members: {}", store.config.member_ids().join(", ")),
        ));
    };
    let lock = store.lock()?;
    store.edit_config(&lock, |doc| {
        let mut range = InlineTable::new();
        range.insert("from", a.from.to_string().into());
        range.insert("to", a.to.to_string().into());
        if let Some(n) = &a.note {
            range.insert("note", n.as_str().into());
        }
        let member: &mut dyn toml_edit::TableLike = match doc.get_mut("members") {
            Some(Item::ArrayOfTables(aot)) => aot
                .get_mut(index)
                .map(|t| t as &mut dyn toml_edit::TableLike),
            Some(Item::Value(toml_edit::Value::Array(arr))) => match arr.get_mut(index) {
                Some(toml_edit::Value::InlineTable(t)) => Some(t as &mut dyn toml_edit::TableLike),
                _ => None,
            },
            _ => None,
        }
        .ok_or_else(|| Error::invalid("presales.toml: cannot find the member's table"))?;
        match member.get_mut("away") {
            Some(Item::Value(toml_edit::Value::Array(arr))) => arr.push(range),
            Some(Item::ArrayOfTables(aot)) => aot.push(range.into_table()),
            _ => {
                let mut arr = Array::new();
                arr.push(range);
                member.insert("away", value(arr));
            }
        }
        Ok(())
    })?;
    eprintln!("{} is away from {} to {}", a.id, a.from, a.to);
    ctx.written(
        &store,
        &[store.config_path()],
        &format!("team: {} away {} to {}", a.id, a.from, a.to),
    )?;
    Ok(())
}
