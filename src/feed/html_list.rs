//! A site's news list page read as a feed (`kind = "html"`).
//!
//! Many party and regional sites publish no RSS, only a "News" page: a list
//! of items, each with a link, a title, a date and sometimes a lead. The
//! configured CSS selectors ([`ListSelectors`]) pick those out; the result
//! is the same [`FeedItem`] list a feed yields, so the rest of the pipeline
//! (article → detect → store) does not know the difference.
//!
//! * **Identity.** An item's key is `u:` + [`super::normalize_url`] of its
//!   absolute link: the canonical link is what stays put on a list page
//!   (there is no GUID). Items without a usable http(s) link are skipped
//!   (there is nothing to read), and a link listed twice (a featured block
//!   above the list) is one item.
//! * **Dates** as Kazakh and Russian sites write them, relative ones («Бүгін,
//!   09:30», «Вчера») resolved against the `now` the caller passes in, never
//!   the system clock ([`crate::article::dates::parse_list_date`]).
//! * **A redesign is an error.** When the item selector matches nothing, or
//!   a configured link/title/date/summary selector matches in none of the
//!   items, the page is not "empty": the selectors no longer fit the site,
//!   and [`ListError`] says which one.
//! * **Hostile pages.** The HTML goes through the article stage's linear
//!   pre-pass first (nesting flattened beyond [`MAX_DEPTH`], scripts and
//!   comments dropped, the text cut at [`MAX_HTML_BYTES`]), and at most
//!   [`MAX_ITEMS`] items of a page are read.
//!
//! No I/O here: fetching (conditional GET, paging) is the pipeline's.

use crate::model::FeedItem;
use chrono::{DateTime, FixedOffset, Utc};
use scraper::{ElementRef, Html, Selector};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Items read from one list page; the rest are ignored (a news list shows
/// 10–50; thousands is a broken or hostile page).
pub const MAX_ITEMS: usize = 200;
/// Deeper nesting is flattened before parsing.
pub const MAX_DEPTH: usize = 128;
/// HTML beyond this (after scripts and comments are dropped) is not read.
pub const MAX_HTML_BYTES: usize = 4 << 20;

/// CSS selectors of a list page, from a `[[feeds]]` entry's `select` table.
/// All but `item` are matched inside each item.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListSelectors {
    /// One match per news item.
    pub item: String,
    /// The item's link (`href`); default: the item itself when it is an
    /// `<a>`, else its first `a[href]`.
    pub link: Option<String>,
    /// Default: the link's text.
    pub title: Option<String>,
    /// A `datetime`/`content` attribute wins over the element's text.
    pub date: Option<String>,
    pub summary: Option<String>,
    /// Paging: the "next page" link, matched in the whole page.
    pub next: Option<String>,
    /// Paging: a URL template with `{page}` (2, 3, ...), instead of `next`.
    pub page_url: Option<String>,
}

impl ListSelectors {
    /// Every configured selector with its field name, in a fixed order.
    pub fn named(&self) -> Vec<(&'static str, &str)> {
        let mut v = vec![("item", self.item.as_str())];
        for (name, s) in [
            ("link", &self.link),
            ("title", &self.title),
            ("date", &self.date),
            ("summary", &self.summary),
            ("next", &self.next),
        ] {
            if let Some(s) = s {
                v.push((name, s.as_str()));
            }
        }
        v
    }

    /// Problems a configuration check reports: selectors that do not parse,
    /// a `page_url` without `{page}`, both paging styles at once.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (name, s) in self.named() {
            if let Err(e) = Selector::parse(s) {
                out.push(format!("select.{name}: {s:?} is not valid CSS: {e}"));
            }
        }
        if let Some(t) = &self.page_url {
            if !t.contains("{page}") {
                out.push(format!("select.page_url: {t:?} has no {{page}}"));
            }
        }
        if self.next.is_some() && self.page_url.is_some() {
            out.push("select: give either next or page_url, not both".into());
        }
        out
    }
}

