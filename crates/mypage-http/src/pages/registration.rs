//! The employer's My Page and the provisional registration step by step (R9, R10): the application history, the
//! establishment (case C), the job offer, the review and the submission.
//!
//! Each page reads what was saved before; a read that fails is the request's failure (a page of its own), never a
//! blank form. A step the registration no longer allows sends the browser where the catalogue says.

use maud::{Markup, html};
use mypage_domain::model::{ApplicationHistory, RegistrationStatus};
use mypage_domain::usecases::{HistoryInput, MyPageOverview};
use mypage_domain::values::{Choice as _, EstablishmentInfoInput, EstablishmentNumber, JobOfferInput, Wage, jst};
use poem::web::{Data, Query, Redirect};
use poem::{IntoResponse, Response, handler};

use crate::app::App;
use crate::extract::{Client, CsrfForm, Employer, HoldIfLoggedOut};
use crate::pages::employer::{LOGOUT, MYPAGE};
use crate::pages::forms::{self, Field, JobOfferForm, NoFields};
use crate::pages::history::{HistoryChoice, HistoryForm, OfficeLookup, history_page};
use crate::pages::kept::{self, Values};
use crate::pages::layout::{ask_office, csrf, error_summary, layout, multiline, on_form, stays_on_form};
use crate::pages::summary;
use crate::problem::{Explain, Problem};
use crate::session::{OWNER_FIELD, SessionHandle};

/// Who is logged in, before the address on the My Page home.
pub(crate) const LOGGED_IN: &str = "ログイン中：";
/// The button that goes back to a draft.
pub(crate) const CONTINUE: &str = "入力を続ける";
/// A registration's status, on the My Page home and the console.
pub(crate) const STATUS: &str = "状況";
/// When a registration was sent, on the My Page home and the console.
pub(crate) const SUBMITTED_AT: &str = "送信日時";
/// The wage of a job offer, on the review page and the console.
pub(crate) const WAGE: &str = "賃金";
const ESTABLISHMENT: &str = "事業所情報の入力";
pub(crate) const JOB_OFFER: &str = "求人情報の入力";
const REVIEW: &str = "入力内容の確認";
const REGISTER: &str = "事業所・求人情報を登録";

/// The breadcrumb of the registration's pages: My Page, then where the employer is.
pub(crate) fn breadcrumb(here: &str) -> Markup {
    html! { p.breadcrumb { a href="/mypage" { "マイページ" } " > " (here) } }
}

/// The breadcrumb of a page one level further down: My Page, the page above it (`above`: its path and title, linked),
/// then where the employer is.
pub(crate) fn breadcrumb_below(above: (&str, &str), here: &str) -> Markup {
    html! { p.breadcrumb { a href="/mypage" { "マイページ" } " > " a href=(above.0) { (above.1) } " > " (here) } }
}

/// Where the account and its registration stand; an account that is gone ends the visit.
pub(crate) async fn overview(app: &App, account: mypage_domain::model::AccountId) -> Result<MyPageOverview, Problem> {
    app.mypage.overview(account).await.map_err(Explain::explain)
}

/// A job offer's wage with its kind, as an office writes it: 「月給 220,000円～300,000円」 (one amount when both are
/// the same).
pub(crate) fn wage_range(wage: &Wage) -> String {
    let (min, max) = (summary::grouped(u64::from(wage.min_yen)), summary::grouped(u64::from(wage.max_yen)));
    if wage.min_yen == wage.max_yen {
        format!("{} {min}円", wage.kind.label_ja())
    } else {
        format!("{} {min}円～{max}円", wage.kind.label_ja())
    }
}

/// A registration's status, as the employer reads it.
pub(crate) fn status_text(status: &RegistrationStatus) -> &'static str {
    match status {
        RegistrationStatus::Draft => "入力中（まだ送信していません）",
        RegistrationStatus::Submitted => "仮登録済み（ハローワークで確認中）",
        RegistrationStatus::ContactNeeded { .. } => "ハローワークから連絡します",
        RegistrationStatus::Returned { .. } => "修正をお願いしています",
        RegistrationStatus::Confirmed { .. } => "本登録済み",
        RegistrationStatus::Rejected { .. } => "本登録できませんでした",
        RegistrationStatus::Expired => "入力途中のまま期限が過ぎました",
        RegistrationStatus::Withdrawn => "取り下げました",
    }
}

