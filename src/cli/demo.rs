//! `branchwatch demo`: the real pipeline on bundled sample news.
//!
//! Nothing is simulated except the outlets: the sample feeds and articles
//! (in `demo/`, embedded in the binary) are served over real HTTP from
//! 127.0.0.1, fetched with the real fetcher, parsed, extracted, analysed by
//! the detector, merged into a real SQLite file, and the digest is written
//! as an `.eml` file by lettre's file transport.
//!
//! The server's port is remembered in the demo directory and reused, so feed
//! and article URLs stay the same from run to run: the second run's
//! conditional GETs are answered 304, and no item is seen as new.

use super::Outcome;
use anyhow::{Context, Result};
use branchwatch::config::{Config, FeedConfig};
use branchwatch::db::Db;
use branchwatch::demo::DemoServer;
use branchwatch::digest::{self, DigestSpec, Templates};
use branchwatch::mail::{self, Mailer};
use branchwatch::metrics::Metrics;
use branchwatch::pipeline::Pipeline;
use branchwatch::query::{self, ChangeFilter, Format};
use chrono::Utc;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

const RECIPIENT: &str = "analyst@demo.branchwatch.invalid";
const SENDER: &str = "branchwatch demo <branchwatch@demo.branchwatch.invalid>";

async fn start_server(dir: &Path) -> Result<DemoServer> {
    let port_file = dir.join("server.port");
    let saved: Option<u16> = std::fs::read_to_string(&port_file)
        .ok()
        .and_then(|s| s.trim().parse().ok());
    if let Some(port) = saved {
        if let Ok(s) = DemoServer::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await {
            return Ok(s);
        }
    }
    let server = DemoServer::start()
        .await
        .context("cannot start the demo server on 127.0.0.1")?;
    std::fs::write(&port_file, server.addr.port().to_string())
        .with_context(|| format!("cannot write {}", port_file.display()))?;
    Ok(server)
}

/// The configuration the demo runs with: defaults, the demo feeds, loopback allowed.
fn demo_config(dir: &Path, server: &DemoServer) -> Config {
    let mut c = Config::default();
    c.storage.database = dir.join("branchwatch.sqlite");
    c.polling.allow_private_addresses = true;
    // The sample news is dated 2025; read all of it.
    c.polling.first_poll_max_age_days = 0;
    c.polling.per_host_spacing_ms = 10;
    c.polling.per_host_concurrency = 4;
    c.api.enabled = false;
    c.feeds = server
        .feed_urls()
        .into_iter()
        .map(|(name, url, lang)| FeedConfig {
            name,
            url,
            lang,
            poll_interval_secs: None,
            site_rule: None,
            ..FeedConfig::default()
        })
        .collect();
    c
}

pub async fn run(dir: &Path, format: &str) -> Result<Outcome> {
    let fmt: Format = format.parse()?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let dir = std::fs::canonicalize(dir)?;
    let server = start_server(&dir).await?;
    let config = Arc::new(demo_config(&dir, &server));
    let db_path = config.storage.database_path();
    let db = Db::open(&db_path).with_context(|| format!("cannot open {}", db_path.display()))?;
    let specs = config.feed_specs();
    db.call(move |s| s.sync_feeds(&specs, Utc::now())).await?;
    let before = db
        .call(|s| s.changes(&ChangeFilter::default()))
        .await?
        .len();

    let pipeline = Pipeline::new(config.clone(), db.clone(), Arc::new(Metrics::default()))?;
    let names: Vec<String> = config.feeds.iter().map(|f| f.name.clone()).collect();
    let feeds: Vec<_> = db
        .call(|s| s.feeds())
        .await?
        .into_iter()
        .filter(|f| f.enabled && names.contains(&f.name))
        .collect();
    eprintln!(
        "polling {} demo feeds at {} ...",
        feeds.len(),
        server.base_url()
    );
    let report = pipeline.poll_feeds(feeds).await?;
    for (name, err) in &report.failed {
        eprintln!("  feed {name}: error: {err}");
    }
    let stats = server.stats();
    eprintln!(
        "  {} requests: {} answered 200, {} answered 304 (not modified); {} new items",
        stats.requests, stats.ok, stats.not_modified, report.items_new
    );

    let outbox = dir.join("outbox");
    std::fs::create_dir_all(&outbox)?;
    let mut spec = DigestSpec::new("demo", &[RECIPIENT]);
    spec.timezone = "Asia/Almaty".into();
    let mailer = Mailer::file(&outbox);
    let from = mail::parse_mailbox(SENDER)?;
    let digest_report = digest::send_now(
        db.mutex(),
        &mailer,
        &spec,
        &Templates::embedded(),
        &from,
        Utc::now(),
    )
    .await?;
    server.shutdown();

    let changes = db.call(|s| s.changes(&ChangeFilter::default())).await?;
    print!("{}", query::render_changes(&changes, fmt));
    if fmt == Format::Table {
        println!();
        println!(
            "{} changes in the log ({} new in this run)",
            changes.len(),
            changes.len() - before.min(changes.len())
        );
        println!("database:  {}", db_path.display());
        let mut emls: Vec<_> = std::fs::read_dir(&outbox)?
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
            .collect();
        emls.sort();
        match (digest_report.sent(), emls.last()) {
            (n, Some((_, p))) if n > 0 => println!("digest:    {} (written now)", p.display()),
            (_, Some((_, p))) => println!(
                "digest:    {} (from an earlier run; nothing new to send)",
                p.display()
            ),
            (_, None) => println!("digest:    none written (no changes)"),
        }
        println!(
            "try:       branchwatch --database {} roster",
            db_path.display()
        );
    }
    Ok(Outcome::from_count(changes.len()))
}

/// `demo --serve`: the web view and API over the demo database on a free
/// loopback port, read-only (no token), until Ctrl-C.
pub async fn serve(dir: &Path) -> Result<()> {
    let dir = std::fs::canonicalize(dir)?;
    let db_path = dir.join("branchwatch.sqlite");
    let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .context("cannot bind 127.0.0.1")?;
    let addr = listener.local_addr()?;
    let mut state = branchwatch::api::ApiState::new(db_path, Arc::new(Metrics::default()));
    let tables = Arc::new(branchwatch::pipeline::load_tables(&Config::default())?);
    state.resolvers = branchwatch::pipeline::resolvers(tables);
    println!();
    println!("web view: http://{addr}/   (read-only; Ctrl-C stops)");
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    branchwatch::api::serve(listener, state, stop).await?;
    Ok(())
}
