//! Mention tagging and relation building: the rules that turn tagged sentences into
//! [`DetectedChange`]s, with a reason recorded for every candidate that is dropped.
//!
//! Each event verb is related to the nearest person, role and branch in its own clause
//! (the stretch between neighbouring event verbs), so several changes in one sentence
//! stay apart. A bare «филиал» / "the branch" falls back to the article's *topic branch*
//! (the first branch named with a place), which is how an article names its branch once
//! and then only says «партия филиалы». All searches are in bounded windows, so the
//! work is linear in the text.

use super::tables::{CueKind, GeoKind, Hit, Payload, Tables};
use super::text::{guess_lang, normalize, sentences, tokenize, LatinKk, TokKind, Token};
use super::{ExplainedChange, Explanation, MentionInfo, Rejection};
use crate::model::{DetectInput, DetectedChange, Event, Lang, Level, Role};
use chrono::{Datelike, Duration, NaiveDate};

#[path = "frames.rs"]
mod frames;

#[derive(Debug, Clone)]
enum MK {
    Cue(u32),
    Party(u32),
    Geo(Vec<u32>),
    Foreign,
}

#[derive(Debug, Clone)]
struct Mention {
    start: usize,
    end: usize,
    kind: MK,
}

#[derive(Debug, Clone)]
struct NameM {
    start: usize,
    end: usize,
    /// token indices of the parts (initials are single-letter word tokens)
    parts: Vec<usize>,
}

/// A place mention: candidate entities and the level word next to it, if any.
type GeoRef = (Vec<u32>, Option<Level>);

#[derive(Debug, Clone, Copy, PartialEq)]
enum DateInfo {
    Full(NaiveDate),
    MonthOnly,
}

const NONE: u32 = u32::MAX;
/// Sentences longer than this many tokens are only searched in windows this wide.
const WIN: usize = 40;

struct Doc<'a> {
    t: &'a Tables,
    text: String,
    toks: Vec<Token>,
    sents: Vec<(usize, usize)>,
    ments: Vec<Mention>,
    tok_m: Vec<u32>,
    names: Vec<NameM>,
    tok_n: Vec<u32>,
    lang: Lang,
    published: Option<NaiveDate>,
    in_quotes: Vec<bool>,
    prev_spans: Vec<(usize, usize)>,
    /// keys of every name part, to tell «Арынның» (Арын + genitive) from a new name
    known: std::collections::HashSet<String>,
    /// first four letters of each name part → names, for finding other spellings
    by_stem: std::collections::HashMap<String, Vec<u32>>,
    /// each name built in the nominative, with its folded parts (cached: looked up often)
    nom: Vec<(String, Vec<String>)>,
}

struct Topic {
    geo: Option<GeoRef>,
    party: Option<u32>,
}

#[derive(Clone)]
struct Built {
    sentence: usize,
    change: DetectedChange,
    rule: String,
    name_end: usize,
    level_hint: Option<Level>,
}

pub(super) fn run(input: &DetectInput, tables: &Tables, explain: bool) -> Explanation {
    let mut text = normalize(input.title.trim());
    text.push('\n');
    text.push_str(&normalize(input.text));
    let (lang, latin) = guess_lang(&text, input.lang, &tables.kk_latin_words);
    let latin = if lang == Lang::Kk { latin } else { None };
    let toks = tokenize(&text, latin);
    let sents = sentences(&toks, &text);
    let mut d = Doc {
        t: tables,
        tok_m: vec![NONE; toks.len()],
        tok_n: vec![NONE; toks.len()],
        in_quotes: vec![false; toks.len()],
        toks,
        text,
        sents,
        ments: Vec::new(),
        names: Vec::new(),
        lang,
        published: input.published,
        prev_spans: Vec::new(),
        known: Default::default(),
        by_stem: Default::default(),
        nom: Vec::new(),
    };
    d.tag();
    d.find_names();
    d.index_names();
    d.find_prev_spans();
    let mut ex = Explanation {
        lang,
        kazakh_latin: latin.map(|v| {
            match v {
                LatinKk::Apostrophe => "2017",
                LatinKk::Acute => "2018",
                LatinKk::Y2021 => "2021",
            }
            .to_string()
        }),
        sentences: Vec::new(),
        mentions: Vec::new(),
        changes: Vec::new(),
        rejected: Vec::new(),
    };
    if explain {
        for &(a, b) in &d.sents {
            ex.sentences.push(d.span_text(a, b));
        }
        for m in &d.ments {
            ex.mentions.push(MentionInfo {
                sentence: d.sent_of(m.start),
                kind: d.mention_kind_name(m),
                text: d.span_text(m.start, m.end),
            });
        }
        for n in &d.names {
            ex.mentions.push(MentionInfo {
                sentence: d.sent_of(n.start),
                kind: "person".into(),
                text: d.span_text(n.start, n.end),
            });
        }
        ex.mentions.sort_by_key(|m| m.sentence);
    }
    let built = d.relate(&mut ex.rejected);
    ex.changes = built
        .into_iter()
        .map(|b| ExplainedChange {
            sentence: b.sentence,
            rule: b.rule,
            change: b.change,
        })
        .collect();
    if !explain {
        ex.rejected.clear();
    }
    ex
}

/// Region code for a free-text place name (used by `region_code`).
pub(super) fn region_of_phrase(name: &str, t: &Tables) -> Option<String> {
    let hits = t.lookup_phrase(name);
    let ids: Vec<u32> = hits
        .iter()
        .filter_map(|h| match h.payload {
            Payload::Geo(g) => Some(g),
            _ => None,
        })
        .collect();
    if ids.is_empty() {
        return None;
    }
    let norm = normalize(name);
    let toks = tokenize(&norm, None);
    let mut level = None;
    let mut hs = Vec::new();
    for i in 0..toks.len() {
        t.hits_at(&toks, i, &mut hs);
        for h in &hs {
            if let Payload::Cue(c) = h.payload {
                if let CueKind::Level(l) = t.cues[c as usize].kind {
                    level = Some(l);
                }
            }
        }
    }
    resolve_geo(t, &ids, level, None, None).map(|(_, code, _)| code)
}

fn resolve_geo(
    t: &Tables,
    ids: &[u32],
    level: Option<Level>,
    ctx_region: Option<&str>,
    published: Option<NaiveDate>,
) -> Option<(Level, String, Option<String>)> {
    let ents: Vec<&super::tables::GeoEntity> = ids.iter().map(|&i| &t.geos[i as usize]).collect();
    let code_of = |e: &super::tables::GeoEntity| -> String {
        if let Some((before, day)) = &e.before {
            match published {
                Some(p) if p < *day => return before.clone(),
                // undated: the region the article itself names settles which side of
                // the split the town or district is on
                None if ctx_region == Some(before.as_str()) => return before.clone(),
                _ => {}
            }
        }
        e.code.clone()
    };
    // a region that did not exist yet (Abai, Jetisu, Ulytau before June 2022) had no branch
    let existed =
        |e: &&super::tables::GeoEntity| e.since.is_none_or(|s| published.is_none_or(|p| p >= s));
    let find = |k: GeoKind| -> Option<&super::tables::GeoEntity> {
        let mut it = ents.iter().filter(|e| e.kind == k).filter(|e| existed(e));
        let first = it.clone().next().copied();
        match ctx_region {
            Some(r) => it
                .find(|e| e.code == r || e.before.as_ref().is_some_and(|(b, _)| b == r))
                .copied()
                .or(first),
            None => first,
        }
    };
    match level {
        Some(Level::Region) => {
            if let Some(e) = find(GeoKind::Region) {
                return Some((Level::Region, code_of(e), None));
            }
            if let Some(e) = find(GeoKind::Town).or_else(|| find(GeoKind::District)) {
                return Some((Level::Region, code_of(e), None));
            }
            find(GeoKind::City).map(|e| (Level::City, code_of(e), None))
        }
        Some(Level::City) => {
            if let Some(e) = find(GeoKind::City) {
                return Some((Level::City, code_of(e), None));
            }
            if let Some(e) = find(GeoKind::Town) {
                return Some((Level::City, code_of(e), Some(e.name.clone())));
            }
            find(GeoKind::Region).map(|e| (Level::City, code_of(e), None))
        }
        Some(Level::District) => {
            if let Some(e) = find(GeoKind::District) {
                return Some((Level::District, code_of(e), Some(e.name.clone())));
            }
            None
        }
        None => {
            if let Some(e) = find(GeoKind::City) {
                return Some((Level::City, code_of(e), None));
            }
            if let Some(e) = find(GeoKind::Region) {
                return Some((Level::Region, code_of(e), None));
            }
            if let Some(e) = find(GeoKind::District) {
                return Some((Level::District, code_of(e), Some(e.name.clone())));
            }
            find(GeoKind::Town).map(|e| (Level::City, code_of(e), Some(e.name.clone())))
        }
    }
}

