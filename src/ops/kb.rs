//! Knowledge-base writes (技术支持资料库): create, publish and archive an article, import a
//! folder of Markdown, record an article used on a request. Each resolves its input into a
//! [`Command`] and runs it in a [`Tx`].

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;

use super::command::{
    ArticleInput, ArticleReviewInput, Command, FlagInput, ImportInput, StatusInput, UseInput,
};
use super::{Actor, Tx, World, Written, check_member, run};
use crate::error::{Error, Result};
use crate::kb::import::parse_markdown;
use crate::model::article::{Category, Cycle};
use crate::model::{Article, Kind, RecordId, Request, content_hash};
use crate::store::Store;

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
    /// The article's own review cycle (else `[kb] review_every`).
    pub review_every: Option<Cycle>,
    pub owner: Option<String>,
    pub confidential: bool,
}

/// Creates a draft article.
pub fn create(store: &Store, actor: &Actor, input: NewArticle) -> Result<(Article, Written)> {
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
    let mut tx = Tx::begin(store, Some(actor))?;
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
            // The first review is due one cycle from today; the entry records the date, so
            // its replay does not depend on presales.toml.
            review_by: input.review_by.or_else(|| {
                input
                    .review_every
                    .or(store.config.kb.review_every)
                    .map(|c| c.after(actor.today()))
            }),
            review_every: input.review_every,
            confidential: input.confidential,
            body_file,
            body_sha256,
            body: input.body,
        },
    };
    let mut world = World::new(store);
    tx.run(&mut world, actor, &cmd)?;
    let article: Article = world.get(id.as_str())?;
    let description = format!("{}: new article {}", article.id, article.title);
    Ok((article, tx.finish(description)))
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

/// Moves a draft (or an archived article brought back) to published.
pub fn publish(store: &Store, actor: &Actor, id: &RecordId) -> Result<(Article, Written)> {
    let cmd = Command::Publish {
        article: id.to_string(),
        input: StatusInput {
            from: None,
            to: None,
            note: None,
        },
    };
    run(store, actor, cmd, id.as_str(), |_: &Article| {
        format!("{id}: publish")
    })
}

/// Archives an article: kept in git and in `kb list`, hidden from search and suggestions.
pub fn archive(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    note: Option<&str>,
) -> Result<(Article, Written)> {
    let cmd = Command::Archive {
        article: id.to_string(),
        input: StatusInput {
            from: None,
            to: None,
            note: note.map(str::to_string),
        },
    };
    run(store, actor, cmd, id.as_str(), |_: &Article| {
        format!("{id}: archive")
    })
}

/// Records that `article` was used while working on `request` (资料使用记录): on the
/// request, never in the article. Returns `None` when it was already recorded.
pub fn record_use(
    store: &Store,
    actor: &Actor,
    article: &RecordId,
    request: &RecordId,
) -> Result<Option<(Request, Written)>> {
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
    run(store, actor, cmd, request.as_str(), |_: &Request| {
        format!("{request}: use {article}")
    })
    .map(Some)
}

/// Records a review of an article (资料定期更新): `review_by` moves one cycle (`every`, else
/// the article's, else `[kb] review_every`) ahead of today; flags raised before are closed.
pub fn review(
    store: &Store,
    actor: &Actor,
    id: &RecordId,
    every: Option<Cycle>,
    note: Option<String>,
) -> Result<(Article, Written)> {
    let cmd = Command::ReviewArticle {
        article: id.to_string(),
        input: ArticleReviewInput {
            from: None,
            to: None,
            every,
            note,
        },
    };
    run(store, actor, cmd, id.as_str(), |a: &Article| {
        let next = a.review_by.map(|d| d.to_string()).unwrap_or_default();
        format!("{id}: reviewed, next review by {next}")
    })
}

