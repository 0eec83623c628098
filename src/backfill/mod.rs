//! Backfill: fill the change log and roster from a site's own archive.
//!
//! A job is stored in SQLite ([`crate::store`]): its site and date range,
//! then the URLs [`discover`] found (minus those already stored), each in a
//! priority lane ([`lane_of`]). Running a job fetches its pending URLs,
//! likely ones first, through the same path as polling and `ingest` (the
//! two halves of [`Pipeline::fetch_article`], `Fetcher::fetch_page` and
//! [`Pipeline::extract_page`], then [`Pipeline::detect_article`]), and
//! stores each page's article, changes and URL state in one transaction. Changes a job creates
//! are history (`origin = 'backfill'`): in the roster and change log, not in
//! the next digest.
//!
//! Politeness is the shared fetcher's (per-host concurrency and spacing,
//! robots.txt, private-address guard); on a transient failure (429, 5xx,
//! timeouts) the whole job waits for `Retry-After`, else an exponential
//! backoff, before its next request, and the URL is retried up to
//! [`crate::store::BACKFILL_MAX_ATTEMPTS`] times.
//!
//! See `store::backfill` for how a job survives SIGKILL. One process runs
//! a job at a time (its pid is recorded on the job; a dead runner is taken
//! over at once), so the service and a foreground `backfill` never fetch
//! for the same job with two request budgets.

pub mod discover;
pub mod sitemap;

use crate::db::DbError;
use crate::detect::{self, Tables};
use crate::fetch::PageResponse;
use crate::metrics::Metrics;
use crate::model::{ArchiveEntry, BackfillSpec, DetectInput, JobState, JobUrl, Lane, UrlState};
use crate::pipeline::{Pipeline, PipelineError};
use chrono::{DateTime, Utc};
use discover::{DiscoverError, DiscoverOptions};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tracing::{info, warn};

/// Longest wait after a transient failure, whatever `Retry-After` says.
pub const MAX_BACKOFF: Duration = Duration::from_secs(3600);

#[derive(Debug, thiserror::Error)]
pub enum BackfillError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Discover(#[from] DiscoverError),
    #[error("backfill job {0} does not exist")]
    NoSuchJob(i64),
    #[error(
        "backfill job {id} is {state}; only a running job is run (`backfill resume {id}` first)"
    )]
    NotRunning { id: i64, state: JobState },
    #[error("backfill task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
    #[error("backfill job {id} is being run by process {pid} (the service, or another `backfill`); it continues there — `backfill list` shows its progress")]
    Busy { id: i64, pid: u32 },
}

/// Whether a process with this id exists (on this machine, where the
/// SQLite file is).
fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: kill with signal 0 sends nothing; it only reports whether the
    // process exists (EPERM: it does, under another user).
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Makes this process the job's runner, unless a live other process is.
/// A runner that died (SIGKILL) is taken over at once.
async fn take_job(p: &Pipeline, id: i64) -> Result<(), BackfillError> {
    let me = std::process::id();
    loop {
        let current = p.db.call(move |s| s.backfill_runner(id)).await?;
        if let Some(pid) = current.filter(|&pid| pid != me && process_alive(pid)) {
            return Err(BackfillError::Busy { id, pid });
        }
        if p.db.call(move |s| s.backfill_take(id, current, me)).await? {
            return Ok(());
        }
    }
}

/// How a job is run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Pages fetched at once. The fetcher's per-host limit and spacing pace
    /// them anyway; more than two only queues requests in the fetcher.
    pub concurrency: usize,
    /// Limits of discovery (the date range comes from the job).
    pub discover: DiscoverOptions,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            concurrency: 2,
            discover: DiscoverOptions::default(),
        }
    }
}

/// Called after discovery with the number of URLs to fetch, and after
/// every page with the number handled so far.
pub trait Progress: Send + Sync {
    fn discovered(&self, _to_fetch: u64) {}
    fn page_done(&self, _url: &str, _changes_new: usize) {}
}

/// No progress reporting (the daemon, tests).
pub struct Quiet;
impl Progress for Quiet {}

