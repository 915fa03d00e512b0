//! What the user reads when a command fails: the kind of failure, which decides the exit
//! code, then the error, its cause chain and the hints (jj's `CommandError`).

use std::error::Error as StdError;
use std::io;

use super::output;
use crate::error::Error;

/// Whose failure it is; decides the exit code (DESIGN §8: 0 ok, 1 user error, 2 usage).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// What the user asked for or gave cannot be done as asked (a record, an ID, a move).
    User,
    /// presales.toml does not parse, or has problems that stop the command.
    Config,
    /// The command line itself lacks something (clap's own errors are usage errors too).
    Usage,
    /// The reader of stdout went away (`presales list | head`): not a failure at all.
    BrokenPipe,
    /// A bug of ours: an invariant broken, a struct of ours that does not serialize.
    Internal,
}

impl ErrorKind {
    /// The process exit code: 2 for usage (as clap), 0 for a closed pipe, 1 otherwise.
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::BrokenPipe => 0,
            ErrorKind::Usage => 2,
            ErrorKind::User | ErrorKind::Config | ErrorKind::Internal => 1,
        }
    }
}

/// A failed command as the CLI reports it.
#[derive(Debug)]
pub struct CommandError {
    pub kind: ErrorKind,
    pub error: Box<dyn StdError + Send + Sync>,
    pub hints: Vec<String>,
}

/// The one mapping from the library's errors to kinds.
pub fn kind_of(e: &Error) -> ErrorKind {
    match e {
        Error::Stdout(io) | Error::Io { source: io, .. }
            if io.kind() == io::ErrorKind::BrokenPipe =>
        {
            ErrorKind::BrokenPipe
        }
        Error::Parse { path, .. }
            if path.file_name() == Some(std::ffi::OsStr::new(crate::config::CONFIG_FILE)) =>
        {
            ErrorKind::Config
        }
        Error::Config { .. } => ErrorKind::Config,
        Error::Usage { .. } => ErrorKind::Usage,
        Error::Internal { .. } => ErrorKind::Internal,
        _ => ErrorKind::User,
    }
}

impl From<Error> for CommandError {
    fn from(e: Error) -> Self {
        CommandError {
            kind: kind_of(&e),
            hints: e.hint().into_iter().collect(),
            error: Box::new(e),
        }
    }
}

impl CommandError {
    /// The lines to print on stderr (see [`lines`]); none for a closed pipe.
    pub fn lines(&self) -> Vec<(&'static str, String)> {
        if self.kind == ErrorKind::BrokenPipe {
            return Vec::new();
        }
        lines(&*self.error, &self.hints)
    }

    /// Prints the error on stderr.
    pub fn print(&self, color: bool) {
        print(&self.lines(), color);
    }
}

/// An error as lines, uncoloured and unescaped: `error: …`, one `caused by: …` per source in
/// its chain whose text is not already shown (an io error a message quotes is not repeated),
/// then `hint: …`.
pub fn lines(error: &dyn StdError, hints: &[String]) -> Vec<(&'static str, String)> {
    let message = error.to_string();
    let mut shown = message.clone();
    let mut lines = vec![("error", message)];
    let mut next = error.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if !text.trim().is_empty() && !shown.contains(text.trim()) {
            shown.push('\n');
            shown.push_str(&text);
            lines.push(("caused by", text));
        }
        next = cause.source();
    }
    lines.extend(hints.iter().map(|h| ("hint", h.clone())));
    lines
}

