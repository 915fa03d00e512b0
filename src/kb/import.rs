//! `kb import`: Markdown files (with or without YAML front matter) become articles.
//!
//! Each article keeps the file it came from in `source` (relative to the store root), so a
//! second import of the same folder updates the articles whose file changed and leaves the
//! others byte for byte as they were.

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use super::clean_list;
use crate::error::{Error, Result};
use crate::model::article::{Category, Status};
use crate::store::yaml;

/// The front matter keys `kb import` understands; others are ignored.
#[derive(Debug, Default, Deserialize)]
struct FrontMatter {
    title: Option<String>,
    category: Option<String>,
    #[serde(default)]
    tags: OneOrMany,
    #[serde(default)]
    products: OneOrMany,
    owner: Option<String>,
    status: Option<String>,
    review_by: Option<NaiveDate>,
    confidential: Option<bool>,
    summary: Option<String>,
    description: Option<String>,
    #[serde(default)]
    aliases: OneOrMany,
}

/// `tags: [a, b]`, a block list, or `tags: a, b`.
#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(s) => s.split([',', '，']).map(str::to_string).collect(),
            OneOrMany::Many(v) => v,
        }
    }
}

/// What one Markdown file says about its article. Fields the file does not set are `None`
/// so that a re-import never undoes what was changed with the tool (e.g. `kb publish`).
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub title: String,
    pub body: String,
    pub category: Option<Category>,
    pub tags: Option<Vec<String>>,
    pub products: Option<Vec<String>>,
    pub owner: Option<String>,
    pub status: Option<Status>,
    pub review_by: Option<NaiveDate>,
    pub confidential: Option<bool>,
    /// `summary`, else `description`, on one line.
    pub summary: Option<String>,
    pub aliases: Option<Vec<String>>,
}

/// Splits `---` front matter from the Markdown. `None` when the text has none.
fn split_front_matter(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix("---")?;
    let rest = rest
        .strip_prefix("\r\n")
        .or_else(|| rest.strip_prefix('\n'))?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        let bare = line.trim_end();
        if bare == "---" || bare == "..." {
            return Some((&rest[..offset], &rest[offset + line.len()..]));
        }
        offset += line.len();
    }
    None
}

