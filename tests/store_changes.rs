//! The change log against real SQLite files: merging reports across
//! scripts and days, idempotent re-processing, the roster, every filter,
//! review, audited edits and field disagreements.

mod change_fixture;

use branchwatch::model::{Article, DetectedChange, Event, Lang, Level, ReviewStatus, Role};
use branchwatch::query::{ChangeFilter, FilterParams, Resolvers, RosterFilter};
use branchwatch::store::{Store, StoreError};
use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use rusqlite::types::Value;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("bw.sqlite")).unwrap();
    (dir, store)
}

#[allow(clippy::too_many_arguments)]
fn report(
    person: &str,
    party: &str,
    level: Level,
    region: &str,
    role: Role,
    event: Event,
    date: Option<NaiveDate>,
    confidence: f32,
) -> DetectedChange {
    DetectedChange {
        person: person.to_string(),
        role,
        party: party.to_string(),
        level,
        region: region.to_string(),
        district: None,
        event,
        acting: false,
        previous_role: None,
        date,
        evidence: format!("{person}: {event} {role}"),
        confidence,
    }
}

fn chair(person: &str, event: Event, date: Option<NaiveDate>) -> DetectedChange {
    report(
        person,
        "AMANAT",
        Level::Region,
        "KZ-33",
        Role::Chair,
        event,
        date,
        0.8,
    )
}

fn article(url: &str, lang: Lang, published: DateTime<Utc>, outlet: &str) -> Article {
    Article {
        url: url.to_string(),
        canonical_url: None,
        title: Some(format!("Title of {url}")),
        text: format!("Body of {url}"),
        published: Some(published.with_timezone(&FixedOffset::east_opt(5 * 3600).unwrap())),
        lang: Some(lang),
        outlet: Some(outlet.to_string()),
    }
}

/// Three outlets, three scripts, three days: the brief's example.
fn three_reports() -> Vec<(Article, DetectedChange, DateTime<Utc>)> {
    let mut kk = chair("Қуат Байғоджаев", Event::Elected, Some(day(2025, 1, 10)));
    kk.confidence = 0.7;
    let mut ru = chair("Куат Байгожаев", Event::Elected, Some(day(2025, 1, 10)));
    ru.confidence = 0.9;
    ru.previous_role = Some("аким района".to_string());
    let mut en = chair("Kuat Baigodzhayev", Event::Elected, Some(day(2025, 1, 9)));
    en.confidence = 0.6;
    vec![
        (
            article(
                "https://azattyq-ruhy.kz/kk/1",
                Lang::Kk,
                at(2025, 1, 10, 9),
                "Azattyq Ruhy",
            ),
            kk,
            at(2025, 1, 10, 12),
        ),
        (
            article(
                "https://www.inform.kz/ru/2",
                Lang::Ru,
                at(2025, 1, 11, 9),
                "Kazinform",
            ),
            ru,
            at(2025, 1, 11, 12),
        ),
        (
            article(
                "https://amanat.kz/en/3",
                Lang::En,
                at(2025, 1, 12, 9),
                "AMANAT",
            ),
            en,
            at(2025, 1, 12, 12),
        ),
    ]
}

fn all(store: &Store) -> Vec<branchwatch::model::ChangeRecord> {
    store.changes(&ChangeFilter::default()).unwrap()
}

/// Every row of every table, as text, for comparing database states.
fn dump(store: &Store) -> Vec<(String, Vec<Vec<String>>)> {
    let conn = store.connection();
    let mut st = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap();
    let tables: Vec<String> = st
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    tables
        .into_iter()
        .map(|t| {
            let mut st = conn
                .prepare(&format!("SELECT * FROM \"{t}\" ORDER BY rowid"))
                .unwrap();
            let n = st.column_count();
            let rows: Vec<Vec<String>> = st
                .query_map([], |r| {
                    Ok((0..n)
                        .map(|i| format!("{:?}", r.get::<_, Value>(i).unwrap()))
                        .collect())
                })
                .unwrap()
                .map(Result::unwrap)
                .collect();
            (t, rows)
        })
        .collect()
}

