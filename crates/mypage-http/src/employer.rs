//! The employer's pages: the two entrances, terms, e-mail, password with the auth key, completion, login, the
//! My Page home and the provisional registration step by step (cases A, B, C; R1–R10, R13, R17).

use std::collections::HashMap;

use maud::{Markup, html};
use mypage_domain::model::{AccountStatus, ApplicationHistory, FlowPurpose, RegistrationStatus};
use mypage_domain::ports::SessionSubject;
use mypage_domain::usecases::{
    DeclareHistoryError, HistoryInput, KeyRedemptionError, KeyRequest, LoginError, PasswordEntry,
    RegisterPasswordError, RequestAuthKeyError, ResendAuthKeyError, ResetPasswordError, SaveEstablishmentError,
    SaveJobOfferError, SubmitError,
};
use mypage_domain::values::{ConsentInput, TermsConsentError, TermsVersion};
use poem::web::{Data, Form, Path, Redirect};
use poem::{IntoResponse, Request, Response, handler};
use secrecy::SecretString;

use crate::forms;
use crate::page::{csrf, error_summary, field_error, field_messages, layout, multiline};
use crate::session::{FlowRef, SessionHandle};
use crate::{App, client, forbidden, too_many, unavailable};

type FormData = Form<HashMap<String, String>>;

fn purpose(segment: &str) -> Option<FlowPurpose> {
    match segment {
        "open" => Some(FlowPurpose::OpenMyPage),
        "signup" => Some(FlowPurpose::SignUp),
        "reset" => Some(FlowPurpose::ResetPassword),
        _ => None,
    }
}

fn segment(p: FlowPurpose) -> &'static str {
    match p {
        FlowPurpose::OpenMyPage => "open",
        FlowPurpose::SignUp => "signup",
        FlowPurpose::ResetPassword => "reset",
    }
}

fn entrance_title(p: FlowPurpose) -> &'static str {
    match p {
        FlowPurpose::OpenMyPage => "求人者マイページ開設（パスワード登録）",
        FlowPurpose::SignUp => "事業所登録・求人申し込み（仮登録）",
        FlowPurpose::ResetPassword => "パスワードの再設定",
    }
}

fn screen_title(p: FlowPurpose) -> &'static str {
    match p {
        FlowPurpose::ResetPassword => "パスワード再設定",
        _ => "パスワード登録",
    }
}

fn field(form: &HashMap<String, String>, name: &str) -> String {
    form.get(name).cloned().unwrap_or_default()
}

/// The notice every page that promises a mail shows (R7).
fn mail_advice(app: &App) -> Markup {
    html! {
        div.notice {
            p {
                "しばらく経ってもメールが届かない場合は、入力したメールアドレスが正しいか、メールの受信制限の設定をご確認ください。"
                "受信制限をされている場合は、" strong { (app.config.system_address) } "からのメールを受信できるよう設定し、はじめからやり直してください。"
            }
        }
    }
}

/// A page that tells the employer to start again from the beginning (R3, R4).
fn start_again(app: &App, p: FlowPurpose, why: &str) -> Response {
    let body = html! {
        h1 { "はじめからやり直してください" }
        div.error-summary role="alert" { p { (why) } }
        p { "お手数ですが、" (entrance_title(p)) "のはじめからやり直してください。" }
        div.actions { a.button href={"/start/" (segment(p))} { "はじめからやり直す" } }
    };
    layout("はじめからやり直してください", &app.config.help_desk, body).into_response()
}

#[handler]
pub(crate) async fn top(Data(app): Data<&App>) -> Markup {
    let body = html! {
        h1 { "求人者マイページ" }
        p { "ハローワークに求人を申し込む事業所のためのマイページです。ご利用の状況に合わせて、次のいずれかからお進みください。" }
        div.entrances {
            section.entrance {
                h2 { "ハローワークの窓口でメールアドレスを登録した方" }
                p { "窓口や電話でメールアドレスを登録した方は、パスワードを登録してマイページを開設してください。" }
                a.button href="/start/open" { "求人者マイページ開設（パスワード登録）" }
            }
            section.entrance {
                h2 { "パソコンから登録する方" }
                p { "過去にハローワークに求人を申し込んだことがある方も、初めての方も、こちらから事業所と求人を仮登録できます。" }
                a.button href="/start/signup" { "事業所登録・求人申し込み（仮登録）" }
            }
        }
        h2 { "開設済みの方" }
        div.actions {
            a.button.secondary href="/login" { "ログイン" }
            a href="/start/reset" { "パスワードを忘れた方" }
        }
    };
    layout("トップ", &app.config.help_desk, body)
}

#[handler]
pub(crate) async fn help(Data(app): Data<&App>) -> Markup {
    let body = html! {
        h1 { "お問い合わせ・ヘルプ" }
        h2 { "操作方法のお問い合わせ" }
        p { (multiline(&app.config.help_desk)) }
        h2 { "事業所番号や求人の内容について" }
        p { "事業所番号がわからない場合や、ハローワークに求人を出したことがあるかわからない場合は、管轄のハローワークにお問い合わせください。" }
        h2 { "メールが届かない場合" }
        (mail_advice(app))
    };
    layout("お問い合わせ・ヘルプ", &app.config.help_desk, body)
}

