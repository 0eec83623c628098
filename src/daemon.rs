//! `branchwatch run`: the long-running service.
//!
//! One loop owns the schedule. Each turn it starts a polling cycle for the
//! feeds that are due (in a task, so signals are handled while it runs),
//! runs the digests whose cron time has come, pings the watchdog, and sleeps
//! until the next feed is due. Signals:
//! - SIGHUP re-reads the configuration file; an invalid file is logged and the
//!   running configuration stays in force. Feeds, digests, detection settings
//!   and the log level change without a restart; a cycle already running
//!   finishes with the settings it started with.
//! - SIGTERM / SIGINT stop new work, let the running cycle finish for up to
//!   [`SHUTDOWN_GRACE`], then abort it. Aborting loses nothing: every refresh
//!   writes in one transaction at its end, and an aborted one never started
//!   that transaction, so its items are fetched again on the next start.

use crate::api;
use crate::config::{self, Config};
use crate::digest;
use crate::logging::LogHandle;
use crate::mail::Mailer;
use crate::metrics::Metrics;
use crate::pipeline::{CycleReport, Db, Pipeline, PipelineError};
use crate::service;
use chrono::{DateTime, Utc};
use lettre::message::Mailbox;
use std::collections::HashMap;
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
    /// The SMTP transport and the sender, when digests are configured.
    mail: Option<(Arc<Mailer>, Mailbox)>,
    templates: digest::Templates,
    next_digest: HashMap<String, DateTime<Utc>>,
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
    Ok(Running {
        config,
        pipeline,
        mail,
        templates: digest::Templates::embedded(),
        next_digest: HashMap::new(),
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

    service::ready(&format!("{} feeds configured", config.feeds.len()));
    let mut cycle: Option<JoinHandle<Result<CycleReport, PipelineError>>> = None;
    let mut cycles_done = 0u64;
    // Whether to look for due feeds at the top of the loop. Starting a cycle
    // on every turn would spin when nothing is due (an empty cycle finishes
    // at once), so only the start, a wake-up, a reload or a cycle that did
    // poll something sets it.
    let mut poll_now = true;
    loop {
        let now = Utc::now();
        if cycle.is_none() && poll_now {
            poll_now = false;
            let p = state.pipeline.clone();
            cycle = Some(tokio::spawn(async move { p.poll_due().await }));
        }
        run_due_digests(&mut state, &db, &metrics, now, opts.once && cycles_done > 0).await;
        let sleep_for = next_wake(&db, &state, now).await;
        tokio::select! {
            joined = async { cycle.as_mut().expect("cycle set above").await }, if cycle.is_some() => {
                cycle = None;
                cycles_done += 1;
                match joined {
                    Ok(Ok(r)) => {
                        if r.feeds > 0 {
                            info!(feeds = r.feeds, items_new = r.items_new, changes_new = r.changes_new,
                                failed = r.failed.len(), secs = r.elapsed.as_secs_f32(), "cycle done");
                            service::status(&format!("last cycle {}: {} feeds, {} new items, {} new changes, {} failing",
                                Utc::now().format("%H:%M:%S"), r.feeds, r.items_new, r.changes_new, r.failed.len()));
                            poll_now = true;
                        }
                    }
                    Ok(Err(e)) => error!(error = %e, "polling cycle failed"),
                    Err(e) => error!(error = %e, "polling cycle panicked"),
                }
                if opts.once {
                    run_due_digests(&mut state, &db, &metrics, Utc::now(), true).await;
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
    if let Some(mut c) = cycle.take() {
        match tokio::time::timeout(SHUTDOWN_GRACE, &mut c).await {
            Ok(_) => info!("running cycle finished"),
            Err(_) => {
                warn!("running cycle did not finish in time; aborted (its feeds are fetched again next start)");
                c.abort();
            }
        }
    }
    let _ = api_shutdown_tx.send(true);
    if let Some(t) = api_task {
        let _ = tokio::time::timeout(Duration::from_secs(5), t).await;
    }
    info!("stopped");
    Ok(())
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
async fn next_wake(db: &Db, state: &Running, now: DateTime<Utc>) -> Duration {
    let next_feed = db.call(|s| s.feeds()).await.ok().and_then(|f| {
        f.into_iter()
            .filter(|f| f.enabled)
            .filter_map(|f| f.next_check_at)
            .min()
    });
    let next_digest = state.next_digest.values().min().copied();
    [next_feed, next_digest]
        .into_iter()
        .flatten()
        .map(|t| (t - now).to_std().unwrap_or(Duration::ZERO))
        .min()
        .unwrap_or(MAX_SLEEP)
        .clamp(Duration::from_millis(200), MAX_SLEEP)
}

/// Runs every digest whose scheduled time has passed (or all of them when
/// `force`), and retries queued messages.
async fn run_due_digests(
    state: &mut Running,
    db: &Db,
    metrics: &Arc<Metrics>,
    now: DateTime<Utc>,
    force: bool,
) {
    let Some((mailer, from)) = state.mail.clone() else {
        return;
    };
    for spec in state.config.digests.clone() {
        if spec.immediate {
            // Immediate digests mail new changes as soon as they are stored,
            // no more often than `immediate_min_interval_secs`.
            match digest::run_immediate(db.mutex(), &mailer, &spec, &state.templates, &from, now)
                .await
            {
                Ok(Some(report)) => {
                    Metrics::add(&metrics.digests_sent, report.sent() as u64);
                    Metrics::add(&metrics.digests_failed, report.failed() as u64);
                    info!(digest = %spec.name, sent = report.sent(), retrying = report.retrying(), "immediate digest");
                }
                Ok(None) => {}
                Err(e) => {
                    warn!(digest = %spec.name, error = %e, "immediate digest failed; changes stay queued")
                }
            }
            continue;
        }
        // The scheduled time after the last run (so a run missed while the
        // daemon was down happens now), or an earlier due retry of a queued
        // message, whichever comes first.
        let next_due = |now| {
            let guard = db.mutex().lock().unwrap_or_else(|p| p.into_inner());
            digest::next_due(&*guard, &spec, now)
        };
        let due_at = match next_due(now) {
            Ok(Some(t)) => {
                // For a digest that never ran, next_due answers "the first
                // scheduled time after now", which moves on with every call
                // and so would never be reached; the first answer, kept in
                // `next_digest`, is when it is really due.
                let never_ran = {
                    let guard = db.mutex().lock().unwrap_or_else(|p| p.into_inner());
                    guard.digest_last_run(&spec.name).ok().flatten().is_none()
                };
                match state.next_digest.get(&spec.name) {
                    Some(first) if never_ran => Some(t.min(*first)),
                    _ => Some(t),
                }
            }
            Ok(None) => None,
            Err(e) => {
                warn!(digest = %spec.name, error = %e, "digest schedule invalid");
                continue;
            }
        };
        let due = due_at.is_some_and(|t| t <= now);
        if !(due || force) {
            if let Some(t) = due_at {
                state.next_digest.insert(spec.name.clone(), t);
            }
            continue;
        }
        match digest::run_digest(db.mutex(), &mailer, &spec, &state.templates, &from, now).await {
            Ok(report) => {
                Metrics::add(&metrics.digests_sent, report.sent() as u64);
                Metrics::add(&metrics.digests_failed, report.failed() as u64);
                if !report.messages.is_empty() {
                    info!(digest = %spec.name, sent = report.sent(), retrying = report.retrying(), failed = report.failed(), "digest run");
                }
            }
            Err(e) => {
                Metrics::add(&metrics.digests_failed, 1);
                warn!(digest = %spec.name, error = %e, "digest run failed; changes stay queued");
            }
        }
        if let Ok(Some(t)) = next_due(Utc::now()) {
            state.next_digest.insert(spec.name.clone(), t);
        }
    }
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
