//! `presales dashboard`: a static site of the reports: an index of charts over the last
//! weeks (each beside the table of its numbers) and one page per report. Every number is
//! read from a report's JSON value (the same value `--format json` prints) by JSON
//! pointer, and each table row names the command that prints it (`data-args`, `data-ptr`),
//! so a test can hold the page to the report.

use std::path::PathBuf;

use chrono::Duration;
use serde_json::Value;

use super::doc::{Cell, Figure, FigureRow};
use super::{Doc, Loaded, PeriodArgs};
use crate::cli::Ctx;
use crate::cli::html::{self, NavItem};
use crate::cli::svg::{self, Series};
use crate::error::{Error, Result};
use crate::model::Timestamp;
use crate::report::{self, AsOf, Period, PeriodSpec, Window};

/// Write a static HTML dashboard: charts of the last weeks and a page per report.
///
/// The site is a folder of HTML files with their styles inline: no script, no font or
/// anything else fetched, so it opens from the disk (file://) and publishes as it is on
/// GitHub Pages or GitLab Pages. Same store + same --as-of = the same bytes. Confidential
/// customers and requests are redacted unless --include-confidential; the pages show
/// per-engineer figures (workload, performance, capacity): publish them only where the team
/// agrees, and remember that a Pages site can be public even for a private repository.
///
/// Examples:
///   presales dashboard --out site
///   presales dashboard --out site --week last --weeks 26
///   presales dashboard --out site --as-of 2026-11-30
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The folder to write the site into (created if missing; files of the same names are
    /// replaced, others left alone).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// How many weeks the charts cover, ending with --week.
    #[arg(long, value_name = "N", default_value_t = 12, value_parser = super::super::parse_count)]
    weeks: usize,
    /// The last week of the charts and the week of the report pages: 2026-W48, `last` or
    /// `this` (the default), relative to the as-of day.
    #[arg(long, value_name = "last|this|YYYY-Www", value_parser = PeriodSpec::parse_week)]
    week: Option<PeriodSpec>,
    /// As of this day (its last second) or RFC 3339 time; default PRESALES_NOW or the
    /// clock, or the end of a week that has already ended.
    #[arg(long, value_name = "WHEN", value_parser = AsOf::parse)]
    as_of: Option<AsOf>,
    /// Show confidential customers and requests instead of `[confidential]`.
    #[arg(long)]
    include_confidential: bool,
}

/// The pages of the site after the index: file, navigation label, report.
const PAGES: [(&str, &str, &str); 7] = [
    ("weekly.html", "Weekly", "weekly"),
    ("sla.html", "SLA", "sla"),
    ("performance.html", "Performance", "performance"),
    ("kb.html", "Knowledge base", "kb"),
    ("capacity.html", "Capacity", "capacity"),
    ("winloss.html", "Win/loss", "winloss"),
    ("gaps.html", "Gaps", "gaps"),
];

/// The most used articles the index shows.
const MOST_USED_SHOWN: usize = 10;

/// The requests breached or at risk the index lists, most urgent first (the weekly
/// report's order); the Weekly page lists them all.
const URGENT_SHOWN: usize = 100;

/// A report page of the site: its place in [`PAGES`], its title and its body as HTML.
type Page = (usize, String, String);

