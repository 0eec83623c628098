//! Backfill throughput: one job over the loopback site's sitemap, through
//! the real discovery, fetcher, extractor, detector and a temporary SQLite
//! file. With a per-host spacing of 0 the figure is what the machine can
//! do; with the default spacing (1 s) it is one page a second by design.

use super::server::BenchServer;
use super::{gen::Site, rate, BenchError};
use crate::backfill::{self, Quiet, RunOptions};
use crate::config::Config;
use crate::db::Db;
use crate::metrics::Metrics;
use crate::model::BackfillSpec;
use crate::pipeline::Pipeline;
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;

/// What one backfill run measured.
#[derive(Debug, Clone, Serialize)]
pub struct BackfillReport {
    pub pages: u64,
    pub failed: u64,
    pub changes_new: u64,
    pub spacing_ms: u64,
    pub concurrency: usize,
    pub discovery_secs: f64,
    pub fetch_secs: f64,
    pub pages_per_sec: f64,
}

/// Serves `pages` articles (every fifth reporting a change) on one
/// loopback host and backfills them into `db`, which must not exist.
pub async fn run(
    db: &Path,
    pages: usize,
    spacing_ms: u64,
    concurrency: usize,
) -> Result<BackfillReport, BenchError> {
    let site = Site {
        items: pages.max(1),
        recent: 0,
        change_every: 5,
        now: chrono::Utc::now(),
    };
    let server = BenchServer::start_local(site, 1, 1).await?;
    let base = server.bases.first().cloned().unwrap_or_default();
    let mut c = Config::default();
    c.storage.database = db.to_path_buf();
    c.polling.allow_private_addresses = true;
    c.polling.per_host_spacing_ms = spacing_ms;
    c.polling.per_host_concurrency = concurrency.max(1);
    c.api.enabled = false;
    let p = Pipeline::new(Arc::new(c), Db::open(db)?, Arc::new(Metrics::default()))?;
    let spec = BackfillSpec {
        site: base.clone(),
        sitemap: Some(format!("{base}/sitemap.xml")),
        ..BackfillSpec::default()
    };
    let opts = RunOptions {
        concurrency: concurrency.max(1),
        ..RunOptions::default()
    };
    let r = backfill::start(&p, spec, &opts, Arc::new(Quiet)).await?;
    server.shutdown().await;
    Ok(BackfillReport {
        pages: r.fetched,
        failed: r.failed,
        changes_new: r.changes_new,
        spacing_ms,
        concurrency: opts.concurrency,
        discovery_secs: r.discovery_secs,
        fetch_secs: r.fetch_secs,
        pages_per_sec: rate(r.fetched as f64, r.fetch_secs),
    })
}
