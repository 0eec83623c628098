//! Publication dates as news pages write them: ISO 8601 / RFC 3339 (with or
//! without a colon in the offset, or `Z`), RFC 2822, `dd.mm.yyyy hh:mm`, and
//! day–month–year with Russian, Kazakh or English month names
//! (`15 мая 2024, 14:05`, `2024 жылғы 15 мамыр`, `May 15, 2024`).
//!
//! The page's own offset is kept. A date written without one is read in
//! `local` (the caller's default, Kazakhstan's UTC+5 unless configured),
//! because that is where these outlets publish; the pipeline falls back to the
//! feed's date when nothing here parses.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use once_cell::sync::Lazy;
use regex::Regex;

/// Parses one date string; `None` when it is not a recognisable date.
pub(crate) fn parse_date(raw: &str, local: FixedOffset) -> Option<DateTime<FixedOffset>> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 200 {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d);
    }
    let iso = normalize_iso(s);
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%dT%H:%M%z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(&iso, f) {
            return Some(d);
        }
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d);
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%d.%m.%YT%H:%M:%S",
        "%d.%m.%YT%H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(&iso, f) {
            return local.from_local_datetime(&n).single();
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(&iso, "%Y-%m-%d") {
        return at(local, d, NaiveTime::MIN);
    }
    textual(s, local)
}

/// `2024-05-15 14:05:00 +0600` → `2024-05-15T14:05:00+0600`; `Z` → `+00:00`;
/// `15.05.2024, 14:05` → `15.05.2024T14:05`, so one format list serves all.
fn normalize_iso(s: &str) -> String {
    static SEP: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"^(\d{4}-\d\d-\d\d|\d\d?\.\d\d?\.\d{4})[ ,T]+(\d)").expect("static regex")
    });
    static OFFSET_SPACE: Lazy<Regex> =
        Lazy::new(|| Regex::new(r"\s*(?:UTC|GMT)?\s*([+-]\d\d:?\d\d)$").expect("static regex"));
    let mut t = SEP.replace(s, "${1}T${2}").into_owned();
    if let Some(stripped) = t.strip_suffix('Z').or_else(|| t.strip_suffix(" UTC")) {
        t = format!("{stripped}+00:00");
    }
    OFFSET_SPACE.replace(&t, "$1").into_owned()
}

fn at(local: FixedOffset, d: NaiveDate, t: NaiveTime) -> Option<DateTime<FixedOffset>> {
    local.from_local_datetime(&d.and_time(t)).single()
}

/// Month number from a (lower-case) month word in Russian (any case form),
/// Kazakh or English.
fn month(word: &str) -> Option<u32> {
    const STEMS: &[(&str, u32)] = &[
        // Kazakh first: some share a prefix with Russian words ("мамыр"/"ма").
        ("қаңтар", 1),
        ("ақпан", 2),
        ("наурыз", 3),
        ("сәуір", 4),
        ("мамыр", 5),
        ("маусым", 6),
        ("шілде", 7),
        ("тамыз", 8),
        ("қыркүйек", 9),
        ("қазан", 10),
        ("қараша", 11),
        ("желтоқсан", 12),
        ("январ", 1),
        ("феврал", 2),
        ("март", 3),
        ("апрел", 4),
        ("мая", 5),
        ("май", 5),
        ("июн", 6),
        ("июл", 7),
        ("август", 8),
        ("сентябр", 9),
        ("октябр", 10),
        ("ноябр", 11),
        ("декабр", 12),
        ("jan", 1),
        ("feb", 2),
        ("mar", 3),
        ("apr", 4),
        ("may", 5),
        ("jun", 6),
        ("jul", 7),
        ("aug", 8),
        ("sep", 9),
        ("oct", 10),
        ("nov", 11),
        ("dec", 12),
    ];
    STEMS
        .iter()
        .find(|(stem, _)| word.starts_with(stem))
        .map(|&(_, m)| m)
}

