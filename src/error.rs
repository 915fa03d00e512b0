//! The library's error type: every variant carries the context a user needs to act on it.

use std::io;
use std::path::PathBuf;

use crate::workflow::WorkflowError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },

    /// A record or config file that does not parse; `line`/`column` are 1-based.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: u64,
        column: u64,
        message: String,
        hint: Option<String>,
    },

    #[error("no presales store found in {}{}", start.display(), if *searched_parents { " or any parent folder" } else { " (no presales.toml there)" })]
    NoStore {
        start: PathBuf,
        searched_parents: bool,
    },

    #[error("{} already holds a presales store ({})", dir.display(), crate::config::CONFIG_FILE)]
    StoreExists { dir: PathBuf },

    #[error("no {noun} matches `{input}`")]
    NotFound {
        noun: &'static str,
        input: String,
        hint: Option<String>,
    },

    #[error("`{input}` is ambiguous: it matches {}", matches.join(", "))]
    Ambiguous { input: String, matches: Vec<String> },

    #[error(transparent)]
    Workflow(#[from] WorkflowError),

    /// A request the user made that cannot be carried out as asked.
    #[error("{message}")]
    Invalid {
        message: String,
        hint: Option<String>,
    },

    #[error("git: {0}")]
    Git(String),

    /// The store was written by a newer presales than this one.
    #[error(
        "this store is in format {format}, newer than presales {} understands (format {}); it will not {doing} it",
        crate::store::format::VERSION,
        crate::store::format::CURRENT
    )]
    StoreTooNew {
        format: u32,
        requires: Option<String>,
        doing: &'static str,
    },
}

impl Error {
    pub fn invalid(message: impl Into<String>) -> Error {
        Error::Invalid {
            message: message.into(),
            hint: None,
        }
    }

    pub fn invalid_with_hint(message: impl Into<String>, hint: impl Into<String>) -> Error {
        Error::Invalid {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// Next steps to print under the error, if any.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Parse { hint, .. } | Error::Invalid { hint, .. } | Error::NotFound { hint, .. } => {
                hint.clone()
            }
            Error::NoStore { .. } => Some(
                "run `presales init` to create one, or point to it with --root DIR or PRESALES_ROOT"
                    .into(),
            ),
            Error::StoreExists { .. } => {
                Some("use another folder, or edit the existing presales.toml".into())
            }
            Error::Ambiguous { .. } => Some("type more characters of the ID".into()),
            Error::StoreTooNew { requires, .. } => Some(match requires {
                Some(v) => format!(
                    "install presales {v} or later (presales.toml names it under [store] requires); reading commands still work"
                ),
                None => "install a newer presales; reading commands still work".into(),
            }),
            _ => None,
        }
    }
}
