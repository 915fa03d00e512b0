//! Transition-by-transition tests of the seed workflow.

use chrono::{DateTime, NaiveDate};
use rust_decimal::Decimal;

use super::*;
use crate::config::{Config, template};
use crate::model::request::{Assessment, Disposition, Feasibility};
use crate::model::solution::{
    Approval, Milestone, Quotation, QuoteLine, Resource, ReviewRound, Verdict, VerdictKind,
};
use crate::model::{Demo, Feedback, Priority, Request, Solution, Timestamp};

fn t() -> Timestamp {
    DateTime::parse_from_rfc3339("2026-11-27T10:00:00+08:00").unwrap()
}

fn config() -> Config {
    Config::parse(&template(true)).unwrap()
}

fn request(kind: &str, stage: &str) -> Request {
    Request {
        id: "REQ-20261127-A000001".into(),
        title: "智慧园区".into(),
        kind: kind.into(),
        priority: Priority::P2,
        customer: "CUS-20261127-A000001".into(),
        opportunity: None,
        requested_by: None,
        created: t(),
        due: None,
        stage: stage.into(),
        assignee: None,
        skills: vec![],
        products: vec![],
        tags: vec![],
        description: None,
        assessment: None,
        solution: None,
        demos: vec![],
        planned_demos: Vec::new(),
        articles: vec![],
        effort: vec![],
        gaps: vec![],
        article_flags: vec![],
        outcome: None,
        technical_win: false,
        technical_win_evidence: None,
        loss_reason: None,
        competitor: None,
        resolution: None,
        summary: None,
        satisfaction: None,
        confidential: false,
        extra: Default::default(),
        history: vec![],
    }
}

fn solution() -> Solution {
    Solution {
        id: "SOL-20261127-A000001".into(),
        request: "REQ-20261127-A000001".into(),
        title: "方案".into(),
        version: 1,
        author: "li.na".into(),
        created: t(),
        plan: None,
        plan_file: None,
        milestones: vec![],
        resources: vec![],
        quotation: None,
        risks: vec![],
        reviews: vec![],
        approval: None,
        handover: None,
        supersedes: None,
        superseded_by: None,
        extra: Default::default(),
        history: vec![],
    }
}

fn ready_solution() -> Solution {
    let mut s = solution();
    s.plan = Some("# Plan".into());
    s.milestones = vec![Milestone {
        name: "PoC".into(),
        date: NaiveDate::from_ymd_opt(2026, 12, 10).unwrap(),
        extra: Default::default(),
    }];
    s.resources = vec![Resource {
        role: "engineer".into(),
        person: Some("li.na".into()),
        days: Decimal::new(5, 0),
        extra: Default::default(),
    }];
    s
}

struct Case {
    config: Config,
    wf: Workflow,
}

impl Case {
    fn new() -> Case {
        let config = config();
        let wf = Workflow::new(&config.workflow).unwrap();
        Case { config, wf }
    }

    fn plan(
        &self,
        req: &Request,
        sol: Option<&Solution>,
        to: Option<&str>,
        note: Option<&str>,
    ) -> Result<Move, WorkflowError> {
        let facts = Facts {
            request: req,
            solution: sol,
            config: &self.config,
            today: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
            note,
        };
        self.wf.plan(&facts, to)
    }

    fn missing(&self, req: &Request, sol: Option<&Solution>, to: &str) -> Vec<String> {
        match self.plan(req, sol, Some(to), None) {
            Ok(_) => vec![],
            Err(WorkflowError::Illegal { options, .. }) => options
                .into_iter()
                .find(|(m, _)| m.to == to)
                .map(|(_, missing)| missing)
                .unwrap_or_else(|| vec!["<not a legal move>".into()]),
            Err(e) => vec![e.to_string()],
        }
    }
}

