//! A roster an analyst already knows, from CSV, as change reports the store
//! can merge (`branchwatch roster import FILE.csv`).
//!
//! Columns, by header name (any order, case-insensitive): `party`, `region`,
//! `level`, `district`, `role`, `person`, `since`, `source_url`, and
//! optionally `event` (default `elected`) and `acting` (`true`/`yes`/`1`).
//! Party and region take any name the language tables know («Жетісу»,
//! "Jetisu", `KZ-33`; «Nur Otan» → `AMANAT`). Every row is checked before
//! anything is stored; the error lists each bad row with its line.

use crate::model::{DetectedChange, Event, Level, Role, RosterRow};
use crate::query::Resolvers;
use chrono::NaiveDate;

/// Rows of a file that cannot be imported; nothing was stored.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read the CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("missing column(s): {0} (columns: party, region, level, district, role, person, since, source_url[, event, acting])")]
    MissingColumns(String),
    #[error("{} row(s) cannot be imported:\n{}", .0.len(), .0.join("\n"))]
    Rows(Vec<String>),
}

const REQUIRED: &[&str] = &["party", "region", "level", "role", "person", "since"];

/// Parses and checks a roster CSV. `name` is used in the source of rows
/// without a URL (so importing the same file twice adds nothing).
pub fn parse(text: &str, name: &str, resolvers: &Resolvers) -> Result<Vec<RosterRow>, ImportError> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|c| !headers.iter().any(|h| h == c))
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns(missing.join(", ")));
    }
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for rec in rdr.records() {
        let rec = rec?;
        let line = rec.position().map_or(0, |p| p.line());
        let fields: Fields = headers
            .iter()
            .zip(rec.iter())
            .map(|(h, v)| (h.clone(), v.trim().to_string()))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        match row(&fields, resolvers) {
            Ok(change) => rows.push(RosterRow {
                line,
                source_url: fields
                    .get("source_url")
                    .cloned()
                    .unwrap_or_else(|| format!("import:{name}#{line}")),
                change: DetectedChange {
                    evidence: format!("imported from {name}, line {line}"),
                    ..change
                },
            }),
            Err(e) => problems.push(format!("  line {line}: {e}")),
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(ImportError::Rows(problems))
    }
}

/// A row's non-empty values by lower-case column name.
type Fields = std::collections::HashMap<String, String>;

fn row(f: &Fields, r: &Resolvers) -> Result<DetectedChange, String> {
    let get = |n: &str| f.get(n).map(String::as_str);
    let need = |n: &str| get(n).ok_or_else(|| format!("{n} is empty"));
    let party_name = need("party")?;
    let party = (r.party)(party_name).ok_or_else(|| format!("unknown party {party_name:?}"))?;
    let region_name = need("region")?;
    let region =
        (r.region)(region_name).ok_or_else(|| format!("unknown region {region_name:?}"))?;
    let level: Level = need("level")?.parse().map_err(|e| format!("{e}"))?;
    let role: Role = need("role")?.parse().map_err(|e| format!("{e}"))?;
    let event: Event = match get("event") {
        Some(e) => e.parse().map_err(|e| format!("{e}"))?,
        None => Event::Elected,
    };
    let since = need("since")?;
    let date = NaiveDate::parse_from_str(since, "%Y-%m-%d")
        .map_err(|_| format!("since {since:?} is not a date (YYYY-MM-DD)"))?;
    let district = get("district").map(String::from);
    if level == Level::District && district.is_none() {
        return Err("a district-level post needs its district".into());
    }
    Ok(DetectedChange {
        person: need("person")?.to_string(),
        role,
        party,
        level,
        region,
        district,
        event,
        acting: get("acting")
            .is_some_and(|a| matches!(a.to_ascii_lowercase().as_str(), "true" | "yes" | "1")),
        previous_role: None,
        date: Some(date),
        evidence: String::new(),
        confidence: 1.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn resolvers() -> Resolvers {
        let t = Arc::new(crate::detect::Tables::embedded().unwrap());
        let t2 = t.clone();
        Resolvers {
            region: Arc::new(move |n| crate::detect::region_code(n, &t)),
            party: Arc::new(move |n| crate::detect::party_id(n, &t2)),
        }
    }

    #[test]
    fn rows_resolve_names_and_keep_their_source() {
        let csv = "party,region,level,district,role,person,since,source_url\n\
                   Nur Otan,Жетісу,region,,chair,Серік Оспанов,2024-05-02,https://x.kz/a\n\
                   AK_ZHOL,KZ-55,region,,deputy_chair,Марат Кенжебаев,2023-01-10,\n";
        let rows = parse(csv, "known.csv", &resolvers()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].change.party, "AMANAT");
        assert_eq!(rows[0].change.region, "KZ-33");
        assert_eq!(rows[0].change.event, Event::Elected);
        assert_eq!(rows[0].source_url, "https://x.kz/a");
        assert_eq!(rows[1].source_url, "import:known.csv#3");
        assert_eq!(rows[1].change.date, NaiveDate::from_ymd_opt(2023, 1, 10));
    }

    #[test]
    fn every_bad_row_is_named_and_nothing_is_returned() {
        let csv = "party,region,level,district,role,person,since,source_url\n\
                   Nobody,Жетісу,region,,chair,A B,2024-05-02,\n\
                   AMANAT,Жетісу,region,,mayor,A B,2024-05-02,\n\
                   AMANAT,Жетісу,district,,chair,A B,2024-05-02,\n\
                   AMANAT,Жетісу,region,,chair,A B,May 2024,\n";
        let err = parse(csv, "f.csv", &resolvers()).unwrap_err().to_string();
        assert!(err.starts_with("4 row(s)"), "{err}");
        for needle in [
            "line 2: unknown party",
            "line 3:",
            "line 4: a district",
            "line 5: since",
        ] {
            assert!(err.contains(needle), "{needle} in {err}");
        }
        let err = parse("party,person\nAMANAT,A\n", "f.csv", &resolvers()).unwrap_err();
        assert!(
            err.to_string().contains("region, level, role, since"),
            "{err}"
        );
    }
}
