//! Administration: terms versions (R1), offices and staff (R14), establishments from the office's records. Only a
//! central admin (or the system) acts across offices; an office admin acts on its own office's staff (R14).

use mypage_domain::model::ClientInfo;
use mypage_domain::ports::Unique;
use mypage_domain::usecases::{
    AddOfficeError, AddStaffError, AdminActor, ImportEstablishmentError, NewOffice, NewStaffMember, PublishTermsError,
};
use mypage_domain::values::{EstablishmentNumberError, PasswordPolicyError, StaffRole, TermsKind, TermsVersion};
use mypage_testkit::{Fault, TEST_PASSWORD};

use crate::{EXISTING, client, secret, world};

fn staff(office: &str, login: &str, name: &str, roles: &[StaffRole], password: &str) -> NewStaffMember {
    NewStaffMember {
        office: office.into(),
        login: login.into(),
        name: name.into(),
        roles: roles.to_vec(),
        password: secret(password),
    }
}

#[tokio::test]
async fn r1_a_central_admin_publishes_new_versions_that_count_up() {
    let w = world().await;
    let m = &w.kit.mypage;
    let admin = AdminActor::Staff(w.admin);
    assert_eq!(m.publish_terms(admin, TermsKind::PrivacyPolicy, "第2版", &client()).await.unwrap(), TermsVersion(2));
    assert_eq!(m.publish_terms(admin, TermsKind::PrivacyPolicy, "第3版", &client()).await.unwrap(), TermsVersion(3));
    let current = m.current_terms().await.unwrap().unwrap();
    assert_eq!((current.privacy_policy.version, current.mypage_terms.version), (TermsVersion(3), TermsVersion(1)));
    assert_eq!(current.privacy_policy.body, "第3版");
}

#[tokio::test]
async fn r1_publishing_terms_is_refused_to_all_but_central_admins_to_empty_texts_and_concurrent_publishers() {
    let w = world().await;
    let m = &w.kit.mypage;
    for member in [w.reviewer, w.office_admin] {
        let err =
            m.publish_terms(AdminActor::Staff(member), TermsKind::MyPageTerms, "改定", &client()).await.unwrap_err();
        assert!(matches!(err, PublishTermsError::NotPermitted));
    }
    let err = m.publish_terms(AdminActor::System, TermsKind::MyPageTerms, "  \n ", &client()).await.unwrap_err();
    assert!(matches!(err, PublishTermsError::EmptyBody));
    w.kit.store.inject(Fault::Duplicate(Unique::TermsVersion));
    let err = m.publish_terms(AdminActor::System, TermsKind::MyPageTerms, "改定", &client()).await.unwrap_err();
    assert!(matches!(err, PublishTermsError::Concurrent));
    w.kit.store.fail_next_commits(1);
    let err = m.publish_terms(AdminActor::System, TermsKind::MyPageTerms, "改定", &client()).await.unwrap_err();
    assert!(matches!(err, PublishTermsError::Infrastructure(_)));
}

#[tokio::test]
async fn r14_offices_need_a_four_digit_code_a_name_and_a_central_admin() {
    let w = world().await;
    let m = &w.kit.mypage;
    let office = |code: &str, name: &str| NewOffice { code: code.into(), name: name.into(), phone: None };
    let sys = AdminActor::System;
    for member in [w.counter, w.office_admin] {
        assert!(matches!(
            m.add_office(AdminActor::Staff(member), &office("1302", "ハローワーク新宿"), &client()).await,
            Err(AddOfficeError::NotPermitted)
        ));
    }
    assert!(matches!(
        m.add_office(sys, &office("13", "ハローワーク新宿"), &client()).await,
        Err(AddOfficeError::InvalidCode)
    ));
    assert!(matches!(m.add_office(sys, &office("1302", " "), &client()).await, Err(AddOfficeError::InvalidName)));
    assert!(matches!(m.add_office(sys, &office("1301", "重複"), &client()).await, Err(AddOfficeError::Duplicate)));
    w.kit.store.fail_next_commits(1);
    assert!(matches!(
        m.add_office(sys, &office("1302", "ハローワーク新宿"), &client()).await,
        Err(AddOfficeError::Infrastructure(_))
    ));
    assert_eq!(
        m.add_office(AdminActor::Staff(w.admin), &office("１３０２", "ハローワーク新宿"), &client())
            .await
            .unwrap()
            .as_str(),
        "1302"
    );
}

