//! Backfill jobs and their discovered URLs.
//!
//! # Resuming without fetching a page twice
//!
//! A URL moves `pending` → `fetching` → `downloaded` → `fetched` (or
//! `failed` from any step):
//!
//! * [`Store::backfill_claim`] marks the next URL `fetching` and commits
//!   *before* its request is sent;
//! * [`Store::backfill_store_download`] commits the page's text as soon as
//!   it has arrived, before the milliseconds of extraction and detection;
//! * [`Store::backfill_record_page`] stores the article, its changes and the
//!   URL's `fetched` state in **one** transaction (and drops the text), so no
//!   state exists in which a page's result is stored but the URL still looks
//!   unfetched, or the other way round.
//!
//! After SIGKILL, a `downloaded` URL is processed from its stored text
//! ([`Store::backfill_downloads`]), never fetched again. A URL left
//! `fetching` is the only one whose request may have reached the server
//! without the answer being stored; [`Store::backfill_recover`] puts it back
//! to `pending` (reporting it) and it is requested again. That is the whole
//! crash window: a request on the wire at the moment of the kill, at most
//! one per concurrent fetch. Closing it would need the server's answer
//! stored before the server sent it. Storing is idempotent anyway (articles
//! by URL, reports by fingerprint), so a repeat never duplicates a change.

use super::changes::{merge_report, upsert_article, SourceInput};
use super::{parse_enum, parse_opt_ts, parse_ts, ts, RefreshSummary, Store, StoreError};
use crate::model::{
    ArchiveEntry, Article, BackfillJob, BackfillSpec, DetectedChange, JobState, JobUrl, Lane,
};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, OptionalExtension};
use std::collections::HashSet;

/// Transient failures of one URL before it is given up.
pub const MAX_ATTEMPTS: u32 = 3;

fn lane_code(l: Lane) -> i64 {
    match l {
        Lane::Likely => 0,
        Lane::Untitled => 1,
        Lane::Unlikely => 2,
    }
}

fn lane_of(code: i64) -> Lane {
    match code {
        0 => Lane::Likely,
        1 => Lane::Untitled,
        _ => Lane::Unlikely,
    }
}

const JOB_COLUMNS: &str = "j.id, j.site, j.since, j.until, j.sitemap, j.feed_pages, j.state, \
    j.created_at, j.updated_at, j.last_error, \
    (SELECT count(*) FROM backfill_urls u WHERE u.job_id = j.id), \
    (SELECT count(*) FROM backfill_urls u WHERE u.job_id = j.id AND u.state IN ('pending', 'fetching', 'downloaded')), \
    (SELECT count(*) FROM backfill_urls u WHERE u.job_id = j.id AND u.state = 'fetched'), \
    (SELECT count(*) FROM backfill_urls u WHERE u.job_id = j.id AND u.state = 'failed'), \
    (SELECT COALESCE(sum(changes_new), 0) FROM backfill_urls u WHERE u.job_id = j.id)";

type RawJob = (
    (i64, String, Option<String>, Option<String>, Option<String>),
    (Option<String>, String, String, String, Option<String>),
    (i64, i64, i64, i64, i64),
);

