//! The demo server over real HTTP: every feed fetched with reqwest and parsed
//! with feed-rs, every item link followed, conditional GETs, encodings,
//! robots.txt and shutdown.

use branchwatch::demo::{articles, expected, with_base, DemoServer};
use reqwest::header::{CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use reqwest::StatusCode;
use std::collections::HashSet;

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

fn content_type(resp: &reqwest::Response) -> String {
    resp.headers()[CONTENT_TYPE].to_str().unwrap().to_string()
}

/// Decodes a body by the charset in its `Content-Type`.
fn to_utf8(ct: &str, bytes: &[u8]) -> Vec<u8> {
    let label = ct.split("charset=").nth(1).unwrap_or("utf-8").trim();
    let enc = encoding_rs::Encoding::for_label(label.as_bytes()).unwrap();
    let (text, _, bad) = enc.decode(bytes);
    assert!(!bad, "{label}");
    text.into_owned().into_bytes()
}

#[tokio::test]
async fn feeds_parse_except_the_broken_one_and_every_link_resolves() {
    let server = DemoServer::start().await.unwrap();
    let http = client();
    let exp = expected();
    let feeds = server.feed_urls();
    assert_eq!(feeds.len(), 5);
    let mut linked = HashSet::new();
    for (name, url, _lang) in &feeds {
        let resp = http.get(url).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{name}");
        let ct = content_type(&resp);
        let want_mime = if url.ends_with(".rss") {
            "application/rss+xml"
        } else if url.ends_with(".atom") {
            "application/atom+xml"
        } else {
            "application/feed+json"
        };
        assert!(ct.starts_with(want_mime), "{name}: {ct}");
        let bytes = resp.bytes().await.unwrap();
        let spec = exp["feeds"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name.as_str())
            .unwrap();
        // Raw bytes: feed-rs honours the XML declaration's encoding itself.
        let parsed = feed_rs::parser::parse(&bytes[..]);
        if spec["parses"] == false {
            assert!(parsed.is_err(), "{name} should fail to parse");
            continue;
        }
        let feed = parsed.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            feed.entries.len() as u64,
            spec["items"].as_u64().unwrap(),
            "{name}"
        );
        for entry in &feed.entries {
            assert!(entry.published.is_some(), "{name}: {}", entry.id);
            let title = entry.title.as_ref().unwrap().content.clone();
            let link = &entry.links[0].href;
            assert!(link.starts_with(server.base_url()), "{link}");
            let page = http.get(link).send().await.unwrap();
            assert_eq!(page.status(), StatusCode::OK, "{link}");
            assert!(content_type(&page).starts_with("text/html; charset="));
            let path = link.strip_prefix(server.base_url()).unwrap().to_string();
            let html_ct = content_type(&page);
            let html = String::from_utf8(to_utf8(&html_ct, &page.bytes().await.unwrap())).unwrap();
            assert!(html.contains(&format!("<link rel=\"canonical\" href=\"{link}\">")));
            let listed = exp["articles"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["path"] == path.as_str())
                .unwrap_or_else(|| panic!("{path} not in expected.json"));
            assert_eq!(
                listed["title"],
                title.as_str(),
                "{name}: title decoded wrongly"
            );
            assert_eq!(listed["feed"], name.as_str());
            assert_eq!(listed["guid"], entry.id.as_str());
            linked.insert(path);
        }
    }
    let all: HashSet<String> = articles().iter().map(|(p, _)| p.to_string()).collect();
    assert_eq!(
        linked, all,
        "every article is linked from exactly the feeds"
    );
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn etag_and_last_modified_give_304() {
    let server = DemoServer::start().await.unwrap();
    let http = client();
    let url = &server.feed_urls()[1].1;
    let first = http.get(url).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let etag = first.headers()[ETAG].to_str().unwrap().to_string();
    let last_modified = first.headers()[LAST_MODIFIED].to_str().unwrap().to_string();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    assert_eq!(last_modified, "Tue, 21 Oct 2025 13:30:00 GMT");
    assert!(!first.bytes().await.unwrap().is_empty());

    let again = http
        .get(url)
        .header(IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()[ETAG].to_str().unwrap(), etag);
    assert!(again.bytes().await.unwrap().is_empty());

    let by_date = http
        .get(url)
        .header(IF_MODIFIED_SINCE, &last_modified)
        .send()
        .await
        .unwrap();
    assert_eq!(by_date.status(), StatusCode::NOT_MODIFIED);

    let older = http
        .get(url)
        .header(IF_MODIFIED_SINCE, "Mon, 20 Oct 2025 00:00:00 GMT")
        .send()
        .await
        .unwrap();
    assert_eq!(older.status(), StatusCode::OK);

    let stale = http
        .get(url)
        .header(IF_NONE_MATCH, "\"0000\"")
        .header(IF_MODIFIED_SINCE, &last_modified)
        .send()
        .await
        .unwrap();
    assert_eq!(
        stale.status(),
        StatusCode::OK,
        "a stale tag wins over the date"
    );

    // Articles carry validators too.
    let page_url = format!("{}{}", server.base_url(), articles()[0].0);
    let page = http.get(&page_url).send().await.unwrap();
    let page_tag = page.headers()[ETAG].to_str().unwrap().to_string();
    assert_ne!(page_tag, etag);
    let page_again = http
        .get(&page_url)
        .header(IF_NONE_MATCH, &page_tag)
        .send()
        .await
        .unwrap();
    assert_eq!(page_again.status(), StatusCode::NOT_MODIFIED);

    let stats = server.stats();
    assert_eq!(stats.not_modified, 3);
    assert_eq!(stats.ok, 4);
    assert_eq!(stats.requests, 7);
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn windows_1251_feed_and_pages_are_sent_as_windows_1251() {
    let server = DemoServer::start().await.unwrap();
    let http = client();
    let (_, url, _) = server
        .feed_urls()
        .into_iter()
        .find(|(n, _, _)| n == "priurale-ru-1251")
        .unwrap();
    let resp = http.get(&url).send().await.unwrap();
    assert_eq!(
        content_type(&resp),
        "application/rss+xml; charset=windows-1251"
    );
    let bytes = resp.bytes().await.unwrap();
    assert!(std::str::from_utf8(&bytes).is_err(), "must not be UTF-8");
    // «Уральска» in windows-1251: one byte per letter.
    let uralska: &[u8] = &[0xD3, 0xF0, 0xE0, 0xEB, 0xFC, 0xF1, 0xEA, 0xE0];
    assert!(bytes.windows(uralska.len()).any(|w| w == uralska));
    let (text, _, bad) = encoding_rs::WINDOWS_1251.decode(&bytes);
    assert!(!bad);
    let template = include_str!("../demo/feeds/priurale-ru-1251.rss");
    assert_eq!(text, with_base(template, server.base_url()));
    assert!(text.contains("Западно-Казахстанской области"));

    // The region paper's pages are windows-1251 too, and say so in a meta tag.
    let (path, html) = articles()
        .into_iter()
        .find(|(p, _)| p.starts_with("/zko/"))
        .unwrap();
    let page = http
        .get(format!("{}{path}", server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(content_type(&page), "text/html; charset=windows-1251");
    let page_bytes = page.bytes().await.unwrap();
    let (page_text, _, bad) = encoding_rs::WINDOWS_1251.decode(&page_bytes);
    assert!(!bad);
    assert_eq!(page_text, with_base(html, server.base_url()));
    assert!(page_text.contains("charset=windows-1251"));
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn robots_head_404_405_and_shutdown() {
    let server = DemoServer::start().await.unwrap();
    let http = client();
    let base = server.base_url().to_string();
    let robots = http.get(format!("{base}/robots.txt")).send().await.unwrap();
    assert_eq!(robots.status(), StatusCode::OK);
    assert!(content_type(&robots).starts_with("text/plain"));
    let text = robots.text().await.unwrap();
    assert!(text.contains("Disallow: /private/"), "{text}");
    assert!(text.lines().any(|l| l.trim() == "User-agent: *"));

    let head = http
        .head(format!("{base}/feeds/dala-ru.rss"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert!(head.headers().contains_key(ETAG));
    assert!(head.bytes().await.unwrap().is_empty());

    let missing = http
        .get(format!("{base}/kk/2025/10/no-such-page.html"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let post = http
        .post(format!("{base}/feeds/dala-ru.rss"))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(server.stats().errors, 2);

    let addr = server.addr;
    server.shutdown_and_wait().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
