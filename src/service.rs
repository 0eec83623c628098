//! The systemd side of `branchwatch run`: readiness, status and watchdog
//! notifications over `$NOTIFY_SOCKET` (sd_notify(3)).
//!
//! All calls are no-ops when the process was not started by systemd (no
//! `NOTIFY_SOCKET`), so the same binary runs in a terminal unchanged. The
//! watchdog is pinged by the scheduler loop itself, and only after a cheap
//! database query succeeded: if the loop hangs or the database is wedged,
//! the pings stop and systemd restarts the service, which is the point.

use sd_notify::NotifyState;
use std::time::Duration;

/// Tells systemd the service is ready (database open, scheduler running).
pub fn ready(status: &str) {
    notify(&[NotifyState::Ready, NotifyState::Status(status)]);
}

pub fn status(status: &str) {
    notify(&[NotifyState::Status(status)]);
}

pub fn stopping() {
    notify(&[NotifyState::Stopping, NotifyState::Status("stopping")]);
}

pub fn reloading() {
    notify(&[NotifyState::Reloading]);
}

pub fn reloaded(status: &str) {
    notify(&[NotifyState::Ready, NotifyState::Status(status)]);
}

pub fn watchdog_ping() {
    notify(&[NotifyState::Watchdog]);
}

/// The interval at which to ping: half of `WATCHDOG_USEC`, when systemd
/// asked for pings (and `WATCHDOG_PID`, if set, is this process).
pub fn watchdog_interval() -> Option<Duration> {
    let usec: u64 = std::env::var("WATCHDOG_USEC").ok()?.parse().ok()?;
    if let Ok(pid) = std::env::var("WATCHDOG_PID") {
        if pid.parse::<u32>().ok() != Some(std::process::id()) {
            return None;
        }
    }
    (usec > 0).then(|| Duration::from_micros(usec / 2))
}

fn notify(states: &[NotifyState<'_>]) {
    if std::env::var_os("NOTIFY_SOCKET").is_none() {
        return;
    }
    if let Err(e) = sd_notify::notify(false, states) {
        tracing::warn!(error = %e, "could not notify systemd");
    }
}
