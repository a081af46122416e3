//! The My Page home (マイページ トップ). An Active account's: what to do next, the establishment with its office of
//! jurisdiction, the job offers filed after opening (R20) and the account's care (R19). A Provisional account's,
//! the provisional registration's progress, is `registration`'s.

use maud::{Markup, html};
use mypage_domain::model::{AccountStatus, Office, ProvisionalRegistration, RegistrationStatus};
use mypage_domain::usecases::MyPageOverview;
use mypage_domain::values::jst;
use poem::web::Data;
use poem::{IntoResponse, Response, handler};

use crate::app::App;
use crate::extract::Employer;
use crate::pages::account::{
    ACCOUNT, CLOSE, CLOSE_PATH, EMAIL_PATH, PASSWORD_CHANGE, PASSWORD_PATH, SESSIONS, SESSIONS_PATH,
};
use crate::pages::employer::{LOGOUT, MYPAGE};
use crate::pages::forms::OCCUPATION;
use crate::pages::job_offers::{
    JOB_OFFERS_PATH, START as NEW_JOB_OFFER, edit_path, occupation, path, status_text as offer_status_text,
};
use crate::pages::layout::{EMAIL_CHANGE, csrf, layout, scrolling};
use crate::pages::registration::{self, CONTINUE, LOGGED_IN, STATUS};
use crate::pages::staff::label::{EMAIL, NUMBER};
use crate::pages::summary::{self, JOB_OFFERS, OFFICE};
use crate::problem::{Explain, Problem};
use crate::session::SessionHandle;

/// How many job offers the home lists; the rest are on the job offers' page.
const LATEST: usize = 5;

/// What the employer should do next, from where the job offers stand, most pressing first.
fn next_steps(offers: &[ProvisionalRegistration]) -> Markup {
    let with = |f: fn(&RegistrationStatus) -> bool| offers.iter().filter(|o| f(o.status())).collect::<Vec<_>>();
    let returned = with(|s| matches!(s, RegistrationStatus::Returned { .. }));
    let contact = with(|s| matches!(s, RegistrationStatus::ContactNeeded { .. }));
    let drafts = with(|s| matches!(s, RegistrationStatus::Draft));
    let pending = with(|s| matches!(s, RegistrationStatus::Submitted));
    html! {
        ul.next-steps {
            @for offer in &returned {
                li { "ハローワークから修正の依頼があります（" (occupation(offer)) "）。"
                    a href=(path(offer.id())) { "内容を確認して修正する" } }
            }
            @for offer in &contact {
                li { "ハローワークからご連絡します（" (occupation(offer)) "）。連絡をお待ちください。" }
            }
            @for offer in &drafts {
                li { "入力途中の求人があります（" (occupation(offer)) "）。"
                    a href=(edit_path(offer.id())) { (CONTINUE) } }
            }
            @if !pending.is_empty() {
                li { "申し込んだ求人（" (pending.len()) "件）をハローワークで確認しています。結果はメールでお知らせします。" }
            }
            @if offers.is_empty() {
                li { "求人を申し込むには、「" (NEW_JOB_OFFER) "」から求人情報を入力してください。入力の途中で保存し、後から続けることもできます。" }
            } @else if returned.is_empty() && contact.is_empty() && drafts.is_empty() && pending.is_empty() {
                li { "新しい求人は「" (NEW_JOB_OFFER) "」から申し込めます。以前の求人をもとに作成することもできます。" }
            }
        }
    }
}

fn establishment_section(overview: &MyPageOverview, office: Option<&Office>) -> Markup {
    html! {
        h2 { "事業所の情報" }
        @match &overview.establishment {
            Some(e) => {
                table.summary {
                    tr { th scope="row" { "事業所名" } td { (e.name()) } }
                    tr { th scope="row" { (NUMBER) } td { strong { (e.number()) } } }
                    @if let Some(address) = e.details().address.as_ref().or(e.info().map(|i| &i.address)) {
                        tr { th scope="row" { "事業所の所在地" } td { (address) } }
                    }
                    tr {
                        th scope="row" { (OFFICE) }
                        td {
                            @match office {
                                Some(o) => {
                                    (o.name())
                                    @if let Some(phone) = o.phone() { br; "電話番号：" (phone) }
                                    @if let Some(hours) = o.opening_hours() { br; "受付時間：" (hours) }
                                }
                                None => { (e.number().office()) }
                            }
                        }
                    }
                }
                p.hint { "事業所の名称や所在地が変わったときは、管轄のハローワークにお届けください。" }
            }
            None => { p { "事業所の情報を読み込めませんでした。管轄のハローワークにお問い合わせください。" } }
        }
    }
}

