//! The backfill job state machine on a real SQLite file: lanes decide the
//! order, a kill's leftovers are recovered without a second request for
//! downloaded pages, transient failures are retried a bounded number of
//! times, and job states move only along allowed edges.

use branchwatch::model::{ArchiveEntry, Article, BackfillSpec, JobState, Lane};
use branchwatch::store::{Store, StoreError, BACKFILL_MAX_ATTEMPTS};
use chrono::{NaiveDate, Utc};

fn entry(url: &str, title: Option<&str>) -> ArchiveEntry {
    ArchiveEntry {
        url: url.into(),
        title: title.map(String::from),
        published: Some("2025-03-04T05:00:00Z".parse().unwrap()),
        lastmod: None,
    }
}

fn spec() -> BackfillSpec {
    BackfillSpec {
        site: "news.example".into(),
        since: NaiveDate::from_ymd_opt(2025, 1, 1),
        until: NaiveDate::from_ymd_opt(2025, 12, 31),
        sitemap: None,
        feed_pages: None,
    }
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("bw.sqlite")).unwrap();
    (dir, s)
}

#[test]
fn likely_pages_first_and_a_kill_leaves_only_requests_on_the_wire() {
    let (_dir, mut s) = open();
    let now = Utc::now();
    let id = s.backfill_create(&spec(), now).unwrap();
    assert!(!s.backfill_discovered(id).unwrap());
    let added = s
        .backfill_add_urls(
            id,
            &[
                (
                    entry("https://n.example/weather", Some("Погода")),
                    Lane::Unlikely,
                ),
                (entry("https://n.example/untitled", None), Lane::Untitled),
                (
                    entry("https://n.example/chair", Some("Избран председатель")),
                    Lane::Likely,
                ),
                (
                    entry("https://n.example/chair", Some("twice")),
                    Lane::Likely,
                ),
            ],
            now,
        )
        .unwrap();
    assert_eq!(added, 3);
    assert!(s.backfill_discovered(id).unwrap());
    let st = s.status_summary(now).unwrap();
    assert_eq!((st.backfill_running, st.backfill_pending), (1, 3));
    assert_eq!(s.backfill_find_running(&spec()).unwrap(), Some(id));

    let order: Vec<String> = (0..3)
        .map(|_| s.backfill_claim(id, now).unwrap().unwrap().url)
        .collect();
    assert_eq!(
        order,
        [
            "https://n.example/chair",
            "https://n.example/untitled",
            "https://n.example/weather"
        ]
    );
    assert!(s.backfill_claim(id, now).unwrap().is_none());

    // "Kill": chair downloaded, untitled on the wire, weather stored.
    let ids: Vec<i64> = {
        let c = s.connection();
        let mut st = c
            .prepare("SELECT id FROM backfill_urls ORDER BY lane")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    s.backfill_store_download(
        ids[0],
        "https://n.example/chair?x",
        "<html>chair</html>",
        now,
    )
    .unwrap();
    let weather = Article {
        url: "https://n.example/weather".into(),
        text: "Погода будет тёплой.".into(),
        ..Default::default()
    };
    s.backfill_record_page(ids[2], &weather, &[], now).unwrap();

    assert_eq!(
        s.backfill_recover(id).unwrap(),
        ["https://n.example/untitled"],
        "only the request on the wire is fetched again"
    );
    let downloads = s.backfill_downloads(id).unwrap();
    assert_eq!(downloads.len(), 1);
    assert_eq!(downloads[0].0.url, "https://n.example/chair");
    assert_eq!(downloads[0].1, "https://n.example/chair?x");
    assert_eq!(downloads[0].2, "<html>chair</html>");
    assert_eq!(
        s.backfill_claim(id, now).unwrap().unwrap().url,
        "https://n.example/untitled"
    );
    let j = s.backfill_job(id).unwrap().unwrap();
    assert_eq!((j.discovered, j.fetched, j.pending, j.failed), (3, 1, 2, 0));
    assert!(!s.backfill_finish_if_done(id, now).unwrap());

    // Stored pages are known to later jobs; so are those queued in this one.
    let other = s
        .backfill_create(
            &BackfillSpec {
                since: None,
                ..spec()
            },
            now,
        )
        .unwrap();
    let known = s
        .backfill_known_urls(
            other,
            &[
                "https://n.example/weather".into(),
                "https://n.example/chair".into(),
                "https://n.example/new".into(),
            ],
        )
        .unwrap();
    assert!(known.contains("https://n.example/weather"));
    assert!(known.contains("https://n.example/chair"));
    assert!(!known.contains("https://n.example/new"));
}

#[test]
fn transient_failures_are_retried_a_bounded_number_of_times() {
    let (_dir, mut s) = open();
    let now = Utc::now();
    let id = s.backfill_create(&spec(), now).unwrap();
    s.backfill_add_urls(
        id,
        &[(entry("https://n.example/flaky", None), Lane::Untitled)],
        now,
    )
    .unwrap();
    for attempt in 1..=BACKFILL_MAX_ATTEMPTS {
        let u = s.backfill_claim(id, now).unwrap().expect("retried");
        assert_eq!(u.attempts, attempt - 1);
        s.backfill_record_failure(u.id, "HTTP status 503", true, now)
            .unwrap();
    }
    assert!(s.backfill_claim(id, now).unwrap().is_none(), "given up");
    let j = s.backfill_job(id).unwrap().unwrap();
    assert_eq!((j.failed, j.pending), (1, 0));
    assert!(s.backfill_finish_if_done(id, now).unwrap());
    assert_eq!(s.backfill_job(id).unwrap().unwrap().state, JobState::Done);
}

#[test]
fn paused_jobs_hand_out_nothing_and_cancelled_ones_stay_cancelled() {
    let (_dir, mut s) = open();
    let now = Utc::now();
    let id = s.backfill_create(&spec(), now).unwrap();
    s.backfill_add_urls(
        id,
        &[(entry("https://n.example/a", None), Lane::Untitled)],
        now,
    )
    .unwrap();
    s.backfill_set_state(id, &[JobState::Running], JobState::Paused, now)
        .unwrap();
    assert!(s.backfill_claim(id, now).unwrap().is_none());
    assert_eq!(s.backfill_find_running(&spec()).unwrap(), None);
    s.backfill_set_state(
        id,
        &[JobState::Running, JobState::Paused],
        JobState::Cancelled,
        now,
    )
    .unwrap();
    let err = s
        .backfill_set_state(id, &[JobState::Paused], JobState::Running, now)
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidTransition { .. }), "{err}");
    assert!(err.to_string().contains("cancelled"), "{err}");
    assert!(matches!(
        s.backfill_set_state(99, &[JobState::Running], JobState::Paused, now),
        Err(StoreError::NotFound { .. })
    ));
    assert!(!s.backfill_finish_if_done(id, now).unwrap());
}

