//! Turning change records into the subject, text and HTML of one digest.
//!
//! The Rust side prepares a plain context (groups, labels, formatted dates,
//! vetted links) so templates stay simple enough for a user to rewrite.
//! HTML safety does not depend on the user's template: `.html` templates are
//! auto-escaped by minijinja, and a link target is only offered (`href`) when
//! its scheme is http or https.

use super::{labels, DigestError, DigestSpec, Rendered};
use crate::model::ChangeRecord;
use chrono::{DateTime, Utc};
use minijinja::Environment;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// File names a template directory may provide.
pub const TEMPLATE_NAMES: [&str; 3] = ["subject.txt", "digest.txt", "digest.html"];

const EMBEDDED: [(&str, &str); 3] = [
    ("subject.txt", include_str!("../../templates/subject.txt")),
    ("digest.txt", include_str!("../../templates/digest.txt")),
    ("digest.html", include_str!("../../templates/digest.html")),
];

/// The three digest templates, compiled.
#[derive(Debug, Clone)]
pub struct Templates {
    env: Environment<'static>,
}

fn new_env() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    env
}

impl Templates {
    /// The templates shipped in `templates/`, compiled into the binary.
    pub fn embedded() -> Templates {
        let mut env = new_env();
        for (name, src) in EMBEDDED {
            // The embedded sources are fixed at build time and covered by a
            // unit test, so a syntax error here is a build defect.
            if let Err(e) = env.add_template(name, src) {
                panic!("embedded template {name} does not compile: {e}");
            }
        }
        Templates { env }
    }

