//! A loopback news site for the poll benchmark: one listener per "host".
//!
//! The fetcher's politeness (per-host concurrency and spacing, robots.txt)
//! is keyed by origin, so spreading the feeds over many origins is what
//! makes the benchmark behave like polling many outlets. The full-size run
//! binds 127.0.1.1, 127.0.1.2, ... (all of 127.0.0.0/8 is loopback on
//! Linux); tests use several ports of 127.0.0.1, which are distinct origins
//! too. Feed `i` lives on host `i % hosts`; its articles on the same host.
//! Feeds carry a fixed `ETag`, so a conditional GET is answered 304.
//! `/sitemap.xml` lists every article (the backfill benchmark reads it).

use super::gen::{self, Site};
use super::BenchError;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use axum::Router;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Requests served, by outcome.
#[derive(Debug, Default)]
pub struct Counters {
    pub feeds_ok: AtomicU64,
    pub feeds_not_modified: AtomicU64,
    pub articles: AtomicU64,
    pub robots: AtomicU64,
    pub not_found: AtomicU64,
}

/// A snapshot of [`Counters`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Served {
    pub feeds_ok: u64,
    pub feeds_not_modified: u64,
    pub articles: u64,
    pub robots: u64,
    pub not_found: u64,
}

impl Counters {
    pub fn snapshot(&self) -> Served {
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        Served {
            feeds_ok: g(&self.feeds_ok),
            feeds_not_modified: g(&self.feeds_not_modified),
            articles: g(&self.articles),
            robots: g(&self.robots),
            not_found: g(&self.not_found),
        }
    }
}

struct HostState {
    site: Arc<Site>,
    base: String,
    feeds: usize,
    counters: Arc<Counters>,
}

/// The running site. Dropping it stops every listener.
pub struct BenchServer {
    /// `http://addr:port` of every host, in host order.
    pub bases: Vec<String>,
    pub feeds: usize,
    pub counters: Arc<Counters>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// The `n`-th loopback address of the full-size run: 127.0.1.1, 127.0.1.2,
/// ..., 127.0.1.254, 127.0.2.1, ...
pub fn loopback_host(n: usize) -> IpAddr {
    let third = 1 + n / 254;
    let fourth = 1 + n % 254;
    IpAddr::V4(Ipv4Addr::new(127, 0, third.min(255) as u8, fourth as u8))
}

impl BenchServer {
    /// Serves `feeds` feeds of shape `site`, spread over one listener per
    /// address in `addrs` (a port of 0 picks a free one).
    pub async fn start(
        site: Site,
        feeds: usize,
        addrs: &[SocketAddr],
    ) -> Result<BenchServer, BenchError> {
        let site = Arc::new(site);
        let counters = Arc::new(Counters::default());
        let (stop, stopped) = watch::channel(false);
        let mut bases = Vec::with_capacity(addrs.len());
        let mut tasks = Vec::with_capacity(addrs.len());
        for addr in addrs {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|source| BenchError::Listen {
                    addr: addr.to_string(),
                    source,
                })?;
            let local = listener.local_addr().map_err(|source| BenchError::Listen {
                addr: addr.to_string(),
                source,
            })?;
            let base = format!("http://{local}");
            let state = Arc::new(HostState {
                site: site.clone(),
                base: base.clone(),
                feeds,
                counters: counters.clone(),
            });
            let app = Router::new().fallback(serve).with_state(state);
            let mut rx = stopped.clone();
            tasks.push(tokio::spawn(async move {
                let shutdown = async move {
                    let _ = rx.wait_for(|s| *s).await;
                };
                if let Err(e) = axum::serve(listener, app)
                    .with_graceful_shutdown(shutdown)
                    .await
                {
                    tracing::warn!(error = %e, "bench server stopped with an error");
                }
            }));
            bases.push(base);
        }
        Ok(BenchServer {
            bases,
            feeds,
            counters,
            stop,
            tasks,
        })
    }

