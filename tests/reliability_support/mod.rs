//! Shared pieces of the reliability tests: a generated news site (20 feeds,
//! 300 articles, a known share of them reporting leadership changes in
//! Russian, Kazakh and English) served over HTTP from 127.0.0.1, the real
//! `branchwatch` binary as a child process, and readers for the SQLite file
//! and the Maildir that the tests compare.
//!
//! Everything here is deterministic except what the tests seed on purpose:
//! the site is the same in every run, so two databases filled from it can
//! be compared row set by row set.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_branchwatch");

pub const FEEDS: usize = 20;
pub const ITEMS_PER_FEED: usize = 15;
/// Articles that report a change, each a different person.
pub const CHANGE_ARTICLES: usize = 45;
/// Second reports (another outlet, another URL) of the first few changes.
pub const SECOND_REPORTS: usize = 8;

/// (Russian genitive adjective, Kazakh name, English name) of regions.
const REGIONS: &[(&str, &str, &str)] = &[
    ("Карагандинского", "Қарағанды", "Karaganda"),
    ("Павлодарского", "Павлодар", "Pavlodar"),
    ("Костанайского", "Қостанай", "Kostanay"),
    ("Акмолинского", "Ақмола", "Akmola"),
    ("Атырауского", "Атырау", "Atyrau"),
    ("Мангистауского", "Маңғыстау", "Mangystau"),
    ("Туркестанского", "Түркістан", "Turkistan"),
    ("Жамбылского", "Жамбыл", "Jambyl"),
    ("Кызылординского", "Қызылорда", "Kyzylorda"),
    (
        "Северо-Казахстанского",
        "Солтүстік Қазақстан",
        "North Kazakhstan",
    ),
    (
        "Восточно-Казахстанского",
        "Шығыс Қазақстан",
        "East Kazakhstan",
    ),
    (
        "Западно-Казахстанского",
        "Батыс Қазақстан",
        "West Kazakhstan",
    ),
    ("Актюбинского", "Ақтөбе", "Aktobe"),
    ("Улытауского", "Ұлытау", "Ulytau"),
];

/// (Cyrillic, Latin) given names and surnames; all invented combinations.
const GIVEN: &[(&str, &str)] = &[
    ("Ерлан", "Erlan"),
    ("Асхат", "Askhat"),
    ("Бекзат", "Bekzat"),
    ("Данияр", "Daniyar"),
    ("Нурлан", "Nurlan"),
    ("Марат", "Marat"),
    ("Серик", "Serik"),
    ("Тимур", "Timur"),
    ("Канат", "Kanat"),
    ("Руслан", "Ruslan"),
    ("Айдос", "Aidos"),
    ("Ержан", "Yerzhan"),
    ("Азамат", "Azamat"),
    ("Болат", "Bolat"),
    ("Арман", "Arman"),
];
const FAMILY: &[(&str, &str)] = &[
    ("Жаксылыков", "Zhaksylykov"),
    ("Темирбаев", "Temirbayev"),
    ("Аманжолов", "Amanzholov"),
    ("Кудайбергенов", "Kudaibergenov"),
    ("Есенжанов", "Yessenzhanov"),
    ("Мукашев", "Mukashev"),
    ("Сарсенбаев", "Sarsenbayev"),
    ("Тлеубердин", "Tleuberdin"),
    ("Омарбеков", "Omarbekov"),
    ("Ибраев", "Ibrayev"),
    ("Нуртазин", "Nurtazin"),
    ("Бектуров", "Bekturov"),
    ("Сейткалиев", "Seitkaliyev"),
    ("Курмангалиев", "Kurmangaliyev"),
    ("Абилов", "Abilov"),
];

/// One generated article.
#[derive(Clone, Debug)]
pub struct Story {
    pub path: String,
    pub title: String,
    /// The sentence that carries the news (also the item's description).
    pub lead: String,
    pub body: Vec<String>,
    pub lang: &'static str,
    /// Index into the change list when the article reports one.
    pub change: Option<usize>,
}

/// The person of change `k`, in the script the article uses.
pub fn person(k: usize) -> (String, String) {
    let g = GIVEN[k % GIVEN.len()];
    let f = FAMILY[(k % FAMILY.len() + 4 * (k / FAMILY.len())) % FAMILY.len()];
    (format!("{} {}", g.0, f.0), format!("{} {}", g.1, f.1))
}