fn terms_page(
    app: &App,
    p: FlowPurpose,
    token: &str,
    terms: &mypage_domain::values::CurrentTerms,
    error: Option<&str>,
) -> Markup {
    let body = html! {
        p.breadcrumb { a href="/" { "トップ" } " > " (entrance_title(p)) }
        h1 { "求人者マイページ利用規約確認" }
        @if let Some(error) = error { div.error-summary role="alert" { p { (error) } } }
        p { "プライバシーポリシーとマイページ利用規約をご確認ください。それぞれ最後までご覧いただくと、同意のチェックを付けられます。" }
        form method="post" action={"/start/" (segment(p)) "/terms"} {
            (csrf(token))
            input type="hidden" name="pv" value=(terms.privacy_policy.version.0);
            input type="hidden" name="tv" value=(terms.mypage_terms.version.0);
            h2 id="privacy-title" { "プライバシーポリシー（第" (terms.privacy_policy.version.0) "版）" }
            div.terms id="privacy-text" tabindex="0" role="region" aria-labelledby="privacy-title" data-scroll-gate="privacy" { (terms.privacy_policy.body) }
            p.hint id="privacy-text-hint" aria-live="polite" { "最後までご覧ください。" }
            div.check {
                input type="checkbox" id="privacy" name="privacy";
                label for="privacy" { "「プライバシーポリシー」に同意します" }
            }
            h2 id="terms-title" { "マイページ利用規約（第" (terms.mypage_terms.version.0) "版）" }
            div.terms id="terms-text" tabindex="0" role="region" aria-labelledby="terms-title" data-scroll-gate="terms" { (terms.mypage_terms.body) }
            p.hint id="terms-text-hint" aria-live="polite" { "最後までご覧ください。" }
            div.check {
                input type="checkbox" id="terms" name="terms";
                label for="terms" { "「マイページ利用規約」に同意します" }
            }
            div.actions {
                a.button.secondary href="/" { "キャンセル" }
                button type="submit" { "次へ進む" }
            }
        }
        script src="/assets/terms.js" defer {}
    };
    layout("利用規約確認", &app.config.help_desk, body)
}

#[handler]
pub(crate) async fn start(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Path(seg): Path<String>,
) -> Response {
    let Some(p) = purpose(&seg) else { return poem::http::StatusCode::NOT_FOUND.into_response() };
    if !p.needs_consent() {
        return Redirect::see_other(format!("/start/{seg}/email")).into_response();
    }
    let terms = match app.mypage.current_terms().await {
        Ok(Some(t)) => t,
        Ok(None) => return unavailable(app, &"no terms have been published"),
        Err(e) => return unavailable(app, &e),
    };
    let mut s = session.lock().await;
    terms_page(app, p, &s.csrf(), &terms, None).into_response()
}

#[handler]
pub(crate) async fn accept_terms(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Path(seg): Path<String>,
    Form(form): FormData,
) -> Response {
    let Some(p) = purpose(&seg) else { return poem::http::StatusCode::NOT_FOUND.into_response() };
    let mut s = session.lock().await;
    if field(&form, "csrf") != s.data.csrf {
        return forbidden(app);
    }
    let terms = match app.mypage.current_terms().await {
        Ok(Some(t)) => t,
        Ok(None) => return unavailable(app, &"no terms have been published"),
        Err(e) => return unavailable(app, &e),
    };
    let shown = (field(&form, "pv").parse().unwrap_or(0), field(&form, "tv").parse().unwrap_or(0));
    let error = if !form.contains_key("privacy") || !form.contains_key("terms") {
        Some("「プライバシーポリシー」と「マイページ利用規約」の両方に同意してください。")
    } else if shown != (terms.privacy_policy.version.0, terms.mypage_terms.version.0) {
        Some("利用規約が改定されました。改定後の内容をご確認のうえ、あらためて同意してください。")
    } else {
        None
    };
    if let Some(error) = error {
        return terms_page(app, p, &s.csrf(), &terms, Some(error)).into_response();
    }
    s.data.consent = Some(shown);
    s.changed();
    Redirect::see_other(format!("/start/{seg}/email")).into_response()
}

fn email_page(app: &App, p: FlowPurpose, token: &str, value: &str, errors: &[(String, String)]) -> Markup {
    let lead = match p {
        FlowPurpose::OpenMyPage => "ハローワークの窓口で登録したメールアドレスを入力してください。",
        FlowPurpose::SignUp => {
            "マイページで使用するメールアドレスを入力してください。組織で共有できるアドレスをおすすめします。"
        }
        FlowPurpose::ResetPassword => "求人者マイページに登録しているメールアドレスを入力してください。",
    };
    let body = html! {
        p.breadcrumb { a href="/" { "トップ" } " > " (entrance_title(p)) }
        h1 { "メールアドレスの入力（" (screen_title(p)) "申込）" }
        (error_summary(errors))
        p { (lead) }
        p { "入力したメールアドレス宛てに、認証キーを記載したメールをお送りします。" }
        form method="post" action={"/start/" (segment(p)) "/email"} novalidate {
            (csrf(token))
            div.field.invalid[!errors.is_empty()] {
                label for="email" { "メールアドレス" span.req { "必須" } }
                p.hint id="email-hint" { "半角英数字記号、254文字以内" }
                (field_error(errors, "email"))
                input type="email" id="email" name="email" value=(value) autocomplete="email" aria-describedby="email-hint email-error";
            }
            (mail_advice(app))
            div.actions {
                a.button.secondary href="/" { "キャンセル" }
                button type="submit" { "次へ進む" }
            }
        }
    };
    layout("メールアドレスの入力", &app.config.help_desk, body)
}