#[test]
fn registered_to_assigned_needs_an_engineer_with_the_skills() {
    let c = Case::new();
    let mut r = request("solution", "registered");
    assert!(c.missing(&r, None, "assigned")[0].contains("an assignee"));
    r.assignee = Some("zhao.lei".into());
    assert!(c.missing(&r, None, "assigned")[0].contains("lacks the engineer role"));
    r.assignee = Some("ghost".into());
    assert!(c.missing(&r, None, "assigned")[0].contains("not a team member"));
    r.assignee = Some("li.na".into());
    r.skills = vec!["database".into()];
    assert!(c.missing(&r, None, "assigned")[0].contains("lacks the skill `database`"));
    r.skills = vec!["network".into()];
    assert_eq!(c.plan(&r, None, None, None).unwrap().to, "assigned");
}

#[test]
fn assigned_to_analysis_is_free() {
    let c = Case::new();
    let r = request("solution", "assigned");
    let mv = c.plan(&r, None, None, None).unwrap();
    assert_eq!((mv.to.as_str(), mv.kind), ("analysis", MoveKind::Forward));
}

#[test]
fn analysis_to_design_needs_a_feasible_assessment() {
    let c = Case::new();
    let mut r = request("solution", "analysis");
    assert!(c.missing(&r, None, "design")[0].contains("feasibility assessment"));
    r.assessment = Some(Assessment {
        feasibility: Feasibility::Infeasible,
        difficulty: 5,
        notes: None,
        extra: Default::default(),
    });
    assert!(c.missing(&r, None, "design")[0].contains("infeasible"));
    r.assessment.as_mut().unwrap().feasibility = Feasibility::Partial;
    assert_eq!(c.plan(&r, None, None, None).unwrap().to, "design");
}

#[test]
fn design_to_demo_needs_plan_time_plan_and_resources() {
    let c = Case::new();
    let r = request("solution", "design");
    assert!(c.missing(&r, None, "demo")[0].contains("a solution"));
    let mut s = solution();
    let missing = c.missing(&r, Some(&s), "demo");
    assert_eq!(missing.len(), 3, "{missing:?}");
    assert!(missing[0].contains("technical plan"));
    assert!(missing[1].contains("time plan"));
    assert!(missing[2].contains("resources"));
    s.plan_file = Some("plans/x.md".into());
    assert_eq!(c.missing(&r, Some(&s), "demo").len(), 2);
    let s = ready_solution();
    assert_eq!(c.plan(&r, Some(&s), None, None).unwrap().to, "demo");
}

#[test]
fn demo_to_review_needs_feedback_all_dispositioned() {
    let c = Case::new();
    let mut r = request("solution", "demo");
    let s = ready_solution();
    assert!(c.missing(&r, Some(&s), "review")[0].contains("a demo recorded"));
    r.demos.push(Demo {
        id: None,
        date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        attendees: vec!["客户CTO".into()],
        notes: None,
        feedback: vec![],
        extra: Default::default(),
    });
    assert!(c.missing(&r, Some(&s), "review")[0].contains("feedback"));
    r.demos[0].feedback = vec![
        Feedback {
            id: None,
            from: "CTO".into(),
            text: "需要容灾".into(),
            disposition: Some(Disposition::Accepted),
            extra: Default::default(),
        },
        Feedback {
            id: None,
            from: "CIO".into(),
            text: "价格".into(),
            disposition: None,
            extra: Default::default(),
        },
    ];
    let missing = c.missing(&r, Some(&s), "review");
    assert!(missing[0].contains("feedback item(s) 2"), "{missing:?}");
    r.demos[0].feedback[1].disposition = Some(Disposition::Rejected);
    assert_eq!(c.plan(&r, Some(&s), None, None).unwrap().to, "review");
}

fn verdict(who: &str, v: VerdictKind) -> Verdict {
    Verdict {
        id: None,
        reviewer: who.into(),
        verdict: v,
        at: t(),
        comment: None,
        extra: Default::default(),
    }
}

