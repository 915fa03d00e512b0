//! Targets (主管 制定计划和目标): each target of `[targets]` for a quarter against its actual
//! value in that quarter, up to the as-of instant.
//!
//! The actuals are the other reports' own figures over the quarter, never computed again
//! here: win rate, technical-win rate and satisfaction from the weekly report's closures,
//! first-response attainment from its SLA section, trainings per member from the training
//! report. A target is met when the actual is at or above it; without an actual (no deal
//! decided, nothing rated) it is neither met nor missed.

use serde::Serialize;

use super::training::{self, Session};
use super::{Dataset, Header, SCHEMA_VERSION, weekly};

/// One target against its actual.
#[derive(Debug, Clone, Serialize)]
pub struct TargetLine {
    /// The name in `[targets]`.
    pub target: &'static str,
    /// `%`, `of 5` or `sessions`.
    pub unit: &'static str,
    pub target_value: f64,
    /// `None` when there is nothing to measure yet.
    pub actual: Option<f64>,
    /// What the actual is taken over (`3/5 deals`, `4 rated`).
    pub basis: String,
    pub met: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetsReport {
    pub schema_version: u32,
    pub report: &'static str,
    /// The quarter (its label is `period.label`), read to the as-of instant.
    #[serde(flatten)]
    pub header: Header,
    /// In the order of `config::TARGETS`; only the targets the quarter has.
    pub targets: Vec<TargetLine>,
}

/// The targets of the quarter `data` covers, against its actuals. `sessions` are the
/// training sessions (only read when a trainings target is set). Pure.
pub fn build(data: &Dataset, sessions: &[Session]) -> TargetsReport {
    let header = data.header();
    let goals = data.input.config.targets.of(&header.period.label);
    let mut targets = Vec::new();
    if !goals.is_empty() {
        let w = weekly::build(data);
        let trainings = goals
            .iter()
            .any(|(t, _)| t.name == "trainings_per_member")
            .then(|| training::build(data, sessions).summary);
        for (def, goal) in goals {
            let (actual, basis) = match def.name {
                "win_rate" => (
                    w.closed.win_rate.pct,
                    format!(
                        "{}/{} deals",
                        w.closed.win_rate.numerator, w.closed.win_rate.denominator
                    ),
                ),
                "technical_win_rate" => (
                    w.closed.technical_win_rate.pct,
                    format!(
                        "{}/{} deals",
                        w.closed.technical_win_rate.numerator,
                        w.closed.technical_win_rate.denominator
                    ),
                ),
                "first_response_attainment" => {
                    let a = &w.sla.first_response;
                    (
                        a.attainment.pct,
                        format!(
                            "{}/{} met",
                            a.attainment.numerator, a.attainment.denominator
                        ),
                    )
                }
                "satisfaction" => (
                    w.closed.satisfaction.mean,
                    format!("{} rated", w.closed.satisfaction.count),
                ),
                "trainings_per_member" => match &trainings {
                    Some(s) => (
                        s.trainings_per_member,
                        format!("{} attendances, {} members", s.attendances, s.members),
                    ),
                    None => (None, String::new()),
                },
                _ => (None, String::new()),
            };
            targets.push(TargetLine {
                target: def.name,
                unit: def.unit,
                target_value: goal,
                met: actual.map(|a| a >= goal),
                actual,
                basis,
            });
        }
    }
    TargetsReport {
        schema_version: SCHEMA_VERSION,
        report: "targets",
        header,
        targets,
    }
}
