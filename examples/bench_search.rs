//! Benchmark of the search module alone (no YAML, no process start) on synthetic mixed
//! Chinese/English documents; `bench_kb` measures the whole `presales` process.
//!
//! `cargo run --release --example bench_search -- [N] [DIR]` (N defaults to 20000; DIR defaults
//! to a temp dir — pass the same DIR to two concurrent runs to exercise the cross-process
//! locking). Prints the full rebuild time, the incremental sync time after changing one document, the no-op sync time
//! and warm query latencies.

#[path = "common/synth.rs"]
mod synth;

use std::time::{Duration, Instant};

use presales::search::{Doc, SearchIndex, SearchQuery, SourceEntry};
use synth::{EN, Rng, ZH};

const PUNCT: &[&str] = &["，", "。", "、", " ", "；", "\n"];

fn make_doc(i: usize, version: usize) -> Doc {
    let mut rng = Rng::new(0x9E37_79B9_7F4A_7C15 ^ ((i as u64) << 8) ^ version as u64);
    let mut title = String::new();
    for _ in 0..3 {
        title.push_str(rng.pick(ZH));
        if rng.next().is_multiple_of(3) {
            title.push(' ');
            title.push_str(rng.pick(EN));
            title.push(' ');
        }
    }
    let mut body = String::new();
    for _ in 0..60 {
        if rng.next().is_multiple_of(4) {
            body.push_str(rng.pick(EN));
        } else {
            body.push_str(rng.pick(ZH));
        }
        if rng.next().is_multiple_of(3) {
            body.push_str(rng.pick(PUNCT));
        }
    }
    let kinds = ["article", "request", "solution"];
    Doc {
        id: format!("doc-{i:06}"),
        kind: kinds[i % 3].to_string(),
        title,
        body,
        category: Some(["network", "storage", "security"][i % 3].to_string()),
        status: Some(
            if i.is_multiple_of(10) {
                "archived"
            } else {
                "published"
            }
            .to_string(),
        ),
        products: vec![format!("product-{}", i % 7)],
        tags: vec![format!("tag-{}", i % 5)],
        confidential: false,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = match std::env::args().nth(1) {
        Some(arg) => arg.parse()?,
        None => 20_000,
    };
    let tmp = tempfile::tempdir()?;
    let dir = match std::env::args().nth(2) {
        Some(d) => std::path::PathBuf::from(d),
        None => tmp.path().join("index"),
    };
    let mut versions = vec![0usize; n];
    let sources = |versions: &[usize]| -> Vec<SourceEntry> {
        versions
            .iter()
            .enumerate()
            .map(|(i, v)| SourceEntry {
                id: format!("doc-{i:06}"),
                fingerprint: format!("v{v}"),
            })
            .collect()
    };
    let load = |versions: &[usize], id: &str| -> Result<Doc, String> {
        let i: usize = id
            .trim_start_matches("doc-")
            .parse()
            .map_err(|e| format!("{id}: {e}"))?;
        Ok(make_doc(i, versions[i]))
    };

    let mut index = SearchIndex::open(&dir)?;
    let t = Instant::now();
    let v = versions.clone();
    let stats = index.sync(
        &[("article", &sources(&v))],
        |id| load(&v, id),
        &mut |_, _| {},
    )?;
    println!(
        "rebuild of {n} docs: {:?} (added {}, rebuilt {})",
        t.elapsed(),
        stats.added,
        stats.rebuilt
    );

    versions[n / 2] += 1;
    let v = versions.clone();
    let t = Instant::now();
    let stats = index.sync(
        &[("article", &sources(&v))],
        |id| load(&v, id),
        &mut |_, _| {},
    )?;
    println!(
        "incremental sync (1 changed doc): {:?} (updated {}, unchanged {})",
        t.elapsed(),
        stats.updated,
        stats.unchanged
    );

    let t = Instant::now();
    index.sync(
        &[("article", &sources(&v))],
        |id| load(&v, id),
        &mut |_, _| {},
    )?;
    println!("no-op sync: {:?}", t.elapsed());

    let t = Instant::now();
    let reopened = SearchIndex::open(&dir)?;
    println!("reopen (validate manifest + segments): {:?}", t.elapsed());
    drop(reopened);

    for text in [
        "派工原则",
        "Kubernetes",
        "库",
        "API 接口",
        "\"负载均衡 VPN\"",
        "数据库备份",
    ] {
        let q = SearchQuery::new(text);
        let first = index.search(&q)?; // warm-up
        let rounds = 50u32;
        let t = Instant::now();
        for _ in 0..rounds {
            index.search(&q)?;
        }
        let per: Duration = t.elapsed() / rounds;
        println!(
            "query {text:<18} hits {:>3}  warm latency {per:?}",
            first.len()
        );
    }
    let t = Instant::now();
    let hits = index.suggest("客户需要在防火墙上配置 IPsec VPN 并做容灾备份", 10)?;
    println!("suggest: {} hits in {:?}", hits.len(), t.elapsed());
    Ok(())
}
