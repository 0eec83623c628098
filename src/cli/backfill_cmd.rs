//! `branchwatch backfill`: read a site's archive into the change log.

use super::{progress, Ctx, Outcome};
use anyhow::{bail, Context, Result};
use branchwatch::backfill::{self, Progress, RunOptions, RunReport};
use branchwatch::db::Db;
use branchwatch::metrics::Metrics;
use branchwatch::model::{BackfillJob, BackfillSpec, JobState};
use branchwatch::pipeline::Pipeline;
use chrono::{NaiveDate, Utc};
use clap::{Args, Subcommand};
use std::sync::Arc;

pub const BACKFILL_HELP: &str = "\
Reads a site's archive and runs every article in the date range through the
same fetch → extract → detect → store path as polling, so the roster is right
on the first day.

Where the archive is found:
  1. --sitemap URL, else the Sitemap: lines of the site's robots.txt, else
     /sitemap.xml, /sitemap_index.xml, /news-sitemap.xml, /sitemap_news.xml;
     sitemap indexes are followed, gzip and Google News sitemaps read. A
     monthly sitemap whose <lastmod> predates --since is not fetched.
  2. --feed-pages URL: a WordPress-style feed paged with ?paged=N (read as
     well, for its titles and dates); tried at /feed/ when no sitemap gave
     anything.
URLs outside --since/--until (by the archive's date) and pages already
stored are left out. Pages whose title (news sitemap, feed) has a branch or
leadership cue are fetched first, untitled ones next, the rest last.

Politeness is the polling settings': per_host_spacing_ms between requests
(1 s by default: about 3 hours for 10,000 pages), robots.txt, Retry-After.
The job is stored in the database: Ctrl-C or a crash loses nothing, and
running the same command again continues where it stopped (`backfill resume
ID` for a paused job). `branchwatch run` also works on running jobs, one
page at a time beside polling; one process runs a job at a time. Changes
found are history: they go into the change log and roster but are not
mailed as new.

Examples:
  branchwatch backfill --site kazinform.kz --since 2025-01-01 --until 2025-12-31
  branchwatch backfill --site example.kz --feed-pages https://example.kz/feed/
  branchwatch backfill list --format json
  branchwatch backfill pause 3 && branchwatch backfill resume 3

Exit codes: 0 changes found (or jobs listed), 1 nothing found, 2 error.";

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, after_long_help = BACKFILL_HELP)]
pub struct BackfillArgs {
    #[command(subcommand)]
    pub command: Option<BackfillCommand>,
    /// The site: a host name (example.kz, https assumed) or an origin (http://host:port).
    #[arg(long)]
    pub site: Option<String>,
    /// First day of the range (YYYY-MM-DD, inclusive).
    #[arg(long)]
    pub since: Option<NaiveDate>,
    /// Last day of the range (YYYY-MM-DD, inclusive).
    #[arg(long)]
    pub until: Option<NaiveDate>,
    /// Read this sitemap or sitemap index instead of looking for them.
    #[arg(long, value_name = "URL")]
    pub sitemap: Option<String>,
    /// Also page through this feed with ?paged=N (WordPress archives).
    #[arg(long, value_name = "URL")]
    pub feed_pages: Option<String>,
    /// text or json (the run's report).
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
}

#[derive(Subcommand)]
pub enum BackfillCommand {
    /// Every backfill job with its progress.
    List {
        #[arg(long, default_value = "table", value_parser = ["table", "json"])]
        format: String,
    },
    /// Stop a running job after the pages in flight; `resume` continues it.
    Pause { id: i64 },
    /// Set a paused job running and run it here in the foreground.
    Resume {
        id: i64,
        #[arg(long, default_value = "text", value_parser = ["text", "json"])]
        format: String,
    },
    /// Stop a job for good; its pending pages are never fetched.
    Cancel { id: i64 },
}

/// The progress bar: hidden off a terminal (see [`progress`]).
struct Bar(indicatif::ProgressBar);

impl Progress for Bar {
    fn discovered(&self, to_fetch: u64) {
        self.0.set_message("backfill: fetching pages");
        self.0.set_length(to_fetch);
    }
    fn page_done(&self, _url: &str, _changes_new: usize) {
        self.0.inc(1);
    }
}

pub fn run(ctx: &Ctx, a: &BackfillArgs) -> Result<Outcome> {
    match &a.command {
        Some(BackfillCommand::List { format }) => list(ctx, format),
        Some(BackfillCommand::Pause { id }) => {
            set_state(ctx, *id, &[JobState::Running], JobState::Paused)
        }
        Some(BackfillCommand::Cancel { id }) => set_state(
            ctx,
            *id,
            &[JobState::Running, JobState::Paused],
            JobState::Cancelled,
        ),
        Some(BackfillCommand::Resume { id, format }) => {
            set_state(
                ctx,
                *id,
                &[JobState::Paused, JobState::Running],
                JobState::Running,
            )?;
            foreground(ctx, Job::Existing(*id), format)
        }
        None => {
            let Some(site) = a.site.clone() else {
                bail!(
                    "give --site HOST (or a subcommand: list, pause, resume, cancel); see --help"
                );
            };
            if let (Some(s), Some(u)) = (a.since, a.until) {
                if s > u {
                    bail!("--since {s} is after --until {u}");
                }
            }
            let spec = BackfillSpec {
                site,
                since: a.since,
                until: a.until,
                sitemap: a.sitemap.clone(),
                feed_pages: a.feed_pages.clone(),
            };
            foreground(ctx, Job::New(spec), &a.format)
        }
    }
}

