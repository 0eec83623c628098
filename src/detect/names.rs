//! Finding people: capitalised name spans, their parts, other spellings in the article,
//! and each name put into its nominative form.

use super::doc::*;
use super::tables::{CueKind, Tables};
use super::text::TokKind;
use crate::model::Lang;

/// A key with a surname ending (`surname_ending` of the `[words]` table).
pub(super) fn surname_like(t: &Tables, k: &str) -> bool {
    t.ends_with_word("surname_ending", k) && k.chars().count() > 3
}

pub(super) fn kk_patronymic(t: &Tables, k: &str) -> bool {
    t.ends_with_word("kk_patronymic_ending", k)
}

pub(super) fn ru_patronymic(t: &Tables, k: &str) -> bool {
    t.ends_with_word("ru_patronymic_ending", k)
}

/// Length of a Kazakh genitive, accusative or dative ending on a name in an oblique
/// slot («Жұмабайдың», «Жұмабайды», «Ерланға»), if what remains is long enough to be a name.
pub(super) fn kk_object_ending(t: &Tables, key: &str) -> Option<usize> {
    // genitive first (longer), for a possessor taken up by a pronoun («Оспанның
    // жұмысын ..., оны»); keys are folded, so і is и
    if key.chars().count() < 6 {
        return None;
    }
    t.end_in("kk_object_ending", key).map(|e| e.chars().count())
}

/// Gender of a Russian name whose form shows an oblique case by itself: `Some(true)`
/// masculine, `Some(false)` feminine. `who` is the relative pronoun after the name
/// («который» / «которая»), which settles «Арсена Кудайбергенова» (masculine genitive,
/// same letters as a feminine nominative).
pub(super) fn ru_oblique_gender(t: &Tables, keys: &[&str], who: Option<bool>) -> Option<bool> {
    let last = keys.last()?;
    let given = if keys.len() >= 2 { Some(keys[0]) } else { None };
    // feminine surname in genitive/dative/instrumental
    if t.ends_with_word("ru_surname_fem_oblique_strict", last) && last.chars().count() > 5 {
        return Some(false);
    }
    if let Some(g) = given {
        // «Сергея», «Андрея», «Алексею»
        if t.ends_with_word("ru_given_masc_oblique", g) && g.chars().count() >= 5 {
            return Some(true);
        }
    }
    // masculine genitive/accusative «Арсена Кудайбергенова, который»
    if who == Some(true) && t.ends_with_word("ru_surname_masc_genitive", last) {
        return Some(true);
    }
    None
}

/// A given name in the feminine accusative or dative («Гульнару», «Асю», «Марине»):
/// -у/-ю/-е after a consonant (a masculine name would take -а in the accusative).
pub(super) fn ru_fem_accusative(t: &Tables, given: &str) -> bool {
    let mut r = given.chars().rev();
    let (Some(last), Some(before)) = (r.next(), r.next()) else {
        return false;
    };
    given.chars().count() >= 4
        && t.char_in("ru_fem_accusative_ending", last)
        && !t.char_in("ru_vowel_or_soft_sign", before)
}

/// `surf` and `key` with their last `n` letters replaced by `add`.
fn cut_end(surf: &str, key: &str, n: usize, add: &str) -> (String, String) {
    let sc = surf.chars().count();
    let s: String = surf.chars().take(sc.saturating_sub(n)).collect::<String>() + add;
    let k: String = key
        .chars()
        .take(key.chars().count().saturating_sub(n))
        .collect::<String>()
        + add;
    (s, k)
}

/// A Russian surname in an oblique case, put back into the nominative.
fn ru_deinflect_surname(t: &Tables, surf: &str, key: &str, masc: bool) -> (String, String) {
    if let Some((n, add)) = t.rewrite_end("ru_surname_nominative", key) {
        return cut_end(surf, key, n, add);
    }
    if masc && t.ends_with_word("ru_surname_masc_genitive", key) {
        return cut_end(surf, key, 1, "");
    }
    (surf.to_string(), key.to_string())
}

pub(super) fn ru_deinflect(
    t: &Tables,
    surf: &str,
    key: &str,
    is_last: bool,
    masc: bool,
    fem: bool,
) -> (String, String) {
    if is_last {
        return ru_deinflect_surname(t, surf, key, masc);
    }
    let cut = |(n, add): (usize, &str)| cut_end(surf, key, n, add);
    let after_consonant = |c: Option<char>| c.is_some_and(|c| !t.char_in("ru_vowel", c));
    let rule = if masc {
        t.rewrite_end_if("ru_given_masc_after_consonant", key, after_consonant)
            .or_else(|| t.rewrite_end("ru_given_masc", key))
    } else {
        None
    };
    let rule = rule.or_else(|| {
        if !fem || t.ends_with_word("ru_given_fem_kept", key) {
            return None;
        }
        t.rewrite_end_if("ru_given_fem_after_consonant", key, after_consonant)
            .or_else(|| {
                t.rewrite_end_if("ru_given_fem_after_hushing", key, |c| {
                    c.is_some_and(|c| t.char_in("ru_hushing", c))
                })
            })
            .or_else(|| t.rewrite_end("ru_given_fem", key))
    });
    match rule {
        Some(r) => cut(r),
        None => (surf.to_string(), key.to_string()),
    }
}

