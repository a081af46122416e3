//! Job offers after opening (R20) in storage, on memory, SQLite and PostgreSQL: the rule of one open registration
//! per account holds for opening registrations only, a registration's kind comes back as it was stored, and a
//! discarded draft is removed only from a current copy.

use chrono::{DateTime, Duration, TimeZone, Utc};
use mypage_domain::model::{
    Account, AccountId, ApplicationHistory, Establishment, EstablishmentId, Office, ProvisionalRegistration,
    RegistrationId, RegistrationKind,
};
use mypage_domain::ports::{RepositoryError, Unique};
use mypage_domain::values::{EmailAddress, EstablishmentNumber, JobOffer, OfficeCode};
use mypage_testkit::fixtures;

use crate::harness::Stores;

on_every_store!(
    r20_one_open_opening_registration_per_account_but_several_open_job_offers,
    r20_a_job_offer_comes_back_with_its_kind_and_a_registration_with_its_own,
    r20_a_discarded_draft_is_removed_only_from_a_current_copy,
);

const NUMBER: &str = "1301-123451-7";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 5, 1, 0, 0).unwrap()
}

fn id(n: u8) -> [u8; 16] {
    [n; 16]
}

fn number() -> EstablishmentNumber {
    EstablishmentNumber::parse(NUMBER).unwrap()
}

/// An office, an establishment and an account acting for it.
async fn seed(s: &Stores) -> Account {
    let mut tx = s.uow.begin().await.unwrap();
    tx.offices()
        .insert(&Office::new(OfficeCode::parse("1301").unwrap(), "ハローワーク飯田橋".into(), None))
        .await
        .unwrap();
    let e = Establishment::imported(EstablishmentId::from_bytes(id(1)), number(), "事業所1".into(), t0());
    tx.establishments().insert(&e).await.unwrap();
    let email = EmailAddress::parse("a@example.jp").unwrap();
    let a = Account::registered_at_counter(AccountId::from_bytes(id(1)), email, e.id(), t0());
    tx.accounts().insert(&a).await.unwrap();
    tx.commit().await.unwrap();
    a
}

fn opening(n: u8, account: AccountId, at: DateTime<Utc>) -> ProvisionalRegistration {
    let history = ApplicationHistory::PastApplicant { number: number() };
    ProvisionalRegistration::draft(RegistrationId::from_bytes(id(n)), account, history, at)
}

fn job_offer(n: u8, account: AccountId, at: DateTime<Utc>) -> ProvisionalRegistration {
    ProvisionalRegistration::job_offer_draft(RegistrationId::from_bytes(id(n)), account, number(), at)
}

async fn r20_one_open_opening_registration_per_account_but_several_open_job_offers(s: Stores) {
    let a = seed(&s).await;
    let mut tx = s.uow.begin().await.unwrap();
    tx.registrations().insert(&opening(10, a.id(), t0())).await.unwrap();
    let mut first = job_offer(11, a.id(), t0() + Duration::seconds(1));
    tx.registrations().insert(&first).await.unwrap();
    tx.registrations().insert(&job_offer(12, a.id(), t0() + Duration::seconds(2))).await.unwrap();
    tx.commit().await.unwrap();

    // A job offer submitted stays open beside the others, and beside the opening registration.
    let mut tx = s.uow.begin().await.unwrap();
    first.save_job_offer(JobOffer::parse(&fixtures::job_offer()).unwrap(), t0()).unwrap();
    first.submit(t0() + Duration::seconds(3)).unwrap();
    tx.registrations().update(&first).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = s.uow.begin().await.unwrap();
    let err = tx.registrations().insert(&opening(13, a.id(), t0() + Duration::seconds(4))).await.unwrap_err();
    assert!(matches!(err, RepositoryError::Duplicate(Unique::OpenRegistration)), "{err:?}");
    drop(tx);

    let mut tx = s.uow.begin().await.unwrap();
    let kinds: Vec<(RegistrationId, RegistrationKind)> =
        tx.registrations().for_account(a.id()).await.unwrap().iter().map(|r| (r.id(), r.kind())).collect();
    assert_eq!(
        kinds,
        vec![
            (RegistrationId::from_bytes(id(12)), RegistrationKind::JobOffer),
            (RegistrationId::from_bytes(id(11)), RegistrationKind::JobOffer),
            (RegistrationId::from_bytes(id(10)), RegistrationKind::Opening),
        ]
    );
    let queue = tx.registrations().pending_for_office(&OfficeCode::parse("1301").unwrap()).await.unwrap();
    assert_eq!(queue.iter().map(ProvisionalRegistration::id).collect::<Vec<_>>(), vec![first.id()]);
}

async fn r20_a_job_offer_comes_back_with_its_kind_and_a_registration_with_its_own(s: Stores) {
    let a = seed(&s).await;
    let mut offer = job_offer(20, a.id(), t0());
    offer.save_job_offer(JobOffer::parse(&fixtures::job_offer()).unwrap(), t0()).unwrap();
    let registration = opening(21, a.id(), t0());
    let mut tx = s.uow.begin().await.unwrap();
    tx.registrations().insert(&offer).await.unwrap();
    tx.registrations().insert(&registration).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.uow.begin_read().await.unwrap();
    let back = tx.registrations().get(offer.id()).await.unwrap().unwrap();
    assert_eq!((back.kind(), &back), (RegistrationKind::JobOffer, &offer));
    let back = tx.registrations().get(registration.id()).await.unwrap().unwrap();
    assert_eq!((back.kind(), &back), (RegistrationKind::Opening, &registration));
}

async fn r20_a_discarded_draft_is_removed_only_from_a_current_copy(s: Stores) {
    let a = seed(&s).await;
    let mut offer = job_offer(30, a.id(), t0());
    let mut tx = s.uow.begin().await.unwrap();
    tx.registrations().insert(&offer).await.unwrap();
    tx.commit().await.unwrap();
    let stale = offer.clone();
    let mut tx = s.uow.begin().await.unwrap();
    offer.save_job_offer(JobOffer::parse(&fixtures::job_offer()).unwrap(), t0()).unwrap();
    tx.registrations().update(&offer).await.unwrap();
    offer.mark_saved();
    let err = tx.registrations().remove(&stale).await.unwrap_err();
    assert!(matches!(err, RepositoryError::Conflict), "{err:?}");
    tx.registrations().remove(&offer).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.uow.begin_read().await.unwrap();
    assert!(tx.registrations().get(offer.id()).await.unwrap().is_none());
}
