//! `branchwatch run`: the long-running service.
//!
//! Two schedulers run side by side. The polling loop here starts a polling
//! cycle for the feeds that are due (in a task, so signals are handled
//! while it runs), pings the watchdog, and sleeps until the next feed is
//! due. The digest scheduler ([`digests`]) is its own task, so a digest
//! goes out at its time even while a long cycle runs; the polling loop
//! wakes it when a cycle has stored something (for immediate digests).
//! Stored backfill jobs in state `running` run in a third task
//! ([`spawn_backfills`]), one page at a time, through the same fetcher as
//! polling: other hosts' polls never wait for it, and a poll of the host
//! being backfilled waits at most the host's spacing per request (the
//! politeness both share).
//! Signals:
//! - SIGHUP re-reads the configuration file; an invalid file is logged and the
//!   running configuration stays in force. Feeds, digests, detection settings
//!   and the log level change without a restart; a cycle already running
//!   finishes with the settings it started with.
//! - SIGTERM / SIGINT stop new work, let the running cycle and digest run
//!   finish for up to [`SHUTDOWN_GRACE`], then abort them. Aborting loses nothing: every refresh
//!   writes in one transaction at its end, and an aborted one never started
//!   that transaction, so its items are fetched again on the next start.

pub mod digests;

use crate::api;
use crate::backfill;
use crate::config::{self, Config};
use crate::digest;
use crate::logging::LogHandle;
use crate::mail::Mailer;
use crate::metrics::Metrics;
use crate::pipeline::{CycleReport, Db, Pipeline, PipelineError};
use crate::service;
use chrono::{DateTime, Utc};
use digests::{DigestPlan, DigestScheduler, SystemClock};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::signal::unix::{signal, SignalKind};
use tokio::task::JoinHandle;
use tracing::{error, info, warn};

/// How long a running cycle may take to finish after SIGTERM. systemd's
/// `TimeoutStopSec=` in the shipped unit is larger than this.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);
/// Longest sleep between two looks at the schedule, so a feed added through
/// the CLI (`feeds add`) is picked up without a signal.
const MAX_SLEEP: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    #[error("database: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("cannot bind the API to {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("API token: {0}")]
    Token(std::io::Error),
    #[error("signal handler: {0}")]
    Signal(std::io::Error),
    #[error("mail: {0}")]
    Mail(#[from] crate::mail::MailError),
}

pub struct DaemonOptions {
    /// Re-read on SIGHUP; `None` when running on the embedded default.
    pub config_path: Option<PathBuf>,
    pub log: Option<LogHandle>,
    /// Stop after one cycle (and one digest pass): for tests and cron-style use.
    pub once: bool,
}

struct Running {
    config: Arc<Config>,
    pipeline: Pipeline,
    /// What the digest scheduler sends under this configuration.
    digests: DigestPlan,
}

fn build(config: Arc<Config>, db: &Db, metrics: &Arc<Metrics>) -> Result<Running, DaemonError> {
    let pipeline = Pipeline::new(config.clone(), db.clone(), metrics.clone())?;
    // `smtp.from` was checked by config validation; parsing it once here
    // keeps that out of the scheduler loop.
    let mail = match &config.smtp {
        Some(s) if !config.digests.is_empty() => Some((
            Arc::new(Mailer::from_settings(s)?),
            crate::mail::parse_mailbox(&s.from)?,
        )),
        _ => None,
    };
    let digests = DigestPlan {
        specs: config.digests.clone(),
        mail,
        templates: Arc::new(digest::Templates::embedded()),
    };
    Ok(Running {
        config,
        pipeline,
        digests,
    })
}

