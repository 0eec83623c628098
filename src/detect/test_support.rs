//! Helpers shared by the detector's unit tests (`tests*.rs`): the embedded tables,
//! running the detector on a sentence, and assertions on the changes it reports.

use super::*;
use crate::model::{DetectInput, DetectedChange, Event, Lang, Level, Role};
use chrono::NaiveDate;
use std::sync::OnceLock;

/// The embedded tables, loaded once for all tests.
pub(super) fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| Tables::embedded().expect("embedded tables parse"))
}

pub(super) fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The changes detected in `title` + `text`.
pub(super) fn detect_in(
    lang: Option<Lang>,
    title: &str,
    text: &str,
    published: Option<NaiveDate>,
) -> Vec<DetectedChange> {
    let input = DetectInput {
        title,
        text,
        lang,
        published,
    };
    detect(&input, tables())
}

#[track_caller]
pub(super) fn one(v: Vec<DetectedChange>) -> DetectedChange {
    assert_eq!(v.len(), 1, "expected exactly one change, got {v:#?}");
    v.into_iter().next().unwrap()
}

#[track_caller]
pub(super) fn check(
    c: &DetectedChange,
    person: &str,
    role: Role,
    event: Event,
    region: &str,
    level: Level,
) {
    assert_eq!(c.person, person, "{c:#?}");
    check_post(c, role, event, region, level);
}

/// [`check`] without the person.
#[track_caller]
pub(super) fn check_post(c: &DetectedChange, role: Role, event: Event, region: &str, level: Level) {
    assert_eq!(c.role, role, "{c:#?}");
    assert_eq!(c.event, event, "{c:#?}");
    assert_eq!(c.region, region, "{c:#?}");
    assert_eq!(c.level, level, "{c:#?}");
}

/// The change of exactly this person.
#[track_caller]
pub(super) fn find<'a>(v: &'a [DetectedChange], person: &str) -> &'a DetectedChange {
    v.iter()
        .find(|c| c.person == person)
        .unwrap_or_else(|| panic!("no change for {person}: {v:#?}"))
}

/// The change of a person whose name contains `surname`.
#[track_caller]
pub(super) fn find_surname<'a>(v: &'a [DetectedChange], surname: &str) -> &'a DetectedChange {
    v.iter()
        .find(|c| c.person.contains(surname))
        .unwrap_or_else(|| panic!("no change for {surname}: {v:#?}"))
}

/// One row of a phenomenon table: a text and every change it must yield, as
/// (person, role, event); nothing else may be reported.
pub(super) type Row<'a> = (Lang, &'a str, &'a [(&'a str, Role, Event)]);

/// Runs every row of a table and reports all rows that fail, not just the first.
#[track_caller]
pub(super) fn check_rows(rows: &[Row<'_>]) {
    let mut bad = Vec::new();
    for (i, (lang, text, want)) in rows.iter().enumerate() {
        let got = detect_in(Some(*lang), "", text, Some(day("2024-05-20")));
        let mut got_k: Vec<(String, Role, Event)> = got
            .iter()
            .map(|c| (c.person.clone(), c.role, c.event))
            .collect();
        let mut want_k: Vec<(String, Role, Event)> = want
            .iter()
            .map(|(p, r, e)| (p.to_string(), *r, *e))
            .collect();
        got_k.sort_by(|a, b| a.0.cmp(&b.0));
        want_k.sort_by(|a, b| a.0.cmp(&b.0));
        if got_k != want_k {
            bad.push(format!(
                "row {i}: {text}\n  want {want_k:?}\n  got  {got_k:?}"
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
