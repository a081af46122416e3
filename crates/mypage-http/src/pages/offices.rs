//! The offices' pages of the console (R14): the list of the offices an admin administers (every office for a central
//! admin, its own for an office admin), the form that adds one (central admins), and each office's page, which
//! edits its name, phone, address, opening hours, areas (管轄区域) and the address its digest of waiting submissions
//! goes to (通知先メールアドレス, R20), and closes it. Every step is checked again in the domain.
//!
//! A step that fails sends its page back with what was typed and each problem beside its field; a refusal or an
//! outage is the problem's own page.

use maud::{Markup, html};
use mypage_domain::model::{AdminScope, Office};
use mypage_domain::usecases::{AdminActor, NewOffice};
use mypage_domain::values::{
    OFFICE_ADDRESS_MAX, OFFICE_HOURS_MAX, OFFICE_NAME_MAX, OfficeAreaInput, OfficeDetailsInput, jst,
};
use poem::web::Data;
use poem::{IntoResponse, Request, Response, handler};
use serde::Deserialize;

use crate::app::App;
use crate::extract::{Admin, CentralAdmin, Client, CsrfForm};
use crate::pages::admin::{ACTIONS, ADD, OFFICES, admin_page, failed, told_on_page};
use crate::pages::console::console_layout;
use crate::pages::forms::NoFields;
use crate::pages::layout::{csrf, field_error, has_error, on_form, outcome, scrolling, stays_on_form};
use crate::pages::staff::{establishment_label, label};
use crate::problem::{Explain, Problem};
use crate::session::SessionHandle;

/// A name, as the office list and its forms call it.
const NAME: &str = "名称";
/// An office's code, as the office list and its form call it.
const CODE: &str = "コード";
/// An office's opening hours.
const HOURS: &str = "開庁時間";
/// An office's areas (管轄区域).
const AREAS: &str = "管轄区域";
/// Where an office's digest of waiting submissions goes (R20).
const NOTIFICATION_EMAIL: &str = "通知先メールアドレス";
/// Whether an office takes new registrations.
const STATE: &str = "開庁状況";
/// A closed office, in the list and on its page.
const CLOSED: &str = "閉庁";

/// The form that adds an office.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct OfficeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
}

impl From<OfficeForm> for NewOffice {
    fn from(form: OfficeForm) -> Self {
        let phone = Some(form.phone).filter(|p| !p.trim().is_empty());
        Self { code: form.code, name: form.name, phone }
    }
}

/// The page of one office.
fn office_path(office: &Office) -> String {
    format!("{}/{}", OFFICES.path, office.code())
}

/// The offices the admin administers, each with a link to its page, and for a central admin the form that adds
/// one, filled in with `typed`.
async fn offices_page(
    app: &App,
    session: &SessionHandle,
    scope: &AdminScope,
    typed: Option<&NewOffice>,
    problem: Option<&Problem>,
    message: Option<&(bool, String)>,
) -> Result<Markup, Problem> {
    let offices: Vec<Office> = app.offices().await?.into_iter().filter(|o| scope.covers(o.code())).collect();
    let token = session.lock().await.csrf();
    let errors = problem.map(Problem::messages).unwrap_or_default();
    let phone_label = establishment_label("phone");
    let body = html! {
        (scrolling("ハローワークの一覧", html! {
            table {
                tr {
                    th scope="col" { (CODE) } th scope="col" { (NAME) } th scope="col" { (phone_label) }
                    th scope="col" { (STATE) } th scope="col" { (ACTIONS) }
                }
                @for o in &offices {
                    tr {
                        td { (o.code()) } td { (o.name()) } td { (o.phone().unwrap_or_default()) }
                        td { @if o.is_closed() { (CLOSED) } @else { "開庁中" } }
                        td { a href=(office_path(o)) { "編集・閉庁" } }
                    }
                }
            }
        }))
        @if scope.is_central() {
            h2 { "ハローワークの追加" }
            form method="post" action=(OFFICES.path) {
                (csrf(&token))
                div.field.invalid[has_error(&errors, "code")] {
                    label for="code" { (CODE) }
                    span.hint id="code-hint" { "4桁の数字（事業所番号の最初の4桁）" }
                    (field_error(&errors, "code"))
                    input type="text" id="code" name="code" inputmode="numeric" value=(typed.map_or("", |t| &t.code)) aria-describedby="code-hint";
                }
                div.field.invalid[has_error(&errors, "name")] {
                    label for="name" { (NAME) }
                    (field_error(&errors, "name"))
                    input type="text" id="name" name="name" value=(typed.map_or("", |t| &t.name));
                }
                div.field {
                    label for="phone" { (phone_label) }
                    span.hint id="phone-hint" { "事業所からの問い合わせ先として表示します（任意）" }
                    input type="tel" id="phone" name="phone" value=(typed.and_then(|t| t.phone.as_deref()).unwrap_or_default()) aria-describedby="phone-hint";
                }
                div.actions { button type="submit" { (ADD) } }
            }
        }
    };
    Ok(admin_page(OFFICES, message, body))
}