fn job_offers_section(token: &str, offers: &[ProvisionalRegistration]) -> Markup {
    html! {
        h2 { (JOB_OFFERS) }
        @if !offers.is_empty() {
            (scrolling(JOB_OFFERS, html! {
                table.list {
                    tr { th scope="col" { (OCCUPATION) } th scope="col" { (STATUS) } th scope="col" { "申込み日時" } }
                    @for offer in offers.iter().take(LATEST) {
                        tr {
                            td { a href=(path(offer.id())) { (occupation(offer)) } }
                            td { (offer_status_text(offer.status())) }
                            td { @match offer.submitted_at() { Some(at) => (jst(at)), None => "―" } }
                        }
                    }
                }
            }))
            @if offers.len() > LATEST {
                p { a href=(JOB_OFFERS_PATH) { "すべての求人を見る（" (offers.len()) "件）" } }
            } @else {
                p { a href=(JOB_OFFERS_PATH) { "求人の一覧" } }
            }
        }
        form method="post" action=(JOB_OFFERS_PATH) {
            (csrf(token))
            div.actions { button type="submit" { (NEW_JOB_OFFER) } }
        }
    }
}

fn account_section(overview: &MyPageOverview) -> Markup {
    html! {
        h2 { (ACCOUNT) }
        table.summary {
            tr { th scope="row" { (EMAIL) } td { (overview.account.email()) } }
            @if let Some(consent) = overview.account.consent() {
                tr { th scope="row" { "利用規約に同意した日時" } td { (jst(consent.at)) } }
            }
        }
        ul {
            li { a href=(PASSWORD_PATH) { (PASSWORD_CHANGE) } }
            li { a href=(EMAIL_PATH) { (EMAIL_CHANGE) } }
            li { a href=(SESSIONS_PATH) { (SESSIONS) } }
            li { a href=(CLOSE_PATH) { (CLOSE) } }
        }
    }
}

/// The My Page home: an Active account's here, a Provisional account's with its registration's progress.
#[handler]
pub(crate) async fn home(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Employer(account): Employer,
) -> poem::Result<Response> {
    let overview = registration::overview(app, account).await?;
    if overview.account.status() != AccountStatus::Active {
        return registration::provisional_home(app, session, overview).await;
    }
    let token = session.lock().await.csrf();
    Ok(active_home(app, &token, &overview).await?.into_response())
}

/// The home of an Active account.
async fn active_home(app: &App, token: &str, overview: &MyPageOverview) -> Result<Markup, Problem> {
    let account = overview.account.id();
    let offers = app.mypage.job_offers(account).await.map_err(Explain::explain)?;
    let offices = app.offices().await?;
    let office =
        overview.establishment.as_ref().and_then(|e| offices.iter().find(|o| *o.code() == e.number().office()));
    let body = html! {
        h1 { (MYPAGE) }
        p { (LOGGED_IN) (overview.account.email()) }
        h2 { "次に行うこと" }
        (next_steps(&offers))
        (job_offers_section(token, &offers))
        (establishment_section(overview, office))
        (account_section(overview))
        // The provisional registration that opened the account (cases B and C) stays readable.
        @if let Some(r) = overview.registration.as_ref().filter(|r| r.submitted_at().is_some()) {
            details {
                summary { "本登録までの経過と登録した内容" }
                (summary::timeline(r, registration::status_text(r.status())))
                (summary::registration(r, &offices, false))
            }
        }
        form method="post" action="/logout" { (csrf(token)) div.actions { button.secondary type="submit" { (LOGOUT) } } }
    };
    Ok(layout(MYPAGE, &app.config.help_desk, body))
}