#[test]
fn review_to_approved_needs_min_reviewers_and_four_eyes_approval() {
    let c = Case::new();
    let mut r = request("solution", "review");
    r.assignee = Some("li.na".into());
    let mut s = ready_solution();
    assert!(c.missing(&r, Some(&s), "approved")[0].contains("a review round"));
    s.reviews.push(ReviewRound {
        round: 1,
        opened: t(),
        closed: None,
        verdicts: vec![verdict("wang.fang", VerdictKind::Pass)],
        extra: Default::default(),
    });
    let m = c.missing(&r, Some(&s), "approved");
    assert!(
        m[0].contains("2 pass verdict(s)") && m[0].contains("has 1"),
        "{m:?}"
    );
    s.reviews[0]
        .verdicts
        .push(verdict("liu.yang", VerdictKind::Revise));
    assert!(c.missing(&r, Some(&s), "approved")[0].contains("liu.yang (revise)"));
    s.reviews[0].verdicts[1].verdict = VerdictKind::Pass;
    assert!(c.missing(&r, Some(&s), "approved")[0].contains("approval"));
    // Approval by the author: four eyes refuses.
    s.approval = Some(Approval {
        by: "li.na".into(),
        at: t(),
        note: None,
        extra: Default::default(),
    });
    let m = c.missing(&r, Some(&s), "approved");
    assert!(m.iter().any(|x| x.contains("approver role")), "{m:?}");
    assert!(m.iter().any(|x| x.contains("four eyes")), "{m:?}");
    s.approval.as_mut().unwrap().by = "zhang.wei".into();
    assert!(c.missing(&r, Some(&s), "approved")[0].contains("approver role"));
    s.approval.as_mut().unwrap().by = "chen.jing".into();
    assert_eq!(c.plan(&r, Some(&s), None, None).unwrap().to, "approved");
}

#[test]
fn approved_to_handover_needs_the_approval() {
    let c = Case::new();
    let r = request("solution", "approved");
    let mut s = ready_solution();
    assert!(c.missing(&r, Some(&s), "handover")[0].contains("approval"));
    s.approval = Some(Approval {
        by: "chen.jing".into(),
        at: t(),
        note: None,
        extra: Default::default(),
    });
    // `advance` alone is not a handover: the handover to sales must be recorded.
    let m = c.missing(&r, Some(&s), "handover");
    assert!(m[0].contains("presales handover"), "{m:?}");
    s.handover = Some(crate::model::solution::Handover {
        to: "zhao.lei".into(),
        at: t(),
        training: vec![],
        notes: None,
        extra: Default::default(),
    });
    assert_eq!(c.plan(&r, Some(&s), None, None).unwrap().to, "handover");
}

#[test]
fn after_a_revise_loop_the_old_demo_does_not_count() {
    let c = Case::new();
    let mut r = request("solution", "demo");
    let s = ready_solution();
    r.demos.push(Demo {
        id: None,
        date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        attendees: vec![],
        notes: None,
        feedback: vec![Feedback {
            id: None,
            from: "x".into(),
            text: "y".into(),
            disposition: Some(Disposition::Done),
            extra: Default::default(),
        }],
        extra: Default::default(),
    });
    let entry =
        |action: &str, to: &str| crate::model::HistoryEntry::new(t(), "li.na", action).to(to);
    r.history = vec![entry("advance", "demo"), entry("demo", "demo")];
    assert_eq!(c.plan(&r, Some(&s), None, None).unwrap().to, "review");
    // Back to design and into demo again: a new demo is needed.
    r.history.push(entry("revise", "design"));
    r.history.push(entry("advance", "demo"));
    let m = c.missing(&r, Some(&s), "review");
    assert!(m[0].contains("a demo recorded in this demo stage"), "{m:?}");
    r.history.push(entry("demo", "demo"));
    assert_eq!(c.plan(&r, Some(&s), None, None).unwrap().to, "review");
}

