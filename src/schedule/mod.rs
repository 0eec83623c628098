//! When each feed is next due.
//!
//! Pure functions: the clock (`now`) and the random source are arguments, so
//! the daemon passes the real ones and tests pass fixed ones. The store keeps
//! the outputs (`next_check_at`, error counts); nothing here does I/O.
//!
//! Policy in one paragraph: after a successful poll the interval follows the
//! feed's own publishing rate (half the mean gap between its recent items, so
//! a new item waits on average a quarter of a gap), clamped to
//! `[min_interval, max_interval]`. A server's `Cache-Control: max-age` and the
//! RSS `<ttl>` are floors — we never poll sooner than the publisher asked —
//! but a floor is itself capped at `max_interval`, so a misconfigured
//! `max-age` of a year does not silence a feed. After an error the delay grows
//! exponentially from `backoff_base` up to `backoff_cap`; a `Retry-After` is a
//! floor on that delay. Polling never stops: a feed that keeps failing is
//! flagged (`is_failing`) for the operator, but is still retried at the cap.
//! Jitter is only ever added (never subtracted), so floors and minimums hold
//! while feeds that were added together drift apart.

use chrono::{DateTime, Utc};
use rand::Rng;
use std::time::Duration;

/// Tunables for [`next_check_after_success`] and [`next_check_after_error`].
#[derive(Debug, Clone, PartialEq)]
pub struct SchedulePolicy {
    /// Used when a feed has too few dated items to estimate its rate.
    pub default_interval: Duration,
    pub min_interval: Duration,
    pub max_interval: Duration,
    /// Delay after the first consecutive error; doubled for each further one.
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// Consecutive errors after which the feed is reported as failing.
    pub failing_after: u32,
    /// Up to this fraction of the delay is added at random (0.1 = up to +10 %).
    pub jitter_fraction: f64,
}

impl Default for SchedulePolicy {
    fn default() -> Self {
        SchedulePolicy {
            default_interval: Duration::from_secs(30 * 60),
            min_interval: Duration::from_secs(5 * 60),
            max_interval: Duration::from_secs(6 * 3600),
            backoff_base: Duration::from_secs(5 * 60),
            backoff_cap: Duration::from_secs(6 * 3600),
            failing_after: 5,
            jitter_fraction: 0.1,
        }
    }
}

impl SchedulePolicy {
    /// The policy for a feed with a configured `poll_interval_secs`: the
    /// operator's interval replaces the adaptive one and the publisher's
    /// floors (the operator chose the rate knowingly). Backoff on errors and
    /// jitter still apply.
    pub fn with_fixed_interval(&self, secs: Option<u64>) -> SchedulePolicy {
        match secs {
            Some(s) if s > 0 => {
                let d = Duration::from_secs(s);
                SchedulePolicy {
                    default_interval: d,
                    min_interval: d,
                    max_interval: d,
                    ..self.clone()
                }
            }
            _ => self.clone(),
        }
    }
}

/// Retry-After values beyond this are treated as this: a server asking for a
/// week of silence is more likely misconfigured than serious.
const RETRY_AFTER_CEILING: Duration = Duration::from_secs(24 * 3600);

/// How many of the newest item dates are used to estimate the publishing rate.
const RATE_WINDOW: usize = 20;

/// The next poll time after a successful fetch (including 304 Not Modified).
///
/// `recent_item_times` are publication dates of the feed's items in any
/// order; dates in the future (bad clocks) are ignored. `max_age` comes from
/// `Cache-Control`, `ttl` from the RSS `<ttl>` element.
pub fn next_check_after_success<R: Rng + ?Sized>(
    now: DateTime<Utc>,
    policy: &SchedulePolicy,
    recent_item_times: &[DateTime<Utc>],
    max_age: Option<Duration>,
    ttl: Option<Duration>,
    rng: &mut R,
) -> DateTime<Utc> {
    let interval = success_interval(now, policy, recent_item_times, max_age, ttl);
    now + to_chrono(add_jitter(interval, policy.jitter_fraction, rng))
}

