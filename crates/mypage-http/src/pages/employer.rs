//! The employer's pages: the entrances, terms, e-mail, password with the auth key, completion, login (R1–R8, R13,
//! R17).
//!
//! A flow lives in the browser session that asked for its key (R4): the session keeps the consent, the flow's token
//! and a one-time notice for the password page. Every failure is the catalogue's [`Problem`]; a handler shows it on
//! its own form when what was typed is wrong, and otherwise leaves it to the layout's `render_problems` (the
//! start-again page, a redirect, or a page of its own).

use maud::{Markup, html};
use mypage_domain::model::FlowPurpose;
use mypage_domain::ports::SessionSubject;
use mypage_domain::usecases::{KeyRequest, RequestAuthKeyError};
use mypage_domain::values::{ConsentInput, CurrentTerms, EmailAddress, TermsConsentError, TermsVersion};
use poem::web::{Data, Redirect};
use poem::{IntoResponse, Response, handler};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::app::App;
use crate::extract::{Client, CsrfForm, Entrance, checkbox};
use crate::pages::forms::{NoFields, required_mark};
use crate::pages::kept;
use crate::pages::layout::{
    HELP, SERVICE, csrf, entrance_title, error_summary, field_error, help_desk, layout, on_form, stays_on_form,
};
use crate::pages::staff::label::EMAIL;
use crate::problem::{Explain, Problem};
use crate::session::{FlowRef, SessionHandle};

mod key;

pub(crate) use key::{
    another_key, key_field, key_sent_notice, new_password_fields, password_form, password_rule, resend, resend_form,
    set_password,
};

/// The name of the site, as the top page and the My Page home head it.
pub(crate) const MYPAGE: &str = SERVICE;
/// The button that moves a form on to its next step.
pub(crate) const NEXT: &str = "次へ進む";
/// The employer's login: its page, its button and the top page's link.
pub(crate) const LOGIN: &str = "ログイン";
/// The button that ends an employer's session.
pub(crate) const LOGOUT: &str = "ログアウト";
/// The password field of a login form.
pub(crate) const PASSWORD: &str = "パスワード";
const TOP: &str = "トップ";
const CANCEL: &str = "キャンセル";
const FORGOT: &str = "パスワードを忘れた方";
const READ_TO_END: &str = "最後までご覧ください。";
/// Where an employer goes after a login that waits for the consent to newer terms (R1).
pub(crate) const CONSENT_PATH: &str = "/mypage/terms";

/// The title of the password screen of an entrance.
fn screen_title(p: FlowPurpose) -> &'static str {
    match p {
        FlowPurpose::ResetPassword => "パスワード再設定",
        _ => "パスワード登録",
    }
}

/// The breadcrumb of the flow's pages: the top page, then where the employer is.
fn breadcrumb(here: &str) -> Markup {
    html! { p.breadcrumb { a href="/" { (TOP) } " > " (here) } }
}

/// The notice every page that promises a mail shows (R7).
pub(crate) fn mail_advice(app: &App) -> Markup {
    html! {
        div.notice {
            p {
                "しばらく経ってもメールが届かない場合は、入力したメールアドレスが正しいか、メールの受信制限の設定をご確認ください。"
                "受信制限をされている場合は、" strong { (app.config.system_address) } "からのメールを受信できるよう設定し、はじめからやり直してください。"
            }
        }
    }
}

/// A redirect to another step of the flow of `entrance` (`""` for its first page).
fn to_step(entrance: Entrance, step: &str) -> Response {
    let slash = if step.is_empty() { "" } else { "/" };
    Redirect::see_other(format!("/start/{}{slash}{step}", entrance.segment())).into_response()
}