fn change_story(k: usize, second: bool) -> Story {
    let (cyr, lat) = person(k);
    let region = REGIONS[k % REGIONS.len()];
    let lang = ["ru", "kk", "en"][k % 3];
    let amanat = k % 2 == 0;
    let (title, lead) = match (lang, amanat) {
        ("ru", true) => (
            format!(
                "{cyr} возглавил {} филиал AMANAT",
                region.0.replace("ского", "ский")
            ),
            format!(
                "Председателем {} областного филиала партии «AMANAT» избран {cyr}.",
                region.0
            ),
        ),
        ("ru", false) => (
            format!("Новый председатель филиала «Ак жол»: {cyr}"),
            format!(
                "Председателем {} областного филиала партии «Ак жол» избран {cyr}.",
                region.0
            ),
        ),
        ("kk", true) => (
            format!("{cyr} AMANAT филиалын басқарады"),
            format!(
                "{cyr} «AMANAT» партиясы {} облыстық филиалының төрағасы болып сайланды.",
                region.1
            ),
        ),
        ("kk", false) => (
            format!("«Ақ жол» филиалына жаңа төраға: {cyr}"),
            format!(
                "{cyr} «Ақ жол» партиясы {} облыстық филиалының төрағасы болып сайланды.",
                region.1
            ),
        ),
        (_, true) => (
            format!("{lat} to lead AMANAT in {} Region", region.2),
            format!(
                "{lat} has been elected chairman of the {} regional branch of the AMANAT party.",
                region.2
            ),
        ),
        (_, false) => (
            format!("Ak Zhol {} branch elects {lat}", region.2),
            format!(
                "{lat} has been elected chairman of the {} regional branch of the Ak Zhol party.",
                region.2
            ),
        ),
    };
    let filler = match lang {
        "ru" => vec![
            "Решение принято на внеочередной конференции филиала.".to_string(),
            "Делегаты обсудили планы работы на следующий год.".to_string(),
        ],
        "kk" => vec![
            "Шешім филиалдың кезектен тыс конференциясында қабылданды.".to_string(),
            "Делегаттар келесі жылғы жұмыс жоспарын талқылады.".to_string(),
        ],
        _ => vec![
            "The decision was taken at an extraordinary conference of the branch.".to_string(),
            "Delegates discussed the work plan for the coming year.".to_string(),
        ],
    };
    let path = if second {
        format!("/second/{k}.html")
    } else {
        format!("/news/{lang}/{k}.html")
    };
    let title = if second {
        format!("{title} (обзор)")
    } else {
        title
    };
    Story {
        path,
        title,
        lead,
        body: filler,
        lang,
        change: Some(k),
    }
}

fn filler_story(n: usize) -> Story {
    let lang = ["ru", "kk", "en"][n % 3];
    let (title, lead, body) = match lang {
        "ru" => (
            format!("Погода на выходные, выпуск {n}"),
            format!("Синоптики обещают до {} градусов тепла в выходные.", n % 30),
            vec![format!(
                "В горах возможен снег, сообщили в службе, выпуск {n}."
            )],
        ),
        "kk" => (
            format!("Ауа райы, {n}-шығарылым"),
            format!("Демалыс күндері {} градусқа дейін жылы болады.", n % 30),
            vec![format!("Тауларда қар жаууы мүмкін, {n}-хабар.")],
        ),
        _ => (
            format!("Football roundup number {n}"),
            format!("The home side won {}-{} on Saturday.", n % 5, n % 3),
            vec![format!("Attendance was reported at {} people.", 1000 + n)],
        ),
    };
    Story {
        path: format!("/misc/{lang}/{n}.html"),
        title,
        lead,
        body,
        lang,
        change: None,
    }
}

/// The whole site: stories per feed, and the fixed publication times.
pub struct Site {
    pub feeds: Vec<Vec<Story>>,
    pub by_path: HashMap<String, Story>,
    /// RFC 2822, fixed at construction so every fetch returns the same bytes.
    pub pub_date: String,
}

