//! Previous posts: clauses that say what a person held before, and the posts named in
//! earlier sentences.

use super::doc::*;
use super::tables::CueKind;
use crate::model::{Level, Role};

pub(super) fn role_en(r: Role) -> &'static str {
    match r {
        Role::Chair => "chair",
        Role::FirstDeputyChair => "first deputy chair",
        Role::DeputyChair => "deputy chair",
        Role::ExecutiveSecretary => "executive secretary",
        Role::FirstSecretary => "first secretary",
    }
}

pub(super) fn level_en(l: Option<Level>) -> &'static str {
    match l {
        Some(Level::Region) => "the regional branch",
        Some(Level::City) => "the city branch",
        Some(Level::District) => "the district branch",
        None => "the branch",
    }
}

impl<'a> Doc<'a> {
    pub(super) fn find_prev_spans(&mut self) {
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
                    && self.t.ends_with_word("kk_dative_ending", &t.key);
                if self.t.word_in("kk_as_verb", &t.key)
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

    pub(super) fn in_prev(&self, i: usize) -> bool {
        // spans are sorted by start and at most ~30 tokens long
        let hi = self.prev_spans.partition_point(|&(a, _)| a <= i);
        self.prev_spans[..hi]
            .iter()
            .rev()
            .take(8)
            .any(|&(a, b)| i >= a && i < b)
    }

    /// The previous sentence reports a post being filled without naming who filled it
    /// («Конференция избрала нового председателя. Им стал ...»).
    pub(super) fn post_left_open(&self, si: usize) -> bool {
        let Some(&(a, b)) = si.checked_sub(1).and_then(|p| self.sents.get(p)) else {
            return false;
        };
        let filled = self
            .mentions_in(a, b)
            .any(|m| matches!(self.cue(m), Some(CueKind::Event(ev)) if ev.fills_post()));
        filled && (a..b).all(|k| self.tok_n[k] == NONE)
    }

    /// The last branch post named in the two sentences before `si`.
    pub(super) fn recent_role(&self, si: usize) -> Option<Role> {
        self.recent_role_since(si, si.saturating_sub(2))
    }

    /// The last branch post named from sentence `from` up to (not including) `si`.
    pub(super) fn recent_role_since(&self, si: usize, from: usize) -> Option<Role> {
        if from >= si {
            return None;
        }
        let a = self.sents[from].0;
        let b = self.sents[si].0;
        self.mentions_in(a, b)
            .filter_map(|m| match self.cue(m) {
                Some(CueKind::Role(r))
                    if !matches!(self.role_owner(m), "central" | "state" | "other") =>
                {
                    Some(r)
                }
                _ => None,
            })
            .last()
    }

    /// Previous role stated in sentence `si` («бұған дейін ... атқарған», «ранее ...»).
    pub(super) fn prev_role_in(&self, si: usize, level: Option<Level>) -> Option<String> {
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
