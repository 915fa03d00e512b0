//! `presales.toml`: team, roles, skills, availability, SLA limits and workflow definitions.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::BusinessCalendar;
use crate::model::{Outcome, Priority};

/// The file name that marks a store root.
pub const CONFIG_FILE: &str = "presales.toml";

#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub store: StoreSettings,
    /// Response-time limits (回复时限) per priority.
    #[serde(default)]
    pub sla: BTreeMap<Priority, SlaLimit>,
    #[serde(default)]
    pub workflow: WorkflowConfig,
    /// Business-hours calendar for SLA arithmetic (working days, hours, holidays, time zone);
    /// without it, SLA limits count calendar time. Checked by [`BusinessCalendar::validate`]
    /// when the store opens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<BusinessCalendar>,
    /// Who may do what: a command (`assign`, `approve`, `review`, …) → the roles allowed to
    /// run it. Commands not listed keep their defaults ([`Config::allowed_roles`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub permissions: BTreeMap<String, Vec<Role>>,
    #[serde(default)]
    pub members: Vec<Member>,
}

/// Every command the permission table speaks of, with its default roles (empty: every
/// active member). The commands use these names on the command line too.
pub const PERMISSIONS: &[(&str, &[Role])] = &[
    ("new", &[]),
    ("assign", &[Role::Lead]),
    ("assess", &[]),
    ("advance", &[]),
    ("close", &[]),
    ("reopen", &[Role::Lead]),
    ("rate", &[]),
    ("comment", &[]),
    ("edit", &[]),
    ("solution", &[]),
    ("demo", &[]),
    ("feedback", &[]),
    ("review", &[Role::Engineer, Role::Approver, Role::Lead]),
    ("approve", &[Role::Approver]),
    ("handover", &[]),
    ("kb", &[]),
    ("kb_use", &[]),
    ("customer", &[]),
    ("migrate", &[]),
];

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StoreSettings {
    /// The store format these files are written in (see `presales migrate`). Written by
    /// `presales init` and `presales migrate`; a store without it is in format 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<u32>,
    /// The oldest presales release that reads and writes this format, named in the message
    /// an older binary gives when it refuses to write or judge the store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<String>,
    /// Commit the files each writing command touches, as if `--commit` were given.
    #[serde(default)]
    pub auto_commit: bool,
    /// Register the YAML merge driver in a clone's git config the first time presales runs
    /// there (`false` leaves git's config alone).
    #[serde(default = "yes")]
    pub register_merge_driver: bool,
}

impl Default for StoreSettings {
    fn default() -> Self {
        StoreSettings {
            format: None,
            requires: None,
            auto_commit: false,
            register_merge_driver: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SlaLimit {
    pub first_response_hours: f64,
    pub resolution_hours: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkflowConfig {
    /// Type given to `presales new` when `--type` is absent.
    #[serde(default = "default_type")]
    pub default_type: String,
    /// Pass verdicts the latest review round needs before approval.
    #[serde(default = "default_min_reviewers")]
    pub min_reviewers: u32,
    /// Stages whose time does not count against SLA limits (e.g. waiting for the customer).
    #[serde(default)]
    pub paused_stages: Vec<String>,
    /// Guards per target stage: what a request needs before it may enter that stage.
    #[serde(default)]
    pub guards: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub close: CloseRules,
    #[serde(default)]
    pub types: BTreeMap<String, TypeDef>,
}

fn default_type() -> String {
    "solution".into()
}

fn default_min_reviewers() -> u32 {
    2
}

impl Default for WorkflowConfig {
    fn default() -> Self {
        WorkflowConfig {
            default_type: default_type(),
            min_reviewers: default_min_reviewers(),
            paused_stages: Vec::new(),
            guards: BTreeMap::new(),
            close: CloseRules::default(),
            types: BTreeMap::new(),
        }
    }
}

/// Which outcomes may close a request before the end of its path.
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRules {
    /// Outcomes allowed from any open stage.
    #[serde(default)]
    pub anytime: Vec<Outcome>,
    /// Extra outcomes allowed from particular stages.
    #[serde(default)]
    pub from: BTreeMap<String, Vec<Outcome>>,
}

/// One request type: its path of stages, its revise loops and its guard overrides.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TypeDef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub stages: Vec<String>,
    /// Revise loops: stage → the earlier stage it may go back to.
    #[serde(default)]
    pub revise: BTreeMap<String, String>,
    /// Guard overrides for this type, per target stage.
    #[serde(default)]
    pub guards: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Member {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The key this member signs commits with, for `check --verify-signatures`: an SSH key
    /// fingerprint as `ssh-keygen -lf KEY.pub` prints it (`SHA256:…`), or a GPG key
    /// fingerprint or long key ID (the fingerprint's last 16 hex digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_key: Option<String>,
    #[serde(default)]
    pub roles: Vec<Role>,
    #[serde(default)]
    pub skills: Vec<String>,
    #[serde(default)]
    pub away: Vec<Away>,
    /// False for someone who left the team: kept so old records still resolve.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Away {
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Engineer,
    Lead,
    Approver,
    Sales,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Engineer, Role::Lead, Role::Approver, Role::Sales];
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Engineer => "engineer",
            Role::Lead => "lead",
            Role::Approver => "approver",
            Role::Sales => "sales",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!("unknown role `{s}` (expected engineer, lead, approver or sales)")
            })
    }
}