fn role_en(r: Role) -> &'static str {
    match r {
        Role::Chair => "chair",
        Role::FirstDeputyChair => "first deputy chair",
        Role::DeputyChair => "deputy chair",
        Role::ExecutiveSecretary => "executive secretary",
        Role::FirstSecretary => "first secretary",
    }
}

fn level_en(l: Option<Level>) -> &'static str {
    match l {
        Some(Level::Region) => "the regional branch",
        Some(Level::City) => "the city branch",
        Some(Level::District) => "the district branch",
        None => "the branch",
    }
}

const SURNAME_ENDS: &[&str] = &[
    "ов", "ев", "ин", "ова", "ева", "ина", "ұлы", "улы", "қызы", "кызы", "енко", "скии", "ская",
    "цкии", "ых", "uly", "kyzy", "ov", "ev", "ova", "eva", "in", "ina", "enko", "sky", "ұлы",
    "оглы",
];
const KK_NAME_CASES: &[&str] = &[
    "тың", "тиң", "ның", "ниң", "дың", "диң", "тан", "тен", "дан", "ден", "нан", "нен", "мен",
    "бен", "пен", "нда", "нде", "ты", "ти", "ды", "ди", "ны", "ни", "ға", "ге", "қа", "ке", "на",
    "не", "та", "те", "да", "де",
];
const RU_PATRONYMIC: &[&str] = &["ович", "евич", "овна", "евна", "ична", "инична", "ьич"];

fn surname_like(k: &str) -> bool {
    SURNAME_ENDS.iter().any(|e| k.ends_with(e)) && k.chars().count() > 3
}

fn kk_patronymic(k: &str) -> bool {
    ["ұлы", "улы", "қызы", "кызы", "uly", "kyzy", "uli", "qyzy"]
        .iter()
        .any(|e| k.ends_with(e))
}

fn ru_patronymic(k: &str) -> bool {
    RU_PATRONYMIC.iter().any(|e| k.ends_with(e))
}

impl<'a> Doc<'a> {
    fn span_text(&self, a: usize, b: usize) -> String {
        if a >= b || b > self.toks.len() {
            return String::new();
        }
        self.text[self.toks[a].start..self.toks[b - 1].end]
            .replace('\n', " ")
            .trim()
            .to_string()
    }

    fn sent_of(&self, tok: usize) -> usize {
        self.sents.partition_point(|&(_, e)| e <= tok)
    }

    fn cue(&self, m: &Mention) -> Option<CueKind> {
        match m.kind {
            MK::Cue(c) => Some(self.t.cues[c as usize].kind),
            _ => None,
        }
    }

    fn mention_kind_name(&self, m: &Mention) -> String {
        match &m.kind {
            MK::Cue(c) => {
                let k = self.t.cues[*c as usize].kind;
                match k {
                    CueKind::Role(r) | CueKind::Head(r) => format!("role:{r}"),
                    CueKind::Event(e) | CueKind::Support(e) => format!("event:{e}"),
                    CueKind::Level(l) => format!("level:{l}"),
                    other => format!("{other:?}").to_lowercase(),
                }
            }
            MK::Party(p) => format!("party:{}", self.t.party_id_of(*p)),
            MK::Geo(ids) => {
                let names: Vec<String> = ids
                    .iter()
                    .map(|&i| {
                        let g = &self.t.geos[i as usize];
                        format!("{}({})", g.name, g.code)
                    })
                    .collect();
                format!("place:{}", names.join("|"))
            }
            MK::Foreign => "foreign".into(),
        }
    }

    // ------------------------------------------------------------------ tagging
    fn tag(&mut self) {
        // quotes
        let mut depth = 0i32;
        let mut dq = false;
        for (i, t) in self.toks.iter().enumerate() {
            match t.kind {
                TokKind::Punct('«') => depth += 1,
                TokKind::Punct('»') => depth = (depth - 1).max(0),
                TokKind::Punct('"') => dq = !dq,
                TokKind::Punct('\n') => {
                    depth = 0;
                    dq = false;
                }
                _ => {}
            }
            self.in_quotes[i] = depth > 0 || dq;
        }
        let mut hits: Vec<Hit> = Vec::new();
        let mut i = 0;
        let n = self.toks.len();
        while i < n {
            if !self.toks[i].is_word() && !self.toks[i].is_punct('.') && !self.toks[i].is_punct('—')
            {
                i += 1;
                continue;
            }
            self.t.hits_at(&self.toks, i, &mut hits);
            // drop ambiguous party names used as ordinary words, and short lower-case places
            let tok = &self.toks[i];
            let toks = &self.toks;
            let party_near = |i: usize| {
                let lo = i.saturating_sub(5);
                let hi = (i + 6).min(toks.len());
                (lo..hi).any(|j| {
                    let k = &toks[j].key;
                    k.starts_with("парти") || k.starts_with("party") || k.starts_with("partii")
                })
            };
            // a place named like a surname («Сатпаев», «Конаев») next to a given name is a person
            let tok_m = &self.tok_m;
            let capw = |j: usize| {
                toks.get(j)
                    .is_some_and(|t| t.is_word() && t.cap && !t.acronym && tok_m[j] == NONE)
            };
            let name_next_to = |i: usize| {
                let k = tok.key.as_str();
                let looks = surname_like(k)
                    || ["у", "а", "е", "ым", "ом"]
                        .iter()
                        .any(|e| k.strip_suffix(e).is_some_and(surname_like));
                looks
                    && (i
                        .checked_sub(1)
                        .is_some_and(|p| capw(p) && toks[p].end < tok.start)
                        || capw(i + 1))
            };
            // a place that is also a given name («Жәнібек», «Шолақ») right before a surname
            let given_before_surname = |i: usize| {
                toks.get(i + 1).is_some_and(|n| {
                    n.is_word() && n.cap && !n.acronym && n.start > tok.end && surname_like(&n.key)
                })
            };
            hits.retain(|h| match h.payload {
                Payload::Geo(_) if h.len == 1 && tok.cap && name_next_to(i) => false,
                Payload::Geo(_) if h.len == 1 && tok.cap && given_before_surname(i) => false,
                Payload::Party {
                    ambiguous: true, ..
                } => tok.cap && (tok.quoted || party_near(i)),
                Payload::Geo(_) | Payload::Foreign => tok.cap || h.stem_chars >= 6 || h.len > 1,
                _ => true,
            });
            if hits.is_empty() {
                i += 1;
                continue;
            }
            let best_len = hits.iter().map(|h| h.len).max().unwrap_or(1);
            hits.retain(|h| h.len == best_len);
            let geos: Vec<u32> = hits
                .iter()
                .filter_map(|h| match h.payload {
                    Payload::Geo(g) => Some(g),
                    _ => None,
                })
                .collect();
            let party = hits.iter().find_map(|h| match h.payload {
                Payload::Party { idx, .. } => Some(idx),
                _ => None,
            });
            let kind = if let Some(p) = party {
                MK::Party(p)
            } else if hits.iter().any(|h| h.payload == Payload::Foreign) {
                MK::Foreign
            } else if !geos.is_empty() {
                let mut g = geos;
                g.sort_unstable();
                g.dedup();
                MK::Geo(g)
            } else {
                let best = hits
                    .iter()
                    .filter_map(|h| match h.payload {
                        Payload::Cue(c) => Some((h.stem_chars, std::cmp::Reverse(c), c)),
                        _ => None,
                    })
                    .max();
                match best {
                    Some((_, _, c)) => MK::Cue(c),
                    None => {
                        i += 1;
                        continue;
                    }
                }
            };
            let mi = self.ments.len() as u32;
            for j in i..(i + best_len).min(n) {
                self.tok_m[j] = mi;
            }
            let geo_with_level = matches!(kind, MK::Geo(_)) && best_len > 1;
            self.ments.push(Mention {
                start: i,
                end: i + best_len,
                kind,
            });
            i += best_len;
            // «Жамбыл облыстық комитеті»: a place phrase that swallowed its level word
            // leaves «комитет» alone, which is then the party's regional committee
            if geo_with_level
                && i < n
                && self.toks[i].key.starts_with("комитет")
                && ["облыс", "област", "қала", "город", "аудан", "район"]
                    .iter()
                    .any(|l| self.toks[i - 1].key.starts_with(l))
            {
                if let Some(bc) = self.t.cues.iter().position(|c| c.kind == CueKind::Branch) {
                    self.tok_m[i] = self.ments.len() as u32;
                    self.ments.push(Mention {
                        start: i,
                        end: i + 1,
                        kind: MK::Cue(bc as u32),
                    });
                    i += 1;
                }
            }
        }
    }

