//! Discourse: the slots a clause leaves empty, filled from the sentences before it.
//!
//! Real news spreads one fact over several sentences. A proposal names the candidate
//! and the vote that follows only says «Делегаты единогласно поддержали кандидатуру»;
//! a paragraph opens with «Глубоковский район.» and its sentences only say «филиал»; a
//! state post stands before the name as a description («аким района Виталий
//! Ковальчук избран председателем»). These steps look back — within the paragraph
//! first, a bounded number of sentences — for what the clause does not say, and the
//! frame records where each fill came from.

use super::doc::{Built, Doc, GeoRef, Mention, MK, NONE, WIN};
use super::names::person_key;
use super::tables::CueKind;
use crate::model::{Event, Lang, Role};

/// How many sentences back a proposal may stand before the vote on it.
pub(super) const PROPOSAL_BACK: usize = 3;
/// How far from a candidacy word its name may stand, in tokens.
const CANDIDACY_REACH: usize = 8;
/// How many sentences back the start of a paragraph is looked for.
const PARAGRAPH_BACK: usize = 8;
/// Every look-back scans at most this many tokens, so a pathological text (one
/// sentence of ten megabytes) stays linear.
const SCAN: usize = 4 * WIN;

/// `a..b` cut to its last [`SCAN`] tokens.
fn tail(a: usize, b: usize) -> (usize, usize) {
    (a.max(b.saturating_sub(SCAN)), b)
}

