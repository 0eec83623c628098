//! Security properties, each checked against the real component:
//!
//! - SQL goes through bound parameters: a person named like an injection
//!   round-trips through the store, the query filters and the CLI intact.
//! - The HTTP API is read-only (POST/PUT/DELETE/PATCH → 405), binds loopback
//!   by default, refuses a public bind without a token, and with a token
//!   answers 401 without it and 200 with it.
//! - Secrets (SMTP password from `password_env`, API token) never appear in
//!   the output of the binary at debug log level, with an SMTP server that is
//!   down or that cannot authenticate.
//! - Article fetches to private addresses are refused before connecting
//!   (IP literals, `localhost` resolving to 127.0.0.1, cloud metadata).
//! - A world-writable configuration file is refused (exit 2, clear message).
//!
//! HTML escaping of digests (attribute-breaking payloads in titles, URLs and
//! evidence) is covered by tests/digest_delivery.rs and digest_preview.rs.

mod mail_support;

use branchwatch::api::{serve, ApiState};
use branchwatch::config::Config;
use branchwatch::db::Db;
use branchwatch::metrics::Metrics;
use branchwatch::model::{Article, DetectedChange, Event, Lang, Level, Role};
use branchwatch::pipeline::{Pipeline, PipelineError};
use branchwatch::query::ChangeFilter;
use branchwatch::store::Store;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_branchwatch");
const INJECTION: &str = "Robert'); DROP TABLE changes;--";

fn article(url: &str, title: &str) -> Article {
    Article {
        url: url.to_string(),
        canonical_url: None,
        title: Some(title.to_string()),
        text: "text".into(),
        published: None,
        lang: Some(Lang::En),
        outlet: Some("O'Reilly \"Outlet\"; DELETE FROM articles;".into()),
    }
}

fn change(person: &str, evidence: &str) -> DetectedChange {
    DetectedChange {
        person: person.to_string(),
        role: Role::Chair,
        party: "AMANAT".into(),
        level: Level::Region,
        region: "KZ-35".into(),
        district: None,
        event: Event::Elected,
        acting: false,
        previous_role: None,
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 20),
        evidence: evidence.to_string(),
        confidence: 0.9,
    }
}