/// The offices an admin administers (R14): every office for a central admin, its own for an office admin.
#[handler]
pub(crate) async fn office_list(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Admin(_, scope): Admin,
) -> poem::Result<Response> {
    Ok(offices_page(app, session, &scope, None, None, None).await?.into_response())
}

/// Adds an office (R14): its code is the first four digits of its establishments' numbers.
#[handler]
pub(crate) async fn add_office(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    CentralAdmin(me): CentralAdmin,
    Client(client): Client,
    CsrfForm(form): CsrfForm<OfficeForm>,
) -> poem::Result<Response> {
    let input = NewOffice::from(form);
    let scope = AdminScope::Central;
    match app.mypage.add_office(AdminActor::Staff(me), &input, &client).await {
        Ok(code) => {
            let done = (true, format!("ハローワーク（{code}）を追加しました。"));
            Ok(offices_page(app, session, &scope, None, None, Some(&done)).await?.into_response())
        }
        Err(e) => {
            let problem = e.explain();
            if !told_on_page(&problem) {
                return Err(problem.into());
            }
            let page =
                offices_page(app, session, &scope, Some(&input), Some(&problem), Some(&failed(&problem))).await?;
            Ok(on_form(page, &problem))
        }
    }
}

/// The form that edits an office.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct DetailsForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    opening_hours: String,
    /// 管轄区域, one 「都道府県 市区町村」 a line.
    #[serde(default)]
    areas: String,
    /// 通知先メールアドレス; empty for none.
    #[serde(default)]
    notification_email: String,
}

impl From<&DetailsForm> for OfficeDetailsInput {
    fn from(form: &DetailsForm) -> Self {
        Self {
            name: form.name.clone(),
            phone: form.phone.clone(),
            address: form.address.clone(),
            opening_hours: form.opening_hours.clone(),
            areas: Some(form.areas.lines().map(OfficeAreaInput::from_line).collect()),
            notification_email: form.notification_email.clone(),
        }
    }
}

impl From<&Office> for DetailsForm {
    fn from(office: &Office) -> Self {
        Self {
            name: office.name().to_owned(),
            phone: office.phone().unwrap_or_default().to_owned(),
            address: office.address().unwrap_or_default().to_owned(),
            opening_hours: office.opening_hours().unwrap_or_default().to_owned(),
            areas: office.areas().iter().map(|a| format!("{} {}\n", a.prefecture(), a.municipality())).collect(),
            notification_email: office.notification_email().map(ToString::to_string).unwrap_or_default(),
        }
    }
}

/// The office a path names, if the admin administers it; else the page that says it was not found (R14: an office
/// admin learns nothing of other offices, and the domain checks again).
async fn administered(app: &App, req: &Request, scope: &AdminScope) -> Result<Office, Problem> {
    let code = req.raw_path_param("code").unwrap_or_default();
    let offices = app.offices().await?;
    offices
        .into_iter()
        .find(|o| o.code().as_str() == code && scope.covers(o.code()))
        .ok_or_else(Problem::office_not_found)
}

/// One text field of the office form, with its problem beside it.
fn text_field(errors: &[(String, String)], name: &str, label: &str, value: &str, hint: String) -> Markup {
    let hint_id = format!("{name}-hint");
    html! {
        div.field.invalid[has_error(errors, name)] {
            label for=(name) { (label) }
            span.hint id=(hint_id) { (hint) }
            (field_error(errors, name))
            input type="text" id=(name) name=(name) value=(value) aria-describedby=(hint_id);
        }
    }
}

