//! `presales team`: list members with availability, load and the dispatch rotation; add, edit
//! and remove members; record absences.

use chrono::NaiveDate;
use serde::Serialize;

use super::{Ctx, Format, output, parse_date};
use crate::assign::{Rotation, Skip};
use crate::config::{Member, Role};
use crate::error::Result;
use crate::model::Request;
use crate::ops;
use crate::workflow::CLOSED;

/// Team members: roles, skills, availability, load and the dispatch rotation (派工).
///
/// The list shows the engineers' order in the rotation, where it stands and who is next.
///
/// Examples:
///   presales team
///   presales team add li.na --name 李娜 --email li.na@example.com --role engineer --skill network
///   presales team edit li.na --skills network,security,cloud --hours-per-week 32
///   presales team away liu.yang --from 2026-12-14 --to 2026-12-25
///   presales team remove zhou.min
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
    /// Change a member's name, e-mail, roles, skills or weekly hours.
    Edit(EditArgs),
    /// Record an absence: the member gets no automatic assignments in that range.
    Away(AwayArgs),
    /// Take a member off the team (active = false): their records and history stay, they get
    /// no more assignments.
    Remove(RemoveArgs),
}

#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
struct EditArgs {
    /// The member's id.
    id: String,
    /// Display name.
    #[arg(long)]
    name: Option<String>,
    /// E-mail (matched, in any case, to git's user.email).
    #[arg(long)]
    email: Option<String>,
    /// All roles, comma-separated (replaces them): engineer, lead, approver, sales.
    #[arg(long, value_delimiter = ',', value_parser = parse_role, conflicts_with = "role")]
    roles: Option<Vec<Role>>,
    /// A role (repeatable; together they replace the roles).
    #[arg(long, value_parser = parse_role)]
    role: Vec<Role>,
    /// All skills, comma-separated (replaces them; `--skills ""` clears them).
    #[arg(long, value_delimiter = ',', conflicts_with = "skill")]
    skills: Option<Vec<String>>,
    /// A skill (repeatable; together they replace the skills).
    #[arg(long)]
    skill: Vec<String>,
    /// Hours worked in a week (more than 0, at most 168; default 40).
    #[arg(long)]
    hours_per_week: Option<f64>,
}

#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
struct RemoveArgs {
    /// The member's id.
    id: String,
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
    /// Place in the dispatch rotation (engineers only, from 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    rotation: Option<usize>,
    /// Whether the rotation gives them the next request (one that needs no skill).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    next: bool,
    /// Requests with which they took a turn ahead of the rotation: they pass that many
    /// visits.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    turns_taken_ahead: Vec<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<()> {
    match args.cmd.unwrap_or(Cmd::List) {
        Cmd::List => list(ctx),
        Cmd::Add(a) => add(ctx, a),
        Cmd::Edit(a) => edit(ctx, a),
        Cmd::Away(a) => away(ctx, a),
        Cmd::Remove(a) => remove(ctx, a),
    }
}

fn list(ctx: &Ctx) -> Result<()> {
    let store = ctx.store()?;
    let today = ctx.now()?.date_naive();
    let (requests, errors) = store.load_all::<Request>();
    for e in &errors {
        ctx.warn_error(e);
    }
    let rotation = Rotation::of(&store.config, &requests);
    let (next, passed) = rotation.next(&store.config, today);
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
            rotation: rotation
                .order
                .iter()
                .position(|e| *e == m.id)
                .map(|i| i + 1),
            next: next.as_deref() == Some(m.id.as_str()),
            turns_taken_ahead: rotation
                .credits
                .get(&m.id)
                .map(|c| c.iter().cloned().collect())
                .unwrap_or_default(),
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
                match v.rotation {
                    None => "-".to_string(),
                    Some(i) if v.next => format!("{i} ← next"),
                    Some(i) if !v.turns_taken_ahead.is_empty() => {
                        format!("{i} (had a turn: {})", v.turns_taken_ahead.join(", "))
                    }
                    Some(i) => i.to_string(),
                },
            ]
        })
        .collect();
    let headers = [
        "ID",
        "NAME",
        "ROLES",
        "SKILLS",
        "AVAILABILITY",
        "LOAD",
        "ROTATION",
    ];
    if views.is_empty() && ctx.format.is_human() {
        eprintln!(
            "The team is empty: add members with `presales team add ID --name N --role engineer`."
        );
        return Ok(());
    }
    let mut text = output::list(ctx.format, &views, &headers, rows)?;
    if matches!(ctx.format, Format::Table | Format::Text | Format::Github)
        && !rotation.order.is_empty()
    {
        text.push_str(&rotation_summary(&rotation, next.as_deref(), &passed));
    }
    output::print(&text)?;
    Ok(())
}

/// Where the rotation stands, under the team table.
fn rotation_summary(rotation: &Rotation, next: Option<&str>, passed: &[Skip]) -> String {
    let mut s = format!("rotation (派工): {}\n", rotation.order.join(" → "));
    match &rotation.after {
        Some(a) => s.push_str(&format!(
            "stands after: {a} (turn {})\n",
            rotation.last_turn
        )),
        None => s.push_str("stands after: nobody yet (starts at the top)\n"),
    }
    s.push_str(&format!(
        "next: {}\n",
        next.unwrap_or("nobody can take a request now")
    ));
    for p in passed {
        s.push_str(&format!("  passing {}: {}\n", p.member, p.reason));
    }
    s
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

fn edit(ctx: &Ctx, a: EditArgs) -> Result<()> {
    let store = ctx.store()?;
    let roles = a.roles.or((!a.role.is_empty()).then_some(a.role));
    let skills = a
        .skills
        .map(|s| s.into_iter().filter(|x| !x.trim().is_empty()).collect())
        .or((!a.skill.is_empty()).then_some(a.skill));
    let written = ops::team::edit_member(
        &store,
        &a.id,
        ops::team::MemberEdit {
            name: a.name,
            email: a.email,
            roles,
            skills,
            hours_per_week: a.hours_per_week,
        },
    )?;
    eprintln!("updated {} in presales.toml", a.id);
    ctx.written(&store, &written)
}

fn remove(ctx: &Ctx, a: RemoveArgs) -> Result<()> {
    let store = ctx.store()?;
    let removed = ops::team::remove_member(&store, &a.id)?;
    eprintln!(
        "{} has left the team (active = false); their records and history stay",
        a.id
    );
    if !removed.open.is_empty() {
        eprintln!(
            "{} still has {} open request{}; reassign them (until then `presales check` reports those in a stage that needs an assignee):",
            a.id,
            removed.open.len(),
            if removed.open.len() == 1 { "" } else { "s" }
        );
        for (id, title, stage) in &removed.open {
            eprintln!("  {id}  {stage}  {title}    presales assign {id} --auto");
        }
    }
    ctx.written(&store, &removed.written)
}

fn away(ctx: &Ctx, a: AwayArgs) -> Result<()> {
    let store = ctx.store()?;
    let written = ops::team::set_away(&store, &a.id, a.from, a.to, a.note.as_deref())?;
    eprintln!("{} is away from {} to {}", a.id, a.from, a.to);
    ctx.written(&store, &written)
}
