//! Table, JSON and CSV renderings of changes, roster and feeds.
//!
//! JSON is the serde form of the store's types, the same the HTTP API
//! returns; CSV flattens sources to counts and URLs; the table is for a
//! terminal and truncates long cells.

use crate::model::{ChangeRecord, REVIEW_BELOW};
use crate::store::{ChangeDetail, FeedRow, RosterEntry, StatusSummary};
use serde::Serialize;
use std::fmt;
use std::fmt::Write as _;
use std::path::Path;
use std::str::FromStr;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Table,
    Json,
    Csv,
}

impl FromStr for Format {
    type Err = super::QueryError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "table" => Ok(Format::Table),
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            _ => Err(super::QueryError {
                param: "format".to_string(),
                value: s.to_string(),
                reason: "expected table, json or csv".to_string(),
            }),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Csv => "csv",
        })
    }
}

const MAX_CELL: usize = 48;

fn json<T: Serialize + ?Sized>(v: &T) -> String {
    // Serialising plain data structs cannot fail; fall back to an empty
    // array rather than panic if it ever did.
    let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|_| "[]".to_string());
    s.push('\n');
    s
}

fn csv_out(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut write = || -> Result<Vec<u8>, csv::Error> {
        w.write_record(header)?;
        for r in &rows {
            w.write_record(r)?;
        }
        w.flush()?;
        Ok(w.get_ref().clone())
    };
    String::from_utf8(write().unwrap_or_default()).unwrap_or_default()
}

fn cell(s: &str) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() > MAX_CELL {
        let mut t: String = one_line.chars().take(MAX_CELL - 1).collect();
        t.push('…');
        t
    } else {
        one_line
    }
}

