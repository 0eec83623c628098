//! A real SMTP server for the mail and digest tests, inside the test
//! process: the `mailin` crate's SMTP state machine (the protocol core of
//! `mailin-embedded`) on 127.0.0.1, one thread per connection, rustls for
//! STARTTLS and implicit TLS. Each accepted message is stored as a file in
//! `MAILDIR/new`, named by arrival order. Certificates (a private CA and a
//! server certificate for 127.0.0.1/localhost) are made with rcgen.
//!
//! `mailin-embedded` itself is not used because its server can neither be
//! stopped (the outage tests stop and restart a server on the same port) nor
//! speak implicit TLS; the accept loop here is the small part it adds.
#![allow(dead_code)]

use mailin::{Action, Handler, Response, SessionBuilder};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind an ephemeral port on 127.0.0.1")
        .local_addr()
        .expect("local address of a bound socket")
        .port()
}

/// How the server is started.
#[derive(Clone, Default)]
pub struct ServerOptions {
    /// Recipients whose address contains "reject" get a permanent 550, those
    /// containing "tempfail" a transient 451.
    pub rejecting: bool,
    /// (cert, key) PEM files for STARTTLS.
    pub starttls: Option<(PathBuf, PathBuf)>,
    /// (cert, key) PEM files for implicit TLS (SMTPS).
    pub smtps: Option<(PathBuf, PathBuf)>,
}

pub struct SmtpServer {
    pub port: u16,
    pub maildir: PathBuf,
    stop: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
    accept: Option<JoinHandle<()>>,
}

/// What every connection of one server shares.
struct Shared {
    maildir: PathBuf,
    rejecting: bool,
    starttls: Option<Arc<ServerConfig>>,
    smtps: Option<Arc<ServerConfig>>,
    /// Arrival counter, the file name of each stored message.
    seq: AtomicU64,
}

impl SmtpServer {
    pub fn start(port: u16, maildir: &Path) -> SmtpServer {
        Self::start_with(port, maildir, &ServerOptions::default())
    }

    pub fn start_with(port: u16, maildir: &Path, opts: &ServerOptions) -> SmtpServer {
        for sub in ["tmp", "new", "cur"] {
            std::fs::create_dir_all(maildir.join(sub)).expect("create the maildir");
        }
        // Messages of an earlier server on the same maildir keep their
        // place: numbering continues after them.
        let already = std::fs::read_dir(maildir.join("new"))
            .map(|rd| rd.count() as u64)
            .unwrap_or(0);
        let shared = Arc::new(Shared {
            maildir: maildir.to_path_buf(),
            rejecting: opts.rejecting,
            starttls: opts.starttls.as_ref().map(|(c, k)| tls_config(c, k)),
            smtps: opts.smtps.as_ref().map(|(c, k)| tls_config(c, k)),
            seq: AtomicU64::new(already),
        });
        let listener = bind_retrying(port);
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let stop = Arc::new(AtomicBool::new(false));
        let open = Arc::new(Mutex::new(Vec::new()));
        let accept = {
            let (stop, open) = (stop.clone(), open.clone());
            std::thread::spawn(move || accept_loop(listener, shared, stop, open))
        };
        eprintln!("in-process SMTP server listening on 127.0.0.1:{port}");
        SmtpServer {
            port,
            maildir: maildir.to_path_buf(),
            stop,
            open,
            accept: Some(accept),
        }
    }

    /// The raw messages received so far, in arrival order.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        let mut files: Vec<PathBuf> = match std::fs::read_dir(self.maildir.join("new")) {
            Ok(rd) => rd.filter_map(|e| e.ok()).map(|e| e.path()).collect(),
            Err(_) => return Vec::new(),
        };
        files.sort();
        files
            .iter()
            .map(|p| std::fs::read(p).expect("read a stored message"))
            .collect()
    }

    /// Stops listening and cuts every open connection, as a server that
    /// goes down would.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
        let open = std::mem::take(&mut *self.open.lock().unwrap_or_else(|p| p.into_inner()));
        for s in open {
            let _ = s.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// Binds 127.0.0.1:port, waiting a little when a just-stopped server (or a
/// lingering socket) still holds it.
fn bind_retrying(port: u16) -> TcpListener {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match TcpListener::bind(("127.0.0.1", port)) {
            Ok(l) => return l,
            Err(e) if Instant::now() < deadline => {
                eprintln!("SMTP test server: port {port} busy ({e}); retrying");
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => panic!("SMTP test server cannot bind 127.0.0.1:{port}: {e}"),
        }
    }
}

fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
) {
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                let _ = stream.set_nonblocking(false);
                let _ = stream.set_read_timeout(Some(Duration::from_secs(60)));
                if let Ok(clone) = stream.try_clone() {
                    open.lock().unwrap_or_else(|p| p.into_inner()).push(clone);
                }
                let shared = shared.clone();
                std::thread::spawn(move || {
                    if let Err(e) = serve_connection(stream, shared) {
                        eprintln!("SMTP test server: connection ended: {e}");
                    }
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => eprintln!("SMTP test server: accept failed: {e}"),
        }
    }
}

/// How one stretch of conversation ended.
enum Ended {
    Closed,
    StartTls,
}

