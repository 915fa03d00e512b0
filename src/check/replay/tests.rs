//! The replay below the binary: legal changes pass, forged ones are named.

use std::collections::HashMap;

use super::*;
use crate::model::solution::VerdictKind;
use crate::model::{Outcome, Priority, Timestamp};
use crate::ops::command::*;
use crate::store::yaml;

struct Mem {
    records: HashMap<String, AnyRecord>,
    files: HashMap<String, String>,
}

impl Source for Mem {
    fn load(&self, id: &RecordId) -> Result<Option<AnyRecord>> {
        Ok(self.records.get(id.as_str()).cloned())
    }
    fn read_file(&self, rel: &str) -> Result<String> {
        self.files.get(rel).cloned().ok_or_else(|| {
            Error::io(
                rel,
                std::io::Error::new(std::io::ErrorKind::NotFound, "missing"),
            )
        })
    }
}

fn rules() -> (Config, Workflow) {
    let config = Config::parse(&crate::config::template(true)).unwrap();
    let workflow = Workflow::new(&config.workflow).unwrap();
    (config, workflow)
}

fn t(s: &str) -> Timestamp {
    format!("2026-11-{s}+08:00").parse().unwrap()
}

const CUS: &str = "CUS-20261101-A000000";
const REQ: &str = "REQ-20261101-A000001";
const SOL: &str = "SOL-20261102-A000002";

/// Applies commands in order to a store holding `start`; returns every record after.
fn after(
    start: &HashMap<String, AnyRecord>,
    steps: Vec<(&str, &str, Command)>,
) -> HashMap<String, AnyRecord> {
    let (config, workflow) = rules();
    let mem = Mem {
        records: start.clone(),
        files: HashMap::new(),
    };
    let mut world = World::new(&mem);
    for (n, (by, at, cmd)) in steps.into_iter().enumerate() {
        let op = format!("OP{n:03}{}", at.replace([':', '-', 'T'], ""));
        let env = Env {
            config: &config,
            workflow: &workflow,
            by,
            now: t(at),
            op: &op,
        };
        apply(&mut world, &env, &cmd).unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    }
    let mut out = start.clone();
    for r in world.changed() {
        out.insert(r.id().to_string(), r.clone());
    }
    out
}

/// The store up to a solution in design, ready for a demo.
fn designed() -> HashMap<String, AnyRecord> {
    after(
        &HashMap::new(),
        vec![
            (
                "zhao.lei",
                "01T09:00:00",
                Command::NewCustomer {
                    id: CUS.into(),
                    input: CustomerInput {
                        name: "华东银行".into(),
                        industry: None,
                        region: None,
                        account_owner: None,
                        confidential: false,
                        notes: None,
                    },
                },
            ),
            (
                "zhao.lei",
                "01T09:00:00",
                Command::NewRequest {
                    id: REQ.into(),
                    input: RequestInput {
                        to: None,
                        title: "智慧园区".into(),
                        kind: "solution".into(),
                        priority: Priority::P2,
                        customer: CUS.into(),
                        opportunity: None,
                        requested_by: Some("zhao.lei".into()),
                        due: None,
                        skills: vec!["network".into()],
                        products: vec![],
                        tags: vec![],
                        description: None,
                        confidential: false,
                    },
                },
            ),
            (
                "zhang.wei",
                "01T10:00:00",
                Command::Assign {
                    request: REQ.into(),
                    input: AssignInput {
                        from: None,
                        to: "li.na".into(),
                        policy: None,
                        turn: Some(1),
                        ..Default::default()
                    },
                },
            ),
            (
                "li.na",
                "02T10:00:00",
                Command::Assess {
                    request: REQ.into(),
                    input: AssessInput {
                        feasibility: crate::model::request::Feasibility::Feasible,
                        difficulty: 3,
                        note: None,
                    },
                },
            ),
            (
                "li.na",
                "02T10:00:00",
                Command::Advance {
                    request: REQ.into(),
                    input: MoveInput {
                        from: None,
                        to: "design".into(),
                        note: None,
                    },
                },
            ),
            (
                "li.na",
                "02T11:00:00",
                Command::NewSolution {
                    id: SOL.into(),
                    input: SolutionInput {
                        request: REQ.into(),
                        title: "园区方案".into(),
                        plan_file: None,
                        plan_sha256: Some(content_hash("# 方案")),
                        supersedes: None,
                        plan: Some("# 方案".into()),
                    },
                },
            ),
            (
                "li.na",
                "02T11:00:00",
                Command::Milestone {
                    solution: SOL.into(),
                    input: MilestoneInput {
                        name: Some("上线".into()),
                        date: Some("2026-12-20".parse().unwrap()),
                        ..Default::default()
                    },
                },
            ),
            (
                "li.na",
                "02T11:00:00",
                Command::Resource {
                    solution: SOL.into(),
                    input: ResourceInput {
                        role: Some("engineer".into()),
                        days: Some(rust_decimal::Decimal::new(5, 0)),
                        ..Default::default()
                    },
                },
            ),
        ],
    )
}

