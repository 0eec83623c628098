//! Polite, bounded HTTP for feeds and article pages. Knows no SQL: fetch
//! state (validators, error counts) comes in and goes out as plain values.
//!
//! What "polite" and "bounded" mean here, and why each is done by hand:
//!
//! * **Conditional GET.** Stored `ETag`/`Last-Modified` become
//!   `If-None-Match`/`If-Modified-Since`; a 304 is answered without reading a
//!   body. `Cache-Control: max-age` (or `Expires`) is reported for the
//!   scheduler to use as a floor.
//! * **Redirects are followed manually** (reqwest's policy is `none`), so
//!   that every hop passes the private-address check, loops are detected by
//!   URL, the chain is bounded, and a chain of *permanent* redirects
//!   (301/308) can be reported to the store while temporary ones are not.
//! * **Limits.** A global semaphore bounds all requests; per host, a second
//!   semaphore (default 2) plus a minimum spacing between request starts. The
//!   host permit is taken *before* the global one, so a slow host can hold at
//!   most its own share of global permits and never starve other hosts.
//! * **Time and size.** A connect timeout, and one deadline for the whole
//!   exchange including every body byte (a server trickling one byte a second
//!   is cut off). The body limit counts *decompressed* bytes as they stream
//!   out of reqwest's decoder, so a gzip bomb is abandoned at the limit
//!   instead of being inflated into memory.
//! * **Addresses.** See [`guard`]: no private/loopback/link-local/multicast
//!   targets unless `allow_private`; checked after DNS resolution and on every
//!   redirect hop. Proxies from the environment are ignored, because a proxy
//!   would resolve names where we cannot check them.
//! * **robots.txt** is honoured for article pages (not for feeds, which the
//!   operator subscribed to explicitly), cached per origin. Its
//!   `Crawl-delay` (capped at 30 s) widens that origin's spacing.
//! * **Decoding** is [`crate::text::decode`]: HTTP charset, BOM, in-document
//!   declaration, then detection.

pub mod guard;

use crate::model::Validators;
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{StatusCode, Url};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// Settings for a [`Fetcher`].
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Sent on every request; should name the software and a contact URL.
    pub user_agent: String,
    pub connect_timeout: Duration,
    /// Deadline for one whole fetch: every redirect hop and the full body.
    pub total_timeout: Duration,
    /// Limit on the decompressed body.
    pub max_body_bytes: usize,
    pub max_redirects: usize,
    pub global_concurrency: usize,
    pub per_host_concurrency: usize,
    /// Minimum time between the starts of two requests to the same host.
    pub per_host_spacing: Duration,
    /// Allow loopback/private/link-local targets (demo and tests only).
    pub allow_private: bool,
    /// Origins (`http://127.0.0.1:8080`) fetched even though their IP-literal
    /// host is not public, while `allow_private` stays off for everything
    /// else: how the tests serve a site from loopback and still see links
    /// to other private addresses refused.
    pub private_origins: Vec<String>,
    /// Honour robots.txt for article pages.
    pub respect_robots: bool,
    /// How long a fetched robots.txt is trusted.
    pub robots_ttl: Duration,
}

/// Product token of the default User-Agent; also the agent name matched in
/// robots.txt groups.
pub const PRODUCT: &str = "branchwatch";

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            user_agent: format!(
                "{PRODUCT}/{} (+https://github.com/branchwatch/branchwatch; party-branch news monitor)",
                env!("CARGO_PKG_VERSION")
            ),
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(30),
            max_body_bytes: 10 * 1024 * 1024,
            max_redirects: 5,
            global_concurrency: 8,
            per_host_concurrency: 2,
            per_host_spacing: Duration::from_secs(1),
            allow_private: false,
            private_origins: Vec::new(),
            respect_robots: true,
            robots_ttl: Duration::from_secs(24 * 3600),
        }
    }
}

