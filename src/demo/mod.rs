//! The bundled demo: a loopback news server with made-up outlets.
//!
//! `branchwatch demo` must show the whole pipeline working from any directory
//! with no internet, so the feeds and article pages under `demo/` are embedded
//! in the binary and served here on `127.0.0.1:<random port>`. The server
//! behaves like the real sites the daemon polls, so the demo exercises the
//! same code paths: RSS, Atom and JSON Feed; a Russian feed and two article
//! pages sent as windows-1251 bytes; a feed cut off mid-download; pages full of
//! navigation, "read also" blocks, comments and share buttons; `ETag` /
//! `Last-Modified` validators with `304 Not Modified`; and a `robots.txt`.
//!
//! The data files hold `{{BASE}}` where an absolute URL to this server goes;
//! it is replaced with `http://127.0.0.1:<port>` when the server starts.
//! `demo/EXPECTED.md` and `demo/expected.json` list the leadership changes the
//! articles report, so detection can be checked against them.

#[cfg(test)]
mod tests;

use crate::model::Lang;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use axum::Router;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// What the data files write where an absolute URL to the demo server goes.
pub const BASE_PLACEHOLDER: &str = "{{BASE}}";

/// The expected changes, as embedded (see `demo/expected.json`).
pub const EXPECTED_JSON: &str = include_str!("../../demo/expected.json");

/// What can be wrong with the embedded data. Only a broken build of the data
/// files produces these; `start` reports them as `io::ErrorKind::InvalidData`.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("demo resource {path}: bad timestamp {value:?}")]
    BadTimestamp {
        path: &'static str,
        value: &'static str,
    },
    #[error("demo resource {path} has characters that windows-1251 cannot encode")]
    Unencodable { path: &'static str },
}

