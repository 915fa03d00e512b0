//! The append-only history entry that every record carries.

use serde::{Deserialize, Serialize};

use super::{Extra, Timestamp};

/// One change a command made: who, when, what. Entries are appended, never rewritten.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HistoryEntry {
    pub at: Timestamp,
    pub by: String,
    pub action: String,
    /// The operation this entry belongs to: every entry one command writes, in every record,
    /// carries the same id (store format 2 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The keys of a history entry that are fields of [`HistoryEntry`], not extras.
pub const NAMED: [&str; 7] = ["at", "by", "action", "op", "from", "to", "note"];

impl HistoryEntry {
    pub fn new(at: Timestamp, by: &str, action: &str) -> HistoryEntry {
        HistoryEntry {
            at,
            by: by.to_string(),
            action: action.to_string(),
            op: None,
            from: None,
            to: None,
            note: None,
            extra: Extra::new(),
        }
    }

    pub fn from_to(mut self, from: impl Into<String>, to: impl Into<String>) -> Self {
        self.from = Some(from.into());
        self.to = Some(to.into());
        self
    }

    pub fn to(mut self, to: impl Into<String>) -> Self {
        self.to = Some(to.into());
        self
    }

    pub fn op(mut self, op: impl Into<String>) -> Self {
        self.op = Some(op.into());
        self
    }

    pub fn note(mut self, note: Option<impl Into<String>>) -> Self {
        self.note = note.map(Into::into);
        self
    }

    /// Adds an extra key. The named fields (`at`, `by`, `action`, `from`, `to`, `note`) have
    /// their own setters: an extra under one of those names would read back as the field.
    pub fn with(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        debug_assert!(
            !NAMED.contains(&key),
            "`{key}` is a named field of a history entry"
        );
        self.extra.insert(key.to_string(), value.into());
        self
    }
}