/// One report as computed for the site: its JSON value and the command that prints it.
struct Computed {
    args: String,
    json: Value,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    use rayon::prelude::*;
    let loaded = Loaded::load(ctx)?;
    let now = loaded.now(ctx, a.as_of)?;
    let spec = PeriodArgs {
        week: a.week.clone(),
        ..PeriodArgs::now(a.as_of, a.include_confidential)
    }
    .spec()?;
    let last = loaded.window(spec, a.as_of, now)?;
    // Every report below is asked for with this explicit as-of, so each command named in
    // the pages prints the same numbers whenever it is run.
    let as_of = last.as_of;
    let conf = if a.include_confidential {
        " --include-confidential"
    } else {
        ""
    };
    let weeks: Vec<Period> = (0..a.weeks)
        .rev()
        .map(|k| Period::week_of(last.period.from - Duration::weeks(k as i64)))
        .collect();
    let window_of = |period: &Period, at: Timestamp| -> Result<Window> {
        loaded.window(
            PeriodSpec::Given(period.clone()),
            Some(AsOf::Instant(at)),
            at,
        )
    };
    // A past week is read as of its last second, as its own weekly report was.
    let week_windows: Vec<Window> = weeks
        .iter()
        .map(|p| {
            let w = window_of(p, as_of)?;
            window_of(p, as_of.min(w.end - Duration::seconds(1)))
        })
        .collect::<Result<_>>()?;
    // The whole span of the charts, for cycle time, knowledge-base use and gaps.
    let first = weeks.first().map_or(last.period.from, |p| p.from);
    let span = Period::range(first, last.period.to).map_err(Error::invalid)?;
    let span_window = window_of(&span, as_of)?;
    let last_window = window_of(&last.period, as_of)?;
    // Every dataset below is built from these: a request settled by one week's end is
    // replayed once for all the later ones.
    let mut items = loaded.items_over(
        &[
            &week_windows[..],
            &[span_window.clone(), last_window.clone()],
        ]
        .concat(),
        a.include_confidential,
    );
    let last_items = items.pop().unwrap_or_default();
    let span_items = items.pop().unwrap_or_default();
    let week_args = |name: &str| {
        format!(
            "report {name} --week {} --as-of {}{conf}",
            last.period.label,
            as_of.to_rfc3339()
        )
    };
    let span_args = |name: &str| {
        format!(
            "report {name} --from {} --to {} --as-of {}{conf}",
            span.from,
            span.to,
            as_of.to_rfc3339()
        )
    };
    let zone = last.zone;
    // The Weekly page holds the targets of its quarter, as `report weekly` does; the
    // training sessions are read only when a target counts them.
    let sessions = if super::trainings_targeted(&loaded.store.config) {
        loaded.sessions(ctx, last_window.as_of)
    } else {
        Vec::new()
    };
    // A report page as the site shows it: its title and its body, already HTML (the large
    // pages hold thousands of rows), with the command that prints the same numbers.
    let page = |i: usize, mut doc: Doc| -> Result<Page> {
        doc.text(format!(
            "The same numbers: presales {} --format json",
            week_args(PAGES[i].2)
        ));
        let title = doc.title_text().unwrap_or(PAGES[i].1).to_string();
        Ok((i, title, doc.html_body()?))
    };
    // The last week of the trend is the week of the report pages when both are read at
    // the same instant (the usual case: the current week, as of now): its weekly report is
    // then built once, for the trend and for the Weekly page.
    let shared_last = week_windows
        .last()
        .is_some_and(|w| w.as_of == last_window.as_of);
    let n = weeks.len();
    // Everything below reads the shared items and nothing else: the trend's weeks, the
    // span's reports and the report pages are computed together, on every core, with no
    // wait between them (each kept in its order).
    type Trend = Vec<(Period, Computed, Option<Page>)>;
    type Span = (Value, Value, Value);
    type Pages = (Value, Vec<Page>);
    let (trend, (span_json, pages)): (Result<Trend>, (Result<Span>, Result<Pages>)) = rayon::join(
        || {
            weeks
                .par_iter()
                .zip(week_windows.into_par_iter())
                .zip(items.into_par_iter())
                .enumerate()
                .map(|(k, ((p, w), items))| {
                    let args = format!(
                        "report weekly --week {} --as-of {}{conf}",
                        p.label,
                        w.as_of.to_rfc3339()
                    );
                    // Only the last week's lists are shown (its attention table); of
                    // the others, the index reads the numbers alone, each the one
                    // `report weekly` prints at the same pointer, and only the requests
                    // alive in that week can count in them.
                    let items = if k + 1 < n { items.touching(&w) } else { items };
                    let (json, weekly_page) =
                        loaded.each(w, a.include_confidential, items, |d| {
                            if k + 1 < n {
                                return Ok((to_json(&report::weekly::numbers(d))?, None));
                            }
                            let weekly = report::weekly::build(d);
                            let shown = shared_last
                                .then(|| page(0, super::weekly::page(&weekly, d, &zone, &sessions)))
                                .transpose()?;
                            Ok::<_, Error>((to_json(&for_index(weekly))?, shown))
                        })?;
                    Ok((p.clone(), Computed { args, json }, weekly_page))
                })
                .collect()
        },
        || {
            rayon::join(
                || {
                    loaded.each(
                        span_window,
                        a.include_confidential,
                        span_items,
                        span_reports,
                    )
                },
                || {
                    // The report pages of the last week, each on its own core; the
                    // capacity report also feeds the index.
                    loaded.each(last_window, a.include_confidential, last_items, |d| {
                        let capacity = report::capacity::build(d);
                        let first = usize::from(shared_last);
                        let pages: Vec<Page> = (first..PAGES.len())
                            .into_par_iter()
                            .map(|i| page(i, report_page(i, d, &capacity, &zone, &sessions)))
                            .collect::<Result<_>>()?;
                        Ok((to_json(&capacity)?, pages))
                    })
                },
            )
        },
    );
    let mut trend = trend?;
    let (span_weekly, span_kb, span_gaps) = span_json?;
    let (capacity, mut pages) = pages?;
    pages.extend(trend.iter_mut().filter_map(|(_, _, shown)| shown.take()));
    pages.sort_by_key(|(i, _, _)| *i);
    let trend: Vec<(Period, Computed)> = trend.into_iter().map(|(p, c, _)| (p, c)).collect();
    let span_weekly = Computed {
        args: span_args("weekly"),
        json: span_weekly,
    };
    let span_kb = Computed {
        args: span_args("kb"),
        json: span_kb,
    };
    let span_gaps = Computed {
        args: span_args("gaps"),
        json: span_gaps,
    };
    let capacity = Computed {
        args: week_args("capacity"),
        json: capacity,
    };
    let index = index(&trend, &span_weekly, &span_kb, &span_gaps, &capacity, &span)?;

