//! An imported roster: rows an analyst already knows, stored as confirmed
//! changes with `origin = 'import'`.
//!
//! Each row goes through the same merge as a detected report, so a row
//! that restates a stored change becomes one more source of it, and changes
//! detected later build on the imported ones: a new holder of the post
//! follows the imported one in the roster, a later report of the same event
//! merges into it. Re-importing a file adds nothing (the source URL, post and
//! person make the report's fingerprint).

use super::changes::{merge_report, SourceInput};
use super::{RefreshSummary, Store, StoreError};
use crate::model::RosterRow;
use chrono::{DateTime, Utc};

impl Store {
    /// Stores every row in one transaction; changes the rows create are
    /// marked imported and confirmed.
    pub fn import_roster(
        &mut self,
        rows: &[RosterRow],
        now: DateTime<Utc>,
    ) -> Result<RefreshSummary, StoreError> {
        let window = self.merge_window_days;
        let tx = self.write_tx()?;
        let mut summary = RefreshSummary::default();
        for r in rows {
            let src = SourceInput {
                url: r.source_url.clone(),
                title: Some("imported roster".into()),
                outlet: None,
                lang: None,
                published: r
                    .change
                    .date
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map(|d| d.and_utc()),
                article_id: None,
            };
            merge_report(&tx, &r.change, &src, now, window, &mut summary)?;
        }
        for id in &summary.changes_new {
            tx.execute(
                "UPDATE changes SET origin = 'import', status = 'confirmed' WHERE id = ?1",
                [id],
            )?;
            tx.execute(
                "INSERT INTO change_reviews (change_id, previous_status, status, note, at)
                 VALUES (?1, 'new', 'confirmed', 'imported roster', ?2)",
                rusqlite::params![id, super::ts(now)],
            )?;
        }
        tx.commit()?;
        Ok(summary)
    }
}