/// What one run of a job did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RunReport {
    pub job_id: i64,
    /// URLs discovery listed in range (0 when the job was discovered before).
    pub listed: usize,
    /// Of those, already stored or queued elsewhere.
    pub known: usize,
    /// URLs listed outside the date range.
    pub out_of_range: usize,
    pub sitemaps_read: usize,
    pub sitemaps_skipped: usize,
    pub feed_pages_read: usize,
    pub problems: Vec<String>,
    /// Pages fetched and stored by this run.
    pub fetched: u64,
    pub failed: u64,
    pub changes_new: u64,
    pub changes_merged: u64,
    /// URLs a previous run left in flight (requested, maybe, but not stored).
    pub resumed_in_flight: Vec<String>,
    pub state: Option<JobState>,
    /// Changes the job created over all its runs.
    pub job_changes: u64,
    pub discovery_secs: f64,
    pub fetch_secs: f64,
}

/// The lane of a title: whether the detector's own tables find a role,
/// event, acting or branch cue in it. No title: [`Lane::Untitled`].
pub fn lane_of(title: Option<&str>, tables: &Tables) -> Lane {
    let Some(title) = title.map(str::trim).filter(|t| !t.is_empty()) else {
        return Lane::Untitled;
    };
    let ex = detect::explain(
        &DetectInput {
            title,
            text: "",
            lang: None,
            published: None,
        },
        tables,
    );
    let cue = ex.mentions.iter().any(|m| {
        m.kind.starts_with("role:")
            || m.kind.starts_with("event:")
            || m.kind == "branch"
            || m.kind == "acting"
    });
    if cue {
        Lane::Likely
    } else {
        Lane::Unlikely
    }
}

/// Runs the running job with exactly this spec (one a crash interrupted),
/// else creates one, to its end (or until paused or cancelled from elsewhere).
pub async fn start(
    p: &Pipeline,
    spec: BackfillSpec,
    opts: &RunOptions,
    progress: Arc<dyn Progress>,
) -> Result<RunReport, BackfillError> {
    // A site no discovery can start from is refused before a job exists
    // (a stored job would be retried by the service for ever).
    discover::site_origin(&spec.site)?;
    let now = Utc::now();
    let id =
        p.db.call(move |s| match s.backfill_find_running(&spec)? {
            Some(id) => Ok(id),
            None => s.backfill_create(&spec, now),
        })
        .await?;
    info!(job = id, "backfill job");
    run_job(p, id, opts, progress).await
}

/// Runs a stored job: discovers it if that never finished, puts back URLs
/// a killed run left in flight, then fetches what is pending.
pub async fn run_job(
    p: &Pipeline,
    id: i64,
    opts: &RunOptions,
    progress: Arc<dyn Progress>,
) -> Result<RunReport, BackfillError> {
    let job =
        p.db.call(move |s| s.backfill_job(id))
            .await?
            .ok_or(BackfillError::NoSuchJob(id))?;
    if job.state != JobState::Running {
        return Err(BackfillError::NotRunning {
            id,
            state: job.state,
        });
    }
    take_job(p, id).await?;
    let result = run_taken(p, id, &job.spec, opts, progress).await;
    let me = std::process::id();
    p.db.call(move |s| s.backfill_release(id, me)).await?;
    result
}

/// [`run_job`] once this process is the job's runner.
async fn run_taken(
    p: &Pipeline,
    id: i64,
    spec: &BackfillSpec,
    opts: &RunOptions,
    progress: Arc<dyn Progress>,
) -> Result<RunReport, BackfillError> {
    let mut report = RunReport {
        job_id: id,
        ..RunReport::default()
    };
    report.resumed_in_flight = p.db.call(move |s| s.backfill_recover(id)).await?;
    if !report.resumed_in_flight.is_empty() {
        warn!(job = id, urls = ?report.resumed_in_flight, "resuming: these were in flight when the last run stopped");
    }
    if !p.db.call(move |s| s.backfill_discovered(id)).await? {
        let started = Instant::now();
        discover_into(p, id, spec, opts, &mut report).await?;
        report.discovery_secs = started.elapsed().as_secs_f64();
    }
    let pending =
        p.db.call(move |s| s.backfill_job(id))
            .await?
            .map_or(0, |j| j.pending);
    progress.discovered(pending);
    let started = Instant::now();
    fetch_pending(p, id, opts, progress, &mut report).await?;
    report.fetch_secs = started.elapsed().as_secs_f64();
    let now = Utc::now();
    p.db.call(move |s| s.backfill_finish_if_done(id, now))
        .await?;
    if let Some(j) = p.db.call(move |s| s.backfill_job(id)).await? {
        report.state = Some(j.state);
        report.job_changes = j.changes_found;
    }
    info!(
        job = id,
        fetched = report.fetched,
        failed = report.failed,
        changes_new = report.changes_new,
        changes_merged = report.changes_merged,
        secs = format!("{:.2}", report.fetch_secs),
        pages_per_s = format!(
            "{:.1}",
            report.fetched as f64 / report.fetch_secs.max(1e-9)
        ),
        state = ?report.state,
        "backfill run ended"
    );
    Ok(report)
}

