//! The page shell, its stylesheet and script, the error summary, and the page a problem becomes.
//!
//! Pages are server-rendered HTML that works without JavaScript; the one script (terms scrolled to the end, R1) is a
//! static file, so the CSP allows no inline script. A handler that fails with a [`Problem`] it does not show on its
//! own form leaves it to [`render_problems`], which answers with a page of its own, a redirect, or the start-again
//! page of an auth-key flow.

use std::sync::Arc;

use maud::{DOCTYPE, Markup, html};
use mypage_domain::HelpDesk;
use mypage_domain::model::{FlowPurpose, Office};
use mypage_domain::values::jst;
use poem::http::{StatusCode, header};
use poem::web::Redirect;
use poem::{Endpoint, IntoResponse, Request, Response, handler};

use crate::app::App;
use crate::extract::{CSRF_FIELD, Entrance};
use crate::problem::{OVERLOADED_LEAD, Problem};

/// The title of the address change (R19), as its pages and the key mail's screen name it.
pub(crate) const EMAIL_CHANGE: &str = "メールアドレスの変更";

/// The stylesheet, embedded in the binary (no CDN). Colours and focus follow the Digital Agency's design system:
/// text contrast above 7:1, a visible focus ring, targets at least 44 px, readable at 360 px wide.
pub(crate) const CSS: &str = r#"
*{box-sizing:border-box}
html{font-size:100%}
body{margin:0;font-family:"Noto Sans JP","Hiragino Sans","Yu Gothic",sans-serif;line-height:1.7;color:#1a1a1a;background:#fff}
a{color:#0017c1}a:hover{color:#000060}
header.site{background:#00118f;color:#fff;padding:.75rem 1rem}
header.site a{color:#fff;text-decoration:none;font-weight:bold}
header.site .sub{font-size:.875rem}
header.console{background:#1a1a1a;color:#fff;padding:.5rem 1rem;border-bottom:.25rem solid #ffd43d;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;justify-content:space-between}
header.console a{color:#fff;font-weight:bold;text-decoration:none}
header.console .member{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center}
header.console .member p{margin:0;display:flex;flex-wrap:wrap;gap:0 1rem}
header.console button{min-width:0;background:#fff;color:#1a1a1a;border-color:#fff}
body.console main{max-width:72rem}
footer.console{border-top:1px solid #8c8c8c;margin-top:2rem;padding:1rem;font-size:.875rem}
main{max-width:48rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;line-height:1.4;margin:1rem 0}
h2{font-size:1.25rem;margin:1.5rem 0 .75rem}
.breadcrumb{font-size:.875rem;margin:.5rem 0}
.notice{border-left:.25rem solid #00118f;background:#f1f1ff;padding:.75rem 1rem;margin:1rem 0}
.error-summary{border:.2rem solid #ce0000;padding:.75rem 1rem;margin:1rem 0;background:#fff5f5}
.error-summary h2{margin:0 0 .5rem;font-size:1.1rem;color:#ce0000}
.field{margin:1.25rem 0}
label,.label{display:block;font-weight:bold;margin-bottom:.25rem}
.req{display:inline-block;margin-left:.5rem;padding:0 .4rem;font-size:.75rem;background:#ce0000;color:#fff;border-radius:.25rem;vertical-align:middle}
.hint{font-size:.875rem;color:#333;margin:.25rem 0}
.field-error{color:#ce0000;font-weight:bold;margin:.25rem 0}
input[type=text],input[type=email],input[type=password],input[type=tel],input[type=number],input[type=url],input[type=search],select,textarea{width:100%;max-width:32rem;min-height:2.75rem;padding:.5rem;font-size:1rem;border:1px solid #595959;border-radius:.25rem;background:#fff;color:#1a1a1a}
textarea{min-height:6rem}
fieldset{border:0;padding:0;margin:0 0 1rem}legend{font-weight:bold;margin-bottom:.25rem}
.table-scroll{overflow-x:auto;margin:1rem 0}
ul.menu{padding-left:1.25rem}ul.menu li{margin:.5rem 0;min-height:1.5rem}
.invalid input,.invalid select,.invalid textarea{border:2px solid #ce0000}
.check{display:flex;align-items:center;gap:.5rem;min-height:2.75rem}
.check input{width:1.5rem;height:1.5rem}
button,.button{display:inline-block;min-height:2.75rem;min-width:8rem;padding:.5rem 1.5rem;font-size:1rem;font-weight:bold;border-radius:.5rem;border:2px solid #00118f;background:#00118f;color:#fff;cursor:pointer;text-decoration:none;text-align:center}
button.secondary,.button.secondary{background:#fff;color:#00118f}
button[disabled]{background:#999;border-color:#999;cursor:not-allowed}
.actions{display:flex;flex-wrap:wrap;gap:1rem;margin:1.5rem 0}
:focus-visible{outline:.25rem solid #ffd43d;outline-offset:.125rem;box-shadow:0 0 0 .375rem #1a1a1a}
.terms{height:12rem;overflow-y:scroll;border:1px solid #595959;padding:.75rem;margin:.5rem 0;white-space:pre-wrap}
.entrances{display:grid;gap:1rem;grid-template-columns:1fr}
@media(min-width:40rem){.entrances{grid-template-columns:1fr 1fr}}
.entrance{border:1px solid #595959;border-radius:.5rem;padding:1rem}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #8c8c8c;padding:.5rem;text-align:left;vertical-align:top}
th{background:#f1f1f1}
.table-scroll th{white-space:nowrap}.table-scroll td{min-width:7em}
@media(max-width:40rem){tr:has(>th:first-child+td:last-child){display:block}tr:has(>th:first-child+td:last-child)>*{display:block;width:100%}tr:has(>th:first-child+td:last-child)>th{border-bottom:0}}
tr.differs td{background:#fff5f5}.diff{color:#ce0000}
footer.site{border-top:1px solid #8c8c8c;margin-top:2rem;padding:1rem;font-size:.875rem}
.key{font-family:monospace;letter-spacing:.1em}
.summary-head{display:flex;flex-wrap:wrap;align-items:baseline;justify-content:space-between;gap:.5rem;border-bottom:2px solid #00118f;margin-top:1.5rem}
.summary-head h2{margin:.5rem 0}
dl.summary{margin:0 0 1rem}.summary-row{display:grid;grid-template-columns:1fr;border-bottom:1px solid #8c8c8c;padding:.5rem 0}
@media(min-width:40rem){.summary-row{grid-template-columns:12rem 1fr;gap:1rem}}
dl.summary dt{font-weight:bold}dl.summary dd{margin:0;overflow-wrap:anywhere}
@supports selector(:has(*)){.history:has(#past:not(:checked)) .for-past,.history:has(#first:not(:checked)) .for-first{display:none}}
nav.site-links ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;padding:0;margin:0 0 .75rem}
"#;

/// Enables each consent box once its text has been scrolled to the end (R1). The server checks the boxes anyway.
pub(crate) const TERMS_JS: &str = r#"
document.querySelectorAll('[data-scroll-gate]').forEach(function (box) {
  var target = document.getElementById(box.getAttribute('data-scroll-gate'));
  if (!target) { return; }
  target.disabled = true;
  var hint = document.getElementById(box.id + '-hint');
  var check = function () {
    if (box.scrollHeight - box.scrollTop - box.clientHeight < 8) {
      target.disabled = false;
      if (hint) { hint.textContent = '最後までご覧いただきました。同意する場合はチェックを付けてください。'; }
    }
  };
  box.addEventListener('scroll', check);
  check();
});
"#;

#[handler]
pub(crate) fn css() -> Response {
    Response::builder()
        .content_type("text/css; charset=utf-8")
        .header(header::CACHE_CONTROL, "public, max-age=3600")
        .body(CSS)
}

#[handler]
pub(crate) fn terms_js() -> Response {
    Response::builder()
        .content_type("text/javascript; charset=utf-8")
        .header(header::CACHE_CONTROL, "public, max-age=3600")
        .body(TERMS_JS)
}

/// The service's name, in every header.
pub(crate) const SERVICE: &str = "求人者マイページ";

/// The help page's title, linked from every footer.
pub(crate) const HELP: &str = "お問い合わせ・ヘルプ";
/// The footer's links, as the seed's site shows them, and the titles of their pages.
pub(crate) const SITE_POLICY: &str = "サイトポリシー";
/// プライバシーポリシー.
pub(crate) const PRIVACY: &str = "プライバシーポリシー";
/// 利用規約 (the My Page terms in force).
pub(crate) const TERMS: &str = "利用規約";
/// よくあるご質問.
pub(crate) const FAQ: &str = "よくあるご質問";
/// お問い合わせ先 (the help page).
pub(crate) const CONTACT: &str = "お問い合わせ先";

/// The page shell, with the help desk in its footer.
pub(crate) fn layout(title: &str, help: &HelpDesk, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="ja" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " | " (SERVICE) }
                link rel="stylesheet" href="/assets/site.css";
            }
            body {
                header.site {
                    a href="/" { "ハローワークインターネットサービス" }
                    div.sub { (SERVICE) }
                }
                main id="main" { (body) }
                footer.site {
                    nav.site-links aria-label="サイトの案内" {
                        ul {
                            li { a href="/site-policy" { (SITE_POLICY) } }
                            li { a href="/privacy" { (PRIVACY) } }
                            li { a href="/terms" { (TERMS) } }
                            li { a href="/faq" { (FAQ) } }
                            li { a href="/help" { (CONTACT) } }
                        }
                    }
                    p { a href="/help" { (HELP) } }
                    (help_desk(help))
                }
            }
        }
    }
}

/// The help desk as seed 002 shows it: who, the phone and its hours, the phone's note, the e-mail address.
pub(crate) fn help_desk(desk: &HelpDesk) -> Markup {
    html! {
        p {
            (desk.name) br;
            "電話：" (desk.phone) "　受付日時：" (desk.hours)
            @if let Some(note) = &desk.phone_note { br; (note) }
            @if let Some(email) = &desk.email { br; "メール：" a href={ "mailto:" (email) } { (email) } }
        }
    }
}

/// The employer's office of jurisdiction and its phone, for a page that tells the employer to ask it; the general
/// advice alone when the office is not known.
pub(crate) fn ask_office(office: Option<&Office>) -> Markup {
    html! {
        @match office {
            Some(office) => {
                "管轄の" (office.name()) @if let Some(phone) = office.phone() { "（電話：" (phone) "）" } "にお問い合わせください。"
            }
            None => { "管轄のハローワークにお問い合わせください。" }
        }
    }
}

/// A text with its line breaks kept.
pub(crate) fn multiline(text: &str) -> Markup {
    html! {
        @for (i, line) in text.lines().enumerate() {
            @if i > 0 { br; }
            (line)
        }
    }
}

/// The hidden CSRF field every form carries; the `CsrfForm` extractor checks it.
pub(crate) fn csrf(token: &str) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(token); }
}

/// The error summary at the top of a form: each message links to its field (a message of the whole form, field
/// `""`, is shown without a link). A form refused because the service is overloaded is not headed as wrong input.
pub(crate) fn error_summary(errors: &[(String, String)]) -> Markup {
    let overloaded = errors.iter().any(|(field, message)| field.is_empty() && message.starts_with(OVERLOADED_LEAD));
    let heading =
        if overloaded { "ただいま混み合っています" } else { "入力内容に誤りがあります" };
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" tabindex="-1" id="errors" autofocus {
                h2 { (heading) }
                ul {
                    @for (field, message) in errors {
                        @if field.is_empty() { li { (message) } } @else { li { a href={"#" (field)} { (message) } } }
                    }
                }
            }
        }
    }
}

/// A message beside a field, if it has one.
///
/// A field with several messages (a password breaking several rules) shows them in one element, since the field's
/// `aria-describedby` names one id.
pub(crate) fn field_error(errors: &[(String, String)], field: &str) -> Markup {
    let messages: Vec<&str> = errors.iter().filter(|(f, _)| f == field).map(|(_, m)| m.as_str()).collect();
    html! {
        @if !messages.is_empty() {
            p.field-error id={(field) "-error"} {
                @for (i, message) in messages.iter().enumerate() { @if i > 0 { br; } (message) }
            }
        }
    }
}

/// Whether `field` has a message, for the field's red frame.
pub(crate) fn has_error(errors: &[(String, String)], field: &str) -> bool {
    errors.iter().any(|(f, _)| f == field)
}

/// An outcome line above a console form: a notice when done, an alert when not.
pub(crate) fn outcome(message: Option<&(bool, String)>) -> Markup {
    html! {
        @if let Some((ok, m)) = message {
            @if *ok { div.notice role="status" { p { (m) } } } @else { div.error-summary role="alert" { p { (m) } } }
        }
    }
}

/// The name of an entrance, as the top page calls it.
pub(crate) fn entrance_title(p: FlowPurpose) -> &'static str {
    match p {
        FlowPurpose::OpenMyPage => "求人者マイページ開設（パスワード登録）",
        FlowPurpose::SignUp => "事業所登録・求人申し込み（仮登録）",
        FlowPurpose::ResetPassword => "パスワードの再設定",
        FlowPurpose::ChangeEmail => EMAIL_CHANGE,
    }
}

/// Whether a problem belongs on the form that was sent (what was typed is wrong, or cannot be accepted now), rather
/// than on a page of its own. A form refused because the service is overloaded comes back with what was typed, so
/// that it can simply be sent again.
pub(crate) fn stays_on_form(problem: &Problem) -> bool {
    (problem.status.is_client_error() || problem.code == "overloaded")
        && !problem.start_again
        && problem.next.is_none()
        && !matches!(
            problem.code,
            "not_permitted" | "csrf_mismatch" | "not_found" | "client_rate_limited" | "unauthenticated"
        )
}

/// A form sent back with its problem: the page is what the browser asked for (200), unless it must wait (429, or
/// 503 `overloaded`, with `Retry-After`).
pub(crate) fn on_form(markup: Markup, problem: &Problem) -> Response {
    if problem.status == StatusCode::TOO_MANY_REQUESTS || problem.code == "overloaded" {
        with_retry_after(with_status(markup, problem.status), problem)
    } else {
        with_status(markup, StatusCode::OK)
    }
}

/// The response with the problem's `Retry-After`, if it has one.
fn with_retry_after(mut response: Response, problem: &Problem) -> Response {
    if let Some(value) = problem.retry_after_header().and_then(|v| v.parse().ok()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// A page sent back with a status.
pub(crate) fn with_status(markup: Markup, status: StatusCode) -> Response {
    let mut response = markup.into_response();
    response.set_status(status);
    response
}

/// The page of a problem that no form shows.
fn problem_page(app: &App, entrance: Option<Entrance>, problem: &Problem) -> Response {
    if let Some(next) = problem.next {
        return Redirect::see_other(next).into_response();
    }
    if problem.code == "unauthenticated" {
        return Redirect::see_other("/login").into_response();
    }
    if let (true, Some(entrance)) = (problem.start_again, entrance) {
        let title = "はじめからやり直してください";
        let body = html! {
            h1 { (title) }
            div.error-summary role="alert" { p { (problem.message) } }
            p { "お手数ですが、" (entrance_title(entrance.0)) "のはじめからやり直してください。" }
            div.actions { a.button href={"/start/" (entrance.segment())} { "はじめからやり直す" } }
        };
        return layout(title, &app.config.help_desk, body).into_response();
    }
    let title = match problem.code {
        "csrf_mismatch" => "ページの有効期限が切れました",
        "client_rate_limited" => "しばらくしてからお試しください",
        "unavailable" | "overloaded" => "ただいま混み合っています",
        "not_permitted" => "権限がありません",
        "not_found" => "見つかりません",
        _ => "お手続きを続けられません",
    };
    let body = html! {
        h1 { (title) }
        p { (problem.message) }
        @if let Some(at) = problem.retry_after { p { (jst(at)) " 以降に、もう一度お試しください。" } }
        p { a href="/" { "トップへ戻る" } }
    };
    with_retry_after(with_status(layout(title, &app.config.help_desk, body), problem.status), problem)
}

/// Turns a page handler's problem into its page. Errors that carry no problem (a redirect to the login) pass as
/// they are.
pub(crate) async fn render_problems<E: Endpoint>(ep: Arc<E>, req: Request) -> poem::Result<Response> {
    let Some(app) = req.data::<App>().cloned() else { return ep.call(req).await.map(IntoResponse::into_response) };
    // The router has not run yet here: the entrance of an auth-key flow is read from the path itself.
    let entrance = req.uri().path().strip_prefix("/start/").and_then(|rest| rest.split('/').next()?.parse().ok());
    match ep.call(req).await {
        Ok(response) => Ok(response.into_response()),
        Err(e) if e.is_from_response() && e.downcast_ref::<Problem>().is_none() => Ok(e.into_response()),
        Err(e) => Ok(problem_page(&app, entrance, &Problem::from_poem(&e))),
    }
}

/// A wide table that scrolls sideways on a narrow screen, reachable by keyboard.
pub(crate) fn scrolling(label: &str, table: Markup) -> Markup {
    html! { div.table-scroll tabindex="0" role="region" aria-label=(label) { (table) } }
}
