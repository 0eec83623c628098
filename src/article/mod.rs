//! Article stage: an HTML page → [`crate::model::Article`] (main text,
//! title, canonical URL, publication date, language, outlet).
//!
//! Flow of [`extract`]:
//! 1. `guard` pre-pass: refuse input above `max_input_bytes`, drop
//!    scripts/styles/comments, flatten nesting deeper than `max_depth`, trim
//!    to `max_html_bytes`. Linear and allocation-bounded, so a hostile page
//!    cannot make the parsers below slow, deep-recursive or huge.
//! 2. Metadata from the untouched document (meta tags, JSON-LD, `<time>`).
//! 3. A [`SiteRule`] for the host, if any: its `remove` selectors are
//!    detached, then its `content` selectors pick the body. If they match
//!    nothing, or no rule applies, the generic extractor runs.
//! 4. Text shaping: paragraphs separated by `\n`, whitespace and soft
//!    hyphens normalised, entities decoded, NFC. Language from the text
//!    ([`crate::text::identify_lang`]); the page's `lang` only breaks a tie.
//!
//! ## Choice of the generic extractor
//!
//! Measured on `../shared/extraction-benchmark/` (181 pages, its `score.py`),
//! release build, one thread, all three engines in the same run through
//! [`run_benchmark_with`] (2026-11-26; pages/s cover the whole of
//! [`extract`]: pre-pass, metadata, extraction, shaping):
//!
//! | candidate ([`GenericEngine`]) | F1 | precision | recall | pages/s |
//! |---|---|---|---|---|
//! | `Trafilatura` (rs-trafilatura 0.2.2) | 0.956 | 0.925 | 0.990 | 28.9 |
//! | `Readability` (dom_smoothie 0.19) | 0.953 | 0.919 | 0.988 | 85.1 |
//! | **`Combined`** (default) | **0.967** | 0.945 | 0.990 | 22.2 |
//!
//! The machine is shared (2 cores, load average 11 during that run), so
//! pages/s are pessimistic: an earlier run at lower load gave 92 / 295 / 76
//! pages/s for the same three. The crates called directly on the raw pages
//! (no pre-pass, their own text output) scored: rs-trafilatura 0.956 at 35
//! pages/s, dom_smoothie 0.951 at 176 pages/s, dom_smoothie's own candidate
//! mode 0.949, rs-trafilatura with `favor_precision` 0.946.
//!
//! For reference, score.py's published table: rs_trafilatura 0.970,
//! trafilatura (Python) 0.958, readability.js 0.947. rs-trafilatura 0.2.2 as
//! published on crates.io scores 0.956 here, not 0.970; its misses are pages
//! where its fallback takes whole page sections (headline lists, tag clouds,
//! archives). The combination (see `generic.rs`) repairs most of those and is
//! the default; it costs a second parse per page.
//!
//! To re-measure: [`run_benchmark_with`] once per engine (the CLI's benchmark
//! mode runs [`run_benchmark`]), then
//! `python3 ../shared/extraction-benchmark/score.py PREDICTIONS.json`.

mod benchmark;
pub(crate) mod dates;
mod generic;
pub(crate) mod guard;
mod meta;
mod rules;
mod shape;

pub use benchmark::{run_benchmark, run_benchmark_with, BenchmarkReport};
pub use generic::GenericEngine;
pub use rules::{rule_for_host, shipped_site_rules, SiteRule};

use crate::model::Article;
use chrono::FixedOffset;
use scraper::{ElementRef, Html};
use std::collections::HashSet;
use std::path::PathBuf;

/// UTC+5, evaluated at compile time.
const KAZAKHSTAN: FixedOffset = match FixedOffset::east_opt(5 * 3600) {
    Some(o) => o,
    None => panic!("UTC+5 is a valid offset"),
};

