//! A linear pre-pass over the raw HTML that runs before any parser sees it.
//!
//! html5ever (behind `scraper`, `dom_query`, `rs-trafilatura`, `dom_smoothie`)
//! spends time proportional to the open-element stack on many start tags, and
//! several extractors walk the tree recursively. A hostile or broken page with
//! 100,000 nested elements would therefore take minutes or overflow the stack.
//! This pass counts nesting with a tiny tag scanner, drops start/end tags that
//! would nest deeper than the limit (their text is kept, so the article is
//! "flattened" rather than lost), strips comments and non-JSON-LD scripts and
//! styles (they are never article text and are most of a large page's bytes),
//! and stops copying once the output reaches the byte limit.

/// Result of [`prepare`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Prepared {
    pub html: String,
    /// Deepest nesting the scanner saw (before flattening).
    pub max_depth_seen: usize,
    /// How many start tags were dropped because they nested too deep.
    pub flattened: usize,
    /// True when the output stopped at the byte limit.
    pub trimmed: bool,
}

/// Elements without content: never change depth.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "keygen", "command", "basefont", "bgsound", "frame", "image",
];

/// Elements whose end tag is optional and which the parser closes implicitly
/// when a sibling starts; counting them would overstate sloppy pages' depth.
const OPTIONAL_END: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "tbody", "thead", "tfoot", "option", "optgroup",
    "colgroup", "rb", "rt", "rtc", "rp", "html", "head", "body",
];

/// Elements whose content the parser reads as raw text up to the end tag.
const RAW_TEXT: &[&str] = &[
    "script",
    "style",
    "title",
    "textarea",
    "noscript",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "plaintext",
    "svg",
    "math",
];

pub(crate) fn prepare(html: &str, max_bytes: usize, max_depth: usize) -> Prepared {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len().min(max_bytes) + 16);
    let mut depth = 0usize;
    let mut max_depth_seen = 0usize;
    let mut flattened = 0usize;
    let mut trimmed = false;
    let mut i = 0usize;
    while i < bytes.len() {
        // Copy text up to the next '<' in one go.
        let next_lt = memchr(b'<', &bytes[i..]).map_or(bytes.len(), |p| i + p);
        if next_lt > i {
            if !push_capped(&mut out, &html[i..next_lt], max_bytes) {
                trimmed = true;
                break;
            }
            i = next_lt;
            continue;
        }
        // bytes[i] == b'<'
        let rest = &bytes[i..];
        if rest.starts_with(b"<!--") {
            i = find(rest, b"-->").map_or(bytes.len(), |p| i + p + 3);
            continue;
        }
        if rest.len() > 1 && (rest[1] == b'!' || rest[1] == b'?') {
            let end = memchr(b'>', rest).map_or(bytes.len(), |p| i + p + 1);
            if !push_capped(&mut out, &html[i..end], max_bytes) {
                trimmed = true;
                break;
            }
            i = end;
            continue;
        }
        let is_end = rest.len() > 1 && rest[1] == b'/';
        let name_start = i + if is_end { 2 } else { 1 };
        let name_end = bytes[name_start..]
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || *b == b'-' || *b == b':'))
            .map_or(bytes.len(), |p| name_start + p);
        if name_end == name_start || !bytes[name_start].is_ascii_alphabetic() {
            // A lone '<' in text.
            if !push_capped(&mut out, "<", max_bytes) {
                trimmed = true;
                break;
            }
            i += 1;
            continue;
        }
        let tag_end = tag_end(bytes, name_end);
        let name = html[name_start..name_end].to_ascii_lowercase();
        let tag = &html[i..tag_end];
        if is_end {
            let keep = if VOID.contains(&name.as_str()) || OPTIONAL_END.contains(&name.as_str()) {
                true
            } else {
                let keep = depth <= max_depth;
                depth = depth.saturating_sub(1);
                keep
            };
            if keep && !push_capped(&mut out, tag, max_bytes) {
                trimmed = true;
                break;
            }
            i = tag_end;
            continue;
        }
        if RAW_TEXT.contains(&name.as_str()) {
            let close = format!("</{name}");
            let body_end =
                find_ci(&bytes[tag_end..], close.as_bytes()).map_or(bytes.len(), |p| tag_end + p);
            let close_end = if body_end < bytes.len() {
                self::tag_end(bytes, body_end + close.len())
            } else {
                body_end
            };
            let keep = match name.as_str() {
                "script" => tag.to_ascii_lowercase().contains("ld+json"),
                // Icons and formulas: never article text, and their
                // self-closing children would confuse depth counting.
                "style" | "svg" | "math" => false,
                _ => true,
            };
            if keep && !push_capped(&mut out, &html[i..close_end], max_bytes) {
                trimmed = true;
                break;
            }
            i = close_end;
            continue;
        }
        // Outside SVG/MathML (skipped above) the parser ignores a trailing
        // `/` on non-void elements, so `<div/>` opens an element like `<div>`.
        let keep = if VOID.contains(&name.as_str()) || OPTIONAL_END.contains(&name.as_str()) {
            true
        } else {
            depth += 1;
            max_depth_seen = max_depth_seen.max(depth);
            flattened += usize::from(depth > max_depth);
            depth <= max_depth
        };
        if keep && !push_capped(&mut out, tag, max_bytes) {
            trimmed = true;
            break;
        }
        i = tag_end;
    }
    Prepared {
        html: out,
        max_depth_seen,
        flattened,
        trimmed,
    }
}

