use super::*;
use proptest::prelude::*;
use std::collections::HashSet;

const BASE: &str = "https://news.example.kz/rss";

fn rss(items: &[(&str, &str, &str)]) -> String {
    // (guid, link, title)
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Жаңалықтар</title><ttl>15</ttl>\n",
    );
    for (g, l, t) in items {
        s.push_str("<item>");
        if !g.is_empty() {
            s.push_str(&format!("<guid isPermaLink=\"false\">{g}</guid>"));
        }
        if !l.is_empty() {
            s.push_str(&format!("<link>{l}</link>"));
        }
        s.push_str(&format!(
            "<title>{t}</title><pubDate>Mon, 02 Mar 2026 09:00:00 +0500</pubDate></item>\n"
        ));
    }
    s.push_str("</channel></rss>");
    s
}

fn keys(xml: &str) -> Vec<String> {
    parse_str(xml, BASE)
        .unwrap()
        .items
        .into_iter()
        .map(|i| i.key)
        .collect()
}

fn distinct(v: &[String]) -> usize {
    v.iter().collect::<HashSet<_>>().len()
}

#[test]
fn rss2_fields_are_extracted() {
    let xml = rss(&[("a1", "/news/1?utm_source=rss", "Бірінші &amp; жаңа")]);
    let f = parse_str(&xml, BASE).unwrap();
    assert_eq!(f.title.as_deref(), Some("Жаңалықтар"));
    assert_eq!(f.ttl_minutes, Some(15));
    let it = &f.items[0];
    assert_eq!(it.guid.as_deref(), Some("a1"));
    // Relative link resolved against the feed URL.
    assert_eq!(
        it.link.as_deref(),
        Some("https://news.example.kz/news/1?utm_source=rss")
    );
    assert_eq!(it.title.as_deref(), Some("Бірінші & жаңа"));
    assert_eq!(
        it.published.unwrap().to_rfc3339(),
        "2026-03-02T04:00:00+00:00"
    );
    assert_eq!(it.key, "u:https://news.example.kz/news/1");
}

#[test]
fn atom_rss1_and_json_feed_parse() {
    let atom = r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:x</id><updated>2026-03-01T00:00:00Z</updated>
<entry><id>urn:e1</id><title type="html">&lt;b&gt;Төраға&lt;/b&gt; сайланды</title><link rel="self" href="https://a.kz/self"/><link rel="alternate" href="https://a.kz/e1"/><updated>2026-03-01T00:00:00Z</updated><summary type="html">&lt;p&gt;Мәтін &lt;script&gt;x()&lt;/script&gt;бар&lt;/p&gt;</summary></entry></feed>"#;
    let f = parse_str(atom, BASE).unwrap();
    assert_eq!(f.items.len(), 1);
    assert_eq!(f.items[0].title.as_deref(), Some("Төраға сайланды"));
    assert_eq!(f.items[0].link.as_deref(), Some("https://a.kz/e1"));
    assert_eq!(f.items[0].summary.as_deref(), Some("Мәтін бар"));

    let rdf = r#"<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="https://r.kz/"><title>R</title><link>https://r.kz/</link><description>d</description></channel>
<item rdf:about="https://r.kz/1"><title>Бір</title><link>https://r.kz/1</link></item>
<item rdf:about="https://r.kz/2"><title>Екі</title><link>https://r.kz/2</link></item></rdf:RDF>"#;
    let f = parse_str(rdf, BASE).unwrap();
    assert_eq!(f.items.len(), 2);
    assert_eq!(f.items[1].link.as_deref(), Some("https://r.kz/2"));

    let rss091 = r#"<rss version="0.91"><channel><title>Old</title><link>https://o.kz</link><description>d</description>
<item><title>Ескі</title><link>https://o.kz/1</link></item></channel></rss>"#;
    assert_eq!(
        parse_str(rss091, BASE).unwrap().items[0].title.as_deref(),
        Some("Ескі")
    );

    let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[
{"id":"7","url":"https://j.kz/7","title":"Жеті","content_text":"мәтін","date_published":"2026-03-01T10:00:00+05:00"}]}"#;
    let f = parse_str(json, BASE).unwrap();
    assert_eq!(f.title.as_deref(), Some("J"));
    assert_eq!(f.items[0].link.as_deref(), Some("https://j.kz/7"));
    assert_eq!(f.items[0].guid.as_deref(), Some("7"));
    assert_eq!(f.items[0].key, "u:https://j.kz/7");
}

