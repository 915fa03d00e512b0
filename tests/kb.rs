//! The knowledge base and search end to end, through the real binary in temp git repos:
//! import a folder of Chinese and English Markdown, search it, edit, break the index.

mod common;

use std::fs;
use std::path::PathBuf;

use common::Env;
use serde_json::Value;

/// Writes ~30 Markdown files under `docs/`: a few with known content, the rest filler that
/// avoids every word the tests look for. Returns nothing; sources are `docs/NN-….md`.
fn write_docs(env: &Env) {
    let dir = env.root().join("docs");
    fs::create_dir_all(dir.join("faq")).unwrap();
    let known: [(&str, &str); 7] = [
        (
            "00-dispatch.md",
            "---\ntitle: 派工原则说明\ncategory: faq\ntags: [派工, 流程]\nproducts: [Presales]\n---\n\
             本组的派工原则是轮流，有技能要求时跳过不具备技能的工程师。\n",
        ),
        (
            "01-rota.md",
            "# 排班制度\n\n派工需要遵守原则，也要轮流值班。\n",
        ),
        (
            "02-k8s.md",
            "# 容器平台部署手册\n\n我们使用Kubernetes集群部署售前演示环境，节点数量按客户规模确定。\n",
        ),
        (
            "03-db.md",
            "---\ncategory: technical_doc\ntags: backup, 运维\n---\n# 备份策略\n\n核心数据库每天凌晨全量备份，保留三十天。\n",
        ),
        (
            "04-firewall-title.md",
            "---\ncategory: product_manual\nproducts: [FireWall-X]\n---\n# 防火墙选型指南\n\n选型时请参考下列要点：吞吐、并发、接口数量。\n",
        ),
        (
            "05-firewall-body.md",
            "# 网络设备说明\n\n防火墙、防火墙、防火墙：本文多次提到防火墙，但标题里没有。\n",
        ),
        (
            "faq/06-vpn.md",
            "# VPN setup FAQ\n\nHow to configure an IPsec VPN tunnel between two sites.\n",
        ),
    ];
    for (name, text) in known {
        fs::write(dir.join(name), text).unwrap();
    }
    let zh = [
        "方案", "演示", "客户", "报价", "交接", "培训", "评审", "风险",
    ];
    let en = [
        "proposal", "meeting", "pricing", "handover", "training", "review",
    ];
    for i in 7..30 {
        let text = format!(
            "# 文档 {i} {}\n\n关于{}与{}的说明，英文 {} and {}。\n",
            en[i % en.len()],
            zh[i % zh.len()],
            zh[(i + 3) % zh.len()],
            en[(i + 1) % en.len()],
            en[(i + 2) % en.len()],
        );
        fs::write(dir.join(format!("{i:02}-filler.md")), text).unwrap();
    }
}

/// Imports `docs/` and returns the article id of each source, by file name.
fn import(env: &Env) -> std::collections::BTreeMap<String, String> {
    write_docs(env);
    let v = env.json(&["kb", "import", "docs"]);
    let created = v["created"].as_array().unwrap();
    assert_eq!(created.len(), 30, "{v}");
    created
        .iter()
        .map(|c| {
            let source = c["source"].as_str().unwrap();
            let name = source.rsplit('/').next().unwrap().to_string();
            (name, c["id"].as_str().unwrap().to_string())
        })
        .collect()
}

fn kb_path(env: &Env, id: &str) -> PathBuf {
    env.root()
        .join("kb")
        .join(&id[3..7])
        .join(format!("{id}.yaml"))
}

/// Ids of the hits of `presales kb search ARGS…`, best first.
fn search(env: &Env, args: &[&str]) -> Vec<String> {
    let mut full = vec!["kb", "search"];
    full.extend_from_slice(args);
    hits(&env.json(&full))
}

