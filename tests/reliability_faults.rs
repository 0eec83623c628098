//! Database and disk faults:
//!
//! - Another *process* (this test binary, re-executed to run only
//!   [`lock_holder_process`]) holds `BEGIN EXCLUSIVE` on the database while the pipeline refreshes. A short lock is waited out
//!   (busy timeout) and the refresh is stored; a lock held longer than the
//!   busy timeout makes the refresh fail with a clear "database is locked"
//!   error, stores nothing of it, and the next poll after the lock is
//!   released stores everything. The file stays intact.
//! - Disk full, simulated with RLIMIT_FSIZE (`ulimit -f` in a bash wrapper,
//!   SIGXFSZ ignored so writes fail with EFBIG as on a full disk): the
//!   running daemon's refreshes fail cleanly (no feed is half stored), and
//!   once the limit is lifted (`prlimit` on the live process, or a restart
//!   when prlimit is missing) it stores everything, with an intact file.

mod reliability_support;
mod service_support;

use branchwatch::config::{Config, FeedConfig};
use branchwatch::db::Db;
use branchwatch::metrics::Metrics;
use branchwatch::pipeline::Pipeline;
use reliability_support::{signal, spawn_daemon, tail, wait_exit};
use service_support::FeedServer;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Set (to the database path) only in the child process that
/// [`hold_exclusive`] starts.
const HOLDER_DB_ENV: &str = "BRANCHWATCH_TEST_LOCK_DB";
/// How long the child holds the lock at most, in milliseconds.
const HOLDER_MS_ENV: &str = "BRANCHWATCH_TEST_LOCK_MS";
/// What the child prints once it holds the lock.
const LOCKED_MARKER: &str = "LOCK-HELD-BY-CHILD";

