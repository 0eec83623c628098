//! Process-wide counters for `/metrics` (Prometheus text format 0.0.4).
//!
//! The pipeline increments these as it works; they are plain atomics so
//! incrementing costs nothing noticeable and needs no lock, except the
//! per-kind error map and the histogram, which change rarely.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds (seconds) of the poll-duration histogram buckets.
pub const POLL_BUCKETS: &[f64] = &[0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0];

#[derive(Debug, Default)]
struct Histogram {
    /// Cumulative counts per bucket of [`POLL_BUCKETS`].
    buckets: Vec<u64>,
    sum: f64,
    count: u64,
}

/// Counters the pipeline updates.
#[derive(Debug, Default)]
pub struct Metrics {
    pub feeds_polled: AtomicU64,
    pub items_new: AtomicU64,
    pub articles_fetched: AtomicU64,
    pub changes_detected: AtomicU64,
    pub digests_sent: AtomicU64,
    pub digests_failed: AtomicU64,
    /// Pages a backfill job fetched and stored.
    pub backfill_pages: AtomicU64,
    /// Changes backfill jobs created.
    pub backfill_changes: AtomicU64,
    fetch_errors: Mutex<BTreeMap<String, u64>>,
    poll_duration: Mutex<Histogram>,
}

impl Metrics {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `n` to one of the plain counters.
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts one fetch error of the given kind (`timeout`, `http_404`, ...).
    pub fn inc_fetch_error(&self, kind: &str) {
        // A poisoned lock only means another thread panicked mid-increment;
        // the map is still usable.
        let mut m = self.fetch_errors.lock().unwrap_or_else(|e| e.into_inner());
        *m.entry(kind.to_string()).or_insert(0) += 1;
    }

    /// Records how long one feed poll took.
    pub fn observe_poll(&self, d: Duration) {
        let secs = d.as_secs_f64();
        let mut h = self.poll_duration.lock().unwrap_or_else(|e| e.into_inner());
        if h.buckets.len() != POLL_BUCKETS.len() {
            h.buckets = vec![0; POLL_BUCKETS.len()];
        }
        for (i, le) in POLL_BUCKETS.iter().enumerate() {
            if secs <= *le {
                h.buckets[i] += 1;
            }
        }
        h.sum += secs;
        h.count += 1;
    }

    /// Fetch errors by kind so far.
    pub fn fetch_errors(&self) -> BTreeMap<String, u64> {
        self.fetch_errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The Prometheus text exposition of every metric.
    pub fn render_prometheus(&self) -> String {
        let mut out = String::new();
        let counters: [(&str, &str, &AtomicU64); 8] = [
            (
                "branchwatch_feeds_polled_total",
                "Feed fetch attempts.",
                &self.feeds_polled,
            ),
            (
                "branchwatch_items_new_total",
                "Feed items seen for the first time.",
                &self.items_new,
            ),
            (
                "branchwatch_articles_fetched_total",
                "Article pages fetched and extracted.",
                &self.articles_fetched,
            ),
            (
                "branchwatch_changes_detected_total",
                "Leadership changes detected in articles.",
                &self.changes_detected,
            ),
            (
                "branchwatch_digests_sent_total",
                "Digest emails delivered.",
                &self.digests_sent,
            ),
            (
                "branchwatch_digests_failed_total",
                "Digest delivery attempts that failed.",
                &self.digests_failed,
            ),
            (
                "branchwatch_backfill_pages_total",
                "Archive pages backfill jobs fetched and stored.",
                &self.backfill_pages,
            ),
            (
                "branchwatch_backfill_changes_total",
                "Changes backfill jobs added to the log (history, not mailed).",
                &self.backfill_changes,
            ),
        ];
        for (name, help, v) in counters {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} counter");
            let _ = writeln!(out, "{name} {}", v.load(Ordering::Relaxed));
        }
        let _ = writeln!(
            out,
            "# HELP branchwatch_fetch_errors_total Failed feed fetches by kind."
        );
        let _ = writeln!(out, "# TYPE branchwatch_fetch_errors_total counter");
        for (kind, n) in self.fetch_errors() {
            let _ = writeln!(
                out,
                "branchwatch_fetch_errors_total{{kind=\"{}\"}} {n}",
                escape_label(&kind)
            );
        }
        let h = self.poll_duration.lock().unwrap_or_else(|e| e.into_inner());
        let name = "branchwatch_poll_duration_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} Time to poll one feed, including its articles."
        );
        let _ = writeln!(out, "# TYPE {name} histogram");
        for (i, le) in POLL_BUCKETS.iter().enumerate() {
            let n = h.buckets.get(i).copied().unwrap_or(0);
            let _ = writeln!(out, "{name}_bucket{{le=\"{le}\"}} {n}");
        }
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {}", h.count);
        let _ = writeln!(out, "{name}_sum {}", h.sum);
        let _ = writeln!(out, "{name}_count {}", h.count);
        out
    }
}

/// Escapes a label value per the text format (backslash, quote, newline).
fn escape_label(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_histogram_render() {
        let m = Metrics::new();
        Metrics::add(&m.feeds_polled, 3);
        m.inc_fetch_error("timeout");
        m.inc_fetch_error("timeout");
        m.inc_fetch_error("http \"5xx\"");
        m.observe_poll(Duration::from_millis(300));
        m.observe_poll(Duration::from_secs(200));
        let t = m.render_prometheus();
        assert!(t.contains("branchwatch_feeds_polled_total 3\n"), "{t}");
        assert!(
            t.contains("branchwatch_fetch_errors_total{kind=\"timeout\"} 2\n"),
            "{t}"
        );
        assert!(t.contains("kind=\"http \\\"5xx\\\"\"} 1"), "{t}");
        assert!(
            t.contains("branchwatch_poll_duration_seconds_bucket{le=\"0.25\"} 0\n"),
            "{t}"
        );
        assert!(
            t.contains("branchwatch_poll_duration_seconds_bucket{le=\"0.5\"} 1\n"),
            "{t}"
        );
        assert!(
            t.contains("branchwatch_poll_duration_seconds_bucket{le=\"+Inf\"} 2\n"),
            "{t}"
        );
        assert!(
            t.contains("branchwatch_poll_duration_seconds_count 2\n"),
            "{t}"
        );
    }
}
