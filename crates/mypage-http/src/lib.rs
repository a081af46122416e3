//! # Employer My Page — web
//!
//! The poem adapter: employer pages for cases A, B and C, the staff console, and the JSON API, over one session
//! service (the domain's `SessionStore` port), with CSRF-checked forms, security headers and a body limit.
//! [`routes`] returns an endpoint that an embedding poem server can `nest`; this crate never binds a port.
//!
//! The files show the layers: `app` (state, settings, the client), `security` (headers, 405, body limit),
//! `problem` (the error catalogue), `extract` (who may call, checked forms), `session` (the session service), then
//! `pages/*` and `api/*`, one file per group of pages or endpoints.

mod api;
mod app;
mod extract;
mod limits;
mod pages;
mod problem;
mod security;
mod session;

use std::sync::Arc;

use chrono::Duration;
use mypage_domain::MyPage;
use poem::{Endpoint, EndpointExt, Route, get, post};

use app::App;
pub use app::{HttpConfig, HttpPorts};
use limits::ClientLimiter;
use pages::{account, account_email, account_sessions};
use pages::{
    admin, consent, console, counter, employer, home, kept, layout, offices, register, registration, review,
    second_factor, site, staff,
};
use pages::{job_offer_form, job_offers};
use security::AllowedMethods;
pub use security::security_headers;
use session::Sessions;

/// Forms one client may have held across a login in an hour (see `extract::HoldIfLoggedOut`).
const HELD_FORMS_PER_CLIENT: u32 = 10;

/// The employer pages, the staff console and the API, ready to be served or nested.
pub fn routes(mypage: MyPage, ports: HttpPorts, config: HttpConfig) -> impl Endpoint {
    let sessions = Sessions::new(
        ports.sessions,
        ports.digest,
        ports.keys,
        ports.clock,
        config.session_idle,
        config.session_lifetime,
        config.secure_cookies,
    );
    // A person whose session ended sends a held form a few times an hour at most.
    let held_forms = Arc::new(ClientLimiter::new(HELD_FORMS_PER_CLIENT, Duration::hours(1), sessions.clock()));
    let app = App { mypage, config: Arc::new(config), held_forms, clock: sessions.clock() };
    let api = api::service(&app, &sessions);
    let document = api::document(&api.spec());
    let allowed = Arc::new(AllowedMethods::from_spec(&document));
    let spec = poem::endpoint::make_sync(move |_| {
        poem::Response::builder().content_type("application/json; charset=utf-8").body(document.clone())
    });
    let docs = api.swagger_ui();
    Route::new()
        .nest("/api/v1/docs", docs)
        .nest("/api/v1", api)
        .at("/api/v1/openapi.json", spec)
        .nest("/", pages())
        .around(move |ep, req| security::secure(ep, req, Arc::clone(&allowed)))
        .data(sessions)
        .data(app)
}

/// The pages: a browser session around each, and a page for each problem a handler leaves unshown.
fn pages() -> impl Endpoint {
    Route::new()
        .at("/", get(employer::top))
        .at("/help", get(employer::help))
        .at("/site-policy", get(site::site_policy))
        .at("/privacy", get(site::privacy))
        .at("/terms", get(site::terms))
        .at("/faq", get(site::faq))
        .at("/assets/site.css", get(layout::css))
        .at("/assets/terms.js", get(layout::terms_js))
        .at("/assets/session.js", get(kept::session_js))
        .at("/start/:purpose", get(employer::start))
        .at("/start/:purpose/terms", post(employer::accept_terms))
        .at("/start/:purpose/email", get(employer::email_form).post(employer::request_key))
        .at("/start/:purpose/password", get(employer::password_form).post(employer::set_password))
        .at("/start/:purpose/resend", post(employer::resend))
        .at("/start/:purpose/done", get(employer::done))
        .at("/login", get(employer::login_form).post(employer::login))
        .at("/logout", post(employer::logout))
        .at("/mypage", get(home::home))
        .at("/mypage/terms", get(consent::consent_form).post(consent::agree))
        .at("/mypage/history", get(registration::history_form).post(registration::declare_history))
        .at("/mypage/establishment", get(registration::establishment_form).post(registration::save_establishment))
        .at("/mypage/job", get(registration::job_form).post(registration::save_job))
        .at("/mypage/submit", get(registration::review).post(registration::submit))
        .at(job_offers::JOB_OFFERS_PATH, get(job_offers::list).post(job_offers::start))
        .at("/mypage/job-offers/:id", get(job_offers::detail))
        .at("/mypage/job-offers/:id/edit", get(job_offer_form::edit_form).post(job_offer_form::save))
        .at("/mypage/job-offers/:id/submit", post(job_offers::submit))
        .at("/mypage/job-offers/:id/discard", post(job_offers::discard))
        .at(account::ACCOUNT_PATH, get(account::settings))
        .at("/mypage/account/password", get(account::password_form).post(account::change_password))
        .at(account::EMAIL_PATH, get(account_email::email_form).post(account_email::request))
        .at("/mypage/account/email/key", get(account_email::key_form).post(account_email::confirm))
        .at("/mypage/account/email/resend", post(account_email::resend))
        .at(account::SESSIONS_PATH, get(account_sessions::list))
        .at("/mypage/account/sessions/end", post(account_sessions::end))
        .at("/mypage/account/sessions/end-others", post(account_sessions::end_others))
        .at("/mypage/account/close", get(account::close_form).post(account::close))
        .at("/staff/login", get(staff::login_form).post(staff::login))
        .at(second_factor::CODE_PATH, get(second_factor::code_form).post(second_factor::submit_code))
        .at(second_factor::ENROL_PATH, get(second_factor::enrol_form).post(second_factor::confirm_enrolment))
        .at("/staff", get(staff::queue))
        .at("/staff/counter", get(staff::counter_form).post(staff::counter))
        .at(counter::CORRECTIONS_PATH, get(counter::find_form).post(counter::find))
        .at("/staff/counter/registrations/:id", get(counter::registration))
        .at("/staff/counter/registrations/:id/email", post(counter::correct))
        .at("/staff/counter/registrations/:id/withdraw", post(counter::withdraw))
        .at("/staff/registrations/:id", get(review::detail))
        .at("/staff/registrations/:id/confirm", get(review::confirm_page).post(review::confirm))
        .at("/staff/registrations/:id/:decision", post(review::decide))
        .at("/staff/establishments", get(admin::find_establishments))
        .at(register::REGISTER_PATH, get(register::upload_form).post(register::check))
        .at(register::REGISTER_COMMIT_PATH, post(register::commit))
        .at("/staff/admin/staff", get(admin::staff_accounts).post(admin::add_staff))
        .at("/staff/admin/staff/:id/:access", post(admin::staff_access))
        .at("/staff/admin/offices", get(offices::office_list).post(offices::add_office))
        .at("/staff/admin/offices/:code", get(offices::office_form).post(offices::edit_office))
        .at("/staff/admin/offices/:code/close", post(offices::close_office))
        .at("/staff/admin/terms", get(admin::terms_versions).post(admin::publish_terms))
        .at("/staff/admin/mail", get(admin::dead_mails))
        .at("/staff/admin/mail/:id/requeue", post(admin::requeue_mail))
        .around(layout::render_problems)
        .around(console::around)
        .around(session::around)
}
