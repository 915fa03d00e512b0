//! The customer file (客户档案). Service history is derived from requests, not stored here.

use serde::{Deserialize, Serialize};

use super::{Extra, HistoryEntry, Kind, Record, Timestamp, is_false};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Customer {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<Contact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_owner: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub confidential: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Contacts with the customer outside requests (客户接触记录: a call, a visit, a
    /// complaint by phone), oldest first (`presales customer note`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interactions: Vec<Interaction>,
    pub created: Timestamp,
    #[serde(flatten)]
    pub extra: Extra,
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Contact {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One contact with the customer outside requests. Its text and the contact's name are
/// personal data: history entries record them by hash only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Interaction {
    /// Stable id: merges of two branches that both noted a contact keep both.
    pub id: String,
    pub at: Timestamp,
    pub by: String,
    /// The customer's contact it was with (a name of `contacts`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    pub text: String,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

/// What stands in for a forgotten contact's name (`customer forget-contact`).
pub const FORGOTTEN: &str = "[forgotten]";

impl Customer {
    /// The contact named `name` (case-insensitive, trimmed).
    pub fn contact(&self, name: &str) -> Option<&Contact> {
        let want = name.trim().to_lowercase();
        self.contacts
            .iter()
            .find(|c| c.name.trim().to_lowercase() == want)
    }
}

impl Record for Customer {
    const KIND: Kind = Kind::Customer;
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

/// What listing and name lookups need of a customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerSummary {
    pub id: String,
    pub name: String,
    pub industry: Option<String>,
    pub region: Option<String>,
    pub account_owner: Option<String>,
    pub confidential: bool,
}

impl From<&Customer> for CustomerSummary {
    fn from(c: &Customer) -> Self {
        CustomerSummary {
            id: c.id.clone(),
            name: c.name.clone(),
            industry: c.industry.clone(),
            region: c.region.clone(),
            account_owner: c.account_owner.clone(),
            confidential: c.confidential,
        }
    }
}
