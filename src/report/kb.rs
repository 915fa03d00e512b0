//! Knowledge-base usage: uses per article (recorded on requests, 资料使用记录), stale articles,
//! and closed requests that used none.
//!
//! Works from request usage alone when no article list is given; with the list, titles,
//! status, freshness and never-used articles join in.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap, FxHashSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::stats::Rate;
use super::{Anomaly, Dataset, Header, REDACTED, SCHEMA_VERSION};
use crate::model::{Outcome, Timestamp};

/// What the reports need to know of an article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleInfo {
    pub id: String,
    pub title: String,
    /// `draft`, `published` or `archived`.
    pub status: String,
    pub review_by: Option<NaiveDate>,
    pub created: Timestamp,
    /// The last history entry (or `created`).
    pub updated: Timestamp,
    pub confidential: bool,
    /// Who keeps it up to date: the owner, else the author.
    pub owner: String,
    /// When it was reviewed (`kb review`).
    pub reviews: Vec<Timestamp>,
    /// Problems reported on the article itself (`kb flag` without `--request`).
    pub flags: Vec<crate::model::article::Flag>,
}

impl ArticleInfo {
    /// Past its review date and not archived.
    pub fn is_stale(&self, today: NaiveDate) -> bool {
        self.status != "archived" && self.review_by.is_some_and(|d| d < today)
    }
}

/// Usage of one article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleUsage {
    pub id: String,
    /// `None` when the article is not in the knowledge base (usage only).
    pub title: Option<String>,
    pub status: Option<String>,
    pub review_by: Option<NaiveDate>,
    pub stale: bool,
    pub uses_in_period: usize,
    /// Up to the as-of instant.
    pub uses_total: usize,
    /// Distinct requests that used it, up to the as-of instant.
    pub requests: usize,
    pub last_used: Option<Timestamp>,
}

/// An article in a list (new, updated, stale).
#[derive(Debug, Clone, Serialize)]
pub struct ArticleRef {
    pub id: String,
    pub title: String,
    pub status: String,
    pub review_by: Option<NaiveDate>,
}

/// The stale articles of one owner (资料管理员).
#[derive(Debug, Clone, Serialize)]
pub struct OwnerOverdue {
    pub owner: String,
    pub articles: Vec<ArticleRef>,
}

/// A problem reported with an article and not yet answered by a review.
#[derive(Debug, Clone, Serialize)]
pub struct OpenFlag {
    pub article: String,
    pub title: String,
    pub owner: String,
    /// The request it was found in, if any.
    pub request: Option<String>,
    pub note: String,
    pub at: Timestamp,
    pub by: String,
}

/// A query people searched for that the knowledge base did not answer (its best hit
/// matched less than half of it), from this clone's private search log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnansweredSearch {
    pub query: String,
    pub count: u64,
    pub last: Timestamp,
}

/// The search log as the report sees it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Searches {
    /// Searches run in this clone since its log began.
    pub total: u64,
    /// The most asked unanswered queries, most first.
    pub unanswered: Vec<UnansweredSearch>,
}

/// No search log.
pub static NO_SEARCHES: Searches = Searches {
    total: 0,
    unanswered: Vec::new(),
};

/// An article that helped win deals.
#[derive(Debug, Clone, Serialize)]
pub struct WonWith {
    pub id: String,
    pub title: String,
    /// Won requests (closed up to the as-of instant) that used it.
    pub won: usize,
}

/// A request closed in the period that used no article.
#[derive(Debug, Clone, Serialize)]
pub struct Gap {
    pub request: String,
    pub title: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub closed: Timestamp,
    pub outcome: Option<Outcome>,
}

/// The KB section of the weekly report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct KbActivity {
    pub articles: usize,
    pub uses_in_period: usize,
    pub new: Vec<ArticleRef>,
    pub updated: Vec<ArticleRef>,
    pub most_used: Vec<ArticleUsage>,
    pub stale: Vec<ArticleRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct KbReport {
    pub schema_version: u32,
    pub report: &'static str,
    #[serde(flatten)]
    pub header: Header,
    pub uses_in_period: usize,
    /// Closed requests of the period that used at least one article.
    pub closed_with_article: Rate,
    pub articles: Vec<ArticleUsage>,
    pub stale: Vec<ArticleRef>,
    /// Stale articles grouped by who keeps them, most overdue owner first.
    pub overdue_by_owner: Vec<OwnerOverdue>,
    /// Problems reported and not yet answered by a review, oldest first.
    pub open_flags: Vec<OpenFlag>,
    /// Searches run in this clone (its private log, never committed).
    pub searches: u64,
    /// The most asked unanswered searches of this clone.
    pub unanswered_searches: Vec<UnansweredSearch>,
    /// Published articles no request has used (up to the as-of instant).
    pub unused: Vec<ArticleRef>,
    /// Articles used by won deals, most wins first.
    pub won_with: Vec<WonWith>,
    pub gaps: Vec<Gap>,
    pub anomalies: Vec<Anomaly>,
}

