//! The staff console (`/staff`): login, the review queue of the member's own office, a registration's detail and
//! decisions (R11), and counter registration of an address (R12). Every route checks the member's office and role
//! in the domain (R14); an employer's session never reaches these routes.

use std::collections::HashMap;

use maud::{Markup, html};
use mypage_domain::model::{ApplicationHistory, RegistrationId, RegistrationStatus, StaffId};
use mypage_domain::ports::SessionSubject;
use mypage_domain::usecases::{
    ConfirmError, CounterRegistration, CounterRegistrationError, QueueError, ReviewError, StaffLoginError,
};
use mypage_domain::values::jst;
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Redirect};
use poem::{IntoResponse, Request, Response, handler};
use secrecy::SecretString;

use crate::page::{csrf, layout, multiline};
use crate::session::SessionHandle;
use crate::{App, client, forbidden, unavailable};

type FormData = Form<HashMap<String, String>>;

fn field(form: &HashMap<String, String>, name: &str) -> String {
    form.get(name).cloned().unwrap_or_default()
}

pub(crate) async fn member(session: &SessionHandle) -> Result<(StaffId, String), Response> {
    let mut s = session.lock().await;
    match s.staff() {
        Some(id) => Ok((id, s.csrf())),
        None => Err(Redirect::see_other("/staff/login").into_response()),
    }
}

fn not_found(app: &App) -> Response {
    let body = html! { h1 { "見つかりません" } p { "指定された仮登録は見つからないか、ほかのハローワークの担当です。" } p { a href="/staff" { "一覧へ戻る" } } };
    let mut r = layout("見つかりません", &app.config.help_desk, body).into_response();
    r.set_status(StatusCode::NOT_FOUND);
    r
}

pub(crate) fn not_permitted(app: &App) -> Response {
    let body =
        html! { h1 { "権限がありません" } p { "この操作を行う権限がありません。管理者にお問い合わせください。" } };
    let mut r = layout("権限がありません", &app.config.help_desk, body).into_response();
    r.set_status(StatusCode::FORBIDDEN);
    r
}

fn login_page(app: &App, token: &str, error: Option<&str>) -> Markup {
    let body = html! {
        h1 { "職員ログイン" }
        @if let Some(e) = error { div.error-summary role="alert" { p { (e) } } }
        form method="post" action="/staff/login" {
            (csrf(token))
            div.field { label for="login" { "職員ID" } input type="text" id="login" name="login" autocomplete="username"; }
            div.field { label for="password" { "パスワード" } input type="password" id="password" name="password" autocomplete="current-password"; }
            div.actions { button type="submit" { "ログイン" } }
        }
    };
    layout("職員ログイン", &app.config.help_desk, body)
}

#[handler]
pub(crate) async fn login_form(Data(app): Data<&App>, Data(session): Data<&SessionHandle>) -> Markup {
    login_page(app, &session.lock().await.csrf(), None)
}

#[handler]
pub(crate) async fn login(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Form(form): FormData,
) -> Response {
    let mut s = session.lock().await;
    if field(&form, "csrf") != s.data.csrf {
        return forbidden(app);
    }
    match app
        .mypage
        .staff_login(&field(&form, "login"), &SecretString::from(field(&form, "password")), &client(req))
        .await
    {
        Ok(member) => {
            s.become_subject(SessionSubject::Staff(member.staff));
            Redirect::see_other("/staff").into_response()
        }
        Err(StaffLoginError::InvalidCredentials) => {
            login_page(app, &s.csrf(), Some("職員IDまたはパスワードが正しくありません。")).into_response()
        }
        Err(StaffLoginError::Throttled { retry_after }) => {
            let message = format!("ログインに続けて失敗したため、{}まで受け付けを停止しています。", jst(retry_after));
            let mut r = login_page(app, &s.csrf(), Some(&message)).into_response();
            r.set_status(StatusCode::TOO_MANY_REQUESTS);
            r
        }
        Err(StaffLoginError::Infrastructure(e)) => unavailable(app, &e),
    }
}

