//! The command line: clap types, one file per subcommand, and the one place that prints,
//! prompts, and reads argv and the environment.

/// `eprintln!` for the whole command line, without its panic: status lines go to stderr,
/// and when stderr is closed (`presales show X 2>&- `, a pager that quit) they are dropped
/// instead of crashing the command with exit 101. Declared before the modules, so it
/// shadows std's in every file of `cli`.
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod advance;
mod agenda;
mod assess;
mod assign;
mod check;
mod close;
mod comment;
mod complete;
mod customer;
mod demo;
mod edit;
mod error;
mod fit;
mod fmt;
mod gap;
mod html;
mod inbox;
mod init;
mod kb;
mod list;
mod log;
mod merge;
mod migrate;
mod new;
mod output;
mod reindex;
mod reopen;
mod report;
mod review;
mod schema;
mod search;
mod show;
mod solution;
mod svg;
mod team;
mod training;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use crate::error::{Error, Result};
use crate::model::{Timestamp, to_record_time};
use crate::ops::Actor;
use crate::store::{self, Store};

pub use error::{CommandError, ErrorKind};
pub use output::{ColorChoice, Format};

/// Run a presales technical-support team's workflow out of a git repository.
///
/// Requests, solutions, knowledge-base articles and customers are YAML files in a folder
/// kept under git; commands create them and move them through the workflow.
#[derive(Debug, Parser)]
#[command(name = "presales", version = env!("PRESALES_VERSION"), about, long_about = None, after_help = EXAMPLES)]
pub struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

const EXAMPLES: &str = "Examples:
  presales init my-store && cd my-store
  presales customer new --name 华东银行 --industry banking
  presales new --title '智慧园区网络改造' --customer CUS-… --priority P2
  presales assign REQ-… --auto --dry-run
  presales list --open
  presales report weekly --format markdown";

#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct GlobalArgs {
    /// Store root (default: the nearest folder holding presales.toml).
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "PRESALES_ROOT",
        value_name = "DIR"
    )]
    root: Option<PathBuf>,
    /// Act as this team member (id or e-mail); default: git config user.email.
    #[arg(
        long = "as",
        global = true,
        help_heading = "Global options",
        env = "PRESALES_USER",
        value_name = "MEMBER"
    )]
    as_member: Option<String>,
    /// Output format of read commands.
    #[arg(long, global = true, help_heading = "Global options", value_enum, default_value_t = Format::Table)]
    format: Format,
    /// When to use colour on the terminal.
    #[arg(long, global = true, help_heading = "Global options", value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Never prompt; fail when something required is missing.
    #[arg(long, global = true, help_heading = "Global options")]
    no_input: bool,
    /// Commit exactly the files a writing command touched (also `auto_commit` in presales.toml).
    #[arg(long, global = true, help_heading = "Global options")]
    commit: bool,
    /// Never cut tables or wrap text to the terminal's width (COLUMNS, else the terminal's
    /// size); output that is not a terminal is never cut.
    #[arg(long, global = true, help_heading = "Global options")]
    wide: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    Init(init::Args),
    Team(team::Args),
    Customer(customer::Args),
    New(new::Args),
    Assign(assign::Args),
    Assess(assess::Args),
    Advance(advance::Args),
    Comment(comment::Args),
    Log(log::Args),
    Inbox(inbox::Args),
    Agenda(agenda::Args),
    Gap(gap::Args),
    Training(training::Args),
    Close(close::Args),
    Reopen(reopen::ReopenArgs),
    Rate(reopen::RateArgs),
    Show(show::Args),
    List(list::Args),
    Edit(edit::Args),
    Solution(solution::Args),
    Fmt(fmt::Args),
    Check(check::Args),
    MergeFile(merge::Args),
    Migrate(migrate::Args),
    Schema(schema::Args),
    Demo(demo::DemoArgs),
    Feedback(demo::FeedbackArgs),
    Review(review::ReviewArgs),
    Approve(review::ApproveArgs),
    Handover(review::HandoverArgs),
    Report(report::Args),
    Sla(report::SlaNowArgs),
    Dashboard(report::dashboard::Args),
    Kb(kb::Args),
    Search(search::Args),
    Reindex(reindex::Args),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) that completes
    /// commands, flags, values, and record IDs, members and stages of the store you are in,
    /// e.g. `source <(presales completions bash)` in ~/.bashrc.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `presales man > presales.1`, or with --out write one
    /// page per command and subcommand (presales.1, presales-init.1, …) into a folder.
    Man {
        /// Folder to write every page into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

/// Every man page: the main one and one per command and subcommand, named as the main
/// page's SEE ALSO names them (`presales-init.1`, `presales-kb-search.1`).
fn man_pages(ctx: &Ctx, dir: &std::path::Path) -> Result<()> {
    let dir = if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        ctx.cwd.join(dir)
    };
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut pages: Vec<clap::Command> = vec![cmd];
    let mut n = 0;
    while let Some(cmd) = pages.pop() {
        pages.extend(cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
        let man = clap_mangen::Man::new(cmd);
        let mut buf = Vec::new();
        man.render(&mut buf)
            .map_err(|e| Error::internal_from("cannot render a man page", e))?;
        crate::store::write_atomic(&dir.join(man.get_filename()), &buf)?;
        n += 1;
    }
    eprintln!("wrote {n} man pages into {}", dir.display());
    Ok(())
}

/// What every command gets: the parsed global flags and the environment, read once.
pub struct Ctx {
    pub format: Format,
    root: Option<PathBuf>,
    as_member: Option<String>,
    no_input: bool,
    cwd: PathBuf,
    now_env: Option<String>,
    pub color: bool,
    commit: bool,
    /// Set by commands that reported a problem but went on (exit 1 at the end).
    pub failed: std::cell::Cell<bool>,
    /// Where the stores this command opened note files out of place; reported at the end.
    noticed: std::cell::RefCell<Vec<store::Noticed>>,
}

/// A bar on stderr while a long read fills the parse cache (a fresh clone's first command),
/// one per kind of record being read (`check` reads the kinds side by side).
fn progress_bar() -> store::Progress {
    use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
    let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
    let bars: std::sync::Mutex<Vec<(String, ProgressBar)>> = std::sync::Mutex::new(Vec::new());
    std::sync::Arc::new(move |what: &str, done: usize, total: usize| {
        let Ok(mut bars) = bars.lock() else {
            return;
        };
        let at = bars.iter().position(|(w, _)| w == what);
        if done == 0 {
            let b = multi.add(ProgressBar::new(total as u64));
            if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta})")
            {
                b.set_style(style.progress_chars("=> "));
            }
            b.set_message(format!("reading {what} (first run: filling the cache)"));
            match at {
                Some(i) => std::mem::replace(&mut bars[i].1, b).finish_and_clear(),
                None => bars.push((what.to_string(), b)),
            }
        } else if let Some(i) = at {
            bars[i].1.set_position(done as u64);
            if done >= total {
                bars.remove(i).1.finish_and_clear();
            }
        }
    })
}

