//! The staff console's search and admin pages: what an admin does there, what comes back on a mistake, and R14
//! on every one of their routes: an office admin's own office's staff only, a central admin's every office, and a
//! menu that links no page that would refuse its member.

use mypage_domain::model::FlowPurpose;
use mypage_domain::ports::{Clock, MailQueue, MailState};
use mypage_domain::values::StaffRole;
use mypage_testkit::TEST_PASSWORD;
use poem::http::StatusCode;
use poem::test::TestClient;

use crate::{Browser, site};

const ADMIN_PAGES: [&str; 4] =
    ["/staff/admin/staff", "/staff/admin/offices", "/staff/admin/terms", "/staff/admin/mail"];

/// The id of the member with this login, as the system sees it.
async fn staff_id(kit: &mypage_testkit::TestKit, login: &str) -> mypage_domain::model::StaffId {
    let password = secrecy::SecretString::from(TEST_PASSWORD);
    kit.mypage.staff_login(login, &password, &mypage_testkit::TestKit::client()).await.unwrap().staff
}

async fn staff_login<E: poem::Endpoint>(b: &mut Browser<'_, E>, login: &str) {
    b.get("/staff/login").await;
    let page = b.post("/staff/login", &[("login", login), ("password", TEST_PASSWORD)]).await;
    assert_eq!(page.location.as_deref(), Some("/staff"), "{login} logs in");
}

#[tokio::test]
async fn r12_counter_staff_find_an_establishment_by_name_and_go_on_to_register_its_address() {
    let (_kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    staff_login(&mut b, "iidabashi.counter").await;
    let menu = b.get("/staff").await;
    assert!(
        menu.body.contains("事業所の検索") && !menu.body.contains("職員の管理"),
        "no admin links for counter staff"
    );
    assert!(menu.body.contains("href=\"/staff/counter\""), "counter registration for counter staff");
    let found = b.get("/staff/establishments?q=%E3%83%8F%E3%83%AD%E3%83%BC").await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.body.contains("株式会社ハローテスト") && found.body.contains("/staff/counter?number=1301-123456-7"));
    let form = b.get("/staff/counter?number=1301-123456-7").await;
    assert!(form.body.contains("value=\"1301-123456-7\""), "the number is filled in");
    let none = b.get("/staff/establishments?q=%E5%A4%A7%E9%98%AA").await;
    assert!(none.body.contains("該当する事業所はありません"), "another office's establishment stays hidden");
}

