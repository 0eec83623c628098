//! Frames: one candidate change per event trigger, its slots filled step by step.
//!
//! For each sentence the event verbs are found ([`Doc::sentence_events`]); each verb
//! owns the clause between its neighbours. A trigger then goes through these steps,
//! any of which may reject it with a [`Reason`]:
//!
//! 1. sentence blockers — a denial or a foreign place/party in the sentence;
//! 2. mood — future, modal, negated, a dash without a name after it;
//! 3. event refinement — own request → resignation, voting body → election, …;
//! 4. candidate list — «список возглавил» heads a list, not a branch;
//! 5. person — the candidacy's name, the nearest name, or a pronoun's antecedent;
//! 6. role — the best role word, or the role the verb implies / the previous change's;
//! 7. place — the branch named, the sentence's place, the previous sentence's branch,
//!    the nearest town, the article's topic branch, or the previous change's branch;
//! 8. party — the nearest party, or the topic party;
//! 9. date, previous role, confidence, and names coordinated with the person.
//!
//! After the triggers of a sentence, elliptical clauses («…, в Атырауском — Y») copy a
//! change to another place.

use super::discourse::PROPOSAL_BACK;
use super::doc::*;
use super::names::person_key;
use super::negatives::*;
use super::places::*;
use super::previous::*;
use super::reason::*;
use super::scoring::*;
use super::tables::{Cue, CueKind, Voice};
use super::Rejection;
use crate::model::{DetectedChange, Event, Lang, Level, Role};
use chrono::NaiveDate;

/// How many sentences back a district or town branch's place may be named.
const PLACE_BACK: usize = 12;

/// What the whole article provides to every frame.
pub(super) struct Article {
    pub(super) topic: Topic,
    /// the region the article is about, to choose between same-named districts
    pub(super) topic_region: Option<String>,
    pub(super) sent_dates: Vec<Option<(DateInfo, usize)>>,
    /// the article's event date so far: the first full date up to each sentence
    pub(super) main_upto: Vec<Option<NaiveDate>>,
}

/// One event trigger in its clause.
pub(super) struct Frame<'d> {
    pub(super) si: usize,
    pub(super) e: &'d Mention,
    pub(super) cue: &'d Cue,
    pub(super) trig: String,
    /// sentence bounds
    pub(super) sb: usize,
    /// the clause: between the neighbouring event verbs
    pub(super) seg_lo: usize,
    pub(super) seg_hi: usize,
    /// the search window around the trigger, within the sentence
    pub(super) a: usize,
    pub(super) b: usize,
    pub(super) event: Event,
    pub(super) support: bool,
    pub(super) fills: bool,
}

/// The person slot.
pub(super) struct Person {
    pub(super) idx: u32,
    pub(super) end: usize,
    pub(super) oblique: bool,
    pub(super) via_pronoun: bool,
}

/// A role word considered for the role slot.
pub(super) struct RoleCand<'d> {
    pub(super) prio: i32,
    pub(super) dist: usize,
    pub(super) m: &'d Mention,
    pub(super) role: Role,
    pub(super) owner: &'static str,
    pub(super) appositive: bool,
}

/// The role slot.
pub(super) struct RoleSlot {
    pub(super) role: Role,
    pub(super) acting: bool,
    pub(super) tok: usize,
    pub(super) marked: bool,
    pub(super) named: bool,
    pub(super) apposed_prev: Option<Role>,
    pub(super) anaphor: bool,
}

/// The place slot.
pub(super) struct Place {
    pub(super) level_hint: Option<Level>,
    pub(super) level: Level,
    pub(super) region: String,
    pub(super) district: Option<String>,
    pub(super) branch_named: bool,
    pub(super) from_topic: bool,
}

impl<'a> Doc<'a> {
    pub(super) fn relate(&self, rejected: &mut Vec<Rejection>) -> Vec<Built> {
        let art = self.article();
        let mut out: Vec<Built> = Vec::new();
        let mut last_person: Option<u32> = None;
        for si in 0..self.sents.len() {
            self.relate_sentence(si, &art, &mut out, &mut last_person, rejected);
        }
        let left = self.predecessors(&out);
        out.extend(left);
        dedupe(out, rejected, self)
    }

    pub(super) fn article(&self) -> Article {
        let topic = self.topic();
        // the first place named with a region word, else the topic branch's region
        // («Есіл ауданы» is in Akmola, North Kazakhstan and Astana)
        let named_region = self.ments.iter().find_map(|m| match &m.kind {
            MK::Geo(ids) if self.geo_level(m) == Some(Level::Region) => {
                resolve_geo(self.t, ids, Some(Level::Region), None, self.published).map(|r| r.1)
            }
            _ => None,
        });
        let topic_region = named_region.or_else(|| {
            topic
                .geo
                .as_ref()
                .and_then(|(ids, l)| resolve_geo(self.t, ids, *l, None, self.published))
                .map(|r| r.1)
        });
        let (sent_dates, main_upto) = self.sentence_dates();
        Article {
            topic,
            topic_region,
            sent_dates,
            main_upto,
        }
    }

    #[allow(clippy::type_complexity)]
    pub(super) fn sentence_dates(
        &self,
    ) -> (Vec<Option<(DateInfo, usize)>>, Vec<Option<NaiveDate>>) {
        let mut last_date: Option<DateInfo> = None;
        let mut main_date: Option<NaiveDate> = None;
        let mut sent_dates = Vec::with_capacity(self.sents.len());
        let mut main_upto = Vec::with_capacity(self.sents.len());
        for si in 0..self.sents.len() {
            let sd = self.sentence_date(si, last_date);
            if let Some((d, _)) = sd {
                last_date = Some(d);
                if let (None, DateInfo::Full(x)) = (main_date, d) {
                    main_date = Some(x);
                }
            }
            sent_dates.push(sd);
            main_upto.push(main_date);
        }
        (sent_dates, main_upto)
    }

    pub(super) fn relate_sentence(
        &self,
        si: usize,
        art: &Article,
        out: &mut Vec<Built>,
        last_person: &mut Option<u32>,
        rejected: &mut Vec<Rejection>,
    ) {
        let (a, b) = self.sents[si];
        let events = self.sentence_events(si, rejected);
        let blockers = self.blockers(a, b);
        for (ei, e) in events.iter().enumerate() {
            let seg_lo = if ei == 0 { a } else { events[ei - 1].end };
            let seg_hi = events.get(ei + 1).map(|n| n.start).unwrap_or(b);
            let Some(f) = self.frame(si, e, seg_lo, seg_hi) else {
                continue;
            };
            let trigger = f.trig.clone();
            match self.relate_event(f, art, out, *last_person, blockers) {
                Ok(built) => out.extend(built),
                Err(why) => rejected.push(Rejection {
                    sentence: si,
                    trigger,
                    reason: why.to_string(),
                }),
            }
        }
        self.elliptical_places(si, b, out);
        self.elliptical_sentence(si, out);
        // remember the last named person for «Ол» / "He"
        let lastn = (a..b)
            .rev()
            .take(2 * WIN)
            .map(|k| self.tok_n[k])
            .find(|&x| x != NONE);
        if lastn.is_some() {
            *last_person = lastn;
        }
    }

