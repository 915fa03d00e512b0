//! `presales report kb`: rendering of [`crate::report::kb::KbReport`].

use super::{Doc, anomalies, machine, or_dash, rate, subtitle, when};
use crate::cli::{Ctx, Format, output};
use crate::error::Result;
use crate::report::kb::{self, KbReport};
use crate::report::{Dataset, Zone};

pub fn render(ctx: &Ctx, data: &Dataset, zone: &Zone) -> Result<String> {
    let r = kb::build(data);
    if let Some(out) = machine(ctx.format, &r) {
        return out;
    }
    match ctx.format {
        Format::Csv => csv(&r, zone),
        f => document(&r, zone).render_as(f),
    }
}

pub(super) fn document(r: &KbReport, zone: &Zone) -> Doc {
    let mut d = Doc::default();
    d.title(format!("Knowledge base {}", r.header.period.label));
    d.text(subtitle(&r.header, zone));
    d.strong(format!(
        "{} article uses in the period · closed requests that used an article: {} · {} stale {}",
        r.uses_in_period,
        rate(&r.closed_with_article),
        r.stale.len(),
        if r.stale.len() == 1 {
            "article"
        } else {
            "articles"
        }
    ));
    d.heading("Usage per article");
    d.table(
        &[
            "ARTICLE",
            "USES",
            "ALL TIME",
            "REQUESTS",
            "LAST USED",
            "STATUS",
            "REVIEW BY",
            "TITLE",
        ],
        r.articles
            .iter()
            .map(|a| {
                vec![
                    a.id.clone(),
                    a.uses_in_period.to_string(),
                    a.uses_total.to_string(),
                    a.requests.to_string(),
                    a.last_used.map_or_else(|| "-".into(), |t| when(zone, t)),
                    or_dash(a.status.as_deref()),
                    a.review_by.map_or_else(|| "-".into(), |d| d.to_string()),
                    or_dash(a.title.as_deref()),
                ]
            })
            .collect(),
        "no article is used or known",
    );
    d.heading("Stale articles");
    d.table(
        &["ARTICLE", "REVIEW BY", "STATUS", "TITLE"],
        r.stale
            .iter()
            .map(|a| {
                vec![
                    a.id.clone(),
                    a.review_by.map_or_else(|| "-".into(), |d| d.to_string()),
                    a.status.clone(),
                    a.title.clone(),
                ]
            })
            .collect(),
        "no stale article",
    );
    d.heading("Overdue reviews by owner");
    d.table(
        &["OWNER", "OVERDUE", "ARTICLES"],
        r.overdue_by_owner
            .iter()
            .map(|o| {
                vec![
                    o.owner.clone(),
                    o.articles.len().to_string(),
                    o.articles
                        .iter()
                        .map(|a| a.id.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                ]
            })
            .collect(),
        "no review is overdue",
    );
    d.heading("Open flags");
    d.table(
        &["RAISED", "ARTICLE", "OWNER", "BY", "REQUEST", "NOTE"],
        r.open_flags
            .iter()
            .map(|f| {
                vec![
                    when(zone, f.at),
                    f.article.clone(),
                    f.owner.clone(),
                    f.by.clone(),
                    or_dash(f.request.as_deref()),
                    f.note.clone(),
                ]
            })
            .collect(),
        "no open flag",
    );
    d.heading("Unanswered searches");
    d.text(format!(
        "From this clone's private search log ({}); a search is unanswered when its best \
         hit matches less than half of it.",
        output::count(r.searches as usize, "search")
    ));
    d.table(
        &["COUNT", "LAST", "QUERY"],
        r.unanswered_searches
            .iter()
            .map(|u| vec![u.count.to_string(), when(zone, u.last), u.query.clone()])
            .collect(),
        "no unanswered search",
    );
    d.heading("Unused articles");
    d.table(
        &["ARTICLE", "REVIEW BY", "TITLE"],
        r.unused
            .iter()
            .map(|a| {
                vec![
                    a.id.clone(),
                    a.review_by.map_or_else(|| "-".into(), |d| d.to_string()),
                    a.title.clone(),
                ]
            })
            .collect(),
        "every published article has been used",
    );
    d.heading("Articles used by won deals");
    d.table(
        &["ARTICLE", "WON", "TITLE"],
        r.won_with
            .iter()
            .map(|w| vec![w.id.clone(), w.won.to_string(), w.title.clone()])
            .collect(),
        "no won request used an article",
    );
    d.heading("Closed without an article");
    d.table(
        &["CLOSED", "REQUEST", "TYPE", "OUTCOME", "TITLE"],
        r.gaps
            .iter()
            .map(|g| {
                vec![
                    when(zone, g.closed),
                    g.request.clone(),
                    g.kind.clone(),
                    g.outcome.map_or_else(|| "-".into(), |o| o.to_string()),
                    g.title.clone(),
                ]
            })
            .collect(),
        "every closed request used an article",
    );
    anomalies(&mut d, &r.anomalies);
    d
}

fn csv(r: &KbReport, zone: &Zone) -> Result<String> {
    let rows = r
        .articles
        .iter()
        .map(|a| {
            vec![
                a.id.clone(),
                a.uses_in_period.to_string(),
                a.uses_total.to_string(),
                a.requests.to_string(),
                a.last_used.map(|t| when(zone, t)).unwrap_or_default(),
                a.status.clone().unwrap_or_default(),
                a.review_by.map(|d| d.to_string()).unwrap_or_default(),
                a.stale.to_string(),
                a.title.clone().unwrap_or_default(),
            ]
        })
        .collect();
    output::csv(
        &[
            "id",
            "uses_in_period",
            "uses_total",
            "requests",
            "last_used",
            "status",
            "review_by",
            "stale",
            "title",
        ],
        rows,
    )
}
