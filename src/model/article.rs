//! The knowledge-base article (技术支持资料库): category, status, freshness, body or body file.
//!
//! Usage is not counted here: a request records the articles it used (资料使用记录), so a
//! popular article never becomes a merge conflict in every pull request.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Extra, HistoryEntry, Kind, Record, Timestamp, is_false};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Article {
    pub id: String,
    pub title: String,
    pub category: Category,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    pub author: String,
    /// Who keeps the article up to date (default: the author).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    pub status: Status,
    /// Review the article by this day; past it, `kb list --stale` shows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_by: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub confidential: bool,
    /// One sentence saying what the article is about (front matter `summary` or
    /// `description` of an imported page); searched, and shown by `kb show`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Other names people call the subject by (front matter `aliases`); searched.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The text, Markdown, inline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The text kept in a Markdown or text file of the repository, relative to the store
    /// root (long manuals stay Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_file: Option<String>,
    /// Files that go with the article (slides, PDFs), relative to the store root.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
    /// The Markdown file this article was imported from, relative to the store root;
    /// `kb import` finds the article again by it, so importing twice updates, not duplicates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub created: Timestamp,
    #[serde(flatten)]
    pub extra: Extra,
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
}

impl Record for Article {
    const KIND: Kind = Kind::Article;
    fn id(&self) -> &str {
        &self.id
    }
    fn history(&self) -> &[HistoryEntry] {
        &self.history
    }
    fn history_mut(&mut self) -> &mut Vec<HistoryEntry> {
        &mut self.history
    }
}

impl Article {
    /// Past its review date and still in use: someone should check it is still true.
    pub fn is_stale(&self, today: NaiveDate) -> bool {
        self.status != Status::Archived && self.review_by.is_some_and(|d| d < today)
    }
}

/// What kind of material an article is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    ProductManual,
    TechnicalDoc,
    DemoMaterial,
    Faq,
    CaseStudy,
    SolutionTemplate,
    Training,
}

string_enum!(Category, "category", fold = |s| s.trim().replace('-', "_").to_lowercase(), {
    ProductManual => "product_manual",
    TechnicalDoc => "technical_doc",
    DemoMaterial => "demo_material",
    Faq => "faq",
    CaseStudy => "case_study",
    SolutionTemplate => "solution_template",
    Training => "training",
});

/// draft → published → archived.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Published,
    Archived,
}

string_enum!(Status, "status", fold = |s| s.trim().to_lowercase(), {
    Draft => "draft",
    Published => "published",
    Archived => "archived",
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::yaml;
    use std::path::Path;

    const SAMPLE: &str = "id: KB-20261127-A7KQ2MX
title: 派工原则说明
category: faq
tags:
- 派工
author: zhao.lei
status: published
review_by: 2026-12-01
body_file: docs/dispatch.md
created: 2026-11-27T10:00:00+08:00
x_reviewed_by_legal: true
history:
- at: 2026-11-27T10:00:00+08:00
  by: zhao.lei
  action: create
";

    #[test]
    fn round_trip_is_stable_and_keeps_unknown_fields() {
        let a: Article = yaml::parse(Path::new("a.yaml"), SAMPLE).unwrap();
        assert_eq!(a.category, Category::Faq);
        assert_eq!(a.status, Status::Published);
        let text = yaml::to_canonical(&a).unwrap();
        assert!(text.contains("x_reviewed_by_legal: true"), "{text}");
        assert!(text.contains("title: 派工原则说明"), "{text}");
        let again: Article = yaml::parse(Path::new("a.yaml"), &text).unwrap();
        assert_eq!(again, a);
        assert_eq!(yaml::to_canonical(&again).unwrap(), text);
    }

    #[test]
    fn unknown_category_lists_the_valid_ones() {
        let err = "manual".parse::<Category>().unwrap_err();
        assert!(
            err.contains("product_manual") && err.contains("training"),
            "{err}"
        );
        assert_eq!("Case-Study".parse::<Category>(), Ok(Category::CaseStudy));
        assert!("gone".parse::<Status>().unwrap_err().contains("archived"));
    }

    #[test]
    fn stale_means_review_date_passed_and_not_archived() {
        let mut a: Article = yaml::parse(Path::new("a.yaml"), SAMPLE).unwrap();
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(!a.is_stale(day("2026-12-01")));
        assert!(a.is_stale(day("2026-12-02")));
        a.status = Status::Archived;
        assert!(!a.is_stale(day("2026-12-02")));
        a.status = Status::Draft;
        a.review_by = None;
        assert!(!a.is_stale(day("2030-01-01")));
    }
}