/// Canonical body text: LF line ends, no trailing spaces, no blank lines around it.
pub fn normalize_body(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let start = lines
        .iter()
        .position(|l| !l.is_empty())
        .unwrap_or(lines.len());
    let end = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(start, |i| i + 1);
    let mut out = lines[start..end].join("\n");
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// The text of the first level-1 heading (`# Title` or `Title` over `===`), outside fenced
/// code blocks, cleaned of badges. Lower headings (`## Usage`) name a section, not the
/// document, so they are not used.
fn first_heading(markdown: &str) -> Option<String> {
    let mut fenced = false;
    let mut previous: Option<&str> = None;
    for line in markdown.lines() {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            fenced = !fenced;
            previous = None;
            continue;
        }
        if fenced {
            continue;
        }
        let atx = t
            .strip_prefix('#')
            .filter(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
            .map(|rest| rest.trim().trim_end_matches('#').trim());
        let setext = (!t.is_empty() && t.trim_end().chars().all(|c| c == '='))
            .then_some(previous)
            .flatten();
        if let Some(title) = atx.or(setext).map(clean_title).filter(|t| !t.is_empty()) {
            return Some(title);
        }
        previous = Some(line.trim()).filter(|l| !l.is_empty());
    }
    None
}

/// Drops what READMEs put after a title: badges (`[![…`, `![…`) and spacing entities.
fn clean_title(title: &str) -> String {
    let cut = ["[![", "![", "&emsp;", "&nbsp;", "<img"]
        .iter()
        .filter_map(|m| title.find(m))
        .min()
        .unwrap_or(title.len());
    title[..cut].trim().to_string()
}

/// Parses one Markdown file. `shown` names it in errors; `stem` is the title of last resort.
pub fn parse_markdown(shown: &Path, text: &str, stem: &str) -> Result<Parsed> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (fm, markdown) = match split_front_matter(text) {
        Some((fm_text, markdown)) => {
            let fm: FrontMatter = if fm_text.trim().is_empty() {
                FrontMatter::default()
            } else {
                // The front matter starts on line 2 of the file.
                yaml::parse(shown, fm_text).map_err(|e| match e {
                    Error::Parse {
                        path,
                        line,
                        column,
                        message,
                        ..
                    } => Error::Parse {
                        path,
                        line: line + 1,
                        column,
                        message,
                        hint: Some("fix the front matter between the `---` lines".into()),
                    },
                    e => e,
                })?
            };
            (fm, markdown)
        }
        None => (FrontMatter::default(), text),
    };
    let field_error = |message: String| Error::Parse {
        path: shown.to_path_buf(),
        line: 1,
        column: 1,
        message,
        hint: Some("fix the front matter between the `---` lines".into()),
    };
    let category = fm
        .category
        .as_deref()
        .map(str::parse::<Category>)
        .transpose()
        .map_err(field_error)?;
    let status = fm
        .status
        .as_deref()
        .map(str::parse::<Status>)
        .transpose()
        .map_err(field_error)?;
    let title = fm
        .title
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .or_else(|| first_heading(markdown))
        .unwrap_or_else(|| stem.to_string());
    let list = |v: OneOrMany| match v {
        OneOrMany::None => None,
        v => Some(clean_list(v.into_vec())),
    };
    Ok(Parsed {
        title,
        body: normalize_body(markdown),
        category,
        tags: list(fm.tags),
        products: list(fm.products),
        owner: fm.owner.filter(|o| !o.trim().is_empty()),
        status,
        review_by: fm.review_by,
        confidential: fm.confidential,
        summary: fm
            .summary
            .or(fm.description)
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|s| !s.is_empty()),
        aliases: list(fm.aliases),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Parsed {
        parse_markdown(Path::new("docs/x.md"), text, "x").unwrap()
    }

    #[test]
    fn title_from_front_matter_then_heading_then_file_name() {
        let p = parse(
            "---\ntitle: 派工原则\ncategory: faq\ntags: [派工, 流程]\n---\n# Other\n\nbody\n",
        );
        assert_eq!(p.title, "派工原则");
        assert_eq!(p.category, Some(Category::Faq));
        assert_eq!(p.tags, Some(vec!["派工".to_string(), "流程".to_string()]));
        assert_eq!(p.body, "# Other\n\nbody\n");

        let p = parse("\n\nintro\n\n## Usage\n\n# VPN 配置指南 #\ntext");
        assert_eq!(p.title, "VPN 配置指南");
        assert_eq!(p.category, None);
        assert_eq!(p.tags, None);
        assert_eq!(parse("csv\n===\n\ntext").title, "csv");
        assert_eq!(
            parse("# Borsh in Rust &emsp; [![Latest Version]][crates.io]\n").title,
            "Borsh in Rust"
        );
        assert_eq!(parse("## Usage only\n").title, "x");

        let p = parse("```\n# not a heading\n```\nplain text\n#hashtag\n");
        assert_eq!(p.title, "x");
    }

    #[test]
    fn front_matter_variants() {
        let p = parse(
            "---\r\ntags: a, b，c\r\nstatus: Published\r\nreview_by: 2027-01-31\r\n---\r\nbody\r\n",
        );
        assert_eq!(
            p.tags,
            Some(vec!["a".to_string(), "b".to_string(), "c".to_string()])
        );
        assert_eq!(p.status, Some(Status::Published));
        assert_eq!(p.review_by, NaiveDate::from_ymd_opt(2027, 1, 31));
        assert_eq!(p.body, "body\n");
        // No closing line: not front matter, just text.
        let p = parse("---\ntitle: x\nno end");
        assert_eq!(p.title, "x");
        assert!(p.body.starts_with("---"));
        // Empty front matter.
        assert_eq!(parse("---\n---\n# T\n").title, "T");
    }

    #[test]
    fn bad_front_matter_is_located_and_named() {
        let err =
            parse_markdown(Path::new("docs/x.md"), "---\ntitle: [oops\n---\n", "x").unwrap_err();
        assert!(err.to_string().starts_with("docs/x.md:"), "{err}");
        let err = parse_markdown(Path::new("docs/x.md"), "---\ncategory: manual\n---\n", "x")
            .unwrap_err();
        assert!(err.to_string().contains("product_manual"), "{err}");
    }

    #[test]
    fn normalize_body_trims_lines_and_blank_edges() {
        assert_eq!(normalize_body("\n\n a  \r\nb\t\n\n\n"), " a\nb\n");
        assert_eq!(normalize_body("\n \n"), "");
    }
}
