//! Crash safety of `branchwatch run`: the real binary, killed with SIGKILL at
//! random moments and restarted, must end with exactly what an uninterrupted
//! run stores and mails.
//!
//! A generated site (20 feeds × 15 items, 45 leadership changes in Russian,
//! Kazakh and English, 8 of them reported twice) is served from 127.0.0.1;
//! digests go every 3 s to a real SMTP server on 127.0.0.1 (tests/mail_support,
//! inside this test process). First one run goes undisturbed to completion into database A.
//! Then into database B the daemon is started and SIGKILLed
//! `BRANCHWATCH_CRASH_ROUNDS` times (default 30) after a random lifetime
//! (seeded; the seed is printed, `BRANCHWATCH_CRASH_SEED` replays it), and
//! finally left to finish. Compared: the set of changes (person, role,
//! party, region, event) and of their source URLs, no duplicate rows,
//! `PRAGMA integrity_check`, and the Maildir: every change mailed to the
//! recipient exactly once (one duplicate message is tolerated, and only if
//! it repeats a Message-ID: the documented crash window between the server's
//! 250 and the outbox row being marked sent).

mod mail_support;
mod reliability_support;

use rand::{Rng, SeedableRng};
use reliability_support::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const COMPLETE_TIMEOUT: Duration = Duration::from_secs(90);
const MIN_UPTIME: Duration = Duration::from_millis(2500);

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Starts the daemon and waits until the database says everything was
/// stored and mailed, then stops it with SIGTERM.
fn run_to_completion(config: &Path, db: &Path, log: &Path, expected_items: usize) -> DbView {
    let mut child = spawn_daemon(config, log, &[], &[]);
    let started = Instant::now();
    let view = loop {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("daemon exited early ({status}); log:\n{}", tail(log, 40));
        }
        // Give the daemon time to start (signal handlers installed) and to
        // run at least one cycle of its own before judging completion.
        if db.exists() && started.elapsed() > MIN_UPTIME {
            if let Ok(v) = read_db(db) {
                if v.complete(expected_items) {
                    break v;
                }
            }
        }
        if started.elapsed() > COMPLETE_TIMEOUT {
            let v = read_db(db).ok();
            signal(&child, "KILL");
            let _ = child.wait();
            panic!(
                "not complete after {COMPLETE_TIMEOUT:?}: items={:?} changes={:?} sent={:?} pending={:?}; log:\n{}",
                v.as_ref().map(|v| v.items),
                v.as_ref().map(|v| v.changes.len()),
                v.as_ref().map(|v| v.sent_in.len()),
                v.as_ref().map(|v| v.pending_outbox),
                tail(log, 40)
            );
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    signal(&child, "TERM");
    let status = wait_exit(&mut child, Duration::from_secs(30));
    assert!(
        status.is_some_and(|s| s.success()),
        "no clean exit after SIGTERM: {status:?}; log:\n{}",
        tail(log, 40)
    );
    eprintln!("  complete after {:.1} s", started.elapsed().as_secs_f32());
    view
}

fn no_duplicates<T: Ord + Clone + std::fmt::Debug>(what: &str, rows: &[T]) -> BTreeSet<T> {
    let set: BTreeSet<T> = rows.iter().cloned().collect();
    assert_eq!(set.len(), rows.len(), "duplicate {what} rows: {rows:#?}");
    set
}

/// Every change of `view` mailed exactly once: checked against the Maildir
/// by person name and by Message-ID.
fn check_mail(label: &str, view: &DbView, mails: &[Mail]) {
    assert!(!mails.is_empty(), "{label}: no message arrived");
    // Message-IDs that arrived more than once.
    let mut by_id: BTreeMap<&str, usize> = BTreeMap::new();
    for m in mails {
        assert!(
            !m.message_id.is_empty(),
            "{label}: a message without Message-ID"
        );
        *by_id.entry(&m.message_id).or_default() += 1;
    }
    let repeats: usize = by_id.values().map(|n| n - 1).sum();
    assert!(
        repeats <= 1,
        "{label}: {repeats} repeated deliveries of the same Message-ID: {by_id:?}"
    );
    // Per person: the distinct Message-IDs whose text lists them.
    let mut ids_of: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for m in mails {
        for p in &m.people {
            ids_of.entry(p.as_str()).or_default().insert(&m.message_id);
        }
    }
    for c in &view.changes {
        let got = ids_of.get(c.0.as_str());
        assert!(
            got.is_some_and(|ids| ids.len() == 1),
            "{label}: change {c:?} is in {} distinct messages ({got:?}), expected exactly 1",
            got.map_or(0, |g| g.len())
        );
        // The outbox agrees: exactly one sent message carries it, and that
        // is the message that arrived.
        let sent = view.sent_in.get(c).cloned().unwrap_or_default();
        assert_eq!(sent.len(), 1, "{label}: {c:?} in sent outbox rows {sent:?}");
        let arrived: BTreeSet<String> = got.unwrap().iter().map(|s| s.to_string()).collect();
        assert_eq!(
            sent, arrived,
            "{label}: outbox and Maildir disagree for {c:?}"
        );
    }
    let listed: BTreeSet<&str> = ids_of.keys().copied().collect();
    let stored: BTreeSet<&str> = view.changes.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(
        listed, stored,
        "{label}: mailed people differ from stored changes"
    );
}

#[test]
fn sigkill_at_random_moments_loses_and_duplicates_nothing() {
    let rounds = env_num("BRANCHWATCH_CRASH_ROUNDS", 30);
    let seed = std::env::var("BRANCHWATCH_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!(
        "crash test: {rounds} rounds, seed {seed} (replay with BRANCHWATCH_CRASH_SEED={seed})"
    );
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);

    let dir = tempfile::tempdir().unwrap();
    let site = Arc::new(Site::generate());
    let expected_items = FEEDS * ITEMS_PER_FEED;
    assert_eq!(site.by_path.len(), expected_items);
    let server = SiteServer::start(site.clone());
    let feeds = server.feed_urls();

    // A: one uninterrupted run.
    let ref_mail = dir.path().join("maildir-ref");
    let smtp_ref = mail_support::SmtpServer::start(mail_support::free_port(), &ref_mail);
    let ref_db = dir.path().join("ref.sqlite");
    let ref_cfg = dir.path().join("ref.toml");
    std::fs::write(
        &ref_cfg,
        daemon_config(&ref_db, &feeds, smtp_ref.port, "ref@localhost"),
    )
    .unwrap();
    eprintln!("reference run ...");
    let reference = run_to_completion(
        &ref_cfg,
        &ref_db,
        &dir.path().join("ref.log"),
        expected_items,
    );
    assert_eq!(reference.integrity, "ok");
    assert!(
        reference.changes.len() >= CHANGE_ARTICLES * 8 / 10,
        "the detector found only {} of {CHANGE_ARTICLES} generated changes: {:#?}",
        reference.changes.len(),
        reference.changes
    );
    let ref_changes = no_duplicates("change", &reference.changes);
    let ref_sources = no_duplicates("source", &reference.sources);
    check_mail("reference", &reference, &read_maildir(&ref_mail));

    // B: killed and restarted.
    let crash_mail = dir.path().join("maildir-crash");
    let smtp_crash = mail_support::SmtpServer::start(mail_support::free_port(), &crash_mail);
    let db = dir.path().join("crash.sqlite");
    let cfg = dir.path().join("crash.toml");
    let log = dir.path().join("crash.log");
    std::fs::write(
        &cfg,
        daemon_config(&db, &feeds, smtp_crash.port, "crash@localhost"),
    )
    .unwrap();
    let mut lifetimes = Vec::new();
    let mut progress = Vec::new();
    for round in 0..rounds {
        // Mostly short lives (inside the first cycle and around the first
        // digest), some long enough for several cycles and digests.
        let ms: u64 = if rng.gen_bool(0.75) {
            rng.gen_range(50..2500)
        } else {
            rng.gen_range(2500..5500)
        };
        let mut child = spawn_daemon(&cfg, &log, &[], &[]);
        std::thread::sleep(Duration::from_millis(ms));
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "round {round}: daemon exited by itself ({status}); log:\n{}",
                tail(&log, 40)
            );
        }
        signal(&child, "KILL");
        let status = wait_exit(&mut child, Duration::from_secs(10))
            .expect("SIGKILL did not end the process");
        assert!(!status.success());
        lifetimes.push(ms);
        // The database is readable and intact after every kill.
        if db.exists() {
            let v = read_db(&db)
                .unwrap_or_else(|e| panic!("round {round}: unreadable after SIGKILL: {e}"));
            assert_eq!(v.integrity, "ok", "round {round}");
            no_duplicates("change", &v.changes);
            progress.push((v.items, v.changes.len(), v.sent_in.len()));
        }
    }
    eprintln!("killed {rounds} times after (ms) {lifetimes:?}");
    eprintln!("(items, changes, mailed) after each kill: {progress:?}");
    eprintln!("final uninterrupted run ...");
    let after = run_to_completion(&cfg, &db, &log, expected_items);

    assert_eq!(after.integrity, "ok");
    let changes = no_duplicates("change", &after.changes);
    let sources = no_duplicates("source", &after.sources);
    let missing: Vec<_> = ref_changes.difference(&changes).collect();
    let extra: Vec<_> = changes.difference(&ref_changes).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "changes differ: missing {missing:#?}, extra {extra:#?}"
    );
    let missing: Vec<_> = ref_sources.difference(&sources).collect();
    let extra: Vec<_> = sources.difference(&ref_sources).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "sources differ: missing {missing:#?}, extra {extra:#?}"
    );
    assert_eq!(after.items, reference.items);
    let mails = read_maildir(&crash_mail);
    check_mail("after crashes", &after, &mails);
    let merged = sources.len() - changes.len();
    eprintln!(
        "crash test passed: seed {seed}, {rounds} SIGKILLs, {} changes, {} sources ({merged} merged second reports), \
         {} digest messages, {} items",
        changes.len(),
        sources.len(),
        mails.len(),
        after.items
    );
    drop(smtp_ref);
    drop(smtp_crash);
}