    fn m_at(&self, i: usize) -> Option<&Mention> {
        self.tok_m.get(i).and_then(|&m| {
            if m == NONE {
                None
            } else {
                self.ments.get(m as usize)
            }
        })
    }

    fn cue_at(&self, i: usize) -> Option<CueKind> {
        self.m_at(i).and_then(|m| self.cue(m))
    }

    /// An untagged lower-case noun phrase word in the genitive (Kazakh «кеңестің»,
    /// Russian «совета», «общественного»): the owner of a role next to it.
    fn untagged_genitive(&self, i: usize) -> bool {
        let Some(t) = self.toks.get(i) else {
            return false;
        };
        if !t.is_word() || t.cap || self.tok_m[i] != NONE || t.key.chars().count() < 4 {
            return false;
        }
        let k = t.key.as_str();
        match self.lang {
            Lang::Kk => ["ның", "ниң", "дың", "диң", "тың", "тиң"]
                .iter()
                .any(|e| k.ends_with(e)),
            Lang::Ru => [
                "ого", "его", "ых", "их", "ия", "ии", "ства", "ета", "ата", "ора", "ела", "ои",
                "еи",
            ]
            .iter()
            .any(|e| k.ends_with(e)),
            Lang::En => false,
        }
    }

    /// A short function word between a role or branch and its owner ("of the", «по», «в»).
    fn is_filler(&self, i: usize) -> bool {
        let t = &self.toks[i];
        if matches!(
            t.kind,
            TokKind::Punct('«') | TokKind::Punct('»') | TokKind::Punct('"') | TokKind::Punct('\'')
        ) {
            return true;
        }
        let untagged_or_plain = self.tok_m[i] == NONE || self.cue_at(i) == Some(CueKind::NotName);
        t.is_word()
            && untagged_or_plain
            && (t.key.chars().count() <= 3 || matches!(t.key.as_str(), "their" | "партии"))
    }

    fn is_initial(&self, i: usize) -> bool {
        let t = &self.toks[i];
        t.is_word()
            && t.cap
            && t.surface(&self.text).chars().count() == 1
            && self
                .toks
                .get(i + 1)
                .is_some_and(|n| n.is_punct('.') && n.start == t.end)
    }

    fn nameish(&self, i: usize) -> bool {
        let t = &self.toks[i];
        // an initial may collide with a one-letter word («г.», "A") in the tables
        let single = self.m_at(i).is_none_or(|m| m.end - m.start == 1);
        t.is_word()
            && t.cap
            && !t.acronym
            && self.tok_m[i] == NONE
            && !self.in_quotes[i]
            && t.key.chars().count() >= 2
            || (self.is_initial(i) && single && !self.in_quotes[i] && self.next_is_nameish(i + 2))
    }

    fn next_is_nameish(&self, j: usize) -> bool {
        self.toks
            .get(j)
            .is_some_and(|t| t.is_word() && t.cap && (self.tok_m[j] == NONE || self.is_initial(j)))
    }

    fn find_names(&mut self) {
        for si in 0..self.sents.len() {
            let (a, b) = self.sents[si];
            let mut i = a;
            while i < b {
                if !self.nameish(i) {
                    i += 1;
                    continue;
                }
                let mut parts = vec![i];
                let mut j = if self.is_initial(i) { i + 2 } else { i + 1 };
                while j < b && self.nameish(j) {
                    parts.push(j);
                    j = if self.is_initial(j) { j + 2 } else { j + 1 };
                }
                let end = j;
                // sentence-initial capitalised common word before a real name
                let first_is_initial = self.is_initial(parts[0]);
                let sentence_start = parts[0] == a
                    || (parts[0] > a && self.toks[a..parts[0]].iter().all(|t| !t.is_word()));
                if sentence_start && !first_is_initial {
                    let k0 = &self.toks[parts[0]].key;
                    let drop = parts.len() == 1 && !surname_like(k0)
                        || parts.len() == 3 && !self.has_patronymic(&parts);
                    if drop {
                        parts.remove(0);
                    }
                }
                if parts.len() > 3 {
                    let cut = parts.len() - 3;
                    parts.drain(..cut);
                }
                let keep = match parts.len() {
                    0 => false,
                    1 => {
                        let k = &self.toks[parts[0]].key;
                        !self.is_initial(parts[0])
                            && (surname_like(k) || surname_like(&self.kk_strip(k).0))
                    }
                    _ => parts.iter().any(|&p| !self.is_initial(p)),
                };
                if keep {
                    let ni = self.names.len() as u32;
                    let s = parts[0];
                    let e = parts
                        .last()
                        .map(|&p| if self.is_initial(p) { p + 2 } else { p + 1 })
                        .unwrap_or(end);
                    for k in s..e {
                        self.tok_n[k] = ni;
                    }
                    self.names.push(NameM {
                        start: s,
                        end: e,
                        parts,
                    });
                }
                i = end.max(i + 1);
            }
        }
    }

    fn has_patronymic(&self, parts: &[usize]) -> bool {
        parts.iter().any(|&p| {
            let k = &self.toks[p].key;
            ru_patronymic(k) || kk_patronymic(k)
        })
    }

    /// Strips a Kazakh case ending from a surname key when what remains looks like a
    /// surname (or `known` says so). Returns (stem, chars stripped).
    fn kk_strip(&self, k: &str) -> (String, usize) {
        // accusative after a patronymic's possessive: «Сәбитқызын», «Серікұлын»
        if let Some(rem) = k.strip_suffix('н') {
            if kk_patronymic(rem) && rem.chars().count() >= 6 {
                return (rem.to_string(), 1);
            }
        }
        for e in KK_NAME_CASES {
            if let Some(rem) = k.strip_suffix(e) {
                if rem.chars().count() >= 3
                    && (surname_like(rem) && !surname_like(k) || self.known_part(rem))
                {
                    return (rem.to_string(), e.chars().count());
                }
            }
        }
        (k.to_string(), 0)
    }

    /// Gender of the relative pronoun right after a name («, который» → masculine).
    fn who_after(&self, end: usize) -> Option<bool> {
        let mut j = end;
        if self.toks.get(j).is_some_and(|t| t.is_punct(',')) {
            j += 1;
        }
        match self.toks.get(j).map(|t| t.key.as_str()) {
            Some("которыи" | "которого" | "которому" | "которым") => {
                Some(true)
            }
            Some("которая" | "которои" | "которую") => Some(false),
            _ => None,
        }
    }

    fn known_part(&self, key: &str) -> bool {
        self.known.contains(key)
    }

    fn index_names(&mut self) {
        for n in &self.names {
            for &p in &n.parts {
                self.known.insert(self.toks[p].key.clone());
            }
        }
        let nom: Vec<(String, Vec<String>)> = self
            .names
            .iter()
            .map(|n| {
                let b = self.build_name(n, false);
                let parts = b.split_whitespace().map(super::text::fold).collect();
                (b, parts)
            })
            .collect();
        self.nom = nom;
        for (ni, n) in self.names.iter().enumerate() {
            for &p in &n.parts {
                let k = &self.toks[p].key;
                self.known.insert(k.clone());
                let stem: String = k.chars().take(4).collect();
                let v = self.by_stem.entry(stem).or_default();
                if v.last() != Some(&(ni as u32)) && v.len() < 16 {
                    v.push(ni as u32);
                }
            }
        }
    }

