//! `branchwatch bench web`: the web view over a large change log.
//!
//! [`fill`] writes `n` synthetic changes (one or two sources each) straight
//! into a fresh database in one transaction — going through the merge logic
//! would measure the store, not the pages. [`run`] serves the database with
//! the real router on 127.0.0.1 and requests each page kind `requests`
//! times, rotating ids, regions and names, and reports the p50/p95 time per
//! request measured at the client over loopback (server time plus well
//! under a millisecond of loopback) and the overview's size.

use super::BenchError;
use crate::api::{serve, ApiState};
use crate::metrics::Metrics;
use crate::store::{person, Store};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use rusqlite::params;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

const PARTIES: [&str; 7] = [
    "AMANAT",
    "AK_ZHOL",
    "AUYL",
    "RESPUBLICA",
    "QHP",
    "NSDP",
    "BAYTAQ",
];
const REGIONS: [&str; 20] = [
    "KZ-10", "KZ-11", "KZ-15", "KZ-19", "KZ-23", "KZ-27", "KZ-31", "KZ-33", "KZ-35", "KZ-39",
    "KZ-43", "KZ-47", "KZ-55", "KZ-59", "KZ-61", "KZ-62", "KZ-63", "KZ-71", "KZ-75", "KZ-79",
];
const LEVELS: [&str; 3] = ["region", "city", "district"];
const ROLES: [&str; 4] = [
    "chair",
    "first_deputy_chair",
    "deputy_chair",
    "executive_secretary",
];
const EVENTS: [&str; 5] = [
    "elected",
    "appointed",
    "re_elected",
    "dismissed",
    "resigned",
];
const GIVEN: [&str; 12] = [
    "Қуат",
    "Айгүл",
    "Ерлан",
    "Сәуле",
    "Марат",
    "Динара",
    "Асхат",
    "Гүлнар",
    "Тимур",
    "Алия",
    "Нұрлан",
    "Жанар",
];
const FAMILY: [&str; 12] = [
    "Байғожаев",
    "Оспанова",
    "Нұрланұлы",
    "Смағұлов",
    "Ахметова",
    "Исмағұлов",
    "Жақсылықов",
    "Сейтқали",
    "Мұқанов",
    "Тоқтаров",
    "Әбдірахманов",
    "Серікқызы",
];

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[(self.next() % v.len() as u64) as usize]
    }
}

/// The name of person `i` of the synthetic log (about 5,000 people).
pub fn person_name(i: u64) -> String {
    let g = GIVEN[(i % 12) as usize];
    let f = FAMILY[((i / 12) % 12) as usize];
    format!(
        "{g} {f}{}",
        if i >= 144 {
            format!("-{}", i / 144)
        } else {
            String::new()
        }
    )
}

/// Creates `path` and writes `n` changes into it.
pub fn fill(path: &Path, n: usize) -> Result<(), BenchError> {
    let store = Store::open(path)?;
    fill_rows(store.connection(), n).map_err(crate::store::StoreError::from)?;
    Ok(())
}

fn fill_rows(conn: &rusqlite::Connection, n: usize) -> rusqlite::Result<()> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let day0 = NaiveDate::from_ymd_opt(2019, 1, 1).unwrap_or_default();
    let seen = Utc
        .with_ymd_and_hms(2025, 11, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    let seen = crate::store::ts_for_bench(seen);
    conn.execute_batch("BEGIN")?;
    {
        let mut ins = conn.prepare(
            "INSERT INTO changes (party, level, region, district, role, event, person, person_key, \
             acting, previous_role, date, evidence, confidence, status, first_seen) \
             VALUES (?1, ?2, ?3, NULL, ?4, ?5, ?6, ?7, 0, NULL, ?8, ?9, ?10, ?11, ?12)",
        )?;
        let mut src = conn.prepare(
            "INSERT INTO change_sources (change_id, url, title, outlet, lang, published, \
             person_as_reported, person_key, acting, previous_role, date, evidence, confidence, \
             seen_at, fingerprint) VALUES (?1, ?2, ?3, 'Bench', 'kk', NULL, ?4, ?5, 0, NULL, ?6, ?7, ?8, ?9, ?10)",
        )?;
        for i in 0..n {
            let who = person_name(rng.next() % 5000);
            let key = person::key(&who);
            let date = (day0 + Duration::days((rng.next() % 2500) as i64)).to_string();
            let evidence = format!("{who} филиал төрағасы болып сайланды ({i}).");
            let status = match rng.next() % 10 {
                0 => "confirmed",
                1 => "rejected",
                _ => "new",
            };
            let conf = 0.4 + (rng.next() % 60) as f64 / 100.0;
            ins.execute(params![
                rng.pick(&PARTIES),
                rng.pick(&LEVELS),
                rng.pick(&REGIONS),
                rng.pick(&ROLES),
                rng.pick(&EVENTS),
                who,
                key,
                date,
                evidence,
                conf,
                status,
                seen
            ])?;
            let id = conn.last_insert_rowid();
            for s in 0..=(rng.next() % 2) {
                let url = format!("https://bench.kz/{i}/{s}");
                src.execute(params![
                    id,
                    url,
                    format!("News {i}"),
                    who,
                    key,
                    date,
                    evidence,
                    conf,
                    seen,
                    url
                ])?;
            }
        }
    }
    conn.execute_batch("COMMIT")
}