/// An office's page: its details' form, filled in with `typed`, and the form that closes it while it is open.
fn office_page(
    token: &str,
    office: &Office,
    typed: &DetailsForm,
    message: Option<&(bool, String)>,
    errors: &[(String, String)],
) -> Markup {
    let title = format!("{}（コード{}）", office.name(), office.code());
    let path = office_path(office);
    let limit = |max: usize| format!("{max}文字以内");
    let body = html! {
        p.breadcrumb {
            a href="/staff" { (label::MENU) } " > " a href=(OFFICES.path) { (OFFICES.title) } " > " (office.code())
        }
        h1 { (title) }
        (outcome(message))
        @if let Some(at) = office.closed_at() {
            p { (CLOSED) "：" (jst(at)) "。新しい登録と職員の追加は受け付けていません。" }
        }
        h2 { "ハローワークの情報" }
        form method="post" action=(path) {
            (csrf(token))
            (text_field(errors, "name", NAME, &typed.name, limit(OFFICE_NAME_MAX)))
            (text_field(errors, "phone", establishment_label("phone"), &typed.phone, "事業所からの問い合わせ先として表示します（例：03-3812-8609）".to_owned()))
            (text_field(errors, "address", establishment_label("address"), &typed.address, limit(OFFICE_ADDRESS_MAX)))
            (text_field(errors, "opening_hours", HOURS, &typed.opening_hours, format!("{}（例：月曜から金曜 8時30分から17時15分）", limit(OFFICE_HOURS_MAX))))
            div.field.invalid[has_error(errors, "areas")] {
                label for="areas" { (AREAS) }
                span.hint id="areas-hint" {
                    "このハローワークが担当する市区町村を、1行に1つ「都道府県 市区町村」の形で入力してください（例：東京都 千代田区）。"
                    "初めて申し込む事業所が、所在地から管轄のハローワークを探すときに使います。"
                }
                (field_error(errors, "areas"))
                textarea id="areas" name="areas" rows="8" aria-describedby="areas-hint" { (typed.areas) }
            }
            div.field.invalid[has_error(errors, "notification_email")] {
                label for="notification_email" { (NOTIFICATION_EMAIL) }
                span.hint id="notification_email-hint" {
                    "審査待ちの仮登録や求人の申込みがあるとき、件数をまとめてお知らせするメールの送り先です（任意）。"
                    "職員で共有しているアドレスを入力してください。空欄にすると、お知らせは送りません。"
                }
                (field_error(errors, "notification_email"))
                input type="email" id="notification_email" name="notification_email" value=(typed.notification_email) aria-describedby="notification_email-hint";
            }
            div.actions { button type="submit" { "保存する" } }
        }
        @if !office.is_closed() {
            h2 { "閉庁する" }
            p { "閉庁すると、このハローワークでは窓口でのメールアドレスの登録、初めて申し込む事業所の仮登録、職員の追加を受け付けなくなります。職員はログインして、これまでの情報を見ることができます。元に戻すことはできません。" }
            form method="post" action={(path) "/close"} {
                (csrf(token))
                div.actions { button.secondary type="submit" { "閉庁する" } }
            }
        }
    };
    console_layout(&title, body)
}

/// An office the admin administers, with its forms.
#[handler]
pub(crate) async fn office_form(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Admin(_, scope): Admin,
) -> poem::Result<Markup> {
    let office = administered(app, req, &scope).await?;
    let token = session.lock().await.csrf();
    Ok(office_page(&token, &office, &DetailsForm::from(&office), None, &[]))
}

/// Saves an office's details (R14); each wrong field comes back beside itself, with what was typed.
#[handler]
pub(crate) async fn edit_office(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Admin(me, scope): Admin,
    Client(client): Client,
    CsrfForm(form): CsrfForm<DetailsForm>,
) -> poem::Result<Response> {
    let office = administered(app, req, &scope).await?;
    let code = office.code().to_string();
    let result = app.mypage.edit_office(AdminActor::Staff(me), &code, &OfficeDetailsInput::from(&form), &client).await;
    let token = session.lock().await.csrf();
    match result {
        Ok(()) => {
            let saved = administered(app, req, &scope).await?;
            let done = (true, "ハローワークの情報を保存しました。".to_owned());
            Ok(office_page(&token, &saved, &DetailsForm::from(&saved), Some(&done), &[]).into_response())
        }
        Err(e) => {
            let problem = e.explain();
            if !stays_on_form(&problem) {
                return Err(problem.into());
            }
            let page = office_page(&token, &office, &form, Some(&failed(&problem)), &problem.messages());
            Ok(on_form(page, &problem))
        }
    }
}

/// Closes an office (R14): no new registrations or staff from now on.
#[handler]
pub(crate) async fn close_office(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Admin(me, scope): Admin,
    Client(client): Client,
    CsrfForm(_): CsrfForm<NoFields>,
) -> poem::Result<Response> {
    let office = administered(app, req, &scope).await?;
    let result = app.mypage.close_office(AdminActor::Staff(me), office.code().as_str(), &client).await;
    let token = session.lock().await.csrf();
    let message = match result {
        Ok(()) => (true, "閉庁しました。新しい登録と職員の追加は受け付けなくなりました。".to_owned()),
        Err(e) => {
            let problem = e.explain();
            if !stays_on_form(&problem) {
                return Err(problem.into());
            }
            failed(&problem)
        }
    };
    let now = administered(app, req, &scope).await?;
    Ok(office_page(&token, &now, &DetailsForm::from(&now), Some(&message), &[]).into_response())
}