/// Why a fetch failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("timed out")]
    Timeout,
    #[error("body exceeds {limit} bytes")]
    TooLarge { limit: usize },
    #[error("HTTP status {code}")]
    Status {
        code: u16,
        retry_after: Option<Duration>,
    },
    #[error("gone (HTTP 410)")]
    Gone,
    #[error("redirect loop at {url}")]
    RedirectLoop { url: String },
    #[error("more than {limit} redirects")]
    TooManyRedirects { limit: usize },
    #[error("redirect without a usable Location: {0}")]
    BadRedirect(String),
    #[error("refusing to fetch non-public address of {host}")]
    PrivateAddress { host: String },
    #[error("disallowed by robots.txt: {url}")]
    RobotsDisallowed { url: String },
    #[error("DNS lookup failed for {host}: {reason}")]
    Dns { host: String, reason: String },
    #[error("connection failed: {0}")]
    Connect(String),
    #[error("HTTP error: {0}")]
    Http(String),
    #[error("reading body failed: {0}")]
    Body(String),
    #[error("decoding failed: {0}")]
    Decode(String),
    #[error("HTTP client setup failed: {0}")]
    Setup(String),
}

impl FetchError {
    /// Stable label for metrics and the database.
    pub fn kind(&self) -> &'static str {
        match self {
            FetchError::InvalidUrl { .. } => "invalid_url",
            FetchError::Timeout => "timeout",
            FetchError::TooLarge { .. } => "too_large",
            FetchError::Status { code: 429, .. } => "http_429",
            FetchError::Status { code, .. } if *code >= 500 => "http_5xx",
            FetchError::Status { .. } => "http_4xx",
            FetchError::Gone => "gone",
            FetchError::RedirectLoop { .. } => "redirect_loop",
            FetchError::TooManyRedirects { .. } => "too_many_redirects",
            FetchError::BadRedirect(_) => "bad_redirect",
            FetchError::PrivateAddress { .. } => "private_address",
            FetchError::RobotsDisallowed { .. } => "robots_disallowed",
            FetchError::Dns { .. } => "dns",
            FetchError::Connect(_) => "connect",
            FetchError::Http(_) => "http",
            FetchError::Body(_) => "body",
            FetchError::Decode(_) => "decode",
            FetchError::Setup(_) => "setup",
        }
    }

    /// Whether trying again later may succeed without anyone changing
    /// anything. The scheduler retries everything anyway (with backoff);
    /// this tells operators what needs their attention.
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Timeout
            | FetchError::Dns { .. }
            | FetchError::Connect(_)
            | FetchError::Http(_)
            | FetchError::Body(_) => true,
            FetchError::Status { code, .. } => *code == 408 || *code == 429 || *code >= 500,
            _ => false,
        }
    }

    /// The server's `Retry-After`, if it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// The result of [`Fetcher::fetch_feed`].
#[derive(Debug, Clone, PartialEq)]
pub enum FeedResponse {
    /// 304: nothing changed since the validators were issued.
    NotModified {
        /// The validators to keep (refreshed if the 304 carried new ones).
        validators: Validators,
        max_age: Option<Duration>,
        /// As for `Fetched`: a 301/308 chain that ended in a 304 still moves the feed.
        permanent_redirect_to: Option<String>,
    },
    Fetched {
        /// Decompressed body as received.
        body: Vec<u8>,
        /// The body decoded to text.
        text: String,
        /// WHATWG name of the encoding used for `text`.
        encoding: &'static str,
        /// Where the body finally came from (after redirects).
        final_url: String,
        /// Set when the request was answered through 301/308 redirects that
        /// ended elsewhere: the store should replace the feed's URL with it.
        permanent_redirect_to: Option<String>,
        validators: Validators,
        max_age: Option<Duration>,
    },
}

/// The result of [`Fetcher::fetch_page`].
#[derive(Debug, Clone, PartialEq)]
pub struct PageResponse {
    pub text: String,
    pub final_url: String,
    pub encoding: &'static str,
    pub content_type: Option<String>,
}

/// Shared HTTP client with all limits; cheap to clone.
#[derive(Clone)]
pub struct Fetcher {
    inner: Arc<Inner>,
}

struct Inner {
    client: reqwest::Client,
    opts: FetchOptions,
    global: Arc<Semaphore>,
    hosts: Mutex<HashMap<String, Arc<HostGate>>>,
    robots: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<CachedRobots>>>>>,
    robots_agent: String,
}

/// Per-host concurrency and spacing.
struct HostGate {
    permits: Arc<Semaphore>,
    timing: Mutex<GateTiming>,
}

