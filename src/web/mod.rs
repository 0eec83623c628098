//! The web view: server-rendered HTML pages over the change log, served by
//! the API's HTTP server under `/` (the JSON API stays under `/api`).
//!
//! Pages: the overview (map, latest changes, changes-per-month chart), the
//! filtered change list (with CSV/JSON downloads of the same filter), one
//! change, a region or branch, a person, the feeds, and sign-in. Like the
//! API, every page reads through its own read-only SQLite connection; the
//! only writes are the review and edit forms, which call the same
//! `Store::review` and `Store::edit` as the CLI.
//!
//! Security: templates are minijinja with HTML auto-escaping; source links
//! are offered only for http(s) URLs; every response carries a
//! Content-Security-Policy without scripts (`default-src 'none'`,
//! `frame-ancestors 'none'`). With a token configured (`[api]` token_file
//! or `BRANCHWATCH_API_TOKEN`) every page needs it, as a bearer header or
//! as the session cookie set by the sign-in form (`Secure; HttpOnly;
//! SameSite=Strict`), and the review forms carry a CSRF field derived from
//! the token. Without a token the pages are read-only.
//!
//! Pages built from the log carry a strong ETag (a hash of the body) and
//! `Cache-Control: no-cache`, so a browser revalidates and gets a 304 when
//! nothing changed.

mod auth;
pub mod i18n;
pub mod map;
mod pages;
mod review;
pub mod translit;
mod views;

use crate::api::ApiState;
use crate::query::QueryError;
use crate::store::{Store, StoreError};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use i18n::UiLang;
use minijinja::Environment;
use once_cell::sync::Lazy;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Rows per page of the change list.
pub const PAGE_SIZE: usize = 50;
/// Rows in a CSV/JSON download of a filtered list.
pub const DOWNLOAD_MAX: usize = 10_000;
/// Latest changes on the overview.
pub const OVERVIEW_LATEST: usize = 15;

/// The policy every web response carries: no scripts, no plugins, no
/// framing, styles and images from this origin only, forms post here only.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// What can go wrong serving a page.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("sign in first")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("database error: {0}")]
    Store(#[from] StoreError),
    #[error("template error: {0}")]
    Template(#[from] minijinja::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<QueryError> for WebError {
    fn from(e: QueryError) -> Self {
        WebError::BadRequest(e.to_string())
    }
}

impl WebError {
    fn status(&self) -> StatusCode {
        match self {
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::Unauthorized => StatusCode::UNAUTHORIZED,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/web/base.html")),
    (
        "macros.html",
        include_str!("../../templates/web/macros.html"),
    ),
    (
        "overview.html",
        include_str!("../../templates/web/overview.html"),
    ),
    (
        "changes.html",
        include_str!("../../templates/web/changes.html"),
    ),
    (
        "change.html",
        include_str!("../../templates/web/change.html"),
    ),
    (
        "region.html",
        include_str!("../../templates/web/region.html"),
    ),
    (
        "person.html",
        include_str!("../../templates/web/person.html"),
    ),
    ("feeds.html", include_str!("../../templates/web/feeds.html")),
    (
        "signin.html",
        include_str!("../../templates/web/signin.html"),
    ),
    ("error.html", include_str!("../../templates/web/error.html")),
];

/// The page templates; `.html` names make minijinja escape every value
/// unless the code marks it safe (only the SVG this module builds).
static ENV: Lazy<Environment<'static>> = Lazy::new(|| {
    let mut env = Environment::new();
    for (name, src) in TEMPLATES {
        if let Err(e) = env.add_template(name, src) {
            tracing::error!(template = name, error = %e, "web template does not parse");
        }
    }
    env
});

const CSS: &str = include_str!("../../templates/web/web.css");

/// Per-request facts every page needs.
#[derive(Debug, Clone)]
pub struct PageCtx {
    pub ui: UiLang,
    /// `?lang=` was given: remember it in a cookie.
    pub lang_from_query: bool,
    pub uri: Uri,
    pub token_configured: bool,
    pub signed_in: bool,
    pub csrf: Option<String>,
    pub if_none_match: Option<String>,
}

impl PageCtx {
    pub fn from_request(state: &ApiState, headers: &HeaderMap, uri: &Uri) -> PageCtx {
        let query_lang = uri.query().and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "lang")
                .and_then(|(_, v)| UiLang::from_code(&v))
        });
        let cookie_lang = auth::cookie(headers, "bw_lang").and_then(|v| UiLang::from_code(&v));
        let accept = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(UiLang::from_accept_language);
        let signed_in = auth::signed_in(state, headers);
        PageCtx {
            ui: query_lang.or(cookie_lang).or(accept).unwrap_or_default(),
            lang_from_query: query_lang.is_some(),
            uri: uri.clone(),
            token_configured: state.token.is_some(),
            signed_in,
            csrf: state
                .token
                .as_deref()
                .filter(|_| signed_in)
                .map(auth::csrf_token),
            if_none_match: headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        }
    }

    /// Links to this page in each interface language.
    fn lang_links(&self) -> Vec<LangLink> {
        let pairs: Vec<(String, String)> = self
            .uri
            .query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .filter(|(k, _)| k != "lang")
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        UiLang::ALL
            .iter()
            .map(|l| {
                let mut ser = url::form_urlencoded::Serializer::new(String::new());
                for (k, v) in &pairs {
                    ser.append_pair(k, v);
                }
                ser.append_pair("lang", l.code());
                LangLink {
                    code: l.code(),
                    href: format!("{}?{}", self.uri.path(), ser.finish()),
                    current: *l == self.ui,
                }
            })
            .collect()
    }
}

