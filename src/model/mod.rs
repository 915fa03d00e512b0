//! Record types (serde) and the small value types they share. Pure: no I/O.

pub mod action;
pub mod article;
pub mod customer;
pub mod history;
pub mod id;
pub mod request;
pub mod solution;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, SubsecRound};
use serde::{Deserialize, Serialize};

pub use action::Action;
pub use article::Article;
pub use customer::{Contact, Customer};
pub use history::HistoryEntry;
pub use id::{Kind, RecordId};
pub use request::{Assessment, Demo, Feedback, Outcome, Request};
pub use solution::Solution;

/// Every timestamp in a record: RFC 3339 with its UTC offset, whole seconds.
pub type Timestamp = DateTime<FixedOffset>;

/// Fields this version does not know, kept verbatim so a rewrite never drops them.
pub type Extra = BTreeMap<String, serde_json::Value>;

/// The content hash recorded for a text or a file named by a record: `sha256:` and the hex
/// digest of its bytes with CRLF line ends read as LF, so a Windows checkout hashes the same.
pub fn content_hash(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    if text.contains('\r') {
        h.update(text.replace("\r\n", "\n").as_bytes());
    } else {
        h.update(text.as_bytes());
    }
    format!("sha256:{:x}", h.finalize())
}

/// Truncates a clock reading to whole seconds, the precision records store.
pub fn to_record_time(t: Timestamp) -> Timestamp {
    t.trunc_subsecs(0)
}

/// The behaviour every stored record shares.
pub trait Record: Serialize + serde::de::DeserializeOwned + Clone {
    const KIND: Kind;
    fn id(&self) -> &str;
    fn history(&self) -> &[HistoryEntry];
    fn history_mut(&mut self) -> &mut Vec<HistoryEntry>;
}

/// Request priority, P1 (most urgent) to P4.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
pub enum Priority {
    P1,
    P2,
    #[default]
    P3,
    P4,
}

impl Priority {
    pub const ALL: [Priority; 4] = [Priority::P1, Priority::P2, Priority::P3, Priority::P4];
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Priority::P1 => "P1",
            Priority::P2 => "P2",
            Priority::P3 => "P3",
            Priority::P4 => "P4",
        })
    }
}

impl FromStr for Priority {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Priority::ALL
            .into_iter()
            .find(|p| p.to_string().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown priority `{s}` (expected P1, P2, P3 or P4)"))
    }
}

pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}
