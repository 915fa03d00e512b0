//! The product gap (产品差距 / 改进需求): something a product lacks that deals asked for.
//!
//! A gap holds what it is and where engineering stands on it; the requests that ran into it
//! link to it from their own `gaps` list (DESIGN §2, hot records), so a gap that many deals
//! hit is never changed by their pull requests.

use serde::{Deserialize, Serialize};

use super::{Extra, HistoryEntry, Kind, Record, Timestamp};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Gap {
    pub id: String,
    pub title: String,
    /// The product that lacks it.
    pub product: String,
    /// The part of the product (module, feature area).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub status: GapStatus,
    /// The engineering reference (JIRA-123), set by `gap status --ref`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// A knowledge-base article describing the workaround.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workaround: Option<String>,
    pub created: Timestamp,
    pub author: String,
    /// Set by `gap merge`: this gap is the same as that one, which counts its links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
}

impl Record for Gap {
    const KIND: Kind = Kind::Gap;
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

/// Where engineering stands on a gap.
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
pub enum GapStatus {
    Open,
    Planned,
    Shipped,
    WontDo,
}

string_enum!(GapStatus, "gap status", fold = |s| s.trim().to_ascii_lowercase().replace('-', "_"), {
    Open => "open",
    Planned => "planned",
    Shipped => "shipped",
    WontDo => "wont_do",
});

/// How much a gap hurt one deal.
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
pub enum Severity {
    /// The deal cannot be won without it.
    Blocker,
    /// It makes the deal harder (a workaround, a concession).
    Challenge,
    NiceToHave,
}

string_enum!(Severity, "severity", fold = |s| s.trim().to_ascii_lowercase().replace('-', "_"), {
    Blocker => "blocker",
    Challenge => "challenge",
    NiceToHave => "nice_to_have",
});

/// A request's link to a gap it ran into (`gap link GAP REQ`), kept on the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GapLink {
    /// Stable id: merges of two branches that both linked gaps keep both links.
    pub id: String,
    /// The gap's ID.
    pub gap: String,
    pub severity: Severity,
    /// The id of the feedback item (of the request's latest demo at the time) it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
    pub at: Timestamp,
    pub by: String,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The gap that `id` stands for once merges are followed (`merged_into`, then that gap's,
/// …): itself when it was not merged. A chain that loops or leaves the known gaps stops at
/// the last gap reached. Pure.
pub fn resolve<'a>(gaps: &'a std::collections::BTreeMap<&str, &Gap>, id: &'a str) -> &'a str {
    let mut current = id;
    for _ in 0..gaps.len() {
        match gaps.get(current).and_then(|g| g.merged_into.as_deref()) {
            Some(next) if gaps.contains_key(next) => current = next,
            _ => break,
        }
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn gap(id: &str, merged_into: Option<&str>) -> Gap {
        Gap {
            id: id.into(),
            title: "t".into(),
            product: "p".into(),
            area: None,
            description: None,
            status: GapStatus::Open,
            reference: None,
            workaround: None,
            created: "2026-11-02T09:00:00+08:00".parse().unwrap(),
            author: "li.na".into(),
            merged_into: merged_into.map(Into::into),
            extra: Default::default(),
            history: vec![],
        }
    }

    #[test]
    fn merges_are_followed_to_the_end_and_loops_stop() {
        let all = [
            gap("A", Some("B")),
            gap("B", Some("C")),
            gap("C", None),
            gap("X", Some("Y")),
            gap("Y", Some("X")),
            gap("Z", Some("MISSING")),
        ];
        let map: BTreeMap<&str, &Gap> = all.iter().map(|g| (g.id.as_str(), g)).collect();
        assert_eq!(resolve(&map, "A"), "C");
        assert_eq!(resolve(&map, "C"), "C");
        assert_eq!(resolve(&map, "Z"), "Z");
        assert!(["X", "Y"].contains(&resolve(&map, "X")));
        assert_eq!(resolve(&map, "unknown"), "unknown");
    }

    #[test]
    fn words_parse_as_people_type_them() {
        assert_eq!("wont-do".parse(), Ok(GapStatus::WontDo));
        assert_eq!(" Nice_To_Have".parse(), Ok(Severity::NiceToHave));
        assert_eq!(
            "maybe".parse::<Severity>().unwrap_err(),
            "unknown severity `maybe` (expected blocker, challenge or nice_to_have)"
        );
    }
}
