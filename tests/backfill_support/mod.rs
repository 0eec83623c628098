//! A news site's archive, generated and served from 127.0.0.1 for the
//! backfill tests.
//!
//! * `robots.txt` names a gzip sitemap index and a news sitemap;
//! * the index lists 24 monthly gzip sitemaps (2024-01 … 2025-12, served as
//!   `application/gzip` without `Content-Encoding`) with 50,000 URLs in all:
//!   49,700 in 2024 (the first six months dated in the index, so a backfill
//!   of 2025 need not fetch them; the other six undated, so it must) and the
//!   300 articles of 2025;
//! * the news sitemap has titles and dates of the newest 50 articles;
//! * `/feed/?paged=N` is a WordPress-style feed of all 300, 10 a page,
//!   newest first, 404 past the last page;
//! * 300 article pages (Russian and Kazakh), 40 of which report a change:
//!   article `7k` (k < 40) reports that a person became chair of branch
//!   (party k / 10, region k % 10). Every other path answers 404.
//!
//! Exactly the 300 articles are dated in 2025, so a backfill of 2025 must
//! fetch exactly those pages.
#![allow(dead_code)]

use crate::fetch_support::{serve, Reply, TestServer};
use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::{Arc, Mutex};

pub const ARTICLES: usize = 300;
pub const CHANGES: usize = 40;
pub const OLD_URLS: usize = 49_700;

const RU_REGIONS: [&str; 10] = [
    "Павлодарского",
    "Карагандинского",
    "Костанайского",
    "Актюбинского",
    "Атырауского",
    "Акмолинского",
    "Туркестанского",
    "Жамбылского",
    "Мангистауского",
    "Кызылординского",
];
const KK_REGIONS: [&str; 10] = [
    "Павлодар",
    "Қарағанды",
    "Қостанай",
    "Ақтөбе",
    "Атырау",
    "Ақмола",
    "Түркістан",
    "Жамбыл",
    "Маңғыстау",
    "Қызылорда",
];
/// ISO codes of the regions above, as the detector reports them.
pub const REGION_CODES: [&str; 10] = [
    "KZ-55", "KZ-35", "KZ-39", "KZ-15", "KZ-23", "KZ-11", "KZ-61", "KZ-31", "KZ-47", "KZ-43",
];
const RU_PARTIES: [&str; 4] = ["«AMANAT»", "«Ак жол»", "«Ауыл»", "«Respublica»"];
const KK_PARTIES: [&str; 4] = ["«AMANAT»", "«Ақ жол»", "«Ауыл»", "«Respublica»"];
pub const PARTY_IDS: [&str; 4] = ["AMANAT", "AK_ZHOL", "AUYL", "RESPUBLICA"];
const FIRST: [&str; 8] = [
    "Марат",
    "Ержан",
    "Данияр",
    "Асқар",
    "Нұрлан",
    "Серік",
    "Бауыржан",
    "Ғалым",
];
const LAST: [&str; 5] = ["Кенжебаев", "Оспанов", "Ахметов", "Бекмұратов", "Жақыпов"];

