//! The shipped unit file, systemd/branchwatch.service: `systemd-analyze
//! verify` accepts it, `systemd-analyze security` rates its exposure at 2.0
//! or below, and its timeouts agree with the daemon's.
//!
//! The two that run `systemd-analyze` need it (Debian package `systemd`),
//! but not systemd as PID 1. A developer's laptop may lack it, so they are
//! `#[ignore]`d with that reason; `.ci/run` installs the package and runs
//! them with `--include-ignored`, and there a missing tool fails the test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const UNIT: &str = include_str!("../systemd/branchwatch.service");
const INSTALLED_BIN: &str = "/usr/local/bin/branchwatch";
const MAX_EXPOSURE: f64 = 2.0;

const NEEDS_ANALYZE: &str = "needs systemd-analyze (Debian package systemd)";

/// Runs `systemd-analyze ARGS`; a missing tool fails the test, naming the package.
fn analyze(args: &[&str]) -> Output {
    Command::new("systemd-analyze")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("systemd-analyze cannot run ({e}): {NEEDS_ANALYZE}"))
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
fn verify_problems(unit: &Path) -> (bool, Vec<String>) {
    let out = analyze(&["verify", "--man=no", &unit.display().to_string()]);
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
    (out.status.success(), ours)
}

#[test]
#[ignore = "needs systemd-analyze (Debian package systemd)"]
fn unit_passes_systemd_analyze_verify() {
    let dir = tempfile::tempdir().unwrap();
    let unit = unit_for_test(dir.path(), UNIT);
    let (ok, problems) = verify_problems(&unit);
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
    let (_, problems) = verify_problems(&broken_unit);
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
#[ignore = "needs systemd-analyze (Debian package systemd)"]
fn unit_security_exposure_is_at_most_2() {
    let dir = tempfile::tempdir().unwrap();
    let unit = unit_for_test(dir.path(), UNIT);
    let unit_arg = unit.display().to_string();
    let out = analyze(&["security", "--offline=true", "--no-pager", &unit_arg]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() || !stderr.contains("offline"),
        "this systemd-analyze has no `security --offline` (systemd >= 250 is needed): {stderr}"
    );
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
