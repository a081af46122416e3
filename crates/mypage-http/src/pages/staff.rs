//! The staff console (`/staff`): login, the menu with the review queue of the member's own office, a registration's
//! detail and decisions (R11), and counter registration of an address (R12). The extractors send anyone but a
//! logged-in member to the staff login; which office and role may do what is the domain's to decide (R14), and a
//! refusal comes back as a problem that `render_problems` turns into its page.
//!
//! The labels the console's pages share (the menu, the e-mail address, the establishment number, the staff login)
//! are written here once, in [`label`], and `admin.rs` takes them from here.

use maud::{Markup, html};
use mypage_domain::model::{
    Account, ApplicationHistory, FlowPurpose, NoteDecision, ProvisionalRegistration, RegistrationId, RegistrationStatus,
};
use mypage_domain::ports::SessionSubject;
use mypage_domain::usecases::{CounterRegistration, QueueError, StaffLoginError};
use mypage_domain::values::{StaffRole, jst};
use poem::web::{Data, Query, Redirect};
use poem::{IntoResponse, Request, Response, handler};
use secrecy::SecretString;
use serde::Deserialize;

use crate::app::App;
use crate::extract::{Client, CsrfForm, Staff};
use crate::pages::admin::{SEARCH, admin_pages};
use crate::pages::counter::{CORRECTIONS_PATH, CORRECTIONS_TITLE};
use crate::pages::employer::{LOGIN, LOGOUT, PASSWORD};
use crate::pages::forms::{ESTABLISHMENT, Field, JOB_OFFER, NoFields};
use crate::pages::layout::{
    csrf, entrance_title, field_error, has_error, layout, multiline, on_form, outcome, stays_on_form,
};
use crate::pages::register::{REGISTER_PATH, REGISTER_TITLE};
use crate::pages::registration::{STATUS, SUBMITTED_AT, WAGE, wage_range};
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
/// The review page's title, which its outcomes keep.
const REVIEW_TITLE: &str = "仮登録の審査";
/// The counter page, as the menu and its heading call it.
const COUNTER_TITLE: &str = "メールアドレスの登録（窓口）";
/// The counter page, as its breadcrumb and window title call it.
const COUNTER_SHORT: &str = "メールアドレスの登録";
/// The note sent back on a decision's form, and its heading on the detail page.
const NOTE: &str = "連絡事項";
/// Where a registration came from, on the queue and the detail page.
const KIND: &str = "区分";

/// The decisions with a note (R11), as the detail page offers them: the path segment, the heading and button, and
/// the note's label. The `decide` route reads its segment from this list, so a page and its route cannot drift.
const DECISIONS: [(NoteDecision, &str, &str, &str); 3] = [
    (NoteDecision::ContactNeeded, "contact", "連絡が必要", NOTE),
    (NoteDecision::Return, "return", "修正を依頼", "修正していただきたい事項"),
    (NoteDecision::Reject, "reject", "本登録しない", "理由"),
];

/// The decision a path segment names, if any.
fn decision_of(segment: &str) -> Option<NoteDecision> {
    DECISIONS.iter().find(|(_, s, _, _)| *s == segment).map(|(d, _, _, _)| *d)
}

/// The breadcrumb of a console page: back to the menu, then the page.
pub(crate) fn breadcrumb(title: &str) -> Markup {
    html! { p.breadcrumb { a href="/staff" { (label::MENU) } " > " (title) } }
}

/// The label the employer's form gives a field, so that the console calls it the same; the field's name if the
/// list has no such field.
fn label_of(fields: &'static [Field], name: &'static str) -> &'static str {
    fields.iter().find(|f| f.name == name).map_or(name, |f| f.label)
}

/// The label of an establishment's field, as the employer's form calls it.
pub(crate) fn establishment_label(name: &'static str) -> &'static str {
    label_of(ESTABLISHMENT, name)
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
fn login_page(app: &App, token: &str, typed: &str, problem: Option<&Problem>) -> Markup {
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
    layout(LOGIN_TITLE, &app.config.help_desk, body)
}

/// The staff login page.
#[handler]
pub(crate) async fn login_form(Data(app): Data<&App>, Data(session): Data<&SessionHandle>) -> Markup {
    login_page(app, &session.lock().await.csrf(), "", None)
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
            Ok(on_form(login_page(app, &token, &form.login, Some(&problem)), &problem))
        }
    }
}