fn demo_to_review() -> Vec<(&'static str, &'static str, Command)> {
    vec![
        (
            "li.na",
            "03T10:00:00",
            Command::Demo {
                request: REQ.into(),
                input: DemoInput {
                    demo: "DEMO0001".into(),
                    held: false,
                    date: "2026-11-03".parse().unwrap(),
                    attendees: vec!["CTO".into()],
                    note: None,
                },
            },
        ),
        (
            "li.na",
            "03T10:00:00",
            Command::Feedback {
                request: REQ.into(),
                input: FeedbackInput {
                    demo: "DEMO0001".into(),
                    item: "FB000001".into(),
                    source: "CTO".into(),
                    note: "需要容灾".into(),
                },
            },
        ),
        (
            "li.na",
            "03T11:00:00",
            Command::Disposition {
                request: REQ.into(),
                input: DispositionInput {
                    item: "FB000001".into(),
                    disposition: crate::model::request::Disposition::Accepted,
                },
            },
        ),
        (
            "li.na",
            "03T12:00:00",
            Command::Advance {
                request: REQ.into(),
                input: MoveInput {
                    from: None,
                    to: "review".into(),
                    note: None,
                },
            },
        ),
    ]
}

fn verdict(by: &'static str, id: &str, v: VerdictKind) -> (&'static str, &'static str, Command) {
    (
        by,
        "04T10:00:00",
        Command::Review {
            solution: SOL.into(),
            input: ReviewInput {
                verdict_id: id.into(),
                round: None,
                verdict: v,
                note: "ok".into(),
            },
        },
    )
}

/// Judges the change from `base` to `head`.
fn judge(base: &HashMap<String, AnyRecord>, head: &HashMap<String, AnyRecord>) -> Vec<String> {
    let (config, workflow) = rules();
    let mut ids: Vec<&String> = head.keys().chain(base.keys()).collect();
    ids.sort();
    ids.dedup();
    let changes: Vec<RecordChange> = ids
        .into_iter()
        .filter(|id| base.get(*id) != head.get(*id))
        .map(|id| {
            let rid = RecordId::parse(id).unwrap();
            RecordChange {
                path: crate::store::Store::rel_path(&rid),
                id: rid,
                base: base.get(id).cloned(),
                head: head.get(id).map(|r| {
                    let text = match r {
                        AnyRecord::Request(x) => yaml::record_text(x),
                        AnyRecord::Solution(x) => yaml::record_text(x),
                        AnyRecord::Article(x) => yaml::record_text(x),
                        AnyRecord::Customer(x) => yaml::record_text(x),
                        AnyRecord::Gap(x) => yaml::record_text(x),
                        AnyRecord::Training(x) => yaml::record_text(x),
                    }
                    .unwrap();
                    (r.clone(), text)
                }),
            }
        })
        .collect();
    let others = Mem {
        records: base.clone(),
        files: HashMap::new(),
    };
    let r = Rules {
        config: &config,
        workflow: &workflow,
        migration: None,
    };
    replay(&r, &changes, &others)
        .into_iter()
        .map(|f| format!("{}:{}: {}", f.path.display(), f.line, f.message))
        .collect()
}