    std::fs::create_dir_all(&a.out).map_err(|e| Error::io(&a.out, e))?;
    let footer = format!(
        "presales dashboard · as of {} ({}) · confidential items {}",
        as_of.to_rfc3339(),
        zone.name(),
        if a.include_confidential {
            "included"
        } else {
            "redacted"
        }
    );
    let write = |file: &str, title: &str, body: String| -> Result<()> {
        let nav: Vec<NavItem> = std::iter::once(("index.html", "Dashboard"))
            .chain(PAGES.iter().map(|(f, l, _)| (*f, *l)))
            .map(|(href, label)| NavItem {
                href: href.to_string(),
                label: label.to_string(),
                current: href == file,
            })
            .collect();
        let text = html::page(title, &nav, body, &footer)?;
        let path = a.out.join(file);
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
        eprintln!("wrote {}", path.display());
        Ok(())
    };
    write("index.html", "Presales dashboard", index.html_body()?)?;
    for (i, title, body) in pages {
        write(PAGES[i].0, &title, body)?;
    }
    std::mem::forget(loaded);
    Ok(())
}

/// The last week's report as the index reads it, once its Weekly page is written from the
/// whole: the numbers, and of the lists only the requests breached or at risk, in their
/// order (the index shows the first of them and counts them all). The lists it never reads
/// (breaches, closed requests, open complaints, knowledge-base activity, anomalies; tens of
/// thousands of rows in a large store) are not turned into JSON.
fn for_index(mut w: report::weekly::Weekly) -> report::weekly::Weekly {
    use report::weekly::Reason;
    let mut urgent = std::mem::take(&mut w.attention);
    urgent.retain(|a| matches!(a.reason, Reason::Breached | Reason::AtRisk));
    w.drop_lists();
    w.attention = urgent;
    w
}

