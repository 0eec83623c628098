//! Read-only aggregates for the web view: activity per region, changes per
//! month and party, a post's neighbouring holders, a person's posts and the
//! size of a filtered list (for paging). Each is one SQL statement over the
//! change log; rejected changes never count.

use super::changes::{change_record, filter_sql, raw_change, CHANGE_COLUMNS, REF_DATE};
use super::{parse_date, Store, StoreError};
use crate::model::{ChangeFilter, ChangeRecord, Event, Level, Role};
use chrono::NaiveDate;
use rusqlite::params_from_iter;
use rusqlite::types::Value;
use serde::Serialize;

/// How much and how recently one region's branches changed leadership.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionActivity {
    /// ISO 3166-2:KZ code.
    pub region: String,
    /// Latest event date (else first-seen date) of any change there.
    pub last: NaiveDate,
    /// Changes in total.
    pub total: i64,
    /// Changes on or after the `since` date asked for.
    pub recent: i64,
}

/// Changes of one party in one month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthCount {
    /// `YYYY-MM`.
    pub month: String,
    pub party: String,
    pub changes: i64,
}

/// One change on a post, reduced to who and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostRef {
    pub id: i64,
    pub person: String,
    pub event: Event,
    pub date: NaiveDate,
}

/// The holders before and after a change on the same post.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PostNeighbours {
    /// The latest earlier change that put someone else into the post.
    pub previous: Option<PostRef>,
    /// The earliest later change that put someone else into the post.
    pub next: Option<PostRef>,
}

/// A change naming a person, with the spellings its sources used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonPost {
    pub id: i64,
    pub person: String,
    pub party: String,
    pub level: Level,
    pub region: String,
    pub district: Option<String>,
    pub role: Role,
    pub event: Event,
    pub acting: bool,
    pub date: NaiveDate,
    pub spellings: Vec<String>,
}

/// The non-rejected changes naming the person whose key is `?1`, directly
/// or through a source: both sides are index lookups by key.
pub(super) const PERSON_MATCH: &str = "c.status <> 'rejected' AND c.id IN \
     (SELECT p.id FROM changes p WHERE p.person_key = ?1 \
      UNION SELECT s.change_id FROM change_sources s WHERE s.person_key = ?1)";

/// The person page's header: see [`Store::person_summary`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PersonSummary {
    /// Non-rejected changes naming the person.
    pub total: i64,
    /// Every spelling, in order of first use.
    pub spellings: Vec<String>,
    /// The name on the latest change.
    pub latest: Option<String>,
}

fn not_rejected(f: &ChangeFilter) -> ChangeFilter {
    let mut f = f.clone();
    if f.status.is_none() {
        f.hide_rejected = true;
    }
    f
}