struct GateTiming {
    /// Earliest start of the next request to this host.
    next_start: Instant,
    /// The site's robots.txt `Crawl-delay`, when larger than our spacing.
    crawl_delay: Duration,
}

/// Crawl-delays beyond this are capped: a site asking for one request an
/// hour would otherwise stall every article from it.
const MAX_CRAWL_DELAY: Duration = Duration::from_secs(30);
/// Above this many remembered hosts, idle gates are forgotten.
const MAX_IDLE_GATES: usize = 4096;

#[derive(Clone)]
enum RobotsRules {
    AllowAll,
    DisallowAll,
    Rules(Arc<texting_robots::Robot>),
}

struct CachedRobots {
    rules: RobotsRules,
    expires: Instant,
}

/// Failed robots.txt fetches (5xx, network) are retried sooner than
/// successful ones are refreshed.
const ROBOTS_ERROR_TTL: Duration = Duration::from_secs(600);
/// RFC 9309 asks crawlers to read at least 500 KiB of robots.txt.
const ROBOTS_MAX_BYTES: usize = 512 * 1024;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Feed,
    Page,
    Robots,
}

/// A response ready for its body, with the permits that must be held while
/// the body is read.
struct Landed {
    resp: reqwest::Response,
    final_url: Url,
    permanent_to: Option<Url>,
    _host_permit: OwnedSemaphorePermit,
    _global_permit: OwnedSemaphorePermit,
}

impl Fetcher {
    pub fn new(opts: FetchOptions) -> Result<Fetcher, FetchError> {
        let client = reqwest::Client::builder()
            .user_agent(opts.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(opts.connect_timeout)
            .no_proxy()
            .dns_resolver(Arc::new(guard::GuardedResolver {
                allow_private: opts.allow_private,
            }))
            .gzip(true)
            .brotli(true)
            .deflate(true)
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| FetchError::Setup(error_chain(&e)))?;
        let robots_agent = opts
            .user_agent
            .split(['/', ' '])
            .next()
            .filter(|s| !s.is_empty())
            .unwrap_or(PRODUCT)
            .to_string();
        Ok(Fetcher {
            inner: Arc::new(Inner {
                client,
                global: Arc::new(Semaphore::new(opts.global_concurrency.max(1))),
                hosts: Mutex::new(HashMap::new()),
                robots: Mutex::new(HashMap::new()),
                robots_agent,
                opts,
            }),
        })
    }

    pub fn options(&self) -> &FetchOptions {
        &self.inner.opts
    }

    /// Fetch a feed, conditionally when `validators` has values.
    pub async fn fetch_feed(
        &self,
        url: &str,
        validators: &Validators,
    ) -> Result<FeedResponse, FetchError> {
        self.fetch_conditional(
            url,
            validators,
            HeaderValue::from_static(
                "application/rss+xml, application/atom+xml, application/feed+json, \
                 application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5",
            ),
            self.inner.opts.max_body_bytes,
        )
        .await
    }

    /// Fetch a sitemap (for backfill) like a feed, with its own body limit:
    /// the protocol allows 50 MB uncompressed, more than an article or feed
    /// ever needs. Every other limit, the per-host gate and the guard apply.
    pub async fn fetch_sitemap(
        &self,
        url: &str,
        max_bytes: usize,
    ) -> Result<FeedResponse, FetchError> {
        self.fetch_conditional(
            url,
            &Validators::default(),
            HeaderValue::from_static(
                "application/xml, text/xml;q=0.9, application/gzip;q=0.9, */*;q=0.5",
            ),
            max_bytes,
        )
        .await
    }

    /// Fetch an HTML page that stands in for a feed (a site's news list, a
    /// Telegram channel's preview) exactly as a feed is fetched:
    /// conditionally, without robots.txt (the operator subscribed to it),
    /// with every other limit and the address guard.
    pub async fn fetch_listing(
        &self,
        url: &str,
        validators: &Validators,
    ) -> Result<FeedResponse, FetchError> {
        self.fetch_conditional(
            url,
            validators,
            HeaderValue::from_static("text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"),
            self.inner.opts.max_body_bytes,
        )
        .await
    }

