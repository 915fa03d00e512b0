//! `presales kb`: the technical-support knowledge base (技术支持资料库).

use std::path::PathBuf;

use chrono::NaiveDate;
use serde::Serialize;

use super::search::{Bar, print_hits, report_sync};
use super::{Ctx, Format, output, parse_date};
use crate::error::Result;
use crate::kb::{self, ListFilter, NewArticle};
use crate::model::article::{Category, Cycle, Status};
use crate::model::{Article, Kind, RecordId, Request};
use crate::ops;
use crate::search::SearchQuery;
use crate::store::Store;

/// The knowledge base (技术支持资料库): articles, import, search, usage.
///
/// Product manuals, technical docs, demo material, FAQs, case studies, solution templates
/// and training, one YAML file each under kb/<year>/. Search works in Chinese and English.
///
/// Examples:
///   presales kb new --title '派工原则说明' --category faq --body-file docs/dispatch.md
///   presales kb import docs/manuals
///   presales kb search 派工原则 --category faq
///   presales kb use KB-20261127-A7KQ2MX --request 7KQ2MX
///   presales kb suggest 7KQ2MX
///   presales kb list --stale
///   presales kb review KB-20261127-A7KQ2MX --note '核对了第 3 步'
///   presales kb flag KB-20261127-A7KQ2MX --request 7KQ2MX --note '截图是旧版控制台'
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, clap::Subcommand)]
enum Cmd {
    /// Create a draft article; prints its ID alone on stdout.
    New(NewArgs),
    /// Show an article: its fields, text, the requests that used it, its history.
    Show {
        /// Article ID or unique abbreviation.
        id: String,
    },
    /// List articles, filtered.
    List(ListArgs),
    /// Publish a draft (or bring back an archived article).
    Publish {
        /// Article ID or unique abbreviation.
        id: String,
    },
    /// Edit an article in $VISUAL/$EDITOR; each changed field is recorded (old → new).
    Edit {
        /// Article ID or unique abbreviation.
        id: String,
    },
    /// Archive an article: hidden from search and suggestions, kept in git.
    Archive {
        /// Article ID or unique abbreviation.
        id: String,
        /// Why (e.g. which article replaces it).
        #[arg(long)]
        note: Option<String>,
    },
    /// Import Markdown files (with or without YAML front matter) as articles. Importing
    /// the same folder again updates the articles whose file changed.
    Import(ImportArgs),
    /// Record that an article was used for a request (on the request, not the article).
    Use(UseArgs),
    /// Record a review (资料定期更新): the article is still right, or was just fixed. Moves
    /// review_by one cycle ahead of today and closes the flags raised before.
    Review(ReviewArgs),
    /// Report a problem with an article for its owner (wrong, outdated, missing a step);
    /// kept on the request it was found in with --request, else on the article. Open until
    /// the next `kb review`.
    Flag(FlagArgs),
    /// Search articles, best first: every word optional and ranked; "quotes" for a phrase that
    /// must occur, +word / -word, title: / body: / tag: / category:, word* (see `presales
    /// search --help`).
    Search(SearchArgs),
    /// Rank articles for a request by its title, description and products.
    Suggest(SuggestArgs),
}

#[derive(Debug, clap::Args)]
struct NewArgs {
    /// The article's title, one line.
    #[arg(long)]
    title: String,
    /// product_manual, technical_doc, demo_material, faq, case_study, solution_template,
    /// training.
    #[arg(long, value_parser = parse_category)]
    category: Category,
    /// The text, Markdown.
    #[arg(long, conflicts_with = "body_file")]
    body: Option<String>,
    /// A Markdown or text file inside the store that holds the text (kept as a file).
    #[arg(long)]
    body_file: Option<PathBuf>,
    /// A tag (repeatable).
    #[arg(long = "tag")]
    tags: Vec<String>,
    /// A product the article is about (repeatable).
    #[arg(long = "product")]
    products: Vec<String>,
    /// Review the article by this day (YYYY-MM-DD); past it, `kb list --stale` shows it.
    /// Default: one review cycle from today.
    #[arg(long, value_parser = parse_date)]
    review_by: Option<NaiveDate>,
    /// The article's own review cycle (180d, 26w, 6m, 1y); default `[kb] review_every` of
    /// presales.toml.
    #[arg(long, value_name = "CYCLE", value_parser = parse_cycle)]
    review_every: Option<Cycle>,
    /// Who keeps it up to date (a team member; default: you).
    #[arg(long)]
    owner: Option<String>,
    /// Hide it from search and redact it in reports unless asked for (保密).
    #[arg(long)]
    confidential: bool,
}