/// Why a list page could not be read with its selectors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListError {
    #[error("selector {field} = {selector:?} is not valid CSS: {reason}")]
    BadSelector {
        field: &'static str,
        selector: String,
        reason: String,
    },
    /// The item selector found nothing: a redesign, or the wrong page.
    #[error("item selector {selector:?} matches nothing on the page (site redesigned?)")]
    NoItems { selector: String },
    /// A per-item selector matched in none of the items.
    #[error(
        "{field} selector {selector:?} matches in none of the {items} items (site redesigned?)"
    )]
    NoMatch {
        field: &'static str,
        selector: String,
        items: usize,
    },
    /// Items were found, but none had an http(s) link.
    #[error("none of the {items} items has an http(s) link")]
    NoLinks { items: usize },
}

impl ListError {
    /// Stable label for metrics and the database.
    pub fn kind(&self) -> &'static str {
        match self {
            ListError::BadSelector { .. } => "list_selector",
            ListError::NoItems { .. } | ListError::NoMatch { .. } | ListError::NoLinks { .. } => {
                "list_no_match"
            }
        }
    }
}

/// How many items each selector matched in, for `feeds test`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SelectorCounts {
    /// Item elements matched (before [`MAX_ITEMS`]).
    pub items: usize,
    pub links: usize,
    pub titles: usize,
    pub dates: usize,
    /// Dates found whose text could not be read as a date.
    pub dates_unparsed: usize,
    pub summaries: usize,
    /// Items skipped: no http(s) link, or a link already listed.
    pub skipped: usize,
    /// More than [`MAX_ITEMS`] items: the rest were ignored.
    pub truncated: bool,
}

/// One parsed list page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListPage {
    pub items: Vec<FeedItem>,
    /// The raw date text of each item, for `feeds test` (same order).
    pub raw_dates: Vec<Option<String>>,
    /// The next page by the `next` selector, made absolute.
    pub next_url: Option<String>,
    pub counts: SelectorCounts,
}

struct Compiled {
    item: Selector,
    link: Option<Selector>,
    title: Option<Selector>,
    date: Option<Selector>,
    summary: Option<Selector>,
    next: Option<Selector>,
}

fn compile(sel: &ListSelectors) -> Result<Compiled, ListError> {
    let one = |field: &'static str, s: &str| {
        Selector::parse(s).map_err(|e| ListError::BadSelector {
            field,
            selector: s.to_string(),
            reason: e.to_string(),
        })
    };
    let opt =
        |field: &'static str, s: &Option<String>| s.as_deref().map(|s| one(field, s)).transpose();
    Ok(Compiled {
        item: one("item", &sel.item)?,
        link: opt("link", &sel.link)?,
        title: opt("title", &sel.title)?,
        date: opt("date", &sel.date)?,
        summary: opt("summary", &sel.summary)?,
        next: opt("next", &sel.next)?,
    })
}

/// Reads one list page fetched from `page_url`. `now` resolves relative
/// dates; dates without an offset are read in `now`'s offset.
pub fn parse_list(
    html: &str,
    page_url: &str,
    sel: &ListSelectors,
    now: DateTime<FixedOffset>,
) -> Result<ListPage, ListError> {
    let c = compile(sel)?;
    let prepared = crate::article::guard::prepare(html, MAX_HTML_BYTES, MAX_DEPTH);
    let doc = Html::parse_document(&prepared.html);
    let base = url::Url::parse(page_url).ok();
    let mut page = ListPage::default();
    let mut seen: HashSet<String> = HashSet::new();
    for el in doc.select(&c.item) {
        page.counts.items += 1;
        if page.counts.items > MAX_ITEMS {
            page.counts.truncated = true;
            continue;
        }
        let found = read_item(el, &c, base.as_ref(), now, &mut page.counts);
        match found {
            Some((item, raw_date)) if seen.insert(item.key.clone()) => {
                page.items.push(item);
                page.raw_dates.push(raw_date);
            }
            _ => page.counts.skipped += 1,
        }
    }
    check_matches(sel, &page.counts)?;
    page.next_url = c
        .next
        .as_ref()
        .and_then(|n| doc.select(n).find_map(|e| e.value().attr("href")))
        .and_then(|h| absolute(h, base.as_ref()));
    Ok(page)
}

