//! Sitemaps (sitemaps.org 0.9, with the Google News extension) → article
//! URLs and sitemap references. Pure: bytes in, values out.
//!
//! A document is either a `<sitemapindex>` (references to more sitemaps,
//! each with an optional `<lastmod>`) or a `<urlset>` (pages, each with an
//! optional `<lastmod>` and, in a news sitemap, `<news:title>` and
//! `<news:publication_date>`). Elements are matched by local name, so any
//! namespace prefix works. Gzip (`.xml.gz`, or a gzip body served without
//! `Content-Encoding`) is recognised by its magic bytes and inflated with a
//! limit on the inflated size, so a small bomb cannot fill memory.

use crate::model::ArchiveEntry;
use chrono::{DateTime, NaiveDate, Utc};
use quick_xml::events::Event;
use std::io::Read;

/// The protocol's own limit is 50 MB uncompressed; a little slack for
/// whitespace-heavy generators.
pub const MAX_SITEMAP_BYTES: usize = 64 * 1024 * 1024;
/// The protocol's limit on entries per file.
pub const MAX_SITEMAP_ENTRIES: usize = 50_000;

/// Why a sitemap could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SitemapError {
    #[error("inflated sitemap exceeds {limit} bytes")]
    TooLarge { limit: usize },
    #[error("sitemap has more than {limit} entries")]
    TooManyEntries { limit: usize },
    #[error("corrupt gzip: {0}")]
    Gzip(String),
    #[error("malformed sitemap XML at byte {position}: {reason}")]
    Malformed { position: u64, reason: String },
    #[error("not a sitemap (root element <{0}>, expected <urlset> or <sitemapindex>)")]
    NotSitemap(String),
}

/// A reference to another sitemap from a sitemap index.
#[derive(Debug, Clone, PartialEq)]
pub struct SitemapRef {
    pub loc: String,
    pub lastmod: Option<DateTime<Utc>>,
}

/// A parsed sitemap document.
#[derive(Debug, Clone, PartialEq)]
pub enum Sitemap {
    Index(Vec<SitemapRef>),
    Urls(Vec<ArchiveEntry>),
}

/// The body as XML bytes: inflated when it is gzip, checked against the size limit.
pub fn inflate(body: &[u8], limit: usize) -> Result<Vec<u8>, SitemapError> {
    if !body.starts_with(&[0x1f, 0x8b]) {
        if body.len() > limit {
            return Err(SitemapError::TooLarge { limit });
        }
        return Ok(body.to_vec());
    }
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(body)
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| SitemapError::Gzip(e.to_string()))?;
    if out.len() > limit {
        return Err(SitemapError::TooLarge { limit });
    }
    Ok(out)
}

/// Which element's text is being read.
#[derive(Clone, Copy, PartialEq)]
enum Field {
    None,
    Loc,
    Lastmod,
    NewsTitle,
    NewsDate,
}

/// Accumulates one `<url>` or `<sitemap>` entry.
#[derive(Default)]
struct Entry {
    loc: String,
    lastmod: String,
    title: String,
    date: String,
}