/// Records a problem with `article` for its owner: on `request` when it was found while
/// working on one (the article file stays untouched), else on the article.
pub fn flag(
    store: &Store,
    actor: &Actor,
    article: &RecordId,
    request: Option<&RecordId>,
    note: String,
) -> Result<Written> {
    let record = request.unwrap_or(article);
    let cmd = Command::Flag {
        record: record.to_string(),
        input: FlagInput {
            item: crate::store::mint_item()?,
            article: article.to_string(),
            note,
        },
    };
    let description = format!("{article}: flag");
    match request {
        Some(r) => run(store, actor, cmd, r.as_str(), |_: &Request| description).map(|(_, w)| w),
        None => run(store, actor, cmd, article.as_str(), |_: &Article| {
            description
        })
        .map(|(_, w)| w),
    }
}

/// What an import did, file by file.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// (article id, source) of new articles.
    pub created: Vec<(String, String)>,
    pub updated: Vec<(String, String)>,
    pub unchanged: Vec<(String, String)>,
    /// Files that could not be imported; the others were.
    pub errors: Vec<Error>,
    pub written: Written,
}

/// Imports every Markdown file under `dir`. New files become articles (status from the
/// front matter, else draft; category from the front matter, else `default_category`);
/// files imported before update their article when their content changed. Each file is
/// one command (`import` entry) with its own operation id.
pub fn import_dir(
    store: &Store,
    actor: &Actor,
    dir: &Path,
    default_category: Category,
) -> Result<ImportReport> {
    let files = store.markdown_files(dir)?;
    let mut tx = Tx::begin(store, Some(actor))?;
    let (articles, load_errors) = store.load_all::<Article>();
    let mut report = ImportReport {
        errors: load_errors,
        ..ImportReport::default()
    };
    let mut by_source: HashMap<String, String> = articles
        .into_iter()
        .filter_map(|a| a.source.clone().map(|s| (s, a.id)))
        .collect();
    let mut world = World::new(store);
    for file in files {
        let result = (|| -> Result<()> {
            let source = store.relative_to_root(file.as_path())?;
            let text = store.read_text(&file)?;
            let stem = file
                .file_stem()
                .map_or_else(|| source.clone(), |s| s.to_string_lossy().to_string());
            let parsed = parse_markdown(Path::new(&source), &text, &stem)?;
            if let Some(owner) = &parsed.owner {
                crate::ops::check_member(store, owner)
                    .map_err(|e| Error::invalid(format!("{source}: owner: {e}")))?;
            }
            let existing = by_source.get(&source).cloned();
            let id = match &existing {
                Some(id) => id.clone(),
                None => store.mint(Kind::Article, actor.now)?.to_string(),
            };
            let cmd = Command::Import {
                article: id.clone(),
                input: ImportInput {
                    to: None,
                    source: source.clone(),
                    source_sha256: content_hash(&text),
                    title: parsed.title,
                    category: parsed.category.unwrap_or(default_category),
                    category_given: parsed.category.is_some(),
                    tags: parsed.tags,
                    products: parsed.products,
                    owner: parsed.owner,
                    status: parsed.status,
                    // A new article's first review is due one cycle from today.
                    review_by: parsed.review_by.or_else(|| {
                        existing.is_none().then_some(())?;
                        store.config.kb.review_every.map(|c| c.after(actor.today()))
                    }),
                    confidential: parsed.confidential,
                    summary: parsed.summary,
                    aliases: parsed.aliases,
                    body_sha256: content_hash(&parsed.body),
                    body: Some(parsed.body),
                },
            };
            let written = tx.run(&mut world, actor, &cmd)?;
            let done = (id.clone(), source.clone());
            match (existing, written == 0) {
                (None, _) => {
                    by_source.insert(source, id);
                    report.created.push(done);
                }
                (Some(_), true) => report.unchanged.push(done),
                (Some(_), false) => report.updated.push(done),
            }
            Ok(())
        })();
        if let Err(e) = result {
            report.errors.push(e);
        }
    }
    report.written = tx.finish(format!("kb: import {}", dir.display()));
    Ok(report)
}
