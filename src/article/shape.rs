//! Turns extracted HTML into the text shape detection needs: one paragraph
//! per line (`\n` between), whitespace collapsed, soft hyphens and zero-width
//! characters removed, entities decoded, Unicode NFC.
//!
//! Every extraction path (site rule, trafilatura, readability) ends here, so
//! the detector sees the same shape whichever path produced the text.

use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node};
use unicode_normalization::UnicodeNormalization;

/// Elements whose content is never article text.
const SKIP: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
    "button", "select", "textarea", "input", "canvas", "audio", "video", "head",
];

/// Elements that start and end a paragraph.
const BLOCK: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "section",
    "article",
    "header",
    "footer",
    "aside",
    "figure",
    "figcaption",
    "main",
    "nav",
    "address",
    "details",
    "summary",
    "form",
    "fieldset",
    "legend",
    "caption",
    "hr",
    "br",
    "center",
    "body",
    "html",
];

/// Appends the paragraphs of `el` (and its descendants) to `out`.
pub(crate) fn element_paragraphs(el: ElementRef<'_>, out: &mut Vec<String>) {
    let mut cur = String::new();
    let mut skip = 0usize;
    for edge in el.traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(e) => {
                    let name = e.name();
                    if skip > 0 || SKIP.contains(&name) {
                        skip += 1;
                    } else if BLOCK.contains(&name) {
                        flush(&mut cur, out);
                    } else if name == "td" || name == "th" || name == "img" {
                        cur.push(' ');
                    }
                }
                Node::Text(t) if skip == 0 => cur.push_str(t),
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(e) = node.value() {
                    if skip > 0 {
                        skip -= 1;
                    } else if BLOCK.contains(&e.name()) {
                        flush(&mut cur, out);
                    }
                }
            }
        }
    }
    flush(&mut cur, out);
}

/// Paragraphs of an HTML fragment (an extractor's output).
pub(crate) fn html_fragment_paragraphs(html: &str) -> Vec<String> {
    let frag = Html::parse_fragment(html);
    let mut out = Vec::new();
    element_paragraphs(frag.root_element(), &mut out);
    out
}

fn flush(cur: &mut String, out: &mut Vec<String>) {
    if !cur.is_empty() {
        let p = normalize_line(cur);
        if !p.is_empty() {
            out.push(p);
        }
        cur.clear();
    }
}

/// One line of clean text: entities decoded, invisible characters dropped,
/// all whitespace runs (including NBSP) collapsed to one space, NFC.
pub(crate) fn normalize_line(s: &str) -> String {
    // Text nodes arrive decoded; a remaining `&amp;quot;`-style entity means
    // the site escaped twice, and readers see the character, not the code.
    let decoded;
    let s = if s.contains('&') {
        decoded = html_escape::decode_html_entities(s).into_owned();
        decoded.as_str()
    } else {
        s
    };
    let cleaned: String = s
        .chars()
        .filter(|c| !matches!(c, '\u{00AD}' | '\u{200B}' | '\u{2060}' | '\u{FEFF}'))
        .collect();
    let mut line = String::with_capacity(cleaned.len());
    for w in cleaned.split_whitespace() {
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(w);
    }
    line.nfc().collect()
}

/// Joins paragraphs with `\n`, dropping a paragraph identical to the one
/// before it (extractors sometimes repeat a lead or caption).
pub(crate) fn join_paragraphs(paras: &[String]) -> String {
    let mut text = String::new();
    let mut prev: Option<&str> = None;
    for p in paras {
        if p.is_empty() || prev == Some(p.as_str()) {
            continue;
        }
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(p);
        prev = Some(p);
    }
    text
}

/// Plain text (lines) to normalised paragraphs.
pub(crate) fn plain_paragraphs(text: &str) -> Vec<String> {
    text.lines()
        .map(normalize_line)
        .filter(|l| !l.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_whitespace_soft_hyphens_entities_nfc() {
        let html = "<div><h2>Заго&shy;ловок</h2><p>Первый\u{00A0}\u{00A0}абзац,\n  <b>жирный</b>текст.</p>\
            <p>Екі&amp;quot;нші<br>жол</p><script>x()</script><ul><li>а</li><li>б</li></ul></div>";
        let paras = html_fragment_paragraphs(html);
        assert_eq!(
            paras,
            vec![
                "Заголовок",
                "Первый абзац, жирныйтекст.",
                "Екі\"нші",
                "жол",
                "а",
                "б"
            ]
        );
        // "й" written as и + combining breve becomes the precomposed letter.
        assert_eq!(normalize_line("Даи\u{0306}ын"), "Дайын");
    }

    #[test]
    fn join_drops_immediate_repeats() {
        let p: Vec<String> = ["a", "a", "b", "", "a"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(join_paragraphs(&p), "a\nb\na");
    }
}
