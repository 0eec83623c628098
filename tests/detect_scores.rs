//! Detection quality, scored by the corpus's own `score.py` (`../shared/corpus`):
//! - the shared development corpus (`../shared/corpus`);
//! - the project's first fixture articles (`tests/fixtures/detect`);
//! - the agency-style development set (`tests/fixtures/news/dev`) that the
//!   detector's data and mechanisms were developed against, and its hold-out
//!   third (`tests/fixtures/news/holdout`), never read while writing rules;
//! - 22,474 real Kazakh news sentences (`../shared/kaznerd/docs`), none of
//!   which reports a branch change: the detector must stay silent on them.
//!
//! The floors sit a little under the figures measured when they were set
//! (README, "Detection"), so a regression fails here. Without python3 or
//! `../shared` the tests fail and say what is missing.

use std::path::{Path, PathBuf};
use std::process::Command;

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared")
}

fn fixtures(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(sub)
}

/// Runs `branchwatch detect --corpus DIR` and scores it; returns score.py's JSON.
fn score(dir: &Path) -> serde_json::Value {
    let scorer = shared().join("corpus/score.py");
    assert!(
        scorer.exists(),
        "{} is missing: the shared corpus must sit beside the repository",
        scorer.display()
    );
    assert!(
        Command::new("python3").arg("--version").output().is_ok(),
        "python3 is not installed (Debian package python3)"
    );
    let out = tempfile::NamedTempFile::new().expect("temp file");
    let status = Command::new(env!("CARGO_BIN_EXE_branchwatch"))
        .args(["detect", "--corpus"])
        .arg(dir)
        .arg("--out")
        .arg(out.path())
        .status()
        .expect("run branchwatch");
    assert!(status.success(), "detect --corpus failed: {status}");
    let res = Command::new("python3")
        .arg(&scorer)
        .arg(dir)
        .arg(out.path())
        .arg("--json")
        .output()
        .expect("run score.py");
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&res.stdout).expect("score.py JSON");
    eprintln!("{}: {v}", dir.display());
    v
}

fn f1(v: &serde_json::Value, mode: &str) -> f64 {
    v[mode]["f1"]
        .as_f64()
        .unwrap_or_else(|| panic!("no {mode} F1 in {v}"))
}

/// (set, core floor, strict floor, per-language core floor)
fn assert_floors(v: &serde_json::Value, core: f64, strict: f64, per_lang: f64) {
    assert!(f1(v, "core") >= core, "core F1 below {core}: {v}");
    assert!(f1(v, "strict") >= strict, "strict F1 below {strict}: {v}");
    let langs = v["core"]["by_lang"].as_object().expect("by_lang");
    for (lang, s) in langs {
        let l = s["f1"].as_f64().unwrap_or(0.0);
        assert!(l >= per_lang, "core F1 for {lang} below {per_lang}: {v}");
    }
}

#[test]
fn shared_corpus_meets_the_acceptance_bar() {
    let v = score(&shared().join("corpus"));
    assert_floors(&v, 0.98, 0.95, 0.95);
}

#[test]
fn first_fixture_articles_generalise() {
    let v = score(&fixtures("detect"));
    assert_floors(&v, 0.95, 0.95, 0.90);
}

#[test]
fn agency_style_development_set() {
    let v = score(&fixtures("news/dev"));
    assert_floors(&v, DEV_CORE, DEV_STRICT, 0.70);
}

#[test]
fn agency_style_hold_out() {
    let v = score(&fixtures("news/holdout"));
    // English is the smallest part of the hold-out (a handful of changes), so one
    // missed change moves its F1 by about 0.1: its floor sits below the others'.
    assert_floors(&v, HOLDOUT_CORE, HOLDOUT_STRICT, 0.40);
}

#[test]
fn real_kazakh_news_stays_quiet() {
    let v = score(&shared().join("kaznerd/docs"));
    let fp = v["core"]["fp"].as_u64().expect("fp");
    assert_eq!(fp, 0, "changes found in KazNERD sentences: {v}");
}

/// Floors for the agency-style sets (measured figures in the README).
const DEV_CORE: f64 = 0.88;
const DEV_STRICT: f64 = 0.75;
const HOLDOUT_CORE: f64 = 0.62;
const HOLDOUT_STRICT: f64 = 0.57;