    fn find_prev_spans(&mut self) {
        for mi in 0..self.ments.len() {
            let m = &self.ments[mi];
            if self.cue(m) != Some(CueKind::Prev) {
                continue;
            }
            let si = self.sent_of(m.start);
            let (_, se) = self.sents[si];
            let mut end = se;
            let mut j = m.end;
            while j < se && j < m.end + 25 {
                if self.cue_at(j) == Some(CueKind::PrevEnd) {
                    end = self.m_at(j).map(|x| x.end).unwrap_or(j + 1);
                    break;
                }
                if self.tok_n[j] != NONE
                    || self.toks[j].is_punct(',')
                    || matches!(self.cue_at(j), Some(CueKind::Event(_)))
                {
                    end = j;
                    break;
                }
                j += 1;
            }
            if j >= m.end + 25 {
                end = j.min(se);
            }
            self.prev_spans.push((m.start, end));
        }
        // a closing verb right before a name opens a previous-role clause that started
        // after «болып»/«етіп» or a comma: «төрағасы болып [хатшы қызметін атқарған] Ерлан»
        for mi in 0..self.ments.len() {
            let m = &self.ments[mi];
            // one or two lower-case words (an occupation: «болған эколог Томирис») may
            // stand between the closing verb and the name
            let name_at = |j: usize| self.tok_n.get(j).is_some_and(|&x| x != NONE);
            let plain = |j: usize| {
                self.toks
                    .get(j)
                    .is_some_and(|t| t.is_word() && !t.cap && self.tok_m[j] == NONE)
            };
            let named = name_at(m.end)
                || plain(m.end) && (name_at(m.end + 1) || plain(m.end + 1) && name_at(m.end + 2));
            if self.cue(m) != Some(CueKind::PrevEnd) || !named || self.in_prev(m.start) {
                continue;
            }
            let si = self.sent_of(m.start);
            let a = self.sents[si].0;
            let mut s0 = m.start;
            while s0 > a && m.start - s0 < 14 {
                let t = &self.toks[s0 - 1];
                // «Төрағалыққа [... болған] Х ұсынылды»: the post aimed at, in the dative,
                // also ends the clause
                let dative_role = matches!(self.cue_at(s0 - 1), Some(CueKind::Role(_)))
                    && ["ққа", "ға", "ге", "ке", "қа"]
                        .iter()
                        .any(|e| t.key.ends_with(e));
                if matches!(t.key.as_str(), "болып" | "етип")
                    || t.is_punct(',')
                    || dative_role
                    || matches!(self.cue_at(s0 - 1), Some(CueKind::Event(_)))
                {
                    break;
                }
                s0 -= 1;
            }
            // a clause opening the sentence counts only when it names no branch
            // («Қарасай ауданындағы қабылдауды басқарған Х»), since «Филиалды басқарған Х
            // кетті» is about the post being left
            let opens = s0 == a
                && m.start - s0 < 14
                && !self
                    .mentions_in(s0, m.start)
                    .any(|x| self.cue(x) == Some(CueKind::Branch));
            if (s0 > a || opens) && m.start - s0 < 14 && s0 < m.start {
                let pos = self.prev_spans.partition_point(|&(x, _)| x <= s0);
                self.prev_spans.insert(pos, (s0, m.end));
            }
        }
    }

    fn in_prev(&self, i: usize) -> bool {
        // spans are sorted by start and at most ~30 tokens long
        let hi = self.prev_spans.partition_point(|&(a, _)| a <= i);
        self.prev_spans[..hi]
            .iter()
            .rev()
            .take(8)
            .any(|&(a, b)| i >= a && i < b)
    }

    // ------------------------------------------------------------------ names
    /// The person's name as output: parts de-inflected, patronymic dropped, given name first.
    fn build_name(&self, n: &NameM, oblique: bool) -> String {
        let mut parts: Vec<(String, String, bool)> = Vec::new(); // (surface, key, initial)
        let last = n.parts.len().saturating_sub(1);
        let mut masc_oblique = false;
        let mut fem_oblique = false;
        // unmistakably oblique forms are de-inflected wherever the name stands
        // («кандидатуру Гульмиры Тлеубердиной», «Сергея Гончаренко, который ...»)
        let morph = if self.lang == Lang::Ru {
            ru_oblique_gender(
                &n.parts
                    .iter()
                    .filter(|&&p| !self.is_initial(p))
                    .map(|&p| self.toks[p].key.as_str())
                    .collect::<Vec<_>>(),
                self.who_after(n.end),
            )
        } else {
            None
        };
        let oblique = oblique || morph.is_some();
        // surname decides gender in Russian oblique cases
        if let Some(masc) = morph {
            masc_oblique = masc;
            fem_oblique = !masc;
        } else if oblique && self.lang == Lang::Ru && ru_fem_accusative(&self.toks[n.parts[0]].key)
        {
            // the object of «назначил/утвердил»: a given name in -у/-ю is a feminine
            // accusative even when the surname does not decline («Гульнару Сейткали»)
            fem_oblique = true;
        } else if oblique && self.lang == Lang::Ru {
            let sk = &self.toks[n.parts[last]].key;
            if ["ову", "еву", "ину", "овои", "евои", "инои"]
                .iter()
                .any(|e| sk.ends_with(e))
            {
                fem_oblique = true;
            } else if ["ова", "ева", "ина", "овым", "евым", "иным", "ове", "еве"]
                .iter()
                .any(|e| sk.ends_with(e))
            {
                masc_oblique = true;
            }
        }
        for (pi, &p) in n.parts.iter().enumerate() {
            let t = &self.toks[p];
            if self.is_initial(p) {
                parts.push((format!("{}.", t.surface(&self.text)), t.key.clone(), true));
                continue;
            }
            let surf = t.surface(&self.text);
            let key = t.key.clone();
            let (s, k) = match self.lang {
                Lang::Kk if pi == last => {
                    let (mut stem, mut strip) = self.kk_strip(&key);
                    if strip == 0 && oblique && n.parts.len() > 1 {
                        // the object of an active verb: «Серік Жұмабайды», «Ерланға»
                        if let Some(e) = kk_object_ending(&key) {
                            strip = e;
                            stem = key.chars().take(key.chars().count() - e).collect();
                        }
                    }
                    (t.surface_without(&self.text, strip).to_string(), stem)
                }
                Lang::Ru if oblique => {
                    ru_deinflect(surf, &key, pi == last, masc_oblique, fem_oblique)
                }
                _ => (surf.to_string(), key),
            };
            parts.push((s, k, false));
        }
        // drop patronymics, put the given name first
        let is_pat = |k: &str| ru_patronymic(k) || kk_patronymic(k);
        let ordered: Vec<(String, String, bool)> = if parts.len() == 3 {
            if is_pat(&parts[2].1) && !parts[2].2 {
                vec![parts[1].clone(), parts[0].clone()]
            } else if is_pat(&parts[1].1) {
                vec![parts[0].clone(), parts[2].clone()]
            } else {
                parts
            }
        } else if parts.len() == 2
            && !parts[0].2
            && !parts[1].2
            && surname_like(&parts[0].1)
            && !kk_patronymic(&parts[0].1)
            && !surname_like(&parts[1].1)
            // «Марина Ким», «Ирина Ли»: a short second word is the surname
            && parts[1].1.chars().count() > 3
        {
            vec![parts[1].clone(), parts[0].clone()]
        } else {
            parts
        };
        let out: Vec<String> = ordered.into_iter().map(|p| p.0).collect();
        out.join(" ")
    }

    /// «полномочия председателя филиала партии «Ак жол» Виктора Левченко»: a name in
    /// apposition to a genitive post (only branch, place and party words between) is
    /// genitive too, even when the surname does not decline.
    fn ru_genitive_apposition(&self, role_tok: usize, n: u32) -> bool {
        if self.lang != Lang::Ru {
            return false;
        }
        let Some(role) = self.m_at(role_tok) else {
            return false;
        };
        if !matches!(self.cue(role), Some(CueKind::Role(_) | CueKind::Head(_))) {
            return false;
        }
        let k = &self.toks[role.start].key;
        if !(k.ends_with("теля") || k.ends_with("таря")) {
            return false;
        }
        let nm = &self.names[n as usize];
        nm.start >= role.end
            && nm.start - role.end <= 12
            && (role.end..nm.start).all(|j| {
                self.m_at(j).is_some_and(|m| {
                    matches!(m.kind, MK::Geo(_) | MK::Party(_))
                        || matches!(
                            self.cue(m),
                            Some(CueKind::Branch | CueKind::Level(_) | CueKind::PartyWord)
                        )
                }) || matches!(self.toks[j].key.as_str(), "«" | "»" | "\"")
            })
    }

