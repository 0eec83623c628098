//! Stage 0, before tokenising: what a news page carries that names people without
//! reporting anything about them, and letters a wrong encoding lost.
//!
//! - Agency bylines between slashes («ПАВЛОДАР. 9 июня. КАЗИНФОРМ /Айжан Серікова/ –»)
//!   are cut out, so the journalist never becomes a chair; the dateline stays, since its
//!   date is the event's date.
//! - Paragraphs that open with a credit label («Фото:», «Автор», "Photo by") and are
//!   short, and every paragraph that opens with a "read also" label, are dropped.
//! - A «?» standing for a Kazakh letter («Н?р Отан», «Т?ркістан облысы») is replaced by
//!   the letter that makes a word the tables know.
//!
//! The labels and letters are data (`data/lang/normalise.toml`); the vocabulary that
//! decides a repair is every word of every `forms` list in the language tables.

use super::TablesError;
use serde::Deserialize;
use std::collections::HashSet;

/// The rules of this stage, compiled from `data/lang/normalise.toml`.
#[derive(Debug, Clone, Default)]
pub struct CleanRules {
    credit: Vec<String>,
    related: Vec<String>,
    lost: Vec<char>,
    /// (legacy font letter, Kazakh letter), both cases.
    legacy: Vec<(char, char)>,
    min_legacy: usize,
    max_credit_words: usize,
    max_lost_per_word: usize,
    guess: Guess,
    /// Folded words and stems (without `~`) of the language tables.
    vocabulary: HashSet<String>,
}

/// How an unconfirmed lost letter is guessed from its neighbours.
#[derive(Debug, Clone, Default)]
struct Guess {
    back: Vec<char>,
    front: Vec<char>,
    consonant: char,
    last: char,
    back_vowel: char,
    front_vowel: char,
}

#[derive(Deserialize)]
struct RulesFile {
    credit: Vec<String>,
    related: Vec<String>,
    lost_letters: Vec<String>,
    #[serde(default)]
    legacy_letters: Vec<String>,
    #[serde(default)]
    min_legacy_letters: usize,
    max_credit_words: usize,
    max_lost_per_word: usize,
    vowels_back: String,
    vowels_front: String,
    guess_consonant: String,
    guess_final: String,
    guess_back_vowel: String,
    guess_front_vowel: String,
}

fn first_char(s: &str) -> char {
    s.chars().next().unwrap_or('?')
}

/// Shortest vocabulary entry that may confirm a repaired word.
const MIN_STEM: usize = 3;

impl CleanRules {
    /// `rules` is the stage's own TOML; `vocab_sources` are the language tables, whose
    /// `forms` words make the vocabulary.
    pub fn build(rules: &str, vocab_sources: &[&str]) -> Result<CleanRules, TablesError> {
        let f: RulesFile = toml::from_str(rules).map_err(|e| TablesError::Toml {
            file: "normalise.toml".into(),
            source: Box::new(e),
        })?;
        let mut vocabulary = HashSet::new();
        for src in vocab_sources {
            if let Ok(v) = src.parse::<toml::Value>() {
                collect_forms(&v, false, &mut vocabulary);
            }
        }
        Ok(CleanRules {
            credit: f.credit.iter().map(|s| s.to_lowercase()).collect(),
            related: f.related.iter().map(|s| s.to_lowercase()).collect(),
            lost: f
                .lost_letters
                .iter()
                .filter_map(|s| s.chars().next())
                .collect(),
            legacy: legacy_pairs(&f.legacy_letters)?,
            min_legacy: f.min_legacy_letters.max(1),
            max_credit_words: f.max_credit_words,
            max_lost_per_word: f.max_lost_per_word,
            guess: Guess {
                back: f.vowels_back.chars().collect(),
                front: f.vowels_front.chars().collect(),
                consonant: first_char(&f.guess_consonant),
                last: first_char(&f.guess_final),
                back_vowel: first_char(&f.guess_back_vowel),
                front_vowel: first_char(&f.guess_front_vowel),
            },
            vocabulary,
        })
    }
}

