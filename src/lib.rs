//! `presales`: a presales technical-support team's workflow, kept as YAML files in git.
//!
//! Codemap:
//! - [`model`]: record types (request, solution, customer), IDs, history. Pure.
//! - [`config`]: `presales.toml`: team, SLA limits, workflow definitions.
//! - [`workflow`]: stages, legal moves and guards. Pure functions.
//! - [`assign`]: dispatch policies (round-robin, least-loaded). Pure.
//! - [`store`]: root discovery, paths, canonical YAML, atomic writes, the lock. The only
//!   module that touches record files.
//! - [`ops`]: the operations behind writing commands: validate, run the workflow, save.
//! - [`search`]: tantivy index, CJK bigram tokenizer, sync by fingerprint, queries. Never
//!   writes YAML.
//! - [`kb`]: knowledge-base operations (create, publish, archive, import, usage on
//!   requests) and keeping the search index in step with the record files.
//! - [`git`]: the only module that runs git.
//! - [`cli`]: clap commands and output rendering. The only module that prints.

pub mod assign;
pub mod cli;
pub mod config;
pub mod error;
pub mod git;
pub mod kb;
pub mod model;
pub mod ops;
pub mod search;
pub mod store;
pub mod workflow;

pub use error::{Error, Result};
