//! Negatives: the checks that reject a trigger — a denial or a foreign place in the
//! sentence, future/modal/negated mood, a dash without a name, a candidate list, and a
//! post that belongs to the party centre, a state body or another body.

use super::doc::*;
use super::frames::*;
use super::reason::*;
use super::tables::CueKind;
use crate::model::Lang;

/// A denial and a foreign mention of a sentence, which block all its triggers.
#[derive(Clone, Copy)]
pub(super) struct Blockers<'d> {
    pub(super) denial: Option<&'d Mention>,
    pub(super) foreign: Option<&'d Mention>,
}

impl<'a> Doc<'a> {
    pub(super) fn blockers(&self, a: usize, b: usize) -> Blockers<'_> {
        let denial = self
            .mentions_in(a, b)
            .find(|m| self.cue(m) == Some(CueKind::Denial));
        // another country named outside a previous-role clause («ранее работал в России» is fine)
        let foreign = self.mentions_in(a, b).find(|m| {
            matches!(m.kind, MK::Foreign)
                || matches!(m.kind, MK::Party(p) if self.t.parties[p as usize].foreign)
        });
        let foreign = foreign.filter(|m| !self.in_prev(m.start));
        Blockers { denial, foreign }
    }

    pub(super) fn check_blockers(&self, bl: Blockers<'_>) -> Result<(), Reason> {
        if let Some(dm) = bl.denial {
            return Err(Reason::Denial(self.span_text(dm.start, dm.end)));
        }
        if let Some(fm) = bl.foreign {
            return Err(Reason::Foreign(self.span_text(fm.start, fm.end)));
        }
        Ok(())
    }

    /// A cue of one of `kinds` within `n` tokens before the trigger, in its clause.
    pub(super) fn near_before(&self, f: &Frame<'_>, kinds: &[CueKind], n: usize) -> Option<usize> {
        (f.e.start.saturating_sub(n).max(f.seg_lo)..f.e.start)
            .find(|&j| self.cue_at(j).is_some_and(|k| kinds.contains(&k)))
    }

    /// "X will serve as acting chair until a new chair is elected": an interim
    /// arrangement already in force, told in the future tense (checked only when a
    /// future word is there, and within a bounded window)
    pub(super) fn interim(&self, f: &Frame<'_>) -> bool {
        let (e, b) = (f.e, f.sb);
        (e.end..(e.end + 3).min(b)).any(|j| self.cue_at(j) == Some(CueKind::Acting))
            && (e.end..b.min(e.end + 40))
                .any(|j| self.t.word_in("interim_until", &self.toks[j].key))
    }

    pub(super) fn check_mood(&self, f: &Frame<'_>) -> Result<(), Reason> {
        let (e, b) = (f.e, f.sb);
        let surf = |j: usize| self.toks[j].surface(&self.text).to_string();
        if let Some(j) = self
            .near_before(f, &[CueKind::Future], 4)
            .filter(|_| !self.interim(f))
        {
            return Err(Reason::Future(surf(j)));
        }
        // a capitalised "May" inside a sentence is the month
        let month_word = |j: usize| self.toks[j].cap && j > self.sents[f.si].0;
        if let Some(j) = self
            .near_before(f, &[CueKind::Modal], 7)
            .filter(|&j| !month_word(j))
        {
            return Err(Reason::Modal(surf(j)));
        }
        // Kazakh negates after the verb: «кеткен жоқ», «босатылған емес»
        let kk_neg_after = (self.lang == Lang::Kk)
            .then(|| {
                (e.end..(e.end + 2).min(b))
                    .find(|&j| self.t.word_in("kk_negation_after", &self.toks[j].key))
            })
            .flatten();
        if let Some(j) = self
            .near_before(f, &[CueKind::Negation], 2)
            .or(kk_neg_after)
        {
            return Err(Reason::Negated(surf(j)));
        }
        // a dash stands for a verb only when a name follows it at once
        if self.toks[e.start].is_punct('—') && self.tok_n.get(e.end).is_none_or(|&x| x == NONE) {
            return Err(Reason::DashWithoutName);
        }
        Ok(())
    }

    /// «список, который возглавил X», "headed the party list": a list, not a branch;
    /// the nearest of a list word and a branch word before the verb decides
    pub(super) fn check_candidate_list(&self, f: &Frame<'_>) -> Result<(), Reason> {
        let e = f.e;
        let list_before = self
            .mentions_in(e.start.saturating_sub(10).max(f.seg_lo), e.start)
            .filter(|m| matches!(self.cue(m), Some(CueKind::Delegate | CueKind::Branch)))
            .last()
            // «Делегаты доверили руководство X»: the delegates vote, they are no list
            .is_some_and(|m| {
                self.cue(m) == Some(CueKind::Delegate)
                    && !self.t.word_in("voters", &self.toks[m.start].key)
            });
        let list_after = self
            .mentions_in(e.end, (e.end + 3).min(f.seg_hi))
            .any(|m| self.cue(m) == Some(CueKind::Delegate));
        if self.implied_role(f).is_some() && (list_before || list_after) {
            return Err(Reason::CandidateList);
        }
        Ok(())
    }

    /// The post's owner must be a party branch.
    pub(super) fn check_role_owner(&self, m: &Mention, owner: &str) -> Result<(), Reason> {
        let span = || self.span_text(m.start, m.end);
        match owner {
            "central" => Err(Reason::CentralPost(span())),
            "other" => Err(Reason::OtherBodyPost(span())),
            "state" => Err(Reason::StatePost(span())),
            _ => Ok(()),
        }
    }

    /// «— Виталий Сергеевич, вы недавно возглавили филиал?»: a name followed by a
    /// comma and a second-person pronoun is the one spoken to in an interview; what
    /// the question says is not reported as a fact.
    pub(super) fn check_addressee(&self, p: &Person) -> Result<(), Reason> {
        let end = self.names[p.idx as usize].end;
        let comma = self.toks.get(end).is_some_and(|t| t.is_punct(','));
        let you = self
            .toks
            .get(end + 1)
            .is_some_and(|t| self.t.word_in("address_pronoun", &t.key));
        if comma && you {
            let n = &self.names[p.idx as usize];
            return Err(Reason::Addressee(self.span_text(n.start, n.end)));
        }
        Ok(())
    }

    /// A post whose sentence names no branch belongs to the other body the sentence
    /// names («Совет сторонников партии возглавила X», «кеңесті басқарған X ...
    /// босатылды»), or to the body named in the sentence before when a possessive
    /// pronoun opens the clause («... первичной партийной организации. Её
    /// председателем избрана X»).
    /// «Федерацию бокса возглавил X», "took over the federation": what a leading verb
    /// governs right next to it is the body led; a body other than the branch's own
    /// makes it no branch post, whatever else the sentence names.
    pub(super) fn check_led_body(&self, f: &Frame<'_>) -> Result<(), Reason> {
        let e = f.e;
        let lo = e.start.saturating_sub(4).max(f.seg_lo);
        let hi = (e.end + 3).min(f.seg_hi);
        let body = self.mentions_in(lo, hi).find(|m| {
            self.cue(m) == Some(CueKind::Body)
                && !self.branch_owns_body(m)
                && !self
                    .mentions_in(m.end.min(e.start), m.start.max(e.end))
                    .any(|x| self.cue(x) == Some(CueKind::Branch))
        });
        match body {
            Some(m) => Err(Reason::OtherBodyPost(self.span_text(m.start, m.end))),
            None => Ok(()),
        }
    }

    pub(super) fn check_unnamed_body(&self, f: &Frame<'_>) -> Result<(), Reason> {
        let (a, b) = self.sents[f.si];
        let organ = |m: &Mention| {
            (m.start.saturating_sub(2)..(m.end + 2).min(self.toks.len()))
                .any(|k| self.t.starts_with_word("branch_organ", &self.toks[k].key))
        };
        let body_in = |lo: usize, hi: usize| {
            self.mentions_in(lo, hi).find(|m| {
                self.cue(m) == Some(CueKind::Body) && !self.branch_owns_body(m) && !organ(m)
            })
        };
        let branch_in = |lo: usize, hi: usize| {
            self.mentions_in(lo, hi)
                .any(|m| self.cue(m) == Some(CueKind::Branch))
        };
        if branch_in(a, b) {
            return Ok(());
        }
        if let Some(m) = body_in(a, b) {
            return Err(Reason::OtherBodyPost(self.span_text(m.start, m.end)));
        }
        let opens_with_possessive =
            (a..(a + 2).min(b)).any(|k| self.cue_at(k) == Some(CueKind::Pronoun));
        let party_here = self
            .mentions_in(a, b)
            .any(|m| matches!(m.kind, MK::Party(_)) || self.cue(m) == Some(CueKind::PartyWord));
        if f.si > 0 && (opens_with_possessive || !party_here) {
            let (pa, pb) = self.sents[f.si - 1];
            if let Some(m) = body_in(pa, pb).filter(|_| !branch_in(pa, pb)) {
                return Err(Reason::OtherBodyPost(self.span_text(m.start, m.end)));
            }
        }
        Ok(())
    }

    /// A branch post next to a state post the person takes only says who they are.
    /// «федерациясының президенті болып ... филиал төрағасының орынбасары X сайланды»:
    /// in Kazakh the post taken is the word before «болып»; when that word is no
    /// post of ours, the branch post beside the name only says who the person is.
    fn check_kk_other_post_marked(&self, f: &Frame<'_>) -> Result<(), Reason> {
        if self.lang != Lang::Kk {
            return Ok(());
        }
        let ours = |k: usize| {
            matches!(
                self.cue_at(k),
                Some(CueKind::Role(_) | CueKind::Head(_) | CueKind::Acting | CueKind::State)
            )
        };
        let other = (f.seg_lo.max(1)..f.e.start).find(|&k| {
            self.t.word_in("kk_as_verb", &self.toks[k].key)
                && self.toks[k - 1].is_word()
                && self.tok_n[k - 1] == NONE
                && !ours(k - 1)
        });
        match other {
            Some(k) => Err(Reason::OtherBodyPost(self.span_text(k - 1, k + 1))),
            None => Ok(()),
        }
    }

    /// «руководивший аппаратом акима»: a state body in the case a leading verb
    /// governs is what someone led, not a post taken («руководителем аппарата» is).
    fn governed_by_leading_verb(&self, x: &Mention) -> bool {
        x.start > 0
            && self.m_at(x.start - 1).is_some_and(|h| {
                matches!(self.cue(h), Some(CueKind::Head(_))) && !self.role_marked(h)
            })
    }

    pub(super) fn check_state_taken(
        &self,
        f: &Frame<'_>,
        p: &Person,
        c: &RoleCand<'_>,
    ) -> Result<(), Reason> {
        let m = c.m;
        if !f.fills || self.acting_near(m) || self.role_marked(m) {
            return Ok(());
        }
        self.check_kk_other_post_marked(f)?;
        // «Депутатами маслихата избраны председатель филиала X»: the post taken is
        // the marked state post, the branch post says who they are
        let marked_state = self.mentions_in(f.seg_lo, f.seg_hi).find(|x| {
            self.cue(x) == Some(CueKind::State)
                && !self.in_prev(x.start)
                && !self.governed_by_leading_verb(x)
                && (self.role_marked(x)
                    || self.lang == Lang::Ru
                        && self
                            .t
                            .ends_with_word("ru_instrumental_plural", &self.toks[x.end - 1].key))
        });
        if let Some(sm) = marked_state {
            return Err(Reason::TakesStatePost(self.span_text(sm.start, sm.end)));
        }
        // «Председатель филиала X назначен заместителем акима»: the marked post is a
        // state body's
        let marked_state_role = self.mentions_in(f.seg_lo, f.seg_hi).find(|x| {
            x.start != m.start
                && matches!(self.cue(x), Some(CueKind::Role(_) | CueKind::Head(_)))
                && !self.in_prev(x.start)
                && self.role_marked(x)
                && self.role_owner(x) == "state"
        });
        if let Some(sm) = marked_state_role {
            return Err(Reason::TakesStatePost(self.span_text(sm.start, sm.end)));
        }
        // «X назначен заместителем акима Актау»: a state body right after the verb,
        // with no branch post before it, is what the person named before the verb was
        // appointed to (after the verb it only describes the name that follows:
        // «избрала директора школы Ларису Ким»)
        let e = f.e;
        let person_before = self.names[p.idx as usize].start < e.start;
        let state_after = person_before
            .then(|| {
                self.mentions_in(e.end, (e.end + 3).min(f.seg_hi))
                    .find(|x| self.cue(x) == Some(CueKind::State))
                    .filter(|x| {
                        self.mentions_in(e.end, x.start).all(|y| {
                            !matches!(
                                self.cue(y),
                                Some(CueKind::Role(_) | CueKind::Head(_) | CueKind::Branch)
                            )
                        })
                    })
            })
            .flatten();
        if let Some(sm) = state_after {
            return Err(Reason::TakesStatePost(self.span_text(sm.start, sm.end)));
        }
        // «филиал төрағасы X Мәжіліс депутаты болып сайланды»: the incumbent moved to
        // a state post; the branch post only names who they are
        if c.appositive {
            if let Some(sm) = self
                .mentions_in(p.end, f.seg_hi)
                .find(|x| self.cue(x) == Some(CueKind::State) && !self.in_prev(x.start))
            {
                return Err(Reason::MovesToStatePost(self.span_text(sm.start, sm.end)));
            }
        }
        Ok(())
    }
}
