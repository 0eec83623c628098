//! `branchwatch roster import FILE.csv`: posts an analyst already knows.

use super::{Ctx, Outcome};
use anyhow::{Context, Result};
use branchwatch::store::Store;
use clap::Subcommand;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum RosterCommand {
    /// Import a known roster from CSV, as confirmed changes marked imported.
    ///
    /// Columns (header row, any order): party, region, level, district,
    /// role, person, since (YYYY-MM-DD), source_url; optional event (default
    /// elected) and acting. Party and region take any name the language
    /// tables know («Жетісу», Jetisu, KZ-33; Nur Otan → AMANAT). Every row
    /// is checked first and nothing is stored if one is wrong. Importing a
    /// file twice adds nothing; changes detected later build on the rows
    /// (a later holder follows, a report of the same event merges). Imported
    /// rows are not mailed in digests.
    ///
    /// Example row:
    ///   AMANAT,Жетісу,region,,chair,Серік Оспанов,2024-05-02,https://example.kz/news/1
    Import {
        /// The CSV file.
        file: PathBuf,
    },
}

pub fn import(ctx: &Ctx, file: &Path) -> Result<Outcome> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.display().to_string());
    let rows = branchwatch::import::parse(&text, &name, &super::query_cmd::resolvers(ctx)?)
        .with_context(|| format!("{} not imported", file.display()))?;
    let mut store = Store::open(&ctx.database)
        .with_context(|| format!("cannot open {}", ctx.database.display()))?;
    let s = store.import_roster(&rows, chrono::Utc::now())?;
    println!(
        "{} row(s): {} new change(s), {} merged into known ones, {} already imported",
        rows.len(),
        s.changes_new.len(),
        s.changes_merged.len(),
        s.sources_duplicate
    );
    Ok(Outcome::from_count(
        s.changes_new.len() + s.changes_merged.len(),
    ))
}
