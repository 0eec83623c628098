//! Text preparation for detection: normalisation, language and script guessing,
//! Kazakh Latin → Cyrillic transliteration, tokenisation and sentence splitting.
//!
//! Everything downstream matches on a token's `key` (folded, and for Kazakh Latin text
//! transliterated to Cyrillic), so one set of Cyrillic table entries covers the 2017,
//! 2018 and 2021 Latin alphabets. The original spelling stays reachable through the
//! token's byte span, which is what names are output from.

use crate::model::Lang;
use unicode_normalization::UnicodeNormalization;

/// Which Kazakh Latin alphabet a text is written in (they disagree on y/ı/i).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LatinKk {
    /// 2017: apostrophes (a' g' n' o' u' s' c' i' y').
    Apostrophe,
    /// 2018: acute accents (á ǵ ń ó ú ý) and dotless ı for и/й.
    Acute,
    /// 2021: ä ğ ñ ö ş ū ü, ı for ы and y for и, as many sites type it.
    Y2021,
    /// 2021 as decreed: the same letters, but y for ы, ı for і and i for и/й
    /// («partiiasy», «Bügın»). [`crate::detect`] reads a 2021 text both ways and keeps
    /// the reading in which more words are known.
    Y2021Decree,
    /// Informal ASCII: digraphs for the Kazakh letters (zh, gh, ng, sh, ch, oe, ae, ue),
    /// as in agency copy and on sites without the official letters («Zhangaoezen
    /// qalalyq filialynyng toeraghasy»).
    Digraph,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokKind {
    Word,
    Num,
    Punct(char),
}

#[derive(Debug, Clone)]
pub struct Token {
    /// Byte span in the normalised text.
    pub start: usize,
    pub end: usize,
    pub kind: TokKind,
    /// Folded (and maybe transliterated) form used for matching.
    pub key: String,
    /// For transliterated tokens: byte offset in the surface of each key char.
    pub key_src: Option<Vec<u32>>,
    /// First letter upper case.
    pub cap: bool,
    /// Two or more letters, all upper case (an acronym such as «ЖСДП»).
    pub acronym: bool,
    /// A quote mark directly precedes the token.
    pub quoted: bool,
}

impl Token {
    pub fn surface<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start..self.end]
    }
    pub fn is_word(&self) -> bool {
        self.kind == TokKind::Word
    }
    pub fn is_punct(&self, c: char) -> bool {
        self.kind == TokKind::Punct(c)
    }
    /// Surface with the last `strip` key characters removed (case endings).
    pub fn surface_without<'a>(&self, text: &'a str, strip: usize) -> &'a str {
        let s = self.surface(text);
        if strip == 0 {
            return s;
        }
        let n = self.key.chars().count();
        if strip >= n {
            return s;
        }
        let keep = n - strip;
        match &self.key_src {
            Some(map) => {
                let off = map.get(keep).map(|o| *o as usize).unwrap_or(s.len());
                s.get(..off).unwrap_or(s)
            }
            None => {
                let off = s
                    .char_indices()
                    .nth(keep)
                    .map(|(i, _)| i)
                    .unwrap_or(s.len());
                &s[..off]
            }
        }
    }
}

/// NFC, unified quotes/dashes/apostrophes, Latin look-alikes inside Cyrillic words
/// replaced by their Cyrillic letters (a common typing habit in Kazakh texts).
pub fn normalize(s: &str) -> String {
    let look = &script().lookalike;
    let nfc: String = s.nfc().collect();
    let mut out = String::with_capacity(nfc.len());
    for word in split_keep(&nfc) {
        let has_cyr = word.chars().any(is_cyrillic);
        let has_lat = word.chars().any(|c| c.is_ascii_alphabetic());
        for c in word.chars() {
            let c = match c {
                '\u{2018}' | '\u{2019}' | '\u{02BC}' | '`' | '\u{00B4}' => '\'',
                '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' => '"',
                '\u{2013}' | '\u{2014}' | '\u{2012}' | '\u{2015}' => '—',
                '\u{00A0}' | '\u{2009}' | '\u{202F}' | '\u{2007}' => ' ',
                '\u{00AD}' | '\u{200B}' | '\u{FEFF}' => continue,
                '\r' => '\n',
                _ if has_cyr && has_lat => lookup(look, c).unwrap_or(c),
                _ => c,
            };
            out.push(c);
        }
    }
    out
}