    async fn fetch_conditional(
        &self,
        url: &str,
        validators: &Validators,
        accept: HeaderValue,
        max_body_bytes: usize,
    ) -> Result<FeedResponse, FetchError> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, accept);
        if let Some(v) = validators
            .etag
            .as_deref()
            .and_then(|v| HeaderValue::from_str(v).ok())
        {
            headers.insert(header::IF_NONE_MATCH, v);
        }
        if let Some(v) = validators
            .last_modified
            .as_deref()
            .and_then(|v| HeaderValue::from_str(v).ok())
        {
            headers.insert(header::IF_MODIFIED_SINCE, v);
        }
        let start = self.parse_url(url)?;
        let mut deadline = None;
        let landed = self
            .follow(start, Purpose::Feed, &headers, &mut deadline)
            .await?;
        let deadline = deadline.unwrap_or_else(|| Instant::now() + self.inner.opts.total_timeout);
        let status = landed.resp.status();
        let resp_headers = landed.resp.headers().clone();
        let max_age = max_age(&resp_headers);
        let new_validators = Validators {
            etag: header_string(&resp_headers, header::ETAG).or_else(|| validators.etag.clone()),
            last_modified: header_string(&resp_headers, header::LAST_MODIFIED)
                .or_else(|| validators.last_modified.clone()),
        };
        if status == StatusCode::NOT_MODIFIED {
            // No body is read; dropping the response closes or reuses the
            // connection as hyper sees fit.
            return Ok(FeedResponse::NotModified {
                validators: new_validators,
                max_age,
                permanent_redirect_to: landed.permanent_to.as_ref().map(|u| u.to_string()),
            });
        }
        let Landed {
            resp,
            final_url,
            permanent_to,
            _host_permit,
            _global_permit,
        } = landed;
        let content_type = header_string(&resp_headers, header::CONTENT_TYPE);
        let body = with_deadline(deadline, read_body(resp, max_body_bytes, false)).await?;
        let decoded = crate::text::decode(&body, content_type.as_deref());
        Ok(FeedResponse::Fetched {
            text: decoded.text,
            encoding: decoded.encoding,
            body,
            final_url: final_url.to_string(),
            permanent_redirect_to: permanent_to.map(|u| u.to_string()),
            validators: Validators {
                etag: header_string(&resp_headers, header::ETAG),
                last_modified: header_string(&resp_headers, header::LAST_MODIFIED),
            },
            max_age,
        })
    }

    /// Fetch an article page: robots.txt honoured (if configured) for every
    /// URL in the redirect chain.
    pub async fn fetch_page(&self, url: &str) -> Result<PageResponse, FetchError> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static("text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"),
        );
        let start = self.parse_url(url)?;
        let mut deadline = None;
        let landed = self
            .follow(start, Purpose::Page, &headers, &mut deadline)
            .await?;
        let deadline = deadline.unwrap_or_else(|| Instant::now() + self.inner.opts.total_timeout);
        let content_type = header_string(landed.resp.headers(), header::CONTENT_TYPE);
        let Landed {
            resp,
            final_url,
            _host_permit,
            _global_permit,
            ..
        } = landed;
        let body = with_deadline(
            deadline,
            read_body(resp, self.inner.opts.max_body_bytes, false),
        )
        .await?;
        let decoded = crate::text::decode(&body, content_type.as_deref());
        Ok(PageResponse {
            text: decoded.text,
            final_url: final_url.to_string(),
            encoding: decoded.encoding,
            content_type,
        })
    }

    /// Whether robots.txt lets us fetch `url` (always true when robots are
    /// not respected). Fetches and caches the origin's robots.txt.
    pub async fn robots_allowed(&self, url: &str) -> Result<bool, FetchError> {
        let u = self.parse_url(url)?;
        self.robots_allows(&u).await
    }

    fn parse_url(&self, url: &str) -> Result<Url, FetchError> {
        let u = Url::parse(url.trim()).map_err(|e| FetchError::InvalidUrl {
            url: url.to_string(),
            reason: e.to_string(),
        })?;
        if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
            return Err(FetchError::InvalidUrl {
                url: url.to_string(),
                reason: "only http(s) URLs with a host are fetched".into(),
            });
        }
        Ok(u)
    }

    /// Issue the request and follow redirects by hand until a non-redirect
    /// response. `deadline` is set when the first request is sent.
    async fn follow(
        &self,
        start: Url,
        purpose: Purpose,
        headers: &HeaderMap,
        deadline: &mut Option<Instant>,
    ) -> Result<Landed, FetchError> {
        let opts = &self.inner.opts;
        let max_redirects = match purpose {
            Purpose::Robots => opts.max_redirects.min(5),
            _ => opts.max_redirects,
        };
        let mut visited: HashSet<String> = HashSet::new();
        let mut current = start.clone();
        // The target of the leading run of permanent redirects, if any.
        let mut permanent: Option<Url> = None;
        let mut all_permanent = true;
        let mut hops = 0usize;
        loop {
            visited.insert(current.as_str().to_string());
            self.check_literal_address(&current)?;
            if purpose == Purpose::Page
                && opts.respect_robots
                && !self.robots_allows(&current).await?
            {
                return Err(FetchError::RobotsDisallowed {
                    url: current.to_string(),
                });
            }
            let host_permit = self.host_slot(&current).await?;
            let global_permit = self
                .inner
                .global
                .clone()
                .acquire_owned()
                .await
                .map_err(|e| FetchError::Setup(e.to_string()))?;
            let dl = *deadline.get_or_insert_with(|| Instant::now() + opts.total_timeout);
            let resp = with_deadline(dl, async {
                self.inner
                    .client
                    .get(current.clone())
                    .headers(headers.clone())
                    .send()
                    .await
                    .map_err(|e| classify(&e, &current))
            })
            .await?;
            let status = resp.status();
            if is_redirect(status) {
                let target = redirect_target(&resp, &current)?;
                drop(resp);
                drop(global_permit);
                drop(host_permit);
                if visited.contains(target.as_str()) {
                    return Err(FetchError::RedirectLoop {
                        url: target.to_string(),
                    });
                }
                hops += 1;
                if hops > max_redirects {
                    return Err(FetchError::TooManyRedirects {
                        limit: max_redirects,
                    });
                }
                let is_permanent = matches!(
                    status,
                    StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT
                );
                all_permanent &= is_permanent;
                if all_permanent {
                    permanent = Some(target.clone());
                }
                tracing::debug!(from = %current, to = %target, status = status.as_u16(), "redirect");
                current = target;
                continue;
            }
            if status == StatusCode::GONE {
                return Err(FetchError::Gone);
            }
            let ok = status.is_success()
                || (status == StatusCode::NOT_MODIFIED && purpose == Purpose::Feed);
            if !ok {
                return Err(FetchError::Status {
                    code: status.as_u16(),
                    retry_after: retry_after(resp.headers(), Utc::now()),
                });
            }
            let permanent_to = permanent.filter(|p| p.as_str() != start.as_str());
            return Ok(Landed {
                resp,
                final_url: current,
                permanent_to,
                _host_permit: host_permit,
                _global_permit: global_permit,
            });
        }
    }

    /// IP-literal hosts never reach the resolver, so they are checked here.
    fn check_literal_address(&self, url: &Url) -> Result<(), FetchError> {
        if self.inner.opts.allow_private {
            return Ok(());
        }
        let ip = match url.host() {
            Some(url::Host::Ipv4(a)) => std::net::IpAddr::V4(a),
            Some(url::Host::Ipv6(a)) => std::net::IpAddr::V6(a),
            _ => return Ok(()),
        };
        let exempt = || {
            let origin = origin_key(url);
            self.inner
                .opts
                .private_origins
                .iter()
                .filter_map(|o| Url::parse(o).ok())
                .any(|o| origin_key(&o) == origin)
        };
        if guard::is_public(ip) || exempt() {
            Ok(())
        } else {
            Err(FetchError::PrivateAddress {
                host: url.host_str().unwrap_or_default().to_string(),
            })
        }
    }

    /// The gate for `url`'s origin, created on first use.
    fn gate(&self, url: &Url) -> Result<Arc<HostGate>, FetchError> {
        let mut hosts = self
            .inner
            .hosts
            .lock()
            .map_err(|_| FetchError::Setup("host table poisoned".into()))?;
        if hosts.len() > MAX_IDLE_GATES {
            // A gate nobody holds and whose spacing has elapsed carries no
            // state worth keeping (crawl-delays come back with robots.txt).
            let now = Instant::now();
            hosts.retain(|_, g| {
                Arc::strong_count(g) > 1
                    || g.timing.lock().map(|t| t.next_start > now).unwrap_or(true)
            });
        }
        let per_host = self.inner.opts.per_host_concurrency.max(1);
        Ok(hosts
            .entry(origin_key(url))
            .or_insert_with(|| {
                Arc::new(HostGate {
                    permits: Arc::new(Semaphore::new(per_host)),
                    timing: Mutex::new(GateTiming {
                        next_start: Instant::now(),
                        crawl_delay: Duration::ZERO,
                    }),
                })
            })
            .clone())
    }

    /// Wait for a per-host permit and for the host's spacing slot.
    async fn host_slot(&self, url: &Url) -> Result<OwnedSemaphorePermit, FetchError> {
        let gate = self.gate(url)?;
        let permit = gate
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| FetchError::Setup(e.to_string()))?;
        // Reserve a start time under the lock, sleep outside it: waiters get
        // consecutive slots in the order they got here.
        let slot = {
            let mut t = gate
                .timing
                .lock()
                .map_err(|_| FetchError::Setup("host gate poisoned".into()))?;
            let slot = t.next_start.max(Instant::now());
            t.next_start = slot + self.inner.opts.per_host_spacing.max(t.crawl_delay);
            slot
        };
        tokio::time::sleep_until(slot).await;
        Ok(permit)
    }

    fn set_crawl_delay(&self, url: &Url, delay: Duration) -> Result<(), FetchError> {
        let gate = self.gate(url)?;
        let mut t = gate
            .timing
            .lock()
            .map_err(|_| FetchError::Setup("host gate poisoned".into()))?;
        t.crawl_delay = delay.min(MAX_CRAWL_DELAY);
        Ok(())
    }

    async fn robots_allows(&self, url: &Url) -> Result<bool, FetchError> {
        if !self.inner.opts.respect_robots {
            return Ok(true);
        }
        let origin = origin_key(url);
        let cell = {
            let mut map = self
                .inner
                .robots
                .lock()
                .map_err(|_| FetchError::Setup("robots cache poisoned".into()))?;
            map.entry(origin.clone()).or_default().clone()
        };
        // One fetch per origin at a time: concurrent article fetches for the
        // same site wait for the first one's robots.txt.
        let mut slot = cell.lock().await;
        let fresh = slot
            .as_ref()
            .filter(|c| c.expires > Instant::now())
            .map(|c| c.rules.clone());
        let rules = match fresh {
            Some(r) => r,
            None => {
                let (rules, ttl) = Box::pin(self.load_robots(url)).await?;
                if let RobotsRules::Rules(r) = &rules {
                    let delay = r
                        .delay
                        .filter(|d| d.is_finite() && *d > 0.0)
                        .map(|d| Duration::from_secs_f32(d.min(MAX_CRAWL_DELAY.as_secs_f32())))
                        .unwrap_or(Duration::ZERO);
                    self.set_crawl_delay(url, delay)?;
                }
                *slot = Some(CachedRobots {
                    rules: rules.clone(),
                    expires: Instant::now() + ttl,
                });
                rules
            }
        };
        Ok(match rules {
            RobotsRules::AllowAll => true,
            RobotsRules::DisallowAll => false,
            RobotsRules::Rules(r) => r.allowed(url.as_str()),
        })
    }

    /// RFC 9309 semantics: 2xx → the rules; 4xx → no rules; 5xx or
    /// unreachable → assume everything is disallowed, for a short while.
    async fn load_robots(&self, url: &Url) -> Result<(RobotsRules, Duration), FetchError> {
        let mut robots_url = url.clone();
        robots_url.set_path("/robots.txt");
        robots_url.set_query(None);
        robots_url.set_fragment(None);
        let mut deadline = None;
        let headers = HeaderMap::new();
        let ttl = self.inner.opts.robots_ttl;
        let landed = match self
            .follow(robots_url, Purpose::Robots, &headers, &mut deadline)
            .await
        {
            Ok(l) => l,
            Err(FetchError::Status { code, .. }) if (400..500).contains(&code) && code != 429 => {
                return Ok((RobotsRules::AllowAll, ttl));
            }
            Err(FetchError::Gone) => return Ok((RobotsRules::AllowAll, ttl)),
            Err(e @ FetchError::PrivateAddress { .. }) => return Err(e),
            Err(e) => {
                tracing::info!(origin = %origin_key(url), error = %e, "robots.txt unavailable; treating site as disallowed");
                return Ok((RobotsRules::DisallowAll, ROBOTS_ERROR_TTL));
            }
        };
        let deadline = deadline.unwrap_or_else(|| Instant::now() + self.inner.opts.total_timeout);
        let Landed {
            resp,
            _host_permit,
            _global_permit,
            ..
        } = landed;
        match with_deadline(deadline, read_body(resp, ROBOTS_MAX_BYTES, true)).await {
            Ok(body) => match texting_robots::Robot::new(&self.inner.robots_agent, &body) {
                Ok(r) => Ok((RobotsRules::Rules(Arc::new(r)), ttl)),
                // Unparseable robots.txt expresses no rule we could follow.
                Err(_) => Ok((RobotsRules::AllowAll, ttl)),
            },
            Err(_) => Ok((RobotsRules::DisallowAll, ROBOTS_ERROR_TTL)),
        }
    }
}

