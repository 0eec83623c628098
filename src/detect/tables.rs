//! The language tables: TOML schema, compilation into lookup indexes, and the phrase
//! matcher that tags tokens with what they mean.
//!
//! Matching is by stem + ending: a pattern word `филиал~` matches a token whose key is
//! `филиал` followed by any ending from the `[endings]` lists (Kazakh endings are chained:
//! plural/derivational + possessive + case). Lookup cost per token is bounded by the
//! longest stem (a handful of hash probes), so tagging is linear in the text.

use super::text::{fold, normalize, tokenize, Token};
use super::TablesError;
use crate::model::{Event, Level, Role};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a: the keys are short words, for which SipHash showed up in the profile.
#[derive(Default, Clone, Copy)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;
type FnvSet<K> = HashSet<K, BuildHasherDefault<Fnv>>;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileSchema {
    #[serde(default)]
    endings: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    cue: Vec<CueDef>,
    #[serde(default)]
    party: Vec<PartyDef>,
    #[serde(default)]
    region: Vec<RegionDef>,
    #[serde(default)]
    district: Vec<DistrictDef>,
    #[serde(default)]
    foreign_region: Vec<ForeignDef>,
    #[serde(default)]
    kk_latin_words: Vec<String>,
    #[serde(default)]
    words: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CueDef {
    kind: String,
    #[serde(default)]
    value: Option<String>,
    forms: Vec<String>,
    #[serde(default)]
    voice: Option<String>,
    #[serde(default)]
    needs: Vec<String>,
    #[serde(default)]
    window: Option<usize>,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    backstory: bool,
    #[serde(default)]
    strict_role: bool,
    #[serde(default)]
    successor: bool,
    #[serde(default)]
    role_needs: Vec<String>,
    #[serde(default)]
    vague: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PartyDef {
    id: String,
    #[serde(default)]
    forms: Vec<String>,
    #[serde(default)]
    ambiguous: Vec<String>,
    #[serde(default)]
    foreign: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionDef {
    code: String,
    name: String,
    kind: String,
    #[serde(default)]
    since: Option<String>,
    forms: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DistrictDef {
    name: String,
    region: String,
    kind: String,
    #[serde(default)]
    before: Option<String>,
    forms: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ForeignDef {
    forms: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Voice {
    Passive,
    Active,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CueKind {
    Role(Role),
    Head(Role),
    Acting,
    Event(Event),
    Support(Event),
    Candidacy,
    /// «предложил избрать ... Ахмедьярова», "proposed": the candidate is the first
    /// name after the verb, in an oblique case where the language has one.
    Proposal,
    Future,
    Modal,
    Denial,
    Negation,
    Death,
    Delegate,
    Prev,
    Former,
    PrevEnd,
    Time,
    Anaphor,
    Branch,
    Level(Level),
    PartyWord,
    Central,
    State,
    NotName,
    Pronoun,
    Month(u32),
    Weekday(u32),
    RelDay(i64),
    SameDay,
    Year,
    Accept,
    /// «по собственному желанию», «өз еркімен», "at his own request": a release
    /// asked for by the holder is a resignation.
    OwnWill,
    /// «конференция», «члены филиала», "members": a body that votes, so the posts it
    /// fills («утвердили», «доверили») are elected, not appointed.
    Electorate,
    /// «бастауыш партия ұйымы», «первичная организация», "board": a body that is
    /// neither a branch nor the state, whose posts are never branch posts.
    Body,
    /// «сменил», "replaces", «орнына»: the name it governs held the post before.
    Replace,
}

#[derive(Debug, Clone)]
pub struct Cue {
    pub kind: CueKind,
    pub voice: Voice,
    pub needs: Vec<Pat>,
    pub window: usize,
    pub role: Option<Role>,
    pub backstory: bool,
    /// The post must be named right next to the verb («төрағасы болып сайланған»):
    /// participles are used attributively too.
    pub strict_role: bool,
    /// The verb says someone took the post already talked about ("X succeeds Y", "the
    /// post went to X"): the role and branch are those of the previous change.
    pub successor: bool,
    /// `role` holds only when one of these is within `window` («басшылығына X келді»
    /// is the chair; «оның орнына X келді» took whatever post was talked about).
    pub role_needs: Vec<Pat>,
    /// The verb says the post was taken, not whether by election or appointment.
    pub vague: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeoKind {
    Region,
    City,
    Town,
    District,
}

#[derive(Debug, Clone)]
pub struct GeoEntity {
    pub name: String,
    pub code: String,
    pub kind: GeoKind,
    /// (region before, date of the move)
    pub before: Option<(String, NaiveDate)>,
    pub since: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct Party {
    pub id: String,
    pub foreign: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    Cue(u32),
    Party { idx: u32, ambiguous: bool },
    Geo(u32),
    Foreign,
}

#[derive(Debug, Clone)]
pub struct Pat {
    pub text: String,
    pub stem: bool,
    /// A Kazakh verb stem (`^`): takes the `[endings] kk_verb` endings only.
    pub verb: bool,
}

#[derive(Debug, Clone)]
struct Phrase {
    words: Vec<Pat>,
    payload: Payload,
}

/// Compiled tables; see the module docs of `detect` for the file format.
#[derive(Debug, Clone)]
pub struct Tables {
    raw: FileSchema,
    pub(crate) cues: Vec<Cue>,
    pub(crate) parties: Vec<Party>,
    pub(crate) geos: Vec<GeoEntity>,
    phrases: Vec<Phrase>,
    exact_idx: FnvMap<String, Vec<u32>>,
    stem_idx: FnvMap<String, Vec<u32>>,
    verb_idx: FnvMap<String, Vec<u32>>,
    verb_endings: FnvSet<String>,
    endings: FnvSet<String>,
    max_stem_chars: usize,
    pub(crate) kk_latin_words: Vec<String>,
    /// The first stage's rules (bylines, credits, lost letters).
    pub(crate) clean: super::normalise::CleanRules,
    /// Russian and Kazakh morphology (names into the nominative); loaded once per
    /// process, since the dictionary is immutable data embedded in the binary.
    pub(crate) morph: Option<&'static crate::morph::Morph>,
    /// Final letters of a stem that Russian declension replaces (`[words]
    /// ru_declined_final`).
    declined_finals: Vec<char>,
}

/// The embedded morphology, loaded on first use (0.4 s, ~25 MB) and shared.
fn shared_morph() -> Result<&'static crate::morph::Morph, TablesError> {
    static MORPH: std::sync::OnceLock<Result<crate::morph::Morph, String>> =
        std::sync::OnceLock::new();
    MORPH
        .get_or_init(|| crate::morph::Morph::load().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| TablesError::Invalid(e.clone()))
}

/// One match of a phrase at a token.
#[derive(Debug, Clone, Copy)]
pub struct Hit {
    pub len: usize,
    pub payload: Payload,
    pub stem_chars: usize,
}

const EMBEDDED: &[(&str, &str)] = &[
    ("lexicon.toml", include_str!("../../data/lang/lexicon.toml")),
    ("parties.toml", include_str!("../../data/lang/parties.toml")),
    ("regions.toml", include_str!("../../data/lang/regions.toml")),
    (
        "districts.toml",
        include_str!("../../data/lang/districts.toml"),
    ),
];

const NORMALISE: &str = include_str!("../../data/lang/normalise.toml");

fn bad(what: impl Into<String>) -> TablesError {
    TablesError::Invalid(what.into())
}

impl Tables {
    pub fn embedded() -> Result<Tables, TablesError> {
        let mut raw = FileSchema::default();
        for (name, src) in EMBEDDED {
            let f: FileSchema = toml::from_str(src).map_err(|e| TablesError::Toml {
                file: (*name).to_string(),
                source: Box::new(e),
            })?;
            merge(&mut raw, f);
        }
        let mut t = Tables::compile(raw)?;
        let sources: Vec<&str> = EMBEDDED.iter().map(|(_, src)| *src).collect();
        t.clean = super::normalise::CleanRules::build(NORMALISE, &sources)?;
        t.morph = Some(shared_morph()?);
        Ok(t)
    }

    pub fn extend_from_toml(&mut self, src: &str) -> Result<(), TablesError> {
        let f: FileSchema = toml::from_str(src).map_err(|e| TablesError::Toml {
            file: "user tables".to_string(),
            source: Box::new(e),
        })?;
        let mut raw = self.raw.clone();
        merge(&mut raw, f);
        let clean = std::mem::take(&mut self.clean);
        let morph = self.morph;
        *self = Tables::compile(raw)?;
        self.clean = clean;
        self.morph = morph;
        Ok(())
    }

    fn compile(raw: FileSchema) -> Result<Tables, TablesError> {
        let mut t = Tables {
            raw: FileSchema::default(),
            cues: Vec::new(),
            parties: Vec::new(),
            geos: Vec::new(),
            phrases: Vec::new(),
            exact_idx: FnvMap::default(),
            stem_idx: FnvMap::default(),
            verb_idx: FnvMap::default(),
            verb_endings: raw
                .endings
                .get("kk_verb")
                .into_iter()
                .flatten()
                .map(|e| fold(e))
                .collect(),
            endings: ending_set(&raw),
            max_stem_chars: 0,
            kk_latin_words: raw.kk_latin_words.iter().map(|w| fold(w)).collect(),
            clean: Default::default(),
            morph: None,
            declined_finals: raw
                .words
                .get("ru_declined_final")
                .map(|v| v.iter().filter_map(|w| fold(w).chars().next()).collect())
                .unwrap_or_default(),
        };
        t.add_cues(&raw.cue)?;
        t.add_parties(&raw.party)?;
        t.add_regions(&raw.region)?;
        t.add_districts(&raw.district)?;
        for fr in &raw.foreign_region {
            for f in &fr.forms {
                t.add_phrase(f, Payload::Foreign)?;
            }
        }
        t.raw = raw;
        Ok(t)
    }

    fn add_cues(&mut self, defs: &[CueDef]) -> Result<(), TablesError> {
        for c in defs {
            let kind = parse_kind(c)?;
            let voice = match c.voice.as_deref() {
                None | Some("passive") => Voice::Passive,
                Some("active") => Voice::Active,
                Some(v) => {
                    return Err(bad(format!("cue voice {v:?} (expected passive or active)")))
                }
            };
            let role = match &c.role {
                Some(r) => Some(r.parse::<Role>().map_err(|e| bad(e.to_string()))?),
                None => None,
            };
            let idx = self.cues.len() as u32;
            self.cues.push(Cue {
                kind,
                voice,
                needs: c.needs.iter().map(|n| pat(n)).collect(),
                window: c.window.unwrap_or(5),
                role,
                backstory: c.backstory,
                strict_role: c.strict_role,
                successor: c.successor,
                role_needs: c.role_needs.iter().map(|n| pat(n)).collect(),
                vague: c.vague,
            });
            for f in &c.forms {
                self.add_phrase(f, Payload::Cue(idx))?;
            }
        }
        Ok(())
    }

    fn add_parties(&mut self, defs: &[PartyDef]) -> Result<(), TablesError> {
        for p in defs {
            let idx = self.parties.len() as u32;
            self.parties.push(Party {
                id: p.id.clone(),
                foreign: p.foreign,
            });
            for f in &p.forms {
                self.add_phrase(
                    f,
                    Payload::Party {
                        idx,
                        ambiguous: false,
                    },
                )?;
            }
            for f in &p.ambiguous {
                self.add_phrase(
                    f,
                    Payload::Party {
                        idx,
                        ambiguous: true,
                    },
                )?;
            }
        }
        Ok(())
    }

    fn add_regions(&mut self, defs: &[RegionDef]) -> Result<(), TablesError> {
        for r in defs {
            let kind = match r.kind.as_str() {
                "region" => GeoKind::Region,
                "city" => GeoKind::City,
                k => return Err(bad(format!("region kind {k:?} (expected region or city)"))),
            };
            let since = match &r.since {
                Some(s) => Some(date(s)?),
                None => None,
            };
            let idx = self.geos.len() as u32;
            self.geos.push(GeoEntity {
                name: r.name.clone(),
                code: r.code.clone(),
                kind,
                before: None,
                since,
            });
            for f in &r.forms {
                self.add_phrase(f, Payload::Geo(idx))?;
            }
        }
        Ok(())
    }

    fn add_districts(&mut self, defs: &[DistrictDef]) -> Result<(), TablesError> {
        for d in defs {
            let kind = match d.kind.as_str() {
                "district" => GeoKind::District,
                "town" => GeoKind::Town,
                k => {
                    return Err(bad(format!(
                        "district kind {k:?} (expected district or town)"
                    )))
                }
            };
            let before = match &d.before {
                Some(b) => {
                    let (code, day) = b.split_once('@').ok_or_else(|| {
                        bad(format!("district before {b:?} (expected CODE@YYYY-MM-DD)"))
                    })?;
                    Some((code.to_string(), date(day)?))
                }
                None => None,
            };
            let idx = self.geos.len() as u32;
            self.geos.push(GeoEntity {
                name: d.name.clone(),
                code: d.region.clone(),
                kind,
                before,
                since: None,
            });
            for f in &d.forms {
                self.add_phrase(f, Payload::Geo(idx))?;
            }
        }
        Ok(())
    }

    fn add_phrase(&mut self, form: &str, payload: Payload) -> Result<(), TablesError> {
        let norm = normalize(form);
        let words: Vec<Pat> = norm.split_whitespace().map(pat).collect();
        let Some(first) = words.first() else {
            return Err(bad(format!("empty form {form:?}")));
        };
        if first.text.is_empty() {
            return Err(bad(format!("form {form:?} starts with a bare `~` or `^`")));
        }
        let id = self.phrases.len() as u32;
        if first.verb {
            self.max_stem_chars = self.max_stem_chars.max(first.text.chars().count());
            self.verb_idx
                .entry(first.text.clone())
                .or_default()
                .push(id);
        } else if first.stem {
            self.max_stem_chars = self.max_stem_chars.max(first.text.chars().count());
            self.stem_idx
                .entry(first.text.clone())
                .or_default()
                .push(id);
            // Russian declension replaces a final а/я/й/ь: «Костанай» → «в Костанае»,
            // «Астана» → «Астаны», so the stem also stands without it
            if let Some(short) = declinable_stem(&first.text, &self.declined_finals) {
                self.stem_idx.entry(short).or_default().push(id);
            }
        } else {
            self.exact_idx
                .entry(first.text.clone())
                .or_default()
                .push(id);
        }
        self.phrases.push(Phrase { words, payload });
        Ok(())
    }

    /// The named list of `[words]` (empty when no file defines it).
    pub fn words(&self, list: &str) -> &[String] {
        self.raw.words.get(list).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether the folded token `key` is one of the words of `list`.
    pub fn word_in(&self, list: &str, key: &str) -> bool {
        self.words(list).iter().any(|w| w == key)
    }

    /// Whether `key` begins with one of the entries of `list`.
    pub fn starts_with_word(&self, list: &str, key: &str) -> bool {
        self.words(list).iter().any(|w| key.starts_with(w.as_str()))
    }

    /// Whether `key` ends with one of the entries of `list`.
    pub fn ends_with_word(&self, list: &str, key: &str) -> bool {
        self.words(list).iter().any(|w| key.ends_with(w.as_str()))
    }

    /// The first entry of `list` that `key` ends with (lists keep their order, so a
    /// list can put longer endings first).
    pub fn end_in(&self, list: &str, key: &str) -> Option<&str> {
        self.words(list)
            .iter()
            .map(String::as_str)
            .find(|w| key.ends_with(w))
    }

    /// For a list of `ending>replacement` rules: the first rule whose ending `key` ends
    /// with and for which `ok` accepts the character before the ending (`None` at the
    /// start of the key), as (characters to cut from the end, text to add).
    pub fn rewrite_end_if(
        &self,
        list: &str,
        key: &str,
        ok: impl Fn(Option<char>) -> bool,
    ) -> Option<(usize, &str)> {
        self.words(list).iter().find_map(|r| {
            let (end, repl) = r.split_once('>')?;
            let stem = key.strip_suffix(end)?;
            ok(stem.chars().next_back()).then(|| rule_cut(end, repl))
        })
    }

    /// [`Tables::rewrite_end_if`] without a condition.
    pub fn rewrite_end(&self, list: &str, key: &str) -> Option<(usize, &str)> {
        self.rewrite_end_if(list, key, |_| true)
    }

    /// Whether the single character `c` is one of the entries of `list`.
    pub fn char_in(&self, list: &str, c: char) -> bool {
        let mut buf = [0u8; 4];
        self.word_in(list, c.encode_utf8(&mut buf))
    }

    pub fn word_matches(&self, p: &Pat, key: &str) -> bool {
        if p.verb {
            key.strip_prefix(p.text.as_str())
                .is_some_and(|rest| self.verb_endings.contains(rest))
        } else if p.stem {
            key.strip_prefix(p.text.as_str())
                .is_some_and(|rest| self.endings.contains(rest))
        } else {
            key == p.text
        }
    }

    /// Every phrase matching at token `i`. Phrases never cross a line break.
    pub fn hits_at(&self, toks: &[Token], i: usize, out: &mut Vec<Hit>) {
        out.clear();
        let key = toks[i].key.as_str();
        if key.is_empty() {
            return;
        }
        let push = |pid: u32, stem_chars: usize, out: &mut Vec<Hit>| {
            let ph = &self.phrases[pid as usize];
            let ok = ph.words.iter().enumerate().skip(1).all(|(k, w)| {
                toks.get(i + k)
                    .is_some_and(|t| !t.key.is_empty() && self.word_matches(w, &t.key))
            });
            if ok {
                out.push(Hit {
                    len: ph.words.len(),
                    payload: ph.payload,
                    stem_chars,
                });
            }
        };
        if let Some(v) = self.exact_idx.get(key) {
            let n = key.chars().count();
            for &p in v {
                push(p, n, out);
            }
        }
        let mut n = 0;
        for (b, _) in key
            .char_indices()
            .skip(1)
            .chain(std::iter::once((key.len(), ' ')))
        {
            n += 1;
            if n > self.max_stem_chars {
                break;
            }
            let (stem, rest) = key.split_at(b);
            if let Some(v) = self.stem_idx.get(stem) {
                if self.endings.contains(rest) {
                    for &p in v {
                        push(p, n, out);
                    }
                }
            }
            if let Some(v) = self.verb_idx.get(stem) {
                if self.verb_endings.contains(rest) {
                    for &p in v {
                        push(p, n, out);
                    }
                }
            }
        }
    }

    pub fn party_id_of(&self, idx: u32) -> &str {
        &self.parties[idx as usize].id
    }

    /// Tags for a short free-text query such as a region or party name.
    pub fn lookup_phrase(&self, text: &str) -> Vec<Hit> {
        let norm = normalize(text);
        let toks = tokenize(&norm, None);
        let mut out = Vec::new();
        if toks.is_empty() {
            return out;
        }
        let mut hits = Vec::new();
        self.hits_at(&toks, 0, &mut hits);
        let words = toks.iter().filter(|t| !t.key.is_empty()).count();
        for h in hits {
            // the query must be (nearly) all consumed: "Жетысуская область" is fine
            if h.len + 1 >= words {
                out.push(h);
            }
        }
        out.sort_by_key(|h| std::cmp::Reverse((h.len, h.stem_chars)));
        out
    }
}

/// Every ending a stem may take: the Kazakh chains (plural/derivational + possessive +
/// case) and the flat lists of the other languages, folded.
fn ending_set(raw: &FileSchema) -> FnvSet<String> {
    let mut endings: FnvSet<String> = FnvSet::default();
    endings.insert(String::new());
    let kk = |k: &str| raw.endings.get(k).cloned().unwrap_or_default();
    let (pl, der, poss, case) = (
        kk("kk_plural"),
        kk("kk_derivational"),
        kk("kk_possessive"),
        kk("kk_case"),
    );
    let mut first: Vec<String> = vec![String::new()];
    first.extend(pl.iter().cloned());
    first.extend(der.iter().cloned());
    // plural + derivational («облыстықтар») is rare; derivational + plural is not needed
    let mut second: Vec<String> = vec![String::new()];
    second.extend(poss.iter().cloned());
    let mut third: Vec<String> = vec![String::new()];
    third.extend(case.iter().cloned());
    for a in &first {
        for b in &second {
            for c in &third {
                endings.insert(fold(&format!("{a}{b}{c}")));
            }
        }
    }
    for (k, v) in &raw.endings {
        if !k.starts_with("kk_") {
            endings.extend(v.iter().map(|s| fold(s)));
        }
    }
    endings
}

/// An `ending>replacement` rule as (characters to cut, text to add): what the two
/// share at the start stays.
fn rule_cut<'r>(end: &str, repl: &'r str) -> (usize, &'r str) {
    let mut keep = 0;
    let mut keep_bytes = 0;
    for (a, b) in end.chars().zip(repl.chars()) {
        if a != b {
            break;
        }
        keep += 1;
        keep_bytes += b.len_utf8();
    }
    (end.chars().count() - keep, &repl[keep_bytes..])
}

/// A stem (folded) without its last letter when that letter is one Russian case
/// endings replace (`finals`: а, я, й — folded to и — and ь), for stems long enough
/// to stay specific.
fn declinable_stem(stem: &str, finals: &[char]) -> Option<String> {
    const MIN_CHARS: usize = 5;
    let mut cs = stem.chars();
    let last = cs.next_back()?;
    let rest: String = cs.collect();
    (finals.contains(&last) && rest.chars().count() >= MIN_CHARS - 1).then_some(rest)
}

fn pat(w: &str) -> Pat {
    let f = fold(w);
    if let Some(s) = f.strip_suffix('^') {
        return Pat {
            text: s.to_string(),
            stem: false,
            verb: true,
        };
    }
    match f.strip_suffix('~') {
        Some(s) => Pat {
            text: s.to_string(),
            stem: true,
            verb: false,
        },
        None => Pat {
            text: f,
            stem: false,
            verb: false,
        },
    }
}

fn date(s: &str) -> Result<NaiveDate, TablesError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| bad(format!("date {s:?} (expected YYYY-MM-DD)")))
}

fn merge(into: &mut FileSchema, f: FileSchema) {
    for (k, v) in f.endings {
        into.endings.entry(k).or_default().extend(v);
    }
    into.cue.extend(f.cue);
    // A party with a known id gains forms rather than becoming a second party.
    for p in f.party {
        match into.party.iter_mut().find(|q| q.id == p.id) {
            Some(q) => {
                q.forms.extend(p.forms);
                q.ambiguous.extend(p.ambiguous);
                q.foreign |= p.foreign;
            }
            None => into.party.push(p),
        }
    }
    into.region.extend(f.region);
    into.district.extend(f.district);
    into.foreign_region.extend(f.foreign_region);
    into.kk_latin_words.extend(f.kk_latin_words);
    for (k, v) in f.words {
        into.words.entry(k).or_default().extend(v);
    }
}

fn parse_kind(c: &CueDef) -> Result<CueKind, TablesError> {
    let v = c.value.as_deref().unwrap_or("");
    let num = |v: &str| {
        v.parse::<i64>()
            .map_err(|_| bad(format!("cue {} value {v:?} is not a number", c.kind)))
    };
    let role = |v: &str| v.parse::<Role>().map_err(|e| bad(e.to_string()));
    let event = |v: &str| v.parse::<Event>().map_err(|e| bad(e.to_string()));
    Ok(match c.kind.as_str() {
        "role" => CueKind::Role(role(v)?),
        "head" => CueKind::Head(role(if v.is_empty() { "chair" } else { v })?),
        "acting" => CueKind::Acting,
        "event" => CueKind::Event(event(v)?),
        "support" => CueKind::Support(event(if v.is_empty() { "elected" } else { v })?),
        "candidacy" => CueKind::Candidacy,
        "proposal" => CueKind::Proposal,
        "future" => CueKind::Future,
        "modal" => CueKind::Modal,
        "denial" => CueKind::Denial,
        "negation" => CueKind::Negation,
        "death" => CueKind::Death,
        "delegate" => CueKind::Delegate,
        "prev" => CueKind::Prev,
        "former" => CueKind::Former,
        "prev_end" => CueKind::PrevEnd,
        "time" => CueKind::Time,
        "anaphor" => CueKind::Anaphor,
        "branch" => CueKind::Branch,
        "level" => CueKind::Level(v.parse::<Level>().map_err(|e| bad(e.to_string()))?),
        "party_word" => CueKind::PartyWord,
        "central" => CueKind::Central,
        "state" => CueKind::State,
        "body" => CueKind::Body,
        "replace" => CueKind::Replace,
        "not_name" => CueKind::NotName,
        "pronoun" => CueKind::Pronoun,
        "month" => CueKind::Month(num(v)?.clamp(1, 12) as u32),
        "weekday" => CueKind::Weekday(num(v)?.clamp(1, 7) as u32),
        "relday" => CueKind::RelDay(num(v)?),
        "sameday" => CueKind::SameDay,
        "year" => CueKind::Year,
        "accept" => CueKind::Accept,
        "own_will" => CueKind::OwnWill,
        "electorate" => CueKind::Electorate,
        k => return Err(bad(format!("unknown cue kind {k:?}"))),
    })
}
