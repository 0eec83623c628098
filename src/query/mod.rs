//! Filters over the change log and the renderings shared by CLI and API.
//!
//! The CLI and the HTTP API accept the same parameters as strings; parsing
//! them here once means both reject the same bad values with the same
//! message, and JSON output uses the model's serde names in both.
//!
//! Region and party names ("Алматы облысы", "Аманат") are resolved to codes
//! by functions the caller supplies ([`Resolvers`]), normally backed by the
//! detector's language tables; codes (`KZ-33`, `AMANAT`) are always accepted.

mod render;

pub use render::{
    render_change_detail, render_changes, render_feeds, render_roster, render_status,
    render_status_json, Format,
};

// The filters are data types shared with the store, so they live in the
// model; parsing them from user input is this module's part.
pub use crate::model::{is_region_code, ChangeFilter, RosterFilter};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A bad filter parameter; the message names the parameter and the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {param} {value:?}: {reason}")]
pub struct QueryError {
    pub param: String,
    pub value: String,
    pub reason: String,
}

/// Maps a user-supplied name to a canonical code, `None` if unknown.
pub type NameResolver = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Name → code lookups for regions and parties.
#[derive(Clone)]
pub struct Resolvers {
    pub region: NameResolver,
    pub party: NameResolver,
}

impl Resolvers {
    /// Resolvers that know no names: only codes are accepted.
    pub fn codes_only() -> Self {
        Resolvers {
            region: Arc::new(|_| None),
            party: Arc::new(|_| None),
        }
    }
}

impl Default for Resolvers {
    fn default() -> Self {
        Self::codes_only()
    }
}

impl std::fmt::Debug for Resolvers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Resolvers { .. }")
    }
}

/// Raw filter parameters as the CLI or a query string gives them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FilterParams {
    pub party: Option<String>,
    pub region: Option<String>,
    pub level: Option<String>,
    pub role: Option<String>,
    pub event: Option<String>,
    pub person: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub status: Option<String>,
    pub limit: Option<String>,
    pub offset: Option<String>,
}

impl FilterParams {
    /// The parameter names, for rejecting unknown ones.
    pub const NAMES: &'static [&'static str] = &[
        "party", "region", "level", "role", "event", "person", "since", "until", "status", "limit",
        "offset",
    ];

    /// Sets a parameter by name; `Err` names an unknown parameter.
    pub fn set(&mut self, name: &str, value: String) -> Result<(), QueryError> {
        let slot = match name {
            "party" => &mut self.party,
            "region" => &mut self.region,
            "level" => &mut self.level,
            "role" => &mut self.role,
            "event" => &mut self.event,
            "person" => &mut self.person,
            "since" => &mut self.since,
            "until" => &mut self.until,
            "status" => &mut self.status,
            "limit" => &mut self.limit,
            "offset" => &mut self.offset,
            _ => {
                return Err(QueryError {
                    param: "parameter".to_string(),
                    value: name.to_string(),
                    reason: format!(
                        "unknown parameter (expected one of: {})",
                        Self::NAMES.join(", ")
                    ),
                })
            }
        };
        *slot = Some(value);
        Ok(())
    }
}

fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn trimmed(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

fn bad(param: &str, value: &str, reason: impl Into<String>) -> QueryError {
    QueryError {
        param: param.to_string(),
        value: value.to_string(),
        reason: reason.into(),
    }
}

fn parse_enum<T: std::str::FromStr>(param: &str, v: Option<&str>) -> Result<Option<T>, QueryError>
where
    T::Err: std::fmt::Display,
{
    v.map(|s| s.parse::<T>().map_err(|e| bad(param, s, e.to_string())))
        .transpose()
}

fn parse_region(v: Option<&str>, r: &Resolvers) -> Result<Option<String>, QueryError> {
    let Some(s) = v else { return Ok(None) };
    if let Some(code) = (r.region)(s) {
        return Ok(Some(code));
    }
    let up = s.to_uppercase();
    if is_region_code(&up) {
        return Ok(Some(up));
    }
    Err(bad(
        "region",
        s,
        "unknown region (give a name or a code such as KZ-33)",
    ))
}

fn parse_party(v: Option<&str>, r: &Resolvers) -> Result<Option<String>, QueryError> {
    let Some(s) = v else { return Ok(None) };
    if let Some(code) = (r.party)(s) {
        return Ok(Some(code));
    }
    let up = s.to_uppercase();
    if up.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Ok(Some(up));
    }
    Err(bad(
        "party",
        s,
        "unknown party (give a name or an id such as AMANAT)",
    ))
}

fn parse_date(param: &str, v: Option<&str>) -> Result<Option<NaiveDate>, QueryError> {
    v.map(|s| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| bad(param, s, "expected a date as YYYY-MM-DD"))
    })
    .transpose()
}

