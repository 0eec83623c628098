//! An in-memory [`DigestStore`], with the same outbox semantics as the
//! SQLite store. Used by tests and by previews of hand-made change lists.

use super::{DigestFilter, DigestStore, PendingMessage};
use crate::model::ChangeRecord;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// State of an outbox row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    Pending,
    Sent,
    Failed,
}

/// One outbox row as [`MemoryStore`] keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryOutboxRow {
    pub id: i64,
    pub digest: String,
    pub message_id: String,
    pub subject: String,
    pub change_ids: Vec<i64>,
    pub state: OutboxState,
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Debug, thiserror::Error)]
pub enum MemoryStoreError {
    #[error("no outbox row {0}")]
    NoSuchRow(i64),
}

/// Changes and an outbox in plain vectors.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    changes: Vec<ChangeRecord>,
    outbox: Vec<MemoryOutboxRow>,
    last_run: HashMap<String, DateTime<Utc>>,
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// Adds a change, or replaces the one with the same id.
    pub fn upsert_change(&mut self, c: ChangeRecord) {
        match self.changes.iter_mut().find(|x| x.id == c.id) {
            Some(x) => *x = c,
            None => self.changes.push(c),
        }
    }

    pub fn outbox(&self) -> &[MemoryOutboxRow] {
        &self.outbox
    }

    fn row(&mut self, id: i64) -> Result<&mut MemoryOutboxRow, MemoryStoreError> {
        self.outbox
            .iter_mut()
            .find(|r| r.id == id)
            .ok_or(MemoryStoreError::NoSuchRow(id))
    }
}

impl DigestStore for MemoryStore {
    type Error = MemoryStoreError;

    fn undelivered_changes(
        &self,
        digest: &str,
        f: &DigestFilter,
    ) -> Result<Vec<ChangeRecord>, MemoryStoreError> {
        let owned: Vec<i64> = self
            .outbox
            .iter()
            .filter(|r| r.digest == digest && r.state != OutboxState::Failed)
            .flat_map(|r| r.change_ids.iter().copied())
            .collect();
        Ok(self
            .changes
            .iter()
            .filter(|c| f.matches(c) && !owned.contains(&c.id))
            .cloned()
            .collect())
    }

    fn changes_by_ids(&self, ids: &[i64]) -> Result<Vec<ChangeRecord>, MemoryStoreError> {
        Ok(self
            .changes
            .iter()
            .filter(|c| ids.contains(&c.id))
            .cloned()
            .collect())
    }

    fn outbox_enqueue(
        &mut self,
        digest: &str,
        message_id: &str,
        subject: &str,
        change_ids: &[i64],
        now: DateTime<Utc>,
    ) -> Result<i64, MemoryStoreError> {
        let id = self.outbox.len() as i64 + 1;
        self.outbox.push(MemoryOutboxRow {
            id,
            digest: digest.to_string(),
            message_id: message_id.to_string(),
            subject: subject.to_string(),
            change_ids: change_ids.to_vec(),
            state: OutboxState::Pending,
            attempts: 0,
            next_attempt_at: None,
            last_error: None,
            created_at: now,
            sent_at: None,
        });
        Ok(id)
    }

    fn outbox_pending(&self, digest: &str) -> Result<Vec<PendingMessage>, MemoryStoreError> {
        Ok(self
            .outbox
            .iter()
            .filter(|r| r.digest == digest && r.state == OutboxState::Pending)
            .map(|r| PendingMessage {
                id: r.id,
                message_id: r.message_id.clone(),
                subject: r.subject.clone(),
                change_ids: r.change_ids.clone(),
                attempts: r.attempts,
                next_attempt_at: r.next_attempt_at,
                created_at: r.created_at,
            })
            .collect())
    }

    fn outbox_mark_sent(&mut self, id: i64, now: DateTime<Utc>) -> Result<(), MemoryStoreError> {
        let r = self.row(id)?;
        // Counted like the SQLite store does: every attempt, the good one too.
        r.attempts += 1;
        r.state = OutboxState::Sent;
        r.sent_at = Some(now);
        r.next_attempt_at = None;
        Ok(())
    }

    fn outbox_mark_failed(
        &mut self,
        id: i64,
        error: &str,
        permanent: bool,
        next_attempt_at: Option<DateTime<Utc>>,
        _now: DateTime<Utc>,
    ) -> Result<(), MemoryStoreError> {
        let r = self.row(id)?;
        r.attempts += 1;
        r.last_error = Some(error.to_string());
        if permanent {
            r.state = OutboxState::Failed;
            r.next_attempt_at = None;
        } else {
            r.next_attempt_at = next_attempt_at;
        }
        Ok(())
    }

    fn digest_last_run(&self, digest: &str) -> Result<Option<DateTime<Utc>>, MemoryStoreError> {
        Ok(self.last_run.get(digest).copied())
    }

    fn set_digest_last_run(
        &mut self,
        digest: &str,
        at: DateTime<Utc>,
    ) -> Result<(), MemoryStoreError> {
        self.last_run.insert(digest.to_string(), at);
        Ok(())
    }
}
