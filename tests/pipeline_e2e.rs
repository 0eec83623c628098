//! End to end: the bundled demo outlets served over real HTTP on 127.0.0.1,
//! the real pipeline, a real SQLite file in a temporary directory.

use branchwatch::config::{Config, FeedConfig};
use branchwatch::db::Db;
use branchwatch::demo::DemoServer;
use branchwatch::metrics::Metrics;
use branchwatch::pipeline::Pipeline;
use branchwatch::query::ChangeFilter;
use rusqlite::Connection;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

fn config(db: &Path, server: &DemoServer) -> Config {
    let mut c = Config::default();
    c.storage.database = db.to_path_buf();
    c.polling.allow_private_addresses = true;
    // The sample news is dated 2025; read all of it.
    c.polling.first_poll_max_age_days = 0;
    c.polling.per_host_spacing_ms = 5;
    c.polling.per_host_concurrency = 4;
    c.api.enabled = false;
    c.feeds = server
        .feed_urls()
        .into_iter()
        .map(|(name, url, lang)| FeedConfig {
            name,
            url,
            lang,
            poll_interval_secs: None,
            site_rule: None,
            ..FeedConfig::default()
        })
        .collect();
    c
}

/// Every row of every table, as text, except columns that record when
/// something happened (fetch times move on each run by design).
fn content(db: &Path) -> BTreeSet<String> {
    let conn = Connection::open(db).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut rows = BTreeSet::new();
    for t in tables {
        if t == "feeds" {
            continue; // fetch state (last_fetch_at, next_check_at) changes on every poll
        }
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
        let n = stmt.column_count();
        let mut q = stmt.query([]).unwrap();
        while let Some(r) = q.next().unwrap() {
            let vals: Vec<String> = (0..n)
                .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                .collect();
            rows.insert(format!("{t}: {}", vals.join(" | ")));
        }
    }
    rows
}

async fn poll_all(config: Arc<Config>, db: &Db) -> branchwatch::pipeline::CycleReport {
    let specs = config.feed_specs();
    db.call(move |s| s.sync_feeds(&specs, chrono::Utc::now()))
        .await
        .unwrap();
    let p = Pipeline::new(config, db.clone(), Arc::new(Metrics::default())).unwrap();
    let feeds = db.call(|s| s.feeds()).await.unwrap();
    p.poll_feeds(feeds).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_outlets_yield_changes_and_a_second_pass_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("bw.sqlite");
    let server = DemoServer::start().await.unwrap();
    let cfg = Arc::new(config(&db_path, &server));
    let db = Db::open(&db_path).unwrap();

    let first = poll_all(cfg.clone(), &db).await;
    // The malformed feed fails alone; the others complete.
    assert_eq!(first.failed.len(), 1, "{:?}", first.failed);
    assert_eq!(first.failed[0].0, "yug-broken");
    assert!(first.items_new >= 10, "{first:?}");

    let changes = db
        .call(|s| s.changes(&ChangeFilter::default()))
        .await
        .unwrap();
    assert!(
        changes.len() >= 5,
        "only {} changes: {changes:#?}",
        changes.len()
    );
    let langs: BTreeSet<_> = changes
        .iter()
        .flat_map(|c| c.sources.iter().filter_map(|s| s.lang))
        .collect();
    assert!(langs.len() >= 2, "sources in {langs:?}");
    let feeds = db.call(|s| s.feeds()).await.unwrap();
    let broken = feeds.iter().find(|f| f.name == "yug-broken").unwrap();
    assert!(broken.last_error.is_some(), "{broken:?}");
    assert!(feeds
        .iter()
        .filter(|f| f.name != "yug-broken")
        .all(|f| f.last_error.is_none() && f.last_success_at.is_some()));

    let before = content(&db_path);
    let second = poll_all(cfg.clone(), &db).await;
    assert_eq!(second.items_new, 0, "{second:?}");
    assert_eq!(second.changes_new, 0);
    assert_eq!(
        content(&db_path),
        before,
        "second pass changed stored content"
    );
    server.shutdown();
}

/// A feed's own `poll_interval_secs` pins its interval: after a refresh the
/// next check is exactly that far away (jitter off), whatever the feed's
/// publishing rate or caching headers suggest, while the feeds without one
/// keep the adaptive interval.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_feed_poll_interval_pins_the_interval() {
    const PINNED: u64 = 900;
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("bw.sqlite");
    let server = DemoServer::start().await.unwrap();
    let mut c = config(&db_path, &server);
    c.polling.jitter_fraction = 0.0;
    c.feeds.retain(|f| f.name != "yug-broken");
    for (i, f) in c.feeds.iter_mut().enumerate() {
        if i % 2 == 0 {
            f.poll_interval_secs = Some(PINNED);
        }
    }
    let cfg = Arc::new(c);
    let db = Db::open(&db_path).unwrap();
    for pass in 0..2 {
        let report = poll_all(cfg.clone(), &db).await;
        assert!(report.failed.is_empty(), "{:?}", report.failed);
        let feeds = db.call(|s| s.feeds()).await.unwrap();
        let interval = |f: &branchwatch::store::FeedRow| {
            (f.next_check_at.unwrap() - f.last_checked_at.unwrap()).num_seconds()
        };
        let (pinned, adaptive): (Vec<_>, Vec<_>) =
            feeds.iter().partition(|f| f.poll_interval_secs.is_some());
        assert!(!pinned.is_empty() && !adaptive.is_empty());
        for f in &pinned {
            assert_eq!(interval(f), PINNED as i64, "pass {pass}: {}", f.name);
        }
        assert!(
            adaptive.iter().any(|f| interval(f) != PINNED as i64),
            "pass {pass}: the unpinned feeds should show the adaptive interval"
        );
    }
    server.shutdown();
}