fn hits(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn chinese_phrase_english_word_and_one_character_queries() {
    let env = Env::new();
    let ids = import(&env);
    // Ranked: the article with the exact phrase first; quoted, only that one.
    assert_eq!(search(&env, &["派工原则"])[0], ids["00-dispatch.md"]);
    assert_eq!(
        search(&env, &["\"派工原则\""]),
        vec![ids["00-dispatch.md"].clone()]
    );
    // Two words: both articles that have them, apart or together.
    let mut both = search(&env, &["派工", "原则"]);
    both.sort();
    let mut want = vec![ids["00-dispatch.md"].clone(), ids["01-rota.md"].clone()];
    want.sort();
    assert_eq!(both, want);
    // An English word inside Chinese text, any case.
    assert_eq!(
        search(&env, &["kubernetes"]),
        vec![ids["02-k8s.md"].clone()]
    );
    assert_eq!(
        search(&env, &["KUBERNETES集群"]),
        vec![ids["02-k8s.md"].clone()]
    );
    // One character inside a longer run.
    assert_eq!(search(&env, &["库"]), vec![ids["03-db.md"].clone()]);
    // Quoted English phrase.
    assert_eq!(
        search(&env, &["\"ipsec vpn\""]),
        vec![ids["06-vpn.md"].clone()]
    );
    assert!(search(&env, &["\"vpn ipsec\""]).is_empty());

    let out = env.run(&["kb", "search", "派工原则"]).ok();
    let header = out.lines().next().unwrap();
    for col in ["ID", "TITLE", "CATEGORY", "SNIPPET"] {
        assert!(header.contains(col), "{out}");
    }
    assert!(out.contains("**派工原则**"), "{out}");
    let v = env.json(&["kb", "search", "派工原则"]);
    let hit = &v[0];
    for key in [
        "id", "kind", "title", "category", "status", "score", "snippet",
    ] {
        assert!(hit.get(key).is_some(), "{key} missing in {hit}");
    }
    assert_eq!(hit["kind"], "article");
    assert_eq!(hit["title"], "派工原则说明");
    assert_eq!(hit["category"], "faq");
}

#[test]
fn title_matches_rank_above_body_matches() {
    let env = Env::new();
    let ids = import(&env);
    let got = search(&env, &["防火墙"]);
    assert_eq!(
        got,
        vec![
            ids["04-firewall-title.md"].clone(),
            ids["05-firewall-body.md"].clone()
        ]
    );
}

#[test]
fn reimport_is_idempotent_and_updates_changed_files() {
    let env = Env::new();
    let ids = import(&env);
    let id = &ids["03-db.md"];
    let before = fs::read_to_string(kb_path(&env, id)).unwrap();
    let v = env.json(&["kb", "import", "docs"]);
    assert_eq!(v["unchanged"].as_array().unwrap().len(), 30, "{v}");
    assert_eq!(fs::read_to_string(kb_path(&env, id)).unwrap(), before);

    fs::write(
        env.root().join("docs/03-db.md"),
        "# 备份策略\n\n核心数据库每小时增量备份。\n",
    )
    .unwrap();
    let v = env.json(&["kb", "import", "docs"]);
    assert_eq!(v["updated"][0]["id"], id.as_str(), "{v}");
    assert_eq!(v["unchanged"].as_array().unwrap().len(), 29);
    let after = fs::read_to_string(kb_path(&env, id)).unwrap();
    assert!(after.contains("每小时增量备份"), "{after}");
    assert!(after.contains("source: docs/03-db.md"), "{after}");
    // Front matter the file no longer has does not undo what the article keeps.
    assert!(after.contains("category: technical_doc"), "{after}");
    assert_eq!(search(&env, &["增量"]), vec![id.clone()]);
}

#[test]
fn editing_one_record_is_seen_by_the_next_search() {
    let env = Env::new();
    let ids = import(&env);
    let id = &ids["00-dispatch.md"];
    assert_eq!(search(&env, &["\"派工原则是轮流\""]), vec![id.clone()]);
    let path = kb_path(&env, id);
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("派工原则是轮流", "派工规则是抢单")).unwrap();
    assert!(search(&env, &["\"派工原则是轮流\""]).is_empty());
    assert_eq!(search(&env, &["抢单"]), vec![id.clone()]);
    // A deleted record disappears from the results.
    fs::remove_file(&path).unwrap();
    assert!(search(&env, &["抢单"]).is_empty());
}

