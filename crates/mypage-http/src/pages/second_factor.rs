//! The staff's second factor in the browser (R21): the 確認コード step of a login whose password was right, and
//! enrolment, where a member who needs a second factor and has none is shown a new secret (as a QR code drawn here
//! and as text), confirms it with a first code and is shown the recovery codes once. No staff session opens before
//! the second step; the session id is renewed when it does.

use maud::{Markup, html};
use mypage_domain::model::StaffId;
use mypage_domain::ports::SessionSubject;
use mypage_domain::usecases::{RecoveryCodes, SecondFactorProof};
use poem::web::{Data, Query, Redirect};
use poem::{IntoResponse, Response, handler};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::app::App;
use crate::extract::{Client, CsrfForm};
use crate::pages::console::console_layout;
use crate::pages::layout::{csrf, field_error, has_error, on_form, outcome, stays_on_form};
use crate::pages::staff::breadcrumb;
use crate::problem::{Explain, Problem};
use crate::session::{PendingStaff, SessionHandle};

/// The code step of a staff login.
pub(crate) const CODE_PATH: &str = "/staff/login/code";
/// Enrolment of the second factor.
pub(crate) const ENROL_PATH: &str = "/staff/second-factor";

/// The code step's title.
const CODE_TITLE: &str = "確認コードの入力";
/// The enrolment page's title.
const ENROL_TITLE: &str = "確認コードの設定";
/// The recovery codes page's title.
const RECOVERY_TITLE: &str = "回復コード";
/// A code from the authenticator app.
const CODE: &str = "確認コード（6桁）";
/// The confirm button.
const CONFIRM: &str = "確認する";

/// The member a pending step names, if the session holds that step.
async fn pending(session: &SessionHandle, enrol: bool) -> Option<StaffId> {
    let id = match (session.lock().await.data.pending_staff.clone()?, enrol) {
        (PendingStaff::Code(id), false) | (PendingStaff::Enrol(id), true) => id,
        _ => return None,
    };
    id.parse().ok().map(StaffId::from_uuid)
}

/// Back to the password, when the session holds no such step.
fn to_login() -> Response {
    Redirect::see_other("/staff/login").into_response()
}

/// `?recovery=1` asks for a recovery code instead of a code.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CodeQuery {
    #[serde(default)]
    recovery: Option<String>,
}

/// The code step's form (no `Debug`: it holds a recovery code).
#[derive(Default, Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    recovery_code: String,
}

/// The code step: a code, or with `recovery` a recovery code, and the problem of the last attempt.
fn code_page(token: &str, recovery: bool, problem: Option<&Problem>) -> Markup {
    let message = problem.map(|p| (false, p.message.clone()));
    let body = html! {
        h1 { (CODE_TITLE) }
        (outcome(message.as_ref()))
        form method="post" action=(CODE_PATH) {
            (csrf(token))
            @if recovery {
                div.field {
                    label for="recovery_code" { "回復コード" }
                    span.hint id="recovery-hint" { "確認コードの設定時に控えた回復コードの1つ（1回だけ使えます）" }
                    input type="text" id="recovery_code" name="recovery_code" autocomplete="off" aria-describedby="recovery-hint";
                }
            } @else {
                div.field {
                    label for="code" { (CODE) }
                    span.hint id="code-hint" { "認証アプリに表示されている数字" }
                    input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" aria-describedby="code-hint";
                }
            }
            div.actions { button type="submit" { (CONFIRM) } }
        }
        @if recovery {
            p { a href=(CODE_PATH) { "認証アプリの確認コードを入力する" } }
        } @else {
            p { a href={(CODE_PATH) "?recovery=1"} { "認証アプリを使えないときは、回復コードを入力する" } }
        }
    };
    console_layout(CODE_TITLE, body)
}

/// The code step of a staff login whose password was right.
#[handler]
pub(crate) async fn code_form(Data(session): Data<&SessionHandle>, Query(query): Query<CodeQuery>) -> Response {
    if pending(session, false).await.is_none() {
        return to_login();
    }
    let token = session.lock().await.csrf();
    code_page(&token, query.recovery.is_some(), None).into_response()
}

/// Checks the code or recovery code (R21), counted by the login throttle: the member is logged in with a new
/// session id; a refusal comes back on the form, with status 429 while the login is throttled.
#[handler]
pub(crate) async fn submit_code(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Client(client): Client,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> poem::Result<Response> {
    let Some(staff) = pending(session, false).await else { return Ok(to_login()) };
    let recovery = !form.recovery_code.trim().is_empty();
    let proof = if recovery {
        SecondFactorProof::RecoveryCode(SecretString::from(form.recovery_code))
    } else {
        SecondFactorProof::Code(form.code)
    };
    match app.mypage.staff_second_factor(staff, &proof, &client).await {
        Ok(member) => {
            session.lock().await.become_subject(SessionSubject::Staff(member.staff));
            Ok(Redirect::see_other("/staff").into_response())
        }
        Err(e) => {
            let problem = e.explain();
            if !stays_on_form(&problem) {
                return Err(problem.into());
            }
            let token = session.lock().await.csrf();
            Ok(on_form(code_page(&token, recovery, Some(&problem)), &problem))
        }
    }
}

/// The form that confirms the secret with its first code.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ConfirmForm {
    #[serde(default)]
    code: String,
}

