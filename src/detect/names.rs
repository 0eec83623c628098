//! Finding people: capitalised name spans, their parts, other spellings in the article,
//! and each name put into its nominative form.

use super::doc::*;
use super::tables::CueKind;
use super::text::TokKind;
use crate::model::Lang;

pub(super) const SURNAME_ENDS: &[&str] = &[
    "ов", "ев", "ин", "ова", "ева", "ина", "ұлы", "улы", "қызы", "кызы", "енко", "скии", "ская",
    "цкии", "ых", "uly", "kyzy", "ov", "ev", "ova", "eva", "in", "ina", "enko", "sky", "ұлы",
    "оглы",
];

pub(super) const KK_NAME_CASES: &[&str] = &[
    "тың", "тиң", "ның", "ниң", "дың", "диң", "тан", "тен", "дан", "ден", "нан", "нен", "мен",
    "бен", "пен", "нда", "нде", "ты", "ти", "ды", "ди", "ны", "ни", "ға", "ге", "қа", "ке", "на",
    "не", "та", "те", "да", "де",
];

pub(super) const RU_PATRONYMIC: &[&str] =
    &["ович", "евич", "овна", "евна", "ична", "инична", "ьич"];

pub(super) fn surname_like(k: &str) -> bool {
    SURNAME_ENDS.iter().any(|e| k.ends_with(e)) && k.chars().count() > 3
}

pub(super) fn kk_patronymic(k: &str) -> bool {
    ["ұлы", "улы", "қызы", "кызы", "uly", "kyzy", "uli", "qyzy"]
        .iter()
        .any(|e| k.ends_with(e))
}

pub(super) fn ru_patronymic(k: &str) -> bool {
    RU_PATRONYMIC.iter().any(|e| k.ends_with(e))
}

/// Length of a Kazakh genitive, accusative or dative ending on a name in an oblique
/// slot («Жұмабайдың», «Жұмабайды», «Ерланға»), if what remains is long enough to be a name.
pub(super) fn kk_object_ending(key: &str) -> Option<usize> {
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
pub(super) fn ru_oblique_gender(keys: &[&str], who: Option<bool>) -> Option<bool> {
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
pub(super) fn ru_fem_accusative(given: &str) -> bool {
    let mut r = given.chars().rev();
    let (Some(last), Some(before)) = (r.next(), r.next()) else {
        return false;
    };
    given.chars().count() >= 4
        && (last == 'у' || last == 'ю' || last == 'е')
        && !"аеиоуыэюяь".contains(before)
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
fn ru_deinflect_surname(surf: &str, key: &str, masc: bool) -> (String, String) {
    let cut = |n: usize, add: &str| cut_end(surf, key, n, add);
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
    (surf.to_string(), key.to_string())
}

pub(super) fn ru_deinflect(
    surf: &str,
    key: &str,
    is_last: bool,
    masc: bool,
    fem: bool,
) -> (String, String) {
    let cut = |n: usize, add: &str| cut_end(surf, key, n, add);
    if is_last {
        return ru_deinflect_surname(surf, key, masc);
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

pub(super) fn person_key(p: &str) -> String {
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
            && (t.key.chars().count() <= 3 || matches!(t.key.as_str(), "their" | "партии"))
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

    pub(super) fn has_patronymic(&self, parts: &[usize]) -> bool {
        parts.iter().any(|&p| {
            let k = &self.toks[p].key;
            ru_patronymic(k) || kk_patronymic(k)
        })
    }

    /// Strips a Kazakh case ending from a surname key when what remains looks like a
    /// surname (or `known` says so). Returns (stem, chars stripped).
    pub(super) fn kk_strip(&self, k: &str) -> (String, usize) {
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
    pub(super) fn who_after(&self, end: usize) -> Option<bool> {
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

    // ------------------------------------------------------------------ names
    /// The person's name as output: parts de-inflected, patronymic dropped, given name first.
    pub(super) fn build_name(&self, n: &NameM, oblique: bool) -> String {
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
}

impl Doc<'_> {
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