impl Member {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn has_skill(&self, skill: &str) -> bool {
        self.skills.iter().any(|s| s.eq_ignore_ascii_case(skill))
    }

    /// The away range covering `day`, if any.
    pub fn away_on(&self, day: NaiveDate) -> Option<&Away> {
        self.away.iter().find(|a| a.from <= day && day <= a.to)
    }
}

impl Config {
    /// Parses presales.toml text; the error carries the line and column toml reports.
    pub fn parse(text: &str) -> Result<Config, toml::de::Error> {
        let mut config: Config = toml::from_str(text)?;
        config.fill_defaults();
        Ok(config)
    }

    /// Parses presales.toml written by a newer presales: settings this version does not know
    /// are left out (each such line is skipped, up to a limit) and returned by name, so that
    /// reading commands still work. Never used to write: a newer store is read-only here.
    pub fn parse_skipping_unknown(text: &str) -> Option<(Config, Vec<String>)> {
        let mut text = text.to_string();
        let mut skipped = Vec::new();
        for _ in 0..64 {
            match Config::parse(&text) {
                Ok(c) => return Some((c, skipped)),
                Err(e) if e.message().starts_with("unknown field") => {
                    let start = e.span()?.start;
                    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
                    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
                    skipped.push(text[line_start..line_end].trim().to_string());
                    text.replace_range(line_start..line_end, "");
                }
                Err(_) => return None,
            }
        }
        None
    }

    /// Missing workflow sections fall back to the seeds' defaults, so a minimal presales.toml works.
    fn fill_defaults(&mut self) {
        let defaults = Config::defaults();
        if self.workflow.types.is_empty() {
            self.workflow.types = defaults.workflow.types;
        }
        if self.workflow.guards.is_empty() {
            self.workflow.guards = defaults.workflow.guards;
        }
        if self.workflow.close.anytime.is_empty() && self.workflow.close.from.is_empty() {
            self.workflow.close = defaults.workflow.close;
        }
        if self.sla.is_empty() {
            self.sla = defaults.sla;
        }
    }

    /// The configuration `presales init --empty` writes, parsed: the seeds' workflow, no team.
    pub fn defaults() -> Config {
        // The template is part of the binary and covered by tests, so it always parses.
        toml::from_str(&template(false)).unwrap_or_default()
    }

    pub fn member(&self, id: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.id == id)
    }

    /// Finds a member by id or e-mail (case-insensitive for e-mail).
    pub fn find_member(&self, who: &str) -> Option<&Member> {
        self.member(who).or_else(|| {
            self.members.iter().find(|m| {
                m.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(who))
            })
        })
    }

    /// The roles allowed to run `command` (see [`PERMISSIONS`]); empty means every active
    /// member.
    pub fn allowed_roles(&self, command: &str) -> &[Role] {
        if let Some(roles) = self.permissions.get(command) {
            return roles;
        }
        PERMISSIONS
            .iter()
            .find(|(c, _)| *c == command)
            .map_or(&[], |(_, r)| r)
    }

    /// Whether `who` may run `command`: an active member holding one of its roles. The
    /// error names who may.
    pub fn permit(&self, who: &str, command: &str) -> Result<(), String> {
        let Some(member) = self.member(who) else {
            if self.members.is_empty() {
                // A store without a team yet: anyone may act.
                return Ok(());
            }
            return Err(format!(
                "`{who}` is not a member of the team in presales.toml"
            ));
        };
        if !member.active {
            return Err(format!("{who} has left the team (active = false)"));
        }
        let roles = self.allowed_roles(command);
        if roles.is_empty() || roles.iter().any(|r| member.has_role(*r)) {
            return Ok(());
        }
        let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        let who_may: Vec<&str> = self
            .members
            .iter()
            .filter(|m| m.active && roles.iter().any(|r| m.has_role(*r)))
            .map(|m| m.id.as_str())
            .collect();
        Err(format!(
            "{who} may not {command}: it takes the role {} ({}); see [permissions] in presales.toml",
            names.join(" or "),
            if who_may.is_empty() {
                "nobody on the team has it".to_string()
            } else {
                format!("who may: {}", who_may.join(", "))
            }
        ))
    }

    pub fn member_ids(&self) -> Vec<&str> {
        self.members.iter().map(|m| m.id.as_str()).collect()
    }
}

