//! `presales.toml`: team, roles, skills, availability, SLA limits and workflow definitions.

use std::collections::BTreeMap;
use std::collections::hash_map::{Entry, HashMap};
use std::fmt;

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
    /// Dispatch (派工): how assignments share the rotation.
    #[serde(default)]
    pub dispatch: DispatchSettings,
    /// Deal outcomes: which types end in a deal decision, loss reasons, currencies.
    #[serde(default)]
    pub deals: Deals,
    /// Knowledge-base upkeep (资料库定期更新).
    #[serde(default)]
    pub kb: KbSettings,
    /// Training plans (培训计划): the length of a session when `training new` gives none.
    #[serde(default)]
    pub trainings: TrainingSettings,
    /// Team targets (主管 制定计划和目标), per quarter: `[targets]` holds defaults for every
    /// quarter, `[targets."2026-Q4"]` the targets of one quarter over them.
    #[serde(default, skip_serializing_if = "Targets::is_empty")]
    pub targets: Targets,
    #[serde(default)]
    pub members: Vec<Member>,
}

/// Dispatch (派工): `presales assign --auto` gives one turn each to the engineers, in the
/// order of `[[members]]` (see docs/workflow.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DispatchSettings {
    /// An assignment by hand (`presales assign REQ --to M`) takes M's next turn in the
    /// rotation, so the rotation passes M once (default). `false`: assignments by hand do
    /// not count, and only `--auto` shares turns.
    #[serde(default = "yes")]
    pub manual_takes_turn: bool,
}

impl Default for DispatchSettings {
    fn default() -> Self {
        DispatchSettings {
            manual_takes_turn: true,
        }
    }
}

/// Knowledge-base upkeep: how often an article is reviewed unless it says otherwise.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KbSettings {
    /// The review cycle of articles without their own `review_every` (`180d`, `26w`, `6m`,
    /// `1y`): a new article is due for review one cycle after it is written, and `kb review`
    /// moves the date one cycle ahead. Without it, articles are reviewed when their
    /// `review_by` says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_every: Option<crate::model::article::Cycle>,
}

/// `[targets]`: default values (`win_rate = 40`) and quarters (`[targets."2026-Q4"]`), each a
/// table of target values. Which names are targets, and their ranges, is [`TARGETS`];
/// [`Config::problems`] judges both, located in the file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct Targets(pub BTreeMap<String, TargetEntry>);

/// One entry of `[targets]`.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum TargetEntry {
    /// A default for every quarter: `win_rate = 40`.
    Value(f64),
    /// The targets of one quarter (`"2026-Q4"`), over the defaults.
    Quarter(BTreeMap<String, f64>),
}

impl<'de> Deserialize<'de> for TargetEntry {
    /// A number, or a table of numbers; anything else is refused with what to write.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<TargetEntry, D::Error> {
        use serde::de::Error as _;
        let number = |v: &toml::Value| match v {
            toml::Value::Integer(i) => Some(*i as f64),
            toml::Value::Float(f) => Some(*f),
            _ => None,
        };
        let v = toml::Value::deserialize(d)?;
        if let Some(n) = number(&v) {
            return Ok(TargetEntry::Value(n));
        }
        let toml::Value::Table(t) = v else {
            return Err(D::Error::custom(format!(
                "a target is a number (win_rate = 40), not {}",
                v.type_str()
            )));
        };
        t.iter()
            .map(|(k, v)| match number(v) {
                Some(n) => Ok((k.clone(), n)),
                None => Err(D::Error::custom(format!(
                    "target `{k}` is a number (e.g. {k} = 40), not {}",
                    v.type_str()
                ))),
            })
            .collect::<Result<_, _>>()
            .map(TargetEntry::Quarter)
    }
}

/// A target's name, the range of its values, and what it measures.
pub struct TargetDef {
    pub name: &'static str,
    pub min: f64,
    pub max: f64,
    pub unit: &'static str,
}

/// Every target `[targets]` takes, in report order. Every target is met at or above its
/// value.
pub const TARGETS: &[TargetDef] = &[
    TargetDef {
        name: "win_rate",
        min: 0.0,
        max: 100.0,
        unit: "%",
    },
    TargetDef {
        name: "technical_win_rate",
        min: 0.0,
        max: 100.0,
        unit: "%",
    },
    TargetDef {
        name: "first_response_attainment",
        min: 0.0,
        max: 100.0,
        unit: "%",
    },
    TargetDef {
        name: "satisfaction",
        min: 1.0,
        max: 5.0,
        unit: "of 5",
    },
    TargetDef {
        name: "trainings_per_member",
        min: 0.0,
        max: 1000.0,
        unit: "sessions",
    },
];

impl Targets {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The targets of `quarter` (`2026-Q4`): its own values over the defaults, in the
    /// order of [`TARGETS`]; names that are not targets are left out.
    pub fn of(&self, quarter: &str) -> Vec<(&'static TargetDef, f64)> {
        let own = match self.0.get(quarter) {
            Some(TargetEntry::Quarter(q)) => Some(q),
            _ => None,
        };
        TARGETS
            .iter()
            .filter_map(|t| {
                let v = own
                    .and_then(|q| q.get(t.name))
                    .copied()
                    .or(match self.0.get(t.name) {
                        Some(TargetEntry::Value(v)) => Some(*v),
                        _ => None,
                    })?;
                Some((t, v))
            })
            .collect()
    }

    /// Whether any quarter or default sets `name`.
    pub fn mentions(&self, name: &str) -> bool {
        self.0.iter().any(|(k, e)| match e {
            TargetEntry::Value(_) => k == name,
            TargetEntry::Quarter(q) => q.contains_key(name),
        })
    }
}

/// Whether `s` names a quarter as `[targets]` keys them: `2026-Q4`.
fn is_quarter(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 7
        && b[..4].iter().all(u8::is_ascii_digit)
        && &s[4..6] == "-Q"
        && (b'1'..=b'4').contains(&b[6])
}

/// `[trainings]`: defaults of `presales training new`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingSettings {
    /// Hours of a session when `--hours` is not given (and of each handover training, which
    /// records none): a number above 0 and at most 24; default 2.
    #[serde(default = "default_training_hours", deserialize_with = "hours")]
    #[schemars(with = "f64")]
    pub default_hours: rust_decimal::Decimal,
}

fn default_training_hours() -> rust_decimal::Decimal {
    rust_decimal::Decimal::from(2)
}

impl Default for TrainingSettings {
    fn default() -> TrainingSettings {
        TrainingSettings {
            default_hours: default_training_hours(),
        }
    }
}