impl Site {
    pub fn generate() -> Site {
        let mut stories: Vec<Story> = (0..CHANGE_ARTICLES)
            .map(|k| change_story(k, false))
            .collect();
        stories.extend((0..SECOND_REPORTS).map(|k| change_story(k, true)));
        let total = FEEDS * ITEMS_PER_FEED;
        let mut n = 0;
        while stories.len() < total {
            stories.push(filler_story(n));
            n += 1;
        }
        // A fixed interleaving (not random: the site must be the same in every
        // run) that spreads change stories over all feeds, and puts a second
        // report in a different feed than the first.
        let mut feeds: Vec<Vec<Story>> = vec![Vec::new(); FEEDS];
        for (i, s) in stories.into_iter().enumerate() {
            let slot = (i * 7 + i / FEEDS) % FEEDS;
            let mut f = slot;
            while feeds[f].len() >= ITEMS_PER_FEED {
                f = (f + 1) % FEEDS;
            }
            feeds[f].push(s);
        }
        let by_path = feeds
            .iter()
            .flatten()
            .map(|s| (s.path.clone(), s.clone()))
            .collect();
        Site {
            feeds,
            by_path,
            pub_date: (chrono::Utc::now() - chrono::Duration::hours(2)).to_rfc2822(),
        }
    }

    pub fn rss(&self, base: &str, feed: usize) -> String {
        let mut s = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel>\
             <title>Outlet {feed}</title><link>{base}/</link><description>generated</description>\n"
        );
        for st in &self.feeds[feed] {
            s.push_str(&format!(
                "<item><title>{}</title><link>{base}{}</link><guid isPermaLink=\"false\">{}</guid>\
                 <pubDate>{}</pubDate><description>{}</description></item>\n",
                xml_escape(&st.title),
                st.path,
                st.path,
                self.pub_date,
                xml_escape(&st.lead)
            ));
        }
        s.push_str("</channel></rss>\n");
        s
    }

    pub fn html(&self, st: &Story) -> String {
        let paras: String = std::iter::once(&st.lead)
            .chain(st.body.iter())
            .map(|p| format!("<p>{}</p>", xml_escape(p)))
            .collect();
        format!(
            "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
             <body><nav><a href=\"/\">Home</a></nav><article><h1>{}</h1>{paras}</article>\
             <footer>© Outlet</footer></body></html>",
            st.lang,
            xml_escape(&st.title),
            xml_escape(&st.title)
        )
    }

    /// Number of stories that report a change (first and second reports).
    pub fn change_story_count(&self) -> usize {
        self.by_path.values().filter(|s| s.change.is_some()).count()
    }
}

pub fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Serves a [`Site`] over HTTP/1.1 (one request per connection). Feeds are
/// on one port; the articles of feed `i` are linked on a port of their own
/// (a "host" to the fetcher's per-host limits) whose pages answer after
/// `article_latency(i)`, so feeds finish one after another over a few
/// seconds and random kills land between, and inside, their refreshes.
pub struct SiteServer {
    pub addr: std::net::SocketAddr,
    pub article_addrs: Vec<std::net::SocketAddr>,
    pub requests: Arc<AtomicUsize>,
}

/// Per-article delay of feed `i`'s host: 20 ms for the first, 0.6 s for the
/// last (whose refresh then takes ~4.5 s, the length of a first polling
/// cycle; digests go out once a cycle is over).
pub fn article_latency(feed: usize) -> Duration {
    Duration::from_millis(20 + 30 * feed as u64)
}

impl SiteServer {
    pub fn start(site: Arc<Site>) -> SiteServer {
        let requests = Arc::new(AtomicUsize::new(0));
        let listeners: Vec<TcpListener> = (0..=FEEDS)
            .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
            .collect();
        let addrs: Vec<std::net::SocketAddr> =
            listeners.iter().map(|l| l.local_addr().unwrap()).collect();
        let bases: Arc<Vec<String>> =
            Arc::new(addrs[1..].iter().map(|a| format!("http://{a}")).collect());
        for (i, listener) in listeners.into_iter().enumerate() {
            let latency = if i == 0 {
                Duration::ZERO
            } else {
                article_latency(i - 1)
            };
            let site = site.clone();
            let count = requests.clone();
            let bases = bases.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { continue };
                    let site = site.clone();
                    let count = count.clone();
                    let bases = bases.clone();
                    std::thread::spawn(move || {
                        count.fetch_add(1, Ordering::Relaxed);
                        answer(stream, &site, &bases, latency)
                    });
                }
            });
        }
        SiteServer {
            addr: addrs[0],
            article_addrs: addrs[1..].to_vec(),
            requests,
        }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn feed_urls(&self) -> Vec<String> {
        (0..FEEDS)
            .map(|i| format!("{}/feeds/{i}.xml", self.base()))
            .collect()
    }
}

