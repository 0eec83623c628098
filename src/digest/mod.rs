//! Digests: which changes go to whom, when, and how they are delivered.
//!
//! A [`DigestSpec`] names recipients, a filter (party, region, role, event,
//! minimum confidence), a cron schedule in an IANA time zone (default daily
//! 08:00 Asia/Almaty), the label language, and optionally *immediate* mode,
//! where each newly stored change is mailed at once, at most one message per
//! `immediate_min_interval_secs`. [`render`] turns changes into one
//! multipart message (templates in `templates/`, overridable from a
//! directory); [`run_digest`] delivers it through the store's outbox.
//!
//! # Delivery guarantees
//!
//! Every digest message goes through the store's outbox:
//!
//! 1. The run collects the changes not yet delivered for this digest (not
//!    rejected, matching the filter, and not part of a *pending* or *sent*
//!    message of this digest).
//! 2. It derives a Message-ID from the digest name, the time and the change
//!    ids, and **enqueues** the message (Message-ID, subject, change ids) as
//!    *pending* before talking to the SMTP server.
//! 3. It sends. Only when the server has accepted the message (250 after
//!    DATA) is the row marked *sent*; from then on its changes count as
//!    delivered.
//! 4. A transient failure (server down, timeout, TLS trouble, 4xx) leaves the
//!    row *pending* with an exponential backoff ([`retry_delay`]: 1 min,
//!    2, 4 ... capped at 6 h); each later run re-sends pending rows that are
//!    due, re-rendered from the same changes with the **same Message-ID and
//!    subject**, and then mails whatever else is undelivered in a new message.
//!    After [`MAX_ATTEMPTS`] attempts the row is given up as failed.
//! 5. A permanent failure (5xx, e.g. a recipient the server refuses) marks
//!    the row *failed*, is logged and returned in [`DigestRunReport`], and is
//!    not retried. Its changes are released, so once the configuration is
//!    fixed the next scheduled run includes them again.
//!
//! Because the Message-ID is stored before sending, a crash between "server
//! accepted" and "row marked sent" causes at most one duplicate, and that
//! duplicate carries the same Message-ID, so mail clients that deduplicate
//! by Message-ID show it once. An empty digest is not sent unless
//! `send_empty` is set.
//!
//! # Store access
//!
//! Delivery talks to the store through the small [`DigestStore`] trait
//! (implemented for `crate::store::Store` in `store_impl.rs`, and by
//! [`MemoryStore`] for tests and previews). The shared handle is a
//! `std::sync::Mutex` around the store: each call locks it briefly for one
//! SQLite statement and the lock is never held across an `.await` (the guard
//! is not `Send`, so the compiler enforces this for spawned tasks).

use crate::model::{ChangeRecord, Event, Lang, ReviewStatus, Role};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::str::FromStr;

mod deliver;
pub mod labels;
mod memory;
mod render;
mod store_impl;

#[cfg(test)]
mod tests;

pub use crate::mail::Rendered;
pub use deliver::{
    immediate_ready_at, next_due, next_retry_at, preview, retry_delay, run_digest, run_immediate,
    send_now, DeliveryStatus, DigestRunReport, DigestStore, MessageOutcome, PendingMessage,
    MAX_ATTEMPTS,
};
pub use memory::{MemoryOutboxRow, MemoryStore, MemoryStoreError, OutboxState};
pub use render::{needs_review, render, safe_href, Templates, TEMPLATE_NAMES};

/// Default schedule: every day at 08:00 (seconds field first, as the `cron`
/// crate expects).
pub const DEFAULT_SCHEDULE: &str = "0 0 8 * * *";
/// Default time zone of the schedule and of dates shown in digests.
pub const DEFAULT_TIMEZONE: &str = "Asia/Almaty";

