//! The outbox protocol of a digest run (see the module doc of `digest` for
//! the guarantees it gives).

use super::{render, DigestError, DigestFilter, DigestSpec, Rendered, Templates};
use crate::mail::{build_message, parse_mailbox, Mailer};
use crate::model::ChangeRecord;
use chrono::{DateTime, Duration, Utc};
use lettre::message::Mailbox;
use sha2::{Digest, Sha256};
use std::sync::{Mutex, MutexGuard};

/// Attempts (the first send included) before a transiently failing message
/// is given up; with the backoff below that spans about a day.
pub const MAX_ATTEMPTS: u32 = 12;
const RETRY_BASE_SECS: i64 = 60;
const RETRY_CAP_SECS: i64 = 6 * 3600;

/// One message of the outbox that is still waiting to be sent.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingMessage {
    pub id: i64,
    pub message_id: String,
    pub subject: String,
    pub change_ids: Vec<i64>,
    /// Failed attempts so far.
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// What delivery needs from the store. Each method is one short
/// transaction; the contract mirrors `crate::store::Store`:
///
/// * `undelivered_changes`: not rejected, matching the filter, and not part
///   of any outbox message of this digest that is pending or sent;
/// * `outbox_mark_failed` increments the attempt count; with
///   `permanent = false` the row stays pending until `next_attempt_at`,
///   with `permanent = true` it is failed and its changes are released.
pub trait DigestStore {
    type Error: std::error::Error + Send + Sync + 'static;
    fn undelivered_changes(
        &self,
        digest: &str,
        f: &DigestFilter,
    ) -> Result<Vec<ChangeRecord>, Self::Error>;
    /// The records with these ids (unknown ids are skipped).
    fn changes_by_ids(&self, ids: &[i64]) -> Result<Vec<ChangeRecord>, Self::Error>;
    fn outbox_enqueue(
        &mut self,
        digest: &str,
        message_id: &str,
        subject: &str,
        change_ids: &[i64],
        now: DateTime<Utc>,
    ) -> Result<i64, Self::Error>;
    fn outbox_pending(&self, digest: &str) -> Result<Vec<PendingMessage>, Self::Error>;
    fn outbox_mark_sent(&mut self, id: i64, now: DateTime<Utc>) -> Result<(), Self::Error>;
    fn outbox_mark_failed(
        &mut self,
        id: i64,
        error: &str,
        permanent: bool,
        next_attempt_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(), Self::Error>;
    fn digest_last_run(&self, digest: &str) -> Result<Option<DateTime<Utc>>, Self::Error>;
    fn set_digest_last_run(&mut self, digest: &str, at: DateTime<Utc>) -> Result<(), Self::Error>;
}

/// How one message of a run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum DeliveryStatus {
    Sent,
    /// Transient failure; the message stays in the outbox.
    Retrying {
        attempts: u32,
        next_attempt_at: DateTime<Utc>,
        error: String,
    },
    /// Permanent failure (or retries exhausted); not retried.
    Failed {
        error: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct MessageOutcome {
    pub outbox_id: i64,
    pub message_id: String,
    pub subject: String,
    pub change_ids: Vec<i64>,
    /// True for a pending message sent again, false for a new one.
    pub resend: bool,
    pub status: DeliveryStatus,
}

/// What a run did, for logs, the CLI and the daemon's next wake-up.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DigestRunReport {
    pub digest: String,
    pub messages: Vec<MessageOutcome>,
    /// Nothing to send and `send_empty` off.
    pub skipped_empty: bool,
    /// Pending messages whose backoff had not yet elapsed.
    pub deferred: usize,
}

impl DigestRunReport {
    fn count(&self, f: impl Fn(&DeliveryStatus) -> bool) -> usize {
        self.messages.iter().filter(|m| f(&m.status)).count()
    }
    pub fn sent(&self) -> usize {
        self.count(|s| matches!(s, DeliveryStatus::Sent))
    }
    pub fn retrying(&self) -> usize {
        self.count(|s| matches!(s, DeliveryStatus::Retrying { .. }))
    }
    pub fn failed(&self) -> usize {
        self.count(|s| matches!(s, DeliveryStatus::Failed { .. }))
    }
    /// Ids of changes whose message the server accepted in this run.
    pub fn delivered_change_ids(&self) -> Vec<i64> {
        self.messages
            .iter()
            .filter(|m| m.status == DeliveryStatus::Sent)
            .flat_map(|m| m.change_ids.iter().copied())
            .collect()
    }
}

/// Delay before attempt `attempts + 1`, given `attempts` failures so far:
/// 1, 2, 4 ... minutes, capped at 6 hours, plus up to 10 % jitter so several
/// digests that failed together do not retry in lockstep.
pub fn retry_delay(attempts: u32) -> Duration {
    let exp = attempts.saturating_sub(1).min(20);
    let base = (RETRY_BASE_SECS << exp).min(RETRY_CAP_SECS);
    let jitter = rand::random::<u32>() as i64 % (base / 10 + 1);
    Duration::seconds(base + jitter)
}

fn lock<S>(store: &Mutex<S>) -> Result<MutexGuard<'_, S>, DigestError> {
    store.lock().map_err(|_| DigestError::StorePoisoned)
}