/// The top page: the two entrances, the login and the reset link.
#[handler]
pub(crate) async fn top(Data(app): Data<&App>) -> Markup {
    let body = html! {
        h1 { (MYPAGE) }
        p { "ハローワークに求人を申し込む事業所のためのマイページです。ご利用の状況に合わせて、次のいずれかからお進みください。" }
        div.entrances {
            section.entrance {
                h2 { "ハローワークの窓口でメールアドレスを登録した方" }
                p { "窓口や電話でメールアドレスを登録した方は、パスワードを登録してマイページを開設してください。" }
                a.button href="/start/open" { (entrance_title(FlowPurpose::OpenMyPage)) }
            }
            section.entrance {
                h2 { "パソコンから登録する方" }
                p { "過去にハローワークに求人を申し込んだことがある方も、初めての方も、こちらから事業所と求人を仮登録できます。" }
                a.button href="/start/signup" { (entrance_title(FlowPurpose::SignUp)) }
            }
        }
        h2 { "開設済みの方" }
        div.actions {
            a.button.secondary href="/login" { (LOGIN) }
            a href="/start/reset" { (FORGOT) }
        }
    };
    layout(TOP, &app.config.help_desk, body)
}

/// The help page: the help desk, and what to do when the mail does not come (R7).
#[handler]
pub(crate) async fn help(Data(app): Data<&App>) -> Markup {
    let title = HELP;
    let body = html! {
        h1 { (title) }
        h2 { "操作方法のお問い合わせ" }
        (help_desk(&app.config.help_desk))
        h2 { "事業所番号や求人の内容について" }
        p { "事業所番号がわからない場合や、ハローワークに求人を出したことがあるかわからない場合は、管轄のハローワークにお問い合わせください。" }
        h2 { "メールが届かない場合" }
        (mail_advice(app))
    };
    layout(title, &app.config.help_desk, body)
}

/// The terms in force; a site where none were published cannot take a consent (an administrator must publish).
pub(crate) async fn current_terms(app: &App) -> Result<CurrentTerms, Problem> {
    app.mypage
        .current_terms()
        .await
        .map_err(|e| Problem::unavailable(&e))?
        .ok_or_else(|| Problem::unavailable(&"no terms have been published"))
}

/// What the terms page sends: the two boxes, and the versions the page showed.
#[derive(Debug, Deserialize)]
pub(crate) struct TermsForm {
    #[serde(default, deserialize_with = "checkbox")]
    privacy: bool,
    #[serde(default, deserialize_with = "checkbox")]
    terms: bool,
    #[serde(default)]
    pv: String,
    #[serde(default)]
    tv: String,
}

impl TermsForm {
    /// The versions agreed to, when both boxes are ticked and they are the versions in force (R1). A version that
    /// does not read as a number is version 0, which is never in force: the page is shown again as outdated. The
    /// domain checks the consent again when the key is requested.
    pub(crate) fn agreed(&self, terms: &CurrentTerms) -> Result<(u32, u32), TermsConsentError> {
        let shown = (self.pv.trim().parse().unwrap_or(0), self.tv.trim().parse().unwrap_or(0));
        if !self.privacy {
            Err(TermsConsentError::PrivacyPolicyNotAgreed)
        } else if !self.terms {
            Err(TermsConsentError::MyPageTermsNotAgreed)
        } else if shown != (terms.privacy_policy.version.0, terms.mypage_terms.version.0) {
            Err(TermsConsentError::Outdated)
        } else {
            Ok(shown)
        }
    }
}

/// The terms page: both documents in force, each to be read to its end before its box can be ticked (R1).
fn terms_page(app: &App, p: FlowPurpose, token: &str, terms: &CurrentTerms, problem: Option<&Problem>) -> Markup {
    let body = html! {
        (breadcrumb(entrance_title(p)))
        h1 { "求人者マイページ利用規約確認" }
        @if let Some(problem) = problem { div.error-summary role="alert" { p { (problem.message) } } }
        p { "プライバシーポリシーとマイページ利用規約をご確認ください。それぞれ最後までご覧いただくと、同意のチェックを付けられます。" }
        (terms_form(token, terms, &format!("/start/{}/terms", Entrance(p).segment()), ("/", CANCEL)))
    };
    layout("利用規約確認", &app.config.help_desk, body)
}