impl Ctx {
    pub fn store(&self) -> Result<Store> {
        let root = store::discover(self.root.as_deref(), None, &self.cwd)?;
        let mut store = Store::open(root)?;
        if std::io::stderr().is_terminal() {
            store.on_progress(progress_bar());
        }
        self.noticed.borrow_mut().push(store.noticed());
        if store.format.is_newer() {
            eprintln!(
                "note: {}; reading what it can",
                store.format.too_new("write to")
            );
        }
        if let Some(first) = crate::config::problems_summary(&store.config_problems) {
            eprintln!(
                "warning: {first}; writing commands refuse until it is fixed (`presales check` lists every problem)"
            );
        }
        // Best effort: a read-only clone still works, it just merges line by line.
        match crate::ops::ensure_merge_driver(&store) {
            Ok(true) => eprintln!(
                "registered the presales merge driver in this clone's git config \
                 (opt out: [store] register_merge_driver = false)"
            ),
            Ok(false) => {}
            Err(e) => eprintln!("note: could not register the presales merge driver: {e}"),
        }
        Ok(store)
    }

    /// The clock, or `PRESALES_NOW` (RFC 3339) so tests and CI are reproducible.
    pub fn now(&self) -> Result<Timestamp> {
        match &self.now_env {
            Some(s) => chrono::DateTime::parse_from_rfc3339(s.trim())
                .map(to_record_time)
                .map_err(|e| {
                    Error::invalid_with_hint(
                        format!(
                            "PRESALES_NOW=`{s}` is not a time with its UTC offset ({})",
                            match e.kind() {
                                chrono::format::ParseErrorKind::TooShort => "the offset is missing",
                                chrono::format::ParseErrorKind::OutOfRange =>
                                    "a field is out of range",
                                _ => "expected RFC 3339",
                            }
                        ),
                        "e.g. PRESALES_NOW=2026-11-27T10:00:00+08:00",
                    )
                }),
            None => Ok(to_record_time(chrono::Local::now().fixed_offset())),
        }
    }

    /// The caller, matched to a team member: `--as`, `PRESALES_USER`, `git config user.email`.
    /// Only writing commands need one, so a command that will commit is refused here, before
    /// anything is written, when the store is not in a git repository.
    pub fn actor(&self, store: &Store) -> Result<Actor> {
        crate::ops::identify(
            store,
            self.as_member.clone(),
            self.now()?,
            self.commit || store.config.store.auto_commit,
        )
    }