#[handler]
pub(crate) async fn email_form(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Path(seg): Path<String>,
) -> Response {
    let Some(p) = purpose(&seg) else { return poem::http::StatusCode::NOT_FOUND.into_response() };
    let mut s = session.lock().await;
    if p.needs_consent() && s.data.consent.is_none() {
        return Redirect::see_other(format!("/start/{seg}")).into_response();
    }
    email_page(app, p, &s.csrf(), "", &[]).into_response()
}

#[handler]
pub(crate) async fn request_key(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Path(seg): Path<String>,
    Form(form): FormData,
) -> Response {
    let Some(p) = purpose(&seg) else { return poem::http::StatusCode::NOT_FOUND.into_response() };
    let mut s = session.lock().await;
    if field(&form, "csrf") != s.data.csrf {
        return forbidden(app);
    }
    let consent = match (p.needs_consent(), s.data.consent) {
        (false, _) => None,
        (true, Some((pv, tv))) => Some(ConsentInput {
            privacy_policy_agreed: true,
            mypage_terms_agreed: true,
            privacy_policy_version: TermsVersion(pv),
            mypage_terms_version: TermsVersion(tv),
        }),
        (true, None) => return Redirect::see_other(format!("/start/{seg}")).into_response(),
    };
    let email = field(&form, "email");
    let client = client(req);
    if let Err(retry_after) = app.key_requests.check(client.ip) {
        return too_many(app, retry_after);
    }
    let request = KeyRequest { purpose: p, email: email.clone(), consent };
    match app.mypage.request_auth_key(&request, &client).await {
        Ok(requested) => {
            s.data.flow = Some(FlowRef {
                token: secrecy::ExposeSecret::expose_secret(&requested.flow_token).to_owned(),
                purpose: seg.clone(),
                email: requested.sent.email.as_str().to_owned(),
                expires_at: requested.sent.expires_at,
                resends_left: requested.sent.resends_left,
            });
            s.changed();
            Redirect::see_other(format!("/start/{seg}/password")).into_response()
        }
        Err(RequestAuthKeyError::InvalidEmail(_)) => {
            let errors = vec![(
                "email".to_owned(),
                "メールアドレスの形式で入力してください（例：saiyou@example.jp）。".to_owned(),
            )];
            email_page(app, p, &s.csrf(), &email, &errors).into_response()
        }
        Err(RequestAuthKeyError::Consent(TermsConsentError::Outdated)) => {
            s.data.consent = None;
            s.changed();
            Redirect::see_other(format!("/start/{seg}")).into_response()
        }
        Err(RequestAuthKeyError::Consent(_)) => Redirect::see_other(format!("/start/{seg}")).into_response(),
        Err(RequestAuthKeyError::TooManyRequests { .. }) => {
            let errors = vec![(
                "email".to_owned(),
                "このメールアドレスへの申込が続いたため、受付を一時停止しています。1時間ほど経ってからやり直してください。".to_owned(),
            )];
            email_page(app, p, &s.csrf(), &email, &errors).into_response()
        }
        Err(e @ (RequestAuthKeyError::TermsNotPublished | RequestAuthKeyError::Infrastructure(_))) => {
            unavailable(app, &e)
        }
    }
}

