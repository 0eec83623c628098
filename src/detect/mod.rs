//! Detection: article text → leadership changes in party branches.
//!
//! A pure function of (title, text, language hint, publication date) and the language
//! tables: no I/O, no clock, no global state. The pipeline is
//! normalise → guess language/script (Kazakh Latin is transliterated to Cyrillic for
//! matching) → tokenise → split sentences → tag mentions (party, branch, level, region,
//! role, event verb, names, dates, cancelling cues) → relate them per event verb within
//! the sentence, falling back to the article's topic branch → filter negatives → score.
//! Every rejected candidate keeps its reason, which [`explain`] reports.
//!
//! # Stages, in order (one file each)
//!
//! 1. `text.rs` — normalise, guess language/script, transliterate, tokenise, split sentences;
//! 2. `doc.rs` — the [`Doc`](doc) type holding tokens, sentences, mentions and names, and
//!    `run`, which drives the stages below;
//! 3. `mentions.rs` — tag table cues, parties and places; what a role word belongs to;
//! 4. `names.rs` — find people and put each name into its nominative form;
//! 5. `previous.rs` — clauses that say what a person held before;
//! 6. `places.rs` — resolve places to regions, cities and districts; the topic branch;
//! 7. `dates.rs` — the date each sentence gives;
//! 8. `frames.rs` — one frame per event trigger, its slots (person, role, place, party,
//!    date, previous role) filled step by step, each step returning `Result<_, Reason>`;
//! 9. `negatives.rs` — the rejection checks (denial, foreign, future, modal, negation,
//!    dash, candidate list, posts of other bodies); `reason.rs` — the `Reason` type whose
//!    text is what [`Rejection::reason`] records;
//! 10. `scoring.rs` — confidence and de-duplication.
//!
//! Each event verb is related to the nearest person, role and branch in its own clause
//! (the stretch between neighbouring event verbs), so several changes in one sentence
//! stay apart. A bare «филиал» / "the branch" falls back to the article's *topic branch*
//! (the first branch named with a place). All searches are in bounded windows, so the
//! work is linear in the text.
//!
//! # Table format
//!
//! The tables are TOML files in `data/lang/` (embedded at build time) and may be
//! extended by the user with more TOML of the same shape ([`Tables::extend_from_toml`]);
//! entries are appended, and a `[[party]]` with a known `id` gains forms. Sections:
//!
//! - `[endings]` — lists of case endings. `kk_plural`, `kk_derivational`,
//!   `kk_possessive`, `kk_case` are chained (plural/derivational + possessive + case);
//!   any other list (`ru`, `en`) is a flat list.
//! - `[[cue]]` — `kind`, `value`, `forms` (+ `voice`, `needs`, `window`, `role`,
//!   `backstory`, `strict_role`, `successor` for events): the words for roles, events, levels,
//!   branch, owners (party centre, state bodies), negatives (future, modal, denial,
//!   delegates, death), previous-role markers, dates. `data/lang/lexicon.toml` lists
//!   every kind in its header comment.
//! - `[[party]]` — `id`, `forms`, `ambiguous` (only when capitalised and quoted or next
//!   to "party"), `foreign`.
//! - `[[region]]` — `code`, `name`, `kind` (region|city), `since`, `forms`.
//! - `district = [{ name, region, kind = district|town, before = "CODE@DATE", forms }]`.
//! - `[[foreign_region]]` — `forms` of regions of other countries.
//! - `kk_latin_words` — words that mark Latin text as Kazakh.
//! - `[words]` — named lists of words, stems or endings that the frame steps compare
//!   folded token keys against (`bureau`, `approving_verb`, `they`,
//!   `locative_before_name`, `kk_genitive_ending`, `interim_until`, `kk_negation_after`,
//!   …); `data/lang/lexicon.toml` says how each list is used. Lists from several files
//!   are concatenated. A list of rules holds `ending>replacement` entries
//!   ([`Tables::rewrite_end`]: «ову>ова» puts «Петрову» back into «Петрова»).
//!
//! The letters of the scripts — Latin look-alikes inside Cyrillic words, the key fold,
//! the letters that mark each Kazakh alphabet, the Kazakh Latin → Cyrillic
//! transliteration of each alphabet and the sentence abbreviations — are in
//! `data/lang/script.toml` (embedded, parsed once; not user-extensible).
//!
//! A *form* is words separated by spaces; a word ending in `~` is a stem that takes any
//! ending of `[endings]` («филиал~» matches «филиалының»), otherwise it must match
//! exactly. Matching folds case, ё→е and й→и, and Kazakh Latin text is transliterated
//! first, so Cyrillic forms also cover the Latin alphabets. Example user addition:
//!
//! ```toml
//! [[party]]
//! id = "AMANAT"
//! forms = ["amanat partiyasy"]
//!
//! [[cue]]
//! kind = "event"
//! value = "elected"
//! forms = ["сайланып алынды"]
//! ```