/// Usage of every article: those of the knowledge base and those only seen in requests.
/// Most used in the period first, then most used overall, then by ID.
pub fn usage(data: &Dataset) -> Vec<ArticleUsage> {
    most_used(data, usize::MAX)
}

/// The first `n` rows of [`usage`], without making the others (a row per article, 20,000
/// in a large store): what the dashboard's index shows.
pub fn most_used(data: &Dataset, n: usize) -> Vec<ArticleUsage> {
    let rows = Rows::new(data);
    tally(data)
        .into_iter()
        .take(n)
        .map(|t| rows.row(t))
        .collect()
}

/// One article's uses up to the as-of instant.
#[derive(Default)]
struct Tally<'r> {
    id: &'r str,
    period: usize,
    total: usize,
    /// Requests that used the article; the items come in ID order, so a request's
    /// repeated uses follow one another.
    requests: usize,
    last_request: Option<&'r str>,
    last: Option<Timestamp>,
}

/// Every article's uses, in [`usage`]'s order.
fn tally<'r>(data: &'r Dataset) -> Vec<Tally<'r>> {
    let w = data.window();
    // Hashed, not ordered: the list is sorted below by a key that ends with the ID.
    let mut acc: FxHashMap<&str, Tally> = data
        .input
        .articles
        .iter()
        .map(|a| (a.id.as_str(), Tally::default()))
        .collect();
    for i in &data.items {
        for u in i.req.articles.iter().filter(|u| u.at <= w.as_of) {
            let a = acc.entry(u.id.as_str()).or_default();
            a.total += 1;
            if w.contains(u.at) {
                a.period += 1;
            }
            // The same request's uses come one after another: the same ID, not only an
            // equal one.
            if !a
                .last_request
                .is_some_and(|r| std::ptr::eq(r, i.req.id.as_str()))
            {
                a.requests += 1;
                a.last_request = Some(i.req.id.as_str());
            }
            a.last = a.last.max(Some(u.at));
        }
    }
    let mut out: Vec<Tally> = acc.into_iter().map(|(id, t)| Tally { id, ..t }).collect();
    out.sort_by(|a, b| {
        b.period
            .cmp(&a.period)
            .then_with(|| b.total.cmp(&a.total))
            .then_with(|| a.id.cmp(b.id))
    });
    out
}

/// Turns tallies into report rows, with the article's title and status.
struct Rows<'d> {
    data: &'d Dataset<'d>,
    today: chrono::NaiveDate,
    // One lookup table, not a scan of every article per article.
    by_id: FxHashMap<&'d str, &'d ArticleInfo>,
}

impl<'d> Rows<'d> {
    fn new(data: &'d Dataset<'d>) -> Rows<'d> {
        let w = data.window();
        Rows {
            data,
            today: w.zone.date_of(w.as_of),
            by_id: data
                .input
                .articles
                .iter()
                .map(|x| (x.id.as_str(), x))
                .collect(),
        }
    }

    fn row(&self, t: Tally) -> ArticleUsage {
        let info = self.by_id.get(t.id).copied();
        ArticleUsage {
            title: info.map(|x| title(self.data, x)),
            status: info.map(|x| x.status.clone()),
            review_by: info.and_then(|x| x.review_by),
            stale: info.is_some_and(|x| x.is_stale(self.today)),
            uses_in_period: t.period,
            uses_total: t.total,
            requests: t.requests,
            last_used: t.last,
            id: t.id.to_string(),
        }
    }
}

fn title(data: &Dataset, a: &ArticleInfo) -> String {
    if a.confidential && !data.input.include_confidential {
        REDACTED.to_string()
    } else {
        a.title.clone()
    }
}

fn reference(data: &Dataset, a: &ArticleInfo) -> ArticleRef {
    ArticleRef {
        id: a.id.clone(),
        title: title(data, a),
        status: a.status.clone(),
        review_by: a.review_by,
    }
}

