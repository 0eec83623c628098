//! Mail transport: SMTP settings, message building and sending.
//!
//! Digests leave the program through [`Mailer`]: either SMTP (lettre, with
//! STARTTLS, implicit TLS, or plain SMTP that is only allowed to a server on
//! the same host) or a directory of `.eml` files for the demo and for
//! inspecting what would be sent.
//!
//! The SMTP password never appears in the configuration file: the settings
//! name an environment variable (`password_env`) or a file (`password_file`,
//! resolved against `$CREDENTIALS_DIRECTORY` when relative, which is where
//! systemd's `LoadCredential=` puts it). The secret is read once, kept in a
//! [`Secret`] whose `Debug` prints `<redacted>`, and no error message of this
//! module quotes it.
//!
//! Failures are classified for the outbox: [`MailError::is_transient`]
//! errors (server down, timeout, 4xx replies, TLS trouble) are retried with
//! backoff by the digest module; [`MailError::is_permanent`] ones (5xx
//! replies such as an unknown recipient, or an unbuildable message) are
//! recorded and not retried.
//!
//! The SMTP transport is built per send instead of once: lettre's connection
//! pool spawns a task at construction, which needs a running Tokio runtime
//! (the CLI builds a `Mailer` before it has one), and digests are sent a few
//! times a day, so a fresh connection costs nothing and never hits a stale one
//! after the server restarted.

use chrono::{DateTime, Utc};
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[cfg(test)]
mod tests;

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain connection upgraded with STARTTLS; the upgrade is required, not
    /// opportunistic. Default port 587.
    #[default]
    Starttls,
    /// Implicit TLS from the first byte (SMTPS). Default port 465.
    Tls,
    /// No encryption at all; only accepted for `localhost`, `127.0.0.1` and
    /// `::1`, where a local relay (postfix, msmtpd) takes over. Default port 25.
    Plain,
}

impl Security {
    fn default_port(self) -> u16 {
        match self {
            Security::Starttls => 587,
            Security::Tls => 465,
            Security::Plain => 25,
        }
    }
}

fn default_timeout_secs() -> u64 {
    30
}

/// The `[smtp]` section of the configuration. There is deliberately no field
/// for the password itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    /// Defaults to 587 (starttls), 465 (tls) or 25 (plain).
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub security: Security,
    #[serde(default)]
    pub username: Option<String>,
    /// Name of the environment variable holding the password.
    #[serde(default)]
    pub password_env: Option<String>,
    /// File holding the password (trailing newline ignored). A relative path
    /// is looked up in `$CREDENTIALS_DIRECTORY` when that is set.
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// The From address of every message, e.g. `branchwatch <bw@example.kz>`.
    pub from: String,
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// An extra CA certificate (PEM) to trust, for a relay with a private CA
    /// or a self-signed certificate. Preferred over `accept_invalid_certs`.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Skip certificate verification entirely. Only for tests against a
    /// throwaway server; it makes TLS useless against an active attacker, so
    /// [`SmtpSettings::validate`] refuses it for hosts other than localhost.
    #[serde(default)]
    pub accept_invalid_certs: bool,
}

fn is_localhost(host: &str) -> bool {
    let h = host.trim().trim_start_matches('[').trim_end_matches(']');
    matches!(
        h.to_ascii_lowercase().as_str(),
        "localhost" | "127.0.0.1" | "::1"
    )
}

impl SmtpSettings {
    /// A minimal setting for a server at `host:port`, for tests and the CLI.
    pub fn new(host: &str, port: u16, security: Security, from: &str) -> SmtpSettings {
        SmtpSettings {
            host: host.to_string(),
            port: Some(port),
            security,
            username: None,
            password_env: None,
            password_file: None,
            from: from.to_string(),
            timeout_secs: default_timeout_secs(),
            ca_file: None,
            accept_invalid_certs: false,
        }
    }

    /// The port in use, explicit or the default for the security mode.
    pub fn effective_port(&self) -> u16 {
        self.port.unwrap_or_else(|| self.security.default_port())
    }

