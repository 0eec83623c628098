//! Finding a site's archived articles: robots.txt `Sitemap:` lines (else the
//! usual sitemap paths), sitemap indexes followed to their monthly files,
//! gzip and news sitemaps, and WordPress-style paged feeds (`?paged=N`).
//!
//! Everything goes through the shared [`Fetcher`], so the per-host limits,
//! spacing, private-address guard and body limit of polling apply; sitemap
//! URLs are also checked against robots.txt when it is honoured. Knows no
//! SQL: what the store already has is filtered out by the caller.
//!
//! Bounds: each sitemap is at most [`sitemap::MAX_SITEMAP_BYTES`] inflated
//! and [`sitemap::MAX_SITEMAP_ENTRIES`] entries, at most
//! [`DiscoverOptions::max_sitemaps`] files are read, indexes are followed
//! [`MAX_INDEX_DEPTH`] levels deep, and at most
//! [`DiscoverOptions::max_urls`] URLs are kept (the rest is reported).

use super::sitemap::{self, Sitemap};
use crate::feed;
use crate::fetch::{FeedResponse, FetchError, Fetcher};
use crate::model::{ArchiveEntry, BackfillSpec, Validators};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{HashMap, HashSet, VecDeque};
use tracing::{debug, info};

/// Sitemap indexes pointing at indexes are followed this deep.
pub const MAX_INDEX_DEPTH: usize = 3;

/// Paths tried when robots.txt names no sitemap.
pub const USUAL_SITEMAPS: &[&str] = &[
    "/sitemap.xml",
    "/sitemap_index.xml",
    "/news-sitemap.xml",
    "/sitemap_news.xml",
    "/sitemap.xml.gz",
];

/// Why discovery could not start at all. Failures of single sitemaps or
/// feed pages are not errors: they are listed in [`Discovery::problems`].
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("invalid site {site:?}: {reason}")]
    InvalidSite { site: String, reason: String },
}

/// Limits and the date range of one discovery.
#[derive(Debug, Clone)]
pub struct DiscoverOptions {
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub max_urls: usize,
    pub max_sitemaps: usize,
    pub max_feed_pages: usize,
}

impl Default for DiscoverOptions {
    fn default() -> Self {
        DiscoverOptions {
            since: None,
            until: None,
            max_urls: 200_000,
            max_sitemaps: 2_000,
            max_feed_pages: 1_000,
        }
    }
}

impl DiscoverOptions {
    /// Whether a date lies in the range (both ends inclusive, UTC days).
    /// An entry without a date is kept: its page tells.
    pub fn in_range(&self, d: Option<DateTime<Utc>>) -> bool {
        let Some(day) = d.map(|d| d.date_naive()) else {
            return true;
        };
        self.since.is_none_or(|s| day >= s) && self.until.is_none_or(|u| day <= u)
    }

    /// Whether a sitemap last changed before the range starts, so none of
    /// its pages can be in it.
    fn predates(&self, lastmod: Option<DateTime<Utc>>) -> bool {
        matches!((self.since, lastmod), (Some(s), Some(l)) if l.date_naive() < s)
    }
}

/// What discovery found.
#[derive(Debug, Default, Clone)]
pub struct Discovery {
    /// In range, one per URL, in the order first found.
    pub entries: Vec<ArchiveEntry>,
    pub sitemaps_read: usize,
    /// Sitemaps an index dated before `since`, not fetched.
    pub sitemaps_skipped: usize,
    pub feed_pages_read: usize,
    /// URLs listed but outside the date range.
    pub out_of_range: usize,
    /// Whether `max_urls` cut the list short.
    pub truncated: bool,
    /// Sitemaps or feed pages that could not be read, with why.
    pub problems: Vec<String>,
}

/// Entries by URL: a URL listed twice (a monthly sitemap and the news
/// sitemap, a feed page) keeps every fact any listing gave.
#[derive(Default)]
struct Found {
    order: Vec<String>,
    by_url: HashMap<String, ArchiveEntry>,
}

impl Found {
    fn add(&mut self, e: ArchiveEntry, max: usize) -> bool {
        if let Some(old) = self.by_url.get_mut(&e.url) {
            old.title = old.title.take().or(e.title);
            old.published = old.published.or(e.published);
            old.lastmod = old.lastmod.or(e.lastmod);
            return true;
        }
        if self.order.len() >= max {
            return false;
        }
        self.order.push(e.url.clone());
        self.by_url.insert(e.url.clone(), e);
        true
    }
}

/// The origin of a `--site` value: `example.kz` means `https://example.kz`.
pub fn site_origin(site: &str) -> Result<url::Url, DiscoverError> {
    let s = site.trim().trim_end_matches('/');
    let with_scheme = if s.contains("://") {
        s.to_string()
    } else {
        format!("https://{s}")
    };
    let bad = |reason: &str| DiscoverError::InvalidSite {
        site: site.to_string(),
        reason: reason.to_string(),
    };
    let u = url::Url::parse(&with_scheme).map_err(|e| bad(&e.to_string()))?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
        return Err(bad("give a host name or an http(s) origin"));
    }
    let mut origin = u.clone();
    origin.set_path("/");
    origin.set_query(None);
    origin.set_fragment(None);
    Ok(origin)
}

