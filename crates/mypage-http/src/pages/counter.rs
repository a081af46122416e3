//! Corrections at the counter (R12): counter staff find a registration of their office that still waits for its
//! password by the address they typed, then correct that address or withdraw the registration. The domain decides
//! who may (R14); a registration of another office is not found, as one that does not exist.
//!
//! A mistake comes back on the form with what was typed and the message beside its field; a refusal or an outage is
//! the problem's own page.

use maud::{Markup, html};
use mypage_domain::model::{AccountId, FlowPurpose};
use mypage_domain::usecases::CounterRegistrationView;
use mypage_domain::values::jst;
use poem::web::{Data, Redirect};
use poem::{IntoResponse, Request, Response, handler};
use serde::Deserialize;

use crate::app::App;
use crate::extract::{Client, CsrfForm, Staff};
use crate::pages::console::console_layout;
use crate::pages::forms::NoFields;
use crate::pages::layout::{csrf, entrance_title, field_error, has_error, on_form, outcome, stays_on_form};
use crate::pages::staff::{breadcrumb, establishment_label, label};
use crate::problem::{Explain, Problem};
use crate::session::SessionHandle;

/// Where counter staff find a registration to correct or withdraw.
pub(crate) const CORRECTIONS_PATH: &str = "/staff/counter/registrations";
/// The corrections page, as the counter page links it and its heading calls it.
pub(crate) const CORRECTIONS_TITLE: &str = "登録したメールアドレスの訂正・取り消し";
/// One registration's page, as its heading calls it.
const REGISTRATION_TITLE: &str = "パスワード登録待ちの登録";

/// The address typed: the one to look for, or the corrected one.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct EmailForm {
    #[serde(default)]
    email: String,
}

/// The page of one registration: `/staff/counter/registrations/{account}`.
fn registration_path(id: AccountId) -> String {
    format!("{CORRECTIONS_PATH}/{id}")
}

/// The account a path names; an id that is no id names no registration of the member's office.
fn account_id(req: &Request) -> Result<AccountId, Problem> {
    req.raw_path_param("id")
        .and_then(|raw| raw.parse().ok())
        .map(AccountId::from_uuid)
        .ok_or_else(Problem::counter_registration_not_found)
}

/// The form that finds a registration by its address, with the last attempt's problem beside its field.
fn find_page(token: &str, typed: &str, message: Option<&(bool, String)>, errors: &[(String, String)]) -> Markup {
    let body = html! {
        (breadcrumb(CORRECTIONS_TITLE))
        h1 { (CORRECTIONS_TITLE) }
        (outcome(message))
        p { "窓口で登録したメールアドレスに誤りがあったときは、ここで正しいアドレスに訂正するか、登録を取り消します。事業所の方がまだパスワードを登録していない登録だけが対象です。" }
        form method="post" action=(CORRECTIONS_PATH) {
            (csrf(token))
            div.field.invalid[has_error(errors, "email")] {
                label for="email" { (label::EMAIL) }
                span.hint id="email-hint" { "窓口で登録したときのメールアドレスを入力してください。" }
                (field_error(errors, "email"))
                input type="email" id="email" name="email" value=(typed) aria-describedby="email-hint";
            }
            div.actions { button type="submit" { "登録を探す" } }
        }
    };
    console_layout(CORRECTIONS_TITLE, body)
}

/// The search form, empty.
#[handler]
pub(crate) async fn find_form(Data(session): Data<&SessionHandle>, Staff(_): Staff) -> Markup {
    let token = session.lock().await.csrf();
    find_page(&token, "", None, &[])
}