#[derive(Debug, clap::Args)]
struct ListArgs {
    /// Only articles of this category.
    #[arg(long, value_parser = parse_category)]
    category: Option<Category>,
    /// draft, published or archived.
    #[arg(long, value_parser = parse_status)]
    status: Option<Status>,
    /// Only articles past their review date (and not archived).
    #[arg(long)]
    stale: bool,
}

#[derive(Debug, clap::Args)]
struct ImportArgs {
    /// The folder of Markdown files (searched recursively).
    dir: PathBuf,
    /// Category of files whose front matter names none.
    #[arg(long, default_value = "technical_doc", value_parser = parse_category)]
    category: Category,
}

#[derive(Debug, clap::Args)]
struct UseArgs {
    /// The article (ID or unique abbreviation).
    article: String,
    /// The request it was used for.
    #[arg(long)]
    request: String,
}

#[derive(Debug, clap::Args)]
struct ReviewArgs {
    /// The article (ID or unique abbreviation).
    article: String,
    /// What was checked or changed.
    #[arg(long)]
    note: Option<String>,
    /// A new review cycle for this article (180d, 26w, 6m, 1y).
    #[arg(long, value_name = "CYCLE", value_parser = parse_cycle)]
    every: Option<Cycle>,
}

#[derive(Debug, clap::Args)]
struct FlagArgs {
    /// The article (ID or unique abbreviation).
    article: String,
    /// What is wrong with it.
    #[arg(long)]
    note: String,
    /// The request it was found in (the flag is kept there).
    #[arg(long)]
    request: Option<String>,
}

#[derive(Debug, clap::Args)]
struct SearchArgs {
    /// Words to search for (several arguments are joined with spaces).
    #[arg(required = true, num_args = 1..)]
    query: Vec<String>,
    /// Only articles of this category.
    #[arg(long, value_parser = parse_category)]
    category: Option<Category>,
    /// Only articles about this product.
    #[arg(long)]
    product: Option<String>,
    /// Only articles with this tag.
    #[arg(long)]
    tag: Option<String>,
    /// draft, published or archived (archived articles are shown only when asked for).
    #[arg(long, value_parser = parse_status)]
    status: Option<Status>,
    /// At most this many hits.
    #[arg(long, default_value_t = 20, value_parser = super::parse_count, allow_hyphen_values = true)]
    limit: usize,
    /// Also confidential articles (保密: left out by default, as the reports do).
    #[arg(long)]
    include_confidential: bool,
}

