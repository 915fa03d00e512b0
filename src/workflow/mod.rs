//! Stages, transitions and guards: pure functions of (record, config, event).
//!
//! The workflow is data: each request type of `presales.toml` lists its path of stages, its
//! revise loops and its guards. This module compiles that data once ([`Workflow::new`]) and
//! answers two questions without any I/O: which moves are legal from a stage, and what a
//! request still lacks for each of them.

mod guard;

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;

pub use guard::Guard;

use crate::config::{CloseRules, Config, WorkflowConfig};
use crate::model::{Outcome, Request, Solution};

/// The stage every path starts with, and the one it ends with.
pub const FIRST_STAGE: &str = "registered";
pub const CLOSED: &str = "closed";

/// The compiled workflow: every type with its guards resolved.
#[derive(Debug, Clone)]
pub struct Workflow {
    types: BTreeMap<String, TypePath>,
    close: CloseRules,
    pub min_reviewers: u32,
    /// The stages the commands give a meaning to (`[workflow.stages]`).
    pub stages: crate::config::StageNames,
}

/// One request type's path.
#[derive(Debug, Clone)]
pub struct TypePath {
    pub name: String,
    pub stages: Vec<String>,
    revise: BTreeMap<String, String>,
    guards: BTreeMap<String, Vec<Guard>>,
    /// The outcomes the path ends with (closing from its last open stage).
    outcomes: Vec<Outcome>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveKind {
    /// The next stage of the path.
    Forward,
    /// Back to an earlier stage to rework the solution (优化修改).
    Revise,
    /// Straight to `closed` before the end of the path.
    Close,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub to: String,
    pub kind: MoveKind,
}

/// Everything a guard may look at. Built by the caller; guards never read files.
pub struct Facts<'a> {
    pub request: &'a Request,
    pub solution: Option<&'a Solution>,
    pub config: &'a Config,
    pub today: NaiveDate,
    /// The note given with the move (`--note`); the `answer` guard needs it.
    pub note: Option<&'a str>,
}

/// A move the workflow refuses, with everything the user needs to pick a legal one.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkflowError {
    UnknownType {
        name: String,
        known: Vec<String>,
    },
    UnknownStage {
        id: String,
        stage: String,
        kind: String,
        known: Vec<String>,
    },
    AlreadyClosed {
        id: String,
    },
    Illegal {
        id: String,
        current: String,
        wanted: String,
        options: Vec<(Move, Vec<String>)>,
    },
}

