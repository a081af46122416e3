//! Job offers after opening (求人の申込み, R20): the employer's list of its job offers, a new one (empty or copied
//! from an earlier one), the job-offer form with the rules of the provisional registration (R10, see
//! `job_offer_form.rs`), the offer read back whole with how it went, and its submission or discarding.
//!
//! Paths: `GET /mypage/job-offers` (the list), `POST /mypage/job-offers` (start; `copy_from` copies an earlier
//! offer), `GET|POST /mypage/job-offers/:id/edit` (the form), `GET /mypage/job-offers/:id` (read back, and the
//! confirmation of a draft), `POST /mypage/job-offers/:id/submit` and `POST /mypage/job-offers/:id/discard`.

use maud::{Markup, html};
use mypage_domain::model::{ProvisionalRegistration, RegistrationId, RegistrationStatus};
use mypage_domain::values::jst;
use poem::web::{Data, Redirect};
use poem::{IntoResponse, Request, Response, handler};
use serde::Deserialize;

use crate::app::App;
use crate::extract::{Client, CsrfForm, Employer};
use crate::pages::forms::{NoFields, OCCUPATION};
use crate::pages::layout::{ask_office, csrf, error_summary, layout, multiline, on_form, scrolling, stays_on_form};
use crate::pages::registration::{self, STATUS, SUBMITTED_AT};
use crate::pages::summary::{self, JOB_OFFERS};
use crate::problem::{Explain, Problem};
use crate::session::SessionHandle;

/// The list's path, and the action that starts a new offer.
pub(crate) const JOB_OFFERS_PATH: &str = "/mypage/job-offers";
/// The button that starts a new, empty job offer.
pub(crate) const START: &str = "新しい求人を申し込む";
/// The button that starts a new job offer from an earlier one.
const COPY: &str = "この求人をもとに新しく作成";
/// The confirmation's title.
const CONFIRM: &str = "申込み内容の確認";
/// The button that submits a job offer.
const SUBMIT: &str = "この内容で申し込む";
/// The button that discards a draft.
const DISCARD: &str = "下書きを削除";
/// What the list says when there is no job offer yet; the home page says the same.
pub(crate) const NO_JOB_OFFERS: &str = "まだ求人を申し込んでいません。";
/// An offer whose form has not been saved yet.
const NO_OCCUPATION: &str = "（職種未入力）";

/// The path of a job offer's page.
pub(crate) fn path(id: RegistrationId) -> String {
    format!("{JOB_OFFERS_PATH}/{id}")
}

/// The path of a job offer's form.
pub(crate) fn edit_path(id: RegistrationId) -> String {
    format!("{JOB_OFFERS_PATH}/{id}/edit")
}

/// The job offer named by the path; one that cannot be an id is as unknown as another employer's.
pub(crate) fn offer_id(req: &Request) -> Result<RegistrationId, Problem> {
    req.raw_path_param("id")
        .and_then(|raw| raw.parse().ok())
        .map(RegistrationId::from_uuid)
        .ok_or_else(Problem::job_offer_not_found)
}

/// The breadcrumb of the job offers' pages: My Page, the list, then where the employer is.
pub(crate) fn breadcrumb(here: Option<&str>) -> Markup {
    match here {
        Some(here) => registration::breadcrumb_below((JOB_OFFERS_PATH, JOB_OFFERS), here),
        None => registration::breadcrumb(JOB_OFFERS),
    }
}

/// A job offer's status, as the employer reads it.
pub(crate) fn status_text(status: &RegistrationStatus) -> &'static str {
    match status {
        RegistrationStatus::Draft => "入力中（まだ申し込んでいません）",
        RegistrationStatus::Submitted => "申込み済み（ハローワークで確認中）",
        RegistrationStatus::ContactNeeded { .. } => "ハローワークからご連絡します",
        RegistrationStatus::Returned { .. } => "修正のお願いがあります",
        RegistrationStatus::Confirmed { .. } => "受理済み",
        RegistrationStatus::Rejected { .. } => "受理できませんでした",
        RegistrationStatus::Expired => "入力途中のまま保存期限が過ぎました",
        RegistrationStatus::Withdrawn => "取り下げ済み",
    }
}

/// The occupation a job offer names, saved or being typed, for the list.
pub(crate) fn occupation(offer: &ProvisionalRegistration) -> &str {
    offer
        .job_offer()
        .map(|j| j.occupation.as_str())
        .or_else(|| offer.unfinished().job_offer.as_ref().map(|j| j.occupation.as_str()))
        .filter(|o| !o.is_empty())
        .unwrap_or(NO_OCCUPATION)
}