#[derive(Debug, Serialize)]
struct LangLink {
    code: &'static str,
    href: String,
    current: bool,
}

/// The parts of every page's context that come from the request.
#[derive(Serialize)]
struct Common<'a> {
    t: std::collections::BTreeMap<&'static str, &'static str>,
    lang: &'static str,
    langs: Vec<LangLink>,
    token_configured: bool,
    signed_in: bool,
    csrf: Option<&'a str>,
}

fn common(ctx: &PageCtx) -> Common<'_> {
    Common {
        t: ctx.ui.labels(),
        lang: ctx.ui.code(),
        langs: ctx.lang_links(),
        token_configured: ctx.token_configured,
        signed_in: ctx.signed_in,
        csrf: ctx.csrf.as_deref(),
    }
}

/// Renders `template` with the common context plus `page`.
pub fn render<T: Serialize>(ctx: &PageCtx, template: &str, page: T) -> Result<String, WebError> {
    let tmpl = ENV.get_template(template)?;
    Ok(tmpl.render(minijinja::context! {
        c => minijinja::Value::from_serialize(common(ctx)),
        p => minijinja::Value::from_serialize(page),
    })?)
}

/// A rendered page with its ETag; `304` when the browser has it already.
pub fn html(ctx: &PageCtx, status: StatusCode, body: String) -> Response {
    let etag = format!(
        "\"{}\"",
        hex::encode(&Sha256::digest(body.as_bytes())[..16])
    );
    let not_modified = status == StatusCode::OK
        && ctx
            .if_none_match
            .as_deref()
            .is_some_and(|h| h.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut resp = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (status, body).into_response()
    };
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if ctx.lang_from_query {
        let c = format!(
            "bw_lang={}; Path=/; Max-Age=31536000; SameSite=Strict",
            ctx.ui.code()
        );
        if let Ok(v) = HeaderValue::from_str(&c) {
            h.append(header::SET_COOKIE, v);
        }
    }
    resp
}

/// The error page for `e`, in the interface language.
pub fn error_page(ctx: &PageCtx, e: &WebError) -> Response {
    let status = e.status();
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(error = %e, "web page failed");
    }
    if matches!(e, WebError::Unauthorized) {
        return pages::signin_page(ctx, StatusCode::UNAUTHORIZED, None);
    }
    let message = match status {
        StatusCode::INTERNAL_SERVER_ERROR => "internal error".to_string(),
        _ => e.to_string(),
    };
    #[derive(Serialize)]
    struct P {
        status: u16,
        message: String,
    }
    let page = P {
        status: status.as_u16(),
        message,
    };
    match render(ctx, "error.html", page) {
        Ok(body) => html(ctx, status, body),
        Err(_) => (status, e.to_string()).into_response(),
    }
}

