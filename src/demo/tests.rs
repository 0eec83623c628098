//! Checks on the embedded demo data and the conditional-GET rules.

use super::*;
use crate::model::{Event, Level, Role};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::HashSet;

/// `DetectedChange` without evidence and confidence, the shape of `expected.json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedChange {
    person: String,
    role: Role,
    party: String,
    level: Level,
    region: String,
    district: Option<String>,
    event: Event,
    acting: bool,
    previous_role: Option<String>,
    date: Option<NaiveDate>,
}

#[derive(Debug, Deserialize)]
struct ExpectedArticle {
    path: String,
    lang: Lang,
    feed: String,
    published: String,
    changes: Vec<ExpectedChange>,
}

fn expected_articles() -> Vec<ExpectedArticle> {
    serde_json::from_value(expected()["articles"].clone()).unwrap()
}

#[test]
fn expected_json_lists_every_article_once_with_valid_changes() {
    let exp = expected_articles();
    let served: HashSet<&str> = articles().iter().map(|(p, _)| *p).collect();
    let listed: HashSet<&str> = exp.iter().map(|a| a.path.as_str()).collect();
    assert_eq!(served.len(), 14);
    assert_eq!(served, listed);

    let parties = [
        "AMANAT",
        "AK_ZHOL",
        "AUYL",
        "RESPUBLICA",
        "QHP",
        "NSDP",
        "BAYTAQ",
    ];
    for a in &exp {
        assert!(
            FEEDS.iter().any(|(name, _, _)| *name == a.feed),
            "{}",
            a.feed
        );
        assert!(DateTime::parse_from_rfc3339(&a.published).is_ok());
        for c in &a.changes {
            assert!(parties.contains(&c.party.as_str()), "{}", c.party);
            assert!(
                c.region.len() == 5 && c.region.starts_with("KZ-"),
                "{}",
                c.region
            );
            assert_eq!(c.level == Level::District, c.district.is_some(), "{c:?}");
            assert!(!c.person.trim().is_empty());
            if c.acting {
                assert_eq!(c.event, Event::Appointed);
            }
            let _ = &c.previous_role;
            let _ = c.date;
        }
    }
}

#[test]
fn demo_covers_the_promised_mix() {
    let exp = expected_articles();
    let by_lang = |l: Lang| exp.iter().filter(|a| a.lang == l).count();
    assert_eq!(
        (by_lang(Lang::Kk), by_lang(Lang::Ru), by_lang(Lang::En)),
        (6, 5, 3)
    );
    let positives = exp.iter().filter(|a| !a.changes.is_empty()).count();
    assert!(positives >= 8, "{positives}");
    let changes: Vec<&ExpectedChange> = exp.iter().flat_map(|a| &a.changes).collect();
    for role in [
        Role::Chair,
        Role::FirstDeputyChair,
        Role::ExecutiveSecretary,
    ] {
        assert!(changes.iter().any(|c| c.role == role), "{role}");
    }
    for event in Event::ALL {
        assert!(changes.iter().any(|c| c.event == *event), "{event}");
    }
    for party in ["AMANAT", "AK_ZHOL", "AUYL", "RESPUBLICA", "QHP", "BAYTAQ"] {
        assert!(changes.iter().any(|c| c.party == party), "{party}");
    }
    // Jetisu, Abai, Almaty region, West Kazakhstan, Shymkent.
    for region in ["KZ-33", "KZ-10", "KZ-19", "KZ-27", "KZ-79"] {
        assert!(changes.iter().any(|c| c.region == region), "{region}");
    }
    assert!(changes.iter().any(|c| c.level == Level::District));
}

#[test]
fn one_change_is_reported_in_kazakh_and_russian() {
    let exp = expected();
    let paths = exp["same_event"][0]["paths"].as_array().unwrap();
    assert_eq!(paths.len(), 2);
    let arts = expected_articles();
    let pick = |p: &serde_json::Value| {
        arts.iter()
            .find(|a| Some(a.path.as_str()) == p.as_str())
            .unwrap()
    };
    let (a, b) = (pick(&paths[0]), pick(&paths[1]));
    assert_eq!((a.lang, b.lang), (Lang::Kk, Lang::Ru));
    let (x, y) = (&a.changes[0], &b.changes[0]);
    assert_eq!(
        (x.role, &x.party, &x.region, x.event, x.date),
        (y.role, &y.party, &y.region, y.event, y.date)
    );
    // The same name, spelled once with Kazakh letters and once without.
    assert_eq!(x.person.replace('қ', "к"), y.person);
}