/// Deal outcomes (赢单/丢单, 销售转化率): which request types end in a deal decision, the
/// reasons a deal may be lost for, and how values in several currencies are totalled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Deals {
    /// Request types whose close is a deal decision (won or lost): win, conversion and
    /// technical-win rates count only these. Consultations and demos answer a question.
    #[serde(default = "default_deal_types")]
    pub types: Vec<String>,
    /// The reasons `presales close --outcome lost --loss-reason R` accepts.
    #[serde(default = "default_loss_reasons")]
    pub loss_reasons: Vec<String>,
    /// The currency that totals are converted to when `rates` are given; without it (or
    /// without a rate for a currency) totals are per currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Exchange rates into `currency`: `USD = "7.10"` means 1 USD = 7.10 of `currency`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(with = "BTreeMap<String, String>")]
    pub rates: BTreeMap<String, rust_decimal::Decimal>,
    /// How much of a deal's value a product gap puts at risk, by the severity of its link
    /// (`presales report gaps`): `{ blocker = 1.0, challenge = 0.5, nice_to_have = 0.1 }`.
    #[serde(default)]
    pub gap_weights: GapWeights,
}

/// The share of a deal's value each severity of gap link weighs (`report gaps`): numbers
/// from 0 to 1, exact decimals (a TOML float like `0.1` is read as the decimal it shows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GapWeights {
    #[serde(default = "weight_blocker", deserialize_with = "weight")]
    #[schemars(with = "f64")]
    pub blocker: rust_decimal::Decimal,
    #[serde(default = "weight_challenge", deserialize_with = "weight")]
    #[schemars(with = "f64")]
    pub challenge: rust_decimal::Decimal,
    #[serde(default = "weight_nice_to_have", deserialize_with = "weight")]
    #[schemars(with = "f64")]
    pub nice_to_have: rust_decimal::Decimal,
}

fn weight_blocker() -> rust_decimal::Decimal {
    rust_decimal::Decimal::ONE
}

fn weight_challenge() -> rust_decimal::Decimal {
    rust_decimal::Decimal::new(5, 1)
}

fn weight_nice_to_have() -> rust_decimal::Decimal {
    rust_decimal::Decimal::new(1, 1)
}

/// A weight written as a TOML number (`0.1`, read as the decimal it shows, not the binary
/// float) or a string (`"0.1"`).
fn weight<'de, D: serde::Deserializer<'de>>(d: D) -> Result<rust_decimal::Decimal, D::Error> {
    decimal(d, "a weight (a number from 0 to 1)")
}

/// Hours written as a TOML number or a string, read as the decimal they show.
fn hours<'de, D: serde::Deserializer<'de>>(d: D) -> Result<rust_decimal::Decimal, D::Error> {
    decimal(d, "a number of hours")
}

fn decimal<'de, D: serde::Deserializer<'de>>(
    d: D,
    what: &str,
) -> Result<rust_decimal::Decimal, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        Int(i64),
        Float(f64),
        Text(String),
    }
    let text = match Written::deserialize(d)? {
        Written::Int(i) => i.to_string(),
        Written::Float(f) => f.to_string(),
        Written::Text(t) => t,
    };
    text.trim()
        .parse()
        .map_err(|_| serde::de::Error::custom(format!("`{text}` is not {what}")))
}

impl Default for GapWeights {
    fn default() -> GapWeights {
        GapWeights {
            blocker: weight_blocker(),
            challenge: weight_challenge(),
            nice_to_have: weight_nice_to_have(),
        }
    }
}

impl GapWeights {
    /// The weight of a link of this severity.
    pub fn of(&self, severity: crate::model::Severity) -> rust_decimal::Decimal {
        match severity {
            crate::model::Severity::Blocker => self.blocker,
            crate::model::Severity::Challenge => self.challenge,
            crate::model::Severity::NiceToHave => self.nice_to_have,
        }
    }
}

fn default_deal_types() -> Vec<String> {
    ["solution", "rfp", "poc"].map(String::from).to_vec()
}

/// A working week when a member does not say otherwise.
pub const DEFAULT_HOURS_PER_WEEK: f64 = 40.0;

fn default_hours_per_week() -> f64 {
    DEFAULT_HOURS_PER_WEEK
}

fn is_default_hours_per_week(h: &f64) -> bool {
    *h == DEFAULT_HOURS_PER_WEEK
}

/// The default loss reasons: the usual win/loss analysis categories.
pub const LOSS_REASONS: &[&str] = &[
    "price",
    "features",
    "competitor",
    "timing",
    "relationship",
    "no_decision",
    "other",
];

fn default_loss_reasons() -> Vec<String> {
    LOSS_REASONS.iter().map(|s| s.to_string()).collect()
}

impl Default for Deals {
    fn default() -> Deals {
        Deals {
            types: default_deal_types(),
            loss_reasons: default_loss_reasons(),
            currency: None,
            rates: BTreeMap::new(),
            gap_weights: GapWeights::default(),
        }
    }
}

impl Deals {
    /// A deal's value as the reports total it: converted into `currency` when a rate for
    /// its currency is given (rounded half away from zero to cents), else as recorded. A
    /// value without a currency is taken to be in `currency` when one is set, else `-`.
    /// `None` without a value.
    pub fn value_of(
        &self,
        o: &crate::model::request::Opportunity,
    ) -> Option<(rust_decimal::Decimal, String)> {
        let value = o.value?;
        let recorded = o.currency.clone().or_else(|| self.currency.clone());
        let Some(recorded) = recorded else {
            return Some((value, "-".into()));
        };
        match (&self.currency, self.rates.get(&recorded)) {
            (Some(target), Some(rate)) if *target != recorded => {
                let converted = value.checked_mul(*rate)?.round_dp_with_strategy(
                    2,
                    rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                );
                Some((converted.normalize(), target.clone()))
            }
            _ => Some((value, recorded)),
        }
    }

    /// Whether requests of type `kind` end in a deal decision.
    pub fn decides(&self, kind: &str) -> bool {
        self.types.iter().any(|t| t == kind)
    }
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
    ("log", &[]),
    ("gap", &[]),
    ("training", &[]),
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
    /// Which stage plays which part in the commands (`assess` moves into `analysis`, a
    /// solution is changed only in `analysis` and `design`, `demo` records a demo, `review`
    /// opens a review round, `approve` and `handover` move into theirs). Rename a stage here
    /// when your paths call it otherwise.
    #[serde(default)]
    pub stages: StageNames,
    /// The history actions of the assignee that count as the first response (回复): what
    /// the customer sees. Default: an assessment, a stage move (the answer of a
    /// consultation is the move to `answered`), a demo, a close; never a comment, a use of
    /// an article or logged hours. The move `assign` makes out of `registered` never counts.
    #[serde(default = "default_first_response")]
    pub first_response: Vec<String>,
}

/// What counts as a first response unless `[workflow] first_response` says otherwise.
pub const DEFAULT_FIRST_RESPONSE: [&str; 6] =
    ["assess", "advance", "revise", "demo", "feedback", "close"];

