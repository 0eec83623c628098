//! The read-only HTTP API: the change log, one change, the roster, feeds,
//! an Atom feed of the latest changes, health and Prometheus metrics.
//!
//! Each request opens its own read-only SQLite connection inside
//! `spawn_blocking`: opening is cheap (well under a millisecond), WAL lets
//! readers run beside the daemon's writer, and no connection is shared
//! between threads. Query parameters are the CLI's filters, parsed by
//! [`crate::query`], so both reject the same values with the same message;
//! a bad value gives HTTP 400 with a JSON body naming it.
//!
//! With a token configured every endpoint except `/healthz` requires
//! `Authorization: Bearer <token>`, compared in constant time.

use crate::metrics::Metrics;
use crate::model::ChangeRecord;
use crate::query::{ChangeFilter, FilterParams, QueryError, Resolvers, RosterFilter};
use crate::store::{Store, StoreError};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path as UrlPath, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

/// Default and maximum page size of `/api/changes`.
pub const DEFAULT_LIMIT: usize = 100;
pub const MAX_LIMIT: usize = 1000;
/// Entries in `/changes.atom`.
pub const ATOM_ENTRIES: usize = 50;

/// What the handlers share.
#[derive(Clone)]
pub struct ApiState {
    pub db_path: PathBuf,
    pub metrics: Arc<Metrics>,
    /// When set, required as a bearer token on everything but `/healthz`.
    pub token: Option<String>,
    /// Region/party name lookups for filters (codes always work).
    pub resolvers: Resolvers,
}

impl ApiState {
    /// State with no token and code-only filters.
    pub fn new(db_path: PathBuf, metrics: Arc<Metrics>) -> Self {
        ApiState {
            db_path,
            metrics,
            token: None,
            resolvers: Resolvers::codes_only(),
        }
    }
}

/// An error response: `{"error": "...", "param": "...", "value": "..."}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
}

#[derive(Debug, Serialize)]
struct ErrorBody {
    error: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    param: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<String>,
}

impl ApiError {
    fn new(status: StatusCode, error: impl Into<String>) -> Self {
        ApiError {
            status,
            body: ErrorBody {
                error: error.into(),
                param: None,
                value: None,
            },
        }
    }
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            body: ErrorBody {
                error: e.to_string(),
                param: Some(e.param),
                value: Some(e.value),
            },
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "API store error");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "database error")
    }
}

impl From<QueryRejection> for ApiError {
    fn from(e: QueryRejection) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("malformed query string: {e}"),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

/// Builds the router.
pub fn router(state: ApiState) -> Router {
    let protected = Router::new()
        .route("/api/changes", get(list_changes))
        .route("/api/changes/{id}", get(get_change))
        .route("/api/roster", get(get_roster))
        .route("/api/feeds", get(get_feeds))
        .route("/changes.atom", get(atom))
        .route("/metrics", get(metrics))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token));
    Router::new()
        .route("/healthz", get(healthz))
        .merge(protected)
        // The HTML view under `/`, with its own token gate (bearer or cookie).
        .merge(crate::web::routes(state.clone()))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "no such endpoint") })
        .with_state(state)
}

