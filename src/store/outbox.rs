//! The digest outbox: a message is written here (with the changes it
//! carries) before any SMTP attempt, so a crash between rendering and
//! sending neither loses nor duplicates a digest.
//!
//! States: `pending` → `sent`, `pending` → `pending` (a retryable failure,
//! with `next_attempt_at`), `pending` → `failed` (permanent). Sent and
//! failed messages are final. A permanently failed message releases its
//! changes: `undelivered_changes` offers them again.

use super::{parse_opt_ts, parse_ts, ts, Store, StoreError};
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

/// Where a message is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    Pending,
    Sent,
    Failed,
}

impl OutboxState {
    fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "pending" => Ok(Self::Pending),
            "sent" => Ok(Self::Sent),
            "failed" => Ok(Self::Failed),
            _ => Err(StoreError::Corrupt {
                column: "outbox.state",
                value: s.to_string(),
                reason: "expected pending, sent or failed".to_string(),
            }),
        }
    }
}

/// One digest email as queued.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxMessage {
    pub id: i64,
    pub digest: String,
    /// The RFC 5322 Message-ID, fixed at enqueue time so retries are
    /// recognisable as the same message.
    pub message_id: String,
    pub subject: String,
    pub state: OutboxState,
    pub change_ids: Vec<i64>,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

const OUTBOX_COLUMNS: &str = "id, digest, message_id, subject, state, attempts, last_error, \
    next_attempt_at, created_at, updated_at, sent_at";

type RawOutbox = (
    (i64, String, String, String, String, i64),
    (
        Option<String>,
        Option<String>,
        String,
        String,
        Option<String>,
    ),
);

impl Store {
    /// Queues a digest message carrying `change_ids`, in one transaction.
    pub fn outbox_enqueue(
        &mut self,
        digest: &str,
        message_id: &str,
        subject: &str,
        change_ids: &[i64],
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let tx = self.write_tx()?;
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM outbox WHERE message_id = ?1)",
            [message_id],
            |r| r.get(0),
        )?;
        if taken {
            return Err(StoreError::DuplicateMessage(message_id.to_string()));
        }
        tx.execute(
            "INSERT INTO outbox (digest, message_id, subject, state, created_at, updated_at)
             VALUES (?1, ?2, ?3, 'pending', ?4, ?4)",
            params![digest, message_id, subject, ts(now)],
        )?;
        let id = tx.last_insert_rowid();
        for cid in change_ids {
            let exists: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM changes WHERE id = ?1)",
                [cid],
                |r| r.get(0),
            )?;
            if !exists {
                return Err(StoreError::NotFound {
                    what: "change",
                    id: cid.to_string(),
                });
            }
            tx.execute(
                "INSERT OR IGNORE INTO outbox_changes (outbox_id, change_id) VALUES (?1, ?2)",
                params![id, cid],
            )?;
        }
        tx.commit()?;
        Ok(id)
    }

    fn outbox_query(
        &self,
        sql: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let mut st = self.conn.prepare(sql)?;
        let raws: Vec<RawOutbox> = st
            .query_map(args, |r| {
                Ok((
                    (
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ),
                    (r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?),
                ))
            })?
            .collect::<Result<_, _>>()?;
        let mut ids_st = self.conn.prepare_cached(
            "SELECT change_id FROM outbox_changes WHERE outbox_id = ?1 ORDER BY change_id",
        )?;
        let mut out = Vec::with_capacity(raws.len());
        for ((id, digest, message_id, subject, state, attempts), b) in raws {
            let (last_error, next_attempt_at, created_at, updated_at, sent_at) = b;
            let change_ids: Vec<i64> = ids_st
                .query_map([id], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            out.push(OutboxMessage {
                id,
                digest,
                message_id,
                subject,
                state: OutboxState::parse(&state)?,
                change_ids,
                attempts: attempts.clamp(0, i64::from(u32::MAX)) as u32,
                last_error,
                next_attempt_at: parse_opt_ts("outbox.next_attempt_at", next_attempt_at)?,
                created_at: parse_ts("outbox.created_at", &created_at)?,
                updated_at: parse_ts("outbox.updated_at", &updated_at)?,
                sent_at: parse_opt_ts("outbox.sent_at", sent_at)?,
            });
        }
        Ok(out)
    }

    /// Pending messages of a digest, oldest first (due or not: the caller
    /// compares `next_attempt_at` with its clock).
    pub fn outbox_pending(&self, digest: &str) -> Result<Vec<OutboxMessage>, StoreError> {
        self.outbox_query(
            &format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE digest = ?1 AND state = 'pending' ORDER BY id"),
            &[&digest],
        )
    }

    /// Every message, optionally of one digest, oldest first.
    pub fn outbox_all(&self, digest: Option<&str>) -> Result<Vec<OutboxMessage>, StoreError> {
        match digest {
            Some(d) => self.outbox_query(
                &format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE digest = ?1 ORDER BY id"),
                &[&d],
            ),
            None => self.outbox_query(
                &format!("SELECT {OUTBOX_COLUMNS} FROM outbox ORDER BY id"),
                &[],
            ),
        }
    }

    fn outbox_state(&self, id: i64) -> Result<String, StoreError> {
        self.conn
            .query_row("SELECT state FROM outbox WHERE id = ?1", [id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "outbox message",
                id: id.to_string(),
            })
    }

    /// Marks a pending message delivered.
    pub fn outbox_mark_sent(&mut self, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        let n = self.conn.execute(
            "UPDATE outbox SET state = 'sent', attempts = attempts + 1, sent_at = ?2, updated_at = ?2,
                next_attempt_at = NULL
             WHERE id = ?1 AND state = 'pending'",
            params![id, ts(now)],
        )?;
        if n == 0 {
            let state = self.outbox_state(id)?;
            return Err(StoreError::InvalidTransition {
                id,
                state,
                to: "sent",
            });
        }
        Ok(())
    }

    /// Records a failed delivery attempt of a pending message: it stays
    /// pending until `next_attempt_at`, or becomes `failed` if `permanent`.
    pub fn outbox_mark_failed(
        &mut self,
        id: i64,
        error: &str,
        permanent: bool,
        next_attempt_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let n = self.conn.execute(
            "UPDATE outbox SET state = ?2, attempts = attempts + 1, last_error = ?3,
                next_attempt_at = ?4, updated_at = ?5
             WHERE id = ?1 AND state = 'pending'",
            params![
                id,
                if permanent { "failed" } else { "pending" },
                error,
                if permanent {
                    None
                } else {
                    next_attempt_at.map(ts)
                },
                ts(now)
            ],
        )?;
        if n == 0 {
            let state = self.outbox_state(id)?;
            return Err(StoreError::InvalidTransition {
                id,
                state,
                to: "failed",
            });
        }
        Ok(())
    }
}
