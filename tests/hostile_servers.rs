//! Hostile servers and hostile documents, driven through the real pipeline
//! (`Pipeline::poll_feeds` into a SQLite file) from an in-process server on
//! 127.0.0.1: malformed and truncated XML, "billion laughs", a gzip bomb, an
//! endless body, a body at one byte per second, a redirect loop, lying and
//! missing charsets, invalid UTF-8, HTML nested 100,000 levels deep, a 50 MB
//! single line, and a feed with thousands of items.
//!
//! Each must end in a stored, readable error on its feed's row, or in a
//! bounded result, and the well-behaved feeds polled in the same cycle must
//! complete. A second test runs the real binary (`run --once`) against the
//! bombs and samples its peak resident memory.

mod hostile_support;

use branchwatch::config::{Config, FeedConfig};
use branchwatch::db::Db;
use branchwatch::metrics::Metrics;
use branchwatch::pipeline::Pipeline;
use branchwatch::store::FeedRow;
use hostile_support::*;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const MB: usize = 1 << 20;

fn config(db: &Path, feeds: &[(&str, String)]) -> Config {
    let mut c = Config::default();
    c.storage.database = db.to_path_buf();
    c.polling.allow_private_addresses = true;
    c.polling.respect_robots_txt = false;
    c.polling.first_poll_max_age_days = 0;
    c.polling.per_host_spacing_ms = 0;
    c.polling.per_host_concurrency = 8;
    c.polling.global_concurrency = 16;
    c.polling.connect_timeout_secs = 2;
    c.polling.total_timeout_secs = 4;
    c.polling.max_body_bytes = 8 * MB;
    c.api.enabled = false;
    c.feeds = feeds
        .iter()
        .map(|(name, url)| FeedConfig {
            name: name.to_string(),
            url: url.clone(),
            lang: None,
            poll_interval_secs: None,
            site_rule: None,
            ..FeedConfig::default()
        })
        .collect();
    c
}

