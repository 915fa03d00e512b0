//! `presales show`: one record in full, with its next steps and history.

use super::{Ctx, Format, output};
use crate::error::{Error, Result};
use crate::model::{Customer, HistoryEntry, Kind, Record, RecordId, Request, Solution};
use crate::ops::Actor;
use crate::workflow::{Facts, MoveKind};

/// Show a request, or a customer, solution or knowledge-base article by its full ID.
///
/// For a request: its fields, what each legal next stage still lacks, and its history.
///
/// Examples:
///   presales show 7KQ2MX
///   presales show 7KQ2MX --history
///   presales show REQ-20261127-A7KQ2MX --format json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Any record's ID or unique abbreviation (REQ-, SOL-, KB-, CUS-, GAP-, TRN-).
    id: String,
    /// Print only the story: the request's and its solution's history, in time order.
    #[arg(long)]
    history: bool,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let store = ctx.store()?;
    // Any kind: a prefix says which, else one match among every kind of record.
    let id = store.resolve_any(&a.id)?;
    match id.kind() {
        Kind::Request => show_request(ctx, &store, &id, a.history),
        Kind::Customer => super::customer::show(ctx, id.as_str()),
        Kind::Gap => super::gap::show(ctx, &store, &id),
        Kind::Training => super::training::show(ctx, &store, &id),
        Kind::Solution => {
            let s: Solution = store.load(&id)?;
            super::solution::show(ctx, &s)
        }
        Kind::Article => super::kb::show(ctx, &store, &id),
    }
}

fn print_record<T: serde::Serialize>(ctx: &Ctx, rec: &T, text: impl Fn() -> String) -> Result<()> {
    match ctx.format {
        Format::Json => output::print(&output::json(rec)?)?,
        Format::Yaml | Format::Csv => output::print(&output::yaml(rec)?)?,
        Format::Table | Format::Text | Format::Github | Format::Markdown | Format::Html => {
            output::print(&text())?
        }
    }
    Ok(())
}

/// A record a request links to. A link that cannot be followed is an error naming the
/// request and the field; a linked file that does not parse keeps its `path:line:col`.
fn linked<T: Record>(store: &crate::store::Store, from: &str, field: &str, id: &str) -> Result<T> {
    let hint = || {
        format!(
            "restore {id} (e.g. from git) or fix `{field}` in {from}; `presales check` lists \
             every broken link"
        )
    };
    let rid = RecordId::parse(id)
        .map_err(|e| Error::invalid_with_hint(format!("{from}: {field} `{id}`: {e}"), hint()))?;
    store.load(&rid).map_err(|e| match e {
        Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            Error::invalid_with_hint(format!("{from}: {field} {id} does not exist"), hint())
        }
        e => e,
    })
}

/// Shows the request, then reports each linked record that cannot be read (exit 1): the
/// request is shown as it is, the link is never silently left out.
fn show_request(
    ctx: &Ctx,
    store: &crate::store::Store,
    id: &RecordId,
    history_only: bool,
) -> Result<()> {
    let req: Request = store.load(id)?;
    let mut broken = Vec::new();
    let solution: Option<Solution> = req.solution.as_deref().and_then(|s| {
        linked(store, &req.id, "solution", s)
            .map_err(|e| broken.push(e))
            .ok()
    });
    let customer: Option<Customer> = linked(store, &req.id, "customer", &req.customer)
        .map_err(|e| broken.push(e))
        .ok();
    let shown = render_request(ctx, store, &req, solution, customer, history_only);
    for e in &broken {
        ctx.warn_error(e);
    }
    shown
}