/// `"є>ғ"` entries as letter pairs, with their capitals.
fn legacy_pairs(rows: &[String]) -> Result<Vec<(char, char)>, TablesError> {
    let mut out = Vec::new();
    for row in rows {
        let mut cs = row.split('>').map(|x| x.trim().chars());
        let (Some(mut a), Some(mut b)) = (cs.next(), cs.next()) else {
            return Err(TablesError::Invalid(format!(
                "legacy letter {row:?} (expected \"x>y\")"
            )));
        };
        let (Some(from), Some(to)) = (a.next(), b.next()) else {
            return Err(TablesError::Invalid(format!(
                "legacy letter {row:?} (expected \"x>y\")"
            )));
        };
        out.push((from, to));
        if let (Some(fu), Some(tu)) = (from.to_uppercase().next(), to.to_uppercase().next()) {
            if fu != from {
                out.push((fu, tu));
            }
        }
    }
    Ok(out)
}

/// Text typed in an old Kazakh font shows Kazakh letters as other Cyrillic ones
/// («т?раєасы», «ќызметінен»): when the text holds enough of them, they are put back.
pub fn restore_legacy_letters(text: &str, r: &CleanRules) -> Option<String> {
    let is_legacy = |c: char| r.legacy.iter().any(|(f, _)| *f == c);
    if r.legacy.is_empty() || text.chars().filter(|&c| is_legacy(c)).count() < r.min_legacy {
        return None;
    }
    Some(
        text.chars()
            .map(|c| {
                r.legacy
                    .iter()
                    .find(|(f, _)| *f == c)
                    .map_or(c, |(_, t)| *t)
            })
            .collect(),
    )
}

/// Every word of every string inside an array named `forms`, at any depth.
fn collect_forms(v: &toml::Value, in_forms: bool, out: &mut HashSet<String>) {
    match v {
        toml::Value::String(s) if in_forms => {
            for w in s.split_whitespace() {
                let k = w.trim_end_matches('~').to_lowercase();
                if k.chars().count() >= MIN_STEM {
                    out.insert(k);
                }
            }
        }
        toml::Value::Array(a) => a.iter().for_each(|x| collect_forms(x, in_forms, out)),
        toml::Value::Table(t) => {
            for (k, x) in t {
                collect_forms(x, in_forms || k == "forms", out);
            }
        }
        _ => {}
    }
}

/// The article text with bylines, credits and "read also" paragraphs removed and lost
/// letters restored. Paragraph breaks are kept.
/// The stage as the detector runs it: the tables' rules, and their morphology's
/// given names to tell a name from a common word.
pub fn clean_with(text: &str, t: &super::Tables) -> String {
    let is_name = |w: &str| t.morph.is_some_and(|m| m.is_given_name(w).is_some());
    clean(text, &t.clean, &is_name)
}

/// `is_name` tells a given name («Қанат») from a common word («қанат»), so that a
/// repaired word beside a capitalised one is capitalised only when it is a name.
pub fn clean(text: &str, r: &CleanRules, is_name: &dyn Fn(&str) -> bool) -> String {
    let restored = restore_legacy_letters(text, r);
    let text = restored.as_deref().unwrap_or(text);
    let intact = intact_words(text);
    let budget = std::cell::Cell::new(MAX_INTACT_LOOKUPS);
    let mut out = String::with_capacity(text.len());
    for para in text.split('\n') {
        if drop_paragraph(para, r) {
            continue;
        }
        let para = strip_slash_bylines(para);
        out.push_str(&repair_with(&para, r, is_name, &intact, &budget));
        out.push('\n');
    }
    out.pop();
    out
}

fn drop_paragraph(para: &str, r: &CleanRules) -> bool {
    let lower = para.trim_start().to_lowercase();
    if r.related.iter().any(|l| opens_with_label(&lower, l)) {
        return true;
    }
    r.credit.iter().any(|l| opens_with_label(&lower, l))
        && para.split_whitespace().count() <= r.max_credit_words
}

