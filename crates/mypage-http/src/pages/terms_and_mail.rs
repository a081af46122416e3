//! The admin pages for what the service shows and sends: the terms versions employers agree to (R1), and the mails
//! that could not be sent, which a central admin puts back in the queue (R16). Both act across offices, so they are
//! a central admin's only (R14). The frame and the rest of the admin pages are in `admin.rs`, which re-exports
//! these handlers for the route table.

use maud::{Markup, html};
use mypage_domain::model::{MailId, StaffId};
use mypage_domain::usecases::AdminActor;
use mypage_domain::values::{TermsKind, jst};
use poem::web::Data;
use poem::{IntoResponse, Request, Response, handler};
use serde::Deserialize;

use crate::app::App;
use crate::extract::{CentralAdmin, Client, CsrfForm};
use crate::pages::admin::{ACTIONS, MAIL, TERMS, admin_page, failed, told_on_page};
use crate::pages::forms::NoFields;
use crate::pages::layout::{csrf, field_error, has_error, multiline, on_form, scrolling};
use crate::problem::{Explain, Problem};
use crate::session::SessionHandle;

/// A terms document, as the office calls it.
fn kind_label(kind: TermsKind) -> &'static str {
    match kind {
        TermsKind::PrivacyPolicy => crate::pages::layout::PRIVACY,
        TermsKind::MyPageTerms => "マイページ利用規約",
    }
}

/// The form that publishes a new version of one document.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct TermsForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    body: String,
}

impl TryFrom<&TermsForm> for TermsKind {
    type Error = Problem;

    fn try_from(form: &TermsForm) -> Result<Self, Problem> {
        TermsKind::from_code(&form.kind).ok_or_else(Problem::unknown_kind)
    }
}

/// The versions in force and the form that publishes a new one, filled in with `typed`.
async fn terms_page(
    app: &App,
    session: &SessionHandle,
    typed: Option<&TermsForm>,
    problem: Option<&Problem>,
    message: Option<&(bool, String)>,
) -> Result<Markup, Problem> {
    let current = app.mypage.current_terms().await.map_err(|e| Problem::unavailable(&e))?;
    let token = session.lock().await.csrf();
    let errors = problem.map(Problem::messages).unwrap_or_default();
    let kind = typed.map_or("", |t| t.kind.as_str());
    let body = html! {
        p { "新しい版を公開すると、それ以降に申し込む事業所は、新しい版に同意します。公開前の画面で同意した申込は、改定後の内容への同意を求められます。" }
        @if let Some(c) = &current {
            @for d in [&c.privacy_policy, &c.mypage_terms] {
                h2 { (format!("{}（第{}版、{} 公開）", kind_label(d.kind), d.version.0, jst(d.published_at))) }
                div.terms tabindex="0" role="region" aria-label={(kind_label(d.kind)) "の本文"} { (multiline(&d.body)) }
            }
        } @else {
            p { "まだ公開されていません。両方を公開するまで、事業所は申し込めません。" }
        }
        h2 { "新しい版の公開" }
        form method="post" action=(TERMS.path) {
            (csrf(&token))
            div.field.invalid[has_error(&errors, "kind")] {
                label for="kind" { "文書" }
                (field_error(&errors, "kind"))
                select id="kind" name="kind" {
                    @for k in TermsKind::ALL {
                        option value=(k.code()) selected[kind == k.code()] { (kind_label(k)) }
                    }
                }
            }
            div.field.invalid[has_error(&errors, "body")] {
                label for="body" { "本文" }
                (field_error(&errors, "body"))
                textarea id="body" name="body" rows="12" { (typed.map_or("", |t| t.body.as_str())) }
            }
            div.actions { button type="submit" { "公開する" } }
        }
    };
    Ok(admin_page(TERMS, message, body))
}

/// The terms versions in force and the form that publishes a new one, for central admins (R1, R14).
#[handler]
pub(crate) async fn terms_versions(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    CentralAdmin(_): CentralAdmin,
) -> poem::Result<Response> {
    Ok(terms_page(app, session, None, None, None).await?.into_response())
}

