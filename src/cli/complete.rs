//! Shell completion: `presales completions SHELL` prints the registration script of clap's
//! dynamic completion, and the command tree gets completers for record IDs, members,
//! stages and request types, read from the store the shell is in (as `presales` would
//! find it). A store that cannot be opened completes nothing; completion never fails.

use std::path::Path;

use clap::Command;
use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};

use crate::model::Kind;
use crate::model::customer::CustomerSummary;
use crate::model::request::RequestSummary;
use crate::store::{self, Store};

/// What an argument names, for completion.
#[derive(Clone, Copy)]
enum Names {
    Record(Option<Kind>),
    Customer,
    Member,
    Stage,
    Type,
    Values(&'static [&'static str]),
}

/// The store of the current folder (or PRESALES_ROOT), if there is one.
fn store() -> Option<Store> {
    let cwd = std::env::current_dir().ok()?;
    let env = std::env::var_os("PRESALES_ROOT");
    let root = store::discover(None, env.as_deref().map(Path::new), &cwd).ok()?;
    Store::open(root).ok()
}

fn candidates(names: Names) -> Vec<CompletionCandidate> {
    if let Names::Values(v) = names {
        return v.iter().map(|s| CompletionCandidate::new(*s)).collect();
    }
    let Some(store) = store() else {
        return Vec::new();
    };
    let plain = |v: Vec<String>| v.into_iter().map(CompletionCandidate::new).collect();
    match names {
        Names::Record(Some(Kind::Request)) => store
            .summaries::<RequestSummary>()
            .0
            .into_iter()
            .map(|r| CompletionCandidate::new(r.id).help(Some(r.title.into())))
            .collect(),
        Names::Customer => store
            .summaries::<CustomerSummary>()
            .0
            .into_iter()
            .map(|c| CompletionCandidate::new(c.id).help(Some(c.name.into())))
            .collect(),
        Names::Record(Some(kind)) => plain(ids(&store, &[kind])),
        Names::Record(None) => plain(ids(&store, &Kind::ALL)),
        Names::Member => store
            .config
            .members
            .iter()
            .filter(|m| m.active)
            .map(|m| CompletionCandidate::new(m.id.clone()).help(Some(m.name.clone().into())))
            .collect(),
        Names::Stage => plain(store.workflow.all_stages()),
        Names::Type => plain(store.workflow.type_names()),
        Names::Values(v) => plain(v.iter().map(|s| s.to_string()).collect()),
    }
}

fn ids(store: &Store, kinds: &[Kind]) -> Vec<String> {
    kinds
        .iter()
        .filter_map(|k| store.ids(*k).ok())
        .flatten()
        .map(|(id, _)| id.to_string())
        .collect()
}

/// What the argument `arg` of the command at `path` (e.g. `["kb", "show"]`) names.
fn names_of(path: &[&str], arg: &str) -> Option<Names> {
    let top = path.first().copied().unwrap_or("");
    let kind_of_command = match top {
        "solution" | "review" | "approve" => Some(Kind::Solution),
        "kb" => Some(Kind::Article),
        "gap" => Some(Kind::Gap),
        "training" => Some(Kind::Training),
        _ => Some(Kind::Request),
    };
    Some(match (top, arg) {
        ("show" | "edit", "id") => Names::Record(None),
        ("customer", "id") => Names::Customer,
        ("solution", "request") => Names::Record(Some(Kind::Request)),
        ("kb", "article") => Names::Record(Some(Kind::Article)),
        ("gap", "gap") => Names::Record(Some(Kind::Gap)),
        ("training", "training") => Names::Record(Some(Kind::Training)),
        (_, "id") => Names::Record(kind_of_command),
        (_, "request") => Names::Record(Some(Kind::Request)),
        (_, "customer") => Names::Customer,
        ("advance", "to") => Names::Stage,
        ("training", "kind") => return None,
        ("close", "outcome") => Names::Values(&[
            "won",
            "lost",
            "cancelled",
            "no_decision",
            "infeasible",
            "resolved",
            "rejected",
        ]),
        (_, "priority") => Names::Values(&["P1", "P2", "P3", "P4"]),
        ("kb", "category") => Names::Values(&[
            "product_manual",
            "technical_doc",
            "demo_material",
            "faq",
            "case_study",
            "solution_template",
            "training",
        ]),
        (_, "stage") => Names::Stage,
        (_, "kind") => Names::Type,
        (
            _,
            "to" | "as_member" | "assignee" | "member" | "requested_by" | "owner" | "trainer"
            | "attendees",
        ) => Names::Member,
        _ => return None,
    })
}

/// The command tree with a completer on every argument that names a record, a member, a
/// stage or a type.
pub fn with_completers(cmd: Command) -> Command {
    fn walk(mut cmd: Command, path: &mut Vec<String>) -> Command {
        let ids: Vec<String> = cmd
            .get_arguments()
            .map(|a| a.get_id().to_string())
            .collect();
        let here: Vec<&str> = path.iter().map(String::as_str).collect();
        for id in ids {
            if let Some(names) = names_of(&here, &id) {
                cmd = cmd.mut_arg(id, |a| {
                    a.add(ArgValueCandidates::new(move || candidates(names)))
                });
            }
        }
        let subs: Vec<String> = cmd
            .get_subcommands()
            .map(|s| s.get_name().to_string())
            .collect();
        for name in subs {
            path.push(name.clone());
            let mut p = path.clone();
            cmd = cmd.mut_subcommand(name, |s| walk(s, &mut p));
            path.pop();
        }
        cmd
    }
    walk(cmd, &mut Vec::new())
}

/// The registration script of dynamic completion for `shell`: what `COMPLETE=<shell>
/// presales` prints.
pub fn registration(shell: clap_complete::Shell) -> std::io::Result<String> {
    use clap_complete::env::EnvCompleter;
    let completer: &dyn EnvCompleter = match shell {
        clap_complete::Shell::Bash => &clap_complete::env::Bash,
        clap_complete::Shell::Zsh => &clap_complete::env::Zsh,
        clap_complete::Shell::Fish => &clap_complete::env::Fish,
        clap_complete::Shell::Elvish => &clap_complete::env::Elvish,
        clap_complete::Shell::PowerShell => &clap_complete::env::Powershell,
        _ => &clap_complete::env::Bash,
    };
    let mut buf = Vec::new();
    completer.write_registration("COMPLETE", "presales", "presales", "presales", &mut buf)?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}
