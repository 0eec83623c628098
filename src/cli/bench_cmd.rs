//! `branchwatch bench ...`: the benchmark drivers of [`branchwatch::bench`]
//! as commands, each printing one JSON object on stdout, so
//! `scripts/bench.sh` can reproduce every figure of `BENCHMARKS.md`.
//!
//! `poll` and `idle` run the loopback site in a child process
//! (`bench serve`), so the peak RSS and CPU they report are the pipeline's
//! alone, not the server's.

use super::Outcome;
use anyhow::{bail, Context, Result};
use branchwatch::bench::{self, gen::Site, poll::PollOptions, server::BenchServer};
use clap::{Args, Subcommand};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Serve generated feeds on loopback until stdin closes (used by poll and idle).
    Serve(ServeArgs),
    /// Two polling cycles of the real pipeline against a loopback site.
    Poll(PollArgs),
    /// Backfill pages/s: one job over a loopback site's sitemap.
    Backfill {
        /// Article pages on the site (every fifth reports a change).
        #[arg(long, default_value_t = 2000)]
        pages: usize,
        /// Per-host spacing; 0 measures the machine, not the politeness.
        #[arg(long, default_value_t = 0)]
        spacing_ms: u64,
        /// Pages fetched at once (the backfill default is 2).
        #[arg(long, default_value_t = 2)]
        concurrency: usize,
        /// Scratch directory for the database (default: a new one under /tmp).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Feed parsing throughput over generated (or given) feed files.
    Parse {
        /// Directory of *.xml feeds; created and filled when --write is given.
        #[arg(long)]
        dir: PathBuf,
        /// Write this many generated feeds into --dir first.
        #[arg(long)]
        write: Option<usize>,
        /// Parse every file this many times.
        #[arg(long, default_value_t = 5)]
        rounds: usize,
    },
    /// Extraction speed over the extraction benchmark; writes predictions for score.py.
    Extract {
        /// The benchmark directory (with html/ and ground-truth.json).
        #[arg(long)]
        benchmark: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// Generic extractor (default: the shipped one, combined).
        #[arg(long, default_value = "combined", value_parser = ["combined", "trafilatura", "readability"])]
        engine: String,
    },
    /// Detection throughput over a labelled corpus replicated to --mb megabytes.
    Detect {
        #[arg(long)]
        corpus: PathBuf,
        #[arg(long, default_value_t = 50.0)]
        mb: f64,
    },
    /// Memory and CPU of `branchwatch run` between cycles.
    Idle(IdleArgs),
    /// Web view page times over a large change log (fills one unless --db exists).
    Web {
        /// The database; created and filled with --changes changes if missing.
        #[arg(long, default_value = "bench-web.sqlite")]
        db: PathBuf,
        #[arg(long, default_value_t = 100_000)]
        changes: usize,
        /// Requests per page kind.
        #[arg(long, default_value_t = 200)]
        requests: usize,
        /// Turn the web view's query cache off, so every request reads the
        /// database (the cold cost of each page, not the repeat cost).
        #[arg(long)]
        no_cache: bool,
    },
}

#[derive(Args, Clone)]
pub struct SiteArgs {
    /// Number of feeds.
    #[arg(long, default_value_t = 1000)]
    feeds: usize,
    /// Number of hosts (listeners) the feeds are spread over.
    #[arg(long, default_value_t = 200)]
    hosts: usize,
    /// Listen on ports of 127.0.0.1 instead of 127.0.1.1, 127.0.1.2, ...
    #[arg(long)]
    local: bool,
    /// Items per feed.
    #[arg(long, default_value_t = 30)]
    items: usize,
    /// Recent items per feed (the ones whose article a first poll reads).
    #[arg(long, default_value_t = 1)]
    recent: usize,
    /// Every n-th article reports a leadership change.
    #[arg(long, default_value_t = 5)]
    change_every: usize,
}

#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    site: SiteArgs,
}

#[derive(Args)]
pub struct PollArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Directory for the SQLite file (default: a fresh temporary directory).
    #[arg(long)]
    dir: Option<PathBuf>,
    #[arg(long, default_value_t = 5)]
    spacing_ms: u64,
    #[arg(long)]
    per_host: Option<usize>,
    #[arg(long)]
    global: Option<usize>,
    /// Do not fetch article pages (detect on feed summaries only).
    #[arg(long)]
    no_articles: bool,
}

#[derive(Args)]
pub struct IdleArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// How long to sample after the first cycle.
    #[arg(long, default_value_t = 10.0)]
    window_secs: f64,
    /// Give up waiting for the first cycle after this long.
    #[arg(long, default_value_t = 300.0)]
    timeout_secs: f64,
    #[arg(long, default_value_t = 5)]
    spacing_ms: u64,
}

