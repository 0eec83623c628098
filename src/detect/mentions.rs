//! Tagging: table cues, parties and places matched over the tokens, and what a role
//! word belongs to (branch, party centre, state body, other body).

use super::doc::*;
use super::names::*;
use super::tables::{CueKind, Hit, Payload};
use super::text::TokKind;
use crate::model::{Lang, Level, Role};

impl<'a> Doc<'a> {
    // ------------------------------------------------------------------ tagging
    pub(super) fn tag(&mut self) {
        self.mark_quotes();
        let mut hits: Vec<Hit> = Vec::new();
        let mut i = 0;
        while i < self.toks.len() {
            i = self.tag_at(i, &mut hits);
        }
    }

    /// Which tokens stand inside «…» or "…" (a line break closes every quote).
    fn mark_quotes(&mut self) {
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
    }

    /// Tags the longest phrase starting at token `i`; returns the token to go on from.
    fn tag_at(&mut self, i: usize, hits: &mut Vec<Hit>) -> usize {
        let n = self.toks.len();
        if !self.toks[i].is_word() && !self.toks[i].is_punct('.') && !self.toks[i].is_punct('—') {
            return i + 1;
        }
        if self.office_after_place(i) && self.push_branch_word(i) {
            return i + 1;
        }
        self.t.hits_at(&self.toks, i, hits);
        self.drop_unlikely_hits(i, hits);
        if hits.is_empty() {
            return i + 1;
        }
        let best_len = hits.iter().map(|h| h.len).max().unwrap_or(1);
        hits.retain(|h| h.len == best_len);
        let Some(kind) = mention_kind(hits) else {
            return i + 1;
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
        let mut i = i + best_len;
        // «Жамбыл облыстық комитеті»: a place phrase that swallowed its level word
        // leaves «комитет» alone, which is then the party's regional committee
        if geo_with_level && i < n && self.committee_after_level(i) && self.push_branch_word(i) {
            i += 1;
        }
        i
    }

    /// Tags token `i` as a branch word; false when the tables have no branch cue.
    fn push_branch_word(&mut self, i: usize) -> bool {
        let Some(bc) = self.t.cues.iter().position(|c| c.kind == CueKind::Branch) else {
            return false;
        };
        self.tok_m[i] = self.ments.len() as u32;
        self.ments.push(Mention {
            start: i,
            end: i + 1,
            kind: MK::Cue(bc as u32),
        });
        true
    }

    /// "the party's Karaganda office", "its Astana city office": an office word right
    /// after a place or a level word is the branch (`[words] office_after_place`).
    fn office_after_place(&self, i: usize) -> bool {
        i > 0
            && self.t.word_in("office_after_place", &self.toks[i].key)
            && self.m_at(i - 1).is_some_and(|m| {
                matches!(m.kind, MK::Geo(_)) || matches!(self.cue(m), Some(CueKind::Level(_)))
            })
    }

    /// A committee word at `i` right after a level word.
    fn committee_after_level(&self, i: usize) -> bool {
        let prev = &self.toks[i - 1].key;
        self.t.starts_with_word("committee", &self.toks[i].key)
            && ["level_region", "level_city", "level_district"]
                .iter()
                .any(|l| self.t.starts_with_word(l, prev))
    }

    /// Drops ambiguous party names used as ordinary words, short lower-case places, and
    /// places that are a person's name here.
    fn drop_unlikely_hits(&self, i: usize, hits: &mut Vec<Hit>) {
        let tok = &self.toks[i];
        let toks = &self.toks;
        let t = self.t;
        let party_near = |i: usize| {
            let lo = i.saturating_sub(5);
            let hi = (i + 6).min(toks.len());
            (lo..hi).any(|j| t.starts_with_word("party_prefix", &toks[j].key))
        };
        // a place named like a surname («Сатпаев», «Конаев») next to a given name is a person
        let tok_m = &self.tok_m;
        let capw = |j: usize| {
            toks.get(j)
                .is_some_and(|t| t.is_word() && t.cap && !t.acronym && tok_m[j] == NONE)
        };
        let name_next_to = |i: usize| {
            let k = tok.key.as_str();
            let looks = surname_like(t, k)
                || t.words("ru_surname_case_ending").iter().any(|e| {
                    k.strip_suffix(e.as_str())
                        .is_some_and(|r| surname_like(t, r))
                });
            looks
                && (i
                    .checked_sub(1)
                    .is_some_and(|p| capw(p) && toks[p].end < tok.start)
                    || capw(i + 1))
        };
        // a place that is also a given name («Жәнібек», «Шолақ») right before a surname
        let given_before_surname = |i: usize| {
            toks.get(i + 1).is_some_and(|n| {
                n.is_word() && n.cap && !n.acronym && n.start > tok.end && surname_like(t, &n.key)
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
    }

    /// An untagged lower-case noun phrase word in the genitive (Kazakh «кеңестің»,
    /// Russian «совета», «общественного»): the owner of a role next to it.
    pub(super) fn untagged_genitive(&self, i: usize) -> bool {
        let Some(t) = self.toks.get(i) else {
            return false;
        };
        if !t.is_word() || t.cap || self.tok_m[i] != NONE || t.key.chars().count() < 4 {
            return false;
        }
        let k = t.key.as_str();
        match self.lang {
            Lang::Kk => self.t.ends_with_word("kk_genitive_ending", k),
            Lang::Ru => self.t.ends_with_word("ru_genitive_ending", k),
            Lang::En => false,
        }
    }

    // ------------------------------------------------------------------ roles
    /// How a role mention is owned: by a branch, the party centre, a state body, or bare.
    pub(super) fn role_owner(&self, r: &Mention) -> &'static str {
        if let Some(owner) = self.left_owner(r) {
            return owner;
        }
        // «Қарағанды қалалық филиалын төрт жыл басқарып келген»: a Kazakh leading verb
        // governs the branch in the accusative a few words before it
        if self.lang == Lang::Kk
            && self
                .t
                .starts_with_word("kk_leading_verb", &self.toks[r.start].key)
        {
            let lo = r.start.saturating_sub(6);
            if self.mentions_in(lo, r.start).any(|m| {
                self.cue(m) == Some(CueKind::Branch)
                    && self
                        .t
                        .ends_with_word("kk_accusative_ending", &self.toks[m.end - 1].key)
            }) {
                return "branch";
            }
        }
        self.right_owner(r)
    }

    /// Skips leftwards over quotes, hyphens, short suffixes and the adjective «new»
    /// from token `p`; `None` when that runs off the start.
    fn skip_left(&self, mut p: usize) -> Option<usize> {
        for _ in 0..4 {
            let t = &self.toks[p];
            let suffix = t.is_word()
                && t.key.chars().count() <= 3
                && self.tok_m[p] == NONE
                && p > 0
                && self.toks[p - 1].is_punct('-');
            // «филиалдың жаңа басшысы», "the branch's new head": the adjective
            // «new» between owner and post does not change the owner
            let new_adj = self.t.word_in("new_adjective", &t.key);
            // «Кеңестің бұрынғы төрағасы»: nor does «former»
            let former = self.cue_at(p) == Some(CueKind::Former);
            if new_adj
                || former
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
    }

    /// The owner named right before a role («филиал төрағасы», «облыстық комитетінің
    /// бірінші хатшысы»), if any.
    fn left_owner(&self, r: &Mention) -> Option<&'static str> {
        let p = r.start.checked_sub(1).and_then(|p| self.skip_left(p))?;
        if let Some(m) = self.m_at(p) {
            match (&m.kind, self.cue(m)) {
                (MK::Geo(_), _) | (_, Some(CueKind::Branch)) | (_, Some(CueKind::Level(_))) => {
                    Some("branch")
                }
                // «облыстық комитетінің пленумында бірінші хатшы»: the plenum of a
                // regional committee is the branch's, not the centre's
                (_, Some(CueKind::Central)) if self.plenum_of_branch(m) => Some("branch"),
                // «... городского филиала НДП «Нур Отан» первым заместителем»: the
                // party closes the branch's name, so the post is the branch's
                (MK::Party(_), _) | (_, Some(CueKind::PartyWord))
                    if self.branch_just_before(m.start) =>
                {
                    Some("branch")
                }
                (MK::Party(_), _) | (_, Some(CueKind::PartyWord)) | (_, Some(CueKind::Central)) => {
                    Some("central")
                }
                (_, Some(CueKind::State)) => Some("state"),
                // «филиалының кеңесі төраға X-ты босатты»: the branch's own council
                (_, Some(CueKind::Body)) if self.branch_owns_body(m) => Some("branch"),
                (_, Some(CueKind::Body)) => Some("other"),
                _ => None,
            }
        } else if self.lang == Lang::Kk && self.untagged_genitive(p) {
            // «қоғамдық кеңестің төрағасы»: owned by a body the tables do not know
            Some("other")
        } else {
            None
        }
    }

    /// "chairman of the board": an English role owned by an untagged noun.
    fn en_owned_by_other(&self, k: usize) -> bool {
        if self.lang != Lang::En
            || !self
                .toks
                .get(k)
                .is_some_and(|t| self.t.word_in("en_of", &t.key))
        {
            return false;
        }
        let mut j = k + 1;
        while j < self.toks.len() && j < k + 4 && self.is_filler(j) {
            j += 1;
        }
        j < self.toks.len()
            && self.tok_m[j] == NONE
            && self.tok_n[j] == NONE
            && self.toks[j].is_word()
    }

    /// The owner named after a role: «председатель филиала», "chairman of the party's X
    /// branch".
    fn right_owner(&self, r: &Mention) -> &'static str {
        let mut k = r.end;
        let mut saw_party = false;
        if self.lang == Lang::Ru && self.untagged_genitive(k) {
            // «председатель общественного совета», «председателем правления»
            return "other";
        }
        if self.en_owned_by_other(k) {
            return "other";
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
                    (_, Some(CueKind::Body)) => return "other",
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

    pub(super) fn role_marked(&self, r: &Mention) -> bool {
        if let Some(n) = self.toks.get(r.end) {
            if self.t.word_in("role_marker_after", &n.key) {
                return true;
            }
        }
        let last = &self.toks[r.end - 1].key;
        if self.lang == Lang::Ru && self.t.ends_with_word("ru_instrumental_ending", last) {
            return true;
        }
        (r.start.saturating_sub(3)..r.start)
            .any(|j| self.t.word_in("role_marker_before", &self.toks[j].key))
    }

    /// «исполняющий обязанности председателя», "acting chairman», «төрағасының міндетін
    /// уақытша атқарушы»: the acting phrase touches the role (one word may sit between).
    pub(super) fn acting_near(&self, r: &Mention) -> bool {
        let acting = |j: usize| self.cue_at(j) == Some(CueKind::Acting);
        // «атқарушы болып төраға орынбасары»: «болып» ends the acting phrase
        let gap_ok = |end: usize| {
            end == r.start
                || end + 1 == r.start && !self.t.word_in("kk_as_verb", &self.toks[end].key)
        };
        // «төраға міндетін уақытша атқару төраға орынбасары Петренкоға»: an acting
        // phrase that already governs a post before it only describes the post after
        let governs_before = |m: &Mention| {
            (m.start.saturating_sub(3)..m.start)
                .any(|j| matches!(self.cue_at(j), Some(CueKind::Role(_) | CueKind::Head(_))))
        };
        let before = (r.start.saturating_sub(2)..r.start).any(|j| {
            acting(j)
                && self
                    .m_at(j)
                    .is_some_and(|m| gap_ok(m.end) && !(self.lang == Lang::Kk && governs_before(m)))
        });
        let after = (r.end..(r.end + 2).min(self.toks.len())).any(acting);
        before || after
    }

    /// A place that names a state body right after it («Тараз қалалық мәслихаты»,
    /// «городского маслихата Павлодара» is not caught; "Shymkent city akimat").
    pub(super) fn place_of_state_body(&self, g: &Mention) -> bool {
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
    pub(super) fn plenum_of_branch(&self, c: &Mention) -> bool {
        let key = &self.toks[c.start].key;
        if !self.t.starts_with_word("plenum", key) {
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

    pub(super) fn led_branch(&self, a: usize, b: usize) -> Option<Role> {
        if self.lang != Lang::Kk {
            return None;
        }
        (a..b).find_map(|i| {
            if !self
                .t
                .starts_with_word("kk_leading_verb", &self.toks[i].key)
            {
                return None;
            }
            let lo = i.saturating_sub(4).max(a);
            let branch = self.mentions_in(lo, i).any(|m| {
                self.cue(m) == Some(CueKind::Branch)
                    && self
                        .t
                        .ends_with_word("kk_accusative_ending", &self.toks[m.end - 1].key)
            });
            // «Комитетті ... басқарған Х»: a Communist regional committee is led by
            // its first secretary
            let committee = (lo..i).any(|k| {
                let key = &self.toks[k].key;
                self.t.starts_with_word("committee", key)
                    && self.t.ends_with_word("kk_committee_accusative_ending", key)
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
}

/// What the longest hits at a token make: a party, a foreign place, places, or the
/// most specific cue.
fn mention_kind(hits: &[Hit]) -> Option<MK> {
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
    if let Some(p) = party {
        Some(MK::Party(p))
    } else if hits.iter().any(|h| h.payload == Payload::Foreign) {
        Some(MK::Foreign)
    } else if !geos.is_empty() {
        let mut g = geos;
        g.sort_unstable();
        g.dedup();
        Some(MK::Geo(g))
    } else {
        hits.iter()
            .filter_map(|h| match h.payload {
                Payload::Cue(c) => Some((h.stem_chars, std::cmp::Reverse(c), c)),
                _ => None,
            })
            .max()
            .map(|(_, _, c)| MK::Cue(c))
    }
}

/// How far before a party name a branch word may stand and still own it, in tokens.
const BRANCH_BEFORE_PARTY: usize = 4;

impl Doc<'_> {
    /// A branch word stands right before token `at` («филиала НДП «Нур Отан»»).
    /// «филиалының кеңесі»: the branch's own council; «филиал жанындағы Ардагерлер
    /// кеңесі» (a council attached to the branch) is a body of its own.
    pub(super) fn branch_owns_body(&self, body: &Mention) -> bool {
        let lo = body.start.saturating_sub(BRANCH_BEFORE_PARTY);
        self.branch_just_before(body.start)
            && !(lo..body.start).any(|k| self.t.word_in("attached", &self.toks[k].key))
    }

    pub(super) fn branch_just_before(&self, at: usize) -> bool {
        self.mentions_in(at.saturating_sub(BRANCH_BEFORE_PARTY), at)
            .any(|x| self.cue(x) == Some(CueKind::Branch))
    }
}