/// Discovery, the known-URL filter and the lanes, stored in one transaction.
async fn discover_into(
    p: &Pipeline,
    id: i64,
    spec: &BackfillSpec,
    opts: &RunOptions,
    report: &mut RunReport,
) -> Result<(), BackfillError> {
    let dopts = DiscoverOptions {
        since: spec.since,
        until: spec.until,
        ..opts.discover.clone()
    };
    let started = Instant::now();
    let found = discover::discover(&p.fetcher, spec, &dopts).await?;
    let secs = started.elapsed().as_secs_f64();
    info!(
        job = id,
        urls = found.entries.len(),
        out_of_range = found.out_of_range,
        secs = format!("{secs:.2}"),
        urls_per_s = format!(
            "{:.0}",
            (found.entries.len() + found.out_of_range) as f64 / secs.max(1e-9)
        ),
        "backfill discovery"
    );
    report.listed = found.entries.len();
    report.out_of_range = found.out_of_range;
    report.sitemaps_read = found.sitemaps_read;
    report.sitemaps_skipped = found.sitemaps_skipped;
    report.feed_pages_read = found.feed_pages_read;
    report.problems = found.problems.clone();
    if found.truncated {
        report.problems.push(format!(
            "more than {} URLs in range; the rest were not queued (narrow --since/--until)",
            dopts.max_urls
        ));
    }
    let urls: Vec<String> = found.entries.iter().map(|e| e.url.clone()).collect();
    let known = p.db.call(move |s| s.backfill_known_urls(id, &urls)).await?;
    report.known = known.len();
    let fresh: Vec<ArchiveEntry> = found
        .entries
        .into_iter()
        .filter(|e| !known.contains(&e.url))
        .collect();
    let tables = p.tables.clone();
    let laned: Vec<(ArchiveEntry, Lane)> = tokio::task::spawn_blocking(move || {
        fresh
            .into_iter()
            .map(|e| {
                let lane = lane_of(e.title.as_deref(), &tables);
                (e, lane)
            })
            .collect()
    })
    .await?;
    let problems = report.problems.clone();
    let now = Utc::now();
    p.db.call(move |s| {
        if !problems.is_empty() {
            let text: String = problems.join("; ").chars().take(2000).collect();
            s.backfill_note_error(id, &text)?;
        }
        s.backfill_add_urls(id, &laned, now)
    })
    .await?;
    Ok(())
}

/// Shared by the workers of one run.
struct Shared {
    /// No request before this instant (Retry-After, backoff).
    not_before: Mutex<Option<tokio::time::Instant>>,
    fetched: AtomicU64,
    failed: AtomicU64,
    changes_new: AtomicU64,
    changes_merged: AtomicU64,
}

