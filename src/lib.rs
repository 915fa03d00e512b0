//! `presales`: a presales technical-support team's workflow, kept as YAML files in git.
//!
//! Codemap:
//! - [`model`]: record types (request, solution, customer), IDs, history. Pure.
//! - [`config`]: `presales.toml`: team, SLA limits, workflow definitions.
//! - [`calendar`]: the business-hours calendar and working-time arithmetic for SLAs. Pure.
//! - [`workflow`]: stages, legal moves and guards. Pure functions.
//! - [`assign`]: dispatch policies (round-robin, least-loaded). Pure.
//! - [`store`]: root discovery, paths, canonical YAML, atomic writes, the lock. The only
//!   module that touches record files.
//! - [`ops`]: the operations behind writing commands: validate, run the workflow, save.
//! - [`schema`]: JSON Schemas generated from the record types; the editor header line.
//! - [`check`]: store validation and the base-vs-head rules of a pull request.
//! - [`merge`]: field-by-field three-way merge of records for git's merge driver. Pure.
//! - [`report`]: metrics for the reports (weekly, SLA, performance, KB, customer) as plain
//!   Serialize structs. Pure: no I/O, no formatting.
//! - [`search`]: tantivy index, CJK bigram tokenizer, sync by fingerprint, queries. Never
//!   writes YAML.
//! - [`kb`]: knowledge-base operations (create, publish, archive, import, usage on
//!   requests) and keeping the search index in step with the record files.
//! - [`git`]: the only module that runs git.
//! - [`cli`]: clap commands and output rendering. The only module that prints.

pub mod assign;
pub mod calendar;
pub mod check;
pub mod cli;
pub mod config;
pub mod error;
pub mod git;
pub mod kb;
pub mod merge;
pub mod model;
pub mod ops;
pub mod report;
pub mod schema;
pub mod search;
pub mod store;
pub mod workflow;

pub use error::{Error, Result};