/// The confirm form, with the problem of the last attempt.
fn confirm_form(token: &str, problem: Option<&Problem>) -> Markup {
    let errors = problem.map(Problem::messages).unwrap_or_default();
    html! {
        form method="post" action=(ENROL_PATH) {
            (csrf(token))
            div.field.invalid[has_error(&errors, "code")] {
                label for="code" { (CODE) }
                span.hint id="code-hint" { "登録した認証アプリに表示されている数字" }
                (field_error(&errors, "code"))
                input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" aria-describedby="code-hint";
            }
            div.actions { button type="submit" { (CONFIRM) } }
        }
    }
}

/// Enrolment: a new secret as a QR code and as text, and the form that confirms it. Each visit shows a new secret.
#[handler]
pub(crate) async fn enrol_form(Data(app): Data<&App>, Data(session): Data<&SessionHandle>) -> poem::Result<Response> {
    let Some(staff) = pending(session, true).await else { return Ok(to_login()) };
    let enrolment = app.mypage.begin_second_factor_enrolment(staff).await.map_err(Explain::explain)?;
    let secret = enrolment.provisioning.secret_text.expose_secret().to_owned();
    let image = qr_image(enrolment.provisioning.uri.expose_secret());
    let token = session.lock().await.csrf();
    let body = html! {
        h1 { (ENROL_TITLE) }
        p { "職員のログインには、パスワードに加えて認証アプリの確認コードが必要です。スマートフォンなどの認証アプリで次のQRコードを読み取るか、キーを入力して登録してください。" }
        @if let Some(image) = image {
            p { img.qr src=(image) alt="認証アプリに登録するQRコード" width="200" height="200"; }
        }
        p { "キー（手入力する場合）：" code #secret { (secret) } }
        h2 { "登録の確認" }
        (confirm_form(&token, None))
    };
    Ok(console_layout(ENROL_TITLE, body).into_response())
}

/// Confirms the secret with its first code (R21): the recovery codes, shown this once, and the member logged in
/// with a new session id. A wrong code comes back on the form; the secret shown stays the same.
#[handler]
pub(crate) async fn confirm_enrolment(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Client(client): Client,
    CsrfForm(form): CsrfForm<ConfirmForm>,
) -> poem::Result<Response> {
    let Some(staff) = pending(session, true).await else { return Ok(to_login()) };
    match app.mypage.confirm_second_factor_enrolment(staff, &form.code, &client).await {
        Ok(RecoveryCodes { codes, member }) => {
            session.lock().await.become_subject(SessionSubject::Staff(member.staff));
            Ok(recovery_page(&codes).into_response())
        }
        Err(e) => {
            let problem = e.explain();
            if !stays_on_form(&problem) {
                return Err(problem.into());
            }
            let token = session.lock().await.csrf();
            let body = html! {
                h1 { (ENROL_TITLE) }
                (outcome(Some(&(false, problem.message.clone()))))
                (confirm_form(&token, Some(&problem)))
                p { a href=(ENROL_PATH) { "新しいQRコードで最初からやり直す" } }
            };
            Ok(on_form(console_layout(ENROL_TITLE, body), &problem))
        }
    }
}

/// The recovery codes, shown once. Its only way on is a link: the session id was just renewed, so a form here
/// would carry the old CSRF token.
fn recovery_page(codes: &[SecretString]) -> Markup {
    let body = html! {
        (breadcrumb(RECOVERY_TITLE))
        h1 { (RECOVERY_TITLE) }
        (outcome(Some(&(true, "確認コードを設定しました。".to_owned()))))
        p { "認証アプリを使えないときは、確認コードの代わりに次の回復コードを入力してログインできます。それぞれ1回だけ使えます。この画面は二度と表示されないため、印刷するなどして安全な場所に保管してください。" }
        ul.recovery-codes {
            @for code in codes { li { code { (code.expose_secret()) } } }
        }
        p { a href="/staff" { "職員メニューへ進む" } }
    };
    console_layout(RECOVERY_TITLE, body)
}

/// The QR code of `uri` as an SVG `data:` URI, drawn in-process (nothing leaves the server).
fn qr_image(uri: &str) -> Option<String> {
    let code = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    let svg = code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).build();
    Some(format!("data:image/svg+xml;base64,{}", base64(svg.as_bytes())))
}

/// Standard base64 with padding (RFC 4648).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