impl From<DemoError> for std::io::Error {
    fn from(e: DemoError) -> Self {
        std::io::Error::new(std::io::ErrorKind::InvalidData, e)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Charset {
    Utf8,
    Windows1251,
}

impl Charset {
    fn label(self) -> &'static str {
        match self {
            Charset::Utf8 => "utf-8",
            Charset::Windows1251 => "windows-1251",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Rss,
    Atom,
    JsonFeed,
    Html,
    Text,
}

impl Kind {
    fn mime(self) -> &'static str {
        match self {
            Kind::Rss => "application/rss+xml",
            Kind::Atom => "application/atom+xml",
            Kind::JsonFeed => "application/feed+json",
            Kind::Html => "text/html",
            Kind::Text => "text/plain",
        }
    }
}

/// One file the server can send.
struct Resource {
    path: &'static str,
    /// UTF-8 text with `{{BASE}}` placeholders.
    body: &'static str,
    kind: Kind,
    /// The bytes on the wire; the file itself is always UTF-8.
    charset: Charset,
    /// RFC 3339; becomes `Last-Modified`.
    modified: &'static str,
}

const fn res(
    path: &'static str,
    body: &'static str,
    kind: Kind,
    charset: Charset,
    modified: &'static str,
) -> Resource {
    Resource {
        path,
        body,
        kind,
        charset,
        modified,
    }
}

use Charset::{Utf8, Windows1251};
use Kind::{Atom, Html, JsonFeed, Rss, Text};

const ROBOTS_TXT: &str =
    "# branchwatch demo server\nUser-agent: *\nDisallow: /private/\nAllow: /\n";

/// The news articles, in the order of `demo/EXPECTED.md` (6 kk, 5 ru, 3 en).
const ARTICLES: &[Resource] = &[
    res(
        "/kk/2025/10/abai-amanat-filialy-zhana-toraga.html",
        include_str!("../../demo/articles/kk/2025/10/abai-amanat-filialy-zhana-toraga.html"),
        Html,
        Utf8,
        "2025-10-14T15:20:00+05:00",
    ),
    res(
        "/kk/2025/10/batys-qazaqstan-aq-zhol-toraga-ketti.html",
        include_str!("../../demo/articles/kk/2025/10/batys-qazaqstan-aq-zhol-toraga-ketti.html"),
        Html,
        Utf8,
        "2025-10-08T11:10:00+05:00",
    ),
    res(
        "/kk/2025/10/shymkent-respublica-toragasy-qayta-sailandy.html",
        include_str!(
            "../../demo/articles/kk/2025/10/shymkent-respublica-toragasy-qayta-sailandy.html"
        ),
        Html,
        Utf8,
        "2025-10-21T18:30:00+05:00",
    ),
    res(
        "/kk/2025/10/talgar-auyl-filialy-zhana-toraga.html",
        include_str!("../../demo/articles/kk/2025/10/talgar-auyl-filialy-zhana-toraga.html"),
        Html,
        Utf8,
        "2025-10-16T10:45:00+05:00",
    ),
    res(
        "/kk/2025/10/taldyqorgan-amanat-studenttermen-kezdesu.html",
        include_str!(
            "../../demo/articles/kk/2025/10/taldyqorgan-amanat-studenttermen-kezdesu.html"
        ),
        Html,
        Utf8,
        "2025-10-10T14:00:00+05:00",
    ),
    res(
        "/kk/2025/10/abai-maslihat-hatshysy-sailandy.html",
        include_str!("../../demo/articles/kk/2025/10/abai-maslihat-hatshysy-sailandy.html"),
        Html,
        Utf8,
        "2025-10-03T12:15:00+05:00",
    ),
    res(
        "/ru/2025/10/abai-amanat-predsedatel-filiala.html",
        include_str!("../../demo/articles/ru/2025/10/abai-amanat-predsedatel-filiala.html"),
        Html,
        Utf8,
        "2025-10-14T17:05:00+05:00",
    ),
    res(
        "/ru/2025/10/baytak-almatinskaya-oblast-predsedatel.html",
        include_str!("../../demo/articles/ru/2025/10/baytak-almatinskaya-oblast-predsedatel.html"),
        Html,
        Utf8,
        "2025-10-22T13:40:00+05:00",
    ),
    res(
        "/ru/2025/10/zhetysu-ak-zhol-konferenciya-noyabr.html",
        include_str!("../../demo/articles/ru/2025/10/zhetysu-ak-zhol-konferenciya-noyabr.html"),
        Html,
        Utf8,
        "2025-10-24T10:15:00+05:00",
    ),
    res(
        "/zko/2025/10/amanat-pervyi-zamestitel-predsedatelya.html",
        include_str!("../../demo/articles/zko/2025/10/amanat-pervyi-zamestitel-predsedatelya.html"),
        Html,
        Windows1251,
        "2025-10-17T09:30:00+05:00",
    ),
    res(
        "/zko/2025/10/naznachen-novyi-akim-uralska.html",
        include_str!("../../demo/articles/zko/2025/10/naznachen-novyi-akim-uralska.html"),
        Html,
        Windows1251,
        "2025-10-13T12:00:00+05:00",
    ),
    res(
        "/en/2025/10/peoples-party-jetisu-branch-new-chair.html",
        include_str!("../../demo/articles/en/2025/10/peoples-party-jetisu-branch-new-chair.html"),
        Html,
        Utf8,
        "2025-10-20T19:00:00+05:00",
    ),
    res(
        "/en/2025/10/amanat-shymkent-executive-secretary.html",
        include_str!("../../demo/articles/en/2025/10/amanat-shymkent-executive-secretary.html"),
        Html,
        Utf8,
        "2025-10-09T16:20:00+05:00",
    ),
    res(
        "/en/2024/01/amanat-names-deputy-chairman.html",
        include_str!("../../demo/articles/en/2024/01/amanat-names-deputy-chairman.html"),
        Html,
        Utf8,
        "2024-01-25T12:00:00+06:00",
    ),
];

/// Feeds, robots.txt and the page robots.txt forbids.
const OTHERS: &[Resource] = &[
    res(
        "/feeds/dala-ru.rss",
        include_str!("../../demo/feeds/dala-ru.rss"),
        Rss,
        Utf8,
        "2025-10-24T10:15:00+05:00",
    ),
    res(
        "/feeds/onir-kk.atom",
        include_str!("../../demo/feeds/onir-kk.atom"),
        Atom,
        Utf8,
        "2025-10-21T18:30:00+05:00",
    ),
    res(
        "/feeds/steppe-en.json",
        include_str!("../../demo/feeds/steppe-en.json"),
        JsonFeed,
        Utf8,
        "2025-10-20T19:00:00+05:00",
    ),
    res(
        "/feeds/priurale-ru-1251.rss",
        include_str!("../../demo/feeds/priurale-ru-1251.rss"),
        Rss,
        Windows1251,
        "2025-10-17T09:30:00+05:00",
    ),
    res(
        "/feeds/yug-broken.rss",
        include_str!("../../demo/feeds/yug-broken.rss"),
        Rss,
        Utf8,
        "2025-10-19T12:00:00+05:00",
    ),
    res(
        "/robots.txt",
        ROBOTS_TXT,
        Text,
        Utf8,
        "2025-01-01T00:00:00+05:00",
    ),
    res(
        "/private/editorial-notes.html",
        include_str!("../../demo/private/editorial-notes.html"),
        Html,
        Utf8,
        "2025-01-01T00:00:00+05:00",
    ),
];

/// The demo feeds: name, path on the server, language. The last one is cut
/// off mid-element and must fail to parse while the others succeed.
const FEEDS: &[(&str, &str, Option<Lang>)] = &[
    ("dala-ru", "/feeds/dala-ru.rss", Some(Lang::Ru)),
    ("onir-kk", "/feeds/onir-kk.atom", Some(Lang::Kk)),
    ("steppe-en", "/feeds/steppe-en.json", Some(Lang::En)),
    (
        "priurale-ru-1251",
        "/feeds/priurale-ru-1251.rss",
        Some(Lang::Ru),
    ),
    ("yug-broken", "/feeds/yug-broken.rss", Some(Lang::Kk)),
];

/// The embedded news articles as `(path, html)`. The HTML is the UTF-8 file
/// with `{{BASE}}` placeholders still in it (see [`with_base`]); two pages
/// under `/zko/` declare windows-1251 and are sent in that encoding.
pub fn articles() -> Vec<(&'static str, &'static str)> {
    ARTICLES.iter().map(|r| (r.path, r.body)).collect()
}

/// `demo/expected.json`: feeds, articles and the changes each reports.
/// `Value::Null` only if the embedded file were not JSON, which a unit test rules out.
pub fn expected() -> serde_json::Value {
    serde_json::from_str(EXPECTED_JSON).unwrap_or_else(|e| {
        tracing::error!(error = %e, "embedded demo/expected.json is not valid JSON");
        serde_json::Value::Null
    })
}

/// Replaces the `{{BASE}}` placeholders with `base` (e.g. `http://127.0.0.1:8080`).
pub fn with_base(text: &str, base: &str) -> String {
    text.replace(BASE_PLACEHOLDER, base)
}

/// Request counts, so a caller can show that a second pass was served from validators.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoStats {
    pub requests: u64,
    /// 200 responses.
    pub ok: u64,
    /// 304 responses.
    pub not_modified: u64,
    /// 404 and 405 responses.
    pub errors: u64,
}

#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    ok: AtomicU64,
    not_modified: AtomicU64,
    errors: AtomicU64,
}

