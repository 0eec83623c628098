use super::*;
use chrono::TimeZone;
use rand::rngs::StdRng;
use rand::SeedableRng;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

fn no_jitter() -> SchedulePolicy {
    SchedulePolicy {
        jitter_fraction: 0.0,
        ..SchedulePolicy::default()
    }
}

fn mins(m: u64) -> Duration {
    Duration::from_secs(m * 60)
}

fn delay_after_error(p: &SchedulePolicy, n: u32, ra: Option<Duration>) -> Duration {
    let mut rng = StdRng::seed_from_u64(7);
    (next_check_after_error(t0(), p, n, ra, &mut rng) - t0())
        .to_std()
        .unwrap()
}

#[test]
fn backoff_doubles_then_stops_at_the_cap() {
    let p = no_jitter();
    let delays: Vec<Duration> = (1..=10).map(|n| delay_after_error(&p, n, None)).collect();
    assert_eq!(delays[0], mins(5));
    assert_eq!(delays[1], mins(10));
    assert_eq!(delays[2], mins(20));
    assert_eq!(delays[3], mins(40));
    for w in delays.windows(2) {
        assert!(w[1] >= w[0], "backoff must not shrink: {delays:?}");
    }
    assert_eq!(delays[9], Duration::from_secs(6 * 3600), "capped at 6 h");
    // Never gives up and never overflows, however long the failure lasts.
    assert_eq!(delay_after_error(&p, u32::MAX, None), p.backoff_cap);
    // Zero is treated as the first error rather than as "no delay".
    assert_eq!(delay_after_error(&p, 0, None), mins(5));
}

#[test]
fn retry_after_is_a_floor_on_the_backoff() {
    let p = no_jitter();
    // Server asks for more than the backoff would give: honoured.
    assert_eq!(delay_after_error(&p, 1, Some(mins(90))), mins(90));
    // Server asks for less: the backoff still applies.
    assert_eq!(delay_after_error(&p, 3, Some(mins(1))), mins(20));
    // Absurd values are bounded.
    assert_eq!(
        delay_after_error(&p, 1, Some(Duration::from_secs(30 * 86400))),
        Duration::from_secs(86400)
    );
}

#[test]
fn jitter_stays_within_its_fraction_and_actually_varies() {
    let p = SchedulePolicy {
        jitter_fraction: 0.2,
        ..SchedulePolicy::default()
    };
    let mut seen = std::collections::BTreeSet::new();
    for seed in 0..200 {
        let mut rng = StdRng::seed_from_u64(seed);
        let d = (next_check_after_success(t0(), &p, &[], None, None, &mut rng) - t0())
            .to_std()
            .unwrap();
        assert!(d >= p.default_interval, "{d:?}");
        assert!(
            d <= p.default_interval.mul_f64(1.2) + Duration::from_secs(1),
            "{d:?}"
        );
        seen.insert(d.as_secs());
        let mut rng = StdRng::seed_from_u64(seed);
        let e = error_delay(&p, 2, None, &mut rng);
        assert!(
            e >= mins(10) && e <= mins(12) + Duration::from_secs(1),
            "{e:?}"
        );
        // Jitter never pushes past the cap.
        let mut rng = StdRng::seed_from_u64(seed);
        assert!(error_delay(&p, 30, None, &mut rng) <= p.backoff_cap);
    }
    assert!(
        seen.len() > 50,
        "jitter should spread feeds apart: {}",
        seen.len()
    );
}

#[test]
fn interval_adapts_to_publishing_rate_within_bounds() {
    let p = no_jitter();
    let every = |gap: chrono::Duration, n: i64| -> Vec<DateTime<Utc>> {
        (0..n).map(|i| t0() - gap * (i as i32)).collect()
    };
    let iv = |times: &[DateTime<Utc>]| success_interval(t0(), &p, times, None, None);

    // An item every hour: poll every 30 min.
    assert_eq!(iv(&every(chrono::Duration::hours(1), 10)), mins(30));
    // An item every 2 hours: poll every hour (slower feed, slower polling).
    assert_eq!(iv(&every(chrono::Duration::hours(2), 10)), mins(60));
    // An item a minute: clamped to the 5-minute minimum.
    assert_eq!(iv(&every(chrono::Duration::minutes(1), 10)), p.min_interval);
    // A weekly feed: clamped to the 6-hour maximum.
    assert_eq!(iv(&every(chrono::Duration::days(7), 5)), p.max_interval);
    // Too little history: default.
    assert_eq!(iv(&[t0()]), p.default_interval);
    assert_eq!(iv(&[]), p.default_interval);
    // An hourly feed silent for 4 hours is polled less often (2 h).
    let quiet: Vec<_> = every(chrono::Duration::hours(1), 10)
        .into_iter()
        .map(|t| t - chrono::Duration::hours(4))
        .collect();
    assert_eq!(iv(&quiet), mins(120));
    // Dates in the future are ignored rather than making the gap negative.
    let mut with_future = every(chrono::Duration::hours(1), 10);
    with_future.push(t0() + chrono::Duration::days(3));
    assert_eq!(iv(&with_future), mins(30));
    // Order does not matter.
    let mut shuffled = every(chrono::Duration::hours(1), 10);
    shuffled.reverse();
    assert_eq!(iv(&shuffled), mins(30));
}

#[test]
fn max_age_and_ttl_are_floors_capped_at_the_maximum() {
    let p = no_jitter();
    let hourly: Vec<_> = (0..10).map(|i| t0() - chrono::Duration::hours(i)).collect();
    let iv = |ma, ttl| success_interval(t0(), &p, &hourly, ma, ttl);
    assert_eq!(iv(None, None), mins(30));
    assert_eq!(iv(Some(mins(45)), None), mins(45));
    assert_eq!(iv(None, Some(mins(90))), mins(90));
    assert_eq!(iv(Some(mins(45)), Some(mins(90))), mins(90));
    // A floor lower than the adaptive interval changes nothing.
    assert_eq!(iv(Some(mins(1)), None), mins(30));
    // A year-long max-age is bounded by max_interval.
    assert_eq!(
        iv(Some(Duration::from_secs(365 * 86400)), None),
        p.max_interval
    );
    // Through the public, jittered entry point the floor holds too.
    let mut rng = StdRng::seed_from_u64(1);
    let next = next_check_after_success(
        t0(),
        &SchedulePolicy::default(),
        &hourly,
        Some(mins(45)),
        None,
        &mut rng,
    );
    assert!(next - t0() >= chrono::Duration::minutes(45));
}

#[test]
fn failing_flag_and_fixed_interval() {
    let p = SchedulePolicy::default();
    assert!(!is_failing(&p, 0));
    assert!(!is_failing(&p, 4));
    assert!(is_failing(&p, 5));
    assert!(is_failing(&p, 500));

    let fixed = no_jitter().with_fixed_interval(Some(600));
    let hourly: Vec<_> = (0..10).map(|i| t0() - chrono::Duration::hours(i)).collect();
    assert_eq!(
        success_interval(t0(), &fixed, &hourly, None, None),
        mins(10)
    );
    assert_eq!(no_jitter().with_fixed_interval(None), no_jitter());
}