/// The span's reports the index reads: the weekly numbers, the most used articles and the
/// gaps, each as JSON.
fn span_reports(d: &report::Dataset) -> Result<(Value, Value, Value)> {
    let ((weekly, kb), gaps) = rayon::join(
        || {
            rayon::join(
                || to_json(&report::weekly::numbers(d)),
                || {
                    // The index shows the most used articles and nothing else of the
                    // report: neither the rest of it nor a row for every other article
                    // (20,000 in a large store) is made. Their rows are the report's own
                    // first rows, under the report's field name.
                    let articles = report::kb::most_used(d, MOST_USED_SHOWN);
                    to_json(&serde_json::json!({ "articles": articles }))
                },
            )
        },
        || to_json(&report::gaps::build(d)),
    );
    Ok((weekly?, kb?, gaps?))
}

/// The report page `i` of [`PAGES`] for the last week, as its command prints it.
fn report_page(
    i: usize,
    d: &report::Dataset,
    capacity: &report::capacity::CapacityReport,
    zone: &report::Zone,
    sessions: &[report::training::Session],
) -> Doc {
    match i {
        0 => super::weekly::page(&report::weekly::build(d), d, zone, sessions),
        1 => super::sla::document(&report::sla_report::build(d, false), zone),
        2 => super::performance::document(&report::performance::build(d, None), zone),
        3 => super::kb::document(&report::kb::build(d), zone),
        4 => super::capacity::document(capacity, zone),
        5 => super::winloss::document(&report::winloss::build(d), zone),
        _ => super::gaps::document(&report::gaps::build(d), zone),
    }
}

fn to_json<T: serde::Serialize>(r: &T) -> Result<Value> {
    serde_json::to_value(r).map_err(|e| Error::internal_from("a report does not serialize", e))
}

/// A JSON value as a cell shows it: numbers and strings as JSON has them, null as `n/a`.
fn text_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Null) | None => "n/a".to_string(),
        Some(other) => other.to_string(),
    }
}

/// A cell holding the value at `ptr` of `json`.
fn cell(json: &Value, ptr: String) -> Cell {
    Cell {
        text: text_of(json.pointer(&ptr)),
        ptr: Some(ptr),
    }
}

/// Items of the array at `ptr`.
fn items<'a>(json: &'a Value, ptr: &str) -> &'a [Value] {
    json.pointer(ptr)
        .and_then(|v| v.as_array())
        .map_or(&[], |v| v.as_slice())
}

/// The short label of a week on an axis: `W45`.
/// One row per week: the week, then each column's figure read from that week's report by
/// its JSON pointer.
fn weekly_table(trend: &[(Period, Computed)], columns: &[(&str, &str)]) -> Table {
    let mut headers = vec!["WEEK".to_string()];
    headers.extend(columns.iter().map(|(h, _)| h.to_string()));
    Table {
        headers,
        rows: trend
            .iter()
            .map(|(p, c)| {
                let mut cells = vec![Cell::text(short(p))];
                cells.extend(
                    columns
                        .iter()
                        .map(|(_, ptr)| cell(&c.json, ptr.to_string())),
                );
                FigureRow {
                    args: Some(c.args.clone()),
                    cells,
                }
            })
            .collect(),
    }
}

fn short(p: &Period) -> String {
    p.label
        .split_once('-')
        .map_or(p.label.clone(), |(_, w)| w.to_string())
}

/// Builds a figure from rows of cells: column `k` of each row (after the label column)
/// is series `k`, and `values` picks which columns are drawn.
struct Table {
    headers: Vec<String>,
    rows: Vec<FigureRow>,
}

impl Table {
    fn series(&self, columns: &[usize]) -> Vec<Series> {
        columns
            .iter()
            .map(|&k| Series {
                name: self.headers[k].clone(),
                values: self
                    .rows
                    .iter()
                    .map(|r| r.cells.get(k).and_then(|c| c.text.parse::<f64>().ok()))
                    .collect(),
            })
            .collect()
    }

