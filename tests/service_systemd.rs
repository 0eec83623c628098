//! The shipped unit file, systemd/branchwatch.service: `systemd-analyze
//! verify` accepts it, `systemd-analyze security` rates its exposure at 2.0
//! or below, and its timeouts agree with the daemon's.
//!
//! These need `systemd-analyze` (Debian package `systemd`, which .ci/run
//! installs) but not systemd as PID 1. Without the tool a test says
//! "SKIPPED: ..." on stderr and returns.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const UNIT: &str = include_str!("../systemd/branchwatch.service");
const INSTALLED_BIN: &str = "/usr/local/bin/branchwatch";
const MAX_EXPOSURE: f64 = 2.0;

/// Runs `systemd-analyze ARGS`, or `None` (after saying why) when it is missing.
fn analyze(args: &[&str]) -> Option<Output> {
    match Command::new("systemd-analyze").args(args).output() {
        Ok(out) => Some(out),
        Err(e) => {
            eprintln!(
                "SKIPPED: systemd-analyze cannot run ({e}); install the Debian package `systemd`"
            );
            None
        }
    }
}

/// The unit with ExecStart= pointing at the binary under test (verify wants
/// an executable there), written as `branchwatch.service` into `dir`.
fn unit_for_test(dir: &Path, text: &str) -> PathBuf {
    assert!(
        text.contains(INSTALLED_BIN),
        "the unit runs {INSTALLED_BIN}"
    );
    let path = dir.join("branchwatch.service");
    std::fs::write(
        &path,
        text.replace(INSTALLED_BIN, env!("CARGO_BIN_EXE_branchwatch")),
    )
    .unwrap();
    path
}

/// verify's complaints about our unit. It exits 0 on unknown keys and bad
/// values (it only logs them), so its output is what tells.
fn verify_problems(unit: &Path) -> Option<(bool, Vec<String>)> {
    let out = analyze(&["verify", "--man=no", &unit.display().to_string()])?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let ours: Vec<String> = text
        .lines()
        .filter(|l| l.contains("branchwatch"))
        .map(str::to_string)
        .collect();
    for other in text.lines().filter(|l| !l.contains("branchwatch")) {
        eprintln!("systemd-analyze verify (not about this unit): {other}");
    }
    Some((out.status.success(), ours))
}

#[test]
fn unit_passes_systemd_analyze_verify() {
    let dir = tempfile::tempdir().unwrap();
    let unit = unit_for_test(dir.path(), UNIT);
    let Some((ok, problems)) = verify_problems(&unit) else {
        return;
    };
    assert!(
        ok && problems.is_empty(),
        "systemd-analyze verify: ok={ok} {problems:#?}"
    );

    // The check itself must be able to fail: a misspelt key and a bad value
    // in a copy are reported.
    let broken = UNIT.replace(
        "ProtectSystem=strict",
        "ProtectSystem=strickt\nProtectKernelTunable=yes",
    );
    let broken_unit = unit_for_test(dir.path(), &broken);
    let (_, problems) = verify_problems(&broken_unit).unwrap();
    assert!(
        problems.iter().any(|p| p.contains("strickt"))
            && problems.iter().any(|p| p.contains("ProtectKernelTunable")),
        "verify did not flag a broken copy: {problems:#?}"
    );
}

/// `→ Overall exposure level for branchwatch.service: 1.2 OK 🙂`
fn exposure(output: &str) -> Option<f64> {
    let line = output
        .lines()
        .find(|l| l.contains("Overall exposure level"))?;
    line.rsplit_once(':')?
        .1
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[test]
fn unit_security_exposure_is_at_most_2() {
    let dir = tempfile::tempdir().unwrap();
    let unit = unit_for_test(dir.path(), UNIT);
    let unit_arg = unit.display().to_string();
    let Some(out) = analyze(&["security", "--offline=true", "--no-pager", &unit_arg]) else {
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() && stderr.contains("offline") {
        eprintln!(
            "SKIPPED: this systemd-analyze has no `security --offline` (systemd < 250): {stderr}"
        );
        return;
    }
    let figure =
        exposure(&stdout).unwrap_or_else(|| panic!("no exposure figure in:\n{stdout}\n{stderr}"));
    eprintln!("systemd-analyze security exposure: {figure}");
    assert!(
        figure <= MAX_EXPOSURE,
        "exposure {figure} > {MAX_EXPOSURE}:\n{stdout}"
    );
}

#[test]
fn exposure_parser_reads_the_summary_line() {
    let sample = "✗ PrivateNetwork= Service has access to the host's network 0.5\n\
                  → Overall exposure level for branchwatch.service: 1.2 OK 🙂\n";
    assert_eq!(exposure(sample), Some(1.2));
    assert_eq!(exposure("no summary here"), None);
}

/// The value of `Key=` in the unit (the last one wins, as in systemd).
fn setting(key: &str) -> Option<&'static str> {
    UNIT.lines()
        .rev()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
        .map(str::trim)
}

fn seconds(value: &str) -> u64 {
    if let Some(m) = value.strip_suffix("min") {
        m.parse::<u64>().unwrap() * 60
    } else {
        value.trim_end_matches('s').parse().unwrap()
    }
}

#[test]
fn unit_matches_the_daemon() {
    assert_eq!(setting("Type"), Some("notify"));
    assert_eq!(
        setting("ExecStart"),
        Some("/usr/local/bin/branchwatch run --config /etc/branchwatch/branchwatch.toml")
    );
    assert_eq!(setting("ExecReload"), Some("/bin/kill -HUP $MAINPID"));
    assert_eq!(setting("Restart"), Some("on-failure"));
    // systemd must not kill the daemon while it lets a cycle finish.
    let stop = seconds(setting("TimeoutStopSec").unwrap());
    assert!(
        stop > branchwatch::daemon::SHUTDOWN_GRACE.as_secs(),
        "TimeoutStopSec={stop}s"
    );
    assert!(seconds(setting("WatchdogSec").unwrap()) >= 60);
    assert_eq!(setting("DynamicUser"), Some("yes"));
    assert_eq!(setting("StateDirectory"), Some("branchwatch"));
    assert_eq!(setting("ConfigurationDirectory"), Some("branchwatch"));
    assert_eq!(
        setting("LoadCredential"),
        Some("smtp-password:/etc/branchwatch/smtp-password")
    );
    // Feeds are on the internet: an "IPAddressDeny=any" would silently stop all polling.
    assert!(!setting("IPAddressDeny").unwrap_or("").contains("any"));
}