/// A name part as output: (surface, key, is an initial).
type NamePart = (String, String, bool);

pub(super) fn person_key(p: &str) -> String {
    let mut parts: Vec<String> = super::text::fold(p)
        .split(|c: char| !c.is_alphabetic())
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.chars()
                .map(|c| super::text::script().person_key_letter(c))
                .collect()
        })
        .collect();
    parts.sort();
    parts.join(" ")
}

impl<'a> Doc<'a> {
    /// A short function word between a role or branch and its owner ("of the", «по», «в»).
    pub(super) fn is_filler(&self, i: usize) -> bool {
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
            && (t.key.chars().count() <= 3 || self.t.word_in("filler_word", &t.key))
    }

    pub(super) fn is_initial(&self, i: usize) -> bool {
        let t = &self.toks[i];
        t.is_word()
            && t.cap
            && t.surface(&self.text).chars().count() == 1
            && self
                .toks
                .get(i + 1)
                .is_some_and(|n| n.is_punct('.') && n.start == t.end)
    }

    pub(super) fn nameish(&self, i: usize) -> bool {
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

    pub(super) fn next_is_nameish(&self, j: usize) -> bool {
        self.toks
            .get(j)
            .is_some_and(|t| t.is_word() && t.cap && (self.tok_m[j] == NONE || self.is_initial(j)))
    }

    pub(super) fn find_names(&mut self) {
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
                    let drop = parts.len() == 1 && !surname_like(self.t, k0)
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
                            && (surname_like(self.t, k)
                                || surname_like(self.t, &self.kk_strip(k).0))
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

    /// «её предшественницу Валентину Кравец ... бюро освободило Кравец»: a lone
    /// capitalised word that is the surname of a full name found earlier is that
    /// person again, even when it does not look like a surname.
    pub(super) fn find_repeated_surnames(&mut self) {
        // surname key → where it is first given with a full name
        let mut surnames: std::collections::HashMap<String, usize> = Default::default();
        for n in self.names.iter().filter(|n| n.parts.len() >= 2) {
            let Some(&last) = n.parts.last() else {
                continue;
            };
            if !self.is_initial(last) {
                let at = surnames
                    .entry(self.toks[last].key.clone())
                    .or_insert(n.start);
                *at = (*at).min(n.start);
            }
        }
        if surnames.is_empty() {
            return;
        }
        for i in 0..self.toks.len() {
            if self.tok_n[i] != NONE || !self.nameish(i) || self.nameish_neighbour(i) {
                continue;
            }
            if surnames.get(&self.toks[i].key).is_none_or(|&at| at >= i) {
                continue;
            }
            self.tok_n[i] = self.names.len() as u32;
            self.names.push(NameM {
                start: i,
                end: i + 1,
                parts: vec![i],
            });
        }
        self.names.sort_by_key(|n| n.start);
        for (ni, n) in self.names.iter().enumerate() {
            for k in n.start..n.end {
                self.tok_n[k] = ni as u32;
            }
        }
    }

    /// A capitalised word next to it: then the word is part of a longer name that
    /// `find_names` already judged.
    fn nameish_neighbour(&self, i: usize) -> bool {
        i.checked_sub(1).is_some_and(|p| self.nameish(p))
            || (i + 1 < self.toks.len() && self.nameish(i + 1))
    }

    pub(super) fn has_patronymic(&self, parts: &[usize]) -> bool {
        parts.iter().any(|&p| {
            let k = &self.toks[p].key;
            ru_patronymic(self.t, k) || kk_patronymic(self.t, k)
        })
    }

    /// Strips a Kazakh case ending from a surname key when what remains looks like a
    /// surname (or `known` says so). Returns (stem, chars stripped).
    pub(super) fn kk_strip(&self, k: &str) -> (String, usize) {
        // accusative after a patronymic's possessive: «Сәбитқызын», «Серікұлын»
        for e in self.t.words("kk_patronymic_accusative_ending") {
            if let Some(rem) = k.strip_suffix(e.as_str()) {
                if kk_patronymic(self.t, rem) && rem.chars().count() >= 6 {
                    return (rem.to_string(), e.chars().count());
                }
            }
        }
        for e in self.t.words("kk_name_case") {
            if let Some(rem) = k.strip_suffix(e.as_str()) {
                if rem.chars().count() >= 3
                    && (surname_like(self.t, rem) && !surname_like(self.t, k)
                        || self.known_part(rem))
                {
                    return (rem.to_string(), e.chars().count());
                }
            }
        }
        (k.to_string(), 0)
    }

    /// Gender of the relative pronoun right after a name («, который» → masculine).
    pub(super) fn who_after(&self, end: usize) -> Option<bool> {
        let mut j = end;
        if self.toks.get(j).is_some_and(|t| t.is_punct(',')) {
            j += 1;
        }
        let key = self.toks.get(j).map(|t| t.key.as_str())?;
        if self.t.word_in("ru_who_masc", key) {
            Some(true)
        } else if self.t.word_in("ru_who_fem", key) {
            Some(false)
        } else {
            None
        }
    }

    pub(super) fn known_part(&self, key: &str) -> bool {
        self.known.contains(key)
    }

    pub(super) fn index_names(&mut self) {
        for n in &self.names {
            for &p in &n.parts {
                self.known.insert(self.toks[p].key.clone());
            }
        }
        let nom: Vec<(String, Vec<String>)> = self
            .names
            .iter()
            .map(|n| {
                // Russian spellings in any case, so «Бауыржана Тлеубаева» earlier
                // gives the full name of a later «Тлеубаев»
                let b = self.nominative(self.build_name(n, false), false);
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

    // ------------------------------------------------------------------ names
    /// The person's name as output: parts de-inflected, patronymic dropped, given name first.
    pub(super) fn build_name(&self, n: &NameM, oblique: bool) -> String {
        if let Some(name) = self.ru_dictionary_name(n) {
            return name;
        }
        let (oblique, masc, fem) = self.name_case(n, oblique);
        let last = n.parts.len().saturating_sub(1);
        let parts: Vec<NamePart> = n
            .parts
            .iter()
            .enumerate()
            .map(|(pi, &p)| self.name_part(n, p, pi == last, oblique, masc, fem))
            .collect();
        let out: Vec<String> = self
            .order_name_parts(parts)
            .into_iter()
            .map(|p| p.0)
            .collect();
        out.join(" ")
    }

    /// A Russian name of full words put into the nominative by the dictionary from
    /// its written form («Сергею Панову» → «Сергей Панов»), patronymic dropped; `None`
    /// when the dictionary reads no part as a name (then the ending rules decide).
    fn ru_dictionary_name(&self, n: &NameM) -> Option<String> {
        if self.lang != Lang::Ru || n.parts.len() < 2 || n.parts.iter().any(|&p| self.is_initial(p))
        {
            return None;
        }
        let written: Vec<&str> = n
            .parts
            .iter()
            .map(|&p| self.toks[p].surface(&self.text))
            .collect();
        let morph = self.t.morph?;
        // without a given name the dictionary knows, the gender of the surname
        // («Сейтказина»: her nominative or his genitive) is the context's to decide
        if !written.iter().any(|w| morph.is_given_name(w).is_some()) {
            return None;
        }
        let nom = morph.nominative_ru(&written)?;
        let kept: Vec<&str> = nom
            .split_whitespace()
            .filter(|w| !ru_patronymic(self.t, &super::text::fold(w)))
            .collect();
        (kept.len() >= 2).then(|| kept.join(" "))
    }

    /// The morphology knows the word as a man's given name in an oblique case («Сергею»).
    fn masculine_given(&self, tok: usize) -> bool {
        let word = &self.text[self.toks[tok].start..self.toks[tok].end];
        let key = &self.toks[tok].key;
        self.t.morph.is_some_and(|m| {
            m.is_given_name(word) == Some(crate::morph::Gender::Masc)
                // an inflected form («Сергею»), not an indeclinable name («Маржан»)
                && m.lemmas(word)
                    .first()
                    .is_some_and(|p| super::text::fold(&p.lemma) != *key)
        })
    }

    /// Whether the name is in an oblique case, and if so whether the Russian form shows a
    /// masculine or a feminine name: (oblique, masculine oblique, feminine oblique).
    fn name_case(&self, n: &NameM, oblique: bool) -> (bool, bool, bool) {
        let last = n.parts.len().saturating_sub(1);
        let mut masc_oblique = false;
        let mut fem_oblique = false;
        // unmistakably oblique forms are de-inflected wherever the name stands
        // («кандидатуру Гульмиры Тлеубердиной», «Сергея Гончаренко, который ...»)
        let morph = if self.lang == Lang::Ru {
            ru_oblique_gender(
                self.t,
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
        } else if oblique
            && self.lang == Lang::Ru
            && ru_fem_accusative(self.t, &self.toks[n.parts[0]].key)
            && !self.masculine_given(n.parts[0])
        {
            // the object of «назначил/утвердил»: a given name in -у/-ю is a feminine
            // accusative even when the surname does not decline («Гульнару Сейткали»)
            fem_oblique = true;
        } else if oblique && self.lang == Lang::Ru {
            let sk = &self.toks[n.parts[last]].key;
            if self.t.ends_with_word("ru_surname_fem_oblique", sk) {
                fem_oblique = true;
            } else if self.t.ends_with_word("ru_surname_masc_oblique", sk) {
                masc_oblique = true;
            }
        }
        (oblique, masc_oblique, fem_oblique)
    }

    /// One part of a name, de-inflected: (surface, key, is an initial).
    fn name_part(
        &self,
        n: &NameM,
        p: usize,
        is_last: bool,
        oblique: bool,
        masc: bool,
        fem: bool,
    ) -> NamePart {
        let t = &self.toks[p];
        if self.is_initial(p) {
            return (format!("{}.", t.surface(&self.text)), t.key.clone(), true);
        }
        let surf = t.surface(&self.text);
        let key = t.key.clone();
        let (s, k) = match self.lang {
            Lang::Kk if is_last => {
                let (mut stem, mut strip) = self.kk_strip(&key);
                if strip == 0 && oblique && n.parts.len() > 1 {
                    // the object of an active verb: «Серік Жұмабайды», «Ерланға»
                    if let Some(e) = kk_object_ending(self.t, &key) {
                        strip = e;
                        stem = key.chars().take(key.chars().count() - e).collect();
                    }
                }
                (t.surface_without(&self.text, strip).to_string(), stem)
            }
            Lang::Ru if oblique => ru_deinflect(self.t, surf, &key, is_last, masc, fem),
            _ => (surf.to_string(), key),
        };
        (s, k, false)
    }

    /// Patronymics dropped, the given name put first.
    fn order_name_parts(&self, parts: Vec<NamePart>) -> Vec<NamePart> {
        let is_pat = |k: &str| ru_patronymic(self.t, k) || kk_patronymic(self.t, k);
        if parts.len() == 3 {
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
            && surname_like(self.t, &parts[0].1)
            && !kk_patronymic(self.t, &parts[0].1)
            && !surname_like(self.t, &parts[1].1)
            // «Марина Ким», «Ирина Ли»: a short second word is the surname
            && parts[1].1.chars().count() > 3
        {
            vec![parts[1].clone(), parts[0].clone()]
        } else {
            parts
        }
    }

    /// «полномочия председателя филиала партии «Ак жол» Виктора Левченко»: a name in
    /// apposition to a genitive post (only branch, place and party words between) is
    /// genitive too, even when the surname does not decline.
    pub(super) fn ru_genitive_apposition(&self, role_tok: usize, n: u32) -> bool {
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
        if !self.t.ends_with_word("ru_role_genitive_ending", k) {
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
    pub(super) fn canonical_name(&self, n: &NameM, oblique: bool) -> String {
        let mine = self.nominative(self.build_name(n, oblique), oblique);
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

    /// Names joined to name `n` by «және», «мен/пен/бен», «и», "and" (either side).
    pub(super) fn coordinated(&self, n: u32) -> Vec<u32> {
        let conj = |i: usize| {
            self.toks
                .get(i)
                .is_some_and(|t| self.t.word_in("conjunction", &t.key))
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
}

impl Doc<'_> {
    /// A Russian name as written is its own nominative («Сергей Мартыненко», not
    /// «Сергея Мартыненко»); other languages: unknown, so false.
    pub(super) fn written_nominative(&self, n: u32) -> bool {
        if self.lang != Lang::Ru {
            return false;
        }
        let nm = &self.names[n as usize];
        let written: Vec<&str> = nm
            .parts
            .iter()
            .map(|&k| &self.text[self.toks[k].start..self.toks[k].end])
            .collect();
        let written = written.join(" ");
        self.nominative(written.clone(), true) == written
    }

    /// A name put into the nominative by the morphology: Russian names in any case
    /// («Игоря Лысенко» → «Игорь Лысенко»), Kazakh names with a case ending when the
    /// verb governs them in an oblique case («Әбіловке» → «Әбілов»).
    pub(super) fn nominative(&self, name: String, oblique: bool) -> String {
        let Some(m) = self.t.morph else {
            return name;
        };
        let parts: Vec<&str> = name.split_whitespace().collect();
        if parts.len() < 2 || parts.iter().any(|p| p.ends_with('.')) {
            return name;
        }
        let cyrillic = name.chars().any(super::text::is_cyrillic);
        let out = match self.lang {
            Lang::Ru if cyrillic => m.nominative_ru(&parts),
            Lang::Kk if cyrillic && oblique => m.nominative_kk(&parts),
            _ => None,
        };
        out.unwrap_or(name)
    }
}
