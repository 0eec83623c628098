//! The poll-cycle benchmark: the real [`Pipeline`] against a loopback site.
//!
//! Two cycles over the same feeds into a fresh SQLite file: the first finds
//! every item new (stores it, fetches and extracts the recent ones, runs
//! detection, merges changes); the second sends the stored validators and
//! every feed answers 304. Feeds are refreshed through
//! [`Pipeline::poll_feeds`], the same call the daemon's cycle makes, with
//! all fetcher limits in force.

use super::{proc, rate, BenchError};
use crate::config::{Config, FeedConfig};
use crate::db::Db;
use crate::metrics::Metrics;
use crate::pipeline::{CycleReport, Pipeline};
use chrono::Utc;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Knobs of a poll run. The defaults are the shipped configuration except
/// where loopback needs otherwise (see `BENCHMARKS.md`).
#[derive(Debug, Clone)]
pub struct PollOptions {
    /// The SQLite file (created; should not exist yet).
    pub database: PathBuf,
    /// `(name, url)` of every feed.
    pub feeds: Vec<(String, String)>,
    pub per_host_spacing_ms: u64,
    pub per_host_concurrency: usize,
    pub global_concurrency: usize,
    pub fetch_articles: bool,
    pub first_poll_max_age_days: u32,
}

impl PollOptions {
    pub fn new(database: PathBuf, feeds: Vec<(String, String)>) -> PollOptions {
        let shipped = Config::default().polling;
        PollOptions {
            database,
            feeds,
            per_host_spacing_ms: 5,
            per_host_concurrency: shipped.per_host_concurrency,
            global_concurrency: shipped.global_concurrency,
            fetch_articles: true,
            first_poll_max_age_days: shipped.first_poll_max_age_days,
        }
    }

    /// The configuration the pipeline runs with.
    pub fn config(&self) -> Config {
        let mut c = Config::default();
        c.storage.database = self.database.clone();
        c.polling.allow_private_addresses = true;
        c.polling.per_host_spacing_ms = self.per_host_spacing_ms;
        c.polling.per_host_concurrency = self.per_host_concurrency;
        c.polling.global_concurrency = self.global_concurrency;
        c.polling.fetch_articles = self.fetch_articles;
        c.polling.first_poll_max_age_days = self.first_poll_max_age_days;
        c.api.enabled = false;
        c.digests.clear();
        c.feeds = self
            .feeds
            .iter()
            .map(|(name, url)| FeedConfig {
                name: name.clone(),
                url: url.clone(),
                lang: None,
                poll_interval_secs: None,
                site_rule: None,
                ..FeedConfig::default()
            })
            .collect();
        c
    }
}

/// One cycle's figures.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct CycleFigures {
    pub seconds: f64,
    pub feeds: usize,
    pub failed: usize,
    pub items_new: usize,
    pub changes_new: usize,
    /// Reports merged into a change already in the log (the same change
    /// reported by another feed).
    pub changes_merged: usize,
    pub articles_fetched: u64,
    /// User + system CPU time this process spent during the cycle, all
    /// threads (robust to other load on the machine, unlike `seconds`).
    pub cpu_seconds: Option<f64>,
    pub items_per_sec: f64,
    pub feeds_per_sec: f64,
    /// The first few failures, for the report.
    pub failures: Vec<String>,
}

impl CycleFigures {
    fn from_report(
        r: &CycleReport,
        articles_fetched: u64,
        cpu_seconds: Option<f64>,
    ) -> CycleFigures {
        let seconds = r.elapsed.as_secs_f64();
        CycleFigures {
            seconds,
            feeds: r.feeds,
            failed: r.failed.len(),
            items_new: r.items_new,
            changes_new: r.changes_new,
            changes_merged: r.changes_merged,
            articles_fetched,
            cpu_seconds,
            items_per_sec: rate(r.items_new as f64, seconds),
            feeds_per_sec: rate(r.feeds as f64, seconds),
            failures: r
                .failed
                .iter()
                .take(5)
                .map(|(n, e)| format!("{n}: {e}"))
                .collect(),
        }
    }
}

/// What a poll run measured.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct PollReport {
    pub feeds: usize,
    pub per_host_spacing_ms: u64,
    pub per_host_concurrency: usize,
    pub global_concurrency: usize,
    pub fetch_articles: bool,
    pub first: CycleFigures,
    pub second: CycleFigures,
    /// First cycle time over second cycle time.
    pub speedup_304: f64,
    /// `VmHWM` of this process at the end, in kB (includes the server when
    /// it runs in the same process, as in tests).
    pub peak_rss_kb: Option<u64>,
    /// `VmRSS` before the pipeline was built, in kB.
    pub start_rss_kb: Option<u64>,
    pub items_stored: i64,
    pub changes_stored: i64,
    /// Database file size after a WAL checkpoint, in bytes.
    pub db_bytes: u64,
}

/// Runs the two cycles. The database must be new: the first cycle is only
/// a first cycle on an empty store.
pub async fn run(opts: &PollOptions) -> Result<PollReport, BenchError> {
    let start_rss_kb = proc::own_rss_kb();
    let config = Arc::new(opts.config());
    let db = Db::open(&opts.database)?;
    let specs = config.feed_specs();
    db.call(move |s| s.sync_feeds(&specs, Utc::now())).await?;
    let metrics = Arc::new(Metrics::default());
    let pipeline = Pipeline::new(config.clone(), db.clone(), metrics.clone())?;

    let cpu = || proc::cpu_time(std::process::id()).map(|d| d.as_secs_f64());
    let feeds = db.call(|s| s.feeds()).await?;
    let cpu0 = cpu();
    let first = pipeline.poll_feeds(feeds).await?;
    let cpu1 = cpu();
    let fetched_first = metrics.articles_fetched.load(Ordering::Relaxed);
    let first =
        CycleFigures::from_report(&first, fetched_first, cpu1.zip(cpu0).map(|(b, a)| b - a));

    let feeds = db.call(|s| s.feeds()).await?;
    let second = pipeline.poll_feeds(feeds).await?;
    let cpu2 = cpu();
    let fetched_second = metrics.articles_fetched.load(Ordering::Relaxed) - fetched_first;
    let second =
        CycleFigures::from_report(&second, fetched_second, cpu2.zip(cpu1).map(|(b, a)| b - a));

    let (items_stored, changes_stored) = db
        .call(|s| {
            let c = s.connection();
            let items: i64 = c.query_row("SELECT count(*) FROM items", [], |r| r.get(0))?;
            let changes: i64 = c.query_row("SELECT count(*) FROM changes", [], |r| r.get(0))?;
            c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
            Ok((items, changes))
        })
        .await?;
    let db_bytes = std::fs::metadata(&opts.database)
        .map(|m| m.len())
        .unwrap_or(0);
    Ok(PollReport {
        feeds: opts.feeds.len(),
        per_host_spacing_ms: opts.per_host_spacing_ms,
        per_host_concurrency: opts.per_host_concurrency,
        global_concurrency: opts.global_concurrency,
        fetch_articles: opts.fetch_articles,
        speedup_304: rate(first.seconds, second.seconds),
        first,
        second,
        peak_rss_kb: proc::own_peak_rss_kb(),
        start_rss_kb,
        items_stored,
        changes_stored,
        db_bytes,
    })
}