    /// Every problem with these settings, each naming its key (`smtp.host`...).
    pub fn validate(&self) -> Vec<String> {
        let mut errs = Vec::new();
        if self.host.trim().is_empty() {
            errs.push("smtp.host: must not be empty".to_string());
        }
        if self.security == Security::Plain && !is_localhost(&self.host) {
            errs.push(format!(
                "smtp.security: \"plain\" is only allowed to localhost, 127.0.0.1 or ::1, not {:?}; use \"starttls\" or \"tls\"",
                self.host
            ));
        }
        if self.port == Some(0) {
            errs.push("smtp.port: must be 1..=65535".to_string());
        }
        if let Err(e) = self.from.parse::<Mailbox>() {
            errs.push(format!(
                "smtp.from: {:?} is not a mail address: {e}",
                self.from
            ));
        }
        if self.timeout_secs == 0 {
            errs.push("smtp.timeout_secs: must be at least 1".to_string());
        }
        if self.password_env.is_some() && self.password_file.is_some() {
            errs.push("smtp.password_env, smtp.password_file: give only one of them".to_string());
        }
        let has_password = self.password_env.is_some() || self.password_file.is_some();
        match (&self.username, has_password) {
            (Some(_), false) => errs.push(
                "smtp.username: set smtp.password_env or smtp.password_file as well".to_string(),
            ),
            (None, true) => errs.push(
                "smtp.username: required when smtp.password_env or smtp.password_file is set"
                    .to_string(),
            ),
            _ => {}
        }
        if let Some(u) = &self.username {
            if u.is_empty() {
                errs.push("smtp.username: must not be empty".to_string());
            }
        }
        if let Some(v) = &self.password_env {
            if v.is_empty() {
                errs.push("smtp.password_env: must name an environment variable".to_string());
            }
        }
        if self.security == Security::Plain && self.username.is_some() {
            // A relay on localhost normally needs no login; sending a password
            // unencrypted anywhere is what this rule exists to prevent.
            errs.push("smtp.username: no authentication over security = \"plain\"".to_string());
        }
        if self.accept_invalid_certs && !is_localhost(&self.host) {
            errs.push(
                "smtp.accept_invalid_certs: only allowed for localhost; use smtp.ca_file to trust a private certificate"
                    .to_string(),
            );
        }
        errs
    }

    /// Reads the password from the environment variable or file the
    /// settings name. `None` when no password source is configured.
    pub fn load_password(&self) -> Result<Option<Secret>, MailError> {
        if let Some(var) = &self.password_env {
            return match std::env::var(var) {
                Ok(v) if !v.is_empty() => Ok(Some(Secret(v))),
                Ok(_) => Err(MailError::Config(format!(
                    "environment variable {var} (smtp.password_env) is empty"
                ))),
                Err(_) => Err(MailError::Config(format!(
                    "environment variable {var} (smtp.password_env) is not set"
                ))),
            };
        }
        if let Some(file) = &self.password_file {
            let path = resolve_credential_path(file);
            let raw = std::fs::read_to_string(&path).map_err(|e| {
                MailError::Config(format!(
                    "cannot read smtp.password_file {}: {}",
                    path.display(),
                    e.kind()
                ))
            })?;
            let pw = raw.trim_end_matches(['\n', '\r']).to_string();
            if pw.is_empty() {
                return Err(MailError::Config(format!(
                    "smtp.password_file {} is empty",
                    path.display()
                )));
            }
            return Ok(Some(Secret(pw)));
        }
        Ok(None)
    }
}

/// systemd's `LoadCredential=NAME:...` exposes the file as
/// `$CREDENTIALS_DIRECTORY/NAME`; a bare name in the config points there.
fn resolve_credential_path(file: &Path) -> PathBuf {
    if file.is_relative() {
        if let Some(dir) = std::env::var_os("CREDENTIALS_DIRECTORY") {
            return PathBuf::from(dir).join(file);
        }
    }
    file.to_path_buf()
}