fn password_page(
    app: &App,
    p: FlowPurpose,
    token: &str,
    flow: &FlowRef,
    errors: &[(String, String)],
    notice: Option<&str>,
) -> Markup {
    let policy = app.mypage.config().password_policy;
    let rule = match policy {
        mypage_domain::values::PasswordPolicy::Office => "半角の数字、英字、記号をすべて含む8文字以上32文字以内",
        mypage_domain::values::PasswordPolicy::Nist => "15文字以上64文字以内（文字の種類は問いません）",
    };
    let title = screen_title(p);
    let body = html! {
        p.breadcrumb { a href="/" { "トップ" } " > " (title) }
        h1 { (title) }
        (error_summary(errors))
        @if let Some(notice) = notice { div.notice role="status" { p { (notice) } } }
        div.notice {
            p { strong { (flow.email) } " 宛てに、認証キーを記載した「" (if p == FlowPurpose::ResetPassword { "パスワード再設定申込受付通知" } else { "パスワード登録申込受付通知" }) "」メールをお送りしました。" }
            p { "認証キーの有効期限は " strong { (crate::jst(flow.expires_at)) } " までです。有効期限を過ぎた場合は、はじめからやり直してください。" }
            p { strong { "登録が完了するまで、この画面を閉じないでください。" } "閉じてしまった場合は、はじめからやり直してください。" }
        }
        form method="post" action={"/start/" (segment(p)) "/password"} novalidate {
            (csrf(token))
            div.field.invalid[errors.iter().any(|(f, _)| f == "password")] {
                label for="password" { "新しいパスワード" span.req { "必須" } }
                p.hint id="password-hint" { (rule) }
                (field_error(errors, "password"))
                input type="password" id="password" name="password" autocomplete="new-password" aria-describedby="password-hint password-error";
            }
            div.field.invalid[errors.iter().any(|(f, _)| f == "confirmation")] {
                label for="confirmation" { "新しいパスワード（確認用）" span.req { "必須" } }
                (field_error(errors, "confirmation"))
                input type="password" id="confirmation" name="confirmation" autocomplete="new-password" aria-describedby="confirmation-error";
            }
            div.field.invalid[errors.iter().any(|(f, _)| f == "auth_key")] {
                label for="auth_key" { "認証キー" span.req { "必須" } }
                p.hint id="auth_key-hint" { "メールに記載された10文字（例：ABCDE-23456）。大文字・小文字、全角・半角は区別しません。" }
                (field_error(errors, "auth_key"))
                input type="text" id="auth_key" name="auth_key" autocomplete="one-time-code" autocapitalize="characters" aria-describedby="auth_key-hint auth_key-error";
            }
            div.actions { button type="submit" { "完了" } }
        }
        (mail_advice(app))
        @if flow.resends_left > 0 {
            form method="post" action={"/start/" (segment(p)) "/resend"} {
                (csrf(token))
                p { "メールが届かない場合は、認証キーをもう一度送信できます（あと" (flow.resends_left) "回）。" }
                button.secondary type="submit" { "認証キーを再送信する" }
            }
        }
    };
    layout(title, &app.config.help_desk, body)
}

#[handler]
pub(crate) async fn password_form(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Path(seg): Path<String>,
) -> Response {
    let Some(p) = purpose(&seg) else { return poem::http::StatusCode::NOT_FOUND.into_response() };
    let mut s = session.lock().await;
    let notice = s.data.notice.take();
    if notice.is_some() {
        s.changed();
    }
    match s.data.flow.clone().filter(|f| f.purpose == seg) {
        Some(flow) => password_page(app, p, &s.csrf(), &flow, &[], notice.as_deref()).into_response(),
        None => start_again(app, p, "この画面は、メールアドレスを入力したブラウザーでのみ使用できます。"),
    }
}