fn raw_job(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawJob> {
    Ok((
        (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?),
        (r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?),
        (r.get(10)?, r.get(11)?, r.get(12)?, r.get(13)?, r.get(14)?),
    ))
}

fn opt_date(column: &'static str, s: Option<String>) -> Result<Option<NaiveDate>, StoreError> {
    s.as_deref()
        .map(|d| super::parse_date(column, d))
        .transpose()
}

fn job(raw: RawJob) -> Result<BackfillJob, StoreError> {
    let ((id, site, since, until, sitemap), (feed_pages, state, created, updated, err), counts) =
        raw;
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    Ok(BackfillJob {
        id,
        spec: BackfillSpec {
            site,
            since: opt_date("backfill_jobs.since", since)?,
            until: opt_date("backfill_jobs.until", until)?,
            sitemap,
            feed_pages,
        },
        state: parse_enum("backfill_jobs.state", &state)?,
        created_at: parse_ts("backfill_jobs.created_at", &created)?,
        updated_at: parse_ts("backfill_jobs.updated_at", &updated)?,
        discovered: n(counts.0),
        pending: n(counts.1),
        fetched: n(counts.2),
        failed: n(counts.3),
        changes_found: n(counts.4),
        last_error: err,
    })
}

type RawUrl = (
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    u32,
);

/// Reads `id, url, title, published, lastmod, lane, attempts` (columns 0–6).
fn raw_url(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawUrl> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

fn job_url(raw: RawUrl) -> Result<JobUrl, StoreError> {
    let (id, url, title, published, lastmod, lane, attempts) = raw;
    Ok(JobUrl {
        id,
        url,
        title,
        published: parse_opt_ts("backfill_urls.published", published)?,
        lastmod: parse_opt_ts("backfill_urls.lastmod", lastmod)?,
        lane: lane_of(lane),
        attempts,
    })
}

impl Store {
    /// Creates a job in state `running`, not yet discovered.
    pub fn backfill_create(
        &mut self,
        spec: &BackfillSpec,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO backfill_jobs (site, since, until, sitemap, feed_pages, state, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'running', ?6, ?6)",
            params![
                spec.site,
                spec.since.map(|d| d.to_string()),
                spec.until.map(|d| d.to_string()),
                spec.sitemap,
                spec.feed_pages,
                ts(now)
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// A running job with exactly this spec (the same command run again
    /// after a crash continues it instead of starting over).
    pub fn backfill_find_running(&self, spec: &BackfillSpec) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM backfill_jobs
                 WHERE state = 'running' AND site = ?1 AND since IS ?2 AND until IS ?3
                   AND sitemap IS ?4 AND feed_pages IS ?5
                 ORDER BY id LIMIT 1",
                params![
                    spec.site,
                    spec.since.map(|d| d.to_string()),
                    spec.until.map(|d| d.to_string()),
                    spec.sitemap,
                    spec.feed_pages
                ],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// One job with its counts.
    pub fn backfill_job(&self, id: i64) -> Result<Option<BackfillJob>, StoreError> {
        let raw = self
            .conn
            .query_row(
                &format!("SELECT {JOB_COLUMNS} FROM backfill_jobs j WHERE j.id = ?1"),
                [id],
                raw_job,
            )
            .optional()?;
        raw.map(job).transpose()
    }

    /// Every job, oldest first.
    pub fn backfill_jobs(&self) -> Result<Vec<BackfillJob>, StoreError> {
        let mut st = self.conn.prepare(&format!(
            "SELECT {JOB_COLUMNS} FROM backfill_jobs j ORDER BY j.id"
        ))?;
        let raws: Vec<RawJob> = st.query_map([], raw_job)?.collect::<Result<_, _>>()?;
        raws.into_iter().map(job).collect()
    }

    /// Whether the job's discovered URLs are stored.
    pub fn backfill_discovered(&self, id: i64) -> Result<bool, StoreError> {
        let at: Option<Option<String>> = self
            .conn
            .query_row(
                "SELECT discovered_at FROM backfill_jobs WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        match at {
            None => Err(StoreError::NotFound {
                what: "backfill job",
                id: id.to_string(),
            }),
            Some(at) => Ok(at.is_some()),
        }
    }

    /// Moves a job to `to` if it is in one of `from`; otherwise says why not.
    pub fn backfill_set_state(
        &mut self,
        id: i64,
        from: &[JobState],
        to: JobState,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let Some(j) = self.backfill_job(id)? else {
            return Err(StoreError::NotFound {
                what: "backfill job",
                id: id.to_string(),
            });
        };
        if !from.contains(&j.state) {
            return Err(StoreError::InvalidTransition {
                id,
                state: j.state.to_string(),
                to: to.as_str(),
            });
        }
        self.conn.execute(
            "UPDATE backfill_jobs SET state = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, to.as_str(), ts(now)],
        )?;
        Ok(())
    }

    /// The process recorded as running the job, if any.
    pub fn backfill_runner(&self, id: i64) -> Result<Option<u32>, StoreError> {
        let pid: Option<Option<u32>> = self
            .conn
            .query_row(
                "SELECT runner_pid FROM backfill_jobs WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        pid.ok_or_else(|| StoreError::NotFound {
            what: "backfill job",
            id: id.to_string(),
        })
    }

    /// Records `pid` as the job's runner if the runner is still `expected`
    /// (compare and set: of two processes taking over, one wins). Returns
    /// whether it did.
    pub fn backfill_take(
        &mut self,
        id: i64,
        expected: Option<u32>,
        pid: u32,
    ) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "UPDATE backfill_jobs SET runner_pid = ?3 WHERE id = ?1 AND runner_pid IS ?2",
            params![id, expected, pid],
        )?;
        Ok(n == 1)
    }

    /// Clears the runner if it is `pid` (a run ended).
    pub fn backfill_release(&mut self, id: i64, pid: u32) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE backfill_jobs SET runner_pid = NULL WHERE id = ?1 AND runner_pid = ?2",
            params![id, pid],
        )?;
        Ok(())
    }

    /// Records a job-level error (discovery problems) for `backfill list`.
    pub fn backfill_note_error(&mut self, id: i64, error: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE backfill_jobs SET last_error = ?2 WHERE id = ?1",
            params![id, error],
        )?;
        Ok(())
    }

    /// Of `urls`, those already stored as articles, already fetched by a
    /// job, or waiting in another running or paused job.
    pub fn backfill_known_urls(
        &self,
        job_id: i64,
        urls: &[String],
    ) -> Result<HashSet<String>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM articles WHERE url = ?1 OR fetched_url = ?1)
                 OR EXISTS (SELECT 1 FROM backfill_urls u JOIN backfill_jobs j ON j.id = u.job_id
                            WHERE u.url = ?1 AND (u.state = 'fetched'
                               OR (j.id <> ?2 AND j.state IN ('running', 'paused')
                                   AND u.state IN ('pending', 'fetching', 'downloaded'))))",
        )?;
        let mut known = HashSet::new();
        for u in urls {
            if st.query_row(params![u, job_id], |r| r.get::<_, bool>(0))? {
                known.insert(u.clone());
            }
        }
        Ok(known)
    }

    /// Stores discovered URLs with their lanes and marks the job discovered,
    /// in one transaction. Returns how many were new to the job.
    pub fn backfill_add_urls(
        &mut self,
        job_id: i64,
        entries: &[(ArchiveEntry, Lane)],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let tx = self.write_tx()?;
        let mut added = 0;
        {
            let mut st = tx.prepare_cached(
                "INSERT OR IGNORE INTO backfill_urls (job_id, url, title, published, lastmod, lane, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for (e, lane) in entries {
                added += st.execute(params![
                    job_id,
                    e.url,
                    e.title,
                    e.published.map(ts),
                    e.lastmod.map(ts),
                    lane_code(*lane),
                    ts(now)
                ])?;
            }
        }
        tx.execute(
            "UPDATE backfill_jobs SET discovered_at = ?2, updated_at = ?2 WHERE id = ?1",
            params![job_id, ts(now)],
        )?;
        tx.commit()?;
        Ok(added)
    }

    /// Keeps a page's text as soon as it has arrived (state `downloaded`).
    pub fn backfill_store_download(
        &mut self,
        url_id: i64,
        final_url: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE backfill_urls SET state = 'downloaded', final_url = ?2, body = ?3, updated_at = ?4
             WHERE id = ?1",
            params![url_id, final_url, text, ts(now)],
        )?;
        Ok(())
    }

    /// Pages a killed run downloaded but did not store: (URL, final URL, text).
    pub fn backfill_downloads(
        &self,
        job_id: i64,
    ) -> Result<Vec<(JobUrl, String, String)>, StoreError> {
        let mut st = self.conn.prepare(
            "SELECT id, url, title, published, lastmod, lane, attempts, final_url, body
             FROM backfill_urls WHERE job_id = ?1 AND state = 'downloaded' ORDER BY lane, id",
        )?;
        let raws: Vec<(RawUrl, Option<String>, Option<String>)> = st
            .query_map([job_id], |r| Ok((raw_url(r)?, r.get(7)?, r.get(8)?)))?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for (raw, final_url, body) in raws {
            let u = job_url(raw)?;
            let final_url = final_url.unwrap_or_else(|| u.url.clone());
            out.push((u, final_url, body.unwrap_or_default()));
        }
        Ok(out)
    }

    /// After a crash: URLs left `fetching` go back to `pending`. Returns them.
    pub fn backfill_recover(&mut self, job_id: i64) -> Result<Vec<String>, StoreError> {
        let tx = self.write_tx()?;
        let urls: Vec<String> = {
            let mut st = tx.prepare(
                "SELECT url FROM backfill_urls WHERE job_id = ?1 AND state = 'fetching' ORDER BY id",
            )?;
            let v = st
                .query_map([job_id], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            v
        };
        tx.execute(
            "UPDATE backfill_urls SET state = 'pending' WHERE job_id = ?1 AND state = 'fetching'",
            [job_id],
        )?;
        tx.commit()?;
        Ok(urls)
    }

    /// The next pending URL of a running job, lowest lane first, marked
    /// `fetching` before it is returned. `None` when the job has no pending
    /// URL or is no longer running (paused or cancelled meanwhile).
    pub fn backfill_claim(
        &mut self,
        job_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<JobUrl>, StoreError> {
        let tx = self.write_tx()?;
        let raw = tx
            .query_row(
                "SELECT u.id, u.url, u.title, u.published, u.lastmod, u.lane, u.attempts
                 FROM backfill_urls u JOIN backfill_jobs j ON j.id = u.job_id
                 WHERE u.job_id = ?1 AND j.state = 'running' AND u.state = 'pending'
                 ORDER BY u.lane, u.id LIMIT 1",
                [job_id],
                raw_url,
            )
            .optional()?;
        let Some(raw) = raw else {
            return Ok(None);
        };
        tx.execute(
            "UPDATE backfill_urls SET state = 'fetching', updated_at = ?2 WHERE id = ?1",
            params![raw.0, ts(now)],
        )?;
        tx.commit()?;
        job_url(raw).map(Some)
    }

    /// Stores a fetched page's article and changes and marks its URL
    /// `fetched`, in one transaction. Changes it creates are marked
    /// `backfill` (history); reports that merge into known changes leave
    /// those as they were.
    pub fn backfill_record_page(
        &mut self,
        url_id: i64,
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
        for id in &summary.changes_new {
            tx.execute("UPDATE changes SET origin = 'backfill' WHERE id = ?1", [id])?;
        }
        tx.execute(
            "UPDATE backfill_urls SET state = 'fetched', article_id = ?2, changes_new = ?3,
                 error = NULL, body = NULL, final_url = NULL, updated_at = ?4 WHERE id = ?1",
            params![
                url_id,
                article_id,
                summary.changes_new.len() as i64,
                ts(now)
            ],
        )?;
        tx.commit()?;
        Ok(summary)
    }

    /// A URL whose fetch failed: back to `pending` for another try when the
    /// error is transient and attempts remain, else `failed`.
    pub fn backfill_record_failure(
        &mut self,
        url_id: i64,
        error: &str,
        transient: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE backfill_urls SET attempts = attempts + 1, error = ?2, updated_at = ?3,
                 body = NULL, final_url = NULL,
                 state = CASE WHEN ?4 AND attempts + 1 < ?5 THEN 'pending' ELSE 'failed' END
             WHERE id = ?1",
            params![url_id, error, ts(now), transient, MAX_ATTEMPTS],
        )?;
        Ok(())
    }

    /// Marks a running job `done` when no URL is pending or in flight.
    /// Returns whether it is done.
    pub fn backfill_finish_if_done(
        &mut self,
        job_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "UPDATE backfill_jobs SET state = 'done', updated_at = ?2
             WHERE id = ?1 AND state = 'running' AND discovered_at IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM backfill_urls
                               WHERE job_id = ?1 AND state IN ('pending', 'fetching', 'downloaded'))",
            params![job_id, ts(now)],
        )?;
        Ok(n > 0
            || self
                .backfill_job(job_id)?
                .is_some_and(|j| j.state == JobState::Done))
    }

    /// Ids of jobs in state `running`, oldest first (what the daemon resumes).
    pub fn backfill_running(&self) -> Result<Vec<i64>, StoreError> {
        let mut st = self
            .conn
            .prepare("SELECT id FROM backfill_jobs WHERE state = 'running' ORDER BY id")?;
        let ids = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(ids)
    }
}
