//! The data that flows between pipeline stages.
//!
//! Every stage takes and returns these types, so a stage can be replaced or
//! tested without knowing its neighbours' internals. Nothing here does I/O.
//! Field names serialise in `snake_case`, matching the corpus schema
//! (`../shared/corpus/README.md`) and the CLI/API JSON.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Languages the detector understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Kk,
    Ru,
    En,
}

/// A party-branch post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Chair,
    FirstDeputyChair,
    DeputyChair,
    ExecutiveSecretary,
    /// First secretary of a Communist party's regional committee (обком),
    /// the old QHP/КНПК equivalent of a branch chair.
    FirstSecretary,
}

/// What happened to the post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    Elected,
    Appointed,
    ReElected,
    Dismissed,
    Resigned,
}

/// Which kind of branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// An oblys / область branch.
    Region,
    /// Astana, Almaty or Shymkent, or a town under a region (then `district` names it).
    City,
    /// An аудан / район branch.
    District,
}

macro_rules! str_enum {
    ($t:ty { $($v:ident => $s:literal),* $(,)? }) => {
        impl $t {
            /// Every value, in declaration order.
            pub const ALL: &'static [$t] = &[$(<$t>::$v),*];
            /// The canonical snake_case name used in JSON, SQL and the CLI.
            pub fn as_str(self) -> &'static str {
                match self { $(<$t>::$v => $s),* }
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $t {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, UnknownValue> {
                let t = s.trim().to_ascii_lowercase().replace('-', "_");
                match t.as_str() {
                    $($s => Ok(<$t>::$v),)*
                    _ => Err(UnknownValue {
                        kind: stringify!($t),
                        value: s.to_string(),
                        expected: &[$($s),*],
                    }),
                }
            }
        }
    };
}

str_enum!(Lang { Kk => "kk", Ru => "ru", En => "en" });
str_enum!(Role {
    Chair => "chair",
    FirstDeputyChair => "first_deputy_chair",
    DeputyChair => "deputy_chair",
    ExecutiveSecretary => "executive_secretary",
    FirstSecretary => "first_secretary",
});
str_enum!(Event {
    Elected => "elected",
    Appointed => "appointed",
    ReElected => "re_elected",
    Dismissed => "dismissed",
    Resigned => "resigned",
});
str_enum!(Level { Region => "region", City => "city", District => "district" });

/// A value that is not one of an enum's names; the message lists the valid ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {value:?} (expected one of: {})", expected.join(", "))]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
    pub expected: &'static [&'static str],
}

impl Event {
    /// Events that put a person into the post (as opposed to vacating it).
    pub fn fills_post(self) -> bool {
        matches!(self, Event::Elected | Event::Appointed | Event::ReElected)
    }
}

/// One leadership change found in one article by the detector.
///
/// `party` is a canonical party id from the language tables (`AMANAT`,
/// `AK_ZHOL`, `AUYL`, `RESPUBLICA`, `QHP`, `NSDP`, `BAYTAQ`, or one a user
/// added); `region` an ISO 3166-2:KZ code such as `KZ-33`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetectedChange {
    /// Nominative, given name first, in the article's script.
    pub person: String,
    pub role: Role,
    pub party: String,
    pub level: Level,
    pub region: String,
    /// Latin name of the district or town under a region.
    pub district: Option<String>,
    pub event: Event,
    pub acting: bool,
    pub previous_role: Option<String>,
    /// Date of the event (not of publication), when the article gives a full day.
    pub date: Option<NaiveDate>,
    /// The sentence (or two) that states the change, as written.
    pub evidence: String,
    /// 0.0 ..= 1.0
    pub confidence: f32,
}

/// What the detector needs to know about an article.
#[derive(Debug, Clone, Default)]
pub struct DetectInput<'a> {
    pub title: &'a str,
    /// Paragraphs separated by `\n`.
    pub text: &'a str,
    /// Language if known; the detector decides from the text otherwise.
    pub lang: Option<Lang>,
    /// Publication date, to resolve «кеше», «вчера», "on Thursday".
    pub published: Option<NaiveDate>,
}

/// A configured feed as the scheduler and store see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedSpec {
    pub name: String,
    pub url: String,
    pub lang: Option<Lang>,
    /// Overrides the default poll interval.
    pub poll_interval_secs: Option<u64>,
}