enum Job {
    New(BackfillSpec),
    Existing(i64),
}

fn foreground(ctx: &Ctx, job: Job, format: &str) -> Result<Outcome> {
    super::quiet_logging();
    let rt = super::runtime()?;
    let report = rt.block_on(async {
        let db = Db::open(&ctx.database)
            .with_context(|| format!("cannot open {}", ctx.database.display()))?;
        let p = Pipeline::new(
            Arc::new(ctx.config.clone()),
            db,
            Arc::new(Metrics::default()),
        )?;
        let bar = progress(0, "backfill: reading the archive");
        let prog: Arc<dyn Progress> = Arc::new(Bar(bar.clone()));
        let opts = RunOptions::default();
        let r = match job {
            Job::New(spec) => backfill::start(&p, spec, &opts, prog).await,
            Job::Existing(id) => backfill::run_job(&p, id, &opts, prog).await,
        };
        bar.finish_and_clear();
        anyhow::Ok(r?)
    })?;
    print_report(&report, format)?;
    // A resumed job counts what its earlier runs found too.
    Ok(Outcome::from_count(
        (report.job_changes + report.changes_merged) as usize,
    ))
}

fn print_report(r: &RunReport, format: &str) -> Result<()> {
    if format == "json" {
        println!("{}", serde_json::to_string_pretty(r)?);
        return Ok(());
    }
    for p in &r.problems {
        eprintln!("warning: {p}");
    }
    if r.listed > 0 || r.sitemaps_read > 0 || r.feed_pages_read > 0 {
        println!(
            "job {}: {} sitemap(s) read, {} skipped as older than --since, {} feed page(s); {} URL(s) in range, {} already stored",
            r.job_id, r.sitemaps_read, r.sitemaps_skipped, r.feed_pages_read, r.listed, r.known
        );
    }
    let state = r.state.map(|s| s.to_string()).unwrap_or_default();
    println!(
        "job {}: {} page(s) fetched, {} failed; {} new change(s), {} merged into known ones; job {state}",
        r.job_id, r.fetched, r.failed, r.changes_new, r.changes_merged
    );
    if r.fetched > 0 {
        eprintln!(
            "{:.1} pages/s over {:.1} s; discovery {:.1} s",
            r.fetched as f64 / r.fetch_secs.max(1e-9),
            r.fetch_secs,
            r.discovery_secs
        );
    }
    if r.job_changes > r.changes_new {
        println!(
            "job {}: {} new change(s) over all its runs",
            r.job_id, r.job_changes
        );
    }
    if r.state == Some(JobState::Paused) {
        println!("continue with: branchwatch backfill resume {}", r.job_id);
    }
    Ok(())
}

fn open_store(ctx: &Ctx) -> Result<branchwatch::store::Store> {
    branchwatch::store::Store::open(&ctx.database)
        .with_context(|| format!("cannot open {}", ctx.database.display()))
}

fn set_state(ctx: &Ctx, id: i64, from: &[JobState], to: JobState) -> Result<Outcome> {
    let mut s = open_store(ctx)?;
    s.backfill_set_state(id, from, to, Utc::now())?;
    eprintln!("backfill job {id}: {to}");
    Ok(Outcome::Found)
}

fn list(ctx: &Ctx, format: &str) -> Result<Outcome> {
    let s = open_store(ctx)?;
    let jobs: Vec<BackfillJob> = s.backfill_jobs()?;
    if format == "json" {
        println!("{}", serde_json::to_string_pretty(&jobs)?);
        return Ok(Outcome::from_count(jobs.len()));
    }
    println!(
        "{:>4}  {:<10} {:<28} {:<23} {:>8} {:>8} {:>7} {:>6} {:>7}",
        "id", "state", "site", "range", "urls", "fetched", "pending", "failed", "changes"
    );
    for j in &jobs {
        let range = format!(
            "{}..{}",
            j.spec.since.map(|d| d.to_string()).unwrap_or_default(),
            j.spec.until.map(|d| d.to_string()).unwrap_or_default()
        );
        println!(
            "{:>4}  {:<10} {:<28} {:<23} {:>8} {:>8} {:>7} {:>6} {:>7}",
            j.id,
            j.state.as_str(),
            j.spec.site,
            range,
            j.discovered,
            j.fetched,
            j.pending,
            j.failed,
            j.changes_found
        );
    }
    Ok(Outcome::from_count(jobs.len()))
}