    fn labels(&self) -> Vec<String> {
        self.rows
            .iter()
            .map(|r| r.cells.first().map(|c| c.text.clone()).unwrap_or_default())
            .collect()
    }

    fn figure(self, id: &str, caption: &str, svg: String, note: Option<String>) -> Figure {
        Figure {
            id: id.to_string(),
            caption: caption.to_string(),
            svg,
            headers: self.headers,
            rows: self.rows,
            note,
        }
    }
}

fn index(
    trend: &[(Period, Computed)],
    span_weekly: &Computed,
    span_kb: &Computed,
    span_gaps: &Computed,
    capacity: &Computed,
    span: &Period,
) -> Result<Doc> {
    let mut d = Doc::default();
    d.title("Presales dashboard");
    let last = trend.last().map(|(_, c)| c);
    // The head of the last week's report.
    let head = |ptr: &str| text_of(last.and_then(|c| c.json.pointer(ptr)));
    d.text(format!(
        "{} weeks, {} – {} ({} – {}) · as of {} · confidential items {}",
        trend.len(),
        trend.first().map_or("", |(p, _)| p.label.as_str()),
        trend.last().map_or("", |(p, _)| p.label.as_str()),
        span.from,
        span.to,
        head("/as_of"),
        head("/confidential"),
    ));

    // 1. Intake by type per week (stacked).
    let mut types: Vec<String> = Vec::new();
    for (_, c) in trend {
        for t in items(&c.json, "/intake/by_type") {
            let key = text_of(t.get("key"));
            if !types.contains(&key) {
                types.push(key);
            }
        }
    }
    let mut headers = vec!["WEEK".to_string()];
    headers.extend(types.iter().cloned());
    headers.push("TOTAL".to_string());
    let rows = trend
        .iter()
        .map(|(p, c)| {
            let by_type = items(&c.json, "/intake/by_type");
            let mut cells = vec![Cell::text(short(p))];
            for t in &types {
                cells.push(
                    match by_type.iter().position(|x| text_of(x.get("key")) == *t) {
                        Some(i) => cell(&c.json, format!("/intake/by_type/{i}/count")),
                        None => Cell::text("0"),
                    },
                );
            }
            cells.push(cell(&c.json, "/intake/total".into()));
            FigureRow {
                args: Some(c.args.clone()),
                cells,
            }
        })
        .collect();
    let t = Table { headers, rows };
    let series = t.series(&(1..=types.len()).collect::<Vec<_>>());
    let svg = svg::columns(
        "intake",
        "New requests per week, by type",
        "Stacked columns: new requests registered in each week, one colour per request type.",
        &t.labels(),
        &series,
        true,
    );
    d.heading("Intake");
    d.figure(t.figure("intake", "New requests per week, by type", svg, None));

    // 2. SLA attainment trend.
    let t = weekly_table(
        trend,
        &[
            ("FIRST RESPONSE %", "/summary/first_response_attainment_pct"),
            ("RESOLUTION %", "/summary/resolution_attainment_pct"),
            ("BREACHED", "/summary/breached"),
        ],
    );
    let svg = svg::lines(
        "sla-trend",
        "SLA attainment per week",
        "Lines: percentage of first-response and resolution clocks met, per week; gaps where no clock was due.",
        &t.labels(),
        &t.series(&[1, 2]),
        Some(100.0),
        "%",
    );
    d.heading("Service levels");
    d.figure(t.figure(
        "sla-trend",
        "SLA attainment per week (met ÷ (met + breached))",
        svg,
        Some("n/a: no clock met or breached that week.".into()),
    ));

    // 3. Breached and at risk now.
    if let Some(c) = last {
        let t = Table {
            headers: vec!["NOW".into(), "REQUESTS".into()],
            rows: [
                ("breached", "/summary/breached"),
                ("at risk", "/summary/at_risk"),
                ("unassigned", "/summary/unassigned"),
            ]
            .iter()
            .map(|(label, ptr)| FigureRow {
                args: Some(c.args.clone()),
                cells: vec![Cell::text(*label), cell(&c.json, ptr.to_string())],
            })
            .collect(),
        };
        let svg = svg::bars(
            "now",
            "Breached, at risk and unassigned now",
            "Bars: open requests over an SLA limit, at 80 % of one or more, and without an assignee, at the as-of time.",
            &t.labels(),
            &t.series(&[1]),
        );
        d.figure(t.figure("now", "Breached, at risk and unassigned now", svg, None));
        let urgent: Vec<&Value> = items(&c.json, "/attention")
            .iter()
            .filter(|a| {
                matches!(
                    a.get("reason").and_then(|r| r.as_str()),
                    Some("breached" | "at_risk")
                )
            })
            .collect();
        let rows: Vec<Vec<String>> = urgent
            .iter()
            .take(URGENT_SHOWN)
            .map(|a| {
                vec![
                    text_of(a.get("reason")),
                    text_of(a.get("request")),
                    text_of(a.get("priority")),
                    text_of(a.get("stage")),
                    a.get("assignee")
                        .and_then(|v| v.as_str())
                        .unwrap_or("-")
                        .to_string(),
                    text_of(a.get("hours")),
                    text_of(a.get("limit_hours")),
                    text_of(a.get("title")),
                ]
            })
            .collect();
        d.table(
            &[
                "REASON", "REQUEST", "PRI", "STAGE", "ASSIGNEE", "HOURS", "LIMIT", "TITLE",
            ],
            rows,
            "nothing breached or at risk",
        );
        if urgent.len() > URGENT_SHOWN {
            d.text(format!(
                "The {URGENT_SHOWN} most urgent of {}: the Weekly page lists them all.",
                urgent.len()
            ));
        }
    }

    // 4. Cycle time per stage over the whole span.
    let c = span_weekly;
    let t = Table {
        headers: vec![
            "STAGE".into(),
            "MEDIAN H".into(),
            "P90 H".into(),
            "VISITS".into(),
        ],
        rows: items(&c.json, "/cycle_time")
            .iter()
            .enumerate()
            .map(|(i, s)| FigureRow {
                args: Some(c.args.clone()),
                cells: vec![
                    Cell::text(text_of(s.get("stage"))),
                    cell(&c.json, format!("/cycle_time/{i}/median_hours")),
                    cell(&c.json, format!("/cycle_time/{i}/p90_hours")),
                    cell(&c.json, format!("/cycle_time/{i}/count")),
                ],
            })
            .collect(),
    };
    let svg = svg::bars(
        "cycle",
        "Cycle time per stage",
        "Bars: median and 90th percentile of the hours spent in each stage, over the weeks shown.",
        &t.labels(),
        &t.series(&[1, 2]),
    );
    d.heading("Flow");
    d.figure(t.figure(
        "cycle",
        &format!("Cycle time per stage, hours ({} – {})", span.from, span.to),
        svg,
        None,
    ));

    // 5. Aging work in progress by stage, now.
    if let Some(c) = last {
        let t = Table {
            headers: vec![
                "STAGE".into(),
                "OPEN".into(),
                "AVG AGE H".into(),
                "MAX AGE H".into(),
            ],
            rows: items(&c.json, "/wip/stages")
                .iter()
                .enumerate()
                .map(|(i, s)| FigureRow {
                    args: Some(c.args.clone()),
                    cells: vec![
                        Cell::text(text_of(s.get("stage"))),
                        cell(&c.json, format!("/wip/stages/{i}/count")),
                        cell(&c.json, format!("/wip/stages/{i}/avg_age_hours")),
                        cell(&c.json, format!("/wip/stages/{i}/max_age_hours")),
                    ],
                })
                .collect(),
        };
        let svg = svg::bars(
            "wip",
            "Age of open requests by stage",
            "Bars: average and oldest age, in hours, of the open requests in each stage now.",
            &t.labels(),
            &t.series(&[2, 3]),
        );
        d.figure(t.figure(
            "wip",
            "Work in progress by stage: age in the stage, hours",
            svg,
            None,
        ));
    }

    // 6. Workload per engineer, now.
    if let Some(c) = last {
        let t = Table {
            headers: vec![
                "MEMBER".into(),
                "OPEN".into(),
                "ASSIGNED".into(),
                "CLOSED".into(),
                "OVERDUE".into(),
            ],
            rows: items(&c.json, "/workload")
                .iter()
                .enumerate()
                .map(|(i, w)| FigureRow {
                    args: Some(c.args.clone()),
                    cells: vec![
                        Cell::text(text_of(w.get("member"))),
                        cell(&c.json, format!("/workload/{i}/open")),
                        cell(&c.json, format!("/workload/{i}/assigned")),
                        cell(&c.json, format!("/workload/{i}/closed")),
                        cell(&c.json, format!("/workload/{i}/overdue")),
                    ],
                })
                .collect(),
        };
        let svg = svg::bars(
            "workload",
            "Workload per engineer",
            "Bars: open requests now, and assignments and closures in the last week, per engineer.",
            &t.labels(),
            &t.series(&[1, 2, 3]),
        );
        d.heading("People");
        d.figure(t.figure("workload", "Workload per engineer (last week)", svg, None));
    }

    // 7. Capacity: utilisation per engineer in the last week.
    let c = capacity;
    let t = Table {
        headers: vec![
            "MEMBER".into(),
            "HOURS".into(),
            "CAPACITY H".into(),
            "UTILISATION %".into(),
        ],
        rows: items(&c.json, "/members")
            .iter()
            .enumerate()
            .map(|(i, m)| FigureRow {
                args: Some(c.args.clone()),
                cells: vec![
                    Cell::text(text_of(m.get("member"))),
                    cell(&c.json, format!("/members/{i}/hours")),
                    cell(&c.json, format!("/members/{i}/capacity_hours")),
                    cell(&c.json, format!("/members/{i}/utilisation_pct")),
                ],
            })
            .collect(),
    };
    let svg = svg::bars(
        "capacity",
        "Hours logged against capacity",
        "Bars: hours of effort logged and hours available, per engineer, in the last week.",
        &t.labels(),
        &t.series(&[1, 2]),
    );
    d.figure(t.figure("capacity", "Capacity (last week)", svg, None));

    // 8. Win and technical-win rate per week.
    let t = weekly_table(
        trend,
        &[
            ("WIN RATE %", "/closed/win_rate/pct"),
            ("TECH WIN RATE %", "/closed/technical_win_rate/pct"),
            ("DECIDED", "/closed/win_rate/denominator"),
        ],
    );
    let svg = svg::lines(
        "winrate",
        "Win and technical-win rate per week",
        "Lines: won ÷ (won + lost) and technical wins ÷ decided deals, per week; gaps where no deal was decided.",
        &t.labels(),
        &t.series(&[1, 2]),
        Some(100.0),
        "%",
    );
    d.heading("Outcomes");
    d.figure(t.figure(
        "winrate",
        "Win and technical-win rate per week",
        svg,
        Some("n/a: no deal decided that week.".into()),
    ));

    // 9. Knowledge-base use over the span: the ten most used articles.
    let c = span_kb;
    let t = Table {
        headers: vec![
            "ARTICLE".into(),
            "USES".into(),
            "ALL TIME".into(),
            "TITLE".into(),
        ],
        rows: items(&c.json, "/articles")
            .iter()
            .enumerate()
            .take(MOST_USED_SHOWN)
            .map(|(i, a)| FigureRow {
                args: Some(c.args.clone()),
                cells: vec![
                    Cell::text(text_of(a.get("id"))),
                    cell(&c.json, format!("/articles/{i}/uses_in_period")),
                    cell(&c.json, format!("/articles/{i}/uses_total")),
                    Cell::text(
                        a.get("title")
                            .and_then(|t| t.as_str())
                            .unwrap_or("-")
                            .to_string(),
                    ),
                ],
            })
            .collect(),
    };
    let labels: Vec<String> = t
        .rows
        .iter()
        .map(|r| r.cells.get(3).map(|c| c.text.clone()).unwrap_or_default())
        .collect();
    let svg = svg::bars(
        "kb",
        "Knowledge-base articles used",
        "Bars: how often each article was recorded as used on a request, over the weeks shown.",
        &labels,
        &t.series(&[1]),
    );
    d.heading("Knowledge base and gaps");
    d.figure(t.figure(
        "kb",
        "Most used knowledge-base articles (uses over the weeks shown)",
        svg,
        None,
    ));

    // 10. Product gaps: the requests linked to each.
    let c = span_gaps;
    let t = Table {
        headers: vec![
            "GAP".into(),
            "REQUESTS".into(),
            "OPEN DEALS".into(),
            "BLOCKERS".into(),
            "TITLE".into(),
        ],
        rows: items(&c.json, "/gaps")
            .iter()
            .enumerate()
            .take(10)
            .map(|(i, g)| FigureRow {
                args: Some(c.args.clone()),
                cells: vec![
                    Cell::text(text_of(g.get("id"))),
                    cell(&c.json, format!("/gaps/{i}/requests")),
                    cell(&c.json, format!("/gaps/{i}/open_deals")),
                    cell(&c.json, format!("/gaps/{i}/blockers")),
                    Cell::text(text_of(g.get("title"))),
                ],
            })
            .collect(),
    };
    let labels: Vec<String> = t
        .rows
        .iter()
        .map(|r| r.cells.get(4).map(|c| c.text.clone()).unwrap_or_default())
        .collect();
    let svg = svg::bars(
        "gaps",
        "Product gaps by linked requests",
        "Bars: requests linked to each product gap, and how many of them are open deals.",
        &labels,
        &t.series(&[1, 2]),
    );
    d.figure(t.figure("gaps", "Product gaps (linked requests)", svg, None));
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A large store's last week has thousands of requests breached or at risk: the index
    /// lists the most urgent, in the report's order, and says how many there are.
    #[test]
    fn the_index_lists_the_most_urgent_and_says_how_many_more() {
        let attention: Vec<Value> = (0..URGENT_SHOWN + 50)
            .map(|k| {
                json!({
                    "reason": if k % 2 == 0 { "breached" } else { "at_risk" },
                    "request": format!("REQ-{k:04}"),
                    "priority": "P2",
                    "stage": "design",
                    "hours": 10.0,
                    "title": format!("title {k}"),
                })
            })
            .chain([json!({"reason": "unassigned", "request": "REQ-UNASSIGNED"})])
            .collect();
        let computed = |json: Value| Computed {
            args: "report weekly".to_string(),
            json,
        };
        let week = Period::week_of(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        let html = |attention: &[Value]| {
            index(
                &[(week.clone(), computed(json!({ "attention": attention })))],
                &computed(json!({})),
                &computed(json!({})),
                &computed(json!({})),
                &computed(json!({})),
                &week,
            )
            .unwrap()
            .html_body()
            .unwrap()
        };
        let long = html(&attention);
        let listed: Vec<usize> = (0..URGENT_SHOWN + 50)
            .filter(|k| long.contains(&format!(">REQ-{k:04}<")))
            .collect();
        assert_eq!(listed, (0..URGENT_SHOWN).collect::<Vec<_>>());
        assert!(!long.contains("REQ-UNASSIGNED"), "only breached or at risk");
        assert!(long.contains(&format!(
            "The {URGENT_SHOWN} most urgent of {}",
            URGENT_SHOWN + 50
        )));
        // A short list is whole, and says nothing more.
        let short = html(&attention[..3]);
        assert!(short.contains(">REQ-0002<"));
        assert!(!short.contains("most urgent of"));
    }
}