    /// The member named by --as or PRESALES_USER, if one is (git's user.email is not
    /// asked): read commands that show one member's view or the whole team's.
    pub fn member_given(&self, store: &Store) -> Result<Option<String>> {
        match &self.as_member {
            Some(m) => {
                crate::ops::identify(store, Some(m.clone()), self.now()?, false).map(|a| Some(a.id))
            }
            None => Ok(None),
        }
    }

    /// Prompts are allowed only on a terminal and without --no-input.
    pub fn interactive(&self) -> bool {
        !self.no_input && std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
    }

    /// Reports a problem that does not stop the command; the exit code becomes 1.
    pub fn warn_error(&self, e: &Error) {
        error::print(
            &error::lines(e, &e.hint().into_iter().collect::<Vec<_>>()),
            self.color,
        );
        self.failed.set(true);
    }

    /// One warning line per file that looks like a record but that no command reads (out
    /// of place, misnamed, a link), as the listings of this command found them: every
    /// command says the same, and `check` reports them as findings.
    fn report_noticed(&self) {
        let mut strays: Vec<store::Stray> = Vec::new();
        for sink in self.noticed.borrow().iter() {
            if let Ok(mut n) = sink.lock() {
                strays.append(&mut n);
            }
        }
        strays.sort();
        strays.dedup();
        let (yellow, reset) = if self.color {
            ("\x1b[1;33m", "\x1b[0m")
        } else {
            ("", "")
        };
        for s in strays {
            eprintln!(
                "{yellow}warning{reset}: {}",
                output::safe(&format!(
                    "{}: {}; {}",
                    store::slash_path(&s.path),
                    s.message(),
                    s.fix()
                ))
            );
        }
    }
}

pub fn run() -> ExitCode {
    // `COMPLETE=bash presales …` (what the completion script runs) answers and exits here.
    clap_complete::CompleteEnv::with_factory(|| complete::with_completers(Cli::command()))
        .complete();
    let cli = Cli::parse();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    output::set_width(
        cli.global.wide,
        std::env::var("COLUMNS").ok().as_deref(),
        // A test hook: tables fitted as on a terminal while stdout is a pipe.
        std::env::var_os("PRESALES_FORCE_TTY").is_some_and(|v| v == "1"),
    );
    let ctx = Ctx {
        format: cli.global.format,
        root: cli.global.root,
        as_member: cli.global.as_member,
        no_input: cli.global.no_input,
        cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        now_env: std::env::var("PRESALES_NOW").ok().filter(|s| !s.is_empty()),
        color: output::color_enabled(cli.global.color, no_color),
        commit: cli.global.commit,
        failed: std::cell::Cell::new(false),
        noticed: std::cell::RefCell::new(Vec::new()),
    };
    let result = match cli.command {
        Command::Init(a) => init::run(&ctx, a),
        Command::Team(a) => team::run(&ctx, a),
        Command::Customer(a) => customer::run(&ctx, a),
        Command::New(a) => new::run(&ctx, a),
        Command::Assign(a) => assign::run(&ctx, a),
        Command::Assess(a) => assess::run(&ctx, a),
        Command::Advance(a) => advance::run(&ctx, a),
        Command::Comment(a) => comment::run(&ctx, a),
        Command::Log(a) => log::run(&ctx, a),
        Command::Inbox(a) => inbox::run(&ctx, a),
        Command::Agenda(a) => agenda::run(&ctx, a),
        Command::Gap(a) => gap::run(&ctx, a),
        Command::Training(a) => training::run(&ctx, a),
        Command::Close(a) => close::run(&ctx, a),
        Command::Reopen(a) => reopen::run_reopen(&ctx, a),
        Command::Rate(a) => reopen::run_rate(&ctx, a),
        Command::Show(a) => show::run(&ctx, a),
        Command::List(a) => list::run(&ctx, a),
        Command::Edit(a) => edit::run(&ctx, a),
        Command::Solution(a) => solution::run(&ctx, a),
        Command::Fmt(a) => fmt::run(&ctx, a),
        Command::Check(a) => check::run(&ctx, a),
        Command::MergeFile(a) => merge::run(&ctx, a),
        Command::Migrate(a) => migrate::run(&ctx, a),
        Command::Schema(a) => schema::run(&ctx, a),
        Command::Demo(a) => demo::run_demo(&ctx, a),
        Command::Feedback(a) => demo::run_feedback(&ctx, a),
        Command::Review(a) => review::run_review(&ctx, a),
        Command::Approve(a) => review::run_approve(&ctx, a),
        Command::Handover(a) => review::run_handover(&ctx, a),
        Command::Report(a) => report::run(&ctx, a),
        Command::Sla(a) => report::run_sla_now(&ctx, a),
        Command::Dashboard(a) => report::dashboard::run(&ctx, a),
        Command::Kb(a) => kb::run(&ctx, a),
        Command::Search(a) => search::run(&ctx, a),
        Command::Reindex(a) => reindex::run(&ctx, a),
        Command::Completions { shell } => match complete::registration(shell) {
            Ok(script) => output::print(&script),
            Err(e) => Err(Error::internal_from(
                "cannot write the completion script",
                e,
            )),
        },
        Command::Man { out: None } => {
            let mut buf = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut buf) {
                Ok(()) => output::print(&String::from_utf8_lossy(&buf)),
                Err(e) => Err(Error::internal_from("cannot render the man page", e)),
            }
        }
        Command::Man { out: Some(dir) } => man_pages(&ctx, &dir),
    };
    ctx.report_noticed();
    match result {
        Ok(()) if ctx.failed.get() => ExitCode::from(1),
        Ok(()) => ExitCode::SUCCESS,
        // The one place a failed command becomes text and an exit code.
        Err(e) => {
            let e = CommandError::from(e);
            e.print(ctx.color);
            ExitCode::from(e.kind.exit_code())
        }
    }
}