/// A resource ready to send: bytes in their wire encoding and validators.
struct Prepared {
    bytes: Vec<u8>,
    content_type: String,
    etag: String,
    modified: DateTime<Utc>,
    last_modified: String,
}

struct Shared {
    resources: HashMap<&'static str, Prepared>,
    counters: Counters,
}

/// The running demo server. Dropping it also shuts it down.
pub struct DemoServer {
    pub addr: SocketAddr,
    base: String,
    shared: Arc<Shared>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl DemoServer {
    /// Binds `127.0.0.1:0` and serves the demo data until shut down.
    pub async fn start() -> std::io::Result<DemoServer> {
        Self::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await
    }

    /// Like [`DemoServer::start`] on a chosen address. A fixed port keeps the
    /// feed URLs the same from one demo run to the next, so the second run's
    /// conditional GETs find their validators.
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<DemoServer> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let base = format!("http://{addr}");
        let shared = Arc::new(Shared {
            resources: prepare_all(&base)?,
            counters: Counters::default(),
        });
        let app = Router::new()
            .fallback(serve)
            .with_state(Arc::clone(&shared));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            // An `Err` here means the sender was dropped, which is also a request to stop.
            let shutdown = async move {
                let _ = stopped.await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::warn!(error = %e, "demo server stopped with an error");
            }
        });
        tracing::info!(%base, "demo server listening");
        Ok(DemoServer {
            addr,
            base,
            shared,
            stop,
            task,
        })
    }

    /// `http://127.0.0.1:<port>`, with no trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// `(name, url, language)` of every demo feed, the malformed one last.
    pub fn feed_urls(&self) -> Vec<(String, String, Option<Lang>)> {
        FEEDS
            .iter()
            .map(|(name, path, lang)| (name.to_string(), format!("{}{path}", self.base), *lang))
            .collect()
    }

    /// Counts of requests served so far.
    pub fn stats(&self) -> DemoStats {
        let c = &self.shared.counters;
        DemoStats {
            requests: c.requests.load(Ordering::Relaxed),
            ok: c.ok.load(Ordering::Relaxed),
            not_modified: c.not_modified.load(Ordering::Relaxed),
            errors: c.errors.load(Ordering::Relaxed),
        }
    }

    /// Stops accepting connections and lets in-flight requests finish, in the background.
    pub fn shutdown(self) {
        let _ = self.stop.send(());
    }

    /// Like [`DemoServer::shutdown`], then waits until the server task has ended.
    pub async fn shutdown_and_wait(self) {
        let _ = self.stop.send(());
        if let Err(e) = self.task.await {
            tracing::warn!(error = %e, "demo server task failed");
        }
    }
}