/// The menu: what the member's roles offer, and the review queue of their office for reviewers. It links only the
/// pages the member may use: counter registration for counter staff, and the admin pages by the admin's scope
/// (R14).
#[handler]
pub(crate) async fn queue(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Staff(staff): Staff,
) -> poem::Result<Response> {
    let registrations = match app.mypage.review_queue(staff).await {
        Ok(r) => Some(r),
        // A member without the reviewer role has a menu but no queue.
        Err(QueueError::NotPermitted) => None,
        Err(e) => return Err(e.explain().into()),
    };
    let view = app.mypage.staff_view(staff).await.map_err(|e| Problem::unavailable(&e))?;
    let is_counter = view.as_ref().is_some_and(|v| v.roles.contains(&StaffRole::Counter));
    let admin_pages = admin_pages(view.as_ref().and_then(|v| v.admin_scope()).as_ref());
    let token = session.lock().await.csrf();
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
            h2 { "審査待ちの仮登録" }
            @if registrations.is_empty() { p { "審査待ちの仮登録はありません。" } }
            @else {
                table {
                    tr { th { (SUBMITTED_AT) } th { (KIND) } th { (STATUS) } }
                    @for r in &registrations {
                        tr {
                            td { a href={"/staff/registrations/" (r.id())} { (r.submitted_at().map(jst).unwrap_or_default()) } }
                            td { (history_kind(r.history())) }
                            td { (r.status().code()) }
                        }
                    }
                }
            }
        }
        form method="post" action="/logout" { (csrf(&token)) div.actions { button.secondary type="submit" { (LOGOUT) } } }
    };
    Ok(layout(label::MENU, &app.config.help_desk, body).into_response())
}

/// Where a registration came from, as the queue shows it.
fn history_kind(history: Option<&ApplicationHistory>) -> String {
    match history {
        Some(ApplicationHistory::PastApplicant { number }) => format!("既存事業所（{number}）"),
        _ => "新規事業所".to_owned(),
    }
}

/// The registration named by the path; one that cannot be an id is as unknown as one of another office.
fn registration_id(req: &Request) -> Result<RegistrationId, Problem> {
    req.raw_path_param("id")
        .and_then(|raw| raw.parse().ok())
        .map(RegistrationId::from_uuid)
        .ok_or_else(Problem::registration_not_found)
}

/// A note sent back to its decision's form, with why it was refused.
struct KeptNote<'a> {
    decision: NoteDecision,
    note: &'a str,
    errors: Vec<(String, String)>,
}

/// A registration as its reviewer sees it, with its decisions' forms while it is pending; `kept` puts a refused
/// note back in its form.
fn detail_page(
    app: &App,
    token: &str,
    r: &ProvisionalRegistration,
    account: &Account,
    kept: Option<&KeptNote<'_>>,
) -> Markup {
    let job_label = |name| label_of(JOB_OFFER, name);
    let alert = kept.and_then(|k| k.errors.first()).map(|(_, m)| (false, m.clone()));
    let body = html! {
        (breadcrumb(REVIEW_TITLE))
        h1 { (REVIEW_TITLE) }
        (outcome(alert.as_ref()))
        table {
            tr { th { (label::EMAIL) } td { (account.email()) } }
            tr { th { (STATUS) } td { (r.status().code()) } }
            @match r.history() {
                Some(ApplicationHistory::PastApplicant { number }) => { tr { th { (label::NUMBER) "（申告）" } td { (number) } } }
                Some(ApplicationHistory::FirstTime { office }) => { tr { th { (KIND) } td { (format!("初めて申し込む（管轄 {office}）")) } } }
                None => {}
            }
            @if let Some(e) = r.establishment() {
                tr { th { (establishment_label("name")) } td { (format!("{name}（{kana}）", name = e.name, kana = e.name_kana)) } }
                tr { th { (establishment_label("address")) } td { "〒" (e.postal_code) " " (e.address) } }
                tr { th { (establishment_label("phone")) } td { (e.phone.as_str()) } }
                tr { th { "担当者" } td { (format!("{name}（{phone}）", name = e.contact_name, phone = e.contact_phone.as_str())) } }
            }
            @if let Some(j) = r.job_offer() {
                tr { th { (job_label("occupation")) } td { (j.occupation) } }
                tr { th { (job_label("description")) } td { (multiline(&j.description)) } }
                tr { th { (WAGE) } td { (wage_range(&j.wage)) } }
            }
            @match r.status() {
                RegistrationStatus::ContactNeeded { note } | RegistrationStatus::Returned { note } => { tr { th { (NOTE) } td { (multiline(note.as_str())) } } }
                _ => {}
            }
        }
        @if r.status().is_pending() {
            h2 { "本登録" }
            form method="post" action={"/staff/registrations/" (r.id()) "/confirm"} { (csrf(token)) button type="submit" { "本登録する" } }
            @for (decision, segment, title, note_label) in DECISIONS {
                @let this = kept.filter(|k| k.decision == decision);
                @let id = format!("{segment}-note");
                h2 { (title) }
                form method="post" action={"/staff/registrations/" (r.id()) "/" (segment)} {
                    (csrf(token))
                    div.field.invalid[this.is_some_and(|k| has_error(&k.errors, "note"))] {
                        label for=(id) { (note_label) }
                        @if let Some(k) = this { (field_error(&k.errors, "note")) }
                        textarea id=(id) name="note" aria-describedby=[this.map(|_| "note-error")] { (this.map_or("", |k| k.note)) }
                    }
                    button.secondary type="submit" { (title) }
                }
            }
        }
    };
    layout(REVIEW_TITLE, &app.config.help_desk, body)
}