enum KeyFailure {
    Field(String),
    StartAgain(&'static str),
}

fn key_problem(e: KeyRedemptionError) -> KeyFailure {
    match e {
        KeyRedemptionError::InvalidKey(_) => {
            KeyFailure::Field("認証キーは、メールに記載された10文字を入力してください。".into())
        }
        KeyRedemptionError::WrongKey { remaining } => KeyFailure::Field(format!(
            "認証キーが正しくありません。あと{remaining}回間違えると、はじめからやり直しになります。"
        )),
        KeyRedemptionError::KeyExpired => KeyFailure::StartAgain("認証キーの有効期限が過ぎています。"),
        KeyRedemptionError::TooManyWrongKeys => {
            KeyFailure::StartAgain("認証キーを続けて間違えたため、この申込は無効になりました。")
        }
        KeyRedemptionError::FlowDead(_) => {
            KeyFailure::StartAgain("この申込は無効になっています（新しい申込をした場合や、有効期限が過ぎた場合など）。")
        }
        KeyRedemptionError::AlreadyUsed => KeyFailure::StartAgain("この認証キーはすでに使用されています。"),
        KeyRedemptionError::FlowNotFound => {
            KeyFailure::StartAgain("この画面は、メールアドレスを入力したブラウザーでのみ使用できます。")
        }
    }
}

#[handler]
pub(crate) async fn set_password(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Path(seg): Path<String>,
    Form(form): FormData,
) -> Response {
    let Some(p) = purpose(&seg) else { return poem::http::StatusCode::NOT_FOUND.into_response() };
    let mut s = session.lock().await;
    if field(&form, "csrf") != s.data.csrf {
        return forbidden(app);
    }
    let Some(flow) = s.data.flow.clone().filter(|f| f.purpose == seg) else {
        return start_again(app, p, "この画面は、メールアドレスを入力したブラウザーでのみ使用できます。");
    };
    let entry = PasswordEntry {
        flow_token: SecretString::from(flow.token.clone()),
        auth_key: SecretString::from(field(&form, "auth_key")),
        password: SecretString::from(field(&form, "password")),
        confirmation: SecretString::from(field(&form, "confirmation")),
    };
    let (outcome_key, outcome_password, other) = if p == FlowPurpose::ResetPassword {
        match app.mypage.reset_password(&entry, &client(req)).await {
            Ok(_) => (None, None, None),
            Err(ResetPasswordError::Key(k)) => (Some(k), None, None),
            Err(ResetPasswordError::Password(e)) => (None, Some(e), None),
            Err(ResetPasswordError::Infrastructure(e)) => (None, None, Some(unavailable(app, &e))),
        }
    } else {
        match app.mypage.register_password(&entry, &client(req)).await {
            Ok(_) => (None, None, None),
            Err(RegisterPasswordError::Key(k)) => (Some(k), None, None),
            Err(RegisterPasswordError::Password(e)) => (None, Some(e), None),
            Err(RegisterPasswordError::EmailTaken) => {
                s.data.flow = None;
                s.changed();
                (
                    None,
                    None,
                    Some(start_again(
                        app,
                        p,
                        "このメールアドレスでは、すでにマイページが開設されています。ログインしてください。",
                    )),
                )
            }
            Err(RegisterPasswordError::Infrastructure(e)) => (None, None, Some(unavailable(app, &e))),
        }
    };
    if let Some(response) = other {
        return response;
    }
    if let Some(e) = outcome_password {
        return password_page(app, p, &s.csrf(), &flow, &[crate::page::password_problem(e)], None).into_response();
    }
    if let Some(k) = outcome_key {
        return match key_problem(k) {
            KeyFailure::Field(message) => {
                password_page(app, p, &s.csrf(), &flow, &[("auth_key".to_owned(), message)], None).into_response()
            }
            KeyFailure::StartAgain(why) => {
                s.data.flow = None;
                s.changed();
                start_again(app, p, why)
            }
        };
    }
    s.data.flow = None;
    s.data.consent = None;
    s.changed();
    Redirect::see_other(format!("/start/{seg}/done")).into_response()
}

#[handler]
pub(crate) async fn resend(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Path(seg): Path<String>,
    Form(form): FormData,
) -> Response {
    let Some(p) = purpose(&seg) else { return poem::http::StatusCode::NOT_FOUND.into_response() };
    let mut s = session.lock().await;
    if field(&form, "csrf") != s.data.csrf {
        return forbidden(app);
    }
    let Some(mut flow) = s.data.flow.clone().filter(|f| f.purpose == seg) else {
        return start_again(app, p, "この画面は、メールアドレスを入力したブラウザーでのみ使用できます。");
    };
    let client = client(req);
    if let Err(retry_after) = app.key_requests.check(client.ip) {
        return too_many(app, retry_after);
    }
    let notice = match app.mypage.resend_auth_key(&SecretString::from(flow.token.clone()), &client).await {
        Ok(sent) => {
            flow.expires_at = sent.expires_at;
            flow.resends_left = sent.resends_left;
            "認証キーをもう一度お送りしました。先にお送りした認証キーも、有効期限内であれば使用できます。".to_owned()
        }
        Err(ResendAuthKeyError::KeyLimitReached) => "認証キーの再送信は、これ以上できません。".to_owned(),
        Err(ResendAuthKeyError::TooManyRequests { .. }) => {
            "このメールアドレスへの申込が続いたため、しばらく再送信できません。1時間ほど経ってからやり直してください。"
                .to_owned()
        }
        Err(ResendAuthKeyError::Infrastructure(e)) => return unavailable(app, &e),
        Err(_) => {
            s.data.flow = None;
            s.changed();
            return start_again(app, p, "この申込は無効になっています。");
        }
    };
    s.data.flow = Some(flow);
    s.data.notice = Some(notice);
    s.changed();
    Redirect::see_other(format!("/start/{seg}/password")).into_response()
}

#[handler]
pub(crate) async fn done(Data(app): Data<&App>, Path(seg): Path<String>) -> Response {
    let Some(p) = purpose(&seg) else { return poem::http::StatusCode::NOT_FOUND.into_response() };
    let (title, lead) = match p {
        FlowPurpose::OpenMyPage => ("パスワード登録完了", "パスワードの登録が完了し、求人者マイページを開設しました。"),
        FlowPurpose::SignUp => (
            "パスワード登録完了",
            "パスワードの登録が完了しました。ログインして、「事業所・求人情報を登録」から仮登録を進めてください。",
        ),
        FlowPurpose::ResetPassword => {
            ("パスワード再設定完了", "パスワードを再設定しました。新しいパスワードでログインしてください。")
        }
    };
    let body = html! {
        h1 { (title) }
        div.notice role="status" { p { (lead) } }
        div.actions { a.button href="/login" { "ログイン画面へ進む" } }
    };
    layout(title, &app.config.help_desk, body).into_response()
}

fn login_page(app: &App, token: &str, email: &str, error: Option<&str>) -> Markup {
    let body = html! {
        h1 { "ログイン" }
        @if let Some(error) = error { div.error-summary role="alert" tabindex="-1" { p { (error) } } }
        form method="post" action="/login" novalidate {
            (csrf(token))
            div.field {
                label for="email" { "メールアドレス" }
                input type="email" id="email" name="email" value=(email) autocomplete="username";
            }
            div.field {
                label for="password" { "パスワード" }
                input type="password" id="password" name="password" autocomplete="current-password";
            }
            div.actions { button type="submit" { "ログイン" } }
        }
        p { a href="/start/reset" { "パスワードを忘れた方" } }
    };
    layout("ログイン", &app.config.help_desk, body)
}

#[handler]
pub(crate) async fn login_form(Data(app): Data<&App>, Data(session): Data<&SessionHandle>) -> Markup {
    let mut s = session.lock().await;
    login_page(app, &s.csrf(), "", None)
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
    let email = field(&form, "email");
    match app.mypage.login(&email, &SecretString::from(field(&form, "password")), &client(req)).await {
        Ok(logged_in) => {
            s.become_subject(SessionSubject::Employer(logged_in.account));
            Redirect::see_other("/mypage").into_response()
        }
        Err(LoginError::InvalidCredentials) => {
            login_page(app, &s.csrf(), &email, Some("メールアドレスまたはパスワードが正しくありません。"))
                .into_response()
        }
        Err(LoginError::Throttled { retry_after }) => {
            let message =
                format!("ログインに続けて失敗したため、{}まで受け付けを停止しています。", crate::jst(retry_after));
            let mut response = login_page(app, &s.csrf(), &email, Some(&message)).into_response();
            response.set_status(poem::http::StatusCode::TOO_MANY_REQUESTS);
            response
        }
        Err(LoginError::Infrastructure(e)) => unavailable(app, &e),
    }
}

#[handler]
pub(crate) async fn logout(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Form(form): FormData,
) -> Response {
    let mut s = session.lock().await;
    if field(&form, "csrf") != s.data.csrf {
        return forbidden(app);
    }
    s.end();
    Redirect::see_other("/").into_response()
}

fn status_text(status: &RegistrationStatus) -> &'static str {
    match status {
        RegistrationStatus::Draft => "入力中（まだ送信していません）",
        RegistrationStatus::Submitted => "仮登録済み（ハローワークで確認中）",
        RegistrationStatus::ContactNeeded { .. } => "ハローワークから連絡します",
        RegistrationStatus::Returned { .. } => "修正をお願いしています",
        RegistrationStatus::Confirmed { .. } => "本登録済み",
        RegistrationStatus::Rejected { .. } => "本登録できませんでした",
        RegistrationStatus::Expired => "入力途中のまま期限が過ぎました",
    }
}

