//! `presales report weekly|sla|performance|kb|capacity|winloss|gaps|training|targets`,
//! `presales sla` and `presales dashboard`: load the store, resolve the period, compute
//! with [`crate::report`], render as table, Markdown, HTML, JSON, YAML or CSV.

mod capacity;
pub mod dashboard;
mod doc;
mod gaps;
mod kb;
mod performance;
mod sla;
mod targets;
mod training;
mod weekly;
mod winloss;

use chrono::NaiveDate;
use serde::Serialize;

use super::{Ctx, Format, output, parse_date};
use crate::error::{Error, Result};
use crate::model::facts::Step;
use crate::model::{Customer, Request, Timestamp};
use crate::report::stats::{Average, Rate};
use crate::report::{
    self, ArticleInfo, AsOf, Dataset, Input, Items, Period, PeriodSpec, Window, Zone,
};
use crate::store::Store;

pub use doc::Doc;

/// Reports for people and for CI: weekly, SLA, performance (绩效考核), knowledge base.
///
/// Same store + same arguments = byte-identical output in every format. Give `--as-of` (or
/// PRESALES_NOW) for a reproducible "now"; a period that has ended is read as of its end.
///
/// Examples:
///   presales report weekly
///   presales report weekly --week 2026-W48 --format markdown > weekly.md
///   presales report weekly --week last --format markdown   # in CI on Monday morning
///   presales report sla --month 2026-11 --format csv
///   presales report performance --from 2026-10-01 --to 2026-12-31 --member li.na
///   presales report kb --as-of 2026-11-30
///   presales report capacity --week 2026-W48
///   presales report winloss --month 2026-11
///   presales report gaps --from 2026-10-01 --to 2026-12-31 --format csv
///   presales report training --quarter 2026-Q4
///   presales report targets --quarter 2026-Q4
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, clap::Subcommand)]
enum Cmd {
    /// Intake, work in progress, closures, win rates, SLA, cycle time, workload, KB, and
    /// what needs attention.
    Weekly(PeriodArgs),
    /// Per request: first response and resolution against the limits, and attainment.
    Sla(PeriodArgs),
    /// Per engineer: handled, resolution rate, conversion, satisfaction, SLA, response time.
    Performance(PerformanceArgs),
    /// Knowledge base: usage per article, stale articles, closed requests that used none.
    Kb(PeriodArgs),
    /// Effort (工时): hours per engineer and activity, utilisation against each member's
    /// hours_per_week, effort per request and per won value, who frees up next.
    Capacity(PeriodArgs),
    /// Win/loss (赢单/丢单): deals decided in the period by type, product, industry,
    /// engineer and value; loss reasons and competitors; days to decision; value per demo.
    Winloss(PeriodArgs),
    /// Product gaps (产品差距): per gap the open, won and lost value of the deals linked to
    /// it, weighted by severity; its age; the deals it blocked; top gaps by value at risk.
    Gaps(PeriodArgs),
    /// Training (培训): per member the sessions and hours as trainee and as trainer, the
    /// attendance rate, and who has not had the yearly security (保密) training.
    Training(PeriodArgs),
    /// Targets (目标): each target of `[targets]` for the quarter holding the period
    /// (--quarter 2026-Q4), its actual up to the as-of day, met or not.
    Targets(PeriodArgs),
}

#[derive(Debug, clap::Args)]
pub struct PeriodArgs {
    /// Report as of this day (its last second) or RFC 3339 time; default PRESALES_NOW or
    /// the clock, or the end of a period that has already ended.
    #[arg(long, value_name = "WHEN", value_parser = AsOf::parse)]
    as_of: Option<AsOf>,
    /// ISO week: 2026-W48, `last` or `this`, relative to the as-of day (default: the week
    /// holding the as-of day).
    #[arg(long, value_name = "last|this|YYYY-Www", value_parser = PeriodSpec::parse_week,
          conflicts_with_all = ["month", "quarter", "from", "to"])]
    week: Option<PeriodSpec>,
    /// Calendar month: 2026-11, `last` or `this`.
    #[arg(long, value_name = "last|this|YYYY-MM", value_parser = PeriodSpec::parse_month,
          conflicts_with_all = ["quarter", "from", "to"])]
    month: Option<PeriodSpec>,
    /// Calendar quarter: 2026-Q4, `last` or `this`.
    #[arg(long, value_name = "last|this|YYYY-Qn", value_parser = PeriodSpec::parse_quarter,
          conflicts_with_all = ["from", "to"])]
    quarter: Option<PeriodSpec>,
    /// First day of the period (with --to).
    #[arg(long, value_name = "DATE", value_parser = parse_date, requires = "to")]
    from: Option<NaiveDate>,
    /// Last day of the period, inclusive (with --from).
    #[arg(long, value_name = "DATE", value_parser = parse_date, requires = "from")]
    to: Option<NaiveDate>,
    /// Show confidential customers and requests instead of `[confidential]` (保密制度).
    #[arg(long)]
    include_confidential: bool,
}