#[test]
fn deleted_or_garbage_index_is_rebuilt_silently() {
    let env = Env::new();
    let ids = import(&env);
    let want = vec![ids["00-dispatch.md"].clone()];
    assert_eq!(search(&env, &["\"派工原则\""]), want);

    fs::remove_dir_all(env.root().join(".presales")).unwrap();
    assert_eq!(search(&env, &["\"派工原则\""]), want);

    let index = env.root().join(".presales/index");
    let mut stack = vec![index.clone()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if !p.ends_with("index.lock") {
                fs::write(&p, b"\x00garbage{{").unwrap();
            }
        }
    }
    fs::write(index.join("junk"), b"\xde\xad").unwrap();
    let r = env.run(&["--format", "json", "kb", "search", "\"派工原则\""]);
    assert_eq!(hits(&serde_json::from_str(&r.ok()).unwrap()), want);
    assert!(!r.stderr().contains("error"), "{}", r.stderr());

    // reindex rebuilds on demand and says what it did.
    let out = env.run(&["reindex"]).ok();
    assert!(out.contains("indexed 30 documents (30 articles"), "{out}");
    let v = env.json(&["reindex"]);
    assert_eq!(v["articles"], 30);
    assert_eq!(search(&env, &["\"派工原则\""]), want);
}

#[test]
fn filters_and_archived_articles() {
    let env = Env::new();
    let ids = import(&env);
    let fw = ids["04-firewall-title.md"].clone();
    assert_eq!(
        search(&env, &["防火墙", "--category", "product_manual"]),
        vec![fw.clone()]
    );
    assert_eq!(
        search(&env, &["防火墙", "--product", "firewall-x"]),
        vec![fw.clone()]
    );
    assert_eq!(
        search(&env, &["备份", "--tag", "运维"]),
        vec![ids["03-db.md"].clone()]
    );
    assert!(search(&env, &["防火墙", "--status", "published"]).is_empty());
    env.run(&["kb", "publish", &fw]).ok();
    assert_eq!(
        search(&env, &["防火墙", "--status", "published"]),
        vec![fw.clone()]
    );
    assert_eq!(search(&env, &["防火墙", "--limit", "1"]).len(), 1);

    env.run(&["kb", "archive", &fw, "--note", "replaced"]).ok();
    assert_eq!(
        search(&env, &["防火墙"]),
        vec![ids["05-firewall-body.md"].clone()]
    );
    assert_eq!(
        search(&env, &["防火墙", "--status", "archived"]),
        vec![fw.clone()]
    );
    let err = env.run(&["kb", "archive", &fw]).err();
    assert!(err.contains("already archived"), "{err}");

    let err = env
        .run(&["kb", "search", "x", "--category", "manual"])
        .usage();
    assert!(
        err.contains("product_manual") && err.contains("training"),
        "{err}"
    );
    let err = env.run(&["kb", "search", "x", "--status", "old"]).usage();
    assert!(err.contains("draft, published or archived"), "{err}");
    let err = env.run(&["kb", "list", "--status", "old"]).usage();
    assert!(err.contains("draft, published or archived"), "{err}");
}

#[test]
fn bad_queries_get_a_clear_answer() {
    let env = Env::new();
    let ids = import(&env);
    // An unbalanced quote makes a phrase up to the end.
    assert_eq!(
        search(&env, &["\"ipsec vpn"]),
        vec![ids["06-vpn.md"].clone()]
    );
    assert_eq!(search(&env, &["vpn\""]), vec![ids["06-vpn.md"].clone()]);
    for q in ["", "   ", "，。！", "\"\"", "***"] {
        let err = env.run(&["kb", "search", q]).err();
        assert!(err.contains("no words to search for"), "{q:?}: {err}");
    }
    let err = env.run(&["search", "？"]).err();
    assert!(err.contains("no words"), "{err}");
}

