//! Places: resolving place mentions to regions, cities and districts, the level a
//! place names, and the article's topic branch.

use super::doc::*;
use super::tables::{CueKind, GeoKind, Payload, Tables};
use super::text::{normalize, tokenize};
use crate::model::{Lang, Level};
use chrono::NaiveDate;

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

pub(super) fn resolve_geo(
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

impl<'a> Doc<'a> {
    // ------------------------------------------------------------------ branch context
    /// (geo, explicit level) attached to a branch mention, or standing alone in a sentence.
    pub(super) fn geo_level(&self, g: &Mention) -> Option<Level> {
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
                    // («области Абай»: the level word may also open a longer phrase)
                    CueKind::Level(l) if j > g.start || g.end - g.start > 1 => Some(l),
                    _ => None,
                },
                _ => None,
            })
        })
    }

    /// For a branch word at mention `b`: its level word and place, looking left
    /// («Жетісу облыстық филиалы», "Pavlodar regional branch") and right
    /// («филиал Караганды», «филиалы в Карагандинской области»).
    pub(super) fn branch_parts(&self, b: &Mention) -> (Option<Level>, Option<GeoRef>) {
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
            level = if self.t.starts_with_word("level_region", k) {
                Some(Level::Region)
            } else if self.t.starts_with_word("level_city", k) {
                Some(Level::City)
            } else if self.t.starts_with_word("level_district", k) {
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

    pub(super) fn topic(&self) -> Topic {
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
                    let leveled = || self.sentence_geo(si, m.start, None, true);
                    let g = match g {
                        // a bare town next to the branch word may be the venue too
                        Some((ids, None)) if lvl.is_none() => leveled().or(Some((ids, None))),
                        g => g.or_else(leveled),
                    }
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
        let geo = geo.or_else(|| self.place_before_party());
        Topic { geo, party }
    }

    /// «в столичном «Нур Отане»», "Karaganda's Ak Zhol": a place adjective right before
    /// the party names its branch when no branch word does.
    fn place_before_party(&self) -> Option<GeoRef> {
        self.ments
            .windows(2)
            .find(|w| {
                matches!(w[0].kind, MK::Geo(_))
                    && matches!(w[1].kind, MK::Party(_))
                    && !self.in_prev(w[0].start)
                    && (w[0].end..w[1].start)
                        .all(|k| matches!(self.toks[k].key.as_str(), "«" | "»" | "\"" | "'s"))
            })
            .and_then(|w| match &w[0].kind {
                MK::Geo(ids) => Some((ids.clone(), self.geo_level(&w[0]))),
                _ => None,
            })
    }

    /// A place named in the sentence outside previous-role clauses, nearest to `anchor`.
    /// With `need_level`, only a place carrying its level word («Атырау облысы»).
    /// The nearest place before token `before` that is named as a town («Семей
    /// қаласында», «в городе Сатпаев»), outside previous-role clauses and state bodies.
    pub(super) fn preceding_town(&self, before: usize) -> Option<GeoRef> {
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
                            && self.t.word_in("en_of", &self.toks[m.start - 1].key)
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
    pub(super) fn in_who_clause(&self, m: &Mention) -> bool {
        let opener = |k: &str| match self.lang {
            Lang::En => self.t.word_in("en_who", k),
            Lang::Ru => self.t.starts_with_word("ru_who_worked", k),
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
    pub(super) fn destination_place(&self, m: &Mention) -> bool {
        let moving = |k: &str| self.t.starts_with_word("moving", k);
        // Kazakh: the movement noun or verb follows the dative place (a level word may sit
        // between)
        let after = (m.end..(m.end + 2).min(self.toks.len())).any(|j| {
            let k = self.toks[j].key.as_str();
            self.t.starts_with_word("kk_moving", k)
        });
        // Russian / English: «переездом в», "moving to" right before the place
        let before = (m.start.saturating_sub(3)..m.start).any(|j| moving(&self.toks[j].key))
            && m.start > 0
            && self.t.word_in("towards", &self.toks[m.start - 1].key);
        after || before
    }

    /// «Қаскелең қаласында өткен конференцияда», "held in": where a meeting took
    /// place, not the branch that met.
    pub(super) fn venue_place(&self, m: &Mention) -> bool {
        let mut k = m.end;
        if self
            .m_at(k)
            .is_some_and(|x| matches!(self.cue(x), Some(CueKind::Level(_))))
        {
            k += 1;
        }
        (k..(k + 1).min(self.toks.len()))
            .any(|j| self.t.starts_with_word("venue", &self.toks[j].key))
    }

    /// The place nearest `anchor` in sentence `si`; with `need_level`, only one with
    /// its level word («Атырау облысында») or one opening the sentence ("In Atyrau,
    /// ...", «В Атырау ...»), so that a place named in passing does not count.
    pub(super) fn sentence_geo(
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
                    && (!need_level || self.geo_level(m).is_some() || m.start <= a + 1)
                    // «Тараз қалалық мәслихатының депутаты»: the place of a state body
                    && !self.place_of_state_body(m)
                    // «Алматыға көшуіне байланысты», «в связи с переездом в Алматы»
                    && !self.destination_place(m)
                    && !self.venue_place(m)
                    // "X, who had headed the party's reception in Karasai district, ..."
                    && !self.in_who_clause(m)
                    // where someone comes from is not where the branch is
                    && !(need_level
                        && m.start > 0
                        && self.t.word_in("from", &self.toks[m.start - 1].key))
            })
            .min_by_key(|m| m.start.abs_diff(anchor))
            .and_then(|m| match &m.kind {
                MK::Geo(ids) => Some((ids.clone(), self.geo_level(m))),
                _ => None,
            })
    }
}