#[test]
fn same_change_in_kk_ru_en_over_three_days_is_one_change_with_three_sources() {
    let (_d, mut store) = open();
    for (a, c, now) in three_reports() {
        store.record_article(&a, &[c], now).unwrap();
    }
    let changes = all(&store);
    assert_eq!(changes.len(), 1, "{changes:#?}");
    let c = &changes[0];
    assert_eq!(c.sources.len(), 3);
    let spellings: Vec<&str> = c
        .sources
        .iter()
        .map(|s| s.person_as_reported.as_str())
        .collect();
    assert_eq!(
        spellings,
        ["Қуат Байғоджаев", "Куат Байгожаев", "Kuat Baigodzhayev"]
    );
    // Two sources say the 10th, one the 9th: majority wins.
    assert_eq!(c.date, Some(day(2025, 1, 10)));
    // All spellings differ: highest confidence (the Russian report) names it.
    assert_eq!(c.person, "Куат Байгожаев");
    assert!((c.confidence - 0.9).abs() < 1e-6);
    assert_eq!(c.first_seen, at(2025, 1, 10, 12));
    assert_eq!(c.previous_role.as_deref(), Some("аким района"));
    assert_eq!(c.sources[1].outlet.as_deref(), Some("Kazinform"));
    assert_eq!(c.sources[2].lang, Some(Lang::En));

    let detail = store.change(c.id).unwrap().unwrap();
    let date = detail
        .disagreements
        .iter()
        .find(|d| d.field == "date")
        .expect("date disagreement visible");
    assert_eq!(date.chosen.as_deref(), Some("2025-01-10"));
    assert_eq!(date.values.len(), 2);
    let nine = date
        .values
        .iter()
        .find(|v| v.value.as_deref() == Some("2025-01-09"))
        .unwrap();
    assert_eq!(nine.urls, ["https://amanat.kz/en/3"]);
    assert!(
        !detail.disagreements.iter().any(|d| d.field == "person"),
        "the spellings fold to one key: {:?}",
        detail.disagreements
    );
    assert_eq!(detail.source_fields.len(), 3);
    assert_eq!(detail.source_fields[2].date, Some(day(2025, 1, 9)));
}

#[test]
fn reprocessing_the_same_articles_changes_nothing() {
    let (_d, mut store) = open();
    for (a, c, now) in three_reports() {
        let s = store.record_article(&a, &[c], now).unwrap();
        assert_eq!(s.articles_new, 1);
    }
    let before = dump(&store);
    assert!(before
        .iter()
        .any(|(t, rows)| t == "change_sources" && rows.len() == 3));
    // Again, days later, and in a different order.
    let mut again = three_reports();
    again.reverse();
    for (a, c, _) in again {
        let s = store.record_article(&a, &[c], at(2025, 2, 1, 0)).unwrap();
        assert_eq!(s.articles_new, 0);
        assert_eq!(s.sources_duplicate, 1);
        assert!(s.changes_new.is_empty() && s.changes_merged.is_empty());
    }
    assert_eq!(dump(&store), before);
}

#[test]
fn processing_in_a_different_order_gives_the_same_change() {
    let (_d1, mut a) = open();
    let (_d2, mut b) = open();
    for (art, c, now) in three_reports() {
        a.record_article(&art, &[c], now).unwrap();
    }
    let mut rev = three_reports();
    rev.reverse();
    for (art, c, now) in rev {
        b.record_article(&art, &[c], now).unwrap();
    }
    let (ca, cb) = (&all(&a)[0], &all(&b)[0]);
    assert_eq!(
        (ca.date, &ca.person, ca.confidence),
        (cb.date, &cb.person, cb.confidence)
    );
    assert_eq!(ca.first_seen, cb.first_seen);
}

