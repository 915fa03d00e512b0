//! The training session (员工技术培训 / 培训计划): what is taught, when, by whom, who was
//! invited and who actually attended.
//!
//! One file per session (`trainings/<year>/TRN-….yaml`). Attendance is a list of member ids
//! that only grows (`training attend`), so two branches recording different attendees merge
//! as a union. The trainings given to sales at a solution's handover stay on the solution
//! (`handover.training`); the training report reads both.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Extra, HistoryEntry, Kind, Record, Timestamp};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Training {
    pub id: String,
    pub title: String,
    pub kind: TrainingKind,
    /// The day the session is (or was) held.
    pub date: NaiveDate,
    /// How long the session is, in hours: an exact decimal above zero.
    #[schemars(with = "String")]
    pub hours: rust_decimal::Decimal,
    /// The member who gives it.
    pub trainer: String,
    /// Where it is held (a room, a city, an online meeting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// What it covers (products, subjects), one per line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
    /// The members invited.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attendees: Vec<String>,
    /// The members who attended (`training attend`), in the order recorded; may name
    /// members who were not invited.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attended: Vec<Attendance>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub created: Timestamp,
    pub author: String,
    #[serde(flatten)]
    pub extra: Extra,
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
}

impl Record for Training {
    const KIND: Kind = Kind::Training;
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

/// One member's attendance, as `training attend` recorded it. Two branches recording
/// different members merge as a union, in time order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Attendance {
    pub member: String,
    /// When it was recorded.
    pub at: Timestamp,
    /// Who recorded it.
    pub by: String,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

/// What a session is for.
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
pub enum TrainingKind {
    /// Products and techniques (技术培训).
    Product,
    /// Confidentiality and information security (保密培训), due yearly for every member.
    Security,
    /// A solution handed over to sales (方案交接与培训).
    Handover,
}

string_enum!(TrainingKind, "training kind", fold = |s| s.trim().to_ascii_lowercase(), {
    Product => "product",
    Security => "security",
    Handover => "handover",
});

impl Training {
    /// Whether `member` attended.
    pub fn did_attend(&self, member: &str) -> bool {
        self.attended.iter().any(|a| a.member == member)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_in_any_case_and_name_the_words() {
        assert_eq!(" Security ".parse(), Ok(TrainingKind::Security));
        assert_eq!("HANDOVER".parse(), Ok(TrainingKind::Handover));
        assert_eq!(
            "fun".parse::<TrainingKind>().unwrap_err(),
            "unknown training kind `fun` (expected product, security or handover)"
        );
    }
}
