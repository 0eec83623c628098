//! Names in Russian text into the nominative, choosing the gender and case
//! on which all parts agree.

use super::text::{fold, has_letters, is_capitalized, shape_like};
use super::{Case, Gender, Morph, Role};

/// One way to read one part of a name.
#[derive(Debug, Clone)]
struct Reading {
    /// The nominative, already in the shape of the input word.
    nominative: String,
    role: Option<Role>,
    /// `None`: agrees with either gender.
    gender: Option<Gender>,
    cases: [bool; 6],
    score: f32,
}

// How much each source is trusted.
const TABLE: f32 = 3.0;
const PATRONYMIC_RULE: f32 = 2.0;
const SURNAME_RULE: f32 = 1.5;
const INDECLINABLE: f32 = 1.2;
const DICTIONARY: f32 = 1.0;
const UNCHANGED: f32 = 0.1;

fn case_index(case: Case) -> usize {
    Case::ALL.iter().position(|c| *c == case).unwrap_or(0)
}

fn one_case(case: Case) -> [bool; 6] {
    let mut cases = [false; 6];
    cases[case_index(case)] = true;
    cases
}

impl Reading {
    fn fits(&self, gender: Gender, case: Case) -> bool {
        self.gender.is_none_or(|g| g == gender) && self.cases[case_index(case)]
    }
}

/// Readings from the given-name table.
fn table_readings(morph: &Morph, word: &str, key: &str, out: &mut Vec<Reading>) {
    for form in morph.tables.given_forms.get(key).into_iter().flatten() {
        out.push(Reading {
            nominative: shape_like(word, &form.nominative),
            role: Some(Role::Given),
            gender: Some(form.gender),
            cases: one_case(form.case),
            score: TABLE,
        });
    }
}

/// Readings from the open surname and patronymic endings.
fn rule_readings(morph: &Morph, word: &str, key: &str, out: &mut Vec<Reading>) {
    if !is_capitalized(word) {
        return;
    }
    let t = &morph.tables;
    for p in t.paradigms.iter().filter(|p| p.role() != Role::Given) {
        for (case, ending) in p.endings() {
            if ending.is_empty() || !key.ends_with(ending) {
                continue;
            }
            let stem = &key[..key.len() - ending.len()];
            if !has_letters(stem, 2) || !t.after_ok(p, stem) {
                continue;
            }
            let score = match p.role() {
                Role::Patronymic => PATRONYMIC_RULE,
                _ => SURNAME_RULE,
            };
            out.push(Reading {
                nominative: shape_like(word, &format!("{stem}{}", p.nom)),
                role: Some(p.role()),
                gender: Some(p.gender()),
                cases: one_case(case),
                score,
            });
        }
    }
    if t.indeclinable
        .iter()
        .any(|e| key.ends_with(e.as_str()) && key != e)
    {
        out.push(Reading {
            nominative: word.to_owned(),
            role: Some(Role::Surname),
            gender: None,
            cases: [true; 6],
            score: INDECLINABLE,
        });
    }
}

/// Readings from the OpenCorpora dictionary (Name, Surn, Patr).
fn dictionary_readings(morph: &Morph, word: &str, out: &mut Vec<Reading>) {
    for parse in morph.lemmas(word) {
        let (Some(role), Some(case)) = (parse.name, parse.case) else {
            continue;
        };
        if parse.plural {
            continue;
        }
        // OpenCorpora files feminine surnames under the masculine lemma, and
        // guesses patronymics' lemmas from the father's name («Кайратовичу» →
        // кайрат): their nominative comes from the rules instead.
        if role == Role::Patronymic || (parse.gender == Some(Gender::Femn) && role == Role::Surname)
        {
            continue;
        }
        out.push(Reading {
            nominative: shape_like(word, &parse.lemma),
            role: Some(role),
            gender: parse.gender.filter(|g| *g != Gender::Neut),
            cases: one_case(case),
            score: DICTIONARY + parse.score as f32,
        });
    }
}

fn readings(morph: &Morph, word: &str) -> Vec<Reading> {
    let key = fold(word);
    let mut out = Vec::new();
    table_readings(morph, word, &key, &mut out);
    rule_readings(morph, word, &key, &mut out);
    dictionary_readings(morph, word, &mut out);
    out.push(Reading {
        nominative: word.to_owned(),
        role: None,
        gender: None,
        cases: [true; 6],
        score: UNCHANGED,
    });
    out
}

fn best(readings: &[Reading], gender: Gender, case: Case) -> Option<&Reading> {
    readings
        .iter()
        .filter(|r| r.fits(gender, case))
        .max_by(|a, b| a.score.total_cmp(&b.score))
}

/// The readings, one per part, of the gender and case scoring highest
/// (ties: the nominative, then the earlier case, masculine first).
fn agree(all: &[Vec<Reading>]) -> Option<Vec<&Reading>> {
    let mut chosen: Option<(f32, Vec<&Reading>)> = None;
    for case in Case::ALL {
        for gender in [Gender::Masc, Gender::Femn] {
            let picks: Option<Vec<&Reading>> = all.iter().map(|r| best(r, gender, case)).collect();
            let Some(picks) = picks else { continue };
            let total: f32 = picks.iter().map(|r| r.score).sum();
            if chosen.as_ref().is_none_or(|(best, _)| total > *best + 1e-6) {
                chosen = Some((total, picks));
            }
        }
    }
    chosen.map(|(_, picks)| picks)
}

pub(super) fn nominative(morph: &Morph, parts: &[&str]) -> Option<String> {
    if !super::text::plausible_name(parts) {
        return None;
    }
    let all: Vec<Vec<Reading>> = parts.iter().map(|p| readings(morph, p)).collect();
    let picks = agree(&all)?;
    if picks.iter().all(|r| r.role.is_none()) {
        return None;
    }
    Some(ordered(&picks))
}

/// Given name first, then the patronymic, then the rest as written.
fn ordered(picks: &[&Reading]) -> String {
    let rank = |r: &Reading| match r.role {
        Some(Role::Given) => 0,
        Some(Role::Patronymic) => 1,
        _ => 2,
    };
    let mut sorted: Vec<&Reading> = picks.to_vec();
    sorted.sort_by_key(|r| rank(r));
    let words: Vec<&str> = sorted.iter().map(|r| r.nominative.as_str()).collect();
    words.join(" ")
}