fn table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|r| r.iter().map(|c| cell(c)).collect())
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(c);
            if i + 1 < cells.len() {
                s.extend(std::iter::repeat_n(' ', widths[i] - c.chars().count()));
            }
        }
        s.push('\n');
        s
    };
    let mut out = line(&header.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    for r in &rows {
        out.push_str(&line(r));
    }
    if rows.is_empty() {
        out.push_str("(none)\n");
    }
    out
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// Confidence with the digest's "needs review" mark when the change is unconfirmed
/// and under [`REVIEW_BELOW`]: «0.65 review».
fn confidence_mark(c: &ChangeRecord) -> String {
    if c.needs_review(REVIEW_BELOW) {
        format!("{:.2} review", c.confidence)
    } else {
        format!("{:.2}", c.confidence)
    }
}

/// Renders changes.
pub fn render_changes(changes: &[ChangeRecord], format: Format) -> String {
    match format {
        Format::Json => json(changes),
        Format::Csv => csv_out(
            &[
                "id",
                "date",
                "party",
                "level",
                "region",
                "district",
                "role",
                "event",
                "person",
                "acting",
                "previous_role",
                "status",
                "confidence",
                "needs_review",
                "first_seen",
                "sources",
                "urls",
                "evidence",
            ],
            changes
                .iter()
                .map(|c| {
                    vec![
                        c.id.to_string(),
                        opt(&c.date),
                        c.party.clone(),
                        c.level.to_string(),
                        c.region.clone(),
                        opt(&c.district),
                        c.role.to_string(),
                        c.event.to_string(),
                        c.person.clone(),
                        c.acting.to_string(),
                        opt(&c.previous_role),
                        c.status.to_string(),
                        format!("{:.2}", c.confidence),
                        c.needs_review(REVIEW_BELOW).to_string(),
                        c.first_seen.to_rfc3339(),
                        c.sources.len().to_string(),
                        c.sources
                            .iter()
                            .map(|s| s.url.as_str())
                            .collect::<Vec<_>>()
                            .join(" "),
                        c.evidence.clone(),
                    ]
                })
                .collect(),
        ),
        Format::Table => table(
            &[
                "ID", "DATE", "PARTY", "REGION", "POST", "EVENT", "PERSON", "SRC", "STATUS", "CONF",
            ],
            changes
                .iter()
                .map(|c| {
                    let post = match &c.district {
                        Some(d) => format!("{} {} ({d})", c.level, c.role),
                        None => format!("{} {}", c.level, c.role),
                    };
                    let event = if c.acting {
                        format!("{} (acting)", c.event)
                    } else {
                        c.event.to_string()
                    };
                    vec![
                        c.id.to_string(),
                        c.date.map_or_else(
                            || c.first_seen.date_naive().to_string() + "*",
                            |d| d.to_string(),
                        ),
                        c.party.clone(),
                        c.region.clone(),
                        post,
                        event,
                        c.person.clone(),
                        c.sources.len().to_string(),
                        c.status.to_string(),
                        confidence_mark(c),
                    ]
                })
                .collect(),
        ),
    }
}

/// Renders the roster.
pub fn render_roster(entries: &[RosterEntry], format: Format) -> String {
    let rows = || {
        entries
            .iter()
            .map(|e| {
                vec![
                    e.party.clone(),
                    e.level.to_string(),
                    e.region.clone(),
                    opt(&e.district),
                    e.role.to_string(),
                    e.holder.clone().unwrap_or_else(|| "(vacant)".to_string()),
                    e.acting.to_string(),
                    opt(&e.since),
                    opt(&e.predecessor),
                    e.sources.len().to_string(),
                ]
            })
            .collect::<Vec<_>>()
    };
    match format {
        Format::Json => json(entries),
        Format::Csv => csv_out(
            &[
                "party",
                "level",
                "region",
                "district",
                "role",
                "holder",
                "acting",
                "since",
                "predecessor",
                "sources",
            ],
            rows(),
        ),
        Format::Table => table(
            &[
                "PARTY",
                "LEVEL",
                "REGION",
                "DISTRICT",
                "ROLE",
                "HOLDER",
                "ACTING",
                "SINCE",
                "PREDECESSOR",
                "SRC",
            ],
            rows(),
        ),
    }
}

/// Renders feeds with their fetch state.
pub fn render_feeds(feeds: &[FeedRow], format: Format) -> String {
    let state = |f: &FeedRow| {
        if !f.enabled {
            format!("disabled: {}", f.disabled_reason.as_deref().unwrap_or("-"))
        } else if f.consecutive_errors > 0 {
            format!(
                "failing x{}: {}",
                f.consecutive_errors,
                f.last_error_kind.as_deref().unwrap_or("error")
            )
        } else if f.last_success_at.is_some() {
            "ok".to_string()
        } else {
            "new".to_string()
        }
    };
    match format {
        Format::Json => json(feeds),
        Format::Csv => csv_out(
            &[
                "id",
                "name",
                "url",
                "lang",
                "enabled",
                "disabled_reason",
                "consecutive_errors",
                "last_success_at",
                "last_error_kind",
                "last_error",
                "next_check_at",
                "item_count",
            ],
            feeds
                .iter()
                .map(|f| {
                    vec![
                        f.id.to_string(),
                        f.name.clone(),
                        f.url.clone(),
                        opt(&f.lang),
                        f.enabled.to_string(),
                        opt(&f.disabled_reason),
                        f.consecutive_errors.to_string(),
                        f.last_success_at
                            .map(|t| t.to_rfc3339())
                            .unwrap_or_default(),
                        opt(&f.last_error_kind),
                        opt(&f.last_error),
                        f.next_check_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                        f.item_count.to_string(),
                    ]
                })
                .collect(),
        ),
        Format::Table => table(
            &["ID", "NAME", "STATE", "ITEMS", "LAST OK", "NEXT", "URL"],
            feeds
                .iter()
                .map(|f| {
                    vec![
                        f.id.to_string(),
                        f.name.clone(),
                        state(f),
                        f.item_count.to_string(),
                        f.last_success_at
                            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                            .unwrap_or_else(|| "-".to_string()),
                        f.next_check_at
                            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                            .unwrap_or_else(|| "-".to_string()),
                        f.url.clone(),
                    ]
                })
                .collect(),
        ),
    }
}

/// `writeln!` into a `String`, which cannot fail.
macro_rules! wl {
    ($out:expr, $($arg:tt)*) => {
        let _ = writeln!($out, $($arg)*);
    };
}

/// One change with its sources, disagreements and review history
/// (`branchwatch show`); JSON is the serde form the API returns. CSV is not
/// offered for this nested record and renders as the table.
pub fn render_change_detail(d: &ChangeDetail, fmt: Format) -> String {
    if fmt == Format::Json {
        return json(d);
    }
    let mut out = String::new();
    let r = &d.record;
    wl!(out, "change #{}  [{}]", r.id, r.status);
    wl!(out, "  person         {}", r.person);
    wl!(
        out,
        "  role           {}{}",
        r.role,
        if r.acting { " (acting)" } else { "" }
    );
    wl!(out, "  event          {}", r.event);
    wl!(out, "  party          {}", r.party);
    wl!(
        out,
        "  branch         {} {}{}",
        r.level,
        r.region,
        r.district
            .as_deref()
            .map(|d| format!(" / {d}"))
            .unwrap_or_default()
    );
    wl!(
        out,
        "  previous role  {}",
        r.previous_role.as_deref().unwrap_or("-")
    );
    wl!(
        out,
        "  date           {}",
        r.date.map(|d| d.to_string()).unwrap_or_else(|| "-".into())
    );
    wl!(out, "  confidence     {}", confidence_mark(r));
    wl!(
        out,
        "  first seen     {}",
        r.first_seen.format("%Y-%m-%d %H:%M UTC")
    );
    wl!(out, "\nsources ({}):", r.sources.len());
    for s in &r.sources {
        wl!(
            out,
            "  - {} [{}] {}",
            s.url,
            s.lang.map(|l| l.as_str()).unwrap_or("?"),
            s.outlet.as_deref().unwrap_or("")
        );
        wl!(out, "    as reported: {}", s.person_as_reported);
        wl!(out, "    evidence: {}", s.evidence);
    }
    if !d.disagreements.is_empty() {
        wl!(out, "\nsources disagree on:");
        for dis in &d.disagreements {
            wl!(
                out,
                "  {} (shown: {})",
                dis.field,
                dis.chosen.as_deref().unwrap_or("-")
            );
            for v in &dis.values {
                wl!(
                    out,
                    "    {} ← {}",
                    v.value.as_deref().unwrap_or("-"),
                    v.urls.join(", ")
                );
            }
        }
    }
    if !d.reviews.is_empty() || !d.edits.is_empty() {
        wl!(out, "\nhistory:");
        for rv in &d.reviews {
            wl!(
                out,
                "  {} review {} → {}{}",
                rv.at.format("%Y-%m-%d %H:%M"),
                rv.previous_status,
                rv.status,
                rv.note
                    .as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            );
        }
        for e in &d.edits {
            wl!(
                out,
                "  {} edit {}: {} → {}{}",
                e.at.format("%Y-%m-%d %H:%M"),
                e.field,
                e.old_value.as_deref().unwrap_or("-"),
                e.new_value.as_deref().unwrap_or("-"),
                e.note
                    .as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            );
        }
    }
    out
}

/// The database's state (`branchwatch status`) as JSON.
pub fn render_status_json(s: &StatusSummary) -> String {
    json(s)
}

/// The database's state (`branchwatch status`) for a terminal.
pub fn render_status(s: &StatusSummary, database: &Path) -> String {
    let mut out = String::new();
    wl!(out, "database        {}", database.display());
    wl!(
        out,
        "feeds           {} total: {} ok, {} failing, {} disabled",
        s.feeds_total,
        s.feeds_ok,
        s.feeds_failing,
        s.feeds_disabled
    );
    wl!(
        out,
        "last cycle      {}",
        s.last_cycle_at
            .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_else(|| "never".into())
    );
    wl!(out, "items           {}", s.items_total);
    wl!(
        out,
        "changes         {} total, {} today, {} unreviewed",
        s.changes_total,
        s.changes_today,
        s.changes_unreviewed
    );
    wl!(
        out,
        "digest outbox   {} pending, {} failed",
        s.outbox_pending,
        s.outbox_failed
    );
    if s.backfill_running > 0 {
        wl!(
            out,
            "backfill        {} running job(s), {} page(s) to fetch",
            s.backfill_running,
            s.backfill_pending
        );
    }
    for d in &s.digests {
        wl!(
            out,
            "digest {:<8} last run {}",
            d.digest,
            d.last_run_at.format("%Y-%m-%d %H:%M UTC")
        );
    }
    out
}
