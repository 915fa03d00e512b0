//! The library's error type: every variant carries the context a user needs to act on it.

use std::io;
use std::path::PathBuf;

use crate::search::SearchError;
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

    #[error("`{input}` is ambiguous: it matches {}", listed(matches))]
    Ambiguous { input: String, matches: Vec<String> },

    #[error(transparent)]
    Workflow(#[from] WorkflowError),

    /// A request the user made that cannot be carried out as asked.
    #[error("{message}")]
    Invalid {
        message: String,
        hint: Option<String>,
    },

    /// git could not be run or failed: the arguments it was given, and why.
    #[error("git {args} failed")]
    Git {
        args: String,
        #[source]
        source: GitFailure,
    },

    /// The search index could not be opened, updated or searched; the variant says why and
    /// keeps the underlying error as its source.
    #[error(transparent)]
    Search(#[from] SearchError),

    /// Writing the results to stdout failed (a closed pipe among others).
    #[error("cannot write to stdout")]
    Stdout(#[source] io::Error),

    /// presales.toml parses but has problems ([`crate::config::Config::problems`]) that
    /// stop this command.
    #[error("{message}")]
    Config {
        message: String,
        hint: Option<String>,
    },

    /// A command line that lacks what the command needs, where clap cannot say so itself
    /// (a flag required only when there is no terminal to prompt on). Exits 2, like clap's.
    #[error("{message}")]
    Usage {
        message: String,
        hint: Option<String>,
    },

    /// A failure that is not the user's: an invariant of our own broken, a struct of ours
    /// that does not serialize. Worth a bug report.
    #[error("{message}")]
    Internal {
        message: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },

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

/// Why a git command failed.
#[derive(Debug, thiserror::Error)]
pub enum GitFailure {
    /// git could not be started, or talking to it through its pipes failed.
    #[error("cannot run git")]
    Run(#[source] io::Error),
    /// git ran and refused: its exit status and what it said on stderr.
    #[error("{}", if stderr.is_empty() { format!("git exited with {status}") } else { stderr.clone() })]
    Exit {
        status: std::process::ExitStatus,
        stderr: String,
    },
    /// git's answer did not have the shape asked for.
    #[error("{0}")]
    Answer(&'static str),
}

impl Error {
    /// A failure that is not the user's (see [`Error::Internal`]).
    pub fn internal(message: impl Into<String>) -> Error {
        Error::Internal {
            message: message.into(),
            source: None,
        }
    }

    /// A failure that is not the user's, with the error behind it.
    pub fn internal_from(
        message: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Error {
        Error::Internal {
            message: message.into(),
            source: Some(source.into()),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Error {
        Error::Invalid {
            message: message.into(),
            hint: None,
        }
    }

    /// A command line that lacks what clap cannot require (exit code 2).
    pub fn usage(message: impl Into<String>) -> Error {
        Error::Usage {
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
            Error::Parse { hint, .. }
            | Error::Invalid { hint, .. }
            | Error::NotFound { hint, .. }
            | Error::Config { hint, .. }
            | Error::Usage { hint, .. } => hint.clone(),
            Error::Search(e) => crate::kb::index::search_hint(e),
            Error::NoStore { .. } => Some(
                "run `presales init` to create one, or point to it with --root DIR or PRESALES_ROOT"
                    .into(),
            ),
            Error::StoreExists { .. } => {
                Some("use another folder, or edit the existing presales.toml".into())
            }
            Error::Ambiguous { .. } => {
                Some("type more characters of the ID (or of the name)".into())
            }
            Error::StoreTooNew { requires, .. } => Some(match requires {
                Some(v) => format!(
                    "install presales {v} or later (presales.toml names it under [store] requires); reading commands still work"
                ),
                None => "install a newer presales; reading commands still work".into(),
            }),
            Error::Internal { .. } => Some(
                "this is a bug in presales; please report it with the command that caused it"
                    .into(),
            ),
            _ => None,
        }
    }
}

/// The candidates of an ambiguous abbreviation: all of them up to five, else the first five
/// and how many more.
fn listed(matches: &[String]) -> String {
    const SHOWN: usize = 5;
    if matches.len() <= SHOWN {
        return matches.join(", ");
    }
    format!(
        "{} records: {} and {} more",
        matches.len(),
        matches[..SHOWN].join(", "),
        matches.len() - SHOWN
    )
}
