//! The web view on a real server (127.0.0.1:0) over a real SQLite file:
//! every page, every filter of the change list, 400s naming the bad value,
//! 404s, escaping of hostile text, the review forms' token and CSRF rules,
//! and that reading pages never writes to the database.

mod change_fixture;

use branchwatch::api::{serve, ApiState};
use branchwatch::metrics::Metrics;
use branchwatch::model::{Article, FeedSpec, Lang, ReviewStatus};
use branchwatch::store::Store;
use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use reqwest::header;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

const TOKEN: &str = "web-test-token";
/// A change whose every text field tries to inject markup or a script URL.
const HOSTILE_PERSON: &str = "Иван <script>alert(1)</script> \"Петров\"";
const HOSTILE_EVIDENCE: &str = "He was elected <img src=x onerror=alert(2)> '\" </blockquote>";
const HOSTILE_TITLE: &str = "<script>alert(3)</script>";
const HOSTILE_URL: &str = "javascript:alert(4)";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap()
}

/// The seven shared changes, one hostile change, `extra` filler changes
/// (for paging), a rejected and a confirmed change, and a feed.
fn seed(path: &Path, extra: usize) -> Vec<i64> {
    let mut store = Store::open(path).unwrap();
    let mut ids = Vec::new();
    let article = |url: String, title: &str| Article {
        url,
        title: Some(title.to_string()),
        text: "text".into(),
        published: Some(now().with_timezone(&FixedOffset::east_opt(5 * 3600).unwrap())),
        lang: Some(Lang::Ru),
        outlet: Some("News".into()),
        ..Default::default()
    };
    for (i, seed) in change_fixture::SEVEN.iter().enumerate() {
        let a = article(format!("https://news.kz/{i}"), &format!("News {i}"));
        let d = seed.detected(format!("{} — {}", seed.person, seed.event), 0.9);
        ids.push(store.record_article(&a, &[d], now()).unwrap().changes_new[0]);
    }
    let hostile =
        change_fixture::SEVEN[2].detected_as(HOSTILE_PERSON, HOSTILE_EVIDENCE.into(), 0.5);
    let mut hostile = hostile;
    hostile.region = "KZ-62".into();
    let a = article(HOSTILE_URL.into(), HOSTILE_TITLE);
    ids.push(
        store
            .record_article(&a, &[hostile], now())
            .unwrap()
            .changes_new[0],
    );
    for i in 0..extra {
        let mut d = change_fixture::SEVEN[4].detected(format!("filler {i}"), 0.8);
        // 40 days apart: outside the merge window, so each stays its own change.
        d.date = chrono::NaiveDate::from_ymd_opt(2015, 1, 1)
            .map(|d0| d0 + chrono::Duration::days(40 * i as i64));
        d.region = "KZ-55".into();
        let a = article(format!("https://filler.kz/{i}"), "filler");
        store.record_article(&a, &[d], now()).unwrap();
    }
    store
        .review(ids[3], ReviewStatus::Rejected, Some("wrong party"), now())
        .unwrap();
    store
        .review(ids[2], ReviewStatus::Confirmed, None, now())
        .unwrap();
    let feed = FeedSpec {
        name: "inform".into(),
        url: "https://inform.kz/rss".into(),
        lang: Some(Lang::Ru),
        poll_interval_secs: None,
    };
    store.add_feed(&feed, now()).unwrap();
    ids
}

struct Server {
    base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    _dir: tempfile::TempDir,
    ids: Vec<i64>,
    path: PathBuf,
    client: reqwest::Client,
}

async fn start(token: Option<&str>, extra: usize) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bw.sqlite");
    let ids = seed(&path, extra);
    let mut state = ApiState::new(path.clone(), Arc::new(Metrics::new()));
    state.token = token.map(String::from);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, state, async {
        let _ = rx.await;
    }));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Server {
        base,
        stop: Some(tx),
        task,
        _dir: dir,
        ids,
        path,
        client,
    }
}