#[derive(Debug, clap::Args)]
pub struct PerformanceArgs {
    #[command(flatten)]
    period: PeriodArgs,
    /// Only this team member.
    #[arg(long, value_name = "MEMBER")]
    member: Option<String>,
}

/// What is breached or at risk right now: the lead's morning list.
///
/// Open requests whose first-response or resolution clock is over its limit, or has used
/// at least 80 % of it. Same columns as `presales report sla`.
///
/// Examples:
///   presales sla
///   presales sla --as-of 2026-11-30T09:00:00+08:00 --format json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct SlaNowArgs {
    /// Look as of this day (its last second) or RFC 3339 time; default PRESALES_NOW or the clock.
    #[arg(long, value_name = "WHEN", value_parser = AsOf::parse)]
    as_of: Option<AsOf>,
    /// Show confidential customers and requests instead of `[confidential]`.
    #[arg(long)]
    include_confidential: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<()> {
    match args.cmd {
        Cmd::Weekly(p) => load(ctx, &p, trainings_targeted, |data, zone, sessions| {
            weekly::render(ctx, data, zone, sessions)
        }),
        Cmd::Sla(p) => with_data(ctx, &p, |data, zone| {
            sla::render(ctx, &report::sla_report::build(data, false), zone)
        }),
        Cmd::Performance(a) => {
            if let Some(m) = &a.member {
                crate::ops::check_member(&ctx.store()?, m)?;
            }
            with_data(ctx, &a.period, |data, zone| {
                performance::render(ctx, data, a.member.as_deref(), zone)
            })
        }
        Cmd::Kb(p) => with_data(ctx, &p, |data, zone| kb::render(ctx, data, zone)),
        Cmd::Capacity(p) => with_data(ctx, &p, |data, zone| capacity::render(ctx, data, zone)),
        Cmd::Winloss(p) => with_data(ctx, &p, |data, zone| winloss::render(ctx, data, zone)),
        Cmd::Gaps(p) => with_data(ctx, &p, |data, zone| gaps::render(ctx, data, zone)),
        Cmd::Training(p) => with_sessions(ctx, &p, |data, zone, sessions| {
            training::render(ctx, data, zone, sessions)
        }),
        Cmd::Targets(p) => load(ctx, &p, trainings_targeted, |data, zone, sessions| {
            targets::render(ctx, data, zone, sessions)
        }),
    }
}

impl PeriodArgs {
    /// The current week as of `as_of` (or now): for the commands about "now".
    pub(crate) fn now(as_of: Option<AsOf>, include_confidential: bool) -> PeriodArgs {
        PeriodArgs {
            as_of,
            week: None,
            month: None,
            quarter: None,
            from: None,
            to: None,
            include_confidential,
        }
    }
}

pub fn run_sla_now(ctx: &Ctx, a: SlaNowArgs) -> Result<()> {
    let p = PeriodArgs::now(a.as_of, a.include_confidential);
    with_data(ctx, &p, |data, zone| {
        sla::render(ctx, &report::sla_report::build(data, true), zone)
    })
}

/// Loads the store, resolves the window and hands the dataset to `f`. Files that do not
/// parse are reported on stderr and the exit code becomes 1, but the report still renders.
pub(crate) fn with_data(
    ctx: &Ctx,
    p: &PeriodArgs,
    f: impl FnOnce(&Dataset, &Zone) -> Result<String>,
) -> Result<()> {
    load(ctx, p, |_| false, |data, zone, _| f(data, zone))
}

