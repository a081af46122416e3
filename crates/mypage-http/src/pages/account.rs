//! アカウントの設定 (R19): the account's address and a link to each step of its care; パスワードの変更; and
//! アカウントの削除（利用の停止）. The address change is in `account_email`, the sessions in `account_sessions`.

use maud::{Markup, html};
use poem::web::{Data, Redirect};
use poem::{IntoResponse, Response, handler};
use secrecy::SecretString;
use serde::Deserialize;

use crate::app::App;
use crate::extract::{Client, CsrfForm, Employer};
use crate::pages::employer::{new_password_fields, password_rule};
use crate::pages::forms::required_mark;
use crate::pages::layout::{EMAIL_CHANGE, csrf, error_summary, field_error, has_error, layout, on_form, stays_on_form};
use crate::pages::registration::{breadcrumb, breadcrumb_below};
use crate::problem::Explain;
use crate::session::SessionHandle;

/// The settings page's title.
pub(crate) const ACCOUNT: &str = "アカウントの設定";
/// Its path, which the My Page home links to.
pub(crate) const ACCOUNT_PATH: &str = "/mypage/account";
/// The password change's title.
pub(crate) const PASSWORD_CHANGE: &str = "パスワードの変更";
/// Its path.
pub(crate) const PASSWORD_PATH: &str = "/mypage/account/password";
/// The address change's first page.
pub(crate) const EMAIL_PATH: &str = "/mypage/account/email";
/// The sessions' page (ログイン中の端末) and its path.
pub(crate) const SESSIONS: &str = "ログイン中の端末";
/// Its path.
pub(crate) const SESSIONS_PATH: &str = "/mypage/account/sessions";
/// Closing's title.
pub(crate) const CLOSE: &str = "アカウントの削除（利用の停止）";
/// Its path.
pub(crate) const CLOSE_PATH: &str = "/mypage/account/close";

/// The breadcrumb of the care's pages: My Page, the settings, then where the employer is.
pub(crate) fn account_breadcrumb(here: &str) -> Markup {
    breadcrumb_below((ACCOUNT_PATH, ACCOUNT), here)
}

/// The way back to the settings, at the foot of each step.
pub(crate) fn back_to_settings() -> Markup {
    html! { p { a href=(ACCOUNT_PATH) { (ACCOUNT) "へ戻る" } } }
}

/// The button of a step that changes something.
pub(crate) const CHANGE: &str = "変更する";

/// The current password field, which every step that changes something asks for.
pub(crate) fn current_password_field(errors: &[(String, String)]) -> Markup {
    html! {
        div.field.invalid[has_error(errors, "current_password")] {
            label for="current_password" { "現在のパスワード" (required_mark()) }
            (field_error(errors, "current_password"))
            input type="password" id="current_password" name="current_password" autocomplete="current-password" aria-describedby="current_password-error";
        }
    }
}

/// The settings: the address, and a link to each step.
#[handler]
pub(crate) async fn settings(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Employer(account): Employer,
) -> poem::Result<Markup> {
    let overview = app.mypage.overview(account).await.map_err(Explain::explain)?;
    let mut s = session.lock().await;
    let notice = s.data.notice.take();
    if notice.is_some() {
        s.changed();
    }
    let body = html! {
        (breadcrumb(ACCOUNT))
        h1 { (ACCOUNT) }
        @if let Some(notice) = notice { div.notice role="status" { p { (notice) } } }
        dl {
            dt { "ログインに使うメールアドレス" }
            dd { (overview.account.email()) }
        }
        ul {
            li { a href=(PASSWORD_PATH) { (PASSWORD_CHANGE) } }
            li { a href=(EMAIL_PATH) { (EMAIL_CHANGE) } }
            li { a href=(SESSIONS_PATH) { (SESSIONS) } }
            li { a href=(CLOSE_PATH) { (CLOSE) } }
        }
    };
    Ok(layout(ACCOUNT, &app.config.help_desk, body))
}

fn password_page(app: &App, token: &str, errors: &[(String, String)]) -> Markup {
    let rule = format!("{}。メールアドレスの@より前の部分を含むものは使えません。", password_rule(app));
    let body = html! {
        (account_breadcrumb(PASSWORD_CHANGE))
        h1 { (PASSWORD_CHANGE) }
        (error_summary(errors))
        p { "パスワードを変更すると、この端末以外でログインしている端末は、すべてログアウトします。" }
        form method="post" action=(PASSWORD_PATH) novalidate {
            (csrf(token))
            (current_password_field(errors))
            (new_password_fields(errors, &rule))
            div.actions { button type="submit" { (CHANGE) } }
        }
        (back_to_settings())
    };
    layout(PASSWORD_CHANGE, &app.config.help_desk, body)
}