/// Runs a read-only store query on the blocking pool.
pub async fn read<T, F>(state: &ApiState, f: F) -> Result<T, WebError>
where
    T: Send + 'static,
    F: FnOnce(&Store) -> Result<T, WebError> + Send + 'static,
{
    let path = state.db_path.clone();
    tokio::task::spawn_blocking(move || {
        let store = Store::open_read_only(&path)?;
        f(&store)
    })
    .await
    .map_err(|e| WebError::Internal(e.to_string()))?
}

type CacheMap = std::collections::HashMap<String, ([i64; 4], Arc<dyn std::any::Any + Send + Sync>)>;

/// Query results keyed by page query and [`Store::log_version`]: a page
/// asked again before the log changes reuses them instead of scanning
/// 100,000 rows again. Bounded; cleared when full.
static CACHE: Lazy<Mutex<CacheMap>> = Lazy::new(|| Mutex::new(CacheMap::new()));
const CACHE_MAX: usize = 512;

/// Whether [`cached`] keeps results; on unless `bench web --no-cache`.
static CACHE_ON: AtomicBool = AtomicBool::new(true);

/// Turns the page query cache on or off (off: every page reads the
/// database, which is what `bench web --no-cache` measures).
pub fn set_query_cache(on: bool) {
    CACHE_ON.store(on, Ordering::Relaxed);
}

/// `f`'s result for `key` at the log's current version, computed once.
pub fn cached<T, F>(store: &Store, key: String, f: F) -> Result<T, WebError>
where
    T: Clone + Send + Sync + 'static,
    F: FnOnce(&Store) -> Result<T, WebError>,
{
    if !CACHE_ON.load(Ordering::Relaxed) {
        return f(store);
    }
    let version = store.log_version()?;
    let hit = CACHE
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&key)
        .filter(|(v, _)| *v == version)
        .and_then(|(_, val)| val.clone().downcast::<T>().ok());
    if let Some(v) = hit {
        return Ok((*v).clone());
    }
    let value = f(store)?;
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    if cache.len() >= CACHE_MAX {
        cache.clear();
    }
    cache.insert(key, (version, Arc::new(value.clone())));
    Ok(value)
}

/// Runs a write (review, edit) on the blocking pool.
pub async fn write<T, F>(state: &ApiState, f: F) -> Result<T, WebError>
where
    T: Send + 'static,
    F: FnOnce(&mut Store) -> Result<T, WebError> + Send + 'static,
{
    let path = state.db_path.clone();
    tokio::task::spawn_blocking(move || {
        let mut store = Store::open(&path)?;
        f(&mut store)
    })
    .await
    .map_err(|e| WebError::Internal(e.to_string()))?
}

/// Security headers on every web response, and the token gate: with a
/// token configured, only sign-in and the stylesheet are open.
async fn guard(State(state): State<ApiState>, req: Request, next: Next) -> Response {
    let open = matches!(req.uri().path(), "/signin" | "/static/web.css");
    let mut resp = if state.token.is_some() && !open && !auth::signed_in(&state, req.headers()) {
        let ctx = PageCtx::from_request(&state, req.headers(), req.uri());
        if req.method() == Method::GET || req.method() == Method::HEAD {
            pages::signin_page(&ctx, StatusCode::UNAUTHORIZED, None)
        } else {
            error_page(&ctx, &WebError::Unauthorized)
        }
    } else {
        next.run(req).await
    };
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache"),
        );
    }
    h.insert(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    resp
}

async fn css() -> Response {
    let mut resp = Response::new(Body::from(CSS));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    resp
}

/// The web routes, for merging into the API router.
pub fn routes(state: ApiState) -> Router<ApiState> {
    Router::new()
        .route("/", get(pages::overview))
        .route("/changes", get(pages::changes))
        .route("/changes.csv", get(pages::changes_csv))
        .route("/changes.json", get(pages::changes_json))
        .route("/change/{id}", get(pages::change))
        .route("/change/{id}/review", post(review::review))
        .route("/change/{id}/edit", post(review::edit))
        .route("/region/{code}", get(pages::region))
        .route("/person", get(pages::person))
        .route("/feeds", get(pages::feeds))
        .route("/signin", get(pages::signin).post(review::signin))
        .route("/signout", post(review::signout))
        .route("/static/web.css", get(css))
        .route_layer(middleware::from_fn_with_state(state, guard))
}