/// Index just past the `>` that ends the tag whose name ends at `from`,
/// skipping quoted attribute values (they may contain `>`).
fn tag_end(bytes: &[u8], from: usize) -> usize {
    let mut quote: Option<u8> = None;
    let mut j = from;
    while j < bytes.len() {
        let b = bytes[j];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return j + 1,
            None => {}
        }
        j += 1;
    }
    bytes.len()
}

/// Appends `s`, cutting at a char boundary so `out` stays within `max`
/// bytes; false when it had to cut.
#[must_use]
fn push_capped(out: &mut String, s: &str, max: usize) -> bool {
    let room = max.saturating_sub(out.len());
    if s.len() <= room {
        out.push_str(s);
        true
    } else {
        let mut cut = room;
        while cut > 0 && !s.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&s[..cut]);
        false
    }
}

fn memchr(b: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&x| x == b)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_flattened_but_text_kept() {
        let n = 10_000;
        let html = format!("{}deep text{}", "<div>".repeat(n), "</div>".repeat(n));
        let p = prepare(&html, 1 << 20, 50);
        assert_eq!(p.max_depth_seen, n);
        assert_eq!(p.flattened, n - 50);
        assert_eq!(p.html.matches("<div>").count(), 50);
        assert_eq!(p.html.matches("</div>").count(), 50);
        assert!(p.html.contains("deep text"));
    }

    #[test]
    fn scripts_styles_comments_go_json_ld_stays() {
        let html = "<head><script>var a = '<div>';</script><style>p{}</style>\
            <script type=\"application/ld+json\">{\"a\":1}</script></head>\
            <!-- <div> --><p>Text &amp; more</p><title>T</title>";
        let p = prepare(html, 1 << 20, 50);
        assert!(!p.html.contains("var a"), "{}", p.html);
        assert!(!p.html.contains("p{}"));
        assert!(p.html.contains("{\"a\":1}"));
        assert!(p.html.contains("<p>Text &amp; more</p>"));
        assert!(p.html.contains("<title>T</title>"));
        assert_eq!(p.max_depth_seen, 0);
    }

    #[test]
    fn byte_limit_trims_on_char_boundary() {
        let html = format!("<p>{}</p>", "Қазақстан ".repeat(1000));
        let p = prepare(&html, 101, 50);
        assert!(p.trimmed);
        assert!(p.html.len() <= 101);
    }

    proptest::proptest! {
        #[test]
        fn never_exceeds_limits_on_arbitrary_markup(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("<div>".to_string()),
                    proptest::strategy::Just("</div>".to_string()),
                    proptest::strategy::Just("<p>".to_string()),
                    proptest::strategy::Just("<script>".to_string()),
                    proptest::strategy::Just("<!--".to_string()),
                    proptest::strategy::Just("<a href='>'>".to_string()),
                    "[a-zа-яә <>/\"'=!-]{0,12}",
                ],
                0..200,
            ),
            max_bytes in 0usize..400,
            max_depth in 0usize..8,
        ) {
            let html: String = parts.concat();
            let p = prepare(&html, max_bytes, max_depth);
            proptest::prop_assert!(p.html.len() <= max_bytes);
            proptest::prop_assert!(p.max_depth_seen >= p.flattened.min(1) * (max_depth + 1));
        }
    }

    #[test]
    fn quoted_gt_and_lone_lt_do_not_confuse_the_scanner() {
        let html = "<div title=\"a>b\">x < y</div><p>z</p>";
        let p = prepare(html, 1 << 20, 50);
        assert_eq!(p.html, html);
    }
}
