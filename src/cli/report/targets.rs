//! `presales report targets` and the Targets section of `report weekly`: rendering of
//! [`crate::report::targets::TargetsReport`].

use super::{Doc, machine, subtitle};
use crate::cli::{Ctx, Format, output};
use crate::error::Result;
use crate::report::targets::{TargetLine, TargetsReport};
use crate::report::training::Session;
use crate::report::{Dataset, Zone};

pub fn render(ctx: &Ctx, data: &Dataset, zone: &Zone, sessions: &[Session]) -> Result<String> {
    let window = data.window().quarter();
    let r = super::quarter_targets(data, sessions).unwrap_or_else(|| {
        // No targets for the quarter: an empty report of it, saying so.
        let input = crate::report::Input {
            window,
            ..*data.input
        };
        crate::report::targets::build(&Dataset::new(&input), sessions)
    });
    if let Some(out) = machine(ctx.format, &r) {
        return out;
    }
    match ctx.format {
        Format::Csv => output::csv(
            &["target", "unit", "target_value", "actual", "basis", "met"],
            r.targets
                .iter()
                .map(|t| {
                    vec![
                        t.target.to_string(),
                        t.unit.to_string(),
                        t.target_value.to_string(),
                        t.actual.map(|a| a.to_string()).unwrap_or_default(),
                        t.basis.clone(),
                        t.met.map(|m| m.to_string()).unwrap_or_default(),
                    ]
                })
                .collect(),
        ),
        f => {
            let mut d = Doc::default();
            d.title(format!("Targets {}", r.header.period.label));
            d.text(subtitle(&r.header, zone));
            let met = r.targets.iter().filter(|t| t.met == Some(true)).count();
            d.strong(format!("{met} of {} targets met so far", r.targets.len()));
            section(&mut d, &r, false);
            d.render_as(f)
        }
    }
}

fn value(t: &TargetLine, v: f64) -> String {
    match t.unit {
        "%" => format!("{v:.1}%"),
        "of 5" => format!("{v:.2}"),
        _ => format!("{v:.2}"),
    }
}

/// The table of targets, under a heading of its own in the weekly report.
pub fn section(d: &mut Doc, r: &TargetsReport, heading: bool) {
    if heading {
        d.heading(format!(
            "Targets {} (to {})",
            r.header.period.label,
            r.header.as_of.format("%Y-%m-%d")
        ));
    }
    d.table(
        &["TARGET", "GOAL", "ACTUAL", "BASIS", "MET"],
        r.targets
            .iter()
            .map(|t| {
                vec![
                    t.target.to_string(),
                    value(t, t.target_value),
                    t.actual.map_or_else(|| "n/a".into(), |a| value(t, a)),
                    t.basis.clone(),
                    match t.met {
                        Some(true) => "met".into(),
                        Some(false) => "not met".into(),
                        None => "-".into(),
                    },
                ]
            })
            .collect(),
        "no targets for this quarter in presales.toml ([targets])",
    );
}