#[test]
fn one_runner_at_a_time_by_compare_and_set() {
    let (_dir, mut s) = open();
    let id = s.backfill_create(&spec(), Utc::now()).unwrap();
    assert_eq!(s.backfill_runner(id).unwrap(), None);
    assert!(s.backfill_take(id, None, 100).unwrap());
    assert!(
        !s.backfill_take(id, None, 200).unwrap(),
        "someone took it first"
    );
    assert!(
        s.backfill_take(id, Some(100), 200).unwrap(),
        "taken over from 100"
    );
    s.backfill_release(id, 100).unwrap();
    assert_eq!(
        s.backfill_runner(id).unwrap(),
        Some(200),
        "only the runner releases"
    );
    s.backfill_release(id, 200).unwrap();
    assert_eq!(s.backfill_runner(id).unwrap(), None);
}

fn change(person: &str) -> branchwatch::model::DetectedChange {
    branchwatch::model::DetectedChange {
        person: person.into(),
        role: branchwatch::model::Role::Chair,
        party: "AMANAT".into(),
        level: branchwatch::model::Level::Region,
        region: "KZ-55".into(),
        district: None,
        event: branchwatch::model::Event::Elected,
        acting: false,
        previous_role: None,
        date: NaiveDate::from_ymd_opt(2025, 3, 4),
        evidence: format!("Председателем избран {person}."),
        confidence: 0.95,
    }
}

#[test]
fn the_digest_selects_polled_changes_only() {
    use branchwatch::model::ChangeFilter;
    let (_dir, mut s) = open();
    let now = Utc::now();
    let id = s.backfill_create(&spec(), now).unwrap();
    s.backfill_add_urls(
        id,
        &[(entry("https://n.example/old", None), Lane::Untitled)],
        now,
    )
    .unwrap();
    let u = s.backfill_claim(id, now).unwrap().unwrap();
    let old = Article {
        url: u.url.clone(),
        text: "…".into(),
        ..Default::default()
    };
    let sum = s
        .backfill_record_page(u.id, &old, &[change("Серік Оспанов")], now)
        .unwrap();
    assert_eq!(sum.changes_new.len(), 1);
    assert!(s
        .undelivered_changes("daily", &ChangeFilter::default())
        .unwrap()
        .is_empty());

    // Polling reports the same event again: it merges into the history and
    // stays out of the digest; a change polling finds first is news.
    let again = Article {
        url: "https://other.example/re".into(),
        text: "…".into(),
        ..Default::default()
    };
    let sum = s
        .record_article(&again, &[change("Серік Оспанов")], now)
        .unwrap();
    assert_eq!(sum.changes_merged.len(), 1);
    let news = Article {
        url: "https://other.example/new".into(),
        text: "…".into(),
        ..Default::default()
    };
    let mut later = change("Марат Кенжебаев");
    later.date = NaiveDate::from_ymd_opt(2026, 1, 10);
    s.record_article(&news, &[later], now).unwrap();
    let mailed = s
        .undelivered_changes("daily", &ChangeFilter::default())
        .unwrap();
    assert_eq!(mailed.len(), 1);
    assert_eq!(mailed[0].person, "Марат Кенжебаев");
}
