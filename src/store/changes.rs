//! The change log: merging reports into changes, reading them back,
//! review, audited edits, and the roster derived from the log.
//!
//! A change is one event on one post (party × level × region × district ×
//! role) for one person. Each report of it is a `change_sources` row keeping
//! what that outlet said; the `changes` row holds the best-supported value
//! of every field (majority, then highest confidence, then earliest),
//! overlaid by the latest manual edit of that field.

use super::person;
use super::{
    not_found_is_none, parse_date, parse_enum, parse_opt_ts, parse_ts, ts, RefreshSummary, Store,
    StoreError,
};
use crate::model::{
    Article, ChangeFilter, ChangeRecord, ChangeSource, DetectedChange, Event, Lang, Level,
    ReviewStatus, Role,
};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Fields `Store::edit` accepts.
pub const EDITABLE_FIELDS: &[&str] = &[
    "person",
    "role",
    "party",
    "level",
    "region",
    "district",
    "event",
    "acting",
    "previous_role",
    "date",
    "evidence",
];

/// Where a report came from.
#[derive(Debug, Clone)]
pub(crate) struct SourceInput {
    pub url: String,
    pub title: Option<String>,
    pub outlet: Option<String>,
    pub lang: Option<Lang>,
    pub published: Option<DateTime<Utc>>,
    pub article_id: Option<i64>,
}

impl SourceInput {
    pub fn from_article(
        a: &Article,
        article_id: i64,
        fallback_published: Option<DateTime<Utc>>,
    ) -> Self {
        SourceInput {
            url: article_identity(a).to_string(),
            title: a.title.clone(),
            outlet: a.outlet.clone(),
            lang: a.lang,
            published: a
                .published
                .map(|p| p.with_timezone(&Utc))
                .or(fallback_published),
            article_id: Some(article_id),
        }
    }
}

/// An article is identified by its canonical URL when it declares one, so
/// the same page reached through tracking links is stored once.
fn article_identity(a: &Article) -> &str {
    a.canonical_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .unwrap_or(a.url.as_str())
}

/// Inserts the article unless one with the same identity exists; returns
/// its id and whether it was new. An existing article is never modified,
/// which keeps re-processing idempotent.
pub(crate) fn upsert_article(
    tx: &Transaction<'_>,
    a: &Article,
    now: DateTime<Utc>,
) -> Result<(i64, bool), StoreError> {
    let url = article_identity(a);
    if let Some(id) = tx
        .query_row("SELECT id FROM articles WHERE url = ?1", [url], |r| {
            r.get(0)
        })
        .optional()?
    {
        return Ok((id, false));
    }
    let sha = hex::encode(Sha256::digest(a.text.as_bytes()));
    tx.execute(
        "INSERT INTO articles (url, fetched_url, title, text, text_sha256, published, lang, outlet, stored_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            url,
            a.url,
            a.title,
            a.text,
            sha,
            a.published.map(|p| p.to_rfc3339()),
            a.lang.map(|l| l.as_str()),
            a.outlet,
            ts(now)
        ],
    )?;
    Ok((tx.last_insert_rowid(), true))
}

fn norm_code(s: &str) -> String {
    s.trim().to_uppercase()
}