/// Latency of one page kind.
#[derive(Debug, Clone, Serialize)]
pub struct PageTiming {
    pub page: String,
    pub requests: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
    pub bytes: usize,
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct WebReport {
    pub changes: i64,
    pub pages: Vec<PageTiming>,
    pub overview_bytes: usize,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

/// The URL of request `i` of each page kind.
fn urls(kind: &str, i: usize, max_id: i64) -> String {
    let id = 1 + (i as i64 * 7919) % max_id.max(1);
    match kind {
        "overview" => "/".into(),
        "overview_count" => "/?map=count".into(),
        "changes" => "/changes".into(),
        "changes_filtered" => format!("/changes?region={}&role=chair", REGIONS[i % 20]),
        "changes_page_100" => "/changes?page=100".into(),
        "changes_person" => format!(
            "/changes?person={}",
            url::form_urlencoded::byte_serialize(person_name(i as u64 % 5000).as_bytes())
                .collect::<String>()
        ),
        "change" => format!("/change/{id}"),
        "region" => format!("/region/{}", REGIONS[i % 20]),
        "region_branch" => format!("/region/{}?party={}", REGIONS[i % 20], PARTIES[i % 7]),
        "person" => format!(
            "/person?name={}",
            url::form_urlencoded::byte_serialize(person_name(i as u64 % 5000).as_bytes())
                .collect::<String>()
        ),
        _ => "/feeds".into(),
    }
}

/// Page kinds measured.
pub const KINDS: [&str; 11] = [
    "overview",
    "overview_count",
    "changes",
    "changes_filtered",
    "changes_page_100",
    "changes_person",
    "change",
    "region",
    "region_branch",
    "person",
    "feeds",
];

/// Serves `db` and times `requests` requests of every page kind.
pub async fn run(db: PathBuf, requests: usize) -> Result<WebReport, BenchError> {
    let (changes, max_id) = {
        // Read-write once: a database filled by an older build is migrated
        // (new indexes) before the read-only pages open it.
        let s = Store::open(&db)?;
        s.connection()
            .query_row(
                "SELECT count(*), coalesce(max(id), 0) FROM changes",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(crate::store::StoreError::from)?
    };
    let state = ApiState::new(db, Arc::new(Metrics::default()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|source| BenchError::Listen {
            addr: "127.0.0.1:0".into(),
            source,
        })?;
    let addr = listener
        .local_addr()
        .map_err(|e| BenchError::Other(e.to_string()))?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, state, async {
        let _ = rx.await;
    }));
    let client = reqwest::Client::new();
    let mut pages = Vec::new();
    let mut overview_bytes = 0;
    for kind in KINDS {
        let mut times = Vec::with_capacity(requests);
        let mut bytes = 0;
        for i in 0..requests {
            let url = format!("http://{addr}{}", urls(kind, i, max_id));
            let t = Instant::now();
            let r = client
                .get(&url)
                .send()
                .await
                .map_err(|e| BenchError::Other(e.to_string()))?;
            let status = r.status();
            let body = r
                .bytes()
                .await
                .map_err(|e| BenchError::Other(e.to_string()))?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            if !(status.is_success() || status == reqwest::StatusCode::NOT_FOUND) {
                return Err(BenchError::Other(format!("{url}: HTTP {status}")));
            }
            bytes = bytes.max(body.len());
        }
        if kind == "overview" {
            overview_bytes = bytes;
        }
        times.sort_by(|a, b| a.total_cmp(b));
        pages.push(PageTiming {
            page: kind.to_string(),
            requests,
            p50_ms: percentile(&times, 0.5),
            p95_ms: percentile(&times, 0.95),
            max_ms: times.last().copied().unwrap_or(0.0),
            bytes,
        });
    }
    let _ = tx.send(());
    let _ = task.await;
    Ok(WebReport {
        changes,
        pages,
        overview_bytes,
    })
}