#[derive(Debug, clap::Args)]
struct SuggestArgs {
    /// The request (ID or unique abbreviation).
    request: String,
    /// At most this many articles.
    #[arg(long, default_value_t = 10, value_parser = super::parse_count, allow_hyphen_values = true)]
    limit: usize,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<()> {
    match args.cmd {
        Cmd::New(a) => new(ctx, a),
        Cmd::Show { id } => {
            let store = ctx.store()?;
            let id = store.resolve(Kind::Article, &id)?;
            show(ctx, &store, &id)
        }
        Cmd::List(a) => list(ctx, a),
        Cmd::Edit { id } => {
            let store = ctx.store()?;
            super::edit::edit_record::<Article>(ctx, &store, &id)
        }
        Cmd::Publish { id } => {
            let store = ctx.store()?;
            let actor = ctx.actor(&store)?;
            let id = store.resolve(Kind::Article, &id)?;
            let (_, written) = ops::kb::publish(&store, &actor, &id)?;
            ctx.written(&store, &written)?;
            Ok(())
        }
        Cmd::Archive { id, note } => {
            let store = ctx.store()?;
            let actor = ctx.actor(&store)?;
            let id = store.resolve(Kind::Article, &id)?;
            let (_, written) = ops::kb::archive(&store, &actor, &id, note.as_deref())?;
            ctx.written(&store, &written)?;
            Ok(())
        }
        Cmd::Import(a) => import(ctx, a),
        Cmd::Use(a) => use_article(ctx, a),
        Cmd::Review(a) => {
            let store = ctx.store()?;
            let actor = ctx.actor(&store)?;
            let id = store.resolve(Kind::Article, &a.article)?;
            let (_, written) = ops::kb::review(&store, &actor, &id, a.every, a.note)?;
            ctx.written(&store, &written)?;
            Ok(())
        }
        Cmd::Flag(a) => {
            let store = ctx.store()?;
            let actor = ctx.actor(&store)?;
            let id = store.resolve(Kind::Article, &a.article)?;
            let request = match &a.request {
                Some(r) => Some(store.resolve(Kind::Request, r)?),
                None => None,
            };
            let written = ops::kb::flag(&store, &actor, &id, request.as_ref(), a.note)?;
            ctx.written(&store, &written)?;
            Ok(())
        }
        Cmd::Search(a) => search(ctx, a),
        Cmd::Suggest(a) => suggest(ctx, a),
    }
}

/// `--category`: one of the kinds of material of the knowledge base (技术支持资料库).
fn parse_category(s: &str) -> std::result::Result<Category, String> {
    s.parse()
}

/// `--every`, `--review-every`: a review cycle.
fn parse_cycle(s: &str) -> std::result::Result<Cycle, String> {
    s.parse()
}

/// `--status`: draft, published or archived.
fn parse_status(s: &str) -> std::result::Result<Status, String> {
    s.parse()
}

fn from_cwd(ctx: &Ctx, p: PathBuf) -> PathBuf {
    if p.is_absolute() { p } else { ctx.cwd.join(p) }
}

fn new(ctx: &Ctx, a: NewArgs) -> Result<()> {
    let category = a.category;
    let store = ctx.store()?;
    let actor = ctx.actor(&store)?;
    let (article, written) = ops::kb::create(
        &store,
        &actor,
        NewArticle {
            title: a.title,
            category,
            body: a.body,
            body_file: a.body_file.map(|p| from_cwd(ctx, p)),
            tags: a.tags,
            products: a.products,
            review_by: a.review_by,
            review_every: a.review_every,
            owner: a.owner,
            confidential: a.confidential,
        },
    )?;
    ctx.written(&store, &written)?;
    output::print(&format!("{}\n", article.id))?;
    Ok(())
}

/// When and by whom a request used an article.
#[derive(Serialize)]
struct Use {
    request: String,
    title: String,
    at: String,
    by: String,
}

#[derive(Serialize)]
struct ArticleView<'a> {
    #[serde(flatten)]
    article: &'a Article,
    used_by: Vec<Use>,
    /// Every flag raised on it (here and on requests), open ones marked.
    flags_raised: Vec<kb::RaisedFlag>,
}

