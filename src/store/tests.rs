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

#[test]
fn v2_lists_the_person_keys_of_an_existing_log_and_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.sqlite");
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        schema::migrations().to_version(&mut conn, 1).unwrap();
        conn.execute_batch(
            "INSERT INTO changes (party, level, region, role, event, person, person_key, acting, \
             evidence, confidence, first_seen) VALUES ('AMANAT', 'region', 'KZ-33', 'chair', \
             'elected', 'Куат Байгожаев', 'baigojaev kuat', 0, 'e', 0.7, '2025-01-01T00:00:00Z');
             INSERT INTO change_sources (change_id, url, person_as_reported, person_key, acting, \
             evidence, confidence, seen_at, fingerprint) VALUES (1, 'https://e.kz/0', \
             'К. Байгожаев', 'baigojaev k', 0, 'e', 0.7, '2025-01-01T00:00:00Z', 'f0');",
        )
        .unwrap();
    }
    let keys = |s: &Store| -> Vec<String> {
        let mut st = s
            .connection()
            .prepare("SELECT key FROM person_keys ORDER BY key")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let mut s = Store::open(&path).unwrap();
    assert_eq!(keys(&s), ["baigojaev k", "baigojaev kuat"]);
    let (a, mut d) = sample();
    d.person = "Marat Bekov".into();
    d.region = "KZ-11".into();
    s.record_article(&a, &[d], now()).unwrap();
    assert_eq!(keys(&s), ["baigojaev k", "baigojaev kuat", "bekov marat"]);
    let f = crate::model::ChangeFilter {
        person: Some("К. Байгожаев".into()),
        ..Default::default()
    };
    assert_eq!(s.changes_page(&f).unwrap().0, 1, "found through the source");
}

/// The plan SQLite picks for `sql` (after the page queries' indexes).
fn plan(s: &Store, sql: &str, args: &[rusqlite::types::Value]) -> String {
    let mut st = s
        .connection()
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap();
    let rows: Vec<String> = st
        .query_map(rusqlite::params_from_iter(args.iter()), |r| r.get(3))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    rows.join("\n")
}

#[test]
fn page_queries_use_the_indexes() {
    use crate::model::ChangeFilter;
    use changes::{filter_sql, REF_DATE};
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("db.sqlite")).unwrap();
    let list = |f: &ChangeFilter| {
        let (mut wh, mut args) = (Vec::new(), Vec::new());
        filter_sql(f, &mut wh, &mut args);
        let wh = if wh.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", wh.join(" AND "))
        };
        let sql =
            format!("SELECT c.id FROM changes c {wh} ORDER BY {REF_DATE} DESC, c.id DESC LIMIT 50");
        plan(&s, &sql, &args)
    };
    let newest = list(&ChangeFilter {
        hide_rejected: true,
        ..Default::default()
    });
    assert!(newest.contains("changes_ref_date"), "{newest}");
    assert!(!newest.contains("TEMP B-TREE"), "{newest}");
    let region = list(&ChangeFilter {
        region: Some("KZ-33".into()),
        role: Some(Role::Chair),
        ..Default::default()
    });
    assert!(region.contains("(region=?)"), "{region}");
    let person = list(&ChangeFilter {
        person: Some("Куат Байгожаев".into()),
        ..Default::default()
    });
    assert!(person.contains("changes_person_key"), "{person}");
    assert!(person.contains("change_sources_person_key"), "{person}");
    assert!(!person.contains("SCAN c\n"), "{person}");
    let posts = plan(
        &s,
        &format!("SELECT c.id FROM changes c WHERE {}", web::PERSON_MATCH),
        &[rusqlite::types::Value::Text("k".into())],
    );
    assert!(posts.contains("changes_person_key"), "{posts}");
    assert!(posts.contains("change_sources_person_key"), "{posts}");
    let roster = plan(
        &s,
        &format!("SELECT c.id FROM changes c WHERE c.region = 'KZ-33' ORDER BY {REF_DATE}"),
        &[],
    );
    assert!(roster.contains("(region=?)"), "{roster}");
    // The map and the timelines count from the index alone.
    for sql in [
        format!(
            "SELECT c.region, max({REF_DATE}), count(*) FROM changes c \
             WHERE c.status <> 'rejected' GROUP BY c.region"
        ),
        format!(
            "SELECT substr({REF_DATE}, 1, 7) AS m, c.party, count(*) FROM changes c \
             WHERE c.region = 'KZ-33' AND c.status <> 'rejected' GROUP BY m, c.party"
        ),
    ] {
        let p = plan(&s, &sql, &[]);
        assert!(p.contains("COVERING INDEX changes_stats"), "{sql}: {p}");
    }
}
