//! The read-only HTTP API on a real server (127.0.0.1:0) over a real
//! SQLite file: filters, errors, detail, roster, feeds, Atom, metrics,
//! bearer-token auth and graceful shutdown.

mod change_fixture;

use branchwatch::api::{serve, ApiState};
use branchwatch::metrics::Metrics;
use branchwatch::model::{
    Article, DetectedChange, Event, FeedSpec, Lang, Level, ReviewStatus, Role,
};
use branchwatch::query::{render_changes, ChangeFilter, Format};
use branchwatch::store::Store;
use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap()
}

struct Server {
    base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    _dir: tempfile::TempDir,
    ids: Vec<i64>,
    path: PathBuf,
}

/// The person of seed 5 as this file seeds it: markup and an ampersand, so
/// every rendering's escaping is exercised.
const ESCAPED_PERSON: &str = "Marat Bekov & <Co>";

/// Seeds the seven shared changes (tests/change_fixture; one rejected, one
/// with three sources) and a feed.
fn seed(path: &std::path::Path) -> Vec<i64> {
    let mut store = Store::open(path).unwrap();
    let mut ids = Vec::new();
    for (i, seed) in change_fixture::SEVEN.iter().enumerate() {
        let person = if i == 5 { ESCAPED_PERSON } else { seed.person };
        let a = Article {
            url: format!("https://news.kz/{i}?a=1&b=2"),
            title: Some(format!("News {i}")),
            text: "text".into(),
            published: Some(now().with_timezone(&FixedOffset::east_opt(5 * 3600).unwrap())),
            lang: Some(Lang::Ru),
            outlet: Some("News".into()),
            ..Default::default()
        };
        let evidence = format!("{person} — {} <{}>", seed.event, seed.role);
        let d = seed.detected_as(person, evidence, 0.9);
        ids.push(store.record_article(&a, &[d], now()).unwrap().changes_new[0]);
    }
    // Two more reports of the first change, in other scripts.
    for (i, person) in ["Қуат Байғоджаев", "Kuat Baigodzhayev"]
        .into_iter()
        .enumerate()
    {
        let a = Article {
            url: format!("https://other.kz/{i}"),
            text: "t".into(),
            ..Default::default()
        };
        let d = DetectedChange {
            person: person.into(),
            role: Role::Chair,
            party: "AMANAT".into(),
            level: Level::Region,
            region: "KZ-33".into(),
            district: None,
            event: Event::Elected,
            acting: false,
            previous_role: None,
            date: Some(day(2025, 1, 10 - i as u32)),
            evidence: "e".into(),
            confidence: 0.5,
        };
        store.record_article(&a, &[d], now()).unwrap();
    }
    store
        .review(ids[3], ReviewStatus::Rejected, Some("wrong party"), now())
        .unwrap();
    store
        .review(ids[2], ReviewStatus::Confirmed, None, now())
        .unwrap();
    store
        .add_feed(
            &FeedSpec {
                name: "inform".into(),
                url: "https://inform.kz/rss".into(),
                lang: Some(Lang::Ru),
                poll_interval_secs: None,
            },
            now(),
        )
        .unwrap();
    ids
}

async fn start(token: Option<&str>, metrics: Arc<Metrics>) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bw.sqlite");
    let ids = seed(&path);
    let mut state = ApiState::new(path.clone(), metrics);
    state.token = token.map(String::from);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, state, async {
        let _ = rx.await;
    }));
    Server {
        base,
        stop: Some(tx),
        task,
        _dir: dir,
        ids,
        path,
    }
}

impl Server {
    async fn get(&self, path: &str) -> reqwest::Response {
        reqwest::get(format!("{}{path}", self.base)).await.unwrap()
    }