    /// `hosts` listeners on 127.0.1.1, 127.0.1.2, ... (full-size runs).
    pub async fn start_spread(
        site: Site,
        feeds: usize,
        hosts: usize,
    ) -> Result<BenchServer, BenchError> {
        let addrs: Vec<SocketAddr> = (0..hosts.max(1))
            .map(|n| SocketAddr::new(loopback_host(n), 0))
            .collect();
        Self::start(site, feeds, &addrs).await
    }

    /// `hosts` listeners on ports of 127.0.0.1 (tests).
    pub async fn start_local(
        site: Site,
        feeds: usize,
        hosts: usize,
    ) -> Result<BenchServer, BenchError> {
        let addrs: Vec<SocketAddr> = (0..hosts.max(1))
            .map(|_| SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .collect();
        Self::start(site, feeds, &addrs).await
    }

    /// `(name, url)` of every feed.
    pub fn feed_urls(&self) -> Vec<(String, String)> {
        feed_urls(&self.bases, self.feeds)
    }

    /// Stops the listeners and waits for them.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for t in self.tasks.drain(..) {
            let _ = t.await;
        }
    }
}

impl Drop for BenchServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// `(name, url)` of `feeds` feeds spread over `bases` as the server does.
pub fn feed_urls(bases: &[String], feeds: usize) -> Vec<(String, String)> {
    if bases.is_empty() {
        return Vec::new();
    }
    (0..feeds)
        .map(|i| {
            (
                format!("bench-{i:05}"),
                format!("{}{}", bases[i % bases.len()], gen::feed_path(i)),
            )
        })
        .collect()
}

fn respond(status: StatusCode, content_type: &'static str, body: Body) -> Response {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

fn numbers(s: &str) -> Option<Vec<usize>> {
    s.split('/').map(|p| p.parse().ok()).collect()
}

async fn serve(State(st): State<Arc<HostState>>, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path();
    let c = &st.counters;
    if path == "/robots.txt" {
        c.robots.fetch_add(1, Ordering::Relaxed);
        return respond(
            StatusCode::OK,
            "text/plain",
            Body::from("User-agent: *\nDisallow: /private/\n"),
        );
    }
    if path == "/sitemap.xml" {
        return respond(
            StatusCode::OK,
            "application/xml; charset=utf-8",
            Body::from(gen::sitemap_xml(&st.site, &st.base, st.feeds)),
        );
    }
    if let Some(feed) = path
        .strip_prefix("/f/")
        .and_then(|r| r.strip_suffix(".xml"))
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|f| *f < st.feeds)
    {
        let etag = gen::feed_etag(feed);
        let matches = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
        let mut r = if matches {
            c.feeds_not_modified.fetch_add(1, Ordering::Relaxed);
            respond(
                StatusCode::NOT_MODIFIED,
                "application/rss+xml; charset=utf-8",
                Body::empty(),
            )
        } else {
            c.feeds_ok.fetch_add(1, Ordering::Relaxed);
            let xml = gen::feed_xml(&st.site, &st.base, feed);
            respond(
                StatusCode::OK,
                "application/rss+xml; charset=utf-8",
                Body::from(xml),
            )
        };
        if let Ok(v) = HeaderValue::from_str(&etag) {
            r.headers_mut().insert(header::ETAG, v);
        }
        return r;
    }
    if let Some(ids) = path
        .strip_prefix("/a/")
        .and_then(|r| r.strip_suffix(".html"))
        .and_then(numbers)
    {
        if let [feed, item] = ids[..] {
            if feed < st.feeds && item < st.site.items {
                c.articles.fetch_add(1, Ordering::Relaxed);
                let html = gen::article_html(&st.site, &st.base, feed, item);
                return respond(StatusCode::OK, "text/html; charset=utf-8", Body::from(html));
            }
        }
    }
    c.not_found.fetch_add(1, Ordering::Relaxed);
    respond(
        StatusCode::NOT_FOUND,
        "text/plain",
        Body::from("not found\n"),
    )
}