fn parse_count(param: &str, v: Option<&str>) -> Result<Option<usize>, QueryError> {
    v.map(|s| {
        s.parse::<usize>()
            .map_err(|_| bad(param, s, "expected a non-negative whole number"))
    })
    .transpose()
}

impl ChangeFilter {
    /// Parses CLI/API strings; the error names the first bad value.
    pub fn parse(p: &FilterParams, r: &Resolvers) -> Result<ChangeFilter, QueryError> {
        let f = ChangeFilter {
            party: parse_party(nonempty(&p.party), r)?,
            region: parse_region(nonempty(&p.region), r)?,
            level: parse_enum("level", nonempty(&p.level))?,
            role: parse_enum("role", nonempty(&p.role))?,
            event: parse_enum("event", nonempty(&p.event))?,
            person: nonempty(&p.person).map(str::to_string),
            since: parse_date("since", nonempty(&p.since))?,
            until: parse_date("until", nonempty(&p.until))?,
            status: parse_enum("status", nonempty(&p.status))?,
            hide_rejected: false,
            limit: parse_count("limit", nonempty(&p.limit))?,
            offset: parse_count("offset", nonempty(&p.offset))?,
        };
        if let (Some(s), Some(u)) = (f.since, f.until) {
            if s > u {
                return Err(bad("until", &u.to_string(), format!("is before since {s}")));
            }
        }
        if let Some(person) = &f.person {
            if crate::store::person::tokens(person).is_empty() {
                return Err(bad("person", person, "contains no letters"));
            }
        }
        Ok(f)
    }
}

impl RosterFilter {
    /// Parses CLI/API strings; the error names the first bad value.
    pub fn parse(
        party: Option<&str>,
        region: Option<&str>,
        level: Option<&str>,
        r: &Resolvers,
    ) -> Result<RosterFilter, QueryError> {
        Ok(RosterFilter {
            party: parse_party(trimmed(party), r)?,
            region: parse_region(trimmed(region), r)?,
            level: parse_enum("level", trimmed(level))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Event, Level, ReviewStatus};

    #[test]
    fn parses_every_field() {
        let p = FilterParams {
            party: Some("amanat".into()),
            region: Some("kz-33".into()),
            level: Some("district".into()),
            role: Some("chair".into()),
            event: Some("re-elected".into()),
            person: Some("Байгожаев".into()),
            since: Some("2024-01-01".into()),
            until: Some("2024-12-31".into()),
            status: Some("confirmed".into()),
            limit: Some("10".into()),
            offset: Some("5".into()),
        };
        let f = ChangeFilter::parse(&p, &Resolvers::codes_only()).unwrap();
        assert_eq!(f.party.as_deref(), Some("AMANAT"));
        assert_eq!(f.region.as_deref(), Some("KZ-33"));
        assert_eq!(f.level, Some(Level::District));
        assert_eq!(f.event, Some(Event::ReElected));
        assert_eq!(f.status, Some(ReviewStatus::Confirmed));
        assert_eq!((f.limit, f.offset), (Some(10), Some(5)));
    }

    #[test]
    fn errors_name_the_bad_value() {
        let r = Resolvers::codes_only();
        let cases = [
            ("region", "Atlantis"),
            ("since", "2024-13-01"),
            ("status", "maybe"),
            ("role", "mayor"),
            ("limit", "-3"),
            ("party", "Nur Otan"),
        ];
        for (param, value) in cases {
            let mut p = FilterParams::default();
            p.set(param, value.to_string()).unwrap();
            let e = ChangeFilter::parse(&p, &r).unwrap_err();
            let msg = e.to_string();
            assert!(msg.contains(value), "{msg}");
            assert!(msg.contains(param), "{msg}");
        }
        let mut p = FilterParams::default();
        assert!(p
            .set("colour", "red".into())
            .unwrap_err()
            .to_string()
            .contains("colour"));
    }

    #[test]
    fn resolver_maps_names_to_codes() {
        let r = Resolvers {
            region: Arc::new(|n| (n == "Алматы облысы").then(|| "KZ-19".to_string())),
            party: Arc::new(|n| (n.to_lowercase() == "ақ жол").then(|| "AK_ZHOL".to_string())),
        };
        let f = RosterFilter::parse(Some("Ақ жол"), Some("Алматы облысы"), None, &r).unwrap();
        assert_eq!(f.party.as_deref(), Some("AK_ZHOL"));
        assert_eq!(f.region.as_deref(), Some("KZ-19"));
        assert!(RosterFilter::parse(None, Some("Нарния"), None, &r).is_err());
    }

    #[test]
    fn since_after_until_is_rejected() {
        let p = FilterParams {
            since: Some("2024-05-01".into()),
            until: Some("2024-04-01".into()),
            ..FilterParams::default()
        };
        let e = ChangeFilter::parse(&p, &Resolvers::codes_only()).unwrap_err();
        assert!(e.to_string().contains("2024-04-01"));
    }
}
