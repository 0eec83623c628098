//! Text utilities shared by the feed and article stages: turning bytes into
//! text whatever their encoding, and telling Kazakh, Russian and English apart.
//!
//! Decoding follows the order a browser uses, because Kazakh sites still serve
//! windows-1251 and KOI8-R pages and often declare the charset in only one
//! place: HTTP `charset` → byte-order mark → XML declaration / HTML `<meta>` →
//! statistical detection (`chardetng`, the detector Firefox uses). One exception,
//! documented here because it is a judgement call: when a page *declares* a
//! legacy charset but its bytes are valid UTF-8 containing non-ASCII text, the
//! declaration is wrong (a CMS template left unchanged) and UTF-8 wins. Legacy
//! encodings almost never produce valid multi-byte UTF-8 sequences by chance.

use crate::model::Lang;
use encoding_rs::{Encoding, UTF_8};

/// Bytes decoded to text, with how the encoding was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// WHATWG name of the encoding used, e.g. `UTF-8`, `windows-1251`, `KOI8-R`.
    pub encoding: &'static str,
    /// Where the decision came from: `http`, `bom`, `declaration`, `utf8`, `detected`.
    pub source: &'static str,
    /// True when some bytes were invalid in that encoding and were replaced (U+FFFD).
    pub had_errors: bool,
}

/// How many leading bytes are searched for an XML declaration or `<meta>` charset.
/// The HTML standard's prescan looks at 1024 bytes; real pages put long
/// comments and scripts first, so a little more is searched.
const PRESCAN_BYTES: usize = 4096;

/// Decode `bytes`, using `content_type` (an HTTP `Content-Type` value) when given.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> Decoded {
    let http = content_type
        .and_then(charset_param)
        .and_then(|l| Encoding::for_label(l.as_bytes()));
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return finish(enc, &bytes[bom_len..], "bom");
    }
    if let Some(enc) = http {
        return finish(prefer_valid_utf8(enc, bytes), bytes, "http");
    }
    if let Some(enc) = declared_in_document(bytes) {
        return finish(prefer_valid_utf8(enc, bytes), bytes, "declaration");
    }
    if std::str::from_utf8(bytes).is_ok() {
        return finish(UTF_8, bytes, "utf8");
    }
    let mut det = chardetng::EncodingDetector::new();
    det.feed(bytes, true);
    // `.kz` is no TLD hint chardetng knows; Cyrillic is decided from the bytes.
    let enc = det.guess(None, true);
    finish(enc, bytes, "detected")
}

fn finish(enc: &'static Encoding, bytes: &[u8], source: &'static str) -> Decoded {
    // UTF-16 labels in a declaration mean nothing once we are reading ASCII-compatible bytes.
    let enc = enc.output_encoding();
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: enc.name(),
        source,
        had_errors,
    }
}

fn prefer_valid_utf8(declared: &'static Encoding, bytes: &[u8]) -> &'static Encoding {
    if declared != UTF_8 && !bytes.is_ascii() && std::str::from_utf8(bytes).is_ok() {
        UTF_8
    } else {
        declared
    }
}

/// The `charset` parameter of a media type, unquoted.
pub fn charset_param(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(|c| c == '"' || c == '\''))
    })
}

/// Finds `encoding="..."` in an XML declaration or `charset=...` in a `<meta>`
/// within the first [`PRESCAN_BYTES`]. Works on bytes because the encoding is
/// not known yet; every encoding considered here is ASCII-compatible.
fn declared_in_document(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(PRESCAN_BYTES)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    if lower.starts_with(b"<?xml") {
        let end = find(&lower, b"?>").unwrap_or(lower.len());
        if let Some(label) = attr_value(&lower[..end], b"encoding") {
            return Encoding::for_label(label);
        }
    }
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"<meta") {
        let start = from + pos;
        let end = find(&lower[start..], b">").map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(label) = attr_value(tag, b"charset") {
            if let Some(enc) = Encoding::for_label(label) {
                return Some(enc);
            }
        }
        from = end;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Value after `name=` (quoted or not). Also finds `charset=` inside a
/// `content="text/html; charset=windows-1251"` attribute, which is what
/// `http-equiv` metas carry.
fn attr_value<'a>(tag: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let mut from = 0;
    while let Some(p) = find(&tag[from..], name) {
        let mut i = from + p + name.len();
        while i < tag.len() && tag[i] == b' ' {
            i += 1;
        }
        if i < tag.len() && tag[i] == b'=' {
            i += 1;
            while i < tag.len() && (tag[i] == b' ' || tag[i] == b'"' || tag[i] == b'\'') {
                i += 1;
            }
            let start = i;
            while i < tag.len() && !matches!(tag[i], b'"' | b'\'' | b' ' | b';' | b'/' | b'>') {
                i += 1;
            }
            if i > start {
                return Some(&tag[start..i]);
            }
        }
        from += p + name.len();
    }
    None
}