/// Serves until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: ApiState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Hashing both sides first makes the comparison take the same time
/// whatever the token's length or where it first differs.
pub(crate) fn token_matches(given: &str, expected: &str) -> bool {
    let a = Sha256::digest(given.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

async fn require_token(State(state): State<ApiState>, req: Request, next: Next) -> Response {
    if let Some(expected) = &state.token {
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        if !given.is_some_and(|g| token_matches(g, expected)) {
            let mut resp = ApiError::new(StatusCode::UNAUTHORIZED, "missing or wrong bearer token")
                .into_response();
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return resp;
        }
    }
    next.run(req).await
}

/// Runs a read-only store query on the blocking pool.
async fn with_store<T, F>(state: &ApiState, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&Store) -> Result<T, ApiError> + Send + 'static,
{
    let path = state.db_path.clone();
    tokio::task::spawn_blocking(move || {
        let store = Store::open_read_only(&path)?;
        f(&store)
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "API worker failed");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
    })?
}

fn filter_params(pairs: Vec<(String, String)>, allowed: &[&str]) -> Result<FilterParams, ApiError> {
    let mut p = FilterParams::default();
    for (k, v) in pairs {
        if !allowed.contains(&k.as_str()) {
            return Err(QueryError {
                param: "parameter".to_string(),
                value: k,
                reason: format!(
                    "unknown parameter (expected one of: {})",
                    allowed.join(", ")
                ),
            }
            .into());
        }
        p.set(&k, v)?;
    }
    Ok(p)
}

fn change_filter(
    state: &ApiState,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
    default_limit: usize,
) -> Result<ChangeFilter, ApiError> {
    let Query(pairs) = q?;
    let p = filter_params(pairs, FilterParams::NAMES)?;
    let mut f = ChangeFilter::parse(&p, &state.resolvers)?;
    match f.limit {
        None => f.limit = Some(default_limit),
        Some(l) if l > MAX_LIMIT => {
            return Err(QueryError {
                param: "limit".to_string(),
                value: l.to_string(),
                reason: format!("at most {MAX_LIMIT}"),
            }
            .into())
        }
        Some(_) => {}
    }
    Ok(f)
}

async fn list_changes(
    State(state): State<ApiState>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<Vec<ChangeRecord>>, ApiError> {
    let f = change_filter(&state, q, DEFAULT_LIMIT)?;
    let rows = with_store(&state, move |s| Ok(s.changes(&f)?)).await?;
    Ok(Json(rows))
}

async fn get_change(
    State(state): State<ApiState>,
    UrlPath(id): UrlPath<String>,
) -> Result<Response, ApiError> {
    let id: i64 = id.parse().map_err(|_| QueryError {
        param: "id".to_string(),
        value: id.clone(),
        reason: "expected a change id (a whole number)".to_string(),
    })?;
    let detail = with_store(&state, move |s| Ok(s.change(id)?)).await?;
    match detail {
        Some(d) => Ok(Json(d).into_response()),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no change {id}"),
        )),
    }
}

async fn get_roster(
    State(state): State<ApiState>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(pairs) = q?;
    let p = filter_params(pairs, &["party", "region", "level"])?;
    let f = RosterFilter::parse(
        p.party.as_deref(),
        p.region.as_deref(),
        p.level.as_deref(),
        &state.resolvers,
    )?;
    let rows = with_store(&state, move |s| Ok(s.roster(&f)?)).await?;
    Ok(Json(rows).into_response())
}

async fn get_feeds(State(state): State<ApiState>) -> Result<Response, ApiError> {
    let rows = with_store(&state, |s| Ok(s.feeds()?)).await?;
    Ok(Json(rows).into_response())
}

async fn healthz(State(state): State<ApiState>) -> Response {
    match with_store(&state, |s| Ok(s.ping()?)).await {
        Ok(_) => (StatusCode::OK, Json(serde_json::json!({"status": "ok"}))).into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(
                serde_json::json!({"status": "unavailable", "error": "database cannot be opened"}),
            ),
        )
            .into_response(),
    }
}

async fn metrics(State(state): State<ApiState>) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    let mut body = state.metrics.render_prometheus();
    // The counters above are this process's; the gauges below describe the
    // database, so they are right even after a restart. A database that
    // cannot be read leaves them out rather than failing the scrape.
    match with_store(&state, |s| Ok(s.status_summary(chrono::Utc::now())?)).await {
        Ok(summary) => body.push_str(&store_gauges(&summary)),
        Err(_) => tracing::warn!("metrics: database gauges unavailable"),
    }
    (headers, body).into_response()
}

/// Prometheus gauges from the store's status summary.
pub fn store_gauges(s: &crate::store::StatusSummary) -> String {
    let mut out = String::new();
    let mut gauge = |name: &str, help: &str, samples: &[(&str, i64)]| {
        out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} gauge\n"));
        for (labels, v) in samples {
            out.push_str(&format!("{name}{labels} {v}\n"));
        }
    };
    gauge(
        "branchwatch_feeds",
        "Configured feeds by state.",
        &[
            ("{state=\"ok\"}", s.feeds_ok),
            ("{state=\"failing\"}", s.feeds_failing),
            ("{state=\"disabled\"}", s.feeds_disabled),
        ],
    );
    gauge(
        "branchwatch_changes",
        "Changes in the log.",
        &[("", s.changes_total)],
    );
    gauge(
        "branchwatch_changes_unreviewed",
        "Changes not yet confirmed or rejected.",
        &[("", s.changes_unreviewed)],
    );
    gauge(
        "branchwatch_outbox_messages",
        "Digest messages by outbox state.",
        &[
            ("{state=\"pending\"}", s.outbox_pending),
            ("{state=\"failed\"}", s.outbox_failed),
        ],
    );
    if let Some(t) = s.last_cycle_at {
        gauge(
            "branchwatch_last_fetch_timestamp_seconds",
            "Unix time of the latest feed fetch attempt.",
            &[("", t.timestamp())],
        );
    }
    out
}

