use super::*;

#[test]
fn shipped_example_parses_and_names_the_real_outlets() {
    let c = parse(EXAMPLE).unwrap_or_else(|p| panic!("example config is invalid: {p:?}"));
    let urls: Vec<&str> = c.feeds.iter().map(|f| f.url.as_str()).collect();
    for must in [
        "https://www.inform.kz/rss/rus.xml",
        "https://www.inform.kz/rss/kaz.xml",
        "https://www.inform.kz/rss/eng.xml",
        "https://tengrinews.kz/news.rss",
        "https://kaz.tengrinews.kz/news.xml",
        "https://www.zakon.kz/rss/news.xml",
        "https://kazpravda.kz/rss",
        "https://egemen.kz/rss",
        "https://rus.azattyq.org/api/zrqiteuuir",
        "https://vlast.kz/rss",
        "https://www.nur.kz/rss/all.rss",
        "https://informburo.kz/rss",
        "https://kz.kursiv.media/feed/",
        "https://astanatimes.com/feed/",
    ] {
        assert!(urls.contains(&must), "missing feed {must}");
    }
    assert_eq!(c.api.bind, "127.0.0.1:8077");
    assert_eq!(c.digests.len(), 1);
    assert!(!c.polling.allow_private_addresses);
}

#[test]
fn three_mistakes_are_all_reported_with_keys_and_lines() {
    let text = r#"
[polling]
default_interval_secs = 900
min_interval_secs = 600
max_interval_secs = 300

[[feeds]]
name = "a"
url = "not a url"

[[feeds]]
nmae = "b"
url = "https://example.kz/rss"
"#;
    let problems = parse(text).unwrap_err();
    let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
    assert!(keys.contains(&"polling.min_interval_secs"), "{problems:?}");
    assert!(keys.contains(&"feeds[0].url"), "{problems:?}");
    assert!(
        keys.iter().any(|k| k.starts_with("feeds[1]")),
        "{problems:?}"
    );
    assert!(problems.len() >= 3, "{problems:?}");
    let url = problems.iter().find(|p| p.key == "feeds[0].url").unwrap();
    assert_eq!(url.line, Some(9), "{url}");
    let typo = problems
        .iter()
        .find(|p| p.key.starts_with("feeds[1]"))
        .unwrap();
    assert!(typo.message.contains("nmae"), "{typo}");
}

#[test]
fn syntax_error_names_its_line() {
    let problems = parse("[polling]\ndefault_interval_secs = = 3\n").unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].line, Some(2), "{}", problems[0]);
}

#[test]
fn unknown_sections_and_duplicate_feeds_are_reported() {
    let text = r#"
[polling]
default_interval_secs = 900
[storrage]
database = "x"
[[feeds]]
name = "a"
url = "https://example.kz/rss"
[[feeds]]
name = "a"
url = "https://example.kz/rss"
"#;
    let problems = parse(text).unwrap_err();
    let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
    assert!(keys.contains(&"storrage"), "{problems:?}");
    assert!(keys.contains(&"feeds[1].name"), "{problems:?}");
    assert!(keys.contains(&"feeds[1].url"), "{problems:?}");
}

#[test]
fn public_api_bind_requires_a_token() {
    if std::env::var_os("BRANCHWATCH_API_TOKEN").is_some() {
        eprintln!("skipped: BRANCHWATCH_API_TOKEN is set in this environment");
        return;
    }
    let problems = parse("[api]\nbind = \"0.0.0.0:8077\"\n").unwrap_err();
    assert_eq!(problems[0].key, "api.bind");
    assert!(problems[0].message.contains("token"));
    let ok = parse("[api]\nbind = \"0.0.0.0:8077\"\ntoken_file = \"/run/t\"\n");
    assert!(ok.is_ok(), "{ok:?}");
}

#[cfg(unix)]
#[test]
fn world_writable_file_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(&path, "[polling]\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
    let err = load_file(&path).unwrap_err();
    assert!(matches!(err, ConfigError::WorldWritable { .. }), "{err}");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    assert!(load_file(&path).is_ok());
}

#[test]
fn relative_database_goes_under_state_directory() {
    let s = Storage {
        database: PathBuf::from("/abs/db.sqlite"),
    };
    assert_eq!(s.database_path(), PathBuf::from("/abs/db.sqlite"));
}

#[test]
fn html_and_telegram_sources_parse_and_are_checked() {
    let ok = r#"
[[feeds]]
name = "amanat-akmola"
kind = "html"
url = "https://akmola.example/kk/news"
lang = "kk"
max_pages = 2
[feeds.select]
item = "div.news-item"
link = "a.title"
date = ".date"
next = "a.next"

[[feeds]]
name = "akmola-tg"
kind = "telegram"
channel = "akmola_news"
"#;
    let c = parse(ok).unwrap_or_else(|p| panic!("{p:?}"));
    assert_eq!(c.feeds[0].kind, FeedKind::Html);
    assert_eq!(
        c.feeds[0].select.as_ref().map(|s| s.item.as_str()),
        Some("div.news-item")
    );
    assert_eq!(c.feeds[1].kind, FeedKind::Telegram);
    assert_eq!(c.feeds[1].url, "https://t.me/s/akmola_news");
    assert_eq!(c.feeds[1].spec().url, "https://t.me/s/akmola_news");

    let bad = r#"
[[feeds]]
name = "a"
kind = "html"
url = "https://a.example/news"

[[feeds]]
name = "b"
kind = "html"
url = "https://b.example/news"
[feeds.select]
item = "div["
page_url = "/news?p=2"

[[feeds]]
name = "c"
kind = "telegram"
channel = "no/slashes"

[[feeds]]
name = "d"
url = "https://d.example/rss"
channel = "dnews"
"#;
    let problems = parse(bad).unwrap_err();
    let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    let has = |key: &str, words: &str| {
        problems
            .iter()
            .any(|p| p.key == key && p.message.contains(words))
    };
    assert!(has("feeds[0]", "needs a [feeds.select]"), "{text:#?}");
    assert!(has("feeds[1]", "select.item"), "{text:#?}");
    assert!(has("feeds[1]", "{page}"), "{text:#?}");
    assert!(has("feeds[2]", "username"), "{text:#?}");
    assert!(has("feeds[3]", "need kind"), "{text:#?}");
    assert!(problems.iter().all(|p| p.line.is_some()), "{text:#?}");
}