/// The un-jittered interval [`next_check_after_success`] starts from; exposed
/// so callers (and the status page) can show the feed's estimated cadence.
pub fn success_interval(
    now: DateTime<Utc>,
    policy: &SchedulePolicy,
    recent_item_times: &[DateTime<Utc>],
    max_age: Option<Duration>,
    ttl: Option<Duration>,
) -> Duration {
    let (lo, hi) = bounds(policy);
    let adaptive = estimate_gap(now, recent_item_times)
        .map(|gap| gap / 2)
        .unwrap_or(policy.default_interval);
    let mut interval = adaptive.clamp(lo, hi);
    for floor in [max_age, ttl].into_iter().flatten() {
        interval = interval.max(floor.min(hi));
    }
    interval
}

/// The next poll time after a failed fetch.
///
/// `consecutive_errors` counts this failure (1 after the first error).
pub fn next_check_after_error<R: Rng + ?Sized>(
    now: DateTime<Utc>,
    policy: &SchedulePolicy,
    consecutive_errors: u32,
    retry_after: Option<Duration>,
    rng: &mut R,
) -> DateTime<Utc> {
    now + to_chrono(error_delay(policy, consecutive_errors, retry_after, rng))
}

/// The delay [`next_check_after_error`] adds to `now`.
pub fn error_delay<R: Rng + ?Sized>(
    policy: &SchedulePolicy,
    consecutive_errors: u32,
    retry_after: Option<Duration>,
    rng: &mut R,
) -> Duration {
    let exp = consecutive_errors.max(1) - 1;
    // 2^exp saturates long before u32 overflow matters: the cap wins anyway.
    let factor = 1u64.checked_shl(exp.min(40)).unwrap_or(u64::MAX);
    let base = policy.backoff_base.max(Duration::from_secs(1));
    let raw = base
        .checked_mul(u32::try_from(factor).unwrap_or(u32::MAX))
        .unwrap_or(Duration::MAX);
    // Jitter before the cap, so the cap is a hard bound.
    let backoff = add_jitter(raw.min(policy.backoff_cap), policy.jitter_fraction, rng)
        .min(policy.backoff_cap);
    match retry_after {
        Some(ra) => backoff.max(ra.min(RETRY_AFTER_CEILING)),
        None => backoff,
    }
}

/// Whether a feed has failed often enough in a row to be shown as failing.
pub fn is_failing(policy: &SchedulePolicy, consecutive_errors: u32) -> bool {
    consecutive_errors >= policy.failing_after.max(1)
}

fn bounds(policy: &SchedulePolicy) -> (Duration, Duration) {
    let lo = policy.min_interval;
    (lo, policy.max_interval.max(lo))
}

/// Mean gap between the newest dated items, stretched when the feed has
/// gone quiet: if the newest item is older than the mean gap, the silence
/// itself is the better estimate of when the next item will come.
fn estimate_gap(now: DateTime<Utc>, times: &[DateTime<Utc>]) -> Option<Duration> {
    let mut past: Vec<DateTime<Utc>> = times
        .iter()
        .copied()
        .filter(|t| *t <= now + chrono::Duration::minutes(5))
        .collect();
    if past.len() < 2 {
        return None;
    }
    past.sort_unstable_by(|a, b| b.cmp(a));
    past.dedup();
    past.truncate(RATE_WINDOW);
    if past.len() < 2 {
        return None;
    }
    let newest = past[0];
    let oldest = past[past.len() - 1];
    let span = (newest - oldest).to_std().ok()?;
    let mean = span / (past.len() as u32 - 1);
    let silence = (now - newest).to_std().unwrap_or(Duration::ZERO);
    Some(mean.max(silence))
}

fn add_jitter<R: Rng + ?Sized>(d: Duration, fraction: f64, rng: &mut R) -> Duration {
    let f = if fraction.is_finite() {
        fraction.clamp(0.0, 1.0)
    } else {
        0.0
    };
    if f == 0.0 {
        return d;
    }
    let u: f64 = rng.gen_range(0.0..=f);
    d + d.mul_f64(u)
}

fn to_chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::days(365))
}

#[cfg(test)]
mod tests;
