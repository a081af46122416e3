//! # Employer My Page — web
//!
//! The poem adapter: employer pages for cases A, B and C, the staff console, sessions through the domain's
//! `SessionStore` port, CSRF tokens on every form, security headers and a body limit.
//! [`routes`] returns an endpoint that an embedding poem server can `nest`; this crate never binds a port.

mod api;
mod console;
mod employer;
mod forms;
mod limits;
mod page;
mod session;
mod staff;

use std::net::IpAddr;
use std::sync::Arc;

use chrono::Duration;
use maud::html;
use mypage_domain::MyPage;
use mypage_domain::model::{ClientInfo, Office};
use mypage_domain::ports::{Clock, KeyDigest, KeyGenerator, SessionStore};
use poem::http::{StatusCode, header};
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Route, get, handler, post};

pub(crate) use mypage_domain::values::jst;

/// What the pages say and how sessions behave; the app fills it from its configuration.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Set the cookie's `Secure` flag and `__Host-` prefix: on whenever the site is served over TLS.
    pub secure_cookies: bool,
    /// The help desk, shown in every footer and on the help page.
    pub help_desk: String,
    /// The system address mails come from, which pages tell employers to allow (R7).
    pub system_address: String,
    /// A session ends after this long without a request (R13).
    pub session_idle: Duration,
    /// A session ends after this long whatever happens.
    pub session_lifetime: Duration,
    /// The site is reached only through one reverse proxy, which appends the client's address to
    /// `X-Forwarded-For`: take the client from there (the last address), not from the connection.
    pub behind_proxy: bool,
    /// Auth-key requests and resends one client (IP address) may make per hour, beside the domain's limits per
    /// address (R8); 0 turns this limit off. Each instance counts its own.
    pub key_requests_per_client: u32,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            help_desk: "ハローワークインターネットサービス ヘルプデスク".into(),
            system_address: "system@mail.hellowork.mhlw.go.jp".into(),
            session_idle: Duration::minutes(30),
            session_lifetime: Duration::hours(8),
            behind_proxy: false,
            key_requests_per_client: 30,
        }
    }
}

/// The ports the web adapter needs beside the use cases.
#[derive(Clone)]
pub struct HttpPorts {
    /// Where sessions live.
    pub sessions: Arc<dyn SessionStore>,
    /// Digests of session ids.
    pub digest: Arc<dyn KeyDigest>,
    /// Session ids and CSRF tokens.
    pub keys: Arc<dyn KeyGenerator>,
    /// The time.
    pub clock: Arc<dyn Clock>,
}

/// Everything a handler needs.
#[derive(Clone)]
pub(crate) struct App {
    pub(crate) mypage: MyPage,
    pub(crate) config: Arc<HttpConfig>,
    /// The per-client limit on key requests.
    pub(crate) key_requests: Arc<limits::ClientLimiter>,
}

impl App {
    pub(crate) async fn offices(&self) -> Vec<Office> {
        self.mypage.offices().await.unwrap_or_default()
    }
}

/// The client of a request, for the audit trail and the throttles (R13, R15). Behind the one trusted proxy, the
/// last address of `X-Forwarded-For` is the one the proxy saw; earlier ones are the client's own claims.
pub(crate) fn client(req: &Request) -> ClientInfo {
    let forwarded = req
        .data::<App>()
        .filter(|app| app.config.behind_proxy)
        .and_then(|_| req.header("x-forwarded-for"))
        .and_then(|v| v.rsplit(',').next())
        .and_then(|last| last.trim().parse::<IpAddr>().ok());
    let ip: Option<IpAddr> = forwarded.or_else(|| req.remote_addr().as_socket_addr().map(std::net::SocketAddr::ip));
    let user_agent = req.header(header::USER_AGENT).map(|ua| ua.chars().take(200).collect());
    ClientInfo { ip, user_agent }
}