fn render_request(
    ctx: &Ctx,
    store: &crate::store::Store,
    req: &Request,
    solution: Option<Solution>,
    customer: Option<Customer>,
    history_only: bool,
) -> Result<()> {
    if history_only {
        let mut entries: Vec<(&str, &HistoryEntry)> =
            req.history.iter().map(|h| (req.id.as_str(), h)).collect();
        if let Some(s) = &solution {
            entries.extend(s.history.iter().map(|h| (s.id.as_str(), h)));
        }
        entries.sort_by_key(|(_, h)| h.at);
        let list = || -> Vec<serde_json::Value> {
            entries
                .iter()
                .map(|(rid, h)| {
                    let mut v = serde_json::to_value(h).unwrap_or_default();
                    if let Some(o) = v.as_object_mut() {
                        o.insert("record".into(), (*rid).into());
                    }
                    v
                })
                .collect()
        };
        match ctx.format {
            Format::Json => return output::print(&output::json(&list())?),
            Format::Yaml => return output::print(&output::yaml(&list())?),
            Format::Csv => {
                let text = |v: &Option<String>| v.clone().unwrap_or_default();
                let rows = entries
                    .iter()
                    .map(|(rid, h)| {
                        vec![
                            rid.to_string(),
                            h.at.to_rfc3339(),
                            h.by.clone(),
                            h.action.clone(),
                            text(&h.from),
                            text(&h.to),
                            text(&h.note),
                        ]
                    })
                    .collect();
                return output::print(&output::csv(
                    &["record", "at", "by", "action", "from", "to", "note"],
                    rows,
                )?);
            }
            _ => {}
        }
        let mut s = String::new();
        for (rid, h) in entries {
            s.push_str(&format!("{}  {}\n", rid, history_line(h)));
        }
        output::print(&s)?;
        return Ok(());
    }
    if ctx.format == Format::Csv {
        // One row with the columns of `presales list`, so scripts can append it to a list.
        let r = &req;
        let row = vec![
            r.id.clone(),
            r.stage.clone(),
            r.kind.clone(),
            r.priority.to_string(),
            r.title.clone(),
            customer
                .as_ref()
                .map_or_else(|| r.customer.clone(), |c| c.name.clone()),
            r.assignee.clone().unwrap_or_default(),
            r.due.map(|d| d.to_string()).unwrap_or_default(),
        ];
        output::print(&output::csv(
            &[
                "ID", "STAGE", "TYPE", "PRI", "TITLE", "CUSTOMER", "ASSIGNEE", "DUE",
            ],
            vec![row],
        )?)?;
        return Ok(());
    }
    if !ctx.format.is_human() {
        return print_record(ctx, req, String::new);
    }
    let member = |m: &str| {
        store
            .config
            .member(m)
            .map(|x| format!("{m} ({})", x.name))
            .unwrap_or_else(|| m.to_string())
    };
    let mut s = format!("{}  {}\n", req.id, req.title);
    let mut field = |k: &str, v: String| {
        if !v.is_empty() {
            s.push_str(&format!("{k:<13}{v}\n"));
        }
    };
    field("type", req.kind.clone());
    field("priority", req.priority.to_string());
    field("stage", req.stage.clone());
    field(
        "customer",
        match &customer {
            Some(c) => format!("{} ({})", c.id, c.name),
            None => req.customer.clone(),
        },
    );
    field(
        "assignee",
        req.assignee.as_deref().map(member).unwrap_or_default(),
    );
    field(
        "requested by",
        req.requested_by.as_deref().map(member).unwrap_or_default(),
    );
    field(
        "created",
        req.created.format("%Y-%m-%d %H:%M %:z").to_string(),
    );
    field("due", req.due.map(|d| d.to_string()).unwrap_or_default());
    field("skills", req.skills.join(", "));
    field("products", req.products.join(", "));
    field("tags", req.tags.join(", "));
    field("solution", req.solution.clone().unwrap_or_default());
    if let Some(o) = &req.opportunity {
        let value = match (&o.value, &o.currency) {
            (Some(v), Some(c)) => format!("{v} {c}"),
            (Some(v), None) => v.to_string(),
            (None, _) => String::new(),
        };
        let name = o.name.clone().unwrap_or_default();
        field(
            "deal value",
            [name, value]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(": "),
        );
    }
    if !req.effort.is_empty() {
        let mut per: std::collections::BTreeMap<&str, rust_decimal::Decimal> =
            std::collections::BTreeMap::new();
        for e in &req.effort {
            *per.entry(e.by.as_str()).or_default() += e.hours;
        }
        let total: rust_decimal::Decimal = per.values().copied().sum();
        field(
            "effort",
            format!(
                "{} h ({})",
                total.normalize(),
                per.iter()
                    .map(|(who, h)| format!("{who} {} h", h.normalize()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    if req.confidential {
        field("confidential", "yes".into());
    }
    if let Some(a) = &req.assessment {
        field(
            "assessment",
            format!(
                "{}, difficulty {}/5{}",
                a.feasibility.as_str(),
                a.difficulty,
                a.notes
                    .as_deref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default()
            ),
        );
    }
    if let Some(o) = req.outcome {
        let mut v = o.to_string();
        if req.technical_win {
            v.push_str(", technical win");
        }
        if let Some(sat) = req.satisfaction {
            v.push_str(&format!(", satisfaction {sat}/5"));
        }
        if let Some(r) = &req.loss_reason {
            v.push_str(&format!(", lost on {r}"));
        }
        if let Some(c) = &req.competitor {
            v.push_str(&format!(" to {c}"));
        }
        field("outcome", v);
        field(
            "confirmed by",
            req.technical_win_evidence.clone().unwrap_or_default(),
        );
    }
    field("summary", req.summary.clone().unwrap_or_default());
    if req.resolution != req.summary {
        field("resolution", req.resolution.clone().unwrap_or_default());
    }
    if let Some(d) = &req.description {
        s.push_str("\ndescription:\n");
        for line in d.lines() {
            s.push_str(&format!("  {line}\n"));
        }
    }
    for (i, demo) in req.planned_demos.iter().enumerate() {
        s.push_str(&format!(
            "\nplanned demo {} on {}{} (not held yet)\n",
            i + 1,
            demo.date,
            if demo.attendees.is_empty() {
                String::new()
            } else {
                format!(" with {}", demo.attendees.join(", "))
            }
        ));
    }
    for (i, demo) in req.demos.iter().enumerate() {
        s.push_str(&format!(
            "\ndemo {} on {} with {}\n",
            i + 1,
            demo.date,
            demo.attendees.join(", ")
        ));
        for (j, f) in demo.feedback.iter().enumerate() {
            s.push_str(&format!(
                "  {}. [{}] {}: {}\n",
                j + 1,
                f.disposition
                    .map(|d| format!("{d:?}").to_lowercase())
                    .unwrap_or_else(|| "open".into()),
                f.from,
                f.text
            ));
        }
    }
    if !req.gaps.is_empty() {
        s.push_str("\nproduct gaps:\n");
        for l in &req.gaps {
            s.push_str(&format!(
                "  {} {}{} (linked {} by {})\n",
                l.gap,
                l.severity,
                if l.feedback.is_some() {
                    ", from demo feedback"
                } else {
                    ""
                },
                l.at.format("%Y-%m-%d"),
                l.by
            ));
        }
    }
    let actor = Actor {
        id: String::new(),
        now: ctx.now()?,
    };
    let facts = Facts {
        request: req,
        solution: solution.as_ref(),
        config: &store.config,
        today: actor.today(),
        note: None,
    };
    match store.workflow.options(&facts) {
        Ok(options) if !options.is_empty() => {
            s.push_str("\nnext:\n");
            for (mv, missing) in options {
                let label = match mv.kind {
                    MoveKind::Forward => "",
                    MoveKind::Revise => " (revise)",
                    MoveKind::Close => " (close early)",
                };
                if missing.is_empty() {
                    s.push_str(&format!("  {}{label}: ready\n", mv.to));
                } else {
                    let line = format!("  {}{label}: needs {}", mv.to, missing.join("; "));
                    s.push_str(&output::wrap(&line, 4));
                    s.push('\n');
                }
            }
        }
        Ok(_) => {}
        Err(e) => s.push_str(&format!("\nworkflow: {e}\n")),
    }
    s.push_str("\nhistory:\n");
    for h in &req.history {
        // Continuation lines start under the action, past the time and the member.
        s.push_str(&output::wrap(&format!("  {}", history_line(h)), 31));
        s.push('\n');
    }
    output::print(&s)?;
    Ok(())
}

/// One history entry on one line: time, who, what.
/// A history value as people read it: strings bare, lists joined with commas, mappings as
/// `key: value` pairs; nothing of JSON's quoting.
fn plain_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => {
            items.iter().map(plain_value).collect::<Vec<_>>().join(",")
        }
        serde_json::Value::Object(map) => {
            let pairs: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}: {}", plain_value(v)))
                .collect();
            format!("{{{}}}", pairs.join(", "))
        }
        other => other.to_string(),
    }
}

pub fn history_line(h: &HistoryEntry) -> String {
    let mut line = format!(
        "{}  {:<10} {}",
        h.at.format("%Y-%m-%d %H:%M"),
        h.by,
        h.action
    );
    match (&h.from, &h.to) {
        (Some(f), Some(t)) => line.push_str(&format!(" {f} → {t}")),
        (None, Some(t)) => line.push_str(&format!(" → {t}")),
        _ => {}
    }
    for (k, v) in &h.extra {
        line.push_str(&format!(" {k}={}", plain_value(v)));
    }
    if let Some(n) = &h.note {
        line.push_str(&format!(": {}", n.replace('\n', " ")));
    }
    line
}

#[cfg(test)]
mod tests {
    #[test]
    fn history_values_read_without_json_quoting() {
        let v = serde_json::json!({"value": "1200000", "currency": "CNY"});
        assert_eq!(super::plain_value(&v), "{value: 1200000, currency: CNY}");
        assert_eq!(
            super::plain_value(&serde_json::json!(["SD-WAN", "IAM"])),
            "SD-WAN,IAM"
        );
        assert_eq!(super::plain_value(&serde_json::json!(3)), "3");
    }
}