/// `s` starts with `label` followed by the end or by a non-letter.
fn opens_with_label(s: &str, label: &str) -> bool {
    s.strip_prefix(label)
        .is_some_and(|rest| !rest.chars().next().is_some_and(char::is_alphabetic))
}

/// Removes «/Имя Фамилия/»: one to three capitalised words between two slashes.
pub fn strip_slash_bylines(para: &str) -> String {
    let mut out = String::with_capacity(para.len());
    let mut rest = para;
    while let Some(open) = rest.find('/') {
        let after = &rest[open + 1..];
        match after.find('/') {
            Some(close) if is_byline(&after[..close]) => {
                out.push_str(&rest[..open]);
                rest = &after[close + 1..];
            }
            _ => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_byline(inner: &str) -> bool {
    let words: Vec<&str> = inner.split_whitespace().collect();
    (1..=3).contains(&words.len())
        && words.iter().all(|w| {
            let mut cs = w.chars();
            cs.next().is_some_and(char::is_uppercase)
                && cs.all(|c| c.is_alphabetic() || matches!(c, '.' | '-' | '\''))
        })
}

/// How many distinct intact words of a text are kept to repair its damaged ones, and
/// how many damaged words are compared with them (bounded work on hostile text).
const MAX_INTACT: usize = 2_000;
const MAX_INTACT_LOOKUPS: usize = 2_000;

/// The capitalised words of a text that lost no letter, lower-cased: a name damaged in
/// one paragraph («?д?лов») is often intact in another («Әділовке»).
fn intact_words(text: &str) -> Vec<Vec<char>> {
    if !text.contains('?') {
        return Vec::new();
    }
    let mut seen = HashSet::new();
    text.split(|c: char| !(c.is_alphabetic() || c == '?'))
        .filter(|w| {
            w.chars().count() >= 4
                && !w.contains('?')
                && w.chars().next().is_some_and(char::is_uppercase)
        })
        .filter(|w| seen.insert(w.to_lowercase()))
        .take(MAX_INTACT)
        .map(|w| w.to_lowercase().chars().collect())
        .collect()
}

/// The stem of an intact word of the text that the damaged word spells, each «?»
/// standing for a lost letter (the shortest such word wins).
fn intact_match(word: &str, intact: &[Vec<char>], r: &CleanRules) -> Option<String> {
    let w: Vec<char> = word.to_lowercase().chars().collect();
    if w.len() < 4 || w.iter().filter(|&&c| c != '?').count() < 3 {
        return None;
    }
    intact
        .iter()
        .filter(|cand| cand.len() >= w.len())
        .filter(|cand| {
            w.iter()
                .zip(cand.iter())
                .all(|(&a, &b)| a == b || (a == '?' && r.lost.contains(&b)))
        })
        .min_by_key(|cand| cand.len())
        // the word's own letters keep their case; the lost ones come from the match
        .map(|cand| {
            word.chars()
                .zip(cand.iter())
                .map(|(o, &c)| if o == '?' { c } else { o })
                .collect()
        })
}

/// Replaces each «?» that stands inside a word (or opens one) by a lost letter.
fn repair_with(
    para: &str,
    r: &CleanRules,
    is_name: &dyn Fn(&str) -> bool,
    intact: &[Vec<char>],
    budget: &std::cell::Cell<usize>,
) -> String {
    if !para.contains('?') || r.lost.is_empty() {
        return para.to_string();
    }
    let segs = segments(para);
    let mut out = String::with_capacity(para.len() + 8);
    for (i, (word, text)) in segs.iter().enumerate() {
        if !*word {
            out.push_str(text);
            continue;
        }
        let mut trailing = text.len() - text.trim_end_matches('?').len();
        // «облысты? филиалы»: a «?» that ends a word the sentence goes on after is a
        // lost letter (mostly the genitive «ң»), not a question mark
        if trailing <= r.max_lost_per_word
            && (continues_lower(&segs, i) || closed_by_punct(&segs, i))
        {
            trailing = 0;
        }
        let core = &text[..text.len() - trailing];
        if core.contains('?') && core.chars().any(char::is_alphabetic) {
            let lookup = budget.get() > 0 && !intact.is_empty();
            if lookup {
                budget.set(budget.get() - 1);
            }
            let (repaired, known) = match lookup.then(|| intact_match(core, intact, r)).flatten() {
                Some(w) => (w, false),
                None => best_repair(core, r),
            };
            let name_like = !known || is_name(&repaired);
            out.push_str(&case_in_context(&repaired, core, name_like, &segs, i));
        } else {
            out.push_str(core);
        }
        out.push_str(&text[text.len() - trailing..]);
    }
    out
}

/// Whether only spaces and then a lower-case word follow segment `i` (a word whose
/// own first letter was lost, «?йымдастыру», counts by its next letter).
fn continues_lower(segs: &[(bool, &str)], i: usize) -> bool {
    let gap_is_space = segs
        .get(i + 1)
        .is_some_and(|g| !g.1.is_empty() && g.1.chars().all(|c| c == ' '));
    gap_is_space
        && segs
            .get(i + 2)
            .and_then(|w| w.1.chars().find(|&c| c != '?'))
            .is_some_and(char::is_lowercase)
}

/// «кетт?.», «жүктелд?,»: a question mark is never followed right away by a full
/// stop or a comma, so a «?» there ends a word whose last letter was lost.
fn closed_by_punct(segs: &[(bool, &str)], i: usize) -> bool {
    segs.get(i + 1)
        .and_then(|g| g.1.chars().next())
        .is_some_and(|c| matches!(c, '.' | ',' | ';' | ':'))
}

/// The paragraph cut into runs of word characters (letters and «?») and the rest.
fn segments(para: &str) -> Vec<(bool, &str)> {
    let mut segs = Vec::new();
    let mut start = 0;
    let mut in_word = None;
    for (i, c) in para.char_indices() {
        let w = c.is_alphabetic() || c == '?';
        if in_word != Some(w) {
            if let Some(prev) = in_word {
                segs.push((prev, &para[start..i]));
            }
            start = i;
            in_word = Some(w);
        }
    }
    if let Some(w) = in_word {
        segs.push((w, &para[start..]));
    }
    segs
}

/// Whether the text before segment `i` ends a sentence (or there is none): the gap
/// before it ends with a full stop, a quote or a dash, or opens the paragraph.
fn sentence_ends_before(segs: &[(bool, &str)], i: usize) -> bool {
    let Some(j) = i.checked_sub(1) else {
        return true;
    };
    match segs[j].1.trim_end().chars().last() {
        None => j == 0,
        Some(c) => matches!(c, '.' | '!' | '?' | '«' | '"' | '—' | '–' | ':'),
    }
}

/// A word whose first letter was lost is capitalised when it opens a sentence, or
/// when it may be a name (unknown to the tables, or a given name) and a capitalised
/// word stands beside it; otherwise it is lower case.
fn case_in_context(
    repaired: &str,
    orig: &str,
    name_like: bool,
    segs: &[(bool, &str)],
    i: usize,
) -> String {
    if !orig.starts_with('?') {
        return repaired.to_string();
    }
    let capital = |w: &str| w.chars().next().is_some_and(char::is_uppercase);
    let next_word = segs.get(i + 2).filter(|s| s.0).map(|s| s.1);
    let prev_word = i
        .checked_sub(2)
        .filter(|&j| !sentence_ends_before(segs, j))
        .map(|j| segs[j].1);
    let upper = sentence_ends_before(segs, i)
        || name_like && (next_word.is_some_and(capital) || prev_word.is_some_and(capital));
    let mut cs = repaired.chars();
    let Some(first) = cs.next() else {
        return String::new();
    };
    if upper {
        first.to_uppercase().chain(cs).collect()
    } else {
        first.to_lowercase().chain(cs).collect()
    }
}

/// The repair whose longest vocabulary prefix is longest and covers a repaired letter,
/// and whether one was found; without one, a guess from the neighbouring letters.
fn best_repair(word: &str, r: &CleanRules) -> (String, bool) {
    let slots = word.chars().filter(|&c| c == '?').count();
    if slots > r.max_lost_per_word {
        return (guess_letters(word, &r.guess), false);
    }
    // the neighbours' guess wins a tie («облысты?» → «облыстың», not «облыстық»)
    let guess = guess_letters(word, &r.guess);
    let mut best: Option<(usize, String)> =
        Some((known_prefix(&guess, word, r), guess)).filter(|b| b.0 > 0);
    for combo in combinations(r.lost.len(), slots) {
        let cand = fill(word, &combo, &r.lost);
        let score = known_prefix(&cand, word, r);
        if score > best.as_ref().map_or(0, |b| b.0) {
            best = Some((score, cand));
        }
    }
    match best {
        Some((_, w)) => (w, true),
        None => (guess_letters(word, &r.guess), false),
    }
}

/// Each «?» becomes the final-letter guess at the end of the word, a consonant when a
/// vowel stands next to it, else a vowel of the word's row (back or front, by its
/// other vowels).
fn guess_letters(word: &str, g: &Guess) -> String {
    let chars: Vec<char> = word.chars().collect();
    let lower: Vec<char> = chars.iter().flat_map(|c| c.to_lowercase()).collect();
    let is_vowel = |c: Option<&char>| c.is_some_and(|c| g.back.contains(c) || g.front.contains(c));
    let backs = lower.iter().filter(|c| g.back.contains(c)).count();
    let fronts = lower.iter().filter(|c| g.front.contains(c)).count();
    let caps = chars
        .iter()
        .filter(|c| c.is_alphabetic())
        .all(|c| c.is_uppercase());
    let mut out = String::with_capacity(word.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c != '?' {
            out.push(c);
            continue;
        }
        let near_vowel = is_vowel(lower.get(i + 1)) || i > 0 && is_vowel(lower.get(i - 1));
        let l = match (near_vowel, fronts > backs) {
            _ if i + 1 == chars.len() => g.last,
            (true, _) => g.consonant,
            (false, false) => g.back_vowel,
            (false, true) => g.front_vowel,
        };
        if caps || i == 0 {
            out.extend(l.to_uppercase());
        } else {
            out.push(l);
        }
    }
    out
}

fn combinations(n: usize, k: usize) -> Vec<Vec<usize>> {
    let mut all = vec![Vec::new()];
    for _ in 0..k {
        all = all
            .into_iter()
            .flat_map(|v| {
                (0..n).map(move |i| {
                    let mut w = v.clone();
                    w.push(i);
                    w
                })
            })
            .collect();
    }
    all
}

/// `word` with its «?» replaced in order by `lost[combo[i]]`, keeping the case of the
/// word (upper case when the word is otherwise all capitals or the «?» opens it).
fn fill(word: &str, combo: &[usize], lost: &[char]) -> String {
    let caps = word
        .chars()
        .filter(|c| c.is_alphabetic())
        .all(char::is_uppercase);
    let mut k = 0;
    let mut out = String::with_capacity(word.len() + 4);
    for (i, c) in word.chars().enumerate() {
        if c != '?' {
            out.push(c);
            continue;
        }
        let l = lost[combo.get(k).copied().unwrap_or(0)];
        k += 1;
        if caps || i == 0 {
            out.extend(l.to_uppercase());
        } else {
            out.push(l);
        }
    }
    out
}

/// Length (in chars) of the longest vocabulary entry that `cand` starts with, counted
/// only when the entry reaches past the first «?» of `orig`.
fn known_prefix(cand: &str, orig: &str, r: &CleanRules) -> usize {
    let lower = cand.to_lowercase();
    let first_lost = orig.chars().position(|c| c == '?').unwrap_or(0);
    let chars: Vec<char> = lower.chars().collect();
    (MIN_STEM..=chars.len())
        .rev()
        .find(|&n| {
            n > first_lost
                && r.vocabulary
                    .contains(&chars[..n].iter().collect::<String>())
        })
        .unwrap_or(0)
}