/// The My Page home of a Provisional account: where its provisional registration stands, and what was sent.
pub(crate) async fn provisional_home(
    app: &App,
    session: &SessionHandle,
    overview: MyPageOverview,
) -> poem::Result<Response> {
    let offices = app.offices().await?;
    // The office reviewing the registration, named with its phone where the employer may need to call it.
    let reviewing = overview
        .registration
        .as_ref()
        .and_then(|r| r.office())
        .and_then(|code| offices.iter().find(|o| *o.code() == code));
    let token = session.lock().await.csrf();
    let body = html! {
        h1 { (MYPAGE) }
        p { (LOGGED_IN) (overview.account.email()) }
        h2 { "事業所・求人情報の仮登録" }
        @match &overview.registration {
            None => {
                p { "まだ仮登録をしていません。" }
                a.button href="/mypage/history" { (REGISTER) }
            }
            Some(r) => {
                table {
                    tr { th { (STATUS) } td { (status_text(r.status())) } }
                    @if let Some(at) = r.submitted_at() { tr { th { (SUBMITTED_AT) } td { (jst(at)) } } }
                    @if let Some(at) = overview.draft_expires_at { tr { th { "入力内容の保存期限" } td { (jst(at)) } } }
                }
                @match r.status() {
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
                        a.button href="/mypage/history" { (CONTINUE) }
                    }
                    _ => {}
                }
                @if matches!(
                    r.status(),
                    RegistrationStatus::Returned { .. } | RegistrationStatus::ContactNeeded { .. } | RegistrationStatus::Rejected { .. }
                ) {
                    p { "ご不明な点は、" (ask_office(reviewing)) }
                }
            }
        }
        // What was sent stays readable after sending: how it went, then every field as the office received it.
        @if let Some(r) = overview.registration.as_ref().filter(|r| r.submitted_at().is_some()) {
            h2 { "これまでの経過" }
            (summary::timeline(r, status_text(r.status())))
            h2 { "登録した内容" }
            (summary::registration(r, &offices, false))
        }
        form method="post" action="/logout" { (csrf(&token)) div.actions { button.secondary type="submit" { (LOGOUT) } } }
    };
    Ok(layout(MYPAGE, &app.config.help_desk, body).into_response())
}

/// The history page, filled in with what was declared before while the registration may be edited.
#[handler]
pub(crate) async fn history_form(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Employer(account): Employer,
    Query(mut lookup): Query<OfficeLookup>,
    Query(chosen): Query<HistoryForm>,
) -> poem::Result<Response> {
    let overview = overview(app, account).await?;
    let saved = overview.registration.as_ref().filter(|r| r.status().is_editable()).and_then(|r| r.history());
    let mut form = saved.map_or_else(HistoryForm::default, HistoryForm::from);
    // A lookup by place (case C) shows the first-time answer, with the office found chosen once its link is used.
    if !lookup.prefecture.is_empty() || !lookup.municipality.is_empty() || !chosen.office.is_empty() {
        form.choice = Some(HistoryChoice::First);
    }
    if !chosen.office.is_empty() {
        form.office = chosen.office;
    }
    if !lookup.prefecture.is_empty() || !lookup.municipality.is_empty() {
        let found = app.mypage.offices_serving(&lookup.prefecture, &lookup.municipality).await;
        lookup.found = Some(found.map_err(|e| Problem::unavailable(&e))?);
    }
    let offices = app.offices().await?;
    let token = session.lock().await.csrf();
    Ok(history_page(app, &token, &form, &offices, &[], None, &lookup).into_response())
}