#[handler]
pub(crate) async fn queue(Data(app): Data<&App>, Data(session): Data<&SessionHandle>) -> Response {
    let (staff, token) = match member(session).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let registrations = match app.mypage.review_queue(staff).await {
        Ok(r) => Some(r),
        Err(QueueError::NotPermitted) => None,
        Err(e) => return unavailable(app, &e),
    };
    let is_admin = match app.mypage.staff_view(staff).await {
        Ok(view) => view.is_some_and(|v| v.roles.contains(&mypage_domain::values::StaffRole::Admin)),
        Err(e) => return unavailable(app, &e),
    };
    let body = html! {
        h1 { "職員メニュー" }
        ul.menu {
            li { a href="/staff/counter" { "メールアドレスの登録（窓口）" } }
            li { a href="/staff/establishments" { "事業所の検索" } }
        }
        @if is_admin {
            h2 { "管理" }
            ul.menu {
                li { a href="/staff/admin/staff" { "職員の管理" } }
                li { a href="/staff/admin/offices" { "ハローワークの管理" } }
                li { a href="/staff/admin/terms" { "利用規約の管理" } }
                li { a href="/staff/admin/mail" { "送信できなかったメール" } }
            }
        }
        @if let Some(registrations) = registrations {
            h2 { "審査待ちの仮登録" }
            @if registrations.is_empty() { p { "審査待ちの仮登録はありません。" } }
            @else {
                table {
                    tr { th { "送信日時" } th { "区分" } th { "状況" } }
                    @for r in &registrations {
                        tr {
                            td { a href={"/staff/registrations/" (r.id)} { (r.submitted_at.map(jst).unwrap_or_default()) } }
                            td { @match &r.history { Some(ApplicationHistory::PastApplicant { number }) => { "既存事業所（" (number) "）" } _ => { "新規事業所" } } }
                            td { (r.status.code()) }
                        }
                    }
                }
            }
        }
        form method="post" action="/logout" { (csrf(&token)) div.actions { button.secondary type="submit" { "ログアウト" } } }
    };
    layout("職員メニュー", &app.config.help_desk, body).into_response()
}

#[handler]
pub(crate) async fn detail(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Path(id): Path<String>,
) -> Response {
    let (staff, token) = match member(session).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let Ok(uuid) = id.parse() else { return not_found(app) };
    let id = RegistrationId::from_uuid(uuid);
    let (r, account) = match app.mypage.registration_for_review(staff, id).await {
        Ok(found) => found,
        Err(QueueError::NotPermitted) => return not_permitted(app),
        Err(QueueError::RegistrationNotFound | QueueError::OutsideOffice) => return not_found(app),
        Err(QueueError::Infrastructure(e)) => return unavailable(app, &e),
    };
    let body = html! {
        p.breadcrumb { a href="/staff" { "職員メニュー" } " > 仮登録の審査" }
        h1 { "仮登録の審査" }
        table {
            tr { th { "メールアドレス" } td { (account.email) } }
            tr { th { "状況" } td { (r.status.code()) } }
            @match &r.history {
                Some(ApplicationHistory::PastApplicant { number }) => { tr { th { "事業所番号（申告）" } td { (number) } } }
                Some(ApplicationHistory::FirstTime { office }) => { tr { th { "区分" } td { "初めて申し込む（管轄 " (office) "）" } } }
                None => {}
            }
            @if let Some(e) = &r.establishment {
                tr { th { "事業所名称" } td { (e.name) "（" (e.name_kana) "）" } }
                tr { th { "所在地" } td { "〒" (e.postal_code) " " (e.address) } }
                tr { th { "電話番号" } td { (e.phone.as_str()) } }
                tr { th { "担当者" } td { (e.contact_name) "（" (e.contact_phone.as_str()) "）" } }
            }
            @if let Some(j) = &r.job_offer {
                tr { th { "職種" } td { (j.occupation) } }
                tr { th { "仕事内容" } td { (multiline(&j.description)) } }
                tr { th { "賃金" } td { (j.wage.min_yen) "円～" (j.wage.max_yen) "円" } }
            }
            @match &r.status {
                RegistrationStatus::ContactNeeded { note } | RegistrationStatus::Returned { note } => { tr { th { "連絡事項" } td { (multiline(note.as_str())) } } }
                _ => {}
            }
        }
        @if r.status.is_pending() {
            h2 { "本登録" }
            form method="post" action={"/staff/registrations/" (r.id) "/confirm"} { (csrf(&token)) button type="submit" { "本登録する" } }
            @for (action, label, note) in [("contact", "連絡が必要", "連絡事項"), ("return", "修正を依頼", "修正していただきたい事項"), ("reject", "本登録しない", "理由")] {
                h2 { (label) }
                form method="post" action={"/staff/registrations/" (r.id) "/" (action)} {
                    (csrf(&token))
                    div.field { label for={(action) "-note"} { (note) } textarea id={(action) "-note"} name="note" {} }
                    button.secondary type="submit" { (label) }
                }
            }
        }
    };
    layout("仮登録の審査", &app.config.help_desk, body).into_response()
}

