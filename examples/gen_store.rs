//! Generates a large, realistic, deterministic store for benchmarks:
//!
//!   cargo run --release --example gen_store -- --requests 100000 --articles 20000 \
//!       --out /tmp/big [--seed 7]
//!
//! Bilingual titles and bodies, the stage mix of a real team, histories of 2–15 entries
//! consistent with the workflow, solutions with quotes and reviews for about 40 % of
//! requests, customers, a 50-engineer team, and knowledge-base articles of about 2 KB of
//! bilingual Markdown that about a third of the requests record as used. The same
//! arguments give the same store, byte for byte; apart from the articles they cite, the
//! requests do not depend on `--articles` (the knowledge base draws from its own random
//! stream). The result passes `presales check`.

use std::path::PathBuf;

use chrono::{DateTime, Duration, FixedOffset, TimeZone};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;

use presales::kb::USE_ACTION;
use presales::model::article::{Category, Status};
use presales::model::request::{ArticleUse, Assessment, Disposition, Feasibility, Outcome};
use presales::model::solution::{
    Approval, Handover, Milestone, Quotation, QuoteLine, Resource, ReviewRound, Risk, Verdict,
    VerdictKind,
};
use presales::model::{
    Article, Customer, Demo, Feedback, HistoryEntry, Kind, Priority, RecordId, Request, Solution,
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
    // The day benchmarks run on (PRESALES_NOW in benches/scale.sh): review dates are set
    // around it so that some articles are stale.
    let now = tz.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap();
    let mut kb_rng = StdRng::seed_from_u64(a.seed ^ 0x6b62_6b62);
    let kb = articles(
        &store,
        &mut kb_rng,
        a.articles,
        &engineers,
        start,
        span,
        now,
    );

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
            interactions: vec![],
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

    // Product gaps: one per 500 requests (at least 3), written by engineers; a random
    // source of their own, so the rest of the store is what earlier versions generated.
    let mut gap_rng = StdRng::seed_from_u64(a.seed ^ 0x6A70);
    let first_gap_day = start;
    let gaps: Vec<String> = (0..(a.requests / 500).max(3))
        .map(|k| {
            let created = first_gap_day + Duration::hours(k as i64);
            let id = RecordId::mint(Kind::Gap, created, gap_rng.random::<u32>() & 0x3fff_ffff);
            let author = engineers[k % engineers.len()].clone();
            let product = ["SD-WAN", "DataHub", "IAM", "API Gateway"][k % 4];
            let status = ["open", "open", "planned", "shipped", "wont_do"][k % 5];
            let gap: presales::model::Gap = serde_json::from_value(serde_json::json!({
                "id": id.to_string(),
                "title": format!("{} 缺少 / lacks {}", ZH[k % ZH.len()], EN[k % EN.len()]),
                "product": product,
                "status": status,
                "created": created.to_rfc3339(),
                "author": author,
                "history": [{"at": created.to_rfc3339(), "by": author, "action": "create"}],
            }))
            .expect("a gap");
            write(&store, &gap);
            id.to_string()
        })
        .collect();

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
                        extra: Default::default(),
                    };
                    req.history.push(
                        HistoryEntry::new(at, &eng, "assess").with("feasibility", "feasible"),
                    );
                    req.assessment = Some(a);
                    advance(&mut req, "analysis", at, &eng);
                    if kb_rng.random_bool(0.3) {
                        cite(&kb, &mut kb_rng, &mut req, at, &eng);
                    }
                }
                "design" => {
                    advance(&mut req, "design", at, &eng);
                    if kb_rng.random_bool(0.2) {
                        cite(&kb, &mut kb_rng, &mut req, at, &eng);
                    }
                    let sid = RecordId::mint(Kind::Solution, at, rng.random::<u32>() & 0x3fff_ffff);
                    let lines = vec![
                        QuoteLine {
                            item: "license".into(),
                            quantity: Decimal::from(rng.random_range(1..20)),
                            unit_price: Decimal::new(rng.random_range(100_000..5_000_000), 2),
                            extra: Default::default(),
                        },
                        QuoteLine {
                            item: "实施服务".into(),
                            quantity: Decimal::from(rng.random_range(5..60)),
                            unit_price: Decimal::new(280_050, 2),
                            extra: Default::default(),
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
                            extra: Default::default(),
                        }],
                        resources: vec![Resource {
                            role: "engineer".into(),
                            person: Some(eng.clone()),
                            days: Decimal::from(10),
                            extra: Default::default(),
                        }],
                        quotation: Some(Quotation {
                            currency: "CNY".into(),
                            lines,
                            discount: None,
                            tax: None,
                            total: total.unwrap_or_default(),
                            valid_until: None,
                            extra: Default::default(),
                        }),
                        risks: vec![Risk {
                            description: "legacy compatibility".into(),
                            likelihood: 3,
                            impact: 3,
                            mitigation: "lab test".into(),
                            owner: None,
                            extra: Default::default(),
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
                    if kb_rng.random_bool(0.4) {
                        cite(&kb, &mut kb_rng, &mut req, at, &eng);
                    }
                }
                "demo" => {
                    advance(&mut req, "demo", at, &eng);
                    req.demos.push(Demo {
                        id: Some(presales::model::id::code(i as u64, 8)),
                        date: at.date_naive(),
                        attendees: vec!["客户 CTO".into()],
                        notes: None,
                        feedback: vec![Feedback {
                            id: Some(presales::model::id::code(i as u64 ^ 0x5a5a, 8)),
                            from: "CTO".into(),
                            text: "需要容灾".into(),
                            disposition: Some(Disposition::Accepted),
                            extra: Default::default(),
                        }],
                        extra: Default::default(),
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
                                    id: Some(presales::model::id::code(
                                        (i as u64) << 8 | r.len() as u64,
                                        8,
                                    )),
                                    reviewer: (*r).clone(),
                                    verdict: VerdictKind::Pass,
                                    at,
                                    comment: Some("ok".into()),
                                    extra: Default::default(),
                                })
                                .collect(),
                            extra: Default::default(),
                        });
                    }
                }
                "approved" => {
                    if let Some(s) = sol.as_mut() {
                        s.approval = Some(Approval {
                            by: format!("approver{}", i % 3),
                            at,
                            note: None,
                            extra: Default::default(),
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
                            extra: Default::default(),
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
        deal_intelligence(
            &mut req,
            a.seed ^ (i as u64).wrapping_mul(0x9E37_79B9),
            t,
            &gaps,
        );
        write(&store, &req);
        if let Some(s) = &sol {
            write(&store, s);
        }
    }
    eprintln!(
        "generated {} requests, {} customers, {} articles in {}",
        a.requests,
        customers.len(),
        kb.len(),
        a.out.display()
    );
}

/// Deal values, loss reasons and logged effort (a random source of its own, so the rest of
/// the store is what earlier versions generated): every deal type gets a value, a lost deal
/// a reason and often a competitor, and the assignee logs 1–4 entries of effort, each with
/// its `log` history entry, between the assignment and `last`.
fn deal_intelligence(req: &mut Request, seed: u64, last: DateTime<FixedOffset>, gaps: &[String]) {
    use presales::model::{Activity, Effort};
    let mut rng = StdRng::seed_from_u64(seed);
    // One deal in eight ran into a product gap (a link made by the assignee after the
    // assignment; gaps were all recorded before the first request).
    let link_gap = !gaps.is_empty() && rng.random_bool(0.125);
    let gap = gaps
        .get(rng.random_range(0..gaps.len().max(1)))
        .cloned()
        .unwrap_or_default();
    let severity = ["blocker", "challenge", "challenge", "nice_to_have"][rng.random_range(0..4)];
    if matches!(req.kind.as_str(), "solution" | "rfp" | "poc") {
        req.opportunity = Some(presales::model::request::Opportunity {
            name: None,
            value: Some(Decimal::from(rng.random_range(5..500) * 10_000)),
            currency: Some(["CNY", "CNY", "CNY", "USD"][rng.random_range(0..4)].into()),
            expected_close: None,
            extra: Default::default(),
        });
    }
    if req.outcome == Some(Outcome::Lost) {
        req.loss_reason = Some(presales::config::LOSS_REASONS[rng.random_range(0..7)].into());
        if rng.random_bool(0.6) {
            req.competitor = Some(["Acme", "Globex", "Initech"][rng.random_range(0..3)].into());
        }
    }
    let Some(by) = req.assignee.clone() else {
        return;
    };
    let Some(start) = req
        .history
        .iter()
        .find(|h| h.action == "assign")
        .map(|h| h.at)
    else {
        return;
    };
    let span = (last - start).num_minutes().max(1);
    let mut entries: Vec<(DateTime<FixedOffset>, Effort)> = (0..rng.random_range(1..=4))
        .map(|k| {
            let at = start + Duration::minutes(rng.random_range(0..span));
            let effort = Effort {
                id: format!("E{:08X}{k}", seed & 0xFFFF_FFFF),
                by: by.clone(),
                date: at.date_naive(),
                hours: Decimal::new(rng.random_range(5..=80), 1),
                activity: Activity::ALL[rng.random_range(0..Activity::ALL.len())],
                note: None,
                extra: Default::default(),
            };
            (at, effort)
        })
        .collect();
    entries.sort_by_key(|(at, _)| *at);
    if link_gap && matches!(req.kind.as_str(), "solution" | "rfp" | "poc") {
        let at = start + Duration::minutes(rng.random_range(0..span));
        let item = format!("G{:08X}", seed & 0xFFFF_FFFF);
        let link: presales::model::GapLink = serde_json::from_value(serde_json::json!({
            "id": item, "gap": gap, "severity": severity, "at": at.to_rfc3339(), "by": by,
        }))
        .expect("a gap link");
        req.gaps.push(link);
        req.history.push(
            HistoryEntry::new(at, &by, "link_gap")
                .with("item", item.as_str())
                .with("gap", gap.as_str())
                .with("severity", severity),
        );
    }
    for (at, e) in entries {
        req.history.push(
            HistoryEntry::new(at, &by, "log")
                .with("item", e.id.as_str())
                .with("date", e.date.to_string().as_str())
                .with("hours", e.hours.to_string().as_str())
                .with("activity", e.activity.as_str()),
        );
        req.effort.push(e);
    }
    req.history.sort_by_key(|h| h.at);
}

/// Knowledge-base material: section bodies in Chinese and English, with `{t}` (Chinese
/// topic), `{e}` (English topic) and `{p}` (product) filled in per article.
const KB_ZH: [&str; 14] = [
    "本文整理了{t}项目中的常见问题和处理经验，供售前工程师在需求分析阶段参考。遇到客户提出的兼容性疑问时，先确认现网设备型号和软件版本，再对照{p}的兼容性列表给出结论。",
    "客户通常关注三个方面：建设周期、总体投入和后续运维成本。建议在首次交流时就明确试点范围，避免方案反复修改；试点成功后再分阶段推广到全部分支机构。",
    "在方案设计阶段，需要与研发、交付和销售同事共同评审技术路线。评审前准备好拓扑图、容量测算和风险清单，评审意见应逐条记录并在方案中落实。",
    "演示环境建议提前一天搭建并完成自检，包括网络连通性、账号权限和演示数据。演示时先讲业务场景，再展示{p}的关键功能，最后回答客户的技术问题。",
    "报价时请使用最新的价格表，实施服务按人天计算，差旅费用单独列出。涉及第三方产品时，需要取得供应商的书面报价，并在方案中注明有效期。",
    "对于金融、政府等行业客户，安全合规是首要条件。方案中应说明数据加密、访问控制、日志审计和等级保护的具体措施，必要时附上第三方测评报告。",
    "常见故障一：{p}升级后部分分支无法上线。处理方法：检查隧道配置和证书有效期，确认控制器与边缘节点的版本匹配，必要时回退到上一个稳定版本。",
    "常见故障二：高峰时段业务响应变慢。处理方法：查看链路利用率和会话数，调整负载均衡策略，并评估是否需要扩容。",
    "交付移交时，售前工程师应向实施团队说明客户的关键诉求、已承诺的功能和尚未解决的风险，并提供完整的方案文档和配置清单。",
    "本资料每年至少复核一次。如果产品版本、价格政策或客户反馈发生变化，请资料负责人及时更新，并在变更说明中写明原因。",
    "典型案例：某省级分行在三个月内完成了{t}，覆盖两百余个网点。项目的关键是提前完成现网调研，并与客户运维团队建立每周例会机制。",
    "培训要点：理解{p}的整体架构、掌握常用配置命令、熟悉故障排查流程。新员工应在上岗前完成实验环境练习，并通过内部考核。",
    "需求登记后，组长根据工程师的技能、当前负载和所在区域进行分配。紧急需求可以直接指派给值班工程师，但需在当天补充登记。",
    "容量规划建议按照未来三年的业务增长预留百分之三十的余量，关键链路采用双线路冗余，核心设备采用双机热备。",
];
const KB_EN: [&str; 10] = [
    "This note collects what we learned delivering {e} projects. Before answering a compatibility question, confirm the customer's device models and firmware, then check the {p} compatibility matrix.",
    "Customers care about three things: time to value, total cost and the operating burden afterwards. Agree on a pilot scope in the first workshop and grow from there.",
    "For the design review, bring the topology, a sizing estimate and the risk register. Record every comment and show in the next version how it was addressed.",
    "Prepare the demo environment the day before and run the checklist: connectivity, accounts, sample data. Start from the business scenario, then show {p}, then take questions.",
    "Quote services in person-days and list travel separately. Third-party items need a written quote from the vendor with its validity date.",
    "Regulated customers (banking, government) ask first about encryption, access control, audit logs and certification. Answer each with the concrete setting, not a brochure line.",
    "Known issue: after upgrading {p}, some branches fail to come online. Check tunnel settings and certificate expiry, make sure controller and edge versions match, roll back if needed.",
    "Handover checklist: key customer expectations, features promised, open risks, the final design document and the configuration inventory.",
    "Sizing rule of thumb: plan for three years of growth plus 30 % headroom; dual links for critical paths and an active-standby pair for core devices.",
    "Review this article at least once a year, and whenever the product version, the price list or customer feedback changes.",
];
/// The dispatch rules from the company policy (派工原则), cited by a few articles so that
/// `presales kb search 派工原则` has a selective, realistic query.
const KB_DISPATCH: &str = "派工原则：按照工程师的基本派工顺序依次轮流，机会均等；当次工程师技能不能承担该需求或外出尚未返回时，跳过本轮，向下轮流。Dispatch rule: round-robin by default, skipping whoever lacks the skill or is away.";
const KB_CATEGORIES: [(Category, &str, &str, u32); 7] = [
    (Category::ProductManual, "产品手册", "product manual", 150),
    (Category::TechnicalDoc, "技术文档", "technical note", 250),
    (Category::DemoMaterial, "演示资料", "demo kit", 100),
    (Category::Faq, "常见问题", "FAQ", 200),
    (Category::CaseStudy, "案例", "case study", 120),
    (
        Category::SolutionTemplate,
        "方案模板",
        "solution template",
        110,
    ),
    (Category::Training, "培训材料", "training", 70),
];
const PRODUCTS: [&str; 4] = ["SD-WAN", "DataHub", "IAM", "API Gateway"];

/// A generated article, as the requests that cite it need it.
struct KbEntry {
    id: String,
    created: DateTime<FixedOffset>,
    /// Published at the time requests cite it (`kb use` refuses archived articles).
    citable: bool,
}

/// A Markdown body of about `target` bytes, bilingual, sections picked at random.
fn kb_body(
    rng: &mut StdRng,
    title: &str,
    topic: &str,
    en: &str,
    product: &str,
    dispatch: bool,
    target: usize,
) -> String {
    let fill = |s: &str| {
        s.replace("{t}", topic)
            .replace("{e}", en)
            .replace("{p}", product)
    };
    let mut body = format!("# {title}\n\n## 背景 / Background\n\n");
    body.push_str(&fill(KB_ZH[rng.random_range(0..KB_ZH.len())]));
    body.push_str("\n\n");
    body.push_str(&fill(KB_EN[rng.random_range(0..KB_EN.len())]));
    if dispatch {
        body.push_str("\n\n## 派工原则 / Dispatch\n\n");
        body.push_str(KB_DISPATCH);
    }
    let headings = [
        "要点 / Key points",
        "常见问题 / FAQ",
        "注意事项 / Caveats",
        "步骤 / Steps",
    ];
    let mut h = 0;
    while body.len() < target {
        body.push_str(&format!("\n\n## {}\n\n", headings[h % headings.len()]));
        h += 1;
        // Two different Chinese points, then an English one.
        let first = rng.random_range(0..KB_ZH.len());
        let second = (first + rng.random_range(1..KB_ZH.len())) % KB_ZH.len();
        for k in [first, second] {
            body.push_str("- ");
            body.push_str(&fill(KB_ZH[k]));
            body.push('\n');
        }
        body.push_str("- ");
        body.push_str(&fill(KB_EN[rng.random_range(0..KB_EN.len())]));
    }
    body.push('\n');
    body
}

/// Writes `n` articles spread over the store's ten years: mostly published, some drafts
/// and archived ones, some past their review date; one in 97 cites the 派工原则, one in 100
/// keeps its body in a Markdown file, one in 20 has an attachment. Returns them by
/// creation time.
fn articles(
    store: &Store,
    rng: &mut StdRng,
    n: usize,
    engineers: &[String],
    start: DateTime<FixedOffset>,
    span: Duration,
    now: DateTime<FixedOffset>,
) -> Vec<KbEntry> {
    let root = store.root().to_path_buf();
    let attachments: Vec<String> = PRODUCTS
        .iter()
        .map(|p| {
            format!(
                "docs/kb/attachments/{}-overview.pdf",
                p.replace(' ', "-").to_lowercase()
            )
        })
        .collect();
    if n > 0 {
        std::fs::create_dir_all(root.join("docs/kb/attachments")).expect("create docs/kb");
        for a in &attachments {
            std::fs::write(root.join(a), "%PDF-1.4 placeholder\n").expect("write attachment");
        }
    }
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let frac = i as f64 / n as f64;
        let created = start + Duration::seconds((span.num_seconds() as f64 * frac) as i64);
        let id = loop {
            let id = RecordId::mint(Kind::Article, created, rng.random::<u32>() & 0x3fff_ffff);
            if !store.path_of(&id).exists() {
                break id;
            }
        };
        let mut roll = rng.random_range(0..1000u32);
        let mut pick = KB_CATEGORIES[KB_CATEGORIES.len() - 1];
        for c in KB_CATEGORIES {
            if roll < c.3 {
                pick = c;
                break;
            }
            roll -= c.3;
        }
        let (category, cat_zh, cat_en, _) = pick;
        let topic = ZH[rng.random_range(0..ZH.len())];
        let en = EN[rng.random_range(0..EN.len())];
        let product = PRODUCTS[rng.random_range(0..PRODUCTS.len())];
        let dispatch = i % 97 == 0;
        let title = if dispatch {
            format!("派工原则与{topic}值班安排 / dispatch rules #{i}")
        } else {
            format!("{topic}{cat_zh} / {en} {cat_en} #{i}")
        };
        let author = &engineers[rng.random_range(0..engineers.len())];
        let status = match rng.random_range(0..100u32) {
            0..8 => Status::Draft,
            8..15 => Status::Archived,
            _ => Status::Published,
        };
        let today = now.date_naive();
        let review_by = match (status, rng.random_range(0..100u32)) {
            (_, 0..10) => None,
            // About one published article in six is past its review date.
            (Status::Published, 10..25) => Some(today - Duration::days(rng.random_range(1..400))),
            (Status::Archived, _) => Some(created.date_naive() + Duration::days(365)),
            _ => Some(today + Duration::days(rng.random_range(30..540))),
        };
        let size = rng.random_range(1500..2600);
        let body = kb_body(rng, &title, topic, en, product, dispatch, size);
        let (body, body_file) = if i % 100 == 50 {
            let rel = format!("docs/kb/{id}.md");
            std::fs::write(root.join(&rel), &body).expect("write body file");
            (None, Some(rel))
        } else {
            (Some(body), None)
        };
        let mut history = vec![HistoryEntry::new(created, author, "create").to("draft")];
        let mut t = created;
        if status != Status::Draft {
            t += Duration::hours(rng.random_range(1..72));
            history.push(HistoryEntry::new(t, author, "publish").from_to("draft", "published"));
        }
        if status == Status::Archived {
            // Retired a while after publication, never in the future.
            let latest = (now - Duration::hours(1)).max(t + Duration::minutes(1));
            t = (t + Duration::days(rng.random_range(200..900))).min(latest);
            history.push(
                HistoryEntry::new(t, "lead", "archive")
                    .from_to("published", "archived")
                    .note(Some("产品已停售 / product retired")),
            );
        }
        let article = Article {
            id: id.to_string(),
            title,
            category,
            products: vec![product.to_string()],
            tags: [topic, en]
                .iter()
                .take(rng.random_range(1..=2))
                .map(|s| s.to_string())
                .collect(),
            author: author.clone(),
            owner: rng
                .random_bool(0.2)
                .then(|| engineers[rng.random_range(0..engineers.len())].clone()),
            status,
            review_by,
            review_every: None,
            confidential: i % 53 == 0,
            summary: None,
            aliases: vec![],
            body,
            body_file,
            attachments: if i % 20 == 3 {
                vec![attachments[i % attachments.len()].clone()]
            } else {
                vec![]
            },
            source: None,
            created,
            flags: vec![],
            extra: Default::default(),
            history,
        };
        write(store, &article);
        out.push(KbEntry {
            id: article.id,
            created,
            citable: status == Status::Published,
        });
    }
    out
}

/// Records, as `presales kb use` does, that the engineer used one to three published
/// articles older than `at` while working on the request (资料使用记录).
/// `kb` is in creation order.
fn cite(kb: &[KbEntry], rng: &mut StdRng, req: &mut Request, at: DateTime<FixedOffset>, by: &str) {
    let older = kb.partition_point(|a| a.created < at);
    if older == 0 {
        return;
    }
    for _ in 0..rng.random_range(1..=3) {
        // Engineers mostly reach for recent material: seven times in ten, one of the
        // newest quarter of the articles written so far.
        let from = if rng.random_bool(0.7) {
            older - older.div_ceil(4)
        } else {
            0
        };
        let a = &kb[rng.random_range(from..older)];
        if !a.citable || req.articles.iter().any(|u| u.id == a.id) {
            continue;
        }
        req.articles.push(ArticleUse {
            id: a.id.clone(),
            at,
            by: by.to_string(),
            extra: Default::default(),
        });
        req.history
            .push(HistoryEntry::new(at, by, USE_ACTION).with("article", a.id.as_str()));
    }
}
