//! The staff console (`/staff`): login, the menu with the review queue of the member's own office (a registration's
//! review and decisions are in `review.rs`), and counter registration of an address (R12), which shows the
//! establishment by name before it registers. The extractors send anyone but a
//! logged-in member to the staff login; which office and role may do what is the domain's to decide (R14), and a
//! refusal comes back as a problem that `render_problems` turns into its page.
//!
//! The labels the console's pages share (the menu, the e-mail address, the establishment number, the staff login)
//! are written here once, in [`label`], and `admin.rs` takes them from here.

use maud::{Markup, html};
use mypage_domain::model::{Establishment, FlowPurpose};
use mypage_domain::ports::SessionSubject;
use mypage_domain::usecases::{CounterRegistration, QueueError, StaffLoginError};
use mypage_domain::values::{StaffRole, jst};
use poem::web::{Data, Query, Redirect};
use poem::{IntoResponse, Response, handler};
use secrecy::SecretString;
use serde::Deserialize;

use crate::app::App;
use crate::extract::{Client, CsrfForm, Staff};
use crate::pages::admin::{SEARCH, admin_pages};
use crate::pages::console::console_layout;
use crate::pages::counter::{CORRECTIONS_PATH, CORRECTIONS_TITLE};
use crate::pages::employer::{LOGIN, NEXT, PASSWORD};
use crate::pages::forms::ESTABLISHMENT;
use crate::pages::layout::{csrf, entrance_title, field_error, has_error, on_form, outcome, scrolling, stays_on_form};
use crate::pages::register::{REGISTER_PATH, REGISTER_TITLE};
use crate::pages::registration::{STATUS, SUBMITTED_AT};
use crate::pages::review::{KIND, filing_kind};
use crate::pages::second_factor::{CODE_PATH, ENROL_PATH};
use crate::problem::{Explain, Problem};
use crate::session::{PendingStaff, SessionHandle};

/// The labels the console's pages share.
pub(crate) mod label {
    /// The console's home, where every breadcrumb starts.
    pub(crate) const MENU: &str = "職員メニュー";
    /// An e-mail address.
    pub(crate) const EMAIL: &str = "メールアドレス";
    /// An establishment number (R9).
    pub(crate) const NUMBER: &str = "事業所番号";
    /// A staff member's login name.
    pub(crate) const LOGIN: &str = "職員ID";
}

/// The login page's title.
const LOGIN_TITLE: &str = "職員ログイン";
/// The review queue, as the menu's heading and its table call it.
const QUEUE: &str = "審査待ちの仮登録";
/// The counter page, as the menu and its heading call it.
const COUNTER_TITLE: &str = "メールアドレスの登録（窓口）";
/// The counter page, as its breadcrumb and window title call it.
const COUNTER_SHORT: &str = "メールアドレスの登録";

/// The breadcrumb of a console page: back to the menu, then the page.
pub(crate) fn breadcrumb(title: &str) -> Markup {
    html! { p.breadcrumb { a href="/staff" { (label::MENU) } " > " (title) } }
}

/// The label of an establishment's field, as the employer's form calls it.
pub(crate) fn establishment_label(name: &'static str) -> &'static str {
    ESTABLISHMENT.iter().find(|f| f.name == name).map_or(name, |f| f.label)
}

/// The staff login form (no `Debug`: it holds a password).
#[derive(Default, Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
}

/// The staff login page, with the login typed and the problem of the last attempt, if any.
fn login_page(token: &str, typed: &str, problem: Option<&Problem>) -> Markup {
    let message = problem.map(|p| (false, p.message.clone()));
    let body = html! {
        h1 { (LOGIN_TITLE) }
        (outcome(message.as_ref()))
        form method="post" action="/staff/login" {
            (csrf(token))
            div.field { label for="login" { (label::LOGIN) } input type="text" id="login" name="login" autocomplete="username" value=(typed); }
            div.field { label for="password" { (PASSWORD) } input type="password" id="password" name="password" autocomplete="current-password"; }
            div.actions { button type="submit" { (LOGIN) } }
        }
    };
    console_layout(LOGIN_TITLE, body)
}

/// The staff login page.
#[handler]
pub(crate) async fn login_form(Data(session): Data<&SessionHandle>) -> Markup {
    login_page(&session.lock().await.csrf(), "", None)
}