fn answer(mut stream: TcpStream, site: &Site, bases: &[String], latency: Duration) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    let (status, ctype, body) = if let Some(n) = path
        .strip_prefix("/feeds/")
        .and_then(|r| r.strip_suffix(".xml"))
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| *n < FEEDS)
    {
        (
            "200 OK",
            "application/rss+xml; charset=utf-8",
            site.rss(&bases[n], n),
        )
    } else if let Some(st) = site.by_path.get(&path) {
        std::thread::sleep(latency);
        ("200 OK", "text/html; charset=utf-8", site.html(st))
    } else {
        ("404 Not Found", "text/plain", "not found\n".to_string())
    };
    let reply = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(reply.as_bytes());
}

/// The configuration of a crash-test daemon: fast polling, one digest every
/// 3 s to a plain SMTP server on 127.0.0.1, no API.
pub fn daemon_config(db: &Path, feeds: &[String], smtp_port: u16, recipient: &str) -> String {
    let mut s = format!(
        r#"[storage]
database = "{db}"

[polling]
default_interval_secs = 1
min_interval_secs = 1
max_interval_secs = 2
backoff_cap_secs = 2
jitter_fraction = 0.0
connect_timeout_secs = 5
total_timeout_secs = 20
per_host_spacing_ms = 0
per_host_concurrency = 2
global_concurrency = 64
allow_private_addresses = true
respect_robots_txt = false
fetch_articles = true
first_poll_max_age_days = 0

[[digests]]
name = "crash"
schedule = "*/3 * * * * *"
timezone = "UTC"
recipients = ["{recipient}"]
language = "en"

[smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "plain"
from = "branchwatch <branchwatch@localhost>"
timeout_secs = 5

[api]
enabled = false

[logging]
level = "info"
format = "text"
"#,
        db = db.display()
    );
    for (i, url) in feeds.iter().enumerate() {
        s.push_str(&format!(
            "\n[[feeds]]\nname = \"outlet-{i}\"\nurl = \"{url}\"\n"
        ));
    }
    s
}

/// `branchwatch run --config CONFIG` with a clean environment; stdout and
/// stderr appended to `log`.
pub fn spawn_daemon(config: &Path, log: &Path, extra: &[&str], env: &[(&str, &str)]) -> Child {
    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    let err = out.try_clone().unwrap();
    let mut cmd = Command::new(BIN);
    cmd.arg("run").arg("--config").arg(config).args(extra);
    for var in [
        "RUST_LOG",
        "JOURNAL_STREAM",
        "NOTIFY_SOCKET",
        "WATCHDOG_USEC",
        "WATCHDOG_PID",
        "BRANCHWATCH_CONFIG",
        "BRANCHWATCH_API_TOKEN",
        "STATE_DIRECTORY",
        "CONFIGURATION_DIRECTORY",
        "CREDENTIALS_DIRECTORY",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err))
        .spawn()
        .unwrap()
}

/// Sends a signal to a child we started (by its pid, never by name).
pub fn signal(child: &Child, sig: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(child.id().to_string())
        .status();
}

