//! Versioned schema migrations.
//!
//! `rusqlite_migration` keeps the applied version in `PRAGMA user_version`,
//! so a read-only opener can check it matches without writing. Append new
//! migrations; never edit one that has shipped.

use rusqlite_migration::{Migrations, M};

const V1: &str = r#"
CREATE TABLE feeds (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    -- The URL as the config file gives it; `url` may differ after a
    -- permanent redirect and must not be reset on the next config sync.
    config_url TEXT,
    origin TEXT NOT NULL CHECK (origin IN ('config', 'cli')),
    lang TEXT,
    poll_interval_secs INTEGER,
    enabled INTEGER NOT NULL DEFAULT 1,
    disabled_reason TEXT,
    etag TEXT,
    last_modified TEXT,
    consecutive_errors INTEGER NOT NULL DEFAULT 0,
    last_checked_at TEXT,
    last_success_at TEXT,
    last_error TEXT,
    last_error_kind TEXT,
    last_error_at TEXT,
    next_check_at TEXT,
    ttl_minutes INTEGER,
    max_age_secs INTEGER,
    created_at TEXT NOT NULL
);

CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    -- Canonical URL when the page declared one, else the fetched URL.
    url TEXT NOT NULL UNIQUE,
    fetched_url TEXT NOT NULL,
    title TEXT,
    text TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    published TEXT,
    lang TEXT,
    outlet TEXT,
    stored_at TEXT NOT NULL
);

CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    guid TEXT,
    link TEXT,
    title TEXT,
    summary TEXT,
    published TEXT,
    first_seen TEXT NOT NULL,
    article_id INTEGER REFERENCES articles(id),
    article_error TEXT,
    UNIQUE (feed_id, key)
);
CREATE INDEX items_feed_seen ON items(feed_id, first_seen);

CREATE TABLE changes (
    id INTEGER PRIMARY KEY,
    party TEXT NOT NULL,
    level TEXT NOT NULL,
    region TEXT NOT NULL,
    district TEXT,
    role TEXT NOT NULL,
    event TEXT NOT NULL,
    person TEXT NOT NULL,
    person_key TEXT NOT NULL,
    acting INTEGER NOT NULL,
    previous_role TEXT,
    date TEXT,
    evidence TEXT NOT NULL,
    confidence REAL NOT NULL,
    status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'confirmed', 'rejected')),
    first_seen TEXT NOT NULL
);
CREATE INDEX changes_post ON changes(party, level, region, role, event);

-- One row per report; the per-source values stay here so disagreements
-- between outlets remain visible after the change row picks a winner.
CREATE TABLE change_sources (
    id INTEGER PRIMARY KEY,
    change_id INTEGER NOT NULL REFERENCES changes(id) ON DELETE CASCADE,
    article_id INTEGER REFERENCES articles(id),
    url TEXT NOT NULL,
    title TEXT,
    outlet TEXT,
    lang TEXT,
    published TEXT,
    person_as_reported TEXT NOT NULL,
    person_key TEXT NOT NULL,
    acting INTEGER NOT NULL,
    previous_role TEXT,
    date TEXT,
    evidence TEXT NOT NULL,
    confidence REAL NOT NULL,
    seen_at TEXT NOT NULL,
    -- Hash of URL + post + person key: re-processing an article adds nothing.
    fingerprint TEXT NOT NULL UNIQUE
);
CREATE INDEX change_sources_change ON change_sources(change_id);

CREATE TABLE change_reviews (
    id INTEGER PRIMARY KEY,
    change_id INTEGER NOT NULL REFERENCES changes(id) ON DELETE CASCADE,
    previous_status TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT,
    at TEXT NOT NULL
);

