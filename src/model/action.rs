//! The vocabulary of history actions: every `action:` a command writes, typed, with what
//! each one may change. `check`, the reports and the merge driver speak this one language.

use std::fmt;

use super::Kind;

/// A history entry's `action`. Names this version does not know are kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// A record was created (every kind).
    Create,
    /// `kb import` created or updated an article from a Markdown file.
    Import,
    Assign,
    Assess,
    /// A forward move of a request along its path.
    Advance,
    /// A move back along a revise loop (on a request), or the version bump it causes (on
    /// its solution).
    Revise,
    Close,
    Reopen,
    Rate,
    Comment,
    Edit,
    /// A request got its solution (written by `solution new`).
    LinkSolution,
    Demo,
    /// A demo planned for a later date (`demo --planned`).
    PlanDemo,
    Feedback,
    Disposition,
    UseArticle,
    /// A problem reported with an article (`kb flag`), on the request or the article.
    Flag,
    /// A contact with a customer outside requests (`customer note`).
    Note,
    /// A customer's contact erased from the current file (`customer forget-contact`).
    ForgetContact,
    /// Effort logged on a request (工时).
    Log,
    /// A request was linked to a product gap (`gap link`).
    LinkGap,
    /// A gap's status changed (`gap status`).
    GapStatus,
    /// A gap was merged into another (`gap merge`).
    MergeGap,
    /// Members attended a training session (`training attend`).
    Attend,
    Plan,
    Milestone,
    Resource,
    Quote,
    Risk,
    Review,
    ReviewOpen,
    ReviewClose,
    Approve,
    Handover,
    Superseded,
    Publish,
    Archive,
    Migrate,
    Unknown(String),
}

impl Action {
    pub const KNOWN: [Action; 40] = [
        Action::Create,
        Action::Import,
        Action::Assign,
        Action::Assess,
        Action::Advance,
        Action::Revise,
        Action::Close,
        Action::Reopen,
        Action::Rate,
        Action::Comment,
        Action::Edit,
        Action::LinkSolution,
        Action::Demo,
        Action::PlanDemo,
        Action::Feedback,
        Action::Disposition,
        Action::UseArticle,
        Action::Flag,
        Action::Note,
        Action::ForgetContact,
        Action::Log,
        Action::LinkGap,
        Action::GapStatus,
        Action::MergeGap,
        Action::Attend,
        Action::Plan,
        Action::Milestone,
        Action::Resource,
        Action::Quote,
        Action::Risk,
        Action::Review,
        Action::ReviewOpen,
        Action::ReviewClose,
        Action::Approve,
        Action::Handover,
        Action::Superseded,
        Action::Publish,
        Action::Archive,
        Action::Migrate,
        Action::Unknown(String::new()),
    ];