/// The text of a new presales.toml. With `team`, an example team marked as such.
pub fn template(team: bool) -> String {
    let mut out = TEMPLATE_HEAD
        .replace("{FORMAT}", &crate::store::format::CURRENT.to_string())
        .replace(
            "{REQUIRES}",
            crate::store::format::requires(crate::store::format::CURRENT),
        );
    if team {
        out.push_str(TEMPLATE_TEAM);
    } else {
        out.push_str("# Team members: none yet; add them with `presales team add`.\n");
    }
    out
}

const TEMPLATE_HEAD: &str = r#"#:schema ./schemas/presales.toml.schema.json
# presales store configuration (see docs/file-formats.md).
# Records live in requests/, solutions/, kb/ and customers/; this file holds the team,
# the response-time limits and the workflow.

[store]
# The store format and the oldest presales that reads and writes it. Written by
# `presales init` and `presales migrate`; do not edit by hand.
format = {FORMAT}
requires = "{REQUIRES}"
# Commit exactly the files each command touches, as if --commit were given.
auto_commit = false
# Register the YAML merge driver in each clone's git config on first use.
register_merge_driver = true

# Response-time limits per priority (回复时限), in hours.
[sla.P1]
first_response_hours = 2
resolution_hours = 40

[sla.P2]
first_response_hours = 8
resolution_hours = 80

[sla.P3]
first_response_hours = 24
resolution_hours = 160

[sla.P4]
first_response_hours = 40
resolution_hours = 320

# Business-hours calendar for the SLA figures (see docs/reports.md). Without it, the limits
# above count calendar time. Uncomment and adapt:
# [calendar]
# time_zone = "Asia/Shanghai"
# working_days = ["mon", "tue", "wed", "thu", "fri"]
# hours = ["09:00", "18:00"]                 # or windows = [["09:00", "12:00"], ["13:00", "18:00"]]
# holidays = ["2026-10-01", "2026-10-02"]
# extra_working_days = ["2026-09-27"]        # make-up days (调休)

[workflow]
# Type given to `presales new` without --type.
default_type = "solution"
# Pass verdicts the latest review round needs before a manager may approve (方案评审).
min_reviewers = 2
# Stages whose time does not count against SLA limits.
paused_stages = []

# What a request needs before it may enter a stage. Guards:
#   assignee        an active engineer is assigned (with the request's skills)
#   assessment      the feasibility analysis is recorded (presales assess)
#   solution        a solution record exists
#   solution_ready  the solution has a technical plan, a time plan and resources
#   demo_feedback   a demo is recorded in the current demo stage, each feedback item dispositioned
#   quotation       the solution has a quotation with a total
#   review_passed   the latest review round has at least min_reviewers pass verdicts
#   approval        the solution is approved by an approver (four eyes)
#   approved        same as approval (used for handover)
#   handover        the handover to sales is recorded (presales handover)
#   answer          the move carries the answer as --note
#   outcome         outcome and summary are recorded, and the outcome fits the stage
[workflow.guards]
assigned = ["assignee"]
design = ["assessment"]
demo = ["solution_ready"]
review = ["demo_feedback"]
approved = ["review_passed", "approval"]
handover = ["approved", "handover"]
answered = ["answer"]
closed = ["outcome"]

# Closing before the end of the path: any open stage may close as cancelled, and the
# feasibility analysis may close as infeasible.
[workflow.close]
anytime = ["cancelled"]
from = { analysis = ["infeasible"] }

[workflow.types.solution]
description = "Full solution: analysis, design, demo, review, approval, handover"
stages = ["registered", "assigned", "analysis", "design", "demo", "review", "approved", "handover", "closed"]
revise = { demo = "design", review = "design" }

[workflow.types.rfp]
description = "Response to a tender (RFP): the full path, with a quotation required"
stages = ["registered", "assigned", "analysis", "design", "demo", "review", "approved", "handover", "closed"]
revise = { demo = "design", review = "design" }
guards = { review = ["demo_feedback", "quotation"], approved = ["review_passed", "approval", "quotation"] }

[workflow.types.demo]
description = "A product demo for a customer"
stages = ["registered", "assigned", "demo", "closed"]
guards = { demo = [] }

[workflow.types.consultation]
description = "Technical consultation (技术咨询): a question answered"
stages = ["registered", "assigned", "answered", "closed"]

