//! A deliberately small HTTP/1.1 server on 127.0.0.1:0 for the fetch tests.
//!
//! Hand-written on a `TcpListener` rather than a framework so a test can
//! misbehave at the byte level: trickle a body one byte a second, omit
//! `Content-Length`, send a gzip bomb, or answer slowly, and so every
//! request (headers, arrival time) and the peak number of simultaneous
//! connections can be asserted on.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Req {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub at: Instant,
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub enum Body {
    /// Sent at once with `Content-Length`.
    Bytes(Vec<u8>),
    /// `Content-Length` announced, then one byte per `every`.
    Trickle { bytes: Vec<u8>, every: Duration },
    /// No `Content-Length`: the body ends when the connection closes.
    UntilClose(Vec<u8>),
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    /// Wait this long before answering (a slow host).
    pub delay: Duration,
}

impl Reply {
    pub fn new(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Body::Bytes(Vec::new()),
            delay: Duration::ZERO,
        }
    }
    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply::new(200).body(body)
    }
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Reply {
        self.body = Body::Bytes(body.into());
        self
    }
    pub fn header(mut self, k: &str, v: &str) -> Reply {
        self.headers.push((k.to_string(), v.to_string()));
        self
    }
    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply::new(status).header("Location", location)
    }
    pub fn delay(mut self, d: Duration) -> Reply {
        self.delay = d;
        self
    }
}

#[derive(Clone)]
pub struct TestServer {
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<Req>>>,
    active: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
    pub fn requests(&self) -> Vec<Req> {
        self.log.lock().unwrap().clone()
    }
    pub fn requests_to(&self, path: &str) -> Vec<Req> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }
    /// Most requests being answered at the same time.
    pub fn peak_concurrency(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }
}

fn status_text(code: u16) -> &'static str {
    match code {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        404 => "Not Found",
        410 => "Gone",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Start a server answering every request with `handler`.
pub async fn serve<F>(handler: F) -> TestServer
where
    F: Fn(&Req) -> Reply + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = TestServer {
        addr: listener.local_addr().unwrap(),
        log: Arc::default(),
        active: Arc::default(),
        peak: Arc::default(),
    };
    let handler = Arc::new(handler);
    let s = server.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let handler = handler.clone();
            let s = s.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf).to_string();
                let mut lines = head.split("\r\n");
                let path = lines
                    .next()
                    .and_then(|l| l.split(' ').nth(1))
                    .unwrap_or("/")
                    .to_string();
                let headers = lines
                    .take_while(|l| !l.is_empty())
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                    .collect();
                let req = Req {
                    path,
                    headers,
                    at: Instant::now(),
                };
                s.log.lock().unwrap().push(req.clone());
                let now = s.active.fetch_add(1, Ordering::SeqCst) + 1;
                s.peak.fetch_max(now, Ordering::SeqCst);
                let reply = handler(&req);
                tokio::time::sleep(reply.delay).await;
                let mut out = format!(
                    "HTTP/1.1 {} {}\r\nConnection: close\r\n",
                    reply.status,
                    status_text(reply.status)
                );
                for (k, v) in &reply.headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                let _ = match reply.body {
                    Body::Bytes(b) => {
                        out.push_str(&format!("Content-Length: {}\r\n\r\n", b.len()));
                        let mut all = out.into_bytes();
                        all.extend_from_slice(&b);
                        sock.write_all(&all).await
                    }
                    Body::UntilClose(b) => {
                        out.push_str("\r\n");
                        let mut all = out.into_bytes();
                        all.extend_from_slice(&b);
                        sock.write_all(&all).await
                    }
                    Body::Trickle { bytes, every } => {
                        out.push_str(&format!("Content-Length: {}\r\n\r\n", bytes.len()));
                        let mut r = sock.write_all(out.as_bytes()).await;
                        for b in bytes {
                            if r.is_err() {
                                break;
                            }
                            tokio::time::sleep(every).await;
                            r = sock.write_all(&[b]).await;
                        }
                        r
                    }
                };
                // Count the exchange as over once the bytes are handed to the
                // kernel: the client may release its permit right after.
                s.active.fetch_sub(1, Ordering::SeqCst);
                let _ = sock.shutdown().await;
            });
        }
    });
    server
}

/// Options for tests: loopback allowed, short timeouts, no spacing.
pub fn test_options() -> branchwatch::fetch::FetchOptions {
    branchwatch::fetch::FetchOptions {
        allow_private: true,
        per_host_spacing: Duration::ZERO,
        connect_timeout: Duration::from_secs(5),
        total_timeout: Duration::from_secs(10),
        ..Default::default()
    }
}

/// A small RSS 2.0 document; items are (guid, link, title).
pub fn rss(title: &str, items: &[(&str, &str, &str)]) -> String {
    let mut s = format!("<rss version=\"2.0\"><channel><title>{title}</title>\n");
    for (g, l, t) in items {
        s.push_str(&format!(
            "<item><guid isPermaLink=\"false\">{g}</guid><link>{l}</link><title>{t}</title></item>\n"
        ));
    }
    s.push_str("</channel></rss>\n");
    s
}