/// Parses a sitemap or sitemap index (plain XML; see [`inflate`] for gzip).
pub fn parse(xml: &[u8]) -> Result<Sitemap, SitemapError> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut root: Option<bool> = None; // Some(true): index
    let mut field = Field::None;
    let mut entry: Option<Entry> = None;
    let mut refs = Vec::new();
    let mut urls = Vec::new();
    let malformed = |reader: &quick_xml::Reader<&[u8]>, reason: String| SitemapError::Malformed {
        position: reader.buffer_position(),
        reason,
    };
    loop {
        let ev = reader
            .read_event_into(&mut buf)
            .map_err(|e| malformed(&reader, e.to_string()))?;
        match ev {
            Event::Start(ref e) => {
                let name = e.local_name();
                let name = name.as_ref();
                if root.is_none() {
                    root = Some(match name {
                        b"sitemapindex" => true,
                        b"urlset" => false,
                        other => {
                            return Err(SitemapError::NotSitemap(
                                String::from_utf8_lossy(other).into_owned(),
                            ))
                        }
                    });
                    continue;
                }
                field = match name {
                    b"url" | b"sitemap" => {
                        entry = Some(Entry::default());
                        Field::None
                    }
                    b"loc" => Field::Loc,
                    b"lastmod" => Field::Lastmod,
                    b"title" => Field::NewsTitle,
                    b"publication_date" => Field::NewsDate,
                    _ => Field::None,
                };
            }
            Event::Text(ref t) => {
                let text = t.decode().map_err(|e| malformed(&reader, e.to_string()))?;
                push_text(&mut entry, field, &text);
            }
            Event::CData(ref t) => {
                let text = String::from_utf8_lossy(t.as_ref()).into_owned();
                push_text(&mut entry, field, &text);
            }
            Event::GeneralRef(ref r) => {
                let text = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => named_entity(r.as_ref()).to_string(),
                };
                push_text(&mut entry, field, &text);
            }
            Event::End(ref e) => {
                let name = e.local_name();
                field = Field::None;
                if matches!(name.as_ref(), b"url" | b"sitemap") {
                    if let Some(done) = entry.take() {
                        if refs.len() + urls.len() >= MAX_SITEMAP_ENTRIES {
                            return Err(SitemapError::TooManyEntries {
                                limit: MAX_SITEMAP_ENTRIES,
                            });
                        }
                        add_entry(done, root == Some(true), &mut refs, &mut urls);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    match root {
        Some(true) => Ok(Sitemap::Index(refs)),
        Some(false) => Ok(Sitemap::Urls(urls)),
        None => Err(SitemapError::NotSitemap("none".into())),
    }
}

fn push_text(entry: &mut Option<Entry>, field: Field, text: &str) {
    let Some(e) = entry.as_mut() else { return };
    let target = match field {
        Field::Loc => &mut e.loc,
        Field::Lastmod => &mut e.lastmod,
        Field::NewsTitle => &mut e.title,
        Field::NewsDate => &mut e.date,
        Field::None => return,
    };
    target.push_str(text);
}

fn named_entity(name: &[u8]) -> &'static str {
    match name {
        b"amp" => "&",
        b"lt" => "<",
        b"gt" => ">",
        b"quot" => "\"",
        b"apos" => "'",
        _ => "",
    }
}

fn add_entry(e: Entry, index: bool, refs: &mut Vec<SitemapRef>, urls: &mut Vec<ArchiveEntry>) {
    let loc = e.loc.trim().to_string();
    if !(loc.starts_with("http://") || loc.starts_with("https://")) {
        return;
    }
    let lastmod = parse_w3c_date(&e.lastmod);
    if index {
        refs.push(SitemapRef { loc, lastmod });
    } else {
        let title = crate::text::collapse_whitespace(e.title.trim());
        urls.push(ArchiveEntry {
            url: loc,
            title: (!title.is_empty()).then_some(title),
            published: parse_w3c_date(&e.date),
            lastmod,
        });
    }
}

/// A W3C datetime as sitemaps write it: `2025-03-01`, `2025-03-01T10:00+05:00`,
/// `2025-03-01T10:00:00Z`, `2025-03-01T10:00:00.123+05:00`. Anything else is
/// no date.
pub fn parse_w3c_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M%:z") {
        return Some(d.with_timezone(&Utc));
    }
    if let Some(rest) = s.strip_suffix('Z') {
        if let Ok(d) = chrono::NaiveDateTime::parse_from_str(rest, "%Y-%m-%dT%H:%M") {
            return Some(d.and_utc());
        }
    }
    let day = s.get(..10)?;
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn reads_an_index_with_lastmod() {
        let xml = br#"<?xml version="1.0"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://x.kz/s-2025-01.xml.gz</loc><lastmod>2025-01-31</lastmod></sitemap>
  <sitemap><loc>https://x.kz/s-2025-02.xml.gz</loc></sitemap>
</sitemapindex>"#;
        let Sitemap::Index(refs) = parse(xml).unwrap() else {
            panic!("not an index")
        };
        assert_eq!(refs.len(), 2);
        assert_eq!(refs[0].loc, "https://x.kz/s-2025-01.xml.gz");
        assert_eq!(
            refs[0].lastmod.unwrap().date_naive(),
            NaiveDate::from_ymd_opt(2025, 1, 31).unwrap()
        );
        assert_eq!(refs[1].lastmod, None);
    }

    #[test]
    fn reads_a_news_sitemap_with_titles_and_entities() {
        let xml = r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
  xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
 <url><loc>https://x.kz/a?id=1&amp;p=2</loc>
  <news:news><news:publication>
   <news:name>X</news:name><news:language>kk</news:language></news:publication>
   <news:publication_date>2025-03-04T10:15:00+05:00</news:publication_date>
   <news:title>Филиал төрағасы &amp; хатшысы</news:title></news:news></url>
 <url><loc><![CDATA[https://x.kz/b]]></loc><lastmod>2025-03-05T08:00Z</lastmod></url>
 <url><loc>not a url</loc></url>
</urlset>"#;
        let Sitemap::Urls(urls) = parse(xml.as_bytes()).unwrap() else {
            panic!("not a urlset")
        };
        assert_eq!(urls.len(), 2);
        assert_eq!(urls[0].url, "https://x.kz/a?id=1&p=2");
        assert_eq!(urls[0].title.as_deref(), Some("Филиал төрағасы & хатшысы"));
        assert_eq!(
            urls[0].published.unwrap().to_rfc3339(),
            "2025-03-04T05:15:00+00:00"
        );
        assert_eq!(urls[1].url, "https://x.kz/b");
        assert_eq!(urls[1].title, None);
        assert_eq!(
            urls[1].date().unwrap().to_rfc3339(),
            "2025-03-05T08:00:00+00:00"
        );
    }

    #[test]
    fn malformed_and_foreign_documents_are_clear_errors() {
        let err = parse(b"<urlset><url><loc>https://x.kz/a</loc></urlx></urlset>").unwrap_err();
        assert!(matches!(err, SitemapError::Malformed { .. }), "{err}");
        assert!(err.to_string().contains("at byte"), "{err}");
        let err = parse(b"<rss><channel/></rss>").unwrap_err();
        assert!(err.to_string().contains("<rss>"), "{err}");
        assert!(matches!(
            parse(b"").unwrap_err(),
            SitemapError::NotSitemap(_)
        ));
    }

    #[test]
    fn gzip_is_inflated_within_the_limit() {
        let xml = b"<urlset><url><loc>https://x.kz/a</loc></url></urlset>".repeat(10);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&xml).unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(inflate(&gz, 1 << 20).unwrap(), xml);
        assert!(matches!(
            inflate(&gz, 100).unwrap_err(),
            SitemapError::TooLarge { limit: 100 }
        ));
        assert!(matches!(
            inflate(&[0x1f, 0x8b, 0, 1, 2], 100).unwrap_err(),
            SitemapError::Gzip(_)
        ));
        assert_eq!(inflate(b"<urlset/>", 100).unwrap(), b"<urlset/>");
    }

    #[test]
    fn w3c_dates() {
        for s in [
            "2025-03-01",
            "2025-03-01T00:00:00Z",
            "2025-03-01T05:00+05:00",
            "2025-03-01T00:00Z",
            "2025-03-01T05:00:00.250+05:00",
        ] {
            assert_eq!(
                parse_w3c_date(s).map(|d| d.date_naive()),
                NaiveDate::from_ymd_opt(2025, 3, 1),
                "{s}"
            );
        }
        assert_eq!(parse_w3c_date("yesterday"), None);
        assert_eq!(parse_w3c_date(""), None);
    }
}