#[test]
fn new_show_publish_and_body_file() {
    let env = Env::new();
    fs::create_dir_all(env.root().join("docs")).unwrap();
    fs::write(
        env.root().join("docs/manual.md"),
        "# 手册\n\n网关产品的安装步骤。\n",
    )
    .unwrap();
    let id = env
        .run(&[
            "kb",
            "new",
            "--title",
            "API 网关安装手册",
            "--category",
            "product_manual",
            "--body-file",
            "docs/manual.md",
            "--tag",
            "安装",
            "--product",
            "API Gateway",
            "--review-by",
            "2027-03-01",
        ])
        .ok();
    assert!(id.starts_with("KB-2026") && !id.contains('\n'), "{id}");
    let text = fs::read_to_string(kb_path(&env, &id)).unwrap();
    assert!(text.contains("body_file: docs/manual.md"), "{text}");
    assert!(text.contains("status: draft"), "{text}");
    assert_eq!(search(&env, &["安装步骤"]), vec![id.clone()]);

    // Editing the body file is seen by the next search.
    fs::write(
        env.root().join("docs/manual.md"),
        "# 手册\n\n升级步骤见附录。\n",
    )
    .unwrap();
    assert_eq!(search(&env, &["升级步骤"]), vec![id.clone()]);

    env.run(&["kb", "publish", &id]).ok();
    let err = env.run(&["kb", "publish", &id]).err();
    assert!(err.contains("already published"), "{err}");

    let out = env.run(&["show", &id]).ok();
    assert!(
        out.contains("API 网关安装手册") && out.contains("升级步骤见附录"),
        "{out}"
    );
    assert!(out.contains("published"), "{out}");
    let v = env.json(&["kb", "show", &id[id.len() - 5..]]);
    assert_eq!(v["id"], id.as_str());
    assert_eq!(v["category"], "product_manual");
    assert_eq!(v["body_file"], "docs/manual.md");

    // A body file that is gone: search still answers, names article and path, exits 1.
    fs::remove_file(env.root().join("docs/manual.md")).unwrap();
    let r = env.run(&["--format", "json", "kb", "search", "网关"]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    assert!(
        r.stderr().contains(&id) && r.stderr().contains("docs/manual.md"),
        "{}",
        r.stderr()
    );
    assert_eq!(
        hits(&serde_json::from_str(&r.stdout()).unwrap()),
        vec![id.clone()]
    );
    let r = env.run(&["kb", "show", &id]);
    assert!(r.err().contains("docs/manual.md"));

    // kb new refuses a missing body file, and one outside the store.
    let err = env
        .run(&[
            "kb",
            "new",
            "--title",
            "x",
            "--category",
            "faq",
            "--body-file",
            "nope.md",
        ])
        .err();
    assert!(
        err.contains("nope.md") && err.contains("does not exist"),
        "{err}"
    );
    let outside = tempfile::NamedTempFile::new().unwrap();
    let err = env
        .run(&[
            "kb",
            "new",
            "--title",
            "x",
            "--category",
            "faq",
            "--body-file",
            outside.path().to_str().unwrap(),
        ])
        .err();
    assert!(err.contains("outside the store"), "{err}");
    let err = env
        .run(&["kb", "new", "--title", "x", "--category", "manual"])
        .usage();
    assert!(err.contains("solution_template"), "{err}");
    // A draft without text cannot be published.
    let empty = env
        .run(&["kb", "new", "--title", "空文章", "--category", "faq"])
        .ok();
    let err = env.run(&["kb", "publish", &empty]).err();
    assert!(err.contains("no text"), "{err}");
}

#[test]
fn kb_use_records_on_the_request_not_the_article() {
    let env = Env::new();
    let ids = import(&env);
    let art = ids["00-dispatch.md"].clone();
    let before = fs::read_to_string(kb_path(&env, &art)).unwrap();
    let cus = env.customer("华东银行");
    let req = env.request(&cus, "分行派工咨询", &[]);
    env.run(&["kb", "use", &art, "--request", &req]).ok();
    let text = env.read(&req);
    assert!(text.contains("articles:"), "{text}");
    assert!(text.contains(&format!("- id: {art}")), "{text}");
    assert!(text.contains("action: use_article"), "{text}");
    assert_eq!(fs::read_to_string(kb_path(&env, &art)).unwrap(), before);
    // Twice is once.
    let r = env.run(&["kb", "use", &art, "--request", &req]);
    r.ok();
    assert!(r.stderr().contains("already"), "{}", r.stderr());
    assert_eq!(env.read(&req), text);
    // Usage shows on the article, derived from the requests.
    let v = env.json(&["kb", "show", &art]);
    assert_eq!(v["used_by"][0]["request"], req.as_str());
    let v = env.json(&["kb", "list"]);
    let row = v
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == art.as_str())
        .unwrap();
    assert_eq!(row["used"], 1);
    // An archived article cannot be recorded.
    let old = ids["01-rota.md"].clone();
    env.run(&["kb", "archive", &old]).ok();
    let err = env.run(&["kb", "use", &old, "--request", &req]).err();
    assert!(err.contains("archived"), "{err}");
}

