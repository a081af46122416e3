//! メールアドレスの変更 (R19): the current password and the new address, then the key mailed to the new address on a
//! screen that works only in this browser session (R4), with another key when the mail does not come (R3). The page
//! answers the same whether or not the new address has an account (R8).

use maud::{Markup, html};
use mypage_domain::model::FlowPurpose;
use mypage_domain::values::jst;
use poem::web::{Data, Redirect};
use poem::{IntoResponse, Response, handler};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::app::App;
use crate::extract::{Client, CsrfForm, Employer, Entrance};
use crate::pages::account::{ACCOUNT_PATH, account_breadcrumb, current_password_field};
use crate::pages::forms::{NoFields, required_mark};
use crate::pages::layout::{csrf, error_summary, field_error, has_error, layout, on_form, stays_on_form};
use crate::problem::{Explain, Problem};
use crate::session::{FlowRef, SessionHandle, SessionState};

/// The step's title.
pub(crate) const EMAIL_CHANGE: &str = "メールアドレスの変更";
/// The first page's path.
pub(crate) const EMAIL_PATH: &str = "/mypage/account/email";
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
            div.actions { button type="submit" { "認証キーを送信する" } a.button.secondary href=(ACCOUNT_PATH) { "キャンセル" } }
        }
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
    app.count_key_request(&client)?;
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
        div.notice {
            p { strong { (flow.email) } " 宛てに、認証キーを記載した「メールアドレス変更申込受付通知」メールをお送りしました。" }
            p { "認証キーの有効期限は " strong { (jst(flow.expires_at)) } " までです。有効期限を過ぎた場合は、はじめからやり直してください。" }
            p { strong { "変更が完了するまで、この画面を閉じないでください。" } "閉じてしまった場合は、はじめからやり直してください。" }
        }
        form method="post" action=(KEY_PATH) novalidate {
            (csrf(token))
            div.field.invalid[has_error(errors, "auth_key")] {
                label for="auth_key" { "認証キー" (required_mark()) }
                p.hint id="auth_key-hint" { "メールに記載された10文字（例：ABCDE-23456）。大文字・小文字、全角・半角は区別しません。" }
                (field_error(errors, "auth_key"))
                input type="text" id="auth_key" name="auth_key" value=(typed) autocomplete="one-time-code" autocapitalize="characters" aria-describedby="auth_key-hint auth_key-error";
            }
            div.actions { button type="submit" { "変更する" } }
        }
        div.notice {
            p {
                "しばらく経ってもメールが届かない場合は、入力したメールアドレスが正しいか、メールの受信制限の設定をご確認ください。"
                "受信制限をされている場合は、" strong { (app.config.system_address) } "からのメールを受信できるよう設定してください。"
            }
        }
        @if flow.resends_left > 0 {
            form method="post" action=(RESEND_PATH) {
                (csrf(token))
                p { (format!("メールが届かない場合は、認証キーをもう一度送信できます（あと{}回）。", flow.resends_left)) }
                button.secondary type="submit" { "認証キーを再送信する" }
            }
        }
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
    Employer(_account): Employer,
    Client(client): Client,
    CsrfForm(_form): CsrfForm<NoFields>,
) -> poem::Result<Response> {
    let mut s = session.lock().await;
    let mut flow = change_of(&s).ok_or_else(Problem::flow_not_found)?;
    app.count_key_request(&client)?;
    let notice = match app.mypage.resend_auth_key(&SecretString::from(flow.token.clone()), &client).await {
        Ok(sent) => {
            flow.expires_at = sent.expires_at;
            flow.resends_left = sent.resends_left;
            "認証キーをもう一度お送りしました。先にお送りした認証キーも、有効期限内であれば使用できます。".to_owned()
        }
        Err(e) => {
            let problem = e.explain();
            if !stays_on_form(&problem) {
                s.data.flow = None;
                s.changed();
                return Err(problem.into());
            }
            problem.message
        }
    };
    s.data.flow = Some(flow);
    s.data.notice = Some(notice);
    s.changed();
    Ok(Redirect::see_other(KEY_PATH).into_response())
}