/// Publishes a new version of one document (R1): employers who agreed to an older one are asked again.
#[handler]
pub(crate) async fn publish_terms(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    CentralAdmin(me): CentralAdmin,
    Client(client): Client,
    CsrfForm(form): CsrfForm<TermsForm>,
) -> poem::Result<Response> {
    let result = match TermsKind::try_from(&form) {
        Ok(kind) => app
            .mypage
            .publish_terms(AdminActor::Staff(me), kind, &form.body, &client)
            .await
            .map(|version| (kind, version))
            .map_err(Explain::explain),
        Err(problem) => Err(problem),
    };
    match result {
        Ok((kind, version)) => {
            let done = (true, format!("{}の第{}版を公開しました。", kind_label(kind), version.0));
            Ok(terms_page(app, session, None, None, Some(&done)).await?.into_response())
        }
        Err(problem) if told_on_page(&problem) => {
            let page = terms_page(app, session, Some(&form), Some(&problem), Some(&failed(&problem))).await?;
            Ok(on_form(page, &problem))
        }
        Err(problem) => Err(problem.into()),
    }
}

/// What a mail was, as the office calls it.
fn template_label(code: &str) -> &str {
    match code {
        "auth_key" => "認証キーのお知らせ",
        "account_notice" => "アカウントのお知らせ",
        "registration_received" => "仮登録の受付",
        "registration_confirmed" => "本登録の完了",
        "contact_needed" => "連絡のお願い",
        "registration_returned" => "修正のお願い",
        "registration_rejected" => "本登録の見送り",
        "password_changed" => "パスワード変更のお知らせ",
        "email_changed" => "メールアドレス変更のお知らせ（変更前のアドレスへ）",
        "email_change_confirmed" => "メールアドレス変更の完了",
        "sessions_ended" => "ログアウトのお知らせ",
        "account_closed" => "アカウント削除のお知らせ",
        "job_offer_received" => "求人の申込みの受付",
        "job_offer_accepted" => "求人の受理",
        "office_digest" => "審査待ちのお知らせ（ハローワークあて）",
        other => other,
    }
}

/// The dead mails, each with a button that puts it back in the queue.
async fn mail_page(
    app: &App,
    session: &SessionHandle,
    me: StaffId,
    message: Option<&(bool, String)>,
) -> Result<Markup, Problem> {
    let dead = app.mypage.dead_mails(me).await.map_err(Explain::explain)?;
    let token = session.lock().await.csrf();
    let body = html! {
        p { "送信を続けても届かなかったメールです。送信先や配信の設定を確認してから、もう一度送信できます。認証キーのメールは有効期限を過ぎていることがあります。その場合は、事業所に申込のやり直しをご案内ください。" }
        @if dead.is_empty() {
            p { "送信できなかったメールはありません。" }
        } @else {
            (scrolling("送信できなかったメールの一覧", html! {
                table {
                    tr { th scope="col" { "作成日時" } th scope="col" { "送信先" } th scope="col" { "種類" } th scope="col" { "試行回数" } th scope="col" { "最後の応答" } th scope="col" { (ACTIONS) } }
                    @for m in &dead {
                        tr {
                            td { (jst(m.created_at)) }
                            td { (m.to.masked()) }
                            td { (template_label(&m.template)) }
                            td { (m.attempts) }
                            td { (m.last_error.as_deref().unwrap_or_default()) }
                            td {
                                form method="post" action={(MAIL.path) "/" (m.id) "/requeue"} {
                                    (csrf(&token))
                                    button.secondary type="submit" aria-label={(jst(m.created_at)) "のメールをもう一度送信する"} { "もう一度送信する" }
                                }
                            }
                        }
                    }
                }
            }))
        }
    };
    Ok(admin_page(MAIL, message, body))
}

/// The mails that could not be sent, for central admins (R14, R16).
#[handler]
pub(crate) async fn dead_mails(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    CentralAdmin(me): CentralAdmin,
) -> poem::Result<Response> {
    Ok(mail_page(app, session, me, None).await?.into_response())
}

/// Puts a dead mail back in the queue (R16), which the audit trail records; one that is not dead any more (or
/// unknown) is said on the page.
#[handler]
pub(crate) async fn requeue_mail(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    CentralAdmin(me): CentralAdmin,
    Client(client): Client,
    CsrfForm(_): CsrfForm<NoFields>,
) -> poem::Result<Response> {
    let mail = req.raw_path_param("id").and_then(|raw| raw.parse().ok()).map(MailId::from_uuid);
    let result = match mail {
        Some(mail) => app.mypage.requeue_mail(me, mail, &client).await.map_err(Explain::explain),
        None => Ok(false),
    };
    match result {
        Ok(true) => {
            let done = (true, "送信の待ち行列に戻しました。まもなく送信します。".to_owned());
            Ok(mail_page(app, session, me, Some(&done)).await?.into_response())
        }
        Ok(false) => {
            let problem = Problem::not_dead();
            let page = mail_page(app, session, me, Some(&failed(&problem))).await?;
            Ok(on_form(page, &problem))
        }
        Err(problem) => Err(problem.into()),
    }
}
