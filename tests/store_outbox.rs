//! The digest outbox against a real SQLite file: state transitions and
//! what `undelivered_changes` offers in each state.

use branchwatch::model::{Article, DetectedChange, Event, Level, ReviewStatus, Role};
use branchwatch::query::ChangeFilter;
use branchwatch::store::{OutboxState, Store, StoreError};
use chrono::{DateTime, Duration, TimeZone, Utc};

fn t(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 10, h, 0, 0).unwrap()
}

fn seeded() -> (tempfile::TempDir, Store, Vec<i64>) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("bw.sqlite")).unwrap();
    let mut ids = Vec::new();
    for (i, (person, region)) in [
        ("Куат Байгожаев", "KZ-33"),
        ("Асхат Смагулов", "KZ-19"),
        ("Ерлан Нұрланұлы", "KZ-75"),
    ]
    .into_iter()
    .enumerate()
    {
        let a = Article {
            url: format!("https://e.kz/{i}"),
            text: "x".into(),
            ..Default::default()
        };
        let d = DetectedChange {
            person: person.into(),
            role: Role::Chair,
            party: "AMANAT".into(),
            level: Level::Region,
            region: region.into(),
            district: None,
            event: Event::Elected,
            acting: false,
            previous_role: None,
            date: None,
            evidence: "e".into(),
            confidence: 0.8,
        };
        ids.push(store.record_article(&a, &[d], t(1)).unwrap().changes_new[0]);
    }
    (dir, store, ids)
}

fn undelivered(store: &Store, digest: &str) -> Vec<i64> {
    store
        .undelivered_changes(digest, &ChangeFilter::default())
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect()
}

#[test]
fn outbox_state_transitions() {
    let (_d, mut store, ids) = seeded();
    assert_eq!(undelivered(&store, "daily"), ids);

    let m1 = store
        .outbox_enqueue("daily", "<1@bw>", "Digest 1", &ids[..2], t(2))
        .unwrap();
    assert_eq!(undelivered(&store, "daily"), [ids[2]]);
    // Another digest is independent.
    assert_eq!(undelivered(&store, "weekly"), ids);

    let pending = store.outbox_pending("daily").unwrap();
    assert_eq!(pending.len(), 1);
    let p = &pending[0];
    assert_eq!(
        (p.id, p.message_id.as_str(), p.subject.as_str()),
        (m1, "<1@bw>", "Digest 1")
    );
    assert_eq!(p.change_ids, &ids[..2]);
    assert_eq!(
        (p.attempts, p.state, p.created_at),
        (0, OutboxState::Pending, t(2))
    );

    // Transient failure: stays pending, counted, retry time stored.
    store
        .outbox_mark_failed(m1, "451 try later", false, Some(t(3)), t(2))
        .unwrap();
    let p = store.outbox_pending("daily").unwrap().remove(0);
    assert_eq!(
        (p.attempts, p.next_attempt_at, p.last_error.as_deref()),
        (1, Some(t(3)), Some("451 try later"))
    );
    assert_eq!(
        undelivered(&store, "daily"),
        [ids[2]],
        "still reserved while pending"
    );

    store.outbox_mark_sent(m1, t(3)).unwrap();
    assert!(store.outbox_pending("daily").unwrap().is_empty());
    let all = store.outbox_all(Some("daily")).unwrap();
    assert_eq!(
        (all[0].state, all[0].attempts, all[0].sent_at),
        (OutboxState::Sent, 2, Some(t(3)))
    );
    assert_eq!(undelivered(&store, "daily"), [ids[2]]);

    // Final states stay final.
    let e = store.outbox_mark_sent(m1, t(4)).unwrap_err();
    assert!(matches!(e, StoreError::InvalidTransition { .. }), "{e}");
    assert!(store.outbox_mark_failed(m1, "x", true, None, t(4)).is_err());
    assert!(matches!(
        store.outbox_mark_sent(999, t(4)),
        Err(StoreError::NotFound { .. })
    ));

    // Permanent failure releases the changes for the next digest.
    let m2 = store
        .outbox_enqueue("daily", "<2@bw>", "Digest 2", &[ids[2]], t(5))
        .unwrap();
    assert!(undelivered(&store, "daily").is_empty());
    store
        .outbox_mark_failed(m2, "550 no such user", true, Some(t(9)), t(5))
        .unwrap();
    let m2row = store
        .outbox_all(None)
        .unwrap()
        .into_iter()
        .find(|m| m.id == m2)
        .unwrap();
    assert_eq!(
        (m2row.state, m2row.next_attempt_at),
        (OutboxState::Failed, None)
    );
    assert_eq!(undelivered(&store, "daily"), [ids[2]]);

    assert!(matches!(
        store.outbox_enqueue("daily", "<1@bw>", "dup", &[], t(6)),
        Err(StoreError::DuplicateMessage(_))
    ));
    // Unknown change: nothing is queued.
    assert!(store
        .outbox_enqueue("daily", "<3@bw>", "bad", &[ids[2], 4242], t(6))
        .is_err());
    assert_eq!(store.outbox_all(None).unwrap().len(), 2);
    assert_eq!(store.status_summary(t(6)).unwrap().outbox_failed, 1);
}

#[test]
fn undelivered_respects_filter_and_rejection() {
    let (_d, mut store, ids) = seeded();
    store
        .review(ids[0], ReviewStatus::Rejected, None, t(2))
        .unwrap();
    assert_eq!(undelivered(&store, "daily"), &ids[1..]);
    let f = ChangeFilter {
        region: Some("KZ-75".into()),
        ..ChangeFilter::default()
    };
    let got: Vec<i64> = store
        .undelivered_changes("daily", &f)
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(got, [ids[2]]);
    let later = ChangeFilter {
        since: Some((t(1) + Duration::days(1)).date_naive()),
        ..ChangeFilter::default()
    };
    assert!(store
        .undelivered_changes("daily", &later)
        .unwrap()
        .is_empty());
}
