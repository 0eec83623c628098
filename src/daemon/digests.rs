//! The digest scheduler: its own task beside polling, so a long polling
//! cycle never holds back a digest that is due.
//!
//! It shares the store with the polling task through [`Db`]: digest
//! delivery locks the store only around single calls, never across an
//! await, and SQLite orders the writes, so a refresh and a digest run
//! interleave without waiting for each other's whole job.
//!
//! Time comes from a [`Clock`]: the wall clock in the service, a clock
//! driven by tokio's (pausable) timer in tests, so a test can let ten
//! minutes pass in an instant and still see when each thing happened.

use crate::db::Db;
use crate::digest::{self, DigestSpec, Templates};
use crate::mail::Mailer;
use crate::metrics::Metrics;
use chrono::{DateTime, Utc};
use lettre::message::Mailbox;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use tracing::{info, warn};

/// Longest sleep between two looks at the digest schedule.
const MAX_SLEEP: Duration = Duration::from_secs(30);
/// Shortest: a schedule that says "now" is looked at again this soon.
const MIN_SLEEP: Duration = Duration::from_millis(200);

/// Where the scheduler reads the time.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

/// The wall clock, for the service.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Wall time that moves with tokio's timer: `start` plus the time tokio
/// says has passed since the clock was made. Under a paused tokio clock
/// (tests) it jumps as timers fire and stands still otherwise.
#[derive(Debug, Clone, Copy)]
pub struct TokioClock {
    start: DateTime<Utc>,
    origin: tokio::time::Instant,
}

impl TokioClock {
    pub fn starting_at(start: DateTime<Utc>) -> TokioClock {
        TokioClock {
            start,
            origin: tokio::time::Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = chrono::Duration::from_std(self.origin.elapsed())
            .unwrap_or_else(|_| chrono::Duration::zero());
        self.start + elapsed
    }
}

/// What the scheduler sends: the digests of the configuration in force,
/// with the transport and sender built once from it. Replaced as a whole
/// on a configuration reload.
#[derive(Clone)]
pub struct DigestPlan {
    pub specs: Vec<DigestSpec>,
    /// The transport and the sender; `None` when no SMTP is configured.
    pub mail: Option<(Arc<Mailer>, Mailbox)>,
    pub templates: Arc<Templates>,
}

/// The digest scheduler's state. [`DigestScheduler::spawn`] runs it as a
/// task; [`DigestScheduler::run_due`] is one pass, for `run --once`.
pub struct DigestScheduler {
    db: Db,
    metrics: Arc<Metrics>,
    clock: Arc<dyn Clock>,
    /// When each scheduled digest is next due, as first computed.
    next: HashMap<String, DateTime<Utc>>,
}

/// Handles to a running scheduler task.
pub struct DigestTask {
    /// A new plan (configuration reload).
    pub plan: watch::Sender<Arc<DigestPlan>>,
    /// Look at the schedule now (new changes may await an immediate digest).
    pub wake: Arc<Notify>,
    stop: watch::Sender<bool>,
    handle: JoinHandle<()>,
}

impl DigestTask {
    /// Asks the task to stop after the run in progress and waits up to
    /// `grace` for it; then aborts it. Aborting loses nothing: an outbox row
    /// is marked sent only after the server accepted the message.
    pub async fn stop(mut self, grace: Duration) {
        let _ = self.stop.send(true);
        if tokio::time::timeout(grace, &mut self.handle).await.is_err() {
            warn!("digest run did not finish in time; aborted (queued messages are retried next start)");
            self.handle.abort();
        }
    }
}

impl DigestScheduler {
    pub fn new(db: Db, metrics: Arc<Metrics>, clock: Arc<dyn Clock>) -> DigestScheduler {
        DigestScheduler {
            db,
            metrics,
            clock,
            next: HashMap::new(),
        }
    }

    /// Runs the scheduler as its own task with `plan` in force.
    pub fn spawn(self, plan: DigestPlan) -> DigestTask {
        let (plan_tx, plan_rx) = watch::channel(Arc::new(plan));
        let (stop_tx, stop_rx) = watch::channel(false);
        let wake = Arc::new(Notify::new());
        let handle = tokio::spawn(self.run(plan_rx, stop_rx, wake.clone()));
        DigestTask {
            plan: plan_tx,
            wake,
            stop: stop_tx,
            handle,
        }
    }

