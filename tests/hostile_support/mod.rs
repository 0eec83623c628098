//! A misbehaving HTTP server on 127.0.0.1 for the hostile-input tests.
//!
//! Hand-written on tokio's `TcpListener` so a reply can misbehave at the
//! byte level: a body that never ends, one byte per second, a gzip bomb, a
//! `Content-Type` that lies about the charset. Each path maps to a
//! [`Hostile`] reply; requests are counted per path.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[derive(Clone)]
pub enum Hostile {
    /// 200 with these headers and body (Content-Length set).
    Bytes {
        ctype: String,
        extra: Vec<(String, String)>,
        body: Arc<Vec<u8>>,
    },
    /// 200, no Content-Length, the chunk repeated until the client hangs up.
    Endless { chunk: Arc<Vec<u8>> },
    /// 200 with Content-Length, then one byte every `every`.
    Trickle { body: Arc<Vec<u8>>, every: Duration },
    /// A redirect.
    Redirect { status: u16, location: String },
}

impl Hostile {
    pub fn bytes(ctype: &str, body: impl Into<Vec<u8>>) -> Hostile {
        Hostile::Bytes {
            ctype: ctype.to_string(),
            extra: Vec::new(),
            body: Arc::new(body.into()),
        }
    }
    pub fn gzip(ctype: &str, body: Vec<u8>) -> Hostile {
        Hostile::Bytes {
            ctype: ctype.to_string(),
            extra: vec![("Content-Encoding".into(), "gzip".into())],
            body: Arc::new(body),
        }
    }
}

#[derive(Clone)]
pub struct HostileServer {
    pub addr: SocketAddr,
    routes: Arc<Mutex<HashMap<String, Hostile>>>,
    hits: Arc<Mutex<HashMap<String, usize>>>,
}

impl HostileServer {
    pub async fn start() -> HostileServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = HostileServer {
            addr: listener.local_addr().unwrap(),
            routes: Arc::default(),
            hits: Arc::default(),
        };
        let s = server.clone();
        tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                let s = s.clone();
                tokio::spawn(async move { s.answer(sock).await });
            }
        });
        server
    }

    pub fn route(&self, path: &str, reply: Hostile) -> String {
        self.routes.lock().unwrap().insert(path.to_string(), reply);
        self.url(path)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    async fn answer(&self, mut sock: tokio::net::TcpStream) {
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match sock.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
            if head.len() > 64 * 1024 {
                return;
            }
        }
        let text = String::from_utf8_lossy(&head).to_string();
        let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
        *self.hits.lock().unwrap().entry(path.clone()).or_default() += 1;
        let reply = self.routes.lock().unwrap().get(&path).cloned();
        let _ = match reply {
            None => {
                sock.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .await
            }
            Some(Hostile::Redirect { status, location }) => {
                sock.write_all(
                    format!("HTTP/1.1 {status} Moved\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        .as_bytes(),
                )
                .await
            }
            Some(Hostile::Bytes { ctype, extra, body }) => {
                let mut h = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n",
                    body.len()
                );
                for (k, v) in &extra {
                    h.push_str(&format!("{k}: {v}\r\n"));
                }
                h.push_str("\r\n");
                match sock.write_all(h.as_bytes()).await {
                    Ok(()) => sock.write_all(&body).await,
                    Err(e) => Err(e),
                }
            }
            Some(Hostile::Endless { chunk }) => {
                let h = "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n\r\n";
                let mut r = sock.write_all(h.as_bytes()).await;
                while r.is_ok() {
                    r = sock.write_all(&chunk).await;
                }
                r
            }
            Some(Hostile::Trickle { body, every }) => {
                let h = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let mut r = sock.write_all(h.as_bytes()).await;
                for b in body.iter() {
                    if r.is_err() {
                        break;
                    }
                    tokio::time::sleep(every).await;
                    r = sock.write_all(&[*b]).await;
                }
                r
            }
        };
        let _ = sock.shutdown().await;
    }
}

/// An RSS 2.0 document with `n` items; item `i` links to `link(i)` when given.
pub fn rss(title: &str, n: usize, link: impl Fn(usize) -> Option<String>) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>{title}</title>\
         <link>http://example.invalid/</link><description>d</description>\n"
    );
    for i in 0..n {
        let l = link(i)
            .map(|l| format!("<link>{l}</link>"))
            .unwrap_or_default();
        s.push_str(&format!(
            "<item><title>Item {i}</title>{l}<guid isPermaLink=\"false\">{title}-{i}</guid>\
             <description>Weather bulletin {i}.</description></item>\n"
        ));
    }
    s.push_str("</channel></rss>\n");
    s
}

/// `inflated` bytes of zeros, gzip-compressed chunk by chunk.
pub fn gzip_bomb(inflated: usize) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..inflated / zeros.len() {
        enc.write_all(&zeros).unwrap();
    }
    enc.finish().unwrap()
}

/// The classic "billion laughs" document as an RSS feed.
pub fn billion_laughs() -> String {
    let mut s = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY lol \"lol\">\n");
    for i in 1..=9 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        let refs: String = (0..10).map(|_| format!("&{prev};")).collect();
        s.push_str(&format!("<!ENTITY lol{i} \"{refs}\">\n"));
    }
    s.push_str("]>\n<rss version=\"2.0\"><channel><title>&lol9;</title>\
        <item><title>&lol9;</title><guid>laugh</guid><description>&lol9;</description></item></channel></rss>\n");
    s
}

/// `depth` nested elements of `tag`, with some text at the bottom.
pub fn nested(tag: &str, depth: usize, inner: &str) -> String {
    let mut s = String::with_capacity(depth * (2 * tag.len() + 5) + inner.len());
    for _ in 0..depth {
        s.push('<');
        s.push_str(tag);
        s.push('>');
    }
    s.push_str(inner);
    for _ in 0..depth {
        s.push_str("</");
        s.push_str(tag);
        s.push('>');
    }
    s
}
