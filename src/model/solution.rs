//! The solution record (解决方案): plan, time plan, resources, quotation, risks, reviews,
//! approval and handover.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Extra, HistoryEntry, Kind, Record, Timestamp};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Solution {
    pub id: String,
    pub request: String,
    pub title: String,
    pub version: u32,
    pub author: String,
    pub created: Timestamp,
    /// Technical plan in Markdown, inline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// Technical plan kept in a Markdown file of the repository, relative to the store root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_file: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub milestones: Vec<Milestone>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Resource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quotation: Option<Quotation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub risks: Vec<Risk>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviews: Vec<ReviewRound>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<Approval>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handover: Option<Handover>,
    /// The solution this one replaces, and the one that replaced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
}

impl Record for Solution {
    const KIND: Kind = Kind::Solution;
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Milestone {
    pub name: String,
    pub date: NaiveDate,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Resource {
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    #[schemars(with = "String")]
    pub days: Decimal,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Quotation {
    pub currency: String,
    #[serde(default)]
    pub lines: Vec<QuoteLine>,
    #[schemars(with = "String")]
    pub total: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<NaiveDate>,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct QuoteLine {
    pub item: String,
    #[schemars(with = "String")]
    pub quantity: Decimal,
    #[schemars(with = "String")]
    pub unit_price: Decimal,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Risk {
    pub description: String,
    pub likelihood: u8,
    pub impact: u8,
    pub mitigation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ReviewRound {
    pub round: u32,
    pub opened: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<Timestamp>,
    #[serde(default)]
    pub verdicts: Vec<Verdict>,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Verdict {
    /// Stable id (store format 2), so merges union verdicts given on two branches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub reviewer: String,
    pub verdict: VerdictKind,
    pub at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum VerdictKind {
    Pass,
    Revise,
    Reject,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Approval {
    pub by: String,
    pub at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Handover {
    pub to: String,
    pub at: Timestamp,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub training: Vec<Training>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A training session given to sales at handover (方案交接与培训).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Training {
    pub date: NaiveDate,
    pub topic: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attendees: Vec<String>,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Quotation {
    /// Σ quantity × unit price, rounded half-up to cents and shown with two decimals;
    /// `None` when the total is beyond what a decimal holds (about 7.9 × 10²⁸).
    pub fn compute_total(lines: &[QuoteLine]) -> Option<Decimal> {
        let mut total = Decimal::ZERO;
        for l in lines {
            total = total.checked_add(l.quantity.checked_mul(l.unit_price)?)?;
        }
        total =
            total.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        // Two decimals do not fit beside 28 integer digits: keep what fits.
        if total.scale() < 2 && total.abs() < Decimal::from_i128_with_scale(10_i128.pow(26), 0) {
            total.rescale(2);
        }
        Some(total)
    }
}

impl Risk {
    /// Likelihood × impact, 1–25 (saturating: a hand-edited file may hold larger values).
    pub fn score(&self) -> u8 {
        self.likelihood.saturating_mul(self.impact)
    }

    pub fn level(&self) -> &'static str {
        match self.score() {
            15.. => "high",
            8.. => "medium",
            _ => "low",
        }
    }
}

impl Solution {
    /// Whether a technical plan is present (inline or as a file).
    pub fn has_plan(&self) -> bool {
        self.plan.as_deref().is_some_and(|p| !p.trim().is_empty()) || self.plan_file.is_some()
    }
}

string_enum!(VerdictKind, "verdict", fold = str::to_string, {
    Pass => "pass",
    Revise => "revise",
    Reject => "reject",
});

#[cfg(test)]
mod tests {
    use super::*;

    fn line(q: &str, p: &str) -> QuoteLine {
        QuoteLine {
            item: "x".into(),
            quantity: q.parse().unwrap(),
            unit_price: p.parse().unwrap(),
            extra: Default::default(),
        }
    }

    #[test]
    fn quote_totals_are_decimal_without_float_drift() {
        let total = |lines: &[QuoteLine]| Quotation::compute_total(lines).unwrap().to_string();
        assert_eq!(total(&[line("1", "0.1"), line("1", "0.2")]), "0.30");
        assert_eq!(total(&[line("3", "33.333"), line("0.5", "0.01")]), "100.00");
        assert_eq!(total(&[]), "0.00");
        assert_eq!(
            total(&[line("12", "19999.99"), line("1", "0.005")]),
            "239999.89"
        );
        // Beyond what a decimal holds: no total, never a panic.
        let huge = "79228162514264337593543950335";
        assert_eq!(Quotation::compute_total(&[line(huge, huge)]), None);
        assert_eq!(
            Quotation::compute_total(&[line(huge, "1"), line(huge, "1")]),
            None
        );
        assert_eq!(
            Quotation::compute_total(&[line("1000000000000000", "1000000000000000")]),
            None
        );
    }

    #[test]
    fn risk_levels() {
        let r = |l, i| Risk {
            description: String::new(),
            likelihood: l,
            impact: i,
            mitigation: String::new(),
            owner: None,
            extra: Default::default(),
        };
        assert_eq!(r(5, 3).level(), "high");
        assert_eq!(r(2, 4).level(), "medium");
        assert_eq!(r(1, 5).level(), "low");
    }
}