/// Reads the site's sitemaps and, when asked or when they give nothing,
/// its paged feed.
pub async fn discover(
    fetcher: &Fetcher,
    spec: &BackfillSpec,
    opts: &DiscoverOptions,
) -> Result<Discovery, DiscoverError> {
    let origin = site_origin(&spec.site)?;
    let mut out = Discovery::default();
    let mut found = Found::default();
    let roots = match &spec.sitemap {
        Some(s) => vec![s.clone()],
        None => sitemap_roots(fetcher, &origin).await,
    };
    read_sitemaps(fetcher, roots, opts, &mut out, &mut found).await;
    let feed_url = match &spec.feed_pages {
        Some(f) => Some(f.clone()),
        None if found.order.is_empty() => origin.join("/feed/").ok().map(|u| u.to_string()),
        None => None,
    };
    if let Some(f) = feed_url {
        read_feed_pages(fetcher, &f, opts, &mut out, &mut found).await;
    }
    out.entries = found
        .order
        .iter()
        .filter_map(|u| found.by_url.remove(u))
        .collect();
    info!(
        urls = out.entries.len(),
        sitemaps = out.sitemaps_read,
        skipped = out.sitemaps_skipped,
        feed_pages = out.feed_pages_read,
        out_of_range = out.out_of_range,
        "discovery done"
    );
    Ok(out)
}

/// robots.txt `Sitemap:` lines, else the usual paths.
async fn sitemap_roots(fetcher: &Fetcher, origin: &url::Url) -> Vec<String> {
    let mut roots = Vec::new();
    if let Ok(robots) = origin.join("/robots.txt") {
        match fetcher
            .fetch_feed(robots.as_str(), &Validators::default())
            .await
        {
            Ok(FeedResponse::Fetched { text, .. }) => {
                roots.extend(feed::discover::robots_sitemaps(&text))
            }
            Ok(_) => {}
            Err(e) => debug!(error = %e, "no robots.txt"),
        }
    }
    if roots.is_empty() {
        roots.extend(
            USUAL_SITEMAPS
                .iter()
                .filter_map(|p| origin.join(p).ok())
                .map(|u| u.to_string()),
        );
    }
    roots
}

/// Fetches one sitemap file (robots.txt permitting) as XML bytes.
async fn fetch_sitemap(fetcher: &Fetcher, url: &str) -> Result<Sitemap, String> {
    if !fetcher
        .robots_allowed(url)
        .await
        .map_err(|e| e.to_string())?
    {
        return Err("disallowed by robots.txt".into());
    }
    let body = match fetcher.fetch_sitemap(url, sitemap::MAX_SITEMAP_BYTES).await {
        Ok(FeedResponse::Fetched { body, .. }) => body,
        Ok(FeedResponse::NotModified { .. }) => return Err("304 without validators".into()),
        Err(e) => return Err(e.to_string()),
    };
    let xml = sitemap::inflate(&body, sitemap::MAX_SITEMAP_BYTES).map_err(|e| e.to_string())?;
    sitemap::parse(&xml).map_err(|e| e.to_string())
}

async fn read_sitemaps(
    fetcher: &Fetcher,
    roots: Vec<String>,
    opts: &DiscoverOptions,
    out: &mut Discovery,
    found: &mut Found,
) {
    let mut queue: VecDeque<(String, usize)> = roots.into_iter().map(|r| (r, 0)).collect();
    let mut seen: HashSet<String> = HashSet::new();
    let root_count = queue.len();
    while let Some((url, depth)) = queue.pop_front() {
        if !seen.insert(url.clone()) {
            continue;
        }
        if out.sitemaps_read >= opts.max_sitemaps {
            out.problems.push(format!(
                "stopped after {} sitemaps (the limit); {url} and later ones not read",
                opts.max_sitemaps
            ));
            break;
        }
        let doc = match fetch_sitemap(fetcher, &url).await {
            Ok(d) => d,
            Err(e) => {
                // A guessed path that is not there is no problem worth reporting.
                if !(root_count > 1 && depth == 0 && e.contains("404")) {
                    out.problems.push(format!("{url}: {e}"));
                }
                continue;
            }
        };
        out.sitemaps_read += 1;
        match doc {
            Sitemap::Index(refs) if depth < MAX_INDEX_DEPTH => {
                for r in refs {
                    if opts.predates(r.lastmod) {
                        out.sitemaps_skipped += 1;
                    } else {
                        queue.push_back((r.loc, depth + 1));
                    }
                }
            }
            Sitemap::Index(_) => out
                .problems
                .push(format!("{url}: index nested deeper than {MAX_INDEX_DEPTH}")),
            Sitemap::Urls(urls) => keep_in_range(urls, opts, out, found),
        }
    }
}

fn keep_in_range(
    entries: Vec<ArchiveEntry>,
    opts: &DiscoverOptions,
    out: &mut Discovery,
    found: &mut Found,
) {
    for e in entries {
        if !opts.in_range(e.date()) {
            out.out_of_range += 1;
        } else if !found.add(e, opts.max_urls) {
            out.truncated = true;
        }
    }
}

