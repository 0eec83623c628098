//! `branchwatch feeds test NAME` and `feeds discover URL`, run as the binary
//! against list pages and a channel preview served on 127.0.0.1.

mod fetch_support;

use fetch_support::{serve, Reply, TestServer};
use std::path::Path;
use std::process::Output;

const BIN: &str = env!("CARGO_BIN_EXE_branchwatch");

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sources")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

async fn site() -> TestServer {
    serve(|req| {
        let page =
            |n: &str| Reply::ok(fixture(n)).header("Content-Type", "text/html; charset=utf-8");
        match req.path.as_str() {
            "/kk/news" => page("party_kk_p1.html"),
            "/kk/new-design" => page("party_kk_redesign.html"),
            "/ru/news" => page("party_ru_p1.html"),
            "/s/akmola_press" => page("tg_page1.html"),
            _ => Reply::new(404),
        }
    })
    .await
}

fn config(dir: &Path, server: &TestServer) -> std::path::PathBuf {
    let text = format!(
        r#"[storage]
database = "{db}"

[polling]
allow_private_addresses = true
per_host_spacing_ms = 0

[api]
enabled = false

[[feeds]]
name = "amanat-akmola-kk"
kind = "html"
url = "{kk}"
[feeds.select]
item = "div.news-item"
link = "a.news-item__title"
date = ".news-item__date"
summary = "p.news-item__lead"
next = "a.pager__next"

[[feeds]]
name = "amanat-akmola-redesigned"
kind = "html"
url = "{redesign}"
[feeds.select]
item = "div.news-item"
link = "a.news-item__title"

[[feeds]]
name = "akmola-tg"
kind = "telegram"
channel = "akmola_press"
url = "{tg}"
"#,
        db = dir.join("bw.sqlite").display(),
        kk = server.url("/kk/news"),
        redesign = server.url("/kk/new-design"),
        tg = server.url("/s/akmola_press"),
    );
    let path = dir.join("branchwatch.toml");
    std::fs::write(&path, text).unwrap();
    path
}

async fn run(cfg: &Path, args: &[&str]) -> Output {
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.arg("--config")
        .arg(cfg)
        .args(args)
        .env_remove("RUST_LOG");
    cmd.output().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_test_prints_what_the_selectors_found_or_why_not() {
    let server = site().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &server);

    let ok = run(&cfg, &["feeds", "test", "amanat-akmola-kk"]).await;
    let out = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(out.contains("5 matched"), "{out}");
    assert!(
        out.contains("in 5 of 5 items (0 not read as a date)"),
        "{out}"
    );
    assert!(out.contains("«Бүгін, 09:30»"), "{out}");
    assert!(out.contains("Жастар қанатының кездесуі өтті"), "{out}");
    assert!(out.contains(&server.url("/kk/news?page=2")), "{out}");
    assert!(out.contains("5 item(s):"), "{out}");

    let bad = run(&cfg, &["feeds", "test", "amanat-akmola-redesigned"]).await;
    let err = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(2), "{err}");
    assert!(
        err.contains("item selector \"div.news-item\" matches nothing"),
        "{err}"
    );

    let tg = run(&cfg, &["feeds", "test", "akmola-tg"]).await;
    let out = String::from_utf8_lossy(&tg.stdout);
    assert!(
        tg.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&tg.stderr)
    );
    assert!(out.contains("20 post(s)"), "{out}");
    assert!(out.contains("#130"), "{out}");
    assert!(out.contains("nothing to read"), "{out}");
    assert!(out.contains("?before=121"), "{out}");

    let missing = run(&cfg, &["feeds", "test", "nope"]).await;
    assert_eq!(missing.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discover_proposes_a_list_entry_that_feeds_test_accepts() {
    let server = site().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &server);
    let d = run(&cfg, &["feeds", "discover", &server.url("/ru/news")]).await;
    let out = String::from_utf8_lossy(&d.stdout);
    assert!(
        d.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&d.stderr)
    );
    assert!(out.contains("No feed found"), "{out}");
    assert!(out.contains("kind = \"html\""), "{out}");
    assert!(out.contains("item = \"li.articles__row\""), "{out}");
    // The proposed entry, appended to the config, passes `feeds test`.
    let entry = out
        .split_once("[[feeds]]")
        .map(|(_, rest)| format!("\n[[feeds]]{rest}"))
        .unwrap();
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str(&entry);
    std::fs::write(&cfg, text).unwrap();
    let name = format!("{}-news", "127.0.0.1");
    let t = run(&cfg, &["feeds", "test", &name]).await;
    let out = String::from_utf8_lossy(&t.stdout);
    assert!(
        t.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&t.stderr)
    );
    assert!(out.contains("4 item(s):"), "{out}");
    assert!(
        server.requests_to("/rss").len() == 1,
        "common feed paths are tried"
    );
}