/// パスワードの変更.
#[handler]
pub(crate) async fn password_form(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Employer(_account): Employer,
) -> Markup {
    let token = session.lock().await.csrf();
    password_page(app, &token, &[])
}

/// What the password change sends.
#[derive(Debug, Deserialize)]
pub(crate) struct PasswordChangeForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirmation: String,
}

/// The password changed: every session of the account ended, and this browser goes on under a fresh one, so that
/// only it stays logged in (R19).
#[handler]
pub(crate) async fn change_password(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Employer(account): Employer,
    Client(client): Client,
    CsrfForm(form): CsrfForm<PasswordChangeForm>,
) -> poem::Result<Response> {
    let (current, new, confirmation) = (
        SecretString::from(form.current_password),
        SecretString::from(form.password),
        SecretString::from(form.confirmation),
    );
    let changed = app.mypage.change_password(account, &current, &new, &confirmation, &client).await;
    let mut s = session.lock().await;
    match changed.map_err(Explain::explain) {
        Ok(()) => {
            s.reopen();
            s.data.notice =
                Some("パスワードを変更しました。この端末以外でログインしていた端末は、ログアウトしました。".into());
            Ok(Redirect::see_other(ACCOUNT_PATH).into_response())
        }
        Err(problem) if stays_on_form(&problem) => {
            Ok(on_form(password_page(app, &s.csrf(), &problem.messages()), &problem))
        }
        Err(problem) => Err(problem.into()),
    }
}

fn close_page(app: &App, token: &str, errors: &[(String, String)]) -> Markup {
    let body = html! {
        (account_breadcrumb(CLOSE))
        h1 { (CLOSE) }
        (error_summary(errors))
        div.notice {
            p { "アカウントを削除すると、次のようになります。" }
            ul {
                li { "このアカウントでは、今後ログインできなくなります。ログイン中の端末も、すべてログアウトします。" }
                li { "手続き中の仮登録や求人の申込みは、取下げになります。" }
                li { "これまでにハローワークへ提出した内容と手続きの記録は、ハローワークで保管します（削除されません）。" }
                li { "このメールアドレスで、あらためて求人者マイページを開設することができます。" }
                li { "本登録が済んだ事業所の事業所番号や、ハローワークでの求人の取扱いは変わりません。ご不明な点は、管轄のハローワークにお問い合わせください。" }
            }
        }
        form method="post" action=(CLOSE_PATH) novalidate {
            (csrf(token))
            (current_password_field(errors))
            div.actions { button type="submit" { "アカウントを削除する" } }
        }
        (back_to_settings())
    };
    layout(CLOSE, &app.config.help_desk, body)
}

/// アカウントの削除（利用の停止）: what happens, and the password.
#[handler]
pub(crate) async fn close_form(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Employer(_account): Employer,
) -> Markup {
    let token = session.lock().await.csrf();
    close_page(app, &token, &[])
}

/// What closing sends.
#[derive(Debug, Deserialize)]
pub(crate) struct CloseForm {
    #[serde(default)]
    current_password: String,
}

/// The account closed: this browser's session ends with the others, and the page says what was done.
#[handler]
pub(crate) async fn close(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Employer(account): Employer,
    Client(client): Client,
    CsrfForm(form): CsrfForm<CloseForm>,
) -> poem::Result<Response> {
    let closed = app.mypage.close_account(account, &SecretString::from(form.current_password), &client).await;
    let mut s = session.lock().await;
    match closed.map_err(Explain::explain) {
        Ok(()) => {
            s.end();
            let title = "アカウントの削除完了";
            let body = html! {
                h1 { (title) }
                div.notice role="status" {
                    p { "求人者マイページのアカウントを削除しました。ご利用いただき、ありがとうございました。" }
                    p { "削除したことをお知らせするメールをお送りしました。" }
                }
                div.actions { a.button href="/" { "トップページへ" } }
            };
            Ok(layout(title, &app.config.help_desk, body).into_response())
        }
        Err(problem) if stays_on_form(&problem) => {
            Ok(on_form(close_page(app, &s.csrf(), &problem.messages()), &problem))
        }
        Err(problem) => Err(problem.into()),
    }
}
