//! `branchwatch::morph`: names into the nominative (Russian and Kazakh text),
//! Russian lemmas, given-name lookup, and never panicking.

use std::sync::OnceLock;

use branchwatch::morph::{Gender, Morph};
use proptest::prelude::*;

fn morph() -> &'static Morph {
    static MORPH: OnceLock<Morph> = OnceLock::new();
    MORPH.get_or_init(|| Morph::load().expect("embedded morphology loads"))
}

/// One expectation: which function, its input, and the expected answer.
enum Row {
    Ru(&'static str, Option<&'static str>),
    Kk(&'static str, Option<&'static str>),
    Lemma(&'static str, &'static str),
    Given(&'static str, Option<Gender>),
}

/// The one helper: runs every row and reports all mismatches at once.
fn check(rows: &[Row]) {
    let m = morph();
    let mut failures = Vec::new();
    for row in rows {
        let (input, got, want) = match row {
            Row::Ru(input, want) => {
                let parts: Vec<&str> = input.split_whitespace().collect();
                (input, m.nominative_ru(&parts), want.map(str::to_owned))
            }
            Row::Kk(input, want) => {
                let parts: Vec<&str> = input.split_whitespace().collect();
                (input, m.nominative_kk(&parts), want.map(str::to_owned))
            }
            Row::Lemma(word, want) => {
                let first = m.lemmas(word).first().map(|p| p.lemma.clone());
                (word, first, Some((*want).to_owned()))
            }
            Row::Given(word, want) => {
                let got = m.is_given_name(word).map(|g| format!("{g:?}"));
                (word, got, want.map(|g| format!("{g:?}")))
            }
        };
        if got != want {
            failures.push(format!("{input:?}: got {got:?}, want {want:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

#[test]
fn russian_names_into_the_nominative() {
    use Row::Ru;
    check(&[
        Ru("Ербола Нурланова", Some("Ербол Нурланов")),
        Ru("Сергею Панову", Some("Сергей Панов")),
        Ru("Сергей Панов", Some("Сергей Панов")),
        Ru("Маржан Курбанову", Some("Маржан Курбанова")),
        Ru("Бауыржана Тлеубаева", Some("Бауыржан Тлеубаев")),
        Ru(
            "Алмасу Кайратовичу Сейтову",
            Some("Алмас Кайратович Сейтов"),
        ),
        Ru(
            "Виталия Сергеевича Ковалёва",
            Some("Виталий Сергеевич Ковалёв"),
        ),
        Ru("Айгерим Сейтовой", Some("Айгерим Сейтова")),
        Ru("Асели Жумабаевой", Some("Асель Жумабаева")),
        Ru("Ерланом Сапаровым", Some("Ерлан Сапаров")),
        Ru("Болата Ахметова", Some("Болат Ахметов")),
        Ru("Гульнару Ибраеву", Some("Гульнара Ибраева")),
        Ru("Асель Ким", Some("Асель Ким")),
        Ru("Нурлане Абенове", Some("Нурлан Абенов")),
        Ru("Гульнаре Ибраевой", Some("Гульнара Ибраева")),
        Ru("Динарой Сериковой", Some("Динара Серикова")),
        Ru(
            "Айгуль Маратовной Касымовой",
            Some("Айгуль Маратовна Касымова"),
        ),
        Ru("Сейтова Алмаса", Some("Алмас Сейтов")),
        Ru("Ержана Бекова", Some("Ержан Беков")),
        Ru("Кайрату Серикбаеву", Some("Кайрат Серикбаев")),
        Ru("Салтанат Жумабаевой", Some("Салтанат Жумабаева")),
        Ru("Анны Петровой", Some("Анна Петрова")),
        Ru("Сергею Петренко", Some("Сергей Петренко")),
        Ru("Алии Нурлановой", Some("Алия Нурланова")),
        Ru("Ерлан Сапаров", Some("Ерлан Сапаров")),
        Ru("Асель Жумабаева", Some("Асель Жумабаева")),
        Ru(
            "Нурсултаном Абишевичем Назарбаевым",
            Some("Нурсултан Абишевич Назарбаев"),
        ),
        Ru("ЕРБОЛА НУРЛАНОВА", Some("ЕРБОЛ НУРЛАНОВ")),
        Ru("Абаем Кунанбаевым", Some("Абай Кунанбаев")),
        Ru("Дмитрия Ковалёва", Some("Дмитрий Ковалёв")),
        Ru("Жанне Ким", Some("Жанна Ким")),
        Ru(
            "Ибраевой Гульнаре Маратовне",
            Some("Гульнара Маратовна Ибраева"),
        ),
        Ru("Данияром Оспановым", Some("Данияр Оспанов")),
    ]);
}

#[test]
fn kazakh_names_into_the_nominative() {
    use Row::Kk;
    check(&[
        Kk("Айгүл Сәбитқызын", Some("Айгүл Сәбитқызы")),
        Kk("Ерланның", Some("Ерлан")),
        Kk("Болатқа", Some("Болат")),
        Kk("Петренкомен Анна", Some("Анна Петренко")),
        Kk("Нұрлан Сапаровтың", Some("Нұрлан Сапаров")),
        Kk("Әсел Жұмабаеваға", Some("Әсел Жұмабаева")),
        Kk("Ерболды", Some("Ербол")),
        Kk("Айгүлде", Some("Айгүл")),
        Kk("Қайраттан", Some("Қайрат")),
        Kk("Асқар Сейтовпен", Some("Асқар Сейтов")),
        Kk("Сәбитұлына", Some("Сәбитұлы")),
        Kk("Мұрат Сәбитұлынан", Some("Мұрат Сәбитұлы")),
        Kk("Гүлнараның", Some("Гүлнара")),
        Kk("Ерлан Сапаров", Some("Ерлан Сапаров")),
        Kk("Нұрланнан", Some("Нұрлан")),
        Kk("Айгүл Сәбитқызында", Some("Айгүл Сәбитқызы")),
        Kk("Ахметовке", None),
        Kk("Бауыржан Ахметовқа", Some("Бауыржан Ахметов")),
        Kk("Гүлнар Ибраеваны", Some("Гүлнар Ибраева")),
    ]);
}

#[test]
fn common_words_are_not_names() {
    use Row::{Kk, Ru};
    check(&[
        Ru("директора", None),
        Ru("Директора", None),
        Ru("филиала партии", None),
        Ru("2024", None),
        Ru("", None),
        Kk("партиясының", None),
        Kk("төрағасы", None),
        Kk("Облысының", None),
        Kk("", None),
    ]);
}

#[test]
fn russian_lemmas_and_given_names() {
    use Row::{Given, Lemma};
    check(&[
        Lemma("партии", "партия"),
        Lemma("филиала", "филиал"),
        Lemma("назначен", "назначить"),
        Lemma("председателем", "председатель"),
        Given("Асели", Some(Gender::Femn)),
        Given("Ербола", Some(Gender::Masc)),
        Given("Айгүл", Some(Gender::Femn)),
        Given("Виталия", Some(Gender::Masc)),
        Given("стол", None),
    ]);
}

#[test]
fn lemma_carries_name_grammemes() {
    let m = morph();
    let parses = m.lemmas("Петровича");
    assert!(parses.iter().any(|p| p.has("Patr")), "{parses:?}");
    assert!(m.lemmas("").is_empty());
    assert!(m.lemmas("слово,").is_empty());
}

#[test]
fn a_megabyte_word_is_refused_quickly() {
    let m = morph();
    let word = "а".repeat(1 << 19); // 1 MiB of UTF-8
    let start = std::time::Instant::now();
    assert!(m.lemmas(&word).is_empty());
    assert_eq!(m.nominative_ru(&[&word]), None);
    assert_eq!(m.nominative_kk(&[&word, "Ерлан"]), None);
    assert_eq!(m.is_given_name(&word), None);
    assert!(start.elapsed().as_secs() < 5);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn never_panics_on_any_string(
        s in ".{0,40}",
        t in "[а-яёА-ЯЁәғқңөұүһіİı\u{0301}-]{0,24}",
        u in "[а-яёәұ]{1,3}",
    ) {
        let m = morph();
        let _ = m.lemmas(&s);
        let _ = m.lemmas(&t);
        let _ = m.is_given_name(&s);
        let _ = m.is_given_name(&t);
        let _ = m.nominative_ru(&[&s, &t]);
        let _ = m.nominative_ru(&[&t]);
        let _ = m.nominative_kk(&[&t, &s]);
        let _ = m.nominative_kk(&[&t]);
        let _ = m.lemmas(&u);
        let _ = m.nominative_ru(&[&u, &t]);
    }
}

/// The installed binary cannot see the cargo registry. Runs this test again
/// in a child process with HOME and CARGO_HOME pointing at an empty directory
/// and, where the machine allows a private mount namespace (root, `unshare`),
/// with the dictionary crate's data directory hidden under an empty tmpfs.
#[test]
fn loads_without_the_cargo_registry() {
    if std::env::var_os("BRANCHWATCH_MORPH_CHILD").is_some() {
        let dict_dir = std::path::Path::new(rsmorphy::rsmorphy_dict_ru::DICT_PATH);
        let hidden = std::fs::read_dir(dict_dir).map_or(true, |mut d| d.next().is_none());
        println!("dictionary directory hidden: {hidden}");
        let m = Morph::load().expect("loads from the embedded bytes");
        let name = m.nominative_ru(&["Ербола", "Нурланова"]);
        assert_eq!(name.as_deref(), Some("Ербол Нурланов"));
        return;
    }
    let empty = tempfile::tempdir().expect("temp dir");
    let exe = std::env::current_exe().expect("test binary path");
    let args = ["--exact", "loads_without_the_cargo_registry", "--nocapture"];
    let child = |cmd: &mut std::process::Command| {
        cmd.env("BRANCHWATCH_MORPH_CHILD", "1")
            .env("HOME", empty.path())
            .env("CARGO_HOME", empty.path())
            .output()
    };
    let hidden = child(
        std::process::Command::new("unshare")
            .args(["-m", "--propagation", "private", "sh", "-c"])
            .arg("mount -t tmpfs none \"$0\" && exec \"$@\"")
            .arg(rsmorphy::rsmorphy_dict_ru::DICT_PATH)
            .arg(&exe)
            .args(args),
    );
    let out = match hidden {
        Ok(out) if String::from_utf8_lossy(&out.stdout).contains("hidden: true") => out,
        _ => child(std::process::Command::new(&exe).args(args)).expect("run child"),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("1 passed"), "{stdout}");
}

/// Throughput and load time; run with `--ignored --nocapture`.
#[test]
#[ignore]
fn throughput() {
    let rss = || {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let line = status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .unwrap_or("");
        line.trim_start_matches("VmRSS:").trim().to_owned()
    };
    println!("rss before load: {}", rss());
    let start = std::time::Instant::now();
    let m = Morph::load().expect("loads");
    println!("load: {:?}, rss after: {}", start.elapsed(), rss());
    let words: Vec<&str> = "Председателем областного филиала партии назначен Ербол Нурланов, \
        ранее возглавлявший городской маслихат и отдел внутренней политики акимата"
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .collect();
    let n = 20_000;
    let start = std::time::Instant::now();
    let mut readings = 0;
    for i in 0..n {
        readings += m.lemmas(words[i % words.len()]).len();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "lemmas: {:.0} tokens/s ({readings} readings)",
        n as f64 / secs
    );
    let names: [&[&str]; 4] = [
        &["Ербола", "Нурланова"],
        &["Алмасу", "Кайратовичу", "Сейтову"],
        &["Асели", "Жумабаевой"],
        &["Виталия", "Сергеевича", "Ковалёва"],
    ];
    let n = 5_000;
    let start = std::time::Instant::now();
    for i in 0..n {
        assert!(m.nominative_ru(names[i % names.len()]).is_some());
    }
    println!(
        "nominative_ru: {:.0} names/s",
        n as f64 / start.elapsed().as_secs_f64()
    );
    let start = std::time::Instant::now();
    for _ in 0..n {
        assert!(m.nominative_kk(&["Айгүл", "Сәбитқызын"]).is_some());
    }
    println!(
        "nominative_kk: {:.0} names/s",
        n as f64 / start.elapsed().as_secs_f64()
    );
}