#[test]
fn articles_carry_the_metadata_an_extractor_looks_for() {
    for (path, html) in articles() {
        for needle in [
            "property=\"og:title\"",
            "property=\"og:site_name\"",
            "property=\"article:published_time\"",
            "rel=\"canonical\"",
            "<nav",
            "class=\"comments\"",
            "class=\"share-buttons\"",
            "class=\"related-news\"",
            "<footer",
        ] {
            assert!(html.contains(needle), "{path} lacks {needle}");
        }
        assert!(
            html.contains("+05:00\">") || html.contains("+06:00\">"),
            "{path}: offset"
        );
        assert!(
            html.contains(&format!("{BASE_PLACEHOLDER}{path}")),
            "{path}"
        );
    }
    let with_ld = articles()
        .iter()
        .filter(|(_, h)| h.contains("\"NewsArticle\""))
        .count();
    assert!(with_ld >= 4, "{with_ld}");
}

#[test]
fn every_resource_prepares_and_windows_1251_ones_are_single_byte_cyrillic() {
    let all = prepare_all("http://127.0.0.1:1").unwrap();
    assert_eq!(all.len(), ARTICLES.len() + OTHERS.len());
    let feed = &all["/feeds/priurale-ru-1251.rss"];
    assert!(std::str::from_utf8(&feed.bytes).is_err());
    assert!(feed.content_type.ends_with("charset=windows-1251"));
    let (text, _, bad) = encoding_rs::WINDOWS_1251.decode(&feed.bytes);
    assert!(!bad);
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"windows-1251\"?>"));
    assert!(text.contains("первый заместитель председателя"));
    assert!(text.contains("http://127.0.0.1:1/zko/2025/10/"));
    assert!(!text.contains(BASE_PLACEHOLDER));
    let page = &all["/zko/2025/10/naznachen-novyi-akim-uralska.html"];
    assert!(page.content_type == "text/html; charset=windows-1251");
    assert!(std::str::from_utf8(&page.bytes).is_err());
}

#[test]
fn etags_do_not_depend_on_the_port() {
    let a = prepare_all("http://127.0.0.1:1").unwrap();
    let b = prepare_all("http://127.0.0.1:2").unwrap();
    for (path, p) in &a {
        assert_eq!(p.etag, b[path].etag, "{path}");
    }
    let tags: HashSet<&str> = a.values().map(|p| p.etag.as_str()).collect();
    assert_eq!(tags.len(), a.len(), "tags must differ between resources");
}

#[test]
fn conditional_get_rules() {
    let modified = DateTime::parse_from_rfc3339("2025-10-14T10:20:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let etag = "\"abc\"";
    let h = |pairs: &[(header::HeaderName, &str)]| {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(k.clone(), HeaderValue::from_str(v).unwrap());
        }
        m
    };
    assert!(!not_modified(&h(&[]), etag, modified));
    assert!(not_modified(
        &h(&[(header::IF_NONE_MATCH, "\"abc\"")]),
        etag,
        modified
    ));
    assert!(not_modified(
        &h(&[(header::IF_NONE_MATCH, "\"x\", W/\"abc\"")]),
        etag,
        modified
    ));
    assert!(not_modified(
        &h(&[(header::IF_NONE_MATCH, "*")]),
        etag,
        modified
    ));
    assert!(!not_modified(
        &h(&[(header::IF_NONE_MATCH, "\"abd\"")]),
        etag,
        modified
    ));
    let lm = http_date(modified);
    assert_eq!(lm, "Tue, 14 Oct 2025 10:20:00 GMT");
    assert!(not_modified(
        &h(&[(header::IF_MODIFIED_SINCE, &lm)]),
        etag,
        modified
    ));
    assert!(!not_modified(
        &h(&[(header::IF_MODIFIED_SINCE, "Tue, 14 Oct 2025 10:19:59 GMT")]),
        etag,
        modified
    ));
    // A stale tag beats a matching date.
    assert!(!not_modified(
        &h(&[
            (header::IF_NONE_MATCH, "\"old\""),
            (header::IF_MODIFIED_SINCE, &lm)
        ]),
        etag,
        modified
    ));
    assert!(!not_modified(
        &h(&[(header::IF_MODIFIED_SINCE, "yesterday")]),
        etag,
        modified
    ));
}
