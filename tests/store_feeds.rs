//! Feeds and fetch state against real SQLite files: config sync, due
//! feeds, refreshes in one transaction, errors and disabling, status.

use branchwatch::model::{
    Article, DetectedChange, Event, FeedItem, FeedSpec, Lang, Level, Role, Validators,
};
use branchwatch::store::{
    FeedFailure, FeedRefresh, NewItem, Store, StoreError, REMOVED_FROM_CONFIG,
};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("bw.sqlite")).unwrap();
    (dir, store)
}

fn spec(name: &str, url: &str) -> FeedSpec {
    FeedSpec {
        name: name.to_string(),
        url: url.to_string(),
        lang: Some(Lang::Ru),
        poll_interval_secs: Some(900),
    }
}

fn item(key: &str, published: Option<DateTime<Utc>>) -> FeedItem {
    FeedItem {
        key: key.to_string(),
        guid: Some(key.to_string()),
        link: Some(format!("https://inform.kz/{key}")),
        title: Some(format!("Item {key}")),
        summary: None,
        published,
    }
}

fn change(person: &str) -> DetectedChange {
    DetectedChange {
        person: person.to_string(),
        role: Role::Chair,
        party: "AMANAT".into(),
        level: Level::Region,
        region: "KZ-33".into(),
        district: None,
        event: Event::Elected,
        acting: false,
        previous_role: None,
        date: NaiveDate::from_ymd_opt(2025, 1, 10),
        evidence: format!("{person} избран председателем"),
        confidence: 0.9,
    }
}

fn refresh(feed_id: i64, now: DateTime<Utc>, items: Vec<NewItem>) -> FeedRefresh {
    FeedRefresh {
        feed_id,
        fetched_at: now,
        validators: Validators {
            etag: Some("\"v1\"".into()),
            last_modified: Some("Fri, 10 Jan 2025 10:00:00 GMT".into()),
        },
        permanent_redirect_to: None,
        next_check_at: now + Duration::minutes(15),
        not_modified: false,
        ttl_minutes: Some(30),
        max_age_secs: Some(600),
        items,
    }
}

#[test]
fn sync_adds_updates_disables_and_reenables() {
    let (_d, mut store) = open();
    let t0 = at(2025, 1, 1, 0);
    store
        .sync_feeds(
            &[
                spec("inform", "https://inform.kz/rss"),
                spec("azattyq", "https://azattyq-ruhy.kz/rss"),
            ],
            t0,
        )
        .unwrap();
    let cli = store
        .add_feed(&spec("manual", "https://example.kz/feed"), t0)
        .unwrap();
    assert!(matches!(
        store.add_feed(&spec("manual", "https://x.kz"), t0),
        Err(StoreError::DuplicateFeed(_))
    ));
    let feeds = store.feeds().unwrap();
    assert_eq!(feeds.len(), 3);
    assert!(feeds.iter().all(|f| f.enabled));

    // azattyq leaves the config; the CLI feed is not touched.
    store
        .sync_feeds(&[spec("inform", "https://inform.kz/rss")], t0)
        .unwrap();
    let feeds = store.feeds().unwrap();
    let az = feeds.iter().find(|f| f.name == "azattyq").unwrap();
    assert!(!az.enabled);
    assert_eq!(az.disabled_reason.as_deref(), Some(REMOVED_FROM_CONFIG));
    assert!(feeds.iter().find(|f| f.id == cli).unwrap().enabled);
    assert_eq!(store.due_feeds(t0).unwrap().len(), 2);

    // It returns: enabled again, same id (history kept).
    store
        .sync_feeds(
            &[
                spec("inform", "https://inform.kz/rss"),
                spec("azattyq", "https://azattyq-ruhy.kz/rss"),
            ],
            t0,
        )
        .unwrap();
    let az2 = store
        .feeds()
        .unwrap()
        .into_iter()
        .find(|f| f.name == "azattyq")
        .unwrap();
    assert!(az2.enabled && az2.disabled_reason.is_none());
    assert_eq!(az2.id, az.id);

    assert!(store.remove_feed("https://example.kz/feed").unwrap());
    assert!(!store.remove_feed("manual").unwrap());
    assert!(store.remove_feed("azattyq").unwrap());
    assert_eq!(store.feeds().unwrap().len(), 1);
}