async fn fetch_pending(
    p: &Pipeline,
    id: i64,
    opts: &RunOptions,
    progress: Arc<dyn Progress>,
    report: &mut RunReport,
) -> Result<(), BackfillError> {
    let shared = Arc::new(Shared {
        not_before: Mutex::new(None),
        fetched: AtomicU64::new(0),
        failed: AtomicU64::new(0),
        changes_new: AtomicU64::new(0),
        changes_merged: AtomicU64::new(0),
    });
    process_downloads(p, id, &shared, progress.as_ref()).await?;
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..opts.concurrency.max(1) {
        let (p, shared, progress) = (p.clone(), shared.clone(), progress.clone());
        set.spawn(async move { worker(&p, id, &shared, progress.as_ref()).await });
    }
    let mut first_err = None;
    while let Some(joined) = set.join_next().await {
        if let Err(e) = joined.map_err(BackfillError::from).and_then(|r| r) {
            first_err.get_or_insert(e);
        }
    }
    report.fetched = shared.fetched.load(Ordering::Relaxed);
    report.failed = shared.failed.load(Ordering::Relaxed);
    report.changes_new = shared.changes_new.load(Ordering::Relaxed);
    report.changes_merged = shared.changes_merged.load(Ordering::Relaxed);
    first_err.map_or(Ok(()), Err)
}

/// Claims and handles pending URLs until none is left or the job stops running.
async fn worker(
    p: &Pipeline,
    id: i64,
    shared: &Shared,
    progress: &dyn Progress,
) -> Result<(), BackfillError> {
    loop {
        let wait = *shared.not_before.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = wait {
            tokio::time::sleep_until(t).await;
        }
        let now = Utc::now();
        let Some(u) = p.db.call(move |s| s.backfill_claim(id, now)).await? else {
            return Ok(());
        };
        let (state, changes) = handle_url(p, &u, shared).await?;
        match state {
            UrlState::Fetched => {
                shared.fetched.fetch_add(1, Ordering::Relaxed);
            }
            UrlState::Failed => {
                shared.failed.fetch_add(1, Ordering::Relaxed);
            }
            _ => continue,
        }
        progress.page_done(&u.url, changes);
    }
}

/// The date a backfilled article is dated by: the archive's publication
/// date (news sitemap, feed), else the page's own, else the sitemap's lastmod.
fn source_date(
    u: &JobUrl,
    page: Option<DateTime<chrono::FixedOffset>>,
) -> Option<DateTime<chrono::FixedOffset>> {
    u.published
        .map(|d| d.fixed_offset())
        .or(page)
        .or(u.lastmod.map(|d| d.fixed_offset()))
}

/// Fetch (keeping the page as soon as it arrives) → extract → detect →
/// store one URL. Returns its new state and the number of changes it created.
async fn handle_url(
    p: &Pipeline,
    u: &JobUrl,
    shared: &Shared,
) -> Result<(UrlState, usize), BackfillError> {
    let url_id = u.id;
    let page = match p.fetcher.fetch_page(&u.url).await {
        Ok(page) => page,
        Err(e) => return record_failure(p, u, shared, PipelineError::Fetch(e)).await,
    };
    Metrics::add(&p.metrics.articles_fetched, 1);
    let (final_url, text) = (page.final_url.clone(), page.text.clone());
    let now = Utc::now();
    p.db.call(move |s| s.backfill_store_download(url_id, &final_url, &text, now))
        .await?;
    process_page(p, u, page, shared).await
}

/// Extract → detect → store a page already downloaded.
async fn process_page(
    p: &Pipeline,
    u: &JobUrl,
    page: PageResponse,
    shared: &Shared,
) -> Result<(UrlState, usize), BackfillError> {
    let url_id = u.id;
    let mut article = match p.extract_page(&u.url, page).await {
        Ok(a) => a,
        Err(e) => return record_failure(p, u, shared, e).await,
    };
    article.published = source_date(u, article.published);
    let mut changes = p.detect_article(&article);
    // History needs a date to sit in the roster's order: a change whose
    // text gives none happened when the article says it did.
    let day = article.published.map(|d| d.date_naive());
    for c in &mut changes {
        c.date = c.date.or(day);
    }
    let now = Utc::now();
    let summary =
        p.db.call(move |s| s.backfill_record_page(url_id, &article, &changes, now))
            .await?;
    Metrics::add(&p.metrics.backfill_pages, 1);
    Metrics::add(
        &p.metrics.backfill_changes,
        summary.changes_new.len() as u64,
    );
    shared
        .changes_new
        .fetch_add(summary.changes_new.len() as u64, Ordering::Relaxed);
    shared
        .changes_merged
        .fetch_add(summary.changes_merged.len() as u64, Ordering::Relaxed);
    Ok((UrlState::Fetched, summary.changes_new.len()))
}