fn default_first_response() -> Vec<String> {
    DEFAULT_FIRST_RESPONSE.map(String::from).to_vec()
}

/// The stages the commands give a meaning to, by name. Every path starts with `registered`
/// and ends with `closed`; the others are named here (defaults: the seeds' names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct StageNames {
    pub assigned: String,
    pub analysis: String,
    pub design: String,
    pub demo: String,
    pub review: String,
    pub approved: String,
    pub handover: String,
}

impl Default for StageNames {
    fn default() -> Self {
        StageNames {
            assigned: "assigned".into(),
            analysis: "analysis".into(),
            design: "design".into(),
            demo: "demo".into(),
            review: "review".into(),
            approved: "approved".into(),
            handover: "handover".into(),
        }
    }
}

impl StageNames {
    /// Each part and its stage name, for validation and messages.
    pub fn all(&self) -> [(&'static str, &str); 7] {
        [
            ("assigned", &self.assigned),
            ("analysis", &self.analysis),
            ("design", &self.design),
            ("demo", &self.demo),
            ("review", &self.review),
            ("approved", &self.approved),
            ("handover", &self.handover),
        ]
    }
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
            stages: StageNames::default(),
            first_response: default_first_response(),
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
    /// The outcomes that end this type's path (closing from its last open stage). Default:
    /// the deal outcomes (won, lost, no_decision, cancelled, infeasible); a complaint type
    /// ends `resolved` or `rejected`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcomes: Option<Vec<Outcome>>,
    /// Response-time limits of this type per priority; a priority left out falls back to
    /// `[sla]` (e.g. complaints answered faster than other requests).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sla: BTreeMap<Priority, SlaLimit>,
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
    /// The hours this member works in a week, for capacity and utilisation (default 40).
    #[serde(
        default = "default_hours_per_week",
        skip_serializing_if = "is_default_hours_per_week"
    )]
    pub hours_per_week: f64,
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

crate::model::string_enum!(Role, "role", fold = str::to_string, {
    Engineer => "engineer",
    Lead => "lead",
    Approver => "approver",
    Sales => "sales",
});

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
    /// Whether requests of type `kind` are complaints (客户投诉): their path ends `resolved` or
    /// `rejected`. Complaints are counted apart and never in win rates.
    pub fn is_complaint(&self, kind: &str) -> bool {
        self.workflow.types.get(kind).is_some_and(|t| {
            t.outcomes
                .as_ref()
                .is_some_and(|o| o.iter().any(|x| Outcome::COMPLAINT.contains(x)))
        })
    }

    /// The response-time limits of a request of type `kind` and `priority`: the type's own,
    /// else the priority's (`[sla]`).
    pub fn sla_limit(&self, kind: &str, priority: Priority) -> Option<&SlaLimit> {
        self.workflow
            .types
            .get(kind)
            .and_then(|t| t.sla.get(&priority))
            .or_else(|| self.sla.get(&priority))
    }

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
        let who = who.trim();
        self.member(who)
            .or_else(|| self.members.iter().find(|m| m.id.eq_ignore_ascii_case(who)))
            .or_else(|| {
                self.members.iter().find(|m| {
                    m.email
                        .as_deref()
                        .is_some_and(|e| e.eq_ignore_ascii_case(who))
                })
            })
            .or_else(|| {
                // The display name (`周强`), when only one member has it.
                let mut named = self.members.iter().filter(|m| m.name.trim() == who);
                match (named.next(), named.next()) {
                    (Some(m), None) => Some(m),
                    _ => None,
                }
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

/// The longest SLA limit accepted, in hours (about 11 years of calendar time): anything
/// longer is a typo, and deadlines on the business calendar need not be searched that far.
pub const MAX_SLA_HOURS: f64 = 100_000.0;

/// Whether `hours` is an SLA limit the clocks can use: finite, positive, at most
/// [`MAX_SLA_HOURS`]. Reports treat any other limit as no limit; `problems` names it.
pub fn usable_sla_hours(hours: f64) -> bool {
    hours.is_finite() && hours > 0.0 && hours <= MAX_SLA_HOURS
}

/// The longest member id, in characters.
pub const MAX_MEMBER_ID: usize = 64;

/// One problem of presales.toml that its syntax lets through, located in the text
/// (1-based line and column, in characters).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ConfigProblem {
    pub line: u64,
    pub column: u64,
    pub message: String,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{CONFIG_FILE}:{}:{}: {}",
            self.line, self.column, self.message
        )
    }
}

/// The first of `problems` and how many more, on one line: what a write is refused with
/// and what reading commands warn about. `None` when there are none.
pub fn problems_summary(problems: &[ConfigProblem]) -> Option<String> {
    let first = problems.first()?;
    Some(match problems.len() - 1 {
        0 => first.to_string(),
        1 => format!("{first} (and 1 more problem)"),
        n => format!("{first} (and {n} more problems)"),
    })
}

impl Config {
    /// Everything wrong with this configuration that parsing lets through: duplicate member
    /// ids (case-insensitive) or e-mails, member ids that are not plain names, SLA limits that
    /// are not a positive number of hours (TOML accepts `inf` and `nan`), stage names no
    /// request type has, unknown guards and permission names, and `min_reviewers = 0`.
    ///
    /// `text` is the presales.toml this was parsed from: each problem is located at the
    /// offending value (or key), else at the nearest enclosing table. Sections the text does
    /// not write, filled in from the defaults, are not judged. Sorted by position.
    pub fn problems(&self, text: &str) -> Vec<ConfigProblem> {
        let at = Locator::new(text);
        let mut out = Vec::new();
        let mut push = |(line, column): (u64, u64), message: String| {
            out.push(ConfigProblem {
                line,
                column,
                message,
            })
        };
        self.member_problems(&at, &mut push);
        let type_limits = self.workflow.types.iter().flat_map(|(name, def)| {
            def.sla
                .iter()
                .map(move |(p, l)| (vec!["workflow", "types", name.as_str(), "sla"], p, l))
        });
        let limits = self
            .sla
            .iter()
            .map(|(p, l)| (vec!["sla"], p, l))
            .chain(type_limits);
        for (table, priority, limit) in limits {
            let priority = priority.to_string();
            for (field, hours) in [
                ("first_response_hours", limit.first_response_hours),
                ("resolution_hours", limit.resolution_hours),
            ] {
                if usable_sla_hours(hours) {
                    continue;
                }
                let mut path: Vec<Seg> = table.iter().map(|k| Seg::Key(k)).collect();
                path.extend([Seg::Key(&priority), Seg::Key(field)]);
                let got = at.source(&path).unwrap_or_else(|| hours.to_string());
                let rule = if hours.is_finite() && hours > MAX_SLA_HOURS {
                    format!("must be at most {MAX_SLA_HOURS} hours")
                } else {
                    "must be a positive number of hours".to_string()
                };
                push(
                    at.value(&path),
                    format!("{}.{priority}.{field} {rule}, got {got}", table.join(".")),
                );
            }
        }
        for (name, def) in &self.workflow.types {
            if def.outcomes.as_ref().is_some_and(Vec::is_empty) {
                let path = [
                    Seg::Key("workflow"),
                    Seg::Key("types"),
                    Seg::Key(name),
                    Seg::Key("outcomes"),
                ];
                push(
                    at.value(&path),
                    format!(
                        "workflow.types.{name}.outcomes is empty: a request of this type could never close"
                    ),
                );
            }
        }
        self.workflow_problems(&at, &mut push);
        self.deal_problems(&at, &mut push);
        self.target_problems(&at, &mut push);
        let hours = self.trainings.default_hours;
        if hours <= rust_decimal::Decimal::ZERO || hours > rust_decimal::Decimal::from(24) {
            push(
                at.value(&[Seg::Key("trainings"), Seg::Key("default_hours")]),
                format!("trainings.default_hours must be more than 0 and at most 24, got {hours}"),
            );
        }
        for command in self.permissions.keys() {
            if !PERMISSIONS.iter().any(|(c, _)| c == command) {
                let names: Vec<&str> = PERMISSIONS.iter().map(|(c, _)| *c).collect();
                push(
                    at.key(&[Seg::Key("permissions"), Seg::Key(command)]),
                    format!(
                        "permissions: {} is not a command (commands: {})",
                        shown(command),
                        names.join(", ")
                    ),
                );
            }
        }
        out.sort();
        out.dedup();
        out
    }