fn se<E: std::error::Error + Send + Sync + 'static>(e: E) -> DigestError {
    DigestError::Store(Box::new(e))
}

fn domain_of(from: &Mailbox) -> String {
    from.email.domain().to_string()
}

/// `<bw.NAME.20261126T030000Z.HASH@DOMAIN>`: stable for one enqueue (the
/// inputs are fixed then), different for every other message.
fn derive_message_id(
    digest: &str,
    change_ids: &[i64],
    now: DateTime<Utc>,
    from: &Mailbox,
) -> String {
    let mut h = Sha256::new();
    h.update(digest.as_bytes());
    h.update([0]);
    h.update(now.timestamp_micros().to_be_bytes());
    for id in change_ids {
        h.update(id.to_be_bytes());
    }
    let hash = hex::encode(&h.finalize()[..8]);
    format!(
        "<bw.{digest}.{}.{hash}@{}>",
        now.format("%Y%m%dT%H%M%SZ"),
        domain_of(from)
    )
}

fn list_id(spec: &DigestSpec, from: &Mailbox) -> String {
    format!(
        "branchwatch {} <{}.{}>",
        spec.name,
        spec.name.replace('_', "-"),
        domain_of(from)
    )
}

/// Start of the period a new digest covers: the previous run, or for a
/// first run the oldest change (or one day back when there is none).
fn period_start(
    last: Option<DateTime<Utc>>,
    changes: &[ChangeRecord],
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    last.or_else(|| changes.iter().map(|c| c.first_seen).min())
        .unwrap_or(now - Duration::days(1))
        .min(now)
}

fn check(spec: &DigestSpec) -> Result<Vec<Mailbox>, DigestError> {
    let problems = spec.validate();
    if !problems.is_empty() {
        return Err(DigestError::InvalidSpec {
            digest: spec.name.clone(),
            problems,
        });
    }
    Ok(spec
        .recipients
        .iter()
        .map(|r| parse_mailbox(r))
        .collect::<Result<Vec<_>, _>>()?)
}

struct Ctx<'a, S> {
    store: &'a Mutex<S>,
    mailer: &'a Mailer,
    spec: &'a DigestSpec,
    from: &'a Mailbox,
    to: Vec<Mailbox>,
    now: DateTime<Utc>,
}