#[test]
fn different_person_post_event_or_time_stays_separate() {
    let (_d, mut store) = open();
    let base = chair("Куат Байгожаев", Event::Elected, Some(day(2025, 1, 10)));
    let mut other_region = base.clone();
    other_region.region = "KZ-19".into();
    let mut other_district = base.clone();
    other_district.district = Some("Kaskelen".into());
    let other_person = chair("Асхат Смагулов", Event::Elected, Some(day(2025, 1, 10)));
    let other_event = chair("Куат Байгожаев", Event::Dismissed, Some(day(2025, 1, 10)));
    let much_later = chair("Куат Байгожаев", Event::Elected, Some(day(2025, 4, 10)));
    let now = at(2025, 4, 11, 0);
    for (i, c) in [
        base,
        other_region,
        other_district,
        other_person,
        other_event,
        much_later,
    ]
    .into_iter()
    .enumerate()
    {
        let a = article(&format!("https://e.kz/{i}"), Lang::Ru, now, "E");
        store.record_article(&a, &[c], now).unwrap();
    }
    assert_eq!(all(&store).len(), 6);
}

#[test]
fn merge_window_is_configurable_and_falls_back_to_first_seen() {
    let (_d, mut store) = open();
    store.set_merge_window_days(5);
    assert_eq!(store.merge_window_days(), 5);
    let a1 = article("https://e.kz/a", Lang::Ru, at(2025, 3, 1, 0), "E");
    let a2 = article("https://e.kz/b", Lang::Ru, at(2025, 3, 4, 0), "E");
    let a3 = article("https://e.kz/c", Lang::Ru, at(2025, 3, 20, 0), "E");
    // No event dates: publication dates decide; 3 days apart merges, 16 does not.
    let c = chair("Kuat Baigozhaev", Event::Appointed, None);
    store
        .record_article(&a1, std::slice::from_ref(&c), at(2025, 3, 1, 1))
        .unwrap();
    store
        .record_article(&a2, std::slice::from_ref(&c), at(2025, 3, 4, 1))
        .unwrap();
    let s = store.record_article(&a3, &[c], at(2025, 3, 20, 1)).unwrap();
    assert_eq!(s.changes_new.len(), 1);
    let changes = all(&store);
    assert_eq!(changes.len(), 2);
    assert_eq!(changes.iter().map(|c| c.sources.len()).sum::<usize>(), 3);
}

#[test]
fn same_article_reporting_two_changes_keeps_both() {
    let (_d, mut store) = open();
    let a = article("https://e.kz/x", Lang::Ru, at(2025, 5, 1, 0), "E");
    let out = chair("Асхат Смагулов", Event::Dismissed, Some(day(2025, 5, 1)));
    let inn = chair("Куат Байгожаев", Event::Elected, Some(day(2025, 5, 1)));
    let s = store
        .record_article(&a, &[out, inn], at(2025, 5, 1, 1))
        .unwrap();
    assert_eq!(s.changes_new.len(), 2);
    let again = store
        .record_article(
            &a,
            &[chair(
                "Куат Байгожаев",
                Event::Elected,
                Some(day(2025, 5, 1)),
            )],
            at(2025, 5, 2, 0),
        )
        .unwrap();
    assert_eq!(again.sources_duplicate, 1);
    assert_eq!(all(&store).len(), 2);
}

fn roster_holder(store: &Store) -> (Option<String>, Option<String>, Option<NaiveDate>) {
    let r = store.roster(&RosterFilter::default()).unwrap();
    assert_eq!(r.len(), 1, "{r:#?}");
    (r[0].holder.clone(), r[0].predecessor.clone(), r[0].since)
}

