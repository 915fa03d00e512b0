//! Generates a large, realistic, deterministic store for benchmarks:
//!
//!   cargo run --release --example gen_store -- --requests 100000 --out /tmp/big [--seed 7]
//!
//! Bilingual titles and bodies, the stage mix of a real team, histories of 2–15 entries
//! consistent with the workflow, solutions with quotes and reviews for about 40 % of
//! requests, customers and a 50-engineer team. The result passes `presales check`.

use std::path::PathBuf;

use chrono::{DateTime, Duration, FixedOffset, TimeZone};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;

use presales::model::request::{Assessment, Disposition, Feasibility, Outcome};
use presales::model::solution::{
    Approval, Handover, Milestone, Quotation, QuoteLine, Resource, ReviewRound, Risk, Verdict,
    VerdictKind,
};
use presales::model::{
    Customer, Demo, Feedback, HistoryEntry, Kind, Priority, RecordId, Request, Solution,
};
use presales::store::{self, Store};

/// Share of open requests per stage index of their path, in per mille; the rest (most of
/// a ten-year store) is closed.
const OPEN_MIX: [u32; 8] = [15, 15, 25, 25, 20, 15, 10, 10];
/// Request types and their shares in per mille: a solution path for less than half.
const TYPES: [(&str, u32); 5] = [
    ("solution", 350),
    ("rfp", 60),
    ("poc", 40),
    ("consultation", 350),
    ("demo", 200),
];

const ZH: [&str; 16] = [
    "智慧园区网络改造",
    "分行 SD-WAN 组网",
    "数据中心灾备",
    "统一身份认证",
    "医院影像云存储",
    "工厂 MES 集成",
    "零售数据分析平台",
    "视频会议系统升级",
    "安全合规评估",
    "私有云迁移",
    "运维监控平台",
    "呼叫中心改造",
    "物联网平台",
    "边缘计算节点",
    "数据湖建设",
    "API 网关",
];
const EN: [&str; 12] = [
    "network refresh",
    "analytics platform",
    "DR design",
    "SSO rollout",
    "cloud migration",
    "data lake",
    "edge gateway",
    "contact center",
    "zero trust",
    "observability",
    "Wi-Fi 7 roaming",
    "API gateway",
];
const SKILLS: [&str; 6] = ["network", "security", "database", "cloud", "iot", "video"];

struct Args {
    requests: usize,
    articles: usize,
    out: PathBuf,
    seed: u64,
}

fn args() -> Args {
    let mut a = Args {
        requests: 1000,
        articles: 0,
        out: PathBuf::from("gen-store"),
        seed: 7,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < argv.len() {
        let v = argv.get(i + 1).cloned().unwrap_or_default();
        match argv[i].as_str() {
            "--requests" => a.requests = v.parse().expect("--requests N"),
            "--articles" => a.articles = v.parse().expect("--articles N"),
            "--out" => a.out = PathBuf::from(v),
            "--seed" => a.seed = v.parse().expect("--seed N"),
            other => panic!("unknown argument {other}"),
        }
        i += 2;
    }
    a
}

fn team(rng: &mut StdRng) -> (String, Vec<String>) {
    let mut toml =
        String::from("\n# Generated team: 1 lead, 3 approvers, 50 engineers, 10 sales.\n");
    let mut engineers = Vec::new();
    let mut member = |id: &str, name: &str, role: &str, skills: &[&str]| {
        toml.push_str(&format!(
            "\n[[members]]\nid = \"{id}\"\nname = \"{name}\"\nemail = \"{id}@example.com\"\nroles = [\"{role}\"]\nskills = [{}]\n",
            skills.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")
        ));
    };
    member("lead", "组长", "lead", &[]);
    for i in 0..3 {
        member(
            &format!("approver{i}"),
            &format!("审批人{i}"),
            "approver",
            &[],
        );
    }
    for i in 0..50 {
        let id = format!("eng{i:02}");
        let a = SKILLS[rng.random_range(0..SKILLS.len())];
        let b = SKILLS[rng.random_range(0..SKILLS.len())];
        member(&id, &format!("工程师{i}"), "engineer", &[a, b]);
        engineers.push(id);
    }
    for i in 0..10 {
        member(&format!("sales{i}"), &format!("销售{i}"), "sales", &[]);
    }
    (toml, engineers)
}

/// Writes a record in canonical form. Plain writes, no fsync: a generated store is
/// throw-away, and 140,000 fsyncs would dominate the generation time.
fn write<T: presales::model::Record>(store: &Store, rec: &T) {
    let id = RecordId::parse(rec.id()).expect("generated IDs are valid");
    let path = store.path_of(&id);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("create folder");
    }
    let text = presales::store::yaml::record_text(rec).expect("serialize");
    std::fs::write(path, text).expect("write record");
}

