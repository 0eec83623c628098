//! The fetcher against a real HTTP server on 127.0.0.1: caching, status
//! handling, redirects, limits, encodings, item keys, address refusal,
//! robots.txt and per-host fairness.

mod fetch_support;

use branchwatch::fetch::{FeedResponse, FetchError, FetchOptions, Fetcher};
use branchwatch::model::Validators;
use fetch_support::{rss, serve, test_options, Body, Reply};
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn fetcher(opts: FetchOptions) -> Fetcher {
    Fetcher::new(opts).unwrap()
}

fn fetched(r: FeedResponse) -> (String, Option<String>, String, Validators) {
    match r {
        FeedResponse::Fetched {
            text,
            permanent_redirect_to,
            final_url,
            validators,
            ..
        } => (text, permanent_redirect_to, final_url, validators),
        other => panic!("expected a body, got {other:?}"),
    }
}

#[tokio::test]
async fn not_modified_answers_304_without_a_body_and_keeps_validators() {
    let srv = serve(|req| {
        if req.header("if-none-match") == Some("\"v1\"") {
            Reply::new(304).header("Cache-Control", "max-age=600")
        } else {
            Reply::ok(rss("t", &[])).header("ETag", "\"v1\"")
        }
    })
    .await;
    let f = fetcher(test_options());
    let old = Validators {
        etag: Some("\"v1\"".into()),
        last_modified: Some("Sun, 01 Mar 2026 10:00:00 GMT".into()),
    };
    let r = f.fetch_feed(&srv.url("/feed"), &old).await.unwrap();
    assert_eq!(
        r,
        FeedResponse::NotModified {
            validators: old.clone(),
            max_age: Some(Duration::from_secs(600)),
            permanent_redirect_to: None,
        }
    );
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].header("if-none-match"), Some("\"v1\""));
    assert_eq!(
        reqs[0].header("if-modified-since"),
        Some("Sun, 01 Mar 2026 10:00:00 GMT")
    );
}

#[tokio::test]
async fn etag_and_last_modified_round_trip() {
    let version = Arc::new(AtomicUsize::new(1));
    let v = version.clone();
    let srv = serve(move |req| {
        let cur = format!("\"rev{}\"", v.load(Ordering::SeqCst));
        if req.header("if-none-match") == Some(cur.as_str()) {
            return Reply::new(304).header("ETag", &cur);
        }
        Reply::ok(rss(&cur, &[]))
            .header("ETag", &cur)
            .header("Last-Modified", "Mon, 02 Mar 2026 08:00:00 GMT")
            .header("Content-Type", "application/rss+xml; charset=utf-8")
    })
    .await;
    let f = fetcher(test_options());
    let url = srv.url("/feed");

    // First fetch: unconditional; validators come back.
    let (_, _, _, v1) = fetched(f.fetch_feed(&url, &Validators::default()).await.unwrap());
    assert_eq!(v1.etag.as_deref(), Some("\"rev1\""));
    assert_eq!(
        v1.last_modified.as_deref(),
        Some("Mon, 02 Mar 2026 08:00:00 GMT")
    );
    assert_eq!(srv.requests()[0].header("if-none-match"), None);

    // Second: conditional, 304.
    let r = f.fetch_feed(&url, &v1).await.unwrap();
    assert!(
        matches!(r, FeedResponse::NotModified { ref validators, .. } if *validators == v1),
        "{r:?}"
    );

    // The feed changes: the old ETag no longer matches, a body and new ETag arrive.
    version.store(2, Ordering::SeqCst);
    let (text, _, _, v2) = fetched(f.fetch_feed(&url, &v1).await.unwrap());
    assert!(text.contains("rev2"));
    assert_eq!(v2.etag.as_deref(), Some("\"rev2\""));
    assert_eq!(srv.requests()[2].header("if-none-match"), Some("\"rev1\""));
}