impl Doc<'_> {
    /// Whether a paragraph break lies between sentence `si - 1` and sentence `si`.
    pub(super) fn opens_paragraph(&self, si: usize) -> bool {
        if si == 0 {
            return true;
        }
        let prev_end = self.sents[si - 1].1;
        let (start, _) = self.sents[si];
        let (Some(p), Some(c)) = (
            prev_end.checked_sub(1).and_then(|k| self.toks.get(k)),
            self.toks.get(start),
        ) else {
            return true;
        };
        p.end <= c.start && self.text[p.end..c.start].contains('\n')
    }

    /// The first sentence of the paragraph that holds sentence `si` (bounded look-back).
    pub(super) fn paragraph_start(&self, si: usize) -> usize {
        let mut sj = si;
        while sj > 0 && si - sj < PARAGRAPH_BACK && !self.opens_paragraph(sj) {
            sj -= 1;
        }
        sj
    }

    /// The name nearest a mention within `reach` tokens, inside `a..b`.
    pub(super) fn name_near(&self, m: &Mention, a: usize, b: usize, reach: usize) -> Option<u32> {
        let lo = m.start.saturating_sub(reach).max(a);
        let hi = (m.end + reach).min(b);
        (lo..hi)
            .filter(|&k| self.tok_n[k] != NONE && (k < m.start || k >= m.end))
            .min_by_key(|&k| {
                if k < m.start {
                    m.start - k
                } else {
                    k + 1 - m.end
                }
            })
            .map(|k| self.tok_n[k])
    }

    /// The name given with the candidacy word of sentence `sj`, or the object of a
    /// proposal verb there, if any. A name introduced by its holder's title in the
    /// nominative («внёс первый заместитель председателя Сергей Мартыненко») is the
    /// one who proposes, not the candidate.
    pub(super) fn candidacy_name(&self, sj: usize) -> Option<u32> {
        let (a, b) = self.sents[sj];
        let (a, b) = (a, b.min(a + SCAN));
        let candidate = |n: &u32| !self.titled_nominative(*n);
        self.mentions_in(a, b)
            .filter(|m| self.cue(m) == Some(CueKind::Candidacy))
            .find_map(|m| self.name_near(m, a, b, CANDIDACY_REACH).filter(candidate))
            .or_else(|| {
                self.mentions_in(a, b)
                    .filter(|m| self.cue(m) == Some(CueKind::Proposal))
                    .find_map(|m| self.proposed_name(m, b))
            })
    }

    /// The first name after a proposal verb within the sentence, unless it is in the
    /// nominative (then it is the proposer: «предложил аким Иванов»).
    fn proposed_name(&self, m: &Mention, b: usize) -> Option<u32> {
        let hi = (m.end + 2 * CANDIDACY_REACH).min(b);
        let n = (m.end..hi).map(|k| self.tok_n[k]).find(|&n| n != NONE)?;
        (!self.written_nominative(n)).then_some(n)
    }

    /// A Russian name written in the nominative right after a post that describes it
    /// («первый заместитель председателя филиала Сергей Мартыненко»).
    pub(super) fn titled_nominative(&self, n: u32) -> bool {
        let start = self.names[n as usize].start;
        let titled = (start.saturating_sub(6)..start).any(|k| {
            self.m_at(k).is_some_and(|x| {
                matches!(
                    self.cue(x),
                    Some(CueKind::Role(_) | CueKind::Head(_) | CueKind::State)
                ) && self.post_before_name(x, start)
            })
        });
        titled && self.written_nominative(n)
    }

    /// Only branch, level, place and party words between a post and the name.
    pub(super) fn post_before_name(&self, post: &Mention, name_start: usize) -> bool {
        post.end <= name_start
            && (post.end..name_start).all(|k| {
                self.m_at(k).is_some_and(|x| {
                    matches!(x.kind, MK::Geo(_) | MK::Party(_))
                        || matches!(
                            self.cue(x),
                            Some(CueKind::Branch | CueKind::Level(_) | CueKind::PartyWord)
                        )
                }) || matches!(self.toks[k].key.as_str(), "«" | "»" | "\"")
            })
    }

    /// The candidate a vote backs when its own clause names nobody («Делегаты
    /// поддержали кандидатуру», "backed him"): the name given with a candidacy or a
    /// proposal in up to three sentences before, else the last person named in the
    /// sentence before.
    pub(super) fn backed_person(&self, si: usize) -> Option<u32> {
        let first = si.saturating_sub(PROPOSAL_BACK);
        if let Some(n) = (first..si).rev().find_map(|sj| self.candidacy_name(sj)) {
            return Some(n);
        }
        let (a, b) = self.sents[si.checked_sub(1)?];
        let (a, b) = tail(a, b);
        (a..b)
            .rev()
            .map(|k| self.tok_n[k])
            .find(|&n| n != NONE)
            .filter(|&n| !self.titled_nominative(n))
    }

    /// A place named with its level word earlier in the paragraph, before token
    /// `before` («Глубоковский район. 18 апреля делегаты освободили ... председателя
    /// филиала»): the branch meant when the clause names no place of its own.
    pub(super) fn paragraph_place(&self, si: usize, before: usize) -> Option<GeoRef> {
        let (lo, before) = tail(self.sents[self.paragraph_start(si)].0, before);
        self.mentions_in(lo, before)
            .filter(|m| {
                matches!(m.kind, MK::Geo(_))
                    && self.geo_level(m).is_some()
                    && !self.in_prev(m.start)
                    && !self.place_of_state_body(m)
                    && !self.destination_place(m)
                    && !self.venue_place(m)
                    && !self.in_who_clause(m)
            })
            .last()
            .and_then(|m| match &m.kind {
                MK::Geo(ids) => Some((ids.clone(), self.geo_level(m))),
                _ => None,
            })
    }

    /// A state post that only describes the person it stands before («аким района
    /// Виталий Ковальчук», "Almaty akim Yerlan Saparov"): nothing but places and
    /// level words lie between it and the name.
    pub(super) fn describes_name(&self, post: &Mention, name_start: usize) -> bool {
        post.end <= name_start
            && name_start - post.end <= 3
            && (post.end..name_start).all(|k| {
                self.m_at(k).is_some_and(|x| {
                    matches!(x.kind, MK::Geo(_)) || matches!(self.cue(x), Some(CueKind::Level(_)))
                })
            })
    }

    /// The branch post the clause is about when it names none: the last one named in
    /// the two sentences before, else earlier in the paragraph, else in the headline
    /// («Назначен первый заместитель председателя филиала ... Бюро освободило его от
    /// занимаемой должности»).
    pub(super) fn context_role(&self, si: usize) -> Option<Role> {
        self.recent_role(si)
            .or_else(|| {
                self.branch_role_in(self.sents[self.paragraph_start(si)].0, self.sents[si].0)
            })
            .or_else(|| {
                self.sents
                    .first()
                    .and_then(|&(a, b)| self.branch_role_in(a, b))
            })
    }

    /// The last branch (or bare) post named in tokens `a..b`.
    /// The branch post named last in the sentences before a vote: the proposal and
    /// the vote often make a paragraph of their own, after the one that released the
    /// holder of the post.
    pub(super) fn voted_post(&self, si: usize) -> Option<Role> {
        self.branch_role_in(
            self.sents[si.saturating_sub(PARAGRAPH_BACK)].0,
            self.sents[si].0,
        )
    }

    fn branch_role_in(&self, a: usize, b: usize) -> Option<Role> {
        let (a, b) = tail(a, b);
        self.mentions_in(a, b)
            .filter_map(|m| match self.cue(m) {
                Some(CueKind::Role(r)) if matches!(self.role_owner(m), "branch" | "bare") => {
                    Some(r)
                }
                _ => None,
            })
            .last()
    }
}