#[test]
fn handover_closes_with_any_deal_outcome_and_a_summary() {
    let c = Case::new();
    let mut r = request("solution", "handover");
    assert!(c.missing(&r, None, "closed")[0].contains("an outcome"));
    for o in Outcome::COMPLAINT {
        r.outcome = Some(o);
        r.summary = Some("签约".into());
        assert!(
            c.missing(&r, None, "closed")[0].contains("an outcome allowed"),
            "a deal does not end {o}"
        );
    }
    for o in Outcome::ALL
        .into_iter()
        .filter(|o| !Outcome::COMPLAINT.contains(o))
    {
        r.outcome = Some(o);
        r.summary = None;
        assert!(c.missing(&r, None, "closed")[0].contains("summary"));
        r.summary = Some("签约".into());
        assert_eq!(c.plan(&r, None, None, None).unwrap().to, "closed", "{o}");
    }
}

#[test]
fn early_close_only_as_cancelled_or_infeasible_from_analysis() {
    let c = Case::new();
    for stage in [
        "registered",
        "assigned",
        "analysis",
        "design",
        "demo",
        "review",
        "approved",
    ] {
        let mut r = request("solution", stage);
        r.summary = Some("s".into());
        r.outcome = Some(Outcome::Won);
        assert!(
            c.missing(&r, None, "closed")[0].contains("allowed"),
            "won from {stage} must be refused"
        );
        r.outcome = Some(Outcome::Cancelled);
        let mv = c.plan(&r, None, Some("closed"), None).unwrap();
        assert_eq!(mv.kind, MoveKind::Close);
        r.outcome = Some(Outcome::Infeasible);
        assert_eq!(
            c.plan(&r, None, Some("closed"), None).is_ok(),
            stage == "analysis",
            "{stage}"
        );
    }
}

#[test]
fn revise_loops_go_back_to_design() {
    let c = Case::new();
    for stage in ["demo", "review"] {
        let mut r = request("solution", stage);
        // Going back to design re-checks design's guard: the assessment is still there.
        r.assessment = Some(Assessment {
            feasibility: Feasibility::Feasible,
            difficulty: 2,
            notes: None,
            extra: Default::default(),
        });
        let mv = c.plan(&r, None, Some("design"), None).unwrap();
        assert_eq!(mv.kind, MoveKind::Revise);
    }
    // No loop from approved back to design.
    let r = request("solution", "approved");
    assert!(matches!(
        c.plan(&r, None, Some("design"), None),
        Err(WorkflowError::Illegal { .. })
    ));
}

#[test]
fn skipping_stages_is_refused_with_every_legal_option() {
    let c = Case::new();
    let r = request("solution", "analysis");
    let err = c.plan(&r, None, Some("approved"), None).unwrap_err();
    let WorkflowError::Illegal {
        current,
        wanted,
        options,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (current.as_str(), wanted.as_str()),
        ("analysis", "approved")
    );
    let tos: Vec<&str> = options.iter().map(|(m, _)| m.to.as_str()).collect();
    assert_eq!(tos, ["design", "closed"]);
    let text = err.to_string();
    assert!(
        text.contains("cannot move from `analysis` to `approved`"),
        "{text}"
    );
    assert!(
        text.contains("design: missing a feasibility assessment"),
        "{text}"
    );
}

#[test]
fn closed_is_final_and_unknown_stages_are_named() {
    let c = Case::new();
    let r = request("solution", "closed");
    assert!(matches!(
        c.plan(&r, None, None, None),
        Err(WorkflowError::AlreadyClosed { .. })
    ));
    let r = request("solution", "design");
    let err = c.plan(&r, None, Some("answered"), None).unwrap_err();
    assert!(
        err.to_string().contains("not a stage of type `solution`"),
        "{err}"
    );
    let r = request("nosuchtype", "design");
    let err = c.plan(&r, None, None, None).unwrap_err();
    assert!(
        err.to_string()
            .contains("consultation, demo, poc, rfp, solution"),
        "{err}"
    );
}