/// One entry of a parsed feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedItem {
    /// Stable identity within the feed (see `feed::item_key`).
    pub key: String,
    pub guid: Option<String>,
    pub link: Option<String>,
    pub title: Option<String>,
    /// Summary or inline content as plain text.
    pub summary: Option<String>,
    pub published: Option<DateTime<Utc>>,
}

/// A parsed feed document.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ParsedFeed {
    pub title: Option<String>,
    /// RSS `<ttl>`, minutes.
    pub ttl_minutes: Option<u32>,
    pub items: Vec<FeedItem>,
}

/// An article page reduced to what detection and storage need.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Article {
    /// The URL the page was fetched from.
    pub url: String,
    pub canonical_url: Option<String>,
    pub title: Option<String>,
    /// Main text, paragraphs separated by `\n`, NFC.
    pub text: String,
    /// With the page's own offset preserved.
    pub published: Option<DateTime<FixedOffset>>,
    pub lang: Option<Lang>,
    pub outlet: Option<String>,
}

/// Caching validators and the result of one conditional GET.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// Review state of a stored change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    New,
    Confirmed,
    Rejected,
}
str_enum!(ReviewStatus { New => "new", Confirmed => "confirmed", Rejected => "rejected" });

/// Where a stored change was reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeSource {
    pub url: String,
    pub title: Option<String>,
    pub outlet: Option<String>,
    pub lang: Option<Lang>,
    pub published: Option<DateTime<Utc>>,
    /// The person's name as this source spelled it.
    pub person_as_reported: String,
    pub evidence: String,
    pub confidence: f32,
    pub seen_at: DateTime<Utc>,
}

/// A change as the store keeps it: one event, however many outlets reported it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeRecord {
    pub id: i64,
    pub person: String,
    pub role: Role,
    pub party: String,
    pub level: Level,
    pub region: String,
    pub district: Option<String>,
    pub event: Event,
    pub acting: bool,
    pub previous_role: Option<String>,
    pub date: Option<NaiveDate>,
    /// Best evidence sentence among the sources.
    pub evidence: String,
    /// Highest confidence among the sources.
    pub confidence: f32,
    pub status: ReviewStatus,
    pub first_seen: DateTime<Utc>,
    pub sources: Vec<ChangeSource>,
}

/// Confidence under which an unconfirmed change is marked "needs review" — in the
/// digest's section of that name (its default `review_below`), in `changes` and in
/// `show`. Set from the detector's calibration (README, "Detection"): on the
/// development sets, changes at 0.70 or above were right at least nine times in ten,
/// those below about three times in four.
pub const REVIEW_BELOW: f32 = 0.70;

impl ChangeRecord {
    /// Unconfirmed and under the review threshold.
    pub fn needs_review(&self, below: f32) -> bool {
        self.status != ReviewStatus::Confirmed && self.confidence < below
    }
}

/// Whether `s` looks like an ISO 3166-2:KZ subdivision code (`KZ-33`,
/// `KZ-ALA`).
pub fn is_region_code(s: &str) -> bool {
    s.strip_prefix("KZ-").is_some_and(|rest| {
        (2..=3).contains(&rest.len())
            && rest
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    })
}

/// Which changes to return: what the store selects by. Built from user
/// input by [`crate::query`] (`ChangeFilter::parse`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChangeFilter {
    /// Canonical party id.
    pub party: Option<String>,
    /// ISO 3166-2:KZ code.
    pub region: Option<String>,
    pub level: Option<Level>,
    pub role: Option<Role>,
    pub event: Option<Event>,
    /// Any spelling; matched on the folded person key.
    pub person: Option<String>,
    /// Inclusive, on the event date (else first-seen date).
    pub since: Option<NaiveDate>,
    /// Inclusive, on the event date (else first-seen date).
    pub until: Option<NaiveDate>,
    pub status: Option<ReviewStatus>,
    /// Leave out rejected changes (when `status` is not given).
    pub hide_rejected: bool,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

/// Which roster posts to return.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RosterFilter {
    pub party: Option<String>,
    pub region: Option<String>,
    pub level: Option<Level>,
}