#[tokio::test]
async fn r14_a_central_admin_adds_staff_and_offices_publishes_terms_and_requeues_a_dead_mail_from_the_console() {
    let (kit, endpoint) = site().await;
    kit.staff("1301", "central.admin", &[StaffRole::CentralAdmin]).await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    staff_login(&mut b, "central.admin").await;
    let menu = b.get("/staff").await;
    for path in ADMIN_PAGES {
        assert!(menu.body.contains(path), "the menu links {path}");
    }

    // A mistake brings the form back with what was typed, but never the password.
    b.get("/staff/admin/staff").await;
    let typed = [
        ("office", "1301"),
        ("login", "x"),
        ("name", "新人 職員"),
        ("role_counter", "on"),
        ("password", TEST_PASSWORD),
    ];
    let page = b.post("/staff/admin/staff", &typed).await;
    assert!(page.body.contains("職員IDは3～64文字"), "the error is said");
    assert!(
        page.body.contains("value=\"新人 職員\"")
            && page.body.contains("id=\"role_counter\" name=\"role_counter\" checked")
    );
    assert!(!page.body.contains(TEST_PASSWORD), "the password is not echoed");
    let good = [
        ("office", "1301"),
        ("login", "iidabashi.new"),
        ("name", "新人 職員"),
        ("role_counter", "on"),
        ("password", TEST_PASSWORD),
    ];
    let page = b.post("/staff/admin/staff", &good).await;
    assert!(page.body.contains("新人 職員 さん（iidabashi.new）を追加しました"), "{}", page.body);
    assert!(
        kit.mypage
            .staff_login(
                "iidabashi.new",
                &secrecy::SecretString::from(TEST_PASSWORD),
                &mypage_testkit::TestKit::client()
            )
            .await
            .is_ok()
    );
    // R14: across offices, the roles of both admins offered, and any office's member stopped.
    let page = b.get("/staff/admin/staff").await;
    assert!(page.body.contains("option value=\"2701\"") && page.body.contains("osaka.reviewer"));
    assert!(page.body.contains("name=\"role_office_admin\"") && page.body.contains("name=\"role_central_admin\""));
    let osaka = [
        ("office", "2701"),
        ("login", "osaka.admin"),
        ("name", "大阪 管理"),
        ("role_office_admin", "on"),
        ("password", TEST_PASSWORD),
    ];
    let page = b.post("/staff/admin/staff", &osaka).await;
    assert!(page.body.contains("大阪 管理 さん（osaka.admin）を追加しました"), "{}", page.body);
    let osaka_reviewer = staff_id(&kit, "osaka.reviewer").await;
    let page = b.post(&format!("/staff/admin/staff/{osaka_reviewer}/deactivate"), &[]).await;
    assert!(page.body.contains("利用を停止しました"), "{}", page.body);
    assert_eq!(kit.mypage.staff_view(osaka_reviewer).await.unwrap(), None);

    b.get("/staff/admin/offices").await;
    let page = b.post("/staff/admin/offices", &[("code", "13A2"), ("name", "ハローワーク新宿"), ("phone", "")]).await;
    assert!(page.body.contains("コードは4桁の数字") && page.body.contains("value=\"ハローワーク新宿\""));
    let page = b.post("/staff/admin/offices", &[("code", "1302"), ("name", "ハローワーク新宿"), ("phone", "")]).await;
    assert!(page.body.contains("ハローワーク（1302）を追加しました"));

    let before = kit.consent().await.mypage_terms_version.0;
    b.get("/staff/admin/terms").await;
    let page = b.post("/staff/admin/terms", &[("kind", "mypage_terms"), ("body", "第2版の本文です。")]).await;
    assert!(page.body.contains(&format!("マイページ利用規約の第{}版を公開しました", before + 1)), "{}", page.body);
    assert_eq!(kit.consent().await.mypage_terms_version.0, before + 1);

    let now = kit.clock.now();
    kit.request_key(FlowPurpose::SignUp, "dead@example.jp").await;
    let claimed = kit.store.claim(now, 10, now + chrono::Duration::minutes(5)).await.unwrap();
    let id = claimed.iter().find(|c| c.mail.to.as_str() == "dead@example.jp").unwrap().mail.id;
    kit.store.mark_dead(id, "550 5.1.1 no such user").await.unwrap();
    let page = b.get("/staff/admin/mail").await;
    assert!(page.body.contains("de***@example.jp") && page.body.contains("550 5.1.1 no such user"));
    assert!(!page.body.contains("dead@example.jp"), "the address is masked");
    let page = b.post(&format!("/staff/admin/mail/{id}/requeue"), &[]).await;
    assert!(page.body.contains("送信の待ち行列に戻しました"));
    assert_eq!(kit.store.list(Some(MailState::Pending), 10).await.unwrap().iter().filter(|m| m.id == id).count(), 1);
}

#[tokio::test]
async fn r14_admin_pages_refuse_other_staff_and_send_employers_to_the_staff_login() {
    let (kit, endpoint) = site().await;
    kit.sign_up("emp@example.jp").await;
    let client = TestClient::new(endpoint);
    let mut reviewer = Browser::new(&client);
    staff_login(&mut reviewer, "iidabashi.reviewer").await;
    reviewer.get("/staff").await;
    let mut employer = Browser::new(&client);
    employer.get("/login").await;
    employer.post("/login", &[("email", "emp@example.jp"), ("password", TEST_PASSWORD)]).await;
    for path in ADMIN_PAGES {
        assert_eq!(reviewer.get(path).await.status, StatusCode::FORBIDDEN, "GET {path}");
        assert_eq!(employer.get(path).await.location.as_deref(), Some("/staff/login"), "GET {path}");
    }
    let posts = [
        (
            "/staff/admin/staff",
            vec![
                ("office", "1301"),
                ("login", "sneaky"),
                ("name", "x"),
                ("role_central_admin", "on"),
                ("password", TEST_PASSWORD),
            ],
        ),
        ("/staff/admin/offices", vec![("code", "1399"), ("name", "x")]),
        ("/staff/admin/terms", vec![("kind", "mypage_terms"), ("body", "x")]),
        ("/staff/admin/mail/00000000-0000-0000-0000-000000000000/requeue", vec![]),
        ("/staff/admin/staff/00000000-0000-0000-0000-000000000000/deactivate", vec![]),
    ];
    for (path, form) in &posts {
        assert_eq!(reviewer.post(path, form).await.status, StatusCode::FORBIDDEN, "POST {path}");
        assert_eq!(employer.post(path, form).await.location.as_deref(), Some("/staff/login"), "POST {path}");
    }
    assert_eq!(employer.get("/staff/establishments").await.location.as_deref(), Some("/staff/login"));
    let offices = kit.mypage.offices().await.unwrap();
    assert!(offices.iter().all(|o| o.code().as_str() != "1399"), "nothing was added");
}

