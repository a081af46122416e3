//! Walks cases A, B and C of the spec through the domain's use cases in the terminal, with the real
//! credentials adapters (argon2id, ChaCha20 keys, HMAC-SHA-256 digests) over the in-memory store.
//! A composition root like the server app to come: the only kind of crate that may depend on several adapters.
//!
//! `cargo run -p mypage-walkthrough`
#![expect(clippy::print_stdout, reason = "a terminal walkthrough prints")]

use std::error::Error;
use std::sync::Arc;

use chrono::FixedOffset;
use mypage_credentials::{Argon2Config, Argon2Hasher, ChaChaKeyGenerator, HmacKeyDigest, TotpSecondFactor};
use mypage_domain::model::{ClientInfo, FlowPurpose, MailTemplate};
use mypage_domain::usecases::{
    AdminActor, CounterRegistration, HistoryInput, KeyRequest, NewOffice, NewStaffMember, PasswordEntry,
};
use mypage_domain::values::{ConsentInput, StaffRole, TermsKind};
use mypage_domain::{DomainConfig, MyPage, Ports};
use mypage_testkit::{ManualClock, MemoryStore, SequentialNumbers, fixtures};
use secrecy::{ExposeSecret, SecretString};

const PASSWORD: &str = "Kyujin#Madoguchi2026";

/// A time as the mail prints it, in Japan Standard Time.
fn jst(t: chrono::DateTime<chrono::Utc>) -> String {
    match FixedOffset::east_opt(9 * 3600) {
        Some(tokyo) => t.with_timezone(&tokyo).format("%Y年%m月%d日 %H時%M分").to_string(),
        None => t.to_string(),
    }
}