#[tokio::test]
async fn r14_staff_members_are_added_to_an_existing_office_with_roles_and_a_password_under_the_rule() {
    let w = world().await;
    let m = &w.kit.mypage;
    let sys = AdminActor::System;
    let roles = [StaffRole::Reviewer];
    let ok = staff("1301", "new.reviewer", "新任 職員", &roles, TEST_PASSWORD);
    assert!(matches!(
        m.add_staff(AdminActor::Staff(w.reviewer), &ok, &client()).await,
        Err(AddStaffError::NotPermitted)
    ));
    assert!(matches!(
        m.add_staff(sys, &staff("9999", "x.y", "名前", &roles, TEST_PASSWORD), &client()).await,
        Err(AddStaffError::UnknownOffice)
    ));
    assert!(matches!(
        m.add_staff(sys, &staff("1301", "a b", "名前", &roles, TEST_PASSWORD), &client()).await,
        Err(AddStaffError::InvalidLogin)
    ));
    assert!(matches!(
        m.add_staff(sys, &staff("1301", "x.y", "", &roles, TEST_PASSWORD), &client()).await,
        Err(AddStaffError::InvalidName)
    ));
    assert!(matches!(
        m.add_staff(sys, &staff("1301", "x.y", "名前", &[], TEST_PASSWORD), &client()).await,
        Err(AddStaffError::NoRole)
    ));
    assert!(matches!(
        m.add_staff(sys, &staff("1301", "x.y", "名前", &roles, "Ax.y#20261"), &client()).await,
        Err(AddStaffError::Password(PasswordPolicyError::ContainsEmail))
    ));
    assert!(matches!(
        m.add_staff(sys, &staff("1301", "IIDABASHI.reviewer", "名前", &roles, TEST_PASSWORD), &client()).await,
        Err(AddStaffError::Duplicate)
    ));
    w.kit.store.fail_next_commits(1);
    assert!(matches!(m.add_staff(sys, &ok, &client()).await, Err(AddStaffError::Infrastructure(_))));
    let id = m.add_staff(AdminActor::Staff(w.admin), &ok, &client()).await.unwrap();
    let logged_in = m.staff_login("new.reviewer", &secret(TEST_PASSWORD), &ClientInfo::system()).await.unwrap();
    assert_eq!(logged_in.staff, id);
}