    /// Prefer a fuller or nominative spelling of the same person used elsewhere.
    fn canonical_name(&self, n: &NameM, oblique: bool) -> String {
        let mine = self.build_name(n, oblique);
        let my_parts: Vec<String> = mine.split_whitespace().map(super::text::fold).collect();
        let surname = my_parts
            .iter()
            .rev()
            .find(|p| p.trim_end_matches('.').chars().count() > 1)
            .cloned()
            .unwrap_or_default();
        let has_initial = my_parts.iter().any(|p| p.ends_with('.'));
        if surname.is_empty() {
            return mine;
        }
        let stem: String = surname
            .chars()
            .take(surname.chars().count().saturating_sub(2).max(3))
            .collect();
        let mut best: Option<String> = None;
        let bucket: String = surname.chars().take(4).collect();
        let cands = self.by_stem.get(&bucket).map(Vec::as_slice).unwrap_or(&[]);
        for &oi in cands {
            let other = &self.names[oi as usize];
            if other.start == n.start {
                continue;
            }
            let (cand, cparts) = &self.nom[oi as usize];
            let cand = cand.clone();
            let full = cparts.iter().filter(|p| !p.ends_with('.')).count();
            if full < 2 {
                continue;
            }
            let same_surname = cparts.contains(&surname)
                || (oblique || has_initial || my_parts.len() == 1)
                    && cparts.iter().any(|p| p.starts_with(&stem));
            if !same_surname {
                continue;
            }
            // initials / given names must agree
            let agree = my_parts.iter().filter(|p| **p != surname).all(|p| {
                let p0 = p.trim_end_matches('.');
                cparts.iter().any(|c| {
                    c == p
                        || (p.ends_with('.') && c.starts_with(p0))
                        || (oblique
                            && c.chars().count() >= 3
                            && p0.starts_with(
                                &c[..c.char_indices().nth(3).map(|x| x.0).unwrap_or(c.len())],
                            ))
                })
            });
            if !agree {
                continue;
            }
            if my_parts.len() == 1 || has_initial || oblique {
                best = Some(cand);
                break;
            }
        }
        best.unwrap_or(mine)
    }

    // ------------------------------------------------------------------ dates
    fn sentence_date(&self, si: usize, last: Option<DateInfo>) -> Option<(DateInfo, usize)> {
        let (a, b) = self.sents[si];
        let mut found: Option<(DateInfo, usize)> = None;
        let num = |i: usize| -> Option<u32> {
            let t = self.toks.get(i)?;
            if t.kind == TokKind::Num {
                t.key.parse().ok()
            } else {
                None
            }
        };
        let mut i = a;
        while i < b {
            // 26.02.2024
            if let (Some(dd), true, Some(mm), true, Some(yy)) = (
                num(i),
                self.toks.get(i + 1).is_some_and(|t| t.is_punct('.')),
                num(i + 2),
                self.toks.get(i + 3).is_some_and(|t| t.is_punct('.')),
                num(i + 4),
            ) {
                if let Some(d) = NaiveDate::from_ymd_opt(yy as i32, mm, dd)
                    .filter(|_| (1990..=2100).contains(&yy))
                {
                    found = Some((DateInfo::Full(d), i));
                    i += 5;
                    continue;
                }
            }
            let Some(m) = self.m_at(i) else {
                i += 1;
                continue;
            };
            let end = m.end;
            let info = match self.cue(m) {
                Some(CueKind::Month(mo)) => {
                    let day = i
                        .checked_sub(1)
                        .and_then(num)
                        .filter(|d| (1..=31).contains(d))
                        .or_else(|| num(end).filter(|d| (1..=31).contains(d)));
                    let year = (end..(end + 3).min(b))
                        .chain(i.saturating_sub(4).max(a)..i)
                        .find_map(|j| num(j).filter(|y| (1990..=2100).contains(y)));
                    match day {
                        Some(d) => self.make_date(year, mo, d).map(DateInfo::Full),
                        None => Some(DateInfo::MonthOnly),
                    }
                }
                Some(CueKind::RelDay(off)) => self
                    .published
                    .map(|p| DateInfo::Full(p + Duration::days(off))),
                Some(CueKind::Weekday(wd)) => self.published.map(|p| {
                    let pw = p.weekday().number_from_monday() as i64;
                    let back = (pw - wd as i64).rem_euclid(7);
                    DateInfo::Full(p - Duration::days(back))
                }),
                Some(CueKind::SameDay) => last.or(found.map(|f| f.0)),
                _ => None,
            };
            if let Some(inf) = info {
                // a full date beats a month-only mention in the same sentence
                match (found, inf) {
                    (Some((DateInfo::Full(_), _)), DateInfo::MonthOnly) => {}
                    _ => found = Some((inf, i)),
                }
            }
            i = end.max(i + 1);
        }
        found
    }

    fn make_date(&self, year: Option<u32>, m: u32, d: u32) -> Option<NaiveDate> {
        match year {
            Some(y) => NaiveDate::from_ymd_opt(y as i32, m, d),
            None => {
                let p = self.published?;
                let dt = NaiveDate::from_ymd_opt(p.year(), m, d)?;
                if dt > p + Duration::days(1) {
                    NaiveDate::from_ymd_opt(p.year() - 1, m, d)
                } else {
                    Some(dt)
                }
            }
        }
    }

    // ------------------------------------------------------------------ branch context
    /// (geo, explicit level) attached to a branch mention, or standing alone in a sentence.
    fn geo_level(&self, g: &Mention) -> Option<Level> {
        // a level word right after («Алматы облысында», "Almaty region") or before
        for j in [g.end, g.start.wrapping_sub(1)] {
            if let Some(CueKind::Level(l)) = self.cue_at(j) {
                return Some(l);
            }
        }
        // the phrase itself may contain the level word («Абай облысы», «Төле би ауданы»)
        (g.start..g.end).find_map(|j| {
            let mut hs = Vec::new();
            self.t.hits_at(&self.toks, j, &mut hs);
            hs.iter().find_map(|h| match h.payload {
                Payload::Cue(c) => match self.t.cues[c as usize].kind {
                    CueKind::Level(l) if j > g.start => Some(l),
                    _ => None,
                },
                _ => None,
            })
        })
    }

    /// For a branch word at mention `b`: its level word and place, looking left
    /// («Жетісу облыстық филиалы», "Pavlodar regional branch") and right
    /// («филиал Караганды», «филиалы в Карагандинской области»).
    fn branch_parts(&self, b: &Mention) -> (Option<Level>, Option<GeoRef>) {
        let mut level = None;
        let mut j = b.start;
        // level word just before (a party name may sit between: «облыстық «Nur Otan» филиалы» is rare)
        if let Some(p) = j.checked_sub(1) {
            if let Some(CueKind::Level(l)) = self.cue_at(p) {
                level = Some(l);
                j = self.m_at(p).map(|m| m.start).unwrap_or(p);
            }
        }
        // «облыстық комитетінің», «областного комитета»: a branch phrase that carries
        // its own level word
        if level.is_none() && b.end - b.start > 1 {
            let k = self.toks[b.start].key.as_str();
            level = if k.starts_with("облыс") || k.starts_with("област") {
                Some(Level::Region)
            } else if k.starts_with("қала") || k.starts_with("город") {
                Some(Level::City)
            } else if k.starts_with("аудан") || k.starts_with("район") {
                Some(Level::District)
            } else {
                None
            };
        }
        let mut geo = None;
        let mut k = j;
        for _ in 0..3 {
            let Some(p) = k.checked_sub(1) else { break };
            let t = &self.toks[p];
            if let Some(m) = self.m_at(p) {
                if let MK::Geo(ids) = &m.kind {
                    geo = Some((ids.clone(), self.geo_level(m).or(level)));
                    break;
                }
                if matches!(m.kind, MK::Party(_)) || self.cue(m) == Some(CueKind::PartyWord) {
                    k = m.start;
                    continue;
                }
                break;
            }
            if self.is_filler(p) {
                k = p;
                continue;
            }
            let _ = t;
            break;
        }
        if geo.is_none() {
            let mut k = b.end;
            for _ in 0..5 {
                if k >= self.toks.len() {
                    break;
                }
                if self.is_filler(k) {
                    k += 1;
                    continue;
                }
                if let Some(m) = self.m_at(k) {
                    if let MK::Geo(ids) = &m.kind {
                        geo = Some((ids.clone(), self.geo_level(m).or(level)));
                        break;
                    }
                    if matches!(m.kind, MK::Party(_)) || self.cue(m) == Some(CueKind::PartyWord) {
                        k = m.end;
                        continue;
                    }
                    break;
                }
                break;
            }
        }
        (level, geo)
    }

    fn mentions_in(&self, a: usize, b: usize) -> impl Iterator<Item = &Mention> {
        let lo = self.ments.partition_point(|m| m.start < a);
        self.ments[lo..].iter().take_while(move |m| m.start < b)
    }