    async fn run(
        mut self,
        mut plan_rx: watch::Receiver<Arc<DigestPlan>>,
        mut stop: watch::Receiver<bool>,
        wake: Arc<Notify>,
    ) {
        loop {
            let plan = plan_rx.borrow_and_update().clone();
            self.run_due(&plan, false).await;
            let sleep_for = self.sleep_for();
            tokio::select! {
                _ = tokio::time::sleep(sleep_for) => {}
                _ = wake.notified() => {}
                changed = plan_rx.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    // A reloaded configuration: due times start afresh.
                    self.next.clear();
                }
                _ = stop.changed() => break,
            }
            if *stop.borrow() {
                break;
            }
        }
    }

    /// Until the earliest known due time, within [`MIN_SLEEP`]..[`MAX_SLEEP`].
    fn sleep_for(&self) -> Duration {
        let now = self.clock.now();
        self.next
            .values()
            .min()
            .map(|t| (*t - now).to_std().unwrap_or(Duration::ZERO))
            .unwrap_or(MAX_SLEEP)
            .clamp(MIN_SLEEP, MAX_SLEEP)
    }

    /// Runs every digest whose scheduled time has passed (or all of them
    /// when `force`), and retries queued messages.
    pub async fn run_due(&mut self, plan: &DigestPlan, force: bool) {
        let Some((mailer, from)) = plan.mail.clone() else {
            return;
        };
        for spec in &plan.specs {
            if spec.immediate {
                self.run_immediate(spec, &mailer, &from, &plan.templates)
                    .await;
            } else {
                self.run_scheduled(spec, &mailer, &from, &plan.templates, force)
                    .await;
            }
        }
    }

    /// Immediate digests mail new changes as soon as they are stored, no
    /// more often than `immediate_min_interval_secs`.
    async fn run_immediate(
        &mut self,
        spec: &DigestSpec,
        mailer: &Mailer,
        from: &Mailbox,
        templates: &Templates,
    ) {
        let now = self.clock.now();
        match digest::run_immediate(self.db.mutex(), mailer, spec, templates, from, now).await {
            Ok(Some(report)) => {
                Metrics::add(&self.metrics.digests_sent, report.sent() as u64);
                Metrics::add(&self.metrics.digests_failed, report.failed() as u64);
                info!(digest = %spec.name, sent = report.sent(), retrying = report.retrying(), "immediate digest");
            }
            Ok(None) => {}
            Err(e) => {
                warn!(digest = %spec.name, error = %e, "immediate digest failed; changes stay queued")
            }
        }
    }

    /// When a scheduled digest is due: the scheduled time after its last
    /// run (so a run missed while the daemon was down happens now), or an
    /// earlier due retry of a queued message, whichever comes first.
    fn due_at(
        &self,
        spec: &DigestSpec,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, String> {
        let guard = self.db.mutex().lock().unwrap_or_else(|p| p.into_inner());
        let Some(t) = digest::next_due(&*guard, spec, now).map_err(|e| e.to_string())? else {
            return Ok(None);
        };
        // For a digest that never ran, next_due answers "the first scheduled
        // time after now", which moves on with every call and so would never
        // be reached; the first answer, kept in `next`, is when it is due.
        let never_ran = guard.digest_last_run(&spec.name).ok().flatten().is_none();
        Ok(match self.next.get(&spec.name) {
            Some(first) if never_ran => Some(t.min(*first)),
            _ => Some(t),
        })
    }

    async fn run_scheduled(
        &mut self,
        spec: &DigestSpec,
        mailer: &Mailer,
        from: &Mailbox,
        templates: &Templates,
        force: bool,
    ) {
        let now = self.clock.now();
        let due_at = match self.due_at(spec, now) {
            Ok(t) => t,
            Err(e) => {
                warn!(digest = %spec.name, error = %e, "digest schedule invalid");
                return;
            }
        };
        if !(force || due_at.is_some_and(|t| t <= now)) {
            if let Some(t) = due_at {
                self.next.insert(spec.name.clone(), t);
            }
            return;
        }
        match digest::run_digest(self.db.mutex(), mailer, spec, templates, from, now).await {
            Ok(report) => {
                Metrics::add(&self.metrics.digests_sent, report.sent() as u64);
                Metrics::add(&self.metrics.digests_failed, report.failed() as u64);
                if !report.messages.is_empty() {
                    info!(digest = %spec.name, sent = report.sent(), retrying = report.retrying(), failed = report.failed(), "digest run");
                }
            }
            Err(e) => {
                Metrics::add(&self.metrics.digests_failed, 1);
                warn!(digest = %spec.name, error = %e, "digest run failed; changes stay queued");
            }
        }
        let after = self.clock.now();
        let next = {
            let guard = self.db.mutex().lock().unwrap_or_else(|p| p.into_inner());
            digest::next_due(&*guard, spec, after)
        };
        if let Ok(Some(t)) = next {
            self.next.insert(spec.name.clone(), t);
        }
    }
}