/// How far after a succession verb its object may stand, in tokens.
const PREDECESSOR_REACH: usize = 6;

impl Doc<'_> {
    /// «На этом посту Жаркимбаев сменил Алибека Сыздыкова», "Zhumabekov replaces Marat
    /// Iskakov", «Әбеновтің орнына»: whoever a succession verb names held the post the
    /// successor just took, and so left it — reported as dismissed, unless the article
    /// says otherwise about that person.
    pub(super) fn predecessors(&self, out: &[Built]) -> Vec<Built> {
        let mut found = Vec::new();
        let mut told: std::collections::HashSet<String> =
            out.iter().map(|b| person_key(&b.change.person)).collect();
        for m in self.ments.iter() {
            if !self.names_predecessor(m) {
                continue;
            }
            let si = self.sent_of(m.start);
            let Some(succ) = self.successor_before(out, si) else {
                continue;
            };
            let Some(n) = self.replaced_name(m, si) else {
                continue;
            };
            let person = self.canonical_name(&self.names[n as usize], true);
            if told.insert(person_key(&person)) {
                found.push(self.predecessor_change(succ, person, m, si, n));
            }
        }
        found
    }

    /// A succession verb whose object held the post: the replace cues, and the
    /// successor events whose subject is the successor ("X succeeds Y").
    fn names_predecessor(&self, m: &Mention) -> bool {
        let MK::Cue(c) = m.kind else {
            return false;
        };
        let cue = &self.t.cues[c as usize];
        cue.kind == CueKind::Replace || cue.successor && cue.voice == super::tables::Voice::Passive
    }

    /// The last change that fills a post in sentence `si` or the two before it
    /// (`out` is in sentence order).
    fn successor_before<'o>(&self, out: &'o [Built], si: usize) -> Option<&'o Built> {
        let end = out.partition_point(|b| b.sentence <= si);
        out[..end]
            .iter()
            .rev()
            .take_while(|b| b.sentence + PROPOSAL_BACK > si)
            .find(|b| b.change.event.fills_post())
    }

    /// The name a succession verb governs: after it (Russian, English), or the
    /// genitive name right before it (Kazakh «Y-тың орнына»).
    fn replaced_name(&self, m: &Mention, si: usize) -> Option<u32> {
        let (a, b) = self.sents[si];
        let after = (m.end..(m.end + PREDECESSOR_REACH).min(b))
            .map(|k| self.tok_n[k])
            .find(|&n| n != NONE);
        let before = (self.lang == Lang::Kk && m.start > a)
            .then(|| self.tok_n[m.start - 1])
            .filter(|&n| n != NONE);
        match self.lang {
            Lang::Kk => before.or(after),
            _ => after,
        }
    }

    fn predecessor_change(
        &self,
        succ: &Built,
        person: String,
        m: &Mention,
        si: usize,
        n: u32,
    ) -> Built {
        let mut change = succ.change.clone();
        change.person = person;
        change.event = self.predecessor_event(si, n);
        change.acting = false;
        change.previous_role = None;
        change.evidence = self.span_text(self.sents[si].0, self.sents[si].1);
        change.confidence = (succ.change.confidence - 0.15).max(0.05);
        Built {
            sentence: si,
            rule: format!(
                "predecessor: named by «{}» after the change in sentence {}",
                self.span_text(m.start, m.end),
                succ.sentence
            ),
            change,
            name_end: self.names[n as usize].end,
            level_hint: succ.level_hint,
            vague_event: false,
        }
    }
}

