//! Mail transport against a real SMTP server (the in-process server of tests/mail_support).

mod mail_support;

use branchwatch::mail::{build_message, send_test_email, Mailer, Rendered, Security, SmtpSettings};
use chrono::{TimeZone, Utc};
use lettre::message::Mailbox;
use mail_support::{free_port, make_certs, ServerOptions, SmtpServer};

fn rendered() -> Rendered {
    Rendered {
        subject: "Дайджест: 1 өзгеріс".into(),
        text: "Асқар сайланды.\n".into(),
        html: "<p>Асқар сайланды.</p>".into(),
    }
}

fn plain_mailer(port: u16) -> Mailer {
    let mut s = SmtpSettings::new("127.0.0.1", port, Security::Plain, "bw@example.kz");
    s.timeout_secs = 10;
    Mailer::from_settings(&s).unwrap()
}

fn msg(to: &[&str]) -> lettre::Message {
    let from: Mailbox = "branchwatch <bw@example.kz>".parse().unwrap();
    let to: Vec<Mailbox> = to.iter().map(|a| a.parse().unwrap()).collect();
    build_message(
        &rendered(),
        &from,
        &to,
        "<t.1@example.kz>",
        "t <t.example.kz>",
        Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn multipart_message_arrives_and_parses() {
    let dir = tempfile::tempdir().unwrap();
    let server = SmtpServer::start(free_port(), dir.path());
    let mailer = plain_mailer(server.port);
    mailer.test_connection().await.unwrap();
    mailer.send(msg(&["reader@example.kz"])).await.unwrap();
    let got = server.messages();
    assert_eq!(got.len(), 1);
    let parsed = mailparse::parse_mail(&got[0]).unwrap();
    assert_eq!(parsed.ctype.mimetype, "multipart/alternative");
    assert_eq!(parsed.subparts.len(), 2);
    assert_eq!(parsed.subparts[0].ctype.mimetype, "text/plain");
    assert_eq!(parsed.subparts[1].ctype.mimetype, "text/html");
    // Line ends become CRLF on the wire.
    assert_eq!(
        parsed.subparts[0].get_body().unwrap(),
        "Асқар сайланды.\r\n"
    );
    use mailparse::MailHeaderMap;
    assert_eq!(
        parsed.headers.get_first_value("Subject").unwrap(),
        "Дайджест: 1 өзгеріс"
    );
    assert_eq!(
        parsed.headers.get_first_value("Message-ID").unwrap(),
        "<t.1@example.kz>"
    );
    assert_eq!(
        parsed.headers.get_first_value("List-Id").unwrap(),
        "t <t.example.kz>"
    );
}

#[tokio::test]
async fn test_email_reaches_the_address() {
    let dir = tempfile::tempdir().unwrap();
    let server = SmtpServer::start(free_port(), dir.path());
    let from: Mailbox = "bw@example.kz".parse().unwrap();
    let to: Mailbox = "ops@example.kz".parse().unwrap();
    let id = send_test_email(&plain_mailer(server.port), &from, &to, Utc::now())
        .await
        .unwrap();
    let got = server.messages();
    assert_eq!(got.len(), 1);
    let raw = String::from_utf8_lossy(&got[0]);
    assert!(raw.contains(&id), "{raw}");
    assert!(raw.contains("To: ops@example.kz"), "{raw}");
}

#[tokio::test]
async fn rejected_recipient_is_a_permanent_550() {
    let dir = tempfile::tempdir().unwrap();
    let opts = ServerOptions {
        rejecting: true,
        ..Default::default()
    };
    let server = SmtpServer::start_with(free_port(), dir.path(), &opts);
    let err = plain_mailer(server.port)
        .send(msg(&["ok@example.kz", "reject-me@example.kz"]))
        .await
        .unwrap_err();
    assert!(err.is_permanent(), "{err:?}");
    assert_eq!(err.smtp_code().as_deref(), Some("550"), "{err}");
    assert!(server.messages().is_empty());
    // The same server accepts a good recipient, so the 550 was about the address.
    plain_mailer(server.port)
        .send(msg(&["ok@example.kz"]))
        .await
        .unwrap();
    assert_eq!(server.messages().len(), 1);
}

#[tokio::test]
async fn tempfail_recipient_is_transient_451() {
    let dir = tempfile::tempdir().unwrap();
    let opts = ServerOptions {
        rejecting: true,
        ..Default::default()
    };
    let server = SmtpServer::start_with(free_port(), dir.path(), &opts);
    let err = plain_mailer(server.port)
        .send(msg(&["tempfail@example.kz"]))
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert_eq!(err.smtp_code().as_deref(), Some("451"), "{err}");
}

fn tls_settings(port: u16, security: Security, ca: Option<&std::path::Path>) -> SmtpSettings {
    let mut s = SmtpSettings::new("127.0.0.1", port, security, "bw@example.kz");
    s.timeout_secs = 10;
    s.ca_file = ca.map(|p| p.to_path_buf());
    s
}

#[tokio::test]
async fn starttls_with_a_private_ca() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = make_certs(dir.path());
    let maildir = dir.path().join("mail");
    let opts = ServerOptions {
        starttls: Some((cert, key)),
        ..Default::default()
    };
    let server = SmtpServer::start_with(free_port(), &maildir, &opts);

    // Without trusting the CA the certificate is refused and nothing is sent.
    let untrusting =
        Mailer::from_settings(&tls_settings(server.port, Security::Starttls, None)).unwrap();
    let err = untrusting
        .send(msg(&["reader@example.kz"]))
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert!(server.messages().is_empty());

    let m =
        Mailer::from_settings(&tls_settings(server.port, Security::Starttls, Some(&ca))).unwrap();
    m.test_connection().await.unwrap();
    m.send(msg(&["reader@example.kz"])).await.unwrap();
    assert_eq!(server.messages().len(), 1);
}

#[tokio::test]
async fn implicit_tls_with_a_private_ca() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = make_certs(dir.path());
    let maildir = dir.path().join("mail");
    let opts = ServerOptions {
        smtps: Some((cert, key)),
        ..Default::default()
    };
    let server = SmtpServer::start_with(free_port(), &maildir, &opts);
    let m = Mailer::from_settings(&tls_settings(server.port, Security::Tls, Some(&ca))).unwrap();
    m.send(msg(&["reader@example.kz"])).await.unwrap();
    let got = server.messages();
    assert_eq!(got.len(), 1);
    assert!(String::from_utf8_lossy(&got[0]).contains("<t.1@example.kz>"));
}