#[handler]
pub(crate) async fn decide(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Path((id, action)): Path<(String, String)>,
    Form(form): FormData,
) -> Response {
    let (staff, token) = match member(session).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    if field(&form, "csrf") != token {
        return forbidden(app);
    }
    let Ok(uuid) = id.parse() else { return not_found(app) };
    let id = RegistrationId::from_uuid(uuid);
    let c = client(req);
    let note = field(&form, "note");
    let outcome: Result<String, Response> = match action.as_str() {
        "confirm" => match app.mypage.confirm_registration(staff, id, &c).await {
            Ok(number) => Ok(format!("本登録しました。事業所番号は {number} です。")),
            Err(ConfirmError::NotPermitted) => Err(not_permitted(app)),
            Err(ConfirmError::RegistrationNotFound | ConfirmError::OutsideOffice) => Err(not_found(app)),
            Err(ConfirmError::AlreadyDecided) => Ok("この仮登録は、すでにほかの職員が処理しています。".into()),
            Err(ConfirmError::EstablishmentNotFound) => {
                Ok("申告された事業所番号の事業所が見つかりません。事業所情報を確認してください。".into())
            }
            Err(ConfirmError::Infrastructure(e)) => Err(unavailable(app, &e)),
        },
        "contact" | "return" | "reject" => {
            let result = match action.as_str() {
                "contact" => app.mypage.mark_contact_needed(staff, id, &note, &c).await,
                "return" => app.mypage.return_registration(staff, id, &note, &c).await,
                _ => app.mypage.reject_registration(staff, id, &note, &c).await,
            };
            match result {
                Ok(()) => Ok("処理しました。事業所にメールでお知らせします。".into()),
                Err(ReviewError::NotPermitted) => Err(not_permitted(app)),
                Err(ReviewError::RegistrationNotFound | ReviewError::OutsideOffice) => Err(not_found(app)),
                Err(ReviewError::AlreadyDecided) => Ok("この仮登録は、すでにほかの職員が処理しています。".into()),
                Err(ReviewError::InvalidNote(_)) => Ok("連絡事項・理由を1000文字以内で入力してください。".into()),
                Err(ReviewError::Infrastructure(e)) => Err(unavailable(app, &e)),
            }
        }
        _ => Err(not_found(app)),
    };
    match outcome {
        Ok(message) => {
            let body = html! {
                h1 { "仮登録の審査" }
                div.notice role="status" { p { (message) } }
                p { a href="/staff" { "職員メニューへ戻る" } }
            };
            layout("仮登録の審査", &app.config.help_desk, body).into_response()
        }
        Err(response) => response,
    }
}

fn counter_page(app: &App, token: &str, email: &str, number: &str, message: Option<(bool, String)>) -> Markup {
    let body = html! {
        p.breadcrumb { a href="/staff" { "職員メニュー" } " > メールアドレスの登録" }
        h1 { "メールアドレスの登録（窓口）" }
        @if let Some((ok, m)) = &message {
            @if *ok { div.notice role="status" { p { (m) } } } @else { div.error-summary role="alert" { p { (m) } } }
        }
        form method="post" action="/staff/counter" {
            (csrf(token))
            div.field {
                label for="number" { "事業所番号" }
                span.hint id="number-hint" { "番号がわからないときは、" a href="/staff/establishments" { "事業所名で検索" } "できます。" }
                input type="text" id="number" name="number" value=(number) aria-describedby="number-hint";
            }
            div.field { label for="email" { "メールアドレス" } input type="email" id="email" name="email" value=(email); }
            div.actions { button type="submit" { "登録する" } }
        }
    };
    layout("メールアドレスの登録", &app.config.help_desk, body)
}

/// The counter form; `?number=` fills in the establishment chosen in the search.
#[handler]
pub(crate) async fn counter_form(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    poem::web::Query(query): poem::web::Query<HashMap<String, String>>,
) -> Response {
    match member(session).await {
        Ok((_, token)) => counter_page(app, &token, "", &field(&query, "number"), None).into_response(),
        Err(r) => r,
    }
}

#[handler]
pub(crate) async fn counter(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Form(form): FormData,
) -> Response {
    let (staff, token) = match member(session).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    if field(&form, "csrf") != token {
        return forbidden(app);
    }
    let (email, number) = (field(&form, "email"), field(&form, "number"));
    let input = CounterRegistration { email: email.clone(), establishment_number: number.clone() };
    let message = match app.mypage.register_email_at_counter(staff, &input, &client(req)).await {
        Ok(_) => (
            true,
            format!(
                "{email} を登録しました。事業所に「求人者マイページ開設（パスワード登録）」のご案内をしてください。"
            ),
        ),
        Err(CounterRegistrationError::NotPermitted) => return not_permitted(app),
        Err(CounterRegistrationError::InvalidEmail(_)) => (false, "メールアドレスの形式で入力してください。".into()),
        Err(CounterRegistrationError::InvalidEstablishmentNumber(_)) => {
            (false, "事業所番号は11桁の数字で入力してください。".into())
        }
        Err(CounterRegistrationError::EstablishmentNotFound) => {
            (false, "この事業所番号の事業所は登録されていません。".into())
        }
        Err(CounterRegistrationError::OutsideOffice) => (false, "ほかのハローワークの事業所です。".into()),
        Err(CounterRegistrationError::EmailTaken) => {
            (false, "このメールアドレスは、すでにほかのアカウントで使われています。".into())
        }
        Err(CounterRegistrationError::Infrastructure(e)) => return unavailable(app, &e),
    };
    counter_page(app, &token, if message.0 { "" } else { &email }, if message.0 { "" } else { &number }, Some(message))
        .into_response()
}