#[test]
fn roster_follows_elected_replaced_dismissed_elected() {
    let (_d, mut store) = open();
    let steps = [
        ("Асхат Смагулов", Event::Elected, day(2024, 1, 10)),
        ("Куат Байгожаев", Event::Elected, day(2024, 6, 1)),
        ("Куат Байгожаев", Event::Dismissed, day(2024, 9, 1)),
        ("Ерлан Нұрланұлы", Event::Appointed, day(2024, 10, 1)),
    ];
    let expected = [
        (Some("Асхат Смагулов"), None, day(2024, 1, 10)),
        (
            Some("Куат Байгожаев"),
            Some("Асхат Смагулов"),
            day(2024, 6, 1),
        ),
        (None, Some("Куат Байгожаев"), day(2024, 9, 1)),
        (
            Some("Ерлан Нұрланұлы"),
            Some("Куат Байгожаев"),
            day(2024, 10, 1),
        ),
    ];
    for (i, ((p, e, d), (h, pred, since))) in steps.iter().zip(expected).enumerate() {
        let a = article(
            &format!("https://e.kz/r{i}"),
            Lang::Ru,
            d.and_hms_opt(8, 0, 0).unwrap().and_utc(),
            "E",
        );
        store
            .record_article(
                &a,
                &[chair(p, *e, Some(*d))],
                d.and_hms_opt(9, 0, 0).unwrap().and_utc(),
            )
            .unwrap();
        let got = roster_holder(&store);
        assert_eq!(
            got,
            (h.map(String::from), pred.map(String::from), Some(since)),
            "step {i}"
        );
    }
    // Re-election keeps the holder and the date they took the post.
    let a = article("https://e.kz/r9", Lang::En, at(2025, 2, 1, 0), "E");
    store
        .record_article(
            &a,
            &[chair(
                "Yerlan Nurlanuly",
                Event::ReElected,
                Some(day(2025, 2, 1)),
            )],
            at(2025, 2, 1, 1),
        )
        .unwrap();
    let r = store.roster(&RosterFilter::default()).unwrap();
    assert_eq!(r[0].holder.as_deref(), Some("Ерлан Нұрланұлы"));
    assert_eq!(r[0].since, Some(day(2024, 10, 1)));
    assert_eq!(r[0].change_ids.len(), 2);
    assert_eq!(r[0].sources, ["https://e.kz/r3", "https://e.kz/r9"]);
}

#[test]
fn roster_orders_by_event_date_not_arrival() {
    let (_d, mut store) = open();
    let now = at(2025, 1, 1, 0);
    // Arrives first but happened last.
    let late = chair("Ерлан Нұрланұлы", Event::Elected, Some(day(2024, 10, 1)));
    let early = chair("Асхат Смагулов", Event::Elected, Some(day(2024, 1, 10)));
    store
        .record_article(&article("https://e.kz/1", Lang::Ru, now, "E"), &[late], now)
        .unwrap();
    store
        .record_article(
            &article("https://e.kz/2", Lang::Ru, now, "E"),
            &[early],
            now,
        )
        .unwrap();
    assert_eq!(
        roster_holder(&store),
        (
            Some("Ерлан Нұрланұлы".into()),
            Some("Асхат Смагулов".into()),
            Some(day(2024, 10, 1))
        )
    );
}

