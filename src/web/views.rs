//! What templates see: rows with every label already in the interface
//! language and every link already built. Values stay plain text; the
//! templates escape them.

use super::i18n::UiLang;
use super::translit;
use crate::model::{ChangeRecord, ChangeSource, REVIEW_BELOW};
use crate::store::{FeedRow, PersonPost, PostRef, RosterEntry};
use serde::Serialize;

/// `/person?name=...` for a name as written.
pub fn person_href(name: &str) -> String {
    let q: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("name", name)
        .finish();
    format!("/person?{q}")
}

pub fn region_href(code: &str) -> String {
    format!("/region/{code}")
}

/// A link target only for http(s) URLs: anything else (`javascript:`,
/// `data:`) is shown as text, never offered as a link.
pub fn safe_url(u: &str) -> Option<String> {
    let parsed = url::Url::parse(u.trim()).ok()?;
    matches!(parsed.scheme(), "http" | "https").then(|| parsed.to_string())
}

/// A name as written, its Latin reading (English interface, Cyrillic
/// names only) and its page.
#[derive(Debug, Clone, Serialize)]
pub struct NameView {
    pub text: String,
    pub latin: Option<String>,
    pub href: String,
}

pub fn name_view(ui: UiLang, name: &str) -> NameView {
    NameView {
        text: name.to_string(),
        latin: (ui == UiLang::En && translit::has_cyrillic(name)).then(|| translit::to_latin(name)),
        href: person_href(name),
    }
}

/// One row of a change list.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeRow {
    pub id: i64,
    pub href: String,
    pub date: String,
    /// No event date: the first-seen day is shown instead.
    pub date_approx: bool,
    pub party: String,
    pub region: String,
    pub region_code: String,
    pub region_href: String,
    pub post: String,
    pub event: String,
    pub person: NameView,
    pub sources: usize,
    pub status: String,
    pub status_code: &'static str,
    pub confidence: String,
    pub needs_review: bool,
}

/// "region chair", "district deputy chair (Talgar)", in the interface language.
pub fn post_label(
    ui: UiLang,
    level: crate::model::Level,
    role: crate::model::Role,
    district: Option<&str>,
    acting: bool,
) -> String {
    let mut s = format!("{} {}", ui.level(level), ui.role(role));
    if acting {
        let labels = ui.labels();
        s = format!("{} {s}", labels.get("acting").copied().unwrap_or("acting"));
    }
    if let Some(d) = district {
        s.push_str(&format!(" ({d})"));
    }
    s
}

pub fn change_row(ui: UiLang, c: &ChangeRecord) -> ChangeRow {
    ChangeRow {
        id: c.id,
        href: format!("/change/{}", c.id),
        date: c
            .date
            .unwrap_or_else(|| c.first_seen.date_naive())
            .to_string(),
        date_approx: c.date.is_none(),
        party: ui.party(&c.party),
        region: ui.region(&c.region),
        region_code: c.region.clone(),
        region_href: region_href(&c.region),
        post: post_label(ui, c.level, c.role, c.district.as_deref(), c.acting),
        event: ui.event(c.event).to_string(),
        person: name_view(ui, &c.person),
        sources: c.sources.len(),
        status: ui.status(c.status).to_string(),
        status_code: c.status.as_str(),
        confidence: format!("{:.2}", c.confidence),
        needs_review: c.needs_review(REVIEW_BELOW),
    }
}

/// One source of a change.
#[derive(Debug, Clone, Serialize)]
pub struct SourceView {
    pub url: String,
    pub href: Option<String>,
    pub title: Option<String>,
    pub outlet: Option<String>,
    pub lang: Option<&'static str>,
    pub published: Option<String>,
    pub seen: String,
    pub person: NameView,
    pub evidence: String,
    pub confidence: String,
}

pub fn source_view(ui: UiLang, s: &ChangeSource) -> SourceView {
    SourceView {
        url: s.url.clone(),
        href: safe_url(&s.url),
        title: s.title.clone(),
        outlet: s.outlet.clone(),
        lang: s.lang.map(|l| l.as_str()),
        published: s.published.map(|t| t.format("%Y-%m-%d").to_string()),
        seen: s.seen_at.format("%Y-%m-%d %H:%M").to_string(),
        person: name_view(ui, &s.person_as_reported),
        evidence: s.evidence.clone(),
        confidence: format!("{:.2}", s.confidence),
    }
}