/// A separate process that takes an exclusive lock and holds it until its
/// stdin is closed (or `hold` passes). Returns once the lock is held.
///
/// The process is this test binary itself, asked to run only
/// [`lock_holder_process`], so nothing outside cargo's build is needed.
fn hold_exclusive(db: &Path, hold: Duration) -> Child {
    let exe = std::env::current_exe().expect("path of the running test binary");
    let mut child = Command::new(exe)
        .args([
            "lock_holder_process",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(HOLDER_DB_ENV, db)
        .env(HOLDER_MS_ENV, hold.as_millis().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("re-run the test binary as the lock holder");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    // The test harness prints its own text ("running 1 test", and
    // "test lock_holder_process ... " on the marker's line) around it.
    let locked = lines.any(|l| l.is_ok_and(|l| l.contains(LOCKED_MARKER)));
    assert!(locked, "the locking process did not get the lock");
    // Keep reading, so the child and its harness can print to the end.
    std::thread::spawn(move || lines.for_each(drop));
    child
}

/// Not a test of its own: the body of the second process of the lock
/// tests. Without [`HOLDER_DB_ENV`] (a normal test run, including
/// `--include-ignored`) it returns at once.
#[test]
#[ignore = "the lock-holding child process of the database-lock tests; they start it"]
fn lock_holder_process() {
    let Ok(db) = std::env::var(HOLDER_DB_ENV) else {
        return;
    };
    let hold_ms: u64 = std::env::var(HOLDER_MS_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30_000);
    let conn = rusqlite::Connection::open(&db).expect("open the database to lock");
    conn.busy_timeout(Duration::from_secs(30))
        .expect("busy timeout");
    conn.execute_batch("BEGIN EXCLUSIVE")
        .expect("BEGIN EXCLUSIVE");
    println!("{LOCKED_MARKER}");
    std::io::stdout().flush().expect("flush stdout");
    // Hold until the parent closes our stdin (read returns) or time is up.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
        let _ = tx.send(());
    });
    let _ = rx.recv_timeout(Duration::from_millis(hold_ms));
    conn.execute_batch("COMMIT").expect("COMMIT");
    println!("released");
}

fn release(mut child: Child) {
    drop(child.stdin.take());
    let _ = child.wait();
}

fn integrity(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

fn count(db: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn pipeline_config(db: &Path, feeds: &[(String, String)]) -> Config {
    let mut c = Config::default();
    c.storage.database = db.to_path_buf();
    c.polling.allow_private_addresses = true;
    c.polling.fetch_articles = false;
    c.polling.per_host_spacing_ms = 0;
    c.polling.first_poll_max_age_days = 0;
    c.api.enabled = false;
    c.feeds = feeds
        .iter()
        .map(|(n, u)| FeedConfig {
            name: n.clone(),
            url: u.clone(),
            lang: None,
            poll_interval_secs: None,
            site_rule: None,
            ..FeedConfig::default()
        })
        .collect();
    c
}

/// A pipeline over 4 feeds (2 items each) in a fresh database.
async fn locked_setup(dir: &Path, server: &FeedServer) -> (std::path::PathBuf, Db, Pipeline) {
    let db_path = dir.join("bw.sqlite");
    let feeds: Vec<(String, String)> = (0..4)
        .map(|i| (format!("f{i}"), server.url(&format!("/f{i}.xml"))))
        .collect();
    let cfg = Arc::new(pipeline_config(&db_path, &feeds));
    let db = Db::open(&db_path).unwrap();
    let specs = cfg.feed_specs();
    db.call(move |s| s.sync_feeds(&specs, chrono::Utc::now()))
        .await
        .unwrap();
    let p = Pipeline::new(cfg, db.clone(), Arc::new(Metrics::default())).unwrap();
    (db_path, db, p)
}

async fn feeds_named(db: &Db, names: &[&str]) -> Vec<branchwatch::store::FeedRow> {
    let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    db.call(|s| s.feeds())
        .await
        .unwrap()
        .into_iter()
        .filter(|f| names.contains(&f.name))
        .collect()
}

/// A lock held longer than the busy timeout: the refresh reports it and
/// stores nothing; the feed rows are untouched, so once the lock is gone
/// the next poll stores the same items, and the file is intact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_locked_by_another_process_is_reported_then_recovered() {
    let server = FeedServer::start();
    let dir = tempfile::tempdir().unwrap();
    let (db_path, db, p) = locked_setup(dir.path(), &server).await;
    // Some history first, so the lock meets a database with content.
    let r = p
        .poll_feeds(feeds_named(&db, &["f0", "f1"]).await)
        .await
        .unwrap();
    assert!(r.failed.is_empty() && r.items_new == 4, "{r:?}");

    let before_items = count(&db_path, "SELECT count(*) FROM items");
    let locker = hold_exclusive(&db_path, Duration::from_secs(30));
    let t = Instant::now();
    let r = p
        .poll_feeds(feeds_named(&db, &["f2", "f3"]).await)
        .await
        .unwrap();
    eprintln!("under a long lock: {:?} after {:?}", r.failed, t.elapsed());
    assert_eq!(r.failed.len(), 2, "{r:?}");
    for (name, err) in &r.failed {
        assert!(
            err.contains("locked") || err.contains("busy"),
            "{name}: unclear error {err:?}"
        );
    }
    release(locker);
    assert_eq!(
        count(&db_path, "SELECT count(*) FROM items"),
        before_items,
        "a failed refresh stored items"
    );
    let unrecorded = count(
        &db_path,
        "SELECT count(*) FROM feeds WHERE name IN ('f2','f3') AND last_checked_at IS NULL",
    );
    assert_eq!(
        unrecorded, 2,
        "the feed rows should be as before the failed refresh"
    );

    let r = p
        .poll_feeds(feeds_named(&db, &["f2", "f3"]).await)
        .await
        .unwrap();
    assert!(r.failed.is_empty(), "{:?}", r.failed);
    assert_eq!(r.items_new, 4);
    assert_eq!(count(&db_path, "SELECT count(*) FROM items"), 8);
    assert_eq!(
        count(
            &db_path,
            "SELECT count(DISTINCT feed_id || '/' || key) FROM items"
        ),
        8
    );
    drop(p);
    drop(db);
    assert_eq!(integrity(&db_path), "ok");
}

/// A lock shorter than the store's busy timeout (5 s) should be waited
/// out, not fail the refresh.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_lock_by_another_process_is_waited_out() {
    let server = FeedServer::start();
    let dir = tempfile::tempdir().unwrap();
    let (db_path, db, p) = locked_setup(dir.path(), &server).await;
    let locker = hold_exclusive(&db_path, Duration::from_secs(2));
    let t = Instant::now();
    let r = p
        .poll_feeds(feeds_named(&db, &["f0", "f1"]).await)
        .await
        .unwrap();
    let waited = t.elapsed();
    release(locker);
    assert!(
        r.failed.is_empty(),
        "a 2 s lock should be waited out, failed after {waited:?}: {:?}",
        r.failed
    );
    assert_eq!(r.items_new, 4, "{r:?}");
    assert!(
        waited >= Duration::from_millis(1500),
        "the refresh did not wait for the lock ({waited:?})"
    );
    drop(p);
    drop(db);
    assert_eq!(integrity(&db_path), "ok");
}

/// A feed server whose items carry large summaries, so a few refreshes
/// fill a small file-size limit.
fn big_feed_server(
    feeds: usize,
    items: usize,
    summary_bytes: usize,
) -> (std::net::SocketAddr, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let h = std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                use std::io::Read;
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let path = String::from_utf8_lossy(&head)
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("/")
                    .to_string();
                let n: usize = path
                    .trim_start_matches("/big")
                    .trim_end_matches(".xml")
                    .parse()
                    .unwrap_or(usize::MAX);
                let body = if n < feeds {
                    let mut s = format!("<rss version=\"2.0\"><channel><title>big {n}</title>");
                    for i in 0..items {
                        // Distinct text per item (no page-level compression helps).
                        let text: String = (0..summary_bytes / 12)
                            .map(|k| format!("w{n}x{i}y{k:05} "))
                            .collect();
                        s.push_str(&format!("<item><title>t{n}-{i}</title><guid isPermaLink=\"false\">g{n}-{i}</guid><description>{text}</description></item>"));
                    }
                    s.push_str("</channel></rss>");
                    s
                } else {
                    String::new()
                };
                let status = if n < feeds { "200 OK" } else { "404 Not Found" };
                let _ = stream.write_all(
                    format!("HTTP/1.1 {status}\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())
                        .as_bytes(),
                );
            });
        }
    });
    (addr, h)
}