fn textual(s: &str, local: FixedOffset) -> Option<DateTime<FixedOffset>> {
    static DMY: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"(\d{1,2})\s+([^\W\d_]{3,})\.?,?\s+(\d{4})").expect("static regex")
    });
    static YDM: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"(\d{4})\s*(?:ж\.|жылы|жылғы)?\s*(\d{1,2})\s+([^\W\d_]{3,})")
            .expect("static regex")
    });
    static MDY: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"([^\W\d_]{3,})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
            .expect("static regex")
    });
    static NUMERIC: Lazy<Regex> =
        Lazy::new(|| Regex::new(r"(\d{1,2})[./](\d{1,2})[./](\d{4})").expect("static regex"));
    static TIME: Lazy<Regex> =
        Lazy::new(|| Regex::new(r"\b(\d{1,2}):(\d{2})(?::(\d{2}))?\b").expect("static regex"));
    let lower = s.to_lowercase();
    let num = |m: Option<regex::Match<'_>>| m.and_then(|m| m.as_str().parse::<u32>().ok());
    let date = DMY
        .captures(&lower)
        .and_then(|c| {
            let y = num(c.get(3))?;
            NaiveDate::from_ymd_opt(y as i32, month(c.get(2)?.as_str())?, num(c.get(1))?)
        })
        .or_else(|| {
            YDM.captures(&lower).and_then(|c| {
                let y = num(c.get(1))?;
                NaiveDate::from_ymd_opt(y as i32, month(c.get(3)?.as_str())?, num(c.get(2))?)
            })
        })
        .or_else(|| {
            MDY.captures(&lower).and_then(|c| {
                let y = num(c.get(3))?;
                NaiveDate::from_ymd_opt(y as i32, month(c.get(1)?.as_str())?, num(c.get(2))?)
            })
        })
        .or_else(|| {
            // Day first: the order every outlet served here uses.
            NUMERIC.captures(&lower).and_then(|c| {
                let y = num(c.get(3))?;
                NaiveDate::from_ymd_opt(y as i32, num(c.get(2))?, num(c.get(1))?)
            })
        })?;
    let time = TIME
        .captures(&lower)
        .and_then(|c| {
            NaiveTime::from_hms_opt(num(c.get(1))?, num(c.get(2))?, num(c.get(3)).unwrap_or(0))
        })
        .unwrap_or(NaiveTime::MIN);
    at(local, date, time)
}

/// [`parse_date`], plus what news lists write relative to the day they are
/// read: «Бүгін, 09:30», «Сегодня 10:15», «Вчера», «Кеше 18:00»,
/// «Алдыңғы күні», «Позавчера», «2 сағат бұрын», «5 минут назад», and a day
/// and month without a year («12 марта, 10:15», «12 наурыз»).
///
/// `now` is the reader's clock, passed in so the result depends on nothing
/// else; its offset is the one dates without an offset are read in. A
/// yearless date later than a day after `now` is taken as last year's.
pub(crate) fn parse_list_date(
    raw: &str,
    now: DateTime<FixedOffset>,
) -> Option<DateTime<FixedOffset>> {
    let local = *now.offset();
    if let Some(d) = parse_date(raw, local) {
        return Some(d);
    }
    let s = raw.trim();
    if s.is_empty() || s.len() > 200 {
        return None;
    }
    let lower = s.to_lowercase();
    relative(&lower, now).or_else(|| yearless(&lower, now))
}

static CLOCK: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"\b(\d{1,2}):(\d{2})\b").expect("static regex"));

fn clock_time(lower: &str) -> Option<NaiveTime> {
    let c = CLOCK.captures(lower)?;
    NaiveTime::from_hms_opt(c[1].parse().ok()?, c[2].parse().ok()?, 0)
}

/// «Бүгін/Кеше/Сегодня/Вчера [, HH:MM]» and «N минут/сағат/час назад/бұрын».
fn relative(lower: &str, now: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
    const DAYS_BACK: &[(&str, i64)] = &[
        ("бүгін", 0),
        ("сегодня", 0),
        ("today", 0),
        ("алдыңғы күні", 2),
        ("позавчера", 2),
        ("кеше", 1),
        ("вчера", 1),
        ("yesterday", 1),
    ];
    static AGO: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"(\d{1,3})\s*(мин|сағ|час|ч\b|min|hour)[^\d]*?(назад|бұрын|ago)")
            .expect("static regex")
    });
    if let Some(c) = AGO.captures(lower) {
        let n: i64 = c[1].parse().ok()?;
        let minutes = if c[2].starts_with("мин") || c[2].starts_with("min") {
            n
        } else {
            n * 60
        };
        return Some(now - chrono::Duration::minutes(minutes));
    }
    let back = DAYS_BACK
        .iter()
        .find(|(w, _)| lower.starts_with(w) || lower.contains(&format!(" {w}")))
        .map(|&(_, d)| d)?;
    let day = now.date_naive() - chrono::Duration::days(back);
    at(
        *now.offset(),
        day,
        clock_time(lower).unwrap_or(NaiveTime::MIN),
    )
}