    fn topic(&self) -> Topic {
        let mut geo = None;
        let mut party = None;
        for (si, &(a, b)) in self.sents.iter().enumerate() {
            for m in self.mentions_in(a, b) {
                if party.is_none() {
                    if let MK::Party(p) = m.kind {
                        party = Some(p);
                    }
                }
                if geo.is_none() && self.cue(m) == Some(CueKind::Branch) && !self.in_prev(m.start) {
                    let (lvl, g) = self.branch_parts(m);
                    // a place with its level word («по Жамбылской области») beats a venue («в Таразе»)
                    let g = g
                        .or_else(|| self.sentence_geo(si, m.start, None, true))
                        .or_else(|| self.sentence_geo(si, m.start, None, false));
                    if let Some((ids, gl)) = g {
                        geo = Some((ids, lvl.or(gl)));
                    }
                }
            }
            if geo.is_some() && party.is_some() {
                break;
            }
        }
        Topic { geo, party }
    }

    /// A place named in the sentence outside previous-role clauses, nearest to `anchor`.
    /// With `need_level`, only a place carrying its level word («Атырау облысы»).
    /// The nearest place before token `before` that is named as a town («Семей
    /// қаласында», «в городе Сатпаев»), outside previous-role clauses and state bodies.
    fn preceding_town(&self, before: usize) -> Option<GeoRef> {
        // a few sentences back at most, so a long run of bare town branches stays linear
        let lo = self
            .ments
            .partition_point(|m| m.start < before.saturating_sub(200));
        let hi = self.ments.partition_point(|m| m.start < before);
        self.ments[lo..hi]
            .iter()
            .filter(|m| m.end <= before)
            .rev()
            .find(|m| {
                matches!(m.kind, MK::Geo(_))
                    && !self.in_prev(m.start)
                    && !self.place_of_state_body(m)
                    && (self.geo_level(m) == Some(Level::City)
                        // "in the town of Ridder"
                        || m.start >= 2
                            && self.toks[m.start - 1].key == "of"
                            && self.cue_at(m.start - 2) == Some(CueKind::Level(Level::City)))
            })
            .and_then(|m| match &m.kind {
                MK::Geo(ids) => Some((ids.clone(), Some(Level::City))),
                _ => None,
            })
    }

    /// A place inside a relative or participial clause that names no branch ("X, who had
    /// headed the party's public reception in Karasai district, ...", «Х, возглавлявший
    /// общественную приемную в Карасайском районе»): the clause tells where the person
    /// worked, not where the branch is.
    fn in_who_clause(&self, m: &Mention) -> bool {
        let opener = |k: &str| match self.lang {
            Lang::En => k == "who",
            Lang::Ru => ["возглавлявш", "руководивш", "работавш", "занимавш"]
                .iter()
                .any(|p| k.starts_with(p)),
            Lang::Kk => false,
        };
        let lo = m.start.saturating_sub(14);
        let Some(w) = (lo..m.start)
            .rev()
            .take_while(|&j| !self.toks[j].is_punct(',') || j + 1 == m.start)
            .find(|&j| opener(&self.toks[j].key))
        else {
            return false;
        };
        w > 0
            && self.toks[w - 1].is_punct(',')
            && !self
                .mentions_in(w, m.start)
                .any(|x| self.cue(x) == Some(CueKind::Branch))
    }

    /// A place someone moves to («Алматы қаласына көшуіне байланысты», «в связи с
    /// переездом в Алматы», "after moving to Almaty"): never the branch's place.
    fn destination_place(&self, m: &Mention) -> bool {
        let moving = |k: &str| {
            [
                "көш",
                "ауыс",
                "переезд",
                "переех",
                "move",
                "moving",
                "relocat",
            ]
            .iter()
            .any(|p| k.starts_with(p))
        };
        // Kazakh: the movement noun or verb follows the dative place (a level word may sit
        // between)
        let after = (m.end..(m.end + 2).min(self.toks.len())).any(|j| {
            let k = self.toks[j].key.as_str();
            k.starts_with("көш") || k.starts_with("ауыс")
        });
        // Russian / English: «переездом в», "moving to" right before the place
        let before = (m.start.saturating_sub(3)..m.start).any(|j| moving(&self.toks[j].key))
            && m.start > 0
            && matches!(
                self.toks[m.start - 1].key.as_str(),
                "в" | "во" | "to" | "in"
            );
        after || before
    }

    fn sentence_geo(
        &self,
        si: usize,
        anchor: usize,
        skip: Option<usize>,
        need_level: bool,
    ) -> Option<GeoRef> {
        let (a, b) = self.sents[si];
        let lo = a.max(anchor.saturating_sub(WIN));
        let hi = b.min(anchor + WIN);
        self.mentions_in(lo, hi)
            .filter(|m| {
                matches!(m.kind, MK::Geo(_))
                    && !self.in_prev(m.start)
                    && Some(m.start) != skip
                    && (!need_level || self.geo_level(m).is_some())
                    // «Тараз қалалық мәслихатының депутаты»: the place of a state body
                    && !self.place_of_state_body(m)
                    // «Алматыға көшуіне байланысты», «в связи с переездом в Алматы»
                    && !self.destination_place(m)
                    // "X, who had headed the party's reception in Karasai district, ..."
                    && !self.in_who_clause(m)
                    // where someone comes from is not where the branch is
                    && !(need_level
                        && m.start > 0
                        && matches!(self.toks[m.start - 1].key.as_str(), "из" | "from"))
            })
            .min_by_key(|m| m.start.abs_diff(anchor))
            .and_then(|m| match &m.kind {
                MK::Geo(ids) => Some((ids.clone(), self.geo_level(m))),
                _ => None,
            })
    }