/// Letters that occur in Kazakh Cyrillic but not in Russian.
const KK_CYRILLIC: &str = "әғқңөұүһіӘҒҚҢӨҰҮҺІ";
/// Letters of the 2018 (acute) and 2021 Kazakh Latin alphabets that English never uses.
const KK_LATIN: &str = "áǵıńóúýäğñöşūüÁǴİŃÓÚÝÄĞÑÖŞŪÜ";
/// Frequent Kazakh words in Latin script (2017/2018/2021 spellings), for texts
/// whose letters alone are ambiguous (the 2017 apostrophe alphabet is plain ASCII).
const KK_LATIN_WORDS: &[&str] = &[
    "jáne",
    "jane",
    "men",
    "bolyp",
    "boiynsha",
    "boıynsha",
    "partiiasy",
    "partıasy",
    "partiyasy",
    "oblysy",
    "oblystyq",
    "tóraǵasy",
    "torag'asy",
    "sailandy",
    "saılandy",
    "sai'landy",
    "filialy",
    "fılıaly",
    "qazaqstan",
    "respýblıka",
    "ótti",
    "o'tti",
];

/// Decide the language of `text`: Kazakh, Russian or English, or `None` when
/// there are too few letters to tell. Kazakh is recognised in Cyrillic by its
/// own letters (әғқңөұүһі) and in Latin by its alphabets' letters or frequent words.
pub fn identify_lang(text: &str) -> Option<Lang> {
    let (mut cyr_words, mut kk_words, mut latin, mut kk_lat) = (0usize, 0usize, 0usize, 0usize);
    let (mut kk_fw, mut ru_fw, mut letters) = (0usize, 0usize, 0usize);
    for word in text
        .split(|c: char| !(c.is_alphabetic() || c == '\''))
        .filter(|w| !w.is_empty())
        .take(50_000)
    {
        let mut is_cyr = false;
        let mut has_kk = false;
        for ch in word.chars() {
            letters += 1;
            if KK_CYRILLIC.contains(ch) {
                has_kk = true;
                is_cyr = true;
            } else if ('\u{0400}'..='\u{04FF}').contains(&ch) {
                is_cyr = true;
            } else if ch.is_ascii_alphabetic() {
                latin += 1;
            } else if KK_LATIN.contains(ch) {
                kk_lat += 1;
                latin += 1;
            }
        }
        if is_cyr {
            cyr_words += 1;
            kk_words += usize::from(has_kk);
            let w = word.to_lowercase();
            kk_fw += usize::from(KK_FUNCTION_WORDS.contains(&w.as_str()));
            ru_fw += usize::from(RU_FUNCTION_WORDS.contains(&w.as_str()));
        }
    }
    if letters < 12 {
        return None;
    }
    let latin_words_est = latin / 6;
    if cyr_words >= latin_words_est {
        // About a third of Kazakh words carry one of its own letters; Russian
        // has none, except in quoted Kazakh names. Function words settle the
        // cases in between (short titles, name-heavy sentences).
        if kk_fw != ru_fw {
            return Some(if kk_fw > ru_fw { Lang::Kk } else { Lang::Ru });
        }
        return Some(if kk_words * 4 >= cyr_words {
            Lang::Kk
        } else {
            Lang::Ru
        });
    }
    if kk_lat * 200 >= latin {
        return Some(Lang::Kk);
    }
    let lower = text.to_lowercase();
    let words = lower
        .split(|c: char| !(c.is_alphabetic() || c == '\''))
        .take(20_000)
        .filter(|w| KK_LATIN_WORDS.contains(w))
        .count();
    if words >= 2 {
        Some(Lang::Kk)
    } else {
        Some(Lang::En)
    }
}

/// Very frequent Kazakh words that Russian never uses.
const KK_FUNCTION_WORDS: &[&str] = &[
    "және",
    "мен",
    "бен",
    "пен",
    "бойынша",
    "болып",
    "бұл",
    "осы",
    "деп",
    "үшін",
    "туралы",
    "бірге",
    "кейін",
    "дейін",
    "бар",
    "жоқ",
    "сондай",
    "ол",
    "оның",
    "деді",
    "атап",
    "өтті",
    "етті",
];
/// Very frequent Russian words that Kazakh does not use.
const RU_FUNCTION_WORDS: &[&str] = &[
    "и",
    "в",
    "во",
    "на",
    "с",
    "со",
    "по",
    "к",
    "из",
    "за",
    "от",
    "для",
    "что",
    "как",
    "это",
    "был",
    "была",
    "были",
    "который",
    "которая",
    "также",
    "его",
    "ее",
    "её",
    "не",
    "ранее",
    "года",
];