#[test]
fn legacy_encodings_from_bytes_follow_the_declaration() {
    let body = "<?xml version=\"1.0\" encoding=\"windows-1251\"?><rss version=\"2.0\"><channel><title>Новости</title>\
<item><title>Председатель филиала избран</title><link>https://x.kz/1</link></item></channel></rss>";
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(body);
    let f = parse(&bytes, BASE).unwrap();
    assert_eq!(f.title.as_deref(), Some("Новости"));
    assert_eq!(
        f.items[0].title.as_deref(),
        Some("Председатель филиала избран")
    );

    let koi = body.replace("windows-1251", "koi8-r");
    let (bytes, _, _) = encoding_rs::KOI8_R.encode(&koi);
    let f = parse(&bytes, BASE).unwrap();
    assert_eq!(
        f.items[0].title.as_deref(),
        Some("Председатель филиала избран")
    );

    // UTF-8 Kazakh with a BOM and a declaration naming another charset
    // after decoding: the declaration must not make feed-rs re-decode.
    let kk = "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>әғқңөұүһі</title></channel></rss>";
    assert_eq!(
        parse(kk.as_bytes(), BASE).unwrap().title.as_deref(),
        Some("әғқңөұүһі")
    );
    let decoded_1251 = body.to_string();
    assert_eq!(
        parse_str(&decoded_1251, BASE).unwrap().items[0]
            .title
            .as_deref(),
        Some("Председатель филиала избран")
    );
}

#[test]
fn constant_guid_falls_back_to_links_without_collapsing() {
    let xml = rss(&[
        ("same", "https://x.kz/a", "A"),
        ("same", "https://x.kz/b", "B"),
        ("same", "https://x.kz/c", "C"),
    ]);
    let k = keys(&xml);
    assert_eq!(distinct(&k), 3, "{k:?}");
    assert_eq!(k, keys(&xml), "stable across fetches");
    assert!(k.iter().all(|k| k.starts_with("u:")));
}

#[test]
fn churning_guids_with_fixed_links_give_stable_keys() {
    let fetch = |n: u32| {
        keys(&rss(&[
            (
                &format!("session-{n}-1"),
                "https://x.kz/a?utm_campaign=x",
                "A",
            ),
            (&format!("session-{n}-2"), "https://X.KZ/b/", "B"),
            (&format!("session-{n}-3"), "https://x.kz/c#comments", "C"),
        ]))
    };
    let first = fetch(1);
    assert_eq!(distinct(&first), 3);
    assert_eq!(first, fetch(2));
    assert_eq!(first, fetch(77));
}

#[test]
fn shared_links_use_trustworthy_guids_else_title_and_date() {
    // Every item links to the front page but GUIDs are unique: GUIDs win.
    let xml = rss(&[("n1", "https://x.kz/", "A"), ("n2", "https://x.kz/", "B")]);
    let k = keys(&xml);
    assert_eq!(k, vec!["g:n1".to_string(), "g:n2".to_string()]);

    // Shared links and a constant GUID: neither identifies; titles do.
    let xml = rss(&[
        ("c", "https://x.kz/", "A"),
        ("c", "https://x.kz/", "B"),
        ("c", "https://x.kz/", "C"),
    ]);
    let k = keys(&xml);
    assert_eq!(distinct(&k), 3);
    assert!(k.iter().all(|k| k.starts_with("h:")));
    assert_eq!(k, keys(&xml));

    // No links, no GUIDs.
    let xml = rss(&[("", "", "A"), ("", "", "B")]);
    let k = keys(&xml);
    assert_eq!(distinct(&k), 2);
    assert_eq!(k, keys(&xml));
}

#[test]
fn normalize_url_rules() {
    let n = normalize_url;
    assert_eq!(
        n("HTTPS://News.Example.KZ:443/a/b/?utm_source=x&id=5&fbclid=y#top"),
        "https://news.example.kz/a/b?id=5"
    );
    assert_eq!(n("https://x.kz/?gclid=1"), "https://x.kz/");
    assert_eq!(n("https://x.kz"), "https://x.kz/");
    assert_eq!(n("http://x.kz:8080/p/"), "http://x.kz:8080/p");
    assert_eq!(n("https://x.kz/p?b=2&a=1"), "https://x.kz/p?b=2&a=1");
    assert_eq!(n("  not a url "), "not a url");
}

