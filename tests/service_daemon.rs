//! `branchwatch run` as systemd runs it: readiness, watchdog and stopping
//! notifications on `$NOTIFY_SOCKET`, a clean exit on SIGTERM that leaves an
//! intact database, configuration reload on SIGHUP (a good file takes
//! effect, a broken one is refused and the old one keeps working), and the
//! journald / JSON log formats.
//!
//! The real binary, a real SQLite file, and feeds from a server on 127.0.0.1.

mod service_support;

use service_support::{
    config_text, wait_until, write_atomically, Daemon, FeedServer, NotifySocket,
};
use std::time::Duration;

const STEP: Duration = Duration::from_secs(15);

#[test]
fn notifies_ready_watchdog_stopping_and_exits_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let server = FeedServer::start();
    let config = dir.path().join("branchwatch.toml");
    std::fs::write(
        &config,
        config_text(dir.path(), &[("a", server.url("/a.xml"))], "text"),
    )
    .unwrap();
    let notify = NotifySocket::bind(dir.path());
    let notify_path = notify.path.display().to_string();
    let mut daemon = Daemon::start(
        &config,
        &[("NOTIFY_SOCKET", &notify_path), ("WATCHDOG_USEC", "500000")],
    );

    let ready = notify.wait_for_line("READY=1", STEP);
    assert!(ready.is_some(), "no READY=1; log:\n{}", daemon.log_text());
    assert!(
        ready.unwrap().lines().any(|l| l.starts_with("STATUS=")),
        "READY=1 comes with a STATUS= line"
    );
    // Half of WATCHDOG_USEC: a ping every 250 ms, each after a database check.
    let pings_after_ready = || {
        let msgs = notify.messages();
        let ready_at = msgs.iter().position(|m| m.lines().any(|l| l == "READY=1"));
        ready_at.map_or(0, |i| {
            msgs[i..]
                .iter()
                .filter(|m| m.lines().any(|l| l == "WATCHDOG=1"))
                .count()
        })
    };
    assert!(
        wait_until(Duration::from_secs(5), || (pings_after_ready() >= 2)
            .then_some(()))
        .is_some(),
        "fewer than 2 WATCHDOG=1 after READY=1: {:?}; log:\n{}",
        notify.messages(),
        daemon.log_text()
    );
    // A finished polling cycle is reported in STATUS=.
    let status = notify.wait_for(STEP, |m| {
        m.lines().any(|l| l.starts_with("STATUS=last cycle"))
    });
    assert!(
        status.is_some(),
        "no cycle STATUS=; got {:?}",
        notify.messages()
    );
    assert!(server.hits("/a.xml") >= 1, "the feed was never fetched");

    daemon.signal("TERM");
    assert!(
        notify.wait_for_line("STOPPING=1", STEP).is_some(),
        "no STOPPING=1 after SIGTERM; got {:?}",
        notify.messages()
    );
    let status = daemon.wait_exit(Duration::from_secs(25));
    assert!(status.is_some(), "still running 25 s after SIGTERM");
    assert!(
        status.unwrap().success(),
        "exit status {status:?}; log:\n{}",
        daemon.log_text()
    );
    assert!(
        daemon.log().iter().any(|l| l.contains("SIGTERM received")),
        "log:\n{}",
        daemon.log_text()
    );

    let conn = rusqlite::Connection::open(dir.path().join("bw.sqlite")).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(tables > 0, "the database has no tables");
}

