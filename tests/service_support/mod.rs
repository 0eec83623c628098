//! Shared pieces of the service tests: a tiny RSS server on 127.0.0.1 that
//! counts requests per path, a notify socket standing in for systemd, and the
//! real `branchwatch run` binary as a child process that is killed on drop.
//!
//! Everything waits with a deadline, so a hung daemon fails a test instead of
//! hanging the test run.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_branchwatch");

/// Polls `check` every 50 ms until it returns `Some` or `timeout` passes.
pub fn wait_until<T>(timeout: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check() {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// An HTTP/1.0-style server: one request per connection, every path ending in
/// `.xml` gets a small RSS document with two items, anything else 404.
pub struct FeedServer {
    pub addr: std::net::SocketAddr,
    hits: Arc<Mutex<HashMap<String, usize>>>,
}

impl FeedServer {
    pub fn start() -> FeedServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let hits: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let h = hits.clone();
        // The thread ends with the test process; a blocked accept holds nothing.
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let h = h.clone();
                std::thread::spawn(move || answer(stream, &h));
            }
        });
        FeedServer { addr, hits }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

fn answer(mut stream: TcpStream, hits: &Mutex<HashMap<String, usize>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    *hits.lock().unwrap().entry(path.clone()).or_insert(0) += 1;
    let (status, ctype, body) = if path.ends_with(".xml") {
        ("200 OK", "application/rss+xml; charset=utf-8", rss(&path))
    } else {
        ("404 Not Found", "text/plain", "not found\n".to_string())
    };
    let reply = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(reply.as_bytes());
}

/// Two items whose links and guids are unique per feed path, dated now so
/// that the first poll analyses them.
fn rss(path: &str) -> String {
    let date = chrono::Utc::now().to_rfc2822();
    let slug = path.trim_matches('/').replace(['/', '.'], "-");
    let items: String = (1..=2)
        .map(|i| {
            format!(
                "<item><title>Item {i} of {slug}</title><link>http://example.invalid/{slug}/{i}</link>\
                 <guid isPermaLink=\"false\">{slug}-{i}</guid><pubDate>{date}</pubDate>\
                 <description>Weather report number {i}.</description></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>{slug}</title>\
         <link>http://example.invalid/</link><description>test</description>{items}</channel></rss>\n"
    )
}

/// A configuration for the test daemon: the database in `dir`, no API, no
/// digests, loopback feeds allowed, polling every 1–2 s so that "still
/// polling" is observable within a test's time budget.
pub fn config_text(dir: &Path, feeds: &[(&str, String)], log_format: &str) -> String {
    let mut s = format!(
        r#"[storage]
database = "{db}"

[polling]
default_interval_secs = 1
min_interval_secs = 1
max_interval_secs = 2
backoff_cap_secs = 2
jitter_fraction = 0.0
connect_timeout_secs = 2
total_timeout_secs = 5
per_host_spacing_ms = 10
allow_private_addresses = true
respect_robots_txt = false
fetch_articles = false

[api]
enabled = false

[logging]
level = "info"
format = "{log_format}"
"#,
        db = dir.join("bw.sqlite").display()
    );
    for (name, url) in feeds {
        s.push_str(&format!(
            "\n[[feeds]]\nname = \"{name}\"\nurl = \"{url}\"\nlang = \"en\"\n"
        ));
    }
    s
}

/// Replaces the file in one step, so a reload never reads half a file.
pub fn write_atomically(path: &Path, text: &str) {
    let tmp = path.with_extension("toml.new");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// The test's end of `$NOTIFY_SOCKET`. A thread drains the socket all the
/// time, as systemd does: a full socket buffer would block the daemon's
/// next notification and with it the daemon.
pub struct NotifySocket {
    pub path: PathBuf,
    received: Arc<Mutex<Vec<String>>>,
}

impl NotifySocket {
    pub fn bind(dir: &Path) -> NotifySocket {
        let path = dir.join("notify.sock");
        let sock = UnixDatagram::bind(&path).unwrap();
        let received: Arc<Mutex<Vec<String>>> = Arc::default();
        let sink = received.clone();
        // Ends with the test process, or when the socket fails.
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 4096];
            while let Ok(n) = sock.recv(&mut buf) {
                sink.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&buf[..n]).into_owned());
            }
        });
        NotifySocket { path, received }
    }

    /// Every datagram received so far, in order.
    pub fn messages(&self) -> Vec<String> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until some datagram has a line equal to `line` (e.g. `READY=1`)
    /// and returns it.
    pub fn wait_for_line(&self, line: &str, timeout: Duration) -> Option<String> {
        self.wait_for(timeout, |m| m.lines().any(|l| l == line))
    }

    pub fn wait_for(&self, timeout: Duration, pred: impl Fn(&str) -> bool) -> Option<String> {
        wait_until(timeout, || self.messages().into_iter().find(|m| pred(m)))
    }

    /// How many datagrams have a line equal to `line`.
    pub fn count_lines(&self, line: &str) -> usize {
        self.messages()
            .iter()
            .filter(|m| m.lines().any(|l| l == line))
            .count()
    }

    /// Waits until `n` datagrams have a line equal to `line`.
    pub fn wait_for_count(&self, line: &str, n: usize, timeout: Duration) -> bool {
        wait_until(timeout, || (self.count_lines(line) >= n).then_some(())).is_some()
    }
}

/// `branchwatch run` as a child; its stderr is collected line by line.
pub struct Daemon {
    child: Child,
    pub stderr: Arc<Mutex<Vec<String>>>,
}

impl Daemon {
    /// Starts `branchwatch run --config CONFIG` with a clean logging
    /// environment plus `env`.
    pub fn start(config: &Path, env: &[(&str, &str)]) -> Daemon {
        let mut cmd = Command::new(BIN);
        cmd.arg("run")
            .arg("--config")
            .arg(config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for var in [
            "RUST_LOG",
            "JOURNAL_STREAM",
            "NOTIFY_SOCKET",
            "WATCHDOG_USEC",
            "WATCHDOG_PID",
            "BRANCHWATCH_CONFIG",
            "STATE_DIRECTORY",
            "CONFIGURATION_DIRECTORY",
            "CREDENTIALS_DIRECTORY",
        ] {
            cmd.env_remove(var);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let stderr: Arc<Mutex<Vec<String>>> = Arc::default();
        let pipe = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                sink.lock().unwrap().push(line);
            }
        });
        Daemon { child, stderr }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.pid().to_string())
            .status()
            .unwrap();
        assert!(status.success(), "kill -{name} failed");
    }

    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Waits for the exit; `None` if it takes longer than `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        wait_until(timeout, || self.child.try_wait().unwrap())
    }

    pub fn log(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }

    /// The full log, for assertion messages.
    pub fn log_text(&self) -> String {
        self.log().join("\n")
    }

    /// Waits until a stderr line satisfies `pred`; returns it.
    pub fn wait_log(&self, timeout: Duration, pred: impl Fn(&str) -> bool) -> Option<String> {
        wait_until(timeout, || self.log().into_iter().find(|l| pred(l)))
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
