//! Finding what to poll on a site (`branchwatch feeds discover URL`): the
//! feeds a page announces, the usual feed and sitemap paths, and, for a site
//! without any, a guess at the selectors of its news list. Pure functions of
//! a page's HTML; the CLI does the fetching.

use super::html_list::{self, ListSelectors};
use chrono::{DateTime, FixedOffset};
use scraper::{ElementRef, Html, Selector};
use std::collections::HashMap;

/// Feed paths worth trying on a site that announces none.
pub const COMMON_FEED_PATHS: &[&str] = &[
    "/rss",
    "/rss.xml",
    "/feed",
    "/feed/",
    "/atom.xml",
    "/feed.xml",
    "/index.xml",
    "/rss/news",
    "/news/rss",
    "/kk/rss",
    "/ru/rss",
];

/// Sitemap paths worth trying besides those robots.txt names.
pub const COMMON_SITEMAP_PATHS: &[&str] =
    &["/sitemap.xml", "/news-sitemap.xml", "/sitemap_news.xml"];

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|_| unreachable!("static selector {s}"))
}

/// `<link rel="alternate">` feeds of a page, absolute, in page order.
pub fn feed_links(html: &str, page_url: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let base = url::Url::parse(page_url).ok();
    let mut out: Vec<String> = Vec::new();
    for l in doc.select(&sel("link[rel~=alternate][href]")) {
        let t = l.value().attr("type").unwrap_or("").to_ascii_lowercase();
        if !(t.contains("rss") || t.contains("atom") || t.contains("feed+json")) {
            continue;
        }
        if let Some(u) = l
            .value()
            .attr("href")
            .and_then(|h| html_list::absolute(h, base.as_ref()))
        {
            if !out.contains(&u) {
                out.push(u);
            }
        }
    }
    out
}

/// `Sitemap:` lines of a robots.txt.
pub fn robots_sitemaps(robots: &str) -> Vec<String> {
    robots
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case("sitemap")
                .then(|| v.trim().to_string())
        })
        .filter(|v| v.starts_with("http"))
        .collect()
}

/// How many `<loc>` entries a sitemap (or sitemap index) lists; `None` when
/// the text is not a sitemap.
pub fn sitemap_entries(xml: &str) -> Option<usize> {
    (xml.contains("<urlset") || xml.contains("<sitemapindex")).then(|| xml.matches("<loc>").count())
}

/// A guess at the news list of a page without a feed: the most repeated
/// element (tag and first class) that holds a link into the site and a
/// headline's worth of text, with the date and lead it usually contains.
/// Only a guess that [`html_list::parse_list`] can read is returned.
pub fn guess_list(html: &str, page_url: &str, now: DateTime<FixedOffset>) -> Option<ListSelectors> {
    let doc = Html::parse_document(html);
    let base = url::Url::parse(page_url).ok()?;
    let mut groups: HashMap<String, Vec<ElementRef<'_>>> = HashMap::new();
    for el in doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
    {
        let Some(class) = el.value().classes().next() else {
            continue;
        };
        if !class
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            continue;
        }
        if !holds_site_link(el, &base) {
            continue;
        }
        groups
            .entry(format!("{}.{class}", el.value().name()))
            .or_default()
            .push(el);
    }
    let (item, els) = groups
        .into_iter()
        .filter(|(_, els)| els.len() >= 3)
        .filter(|(_, els)| {
            let avg = els.iter().map(|e| text_len(*e)).sum::<usize>() / els.len();
            (20..=1200).contains(&avg)
        })
        // Most repeated; of equals, the one holding the most text (the item
        // around its headline link), then by name for a stable answer.
        .max_by_key(|(k, els)| {
            let text: usize = els.iter().map(|e| text_len(*e)).sum();
            (els.len(), text, std::cmp::Reverse(k.clone()))
        })?;
    let common = |candidates: &[&str]| {
        candidates.iter().find_map(|c| {
            let s = Selector::parse(c).ok()?;
            let n = els.iter().filter(|e| e.select(&s).next().is_some()).count();
            (n * 2 >= els.len()).then(|| c.to_string())
        })
    };
    let link = common(&["h2 a[href]", "h3 a[href]", "h4 a[href]", "a[href]"]);
    let guess = ListSelectors {
        item,
        title: link.clone(),
        link,
        date: common(&["time", "[class*=date]", "[class*=time]", "[class*=Date]"]),
        summary: common(&["p", "[class*=lead]", "[class*=desc]", "[class*=anons]"]),
        next: None,
        page_url: None,
    };
    html_list::parse_list(html, page_url, &guess, now)
        .ok()
        .map(|_| guess)
}