/// A redesign shows as a selector that stopped matching.
fn check_matches(sel: &ListSelectors, n: &SelectorCounts) -> Result<(), ListError> {
    if n.items == 0 {
        return Err(ListError::NoItems {
            selector: sel.item.clone(),
        });
    }
    let items = n.items.min(MAX_ITEMS);
    for (field, s, count) in [
        ("link", &sel.link, n.links),
        ("title", &sel.title, n.titles),
        ("date", &sel.date, n.dates),
        ("summary", &sel.summary, n.summaries),
    ] {
        if let (Some(s), 0) = (s, count) {
            return Err(ListError::NoMatch {
                field,
                selector: s.clone(),
                items,
            });
        }
    }
    if n.links == 0 {
        return Err(ListError::NoLinks { items });
    }
    Ok(())
}

/// One item element → its feed item and raw date text; `None` without a link.
fn read_item(
    el: ElementRef<'_>,
    c: &Compiled,
    base: Option<&url::Url>,
    now: DateTime<FixedOffset>,
    n: &mut SelectorCounts,
) -> Option<(FeedItem, Option<String>)> {
    let link_el = match &c.link {
        Some(s) => el.select(s).next(),
        None if el.value().name() == "a" => Some(el),
        None => el.select(&A_HREF).next(),
    };
    let href = link_el.and_then(|a| {
        a.value().attr("href").or_else(|| {
            a.select(&A_HREF)
                .next()
                .and_then(|x| x.value().attr("href"))
        })
    });
    let link = href.and_then(|h| absolute(h, base));
    if link.is_some() {
        n.links += 1;
    }
    let title = match &c.title {
        Some(s) => el.select(s).next().map(text_of),
        None => link_el.map(text_of),
    }
    .filter(|t| !t.is_empty());
    if c.title.is_some() && title.is_some() {
        n.titles += 1;
    }
    let date_el = c.date.as_ref().and_then(|s| el.select(s).next());
    let raw_date = date_el.map(|d| {
        d.value()
            .attr("datetime")
            .or_else(|| d.value().attr("content"))
            .map(str::to_string)
            .unwrap_or_else(|| text_of(d))
    });
    if raw_date.is_some() {
        n.dates += 1;
    }
    let published = raw_date
        .as_deref()
        .and_then(|d| crate::article::dates::parse_list_date(d, now));
    if raw_date.is_some() && published.is_none() {
        n.dates_unparsed += 1;
    }
    let summary = c
        .summary
        .as_ref()
        .and_then(|s| el.select(s).next())
        .map(text_of)
        .filter(|t| !t.is_empty());
    if summary.is_some() {
        n.summaries += 1;
    }
    let link = link?;
    let key = format!("u:{}", super::normalize_url(&link));
    Some((
        FeedItem {
            key,
            guid: None,
            link: Some(link),
            title,
            summary,
            published: published.map(|d| d.with_timezone(&Utc)),
        },
        raw_date,
    ))
}

static A_HREF: once_cell::sync::Lazy<Selector> = once_cell::sync::Lazy::new(|| {
    Selector::parse("a[href]").unwrap_or_else(|_| unreachable!("static selector"))
});

/// An element's text, whitespace collapsed.
fn text_of(e: ElementRef<'_>) -> String {
    let raw: String = e.text().collect::<Vec<_>>().join(" ");
    crate::text::collapse_whitespace(&raw)
}

/// `href` made absolute against the page; http(s) only, fragment dropped.
pub fn absolute(href: &str, base: Option<&url::Url>) -> Option<String> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    let mut u = match url::Url::parse(href) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => base?.join(href).ok()?,
        Err(_) => return None,
    };
    u.set_fragment(None);
    matches!(u.scheme(), "http" | "https").then(|| u.to_string())
}

