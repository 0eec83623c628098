//! Feed documents → [`ParsedFeed`], with item keys that stay the same from
//! one fetch to the next.
//!
//! Parsing is delegated to `feed-rs` (RSS 0.9x/1.0/2.0, Atom, JSON Feed).
//! This module adds what `feed-rs` leaves to the caller:
//!
//! * **Encoding.** Bytes are decoded once by [`crate::text::decode`]; the
//!   resulting UTF-8 text is handed to `feed-rs` with its XML declaration
//!   removed, because `feed-rs` would otherwise re-decode the UTF-8 text as
//!   whatever legacy charset the declaration names.
//! * **Hostile input.** A malformed document is a [`FeedError`], never a
//!   panic. Entity-expansion ("billion laughs") documents are harmless:
//!   `feed-rs` resolves only the five predefined XML entities and leaves
//!   DTD-declared ones unexpanded, which the tests check. Element nesting is
//!   bounded before parsing (see [`MAX_DEPTH`]) so no recursive descent can
//!   exhaust the stack.
//! * **Identity.** See [`assign_keys`] for the rule.
//!
//! [`opml`] reads and writes subscription lists.

pub mod discover;
pub mod html_list;
pub mod opml;
pub mod telegram;

use crate::model::{FeedItem, ParsedFeed};
use chrono::{DateTime, Utc};
use once_cell::sync::Lazy;
use regex::Regex;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Deepest element nesting accepted. Real feeds nest fewer than 10 levels
/// (inline XHTML content adds a few more); thousands of levels is an attack.
pub const MAX_DEPTH: usize = 256;

/// Why a document could not be read as a feed.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// Not RSS, Atom or JSON Feed, or not well-formed.
    #[error("not a feed: {0}")]
    Parse(String),
    /// Nested deeper than [`MAX_DEPTH`].
    #[error("document nests elements deeper than {0} levels")]
    TooDeep(usize),
    /// An OPML file that could not be read.
    #[error("invalid OPML: {0}")]
    Opml(String),
}

impl FeedError {
    /// Stable label for metrics and the database.
    pub fn kind(&self) -> &'static str {
        match self {
            FeedError::Parse(_) => "feed_parse",
            FeedError::TooDeep(_) => "feed_too_deep",
            FeedError::Opml(_) => "opml",
        }
    }
}

/// Parse raw feed bytes. The encoding is decided by [`crate::text::decode`]
/// without an HTTP charset; when one is known, decode first and call
/// [`parse_str`] (the fetcher's `FeedResponse::Fetched::text` is already
/// decoded that way).
pub fn parse(bytes: &[u8], base_url: &str) -> Result<ParsedFeed, FeedError> {
    let decoded = crate::text::decode(bytes, None);
    parse_str(&decoded.text, base_url)
}

/// Parse an already decoded feed. `base_url` (the URL the feed was fetched
/// from) resolves relative item links.
pub fn parse_str(text: &str, base_url: &str) -> Result<ParsedFeed, FeedError> {
    let body = strip_xml_declaration(text);
    // feed-rs picks XML or JSON by the first '<' or '{' anywhere in the
    // input; the depth check must see what feed-rs will parse as XML.
    if body.bytes().find(|b| *b == b'<' || *b == b'{') == Some(b'<') {
        check_depth(body)?;
    }
    let parser = feed_rs::parser::Builder::new()
        .base_uri(Some(base_url))
        // An empty id marks "the document gave none"; feed-rs would
        // otherwise invent one and we could not tell it from a real GUID.
        .id_generator(|_, _, _| String::new())
        .build();
    let feed = parser
        .parse(body.as_bytes())
        .map_err(|e| FeedError::Parse(e.to_string()))?;
    let base = url::Url::parse(base_url).ok();

    let mut items: Vec<FeedItem> = feed
        .entries
        .into_iter()
        .map(|e| {
            let guid = Some(e.id.trim().to_string()).filter(|g| !g.is_empty());
            let link = pick_link(&e.links, base.as_ref());
            let title = e
                .title
                .map(|t| text_to_plain(&t.content, t.content_type.as_ref()))
                .filter(|s| !s.is_empty());
            let summary = e
                .summary
                .map(|t| text_to_plain(&t.content, t.content_type.as_ref()))
                .filter(|s| !s.is_empty())
                .or_else(|| {
                    e.content
                        .and_then(|c| c.body)
                        .map(|b| text_to_plain(&b, "text/html"))
                        .filter(|s| !s.is_empty())
                });
            FeedItem {
                key: String::new(),
                guid,
                link,
                title,
                summary,
                published: e.published.or(e.updated),
            }
        })
        .collect();
    assign_keys(&mut items);

    Ok(ParsedFeed {
        title: feed
            .title
            .map(|t| text_to_plain(&t.content, t.content_type.as_ref()))
            .filter(|s| !s.is_empty()),
        ttl_minutes: feed.ttl,
        items,
    })
}

