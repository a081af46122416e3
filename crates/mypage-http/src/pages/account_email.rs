//! メールアドレスの変更 (R19): the current password and the new address, then the key mailed to the new address on a
//! screen that works only in this browser session (R4), with another key when the mail does not come (R3). The page
//! answers the same whether or not the new address has an account (R8).

use maud::{Markup, html};
use mypage_domain::model::FlowPurpose;
use poem::web::{Data, Redirect};
use poem::{IntoResponse, Response, handler};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::app::App;
use crate::extract::{Client, CsrfForm, Employer, Entrance};
use crate::pages::account::{
    ACCOUNT_PATH, CHANGE, EMAIL_PATH, account_breadcrumb, back_to_settings, current_password_field,
};
use crate::pages::employer::{another_key, key_field, key_sent_notice, mail_advice, resend_form};
use crate::pages::forms::{NoFields, required_mark};
use crate::pages::layout::{EMAIL_CHANGE, csrf, error_summary, field_error, has_error, layout, on_form, stays_on_form};
use crate::problem::{Explain, Problem};
use crate::session::{FlowRef, SessionHandle, SessionState};

const KEY_PATH: &str = "/mypage/account/email/key";
const RESEND_PATH: &str = "/mypage/account/email/resend";

/// The address change this browser session started (R4).
fn change_of(s: &SessionState) -> Option<FlowRef> {
    let segment = Entrance(FlowPurpose::ChangeEmail).segment();
    s.data.flow.clone().filter(|f| f.purpose == segment)
}

fn email_page(app: &App, token: &str, current: &str, typed: &str, errors: &[(String, String)]) -> Markup {
    let body = html! {
        (account_breadcrumb(EMAIL_CHANGE))
        h1 { (EMAIL_CHANGE) }
        (error_summary(errors))
        p { "現在のメールアドレス：" strong { (current) } }
        p { "変更後のメールアドレスに、認証キーを記載したメールをお送りします。認証キーを入力すると、変更が完了します。変更が完了すると、現在のメールアドレスにもお知らせのメールをお送りします。" }
        form method="post" action=(EMAIL_PATH) novalidate {
            (csrf(token))
            (current_password_field(errors))
            div.field.invalid[has_error(errors, "email")] {
                label for="email" { "変更後のメールアドレス" (required_mark()) }
                p.hint id="email-hint" { "組織で共有可能なアドレスを推奨します。" }
                (field_error(errors, "email"))
                input type="email" id="email" name="email" value=(typed) autocomplete="email" aria-describedby="email-hint email-error";
            }
            div.actions { button type="submit" { "認証キーを送信する" } }
        }
        (back_to_settings())
    };
    layout(EMAIL_CHANGE, &app.config.help_desk, body)
}

/// The current password and the new address.
#[handler]
pub(crate) async fn email_form(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Employer(account): Employer,
) -> poem::Result<Markup> {
    let overview = app.mypage.overview(account).await.map_err(Explain::explain)?;
    let token = session.lock().await.csrf();
    Ok(email_page(app, &token, overview.account.email().as_str(), "", &[]))
}

/// What the first page sends.
#[derive(Debug, Deserialize)]
pub(crate) struct EmailChangeForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    email: String,
}

/// A key to the new address (or, when it has an account, a notice to it: the same answer, R8); on to the key page.
#[handler]
pub(crate) async fn request(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Employer(account): Employer,
    Client(client): Client,
    CsrfForm(form): CsrfForm<EmailChangeForm>,
) -> poem::Result<Response> {
    let current = SecretString::from(form.current_password);
    let requested = app.mypage.request_email_change(account, &current, &form.email, &client).await;
    let mut s = session.lock().await;
    match requested.map_err(Explain::explain) {
        Ok(requested) => {
            s.data.flow = Some(FlowRef {
                token: requested.flow_token.expose_secret().to_owned(),
                purpose: Entrance(FlowPurpose::ChangeEmail).segment().to_owned(),
                email: requested.sent.email.as_str().to_owned(),
                expires_at: requested.sent.expires_at,
                resends_left: requested.sent.resends_left,
            });
            s.changed();
            Ok(Redirect::see_other(KEY_PATH).into_response())
        }
        Err(problem) if stays_on_form(&problem) => {
            let overview = app.mypage.overview(account).await.map_err(Explain::explain)?;
            let page = email_page(app, &s.csrf(), overview.account.email().as_str(), &form.email, &problem.messages());
            Ok(on_form(page, &problem))
        }
        Err(problem) => Err(problem.into()),
    }
}