#[tokio::test]
async fn r14_an_office_admin_adds_its_offices_staff_but_no_central_admin_office_or_terms_a_central_admin_does() {
    use StaffRole::{CentralAdmin, OfficeAdmin, Reviewer};
    let w = world().await;
    let m = &w.kit.mypage;
    let office_admin = AdminActor::Staff(w.office_admin);
    let central = AdminActor::Staff(w.admin);
    let second = staff("1301", "iidabashi.second", "二人目 管理", &[OfficeAdmin, Reviewer], TEST_PASSWORD);
    m.add_staff(office_admin, &second, &client()).await.unwrap();
    let osaka_reviewer = staff("2701", "osaka.new", "大阪 新任", &[Reviewer], TEST_PASSWORD);
    let osaka_admin = staff("2701", "osaka.admin", "大阪 管理", &[OfficeAdmin], TEST_PASSWORD);
    let unknown_office = staff("9999", "nowhere.admin", "どこにもない", &[Reviewer], TEST_PASSWORD);
    for other in [&osaka_reviewer, &osaka_admin, &unknown_office] {
        assert!(matches!(m.add_staff(office_admin, other, &client()).await, Err(AddStaffError::OutsideOffice)));
    }
    let raised = staff("1301", "iidabashi.central", "昇格 希望", &[Reviewer, CentralAdmin], TEST_PASSWORD);
    assert!(matches!(m.add_staff(office_admin, &raised, &client()).await, Err(AddStaffError::NotPermitted)));
    let office = NewOffice { code: "1302".into(), name: "ハローワーク新宿".into(), phone: None };
    assert!(matches!(m.add_office(office_admin, &office, &client()).await, Err(AddOfficeError::NotPermitted)));
    assert!(matches!(
        m.publish_terms(office_admin, TermsKind::MyPageTerms, "改定", &client()).await,
        Err(PublishTermsError::NotPermitted)
    ));
    let logins: Vec<String> = m.staff_list(w.admin).await.unwrap().into_iter().map(|s| s.login).collect();
    assert!(logins.contains(&"iidabashi.second".to_owned()));
    let refused = ["osaka.new", "osaka.admin", "nowhere.admin", "iidabashi.central"];
    assert!(!logins.iter().any(|l| refused.contains(&l.as_str())), "nothing refused was added: {logins:?}");

    m.add_staff(central, &osaka_reviewer, &client()).await.unwrap();
    m.add_staff(central, &osaka_admin, &client()).await.unwrap();
    m.add_staff(central, &raised, &client()).await.unwrap();
    assert!(matches!(m.add_staff(central, &unknown_office, &client()).await, Err(AddStaffError::UnknownOffice)));
    assert_eq!(m.add_office(central, &office, &client()).await.unwrap().as_str(), "1302");
    assert_eq!(m.publish_terms(central, TermsKind::MyPageTerms, "改定", &client()).await.unwrap(), TermsVersion(2));
}

#[tokio::test]
async fn r14_establishments_are_entered_by_counter_staff_or_an_office_admin_of_their_office_or_a_central_admin() {
    let w = world().await;
    let m = &w.kit.mypage;
    let counter = AdminActor::Staff(w.counter);
    let office_admin = AdminActor::Staff(w.office_admin);
    assert!(m.import_establishment(counter, "1301-000100-5", "有限会社テスト", &client()).await.is_ok());
    assert!(m.import_establishment(office_admin, "1301-000600-5", "管理者の登録", &client()).await.is_ok());
    assert!(m.import_establishment(AdminActor::Staff(w.admin), "2701-000100-5", "テスト大阪", &client()).await.is_ok());
    for outside in [counter, office_admin] {
        let err = m.import_establishment(outside, "2701-000200-5", "他所の事業所", &client()).await.unwrap_err();
        assert!(matches!(err, ImportEstablishmentError::NotPermitted));
    }
    let err = m
        .import_establishment(AdminActor::Staff(w.reviewer), "1301-000300-5", "審査担当", &client())
        .await
        .unwrap_err();
    assert!(matches!(err, ImportEstablishmentError::NotPermitted));
    let err = m.import_establishment(counter, "1301-0001", "短い", &client()).await.unwrap_err();
    assert!(matches!(err, ImportEstablishmentError::InvalidNumber(EstablishmentNumberError::WrongLength(8))));
    let err = m.import_establishment(counter, "1301-000400-5", "", &client()).await.unwrap_err();
    assert!(matches!(err, ImportEstablishmentError::InvalidName));
    let err = m.import_establishment(AdminActor::System, "4401-000100-5", "存在しない所", &client()).await.unwrap_err();
    assert!(matches!(err, ImportEstablishmentError::UnknownOffice));
    let err = m.import_establishment(counter, EXISTING, "重複", &client()).await.unwrap_err();
    assert!(matches!(err, ImportEstablishmentError::Duplicate));
    w.kit.store.fail_next_commits(1);
    let err = m.import_establishment(counter, "1301-000500-5", "失敗", &client()).await.unwrap_err();
    assert!(matches!(err, ImportEstablishmentError::Infrastructure(_)));
}
