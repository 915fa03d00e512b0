//! Quotations, time plans and resources by command: discount and tax, lines, milestones and
//! resources changed or removed by number, the customer-facing Markdown export, and the
//! gate's replay of all that.

mod common;

use common::{Env, clean};

/// A request in `design` assigned to li.na, with its solution (inline plan).
fn designed(env: &Env) -> (String, String) {
    let cus = env.customer("华东银行");
    let req = env.request_in_design(
        &cus,
        "智慧园区网络改造",
        &["--type", "solution", "--skill", "network"],
    );
    let sol = env
        .run_as(
            "li.na",
            &[
                "solution",
                "new",
                "--request",
                &req,
                "--plan",
                "# 方案\n\n核心交换 + SD-WAN",
            ],
        )
        .ok();
    (req, sol)
}

fn quote(env: &Env, sol: &str, args: &[&str]) -> common::Run {
    let mut full = vec!["solution", "quote", sol];
    full.extend_from_slice(args);
    env.run_as("li.na", &full)
}

fn sol_json(env: &Env, sol: &str) -> serde_json::Value {
    env.json(&["solution", "show", sol])
}

fn figures(env: &Env, sol: &str) -> (String, Vec<(String, String, String)>) {
    let s = sol_json(env, sol);
    let q = &s["quotation"];
    let lines = q["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["item"].as_str().unwrap().to_string(),
                l["quantity"].as_str().unwrap().to_string(),
                l["unit_price"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (q["total"].as_str().unwrap().to_string(), lines)
}

fn fmt_clean(env: &Env) {
    env.run(&["fmt", "--check"]).ok();
    env.run(&["check"]).ok();
}

#[test]
fn discount_tax_edit_and_remove_give_hand_checked_exact_totals() {
    let env = Env::new();
    let (_, sol) = designed(&env);
    let out = quote(
        &env,
        &sol,
        &[
            "--item",
            "SD-WAN 网关",
            "--qty",
            "12",
            "--unit-price",
            "19999.99",
        ],
    )
    .ok();
    assert!(out.contains("239999.88 CNY"), "{out}");
    quote(
        &env,
        &sol,
        &[
            "--item",
            "实施服务",
            "--qty",
            "2",
            "--unit-price",
            "1500.50",
        ],
    )
    .ok();
    // 239999.88 + 3001.00 = 243000.88; 5 % = 12150.044 → 12150.04; net 230850.84;
    // 13 % = 30010.6092 → 30010.61; total 260861.45.
    let out = quote(&env, &sol, &["--discount", "5%", "--tax", "13%"]).ok();
    assert!(out.contains("260861.45 CNY"), "{out}");
    let text = env.read(&sol);
    assert!(text.contains("  discount: 5%\n"), "{text}");
    assert!(text.contains("  tax: 13%\n"), "{text}");
    assert!(text.contains("  total: \"260861.45\"\n"), "{text}");
    fmt_clean(&env);

    // Line 2 to 3 × 1500.50 = 4501.50: subtotal 244501.38; 5 % = 12225.069 → 12225.07;
    // net 232276.31; 13 % = 30195.9203 → 30195.92; total 262472.23.
    quote(&env, &sol, &["--edit", "2", "--qty", "3"]).ok();
    let (total, lines) = figures(&env, &sol);
    assert_eq!(total, "262472.23");
    assert_eq!(lines[1], ("实施服务".into(), "3".into(), "1500.50".into()));

    // Line 1 removed: subtotal 4501.50; 5 % = 225.075 → 225.08 (half-up); net 4276.42;
    // 13 % = 555.9346 → 555.93; total 4832.35.
    quote(&env, &sol, &["--remove", "1"]).ok();
    let (total, lines) = figures(&env, &sol);
    assert_eq!(total, "4832.35");
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].0, "实施服务");

    // An amount: (4501.50 − 500) × 1.13 = 4001.50 + 520.195 → 520.20 = 4521.70.
    quote(&env, &sol, &["--discount", "500"]).ok();
    assert_eq!(figures(&env, &sol).0, "4521.70");
    assert!(
        env.read(&sol).contains("  discount: \"500\"\n"),
        "{}",
        env.read(&sol)
    );
    // 0 removes the discount and the tax: the total is the subtotal again.
    quote(&env, &sol, &["--discount", "0", "--tax", "0%"]).ok();
    assert_eq!(figures(&env, &sol).0, "4501.50");
    let text = env.read(&sol);
    let fields = text.split("\nhistory:").next().unwrap();
    assert!(
        !fields.contains("  discount:") && !fields.contains("  tax:"),
        "{text}"
    );
    fmt_clean(&env);

    // The entries record what was removed and the total they produced.
    let s = sol_json(&env, &sol);
    let removal = s["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["remove"] == 1)
        .unwrap();
    assert_eq!(removal["was"]["item"], "SD-WAN 网关");
    assert_eq!(removal["total"], "4832.35");
}

#[test]
fn refusals_name_the_problem_and_write_nothing() {
    let env = Env::new();
    let (req, sol) = designed(&env);
    // No quotation yet: nothing to discount.
    let r = quote(&env, &sol, &["--discount", "5%"]);
    clean("discount without a quotation", &r);
    assert!(
        r.stderr().contains("has no quotation yet"),
        "{}",
        r.stderr()
    );
    quote(
        &env,
        &sol,
        &["--item", "交换机", "--qty", "2", "--unit-price", "1000"],
    )
    .ok();
    let before = env.read(&sol);

    let r = quote(&env, &sol, &["--discount", "2000.01"]);
    clean("discount above the subtotal", &r);
    assert!(
        r.stderr()
            .contains("the discount 2000.01 exceeds the subtotal 2000.00"),
        "{}",
        r.stderr()
    );
    assert!(r.stderr().contains("hint:"), "{}", r.stderr());
    for (what, args, words) in [
        ("a discount of 101 %", vec!["--discount", "101%"], "100%"),
        ("a negative discount", vec!["--discount", "-5"], "negative"),
        ("a tax as an amount", vec!["--tax", "130"], "percentage"),
        (
            "a negative price",
            vec!["--edit", "1", "--unit-price", "-1"],
            "negative",
        ),
        ("line 0", vec!["--remove", "0"], "1 or more"),
        (
            "line 3 of 1",
            vec!["--remove", "3"],
            "has 1 quotation line; there is no quotation line 3",
        ),
        (
            "an edit that changes nothing",
            vec!["--edit", "1"],
            "give at least one",
        ),
        (
            "an incomplete new line",
            vec!["--item", "光模块"],
            "--item, --qty and --unit-price",
        ),
        ("nothing at all", vec![], "nothing to change"),
        (
            "edit and remove",
            vec!["--edit", "1", "--remove", "1", "--qty", "2"],
            "--remove",
        ),
    ] {
        let r = quote(&env, &sol, &args);
        clean(what, &r);
        assert!(r.stderr().contains(words), "{what}: {}", r.stderr());
    }
    // A discount that fits now but not after a removal: the removal is refused.
    quote(&env, &sol, &["--discount", "1500"]).ok();
    quote(
        &env,
        &sol,
        &["--item", "光模块", "--qty", "1", "--unit-price", "100"],
    )
    .ok();
    let r = quote(&env, &sol, &["--remove", "1"]);
    clean("a removal under the discount", &r);
    assert!(
        r.stderr().contains("exceeds the subtotal 100.00"),
        "{}",
        r.stderr()
    );
    assert_ne!(env.read(&sol), before);
    let kept = env.read(&sol);
    for (what, args) in [
        (
            "milestone 1 of none",
            vec!["milestone", &sol, "--remove", "1"],
        ),
        (
            "resource 2 of none",
            vec!["resource", &sol, "--edit", "2", "--days", "3"],
        ),
    ] {
        let mut full = vec!["solution"];
        full.extend(args);
        let r = env.run_as("li.na", &full);
        clean(what, &r);
        assert!(r.stderr().contains("has no"), "{what}: {}", r.stderr());
    }
    assert_eq!(env.read(&sol), kept, "refusals write nothing");

    // Frozen once the request moved past design.
    env.run_as(
        "li.na",
        &[
            "solution",
            "milestone",
            &sol,
            "--name",
            "PoC",
            "--date",
            "2026-12-20",
        ],
    )
    .ok();
    env.run_as(
        "li.na",
        &[
            "solution",
            "resource",
            &sol,
            "--role",
            "网络工程师",
            "--days",
            "10",
        ],
    )
    .ok();
    env.run_as("li.na", &["advance", &req]).ok();
    let frozen = env.read(&sol);
    for args in [
        vec!["quote", &sol, "--discount", "5%"],
        vec!["quote", &sol, "--remove", "1"],
        vec!["milestone", &sol, "--remove", "1"],
        vec!["resource", &sol, "--edit", "1", "--days", "3"],
    ] {
        let mut full = vec!["solution"];
        full.extend(args.iter().copied());
        let r = env.run_as("li.na", &full);
        clean("a frozen solution", &r);
        assert!(r.stderr().contains("is frozen"), "{}", r.stderr());
        assert!(r.stderr().contains("--to design"), "{}", r.stderr());
    }
    assert_eq!(env.read(&sol), frozen);
}

#[test]
fn milestones_and_resources_are_changed_and_removed_by_number() {
    let env = Env::new();
    let (_, sol) = designed(&env);
    let ms = |args: &[&str]| {
        let mut full = vec!["solution", "milestone", sol.as_str()];
        full.extend_from_slice(args);
        env.run_as("li.na", &full).ok();
    };
    ms(&["--name", "上线", "--date", "2027-01-20"]);
    ms(&["--name", "PoC 完成", "--date", "2026-12-20"]);
    ms(&["--name", "验收", "--date", "2027-02-01"]);
    // Sorted by date: 1 PoC 完成, 2 上线, 3 验收.
    let show = env.run(&["solution", "show", &sol]).ok();
    assert!(show.contains("1  2026-12-20  PoC 完成"), "{show}");
    // Moving 上线 after 验收 re-sorts; removing 1 drops PoC 完成.
    ms(&["--edit", "2", "--date", "2027-03-01", "--name", "正式上线"]);
    ms(&["--remove", "1"]);
    let s = sol_json(&env, &sol);
    let names: Vec<&str> = s["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["验收", "正式上线"]);

    let rs = |args: &[&str]| {
        let mut full = vec!["solution", "resource", sol.as_str()];
        full.extend_from_slice(args);
        env.run_as("li.na", &full).ok();
    };
    rs(&["--role", "网络工程师", "--person", "li.na", "--days", "10"]);
    rs(&["--role", "项目经理", "--days", "5"]);
    rs(&["--edit", "2", "--days", "7.5", "--person", "wang.fang"]);
    rs(&["--remove", "1"]);
    let s = sol_json(&env, &sol);
    let r = &s["resources"].as_array().unwrap()[..];
    assert_eq!(r.len(), 1);
    assert_eq!(
        (
            r[0]["role"].as_str(),
            r[0]["person"].as_str(),
            r[0]["days"].as_str()
        ),
        (Some("项目经理"), Some("wang.fang"), Some("7.5"))
    );
    let r = env.run_as(
        "li.na",
        &[
            "solution", "resource", &sol, "--edit", "1", "--person", "nobody",
        ],
    );
    clean("an unknown person", &r);
    fmt_clean(&env);
}

#[test]
fn solution_new_takes_an_inline_plan() {
    let env = Env::new();
    let (_, sol) = designed(&env);
    let s = sol_json(&env, &sol);
    assert_eq!(s["plan"], "# 方案\n\n核心交换 + SD-WAN");
    assert!(s["history"][0]["plan_sha256"].is_string());
}

#[test]
fn the_markdown_export_is_a_clean_customer_document() {
    let env = Env::new();
    let (_, sol) = designed(&env);
    env.run_as(
        "li.na",
        &[
            "solution",
            "milestone",
            &sol,
            "--name",
            "PoC 完成",
            "--date",
            "2026-12-20",
        ],
    )
    .ok();
    env.run_as(
        "li.na",
        &[
            "solution",
            "resource",
            &sol,
            "--role",
            "网络工程师",
            "--person",
            "li.na",
            "--days",
            "10",
        ],
    )
    .ok();
    env.run_as(
        "li.na",
        &[
            "solution",
            "risk",
            &sol,
            "--description",
            "旧设备兼容",
            "--likelihood",
            "3",
            "--impact",
            "4",
            "--mitigation",
            "先测",
        ],
    )
    .ok();
    quote(
        &env,
        &sol,
        &[
            "--item",
            "SD-WAN 网关",
            "--qty",
            "12",
            "--unit-price",
            "19999.99",
            "--valid-until",
            "2026-12-31",
        ],
    )
    .ok();
    quote(&env, &sol, &["--discount", "5%", "--tax", "13%"]).ok();
    let md = env
        .run(&["--format", "markdown", "solution", "show", &sol])
        .ok();
    // 239999.88; 5 % = 11999.994 → 11999.99; net 227999.89; 13 % = 29639.9857 → 29639.99.
    for want in [
        "# 智慧园区网络改造\n",
        "## Technical plan\n\n# 方案\n\n核心交换 + SD-WAN\n",
        "## Time plan\n",
        "| 1 | 2026-12-20 | PoC 完成 |",
        "## Resources\n",
        "| 1 | 网络工程师 | li.na | 10 |",
        "Total effort: 10 days.",
        "## Quotation (CNY)\n",
        "| 1 | SD-WAN 网关 | 12 | 19999.99 | 239999.88 |",
        "| | Subtotal | | | 239999.88 |",
        "| | Discount 5% | | | -11999.99 |",
        "| | Tax 13% | | | 29639.99 |",
        "| | **Total** | | | **257639.88 CNY** |",
        "Valid until 2026-12-31.",
    ] {
        assert!(md.contains(want), "missing {want:?} in\n{md}");
    }
    for internal in [
        "history",
        "li.na:",
        "risk",
        "旧设备兼容",
        "review",
        "author",
        "plan_sha256",
    ] {
        assert!(!md.contains(internal), "{internal:?} in\n{md}");
    }
    // The terminal view shows the same figures, numbered.
    let table = env.run(&["solution", "show", &sol]).ok();
    for want in [
        "SUBTOTAL",
        "DISCOUNT 5%",
        "-11999.99",
        "TAX 13%",
        "257639.88",
    ] {
        assert!(table.contains(want), "missing {want} in\n{table}");
    }
}

#[test]
fn the_gate_replays_quotation_changes_and_refuses_forgeries() {
    let env = Env::new();
    let (_, sol) = designed(&env);
    quote(
        &env,
        &sol,
        &["--item", "交换机", "--qty", "2", "--unit-price", "1000"],
    )
    .ok();
    quote(
        &env,
        &sol,
        &["--item", "光模块", "--qty", "4", "--unit-price", "250"],
    )
    .ok();
    env.run_as(
        "li.na",
        &[
            "solution",
            "milestone",
            &sol,
            "--name",
            "PoC",
            "--date",
            "2026-12-20",
        ],
    )
    .ok();
    env.commit_all("main");
    env.git(&["checkout", "-q", "-b", "pr"]);
    quote(&env, &sol, &["--discount", "10%", "--tax", "13%"]).ok();
    quote(
        &env,
        &sol,
        &["--edit", "2", "--unit-price", "200", "--item", "10G 光模块"],
    )
    .ok();
    quote(&env, &sol, &["--remove", "1"]).ok();
    env.run_as(
        "li.na",
        &[
            "solution",
            "milestone",
            &sol,
            "--edit",
            "1",
            "--date",
            "2026-12-22",
        ],
    )
    .ok();
    // 4 × 200 = 800; 10 % = 80; net 720; 13 % = 93.60; total 813.60.
    assert_eq!(figures(&env, &sol).0, "813.60");
    env.commit_all("command-made");
    let r = env.run(&["check", "--base", "main"]);
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());
    let good = env.read(&sol);
    let path = env.path_of(&sol);

    // A forged total.
    let forged = good.replacen("\"813.60\"", "\"800.00\"", 1);
    assert_ne!(forged, good, "{good}");
    std::fs::write(&path, &forged).unwrap();
    env.commit_all("forged total");
    let r = env.run(&["check", "--base", "main"]);
    assert_eq!(r.code(), 1, "{}{}", r.stdout(), r.stderr());
    assert!(r.stdout().contains("total"), "{}", r.stdout());

    // A forged removal: the entry says line 1 (交换机) went, but the file kept it and
    // dropped the other line.
    env.git(&["checkout", "-q", "-f", "main"]);
    env.git(&["checkout", "-q", "-b", "pr2"]);
    quote(&env, &sol, &["--remove", "1"]).ok();
    let text = env.read(&sol);
    let forged = text
        .replace("item: 光模块", "item: 交换机")
        .replacen("quantity: \"4\"", "quantity: \"2\"", 1)
        .replacen("unit_price: \"250\"", "unit_price: \"1000\"", 1)
        .replacen("total: \"1000.00\"", "total: \"2000.00\"", 1);
    assert_ne!(forged, text, "{text}");
    std::fs::write(&path, &forged).unwrap();
    env.commit_all("forged removal");
    let r = env.run(&["check", "--base", "main"]);
    assert_eq!(r.code(), 1, "{}{}", r.stdout(), r.stderr());

    // A forged entry: `remove: 2` claiming line 2 was 交换机 (it was 光模块).
    env.git(&["checkout", "-q", "-f", "main"]);
    env.git(&["checkout", "-q", "-b", "pr3"]);
    quote(&env, &sol, &["--remove", "1"]).ok();
    let text = env.read(&sol);
    let forged = text.replacen("  remove: 1\n", "  remove: 2\n", 1);
    assert_ne!(forged, text, "{text}");
    std::fs::write(&path, &forged).unwrap();
    env.commit_all("forged entry");
    let r = env.run(&["check", "--base", "main"]);
    assert_eq!(r.code(), 1, "{}{}", r.stdout(), r.stderr());
    assert!(
        r.stdout()
            .contains("not `交换机` 2 × 1000 as the entry says"),
        "{}",
        r.stdout()
    );
}