impl Server {
    async fn get_with(
        &self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (u16, header::HeaderMap, String) {
        let mut rb = self.client.get(format!("{}{path}", self.base));
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        let r = rb.send().await.unwrap();
        let status = r.status().as_u16();
        let h = r.headers().clone();
        (status, h, readable(r.text().await.unwrap()))
    }

    async fn get(&self, path: &str) -> (u16, String) {
        let (s, _, b) = self.get_with(path, &[]).await;
        (s, b)
    }

    async fn post(
        &self,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> (u16, header::HeaderMap, String) {
        let mut rb = self.client.post(format!("{}{path}", self.base)).form(form);
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        let r = rb.send().await.unwrap();
        let status = r.status().as_u16();
        let h = r.headers().clone();
        (status, h, readable(r.text().await.unwrap()))
    }

    /// Change ids listed on a page, in page order.
    async fn listed(&self, path: &str) -> Vec<i64> {
        let (status, body) = self.get(path).await;
        assert_eq!(status, 200, "{path}: {body}");
        row_ids(&body)
    }

    async fn shutdown(mut self) {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(Duration::from_secs(5), self.task)
            .await
            .expect("server stops on shutdown")
            .unwrap()
            .unwrap();
    }
}

/// minijinja also escapes `/` (as `&#x2f;`); undo only that, so the
/// assertions read like the HTML a person would write.
fn readable(body: String) -> String {
    body.replace("&#x2f;", "/")
}

fn row_ids(body: &str) -> Vec<i64> {
    body.match_indices("id=\"change-")
        .filter_map(|(i, m)| {
            let rest = &body[i + m.len()..];
            rest[..rest.find('"')?].parse().ok()
        })
        .collect()
}

fn sorted(mut v: Vec<i64>) -> Vec<i64> {
    v.sort();
    v
}

#[tokio::test]
async fn every_page_renders_with_security_and_cache_headers() {
    let s = start(None, 0).await;
    let person = "/person?name=%D0%9A%D1%83%D0%B0%D1%82%20%D0%91%D0%B0%D0%B9%D0%B3%D0%BE%D0%B6%D0%B0%D0%B5%D0%B2";
    let pages = [
        ("/", "Latest changes"),
        ("/?map=count", "changes in the last 12 months"),
        ("/changes", "Changes"),
        (&format!("/change/{}", s.ids[0]) as &str, "Куат Байгожаев"),
        ("/region/KZ-33", "Jetisu Region"),
        ("/region/KZ-33?party=AMANAT", "AMANAT"),
        (person, "Posts held"),
        ("/feeds", "inform"),
        ("/signin", "Read-only"),
    ];
    for (path, expect) in pages {
        let (status, h, body) = s.get_with(path, &[]).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert!(body.contains(expect), "{path} lacks {expect:?}");
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"),
            "{csp}"
        );
        assert!(!body.contains("<script"), "{path} has a script");
        assert!(
            !body.contains("http://") || !body.contains("<link rel=\"stylesheet\" href=\"http"),
            "{path}"
        );
        assert_eq!(h[header::CONTENT_TYPE], "text/html; charset=utf-8");
        let etag = h[header::ETAG].to_str().unwrap().to_string();
        let (again, _, _) = s.get_with(path, &[("if-none-match", &etag)]).await;
        assert_eq!(again, 304, "{path} revalidates");
    }
    // The overview shows every region and city on the map.
    let (_, body) = s.get("/").await;
    assert_eq!(
        body.matches("<a href=\"/region/KZ-").count(),
        20 + body.matches("<td><a href=\"/region/").count()
    );
    s.shutdown().await;
}

#[tokio::test]
async fn every_filter_selects_the_right_rows() {
    let s = start(None, 0).await;
    let id = |is: &[usize]| sorted(is.iter().map(|&i| s.ids[i]).collect());
    let all = s.listed("/changes").await;
    assert_eq!(all.len(), 8, "seven changes and the hostile one");
    let cases: &[(&str, &[usize])] = &[
        ("party=amanat", &[0, 1, 3]),
        ("region=KZ-19", &[2, 3]),
        (
            "region=%D0%96%D0%B5%D1%82%D1%96%D1%81%D1%83+%D0%BE%D0%B1%D0%BB%D1%8B%D1%81%D1%8B",
            &[],
        ),
        ("level=city", &[4, 5]),
        ("role=chair", &[0, 1, 2, 7]),
        ("event=re_elected", &[4]),
        ("person=Baigozhayev", &[0, 6]),
        ("person=%D0%9A%D1%83%D0%B0%D1%82", &[0]),
        ("since=2025-02-01", &[2, 3, 4, 5, 7]),
        ("until=2025-01-09", &[1, 6]),
        ("status=rejected", &[3]),
        ("status=confirmed", &[2]),
        ("party=AMANAT&region=KZ-33&event=elected", &[0]),
        ("party=&region=&status=", &[0, 1, 2, 3, 4, 5, 6, 7]),
    ];
    for (q, want) in cases {
        if q.starts_with("region=%D0") {
            // Names need the language tables; the test server knows codes
            // only, so a name is refused like the API refuses it.
            let (status, body) = s.get(&format!("/changes?{q}")).await;
            assert_eq!(status, 400, "{q}");
            assert!(body.contains("Жетісу облысы"), "{body}");
            continue;
        }
        assert_eq!(
            sorted(s.listed(&format!("/changes?{q}")).await),
            id(want),
            "{q}"
        );
    }
    s.shutdown().await;
}

#[tokio::test]
async fn paging_and_downloads_follow_the_filter() {
    let s = start(None, 70).await;
    let first = s.listed("/changes").await;
    let second = s.listed("/changes?page=2").await;
    assert_eq!(first.len(), 50);
    assert_eq!(second.len(), 78 - 50);
    assert!(first.iter().all(|i| !second.contains(i)), "pages overlap");
    let (_, body) = s.get("/changes?region=KZ-55&page=1").await;
    assert!(
        body.contains("href=\"/changes?region=KZ-55&amp;page=2\""),
        "next link keeps the filter"
    );
    assert!(body.contains("href=\"/changes.csv?region=KZ-55\""));
    assert!(body.contains("href=\"/changes.json?region=KZ-55\""));
    let (status, h, csv) = s.get_with("/changes.csv?region=KZ-55", &[]).await;
    assert_eq!(status, 200);
    assert!(h[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert_eq!(csv.lines().count(), 71, "header and 70 rows");
    let (status, _, json) = s.get_with("/changes.json?party=AMANAT", &[]).await;
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 3);
    s.shutdown().await;
}

#[tokio::test]
async fn bad_values_give_400_naming_them_and_missing_things_404() {
    let s = start(None, 0).await;
    let cases = [
        ("/changes?role=mayor", 400, "mayor"),
        ("/changes?level=village", 400, "village"),
        ("/changes?event=promoted", 400, "promoted"),
        ("/changes?status=maybe", 400, "maybe"),
        ("/changes?since=2025-13-01", 400, "2025-13-01"),
        ("/changes?until=yesterday", 400, "yesterday"),
        ("/changes?region=Atlantis", 400, "Atlantis"),
        (
            "/changes?party=%D0%9D%D0%B0%D1%80%D0%BD%D0%B8%D1%8F",
            400,
            "Нарния",
        ),
        ("/changes?person=1234", 400, "1234"),
        ("/changes?colour=red", 400, "colour"),
        ("/changes?page=0", 400, "page"),
        ("/changes.csv?role=mayor", 400, "mayor"),
        ("/?map=hexbin", 400, "hexbin"),
        ("/region/KZ-99", 400, "KZ-99"),
        ("/region/Atlantis", 400, "Atlantis"),
        ("/region/KZ-33?level=galaxy", 400, "galaxy"),
        ("/change/abc", 400, "abc"),
        ("/change/99999", 404, "99999"),
        ("/person?name=%21%21", 400, "!!"),
        ("/person?name=Nobody%20Atall", 404, "Nobody Atall"),
        ("/person?name=Kuat&page=none", 400, "none"),
        ("/feeds?x=1", 400, "x"),
    ];
    for (path, want, named) in cases {
        let (status, body) = s.get(path).await;
        assert_eq!(status, want, "{path}: {body}");
        let escaped = named.replace('"', "&quot;");
        assert!(
            body.contains(&escaped),
            "{path}: the answer does not name {named:?}: {body}"
        );
    }
    s.shutdown().await;
}

#[tokio::test]
async fn hostile_text_renders_inert() {
    let s = start(None, 0).await;
    let hostile = s.ids[7];
    for path in [
        format!("/change/{hostile}"),
        "/changes".into(),
        "/".into(),
        "/region/KZ-62".into(),
    ] {
        let (status, body) = s.get(&path).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            !body.contains("<script"),
            "{path}: a script tag got through"
        );
        assert!(!body.contains("<img"), "{path}: an img tag got through");
        assert!(
            !body.contains("href=\"javascript:"),
            "{path}: a javascript: link"
        );
        assert!(
            body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{path}: person not shown escaped: {body}"
        );
    }
    let (_, body) = s.get(&format!("/change/{hostile}")).await;
    assert!(
        body.contains("&lt;img src=x onerror=alert(2)&gt;"),
        "evidence escaped"
    );
    assert!(
        body.contains("&#x27;&quot; &lt;/blockquote&gt;")
            || body.contains("&#39;&quot; &lt;/blockquote&gt;"),
        "quotes escaped: {body}"
    );
    assert!(
        body.contains("<span class=\"dead-link\">javascript:alert(4)</span>"),
        "script URL shown as text"
    );
    // The person link carries the name URL-encoded, not raw.
    assert!(
        body.contains("/person?name=%D0%98%D0%B2%D0%B0%D0%BD+%3Cscript%3E"),
        "{body}"
    );
    let person = "/person?name=%D0%98%D0%B2%D0%B0%D0%BD+%3Cscript%3Ealert%281%29%3C%2Fscript%3E+%22%D0%9F%D0%B5%D1%82%D1%80%D0%BE%D0%B2%22";
    let (status, body) = s.get(person).await;
    assert_eq!(status, 200, "{body}");
    assert!(!body.contains("<script"));
    s.shutdown().await;
}

fn db_fingerprint(path: &Path) -> (String, i64) {
    let mut h = Sha256::new();
    for p in [
        path.to_path_buf(),
        PathBuf::from(format!("{}-wal", path.display())),
    ] {
        if let Ok(bytes) = std::fs::read(&p) {
            h.update(&bytes);
        }
    }
    let store = Store::open_read_only(path).unwrap();
    let n: i64 = store
        .connection()
        .query_row(
            "SELECT (SELECT count(*) FROM change_reviews) + (SELECT count(*) FROM change_edits)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    (hex::encode(h.finalize()), n)
}

#[tokio::test]
async fn review_needs_the_token_and_the_csrf_field() {
    // Without a token configured the pages are read-only.
    let ro = start(None, 0).await;
    let id = ro.ids[0];
    let (status, _, _) = ro
        .post(
            &format!("/change/{id}/review"),
            &[("decision", "confirm")],
            &[],
        )
        .await;
    assert_eq!(status, 403);
    let (status, _, _) = ro.post("/signin", &[("token", "anything")], &[]).await;
    assert_eq!(status, 403);
    let (_, body) = ro.get(&format!("/change/{id}")).await;
    assert!(!body.contains("name=\"csrf\"") && body.contains("Read-only"));
    ro.shutdown().await;

    let s = start(Some(TOKEN), 0).await;
    let id = s.ids[0];
    let review = format!("/change/{id}/review");
    let before = db_fingerprint(&s.path);
    // Not signed in: every page is the sign-in form, 401; so is a review.
    let (status, body) = s.get("/changes").await;
    assert_eq!(status, 401);
    assert!(body.contains("name=\"token\""));
    let (status, _, _) = s.post(&review, &[("decision", "confirm")], &[]).await;
    assert_eq!(status, 401);
    // A wrong token does not sign in.
    let (status, h, _) = s.post("/signin", &[("token", "wrong")], &[]).await;
    assert_eq!(status, 401);
    assert!(h.get(header::SET_COOKIE).is_none());
    // The right token sets the session cookie.
    let (status, h, _) = s.post("/signin", &[("token", TOKEN)], &[]).await;
    assert_eq!(status, 303);
    let set = h[header::SET_COOKIE].to_str().unwrap().to_string();
    for attr in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(attr), "{set}");
    }
    assert!(!set.contains(TOKEN), "the cookie must not carry the token");
    let cookie = set.split(';').next().unwrap().to_string();
    let auth = [("cookie", cookie.as_str())];
    let (status, body) = {
        let (s1, _, b) = s.get_with(&format!("/change/{id}"), &auth).await;
        (s1, b)
    };
    assert_eq!(status, 200);
    let csrf = body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    // Signed in, but no CSRF field, a wrong one, or a foreign Origin: 403.
    let (status, _, _) = s.post(&review, &[("decision", "confirm")], &auth).await;
    assert_eq!(status, 403);
    let (status, _, _) = s
        .post(&review, &[("decision", "confirm"), ("csrf", "0000")], &auth)
        .await;
    assert_eq!(status, 403);
    let foreign = [
        ("cookie", cookie.as_str()),
        ("origin", "https://evil.example"),
    ];
    let (status, _, _) = s
        .post(
            &review,
            &[("decision", "confirm"), ("csrf", &csrf)],
            &foreign,
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(
        db_fingerprint(&s.path),
        before,
        "refused requests wrote to the database"
    );

    // With cookie and CSRF field: the review goes through Store::review.
    let (status, h, _) = s
        .post(
            &review,
            &[
                ("decision", "confirm"),
                ("csrf", &csrf),
                ("note", "checked <b>"),
            ],
            &auth,
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(h[header::LOCATION], format!("/change/{id}").as_str());
    let store = Store::open_read_only(&s.path).unwrap();
    let d = store.change(id).unwrap().unwrap();
    assert_eq!(d.record.status, ReviewStatus::Confirmed);
    assert_eq!(
        d.reviews.last().unwrap().note.as_deref(),
        Some("checked <b>")
    );
    // A bearer token works as well as the cookie.
    let bearer = format!("Bearer {TOKEN}");
    let (status, _, _) = s
        .post(
            &review,
            &[("decision", "reject"), ("csrf", &csrf)],
            &[("authorization", &bearer)],
        )
        .await;
    assert_eq!(status, 303);

    // Edit: only changed fields are written, each audited.
    let edit = format!("/change/{id}/edit");
    let form = [
        ("csrf", csrf.as_str()),
        ("person", "Куат Байгожаев"),
        ("region", "KZ-19"),
        ("date", "2025-01-11"),
        ("note", "moved"),
    ];
    let (status, _, _) = s.post(&edit, &form, &auth).await;
    assert_eq!(status, 303);
    let d = store.change(id).unwrap().unwrap();
    assert_eq!(d.record.region, "KZ-19");
    assert_eq!(d.edits.len(), 2, "{:?}", d.edits);
    let (status, _, body) = s
        .post(&edit, &[("csrf", &csrf), ("date", "someday")], &auth)
        .await;
    assert_eq!(status, 400);
    assert!(body.contains("someday"), "{body}");
    let (status, _, _) = s
        .post(
            "/change/99999/review",
            &[("decision", "confirm"), ("csrf", &csrf)],
            &auth,
        )
        .await;
    assert_eq!(status, 404);
    let (status, _, _) = s
        .post(&review, &[("decision", "maybe"), ("csrf", &csrf)], &auth)
        .await;
    assert_eq!(status, 400);
    s.shutdown().await;
}

#[tokio::test]
async fn pages_never_write_to_the_database() {
    let s = start(None, 3).await;
    let before = db_fingerprint(&s.path);
    let id = s.ids[0];
    for path in [
        "/".to_string(),
        "/?map=count".into(),
        "/changes?party=AMANAT&page=1".into(),
        "/changes.csv".into(),
        "/changes.json".into(),
        format!("/change/{id}"),
        "/region/KZ-33".into(),
        "/person?name=Marat%20Bekov".into(),
        "/feeds".into(),
        "/signin".into(),
        "/change/99999".into(),
        "/changes?role=mayor".into(),
        "/?lang=kk".into(),
    ] {
        let _ = s.get(&path).await;
    }
    assert_eq!(db_fingerprint(&s.path), before);
    s.shutdown().await;
}

#[tokio::test]
async fn interface_language_follows_the_browser_and_the_switch() {
    let s = start(None, 0).await;
    let (_, _, ru) = s
        .get_with(
            "/changes",
            &[("accept-language", "ru-RU,ru;q=0.9,en;q=0.5")],
        )
        .await;
    assert!(ru.contains("<html lang=\"ru\">") && ru.contains("Изменения"));
    let (_, _, kk) = s.get_with("/changes", &[("accept-language", "kk")]).await;
    assert!(kk.contains("<html lang=\"kk\">") && kk.contains("Өзгерістер"));
    let (_, h, sw) = s
        .get_with(
            "/changes?party=AMANAT&lang=kk",
            &[("accept-language", "en")],
        )
        .await;
    assert!(sw.contains("<html lang=\"kk\">"));
    assert!(h[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .starts_with("bw_lang=kk"));
    assert!(
        sw.contains("href=\"/changes?party=AMANAT&amp;lang=ru\""),
        "switch keeps the filter: {sw}"
    );
    let (_, _, again) = s.get_with("/changes", &[("cookie", "bw_lang=kk")]).await;
    assert!(again.contains("<html lang=\"kk\">"));
    // English: names as written, with a Latin reading beside Cyrillic ones.
    let (_, _, en) = s
        .get_with(
            &format!("/change/{}", s.ids[0]),
            &[("accept-language", "en")],
        )
        .await;
    assert!(
        en.contains("Куат Байгожаев</a> <span class=\"latin\">(Kuat Baygozhaev)</span>"),
        "{en}"
    );
    let (_, _, ru) = s
        .get_with(
            &format!("/change/{}", s.ids[0]),
            &[("accept-language", "ru")],
        )
        .await;
    assert!(!ru.contains("class=\"latin\""));
    s.shutdown().await;
}