/// A form that starts a job offer, empty or copied from `copy_from`.
fn start_form(token: &str, copy_from: Option<RegistrationId>, label: &str, secondary: bool) -> Markup {
    html! {
        form method="post" action=(JOB_OFFERS_PATH) {
            (csrf(token))
            @if let Some(id) = copy_from { input type="hidden" name="copy_from" value=(id); }
            @if secondary { button.secondary type="submit" { (label) } } @else { button type="submit" { (label) } }
        }
    }
}

/// The list: each job offer with its status, when it was sent, and its links; `errors` when a start was refused.
fn list_page(app: &App, token: &str, offers: &[ProvisionalRegistration], errors: &[(String, String)]) -> Markup {
    let body = html! {
        (breadcrumb(None))
        h1 { (JOB_OFFERS) }
        (error_summary(errors))
        p { "事業所の求人を、管轄のハローワークに申し込むことができます。申し込んだ求人は、ハローワークで内容を確認したうえで受理します。" }
        div.actions { (start_form(token, None, START, false)) }
        h2 { "申し込んだ求人" }
        @if offers.is_empty() {
            p { (NO_JOB_OFFERS) }
        } @else {
            (scrolling("申し込んだ求人の一覧", html! {
                table {
                    tr {
                        th scope="col" { (OCCUPATION) }
                        th scope="col" { (STATUS) }
                        th scope="col" { (SUBMITTED_AT) }
                        th scope="col" { "次の操作" }
                    }
                    @for offer in offers {
                        tr {
                            td { a href=(path(offer.id())) { (occupation(offer)) } }
                            td { (status_text(offer.status())) }
                            td { (offer.submitted_at().map(jst).unwrap_or_default()) }
                            td {
                                @if offer.status().is_editable() {
                                    a href=(edit_path(offer.id())) { "続きを入力する" }
                                }
                                @if offer.job_offer().is_some() {
                                    (start_form(token, Some(offer.id()), COPY, true))
                                }
                            }
                        }
                    }
                }
            }))
        }
        p { a href="/mypage" { "マイページのトップへ戻る" } }
    };
    layout(JOB_OFFERS, &app.config.help_desk, body)
}

/// `GET /mypage/job-offers`: the employer's job offers, newest first.
#[handler]
pub(crate) async fn list(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Employer(account): Employer,
) -> poem::Result<Response> {
    let offers = app.mypage.job_offers(account).await.map_err(Explain::explain)?;
    let token = session.lock().await.csrf();
    Ok(list_page(app, &token, &offers, &[]).into_response())
}

/// What starts a job offer: nothing, or the id of an earlier one to copy.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct StartForm {
    copy_from: String,
}

/// `POST /mypage/job-offers`: starts a job offer and opens its form; a refusal comes back on the list.
#[handler]
pub(crate) async fn start(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Employer(account): Employer,
    Client(client): Client,
    CsrfForm(form): CsrfForm<StartForm>,
) -> poem::Result<Response> {
    let copy_from = match form.copy_from.trim() {
        "" => None,
        raw => Some(raw.parse().map(RegistrationId::from_uuid).map_err(|_| Problem::job_offer_not_found())?),
    };
    let problem = match app.mypage.start_job_offer(account, copy_from, &client).await {
        Ok(id) => return Ok(Redirect::see_other(edit_path(id)).into_response()),
        Err(e) => e.explain(),
    };
    if !stays_on_form(&problem) {
        return Err(problem.into());
    }
    let offers = app.mypage.job_offers(account).await.map_err(Explain::explain)?;
    let token = session.lock().await.csrf();
    Ok(on_form(list_page(app, &token, &offers, &problem.messages()), &problem))
}

/// The office's note on a job offer, as the employer reads it.
fn office_note(offer: &ProvisionalRegistration, office: Option<&mypage_domain::model::Office>) -> Markup {
    html! {
        @match offer.status() {
            RegistrationStatus::Returned { note } => {
                div.error-summary { h2 { "ハローワークからの修正のお願い" } p { (multiline(note.as_str())) } }
            }
            RegistrationStatus::ContactNeeded { note } => {
                div.notice { h2 { "ハローワークからの連絡事項" } p { (multiline(note.as_str())) } }
            }
            RegistrationStatus::Rejected { reason } => {
                div.error-summary { h2 { "受理できなかった理由" } p { (multiline(reason.as_str())) } }
            }
            _ => {}
        }
        @if matches!(
            offer.status(),
            RegistrationStatus::Returned { .. } | RegistrationStatus::ContactNeeded { .. } | RegistrationStatus::Rejected { .. }
        ) {
            p { "この求人についてご不明な点は、" (ask_office(office)) }
        }
    }
}