fn request(m: &mut HashMap<String, AnyRecord>) -> &mut Request {
    match m.get_mut(REQ) {
        Some(AnyRecord::Request(r)) => r,
        _ => panic!("no request"),
    }
}

fn solution(m: &mut HashMap<String, AnyRecord>) -> &mut Solution {
    match m.get_mut(SOL) {
        Some(AnyRecord::Solution(s)) => s,
        _ => panic!("no solution"),
    }
}

#[test]
fn work_done_with_the_commands_replays_exactly() {
    let base = designed();
    // From nothing: every record created by its command.
    assert_eq!(judge(&HashMap::new(), &base), Vec::<String>::new());
    let mut steps = demo_to_review();
    steps.push(verdict("wang.fang", "V1", VerdictKind::Pass));
    steps.push(verdict("zhang.wei", "V2", VerdictKind::Pass));
    steps.push((
        "chen.jing",
        "05T10:00:00",
        Command::Approve {
            solution: SOL.into(),
            input: ApproveInput {
                version: None,
                note: Some("同意".into()),
            },
        },
    ));
    let head = after(&base, steps);
    assert_eq!(judge(&base, &head), Vec::<String>::new());
}

#[test]
fn a_flipped_verdict_is_named_with_the_field() {
    let base = after(&designed(), demo_to_review());
    let mut head = after(
        &base,
        vec![
            verdict("wang.fang", "V1", VerdictKind::Revise),
            verdict("zhang.wei", "V2", VerdictKind::Pass),
        ],
    );
    solution(&mut head).reviews[0].verdicts[0].verdict = VerdictKind::Pass;
    let f = judge(&base, &head);
    assert!(f.iter().any(|m| m.contains("`reviews`")), "{f:?}");
}

#[test]
fn a_closed_request_cannot_become_won_with_satisfaction_5() {
    let base = after(
        &designed(),
        vec![(
            "li.na",
            "06T10:00:00",
            Command::Close {
                request: REQ.into(),
                input: CloseInput {
                    from: None,
                    to: None,
                    outcome: Outcome::Cancelled,
                    summary: "客户预算冻结".into(),
                    satisfaction: Some(3),
                    technical_win: false,
                    evidence: None,
                    loss_reason: None,
                    competitor: None,
                    resolution: None,
                },
            },
        )],
    );
    let mut head = base.clone();
    request(&mut head).outcome = Some(Outcome::Won);
    request(&mut head).satisfaction = Some(5);
    let f = judge(&base, &head);
    assert!(
        f.iter()
            .any(|m| m.contains("`satisfaction` changed 3 → 5") && m.contains("rate")),
        "{f:?}"
    );
    assert!(f.iter().any(|m| m.contains("`outcome`")), "{f:?}");
}

#[test]
fn edited_or_unsigned_entries_and_illegal_moves_are_refused() {
    let base = designed();
    // A past entry edited.
    let mut head = base.clone();
    request(&mut head).history[0].by = "li.na".into();
    let f = judge(&base, &head);
    assert!(f.iter().any(|m| m.contains("edited or removed")), "{f:?}");

    // A hand-written entry without an operation id.
    let mut head = base.clone();
    let e = HistoryEntry::new(t("03T10:00:00"), "li.na", "comment").note(Some("x"));
    request(&mut head).history.push(e);
    let f = judge(&base, &head);
    assert!(f.iter().any(|m| m.contains("has no `op`")), "{f:?}");

    // A move that skips stages, written to look like the command's.
    let mut head = base.clone();
    let r = request(&mut head);
    r.stage = "approved".into();
    r.history.push(
        HistoryEntry::new(t("03T10:00:00"), "li.na", "advance")
            .op("FORGED0001")
            .from_to("design", "approved"),
    );
    let f = judge(&base, &head);
    assert!(f.iter().any(|m| m.contains("not a legal change")), "{f:?}");
}

