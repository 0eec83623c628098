//! The generic main-content extractor used when no site rule applies.
//!
//! Two maintained crates are run and their outputs compared, rather than a
//! hand-written readability clone: `rs-trafilatura` (trafilatura's
//! heuristics) and `dom_smoothie` (a readability.js port). Trafilatura has the
//! better recall, but when its main pass fails it falls back to large parts of
//! the page (lists of related headlines, tag clouds, archives). Readability's
//! pick is then usually the article alone, and it is contained in
//! trafilatura's text. So: when trafilatura's text is much longer than
//! readability's and contains most of it, readability's is taken. The
//! benchmark figures are in the module doc of `article`.

use super::shape;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Which generic extractor to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GenericEngine {
    /// `rs-trafilatura` alone.
    Trafilatura,
    /// `dom_smoothie` (readability.js algorithm) alone.
    Readability,
    /// Both, trafilatura unless it is much longer and contains readability's text.
    #[default]
    Combined,
}

/// trafilatura's text must be this many times longer (in words) than readability's …
const LONGER_RATIO: f64 = 1.5;
/// … and contain at least this share of readability's 4-word shingles …
const MIN_CONTAINMENT: f64 = 0.8;
/// … and readability's text must have at least this many words.
const MIN_READABILITY_WORDS: usize = 50;

pub(crate) fn extract(html: &str, url: Option<&str>, engine: GenericEngine) -> Vec<String> {
    match engine {
        GenericEngine::Trafilatura => trafilatura(html, url),
        GenericEngine::Readability => readability(html, url),
        GenericEngine::Combined => {
            let t = trafilatura(html, url);
            let r = readability(html, url);
            choose(t, r)
        }
    }
}

fn choose(traf: Vec<String>, read: Vec<String>) -> Vec<String> {
    if traf.is_empty() {
        return read;
    }
    let tw = words(&traf);
    let rw = words(&read);
    if rw.len() >= MIN_READABILITY_WORDS
        && tw.len() as f64 > LONGER_RATIO * rw.len() as f64
        && containment(&tw, &rw) >= MIN_CONTAINMENT
    {
        read
    } else {
        traf
    }
}

fn words(paras: &[String]) -> Vec<String> {
    paras
        .iter()
        .flat_map(|p| p.split(|c: char| !c.is_alphanumeric() && c != '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Share of `inner`'s 4-word shingles (as a multiset) also found in `outer`.
fn containment(outer: &[String], inner: &[String]) -> f64 {
    if inner.len() < 4 {
        return 0.0;
    }
    let mut have: HashMap<&[String], usize> = HashMap::new();
    for w in outer.windows(4) {
        *have.entry(w).or_default() += 1;
    }
    let mut hit = 0usize;
    let total = inner.len() - 3;
    for w in inner.windows(4) {
        if let Some(n) = have.get_mut(w) {
            if *n > 0 {
                *n -= 1;
                hit += 1;
            }
        }
    }
    hit as f64 / total as f64
}

/// A panic inside a third-party extractor on odd input must not take down
/// the pipeline worker; it counts as "found nothing".
fn guarded<T: Default>(what: &str, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        tracing::warn!(extractor = what, "extractor panicked; treating as empty");
        T::default()
    })
}

fn trafilatura(html: &str, url: Option<&str>) -> Vec<String> {
    guarded("rs-trafilatura", || {
        let opts = rs_trafilatura::Options {
            url: url.map(str::to_string),
            include_comments: false,
            include_images: false,
            ..Default::default()
        };
        match rs_trafilatura::extract_with_options(html, &opts) {
            // `content_text` rather than `content_html`: the HTML keeps the
            // headline, image credits and gallery controls that the text
            // leaves out (F1 0.956 vs 0.950 on the benchmark).
            Ok(r) => shape::plain_paragraphs(&r.content_text),
            Err(_) => Vec::new(),
        }
    })
}

fn readability(html: &str, url: Option<&str>) -> Vec<String> {
    guarded("dom_smoothie", || {
        let cfg = dom_smoothie::Config {
            text_mode: dom_smoothie::TextMode::Formatted,
            ..Default::default()
        };
        let url = url.filter(|u| u.starts_with("http://") || u.starts_with("https://"));
        match dom_smoothie::Readability::new(html, url, Some(cfg)).and_then(|mut r| r.parse()) {
            Ok(a) => shape::html_fragment_paragraphs(&a.content),
            Err(_) => Vec::new(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paras(s: &str) -> Vec<String> {
        s.split('\n').map(str::to_string).collect()
    }

    #[test]
    fn containment_counts_shared_shingles() {
        let a = words(&paras("one two three four five six"));
        let b = words(&paras("two three four five"));
        assert!((containment(&a, &b) - 1.0).abs() < 1e-9);
        let c = words(&paras("seven eight nine ten"));
        assert_eq!(containment(&a, &c), 0.0);
    }

    #[test]
    fn readability_wins_only_when_contained_and_much_shorter() {
        let article: String = (0..60).map(|i| format!("w{i} ")).collect();
        let junk: String = (0..100).map(|i| format!("j{i} ")).collect();
        let traf = paras(&format!("{article}\n{junk}"));
        let read = paras(&article);
        assert_eq!(choose(traf.clone(), read.clone()), read);
        // Not contained: keep trafilatura.
        let other: String = (0..60).map(|i| format!("x{i} ")).collect();
        assert_eq!(choose(traf.clone(), paras(&other)), traf);
        // Too short to trust: keep trafilatura.
        assert_eq!(choose(traf.clone(), paras("w1 w2 w3 w4 w5")), traf);
    }
}
