//! Dates: the date each sentence gives, full or month only.

use super::doc::*;
use super::tables::CueKind;
use super::text::TokKind;
use chrono::{Datelike, Duration, NaiveDate};

impl<'a> Doc<'a> {
    // ------------------------------------------------------------------ dates
    pub(super) fn sentence_date(
        &self,
        si: usize,
        last: Option<DateInfo>,
    ) -> Option<(DateInfo, usize)> {
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

    pub(super) fn make_date(&self, year: Option<u32>, m: u32, d: u32) -> Option<NaiveDate> {
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
}