/// Logs a member in with a new session id (R13), or sends them to the second step: a code, or enrolment (R21); a refusal comes back on the form, with status 429 while the login
/// is throttled.
#[handler]
pub(crate) async fn login(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Client(client): Client,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> poem::Result<Response> {
    let password = SecretString::from(form.password);
    match app.mypage.staff_login(&form.login, &password, &client).await {
        Ok(member) if member.must_enrol => {
            session.lock().await.pend_staff(PendingStaff::Enrol(member.staff.to_string()));
            Ok(Redirect::see_other(ENROL_PATH).into_response())
        }
        Ok(member) => {
            session.lock().await.become_subject(SessionSubject::Staff(member.staff));
            Ok(Redirect::see_other("/staff").into_response())
        }
        Err(StaffLoginError::SecondFactorRequired { staff }) => {
            session.lock().await.pend_staff(PendingStaff::Code(staff.to_string()));
            Ok(Redirect::see_other(CODE_PATH).into_response())
        }
        Err(e) => {
            let problem = e.explain();
            if !stays_on_form(&problem) {
                return Err(problem.into());
            }
            let token = session.lock().await.csrf();
            Ok(on_form(login_page(&token, &form.login, Some(&problem)), &problem))
        }
    }
}

/// The menu: what the member's roles offer, and the review queue of their office for reviewers. It links only the
/// pages the member may use: counter registration for counter staff, and the admin pages by the admin's scope
/// (R14).
#[handler]
pub(crate) async fn queue(Data(app): Data<&App>, Staff(staff): Staff) -> poem::Result<Response> {
    let registrations = match app.mypage.review_queue(staff).await {
        Ok(r) => Some(r),
        // A member without the reviewer role has a menu but no queue.
        Err(QueueError::NotPermitted) => None,
        Err(e) => return Err(e.explain().into()),
    };
    let view = app.mypage.staff_view(staff).await.map_err(|e| Problem::unavailable(&e))?;
    let is_counter = view.as_ref().is_some_and(|v| v.roles.contains(&StaffRole::Counter));
    let admin_pages = admin_pages(view.as_ref().and_then(|v| v.admin_scope()).as_ref());
    let body = html! {
        h1 { (label::MENU) }
        ul.menu {
            @if is_counter { li { a href="/staff/counter" { (COUNTER_TITLE) } } }
            li { a href=(SEARCH.path) { (SEARCH.title) } }
            @if is_counter || !admin_pages.is_empty() { li { a href=(REGISTER_PATH) { (REGISTER_TITLE) } } }
        }
        @if !admin_pages.is_empty() {
            h2 { "管理" }
            ul.menu {
                @for page in admin_pages { li { a href=(page.path) { (page.title) } } }
            }
        }
        @if let Some(registrations) = registrations {
            h2 { (QUEUE) }
            @if registrations.is_empty() { p { "審査待ちの仮登録はありません。" } }
            @else {
                (scrolling(QUEUE, html! {
                    table {
                        tr { th scope="col" { (SUBMITTED_AT) } th scope="col" { (KIND) } th scope="col" { (STATUS) } }
                        @for r in &registrations {
                            tr {
                                td { a href={"/staff/registrations/" (r.id())} { (r.submitted_at().map(jst).unwrap_or_default()) } }
                                td { (filing_kind(r)) }
                                td { (r.status_label_ja()) }
                            }
                        }
                    }
                }))
            }
        }
    };
    Ok(console_layout(label::MENU, body).into_response())
}

/// The counter form, and its query: `?number=` fills in the establishment chosen in the search. `confirmed` is
/// present when the member confirmed the establishment shown, `back` when they went back to change what they typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct CounterForm {
    number: String,
    email: String,
    confirmed: String,
    back: String,
}

impl From<&CounterForm> for CounterRegistration {
    fn from(form: &CounterForm) -> Self {
        Self { email: form.email.clone(), establishment_number: form.number.clone() }
    }
}