CREATE TABLE change_edits (
    id INTEGER PRIMARY KEY,
    change_id INTEGER NOT NULL REFERENCES changes(id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    note TEXT,
    at TEXT NOT NULL
);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    digest TEXT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX outbox_digest_state ON outbox(digest, state);

CREATE TABLE outbox_changes (
    outbox_id INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
    change_id INTEGER NOT NULL REFERENCES changes(id),
    PRIMARY KEY (outbox_id, change_id)
);
CREATE INDEX outbox_changes_change ON outbox_changes(change_id);

CREATE TABLE digest_runs (
    digest TEXT PRIMARY KEY,
    last_run_at TEXT NOT NULL
);
"#;

/// Indexes for the web view's pages over a large log (issue 15), and the
/// distinct person keys, so a name search folds over a few thousand keys
/// instead of every change and source.
///
/// * `changes_ref_date`: the expression every list orders and filters by
///   (`REF_DATE` in `changes.rs`, event date else first-seen day; SQLite
///   uses an expression index only when the query spells the same
///   expression), so "newest 50" reads 50 index entries, not 100,000 rows.
/// * `changes_region`: region pages and `?region=` lists; party, level and
///   role follow so a branch page or a role filter stays inside the index.
/// * `changes_stats`: the map's activity per region and the timelines'
///   counts per month and party, read from the index alone; `date` and
///   `first_seen` are in it because SQLite counts an expression index as
///   covering only when the columns inside the expression are there too.
/// * `changes_person_key`, `change_sources_person_key`: a person's changes
///   by exact key, directly or through any source's spelling.
/// * `person_keys`: every key any change or source has had, kept by
///   triggers. Keys are never removed (a key no longer used just matches
///   no change), which keeps the triggers to plain inserts.
const V2: &str = r#"
CREATE INDEX changes_ref_date ON changes(COALESCE(date, substr(first_seen, 1, 10)));
CREATE INDEX changes_region ON changes(region, party, level, role);
CREATE INDEX changes_stats ON changes(
    region, COALESCE(date, substr(first_seen, 1, 10)), party, status, date, first_seen);
CREATE INDEX changes_person_key ON changes(person_key);
CREATE INDEX change_sources_person_key ON change_sources(person_key, change_id);

-- A rowid table: tools and tests that dump every table read `ORDER BY rowid`.
CREATE TABLE person_keys (key TEXT PRIMARY KEY);
INSERT OR IGNORE INTO person_keys (key)
    SELECT person_key FROM changes UNION SELECT person_key FROM change_sources;
CREATE TRIGGER person_keys_change_insert AFTER INSERT ON changes BEGIN
    INSERT OR IGNORE INTO person_keys (key) VALUES (new.person_key);
END;
CREATE TRIGGER person_keys_change_update AFTER UPDATE OF person_key ON changes BEGIN
    INSERT OR IGNORE INTO person_keys (key) VALUES (new.person_key);
END;
CREATE TRIGGER person_keys_source_insert AFTER INSERT ON change_sources BEGIN
    INSERT OR IGNORE INTO person_keys (key) VALUES (new.person_key);
END;
CREATE TRIGGER person_keys_source_update AFTER UPDATE OF person_key ON change_sources BEGIN
    INSERT OR IGNORE INTO person_keys (key) VALUES (new.person_key);
END;
"#;

/// Backfill (issue 16): jobs that read a site's archive, their discovered
/// URLs, and where each change came from.
///
/// * `changes.origin`: `poll` for changes polling found (news), `backfill`
///   for changes a backfill job created (history: in the log and roster,
///   never mailed as new), `import` for rows of an imported roster.
///   Set when the change row is created; a later report merging into it
///   does not change it.
/// * `backfill_urls.state`: `pending` → `fetching` (committed before the
///   request goes out) → `downloaded` (the page's text committed as soon
///   as it arrived) → `fetched` (committed in the same transaction as the
///   article and its changes; the text is dropped) or `failed`. See
///   `store::backfill`.
/// * `backfill_urls.lane`: 0 likely, 1 untitled, 2 unlikely; the next URL
///   is the pending one with the lowest (lane, id).
const V3: &str = r#"
ALTER TABLE changes ADD COLUMN origin TEXT NOT NULL DEFAULT 'poll'
    CHECK (origin IN ('poll', 'backfill', 'import'));

CREATE TABLE backfill_jobs (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    since TEXT,
    until TEXT,
    sitemap TEXT,
    feed_pages TEXT,
    state TEXT NOT NULL CHECK (state IN ('running', 'paused', 'cancelled', 'done')),
    -- Set once discovery's URLs are stored; a job without it discovers again.
    discovered_at TEXT,
    -- The process running the job, so two processes (the service and a
    -- foreground command) never run it at once with two request budgets.
    runner_pid INTEGER,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE backfill_urls (
    id INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL REFERENCES backfill_jobs(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    title TEXT,
    -- news:publication_date or the feed item's date, and the sitemap's lastmod.
    published TEXT,
    lastmod TEXT,
    lane INTEGER NOT NULL CHECK (lane IN (0, 1, 2)),
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'fetching', 'downloaded', 'fetched', 'failed')),
    -- The page as received, kept only while `downloaded`.
    final_url TEXT,
    body TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    article_id INTEGER REFERENCES articles(id),
    changes_new INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT,
    UNIQUE (job_id, url)
);
CREATE INDEX backfill_urls_next ON backfill_urls(job_id, state, lane, id);
CREATE INDEX backfill_urls_url ON backfill_urls(url, state);
CREATE INDEX articles_fetched_url ON articles(fetched_url);
"#;

/// All migrations, oldest first.
pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![M::up(V1), M::up(V2), M::up(V3)])
}

/// The `user_version` a fully migrated database has.
pub const LATEST_VERSION: i64 = 3;
