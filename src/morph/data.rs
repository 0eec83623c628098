//! `data/lang/names.toml`: the given-name table and the endings used to put
//! names into the nominative, parsed once into lookup tables.

use std::collections::HashMap;

use serde::Deserialize;

use super::text::{ends_with_class, fold};
use super::{Case, Gender, MorphError, Role};

const NAMES_TOML: &str = include_str!("../../data/lang/names.toml");

#[derive(Deserialize)]
struct File {
    given: Given,
    ru: Ru,
    kk: Kk,
}

#[derive(Deserialize)]
struct Given {
    male: Vec<String>,
    female: Vec<String>,
}

#[derive(Deserialize)]
struct Ru {
    paradigm: Vec<Paradigm>,
    consonants: String,
    indeclinable_endings: Vec<String>,
}

/// One Russian declension pattern of `names.toml`, endings folded.
#[derive(Deserialize, Debug, Clone)]
pub(crate) struct Paradigm {
    pub role: String,
    pub gender: String,
    pub nom: String,
    #[serde(default)]
    pub after: Option<String>,
    #[serde(default)]
    pub gent: Vec<String>,
    #[serde(default)]
    pub datv: Vec<String>,
    #[serde(default)]
    pub accs: Vec<String>,
    #[serde(default)]
    pub ablt: Vec<String>,
    #[serde(default)]
    pub loct: Vec<String>,
}

impl Paradigm {
    /// `(case, ending)` pairs including the nominative ending itself.
    pub fn endings(&self) -> impl Iterator<Item = (Case, &str)> {
        let nom = std::iter::once((Case::Nomn, self.nom.as_str()));
        let lists = [
            (Case::Gent, &self.gent),
            (Case::Datv, &self.datv),
            (Case::Accs, &self.accs),
            (Case::Ablt, &self.ablt),
            (Case::Loct, &self.loct),
        ];
        nom.chain(
            lists
                .into_iter()
                .flat_map(|(case, list)| list.iter().map(move |e| (case, e.as_str()))),
        )
    }

    pub fn role(&self) -> Role {
        match self.role.as_str() {
            "patr" => Role::Patronymic,
            "surn" => Role::Surname,
            _ => Role::Given,
        }
    }

    pub fn gender(&self) -> Gender {
        if self.gender == "f" {
            Gender::Femn
        } else {
            Gender::Masc
        }
    }
}

#[derive(Deserialize)]
struct Kk {
    surname_markers: Vec<String>,
    given_markers: Vec<String>,
    possessive: Vec<String>,
    class: HashMap<String, String>,
    suffix: Vec<KkSuffixRaw>,
}

#[derive(Deserialize)]
struct KkSuffixRaw {
    /// Documentation of the row only (gen, dat, ...).
    #[allow(dead_code)]
    case: String,
    forms: Vec<String>,
    after: String,
    #[serde(default)]
    harmony: Option<String>,
}

/// One Kazakh case ending with the stems it may follow.
#[derive(Debug, Clone)]
pub(crate) struct KkSuffix {
    pub form: String,
    /// Letters one of which must end the stem ("poss" is handled apart).
    pub after_letters: String,
    pub after_possessive: bool,
    pub any: bool,
    /// Some(true) = back-vowel form, Some(false) = front, None = either.
    pub back: Option<bool>,
}

/// A name of the table in one case.
#[derive(Debug, Clone)]
pub(crate) struct GivenForm {
    /// The nominative, lower case, as written in the table.
    pub nominative: String,
    pub gender: Gender,
    pub case: Case,
}

/// Everything `names.toml` holds, in the shape the lookups need.
#[derive(Debug)]
pub(crate) struct Tables {
    /// Folded form of a table name (any case) -> readings.
    pub given_forms: HashMap<String, Vec<GivenForm>>,
    /// Folded nominative (Russian or Kazakh spelling) -> gender.
    pub given_nominative: HashMap<String, Gender>,
    pub paradigms: Vec<Paradigm>,
    pub consonants: String,
    pub indeclinable: Vec<String>,
    pub kk_surname_markers: Vec<String>,
    pub kk_given_markers: Vec<String>,
    pub kk_possessive: Vec<String>,
    pub kk_front: String,
    pub kk_back: String,
    /// Longest forms first.
    pub kk_suffixes: Vec<KkSuffix>,
}

fn folded(list: Vec<String>) -> Vec<String> {
    list.iter().map(|s| fold(s)).collect()
}