    async fn ids(&self, query: &str) -> Vec<i64> {
        let r = self.get(&format!("/api/changes?{query}")).await;
        assert_eq!(r.status(), 200, "{query}");
        let v: Value = r.json().await.unwrap();
        let mut ids: Vec<i64> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect();
        ids.sort();
        ids
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

#[tokio::test]
async fn every_filter_works_over_http() {
    let s = start(None, Arc::new(Metrics::new())).await;
    let id = |is: &[usize]| is.iter().map(|&i| s.ids[i]).collect::<Vec<_>>();
    assert_eq!(s.ids("").await.len(), 7);
    assert_eq!(s.ids("party=amanat").await, id(&[0, 1, 3]));
    assert_eq!(s.ids("region=KZ-19").await, id(&[2, 3]));
    assert_eq!(s.ids("level=city").await, id(&[4, 5]));
    assert_eq!(s.ids("role=chair").await, id(&[0, 1, 2]));
    assert_eq!(s.ids("event=re_elected").await, id(&[4]));
    assert_eq!(s.ids("person=Baigozhayev").await, id(&[0, 6]));
    assert_eq!(
        s.ids("person=%D0%9A%D1%83%D0%B0%D1%82").await,
        id(&[0]),
        "Куат, URL-encoded"
    );
    assert_eq!(s.ids("since=2025-02-01").await, id(&[2, 3, 4, 5]));
    assert_eq!(s.ids("until=2025-01-09").await, id(&[1, 6]));
    assert_eq!(s.ids("status=rejected").await, id(&[3]));
    assert_eq!(s.ids("status=confirmed").await, id(&[2]));
    assert_eq!(
        s.ids("party=AMANAT&region=KZ-33&event=elected").await,
        id(&[0])
    );
    assert_eq!(s.ids("limit=2").await.len(), 2);
    assert_eq!(s.ids("limit=3&offset=6").await.len(), 1);
    // Paging is newest first and pages do not overlap.
    let mut pages = Vec::new();
    for off in [0, 3, 6] {
        pages.extend(s.ids(&format!("limit=3&offset={off}")).await);
    }
    pages.sort();
    assert_eq!(pages, s.ids("").await);
    s.shutdown().await;
}

#[tokio::test]
async fn bad_parameters_give_400_naming_the_value() {
    let s = start(None, Arc::new(Metrics::new())).await;
    let cases = [
        ("/api/changes?region=Atlantis", "Atlantis"),
        ("/api/changes?since=2025-13-01", "2025-13-01"),
        ("/api/changes?until=yesterday", "yesterday"),
        ("/api/changes?status=maybe", "maybe"),
        ("/api/changes?role=mayor", "mayor"),
        ("/api/changes?event=born", "born"),
        ("/api/changes?level=galaxy", "galaxy"),
        ("/api/changes?limit=many", "many"),
        ("/api/changes?limit=5000", "5000"),
        ("/api/changes?offset=-1", "-1"),
        ("/api/changes?colour=red", "colour"),
        ("/api/changes?party=Nur%20Otan", "Nur Otan"),
        ("/api/changes/abc", "abc"),
        ("/api/roster?level=planet", "planet"),
        ("/api/roster?person=x", "person"),
        ("/changes.atom?region=Mordor", "Mordor"),
    ];
    for (path, value) in cases {
        let r = s.get(path).await;
        assert_eq!(r.status(), 400, "{path}");
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
        let v: Value = r.json().await.unwrap();
        let msg = v["error"].as_str().unwrap();
        assert!(msg.contains(value), "{path}: {msg}");
        assert_eq!(v["value"].as_str(), Some(value), "{path}");
    }
    let r = s.get("/api/changes/999999").await;
    assert_eq!(r.status(), 404);
    assert_eq!(s.get("/nope").await.status(), 404);
    s.shutdown().await;
}

#[tokio::test]
async fn change_detail_roster_and_feeds() {
    let s = start(None, Arc::new(Metrics::new())).await;
    let r = s.get(&format!("/api/changes/{}", s.ids[0])).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["id"].as_i64(), Some(s.ids[0]));
    assert_eq!(v["sources"].as_array().unwrap().len(), 3);
    assert_eq!(v["role"], "chair");
    assert_eq!(v["date"], "2025-01-10");
    let fields: Vec<&str> = v["disagreements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["date"]);
    assert_eq!(v["source_fields"].as_array().unwrap().len(), 3);

    let rejected: Value = s
        .get(&format!("/api/changes/{}", s.ids[3]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["reviews"][0]["note"], "wrong party");

    let roster: Value = s.get("/api/roster").await.json().await.unwrap();
    let roster = roster.as_array().unwrap();
    // Seven changes, six posts, the rejected one's post gone.
    assert_eq!(roster.len(), 5);
    let r33: Value = s
        .get("/api/roster?party=AMANAT&region=kz-33&level=region")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r33.as_array().unwrap().len(), 1);
    assert_eq!(r33[0]["holder"], "Куат Байгожаев");
    assert_eq!(r33[0]["predecessor"], "Асхат Смагулов");
    assert_eq!(r33[0]["since"], "2025-01-10");

    let feeds: Value = s.get("/api/feeds").await.json().await.unwrap();
    assert_eq!(feeds[0]["name"], "inform");
    assert_eq!(feeds[0]["enabled"], true);
    assert_eq!(feeds[0]["validators"]["etag"], Value::Null);

    let health = s.get("/healthz").await;
    assert_eq!(health.status(), 200);
    s.shutdown().await;
}

#[tokio::test]
async fn api_json_is_the_cli_json() {
    let s = start(None, Arc::new(Metrics::new())).await;
    let api: Value = s
        .get("/api/changes?party=AMANAT&limit=100")
        .await
        .json()
        .await
        .unwrap();
    let store = Store::open_read_only(&s.path).unwrap();
    let f = ChangeFilter {
        party: Some("AMANAT".into()),
        ..ChangeFilter::default()
    };
    let cli: Value =
        serde_json::from_str(&render_changes(&store.changes(&f).unwrap(), Format::Json)).unwrap();
    assert_eq!(api, cli);
    assert!(api[0].get("first_seen").is_some() && api[0].get("previous_role").is_some());
    s.shutdown().await;
}

#[tokio::test]
async fn atom_feed_parses_back() {
    let s = start(None, Arc::new(Metrics::new())).await;
    let r = s.get("/changes.atom").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/atom+xml"));
    let body = r.bytes().await.unwrap();
    let feed = feed_rs::parser::parse(&body[..]).expect("valid Atom");
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    // Rejected change left out.
    assert_eq!(feed.entries.len(), 6);
    let ids: Vec<&str> = feed.entries.iter().map(|e| e.id.as_str()).collect();
    assert!(!ids.contains(&format!("urn:branchwatch:change:{}", s.ids[3]).as_str()));
    let first = feed
        .entries
        .iter()
        .find(|e| e.id == format!("urn:branchwatch:change:{}", s.ids[0]))
        .unwrap();
    let title = &first.title.as_ref().unwrap().content;
    assert!(
        title.contains("Куат Байгожаев") && title.contains("elected"),
        "{title}"
    );
    assert_eq!(first.links.len(), 3);
    assert_eq!(first.links[0].href, "https://news.kz/0?a=1&b=2");
    assert!(first.updated.is_some() && first.published.is_some());
    assert!(first.categories.iter().any(|c| c.term == "AMANAT"));
    // Escaping: a name with & and <> survives the round trip.
    let bekov = feed
        .entries
        .iter()
        .find(|e| e.id == format!("urn:branchwatch:change:{}", s.ids[5]))
        .unwrap();
    assert!(bekov
        .title
        .as_ref()
        .unwrap()
        .content
        .contains(ESCAPED_PERSON));
    // Filters apply to the Atom feed too.
    let body = s
        .get("/changes.atom?party=QHP")
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(feed_rs::parser::parse(&body[..]).unwrap().entries.len(), 1);
    s.shutdown().await;
}

/// Checks Prometheus text format 0.0.4 line by line: comments are HELP or
/// TYPE with a valid metric name; samples are `name{labels} value`.
fn check_prometheus(text: &str) -> usize {
    fn name_ok(n: &str) -> bool {
        let mut cs = n.chars();
        cs.next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
            && cs.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    }
    let mut samples = 0;
    let mut typed = std::collections::HashSet::new();
    for line in text.lines() {
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# ") {
            let mut parts = rest.splitn(3, ' ');
            let kind = parts.next().unwrap();
            let name = parts.next().expect("comment names a metric");
            assert!(name_ok(name), "bad name in {line:?}");
            match kind {
                "HELP" => assert!(parts.next().is_some(), "{line:?}"),
                "TYPE" => {
                    let t = parts.next().unwrap();
                    assert!(
                        ["counter", "gauge", "histogram", "summary", "untyped"].contains(&t),
                        "{line:?}"
                    );
                    assert!(typed.insert(name.to_string()), "TYPE twice: {line:?}");
                }
                _ => panic!("unknown comment {line:?}"),
            }
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("sample has a value");
        assert!(
            value.parse::<f64>().is_ok() || ["+Inf", "-Inf", "NaN"].contains(&value),
            "bad value in {line:?}"
        );
        let name = match series.split_once('{') {
            Some((name, labels)) => {
                let labels = labels.strip_suffix('}').expect("labels close");
                for pair in labels.split(',').filter(|p| !p.is_empty()) {
                    let (k, v) = pair.split_once('=').expect("label has =");
                    assert!(name_ok(k), "{line:?}");
                    assert!(
                        v.starts_with('"') && v.ends_with('"') && v.len() >= 2,
                        "{line:?}"
                    );
                }
                name
            }
            None => series,
        };
        assert!(name_ok(name), "{line:?}");
        let base = name
            .strip_suffix("_bucket")
            .or_else(|| name.strip_suffix("_sum"))
            .or_else(|| name.strip_suffix("_count"))
            .filter(|b| typed.contains(*b))
            .unwrap_or(name);
        assert!(typed.contains(base), "sample before its TYPE: {line:?}");
        samples += 1;
    }
    samples
}

#[test]
fn prometheus_checker_rejects_garbage() {
    assert!(std::panic::catch_unwind(|| check_prometheus("metric{x=1} 2\n")).is_err());
    assert!(std::panic::catch_unwind(|| check_prometheus("# TYPE a counter\na one\n")).is_err());
    assert_eq!(check_prometheus("# TYPE a counter\na 1\n"), 1);
}

#[tokio::test]
async fn metrics_are_valid_prometheus_text() {
    let m = Arc::new(Metrics::new());
    Metrics::add(&m.feeds_polled, 12);
    Metrics::add(&m.items_new, 30);
    Metrics::add(&m.changes_detected, 4);
    Metrics::add(&m.digests_sent, 1);
    m.inc_fetch_error("timeout");
    m.inc_fetch_error("http_404");
    m.observe_poll(Duration::from_millis(700));
    let s = start(None, m.clone()).await;
    let r = s.get("/metrics").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = r.text().await.unwrap();
    let n = check_prometheus(&text);
    assert!(n >= 20, "{n} samples:\n{text}");
    assert!(text.contains("branchwatch_feeds_polled_total 12\n"));
    assert!(text.contains("branchwatch_fetch_errors_total{kind=\"http_404\"} 1\n"));
    assert!(text.contains("branchwatch_poll_duration_seconds_bucket{le=\"1\"} 1\n"));
    // Gauges from the database: seven changes, one feed never fetched.
    assert!(text.contains("branchwatch_changes 7\n"), "{text}");
    assert!(
        text.contains("branchwatch_feeds{state=\"ok\"} 1\n"),
        "{text}"
    );
    // Live: increments show up on the next scrape.
    Metrics::add(&m.feeds_polled, 1);
    let text = s.get("/metrics").await.text().await.unwrap();
    assert!(text.contains("branchwatch_feeds_polled_total 13\n"));
    s.shutdown().await;
}

#[tokio::test]
async fn bearer_token_guards_everything_but_healthz() {
    let s = start(Some("s3cret-token"), Arc::new(Metrics::new())).await;
    let client = reqwest::Client::new();
    for path in [
        "/api/changes",
        "/api/changes/1",
        "/api/roster",
        "/api/feeds",
        "/changes.atom",
        "/metrics",
    ] {
        let url = format!("{}{path}", s.base);
        let none = client.get(&url).send().await.unwrap();
        assert_eq!(none.status(), 401, "{path}");
        assert_eq!(none.headers()["www-authenticate"], "Bearer");
        let wrong = client
            .get(&url)
            .bearer_auth("s3cret-tokex")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401, "{path}");
        let basic = client
            .get(&url)
            .basic_auth("s3cret-token", None::<&str>)
            .send()
            .await
            .unwrap();
        assert_eq!(basic.status(), 401, "{path}");
        let ok = client
            .get(&url)
            .bearer_auth("s3cret-token")
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), 200, "{path}");
    }
    // Auth comes before parameter checks: no information without a token.
    let r = client
        .get(format!("{}/api/changes?region=Atlantis", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        client
            .get(format!("{}/healthz", s.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    s.shutdown().await;
}

#[tokio::test]
async fn healthz_reports_a_missing_database() {
    let dir = tempfile::tempdir().unwrap();
    let state = ApiState::new(dir.path().join("absent.sqlite"), Arc::new(Metrics::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, state, async {
        let _ = rx.await;
    }));
    let r = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(
        reqwest::get(format!("{base}/api/changes"))
            .await
            .unwrap()
            .status(),
        500
    );
    tx.send(()).unwrap();
    task.await.unwrap().unwrap();
}
