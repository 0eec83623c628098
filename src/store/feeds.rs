//! Feeds, their fetch state, and the items and articles a refresh brings.

use super::changes::{merge_report, upsert_article, SourceInput};
use super::{parse_enum, parse_opt_ts, ts, RefreshSummary, Store, StoreError};
use crate::model::{Article, DetectedChange, FeedItem, FeedSpec, Lang, Validators};
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row, Transaction};
use serde::Serialize;

/// `disabled_reason` of a configured feed that left the config file; such
/// a feed is re-enabled when it comes back.
pub const REMOVED_FROM_CONFIG: &str = "removed from config";

/// A feed as stored, with its fetch state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedRow {
    pub id: i64,
    pub name: String,
    /// Where the next fetch goes (updated on permanent redirects).
    pub url: String,
    /// The URL the config file gives, if the feed came from it.
    pub config_url: Option<String>,
    /// `config` or `cli` (added with `feeds add`).
    pub origin: String,
    pub lang: Option<Lang>,
    pub poll_interval_secs: Option<u64>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub validators: Validators,
    pub consecutive_errors: u32,
    pub last_checked_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_error_kind: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    pub next_check_at: Option<DateTime<Utc>>,
    /// RSS `<ttl>` from the last successful fetch, minutes.
    pub ttl_minutes: Option<u32>,
    /// `Cache-Control: max-age` from the last successful fetch, seconds.
    pub max_age_secs: Option<u64>,
    pub item_count: i64,
    pub created_at: DateTime<Utc>,
}

/// The outcome of one successful fetch of a feed (200 or 304).
#[derive(Debug, Clone, PartialEq)]
pub struct FeedRefresh {
    pub feed_id: i64,
    pub fetched_at: DateTime<Utc>,
    pub validators: Validators,
    pub permanent_redirect_to: Option<String>,
    pub next_check_at: DateTime<Utc>,
    /// 304: the validators given (if any) refresh the stored ones, and no
    /// items are expected.
    pub not_modified: bool,
    pub ttl_minutes: Option<u32>,
    pub max_age_secs: Option<u64>,
    pub items: Vec<NewItem>,
}

/// An item not seen before, with what fetching and detecting it produced.
#[derive(Debug, Clone, PartialEq)]
pub struct NewItem {
    pub item: FeedItem,
    pub article: Option<Article>,
    /// Why the article could not be fetched or extracted.
    pub article_error: Option<String>,
    pub changes: Vec<DetectedChange>,
}

/// A failed fetch of a feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedFailure {
    pub feed_id: i64,
    pub at: DateTime<Utc>,
    /// Short machine-readable kind (`timeout`, `http_404`, `parse`, ...).
    pub kind: String,
    pub message: String,
    pub next_check_at: DateTime<Utc>,
    /// Whether the failure counts against the feed (adds to
    /// `consecutive_errors`). `false` for deferrals that say nothing about
    /// the feed's health, e.g. robots.txt or a 429 with Retry-After.
    pub failing: bool,
    /// Set to disable the feed (e.g. 410 Gone), with the reason shown.
    pub disable_reason: Option<String>,
}

const FEED_COLUMNS: &str = "f.id, f.name, f.url, f.config_url, f.origin, f.lang, \
    f.poll_interval_secs, f.enabled, f.disabled_reason, f.etag, f.last_modified, \
    f.consecutive_errors, f.last_checked_at, f.last_success_at, f.last_error, \
    f.last_error_kind, f.last_error_at, f.next_check_at, f.ttl_minutes, f.max_age_secs, \
    (SELECT count(*) FROM items i WHERE i.feed_id = f.id), f.created_at";

type RawFeed = (
    (i64, String, String, Option<String>, String, Option<String>),
    (
        Option<i64>,
        bool,
        Option<String>,
        Option<String>,
        Option<String>,
        i64,
    ),
    (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    ),
    (
        Option<String>,
        Option<String>,
        Option<i64>,
        Option<i64>,
        i64,
        String,
    ),
);

fn raw_feed(r: &Row<'_>) -> rusqlite::Result<RawFeed> {
    Ok((
        (
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
        ),
        (
            r.get(6)?,
            r.get(7)?,
            r.get(8)?,
            r.get(9)?,
            r.get(10)?,
            r.get(11)?,
        ),
        (r.get(12)?, r.get(13)?, r.get(14)?, r.get(15)?),
        (
            r.get(16)?,
            r.get(17)?,
            r.get(18)?,
            r.get(19)?,
            r.get(20)?,
            r.get(21)?,
        ),
    ))
}