fn split_keep(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = s;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let first_alpha = rest.chars().next().is_some_and(is_alpha);
        let end = rest
            .char_indices()
            .find(|&(_, c)| is_alpha(c) != first_alpha)
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        let (a, b) = rest.split_at(end);
        rest = b;
        Some(a)
    })
}

/// `char::is_alphabetic` with fast paths for ASCII and Cyrillic (the slow Unicode table
/// lookup dominated the profile).
#[inline]
pub fn is_alpha(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else if ('\u{0400}'..='\u{04FF}').contains(&c) {
        !('\u{0482}'..='\u{0489}').contains(&c)
    } else {
        c.is_alphabetic()
    }
}

pub fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04FF}')
}

/// Guesses the language (and, for Kazakh in Latin letters, the alphabet).
/// `hint` wins for the language; the script is always read from the text.
pub fn guess_lang(text: &str, hint: Option<Lang>, kk_words: &[String]) -> (Lang, Option<LatinKk>) {
    let (mut cyr, mut lat, mut kk_cyr, mut acute, mut y21, mut dotless) =
        (0usize, 0usize, 0, 0, 0, 0);
    let mut apos = 0usize;
    let mut prev = ' ';
    let sc = script();
    // Bounded: the first 200k characters are plenty to decide.
    for c in text.chars().take(200_000) {
        if is_cyrillic(c) {
            cyr += 1;
            if sc.kk_cyrillic.contains(&c) {
                kk_cyr += 1;
            }
        } else if is_alpha(c) {
            lat += 1;
            if sc.kk_2018.contains(&c) {
                acute += 1;
            } else if sc.kk_2021.contains(&c) {
                y21 += 1;
            } else if c == 'ı' {
                dotless += 1;
            }
        }
        if is_alpha(prev) && c == '\'' && sc.apostrophe_letters.contains(&prev) {
            apos += 1;
        }
        prev = c;
    }
    if cyr >= lat {
        let lang = hint.unwrap_or(if kk_cyr * 100 >= cyr.max(1) || kk_cyr >= 4 {
            Lang::Kk
        } else {
            Lang::Ru
        });
        return (lang, None);
    }
    // Latin script: Kazakh if it carries Kazakh letters or Kazakh function words.
    let variant = if y21 > acute && y21 > 0 {
        Some(LatinKk::Y2021)
    } else if acute > 0 || dotless > 0 {
        Some(LatinKk::Acute)
    } else if apos > 2 {
        Some(LatinKk::Apostrophe)
    } else if digraph_words(text, &sc.kk_digraphs) >= MIN_DIGRAPH_WORDS {
        Some(LatinKk::Digraph)
    } else {
        None
    };
    let mut kk_hits = 0usize;
    let mut en_hits = 0usize;
    for w in text
        .split(|c: char| !is_alpha(c) && c != '\'')
        .filter(|w| !w.is_empty())
        .take(5_000)
    {
        let lw = w.to_lowercase();
        if kk_words.contains(&lw) {
            kk_hits += 1;
        }
        if sc.en_function_words.contains(&lw) {
            en_hits += 1;
        }
    }
    let kk = match hint {
        Some(Lang::Kk) => true,
        Some(_) => false,
        None => {
            (variant.is_some() && (acute + y21 + dotless) * 50 >= lat.max(1)) || kk_hits > en_hits
        }
    };
    if kk {
        (Lang::Kk, Some(variant.unwrap_or(LatinKk::Acute)))
    } else {
        (hint.unwrap_or(Lang::En), None)
    }
}

/// Words with a Kazakh digraph (`kk_digraphs`) that mark an informal ASCII text.
const MIN_DIGRAPH_WORDS: usize = 3;

/// How many of the first words carry one of the Kazakh digraphs.
fn digraph_words(text: &str, digraphs: &[String]) -> usize {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() > 2)
        .take(5_000)
        .filter(|w| {
            let lw = w.to_ascii_lowercase();
            digraphs.iter().any(|d| lw.contains(d.as_str()))
        })
        .count()
}

