//! `presales solution`: create and fill a solution (解决方案); show it with its quotation
//! and risk matrix.

use std::path::PathBuf;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{Ctx, Format, output, parse_date};
use crate::error::Result;
use crate::model::solution::Risk;
use crate::model::{Kind, Request, Solution};
use crate::ops::solution::{self as sol_ops, NewSolution, Plan, QuoteInput};

/// Solutions: technical plan, time plan, resources, quotation and risks.
///
/// A solution changes only while its request is in analysis or design; after that it is
/// frozen until a revise loop (`presales advance REQ --to design`) bumps its version.
///
/// Examples:
///   presales solution new --request 7KQ2MX --plan-file plans/park-network.md
///   presales solution milestone SOL-… --name 'PoC 完成' --date 2026-12-20
///   presales solution resource SOL-… --role 网络工程师 --person li.na --days 10
///   presales solution quote SOL-… --item 'SD-WAN 网关' --qty 12 --unit-price 19999.00
///   presales solution risk SOL-… --description '旧设备兼容' --likelihood 3 --impact 4 --mitigation '先做兼容性测试'
///   presales solution show SOL-…
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, clap::Subcommand)]
enum Cmd {
    /// Create the solution of a request (linked both ways); prints its ID.
    New {
        /// The request it solves (ID or unique abbreviation).
        #[arg(long)]
        request: String,
        /// The solution's title (default: the request's).
        #[arg(long)]
        title: Option<String>,
        /// A Markdown file inside the store holding the technical plan.
        #[arg(long, conflicts_with = "plan")]
        plan_file: Option<PathBuf>,
        /// The technical plan as inline Markdown text.
        #[arg(long)]
        plan: Option<String>,
        /// Replace the request's current solution (kept, marked superseded).
        #[arg(long)]
        supersede: bool,
    },
    /// Set the technical plan: a Markdown file in the store, or inline text.
    Plan {
        /// Solution ID or unique abbreviation.
        id: String,
        /// A Markdown file inside the store holding the technical plan (kept as a file).
        #[arg(long, conflicts_with = "plan", required_unless_present = "plan")]
        plan_file: Option<PathBuf>,
        /// The technical plan, Markdown, inline.
        #[arg(long)]
        plan: Option<String>,
    },
    /// Add a milestone to the time plan.
    Milestone {
        /// Solution ID or unique abbreviation.
        id: String,
        /// What is done at this milestone (时间计划).
        #[arg(long)]
        name: String,
        /// When (YYYY-MM-DD).
        #[arg(long, value_parser = parse_date)]
        date: NaiveDate,
    },
    /// Add a resource: a role, optionally a person, and the effort in days.
    Resource {
        /// Solution ID or unique abbreviation.
        id: String,
        /// The role needed (network engineer, PM, …) (资源安排).
        #[arg(long)]
        role: String,
        /// Who, if already known.
        #[arg(long)]
        person: Option<String>,
        /// Person-days, an exact decimal.
        #[arg(long, allow_hyphen_values = true, value_parser = super::parse_positive)]
        days: Decimal,
    },
    /// Add a quotation line (报价估算); the total is recomputed exactly.
    Quote {
        /// Solution ID or unique abbreviation.
        id: String,
        /// What is quoted, one line (报价估算).
        #[arg(long)]
        item: String,
        /// Quantity, an exact decimal.
        #[arg(long, allow_hyphen_values = true, value_parser = super::parse_positive)]
        qty: Decimal,
        /// Price per unit, an exact decimal, zero or more.
        #[arg(long, allow_hyphen_values = true, value_parser = super::parse_non_negative)]
        unit_price: Decimal,
        /// ISO 4217 code; the first line sets it (default CNY).
        #[arg(long)]
        currency: Option<String>,
        /// The quotation is valid until this day (YYYY-MM-DD).
        #[arg(long, value_parser = parse_date)]
        valid_until: Option<NaiveDate>,
    },
    /// Add a risk (风险评估) with likelihood and impact from 1 to 5.
    Risk {
        /// Solution ID or unique abbreviation.
        id: String,
        /// The risk (风险评估), one line.
        #[arg(long)]
        description: String,
        /// 1 (unlikely) to 5 (almost certain).
        #[arg(long, allow_hyphen_values = true, value_parser = super::parse_scale)]
        likelihood: u8,
        /// 1 (minor) to 5 (severe).
        #[arg(long, allow_hyphen_values = true, value_parser = super::parse_scale)]
        impact: u8,
        /// How it is avoided or contained (风险控制).
        #[arg(long)]
        mitigation: String,
        /// Who watches it (a team member).
        #[arg(long)]
        owner: Option<String>,
    },
    /// Show a solution with its quotation table and risk matrix.
    Show {
        /// Solution ID or unique abbreviation.
        id: String,
    },
    /// List solutions.
    List,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<()> {
    let store = ctx.store()?;
    if let Cmd::Show { id } = &args.cmd {
        let id = store.resolve(Kind::Solution, id)?;
        let sol: Solution = store.load(&id)?;
        return show(ctx, &sol);
    }
    if let Cmd::List = &args.cmd {
        return list(ctx, &store);
    }
    let actor = ctx.actor(&store)?;
    let abs = |p: PathBuf| if p.is_absolute() { p } else { ctx.cwd.join(p) };
    let resolve = |id: &str| store.resolve(Kind::Solution, id);
    let what = match &args.cmd {
        Cmd::Plan { .. } => "plan",
        Cmd::Milestone { .. } => "milestone",
        Cmd::Resource { .. } => "resource",
        Cmd::Quote { .. } => "quote",
        Cmd::Risk { .. } => "risk",
        _ => "update",
    };
    let (sol, written) = match args.cmd {
        Cmd::New {
            request,
            title,
            plan_file,
            plan,
            supersede,
        } => {
            let (sol, written) = sol_ops::create(
                &store,
                &actor,
                NewSolution {
                    request,
                    title,
                    plan_file: plan_file.map(abs),
                    plan,
                    supersede,
                },
            )?;
            ctx.written(&store, &written)?;
            output::print(&format!("{}\n", sol.id))?;
            return Ok(());
        }
        Cmd::Plan {
            id,
            plan_file,
            plan,
        } => {
            let plan = match (plan_file, plan) {
                (Some(f), _) => Plan::File(abs(f)),
                (None, Some(t)) => Plan::Text(t),
                (None, None) => unreachable!("clap requires one"),
            };
            sol_ops::set_plan(&store, &actor, &resolve(&id)?, plan)?
        }
        Cmd::Milestone { id, name, date } => {
            sol_ops::add_milestone(&store, &actor, &resolve(&id)?, &name, date)?
        }
        Cmd::Resource {
            id,
            role,
            person,
            days,
        } => sol_ops::add_resource(&store, &actor, &resolve(&id)?, &role, person, days)?,
        Cmd::Quote {
            id,
            item,
            qty,
            unit_price,
            currency,
            valid_until,
        } => sol_ops::add_quote_line(
            &store,
            &actor,
            &resolve(&id)?,
            QuoteInput {
                item,
                quantity: qty,
                unit_price,
                currency,
                valid_until,
            },
        )?,
        Cmd::Risk {
            id,
            description,
            likelihood,
            impact,
            mitigation,
            owner,
        } => sol_ops::add_risk(
            &store,
            &actor,
            &resolve(&id)?,
            Risk {
                description,
                likelihood,
                impact,
                mitigation,
                owner,
                extra: Default::default(),
            },
        )?,
        Cmd::Show { .. } | Cmd::List => unreachable!("handled above"),
    };
    ctx.written(&store, &written)?;
    match sol.quotation.as_ref().filter(|_| what == "quote") {
        Some(q) => output::print(&format!(
            "{} v{}: quotation total {} {}\n",
            sol.id, sol.version, q.total, q.currency
        ))?,
        None => output::print(&format!("{} v{} updated\n", sol.id, sol.version))?,
    }
    Ok(())
}

fn list(ctx: &Ctx, store: &crate::store::Store) -> Result<()> {
    let (sols, errors) = store.load_all::<Solution>();
    for e in &errors {
        ctx.warn_error(e);
    }
    let (reqs, _) = store.load_all::<Request>();
    let rows = sols
        .iter()
        .map(|s| {
            let stage = reqs
                .iter()
                .find(|r| r.id == s.request)
                .map(|r| r.stage.clone())
                .unwrap_or_default();
            vec![
                s.id.clone(),
                format!("v{}", s.version),
                s.request.clone(),
                stage,
                s.author.clone(),
                s.quotation
                    .as_ref()
                    .map(|q| format!("{} {}", q.total, q.currency))
                    .unwrap_or_default(),
                if s.approval.is_some() {
                    "yes".into()
                } else {
                    String::new()
                },
                s.title.clone(),
            ]
        })
        .collect();
    let headers = [
        "ID", "VER", "REQUEST", "STAGE", "AUTHOR", "QUOTE", "APPROVED", "TITLE",
    ];
    output::print(&output::list(ctx.format, &sols, &headers, rows)?)?;
    Ok(())
}

pub(super) fn show(ctx: &Ctx, sol: &Solution) -> Result<()> {
    match ctx.format {
        Format::Json => {
            output::print(&output::json(sol)?)?;
            return Ok(());
        }
        Format::Yaml | Format::Csv => {
            output::print(&output::yaml(sol)?)?;
            return Ok(());
        }
        Format::Table | Format::Text | Format::Github | Format::Markdown | Format::Html => {}
    }
    let mut s = format!("{}  {}  (v{})\n", sol.id, sol.title, sol.version);
    s.push_str(&format!("{:<12}{}\n", "request", sol.request));
    s.push_str(&format!("{:<12}{}\n", "author", sol.author));
    if let Some(o) = &sol.supersedes {
        s.push_str(&format!("{:<12}{o}\n", "supersedes"));
    }
    if let Some(o) = &sol.superseded_by {
        s.push_str(&format!("{:<14}{o}\n", "superseded by"));
    }
    if let Some(a) = &sol.approval {
        s.push_str(&format!(
            "{:<12}{} on {}{}\n",
            "approved",
            a.by,
            a.at.format("%Y-%m-%d"),
            a.note
                .as_deref()
                .map(|n| format!(": {n}"))
                .unwrap_or_default()
        ));
    }
    if let Some(h) = &sol.handover {
        s.push_str(&format!(
            "{:<12}{} on {}\n",
            "handed over",
            h.to,
            h.at.format("%Y-%m-%d")
        ));
        for t in &h.training {
            s.push_str(&format!(
                "  training {} {} {}\n",
                t.date,
                t.topic,
                t.attendees.join(", ")
            ));
        }
    }
    s.push_str("\ntechnical plan:\n");
    match (&sol.plan, &sol.plan_file) {
        (Some(p), _) => p.lines().for_each(|l| s.push_str(&format!("  {l}\n"))),
        (None, Some(f)) => s.push_str(&format!("  see {f}\n")),
        (None, None) => s.push_str("  (none yet)\n"),
    }
    if !sol.milestones.is_empty() {
        s.push_str("\ntime plan:\n");
        for m in &sol.milestones {
            s.push_str(&format!("  {}  {}\n", m.date, m.name));
        }
    }
    if !sol.resources.is_empty() {
        s.push_str("\nresources:\n");
        let rows = sol
            .resources
            .iter()
            .map(|r| {
                vec![
                    r.role.clone(),
                    r.person.clone().unwrap_or_default(),
                    r.days.to_string(),
                ]
            })
            .collect();
        s.push_str(&output::table(&["ROLE", "PERSON", "DAYS"], rows));
        // Checked: a hand-edited file may hold days that do not add up in a decimal.
        match sol
            .resources
            .iter()
            .try_fold(Decimal::ZERO, |sum, r| sum.checked_add(r.days))
        {
            Some(total) => s.push_str(&format!("  total effort: {total} days\n")),
            None => s.push_str("  total effort: too large to add up\n"),
        }
    }
    if let Some(q) = &sol.quotation {
        s.push_str(&format!("\nquotation ({}):\n", q.currency));
        let mut rows: Vec<Vec<String>> = q
            .lines
            .iter()
            .map(|l| {
                let amount = match l.quantity.checked_mul(l.unit_price) {
                    Some(mut amount) => {
                        amount.rescale(2);
                        amount.to_string()
                    }
                    None => "too large".to_string(),
                };
                vec![
                    l.item.clone(),
                    l.quantity.to_string(),
                    l.unit_price.to_string(),
                    amount,
                ]
            })
            .collect();
        rows.push(vec![
            "TOTAL".into(),
            String::new(),
            String::new(),
            q.total.to_string(),
        ]);
        s.push_str(&output::table(
            &["ITEM", "QTY", "UNIT PRICE", "AMOUNT"],
            rows,
        ));
        if let Some(v) = q.valid_until {
            s.push_str(&format!("  valid until {v}\n"));
        }
    }
    if !sol.risks.is_empty() {
        s.push_str("\nrisks:\n");
        let rows = sol
            .risks
            .iter()
            .enumerate()
            .map(|(i, r)| {
                vec![
                    format!("R{}", i + 1),
                    r.description.clone(),
                    r.likelihood.to_string(),
                    r.impact.to_string(),
                    format!("{} ({})", r.score(), r.level()),
                    r.mitigation.clone(),
                    r.owner.clone().unwrap_or_default(),
                ]
            })
            .collect();
        s.push_str(&output::table(
            &["#", "RISK", "L", "I", "SCORE", "MITIGATION", "OWNER"],
            rows,
        ));
        s.push_str("\nrisk matrix (likelihood ↓, impact →):\n");
        s.push_str(&risk_matrix(&sol.risks));
    }
    if !sol.reviews.is_empty() {
        s.push_str("\nreviews:\n");
        for r in &sol.reviews {
            s.push_str(&format!(
                "  round {} opened {}{}\n",
                r.round,
                r.opened.format("%Y-%m-%d"),
                r.closed
                    .map(|c| format!(", closed {}", c.format("%Y-%m-%d")))
                    .unwrap_or_default()
            ));
            for v in &r.verdicts {
                s.push_str(&format!(
                    "    {:<10} {:<7} {}\n",
                    v.reviewer,
                    v.verdict.as_str(),
                    v.comment.as_deref().unwrap_or_default()
                ));
            }
        }
    }
    output::print(&s)?;
    Ok(())
}

/// A 5×5 grid: rows likelihood 5→1, columns impact 1→5, cells list the risks (R1, R2…).
pub fn risk_matrix(risks: &[Risk]) -> String {
    let mut rows = Vec::new();
    for l in (1..=5u8).rev() {
        let mut row = vec![format!("L{l}")];
        for i in 1..=5u8 {
            let cell: Vec<String> = risks
                .iter()
                .enumerate()
                .filter(|(_, r)| r.likelihood == l && r.impact == i)
                .map(|(n, _)| format!("R{}", n + 1))
                .collect();
            row.push(if cell.is_empty() {
                "·".into()
            } else {
                cell.join(",")
            });
        }
        rows.push(row);
    }
    output::table(&["", "I1", "I2", "I3", "I4", "I5"], rows)
}
