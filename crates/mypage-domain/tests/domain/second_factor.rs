//! The staff's second factor (R21): enrolment, login with a code or a recovery code, replays and wrong codes
//! refused and throttled like passwords, and an admin's reset.

use chrono::Duration;
use mypage_domain::DomainConfig;
use mypage_domain::model::{AuditAction, StaffId};
use mypage_domain::usecases::{
    EnrolmentError, RECOVERY_CODES, SecondFactorProof, StaffAccessError, StaffLoggedIn, StaffLoginError,
};
use mypage_testkit::{FakeSecondFactor, TEST_PASSWORD};
use secrecy::ExposeSecret;

use crate::{World, client, secret, world, world_with};

const REVIEWER: &str = "iidabashi.reviewer";

async fn login(w: &World, code: Option<&str>) -> Result<StaffLoggedIn, StaffLoginError> {
    let proof = code.map(|c| SecondFactorProof::Code(c.to_owned()));
    w.kit.mypage.staff_login_with(REVIEWER, &secret(TEST_PASSWORD), proof.as_ref(), &client()).await
}

/// Enrols `member`; returns the secret's text and the recovery codes.
async fn enrol(w: &World, member: StaffId) -> (String, Vec<String>) {
    let enrolment = w.kit.mypage.begin_second_factor_enrolment(member).await.unwrap();
    let text = enrolment.provisioning.secret_text.expose_secret().to_owned();
    let code = FakeSecondFactor::code(&text, w.kit.clock.now());
    let done = w.kit.mypage.confirm_second_factor_enrolment(member, &code, &client()).await.unwrap();
    (text, done.codes.iter().map(|c| c.expose_secret().to_owned()).collect())
}

async fn actions(w: &World) -> Vec<AuditAction> {
    w.kit.store.read(|t| t.audit().iter().map(|e| e.action).collect()).await
}

trait Now {
    fn now(&self) -> chrono::DateTime<chrono::Utc>;
}

impl Now for mypage_testkit::ManualClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        mypage_domain::ports::Clock::now(self)
    }
}

#[tokio::test]
async fn r21_a_reviewer_without_a_second_factor_logs_in_only_into_enrolment() {
    let w = world().await;
    let logged_in = login(&w, None).await.unwrap();
    assert!(logged_in.must_enrol);
    let counter = w.kit.mypage.staff_login("iidabashi.counter", &secret(TEST_PASSWORD), &client()).await.unwrap();
    assert!(!counter.must_enrol, "the counter role needs no second factor by default");
}

#[tokio::test]
async fn r21_enrolment_is_confirmed_by_a_first_code_and_gives_ten_recovery_codes_once() {
    let w = world().await;
    let enrolment = w.kit.mypage.begin_second_factor_enrolment(w.reviewer).await.unwrap();
    let text = enrolment.provisioning.secret_text.expose_secret().to_owned();
    assert!(enrolment.provisioning.uri.expose_secret().contains(REVIEWER));
    let wrong = w.kit.mypage.confirm_second_factor_enrolment(w.reviewer, "000000", &client()).await;
    assert!(matches!(wrong, Err(EnrolmentError::WrongCode)));
    let code = FakeSecondFactor::code(&text, w.kit.clock.now());
    let done = w.kit.mypage.confirm_second_factor_enrolment(w.reviewer, &code, &client()).await.unwrap();
    assert_eq!(done.codes.len(), RECOVERY_CODES);
    assert_eq!(done.member.staff, w.reviewer);
    assert!(actions(&w).await.contains(&AuditAction::SecondFactorEnrolled));
    let again = w.kit.mypage.begin_second_factor_enrolment(w.reviewer).await;
    assert!(matches!(again, Err(EnrolmentError::AlreadyEnrolled)));
    assert!(!login(&w, None).await.is_ok_and(|l| l.must_enrol), "enrolled: no more enrolment");
}

#[tokio::test]
async fn r21_an_enrolled_reviewer_needs_a_code_besides_the_password() {
    let w = world().await;
    let (text, _) = enrol(&w, w.reviewer).await;
    w.kit.clock.advance(Duration::seconds(30));
    assert!(
        matches!(login(&w, None).await, Err(StaffLoginError::SecondFactorRequired { staff }) if staff == w.reviewer)
    );
    let code = FakeSecondFactor::code(&text, w.kit.clock.now());
    let logged_in = login(&w, Some(&code)).await.unwrap();
    assert_eq!((logged_in.staff, logged_in.must_enrol), (w.reviewer, false));
    assert!(actions(&w).await.contains(&AuditAction::SecondFactorUsed));
}

