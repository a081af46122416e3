//! The pages through poem's test client: cases A, B and C over HTTP, and the rules the web adds (CSRF, the same
//! browser session for the key, sessions renewed at login, staff confined to their office).
#![expect(clippy::unwrap_used, reason = "tests fail at once with the reason")]

mod account_care;
mod api;
mod cases;
mod consent;
mod console;
mod contract;
mod corrections;
mod digest;
mod employer_screens;
mod hardening;
mod home;
mod job_offers;
mod kept;
mod office_areas;
mod refit;
mod register;
mod review;
mod second_factor;
mod security;
mod shedding;
mod source;

use std::collections::HashMap;
use std::sync::Arc;

use mypage_domain::DomainConfig;
use mypage_domain::values::StaffRole;
use mypage_http::{HttpConfig, HttpPorts, routes};
use mypage_testkit::{DeterministicKeys, PlainDigest, TestKit};
use poem::Endpoint;
use poem::http::{StatusCode, header};
use poem::test::{TestClient, TestResponse};

/// An establishment the office knows, under office 1301, and one of office 2701.
pub(crate) const EXISTING: &str = "1301-123456-7";

/// The kit with terms, two offices, an establishment and staff, and the routes over it. Its staff log in with the
/// password alone (no role requires a second factor): the second factor has its own tests, over [`site_with`].
pub(crate) async fn site() -> (TestKit, impl Endpoint) {
    site_with(DomainConfig { staff_second_factor: Vec::new(), ..DomainConfig::default() }).await
}

/// [`site`] with the domain's `config`.
pub(crate) async fn site_with(config: DomainConfig) -> (TestKit, impl Endpoint) {
    let kit = TestKit::with_config(config);
    kit.publish_terms().await;
    kit.office("1301", "ハローワーク飯田橋").await;
    kit.office("2701", "ハローワーク大阪東").await;
    kit.establishment(EXISTING, "株式会社ハローテスト").await;
    kit.staff("1301", "iidabashi.counter", &[StaffRole::Counter]).await;
    kit.staff("1301", "iidabashi.reviewer", &[StaffRole::Reviewer]).await;
    kit.staff("2701", "osaka.reviewer", &[StaffRole::Reviewer]).await;
    let ports = HttpPorts {
        sessions: Arc::new(kit.store.clone()),
        digest: Arc::new(PlainDigest),
        keys: Arc::new(DeterministicKeys::new(11)),
        clock: Arc::new(kit.clock.clone()),
    };
    let endpoint = routes(kit.mypage.clone(), ports, HttpConfig::default());
    (kit, endpoint)
}

/// A browser: it keeps its session cookie and reads the CSRF token of the last page.
pub(crate) struct Browser<'a, E: Endpoint> {
    client: &'a TestClient<E>,
    pub(crate) cookie: Option<String>,
    csrf: String,
    /// Sent as `X-Forwarded-For`, as the trusted proxy would.
    pub(crate) forwarded_for: Option<&'static str>,
}

pub(crate) struct Page {
    pub(crate) status: StatusCode,
    pub(crate) location: Option<String>,
    pub(crate) body: String,
    pub(crate) headers: poem::http::HeaderMap,
}

impl<'a, E: Endpoint> Browser<'a, E> {
    pub(crate) fn new(client: &'a TestClient<E>) -> Self {
        Self { client, cookie: None, csrf: String::new(), forwarded_for: None }
    }

