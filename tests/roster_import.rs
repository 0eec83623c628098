//! `branchwatch roster import`: the real binary on a real SQLite file. A
//! known roster is imported, marked as such, kept out of digests, and later
//! detected changes build on it.

use branchwatch::model::{Article, ChangeFilter, DetectedChange, Event, Level, Role};
use branchwatch::store::Store;
use std::path::Path;
use std::process::{Command, Output};

fn bw(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_branchwatch"))
        .env_remove("BRANCHWATCH_CONFIG")
        .env_remove("CONFIGURATION_DIRECTORY")
        .env_remove("STATE_DIRECTORY")
        .current_dir(dir)
        .arg("--database")
        .arg(dir.join("bw.sqlite"))
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const CSV: &str = "party,region,level,district,role,person,since,source_url\n\
    Nur Otan,Жетісу,region,,chair,Серік Оспанов,2024-05-02,https://example.kz/news/1\n\
    «Ақ жол»,Павлодар,region,,chair,Марат Кенжебаев,2023-11-20,\n";

#[test]
fn an_imported_roster_is_marked_kept_out_of_digests_and_built_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bw.sqlite");
    Store::open(&db).unwrap();
    std::fs::write(dir.path().join("known.csv"), CSV).unwrap();

    let o = bw(dir.path(), &["roster", "import", "known.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("2 new change(s)"), "{}", text(&o));

    let o = bw(dir.path(), &["roster", "--format", "json"]);
    let roster: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let holders: Vec<(&str, &str, &str)> = roster
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["party"].as_str().unwrap(),
                p["region"].as_str().unwrap(),
                p["holder"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        holders.contains(&("AMANAT", "KZ-33", "Серік Оспанов")),
        "{holders:?}"
    );
    assert!(
        holders.contains(&("AK_ZHOL", "KZ-55", "Марат Кенжебаев")),
        "{holders:?}"
    );

    // Marked imported and confirmed; not news for a digest.
    let mut s = Store::open(&db).unwrap();
    let origins: Vec<(String, String)> = s
        .connection()
        .prepare("SELECT origin, status FROM changes ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(origins, vec![("import".into(), "confirmed".into()); 2]);
    assert!(s
        .undelivered_changes("daily", &ChangeFilter::default())
        .unwrap()
        .is_empty());

    // A later detected change on the same post follows the imported holder.
    let later = DetectedChange {
        person: "Данияр Ахметов".into(),
        role: Role::Chair,
        party: "AMANAT".into(),
        level: Level::Region,
        region: "KZ-33".into(),
        district: None,
        event: Event::Elected,
        acting: false,
        previous_role: None,
        date: chrono::NaiveDate::from_ymd_opt(2025, 6, 1),
        evidence: "Председателем избран Данияр Ахметов.".into(),
        confidence: 0.95,
    };
    let article = Article {
        url: "https://news.example/2025/06/01".into(),
        text: later.evidence.clone(),
        ..Default::default()
    };
    s.record_article(&article, &[later], chrono::Utc::now())
        .unwrap();
    drop(s);
    let o = bw(
        dir.path(),
        &["roster", "--region", "KZ-33", "--format", "json"],
    );
    let roster: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let post = &roster.as_array().unwrap()[0];
    assert_eq!(post["holder"], "Данияр Ахметов", "{post}");
    assert_eq!(post["predecessor"], "Серік Оспанов", "{post}");

    // Importing the same file again adds nothing (exit 1: nothing found).
    let o = bw(dir.path(), &["roster", "import", "known.csv"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("2 already imported"), "{}", text(&o));
}

#[test]
fn a_bad_row_stops_the_import_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    Store::open(&dir.path().join("bw.sqlite")).unwrap();
    let csv = format!("{CSV}AMANAT,Атлантида,region,,chair,Кто-то,2024-01-01,\n");
    std::fs::write(dir.path().join("bad.csv"), csv).unwrap();
    let o = bw(dir.path(), &["roster", "import", "bad.csv"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("line 4: unknown region \"Атлантида\""),
        "{}",
        text(&o)
    );
    let s = Store::open(&dir.path().join("bw.sqlite")).unwrap();
    let n: i64 = s
        .connection()
        .query_row("SELECT count(*) FROM changes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0, "nothing stored when a row is wrong");
}