#[tokio::test]
async fn r21_the_second_step_takes_the_code_for_the_member_whose_password_was_right() {
    let w = world().await;
    let (text, _) = enrol(&w, w.reviewer).await;
    w.kit.clock.advance(Duration::seconds(30));
    let Err(StaffLoginError::SecondFactorRequired { staff }) = login(&w, None).await else { panic!("no second step") };
    let code = FakeSecondFactor::code(&text, w.kit.clock.now());
    let proof = SecondFactorProof::Code(code);
    assert_eq!(w.kit.mypage.staff_second_factor(staff, &proof, &client()).await.unwrap().staff, w.reviewer);
}

#[tokio::test]
async fn r21_a_code_already_used_is_refused_as_a_replay() {
    let w = world().await;
    let (text, _) = enrol(&w, w.reviewer).await;
    w.kit.clock.advance(Duration::seconds(30));
    let code = FakeSecondFactor::code(&text, w.kit.clock.now());
    login(&w, Some(&code)).await.unwrap();
    assert!(matches!(login(&w, Some(&code)).await, Err(StaffLoginError::WrongSecondFactor)));
    let enrolment_code = FakeSecondFactor::code_at_step(&text, FakeSecondFactor::step_of(w.kit.clock.now()) - 1);
    assert!(
        matches!(login(&w, Some(&enrolment_code)).await, Err(StaffLoginError::WrongSecondFactor)),
        "an earlier step than the last used is refused too"
    );
    assert!(actions(&w).await.contains(&AuditAction::SecondFactorFailed));
}

#[tokio::test]
async fn r21_wrong_codes_are_throttled_like_wrong_passwords() {
    let w = world().await;
    let (text, _) = enrol(&w, w.reviewer).await;
    w.kit.clock.advance(Duration::seconds(30));
    let limit = DomainConfig::default().login_failures_per_account;
    for _ in 0..limit {
        assert!(matches!(login(&w, Some("000000")).await, Err(StaffLoginError::WrongSecondFactor)));
    }
    let right = FakeSecondFactor::code(&text, w.kit.clock.now());
    assert!(matches!(login(&w, Some(&right)).await, Err(StaffLoginError::Throttled { .. })));
}

#[tokio::test]
async fn r21_a_recovery_code_works_once() {
    let w = world().await;
    let (_, codes) = enrol(&w, w.reviewer).await;
    let typed = codes[3].to_lowercase().replace('-', " ");
    let proof = SecondFactorProof::RecoveryCode(secret(&typed));
    let password = secret(TEST_PASSWORD);
    let first = w.kit.mypage.staff_login_with(REVIEWER, &password, Some(&proof), &client()).await;
    assert_eq!(first.unwrap().staff, w.reviewer);
    let again = w.kit.mypage.staff_login_with(REVIEWER, &password, Some(&proof), &client()).await;
    assert!(matches!(again, Err(StaffLoginError::WrongSecondFactor)));
    assert!(actions(&w).await.contains(&AuditAction::RecoveryCodeUsed));
}

#[tokio::test]
async fn r21_an_admin_resets_a_second_factor_and_the_member_enrols_again() {
    let w = world().await;
    enrol(&w, w.reviewer).await;
    let outside = w.kit.mypage.reset_second_factor(w.office_admin, w.osaka_reviewer, &client()).await;
    assert!(matches!(outside, Err(StaffAccessError::OutsideOffice)), "an office admin resets its own office only");
    let not_admin = w.kit.mypage.reset_second_factor(w.counter, w.reviewer, &client()).await;
    assert!(matches!(not_admin, Err(StaffAccessError::NotPermitted)));
    w.kit.mypage.reset_second_factor(w.office_admin, w.reviewer, &client()).await.unwrap();
    assert!(actions(&w).await.contains(&AuditAction::SecondFactorReset));
    assert!(login(&w, None).await.unwrap().must_enrol);
    enrol(&w, w.reviewer).await;
}

#[tokio::test]
async fn r21_the_setting_names_the_roles_that_need_a_second_factor() {
    let config = DomainConfig { staff_second_factor: Vec::new(), ..DomainConfig::default() };
    let w = world_with(config).await;
    assert!(!login(&w, None).await.unwrap().must_enrol);
}
