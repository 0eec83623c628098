//! OPML 2.0 subscription lists, so feeds can be moved to and from any reader.
//!
//! Every `<outline>` with an `xmlUrl` is a feed, however deeply it sits in
//! category outlines. Two non-standard attributes carry what OPML has no
//! word for: `language` (`kk`/`ru`/`en`) and `pollInterval` (seconds); other
//! readers ignore unknown attributes, and we ignore theirs.

use super::FeedError;
use crate::model::{FeedSpec, Lang};
use quick_xml::events::Event;
use quick_xml::XmlVersion;

/// Read the feeds of an OPML document, in document order. Outlines without
/// `xmlUrl` (categories) are walked through; a document with no `<opml>`
/// root is an error.
pub fn parse(xml: &str) -> Result<Vec<FeedSpec>, FeedError> {
    let mut reader = quick_xml::Reader::from_str(xml.trim_start_matches('\u{feff}'));
    let mut feeds = Vec::new();
    let mut saw_root = false;
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| FeedError::Opml(format!("at byte {}: {e}", reader.buffer_position())))?;
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = e.local_name();
                if name.as_ref() == b"opml" {
                    saw_root = true;
                } else if name.as_ref() == b"outline" {
                    let mut attrs = std::collections::HashMap::new();
                    for a in e.attributes() {
                        let a = a.map_err(|err| FeedError::Opml(err.to_string()))?;
                        let key = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
                        let value = a
                            .normalized_value(XmlVersion::Implicit1_0)
                            .map_err(|err| FeedError::Opml(err.to_string()))?;
                        attrs.insert(key, value.trim().to_string());
                    }
                    if let Some(url) = attrs.get("xmlUrl").filter(|u| !u.is_empty()) {
                        let name = ["title", "text"]
                            .iter()
                            .filter_map(|k| attrs.get(*k))
                            .find(|v| !v.is_empty())
                            .cloned()
                            .unwrap_or_else(|| url.clone());
                        feeds.push(FeedSpec {
                            name,
                            url: url.clone(),
                            lang: attrs.get("language").and_then(|l| l.parse::<Lang>().ok()),
                            poll_interval_secs: attrs
                                .get("pollInterval")
                                .and_then(|v| v.parse::<u64>().ok())
                                .filter(|v| *v > 0),
                        });
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_root {
        return Err(FeedError::Opml("no <opml> root element".into()));
    }
    Ok(feeds)
}

/// Write `feeds` as an OPML 2.0 document that [`parse`] reads back unchanged.
pub fn write(feeds: &[FeedSpec]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n    <title>branchwatch feeds</title>\n  </head>\n  <body>\n",
    );
    for f in feeds {
        out.push_str("    <outline type=\"rss\" text=\"");
        out.push_str(&attr(&f.name));
        out.push_str("\" title=\"");
        out.push_str(&attr(&f.name));
        out.push_str("\" xmlUrl=\"");
        out.push_str(&attr(&f.url));
        out.push('"');
        if let Some(l) = f.lang {
            out.push_str(" language=\"");
            out.push_str(l.as_str());
            out.push('"');
        }
        if let Some(p) = f.poll_interval_secs {
            out.push_str(&format!(" pollInterval=\"{p}\""));
        }
        out.push_str("/>\n");
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

/// Escape for a double-quoted attribute; newlines and tabs as character
/// references so attribute-value normalisation does not turn them into spaces.
fn attr(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\n' => o.push_str("&#10;"),
            '\r' => o.push_str("&#13;"),
            '\t' => o.push_str("&#9;"),
            c if (c as u32) < 0x20 => {}
            c => o.push(c),
        }
    }
    o
}
