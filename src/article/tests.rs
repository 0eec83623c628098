//! Stage tests on hand-written fixture pages (`fixtures/`).

use super::*;
use crate::model::Lang;
use chrono::DateTime;

const KK: &str = include_str!("fixtures/kk_news.html");
const RU: &str = include_str!("fixtures/ru_news.html");

fn opts() -> ExtractOptions {
    ExtractOptions::default()
}

fn assert_lacks(text: &str, needles: &[&str]) {
    for n in needles {
        assert!(!text.contains(n), "unexpected {n:?} in:\n{text}");
    }
}

#[test]
fn kazakh_page_reduced_to_article_text() {
    let a = extract(KK, "https://dala.example.kz/kk/news/x", &[], &opts()).unwrap();
    for s in [
        "Бүгін Ақтөбе қаласында партияның облыстық филиалының кезектен тыс конференциясы өтті.",
        "Конференция делегаттары филиал төрағасы лауазымына Ерлан Сейітқалиұлын бірауыздан сайлады.",
        "Бұрынғы төраға Айгүл Нұрланқызы басқа жұмысқа ауысуына байланысты қызметінен босатылды.",
    ] {
        assert!(a.text.contains(s), "missing {s:?} in:\n{}", a.text);
    }
    assert_lacks(
        &a.text,
        &[
            "мәзірі",
            "байланысты жаңалық",
            "Пікір мәтіні",
            "деректемесі",
            "dataLayer",
        ],
    );
    // One paragraph per line.
    assert_eq!(a.text.lines().count(), 5, "{}", a.text);
    assert_eq!(a.lang, Some(Lang::Kk));
    assert_eq!(
        a.title.as_deref(),
        Some("Облыстық филиалға жаңа төраға сайланды")
    );
    assert_eq!(a.outlet.as_deref(), Some("Дала жаңалықтары"));
    assert_eq!(
        a.canonical_url.as_deref(),
        Some("https://dala.example.kz/kk/news/filial-toraga-12345")
    );
    assert_eq!(
        a.published,
        Some(DateTime::parse_from_rfc3339("2024-03-12T15:40:00+05:00").unwrap())
    );
}

#[test]
fn russian_page_reduced_to_article_text_with_json_ld_date() {
    let a = extract(RU, "https://vestnik.example.kz/ru/news/1", &[], &opts()).unwrap();
    for s in [
        "В Павлодаре состоялась внеочередная конференция областного филиала партии.",
        "Председателем филиала избран Марат Кенжебаев,",
        // &nbsp; became a plain space.
        "Его кандидатуру поддержали все 112 делегатов",
    ] {
        assert!(a.text.contains(s), "missing {s:?} in:\n{}", a.text);
    }
    assert_lacks(
        &a.text,
        &[
            "раздел",
            "Войти",
            "читайте также",
            "Комментарий читателя",
            "колонтитул",
            "Поделиться",
        ],
    );
    assert_eq!(a.lang, Some(Lang::Ru));
    let d = a.published.unwrap();
    assert_eq!(d.to_rfc3339(), "2024-05-15T14:05:00+06:00");
    assert_eq!(
        a.title.as_deref(),
        Some("В областном филиале сменился председатель")
    );
    // No og:site_name: the host stands in.
    assert_eq!(a.outlet.as_deref(), Some("vestnik.example.kz"));
    assert_eq!(
        a.canonical_url.as_deref(),
        Some("https://vestnik.example.kz/ru/news/2024/05/15/predsedatel/")
    );
}

fn lead_rule() -> SiteRule {
    SiteRule {
        host: "vestnik.example.kz".into(),
        content: vec![".no-such-block".into(), ".news-text p:first-child".into()],
        remove: vec![],
        title: Some(".block-title".into()),
        published: None,
    }
}