/// Prints the newest mail to `to` and returns its key, if it carries one.
async fn show_mail(store: &MemoryStore, to: &str) -> Option<String> {
    store
        .read_outbox(|mails| {
            let mail = mails.iter().rev().find(|m| m.mail.to.as_str() == to)?;
            println!("    ✉ to {} — {}", mail.mail.to.masked(), mail.code());
            match &mail.mail.template {
                MailTemplate::AuthKey { key, expires_at, .. } => {
                    println!("      認証キー: {}（{}まで有効）", key.expose_secret(), jst(*expires_at));
                    Some(key.expose_secret().to_owned())
                }
                MailTemplate::RegistrationConfirmed { number, establishment_name } => {
                    println!("      {establishment_name} 様　事業所番号: {number}");
                    None
                }
                _ => None,
            }
        })
        .await
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let store = MemoryStore::new();
    let mut secret = [0u8; 32];
    secret.copy_from_slice(b"walkthrough-server-secret-32byte");
    let ports = Ports {
        store: Arc::new(store.clone()),
        clock: Arc::new(ManualClock::monday_morning()),
        keys: Arc::new(ChaChaKeyGenerator::from_os()?),
        digest: Arc::new(HmacKeyDigest::new(&secret)?),
        hasher: Arc::new(Argon2Hasher::new(Argon2Config::default())?),
        numbers: Arc::new(SequentialNumbers::default()),
        outbox: Arc::new(store.clone()),
        sessions: Arc::new(store.clone()),
        second_factor: Arc::new(TotpSecondFactor::new("求人者マイページ")?),
    };
    let m = MyPage::new(ports, DomainConfig::default());
    let sys = ClientInfo::system();
    let client = ClientInfo::from_ip("192.0.2.10".parse()?);

    println!("Set-up: terms, office 1301 (ハローワーク飯田橋), an establishment, two staff members");
    for kind in TermsKind::ALL {
        m.publish_terms(AdminActor::System, kind, "（本文）", &sys).await?;
    }
    let office =
        NewOffice {
            code: "1301".into(), name: "ハローワーク飯田橋".into(), phone: Some("03-3812-8609".into())
        };
    m.add_office(AdminActor::System, &office, &sys).await?;
    m.import_establishment(AdminActor::System, "1301-123456-7", "株式会社ハローテスト", &sys).await?;
    let staff = |login: &str, role| NewStaffMember {
        office: "1301".into(),
        login: login.into(),
        name: "飯田橋 職員".into(),
        roles: vec![role],
        password: SecretString::from(PASSWORD),
    };
    let counter = m.add_staff(AdminActor::System, &staff("counter", StaffRole::Counter), &sys).await?;
    let reviewer = m.add_staff(AdminActor::System, &staff("reviewer", StaffRole::Reviewer), &sys).await?;
    let terms = m.current_terms().await?.ok_or("terms were just published")?;
    let consent = ConsentInput {
        privacy_policy_agreed: true,
        mypage_terms_agreed: true,
        privacy_policy_version: terms.privacy_policy.version,
        mypage_terms_version: terms.mypage_terms.version,
    };

    // Opens an account through a flow and returns it.
    let open = |purpose: FlowPurpose, email: &'static str| {
        let (m, store, client) = (m.clone(), store.clone(), client.clone());
        async move {
            let request = KeyRequest { purpose, email: email.into(), consent: Some(consent) };
            let requested = m.request_auth_key(&request, &client).await?;
            println!("  メールアドレスの入力 → 「パスワード登録申込受付通知」 sent");
            let key = show_mail(&store, email).await.ok_or("no key mail")?;
            let entry = PasswordEntry {
                flow_token: requested.flow_token,
                auth_key: SecretString::from(key.to_lowercase()),
                password: SecretString::from(PASSWORD),
                confirmation: SecretString::from(PASSWORD),
            };
            let done = m.register_password(&entry, &client).await?;
            println!("  パスワード登録 → パスワード登録完了: account is {}", done.status.code());
            Ok::<_, Box<dyn Error>>(done.account)
        }
    };

    println!("\nCase A — e-mail registered at the counter, then the password online");
    let registration =
        CounterRegistration { email: "saiyou@example.jp".into(), establishment_number: "1301-123456-7".into() };
    m.register_email_at_counter(counter, &registration, &sys).await?;
    println!("  窓口: saiyou@example.jp registered for 1301-123456-7");
    open(FlowPurpose::OpenMyPage, "saiyou@example.jp").await?;
    m.login("saiyou@example.jp", &SecretString::from(PASSWORD), &client).await?;
    println!("  ログイン: ok");

    println!("\nCase B — existing employer, all online, with its establishment number");
    let b = open(FlowPurpose::SignUp, "tanaka@example.co.jp").await?;
    let history =
        HistoryInput::PastApplicant { establishment_number: "１３０１－１２３４５６－７".into() };
    let id = m.declare_history(b, &history, &client).await?;
    m.save_job_offer(b, &fixtures::job_offer(), &client).await?;
    m.submit_registration(b, &client).await?;
    println!("  仮登録 submitted; queue of 1301 holds {}", m.review_queue(reviewer).await?.len());
    m.confirm_registration(reviewer, id, &sys).await?;
    show_mail(&store, "tanaka@example.co.jp").await;
    println!("  本登録: account is {}", m.overview(b).await?.account.status().code());

    println!("\nCase C — new employer: establishment information and job offer, then a new number");
    let c = open(FlowPurpose::SignUp, "hajimete@example.jp").await?;
    let id = m.declare_history(c, &HistoryInput::FirstTime { office: "1301".into() }, &client).await?;
    m.save_establishment_info(c, &fixtures::establishment_info(), &client).await?;
    m.save_job_offer(c, &fixtures::job_offer(), &client).await?;
    m.submit_registration(c, &client).await?;
    let number = m.confirm_registration(reviewer, id, &sys).await?;
    show_mail(&store, "hajimete@example.jp").await;
    println!(
        "  本登録: new establishment number {number}; account is {}",
        m.overview(c).await?.account.status().code()
    );

    let events = store.read(|t| t.audit().len()).await;
    let mails = store.mail_count().await;
    println!("\nAudit events recorded: {events}; mails queued in the outbox: {mails}");
    Ok(())
}
