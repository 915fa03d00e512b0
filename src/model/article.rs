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
    /// How often the article is reviewed (`180d`, `26w`, `6m`, `1y`); `kb review` moves
    /// `review_by` this far ahead. Default: `[kb] review_every` of presales.toml.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_every: Option<Cycle>,
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
    /// Problems reported with the article outside any request (`kb flag` without
    /// `--request`); those found while working on a request are kept on the request.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Flag>,
    #[serde(flatten)]
    pub extra: Extra,
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
}

/// A problem reported with an article (资料使用反馈): wrong, outdated, missing a step. Open
/// until the article's next review (`kb review`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Flag {
    /// Stable id: merges of two branches that both flagged keep both.
    pub id: String,
    /// The article (on a request's list; left out on the article's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
    pub note: String,
    pub at: Timestamp,
    pub by: String,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A review cycle: a number of days, weeks, months or years (`180d`, `26w`, `6m`, `1y`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(try_from = "String", into = "String")]
#[schemars(with = "String")]
pub struct Cycle {
    pub count: u32,
    pub unit: CycleUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CycleUnit {
    Day,
    Week,
    Month,
    Year,
}

impl Cycle {
    /// The day one cycle after `day` (month ends clamp: 31 Jan + 1m = 28/29 Feb).
    pub fn after(self, day: NaiveDate) -> NaiveDate {
        let months = |n: u32| {
            day.checked_add_months(chrono::Months::new(n))
                .unwrap_or(NaiveDate::MAX)
        };
        match self.unit {
            CycleUnit::Day => day
                .checked_add_days(chrono::Days::new(u64::from(self.count)))
                .unwrap_or(NaiveDate::MAX),
            CycleUnit::Week => day
                .checked_add_days(chrono::Days::new(u64::from(self.count) * 7))
                .unwrap_or(NaiveDate::MAX),
            CycleUnit::Month => months(self.count),
            CycleUnit::Year => months(self.count.saturating_mul(12)),
        }
    }
}

impl std::str::FromStr for Cycle {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim().to_lowercase();
        let bad = || {
            format!("`{s}` is not a review cycle: a number and d, w, m or y (180d, 26w, 6m, 1y)")
        };
        let split = t.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let (n, unit) = t.split_at(split);
        let count: u32 = n.parse().map_err(|_| bad())?;
        let unit = match unit.trim() {
            "d" | "day" | "days" => CycleUnit::Day,
            "w" | "week" | "weeks" => CycleUnit::Week,
            "m" | "month" | "months" => CycleUnit::Month,
            "y" | "year" | "years" => CycleUnit::Year,
            _ => return Err(bad()),
        };
        if count == 0 || count > 100 * 366 {
            return Err(format!(
                "{s}: a review cycle is at least 1 and under a century"
            ));
        }
        if unit != CycleUnit::Day && count > 1200 {
            return Err(format!("{s}: a review cycle is under a century"));
        }
        Ok(Cycle { count, unit })
    }
}

impl std::fmt::Display for Cycle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = match self.unit {
            CycleUnit::Day => 'd',
            CycleUnit::Week => 'w',
            CycleUnit::Month => 'm',
            CycleUnit::Year => 'y',
        };
        write!(f, "{}{unit}", self.count)
    }
}

impl TryFrom<String> for Cycle {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<Cycle> for String {
    fn from(c: Cycle) -> String {
        c.to_string()
    }
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

    /// When the article was last reviewed (`kb review`).
    pub fn last_review(&self) -> Option<Timestamp> {
        self.history
            .iter()
            .filter(|h| h.action == "review")
            .map(|h| h.at)
            .max()
    }

    /// A flag raised at `at` is open until a review after it, and while the article is
    /// not archived.
    pub fn flag_is_open(&self, at: Timestamp) -> bool {
        self.status != Status::Archived && self.last_review().is_none_or(|r| r < at)
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
    fn review_cycles_parse_print_and_move_the_date() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let c: Cycle = "180d".parse().unwrap();
        assert_eq!(c.after(day("2026-11-27")), day("2027-05-26"));
        assert_eq!(
            "2w".parse::<Cycle>().unwrap().after(day("2026-11-27")),
            day("2026-12-11")
        );
        assert_eq!(" 6M ".parse::<Cycle>().unwrap().to_string(), "6m");
        assert_eq!(
            "1m".parse::<Cycle>().unwrap().after(day("2027-01-31")),
            day("2027-02-28")
        );
        assert_eq!(
            "1 year".parse::<Cycle>().unwrap().after(day("2028-02-29")),
            day("2029-02-28")
        );
        for bad in ["", "d", "0d", "180", "18x", "-3d", "99999999999d", "5000y"] {
            assert!(bad.parse::<Cycle>().is_err(), "{bad}");
        }
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
