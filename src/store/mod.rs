//! The SQLite change log: feeds and their fetch state, items, articles,
//! changes merged from many reports, review and edit history, and the
//! digest outbox.
//!
//! The store knows no HTTP: the pipeline hands it what fetching and
//! detection produced, and every write that belongs together (a feed's new
//! fetch state, its new items, their articles and the changes they report)
//! happens in one transaction, so a crash never leaves half a refresh.
//!
//! The API is synchronous on purpose. `rusqlite` is a blocking binding; a
//! SQLite write takes microseconds to a few milliseconds on local disk and
//! there is a single writer (the daemon), so async wrappers would add a
//! thread hop per call without adding concurrency. Async callers move a
//! `Store` onto a dedicated thread or call it inside `spawn_blocking`; the
//! HTTP API opens short-lived read-only connections the same way.
//!
//! Every SQL statement binds its values as parameters; no input is ever
//! formatted into SQL text.

mod backfill;
mod changes;
mod feeds;
mod import;
mod outbox;
pub mod person;
mod roster;
mod schema;
mod web;

pub use backfill::MAX_ATTEMPTS as BACKFILL_MAX_ATTEMPTS;
pub use changes::{
    ChangeDetail, DisagreementValue, EditEntry, FieldDisagreement, ReviewEntry, RosterEntry,
    SourceFields, EDITABLE_FIELDS,
};
pub use feeds::{FeedFailure, FeedRefresh, FeedRow, NewItem, REMOVED_FROM_CONFIG};
pub use outbox::{OutboxMessage, OutboxState};
pub use web::{MonthCount, PersonPost, PersonSummary, PostNeighbours, PostRef, RegionActivity};

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a connection waits for another connection's lock before
/// failing with "database is locked". The daemon writes in short
/// transactions, so a few seconds covers any real contention.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Default merge window between two reports of the same change.
pub const DEFAULT_MERGE_WINDOW_DAYS: u32 = 30;

/// Errors callers can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("schema migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error(
        "database {path} has schema version {found}, this build expects {expected}; \
         open it once read-write (e.g. start the daemon) to migrate"
    )]
    SchemaVersion {
        path: PathBuf,
        found: i64,
        expected: i64,
    },
    #[error("no {what} {id}")]
    NotFound { what: &'static str, id: String },
    #[error("a feed named {0:?} already exists")]
    DuplicateFeed(String),
    #[error("an outbox message with id {0:?} already exists")]
    DuplicateMessage(String),
    #[error("unknown field {field:?} (editable fields: {})", EDITABLE_FIELDS.join(", "))]
    UnknownField { field: String },
    #[error("invalid value {value:?} for {field}: {reason}")]
    InvalidValue {
        field: String,
        value: String,
        reason: String,
    },
    #[error("outbox message {id} is {state}; it cannot be marked {to}")]
    InvalidTransition {
        id: i64,
        state: String,
        to: &'static str,
    },
    #[error("stored {column} value {value:?} is unreadable: {reason}")]
    Corrupt {
        column: &'static str,
        value: String,
        reason: String,
    },
}

/// What one refresh or ingest added.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RefreshSummary {
    /// Items not seen before in this feed.
    pub items_new: usize,
    /// Items handed in again that were already stored (ignored).
    pub items_known: usize,
    /// Articles stored for the first time.
    pub articles_new: usize,
    /// Changes created by this call.
    pub changes_new: Vec<i64>,
    /// Existing changes that gained a source.
    pub changes_merged: Vec<i64>,
    /// Reports already stored from the same URL (re-processing).
    pub sources_duplicate: usize,
    /// Reports dropped because the person's name folded to nothing.
    pub sources_skipped: usize,
}

