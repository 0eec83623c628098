use super::*;
use chrono::TimeZone;

fn settings() -> SmtpSettings {
    SmtpSettings::new(
        "smtp.example.kz",
        587,
        Security::Starttls,
        "bw <bw@example.kz>",
    )
}

#[test]
fn settings_deserialize_with_defaults_and_reject_a_password_key() {
    let s: SmtpSettings = serde_json::from_str(
        r#"{"host":"smtp.example.kz","from":"bw@example.kz","username":"bw","password_env":"BW_SMTP_PW"}"#,
    )
    .unwrap();
    assert_eq!(s.security, Security::Starttls);
    assert_eq!(s.effective_port(), 587);
    assert_eq!(s.timeout_secs, 30);
    assert!(s.validate().is_empty(), "{:?}", s.validate());

    let err = serde_json::from_str::<SmtpSettings>(
        r#"{"host":"smtp.example.kz","from":"bw@example.kz","password":"hunter2"}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("unknown field `password`"), "{err}");
}

#[test]
fn plain_is_only_allowed_to_localhost() {
    for host in ["localhost", "127.0.0.1", "::1", "[::1]"] {
        let s = SmtpSettings::new(host, 25, Security::Plain, "bw@example.kz");
        assert!(s.validate().is_empty(), "{host}: {:?}", s.validate());
    }
    let s = SmtpSettings::new("mail.example.kz", 25, Security::Plain, "bw@example.kz");
    let errs = s.validate();
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].starts_with("smtp.security"), "{errs:?}");
    assert!(Mailer::from_settings(&s).is_err());
}

#[test]
fn validate_names_every_problem_with_its_key() {
    let mut s = settings();
    s.host = String::new();
    s.from = "not an address".into();
    s.timeout_secs = 0;
    s.password_env = Some("A".into());
    s.password_file = Some("b".into());
    s.accept_invalid_certs = true;
    let errs = s.validate().join("\n");
    for key in [
        "smtp.host",
        "smtp.from",
        "smtp.timeout_secs",
        "smtp.password_env, smtp.password_file",
        "smtp.username: required",
        "smtp.accept_invalid_certs",
    ] {
        assert!(errs.contains(key), "missing {key} in\n{errs}");
    }
}

#[test]
fn password_from_env_is_redacted_in_debug_and_errors() {
    let var = "BRANCHWATCH_TEST_SMTP_PASSWORD_REDACT";
    std::env::set_var(var, "s3cr3t-Pa55");
    let mut s = settings();
    s.username = Some("bw".into());
    s.password_env = Some(var.into());
    let m = Mailer::from_settings(&s).unwrap();
    let dbg = format!("{m:?}");
    assert!(!dbg.contains("s3cr3t"), "{dbg}");
    assert!(dbg.contains("<redacted>"), "{dbg}");
    assert_eq!(
        format!("{:?}", s.load_password().unwrap().unwrap()),
        "<redacted>"
    );

    s.password_env = Some("BRANCHWATCH_TEST_SMTP_PASSWORD_UNSET".into());
    let err = Mailer::from_settings(&s).unwrap_err().to_string();
    assert!(
        err.contains("BRANCHWATCH_TEST_SMTP_PASSWORD_UNSET"),
        "{err}"
    );
    assert!(!err.contains("s3cr3t"), "{err}");
}

#[test]
fn password_file_is_trimmed_and_never_quoted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("smtp-password");
    std::fs::write(&path, "pa55word-in-file\n").unwrap();
    let mut s = settings();
    s.username = Some("bw".into());
    s.password_file = Some(path.clone());
    assert_eq!(
        s.load_password().unwrap().unwrap().expose(),
        "pa55word-in-file"
    );
    std::fs::write(&path, "\n").unwrap();
    let err = s.load_password().unwrap_err().to_string();
    assert!(err.contains("is empty"), "{err}");
    s.password_file = Some(dir.path().join("missing"));
    let err = s.load_password().unwrap_err().to_string();
    assert!(err.contains("missing"), "{err}");
}

#[test]
fn message_has_both_parts_and_the_headers() {
    let r = Rendered {
        subject: "Дайджест: 2 өзгеріс".into(),
        text: "plain body".into(),
        html: "<p>html body</p>".into(),
    };
    let from: Mailbox = "bw <bw@example.kz>".parse().unwrap();
    let to = vec![
        "a@example.kz".parse().unwrap(),
        "b@example.kz".parse().unwrap(),
    ];
    let date = Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap();
    let msg = build_message(
        &r,
        &from,
        &to,
        "daily.1@example.kz",
        "daily <daily.example.kz>",
        date,
    )
    .unwrap();
    let raw = String::from_utf8(msg.formatted()).unwrap();
    assert!(raw.contains("Message-ID: <daily.1@example.kz>"), "{raw}");
    assert!(raw.contains("List-Id: daily <daily.example.kz>"), "{raw}");
    assert!(
        raw.contains("Date: Thu, 26 Nov 2026 03:00:00 +0000"),
        "{raw}"
    );
    assert!(raw.contains("multipart/alternative"), "{raw}");
    assert!(raw.contains("text/plain"), "{raw}");
    assert!(raw.contains("text/html"), "{raw}");
    assert!(raw.contains("b@example.kz"), "{raw}");
    assert!(build_message(&r, &from, &[], "x@y", "l <l>", date).is_err());
    assert!(build_message(&r, &from, &to, "bad id", "l <l>", date).is_err());
}

#[tokio::test]
async fn file_mailer_writes_an_eml() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("outbox");
    let mailer = Mailer::file(&out);
    let from: Mailbox = "bw@example.kz".parse().unwrap();
    let to: Mailbox = "reader@example.kz".parse().unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap();
    let id = send_test_email(&mailer, &from, &to, now).await.unwrap();
    let files: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
    assert_eq!(files.len(), 1);
    let body = std::fs::read_to_string(files[0].as_ref().unwrap().path()).unwrap();
    assert!(body.contains(&id), "{body}");
}

#[tokio::test]
async fn refused_connection_is_transient() {
    // Bind and drop to find a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut s = SmtpSettings::new("127.0.0.1", port, Security::Plain, "bw@example.kz");
    s.timeout_secs = 5;
    let m = Mailer::from_settings(&s).unwrap();
    let err = m.test_connection().await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert!(!err.is_permanent());
}
