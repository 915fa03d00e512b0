//! Knowledge-base operations (技术支持资料库): create, publish, archive, import, record usage
//! on a request, and keeping the search index in step with the record files.
//!
//! Like [`crate::ops`], every writing function validates, appends history and saves under
//! the store lock; the CLI commands are thin wrappers around them.

pub mod import;
pub mod index;

use std::path::Path;

use chrono::NaiveDate;

use crate::error::{Error, Result};
use crate::model::article::{Category, Status};
use crate::model::request::ArticleUse;
use crate::model::{Article, Kind, RecordId, Request, content_hash};
use crate::ops::command::{ArticleInput, StatusInput, UseInput};
use crate::ops::{Actor, Command, Touched, World, check_member, execute, run};
use crate::store::Store;

pub use import::{ImportReport, import_dir};

/// What `kb new` asks for.
pub struct NewArticle {
    pub title: String,
    pub category: Category,
    pub body: Option<String>,
    /// A file of the repository holding the body (any path; it must lie inside the store).
    pub body_file: Option<std::path::PathBuf>,
    pub tags: Vec<String>,
    pub products: Vec<String>,
    pub review_by: Option<NaiveDate>,
    pub owner: Option<String>,
    pub confidential: bool,
}

/// Creates a draft article.
pub fn create(store: &Store, actor: &Actor, input: NewArticle) -> Result<(Article, Touched)> {
    if let Some(owner) = &input.owner {
        check_member(store, owner)?;
    }
    let body_file = match &input.body_file {
        Some(path) => Some(body_file_path(store, path)?),
        None => None,
    };
    let body_sha256 = match (&body_file, &input.body) {
        (Some(f), _) => Some(content_hash(&store.read_repo_file(f)?)),
        (None, Some(b)) if !b.trim().is_empty() => Some(content_hash(b)),
        _ => None,
    };
    let lock = store.lock()?;
    let id = store.mint(Kind::Article, actor.now)?;
    let cmd = Command::NewArticle {
        id: id.to_string(),
        input: ArticleInput {
            to: None,
            title: input.title,
            category: input.category,
            products: input.products,
            tags: input.tags,
            owner: input.owner,
            review_by: input.review_by,
            confidential: input.confidential,
            body_file,
            body_sha256,
            body: input.body,
        },
    };
    let mut world = World::new(store);
    let touched = execute(store, &lock, &mut world, actor, &cmd)?;
    Ok((world.get(id.as_str())?, touched))
}

/// Turns a user-given body file into the store-relative path a record keeps; the file
/// must exist and lie inside the store, so that a clone of the repository has it too.
fn body_file_path(store: &Store, path: &Path) -> Result<String> {
    if !path.is_file() {
        return Err(Error::invalid_with_hint(
            format!("body file {} does not exist", path.display()),
            "give the path of a Markdown or text file, or pass the text with --body",
        ));
    }
    let rel = store.relative_to_root(path)?;
    if rel.starts_with("../") || rel == ".." {
        return Err(Error::invalid_with_hint(
            format!(
                "body file {} is outside the store ({})",
                path.display(),
                store.root().display()
            ),
            "copy it into the repository (e.g. docs/) and commit it, or pass the text with --body",
        ));
    }
    Ok(rel)
}

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

/// Moves a draft (or an archived article brought back) to published.
pub fn publish(store: &Store, actor: &Actor, id: &RecordId) -> Result<(Article, Touched)> {
    let cmd = Command::Publish {
        article: id.to_string(),
        input: StatusInput {
            from: None,
            to: None,
            note: None,
        },
    };
    run(store, actor, cmd, id.as_str())
}

/// Archives an article: kept in git and in `kb list`, hidden from search and suggestions.
pub fn archive(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    note: Option<&str>,
) -> Result<(Article, Touched)> {
    let cmd = Command::Archive {
        article: id.to_string(),
        input: StatusInput {
            from: None,
            to: None,
            note: note.map(str::to_string),
        },
    };
    run(store, actor, cmd, id.as_str())
}

/// The history action that records an article used on a request.
pub const USE_ACTION: &str = "use_article";

/// Records that `article` was used while working on `request` (资料使用记录): on the
/// request, never in the article. Returns `None` when it was already recorded.
pub fn record_use(
    store: &Store,
    actor: &Actor,
    article: &RecordId,
    request: &RecordId,
) -> Result<Option<(Request, Touched)>> {
    let req: Request = store.load(request)?;
    if req.articles.iter().any(|u| u.id == article.as_str()) {
        return Ok(None);
    }
    let cmd = Command::UseArticle {
        request: request.to_string(),
        input: UseInput {
            article: article.to_string(),
        },
    };
    run(store, actor, cmd, request.as_str()).map(Some)
}

/// The requests that used an article, with when and by whom. Pure.
pub fn uses_of<'a>(requests: &'a [Request], article: &str) -> Vec<(&'a Request, &'a ArticleUse)> {
    requests
        .iter()
        .flat_map(|r| r.articles.iter().map(move |u| (r, u)))
        .filter(|(_, u)| u.id == article)
        .collect()
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
            confidential: false,
            summary: None,
            aliases: vec![],
            body: None,
            body_file: None,
            attachments: vec![],
            source: None,
            created: chrono::DateTime::parse_from_rfc3339("2026-11-01T00:00:00+08:00").unwrap(),
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