#[test]
fn consultation_path_needs_an_answer() {
    let c = Case::new();
    let mut r = request("consultation", "assigned");
    assert!(c.missing(&r, None, "answered")[0].contains("--note"));
    let mv = c.plan(&r, None, None, Some("支持 OAuth 2.0")).unwrap();
    assert_eq!(mv.to, "answered");
    r.stage = "answered".into();
    r.outcome = Some(Outcome::Won);
    r.summary = Some("answered".into());
    assert_eq!(c.plan(&r, None, None, None).unwrap().to, "closed");
}

#[test]
fn demo_type_needs_no_solution_to_demo() {
    let c = Case::new();
    let r = request("demo", "assigned");
    assert_eq!(c.plan(&r, None, None, None).unwrap().to, "demo");
}

#[test]
fn rfp_needs_a_quotation_with_a_total() {
    let c = Case::new();
    let mut r = request("rfp", "demo");
    r.demos.push(Demo {
        id: None,
        date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        attendees: vec![],
        notes: None,
        feedback: vec![Feedback {
            id: None,
            from: "x".into(),
            text: "y".into(),
            disposition: Some(Disposition::Done),
            extra: Default::default(),
        }],
        extra: Default::default(),
    });
    let mut s = ready_solution();
    assert!(c.missing(&r, Some(&s), "review")[0].contains("quotation"));
    s.quotation = Some(Quotation {
        currency: "CNY".into(),
        lines: vec![QuoteLine {
            item: "license".into(),
            quantity: Decimal::ONE,
            unit_price: Decimal::new(1000, 0),
            extra: Default::default(),
        }],
        discount: None,
        tax: None,
        total: Decimal::new(1000, 0),
        valid_until: None,
        extra: Default::default(),
    });
    assert_eq!(c.plan(&r, Some(&s), None, None).unwrap().to, "review");
    // The same request as a `solution` needs no quotation.
    r.kind = "solution".into();
    s.quotation = None;
    assert_eq!(c.plan(&r, Some(&s), None, None).unwrap().to, "review");
}

#[test]
fn poc_path_ends_after_approval() {
    let c = Case::new();
    let path = c.wf.path("poc").unwrap();
    assert_eq!(path.last_open(), Some("approved"));
    assert_eq!(path.next("approved"), Some("closed"));
}

#[test]
fn bad_workflow_config_is_refused_with_the_reason() {
    let mut cfg = config().workflow;
    cfg.guards.insert(
        "design".into(),
        vec!["assessment".into(), "telepathy".into()],
    );
    let err = Workflow::new(&cfg).unwrap_err();
    assert!(err.message.contains("unknown guard `telepathy`"), "{err}");
    // The key of the offending guard, for the file's parser to locate.
    use crate::config::KeyPart as K;
    assert_eq!(
        err.key,
        [
            K::key("workflow"),
            K::key("guards"),
            K::key("design"),
            K::Index(1)
        ]
    );
    let mut cfg = config().workflow;
    cfg.types
        .get_mut("solution")
        .unwrap()
        .revise
        .insert("design".into(), "review".into());
    assert!(
        Workflow::new(&cfg)
            .unwrap_err()
            .message
            .contains("earlier stage")
    );
    let mut cfg = config().workflow;
    cfg.types.get_mut("demo").unwrap().stages.pop();
    let err = Workflow::new(&cfg).unwrap_err();
    assert!(err.message.contains("end with `closed`"), "{err}");
    assert_eq!(
        err.key,
        [
            K::key("workflow"),
            K::key("types"),
            K::key("demo"),
            K::key("stages")
        ]
    );
    let mut cfg = config().workflow;
    cfg.default_type = "nope".into();
    assert!(
        Workflow::new(&cfg)
            .unwrap_err()
            .message
            .contains("default_type")
    );
}

#[test]
fn all_stages_lists_the_full_path_then_extras_before_closed() {
    let c = Case::new();
    let all = c.wf.all_stages();
    assert_eq!(all.first().map(String::as_str), Some("registered"));
    assert_eq!(all.last().map(String::as_str), Some("closed"));
    assert!(all.contains(&"answered".to_string()));
}