/// «12 марта, 10:15», «12 наурыз»: the year is the current one, or last year
/// when that would put the date more than a day after `now`.
fn yearless(lower: &str, now: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
    static DM: Lazy<Regex> =
        Lazy::new(|| Regex::new(r"(\d{1,2})\s+([^\W\d_]{3,})").expect("static regex"));
    let c = DM.captures(lower)?;
    let (day, m) = (c[1].parse::<u32>().ok()?, month(&c[2])?);
    let time = clock_time(lower).unwrap_or(NaiveTime::MIN);
    let this_year = NaiveDate::from_ymd_opt(now.year(), m, day)?;
    let d = at(*now.offset(), this_year, time)?;
    if d > now + chrono::Duration::days(1) {
        let last = NaiveDate::from_ymd_opt(now.year() - 1, m, day)?;
        return at(*now.offset(), last, time);
    }
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kz() -> FixedOffset {
        FixedOffset::east_opt(5 * 3600).unwrap()
    }

    fn check(raw: &str, expect: &str) {
        let got = parse_date(raw, kz()).unwrap_or_else(|| panic!("no date from {raw:?}"));
        let want = DateTime::parse_from_rfc3339(expect).unwrap();
        assert_eq!(got, want, "{raw:?}");
        // Same instant is not enough: the page's offset must survive.
        assert_eq!(got.offset(), want.offset(), "{raw:?}");
    }

    #[test]
    fn iso_variants_keep_their_offset() {
        check("2024-05-15T14:05:00+06:00", "2024-05-15T14:05:00+06:00");
        check("2024-05-15T14:05:00+0600", "2024-05-15T14:05:00+06:00");
        check("2024-05-15 14:05:00 +03:00", "2024-05-15T14:05:00+03:00");
        check("2024-05-15T09:05:00.123Z", "2024-05-15T09:05:00.123+00:00");
        check("2024-05-15T14:05-04:00", "2024-05-15T14:05:00-04:00");
        check(
            "Wed, 15 May 2024 14:05:00 +0500",
            "2024-05-15T14:05:00+05:00",
        );
    }

    #[test]
    fn dates_without_offset_use_the_local_default() {
        check("2024-05-15 14:05:00", "2024-05-15T14:05:00+05:00");
        check("2024-05-15", "2024-05-15T00:00:00+05:00");
        check("15.05.2024 14:05", "2024-05-15T14:05:00+05:00");
        check("15.05.2024, 14:05", "2024-05-15T14:05:00+05:00");
    }

    #[test]
    fn month_names_in_three_languages() {
        check("15 мая 2024, 14:05", "2024-05-15T14:05:00+05:00");
        check("14:05, 3 марта 2023", "2023-03-03T14:05:00+05:00");
        check(
            "Опубликовано: 1 декабря 2022 г. 09:30",
            "2022-12-01T09:30:00+05:00",
        );
        check("2024 жылғы 15 мамыр, 10:00", "2024-05-15T10:00:00+05:00");
        check("12 қыркүйек 2023 18:45", "2023-09-12T18:45:00+05:00");
        check("May 15, 2024 at 2:05", "2024-05-15T02:05:00+05:00");
        check("4 June 2024", "2024-06-04T00:00:00+05:00");
    }

    #[test]
    fn non_dates_are_rejected() {
        for raw in [
            "",
            "сегодня",
            "31 февраля 2024",
            "yesterday 14:00",
            "2024-13-45",
        ] {
            assert_eq!(parse_date(raw, kz()), None, "{raw:?}");
        }
    }

    #[test]
    fn list_dates_relative_to_an_injected_now() {
        let now = DateTime::parse_from_rfc3339("2025-03-14T11:00:00+05:00").unwrap();
        let got = |raw: &str| {
            parse_list_date(raw, now)
                .unwrap_or_else(|| panic!("no date from {raw:?}"))
                .to_rfc3339()
        };
        assert_eq!(got("Бүгін, 09:30"), "2025-03-14T09:30:00+05:00");
        assert_eq!(got("Сегодня в 10:15"), "2025-03-14T10:15:00+05:00");
        assert_eq!(got("Вчера"), "2025-03-13T00:00:00+05:00");
        assert_eq!(got("Кеше, 18:40"), "2025-03-13T18:40:00+05:00");
        assert_eq!(got("Позавчера 08:00"), "2025-03-12T08:00:00+05:00");
        assert_eq!(got("2 сағат бұрын"), "2025-03-14T09:00:00+05:00");
        assert_eq!(got("15 минут назад"), "2025-03-14T10:45:00+05:00");
        assert_eq!(got("12 наурыз 2025"), "2025-03-12T00:00:00+05:00");
        assert_eq!(got("12 марта 2025, 10:15"), "2025-03-12T10:15:00+05:00");
        assert_eq!(got("12 марта, 10:15"), "2025-03-12T10:15:00+05:00");
        // A yearless date after today belongs to last year.
        assert_eq!(got("28 желтоқсан"), "2024-12-28T00:00:00+05:00");
        // The same words a day later mean another day: the clock decides.
        let later = now + chrono::Duration::days(1);
        assert_eq!(
            parse_list_date("Кеше", later).map(|d| d.to_rfc3339()),
            Some("2025-03-14T00:00:00+05:00".to_string())
        );
        for raw in ["", "жаңалықтар", "Подробнее"] {
            assert_eq!(parse_list_date(raw, now), None, "{raw:?}");
        }
    }
}
