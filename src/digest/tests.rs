use super::*;
use crate::mail::Mailer;
use crate::model::{ChangeSource, Level};
use chrono::{NaiveDate, TimeZone};
use std::sync::Mutex;

fn t(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, h, 0, 0).unwrap()
}

fn source(url: &str, title: &str) -> ChangeSource {
    ChangeSource {
        url: url.into(),
        title: Some(title.into()),
        outlet: Some("Example News".into()),
        lang: Some(Lang::Ru),
        published: Some(t(1)),
        person_as_reported: "X".into(),
        evidence: "e".into(),
        confidence: 0.9,
        seen_at: t(1),
    }
}

fn change(id: i64, party: &str, region: &str, person: &str, confidence: f32) -> ChangeRecord {
    ChangeRecord {
        id,
        person: person.into(),
        role: Role::Chair,
        party: party.into(),
        level: Level::Region,
        region: region.into(),
        district: None,
        event: Event::Elected,
        acting: false,
        previous_role: None,
        date: NaiveDate::from_ymd_opt(2026, 11, 24),
        evidence: format!("{person} избран председателем филиала."),
        confidence,
        status: ReviewStatus::New,
        first_seen: t(2),
        sources: vec![source(&format!("https://news.example.kz/{id}"), "Новости")],
    }
}

fn spec() -> DigestSpec {
    DigestSpec::new("daily", &["reader@example.kz"])
}

fn period() -> (DateTime<Utc>, DateTime<Utc>) {
    (t(0) - chrono::Duration::days(1), t(3))
}