#[test]
fn suggest_ranks_the_relevant_article_first() {
    let env = Env::new();
    let ids = import(&env);
    let cus = env.customer("ACME");
    let req = env.request(
        &cus,
        "防火墙 VPN 对接",
        &[
            "--description",
            "客户需要在两地之间建立 IPsec VPN 隧道，并评估防火墙吞吐。",
            "--product",
            "FireWall-X",
        ],
    );
    let v = env.json(&["kb", "suggest", &req]);
    let got = hits(&v);
    assert!(
        got[0] == ids["06-vpn.md"] || got[0] == ids["04-firewall-title.md"],
        "{got:?}"
    );
    assert!(got.contains(&ids["06-vpn.md"]) && got.contains(&ids["04-firewall-title.md"]));
    assert!(!got.contains(&ids["03-db.md"]), "{got:?}");
    // Archived articles are never suggested.
    env.run(&["kb", "archive", &ids["04-firewall-title.md"]])
        .ok();
    assert!(!hits(&env.json(&["kb", "suggest", &req])).contains(&ids["04-firewall-title.md"]));
}

#[test]
fn presales_search_covers_requests_and_solutions_too() {
    let env = Env::new();
    let ids = import(&env);
    let cus = env.customer("苏州工业园区管委会");
    let req = env.request(
        &cus,
        "园区网络改造",
        &["--description", "需要按派工原则安排两名网络工程师"],
    );
    let v = env.json(&["search", "\"派工原则\""]);
    let mut got = hits(&v);
    got.sort();
    let mut want = vec![ids["00-dispatch.md"].clone(), req.clone()];
    want.sort();
    assert_eq!(got, want);
    let kinds: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"request") && kinds.contains(&"article"),
        "{kinds:?}"
    );
    assert_eq!(
        hits(&env.json(&["search", "派工原则", "--kind", "request"])),
        vec![req.clone()]
    );
    // kb search stays within the knowledge base.
    assert_eq!(
        search(&env, &["\"派工原则\""]),
        vec![ids["00-dispatch.md"].clone()]
    );
    let err = env.run(&["search", "x", "--kind", "contract"]).usage();
    assert!(
        err.contains("article, request, solution, customer"),
        "{err}"
    );
    // Customers are searched by name.
    let v = env.json(&["search", "苏州工业园区", "--kind", "customer"]);
    assert_eq!(hits(&v), vec![cus.clone()]);
}