/// The URL of page `n` (2, 3, ...) by the `page_url` template, made
/// absolute against the first page.
pub fn template_page(sel: &ListSelectors, first_url: &str, n: u32) -> Option<String> {
    let t = sel.page_url.as_deref()?;
    let filled = t.replace("{page}", &n.to_string());
    absolute(&filled, url::Url::parse(first_url).ok().as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2025-03-14T11:00:00+05:00").unwrap()
    }

    fn sel() -> ListSelectors {
        ListSelectors {
            item: "div.news-item".into(),
            link: Some("a.title".into()),
            title: Some("a.title".into()),
            date: Some(".date".into()),
            summary: Some("p.lead".into()),
            next: Some("a.next".into()),
            page_url: None,
        }
    }

    const PAGE: &str = r##"<html><body>
      <div class="news-item"><a class="title" href="/kk/news/12?utm_source=x#top">Бірінші жаңалық</a>
        <span class="date">Бүгін, 09:30</span><p class="lead">Қысқаша.</p></div>
      <div class="news-item"><a class="title" href="https://party.example/kk/news/11">Екінші</a>
        <time class="date" datetime="2025-03-10T15:00:00+05:00">10 наурыз</time></div>
      <div class="news-item"><a class="title" href="/kk/news/12">Бірінші жаңалық (қайта)</a></div>
      <div class="news-item"><a class="title" href="javascript:void(0)">Жоқ</a></div>
      <a class="next" href="?page=2">Келесі</a></body></html>"##;

    #[test]
    fn items_links_dates_and_next_page() {
        let p = parse_list(PAGE, "https://party.example/kk/news", &sel(), now()).unwrap();
        assert_eq!(p.items.len(), 2, "{p:#?}");
        let a = &p.items[0];
        assert_eq!(a.key, "u:https://party.example/kk/news/12");
        assert_eq!(a.title.as_deref(), Some("Бірінші жаңалық"));
        assert_eq!(a.summary.as_deref(), Some("Қысқаша."));
        assert_eq!(
            a.published.map(|d| d.to_rfc3339()),
            Some("2025-03-14T04:30:00+00:00".into())
        );
        assert_eq!(
            p.items[1].published.map(|d| d.to_rfc3339()),
            Some("2025-03-10T10:00:00+00:00".into())
        );
        assert_eq!(p.counts.items, 4);
        assert_eq!(p.counts.skipped, 2);
        assert_eq!(
            p.next_url.as_deref(),
            Some("https://party.example/kk/news?page=2")
        );
    }

    #[test]
    fn a_redesign_is_an_error_naming_the_selector() {
        let redesigned = PAGE.replace("news-item", "card");
        let e = parse_list(&redesigned, "https://party.example/", &sel(), now()).unwrap_err();
        assert!(matches!(e, ListError::NoItems { .. }), "{e}");
        let no_dates = PAGE.replace("class=\"date\"", "class=\"when\"");
        let e = parse_list(&no_dates, "https://party.example/", &sel(), now()).unwrap_err();
        assert_eq!(
            e,
            ListError::NoMatch {
                field: "date",
                selector: ".date".into(),
                items: 4
            }
        );
        let mut bad = sel();
        bad.item = "div[".into();
        let e = parse_list(PAGE, "https://party.example/", &bad, now()).unwrap_err();
        assert!(
            matches!(e, ListError::BadSelector { field: "item", .. }),
            "{e}"
        );
    }

    #[test]
    fn default_link_is_the_first_anchor_and_template_pages() {
        let s = ListSelectors {
            item: "li".into(),
            page_url: Some("/news?page={page}".into()),
            ..ListSelectors::default()
        };
        let html = r#"<ul><li><a href="/a">A</a><a href="/b">B</a></li></ul>"#;
        let p = parse_list(html, "https://x.example/news", &s, now()).unwrap();
        assert_eq!(p.items[0].link.as_deref(), Some("https://x.example/a"));
        assert_eq!(p.items[0].title.as_deref(), Some("A"));
        assert_eq!(
            template_page(&s, "https://x.example/news", 2).as_deref(),
            Some("https://x.example/news?page=2")
        );
        assert!(s.problems().is_empty());
        let t = ListSelectors {
            item: "li".into(),
            page_url: Some("/news".into()),
            next: Some("a".into()),
            ..ListSelectors::default()
        };
        assert_eq!(t.problems().len(), 2, "{:?}", t.problems());
    }

    #[test]
    fn many_items_are_capped() {
        let mut html = String::from("<ul>");
        for i in 0..(MAX_ITEMS + 50) {
            html.push_str(&format!("<li><a href=\"/n/{i}\">N {i}</a></li>"));
        }
        let s = ListSelectors {
            item: "li".into(),
            ..ListSelectors::default()
        };
        let p = parse_list(&html, "https://x.example/", &s, now()).unwrap();
        assert_eq!(p.items.len(), MAX_ITEMS);
        assert!(p.counts.truncated);
    }
}