#[test]
fn spec_defaults_and_unknown_keys() {
    let s: DigestSpec =
        serde_json::from_str(r#"{"name":"daily","recipients":["a@example.kz"]}"#).unwrap();
    assert_eq!(s.schedule, "0 0 8 * * *");
    assert_eq!(s.timezone, "Asia/Almaty");
    assert_eq!(s.language, Lang::En);
    assert!(!s.send_empty && !s.immediate);
    assert!(s.validate().is_empty(), "{:?}", s.validate());
    let err = serde_json::from_str::<DigestSpec>(
        r#"{"name":"daily","recipients":["a@example.kz"],"shedule":"x"}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("unknown field `shedule`"), "{err}");
}

#[test]
fn validate_reports_every_problem_with_its_key() {
    let mut s = spec();
    s.name = "Daily Digest".into();
    s.schedule = "every morning".into();
    s.timezone = "Asia/Nowhere".into();
    s.recipients = vec!["not-an-address".into()];
    s.min_confidence = 1.5;
    s.review_below = -0.1;
    s.immediate = true;
    s.immediate_min_interval_secs = 0;
    let errs = s.validate();
    assert_eq!(errs.len(), 7, "{errs:#?}");
    for key in [
        ".name:",
        ".schedule:",
        ".timezone:",
        ".recipients:",
        ".min_confidence:",
        ".review_below:",
        ".immediate_min_interval_secs:",
    ] {
        assert!(
            errs.iter().any(|e| e.contains(key)),
            "{key} missing: {errs:#?}"
        );
    }
    let mut s = spec();
    s.recipients.clear();
    assert!(s.validate()[0].contains("digest.daily.recipients"));
}

#[test]
fn five_field_cron_gets_a_seconds_field() {
    let mut s = spec();
    // Day names: numeric days of week follow the cron crate (1 = Sunday).
    s.schedule = "30 7 * * Mon-Fri".into();
    s.timezone = "UTC".into();
    // 2026-11-26 is a Thursday.
    let next = next_run(&s, t(8)).unwrap().unwrap();
    assert_eq!(next, Utc.with_ymd_and_hms(2026, 11, 27, 7, 30, 0).unwrap());
}

#[test]
fn html_escapes_hostile_article_text_and_links_only_http() {
    let mut c = change(1, "AMANAT", "KZ-75", "<script>alert(1)</script>", 0.9);
    c.evidence = "\"><img src=x onerror=alert(2)> сайланды".into();
    c.previous_role = Some("<b>аким</b>".into());
    c.sources = vec![
        source("javascript:alert(3)", "\"><img onerror=alert(4)>"),
        source(
            "https://news.example.kz/a?x=\"><script>alert(5)</script>",
            "ok",
        ),
        source("data:text/html,<script>alert(6)</script>", "data"),
    ];
    let r = render(&[c], &spec(), period(), &Templates::embedded()).unwrap();
    let h = &r.html;
    assert!(!h.contains("<script>"), "{h}");
    assert!(!h.contains("<img"), "{h}");
    assert!(!h.contains("<b>"), "{h}");
    assert!(
        h.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
        "{h}"
    );
    assert!(
        h.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"),
        "{h}"
    );
    assert!(!h.contains("href=\"javascript"), "{h}");
    assert!(!h.contains("href=\"data"), "{h}");
    // Exactly one link: the https source, percent-encoded by URL parsing.
    assert_eq!(h.matches("<a href=").count(), 1, "{h}");
    assert!(h.contains("href=\"https:&#x2f;&#x2f;news.example.kz&#x2f;a?x=%22%3E%3Cscript%3Ealert(5)%3C&#x2f;script%3E\""), "{h}");
    // The plain-text part shows the quote as written.
    assert!(
        r.text.contains("\"><img src=x onerror=alert(2)> сайланды"),
        "{}",
        r.text
    );
}

#[test]
fn grouped_by_party_then_region_with_review_section() {
    let mut s = spec();
    s.review_below = 0.5;
    let changes = vec![
        change(1, "AK_ZHOL", "KZ-75", "Person One", 0.9),
        change(2, "AMANAT", "KZ-71", "Person Two", 0.9),
        change(3, "AMANAT", "KZ-75", "Person Three", 0.9),
        change(4, "AMANAT", "KZ-71", "Person Four", 0.4),
    ];
    let r = render(&changes, &s, period(), &Templates::embedded()).unwrap();
    let txt = &r.text;
    let pos = |needle: &str| {
        txt.find(needle)
            .unwrap_or_else(|| panic!("{needle} missing in\n{txt}"))
    };
    // AMANAT < Ak Zhol by display name; within AMANAT, Almaty < Astana.
    assert!(pos("=== AMANAT ===") < pos("=== Ak Zhol ==="));
    assert!(pos("Person Three") < pos("Person Two"));
    assert!(pos("##### Needs review #####") > pos("Person One"));
    assert!(pos("Person Four") > pos("##### Needs review"));
    assert!(txt.contains("below 50%"), "{txt}");
    for p in ["Person One", "Person Two", "Person Three", "Person Four"] {
        assert_eq!(txt.matches(p).count(), 2, "{p}: name + evidence\n{txt}");
        assert_eq!(r.html.matches(p).count(), 2, "{p}\n{}", r.html);
    }
    assert_eq!(
        r.subject,
        "[daily] 4 changes (needs review: 1), 2026-11-25 – 2026-11-26"
    );
    // A confirmed change is not sent to review, however low its confidence.
    let mut c = change(5, "AMANAT", "KZ-71", "Person Five", 0.1);
    c.status = ReviewStatus::Confirmed;
    let r = render(&[c], &s, period(), &Templates::embedded()).unwrap();
    assert!(!r.text.contains("Needs review"), "{}", r.text);
}

#[test]
fn labels_follow_the_recipient_language() {
    let mut c = change(1, "AK_ZHOL", "KZ-33", "Асқар Серікұлы", 0.9);
    c.acting = true;
    c.previous_role = Some("депутат маслихата".into());
    let mut s = spec();
    s.language = Lang::Kk;
    let r = render(
        std::slice::from_ref(&c),
        &s,
        period(),
        &Templates::embedded(),
    )
    .unwrap();
    for want in [
        "төраға міндетін атқарушы",
        "сайланды",
        "Ақ жол",
        "Жетісу облысы",
        "Бұрынғы лауазымы: депутат маслихата",
        "Дереккөздер",
        "1 өзгеріс",
    ] {
        assert!(r.text.contains(want), "{want} missing:\n{}", r.text);
    }
    s.language = Lang::Ru;
    c.acting = false;
    c.event = Event::Dismissed;
    let r = render(
        &[c.clone(), change(2, "AMANAT", "KZ-75", "Б", 0.9)],
        &s,
        period(),
        &Templates::embedded(),
    )
    .unwrap();
    for want in [
        "председатель",
        "освобождён(а) от должности",
        "Ак жол",
        "Жетысуская область",
        "Источники",
    ] {
        assert!(r.text.contains(want), "{want} missing:\n{}", r.text);
    }
    assert!(r.subject.contains("2 изменения"), "{}", r.subject);
    // The quote is not translated.
    assert!(r
        .text
        .contains("Асқар Серікұлы избран председателем филиала."));
}

#[test]
fn count_phrases() {
    use labels::count_phrase;
    assert_eq!(count_phrase(Lang::Ru, 1), "1 изменение");
    assert_eq!(count_phrase(Lang::Ru, 3), "3 изменения");
    assert_eq!(count_phrase(Lang::Ru, 11), "11 изменений");
    assert_eq!(count_phrase(Lang::Ru, 21), "21 изменение");
    assert_eq!(count_phrase(Lang::Ru, 112), "112 изменений");
    assert_eq!(count_phrase(Lang::En, 1), "1 change");
    assert_eq!(count_phrase(Lang::Kk, 5), "5 өзгеріс");
}

#[test]
fn empty_digest_says_so() {
    let r = render(&[], &spec(), period(), &Templates::embedded()).unwrap();
    assert!(r.text.contains("No changes in this period."), "{}", r.text);
    assert!(r.html.contains("No changes in this period."));
    assert!(r.subject.starts_with("[daily] no changes"), "{}", r.subject);
}

#[test]
fn template_dir_overrides_single_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("subject.txt"),
        "Custom {{ count }} for {{ digest }}",
    )
    .unwrap();
    let tpl = Templates::from_dir(dir.path()).unwrap();
    let r = render(
        &[change(1, "AMANAT", "KZ-75", "A", 0.9)],
        &spec(),
        period(),
        &tpl,
    )
    .unwrap();
    assert_eq!(r.subject, "Custom 1 for daily");
    assert!(r.html.starts_with("<!DOCTYPE html>"), "{}", r.html);

    std::fs::write(dir.path().join("digest.html"), "{% if %}").unwrap();
    let err = Templates::from_dir(dir.path()).unwrap_err().to_string();
    assert!(err.contains("digest.html"), "{err}");
    assert!(Templates::from_dir(&dir.path().join("missing")).is_err());
}