/// A registration of the member's office (R11); one of another office is not found (R14).
#[handler]
pub(crate) async fn detail(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Staff(staff): Staff,
) -> poem::Result<Response> {
    let id = registration_id(req)?;
    let (r, account) = app.mypage.registration_for_review(staff, id).await.map_err(Explain::explain)?;
    let token = session.lock().await.csrf();
    Ok(detail_page(app, &token, &r, &account, None).into_response())
}

/// The page after a decision: what was done, or why it could not be (someone else decided first).
fn result_page(app: &App, message: &(bool, String)) -> Markup {
    let body = html! {
        h1 { (REVIEW_TITLE) }
        (outcome(Some(message)))
        p { a href="/staff" { "職員メニューへ戻る" } }
    };
    layout(REVIEW_TITLE, &app.config.help_desk, body)
}

/// A decision's problem: on the result page when the member only needs to know it, else the problem's own page
/// (not permitted, not found, unavailable).
fn decision_refused(app: &App, problem: Problem) -> poem::Result<Response> {
    if !stays_on_form(&problem) {
        return Err(problem.into());
    }
    Ok(on_form(result_page(app, &(false, problem.message.clone())), &problem))
}

/// 本登録 (R11): the establishment number comes back on the result page.
#[handler]
pub(crate) async fn confirm(
    req: &Request,
    Data(app): Data<&App>,
    Staff(staff): Staff,
    Client(client): Client,
    CsrfForm(_): CsrfForm<NoFields>,
) -> poem::Result<Response> {
    let id = registration_id(req)?;
    match app.mypage.confirm_registration(staff, id, &client).await {
        Ok(number) => {
            Ok(result_page(app, &(true, format!("本登録しました。事業所番号は {number} です。"))).into_response())
        }
        Err(e) => decision_refused(app, e.explain()),
    }
}

/// A decision's note.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct NoteForm {
    #[serde(default)]
    note: String,
}

/// `/staff/registrations/:id/contact`, `…/return` and `…/reject` (R11). Any other decision is a 400 that changes
/// nothing; a note the domain refuses comes back on the registration's page, as it was typed.
#[handler]
pub(crate) async fn decide(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Staff(staff): Staff,
    Client(client): Client,
    CsrfForm(form): CsrfForm<NoteForm>,
) -> poem::Result<Response> {
    let decision = req.raw_path_param("decision").and_then(decision_of).ok_or_else(Problem::invalid_request)?;
    let id = registration_id(req)?;
    let problem = match app.mypage.decide_with_note(staff, id, decision, &form.note, &client).await {
        Ok(()) => {
            let done = (true, "処理しました。事業所にメールでお知らせします。".to_owned());
            return Ok(result_page(app, &done).into_response());
        }
        Err(e) => e.explain(),
    };
    if problem.field.is_none() || !stays_on_form(&problem) {
        return decision_refused(app, problem);
    }
    let (r, account) = app.mypage.registration_for_review(staff, id).await.map_err(Explain::explain)?;
    let token = session.lock().await.csrf();
    let kept = KeptNote { decision, note: &form.note, errors: problem.messages() };
    Ok(on_form(detail_page(app, &token, &r, &account, Some(&kept)), &problem))
}

/// The counter form, and its query: `?number=` fills in the establishment chosen in the search.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CounterForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    email: String,
}

impl From<&CounterForm> for CounterRegistration {
    fn from(form: &CounterForm) -> Self {
        Self { email: form.email.clone(), establishment_number: form.number.clone() }
    }
}

/// The counter form, filled in with `form`, with the outcome of the last step and each field's problem.
fn counter_page(
    app: &App,
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
            div.actions { button type="submit" { "登録する" } }
        }
        p { a href=(CORRECTIONS_PATH) { (CORRECTIONS_TITLE) } }
    };
    layout(COUNTER_SHORT, &app.config.help_desk, body)
}

/// The counter form, empty but for a number chosen in the search.
#[handler]
pub(crate) async fn counter_form(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Staff(_): Staff,
    Query(query): Query<CounterForm>,
) -> Markup {
    let token = session.lock().await.csrf();
    counter_page(app, &token, &CounterForm { email: String::new(), ..query }, None, &[])
}

/// Registers an employer's address for an establishment of the member's office (R12, case A). A mistake comes back
/// with what was typed and the message beside its field.
#[handler]
pub(crate) async fn counter(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Staff(staff): Staff,
    Client(client): Client,
    CsrfForm(form): CsrfForm<CounterForm>,
) -> poem::Result<Response> {
    let result = app.mypage.register_email_at_counter(staff, &CounterRegistration::from(&form), &client).await;
    let token = session.lock().await.csrf();
    match result {
        Ok(_) => {
            let done = format!(
                "{} を登録しました。事業所に「{}」のご案内をしてください。",
                form.email,
                entrance_title(FlowPurpose::OpenMyPage)
            );
            Ok(counter_page(app, &token, &CounterForm::default(), Some(&(true, done)), &[]).into_response())
        }
        Err(e) => {
            let problem = e.explain();
            if !stays_on_form(&problem) {
                return Err(problem.into());
            }
            let message = (false, problem.message.clone());
            let page = counter_page(app, &token, &form, Some(&message), &problem.messages());
            Ok(on_form(page, &problem))
        }
    }
}