    pub fn parse(s: &str) -> Action {
        match s {
            "create" => Action::Create,
            "import" => Action::Import,
            "assign" => Action::Assign,
            "assess" => Action::Assess,
            "advance" => Action::Advance,
            "revise" => Action::Revise,
            "close" => Action::Close,
            "reopen" => Action::Reopen,
            "rate" => Action::Rate,
            "comment" => Action::Comment,
            "edit" => Action::Edit,
            "solution" => Action::LinkSolution,
            "demo" => Action::Demo,
            "plan_demo" => Action::PlanDemo,
            "feedback" => Action::Feedback,
            "feedback-disposition" => Action::Disposition,
            "use_article" => Action::UseArticle,
            "flag" => Action::Flag,
            "note" => Action::Note,
            "forget_contact" => Action::ForgetContact,
            "log" => Action::Log,
            "link_gap" => Action::LinkGap,
            "gap_status" => Action::GapStatus,
            "merge_gap" => Action::MergeGap,
            "attend" => Action::Attend,
            "plan" => Action::Plan,
            "milestone" => Action::Milestone,
            "resource" => Action::Resource,
            "quote" => Action::Quote,
            "risk" => Action::Risk,
            "review" => Action::Review,
            "review-open" => Action::ReviewOpen,
            "review-close" => Action::ReviewClose,
            "approve" => Action::Approve,
            "handover" => Action::Handover,
            "superseded" => Action::Superseded,
            "publish" => Action::Publish,
            "archive" => Action::Archive,
            "migrate" => Action::Migrate,
            other => Action::Unknown(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Action::Create => "create",
            Action::Import => "import",
            Action::Assign => "assign",
            Action::Assess => "assess",
            Action::Advance => "advance",
            Action::Revise => "revise",
            Action::Close => "close",
            Action::Reopen => "reopen",
            Action::Rate => "rate",
            Action::Comment => "comment",
            Action::Edit => "edit",
            Action::LinkSolution => "solution",
            Action::Demo => "demo",
            Action::PlanDemo => "plan_demo",
            Action::Feedback => "feedback",
            Action::Disposition => "feedback-disposition",
            Action::UseArticle => "use_article",
            Action::Flag => "flag",
            Action::Note => "note",
            Action::ForgetContact => "forget_contact",
            Action::Log => "log",
            Action::LinkGap => "link_gap",
            Action::GapStatus => "gap_status",
            Action::MergeGap => "merge_gap",
            Action::Attend => "attend",
            Action::Plan => "plan",
            Action::Milestone => "milestone",
            Action::Resource => "resource",
            Action::Quote => "quote",
            Action::Risk => "risk",
            Action::Review => "review",
            Action::ReviewOpen => "review-open",
            Action::ReviewClose => "review-close",
            Action::Approve => "approve",
            Action::Handover => "handover",
            Action::Superseded => "superseded",
            Action::Publish => "publish",
            Action::Archive => "archive",
            Action::Migrate => "migrate",
            Action::Unknown(s) => s,
        }
    }

    /// The command that writes this action, as people type it.
    pub fn command(&self, kind: Kind) -> String {
        use Action::*;
        let cmd = match (kind, self) {
            (Kind::Request, Create) => "presales new",
            (Kind::Solution, Create) => "presales solution new",
            (Kind::Article, Create) => "presales kb new",
            (Kind::Customer, Create) => "presales customer new",
            (Kind::Article, Edit) => "presales kb edit",
            (Kind::Customer, Edit) => "presales customer edit",
            (Kind::Gap, Create) => "presales gap new",
            (Kind::Gap, Edit) => "presales gap edit",
            (_, LinkGap) => "presales gap link",
            (_, GapStatus) => "presales gap status",
            (_, MergeGap) => "presales gap merge",
            (Kind::Training, Create) => "presales training new",
            (Kind::Training, Edit) => "presales training edit",
            (_, Attend) => "presales training attend",
            (Kind::Article, Import) => "presales kb import",
            (Kind::Article, Publish) => "presales kb publish",
            (Kind::Article, Archive) => "presales kb archive",
            (_, Plan | Milestone | Resource | Quote | Risk) => {
                return format!("presales solution {}", self.as_str());
            }
            (_, Revise) => "presales advance",
            (_, PlanDemo) => "presales demo --planned",
            (_, Disposition) => "presales feedback --item",
            (_, UseArticle) => "presales kb use",
            (_, Flag) => "presales kb flag",
            (_, Note) => "presales customer note",
            (_, ForgetContact) => "presales customer forget-contact",
            (Kind::Article, Review) => "presales kb review",
            (_, LinkSolution) => "presales solution new",
            (_, ReviewOpen | ReviewClose) => "presales advance",
            (_, Superseded) => "presales solution new --supersede",
            _ => return format!("presales {}", self.as_str()),
        };
        cmd.to_string()
    }

    /// Moves a request between stages.
    pub fn is_move(&self) -> bool {
        matches!(
            self,
            Action::Advance | Action::Revise | Action::Close | Action::Reopen
        )
    }

    /// What an entry of this action in a record of `kind` is, for the replay of a change: the
    /// entry that carries a command's input, or one of the entries a command writes as a
    /// consequence (a move caused by `assign`, a review round opened by `advance`, …).
    pub fn role(&self, kind: Kind) -> Role {
        use Action::*;
        match (kind, self) {
            (Kind::Request, Advance | Revise) => Role::Move,
            (Kind::Request, LinkSolution) => Role::Effect,
            (Kind::Solution, Revise | ReviewOpen | ReviewClose | Superseded) => Role::Effect,
            (_, Unknown(_)) => Role::Unknown,
            (_, Migrate) => Role::Migration,
            _ => Role::Command,
        }
    }

    /// The fields of a record of `kind` that an entry of this action may change, for the
    /// gate's messages ("no command changes it after close"). History is not listed: every
    /// action appends to it.
    pub fn changes(&self, kind: Kind) -> &'static [&'static str] {
        use Action::*;
        match (kind, self) {
            (Kind::Request, Create) => &["*"],
            (Kind::Request, Assign) => &["assignee", "stage"],
            (Kind::Request, Assess) => &["assessment", "stage"],
            (Kind::Request, Advance | Revise) => &["stage"],
            (Kind::Request, Reopen | Close) => &[
                "stage",
                "outcome",
                "summary",
                "satisfaction",
                "technical_win",
                "technical_win_evidence",
                "loss_reason",
                "competitor",
                "resolution",
            ],
            (Kind::Request, Rate) => &["satisfaction"],
            (Kind::Request, Edit) => EDITABLE_REQUEST_FIELDS,
            (Kind::Request, LinkSolution) => &["solution"],
            (Kind::Request, Demo) => &["demos", "planned_demos", "stage"],
            (Kind::Request, PlanDemo) => &["planned_demos"],
            (Kind::Request, Feedback | Disposition) => &["demos"],
            (Kind::Request, UseArticle) => &["articles"],
            (Kind::Request, Flag) => &["article_flags"],
            (Kind::Article, Flag) => &["flags"],
            (Kind::Article, Review) => &["review_by", "review_every"],
            (Kind::Request, Log) => &["effort"],
            (Kind::Request, LinkGap) => &["gaps", "demos"],
            (Kind::Solution, Create) => &["*"],
            (Kind::Solution, Plan) => &["plan", "plan_file"],
            (Kind::Solution, Milestone) => &["milestones"],
            (Kind::Solution, Resource) => &["resources"],
            (Kind::Solution, Quote) => &["quotation"],
            (Kind::Solution, Risk) => &["risks"],
            (Kind::Solution, Review) => &["reviews"],
            (Kind::Solution, ReviewOpen | ReviewClose) => &["reviews"],
            (Kind::Solution, Revise) => &["version", "approval"],
            (Kind::Solution, Approve) => &["approval"],
            (Kind::Solution, Handover) => &["handover"],
            (Kind::Solution, Superseded) => &["superseded_by"],
            (Kind::Article, Create | Import) => &["*"],
            (Kind::Article, Publish | Archive) => &["status"],
            (Kind::Article, Edit) => EDITABLE_ARTICLE_FIELDS,
            (Kind::Customer, Create) => &["*"],
            (Kind::Customer, Edit) => EDITABLE_CUSTOMER_FIELDS,
            (Kind::Customer, Note) => &["interactions"],
            (Kind::Customer, ForgetContact) => &["contacts", "interactions"],
            (Kind::Gap, Create) => &["*"],
            (Kind::Gap, Edit) => EDITABLE_GAP_FIELDS,
            (Kind::Gap, GapStatus) => &["status", "reference"],
            (Kind::Gap, MergeGap) => &["merged_into"],
            (Kind::Training, Create) => &["*"],
            (Kind::Training, Edit) => EDITABLE_TRAINING_FIELDS,
            (Kind::Training, Attend) => &["attended"],
            _ => &[],
        }
    }
}