/// Give every item its [`FeedItem::key`].
///
/// # The identity rule
///
/// GUIDs cannot be trusted blindly: some CMSs put the same GUID on every
/// item, others mint a fresh one on every request while the links stay put.
/// A single document can reveal the first fault but never the second, and a
/// key that changes between fetches makes the pipeline re-process old
/// articles. So the item's **link** comes first: for a news feed it is what
/// the reader follows, what we fetch, and what stays fixed when GUIDs churn.
/// In order, an item's key is:
///
/// 1. `u:` + [`normalize_url`] of its link, when no other item in the same
///    document has the same normalised link;
/// 2. otherwise `g:` + its GUID, when the document's GUIDs are trustworthy —
///    no GUID occurs twice in the document (a constant GUID is the extreme
///    case);
/// 3. otherwise `h:` + hex SHA-256 of title, publication date and normalised
///    link (so items sharing a link and a GUID are still told apart by
///    their title and date).
///
/// Every input of the rule is a property of the item or of collisions
/// within the document, so an unchanged item gets the same key on every
/// fetch; two distinct items in one document never share a key unless they
/// agree on link (or GUID) and title and date alike.
pub fn assign_keys(items: &mut [FeedItem]) {
    let links: Vec<Option<String>> = items
        .iter()
        .map(|i| i.link.as_deref().map(normalize_url))
        .collect();
    let mut link_count: HashMap<&str, usize> = HashMap::new();
    for l in links.iter().flatten() {
        *link_count.entry(l.as_str()).or_default() += 1;
    }
    let mut guid_count: HashMap<&str, usize> = HashMap::new();
    for g in items.iter().filter_map(|i| i.guid.as_deref()) {
        *guid_count.entry(g).or_default() += 1;
    }
    let guids_trusted = guid_count.values().all(|&n| n == 1);

    let keys: Vec<String> = items
        .iter()
        .zip(&links)
        .map(|(item, link)| {
            let link_unique = link
                .as_deref()
                .is_some_and(|l| link_count.get(l).copied() == Some(1));
            item_key(item, link.as_deref(), link_unique, guids_trusted)
        })
        .collect();
    for (item, key) in items.iter_mut().zip(keys) {
        item.key = key;
    }
}

/// One item's key under the rule documented on [`assign_keys`].
/// `normalized_link` is [`normalize_url`] of the item's link; the two flags
/// are the document-level facts the rule depends on.
pub fn item_key(
    item: &FeedItem,
    normalized_link: Option<&str>,
    link_unique: bool,
    guids_trusted: bool,
) -> String {
    if let (true, Some(l)) = (link_unique, normalized_link) {
        return format!("u:{l}");
    }
    if let (true, Some(g)) = (guids_trusted, item.guid.as_deref()) {
        return format!("g:{g}");
    }
    let mut h = Sha256::new();
    h.update(item.title.as_deref().unwrap_or("").as_bytes());
    h.update([0]);
    if let Some(p) = item.published {
        h.update(p.to_rfc3339().as_bytes());
    }
    h.update([0]);
    h.update(normalized_link.unwrap_or("").as_bytes());
    if item.title.is_none() && item.published.is_none() {
        // Nothing else distinguishes the item; its text has to.
        h.update([0]);
        h.update(item.summary.as_deref().unwrap_or("").as_bytes());
    }
    format!("h:{}", hex::encode(h.finalize()))
}

/// Query parameters that only track the click, never select the content.
fn is_tracking_param(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("utm_")
        || matches!(
            n.as_str(),
            "fbclid"
                | "gclid"
                | "dclid"
                | "gbraid"
                | "wbraid"
                | "yclid"
                | "msclkid"
                | "mc_cid"
                | "mc_eid"
                | "igshid"
                | "_ga"
                | "_gl"
                | "_openstat"
        )
}