impl SiteArgs {
    fn site(&self) -> Site {
        Site {
            items: self.items,
            recent: self.recent,
            change_every: self.change_every,
            ..Site::default()
        }
    }
    fn to_args(&self) -> Vec<String> {
        let mut v = vec![
            "--feeds".to_string(),
            self.feeds.to_string(),
            "--hosts".into(),
            self.hosts.to_string(),
            "--items".into(),
            self.items.to_string(),
            "--recent".into(),
            self.recent.to_string(),
            "--change-every".into(),
            self.change_every.to_string(),
        ];
        if self.local {
            v.push("--local".into());
        }
        v
    }
}

pub fn run(cmd: &BenchCommand) -> Result<Outcome> {
    match cmd {
        BenchCommand::Serve(a) => super::runtime()?.block_on(serve(&a.site)),
        BenchCommand::Poll(a) => poll(a),
        BenchCommand::Backfill {
            pages,
            spacing_ms,
            concurrency,
            dir,
        } => {
            let scratch = scratch_dir(dir.as_deref())?;
            let db = scratch.0.join("bench-backfill.sqlite");
            if db.exists() {
                bail!(
                    "{} exists; the backfill benchmark needs a new database",
                    db.display()
                );
            }
            let r = super::runtime()?.block_on(bench::backfill::run(
                &db,
                *pages,
                *spacing_ms,
                *concurrency,
            ))?;
            println!("{}", serde_json::to_string(&r)?);
            Ok(Outcome::Found)
        }
        BenchCommand::Parse { dir, write, rounds } => {
            if let Some(n) = write {
                bench::parse::write_feed_files(dir, *n, &Site::default())?;
            }
            let files = bench::parse::feed_files(dir)?;
            let r = bench::parse::run(&files, *rounds)?;
            println!("{}", serde_json::to_string(&r)?);
            Ok(Outcome::Found)
        }
        BenchCommand::Extract {
            benchmark,
            out,
            engine,
        } => {
            let opts = branchwatch::article::ExtractOptions {
                generic: serde_json::from_value(serde_json::Value::String(engine.clone()))?,
                ..Default::default()
            };
            let r = branchwatch::article::run_benchmark_with(benchmark, out, &opts)?;
            println!("{}", serde_json::to_string(&r)?);
            Ok(Outcome::Found)
        }
        BenchCommand::Detect { corpus, mb } => {
            let docs = bench::detect::load_corpus(corpus)?;
            let tables = branchwatch::detect::Tables::embedded()?;
            let r = bench::detect::run(&docs, &tables, (mb * bench::MB) as u64);
            println!("{}", serde_json::to_string(&r)?);
            Ok(Outcome::from_count(r.docs as usize))
        }
        BenchCommand::Idle(a) => idle(a),
        BenchCommand::Web {
            db,
            changes,
            requests,
            no_cache,
        } => {
            if !db.exists() {
                let t = std::time::Instant::now();
                bench::web::fill(db, *changes)?;
                eprintln!(
                    "filled {} with {changes} changes in {:.1}s",
                    db.display(),
                    t.elapsed().as_secs_f64()
                );
            }
            branchwatch::web::set_query_cache(!*no_cache);
            let r = super::runtime()?.block_on(bench::web::run(db.clone(), *requests))?;
            println!("{}", serde_json::to_string_pretty(&r)?);
            Ok(Outcome::Found)
        }
    }
}

/// Serves until stdin reaches end of file, then prints what was served.
async fn serve(a: &SiteArgs) -> Result<Outcome> {
    let server = if a.local {
        BenchServer::start_local(a.site(), a.feeds, a.hosts).await?
    } else {
        BenchServer::start_spread(a.site(), a.feeds, a.hosts).await?
    };
    println!(
        "{}",
        serde_json::json!({ "bases": server.bases, "feeds": a.feeds })
    );
    tokio::task::spawn_blocking(|| {
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
    })
    .await?;
    let served = server.counters.snapshot();
    server.shutdown().await;
    let mut v = serde_json::to_value(served)?;
    v["cpu_seconds"] = bench::proc::cpu_time(std::process::id())
        .map(|d| d.as_secs_f64())
        .into();
    println!("{v}");
    Ok(Outcome::Found)
}

/// The `bench serve` child and the feed URLs it announced.
struct ServerChild {
    child: Child,
    out: BufReader<ChildStdout>,
    feeds: Vec<(String, String)>,
}

impl ServerChild {
    fn start(site: &SiteArgs) -> Result<ServerChild> {
        let exe = std::env::current_exe().context("cannot find this executable")?;
        let mut child = Command::new(exe)
            .arg("bench")
            .arg("serve")
            .args(site.to_args())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .context("cannot start the bench server")?;
        let stdout = child
            .stdout
            .take()
            .context("no stdout from the bench server")?;
        let mut out = BufReader::new(stdout);
        let mut line = String::new();
        out.read_line(&mut line)
            .context("bench server did not start")?;
        let v: serde_json::Value =
            serde_json::from_str(&line).with_context(|| format!("bench server said {line:?}"))?;
        let bases: Vec<String> = serde_json::from_value(v["bases"].clone())?;
        let feeds = bench::server::feed_urls(&bases, site.feeds);
        Ok(ServerChild { child, out, feeds })
    }

