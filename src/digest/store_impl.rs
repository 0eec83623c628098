//! [`DigestStore`] for the SQLite [`Store`].
//!
//! The store's [`ChangeFilter`] takes one value per field while a digest may
//! list several. A single role or event is pushed down to SQL; everything
//! else is left to [`DigestFilter::matches`], which `run_digest` applies to
//! every result. Party and region are never pushed down because SQL compares
//! them exactly while the digest config matches them case-insensitively.

use super::{DigestFilter, DigestStore, PendingMessage};
use crate::model::ChangeFilter;
use crate::model::ChangeRecord;
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};

fn only<T: Clone>(v: &[T]) -> Option<T> {
    match v {
        [one] => Some(one.clone()),
        _ => None,
    }
}

fn to_change_filter(f: &DigestFilter) -> ChangeFilter {
    ChangeFilter {
        role: only(&f.roles),
        event: only(&f.events),
        hide_rejected: true,
        ..ChangeFilter::default()
    }
}

impl DigestStore for Store {
    type Error = StoreError;

    fn undelivered_changes(
        &self,
        digest: &str,
        f: &DigestFilter,
    ) -> Result<Vec<ChangeRecord>, StoreError> {
        Store::undelivered_changes(self, digest, &to_change_filter(f))
    }

    fn changes_by_ids(&self, ids: &[i64]) -> Result<Vec<ChangeRecord>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(d) = self.change(*id)? {
                out.push(d.record);
            }
        }
        Ok(out)
    }

    fn outbox_enqueue(
        &mut self,
        digest: &str,
        message_id: &str,
        subject: &str,
        change_ids: &[i64],
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        Store::outbox_enqueue(self, digest, message_id, subject, change_ids, now)
    }

    fn outbox_pending(&self, digest: &str) -> Result<Vec<PendingMessage>, StoreError> {
        Ok(Store::outbox_pending(self, digest)?
            .into_iter()
            .map(|m| PendingMessage {
                id: m.id,
                message_id: m.message_id,
                subject: m.subject,
                change_ids: m.change_ids,
                attempts: m.attempts,
                next_attempt_at: m.next_attempt_at,
                created_at: m.created_at,
            })
            .collect())
    }

    fn outbox_mark_sent(&mut self, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        Store::outbox_mark_sent(self, id, now)
    }

    fn outbox_mark_failed(
        &mut self,
        id: i64,
        error: &str,
        permanent: bool,
        next_attempt_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        Store::outbox_mark_failed(self, id, error, permanent, next_attempt_at, now)
    }

    fn digest_last_run(&self, digest: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        Store::digest_last_run(self, digest)
    }

    fn set_digest_last_run(&mut self, digest: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        Store::set_digest_last_run(self, digest, at)
    }
}
