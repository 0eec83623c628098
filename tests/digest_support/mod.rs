//! Fixtures shared by the digest tests: a real SQLite store in a tempdir,
//! filled through `Store::record_article` as the pipeline would.
#![allow(dead_code)]

use branchwatch::model::{Article, DetectedChange, Event, Lang, Level, Role};
use branchwatch::store::Store;
use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};

/// 2026-11-26 `h`:00 UTC (13:00 in Almaty for h = 8).
pub fn t(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, h, 0, 0).unwrap()
}

pub fn article(url: &str, title: &str, outlet: &str) -> Article {
    Article {
        url: url.to_string(),
        canonical_url: None,
        title: Some(title.to_string()),
        text: format!("{title}\nМәтін."),
        published: Some(
            FixedOffset::east_opt(5 * 3600)
                .unwrap()
                .with_ymd_and_hms(2026, 11, 25, 10, 0, 0)
                .unwrap(),
        ),
        lang: Some(Lang::Ru),
        outlet: Some(outlet.to_string()),
    }
}

pub fn detected(
    person: &str,
    role: Role,
    party: &str,
    region: &str,
    event: Event,
    evidence: &str,
    confidence: f32,
) -> DetectedChange {
    DetectedChange {
        person: person.to_string(),
        role,
        party: party.to_string(),
        level: Level::Region,
        region: region.to_string(),
        district: None,
        event,
        acting: false,
        previous_role: None,
        date: NaiveDate::from_ymd_opt(2026, 11, 24),
        evidence: evidence.to_string(),
        confidence,
    }
}

pub fn open_store(dir: &std::path::Path) -> Store {
    Store::open(&dir.join("branchwatch.sqlite")).unwrap()
}

/// Three changes in two parties and two regions, one of them low-confidence,
/// one reported by two outlets, with hostile text in title, evidence and URL.
/// Each evidence sentence carries a marker `EVID-x` to count it by.
pub fn seed_three(store: &mut Store, now: DateTime<Utc>) {
    let a1 = article(
        "https://news.example.kz/amanat-almaty\"><img src=x onerror=alert(1)>",
        "<script>alert('title')</script> Новый председатель",
        "Example News",
    );
    store
        .record_article(
            &a1,
            &[detected(
                "Асқар Серікұлы Нұрланов",
                Role::Chair,
                "AMANAT",
                "KZ-75",
                Event::Elected,
                "EVID-A Асқар Нұрланов избран председателем \"><img src=x onerror=alert(2)> <script>alert(3)</script>",
                0.92,
            )],
            now,
        )
        .unwrap();
    // A second outlet reports the same change: one record, two sources.
    let a2 = article(
        "https://other.example.kz/a/1",
        "Нұрланов сайланды",
        "Other Outlet",
    );
    store
        .record_article(
            &a2,
            &[detected(
                "Асқар Серікұлы Нұрланов",
                Role::Chair,
                "AMANAT",
                "KZ-75",
                Event::Elected,
                "EVID-A2 Нұрланов филиал төрағасы болып сайланды.",
                0.85,
            )],
            now,
        )
        .unwrap();
    let b = article(
        "https://news.example.kz/akzhol-astana",
        "Ақ жол",
        "Example News",
    );
    store
        .record_article(
            &b,
            &[detected(
                "Дина Маратқызы Әлиева",
                Role::Chair,
                "AK_ZHOL",
                "KZ-71",
                Event::Appointed,
                "EVID-B Дина Әлиева назначена председателем филиала.",
                0.88,
            )],
            now,
        )
        .unwrap();
    let c = article(
        "https://news.example.kz/amanat-astana-deputy",
        "AMANAT",
        "Example News",
    );
    store
        .record_article(
            &c,
            &[detected(
                "Ерлан Болатұлы Қасымов",
                Role::DeputyChair,
                "AMANAT",
                "KZ-71",
                Event::Appointed,
                "EVID-C Ерлан Қасымов, возможно, назначен заместителем.",
                0.4,
            )],
            now,
        )
        .unwrap();
}