/// `feed` with `paged=N` set (WordPress's archive paging).
pub fn paged_url(feed: &str, page: usize) -> Result<String, FetchError> {
    let mut u = url::Url::parse(feed).map_err(|e| FetchError::InvalidUrl {
        url: feed.to_string(),
        reason: e.to_string(),
    })?;
    let kept: Vec<(String, String)> = u
        .query_pairs()
        .filter(|(k, _)| k != "paged")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    u.query_pairs_mut()
        .clear()
        .extend_pairs(kept)
        .append_pair("paged", &page.to_string());
    Ok(u.to_string())
}

/// Pages through a feed, newest first, until a page is missing or empty,
/// or every item on a page predates `since`.
async fn read_feed_pages(
    fetcher: &Fetcher,
    feed_url: &str,
    opts: &DiscoverOptions,
    out: &mut Discovery,
    found: &mut Found,
) {
    for page in 1..=opts.max_feed_pages {
        let url = match paged_url(feed_url, page) {
            Ok(u) => u,
            Err(e) => {
                out.problems.push(e.to_string());
                return;
            }
        };
        let (text, final_url) = match fetcher.fetch_feed(&url, &Validators::default()).await {
            Ok(FeedResponse::Fetched {
                text, final_url, ..
            }) => (text, final_url),
            Ok(FeedResponse::NotModified { .. }) => return,
            // WordPress answers 404 past the last page.
            Err(FetchError::Status { code: 404, .. }) if page > 1 => return,
            Err(e) => {
                out.problems.push(format!("{url}: {e}"));
                return;
            }
        };
        let parsed = match feed::parse_str(&text, &final_url) {
            Ok(p) => p,
            Err(e) => {
                out.problems.push(format!("{url}: {e}"));
                return;
            }
        };
        out.feed_pages_read += 1;
        if parsed.items.is_empty() {
            return;
        }
        let all_older = opts.since.is_some()
            && parsed.items.iter().all(|i| {
                i.published
                    .is_some_and(|p| opts.since.is_some_and(|s| p.date_naive() < s))
            });
        let entries = parsed
            .items
            .into_iter()
            .filter_map(|i| {
                Some(ArchiveEntry {
                    url: i.link?,
                    title: i.title,
                    published: i.published,
                    lastmod: None,
                })
            })
            .collect();
        keep_in_range(entries, opts, out, found);
        if all_older {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_values_become_origins() {
        assert_eq!(
            site_origin("example.kz").unwrap().as_str(),
            "https://example.kz/"
        );
        assert_eq!(
            site_origin("http://127.0.0.1:8080/news/").unwrap().as_str(),
            "http://127.0.0.1:8080/"
        );
        assert!(site_origin("ftp://x.kz").is_err());
        assert!(site_origin("").is_err());
    }

    #[test]
    fn paging_replaces_an_existing_page_number() {
        assert_eq!(
            paged_url("https://x.kz/feed/", 3).unwrap(),
            "https://x.kz/feed/?paged=3"
        );
        assert_eq!(
            paged_url("https://x.kz/?feed=rss2&paged=9", 2).unwrap(),
            "https://x.kz/?feed=rss2&paged=2"
        );
    }

    #[test]
    fn range_is_inclusive_and_undated_entries_stay() {
        let o = DiscoverOptions {
            since: NaiveDate::from_ymd_opt(2025, 1, 1),
            until: NaiveDate::from_ymd_opt(2025, 12, 31),
            ..DiscoverOptions::default()
        };
        let at = |s: &str| Some(s.parse::<DateTime<Utc>>().unwrap());
        assert!(o.in_range(at("2025-01-01T00:00:00Z")));
        assert!(o.in_range(at("2025-12-31T23:59:59Z")));
        assert!(!o.in_range(at("2024-12-31T23:59:59Z")));
        assert!(!o.in_range(at("2026-01-01T00:00:00Z")));
        assert!(o.in_range(None));
        assert!(o.predates(at("2024-12-31T00:00:00Z")));
        assert!(!o.predates(at("2025-01-01T00:00:00Z")));
        assert!(!o.predates(None));
    }

    #[test]
    fn a_url_listed_twice_keeps_every_fact() {
        let mut f = Found::default();
        let e = |title: Option<&str>, lastmod: Option<&str>| ArchiveEntry {
            url: "https://x.kz/a".into(),
            title: title.map(String::from),
            published: None,
            lastmod: lastmod.map(|s| s.parse().unwrap()),
        };
        assert!(f.add(e(None, Some("2025-01-01T00:00:00Z")), 10));
        assert!(f.add(e(Some("T"), None), 10));
        assert_eq!(f.order.len(), 1);
        let got = &f.by_url["https://x.kz/a"];
        assert_eq!(got.title.as_deref(), Some("T"));
        assert!(got.lastmod.is_some());
        let mut g = Found::default();
        assert!(!g.add(e(None, None), 0));
    }
}
