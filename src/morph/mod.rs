//! Russian and Kazakh morphology for the detector: Russian words by lemma,
//! and personal names in oblique cases put into the nominative.
//!
//! * Russian analysis is OpenCorpora through `rsmorphy` 0.4 (a port of
//!   pymorphy2) with the dictionary of `rsmorphy-dict-ru` 0.1 (MIT). No
//!   better-kept Rust equivalent is available here; these build offline.
//! * The dictionary ships **inside the binary**: `build.rs` reads
//!   `rsmorphy_dict_ru::DICT_PATH` (a build dependency, so the path is only
//!   used at build time) and `include_bytes!`s its `.gz` files; [`dict`]
//!   rebuilds the `rsmorphy` dictionary from memory. Nothing is read from
//!   disk at run time, so a hardened systemd service loads it as well.
//! * Kazakh given names, which OpenCorpora mostly lacks, come first from the
//!   table `data/lang/names.toml` (also embedded), together with the Russian
//!   name endings and the Kazakh case suffixes. No language word is written
//!   in this module's code.
//!
//! After [`Morph::load`] every method is pure: no cache, no locks, no I/O.

mod data;
mod dict;
mod kk;
mod ru;
mod text;

use data::Tables;
use rsmorphy::{AnalyzerUnit, MorphAnalyzer, Source};

/// Why [`Morph::load`] failed (the embedded data did not parse).
#[derive(Debug, thiserror::Error)]
pub enum MorphError {
    #[error("morphology dictionary: {0}")]
    Dictionary(String),
    #[error("data/lang/names.toml: {0}")]
    Names(String),
}

/// Grammatical gender of a name or word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gender {
    Masc,
    Femn,
    Neut,
}

/// The six Russian cases (OpenCorpora's second genitive, accusative and
/// locative fold into the main ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Case {
    Nomn,
    Gent,
    Datv,
    Accs,
    Ablt,
    Loct,
}

impl Case {
    pub const ALL: [Case; 6] = [
        Case::Nomn,
        Case::Gent,
        Case::Datv,
        Case::Accs,
        Case::Ablt,
        Case::Loct,
    ];
    pub(crate) const OBLIQUE: [Case; 5] =
        [Case::Gent, Case::Datv, Case::Accs, Case::Ablt, Case::Loct];

    fn from_grammeme(g: &str) -> Option<Case> {
        Some(match g {
            "nomn" => Case::Nomn,
            "gent" | "gen2" => Case::Gent,
            "datv" => Case::Datv,
            "accs" | "acc2" => Case::Accs,
            "ablt" => Case::Ablt,
            "loct" | "loc2" => Case::Loct,
            _ => return None,
        })
    }
}

/// What part of a personal name a word is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Given,
    Patronymic,
    Surname,
}

/// One reading of a Russian word.
#[derive(Debug, Clone, PartialEq)]
pub struct Parse {
    /// Normal form, lower case (OpenCorpora keeps «ё» where it has it).
    pub lemma: String,
    /// OpenCorpora part of speech (NOUN, ADJF, VERB, ...), if any.
    pub pos: Option<String>,
    pub case: Option<Case>,
    pub gender: Option<Gender>,
    pub plural: bool,
    /// Name, Surn or Patr in the dictionary.
    pub name: Option<Role>,
    /// Every grammeme of the tag, as OpenCorpora spells it.
    pub grammemes: Vec<String>,
    /// The analyzer's probability of this reading (0..=1).
    pub score: f64,
}

impl Parse {
    /// Whether the tag has grammeme `g` (e.g. "anim", "Geox").
    pub fn has(&self, g: &str) -> bool {
        self.grammemes.iter().any(|x| x == g)
    }
}

/// The analyzer and the name tables. `Send + Sync`; load once and share.
pub struct Morph {
    analyzer: MorphAnalyzer,
    tables: Tables,
}

impl std::fmt::Debug for Morph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Morph")
            .field("given_forms", &self.tables.given_forms.len())
            .finish_non_exhaustive()
    }
}

/// Words longer than this (in characters) are not analysed: no Russian
/// word is that long, and the analyzer's cost grows with length.
const MAX_WORD_CHARS: usize = 48;

/// Shortest word `rsmorphy`'s guessers accept without panicking.
const MIN_GUESS_CHARS: usize = 3;

impl Morph {
    /// Loads the embedded dictionary and name tables (about a second).
    pub fn load() -> Result<Morph, MorphError> {
        let tables = Tables::load()?;
        let analyzer = dict::load_analyzer()?;
        Ok(Morph { analyzer, tables })
    }