/// Canonical form of a URL for identity comparisons: scheme and host
/// lower-cased, default port dropped, fragment dropped, tracking parameters
/// (`utm_*`, `fbclid`, `gclid`, `yclid`, …) removed, a trailing slash on a
/// non-root path removed. Other parameters keep their order. Input that is
/// not an absolute URL is returned trimmed.
pub fn normalize_url(url: &str) -> String {
    let trimmed = url.trim();
    let Ok(mut u) = url::Url::parse(trimmed) else {
        return trimmed.to_string();
    };
    u.set_fragment(None);
    if u.query().is_some() {
        let kept: Vec<(String, String)> = u
            .query_pairs()
            .filter(|(k, _)| !is_tracking_param(k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            u.set_query(None);
        } else {
            u.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    let path = u.path().to_string();
    if path.len() > 1 && path.ends_with('/') {
        u.set_path(path.trim_end_matches('/'));
        if u.path().is_empty() {
            u.set_path("/");
        }
    }
    u.to_string()
}

/// The item's article link: the first `alternate` (or untyped) link, else
/// the first link that is not self/enclosure/etc.; made absolute; http(s) only.
fn pick_link(links: &[feed_rs::model::Link], base: Option<&url::Url>) -> Option<String> {
    let alternate = links
        .iter()
        .find(|l| matches!(l.rel.as_deref(), None | Some("alternate")));
    let other = || {
        links.iter().find(|l| {
            !matches!(
                l.rel.as_deref(),
                Some("self" | "enclosure" | "edit" | "replies" | "license" | "hub")
            )
        })
    };
    let href = alternate.or_else(other)?.href.trim();
    if href.is_empty() {
        return None;
    }
    let abs = match url::Url::parse(href) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => base?.join(href).ok()?,
        Err(_) => return None,
    };
    matches!(abs.scheme(), "http" | "https").then(|| abs.to_string())
}

static XML_DECL: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"^\s*<\?xml[^>]*\?>").unwrap_or_else(|_| unreachable!("static pattern"))
});
static SCRIPT_STYLE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?is)<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->")
        .unwrap_or_else(|_| unreachable!("static pattern"))
});
static TAG: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?s)<[^>]*>").unwrap_or_else(|_| unreachable!("static pattern")));

/// Drop a BOM and the XML declaration: the text is already UTF-8.
fn strip_xml_declaration(text: &str) -> &str {
    let t = text.trim_start_matches('\u{feff}');
    match XML_DECL.find(t) {
        Some(m) => t[m.end()..].trim_start(),
        None => t.trim_start(),
    }
}

/// Summary/title text as plain text: tags removed (with script/style
/// content), entities decoded, whitespace collapsed.
fn text_to_plain(s: &str, media_type: &str) -> String {
    let looks_html = media_type.contains("html") || (s.contains('<') && s.contains('>'));
    let text = if looks_html {
        let no_code = SCRIPT_STYLE.replace_all(s, " ");
        let no_tags = TAG.replace_all(&no_code, " ");
        html_escape::decode_html_entities(&no_tags).into_owned()
    } else {
        html_escape::decode_html_entities(s).into_owned()
    };
    crate::text::collapse_whitespace(&text)
}

/// Reject documents nested deeper than [`MAX_DEPTH`] before feed-rs sees
/// them. Measured, not theoretical: at 65 536 levels quick-xml's namespace
/// resolver (inside feed-rs 2.4) overflows a `u16` and panics in debug
/// builds. A streaming reader configured like feed-rs's own runs in
/// constant stack; at its first syntax error it stops, because feed-rs's
/// reader stops at the same place and reports the error.
fn check_depth(xml: &str) -> Result<(), FeedError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let config = reader.config_mut();
    config.expand_empty_elements = true;
    config.trim_markup_names_in_closing_tags = true;
    let mut depth = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(FeedError::TooDeep(MAX_DEPTH));
                }
            }
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Eof) | Err(_) => return Ok(()),
            Ok(_) => {}
        }
    }
}

/// Publication times of the items, for [`crate::schedule`].
pub fn item_times(feed: &ParsedFeed) -> Vec<DateTime<Utc>> {
    feed.items.iter().filter_map(|i| i.published).collect()
}

#[cfg(test)]
mod tests;
