//! Digest delivery end to end: a real SQLite store, a real SMTP server (the
//! in-process one of tests/mail_support), and the outbox protocol across
//! failures.

mod digest_support;
mod mail_support;

use branchwatch::digest::{
    run_digest, DigestError, DigestFilter, DigestSpec, DigestStore, PendingMessage, Templates,
};
use branchwatch::mail::{Mailer, Security, SmtpSettings};
use branchwatch::model::ChangeRecord;
use branchwatch::store::{OutboxState, Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use digest_support::{article, detected, open_store, seed_three, t};
use lettre::message::Mailbox;
use mail_support::{free_port, ServerOptions, SmtpServer};
use mailparse::{MailHeaderMap, ParsedMail};
use std::sync::Mutex;

const MARKERS: [&str; 4] = ["EVID-A ", "EVID-A2 ", "EVID-B ", "EVID-C "];

fn mailer(port: u16) -> Mailer {
    let mut s = SmtpSettings::new("127.0.0.1", port, Security::Plain, "bw@example.kz");
    s.timeout_secs = 5;
    Mailer::from_settings(&s).unwrap()
}

fn from() -> Mailbox {
    "branchwatch <bw@example.kz>".parse().unwrap()
}

fn spec(recipients: &[&str]) -> DigestSpec {
    DigestSpec::new("daily", recipients)
}

struct Parts {
    message_id: String,
    subject: String,
    text: String,
    html: String,
}

fn parts(raw: &[u8]) -> Parts {
    let m: ParsedMail = mailparse::parse_mail(raw).unwrap();
    assert_eq!(m.ctype.mimetype, "multipart/alternative");
    assert_eq!(m.subparts.len(), 2, "two alternatives");
    assert_eq!(m.subparts[0].ctype.mimetype, "text/plain");
    assert_eq!(m.subparts[1].ctype.mimetype, "text/html");
    Parts {
        message_id: m.headers.get_first_value("Message-ID").unwrap(),
        subject: m.headers.get_first_value("Subject").unwrap(),
        text: m.subparts[0].get_body().unwrap(),
        html: m.subparts[1].get_body().unwrap(),
    }
}

fn outbox(store: &Mutex<Store>) -> Vec<branchwatch::store::OutboxMessage> {
    store.lock().unwrap().outbox_all(Some("daily")).unwrap()
}

#[tokio::test]
async fn digest_is_multipart_escaped_and_lists_each_change_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = open_store(dir.path());
    seed_three(&mut st, t(1));
    let store = Mutex::new(st);
    let server = SmtpServer::start(free_port(), &dir.path().join("mail"));
    let tpl = Templates::embedded();
    let sp = spec(&["editor@example.kz", "Второй <second@example.kz>"]);
    let report = run_digest(&store, &mailer(server.port), &sp, &tpl, &from(), t(3))
        .await
        .unwrap();
    assert_eq!(report.sent(), 1, "{report:?}");
    assert_eq!(report.messages[0].change_ids.len(), 3);

    let got = server.messages();
    assert_eq!(got.len(), 1);
    let raw = String::from_utf8_lossy(&got[0]).to_string();
    let p = parts(&got[0]);
    assert_eq!(p.message_id, report.messages[0].message_id);
    assert_eq!(outbox(&store)[0].message_id, p.message_id);
    assert!(
        raw.contains("List-Id: branchwatch daily <daily.example.kz>"),
        "{raw}"
    );
    assert!(
        raw.contains("Date: Thu, 26 Nov 2026 03:00:00 +0000"),
        "{raw}"
    );
    assert!(raw.contains("second@example.kz"), "{raw}");
    // The period (first change seen .. now) lies within one Almaty day.
    assert_eq!(p.subject, "[daily] 3 changes (needs review: 1), 2026-11-26");

    // Hostile title, evidence and URL are inert in the HTML part.
    assert!(!p.html.contains("<script"), "{}", p.html);
    assert!(!p.html.contains("<img"), "{}", p.html);
    assert!(p.html.contains("&lt;script&gt;alert("), "{}", p.html);
    assert!(
        p.html
            .contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"),
        "{}",
        p.html
    );
    for href in p.html.split("href=\"").skip(1) {
        assert!(href.starts_with("https:&#x2f;&#x2f;"), "bad link {href}");
        let end = href.find('"').unwrap();
        assert!(!href[..end].contains('<') && !href[..end].contains('>'));
    }
    // Both sources of the merged change are linked, plus one per other change.
    assert_eq!(p.html.matches("<a href=").count(), 4, "{}", p.html);

    // Every change once, in both parts; only the best evidence per change is shown.
    for body in [&p.text, &p.html] {
        for name in [
            "Асқар Серікұлы Нұрланов",
            "Дина Маратқызы Әлиева",
            "Ерлан Болатұлы Қасымов",
        ] {
            assert_eq!(body.matches(name).count(), 1, "{name} in\n{body}");
        }
        let shown: usize = MARKERS.iter().map(|m| body.matches(m).count()).sum();
        assert_eq!(shown, 3, "{body}");
    }
    // The low-confidence change is in the review section, after the others.
    let review = p.text.find("Needs review").unwrap();
    assert!(p.text.find("EVID-C").unwrap() > review);
    assert!(p.text.find("EVID-B").unwrap() < review);
    assert_eq!(outbox(&store)[0].state, OutboxState::Sent);

    // Nothing is left: the next run sends nothing.
    let report = run_digest(&store, &mailer(server.port), &sp, &tpl, &from(), t(4))
        .await
        .unwrap();
    assert!(report.skipped_empty && report.messages.is_empty());
    assert_eq!(server.messages().len(), 1);
}

