//! Commands as data: every writing command's whole input, and how it is written into (and
//! read back from) the history entry that records it.
//!
//! A command's primary entry carries its input; [`decode`] turns such an entry back into the
//! command, so that `check --base` can replay a pull request's entries through the same
//! [`super::apply`] the commands use. Long texts (a plan, an article body) are recorded as
//! content hashes; files named by records likewise.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::article::{Category, Cycle, Status};
use crate::model::gap::{GapStatus, Severity};
use crate::model::request::{Activity, Disposition, Feasibility, Opportunity};
use crate::model::solution::{Adjustment, Milestone, QuoteLine, Resource, Training, VerdictKind};
use crate::model::{Action, HistoryEntry, Kind, Outcome, Priority, TrainingKind};

fn is_false(b: &bool) -> bool {
    !*b
}

/// `presales customer note` (客户接触记录): the text and the contact's name are personal
/// data, recorded by hash only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoteInput {
    /// The id of the new interaction.
    pub item: String,
    pub text_sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_sha256: Option<String>,
    /// The text: in the command, never in the entry.
    #[serde(skip)]
    pub text: Option<String>,
    #[serde(skip)]
    pub contact: Option<String>,
}

/// `presales customer forget-contact`: the contact, by the hash of its name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForgetInput {
    pub contact_sha256: String,
}

/// `presales customer new`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerInput {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_owner: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub confidential: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// `presales new` (需求登记). `to` is the first stage of the type's path (written, not given).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    pub title: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub priority: Priority,
    pub customer: String,
    /// The deal's value and currency (`--value`, `--currency`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opportunity: Option<Opportunity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub confidential: bool,
}

/// `presales assign`. `from` (the previous assignee) is written, not given; `policy`,
/// `after` and `skipped` record an automatic choice (派工), `turn` every assignment that takes
/// a turn in the rotation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AssignInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    pub to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turn: Option<u64>,
    /// Round-robin: the engineer of the last turn, where the rotation stood.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// Round-robin: the engineers passed on the way, each with the reason; least-loaded: the
    /// engineers who could not take it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<crate::assign::Skip>,
    /// `--force`: the member is away and takes it anyway, for the reason in `note`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub force: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `presales assess` (需求分析与评估).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssessInput {
    pub feasibility: Feasibility,
    pub difficulty: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `presales advance` (and a move another command makes). `from` is written, not given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MoveInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    pub to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `presales close`. `from` and `to` are written, not given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CloseInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    pub outcome: Outcome,
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub satisfaction: Option<u8>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub technical_win: bool,
    /// Who confirmed the technical win, and how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// One of `[deals] loss_reasons` (lost deals only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loss_reason: Option<String>,
    /// Who won the deal instead (lost deals only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub competitor: Option<String>,
    /// How a complaint was settled or why it was rejected (complaint outcomes only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
}

/// `presales reopen`: back to the stage the request was closed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReopenInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    pub note: String,
}

/// `presales rate`: a satisfaction score that arrives after close.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateInput {
    pub satisfaction: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `presales comment`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommentInput {
    pub note: String,
}

/// One field changed by `edit`: its value before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    #[serde(default)]
    pub old: Value,
    #[serde(default)]
    pub new: Value,
}

/// `presales edit`, `kb edit`, `customer edit`: old → new per top-level field. Long texts
/// (`description`, `body`) are recorded by content hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EditInput {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, FieldChange>,
    /// An article's body file as it is now (its SHA-256), recorded when its text changed
    /// since the last entry that recorded it: how a changed manual is accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_sha256: Option<String>,
    /// The new values of personal-data fields ([`PRIVATE_FIELDS`]), whose old → new the
    /// entry records by hash only: in the command, never in the entry.
    #[serde(skip)]
    pub private: BTreeMap<String, Value>,
}

/// Fields holding personal data (a customer's contacts): `edit` records them by the hash of
/// their JSON, so that `customer forget-contact` leaves nothing in history.
pub const PRIVATE_FIELDS: &[(Kind, &str)] = &[(Kind::Customer, "contacts")];

/// Whether `field` of a `kind` record is personal data.
pub fn is_private(kind: Kind, field: &str) -> bool {
    PRIVATE_FIELDS
        .iter()
        .any(|(k, f)| *k == kind && *f == field)
}