/// Articles past their review date, soonest overdue first.
pub fn stale(data: &Dataset) -> Vec<ArticleRef> {
    let w = data.window();
    let today = w.zone.date_of(w.as_of);
    let mut v: Vec<&ArticleInfo> = data
        .input
        .articles
        .iter()
        .filter(|a| a.created <= w.as_of && a.is_stale(today))
        .collect();
    v.sort_by(|a, b| a.review_by.cmp(&b.review_by).then_with(|| a.id.cmp(&b.id)));
    v.into_iter().map(|a| reference(data, a)).collect()
}

/// Stale articles by owner: owners with most overdue first, then by name.
pub fn overdue_by_owner(data: &Dataset) -> Vec<OwnerOverdue> {
    let stale = stale(data);
    let owner_of: FxHashMap<&str, &str> = data
        .input
        .articles
        .iter()
        .map(|a| (a.id.as_str(), a.owner.as_str()))
        .collect();
    let mut by: BTreeMap<String, Vec<ArticleRef>> = BTreeMap::new();
    for a in stale {
        let owner = owner_of.get(a.id.as_str()).copied().unwrap_or("-");
        by.entry(owner.to_string()).or_default().push(a);
    }
    let mut out: Vec<OwnerOverdue> = by
        .into_iter()
        .map(|(owner, articles)| OwnerOverdue { owner, articles })
        .collect();
    out.sort_by(|a, b| {
        b.articles
            .len()
            .cmp(&a.articles.len())
            .then_with(|| a.owner.cmp(&b.owner))
    });
    out
}

/// Flags raised up to the as-of instant and not answered by a review before it, oldest
/// first. A confidential article's flags keep their place but not their text.
pub fn open_flags(data: &Dataset) -> Vec<OpenFlag> {
    let as_of = data.window().as_of;
    let by_id: FxHashMap<&str, &ArticleInfo> = data
        .input
        .articles
        .iter()
        .map(|a| (a.id.as_str(), a))
        .collect();
    let open = |a: &ArticleInfo, at: Timestamp| {
        at <= as_of && a.status != "archived" && !a.reviews.iter().any(|r| *r >= at && *r <= as_of)
    };
    let make = |a: &ArticleInfo, f: &crate::model::article::Flag, request: Option<String>| {
        let hidden = a.confidential && !data.input.include_confidential;
        OpenFlag {
            article: a.id.clone(),
            title: title(data, a),
            owner: a.owner.clone(),
            request,
            note: if hidden {
                REDACTED.to_string()
            } else {
                f.note.clone()
            },
            at: f.at,
            by: f.by.clone(),
        }
    };
    let mut out: Vec<OpenFlag> = Vec::new();
    for a in data.input.articles {
        out.extend(
            a.flags
                .iter()
                .filter(|f| open(a, f.at))
                .map(|f| make(a, f, None)),
        );
    }
    for i in &data.items {
        for f in &i.req.article_flags {
            let Some(a) = f.article.as_deref().and_then(|id| by_id.get(id)) else {
                continue;
            };
            if open(a, f.at) {
                out.push(make(a, f, Some(i.id().to_string())));
            }
        }
    }
    out.sort_by(|x, y| (x.at, &x.article).cmp(&(y.at, &y.article)));
    out
}

/// Published articles that existed at the as-of instant and no request used up to it.
pub fn unused(data: &Dataset) -> Vec<ArticleRef> {
    let as_of = data.window().as_of;
    // Hashed: looked up once per article, never walked in order.
    let used: FxHashSet<&str> = data
        .items
        .iter()
        .flat_map(|i| i.req.articles.iter())
        .filter(|u| u.at <= as_of)
        .map(|u| u.id.as_str())
        .collect();
    let mut v: Vec<&ArticleInfo> = data
        .input
        .articles
        .iter()
        .filter(|a| a.status == "published" && a.created <= as_of && !used.contains(a.id.as_str()))
        .collect();
    v.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.id.cmp(&b.id)));
    v.into_iter().map(|a| reference(data, a)).collect()
}