#[test]
fn retry_delay_doubles_and_caps() {
    let secs = |n| retry_delay(n).num_seconds();
    assert!((60..=66).contains(&secs(1)), "{}", secs(1));
    assert!((120..=132).contains(&secs(2)));
    assert!((480..=528).contains(&secs(4)));
    assert!((21600..=23760).contains(&secs(11)));
    assert!((21600..=23760).contains(&secs(40)));
}

#[tokio::test]
async fn file_mailer_run_marks_sent_and_skips_empty() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = Mailer::file(dir.path());
    let mut st = MemoryStore::new();
    st.upsert_change(change(1, "AMANAT", "KZ-75", "A", 0.9));
    let mut rejected = change(2, "AMANAT", "KZ-75", "B", 0.9);
    rejected.status = ReviewStatus::Rejected;
    st.upsert_change(rejected);
    let store = Mutex::new(st);
    let from = "bw@example.kz".parse().unwrap();
    let tpl = Templates::embedded();
    let r = run_digest(&store, &mailer, &spec(), &tpl, &from, t(3))
        .await
        .unwrap();
    assert_eq!(r.sent(), 1);
    assert_eq!(r.delivered_change_ids(), vec![1]);
    assert_eq!(store.lock().unwrap().outbox()[0].state, OutboxState::Sent);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    let r = run_digest(&store, &mailer, &spec(), &tpl, &from, t(4))
        .await
        .unwrap();
    assert!(r.skipped_empty && r.messages.is_empty());
    assert_eq!(
        store.lock().unwrap().digest_last_run("daily").unwrap(),
        Some(t(4))
    );
    let mut s = spec();
    s.send_empty = true;
    let r = run_digest(&store, &mailer, &s, &tpl, &from, t(5))
        .await
        .unwrap();
    assert_eq!(r.sent(), 1);
    assert!(r.messages[0].subject.contains("no changes"));
}

#[tokio::test]
async fn immediate_mode_is_rate_limited() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = Mailer::file(dir.path());
    let store = Mutex::new(MemoryStore::new());
    let from = "bw@example.kz".parse().unwrap();
    let tpl = Templates::embedded();
    let mut s = spec();
    s.immediate = true;
    s.immediate_min_interval_secs = 600;
    // Nothing stored: nothing sent, even with send_empty.
    s.send_empty = true;
    assert!(run_immediate(&store, &mailer, &s, &tpl, &from, t(3))
        .await
        .unwrap()
        .is_none());
    store
        .lock()
        .unwrap()
        .upsert_change(change(1, "AMANAT", "KZ-75", "A", 0.9));
    let r = run_immediate(&store, &mailer, &s, &tpl, &from, t(3))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.sent(), 1);
    store
        .lock()
        .unwrap()
        .upsert_change(change(2, "AMANAT", "KZ-75", "B", 0.9));
    let soon = t(3) + chrono::Duration::seconds(599);
    assert!(run_immediate(&store, &mailer, &s, &tpl, &from, soon)
        .await
        .unwrap()
        .is_none());
    let ready = immediate_ready_at(&*store.lock().unwrap(), &s)
        .unwrap()
        .unwrap();
    assert_eq!(ready, t(3) + chrono::Duration::seconds(600));
    let r = run_immediate(&store, &mailer, &s, &tpl, &from, ready)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.delivered_change_ids(), vec![2]);
}

