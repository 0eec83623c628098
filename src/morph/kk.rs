//! Names in Kazakh text: strip one case suffix (after the possessive, if
//! any) from each part and keep the stem that is a known name.

use super::data::KkSuffix;
use super::text::{drop_chars, ends_with_class, fold, has_letters, is_capitalized};
use super::{Morph, Role};

#[derive(Debug, Clone)]
struct Candidate {
    nominative: String,
    role: Option<Role>,
    score: f32,
}

const TABLE: f32 = 3.0;
const MARKER: f32 = 2.0;
const GIVEN_MARKER: f32 = 1.5;
const BARE_STEM: f32 = 0.5;
const UNCHANGED: f32 = 0.2;
/// Taken off a stem reached by stripping a suffix, so that a word that is a
/// name as written wins over a shorter stem that is one too.
const STRIPPED: f32 = 0.1;

/// What `stem` (as written) is: a table name, a surname or a given-name shape.
fn classify(morph: &Morph, stem: &str) -> Option<(Role, f32)> {
    let key = fold(stem);
    let t = &morph.tables;
    if t.given_nominative.contains_key(&key) {
        return Some((Role::Given, TABLE));
    }
    let marked = |list: &[String]| {
        list.iter()
            .any(|m| key.ends_with(m.as_str()) && key.chars().count() > m.chars().count() + 1)
    };
    if marked(&t.kk_surname_markers) {
        return Some((Role::Surname, MARKER));
    }
    if marked(&t.kk_given_markers) {
        return Some((Role::Given, GIVEN_MARKER));
    }
    None
}

/// The last vowel of `stem` is back (`Some(true)`), front, or neither.
fn stem_is_back(morph: &Morph, stem: &str) -> Option<bool> {
    let t = &morph.tables;
    stem.chars().rev().find_map(|c| {
        if t.kk_back.contains(c) {
            Some(Some(true))
        } else if t.kk_front.contains(c) {
            Some(Some(false))
        } else {
            None
        }
    })?
}

/// Whether `suffix` may follow `stem` (folded): the letter before it and
/// vowel harmony.
fn suffix_fits(morph: &Morph, suffix: &KkSuffix, stem: &str) -> bool {
    let possessive = morph
        .tables
        .kk_possessive
        .iter()
        .any(|p| stem.ends_with(p.as_str()));
    let letter_ok = suffix.any
        || (suffix.after_possessive && possessive)
        || ends_with_class(stem, &suffix.after_letters);
    let harmony_ok = match (suffix.back, stem_is_back(morph, stem)) {
        (Some(want), Some(have)) => want == have,
        _ => true,
    };
    letter_ok && harmony_ok
}

fn candidates(morph: &Morph, part: &str) -> Vec<Candidate> {
    let mut out = vec![Candidate {
        nominative: part.to_owned(),
        role: None,
        score: UNCHANGED,
    }];
    if let Some((role, score)) = classify(morph, part) {
        out.push(Candidate {
            nominative: part.to_owned(),
            role: Some(role),
            score,
        });
    }
    let key = fold(part);
    for suffix in &morph.tables.kk_suffixes {
        if !key.ends_with(suffix.form.as_str()) {
            continue;
        }
        let stem = drop_chars(part, suffix.form.chars().count());
        let stem_key = fold(stem);
        if !has_letters(stem, 2) || !suffix_fits(morph, suffix, &stem_key) {
            continue;
        }
        let (role, score) = match classify(morph, stem) {
            Some((role, score)) => (Some(role), score - STRIPPED),
            None if is_capitalized(part) && has_letters(stem, 3) => (None, BARE_STEM),
            None => continue,
        };
        out.push(Candidate {
            nominative: stem.to_owned(),
            role,
            score,
        });
    }
    out
}

pub(super) fn nominative(morph: &Morph, parts: &[&str]) -> Option<String> {
    if !super::text::plausible_name(parts) {
        return None;
    }
    let picks: Vec<Candidate> = parts
        .iter()
        .filter_map(|p| {
            candidates(morph, p)
                .into_iter()
                .max_by(|a, b| a.score.total_cmp(&b.score))
        })
        .collect();
    if !picks.iter().any(|c| c.role.is_some()) {
        return None;
    }
    let mut sorted: Vec<&Candidate> = picks.iter().collect();
    sorted.sort_by_key(|c| match c.role {
        Some(Role::Given) => 0,
        Some(Role::Patronymic) => 1,
        _ => 2,
    });
    let words: Vec<&str> = sorted.iter().map(|c| c.nominative.as_str()).collect();
    Some(words.join(" "))
}
