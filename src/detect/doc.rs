//! The document: normalised text, tokens, sentences, and the mentions and names found
//! in them, with accessors by token and sentence. [`run`] drives the stages.

use super::normalise;
use super::tables::{CueKind, Tables};
use super::text::{guess_lang, normalize, sentences, tokenize, LatinKk, Token};
use super::{ExplainedChange, Explanation, MentionInfo};
use crate::model::{DetectInput, DetectedChange, Lang, Level};
use chrono::NaiveDate;

#[derive(Debug, Clone)]
pub(super) enum MK {
    Cue(u32),
    Party(u32),
    Geo(Vec<u32>),
    Foreign,
}

#[derive(Debug, Clone)]
pub(super) struct Mention {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) kind: MK,
}

#[derive(Debug, Clone)]
pub(super) struct NameM {
    pub(super) start: usize,
    pub(super) end: usize,
    /// token indices of the parts (initials are single-letter word tokens)
    pub(super) parts: Vec<usize>,
}

/// A place mention: candidate entities and the level word next to it, if any.
pub(super) type GeoRef = (Vec<u32>, Option<Level>);

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum DateInfo {
    Full(NaiveDate),
    MonthOnly,
}

pub(super) const NONE: u32 = u32::MAX;

/// Sentences longer than this many tokens are only searched in windows this wide.
pub(super) const WIN: usize = 40;

pub(super) struct Doc<'a> {
    pub(super) t: &'a Tables,
    pub(super) text: String,
    pub(super) toks: Vec<Token>,
    pub(super) sents: Vec<(usize, usize)>,
    pub(super) ments: Vec<Mention>,
    pub(super) tok_m: Vec<u32>,
    pub(super) names: Vec<NameM>,
    pub(super) tok_n: Vec<u32>,
    pub(super) lang: Lang,
    pub(super) published: Option<NaiveDate>,
    pub(super) in_quotes: Vec<bool>,
    pub(super) prev_spans: Vec<(usize, usize)>,
    /// keys of every name part, to tell «Арынның» (Арын + genitive) from a new name
    pub(super) known: std::collections::HashSet<String>,
    /// first four letters of each name part → names, for finding other spellings
    pub(super) by_stem: std::collections::HashMap<String, Vec<u32>>,
    /// each name built in the nominative, with its folded parts (cached: looked up often)
    pub(super) nom: Vec<(String, Vec<String>)>,
}

pub(super) struct Topic {
    pub(super) geo: Option<GeoRef>,
    pub(super) party: Option<u32>,
}

#[derive(Clone)]
pub(super) struct Built {
    pub(super) sentence: usize,
    pub(super) change: DetectedChange,
    pub(super) rule: String,
    pub(super) name_end: usize,
    pub(super) level_hint: Option<Level>,
    /// The verb did not say how the post was filled («пришёл», "took the helm"): a
    /// later report of the same change with a verb that does decides the event.
    pub(super) vague_event: bool,
}

/// Tokens of the text; a 2021 Latin text is read in both of its conventions for
/// y / ı / i and the reading with more words known to the tables is kept.
fn tokens_by_best_reading(
    text: &str,
    latin: Option<LatinKk>,
    tables: &Tables,
) -> (Vec<Token>, Option<LatinKk>) {
    let toks = tokenize(text, latin);
    if latin != Some(LatinKk::Y2021) {
        return (toks, latin);
    }
    let decree = tokenize(text, Some(LatinKk::Y2021Decree));
    let known = |ts: &[Token]| {
        let mut hs = Vec::new();
        (0..ts.len())
            .filter(|&i| {
                tables.hits_at(ts, i, &mut hs);
                !hs.is_empty() || tables.word_in("kk_function", &ts[i].key)
            })
            .count()
    };
    if known(&decree) > known(&toks) {
        (decree, Some(LatinKk::Y2021Decree))
    } else {
        (toks, latin)
    }
}

pub(super) fn run(input: &DetectInput, tables: &Tables, explain: bool) -> Explanation {
    let clean = |s: &str| normalise::clean_with(s, tables);
    let mut text = normalize(&clean(input.title.trim()));
    text.push('\n');
    text.push_str(&normalize(&clean(input.text)));
    let (lang, latin) = guess_lang(&text, input.lang, &tables.kk_latin_words);
    let latin = if lang == Lang::Kk { latin } else { None };
    let (toks, latin) = tokens_by_best_reading(&text, latin, tables);
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
    d.find_repeated_surnames();
    d.index_names();
    d.find_prev_spans();
    let mut ex = Explanation {
        lang,
        kazakh_latin: latin.map(|v| {
            match v {
                LatinKk::Apostrophe => "2017",
                LatinKk::Acute => "2018",
                LatinKk::Y2021 | LatinKk::Y2021Decree => "2021",
                LatinKk::Digraph => "informal",
            }
            .to_string()
        }),
        sentences: Vec::new(),
        mentions: Vec::new(),
        changes: Vec::new(),
        rejected: Vec::new(),
    };
    if explain {
        d.explain_stages(&mut ex);
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

impl<'a> Doc<'a> {
    /// The sentences and mentions, for `detect --explain`.
    fn explain_stages(&self, ex: &mut Explanation) {
        for &(a, b) in &self.sents {
            ex.sentences.push(self.span_text(a, b));
        }
        for m in &self.ments {
            ex.mentions.push(MentionInfo {
                sentence: self.sent_of(m.start),
                kind: self.mention_kind_name(m),
                text: self.span_text(m.start, m.end),
            });
        }
        for n in &self.names {
            ex.mentions.push(MentionInfo {
                sentence: self.sent_of(n.start),
                kind: "person".into(),
                text: self.span_text(n.start, n.end),
            });
        }
        ex.mentions.sort_by_key(|m| m.sentence);
    }

    pub(super) fn span_text(&self, a: usize, b: usize) -> String {
        if a >= b || b > self.toks.len() {
            return String::new();
        }
        self.text[self.toks[a].start..self.toks[b - 1].end]
            .replace('\n', " ")
            .trim()
            .to_string()
    }

    pub(super) fn sent_of(&self, tok: usize) -> usize {
        self.sents.partition_point(|&(_, e)| e <= tok)
    }

    pub(super) fn cue(&self, m: &Mention) -> Option<CueKind> {
        match m.kind {
            MK::Cue(c) => Some(self.t.cues[c as usize].kind),
            _ => None,
        }
    }

    pub(super) fn mention_kind_name(&self, m: &Mention) -> String {
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

    pub(super) fn m_at(&self, i: usize) -> Option<&Mention> {
        self.tok_m.get(i).and_then(|&m| {
            if m == NONE {
                None
            } else {
                self.ments.get(m as usize)
            }
        })
    }

    pub(super) fn cue_at(&self, i: usize) -> Option<CueKind> {
        self.m_at(i).and_then(|m| self.cue(m))
    }

    pub(super) fn mentions_in(&self, a: usize, b: usize) -> impl Iterator<Item = &Mention> {
        let lo = self.ments.partition_point(|m| m.start < a);
        self.ments[lo..].iter().take_while(move |m| m.start < b)
    }
}