/// Whether `[targets]` sets trainings per member anywhere: the targets then need the
/// training sessions.
fn trainings_targeted(config: &crate::config::Config) -> bool {
    config.targets.mentions("trainings_per_member")
}

/// The targets of the quarter holding `data`'s period, read to the same as-of instant
/// (`report::targets`); `None` when presales.toml sets none for that quarter.
fn quarter_targets(
    data: &Dataset,
    sessions: &[report::training::Session],
) -> Option<report::targets::TargetsReport> {
    let window = data.window().quarter();
    if data
        .input
        .config
        .targets
        .of(&window.period.label)
        .is_empty()
    {
        return None;
    }
    let input = Input {
        window,
        ..*data.input
    };
    let quarter = Dataset::new(&input);
    Some(report::targets::build(&quarter, sessions))
}

/// [`with_data`] with the training sessions known at the as-of instant: the training
/// records and the trainings of solution handovers (only the reports that count trainings
/// read the solutions).
pub(crate) fn with_sessions(
    ctx: &Ctx,
    p: &PeriodArgs,
    f: impl FnOnce(&Dataset, &Zone, &[report::training::Session]) -> Result<String>,
) -> Result<()> {
    load(ctx, p, |_| true, f)
}

fn load(
    ctx: &Ctx,
    p: &PeriodArgs,
    sessions: impl FnOnce(&crate::config::Config) -> bool,
    f: impl FnOnce(&Dataset, &Zone, &[report::training::Session]) -> Result<String>,
) -> Result<()> {
    let loaded = Loaded::load(ctx)?;
    let spec = p.spec()?;
    let window = loaded.window(spec, p.as_of, loaded.now(ctx, p.as_of)?)?;
    let zone = window.zone;
    let sessions = if sessions(&loaded.store.config) {
        loaded.sessions(ctx, window.as_of)
    } else {
        Vec::new()
    };
    let text = loaded.with(window, p.include_confidential, |data| {
        f(data, &zone, &sessions)
    })?;
    output::print(&text)?;
    // The process ends right after this; freeing 100,000 records one by one would only
    // cost time (a tenth of a large report), so the memory goes back with the process.
    std::mem::forget(loaded);
    Ok(())
}

impl PeriodArgs {
    /// The period the flags name.
    fn spec(&self) -> Result<PeriodSpec> {
        Ok(
            match (
                self.week
                    .as_ref()
                    .or(self.month.as_ref())
                    .or(self.quarter.as_ref()),
                self.from,
                self.to,
            ) {
                (Some(named), _, _) => named.clone(),
                (_, Some(from), Some(to)) => {
                    // Two flags that contradict each other: a usage error, as clap's own.
                    PeriodSpec::Given(Period::range(from, to).map_err(|message| Error::Usage {
                        message,
                        hint: None,
                    })?)
                }
                _ => PeriodSpec::Default,
            },
        )
    }
}

/// The records a report reads, loaded once (the dashboard builds many reports from them).
pub(crate) struct Loaded {
    pub store: Store,
    requests: Vec<Request>,
    /// Each request's history as the reports replay it, in the order of `requests`.
    steps: Vec<Vec<Step>>,
    customers: Vec<Customer>,
    gaps: Vec<crate::model::Gap>,
    articles: Vec<ArticleInfo>,
    searches: report::kb::Searches,
}

impl Loaded {
    pub fn load(ctx: &Ctx) -> Result<Loaded> {
        let store = ctx.store()?;
        let (requests, steps, errors) = store.report_requests();
        let (customers, cerrors) = store.load_all_cached::<Customer>();
        let (gaps, gerrors) = store.load_all_cached::<crate::model::Gap>();
        for e in errors.iter().chain(&cerrors).chain(&gerrors) {
            ctx.warn_error(e);
        }
        let articles = articles(ctx, &store);
        let searches = searches(&store);
        Ok(Loaded {
            store,
            requests,
            steps,
            customers,
            gaps,
            articles,
            searches,
        })
    }