    /// Closes the server's stdin and reads its request counts.
    fn finish(mut self) -> Result<serde_json::Value> {
        drop(self.child.stdin.take());
        let mut line = String::new();
        self.out.read_line(&mut line)?;
        let _ = self.child.wait();
        Ok(serde_json::from_str(&line).unwrap_or(serde_json::Value::Null))
    }
}

/// A directory under the system temp dir, removed when dropped (unless the
/// user named it with --dir).
struct Scratch(PathBuf, bool);

impl Drop for Scratch {
    fn drop(&mut self) {
        if self.1 {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn scratch_dir(given: Option<&Path>) -> Result<Scratch> {
    match given {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            Ok(Scratch(d.to_path_buf(), false))
        }
        None => {
            let stamp = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            let d = std::env::temp_dir()
                .join(format!("branchwatch-bench-{}-{stamp}", std::process::id()));
            std::fs::create_dir_all(&d)
                .with_context(|| format!("cannot create {}", d.display()))?;
            Ok(Scratch(d, true))
        }
    }
}

fn poll(a: &PollArgs) -> Result<Outcome> {
    let server = ServerChild::start(&a.site)?;
    let scratch = scratch_dir(a.dir.as_deref())?;
    let db = scratch.0.join("bench.sqlite");
    if db.exists() {
        bail!(
            "{} exists; the poll benchmark needs a new database",
            db.display()
        );
    }
    let mut opts = PollOptions::new(db, server.feeds.clone());
    opts.per_host_spacing_ms = a.spacing_ms;
    opts.fetch_articles = !a.no_articles;
    if let Some(n) = a.per_host {
        opts.per_host_concurrency = n;
    }
    if let Some(n) = a.global {
        opts.global_concurrency = n;
    }
    let report = super::runtime()?.block_on(bench::poll::run(&opts));
    let served = server.finish()?;
    let report = report?;
    let mut v = serde_json::to_value(&report)?;
    v["hosts"] = a.site.hosts.into();
    v["served"] = served;
    println!("{v}");
    Ok(Outcome::Found)
}

fn idle(a: &IdleArgs) -> Result<Outcome> {
    let server = ServerChild::start(&a.site)?;
    let scratch = scratch_dir(None)?;
    let dir = scratch.0.clone();
    let mut opts = PollOptions::new(dir.join("idle.sqlite"), server.feeds.clone());
    opts.per_host_spacing_ms = a.spacing_ms;
    let mut config = opts.config();
    config.logging.level = "warn".into();
    let text = toml::to_string(&config).context("cannot write the idle config")?;
    let cfg = dir.join("idle.toml");
    std::fs::write(&cfg, text)?;
    let exe = std::env::current_exe()?;
    let mut child = Command::new(exe)
        .arg("run")
        .arg("--config")
        .arg(&cfg)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .env_remove("BRANCHWATCH_CONFIG")
        .spawn()
        .context("cannot start branchwatch run")?;
    let pid = child.id();
    let result = watch_idle(a, pid, &opts.database, &mut child);
    let _ = child.kill();
    let _ = child.wait();
    let served = server.finish()?;
    let mut v = result?;
    v["served"] = served;
    println!("{v}");
    Ok(Outcome::Found)
}

fn checked_feeds(db: &Path) -> Option<i64> {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .ok()?;
    c.query_row(
        "SELECT count(*) FROM feeds WHERE last_checked_at IS NOT NULL",
        [],
        |r| r.get(0),
    )
    .ok()
}

fn watch_idle(a: &IdleArgs, pid: u32, db: &Path, child: &mut Child) -> Result<serde_json::Value> {
    let started = Instant::now();
    let want = a.site.feeds as i64;
    loop {
        if let Some(status) = child.try_wait()? {
            bail!("branchwatch run exited early: {status}");
        }
        if checked_feeds(db).unwrap_or(0) >= want {
            break;
        }
        if started.elapsed().as_secs_f64() > a.timeout_secs {
            bail!("the first cycle did not finish in {} s", a.timeout_secs);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let first_cycle = started.elapsed().as_secs_f64();
    // Let the cycle's last task and the allocator settle.
    std::thread::sleep(Duration::from_secs(2));
    let sample = bench::proc::sample_idle(pid, Duration::from_secs_f64(a.window_secs))
        .context("cannot read /proc for the daemon")?;
    let peak = bench::proc::status_kb(pid, "VmHWM");
    Ok(serde_json::json!({
        "feeds": a.site.feeds,
        "hosts": a.site.hosts,
        "first_cycle_seconds_upper_bound": first_cycle,
        "idle": sample,
        "peak_rss_kb": peak,
        // Anonymous memory (heap, stacks) versus mapped files (the
        // executable's pages), to tell allocation from code size.
        "rss_anon_kb": bench::proc::status_kb(pid, "RssAnon"),
        "rss_file_kb": bench::proc::status_kb(pid, "RssFile"),
        "threads": bench::proc::status_kb(pid, "Threads"),
    }))
}