#[test]
fn entity_expansion_bomb_is_not_expanded() {
    let mut xml =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY a \"aaaaaaaaaa\">\n");
    let mut prev = "a".to_string();
    for i in 0..10 {
        let name = format!("e{i}");
        xml.push_str(&format!(
            "<!ENTITY {name} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
        prev = name;
    }
    xml.push_str(&format!(
        "]>\n<rss version=\"2.0\"><channel><title>&{prev};</title><item><title>&{prev};</title><link>https://x.kz/1</link></item></channel></rss>"
    ));
    let started = std::time::Instant::now();
    let result = parse_str(&xml, BASE);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // Either rejected or parsed with the entity left unexpanded; never 10^11 bytes.
    if let Ok(f) = result {
        let total: usize = f
            .items
            .iter()
            .map(|i| i.title.as_deref().unwrap_or("").len())
            .sum::<usize>()
            + f.title.as_deref().unwrap_or("").len();
        assert!(total < 1000, "expanded to {total} bytes");
    }
}

#[test]
fn external_entities_are_not_resolved() {
    let xml = r#"<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>t</title><item><title>a &xxe; b</title><link>https://x.kz/1</link></item></channel></rss>"#;
    if let Ok(f) = parse_str(xml, BASE) {
        let t = f.items[0].title.clone().unwrap_or_default();
        assert!(!t.contains("root:"), "{t}");
    }
}

#[test]
fn deep_nesting_is_refused_not_recursed() {
    let depth = 100_000;
    let xml = format!(
        "<rss version=\"2.0\"><channel><item><description>{}{}</description></item></channel></rss>",
        "<d>".repeat(depth),
        "</d>".repeat(depth)
    );
    assert!(matches!(parse_str(&xml, BASE), Err(FeedError::TooDeep(_))));
    // Unclosed, and behind leading junk that feed-rs skips.
    let xml = format!(
        "junk <rss version=\"2.0\"><channel>{}",
        "<x>".repeat(70_000)
    );
    assert!(matches!(parse_str(&xml, BASE), Err(FeedError::TooDeep(_))));
    // Ordinary nesting (inline XHTML in Atom) is fine.
    let ok = format!(
        "<rss version=\"2.0\"><channel><item><title>t</title><description>{}x{}</description></item></channel></rss>",
        "<div>".repeat(50),
        "</div>".repeat(50)
    );
    assert_eq!(parse_str(&ok, BASE).unwrap().items.len(), 1);
}

#[test]
fn malformed_documents_are_errors() {
    for bad in [
        "",
        "hello",
        "<html><body>not a feed</body></html>",
        "<rss version=\"2.0\"><channel><item><title>unterminated",
        "{\"version\": 3}",
        "{\"not\": \"a feed\"",
        "<?xml version=\"1.0\"?>",
    ] {
        let r = parse_str(bad, BASE);
        assert!(
            r.is_err() || r.as_ref().is_ok_and(|f| f.items.is_empty()),
            "{bad:?} → {r:?}"
        );
    }
    assert_eq!(
        parse_str("<html><body>not a feed</body></html>", BASE)
            .unwrap_err()
            .kind(),
        "feed_parse"
    );
}

#[test]
fn opml_round_trip_and_nested_outlines() {
    let feeds = vec![
        crate::model::FeedSpec {
            name: "Kazinform \"kk\" & <ru>".into(),
            url: "https://www.inform.kz/rss/kaz.xml?a=1&b=2".into(),
            lang: Some(crate::model::Lang::Kk),
            poll_interval_secs: Some(900),
        },
        crate::model::FeedSpec {
            name: "Tengrinews".into(),
            url: "https://tengrinews.kz/news.rss".into(),
            lang: None,
            poll_interval_secs: None,
        },
    ];
    let xml = opml::write(&feeds);
    assert_eq!(opml::parse(&xml).unwrap(), feeds);

    let foreign = r#"<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>
<outline text="News"><outline text="Inner" type="rss" xmlUrl="https://a.kz/rss" htmlUrl="https://a.kz"/></outline>
<outline text="no url"/></body></opml>"#;
    let got = opml::parse(foreign).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].name, "Inner");
    assert_eq!(got[0].url, "https://a.kz/rss");

    assert!(opml::parse("<html/>").is_err());
    assert!(opml::parse("<opml><body><outline xmlUrl=\"x\" </body>").is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse(&bytes, BASE);
    }

    #[test]
    fn parse_never_panics_on_feedlike_text(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("<rss version=\"2.0\">".to_string()),
                Just("<channel>".to_string()),
                Just("<item>".to_string()),
                Just("</item>".to_string()),
                Just("<guid>".to_string()),
                Just("</guid>".to_string()),
                Just("<link>".to_string()),
                Just("</link>".to_string()),
                Just("<feed xmlns=\"http://www.w3.org/2005/Atom\">".to_string()),
                Just("<entry>".to_string()),
                Just("<![CDATA[".to_string()),
                Just("]]>".to_string()),
                Just("&amp;".to_string()),
                Just("&#xD800;".to_string()),
                Just("<!DOCTYPE x [<!ENTITY e \"&e;\">]>".to_string()),
                Just("{\"version\":\"https://jsonfeed.org/version/1\",\"items\":[".to_string()),
                "[a-zа-яәғқңөұүһі:/<>&;\"' ]{0,12}",
            ],
            0..40,
        )
    ) {
        let text: String = parts.concat();
        let _ = parse_str(&text, BASE);
        let _ = opml::parse(&text);
    }

    #[test]
    fn normalize_url_is_idempotent(path in "[a-z0-9/]{0,12}", q in "[a-z_]{1,6}") {
        let u = format!("https://X.kz/{path}?{q}=1&utm_source=z#f");
        let once = normalize_url(&u);
        prop_assert_eq!(normalize_url(&once), once);
    }
}
