//! Tiny versions of every benchmark of `scripts/bench.sh`, so the drivers
//! keep compiling and keep measuring what they claim. Figures are not
//! checked (this machine's speed is not the test's business); counts are.

use branchwatch::bench::{self, gen::Site, poll::PollOptions, server::BenchServer};
use std::path::{Path, PathBuf};
use std::process::Command;

fn shared() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poll_two_cycles_over_twenty_feeds() {
    let site = Site {
        items: 10,
        recent: 2,
        change_every: 3,
        ..Site::default()
    };
    let server = BenchServer::start_local(site, 20, 4).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let opts = PollOptions::new(dir.path().join("b.sqlite"), server.feed_urls());
    let r = bench::poll::run(&opts).await.unwrap();
    assert_eq!(r.first.failed, 0, "{:?}", r.first.failures);
    assert_eq!(r.first.items_new, 200);
    assert_eq!(
        r.first.articles_fetched, 40,
        "only the recent items are read on a first poll"
    );
    assert_eq!(r.items_stored, 200);
    assert!(r.changes_stored > 0, "some articles report changes");
    assert_eq!(r.second.items_new, 0);
    assert_eq!(r.second.failed, 0);
    assert_eq!(r.second.articles_fetched, 0);
    let served = server.counters.snapshot();
    assert_eq!(served.feeds_ok, 20);
    assert_eq!(served.feeds_not_modified, 20);
    assert_eq!(served.articles, 40);
    assert_eq!(served.robots, 4, "one robots.txt per host");
    assert!(r.db_bytes > 0);
    assert!(r.peak_rss_kb.is_none_or(|k| k > 0));
    server.shutdown().await;
}

#[test]
fn parse_generated_feeds() {
    let dir = tempfile::tempdir().unwrap();
    bench::parse::write_feed_files(dir.path(), 5, &Site::default()).unwrap();
    let files = bench::parse::feed_files(dir.path()).unwrap();
    assert_eq!(files.len(), 5);
    let r = bench::parse::run(&files, 2).unwrap();
    assert_eq!(r.failures, 0);
    assert_eq!(r.items, 5 * 30 * 2);
    assert!(r.bytes > 5 * 10_000);
}

#[test]
fn detect_over_100_kb_of_corpus() {
    let corpus = shared().join("corpus");
    assert!(
        corpus.exists(),
        "{} is missing: the shared corpus checkout belongs beside this clone (../shared)",
        corpus.display()
    );
    let docs = bench::detect::load_corpus(&corpus).unwrap();
    let tables = branchwatch::detect::Tables::embedded().unwrap();
    let r = bench::detect::run(&docs, &tables, 100 * 1024);
    assert!(r.bytes >= 100 * 1024);
    assert!(r.changes > 0, "the corpus reports changes");
    assert_eq!(r.docs % docs.len() as u64, 0, "whole passes only");
}

#[test]
fn extract_two_benchmark_pages() {
    let eb = shared().join("extraction-benchmark");
    assert!(
        eb.join("html").exists(),
        "{} is missing: the shared checkout belongs beside this clone (../shared)",
        eb.display()
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("html")).unwrap();
    let mut pages: Vec<PathBuf> = std::fs::read_dir(eb.join("html"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    pages.sort();
    for p in &pages[..2] {
        std::fs::copy(p, dir.path().join("html").join(p.file_name().unwrap())).unwrap();
    }
    let out = dir.path().join("pred.json");
    let r = branchwatch::article::run_benchmark(dir.path(), &out).unwrap();
    assert_eq!(r.pages, 2);
    let pred: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let bodies = pred.as_object().unwrap();
    assert_eq!(bodies.len(), 2);
    assert!(bodies
        .values()
        .any(|v| v["articleBody"].as_str().is_some_and(|s| s.len() > 200)));
}

fn bench_cli(args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_branchwatch"))
        .arg("bench")
        .args(args)
        .env_remove("BRANCHWATCH_CONFIG")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    serde_json::from_str(text.lines().last().unwrap()).unwrap()
}

#[test]
fn cli_poll_with_server_child() {
    let v = bench_cli(&[
        "poll", "--local", "--feeds", "6", "--hosts", "2", "--items", "5",
    ]);
    assert_eq!(v["first"]["items_new"], 30);
    assert_eq!(v["second"]["items_new"], 0);
    assert_eq!(v["served"]["feeds_not_modified"], 6);
    assert!(v["peak_rss_kb"].as_u64().is_some_and(|k| k > 0) || !Path::new("/proc").exists());
}

#[test]
fn cli_idle_samples_the_daemon() {
    assert!(
        Path::new("/proc/self/stat").exists(),
        "/proc is not mounted: the idle benchmark samples the daemon there (Linux procfs)"
    );
    let v = bench_cli(&[
        "idle",
        "--local",
        "--feeds",
        "5",
        "--hosts",
        "2",
        "--items",
        "5",
        "--window-secs",
        "1",
    ]);
    assert_eq!(
        v["served"]["feeds_ok"], 5,
        "the daemon polled every feed once"
    );
    assert!(v["idle"]["rss_kb_max"].as_u64().unwrap() > 0);
    assert!(v["idle"]["samples"].as_u64().unwrap() >= 1);
}

#[test]
fn cli_backfill_over_a_small_site() {
    let v = bench_cli(&["backfill", "--pages", "20"]);
    assert_eq!(v["pages"], 20);
    assert_eq!(v["failed"], 0);
    assert!(v["changes_new"].as_u64().is_some_and(|n| n > 0), "{v}");
    assert!(v["pages_per_sec"].as_f64().is_some_and(|r| r > 0.0), "{v}");
}