fn norm_opt(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Merges one detected change into the log: adds it as a source of a
/// matching change or creates a new change.
pub(crate) fn merge_report(
    tx: &Transaction<'_>,
    d: &DetectedChange,
    src: &SourceInput,
    now: DateTime<Utc>,
    window_days: u32,
    summary: &mut RefreshSummary,
) -> Result<(), StoreError> {
    let pkey = person::key(&d.person);
    if pkey.is_empty() {
        tracing::warn!(person = %d.person, url = %src.url, "dropping report: person name folds to nothing");
        summary.sources_skipped += 1;
        return Ok(());
    }
    let party = norm_code(&d.party);
    let region = norm_code(&d.region);
    let district = norm_opt(d.district.as_deref());
    let fingerprint = {
        let mut h = Sha256::new();
        for part in [
            src.url.as_str(),
            party.as_str(),
            d.level.as_str(),
            region.as_str(),
            district.as_deref().unwrap_or(""),
            d.role.as_str(),
            d.event.as_str(),
            pkey.as_str(),
        ] {
            h.update(part.as_bytes());
            h.update([0x1f]);
        }
        hex::encode(h.finalize())
    };
    let dup: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM change_sources WHERE fingerprint = ?1)",
        [&fingerprint],
        |r| r.get(0),
    )?;
    if dup {
        summary.sources_duplicate += 1;
        return Ok(());
    }
    let ref_date = d
        .date
        .or(src.published.map(|p| p.date_naive()))
        .unwrap_or_else(|| now.date_naive());

    let post = Post {
        party: &party,
        region: &region,
        district: district.as_deref(),
    };
    let mut candidates = matching_changes(tx, d, &post, &pkey, ref_date, window_days)?;
    candidates.sort();
    let (change_id, is_new) = match candidates.first() {
        Some(&(_, _, id)) => (id, false),
        None => {
            tx.execute(
                "INSERT INTO changes (party, level, region, district, role, event, person, person_key,
                    acting, previous_role, date, evidence, confidence, status, first_seen)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'new', ?14)",
                params![
                    party,
                    d.level.as_str(),
                    region,
                    district,
                    d.role.as_str(),
                    d.event.as_str(),
                    d.person.trim(),
                    pkey,
                    d.acting,
                    norm_opt(d.previous_role.as_deref()),
                    d.date.map(|x| x.to_string()),
                    d.evidence,
                    f64::from(d.confidence),
                    ts(now)
                ],
            )?;
            (tx.last_insert_rowid(), true)
        }
    };
    tx.execute(
        "INSERT INTO change_sources (change_id, article_id, url, title, outlet, lang, published,
            person_as_reported, person_key, acting, previous_role, date, evidence, confidence, seen_at, fingerprint)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        params![
            change_id,
            src.article_id,
            src.url,
            src.title,
            src.outlet,
            src.lang.map(|l| l.as_str()),
            src.published.map(ts),
            d.person.trim(),
            pkey,
            d.acting,
            norm_opt(d.previous_role.as_deref()),
            d.date.map(|x| x.to_string()),
            d.evidence,
            f64::from(d.confidence.clamp(0.0, 1.0)),
            ts(now),
            fingerprint
        ],
    )?;
    refresh_change(tx, change_id)?;
    if is_new {
        summary.changes_new.push(change_id);
    } else if !summary.changes_merged.contains(&change_id)
        && !summary.changes_new.contains(&change_id)
    {
        summary.changes_merged.push(change_id);
    }
    Ok(())
}

/// Where a report places the post, normalised.
struct Post<'a> {
    party: &'a str,
    region: &'a str,
    district: Option<&'a str>,
}

