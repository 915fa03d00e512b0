//! The knowledge base (技术支持资料库) as read: article text, usage aggregated from requests,
//! listing filters, Markdown parsing for import, and keeping the search index in step with
//! the record files. Its writes (create, publish, archive, import, record a use) are
//! operations in [`crate::ops::kb`].

pub mod import;
pub mod index;

use chrono::NaiveDate;

use crate::error::{Error, Result};
use crate::model::article::{Category, Status};
use crate::model::request::ArticleUse;
use crate::model::{Article, RecordId, Request};
use crate::store::Store;

pub use crate::ops::kb::{ImportReport, NewArticle, import_dir};

/// Trims entries and drops empty and repeated ones, keeping the order given.
pub(crate) fn clean_list(items: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let item = item.trim().to_string();
        if !item.is_empty() && !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// The article's text: the inline body, or the contents of its body file.
pub fn body_text(store: &Store, article: &Article) -> Result<String> {
    match (&article.body, &article.body_file) {
        (Some(body), _) => Ok(body.clone()),
        (None, Some(rel)) => store.read_repo_file(rel).map_err(|e| match e {
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                missing_body_file(article, rel)
            }
            e => e,
        }),
        (None, None) => Ok(String::new()),
    }
}

/// The error for an article whose body file is gone: names the article, the file and the
/// record that points to it.
pub fn missing_body_file(article: &Article, rel: &str) -> Error {
    let record = RecordId::parse(&article.id)
        .map(|id| Store::rel_path(&id).display().to_string())
        .unwrap_or_else(|_| article.id.clone());
    Error::invalid_with_hint(
        format!("{}: body_file `{rel}` does not exist", article.id),
        format!("restore {rel} (e.g. from git), or fix body_file in {record}"),
    )
}

/// The history action that records an article used on a request.
pub const USE_ACTION: &str = "use_article";

/// The requests that used an article, with when and by whom. Pure.
pub fn uses_of<'a>(requests: &'a [Request], article: &str) -> Vec<(&'a Request, &'a ArticleUse)> {
    requests
        .iter()
        .flat_map(|r| r.articles.iter().map(move |u| (r, u)))
        .filter(|(_, u)| u.id == article)
        .collect()
}

/// A problem reported with an article, wherever it is kept.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RaisedFlag {
    pub id: String,
    pub article: String,
    /// The request it was found in (kept there), if any.
    pub request: Option<String>,
    pub note: String,
    pub at: crate::model::Timestamp,
    pub by: String,
    /// Not yet answered by a review of the article.
    pub open: bool,
}

/// Every flag raised on `articles`, from the articles themselves and from requests, oldest
/// first. Flags naming an article not in `articles` are left out. Pure.
pub fn flags_of(articles: &[&Article], requests: &[Request]) -> Vec<RaisedFlag> {
    let by_id: std::collections::HashMap<&str, &Article> =
        articles.iter().map(|a| (a.id.as_str(), *a)).collect();
    let mut out: Vec<RaisedFlag> = Vec::new();
    for a in articles {
        for f in &a.flags {
            out.push(RaisedFlag {
                id: f.id.clone(),
                article: a.id.clone(),
                request: None,
                note: f.note.clone(),
                at: f.at,
                by: f.by.clone(),
                open: a.flag_is_open(f.at),
            });
        }
    }
    for r in requests {
        for f in &r.article_flags {
            let Some(a) = f.article.as_deref().and_then(|id| by_id.get(id)) else {
                continue;
            };
            out.push(RaisedFlag {
                id: f.id.clone(),
                article: a.id.clone(),
                request: Some(r.id.clone()),
                note: f.note.clone(),
                at: f.at,
                by: f.by.clone(),
                open: a.flag_is_open(f.at),
            });
        }
    }
    out.sort_by(|x, y| (x.at, &x.id).cmp(&(y.at, &y.id)));
    out
}

/// Filters for `kb list`. Pure.
#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    pub category: Option<Category>,
    pub status: Option<Status>,
    /// Only articles whose review date has passed (and are not archived).
    pub stale_on: Option<NaiveDate>,
}

impl ListFilter {
    pub fn matches(&self, a: &Article) -> bool {
        self.category.is_none_or(|c| a.category == c)
            && self.status.is_none_or(|s| a.status == s)
            && self.stale_on.is_none_or(|today| a.is_stale(today))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(id: &str, category: Category, status: Status, review: Option<&str>) -> Article {
        Article {
            id: id.into(),
            title: "t".into(),
            category,
            products: vec![],
            tags: vec![],
            author: "a".into(),
            owner: None,
            status,
            review_by: review.map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()),
            review_every: None,
            confidential: false,
            summary: None,
            aliases: vec![],
            body: None,
            body_file: None,
            attachments: vec![],
            source: None,
            created: chrono::DateTime::parse_from_rfc3339("2026-11-01T00:00:00+08:00").unwrap(),
            flags: vec![],
            extra: Default::default(),
            history: vec![],
        }
    }

    #[test]
    fn list_filter_combines_category_status_and_staleness() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let all = [
            article("a", Category::Faq, Status::Published, Some("2026-11-01")),
            article("b", Category::Faq, Status::Archived, Some("2026-11-01")),
            article("c", Category::Training, Status::Draft, Some("2027-01-01")),
            article("d", Category::Faq, Status::Draft, None),
        ];
        let ids = |f: ListFilter| -> Vec<&str> {
            all.iter()
                .filter(|a| f.matches(a))
                .map(|a| a.id.as_str())
                .collect()
        };
        assert_eq!(ids(ListFilter::default()), vec!["a", "b", "c", "d"]);
        let stale = ListFilter {
            stale_on: Some(day),
            ..Default::default()
        };
        assert_eq!(ids(stale), vec!["a"]);
        let faq_drafts = ListFilter {
            category: Some(Category::Faq),
            status: Some(Status::Draft),
            ..Default::default()
        };
        assert_eq!(ids(faq_drafts), vec!["d"]);
    }

    #[test]
    fn clean_list_trims_and_dedups() {
        let got = clean_list(vec![" vpn ".into(), "".into(), "vpn".into(), "网络".into()]);
        assert_eq!(got, vec!["vpn", "网络"]);
    }
}
