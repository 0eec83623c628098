//! Sources without feeds, end to end: a party site's news list in Kazakh
//! and in Russian (relative dates, two pages each) and a Telegram channel's
//! public preview (20 posts, paging by `?before=`), served over real HTTP on
//! 127.0.0.1, polled by the real pipeline into a real SQLite file.
//!
//! Pages are the files under `tests/fixtures/sources/`; `{{BASE}}` in them
//! becomes the server's address.

mod fetch_support;

use branchwatch::config::{Config, FeedConfig, FeedKind};
use branchwatch::db::Db;
use branchwatch::feed::html_list::ListSelectors;
use branchwatch::fetch::{FetchOptions, Fetcher};
use branchwatch::metrics::Metrics;
use branchwatch::pipeline::{self, CycleReport, Pipeline};
use branchwatch::query::ChangeFilter;
use chrono::{FixedOffset, Timelike};
use fetch_support::{serve, Reply, TestServer};
use rusqlite::Connection;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sources")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn html(body: String) -> Reply {
    Reply::ok(body).header("Content-Type", "text/html; charset=utf-8")
}

/// The party sites, the channel and the articles they link to. `redesign`
/// switches the Kazakh list and the channel to pages their selectors do
/// not fit.
async fn sites(redesign: Arc<AtomicBool>) -> TestServer {
    let base = Arc::new(std::sync::Mutex::new(String::new()));
    let b = base.clone();
    let server = serve(move |req| {
        let base = b.lock().map(|s| s.clone()).unwrap_or_default();
        let page = |name: &str| html(fixture(name).replace("{{BASE}}", &base));
        let redesigned = redesign.load(Ordering::SeqCst);
        let p = req.path.as_str();
        match p {
            "/kk/news" if redesigned => page("party_kk_redesign.html").header("ETag", "\"kk-2\""),
            "/kk/news" if req.header("If-None-Match") == Some("\"kk-1\"") => Reply::new(304),
            "/kk/news" => page("party_kk_p1.html").header("ETag", "\"kk-1\""),
            "/kk/news?page=2" => page("party_kk_p2.html"),
            "/ru/news" => page("party_ru_p1.html"),
            "/ru/news?page=2" => page("party_ru_p2.html"),
            "/ru/news?page=3" => Reply::new(404),
            "/ru/news/77/" => page("article_ru_change.html"),
            "/s/akmola_press" if redesigned => page("tg_page1.html")
                .body(fixture("tg_page1.html").replace("tgme_widget_message ", "tg_post ")),
            "/s/akmola_press" => page("tg_page1.html"),
            "/s/akmola_press?before=121" => page("tg_page2.html"),
            "/s/akmola_press?before=116" => page("tg_empty.html"),
            "/s/closed_channel" => Reply::redirect(302, "/auth/login?to=closed_channel"),
            "/auth/login?to=closed_channel" => page("tg_login.html"),
            "/news/pavlodar-auyl?utm_source=telegram" => page("article_linked_ru.html"),
            "/news/plain" => page("article_ru_plain.html"),
            _ if p.starts_with("/kk/news/") => page("article_kk_plain.html"),
            _ if p.starts_with("/ru/news/") => page("article_ru_plain.html"),
            _ => Reply::new(404),
        }
    })
    .await;
    if let Ok(mut b) = base.lock() {
        *b = server.url("");
    }
    server
}

fn kk_list(server: &TestServer) -> FeedConfig {
    FeedConfig {
        name: "amanat-akmola-kk".into(),
        url: server.url("/kk/news"),
        kind: FeedKind::Html,
        select: Some(ListSelectors {
            item: "div.news-item".into(),
            link: Some("a.news-item__title".into()),
            date: Some(".news-item__date".into()),
            summary: Some("p.news-item__lead".into()),
            next: Some("a.pager__next".into()),
            ..ListSelectors::default()
        }),
        ..FeedConfig::default()
    }
}

