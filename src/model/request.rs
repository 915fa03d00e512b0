//! The request record (需求登记) and its parts: assessment, demos with feedback, outcome.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Extra, HistoryEntry, Kind, Priority, Record, Timestamp, is_false};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Request {
    pub id: String,
    pub title: String,
    /// Workflow type, a key of `[workflow.types]` in presales.toml.
    #[serde(rename = "type")]
    pub kind: String,
    pub priority: Priority,
    pub customer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opportunity: Option<Opportunity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_by: Option<String>,
    pub created: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<NaiveDate>,
    pub stage: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// Skills an engineer needs to take the request (派工: skip who lacks them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessment: Option<Assessment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub solution: Option<String>,
    /// Demos held (演示会议), in the order they were recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub demos: Vec<Demo>,
    /// Demos planned for a later date (`presales demo --planned`): not held yet, so they
    /// satisfy no guard and count in no report; `presales demo --held N` moves one to
    /// `demos`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub planned_demos: Vec<Demo>,
    /// Knowledge-base articles used while working on the request (资料使用记录).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub articles: Vec<ArticleUse>,
    /// Engineering effort logged on the request (工时), oldest first (`presales log`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub effort: Vec<Effort>,
    /// Product gaps the request ran into (`presales gap link`), kept here and not on the
    /// gap so that a gap many deals hit never conflicts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<super::GapLink>,
    /// Problems found in knowledge-base articles while working on the request (`kb flag
    /// --request`), kept here and not on the article so that a popular article never
    /// conflicts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub article_flags: Vec<super::article::Flag>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub technical_win: bool,
    /// Who confirmed the technical win, and how (`close --technical-win --evidence T`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technical_win_evidence: Option<String>,
    /// Why a lost deal was lost: one of `[deals] loss_reasons` in presales.toml.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loss_reason: Option<String>,
    /// Who won the deal instead (`close --outcome lost --competitor NAME`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub competitor: Option<String>,
    /// The closing summary (工作记录与总结).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// How a complaint was settled, or why it was rejected (`close --resolution T`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
    /// Customer satisfaction, 1–5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub satisfaction: Option<u8>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub confidential: bool,
    #[serde(flatten)]
    pub extra: Extra,
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
}

impl Record for Request {
    const KIND: Kind = Kind::Request;
    fn id(&self) -> &str {
        &self.id
    }
    fn history(&self) -> &[HistoryEntry] {
        &self.history
    }
    fn history_mut(&mut self) -> &mut Vec<HistoryEntry> {
        &mut self.history
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Opportunity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub value: Option<rust_decimal::Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_close: Option<NaiveDate>,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Feasibility analysis (需求分析与评估).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Assessment {
    pub feasibility: Feasibility,
    pub difficulty: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Feasibility {
    Feasible,
    Partial,
    Infeasible,
}

/// A demo meeting (演示会议) and the feedback collected there (收集反馈).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Demo {
    /// Stable id (store format 2): feedback and merges refer to the demo by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub date: NaiveDate,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attendees: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub feedback: Vec<Feedback>,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Feedback {
    /// Stable id (store format 2); people see the item's number, derived from its position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub from: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disposition: Option<Disposition>,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    Accepted,
    Rejected,
    Done,
    /// Recorded as a product gap (`presales gap link --feedback N`).
    Gap,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ArticleUse {
    pub id: String,
    pub at: Timestamp,
    pub by: String,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Hours of work logged on a request (`presales log REQ 3h --activity demo`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Effort {
    /// Stable id: merges of two branches that both logged effort keep both entries.
    pub id: String,
    /// The member who did the work (the caller of `log`).
    pub by: String,
    /// The day the work was done.
    pub date: NaiveDate,
    /// Hours, an exact decimal above zero.
    #[schemars(with = "String")]
    pub hours: rust_decimal::Decimal,
    pub activity: Activity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Fields this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Extra,
}

/// What logged effort was spent on.
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
pub enum Activity {
    Demo,
    Design,
    Meeting,
    Travel,
    Poc,
    Rfp,
    Other,
}

string_enum!(Activity, "activity", fold = |s| s.trim().to_ascii_lowercase(), {
    Demo => "demo",
    Design => "design",
    Meeting => "meeting",
    Travel => "travel",
    Poc => "poc",
    Rfp => "rfp",
    Other => "other",
});

/// How a request ended.
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
pub enum Outcome {
    Won,
    Lost,
    Cancelled,
    NoDecision,
    Infeasible,
    /// A complaint settled (客户投诉处理).
    Resolved,
    /// A complaint found unfounded, with the reason given to the customer.
    Rejected,
}

string_enum!(Outcome, "outcome", fold = str::to_string, {
    Won => "won",
    Lost => "lost",
    Cancelled => "cancelled",
    NoDecision => "no_decision",
    Infeasible => "infeasible",
    Resolved => "resolved",
    Rejected => "rejected",
});

impl Outcome {
    /// How a complaint ends; the other outcomes end the other types.
    pub const COMPLAINT: [Outcome; 2] = [Outcome::Resolved, Outcome::Rejected];
}

string_enum!(Feasibility, "feasibility", fold = str::to_string, {
    Feasible => "feasible",
    Partial => "partial",
    Infeasible => "infeasible",
});

/// What listing needs of a request: everything but the long text and the history. Field
/// names are the record's own; `presales list --format json` prints these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestSummary {
    pub id: String,
    pub title: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub priority: Priority,
    pub customer: String,
    #[serde(default)]
    pub requested_by: Option<String>,
    pub created: Timestamp,
    #[serde(default)]
    pub due: Option<NaiveDate>,
    pub stage: String,
    #[serde(default)]
    pub assignee: Option<String>,
    #[serde(default)]
    pub skills: Vec<String>,
    #[serde(default)]
    pub products: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub solution: Option<String>,
    #[serde(default)]
    pub outcome: Option<Outcome>,
    #[serde(default)]
    pub technical_win: bool,
    #[serde(default)]
    pub satisfaction: Option<u8>,
    #[serde(default)]
    pub confidential: bool,
}

/// The fields `presales list` filters on, stored beside each cached summary so that a
/// filtered list decodes only the summaries it prints.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RequestKeys<'a> {
    pub stage: &'a str,
    pub assignee: Option<&'a str>,
    pub kind: &'a str,
    pub customer: &'a str,
    pub priority: Priority,
}

impl RequestSummary {
    pub fn keys(&self) -> RequestKeys<'_> {
        RequestKeys {
            stage: &self.stage,
            assignee: self.assignee.as_deref(),
            kind: &self.kind,
            customer: &self.customer,
            priority: self.priority,
        }
    }
}

impl From<&Request> for RequestSummary {
    fn from(r: &Request) -> Self {
        RequestSummary {
            id: r.id.clone(),
            title: r.title.clone(),
            kind: r.kind.clone(),
            priority: r.priority,
            customer: r.customer.clone(),
            requested_by: r.requested_by.clone(),
            created: r.created,
            due: r.due,
            stage: r.stage.clone(),
            assignee: r.assignee.clone(),
            skills: r.skills.clone(),
            products: r.products.clone(),
            tags: r.tags.clone(),
            solution: r.solution.clone(),
            outcome: r.outcome,
            technical_win: r.technical_win,
            satisfaction: r.satisfaction,
            confidential: r.confidential,
        }
    }
}
