//! Benchmark (not a test) of knowledge-base search as users run it: one `presales` process
//! per command, on a store of N synthetic Chinese/English articles.
//!
//! ```sh
//! cargo build --release && cargo run --release --example bench_kb -- [N] [path/to/presales]
//! ```
//!
//! N defaults to 5000, the binary to `target/release/presales`; a third argument keeps the
//! store in that folder instead of a temp dir. Prints the full rebuild
//! (`presales reindex`), the first search on a store without an index (rebuild included),
//! warm search latency of the whole process (median and worst of 20 runs per query), and
//! the search after editing one article (incremental update of that document only).

#[path = "common/synth.rs"]
mod synth;

use synth::{EN, Rng, ZH};

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use presales::model::article::{Category, Status};
use presales::model::{Article, HistoryEntry};
use presales::store::{self, Store};

fn text(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for _ in 0..words {
        s.push_str(if rng.next().is_multiple_of(4) {
            rng.pick(EN)
        } else {
            rng.pick(ZH)
        });
        if rng.next().is_multiple_of(5) {
            s.push_str(["，", "。", " ", "\n"][rng.next() % 4]);
        }
    }
    s
}

fn make_store(dir: &Path, n: usize) -> Result<(), Box<dyn std::error::Error>> {
    store::init(dir, true)?;
    let store = Store::open(dir.to_path_buf())?;
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-27T10:00:00+08:00")?;
    let lock = store.lock()?;
    for i in 0..n {
        let mut rng = Rng::new(0x9E37_79B9_7F4A_7C15 ^ ((i as u64) << 8));
        let id = store.mint(presales::model::Kind::Article, now)?;
        let article = Article {
            id: id.to_string(),
            title: text(&mut rng, 4),
            category: Category::ALL[i % Category::ALL.len()],
            products: vec![format!("product-{}", i % 7)],
            tags: vec![format!("tag-{}", i % 5)],
            author: "zhao.lei".into(),
            owner: None,
            status: if i % 10 == 0 {
                Status::Archived
            } else {
                Status::Published
            },
            review_by: None,
            review_every: None,
            confidential: false,
            summary: None,
            aliases: vec![],
            body: Some(text(&mut rng, 200)),
            body_file: None,
            attachments: vec![],
            source: None,
            created: now,
            flags: vec![],
            extra: Default::default(),
            history: vec![HistoryEntry::new(now, "zhao.lei", "create")],
        };
        store.save(&article, &lock)?;
    }
    Ok(())
}

fn run(bin: &Path, root: &Path, args: &[&str]) -> Result<Duration, Box<dyn std::error::Error>> {
    let t = Instant::now();
    let out = Command::new(bin)
        .arg("--root")
        .arg(root)
        .args(args)
        .env("PRESALES_USER", "zhao.lei")
        .output()?;
    let elapsed = t.elapsed();
    if !out.status.success() {
        return Err(format!(
            "presales {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(elapsed)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = match std::env::args().nth(1) {
        Some(a) => a.parse()?,
        None => 5000,
    };
    let bin = std::env::args()
        .nth(2)
        .map_or_else(|| PathBuf::from("target/release/presales"), PathBuf::from);
    if !bin.is_file() {
        return Err(format!(
            "{} not found: run `cargo build --release` first",
            bin.display()
        )
        .into());
    }
    let tmp = tempfile::tempdir()?;
    // A third argument keeps the store there, for profiling afterwards.
    let root = std::env::args()
        .nth(3)
        .map_or_else(|| tmp.path().join("store"), PathBuf::from);
    let t = Instant::now();
    make_store(&root, n)?;
    println!("store of {n} articles written in {}", ms(t.elapsed()));

    let first = run(&bin, &root, &["kb", "search", "派工原则"])?;
    println!("first search, no index yet (full build): {}", ms(first));
    let rebuild = run(&bin, &root, &["reindex"])?;
    println!("presales reindex ({n} articles): {}", ms(rebuild));

    for q in [
        "派工原则",
        "Kubernetes",
        "库",
        "API 接口",
        "\"负载均衡 VPN\"",
        // Sentences as people type them: every word optional, ranked (issue 14).
        "怎么配置负载均衡的VPN接口",
        "API 接口 的 权限 怎么 设置",
    ] {
        run(&bin, &root, &["kb", "search", q])?;
        let mut times: Vec<Duration> = (0..20)
            .map(|_| run(&bin, &root, &["kb", "search", q]))
            .collect::<Result<_, _>>()?;
        times.sort();
        println!(
            "warm `presales kb search {q}` (whole process): median {}, worst {}",
            ms(times[times.len() / 2]),
            ms(times[times.len() - 1])
        );
    }

    // Edit one article and time the next search, which re-indexes only that one.
    let store = Store::open(root.clone())?;
    let (id, path) = store
        .ids(presales::model::Kind::Article)?
        .into_iter()
        .nth(n / 2)
        .ok_or("no article")?;
    let text = std::fs::read_to_string(&path)?;
    std::fs::write(&path, text.replacen("title: ", "title: 新增关键词 ", 1))?;
    let t = run(&bin, &root, &["kb", "search", "新增关键词"])?;
    println!(
        "search after editing {id} (incremental update + query): {}",
        ms(t)
    );
    let warm = run(&bin, &root, &["kb", "search", "新增关键词"])?;
    println!("same search again (nothing to update): {}", ms(warm));
    let sug = run(&bin, &root, &["search", "防火墙 VPN"])?;
    println!("presales search across kinds: {}", ms(sug));
    Ok(())
}