#[tokio::test]
async fn server_down_queues_and_restart_delivers_everything_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = open_store(dir.path());
    seed_three(&mut st, t(1));
    let store = Mutex::new(st);
    let port = free_port();
    let m = mailer(port);
    let tpl = Templates::embedded();
    let sp = spec(&["editor@example.kz"]);

    // Server down: the message is queued, not lost and not marked sent.
    let r1 = run_digest(&store, &m, &sp, &tpl, &from(), t(3))
        .await
        .unwrap();
    assert_eq!(r1.retrying(), 1, "{r1:?}");
    let ob = outbox(&store);
    assert_eq!(ob.len(), 1);
    assert_eq!(ob[0].state, OutboxState::Pending);
    assert_eq!(ob[0].attempts, 1);
    let next = ob[0].next_attempt_at.unwrap();
    assert!(
        next > t(3) && next <= t(3) + Duration::seconds(70),
        "{next}"
    );
    let first_id = ob[0].message_id.clone();

    // Before the backoff elapses nothing is retried, and the queued changes
    // are not put into a second message.
    let r2 = run_digest(&store, &m, &sp, &tpl, &from(), t(3) + Duration::seconds(30))
        .await
        .unwrap();
    assert_eq!(r2.deferred, 1);
    assert!(r2.messages.is_empty() && r2.skipped_empty, "{r2:?}");
    assert_eq!(outbox(&store)[0].attempts, 1);

    // A new change arrives while the server is down.
    store
        .lock()
        .unwrap()
        .record_article(
            &article("https://news.example.kz/auyl", "Ауыл", "Example News"),
            &[detected(
                "Марат Ержанұлы Оспанов",
                branchwatch::model::Role::Chair,
                "AUYL",
                "KZ-35",
                branchwatch::model::Event::ReElected,
                "EVID-D Оспанов переизбран.",
                0.9,
            )],
            t(4),
        )
        .unwrap();

    let server = SmtpServer::start(port, &dir.path().join("mail"));
    let r3 = run_digest(&store, &m, &sp, &tpl, &from(), t(5))
        .await
        .unwrap();
    assert_eq!(r3.sent(), 2, "{r3:?}");
    assert!(r3.messages[0].resend && !r3.messages[1].resend);

    let got = server.messages();
    assert_eq!(got.len(), 2);
    let ps: Vec<Parts> = got.iter().map(|g| parts(g)).collect();
    let ids: Vec<&str> = ps.iter().map(|p| p.message_id.as_str()).collect();
    assert!(
        ids.contains(&first_id.as_str()),
        "resend keeps its Message-ID: {ids:?}"
    );
    assert_ne!(ids[0], ids[1]);
    let all_text: String = ps.iter().map(|p| p.text.as_str()).collect();
    for marker in ["EVID-A ", "EVID-B ", "EVID-C ", "EVID-D "] {
        assert_eq!(all_text.matches(marker).count(), 1, "{marker}\n{all_text}");
    }
    assert!(outbox(&store).iter().all(|o| o.state == OutboxState::Sent));

    let r4 = run_digest(&store, &m, &sp, &tpl, &from(), t(6))
        .await
        .unwrap();
    assert!(r4.skipped_empty && r4.messages.is_empty(), "{r4:?}");
    assert_eq!(server.messages().len(), 2);

    // A second outage, after the server had been up: a change stored while
    // it is down is queued, and once it is back on the same port that
    // message arrives exactly once, under the Message-ID it was queued with.
    server.stop();
    store
        .lock()
        .unwrap()
        .record_article(
            &article(
                "https://news.example.kz/respublica",
                "Respublica",
                "Example News",
            ),
            &[detected(
                "Дана Серікқызы Әлиева",
                branchwatch::model::Role::ExecutiveSecretary,
                "RESPUBLICA",
                "KZ-75",
                branchwatch::model::Event::Appointed,
                "EVID-E Әлиева назначена.",
                0.9,
            )],
            t(6),
        )
        .unwrap();
    let r5 = run_digest(&store, &m, &sp, &tpl, &from(), t(7))
        .await
        .unwrap();
    assert_eq!(r5.retrying(), 1, "{r5:?}");
    let queued_id = outbox(&store)
        .into_iter()
        .find(|o| o.state == OutboxState::Pending)
        .expect("the message is queued while the server is down")
        .message_id;
    let server = SmtpServer::start(port, &dir.path().join("mail"));
    let r6 = run_digest(&store, &m, &sp, &tpl, &from(), t(8))
        .await
        .unwrap();
    assert_eq!(r6.sent(), 1, "{r6:?}");
    let got = server.messages();
    assert_eq!(got.len(), 3, "two before the outage, one after");
    let last = parts(&got[2]);
    assert_eq!(last.message_id, queued_id);
    assert_eq!(last.text.matches("EVID-E ").count(), 1, "{}", last.text);
    let all_text: String = got.iter().map(|g| parts(g).text).collect();
    assert_eq!(all_text.matches("EVID-E ").count(), 1);
    assert!(outbox(&store).iter().all(|o| o.state == OutboxState::Sent));
}

