//! `preview` against golden files, with a fixed clock and a real store.
//! Regenerate after an intended template change with
//! `UPDATE_GOLDEN=1 cargo test --test digest_preview` and review the diff.

mod digest_support;

use branchwatch::digest::{preview, DigestSpec, Templates};
use branchwatch::model::{Event, Lang, Level, Role};
use branchwatch::store::Store;
use digest_support::{article, detected, open_store, t};
use std::path::PathBuf;

fn seed(store: &mut Store) {
    let mut a = detected(
        "Гүлнар Ерланқызы Сейітова",
        Role::Chair,
        "AMANAT",
        "KZ-35",
        Event::Elected,
        "Партия филиалының конференциясында Гүлнар Сейітова төраға болып сайланды.",
        0.93,
    );
    a.level = Level::District;
    a.district = Some("Temirtau".into());
    a.previous_role = Some("аким Темиртау".into());
    store
        .record_article(
            &article(
                "https://news.example.kz/kz/temirtau-amanat",
                "Теміртау филиалына жаңа төраға",
                "Example News",
            ),
            &[a],
            t(1),
        )
        .unwrap();
    let mut b = detected(
        "Сергей Петрович Иванов",
        Role::FirstDeputyChair,
        "AK_ZHOL",
        "KZ-75",
        Event::Appointed,
        "Исполняющим обязанности первого заместителя председателя назначен Сергей Иванов.",
        0.81,
    );
    b.acting = true;
    b.date = None;
    store
        .record_article(
            &article(
                "https://other.example.kz/ru/news/2026/11/25/akzhol",
                "В «Ак жол» сменился первый заместитель",
                "Other Outlet",
            ),
            &[b],
            t(1),
        )
        .unwrap();
    // A second change in the same branch: listed after the first, by date.
    let mut a2 = detected(
        "Бауыржан Қайратұлы Омаров",
        Role::DeputyChair,
        "AMANAT",
        "KZ-35",
        Event::Dismissed,
        "Бауыржан Омаров освобождён от должности заместителя председателя филиала.",
        0.77,
    );
    a2.date = chrono::NaiveDate::from_ymd_opt(2026, 11, 25);
    store
        .record_article(
            &article(
                "https://news.example.kz/kz/karaganda-deputy",
                "Заместитель освобождён",
                "Example News",
            ),
            &[a2],
            t(1),
        )
        .unwrap();
    let c = detected(
        "Айгерім Нұрланқызы Бекова",
        Role::ExecutiveSecretary,
        "QHP",
        "KZ-71",
        Event::Resigned,
        "По неподтверждённым данным, Айгерім Бекова покинула пост.",
        0.45,
    );
    store
        .record_article(
            &article(
                "https://news.example.kz/qhp-astana",
                "Кадровые перемены",
                "Example News",
            ),
            &[c],
            t(2),
        )
        .unwrap();
}

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden")).join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create)",
            path.display()
        )
    });
    if want != actual {
        let line = want
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| want.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the golden file at line {}:\n  want: {:?}\n  got:  {:?}\n--- full output ---\n{actual}",
            name,
            line + 1,
            want.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

#[test]
fn preview_matches_golden_files_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open_store(dir.path());
    seed(&mut store);
    store
        .set_digest_last_run("daily", t(0) - chrono::Duration::days(1))
        .unwrap();
    let tpl = Templates::embedded();
    let mut spec = DigestSpec::new("daily", &["editor@example.kz"]);

    spec.language = Lang::Ru;
    let ru = preview(&store, &spec, &tpl, t(3)).unwrap();
    assert_eq!(
        ru.subject,
        "[daily] 4 изменения (требуют проверки: 1), 2026-11-25 – 2026-11-26"
    );
    golden("preview_ru.txt", &ru.text);
    golden("preview_ru.html", &ru.html);
    // Narrow-client friendly: inline styles only, no tables, nothing remote.
    for banned in ["<table", "<style", "<link", "<script", "<img", "width=\""] {
        assert!(!ru.html.contains(banned), "{banned} in HTML");
    }
    assert!(ru.html.contains("max-width:640px"));

    spec.language = Lang::Kk;
    let kk = preview(&store, &spec, &tpl, t(3)).unwrap();
    assert_eq!(
        kk.subject,
        "[daily] 4 өзгеріс (тексеруді қажет етеді: 1), 2026-11-25 – 2026-11-26"
    );
    golden("preview_kk.txt", &kk.text);

    spec.language = Lang::En;
    let en = preview(&store, &spec, &tpl, t(3)).unwrap();
    golden("preview_en.txt", &en.text);

    // Previewing neither sends nor marks anything.
    assert!(store.outbox_all(Some("daily")).unwrap().is_empty());
    assert_eq!(
        store.digest_last_run("daily").unwrap(),
        Some(t(0) - chrono::Duration::days(1))
    );
    assert_eq!(preview(&store, &spec, &tpl, t(3)).unwrap(), en);
}
