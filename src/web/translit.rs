//! Kazakh and Russian Cyrillic → Latin, for showing a name's reading beside
//! it in the English interface.
//!
//! The repository already folds names to ASCII skeletons
//! (`store::person::key`), but those are lowercase and lossy on purpose
//! (қ and к both become k, vowels merge) so that spellings compare equal;
//! they are not for reading. The detector's transliteration
//! (`detect::text::translit`) goes the other way, Latin → Cyrillic. So this
//! is a separate, letter-by-letter display scheme: Kazakh letters follow the
//! 2021 Kazakh Latin alphabet (ә ä, ғ ğ, қ q, ң ñ, ө ö, ұ ū, ү ü, і ı→i),
//! the rest the usual English renderings of Russian (ж zh, х kh, ц ts, ч ch,
//! ш sh, щ shch, ю yu, я ya). Non-Cyrillic text passes through unchanged.

fn letter(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'ә' => "ä",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'ғ' => "ğ",
        'д' => "d",
        'е' => "e",
        'ё' => "yo",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'й' => "y",
        'к' => "k",
        'қ' => "q",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'ң' => "ñ",
        'о' => "o",
        'ө' => "ö",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ұ' => "ū",
        'ү' => "ü",
        'ф' => "f",
        'х' => "kh",
        'һ' => "h",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ы' => "y",
        'і' => "i",
        'э' => "e",
        'ю' => "yu",
        'я' => "ya",
        _ => return None,
    })
}

/// Whether `s` has any Cyrillic letter (only then is a reading worth showing).
pub fn has_cyrillic(s: &str) -> bool {
    s.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c))
}

/// The Latin reading of `s`; characters that are not Cyrillic letters are kept.
pub fn to_latin(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        match letter(lower) {
            Some(l) if lower != c => {
                // Upper case: capitalise the first letter of the rendering.
                let mut it = l.chars();
                if let Some(first) = it.next() {
                    out.extend(first.to_uppercase());
                    out.push_str(it.as_str());
                }
            }
            Some(l) => out.push_str(l),
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kazakh_and_russian_names() {
        let cases = [
            ("Қуат Байғожаев", "Quat Bayğozhaev"),
            ("Ғалымжан Әбдірахманов", "Ğalymzhan Äbdirakhmanov"),
            ("Юлия Щербакова", "Yuliya Shcherbakova"),
            ("Серік Мұқанов", "Serik Mūqanov"),
            ("Kanat Beisembayev", "Kanat Beisembayev"),
            ("Айгүл Сәбитқызы", "Aygül Säbitqyzy"),
        ];
        for (cyr, lat) in cases {
            assert_eq!(to_latin(cyr), lat);
        }
        assert!(has_cyrillic("Серік"));
        assert!(!has_cyrillic("Serik"));
    }
}