    // ------------------------------------------------------------------ roles
    /// How a role mention is owned: by a branch, the party centre, a state body, or bare.
    fn role_owner(&self, r: &Mention) -> &'static str {
        let skip_left = |mut p: usize| -> Option<usize> {
            for _ in 0..4 {
                let t = &self.toks[p];
                let suffix = t.is_word()
                    && t.key.chars().count() <= 3
                    && self.tok_m[p] == NONE
                    && p > 0
                    && self.toks[p - 1].is_punct('-');
                // «филиалдың жаңа басшысы», "the branch's new head": the adjective
                // «new» between owner and post does not change the owner
                let new_adj = matches!(
                    t.key.as_str(),
                    "жаңа" | "new" | "новый" | "новая" | "новым" | "новой" | "нового"
                );
                if new_adj
                    || matches!(
                        t.kind,
                        TokKind::Punct('»')
                            | TokKind::Punct('«')
                            | TokKind::Punct('"')
                            | TokKind::Punct('-')
                    )
                    || suffix
                {
                    p = p.checked_sub(1)?;
                } else {
                    return Some(p);
                }
            }
            Some(p)
        };
        if let Some(p) = r.start.checked_sub(1).and_then(skip_left) {
            if let Some(m) = self.m_at(p) {
                match (&m.kind, self.cue(m)) {
                    (MK::Geo(_), _) | (_, Some(CueKind::Branch)) | (_, Some(CueKind::Level(_))) => {
                        return "branch"
                    }
                    // «облыстық комитетінің пленумында бірінші хатшы»: the plenum of a
                    // regional committee is the branch's, not the centre's
                    (_, Some(CueKind::Central)) if self.plenum_of_branch(m) => return "branch",
                    (MK::Party(_), _)
                    | (_, Some(CueKind::PartyWord))
                    | (_, Some(CueKind::Central)) => return "central",
                    (_, Some(CueKind::State)) => return "state",
                    _ => {}
                }
            } else if self.lang == Lang::Kk && self.untagged_genitive(p) {
                // «қоғамдық кеңестің төрағасы»: owned by a body the tables do not know
                return "other";
            }
        }
        // «Қарағанды қалалық филиалын төрт жыл басқарып келген»: a Kazakh leading verb
        // governs the branch in the accusative a few words before it
        if self.lang == Lang::Kk && self.toks[r.start].key.starts_with("басқар") {
            let lo = r.start.saturating_sub(6);
            if self.mentions_in(lo, r.start).any(|m| {
                self.cue(m) == Some(CueKind::Branch)
                    && ["ын", "ин", "ды", "ди", "ны", "ни"]
                        .iter()
                        .any(|e| self.toks[m.end - 1].key.ends_with(e))
            }) {
                return "branch";
            }
        }
        // right side: «председатель филиала», "chairman of the party's X branch"
        let mut k = r.end;
        let mut saw_party = false;
        if self.lang == Lang::Ru && self.untagged_genitive(k) {
            // «председатель общественного совета», «председателем правления»
            return "other";
        }
        if self.lang == Lang::En && self.toks.get(k).is_some_and(|t| t.key == "of") {
            let mut j = k + 1;
            while j < self.toks.len() && j < k + 4 && self.is_filler(j) {
                j += 1;
            }
            if j < self.toks.len()
                && self.tok_m[j] == NONE
                && self.tok_n[j] == NONE
                && self.toks[j].is_word()
            {
                // "chairman of the board"
                return "other";
            }
        }
        // a place or level word is the branch's only if a branch word follows it:
        // «председателем областного совета» belongs to a council
        let mut saw_place = false;
        for _ in 0..8 {
            if k >= self.toks.len() {
                break;
            }
            if self.is_filler(k) {
                k += 1;
                continue;
            }
            if let Some(m) = self.m_at(k) {
                match (&m.kind, self.cue(m)) {
                    (_, Some(CueKind::Branch)) => return "branch",
                    (MK::Geo(_), _) | (_, Some(CueKind::Level(_))) => {
                        saw_place = true;
                        k = m.end;
                        continue;
                    }
                    (MK::Party(_), _) | (_, Some(CueKind::PartyWord)) => {
                        saw_party = true;
                        k = m.end;
                        continue;
                    }
                    (_, Some(CueKind::Central)) => return "central",
                    (_, Some(CueKind::State)) if !saw_party => return "state",
                    _ => break,
                }
            }
            break;
        }
        let noun_next = self
            .toks
            .get(k)
            .is_some_and(|t| t.is_word() && !t.cap && self.tok_m[k] == NONE);
        if saw_place && noun_next {
            "other"
        } else if saw_party {
            "central"
        } else if saw_place {
            "branch"
        } else {
            "bare"
        }
    }

    fn role_marked(&self, r: &Mention) -> bool {
        if let Some(n) = self.toks.get(r.end) {
            if matches!(
                n.key.as_str(),
                "болып"
                    | "етип"
                    | "лауазымына"
                    | "лауазымға"
                    | "қызметине"
                    | "қызметке"
                    | "постына"
            ) {
                return true;
            }
        }
        let last = &self.toks[r.end - 1].key;
        if self.lang == Lang::Ru && ["ем", "ом", "ым", "им"].iter().any(|e| last.ends_with(e))
        {
            return true;
        }
        (r.start.saturating_sub(3)..r.start)
            .any(|j| matches!(self.toks[j].key.as_str(), "as" | "пост" | "должность"))
    }

    /// «исполняющий обязанности председателя», "acting chairman», «төрағасының міндетін
    /// уақытша атқарушы»: the acting phrase touches the role (one word may sit between).
    fn acting_near(&self, r: &Mention) -> bool {
        let acting = |j: usize| self.cue_at(j) == Some(CueKind::Acting);
        // «атқарушы болып төраға орынбасары»: «болып» ends the acting phrase
        let gap_ok = |end: usize| {
            end == r.start
                || end + 1 == r.start && !matches!(self.toks[end].key.as_str(), "болып" | "етип")
        };
        let before = (r.start.saturating_sub(2)..r.start)
            .any(|j| acting(j) && self.m_at(j).is_some_and(|m| gap_ok(m.end)));
        let after = (r.end..(r.end + 2).min(self.toks.len())).any(acting);
        before || after
    }

    /// Names joined to name `n` by «және», «мен/пен/бен», «и», "and" (either side).
    fn coordinated(&self, n: u32) -> Vec<u32> {
        let conj = |i: usize| {
            self.toks.get(i).is_some_and(|t| {
                matches!(
                    t.key.as_str(),
                    "және" | "мен" | "пен" | "бен" | "и" | "and" | "&"
                )
            })
        };
        let mut out = Vec::new();
        let nm = &self.names[n as usize];
        // backwards: X, Y және N
        let mut s = nm.start;
        while s >= 2 && out.len() < 5 {
            let c = s - 1;
            if !(conj(c) || self.toks[c].is_punct(',')) {
                break;
            }
            let o = self.tok_n[c - 1];
            if o == NONE {
                break;
            }
            out.push(o);
            s = self.names[o as usize].start;
        }
        // forwards: N и Y
        let mut e = nm.end;
        while out.len() < 5 && (conj(e) || self.toks.get(e).is_some_and(|t| t.is_punct(','))) {
            let o = self.tok_n.get(e + 1).copied().unwrap_or(NONE);
            if o == NONE {
                break;
            }
            out.push(o);
            e = self.names[o as usize].end;
        }
        out
    }

    /// A place that names a state body right after it («Тараз қалалық мәслихаты»,
    /// «городского маслихата Павлодара» is not caught; "Shymkent city akimat").
    fn place_of_state_body(&self, g: &Mention) -> bool {
        let mut k = g.end;
        for _ in 0..3 {
            match self.m_at(k) {
                Some(m) if matches!(self.cue(m), Some(CueKind::Level(_))) => k = m.end,
                Some(m) => return self.cue(m) == Some(CueKind::State),
                None => return false,
            }
        }
        false
    }

    /// A Kazakh leading verb («басқарған», «басқарып келген») governing a branch in the
    /// accusative a few words before it, within tokens `a..b`.
    /// A plenum / meeting word owned by a branch named with its level or place just
    /// before it («Қызылорда облыстық комитетінің пленумы»).
    fn plenum_of_branch(&self, c: &Mention) -> bool {
        let key = &self.toks[c.start].key;
        if !(key.starts_with("пленум") || key.starts_with("plenum")) {
            return false;
        }
        c.start
            .checked_sub(1)
            .and_then(|p| self.m_at(p))
            .filter(|b| self.cue(b) == Some(CueKind::Branch))
            .is_some_and(|b| {
                let (l, g) = self.branch_parts(b);
                matches!(l, Some(Level::Region | Level::City | Level::District)) || g.is_some()
            })
    }

    fn led_branch(&self, a: usize, b: usize) -> Option<Role> {
        if self.lang != Lang::Kk {
            return None;
        }
        const ACC: [&str; 6] = ["ын", "ин", "ды", "ди", "ны", "ни"];
        (a..b).find_map(|i| {
            if !self.toks[i].key.starts_with("басқар") {
                return None;
            }
            let lo = i.saturating_sub(4).max(a);
            let branch = self.mentions_in(lo, i).any(|m| {
                self.cue(m) == Some(CueKind::Branch)
                    && ACC.iter().any(|e| self.toks[m.end - 1].key.ends_with(e))
            });
            // «Комитетті ... басқарған Х»: a Communist regional committee is led by
            // its first secretary
            let committee = (lo..i).any(|k| {
                let key = &self.toks[k].key;
                key.starts_with("комитет") && ["ті", "ты", "ти"].iter().any(|e| key.ends_with(e))
            });
            if committee {
                Some(Role::FirstSecretary)
            } else if branch {
                Some(Role::Chair)
            } else {
                None
            }
        })
    }

    /// The previous sentence reports a post being filled without naming who filled it
    /// («Конференция избрала нового председателя. Им стал ...»).
    fn post_left_open(&self, si: usize) -> bool {
        let Some(&(a, b)) = si.checked_sub(1).and_then(|p| self.sents.get(p)) else {
            return false;
        };
        let filled = self
            .mentions_in(a, b)
            .any(|m| matches!(self.cue(m), Some(CueKind::Event(ev)) if ev.fills_post()));
        filled && (a..b).all(|k| self.tok_n[k] == NONE)
    }

    /// The last branch post named in the two sentences before `si`.
    fn recent_role(&self, si: usize) -> Option<Role> {
        let a = self.sents[si.saturating_sub(2)].0;
        let b = self.sents[si].0;
        self.mentions_in(a, b)
            .filter_map(|m| match self.cue(m) {
                Some(CueKind::Role(r))
                    if self.role_owner(m) != "central" && self.role_owner(m) != "state" =>
                {
                    Some(r)
                }
                _ => None,
            })
            .last()
    }

    /// Previous role stated in sentence `si` («бұған дейін ... атқарған», «ранее ...»).
    fn prev_role_in(&self, si: usize, level: Option<Level>) -> Option<String> {
        let (a, b) = self.sents[si];
        let &(pa, pb) = self.prev_spans.iter().find(|&&(x, _)| x >= a && x < b)?;
        let cue_end = self.m_at(pa).map(|m| m.end).unwrap_or(pa + 1);
        let mut end = pb;
        if self.cue_at(end.saturating_sub(1)) == Some(CueKind::PrevEnd) {
            end = self.m_at(end - 1).map(|m| m.start).unwrap_or(end);
        }
        let (s, e) = if cue_end >= end {
            // «До избрания X руководил ...»: the role follows the name
            let n = (cue_end..b).find(|&k| self.tok_n[k] != NONE)?;
            (self.names[self.tok_n[n] as usize].end, b)
        } else {
            (cue_end, end)
        };
        // a party-branch role inside → rendered in English like the labels
        let role = self.mentions_in(s, e).find_map(|m| match self.cue(m) {
            Some(CueKind::Role(r)) => Some(r),
            _ => None,
        });
        let branch = self
            .mentions_in(s, e)
            .any(|m| self.cue(m) == Some(CueKind::Branch));
        if let (Some(r), true) = (role, branch) {
            let lvl = self.mentions_in(s, e).find_map(|m| match self.cue(m) {
                Some(CueKind::Level(l)) => Some(l),
                _ => None,
            });
            return Some(format!(
                "{} of {}",
                role_en(r),
                level_en(lvl.or(if lvl.is_none() { None } else { level }))
            ));
        }
        let t = self.span_text(s, e);
        let t = t
            .trim_matches(|c: char| c.is_whitespace() || c == ',' || c == '.')
            .to_string();
        (!t.is_empty() && t.chars().count() < 200).then_some(t)
    }
}