impl Store {
    /// A value that changes whenever the change log does: the highest row
    /// id of changes, sources, reviews and edits. Nothing deletes from
    /// these tables and every write adds a row to one of them (a merged
    /// report adds a source, a review or edit its history row), so equal
    /// versions mean equal logs. Four index lookups, no scan.
    pub fn log_version(&self) -> Result<[i64; 4], StoreError> {
        Ok(self.conn.query_row(
            "SELECT (SELECT coalesce(max(id), 0) FROM changes), \
             (SELECT coalesce(max(id), 0) FROM change_sources), \
             (SELECT coalesce(max(id), 0) FROM change_reviews), \
             (SELECT coalesce(max(id), 0) FROM change_edits)",
            [],
            |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?]),
        )?)
    }

    /// How many changes match the filter (ignoring its limit and offset).
    pub fn count_changes(&self, f: &ChangeFilter) -> Result<i64, StoreError> {
        let mut wh = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        filter_sql(f, &mut wh, &mut args);
        let mut sql = "SELECT count(*) FROM changes c".to_string();
        if !wh.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&wh.join(" AND "));
        }
        Ok(self
            .conn
            .query_row(&sql, params_from_iter(args.iter()), |r| r.get(0))?)
    }

    /// Per region: the latest change, the total, and how many since `since`.
    pub fn region_activity(&self, since: NaiveDate) -> Result<Vec<RegionActivity>, StoreError> {
        let sql = format!(
            "SELECT c.region, max({REF_DATE}), count(*), \
             sum(CASE WHEN {REF_DATE} >= ?1 THEN 1 ELSE 0 END) \
             FROM changes c WHERE c.status <> 'rejected' GROUP BY c.region ORDER BY c.region"
        );
        let mut st = self.conn.prepare(&sql)?;
        let raws: Vec<(String, String, i64, i64)> = st
            .query_map([since.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<Result<_, _>>()?;
        raws.into_iter()
            .map(|(region, last, total, recent)| {
                Ok(RegionActivity {
                    region,
                    last: parse_date("changes.date", &last)?,
                    total,
                    recent,
                })
            })
            .collect()
    }

    /// Changes per month and party matching `f` (rejected ones left out
    /// unless `f` asks for a status), oldest month first.
    pub fn monthly_counts(&self, f: &ChangeFilter) -> Result<Vec<MonthCount>, StoreError> {
        let f = not_rejected(f);
        let mut wh = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        filter_sql(&f, &mut wh, &mut args);
        let mut sql =
            format!("SELECT substr({REF_DATE}, 1, 7) AS m, c.party, count(*) FROM changes c");
        if !wh.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&wh.join(" AND "));
        }
        sql.push_str(" GROUP BY m, c.party ORDER BY m, c.party");
        let mut st = self.conn.prepare(&sql)?;
        let rows = st
            .query_map(params_from_iter(args.iter()), |r| {
                Ok(MonthCount {
                    month: r.get(0)?,
                    party: r.get(1)?,
                    changes: r.get(2)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// The holders before and after change `id` on the same post
    /// (party × level × region × district × role), by event date.
    pub fn post_neighbours(&self, id: i64) -> Result<PostNeighbours, StoreError> {
        let sql = format!(
            "SELECT o.id, o.person, o.person_key, o.event, {ref_o}, (o.id = ?1) \
             FROM changes c JOIN changes o ON o.party = c.party AND o.level = c.level \
             AND o.region = c.region AND o.role = c.role AND o.district IS c.district \
             WHERE c.id = ?1 AND (o.status <> 'rejected' OR o.id = ?1) \
             ORDER BY {ref_o}, o.first_seen, o.id",
            ref_o = REF_DATE.replace("c.", "o.")
        );
        let mut st = self.conn.prepare(&sql)?;
        type Raw = (i64, String, String, String, String, bool);
        let raws: Vec<Raw> = st
            .query_map([id], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        let Some(pos) = raws.iter().position(|r| r.5) else {
            return Ok(PostNeighbours::default());
        };
        let own_key = &raws[pos].2;
        let to_ref = |r: &Raw| -> Result<Option<PostRef>, StoreError> {
            let event: Event = super::parse_enum("changes.event", &r.3)?;
            if !event.fills_post() || &r.2 == own_key {
                return Ok(None);
            }
            Ok(Some(PostRef {
                id: r.0,
                person: r.1.clone(),
                event,
                date: parse_date("changes.date", &r.4)?,
            }))
        };
        let mut out = PostNeighbours::default();
        for r in raws[..pos].iter().rev() {
            if let Some(p) = to_ref(r)? {
                out.previous = Some(p);
                break;
            }
        }
        for r in &raws[pos + 1..] {
            if let Some(p) = to_ref(r)? {
                out.next = Some(p);
                break;
            }
        }
        Ok(out)
    }

    /// One page of the changes matching `f` (its limit and offset, newest
    /// first as [`Store::changes`]) and how many match in all.
    ///
    /// A name filter is the one costly condition (a substring test over
    /// keys, then every change and source of the keys found), so with one
    /// the matching ids are found once, in order, and counted in Rust
    /// instead of running the condition again for `count(*)`.
    pub fn changes_page(&self, f: &ChangeFilter) -> Result<(i64, Vec<ChangeRecord>), StoreError> {
        if f.person.is_none() {
            return Ok((self.count_changes(f)?, self.changes(f)?));
        }
        let mut wh = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        filter_sql(f, &mut wh, &mut args);
        let mut sql = "SELECT c.id FROM changes c".to_string();
        if !wh.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&wh.join(" AND "));
        }
        sql.push_str(&format!(" ORDER BY {REF_DATE} DESC, c.id DESC"));
        let mut st = self.conn.prepare(&sql)?;
        let ids: Vec<i64> = st
            .query_map(params_from_iter(args.iter()), |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let from = f.offset.unwrap_or(0).min(ids.len());
        let to = f
            .limit
            .map_or(ids.len(), |l| from.saturating_add(l).min(ids.len()));
        let mut one = self.conn.prepare_cached(&format!(
            "SELECT {CHANGE_COLUMNS} FROM changes c WHERE c.id = ?1"
        ))?;
        let mut rows = Vec::with_capacity(to - from);
        for id in &ids[from..to] {
            let raw = one.query_row([id], raw_change)?;
            rows.push(change_record(&self.conn, raw)?);
        }
        Ok((i64::try_from(ids.len()).unwrap_or(i64::MAX), rows))
    }

    /// What the person page shows above the list for the person whose
    /// folded key is `key`: how many non-rejected changes name them (in
    /// the change itself or in any source), every spelling in order of
    /// first use, and the name on the latest change.
    pub fn person_summary(&self, key: &str) -> Result<PersonSummary, StoreError> {
        let sql = format!(
            "SELECT c.person, \
             (SELECT group_concat(s.person_as_reported, char(31)) FROM change_sources s \
              WHERE s.change_id = c.id) \
             FROM changes c WHERE {PERSON_MATCH} ORDER BY {REF_DATE}, c.first_seen, c.id"
        );
        let mut st = self.conn.prepare(&sql)?;
        let mut out = PersonSummary::default();
        let rows = st.query_map([key], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
        })?;
        for row in rows {
            let (name, spellings) = row?;
            out.total += 1;
            for s in spellings_of(&name, spellings.as_deref()) {
                if !out.spellings.contains(&s) {
                    out.spellings.push(s);
                }
            }
            out.latest = Some(name);
        }
        Ok(out)
    }

    /// The non-rejected changes naming the person whose folded key is
    /// `key` (in the change itself or in any source), oldest first;
    /// `limit` of them from `offset`, or all with no limit.
    pub fn person_posts(
        &self,
        key: &str,
        limit: Option<usize>,
        offset: usize,
    ) -> Result<Vec<PersonPost>, StoreError> {
        let sql = format!(
            "SELECT c.id, c.person, c.party, c.level, c.region, c.district, c.role, c.event, \
             c.acting, {REF_DATE}, \
             (SELECT group_concat(s.person_as_reported, char(31)) FROM change_sources s \
              WHERE s.change_id = c.id) \
             FROM changes c WHERE {PERSON_MATCH} \
             ORDER BY {REF_DATE}, c.first_seen, c.id LIMIT ?2 OFFSET ?3"
        );
        let limit = limit.map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        let mut st = self.conn.prepare(&sql)?;
        type Raw = (
            (i64, String, String, String, String, Option<String>),
            (String, String, bool, String, Option<String>),
        );
        let raws: Vec<Raw> = st
            .query_map(rusqlite::params![key, limit, offset], |r| {
                Ok((
                    (
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ),
                    (r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?),
                ))
            })?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(raws.len());
        for ((id, person_name, party, level, region, district), rest) in raws {
            let (role, event, acting, date, spellings) = rest;
            out.push(PersonPost {
                id,
                spellings: spellings_of(&person_name, spellings.as_deref()),
                person: person_name,
                party,
                level: super::parse_enum("changes.level", &level)?,
                region,
                district,
                role: super::parse_enum("changes.role", &role)?,
                event: super::parse_enum("changes.event", &event)?,
                acting,
                date: parse_date("changes.date", &date)?,
            });
        }
        Ok(out)
    }
}

/// The change's own spelling, then each distinct source spelling
/// (`joined` is their `group_concat` with U+001F between them).
fn spellings_of(person_name: &str, joined: Option<&str>) -> Vec<String> {
    let mut sp: Vec<String> = vec![person_name.to_string()];
    for s in joined.unwrap_or("").split('\u{1f}') {
        let s = s.trim();
        if !s.is_empty() && !sp.iter().any(|x| x == s) {
            sp.push(s.to_string());
        }
    }
    sp
}
