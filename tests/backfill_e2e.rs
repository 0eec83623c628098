//! Backfill end to end: a generated news site (tests/backfill_support: a
//! gzip sitemap index of 24 monthly gzip sitemaps with 50,000 URLs, a news
//! sitemap, a paged feed, 300 articles of 2025 of which 40 report a change)
//! served on 127.0.0.1, read by the real pipeline into a real SQLite file.

mod backfill_support;
mod fetch_support;

use backfill_support as site;
use branchwatch::backfill::{self, Quiet, RunOptions};
use branchwatch::config::Config;
use branchwatch::db::Db;
use branchwatch::metrics::Metrics;
use branchwatch::model::{BackfillSpec, JobState};
use branchwatch::pipeline::Pipeline;
use branchwatch::query::ChangeFilter;
use chrono::NaiveDate;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Per-host spacing in the tests: small, so a site-year takes seconds.
const SPACING_MS: u64 = 30;

fn config(db: &Path) -> Config {
    let mut c = Config::default();
    c.storage.database = db.to_path_buf();
    c.polling.allow_private_addresses = true;
    c.polling.per_host_spacing_ms = SPACING_MS;
    c.api.enabled = false;
    c
}

fn spec(server: &fetch_support::TestServer) -> BackfillSpec {
    BackfillSpec {
        site: server.url(""),
        since: NaiveDate::from_ymd_opt(2025, 1, 1),
        until: NaiveDate::from_ymd_opt(2025, 12, 31),
        sitemap: None,
        feed_pages: Some(server.url("/feed/")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_site_year_gives_exactly_its_changes_politely_and_once() {
    let server = site::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("bw.sqlite");
    let db = Db::open(&db_path).unwrap();
    let mut c = config(&db_path);
    // Below the sitemaps (the news sitemap is about 18 KB, a gzip
    // monthly one of 2024 about 21 KB) and above any page or feed page: sitemaps
    // have their own limit.
    c.polling.max_body_bytes = 12 * 1024;
    let p = Pipeline::new(Arc::new(c), db.clone(), Arc::new(Metrics::default())).unwrap();

    let r = backfill::start(&p, spec(&server), &RunOptions::default(), Arc::new(Quiet))
        .await
        .unwrap();
    eprintln!(
        "first run: discovery {:.2} s ({:.0} URLs/s listed), {} pages in {:.2} s ({:.1} pages/s)",
        r.discovery_secs,
        (r.listed + r.out_of_range) as f64 / r.discovery_secs,
        r.fetched,
        r.fetch_secs,
        r.fetched as f64 / r.fetch_secs
    );
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(r.listed, site::ARTICLES);
    assert_eq!(r.known, 0);
    // The undated 2024 sitemaps: July and August of 4,142 URLs, four of 4,141.
    assert_eq!(r.out_of_range, 2 * 4142 + 4 * 4141);
    assert_eq!(r.sitemaps_skipped, 6, "the six dated 2024 sitemaps");
    assert_eq!(
        r.sitemaps_read,
        1 + 1 + 6 + 12,
        "index, news, six undated 2024, twelve 2025"
    );
    assert_eq!(r.feed_pages_read, 30);
    assert_eq!((r.fetched, r.failed), (site::ARTICLES as u64, 0));
    assert_eq!(r.changes_new, site::CHANGES as u64);
    assert_eq!(r.state, Some(JobState::Done));

    // Exactly the 40, each dated by its article.
    let (changes, origins) = site::stored_changes(&db_path);
    assert_eq!(changes, site::expected_changes());
    assert!(origins.iter().all(|o| o == "backfill"), "{origins:?}");

    // Only the year's pages, each once; sitemaps dated before 2025 untouched.
    let reqs = server.requests();
    let paths: Vec<&str> = reqs.iter().map(|r| r.path.as_str()).collect();
    for m in 1..=6 {
        let p = format!("/sitemaps/2024-{m:02}.xml.gz");
        assert!(!paths.contains(&p.as_str()), "{p} was fetched");
    }
    assert!(!paths.iter().any(|p| p.starts_with("/archive/")));
    let pages = site::article_requests(&server);
    let unique: BTreeSet<&String> = pages.iter().collect();
    assert_eq!(
        (pages.len(), unique.len()),
        (site::ARTICLES, site::ARTICLES)
    );

    // Cheap before dear: every page whose title has a cue before any whose title has none.
    let arts = site::articles();
    let change_paths: BTreeSet<&str> = arts
        .iter()
        .filter(|a| a.change.is_some())
        .map(|a| a.path.as_str())
        .collect();
    let last_likely = pages
        .iter()
        .rposition(|p| change_paths.contains(p.as_str()))
        .unwrap();
    let first_other = pages
        .iter()
        .position(|p| !change_paths.contains(p.as_str()))
        .unwrap();
    // Two pages are in flight at a time, so the last likely page and the
    // first other one may reach the server in either order; no more.
    assert!(
        last_likely <= site::CHANGES && first_other + 1 >= site::CHANGES,
        "likely pages ended at {last_likely}, others began at {first_other}"
    );

    // Per-host spacing, from the server's clock. The server stamps a
    // request when its headers have arrived, so a connection slower to set
    // up than the next (two cores shared with extraction) brings two stamps
    // closer than the client's spacing (and the tests of this file run at
    // once, sharing the cores). Any ten requests still span five gaps at
    // least, and the whole run nearly all of its gaps; without the spacing,
    // pages would go out several per gap.
    let mut sorted: Vec<_> = reqs.iter().collect();
    sorted.sort_by_key(|r| r.at);
    let spacing = Duration::from_millis(SPACING_MS);
    for w in sorted.windows(10) {
        let span = w[9].at - w[0].at;
        assert!(
            span >= spacing * 5,
            "10 requests within {span:?} ({} … {}); spacing is {spacing:?}",
            w[0].path,
            w[9].path
        );
    }
    let whole = sorted[sorted.len() - 1].at - sorted[0].at;
    let gaps = (sorted.len() - 1) as u32;
    assert!(
        whole >= spacing * gaps * 19 / 20,
        "{} requests within {whole:?}",
        sorted.len()
    );
    let min_gap = sorted.windows(2).map(|w| w[1].at - w[0].at).min().unwrap();
    eprintln!("smallest gap between two requests at the server: {min_gap:?}");

    // History is not news: the digest selects none of it, but does select
    // a change polling finds afterwards.
    let undelivered = db
        .call(|s| s.undelivered_changes("daily", &ChangeFilter::default()))
        .await
        .unwrap();
    assert!(
        undelivered.is_empty(),
        "{} backfilled changes would be mailed",
        undelivered.len()
    );
    let polled = branchwatch::model::Article {
        url: "https://news.example/polled".into(),
        title: Some("Новый председатель".into()),
        text: "Председателем Павлодарского областного филиала партии «Ауыл» избран Ержан Жақыпов."
            .into(),
        published: chrono::DateTime::parse_from_rfc3339("2026-01-05T09:00:00+05:00").ok(),
        ..Default::default()
    };
    let changes = p.detect_article(&polled);
    assert_eq!(changes.len(), 1);
    db.call(move |s| s.record_article(&polled, &changes, chrono::Utc::now()))
        .await
        .unwrap();
    let undelivered = db
        .call(|s| s.undelivered_changes("daily", &ChangeFilter::default()))
        .await
        .unwrap();
    assert_eq!(undelivered.len(), 1);
    assert_eq!(undelivered[0].person, "Ержан Жақыпов");

    // A second run discovers again but fetches no page.
    let before = server.requests().len();
    let r2 = backfill::start(&p, spec(&server), &RunOptions::default(), Arc::new(Quiet))
        .await
        .unwrap();
    assert_ne!(r2.job_id, r.job_id);
    assert_eq!(
        (r2.listed, r2.known, r2.fetched),
        (site::ARTICLES, site::ARTICLES, 0)
    );
    let again: Vec<String> = server.requests()[before..]
        .iter()
        .map(|r| r.path.clone())
        .filter(|p| p.starts_with("/news/"))
        .collect();
    assert!(again.is_empty(), "second run fetched {again:?}");
    assert_eq!(site::stored_changes(&db_path).0.len(), site::CHANGES + 1);
}

/// Runs the real binary and SIGKILLs it at random moments, then lets it
/// finish: same 40 changes, and a page is requested twice only if it was
/// in flight (state `fetching` in the database) when a kill landed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_at_random_points_resumes_without_refetching() {
    use rand::{Rng, SeedableRng};
    let seed: u64 = std::env::var("BRANCHWATCH_BACKFILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    eprintln!("seed {seed} (BRANCHWATCH_BACKFILL_SEED replays it)");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let server = site::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("bw.sqlite");
    let cfg = dir.path().join("branchwatch.toml");
    std::fs::write(
        &cfg,
        format!(
            "[storage]\ndatabase = {:?}\n[polling]\nallow_private_addresses = true\nper_host_spacing_ms = 20\n[api]\nenabled = false\n",
            db_path.display().to_string()
        ),
    )
    .unwrap();
    let args = [
        "backfill".to_string(),
        "--site".into(),
        server.url(""),
        "--since".into(),
        "2025-01-01".into(),
        "--until".into(),
        "2025-12-31".into(),
        "--feed-pages".into(),
        server.url("/feed/"),
    ];
    let log = dir.path().join("stderr.log");
    let out = dir.path().join("stdout.txt");
    let spawn = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_branchwatch"))
            .arg("--config")
            .arg(&cfg)
            .args(&args)
            .stdout(std::fs::File::create(&out).unwrap())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap()
    };
    let mut in_flight: BTreeSet<String> = BTreeSet::new();
    let mut kills = 0;
    // One kill at a random moment (most likely during discovery), four
    // when a random number of pages has been stored.
    let mut targets: Vec<i64> = (0..4).map(|_| rng.gen_range(5..295)).collect();
    targets.sort();
    let fetched = |db: &Path| -> i64 {
        rusqlite::Connection::open(db)
            .and_then(|c| {
                c.query_row(
                    "SELECT count(*) FROM backfill_urls WHERE state = 'fetched'",
                    [],
                    |r| r.get(0),
                )
            })
            .unwrap_or(0)
    };
    for round in 0..5 {
        let mut child = spawn();
        if round == 0 {
            tokio::time::sleep(Duration::from_millis(rng.gen_range(200..2500))).await;
        } else {
            while fetched(&db_path) < targets[round - 1] && child.try_wait().unwrap().is_none() {
                tokio::time::sleep(Duration::from_millis(rng.gen_range(1..15))).await;
            }
        }
        if child.try_wait().unwrap().is_some() {
            continue; // finished before this kill point
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        kills += 1;
        if db_path.exists() {
            let c = rusqlite::Connection::open(&db_path).unwrap();
            let urls: Vec<String> =
                match c.prepare("SELECT url FROM backfill_urls WHERE state = 'fetching'") {
                    Ok(mut st) => st
                        .query_map([], |r| r.get(0))
                        .unwrap()
                        .collect::<Result<_, _>>()
                        .unwrap(),
                    Err(_) => Vec::new(), // killed before the schema was created
                };
            in_flight.extend(urls.into_iter().map(|u| u.replace(&server.url(""), "")));
        }
    }
    let mut last = spawn();
    let status = tokio::task::spawn_blocking(move || last.wait().unwrap())
        .await
        .unwrap();
    eprintln!("{kills} kill(s); in flight at a kill: {in_flight:?}");

    let (changes, _) = site::stored_changes(&db_path);
    assert_eq!(changes, site::expected_changes());
    assert_eq!(
        status.code(),
        Some(0),
        "the final run ends with changes found; stdout:\n{}\nstderr:\n{}",
        std::fs::read_to_string(&out).unwrap_or_default(),
        std::fs::read_to_string(&log).unwrap_or_default()
    );

    let mut counts: HashMap<String, usize> = HashMap::new();
    for p in site::article_requests(&server) {
        *counts.entry(p).or_default() += 1;
    }
    assert_eq!(counts.len(), site::ARTICLES, "every article fetched");
    let twice: BTreeSet<String> = counts
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(p, _)| p)
        .collect();
    eprintln!("pages requested twice: {twice:?}");
    assert!(
        twice.is_subset(&in_flight),
        "fetched twice without being in flight at a kill: {:?}",
        twice.difference(&in_flight).collect::<Vec<_>>()
    );
    let c = rusqlite::Connection::open(&db_path).unwrap();
    let jobs: Vec<(i64, String)> = c
        .prepare("SELECT id, state FROM backfill_jobs")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(jobs.len(), 1, "reruns continue the one job: {jobs:?}");
    assert_eq!(jobs[0].1, "done");

    // `backfill list --format json` for scripts.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_branchwatch"))
        .arg("--config")
        .arg(&cfg)
        .args(["backfill", "list", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let job = &list[0];
    assert_eq!(job["state"], "done");
    assert_eq!(job["since"], "2025-01-01");
    assert_eq!(job["fetched"], site::ARTICLES as u64);
    assert_eq!(job["pending"], 0);
    assert_eq!(job["changes_found"], site::CHANGES as u64);
}

/// `branchwatch run` picks up a stored running job and completes it beside
/// polling, then stops cleanly on SIGTERM. The archive answers slowly (half
/// a second a page) while a feed on another host reports a change: the poll
/// is not queued behind the backfill, its change is stored while the job
/// still has most of its pages to fetch.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_daemon_runs_stored_jobs_beside_polling() {
    use fetch_support::Reply;
    let server = site::start_slow(Duration::from_millis(500)).await;
    let feed = fetch_support::serve(|req| match req.path.as_str() {
        "/rss" => Reply::ok(
            "<rss version=\"2.0\"><channel><title>F</title><item><title>Новый председатель</title>\
             <link>http://localhost/a1</link><guid>a1</guid></item></channel></rss>",
        )
        .header("Content-Type", "application/rss+xml"),
        _ => Reply::new(404),
    })
    .await;
    // Articles are not fetched for this feed: its item alone shows the poll ran.
    let feed_url = feed.url("/rss");
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("bw.sqlite");
    let cfg = dir.path().join("branchwatch.toml");
    std::fs::write(
        &cfg,
        format!(
            "[storage]\ndatabase = {:?}\n[polling]\nallow_private_addresses = true\nper_host_spacing_ms = 5\n\
             first_poll_max_age_days = 0\nfetch_articles = false\n[api]\nenabled = false\n\
             [[feeds]]\nname = \"f\"\nurl = {feed_url:?}\nlang = \"ru\"\n",
            db_path.display().to_string()
        ),
    )
    .unwrap();
    // Discovered beforehand, so the daemon starts fetching archive pages at once.
    {
        let mut s = branchwatch::store::Store::open(&db_path).unwrap();
        let now = chrono::Utc::now();
        let id = s.backfill_create(&spec(&server), now).unwrap();
        let urls: Vec<_> = site::articles()
            .into_iter()
            .map(|a| {
                let e = branchwatch::model::ArchiveEntry {
                    url: server.url(&a.path),
                    title: None,
                    published: Some(a.date),
                    lastmod: None,
                };
                (e, branchwatch::model::Lane::Untitled)
            })
            .collect();
        s.backfill_add_urls(id, &urls, now).unwrap();
    }
    let log = dir.path().join("daemon.log");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_branchwatch"))
        .arg("--config")
        .arg(&cfg)
        .arg("run")
        .env_remove("NOTIFY_SOCKET")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let query = |sql: &str| -> Option<i64> {
        rusqlite::Connection::open(&db_path)
            .ok()?
            .query_row(sql, [], |r| r.get(0))
            .ok()
    };
    let started = std::time::Instant::now();
    let fail = |what: &str| -> ! {
        panic!(
            "{what}; log:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        )
    };
    // The feed's item is stored (the poll ran) ...
    while query("SELECT count(*) FROM items").unwrap_or(0) == 0 {
        if child.try_wait().unwrap().is_some() {
            fail("daemon exited");
        }
        if started.elapsed() > Duration::from_secs(60) {
            fail("no poll");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // ... while the backfill has fetched few of its 300 slow pages.
    let fetched = query("SELECT count(*) FROM backfill_urls WHERE state = 'fetched'").unwrap_or(0);
    assert!(
        fetched < 200,
        "the poll waited for {fetched} backfill pages"
    );
    // ... and the backfill did run beside it.
    while query("SELECT count(*) FROM backfill_urls WHERE state = 'fetched'").unwrap_or(0) == 0 {
        if started.elapsed() > Duration::from_secs(60) {
            fail("the backfill never fetched a page");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert!(status.success(), "{status:?}");
}

/// `branchwatch run` completes a stored job (fast archive) and the result
/// is the site's 40 changes, marked as history.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_daemon_completes_stored_jobs() {
    let server = site::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("bw.sqlite");
    let cfg = dir.path().join("branchwatch.toml");
    std::fs::write(
        &cfg,
        format!(
            "[storage]\ndatabase = {:?}\n[polling]\nallow_private_addresses = true\nper_host_spacing_ms = 5\n[api]\nenabled = false\n",
            db_path.display().to_string()
        ),
    )
    .unwrap();
    let id = branchwatch::store::Store::open(&db_path)
        .unwrap()
        .backfill_create(&spec(&server), chrono::Utc::now())
        .unwrap();
    let log = dir.path().join("daemon.log");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_branchwatch"))
        .arg("--config")
        .arg(&cfg)
        .arg("run")
        .env_remove("NOTIFY_SOCKET")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let state = || -> Option<String> {
        rusqlite::Connection::open(&db_path)
            .ok()?
            .query_row("SELECT state FROM backfill_jobs WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .ok()
    };
    let started = std::time::Instant::now();
    while state().as_deref() != Some("done") {
        assert!(
            child.try_wait().unwrap().is_none(),
            "daemon exited; log:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "job not done; log:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // SIGTERM through kill(1): the daemon's clean stop.
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert!(status.success(), "{status:?}");
    let (changes, origins) = site::stored_changes(&db_path);
    assert_eq!(changes, site::expected_changes());
    assert!(origins.iter().all(|o| o == "backfill"));
}

/// A site without robots.txt or a readable sitemap: the malformed sitemap
/// is reported, the WordPress feed at /feed/ is paged instead, and paging
/// stops at the first page older than --since.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_sitemaps_the_paged_feed_is_read_until_it_predates_the_range() {
    use fetch_support::Reply;
    let base = Arc::new(std::sync::Mutex::new(String::new()));
    let b = base.clone();
    let server = fetch_support::serve(move |req| {
        let base = b.lock().unwrap().clone();
        let page = |days: [&str; 3]| {
            let items: Vec<(String, String, String)> = days
                .iter()
                .map(|d| (format!("{base}/p/{d}"), format!("{base}/p/{d}"), format!("Жаңалық {d}")))
                .collect();
            let mut rss = String::from("<rss version=\"2.0\"><channel><title>T</title>\n");
            for (g, l, t) in &items {
                let date = chrono::NaiveDate::parse_from_str(&g[g.len() - 10..], "%Y-%m-%d")
                    .unwrap()
                    .and_hms_opt(9, 0, 0)
                    .unwrap()
                    .and_utc()
                    .to_rfc2822();
                rss.push_str(&format!(
                    "<item><guid>{g}</guid><link>{l}</link><title>{t}</title><pubDate>{date}</pubDate></item>\n"
                ));
            }
            rss.push_str("</channel></rss>");
            Reply::ok(rss).header("Content-Type", "application/rss+xml")
        };
        match req.path.as_str() {
            "/sitemap.xml" => Reply::ok("<urlset><url><loc>x</loc></urlx></urlset>")
                .header("Content-Type", "application/xml"),
            "/feed/?paged=1" => page(["2025-03-01", "2025-02-01", "2025-01-15"]),
            "/feed/?paged=2" => page(["2025-01-02", "2024-12-30", "2024-12-20"]),
            "/feed/?paged=3" => page(["2024-12-10", "2024-11-01", "2024-10-01"]),
            "/feed/?paged=4" => page(["2024-09-01", "2024-08-01", "2024-07-01"]),
            _ => Reply::new(404),
        }
    })
    .await;
    *base.lock().unwrap() = server.url("");
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("bw.sqlite");
    let mut c = config(&db_path);
    c.polling.per_host_spacing_ms = 0;
    let p = Pipeline::new(
        Arc::new(c),
        Db::open(&db_path).unwrap(),
        Arc::new(Metrics::default()),
    )
    .unwrap();
    let spec = BackfillSpec {
        site: server.url(""),
        since: NaiveDate::from_ymd_opt(2025, 1, 1),
        until: None,
        sitemap: None,
        feed_pages: None,
    };
    let r = backfill::start(&p, spec, &RunOptions::default(), Arc::new(Quiet))
        .await
        .unwrap();
    assert_eq!(r.sitemaps_read, 0);
    assert!(
        r.problems
            .iter()
            .any(|e| e.contains("/sitemap.xml") && e.contains("malformed")),
        "{:?}",
        r.problems
    );
    assert_eq!(r.feed_pages_read, 3);
    assert_eq!(r.listed, 4, "the four items of 2025");
    assert_eq!((r.fetched, r.failed), (0, 4), "their pages answer 404");
    assert_eq!(r.state, Some(JobState::Done));
    assert!(server.requests_to("/feed/?paged=4").is_empty());
    assert_eq!(
        server.requests_to("/p/2025-01-02").len(),
        1,
        "a 404 is not retried"
    );
    let job = Db::open(&db_path)
        .unwrap()
        .call(move |s| s.backfill_job(r.job_id))
        .await
        .unwrap()
        .unwrap();
    assert!(job.last_error.unwrap_or_default().contains("malformed"));
}

/// A job whose recorded runner is a live process is left to it; one whose
/// runner died (SIGKILL) is taken over at once.
#[tokio::test]
async fn a_job_runs_in_one_process_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("bw.sqlite");
    let db = Db::open(&db_path).unwrap();
    let p = Pipeline::new(
        Arc::new(config(&db_path)),
        db.clone(),
        Arc::new(Metrics::default()),
    )
    .unwrap();
    let id = db
        .call(|s| {
            let id = s.backfill_create(&BackfillSpec::default(), chrono::Utc::now())?;
            s.backfill_add_urls(id, &[], chrono::Utc::now())?;
            Ok(id)
        })
        .await
        .unwrap();
    // pid 1 always exists.
    db.call(move |s| s.backfill_take(id, None, 1))
        .await
        .unwrap();
    let err = backfill::run_job(&p, id, &RunOptions::default(), Arc::new(Quiet))
        .await
        .unwrap_err();
    assert!(
        matches!(err, backfill::BackfillError::Busy { pid: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("process 1"), "{err}");

    let mut gone = std::process::Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    db.call(move |s| s.backfill_take(id, Some(1), dead))
        .await
        .unwrap();
    let r = backfill::run_job(&p, id, &RunOptions::default(), Arc::new(Quiet))
        .await
        .unwrap();
    assert_eq!(r.state, Some(JobState::Done));
    assert_eq!(db.call(move |s| s.backfill_runner(id)).await.unwrap(), None);
}

/// A 429 with `Retry-After: 1` pauses the whole job (no request to the site
/// for a second, by the server's clock) and the page is tried again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_pauses_the_job_and_the_page_is_retried() {
    use fetch_support::Reply;
    use std::sync::atomic::{AtomicBool, Ordering};
    let refused = Arc::new(AtomicBool::new(false));
    let r2 = refused.clone();
    let base = Arc::new(std::sync::Mutex::new(String::new()));
    let b = base.clone();
    let server = fetch_support::serve(move |req| {
        let base = b.lock().unwrap().clone();
        let article = |n: &str| {
            Reply::ok(format!(
                "<html><head><title>{n}</title></head><body><article><h1>{n}</h1>\
                 <p>Председателем Павлодарского областного филиала партии «Ауыл» избран {n}.</p>\
                 <p>Делегаты обсудили планы на год и приняли решения о работе филиала.</p></article></body></html>"
            ))
            .header("Content-Type", "text/html; charset=utf-8")
        };
        match req.path.as_str() {
            "/sitemap.xml" => Reply::ok(format!(
                "<urlset><url><loc>{base}/a</loc><lastmod>2025-05-01</lastmod></url>\
                 <url><loc>{base}/b</loc><lastmod>2025-05-02</lastmod></url></urlset>"
            )),
            "/a" if !r2.swap(true, Ordering::SeqCst) => {
                Reply::new(429).header("Retry-After", "1")
            }
            "/a" => article("Ержан Оспанов"),
            "/b" => article("Серік Ахметов"),
            _ => Reply::new(404),
        }
    })
    .await;
    *base.lock().unwrap() = server.url("");
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("bw.sqlite");
    let mut c = config(&db_path);
    c.polling.per_host_spacing_ms = 0;
    let p = Pipeline::new(
        Arc::new(c),
        Db::open(&db_path).unwrap(),
        Arc::new(Metrics::default()),
    )
    .unwrap();
    let spec = BackfillSpec {
        site: server.url(""),
        sitemap: Some(server.url("/sitemap.xml")),
        ..BackfillSpec::default()
    };
    let opts = RunOptions {
        concurrency: 1,
        ..RunOptions::default()
    };
    let r = backfill::start(&p, spec, &opts, Arc::new(Quiet))
        .await
        .unwrap();
    assert_eq!((r.fetched, r.failed), (2, 0));
    let reqs = server.requests();
    let refusal = reqs.iter().position(|q| q.path == "/a").unwrap();
    let next = &reqs[refusal + 1];
    let waited = next.at - reqs[refusal].at;
    assert!(
        waited >= Duration::from_millis(950),
        "next request ({}) {waited:?} after the 429",
        next.path
    );
    assert_eq!(server.requests_to("/a").len(), 2);
}