fn ru_list(server: &TestServer) -> FeedConfig {
    FeedConfig {
        name: "akzhol-kostanay-ru".into(),
        url: server.url("/ru/news"),
        kind: FeedKind::Html,
        max_pages: Some(5),
        select: Some(ListSelectors {
            item: "ul.articles > li".into(),
            link: Some("h3 a".into()),
            title: Some("h3".into()),
            date: Some(".when".into()),
            summary: Some(".teaser".into()),
            page_url: Some("/ru/news?page={page}".into()),
            ..ListSelectors::default()
        }),
        ..FeedConfig::default()
    }
}

fn channel(server: &TestServer, name: &str) -> FeedConfig {
    FeedConfig {
        name: format!("tg-{name}"),
        url: server.url(&format!("/s/{name}")),
        kind: FeedKind::Telegram,
        channel: Some(name.into()),
        lang: Some(branchwatch::model::Lang::Kk),
        ..FeedConfig::default()
    }
}

fn config(db: &Path, feeds: Vec<FeedConfig>) -> Config {
    let mut c = Config::default();
    c.storage.database = db.to_path_buf();
    c.polling.allow_private_addresses = true;
    c.polling.respect_robots_txt = false;
    // The fixtures' absolute dates are from March 2025: read every item.
    c.polling.first_poll_max_age_days = 0;
    c.polling.per_host_spacing_ms = 0;
    c.polling.per_host_concurrency = 4;
    c.api.enabled = false;
    c.feeds = feeds;
    c
}

async fn poll(p: &Pipeline, db: &Db) -> CycleReport {
    let specs = p.config.feed_specs();
    db.call(move |s| s.sync_feeds(&specs, chrono::Utc::now()))
        .await
        .unwrap();
    let feeds = db.call(|s| s.feeds()).await.unwrap();
    p.poll_feeds(feeds).await.unwrap()
}

/// (key, link, summary, published, first_seen) of a feed's items, by key.
type ItemRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