#[test]
fn refresh_stores_state_items_articles_and_changes_in_one_go() {
    let (_d, mut store) = open();
    let t0 = at(2025, 1, 10, 10);
    store
        .sync_feeds(&[spec("inform", "https://inform.kz/rss")], t0)
        .unwrap();
    let id = store.feeds().unwrap()[0].id;
    assert_eq!(store.due_feeds(t0).unwrap().len(), 1, "never checked = due");

    let art = Article {
        url: "https://inform.kz/a?utm_source=rss".into(),
        canonical_url: Some("https://inform.kz/a".into()),
        title: Some("Новый председатель".into()),
        text: "Куат Байгожаев избран председателем.".into(),
        published: None,
        lang: Some(Lang::Ru),
        outlet: Some("Kazinform".into()),
    };
    let items = vec![
        NewItem {
            item: item("a", Some(t0 - Duration::hours(2))),
            article: Some(art.clone()),
            article_error: None,
            changes: vec![change("Куат Байгожаев")],
        },
        NewItem {
            item: item("b", None),
            article: None,
            article_error: Some("HTTP 404".into()),
            changes: vec![],
        },
    ];
    let s = store
        .record_refresh(&refresh(id, t0, items.clone()))
        .unwrap();
    assert_eq!(
        (s.items_new, s.articles_new, s.changes_new.len()),
        (2, 1, 1)
    );

    let f = store.feeds().unwrap().remove(0);
    assert_eq!(f.item_count, 2);
    assert_eq!(f.validators.etag.as_deref(), Some("\"v1\""));
    assert_eq!(f.last_success_at, Some(t0));
    assert_eq!(f.next_check_at, Some(t0 + Duration::minutes(15)));
    assert_eq!((f.ttl_minutes, f.max_age_secs), (Some(30), Some(600)));
    assert!(store.due_feeds(t0).unwrap().is_empty());
    assert_eq!(
        store.due_feeds(t0 + Duration::minutes(15)).unwrap().len(),
        1
    );

    let c = &store.changes(&Default::default()).unwrap()[0];
    assert_eq!(
        c.sources[0].url, "https://inform.kz/a",
        "canonical URL identifies the source"
    );
    // The article has no date: the item's publication date stands in.
    assert_eq!(c.sources[0].published, Some(t0 - Duration::hours(2)));

    // Keys: known ones are not offered again; order kept, repeats dropped.
    let keys: Vec<String> = ["c", "a", "b", "c", "d"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(store.unseen_item_keys(id, &keys).unwrap(), ["c", "d"]);
    let times = store.recent_item_times(id, 10).unwrap();
    assert_eq!(times, [t0, t0 - Duration::hours(2)]);
    assert_eq!(store.recent_item_times(id, 1).unwrap().len(), 1);

    // Handing in the same items again adds nothing.
    let s2 = store
        .record_refresh(&refresh(id, t0 + Duration::minutes(15), items))
        .unwrap();
    assert_eq!((s2.items_new, s2.items_known), (0, 2));
    assert_eq!(
        store.changes(&Default::default()).unwrap()[0].sources.len(),
        1
    );

    // 304 without validators keeps the stored ones; a permanent redirect moves the URL.
    let mut nm = refresh(id, t0 + Duration::minutes(30), vec![]);
    nm.not_modified = true;
    nm.validators = Validators::default();
    nm.ttl_minutes = None;
    nm.permanent_redirect_to = Some("https://www.inform.kz/rss".into());
    store.record_refresh(&nm).unwrap();
    let f = store.feeds().unwrap().remove(0);
    assert_eq!(f.validators.etag.as_deref(), Some("\"v1\""));
    assert_eq!(f.ttl_minutes, Some(30));
    assert_eq!(f.url, "https://www.inform.kz/rss");
    // The config still names the old URL; syncing must not undo the redirect.
    store
        .sync_feeds(&[spec("inform", "https://inform.kz/rss")], t0)
        .unwrap();
    assert_eq!(store.feeds().unwrap()[0].url, "https://www.inform.kz/rss");
    // A changed config URL does replace it and resets validators.
    store
        .sync_feeds(&[spec("inform", "https://inform.kz/rss2")], t0)
        .unwrap();
    let f = store.feeds().unwrap().remove(0);
    assert_eq!(f.url, "https://inform.kz/rss2");
    assert_eq!(f.validators, Validators::default());

    assert!(matches!(
        store.record_refresh(&refresh(999, t0, vec![])),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn refresh_is_all_or_nothing() {
    let (_d, mut store) = open();
    let t0 = at(2025, 1, 10, 10);
    store
        .sync_feeds(&[spec("inform", "https://inform.kz/rss")], t0)
        .unwrap();
    let id = store.feeds().unwrap()[0].id;
    // Break the change table under the store's feet so the last write fails.
    store
        .connection()
        .execute_batch(
            "CREATE TRIGGER no_changes BEFORE INSERT ON changes BEGIN SELECT RAISE(ABORT, 'boom'); END;",
        )
        .unwrap();
    let items = vec![NewItem {
        item: item("a", None),
        article: Some(Article {
            url: "https://inform.kz/a".into(),
            text: "x".into(),
            ..Default::default()
        }),
        article_error: None,
        changes: vec![change("Куат Байгожаев")],
    }];
    assert!(store.record_refresh(&refresh(id, t0, items)).is_err());
    let f = store.feeds().unwrap().remove(0);
    assert_eq!(f.item_count, 0);
    assert_eq!(f.last_success_at, None, "fetch state rolled back too");
    let articles: i64 = store
        .connection()
        .query_row("SELECT count(*) FROM articles", [], |r| r.get(0))
        .unwrap();
    assert_eq!(articles, 0);
}

#[test]
fn errors_count_up_disable_and_reset() {
    let (_d, mut store) = open();
    let t0 = at(2025, 1, 10, 10);
    store
        .sync_feeds(&[spec("inform", "https://inform.kz/rss")], t0)
        .unwrap();
    let id = store.feeds().unwrap()[0].id;
    let fail = |kind: &str, failing: bool, disable: Option<&str>, n: i64| FeedFailure {
        feed_id: id,
        at: t0 + Duration::minutes(n),
        kind: kind.into(),
        message: format!("{kind} happened"),
        next_check_at: t0 + Duration::minutes(n + 30),
        failing,
        disable_reason: disable.map(String::from),
    };
    store
        .record_feed_error(&fail("timeout", true, None, 1))
        .unwrap();
    store
        .record_feed_error(&fail("http_503", true, None, 2))
        .unwrap();
    store
        .record_feed_error(&fail("robots", false, None, 3))
        .unwrap();
    let f = store.feeds().unwrap().remove(0);
    assert_eq!(f.consecutive_errors, 2);
    assert_eq!(f.last_error_kind.as_deref(), Some("robots"));
    assert_eq!(f.last_error_at, Some(t0 + Duration::minutes(3)));
    assert_eq!(f.next_check_at, Some(t0 + Duration::minutes(33)));
    let st = store.status_summary(t0).unwrap();
    assert_eq!(
        (st.feeds_failing, st.feeds_ok, st.feeds_disabled),
        (1, 0, 0)
    );

    store
        .record_refresh(&refresh(id, t0 + Duration::hours(1), vec![]))
        .unwrap();
    assert_eq!(store.feeds().unwrap()[0].consecutive_errors, 0);

    store
        .record_feed_error(&fail("http_410", true, Some("410 Gone"), 90))
        .unwrap();
    let f = store.feeds().unwrap().remove(0);
    assert!(!f.enabled);
    assert_eq!(f.disabled_reason.as_deref(), Some("410 Gone"));
    assert!(store.due_feeds(t0 + Duration::days(30)).unwrap().is_empty());
    // Not re-enabled by a config sync: it is gone, not removed from config.
    store
        .sync_feeds(&[spec("inform", "https://inform.kz/rss")], t0)
        .unwrap();
    assert!(!store.feeds().unwrap()[0].enabled);
    assert!(store
        .record_feed_error(&FeedFailure {
            feed_id: 77,
            ..fail("x", true, None, 0)
        })
        .is_err());
}

#[test]
fn status_summary_counts() {
    let (_d, mut store) = open();
    let t0 = at(2025, 1, 10, 10);
    store
        .sync_feeds(
            &[spec("a", "https://a.kz/rss"), spec("b", "https://b.kz/rss")],
            t0,
        )
        .unwrap();
    let ids: Vec<i64> = store.feeds().unwrap().iter().map(|f| f.id).collect();
    let items = vec![NewItem {
        item: item("x", None),
        article: None,
        article_error: None,
        changes: vec![change("Куат Байгожаев"), change("Асхат Смагулов")],
    }];
    store.record_refresh(&refresh(ids[0], t0, items)).unwrap();
    store.set_digest_last_run("daily", t0).unwrap();
    assert_eq!(store.digest_last_run("daily").unwrap(), Some(t0));
    assert_eq!(store.digest_last_run("weekly").unwrap(), None);
    let st = store.status_summary(t0 + Duration::hours(1)).unwrap();
    assert_eq!(st.feeds_total, 2);
    assert_eq!(st.feeds_ok, 2);
    assert_eq!(st.last_cycle_at, Some(t0));
    assert_eq!(st.items_total, 1);
    assert_eq!(
        (st.changes_total, st.changes_today, st.changes_unreviewed),
        (2, 2, 2)
    );
    assert_eq!(st.digests.len(), 1);
    let tomorrow = store.status_summary(t0 + Duration::days(1)).unwrap();
    assert_eq!(tomorrow.changes_today, 0);
}