/// The two documents in force with their boxes, each box enabled once its text was read to the end (R1), posted to
/// `action`; `cancel` is the link beside the button.
pub(crate) fn terms_form(token: &str, terms: &CurrentTerms, action: &str, cancel: (&str, &str)) -> Markup {
    let (privacy, mypage) = (terms.privacy_policy.version.0, terms.mypage_terms.version.0);
    html! {
        form method="post" action=(action) {
            (csrf(token))
            input type="hidden" name="pv" value=(privacy);
            input type="hidden" name="tv" value=(mypage);
            h2 id="privacy-title" { "プライバシーポリシー（第" (privacy) "版）" }
            div.terms id="privacy-text" tabindex="0" role="region" aria-labelledby="privacy-title" data-scroll-gate="privacy" { (terms.privacy_policy.body) }
            p.hint id="privacy-text-hint" aria-live="polite" { (READ_TO_END) }
            div.check {
                input type="checkbox" id="privacy" name="privacy";
                label for="privacy" { "「プライバシーポリシー」に同意します" }
            }
            h2 id="terms-title" { "マイページ利用規約（第" (mypage) "版）" }
            div.terms id="terms-text" tabindex="0" role="region" aria-labelledby="terms-title" data-scroll-gate="terms" { (terms.mypage_terms.body) }
            p.hint id="terms-text-hint" aria-live="polite" { (READ_TO_END) }
            div.check {
                input type="checkbox" id="terms" name="terms";
                label for="terms" { "「マイページ利用規約」に同意します" }
            }
            div.actions {
                a.button.secondary href=(cancel.0) { (cancel.1) }
                button type="submit" { (NEXT) }
            }
        }
        script src="/assets/terms.js" defer {}
    }
}

/// The first page of an entrance: the terms to agree to (R1), or straight on to the e-mail page for a reset.
#[handler]
pub(crate) async fn start(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    entrance: Entrance,
) -> poem::Result<Response> {
    if !entrance.0.needs_consent() {
        return Ok(to_step(entrance, "email"));
    }
    let terms = current_terms(app).await?;
    let token = session.lock().await.csrf();
    Ok(terms_page(app, entrance.0, &token, &terms, None).into_response())
}

/// The terms page sent: both boxes ticked for the versions in force, or the page again with why (R1).
#[handler]
pub(crate) async fn accept_terms(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    entrance: Entrance,
    CsrfForm(form): CsrfForm<TermsForm>,
) -> poem::Result<Response> {
    let terms = current_terms(app).await?;
    let mut s = session.lock().await;
    match form.agreed(&terms) {
        Ok(versions) => {
            s.data.consent = Some(versions);
            s.changed();
            Ok(to_step(entrance, "email"))
        }
        Err(e) => Ok(terms_page(app, entrance.0, &s.csrf(), &terms, Some(&e.explain())).into_response()),
    }
}

/// What the e-mail page sends.
#[derive(Debug, Deserialize)]
pub(crate) struct EmailForm {
    #[serde(default)]
    email: String,
}

/// The e-mail page of an entrance, with what was typed and why it was refused.
fn email_page(app: &App, p: FlowPurpose, token: &str, value: &str, errors: &[(String, String)]) -> Markup {
    let lead = match p {
        FlowPurpose::OpenMyPage => {
            "ハローワークの窓口で登録したメールアドレスを入力してください。メールアドレスは、組織で共有可能なアドレスを推奨します。"
        }
        FlowPurpose::SignUp => {
            "マイページで使用するメールアドレスを入力してください。アドレスは、組織で共有可能なアドレスを推奨します。"
        }
        FlowPurpose::ResetPassword => "求人者マイページに登録しているメールアドレスを入力してください。",
        FlowPurpose::ChangeEmail => "変更後のメールアドレスを入力してください。",
    };
    let body = html! {
        (breadcrumb(entrance_title(p)))
        h1 { (format!("メールアドレスの入力（{}申込）", screen_title(p))) }
        (error_summary(errors))
        p { (lead) }
        p { "入力したメールアドレス宛てに、認証キーを記載したメールをお送りします。" }
        form method="post" action={"/start/" (Entrance(p).segment()) "/email"} novalidate {
            (csrf(token))
            div.field.invalid[!errors.is_empty()] {
                label for="email" { (EMAIL) (required_mark()) }
                p.hint id="email-hint" { "半角英数字記号、254文字以内" }
                (field_error(errors, "email"))
                input type="email" id="email" name="email" value=(value) autocomplete="email" aria-describedby="email-hint email-error";
            }
            (mail_advice(app))
            div.actions {
                a.button.secondary href="/" { (CANCEL) }
                button type="submit" { (NEXT) }
            }
        }
    };
    layout("メールアドレスの入力", &app.config.help_desk, body)
}