/// Length of a Kazakh genitive, accusative or dative ending on a name in an oblique
/// slot («Жұмабайдың», «Жұмабайды», «Ерланға»), if what remains is long enough to be a name.
fn kk_object_ending(key: &str) -> Option<usize> {
    // genitive first (longer), for a possessor taken up by a pronoun («Оспанның
    // жұмысын ..., оны»); keys are folded, so і is и
    const ENDS: &[&str] = &[
        "ның", "ниң", "дың", "диң", "тың", "тиң", "ды", "ди", "ты", "ти", "ны", "ни", "ға", "ге",
        "қа", "ке",
    ];
    let n = key.chars().count();
    ENDS.iter()
        .find(|e| key.ends_with(*e) && n >= 6)
        .map(|e| e.chars().count())
}

/// Gender of a Russian name whose form shows an oblique case by itself: `Some(true)`
/// masculine, `Some(false)` feminine. `who` is the relative pronoun after the name
/// («который» / «которая»), which settles «Арсена Кудайбергенова» (masculine genitive,
/// same letters as a feminine nominative).
fn ru_oblique_gender(keys: &[&str], who: Option<bool>) -> Option<bool> {
    let last = keys.last()?;
    let given = if keys.len() >= 2 { Some(keys[0]) } else { None };
    let ends = |k: &str, es: &[&str]| es.iter().any(|e| k.ends_with(e));
    // feminine surname in genitive/dative/instrumental
    if ends(last, &["овои", "евои", "инои", "ынои", "скои", "цкои"]) && last.chars().count() > 5
    {
        return Some(false);
    }
    if let Some(g) = given {
        // «Сергея», «Андрея», «Алексею»
        if ends(g, &["ея", "ею", "еем"]) && g.chars().count() >= 5 {
            return Some(true);
        }
    }
    // masculine genitive/accusative «Арсена Кудайбергенова, который»
    if who == Some(true) && ends(last, &["ова", "ева", "ина", "ына"]) {
        return Some(true);
    }
    None
}

/// A given name in the feminine accusative or dative («Гульнару», «Асю», «Марине»):
/// -у/-ю/-е after a consonant (a masculine name would take -а in the accusative).
fn ru_fem_accusative(given: &str) -> bool {
    let mut r = given.chars().rev();
    let (Some(last), Some(before)) = (r.next(), r.next()) else {
        return false;
    };
    given.chars().count() >= 4
        && (last == 'у' || last == 'ю' || last == 'е')
        && !"аеиоуыэюяь".contains(before)
}

fn ru_deinflect(surf: &str, key: &str, is_last: bool, masc: bool, fem: bool) -> (String, String) {
    let cut = |n: usize, add: &str| -> (String, String) {
        let sc = surf.chars().count();
        let s: String = surf.chars().take(sc.saturating_sub(n)).collect::<String>() + add;
        let k: String = key
            .chars()
            .take(key.chars().count().saturating_sub(n))
            .collect::<String>()
            + add;
        (s, k)
    };
    if is_last {
        for (end, n, add) in [
            ("ову", 1, "а"),
            ("еву", 1, "а"),
            ("ину", 1, "а"),
            ("овои", 2, "а"),
            ("евои", 2, "а"),
            ("инои", 2, "а"),
            ("овым", 2, ""),
            ("евым", 2, ""),
            ("иным", 2, ""),
            ("ове", 1, ""),
            ("еве", 1, ""),
            ("ского", 3, "ий"),
            ("скому", 3, "ий"),
        ] {
            if key.ends_with(end) {
                return cut(n, add);
            }
        }
        if masc
            && ["ова", "ева", "ина", "ына"]
                .iter()
                .any(|e| key.ends_with(e))
        {
            return cut(1, "");
        }
        return (surf.to_string(), key.to_string());
    }
    let last = key.chars().last().unwrap_or(' ');
    let before = key.chars().rev().nth(1).unwrap_or(' ');
    let vowel = |c: char| "аеиоуыэюяё".contains(c);
    if masc {
        if key.ends_with("ом") && !vowel(key.chars().rev().nth(2).unwrap_or('а')) {
            return cut(2, "");
        }
        if (last == 'а' || last == 'у' || last == 'е') && !vowel(before) {
            return cut(1, "");
        }
    }
    if masc && ["ея", "ею"].iter().any(|e| key.ends_with(e)) {
        return cut(1, "й");
    }
    if masc && key.ends_with("еем") {
        return cut(2, "й");
    }
    if fem {
        if last == 'у' && !vowel(before) {
            return cut(1, "а");
        }
        if last == 'ы' && !vowel(before) {
            return cut(1, "а");
        }
        if last == 'и' && "гкхжшчщ".contains(before) {
            return cut(1, "а");
        }
        if key.ends_with("ои") && !vowel(key.chars().rev().nth(2).unwrap_or('а')) {
            return cut(2, "а");
        }
        if last == 'е' && !vowel(before) && before != 'л' {
            return cut(1, "а");
        }
        if last == 'ю' {
            return cut(1, "я");
        }
    }
    (surf.to_string(), key.to_string())
}

fn person_key(p: &str) -> String {
    let mut parts: Vec<String> = super::text::fold(p)
        .split(|c: char| !c.is_alphabetic())
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.chars()
                .map(|c| match c {
                    'ә' => 'а',
                    'ғ' => 'г',
                    'қ' => 'к',
                    'ң' => 'н',
                    'ө' => 'о',
                    'ұ' | 'ү' => 'у',
                    'һ' => 'х',
                    'і' => 'и',
                    _ => c,
                })
                .collect()
        })
        .collect();
    parts.sort();
    parts.join(" ")
}

type ChangeKey = (String, Role, Event, Level, String, Option<String>);

fn dedupe(mut v: Vec<Built>, rejected: &mut Vec<Rejection>, _d: &Doc) -> Vec<Built> {
    use std::collections::HashMap;
    // text order, so the first report of a change is the one kept
    v.sort_by_key(|b| (b.sentence, b.name_end));
    let mut out: Vec<Built> = Vec::new();
    let mut seen: HashMap<ChangeKey, usize> = HashMap::new();
    // (person, role, region) of posts filled: a later support vote for the same person adds nothing
    let mut filled: HashMap<(String, Role, String), usize> = HashMap::new();
    for b in v {
        let c = &b.change;
        let pk = person_key(&c.person);
        let key = (
            pk.clone(),
            c.role,
            c.event,
            c.level,
            c.region.clone(),
            c.district.clone(),
        );
        let fkey = (pk, c.role, c.region.clone());
        let dup = seen.get(&key).copied().or_else(|| {
            if c.event.fills_post() && b.rule.contains("candidacy") {
                filled.get(&fkey).copied()
            } else {
                None
            }
        });
        match dup {
            Some(oi) => {
                let o = &mut out[oi];
                if o.change.previous_role.is_none() {
                    o.change.previous_role = c.previous_role.clone();
                }
                if o.change.date.is_none() {
                    o.change.date = c.date;
                }
                o.change.confidence = o.change.confidence.max(c.confidence);
                rejected.push(Rejection {
                    sentence: b.sentence,
                    trigger: c.person.clone(),
                    reason: frames::Reason::Duplicate(o.sentence).to_string(),
                });
            }
            None => {
                seen.insert(key, out.len());
                if c.event.fills_post() {
                    filled.entry(fkey).or_insert(out.len());
                }
                out.push(b);
            }
        }
    }
    out
}
