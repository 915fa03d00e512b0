//! `presales team`: list members with availability and load; add members; record absences.

use chrono::NaiveDate;
use serde::Serialize;

use super::{Ctx, output, parse_date};
use crate::config::{Member, Role};
use crate::error::Result;
use crate::model::Request;
use crate::ops;
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
    /// The display name (李娜); commands accept it wherever a member is named, when unique.
    #[arg(long)]
    name: String,
    /// The e-mail address; `--as` and git's user.email match it in any case.
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
    /// The member (id, e-mail or unique display name).
    id: String,
    /// First day away (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    from: NaiveDate,
    /// Last day away (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    to: NaiveDate,
    /// Why (leave, training, another project); shown by `presales team`.
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

fn add(ctx: &Ctx, a: AddArgs) -> Result<()> {
    let store = ctx.store()?;
    let written = ops::team::add_member(
        &store,
        ops::team::NewMember {
            id: a.id.clone(),
            name: a.name.clone(),
            email: a.email,
            roles: a.roles,
            skills: a.skills,
        },
    )?;
    eprintln!("added {} ({}) to presales.toml", a.id, a.name);
    ctx.written(&store, &written)
}

fn away(ctx: &Ctx, a: AwayArgs) -> Result<()> {
    let store = ctx.store()?;
    let written = ops::team::set_away(&store, &a.id, a.from, a.to, a.note.as_deref())?;
    eprintln!("{} is away from {} to {}", a.id, a.from, a.to);
    ctx.written(&store, &written)
}