/// How an entry records a personal-data value: `null` for none (null or empty), a list of
/// the SHA-256 of each item's JSON for a list (so that each contact can be found again on
/// its own), else the SHA-256 of its JSON.
pub fn private_hash(v: &Value) -> Value {
    let hash = |x: &Value| Value::String(crate::model::content_hash(&x.to_string()));
    match v {
        Value::Null => Value::Null,
        Value::Array(items) if items.is_empty() => Value::Null,
        Value::Array(items) => Value::Array(items.iter().map(hash).collect()),
        other => hash(other),
    }
}

/// The texts a personal-data value's hashes stand for, by hash: each item of a list, or the
/// whole value.
pub fn private_texts(v: &Value) -> Vec<(String, String)> {
    let one = |x: &Value| {
        let t = x.to_string();
        (crate::model::content_hash(&t), t)
    };
    match v {
        Value::Null => Vec::new(),
        Value::Array(items) => items.iter().map(one).collect(),
        other => vec![one(other)],
    }
}

/// `presales solution new`. `plan_sha256` is the hash of the inline plan or of the plan file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SolutionInput {
    pub request: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<String>,
    /// The inline plan's text: in the command, never in the entry (its hash is).
    #[serde(skip)]
    pub plan: Option<String>,
}

/// `presales solution plan`: an inline plan (by hash) or a plan file (path and hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_file: Option<String>,
    pub plan_sha256: String,
    #[serde(skip)]
    pub plan: Option<String>,
}

/// `presales solution milestone` (时间计划): adds a milestone (`name` and `date`), or
/// changes (`edit`) or removes (`remove`) the one at a place of the time plan, numbered
/// from 1 as `solution show` numbers them. Milestones have no ids, so `was` (written, not
/// given) records the item as it was: applying the entry refuses when the item at that
/// place is another, so a replayed change touches the item it names, never its
/// neighbour. An edit records the item's new content whole.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MilestoneInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub was: Option<Milestone>,
}

/// `presales solution resource` (资源需求): add, `edit` or `remove` as for milestones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResourceInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub was: Option<Resource>,
}

/// `presales solution quote` (报价估算): add a line, or `edit`/`remove` line N (with `was`,
/// as for milestones); set the discount (`5%` or an amount; 0 removes it), the tax (`13%`),
/// the currency or the validity. `total` is written, not given: (subtotal − discount) ×
/// (1 + tax), recomputed from what the quotation holds after the change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QuoteInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub was: Option<QuoteLine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<Adjustment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax: Option<Adjustment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<Decimal>,
}

/// `presales solution risk` (风险评估). `score` is written, not given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskInput {
    pub description: String,
    pub likelihood: u8,
    pub impact: u8,
    pub mitigation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<u8>,
}

/// `presales demo` (演示会议), and `presales demo --planned` (a demo planned for a later
/// date). `held`: the demo is the planned demo `demo`, held now (`demo --held N`); its
/// attendees and note are recorded as they end up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoInput {
    pub demo: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub held: bool,
    pub date: NaiveDate,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attendees: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `presales feedback --from … --text …` (收集反馈), on the latest demo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackInput {
    pub demo: String,
    pub item: String,
    pub source: String,
    pub note: String,
}

/// `presales feedback --item N --disposition D`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DispositionInput {
    pub item: String,
    pub disposition: Disposition,
}

/// `presales review` (方案评审). `round` is written, not given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewInput {
    pub verdict_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round: Option<u32>,
    pub verdict: VerdictKind,
    pub note: String,
}

/// `presales approve` (方案批准). `version` is written, not given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApproveInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `presales handover` (方案交接与培训).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoverInput {
    pub to: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub training: Vec<Training>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `presales kb new`. `body_sha256` is the hash of the inline body or of the body file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    pub title: String,
    pub category: Category,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_by: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_every: Option<Cycle>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub confidential: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_sha256: Option<String>,
    #[serde(skip)]
    pub body: Option<String>,
}

/// `presales kb import`: what one Markdown file says (front matter and body), applied to a
/// new or an existing article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    pub source: String,
    pub source_sha256: String,
    pub title: String,
    /// The front matter's category, else the `--category` given to the import.
    pub category: Category,
    #[serde(default, skip_serializing_if = "is_false")]
    pub category_given: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub products: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_by: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidential: Option<bool>,
    /// Front matter `summary` (or `description`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aliases: Option<Vec<String>>,
    pub body_sha256: String,
    #[serde(skip)]
    pub body: Option<String>,
}

