//! What the server answers over HTTP besides the site: `/healthz` and `/readyz` beside it, and `/metrics` on a listener
//! of its own, never the site's, since the mail queue's figures move when a key is sent to a known address (R8).
//! Every response carries the site's security headers (`mypage_http::security_headers`) and, when the site is served
//! over TLS (`MYPAGE_SECURE_COOKIES=true`), HSTS.

use std::sync::Arc;

use mypage_db::Database;
use poem::http::{HeaderValue, StatusCode, header};
use poem::web::Data;
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Route, get, handler};

use crate::observe;

#[handler]
fn healthz() -> &'static str {
    "ok"
}

/// Ready when the database answers and every migration is applied.
#[handler]
async fn readyz(Data(db): Data<&Database>) -> Response {
    match db.pending_migrations().await {
        Ok(0) => "ready".into_response(),
        Ok(n) => (StatusCode::SERVICE_UNAVAILABLE, format!("{n} migrations pending")).into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response(),
    }
}

/// The public listener's endpoint: the health checks and the site, with a request id and a log line for each
/// request. `/metrics` is not among them: here it is one of the site's unknown paths (404).
pub(crate) fn public(site: impl Endpoint + 'static, db: Database, trust_proxy: bool, hsts: bool) -> impl Endpoint {
    Route::new()
        .at("/healthz", get(healthz).around(with_security_headers))
        .at("/readyz", get(readyz).data(db).around(with_security_headers))
        .nest("/", site)
        .around(move |ep, req| observe::around(ep, req, trust_proxy))
        .around(move |ep, req| with_hsts(ep, req, hsts))
}

/// The metrics listener's endpoint: `/metrics`, and 404 for anything else.
pub(crate) fn metrics(scrape: observe::Scrape, hsts: bool) -> impl Endpoint {
    Route::new()
        .at("/metrics", get(observe::scrape).data(scrape))
        .around(with_security_headers)
        .around(move |ep, req| with_hsts(ep, req, hsts))
}

/// The site's security headers on the server's own responses, errors (404, 405) included.
async fn with_security_headers<E: Endpoint>(ep: Arc<E>, req: Request) -> poem::Result<Response> {
    let mut response = ep.get_response(req).await;
    mypage_http::security_headers(response.headers_mut());
    Ok(response)
}

/// Strict-Transport-Security on every response when the site is served over TLS: a browser that has seen it once
/// goes to the site over HTTPS only, for a year, subdomains included.
async fn with_hsts<E: Endpoint>(ep: Arc<E>, req: Request, hsts: bool) -> poem::Result<Response> {
    let mut response = ep.get_response(req).await;
    if hsts {
        response
            .headers_mut()
            .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    Ok(response)
}