[workflow.types.poc]
description = "Proof of concept: designed, demonstrated and reviewed, no handover"
stages = ["registered", "assigned", "analysis", "design", "demo", "review", "approved", "closed"]
revise = { demo = "design", review = "design" }

"#;

const TEMPLATE_TEAM: &str = r#"# ──────────────────────────────────────────────────────────────────────────────
# EXAMPLE TEAM: made-up people to show the shape. Replace them with your own
# (`presales team add`, `presales team away`), or start with `presales init --empty`.
# Roles: engineer, lead, approver, sales. Skills are free words matched by --skill.
# ──────────────────────────────────────────────────────────────────────────────

[[members]]
id = "zhang.wei"
name = "张伟"
email = "zhang.wei@example.com"
roles = ["lead"]
skills = []

[[members]]
id = "chen.jing"
name = "陈静"
email = "chen.jing@example.com"
roles = ["approver"]
skills = []

[[members]]
id = "li.na"
name = "李娜"
email = "li.na@example.com"
roles = ["engineer"]
skills = ["network", "security"]

[[members]]
id = "wang.fang"
name = "王芳"
email = "wang.fang@example.com"
roles = ["engineer"]
skills = ["database", "cloud"]

[[members]]
id = "liu.yang"
name = "刘洋"
email = "liu.yang@example.com"
roles = ["engineer"]
skills = ["network", "cloud"]
away = [{ from = "2026-12-14", to = "2026-12-25", note = "annual leave" }]

[[members]]
id = "zhao.lei"
name = "赵磊"
email = "zhao.lei@example.com"
roles = ["sales"]
skills = []

[[members]]
id = "sun.li"
name = "孙丽"
email = "sun.li@example.com"
roles = ["sales"]
skills = []
"#;

#[cfg(test)]
mod tests {

    #[test]
    fn settings_of_a_newer_presales_are_skipped_only_on_request() {
        let text = "[store]\nformat = 9\nbrand_new = true\n\n[workflow]\nmin_reviewers = 1\nfuture_rule = [1, 2]\n";
        assert!(Config::parse(text).is_err());
        let (config, skipped) = Config::parse_skipping_unknown(text).unwrap();
        assert_eq!(config.store.format, Some(9));
        assert_eq!(config.workflow.min_reviewers, 1);
        assert_eq!(skipped, ["brand_new = true", "future_rule = [1, 2]"]);
        // A wrong value is not an unknown setting: no reading around it.
        assert!(Config::parse_skipping_unknown("[workflow]\nmin_reviewers = \"x\"\n").is_none());
    }

    use super::*;

    #[test]
    fn both_templates_parse_with_the_seed_workflow() {
        for team in [false, true] {
            let config = Config::parse(&template(team)).unwrap();
            assert_eq!(
                config.workflow.types.keys().collect::<Vec<_>>(),
                ["consultation", "demo", "poc", "rfp", "solution"]
            );
            assert_eq!(config.sla.len(), 4);
            assert_eq!(config.members.is_empty(), !team);
        }
    }

    #[test]
    fn example_team_has_the_promised_shape() {
        let config = Config::parse(&template(true)).unwrap();
        let with = |r| config.members.iter().filter(|m| m.has_role(r)).count();
        assert_eq!(with(Role::Lead), 1);
        assert_eq!(with(Role::Approver), 1);
        assert_eq!(with(Role::Engineer), 3);
        assert_eq!(with(Role::Sales), 2);
        assert_eq!(
            config.members.iter().filter(|m| !m.away.is_empty()).count(),
            1
        );
    }

    #[test]
    fn the_commented_calendar_of_the_template_is_valid() {
        let text: String = template(false)
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest) if rest.starts_with('[') && rest.starts_with("[calendar]") => rest,
                Some(rest)
                    if [
                        "time_zone",
                        "working_days",
                        "hours",
                        "holidays",
                        "extra_working_days",
                    ]
                    .iter()
                    .any(|k| rest.starts_with(k)) =>
                {
                    rest
                }
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let config = Config::parse(&text).unwrap();
        let cal = config.calendar.expect("calendar uncommented");
        assert_eq!(cal.time_zone, "Asia/Shanghai");
        cal.validate().unwrap();
    }

    #[test]
    fn a_minimal_file_gets_the_default_workflow() {
        let config = Config::parse("members = []\n").unwrap();
        assert!(config.workflow.types.contains_key("rfp"));
        assert_eq!(config.workflow.min_reviewers, 2);
    }

    #[test]
    fn members_are_found_by_id_or_email() {
        let config = Config::parse(&template(true)).unwrap();
        assert_eq!(config.find_member("li.na").unwrap().name, "李娜");
        assert_eq!(config.find_member("LI.NA@example.com").unwrap().id, "li.na");
        assert!(config.find_member("nobody").is_none());
    }
}