fn feed_row(raw: RawFeed) -> Result<FeedRow, StoreError> {
    let ((id, name, url, config_url, origin, lang), b, c, d) = raw;
    let (poll, enabled, disabled_reason, etag, last_modified, errors) = b;
    let (last_checked, last_success, last_error, last_error_kind) = c;
    let (last_error_at, next_check, ttl, max_age, item_count, created) = d;
    Ok(FeedRow {
        id,
        name,
        url,
        config_url,
        origin,
        lang: lang
            .as_deref()
            .map(|l| parse_enum::<Lang>("feeds.lang", l))
            .transpose()?,
        poll_interval_secs: poll.map(|p| p.max(0) as u64),
        enabled,
        disabled_reason,
        validators: Validators {
            etag,
            last_modified,
        },
        consecutive_errors: errors.clamp(0, i64::from(u32::MAX)) as u32,
        last_checked_at: parse_opt_ts("feeds.last_checked_at", last_checked)?,
        last_success_at: parse_opt_ts("feeds.last_success_at", last_success)?,
        last_error,
        last_error_kind,
        last_error_at: parse_opt_ts("feeds.last_error_at", last_error_at)?,
        next_check_at: parse_opt_ts("feeds.next_check_at", next_check)?,
        ttl_minutes: ttl.map(|t| t.clamp(0, i64::from(u32::MAX)) as u32),
        max_age_secs: max_age.map(|m| m.max(0) as u64),
        item_count,
        created_at: super::parse_ts("feeds.created_at", &created)?,
    })
}

fn poll_secs(spec: &FeedSpec) -> Option<i64> {
    spec.poll_interval_secs
        .map(|s| i64::try_from(s).unwrap_or(i64::MAX))
}