pub async fn run(config: Config, opts: DaemonOptions) -> Result<(), DaemonError> {
    let config = Arc::new(config);
    let db_path = config.storage.database_path();
    let db = Db::open(&db_path)?;
    let metrics = Arc::new(Metrics::default());
    let specs = config.feed_specs();
    db.call(move |s| s.sync_feeds(&specs, Utc::now())).await?;
    let mut state = build(config.clone(), &db, &metrics)?;
    info!(database = %db_path.display(), feeds = config.feeds.len(), "branchwatch running");

    let (api_shutdown_tx, api_shutdown_rx) = tokio::sync::watch::channel(false);
    let api_task = if config.api.enabled {
        Some(
            start_api(
                &config,
                state.pipeline.tables.clone(),
                &db_path,
                metrics.clone(),
                api_shutdown_rx,
            )
            .await?,
        )
    } else {
        None
    };

    let mut term = signal(SignalKind::terminate()).map_err(DaemonError::Signal)?;
    let mut int = signal(SignalKind::interrupt()).map_err(DaemonError::Signal)?;
    let mut hup = signal(SignalKind::hangup()).map_err(DaemonError::Signal)?;
    let watchdog = service::watchdog_interval();
    let mut watchdog_tick = tokio::time::interval(watchdog.unwrap_or(Duration::from_secs(3600)));
    watchdog_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);

    // With --once the digests run once, after the cycle; otherwise in
    // their own task beside polling.
    let scheduler = DigestScheduler::new(db.clone(), metrics.clone(), Arc::new(SystemClock));
    let (mut once_digests, digest_task) = if opts.once {
        (Some(scheduler), None)
    } else {
        (None, Some(scheduler.spawn(state.digests.clone())))
    };

    let (backfill_tx, backfill_rx) = tokio::sync::watch::channel(state.pipeline.clone());
    let backfill_task = (!opts.once).then(|| spawn_backfills(backfill_rx));

    service::ready(&format!("{} feeds configured", config.feeds.len()));
    let mut cycle: Option<JoinHandle<Result<CycleReport, PipelineError>>> = None;
    // Whether to look for due feeds at the top of the loop. Starting a cycle
    // on every turn would spin when nothing is due (an empty cycle finishes
    // at once), so only the start, a wake-up, a reload or a cycle that did
    // poll something sets it.
    let mut poll_now = true;
    loop {
        if cycle.is_none() && poll_now {
            poll_now = false;
            let p = state.pipeline.clone();
            cycle = Some(tokio::spawn(async move { p.poll_due().await }));
        }
        let sleep_for = next_wake(&db, Utc::now()).await;
        tokio::select! {
            joined = async { cycle.as_mut().expect("cycle set above").await }, if cycle.is_some() => {
                cycle = None;
                match joined {
                    Ok(Ok(r)) => {
                        if r.feeds > 0 {
                            info!(feeds = r.feeds, items_new = r.items_new, changes_new = r.changes_new,
                                failed = r.failed.len(), secs = r.elapsed.as_secs_f32(), "cycle done");
                            service::status(&format!("last cycle {}: {} feeds, {} new items, {} new changes, {} failing",
                                Utc::now().format("%H:%M:%S"), r.feeds, r.items_new, r.changes_new, r.failed.len()));
                            poll_now = true;
                            if let Some(t) = &digest_task {
                                t.wake.notify_one();
                            }
                        }
                    }
                    Ok(Err(e)) => error!(error = %e, "polling cycle failed"),
                    Err(e) => error!(error = %e, "polling cycle panicked"),
                }
                if let Some(d) = once_digests.as_mut() {
                    d.run_due(&state.digests, true).await;
                    break;
                }
                // Look at the schedule again right away; new feeds may be due.
                continue;
            }
            _ = tokio::time::sleep(sleep_for), if cycle.is_none() => { poll_now = true; }
            _ = watchdog_tick.tick(), if watchdog.is_some() => {
                // Ping only while the database answers; a wedged database
                // (or a hung loop, which never gets here) lets systemd restart us.
                match db.call(|s| s.status_summary(Utc::now())).await.map(|_| ()) {
                    Ok(()) => service::watchdog_ping(),
                    Err(e) => error!(error = %e, "database health check failed; withholding watchdog ping"),
                }
            }
            _ = hup.recv() => {
                service::reloading();
                match reload(&opts, &db, &metrics).await {
                    Ok(Some(new_state)) => {
                        if let Some(log) = &opts.log {
                            if let Err(e) = log.set_level(&new_state.config.logging.level) {
                                warn!(error = %e, "log level not changed");
                            }
                        }
                        state = new_state;
                        backfill_tx.send_replace(state.pipeline.clone());
                        if let Some(t) = &digest_task {
                            t.plan.send_replace(Arc::new(state.digests.clone()));
                        }
                        info!(feeds = state.config.feeds.len(), "configuration reloaded");
                    }
                    Ok(None) => info!("no configuration file to reload (running on the embedded default)"),
                    Err(e) => error!("configuration reload rejected; the previous configuration stays in force: {e}"),
                }
                service::reloaded(&format!("{} feeds configured", state.config.feeds.len()));
                poll_now = true;
            }
            _ = term.recv() => { info!("SIGTERM received; shutting down"); break; }
            _ = int.recv() => { info!("SIGINT received; shutting down"); break; }
        }
    }

    service::stopping();
    let stop_cycle = finish_cycle(cycle.take());
    let stop_digests = async {
        if let Some(t) = digest_task {
            t.stop(SHUTDOWN_GRACE).await;
        }
    };
    if let Some(t) = backfill_task {
        // Loses nothing stored: a page in flight is requested again on the
        // next start (see store::backfill).
        t.abort();
    }
    tokio::join!(stop_cycle, stop_digests);
    let _ = api_shutdown_tx.send(true);
    if let Some(t) = api_task {
        let _ = tokio::time::timeout(Duration::from_secs(5), t).await;
    }
    info!("stopped");
    Ok(())
}

