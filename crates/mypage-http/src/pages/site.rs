//! The pages the footer links to, as on the seed's site: サイトポリシー, プライバシーポリシー and 利用規約 (the texts
//! in force, as the terms page shows them for consent, R1), よくあるご質問; お問い合わせ先 is the help page.

use maud::{Markup, html};
use mypage_domain::values::TermsDocument;
use poem::handler;
use poem::web::Data;

use crate::app::App;
use crate::pages::layout::{FAQ, PRIVACY, SITE_POLICY, TERMS, layout, multiline};
use crate::problem::Problem;

/// A document in force, with its version; or a line saying that none is published yet.
fn document(title: &str, doc: Option<&TermsDocument>) -> Markup {
    html! {
        h1 { (title) }
        @match doc {
            Some(doc) => {
                p.hint { (format!("第{}版", doc.version.0)) }
                p { (multiline(&doc.body)) }
            }
            None => { p { "現在、公開している文書はありません。" } }
        }
    }
}

/// プライバシーポリシー in force.
#[handler]
pub(crate) async fn privacy(Data(app): Data<&App>) -> poem::Result<Markup> {
    let current = app.mypage.current_terms().await.map_err(|e| Problem::unavailable(&e))?;
    let body = document(PRIVACY, current.as_ref().map(|t| &t.privacy_policy));
    Ok(layout(PRIVACY, &app.config.help_desk, body))
}

/// 利用規約: the My Page terms in force.
#[handler]
pub(crate) async fn terms(Data(app): Data<&App>) -> poem::Result<Markup> {
    let current = app.mypage.current_terms().await.map_err(|e| Problem::unavailable(&e))?;
    let body = document(TERMS, current.as_ref().map(|t| &t.mypage_terms));
    Ok(layout(TERMS, &app.config.help_desk, body))
}

/// サイトポリシー: how the site may be used.
#[handler]
pub(crate) fn site_policy(Data(app): Data<&App>) -> Markup {
    let body = html! {
        h1 { (SITE_POLICY) }
        h2 { "このサイトについて" }
        p { "このサイトは、ハローワークに求人を申し込む事業所の方が、求人者マイページの開設、事業所情報・求人情報の仮登録を行うためのサイトです。" }
        h2 { "推奨する環境" }
        p { "最新の主要なブラウザーでご利用ください。JavaScript を無効にしている場合も、すべての手続きを行えます。" }
        h2 { "Cookie について" }
        p { "ログインの状態を保つため、Cookie を使用しています。Cookie を無効にしている場合は、手続きを続けられません。" }
        h2 { "リンクについて" }
        p { "このサイトへのリンクは自由に設定していただけます。" }
    };
    layout(SITE_POLICY, &app.config.help_desk, body)
}

/// よくあるご質問, from what the seeds tell employers.
#[handler]
pub(crate) fn faq(Data(app): Data<&App>) -> Markup {
    let body = html! {
        h1 { (FAQ) }
        h2 { "認証キーを記載したメールが届きません" }
        p {
            "入力したメールアドレスが正しいか、メールの受信制限の設定をご確認ください。受信制限をされている方は、"
            strong { (app.config.system_address) }
            "からのメールを受信できるよう設定し、はじめから手続きをやり直してください。"
        }
        h2 { "認証キーの有効期限が過ぎてしまいました" }
        p { "認証キーはメールに記載された有効期限まで使用できます。期限が過ぎた場合は、はじめから手続きをやり直してください。" }
        h2 { "パスワードに全角文字は使えますか" }
        p { "使えません。半角入力に切り替えて、パスワード登録画面に表示される条件どおりに入力してください。" }
        h2 { "事業所番号がわかりません" }
        p { "事業所番号や、過去にハローワークに求人を出したことがあるかわからない場合は、管轄のハローワークへお問い合わせください。" }
        h2 { "仮登録の後はどうなりますか" }
        p { "ハローワークで内容を確認し、本登録を行います。初めてハローワークに求人を申し込む場合は、管轄のハローワークの窓口または電話で本登録の手続きを行ってください。" }
    };
    layout(FAQ, &app.config.help_desk, body)
}
