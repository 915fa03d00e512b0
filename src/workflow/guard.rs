//! Guards: the named conditions a request must meet before it enters a stage.

use std::str::FromStr;

use crate::config::Role;
use crate::model::request::Feasibility;
use crate::model::solution::VerdictKind;

use super::{Facts, TypePath, Workflow};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    Assignee,
    Assessment,
    Solution,
    SolutionReady,
    DemoFeedback,
    Quotation,
    ReviewPassed,
    Approval,
    Approved,
    Answer,
    Outcome,
    Handover,
}

impl Guard {
    pub const ALL: [Guard; 12] = [
        Guard::Assignee,
        Guard::Assessment,
        Guard::Solution,
        Guard::SolutionReady,
        Guard::DemoFeedback,
        Guard::Quotation,
        Guard::ReviewPassed,
        Guard::Approval,
        Guard::Approved,
        Guard::Answer,
        Guard::Outcome,
        Guard::Handover,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Guard::Assignee => "assignee",
            Guard::Assessment => "assessment",
            Guard::Solution => "solution",
            Guard::SolutionReady => "solution_ready",
            Guard::DemoFeedback => "demo_feedback",
            Guard::Quotation => "quotation",
            Guard::ReviewPassed => "review_passed",
            Guard::Approval => "approval",
            Guard::Approved => "approved",
            Guard::Answer => "answer",
            Guard::Outcome => "outcome",
            Guard::Handover => "handover",
        }
    }

    /// What the request lacks for this guard; empty when it holds.
    pub fn missing(self, wf: &Workflow, path: &TypePath, facts: &Facts) -> Vec<String> {
        let req = facts.request;
        let id = req.id.as_str();
        let mut out = Vec::new();
        match self {
            Guard::Assignee => match req.assignee.as_deref() {
                None => out.push(format!(
                    "an assignee (`presales assign {id} --auto` or `--to MEMBER`)"
                )),
                Some(who) => match facts.config.member(who) {
                    None => out.push(format!("assignee `{who}` is not a team member")),
                    Some(m) => {
                        if !m.active {
                            out.push(format!("assignee `{who}` has left the team"));
                        }
                        if !m.has_role(Role::Engineer) {
                            out.push(format!("assignee `{who}` lacks the engineer role"));
                        }
                        for skill in &req.skills {
                            if !m.has_skill(skill) {
                                out.push(format!("assignee `{who}` lacks the skill `{skill}`"));
                            }
                        }
                    }
                },
            },
            Guard::Assessment => match &req.assessment {
                None => out.push(format!(
                    "a feasibility assessment (`presales assess {id} --feasibility … --difficulty … --notes …`)"
                )),
                Some(a) if a.feasibility == Feasibility::Infeasible => out.push(format!(
                    "a feasible assessment: it says infeasible (close with `presales close {id} --outcome infeasible`)"
                )),
                Some(_) => {}
            },
            Guard::Solution => {
                if facts.solution.is_none() {
                    out.push(no_solution(id));
                }
            }
            Guard::SolutionReady => match facts.solution {
                None => out.push(no_solution(id)),
                Some(sol) => {
                    let sid = sol.id.as_str();
                    if !sol.has_plan() {
                        out.push(format!(
                            "a technical plan (`presales solution plan {sid} --plan-file F`)"
                        ));
                    }
                    if sol.milestones.is_empty() {
                        out.push(format!(
                            "a time plan (`presales solution milestone {sid} --name N --date D`)"
                        ));
                    }
                    if sol.resources.is_empty() {
                        out.push(format!(
                            "resources (`presales solution resource {sid} --role R --days N`)"
                        ));
                    }
                }
            },
            Guard::DemoFeedback => match req.demos.last().filter(|_| demo_since_entering(req)) {
                None => out.push(format!(
                    "a demo recorded in this demo stage (`presales demo {id} --date D --attendee NAME`)"
                )),
                Some(demo) => {
                    if demo.feedback.is_empty() {
                        out.push(format!(
                            "feedback from the demo of {} (`presales feedback {id} --from NAME --text T`)",
                            demo.date
                        ));
                    }
                    let open: Vec<String> = demo
                        .feedback
                        .iter()
                        .enumerate()
                        .filter(|(_, f)| f.disposition.is_none())
                        .map(|(i, _)| (i + 1).to_string())
                        .collect();
                    if !open.is_empty() {
                        out.push(format!(
                            "a disposition for feedback item(s) {} (`presales feedback {id} --item N --disposition accepted|rejected|done`)",
                            open.join(", ")
                        ));
                    }
                }
            },
            Guard::Quotation => match facts.solution {
                None => out.push(no_solution(id)),
                Some(sol) => {
                    let ok = sol
                        .quotation
                        .as_ref()
                        .is_some_and(|q| !q.lines.is_empty() && q.total > rust_decimal::Decimal::ZERO);
                    if !ok {
                        out.push(format!(
                            "a quotation with a total (`presales solution quote {} --item I --qty Q --unit-price P`)",
                            sol.id
                        ));
                    }
                }
            },
            Guard::ReviewPassed => match facts.solution {
                None => out.push(no_solution(id)),
                Some(sol) => match sol.reviews.last() {
                    None => out.push(format!(
                        "a review round (`presales review {} --verdict pass --comment T`)",
                        sol.id
                    )),
                    Some(round) => {
                        let passes = round
                            .verdicts
                            .iter()
                            .filter(|v| v.verdict == VerdictKind::Pass)
                            .count() as u32;
                        let against: Vec<String> = round
                            .verdicts
                            .iter()
                            .filter(|v| v.verdict != VerdictKind::Pass)
                            .map(|v| format!("{} ({})", v.reviewer, v.verdict.as_str()))
                            .collect();
                        if !against.is_empty() {
                            out.push(format!(
                                "a passed review: round {} has {}; revise with `presales advance {id} --to design`",
                                round.round,
                                against.join(", ")
                            ));
                        } else if passes < wf.min_reviewers {
                            out.push(format!(
                                "{} pass verdict(s) in review round {} (has {passes}; `presales review {} --verdict pass --comment T`)",
                                wf.min_reviewers, round.round, sol.id
                            ));
                        }
                    }
                },
            },
            Guard::Approval | Guard::Approved => match facts.solution {
                None => out.push(no_solution(id)),
                Some(sol) => match &sol.approval {
                    None => out.push(format!(
                        "a manager's approval (`presales approve {}` by an approver)",
                        sol.id
                    )),
                    Some(ap) => {
                        let approver = facts.config.member(&ap.by);
                        if !approver.is_some_and(|m| m.has_role(Role::Approver)) {
                            out.push(format!(
                                "an approval by a member with the approver role (`{}` is not one)",
                                ap.by
                            ));
                        }
                        if ap.by == sol.author || req.assignee.as_deref() == Some(ap.by.as_str()) {
                            out.push(format!(
                                "an approval by someone other than the author or assignee (four eyes; `{}` is not)",
                                ap.by
                            ));
                        }
                    }
                },
            },
            Guard::Handover => match facts.solution {
                None => out.push(no_solution(id)),
                Some(sol) if sol.handover.is_none() => out.push(format!(
                    "a handover to sales (`presales handover {id} --to SALES --training \"DATE TOPIC ATTENDEES\"`)"
                )),
                Some(_) => {}
            },
            Guard::Answer => {
                if facts.note.is_none_or(|n| n.trim().is_empty()) {
                    out.push(format!(
                        "the answer, given as `--note` (`presales advance {id} --to answered --note \"…\"`)"
                    ));
                }
            }
            Guard::Outcome => {
                let allowed = wf.closing_outcomes(path, &req.stage);
                let names: Vec<&str> = allowed.iter().map(|o| o.as_str()).collect();
                match req.outcome {
                    None => out.push(format!(
                        "an outcome and summary (`presales close {id} --outcome {} --summary T`)",
                        names.join("|")
                    )),
                    Some(outcome) => {
                        if !allowed.contains(&outcome) {
                            out.push(format!(
                                "an outcome allowed from `{}`: {} (not {outcome})",
                                req.stage,
                                names.join(", ")
                            ));
                        }
                        if req.summary.as_deref().is_none_or(|s| s.trim().is_empty()) {
                            out.push("a written summary (`--summary T`)".to_string());
                        }
                    }
                }
            }
        }
        out
    }
}

/// Whether a demo was recorded after the request last entered the demo stage: after a
/// revise loop the old demo's feedback does not count for the new version.
fn demo_since_entering(req: &crate::model::Request) -> bool {
    let entered = req.history.iter().rposition(|h| {
        matches!(h.action.as_str(), "advance" | "revise") && h.to.as_deref() == Some("demo")
    });
    let recorded = req.history.iter().rposition(|h| h.action == "demo");
    match (entered, recorded) {
        (Some(e), Some(r)) => r > e,
        // Hand-made or generated histories without entries: the demo list decides.
        (None, _) => true,
        (Some(_), None) => false,
    }
}

fn no_solution(id: &str) -> String {
    format!("a solution (`presales solution new --request {id}`)")
}

impl FromStr for Guard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Guard::ALL
            .into_iter()
            .find(|g| g.name() == s)
            .ok_or_else(|| {
                format!(
                    "unknown guard `{s}`; the guards are: {}",
                    Guard::ALL.map(Guard::name).join(", ")
                )
            })
    }
}