#[test]
fn sighup_applies_a_new_feed_and_refuses_a_broken_config() {
    let dir = tempfile::tempdir().unwrap();
    let server = FeedServer::start();
    let config = dir.path().join("branchwatch.toml");
    let one = [("a", server.url("/a.xml"))];
    // In the journal format, to see the priority of the rejection's lines.
    std::fs::write(&config, config_text(dir.path(), &one, "auto")).unwrap();
    let notify = NotifySocket::bind(dir.path());
    let notify_path = notify.path.display().to_string();
    // WATCHDOG_PID names another process, so these pings are not ours to send.
    let mut daemon = Daemon::start(
        &config,
        &[
            ("NOTIFY_SOCKET", &notify_path),
            ("WATCHDOG_USEC", "200000"),
            ("WATCHDOG_PID", "1"),
            ("JOURNAL_STREAM", "8:123456"),
        ],
    );
    assert!(
        notify.wait_for_line("READY=1", STEP).is_some(),
        "log:\n{}",
        daemon.log_text()
    );
    assert!(
        wait_until(STEP, || (server.hits("/a.xml") > 0).then_some(())).is_some(),
        "feed a never fetched; log:\n{}",
        daemon.log_text()
    );
    assert_eq!(server.hits("/b.xml"), 0);

    // A new feed: polled soon after the reload, without a restart.
    let two = [("a", server.url("/a.xml")), ("b", server.url("/b.xml"))];
    write_atomically(&config, &config_text(dir.path(), &two, "auto"));
    daemon.signal("HUP");
    assert!(
        notify.wait_for_line("RELOADING=1", STEP).is_some(),
        "no RELOADING=1; got {:?}",
        notify.messages()
    );
    assert!(
        daemon
            .wait_log(STEP, |l| l.contains("configuration reloaded"))
            .is_some(),
        "log:\n{}",
        daemon.log_text()
    );
    assert!(
        wait_until(STEP, || (server.hits("/b.xml") > 0).then_some(())).is_some(),
        "the feed added by the reload was never fetched; log:\n{}",
        daemon.log_text()
    );

    // A broken file: the reload is refused with the reason, the process
    // stays up and keeps polling both feeds of the previous configuration.
    let broken = config_text(dir.path(), &two, "auto")
        .replace("min_interval_secs = 1", "min_interval_secs = 0");
    write_atomically(&config, &broken);
    daemon.signal("HUP");
    let rejected = daemon.wait_log(STEP, |l| l.contains("configuration reload rejected"));
    assert!(
        rejected.is_some_and(|l| l.starts_with("<3>")),
        "log:\n{}",
        daemon.log_text()
    );
    // The reason, an error too, on this or a following line of the same message.
    assert!(
        daemon
            .log()
            .iter()
            .any(|l| l.starts_with("<3>")
                && l.contains("polling.min_interval_secs: must be at least 1")),
        "the rejection names the offending key; log:\n{}",
        daemon.log_text()
    );
    let (a_before, b_before) = (server.hits("/a.xml"), server.hits("/b.xml"));
    let still_polling = wait_until(STEP, || {
        (server.hits("/a.xml") > a_before && server.hits("/b.xml") > b_before).then_some(())
    });
    assert!(
        still_polling.is_some(),
        "polling stopped after a refused reload; log:\n{}",
        daemon.log_text()
    );
    assert!(
        daemon.is_running(),
        "the daemon exited after a refused reload"
    );

    daemon.signal("TERM");
    let status = daemon.wait_exit(Duration::from_secs(25));
    assert!(
        status.is_some_and(|s| s.success()),
        "exit {status:?}; log:\n{}",
        daemon.log_text()
    );
    assert!(
        notify.wait_for_count("READY=1", 3, STEP),
        "READY=1 after each reload: {:?}",
        notify.messages()
    );
    assert_eq!(
        notify.count_lines("WATCHDOG=1"),
        0,
        "pinged for another process's watchdog"
    );
}