/// A form whose CSRF token does not match: the page is stale or forged.
pub(crate) fn forbidden(app: &App) -> Response {
    let body = html! {
        h1 { "ページの有効期限が切れました" }
        p { "お手数ですが、前の画面に戻り、ページを読み込み直してから、もう一度操作してください。" }
        p { a href="/" { "トップへ戻る" } }
    };
    let mut r = page::layout("ページの有効期限が切れました", &app.config.help_desk, body).into_response();
    r.set_status(StatusCode::FORBIDDEN);
    r
}

/// The client asked for too many keys (R8): a page that says when to try again, with status 429.
pub(crate) fn too_many(app: &App, retry_after: chrono::DateTime<chrono::Utc>) -> Response {
    let body = html! {
        h1 { "しばらくしてからお試しください" }
        p { "この端末からの申込が続いたため、受付を一時停止しています。" }
        p { (jst(retry_after)) " 以降に、もう一度お試しください。" }
        p { a href="/" { "トップへ戻る" } }
    };
    let mut r = page::layout("しばらくしてからお試しください", &app.config.help_desk, body).into_response();
    r.set_status(StatusCode::TOO_MANY_REQUESTS);
    r
}

/// The store or another service failed; nothing the employer typed was saved as half. The cause goes to the log
/// (domain errors carry no secret), the page says only that it failed.
pub(crate) fn unavailable(app: &App, cause: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %cause, "a request failed");
    let body = html! {
        h1 { "ただいま混み合っています" }
        p { "システムで一時的な問題が発生しました。入力内容は保存されていません。しばらく時間をおいてから、もう一度お試しください。" }
    };
    let mut r = page::layout("ただいま混み合っています", &app.config.help_desk, body).into_response();
    r.set_status(StatusCode::SERVICE_UNAVAILABLE);
    r
}

#[handler]
fn css() -> Response {
    Response::builder()
        .content_type("text/css; charset=utf-8")
        .header(header::CACHE_CONTROL, "public, max-age=3600")
        .body(page::CSS)
}

#[handler]
fn terms_js() -> Response {
    Response::builder()
        .content_type("text/javascript; charset=utf-8")
        .header(header::CACHE_CONTROL, "public, max-age=3600")
        .body(page::TERMS_JS)
}

/// Security headers on every response: a CSP without inline script, no framing, no sniffing, no referrer
/// leaking the path, and no caching of pages that show personal data.
/// The methods of each API path, read from the OpenAPI document, so that a 405 names them in `Allow`
/// (RFC 9110 §15.5.6).
#[derive(Debug, Default)]
struct AllowedMethods(Vec<(Vec<String>, String)>);

