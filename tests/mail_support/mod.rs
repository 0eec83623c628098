//! A real SMTP server for the mail and digest tests: Debian's
//! python3-aiosmtpd on 127.0.0.1, storing each message as a file in a
//! Maildir. Tests skip (with a message) when it is not installed.
#![allow(dead_code)]

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PYTHON: &str = "/usr/bin/python3";

/// True when aiosmtpd can be run; otherwise prints why the test is skipped.
pub fn aiosmtpd_available(test: &str) -> bool {
    let ok = Command::new(PYTHON)
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        eprintln!("SKIPPED {test}: {PYTHON} -c 'import aiosmtpd' failed (apt-get install python3-aiosmtpd)");
    }
    ok
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// How the server is started.
#[derive(Clone, Default)]
pub struct ServerOptions {
    /// Use tests/smtp_reject.py's handler instead of the plain Mailbox.
    pub rejecting: bool,
    /// (cert, key) for STARTTLS.
    pub starttls: Option<(PathBuf, PathBuf)>,
    /// (cert, key) for implicit TLS.
    pub smtps: Option<(PathBuf, PathBuf)>,
}

pub struct SmtpServer {
    child: Child,
    pub port: u16,
    pub maildir: PathBuf,
}

impl SmtpServer {
    pub fn start(port: u16, maildir: &Path) -> SmtpServer {
        Self::start_with(port, maildir, &ServerOptions::default())
    }

    pub fn start_with(port: u16, maildir: &Path, opts: &ServerOptions) -> SmtpServer {
        // Python's Maildir creates tmp/new/cur only when the directory itself
        // is missing; a tempdir already exists.
        for sub in ["tmp", "new", "cur"] {
            std::fs::create_dir_all(maildir.join(sub)).unwrap();
        }
        let mut cmd = Command::new(PYTHON);
        cmd.args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")]);
        if let Some((cert, key)) = &opts.starttls {
            cmd.arg("--tlscert").arg(cert).arg("--tlskey").arg(key);
        }
        if let Some((cert, key)) = &opts.smtps {
            cmd.arg("--smtpscert").arg(cert).arg("--smtpskey").arg(key);
        }
        if opts.rejecting {
            cmd.env("PYTHONPATH", concat!(env!("CARGO_MANIFEST_DIR"), "/tests"));
            cmd.args(["-c", "smtp_reject.RejectingMailbox"]);
        } else {
            cmd.args(["-c", "aiosmtpd.handlers.Mailbox"]);
        }
        cmd.arg(maildir);
        let child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn aiosmtpd");
        let mut server = SmtpServer {
            child,
            port,
            maildir: maildir.to_path_buf(),
        };
        server.wait_ready(opts.smtps.is_some());
        server
    }

    /// Waits until the port accepts connections (and, without implicit TLS,
    /// the 220 greeting arrives), so no test races the server's start.
    fn wait_ready(&mut self, tls: bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("aiosmtpd exited early: {status}");
            }
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) {
                if tls {
                    return;
                }
                s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let mut buf = [0u8; 3];
                if s.read_exact(&mut buf).is_ok() && &buf == b"220" {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not start on port {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The raw messages received so far, oldest first.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        let dir = self.maildir.join("new");
        let mut files: Vec<_> = match std::fs::read_dir(&dir) {
            Ok(rd) => rd.map(|e| e.unwrap().path()).collect(),
            Err(_) => return Vec::new(),
        };
        // Maildir names start with the delivery time in seconds; ties are rare
        // and only matter to tests that check order, which sort themselves.
        files.sort();
        files.iter().map(|p| std::fs::read(p).unwrap()).collect()
    }

    pub fn stop(mut self) {
        self.kill();
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A CA and a leaf certificate for 127.0.0.1/localhost (with a
/// subjectAltName, which rustls requires), made with the openssl CLI.
/// Returns (ca.pem, cert.pem, key.pem), or None when openssl is missing.
pub fn make_certs(dir: &Path) -> Option<(PathBuf, PathBuf, PathBuf)> {
    let run = |args: &[&str]| -> bool {
        Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    };
    std::fs::write(
        dir.join("leaf.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .ok()?;
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let ok = run(&[
        &["req", "-x509"][..],
        &ec,
        &[
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=branchwatch test CA",
        ],
    ]
    .concat())
        && run(&[
            &["req"][..],
            &ec,
            &[
                "-keyout",
                "key.pem",
                "-out",
                "leaf.csr",
                "-subj",
                "/CN=localhost",
            ],
        ]
        .concat())
        && run(&[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "cert.pem",
            "-days",
            "2",
            "-extfile",
            "leaf.ext",
        ]);
    if !ok {
        eprintln!("SKIPPED: openssl could not make test certificates");
        return None;
    }
    Some((
        dir.join("ca.pem"),
        dir.join("cert.pem"),
        dir.join("key.pem"),
    ))
}