/// The history page sent: on to the establishment (first time) or the job offer (past applicant), or the page again
/// with why (R9).
#[handler]
pub(crate) async fn declare_history(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Employer(account): Employer,
    Client(client): Client,
    CsrfForm(form): CsrfForm<HistoryForm>,
) -> poem::Result<Response> {
    let declared = match HistoryInput::try_from(&form) {
        Ok(input) => app.mypage.declare_history(account, &input, &client).await.map_err(Explain::explain),
        Err(problem) => Err(problem),
    };
    match declared {
        Ok(_) if form.choice == Some(HistoryChoice::First) => {
            Ok(Redirect::see_other("/mypage/establishment").into_response())
        }
        Ok(_) => Ok(Redirect::see_other("/mypage/job").into_response()),
        Err(problem) if stays_on_form(&problem) => {
            let offices = app.offices().await?;
            let token = session.lock().await.csrf();
            // A well-formed number not on the register still names its office (R9): the employer is told whom to ask.
            let asking = (problem.code == "establishment_not_found")
                .then(|| EstablishmentNumber::parse(&form.number).ok())
                .flatten()
                .and_then(|number| offices.iter().find(|o| *o.code() == number.office()));
            let page =
                history_page(app, &token, &form, &offices, &problem.messages(), asking, &OfficeLookup::default());
            Ok(on_form(page, &problem))
        }
        Err(problem) => Err(problem.into()),
    }
}

/// The establishment or job-offer page: its fields rendered from the form's list, with the values and errors; also the
/// form of a job offer after opening (R20).
pub(crate) fn step_page(
    app: &App,
    title: &str,
    action: &str,
    token: &str,
    fields: &[Field],
    values: &Values,
    errors: &[(String, String)],
) -> Markup {
    let body = html! {
        (breadcrumb(title))
        h1 { (title) }
        (error_summary(errors))
        (values.notices)
        form method="post" action=(action) novalidate {
            (csrf(token))
            input type="hidden" name=(OWNER_FIELD) value=(values.owner);
            (forms::render(fields, &values.fields, errors))
            div.actions { button type="submit" { "保存して次へ進む" } }
        }
    };
    layout(title, &app.config.help_desk, body)
}

/// The establishment page (case C), filled in with what was saved before.
#[handler]
pub(crate) async fn establishment_form(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Employer(account): Employer,
) -> poem::Result<Response> {
    let overview = overview(app, account).await?;
    let r = overview.registration.as_ref();
    let unfinished = r.and_then(|r| r.unfinished().establishment.as_ref()).map(forms::values);
    let saved = r.and_then(|r| r.establishment()).map(|e| forms::values(&e.to_input()));
    let mut s = session.lock().await;
    let values = kept::start_values(app, &mut s, "/mypage/establishment", unfinished, saved);
    let token = s.data.csrf.clone();
    let page = step_page(app, ESTABLISHMENT, "/mypage/establishment", &token, forms::ESTABLISHMENT, &values, &[]);
    Ok(page.into_response())
}

/// The establishment page sent: saved, or the page again with each wrong field (R10).
#[handler]
pub(crate) async fn save_establishment(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    _: HoldIfLoggedOut,
    Employer(account): Employer,
    Client(client): Client,
    CsrfForm(input): CsrfForm<EstablishmentInfoInput>,
) -> poem::Result<Response> {
    match app.mypage.save_establishment_info(account, &input, &client).await {
        Ok(()) => Ok(Redirect::see_other("/mypage/job").into_response()),
        Err(e) => {
            let problem = e.explain();
            if !stays_on_form(&problem) {
                return Err(problem.into());
            }
            let mut s = session.lock().await;
            let token = s.csrf();
            let values = kept::typed(app, &s, forms::values(&input));
            let errors = forms::messages(&problem, forms::ESTABLISHMENT);
            let page =
                step_page(app, ESTABLISHMENT, "/mypage/establishment", &token, forms::ESTABLISHMENT, &values, &errors);
            Ok(on_form(page, &problem))
        }
    }
}