fn is_redirect(s: StatusCode) -> bool {
    matches!(
        s,
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    )
}

fn redirect_target(resp: &reqwest::Response, current: &Url) -> Result<Url, FetchError> {
    let loc = resp
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| FetchError::BadRedirect(format!("{} from {current}", resp.status())))?;
    let mut target = current
        .join(loc.trim())
        .map_err(|e| FetchError::BadRedirect(format!("{loc:?}: {e}")))?;
    if !matches!(target.scheme(), "http" | "https") {
        return Err(FetchError::BadRedirect(format!(
            "{loc:?}: not an http(s) URL"
        )));
    }
    // A fragment is client-side only; keeping it would defeat loop detection.
    target.set_fragment(None);
    Ok(target)
}

/// `scheme://host:port`, the unit robots.txt and per-host limits apply to.
fn origin_key(url: &Url) -> String {
    format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or_default().to_ascii_lowercase(),
        url.port_or_known_default().unwrap_or(0)
    )
}

async fn with_deadline<T>(
    deadline: Instant,
    fut: impl std::future::Future<Output = Result<T, FetchError>>,
) -> Result<T, FetchError> {
    match tokio::time::timeout_at(deadline, fut).await {
        Ok(r) => r,
        Err(_) => Err(FetchError::Timeout),
    }
}