/// Counts for `branchwatch status` and `/healthz`-style summaries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusSummary {
    pub feeds_total: i64,
    /// Enabled and the last attempt succeeded (or none made yet).
    pub feeds_ok: i64,
    /// Enabled with at least one consecutive error.
    pub feeds_failing: i64,
    pub feeds_disabled: i64,
    /// Latest fetch attempt of any feed.
    pub last_cycle_at: Option<DateTime<Utc>>,
    pub items_total: i64,
    pub changes_total: i64,
    /// Changes first seen since midnight UTC of `now`.
    pub changes_today: i64,
    pub changes_unreviewed: i64,
    pub outbox_pending: i64,
    pub outbox_failed: i64,
    pub digests: Vec<DigestRun>,
    /// Backfill jobs in state `running`, and their pages not yet fetched.
    pub backfill_running: i64,
    pub backfill_pending: i64,
}

/// When a digest last ran.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigestRun {
    pub digest: String,
    pub last_run_at: DateTime<Utc>,
}

/// A connection to the branchwatch database.
pub struct Store {
    conn: Connection,
    merge_window_days: u32,
}

impl Store {
    /// Opens (creating if missing) and migrates the database. The parent
    /// directory must exist: creating directories is the caller's decision.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // WAL lets the API's readers run while the daemon writes.
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "SQLite refused WAL mode; continuing in {mode}");
        }
        // In WAL mode, synchronous=NORMAL syncs the WAL only at checkpoints.
        // A power cut can lose the last few commits but never corrupts the
        // database: every commit is a complete frame sequence in the WAL
        // and incomplete ones are discarded on recovery. A lost refresh is
        // simply fetched again, so durability of the very last commit is
        // not worth an fsync per transaction.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        schema::migrations().to_latest(&mut conn)?;
        Ok(Store {
            conn,
            merge_window_days: DEFAULT_MERGE_WINDOW_DAYS,
        })
    }

    /// Opens an existing, migrated database without write access (for the
    /// HTTP API and CLI queries).
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found != schema::LATEST_VERSION {
            return Err(StoreError::SchemaVersion {
                path: path.to_path_buf(),
                found,
                expected: schema::LATEST_VERSION,
            });
        }
        Ok(Store {
            conn,
            merge_window_days: DEFAULT_MERGE_WINDOW_DAYS,
        })
    }

    /// Sets how far apart (in days, by event date or else first-seen date)
    /// two reports may be and still be merged into one change.
    pub fn set_merge_window_days(&mut self, days: u32) {
        self.merge_window_days = days;
    }

    /// The current merge window in days.
    pub fn merge_window_days(&self) -> u32 {
        self.merge_window_days
    }

    /// When the named digest last ran.
    pub fn digest_last_run(&self, digest: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let v: Option<String> = self
            .conn
            .query_row(
                "SELECT last_run_at FROM digest_runs WHERE digest = ?1",
                [digest],
                |r| r.get(0),
            )
            .map(Some)
            .or_else(not_found_is_none)?;
        v.as_deref()
            .map(|s| parse_ts("digest_runs.last_run_at", s))
            .transpose()
    }

    /// Records that the named digest ran at `at`.
    pub fn set_digest_last_run(
        &mut self,
        digest: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO digest_runs (digest, last_run_at) VALUES (?1, ?2)
             ON CONFLICT(digest) DO UPDATE SET last_run_at = excluded.last_run_at",
            rusqlite::params![digest, ts(at)],
        )?;
        Ok(())
    }

    /// Counts for a status line.
    pub fn status_summary(&self, now: DateTime<Utc>) -> Result<StatusSummary, StoreError> {
        let c = &self.conn;
        let count = |sql: &str| -> Result<i64, StoreError> {
            Ok(c.query_row(sql, [], |r| r.get::<_, i64>(0))?)
        };
        let midnight = now
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc())
            .unwrap_or(now);
        let changes_today: i64 = c.query_row(
            "SELECT count(*) FROM changes WHERE first_seen >= ?1",
            [ts(midnight)],
            |r| r.get(0),
        )?;
        let last: Option<String> =
            c.query_row("SELECT max(last_checked_at) FROM feeds", [], |r| r.get(0))?;
        let mut digests = Vec::new();
        let mut st = c.prepare("SELECT digest, last_run_at FROM digest_runs ORDER BY digest")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (digest, at) = row?;
            digests.push(DigestRun {
                digest,
                last_run_at: parse_ts("digest_runs.last_run_at", &at)?,
            });
        }
        Ok(StatusSummary {
            feeds_total: count("SELECT count(*) FROM feeds")?,
            feeds_ok: count(
                "SELECT count(*) FROM feeds WHERE enabled = 1 AND consecutive_errors = 0",
            )?,
            feeds_failing: count(
                "SELECT count(*) FROM feeds WHERE enabled = 1 AND consecutive_errors > 0",
            )?,
            feeds_disabled: count("SELECT count(*) FROM feeds WHERE enabled = 0")?,
            last_cycle_at: last
                .as_deref()
                .map(|s| parse_ts("feeds.last_checked_at", s))
                .transpose()?,
            items_total: count("SELECT count(*) FROM items")?,
            changes_total: count("SELECT count(*) FROM changes")?,
            changes_today,
            changes_unreviewed: count("SELECT count(*) FROM changes WHERE status = 'new'")?,
            outbox_pending: count("SELECT count(*) FROM outbox WHERE state = 'pending'")?,
            outbox_failed: count("SELECT count(*) FROM outbox WHERE state = 'failed'")?,
            digests,
            backfill_running: count("SELECT count(*) FROM backfill_jobs WHERE state = 'running'")?,
            backfill_pending: count(
                "SELECT count(*) FROM backfill_urls u JOIN backfill_jobs j ON j.id = u.job_id
                 WHERE j.state = 'running' AND u.state IN ('pending', 'fetching', 'downloaded')",
            )?,
        })
    }

    /// Starts a write transaction with `BEGIN IMMEDIATE`. A deferred
    /// transaction that reads first and writes later cannot wait for another
    /// writer when it upgrades its lock: SQLite answers "database is locked"
    /// at once instead of using the busy timeout. Taking the write lock up
    /// front lets a refresh wait out a CLI edit or a second process.
    fn write_tx(&mut self) -> Result<rusqlite::Transaction<'_>, StoreError> {
        Ok(self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?)
    }

    /// Whether the database answers a query: for health checks, which must
    /// not reach past the store into its connection.
    pub fn ping(&self) -> Result<(), StoreError> {
        self.conn
            .query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?;
        Ok(())
    }

    /// Direct access for tests and one-off maintenance (e.g. `VACUUM INTO`
    /// for backups). Not for pipeline code.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// Timestamps are stored as fixed-width RFC 3339 UTC text so that string
/// order is time order and SQL comparisons need no conversion.
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    ts_for_bench(t)
}

/// The stored timestamp form, for code that writes rows directly
/// (`bench::web::fill`).
pub fn ts_for_bench(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn parse_ts(column: &'static str, s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt {
            column,
            value: s.to_string(),
            reason: e.to_string(),
        })
}

pub(crate) fn parse_opt_ts(
    column: &'static str,
    s: Option<String>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    s.as_deref().map(|s| parse_ts(column, s)).transpose()
}

pub(crate) fn parse_date(column: &'static str, s: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| StoreError::Corrupt {
        column,
        value: s.to_string(),
        reason: e.to_string(),
    })
}

pub(crate) fn parse_enum<T: std::str::FromStr>(
    column: &'static str,
    s: &str,
) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    s.parse::<T>().map_err(|e| StoreError::Corrupt {
        column,
        value: s.to_string(),
        reason: e.to_string(),
    })
}

pub(crate) fn not_found_is_none<T>(e: rusqlite::Error) -> Result<Option<T>, rusqlite::Error> {
    match e {
        rusqlite::Error::QueryReturnedNoRows => Ok(None),
        e => Err(e),
    }
}

#[cfg(test)]
mod tests;
