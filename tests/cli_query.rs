//! The command line as a user meets it: the real binary, a real SQLite file
//! filled by `branchwatch demo` (real HTTP on 127.0.0.1), and the exit codes
//! 0 (found), 1 (nothing found) and 2 (error).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_branchwatch"));
    // Keep the user's environment from choosing another config.
    c.env_remove("BRANCHWATCH_CONFIG")
        .env_remove("CONFIGURATION_DIRECTORY")
        .env_remove("STATE_DIRECTORY");
    c
}

/// One demo run shared by the read-only tests.
fn demo_db() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let out = bin()
            .current_dir(&dir)
            .args(["demo", "--dir", "demo"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "demo failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        dir.join("demo/branchwatch.sqlite")
    })
}

/// A private copy of the demo database for tests that write.
fn writable_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bw.sqlite");
    let src = rusqlite::Connection::open(demo_db()).unwrap();
    src.execute("VACUUM INTO ?1", [path.to_str().unwrap()])
        .unwrap();
    (dir, path)
}

fn run(db: &Path, args: &[&str]) -> Output {
    bin().arg("--database").arg(db).args(args).output().unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

#[test]
fn demo_twice_adds_nothing_and_writes_an_eml() {
    let dir = tempfile::tempdir().unwrap();
    let first = bin()
        .current_dir(dir.path())
        .args(["demo", "--dir", "d"])
        .output()
        .unwrap();
    assert_eq!(
        code(&first),
        0,
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let db = dir.path().join("d/branchwatch.sqlite");
    let n1 = json(&run(&db, &["changes", "--format", "json"]))
        .as_array()
        .unwrap()
        .len();
    assert!(n1 >= 5, "only {n1} changes");
    let emls = std::fs::read_dir(dir.path().join("d/outbox"))
        .unwrap()
        .count();
    assert_eq!(emls, 1);
    let second = bin()
        .current_dir(dir.path())
        .args(["demo", "--dir", "d"])
        .output()
        .unwrap();
    assert_eq!(code(&second), 0);
    let n2 = json(&run(&db, &["changes", "--format", "json"]))
        .as_array()
        .unwrap()
        .len();
    assert_eq!(n1, n2, "second demo run added changes");
    assert_eq!(
        std::fs::read_dir(dir.path().join("d/outbox"))
            .unwrap()
            .count(),
        1,
        "digest sent twice"
    );
    assert!(String::from_utf8_lossy(&second.stdout).contains("0 new in this run"));
}

#[test]
fn changes_json_lists_sources_in_two_languages() {
    let v = json(&run(demo_db(), &["changes", "--format", "json"]));
    let list = v.as_array().unwrap();
    assert!(list.len() >= 5);
    let langs: std::collections::BTreeSet<&str> = list
        .iter()
        .flat_map(|c| c["sources"].as_array().unwrap().iter())
        .filter_map(|s| s["lang"].as_str())
        .collect();
    assert!(langs.len() >= 2, "{langs:?}");
    for c in list {
        for field in [
            "person",
            "role",
            "party",
            "level",
            "region",
            "event",
            "evidence",
            "confidence",
        ] {
            assert!(!c[field].is_null(), "{field} missing in {c}");
        }
    }
}

#[test]
fn region_filter_takes_names_in_three_languages_and_codes() {
    let by_code = json(&run(
        demo_db(),
        &["changes", "--region", "KZ-27", "--format", "json"],
    ));
    let n = by_code.as_array().unwrap().len();
    assert!(n >= 1);
    assert!(by_code
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["region"] == "KZ-27"));
    for name in [
        "Батыс Қазақстан облысы",
        "Западно-Казахстанская область",
        "West Kazakhstan",
    ] {
        let out = run(
            demo_db(),
            &["changes", "--region", name, "--format", "json"],
        );
        assert_eq!(
            code(&out),
            0,
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(json(&out).as_array().unwrap().len(), n, "{name}");
    }
}

#[test]
fn every_filter_narrows_and_csv_has_a_header() {
    let all = json(&run(demo_db(), &["changes", "--format", "json"]))
        .as_array()
        .unwrap()
        .len();
    for (flag, value, field) in [
        ("--party", "AMANAT", "party"),
        ("--level", "city", "level"),
        ("--role", "chair", "role"),
        ("--event", "elected", "event"),
        ("--status", "new", "status"),
    ] {
        let v = json(&run(
            demo_db(),
            &["changes", flag, value, "--format", "json"],
        ));
        let list = v.as_array().unwrap();
        assert!(!list.is_empty() && list.len() <= all, "{flag} {value}");
        assert!(
            list.iter().all(|c| c[field] == value),
            "{flag} {value}: {v}"
        );
    }
    let limited = json(&run(
        demo_db(),
        &["changes", "--limit", "2", "--format", "json"],
    ));
    assert_eq!(limited.as_array().unwrap().len(), 2);
    let dated = json(&run(
        demo_db(),
        &[
            "changes",
            "--since",
            "2025-10-15",
            "--until",
            "2025-10-31",
            "--format",
            "json",
        ],
    ));
    assert!(dated.as_array().unwrap().iter().all(|c| c["date"]
        .as_str()
        .is_some_and(|d| ("2025-10-15"..="2025-10-31").contains(&d))));
    let csv = run(demo_db(), &["changes", "--format", "csv"]);
    let text = String::from_utf8_lossy(&csv.stdout);
    assert!(text.lines().next().unwrap().contains("person"), "{text}");
    assert_eq!(text.lines().count(), all + 1);
}

#[test]
fn nothing_found_exits_1_and_bad_input_exits_2_naming_the_value() {
    let none = run(
        demo_db(),
        &["changes", "--person", "Zzyzx Qwerty", "--format", "json"],
    );
    assert_eq!(code(&none), 1);
    assert_eq!(json(&none), serde_json::json!([]));
    for (args, needle) in [
        (vec!["changes", "--region", "Narnia"], "Narnia"),
        (vec!["changes", "--since", "2025-13-40"], "2025-13-40"),
        (vec!["changes", "--status", "pending-ish"], "pending-ish"),
        (vec!["changes", "--role", "mayor"], "mayor"),
        (vec!["changes", "--format", "xml"], "xml"),
    ] {
        let out = run(demo_db(), &args);
        assert_eq!(code(&out), 2, "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?} printed results on error");
    }
}

#[test]
fn show_roster_review_and_edit() {
    let (_dir, db) = writable_db();
    let list = json(&run(
        &db,
        &["changes", "--event", "elected", "--format", "json"],
    ));
    let first = &list.as_array().unwrap()[0];
    let id = first["id"].as_i64().unwrap().to_string();
    let shown = json(&run(&db, &["show", &id, "--format", "json"]));
    assert_eq!(shown["person"], first["person"]);
    assert!(!shown["sources"].as_array().unwrap().is_empty());
    assert_eq!(code(&run(&db, &["show", "999999"])), 1);

    let roster = json(&run(&db, &["roster", "--format", "json"]));
    let held = |r: &serde_json::Value| {
        r.as_array()
            .unwrap()
            .iter()
            .any(|e| e["holder"] == first["person"] && e["region"] == first["region"])
    };
    assert!(held(&roster), "{roster}");

    assert_eq!(
        code(&run(
            &db,
            &["review", &id, "--reject", "--note", "wrong person"]
        )),
        0
    );
    assert!(!held(&json(&run(&db, &["roster", "--format", "json"]))));
    let rejected = json(&run(
        &db,
        &["changes", "--status", "rejected", "--format", "json"],
    ));
    assert_eq!(rejected.as_array().unwrap().len(), 1);

    assert_eq!(
        code(&run(
            &db,
            &["edit", &id, "--region", "KZ-19", "--note", "typo"]
        )),
        0
    );
    let shown = json(&run(&db, &["show", &id, "--format", "json"]));
    assert_eq!(shown["region"], "KZ-19");
    let edits = shown["edits"].as_array().unwrap();
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0]["old_value"], first["region"]);
    assert_eq!(shown["reviews"].as_array().unwrap().len(), 1);
    assert_eq!(code(&run(&db, &["edit", &id, "--region", "Atlantis"])), 2);
}