/// Shows one article; also what `presales show KB-…` prints.
pub(super) fn show(ctx: &Ctx, store: &Store, id: &RecordId) -> Result<()> {
    let article: Article = store.load(id)?;
    let (requests, errors) = store.load_all::<Request>();
    for e in &errors {
        ctx.warn_error(e);
    }
    let used_by: Vec<Use> = kb::uses_of(&requests, &article.id)
        .into_iter()
        .map(|(r, u)| Use {
            request: r.id.clone(),
            title: r.title.clone(),
            at: u.at.to_rfc3339(),
            by: u.by.clone(),
        })
        .collect();
    let view = ArticleView {
        article: &article,
        used_by,
        flags_raised: kb::flags_of(&[&article], &requests),
    };
    match ctx.format {
        Format::Json => {
            output::print(&output::json(&view)?)?;
            return Ok(());
        }
        Format::Yaml => {
            output::print(&output::yaml(&view)?)?;
            return Ok(());
        }
        Format::Csv => {
            // One row with the columns of `kb list`, so scripts can append it to a list.
            let a = &article;
            output::print(&output::csv(
                &["ID", "STATUS", "CATEGORY", "TITLE", "REVIEW BY", "USED"],
                vec![vec![
                    a.id.clone(),
                    a.status.to_string(),
                    a.category.to_string(),
                    a.title.clone(),
                    a.review_by.map(|d| d.to_string()).unwrap_or_default(),
                    view.used_by.len().to_string(),
                ]],
            )?)?;
            return Ok(());
        }
        // Table, and any text format added later.
        _ => {}
    }
    let body = match kb::body_text(store, &article) {
        Ok(b) => b,
        Err(e) => {
            ctx.warn_error(&e);
            String::new()
        }
    };
    let today = ctx.now()?.date_naive();
    let a = &article;
    let mut s = format!("{}  {}\n", a.id, a.title);
    let mut field = |k: &str, v: String| {
        if !v.is_empty() {
            s.push_str(&format!("{k:<13}{v}\n"));
        }
    };
    field("summary", a.summary.clone().unwrap_or_default());
    field("aliases", a.aliases.join(", "));
    field("category", a.category.to_string());
    field("status", a.status.to_string());
    field("products", a.products.join(", "));
    field("tags", a.tags.join(", "));
    field("author", a.author.clone());
    field("owner", a.owner.clone().unwrap_or_default());
    field(
        "review by",
        a.review_by
            .map(|d| {
                if a.is_stale(today) {
                    format!("{d} (stale: review it)")
                } else {
                    d.to_string()
                }
            })
            .unwrap_or_default(),
    );
    if a.confidential {
        field("confidential", "yes".into());
    }
    field("body file", a.body_file.clone().unwrap_or_default());
    field("source", a.source.clone().unwrap_or_default());
    field("attachments", a.attachments.join(", "));
    field(
        "created",
        a.created.format("%Y-%m-%d %H:%M %:z").to_string(),
    );
    field(
        "used by",
        match view.used_by.len() {
            0 => String::new(),
            n => format!("{n} request{}", if n == 1 { "" } else { "s" }),
        },
    );
    for u in &view.used_by {
        s.push_str(&format!(
            "  {}  {}  {}  {}\n",
            u.request,
            u.at.get(..10).unwrap_or_default(),
            u.by,
            u.title
        ));
    }
    let open: Vec<&kb::RaisedFlag> = view.flags_raised.iter().filter(|f| f.open).collect();
    if !open.is_empty() {
        s.push_str(&format!(
            "open flags   {} (answered by the next `presales kb review {}`)\n",
            open.len(),
            a.id
        ));
        for f in open {
            s.push_str(&format!(
                "  {}  {}  {}  {}\n",
                f.at.format("%Y-%m-%d"),
                f.by,
                f.request.as_deref().unwrap_or("-"),
                output::safe(&f.note.replace('\n', " "))
            ));
        }
    }
    if !body.trim().is_empty() {
        s.push('\n');
        s.push_str(body.trim_end());
        s.push('\n');
    }
    s.push_str("\nhistory:\n");
    for h in &a.history {
        s.push_str(&format!("  {}\n", super::show::history_line(h)));
    }
    output::print(&s)?;
    Ok(())
}

#[derive(Serialize)]
struct ListedArticle<'a> {
    #[serde(flatten)]
    article: &'a Article,
    used: usize,
}

fn list(ctx: &Ctx, a: ListArgs) -> Result<()> {
    let filter = ListFilter {
        category: a.category,
        status: a.status,
        stale_on: if a.stale {
            Some(ctx.now()?.date_naive())
        } else {
            None
        },
    };
    let store = ctx.store()?;
    let (articles, errors) = store.load_all::<Article>();
    let (requests, req_errors) = store.load_all::<Request>();
    for e in errors.iter().chain(&req_errors) {
        ctx.warn_error(e);
    }
    let shown: Vec<ListedArticle> = articles
        .iter()
        .filter(|x| filter.matches(x))
        .map(|x| ListedArticle {
            article: x,
            used: kb::uses_of(&requests, &x.id).len(),
        })
        .collect();
    let rows = shown
        .iter()
        .map(|l| {
            let x = l.article;
            vec![
                x.id.clone(),
                x.status.to_string(),
                x.category.to_string(),
                x.title.clone(),
                x.review_by.map(|d| d.to_string()).unwrap_or_default(),
                l.used.to_string(),
            ]
        })
        .collect();
    let headers = ["ID", "STATUS", "CATEGORY", "TITLE", "REVIEW BY", "USED"];
    output::print(&output::list(ctx.format, &shown, &headers, rows)?)?;
    Ok(())
}