    /// Russian readings of `word`, most probable first. Empty for anything
    /// that is not a single word of letters (and hyphens).
    pub fn lemmas(&self, word: &str) -> Vec<Parse> {
        let letters = word.chars().count();
        if letters == 0
            || letters > MAX_WORD_CHARS
            || !word.chars().all(|c| c.is_alphabetic() || c == '-')
            || word.starts_with('-')
            || word.ends_with('-')
        {
            return Vec::new();
        }
        let lower = word.to_lowercase();
        let mut out: Vec<Parse> = self
            .analyse(&lower)
            .into_iter()
            .map(|parsed| self.to_parse(&parsed.lex, parsed.score.value()))
            .collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score));
        out
    }

    /// `rsmorphy`'s analysis of a lower-case word. Its guessers assert that
    /// an unknown word has at least three letters, so shorter words get the
    /// dictionary lookup only. A panic from the unmaintained crate on some
    /// input nobody foresaw is caught (the analyzer is immutable, so no state
    /// is left half-updated) and yields no readings.
    fn analyse(&self, lower: &str) -> Vec<rsmorphy::Parsed> {
        let run = || {
            if lower.chars().count() >= MIN_GUESS_CHARS {
                return self.analyzer.parse(lower);
            }
            let mut result = Vec::new();
            let mut seen = rsmorphy::container::seen::SeenSet::default();
            let unit = &self.analyzer.units.dictionary;
            unit.parse(&self.analyzer, &mut result, lower, lower, &mut seen);
            self.analyzer
                .estimator
                .apply_to_parses(&self.analyzer, lower, lower, &mut result);
            result
        };
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_default()
    }

    fn to_parse(&self, lex: &rsmorphy::Lex, score: f64) -> Parse {
        let tag = lex.get_tag(&self.analyzer);
        let grammemes: Vec<String> = tag
            .string
            .split([',', ' '])
            .filter(|g| !g.is_empty())
            .map(str::to_owned)
            .collect();
        let has = |g: &str| grammemes.iter().any(|x| x == g);
        let gender = if has("masc") {
            Some(Gender::Masc)
        } else if has("femn") {
            Some(Gender::Femn)
        } else if has("neut") {
            Some(Gender::Neut)
        } else {
            None
        };
        let name = if has("Name") {
            Some(Role::Given)
        } else if has("Surn") {
            Some(Role::Surname)
        } else if has("Patr") {
            Some(Role::Patronymic)
        } else {
            None
        };
        Parse {
            lemma: lex.get_normal_form(&self.analyzer).to_lowercase(),
            pos: grammemes.first().filter(|g| is_pos(g)).cloned(),
            case: grammemes.iter().find_map(|g| Case::from_grammeme(g)),
            gender,
            plural: has("plur"),
            name,
            score,
            grammemes,
        }
    }

    /// A name written in Russian text, in any case, put into the nominative
    /// with the given name first: «Ербола Нурланова» → «Ербол Нурланов».
    /// Capitals and «ё» are kept. `None` when no part reads as a name.
    pub fn nominative_ru(&self, parts: &[&str]) -> Option<String> {
        ru::nominative(self, parts)
    }

    /// A name written in Kazakh text with a case (or possessive) suffix put
    /// into the nominative: «Айгүл Сәбитқызын» → «Айгүл Сәбитқызы».
    pub fn nominative_kk(&self, parts: &[&str]) -> Option<String> {
        kk::nominative(self, parts)
    }

    /// Gender of a given name in any case: the table first, then a
    /// dictionary reading tagged Name.
    pub fn is_given_name(&self, word: &str) -> Option<Gender> {
        let key = text::fold(word);
        if let Some(g) = self.tables.given_nominative.get(&key) {
            return Some(*g);
        }
        if let Some(forms) = self.tables.given_forms.get(&key) {
            return forms.first().map(|f| f.gender);
        }
        self.lemmas(word)
            .into_iter()
            .filter(|p| p.name == Some(Role::Given) && p.score >= 0.05)
            .find_map(|p| p.gender)
    }

    /// Size of the dictionary embedded in the binary, in bytes (gzip).
    pub fn embedded_dictionary_bytes() -> usize {
        dict::embedded_bytes()
    }

    /// Names of the embedded dictionary files.
    pub fn embedded_dictionary_files() -> Vec<&'static str> {
        dict::file_names().collect()
    }
}

fn is_pos(g: &str) -> bool {
    g.chars().all(|c| c.is_ascii_uppercase()) && g.len() >= 2
}

#[cfg(test)]
mod tests;
