//! The password screen of an auth-key flow: the key from the mail, the new password, and another key when the mail
//! does not come (R3–R5, R17). It works only in the browser session that asked for the key (R4); a flow that cannot
//! go on is forgotten by the session and the start-again page says so. A form sent back keeps the key that was
//! typed (never the passwords), and a key that expired leaves the flow as it is: a later mail's key still works.

use chrono::{DateTime, Utc};
use maud::{Markup, html};
use mypage_domain::model::{AccountId, ClientInfo, FlowPurpose};
use mypage_domain::usecases::PasswordEntry;
use mypage_domain::values::{PasswordPolicy, jst};
use poem::web::Data;
use poem::{IntoResponse, Response, handler};
use secrecy::SecretString;
use serde::Deserialize;

use super::{breadcrumb, mail_advice, screen_title, to_step};
use crate::app::App;
use crate::extract::{Client, CsrfForm, Entrance};
use crate::pages::forms::{NoFields, required_mark};
use crate::pages::layout::{csrf, error_summary, field_error, has_error, layout, on_form, stays_on_form};
use crate::problem::{Explain, Problem};
use crate::session::{FlowRef, SessionHandle, SessionState};

/// The flow this browser session started through `entrance`, if any (R4).
fn flow_of(s: &SessionState, entrance: Entrance) -> Option<FlowRef> {
    s.data.flow.clone().filter(|f| f.purpose == entrance.segment())
}

/// What the password screen shows again: the key typed (never the passwords), the errors, and a notice.
#[derive(Default)]
struct Shown<'a> {
    auth_key: &'a str,
    errors: &'a [(String, String)],
    notice: Option<&'a str>,
}

/// The password screen: where the key was sent and until when, the password rule, and the resend form.
fn password_page(app: &App, p: FlowPurpose, token: &str, flow: &FlowRef, shown: &Shown<'_>) -> Markup {
    let Shown { auth_key, errors, notice } = *shown;
    let mail = if p == FlowPurpose::ResetPassword {
        "パスワード再設定申込受付通知"
    } else {
        "パスワード登録申込受付通知"
    };
    let title = screen_title(p);
    let segment = Entrance(p).segment();
    let body = html! {
        (breadcrumb(title))
        h1 { (title) }
        (error_summary(errors))
        @if let Some(notice) = notice { div.notice role="status" { p { (notice) } } }
        (key_sent_notice(flow, mail, "登録"))
        form method="post" action={"/start/" (segment) "/password"} novalidate {
            (csrf(token))
            (new_password_fields(errors, password_rule(app)))
            (key_field(errors, auth_key))
            div.actions { button type="submit" { "完了" } }
        }
        (mail_advice(app))
        (resend_form(token, &format!("/start/{segment}/resend"), flow.resends_left))
    };
    layout(title, &app.config.help_desk, body)
}

/// The password rule, as the pages state it (R5).
pub(crate) fn password_rule(app: &App) -> &'static str {
    match app.mypage.config().password_policy {
        PasswordPolicy::Office => "半角の数字、英字、記号をすべて含む8文字以上32文字以内",
        PasswordPolicy::Nist => "15文字以上64文字以内（文字の種類は問いません）",
    }
}

/// Where the key of `flow` went (in the mail titled `mail`), until when it works, and that the screen must stay open
/// until the step (`what`: 登録, 変更) is complete (R3, R4).
pub(crate) fn key_sent_notice(flow: &FlowRef, mail: &str, what: &str) -> Markup {
    html! {
        div.notice {
            p { strong { (flow.email) } " 宛てに、認証キーを記載した「" (mail) "」メールをお送りしました。" }
            p { "認証キーの有効期限は " strong { (jst(flow.expires_at)) } " までです。有効期限を過ぎた場合は、はじめからやり直してください。" }
            p { strong { (what) "が完了するまで、この画面を閉じないでください。" } "閉じてしまった場合は、はじめからやり直してください。" }
        }
    }
}

/// The new password and its confirmation, with the rule as the hint (R5).
pub(crate) fn new_password_fields(errors: &[(String, String)], rule: &str) -> Markup {
    html! {
        div.field.invalid[has_error(errors, "password")] {
            label for="password" { "新しいパスワード" (required_mark()) }
            p.hint id="password-hint" { (rule) }
            (field_error(errors, "password"))
            input type="password" id="password" name="password" autocomplete="new-password" aria-describedby="password-hint password-error";
        }
        div.field.invalid[has_error(errors, "confirmation")] {
            label for="confirmation" { "新しいパスワード（確認用）" (required_mark()) }
            (field_error(errors, "confirmation"))
            input type="password" id="confirmation" name="confirmation" autocomplete="new-password" aria-describedby="confirmation-error";
        }
    }
}

/// The auth key field, with what was typed.
pub(crate) fn key_field(errors: &[(String, String)], typed: &str) -> Markup {
    html! {
        div.field.invalid[has_error(errors, "auth_key")] {
            label for="auth_key" { "認証キー" (required_mark()) }
            p.hint id="auth_key-hint" { "メールに記載された10文字（例：ABCDE-23456）。大文字・小文字、全角・半角は区別しません。" }
            (field_error(errors, "auth_key"))
            input type="text" id="auth_key" name="auth_key" value=(typed) autocomplete="one-time-code" autocapitalize="characters" aria-describedby="auth_key-hint auth_key-error";
        }
    }
}