/// `presales kb review` (资料定期更新): `from`/`to` are the old and new `review_by`,
/// written, not given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleReviewInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// A new review cycle for the article (`--every`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<Cycle>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `presales kb flag` (资料使用反馈): a problem with `article`, written on the request it was
/// found in, else on the article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlagInput {
    /// The id of the new flag.
    pub item: String,
    pub article: String,
    pub note: String,
}

/// `kb publish` / `kb archive`. `from` and `to` are written, not given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `presales kb use ART --request REQ` (资料使用记录), recorded on the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UseInput {
    pub article: String,
}

/// `presales log REQ 3h --activity demo` (工时): effort by the caller on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogInput {
    /// The id of the new effort entry.
    pub item: String,
    pub date: NaiveDate,
    pub hours: Decimal,
    pub activity: Activity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `presales gap new` (产品差距).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GapInput {
    pub title: String,
    pub product: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workaround: Option<String>,
}

/// `presales gap link GAP REQ --severity S [--feedback N]`, written on the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GapLinkInput {
    /// The id of the new link.
    pub item: String,
    pub gap: String,
    pub severity: Severity,
    /// The id of the feedback item (of the latest demo) whose disposition becomes `gap`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

/// `presales gap status GAP planned --ref JIRA-123`. `from` (the old status) is written,
/// not given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GapStatusInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<GapStatus>,
    pub to: GapStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `presales gap merge A B`, written on A: `to` is B.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GapMergeInput {
    pub to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `presales training new` (培训计划): a session, its trainer and whom it invites.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingInput {
    pub title: String,
    pub kind: TrainingKind,
    pub date: NaiveDate,
    pub hours: Decimal,
    pub trainer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attendees: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `presales training attend TRN --member M…`: members who attended the session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttendInput {
    pub members: Vec<String>,
}

/// Every writing command, with the record it acts on.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    NewCustomer {
        id: String,
        input: CustomerInput,
    },
    CustomerNote {
        customer: String,
        input: NoteInput,
    },
    ForgetContact {
        customer: String,
        input: ForgetInput,
    },
    NewRequest {
        id: String,
        input: RequestInput,
    },
    Assign {
        request: String,
        input: AssignInput,
    },
    Assess {
        request: String,
        input: AssessInput,
    },
    Advance {
        request: String,
        input: MoveInput,
    },
    Close {
        request: String,
        input: CloseInput,
    },
    Reopen {
        request: String,
        input: ReopenInput,
    },
    Rate {
        request: String,
        input: RateInput,
    },
    Comment {
        request: String,
        input: CommentInput,
    },
    Edit {
        record: String,
        input: EditInput,
    },
    NewSolution {
        id: String,
        input: SolutionInput,
    },
    Plan {
        solution: String,
        input: PlanInput,
    },
    Milestone {
        solution: String,
        input: MilestoneInput,
    },
    Resource {
        solution: String,
        input: ResourceInput,
    },
    Quote {
        solution: String,
        input: QuoteInput,
    },
    Risk {
        solution: String,
        input: RiskInput,
    },
    Demo {
        request: String,
        input: DemoInput,
    },
    PlanDemo {
        request: String,
        input: DemoInput,
    },
    Feedback {
        request: String,
        input: FeedbackInput,
    },
    Disposition {
        request: String,
        input: DispositionInput,
    },
    Review {
        solution: String,
        input: ReviewInput,
    },
    Approve {
        solution: String,
        input: ApproveInput,
    },
    Handover {
        solution: String,
        input: HandoverInput,
    },
    NewArticle {
        id: String,
        input: ArticleInput,
    },
    Import {
        article: String,
        input: ImportInput,
    },
    Publish {
        article: String,
        input: StatusInput,
    },
    Archive {
        article: String,
        input: StatusInput,
    },
    UseArticle {
        request: String,
        input: UseInput,
    },
    ReviewArticle {
        article: String,
        input: ArticleReviewInput,
    },
    /// On a request (found while working on it) or on the article itself.
    Flag {
        record: String,
        input: FlagInput,
    },
    Log {
        request: String,
        input: LogInput,
    },
    NewGap {
        id: String,
        input: GapInput,
    },
    LinkGap {
        request: String,
        input: GapLinkInput,
    },
    GapStatus {
        gap: String,
        input: GapStatusInput,
    },
    MergeGap {
        gap: String,
        input: GapMergeInput,
    },
    NewTraining {
        id: String,
        input: TrainingInput,
    },
    Attend {
        training: String,
        input: AttendInput,
    },
}