/// Lower-case fold used for every key: lower case, then `[fold]` of `script.toml`
/// (ё→е, й→и and і→и, as the scorer does; the 2021 Latin alphabet writes both і and и
/// as «i»), apostrophes kept.
pub fn fold(s: &str) -> String {
    let f = &script().fold;
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        for l in c.to_lowercase() {
            out.push(lookup(f, l).unwrap_or(l));
        }
    }
    out
}

/// Transliterates one folded Latin word to Kazakh Cyrillic; returns the key and, for
/// each output char, the byte offset in `surface` where it came from.
pub fn translit(surface: &str, v: LatinKk) -> (String, Vec<u32>) {
    let chars: Vec<(usize, char)> = surface
        .char_indices()
        .flat_map(|(i, c)| c.to_lowercase().map(move |l| (i, l)))
        .collect();
    let sc = script();
    let mut out = String::new();
    let mut map = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (r, adv) = sc.translit_at(&chars, i, v);
        for rc in r.chars() {
            out.push(rc);
            map.push(chars[i].0 as u32);
        }
        i += adv;
    }
    (out, map)
}

/// Splits `text` into tokens. Words keep inner hyphens and apostrophes; a word longer
/// than 64 characters is kept as one token that matches nothing (bounded work).
pub fn tokenize(text: &str, latin_kk: Option<LatinKk>) -> Vec<Token> {
    let mut toks = Vec::new();
    let mut it = text.char_indices().peekable();
    let mut prev_char = ' ';
    while let Some((i, c)) = it.next() {
        if is_alpha(c) || c.is_ascii_digit() {
            let end = word_end(text, &mut it, i, c, latin_kk);
            toks.push(word_token(text, i, end, prev_char, latin_kk));
            prev_char = text[i..end].chars().last().unwrap_or(' ');
        } else if c.is_whitespace() {
            if c == '\n' {
                toks.push(punct_token(i, c, String::new()));
            }
            // whitespace does not reset `prev_char` for quotes: «AMANAT» partiyasy
            prev_char = ' ';
        } else {
            toks.push(punct_token(i, c, c.to_string()));
            prev_char = c;
        }
    }
    toks
}

/// Where the word or number starting with `c` at byte `i` ends; consumes its characters.
fn word_end(
    text: &str,
    it: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    i: usize,
    c: char,
    latin_kk: Option<LatinKk>,
) -> usize {
    let b = text.as_bytes();
    let numeric = c.is_ascii_digit();
    let mut end = i + c.len_utf8();
    let mut last = c;
    while let Some(&(j, d)) = it.peek() {
        let joins = if numeric {
            d.is_ascii_digit()
        } else {
            is_alpha(d)
                || d.is_ascii_digit()
                || ((d == '-' || d == '\'') && {
                    let k = j + 1;
                    k < b.len() && text[k..].chars().next().is_some_and(is_alpha)
                })
                // 2017 Kazakh Latin: a final «n'» is ң
                || (d == '\''
                    && latin_kk == Some(LatinKk::Apostrophe)
                    && script().apostrophe_letters.contains(&last))
        };
        if !joins {
            break;
        }
        end = j + d.len_utf8();
        last = d;
        it.next();
    }
    end
}

/// The word or number token `text[i..end]`; `prev_char` is the character before it.
fn word_token(
    text: &str,
    i: usize,
    end: usize,
    prev_char: char,
    latin_kk: Option<LatinKk>,
) -> Token {
    let surface = &text[i..end];
    let c = surface.chars().next().unwrap_or(' ');
    let numeric = c.is_ascii_digit();
    let quoted = matches!(prev_char, '«' | '"' | '\'' | '“');
    let nchars = surface.chars().count();
    let (key, key_src) = if nchars > 64 {
        (String::new(), None)
    } else if let (Some(v), false) = (latin_kk, numeric || surface.chars().any(is_cyrillic)) {
        // folded like every other key (і→и, й→и), so «erkımen» meets «еркімен»; the
        // fold maps letter to letter, so the map to the surface stays valid
        let (k, m) = translit(surface, v);
        let folded = fold(&k);
        let k = if folded.chars().count() == k.chars().count() {
            folded
        } else {
            k
        };
        (k, Some(m))
    } else {
        (fold(surface), None)
    };
    let cap = c.is_uppercase();
    let letters = surface.chars().filter(|c| is_alpha(*c)).count();
    let acronym = letters >= 2
        && surface
            .chars()
            .filter(|c| is_alpha(*c))
            .all(char::is_uppercase);
    Token {
        start: i,
        end,
        kind: if numeric { TokKind::Num } else { TokKind::Word },
        key,
        key_src,
        cap,
        acronym,
        quoted,
    }
}

