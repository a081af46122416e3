//! The account's care (R19) through the real use cases on SQLite and PostgreSQL: a closed account frees its address
//! for a new sign-up, and an address taken while its key was in the mail ends the change cleanly, nothing written.

use std::sync::Arc;

use chrono::Duration;
use mypage_db::Database;
use mypage_domain::model::{AccountId, AccountStatus, ClientInfo, FlowPurpose, MailTemplate};
use mypage_domain::ports::{Clock, MailQueue, UnitOfWork};
use mypage_domain::usecases::{AdminActor, ConfirmEmailChangeError, KeyRequest, LoginError, PasswordEntry};
use mypage_domain::values::{ConsentInput, EmailAddress, TermsKind};
use mypage_domain::{DomainConfig, MyPage, Ports};
use mypage_testkit::{DeterministicKeys, FakeSecondFactor, FastHasher, ManualClock, PlainDigest, TEST_PASSWORD};
use secrecy::{ExposeSecret, SecretString};

/// Runs each test on both databases (`care_flows::sqlite::…`).
macro_rules! on_both_databases {
    ($($test:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $test() {
                let fresh = crate::harness::sqlite().await;
                super::$test(fresh.db.clone()).await;
                fresh.finish().await;
            })+
        }
        mod postgres {
            $(#[tokio::test]
            async fn $test() {
                match crate::harness::postgres().await {
                    Ok(fresh) => {
                        super::$test(fresh.db.clone()).await;
                        fresh.finish().await;
                    }
                    Err(why) => crate::harness::skip(&why),
                }
            })+
        }
    };
}

on_both_databases!(
    a_closed_accounts_address_signs_up_again_and_the_closed_one_stays_closed,
    an_address_taken_while_its_key_was_in_the_mail_ends_the_change_with_nothing_written,
);

struct World {
    mypage: MyPage,
    db: Database,
    clock: ManualClock,
    consent: ConsentInput,
}

async fn world(db: Database) -> World {
    let clock = ManualClock::monday_morning();
    let ports = Ports {
        store: Arc::new(db.clone()),
        clock: Arc::new(clock.clone()),
        keys: Arc::new(DeterministicKeys::new(7)),
        digest: Arc::new(PlainDigest),
        hasher: Arc::new(FastHasher::new()),
        numbers: Arc::new(db.clone()),
        outbox: Arc::new(db.clone()),
        sessions: Arc::new(db.clone()),
        second_factor: Arc::new(FakeSecondFactor::default()),
    };
    let mypage = MyPage::new(ports, DomainConfig::default());
    for kind in TermsKind::ALL {
        mypage.publish_terms(AdminActor::System, kind, "本文", &ClientInfo::system()).await.unwrap();
    }
    let terms = mypage.current_terms().await.unwrap().unwrap();
    let consent = ConsentInput {
        privacy_policy_agreed: true,
        mypage_terms_agreed: true,
        privacy_policy_version: terms.privacy_policy.version,
        mypage_terms_version: terms.mypage_terms.version,
    };
    World { mypage, db, clock, consent }
}

impl World {
    /// The key of the newest mail to `email`, read from the outbox as the dispatcher would.
    async fn key(&self, email: &str) -> String {
        let now = self.clock.now();
        let claimed = self.db.claim(now, 100, now + Duration::minutes(1)).await.unwrap();
        claimed
            .iter()
            .rev()
            .find_map(|c| match &c.mail.template {
                MailTemplate::AuthKey { key, .. } if c.mail.to.as_str() == email => {
                    Some(key.expose_secret().to_owned())
                }
                _ => None,
            })
            .expect("a key mail")
    }

    async fn sign_up(&self, email: &str) -> AccountId {
        let request = KeyRequest { purpose: FlowPurpose::SignUp, email: email.into(), consent: Some(self.consent) };
        let token = self.mypage.request_auth_key(&request, &ClientInfo::system()).await.unwrap().flow_token;
        let entry = PasswordEntry {
            flow_token: token,
            auth_key: SecretString::from(self.key(email).await),
            password: SecretString::from(TEST_PASSWORD),
            confirmation: SecretString::from(TEST_PASSWORD),
        };
        self.mypage.register_password(&entry, &ClientInfo::system()).await.unwrap().account
    }

    async fn account_with(&self, email: &str) -> Option<AccountId> {
        let mut tx = self.db.begin_read().await.unwrap();
        tx.accounts().by_email(&EmailAddress::parse(email).unwrap()).await.unwrap().map(|a| a.id())
    }
}

fn pw() -> SecretString {
    SecretString::from(TEST_PASSWORD)
}

/// R12, R19: closing frees the address on the database's partial unique index; the closed row stays.
pub(crate) async fn a_closed_accounts_address_signs_up_again_and_the_closed_one_stays_closed(db: Database) {
    let w = world(db).await;
    let sys = ClientInfo::system();
    let closed = w.sign_up("again@example.jp").await;
    w.mypage.close_account(closed, &pw(), &sys).await.unwrap();
    assert_eq!(w.account_with("again@example.jp").await, None);
    let login = w.mypage.login("again@example.jp", &pw(), &sys).await;
    assert!(matches!(login, Err(LoginError::InvalidCredentials)), "{login:?}");
    let reopened = w.sign_up("again@example.jp").await;
    assert_ne!(reopened, closed);
    assert_eq!(w.account_with("again@example.jp").await, Some(reopened));
    let mut tx = w.db.begin_read().await.unwrap();
    assert_eq!(tx.accounts().get(closed).await.unwrap().unwrap().status(), AccountStatus::Closed);
}

/// R12, R19: the unique rule holds when the change is confirmed: a clear error, and the account, the flow's mails
/// and the audit trail are as they were.
pub(crate) async fn an_address_taken_while_its_key_was_in_the_mail_ends_the_change_with_nothing_written(db: Database) {
    let w = world(db).await;
    let sys = ClientInfo::system();
    let account = w.sign_up("mover@example.jp").await;
    let token = w.mypage.request_email_change(account, &pw(), "wanted@example.jp", &sys).await.unwrap().flow_token;
    let key = w.key("wanted@example.jp").await;
    let taker = w.sign_up("wanted@example.jp").await;
    let raced = w.mypage.confirm_email_change(account, &token, &SecretString::from(key.clone()), &sys).await;
    assert!(matches!(raced, Err(ConfirmEmailChangeError::EmailTaken)), "{raced:?}");
    assert_eq!(w.account_with("mover@example.jp").await, Some(account), "the account keeps its address");
    assert_eq!(w.account_with("wanted@example.jp").await, Some(taker));
    let again = w.mypage.confirm_email_change(account, &token, &SecretString::from(key), &sys).await;
    assert!(matches!(again, Err(ConfirmEmailChangeError::EmailTaken)), "the flow was not spent either: {again:?}");
}