impl Command {
    /// The name of the command in the permission table (`[permissions]` of presales.toml).
    pub fn permission(&self) -> &'static str {
        match self {
            Command::NewCustomer { .. }
            | Command::CustomerNote { .. }
            | Command::ForgetContact { .. } => "customer",
            Command::NewRequest { .. } => "new",
            Command::Assign { .. } => "assign",
            Command::Assess { .. } => "assess",
            Command::Advance { .. } => "advance",
            Command::Close { .. } => "close",
            Command::Reopen { .. } => "reopen",
            Command::Rate { .. } => "rate",
            Command::Comment { .. } => "comment",
            Command::Edit { record, .. } => match record.split('-').next() {
                Some("KB") => "kb",
                Some("CUS") => "customer",
                Some("GAP") => "gap",
                Some("TRN") => "training",
                _ => "edit",
            },
            Command::NewSolution { .. }
            | Command::Plan { .. }
            | Command::Milestone { .. }
            | Command::Resource { .. }
            | Command::Quote { .. }
            | Command::Risk { .. } => "solution",
            Command::Demo { .. } | Command::PlanDemo { .. } => "demo",
            Command::Feedback { .. } | Command::Disposition { .. } => "feedback",
            Command::Review { .. } => "review",
            Command::Approve { .. } => "approve",
            Command::Handover { .. } => "handover",
            Command::NewArticle { .. }
            | Command::Import { .. }
            | Command::Publish { .. }
            | Command::Archive { .. } => "kb",
            Command::ReviewArticle { .. } => "kb",
            Command::UseArticle { .. } | Command::Flag { .. } => "kb_use",
            Command::Log { .. } => "log",
            Command::NewGap { .. }
            | Command::LinkGap { .. }
            | Command::GapStatus { .. }
            | Command::MergeGap { .. } => "gap",
            Command::NewTraining { .. } | Command::Attend { .. } => "training",
        }
    }

    /// The action of the entry that carries this command's input.
    pub fn action(&self) -> Action {
        match self {
            Command::NewCustomer { .. }
            | Command::NewRequest { .. }
            | Command::NewSolution { .. }
            | Command::NewArticle { .. }
            | Command::NewGap { .. }
            | Command::NewTraining { .. } => Action::Create,
            Command::Assign { .. } => Action::Assign,
            Command::CustomerNote { .. } => Action::Note,
            Command::ForgetContact { .. } => Action::ForgetContact,
            Command::Assess { .. } => Action::Assess,
            Command::Advance { .. } => Action::Advance,
            Command::Close { .. } => Action::Close,
            Command::Reopen { .. } => Action::Reopen,
            Command::Rate { .. } => Action::Rate,
            Command::Comment { .. } => Action::Comment,
            Command::Edit { .. } => Action::Edit,
            Command::Plan { .. } => Action::Plan,
            Command::Milestone { .. } => Action::Milestone,
            Command::Resource { .. } => Action::Resource,
            Command::Quote { .. } => Action::Quote,
            Command::Risk { .. } => Action::Risk,
            Command::Demo { .. } => Action::Demo,
            Command::PlanDemo { .. } => Action::PlanDemo,
            Command::Feedback { .. } => Action::Feedback,
            Command::Disposition { .. } => Action::Disposition,
            Command::Review { .. } => Action::Review,
            Command::Approve { .. } => Action::Approve,
            Command::Handover { .. } => Action::Handover,
            Command::Import { .. } => Action::Import,
            Command::Publish { .. } => Action::Publish,
            Command::Archive { .. } => Action::Archive,
            Command::UseArticle { .. } => Action::UseArticle,
            Command::ReviewArticle { .. } => Action::Review,
            Command::Flag { .. } => Action::Flag,
            Command::Log { .. } => Action::Log,
            Command::LinkGap { .. } => Action::LinkGap,
            Command::GapStatus { .. } => Action::GapStatus,
            Command::MergeGap { .. } => Action::MergeGap,
            Command::Attend { .. } => Action::Attend,
        }
    }
}