    async fn read(&mut self, response: TestResponse) -> Page {
        let status = response.0.status();
        let headers = response.0.headers().clone();
        if let Some(set) = headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()) {
            let pair = set.split(';').next().unwrap_or_default();
            self.cookie = pair.split_once('=').filter(|(_, v)| !v.is_empty()).map(|_| pair.to_owned());
        }
        let location = headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = response.0.into_body().into_string().await.unwrap();
        if let Some(i) = body.find("name=\"csrf\" value=\"") {
            let rest = &body[i + 19..];
            self.csrf = rest[..rest.find('"').unwrap()].to_owned();
        }
        Page { status, location, body, headers }
    }

    pub(crate) fn csrf_token(&self) -> &str {
        &self.csrf
    }

    pub(crate) async fn get(&mut self, path: &str) -> Page {
        let mut request = self.client.get(path);
        if let Some(c) = &self.cookie {
            request = request.header(header::COOKIE, c.as_str());
        }
        if let Some(ip) = self.forwarded_for {
            request = request.header("x-forwarded-for", ip);
        }
        let response = request.send().await;
        self.read(response).await
    }

    /// Posts a form with the page's CSRF token added.
    pub(crate) async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut form: Vec<(String, String)> = fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        form.push(("csrf".into(), self.csrf.clone()));
        self.post_raw(path, &form).await
    }

    pub(crate) async fn post_raw(&mut self, path: &str, form: &[(String, String)]) -> Page {
        let mut request = self.client.post(path).form(&form);
        if let Some(c) = &self.cookie {
            request = request.header(header::COOKIE, c.as_str());
        }
        if let Some(ip) = self.forwarded_for {
            request = request.header("x-forwarded-for", ip);
        }
        let response = request.send().await;
        self.read(response).await
    }

    /// Posts a multipart form with a file, as a file input sends it, plus the page's CSRF token.
    pub(crate) async fn upload(&mut self, path: &str, fields: &[(&str, &str)], file: Option<(&str, Vec<u8>)>) -> Page {
        let mut form = poem::test::TestForm::new().text("csrf", self.csrf.clone());
        for (name, value) in fields {
            form = form.text(*name, *value);
        }
        if let Some((name, bytes)) = file {
            form = form.field(poem::test::TestFormField::bytes(bytes).name(name).filename("register.csv"));
        }
        let mut request = self.client.post(path).multipart(form);
        if let Some(c) = &self.cookie {
            request = request.header(header::COOKIE, c.as_str());
        }
        let response = request.send().await;
        self.read(response).await
    }

    /// Posts a whole input struct's fields (as the browser would send the form) plus the CSRF token.
    pub(crate) async fn post_map(&mut self, path: &str, values: &HashMap<String, String>) -> Page {
        let mut form: Vec<(String, String)> = values.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        form.push(("csrf".into(), self.csrf.clone()));
        self.post_raw(path, &form).await
    }
}

/// The fields of an input struct as a browser sends them: text as is, checked boxes as "on", unchecked absent.
pub(crate) fn form_of<T: serde::Serialize>(input: &T) -> HashMap<String, String> {
    let serde_json::Value::Object(map) = serde_json::to_value(input).unwrap() else { unreachable!() };
    map.into_iter()
        .filter_map(|(k, v)| match v {
            serde_json::Value::String(s) => Some((k, s)),
            serde_json::Value::Bool(true) => Some((k, "on".to_owned())),
            _ => None,
        })
        .collect()
}

/// A first-time applicant's registration, submitted to office 1301 through the use cases; its id.
pub(crate) async fn submitted_first_timer(kit: &TestKit, email: &str) -> mypage_domain::model::RegistrationId {
    use mypage_domain::usecases::HistoryInput;
    let account = kit.sign_up(email).await;
    let c = TestKit::client();
    let id = kit.mypage.declare_history(account, &HistoryInput::FirstTime { office: "1301".into() }, &c).await.unwrap();
    kit.mypage.save_establishment_info(account, &mypage_testkit::fixtures::establishment_info(), &c).await.unwrap();
    kit.mypage.save_job_offer(account, &mypage_testkit::fixtures::job_offer(), &c).await.unwrap();
    kit.mypage.submit_registration(account, &c).await.unwrap();
    id
}

/// Agrees to the terms in force and enters an address on the sign-up entrance, as a browser would.
pub(crate) async fn sign_up_to_password_page<E: Endpoint>(b: &mut Browser<'_, E>, kit: &TestKit, email: &str) {
    b.get("/start/signup").await;
    let v = kit.consent().await;
    let (pv, tv) = (v.privacy_policy_version.0.to_string(), v.mypage_terms_version.0.to_string());
    b.post("/start/signup/terms", &[("privacy", "on"), ("terms", "on"), ("pv", &pv), ("tv", &tv)]).await;
    b.post("/start/signup/email", &[("email", email)]).await;
}