#[test]
fn site_rule_overrides_generic_extractor() {
    let generic = extract(RU, "https://vestnik.example.kz/ru/news/1", &[], &opts()).unwrap();
    // The rule (for a subdomain too) picks only the lead paragraph and a
    // deliberately odd title element, so its effect is unmistakable.
    let a = extract(
        RU,
        "https://m.vestnik.example.kz/ru/news/1",
        &[lead_rule()],
        &opts(),
    )
    .unwrap();
    assert_eq!(
        a.text,
        "В Павлодаре состоялась внеочередная конференция областного филиала партии."
    );
    assert_ne!(a.text, generic.text);
    assert_eq!(a.title.as_deref(), Some("Читайте также"));
}

#[test]
fn site_rule_removal_applies_and_unmatched_rule_falls_back() {
    let remove = SiteRule {
        host: "vestnik.example.kz".into(),
        content: vec![".news-text".into()],
        remove: vec![".news-text p:nth-child(2)".into()],
        ..Default::default()
    };
    let a = extract(RU, "https://vestnik.example.kz/x", &[remove], &opts()).unwrap();
    assert!(a.text.contains("В Павлодаре"));
    assert!(!a.text.contains("Марат Кенжебаев"), "{}", a.text);

    let stale = SiteRule {
        host: "vestnik.example.kz".into(),
        content: vec![".old-layout-body".into()],
        ..Default::default()
    };
    let a = extract(RU, "https://vestnik.example.kz/x", &[stale], &opts()).unwrap();
    let g = extract(RU, "https://vestnik.example.kz/x", &[], &opts()).unwrap();
    assert!(a.text.contains("Марат Кенжебаев"));
    assert_eq!(a.text, g.text);
}

#[test]
fn broad_remove_selector_cannot_delete_the_content() {
    let html = r#"<html><body class="comments-open"><div class="post">
        <p>Первый абзац статьи о партийной конференции в Костанае.</p>
        <div class="comments"><p>Комментарий: не читал, но осуждаю.</p></div></div></body></html>"#;
    let rule = SiteRule {
        host: "example.kz".into(),
        content: vec![".post".into()],
        remove: vec!["[class*=\"comment\"]".into()],
        ..Default::default()
    };
    let a = extract(html, "https://example.kz/a", &[rule], &opts()).unwrap();
    assert_eq!(
        a.text,
        "Первый абзац статьи о партийной конференции в Костанае."
    );
}

fn page_with(head: &str, body: &str) -> String {
    format!(
        "<html><head>{head}</head><body><article><h1>Заголовок</h1>{body}\
         <p>Председателем филиала избран новый руководитель, сообщает пресс-служба партии.</p></article></body></html>"
    )
}