/// Lets a running polling cycle finish within the shutdown grace, else aborts it
/// (its feeds are fetched again on the next start).
async fn finish_cycle(cycle: Option<JoinHandle<Result<CycleReport, PipelineError>>>) {
    if let Some(mut c) = cycle {
        match tokio::time::timeout(SHUTDOWN_GRACE, &mut c).await {
            Ok(_) => info!("running cycle finished"),
            Err(_) => {
                warn!("running cycle did not finish in time; aborted (its feeds are fetched again next start)");
                c.abort();
            }
        }
    }
}

/// How often the backfill task looks for running jobs.
const BACKFILL_LOOK: Duration = Duration::from_secs(60);

/// Runs stored `running` backfill jobs, oldest first, one page at a time,
/// with the current pipeline (a reload restarts the job with the new one,
/// so backfill and polling always share one fetcher and its per-host limits).
fn spawn_backfills(mut rx: tokio::sync::watch::Receiver<Pipeline>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let opts = backfill::RunOptions {
            concurrency: 1,
            ..backfill::RunOptions::default()
        };
        loop {
            let p = rx.borrow_and_update().clone();
            let ids =
                p.db.call(|s| s.backfill_running())
                    .await
                    .unwrap_or_else(|e| {
                        warn!(error = %e, "cannot list backfill jobs");
                        Vec::new()
                    });
            for id in ids {
                tokio::select! {
                    r = backfill::run_job(&p, id, &opts, Arc::new(backfill::Quiet)) => match r {
                        Ok(r) => info!(job = id, fetched = r.fetched, changes_new = r.changes_new,
                            state = ?r.state, "backfill job ran"),
                        Err(e @ backfill::BackfillError::Busy { .. }) => info!(job = id, "{e}"),
                        Err(e) => warn!(job = id, error = %e, "backfill job stopped"),
                    },
                    _ = rx.changed() => break,
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(BACKFILL_LOOK) => {}
                r = rx.changed() => if r.is_err() { return; },
            }
        }
    })
}

async fn reload(
    opts: &DaemonOptions,
    db: &Db,
    metrics: &Arc<Metrics>,
) -> Result<Option<Running>, String> {
    let Some(path) = &opts.config_path else {
        return Ok(None);
    };
    let config = config::load_file(path).map_err(|e| format!("{e:#}"))?;
    let config = Arc::new(config);
    let specs = config.feed_specs();
    db.call(move |s| s.sync_feeds(&specs, Utc::now()))
        .await
        .map_err(|e| e.to_string())?;
    build(config, db, metrics)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// Sleep until the earliest feed is due, at most [`MAX_SLEEP`].
async fn next_wake(db: &Db, now: DateTime<Utc>) -> Duration {
    let next_feed = db.call(|s| s.feeds()).await.ok().and_then(|f| {
        f.into_iter()
            .filter(|f| f.enabled)
            .filter_map(|f| f.next_check_at)
            .min()
    });
    next_feed
        .map(|t| (t - now).to_std().unwrap_or(Duration::ZERO))
        .unwrap_or(MAX_SLEEP)
        .clamp(Duration::from_millis(200), MAX_SLEEP)
}

async fn start_api(
    config: &Config,
    tables: Arc<crate::detect::Tables>,
    db_path: &std::path::Path,
    metrics: Arc<Metrics>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> Result<JoinHandle<()>, DaemonError> {
    let token = config.api_token().map_err(DaemonError::Token)?;
    let listener = tokio::net::TcpListener::bind(&config.api.bind)
        .await
        .map_err(|source| DaemonError::Bind {
            addr: config.api.bind.clone(),
            source,
        })?;
    info!(addr = %config.api.bind, "HTTP API listening");
    let mut state = api::ApiState::new(db_path.to_path_buf(), metrics);
    state.token = token;
    state.resolvers = crate::pipeline::resolvers(tables);
    Ok(tokio::spawn(async move {
        let stop = async move {
            let _ = shutdown.changed().await;
        };
        if let Err(e) = api::serve(listener, state, stop).await {
            error!(error = %e, "HTTP API stopped");
        }
    }))
}