impl Tables {
    pub fn load() -> Result<Tables, MorphError> {
        let file: File =
            toml::from_str(NAMES_TOML).map_err(|e| MorphError::Names(e.to_string()))?;
        let mut paradigms = file.ru.paradigm;
        for p in &mut paradigms {
            p.nom = fold(&p.nom);
            for list in [
                &mut p.gent,
                &mut p.datv,
                &mut p.accs,
                &mut p.ablt,
                &mut p.loct,
            ] {
                *list = folded(std::mem::take(list));
            }
        }
        let kk_suffixes = kk_suffixes(file.kk.suffix, &file.kk.class)?;
        let class = |name: &str| file.kk.class.get(name).cloned().unwrap_or_default();
        let mut tables = Tables {
            given_forms: HashMap::new(),
            given_nominative: HashMap::new(),
            paradigms,
            consonants: file.ru.consonants,
            indeclinable: folded(file.ru.indeclinable_endings),
            kk_surname_markers: folded(file.kk.surname_markers),
            kk_given_markers: folded(file.kk.given_markers),
            kk_possessive: folded(file.kk.possessive),
            kk_front: class("front"),
            kk_back: class("back"),
            kk_suffixes,
        };
        for (list, gender) in [
            (&file.given.male, Gender::Masc),
            (&file.given.female, Gender::Femn),
        ] {
            for entry in list {
                for spelling in entry.split('|').map(str::trim).filter(|s| !s.is_empty()) {
                    tables.add_given(spelling, gender);
                }
            }
        }
        Ok(tables)
    }

    /// Adds a table name and its Russian case forms.
    fn add_given(&mut self, name: &str, gender: Gender) {
        let lower = name.to_lowercase();
        let key = fold(&lower);
        self.given_nominative.entry(key.clone()).or_insert(gender);
        let paradigm = self
            .paradigms
            .iter()
            .filter(|p| p.role() == Role::Given && p.gender() == gender)
            .filter(|p| key.ends_with(&p.nom) && self.after_ok(p, &key[..key.len() - p.nom.len()]))
            .max_by_key(|p| p.nom.chars().count());
        let mut forms: Vec<(Case, String)> = vec![(Case::Nomn, key.clone())];
        if let Some(p) = paradigm.filter(|p| p.endings().count() > 1) {
            let stem = &key[..key.len() - p.nom.len()];
            forms.extend(p.endings().map(|(case, e)| (case, format!("{stem}{e}"))));
        } else {
            // Indeclinable: the one form stands for every case.
            forms.extend(Case::OBLIQUE.iter().map(|c| (*c, key.clone())));
        }
        for (case, form) in forms {
            let readings = self.given_forms.entry(form).or_default();
            let reading = GivenForm {
                nominative: lower.clone(),
                gender,
                case,
            };
            if !readings
                .iter()
                .any(|r| r.nominative == lower && r.case == case && r.gender == gender)
            {
                readings.push(reading);
            }
        }
    }

    /// Whether `stem` may carry the endings of paradigm `p` (its `after` rule).
    pub fn after_ok(&self, p: &Paradigm, stem: &str) -> bool {
        match p.after.as_deref() {
            None => true,
            Some("consonant") => ends_with_class(stem, &self.consonants),
            Some(list) => list.split_whitespace().any(|end| stem.ends_with(end)),
        }
    }
}

fn kk_suffixes(
    raw: Vec<KkSuffixRaw>,
    class: &HashMap<String, String>,
) -> Result<Vec<KkSuffix>, MorphError> {
    let mut out = Vec::new();
    for s in raw {
        let mut letters = String::new();
        for name in s.after.split_whitespace() {
            match name {
                "poss" | "any" => {}
                other => letters.push_str(class.get(other).ok_or_else(|| {
                    MorphError::Names(format!("kk.suffix: unknown class {other}"))
                })?),
            }
        }
        let pair = s.forms.len() == 2 && s.harmony.as_deref() != Some("any");
        for (i, form) in s.forms.iter().enumerate() {
            out.push(KkSuffix {
                form: fold(form),
                after_letters: letters.clone(),
                after_possessive: s.after.contains("poss"),
                any: s.after.contains("any"),
                back: pair.then_some(i == 0),
            });
        }
    }
    out.sort_by_key(|s| std::cmp::Reverse(s.form.chars().count()));
    Ok(out)
}
