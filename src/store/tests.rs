//! Unit tests of the store's plumbing against real SQLite files: pragmas,
//! migrations, schema checks, concurrent readers. Behaviour (merging,
//! roster, outbox) is tested in `tests/store_*.rs`.

use super::*;
use crate::model::{Article, DetectedChange, Event, Level, Role};
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 10, 12, 0, 0).unwrap()
}

fn sample() -> (Article, DetectedChange) {
    let a = Article {
        url: "https://e.kz/1".into(),
        text: "t".into(),
        ..Default::default()
    };
    let d = DetectedChange {
        person: "Куат Байгожаев".into(),
        role: Role::Chair,
        party: "amanat ".into(),
        level: Level::Region,
        region: "kz-33".into(),
        district: Some("  ".into()),
        event: Event::Elected,
        acting: false,
        previous_role: None,
        date: None,
        evidence: "e".into(),
        confidence: 0.7,
    };
    (a, d)
}

#[test]
fn migrations_are_valid() {
    schema::migrations().validate().unwrap();
}

#[test]
fn open_sets_wal_foreign_keys_and_version() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("db.sqlite")).unwrap();
    let c = s.connection();
    let mode: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = c
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
    let sync: i64 = c.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
    assert_eq!(sync, 1, "NORMAL");
    let v: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, schema::LATEST_VERSION);
    drop(s);
    // Re-opening an up-to-date database is a no-op.
    Store::open(&dir.path().join("db.sqlite")).unwrap();
}

#[test]
fn read_only_open_refuses_an_unmigrated_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE t (x INTEGER)")
        .unwrap();
    let err = Store::open_read_only(&path).err().unwrap();
    assert!(
        matches!(err, StoreError::SchemaVersion { found: 0, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("old.sqlite"));
}

#[test]
fn codes_are_normalised_and_blank_district_is_none() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("db.sqlite")).unwrap();
    let (a, d) = sample();
    s.record_article(&a, &[d], now()).unwrap();
    let c = &s.changes(&Default::default()).unwrap()[0];
    assert_eq!((c.party.as_str(), c.region.as_str()), ("AMANAT", "KZ-33"));
    assert_eq!(c.district, None);
}

#[test]
fn readers_see_committed_data_while_a_write_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let mut w = Store::open(&path).unwrap();
    let (a, d) = sample();
    w.record_article(&a, &[d], now()).unwrap();
    // Hold a write transaction open on a second connection.
    let mut other = rusqlite::Connection::open(&path).unwrap();
    let tx = other
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();
    tx.execute("UPDATE changes SET status = 'confirmed'", [])
        .unwrap();
    let r = Store::open_read_only(&path).unwrap();
    let seen = r.changes(&Default::default()).unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].status, crate::model::ReviewStatus::New);
    tx.commit().unwrap();
    assert_eq!(
        r.changes(&Default::default()).unwrap()[0].status,
        crate::model::ReviewStatus::Confirmed
    );
}

#[test]
fn timestamps_sort_as_text() {
    let a = ts(Utc.with_ymd_and_hms(2025, 1, 9, 23, 59, 59).unwrap());
    let b = ts(Utc.with_ymd_and_hms(2025, 1, 10, 0, 0, 0).unwrap());
    assert!(a < b);
    assert_eq!(
        parse_ts("x", &b).unwrap(),
        Utc.with_ymd_and_hms(2025, 1, 10, 0, 0, 0).unwrap()
    );
    assert!(parse_ts("x", "yesterday").is_err());
}