impl<S: DigestStore> Ctx<'_, S> {
    /// Sends one outbox row and records the outcome. The store lock is
    /// taken only around the bookkeeping, never across the SMTP exchange.
    async fn deliver(
        &self,
        row_id: i64,
        message_id: &str,
        attempts_before: u32,
        rendered: Rendered,
        change_ids: Vec<i64>,
        resend: bool,
    ) -> Result<MessageOutcome, DigestError> {
        let name = &self.spec.name;
        let result = match build_message(
            &rendered,
            self.from,
            &self.to,
            message_id,
            &list_id(self.spec, self.from),
            self.now,
        ) {
            Ok(msg) => self.mailer.send(msg).await,
            Err(e) => Err(e),
        };
        let status = match result {
            Ok(()) => {
                lock(self.store)?
                    .outbox_mark_sent(row_id, self.now)
                    .map_err(se)?;
                tracing::info!(digest = %name, message_id, changes = change_ids.len(), "digest sent");
                DeliveryStatus::Sent
            }
            Err(e) => {
                let attempts = attempts_before + 1;
                let error = e.to_string();
                if e.is_transient() && attempts < MAX_ATTEMPTS {
                    let next = self.now + retry_delay(attempts);
                    lock(self.store)?
                        .outbox_mark_failed(row_id, &error, false, Some(next), self.now)
                        .map_err(se)?;
                    tracing::warn!(digest = %name, message_id, attempts, next_attempt_at = %next, error = %error, "digest not sent; will retry");
                    DeliveryStatus::Retrying {
                        attempts,
                        next_attempt_at: next,
                        error,
                    }
                } else {
                    let error = if e.is_transient() {
                        format!("gave up after {attempts} attempts: {error}")
                    } else {
                        error
                    };
                    lock(self.store)?
                        .outbox_mark_failed(row_id, &error, true, None, self.now)
                        .map_err(se)?;
                    tracing::error!(digest = %name, message_id, error = %error, "digest failed permanently");
                    DeliveryStatus::Failed { error }
                }
            }
        };
        Ok(MessageOutcome {
            outbox_id: row_id,
            message_id: message_id.to_string(),
            subject: rendered.subject,
            change_ids,
            resend,
            status,
        })
    }

    /// Re-sends pending rows: those due by `now`, or all with `force`.
    async fn retry_pending(
        &self,
        templates: &Templates,
        force: bool,
        report: &mut DigestRunReport,
    ) -> Result<(), DigestError> {
        let pending = lock(self.store)?
            .outbox_pending(&self.spec.name)
            .map_err(se)?;
        for p in pending {
            if !force && p.next_attempt_at.is_some_and(|t| t > self.now) {
                report.deferred += 1;
                continue;
            }
            let changes = lock(self.store)?
                .changes_by_ids(&p.change_ids)
                .map_err(se)?;
            let start = period_start(None, &changes, p.created_at);
            let mut rendered = render(&changes, self.spec, (start, p.created_at), templates)?;
            // The subject was fixed at enqueue time; a resend keeps it, like
            // its Message-ID, so it threads with (and dedupes against) the
            // first attempt.
            rendered.subject = p.subject.clone();
            let outcome = self
                .deliver(
                    p.id,
                    &p.message_id,
                    p.attempts,
                    rendered,
                    p.change_ids.clone(),
                    true,
                )
                .await?;
            report.messages.push(outcome);
        }
        Ok(())
    }

    async fn send_new(
        &self,
        templates: &Templates,
        send_empty: bool,
        report: &mut DigestRunReport,
    ) -> Result<(), DigestError> {
        let name = &self.spec.name;
        let filter = self.spec.filter();
        let (last, changes) = {
            let st = lock(self.store)?;
            let last = st.digest_last_run(name).map_err(se)?;
            let mut changes = st.undelivered_changes(name, &filter).map_err(se)?;
            changes.retain(|c| filter.matches(c));
            (last, changes)
        };
        if changes.is_empty() && !send_empty {
            report.skipped_empty = true;
            lock(self.store)?
                .set_digest_last_run(name, self.now)
                .map_err(se)?;
            return Ok(());
        }
        let start = period_start(last, &changes, self.now);
        let rendered = render(&changes, self.spec, (start, self.now), templates)?;
        let mut ids: Vec<i64> = changes.iter().map(|c| c.id).collect();
        ids.sort_unstable();
        let message_id = derive_message_id(name, &ids, self.now, self.from);
        let row_id = {
            let mut st = lock(self.store)?;
            let row = st
                .outbox_enqueue(name, &message_id, &rendered.subject, &ids, self.now)
                .map_err(se)?;
            // The period ends here whatever the SMTP server says: the changes
            // are now owned by the outbox row, not by the next period.
            st.set_digest_last_run(name, self.now).map_err(se)?;
            row
        };
        let outcome = self
            .deliver(row_id, &message_id, 0, rendered, ids, false)
            .await?;
        report.messages.push(outcome);
        Ok(())
    }
}

#[allow(clippy::too_many_arguments)]
async fn run(
    store: &Mutex<impl DigestStore>,
    mailer: &Mailer,
    spec: &DigestSpec,
    templates: &Templates,
    from: &Mailbox,
    now: DateTime<Utc>,
    force_retry: bool,
    send_empty: bool,
) -> Result<DigestRunReport, DigestError> {
    let to = check(spec)?;
    let ctx = Ctx {
        store,
        mailer,
        spec,
        from,
        to,
        now,
    };
    let mut report = DigestRunReport {
        digest: spec.name.clone(),
        ..Default::default()
    };
    ctx.retry_pending(templates, force_retry, &mut report)
        .await?;
    ctx.send_new(templates, send_empty, &mut report).await?;
    Ok(report)
}