#[tokio::test]
async fn rejected_recipient_is_recorded_as_permanent_and_not_retried() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = open_store(dir.path());
    seed_three(&mut st, t(1));
    let store = Mutex::new(st);
    let opts = ServerOptions {
        rejecting: true,
        ..Default::default()
    };
    let server = SmtpServer::start_with(free_port(), &dir.path().join("mail"), &opts);
    let m = mailer(server.port);
    let tpl = Templates::embedded();

    let bad = spec(&["editor@example.kz", "reject-me@example.kz"]);
    let r = run_digest(&store, &m, &bad, &tpl, &from(), t(3))
        .await
        .unwrap();
    assert_eq!(r.failed(), 1, "{r:?}");
    let ob = outbox(&store);
    assert_eq!(ob[0].state, OutboxState::Failed);
    let err = ob[0].last_error.clone().unwrap();
    assert!(err.contains("550"), "{err}");
    assert!(server.messages().is_empty());

    // With the address fixed, the next run carries the released changes in a
    // new message; the failed one stays failed.
    let good = spec(&["editor@example.kz"]);
    let r = run_digest(&store, &m, &good, &tpl, &from(), t(4))
        .await
        .unwrap();
    assert_eq!(r.sent(), 1, "{r:?}");
    assert!(!r.messages[0].resend);
    assert_eq!(r.messages[0].change_ids.len(), 3);
    let ob = outbox(&store);
    assert_eq!(ob.len(), 2);
    assert_eq!(ob[0].state, OutboxState::Failed);
    assert_eq!(ob[0].attempts, 1);
    assert_eq!(ob[1].state, OutboxState::Sent);
    assert_eq!(server.messages().len(), 1);
}

/// A store that loses the "sent" mark once, as if the process died right
/// after the SMTP server accepted the message.
struct CrashAfterAccept {
    inner: Store,
    crash: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("simulated crash")]
struct Crash;

#[derive(Debug, thiserror::Error)]
enum E {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Crash(#[from] Crash),
}

impl DigestStore for CrashAfterAccept {
    type Error = E;
    fn undelivered_changes(&self, d: &str, f: &DigestFilter) -> Result<Vec<ChangeRecord>, E> {
        Ok(DigestStore::undelivered_changes(&self.inner, d, f)?)
    }
    fn changes_by_ids(&self, ids: &[i64]) -> Result<Vec<ChangeRecord>, E> {
        Ok(self.inner.changes_by_ids(ids)?)
    }
    fn outbox_enqueue(
        &mut self,
        d: &str,
        m: &str,
        s: &str,
        ids: &[i64],
        now: DateTime<Utc>,
    ) -> Result<i64, E> {
        Ok(DigestStore::outbox_enqueue(
            &mut self.inner,
            d,
            m,
            s,
            ids,
            now,
        )?)
    }
    fn outbox_pending(&self, d: &str) -> Result<Vec<PendingMessage>, E> {
        Ok(DigestStore::outbox_pending(&self.inner, d)?)
    }
    fn outbox_mark_sent(&mut self, id: i64, now: DateTime<Utc>) -> Result<(), E> {
        if self.crash {
            return Err(Crash.into());
        }
        Ok(DigestStore::outbox_mark_sent(&mut self.inner, id, now)?)
    }
    fn outbox_mark_failed(
        &mut self,
        id: i64,
        e: &str,
        p: bool,
        n: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(), E> {
        Ok(DigestStore::outbox_mark_failed(
            &mut self.inner,
            id,
            e,
            p,
            n,
            now,
        )?)
    }
    fn digest_last_run(&self, d: &str) -> Result<Option<DateTime<Utc>>, E> {
        Ok(DigestStore::digest_last_run(&self.inner, d)?)
    }
    fn set_digest_last_run(&mut self, d: &str, at: DateTime<Utc>) -> Result<(), E> {
        Ok(DigestStore::set_digest_last_run(&mut self.inner, d, at)?)
    }
}

#[tokio::test]
async fn crash_after_accept_gives_one_duplicate_with_the_same_message_id() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = open_store(dir.path());
    seed_three(&mut st, t(1));
    let store = Mutex::new(CrashAfterAccept {
        inner: st,
        crash: true,
    });
    let server = SmtpServer::start(free_port(), &dir.path().join("mail"));
    let m = mailer(server.port);
    let tpl = Templates::embedded();
    let sp = spec(&["editor@example.kz"]);

