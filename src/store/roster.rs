//! The roster: who holds each post now, derived from the non-rejected
//! change log.
//!
//! A post's holder depends on its whole history, so every change of every
//! post in scope is read — but only the columns the walk needs, in one
//! statement. Sources are read afterwards for the few changes that support
//! each post's current state, not for every change in the region (at
//! 100,000 changes a region page used to load 5,000 changes with all their
//! sources to show about 80 posts).

use super::changes::{RosterEntry, REF_DATE};
use super::{parse_date, parse_enum, parse_ts, person, Store, StoreError};
use crate::model::{Event, Level, Role, RosterFilter};
use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};

/// One change reduced to what the roster walk reads.
struct PostChange {
    id: i64,
    party: String,
    level: Level,
    region: String,
    district: Option<String>,
    role: Role,
    event: Event,
    person: String,
    /// The stored `person_key`: the store writes `person::key(person)`
    /// with every insert and every refresh after an edit.
    key: String,
    acting: bool,
    /// Event date, else the first-seen day.
    ref_date: NaiveDate,
}

impl PostChange {
    fn post(&self) -> (&str, Level, &str, Option<&str>, Role) {
        (
            &self.party,
            self.level,
            &self.region,
            self.district.as_deref(),
            self.role,
        )
    }
}

type RawPostChange = (
    (i64, String, String, String, Option<String>, String),
    (String, String, String, bool, Option<String>, String),
);

fn raw_post_change(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawPostChange> {
    Ok((
        (
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
        ),
        (
            r.get(6)?,
            r.get(7)?,
            r.get(8)?,
            r.get(9)?,
            r.get(10)?,
            r.get(11)?,
        ),
    ))
}

/// The non-rejected changes in scope, in event order (event date, else
/// first-seen date, then first-seen time, then id).
fn load_post_changes(conn: &Connection, f: &RosterFilter) -> Result<Vec<PostChange>, StoreError> {
    let mut wh = vec!["c.status <> 'rejected'".to_string()];
    let mut args: Vec<Value> = Vec::new();
    for (col, v) in [
        ("c.party", f.party.clone()),
        ("c.region", f.region.clone()),
        ("c.level", f.level.map(|l| l.as_str().to_string())),
    ] {
        if let Some(v) = v {
            args.push(Value::Text(v));
            wh.push(format!("{col} = ?{}", args.len()));
        }
    }
    let sql = format!(
        "SELECT c.id, c.party, c.level, c.region, c.district, c.role, c.event, c.person, \
         c.person_key, c.acting, c.date, c.first_seen FROM changes c WHERE {} \
         ORDER BY {REF_DATE}, c.first_seen, c.id",
        wh.join(" AND ")
    );
    let mut st = conn.prepare(&sql)?;
    let raws: Vec<RawPostChange> = st
        .query_map(params_from_iter(args.iter()), raw_post_change)?
        .collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(raws.len());
    for ((id, party, level, region, district, role), rest) in raws {
        let (event, person_name, key, acting, date, first_seen) = rest;
        let ref_date = match date {
            Some(d) => parse_date("changes.date", &d)?,
            None => parse_ts("changes.first_seen", &first_seen)?.date_naive(),
        };
        out.push(PostChange {
            id,
            party,
            level: parse_enum("changes.level", &level)?,
            region,
            district,
            role: parse_enum("changes.role", &role)?,
            event: parse_enum("changes.event", &event)?,
            person: person_name,
            key,
            acting,
            ref_date,
        });
    }
    Ok(out)
}

/// The source URLs of `ids`, each change's in report order, without repeats.
fn source_urls(conn: &Connection, ids: &[i64]) -> Result<Vec<String>, StoreError> {
    let mut st = conn.prepare_cached(
        "SELECT url FROM change_sources WHERE change_id = ?1 ORDER BY seen_at, id",
    )?;
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        for url in st.query_map([id], |r| r.get::<_, String>(0))? {
            let url = url?;
            if !out.contains(&url) {
                out.push(url);
            }
        }
    }
    Ok(out)
}

impl Store {
    /// Current holders of posts, derived from the non-rejected change log.
    pub fn roster(&self, f: &RosterFilter) -> Result<Vec<RosterEntry>, StoreError> {
        let mut recs = load_post_changes(&self.conn, f)?;
        // Stable sort keeps the chronological order within a post.
        recs.sort_by(|a, b| a.post().cmp(&b.post()));
        let mut out: Vec<RosterEntry> = Vec::new();
        for post in recs.chunk_by(|a, b| a.post() == b.post()) {
            let mut entry = roster_for_post(post);
            entry.sources = source_urls(&self.conn, &entry.change_ids)?;
            out.push(entry);
        }
        Ok(out)
    }
}

/// Walks one post's changes in order: elected/appointed replaces the
/// holder, re-election keeps (or establishes) them, dismissal or
/// resignation of the holder vacates the post. A departure of someone who
/// is not the known holder is ignored: the log says someone else holds it.
/// `sources` is left empty for the caller to fill.
fn roster_for_post(changes: &[PostChange]) -> RosterEntry {
    let mut holder: Option<&PostChange> = None;
    let mut last_holder: Option<&PostChange> = None;
    let mut predecessor: Option<String> = None;
    let mut since: Option<NaiveDate> = None;
    let mut acting = false;
    let mut support: Vec<&PostChange> = Vec::new();
    for c in changes {
        let is_holder = holder.is_some_and(|h| person::match_keys(&h.key, &c.key).is_some());
        if c.event.fills_post() {
            if is_holder {
                support.push(c);
                acting = c.acting;
                continue;
            }
            if let Some(h) = holder.take() {
                predecessor = Some(h.person.clone());
            } else if let Some(l) = last_holder {
                if person::match_keys(&l.key, &c.key).is_none() {
                    predecessor = Some(l.person.clone());
                }
            }
            holder = Some(c);
            last_holder = Some(c);
            since = Some(c.ref_date);
            acting = c.acting;
            support = vec![c];
        } else if holder.is_none() || is_holder {
            predecessor = Some(c.person.clone());
            holder = None;
            last_holder = Some(c);
            since = Some(c.ref_date);
            acting = false;
            support = vec![c];
        }
    }
    let first = &changes[0];
    RosterEntry {
        party: first.party.clone(),
        level: first.level,
        region: first.region.clone(),
        district: first.district.clone(),
        role: first.role,
        holder: holder.map(|h| h.person.clone()),
        acting,
        since,
        predecessor,
        change_ids: support.iter().map(|c| c.id).collect(),
        sources: Vec::new(),
    }
}