fn default_schedule() -> String {
    DEFAULT_SCHEDULE.to_string()
}
fn default_timezone() -> String {
    DEFAULT_TIMEZONE.to_string()
}
fn default_language() -> Lang {
    Lang::En
}
fn default_immediate_interval() -> u64 {
    300
}
fn default_review_below() -> f32 {
    crate::model::REVIEW_BELOW
}

/// One configured digest (`[[digest]]` in the config file).
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DigestSpec {
    /// Identifies the digest in the store's outbox; `[a-z0-9_-]`.
    pub name: String,
    /// Cron expression with a seconds field (`sec min hour dom month dow`);
    /// a classic five-field expression gets `0` seconds prepended. Prefer
    /// day names (`Mon-Fri`): numeric days of the week follow the `cron`
    /// crate, where 1 is Sunday.
    #[serde(default = "default_schedule")]
    pub schedule: String,
    /// IANA time zone name for the schedule and for dates in the message.
    #[serde(default = "default_timezone")]
    pub timezone: String,
    pub recipients: Vec<String>,
    /// Language of labels and headings (en, ru, kk); quotes stay as written.
    #[serde(default = "default_language")]
    pub language: Lang,
    #[serde(default)]
    pub send_empty: bool,
    #[serde(default)]
    pub immediate: bool,
    #[serde(default = "default_immediate_interval")]
    pub immediate_min_interval_secs: u64,
    /// Empty = every party. Canonical ids, e.g. `AMANAT`.
    #[serde(default)]
    pub parties: Vec<String>,
    /// Empty = every region. ISO 3166-2:KZ codes, e.g. `KZ-75`.
    #[serde(default)]
    pub regions: Vec<String>,
    #[serde(default)]
    pub roles: Vec<Role>,
    #[serde(default)]
    pub events: Vec<Event>,
    /// Changes under this confidence are left out.
    #[serde(default)]
    pub min_confidence: f32,
    /// Unconfirmed changes under this confidence go to "needs review".
    #[serde(default = "default_review_below")]
    pub review_below: f32,
}

impl DigestSpec {
    /// A spec with every default and the given name and recipients.
    pub fn new(name: &str, recipients: &[&str]) -> DigestSpec {
        DigestSpec {
            name: name.to_string(),
            schedule: default_schedule(),
            timezone: default_timezone(),
            recipients: recipients.iter().map(|s| s.to_string()).collect(),
            language: default_language(),
            send_empty: false,
            immediate: false,
            immediate_min_interval_secs: default_immediate_interval(),
            parties: Vec::new(),
            regions: Vec::new(),
            roles: Vec::new(),
            events: Vec::new(),
            min_confidence: 0.0,
            review_below: default_review_below(),
        }
    }

    /// Every problem with the spec, each prefixed with `digest.<name>.<key>`.
    pub fn validate(&self) -> Vec<String> {
        let mut errs = Vec::new();
        let key = |k: &str| format!("digest.{}.{k}", self.name);
        if self.name.is_empty()
            || !self
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            errs.push(format!(
                "{}: {:?} must be non-empty and use only a-z, 0-9, '-' and '_'",
                key("name"),
                self.name
            ));
        }
        if let Err(e) = parse_schedule(&self.schedule) {
            errs.push(format!("{}: {e}", key("schedule")));
        }
        if Tz::from_str(&self.timezone).is_err() {
            errs.push(format!(
                "{}: {:?} is not an IANA time zone name (e.g. Asia/Almaty)",
                key("timezone"),
                self.timezone
            ));
        }
        if self.recipients.is_empty() {
            errs.push(format!(
                "{}: at least one address is needed",
                key("recipients")
            ));
        }
        for r in &self.recipients {
            if let Err(e) = r.parse::<lettre::message::Mailbox>() {
                errs.push(format!(
                    "{}: {r:?} is not a mail address: {e}",
                    key("recipients")
                ));
            }
        }
        if self.immediate && self.immediate_min_interval_secs == 0 {
            errs.push(format!(
                "{}: must be at least 1 in immediate mode",
                key("immediate_min_interval_secs")
            ));
        }
        for (k, v) in [
            ("min_confidence", self.min_confidence),
            ("review_below", self.review_below),
        ] {
            if !(0.0..=1.0).contains(&v) {
                errs.push(format!("{}: {v} is outside 0.0..=1.0", key(k)));
            }
        }
        for p in &self.parties {
            if p.trim().is_empty() {
                errs.push(format!("{}: empty party id", key("parties")));
            }
        }
        for r in &self.regions {
            if r.trim().is_empty() {
                errs.push(format!("{}: empty region code", key("regions")));
            }
        }
        errs
    }

    /// The parsed time zone.
    pub fn tz(&self) -> Result<Tz, DigestError> {
        Tz::from_str(&self.timezone).map_err(|_| DigestError::TimeZone(self.timezone.clone()))
    }

    fn tz_or_default(&self) -> Tz {
        self.tz().unwrap_or(chrono_tz::Asia::Almaty)
    }

    /// The part of the spec that selects changes.
    pub fn filter(&self) -> DigestFilter {
        DigestFilter {
            parties: self.parties.clone(),
            regions: self.regions.clone(),
            roles: self.roles.clone(),
            events: self.events.clone(),
            min_confidence: self.min_confidence,
        }
    }
}

