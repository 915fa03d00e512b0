//! The store format: which layout of the files this binary reads and writes, how old and new
//! stores are told apart, and what a binary may do with a store newer than itself.
//!
//! `presales.toml` records the format under `[store] format` (and, for older binaries'
//! messages, `requires`: the oldest release that understands it). Every binary reads every
//! older format; `presales migrate` upgrades a store to [`CURRENT`]; a binary never writes or
//! judges a store of a newer format.

use crate::error::{Error, Result};

/// The format this binary writes.
pub const CURRENT: u32 = 2;

/// Each format and the first presales release that reads and writes it. Format 1 is the
/// one presales 0.1.0 wrote without recording it. Format 2 (0.2.0) records the format, and
/// its history entries can be replayed: each carries its command's whole input and an
/// operation id, and demos, feedback items and review verdicts have stable ids.
const RELEASES: &[(u32, &str)] = &[(1, "0.1.0"), (2, "0.2.0")];

/// This binary's version, as the messages name it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The oldest release that reads and writes `format` (for formats this binary knows).
pub fn requires(format: u32) -> &'static str {
    RELEASES
        .iter()
        .find(|(f, _)| *f == format)
        .map_or(VERSION, |(_, v)| v)
}

/// The format a store declares, as read from presales.toml.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoreFormat {
    /// `[store] format`, if written (stores made by presales 0.1.0 have none).
    pub recorded: Option<u32>,
    /// `[store] requires`, if written.
    pub requires: Option<String>,
}

impl StoreFormat {
    /// Reads `[store] format` and `requires` from presales.toml text without parsing the rest,
    /// so a store written by a newer version (with settings this one does not know) can still
    /// be recognised as such. `None` when the text is not TOML at all.
    pub fn peek(text: &str) -> Option<StoreFormat> {
        let table: toml::Table = toml::from_str(text).ok()?;
        let store = table.get("store").and_then(|s| s.as_table());
        let recorded = store
            .and_then(|s| s.get("format"))
            .and_then(|f| f.as_integer())
            .and_then(|f| u32::try_from(f).ok());
        let requires = store
            .and_then(|s| s.get("requires"))
            .and_then(|r| r.as_str())
            .map(str::to_string);
        Some(StoreFormat { recorded, requires })
    }

    /// The format the files are in: what is recorded, else 1.
    pub fn effective(&self) -> u32 {
        self.recorded.unwrap_or(1)
    }

    /// Written by a newer presales than this one.
    pub fn is_newer(&self) -> bool {
        self.effective() > CURRENT
    }

    /// `presales migrate` has something to do: an older format, or none recorded.
    pub fn migration_due(&self) -> bool {
        !self.is_newer() && self.recorded != Some(CURRENT)
    }

    /// Refuses `doing` ("write to", "judge") on a store of a newer format.
    pub fn ensure_understood(&self, doing: &'static str) -> Result<()> {
        if self.is_newer() {
            return Err(self.too_new(doing));
        }
        Ok(())
    }

    /// The refusal of `doing` something to a store of a newer format.
    pub fn too_new(&self, doing: &'static str) -> Error {
        Error::StoreTooNew {
            format: self.effective(),
            requires: self.requires.clone(),
            doing,
        }
    }

    /// One line describing the migration `presales migrate` would make.
    pub fn migration_summary(&self) -> String {
        match self.recorded {
            None => format!(
                "the store format is not recorded (a store made by presales 0.1.0); \
                 `presales migrate` records format {CURRENT}"
            ),
            Some(f) => format!(
                "the store is in format {f}; this presales writes format {CURRENT}: \
                 run `presales migrate` in a pull request of its own"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peek_reads_format_and_requires_ignoring_unknown_settings() {
        let f = StoreFormat::peek(
            "[store]\nformat = 7\nrequires = \"9.1.0\"\nsomething_new = true\n[new_table]\nx = 1\n",
        )
        .unwrap();
        assert_eq!(f.recorded, Some(7));
        assert_eq!(f.requires.as_deref(), Some("9.1.0"));
        assert!(f.is_newer());
        assert!(!f.migration_due());
        let e = f.ensure_understood("write to").unwrap_err().to_string();
        assert!(e.contains("format 7"), "{e}");
        assert!(e.contains(VERSION), "{e}");
        let hint = Error::StoreTooNew {
            format: 7,
            requires: Some("9.1.0".into()),
            doing: "judge",
        }
        .hint()
        .unwrap();
        assert!(hint.contains("9.1.0"), "{hint}");
    }

    #[test]
    fn a_store_without_a_format_is_format_one_and_due_for_migration() {
        let f = StoreFormat::peek("[store]\nauto_commit = true\n").unwrap();
        assert_eq!(f.effective(), 1);
        assert!(!f.is_newer());
        assert!(f.migration_due());
        assert!(f.ensure_understood("write to").is_ok());
        let current = StoreFormat {
            recorded: Some(CURRENT),
            requires: None,
        };
        assert!(!current.migration_due());
        assert!(
            StoreFormat {
                recorded: Some(1),
                requires: None
            }
            .migration_due()
        );
        assert!(StoreFormat::peek("not = [toml").is_none());
    }

    #[test]
    fn every_format_up_to_the_current_one_names_its_first_release() {
        for f in 1..=CURRENT {
            assert!(RELEASES.iter().any(|(g, _)| *g == f), "format {f}");
        }
        assert_eq!(requires(1), "0.1.0");
        assert_eq!(requires(2), "0.2.0");
    }
}