#[test]
fn an_approval_in_the_authors_own_name_is_refused() {
    let base = after(&designed(), {
        let mut s = demo_to_review();
        s.push(verdict("wang.fang", "V1", VerdictKind::Pass));
        s.push(verdict("zhang.wei", "V2", VerdictKind::Pass));
        s
    });
    let mut head = base.clone();
    let s = solution(&mut head);
    s.approval = Some(crate::model::solution::Approval {
        by: "li.na".into(),
        at: t("05T10:00:00"),
        note: None,
        extra: Default::default(),
    });
    s.history.push(
        HistoryEntry::new(t("05T10:00:00"), "li.na", "approve")
            .op("FORGED0002")
            .with("version", 1),
    );
    let f = judge(&base, &head);
    assert!(
        f.iter()
            .any(|m| m.contains("not a legal change") && m.contains("approve")),
        "{f:?}"
    );
}

#[test]
fn the_same_reviewer_twice_and_a_request_created_closed_are_refused() {
    let base = after(&designed(), demo_to_review());
    let mut head = after(&base, vec![verdict("wang.fang", "V1", VerdictKind::Pass)]);
    // Duplicate the verdict and its entry under a new op.
    let s = solution(&mut head);
    let mut v = s.reviews[0].verdicts[0].clone();
    v.id = Some("V9".into());
    s.reviews[0].verdicts.push(v);
    let mut e = s.history.last().unwrap().clone();
    e.op = Some("FORGED0003".into());
    e.extra.insert("verdict_id".into(), "V9".into());
    s.history.push(e);
    let f = judge(&base, &head);
    assert!(
        f.iter().any(|m| m.contains("already gave a verdict")),
        "{f:?}"
    );

    // Created already closed.
    let mut head = designed();
    request(&mut head).stage = "closed".into();
    let f = judge(&HashMap::new(), &head);
    assert!(f.iter().any(|m| m.contains("`stage`")), "{f:?}");
}

#[test]
fn history_is_matched_by_entry_not_position() {
    let base = designed();
    let comment = |at: &'static str, text: &str| {
        (
            "li.na",
            at,
            Command::Comment {
                request: REQ.into(),
                input: CommentInput { note: text.into() },
            },
        )
    };
    let head = after(&base, vec![comment("03T10:00:00", "ours")]);
    let theirs = after(&base, vec![comment("03T09:00:00", "theirs")]);
    // The merge driver interleaves by time: theirs (earlier) first. Judged against a base
    // that already holds theirs (main merged into the branch), ours is the only new entry.
    let mut merged = head.clone();
    let mut h = request(&mut theirs.clone()).history.clone();
    h.push(request(&mut head.clone()).history.last().unwrap().clone());
    request(&mut merged).history = h;
    assert_eq!(judge(&theirs, &merged), Vec::<String>::new());
}

#[test]
fn a_record_a_command_also_writes_must_change_too() {
    let full = designed();
    // The base: everything but the solution (and its entries on the request).
    let mut base = full.clone();
    base.remove(SOL);
    let req = request(&mut base);
    let keep = req
        .history
        .iter()
        .position(|e| e.action == "solution")
        .unwrap();
    req.history.truncate(keep);
    req.solution = None;
    // The head: the solution file as the command writes it, the request left alone.
    let mut head = base.clone();
    let mut sol = match full.get(SOL) {
        Some(AnyRecord::Solution(s)) => s.clone(),
        _ => unreachable!(),
    };
    sol.milestones.clear();
    sol.resources.clear();
    sol.history.truncate(1);
    head.insert(SOL.into(), AnyRecord::Solution(sol));
    let f = judge(&base, &head);
    assert!(
        f.iter()
            .any(|m| m.contains(REQ) && m.contains("also writes") && m.contains("`solution`")),
        "{f:?}"
    );
}

#[test]
fn an_unknown_action_is_refused() {
    let base = designed();
    let mut head = base.clone();
    let e = HistoryEntry::new(t("03T10:00:00"), "li.na", "escalate").op("UNKNOWN001");
    request(&mut head).history.push(e);
    let f = judge(&base, &head);
    assert!(
        f.iter()
            .any(|m| m.contains("not what one presales command writes")),
        "{f:?}"
    );
}