fn serve_connection(stream: TcpStream, shared: Arc<Shared>) -> std::io::Result<()> {
    let peer = stream.peer_addr()?.ip();
    let mut builder = SessionBuilder::new("branchwatch-test-smtp");
    if shared.starttls.is_some() {
        builder.enable_start_tls();
    }
    let starttls = shared.starttls.clone();
    let smtps = shared.smtps.clone();
    let mut session = builder.build(
        peer,
        Mailbox {
            shared,
            body: Vec::new(),
        },
    );
    if let Some(tls) = smtps {
        let conn = ServerConnection::new(tls).map_err(std::io::Error::other)?;
        let mut tls_stream = BufReader::new(StreamOwned::new(conn, stream));
        write_response(tls_stream.get_mut(), &session.greeting())?;
        converse(&mut session, &mut tls_stream)?;
        return Ok(());
    }
    let mut plain = BufReader::new(stream);
    write_response(plain.get_mut(), &session.greeting())?;
    if let Ended::StartTls = converse(&mut session, &mut plain)? {
        let tls =
            starttls.ok_or_else(|| std::io::Error::other("STARTTLS without a certificate"))?;
        let conn = ServerConnection::new(tls).map_err(std::io::Error::other)?;
        let mut tls_stream = BufReader::new(StreamOwned::new(conn, plain.into_inner()));
        session.tls_active();
        converse(&mut session, &mut tls_stream)?;
    }
    Ok(())
}

/// Feeds lines to the session and writes its replies until the client
/// quits, the connection drops, or STARTTLS is accepted.
fn converse<S: Read + Write>(
    session: &mut mailin::Session<Mailbox>,
    stream: &mut BufReader<S>,
) -> std::io::Result<Ended> {
    let mut line = Vec::with_capacity(128);
    loop {
        line.clear();
        if stream.read_until(b'\n', &mut line)? == 0 {
            return Ok(Ended::Closed);
        }
        let res = session.process(&line);
        match res.action {
            Action::Reply => write_response(stream.get_mut(), &res)?,
            Action::Close => {
                write_response(stream.get_mut(), &res)?;
                return Ok(Ended::Closed);
            }
            Action::UpgradeTls => {
                write_response(stream.get_mut(), &res)?;
                return Ok(Ended::StartTls);
            }
            Action::NoReply => {}
        }
    }
}

fn write_response<W: Write>(out: &mut W, res: &Response) -> std::io::Result<()> {
    res.write_to(out)?;
    out.flush()
}

/// Stores each accepted message; refuses recipients by name when the
/// server is a rejecting one.
struct Mailbox {
    shared: Arc<Shared>,
    body: Vec<u8>,
}

impl Handler for Mailbox {
    fn rcpt(&mut self, to: &str) -> Response {
        if self.shared.rejecting && to.contains("reject") {
            return Response::custom(550, format!("5.1.1 <{to}>: recipient address rejected"));
        }
        if self.shared.rejecting && to.contains("tempfail") {
            return Response::custom(451, format!("4.3.0 <{to}>: try again later"));
        }
        mailin::response::OK
    }

    fn data_start(
        &mut self,
        _domain: &str,
        _from: &str,
        _is8bit: bool,
        _to: &[String],
    ) -> Response {
        self.body.clear();
        mailin::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.body.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let n = self.shared.seq.fetch_add(1, Ordering::SeqCst);
        let name = format!("{n:06}.eml");
        let tmp = self.shared.maildir.join("tmp").join(&name);
        let stored = std::fs::write(&tmp, &self.body)
            .and_then(|()| std::fs::rename(&tmp, self.shared.maildir.join("new").join(&name)));
        match stored {
            Ok(()) => mailin::response::OK,
            Err(e) => Response::custom(451, format!("cannot store the message: {e}")),
        }
    }
}

/// rustls server configuration from PEM files.
fn tls_config(cert: &Path, key: &Path) -> Arc<ServerConfig> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|it| it.collect())
        .unwrap_or_else(|e| panic!("certificate {}: {e}", cert.display()));
    let key = PrivateKeyDer::from_pem_file(key)
        .unwrap_or_else(|e| panic!("private key {}: {e}", key.display()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(certs, key))
        .expect("rustls server configuration");
    Arc::new(config)
}

/// A private CA and a server certificate it signed, for 127.0.0.1 and
/// localhost (as subjectAltNames, which rustls requires), made with rcgen.
/// Returns (ca.pem, cert.pem, key.pem) written into `dir`.
pub fn make_certs(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
        KeyPair, KeyUsagePurpose,
    };
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "branchwatch test CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca.self_signed(&ca_key).expect("self-signed CA");
    let issuer = Issuer::new(ca, ca_key);

    let leaf_key = KeyPair::generate().expect("server key");
    let mut leaf = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .expect("server certificate parameters");
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    leaf.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_cert = leaf
        .signed_by(&leaf_key, &issuer)
        .expect("server certificate signed by the CA");

    let (ca_pem, cert_pem, key_pem) = (
        dir.join("ca.pem"),
        dir.join("cert.pem"),
        dir.join("key.pem"),
    );
    std::fs::write(&ca_pem, ca_cert.pem()).expect("write ca.pem");
    std::fs::write(&cert_pem, leaf_cert.pem()).expect("write cert.pem");
    std::fs::write(&key_pem, leaf_key.serialize_pem()).expect("write key.pem");
    (ca_pem, cert_pem, key_pem)
}