#[test]
fn filter_selects_by_every_field() {
    let mut s = spec();
    s.parties = vec!["amanat".into()];
    s.regions = vec!["KZ-75".into()];
    s.roles = vec![Role::Chair];
    s.events = vec![Event::Elected];
    s.min_confidence = 0.5;
    let f = s.filter();
    assert!(f.matches(&change(1, "AMANAT", "KZ-75", "A", 0.9)));
    assert!(!f.matches(&change(1, "AK_ZHOL", "KZ-75", "A", 0.9)));
    assert!(!f.matches(&change(1, "AMANAT", "KZ-71", "A", 0.9)));
    assert!(!f.matches(&change(1, "AMANAT", "KZ-75", "A", 0.4)));
    let mut c = change(1, "AMANAT", "KZ-75", "A", 0.9);
    c.event = Event::Resigned;
    assert!(!f.matches(&c));
    c.event = Event::Elected;
    c.role = Role::DeputyChair;
    assert!(!f.matches(&c));
}

#[test]
fn next_due_catches_up_a_missed_run_and_honours_retries() {
    let mut st = MemoryStore::new();
    let s = spec(); // 08:00 Almaty = 03:00 UTC
                    // Never ran: the first scheduled time after now.
    assert_eq!(
        next_due(&st, &s, t(4)).unwrap(),
        Some(t(3) + chrono::Duration::days(1))
    );
    // Last ran two days ago: the missed run is already due.
    st.set_digest_last_run("daily", t(3) - chrono::Duration::days(2))
        .unwrap();
    let due = next_due(&st, &s, t(4)).unwrap().unwrap();
    assert!(due <= t(4), "{due}");
    // Ran today: tomorrow, unless a retry comes first.
    st.set_digest_last_run("daily", t(3)).unwrap();
    assert_eq!(
        next_due(&st, &s, t(4)).unwrap(),
        Some(t(3) + chrono::Duration::days(1))
    );
    let row = st
        .outbox_enqueue("daily", "<m@x>", "s", &[1], t(3))
        .unwrap();
    st.outbox_mark_failed(row, "down", false, Some(t(5)), t(3))
        .unwrap();
    assert_eq!(next_due(&st, &s, t(4)).unwrap(), Some(t(5)));
}

#[tokio::test]
async fn send_now_retries_pending_messages_before_their_backoff() {
    let dir = tempfile::tempdir().unwrap();
    // A "directory" under a regular file cannot be created: a transient failure.
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    let broken = Mailer::file(blocker.join("out"));
    let good = Mailer::file(dir.path().join("out"));
    let mut st = MemoryStore::new();
    st.upsert_change(change(1, "AMANAT", "KZ-75", "A", 0.9));
    let store = Mutex::new(st);
    let from = "bw@example.kz".parse().unwrap();
    let tpl = Templates::embedded();
    let r = run_digest(&store, &broken, &spec(), &tpl, &from, t(3))
        .await
        .unwrap();
    assert_eq!(r.retrying(), 1, "{r:?}");
    let first_id = r.messages[0].message_id.clone();

    let r = run_digest(
        &store,
        &good,
        &spec(),
        &tpl,
        &from,
        t(3) + chrono::Duration::seconds(5),
    )
    .await
    .unwrap();
    assert_eq!((r.deferred, r.sent()), (1, 0), "{r:?}");

    let r = send_now(
        &store,
        &good,
        &spec(),
        &tpl,
        &from,
        t(3) + chrono::Duration::seconds(5),
    )
    .await
    .unwrap();
    assert_eq!(r.sent(), 1, "{r:?}");
    assert_eq!(r.messages[0].message_id, first_id);
    assert!(r.messages[0].resend);
    let row = store.lock().unwrap().outbox()[0].clone();
    assert_eq!((row.state, row.attempts), (OutboxState::Sent, 2));
}