const GAP: &str = "GAP-20261102-A000003";
const GAP2: &str = "GAP-20261102-A000004";

fn new_gap(id: &str, title: &str) -> (&'static str, &'static str, Command) {
    (
        "li.na",
        "02T09:00:00",
        Command::NewGap {
            id: id.into(),
            input: GapInput {
                title: title.into(),
                product: "VPN".into(),
                area: None,
                description: None,
                workaround: None,
            },
        },
    )
}

fn link_gap(
    gap: &str,
    item: &str,
    severity: crate::model::Severity,
) -> (&'static str, &'static str, Command) {
    (
        "li.na",
        "03T09:00:00",
        Command::LinkGap {
            request: REQ.into(),
            input: GapLinkInput {
                item: item.into(),
                gap: gap.into(),
                severity,
                feedback: None,
            },
        },
    )
}

fn merge_gap(from: &str, to: &str) -> (&'static str, &'static str, Command) {
    (
        "li.na",
        "03T09:00:00",
        Command::MergeGap {
            gap: from.into(),
            input: GapMergeInput {
                to: to.into(),
                note: None,
            },
        },
    )
}

#[test]
fn gap_work_replays_exactly_even_when_a_link_and_a_merge_share_a_second() {
    use crate::model::Severity;
    let base = designed();
    let head = after(
        &base,
        vec![
            new_gap(GAP, "不支持 SM4"),
            new_gap(GAP2, "国密"),
            link_gap(GAP2, "L1", Severity::Blocker),
            merge_gap(GAP2, GAP),
            link_gap(GAP, "L2", Severity::Challenge),
            (
                "li.na",
                "04T09:00:00",
                Command::GapStatus {
                    gap: GAP.into(),
                    input: GapStatusInput {
                        from: None,
                        to: crate::model::GapStatus::Planned,
                        reference: Some("JIRA-1".into()),
                        note: None,
                    },
                },
            ),
        ],
    );
    assert_eq!(judge(&base, &head), Vec::<String>::new());
    // A severity raised by hand is named.
    let mut forged = head.clone();
    request(&mut forged).gaps[1].severity = Severity::Blocker;
    let f = judge(&base, &forged);
    assert!(f.iter().any(|m| m.contains("`gaps`")), "{f:?}");
}

#[test]
fn merges_into_itself_or_into_a_merged_gap_are_refused() {
    let base = after(
        &designed(),
        vec![new_gap(GAP, "a"), new_gap(GAP2, "b"), merge_gap(GAP2, GAP)],
    );
    let (config, workflow) = rules();
    let mem = Mem {
        records: base,
        files: HashMap::new(),
    };
    for (from, to, why) in [
        (GAP, GAP, "itself"),
        (GAP, GAP2, "was merged into"),
        (GAP2, GAP, "was merged into"),
    ] {
        let mut world = World::new(&mem);
        let env = Env {
            config: &config,
            workflow: &workflow,
            by: "li.na",
            now: t("05T09:00:00"),
            op: "OPX",
        };
        let err = apply(&mut world, &env, &merge_gap(from, to).2).unwrap_err();
        assert!(err.to_string().contains(why), "{from} → {to}: {err}");
    }
}

#[test]
fn every_field_of_every_record_is_judged() {
    for (kind, fields) in [
        (
            Kind::Request,
            &["title", "article_flags", "effort", "gaps", "history"][..],
        ),
        (
            Kind::Article,
            &["summary", "aliases", "review_every", "flags", "history"][..],
        ),
        (Kind::Customer, &["contacts", "notes", "history"][..]),
        (Kind::Solution, &["quotation", "reviews", "history"][..]),
        (Kind::Gap, &["merged_into", "history"][..]),
        (Kind::Training, &["attendees", "attended", "history"][..]),
    ] {
        let known = known_fields(kind);
        for f in fields {
            assert!(known.iter().any(|k| k == f), "{kind:?} {f}: {known:?}");
        }
        assert!(!known.iter().any(|k| k == "extra"), "{known:?}");
    }
}
