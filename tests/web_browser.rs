//! The web view in a real browser: `branchwatch demo --serve` fills a
//! database from the bundled sample news and serves it on loopback; headless
//! Chromium (Debian package `chromium`, installed by `.ci/run`) loads every
//! page, the rendered DOM is checked against the store, and screenshots of
//! the overview, a change and a region page are written under
//! `target/web-screenshots/` and checked not to be blank.
//!
//! A machine without Chromium fails this test, naming the package: a
//! browser test that passes without a browser would test nothing.

use branchwatch::model::{ChangeFilter, RosterFilter};
use branchwatch::store::Store;
use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

const CHROMIUM: &str = "/usr/bin/chromium";

/// The demo server child; killed (by its own pid) when dropped.
struct Demo {
    child: Child,
    base: String,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_demo(dir: &Path) -> Demo {
    let mut child = Command::new(env!("CARGO_BIN_EXE_branchwatch"))
        .args(["demo", "--serve", "--dir"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run branchwatch demo --serve");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut base = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("read demo output");
        if let Some(rest) = line.strip_prefix("web view: ") {
            base = rest
                .split_whitespace()
                .next()
                .map(|u| u.trim_end_matches('/').to_string());
            break;
        }
    }
    let base = base.expect("demo --serve prints the web view's URL");
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    Demo { child, base }
}

fn chromium(args: &[&str], url: &str) -> String {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: install the Debian package `chromium` (apt-get install -y chromium); .ci/run does"
    );
    let profile = tempfile::tempdir().expect("profile dir");
    let out = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .stderr(Stdio::null())
        .output()
        .expect("run chromium");
    assert!(out.status.success(), "chromium failed on {url}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn dom(url: &str) -> String {
    chromium(&["--dump-dom"], url)
}

fn screenshot_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("web-screenshots");
    std::fs::create_dir_all(&d).expect("create target/web-screenshots");
    d
}

/// Distinct RGB colours in a PNG (a blank page has one or two).
fn distinct_colours(path: &Path) -> usize {
    let file = std::fs::File::open(path).expect("open screenshot");
    let mut decoder = png::Decoder::new(file);
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("a PNG frame");
    let channels = info.color_type.samples();
    let mut seen = HashSet::new();
    for px in buf[..info.buffer_size()].chunks(channels) {
        let rgb = match channels {
            1 | 2 => (px[0], px[0], px[0]),
            _ => (px[0], px[1], px[2]),
        };
        seen.insert(rgb);
    }
    seen.len()
}

fn shoot(name: &str, url: &str) -> PathBuf {
    let path = screenshot_dir().join(format!("{name}.png"));
    let _ = std::fs::remove_file(&path);
    chromium(
        &[
            &format!("--screenshot={}", path.display()),
            "--window-size=1280,1600",
        ],
        url,
    );
    let colours = distinct_colours(&path);
    assert!(
        colours >= 50,
        "{} looks blank ({colours} colours)",
        path.display()
    );
    eprintln!("screenshot {} ({colours} colours)", path.display());
    path
}

fn rows(dom: &str, marker: &str) -> usize {
    dom.matches(marker).count()
}

#[test]
fn every_page_in_headless_chromium() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = start_demo(dir.path());
    let store =
        Store::open_read_only(&dir.path().join("branchwatch.sqlite")).expect("demo database");
    let changes = store.changes(&ChangeFilter::default()).expect("changes");
    assert!(
        changes.len() >= 13,
        "the demo finds its 13+ changes, got {}",
        changes.len()
    );
    let base = &demo.base;

    // Overview: all 20 units on the map, the latest changes, the chart.
    let overview = dom(&format!("{base}/"));
    let map_links = (10..=79)
        .filter(|n| overview.contains(&format!("id=\"map-KZ-{n}\"")))
        .count();
    assert_eq!(map_links, 20, "map shapes");
    assert!(
        overview.contains("<svg class=\"timeline\""),
        "timeline chart"
    );
    assert!(rows(&overview, "class=\"change-row") >= 13);

    // Changes: every change of the demo, one row each.
    let list = dom(&format!("{base}/changes"));
    assert_eq!(rows(&list, "class=\"change-row"), changes.len());
    for c in &changes {
        assert!(
            list.contains(&format!("id=\"change-{}\"", c.id)),
            "change {} listed",
            c.id
        );
    }
    let filtered = dom(&format!("{base}/changes?party=AMANAT&lang=ru"));
    let amanat = changes.iter().filter(|c| c.party == "AMANAT").count();
    assert_eq!(rows(&filtered, "class=\"change-row"), amanat);
    assert!(filtered.contains("<html lang=\"ru\">"));

    // A change: its person, every source and the evidence.
    let c = changes
        .iter()
        .max_by_key(|c| c.sources.len())
        .expect("a change");
    let page = dom(&format!("{base}/change/{}", c.id));
    assert!(page.contains(&c.person), "change page names {}", c.person);
    assert_eq!(rows(&page, "<article class=\"source\">"), c.sources.len());

    // Region KZ-33 (Jetisu): every post of its roster with its holder.
    let region = dom(&format!("{base}/region/KZ-33"));
    let roster = store
        .roster(&RosterFilter {
            region: Some("KZ-33".into()),
            ..RosterFilter::default()
        })
        .expect("roster");
    assert!(!roster.is_empty(), "the demo has KZ-33 branches");
    assert_eq!(rows(&region, "class=\"roster-row\""), roster.len());
    for e in &roster {
        let shown = e.holder.as_deref().unwrap_or("vacant");
        assert!(region.contains(shown), "KZ-33 lists {shown}");
    }
    assert!(
        roster
            .iter()
            .any(|e| e.role == branchwatch::model::Role::Chair),
        "KZ-33 has a chair's post"
    );

    // A person, the feeds.
    let person = dom(&format!(
        "{base}/person?name={}",
        url::form_urlencoded::byte_serialize(c.person.as_bytes()).collect::<String>()
    ));
    assert!(
        person.contains("class=\"post-row\""),
        "person page lists posts"
    );
    let feeds = dom(&format!("{base}/feeds"));
    let feed_count = store.feeds().expect("feeds").len();
    assert_eq!(rows(&feeds, "class=\"feed-row"), feed_count);
    assert!(
        feeds.contains("state-failing"),
        "the malformed demo feed shows as failing"
    );

    shoot("overview", &format!("{base}/"));
    shoot("change", &format!("{base}/change/{}", c.id));
    shoot("region-KZ-33", &format!("{base}/region/KZ-33"));
    eprintln!("browser test took {:.1}s", started.elapsed().as_secs_f64());
}