fn cli(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut c = Command::new(BIN);
    c.args(args)
        .env_remove("BRANCHWATCH_CONFIG")
        .env_remove("RUST_LOG")
        .env_remove("BRANCHWATCH_API_TOKEN")
        .stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

#[test]
fn sql_injection_in_names_round_trips_intact() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bw.sqlite");
    let mut store = Store::open(&db).unwrap();
    let evil_url = "https://news.example.kz/a?id=1' OR '1'='1";
    let s = store
        .record_article(
            &article(evil_url, "'; DROP TABLE items; --"),
            &[change(
                INJECTION,
                "Robert'); DROP TABLE changes;-- was elected chairman.",
            )],
            chrono::Utc::now(),
        )
        .unwrap();
    assert_eq!(s.changes_new.len(), 1);
    store
        .record_article(
            &article("https://other.example.kz/b", "ok"),
            &[change("Normal Person", "Normal Person was elected.")],
            chrono::Utc::now(),
        )
        .unwrap();

    let all = store.changes(&ChangeFilter::default()).unwrap();
    assert_eq!(all.len(), 2, "both changes stored, no table dropped");
    let evil = all
        .iter()
        .find(|c| c.person == INJECTION)
        .expect("the name is stored verbatim");
    assert_eq!(evil.sources[0].url, evil_url);
    assert!(evil.evidence.contains("DROP TABLE changes;--"));

    // The filter gets the payload as a value, not as SQL.
    let by_person = store
        .changes(&ChangeFilter {
            person: Some(INJECTION.into()),
            ..ChangeFilter::default()
        })
        .unwrap();
    assert_eq!(by_person.len(), 1, "{by_person:#?}");
    assert_eq!(by_person[0].person, INJECTION);
    let none = store
        .changes(&ChangeFilter {
            person: Some("x' OR '1'='1".into()),
            ..ChangeFilter::default()
        })
        .unwrap();
    assert!(none.is_empty(), "a tautology in a filter matched {none:#?}");
    let none = store
        .changes(&ChangeFilter {
            party: Some("AMANAT' OR 1=1 --".into()),
            ..ChangeFilter::default()
        })
        .unwrap();
    assert!(none.is_empty());
    drop(store);

    // Through the CLI as well.
    let db_s = db.display().to_string();
    let out = cli(
        &[
            "--database",
            &db_s,
            "changes",
            "--person",
            INJECTION,
            "--format",
            "json",
        ],
        &[],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let arr = v.as_array().expect("a JSON array");
    assert_eq!(arr.len(), 1, "{stdout}");
    assert_eq!(arr[0]["person"], INJECTION);

    let conn = rusqlite::Connection::open(&db).unwrap();
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN ('changes','items','articles')", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 3);
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

async fn start_api(dir: &Path, token: Option<&str>) -> (String, tokio::sync::oneshot::Sender<()>) {
    let path = dir.join("api.sqlite");
    {
        let mut s = Store::open(&path).unwrap();
        s.record_article(
            &article("https://news.example.kz/x", "x"),
            &[change("Асқар Нұрланов", "Асқар Нұрланов сайланды.")],
            chrono::Utc::now(),
        )
        .unwrap();
    }
    let mut state = ApiState::new(path, Arc::new(Metrics::default()));
    state.token = token.map(String::from);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve(listener, state, async {
        let _ = rx.await;
    }));
    (base, tx)
}

#[tokio::test]
async fn api_is_read_only_and_token_guarded() {
    let dir = tempfile::tempdir().unwrap();
    let (base, stop) = start_api(dir.path(), None).await;
    let client = reqwest::Client::new();
    for path in [
        "/api/changes",
        "/api/changes/1",
        "/api/roster",
        "/api/feeds",
        "/changes.atom",
        "/metrics",
    ] {
        let get = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(get.status(), 200, "GET {path}");
        for m in [
            reqwest::Method::POST,
            reqwest::Method::PUT,
            reqwest::Method::DELETE,
            reqwest::Method::PATCH,
        ] {
            let r = client
                .request(m.clone(), format!("{base}{path}"))
                .header("Content-Type", "application/json")
                .body("{\"person\":\"x\"}")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 405, "{m} {path} must be refused as a method");
        }
    }
    // Nothing was changed by the attempts.
    let list: serde_json::Value = client
        .get(format!("{base}/api/changes"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let _ = stop.send(());

    let (base, stop) = start_api(dir.path(), Some("s3cret-token")).await;
    let r = client
        .get(format!("{base}/api/changes"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = client
        .get(format!("{base}/api/changes"))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = client
        .get(format!("{base}/api/changes"))
        .bearer_auth("s3cret-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = client
        .post(format!("{base}/api/changes"))
        .bearer_auth("s3cret-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405, "a token does not make the API writable");
    let _ = stop.send(());
}

#[test]
fn api_binds_loopback_by_default_and_refuses_public_bind_without_token() {
    let c = Config::default();
    let addr: std::net::SocketAddr = c.api.bind.parse().unwrap();
    assert!(addr.ip().is_loopback(), "default bind {addr}");
    let shipped = branchwatch::config::parse(branchwatch::config::EXAMPLE).unwrap();
    let addr: std::net::SocketAddr = shipped.api.bind.parse().unwrap();
    assert!(addr.ip().is_loopback(), "shipped example binds {addr}");

    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("bw.toml");
    std::fs::write(
        &cfg,
        format!(
            "[storage]\ndatabase = \"{}\"\n[api]\nenabled = true\nbind = \"0.0.0.0:8077\"\n",
            dir.path().join("x.sqlite").display()
        ),
    )
    .unwrap();
    let out = cli(&["check-config", &cfg.display().to_string()], &[]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("api.bind") && text.contains("token"),
        "{text}"
    );
    // `serve --bind` to a public address without a token is refused too,
    // before anything is bound.
    let out = cli(
        &[
            "--database",
            &dir.path().join("x.sqlite").display().to_string(),
            "serve",
            "--bind",
            "0.0.0.0:0",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not a loopback address"),
        "{out:?}"
    );
}

#[test]
fn world_writable_config_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("bw.toml");
    std::fs::write(&cfg, "[storage]\ndatabase = \"x.sqlite\"\n").unwrap();
    std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o600)).unwrap();
    let ok = cli(&["check-config", &cfg.display().to_string()], &[]);
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");
    std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o666)).unwrap();
    for args in [
        vec!["check-config", cfg.to_str().unwrap()],
        vec!["--config", cfg.to_str().unwrap(), "run", "--once"],
    ] {
        let out = cli(&args, &[]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert!(
            err.contains("world-writable") || err.contains("writable by"),
            "{args:?}: unclear message: {err}"
        );
        assert!(
            err.contains(cfg.to_str().unwrap()),
            "the message names the file: {err}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn article_fetches_to_private_addresses_are_refused_before_connecting() {
    let hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let h = hits.clone();
    tokio::spawn(async move {
        while let Ok((_s, _)) = listener.accept().await {
            h.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let mut c = Config::default();
    c.storage.database = dir.path().join("bw.sqlite");
    c.polling.allow_private_addresses = false;
    c.polling.respect_robots_txt = true;
    c.polling.connect_timeout_secs = 1;
    c.polling.total_timeout_secs = 2;
    c.api.enabled = false;
    let db = Db::open(&c.storage.database).unwrap();
    let p = Pipeline::new(Arc::new(c), db.clone(), Arc::new(Metrics::default())).unwrap();
    // Only loopback is ever listened on; the other addresses are IP
    // literals, refused before any connection is attempted.
    for url in [
        format!("http://127.0.0.1:{port}/a"),
        format!("http://localhost:{port}/a"),
        format!("http://[::1]:{port}/a"),
        format!("http://127.1:{port}/a"),
        format!("http://2130706433:{port}/a"),
        "http://10.0.0.1/a".to_string(),
        "http://192.168.1.1/a".to_string(),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://[fd00::1]/a".to_string(),
        "http://[::ffff:10.0.0.1]/a".to_string(),
        "http://0.0.0.0/a".to_string(),
    ] {
        let t = std::time::Instant::now();
        let e = p.ingest_url(&url).await.expect_err(&url);
        match &e {
            PipelineError::Fetch(f) => assert_eq!(f.kind(), "private_address", "{url}: {e}"),
            other => panic!("{url}: unexpected error {other}"),
        }
        assert!(
            t.elapsed() < Duration::from_millis(900),
            "{url}: took {:?}, as if connecting",
            t.elapsed()
        );
    }
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "a connection reached the loopback server"
    );
    let n = db
        .call(|s| s.changes(&ChangeFilter::default()))
        .await
        .unwrap()
        .len();
    assert_eq!(n, 0);
}

/// Standard base64 with padding (for looking for an encoded password).
fn b64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Runs the binary at debug level with an SMTP password and an API token set
/// to unique markers, against an SMTP server that is down and one that
/// cannot authenticate; neither marker may appear in anything it prints.
#[test]
fn secrets_never_appear_in_logs_or_errors() {
    const PASSWORD: &str = "PW-MARKER-7f3a9c1e5b";
    const TOKEN: &str = "TOKEN-MARKER-2d8e4b6a0c";
    let dir = tempfile::tempdir().unwrap();
    let (ca_pem, cert, key) = mail_support::make_certs(dir.path());
    let smtp_dir = dir.path().join("maildir");
    // A live STARTTLS server without AUTH, and a port where nothing listens.
    let live = mail_support::SmtpServer::start_with(
        mail_support::free_port(),
        &smtp_dir,
        &mail_support::ServerOptions {
            starttls: Some((cert, key)),
            ..Default::default()
        },
    );
    let dead_port = mail_support::free_port();
    let ports = vec![(dead_port, "down"), (live.port, "no-auth")];
    let mut checked = 0;
    for (port, what) in ports {
        let ca = format!("ca_file = \"{}\"\n", ca_pem.display());
        let cfg = dir.path().join(format!("{what}.toml"));
        std::fs::write(
            &cfg,
            format!(
                r#"[storage]
database = "{db}"

[polling]
allow_private_addresses = true

[[digests]]
name = "daily"
recipients = ["analyst@localhost"]
send_empty = true

[smtp]
host = "localhost"
port = {port}
security = "starttls"
username = "branchwatch"
password_env = "BW_TEST_SMTP_PASSWORD"
from = "branchwatch <bw@localhost>"
timeout_secs = 3
{ca}
[api]
enabled = true
bind = "127.0.0.1:0"

[logging]
level = "debug"
"#,
                db = dir.path().join(format!("{what}.sqlite")).display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&cfg, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .unwrap();
        let env = [
            ("BW_TEST_SMTP_PASSWORD", PASSWORD),
            ("BRANCHWATCH_API_TOKEN", TOKEN),
            ("RUST_LOG", "trace"),
        ];
        let c = cfg.display().to_string();
        for args in [
            vec!["--config", &c, "run", "--once"],
            vec!["--config", &c, "test-email", "someone@localhost"],
            vec!["--config", &c, "digest", "send"],
            vec!["--config", &c, "check-config"],
        ] {
            let out = cli(&args, &env);
            let all = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                !all.contains(PASSWORD),
                "{what} {args:?}: the SMTP password leaked:\n{all}"
            );
            // Nor as the base64 of an AUTH PLAIN or AUTH LOGIN exchange.
            for encoded in [
                b64(PASSWORD.as_bytes()),
                b64(format!("\0branchwatch\0{PASSWORD}").as_bytes()),
            ] {
                assert!(
                    !all.contains(&encoded),
                    "{what} {args:?}: the SMTP password leaked as base64:\n{all}"
                );
            }
            assert!(
                !all.contains(TOKEN),
                "{what} {args:?}: the API token leaked:\n{all}"
            );
            // Something was logged, so the check is not vacuous.
            assert!(all.len() > 20, "{what} {args:?}: no output at all");
            checked += 1;
            eprintln!(
                "{what} {args:?}: exit {:?}, {} bytes of output, no secret",
                out.status.code(),
                all.len()
            );
        }
        // test-email against a server that is down or cannot log in fails.
        let out = cli(&["--config", &c, "test-email", "someone@localhost"], &env);
        assert_eq!(out.status.code(), Some(2), "{what}: {out:?}");
    }
    assert!(checked >= 4);
}