/// Stored changes a report may restate, as (name match cost, days apart, id): the
/// same post and event within `window_days` of `ref_date`, whose person (or any
/// source's spelling of them) matches; rejected changes included, so a new report of
/// a rejected change stays rejected.
fn matching_changes(
    tx: &Transaction<'_>,
    d: &DetectedChange,
    post: &Post<'_>,
    pkey: &str,
    ref_date: NaiveDate,
    window_days: u32,
) -> Result<Vec<(usize, i64, i64)>, StoreError> {
    let (party, region, district) = (post.party, post.region, post.district);
    let mut candidates: Vec<(usize, i64, i64)> = Vec::new();
    let mut st = tx.prepare_cached(
        "SELECT id, COALESCE(date, substr(first_seen, 1, 10)), person_key FROM changes
         WHERE party = ?1 AND level = ?2 AND region = ?3 AND district IS ?4 AND role = ?5 AND event = ?6
         ORDER BY id",
    )?;
    let rows: Vec<(i64, String, String)> = st
        .query_map(
            params![
                party,
                d.level.as_str(),
                region,
                district,
                d.role.as_str(),
                d.event.as_str()
            ],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?
        .collect::<Result<_, _>>()?;
    let mut keys_st =
        tx.prepare_cached("SELECT person_key FROM change_sources WHERE change_id = ?1")?;
    for (id, cdate, ckey) in rows {
        let cdate = parse_date("changes.date", &cdate)?;
        let gap = (cdate - ref_date).num_days().abs();
        if gap > i64::from(window_days) {
            continue;
        }
        let mut keys = vec![ckey];
        for k in keys_st.query_map([id], |r| r.get::<_, String>(0))? {
            keys.push(k?);
        }
        if let Some(cost) = keys
            .iter()
            .filter_map(|k| person::match_keys(k, pkey))
            .min()
        {
            candidates.push((cost, gap, id));
        }
    }
    Ok(candidates)
}

/// One source's values as they take part in choosing a change's fields.
struct Vote {
    id: i64,
    person: String,
    person_key: String,
    acting: bool,
    previous_role: Option<String>,
    date: Option<String>,
    evidence: String,
    confidence: f64,
    seen_at: String,
}

/// Picks the best-supported value: most sources, then highest confidence,
/// then earliest seen (then lowest source id, for determinism).
fn pick<T: Ord + Clone>(votes: &[Vote], value: impl Fn(&Vote) -> Option<T>) -> Option<T> {
    let mut groups: BTreeMap<T, (usize, f64, (String, i64))> = BTreeMap::new();
    for v in votes {
        let Some(val) = value(v) else { continue };
        let e = groups
            .entry(val)
            .or_insert((0, f64::MIN, (v.seen_at.clone(), v.id)));
        e.0 += 1;
        e.1 = e.1.max(v.confidence);
        let first = (v.seen_at.clone(), v.id);
        if first < e.2 {
            e.2 = first;
        }
    }
    groups
        .into_iter()
        .max_by(|a, b| {
            (a.1 .0)
                .cmp(&b.1 .0)
                .then(a.1 .1.total_cmp(&b.1 .1))
                .then(b.1 .2.cmp(&a.1 .2))
        })
        .map(|(k, _)| k)
}

fn load_votes(conn: &Connection, change_id: i64) -> Result<Vec<Vote>, StoreError> {
    let mut st = conn.prepare_cached(
        "SELECT id, person_as_reported, person_key, acting, previous_role, date, evidence, confidence, seen_at
         FROM change_sources WHERE change_id = ?1 ORDER BY seen_at, id",
    )?;
    let votes = st
        .query_map([change_id], |r| {
            Ok(Vote {
                id: r.get(0)?,
                person: r.get(1)?,
                person_key: r.get(2)?,
                acting: r.get(3)?,
                previous_role: r.get(4)?,
                date: r.get(5)?,
                evidence: r.get(6)?,
                confidence: r.get(7)?,
                seen_at: r.get(8)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(votes)
}

/// The latest manual edit of each field.
fn edit_overrides(
    conn: &Connection,
    change_id: i64,
) -> Result<BTreeMap<String, Option<String>>, StoreError> {
    let mut st = conn.prepare_cached(
        "SELECT field, new_value FROM change_edits WHERE change_id = ?1 ORDER BY id",
    )?;
    let mut out = BTreeMap::new();
    for row in st.query_map([change_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
    })? {
        let (f, v) = row?;
        out.insert(f, v);
    }
    Ok(out)
}

/// Recomputes a change's fields from its sources, then applies edits.
fn refresh_change(conn: &Connection, change_id: i64) -> Result<(), StoreError> {
    let votes = load_votes(conn, change_id)?;
    if votes.is_empty() {
        return Ok(());
    }
    let key = pick(&votes, |v| Some(v.person_key.clone()));
    let same_key: Vec<&Vote> = votes
        .iter()
        .filter(|v| Some(&v.person_key) == key.as_ref())
        .collect();
    let spelling_votes: Vec<Vote> = same_key
        .iter()
        .map(|v| Vote {
            id: v.id,
            person: v.person.clone(),
            person_key: v.person_key.clone(),
            acting: v.acting,
            previous_role: None,
            date: None,
            evidence: String::new(),
            confidence: v.confidence,
            seen_at: v.seen_at.clone(),
        })
        .collect();
    let mut person = pick(&spelling_votes, |v| Some(v.person.clone())).unwrap_or_default();
    let mut acting = pick(&votes, |v| Some(v.acting)).unwrap_or(false);
    let mut previous_role = pick(&votes, |v| v.previous_role.clone());
    let mut date = pick(&votes, |v| v.date.clone());
    let best = votes.iter().max_by(|a, b| {
        a.confidence
            .total_cmp(&b.confidence)
            .then((&b.seen_at, b.id).cmp(&(&a.seen_at, a.id)))
    });
    let mut evidence = best.map(|v| v.evidence.clone()).unwrap_or_default();
    let confidence = votes.iter().map(|v| v.confidence).fold(0.0_f64, f64::max);
    let first_seen = votes
        .iter()
        .map(|v| v.seen_at.clone())
        .min()
        .unwrap_or_default();

    let edits = edit_overrides(conn, change_id)?;
    let mut identity: Vec<(&str, Option<String>)> = Vec::new();
    for (field, value) in edits {
        match field.as_str() {
            "person" => person = value.unwrap_or_default(),
            "acting" => acting = value.as_deref() == Some("true"),
            "previous_role" => previous_role = value,
            "date" => date = value,
            "evidence" => evidence = value.unwrap_or_default(),
            "role" => identity.push(("role", value)),
            "party" => identity.push(("party", value)),
            "level" => identity.push(("level", value)),
            "region" => identity.push(("region", value)),
            "district" => identity.push(("district", value)),
            "event" => identity.push(("event", value)),
            _ => {}
        }
    }
    conn.execute(
        "UPDATE changes SET person = ?2, person_key = ?3, acting = ?4, previous_role = ?5, date = ?6,
            evidence = ?7, confidence = ?8, first_seen = ?9 WHERE id = ?1",
        params![
            change_id,
            person,
            person::key(&person),
            acting,
            previous_role,
            date,
            evidence,
            confidence,
            first_seen
        ],
    )?;
    for (col, value) in identity {
        // Column names come from the fixed list above, never from input.
        let sql = format!("UPDATE changes SET {col} = ?2 WHERE id = ?1");
        conn.execute(&sql, params![change_id, value])?;
    }
    Ok(())
}

/// Per-source values of the fields that may disagree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceFields {
    pub url: String,
    pub person_as_reported: String,
    pub person_key: String,
    pub acting: bool,
    pub previous_role: Option<String>,
    pub date: Option<NaiveDate>,
    pub confidence: f32,
}

/// A field on which the sources of a change do not agree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldDisagreement {
    pub field: String,
    /// The value the change shows.
    pub chosen: Option<String>,
    pub values: Vec<DisagreementValue>,
}

/// One of the values sources gave, and who gave it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisagreementValue {
    pub value: Option<String>,
    pub urls: Vec<String>,
}

/// A review decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewEntry {
    pub previous_status: ReviewStatus,
    pub status: ReviewStatus,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

/// A manual edit of one field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EditEntry {
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

/// A change with everything known about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeDetail {
    #[serde(flatten)]
    pub record: ChangeRecord,
    pub source_fields: Vec<SourceFields>,
    pub disagreements: Vec<FieldDisagreement>,
    pub reviews: Vec<ReviewEntry>,
    pub edits: Vec<EditEntry>,
}

/// Who holds one post now, derived from the change log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RosterEntry {
    pub party: String,
    pub level: Level,
    pub region: String,
    pub district: Option<String>,
    pub role: Role,
    /// `None` when the last event vacated the post.
    pub holder: Option<String>,
    pub acting: bool,
    /// Event date (else first-seen date) of the change that put the holder
    /// in the post, or that vacated it.
    pub since: Option<NaiveDate>,
    pub predecessor: Option<String>,
    /// Changes supporting the current state (the holder's election and any
    /// re-elections, or the vacating change).
    pub change_ids: Vec<i64>,
    pub sources: Vec<String>,
}