/// State of a backfill job (`branchwatch backfill list`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Discovered URLs are being fetched (or will be on the next start).
    Running,
    /// Stopped by the user; `backfill resume` continues it.
    Paused,
    /// Stopped for good; its URLs are never fetched.
    Cancelled,
    /// Every discovered URL was fetched or failed.
    Done,
}

/// Where one discovered URL of a backfill job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UrlState {
    Pending,
    /// Its request may be on the wire: recorded before the fetch starts, so
    /// a restart after SIGKILL knows which page may have been requested.
    Fetching,
    /// The page arrived and is stored; extraction and detection follow.
    Downloaded,
    /// Fetched, and its article and changes stored (one transaction).
    Fetched,
    /// Given up on (a 404, or transient errors too many times).
    Failed,
}

/// Priority lane of a discovered URL: cheap evidence (its title) decides
/// whether the page is fetched early or late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Lane {
    /// The known title has a branch or leadership cue: fetched first.
    Likely,
    /// No title known: fetched after the likely ones.
    Untitled,
    /// The known title has no cue: fetched last.
    Unlikely,
}

str_enum!(JobState { Running => "running", Paused => "paused", Cancelled => "cancelled", Done => "done" });
str_enum!(UrlState {
    Pending => "pending",
    Fetching => "fetching",
    Downloaded => "downloaded",
    Fetched => "fetched",
    Failed => "failed",
});
str_enum!(Lane { Likely => "likely", Untitled => "untitled", Unlikely => "unlikely" });

/// An article URL found in a site's archive (a sitemap or a feed page),
/// with what the archive says about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArchiveEntry {
    pub url: String,
    /// `news:title` of a news sitemap or the feed item's title.
    pub title: Option<String>,
    /// `news:publication_date` or the feed item's date: when it was published.
    pub published: Option<DateTime<Utc>>,
    /// `<lastmod>`: when the page last changed (at or after publication).
    pub lastmod: Option<DateTime<Utc>>,
}

impl ArchiveEntry {
    /// The date the archive gives for the article: publication, else last change.
    pub fn date(&self) -> Option<DateTime<Utc>> {
        self.published.or(self.lastmod)
    }
}

/// What a backfill job reads: one site, a date range, and where its archive is.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BackfillSpec {
    /// Host name (`example.kz`) or origin (`http://127.0.0.1:8080`).
    pub site: String,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    /// Sitemap (or sitemap index) to read instead of looking for them.
    pub sitemap: Option<String>,
    /// A WordPress-style feed to page through with `?paged=N`.
    pub feed_pages: Option<String>,
}

/// A discovered URL as the job stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobUrl {
    pub id: i64,
    pub url: String,
    pub title: Option<String>,
    /// See [`ArchiveEntry`].
    pub published: Option<DateTime<Utc>>,
    pub lastmod: Option<DateTime<Utc>>,
    pub lane: Lane,
    pub attempts: u32,
}

/// A backfill job with its progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackfillJob {
    pub id: i64,
    #[serde(flatten)]
    pub spec: BackfillSpec,
    pub state: JobState,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub discovered: u64,
    pub pending: u64,
    pub fetched: u64,
    pub failed: u64,
    /// Changes first created by this job (history, not mailed as news).
    pub changes_found: u64,
    pub last_error: Option<String>,
}

/// One row of an imported roster (`roster import`): the change it states
/// and where the analyst knows it from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterRow {
    /// Line in the CSV file.
    pub line: u64,
    pub change: DetectedChange,
    /// The row's `source_url`, else `import:FILE#LINE`.
    pub source_url: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip_through_their_names() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), *r);
            assert_eq!(
                serde_json::to_string(r).unwrap(),
                format!("\"{}\"", r.as_str())
            );
        }
        for e in Event::ALL {
            assert_eq!(e.as_str().parse::<Event>().unwrap(), *e);
        }
        assert_eq!("re-elected".parse::<Event>().unwrap(), Event::ReElected);
    }

    #[test]
    fn unknown_value_lists_the_valid_names() {
        let err = "mayor".parse::<Role>().unwrap_err().to_string();
        assert!(err.contains("\"mayor\""), "{err}");
        assert!(err.contains("executive_secretary"), "{err}");
    }
}