/// A one-character punctuation (or line break) token.
fn punct_token(i: usize, c: char, key: String) -> Token {
    Token {
        start: i,
        end: i + c.len_utf8(),
        kind: TokKind::Punct(c),
        key,
        key_src: None,
        cap: false,
        acronym: false,
        quoted: false,
    }
}

/// Sentence boundaries as half-open token ranges. A full stop after an initial
/// («А. Арын») or an abbreviation does not end a sentence, nor does one followed by a
/// lower-case word; a line break always does.
pub fn sentences(toks: &[Token], text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        let end_here = match t.kind {
            TokKind::Punct('\n') => true,
            TokKind::Punct('!') | TokKind::Punct('?') | TokKind::Punct('…') => true,
            TokKind::Punct('.') => {
                let prev = i.checked_sub(1).map(|p| &toks[p]);
                let initial = prev.is_some_and(|p| {
                    p.is_word() && p.cap && p.surface(text).chars().count() == 1 && p.end == t.start
                });
                let abbrev = prev.is_some_and(|p| {
                    p.is_word() && p.end == t.start && script().abbreviations.contains(&p.key)
                });
                let next = toks[i + 1..]
                    .iter()
                    .find(|n| !matches!(n.kind, TokKind::Punct('"') | TokKind::Punct('»')));
                let next_lower = next.is_some_and(|n| {
                    n.is_word()
                        && n.surface(text)
                            .chars()
                            .next()
                            .is_some_and(char::is_lowercase)
                });
                !(initial || abbrev || next_lower)
            }
            _ => false,
        };
        if end_here {
            // keep a closing quote with its sentence
            let mut e = i + 1;
            while e < toks.len()
                && matches!(toks[e].kind, TokKind::Punct('»') | TokKind::Punct('"'))
            {
                e += 1;
            }
            if e > start
                && toks[start..e]
                    .iter()
                    .any(|t| t.kind != TokKind::Punct('\n'))
            {
                out.push((start, e));
            }
            start = e;
            i = e;
            continue;
        }
        i += 1;
    }
    if start < toks.len() && toks[start..].iter().any(|t| t.kind != TokKind::Punct('\n')) {
        out.push((start, toks.len()));
    }
    out
}