    fn deal_problems(&self, at: &Locator, push: &mut impl FnMut((u64, u64), String)) {
        let deals = &self.deals;
        let types_written = at.written(&[Seg::Key("deals"), Seg::Key("types")]);
        for (i, t) in deals.types.iter().enumerate() {
            if types_written && !self.workflow.types.contains_key(t) {
                let types: Vec<&str> = self.workflow.types.keys().map(String::as_str).collect();
                push(
                    at.value(&[Seg::Key("deals"), Seg::Key("types"), Seg::Index(i)]),
                    format!(
                        "deals.types: {} is not a request type (types: {})",
                        shown(t),
                        types.join(", ")
                    ),
                );
            }
        }
        if deals.loss_reasons.is_empty()
            && at.written(&[Seg::Key("deals"), Seg::Key("loss_reasons")])
        {
            push(
                at.value(&[Seg::Key("deals"), Seg::Key("loss_reasons")]),
                "deals.loss_reasons is empty: a lost deal could give no reason".into(),
            );
        }
        for (i, r) in deals.loss_reasons.iter().enumerate() {
            // A word typed after --loss-reason: any script, no spaces.
            if r.is_empty() || r.chars().any(|c| c.is_whitespace() || c.is_control()) {
                push(
                    at.value(&[Seg::Key("deals"), Seg::Key("loss_reasons"), Seg::Index(i)]),
                    format!("loss reason {} must be one word without spaces", shown(r)),
                );
            }
        }
        for (name, w) in [
            ("blocker", deals.gap_weights.blocker),
            ("challenge", deals.gap_weights.challenge),
            ("nice_to_have", deals.gap_weights.nice_to_have),
        ] {
            if w < rust_decimal::Decimal::ZERO || w > rust_decimal::Decimal::ONE {
                push(
                    at.value(&[Seg::Key("deals"), Seg::Key("gap_weights"), Seg::Key(name)]),
                    format!("deals.gap_weights.{name} must be from 0 to 1, got {w}"),
                );
            }
        }
        for (currency, rate) in &deals.rates {
            let path = [Seg::Key("deals"), Seg::Key("rates"), Seg::Key(currency)];
            if deals.currency.is_none() {
                push(
                    at.key(&path),
                    "deals.rates needs deals.currency, the currency they convert into".into(),
                );
                break;
            }
            if *rate <= rust_decimal::Decimal::ZERO {
                push(
                    at.value(&path),
                    format!("deals.rates.{currency} must be a positive number, got {rate}"),
                );
            }
        }
    }

    fn target_problems(&self, at: &Locator, push: &mut impl FnMut((u64, u64), String)) {
        let names: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
        let judge = |path: &[Seg], name: &str, v: f64, push: &mut dyn FnMut((u64, u64), String)| {
            let Some(def) = TARGETS.iter().find(|t| t.name == name) else {
                push(
                    at.key(path),
                    format!(
                        "targets: {} is not a target (targets: {})",
                        shown(name),
                        names.join(", ")
                    ),
                );
                return;
            };
            if !(v.is_finite() && def.min <= v && v <= def.max) {
                let got = at.source(path).unwrap_or_else(|| v.to_string());
                push(
                    at.value(path),
                    format!(
                        "targets: {name} must be from {} to {} ({}), got {got}",
                        def.min, def.max, def.unit
                    ),
                );
            }
        };
        for (key, entry) in &self.targets.0 {
            match entry {
                TargetEntry::Value(v) => {
                    judge(&[Seg::Key("targets"), Seg::Key(key)], key, *v, &mut *push)
                }
                TargetEntry::Quarter(q) => {
                    if !is_quarter(key) {
                        push(
                            at.key(&[Seg::Key("targets"), Seg::Key(key)]),
                            format!(
                                "targets: {} is not a quarter; write [targets.\"2026-Q4\"] for one quarter, or a target's value for every quarter",
                                shown(key)
                            ),
                        );
                        continue;
                    }
                    for (name, v) in q {
                        judge(
                            &[Seg::Key("targets"), Seg::Key(key), Seg::Key(name)],
                            name,
                            *v,
                            &mut *push,
                        );
                    }
                }
            }
        }
    }

    fn member_problems(&self, at: &Locator, push: &mut impl FnMut((u64, u64), String)) {
        // Lowercased id or e-mail → (as first written, its line).
        let mut ids = HashMap::new();
        let mut emails = HashMap::new();
        for (i, m) in self.members.iter().enumerate() {
            if !(m.hours_per_week > 0.0 && m.hours_per_week <= 168.0) {
                push(
                    at.value(&[
                        Seg::Key("members"),
                        Seg::Index(i),
                        Seg::Key("hours_per_week"),
                    ]),
                    format!(
                        "member {}: hours_per_week must be more than 0 and at most 168, got {}",
                        shown(&m.id),
                        m.hours_per_week
                    ),
                );
            }
            let pos = at.value(&[Seg::Key("members"), Seg::Index(i), Seg::Key("id")]);
            if let Some(why) = plain_name_problem(&m.id) {
                push(pos, format!("member id {} {why}", shown(&m.id)));
            }
            if let Some(msg) = duplicate(&mut ids, "id", &m.id, pos.0) {
                push(pos, msg);
            }
            if let Some(email) = &m.email {
                let pos = at.value(&[Seg::Key("members"), Seg::Index(i), Seg::Key("email")]);
                if let Some(msg) = duplicate(&mut emails, "e-mail", email, pos.0) {
                    push(pos, msg);
                }
            }
        }
    }