pub(super) const CHANGE_COLUMNS: &str =
    "c.id, c.person, c.role, c.party, c.level, c.region, c.district, c.event, \
    c.acting, c.previous_role, c.date, c.evidence, c.confidence, c.status, c.first_seen";

/// Event date, else the first-seen day: how changes are ordered and filtered.
pub(super) const REF_DATE: &str = "COALESCE(c.date, substr(c.first_seen, 1, 10))";

pub(super) type RawChange = (
    (i64, String, String, String, String, String, Option<String>),
    (
        String,
        bool,
        Option<String>,
        Option<String>,
        String,
        f64,
        String,
        String,
    ),
);

pub(super) fn raw_change(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawChange> {
    Ok((
        (
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
        ),
        (
            r.get(7)?,
            r.get(8)?,
            r.get(9)?,
            r.get(10)?,
            r.get(11)?,
            r.get(12)?,
            r.get(13)?,
            r.get(14)?,
        ),
    ))
}

pub(super) fn change_record(conn: &Connection, raw: RawChange) -> Result<ChangeRecord, StoreError> {
    let ((id, person, role, party, level, region, district), b) = raw;
    let (event, acting, previous_role, date, evidence, confidence, status, first_seen) = b;
    Ok(ChangeRecord {
        id,
        person,
        role: parse_enum("changes.role", &role)?,
        party,
        level: parse_enum("changes.level", &level)?,
        region,
        district,
        event: parse_enum("changes.event", &event)?,
        acting,
        previous_role,
        date: date
            .as_deref()
            .map(|d| parse_date("changes.date", d))
            .transpose()?,
        evidence,
        confidence: confidence as f32,
        status: parse_enum("changes.status", &status)?,
        first_seen: parse_ts("changes.first_seen", &first_seen)?,
        sources: load_sources(conn, id)?,
    })
}

fn load_sources(conn: &Connection, change_id: i64) -> Result<Vec<ChangeSource>, StoreError> {
    let mut st = conn.prepare_cached(
        "SELECT url, title, outlet, lang, published, person_as_reported, evidence, confidence, seen_at
         FROM change_sources WHERE change_id = ?1 ORDER BY seen_at, id",
    )?;
    type Raw = (
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
        String,
        f64,
        String,
    );
    let raws: Vec<Raw> = st
        .query_map([change_id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    raws.into_iter()
        .map(
            |(url, title, outlet, lang, published, person, evidence, conf, seen)| {
                Ok(ChangeSource {
                    url,
                    title,
                    outlet,
                    lang: lang
                        .as_deref()
                        .map(|l| parse_enum::<Lang>("change_sources.lang", l))
                        .transpose()?,
                    published: parse_opt_ts("change_sources.published", published)?,
                    person_as_reported: person,
                    evidence,
                    confidence: conf as f32,
                    seen_at: parse_ts("change_sources.seen_at", &seen)?,
                })
            },
        )
        .collect()
}

/// Appends the filter's conditions to `wh` and its values to `args`.
pub(super) fn filter_sql(f: &ChangeFilter, wh: &mut Vec<String>, args: &mut Vec<Value>) {
    let eq = |col: &str, v: String, wh: &mut Vec<String>, args: &mut Vec<Value>| {
        args.push(Value::Text(v));
        wh.push(format!("{col} = ?{}", args.len()));
    };
    if let Some(p) = &f.party {
        eq("c.party", p.clone(), wh, args);
    }
    if let Some(r) = &f.region {
        eq("c.region", r.clone(), wh, args);
    }
    if let Some(l) = f.level {
        eq("c.level", l.as_str().to_string(), wh, args);
    }
    if let Some(r) = f.role {
        eq("c.role", r.as_str().to_string(), wh, args);
    }
    if let Some(e) = f.event {
        eq("c.event", e.as_str().to_string(), wh, args);
    }
    if let Some(s) = f.status {
        eq("c.status", s.as_str().to_string(), wh, args);
    }
    if f.hide_rejected {
        wh.push("c.status <> 'rejected'".to_string());
    }
    if let Some(since) = f.since {
        args.push(Value::Text(since.to_string()));
        wh.push(format!("{REF_DATE} >= ?{}", args.len()));
    }
    if let Some(until) = f.until {
        args.push(Value::Text(until.to_string()));
        wh.push(format!("{REF_DATE} <= ?{}", args.len()));
    }
    if let Some(p) = &f.person {
        // Every folded token of the query must occur in the change's key or
        // in some source's key, so any spelling finds the person. The
        // substring test runs over the distinct keys (`person_keys`, a few
        // thousand at most), and the keys found are looked up through the
        // person-key indexes, instead of testing every change and source.
        for tok in person::tokens(p) {
            args.push(Value::Text(tok));
            let n = args.len();
            let keys = format!("SELECT k.key FROM person_keys k WHERE instr(k.key, ?{n}) > 0");
            wh.push(format!(
                "(c.person_key IN ({keys}) OR c.id IN (SELECT s.change_id FROM change_sources s \
                 WHERE s.person_key IN ({keys})))"
            ));
        }
    }
}

impl Store {
    fn select_changes(
        &self,
        f: &ChangeFilter,
        extra: Vec<String>,
        mut args: Vec<Value>,
        order: &str,
    ) -> Result<Vec<ChangeRecord>, StoreError> {
        let mut wh = extra;
        filter_sql(f, &mut wh, &mut args);
        let mut sql = format!("SELECT {CHANGE_COLUMNS} FROM changes c");
        if !wh.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&wh.join(" AND "));
        }
        sql.push_str(" ORDER BY ");
        sql.push_str(order);
        args.push(Value::Integer(
            f.limit.map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX)),
        ));
        args.push(Value::Integer(
            f.offset.map_or(0, |o| i64::try_from(o).unwrap_or(i64::MAX)),
        ));
        sql.push_str(&format!(
            " LIMIT ?{} OFFSET ?{}",
            args.len() - 1,
            args.len()
        ));
        let mut st = self.conn.prepare(&sql)?;
        let raws: Vec<RawChange> = st
            .query_map(params_from_iter(args.iter()), raw_change)?
            .collect::<Result<_, _>>()?;
        raws.into_iter()
            .map(|r| change_record(&self.conn, r))
            .collect()
    }

    /// Changes matching the filter, newest first (by event date, else
    /// first-seen date).
    pub fn changes(&self, f: &ChangeFilter) -> Result<Vec<ChangeRecord>, StoreError> {
        self.select_changes(
            f,
            Vec::new(),
            Vec::new(),
            &format!("{REF_DATE} DESC, c.id DESC"),
        )
    }

    /// Changes the named digest has not delivered: not rejected, matching
    /// `f`, and not part of any of this digest's outbox messages that are
    /// pending or sent. Oldest first (by id), the order they were found.
    pub fn undelivered_changes(
        &self,
        digest: &str,
        f: &ChangeFilter,
    ) -> Result<Vec<ChangeRecord>, StoreError> {
        let extra = vec![
            "c.status <> 'rejected'".to_string(),
            // Backfilled and imported changes are history, not news.
            "c.origin = 'poll'".to_string(),
            "NOT EXISTS (SELECT 1 FROM outbox_changes oc JOIN outbox o ON o.id = oc.outbox_id \
             WHERE oc.change_id = c.id AND o.digest = ?1 AND o.state IN ('pending', 'sent'))"
                .to_string(),
        ];
        self.select_changes(f, extra, vec![Value::Text(digest.to_string())], "c.id ASC")
    }

    /// One change with its sources, per-source values, disagreements,
    /// review and edit history.
    pub fn change(&self, id: i64) -> Result<Option<ChangeDetail>, StoreError> {
        let raw = self
            .conn
            .query_row(
                &format!("SELECT {CHANGE_COLUMNS} FROM changes c WHERE c.id = ?1"),
                [id],
                raw_change,
            )
            .map(Some)
            .or_else(not_found_is_none)?;
        let Some(raw) = raw else { return Ok(None) };
        let record = change_record(&self.conn, raw)?;

        let mut st = self.conn.prepare(
            "SELECT url, person_as_reported, person_key, acting, previous_role, date, confidence
             FROM change_sources WHERE change_id = ?1 ORDER BY seen_at, id",
        )?;
        type Raw = (
            String,
            String,
            String,
            bool,
            Option<String>,
            Option<String>,
            f64,
        );
        let raws: Vec<Raw> = st
            .query_map([id], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        let mut source_fields = Vec::new();
        for (url, person_as_reported, person_key, acting, previous_role, date, confidence) in raws {
            source_fields.push(SourceFields {
                url,
                person_as_reported,
                person_key,
                acting,
                previous_role,
                date: date
                    .as_deref()
                    .map(|d| parse_date("change_sources.date", d))
                    .transpose()?,
                confidence: confidence as f32,
            });
        }
        let chosen_key = person::key(&record.person);
        let disagreements = disagreements(&record, &chosen_key, &source_fields);

        let mut st = self.conn.prepare(
            "SELECT previous_status, status, note, at FROM change_reviews WHERE change_id = ?1 ORDER BY id",
        )?;
        let raws: Vec<(String, String, Option<String>, String)> = st
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<Result<_, _>>()?;
        let mut reviews = Vec::new();
        for (prev, status, note, at) in raws {
            reviews.push(ReviewEntry {
                previous_status: parse_enum("change_reviews.previous_status", &prev)?,
                status: parse_enum("change_reviews.status", &status)?,
                note,
                at: parse_ts("change_reviews.at", &at)?,
            });
        }
        let mut st = self.conn.prepare(
            "SELECT field, old_value, new_value, note, at FROM change_edits WHERE change_id = ?1 ORDER BY id",
        )?;
        type RawEdit = (
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
        );
        let raws: Vec<RawEdit> = st
            .query_map([id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<Result<_, _>>()?;
        let mut edits = Vec::new();
        for (field, old_value, new_value, note, at) in raws {
            edits.push(EditEntry {
                field,
                old_value,
                new_value,
                note,
                at: parse_ts("change_edits.at", &at)?,
            });
        }
        Ok(Some(ChangeDetail {
            record,
            source_fields,
            disagreements,
            reviews,
            edits,
        }))
    }

    /// Sets a change's review status, keeping the decision history.
    pub fn review(
        &mut self,
        id: i64,
        status: ReviewStatus,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let tx = self.write_tx()?;
        let prev: Option<String> = tx
            .query_row("SELECT status FROM changes WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(prev) = prev else {
            return Err(StoreError::NotFound {
                what: "change",
                id: id.to_string(),
            });
        };
        tx.execute(
            "UPDATE changes SET status = ?2 WHERE id = ?1",
            params![id, status.as_str()],
        )?;
        tx.execute(
            "INSERT INTO change_reviews (change_id, previous_status, status, note, at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, prev, status.as_str(), note, ts(now)],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Corrects one field of a change. The edit is recorded (old value, new
    /// value, note, time) and takes precedence over what sources say, also
    /// when more sources arrive later. An empty value clears an optional
    /// field (`district`, `previous_role`, `date`).
    pub fn edit(
        &mut self,
        id: i64,
        field: &str,
        value: &str,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let field = field.trim();
        if !EDITABLE_FIELDS.contains(&field) {
            return Err(StoreError::UnknownField {
                field: field.to_string(),
            });
        }
        let new_value = validate_edit(field, value)?;
        let tx = self.write_tx()?;
        // `field` is one of EDITABLE_FIELDS (checked above), all column names.
        let old: Option<Option<Value>> = tx
            .query_row(
                &format!("SELECT {field} FROM changes WHERE id = ?1"),
                [id],
                |r| r.get::<_, Value>(0).map(Some),
            )
            .optional()?;
        let Some(old) = old else {
            return Err(StoreError::NotFound {
                what: "change",
                id: id.to_string(),
            });
        };
        let old = match old {
            Some(Value::Text(s)) => Some(s),
            Some(Value::Integer(i)) if field == "acting" => Some((i != 0).to_string()),
            Some(Value::Integer(i)) => Some(i.to_string()),
            Some(Value::Real(r)) => Some(r.to_string()),
            _ => None,
        };
        tx.execute(
            "INSERT INTO change_edits (change_id, field, old_value, new_value, note, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, field, old, new_value, note, ts(now)],
        )?;
        refresh_change(&tx, id)?;
        tx.commit()?;
        Ok(())
    }
}

fn disagreements(
    record: &ChangeRecord,
    chosen_key: &str,
    sources: &[SourceFields],
) -> Vec<FieldDisagreement> {
    fn group(
        field: &str,
        chosen: Option<String>,
        values: impl Iterator<Item = (Option<String>, String)>,
    ) -> Option<FieldDisagreement> {
        let mut groups: Vec<DisagreementValue> = Vec::new();
        for (v, url) in values {
            match groups.iter_mut().find(|g| g.value == v) {
                Some(g) => g.urls.push(url),
                None => groups.push(DisagreementValue {
                    value: v,
                    urls: vec![url],
                }),
            }
        }
        (groups.len() > 1).then(|| FieldDisagreement {
            field: field.to_string(),
            chosen,
            values: groups,
        })
    }
    let mut out = Vec::new();
    // Spellings differ by script as a rule; only a different folded key
    // is a real disagreement about who it was.
    out.extend(group(
        "person",
        Some(chosen_key.to_string()),
        sources
            .iter()
            .map(|s| (Some(s.person_key.clone()), s.url.clone())),
    ));
    out.extend(group(
        "date",
        record.date.map(|d| d.to_string()),
        sources
            .iter()
            .filter(|s| s.date.is_some())
            .map(|s| (s.date.map(|d| d.to_string()), s.url.clone())),
    ));
    out.extend(group(
        "acting",
        Some(record.acting.to_string()),
        sources
            .iter()
            .map(|s| (Some(s.acting.to_string()), s.url.clone())),
    ));
    out.extend(group(
        "previous_role",
        record.previous_role.clone(),
        sources
            .iter()
            .filter(|s| s.previous_role.is_some())
            .map(|s| (s.previous_role.clone(), s.url.clone())),
    ));
    out
}

/// Checks an edit's value; returns what to store (`None` clears).
fn validate_edit(field: &str, value: &str) -> Result<Option<String>, StoreError> {
    let v = value.trim();
    let invalid = |reason: String| StoreError::InvalidValue {
        field: field.to_string(),
        value: value.to_string(),
        reason,
    };
    let required = |v: &str| -> Result<String, StoreError> {
        if v.is_empty() {
            Err(invalid("must not be empty".to_string()))
        } else {
            Ok(v.to_string())
        }
    };
    Ok(match field {
        "person" => {
            if person::key(v).is_empty() {
                return Err(invalid("must contain letters".to_string()));
            }
            Some(v.to_string())
        }
        "evidence" => Some(required(v)?),
        "role" => Some(
            v.parse::<Role>()
                .map_err(|e| invalid(e.to_string()))?
                .as_str()
                .to_string(),
        ),
        "level" => Some(
            v.parse::<Level>()
                .map_err(|e| invalid(e.to_string()))?
                .as_str()
                .to_string(),
        ),
        "event" => Some(
            v.parse::<Event>()
                .map_err(|e| invalid(e.to_string()))?
                .as_str()
                .to_string(),
        ),
        "party" => {
            let p = norm_code(v);
            if p.is_empty() || !p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(invalid(
                    "expected a party id such as AMANAT or AK_ZHOL".to_string(),
                ));
            }
            Some(p)
        }
        "region" => {
            let r = norm_code(v);
            if !crate::model::is_region_code(&r) {
                return Err(invalid(
                    "expected an ISO 3166-2:KZ code such as KZ-33".to_string(),
                ));
            }
            Some(r)
        }
        "acting" => match v.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Some("true".to_string()),
            "false" | "no" | "0" => Some("false".to_string()),
            _ => return Err(invalid("expected true or false".to_string())),
        },
        "date" => {
            if v.is_empty() {
                None
            } else {
                let d = NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .map_err(|_| invalid("expected a date as YYYY-MM-DD".to_string()))?;
                Some(d.to_string())
            }
        }
        "district" | "previous_role" => norm_opt(Some(v)),
        _ => {
            return Err(StoreError::UnknownField {
                field: field.to_string(),
            })
        }
    })
}
