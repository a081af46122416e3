//! The My Page home of an Active account (マイページ トップ): what to do next, the establishment with its office of
//! jurisdiction, the job offers filed after opening (R20) and the account's care (R19). A Provisional account's home,
//! the provisional registration's progress, stays in `registration`.

use maud::{Markup, html};
use mypage_domain::model::{Office, ProvisionalRegistration, RegistrationStatus};
use mypage_domain::usecases::MyPageOverview;
use mypage_domain::values::jst;

use crate::app::App;
use crate::pages::employer::{LOGOUT, MYPAGE};
use crate::pages::job_offers::{
    JOB_OFFERS_PATH, START as NEW_JOB_OFFER, edit_path, occupation, path, status_text as offer_status_text,
};
use crate::pages::layout::{csrf, layout};
use crate::pages::summary;
use crate::problem::{Explain, Problem};

/// The account's care (R19).
pub(crate) const ACCOUNT_PATH: &str = "/mypage/account";
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
                    a href=(edit_path(offer.id())) { "入力を続ける" } }
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
        h2 { "事業所" }
        @match &overview.establishment {
            Some(e) => {
                table.summary {
                    tr { th scope="row" { "事業所名" } td { (e.name()) } }
                    tr { th scope="row" { "事業所番号" } td { strong { (e.number()) } } }
                    @if let Some(address) = e.details().address.as_ref().or(e.info().map(|i| &i.address)) {
                        tr { th scope="row" { "所在地" } td { (address) } }
                    }
                    tr {
                        th scope="row" { "管轄のハローワーク" }
                        td {
                            @match office {
                                Some(o) => {
                                    (o.name())
                                    @if let Some(phone) = o.phone() { br; "電話：" (phone) }
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
        h2 { "求人の申込み" }
        @if offers.is_empty() {
            p { "まだ求人を申し込んでいません。" }
        } @else {
            table.list {
                tr { th scope="col" { "職種" } th scope="col" { "状況" } th scope="col" { "申込み日時" } }
                @for offer in offers.iter().take(LATEST) {
                    tr {
                        td { a href=(path(offer.id())) { (occupation(offer)) } }
                        td { (offer_status_text(offer.status())) }
                        td { @match offer.submitted_at() { Some(at) => (jst(at)), None => "―" } }
                    }
                }
            }
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
        h2 { "アカウント" }
        table.summary {
            tr { th scope="row" { "メールアドレス" } td { (overview.account.email()) } }
            @if let Some(consent) = overview.account.consent() {
                tr { th scope="row" { "利用規約への同意" } td { (jst(consent.at)) } }
            }
        }
        ul {
            li { a href={(ACCOUNT_PATH) "/password"} { "パスワードの変更" } }
            li { a href={(ACCOUNT_PATH) "/email"} { "メールアドレスの変更" } }
            li { a href={(ACCOUNT_PATH) "/sessions"} { "ログイン中の端末の確認" } }
            li { a href={(ACCOUNT_PATH) "/close"} { "アカウントの削除（利用の停止）" } }
        }
    }
}

/// The home of an Active account.
pub(crate) async fn active_home(app: &App, token: &str, overview: &MyPageOverview) -> Result<Markup, Problem> {
    let account = overview.account.id();
    let offers = app.mypage.job_offers(account).await.map_err(Explain::explain)?;
    let offices = app.offices().await?;
    let office =
        overview.establishment.as_ref().and_then(|e| offices.iter().find(|o| *o.code() == e.number().office()));
    let body = html! {
        h1 { (MYPAGE) }
        p { "ログイン中：" (overview.account.email()) }
        h2 { "次に行うこと" }
        (next_steps(&offers))
        (job_offers_section(token, &offers))
        (establishment_section(overview, office))
        (account_section(overview))
        // The provisional registration that opened the account (cases B and C) stays readable.
        @if let Some(r) = overview.registration.as_ref().filter(|r| r.submitted_at().is_some()) {
            details {
                summary { "本登録までの経過と登録した内容" }
                (summary::timeline(r, "本登録済み"))
                (summary::registration(r, &offices, false))
            }
        }
        form method="post" action="/logout" { (csrf(token)) div.actions { button.secondary type="submit" { (LOGOUT) } } }
    };
    Ok(layout(MYPAGE, &app.config.help_desk, body))
}
