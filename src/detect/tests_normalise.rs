//! Stage 0 (normalise) by phenomenon: bylines, credits, read-also links, letters
//! lost to a wrong encoding.

use crate::detect::normalise::clean_with;
use crate::detect::Tables;

/// (what, input, expected output)
const CASES: &[(&str, &str, &str)] = &[
    (
        "agency byline between slashes",
        "АСТАНА. 9 июня. КАЗИНФОРМ /Айжан Серікова/ – Аким избран.",
        "АСТАНА. 9 июня. КАЗИНФОРМ  – Аким избран.",
    ),
    (
        "a «?» closed by a full stop ends a word, not a question",
        "Филиал т?ра?асы ?ызмет?нен кетт?. Б?л туралы хабарланды.",
        "Филиал төрағасы қызметінен кетті. Бұл туралы хабарланды.",
    ),
    (
        "a damaged name takes its letters from the same name intact elsewhere",
        "Бірінші орынбасары Н?ржан ?д?лов кетті.\nНұржан Әділовке алғыс айтты.",
        "Бірінші орынбасары Нұржан Әділов кетті.\nНұржан Әділовке алғыс айтты.",
    ),
    (
        "letters of an old Kazakh font are put back",
        "Ќызылорда облыстыќ филиалыныѕ т?раєасы ќайта сайланды.",
        "Қызылорда облыстық филиалының төрағасы қайта сайланды.",
    ),
    (
        "one such letter alone is left as it is",
        "Slovo «њој» and Ќ.",
        "Slovo «њој» and Ќ.",
    ),
    (
        "a fraction is not a byline",
        "Голосовали 45/3 и 12/1.",
        "Голосовали 45/3 и 12/1.",
    ),
    (
        "lower-case words between slashes stay",
        "сайт /новости/ филиала",
        "сайт /новости/ филиала",
    ),
    (
        "photo credit paragraph",
        "Филиал сайлады.\nФото: Ерлан Сапаров\nБітті.",
        "Филиал сайлады.\nБітті.",
    ),
    (
        "a long paragraph that opens with a credit word is kept",
        "Фото и видео с конференции показали, как делегаты единогласно избрали нового председателя филиала, а затем обсудили планы.",
        "Фото и видео с конференции показали, как делегаты единогласно избрали нового председателя филиала, а затем обсудили планы.",
    ),
    (
        "a word that merely starts like a label is kept",
        "Фотографии Ерлана Сапарова",
        "Фотографии Ерлана Сапарова",
    ),
    (
        "read-also links are dropped at any length",
        "Бір.\nЧитайте также: Болат Ахметов избран председателем Павлодарского филиала партии\nЕкі.",
        "Бір.\nЕкі.",
    ),
    (
        "Kazakh read-also label",
        "Тағы оқыңыз: Жаңа төраға сайланды\nСоңы.",
        "Соңы.",
    ),
    (
        "a lost letter restored in a party name",
        "«Н?р Отан» партиясы",
        "«Нұр Отан» партиясы",
    ),
    (
        "lost letters restored in a region name",
        "Т?ркістан облысы",
        "Түркістан облысы",
    ),
    (
        "an unknown word gets a consonant next to a vowel",
        "?арсы дауыс",
        "Қарсы дауыс",
    ),
    (
        "an unknown name gets a vowel of its row",
        "Н?рлан Н?рланов",
        "Нұрлан Нұрланов",
    ),
    (
        "a lost first letter is lower case inside a sentence",
        "Ол филиал төрағасы болып ?айта сайланды.",
        "Ол филиал төрағасы болып қайта сайланды.",
    ),
    (
        "a lost first letter of a name is a capital",
        "аудан әкімі ?анат Әбілов сайланды",
        "аудан әкімі Қанат Әбілов сайланды",
    ),
    (
        "a lost last letter before the sentence goes on",
        "«AMANAT» партиясыны? филиалы",
        "«AMANAT» партиясының филиалы",
    ),
    (
        "a question mark that ends a sentence stays",
        "Кто избран? Никто.",
        "Кто избран? Никто.",
    ),
];

#[test]
fn cleans_by_phenomenon() {
    let t = Tables::embedded().expect("tables");
    for (what, input, want) in CASES {
        assert_eq!(clean_with(input, &t), *want, "{what}");
    }
}

#[test]
fn hostile_input_does_not_panic() {
    let t = Tables::embedded().expect("tables");
    for s in [
        "?",
        "??????????",
        "/",
        "//",
        "/ /",
        "?а?б?в?г?д",
        "\n\n\n",
        "Фото:",
    ] {
        let _ = clean_with(s, &t);
    }
    let long = "?".repeat(100_000);
    assert_eq!(clean_with(&long, &t), long);
}