/// Writes `payload`'s fields into `entry`: `from`, `to` and `note` into the named fields,
/// the rest as extra keys (nulls and empty lists left out).
pub fn fill<T: Serialize>(entry: &mut HistoryEntry, payload: &T) {
    let Ok(Value::Object(map)) = serde_json::to_value(payload) else {
        return;
    };
    for (k, v) in map {
        let text = || match &v {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        };
        match k.as_str() {
            "from" => entry.from = text(),
            "to" => entry.to = text(),
            "note" => entry.note = text(),
            _ if v.is_null() => {}
            _ if v.as_array().is_some_and(|a| a.is_empty()) => {}
            _ => {
                entry.extra.insert(k, v);
            }
        }
    }
}

/// Reads an entry's fields back into a payload.
pub fn payload<T: DeserializeOwned>(entry: &HistoryEntry) -> Result<T, String> {
    let mut map: serde_json::Map<String, Value> = entry
        .extra
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, v) in [
        ("from", &entry.from),
        ("to", &entry.to),
        ("note", &entry.note),
    ] {
        if let Some(v) = v {
            map.insert(k.into(), Value::String(v.clone()));
        }
    }
    serde_json::from_value(Value::Object(map)).map_err(|e| e.to_string())
}

/// The command whose input `entry` (of a record of `kind` with id `record`) carries.
/// `Ok(None)` for entries that are consequences of a command recorded elsewhere.
pub fn decode(kind: Kind, record: &str, entry: &HistoryEntry) -> Result<Command, String> {
    let id = record.to_string();
    let action = Action::parse(&entry.action);
    let cmd = match (kind, &action) {
        (Kind::Customer, Action::Create) => Command::NewCustomer {
            id,
            input: payload(entry)?,
        },
        (Kind::Customer, Action::Note) => Command::CustomerNote {
            customer: id,
            input: payload(entry)?,
        },
        (Kind::Customer, Action::ForgetContact) => Command::ForgetContact {
            customer: id,
            input: payload(entry)?,
        },
        (Kind::Request, Action::Create) => Command::NewRequest {
            id,
            input: payload(entry)?,
        },
        (Kind::Request, Action::Assign) => Command::Assign {
            request: id,
            input: payload(entry)?,
        },
        (Kind::Request, Action::Assess) => Command::Assess {
            request: id,
            input: payload(entry)?,
        },
        (Kind::Request, Action::Advance | Action::Revise) => Command::Advance {
            request: id,
            input: payload(entry)?,
        },
        (Kind::Request, Action::Close) => Command::Close {
            request: id,
            input: payload(entry)?,
        },
        (Kind::Request, Action::Reopen) => Command::Reopen {
            request: id,
            input: payload(entry)?,
        },
        (Kind::Request, Action::Rate) => Command::Rate {
            request: id,
            input: payload(entry)?,
        },
        (Kind::Request, Action::Comment) => Command::Comment {
            request: id,
            input: payload(entry)?,
        },
        (_, Action::Edit) => Command::Edit {
            record: id,
            input: payload(entry)?,
        },
        (Kind::Request, Action::Demo) => Command::Demo {
            request: id,
            input: payload(entry)?,
        },
        (Kind::Request, Action::PlanDemo) => Command::PlanDemo {
            request: id,
            input: payload(entry)?,
        },
        (Kind::Request, Action::Feedback) => Command::Feedback {
            request: id,
            input: payload(entry)?,
        },
        (Kind::Request, Action::Disposition) => Command::Disposition {
            request: id,
            input: payload(entry)?,
        },
        (Kind::Request, Action::UseArticle) => Command::UseArticle {
            request: id,
            input: payload(entry)?,
        },
        (Kind::Request, Action::Log) => Command::Log {
            request: id,
            input: payload(entry)?,
        },
        (Kind::Request, Action::LinkGap) => Command::LinkGap {
            request: id,
            input: payload(entry)?,
        },
        (Kind::Gap, Action::Create) => Command::NewGap {
            id,
            input: payload(entry)?,
        },
        (Kind::Gap, Action::GapStatus) => Command::GapStatus {
            gap: id,
            input: payload(entry)?,
        },
        (Kind::Gap, Action::MergeGap) => Command::MergeGap {
            gap: id,
            input: payload(entry)?,
        },
        (Kind::Training, Action::Create) => Command::NewTraining {
            id,
            input: payload(entry)?,
        },
        (Kind::Training, Action::Attend) => Command::Attend {
            training: id,
            input: payload(entry)?,
        },
        (Kind::Solution, Action::Create) => Command::NewSolution {
            id,
            input: payload(entry)?,
        },
        (Kind::Solution, Action::Plan) => Command::Plan {
            solution: id,
            input: payload(entry)?,
        },
        (Kind::Solution, Action::Milestone) => Command::Milestone {
            solution: id,
            input: payload(entry)?,
        },
        (Kind::Solution, Action::Resource) => Command::Resource {
            solution: id,
            input: payload(entry)?,
        },
        (Kind::Solution, Action::Quote) => Command::Quote {
            solution: id,
            input: payload(entry)?,
        },
        (Kind::Solution, Action::Risk) => Command::Risk {
            solution: id,
            input: payload(entry)?,
        },
        (Kind::Solution, Action::Review) => Command::Review {
            solution: id,
            input: payload(entry)?,
        },
        (Kind::Solution, Action::Approve) => Command::Approve {
            solution: id,
            input: payload(entry)?,
        },
        (Kind::Solution, Action::Handover) => Command::Handover {
            solution: id,
            input: payload(entry)?,
        },
        (Kind::Article, Action::Create) => Command::NewArticle {
            id,
            input: payload(entry)?,
        },
        (Kind::Article, Action::Import) => Command::Import {
            article: id,
            input: payload(entry)?,
        },
        (Kind::Article, Action::Publish) => Command::Publish {
            article: id,
            input: payload(entry)?,
        },
        (Kind::Article, Action::Archive) => Command::Archive {
            article: id,
            input: payload(entry)?,
        },
        (Kind::Article, Action::Review) => Command::ReviewArticle {
            article: id,
            input: payload(entry)?,
        },
        (Kind::Article | Kind::Request, Action::Flag) => Command::Flag {
            record: id,
            input: payload(entry)?,
        },
        _ => {
            return Err(format!(
                "`{}` is not something a command writes into a {}",
                entry.action,
                kind.noun()
            ));
        }
    };
    Ok(cmd)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Timestamp;

    fn entry(action: &str) -> HistoryEntry {
        let at: Timestamp = "2026-11-27T10:00:00+08:00".parse().unwrap();
        HistoryEntry::new(at, "li.na", action).op("OP1")
    }

    #[test]
    fn inputs_round_trip_through_entries() {
        let input = QuoteInput {
            item: Some("交换机".into()),
            quantity: Some(Decimal::new(3, 0)),
            unit_price: Some(Decimal::new(12050, 2)),
            currency: Some("CNY".into()),
            discount: Some("5%".parse().unwrap()),
            total: Some(Decimal::new(34343, 2)),
            ..Default::default()
        };
        let mut e = entry("quote");
        fill(&mut e, &input);
        assert_eq!(e.extra.get("quantity"), Some(&Value::String("3".into())));
        assert_eq!(e.extra.get("discount"), Some(&Value::String("5%".into())));
        assert!(!e.extra.contains_key("valid_until"));
        let cmd = decode(Kind::Solution, "SOL-1", &e).unwrap();
        assert_eq!(
            cmd,
            Command::Quote {
                solution: "SOL-1".into(),
                input
            }
        );

        let mv = MoveInput {
            from: Some("analysis".into()),
            to: "design".into(),
            note: Some("ok".into()),
        };
        let mut e = entry("advance");
        fill(&mut e, &mv);
        assert_eq!(
            (e.from.as_deref(), e.to.as_deref(), e.note.as_deref()),
            (Some("analysis"), Some("design"), Some("ok"))
        );
        assert!(e.extra.is_empty());
        assert_eq!(payload::<MoveInput>(&e).unwrap(), mv);
    }

    #[test]
    fn texts_are_recorded_by_hash_only() {
        let input = PlanInput {
            plan_file: None,
            plan_sha256: crate::model::content_hash("# 方案"),
            plan: Some("# 方案".into()),
        };
        let mut e = entry("plan");
        fill(&mut e, &input);
        let back: PlanInput = payload(&e).unwrap();
        assert_eq!(back.plan, None);
        assert_eq!(back.plan_sha256, input.plan_sha256);
    }

    #[test]
    fn entries_no_command_writes_are_refused() {
        assert!(decode(Kind::Customer, "CUS-1", &entry("approve")).is_err());
        assert!(decode(Kind::Request, "REQ-1", &entry("frobnicate")).is_err());
        // A field of the wrong type is an error, not a guess.
        let mut e = entry("assess");
        e.extra
            .insert("feasibility".into(), Value::String("maybe".into()));
        e.extra.insert("difficulty".into(), Value::from(3));
        assert!(decode(Kind::Request, "REQ-1", &e).is_err());
    }
}