/// Finds the registration by its address and goes to its page; an address not found comes back beside its field.
#[handler]
pub(crate) async fn find(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Staff(staff): Staff,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> poem::Result<Response> {
    let problem = match app.mypage.find_counter_registration(staff, &form.email).await {
        Ok(found) => return Ok(Redirect::see_other(registration_path(found.account)).into_response()),
        Err(e) => e.explain(),
    };
    if !(stays_on_form(&problem) || problem.code == "not_found") {
        return Err(problem.into());
    }
    let token = session.lock().await.csrf();
    let message = (false, problem.message.clone());
    Ok(on_form(find_page(&token, &form.email, Some(&message), &problem.messages()), &problem))
}

/// A registration, with the form that corrects its address (filled in with `typed`, its problem beside it) and
/// the one that withdraws it.
fn registration_page(
    token: &str,
    view: &CounterRegistrationView,
    typed: &str,
    message: Option<&(bool, String)>,
    errors: &[(String, String)],
) -> Markup {
    let path = registration_path(view.account);
    let body = html! {
        p.breadcrumb {
            a href="/staff" { (label::MENU) } " > " a href=(CORRECTIONS_PATH) { (CORRECTIONS_TITLE) } " > " (REGISTRATION_TITLE)
        }
        h1 { (REGISTRATION_TITLE) }
        (outcome(message))
        dl {
            dt { (label::EMAIL) } dd { (view.email.as_str()) }
            dt { (label::NUMBER) } dd { (view.establishment_number) }
            dt { (establishment_label("name")) } dd { (view.establishment_name) }
            dt { "窓口で登録した日時" } dd { (jst(view.registered_at)) }
        }
        h2 { "メールアドレスを訂正する" }
        p { "訂正すると、元のアドレスに送った認証キーは使えなくなります。事業所の方には、正しいアドレスで「" (entrance_title(FlowPurpose::OpenMyPage)) "」をはじめからやり直すようご案内ください。" }
        form method="post" action={(path) "/email"} {
            (csrf(token))
            div.field.invalid[has_error(errors, "email")] {
                label for="email" { "正しいメールアドレス" }
                (field_error(errors, "email"))
                input type="email" id="email" name="email" value=(typed);
            }
            div.actions { button type="submit" { "訂正する" } }
        }
        h2 { "登録を取り消す" }
        p { "取り消すと、このアカウントは削除され、元のアドレスに送った認証キーも使えなくなります。同じアドレスは、あらためて登録できます。" }
        form method="post" action={(path) "/withdraw"} {
            (csrf(token))
            div.actions { button.secondary type="submit" { "登録を取り消す" } }
        }
    };
    console_layout(REGISTRATION_TITLE, body)
}

/// A registration of the member's office that waits for its password.
#[handler]
pub(crate) async fn registration(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Staff(staff): Staff,
) -> poem::Result<Markup> {
    let id = account_id(req)?;
    let view = app.mypage.counter_registration(staff, id).await.map_err(Explain::explain)?;
    let token = session.lock().await.csrf();
    Ok(registration_page(&token, &view, "", None, &[]))
}

/// The page after a correction or a withdrawal: what was done, and the way back.
fn done_page(message: &str) -> Markup {
    let body = html! {
        (breadcrumb(CORRECTIONS_TITLE))
        h1 { (CORRECTIONS_TITLE) }
        (outcome(Some(&(true, message.to_owned()))))
        p { a href=(CORRECTIONS_PATH) { "別の登録を探す" } }
    };
    console_layout(CORRECTIONS_TITLE, body)
}

/// A step the registration's state refused (already opened, changed at the same moment, the office closed): the
/// outcome line alone, since the form it came from may no longer apply.
fn refused_page(problem: &Problem) -> Response {
    let body = html! {
        (breadcrumb(CORRECTIONS_TITLE))
        h1 { (CORRECTIONS_TITLE) }
        (outcome(Some(&(false, problem.message.clone()))))
        p { a href=(CORRECTIONS_PATH) { (CORRECTIONS_TITLE) } }
    };
    on_form(console_layout(CORRECTIONS_TITLE, body), problem)
}

/// Corrects the registration's address (R12); the key mailed to the old one dies. A refused address comes back
/// beside its field.
#[handler]
pub(crate) async fn correct(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Staff(staff): Staff,
    Client(client): Client,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> poem::Result<Response> {
    let id = account_id(req)?;
    let problem = match app.mypage.correct_counter_email(staff, id, &form.email, &client).await {
        Ok(()) => {
            let done = format!(
                "メールアドレスを {} に訂正しました。事業所の方に、このアドレスで「{}」をはじめからやり直すようご案内ください。",
                form.email.trim(),
                entrance_title(FlowPurpose::OpenMyPage)
            );
            return Ok(done_page(&done).into_response());
        }
        Err(e) => e.explain(),
    };
    if !stays_on_form(&problem) {
        return Err(problem.into());
    }
    if problem.field.is_none() {
        return Ok(refused_page(&problem));
    }
    let view = app.mypage.counter_registration(staff, id).await.map_err(Explain::explain)?;
    let token = session.lock().await.csrf();
    let message = (false, problem.message.clone());
    let page = registration_page(&token, &view, &form.email, Some(&message), &problem.messages());
    Ok(on_form(page, &problem))
}

/// Withdraws the registration (R12): the account is deleted and its address free again.
#[handler]
pub(crate) async fn withdraw(
    req: &Request,
    Data(app): Data<&App>,
    Staff(staff): Staff,
    Client(client): Client,
    CsrfForm(_): CsrfForm<NoFields>,
) -> poem::Result<Response> {
    let id = account_id(req)?;
    let problem = match app.mypage.withdraw_counter_registration(staff, id, &client).await {
        Ok(()) => {
            return Ok(
                done_page("登録を取り消しました。元のアドレスに送った認証キーは使えなくなりました。").into_response()
            );
        }
        Err(e) => e.explain(),
    };
    if !stays_on_form(&problem) {
        return Err(problem.into());
    }
    Ok(refused_page(&problem))
}