#[tokio::test]
async fn r14_a_reviewers_menu_links_no_page_that_refuses_them() {
    let (_kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    staff_login(&mut b, "iidabashi.reviewer").await;
    let menu = b.get("/staff").await;
    assert!(!menu.body.contains("href=\"/staff/counter\""), "counter registration is counter staff's");
    for path in ADMIN_PAGES {
        assert!(!menu.body.contains(path), "the menu does not link {path}");
    }
    let found = b.get("/staff/establishments").await;
    assert!(found.body.contains("株式会社ハローテスト") && !found.body.contains("/staff/counter?number="));
}

#[tokio::test]
async fn r14_an_office_admin_manages_its_own_offices_staff_and_office_only_and_the_menu_links_only_those_pages() {
    let (kit, endpoint) = site().await;
    kit.staff("1301", "iidabashi.admin", &[StaffRole::OfficeAdmin]).await;
    kit.staff("1301", "central.admin", &[StaffRole::CentralAdmin]).await;
    let osaka_reviewer = staff_id(&kit, "osaka.reviewer").await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    staff_login(&mut b, "iidabashi.admin").await;
    let menu = b.get("/staff").await;
    assert!(menu.body.contains(ADMIN_PAGES[0]), "the menu links the staff page");
    assert!(menu.body.contains(ADMIN_PAGES[1]), "the menu links the offices page, which lists its own office");
    for path in &ADMIN_PAGES[2..] {
        assert!(!menu.body.contains(path), "the menu does not link {path}");
        assert_eq!(b.get(path).await.status, StatusCode::FORBIDDEN, "GET {path}");
    }

    let page = b.get("/staff/admin/staff").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("iidabashi.reviewer") && !page.body.contains("osaka.reviewer"), "its office's only");
    assert!(page.body.contains("option value=\"1301\"") && !page.body.contains("option value=\"2701\""));
    assert!(page.body.contains("name=\"role_office_admin\"") && !page.body.contains("name=\"role_central_admin\""));
    assert!(page.body.contains("iidabashi.reviewerの利用を停止する"));
    assert!(!page.body.contains("central.adminの利用を停止する"), "no button against the admin above");

    // What the page does not offer, a hand-made form does not reach either.
    let other_office = [
        ("office", "2701"),
        ("login", "osaka.sneaky"),
        ("name", "他所 職員"),
        ("role_reviewer", "on"),
        ("password", TEST_PASSWORD),
    ];
    let page = b.post("/staff/admin/staff", &other_office).await;
    assert!(page.body.contains("ほかのハローワークには職員を追加できません"), "{}", page.body);
    let raised = [
        ("office", "1301"),
        ("login", "iidabashi.central"),
        ("name", "昇格 希望"),
        ("role_central_admin", "on"),
        ("password", TEST_PASSWORD),
    ];
    assert_eq!(b.post("/staff/admin/staff", &raised).await.status, StatusCode::FORBIDDEN);
    b.get("/staff/admin/staff").await;
    let page = b.post(&format!("/staff/admin/staff/{osaka_reviewer}/deactivate"), &[]).await;
    assert!(page.body.contains("ほかのハローワークの職員です"), "{}", page.body);
    assert!(kit.mypage.staff_view(osaka_reviewer).await.unwrap().is_some(), "2701's reviewer keeps its access");
    let central = staff_id(&kit, "central.admin").await;
    assert_eq!(b.post(&format!("/staff/admin/staff/{central}/deactivate"), &[]).await.status, StatusCode::FORBIDDEN);
    b.get("/staff/admin/staff").await;
    let posts = [
        ("/staff/admin/offices", vec![("code", "1399"), ("name", "x")]),
        ("/staff/admin/terms", vec![("kind", "mypage_terms"), ("body", "x")]),
        ("/staff/admin/mail/00000000-0000-0000-0000-000000000000/requeue", vec![]),
    ];
    for (path, form) in &posts {
        assert_eq!(b.post(path, form).await.status, StatusCode::FORBIDDEN, "POST {path}");
    }
    let logins: Vec<String> = kit.mypage.staff_list(central).await.unwrap().into_iter().map(|s| s.login).collect();
    assert!(!logins.iter().any(|l| l == "osaka.sneaky" || l == "iidabashi.central"), "{logins:?}");

    let own = [
        ("office", "1301"),
        ("login", "iidabashi.second"),
        ("name", "二人目 管理"),
        ("role_office_admin", "on"),
        ("password", TEST_PASSWORD),
    ];
    let page = b.post("/staff/admin/staff", &own).await;
    assert!(page.body.contains("二人目 管理 さん（iidabashi.second）を追加しました"), "{}", page.body);
}