#[test]
fn dates_in_several_formats_and_zones() {
    let cases: Vec<(String, &str)> = vec![
        (
            page_with(
                r#"<meta property="article:published_time" content="2024-05-15T14:05:00+0600">"#,
                "",
            ),
            "2024-05-15T14:05:00+06:00",
        ),
        (
            page_with(
                r#"<script type="application/ld+json">{"@type":["NewsArticle"],"datePublished":"2023-11-02T08:30:00Z"}</script>"#,
                "",
            ),
            "2023-11-02T08:30:00+00:00",
        ),
        (
            page_with("", r#"<time datetime="2024-01-20 09:15">20.01.2024</time>"#),
            "2024-01-20T09:15:00+05:00",
        ),
        (
            page_with(
                r#"<meta itemprop="datePublished" content="Tue, 07 May 2024 18:00:00 -0400">"#,
                "",
            ),
            "2024-05-07T18:00:00-04:00",
        ),
        (
            page_with("", r#"<time>2024 жылғы 15 мамыр, 10:00</time>"#),
            "2024-05-15T10:00:00+05:00",
        ),
    ];
    for (html, want) in cases {
        let a = extract(&html, "https://example.kz/a", &[], &opts()).unwrap();
        let got = a.published.unwrap_or_else(|| panic!("no date for {want}"));
        assert_eq!(got.to_rfc3339(), want);
    }
    // A rule's selector reads visible Russian text, in the configured zone.
    let html = page_with("", r#"<span class="date">15 мая 2024, 14:05</span>"#);
    let rule = SiteRule {
        host: "example.kz".into(),
        content: vec!["article".into()],
        published: Some(".date".into()),
        ..Default::default()
    };
    let o = ExtractOptions {
        local_offset: FixedOffset::east_opt(6 * 3600).unwrap(),
        ..opts()
    };
    let a = extract(&html, "https://example.kz/a", &[rule], &o).unwrap();
    assert_eq!(
        a.published.unwrap().to_rfc3339(),
        "2024-05-15T14:05:00+06:00"
    );
}

#[test]
fn windows_1251_page_decodes_and_extracts() {
    let html = RU.replace(
        "<meta charset=\"utf-8\">",
        "<meta charset=\"windows-1251\">",
    );
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1251.encode(&html);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "fixture must really be cp1251"
    );
    let decoded = crate::text::decode(&bytes, Some("text/html"));
    assert_eq!(decoded.encoding, "windows-1251");
    let a = extract(&decoded.text, "https://vestnik.example.kz/x", &[], &opts()).unwrap();
    assert!(
        a.text
            .contains("Председателем филиала избран Марат Кенжебаев"),
        "{}",
        a.text
    );
    assert_eq!(a.lang, Some(Lang::Ru));
}

fn big_page(filler: &str, bytes: usize) -> String {
    let mut s = String::from("<html><head><title>Большая страница</title></head><body>");
    s.push_str(&format!("<article>{}</article>", RU_ARTICLE));
    while s.len() < bytes {
        s.push_str(filler);
    }
    s.push_str("</body></html>");
    s
}

const RU_ARTICLE: &str =
    "<p>В Павлодаре состоялась внеочередная конференция областного филиала партии.</p>\
    <p>Председателем филиала избран Марат Кенжебаев, ранее работавший в акимате города.</p>\
    <p>Его кандидатуру поддержали все делегаты, принявшие участие в голосовании.</p>";

#[test]
fn five_megabyte_page_of_scripts_and_comments_is_handled() {
    let html = big_page(
        "<script>var x = '<div><div><div>';</script><!-- <div> comment -->",
        5 << 20,
    );
    assert!(html.len() >= 5 << 20);
    let a = extract(&html, "https://example.kz/big", &[], &opts()).unwrap();
    assert!(
        a.text
            .contains("Председателем филиала избран Марат Кенжебаев"),
        "{}",
        a.text
    );
}

#[test]
fn five_megabyte_page_of_markup_is_trimmed_to_the_limit() {
    let html = big_page(
        "<div class=\"teaser\"><a href=\"/n\">Другая новость дня</a></div>",
        5 << 20,
    );
    let o = ExtractOptions {
        max_html_bytes: 200_000,
        generic: GenericEngine::Readability,
        ..opts()
    };
    let a = extract(&html, "https://example.kz/big", &[], &o).unwrap();
    assert!(
        a.text.contains("В Павлодаре"),
        "{}",
        &a.text[..a.text.len().min(500)]
    );
    assert!(a.text.len() < 200_000);
    // Above the input limit the page is refused with a clear error.
    let o = ExtractOptions {
        max_input_bytes: 1 << 20,
        ..opts()
    };
    match extract(&html, "https://example.kz/big", &[], &o) {
        Err(ExtractError::TooLarge { size, limit }) => {
            assert_eq!(limit, 1 << 20);
            assert_eq!(size, html.len());
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

#[test]
fn hundred_thousand_deep_nesting_is_flattened_without_overflow() {
    let n = 100_000;
    for (open, close) in [
        ("<div>", "</div>"),
        ("<span><b>", "</b></span>"),
        ("<div>", ""),
    ] {
        let html = format!(
            "<html><body>{}{}{}</body></html>",
            open.repeat(n),
            RU_ARTICLE,
            close.repeat(n)
        );
        let start = std::time::Instant::now();
        let a = extract(&html, "https://example.kz/deep", &[], &opts()).unwrap();
        assert!(
            a.text.contains("Председателем филиала избран"),
            "{open}: {}",
            a.text
        );
        assert!(
            start.elapsed().as_secs() < 60,
            "{open}: took {:?}",
            start.elapsed()
        );
    }
}

#[test]
fn empty_page_is_a_no_text_error() {
    let err = extract(
        "<html><head><title>Видео</title></head><body><nav></nav><script>play()</script></body></html>",
        "https://e.kz/",
        &[],
        &opts(),
    )
        .unwrap_err();
    assert!(matches!(err, ExtractError::NoText { .. }), "{err}");
}

#[test]
fn invalid_rule_selector_is_reported() {
    let bad = SiteRule {
        host: "e.kz".into(),
        content: vec!["div[".into()],
        ..Default::default()
    };
    let err = validate_rules(&[bad]).unwrap_err();
    assert!(err.to_string().contains("div["), "{err}");
}

#[test]
fn benchmark_subset_runs_and_writes_predictions() {
    let dir = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/extraction-benchmark"
    ));
    if !dir.join("html").exists() {
        eprintln!("skipping: {} not present", dir.display());
        return;
    }
    // A three-page copy keeps the debug-build test fast.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("html")).unwrap();
    let mut names: Vec<_> = std::fs::read_dir(dir.join("html"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for p in names.iter().take(3) {
        std::fs::copy(p, tmp.path().join("html").join(p.file_name().unwrap())).unwrap();
    }
    std::fs::copy(
        dir.join("ground-truth.json"),
        tmp.path().join("ground-truth.json"),
    )
    .unwrap();
    let out = tmp.path().join("pred.json");
    let r = run_benchmark(tmp.path(), &out).unwrap();
    assert_eq!(r.pages, 3);
    assert!(
        r.to_string()
            .starts_with("engine=combined pages=3 failures=0"),
        "{r}"
    );
    assert!(r.pages_per_sec > 0.0);
    let pred: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let obj = pred.as_object().unwrap();
    assert_eq!(obj.len(), 3);
    assert!(obj
        .values()
        .all(|v| v["articleBody"].as_str().is_some_and(|s| s.len() > 100)));
}

#[test]
fn shipped_rule_picks_the_tengrinews_body() {
    let html = r#"<html><head><meta property="og:site_name" content="Tengrinews.kz"></head><body>
        <div class="main-news_top_item"><span class="main-news_top_item_title">Соседняя новость в ленте</span></div>
        <h1 class="head-single">Сменился председатель филиала</h1>
        <div class="content_main_text">
          <p>Первый абзац: в Атырау избран новый председатель областного филиала партии.</p>
          <div class="content_main_text_tags"><a href="/tag/1">Тег партии</a></div>
          <p>Второй абзац: решение приняли делегаты конференции.</p>
        </div></body></html>"#;
    let a = extract(
        html,
        "https://kaz.tengrinews.kz/news/1/",
        &shipped_site_rules(),
        &opts(),
    )
    .unwrap();
    assert_eq!(
        a.text,
        "Первый абзац: в Атырау избран новый председатель областного филиала партии.\n\
         Второй абзац: решение приняли делегаты конференции."
    );
    assert_eq!(a.title.as_deref(), Some("Сменился председатель филиала"));
    assert_eq!(a.outlet.as_deref(), Some("Tengrinews.kz"));
}

#[test]
fn language_comes_from_the_text_not_the_site_claim() {
    // A Kazakh article on a page whose template says lang="ru".
    let html = KK.replace("<html lang=\"kk\">", "<html lang=\"ru\">");
    let a = extract(&html, "https://dala.example.kz/ru/x", &[], &opts()).unwrap();
    assert_eq!(a.lang, Some(Lang::Kk));
}