/// A password that does not print itself.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// What went wrong while building or sending mail.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("mail configuration: {0}")]
    Config(String),
    #[error("invalid mail address {address:?}: {source}")]
    Address {
        address: String,
        source: lettre::address::AddressError,
    },
    #[error("building message: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("SMTP: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("writing message file: {0}")]
    File(#[from] lettre::transport::file::Error),
    #[error("SMTP server {0} did not answer NOOP")]
    NotConnected(String),
    #[error("mail directory {path}: {source}")]
    Dir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl MailError {
    /// Worth retrying later: the message was fine, the road was not
    /// (connection refused, timeout, TLS failure, 4xx reply, disk full).
    pub fn is_transient(&self) -> bool {
        match self {
            MailError::Smtp(e) => {
                e.is_transient() || e.is_timeout() || (!e.is_permanent() && !e.is_client())
            }
            // A full disk or a missing mount may well be fixed by the next try.
            MailError::File(_) | MailError::NotConnected(_) | MailError::Dir { .. } => true,
            MailError::Config(_) | MailError::Address { .. } | MailError::Build(_) => false,
        }
    }

    /// Retrying cannot help: a 5xx reply (e.g. unknown recipient) or a
    /// message or configuration that cannot work.
    pub fn is_permanent(&self) -> bool {
        !self.is_transient()
    }

    /// The SMTP reply code, when the server gave one.
    pub fn smtp_code(&self) -> Option<String> {
        match self {
            MailError::Smtp(e) => e.status().map(|c| c.to_string()),
            _ => None,
        }
    }
}

/// Parses one address, naming it in the error.
pub fn parse_mailbox(s: &str) -> Result<Mailbox, MailError> {
    s.parse::<Mailbox>().map_err(|source| MailError::Address {
        address: s.to_string(),
        source,
    })
}

/// What an SMTP [`Mailer`] needs to open a connection.
#[derive(Clone)]
pub struct SmtpMailer {
    host: String,
    port: u16,
    security: Security,
    tls: Option<TlsParameters>,
    username: Option<String>,
    password: Option<Secret>,
    timeout: Duration,
}

impl fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl SmtpMailer {
    fn transport(&self) -> AsyncSmtpTransport<Tokio1Executor> {
        let tls = match (&self.security, &self.tls) {
            (Security::Starttls, Some(p)) => Tls::Required(p.clone()),
            (Security::Tls, Some(p)) => Tls::Wrapper(p.clone()),
            _ => Tls::None,
        };
        let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(self.host.as_str())
            .port(self.port)
            .tls(tls)
            .timeout(Some(self.timeout));
        if let (Some(u), Some(p)) = (&self.username, &self.password) {
            b = b.credentials(Credentials::new(u.clone(), p.expose().to_string()));
        }
        b.build()
    }
}

/// Where messages go.
#[derive(Debug, Clone)]
pub enum Mailer {
    Smtp(SmtpMailer),
    /// Each message becomes `<dir>/<uuid>.eml` (lettre's file transport).
    File {
        dir: PathBuf,
    },
}

impl Mailer {
    /// Checks the settings, reads the password and prepares TLS. Does not
    /// connect; use [`Mailer::test_connection`] for that.
    pub fn from_settings(s: &SmtpSettings) -> Result<Mailer, MailError> {
        let problems = s.validate();
        if !problems.is_empty() {
            return Err(MailError::Config(problems.join("; ")));
        }
        let password = s.load_password()?;
        let tls = match s.security {
            Security::Plain => None,
            Security::Starttls | Security::Tls => {
                let mut b = TlsParameters::builder(s.host.clone());
                if let Some(ca) = &s.ca_file {
                    let pem = std::fs::read(ca).map_err(|e| {
                        MailError::Config(format!(
                            "cannot read smtp.ca_file {}: {}",
                            ca.display(),
                            e.kind()
                        ))
                    })?;
                    let cert = Certificate::from_pem(&pem).map_err(|e| {
                        MailError::Config(format!("smtp.ca_file {}: {e}", ca.display()))
                    })?;
                    b = b.add_root_certificate(cert);
                }
                if s.accept_invalid_certs {
                    tracing::warn!(host = %s.host, "SMTP certificate verification is disabled");
                    b = b.dangerous_accept_invalid_certs(true);
                }
                Some(b.build()?)
            }
        };
        Ok(Mailer::Smtp(SmtpMailer {
            host: s.host.trim().to_string(),
            port: s.effective_port(),
            security: s.security,
            tls,
            username: s.username.clone(),
            password,
            timeout: Duration::from_secs(s.timeout_secs),
        }))
    }

    /// A mailer that writes `.eml` files into `dir` (created if missing).
    pub fn file(dir: impl Into<PathBuf>) -> Mailer {
        Mailer::File { dir: dir.into() }
    }

    /// Hands the message over. `Ok` means the SMTP server accepted it (or
    /// the file was written) — only then may the caller mark it delivered.
    pub async fn send(&self, msg: Message) -> Result<(), MailError> {
        match self {
            Mailer::Smtp(m) => {
                let transport = m.transport();
                let result = transport.send(msg).await;
                // Close the connection now rather than leaving it to the pool's
                // idle timer, so nothing lingers between digest runs.
                transport.shutdown().await;
                result?;
                Ok(())
            }
            Mailer::File { dir } => {
                if let Err(source) = tokio::fs::create_dir_all(dir).await {
                    return Err(MailError::Dir {
                        path: dir.clone(),
                        source,
                    });
                }
                AsyncFileTransport::<Tokio1Executor>::new(dir)
                    .send(msg)
                    .await?;
                Ok(())
            }
        }
    }

    /// Connects, says EHLO (and STARTTLS/AUTH as configured) and NOOP.
    pub async fn test_connection(&self) -> Result<(), MailError> {
        match self {
            Mailer::Smtp(m) => {
                let transport = m.transport();
                let ok = transport.test_connection().await;
                transport.shutdown().await;
                if ok? {
                    Ok(())
                } else {
                    Err(MailError::NotConnected(format!("{}:{}", m.host, m.port)))
                }
            }
            Mailer::File { dir } => std::fs::create_dir_all(dir).map_err(|source| MailError::Dir {
                path: dir.clone(),
                source,
            }),
        }
    }
}

/// The `List-Id` header (RFC 2919), so recipients can filter each digest.
#[derive(Debug, Clone)]
struct ListId(String);

impl Header for ListId {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Id")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListId(s.to_string()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `Auto-Submitted: auto-generated` (RFC 3834) keeps vacation responders quiet.
#[derive(Debug, Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_string())
    }
}