/// The job-offer page, filled in with what was saved before.
#[handler]
pub(crate) async fn job_form(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Employer(account): Employer,
) -> poem::Result<Response> {
    let overview = overview(app, account).await?;
    let r = overview.registration.as_ref();
    let unfinished = r.and_then(|r| r.unfinished().job_offer.as_ref()).map(forms::values);
    let saved = r.and_then(|r| r.job_offer()).map(|j| forms::values(&j.to_input()));
    let mut s = session.lock().await;
    let values = kept::start_values(app, &mut s, "/mypage/job", unfinished, saved);
    let token = s.data.csrf.clone();
    Ok(step_page(app, JOB_OFFER, "/mypage/job", &token, forms::JOB_OFFER, &values, &[]).into_response())
}

/// The job-offer page sent: saved, or the page again with each wrong field (R10).
#[handler]
pub(crate) async fn save_job(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    _: HoldIfLoggedOut,
    Employer(account): Employer,
    Client(client): Client,
    CsrfForm(form): CsrfForm<JobOfferForm>,
) -> poem::Result<Response> {
    let input = JobOfferInput::from(form);
    match app.mypage.save_job_offer(account, &input, &client).await {
        Ok(()) => Ok(Redirect::see_other("/mypage/submit").into_response()),
        Err(e) => {
            let problem = e.explain();
            if !stays_on_form(&problem) {
                return Err(problem.into());
            }
            let mut s = session.lock().await;
            let token = s.csrf();
            let values = kept::typed(app, &s, forms::values(&input));
            let errors = forms::messages(&problem, forms::JOB_OFFER);
            let page = step_page(app, JOB_OFFER, "/mypage/job", &token, forms::JOB_OFFER, &values, &errors);
            Ok(on_form(page, &problem))
        }
    }
}

/// What will be sent, before it is.
#[handler]
pub(crate) async fn review(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Employer(account): Employer,
) -> poem::Result<Response> {
    let overview = overview(app, account).await?;
    let Some(r) = overview.registration.filter(|r| r.status().is_editable()) else {
        return Ok(Redirect::see_other("/mypage").into_response());
    };
    let offices = app.offices().await?;
    let token = session.lock().await.csrf();
    let body = html! {
        (breadcrumb(REVIEW))
        h1 { (REVIEW) }
        p { "入力した内容をご確認ください。修正する場合は、各項目の「修正」から入力画面に戻ります。" }
        (summary::registration(&r, &offices, true))
        form method="post" action="/mypage/submit" {
            (csrf(&token))
            div.actions { button type="submit" { "この内容で仮登録する" } }
        }
    };
    Ok(layout(REVIEW, &app.config.help_desk, body).into_response())
}

/// Sends the provisional registration to the office.
#[handler]
pub(crate) async fn submit(
    Data(app): Data<&App>,
    Employer(account): Employer,
    Client(client): Client,
    CsrfForm(_): CsrfForm<NoFields>,
) -> poem::Result<Response> {
    app.mypage.submit_registration(account, &client).await.map_err(Explain::explain)?;
    let sent = overview(app, account).await?.registration;
    let first_time = matches!(sent.as_ref().and_then(|r| r.history()), Some(ApplicationHistory::FirstTime { .. }));
    let title = "仮登録完了";
    let body = html! {
        h1 { (title) }
        div.notice role="status" {
            p { "事業所情報・求人情報の仮登録を受け付けました。受付のお知らせをメールでお送りしました。" }
            @if first_time {
                p { "マイページの開設を完了するには、ハローワークでの本登録の手続きが必要です。管轄のハローワークの窓口または電話で本登録の手続きを行ってください。内容を確認し、必要な場合はハローワークからご連絡します。" }
            } @else {
                p { "ハローワークで内容を確認し、本登録の手続きを行います。必要な場合は、ハローワークからご連絡します。" }
            }
        }
        div.notice {
            p {
                "受付のお知らせメールがしばらく経っても届かない場合は、登録したメールアドレスが正しいか、メールの受信制限の設定をご確認ください。"
                "受信制限をしている場合は、" strong { (app.config.system_address) } "からのメールを受信できるよう設定してください。"
                "メールが届かない場合も仮登録は受け付けています。状況はマイページでご確認いただけます。"
            }
        }
        div.actions { a.button href="/mypage" { "マイページへ戻る" } }
    };
    Ok(layout(title, &app.config.help_desk, body).into_response())
}