#[test]
fn journald_lines_have_priority_prefix_no_timestamp_no_colour() {
    let dir = tempfile::tempdir().unwrap();
    let server = FeedServer::start();
    let url = server.url("/j.xml");
    let config = dir.path().join("branchwatch.toml");
    std::fs::write(
        &config,
        config_text(dir.path(), &[("j", url.clone())], "auto"),
    )
    .unwrap();
    let mut daemon = Daemon::start(&config, &[("JOURNAL_STREAM", "8:123456")]);

    // The first poll stores two new items and logs "refreshed" in its span.
    let refresh = daemon.wait_log(STEP, |l| l.contains("refreshed") && l.contains(&url));
    assert!(
        refresh.is_some(),
        "no refresh line with the feed URL; log:\n{}",
        daemon.log_text()
    );
    let refresh = refresh.unwrap();
    assert!(
        refresh.starts_with("<6>") && refresh.contains("refresh{") && refresh.contains("feed_id="),
        "{refresh}"
    );
    daemon.signal("TERM");
    assert!(daemon
        .wait_exit(Duration::from_secs(25))
        .is_some_and(|s| s.success()));

    let line_shape = regex::Regex::new(r"^<[0-7]>[^\d\s<]").unwrap();
    let log = daemon.log();
    assert!(log.len() >= 3, "too few lines: {log:?}");
    for line in &log {
        assert!(!line.contains('\u{1b}'), "ANSI escape in {line:?}");
        assert!(
            line_shape.is_match(line),
            "not `<N>text` without a timestamp: {line:?}"
        );
    }
    assert!(
        log.iter()
            .any(|l| l.starts_with("<6>") && l.contains("SIGTERM received")),
        "{log:?}"
    );
}

#[test]
fn json_lines_parse_and_refresh_span_carries_feed_id_and_url() {
    let dir = tempfile::tempdir().unwrap();
    let server = FeedServer::start();
    let url = server.url("/k.xml");
    let config = dir.path().join("branchwatch.toml");
    std::fs::write(
        &config,
        config_text(dir.path(), &[("k", url.clone())], "json"),
    )
    .unwrap();
    let mut daemon = Daemon::start(&config, &[]);

    let refresh = daemon.wait_log(STEP, |l| l.contains("refreshed") && l.contains(&url));
    assert!(
        refresh.is_some(),
        "no refresh line with the feed URL; log:\n{}",
        daemon.log_text()
    );
    daemon.signal("TERM");
    assert!(daemon
        .wait_exit(Duration::from_secs(25))
        .is_some_and(|s| s.success()));

    let mut refresh_spans = 0;
    for line in daemon.log() {
        let v: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}"));
        assert!(v["level"].is_string() && v["fields"].is_object(), "{line}");
        if v["fields"]["message"] == "refreshed" {
            let span = &v["span"];
            assert_eq!(span["name"], "refresh", "{line}");
            assert_eq!(span["url"], url.as_str(), "{line}");
            assert!(
                span["feed_id"].is_i64() || span["feed_id"].is_u64(),
                "{line}"
            );
            assert_eq!(span["feed"], "k", "{line}");
            refresh_spans += 1;
        }
    }
    assert_eq!(refresh_spans, 1, "exactly one refresh found new items");
}

/// User plus system CPU time of a process, in clock ticks (1/100 s on Linux).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 here.
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[test]
fn idle_daemon_sleeps_between_polls() {
    let dir = tempfile::tempdir().unwrap();
    let server = FeedServer::start();
    let config = dir.path().join("branchwatch.toml");
    std::fs::write(
        &config,
        config_text(dir.path(), &[("idle", server.url("/idle.xml"))], "text"),
    )
    .unwrap();
    let mut daemon = Daemon::start(&config, &[]);
    assert!(
        daemon
            .wait_log(STEP, |l| l.contains("cycle done"))
            .is_some(),
        "log:\n{}",
        daemon.log_text()
    );
    let before = cpu_ticks(daemon.pid());
    std::thread::sleep(Duration::from_secs(3));
    let used = cpu_ticks(daemon.pid()) - before;
    // Polling one feed every 1–2 s costs a few ticks; a loop that restarts
    // empty cycles without sleeping burns most of the 300.
    assert!(used < 60, "{used} ticks of CPU in 3 s while idle");
    let polls = server.hits("/idle.xml");
    assert!(
        (2..=6).contains(&polls),
        "{polls} polls in about 3 s at a 1–2 s interval"
    );
    daemon.signal("TERM");
    assert!(daemon
        .wait_exit(Duration::from_secs(25))
        .is_some_and(|s| s.success()));
}