/// Parses a value on the 1–5 scale (satisfaction, difficulty, likelihood, impact).
pub fn parse_scale(s: &str) -> std::result::Result<u8, String> {
    match s.trim().parse::<i64>() {
        Ok(n) if (1..=5).contains(&n) => Ok(n as u8),
        Ok(n) => Err(format!("must be 1–5, got {n}")),
        Err(_) => Err(format!("must be a whole number from 1 to 5, got `{s}`")),
    }
}

/// Parses a count of at least 1 (`--limit`, a feedback `--item` number).
pub fn parse_count(s: &str) -> std::result::Result<usize, String> {
    match s.trim().parse::<i64>() {
        Ok(n) if n >= 1 => usize::try_from(n).map_err(|_| format!("{n} is too large")),
        Ok(n) => Err(format!("must be 1 or more, got {n}")),
        Err(_) => Err(format!("must be a whole number of 1 or more, got `{s}`")),
    }
}

/// Parses a decimal above zero (`--days`, `--qty`).
pub fn parse_positive(s: &str) -> std::result::Result<rust_decimal::Decimal, String> {
    match parse_decimal(s)? {
        d if d > rust_decimal::Decimal::ZERO => Ok(d),
        d => Err(format!("must be positive, got {d}")),
    }
}

/// Parses a decimal of zero or more (`--unit-price`).
pub fn parse_non_negative(s: &str) -> std::result::Result<rust_decimal::Decimal, String> {
    match parse_decimal(s)? {
        d if d >= rust_decimal::Decimal::ZERO => Ok(d),
        d => Err(format!("must not be negative, got {d}")),
    }
}

fn parse_decimal(s: &str) -> std::result::Result<rust_decimal::Decimal, String> {
    s.trim()
        .parse::<rust_decimal::Decimal>()
        .map_err(|_| format!("`{s}` is not a number (e.g. 2.5)"))
}

/// Parses a `YYYY-MM-DD` flag value.
pub fn parse_date(s: &str) -> std::result::Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date (expected YYYY-MM-DD, e.g. 2026-12-01)"))
}

impl Ctx {
    /// After a writing command: lists the files written on stderr and, with `--commit` or
    /// `auto_commit`, commits exactly those files with the operation's description,
    /// authored by the member who did it.
    pub fn written(&self, store: &Store, written: &crate::ops::Written) -> Result<()> {
        for p in &written.touched {
            eprintln!("wrote {}", store.display_path(p).display());
        }
        if (self.commit || store.config.store.auto_commit) && crate::ops::commit(store, written)? {
            eprintln!("committed: {}", output::safe(&written.description));
        }
        Ok(())
    }
}

#[cfg(test)]
mod help_tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Every flag and argument of every command says what it is for.
    #[test]
    fn every_argument_is_described() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for a in cmd.get_arguments() {
                let id = a.get_id().as_str();
                if matches!(id, "help" | "version") || a.is_hide_set() {
                    continue;
                }
                if a.get_help().is_none() && a.get_long_help().is_none() {
                    missing.push(format!("{path} {id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut cmd = Cli::command();
        cmd.build();
        let mut missing = Vec::new();
        walk(&cmd, "presales", &mut missing);
        assert!(
            missing.is_empty(),
            "{} undescribed:\n{}",
            missing.len(),
            missing.join("\n")
        );
    }

    /// Global options are listed apart from each command's own.
    #[test]
    fn global_options_have_their_own_heading() {
        let mut cmd = Cli::command();
        cmd.build();
        let close = cmd.find_subcommand("close").unwrap();
        let root = close
            .get_arguments()
            .find(|a| a.get_id() == "root")
            .unwrap();
        assert_eq!(root.get_help_heading(), Some("Global options"));
        let outcome = close
            .get_arguments()
            .find(|a| a.get_id() == "outcome")
            .unwrap();
        assert_eq!(outcome.get_help_heading(), None);
    }
}