    /// The event and support verbs of a sentence that have the words they need nearby.
    pub(super) fn sentence_events(
        &self,
        si: usize,
        rejected: &mut Vec<Rejection>,
    ) -> Vec<&Mention> {
        let (a, b) = self.sents[si];
        self.mentions_in(a, b)
            .filter(|m| {
                matches!(
                    self.cue(m),
                    Some(CueKind::Event(_)) | Some(CueKind::Support(_))
                )
            })
            .filter(|m| {
                let ok = self.has_needs(m, a, b);
                if !ok {
                    rejected.push(Rejection {
                        sentence: si,
                        trigger: self.span_text(m.start, m.end),
                        reason: Reason::MissingNeeds.to_string(),
                    });
                }
                ok
            })
            .collect()
    }

    pub(super) fn has_needs(&self, m: &Mention, a: usize, b: usize) -> bool {
        let MK::Cue(c) = m.kind else { return false };
        let cue = &self.t.cues[c as usize];
        if cue.needs.is_empty() {
            return true;
        }
        let lo = m.start.saturating_sub(cue.window).max(a);
        let hi = (m.end + cue.window).min(b);
        (lo..hi).any(|j| {
            cue.needs
                .iter()
                .any(|p| self.t.word_matches(p, &self.toks[j].key))
        })
    }