    fn workflow_problems(&self, at: &Locator, push: &mut impl FnMut((u64, u64), String)) {
        let wf = &self.workflow;
        // Every stage of every type, longest paths first, each once.
        let mut types: Vec<&TypeDef> = wf.types.values().collect();
        types.sort_by_key(|t| std::cmp::Reverse(t.stages.len()));
        let mut stages: Vec<&str> = Vec::new();
        for s in types.iter().flat_map(|t| &t.stages) {
            if !stages.contains(&s.as_str()) {
                stages.push(s);
            }
        }
        let unknown = |where_: &str, stage: &str| {
            format!(
                "{where_}: {} is not a stage of any request type (stages: {})",
                shown(stage),
                stages.join(", ")
            )
        };
        if wf.min_reviewers == 0 {
            push(
                at.value(&[Seg::Key("workflow"), Seg::Key("min_reviewers")]),
                "workflow.min_reviewers must be at least 1 (a review needs a reviewer), got 0"
                    .to_string(),
            );
        }
        for (i, s) in wf.paused_stages.iter().enumerate() {
            if !stages.contains(&s.as_str()) {
                push(
                    at.value(&[
                        Seg::Key("workflow"),
                        Seg::Key("paused_stages"),
                        Seg::Index(i),
                    ]),
                    unknown("workflow.paused_stages", s),
                );
            }
        }
        // Guards and close rules missing from the text come from the defaults: not judged.
        for (stage, names) in &wf.guards {
            let path = [Seg::Key("workflow"), Seg::Key("guards"), Seg::Key(stage)];
            if !at.written(&path) {
                continue;
            }
            if !stages.contains(&stage.as_str()) {
                push(at.key(&path), unknown("workflow.guards", stage));
            }
            guard_problems(at, &format!("workflow.guards.{stage}"), &path, names, push);
        }
        for stage in wf.close.from.keys() {
            let path = [
                Seg::Key("workflow"),
                Seg::Key("close"),
                Seg::Key("from"),
                Seg::Key(stage),
            ];
            if at.written(&path) && !stages.contains(&stage.as_str()) {
                push(at.key(&path), unknown("workflow.close.from", stage));
            }
        }
        for (name, def) in &wf.types {
            for (stage, names) in &def.guards {
                let path = [
                    Seg::Key("workflow"),
                    Seg::Key("types"),
                    Seg::Key(name),
                    Seg::Key("guards"),
                    Seg::Key(stage),
                ];
                if !at.written(&path) {
                    continue;
                }
                let where_ = format!("workflow.types.{name}.guards");
                // Only the type's own stages: a guard for another type's stage is never used.
                if !def.stages.contains(stage) {
                    push(
                        at.key(&path),
                        format!(
                            "{where_}: {} is not a stage of type {} (stages: {})",
                            shown(stage),
                            shown(name),
                            def.stages.join(" → ")
                        ),
                    );
                }
                guard_problems(at, &format!("{where_}.{stage}"), &path, names, push);
            }
        }
    }
}

/// Remembers `value` (case-insensitively) in `seen` with its line; the message when it was
/// there already.
fn duplicate<'a>(
    seen: &mut HashMap<String, (&'a str, u64)>,
    what: &str,
    value: &'a str,
    line: u64,
) -> Option<String> {
    match seen.entry(value.to_lowercase()) {
        Entry::Occupied(e) => {
            let (first, first_line) = *e.get();
            let spelled = if first == value {
                String::new()
            } else {
                format!(", as {}", shown(first))
            };
            Some(format!(
                "duplicate member {what} {} (also on line {first_line}{spelled})",
                shown(value)
            ))
        }
        Entry::Vacant(e) => {
            e.insert((value, line));
            None
        }
    }
}

/// The guard names of `names` (at `path`) that are not guards. [`Guard`]'s parser is the one
/// list of guard names, here as in [`crate::workflow::Workflow::new`].
///
/// [`Guard`]: crate::workflow::Guard
fn guard_problems(
    at: &Locator,
    where_: &str,
    path: &[Seg],
    names: &[String],
    push: &mut impl FnMut((u64, u64), String),
) {
    for (j, g) in names.iter().enumerate() {
        if let Err(e) = g.parse::<crate::workflow::Guard>() {
            let mut path = path.to_vec();
            path.push(Seg::Index(j));
            push(at.value(&path), format!("{where_}: {e}"));
        }
    }
}

/// Why `id` is not a plain name (ASCII letters, digits, `.`, `_`, `-`; not starting with
/// `.` or `-`; no `..`; at most [`MAX_MEMBER_ID`] characters), or `None` when it is one.
/// Member ids end up in file names, commit trailers and command lines.
pub fn plain_name_problem(id: &str) -> Option<String> {
    const PLAIN: &str = "is not a plain name (letters, digits, . _ -)";
    if id.is_empty() {
        Some("is empty".to_string())
    } else if id.chars().count() > MAX_MEMBER_ID {
        Some(format!("is longer than {MAX_MEMBER_ID} characters"))
    } else if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        Some(PLAIN.to_string())
    } else if id.starts_with(['.', '-']) {
        Some(format!("{PLAIN}: it starts with `{}`", &id[..1]))
    } else if id.contains("..") {
        Some(format!("{PLAIN}: it contains `..`"))
    } else {
        None
    }
}

/// A name from presales.toml as a message quotes it: in backquotes, control characters
/// escaped, cut after 40 characters.
fn shown(s: &str) -> String {
    let mut out: String = s.chars().take(40).flat_map(char::escape_debug).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    format!("`{out}`")
}

/// One step of a path into presales.toml.
#[derive(Debug, Clone, Copy)]
enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// One step of the key a setting has in presales.toml (`workflow.types.poc.stages[3]`), as
/// an owned value other modules can return in their errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyPart {
    Key(String),
    Index(usize),
}

impl KeyPart {
    pub fn key(k: impl Into<String>) -> KeyPart {
        KeyPart::Key(k.into())
    }
}

/// Where the setting at `key` is written in `text` (presales.toml), as 1-based line and
/// column, with the spans of the parser that read the file: the value when it is written,
/// else the nearest enclosing table, else 1:1.
pub fn locate(text: &str, key: &[KeyPart]) -> (u64, u64) {
    let path: Vec<Seg> = key
        .iter()
        .map(|k| match k {
            KeyPart::Key(k) => Seg::Key(k),
            KeyPart::Index(i) => Seg::Index(*i),
        })
        .collect();
    Locator::new(text).value(&path)
}