/// Read the (already decompressed) body, counting bytes as they arrive.
/// With `truncate`, stop quietly at the limit instead of failing.
async fn read_body(
    resp: reqwest::Response,
    limit: usize,
    truncate: bool,
) -> Result<Vec<u8>, FetchError> {
    if !truncate {
        if let Some(len) = resp.content_length() {
            if len > limit as u64 {
                return Err(FetchError::TooLarge { limit });
            }
        }
    }
    let url = resp.url().clone();
    let mut stream = resp.bytes_stream();
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| classify(&e, &url))?;
        if body.len() + chunk.len() > limit {
            if truncate {
                body.extend_from_slice(&chunk[..limit - body.len()]);
                return Ok(body);
            }
            return Err(FetchError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Map a reqwest error to what callers act on, looking through the source
/// chain for our resolver's verdicts.
fn classify(e: &reqwest::Error, url: &Url) -> FetchError {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        if let Some(b) = s.downcast_ref::<guard::Blocked>() {
            return FetchError::PrivateAddress {
                host: b.host.clone(),
            };
        }
        if let Some(d) = s.downcast_ref::<guard::DnsFailed>() {
            return FetchError::Dns {
                host: d.host.clone(),
                reason: d.reason.clone(),
            };
        }
        src = s.source();
    }
    if e.is_timeout() {
        FetchError::Timeout
    } else if e.is_connect() {
        FetchError::Connect(format!(
            "{}: {}",
            url.host_str().unwrap_or_default(),
            error_chain(e)
        ))
    } else if e.is_body() || e.is_decode() {
        FetchError::Body(error_chain(e))
    } else {
        FetchError::Http(error_chain(e))
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

fn header_string(h: &HeaderMap, name: header::HeaderName) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Freshness lifetime from `Cache-Control: max-age` (or `s-maxage`), else
/// from `Expires` − `Date`. `no-store`/`no-cache` mean none.
pub fn max_age(h: &HeaderMap) -> Option<Duration> {
    if let Some(cc) = h.get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()) {
        let mut age = None;
        for d in cc.split(',') {
            let d = d.trim().to_ascii_lowercase();
            if d == "no-store" || d == "no-cache" {
                return None;
            }
            if let Some(v) = d.strip_prefix("max-age=") {
                age = v
                    .trim_matches('"')
                    .parse::<u64>()
                    .ok()
                    .map(Duration::from_secs);
            }
        }
        if age.is_some() {
            return age;
        }
    }
    let expires = header_string(h, header::EXPIRES).and_then(|s| parse_http_date(&s))?;
    let date = header_string(h, header::DATE)
        .and_then(|s| parse_http_date(&s))
        .unwrap_or_else(Utc::now);
    (expires - date).to_std().ok().filter(|d| !d.is_zero())
}

/// `Retry-After` as delta-seconds or an HTTP-date (relative to `now`);
/// a date in the past means "now".
pub fn retry_after(h: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let v = header_string(h, header::RETRY_AFTER)?;
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = parse_http_date(&v)?;
    Some((when - now).to_std().unwrap_or(Duration::ZERO))
}

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) and the obsolete RFC 850
/// form, which HTTP still requires recipients to accept.
fn parse_http_date(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(d) = DateTime::parse_from_rfc2822(s.trim()) {
        return Some(d.with_timezone(&Utc));
    }
    chrono::NaiveDateTime::parse_from_str(s.trim(), "%A, %d-%b-%y %H:%M:%S GMT")
        .ok()
        .map(|n| n.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let r = |v: &str| retry_after(&headers(&[("retry-after", v)]), now);
        assert_eq!(r("120"), Some(Duration::from_secs(120)));
        assert_eq!(
            r("Sun, 01 Mar 2026 12:05:00 GMT"),
            Some(Duration::from_secs(300))
        );
        assert_eq!(
            r("Sunday, 01-Mar-26 12:01:00 GMT"),
            Some(Duration::from_secs(60))
        );
        assert_eq!(r("Sun, 01 Mar 2026 11:00:00 GMT"), Some(Duration::ZERO));
        assert_eq!(r("soon"), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn max_age_from_cache_control_or_expires() {
        let m = |p: &[(&'static str, &str)]| max_age(&headers(p));
        assert_eq!(
            m(&[("cache-control", "public, max-age=600")]),
            Some(Duration::from_secs(600))
        );
        assert_eq!(m(&[("cache-control", "no-cache, max-age=600")]), None);
        assert_eq!(m(&[("cache-control", "no-store")]), None);
        assert_eq!(
            m(&[
                ("date", "Sun, 01 Mar 2026 12:00:00 GMT"),
                ("expires", "Sun, 01 Mar 2026 12:15:00 GMT")
            ]),
            Some(Duration::from_secs(900))
        );
        assert_eq!(
            m(&[
                ("date", "Sun, 01 Mar 2026 12:00:00 GMT"),
                ("expires", "Thu, 01 Jan 1970 00:00:00 GMT")
            ]),
            None
        );
        assert_eq!(m(&[]), None);
    }

    #[test]
    fn error_labels_and_transience() {
        let s = |code| FetchError::Status {
            code,
            retry_after: Some(Duration::from_secs(5)),
        };
        assert_eq!(s(429).kind(), "http_429");
        assert_eq!(s(503).kind(), "http_5xx");
        assert_eq!(s(404).kind(), "http_4xx");
        assert!(s(503).is_transient() && s(429).is_transient());
        assert!(!s(404).is_transient());
        assert!(!FetchError::Gone.is_transient());
        assert!(FetchError::Timeout.is_transient());
        assert_eq!(s(429).retry_after(), Some(Duration::from_secs(5)));
        assert_eq!(FetchError::Gone.retry_after(), None);
        assert_eq!(FetchError::TooLarge { limit: 1 }.kind(), "too_large");
    }

    #[test]
    fn default_user_agent_names_product_and_contact() {
        let o = FetchOptions::default();
        assert!(o.user_agent.starts_with("branchwatch/"));
        assert!(o.user_agent.contains("+https://"));
        assert_eq!(o.per_host_concurrency, 2);
        assert!(!o.allow_private);
    }
}
