//! The forms that write: sign-in/out (a cookie, not the database), and
//! review and edit of a change, through `Store::review` and `Store::edit`
//! like the CLI's `review` and `edit`.
//!
//! A write needs a configured token (else the pages are read-only: 403),
//! a request carrying it (else 401), an Origin that is this host and the
//! form's CSRF field (else 403).

use super::auth::{self, SESSION_COOKIE};
use super::pages::{self, parse_id};
use super::{read, write, PageCtx, WebError};
use crate::api::ApiState;
use crate::model::ReviewStatus;
use crate::store::{StoreError, EDITABLE_FIELDS};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

fn form(body: &Bytes) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn field<'a>(f: &'a [(String, String)], name: &str) -> Option<&'a str> {
    f.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn see_other(to: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// The checks every write passes before touching the store.
fn authorise(
    state: &ApiState,
    headers: &HeaderMap,
    f: &[(String, String)],
) -> Result<(), WebError> {
    let Some(token) = state.token.as_deref() else {
        return Err(WebError::Forbidden(
            "read-only: no token is configured, so the web view cannot change the log".into(),
        ));
    };
    if !auth::signed_in(state, headers) {
        return Err(WebError::Unauthorized);
    }
    if !auth::same_origin(headers) {
        return Err(WebError::Forbidden("cross-origin form refused".into()));
    }
    if !auth::csrf_ok(token, field(f, "csrf")) {
        return Err(WebError::Forbidden("missing or wrong CSRF field".into()));
    }
    Ok(())
}

fn not_found_is_404(e: WebError) -> WebError {
    match e {
        WebError::Store(StoreError::NotFound { what, id }) => {
            WebError::NotFound(format!("no {what} {id}"))
        }
        e => e,
    }
}

pub async fn review(
    State(st): State<ApiState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let ctx = PageCtx::from_request(&st, &headers, &uri);
    let f = form(&body);
    let r = async {
        authorise(&st, &headers, &f)?;
        let id = parse_id(&id)?;
        let status = match field(&f, "decision") {
            Some("confirm") => ReviewStatus::Confirmed,
            Some("reject") => ReviewStatus::Rejected,
            other => {
                return Err(WebError::BadRequest(format!(
                    "invalid decision {:?}: expected confirm or reject",
                    other.unwrap_or("")
                )))
            }
        };
        let note = field(&f, "note")
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        write(&st, move |s| {
            Ok(s.review(id, status, note.as_deref(), Utc::now())?)
        })
        .await
        .map_err(not_found_is_404)?;
        Ok(see_other(&format!("/change/{id}")))
    }
    .await;
    r.unwrap_or_else(|e| super::error_page(&ctx, &e))
}

/// The stored value of an editable field, as the edit form shows it.
fn current_value(r: &crate::model::ChangeRecord, field: &str) -> String {
    match field {
        "person" => r.person.clone(),
        "role" => r.role.as_str().into(),
        "party" => r.party.clone(),
        "level" => r.level.as_str().into(),
        "region" => r.region.clone(),
        "district" => r.district.clone().unwrap_or_default(),
        "event" => r.event.as_str().into(),
        "acting" => r.acting.to_string(),
        "previous_role" => r.previous_role.clone().unwrap_or_default(),
        "date" => r.date.map(|d| d.to_string()).unwrap_or_default(),
        "evidence" => r.evidence.clone(),
        _ => String::new(),
    }
}

pub async fn edit(
    State(st): State<ApiState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let ctx = PageCtx::from_request(&st, &headers, &uri);
    let f = form(&body);
    let r = async {
        authorise(&st, &headers, &f)?;
        let id = parse_id(&id)?;
        let detail = read(&st, move |s| Ok(s.change(id)?)).await?;
        let d = detail.ok_or_else(|| WebError::NotFound(format!("no change {id}")))?;
        // Only fields whose value differs are edited, one audited edit each.
        let changed: Vec<(String, String)> = EDITABLE_FIELDS
            .iter()
            .filter_map(|name| {
                let v = field(&f, name)?.trim().to_string();
                (v != current_value(&d.record, name).trim()).then(|| (name.to_string(), v))
            })
            .collect();
        let note = field(&f, "note")
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        let result = write(&st, move |s| {
            for (name, v) in &changed {
                s.edit(id, name, v, note.as_deref(), Utc::now())?;
            }
            Ok(())
        })
        .await;
        match result {
            Ok(()) => Ok(see_other(&format!("/change/{id}"))),
            Err(WebError::Store(
                e @ (StoreError::InvalidValue { .. } | StoreError::UnknownField { .. }),
            )) => pages::change_inner(&st, &ctx, &id.to_string(), Some(e.to_string())).await,
            Err(e) => Err(not_found_is_404(e)),
        }
    }
    .await;
    r.unwrap_or_else(|e| super::error_page(&ctx, &e))
}

pub async fn signin(
    State(st): State<ApiState>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let ctx = PageCtx::from_request(&st, &headers, &uri);
    let f = form(&body);
    let Some(token) = st.token.as_deref() else {
        return super::error_page(
            &ctx,
            &WebError::Forbidden(
                "read-only: no token is configured, there is nothing to sign in to".into(),
            ),
        );
    };
    if !auth::same_origin(&headers) {
        return super::error_page(
            &ctx,
            &WebError::Forbidden("cross-origin form refused".into()),
        );
    }
    let given = field(&f, "token").unwrap_or("").trim();
    if !crate::api::token_matches(given, token) {
        return pages::signin_page(&ctx, StatusCode::UNAUTHORIZED, Some("wrong token"));
    }
    let mut r = see_other("/");
    let cookie = format!(
        "{SESSION_COOKIE}={}; Path=/; Secure; HttpOnly; SameSite=Strict",
        auth::session_value(token)
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

pub async fn signout(State(st): State<ApiState>, headers: HeaderMap, uri: Uri) -> Response {
    let ctx = PageCtx::from_request(&st, &headers, &uri);
    if !auth::same_origin(&headers) {
        return super::error_page(
            &ctx,
            &WebError::Forbidden("cross-origin form refused".into()),
        );
    }
    let mut r = see_other("/signin");
    let cookie = format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}