/// A scheduled run: re-sends pending messages whose backoff has elapsed,
/// then mails everything else undelivered as one new message (or nothing,
/// when there is nothing and `send_empty` is off).
pub async fn run_digest<S: DigestStore>(
    store: &Mutex<S>,
    mailer: &Mailer,
    spec: &DigestSpec,
    templates: &Templates,
    from: &Mailbox,
    now: DateTime<Utc>,
) -> Result<DigestRunReport, DigestError> {
    run(
        store,
        mailer,
        spec,
        templates,
        from,
        now,
        false,
        spec.send_empty,
    )
    .await
}

/// The CLI's "send now": like [`run_digest`] but pending messages are
/// retried at once, whatever their backoff says.
pub async fn send_now<S: DigestStore>(
    store: &Mutex<S>,
    mailer: &Mailer,
    spec: &DigestSpec,
    templates: &Templates,
    from: &Mailbox,
    now: DateTime<Utc>,
) -> Result<DigestRunReport, DigestError> {
    run(
        store,
        mailer,
        spec,
        templates,
        from,
        now,
        true,
        spec.send_empty,
    )
    .await
}

/// When an immediate-mode digest may send next: `None` = now.
pub fn immediate_ready_at<S: DigestStore>(
    store: &S,
    spec: &DigestSpec,
) -> Result<Option<DateTime<Utc>>, DigestError> {
    let last = store.digest_last_run(&spec.name).map_err(se)?;
    Ok(last.map(|l| {
        l + Duration::seconds(spec.immediate_min_interval_secs.min(i64::MAX as u64) as i64)
    }))
}

/// Immediate mode, called by the daemon after it stored new changes: sends
/// what is undelivered unless the last message went out less than
/// `immediate_min_interval_secs` ago (then `Ok(None)`: call again at
/// [`immediate_ready_at`]). Never sends an empty message.
pub async fn run_immediate<S: DigestStore>(
    store: &Mutex<S>,
    mailer: &Mailer,
    spec: &DigestSpec,
    templates: &Templates,
    from: &Mailbox,
    now: DateTime<Utc>,
) -> Result<Option<DigestRunReport>, DigestError> {
    if !spec.immediate {
        return Ok(None);
    }
    {
        let st = lock(store)?;
        if immediate_ready_at(&*st, spec)?.is_some_and(|t| t > now) {
            return Ok(None);
        }
        let filter = spec.filter();
        let any_new = st
            .undelivered_changes(&spec.name, &filter)
            .map_err(se)?
            .iter()
            .any(|c| filter.matches(c));
        let any_due = st
            .outbox_pending(&spec.name)
            .map_err(se)?
            .iter()
            .any(|p| p.next_attempt_at.is_none_or(|t| t <= now));
        if !any_new && !any_due {
            return Ok(None);
        }
    }
    run(store, mailer, spec, templates, from, now, false, false)
        .await
        .map(Some)
}

/// The earliest time a pending message of this digest is due for a retry.
pub fn next_retry_at<S: DigestStore>(
    store: &S,
    spec: &DigestSpec,
) -> Result<Option<DateTime<Utc>>, DigestError> {
    Ok(store
        .outbox_pending(&spec.name)
        .map_err(se)?
        .iter()
        .map(|p| p.next_attempt_at.unwrap_or(p.created_at))
        .min())
}

/// When the daemon should next call [`run_digest`] for this digest: the
/// scheduled occurrence after the last run (in the past when a run was
/// missed while the daemon was down, meaning "now"), or the earliest due
/// retry, whichever comes first. A digest that never ran waits for its
/// first scheduled time after `now`.
pub fn next_due<S: DigestStore>(
    store: &S,
    spec: &DigestSpec,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, DigestError> {
    let last = store.digest_last_run(&spec.name).map_err(se)?;
    let scheduled = super::next_run(spec, last.unwrap_or(now))?;
    let retry = next_retry_at(store, spec)?;
    Ok(match (scheduled, retry) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    })
}

/// Renders the digest the next run would send as a new message, without
/// sending anything or touching the outbox.
pub fn preview<S: DigestStore>(
    store: &S,
    spec: &DigestSpec,
    templates: &Templates,
    now: DateTime<Utc>,
) -> Result<Rendered, DigestError> {
    let filter = spec.filter();
    let last = store.digest_last_run(&spec.name).map_err(se)?;
    let mut changes = store.undelivered_changes(&spec.name, &filter).map_err(se)?;
    changes.retain(|c| filter.matches(c));
    let start = period_start(last, &changes, now);
    render(&changes, spec, (start, now), templates)
}