/// The counter form, filled in with `form`, with the outcome of the last step and each field's problem.
fn counter_page(
    token: &str,
    form: &CounterForm,
    message: Option<&(bool, String)>,
    errors: &[(String, String)],
) -> Markup {
    let body = html! {
        (breadcrumb(COUNTER_SHORT))
        h1 { (COUNTER_TITLE) }
        (outcome(message))
        form method="post" action="/staff/counter" {
            (csrf(token))
            div.field.invalid[has_error(errors, "number")] {
                label for="number" { (label::NUMBER) }
                span.hint id="number-hint" { "番号がわからないときは、" a href=(SEARCH.path) { "事業所名で検索" } "できます。" }
                (field_error(errors, "number"))
                input type="text" id="number" name="number" value=(form.number) aria-describedby="number-hint";
            }
            div.field.invalid[has_error(errors, "email")] {
                label for="email" { (label::EMAIL) }
                (field_error(errors, "email"))
                input type="email" id="email" name="email" value=(form.email);
            }
            div.actions { button type="submit" { (NEXT) } }
        }
        p { a href=(CORRECTIONS_PATH) { (CORRECTIONS_TITLE) } }
    };
    console_layout(COUNTER_SHORT, body)
}

/// The step before a counter registration: the establishment the number names, by name, and the address, with
/// the button that registers them and one that goes back to change them (what was typed kept).
fn counter_confirmation(token: &str, form: &CounterForm, establishment: &Establishment) -> Markup {
    let hidden = html! {
        (csrf(token))
        input type="hidden" name="number" value=(form.number);
        input type="hidden" name="email" value=(form.email);
    };
    let body = html! {
        (breadcrumb(COUNTER_SHORT))
        h1 { (COUNTER_TITLE) }
        p { "次の事業所にメールアドレスを登録します。事業所名を確かめてから登録してください。" }
        table.kv {
            tr { th scope="row" { (label::NUMBER) } td { (establishment.number()) } }
            tr { th scope="row" { (establishment_label("name")) } td { strong { (establishment.name()) } } }
            @if let Some(address) = &establishment.details().address {
                tr { th scope="row" { (establishment_label("address")) } td { (address) } }
            }
            tr { th scope="row" { (label::EMAIL) } td { (form.email) } }
        }
        div.actions {
            form method="post" action="/staff/counter" {
                (hidden)
                input type="hidden" name="confirmed" value="yes";
                button type="submit" { "登録する" }
            }
            form method="post" action="/staff/counter" {
                (hidden)
                input type="hidden" name="back" value="yes";
                button.secondary type="submit" { "入力し直す" }
            }
        }
    };
    console_layout(COUNTER_SHORT, body)
}

/// The counter form, empty but for a number chosen in the search.
#[handler]
pub(crate) async fn counter_form(
    Data(session): Data<&SessionHandle>,
    Staff(_): Staff,
    Query(query): Query<CounterForm>,
) -> Markup {
    let token = session.lock().await.csrf();
    counter_page(&token, &CounterForm { email: String::new(), ..query }, None, &[])
}

/// Registers an employer's address for an establishment of the member's office (R12, case A): first the
/// establishment is shown by name, then registered once the member confirms. A mistake comes back with what was
/// typed and the message beside its field.
#[handler]
pub(crate) async fn counter(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Staff(staff): Staff,
    Client(client): Client,
    CsrfForm(form): CsrfForm<CounterForm>,
) -> poem::Result<Response> {
    let token = session.lock().await.csrf();
    if !form.back.is_empty() {
        return Ok(counter_page(&token, &form, None, &[]).into_response());
    }
    let input = CounterRegistration::from(&form);
    let problem = if form.confirmed.is_empty() {
        match app.mypage.check_counter_registration(staff, &input).await {
            Ok(establishment) => return Ok(counter_confirmation(&token, &form, &establishment).into_response()),
            Err(e) => e.explain(),
        }
    } else {
        match app.mypage.register_email_at_counter(staff, &input, &client).await {
            Ok(_) => {
                let done = format!(
                    "{} を登録しました。事業所に「{}」のご案内をしてください。",
                    form.email,
                    entrance_title(FlowPurpose::OpenMyPage)
                );
                let page = counter_page(&token, &CounterForm::default(), Some(&(true, done)), &[]);
                return Ok(page.into_response());
            }
            Err(e) => e.explain(),
        }
    };
    if !stays_on_form(&problem) {
        return Err(problem.into());
    }
    let message = (false, problem.message.clone());
    Ok(on_form(counter_page(&token, &form, Some(&message), &problem.messages()), &problem))
}