/// The fields `presales edit` may change on a request; the others change only through the
/// command that owns them (or never).
pub const EDITABLE_REQUEST_FIELDS: &[&str] = &[
    "title",
    "priority",
    "customer",
    "opportunity",
    "requested_by",
    "due",
    "skills",
    "products",
    "tags",
    "description",
    "confidential",
];

/// The fields `presales kb edit` may change on an article.
pub const EDITABLE_ARTICLE_FIELDS: &[&str] = &[
    "title",
    "category",
    "products",
    "tags",
    "owner",
    "review_by",
    "confidential",
    "summary",
    "aliases",
    "body",
    "body_file",
    "attachments",
];

/// The fields `presales customer edit` may change on a customer.
pub const EDITABLE_CUSTOMER_FIELDS: &[&str] = &[
    "name",
    "industry",
    "region",
    "contacts",
    "account_owner",
    "confidential",
    "notes",
];

/// The fields `presales gap edit` may change on a gap; status and reference change with
/// `gap status`, `merged_into` with `gap merge`.
pub const EDITABLE_GAP_FIELDS: &[&str] = &["title", "product", "area", "description", "workaround"];

/// The fields `presales training edit` may change on a training session; who attended
/// changes with `training attend`.
pub const EDITABLE_TRAINING_FIELDS: &[&str] = &[
    "title",
    "kind",
    "date",
    "hours",
    "trainer",
    "place",
    "topics",
    "attendees",
    "note",
];

/// What an entry is to the replay of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Carries a command's whole input; replaying it re-runs the command.
    Command,
    /// A stage move: the input of `advance`, or a consequence of another command.
    Move,
    /// Written only as a consequence of a command recorded elsewhere.
    Effect,
    /// Written by `presales migrate`.
    Migration,
    /// An action this version does not know.
    Unknown,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_ones_are_kept() {
        for a in Action::KNOWN
            .iter()
            .filter(|a| !matches!(a, Action::Unknown(_)))
        {
            assert_eq!(&Action::parse(a.as_str()), a);
        }
        assert_eq!(
            Action::parse("escalate"),
            Action::Unknown("escalate".into())
        );
        assert_eq!(Action::parse("escalate").as_str(), "escalate");
    }

    #[test]
    fn moves_and_effects_depend_on_the_record_kind() {
        assert_eq!(Action::Revise.role(Kind::Request), Role::Move);
        assert_eq!(Action::Revise.role(Kind::Solution), Role::Effect);
        assert_eq!(Action::Create.role(Kind::Solution), Role::Command);
        assert_eq!(Action::LinkSolution.role(Kind::Request), Role::Effect);
        assert!(Action::Close.is_move());
        assert!(Action::Edit.changes(Kind::Request).contains(&"title"));
        assert!(!Action::Edit.changes(Kind::Request).contains(&"outcome"));
    }
}