#[test]
fn rejecting_a_change_removes_it_from_roster_and_undelivered() {
    let (_d, mut store) = open();
    let now = at(2025, 1, 1, 0);
    store
        .record_article(
            &article("https://e.kz/1", Lang::Ru, now, "E"),
            &[chair(
                "Асхат Смагулов",
                Event::Elected,
                Some(day(2024, 1, 10)),
            )],
            now,
        )
        .unwrap();
    let s = store
        .record_article(
            &article("https://e.kz/2", Lang::Ru, now, "E"),
            &[chair(
                "Куат Байгожаев",
                Event::Elected,
                Some(day(2024, 6, 1)),
            )],
            now,
        )
        .unwrap();
    let wrong = s.changes_new[0];
    assert_eq!(
        store
            .undelivered_changes("daily", &ChangeFilter::default())
            .unwrap()
            .len(),
        2
    );
    store
        .review(
            wrong,
            ReviewStatus::Rejected,
            Some("misread: deputy"),
            at(2025, 1, 2, 0),
        )
        .unwrap();
    assert_eq!(roster_holder(&store).0.as_deref(), Some("Асхат Смагулов"));
    let und = store
        .undelivered_changes("daily", &ChangeFilter::default())
        .unwrap();
    assert_eq!(und.iter().map(|c| c.id).collect::<Vec<_>>(), [wrong - 1]);
    let d = store.change(wrong).unwrap().unwrap();
    assert_eq!(d.record.status, ReviewStatus::Rejected);
    assert_eq!(d.reviews.len(), 1);
    assert_eq!(d.reviews[0].previous_status, ReviewStatus::New);
    assert_eq!(d.reviews[0].note.as_deref(), Some("misread: deputy"));
    // A later report of the rejected change stays rejected, merged into it.
    let again = store
        .record_article(
            &article("https://e.kz/3", Lang::Kk, now, "E"),
            &[chair(
                "Қуат Байғожаев",
                Event::Elected,
                Some(day(2024, 6, 1)),
            )],
            at(2025, 1, 3, 0),
        )
        .unwrap();
    assert_eq!(again.changes_merged, [wrong]);
    assert_eq!(roster_holder(&store).0.as_deref(), Some("Асхат Смагулов"));
    // Confirming brings it back.
    store
        .review(wrong, ReviewStatus::Confirmed, None, at(2025, 1, 4, 0))
        .unwrap();
    assert_eq!(roster_holder(&store).0.as_deref(), Some("Куат Байгожаев"));
    assert_eq!(store.change(wrong).unwrap().unwrap().reviews.len(), 2);
    assert!(matches!(
        store.review(999, ReviewStatus::Confirmed, None, now),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn edits_are_audited_validated_and_survive_new_sources() {
    let (_d, mut store) = open();
    let reports = three_reports();
    let (a, c, now) = &reports[0];
    let id = store
        .record_article(a, std::slice::from_ref(c), *now)
        .unwrap()
        .changes_new[0];
    store
        .edit(
            id,
            "person",
            "Kuat Baigozhaev",
            Some("Latin for the digest"),
            at(2025, 1, 10, 13),
        )
        .unwrap();
    store
        .edit(id, "date", "2025-01-08", None, at(2025, 1, 10, 14))
        .unwrap();
    store
        .edit(id, "acting", "yes", None, at(2025, 1, 10, 15))
        .unwrap();
    // More sources arrive; the edited values stay.
    for (a, c, now) in &reports[1..] {
        store
            .record_article(a, std::slice::from_ref(c), *now)
            .unwrap();
    }
    let d = store.change(id).unwrap().unwrap();
    assert_eq!(d.record.sources.len(), 3);
    assert_eq!(d.record.person, "Kuat Baigozhaev");
    assert_eq!(d.record.date, Some(day(2025, 1, 8)));
    assert!(d.record.acting);
    assert_eq!(d.edits.len(), 3);
    assert_eq!(d.edits[0].field, "person");
    assert_eq!(d.edits[0].old_value.as_deref(), Some("Қуат Байғоджаев"));
    assert_eq!(d.edits[0].new_value.as_deref(), Some("Kuat Baigozhaev"));
    assert_eq!(d.edits[0].note.as_deref(), Some("Latin for the digest"));
    assert_eq!(d.edits[1].old_value.as_deref(), Some("2025-01-10"));
    assert_eq!(d.edits[2].old_value.as_deref(), Some("false"));
    // Identity fields can be corrected too, and clearing works.
    store
        .edit(id, "role", "deputy_chair", None, at(2025, 1, 11, 0))
        .unwrap();
    store
        .edit(id, "date", "", Some("unknown"), at(2025, 1, 11, 1))
        .unwrap();
    let r = store.change(id).unwrap().unwrap().record;
    assert_eq!(r.role, Role::DeputyChair);
    assert_eq!(r.date, None);

    let e = store.edit(id, "colour", "red", None, *now).unwrap_err();
    assert!(matches!(e, StoreError::UnknownField { .. }));
    assert!(e.to_string().contains("colour"), "{e}");
    for (field, value) in [
        ("role", "mayor"),
        ("date", "10.01.2025"),
        ("region", "Almaty"),
        ("acting", "perhaps"),
        ("person", "..."),
    ] {
        let e = store.edit(id, field, value, None, *now).unwrap_err();
        assert!(e.to_string().contains(value), "{field}: {e}");
        assert!(e.to_string().contains(field), "{field}: {e}");
    }
    assert_eq!(store.change(id).unwrap().unwrap().edits.len(), 5);
    assert!(store.edit(4242, "person", "X Y", None, *now).is_err());
}

#[test]
fn person_disagreement_is_shown_when_keys_differ() {
    let (_d, mut store) = open();
    let now = at(2025, 1, 1, 0);
    let a = chair("Куат Байгожаев", Event::Elected, Some(day(2025, 1, 1)));
    // A one-letter typo still matches but is a different key.
    let b = chair("Куат Байгожаеб", Event::Elected, Some(day(2025, 1, 1)));
    store
        .record_article(
            &article("https://e.kz/1", Lang::Ru, now, "E"),
            std::slice::from_ref(&a),
            now,
        )
        .unwrap();
    store
        .record_article(&article("https://e.kz/2", Lang::Ru, now, "E"), &[b], now)
        .unwrap();
    store
        .record_article(&article("https://e.kz/3", Lang::Ru, now, "E"), &[a], now)
        .unwrap();
    let c = &all(&store)[0];
    assert_eq!(c.sources.len(), 3);
    assert_eq!(c.person, "Куат Байгожаев");
    let d = store.change(c.id).unwrap().unwrap();
    let p = d
        .disagreements
        .iter()
        .find(|d| d.field == "person")
        .unwrap();
    assert_eq!(p.values.len(), 2);
}

/// The seven shared seed changes (tests/change_fixture), one article each.
fn seed_for_filters(store: &mut Store) -> Vec<i64> {
    let now = at(2025, 6, 1, 0);
    let mut ids = Vec::new();
    for (i, seed) in change_fixture::SEVEN.iter().enumerate() {
        let a = article(&format!("https://f.kz/{i}"), Lang::Ru, now, "F");
        let evidence = format!("{}: {} {}", seed.person, seed.event, seed.role);
        let s = store
            .record_article(&a, &[seed.detected(evidence, 0.9)], now)
            .unwrap();
        ids.push(s.changes_new[0]);
    }
    ids
}

fn ids_for(store: &Store, set: &[(&str, &str)]) -> Vec<i64> {
    let mut p = FilterParams::default();
    for (k, v) in set {
        p.set(k, v.to_string()).unwrap();
    }
    let f = ChangeFilter::parse(&p, &Resolvers::codes_only()).unwrap();
    let mut ids: Vec<i64> = store.changes(&f).unwrap().iter().map(|c| c.id).collect();
    ids.sort();
    ids
}

#[test]
fn every_filter_selects_the_right_changes() {
    let (_d, mut store) = open();
    let ids = seed_for_filters(&mut store);
    let pick = |is: &[usize]| is.iter().map(|&i| ids[i]).collect::<Vec<_>>();
    assert_eq!(ids_for(&store, &[]).len(), 7);
    assert_eq!(ids_for(&store, &[("party", "amanat")]), pick(&[0, 1, 3]));
    assert_eq!(ids_for(&store, &[("region", "KZ-19")]), pick(&[2, 3]));
    assert_eq!(ids_for(&store, &[("level", "city")]), pick(&[4, 5]));
    assert_eq!(ids_for(&store, &[("role", "chair")]), pick(&[0, 1, 2]));
    assert_eq!(ids_for(&store, &[("event", "elected")]), pick(&[0, 2, 6]));
    assert_eq!(ids_for(&store, &[("event", "re-elected")]), pick(&[4]));
    // Person: any spelling, substring of the folded key.
    assert_eq!(ids_for(&store, &[("person", "Baigozhayev")]), pick(&[0, 6]));
    assert_eq!(ids_for(&store, &[("person", "Қуат Байғож")]), pick(&[0]));
    assert_eq!(ids_for(&store, &[("person", "bekov marat")]), pick(&[5]));
    // Dates: event date, else first-seen date (2025-06-01 for the undated one).
    assert_eq!(
        ids_for(&store, &[("since", "2025-02-01")]),
        pick(&[2, 3, 4, 5])
    );
    assert_eq!(ids_for(&store, &[("until", "2025-01-09")]), pick(&[1, 6]));
    assert_eq!(
        ids_for(&store, &[("since", "2025-01-10"), ("until", "2025-03-01")]),
        pick(&[0, 2, 3])
    );
    // Combined.
    assert_eq!(
        ids_for(
            &store,
            &[
                ("party", "AMANAT"),
                ("region", "KZ-33"),
                ("event", "elected")
            ]
        ),
        pick(&[0])
    );

    store
        .review(ids[2], ReviewStatus::Confirmed, None, at(2025, 6, 2, 0))
        .unwrap();
    store
        .review(ids[3], ReviewStatus::Rejected, None, at(2025, 6, 2, 0))
        .unwrap();
    assert_eq!(ids_for(&store, &[("status", "confirmed")]), pick(&[2]));
    assert_eq!(ids_for(&store, &[("status", "rejected")]), pick(&[3]));
    assert_eq!(ids_for(&store, &[("status", "new")]).len(), 5);
}

#[test]
fn limit_and_offset_page_newest_first() {
    let (_d, mut store) = open();
    let ids = seed_for_filters(&mut store);
    let f = |limit: usize, offset: usize| ChangeFilter {
        limit: Some(limit),
        offset: Some(offset),
        ..ChangeFilter::default()
    };
    let page1: Vec<i64> = store
        .changes(&f(3, 0))
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    let page2: Vec<i64> = store
        .changes(&f(3, 3))
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    let page3: Vec<i64> = store
        .changes(&f(3, 6))
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    // Newest by event date (else first seen): undated one (first seen 2025-06-01) first.
    assert_eq!(page1, [ids[5], ids[4], ids[3]]);
    assert_eq!(page2, [ids[2], ids[0], ids[1]]);
    assert_eq!(page3, [ids[6]]);
    let only_offset = ChangeFilter {
        offset: Some(5),
        ..ChangeFilter::default()
    };
    assert_eq!(store.changes(&only_offset).unwrap().len(), 2);
}

#[test]
fn roster_filters_by_party_region_level() {
    let (_d, mut store) = open();
    seed_for_filters(&mut store);
    let all = store.roster(&RosterFilter::default()).unwrap();
    assert_eq!(all.len(), 6, "{all:#?}");
    let amanat = store
        .roster(&RosterFilter::parse(Some("AMANAT"), None, None, &Resolvers::codes_only()).unwrap())
        .unwrap();
    assert_eq!(amanat.len(), 2);
    let kz33 = store
        .roster(
            &RosterFilter::parse(
                Some("AMANAT"),
                Some("KZ-33"),
                Some("region"),
                &Resolvers::codes_only(),
            )
            .unwrap(),
        )
        .unwrap();
    assert_eq!(kz33.len(), 1);
    // Dismissal (9th) before the election (10th): Байгожаев holds it.
    assert_eq!(kz33[0].holder.as_deref(), Some("Куат Байгожаев"));
    assert_eq!(kz33[0].predecessor.as_deref(), Some("Асхат Смагулов"));
    let city = store
        .roster(&RosterFilter::parse(None, None, Some("city"), &Resolvers::codes_only()).unwrap())
        .unwrap();
    assert_eq!(city.len(), 2);
    let resigned = city.iter().find(|e| e.party == "RESPUBLICA").unwrap();
    assert_eq!(resigned.holder, None);
    assert_eq!(resigned.predecessor.as_deref(), Some("Marat Bekov"));
}

#[test]
fn read_only_store_reads_and_refuses_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bw.sqlite");
    let mut w = Store::open(&path).unwrap();
    for (a, c, now) in three_reports() {
        w.record_article(&a, &[c], now).unwrap();
    }
    drop(w);
    let mut r = Store::open_read_only(&path).unwrap();
    assert_eq!(all(&r).len(), 1);
    assert!(r
        .review(1, ReviewStatus::Confirmed, None, at(2025, 2, 1, 0))
        .is_err());
    assert!(Store::open_read_only(&dir.path().join("missing.sqlite")).is_err());
    assert!(Store::open(&dir.path().join("no/such/dir/x.sqlite")).is_err());
}

/// The person page's paged posts and summary, and a name-filtered list
/// page, agree with the whole unpaged lists they replace.
#[test]
fn person_pages_and_name_filtered_pages_match_the_whole_lists() {
    let (_d, mut store) = open();
    let names = ["Қуат Байғоджаев", "Куат Байгожаев", "Kuat Baigodzhayev"];
    let regions = [
        "KZ-33", "KZ-11", "KZ-15", "KZ-19", "KZ-23", "KZ-27", "KZ-31",
    ];
    for (i, region) in regions.iter().enumerate() {
        let d = report(
            names[i % 3],
            "AMANAT",
            Level::Region,
            region,
            Role::Chair,
            Event::Elected,
            Some(day(2024, 1 + i as u32, 1)),
            0.8,
        );
        let a = article(
            &format!("https://e.kz/{i}"),
            Lang::Kk,
            at(2024, 1, 1, 0),
            "E",
        );
        store.record_article(&a, &[d], at(2025, 1, 1, 0)).unwrap();
    }
    let other = report(
        "Марат Беков",
        "AMANAT",
        Level::Region,
        "KZ-35",
        Role::Chair,
        Event::Elected,
        Some(day(2024, 3, 1)),
        0.8,
    );
    let a = article("https://e.kz/other", Lang::Kk, at(2024, 1, 1, 0), "E");
    store
        .record_article(&a, &[other], at(2025, 1, 1, 0))
        .unwrap();

    let key = branchwatch::store::person::key(names[0]);
    let all = store.person_posts(&key, None, 0).unwrap();
    assert_eq!(all.len(), regions.len());
    let mut paged = Vec::new();
    for page in 0..3 {
        paged.extend(store.person_posts(&key, Some(3), page * 3).unwrap());
    }
    assert_eq!(paged, all);
    let summary = store.person_summary(&key).unwrap();
    assert_eq!(summary.total, all.len() as i64);
    assert_eq!(
        summary.latest.as_deref(),
        all.last().map(|p| p.person.as_str())
    );
    let mut spellings: Vec<String> = Vec::new();
    for p in &all {
        for s in &p.spellings {
            if !spellings.contains(s) {
                spellings.push(s.clone());
            }
        }
    }
    assert_eq!(summary.spellings, spellings);

    for limit in [2, 5, 50] {
        for offset in [0, 2, 6, 9] {
            let f = ChangeFilter {
                person: Some("Kuat".into()),
                limit: Some(limit),
                offset: Some(offset),
                ..ChangeFilter::default()
            };
            let (total, rows) = store.changes_page(&f).unwrap();
            assert_eq!(total, store.count_changes(&f).unwrap());
            assert_eq!(total, regions.len() as i64);
            assert_eq!(rows, store.changes(&f).unwrap());
        }
    }
}