/// Item rows of one feed: (title, article_error, has article).
fn items(db: &Path, feed: &str) -> Vec<(Option<String>, Option<String>, bool)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut st = conn
        .prepare(
            "SELECT i.title, i.article_error, i.article_id IS NOT NULL FROM items i \
             JOIN feeds f ON f.id = i.feed_id WHERE f.name = ?1 ORDER BY i.id",
        )
        .unwrap();
    st.query_map([feed], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn kind(row: &FeedRow) -> String {
    row.last_error_kind.clone().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hostile_feeds_end_in_stored_errors_or_bounded_results_and_the_rest_complete() {
    let srv = HostileServer::start().await;
    let xml = "application/rss+xml";

    // Feeds that must fail, each with its own stored error.
    let good_doc = rss("truncated", 50, |i| {
        Some(format!("http://example.invalid/t/{i}"))
    });
    let mut feeds: Vec<(&str, String)> = vec![
        (
            "malformed",
            srv.route(
                "/malformed.xml",
                Hostile::bytes(xml, "<rss version=\"2.0\"><channel><title>x</title><item><title>a</item></channel><<<>>"),
            ),
        ),
        (
            "truncated",
            srv.route("/truncated.xml", Hostile::bytes(xml, &good_doc.as_bytes()[..good_doc.len() / 2])),
        ),
        ("billion-laughs", srv.route("/laughs.xml", Hostile::bytes(xml, billion_laughs()))),
        ("gzip-bomb", srv.route("/bomb.xml", Hostile::gzip(xml, gzip_bomb(256 * MB)))),
        (
            "endless",
            srv.route("/endless.xml", Hostile::Endless { chunk: Arc::new(b"<item>".repeat(8192)) }),
        ),
        (
            "trickle",
            srv.route(
                "/trickle.xml",
                Hostile::Trickle { body: Arc::new(rss("slow", 2, |_| None).into_bytes()), every: Duration::from_secs(1) },
            ),
        ),
        (
            "redirect-loop",
            srv.route("/loop-a.xml", Hostile::Redirect { status: 302, location: "/loop-b.xml".into() }),
        ),
        (
            "xml-100k-deep",
            srv.route("/deep.xml", Hostile::bytes(xml, format!("<rss version=\"2.0\"><channel>{}</channel></rss>", nested("x", 100_000, "deep")))),
        ),
        (
            "line-50mb",
            srv.route(
                "/line50.xml",
                Hostile::bytes(xml, format!("<rss version=\"2.0\"><channel><title>{}</title></channel></rss>", "a".repeat(50 * MB))),
            ),
        ),
    ];
    srv.route(
        "/loop-b.xml",
        Hostile::Redirect {
            status: 302,
            location: "/loop-a.xml".into(),
        },
    );

    // Feeds that must succeed despite their quirks.
    let cyr_utf8 = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Жаңалықтар</title>\
        <item><title>Облыс жаңалықтары</title><guid>w1</guid></item></channel></rss>";
    let cp1251_text = "<rss version=\"2.0\"><channel><title>Новости области</title>\
        <item><title>Новости области и города за неделю</title><guid>c1</guid>\
        <description>В областном центре прошла встреча жителей с депутатами маслихата. \
        Обсуждались вопросы благоустройства, ремонта дорог и отопления в зимний период.</description></item>\
        </channel></rss>";
    let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(cp1251_text);
    let mut invalid = b"<rss version=\"2.0\"><channel><title>bad</title><item><title>Bad \xff\xfe bytes \xc3</title><guid>b1</guid></item></channel></rss>".to_vec();
    invalid.extend_from_slice(b"\n");
    let big_line = format!(
        "<rss version=\"2.0\"><channel><title>big</title><item><title>big</title><guid>big1</guid><description>{}</description></item></channel></rss>",
        "word ".repeat(7 * MB / 5)
    );
    feeds.extend([
        (
            "wrong-charset",
            srv.route(
                "/wrong-charset.xml",
                Hostile::bytes("text/xml; charset=iso-8859-1", cyr_utf8),
            ),
        ),
        (
            "no-charset",
            srv.route(
                "/no-charset.xml",
                Hostile::bytes("text/xml", cp1251.into_owned()),
            ),
        ),
        (
            "invalid-utf8",
            srv.route(
                "/invalid.xml",
                Hostile::bytes("text/xml; charset=utf-8", invalid),
            ),
        ),
        (
            "line-7mb",
            srv.route("/line7.xml", Hostile::bytes(xml, big_line)),
        ),
        (
            "thousands",
            srv.route(
                "/thousands.xml",
                Hostile::bytes(xml, rss("many", 5000, |_| None)),
            ),
        ),
    ]);

    // Hostile article pages behind an otherwise ordinary feed, plus one
    // good article whose change must still be found.
    let good_article = "<html><head><meta charset=\"utf-8\"><title>Новый председатель</title></head><body><article>\
        <h1>Новый председатель филиала</h1><p>Председателем Карагандинского областного филиала партии «AMANAT» избран Ерлан Жаксылыков.</p>\
        <p>Решение принято на конференции филиала.</p></article></body></html>";
    let arts = [
        (
            "/a/good.html",
            Hostile::bytes("text/html; charset=utf-8", good_article),
        ),
        (
            "/a/deep.html",
            Hostile::bytes(
                "text/html; charset=utf-8",
                format!(
                    "<html><body>{}</body></html>",
                    nested("div", 100_000, "<p>Бугін ауа райы жақсы.</p>")
                ),
            ),
        ),
        (
            "/a/bomb.html",
            Hostile::gzip("text/html", gzip_bomb(256 * MB)),
        ),
        (
            "/a/endless.html",
            Hostile::Endless {
                chunk: Arc::new(b"<p>lorem ipsum</p>".repeat(4096)),
            },
        ),
        (
            "/a/slow.html",
            Hostile::Trickle {
                body: Arc::new(b"<html><body><p>slow</p></body></html>".to_vec()),
                every: Duration::from_secs(1),
            },
        ),
        (
            "/a/garbage.html",
            Hostile::bytes(
                "text/html",
                (0..200_000u32)
                    .map(|i| (i * 7919 % 251) as u8)
                    .collect::<Vec<u8>>(),
            ),
        ),
        (
            "/a/line.html",
            Hostile::bytes(
                "text/html",
                format!("<html><body><p>{}</p></body></html>", "слово ".repeat(MB)),
            ),
        ),
    ];
    let links: Vec<String> = arts.iter().map(|(p, _)| srv.url(p)).collect();
    for (p, r) in arts {
        srv.route(p, r);
    }
    let links2 = links.clone();
    feeds.push((
        "articles",
        srv.route(
            "/articles.xml",
            Hostile::bytes(
                xml,
                rss("articles", links2.len(), move |i| Some(links2[i].clone())),
            ),
        ),
    ));

    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("hostile.sqlite");
    let cfg = Arc::new(config(&db_path, &feeds));
    let db = Db::open(&db_path).unwrap();
    let specs = cfg.feed_specs();
    db.call(move |s| s.sync_feeds(&specs, chrono::Utc::now()))
        .await
        .unwrap();
    let p = Pipeline::new(cfg.clone(), db.clone(), Arc::new(Metrics::default())).unwrap();
    let rows = db.call(|s| s.feeds()).await.unwrap();
    assert_eq!(rows.len(), feeds.len());

    let started = Instant::now();
    let report = p.poll_feeds(rows).await.unwrap();
    let took = started.elapsed();
    eprintln!(
        "cycle over {} hostile/quirky feeds took {took:?}; failed: {:#?}",
        feeds.len(),
        report.failed
    );
    assert!(took < Duration::from_secs(90), "the cycle took {took:?}");

    let rows: HashMap<String, FeedRow> = db
        .call(|s| s.feeds())
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.name.clone(), r))
        .collect();
    for (name, row) in &rows {
        assert!(
            row.last_checked_at.is_some(),
            "{name}: the refresh was not recorded: {row:?}"
        );
        if let Some(e) = &row.last_error {
            assert!(
                !e.trim().is_empty() && row.last_error_kind.is_some(),
                "{name}: {row:?}"
            );
            eprintln!(
                "  {name:16} -> {}: {}",
                kind(row),
                e.chars().take(140).collect::<String>()
            );
        } else {
            eprintln!("  {name:16} -> ok, {} items", row.item_count);
        }
    }
    let expect_error = |name: &str, kinds: &[&str]| {
        let row = &rows[name];
        assert!(
            row.last_error.is_some(),
            "{name} should have failed: {row:?}"
        );
        assert!(
            kinds.contains(&kind(row).as_str()),
            "{name}: kind {:?}, expected one of {kinds:?}: {row:?}",
            kind(row)
        );
        assert_eq!(row.item_count, 0, "{name}");
    };
    expect_error("malformed", &["parse"]);
    expect_error("gzip-bomb", &["too_large"]);
    expect_error("endless", &["too_large"]);
    expect_error("trickle", &["timeout"]);
    expect_error("redirect-loop", &["redirect_loop"]);
    expect_error("xml-100k-deep", &["parse", "feed_too_deep"]);
    expect_error("line-50mb", &["too_large"]);

    // A truncated document either fails to parse or yields at most the
    // items that were complete before the cut.
    let t = &rows["truncated"];
    assert!(
        t.last_error.is_some() || (t.item_count as usize) < 50,
        "{t:?}"
    );
    // Entities are never expanded into a billion laughs: an error, or items
    // whose text stays small.
    let laughs = &rows["billion-laughs"];
    if laughs.last_error.is_none() {
        for (title, _, _) in items(&db_path, "billion-laughs") {
            let n = title.map_or(0, |t| t.len());
            assert!(n < 100_000, "an entity was expanded to {n} bytes");
        }
    }

    let expect_ok = |name: &str| -> Vec<(Option<String>, Option<String>, bool)> {
        let row = &rows[name];
        assert!(
            row.last_error.is_none() && row.last_success_at.is_some(),
            "{name} should complete: {row:?}"
        );
        let it = items(&db_path, name);
        assert!(!it.is_empty(), "{name}: no items stored");
        it
    };
    let w = expect_ok("wrong-charset");
    assert_eq!(
        w[0].0.as_deref(),
        Some("Облыс жаңалықтары"),
        "UTF-8 body under a lying charset header"
    );
    let c = expect_ok("no-charset");
    assert_eq!(
        c[0].0.as_deref(),
        Some("Новости области и города за неделю"),
        "windows-1251 without a declaration"
    );
    let i = expect_ok("invalid-utf8");
    let t0 = i[0].0.clone().unwrap_or_default();
    assert!(t0.starts_with("Bad") && t0.contains("bytes"), "{t0:?}");
    assert_eq!(expect_ok("line-7mb").len(), 1);
    assert_eq!(expect_ok("thousands").len(), 5000);

    // Every hostile article ends as an article or an article error; the good
    // one is still analysed.
    let a = expect_ok("articles");
    assert_eq!(a.len(), links.len());
    for (title, err, has_article) in &a {
        eprintln!("  article {title:?}: stored={has_article} error={err:?}");
        assert!(
            *has_article || err.is_some(),
            "{title:?}: neither article nor error"
        );
    }
    let conn = rusqlite::Connection::open(&db_path).unwrap();
    let errs: Vec<String> = conn
        .prepare("SELECT i.link || ' ' || i.article_error FROM items i WHERE i.article_error IS NOT NULL AND i.link LIKE '%/a/%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (path, what) in [
        ("/a/bomb.html", "exceeds"),
        ("/a/endless.html", "exceeds"),
        ("/a/slow.html", "timed out"),
    ] {
        assert!(
            errs.iter().any(|e| e.contains(path) && e.contains(what)),
            "{path}: expected an article error containing {what:?}; errors: {errs:#?}"
        );
    }
    let persons: Vec<String> = conn
        .prepare("SELECT person FROM changes")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        persons.iter().any(|p| p.contains("Жаксылыков")),
        "the good article's change is missing: {persons:?}"
    );
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

