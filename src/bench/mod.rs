//! Benchmark drivers behind `branchwatch bench` (issue 10).
//!
//! Each figure in `BENCHMARKS.md` comes from one function here, so the same
//! code runs at full size from `scripts/bench.sh` and at toy size from
//! `tests/bench_smoke.rs` (which keeps the drivers from rotting without
//! making the default test run slow):
//!
//! * [`server`] is a loopback news site: many listeners (one per "host"),
//!   generated RSS feeds with `ETag`/304, article pages, robots.txt.
//! * [`gen`] writes the feeds and pages it serves, deterministically.
//! * [`poll`] runs the real [`crate::pipeline::Pipeline`] against it into a
//!   temporary SQLite file: a first full cycle and an all-304 second cycle.
//! * [`backfill`] runs a backfill job over the same site's sitemap.
//! * [`parse`] measures `feed::parse` over files on disk.
//! * [`detect`] measures the detector over a labelled corpus, replicated.
//! * [`web`] fills a large change log and times the web view's pages.
//! * [`proc`] reads this or another process's memory and CPU from `/proc`,
//!   used for the peak-RSS and idle-cost figures.
//!
//! The Python peers (feedparser, trafilatura) are driven from
//! `benches/peers/*.py` by `scripts/bench.sh`; nothing here depends on them.

pub mod backfill;
pub mod detect;
pub mod gen;
pub mod parse;
pub mod poll;
pub mod proc;
pub mod server;
pub mod web;

use std::path::PathBuf;

/// What can stop a benchmark run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
    #[error("{path}: not a corpus document: {reason}")]
    Corpus { path: PathBuf, reason: String },
    #[error("no input found in {0}")]
    Empty(PathBuf),
    #[error(transparent)]
    Pipeline(#[from] crate::pipeline::PipelineError),
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Backfill(#[from] crate::backfill::BackfillError),
    #[error("{0}")]
    Other(String),
}

/// Bytes per mebibyte; figures are reported in MB = 2^20 bytes.
pub const MB: f64 = 1024.0 * 1024.0;

/// `n / seconds`, or 0 when nothing was timed.
pub fn rate(n: f64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        n / seconds
    } else {
        0.0
    }
}