/// Limits and choices for [`extract`].
#[derive(Debug, Clone, PartialEq)]
pub struct ExtractOptions {
    /// Pages larger than this are refused outright ([`ExtractError::TooLarge`]).
    pub max_input_bytes: usize,
    /// After scripts, styles and comments are dropped, HTML beyond this many
    /// bytes is cut off (the article body comes early on news pages).
    pub max_html_bytes: usize,
    /// Elements nested deeper than this are flattened: their tags are
    /// dropped, their text kept.
    pub max_depth: usize,
    /// Which generic extractor runs when no site rule applies.
    pub generic: GenericEngine,
    /// Offset for dates the page writes without one. Kazakhstan has used a
    /// single zone, UTC+5, since 1 March 2024.
    pub local_offset: FixedOffset,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        Self {
            max_input_bytes: 32 << 20,
            max_html_bytes: 4 << 20,
            max_depth: 256,
            generic: GenericEngine::Combined,
            local_offset: KAZAKHSTAN,
        }
    }
}

/// What can go wrong in this stage.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("page is {size} bytes, above the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("no article text found in {url}")]
    NoText { url: String },
    #[error("site rule for {host:?}: invalid CSS selector {selector:?}")]
    BadSelector { host: String, selector: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("benchmark data {path}: {reason}")]
    Benchmark { path: PathBuf, reason: String },
}

/// Checks that every selector in `rules` parses, so a config error surfaces
/// at startup rather than as a silently skipped rule.
pub fn validate_rules(rules: &[SiteRule]) -> Result<(), ExtractError> {
    for r in rules {
        let all = r
            .content
            .iter()
            .chain(&r.remove)
            .chain(r.title.iter())
            .chain(r.published.iter());
        for s in all {
            if meta::sel(s).is_none() {
                return Err(ExtractError::BadSelector {
                    host: r.host.clone(),
                    selector: s.clone(),
                });
            }
        }
        if r.content.is_empty() {
            return Err(ExtractError::BadSelector {
                host: r.host.clone(),
                selector: String::new(),
            });
        }
    }
    Ok(())
}

/// Extracts the article from `html` fetched from `url`.
///
/// `rules` are the configured site rules (see [`rule_for_host`] for
/// matching). Returns [`ExtractError::NoText`] when no article text is found
/// (a video or gallery page); the caller may fall back to the feed summary.
/// The feed's date is the caller's fallback when `published` is `None`.
pub fn extract(
    html: &str,
    url: &str,
    rules: &[SiteRule],
    opts: &ExtractOptions,
) -> Result<Article, ExtractError> {
    if html.len() > opts.max_input_bytes {
        return Err(ExtractError::TooLarge {
            size: html.len(),
            limit: opts.max_input_bytes,
        });
    }
    let prepared = guard::prepare(html, opts.max_html_bytes, opts.max_depth);
    if prepared.trimmed || prepared.flattened > 0 {
        tracing::debug!(
            url,
            trimmed = prepared.trimmed,
            flattened = prepared.flattened,
            depth = prepared.max_depth_seen,
            "page reduced to the configured limits"
        );
    }
    let base = url::Url::parse(url).ok();
    let host = base.as_ref().and_then(|u| u.host_str()).map(str::to_string);
    let mut doc = Html::parse_document(&prepared.html);
    let rule = host.as_deref().and_then(|h| rule_for_host(rules, h));

    // Metadata first: rule removals may delete <script> (JSON-LD) or <time>.
    let ld = meta::json_ld_objects(&doc);
    let rule_title = rule
        .and_then(|r| r.title.as_deref())
        .and_then(|s| meta::first_text(&doc, s));
    let title = rule_title.or_else(|| meta::title(&doc, &ld));
    let rule_date = rule.and_then(|r| r.published.as_deref()).and_then(|s| {
        let sel = meta::sel(s)?;
        doc.select(&sel)
            .take(5)
            .find_map(|e| meta::element_date(e, opts.local_offset))
    });
    let published = rule_date.or_else(|| meta::published(&doc, &ld, opts.local_offset));
    let canonical_url = meta::canonical(&doc, base.as_ref());
    let outlet = meta::outlet(&doc, host.as_deref());
    let claimed = meta::claimed_lang(&doc);

    let generic_url = base.as_ref().map(|u| u.as_str());
    let paragraphs = match rule {
        Some(r) => {
            let paras = apply_rule(&mut doc, r);
            if paras.is_empty() {
                // Removals still help the generic extractor.
                generic::extract(&doc.html(), generic_url, opts.generic)
            } else {
                paras
            }
        }
        // Markup that html5ever nests deeper than the limit even after the
        // guard (unclosed <table><tr><td><p> runs: each table opens inside
        // the previous cell) makes both generic engines superlinear: seconds
        // for a 250 KB page. Such a page gets its visible text, read in one
        // linear pass, instead of a guess at its main block.
        None if dom_depth(&doc) > opts.max_depth => flat_text(&doc),
        None => generic::extract(&prepared.html, generic_url, opts.generic),
    };
    // The headline is `title`; a paragraph that only repeats it (an extractor
    // that fell back to the page's <title>/<h1>) is not body text.
    let paragraphs: Vec<String> = match title.as_deref() {
        Some(t) if !t.is_empty() => paragraphs
            .into_iter()
            .filter(|p| !p.replace(t, "").trim().is_empty())
            .collect(),
        _ => paragraphs,
    };
    let text = shape::join_paragraphs(&paragraphs);
    if text.is_empty() {
        return Err(ExtractError::NoText {
            url: url.to_string(),
        });
    }
    let lang = crate::text::identify_lang(&text).or(claimed);
    Ok(Article {
        url: url.to_string(),
        canonical_url,
        title,
        text,
        published,
        lang,
        outlet,
    })
}

