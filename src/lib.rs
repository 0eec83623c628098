//! # branchwatch
//!
//! Watches Kazakh news feeds and records who leads which branch of which
//! political party. The crate is laid out as the pipeline the data flows
//! through; each stage is one module and knows only the types in [`model`]
//! and the stage before it:
//!
//! 1. [`config`]: the TOML file, validated in one pass.
//! 2. [`schedule`]: when each feed is due (interval, backoff, jitter).
//! 3. [`fetch`]: polite HTTP: conditional GET, limits, per-host spacing,
//!    robots.txt, private-address guard. Knows no SQL.
//! 4. [`feed`]: RSS/Atom/JSON Feed bytes → [`model::ParsedFeed`], stable item keys;
//!    also news list pages (`feed::html_list`) and public Telegram channel
//!    previews (`feed::telegram`) → the same [`model::FeedItem`]s.
//! 5. [`article`]: HTML → [`model::Article`] (site rules, generic extractor, metadata).
//! 6. [`detect`]: article text → [`model::DetectedChange`]s. Pure: no I/O, no clock.
//! 7. [`store`]: SQLite change log: merging reports, roster, review, outbox. Knows no HTTP.
//! 8. [`digest`] and [`mail`]: render digests and deliver them over SMTP.
//!
//! Beside the pipeline: [`import`] (a known roster from CSV), [`query`] (filters shared by CLI and API), [`api`]
//! (read-only HTTP), [`web`] (the HTML view served beside the API), [`text`] (decoding and language identification shared by
//! feed and article), and [`pipeline`], the one module that wires the stages:
//! [`pipeline::Pipeline::refresh_feed`] reads as the whole per-feed flow.
//!
//! [`backfill`] reads a site's archive (sitemaps, paged feeds) into a job
//! stored in SQLite and runs its pages through the same path as polling.
//!
//! Around them: [`daemon`] (the service loop, signals), [`service`] (systemd
//! notifications), [`logging`], [`metrics`], [`db`] (the store shared with
//! async code), [`corpus`] (labelled corpus I/O for scoring the detector),
//! [`demo`] (bundled sample news served from loopback) and [`bench`] (the
//! drivers behind `branchwatch bench` and BENCHMARKS.md).
//!
//! [`morph`]: Russian lemmas (OpenCorpora, embedded in the binary) and personal
//! names in Russian or Kazakh oblique cases put into the nominative.

pub mod api;
pub mod article;
pub mod backfill;
pub mod bench;
pub mod config;
pub mod corpus;
pub mod daemon;
pub mod db;
pub mod demo;
pub mod detect;
pub mod digest;
pub mod feed;
pub mod fetch;
pub mod import;
pub mod logging;
pub mod mail;
pub mod metrics;
pub mod model;
pub mod morph;
pub mod pipeline;
pub mod query;
pub mod schedule;
pub mod service;
pub mod store;
pub mod text;
pub mod web;