/// A failed fetch or extraction: transient ones make the whole job wait
/// (Retry-After, else exponential backoff) and are retried.
async fn record_failure(
    p: &Pipeline,
    u: &JobUrl,
    shared: &Shared,
    e: PipelineError,
) -> Result<(UrlState, usize), BackfillError> {
    let url_id = u.id;
    let (transient, retry_after) = match &e {
        PipelineError::Fetch(f) => (f.is_transient(), f.retry_after()),
        _ => (false, None),
    };
    if transient {
        let backoff = retry_after
            .unwrap_or_else(|| Duration::from_secs(2u64.pow(u.attempts.min(10) + 1)))
            .min(MAX_BACKOFF);
        warn!(url = %u.url, error = %e, wait_secs = backoff.as_secs(), "transient failure; the job waits");
        let until = tokio::time::Instant::now() + backoff;
        let mut nb = shared.not_before.lock().unwrap_or_else(|e| e.into_inner());
        *nb = Some(nb.map_or(until, |t| t.max(until)));
    } else {
        info!(url = %u.url, error = %e, "page not backfilled");
    }
    let msg = e.to_string();
    let now = Utc::now();
    p.db.call(move |s| s.backfill_record_failure(url_id, &msg, transient, now))
        .await?;
    let failed = !transient || u.attempts + 1 >= crate::store::BACKFILL_MAX_ATTEMPTS;
    let state = if failed {
        UrlState::Failed
    } else {
        UrlState::Pending
    };
    Ok((state, 0))
}

/// Pages a killed run downloaded but did not store, processed from their
/// stored text: never requested again.
async fn process_downloads(
    p: &Pipeline,
    id: i64,
    shared: &Shared,
    progress: &dyn Progress,
) -> Result<(), BackfillError> {
    let downloads = p.db.call(move |s| s.backfill_downloads(id)).await?;
    if !downloads.is_empty() {
        info!(
            job = id,
            pages = downloads.len(),
            "processing pages downloaded before the last stop"
        );
    }
    for (u, final_url, text) in downloads {
        let page = PageResponse {
            text,
            final_url,
            encoding: "utf-8",
            content_type: None,
        };
        let (state, changes) = process_page(p, &u, page, shared).await?;
        match state {
            UrlState::Fetched => shared.fetched.fetch_add(1, Ordering::Relaxed),
            _ => shared.failed.fetch_add(1, Ordering::Relaxed),
        };
        progress.page_done(&u.url, changes);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_go_to_lanes_by_the_detectors_cues() {
        let t = Tables::embedded().unwrap();
        assert_eq!(lane_of(None, &t), Lane::Untitled);
        assert_eq!(lane_of(Some("  "), &t), Lane::Untitled);
        assert_eq!(
            lane_of(
                Some("«AMANAT» партиясы Павлодар облыстық филиалының төрағасы сайланды"),
                &t
            ),
            Lane::Likely
        );
        assert_eq!(
            lane_of(Some("Избран новый председатель филиала партии"), &t),
            Lane::Likely
        );
        assert_eq!(
            lane_of(Some("Погода в Павлодаре на выходные"), &t),
            Lane::Unlikely
        );
        assert_eq!(
            lane_of(Some("Астанада жаңа саябақ ашылды"), &t),
            Lane::Unlikely
        );
    }

    #[test]
    fn the_archive_date_wins_over_the_page_and_lastmod_comes_last() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let page = Some(at("2025-02-02T00:00:00Z").fixed_offset());
        let mut u = JobUrl {
            id: 1,
            url: "https://x.kz/a".into(),
            title: None,
            published: Some(at("2025-01-01T00:00:00Z")),
            lastmod: Some(at("2025-03-03T00:00:00Z")),
            lane: Lane::Untitled,
            attempts: 0,
        };
        assert_eq!(
            source_date(&u, page).unwrap().to_rfc3339(),
            "2025-01-01T00:00:00+00:00"
        );
        u.published = None;
        assert_eq!(source_date(&u, page), page);
        assert_eq!(
            source_date(&u, None).unwrap().to_rfc3339(),
            "2025-03-03T00:00:00+00:00"
        );
    }
}