fn main() {
    let a = args();
    let mut rng = StdRng::seed_from_u64(a.seed);
    if a.out.exists() {
        std::fs::remove_dir_all(&a.out).expect("remove the old store");
    }
    store::init(&a.out, false).expect("init");
    let (team_toml, engineers) = team(&mut rng);
    let cfg = a.out.join("presales.toml");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str(&team_toml);
    std::fs::write(&cfg, text).unwrap();
    let store = Store::open(a.out.clone()).expect("open");
    let tz = FixedOffset::east_opt(8 * 3600).unwrap();
    let start = tz.with_ymd_and_hms(2017, 1, 2, 9, 0, 0).unwrap();
    let span = tz.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap() - start;

    let n_customers = (a.requests / 50).max(5);
    let mut customers = Vec::new();
    for i in 0..n_customers {
        let created = start + Duration::minutes(i as i64);
        let id = RecordId::mint(Kind::Customer, created, rng.random::<u32>() & 0x3fff_ffff);
        let c = Customer {
            id: id.to_string(),
            name: format!(
                "{}客户 {i} / Customer {i}",
                ["华东", "华南", "华北", "西部"][i % 4]
            ),
            industry: Some(
                [
                    "banking",
                    "manufacturing",
                    "government",
                    "healthcare",
                    "retail",
                ][i % 5]
                    .into(),
            ),
            region: Some(["上海", "深圳", "北京", "成都", "Europe"][i % 5].into()),
            contacts: vec![],
            account_owner: Some(format!("sales{}", i % 10)),
            confidential: i % 37 == 0,
            notes: None,
            created,
            extra: Default::default(),
            history: vec![HistoryEntry::new(
                created,
                &format!("sales{}", i % 10),
                "create",
            )],
        };
        write(&store, &c);
        customers.push(c.id);
    }

    let mut turn = 0u64;
    for i in 0..a.requests {
        let frac = i as f64 / a.requests as f64;
        let created: DateTime<FixedOffset> =
            start + Duration::seconds((span.num_seconds() as f64 * frac) as i64);
        let mut roll = rng.random_range(0..1000u32);
        let mut kind = "solution";
        for (t, share) in TYPES {
            if roll < share {
                kind = t;
                break;
            }
            roll -= share;
        }
        let stages: Vec<String> = store.workflow.path(kind).expect("seed type").stages.clone();
        let last = stages.len() - 1;
        let mut roll = rng.random_range(0..1000u32);
        let mut final_idx = last;
        for (k, share) in OPEN_MIX.iter().enumerate().take(last) {
            if roll < *share {
                final_idx = k;
                break;
            }
            roll -= share;
        }
        let id = loop {
            let id = RecordId::mint(Kind::Request, created, rng.random::<u32>() & 0x3fff_ffff);
            if !store.path_of(&id).exists() {
                break id;
            }
        };
        let sales = format!("sales{}", rng.random_range(0..10));
        let topic = ZH[rng.random_range(0..ZH.len())];
        let en = EN[rng.random_range(0..EN.len())];
        let mut req = Request {
            id: id.to_string(),
            title: format!("{topic} / {en} #{i}"),
            kind: kind.into(),
            priority: Priority::ALL[rng.random_range(0..4)],
            customer: customers[rng.random_range(0..customers.len())].clone(),
            opportunity: None,
            requested_by: Some(sales.clone()),
            created,
            due: Some((created + Duration::days(rng.random_range(14..60))).date_naive()),
            stage: "registered".into(),
            assignee: None,
            skills: vec![],
            products: vec![["SD-WAN", "DataHub", "IAM", "API Gateway"][i % 4].into()],
            tags: vec![],
            description: Some(format!(
                "客户希望在三个月内完成{topic}，需要评估现有设备兼容性。\nThe customer asks for a {en} with a pilot in one region."
            )),
            assessment: None,
            solution: None,
            demos: vec![],
            articles: vec![],
            outcome: None,
            technical_win: false,
            summary: None,
            satisfaction: None,
            confidential: false,
            extra: Default::default(),
            history: vec![HistoryEntry::new(created, &sales, "create").to("registered")],
        };
        let mut t = created;
        let mut step = |rng: &mut StdRng| {
            t += Duration::minutes(rng.random_range(30..60 * 48));
            t
        };
        let eng = engineers[rng.random_range(0..engineers.len())].clone();
        let mut sol: Option<Solution> = None;
        let advance = |req: &mut Request, to: &str, at, by: &str| {
            let from = req.stage.clone();
            req.history
                .push(HistoryEntry::new(at, by, "advance").from_to(from, to));
            req.stage = to.into();
        };
        let closed = final_idx == last;
        // A fifth of closed requests ended early, cancelled; the rest went the whole way.
        let upto = match (closed, rng.random_bool(0.2)) {
            (true, true) => rng.random_range(1..last - 1),
            (true, false) => last - 1,
            (false, _) => final_idx,
        };
        for stage in stages.iter().take(upto + 1).skip(1) {
            let at = step(&mut rng);
            match stage.as_str() {
                "assigned" => {
                    turn += 1;
                    req.assignee = Some(eng.clone());
                    req.history.push(
                        HistoryEntry::new(at, "lead", "assign")
                            .to(eng.clone())
                            .with("policy", "round-robin")
                            .with("turn", turn),
                    );
                    advance(&mut req, "assigned", at, "lead");
                }
                "analysis" => {
                    let a = Assessment {
                        feasibility: Feasibility::Feasible,
                        difficulty: rng.random_range(1..=5),
                        notes: Some("现有产品可覆盖".into()),
                    };
                    req.history.push(
                        HistoryEntry::new(at, &eng, "assess").with("feasibility", "feasible"),
                    );
                    req.assessment = Some(a);
                    advance(&mut req, "analysis", at, &eng);
                }
                "design" => {
                    advance(&mut req, "design", at, &eng);
                    let sid = RecordId::mint(Kind::Solution, at, rng.random::<u32>() & 0x3fff_ffff);
                    let lines = vec![
                        QuoteLine {
                            item: "license".into(),
                            quantity: Decimal::from(rng.random_range(1..20)),
                            unit_price: Decimal::new(rng.random_range(100_000..5_000_000), 2),
                        },
                        QuoteLine {
                            item: "实施服务".into(),
                            quantity: Decimal::from(rng.random_range(5..60)),
                            unit_price: Decimal::new(280_050, 2),
                        },
                    ];
                    let total = Quotation::compute_total(&lines);
                    sol = Some(Solution {
                        id: sid.to_string(),
                        request: req.id.clone(),
                        title: req.title.clone(),
                        version: 1,
                        author: eng.clone(),
                        created: at,
                        plan: Some(format!("# {topic}\n\n总部双活 + 区域节点；pilot first.\n")),
                        plan_file: None,
                        milestones: vec![Milestone {
                            name: "pilot".into(),
                            date: (at + Duration::days(30)).date_naive(),
                        }],
                        resources: vec![Resource {
                            role: "engineer".into(),
                            person: Some(eng.clone()),
                            days: Decimal::from(10),
                        }],
                        quotation: Some(Quotation {
                            currency: "CNY".into(),
                            lines,
                            total,
                            valid_until: None,
                        }),
                        risks: vec![Risk {
                            description: "legacy compatibility".into(),
                            likelihood: 3,
                            impact: 3,
                            mitigation: "lab test".into(),
                            owner: None,
                        }],
                        reviews: vec![],
                        approval: None,
                        handover: None,
                        supersedes: None,
                        superseded_by: None,
                        extra: Default::default(),
                        history: vec![
                            HistoryEntry::new(at, &eng, "create").with("request", req.id.clone()),
                        ],
                    });
                    req.solution = sol.as_ref().map(|s| s.id.clone());
                    req.history.push(
                        HistoryEntry::new(at, &eng, "solution").to(req.solution.clone().unwrap()),
                    );
                }
                "answered" => {
                    req.history.push(
                        HistoryEntry::new(at, &eng, "advance")
                            .from_to(req.stage.clone(), "answered")
                            .note(Some("已答复 / answered")),
                    );
                    req.stage = "answered".into();
                }
                "demo" => {
                    advance(&mut req, "demo", at, &eng);
                    req.demos.push(Demo {
                        date: at.date_naive(),
                        attendees: vec!["客户 CTO".into()],
                        notes: None,
                        feedback: vec![Feedback {
                            from: "CTO".into(),
                            text: "需要容灾".into(),
                            disposition: Some(Disposition::Accepted),
                        }],
                    });
                    req.history.push(HistoryEntry::new(at, &eng, "demo"));
                }
                "review" => {
                    advance(&mut req, "review", at, &eng);
                    if let Some(s) = sol.as_mut() {
                        let reviewers: Vec<&String> =
                            engineers.iter().filter(|e| **e != eng).take(2).collect();
                        s.reviews.push(ReviewRound {
                            round: 1,
                            opened: at,
                            closed: None,
                            verdicts: reviewers
                                .iter()
                                .map(|r| Verdict {
                                    reviewer: (*r).clone(),
                                    verdict: VerdictKind::Pass,
                                    at,
                                    comment: Some("ok".into()),
                                })
                                .collect(),
                        });
                    }
                }
                "approved" => {
                    if let Some(s) = sol.as_mut() {
                        s.approval = Some(Approval {
                            by: format!("approver{}", i % 3),
                            at,
                            note: None,
                        });
                        if let Some(r) = s.reviews.last_mut() {
                            r.closed = Some(at);
                        }
                    }
                    advance(&mut req, "approved", at, &format!("approver{}", i % 3));
                }
                "handover" => {
                    if let Some(s) = sol.as_mut() {
                        s.handover = Some(Handover {
                            to: sales.clone(),
                            at,
                            training: vec![],
                            notes: None,
                        });
                    }
                    advance(&mut req, "handover", at, &eng);
                }
                _ => {}
            }
        }
        if closed {
            let at = step(&mut rng);
            let outcome = if Some(&req.stage) == stages.get(last - 1) {
                if rng.random_bool(0.55) {
                    Outcome::Won
                } else {
                    Outcome::Lost
                }
            } else {
                Outcome::Cancelled
            };
            req.outcome = Some(outcome);
            req.technical_win =
                outcome == Outcome::Won || (outcome == Outcome::Lost && rng.random_bool(0.3));
            req.satisfaction = Some(rng.random_range(3..=5));
            req.summary = Some("项目结束，已归档 / closed and archived".into());
            let prev = req.stage.clone();
            req.history.push(
                HistoryEntry::new(at, &eng, "close")
                    .from_to(prev, "closed")
                    .with("outcome", outcome.as_str()),
            );
            if let Some(s) = sol.as_mut()
                && let Some(r) = s.reviews.last_mut()
                && r.closed.is_none()
            {
                r.closed = Some(at);
            }
            req.stage = "closed".into();
        }
        write(&store, &req);
        if let Some(s) = &sol {
            write(&store, s);
        }
    }
    eprintln!(
        "generated {} requests, {} customers in {}",
        a.requests,
        customers.len(),
        a.out.display()
    );
    if a.articles > 0 {
        eprintln!("(articles: added once the knowledge base lands)");
    }
}