/// Finds where a setting is written in presales.toml, with the spans of the parser that
/// read it (so a file [`Config::parse`] accepts is located in the same terms).
struct Locator<'t> {
    text: &'t str,
    root: Option<toml::de::DeTable<'t>>,
}

/// What a walk down a path found: the deepest value and key reached, and whether the whole
/// path was.
struct Found<'v, 't> {
    value: Option<&'v toml::Spanned<toml::de::DeValue<'t>>>,
    key: Option<std::ops::Range<usize>>,
    table: Option<std::ops::Range<usize>>,
    complete: bool,
}

impl<'t> Locator<'t> {
    fn new(text: &'t str) -> Locator<'t> {
        Locator {
            text,
            root: toml::de::DeTable::parse(text)
                .ok()
                .map(toml::Spanned::into_inner),
        }
    }

    fn walk(&self, path: &[Seg]) -> Found<'_, 't> {
        let mut found = Found {
            value: None,
            key: None,
            table: None,
            complete: false,
        };
        let Some(root) = &self.root else {
            return found;
        };
        let mut table = Some(root);
        let mut array: Option<&toml::de::DeArray<'t>> = None;
        for seg in path {
            let next = match (*seg, table, array) {
                (Seg::Key(k), Some(t), _) => {
                    t.iter()
                        .find(|(key, _)| key.get_ref() == k)
                        .map(|(key, v)| {
                            found.key = Some(key.span());
                            v
                        })
                }
                (Seg::Index(i), _, Some(a)) => a.get(i),
                _ => None,
            };
            let Some(v) = next else {
                return found;
            };
            found.value = Some(v);
            table = v.get_ref().as_table();
            array = v.get_ref().as_array();
            if table.is_some() {
                found.table = Some(v.span());
            }
        }
        found.complete = true;
        found
    }

    /// Whether the text writes the setting at `path` (when the text cannot be walked, every
    /// setting counts as written).
    fn written(&self, path: &[Seg]) -> bool {
        self.root.is_none() || self.walk(path).complete
    }

    /// The position of the value at `path`, else of the nearest enclosing table written.
    fn value(&self, path: &[Seg]) -> (u64, u64) {
        let found = self.walk(path);
        let span = match (found.complete, found.value) {
            (true, Some(v)) => Some(v.span()),
            _ => found.table,
        };
        self.position(span)
    }

    /// The position of the last key of `path`, else as [`Locator::value`].
    fn key(&self, path: &[Seg]) -> (u64, u64) {
        let found = self.walk(path);
        match (found.complete, found.key) {
            (true, Some(k)) => self.position(Some(k)),
            _ => self.value(path),
        }
    }

    /// The text of the value at `path`, as written.
    fn source(&self, path: &[Seg]) -> Option<String> {
        let found = self.walk(path);
        let v = found.value.filter(|_| found.complete)?;
        self.text.get(v.span()).map(|s| s.trim().to_string())
    }

    fn position(&self, span: Option<std::ops::Range<usize>>) -> (u64, u64) {
        let Some(span) = span.filter(|s| s.end > 0) else {
            return (1, 1);
        };
        let start = span.start.min(self.text.len());
        let before = self.text.get(..start).unwrap_or("");
        let line = before.matches('\n').count() as u64 + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
        (line, column)
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
from = { analysis = ["infeasible"], investigating = ["rejected"] }

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

# A customer complaint (客户投诉): investigated, settled, closed with its resolution
# (`presales close REQ --outcome resolved|rejected --resolution T`). Its own limits per
# priority; priorities left out use [sla]. Never counted in win rates.
[workflow.types.complaint]
description = "Customer complaint (客户投诉): investigated, resolved, closed with a resolution"
stages = ["registered", "assigned", "investigating", "resolved", "closed"]
outcomes = ["resolved", "rejected"]
sla = { P1 = { first_response_hours = 1, resolution_hours = 24 }, P2 = { first_response_hours = 2, resolution_hours = 48 } }

# Dispatch (派工): `presales assign REQ --auto` gives one turn each to the engineers, in the
# order of the members below. Whoever cannot take a request (away, lacking a skill, left the
# team) is skipped for that round, with the reason recorded. An assignment by hand
# (`assign --to M`) takes M's next turn, unless manual_takes_turn = false.
[dispatch]
manual_takes_turn = true

# Knowledge-base upkeep (资料库定期更新): a new article is due for review one cycle after it
# is written, and `presales kb review ART` moves the date one cycle ahead (180d, 26w, 6m,
# 1y); an article's own `review_every` wins.
[kb]
review_every = "180d"

# Deal outcomes (赢单/丢单). Win, conversion and technical-win rates count only the types
# that end in a deal decision; `presales close --outcome lost --loss-reason R` takes one of
# the loss reasons. Deal values (`presales new --value V --currency C`) are totalled per
# currency, or converted into `currency` with `rates` (1 unit of the key = rate units).
[deals]
types = ["solution", "rfp", "poc"]
loss_reasons = ["price", "features", "competitor", "timing", "relationship", "no_decision", "other"]
# currency = "CNY"
# rates = { USD = "7.10", EUR = "7.70" }
# The share of a deal's value a product gap puts at risk, by the severity of the link
# (`presales gap link GAP REQ --severity S`); `presales report gaps` weighs values by it.
gap_weights = { blocker = 1.0, challenge = 0.5, nice_to_have = 0.1 }

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
    fn deal_values_are_converted_only_with_a_rate() {
        let o = |v: &str, c: Option<&str>| crate::model::request::Opportunity {
            name: None,
            value: Some(v.parse().unwrap()),
            currency: c.map(str::to_string),
            expected_close: None,
            extra: Default::default(),
        };
        let mut deals = Deals::default();
        // No [deals] currency: every value as recorded, per currency.
        assert_eq!(
            deals.value_of(&o("100", Some("USD"))),
            Some(("100".parse().unwrap(), "USD".into()))
        );
        assert_eq!(deals.value_of(&o("5", None)).unwrap().1, "-");
        deals.currency = Some("CNY".into());
        deals.rates.insert("USD".into(), "7.105".parse().unwrap());
        // USD converted at 7.105, rounded to cents; CNY and a value without currency stay;
        // EUR has no rate, so it stays in EUR.
        assert_eq!(
            deals.value_of(&o("100.01", Some("USD"))),
            Some(("710.57".parse().unwrap(), "CNY".into()))
        );
        assert_eq!(deals.value_of(&o("5", None)).unwrap().1, "CNY");
        assert_eq!(deals.value_of(&o("9", Some("EUR"))).unwrap().1, "EUR");
        let text = "[deals]\ncurrency = \"CNY\"\nrates = { USD = \"7.10\" }\n";
        let c = Config::parse(text).unwrap();
        assert_eq!(c.deals.rates["USD"], "7.10".parse().unwrap());
    }

    #[test]
    fn locate_finds_a_key_with_the_parsers_spans() {
        let text = "[workflow]\ndefault_type = \"solution\"\n\n[workflow.types.poc]\nstages = [\"registered\", \"registered\", \"closed\"]\n";
        let key = [
            KeyPart::key("workflow"),
            KeyPart::key("types"),
            KeyPart::key("poc"),
            KeyPart::key("stages"),
            KeyPart::Index(1),
        ];
        // The second element of the array: line 5, after `stages = ["registered", `.
        assert_eq!(locate(text, &key), (5, 25));
        // Not written: the nearest enclosing table.
        let missing = [
            KeyPart::key("workflow"),
            KeyPart::key("types"),
            KeyPart::key("poc"),
            KeyPart::key("revise"),
        ];
        assert_eq!(locate(text, &missing), (4, 1));
        assert_eq!(locate("not toml [", &key), (1, 1));
    }

    #[test]
    fn both_templates_parse_with_the_seed_workflow() {
        for team in [false, true] {
            let config = Config::parse(&template(team)).unwrap();
            assert_eq!(
                config.workflow.types.keys().collect::<Vec<_>>(),
                [
                    "complaint",
                    "consultation",
                    "demo",
                    "poc",
                    "rfp",
                    "solution"
                ]
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
        // Any case of the id, and the display name when only one member has it.
        assert_eq!(config.find_member("LI.NA").unwrap().id, "li.na");
        assert_eq!(config.find_member("李娜").unwrap().id, "li.na");
    }

    /// The problems of `text` as `line:col: message` lines.
    fn problems(text: &str) -> Vec<String> {
        let config = Config::parse(text).unwrap();
        config
            .problems(text)
            .iter()
            .map(|p| format!("{}:{}: {}", p.line, p.column, p.message))
            .collect()
    }

    #[test]
    fn targets_of_a_quarter_lie_over_the_defaults() {
        let text = "[targets]\nwin_rate = 40\nsatisfaction = 4.5\n\n[targets.\"2026-Q4\"]\nwin_rate = 45\ntrainings_per_member = 2\n";
        let config = Config::parse(text).unwrap();
        let of = |q: &str| -> Vec<(&str, f64)> {
            config
                .targets
                .of(q)
                .into_iter()
                .map(|(t, v)| (t.name, v))
                .collect()
        };
        assert_eq!(
            of("2026-Q4"),
            [
                ("win_rate", 45.0),
                ("satisfaction", 4.5),
                ("trainings_per_member", 2.0)
            ]
        );
        assert_eq!(of("2027-Q1"), [("win_rate", 40.0), ("satisfaction", 4.5)]);
        assert!(config.targets.mentions("trainings_per_member"));
        assert!(!config.targets.mentions("technical_win_rate"));
        assert_eq!(problems(text), Vec::<String>::new());
        assert!(is_quarter("2026-Q4") && !is_quarter("2026-Q5") && !is_quarter("2026Q4"));
        assert_eq!(
            problems("[targets]\nwin_rate = -1\n[targets.Q4]\nwin_rate = 1\n"),
            [
                "2:12: targets: win_rate must be from 0 to 100 (%), got -1",
                "3:10: targets: `Q4` is not a quarter; write [targets.\"2026-Q4\"] for one quarter, or a target's value for every quarter"
            ]
        );
    }

    #[test]
    fn the_templates_have_no_problems() {
        for team in [false, true] {
            assert_eq!(problems(&template(team)), Vec::<String>::new());
        }
        assert_eq!(problems(""), Vec::<String>::new());
    }

    #[test]
    fn sla_limits_must_be_positive_finite_hours() {
        let text = "[sla.P1]\nfirst_response_hours = 0\nresolution_hours = -2\n\n\
                    [sla.P2]\nfirst_response_hours = nan\nresolution_hours = inf\n\n\
                    [sla.P3]\nfirst_response_hours = -inf\nresolution_hours = +inf\n\n\
                    [sla.P4]\nfirst_response_hours = 0.5\nresolution_hours = 1e6\n";
        assert_eq!(
            problems(text),
            [
                "2:24: sla.P1.first_response_hours must be a positive number of hours, got 0",
                "3:20: sla.P1.resolution_hours must be a positive number of hours, got -2",
                "6:24: sla.P2.first_response_hours must be a positive number of hours, got nan",
                "7:20: sla.P2.resolution_hours must be a positive number of hours, got inf",
                "10:24: sla.P3.first_response_hours must be a positive number of hours, got -inf",
                "11:20: sla.P3.resolution_hours must be a positive number of hours, got +inf",
                "15:20: sla.P4.resolution_hours must be at most 100000 hours, got 1e6",
            ]
        );
        // Inline tables are located too; the largest limit and integers are fine.
        let text = "sla = { P1 = { first_response_hours = 100000, resolution_hours = -0.0 } }\n";
        assert_eq!(
            problems(text),
            ["1:66: sla.P1.resolution_hours must be a positive number of hours, got -0.0"]
        );
        for ok in [0.001, 1.0, MAX_SLA_HOURS] {
            assert!(usable_sla_hours(ok), "{ok}");
        }
        for bad in [
            0.0,
            -0.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e300,
        ] {
            assert!(!usable_sla_hours(bad), "{bad}");
        }
    }

    #[test]
    fn member_ids_must_be_plain_names() {
        for ok in [
            "li.na",
            "a",
            "zhang_wei-2",
            "A.B.C",
            &"x".repeat(MAX_MEMBER_ID),
        ] {
            assert_eq!(plain_name_problem(ok), None, "{ok}");
        }
        let plain = "is not a plain name (letters, digits, . _ -)";
        for (id, why) in [
            ("", "is empty".to_string()),
            ("../x", plain.to_string()),
            ("a/b", plain.to_string()),
            ("li na", plain.to_string()),
            ("tab\there", plain.to_string()),
            ("李娜", plain.to_string()),
            (".hidden", format!("{plain}: it starts with `.`")),
            ("-rf", format!("{plain}: it starts with `-`")),
            ("a..b", format!("{plain}: it contains `..`")),
            (
                &"x".repeat(MAX_MEMBER_ID + 1),
                "is longer than 64 characters".to_string(),
            ),
        ] {
            assert_eq!(plain_name_problem(id), Some(why), "{id:?}");
        }
        let text = "[[members]]\nid = \"../x\"\nname = \"X\"\n\n[[members]]\nid = \"bell\\u0007\"\nname = \"B\"\n";
        assert_eq!(
            problems(text),
            [
                "2:6: member id `../x` is not a plain name (letters, digits, . _ -)",
                "6:6: member id `bell\\u{7}` is not a plain name (letters, digits, . _ -)",
            ]
        );
    }

    #[test]
    fn duplicate_member_ids_and_emails_are_found_case_insensitively() {
        let text = "[[members]]\nid = \"li.na\"\nname = \"A\"\nemail = \"li.na@example.com\"\n\n\
                    [[members]]\nid = \"wang\"\nname = \"B\"\nemail = \"LI.NA@example.com\"\n\n\
                    [[members]]\nid = \"li.na\"\nname = \"C\"\n\n\
                    [[members]]\nid = \"Li.Na\"\nname = \"D\"\n";
        assert_eq!(
            problems(text),
            [
                "9:9: duplicate member e-mail `LI.NA@example.com` (also on line 4, as `li.na@example.com`)",
                "12:6: duplicate member id `li.na` (also on line 2)",
                "16:6: duplicate member id `Li.Na` (also on line 2, as `li.na`)",
            ]
        );
        // An inline array of members is located the same way.
        let text =
            "members = [\n  { id = \"a\", name = \"A\" },\n  { id = \"a\", name = \"B\" },\n]\n";
        assert_eq!(
            problems(text),
            ["3:10: duplicate member id `a` (also on line 2)"]
        );
    }

    #[test]
    fn stage_names_must_be_stages_of_some_type() {
        let text = "[workflow]\npaused_stages = [\"demo\", \"waiting\"]\n\n\
                    [workflow.guards]\nwaiting = [\"answer\"]\ndemo = [\"solution_ready\"]\n\n\
                    [workflow.close]\nfrom = { analysis = [\"infeasible\"], nowhere = [\"infeasible\"] }\n\n\
                    [workflow.types.quick]\nstages = [\"registered\", \"answered\", \"closed\"]\n\
                    guards = { demo = [\"answer\"], answered = [\"answer\"] }\n\n\
                    [workflow.types.solution]\nstages = [\"registered\", \"analysis\", \"demo\", \"closed\"]\n";
        let all = "stages: registered, analysis, demo, closed, answered";
        assert_eq!(
            problems(text),
            [
                format!(
                    "2:26: workflow.paused_stages: `waiting` is not a stage of any request type ({all})"
                ),
                format!(
                    "5:1: workflow.guards: `waiting` is not a stage of any request type ({all})"
                ),
                format!(
                    "9:37: workflow.close.from: `nowhere` is not a stage of any request type ({all})"
                ),
                "13:12: workflow.types.quick.guards: `demo` is not a stage of type `quick` (stages: registered → answered → closed)".to_string(),
            ]
        );
    }

    #[test]
    fn sections_filled_from_the_defaults_are_not_judged() {
        // No [workflow.guards] or close rules: the defaults' (for the seed stages) fill in,
        // and they name stages this file's one type lacks. Not this file's problem.
        let text = "[workflow.types.quick]\nstages = [\"registered\", \"answered\", \"closed\"]\n";
        let config = Config::parse(text).unwrap();
        assert!(config.workflow.guards.contains_key("design"));
        assert_eq!(problems(text), Vec::<String>::new());
    }

    #[test]
    fn unknown_guards_permissions_and_no_reviewers_are_problems() {
        let text = "[permissions]\napprove = [\"approver\"]\ndeploy = [\"lead\"]\n\n\
                    [workflow]\nmin_reviewers = 0\n\n[workflow.guards]\nnowhere = [\"magic\"]\n";
        let p = problems(text);
        assert_eq!(p.len(), 4, "{p:#?}");
        assert!(
            p[0].starts_with(
                "3:1: permissions: `deploy` is not a command (commands: new, assign, "
            ),
            "{}",
            p[0]
        );
        assert_eq!(
            p[1],
            "6:17: workflow.min_reviewers must be at least 1 (a review needs a reviewer), got 0"
        );
        assert!(
            p[2].starts_with("9:1: workflow.guards: `nowhere` is not a stage"),
            "{}",
            p[2]
        );
        assert!(
            p[3].starts_with(
                "9:12: workflow.guards.nowhere: unknown guard `magic`; the guards are: assignee"
            ),
            "{}",
            p[3]
        );
        // A type's guard override is checked by the same list of guards.
        let text = "[workflow.types.x]\nstages = [\"registered\", \"closed\"]\nguards = { closed = [\"outcome\", \"vibes\"] }\n";
        let p = problems(text);
        assert_eq!(p.len(), 1, "{p:#?}");
        assert!(
            p[0].starts_with("3:33: workflow.types.x.guards.closed: unknown guard `vibes`"),
            "{}",
            p[0]
        );
    }

    #[test]
    fn problems_are_located_in_toml_1_1_and_sorted_by_position() {
        // A multi-line inline table (TOML 1.1), read by the same parser as Config::parse.
        let text = "[workflow.types.x]\nstages = [\"registered\", \"closed\"]\nguards = {\n  gone = [],\n}\n\n[sla.P1]\nfirst_response_hours = 1\nresolution_hours = 0\n";
        assert_eq!(
            problems(text),
            [
                "4:3: workflow.types.x.guards: `gone` is not a stage of type `x` (stages: registered → closed)",
                "9:20: sla.P1.resolution_hours must be a positive number of hours, got 0",
            ]
        );
    }

    #[test]
    fn a_setting_not_written_is_located_at_its_table_or_the_top() {
        let text = "x = 1\n\n[sla.P1]\nfirst_response_hours = 1\n";
        let at = Locator::new(text);
        let path = [
            Seg::Key("sla"),
            Seg::Key("P1"),
            Seg::Key("resolution_hours"),
        ];
        assert_eq!(at.value(&path), (3, 1));
        assert_eq!(at.key(&path), (3, 1));
        assert!(!at.written(&path));
        assert_eq!(at.source(&path), None);
        assert_eq!(at.value(&[Seg::Key("nothing")]), (1, 1));
        assert_eq!(at.value(&[Seg::Key("x"), Seg::Index(3)]), (1, 1));
        // Text that is not TOML locates nothing, and judges everything.
        let broken = Locator::new("[[[");
        assert_eq!(broken.value(&path), (1, 1));
        assert!(broken.written(&path));
    }

    #[test]
    fn the_summary_names_the_first_problem_and_counts_the_rest() {
        let p = |line| ConfigProblem {
            line,
            column: 2,
            message: format!("problem {line}"),
        };
        assert_eq!(problems_summary(&[]), None);
        assert_eq!(
            problems_summary(&[p(3)]).unwrap(),
            "presales.toml:3:2: problem 3"
        );
        assert_eq!(
            problems_summary(&[p(3), p(4)]).unwrap(),
            "presales.toml:3:2: problem 3 (and 1 more problem)"
        );
        assert_eq!(
            problems_summary(&[p(3), p(4), p(5)]).unwrap(),
            "presales.toml:3:2: problem 3 (and 2 more problems)"
        );
    }
}