/// Another key, posted to `action`, while the flow has some left (R3).
pub(crate) fn resend_form(token: &str, action: &str, resends_left: u8) -> Markup {
    html! {
        @if resends_left > 0 {
            form method="post" action=(action) {
                (csrf(token))
                p { (format!("メールが届かない場合は、認証キーをもう一度送信できます（あと{resends_left}回）。")) }
                button.secondary type="submit" { "認証キーを再送信する" }
            }
        }
    }
}

/// The password screen of the flow this browser started, with the notice a resend left (R4).
#[handler]
pub(crate) async fn password_form(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    entrance: Entrance,
) -> poem::Result<Response> {
    let mut s = session.lock().await;
    let flow = flow_of(&s, entrance).ok_or_else(Problem::flow_not_found)?;
    let notice = s.data.notice.take();
    if notice.is_some() {
        s.changed();
    }
    let shown = Shown { notice: notice.as_deref(), ..Shown::default() };
    Ok(password_page(app, entrance.0, &s.csrf(), &flow, &shown).into_response())
}

/// What the password page sends.
#[derive(Debug, Deserialize)]
pub(crate) struct PasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirmation: String,
    #[serde(default)]
    auth_key: String,
}

/// The password screen sent: the key proves the address and the password is set, for an account being opened or
/// reset alike (R3, R5, R17).
#[handler]
pub(crate) async fn set_password(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    entrance: Entrance,
    Client(client): Client,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> poem::Result<Response> {
    let mut s = session.lock().await;
    let flow = flow_of(&s, entrance).ok_or_else(Problem::flow_not_found)?;
    let typed_key = form.auth_key.clone();
    let entry = PasswordEntry {
        flow_token: SecretString::from(flow.token.clone()),
        auth_key: SecretString::from(form.auth_key),
        password: SecretString::from(form.password),
        confirmation: SecretString::from(form.confirmation),
    };
    let outcome = if entrance.0 == FlowPurpose::ResetPassword {
        app.mypage.reset_password(&entry, &client).await.map(drop).map_err(Explain::explain)
    } else {
        app.mypage.register_password(&entry, &client).await.map(drop).map_err(Explain::explain)
    };
    match outcome {
        Ok(()) => {
            s.data.flow = None;
            s.data.consent = None;
            s.changed();
            Ok(to_step(entrance, "done"))
        }
        Err(problem) if problem.start_again => {
            s.data.flow = None;
            s.changed();
            Err(problem.into())
        }
        Err(problem) if stays_on_form(&problem) => {
            // An expired key leaves the flow open (R3): the screen says whether the newest mail's key still works.
            let notice = (problem.code == "key_expired").then(|| newest_key(&flow, app.now()));
            let shown = Shown { auth_key: &typed_key, errors: &problem.messages(), notice: notice.as_deref() };
            let page = password_page(app, entrance.0, &s.csrf(), &flow, &shown);
            Ok(on_form(page, &problem))
        }
        Err(problem) => Err(problem.into()),
    }
}

/// What the password screen says after an expired key: until when the newest mail's key works, or that every key
/// has expired.
fn newest_key(flow: &FlowRef, now: DateTime<Utc>) -> String {
    if now < flow.expires_at {
        format!("最後にお送りしたメールの認証キーは、{} まで使用できます。", jst(flow.expires_at))
    } else {
        "お送りした認証キーは、すべて有効期限が過ぎています。はじめからやり直してください。".to_owned()
    }
}

/// Another key for `flow`, and the notice the password screen shows: that it was sent, or why not while the keys
/// already sent still work. A problem means the flow cannot go on (R3, R8). `owner` is the account whose address change
/// the flow is (R19), `None` for a visitor's flow.
pub(crate) async fn another_key(
    app: &App,
    mut flow: FlowRef,
    owner: Option<AccountId>,
    client: &ClientInfo,
) -> Result<(FlowRef, String), Problem> {
    let token = SecretString::from(flow.token.clone());
    let sent = match owner {
        Some(account) => app.mypage.resend_email_change_key(account, &token, client).await,
        None => app.mypage.resend_auth_key(&token, client).await,
    };
    match sent {
        Ok(sent) => {
            flow.expires_at = sent.expires_at;
            flow.resends_left = sent.resends_left;
            let notice = "認証キーをもう一度お送りしました。先にお送りした認証キーも、有効期限内であれば使用できます。";
            Ok((flow, notice.to_owned()))
        }
        Err(e) => {
            let problem = e.explain();
            // No more keys for now: the password page says why, and the keys already sent still work.
            if stays_on_form(&problem) { Ok((flow, problem.message)) } else { Err(problem) }
        }
    }
}

/// Another key for the flow of this browser; the password screen says whether one was sent (R3, R8).
#[handler]
pub(crate) async fn resend(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    entrance: Entrance,
    Client(client): Client,
    CsrfForm(_): CsrfForm<NoFields>,
) -> poem::Result<Response> {
    let mut s = session.lock().await;
    let flow = flow_of(&s, entrance).ok_or_else(Problem::flow_not_found)?;
    match another_key(app, flow, None, &client).await {
        Ok((flow, notice)) => {
            s.data.flow = Some(flow);
            s.data.notice = Some(notice);
            s.changed();
            Ok(to_step(entrance, "password"))
        }
        Err(problem) => {
            if problem.start_again {
                s.data.flow = None;
                s.changed();
            }
            Err(problem.into())
        }
    }
}