/// The e-mail page, once the terms are agreed (R1).
#[handler]
pub(crate) async fn email_form(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    entrance: Entrance,
) -> Response {
    let mut s = session.lock().await;
    if entrance.0.needs_consent() && s.data.consent.is_none() {
        return to_step(entrance, "");
    }
    email_page(app, entrance.0, &s.csrf(), "", &[]).into_response()
}

/// The e-mail page sent: a new flow whose key is mailed, remembered in this browser session (R2–R4, R8). The same
/// address again, from the browser whose flow for it is still open, is a resend in that flow: a new flow would
/// kill the first mail's key, which that mail says still works (R3).
#[handler]
pub(crate) async fn request_key(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    entrance: Entrance,
    Client(client): Client,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> poem::Result<Response> {
    let mut s = session.lock().await;
    let consent = match (entrance.0.needs_consent(), s.data.consent) {
        (false, _) => None,
        (true, Some((pv, tv))) => Some(ConsentInput {
            privacy_policy_agreed: true,
            mypage_terms_agreed: true,
            privacy_policy_version: TermsVersion(pv),
            mypage_terms_version: TermsVersion(tv),
        }),
        (true, None) => return Ok(to_step(entrance, "")),
    };
    let typed = EmailAddress::parse(&form.email).ok();
    let same = s
        .data
        .flow
        .clone()
        .filter(|f| f.purpose == entrance.segment() && typed.as_ref().is_some_and(|e| e.as_str() == f.email));
    if let Some(flow) = same {
        match another_key(app, flow, None, &client).await {
            Ok((flow, notice)) => {
                s.data.flow = Some(flow);
                s.data.notice = Some(notice);
                s.changed();
                return Ok(to_step(entrance, "password"));
            }
            // The flow is over (spent, dead or expired): a new one starts below.
            Err(problem) if problem.start_again => {}
            Err(problem) => return Err(problem.into()),
        }
    }
    let request = KeyRequest { purpose: entrance.0, email: form.email.clone(), consent };
    match app.mypage.request_auth_key(&request, &client).await {
        Ok(requested) => {
            s.data.flow = Some(FlowRef {
                token: requested.flow_token.expose_secret().to_owned(),
                purpose: entrance.segment().to_owned(),
                email: requested.sent.email.as_str().to_owned(),
                expires_at: requested.sent.expires_at,
                resends_left: requested.sent.resends_left,
            });
            s.changed();
            Ok(to_step(entrance, "password"))
        }
        // The consent in the session no longer holds: the terms page asks again (a newer version, R1).
        Err(RequestAuthKeyError::Consent(e)) => {
            if matches!(e, TermsConsentError::Outdated) {
                s.data.consent = None;
                s.changed();
            }
            Ok(to_step(entrance, ""))
        }
        Err(e) => {
            let problem = e.explain();
            if !stays_on_form(&problem) {
                return Err(problem.into());
            }
            let page = email_page(app, entrance.0, &s.csrf(), &form.email, &problem.messages());
            Ok(on_form(page, &problem))
        }
    }
}

/// The flow is complete: on to the login (R6).
#[handler]
pub(crate) async fn done(Data(app): Data<&App>, entrance: Entrance) -> Markup {
    let registered = "パスワード登録完了";
    let (title, lead) = match entrance.0 {
        FlowPurpose::OpenMyPage => (registered, "パスワードの登録が完了し、求人者マイページを開設しました。"),
        FlowPurpose::SignUp => (
            registered,
            "パスワードの登録が完了しました。ログインして、「事業所・求人情報を登録」から仮登録を進めてください。",
        ),
        FlowPurpose::ResetPassword => {
            ("パスワード再設定完了", "パスワードを再設定しました。新しいパスワードでログインしてください。")
        }
        FlowPurpose::ChangeEmail => (
            "メールアドレス変更完了",
            "メールアドレスを変更しました。次回から新しいメールアドレスでログインしてください。",
        ),
    };
    let body = html! {
        h1 { (title) }
        div.notice role="status" { p { (lead) } }
        div.actions { a.button href="/login" { "ログイン画面へ進む" } }
    };
    layout(title, &app.config.help_desk, body)
}

/// What the login page sends.
#[derive(Debug, Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// The login page, with the address typed and why the login was refused; `held` when a form sent after the
/// session had ended waits for this login.
fn login_page(app: &App, token: &str, email: &str, problem: Option<&Problem>, held: bool) -> Markup {
    let body = html! {
        h1 { (LOGIN) }
        @if let Some(problem) = problem { div.error-summary role="alert" tabindex="-1" { p { (problem.message) } } }
        @if held { (kept::held_notice()) }
        form method="post" action="/login" novalidate {
            (csrf(token))
            div.field {
                label for="email" { (EMAIL) }
                input type="email" id="email" name="email" value=(email) autocomplete="username";
            }
            div.field {
                label for="password" { (PASSWORD) }
                input type="password" id="password" name="password" autocomplete="current-password";
            }
            div.actions { button type="submit" { (LOGIN) } }
        }
        p { a href="/start/reset" { (FORGOT) } }
    };
    layout(LOGIN, &app.config.help_desk, body)
}

/// The employer's login page.
#[handler]
pub(crate) async fn login_form(Data(app): Data<&App>, Data(session): Data<&SessionHandle>) -> Markup {
    let mut s = session.lock().await;
    login_page(app, &s.csrf(), "", None, s.data.held.is_some())
}

/// The login page sent: a renewed session for the employer (R13), or the page again with why. A form held when the
/// last session had ended is where the employer goes back to.
#[handler]
pub(crate) async fn login(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Client(client): Client,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> poem::Result<Response> {
    let password = SecretString::from(form.password);
    match app.mypage.login(&form.email, &password, &client).await {
        Ok(logged_in) => {
            let mut s = session.lock().await;
            // A form held for another account (a shared computer) is dropped, never shown to this employer.
            let account = logged_in.account.to_string();
            s.data.held.take_if(|h| h.owner != account);
            if logged_in.must_agree_terms {
                // Newer terms come before anything else (R1); the held form waits for the consent.
                s.pend_consent(logged_in.account);
                return Ok(Redirect::see_other(CONSENT_PATH).into_response());
            }
            let back = s.data.held.as_ref().map_or_else(|| "/mypage".to_owned(), |h| h.path.clone());
            s.become_subject(SessionSubject::Employer(logged_in.account));
            Ok(Redirect::see_other(back).into_response())
        }
        Err(e) => {
            let problem = e.explain();
            if !stays_on_form(&problem) {
                return Err(problem.into());
            }
            let mut s = session.lock().await;
            let page = login_page(app, &s.csrf(), &form.email, Some(&problem), s.data.held.is_some());
            Ok(on_form(page, &problem))
        }
    }
}

/// Ends the employer's session.
#[handler]
pub(crate) async fn logout(Data(session): Data<&SessionHandle>, CsrfForm(_): CsrfForm<NoFields>) -> Response {
    session.lock().await.end();
    Redirect::see_other("/").into_response()
}