fn text_len(e: ElementRef<'_>) -> usize {
    e.text().map(|t| t.trim().chars().count()).sum()
}

/// Whether the element has a link to another page of the same site.
fn holds_site_link(el: ElementRef<'_>, base: &url::Url) -> bool {
    static A: once_cell::sync::Lazy<Selector> = once_cell::sync::Lazy::new(|| sel("a[href]"));
    let links = std::iter::once(el)
        .filter(|e| e.value().name() == "a")
        .chain(el.select(&A));
    links
        .filter_map(|a| a.value().attr("href"))
        .filter_map(|h| base.join(h).ok())
        .any(|u| u.host_str() == base.host_str() && u.path() != base.path() && u.path().len() > 1)
}

/// A `[[feeds]]` entry for a guessed list, as TOML to paste into the config.
pub fn toml_entry(name: &str, url: &str, s: &ListSelectors) -> String {
    let q = |v: &str| format!("{v:?}");
    let mut out = format!(
        "[[feeds]]\nname = {}\nkind = \"html\"\nurl = {}\n\n[feeds.select]\n",
        q(name),
        q(url)
    );
    for (field, v) in s.named() {
        out.push_str(&format!("{field} = {}\n", q(v)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announced_feeds_sitemaps_and_a_guessed_list() {
        let page = r#"<html><head>
            <link rel="alternate" type="application/rss+xml" href="/rss.xml">
            <link rel="alternate" hreflang="kk" href="/kk/">
            <link rel="alternate" type="application/atom+xml" href="https://x.example/atom">
            </head><body>
            <nav><a class="menu" href="/kk/">Басты</a><a class="menu" href="/ru/">Рус</a><a class="menu" href="/en/">Eng</a></nav>
            <div class="news-card"><h3><a href="/kk/news/3">Облыстық филиалдың жаңа төрағасы сайланды</a></h3><span class="news-card__date">Бүгін, 10:00</span></div>
            <div class="news-card"><h3><a href="/kk/news/2">Жастар қанатының форумы өтті</a></h3><span class="news-card__date">Кеше</span></div>
            <div class="news-card"><h3><a href="/kk/news/1">Депутаттар тұрғындармен кездесті</a></h3><span class="news-card__date">12 наурыз 2025</span></div>
            </body></html>"#;
        assert_eq!(
            feed_links(page, "https://x.example/kk/news"),
            ["https://x.example/rss.xml", "https://x.example/atom"]
        );
        assert_eq!(
            robots_sitemaps("User-agent: *\nSitemap: https://x.example/sitemap.xml\n"),
            ["https://x.example/sitemap.xml"]
        );
        assert_eq!(
            sitemap_entries("<urlset><url><loc>a</loc></url><url><loc>b</loc></url></urlset>"),
            Some(2)
        );
        let now = DateTime::parse_from_rfc3339("2025-03-14T11:00:00+05:00").unwrap();
        let g = guess_list(page, "https://x.example/kk/news", now).expect("a guess");
        assert_eq!(g.item, "div.news-card");
        assert_eq!(g.link.as_deref(), Some("h3 a[href]"));
        assert_eq!(g.date.as_deref(), Some("[class*=date]"));
        let toml = toml_entry("x-news", "https://x.example/kk/news", &g);
        assert!(toml.contains("item = \"div.news-card\""), "{toml}");
        assert!(guess_list("<p>no list here</p>", "https://x.example/", now).is_none());
    }
}