    /// The training sessions known at `as_of`: the training records and the trainings of
    /// solution handovers.
    pub fn sessions(&self, ctx: &Ctx, as_of: Timestamp) -> Vec<report::training::Session> {
        let store = &self.store;
        let (trainings, terrors) = store.load_all_cached::<crate::model::Training>();
        let (solutions, serrors) = store.load_all_cached::<crate::model::Solution>();
        for e in terrors.iter().chain(&serrors) {
            ctx.warn_error(e);
        }
        report::training::sessions(
            &trainings,
            &solutions,
            |m| store.config.member(m).is_some(),
            store.config.trainings.default_hours,
            as_of,
        )
    }

    /// "Now" for the reports: the clock is read only when --as-of does not say.
    pub fn now(&self, ctx: &Ctx, as_of: Option<AsOf>) -> Result<Timestamp> {
        Ok(match as_of {
            Some(AsOf::Instant(t)) => t,
            Some(AsOf::Date(d)) => Zone::utc().end_of(d),
            None => ctx.now()?,
        })
    }

    pub fn window(&self, spec: PeriodSpec, as_of: Option<AsOf>, now: Timestamp) -> Result<Window> {
        Window::resolve(
            self.store.calendar.as_ref().map(|c| c.time_zone()),
            spec,
            as_of,
            now,
        )
        .map_err(|m| Error::invalid_with_hint(m, "give a later --as-of, or an earlier period"))
    }

    /// Builds the dataset of `window` and hands it to `f`. The dataset is not freed: a
    /// report command exits right after, and freeing a hundred thousand replayed timelines
    /// costs more than the exit. Commands that build many datasets use [`Loaded::each`].
    pub fn with<R>(
        &self,
        window: Window,
        include_confidential: bool,
        f: impl FnOnce(&Dataset) -> R,
    ) -> R {
        self.build(window, include_confidential, None, f, true)
    }

    /// [`Loaded::with`] for one of many datasets (the dashboard's weeks), from items built
    /// beforehand for the window's as-of instant ([`Loaded::items_over`]): each dataset is
    /// freed after use, the items it shares with the others are not.
    pub fn each<'s, R>(
        &'s self,
        window: Window,
        include_confidential: bool,
        items: Items<'s>,
        f: impl FnOnce(&Dataset) -> R,
    ) -> R {
        self.build(window, include_confidential, Some(items), f, false)
    }

    /// Every request's item at the as-of instant of each of `windows`
    /// ([`report::items_over`]): what the datasets of many windows share.
    pub fn items_over(&self, windows: &[Window], include_confidential: bool) -> Vec<Items<'_>> {
        let Some(first) = windows.first() else {
            return Vec::new();
        };
        let as_ofs: Vec<Timestamp> = windows.iter().map(|w| w.as_of).collect();
        // The input's window and stages are not read: an item depends on its instant alone.
        let input = self.input(&[], first.clone(), include_confidential);
        report::items_over(&input, &as_ofs)
    }

    fn input<'s>(
        &'s self,
        stages: &'s [String],
        window: Window,
        include_confidential: bool,
    ) -> Input<'s> {
        Input {
            config: &self.store.config,
            calendar: self.store.calendar.as_ref(),
            stages,
            requests: &self.requests,
            steps: &self.steps,
            customers: &self.customers,
            articles: &self.articles,
            gaps: &self.gaps,
            searches: &self.searches,
            window,
            include_confidential,
        }
    }

    fn build<'s, R>(
        &'s self,
        window: Window,
        include_confidential: bool,
        items: Option<Items<'s>>,
        f: impl FnOnce(&Dataset) -> R,
        leak: bool,
    ) -> R {
        let stages = self.store.workflow.all_stages();
        let input = self.input(&stages, window, include_confidential);
        let data = match items {
            Some(items) => Dataset::with_items(&input, items),
            None => Dataset::new(&input),
        };
        let out = f(&data);
        if leak {
            std::mem::forget(data);
        }
        out
    }
}