pub fn wait_exit(child: &mut Child, timeout: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(Some(s)) = child.try_wait() {
            return Some(s);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A change as compared between runs: (person, role, party, region, event).
pub type ChangeKey = (String, String, String, String, String);

/// What a database holds, in comparable form.
#[derive(Debug, Default)]
pub struct DbView {
    pub changes: Vec<ChangeKey>,
    /// (change, source URL) pairs.
    pub sources: Vec<(ChangeKey, String)>,
    pub items: usize,
    pub integrity: String,
    /// change → Message-IDs of *sent* outbox rows that carry it.
    pub sent_in: BTreeMap<ChangeKey, BTreeSet<String>>,
    pub pending_outbox: usize,
    pub failed_outbox: usize,
}

pub fn read_db(path: &Path) -> rusqlite::Result<DbView> {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(5))?;
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    let key_of = |r: &rusqlite::Row| -> rusqlite::Result<ChangeKey> {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    };
    let changes = conn
        .prepare("SELECT person, role, party, region, event FROM changes ORDER BY id")?
        .query_map([], key_of)?
        .collect::<Result<Vec<_>, _>>()?;
    let sources = conn
        .prepare(
            "SELECT c.person, c.role, c.party, c.region, c.event, s.url \
             FROM change_sources s JOIN changes c ON c.id = s.change_id",
        )?
        .query_map([], |r| Ok((key_of(r)?, r.get::<_, String>(5)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    let items: i64 = conn.query_row("SELECT count(*) FROM items", [], |r| r.get(0))?;
    let mut sent_in: BTreeMap<ChangeKey, BTreeSet<String>> = BTreeMap::new();
    let rows = conn
        .prepare(
            "SELECT c.person, c.role, c.party, c.region, c.event, o.message_id \
             FROM outbox o JOIN outbox_changes oc ON oc.outbox_id = o.id \
             JOIN changes c ON c.id = oc.change_id WHERE o.state = 'sent'",
        )?
        .query_map([], |r| Ok((key_of(r)?, r.get::<_, String>(5)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    for (k, m) in rows {
        sent_in
            .entry(k)
            .or_default()
            .insert(m.trim().trim_matches(['<', '>']).to_string());
    }
    let pending: i64 = conn.query_row(
        "SELECT count(*) FROM outbox WHERE state = 'pending'",
        [],
        |r| r.get(0),
    )?;
    let failed: i64 = conn.query_row(
        "SELECT count(*) FROM outbox WHERE state = 'failed'",
        [],
        |r| r.get(0),
    )?;
    Ok(DbView {
        changes,
        sources,
        items: items as usize,
        integrity,
        sent_in,
        pending_outbox: pending as usize,
        failed_outbox: failed as usize,
    })
}

impl DbView {
    /// Every item stored, and every change in a sent digest, nothing pending.
    pub fn complete(&self, expected_items: usize) -> bool {
        self.items == expected_items
            && !self.changes.is_empty()
            && self.pending_outbox == 0
            && self.changes.iter().all(|c| self.sent_in.contains_key(c))
    }
}

/// One message from the Maildir: its Message-ID and the people its
/// plain-text part lists as changes (`* Name: role, event`).
#[derive(Debug)]
pub struct Mail {
    pub message_id: String,
    pub people: Vec<String>,
}

pub fn read_maildir(dir: &Path) -> Vec<Mail> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir.join("new")) else {
        return out;
    };
    let mut files: Vec<PathBuf> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    files.sort();
    for f in files {
        let raw = std::fs::read(&f).unwrap();
        let parsed = mailparse::parse_mail(&raw).unwrap();
        let message_id = parsed
            .headers
            .iter()
            .find(|h| h.get_key().eq_ignore_ascii_case("message-id"))
            .map(|h| h.get_value().trim().trim_matches(['<', '>']).to_string())
            .unwrap_or_default();
        let mut text = String::new();
        collect_plain(&parsed, &mut text);
        let people = text
            .lines()
            .filter_map(|l| l.strip_prefix("* "))
            .filter_map(|l| l.split_once(": ").map(|(p, _)| p.trim().to_string()))
            .collect();
        out.push(Mail { message_id, people });
    }
    out
}

fn collect_plain(m: &mailparse::ParsedMail, out: &mut String) {
    if m.subparts.is_empty() {
        if m.ctype.mimetype.eq_ignore_ascii_case("text/plain") {
            if let Ok(b) = m.get_body() {
                out.push_str(&b);
            }
        }
    } else {
        for p in &m.subparts {
            collect_plain(p, out);
        }
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Last `n` lines of a log file, for assertion messages.
pub fn tail(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Peak resident set (VmHWM, KiB) of a running process.
pub fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

pub type Shared<T> = Arc<Mutex<T>>;