#[test]
fn stale_articles_by_review_date() {
    let mut env = Env::new();
    let fresh = env
        .run(&[
            "kb",
            "new",
            "--title",
            "新",
            "--category",
            "faq",
            "--body",
            "x",
            "--review-by",
            "2027-01-01",
        ])
        .ok();
    let old = env
        .run(&[
            "kb",
            "new",
            "--title",
            "旧",
            "--category",
            "faq",
            "--body",
            "x",
            "--review-by",
            "2026-11-01",
        ])
        .ok();
    let archived = env
        .run(&[
            "kb",
            "new",
            "--title",
            "存档",
            "--category",
            "faq",
            "--body",
            "x",
            "--review-by",
            "2026-11-01",
        ])
        .ok();
    env.run(&["kb", "archive", &archived]).ok();
    let stale = |env: &Env| -> Vec<String> {
        env.json(&["kb", "list", "--stale"])
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(stale(&env), vec![old.clone()]);
    env.now = "2027-02-01T09:00:00+08:00".into();
    let mut got = stale(&env);
    got.sort();
    let mut want = vec![fresh, old];
    want.sort();
    assert_eq!(got, want);
    let out = env
        .run(&["kb", "list", "--category", "faq", "--status", "archived"])
        .ok();
    assert!(out.contains(&archived) && out.contains("存档"), "{out}");
}

#[test]
fn two_searches_at_once_both_succeed() {
    let env = Env::new();
    let ids = import(&env);
    let want = vec![ids["00-dispatch.md"].clone()];
    for _ in 0..3 {
        // No index yet: both processes want to build it.
        let _ = fs::remove_dir_all(env.root().join(".presales/index"));
        let spawn = || {
            env.cmd()
                .args(["--format", "json", "kb", "search", "\"派工原则\""])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        for child in [a, b] {
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{stderr}");
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(hits(&v), want, "{stderr}");
        }
    }
}

#[test]
fn bad_front_matter_is_reported_and_the_other_files_imported() {
    let env = Env::new();
    let dir = env.root().join("notes");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("good.md"), "# 好文档\n\n正文\n").unwrap();
    fs::write(dir.join("bad.md"), "---\ntitle: [unclosed\n---\n正文\n").unwrap();
    fs::write(dir.join("badcat.md"), "---\ncategory: manual\n---\n正文\n").unwrap();
    let r = env.run(&["kb", "import", "notes"]);
    let err = r.err();
    assert!(err.contains("notes/bad.md:"), "{err}");
    assert!(
        err.contains("notes/badcat.md") && err.contains("product_manual"),
        "{err}"
    );
    assert!(r.stdout().contains("notes/good.md"), "{}", r.stdout());
    let err = env.run(&["kb", "import", "missing-dir"]).err();
    assert!(err.contains("missing-dir"), "{err}");
}

#[test]
fn kb_search_syncs_articles_only_and_presales_search_still_sees_requests() {
    let env = Env::new();
    let cus = env.customer("ACME");
    let req = env.request(&cus, "园区漫游测试需求", &[]);
    env.run(&[
        "kb",
        "new",
        "--title",
        "漫游配置指南",
        "--category",
        "faq",
        "--body",
        "园区漫游的配置",
    ])
    .ok();
    let hits = env.json(&["search", "漫游"]);
    assert_eq!(hits.as_array().unwrap().len(), 2, "{hits}");
    // kb search leaves requests as indexed.
    let kb = env.json(&["kb", "search", "漫游"]);
    assert_eq!(kb.as_array().unwrap().len(), 1, "{kb}");
    let hits = env.json(&["search", "漫游"]);
    assert!(
        hits.as_array()
            .unwrap()
            .iter()
            .any(|h| h["id"] == req.as_str()),
        "{hits}"
    );
    // A request edited after a kb search is fresh in the next full search.
    let path = env.path_of(&req);
    let t = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, t.replace("园区漫游测试需求", "无线覆盖测试需求")).unwrap();
    env.json(&["kb", "search", "漫游"]);
    let hits = env.json(&["search", "无线覆盖"]);
    assert!(
        hits.as_array()
            .unwrap()
            .iter()
            .any(|h| h["id"] == req.as_str()),
        "{hits}"
    );
    let hits = env.json(&["search", "\"漫游测试\""]);
    assert!(hits.as_array().unwrap().is_empty(), "{hits}");
}