/// Trims and folds every run of (Unicode) whitespace into one space. Feed
/// titles, extracted text and mail subjects all need it; written out because
/// a `\s+` regex here was a third of all feed-parsing time (callgrind,
/// BENCHMARKS.md), while this is one pass with no allocation but the output.
pub fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cp1251(s: &str) -> Vec<u8> {
        encoding_rs::WINDOWS_1251.encode(s).0.into_owned()
    }

    #[test]
    fn http_charset_wins_over_meta() {
        let body = cp1251("<meta charset=\"utf-8\"><p>Председатель избран</p>");
        let d = decode(&body, Some("text/html; charset=windows-1251"));
        assert_eq!(d.encoding, "windows-1251");
        assert!(d.text.contains("Председатель избран"), "{}", d.text);
        assert_eq!(d.source, "http");
    }

    #[test]
    fn xml_declaration_is_read() {
        let body = encoding_rs::KOI8_R
            .encode("<?xml version='1.0' encoding='KOI8-R'?><rss><title>Новый председатель</title></rss>")
            .0
            .into_owned();
        let d = decode(&body, Some("application/rss+xml"));
        assert_eq!(d.encoding, "KOI8-R");
        assert!(d.text.contains("Новый председатель"));
    }

    #[test]
    fn http_equiv_meta_is_read() {
        let body = cp1251(
            "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\"></head><body>Филиал партии</body></html>",
        );
        let d = decode(&body, None);
        assert_eq!((d.encoding, d.source), ("windows-1251", "declaration"));
        assert!(d.text.contains("Филиал партии"));
    }

    #[test]
    fn undeclared_cyrillic_is_detected() {
        let body = cp1251(
            "<p>Сегодня в областном филиале партии прошла конференция, на которой был избран новый председатель филиала. Делегаты единогласно поддержали кандидатуру.</p>",
        );
        let d = decode(&body, None);
        assert_eq!(d.encoding, "windows-1251");
        assert_eq!(d.source, "detected");
        assert!(d.text.contains("новый председатель"));
    }

    #[test]
    fn kazakh_letters_survive_utf8_and_bom() {
        let mut body = vec![0xEF, 0xBB, 0xBF];
        body.extend_from_slice("Төраға болып сайланды: әғқңөұүһі".as_bytes());
        let d = decode(&body, Some("text/html; charset=iso-8859-1"));
        assert_eq!(d.text, "Төраға болып сайланды: әғқңөұүһі");
        assert_eq!(d.source, "bom");
    }

    #[test]
    fn wrong_legacy_declaration_loses_to_valid_utf8() {
        let body =
            "<?xml version=\"1.0\" encoding=\"windows-1251\"?><t>Қуат сайланды</t>".as_bytes();
        let d = decode(body, None);
        assert_eq!(d.encoding, "UTF-8");
        assert!(d.text.contains("Қуат сайланды"));
    }

    #[test]
    fn invalid_utf8_is_replaced_not_fatal() {
        let d = decode(b"abc \xff\xfe def", Some("text/plain; charset=utf-8"));
        assert!(d.had_errors);
        assert!(d.text.contains("abc") && d.text.contains("def"));
    }

    #[test]
    fn languages_are_told_apart() {
        assert_eq!(
            identify_lang("Партияның облыстық филиалының төрағасы болып сайланды."),
            Some(Lang::Kk)
        );
        assert_eq!(
            identify_lang("Председателем областного филиала партии избран новый руководитель."),
            Some(Lang::Ru)
        );
        assert_eq!(
            identify_lang("He was elected chair of the regional branch of the party."),
            Some(Lang::En)
        );
        assert_eq!(
            identify_lang("Partıanyń oblystyq fılıalynyń tóraǵasy bolyp saılandy."),
            Some(Lang::Kk)
        );
        assert_eq!(
            identify_lang("Partiianyn oblystyq filialynyn torag'asy bolyp sai'landy jane men."),
            Some(Lang::Kk)
        );
        assert_eq!(identify_lang("12:30 — ..."), None);
    }

    #[test]
    fn a_kazakh_name_in_russian_text_stays_russian() {
        assert_eq!(
            identify_lang(
                "Председателем филиала избран Қуат Байғоджаев, ранее работавший секретарем."
            ),
            Some(Lang::Ru)
        );
    }

    #[test]
    fn whitespace_runs_fold_to_one_space() {
        assert_eq!(
            collapse_whitespace("  Жаңа\n\t төраға \u{a0} сайланды  "),
            "Жаңа төраға сайланды"
        );
        assert_eq!(collapse_whitespace(" \n "), "");
    }
}
