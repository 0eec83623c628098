//! Digests on time: the daemon's digest scheduler runs as its own task
//! beside polling, so a long polling cycle does not hold a due digest back.
//!
//! On a paused tokio clock (ten minutes pass in an instant): the real
//! scheduler, a real SQLite store and the real digest delivery writing
//! `.eml` files, beside a polling cycle kept busy for ten minutes that
//! writes to the same store every ten seconds. The 08:00 digest must go out
//! less than 5 s late, while the cycle is still running, and both finish.

mod digest_support;

use branchwatch::daemon::digests::{Clock, DigestPlan, DigestScheduler, TokioClock};
use branchwatch::db::Db;
use branchwatch::digest::{DigestSpec, Templates};
use branchwatch::mail::{parse_mailbox, Mailer};
use branchwatch::metrics::Metrics;
use branchwatch::model::{Event, Role};
use chrono::{DateTime, TimeZone, Utc};
use digest_support::{article, detected, seed_three};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, h, m, s).unwrap()
}

fn eml_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                .count()
        })
        .unwrap_or(0)
}

/// The stand-in for a polling cycle over a large feed list: busy for
/// `busy`, storing one new article with a change every ten seconds.
async fn busy_cycle(db: Db, busy: Duration) -> usize {
    let rounds = (busy.as_secs() / 10) as usize;
    for i in 0..rounds {
        tokio::time::sleep(Duration::from_secs(10)).await;
        db.call(move |s| {
            s.record_article(
                &article(
                    &format!("https://news.example.kz/busy/{i}"),
                    "Жаңалық",
                    "Busy News",
                ),
                &[detected(
                    &format!("Тест Адам{i}"),
                    Role::DeputyChair,
                    "AMANAT",
                    "KZ-75",
                    Event::Appointed,
                    "EVID-BUSY назначен.",
                    0.9,
                )],
                at(7, 0, 0),
            )
        })
        .await
        .expect("the busy cycle stores its article");
    }
    rounds
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_ten_minute_poll_cycle_delays_a_due_digest_by_under_5_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox");
    let db = Db::open(&dir.path().join("bw.sqlite")).unwrap();
    db.call(|s| {
        seed_three(s, at(6, 0, 0));
        Ok(())
    })
    .await
    .unwrap();

    let clock = Arc::new(TokioClock::starting_at(at(7, 58, 0)));
    let mut spec = DigestSpec::new("daily", &["editor@example.kz"]);
    spec.schedule = "0 0 8 * * *".into();
    spec.timezone = "UTC".into();
    let plan = DigestPlan {
        specs: vec![spec],
        mail: Some((
            Arc::new(Mailer::file(&outbox)),
            parse_mailbox("branchwatch <bw@example.kz>").unwrap(),
        )),
        templates: Arc::new(Templates::embedded()),
    };

    // Polling starts first, at 07:58, and stays busy until 08:08.
    let cycle = tokio::spawn(busy_cycle(db.clone(), Duration::from_secs(600)));
    let task =
        DigestScheduler::new(db.clone(), Arc::new(Metrics::default()), clock.clone()).spawn(plan);

    let due = at(8, 0, 0);
    let sent_at = loop {
        if eml_files(&outbox) > 0 {
            break clock.now();
        }
        assert!(clock.now() < at(8, 30, 0), "no digest by 08:30");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let late = (sent_at - due).to_std().unwrap_or(Duration::ZERO);
    eprintln!("digest due {due}, sent {sent_at} ({late:?} late)");
    assert!(sent_at >= due, "sent before it was due: {sent_at}");
    assert!(late < Duration::from_secs(5), "digest {late:?} late");
    assert!(
        !cycle.is_finished(),
        "the cycle should still be busy when the digest goes out"
    );

    let rounds = cycle.await.expect("the polling cycle finishes");
    assert_eq!(rounds, 60);
    assert!(clock.now() >= at(8, 8, 0), "{}", clock.now());
    task.stop(Duration::from_secs(20)).await;
    assert_eq!(eml_files(&outbox), 1, "one digest, sent once");
    let stored = db
        .call(|s| s.changes(&branchwatch::model::ChangeFilter::default()))
        .await
        .unwrap();
    let busy_sources = stored
        .iter()
        .flat_map(|c| &c.sources)
        .filter(|s| s.url.contains("/busy/"))
        .count();
    assert_eq!(busy_sources, 60, "every report of the cycle was stored");
}
