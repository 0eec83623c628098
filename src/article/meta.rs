//! Page metadata: title, canonical URL, publication date, outlet name.
//!
//! Sources are tried from the most to the least deliberate: what a site rule
//! names, then Open Graph / article meta tags, then JSON-LD (`NewsArticle`
//! and kin, also inside `@graph`), then the visible page (`<time>`, `<h1>`,
//! `<title>`).

use super::dates::parse_date;
use super::shape::normalize_line;
use chrono::{DateTime, FixedOffset};
use scraper::{ElementRef, Html, Selector};
use serde_json::Value;

pub(crate) fn sel(s: &str) -> Option<Selector> {
    Selector::parse(s).ok()
}

fn meta_content(doc: &Html, selectors: &[&str]) -> Option<String> {
    selectors.iter().find_map(|s| {
        let sel = sel(s)?;
        doc.select(&sel)
            .filter_map(|e| e.value().attr("content"))
            .map(normalize_line)
            .find(|v| !v.is_empty())
    })
}

/// Every JSON-LD object on the page, flattened out of arrays and `@graph`.
pub(crate) fn json_ld_objects(doc: &Html) -> Vec<Value> {
    let Some(s) = sel(r#"script[type="application/ld+json"]"#) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for script in doc.select(&s) {
        let raw: String = script.text().collect();
        // Some CMSs emit raw newlines inside JSON strings; they are invalid JSON.
        let parsed = serde_json::from_str::<Value>(raw.trim())
            .or_else(|_| serde_json::from_str::<Value>(&raw.replace(['\n', '\r', '\t'], " ")));
        let Ok(v) = parsed else { continue };
        let mut stack = vec![v];
        while let Some(v) = stack.pop() {
            match v {
                Value::Array(a) => stack.extend(a),
                Value::Object(mut o) => {
                    if let Some(g) = o.remove("@graph") {
                        stack.push(g);
                    }
                    out.push(Value::Object(o));
                }
                _ => {}
            }
            if out.len() > 200 {
                break;
            }
        }
    }
    out
}

fn is_article_type(v: &Value) -> bool {
    let is = |t: &str| t.ends_with("Article") || t == "BlogPosting" || t == "Report";
    match v.get("@type") {
        Some(Value::String(t)) => is(t),
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).any(is),
        _ => false,
    }
}

fn ld_string(objs: &[Value], key: &str) -> Option<String> {
    objs.iter()
        .filter(|o| is_article_type(o))
        .find_map(|o| o.get(key).and_then(Value::as_str))
        .map(normalize_line)
        .filter(|s| !s.is_empty())
}

pub(crate) fn title(doc: &Html, ld: &[Value]) -> Option<String> {
    meta_content(
        doc,
        &[
            r#"meta[property="og:title"]"#,
            r#"meta[name="twitter:title"]"#,
        ],
    )
    .or_else(|| ld_string(ld, "headline"))
    .or_else(|| first_text(doc, "h1"))
    .or_else(|| first_text(doc, "title"))
}

pub(crate) fn first_text(doc: &Html, selector: &str) -> Option<String> {
    let s = sel(selector)?;
    doc.select(&s).map(element_text).find(|t| !t.is_empty())
}

pub(crate) fn element_text(e: ElementRef<'_>) -> String {
    normalize_line(&e.text().collect::<String>())
}

pub(crate) fn canonical(doc: &Html, base: Option<&url::Url>) -> Option<String> {
    let link = sel(r#"link[rel~="canonical"]"#).and_then(|s| {
        doc.select(&s)
            .find_map(|e| e.value().attr("href").map(str::to_string))
    });
    let raw = link.or_else(|| meta_content(doc, &[r#"meta[property="og:url"]"#]))?;
    let raw = raw.trim();
    let abs = match base {
        Some(b) => b.join(raw).ok()?,
        None => url::Url::parse(raw).ok()?,
    };
    matches!(abs.scheme(), "http" | "https").then(|| abs.to_string())
}

pub(crate) fn published(
    doc: &Html,
    ld: &[Value],
    local: FixedOffset,
) -> Option<DateTime<FixedOffset>> {
    let metas = [
        r#"meta[property="article:published_time"]"#,
        r#"meta[name="article:published_time"]"#,
        r#"meta[itemprop="datePublished"]"#,
        r#"meta[property="og:published_time"]"#,
        r#"meta[name="pubdate"]"#,
        r#"meta[name="publishdate"]"#,
        r#"meta[name="publish-date"]"#,
        r#"meta[name="parsely-pub-date"]"#,
        r#"meta[name="sailthru.date"]"#,
        r#"meta[name="DC.date.issued"]"#,
        r#"meta[name="dcterms.created"]"#,
        r#"meta[name="date"]"#,
    ];
    for m in metas {
        if let Some(d) = meta_content(doc, &[m]).and_then(|v| parse_date(&v, local)) {
            return Some(d);
        }
    }
    if let Some(d) = ld_string(ld, "datePublished")
        .or_else(|| ld_string(ld, "dateCreated"))
        .and_then(|v| parse_date(&v, local))
    {
        return Some(d);
    }
    // Visible markup: itemprop on any element, then the first <time> inside
    // an <article>, then any <time>.
    for s in [
        "[itemprop=\"datePublished\"]",
        "article time[datetime]",
        "time[datetime]",
        "time",
    ] {
        let Some(sel) = sel(s) else { continue };
        for e in doc.select(&sel).take(5) {
            if let Some(d) = element_date(e, local) {
                return Some(d);
            }
        }
    }
    None
}

/// A date from an element: its `datetime` or `content` attribute, else its text.
pub(crate) fn element_date(e: ElementRef<'_>, local: FixedOffset) -> Option<DateTime<FixedOffset>> {
    ["datetime", "content"]
        .iter()
        .find_map(|a| e.value().attr(a).and_then(|v| parse_date(v, local)))
        .or_else(|| parse_date(&element_text(e), local))
}

pub(crate) fn outlet(doc: &Html, host: Option<&str>) -> Option<String> {
    meta_content(
        doc,
        &[
            r#"meta[property="og:site_name"]"#,
            r#"meta[name="application-name"]"#,
        ],
    )
    .or_else(|| host.map(|h| h.strip_prefix("www.").unwrap_or(h).to_string()))
}

/// The `lang` the page claims on `<html>`, as a hint only.
pub(crate) fn claimed_lang(doc: &Html) -> Option<crate::model::Lang> {
    let lang = doc
        .root_element()
        .value()
        .attr("lang")?
        .to_ascii_lowercase();
    let primary = lang.split(['-', '_']).next()?;
    match primary {
        "kk" | "kz" => Some(crate::model::Lang::Kk),
        "ru" => Some(crate::model::Lang::Ru),
        "en" => Some(crate::model::Lang::En),
        _ => None,
    }
}