#[test]
fn feeds_list_reports_the_broken_feed_and_opml_round_trips() {
    let (dir, db) = writable_db();
    let feeds = json(&run(&db, &["feeds", "list", "--format", "json"]));
    let broken = feeds
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "yug-broken")
        .unwrap();
    assert!(
        broken["last_error"].as_str().unwrap().contains("parse")
            || broken["last_error_kind"] == "parse"
    );
    assert!(
        broken["consecutive_errors"].as_i64().unwrap() >= 1,
        "{broken}"
    );

    let opml = run(&db, &["feeds", "export"]);
    assert_eq!(code(&opml), 0);
    let file = dir.path().join("feeds.opml");
    std::fs::write(&file, &opml.stdout).unwrap();
    let fresh = dir.path().join("fresh.sqlite");
    let imported = run(&fresh, &["feeds", "import", file.to_str().unwrap()]);
    assert_eq!(
        code(&imported),
        0,
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    let again = run(&fresh, &["feeds", "export"]);
    let urls = |b: &[u8]| {
        let t = String::from_utf8_lossy(b).to_string();
        let mut u: Vec<String> = t
            .split("xmlUrl=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().to_string())
            .collect();
        u.sort();
        u
    };
    let before = urls(&opml.stdout);
    assert_eq!(before.len(), 5);
    // The fresh database also holds the built-in default feeds; the imported ones must all be there.
    let after = urls(&again.stdout);
    assert!(
        before.iter().all(|u| after.contains(u)),
        "{before:?} vs {after:?}"
    );
}

#[test]
fn check_config_reports_all_three_mistakes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "[polling]\nmin_interval_secs = 900\nmax_interval_secs = 60\n\n[[feeds]]\nname = \"x\"\nurl = \"ftp://example.kz/rss\"\n\n[api]\nbind = \"localhost\"\n",
    )
    .unwrap();
    let out = bin().args(["check-config"]).arg(&path).output().unwrap();
    assert_eq!(code(&out), 2);
    let text = String::from_utf8_lossy(&out.stdout);
    for key in ["polling.min_interval_secs", "feeds[0].url", "api.bind"] {
        assert!(text.contains(key), "{key} not reported:\n{text}");
    }
    let good = bin()
        .args(["check-config", "config/branchwatch.toml"])
        .output()
        .unwrap();
    assert_eq!(code(&good), 0, "{}", String::from_utf8_lossy(&good.stdout));
}
