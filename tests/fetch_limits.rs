//! The body limit applies to decompressed bytes: a gzip bomb is abandoned at
//! the limit with bounded memory. In its own test binary so the process's
//! peak resident memory (VmHWM) reflects this test alone.

mod fetch_support;

use branchwatch::fetch::{FetchError, FetchOptions, Fetcher};
use branchwatch::model::Validators;
use fetch_support::{serve, test_options, Reply};
use std::io::Write;
use std::time::{Duration, Instant};

/// Peak resident set size of this process, in KiB (Linux only).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

#[tokio::test]
async fn gzip_bomb_is_cut_off_at_the_limit_with_bounded_memory() {
    const INFLATED: usize = 128 << 20; // 128 MiB of zeros once inflated
    const LIMIT: usize = 1 << 20;
    // Built chunk by chunk so the plain text never exists in memory here either.
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..INFLATED / zeros.len() {
        enc.write_all(&zeros).unwrap();
    }
    let bomb = enc.finish().unwrap();
    assert!(bomb.len() < INFLATED / 500, "bomb is {} bytes", bomb.len());
    let compressed_len = bomb.len();

    let srv = serve(move |_| {
        Reply::ok(bomb.clone())
            .header("Content-Encoding", "gzip")
            .header("Content-Type", "application/rss+xml")
    })
    .await;
    let f = Fetcher::new(FetchOptions {
        max_body_bytes: LIMIT,
        ..test_options()
    })
    .unwrap();

    let before = peak_rss_kib();
    let started = Instant::now();
    let e = f
        .fetch_feed(&srv.url("/bomb"), &Validators::default())
        .await
        .unwrap_err();
    let took = started.elapsed();
    let after = peak_rss_kib();

    assert!(matches!(e, FetchError::TooLarge { limit: LIMIT }), "{e:?}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    if let (Some(b), Some(a)) = (before, after) {
        let grew_kib = a.saturating_sub(b);
        eprintln!(
            "gzip bomb: {compressed_len} bytes compressed, {INFLATED} inflated, limit {LIMIT}; \
             peak RSS grew {grew_kib} KiB; rejected in {took:?}"
        );
        assert!(grew_kib < 32 * 1024, "peak RSS grew by {grew_kib} KiB");
    } else {
        eprintln!("no /proc/self/status: memory bound not measured");
    }
}

#[tokio::test]
async fn a_small_gzip_body_under_the_limit_passes() {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&vec![b'a'; 500_000]).unwrap();
    let gz = enc.finish().unwrap();
    let srv = serve(move |_| Reply::ok(gz.clone()).header("Content-Encoding", "gzip")).await;
    let f = Fetcher::new(FetchOptions {
        max_body_bytes: 1 << 20,
        respect_robots: false,
        ..test_options()
    })
    .unwrap();
    let page = f.fetch_page(&srv.url("/ok")).await.unwrap();
    assert_eq!(page.text.len(), 500_000);
}