/// Articles used by requests won up to the as-of instant, most wins first.
pub fn won_with(data: &Dataset) -> Vec<WonWith> {
    let as_of = data.window().as_of;
    // Hashed, not ordered: the list is sorted below by a key that ends with the ID.
    let mut won: FxHashMap<&str, usize> = FxHashMap::default();
    let mut ids: Vec<&str> = Vec::new();
    for i in &data.items {
        let is_won = i.tl.outcome == Some(Outcome::Won) && i.tl.closed.is_some_and(|c| c <= as_of);
        if !is_won {
            continue;
        }
        // Each article once per request, however often the request used it.
        ids.clear();
        ids.extend(
            i.req
                .articles
                .iter()
                .filter(|u| u.at <= as_of)
                .map(|u| u.id.as_str()),
        );
        ids.sort_unstable();
        ids.dedup();
        for id in &ids {
            *won.entry(id).or_default() += 1;
        }
    }
    let by_id: FxHashMap<&str, &ArticleInfo> = data
        .input
        .articles
        .iter()
        .map(|a| (a.id.as_str(), a))
        .collect();
    let mut out: Vec<WonWith> = won
        .into_iter()
        .map(|(id, n)| WonWith {
            id: id.to_string(),
            title: by_id
                .get(id)
                .map_or_else(|| "-".to_string(), |a| title(data, a)),
            won: n,
        })
        .collect();
    out.sort_by(|a, b| b.won.cmp(&a.won).then_with(|| a.id.cmp(&b.id)));
    out
}

pub fn activity(data: &Dataset, top: usize) -> KbActivity {
    let w = data.window();
    let pick = |f: &dyn Fn(&ArticleInfo) -> bool| {
        // Articles created after the report's "now" did not exist yet.
        let mut v: Vec<&ArticleInfo> = data
            .input
            .articles
            .iter()
            .filter(|a| a.created <= data.window().as_of && f(a))
            .collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v.into_iter()
            .map(|a| reference(data, a))
            .collect::<Vec<_>>()
    };
    let tally = tally(data);
    let rows = Rows::new(data);
    KbActivity {
        articles: data
            .input
            .articles
            .iter()
            .filter(|a| a.created <= w.as_of)
            .count(),
        uses_in_period: tally.iter().map(|t| t.period).sum(),
        new: pick(&|a| w.contains(a.created)),
        updated: pick(&|a| !w.contains(a.created) && w.contains(a.updated) && a.updated <= w.as_of),
        most_used: tally
            .into_iter()
            .filter(|t| t.period > 0)
            .take(top)
            .map(|t| rows.row(t))
            .collect(),
        stale: stale(data),
    }
}

