//! The cron schedule is evaluated in the digest's time zone: with an
//! injected clock, the default "daily 08:00 Asia/Almaty" (UTC+5) fires at
//! 03:00 UTC, and a schedule just after local midnight falls on the previous
//! UTC day.

use branchwatch::digest::{next_run, render, DigestSpec, Templates};
use chrono::{DateTime, TimeZone, Utc};

fn utc(d: u32, h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, h, m, s).unwrap()
}

#[test]
fn default_schedule_is_eight_in_almaty() {
    let spec = DigestSpec::new("daily", &["a@example.kz"]);
    assert_eq!(spec.schedule, "0 0 8 * * *");
    assert_eq!(spec.timezone, "Asia/Almaty");
    // 07:59:59 local → 08:00 local the same day.
    assert_eq!(
        next_run(&spec, utc(26, 2, 59, 59)).unwrap(),
        Some(utc(26, 3, 0, 0))
    );
    // Exactly 08:00 local → the next day's run, not the same instant again.
    assert_eq!(
        next_run(&spec, utc(26, 3, 0, 0)).unwrap(),
        Some(utc(27, 3, 0, 0))
    );
    // 23:30 UTC is already 04:30 tomorrow in Almaty: the next run is that
    // local morning, only 3.5 hours later.
    assert_eq!(
        next_run(&spec, utc(26, 23, 30, 0)).unwrap(),
        Some(utc(27, 3, 0, 0))
    );
    // A daemon loop stepping from run to run sees exactly 24 h spacing.
    let mut at = utc(26, 12, 0, 0);
    let mut runs = Vec::new();
    for _ in 0..3 {
        at = next_run(&spec, at).unwrap().unwrap();
        runs.push(at);
    }
    assert_eq!(
        runs,
        vec![utc(27, 3, 0, 0), utc(28, 3, 0, 0), utc(29, 3, 0, 0)]
    );
}

#[test]
fn local_midnight_schedule_crosses_the_utc_day_boundary() {
    let mut spec = DigestSpec::new("night", &["a@example.kz"]);
    spec.schedule = "0 30 0 * * *".into(); // 00:30 Almaty
                                           // 19:00 UTC on the 26th is 00:00 on the 27th in Almaty.
    let next = next_run(&spec, utc(26, 19, 0, 0)).unwrap().unwrap();
    assert_eq!(next, utc(26, 19, 30, 0));
    let local = next.with_timezone(&chrono_tz::Asia::Almaty);
    assert_eq!(
        local.format("%Y-%m-%d %H:%M").to_string(),
        "2026-11-27 00:30"
    );
    // The same expression in UTC would fire five hours later.
    spec.timezone = "UTC".into();
    assert_eq!(
        next_run(&spec, utc(26, 19, 0, 0)).unwrap(),
        Some(utc(27, 0, 30, 0))
    );

    // Dates in the message follow the local calendar too.
    spec.timezone = "Asia/Almaty".into();
    let r = render(
        &[],
        &spec,
        (utc(25, 19, 30, 0), next),
        &Templates::embedded(),
    )
    .unwrap();
    assert!(
        r.subject.ends_with("2026-11-26 – 2026-11-27"),
        "{}",
        r.subject
    );
    assert!(
        r.text
            .contains("2026-11-26 00:30 – 2026-11-27 00:30 (Asia/Almaty)"),
        "{}",
        r.text
    );
}

#[test]
fn weekday_schedule_and_bad_input() {
    let mut spec = DigestSpec::new("weekly", &["a@example.kz"]);
    spec.schedule = "0 0 9 * * Mon".into();
    // Thursday 26 Nov → Monday 30 Nov 09:00 Almaty = 04:00 UTC.
    assert_eq!(
        next_run(&spec, utc(26, 12, 0, 0)).unwrap(),
        Some(utc(30, 4, 0, 0))
    );
    spec.schedule = "0 0 25 * * *".into();
    assert!(next_run(&spec, utc(26, 12, 0, 0)).is_err());
    spec.schedule = "0 0 8 * * *".into();
    spec.timezone = "Asia/Almaty_City".into();
    let err = next_run(&spec, utc(26, 12, 0, 0)).unwrap_err().to_string();
    assert!(err.contains("Asia/Almaty_City"), "{err}");
}
