//! Detection quality, scored by the corpus's own `score.py`:
//! - the shared development corpus (`../shared/corpus`), and
//! - the project's own fixture articles (`tests/fixtures/detect`), written
//!   for this project in phrasing unlike the shared corpus, to watch how the
//!   rules generalise beyond the texts they were developed on.
//!
//! Both need `../shared/corpus/score.py` and python3; without them the test
//! says so and skips.

use std::path::{Path, PathBuf};
use std::process::Command;

fn shared_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

/// Runs `branchwatch detect --corpus DIR` and scores it; returns score.py's JSON.
fn score(dir: &Path) -> Option<serde_json::Value> {
    let scorer = shared_corpus().join("score.py");
    if !scorer.exists() {
        eprintln!("SKIPPED: {} is missing", scorer.display());
        return None;
    }
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("SKIPPED: python3 is not installed");
        return None;
    }
    let out = tempfile::NamedTempFile::new().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_branchwatch"))
        .args(["detect", "--corpus"])
        .arg(dir)
        .arg("--out")
        .arg(out.path())
        .status()
        .unwrap();
    assert!(status.success(), "detect --corpus failed: {status}");
    let res = Command::new("python3")
        .arg(&scorer)
        .arg(dir)
        .arg(out.path())
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&res.stdout).unwrap();
    eprintln!("{}: {v}", dir.display());
    Some(v)
}

fn f1(v: &serde_json::Value, mode: &str) -> f64 {
    v[mode]["f1"]
        .as_f64()
        .or_else(|| v[mode]["overall"]["f1"].as_f64())
        .unwrap_or_else(|| panic!("no {mode} F1 in {v}"))
}

#[test]
fn shared_corpus_meets_the_acceptance_bar() {
    let Some(v) = score(&shared_corpus()) else {
        return;
    };
    assert!(f1(&v, "core") >= 0.95, "core F1 below 0.95: {v}");
    assert!(f1(&v, "strict") >= 0.90, "strict F1 below 0.90: {v}");
    for lang in ["kk", "ru", "en"] {
        let l = v["core"]["by_lang"][lang]["f1"].as_f64().unwrap_or(0.0);
        assert!(l >= 0.85, "core F1 for {lang} below 0.85: {v}");
    }
}

#[test]
fn own_fixture_articles_generalise() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/detect");
    let Some(v) = score(&dir) else { return };
    assert!(
        f1(&v, "core") >= 0.80,
        "core F1 on fixtures below 0.80: {v}"
    );
    assert!(
        f1(&v, "strict") >= 0.70,
        "strict F1 on fixtures below 0.70: {v}"
    );
}
