//! `presales agenda`: planned demos, trainings and open review rounds ahead, in date order.

use super::report::Doc;
use super::{Ctx, Format, output};
use crate::error::Result;
use crate::model::{Request, Solution, Training};
use crate::report::agenda::{self, Agenda};

/// What is coming up (日程): planned demos, trainings and open reviews, by date.
///
/// Lists the days from today to --days ahead. Planned demos whose day has passed without
/// being recorded as held (`presales demo REQ --held N`) are listed as overdue, and open
/// review rounds on the day they were opened or today. With --as (or PRESALES_USER) only
/// what involves that member; --team lists everyone's.
///
/// Examples:
///   presales agenda
///   presales agenda --days 30 --team --format markdown
///   presales agenda --as li.na --format json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// How many days ahead to look.
    #[arg(long, default_value_t = 14, value_parser = clap::value_parser!(u32).range(0..=3660))]
    days: u32,
    /// The whole team's agenda, whatever --as or PRESALES_USER say.
    #[arg(long)]
    team: bool,
    /// Show the titles of confidential customers' and requests' demos and reviews instead
    /// of `[confidential]` (保密制度).
    #[arg(long)]
    include_confidential: bool,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let store = ctx.store()?;
    let member = if a.team {
        None
    } else {
        ctx.member_given(&store)?
    };
    let today = ctx.now()?.date_naive();
    let (requests, e1) = store.load_all_cached::<Request>();
    let (solutions, e2) = store.load_all_cached::<Solution>();
    let (trainings, e3) = store.load_all_cached::<Training>();
    for e in e1.iter().chain(&e2).chain(&e3) {
        ctx.warn_error(e);
    }
    let agenda = agenda::build(
        &requests,
        &solutions,
        &trainings,
        &store.config,
        today,
        a.days,
        member.as_deref(),
    );
    let mut agenda = agenda;
    if !a.include_confidential {
        let (customers, e4) = store.summaries::<crate::model::customer::CustomerSummary>();
        for e in &e4 {
            ctx.warn_error(e);
        }
        let secret: std::collections::HashSet<&str> = customers
            .iter()
            .filter(|c| c.confidential)
            .map(|c| c.id.as_str())
            .collect();
        let hidden: std::collections::HashSet<&str> = requests
            .iter()
            .filter(|r| r.confidential || secret.contains(r.customer.as_str()))
            .map(|r| r.id.as_str())
            .chain(
                solutions
                    .iter()
                    .filter(|s| {
                        requests.iter().any(|r| {
                            r.id == s.request
                                && (r.confidential || secret.contains(r.customer.as_str()))
                        })
                    })
                    .map(|s| s.id.as_str()),
            )
            .collect();
        agenda::redact(&mut agenda, &hidden);
    }
    output::print(&render(ctx.format, &agenda)?)?;
    Ok(())
}

fn render(format: Format, a: &Agenda) -> Result<String> {
    match format {
        Format::Json => return output::json(a),
        Format::Yaml => return output::yaml(a),
        _ => {}
    }
    let headers = ["DATE", "WHAT", "ID", "DETAIL", "TITLE", "PEOPLE"];
    let rows: Vec<Vec<String>> = a
        .items
        .iter()
        .map(|i| {
            vec![
                if i.overdue {
                    format!("{} (overdue)", i.date)
                } else {
                    i.date.to_string()
                },
                i.what.as_str().to_string(),
                i.id.clone(),
                i.detail.clone(),
                i.title.clone(),
                i.people.join(", "),
            ]
        })
        .collect();
    if format == Format::Csv {
        return output::csv(&headers, rows);
    }
    let mut d = Doc::default();
    d.title(match &a.member {
        Some(m) => format!("Agenda of {m}"),
        None => "Agenda".to_string(),
    });
    d.text(format!(
        "{} to {} · {}",
        a.from,
        a.to,
        output::count(a.items.len(), "item")
    ));
    d.table(&headers, rows, "nothing planned");
    d.render_as(format)
}
