//! Record types (serde) and the small value types they share. Pure: no I/O.

/// The boilerplate of an enum written as a fixed word (priority, category, outcome, …):
/// `ALL` in declaration order, `as_str`, `Display`, and `FromStr` with the message users see,
/// `unknown <noun> `x` (expected a, b or c)` (`expected one of: a, b, …` past five words).
/// `fold` is applied to the input before it is compared with the words (trimming, case).
///
/// The enum itself is declared beside it with its serde and schemars derives, whose names
/// must be these words (the model's tests compare them for every enum).
macro_rules! string_enum {
    ($name:ident, $noun:literal, fold = $fold:expr, { $($variant:ident => $word:literal),+ $(,)? }) => {
        impl $name {
            pub const ALL: [$name; [$($word),+].len()] = [$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }

            /// The words, as the error message lists them.
            fn expected() -> String {
                let words: &[&str] = &[$($word),+];
                match words {
                    _ if words.len() > 5 => format!("one of: {}", words.join(", ")),
                    [rest @ .., last] if !rest.is_empty() => {
                        format!("{} or {last}", rest.join(", "))
                    }
                    _ => words.join(", "),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let fold: fn(&str) -> String = $fold;
                let wanted = fold(s);
                $name::ALL
                    .into_iter()
                    .find(|v| v.as_str() == wanted)
                    .ok_or_else(|| {
                        format!("unknown {} `{s}` (expected {})", $noun, $name::expected())
                    })
            }
        }
    };
}
pub(crate) use string_enum;

pub mod action;
pub mod article;
pub mod customer;
pub mod extra;
pub mod facts;
pub mod gap;
pub mod history;
pub mod id;
pub mod request;
pub mod solution;
pub mod training;

use chrono::{DateTime, FixedOffset, SubsecRound};
use serde::{Deserialize, Serialize};

pub use action::Action;
pub use article::Article;
pub use customer::{Contact, Customer};
pub use extra::Extra;
pub use gap::{Gap, GapLink, GapStatus, Severity};
pub use history::HistoryEntry;
pub use id::{Kind, RecordId};
pub use request::{Activity, Assessment, Demo, Effort, Feedback, Outcome, Request};
pub use solution::Solution;
pub use training::{Attendance, Training, TrainingKind};

/// Every timestamp in a record: RFC 3339 with its UTC offset, whole seconds.
pub type Timestamp = DateTime<FixedOffset>;

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

string_enum!(Priority, "priority", fold = |s| s.trim().to_ascii_uppercase(), {
    P1 => "P1",
    P2 => "P2",
    P3 => "P3",
    P4 => "P4",
});

pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}

#[cfg(test)]
mod string_enum_tests {
    use super::article::{Category, Status};
    use super::request::Feasibility;
    use super::solution::VerdictKind;
    use super::{Outcome, Priority};
    use crate::config::Role;

    /// Every word is the serde name of its variant, and parses back.
    fn round_trips<T>(all: &[T])
    where
        T: Copy + PartialEq + std::fmt::Debug + std::fmt::Display + serde::Serialize,
        T: std::str::FromStr<Err = String>,
    {
        for v in all {
            let word = v.to_string();
            assert_eq!(serde_json::to_value(v).unwrap(), word.as_str(), "{v:?}");
            assert_eq!(word.parse::<T>(), Ok(*v));
        }
    }

    #[test]
    fn words_are_the_serde_names_and_parse_back() {
        round_trips(&Priority::ALL);
        round_trips(&Category::ALL);
        round_trips(&Status::ALL);
        round_trips(&Outcome::ALL);
        round_trips(&Feasibility::ALL);
        round_trips(&VerdictKind::ALL);
        round_trips(&Role::ALL);
        round_trips(&super::GapStatus::ALL);
        round_trips(&super::Severity::ALL);
        round_trips(&super::TrainingKind::ALL);
    }

    #[test]
    fn spellings_and_messages_are_as_before_the_macro() {
        assert_eq!(" p2 ".parse(), Ok(Priority::P2));
        assert_eq!(" Case-Study ".parse(), Ok(Category::CaseStudy));
        assert_eq!(" Draft".parse(), Ok(Status::Draft));
        assert!("Won".parse::<Outcome>().is_err());
        assert!(" lead".parse::<Role>().is_err());
        let err = |r: Result<(), String>| r.unwrap_err();
        assert_eq!(
            err("P9".parse::<Priority>().map(drop)),
            "unknown priority `P9` (expected P1, P2, P3 or P4)"
        );
        assert_eq!(
            err("manual".parse::<Category>().map(drop)),
            "unknown category `manual` (expected one of: product_manual, technical_doc, \
             demo_material, faq, case_study, solution_template, training)"
        );
        assert_eq!(
            err("old".parse::<Status>().map(drop)),
            "unknown status `old` (expected draft, published or archived)"
        );
        assert_eq!(
            err("maybe".parse::<Outcome>().map(drop)),
            "unknown outcome `maybe` (expected one of: won, lost, cancelled, no_decision, infeasible, resolved, rejected)"
        );
        assert_eq!(
            err("boss".parse::<Role>().map(drop)),
            "unknown role `boss` (expected engineer, lead, approver or sales)"
        );
        assert_eq!(
            err("maybe".parse::<Feasibility>().map(drop)),
            "unknown feasibility `maybe` (expected feasible, partial or infeasible)"
        );
    }
}