/// The letter tables of `data/lang/script.toml`: look-alikes, the key fold, the letters
/// that mark each Kazakh alphabet, the transliteration, abbreviations.
#[derive(Debug)]
pub struct Script {
    kk_cyrillic: Vec<char>,
    kk_2018: Vec<char>,
    kk_2021: Vec<char>,
    apostrophe_letters: Vec<char>,
    en_function_words: Vec<String>,
    abbreviations: Vec<String>,
    lookalike: Vec<(char, char)>,
    fold: Vec<(char, char)>,
    person_key: Vec<(char, char)>,
    /// Per alphabet (in [`LatinKk`] order): multi-letter sequences, then own letters.
    sequences: [Vec<(Vec<char>, String)>; 5],
    letters: [Vec<(char, String)>; 5],
    kk_digraphs: Vec<String>,
    base: Vec<(char, String)>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ScriptFile {
    kk_cyrillic: String,
    kk_2018: String,
    kk_2021: String,
    #[serde(default)]
    kk_digraphs: Vec<String>,
    apostrophe_letters: String,
    en_function_words: Vec<String>,
    abbreviations: Vec<String>,
    lookalike: std::collections::BTreeMap<String, String>,
    fold: std::collections::BTreeMap<String, String>,
    person_key: std::collections::BTreeMap<String, String>,
    translit: TranslitFile,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TranslitFile {
    #[serde(default)]
    sequence: Vec<SequenceFile>,
    #[serde(default)]
    apostrophe: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    acute: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    y2021: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    y2021_decree: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    digraph: std::collections::BTreeMap<String, String>,
    base: std::collections::BTreeMap<String, String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SequenceFile {
    alphabets: Vec<String>,
    latin: String,
    cyrillic: String,
}

const SCRIPT_TOML: &str = include_str!("../../data/lang/script.toml");

/// The alphabets in [`LatinKk`] order, as `script.toml` names them.
const ALPHABETS: [&str; 5] = ["apostrophe", "acute", "y2021", "y2021_decree", "digraph"];

fn alphabet_index(v: LatinKk) -> usize {
    match v {
        LatinKk::Apostrophe => 0,
        LatinKk::Acute => 1,
        LatinKk::Y2021 => 2,
        LatinKk::Y2021Decree => 3,
        LatinKk::Digraph => 4,
    }
}

fn one_char(k: &str) -> Result<char, String> {
    let mut it = k.chars();
    match (it.next(), it.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(format!("script.toml: {k:?} is not a single letter")),
    }
}

fn char_map(m: &std::collections::BTreeMap<String, String>) -> Result<Vec<(char, char)>, String> {
    m.iter()
        .map(|(k, v)| Ok((one_char(k)?, one_char(v)?)))
        .collect()
}

fn str_map(m: &std::collections::BTreeMap<String, String>) -> Result<Vec<(char, String)>, String> {
    m.iter()
        .map(|(k, v)| Ok((one_char(k)?, v.clone())))
        .collect()
}

fn lookup<T: Copy>(m: &[(char, T)], c: char) -> Option<T> {
    m.iter().find(|(k, _)| *k == c).map(|(_, v)| *v)
}

impl Script {
    /// Parses `script.toml`.
    pub fn parse(src: &str) -> Result<Script, String> {
        let f: ScriptFile = toml::from_str(src).map_err(|e| format!("script.toml: {e}"))?;
        let t = &f.translit;
        let mut sequences: [Vec<(Vec<char>, String)>; 5] = Default::default();
        for s in &t.sequence {
            for a in &s.alphabets {
                let i = ALPHABETS
                    .iter()
                    .position(|x| x == a)
                    .ok_or_else(|| format!("script.toml: unknown alphabet {a:?}"))?;
                sequences[i].push((s.latin.chars().collect(), s.cyrillic.clone()));
            }
        }
        Ok(Script {
            kk_cyrillic: f.kk_cyrillic.chars().collect(),
            kk_2018: f.kk_2018.chars().collect(),
            kk_2021: f.kk_2021.chars().collect(),
            apostrophe_letters: f.apostrophe_letters.chars().collect(),
            en_function_words: f.en_function_words,
            abbreviations: f.abbreviations,
            lookalike: char_map(&f.lookalike)?,
            fold: char_map(&f.fold)?,
            person_key: char_map(&f.person_key)?,
            sequences,
            letters: [
                str_map(&t.apostrophe)?,
                str_map(&t.acute)?,
                str_map(&t.y2021)?,
                str_map(&t.y2021_decree)?,
                str_map(&t.digraph)?,
            ],
            kk_digraphs: f.kk_digraphs.clone(),
            base: str_map(&t.base)?,
        })
    }

    /// A letter of a Kazakh name compared as its Russian look-alike (`[person_key]`).
    pub fn person_key_letter(&self, c: char) -> char {
        lookup(&self.person_key, c).unwrap_or(c)
    }

    /// The Cyrillic for the lower-cased letters `chars` from `i` on: (text, letters used).
    fn translit_at(&self, chars: &[(usize, char)], i: usize, v: LatinKk) -> (&str, usize) {
        let a = alphabet_index(v);
        for (seq, out) in &self.sequences[a] {
            let here = chars.get(i..i + seq.len());
            if here.is_some_and(|h| h.iter().map(|x| x.1).eq(seq.iter().copied())) {
                return (out.as_str(), seq.len());
            }
        }
        let c = chars[i].1;
        let own = self.letters[a]
            .iter()
            .chain(&self.base)
            .find(|(k, _)| *k == c);
        (own.map(|(_, s)| s.as_str()).unwrap_or(""), 1)
    }
}

/// The embedded letter tables, parsed on first use.
pub fn script() -> &'static Script {
    static SCRIPT: std::sync::OnceLock<Script> = std::sync::OnceLock::new();
    SCRIPT.get_or_init(|| Script::parse(SCRIPT_TOML).expect("embedded data/lang/script.toml"))
}
