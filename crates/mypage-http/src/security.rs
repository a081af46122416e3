//! What every response goes through: a cap on the body read, the security headers, and the `Allow` header of a 405.

use std::sync::Arc;

use poem::http::{StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response};

use crate::problem::Problem;

/// The methods of each API path, read from the OpenAPI document, so that a 405 names them in `Allow`
/// (RFC 9110 §15.5.6).
#[derive(Debug, Default)]
pub(crate) struct AllowedMethods(Vec<(Vec<String>, String)>);

impl AllowedMethods {
    pub(crate) fn from_spec(spec: &str) -> Self {
        let Ok(doc) = serde_json::from_str::<serde_json::Value>(spec) else { return Self::default() };
        let Some(paths) = doc["paths"].as_object() else { return Self::default() };
        let table = paths
            .iter()
            .map(|(path, ops)| {
                let segments = format!("/api/v1{path}").split('/').map(str::to_owned).collect();
                let methods: Vec<String> =
                    ops.as_object().map(|o| o.keys().map(|m| m.to_ascii_uppercase()).collect()).unwrap_or_default();
                (segments, methods.join(", "))
            })
            .collect();
        Self(table)
    }

    /// The methods of the documented path that `path` matches (a `{name}` segment matches any one segment).
    fn of(&self, path: &str) -> Option<&str> {
        let segments: Vec<&str> = path.split('/').collect();
        self.0
            .iter()
            .find(|(pattern, _)| {
                pattern.len() == segments.len()
                    && pattern.iter().zip(&segments).all(|(p, s)| p == s || (p.starts_with('{') && p.ends_with('}')))
            })
            .map(|(_, methods)| methods.as_str())
    }
}

/// Security headers on every response: a CSP without inline script, no framing, no sniffing, no referrer
/// leaking the path, and no caching of pages that show personal data; a 405 names the path's methods.
pub(crate) async fn secure<E: Endpoint>(
    ep: Arc<E>,
    req: Request,
    allowed: Arc<AllowedMethods>,
) -> poem::Result<Response> {
    let path = req.uri().path().to_owned();
    let mut response = secure_inner(ep, req).await?;
    if response.status() == StatusCode::METHOD_NOT_ALLOWED
        && let Some(methods) = allowed.of(&path)
        && let Ok(value) = poem::http::HeaderValue::from_str(methods)
    {
        // An API path's 405 is the documented JSON error, like every other refusal of the API.
        response = refused(&Problem::method_not_allowed(), true);
        set_headers(response.headers_mut(), CSP, true);
        response.headers_mut().insert(header::ALLOW, value);
    }
    Ok(response)
}

async fn secure_inner<E: Endpoint>(ep: Arc<E>, mut req: Request) -> poem::Result<Response> {
    let is_asset = req.uri().path().starts_with("/assets/");
    // Swagger UI (the API's reference page) ships its script and style inline; only that page allows them.
    let is_api_docs = req.uri().path().starts_with("/api/v1/docs");
    let is_api = req.uri().path().starts_with("/api/v1/");
    // A body larger than any form here is refused after reading at most the limit, whatever length it claims.
    // A register file may be large: only a live staff session may send one, and only a few are read at a time, so
    // that nobody can make the server hold many large bodies; anyone else gets the usual limit.
    let mut permit = None;
    if UPLOADS.contains(&req.uri().path())
        && req.method() == poem::http::Method::POST
        && let Some(sessions) = req.data::<crate::session::Sessions>()
        && sessions.is_staff(&req).await
    {
        match LARGE_READS.try_acquire() {
            Ok(granted) => permit = Some(granted),
            Err(_) => {
                let mut response = refused(&Problem::unavailable(&"large uploads in progress"), is_api);
                set_headers(response.headers_mut(), CSP, true);
                return Ok(response);
            }
        }
    }
    let limit = if permit.is_some() { MAX_UPLOAD } else { MAX_BODY };
    let mut response = match req.take_body().into_bytes_limit(limit).await {
        Ok(bytes) => {
            req.set_body(bytes);
            match ep.call(req).await {
                Ok(r) => r.into_response(),
                Err(e) => e.into_response(),
            }
        }
        // The server's body timeout (a body that stopped arriving) fails the read with `TimedOut`.
        Err(poem::error::ReadBodyError::Io(e)) if e.kind() == std::io::ErrorKind::TimedOut => {
            refused(&Problem::request_timeout(), is_api)
        }
        Err(_) => refused(&Problem::payload_too_large(), is_api),
    };
    let csp = if is_api_docs {
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    } else {
        CSP
    };
    set_headers(response.headers_mut(), csp, !is_asset);
    Ok(response)
}

/// The Content-Security-Policy of every response but the API's reference page.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The site's security headers, for the responses of an embedding server's own routes (health checks, metrics):
/// the CSP of the pages, `nosniff`, no framing, no referrer beyond the site, and no caching.
pub fn security_headers(headers: &mut poem::http::HeaderMap) {
    set_headers(headers, CSP, true);
}

fn set_headers(headers: &mut poem::http::HeaderMap, csp: &'static str, no_store: bool) {
    let mut set = |name: header::HeaderName, value: &'static str| {
        headers.insert(name, poem::http::HeaderValue::from_static(value));
    };
    set(header::CONTENT_SECURITY_POLICY, csp);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::REFERRER_POLICY, "same-origin");
    if no_store {
        set(header::CACHE_CONTROL, "no-store");
    }
}

/// A body refused before any handler saw it: the API's JSON error, or the problem's message for a page.
fn refused(problem: &Problem, is_api: bool) -> Response {
    if is_api {
        let body = serde_json::json!({ "code": problem.code, "message": problem.message });
        Response::builder()
            .status(problem.status)
            .content_type("application/json; charset=utf-8")
            .body(body.to_string())
    } else {
        Response::builder()
            .status(problem.status)
            .content_type("text/plain; charset=utf-8")
            .body(problem.message.clone())
    }
}

/// The largest request body accepted: the job-offer form with every field at its limit fits several times.
const MAX_BODY: usize = 64 * 1024;

/// The paths that take an establishment register file (R18), and their larger limit: 100,000 lines fit.
const UPLOADS: [&str; 3] =
    ["/staff/establishments/import", "/staff/establishments/import/commit", "/api/v1/staff/establishments/import"];
/// The largest register file accepted.
pub(crate) const MAX_UPLOAD: usize = 16 * 1024 * 1024;
/// Register files read at the same time, across every request of this process.
static LARGE_READS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);