async fn atom(
    State(state): State<ApiState>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let mut f = change_filter(&state, q, ATOM_ENTRIES)?;
    if f.status.is_none() {
        f.hide_rejected = true;
    }
    let rows = with_store(&state, move |s| Ok(s.changes(&f)?)).await?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/atom+xml; charset=utf-8"),
    );
    Ok((headers, atom_document(&rows)).into_response())
}

/// Escapes text for XML and drops characters XML 1.0 forbids.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The title of a change as one line, e.g. "Kuat Baigozhaev elected chair
/// (AMANAT, KZ-33)".
pub fn change_title(c: &ChangeRecord) -> String {
    let acting = if c.acting { "acting " } else { "" };
    let place = match &c.district {
        Some(d) => format!("{}, {} {}", c.party, c.region, d),
        None => format!("{}, {}", c.party, c.region),
    };
    format!(
        "{} {} {acting}{} ({} branch, {place})",
        c.person,
        c.event.as_str().replace('_', "-"),
        c.role.as_str().replace('_', " "),
        c.level
    )
}

/// An Atom 1.0 document (RFC 4287) of the given changes.
pub fn atom_document(changes: &[ChangeRecord]) -> String {
    let updated = changes
        .iter()
        .flat_map(|c| c.sources.iter().map(|s| s.seen_at).chain([c.first_seen]))
        .max()
        .unwrap_or(chrono::DateTime::UNIX_EPOCH);
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out.push_str("  <id>urn:branchwatch:changes</id>\n");
    out.push_str("  <title>branchwatch: party branch leadership changes</title>\n");
    out.push_str(&format!("  <updated>{}</updated>\n", rfc3339(updated)));
    out.push_str("  <author><name>branchwatch</name></author>\n");
    out.push_str("  <generator>branchwatch</generator>\n");
    for c in changes {
        let entry_updated = c
            .sources
            .iter()
            .map(|s| s.seen_at)
            .max()
            .unwrap_or(c.first_seen);
        out.push_str("  <entry>\n");
        out.push_str(&format!("    <id>urn:branchwatch:change:{}</id>\n", c.id));
        out.push_str(&format!("    <title>{}</title>\n", xml(&change_title(c))));
        out.push_str(&format!(
            "    <published>{}</published>\n",
            rfc3339(c.first_seen)
        ));
        out.push_str(&format!(
            "    <updated>{}</updated>\n",
            rfc3339(entry_updated)
        ));
        for (i, s) in c.sources.iter().enumerate() {
            let rel = if i == 0 { "alternate" } else { "related" };
            out.push_str(&format!("    <link rel=\"{rel}\" href=\"{}\"", xml(&s.url)));
            if let Some(t) = &s.title {
                out.push_str(&format!(" title=\"{}\"", xml(t)));
            }
            out.push_str("/>\n");
        }
        for term in [
            c.party.as_str(),
            c.region.as_str(),
            c.event.as_str(),
            c.role.as_str(),
        ] {
            out.push_str(&format!("    <category term=\"{}\"/>\n", xml(term)));
        }
        let mut content = format!(
            "{}\nEvent date: {}\nStatus: {}\nSources: {}\n\n{}",
            change_title(c),
            c.date
                .map_or_else(|| "unknown".to_string(), |d| d.to_string()),
            c.status,
            c.sources.len(),
            c.evidence
        );
        if let Some(p) = &c.previous_role {
            content.push_str(&format!("\nPreviously: {p}"));
        }
        out.push_str(&format!(
            "    <summary type=\"text\">{}</summary>\n",
            xml(&c.evidence)
        ));
        out.push_str(&format!(
            "    <content type=\"text\">{}</content>\n",
            xml(&content)
        ));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_comparison() {
        assert!(token_matches("s3cret", "s3cret"));
        assert!(!token_matches("s3cre", "s3cret"));
        assert!(!token_matches("", "s3cret"));
    }

    #[test]
    fn xml_escaping_drops_forbidden_characters() {
        assert_eq!(xml("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }
}