    pub(super) fn frame<'d>(
        &'d self,
        si: usize,
        e: &'d Mention,
        seg_lo: usize,
        seg_hi: usize,
    ) -> Option<Frame<'d>> {
        let MK::Cue(ci) = e.kind else { return None };
        let cue = &self.t.cues[ci as usize];
        let (event, support) = match cue.kind {
            CueKind::Event(ev) => (ev, false),
            CueKind::Support(ev) => (ev, true),
            _ => return None,
        };
        let (a, b) = self.sents[si];
        Some(Frame {
            si,
            e,
            cue,
            trig: self.span_text(e.start, e.end),
            sb: b,
            seg_lo,
            seg_hi,
            a,
            b,
            event,
            support,
            fills: event.fills_post(),
        })
    }

    pub(super) fn relate_event(
        &self,
        mut f: Frame<'_>,
        art: &Article,
        out: &[Built],
        last_person: Option<u32>,
        blockers: Blockers<'_>,
    ) -> Result<Vec<Built>, Reason> {
        self.check_blockers(blockers)?;
        self.check_mood(&f)?;
        f.event = self.refine_event(&f);
        self.check_candidate_list(&f)?;
        f.fills = f.event.fills_post();
        let mut rule: Vec<String> = vec![format!("event «{}»", f.trig)];
        // every search for this event stays within a window around it
        f.a = f.a.max(f.e.start.saturating_sub(WIN));
        f.b = f.b.min(f.e.end + WIN);
        let person = self.find_person(&f, out, last_person, &mut rule)?;
        self.check_addressee(&person)?;
        if f.support {
            self.check_vote_restates(&f, &person, out)?;
        }
        // «„Человек, которого избрали секретарём, должен ...“, — сказал Т. Касымов»
        if self.in_quotes[f.e.start] && !self.in_quotes[self.names[person.idx as usize].start] {
            return Err(Reason::QuotedRemark);
        }
        let role = self.find_role(&f, &person, out, &mut rule)?;
        if !role.named && self.implied_role(&f).is_some() {
            self.check_led_body(&f)?;
        }
        if role.acting {
            f.event = Event::Appointed;
            rule.push("acting".into());
        }
        let place = self.find_place(&f, &role, art, out, &mut rule)?;
        if !place.branch_named {
            self.check_unnamed_body(&f)?;
        }
        let (party, party_named) = self.find_party(&f, role.tok, &art.topic)?;
        Ok(self.build_changes(&f, art, &person, &role, &place, party, party_named, &rule))
    }

    /// «бюро», «совет», "council": a body that appoints.
    pub(super) fn bureau_in(&self, lo: usize, hi: usize) -> bool {
        (lo..hi).any(|j| self.t.word_in("bureau", &self.toks[j].key))
    }

    /// the approving verbs («утвердили», «доверили»); «назначили», "named" stay appointments
    pub(super) fn approving(&self, f: &Frame<'_>) -> bool {
        self.t
            .starts_with_word("approving_verb", &self.toks[f.e.start].key)
    }

    /// «Руководить филиалом доверили X» with no subject, in an article whose lead is
    /// about conferences and a paragraph that names no bureau: the delegates chose.
    fn conference_report(&self, si: usize) -> bool {
        let lead_end = self.sents[2.min(self.sents.len() - 1)].1;
        let (pa, pb) = (self.sents[self.paragraph_start(si)].0, self.sents[si].1);
        self.voters_in(0, lead_end) && !self.bureau_in(pa, pb) && !self.bureau_in(0, lead_end)
    }

    pub(super) fn voters_in(&self, lo: usize, hi: usize) -> bool {
        self.mentions_in(lo, hi)
            .any(|m| matches!(self.cue(m), Some(CueKind::Electorate | CueKind::Delegate)))
    }

    /// The event as the clause tells it: a release at the holder's own request is a
    /// resignation; what a voting body fills is an election; a bureau appoints.
    pub(super) fn refine_event(&self, f: &Frame<'_>) -> Event {
        let (e, cue, si) = (f.e, f.cue, f.si);
        let mut event = f.event;
        if event == Event::Dismissed
            && self
                .mentions_in(
                    f.seg_lo.max(e.start.saturating_sub(8)),
                    f.seg_hi.min(e.end + 8),
                )
                .any(|m| self.cue(m) == Some(CueKind::OwnWill))
        {
            event = Event::Resigned;
        }
        let bureau = self.bureau_in(f.seg_lo, e.start);
        // a bureau backing a candidacy appoints
        if f.support && bureau {
            event = Event::Appointed;
        }
        // «конференция утвердила», «члены филиала доверили ему»: the body may be the
        // subject of the sentence before, taken up by «они», "they"
        if event == Event::Appointed && cue.voice == Voice::Active && self.approving(f) && !bureau {
            let they = (f.seg_lo..e.start).any(|j| self.t.word_in("they", &self.toks[j].key));
            if self.voters_in(f.seg_lo, e.start)
                || they && si > 0 && self.voters_in(self.sents[si - 1].0, self.sents[si - 1].1)
                || self.conference_report(si)
            {
                event = Event::Elected;
            }
        }
        // "X succeeds Y" after a conference: delegates elect the successor, a bureau
        // appoints one
        if cue.successor && event == Event::Appointed && !bureau && si > 0 {
            let (pa, pb) = self.sents[si - 1];
            let prev_bureau = (pa..pb).any(|j| self.t.word_in("bureau_base", &self.toks[j].key));
            if !prev_bureau && self.voters_in(pa, e.start) {
                event = Event::Elected;
            }
        }
        // «Оның орнына X келді» after a bureau released the holder: the bureau filled it
        if event == Event::Elected && si > 0 && self.refers_to_post(f) {
            let (pa, pb) = self.sents[si - 1];
            if self.bureau_in(pa, pb) && !self.voters_in(pa, pb) && !self.voters_in(f.a, f.b) {
                event = Event::Appointed;
            }
        }
        // «вновь доверили руководство», "elected again": the holder keeps the post
        let again = (e.start.saturating_sub(3).max(f.seg_lo)..(e.end + 2).min(f.seg_hi))
            .any(|j| self.t.word_in("again", &self.toks[j].key));
        if event == Event::Elected && again {
            event = Event::ReElected;
        }
        event
    }

    // ---- person

    pub(super) fn find_person(
        &self,
        f: &Frame<'_>,
        out: &[Built],
        last_person: Option<u32>,
        rule: &mut Vec<String>,
    ) -> Result<Person, Reason> {
        if f.support {
            return self.person_of_candidacy(f, out, rule);
        }
        let (best, possessor) = self.nearest_name(f);
        if let Some(n) = best {
            let nm = &self.names[n as usize];
            let oblique =
                f.cue.voice == Voice::Active && (nm.start >= f.e.end || self.lang == Lang::Kk);
            return Ok(Person {
                idx: n,
                end: nm.end,
                oblique,
                via_pronoun: false,
            });
        }
        if f.cue.successor {
            // "He succeeds Y": the successor was reported where he was named
            return Err(Reason::SuccessorByPronoun);
        }
        self.person_by_pronoun(f, possessor, last_person, rule)
    }

    /// A vote for someone whose election was just reported restates it, whatever
    /// post words stand near the vote (they may title the one who proposed).
    fn check_vote_restates(&self, f: &Frame<'_>, p: &Person, out: &[Built]) -> Result<(), Reason> {
        let key = person_key(&self.canonical_name(&self.names[p.idx as usize], p.oblique));
        match out
            .iter()
            .rev()
            .take_while(|b| b.sentence + PROPOSAL_BACK > f.si)
            .find(|b| b.change.event.fills_post() && person_key(&b.change.person) == key)
        {
            Some(prev) => Err(Reason::Duplicate(prev.sentence)),
            None => Ok(()),
        }
    }

    /// The sentence (this one or the one before) that names a candidacy.
    pub(super) fn candidacy_sentence(&self, f: &Frame<'_>) -> Option<usize> {
        let si = f.si;
        if self
            .mentions_in(f.a, f.b)
            .any(|m| self.cue(m) == Some(CueKind::Candidacy))
        {
            Some(si)
        } else if si > 0 {
            let (pa, pb) = self.sents[si - 1];
            self.mentions_in(pa, pb)
                .any(|m| self.cue(m) == Some(CueKind::Candidacy))
                .then_some(si - 1)
        } else {
            None
        }
    }

    pub(super) fn person_of_candidacy(
        &self,
        f: &Frame<'_>,
        out: &[Built],
        rule: &mut Vec<String>,
    ) -> Result<Person, Reason> {
        let cs = self.candidacy_sentence(f);
        let pronoun = self
            .mentions_in(f.seg_lo, f.seg_hi)
            .any(|m| self.cue(m) == Some(CueKind::Pronoun));
        // the name at the candidacy word, then — unless a pronoun points back at an
        // election just reported — the vote's own object («поддержали Утегенова»), then
        // any name given with the candidacy
        let at_candidacy = cs
            .filter(|&c| c == f.si)
            .and_then(|c| self.name_at_candidacy(c));
        let named = at_candidacy.or_else(|| {
            if pronoun {
                return None;
            }
            self.nearest_name(f).0.or_else(|| {
                cs.and_then(|c| self.name_at_candidacy(c).or_else(|| self.candidacy_name(c)))
            })
        });
        if let Some(n) = named {
            rule.push("person: named with the candidacy".into());
            return Ok(Person {
                idx: n,
                end: self.names[n as usize].end,
                oblique: true,
                via_pronoun: false,
            });
        }
        self.person_of_earlier_proposal(f, cs, pronoun, out, rule)
    }

    /// «Делегаты единогласно поддержали кандидатуру», "supported him": the vote is for
    /// an election reported just before, or for the candidate proposed before it.
    fn person_of_earlier_proposal(
        &self,
        f: &Frame<'_>,
        cs: Option<usize>,
        pronoun: bool,
        out: &[Built],
        rule: &mut Vec<String>,
    ) -> Result<Person, Reason> {
        let missing = if cs.is_some() {
            Reason::CandidacyWithoutName
        } else {
            Reason::SupportWithoutCandidacy
        };
        // «Х предложила избрать Y. Делегаты проголосовали единогласно»: a vote right
        // after a proposal backs the one proposed
        let proposed = (f.si.saturating_sub(PROPOSAL_BACK)..f.si).any(|sj| {
            let (a, b) = self.sents[sj];
            self.mentions_in(a, b)
                .any(|m| self.cue(m) == Some(CueKind::Proposal))
        });
        if cs.is_none() && !pronoun && !proposed {
            return Err(missing);
        }
        if let Some(prev) = out
            .iter()
            .rev()
            .take_while(|b| b.sentence + PROPOSAL_BACK > f.si)
            .find(|b| b.change.event.fills_post())
        {
            return Err(Reason::Duplicate(prev.sentence));
        }
        let n = self.backed_person(f.si).ok_or(missing)?;
        rule.push("person: the candidacy proposed in the sentences before".into());
        Ok(Person {
            idx: n,
            end: self.names[n as usize].end,
            oblique: true,
            via_pronoun: true,
        })
    }

    /// The name right next to the candidacy word of sentence `cs`, or before a
    /// pronoun that stands for it.
    fn name_at_candidacy(&self, cs: usize) -> Option<u32> {
        let (ca, cb) = self.sents[cs];
        let c = self
            .mentions_in(ca, cb)
            .find(|m| self.cue(m) == Some(CueKind::Candidacy))?;
        let before = c
            .start
            .checked_sub(1)
            .map(|p| self.tok_n[p])
            .filter(|&x| x != NONE);
        let after = (c.end..(c.end + 3).min(cb))
            .map(|p| self.tok_n[p])
            .find(|&x| x != NONE);
        // «Х ұсынылып, оның кандидатурасын ... қолдады»: the pronoun before the
        // candidacy points at the last name before it
        let via_pron = (c.start > ca && self.cue_at(c.start - 1) == Some(CueKind::Pronoun))
            .then(|| {
                (ca..c.start - 1)
                    .rev()
                    .map(|p| self.tok_n[p])
                    .find(|&x| x != NONE)
            })
            .flatten();
        before.or(after).or(via_pron)
    }

    /// The event is a possessed noun of the person's own («Арыновтың өтініші
    /// қанағаттандырылды»), so a genitive name before it is its subject.
    pub(super) fn possessed_event(&self, f: &Frame<'_>) -> bool {
        let (e, cue) = (f.e, f.cue);
        e.end - e.start > 1
            && self
                .t
                .ends_with_word("kk_possessed_ending", &self.toks[e.start].key)
            || e.start > 0 && self.cue_at(e.start - 1) == Some(CueKind::Candidacy)
            || (e.start.saturating_sub(cue.window)..e.start).any(|j| {
                let k = &self.toks[j].key;
                self.t.ends_with_word("kk_possessed_ending", k)
                    && cue.needs.iter().any(|p| self.t.word_matches(p, k))
            })
    }

    /// Whether a name near the trigger may fill the person slot: `Some(true)` yes,
    /// `Some(false)` it is a possessor, `None` it is skipped.
    pub(super) fn name_use(&self, f: &Frame<'_>, n: u32, possessed: bool) -> Option<bool> {
        let (e, cue) = (f.e, f.cue);
        let nm = &self.names[n as usize];
        let lastk = &self.toks[*nm.parts.last().unwrap_or(&nm.start)].key;
        // a capitalised pair after a locative preposition is a place the tables do
        // not know ("in Otegen Batyr", «в Аксукенте»)
        if nm.start > 0
            && self
                .t
                .word_in("locative_before_name", &self.toks[nm.start - 1].key)
        {
            return None;
        }
        // «қызметінен босаған Х-тың орнына»: a participle right before a genitive name
        // describes that name, who is then its subject
        let participle_of = nm.start == e.end
            && self
                .t
                .ends_with_word("kk_participle_ending", &self.toks[e.end - 1].key);
        // a Kazakh genitive name is a possessor («Танишпековтің айтуынша»)
        if self.lang == Lang::Kk
            && !possessed
            && !participle_of
            && self.t.ends_with_word("kk_genitive_ending", lastk)
            && self.kk_strip(lastk).1 > 0
        {
            return Some(false);
        }
        // "X succeeds Y": the successor is the subject; the name after the verb is
        // the one who left
        if cue.successor && cue.voice == Voice::Passive && nm.start >= e.end {
            return None;
        }
        Some(true)
    }

    /// The name nearest the trigger in its clause, and a possessor skipped before it
    /// (in case a pronoun later in the clause points back at it: «Х-тың жұмысын
    /// бағалап, оны қайта сайлады»).
    pub(super) fn nearest_name(&self, f: &Frame<'_>) -> (Option<u32>, Option<u32>) {
        let e = f.e;
        let lo = f.seg_lo.max(e.start.saturating_sub(WIN));
        let hi = f.seg_hi.min(e.end + WIN);
        let possessed = self.possessed_event(f);
        let mut best: Option<(usize, u32)> = None;
        let mut possessor: Option<u32> = None;
        let mut k = lo;
        while k < hi {
            let n = self.tok_n[k];
            if n == NONE {
                k += 1;
                continue;
            }
            let nm = &self.names[n as usize];
            k = nm.end.max(k + 1);
            match self.name_use(f, n, possessed) {
                None => continue,
                Some(false) => {
                    if nm.end <= e.start {
                        possessor = Some(n);
                    }
                    continue;
                }
                Some(true) => {}
            }
            let dist = if nm.end <= e.start {
                e.start - nm.end
            } else {
                nm.start.saturating_sub(e.end)
            };
            if best.is_none_or(|(d, _)| dist < d) {
                best = Some((dist, n));
            }
        }
        (best.map(|b| b.1), possessor)
    }

    pub(super) fn person_by_pronoun(
        &self,
        f: &Frame<'_>,
        possessor: Option<u32>,
        last_person: Option<u32>,
        rule: &mut Vec<String>,
    ) -> Result<Person, Reason> {
        let e = f.e;
        // an active verb's pronoun subject is the one acting, not the one the post
        // changes for ("He dismissed them"): only an object pronoun right after the verb
        // counts ("relieved her of"); Russian and Kazakh put object pronouns before
        // the verb too («его избрали»)
        let object_only = f.cue.voice == Voice::Active && self.lang == Lang::En;
        let pron_at = self
            .mentions_in(f.seg_lo, f.seg_hi)
            .filter(|m| !object_only || (e.end..e.end + 2).contains(&m.start))
            .find(|m| self.cue(m) == Some(CueKind::Pronoun))
            .map(|m| m.start);
        let back = possessor.filter(|&n| pron_at.is_some_and(|p| self.names[n as usize].end <= p));
        if let Some(n) = back {
            rule.push("person: pronoun → possessor named before it".into());
            return Ok(Person {
                idx: n,
                end: self.names[n as usize].end,
                oblique: true,
                via_pronoun: false,
            });
        }
        // «После того как аким Х был назначен ..., конференция освободила его»: a name
        // earlier in the same sentence comes before the one of the sentence before
        let same_sentence = pron_at.and_then(|p| {
            (self.sents[f.si].0..p)
                .rev()
                .map(|k| self.tok_n[k])
                .find(|&x| x != NONE)
        });
        if let (Some(n), true) = (same_sentence.or(last_person), pron_at.is_some()) {
            rule.push("person: pronoun → last named person".into());
            return Ok(Person {
                idx: n,
                end: self.names[n as usize].end,
                oblique: false,
                via_pronoun: true,
            });
        }
        if self
            .mentions_in(e.start.saturating_sub(4).max(f.a), (e.end + 3).min(f.b))
            .any(|m| self.cue(m) == Some(CueKind::Delegate))
        {
            Err(Reason::DelegatesNotPost)
        } else {
            Err(Reason::NoPerson)
        }
    }

    // ---- role

    /// A role word as a candidate for the post, with its priority.
    pub(super) fn role_cand<'d>(
        &'d self,
        f: &Frame<'_>,
        p: &Person,
        m: &'d Mention,
    ) -> Option<RoleCand<'d>> {
        let (e, fills) = (f.e, f.fills);
        let (r, head) = match self.cue(m) {
            Some(CueKind::Role(r)) => (r, false),
            Some(CueKind::Head(r)) => (r, true),
            _ => return None,
        };
        if fills && self.in_prev(m.start) {
            return None;
        }
        // «бывший председатель ... назначен ...»: a former post is not the one filled
        if fills
            && (m.start.saturating_sub(2)..m.start).any(|j| self.cue_at(j) == Some(CueKind::Former))
        {
            return None;
        }
        // a participle's post stands right next to it: «төрағасы болып сайланған»,
        // «избранный председателем», "newly elected chairman"
        let gap = if m.end <= e.start {
            e.start - m.end
        } else {
            m.start.saturating_sub(e.end)
        };
        if f.cue.strict_role && gap > 1 {
            return None;
        }
        let owner = self.role_owner(m);
        if head && owner != "branch" {
            return None;
        }
        // (only before the vote's own sentence: in it, «филиал төрағасының бірінші
        // орынбасары X ... бұл міндетті атқару Y-ке жүктелді» is X's post passing to Y)
        if fills && m.start < f.a && self.titles_another(m, p) {
            return None;
        }
        let appositive = m.end <= p.end
            && (m.end..p.end).len() <= 4
            && self.tok_n.get(m.end).is_some_and(|&x| x != NONE);
        let mut prio = if self.acting_near(m) && fills {
            4
        } else if self.role_marked(m) {
            3
        } else if appositive {
            1
        } else {
            2
        };
        if !fills && appositive {
            prio = 4;
        }
        let dist = m.start.abs_diff(e.start).min(m.start.abs_diff(p.end));
        let in_seg = m.start >= f.seg_lo && m.start < f.seg_hi;
        Some(RoleCand {
            prio: prio + if in_seg { 10 } else { 0 },
            dist,
            m,
            role: r,
            owner,
            appositive,
        })
    }

    /// «бірінші орынбасары Әлібек Жаманқұлов ұсынды»: the post is the title of another
    /// person named right after it, not the one being filled.
    fn titles_another(&self, m: &Mention, p: &Person) -> bool {
        (m.end..(m.end + 5).min(self.toks.len()))
            .find(|&k| self.tok_n[k] != NONE)
            .is_some_and(|k| {
                let n = self.tok_n[k];
                n != p.idx && self.names[n as usize].start == k && self.post_before_name(m, k)
            })
    }

    pub(super) fn best_role(&self, f: &Frame<'_>, p: &Person) -> Option<RoleCand<'_>> {
        let e = f.e;
        let role_scope = if f.support && f.si > 0 {
            self.sents[f.si - 1].0
        } else {
            f.a
        };
        // «возглавил», "took over": the verb itself says chair; other role words in
        // the sentence belong to other clauses ...
        let implied = self.implied_role(f).is_some();
        let scan_hi = if implied { role_scope } else { f.b };
        // ... unless the post is named right after it ("took over as deputy chair")
        let (xa, xb) = if implied {
            (e.end, (e.end + 3).min(f.b))
        } else {
            (0, 0)
        };
        let right_after = self.mentions_in(xa, xb).filter(|m| {
            matches!(self.cue(m), Some(CueKind::Role(_)))
                && m.start == e.end + 1
                && self.t.word_in("as_post", &self.toks[e.end].key)
        });
        let mut best: Option<RoleCand<'_>> = None;
        for m in self.mentions_in(role_scope, scan_hi).chain(right_after) {
            let Some(c) = self.role_cand(f, p, m) else {
                continue;
            };
            let better = match &best {
                None => true,
                Some(b) => c.prio > b.prio || c.prio == b.prio && c.dist < b.dist,
            };
            if better {
                best = Some(c);
            }
        }
        best
    }

    /// The branch post inside a clause about what someone held, in a clause that
    /// speaks of replacing them.
    fn replaced_post(&self, f: &Frame<'_>) -> Option<(Role, usize)> {
        let replace = self
            .mentions_in(f.a, f.b)
            .any(|m| self.cue(m) == Some(CueKind::Replace));
        if !replace {
            return None;
        }
        self.mentions_in(f.a, f.b).find_map(|m| match self.cue(m) {
            Some(CueKind::Role(r)) if self.in_prev(m.start) && self.role_owner(m) == "branch" => {
                Some((r, m.start))
            }
            _ => None,
        })
    }

    /// A branch post named in the two sentences before `si` and after the sentence of
    /// the last change.
    fn post_named_since_change(&self, si: usize, out: &[Built]) -> Option<Role> {
        let from = si.saturating_sub(2);
        let from = out.last().map_or(from, |b| from.max(b.sentence + 1));
        self.recent_role_since(si, from)
    }

    /// The clause speaks of the post talked about before («на этом посту», «оның
    /// орнына», "the vacancy").
    pub(super) fn refers_to_post(&self, f: &Frame<'_>) -> bool {
        self.mentions_in(f.a, f.b)
            .any(|m| matches!(self.cue(m), Some(CueKind::Anaphor | CueKind::Replace)))
    }

    /// The post the verb itself names («возглавил» → chair), when the words it needs
    /// for that are there.
    pub(super) fn implied_role(&self, f: &Frame<'_>) -> Option<Role> {
        let cue = f.cue;
        let r = cue.role?;
        if cue.role_needs.is_empty() {
            return Some(r);
        }
        let lo = f.e.start.saturating_sub(cue.window).max(f.a);
        let hi = (f.e.end + cue.window).min(f.b);
        (lo..hi)
            .any(|j| {
                cue.role_needs
                    .iter()
                    .any(|p| self.t.word_matches(p, &self.toks[j].key))
            })
            .then_some(r)
    }

    pub(super) fn find_role(
        &self,
        f: &Frame<'_>,
        p: &Person,
        out: &[Built],
        rule: &mut Vec<String>,
    ) -> Result<RoleSlot, Reason> {
        let anaphor = f.cue.successor || self.refers_to_post(f);
        match self.best_role(f, p) {
            Some(c) => self.role_of_word(f, p, &c, anaphor, rule),
            None => self.role_unnamed(f, p, out, anaphor, rule),
        }
    }

    pub(super) fn role_of_word(
        &self,
        f: &Frame<'_>,
        p: &Person,
        c: &RoleCand<'_>,
        anaphor: bool,
        rule: &mut Vec<String>,
    ) -> Result<RoleSlot, Reason> {
        let m = c.m;
        self.check_role_owner(m, c.owner)?;
        self.check_state_taken(f, p, c)?;
        let acting = f.fills && self.acting_near(m);
        rule.push(format!(
            "role «{}» ({})",
            self.span_text(m.start, m.end),
            c.owner
        ));
        let apposed_prev = if f.fills {
            self.apposed_prev_role(f, p, m)
        } else {
            None
        };
        Ok(RoleSlot {
            role: c.role,
            acting,
            tok: m.start,
            marked: self.role_marked(m) || acting,
            named: true,
            apposed_prev,
            anaphor,
        })
    }

    /// Another role right before the person is what they held before: «первый
    /// заместитель председателя филиала Нурлан Абдиев» (only the branch's own words may
    /// sit between).
    pub(super) fn apposed_prev_role(&self, f: &Frame<'_>, p: &Person, m: &Mention) -> Option<Role> {
        let mut apposed_prev = None;
        let pstart = self.names[p.idx as usize].start;
        for om in self.mentions_in(f.a, f.b) {
            let Some(CueKind::Role(or)) = self.cue(om) else {
                continue;
            };
            let touches = om.end <= pstart
                && pstart - om.end <= 4
                && (om.end..pstart).all(|k| {
                    self.is_filler(k)
                        || self.m_at(k).is_some_and(|x| {
                            matches!(x.kind, MK::Geo(_) | MK::Party(_))
                                || matches!(
                                    self.cue(x),
                                    Some(CueKind::Branch | CueKind::Level(_) | CueKind::PartyWord)
                                )
                        })
                });
            if om.start != m.start && touches && !p.via_pronoun {
                apposed_prev = Some(or);
            }
        }
        apposed_prev
    }

    pub(super) fn role_unnamed(
        &self,
        f: &Frame<'_>,
        p: &Person,
        out: &[Built],
        anaphor: bool,
        rule: &mut Vec<String>,
    ) -> Result<RoleSlot, Reason> {
        let (e, cue, fills) = (f.e, f.cue, f.fills);
        if fills {
            self.check_state_post_after(f, p)?;
        }
        let mut acting = false;
        let mut tok = e.start;
        let role = if let Some(r) = self.implied_role(f) {
            rule.push(format!("role implied by «{}»", f.trig));
            // «временно руководить филиалом поручено ...»
            acting = fills
                && self
                    .mentions_in(
                        e.start.saturating_sub(cue.window + 4).max(f.seg_lo),
                        e.start,
                    )
                    .any(|m| self.cue(m) == Some(CueKind::Acting));
            r
        } else if let (true, Some((r, at))) = (anaphor && fills, self.replaced_post(f)) {
            // «На смену Y, занимавшему пост первого заместителя ..., пришёл X»: the
            // post (and its branch) of the one replaced
            rule.push("role: the post the replaced holder held".into());
            tok = at;
            r
        } else {
            self.role_from_context(f, p, out, anaphor, rule)
                .ok_or(Reason::NoPost)?
        };
        Ok(RoleSlot {
            role,
            acting,
            tok,
            marked: false,
            named: false,
            apposed_prev: None,
            anaphor,
        })
    }

    /// "deputies elected Seitkali secretary of the city maslikhat": the post named
    /// after the verb belongs to a state body (an apposition after a comma only says
    /// who the person is).
    fn check_state_post_after(&self, f: &Frame<'_>, p: &Person) -> Result<(), Reason> {
        let e = f.e;
        let state = self
            .mentions_in(e.end, f.seg_hi.min(e.end + 10))
            .find(|x| self.cue(x) == Some(CueKind::State) && !self.in_prev(x.start))
            .filter(|x| (e.end..x.start).all(|k| !self.toks[k].is_punct(',')))
            // «возглавил аким района Виталий Ковальчук»: the post describes the name
            .filter(|x| !self.describes_name(x, self.names[p.idx as usize].start));
        match state {
            Some(sm) => Err(Reason::StateBodyPost(self.span_text(sm.start, sm.end))),
            None => Ok(()),
        }
    }

    /// A post the clause does not name, from what was said before it.
    fn role_from_context(
        &self,
        f: &Frame<'_>,
        p: &Person,
        out: &[Built],
        anaphor: bool,
        rule: &mut Vec<String>,
    ) -> Option<Role> {
        let fills = f.fills;
        let (why, r) = if let (false, Some(r)) = (fills, self.led_branch(f.a, f.b)) {
            // «бұған дейін филиалды басқарған Х ... кеткен еді»: whoever led the branch
            // was its chair
            ("role: head of the branch the person led", r)
        } else if let (true, Some(r)) = (anaphor && fills, self.post_named_since_change(f.si, out))
        {
            // «Конференцияда төрағаның орынбасары сайланды. Бұл қызметке X сайланды»:
            // "this post" is the one named after the last change
            ("role: the post named after the previous change", r)
        } else if let (true, Some(prev)) = (anaphor || !fills, out.last()) {
            ("role: same post as the previous change", prev.change.role)
        } else if let (true, Some(r)) = (
            anaphor || !fills || p.via_pronoun || self.post_left_open(f.si),
            self.recent_role(f.si),
        ) {
            ("role: the post named in the previous sentences", r)
        } else if let (true, Some(r)) = (
            anaphor || f.support || p.via_pronoun,
            self.context_role(f.si),
        ) {
            // a clause that refers back («его избрали», «поддержали кандидатуру»)
            (
                "role: the post named earlier in the paragraph or the headline",
                r,
            )
        } else if let (true, Some(r)) = (f.support, self.voted_post(f.si)) {
            ("role: the branch post named before the vote", r)
        } else {
            return None;
        };
        rule.push(why.into());
        Some(r)
    }

    // ---- place

    /// The branch word nearest the role; one in this clause beats a nearer one in the next.
    pub(super) fn nearest_branch(&self, f: &Frame<'_>, role_tok: usize) -> Option<&Mention> {
        self.mentions_in(f.a, f.b)
            // a branch inside a previous-post clause counts only for a post taken
            // from that clause («на смену Y, руководившему филиалом, пришёл X»)
            .filter(|m| {
                self.cue(m) == Some(CueKind::Branch)
                    && !(f.fills && self.in_prev(m.start) && !self.in_prev(role_tok))
            })
            .min_by_key(|m| {
                let d = m.start.abs_diff(role_tok);
                d + if m.start >= f.seg_lo && m.start < f.seg_hi {
                    0
                } else {
                    1000
                }
            })
    }

    /// «...в Темиртауском городском филиале. Заместителем назначена X»: a city or
    /// district branch named in the sentence before is the one meant, even when the
    /// article is about its regional branch
    pub(super) fn branch_of_previous_sentence(
        &self,
        si: usize,
        bare_level: Option<Level>,
    ) -> Option<GeoRef> {
        let (pa, pb) = self.sents[si - 1];
        self.mentions_in(pa, pb)
            .filter(|m| self.cue(m) == Some(CueKind::Branch) && !self.in_prev(m.start))
            .filter_map(|m| {
                let (l, g) = self.branch_parts(m);
                let (ids, gl) = g?;
                let pl = l.or(gl);
                (matches!(pl, Some(Level::City | Level::District))
                    && bare_level.is_none_or(|bl| Some(bl) == pl))
                .then_some((ids, pl))
            })
            .last()
    }

    /// The branch's place and level word as the text gives them, before resolution:
    /// (level, place, branch word named, from the topic branch).
    pub(super) fn branch_place(
        &self,
        f: &Frame<'_>,
        role_tok: usize,
        topic: &Topic,
        rule: &mut Vec<String>,
    ) -> (Option<Level>, Option<GeoRef>, bool, bool) {
        let si = f.si;
        let near_branch = self.nearest_branch(f, role_tok);
        let sentence_geo = || self.sentence_geo(si, role_tok, None, topic.geo.is_some());
        // a bare «филиал» / "the branch": a place named in passing («a university in
        // Almaty») must not beat the article's branch; only a place with its level
        // word («Алматы облысында») does. No branch word: "In Atyrau region, X was
        // relieved ..." names the branch's place by its level word
        let (mut level, mut geo) = match near_branch {
            Some(bm) => {
                let (l, g) = self.branch_parts(bm);
                (l, g.or_else(sentence_geo))
            }
            None => (None, sentence_geo()),
        };
        let mut from_prev = false;
        // a bare branch word («городской филиал») must agree on the level
        let bare_level = near_branch.and_then(|bm| self.branch_parts(bm).0);
        if geo.is_none() && si > 0 {
            if let Some(p) = self.branch_of_previous_sentence(si, bare_level) {
                geo = Some(p);
                level = geo.as_ref().and_then(|g| g.1);
                from_prev = true;
            }
        }
        if geo.is_none() && bare_level == Some(Level::City) {
            // «Семей қаласында ... Қалалық конференция ... қалалық филиалдың төрағасы»:
            // a town branch without its own name is the branch of the nearest town
            // named before it with its level word
            if let Some(g) = self.preceding_town(role_tok) {
                geo = Some(g);
                level = Some(Level::City);
                rule.push("place: the nearest town named before".into());
            }
        }
        if geo.is_none() {
            // «Глубоковский район. ... освободили председателя филиала»
            if let Some(g) = self.paragraph_place(si, role_tok.min(f.e.start)) {
                level = level.or(g.1);
                geo = Some(g);
                rule.push("place: named earlier in the paragraph".into());
            }
        }
        let mut from_topic = false;
        if geo.is_none() {
            if let Some((ids, tl)) = &topic.geo {
                geo = Some((ids.clone(), *tl));
                from_topic = true;
            }
        }
        if from_prev {
            rule.push("place: the branch named in the previous sentence".into());
        }
        (level, geo, near_branch.is_some(), from_topic)
    }

    pub(super) fn find_place(
        &self,
        f: &Frame<'_>,
        role: &RoleSlot,
        art: &Article,
        out: &[Built],
        rule: &mut Vec<String>,
    ) -> Result<Place, Reason> {
        let (level, geo, branch_named, from_topic) =
            self.branch_place(f, role.tok, &art.topic, rule);
        // "The post went to X" after a change whose branch was placed without a
        // branch word: the successor takes the post in that same branch
        let successor_of = if geo.is_none() && role.anaphor && f.fills {
            out.last()
        } else if from_topic && (role.anaphor || self.former_in(f.seg_lo, f.seg_hi)) {
            // «В Костанае филиал возглавил X. Должность была вакантна с марта, когда
            // прежний руководитель Y ...»: a clause about the post's former holder
            // means the branch of the change just told in this paragraph
            self.recent_change_in_paragraph(f.si, out)
        } else {
            None
        };
        let place = if let Some(p) = successor_of {
            rule.push("place: the branch of the previous change".into());
            Place {
                level_hint: p.level_hint,
                level: p.change.level,
                region: p.change.region.clone(),
                district: p.change.district.clone(),
                branch_named,
                from_topic,
            }
        } else {
            let (ids, glevel) = geo.ok_or(Reason::NoPlace)?;
            let level_hint = level.or(glevel);
            let ctx = art.topic_region.as_deref();
            let (lvl, region, district) =
                resolve_geo(self.t, &ids, level_hint, ctx, self.published)
                    .or_else(|| self.earlier_place_at_level(f.si, role.tok, level, ctx, rule))
                    .ok_or(Reason::PlaceLevel)?;
            Place {
                level_hint,
                level: lvl,
                region,
                district,
                branch_named,
                from_topic,
            }
        };
        rule.push(format!(
            "branch: {}{}",
            if branch_named {
                "named in sentence"
            } else {
                "none in sentence"
            },
            if from_topic {
                ", place from the article's topic branch"
            } else {
                ""
            }
        ));
        Ok(place)
    }

    /// «бюро Туркестанского областного филиала ... полномочия председателя районного
    /// филиала прекращены»: the place in the clause belongs to another branch of a
    /// higher level, so the district or town branch is the one named earlier in the
    /// article (nearest first, the headline last).
    fn earlier_place_at_level(
        &self,
        si: usize,
        before: usize,
        level: Option<Level>,
        ctx: Option<&str>,
        rule: &mut Vec<String>,
    ) -> Option<(Level, String, Option<String>)> {
        let level = level.filter(|l| *l != Level::Region)?;
        let lo = self.sents[si.saturating_sub(PLACE_BACK)].0;
        let found = self
            .mentions_in(lo, before)
            .filter(|m| matches!(m.kind, MK::Geo(_)) && !self.in_prev(m.start))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .find_map(|m| match &m.kind {
                MK::Geo(ids) => resolve_geo(self.t, ids, Some(level), ctx, self.published)
                    .filter(|r| r.0 == level),
                _ => None,
            })?;
        rule.push("place: the nearest earlier place of the branch's level".into());
        Some(found)
    }

    // ---- party

    /// The party nearest the role, else the article's; and whether it was named here.
    pub(super) fn find_party(
        &self,
        f: &Frame<'_>,
        role_tok: usize,
        topic: &Topic,
    ) -> Result<(u32, bool), Reason> {
        let party_m = self
            .mentions_in(
                f.a.max(role_tok.saturating_sub(WIN)),
                f.b.min(role_tok + WIN),
            )
            .filter(|m| matches!(m.kind, MK::Party(_)) && !(f.fills && self.in_prev(m.start)))
            .min_by_key(|m| m.start.abs_diff(role_tok));
        let party = match party_m.map(|m| &m.kind) {
            Some(MK::Party(p)) => Some(*p),
            _ => topic.party,
        };
        let party = party.ok_or(Reason::NoParty)?;
        let pinfo = &self.t.parties[party as usize];
        if pinfo.foreign {
            return Err(Reason::ForeignParty(pinfo.id.clone()));
        }
        Ok((party, party_m.is_some()))
    }

    // ---- date, previous role, confidence

    /// A resignation takes effect when accepted: «өтінішін қанағаттандырды», «принял
    /// его отставку» with a date in the next sentence.
    pub(super) fn change_date(
        &self,
        f: &Frame<'_>,
        art: &Article,
        via_pronoun: bool,
    ) -> Option<NaiveDate> {
        let si = f.si;
        let accepted = |sj: usize| {
            self.sents.get(sj).is_some_and(|&(x, y)| {
                self.mentions_in(x, y.min(x + 2 * WIN))
                    .any(|m| self.cue(m) == Some(CueKind::Accept))
            })
        };
        match art.sent_dates[si] {
            Some((DateInfo::Full(d), _)) => Some(d),
            Some((DateInfo::MonthOnly, _)) => None,
            None if f.event == Event::Resigned => (si + 1..si + 3)
                .find(|&sj| accepted(sj))
                .and_then(|sj| match art.sent_dates.get(sj) {
                    Some(Some((DateInfo::Full(d), _))) => Some(*d),
                    _ => None,
                }),
            None if f.cue.backstory || f.event == Event::Resigned || via_pronoun && !f.fills => {
                None
            }
            None => art.main_upto[si],
        }
    }

    pub(super) fn previous_role(
        &self,
        f: &Frame<'_>,
        role: &RoleSlot,
        lvl: Level,
        person_name: &str,
    ) -> Option<String> {
        if f.event == Event::ReElected {
            return Some(format!("{} of {}", role_en(role.role), level_en(Some(lvl))));
        }
        if !f.fills {
            return None;
        }
        self.prev_role_in(f.si, Some(lvl))
            .or_else(|| {
                role.apposed_prev
                    .map(|r| format!("{} of {}", role_en(r), level_en(Some(lvl))))
            })
            .or_else(|| self.previous_role_after(f.si, person_name))
    }

    /// The next sentence or the one after may say what they did before.
    pub(super) fn previous_role_after(&self, si: usize, person_name: &str) -> Option<String> {
        for (sj, (na, nb)) in self.sents.iter().copied().enumerate().skip(si + 1).take(2) {
            let starts_pron = self
                .mentions_in(na, nb)
                .next()
                .is_some_and(|m| m.start == na && self.cue(m) == Some(CueKind::Pronoun));
            let names_person = (na..nb.min(na + WIN)).any(|k| {
                self.tok_n[k] != NONE && {
                    // «Dzhumagaliyev» names «Samat Dzhumagaliyev»
                    let mine: Vec<String> = person_name
                        .split_whitespace()
                        .map(super::text::fold)
                        .collect();
                    self.nom[self.tok_n[k] as usize]
                        .1
                        .iter()
                        .all(|p| mine.contains(p))
                }
            });
            let has_event = self
                .mentions_in(na, nb)
                .any(|m| matches!(self.cue(m), Some(CueKind::Event(_))));
            if (starts_pron && sj == si + 1 || names_person) && !has_event {
                let found = self.prev_role_in(sj, None);
                if found.is_some() {
                    return found;
                }
            }
        }
        None
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn build_changes(
        &self,
        f: &Frame<'_>,
        art: &Article,
        p: &Person,
        role: &RoleSlot,
        place: &Place,
        party: u32,
        party_named: bool,
        rule: &[String],
    ) -> Vec<Built> {
        // built only now: spelling variants are looked up across the article
        let oblique = p.oblique || self.ru_genitive_apposition(role.tok, p.idx);
        let person_name = self.canonical_name(&self.names[p.idx as usize], oblique);
        let change = DetectedChange {
            person: person_name.clone(),
            role: role.role,
            party: self.t.parties[party as usize].id.clone(),
            level: place.level,
            region: place.region.clone(),
            district: place.district.clone(),
            event: f.event,
            acting: role.acting,
            previous_role: self.previous_role(f, role, place.level, &person_name),
            date: self.change_date(f, art, p.via_pronoun),
            evidence: {
                let (sa, sb) = self.sents[f.si];
                if sb - sa <= 4 * WIN {
                    self.span_text(sa, sb)
                } else {
                    self.span_text(f.a, f.b)
                }
            },
            confidence: confidence(place, party_named, role, p.via_pronoun),
        };
        let rule = rule.join("; ");
        let mut out = Vec::new();
        // «X пен Y ... тағайындалды», «избраны X и Y»: coordinated names share the change
        let coord = if f.support || p.via_pronoun {
            Vec::new()
        } else {
            self.coordinated(p.idx)
        };
        for other in coord {
            let mut ch = change.clone();
            ch.person = self.canonical_name(&self.names[other as usize], oblique);
            ch.previous_role = None;
            out.push(Built {
                sentence: f.si,
                change: ch,
                rule: format!("{rule}; name coordinated with «{person_name}»"),
                name_end: self.names[other as usize].end,
                level_hint: place.level_hint,
                vague_event: f.cue.vague,
            });
        }
        out.push(Built {
            sentence: f.si,
            change,
            rule,
            name_end: p.end,
            level_hint: place.level_hint,
            vague_event: f.cue.vague,
        });
        out
    }

    // ---- elliptical clauses

    /// «в Мангистауском ... председателем стал X, в Атырауском — Y»: same post,
    /// another place.
    pub(super) fn elliptical_places(&self, si: usize, sb: usize, out: &mut Vec<Built>) {
        let made: Vec<Built> = out.iter().filter(|c| c.sentence == si).cloned().collect();
        for c in made {
            let mut k = c.name_end;
            let b = sb.min(c.name_end + WIN);
            while k < b {
                let Some(m) = self.m_at(k) else {
                    k += 1;
                    continue;
                };
                if let Some(more) = self.elliptical_at(&c, m, si, b) {
                    k = more.name_end;
                    out.push(more);
                    continue;
                }
                k = m.end.max(k + 1);
            }
        }
    }

    /// «В Жетысуском — Алмас Турлыбеков.» on its own after a change: the same post
    /// in another place, when the sentence has no verb of its own.
    pub(super) fn elliptical_sentence(&self, si: usize, out: &mut Vec<Built>) {
        let (a, b) = self.sents[si];
        if out.last().is_some_and(|c| c.sentence == si)
            || self.mentions_in(a, b).any(|m| {
                matches!(self.cue(m), Some(CueKind::Event(_) | CueKind::Support(_)))
                    && self.toks[m.start].is_word()
            })
        {
            return;
        }
        let Some(c) = self.recent_fill(si, out).cloned() else {
            return;
        };
        let lead = (a + 4).min(b);
        let more = self
            .mentions_in(a, lead)
            .find_map(|m| self.elliptical_at(&c, m, si, b));
        if let Some(more) = more {
            out.push(more);
        }
    }

    pub(super) fn elliptical_at(
        &self,
        c: &Built,
        m: &Mention,
        si: usize,
        b: usize,
    ) -> Option<Built> {
        let MK::Geo(ids) = &m.kind else { return None };
        let dj = (m.end..(m.end + 3).min(b)).find(|&j| self.toks[j].is_punct('—'))?;
        let n = (dj + 1..(dj + 4).min(b))
            .map(|j| self.tok_n[j])
            .find(|&x| x != NONE)?;
        let nm = &self.names[n as usize];
        let lvl = self.geo_level(m).or(c.level_hint);
        let (l, region, district) = resolve_geo(self.t, ids, lvl, None, self.published)?;
        let mut ch = c.change.clone();
        ch.person = self.canonical_name(nm, false);
        ch.level = l;
        ch.region = region;
        ch.district = district;
        ch.previous_role = None;
        ch.confidence = (ch.confidence - 0.1).max(0.05);
        Some(Built {
            sentence: si,
            change: ch,
            rule: format!(
                "{}; elliptical clause «… — name» with another place",
                c.rule
            ),
            name_end: nm.end,
            level_hint: c.level_hint,
            vague_event: c.vague_event,
        })
    }
}