/// Prints lines of [`lines`] on stderr, escaped like every output (messages quote record
/// data), `error` in red and `hint` in yellow when `color`.
pub fn print(lines: &[(&'static str, String)], color: bool) {
    let (red, yellow, reset) = if color {
        ("\x1b[1;31m", "\x1b[1;33m", "\x1b[0m")
    } else {
        ("", "", "")
    };
    for (label, text) in lines {
        let (on, off) = match *label {
            "error" => (red, reset),
            "hint" => (yellow, reset),
            _ => ("", ""),
        };
        eprintln!("{on}{label}{off}: {}", output::safe(text));
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::error::GitFailure;
    use crate::search::SearchError;

    fn io(kind: io::ErrorKind) -> io::Error {
        io::Error::new(kind, format!("{kind:?} happened"))
    }

    #[test]
    fn each_error_has_its_kind_and_exit_code() {
        let cases: Vec<(Error, ErrorKind, u8)> = vec![
            (Error::invalid("no"), ErrorKind::User, 1),
            (
                Error::io("requests/x.yaml", io(io::ErrorKind::NotFound)),
                ErrorKind::User,
                1,
            ),
            (
                Error::io("out", io(io::ErrorKind::BrokenPipe)),
                ErrorKind::BrokenPipe,
                0,
            ),
            (
                Error::Stdout(io(io::ErrorKind::BrokenPipe)),
                ErrorKind::BrokenPipe,
                0,
            ),
            (
                Error::Stdout(io(io::ErrorKind::StorageFull)),
                ErrorKind::User,
                1,
            ),
            (
                Error::Parse {
                    path: PathBuf::from("store/presales.toml"),
                    line: 3,
                    column: 1,
                    message: "expected `=`".into(),
                    hint: None,
                },
                ErrorKind::Config,
                1,
            ),
            (
                Error::Parse {
                    path: PathBuf::from("requests/2026/REQ-20261127-A000001.yaml"),
                    line: 3,
                    column: 1,
                    message: "bad".into(),
                    hint: None,
                },
                ErrorKind::User,
                1,
            ),
            (
                Error::Config {
                    message: "two members are `li`".into(),
                    hint: None,
                },
                ErrorKind::Config,
                1,
            ),
            (
                Error::Usage {
                    message: "missing --title".into(),
                    hint: None,
                },
                ErrorKind::Usage,
                2,
            ),
            (Error::internal("broken"), ErrorKind::Internal, 1),
            (
                Error::Git {
                    args: "commit".into(),
                    source: GitFailure::Answer("cut short"),
                },
                ErrorKind::User,
                1,
            ),
            (Error::Search(SearchError::EmptyQuery), ErrorKind::User, 1),
            (
                Error::NotFound {
                    noun: "request",
                    input: "REQ-1".into(),
                    hint: None,
                },
                ErrorKind::User,
                1,
            ),
        ];
        for (e, kind, code) in cases {
            let shown = e.to_string();
            let c = CommandError::from(e);
            assert_eq!((c.kind, c.kind.exit_code()), (kind, code), "{shown}");
        }
    }

    #[test]
    fn the_cause_chain_is_printed_once_per_cause() {
        let git = CommandError::from(Error::Git {
            args: "cat-file --batch".into(),
            source: GitFailure::Run(io::Error::new(io::ErrorKind::NotFound, "no such file")),
        });
        assert_eq!(
            git.lines(),
            vec![
                ("error", "git cat-file --batch failed".to_string()),
                ("caused by", "cannot run git".to_string()),
                ("caused by", "no such file".to_string()),
            ]
        );
        // The io error's text is already in the message: not printed again.
        let e = CommandError::from(Error::io(
            "requests/x.yaml",
            io::Error::new(io::ErrorKind::PermissionDenied, "permission denied"),
        ));
        assert_eq!(
            e.lines(),
            vec![("error", "requests/x.yaml: permission denied".to_string())]
        );
        // A search error keeps its cause and its hint.
        let e = CommandError::from(Error::Search(SearchError::Write {
            path: PathBuf::from(".presales/index"),
            source: io::Error::new(io::ErrorKind::StorageFull, "No space left on device"),
        }));
        let lines = e.lines();
        assert_eq!(lines[0].0, "error");
        assert_eq!(
            lines[1],
            ("caused by", "No space left on device".to_string())
        );
        assert_eq!(lines[2].0, "hint");
        assert_eq!(lines.len(), 3);
        // An internal error asks for a bug report.
        let e = CommandError::from(Error::internal_from(
            "cannot serialize the report",
            io::Error::other("key must be a string"),
        ));
        let lines = e.lines();
        assert_eq!(
            lines[..2],
            [
                ("error", "cannot serialize the report".to_string()),
                ("caused by", "key must be a string".to_string()),
            ]
        );
        assert_eq!(lines[2].0, "hint");
    }

    #[test]
    fn a_closed_pipe_prints_nothing() {
        let e = CommandError::from(Error::Stdout(io(io::ErrorKind::BrokenPipe)));
        assert!(e.lines().is_empty());
    }
}