/// Renders every resource for `base`: placeholders filled, text encoded,
/// validators computed.
fn prepare_all(base: &str) -> Result<HashMap<&'static str, Prepared>, DemoError> {
    ARTICLES
        .iter()
        .chain(OTHERS)
        .map(|r| Ok((r.path, prepare(r, base)?)))
        .collect()
}

fn prepare(r: &Resource, base: &str) -> Result<Prepared, DemoError> {
    let text = with_base(r.body, base);
    let bytes = match r.charset {
        Charset::Utf8 => text.into_bytes(),
        Charset::Windows1251 => {
            let (bytes, _, unmappable) = encoding_rs::WINDOWS_1251.encode(&text);
            if unmappable {
                return Err(DemoError::Unencodable { path: r.path });
            }
            bytes.into_owned()
        }
    };
    let modified = DateTime::parse_from_rfc3339(r.modified)
        .map_err(|_| DemoError::BadTimestamp {
            path: r.path,
            value: r.modified,
        })?
        .with_timezone(&Utc);
    Ok(Prepared {
        bytes,
        content_type: format!("{}; charset={}", r.kind.mime(), r.charset.label()),
        // From the file and its wire encoding, not the port, so the tag stays
        // the same across demo runs.
        etag: format!(
            "\"{}\"",
            &hex::encode(
                Sha256::new()
                    .chain_update(r.charset.label())
                    .chain_update(r.body)
                    .finalize()
            )[..20]
        ),
        modified,
        last_modified: http_date(modified),
    })
}

/// IMF-fixdate, the form HTTP uses for `Last-Modified`.
fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Whether a conditional GET can be answered with 304 (RFC 9110 §13.2.2:
/// `If-None-Match` wins over `If-Modified-Since` when both are sent).
fn not_modified(headers: &HeaderMap, etag: &str, modified: DateTime<Utc>) -> bool {
    if let Some(inm) = headers.get(header::IF_NONE_MATCH) {
        let Ok(inm) = inm.to_str() else {
            return false;
        };
        // Weak comparison: W/"x" matches "x".
        let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
        return inm
            .split(',')
            .any(|t| t.trim() == "*" || bare(t) == bare(etag));
    }
    headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| DateTime::parse_from_rfc2822(v.trim()).ok())
        .is_some_and(|since| modified <= since.with_timezone(&Utc))
}

fn count(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

fn plain(status: StatusCode, msg: &'static str) -> Response {
    let mut resp = Response::new(Body::from(msg));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

async fn serve(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let c = &shared.counters;
    count(&c.requests);
    if method != Method::GET && method != Method::HEAD {
        count(&c.errors);
        let mut resp = plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
        resp.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return resp;
    }
    let Some(p) = shared.resources.get(uri.path()) else {
        count(&c.errors);
        return plain(StatusCode::NOT_FOUND, "not found\n");
    };
    let conditional = not_modified(&headers, &p.etag, p.modified);
    let (status, body) = if conditional {
        count(&c.not_modified);
        (StatusCode::NOT_MODIFIED, Body::empty())
    } else {
        count(&c.ok);
        let body = if method == Method::HEAD {
            Body::empty()
        } else {
            Body::from(p.bytes.clone())
        };
        (StatusCode::OK, body)
    };
    let mut resp = Response::new(body);
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    for (name, value) in [
        (header::ETAG, p.etag.as_str()),
        (header::LAST_MODIFIED, p.last_modified.as_str()),
        (header::CACHE_CONTROL, "no-cache"),
    ] {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(name, v);
        }
    }
    if !conditional {
        if let Ok(v) = HeaderValue::from_str(&p.content_type) {
            h.insert(header::CONTENT_TYPE, v);
        }
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(p.bytes.len()));
    }
    resp
}