/// Which changes a digest wants. Empty lists mean "any".
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DigestFilter {
    pub parties: Vec<String>,
    pub regions: Vec<String>,
    pub roles: Vec<Role>,
    pub events: Vec<Event>,
    pub min_confidence: f32,
}

impl DigestFilter {
    /// Applied again after the store's query, so a store that filters
    /// loosely (or not at all) still yields the right digest.
    pub fn matches(&self, c: &ChangeRecord) -> bool {
        c.status != ReviewStatus::Rejected
            && (self.parties.is_empty()
                || self
                    .parties
                    .iter()
                    .any(|p| p.eq_ignore_ascii_case(&c.party)))
            && (self.regions.is_empty()
                || self
                    .regions
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(&c.region)))
            && (self.roles.is_empty() || self.roles.contains(&c.role))
            && (self.events.is_empty() || self.events.contains(&c.event))
            && c.confidence >= self.min_confidence
    }
}

/// Parses a cron expression; five fields (no seconds) are accepted too.
pub fn parse_schedule(expr: &str) -> Result<cron::Schedule, DigestError> {
    let fields = expr.split_whitespace().count();
    let full = if fields == 5 {
        format!("0 {}", expr.trim())
    } else {
        expr.trim().to_string()
    };
    cron::Schedule::from_str(&full).map_err(|e| DigestError::Schedule {
        schedule: expr.to_string(),
        message: e.to_string(),
    })
}

/// The first scheduled run strictly after `after`, evaluated in the spec's
/// time zone. `None` when the expression has no future occurrence.
pub fn next_run(
    spec: &DigestSpec,
    after: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, DigestError> {
    let schedule = parse_schedule(&spec.schedule)?;
    let tz = spec.tz()?;
    Ok(schedule
        .after(&after.with_timezone(&tz))
        .next()
        .map(|t| t.with_timezone(&Utc)))
}

/// What went wrong in a digest run.
#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    #[error("digest {digest:?} is invalid: {}", problems.join("; "))]
    InvalidSpec {
        digest: String,
        problems: Vec<String>,
    },
    #[error("schedule {schedule:?}: {message}")]
    Schedule { schedule: String, message: String },
    #[error("unknown time zone {0:?}")]
    TimeZone(String),
    #[error("template {name}: {source}")]
    Template {
        name: String,
        #[source]
        source: minijinja::Error,
    },
    #[error("template directory {path}: {source}")]
    TemplateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Mail(#[from] crate::mail::MailError),
    #[error("store: {0}")]
    Store(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("the store lock is poisoned (a thread panicked while holding it)")]
    StorePoisoned,
}