/// Depth of the parsed tree, without recursion.
fn dom_depth(doc: &Html) -> usize {
    let mut max = 0;
    let mut stack = vec![(doc.tree.root(), 0usize)];
    while let Some((node, depth)) = stack.pop() {
        max = max.max(depth);
        stack.extend(node.children().map(|c| (c, depth + 1)));
    }
    max
}

/// All text of the page in document order as one paragraph.
fn flat_text(doc: &Html) -> Vec<String> {
    let text: String = doc.root_element().text().collect::<Vec<_>>().join(" ");
    let text = crate::text::collapse_whitespace(&text);
    if text.is_empty() {
        Vec::new()
    } else {
        vec![text]
    }
}

/// Detaches the rule's `remove` matches (never an element that holds the
/// content, so a broad `[class*="comment"]` cannot delete the article with a
/// `<body class="comments-open">`), then returns the paragraphs of the first
/// content selector that yields text.
fn apply_rule(doc: &mut Html, rule: &SiteRule) -> Vec<String> {
    let content_sels: Vec<_> = rule.content.iter().filter_map(|s| meta::sel(s)).collect();
    let mut protect = HashSet::new();
    for s in &content_sels {
        for e in doc.select(s) {
            protect.insert(e.id());
            protect.extend(e.ancestors().map(|a| a.id()));
        }
    }
    let mut doomed = Vec::new();
    for s in rule.remove.iter().filter_map(|s| meta::sel(s)) {
        doomed.extend(
            doc.select(&s)
                .map(|e| e.id())
                .filter(|id| !protect.contains(id)),
        );
    }
    for id in doomed {
        if let Some(mut n) = doc.tree.get_mut(id) {
            n.detach();
        }
    }
    for s in &content_sels {
        let matched: Vec<ElementRef<'_>> = doc.select(s).collect();
        let ids: HashSet<_> = matched.iter().map(|e| e.id()).collect();
        let mut paras = Vec::new();
        for e in &matched {
            // A match nested in another match is already covered.
            if e.ancestors().any(|a| ids.contains(&a.id())) {
                continue;
            }
            shape::element_paragraphs(*e, &mut paras);
        }
        if !paras.is_empty() {
            return paras;
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests;