impl AllowedMethods {
    fn from_spec(spec: &str) -> Self {
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

async fn secure<E: Endpoint>(ep: Arc<E>, req: Request, allowed: Arc<AllowedMethods>) -> poem::Result<Response> {
    let path = req.uri().path().to_owned();
    let mut response = secure_inner(ep, req).await?;
    if response.status() == StatusCode::METHOD_NOT_ALLOWED
        && let Some(methods) = allowed.of(&path)
        && let Ok(value) = poem::http::HeaderValue::from_str(methods)
    {
        response.headers_mut().insert(header::ALLOW, value);
    }
    Ok(response)
}

async fn secure_inner<E: Endpoint>(ep: Arc<E>, mut req: Request) -> poem::Result<Response> {
    let is_asset = req.uri().path().starts_with("/assets/");
    // Swagger UI (the API's reference page) ships its script and style inline; only that page allows them.
    let is_api_docs = req.uri().path().starts_with("/api/v1/docs");
    // A body larger than any form here is refused after reading at most the limit, whatever length it claims.
    let mut response = match req.take_body().into_bytes_limit(MAX_BODY).await {
        Ok(bytes) => {
            req.set_body(bytes);
            match ep.call(req).await {
                Ok(r) => r.into_response(),
                Err(e) => e.into_response(),
            }
        }
        Err(_) => StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    let headers = response.headers_mut();
    let set = |h: &mut poem::http::HeaderMap, name: header::HeaderName, value: &'static str| {
        h.insert(name, poem::http::HeaderValue::from_static(value));
    };
    let csp = if is_api_docs {
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    } else {
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    };
    set(headers, header::CONTENT_SECURITY_POLICY, csp);
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::REFERRER_POLICY, "same-origin");
    if !is_asset {
        set(headers, header::CACHE_CONTROL, "no-store");
    }
    Ok(response)
}

/// The largest request body accepted: the job-offer form with every field at its limit fits several times.
const MAX_BODY: usize = 64 * 1024;

/// The employer pages and the staff console, ready to be served or nested.
pub fn routes(mypage: MyPage, ports: HttpPorts, config: HttpConfig) -> impl Endpoint {
    let sessions = session::SessionPorts {
        store: ports.sessions,
        digest: ports.digest,
        keys: ports.keys,
        clock: ports.clock,
        idle: config.session_idle,
        lifetime: config.session_lifetime,
        secure: config.secure_cookies,
    };
    let key_requests = Arc::new(limits::ClientLimiter::new(
        config.key_requests_per_client,
        Duration::hours(1),
        sessions.clock.clone(),
    ));
    let app = App { mypage, config: Arc::new(config), key_requests };
    let api = poem_openapi::OpenApiService::new(
        (
            api::Api { app: app.clone(), sessions: sessions.clone() },
            api::AdminApi(api::Api { app: app.clone(), sessions: sessions.clone() }),
        ),
        "Employer My Page API",
        env!("CARGO_PKG_VERSION"),
    )
    .server("/api/v1");
    let allowed = Arc::new(AllowedMethods::from_spec(&api.spec()));
    let spec = api.spec_endpoint();
    let docs = api.swagger_ui();
    Route::new()
        .nest("/api/v1/docs", docs)
        .nest("/api/v1", api)
        .at("/api/v1/openapi.json", spec)
        .at("/", get(employer::top))
        .at("/help", get(employer::help))
        .at("/assets/site.css", get(css))
        .at("/assets/terms.js", get(terms_js))
        .at("/start/:purpose", get(employer::start))
        .at("/start/:purpose/terms", post(employer::accept_terms))
        .at("/start/:purpose/email", get(employer::email_form).post(employer::request_key))
        .at("/start/:purpose/password", get(employer::password_form).post(employer::set_password))
        .at("/start/:purpose/resend", post(employer::resend))
        .at("/start/:purpose/done", get(employer::done))
        .at("/login", get(employer::login_form).post(employer::login))
        .at("/logout", post(employer::logout))
        .at("/mypage", get(employer::home))
        .at("/mypage/history", get(employer::history_form).post(employer::declare_history))
        .at("/mypage/establishment", get(employer::establishment_form).post(employer::save_establishment))
        .at("/mypage/job", get(employer::job_form).post(employer::save_job))
        .at("/mypage/submit", get(employer::review).post(employer::submit))
        .at("/staff/login", get(staff::login_form).post(staff::login))
        .at("/staff", get(staff::queue))
        .at("/staff/counter", get(staff::counter_form).post(staff::counter))
        .at("/staff/registrations/:id", get(staff::detail))
        .at("/staff/registrations/:id/:action", post(staff::decide))
        .at("/staff/establishments", get(console::find_establishments))
        .at("/staff/admin/staff", get(console::staff_accounts).post(console::add_staff))
        .at("/staff/admin/staff/:id/:action", post(console::staff_access))
        .at("/staff/admin/offices", get(console::office_list).post(console::add_office))
        .at("/staff/admin/terms", get(console::terms_versions).post(console::publish_terms))
        .at("/staff/admin/mail", get(console::dead_mails))
        .at("/staff/admin/mail/:id/requeue", post(console::requeue_mail))
        .around(session::around)
        .around(move |ep, req| secure(ep, req, Arc::clone(&allowed)))
        .data(sessions)
        .data(app)
}