#[derive(Serialize)]
struct ImportSummary<'a> {
    created: Vec<Imported<'a>>,
    updated: Vec<Imported<'a>>,
    unchanged: Vec<Imported<'a>>,
}

#[derive(Serialize)]
struct Imported<'a> {
    id: &'a str,
    source: &'a str,
}

fn items(v: &[(String, String)]) -> Vec<Imported<'_>> {
    v.iter()
        .map(|(id, source)| Imported { id, source })
        .collect()
}

fn import(ctx: &Ctx, a: ImportArgs) -> Result<()> {
    let default_category = a.category;
    let store = ctx.store()?;
    let actor = ctx.actor(&store)?;
    let dir = from_cwd(ctx, a.dir);
    let report = ops::kb::import_dir(&store, &actor, &dir, default_category)?;
    ctx.written(&store, &report.written)?;
    for e in &report.errors {
        ctx.warn_error(e);
    }
    let summary = ImportSummary {
        created: items(&report.created),
        updated: items(&report.updated),
        unchanged: items(&report.unchanged),
    };
    match ctx.format {
        Format::Json => output::print(&output::json(&summary)?)?,
        Format::Yaml => output::print(&output::yaml(&summary)?)?,
        _ => {
            let mut rows = Vec::new();
            for (what, list) in [
                ("created", &summary.created),
                ("updated", &summary.updated),
                ("unchanged", &summary.unchanged),
            ] {
                for i in list {
                    rows.push(vec![
                        what.to_string(),
                        i.id.to_string(),
                        i.source.to_string(),
                    ]);
                }
            }
            let headers = ["IMPORT", "ID", "SOURCE"];
            if ctx.format == Format::Csv {
                output::print(&output::csv(&headers, rows)?)?;
            } else {
                if !rows.is_empty() {
                    output::print(&output::table(&headers, rows))?;
                }
                eprintln!(
                    "{} created, {} updated, {} unchanged, {} failed",
                    summary.created.len(),
                    summary.updated.len(),
                    summary.unchanged.len(),
                    report.errors.len()
                );
            }
        }
    }
    Ok(())
}

fn use_article(ctx: &Ctx, a: UseArgs) -> Result<()> {
    let store = ctx.store()?;
    let actor = ctx.actor(&store)?;
    let article = store.resolve(Kind::Article, &a.article)?;
    let request = store.resolve(Kind::Request, &a.request)?;
    match ops::kb::record_use(&store, &actor, &article, &request)? {
        Some((_, written)) => {
            ctx.written(&store, &written)?;
            eprintln!("recorded: {request} used {article}");
        }
        None => eprintln!("{request} already records {article}; nothing to do"),
    }
    Ok(())
}

fn search(ctx: &Ctx, a: SearchArgs) -> Result<()> {
    let (category, status) = (a.category, a.status);
    let store = ctx.store()?;
    let query = SearchQuery {
        text: a.query.join(" "),
        kinds: vec![Kind::Article.noun().to_string()],
        category: category.map(|c| c.as_str().to_string()),
        status: status.map(|s| s.as_str().to_string()),
        product: a.product,
        tag: a.tag,
        limit: a.limit,
        include_confidential: a.include_confidential,
    };
    let mut bar = Bar::new();
    let (synced, hits, answered) =
        kb::index::search(&store, &query, &mut |p, d, t, r| bar.update(p, d, t, r))?;
    bar.finish();
    super::search::note_search(ctx, &store, &query.text, answered);
    report_sync(ctx, &synced);
    print_hits(ctx, &hits, &query.text)
}

fn suggest(ctx: &Ctx, a: SuggestArgs) -> Result<()> {
    let store = ctx.store()?;
    let id = store.resolve(Kind::Request, &a.request)?;
    let request: Request = store.load(&id)?;
    let mut bar = Bar::new();
    let (synced, hits) = kb::index::suggest(&store, &request, a.limit, &mut |p, d, t, r| {
        bar.update(p, d, t, r)
    })?;
    bar.finish();
    report_sync(ctx, &synced);
    print_hits(ctx, &hits, &request.title)
}
