//! Memory and CPU of a process, read from `/proc` (Linux only; elsewhere
//! every reading is `None` and the reports say so).

use std::time::Duration;

/// One field of `/proc/<pid>/status` in kB (`VmRSS`, `VmHWM`, ...).
pub fn status_kb(pid: u32, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines().find_map(|l| {
        let rest = l.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().trim_end_matches("kB").trim().parse().ok()
    })
}

/// Peak resident set (`VmHWM`) of this process, in kB.
pub fn own_peak_rss_kb() -> Option<u64> {
    status_kb(std::process::id(), "VmHWM")
}

/// Current resident set (`VmRSS`) of this process, in kB.
pub fn own_rss_kb() -> Option<u64> {
    status_kb(std::process::id(), "VmRSS")
}

/// User plus system CPU time of a process so far (`utime + stime` of
/// `/proc/<pid>/stat`, converted from clock ticks at the usual 100 Hz).
pub fn cpu_time(pid: u32) -> Option<Duration> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may contain spaces and parentheses; the
    // fields after its closing parenthesis are plain numbers.
    let after = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    // After ")" the list starts at field 3 (state); utime is field 14.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}

/// What a process did while it was sampled.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IdleSample {
    pub seconds: f64,
    pub rss_kb_min: u64,
    pub rss_kb_max: u64,
    /// CPU time used during the window, in percent of one core.
    pub cpu_percent: f64,
    pub samples: usize,
}

/// Samples `VmRSS` every 500 ms for `window` and the CPU time used across
/// it. `None` when the process vanished or `/proc` is unreadable.
pub fn sample_idle(pid: u32, window: Duration) -> Option<IdleSample> {
    let start = std::time::Instant::now();
    let cpu0 = cpu_time(pid)?;
    let mut min = u64::MAX;
    let mut max = 0;
    let mut samples = 0;
    while start.elapsed() < window {
        let rss = status_kb(pid, "VmRSS")?;
        min = min.min(rss);
        max = max.max(rss);
        samples += 1;
        std::thread::sleep(Duration::from_millis(500));
    }
    let cpu1 = cpu_time(pid)?;
    let seconds = start.elapsed().as_secs_f64();
    Some(IdleSample {
        seconds,
        rss_kb_min: min,
        rss_kb_max: max,
        cpu_percent: 100.0 * (cpu1.saturating_sub(cpu0)).as_secs_f64() / seconds,
        samples,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_own_process() {
        if !std::path::Path::new("/proc/self/status").exists() {
            eprintln!("no /proc; skipped");
            return;
        }
        let rss = own_rss_kb().unwrap();
        let peak = own_peak_rss_kb().unwrap();
        assert!(rss > 0 && peak >= rss, "rss {rss} peak {peak}");
        // Burn a little CPU so the reading cannot stay at zero.
        let t0 = cpu_time(std::process::id()).unwrap();
        let mut x = 0u64;
        let until = std::time::Instant::now() + Duration::from_millis(60);
        while std::time::Instant::now() < until {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
        }
        assert_ne!(x, 1);
        assert!(cpu_time(std::process::id()).unwrap() > t0);
    }
}