/// The employer of this session, or a redirect to login.
async fn employer(session: &SessionHandle) -> Result<mypage_domain::model::AccountId, Response> {
    session.lock().await.employer().ok_or_else(|| Redirect::see_other("/login").into_response())
}

#[handler]
pub(crate) async fn home(Data(app): Data<&App>, Data(session): Data<&SessionHandle>) -> Response {
    let account = match employer(session).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let overview = match app.mypage.overview(account).await {
        Ok(o) => o,
        Err(e) => return unavailable(app, &e),
    };
    let token = session.lock().await.csrf();
    let body = html! {
        h1 { "求人者マイページ" }
        p { "ログイン中：" (overview.account.email) }
        @match overview.account.status {
            AccountStatus::Active => {
                div.notice {
                    p { "本登録が完了しています。" }
                    @if let Some(e) = &overview.establishment { p { "事業所：" (e.name) "　事業所番号：" strong { (e.number) } } }
                }
            }
            _ => {
                h2 { "事業所・求人情報の仮登録" }
                @match &overview.registration {
                    None => {
                        p { "まだ仮登録をしていません。" }
                        a.button href="/mypage/history" { "事業所・求人情報を登録" }
                    }
                    Some(r) => {
                        table {
                            tr { th { "状況" } td { (status_text(&r.status)) } }
                            @if let Some(at) = r.submitted_at { tr { th { "送信日時" } td { (crate::jst(at)) } } }
                            @if let Some(at) = overview.draft_expires_at { tr { th { "入力内容の保存期限" } td { (crate::jst(at)) } } }
                        }
                        @match &r.status {
                            RegistrationStatus::Returned { note } => {
                                div.error-summary { h2 { "ハローワークからの修正依頼" } p { (multiline(note.as_str())) } }
                                a.button href="/mypage/history" { "内容を修正する" }
                            }
                            RegistrationStatus::ContactNeeded { note } => {
                                div.notice { p { (multiline(note.as_str())) } }
                            }
                            RegistrationStatus::Rejected { reason } => {
                                div.error-summary { p { (multiline(reason.as_str())) } }
                                a.button href="/mypage/history" { "あらためて登録する" }
                            }
                            RegistrationStatus::Draft | RegistrationStatus::Expired => {
                                a.button href="/mypage/history" { "入力を続ける" }
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        form method="post" action="/logout" { (csrf(&token)) div.actions { button.secondary type="submit" { "ログアウト" } } }
    };
    layout("求人者マイページ", &app.config.help_desk, body).into_response()
}

fn history_page(
    app: &App,
    token: &str,
    choice: &str,
    number: &str,
    office: &str,
    offices: &[(String, String)],
    errors: &[(String, String)],
) -> Markup {
    let body = html! {
        p.breadcrumb { a href="/mypage" { "マイページ" } " > 求人申し込み実績" }
        h1 { "求人申し込み実績" }
        (error_summary(errors))
        form method="post" action="/mypage/history" novalidate {
            (csrf(token))
            fieldset {
                legend.label { "これまでにハローワークに求人を申し込んだことがありますか" }
                div.check {
                    input type="radio" id="past" name="choice" value="past" checked[choice == "past"];
                    label for="past" { "過去にハローワークに求人を申し込んだことがある" }
                }
                div.field.invalid[errors.iter().any(|(f, _)| f == "number")] {
                    label for="number" { "事業所番号" }
                    p.hint id="number-hint" { "11桁（例：1301-123456-7）。事業所番号がわからない場合は、管轄のハローワークにお問い合わせください。" }
                    (field_error(errors, "number"))
                    input type="text" id="number" name="number" value=(number) inputmode="numeric" aria-describedby="number-hint number-error";
                }
                div.check {
                    input type="radio" id="first" name="choice" value="first" checked[choice == "first"];
                    label for="first" { "初めて申し込む" }
                }
                div.field.invalid[errors.iter().any(|(f, _)| f == "office")] {
                    label for="office" { "管轄のハローワーク" }
                    p.hint id="office-hint" { "事業所の所在地を管轄するハローワークを選んでください。" }
                    (field_error(errors, "office"))
                    select id="office" name="office" aria-describedby="office-hint office-error" {
                        option value="" { "選択してください" }
                        @for (code, name) in offices { option value=(code) selected[code == office] { (name) } }
                    }
                }
            }
            p { "初めて申し込む場合は、事業所情報と求人情報の入力を続けて行ってください。" }
            div.actions { button type="submit" { "次へ進む" } }
        }
    };
    layout("求人申し込み実績", &app.config.help_desk, body)
}

async fn offices(app: &App) -> Vec<(String, String)> {
    app.offices().await.into_iter().map(|o| (o.code.to_string(), o.name)).collect()
}

#[handler]
pub(crate) async fn history_form(Data(app): Data<&App>, Data(session): Data<&SessionHandle>) -> Response {
    let account = match employer(session).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let token = session.lock().await.csrf();
    let (mut choice, mut number, mut office) = (String::new(), String::new(), String::new());
    if let Ok(overview) = app.mypage.overview(account).await
        && let Some(r) = overview.registration.filter(|r| r.status.is_editable())
    {
        match r.history {
            Some(ApplicationHistory::PastApplicant { number: n }) => {
                choice = "past".into();
                number = n.to_string();
            }
            Some(ApplicationHistory::FirstTime { office: o }) => {
                choice = "first".into();
                office = o.to_string();
            }
            None => {}
        }
    }
    history_page(app, &token, &choice, &number, &office, &offices(app).await, &[]).into_response()
}

#[handler]
pub(crate) async fn declare_history(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Form(form): FormData,
) -> Response {
    let account = match employer(session).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let token = session.lock().await.csrf();
    if field(&form, "csrf") != token {
        return forbidden(app);
    }
    let (choice, number, office) = (field(&form, "choice"), field(&form, "number"), field(&form, "office"));
    let again = |errors: Vec<(String, String)>| async move {
        history_page(app, &token, &choice, &number, &office, &offices(app).await, &errors).into_response()
    };
    let input = match field(&form, "choice").as_str() {
        "past" => HistoryInput::PastApplicant { establishment_number: field(&form, "number") },
        "first" => HistoryInput::FirstTime { office: field(&form, "office") },
        _ => return again(vec![("past".into(), "いずれかを選択してください。".into())]).await,
    };
    match app.mypage.declare_history(account, &input, &client(req)).await {
        Ok(_) if matches!(input, HistoryInput::FirstTime { .. }) => {
            Redirect::see_other("/mypage/establishment").into_response()
        }
        Ok(_) => Redirect::see_other("/mypage/job").into_response(),
        Err(DeclareHistoryError::InvalidEstablishmentNumber(_)) => {
            again(vec![("number".into(), "事業所番号は11桁の数字で入力してください（例：1301-123456-7）。".into())])
                .await
        }
        Err(DeclareHistoryError::EstablishmentNotFound) => {
            again(vec![(
            "number".into(),
            "この事業所番号は登録されていません。番号をご確認いただくか、管轄のハローワークにお問い合わせください。"
                .into(),
        )])
            .await
        }
        Err(DeclareHistoryError::UnknownOffice) => {
            again(vec![("office".into(), "管轄のハローワークを選んでください。".into())]).await
        }
        Err(DeclareHistoryError::NotEditable) => Redirect::see_other("/mypage").into_response(),
        Err(DeclareHistoryError::AccountNotFound | DeclareHistoryError::NotProvisional) => {
            Redirect::see_other("/mypage").into_response()
        }
        Err(DeclareHistoryError::Infrastructure(e)) => unavailable(app, &e),
    }
}

fn step_page(
    app: &App,
    title: &str,
    action: &str,
    token: &str,
    fields: &[forms::Field],
    values: &HashMap<String, String>,
    errors: &[(String, String)],
) -> Markup {
    let body = html! {
        p.breadcrumb { a href="/mypage" { "マイページ" } " > " (title) }
        h1 { (title) }
        (error_summary(errors))
        form method="post" action=(action) novalidate {
            (csrf(token))
            (forms::render(fields, values, errors))
            div.actions { button type="submit" { "保存して次へ進む" } }
        }
    };
    layout(title, &app.config.help_desk, body)
}

#[handler]
pub(crate) async fn establishment_form(Data(app): Data<&App>, Data(session): Data<&SessionHandle>) -> Response {
    let account = match employer(session).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let token = session.lock().await.csrf();
    let saved = app.mypage.overview(account).await.ok().and_then(|o| o.registration).and_then(|r| r.establishment);
    let values = saved.map(|e| forms::values(&e.to_input())).unwrap_or_default();
    step_page(app, "事業所情報の入力", "/mypage/establishment", &token, forms::ESTABLISHMENT, &values, &[])
        .into_response()
}

#[handler]
pub(crate) async fn save_establishment(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Form(form): FormData,
) -> Response {
    let account = match employer(session).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let token = session.lock().await.csrf();
    if field(&form, "csrf") != token {
        return forbidden(app);
    }
    let input = forms::read(forms::ESTABLISHMENT, &form);
    match app.mypage.save_establishment_info(account, &input, &client(req)).await {
        Ok(()) => Redirect::see_other("/mypage/job").into_response(),
        Err(SaveEstablishmentError::Invalid(errors)) => step_page(
            app,
            "事業所情報の入力",
            "/mypage/establishment",
            &token,
            forms::ESTABLISHMENT,
            &form,
            &field_messages(&errors),
        )
        .into_response(),
        Err(SaveEstablishmentError::Infrastructure(e)) => unavailable(app, &e),
        Err(SaveEstablishmentError::NotFirstTime) => Redirect::see_other("/mypage/job").into_response(),
        Err(_) => Redirect::see_other("/mypage").into_response(),
    }
}

#[handler]
pub(crate) async fn job_form(Data(app): Data<&App>, Data(session): Data<&SessionHandle>) -> Response {
    let account = match employer(session).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let token = session.lock().await.csrf();
    let saved = app.mypage.overview(account).await.ok().and_then(|o| o.registration).and_then(|r| r.job_offer);
    let values = saved.map(|j| forms::values(&j.to_input())).unwrap_or_default();
    step_page(app, "求人情報の入力", "/mypage/job", &token, forms::JOB_OFFER, &values, &[]).into_response()
}

#[handler]
pub(crate) async fn save_job(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Form(form): FormData,
) -> Response {
    let account = match employer(session).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let token = session.lock().await.csrf();
    if field(&form, "csrf") != token {
        return forbidden(app);
    }
    let input = forms::read(forms::JOB_OFFER, &form);
    match app.mypage.save_job_offer(account, &input, &client(req)).await {
        Ok(()) => Redirect::see_other("/mypage/submit").into_response(),
        Err(SaveJobOfferError::Invalid(errors)) => {
            step_page(app, "求人情報の入力", "/mypage/job", &token, forms::JOB_OFFER, &form, &field_messages(&errors))
                .into_response()
        }
        Err(SaveJobOfferError::Infrastructure(e)) => unavailable(app, &e),
        Err(_) => Redirect::see_other("/mypage").into_response(),
    }
}

#[handler]
pub(crate) async fn review(Data(app): Data<&App>, Data(session): Data<&SessionHandle>) -> Response {
    let account = match employer(session).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let token = session.lock().await.csrf();
    let overview = match app.mypage.overview(account).await {
        Ok(o) => o,
        Err(e) => return unavailable(app, &e),
    };
    let Some(r) = overview.registration.filter(|r| r.status.is_editable()) else {
        return Redirect::see_other("/mypage").into_response();
    };
    let body = html! {
        p.breadcrumb { a href="/mypage" { "マイページ" } " > 入力内容の確認" }
        h1 { "入力内容の確認" }
        table {
            @match &r.history {
                Some(ApplicationHistory::PastApplicant { number }) => { tr { th { "求人申し込み実績" } td { "あり（事業所番号 " (number) "）" } } }
                Some(ApplicationHistory::FirstTime { office }) => { tr { th { "求人申し込み実績" } td { "初めて（管轄 " (office) "）" } } }
                None => {}
            }
            @if let Some(e) = &r.establishment { tr { th { "事業所" } td { (e.name) "（" (e.address) "）" } } }
            @if let Some(j) = &r.job_offer {
                tr { th { "職種" } td { (j.occupation) } }
                tr { th { "賃金" } td { (j.wage.min_yen) "円～" (j.wage.max_yen) "円" } }
            }
        }
        p { a href="/mypage/history" { "求人申し込み実績を修正" } " ・ " a href="/mypage/job" { "求人情報を修正" } }
        form method="post" action="/mypage/submit" {
            (csrf(&token))
            div.actions { button type="submit" { "この内容で仮登録する" } }
        }
    };
    layout("入力内容の確認", &app.config.help_desk, body).into_response()
}

#[handler]
pub(crate) async fn submit(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Form(form): FormData,
) -> Response {
    let account = match employer(session).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let token = session.lock().await.csrf();
    if field(&form, "csrf") != token {
        return forbidden(app);
    }
    match app.mypage.submit_registration(account, &client(req)).await {
        Ok(_) => {
            let body = html! {
                h1 { "仮登録完了" }
                div.notice role="status" {
                    p { "事業所情報・求人情報の仮登録を受け付けました。受付のお知らせをメールでお送りしました。" }
                    p { "ハローワークで内容を確認し、本登録の手続きを行います。必要な場合は、ハローワークからご連絡します。" }
                }
                div.actions { a.button href="/mypage" { "マイページへ戻る" } }
            };
            layout("仮登録完了", &app.config.help_desk, body).into_response()
        }
        Err(SubmitError::Incomplete(_)) => Redirect::see_other("/mypage/history").into_response(),
        Err(SubmitError::Infrastructure(e)) => unavailable(app, &e),
        Err(_) => Redirect::see_other("/mypage").into_response(),
    }
}