/// The previous or next holder of a post.
#[derive(Debug, Clone, Serialize)]
pub struct NeighbourView {
    pub href: String,
    pub person: NameView,
    pub event: String,
    pub date: String,
}

pub fn neighbour_view(ui: UiLang, p: &PostRef) -> NeighbourView {
    NeighbourView {
        href: format!("/change/{}", p.id),
        person: name_view(ui, &p.person),
        event: ui.event(p.event).to_string(),
        date: p.date.to_string(),
    }
}

/// One post on a region page.
#[derive(Debug, Clone, Serialize)]
pub struct RosterRow {
    pub party: String,
    pub post: String,
    pub holder: Option<NameView>,
    pub since: String,
    pub predecessor: Option<NameView>,
    pub change_href: Option<String>,
}

pub fn roster_row(ui: UiLang, e: &RosterEntry) -> RosterRow {
    RosterRow {
        party: ui.party(&e.party),
        post: post_label(ui, e.level, e.role, e.district.as_deref(), e.acting),
        holder: e.holder.as_deref().map(|h| name_view(ui, h)),
        since: e.since.map(|d| d.to_string()).unwrap_or_default(),
        predecessor: e.predecessor.as_deref().map(|h| name_view(ui, h)),
        change_href: e.change_ids.last().map(|id| format!("/change/{id}")),
    }
}

/// One post a person held.
#[derive(Debug, Clone, Serialize)]
pub struct PersonPostView {
    pub href: String,
    pub date: String,
    pub party: String,
    pub region: String,
    pub region_href: String,
    pub post: String,
    pub event: String,
    pub as_written: String,
}

pub fn person_post_view(ui: UiLang, p: &PersonPost) -> PersonPostView {
    PersonPostView {
        href: format!("/change/{}", p.id),
        date: p.date.to_string(),
        party: ui.party(&p.party),
        region: ui.region(&p.region),
        region_href: region_href(&p.region),
        post: post_label(ui, p.level, p.role, p.district.as_deref(), p.acting),
        event: ui.event(p.event).to_string(),
        as_written: p.person.clone(),
    }
}

/// One feed with its state as `feeds list` words it.
#[derive(Debug, Clone, Serialize)]
pub struct FeedView {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub href: Option<String>,
    pub state: String,
    pub state_code: &'static str,
    pub last_success: String,
    pub error_kind: String,
    pub last_error: String,
    pub errors: u32,
    pub next_poll: String,
    pub items: i64,
}

pub fn feed_view(ui: UiLang, f: &FeedRow) -> FeedView {
    let labels = ui.labels();
    let code = if !f.enabled {
        "disabled"
    } else if f.consecutive_errors > 0 {
        "failing"
    } else if f.last_success_at.is_some() {
        "ok"
    } else {
        "new"
    };
    let key = format!("state_{code}");
    let mut state = labels
        .get(key.as_str())
        .copied()
        .unwrap_or(code)
        .to_string();
    if let (false, Some(r)) = (f.enabled, f.disabled_reason.as_deref()) {
        state.push_str(&format!(": {r}"));
    }
    let t = |v: Option<chrono::DateTime<chrono::Utc>>| {
        v.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_else(|| "–".to_string())
    };
    FeedView {
        id: f.id,
        name: f.name.clone(),
        url: f.url.clone(),
        href: safe_url(&f.url),
        state,
        state_code: code,
        last_success: t(f.last_success_at),
        error_kind: f.last_error_kind.clone().unwrap_or_default(),
        last_error: f.last_error.clone().unwrap_or_default(),
        errors: f.consecutive_errors,
        next_poll: t(f.next_check_at),
        items: f.item_count,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_links_are_offered() {
        let cases = [
            ("https://news.kz/a?b=1", true),
            ("http://x.kz/", true),
            ("javascript:alert(1)", false),
            ("JaVaScRiPt:alert(1)", false),
            ("data:text/html,<script>", false),
            ("//evil.example/", false),
            ("not a url", false),
        ];
        for (u, ok) in cases {
            assert_eq!(safe_url(u).is_some(), ok, "{u}");
        }
    }
}