    let err = run_digest(&store, &m, &sp, &tpl, &from(), t(3))
        .await
        .unwrap_err();
    assert!(matches!(err, DigestError::Store(_)), "{err:?}");
    assert_eq!(server.messages().len(), 1, "the server did accept it");

    // "Restart": the row is still pending, so it is sent again, once.
    store.lock().unwrap().crash = false;
    let r = run_digest(&store, &m, &sp, &tpl, &from(), t(4))
        .await
        .unwrap();
    assert_eq!(r.sent(), 1);
    assert!(r.messages[0].resend);
    let r = run_digest(&store, &m, &sp, &tpl, &from(), t(5))
        .await
        .unwrap();
    assert!(r.messages.is_empty());

    let got = server.messages();
    assert_eq!(got.len(), 2, "exactly one duplicate");
    let (a, b) = (parts(&got[0]), parts(&got[1]));
    assert_eq!(a.message_id, b.message_id);
    assert_eq!(a.subject, b.subject);
    assert_eq!(a.text, b.text);
}

#[tokio::test]
async fn empty_digest_is_sent_only_with_send_empty() {
    let dir = tempfile::tempdir().unwrap();
    let store = Mutex::new(open_store(dir.path()));
    let server = SmtpServer::start(free_port(), &dir.path().join("mail"));
    let m = mailer(server.port);
    let tpl = Templates::embedded();
    let mut sp = spec(&["editor@example.kz"]);
    let r = run_digest(&store, &m, &sp, &tpl, &from(), t(3))
        .await
        .unwrap();
    assert!(r.skipped_empty);
    assert!(server.messages().is_empty());
    sp.send_empty = true;
    sp.language = branchwatch::model::Lang::Ru;
    let r = run_digest(&store, &m, &sp, &tpl, &from(), t(4))
        .await
        .unwrap();
    assert_eq!(r.sent(), 1);
    let got = server.messages();
    assert_eq!(got.len(), 1);
    let p = parts(&got[0]);
    assert!(p.subject.contains("изменений нет"), "{}", p.subject);
    assert!(
        p.text.contains("За этот период изменений нет."),
        "{}",
        p.text
    );
}

#[tokio::test]
async fn digest_filter_selects_from_the_real_store() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = open_store(dir.path());
    seed_three(&mut st, t(1));
    let store = Mutex::new(st);
    let out = dir.path().join("eml");
    let m = Mailer::file(&out);
    let tpl = Templates::embedded();
    let mut sp = spec(&["editor@example.kz"]);
    sp.parties = vec!["amanat".into()];
    sp.roles = vec![branchwatch::model::Role::Chair];
    let r = run_digest(&store, &m, &sp, &tpl, &from(), t(3))
        .await
        .unwrap();
    assert_eq!(r.sent(), 1);
    let ids = &r.messages[0].change_ids;
    assert_eq!(ids.len(), 1, "{r:?}");
    let only = store
        .lock()
        .unwrap()
        .change(ids[0])
        .unwrap()
        .unwrap()
        .record;
    assert_eq!(only.person, "Асқар Серікұлы Нұрланов");

    // Another digest with its own filter still gets its own copy of changes.
    let mut other = DigestSpec::new("astana", &["astana@example.kz"]);
    other.regions = vec!["kz-71".into()];
    other.min_confidence = 0.5;
    let r = run_digest(&store, &m, &other, &tpl, &from(), t(3))
        .await
        .unwrap();
    let ids = &r.messages[0].change_ids;
    assert_eq!(ids.len(), 1, "{r:?}");
    let rec = store
        .lock()
        .unwrap()
        .change(ids[0])
        .unwrap()
        .unwrap()
        .record;
    assert_eq!(rec.person, "Дина Маратқызы Әлиева");
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 2);
}