/// Path → (content type, body) of everything the site serves with 200.
type Pages = HashMap<String, (&'static str, Vec<u8>)>;
/// (person, party, region, day) of one change.
pub type ChangeRow = (String, String, String, String);

/// One generated article.
#[derive(Debug, Clone)]
pub struct ArticleSpec {
    pub path: String,
    pub date: DateTime<Utc>,
    pub title: String,
    pub russian: bool,
    /// (person, party id, region code) when it reports a change.
    pub change: Option<(String, &'static str, &'static str)>,
}

pub fn articles() -> Vec<ArticleSpec> {
    let start = Utc.with_ymd_and_hms(2025, 1, 1, 7, 0, 0).unwrap();
    (0..ARTICLES)
        .map(|i| {
            let date = start + Duration::days((i * 365 / ARTICLES) as i64);
            let russian = i % 2 == 0;
            let k = i / 7;
            let change = (i % 7 == 0 && k < CHANGES).then(|| {
                (
                    format!("{} {}", FIRST[k % 8], LAST[k / 8]),
                    PARTY_IDS[k / 10],
                    REGION_CODES[k % 10],
                )
            });
            let title = match (&change, russian) {
                (Some(_), true) => format!(
                    "Избран председатель {} областного филиала",
                    RU_REGIONS[k % 10]
                ),
                (Some(_), false) => format!(
                    "{} облыстық филиалына жаңа төраға сайланды",
                    KK_REGIONS[k % 10]
                ),
                (None, true) => format!("Новости региона: погода и дороги, выпуск {i}"),
                (None, false) => format!("Өңір жаңалықтары: ауа райы, {i}-шығарылым"),
            };
            ArticleSpec {
                path: format!("/news/{}/{i}.html", date.format("%Y/%m")),
                date,
                title,
                russian,
                change,
            }
        })
        .collect()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn article_html(base: &str, i: usize, a: &ArticleSpec) -> String {
    let filler = if a.russian {
        format!("В городе прошёл фестиваль народного творчества, выпуск {i}. Погода на выходные будет тёплой и солнечной. Дороги в центре отремонтируют к осени.")
    } else {
        format!("Қалада халық шығармашылығы фестивалі өтті, {i}-шығарылым. Демалыс күндері ауа райы жылы әрі шуақты болады. Орталықтағы жолдар күзге дейін жөнделеді.")
    };
    let k = i / 7;
    let news = match (&a.change, a.russian) {
        (Some((person, _, _)), true) => format!(
            "В областном центре прошла отчётная конференция. На конференции председателем {} областного филиала партии {} избран {person}. Делегаты обсудили планы на год.",
            RU_REGIONS[k % 10], RU_PARTIES[k / 10]
        ),
        (Some((person, _, _)), false) => format!(
            "Облыс орталығында есепті конференция өтті. {} партиясы {} облыстық филиалының төрағасы болып {person} сайланды. Делегаттар жыл жоспарын талқылады.",
            KK_PARTIES[k / 10], KK_REGIONS[k % 10]
        ),
        (None, _) => filler.clone(),
    };
    let when = a.date.to_rfc3339();
    format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <meta property=\"article:published_time\" content=\"{when}\">\
         <link rel=\"canonical\" href=\"{base}{path}\"></head><body>\
         <nav><a href=\"/\">Басты бет</a> <a href=\"/news/\">Жаңалықтар</a></nav>\
         <main><article><h1>{t}</h1><time datetime=\"{when}\">{day}</time>\
         <p>{filler}</p><p>{news}</p><p>{filler}</p><p>{filler}</p></article></main>\
         <footer>© Тест ақпарат агенттігі</footer></body></html>",
        lang = if a.russian { "ru" } else { "kk" },
        t = esc(&a.title),
        path = a.path,
        day = a.date.format("%d.%m.%Y"),
    )
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn urlset(entries: impl Iterator<Item = (String, String)>) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (loc, lastmod) in entries {
        let _ = writeln!(s, "<url><loc>{loc}</loc><lastmod>{lastmod}</lastmod></url>");
    }
    s.push_str("</urlset>\n");
    s
}

/// Every path the site serves with 200: (content type, body).
fn build(base: &str) -> Pages {
    let arts = articles();
    let mut pages: Pages = HashMap::new();
    let xml = "application/xml; charset=utf-8";
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    // 2024: 49,700 old URLs, 8 months of 4,142 and 4 of 4,141.
    let mut next = 0usize;
    for m in 1..=12u32 {
        let n = if m <= 8 { 4142 } else { 4141 };
        let body = urlset((next..next + n).map(|k| {
            (
                format!("{base}/archive/2024/{m:02}/{k}.html"),
                format!("2024-{m:02}-{:02}", 1 + k % 28),
            )
        }));
        next += n;
        let path = format!("/sitemaps/2024-{m:02}.xml.gz");
        pages.insert(path.clone(), ("application/gzip", gzip(body.as_bytes())));
        if m <= 6 {
            let _ = writeln!(
                index,
                "<sitemap><loc>{base}{path}</loc><lastmod>2024-{m:02}-28</lastmod></sitemap>"
            );
        } else {
            let _ = writeln!(index, "<sitemap><loc>{base}{path}</loc></sitemap>");
        }
    }
    assert_eq!(next, OLD_URLS);
    for m in 1..=12u32 {
        let month: Vec<&ArticleSpec> = arts.iter().filter(|a| a.date.month() == m).collect();
        let body = urlset(
            month
                .iter()
                .map(|a| (format!("{base}{}", a.path), a.date.to_rfc3339())),
        );
        let path = format!("/sitemaps/2025-{m:02}.xml.gz");
        pages.insert(path.clone(), ("application/gzip", gzip(body.as_bytes())));
        let last = month.iter().map(|a| a.date).max().unwrap();
        let _ = writeln!(
            index,
            "<sitemap><loc>{base}{path}</loc><lastmod>{}</lastmod></sitemap>",
            last.format("%Y-%m-%d")
        );
    }
    index.push_str("</sitemapindex>\n");
    pages.insert(
        "/sitemap_index.xml.gz".into(),
        ("application/gzip", gzip(index.as_bytes())),
    );
    let mut news = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
         xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n",
    );
    for a in &arts[ARTICLES - 50..] {
        let _ = writeln!(
            news,
            "<url><loc>{base}{}</loc><news:news><news:publication><news:name>Тест</news:name>\
             <news:language>{}</news:language></news:publication>\
             <news:publication_date>{}</news:publication_date><news:title>{}</news:title></news:news></url>",
            a.path,
            if a.russian { "ru" } else { "kk" },
            a.date.to_rfc3339(),
            esc(&a.title)
        );
    }
    news.push_str("</urlset>\n");
    pages.insert("/news-sitemap.xml".into(), (xml, news.into_bytes()));
    let newest_first: Vec<&ArticleSpec> = arts.iter().rev().collect();
    for (n, chunk) in newest_first.chunks(10).enumerate() {
        let mut rss = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Тест</title>\n",
        );
        for a in chunk {
            let _ = writeln!(
                rss,
                "<item><title>{}</title><link>{base}{}</link><guid>{base}{}</guid><pubDate>{}</pubDate></item>",
                esc(&a.title),
                a.path,
                a.path,
                a.date.to_rfc2822()
            );
        }
        rss.push_str("</channel></rss>\n");
        pages.insert(
            format!("/feed/?paged={}", n + 1),
            ("application/rss+xml; charset=utf-8", rss.into_bytes()),
        );
    }
    for (i, a) in arts.iter().enumerate() {
        pages.insert(
            a.path.clone(),
            (
                "text/html; charset=utf-8",
                article_html(base, i, a).into_bytes(),
            ),
        );
    }
    pages.insert(
        "/robots.txt".into(),
        (
            "text/plain",
            format!(
                "User-agent: *\nDisallow: /private/\nSitemap: {base}/sitemap_index.xml.gz\nSitemap: {base}/news-sitemap.xml\n"
            )
            .into_bytes(),
        ),
    );
    pages
}