/// The real binary, one cycle against every bomb at once, with its peak
/// resident memory sampled from /proc while it runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_stays_under_200_mb_against_bombs() {
    const LIMIT_KIB: u64 = 200 * 1024;
    let srv = HostileServer::start().await;
    let xml = "application/rss+xml";
    let bomb = gzip_bomb(512 * MB);
    let feeds = [
        (
            "gzip-bomb",
            srv.route("/bomb.xml", Hostile::gzip(xml, bomb.clone())),
        ),
        (
            "laughs",
            srv.route("/laughs.xml", Hostile::bytes(xml, billion_laughs())),
        ),
        (
            "endless",
            srv.route(
                "/endless.xml",
                Hostile::Endless {
                    chunk: Arc::new(b"<item>".repeat(8192)),
                },
            ),
        ),
        (
            "deep",
            srv.route("/deep.xml", Hostile::bytes(xml, nested("x", 100_000, ""))),
        ),
        (
            "line",
            srv.route("/line.xml", Hostile::bytes(xml, "a".repeat(50 * MB))),
        ),
        ("articles", String::new()),
    ];
    let arts = [
        srv.route("/a/bomb.html", Hostile::gzip("text/html", bomb)),
        srv.route(
            "/a/deep.html",
            Hostile::bytes("text/html", nested("div", 100_000, "<p>x</p>")),
        ),
        srv.route(
            "/a/endless.html",
            Hostile::Endless {
                chunk: Arc::new(b"<div>".repeat(8192)),
            },
        ),
    ];
    let arts2 = arts.clone();
    let art_feed = srv.route(
        "/articles.xml",
        Hostile::bytes(
            xml,
            rss("arts", arts2.len(), move |i| Some(arts2[i].clone())),
        ),
    );

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bw.sqlite");
    let mut text = format!(
        "[storage]\ndatabase = \"{}\"\n\n[polling]\nallow_private_addresses = true\nrespect_robots_txt = false\n\
         first_poll_max_age_days = 0\nper_host_spacing_ms = 0\nper_host_concurrency = 8\ntotal_timeout_secs = 5\n\
         connect_timeout_secs = 2\n\n[api]\nenabled = false\n",
        db.display()
    );
    for (name, url) in &feeds {
        let url = if *name == "articles" { &art_feed } else { url };
        text.push_str(&format!(
            "\n[[feeds]]\nname = \"{name}\"\nurl = \"{url}\"\n"
        ));
    }
    let cfg = dir.path().join("bw.toml");
    std::fs::write(&cfg, text).unwrap();

    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_branchwatch"))
        .args(["run", "--once", "--config"])
        .arg(&cfg)
        .env_remove("RUST_LOG")
        .env_remove("BRANCHWATCH_CONFIG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    let mut peak = 0u64;
    let started = Instant::now();
    let status = loop {
        if let Some(kib) = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|v| v.parse::<u64>().ok())
            })
        {
            peak = peak.max(kib);
        }
        if let Ok(Some(s)) = child.try_wait() {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "run --once still running after 120 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let out = child.wait_with_output().await.unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    eprintln!(
        "run --once against bombs: {status}, peak RSS {} MiB, {:?}",
        peak / 1024,
        started.elapsed()
    );
    assert!(status.success(), "exit {status}; log:\n{log}");
    assert!(peak > 0, "VmHWM was never sampled");
    assert!(
        peak < LIMIT_KIB,
        "peak RSS {peak} KiB is over {LIMIT_KIB} KiB; log:\n{log}"
    );

    let conn = rusqlite::Connection::open(&db).unwrap();
    let failed: i64 = conn
        .query_row(
            "SELECT count(*) FROM feeds WHERE last_error IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        failed >= 4,
        "only {failed} bomb feeds recorded an error; log:\n{log}"
    );
    let ok: i64 = conn
        .query_row(
            "SELECT count(*) FROM feeds WHERE name = 'articles' AND last_success_at IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(ok, 1, "the article feed did not complete; log:\n{log}");
}