#[test]
fn disk_full_fails_cleanly_and_resumes_when_space_returns() {
    const FEEDS: usize = 12;
    const ITEMS: usize = 20;
    let (addr, _h) = big_feed_server(FEEDS, ITEMS, 16 * 1024);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bw.sqlite");
    let cfg = dir.path().join("bw.toml");
    let mut text = format!(
        "[storage]\ndatabase = \"{}\"\n\n[polling]\ndefault_interval_secs = 1\nmin_interval_secs = 1\nmax_interval_secs = 2\n\
         backoff_cap_secs = 2\njitter_fraction = 0.0\nper_host_spacing_ms = 0\nper_host_concurrency = 2\n\
         allow_private_addresses = true\nfetch_articles = false\nfirst_poll_max_age_days = 0\n\n[api]\nenabled = false\n",
        db.display()
    );
    for i in 0..FEEDS {
        text.push_str(&format!(
            "\n[[feeds]]\nname = \"big{i}\"\nurl = \"http://{addr}/big{i}.xml\"\n"
        ));
    }
    std::fs::write(&cfg, &text).unwrap();
    // Create the database (schema only) before the limit, as on a disk that
    // was fine until now.
    {
        let s = branchwatch::store::Store::open(&db).unwrap();
        drop(s);
    }
    let base_kib = std::fs::metadata(&db).unwrap().len() / 1024;
    // 16 KiB × 20 items ≈ 320 KiB per feed, ~3.8 MiB in all: a 1 MiB limit
    // lets a few feeds through and refuses the rest.
    let limit_kib = base_kib + 1024;
    let log = dir.path().join("daemon.log");
    std::fs::write(&log, "").unwrap();
    let out = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    let err = out.try_clone().unwrap();
    // SIGXFSZ ignored (inherited across exec), so writes past the limit fail
    // with EFBIG as they would with ENOSPC, instead of killing the process.
    // Only the soft limit is lowered, so an unprivileged prlimit can lift it.
    let mut child = Command::new("bash")
        .args([
            "-c",
            &format!("trap '' XFSZ; ulimit -S -f {limit_kib}; exec \"$0\" run --config \"$1\""),
            env!("CARGO_BIN_EXE_branchwatch"),
        ])
        .arg(&cfg)
        .env_remove("RUST_LOG")
        .env_remove("BRANCHWATCH_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err))
        .spawn()
        .unwrap();

    // Wait until the limit has bitten: refreshes fail with a database error.
    let deadline = Instant::now() + Duration::from_secs(60);
    let full_line = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(l) = text.lines().find(|l| {
            l.contains("could not be recorded")
                || l.contains("disk is full")
                || l.contains("disk I/O error")
        }) {
            break l.to_string();
        }
        if let Ok(Some(s)) = child.try_wait() {
            panic!(
                "the daemon died under the file-size limit ({s}); log:\n{}",
                tail(&log, 40)
            );
        }
        assert!(
            Instant::now() < deadline,
            "the limit never bit; log:\n{}",
            tail(&log, 40)
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    eprintln!("under the limit: {full_line}");
    assert!(
        full_line.contains("full") || full_line.contains("I/O") || full_line.contains("too large"),
        "unclear error: {full_line}"
    );
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the daemon exited; log:\n{}",
        tail(&log, 40)
    );
    // No feed is half stored: each has all its items or none.
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.busy_timeout(Duration::from_secs(10)).unwrap();
        let per_feed: Vec<i64> = conn
            .prepare("SELECT count(i.id) FROM feeds f LEFT JOIN items i ON i.feed_id = f.id GROUP BY f.id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        eprintln!("items per feed while full: {per_feed:?}");
        assert!(
            per_feed.iter().all(|n| *n == 0 || *n == ITEMS as i64),
            "a feed was half stored: {per_feed:?}"
        );
        assert!(per_feed.contains(&0), "nothing was refused: {per_feed:?}");
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
    }

    // Space returns: lift the limit on the live process (or restart).
    let lifted = Command::new("prlimit")
        .args([
            "--pid",
            &child.id().to_string(),
            "--fsize=unlimited:unlimited",
        ])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !lifted {
        eprintln!("prlimit unavailable: restarting without the limit instead");
        signal(&child, "TERM");
        let _ = wait_exit(&mut child, Duration::from_secs(30));
        child = spawn_daemon(&cfg, &log, &[], &[]);
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let n = count(&db, "SELECT count(*) FROM items");
        if n == (FEEDS * ITEMS) as i64 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {n} of {} items stored after space returned (lifted live: {lifted}); log:\n{}",
            FEEDS * ITEMS,
            tail(&log, 40)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    signal(&child, "TERM");
    let status = wait_exit(&mut child, Duration::from_secs(30));
    assert!(
        status.is_some_and(|s| s.success()),
        "{status:?}; log:\n{}",
        tail(&log, 40)
    );
    assert_eq!(integrity(&db), "ok");
    assert_eq!(
        count(
            &db,
            "SELECT count(DISTINCT feed_id || '/' || key) FROM items"
        ),
        (FEEDS * ITEMS) as i64
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM feeds WHERE last_success_at IS NULL"
        ),
        0
    );
    eprintln!(
        "disk full: recovered {} items after the limit was lifted (live: {lifted})",
        FEEDS * ITEMS
    );
}