/// Starts the site on 127.0.0.1.
pub async fn start() -> TestServer {
    start_slow(std::time::Duration::ZERO).await
}

/// Starts the site with every article page answered after `delay` (a slow
/// archive).
pub async fn start_slow(delay: std::time::Duration) -> TestServer {
    let pages: Arc<Mutex<Option<Arc<Pages>>>> = Arc::new(Mutex::new(None));
    let p = pages.clone();
    let server = serve(move |req| {
        let pages = p.lock().unwrap().clone();
        let wait = if req.path.starts_with("/news/") {
            delay
        } else {
            std::time::Duration::ZERO
        };
        match pages.as_ref().and_then(|m| m.get(&req.path)) {
            Some((ct, body)) => Reply::ok(body.clone())
                .header("Content-Type", ct)
                .delay(wait),
            None => Reply::new(404),
        }
    })
    .await;
    let built = Arc::new(build(&server.url("")));
    *pages.lock().unwrap() = Some(built);
    server
}

/// Article paths in the order the server saw them requested.
pub fn article_requests(server: &TestServer) -> Vec<String> {
    server
        .requests()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| p.starts_with("/news/"))
        .collect()
}

/// The 40 changes the site reports: (person, party, region, day).
pub fn expected_changes() -> Vec<ChangeRow> {
    let mut v: Vec<_> = articles()
        .into_iter()
        .filter_map(|a| {
            let (person, party, region) = a.change?;
            Some((
                person,
                party.to_string(),
                region.to_string(),
                a.date.format("%Y-%m-%d").to_string(),
            ))
        })
        .collect();
    v.sort();
    v
}

/// The changes stored in a database, with the day of their source:
/// (person, party, region, source day), and their origins.
pub fn stored_changes(db: &std::path::Path) -> (Vec<ChangeRow>, Vec<String>) {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut st = c
        .prepare(
            "SELECT c.person, c.party, c.region, substr(s.published, 1, 10), c.origin
             FROM changes c JOIN change_sources s ON s.change_id = c.id ORDER BY c.id",
        )
        .unwrap();
    let rows: Vec<(String, String, String, String, String)> = st
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut changes: Vec<_> = rows
        .iter()
        .map(|r| (r.0.clone(), r.1.clone(), r.2.clone(), r.3.clone()))
        .collect();
    changes.sort();
    (changes, rows.into_iter().map(|r| r.4).collect())
}