#[tokio::test]
async fn retry_after_in_seconds_and_as_http_date() {
    let srv = serve(|req| match req.path.as_str() {
        "/secs" => Reply::new(429).header("Retry-After", "120"),
        "/date" => {
            let when = chrono::Utc::now() + chrono::Duration::seconds(300);
            Reply::new(429).header(
                "Retry-After",
                &when.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
            )
        }
        _ => Reply::new(503).header("Retry-After", "30"),
    })
    .await;
    let f = fetcher(test_options());
    let none = Validators::default();

    let e = f.fetch_feed(&srv.url("/secs"), &none).await.unwrap_err();
    assert!(matches!(e, FetchError::Status { code: 429, .. }), "{e:?}");
    assert_eq!(e.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(e.kind(), "http_429");
    assert!(e.is_transient());

    let e = f.fetch_feed(&srv.url("/date"), &none).await.unwrap_err();
    let ra = e.retry_after().expect("date form parsed");
    assert!(
        ra >= Duration::from_secs(290) && ra <= Duration::from_secs(301),
        "{ra:?}"
    );

    let e = f.fetch_feed(&srv.url("/busy"), &none).await.unwrap_err();
    assert_eq!(e.kind(), "http_5xx");
    assert_eq!(e.retry_after(), Some(Duration::from_secs(30)));
}

#[tokio::test]
async fn permanent_redirects_are_reported_and_temporary_ones_are_not() {
    let srv = serve(|req| match req.path.as_str() {
        "/moved" => Reply::redirect(301, "/new"),
        "/moved308" => Reply::redirect(308, "/new"),
        "/temp" => Reply::redirect(302, "/new"),
        "/temp307" => Reply::redirect(307, "/new"),
        // Permanent hop, then a temporary one: only the permanent part is a move.
        "/mixed" => Reply::redirect(301, "/staging"),
        "/staging" => Reply::redirect(302, "/new"),
        "/new" => Reply::ok(rss("new home", &[])),
        _ => Reply::new(404),
    })
    .await;
    let f = fetcher(test_options());
    let none = Validators::default();

    for path in ["/moved", "/moved308"] {
        let (text, perm, final_url, _) =
            fetched(f.fetch_feed(&srv.url(path), &none).await.unwrap());
        assert!(text.contains("new home"));
        assert_eq!(perm.as_deref(), Some(srv.url("/new").as_str()), "{path}");
        assert_eq!(final_url, srv.url("/new"));
    }
    for path in ["/temp", "/temp307"] {
        let (_, perm, final_url, _) = fetched(f.fetch_feed(&srv.url(path), &none).await.unwrap());
        assert_eq!(perm, None, "{path}");
        assert_eq!(final_url, srv.url("/new"));
    }
    let (_, perm, final_url, _) = fetched(f.fetch_feed(&srv.url("/mixed"), &none).await.unwrap());
    assert_eq!(perm.as_deref(), Some(srv.url("/staging").as_str()));
    assert_eq!(final_url, srv.url("/new"));
}

#[tokio::test]
async fn redirect_loops_and_long_chains_stop_with_errors() {
    let srv = serve(|req| {
        if req.path == "/a" {
            Reply::redirect(302, "/b")
        } else if req.path == "/b" {
            Reply::redirect(301, "/a")
        } else if let Some(n) = req.path.strip_prefix("/chain/") {
            let n: u32 = n.parse().unwrap();
            Reply::redirect(302, &format!("/chain/{}", n + 1))
        } else {
            Reply::new(404)
        }
    })
    .await;
    let f = fetcher(FetchOptions {
        max_redirects: 3,
        ..test_options()
    });
    let none = Validators::default();
    let e = f.fetch_feed(&srv.url("/a"), &none).await.unwrap_err();
    assert!(matches!(e, FetchError::RedirectLoop { .. }), "{e:?}");
    assert_eq!(
        srv.requests().len(),
        2,
        "stopped as soon as the loop closed"
    );

    let e = f.fetch_feed(&srv.url("/chain/0"), &none).await.unwrap_err();
    assert!(
        matches!(e, FetchError::TooManyRedirects { limit: 3 }),
        "{e:?}"
    );
    assert_eq!(
        srv.requests().len(),
        2 + 4,
        "original request + 3 redirects"
    );
}

#[tokio::test]
async fn gone_and_not_found_are_distinct_permanent_errors() {
    let srv = serve(|req| match req.path.as_str() {
        "/gone" => Reply::new(410),
        _ => Reply::new(404),
    })
    .await;
    let f = fetcher(test_options());
    let e = f
        .fetch_feed(&srv.url("/gone"), &Validators::default())
        .await
        .unwrap_err();
    assert!(matches!(e, FetchError::Gone));
    assert!(!e.is_transient());
    let e = f.fetch_page(&srv.url("/missing")).await.unwrap_err();
    assert!(
        matches!(
            e,
            FetchError::Status {
                code: 404,
                retry_after: None
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn oversized_bodies_are_cut_off_with_or_without_content_length() {
    let big = vec![b'x'; 300_000];
    let b2 = big.clone();
    let srv = serve(move |req| match req.path.as_str() {
        "/len" => Reply::ok(b2.clone()),
        "/stream" => Reply {
            body: Body::UntilClose(b2.clone()),
            ..Reply::new(200)
        },
        _ => Reply::ok(vec![b'y'; 1000]),
    })
    .await;
    let f = fetcher(FetchOptions {
        max_body_bytes: 100_000,
        ..test_options()
    });
    for path in ["/len", "/stream"] {
        let e = f.fetch_page(&srv.url(path)).await.unwrap_err();
        assert!(
            matches!(e, FetchError::TooLarge { limit: 100_000 }),
            "{path}: {e:?}"
        );
    }
    let ok = f.fetch_page(&srv.url("/small")).await.unwrap();
    assert_eq!(ok.text.len(), 1000);
}

#[tokio::test]
async fn a_server_sending_one_byte_per_second_times_out() {
    let srv = serve(|_| Reply {
        body: Body::Trickle {
            bytes: vec![b'<'; 120],
            every: Duration::from_secs(1),
        },
        ..Reply::new(200)
    })
    .await;
    let f = fetcher(FetchOptions {
        total_timeout: Duration::from_secs(2),
        ..test_options()
    });
    let started = Instant::now();
    let e = f
        .fetch_feed(&srv.url("/slow"), &Validators::default())
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(matches!(e, FetchError::Timeout), "{e:?}");
    assert!(
        took >= Duration::from_millis(1900) && took < Duration::from_secs(5),
        "{took:?}"
    );
}

#[tokio::test]
async fn cyrillic_feeds_in_legacy_encodings_decode_correctly() {
    let title = "Филиал партии: избран новый председатель";
    let doc = |decl: &str| {
        format!(
            "<?xml version=\"1.0\"{decl}?><rss version=\"2.0\"><channel><title>Новости</title>\
<item><guid>1</guid><link>https://x.kz/1</link><title>{title}</title></item></channel></rss>"
        )
    };
    // windows-1251 declared only in the HTTP header.
    let plain = doc("");
    let cp1251 = encoding_rs::WINDOWS_1251.encode(&plain).0.into_owned();
    // KOI8-R declared only in the XML declaration.
    let declared = doc(" encoding=\"KOI8-R\"");
    let koi8 = encoding_rs::KOI8_R.encode(&declared).0.into_owned();
    // Kazakh in UTF-8, declared nowhere.
    let kk = rss(
        "Жаңалықтар",
        &[("1", "https://x.kz/1", "Әкім орынбасары: ғ қ ң ө ұ ү һ і")],
    );
    let srv = serve(move |req| match req.path.as_str() {
        "/1251" => Reply::ok(cp1251.clone())
            .header("Content-Type", "application/rss+xml; charset=windows-1251"),
        "/koi8" => Reply::ok(koi8.clone()).header("Content-Type", "text/xml"),
        _ => Reply::ok(kk.clone()).header("Content-Type", "application/rss+xml"),
    })
    .await;
    let f = fetcher(test_options());
    let none = Validators::default();

    for (path, enc) in [("/1251", "windows-1251"), ("/koi8", "KOI8-R")] {
        let r = f.fetch_feed(&srv.url(path), &none).await.unwrap();
        let FeedResponse::Fetched {
            text,
            encoding,
            final_url,
            ..
        } = r
        else {
            panic!("expected body")
        };
        assert_eq!(encoding, enc, "{path}");
        let feed = branchwatch::feed::parse_str(&text, &final_url).unwrap();
        assert_eq!(feed.title.as_deref(), Some("Новости"), "{path}");
        assert_eq!(feed.items[0].title.as_deref(), Some(title), "{path}");
    }
    let r = f.fetch_feed(&srv.url("/kk"), &none).await.unwrap();
    let (text, _, url, _) = fetched(r);
    let feed = branchwatch::feed::parse_str(&text, &url).unwrap();
    assert_eq!(
        feed.items[0].title.as_deref(),
        Some("Әкім орынбасары: ғ қ ң ө ұ ү һ і")
    );
}

#[tokio::test]
async fn duplicated_and_churning_guids_give_distinct_stable_keys() {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let srv = serve(move |req| {
        let n = h.fetch_add(1, Ordering::SeqCst);
        let body = if req.path == "/dup" {
            rss(
                "dup",
                &[
                    ("42", "https://x.kz/news/1", "Бір"),
                    ("42", "https://x.kz/news/2", "Екі"),
                    ("42", "https://x.kz/news/3", "Үш"),
                ],
            )
        } else {
            // A new GUID for every item on every request; links fixed.
            let g = |i: usize| format!("{n}-{i}-{}", n * 7919 + i);
            rss(
                "churn",
                &[
                    (&g(1), "https://x.kz/news/1?utm_source=rss", "Бір"),
                    (&g(2), "https://x.kz/news/2", "Екі"),
                    (&g(3), "https://x.kz/news/3", "Үш"),
                ],
            )
        };
        Reply::ok(body)
    })
    .await;
    let f = fetcher(test_options());
    let keys = |path: &'static str| {
        let f = f.clone();
        let url = srv.url(path);
        async move {
            let (text, _, final_url, _) =
                fetched(f.fetch_feed(&url, &Validators::default()).await.unwrap());
            branchwatch::feed::parse_str(&text, &final_url)
                .unwrap()
                .items
                .into_iter()
                .map(|i| i.key)
                .collect::<Vec<_>>()
        }
    };
    for path in ["/dup", "/churn"] {
        let first = keys(path).await;
        let second = keys(path).await;
        assert_eq!(
            first.iter().collect::<HashSet<_>>().len(),
            3,
            "{path}: collapsed {first:?}"
        );
        assert_eq!(first, second, "{path}: keys changed between fetches");
    }
    // And the same article gets the same key whichever feed lists it.
    assert_eq!(keys("/dup").await, keys("/churn").await);
}

#[tokio::test]
async fn private_addresses_are_refused_unless_allowed() {
    let srv = serve(|_| Reply::ok("<html>secret</html>")).await;
    let strict = fetcher(FetchOptions {
        allow_private: false,
        respect_robots: false,
        ..test_options()
    });
    let port = srv.addr.port();
    for url in [
        srv.url("/admin"),
        format!("http://localhost:{port}/admin"),
        format!("http://[::1]:{port}/admin"),
        format!("http://[::ffff:127.0.0.1]:{port}/admin"),
    ] {
        let e = strict.fetch_page(&url).await.unwrap_err();
        assert!(
            matches!(e, FetchError::PrivateAddress { .. }),
            "{url}: {e:?}"
        );
        assert_eq!(e.kind(), "private_address");
    }
    let e = strict
        .fetch_feed(&srv.url("/feed"), &Validators::default())
        .await
        .unwrap_err();
    assert!(matches!(e, FetchError::PrivateAddress { .. }), "{e:?}");
    assert!(srv.requests().is_empty(), "no request may reach the server");

    // The same URL is fetched when the operator allows it (demo mode).
    let lax = fetcher(FetchOptions {
        respect_robots: false,
        ..test_options()
    });
    assert!(lax
        .fetch_page(&srv.url("/admin"))
        .await
        .unwrap()
        .text
        .contains("secret"));
}

#[tokio::test]
async fn robots_txt_is_honoured_and_cached_per_host() {
    let srv = serve(|req| match req.path.as_str() {
        "/robots.txt" => Reply::ok(
            "User-agent: *\nDisallow: /private/\n\nUser-agent: branchwatch\nDisallow: /no-monitors/\nAllow: /\n",
        )
        .header("Content-Type", "text/plain"),
        "/moved" => Reply::redirect(302, "/no-monitors/page"),
        _ => Reply::ok("<html><body>article</body></html>").header("Content-Type", "text/html; charset=utf-8"),
    })
    .await;
    let f = fetcher(test_options());

    let e = f.fetch_page(&srv.url("/no-monitors/1")).await.unwrap_err();
    assert!(matches!(e, FetchError::RobotsDisallowed { .. }), "{e:?}");
    // Our group overrides `*`, so /private/ is allowed for us.
    let page = f.fetch_page(&srv.url("/private/2")).await.unwrap();
    assert!(page.text.contains("article"));
    assert_eq!(
        page.content_type.as_deref(),
        Some("text/html; charset=utf-8")
    );
    // A redirect into a disallowed path is refused too.
    let e = f.fetch_page(&srv.url("/moved")).await.unwrap_err();
    assert!(matches!(e, FetchError::RobotsDisallowed { .. }), "{e:?}");
    f.fetch_page(&srv.url("/news/3")).await.unwrap();

    assert_eq!(srv.requests_to("/robots.txt").len(), 1, "robots.txt cached");
    assert!(srv.requests_to("/no-monitors/1").is_empty());
    assert!(srv.requests_to("/no-monitors/page").is_empty());
    // Feeds are not subject to robots.txt.
    let feed_srv = serve(|req| match req.path.as_str() {
        "/robots.txt" => Reply::ok("User-agent: *\nDisallow: /\n"),
        _ => Reply::ok(rss("f", &[])),
    })
    .await;
    f.fetch_feed(&feed_srv.url("/rss"), &Validators::default())
        .await
        .unwrap();
    let e = f.fetch_page(&feed_srv.url("/article")).await.unwrap_err();
    assert!(matches!(e, FetchError::RobotsDisallowed { .. }));
}

#[tokio::test]
async fn missing_robots_allows_and_failing_robots_disallows() {
    let missing = serve(|req| match req.path.as_str() {
        "/robots.txt" => Reply::new(404),
        _ => Reply::ok("page"),
    })
    .await;
    let broken = serve(|req| match req.path.as_str() {
        "/robots.txt" => Reply::new(503),
        _ => Reply::ok("page"),
    })
    .await;
    let f = fetcher(test_options());
    assert_eq!(f.fetch_page(&missing.url("/a")).await.unwrap().text, "page");
    let e = f.fetch_page(&broken.url("/a")).await.unwrap_err();
    assert!(matches!(e, FetchError::RobotsDisallowed { .. }), "{e:?}");
    assert!(broken.requests_to("/a").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_host_does_not_hold_up_another_host() {
    let slow = serve(|_| Reply::ok("slow").delay(Duration::from_millis(1500))).await;
    let fast = serve(|_| Reply::ok("fast")).await;
    let f = fetcher(FetchOptions {
        global_concurrency: 4,
        per_host_concurrency: 2,
        respect_robots: false,
        ..test_options()
    });
    let mut slow_tasks = Vec::new();
    for i in 0..8 {
        let f = f.clone();
        let url = slow.url(&format!("/s{i}"));
        slow_tasks.push(tokio::spawn(async move { f.fetch_page(&url).await }));
    }
    // Let the slow fetches take their permits first.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let page = f.fetch_page(&fast.url("/f")).await.unwrap();
    let fast_took = started.elapsed();
    assert_eq!(page.text, "fast");
    assert!(
        fast_took < Duration::from_millis(1000),
        "fast host waited {fast_took:?}"
    );
    for t in slow_tasks {
        assert_eq!(t.await.unwrap().unwrap().text, "slow");
    }
    assert_eq!(slow.peak_concurrency(), 2, "per-host limit");
}

#[tokio::test]
async fn requests_to_one_host_are_spaced_and_carry_the_user_agent() {
    let srv = serve(|_| Reply::ok("x")).await;
    let f = fetcher(FetchOptions {
        per_host_spacing: Duration::from_millis(300),
        respect_robots: false,
        ..test_options()
    });
    let tasks: Vec<_> = (0..4)
        .map(|i| {
            let f = f.clone();
            let url = srv.url(&format!("/p{i}"));
            tokio::spawn(async move { f.fetch_page(&url).await.map(|_| ()) })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let mut times: Vec<Instant> = srv.requests().iter().map(|r| r.at).collect();
    times.sort();
    assert_eq!(times.len(), 4);
    for w in times.windows(2) {
        let gap = w[1] - w[0];
        assert!(gap >= Duration::from_millis(280), "gap {gap:?}");
    }
    let ua = srv.requests()[0].header("user-agent").unwrap().to_string();
    assert!(
        ua.starts_with("branchwatch/") && ua.contains("+https://"),
        "{ua}"
    );
}

#[tokio::test]
async fn gzip_bodies_are_decompressed() {
    use std::io::Write;
    let doc = rss("gz", &[("1", "https://x.kz/1", "Сығылған")]);
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(doc.as_bytes()).unwrap();
    let gz = enc.finish().unwrap();
    let srv = serve(move |req| {
        assert!(req.header("accept-encoding").unwrap_or("").contains("gzip"));
        Reply::ok(gz.clone()).header("Content-Encoding", "gzip")
    })
    .await;
    let f = fetcher(test_options());
    let (text, _, _, _) = fetched(
        f.fetch_feed(&srv.url("/gz"), &Validators::default())
            .await
            .unwrap(),
    );
    assert_eq!(text, doc);
}

#[tokio::test]
async fn robots_crawl_delay_widens_the_spacing() {
    let srv = serve(|req| match req.path.as_str() {
        "/robots.txt" => Reply::ok("User-agent: *\nCrawl-delay: 1\nDisallow: /x/\n"),
        _ => Reply::ok("page"),
    })
    .await;
    let f = fetcher(test_options());
    let tasks: Vec<_> = (0..3)
        .map(|i| {
            let f = f.clone();
            let url = srv.url(&format!("/a{i}"));
            tokio::spawn(async move { f.fetch_page(&url).await.map(|_| ()) })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let mut times: Vec<Instant> = srv
        .requests()
        .iter()
        .filter(|r| r.path != "/robots.txt")
        .map(|r| r.at)
        .collect();
    times.sort();
    assert_eq!(times.len(), 3);
    for w in times.windows(2) {
        assert!(
            w[1] - w[0] >= Duration::from_millis(950),
            "{:?}",
            w[1] - w[0]
        );
    }
}

#[tokio::test]
async fn refused_connections_and_bad_redirects_are_classified() {
    // A port that was just free: nothing listens there now.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let f = fetcher(test_options());
    let e = f
        .fetch_feed(
            &format!("http://127.0.0.1:{port}/rss"),
            &Validators::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, FetchError::Connect(_)), "{e:?}");
    assert!(e.is_transient());

    let srv = serve(|req| match req.path.as_str() {
        "/file" => Reply::redirect(302, "file:///etc/passwd"),
        _ => Reply::new(301),
    })
    .await;
    for path in ["/file", "/nolocation"] {
        let e = f
            .fetch_feed(&srv.url(path), &Validators::default())
            .await
            .unwrap_err();
        assert!(matches!(e, FetchError::BadRedirect(_)), "{path}: {e:?}");
    }
    let e = f.fetch_page("ftp://example.kz/x").await.unwrap_err();
    assert_eq!(e.kind(), "invalid_url");
}