/// `GET /mypage/job-offers/:id`: the job offer read back whole, with how it went; a draft or a returned offer
/// whose form is saved is shown as the confirmation before it is sent.
#[handler]
pub(crate) async fn detail(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Employer(account): Employer,
) -> poem::Result<Response> {
    let id = offer_id(req)?;
    let offer = app.mypage.job_offer(account, id).await.map_err(Explain::explain)?;
    let offices = app.offices().await?;
    let office = offer.office().and_then(|code| offices.iter().find(|o| *o.code() == code));
    let token = session.lock().await.csrf();
    let editable = offer.status().is_editable();
    let confirming = editable && offer.job_offer().is_some();
    let title = if confirming { CONFIRM } else { JOB_OFFERS };
    let body = html! {
        (breadcrumb(Some(occupation(&offer))))
        h1 { (title) }
        table.kv {
            tr { th scope="row" { (STATUS) } td { strong { (status_text(offer.status())) } } }
            @if let Some(at) = offer.submitted_at() { tr { th scope="row" { (SUBMITTED_AT) } td { (jst(at)) } } }
            @if let Some(at) = app.mypage.job_offer_expires_at(&offer) {
                tr { th scope="row" { "下書きの保存期限" } td { (jst(at)) } }
            }
        }
        (office_note(&offer, office))
        @if confirming {
            p { "入力した内容をご確認ください。修正する場合は、「修正」から入力画面に戻ります。" }
        } @else if editable {
            p { "求人情報がまだ入力されていないか、入力途中です。" }
            div.actions { a.button href=(edit_path(id)) { "求人情報を入力する" } }
        }
        @if offer.submitted_at().is_some() {
            h2 { "申込みの経過" }
            (summary::timeline(&offer, status_text(offer.status())))
        }
        (summary::job_offer(&offer, &offices, editable.then(|| edit_path(id)).as_deref()))
        @if confirming {
            form method="post" action={(path(id)) "/submit"} {
                (csrf(&token))
                div.actions { button type="submit" { (SUBMIT) } }
            }
        }
        @if offer.submitted_at().is_none() && !offer.status().is_pending() {
            form method="post" action={(path(id)) "/discard"} {
                (csrf(&token))
                div.actions { button.secondary type="submit" { (DISCARD) } }
            }
        }
        @if offer.job_offer().is_some() {
            div.actions { (start_form(&token, Some(id), COPY, true)) }
        }
        p { a href=(JOB_OFFERS_PATH) { "求人の一覧へ戻る" } }
    };
    Ok(layout(title, &app.config.help_desk, body).into_response())
}

/// `POST /mypage/job-offers/:id/submit`: sends the job offer to the office of jurisdiction.
#[handler]
pub(crate) async fn submit(
    req: &Request,
    Data(app): Data<&App>,
    Employer(account): Employer,
    Client(client): Client,
    CsrfForm(_): CsrfForm<NoFields>,
) -> poem::Result<Response> {
    let id = offer_id(req)?;
    app.mypage.submit_job_offer(account, id, &client).await.map_err(Explain::explain)?;
    let title = "求人の申込み完了";
    let body = html! {
        h1 { (title) }
        div.notice role="status" {
            p { "求人の申込みを受け付けました。受付のお知らせをメールでお送りしました。" }
            p { "ハローワークで内容を確認し、求人を受理します。必要な場合は、ハローワークからご連絡します。受理しましたら、メールでお知らせします。" }
        }
        div.notice {
            p {
                "受付のお知らせメールが届かない場合は、迷惑メールとして振り分けられていないか、" strong { (app.config.system_address) } "からのメールの受信を許可しているかをご確認ください。"
                "メールが届かない場合も申込みは受け付けています。状況は求人の一覧でご確認いただけます。"
            }
        }
        div.actions {
            a.button href=(path(id)) { "申し込んだ内容を見る" }
            a.button.secondary href=(JOB_OFFERS_PATH) { "求人の一覧へ戻る" }
        }
    };
    Ok(layout(title, &app.config.help_desk, body).into_response())
}

/// `POST /mypage/job-offers/:id/discard`: deletes a draft never sent, and goes back to the list.
#[handler]
pub(crate) async fn discard(
    req: &Request,
    Data(app): Data<&App>,
    Employer(account): Employer,
    Client(client): Client,
    CsrfForm(_): CsrfForm<NoFields>,
) -> poem::Result<Response> {
    let id = offer_id(req)?;
    app.mypage.discard_job_offer(account, id, &client).await.map_err(Explain::explain)?;
    Ok(Redirect::see_other(JOB_OFFERS_PATH).into_response())
}
