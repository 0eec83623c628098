//! Who may review: the configured token, as a bearer header or as the
//! session cookie the sign-in form sets, and the CSRF field of the forms.
//!
//! Both cookie and CSRF value are hashes of the token under different
//! labels: the server keeps no session table, a token change signs every
//! browser out, and neither value reveals the token. `SameSite=Strict`
//! already keeps other sites' forms from sending the cookie; the CSRF
//! field (and the Origin check) is the second lock.

use crate::api::{token_matches, ApiState};
use axum::http::{header, HeaderMap};
use sha2::{Digest, Sha256};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "bw_session";

fn derive(label: &str, token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"branchwatch web ");
    h.update(label.as_bytes());
    h.update([0u8]);
    h.update(token.as_bytes());
    hex::encode(h.finalize())
}

/// The session cookie's value for this token.
pub fn session_value(token: &str) -> String {
    derive("session", token)
}

/// The CSRF field's value for this token.
pub fn csrf_token(token: &str) -> String {
    derive("csrf", token)
}

/// The value of cookie `name`, if the request has it.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
}

/// Whether the request carries the configured token (bearer or cookie).
/// Always false when no token is configured.
pub fn signed_in(state: &ApiState, headers: &HeaderMap) -> bool {
    let Some(token) = state.token.as_deref() else {
        return false;
    };
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if bearer.is_some_and(|b| token_matches(b, token)) {
        return true;
    }
    cookie(headers, SESSION_COOKIE).is_some_and(|c| token_matches(&c, &session_value(token)))
}

/// Whether a form's CSRF field is right for this token.
pub fn csrf_ok(token: &str, given: Option<&str>) -> bool {
    given.is_some_and(|g| token_matches(g, &csrf_token(token)))
}

/// A cross-site request announces itself with an `Origin` that is not
/// this host; browsers send it on every POST.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(origin);
    !host.is_empty() && origin_host == host
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn cookie_parsing_and_derived_values() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; bw_session=xyz; bw_lang=kk"),
        );
        assert_eq!(cookie(&h, "bw_session").as_deref(), Some("xyz"));
        assert_eq!(cookie(&h, "bw_lang").as_deref(), Some("kk"));
        assert_eq!(cookie(&h, "nope"), None);
        assert_ne!(session_value("t"), csrf_token("t"));
        assert!(csrf_ok("t", Some(&csrf_token("t"))));
        assert!(!csrf_ok("t", Some(&csrf_token("u"))));
        assert!(!csrf_ok("t", None));
    }

    #[test]
    fn origin_must_match_host() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8077"));
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8077"),
        );
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!same_origin(&h));
    }
}