/// The knowledge base as the reports see it; unreadable articles are warned about like
/// other records and left out.
fn articles(ctx: &Ctx, store: &Store) -> Vec<ArticleInfo> {
    let (articles, errors) = store.summaries::<crate::model::facts::ArticleFacts>();
    for e in &errors {
        ctx.warn_error(e);
    }
    articles
        .into_iter()
        .map(|mut a| ArticleInfo {
            status: a.status.as_str().to_string(),
            review_by: a.review_by(),
            created: a.created(),
            updated: a.updated(),
            confidential: a.confidential,
            reviews: a.reviews().collect(),
            flags: a.take_flags(),
            id: a.id,
            title: a.title,
            owner: a.owner,
        })
        .collect()
}

/// The most asked unanswered searches of this clone's private log.
fn searches(store: &Store) -> report::kb::Searches {
    let log = store.search_log();
    report::kb::Searches {
        total: log.searches,
        unanswered: log
            .top(20)
            .into_iter()
            .map(|(q, u)| report::kb::UnansweredSearch {
                query: q.to_string(),
                count: u.count,
                last: u.last,
            })
            .collect(),
    }
}

/// Serializes a report for the machine formats; `None` for table and Markdown.
fn machine<T: Serialize>(format: Format, report: &T) -> Option<Result<String>> {
    match format {
        Format::Json => Some(output::json(report)),
        Format::Yaml => Some(output::yaml(report)),
        _ => None,
    }
}

// ── Fixed number formatting, shared by every renderer ─────────────────────────

/// Hours with one decimal.
fn h(x: f64) -> String {
    format!("{x:.1}")
}

fn oh(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".to_string(), h)
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".to_string(), |p| format!("{p:.1}%"))
}

/// `66.7% (2/3)`, or `n/a (0/0)`.
fn rate(r: &Rate) -> String {
    format!("{} ({}/{})", pct(r.pct), r.numerator, r.denominator)
}

/// `4.50 (2 ratings)`, or `n/a`.
fn avg(a: &Average) -> String {
    match a.mean {
        Some(m) => format!("{m:.2} ({} rated)", a.count),
        None => "n/a".to_string(),
    }
}

/// A number for CSV: fixed decimals, empty for null.
fn num(x: Option<f64>, decimals: usize) -> String {
    x.map_or_else(String::new, |v| format!("{v:.decimals$}"))
}

/// A time in the report's zone, to the minute.
fn when(zone: &Zone, t: Timestamp) -> String {
    zone.at(t).format("%Y-%m-%d %H:%M").to_string()
}

/// The line under every report's title.
fn subtitle(header: &report::Header, zone: &Zone) -> String {
    format!(
        "{} – {} · as of {} ({}) · durations in {} · confidential items {}",
        header.period.from,
        header.period.to,
        when(zone, header.as_of),
        header.time_zone,
        clock_name(header.clock),
        header.confidential,
    )
}

fn clock_name(clock: report::sla::ClockKind) -> &'static str {
    match clock {
        report::sla::ClockKind::BusinessHours => "business hours",
        report::sla::ClockKind::CalendarHours => "calendar hours",
    }
}

fn anomalies(doc: &mut Doc, list: &[report::Anomaly]) {
    doc.heading("Anomalies");
    doc.table(
        &["REQUEST", "KIND", "DETAIL"],
        list.iter()
            .map(|a| vec![a.request.clone(), serde_plain(&a.kind), a.detail.clone()])
            .collect(),
        "none",
    );
}

/// The snake_case name serde gives a unit enum variant.
fn serde_plain<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