impl Doc<'_> {
    /// How the predecessor left: "Y, who left the party", «Y, который ушёл в отставку»
    /// (a resignation told right after the name) is a resignation; otherwise the post
    /// was taken from them.
    fn predecessor_event(&self, si: usize, n: u32) -> Event {
        let b = self.sents[si].1;
        let from = self.names[n as usize].end;
        // the clause ends at the next name
        let hi = (from..(from + PREDECESSOR_REACH + 4).min(b))
            .find(|&k| self.tok_n[k] != NONE)
            .unwrap_or((from + PREDECESSOR_REACH + 4).min(b));
        let leaves = |lo: usize, hi: usize| {
            self.mentions_in(lo, hi).any(|m| {
                matches!(
                    self.cue(m),
                    Some(CueKind::Event(Event::Resigned) | CueKind::OwnWill)
                )
            })
        };
        // «X-тің орнына келді. Пленумды ашқан X ... өз еркімен тапсыратынын мәлімдеді»:
        // the next sentence tells how the same person left
        let told_next = self
            .sents
            .get(si + 1)
            .is_some_and(|&(na, nb)| self.names_person_in(n, na, nb) && leaves(na, nb));
        if leaves(from, hi) || told_next {
            Event::Resigned
        } else {
            Event::Dismissed
        }
    }
}

impl Doc<'_> {
    /// Sentence span `a..b` names the person of name `n` again (all parts of the
    /// shorter name among the longer one's).
    fn names_person_in(&self, n: u32, a: usize, b: usize) -> bool {
        let key = |x: u32| -> Vec<String> {
            person_key(&self.canonical_name(&self.names[x as usize], true))
                .split(' ')
                .map(str::to_string)
                .collect()
        };
        let want = key(n);
        (a..b)
            .map(|k| self.tok_n[k])
            .filter(|&x| x != NONE && x != n)
            .any(|x| {
                let got = key(x);
                let (short, long) = if got.len() <= want.len() {
                    (&got, &want)
                } else {
                    (&want, &got)
                };
                !short.is_empty() && short.iter().all(|p| long.contains(p))
            })
    }
}

/// How many sentences back a change may stand to name the branch of a clause.
const CHANGE_BACK: usize = 2;

impl Doc<'_> {
    /// The last change reported in the paragraph of sentence `si`, at most two
    /// sentences before it.
    pub(super) fn recent_change_in_paragraph<'o>(
        &self,
        si: usize,
        out: &'o [Built],
    ) -> Option<&'o Built> {
        self.recent_change_where(si, out, |_| true)
    }

    /// The last change that fills a post at most two sentences before `si`, across
    /// a paragraph break («... возглавил X. / В Жетысуском — Y.»).
    pub(super) fn recent_fill<'o>(&self, si: usize, out: &'o [Built]) -> Option<&'o Built> {
        let first = si.saturating_sub(CHANGE_BACK);
        out.iter()
            .rev()
            .skip_while(|b| b.sentence > si)
            .take_while(|b| b.sentence >= first)
            .find(|b| b.change.event.fills_post())
    }

    fn recent_change_where<'o>(
        &self,
        si: usize,
        out: &'o [Built],
        keep: impl Fn(&Built) -> bool,
    ) -> Option<&'o Built> {
        let first = self.paragraph_start(si).max(si.saturating_sub(CHANGE_BACK));
        out.iter()
            .rev()
            .skip_while(|b| b.sentence > si)
            .take_while(|b| b.sentence >= first)
            .find(|b| keep(b))
    }

    /// Whether a word for a former holder («прежний», «бұрынғы», "former") stands in
    /// tokens `a..b`.
    pub(super) fn former_in(&self, a: usize, b: usize) -> bool {
        let (a, b) = tail(a, b);
        self.mentions_in(a, b)
            .any(|m| self.cue(m) == Some(CueKind::Former))
    }
}
