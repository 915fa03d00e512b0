//! The local search log (`.presales/searches.json`): how many searches were run and which
//! went unanswered (the best hit matched less than half of the query), by normalised query.
//! Derived and private: never committed, so nobody's searches end up in git history; a
//! missing or unreadable log starts again from nothing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Store;
use crate::error::Result;
use crate::model::Timestamp;

const FILE: &str = "searches.json";

/// Distinct unanswered queries kept; past it, the least asked (then oldest) are dropped.
const MAX_QUERIES: usize = 1000;

/// The log, as stored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchLog {
    /// Searches run since the log began.
    pub searches: u64,
    /// Unanswered searches by normalised query.
    pub unanswered: BTreeMap<String, Unanswered>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unanswered {
    pub count: u64,
    pub last: Timestamp,
}

/// The form queries are counted under: trimmed, lower-case, inner white space as one space.
pub fn normalise(query: &str) -> String {
    query
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl SearchLog {
    /// Counts one search; `answered` false adds it to the unanswered ones. Pure.
    pub fn record(&mut self, query: &str, answered: bool, at: Timestamp) {
        self.searches += 1;
        let key = normalise(query);
        if answered || key.is_empty() {
            return;
        }
        let e = self
            .unanswered
            .entry(key)
            .or_insert(Unanswered { count: 0, last: at });
        e.count += 1;
        e.last = e.last.max(at);
        while self.unanswered.len() > MAX_QUERIES {
            let Some(drop) = self
                .unanswered
                .iter()
                .min_by(|a, b| (a.1.count, a.1.last).cmp(&(b.1.count, b.1.last)))
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            self.unanswered.remove(&drop);
        }
    }

    /// The most asked unanswered queries, most first (then latest, then by text).
    pub fn top(&self, n: usize) -> Vec<(&str, &Unanswered)> {
        let mut all: Vec<(&str, &Unanswered)> = self
            .unanswered
            .iter()
            .map(|(k, v)| (k.as_str(), v))
            .collect();
        all.sort_by(|a, b| {
            b.1.count
                .cmp(&a.1.count)
                .then_with(|| b.1.last.cmp(&a.1.last))
                .then_with(|| a.0.cmp(b.0))
        });
        all.truncate(n);
        all
    }
}

impl Store {
    /// The search log; empty when there is none or it cannot be read (it is derived data).
    pub fn search_log(&self) -> SearchLog {
        let Ok(path) = self.inside(&std::path::Path::new(super::CACHE_DIR).join(FILE)) else {
            return SearchLog::default();
        };
        std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Counts one search in the log (best effort: two searches at the same instant may
    /// count once; the file is replaced atomically, never left half-written).
    pub fn record_search(&self, query: &str, answered: bool, at: Timestamp) -> Result<()> {
        let mut log = self.search_log();
        log.record(query, answered, at);
        let path = self.cache_path(FILE)?;
        let bytes = serde_json::to_vec(&log)
            .map_err(|e| crate::error::Error::internal_from("search log", e))?;
        super::write_unflushed(&path, &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn unanswered_queries_count_under_their_normal_form() {
        let mut log = SearchLog::default();
        log.record("  VPN   Timeout ", false, at("2026-11-27T10:00:00+08:00"));
        log.record("vpn timeout", false, at("2026-11-28T10:00:00+08:00"));
        log.record("派工原则", true, at("2026-11-28T10:00:00+08:00"));
        log.record("灾备 方案", false, at("2026-11-26T10:00:00+08:00"));
        assert_eq!(log.searches, 4);
        let top = log.top(10);
        assert_eq!(top.len(), 2);
        assert_eq!(top[0].0, "vpn timeout");
        assert_eq!(top[0].1.count, 2);
        assert_eq!(top[0].1.last, at("2026-11-28T10:00:00+08:00"));
        assert_eq!(top[1].0, "灾备 方案");
        assert_eq!(log.top(1).len(), 1);
    }

    #[test]
    fn the_log_stays_bounded() {
        let mut log = SearchLog::default();
        let t = at("2026-11-27T10:00:00+08:00");
        log.record("kept", false, t);
        log.record("kept", false, t);
        for i in 0..MAX_QUERIES + 5 {
            log.record(&format!("q{i}"), false, t);
        }
        assert_eq!(log.unanswered.len(), MAX_QUERIES);
        assert!(log.unanswered.contains_key("kept"));
    }
}
