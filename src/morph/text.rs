//! Letter-level helpers: folding for lookups and writing a lemma in the shape
//! (capitalisation, «ё») of the word it came from.

/// Lower case with «ё» folded to «е»: the key of every lookup.
pub(crate) fn fold(word: &str) -> String {
    word.chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'ё' { 'е' } else { c })
        .collect()
}

fn fold_char(c: char) -> char {
    let lower = c.to_lowercase().next().unwrap_or(c);
    if lower == 'ё' {
        'е'
    } else {
        lower
    }
}

/// Whether the last letter of `word` is one of `letters`.
pub(crate) fn ends_with_class(word: &str, letters: &str) -> bool {
    word.chars().last().is_some_and(|c| letters.contains(c))
}

/// First letter upper case.
pub(crate) fn is_capitalized(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

fn is_all_caps(word: &str) -> bool {
    word.chars().filter(|c| c.is_alphabetic()).count() > 1
        && word.chars().all(|c| !c.is_lowercase())
}

/// `lemma` (any case) written like `word`: the prefix they share (compared
/// folded, so «ё» and «е» match) is copied from `word`, keeping its
/// capitals and «ё»; the rest of `lemma` follows in lower case, or in upper
/// case when `word` is all capitals. A lemma sharing nothing with `word` is
/// capitalised when `word` is.
pub(crate) fn shape_like(word: &str, lemma: &str) -> String {
    let caps = is_all_caps(word);
    let mut out = String::with_capacity(lemma.len() + 4);
    let mut shared = 0;
    for (w, l) in word.chars().zip(lemma.chars()) {
        if fold_char(w) != fold_char(l) {
            break;
        }
        out.push(w);
        shared += 1;
    }
    for (i, l) in lemma.chars().skip(shared).enumerate() {
        if caps || (i == 0 && shared == 0 && is_capitalized(word)) {
            out.extend(l.to_uppercase());
        } else {
            out.extend(l.to_lowercase());
        }
    }
    out
}

/// `word` without its last `n` characters.
pub(crate) fn drop_chars(word: &str, n: usize) -> &str {
    let keep = word.chars().count().saturating_sub(n);
    match word.char_indices().nth(keep) {
        Some((at, _)) => &word[..at],
        None => word,
    }
}

/// Whether the word has a vowel-like letter at all (a plausible stem).
pub(crate) fn has_letters(word: &str, min: usize) -> bool {
    word.chars().filter(|c| c.is_alphabetic()).count() >= min
}

/// Whether name parts are worth analysing: one to six words of letters, hyphens and
/// apostrophes only, none longer than 64 characters (Russian and Kazakh alike).
pub(super) fn plausible_name(parts: &[&str]) -> bool {
    (1..=6).contains(&parts.len())
        && parts.iter().all(|part| {
            let n = part.chars().count();
            n > 0
                && n <= 64
                && part
                    .chars()
                    .all(|c| c.is_alphabetic() || c == '-' || c == '\'')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_keeps_capitals_and_yo() {
        assert_eq!(shape_like("Ковалёва", "ковалев"), "Ковалёв");
        assert_eq!(shape_like("АСЕЛИ", "асель"), "АСЕЛЬ");
        assert_eq!(shape_like("Ербола", "ербол"), "Ербол");
        assert_eq!(shape_like("Иду", "шёл"), "Шёл");
        assert_eq!(drop_chars("Ерланның", 3), "Ерлан");
        assert_eq!(drop_chars("ab", 5), "");
    }
}