fn items(db: &Path, feed: &str) -> Vec<ItemRow> {
    let conn = Connection::open(db).unwrap();
    let mut st = conn
        .prepare(
            "SELECT i.key, i.link, i.summary, i.published, i.first_seen FROM items i
             JOIN feeds f ON f.id = i.feed_id WHERE f.name = ?1 ORDER BY i.key",
        )
        .unwrap();
    st.query_map([feed], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

fn feed_error(db: &Path, feed: &str) -> (Option<String>, Option<String>) {
    let conn = Connection::open(db).unwrap();
    conn.query_row(
        "SELECT last_error_kind, last_error FROM feeds WHERE name = ?1",
        [feed],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

fn kz() -> FixedOffset {
    FixedOffset::east_opt(5 * 3600).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn party_lists_in_kazakh_and_russian_yield_each_item_once() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("bw.sqlite");
    let redesign = Arc::new(AtomicBool::new(false));
    let server = sites(redesign.clone()).await;
    let cfg = Arc::new(config(&db_path, vec![kk_list(&server), ru_list(&server)]));
    let db = Db::open(&db_path).unwrap();
    let p = Pipeline::new(cfg, db.clone(), Arc::new(Metrics::default())).unwrap();

    let first = poll(&p, &db).await;
    assert!(first.failed.is_empty(), "{:?}", first.failed);
    assert_eq!(first.items_new, 5 + 3 + 4 + 2, "{first:?}");
    let kk = items(&db_path, "amanat-akmola-kk");
    assert_eq!(kk.len(), 8);
    let keys: Vec<&str> = kk.iter().map(|i| i.0.as_str()).collect();
    // Canonical links: tracking parameters dropped, so a re-tagged link is the same item.
    assert!(
        keys.contains(
            &server
                .url("/kk/news/210")
                .replace("http", "u:http")
                .as_str()
        ),
        "{keys:?}"
    );
    // «Бүгін, 09:30» is the day of the poll in Kazakhstan, at 09:30.
    let today = kk.iter().find(|i| i.0.ends_with("/kk/news/210")).unwrap();
    let published = chrono::DateTime::parse_from_rfc3339(today.3.as_deref().unwrap())
        .unwrap()
        .with_timezone(&kz());
    let seen = chrono::DateTime::parse_from_rfc3339(&today.4)
        .unwrap()
        .with_timezone(&kz());
    assert_eq!(published.date_naive(), seen.date_naive());
    assert_eq!((published.hour(), published.minute()), (9, 30));
    // «Кеше» is the day before, «12 наурыз 2025» a fixed day.
    let yesterday = kk.iter().find(|i| i.0.ends_with("/kk/news/207")).unwrap();
    let y = chrono::DateTime::parse_from_rfc3339(yesterday.3.as_deref().unwrap())
        .unwrap()
        .with_timezone(&kz());
    assert_eq!(
        y.date_naive(),
        seen.date_naive() - chrono::Duration::days(1)
    );
    let fixed = kk.iter().find(|i| i.0.ends_with("/kk/news/206")).unwrap();
    assert_eq!(fixed.3.as_deref(), Some("2025-03-11T19:00:00.000000Z"));
    assert_eq!(items(&db_path, "akzhol-kostanay-ru").len(), 6);

    // The change reported only on the Russian list's article page.
    let changes = db
        .call(|s| s.changes(&ChangeFilter::default()))
        .await
        .unwrap();
    assert_eq!(changes.len(), 1, "{changes:#?}");
    let c = &changes[0];
    assert_eq!(c.person, "Марат Жумабеков");
    assert_eq!(c.party, "AK_ZHOL");
    assert_eq!(c.region, "KZ-39");
    assert_eq!(c.sources.len(), 1);
    assert_eq!(c.sources[0].url, server.url("/ru/news/77/"));

    // Second poll: the Kazakh list answers 304 to its ETag, the Russian one
    // is read again; nothing is added, and no second page is fetched.
    let second = poll(&p, &db).await;
    assert!(second.failed.is_empty(), "{:?}", second.failed);
    assert_eq!(second.items_new, 0, "{second:?}");
    assert_eq!(second.changes_new + second.changes_merged, 0);
    let kk_reqs = server.requests_to("/kk/news");
    assert_eq!(kk_reqs.len(), 2);
    assert_eq!(kk_reqs[1].header("If-None-Match"), Some("\"kk-1\""));
    assert_eq!(server.requests_to("/kk/news?page=2").len(), 1);
    assert_eq!(server.requests_to("/ru/news?page=2").len(), 1);
    assert_eq!(server.requests_to("/ru/news?page=3").len(), 1);
    assert_eq!(items(&db_path, "amanat-akmola-kk").len(), 8);

    // The Kazakh site is redesigned: its feed fails, naming the selector;
    // the Russian list is unaffected.
    redesign.store(true, Ordering::SeqCst);
    let third = poll(&p, &db).await;
    assert_eq!(third.failed.len(), 1, "{:?}", third.failed);
    assert_eq!(third.failed[0].0, "amanat-akmola-kk");
    let (kind, message) = feed_error(&db_path, "amanat-akmola-kk");
    assert_eq!(kind.as_deref(), Some("list_no_match"));
    assert!(
        message.as_deref().unwrap_or("").contains("div.news-item"),
        "{message:?}"
    );
    assert_eq!(feed_error(&db_path, "akzhol-kostanay-ru").0, None);
    server.requests(); // keep the server alive to here
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_preview_yields_every_post_once_and_pages_back() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("bw.sqlite");
    let redesign = Arc::new(AtomicBool::new(false));
    let server = sites(redesign.clone()).await;
    let cfg = Arc::new(config(
        &db_path,
        vec![
            channel(&server, "akmola_press"),
            channel(&server, "closed_channel"),
        ],
    ));
    let db = Db::open(&db_path).unwrap();
    let p = Pipeline::new(cfg, db.clone(), Arc::new(Metrics::default())).unwrap();

    let first = poll(&p, &db).await;
    // A channel answered by a redirect to a login page is an error, not an
    // empty channel.
    assert_eq!(first.failed.len(), 1, "{:?}", first.failed);
    assert_eq!(first.failed[0].0, "tg-closed_channel");
    assert_eq!(
        feed_error(&db_path, "tg-closed_channel").0.as_deref(),
        Some("telegram_redirect")
    );
    assert!(items(&db_path, "tg-closed_channel").is_empty());

    // 20 posts on the first page, 5 before them, then an empty page.
    let posts = items(&db_path, "tg-akmola_press");
    assert_eq!(posts.len(), 25, "{posts:#?}");
    assert_eq!(first.items_new, 25);
    assert_eq!(server.requests_to("/s/akmola_press?before=121").len(), 1);
    assert_eq!(server.requests_to("/s/akmola_press?before=116").len(), 1);
    let post = |id: u64| {
        let link = server.url(&format!("/akmola_press/{id}"));
        posts
            .iter()
            .find(|i| i.1.as_deref() == Some(link.as_str()))
            .unwrap_or_else(|| panic!("no post {id}"))
            .clone()
    };
    // A photo alone is an item without text; a forwarded post keeps its
    // own text; a reply's text is not the quoted post's.
    assert_eq!(post(130).2, None);
    assert_eq!(post(139).2, None);
    assert!(post(125)
        .2
        .unwrap()
        .starts_with("Жастар қанаты облыстық форумға"));
    assert_eq!(
        post(133).2.as_deref(),
        Some("Комиссия отырысының толық хаттамасы сайтта жарияланды.")
    );
    assert_eq!(post(134).3.as_deref(), Some("2025-03-12T04:38:00.000000Z"));

    // The change posted only on the channel has the post as its source;
    // the one in the article a post links to has the article.
    let changes = db
        .call(|s| s.changes(&ChangeFilter::default()))
        .await
        .unwrap();
    let by_person = |name: &str| {
        changes
            .iter()
            .find(|c| c.person == name)
            .unwrap_or_else(|| panic!("{name} not found in {changes:#?}"))
    };
    let sap = by_person("Ерлан Сапаров");
    assert_eq!(sap.region, "KZ-11");
    assert_eq!(sap.party, "AMANAT");
    assert_eq!(sap.sources.len(), 1);
    assert_eq!(sap.sources[0].url, server.url("/akmola_press/134"));
    let linked = by_person("Айдос Нурланов");
    assert!(
        linked.sources[0].url.contains("/news/pavlodar-auyl"),
        "{:?}",
        linked.sources
    );
    assert_eq!(changes.len(), 2, "{changes:#?}");
    assert_eq!(
        server
            .requests_to("/news/pavlodar-auyl?utm_source=telegram")
            .len(),
        1
    );
    // A link to a social network is not followed; a link to a news page
    // without a change is read, and the post's text kept.
    assert_eq!(server.requests_to("/news/plain").len(), 1);

    // Second poll: page one again, every post known, no paging, nothing new.
    let second = poll(&p, &db).await;
    assert_eq!(second.items_new, 0, "{second:?}");
    assert_eq!(second.changes_new + second.changes_merged, 0);
    assert_eq!(server.requests_to("/s/akmola_press?before=121").len(), 1);
    assert_eq!(items(&db_path, "tg-akmola_press").len(), 25);

    // The preview's layout changes: the channel's error, not "no posts".
    redesign.store(true, Ordering::SeqCst);
    let third = poll(&p, &db).await;
    assert!(
        third.failed.iter().any(|(n, _)| n == "tg-akmola_press"),
        "{:?}",
        third.failed
    );
    assert_eq!(
        feed_error(&db_path, "tg-akmola_press").0.as_deref(),
        Some("telegram_not_channel")
    );
}

/// A pipeline whose fetcher reaches only `server` among private addresses.
fn guarded(c: Config, db: &Db, server: &TestServer) -> Pipeline {
    let mut c = c;
    c.polling.allow_private_addresses = false;
    c.polling.connect_timeout_secs = 1;
    c.polling.total_timeout_secs = 3;
    let mut p = Pipeline::new(Arc::new(c), db.clone(), Arc::new(Metrics::default())).unwrap();
    p.fetcher = Fetcher::new(FetchOptions {
        private_origins: vec![server.url("/")],
        ..pipeline::fetch_options(&p.config)
    })
    .unwrap();
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_list_pages_are_bounded_and_private_links_refused() {
    // Something to notice a connection to: loopback, but not the site.
    let hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other = listener.local_addr().unwrap().port();
    let h = hits.clone();
    tokio::spawn(async move {
        while let Ok((_s, _)) = listener.accept().await {
            h.fetch_add(1, Ordering::SeqCst);
        }
    });
    let private_links = [
        format!("http://127.0.0.1:{other}/admin"),
        format!("http://localhost:{other}/admin"),
        format!("http://[::1]:{other}/admin"),
        "http://10.0.0.1/news/1".to_string(),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://192.168.1.1/news/2".to_string(),
    ];
    let mut private_page = String::from("<ul class=\"news\">");
    for (i, l) in private_links.iter().enumerate() {
        private_page.push_str(&format!(
            "<li><a href=\"{l}\">Жаңалық {i}: филиал төрағасы сайланды</a></li>"
        ));
    }
    private_page.push_str("</ul>");
    let mut nested = String::with_capacity(1 << 20);
    while nested.len() < (1 << 20) {
        nested.push_str("<div class=\"news-item\">");
    }
    nested.push_str("<a href=\"/kk/news/1\">Соңғы жаңалық</a>");
    let mut many = String::from("<ul class=\"news\">");
    for i in 0..10_000 {
        many.push_str(&format!("<li><a href=\"/n/{i}\">Жаңалық {i}</a></li>"));
    }
    many.push_str("</ul>");
    let pages = Arc::new((private_page, nested, many));
    let pg = pages.clone();
    let server = serve(move |req| match req.path.as_str() {
        "/private" => html(pg.0.clone()),
        "/nested" => html(pg.1.clone()),
        "/many" => html(pg.2.clone()),
        _ => Reply::new(404),
    })
    .await;
    let list = |name: &str, path: &str, item: &str| FeedConfig {
        name: name.into(),
        url: server.url(path),
        kind: FeedKind::Html,
        max_pages: Some(1),
        select: Some(ListSelectors {
            item: item.into(),
            ..ListSelectors::default()
        }),
        ..FeedConfig::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("bw.sqlite");
    let mut c = config(
        &db_path,
        vec![
            list("private-links", "/private", "ul.news li"),
            list("nested", "/nested", "div.news-item > a"),
            list("many", "/many", "ul.news li"),
        ],
    );
    c.polling.fetch_articles = true;
    let db = Db::open(&db_path).unwrap();
    let p = guarded(c, &db, &server);

    let started = std::time::Instant::now();
    let report = poll(&p, &db).await;
    let took = started.elapsed();
    assert!(took < std::time::Duration::from_secs(60), "took {took:?}");

    // Private links: stored as items, never fetched.
    let private = items(&db_path, "private-links");
    assert_eq!(private.len(), private_links.len());
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "a private address was reached"
    );
    let conn = Connection::open(&db_path).unwrap();
    let errors: Vec<String> = conn
        .prepare(
            "SELECT COALESCE(i.article_error, '') FROM items i JOIN feeds f ON f.id = i.feed_id
             WHERE f.name = 'private-links'",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        errors.iter().all(|e| e.contains("non-public address")),
        "{errors:#?}"
    );
    assert_eq!(feed_error(&db_path, "private-links").0, None);

    // 1 MB of nesting is flattened: the item deep inside is not an item,
    // and the feed says its selector matched nothing.
    assert_eq!(
        feed_error(&db_path, "nested").0.as_deref(),
        Some("list_no_match"),
        "{:?}",
        report.failed
    );
    // 10,000 items: the first MAX_ITEMS are read, the rest ignored.
    assert_eq!(
        items(&db_path, "many").len(),
        branchwatch::feed::html_list::MAX_ITEMS
    );
}