impl Store {
    /// Makes the stored feeds match the config: adds new ones, updates
    /// changed ones (by name), disables configured feeds that are gone
    /// (their items and history stay) and re-enables them if they return.
    /// Feeds added from the CLI are left alone.
    pub fn sync_feeds(&mut self, specs: &[FeedSpec], now: DateTime<Utc>) -> Result<(), StoreError> {
        let tx = self.write_tx()?;
        for spec in specs {
            let existing: Option<(i64, Option<String>, Option<String>)> = tx
                .query_row(
                    "SELECT id, config_url, disabled_reason FROM feeds WHERE name = ?1",
                    [&spec.name],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let lang = spec.lang.map(|l| l.as_str());
            match existing {
                None => {
                    tx.execute(
                        "INSERT INTO feeds (name, url, config_url, origin, lang, poll_interval_secs, created_at)
                         VALUES (?1, ?2, ?2, 'config', ?3, ?4, ?5)",
                        params![spec.name, spec.url, lang, poll_secs(spec), ts(now)],
                    )?;
                }
                Some((id, config_url, reason)) => {
                    tx.execute(
                        "UPDATE feeds SET origin = 'config', lang = ?2, poll_interval_secs = ?3 WHERE id = ?1",
                        params![id, lang, poll_secs(spec)],
                    )?;
                    if config_url.as_deref() != Some(spec.url.as_str()) {
                        // A new URL in the config is a new feed as far as
                        // fetch state goes: old validators and errors do not apply.
                        tx.execute(
                            "UPDATE feeds SET url = ?2, config_url = ?2, enabled = 1, disabled_reason = NULL,
                                consecutive_errors = 0, etag = NULL, last_modified = NULL, next_check_at = NULL
                             WHERE id = ?1",
                            params![id, spec.url],
                        )?;
                    } else if reason.as_deref() == Some(REMOVED_FROM_CONFIG) {
                        tx.execute(
                            "UPDATE feeds SET enabled = 1, disabled_reason = NULL WHERE id = ?1",
                            [id],
                        )?;
                    }
                }
            }
        }
        let configured: Vec<(i64, String)> = {
            let mut st =
                tx.prepare("SELECT id, name FROM feeds WHERE origin = 'config' AND enabled = 1")?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        for (id, name) in configured {
            if !specs.iter().any(|s| s.name == name) {
                tx.execute(
                    "UPDATE feeds SET enabled = 0, disabled_reason = ?2 WHERE id = ?1",
                    params![id, REMOVED_FROM_CONFIG],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Adds a feed from the CLI; fails if the name is taken.
    pub fn add_feed(&mut self, spec: &FeedSpec, now: DateTime<Utc>) -> Result<i64, StoreError> {
        let taken: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM feeds WHERE name = ?1)",
            [&spec.name],
            |r| r.get(0),
        )?;
        if taken {
            return Err(StoreError::DuplicateFeed(spec.name.clone()));
        }
        self.conn.execute(
            "INSERT INTO feeds (name, url, origin, lang, poll_interval_secs, created_at)
             VALUES (?1, ?2, 'cli', ?3, ?4, ?5)",
            params![
                spec.name,
                spec.url,
                spec.lang.map(|l| l.as_str()),
                poll_secs(spec),
                ts(now)
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Deletes a feed (by name, else by URL) and its items. Articles and
    /// changes stay. A feed still in the config comes back on the next sync.
    pub fn remove_feed(&mut self, name_or_url: &str) -> Result<bool, StoreError> {
        let n = self
            .conn
            .execute("DELETE FROM feeds WHERE name = ?1", [name_or_url])?;
        if n > 0 {
            return Ok(true);
        }
        let n = self.conn.execute(
            "DELETE FROM feeds WHERE url = ?1 OR config_url = ?1",
            [name_or_url],
        )?;
        Ok(n > 0)
    }

    /// All feeds, by name.
    pub fn feeds(&self) -> Result<Vec<FeedRow>, StoreError> {
        self.query_feeds(
            &format!("SELECT {FEED_COLUMNS} FROM feeds f ORDER BY f.name"),
            &[],
        )
    }

    /// One feed by id.
    pub fn feed(&self, id: i64) -> Result<Option<FeedRow>, StoreError> {
        Ok(self
            .query_feeds(
                &format!("SELECT {FEED_COLUMNS} FROM feeds f WHERE f.id = ?1"),
                &[&id],
            )?
            .pop())
    }

    /// Enabled feeds whose next check is due (never-checked first).
    pub fn due_feeds(&self, now: DateTime<Utc>) -> Result<Vec<FeedRow>, StoreError> {
        self.query_feeds(
            &format!(
                "SELECT {FEED_COLUMNS} FROM feeds f
                 WHERE f.enabled = 1 AND (f.next_check_at IS NULL OR f.next_check_at <= ?1)
                 ORDER BY f.next_check_at IS NOT NULL, f.next_check_at, f.id"
            ),
            &[&ts(now)],
        )
    }

    fn query_feeds(
        &self,
        sql: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<FeedRow>, StoreError> {
        let mut st = self.conn.prepare(sql)?;
        let raws: Vec<RawFeed> = st.query_map(args, raw_feed)?.collect::<Result<_, _>>()?;
        raws.into_iter().map(feed_row).collect()
    }

    /// Publication times (first-seen when undated) of the feed's latest
    /// items, newest first, for adaptive polling.
    pub fn recent_item_times(
        &self,
        feed_id: i64,
        limit: usize,
    ) -> Result<Vec<DateTime<Utc>>, StoreError> {
        let mut st = self.conn.prepare(
            "SELECT COALESCE(published, first_seen) AS t FROM items WHERE feed_id = ?1
             ORDER BY t DESC LIMIT ?2",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows: Vec<String> = st
            .query_map(params![feed_id, limit], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        rows.iter()
            .map(|s| super::parse_ts("items.published", s))
            .collect()
    }

    /// The keys (in the order given, without repeats) this feed has not stored.
    pub fn unseen_item_keys(
        &self,
        feed_id: i64,
        keys: &[String],
    ) -> Result<Vec<String>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM items WHERE feed_id = ?1 AND key = ?2)",
        )?;
        let mut out: Vec<String> = Vec::new();
        for k in keys {
            if out.contains(k) {
                continue;
            }
            let seen: bool = st.query_row(params![feed_id, k], |r| r.get(0))?;
            if !seen {
                out.push(k.clone());
            }
        }
        Ok(out)
    }

    /// Stores a successful fetch in one transaction: fetch state, a
    /// permanent redirect, new items, their articles, and their changes
    /// merged into the log. Items already stored are skipped.
    pub fn record_refresh(&mut self, r: &FeedRefresh) -> Result<RefreshSummary, StoreError> {
        let window = self.merge_window_days;
        let tx = self.write_tx()?;
        let feed: Option<(String, Option<String>)> = tx
            .query_row(
                "SELECT url, lang FROM feeds WHERE id = ?1",
                [r.feed_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let Some((_, feed_lang)) = feed else {
            return Err(StoreError::NotFound {
                what: "feed",
                id: r.feed_id.to_string(),
            });
        };
        let at = ts(r.fetched_at);
        // A 304 may omit validators; keep the old ones then. A 200 without
        // them means the server stopped sending them, so clear them.
        let sql = if r.not_modified {
            "UPDATE feeds SET last_checked_at = ?2, last_success_at = ?2, consecutive_errors = 0,
                next_check_at = ?3, etag = COALESCE(?4, etag), last_modified = COALESCE(?5, last_modified),
                ttl_minutes = COALESCE(?6, ttl_minutes), max_age_secs = COALESCE(?7, max_age_secs),
                url = COALESCE(?8, url)
             WHERE id = ?1"
        } else {
            "UPDATE feeds SET last_checked_at = ?2, last_success_at = ?2, consecutive_errors = 0,
                next_check_at = ?3, etag = ?4, last_modified = ?5, ttl_minutes = ?6, max_age_secs = ?7,
                url = COALESCE(?8, url)
             WHERE id = ?1"
        };
        tx.execute(
            sql,
            params![
                r.feed_id,
                at,
                ts(r.next_check_at),
                r.validators.etag,
                r.validators.last_modified,
                r.ttl_minutes,
                r.max_age_secs.map(|m| i64::try_from(m).unwrap_or(i64::MAX)),
                r.permanent_redirect_to
            ],
        )?;
        let feed_lang = feed_lang.and_then(|l| l.parse::<Lang>().ok());
        let mut summary = RefreshSummary::default();
        for ni in &r.items {
            store_item(
                &tx,
                r.feed_id,
                feed_lang,
                ni,
                r.fetched_at,
                window,
                &mut summary,
            )?;
        }
        tx.commit()?;
        Ok(summary)
    }

    /// Stores a failed fetch: error, kind, next check, and the feed's
    /// disabling when the failure says it is gone for good.
    pub fn record_feed_error(&mut self, r: &FeedFailure) -> Result<(), StoreError> {
        let n = self.conn.execute(
            "UPDATE feeds SET last_checked_at = ?2, last_error = ?3, last_error_kind = ?4,
                last_error_at = ?2, next_check_at = ?5,
                consecutive_errors = consecutive_errors + ?6,
                enabled = CASE WHEN ?7 IS NULL THEN enabled ELSE 0 END,
                disabled_reason = COALESCE(?7, disabled_reason)
             WHERE id = ?1",
            params![
                r.feed_id,
                ts(r.at),
                r.message,
                r.kind,
                ts(r.next_check_at),
                i64::from(r.failing),
                r.disable_reason
            ],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound {
                what: "feed",
                id: r.feed_id.to_string(),
            });
        }
        Ok(())
    }

    /// Stores one article fetched outside any feed (`branchwatch ingest
    /// URL`) and merges its changes. Running it again adds nothing.
    pub fn record_article(
        &mut self,
        a: &Article,
        changes: &[DetectedChange],
        now: DateTime<Utc>,
    ) -> Result<RefreshSummary, StoreError> {
        let window = self.merge_window_days;
        let tx = self.write_tx()?;
        let mut summary = RefreshSummary::default();
        let (article_id, inserted) = upsert_article(&tx, a, now)?;
        summary.articles_new += usize::from(inserted);
        let src = SourceInput::from_article(a, article_id, None);
        for d in changes {
            merge_report(&tx, d, &src, now, window, &mut summary)?;
        }
        tx.commit()?;
        Ok(summary)
    }
}

fn store_item(
    tx: &Transaction<'_>,
    feed_id: i64,
    feed_lang: Option<Lang>,
    ni: &NewItem,
    now: DateTime<Utc>,
    window: u32,
    summary: &mut RefreshSummary,
) -> Result<(), StoreError> {
    let it = &ni.item;
    let n = tx.execute(
        "INSERT OR IGNORE INTO items (feed_id, key, guid, link, title, summary, published, first_seen, article_error)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            feed_id,
            it.key,
            it.guid,
            it.link,
            it.title,
            it.summary,
            it.published.map(ts),
            ts(now),
            ni.article_error
        ],
    )?;
    if n == 0 {
        summary.items_known += 1;
        return Ok(());
    }
    summary.items_new += 1;
    let item_id = tx.last_insert_rowid();
    let src = match &ni.article {
        Some(a) => {
            let (article_id, inserted) = upsert_article(tx, a, now)?;
            summary.articles_new += usize::from(inserted);
            tx.execute(
                "UPDATE items SET article_id = ?2 WHERE id = ?1",
                params![item_id, article_id],
            )?;
            let mut s = SourceInput::from_article(a, article_id, it.published);
            if s.title.is_none() {
                s.title = it.title.clone();
            }
            if s.lang.is_none() {
                s.lang = feed_lang;
            }
            s
        }
        // Changes detected from the feed entry alone (no article page).
        None => SourceInput {
            url: it.link.clone().unwrap_or_else(|| it.key.clone()),
            title: it.title.clone(),
            outlet: None,
            lang: feed_lang,
            published: it.published,
            article_id: None,
        },
    };
    for d in &ni.changes {
        merge_report(tx, d, &src, now, window, summary)?;
    }
    Ok(())
}