/// The three parts of a message, as the digest module renders them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A multipart/alternative message (text/plain first, text/html preferred).
///
/// `message_id` may be given with or without angle brackets; `list_id` is the
/// full header value, e.g. `Daily <daily.branchwatch.example.kz>`.
pub fn build_message(
    rendered: &Rendered,
    from: &Mailbox,
    to: &[Mailbox],
    message_id: &str,
    list_id: &str,
    date: DateTime<Utc>,
) -> Result<Message, MailError> {
    if to.is_empty() {
        return Err(MailError::Config(
            "a message needs at least one recipient".into(),
        ));
    }
    let mid = message_id.trim();
    if mid.is_empty() || mid.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(MailError::Config(format!("bad Message-ID {message_id:?}")));
    }
    let mid = if mid.starts_with('<') {
        mid.to_string()
    } else {
        format!("<{mid}>")
    };
    let mut b = Message::builder()
        .from(from.clone())
        .subject(rendered.subject.clone())
        .message_id(Some(mid))
        .date(date.into())
        .header(ListId(list_id.replace(['\r', '\n'], " ")))
        .header(AutoSubmitted);
    for m in to {
        b = b.to(m.clone());
    }
    let msg = b.multipart(MultiPart::alternative_plain_html(
        rendered.text.clone(),
        rendered.html.clone(),
    ))?;
    Ok(msg)
}

/// Sends a short message to check that mail gets through (`test-email` CLI).
pub async fn send_test_email(
    mailer: &Mailer,
    from: &Mailbox,
    to: &Mailbox,
    now: DateTime<Utc>,
) -> Result<String, MailError> {
    let token: u64 = rand::random();
    let domain = from.email.domain().to_string();
    let message_id = format!("<test.{}.{token:016x}@{domain}>", now.timestamp());
    let rendered = Rendered {
        subject: "branchwatch test message".to_string(),
        text: format!(
            "This is a test message from branchwatch, sent {}.\nIf you can read it, digests will reach this address.\n",
            now.format("%Y-%m-%d %H:%M:%S UTC")
        ),
        html: format!(
            "<!DOCTYPE html><html><body><p>This is a test message from branchwatch, sent {}.</p><p>If you can read it, digests will reach this address.</p></body></html>",
            now.format("%Y-%m-%d %H:%M:%S UTC")
        ),
    };
    let msg = build_message(
        &rendered,
        from,
        std::slice::from_ref(to),
        &message_id,
        &format!("branchwatch test <test.{domain}>"),
        now,
    )?;
    mailer.send(msg).await?;
    Ok(message_id)
}