mod dates;
mod discourse;
mod doc;
mod frames;
mod mentions;
mod names;
mod negatives;
mod normalise;
mod places;
mod previous;
mod reason;
mod scoring;
mod tables;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_bodies;
#[cfg(test)]
mod tests_discourse;
#[cfg(test)]
mod tests_general;
#[cfg(test)]
mod tests_more;
#[cfg(test)]
mod tests_normalise;
#[cfg(test)]
mod tests_phrasing;
#[cfg(test)]
mod tests_places;
mod text;

use crate::model::{DetectInput, DetectedChange, Lang};
use serde::Serialize;
use std::fmt;

pub use tables::Tables;

/// Why the tables could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TablesError {
    #[error("cannot parse {file}: {source}")]
    Toml {
        file: String,
        #[source]
        source: Box<toml::de::Error>,
    },
    #[error("invalid table entry: {0}")]
    Invalid(String),
}

/// What the detector saw and decided, for `branchwatch explain` and debugging.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub lang: Lang,
    /// "2017", "2018" or "2021" when the text is Kazakh in Latin letters.
    pub kazakh_latin: Option<String>,
    pub sentences: Vec<String>,
    pub mentions: Vec<MentionInfo>,
    pub changes: Vec<ExplainedChange>,
    pub rejected: Vec<Rejection>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MentionInfo {
    pub sentence: usize,
    pub kind: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExplainedChange {
    pub sentence: usize,
    /// How the change was built (which slots came from where).
    pub rule: String,
    pub change: DetectedChange,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rejection {
    pub sentence: usize,
    /// The event word (or candidate) that was considered.
    pub trigger: String,
    pub reason: String,
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "language: {}{}",
            self.lang,
            match &self.kazakh_latin {
                Some(v) => format!(" (Latin, {v} alphabet)"),
                None => String::new(),
            }
        )?;
        writeln!(f, "sentences: {}", self.sentences.len())?;
        writeln!(f, "mentions:")?;
        for m in &self.mentions {
            writeln!(f, "  [{}] {:<10} {}", m.sentence, m.kind, m.text)?;
        }
        writeln!(f, "changes:")?;
        for c in &self.changes {
            let ch = &c.change;
            writeln!(
                f,
                "  [{}] {} — {} {} of {} {} {}{}{} ({:.2})\n       rule: {}",
                c.sentence,
                ch.person,
                ch.event,
                ch.role,
                ch.party,
                ch.level,
                ch.region,
                ch.district
                    .as_deref()
                    .map(|d| format!(" / {d}"))
                    .unwrap_or_default(),
                if ch.acting { ", acting" } else { "" },
                ch.confidence,
                c.rule
            )?;
        }
        writeln!(f, "rejected:")?;
        for r in &self.rejected {
            writeln!(f, "  [{}] {:<20} {}", r.sentence, r.trigger, r.reason)?;
        }
        Ok(())
    }
}

/// Finds the leadership changes an article reports. Pure; never panics on any input.
pub fn detect(input: &DetectInput, tables: &Tables) -> Vec<DetectedChange> {
    explain_inner(input, tables, false)
        .changes
        .into_iter()
        .map(|c| c.change)
        .collect()
}

/// Like [`detect`], with the mentions found, the rule behind each change and every
/// rejected candidate with its reason.
pub fn explain(input: &DetectInput, tables: &Tables) -> Explanation {
    explain_inner(input, tables, true)
}

/// Confidence is a sum of rule weights; two decimals are all it means, and
/// rounding keeps `0.8500001` out of JSON, digests and the change log.
fn explain_inner(input: &DetectInput, tables: &Tables, verbose: bool) -> Explanation {
    let mut ex = doc::run(input, tables, verbose);
    for c in &mut ex.changes {
        c.change.confidence = (c.change.confidence * 100.0).round() / 100.0;
    }
    ex
}

/// ISO 3166-2:KZ code for a region, city, district or town name in any of the three
/// languages («Жетісу», «Жетысуская область», "Jetisu", "KZ-33" → "KZ-33").
pub fn region_code(name: &str, tables: &Tables) -> Option<String> {
    let t = name.trim();
    let up = t.to_ascii_uppercase();
    if let Some(rest) = up.strip_prefix("KZ-") {
        if rest.len() == 2
            && rest.chars().all(|c| c.is_ascii_digit())
            && tables.geos.iter().any(|g| g.code == up)
        {
            return Some(up);
        }
    }
    places::region_of_phrase(t, tables)
}

/// Canonical party id for any known name, including old ones ("Nur Otan" → "AMANAT").
pub fn party_id(name: &str, tables: &Tables) -> Option<String> {
    let t = name.trim();
    if let Some(p) = tables.parties.iter().find(|p| p.id.eq_ignore_ascii_case(t)) {
        return Some(p.id.clone());
    }
    let stripped: String = t
        .chars()
        .filter(|c| !matches!(c, '«' | '»' | '"'))
        .collect();
    tables
        .lookup_phrase(&stripped)
        .into_iter()
        .find_map(|h| match h.payload {
            tables::Payload::Party { idx, .. } => Some(tables.party_id_of(idx).to_string()),
            _ => None,
        })
}