pub fn build(data: &Dataset) -> KbReport {
    let as_of = data.window().as_of;
    let closed: Vec<_> = data.closed_in_period().collect();
    let used = |i: &super::Item| i.req.articles.iter().any(|u| u.at <= as_of);
    let mut gaps: Vec<Gap> = closed
        .iter()
        .filter(|i| !used(i))
        .filter_map(|i| {
            Some(Gap {
                request: i.id().to_string(),
                title: i.title.to_string(),
                kind: i.req.kind.clone(),
                closed: i.tl.closed?,
                outcome: i.tl.outcome,
            })
        })
        .collect();
    gaps.sort_by(|a, b| {
        a.closed
            .cmp(&b.closed)
            .then_with(|| a.request.cmp(&b.request))
    });
    let articles = usage(data);
    KbReport {
        schema_version: SCHEMA_VERSION,
        report: "kb",
        header: data.header(),
        uses_in_period: articles.iter().map(|u| u.uses_in_period).sum(),
        closed_with_article: Rate::new(closed.iter().filter(|i| used(i)).count(), closed.len()),
        articles,
        stale: stale(data),
        overdue_by_owner: overdue_by_owner(data),
        open_flags: open_flags(data),
        searches: data.input.searches.total,
        unanswered_searches: data.input.searches.unanswered.clone(),
        unused: unused(data),
        won_with: won_with(data),
        gaps,
        anomalies: data.anomalies(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Priority;
    use crate::model::request::ArticleUse;
    use crate::report::testkit::*;

    fn article(id: &str, review_by: Option<&str>, status: &str) -> ArticleInfo {
        ArticleInfo {
            id: id.into(),
            title: format!("title {id}"),
            status: status.into(),
            review_by: review_by.map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()),
            created: t("02T09:00"),
            updated: t("24T09:00"),
            confidential: id.ends_with('C'),
            owner: "wang.fang".into(),
            reviews: Vec::new(),
            flags: Vec::new(),
        }
    }

    fn used(id: &str, at: &str) -> ArticleUse {
        ArticleUse {
            id: id.into(),
            at: t(at),
            by: "li.na".into(),
            extra: Default::default(),
        }
    }

    fn requests() -> Vec<crate::model::Request> {
        vec![
            req("A000001", "consultation", Priority::P3, "10T09:00")
                .assign("10T09:00", "li.na")
                .with(|r| r.articles = vec![used("KB-1", "11T09:00"), used("KB-2", "24T09:00")])
                .close("24T10:00", "li.na", Outcome::Won)
                .done(),
            req("A000002", "consultation", Priority::P3, "23T09:00")
                .assign("23T09:00", "li.na")
                .with(|r| {
                    r.articles = vec![
                        used("KB-2", "23T10:00"),
                        used("KB-9", "23T11:00"),
                        used("KB-2", "23T12:00"),
                    ]
                })
                .done(),
            req("A000003", "consultation", Priority::P3, "23T09:00")
                .assign("23T09:00", "li.na")
                .close("25T10:00", "li.na", Outcome::Cancelled)
                .done(),
        ]
    }

    /// A won request counts once for each article it used, however often it used it; a
    /// lost one and a use after the as-of instant count for nothing. Most wins first.
    #[test]
    fn won_with_counts_each_won_request_once_per_article() {
        let config = config();
        let won = |id: &str, uses: Vec<ArticleUse>, outcome: Outcome| {
            req(id, "consultation", Priority::P3, "10T09:00")
                .assign("10T09:00", "li.na")
                .with(move |r| r.articles = uses)
                .close("24T10:00", "li.na", outcome)
                .done()
        };
        let reqs = vec![
            won(
                "A000001",
                vec![
                    used("KB-2", "11T09:00"),
                    used("KB-1", "12T09:00"),
                    used("KB-2", "13T09:00"),
                ],
                Outcome::Won,
            ),
            won("A000002", vec![used("KB-2", "11T09:00")], Outcome::Won),
            won("A000003", vec![used("KB-1", "11T09:00")], Outcome::Lost),
            won("A000004", vec![used("KB-9", "28T09:00")], Outcome::Won),
        ];
        let input = week48_input(&config, &reqs, "27T18:00");
        let data = Dataset::new(&input);
        let rows = won_with(&data);
        let w: Vec<(&str, usize)> = rows.iter().map(|w| (w.id.as_str(), w.won)).collect();
        assert_eq!(w, [("KB-2", 2), ("KB-1", 1)]);
    }

    #[test]
    fn usage_from_requests_alone() {
        let config = config();
        let reqs = requests();
        let input = week48_input(&config, &reqs, "27T18:00");
        let data = Dataset::new(&input);
        let r = build(&data);
        let u: Vec<_> = r
            .articles
            .iter()
            .map(|a| {
                (
                    a.id.as_str(),
                    a.uses_in_period,
                    a.uses_total,
                    a.requests,
                    a.title.is_none(),
                )
            })
            .collect();
        // KB-2: used twice by A000002 and once by A000001, by two requests.
        assert_eq!(
            u,
            [
                ("KB-2", 3, 3, 2, true),
                ("KB-9", 1, 1, 1, true),
                ("KB-1", 0, 1, 1, true)
            ]
        );
        // The most used are the first rows, whatever the count asked for.
        for n in 0..5 {
            assert_eq!(most_used(&data, n), r.articles[..n.min(3)], "{n}");
        }
        assert_eq!(r.uses_in_period, 4);
        assert_eq!(r.closed_with_article.numerator, 1);
        assert_eq!(r.closed_with_article.denominator, 2);
        assert_eq!(r.gaps.len(), 1);
        assert!(r.gaps[0].request.ends_with("A000003"));
        assert!(r.stale.is_empty());
    }

    #[test]
    fn with_the_article_list() {
        let config = config();
        let stages = stages();
        let reqs = requests();
        let articles = [
            article("KB-1", Some("2026-11-30"), "published"),
            article("KB-2", Some("2026-11-01"), "published"),
            article("KB-3C", Some("2026-10-01"), "draft"),
            article("KB-4", Some("2026-10-01"), "archived"),
        ];
        let customers = [customer(CUS, "华东银行", false)];
        let input = input(
            &config,
            None,
            &stages,
            &reqs,
            &customers,
            &articles,
            week48("27T18:00"),
        );
        let data = Dataset::new(&input);
        let r = build(&data);
        let stale: Vec<_> = r
            .stale
            .iter()
            .map(|a| (a.id.as_str(), a.title.as_str()))
            .collect();
        assert_eq!(stale, [("KB-3C", REDACTED), ("KB-2", "title KB-2")]);
        assert_eq!(r.articles.len(), 5, "four articles and one unknown");
        let kinds: Vec<_> = r.anomalies.iter().map(|a| a.kind).collect();
        assert_eq!(kinds, [crate::report::AnomalyKind::UnknownArticle]);
        let act = activity(&data, 2);
        assert_eq!(act.articles, 4);
        assert_eq!(act.most_used.len(), 2);
        assert_eq!(act.updated.len(), 4);
        assert!(act.new.is_empty());
    }
}