fn or_dash(s: Option<&str>) -> String {
    s.unwrap_or("-").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A copy of the demo store in a temporary folder (its caches are written there).
    fn demo_copy() -> tempfile::TempDir {
        let from = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo");
        let dir = tempfile::tempdir().unwrap();
        for e in walkdir::WalkDir::new(&from) {
            let e = e.unwrap();
            let rel = e.path().strip_prefix(&from).unwrap();
            if rel.starts_with(".presales") {
                continue;
            }
            let to = dir.path().join(rel);
            if e.file_type().is_dir() {
                std::fs::create_dir_all(&to).unwrap();
            } else {
                std::fs::copy(e.path(), &to).unwrap();
            }
        }
        dir
    }

    /// Every report, and the inbox of every member, as JSON and as tables, from `loaded`.
    fn every_report(ctx: &Ctx, loaded: &Loaded, as_of: Timestamp) -> Vec<String> {
        let store = &loaded.store;
        let (solutions, _) = store.load_all_cached::<crate::model::Solution>();
        let (articles, _) = store.load_all_cached::<crate::model::Article>();
        let members: Vec<String> = store.config.members.iter().map(|m| m.id.clone()).collect();
        let sessions = loaded.sessions(ctx, as_of);
        let mut out = Vec::new();
        for spec in [
            PeriodSpec::Default,
            PeriodSpec::parse_month("2026-11").unwrap(),
            PeriodSpec::parse_quarter("2026-Q4").unwrap(),
        ] {
            let window = loaded.window(spec, None, as_of).unwrap();
            let zone = window.zone;
            for confidential in [false, true] {
                loaded.with(window.clone(), confidential, |data| {
                    out.push(weekly::render(ctx, data, &zone, &sessions).unwrap());
                    out.push(
                        sla::render(ctx, &report::sla_report::build(data, false), &zone).unwrap(),
                    );
                    out.push(
                        sla::render(ctx, &report::sla_report::build(data, true), &zone).unwrap(),
                    );
                    out.push(performance::render(ctx, data, None, &zone).unwrap());
                    for m in &members {
                        out.push(performance::render(ctx, data, Some(m), &zone).unwrap());
                        let inbox = report::inbox::build(data, &solutions, &articles, m);
                        out.push(output::json(&inbox).unwrap());
                    }
                    out.push(kb::render(ctx, data, &zone).unwrap());
                    out.push(capacity::render(ctx, data, &zone).unwrap());
                    out.push(winloss::render(ctx, data, &zone).unwrap());
                    out.push(gaps::render(ctx, data, &zone).unwrap());
                    out.push(training::render(ctx, data, &zone, &sessions).unwrap());
                    out.push(targets::render(ctx, data, &zone, &sessions).unwrap());
                    out.push(output::json(&report::by_sla_urgency(data)).unwrap());
                });
            }
        }
        out
    }

    /// The reports read requests as [`crate::model::facts::RequestFacts`], which leave out
    /// what no report reads: every report of the demo store (which holds every kind of
    /// entry) must come out the same as from the whole records.
    #[test]
    fn reports_from_facts_equal_reports_from_whole_records() {
        let dir = demo_copy();
        for format in [Format::Json, Format::Table] {
            let ctx = Ctx {
                format,
                root: Some(dir.path().to_path_buf()),
                as_member: None,
                no_input: true,
                cwd: dir.path().to_path_buf(),
                now_env: None,
                color: false,
                commit: false,
                failed: Default::default(),
                noticed: Default::default(),
            };
            let as_of: Timestamp = "2026-11-27T10:00:00+08:00".parse().unwrap();
            let from_facts = Loaded::load(&ctx).unwrap();
            // Loaded twice: the second read comes from the cache file the first one wrote.
            let from_cache = Loaded::load(&ctx).unwrap();
            let mut whole = Loaded::load(&ctx).unwrap();
            whole.requests = whole.store.load_all_cached::<Request>().0;
            whole.steps = whole
                .requests
                .iter()
                .map(|r| Step::all(&r.history))
                .collect();
            assert!(whole.requests.len() > 20, "the demo store has requests");
            assert_ne!(whole.requests, from_facts.requests, "facts leave texts out");
            // Also an hour before the demo's effort was logged: capacity then leaves out
            // the entries logged later (it reads the `item` of `log` steps).
            let before_logs: Timestamp = "2026-11-27T08:00:00+08:00".parse().unwrap();
            for as_of in [as_of, before_logs] {
                let expected = every_report(&ctx, &whole, as_of);
                for loaded in [&from_facts, &from_cache] {
                    let got = every_report(&ctx, loaded, as_of);
                    assert_eq!(got.len(), expected.len());
                    for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
                        let first = g.lines().zip(e.lines()).position(|(a, b)| a != b);
                        assert!(
                            g == e,
                            "report {i} as of {as_of} differs at line {first:?}:\n{}",
                            e.lines()
                                .skip(first.unwrap_or(0).saturating_sub(8))
                                .take(12)
                                .collect::<Vec<_>>()
                                .join("\n")
                        );
                    }
                }
            }
        }
    }
}