fn key_page(
    app: &App,
    token: &str,
    flow: &FlowRef,
    typed: &str,
    errors: &[(String, String)],
    notice: Option<&str>,
) -> Markup {
    let body = html! {
        (account_breadcrumb(EMAIL_CHANGE))
        h1 { (EMAIL_CHANGE) }
        (error_summary(errors))
        @if let Some(notice) = notice { div.notice role="status" { p { (notice) } } }
        (key_sent_notice(flow, "メールアドレス変更申込受付通知", "変更"))
        form method="post" action=(KEY_PATH) novalidate {
            (csrf(token))
            (key_field(errors, typed))
            div.actions { button type="submit" { (CHANGE) } }
        }
        (mail_advice(app))
        (resend_form(token, RESEND_PATH, flow.resends_left))
    };
    layout(EMAIL_CHANGE, &app.config.help_desk, body)
}

/// The key page of the change this browser started (R4).
#[handler]
pub(crate) async fn key_form(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Employer(_account): Employer,
) -> poem::Result<Markup> {
    let mut s = session.lock().await;
    let flow = change_of(&s).ok_or_else(Problem::flow_not_found)?;
    let notice = s.data.notice.take();
    if notice.is_some() {
        s.changed();
    }
    Ok(key_page(app, &s.csrf(), &flow, "", &[], notice.as_deref()))
}

/// What the key page sends.
#[derive(Debug, Deserialize)]
pub(crate) struct KeyForm {
    #[serde(default)]
    auth_key: String,
}

/// The key entered: the address changes (R19).
#[handler]
pub(crate) async fn confirm(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Employer(account): Employer,
    Client(client): Client,
    CsrfForm(form): CsrfForm<KeyForm>,
) -> poem::Result<Response> {
    let mut s = session.lock().await;
    let flow = change_of(&s).ok_or_else(Problem::flow_not_found)?;
    let token = SecretString::from(flow.token.clone());
    let confirmed =
        app.mypage.confirm_email_change(account, &token, &SecretString::from(form.auth_key.clone()), &client).await;
    match confirmed.map_err(Explain::explain) {
        Ok(changed) => {
            s.data.flow = None;
            s.data.notice = Some(format!(
                "メールアドレスを {} に変更しました。次回から、このメールアドレスでログインしてください。",
                changed.email
            ));
            s.changed();
            Ok(Redirect::see_other(ACCOUNT_PATH).into_response())
        }
        Err(problem) if problem.start_again => {
            s.data.flow = None;
            s.changed();
            Err(problem.into())
        }
        Err(problem) if stays_on_form(&problem) => {
            let page = key_page(app, &s.csrf(), &flow, &form.auth_key, &problem.messages(), None);
            Ok(on_form(page, &problem))
        }
        Err(problem) => Err(problem.into()),
    }
}

/// Another key to the new address, in the same flow (R3).
#[handler]
pub(crate) async fn resend(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Employer(account): Employer,
    Client(client): Client,
    CsrfForm(_form): CsrfForm<NoFields>,
) -> poem::Result<Response> {
    let mut s = session.lock().await;
    let flow = change_of(&s).ok_or_else(Problem::flow_not_found)?;
    let (flow, notice) = match another_key(app, flow, Some(account), &client).await {
        Ok(sent) => sent,
        Err(problem) => {
            s.data.flow = None;
            s.changed();
            return Err(problem.into());
        }
    };
    s.data.flow = Some(flow);
    s.data.notice = Some(notice);
    s.changed();
    Ok(Redirect::see_other(KEY_PATH).into_response())
}