    /// The embedded templates, each replaced by the file of the same name in
    /// `dir` when there is one (`subject.txt`, `digest.txt`, `digest.html`).
    pub fn from_dir(dir: &Path) -> Result<Templates, DigestError> {
        if !dir.is_dir() {
            return Err(DigestError::TemplateDir {
                path: dir.to_path_buf(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory"),
            });
        }
        let mut env = new_env();
        for (name, default) in EMBEDDED {
            let path = dir.join(name);
            let src = if path.is_file() {
                std::fs::read_to_string(&path).map_err(|source| DigestError::TemplateDir {
                    path: path.clone(),
                    source,
                })?
            } else {
                default.to_string()
            };
            env.add_template_owned(name, src)
                .map_err(|source| DigestError::Template {
                    name: path.display().to_string(),
                    source,
                })?;
        }
        Ok(Templates { env })
    }

    fn render(&self, name: &str, ctx: &Context) -> Result<String, DigestError> {
        let tmpl = self
            .env
            .get_template(name)
            .map_err(|source| DigestError::Template {
                name: name.to_string(),
                source,
            })?;
        tmpl.render(ctx).map_err(|source| DigestError::Template {
            name: name.to_string(),
            source,
        })
    }
}

#[derive(Debug, Serialize)]
struct SourceCtx {
    url: String,
    /// Present only for http(s) URLs; templates link with this.
    href: Option<String>,
    title: Option<String>,
    outlet: Option<String>,
    published: Option<String>,
}

#[derive(Debug, Serialize)]
struct ChangeCtx {
    id: i64,
    person: String,
    role: String,
    role_label: String,
    acting: bool,
    event: String,
    event_label: String,
    previous_role: Option<String>,
    date: Option<String>,
    confidence: f32,
    confidence_pct: u32,
    evidence: String,
    district: Option<String>,
    status: String,
    sources: Vec<SourceCtx>,
}

#[derive(Debug, Serialize)]
struct RegionCtx {
    code: String,
    name: String,
    changes: Vec<ChangeCtx>,
}

#[derive(Debug, Serialize)]
struct PartyCtx {
    id: String,
    name: String,
    regions: Vec<RegionCtx>,
}

#[derive(Debug, Serialize)]
struct Context {
    digest: String,
    lang: String,
    l: BTreeMap<&'static str, &'static str>,
    review_note: String,
    count: usize,
    count_phrase: String,
    review_count: usize,
    period_from: String,
    period_to: String,
    period_short: String,
    timezone: String,
    groups: Vec<PartyCtx>,
    review: Vec<PartyCtx>,
}

/// Only absolute http(s) URLs may become link targets; anything else
/// (`javascript:`, `data:`, relative junk) is shown as text.
pub fn safe_href(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    match parsed.scheme() {
        "http" | "https" if parsed.host_str().is_some() => Some(parsed.to_string()),
        _ => None,
    }
}

/// Whether a change goes to the "needs review" section: not yet confirmed by
/// a person and detected with confidence under the digest's threshold.
pub fn needs_review(c: &ChangeRecord, spec: &DigestSpec) -> bool {
    c.needs_review(spec.review_below)
}

fn change_ctx(c: &ChangeRecord, spec: &DigestSpec) -> ChangeCtx {
    let lang = spec.language;
    let mut sources: Vec<&crate::model::ChangeSource> = c.sources.iter().collect();
    sources.sort_by(|a, b| a.published.cmp(&b.published).then(a.url.cmp(&b.url)));
    sources.dedup_by(|a, b| a.url == b.url);
    ChangeCtx {
        id: c.id,
        person: c.person.clone(),
        role: c.role.as_str().to_string(),
        role_label: labels::role(lang, c.role, c.acting).to_string(),
        acting: c.acting,
        event: c.event.as_str().to_string(),
        event_label: labels::event(lang, c.event).to_string(),
        previous_role: c.previous_role.clone().filter(|s| !s.trim().is_empty()),
        date: c.date.map(|d| d.format("%Y-%m-%d").to_string()),
        confidence: c.confidence,
        confidence_pct: (c.confidence.clamp(0.0, 1.0) * 100.0).round() as u32,
        evidence: c.evidence.clone(),
        district: c.district.clone(),
        status: c.status.as_str().to_string(),
        sources: sources
            .into_iter()
            .map(|s| SourceCtx {
                url: s.url.clone(),
                href: safe_href(&s.url),
                title: s.title.clone().filter(|t| !t.trim().is_empty()),
                outlet: s.outlet.clone(),
                published: s.published.map(|p| {
                    p.with_timezone(&spec.tz_or_default())
                        .format("%Y-%m-%d")
                        .to_string()
                }),
            })
            .collect(),
    }
}

/// Party → region → changes, parties and regions by display name, changes
/// by event date (undated last), then by id for a stable order.
fn group(changes: &[&ChangeRecord], spec: &DigestSpec) -> Vec<PartyCtx> {
    let lang = spec.language;
    // Keys are (display name, id) so groups sort by what the reader sees.
    type ByRegion<'a> = BTreeMap<(String, String), Vec<&'a ChangeRecord>>;
    let mut by_party: BTreeMap<(String, String), ByRegion> = BTreeMap::new();
    for c in changes {
        let pname = labels::party(lang, &c.party);
        let rname = labels::region(lang, &c.region);
        by_party
            .entry((pname, c.party.clone()))
            .or_default()
            .entry((rname, c.region.clone()))
            .or_default()
            .push(c);
    }
    by_party
        .into_iter()
        .map(|((pname, pid), regions)| PartyCtx {
            id: pid,
            name: pname,
            regions: regions
                .into_iter()
                .map(|((rname, code), mut cs)| {
                    cs.sort_by(|a, b| {
                        (a.date.is_none(), a.date, a.id).cmp(&(b.date.is_none(), b.date, b.id))
                    });
                    RegionCtx {
                        code,
                        name: rname,
                        changes: cs.into_iter().map(|c| change_ctx(c, spec)).collect(),
                    }
                })
                .collect(),
        })
        .collect()
}

/// Renders one digest of `changes` for the period `(from, to)`.
pub fn render(
    changes: &[ChangeRecord],
    spec: &DigestSpec,
    period: (DateTime<Utc>, DateTime<Utc>),
    templates: &Templates,
) -> Result<Rendered, DigestError> {
    let tz = spec.tz()?;
    let lang = spec.language;
    let (main, review): (Vec<&ChangeRecord>, Vec<&ChangeRecord>) =
        changes.iter().partition(|c| !needs_review(c, spec));
    let (from, to) = (period.0.with_timezone(&tz), period.1.with_timezone(&tz));
    let (fd, td) = (
        from.format("%Y-%m-%d").to_string(),
        to.format("%Y-%m-%d").to_string(),
    );
    let ctx = Context {
        digest: spec.name.clone(),
        lang: lang.as_str().to_string(),
        l: labels::labels(lang),
        review_note: labels::review_note(
            lang,
            (spec.review_below.clamp(0.0, 1.0) * 100.0).round() as u32,
        ),
        count: changes.len(),
        count_phrase: labels::count_phrase(lang, changes.len()),
        review_count: review.len(),
        period_from: from.format("%Y-%m-%d %H:%M").to_string(),
        period_to: to.format("%Y-%m-%d %H:%M").to_string(),
        period_short: if fd == td {
            fd
        } else {
            format!("{fd} – {td}")
        },
        timezone: tz.name().to_string(),
        groups: group(&main, spec),
        review: group(&review, spec),
    };
    let subject = templates.render("subject.txt", &ctx)?;
    // A header must be one line whatever the template produced.
    let subject = crate::text::collapse_whitespace(&subject);
    Ok(Rendered {
        subject,
        text: templates.render("digest.txt", &ctx)?,
        html: templates.render("digest.html", &ctx)?,
    })
}