impl fmt::Display for WorkflowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkflowError::UnknownType { name, known } => write!(
                f,
                "unknown request type `{name}`; the types are: {}",
                known.join(", ")
            ),
            WorkflowError::UnknownStage {
                id,
                stage,
                kind,
                known,
            } => write!(
                f,
                "{id}: `{stage}` is not a stage of type `{kind}`; its stages are: {}",
                known.join(" → ")
            ),
            WorkflowError::AlreadyClosed { id } => {
                write!(f, "{id} is closed; it has no next stage")
            }
            WorkflowError::Illegal {
                id,
                current,
                wanted,
                options,
            } => {
                write!(f, "{id} cannot move from `{current}` to `{wanted}`")?;
                if options.iter().any(|(m, _)| &m.to == wanted) {
                    write!(f, " yet")?;
                }
                write!(f, "\nlegal next stages from `{current}`:")?;
                for (mv, missing) in options {
                    let label = match mv.kind {
                        MoveKind::Forward => "",
                        MoveKind::Revise => " (revise)",
                        MoveKind::Close => " (close early)",
                    };
                    if missing.is_empty() {
                        write!(f, "\n  {}{label}: ready", mv.to)?;
                    } else {
                        write!(f, "\n  {}{label}: missing {}", mv.to, missing.join("; "))?;
                    }
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for WorkflowError {}

/// A mistake in the `[workflow]` section of presales.toml: what is wrong, and the key it is
/// about (`workflow.types.poc.stages[3]`), so the file's parser can locate it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub key: Vec<crate::config::KeyPart>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// A [`ConfigError`] at `workflow.<keys…>`.
fn config_error(key: &[crate::config::KeyPart], message: String) -> ConfigError {
    let mut full = vec![crate::config::KeyPart::key("workflow")];
    full.extend_from_slice(key);
    ConfigError { key: full, message }
}

impl Workflow {
    /// Compiles the workflow section of presales.toml, checking every name it uses.
    pub fn new(config: &WorkflowConfig) -> Result<Workflow, ConfigError> {
        use crate::config::KeyPart as K;
        let mut types = BTreeMap::new();
        for (name, def) in &config.types {
            let stages = def.stages.clone();
            let at = |rest: &[K]| {
                let mut key = vec![K::key("types"), K::key(name)];
                key.extend_from_slice(rest);
                key
            };
            if stages.first().map(String::as_str) != Some(FIRST_STAGE)
                || stages.last().map(String::as_str) != Some(CLOSED)
            {
                return Err(config_error(
                    &at(&[K::key("stages")]),
                    format!(
                        "workflow type `{name}`: stages must start with `{FIRST_STAGE}` and end with `{CLOSED}`"
                    ),
                ));
            }
            for (i, s) in stages.iter().enumerate() {
                if stages[..i].contains(s) {
                    return Err(config_error(
                        &at(&[K::key("stages"), K::Index(i)]),
                        format!("workflow type `{name}`: stage `{s}` appears twice"),
                    ));
                }
            }
            for (from, to) in &def.revise {
                let (Some(fi), Some(ti)) = (
                    stages.iter().position(|s| s == from),
                    stages.iter().position(|s| s == to),
                ) else {
                    return Err(config_error(
                        &at(&[K::key("revise"), K::key(from)]),
                        format!(
                            "workflow type `{name}`: revise loop `{from} = \"{to}\"` names a stage not in its path"
                        ),
                    ));
                };
                if ti >= fi {
                    return Err(config_error(
                        &at(&[K::key("revise"), K::key(from)]),
                        format!(
                            "workflow type `{name}`: revise loop `{from} → {to}` must go back to an earlier stage"
                        ),
                    ));
                }
            }
            let mut guards = BTreeMap::new();
            for stage in &stages {
                let (names, key) = match def.guards.get(stage) {
                    Some(n) => (n.clone(), at(&[K::key("guards"), K::key(stage)])),
                    None => (
                        config.guards.get(stage).cloned().unwrap_or_default(),
                        vec![K::key("guards"), K::key(stage)],
                    ),
                };
                let parsed = names
                    .iter()
                    .enumerate()
                    .map(|(i, g)| {
                        g.parse::<Guard>().map_err(|e| {
                            let mut key = key.clone();
                            key.push(K::Index(i));
                            config_error(
                                &key,
                                format!("workflow type `{name}`, stage `{stage}`: {e}"),
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                guards.insert(stage.clone(), parsed);
            }
            types.insert(
                name.clone(),
                TypePath {
                    name: name.clone(),
                    stages,
                    revise: def.revise.clone(),
                    guards,
                    outcomes: def.outcomes.clone().unwrap_or_else(|| {
                        Outcome::ALL
                            .into_iter()
                            .filter(|o| !Outcome::COMPLAINT.contains(o))
                            .collect()
                    }),
                },
            );
        }
        if !types.contains_key(&config.default_type) {
            return Err(config_error(
                &[K::key("default_type")],
                format!(
                    "workflow.default_type `{}` is not one of the types ({})",
                    config.default_type,
                    types.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        for (part, stage) in config.stages.all() {
            if stage == FIRST_STAGE || stage == CLOSED {
                return Err(config_error(
                    &[K::key("stages"), K::key(part)],
                    format!(
                        "workflow.stages.{part} = `{stage}`: `{FIRST_STAGE}` and `{CLOSED}` begin and end every path"
                    ),
                ));
            }
        }
        Ok(Workflow {
            types,
            close: config.close.clone(),
            min_reviewers: config.min_reviewers,
            stages: config.stages.clone(),
        })
    }

    pub fn type_names(&self) -> Vec<String> {
        self.types.keys().cloned().collect()
    }

    pub fn path(&self, kind: &str) -> Result<&TypePath, WorkflowError> {
        self.types
            .get(kind)
            .ok_or_else(|| WorkflowError::UnknownType {
                name: kind.to_string(),
                known: self.type_names(),
            })
    }

    /// Every stage name any type uses: the longest path's order, other stages before `closed`.
    pub fn all_stages(&self) -> Vec<String> {
        let mut paths: Vec<&TypePath> = self.types.values().collect();
        paths.sort_by_key(|p| std::cmp::Reverse(p.stages.len()));
        let mut out: Vec<String> = Vec::new();
        for p in paths {
            for s in &p.stages {
                if !out.contains(s) {
                    let at = out.iter().position(|o| o == CLOSED).unwrap_or(out.len());
                    out.insert(at, s.clone());
                }
            }
        }
        out
    }

    /// Legal moves from the request's current stage, each with what it still lacks.
    pub fn options(&self, facts: &Facts) -> Result<Vec<(Move, Vec<String>)>, WorkflowError> {
        let path = self.path(&facts.request.kind)?;
        let current = &facts.request.stage;
        self.check_stage(path, facts)?;
        Ok(path
            .moves_from(current)
            .into_iter()
            .map(|mv| {
                let missing = self.missing(path, facts, &mv);
                (mv, missing)
            })
            .collect())
    }

    /// Decides a move: the next stage of the path, or `to` when given. Refuses with every
    /// legal option and what each lacks.
    pub fn plan(&self, facts: &Facts, to: Option<&str>) -> Result<Move, WorkflowError> {
        let path = self.path(&facts.request.kind)?;
        let req = facts.request;
        self.check_stage(path, facts)?;
        if req.stage == CLOSED {
            return Err(WorkflowError::AlreadyClosed { id: req.id.clone() });
        }
        let wanted = match to {
            Some(t) => {
                if !path.stages.iter().any(|s| s == t) {
                    return Err(WorkflowError::UnknownStage {
                        id: req.id.clone(),
                        stage: t.to_string(),
                        kind: path.name.clone(),
                        known: path.stages.clone(),
                    });
                }
                t.to_string()
            }
            None => path
                .next(&req.stage)
                .map(str::to_string)
                .ok_or_else(|| WorkflowError::AlreadyClosed { id: req.id.clone() })?,
        };
        let options = self.options(facts)?;
        match options.iter().find(|(m, _)| m.to == wanted) {
            Some((mv, missing)) if missing.is_empty() => Ok(mv.clone()),
            _ => Err(WorkflowError::Illegal {
                id: req.id.clone(),
                current: req.stage.clone(),
                wanted,
                options,
            }),
        }
    }

    fn check_stage(&self, path: &TypePath, facts: &Facts) -> Result<(), WorkflowError> {
        if path.stages.contains(&facts.request.stage) {
            Ok(())
        } else {
            Err(WorkflowError::UnknownStage {
                id: facts.request.id.clone(),
                stage: facts.request.stage.clone(),
                kind: path.name.clone(),
                known: path.stages.clone(),
            })
        }
    }

    /// Outcomes that may close a request from `stage` of `path`.
    pub fn closing_outcomes(&self, path: &TypePath, stage: &str) -> Vec<Outcome> {
        let mut out = self.close.anytime.clone();
        if path.last_open() == Some(stage) {
            out.extend(path.outcomes.iter().copied());
        }
        if let Some(extra) = self.close.from.get(stage) {
            out.extend(extra.iter().copied());
        }
        out.sort();
        out.dedup();
        out
    }

    fn missing(&self, path: &TypePath, facts: &Facts, mv: &Move) -> Vec<String> {
        let guards: &[Guard] = path.guards.get(&mv.to).map(Vec::as_slice).unwrap_or(&[]);
        let mut missing: Vec<String> = guards
            .iter()
            .flat_map(|g| g.missing(self, path, facts))
            .collect();
        missing.dedup();
        missing
    }
}

impl TypePath {
    pub fn next(&self, stage: &str) -> Option<&str> {
        let i = self.stages.iter().position(|s| s == stage)?;
        self.stages.get(i + 1).map(String::as_str)
    }

    /// The stage just before `closed`: closing from it is the normal end of the path.
    pub fn last_open(&self) -> Option<&str> {
        self.stages.iter().rev().nth(1).map(String::as_str)
    }

    /// The guards a request must meet to enter `stage`.
    pub fn guards_of(&self, stage: &str) -> &[Guard] {
        self.guards.get(stage).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether `from → to` is a move of this path, and of which kind.
    pub fn move_kind(&self, from: &str, to: &str) -> Option<MoveKind> {
        self.moves_from(from)
            .into_iter()
            .find(|m| m.to == to)
            .map(|m| m.kind)
    }

    pub fn revise_target(&self, stage: &str) -> Option<&str> {
        self.revise.get(stage).map(String::as_str)
    }

    pub fn index(&self, stage: &str) -> Option<usize> {
        self.stages.iter().position(|s| s == stage)
    }

    /// Moves out of `stage`: forward, revise, then early close. None out of `closed`.
    pub fn moves_from(&self, stage: &str) -> Vec<Move> {
        let mut out = Vec::new();
        if stage == CLOSED {
            return out;
        }
        if let Some(next) = self.next(stage) {
            out.push(Move {
                to: next.to_string(),
                kind: MoveKind::Forward,
            });
        }
        if let Some(back) = self.revise_target(stage) {
            out.push(Move {
                to: back.to_string(),
                kind: MoveKind::Revise,
            });
        }
        if self.next(stage) != Some(CLOSED) {
            out.push(Move {
                to: CLOSED.to_string(),
                kind: MoveKind::Close,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests;
