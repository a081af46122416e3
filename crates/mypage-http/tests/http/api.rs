//! The JSON API: the cases through it, its error codes, its OpenAPI document, and R14 on every staff route.

use mypage_testkit::{TEST_PASSWORD, fixtures};
use poem::http::{StatusCode, header};
use poem::test::TestClient;
use serde_json::{Value, json};

use crate::site;

/// One API request; its answer is checked against the document ([`crate::contract`]).
pub(crate) async fn call<E: poem::Endpoint>(
    client: &TestClient<E>,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = match method {
        "GET" => client.get(path),
        "PUT" => client.put(path),
        "DELETE" => client.delete(path),
        _ => client.post(path),
    };
    if let Some(t) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    if let Some(b) = body {
        request = request.body_json(&b);
    }
    let response = request.send().await;
    let status = response.0.status();
    let headers = response.0.headers().clone();
    let text = response.0.into_body().into_string().await.unwrap();
    crate::contract::contract(client).await.check(method, path, status, &headers, &text);
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn case_c_through_the_api_with_error_codes_on_the_way() {
    let (kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let (status, terms) = call(&client, "GET", "/api/v1/terms", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let consent = json!({
        "privacy_policy_agreed": true, "mypage_terms_agreed": true,
        "privacy_policy_version": terms["privacy_policy_version"], "mypage_terms_version": terms["mypage_terms_version"],
    });
    let (status, body) = call(
        &client,
        "POST",
        "/api/v1/auth-keys",
        None,
        Some(json!({"purpose": "sign_up", "email": "api@example.jp"})),
    )
    .await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("consent_required")));
    let (status, body) = call(
        &client,
        "POST",
        "/api/v1/auth-keys",
        None,
        Some(json!({"purpose": "sign_up", "email": "api@example.jp", "consent": consent})),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let flow = body["flow_token"].as_str().unwrap().to_owned();
    let wrong = json!({"flow_token": flow, "auth_key": "ZZZZZ-22222", "password": TEST_PASSWORD, "confirmation": TEST_PASSWORD});
    let (status, body) = call(&client, "POST", "/api/v1/passwords", None, Some(wrong)).await;
    assert_eq!(
        (status, body["code"].as_str(), body["remaining_attempts"].as_u64()),
        (StatusCode::UNAUTHORIZED, Some("wrong_key"), Some(4))
    );
    let key = kit.store.last_auth_key_to("api@example.jp").await.unwrap();
    let weak = json!({"flow_token": flow, "auth_key": key, "password": "short", "confirmation": "short"});
    let (status, body) = call(&client, "POST", "/api/v1/passwords", None, Some(weak)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("password_too_short")));
    let good = json!({"flow_token": flow, "auth_key": key, "password": TEST_PASSWORD, "confirmation": TEST_PASSWORD});
    let (status, body) = call(&client, "POST", "/api/v1/passwords", None, Some(good)).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::CREATED, Some("provisional")));

    let (status, body) = call(
        &client,
        "POST",
        "/api/v1/sessions",
        None,
        Some(json!({"email": "api@example.jp", "password": TEST_PASSWORD})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let token = body["token"].as_str().unwrap().to_owned();
    let (status, _) = call(&client, "GET", "/api/v1/mypage", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = call(
        &client,
        "PUT",
        "/api/v1/mypage/registration/history",
        Some(&token),
        Some(json!({"kind": "first", "office": "1301"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut info = serde_json::to_value(fixtures::establishment_info()).unwrap();
    info["phone"] = json!("12345");
    let (status, body) =
        call(&client, "PUT", "/api/v1/mypage/registration/establishment", Some(&token), Some(info)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_fields")));
    assert_eq!(body["fields"][0]["field"], "phone");
    assert_eq!(body["fields"][0]["code"], "invalid_phone");
    let info = serde_json::to_value(fixtures::establishment_info()).unwrap();
    assert_eq!(
        call(&client, "PUT", "/api/v1/mypage/registration/establishment", Some(&token), Some(info)).await.0,
        StatusCode::OK
    );
    let offer = serde_json::to_value(fixtures::job_offer()).unwrap();
    assert_eq!(
        call(&client, "PUT", "/api/v1/mypage/registration/job-offer", Some(&token), Some(offer)).await.0,
        StatusCode::OK
    );
    let (status, body) = call(&client, "POST", "/api/v1/mypage/registration/submit", Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    let registration = body["registration_id"].as_str().unwrap().to_owned();

    let (status, body) = call(
        &client,
        "POST",
        "/api/v1/staff/sessions",
        None,
        Some(json!({"login": "iidabashi.reviewer", "password": TEST_PASSWORD})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let staff = body["token"].as_str().unwrap().to_owned();
    let (_, queue) = call(&client, "GET", "/api/v1/staff/queue", Some(&staff), None).await;
    assert_eq!(queue[0]["registration_id"], registration.as_str());
    let (status, detail) =
        call(&client, "GET", &format!("/api/v1/staff/registrations/{registration}"), Some(&staff), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((detail["email"].as_str(), detail["kind"].as_str()), (Some("api@example.jp"), Some("first")));
    let entered = serde_json::to_value(fixtures::establishment_info()).unwrap();
    assert_eq!(detail["establishment"]["name"], entered["name"], "what the employer entered");
    assert_eq!(detail["job_offer"]["occupation"], "NC旋盤オペレーター", "as kept: full-width letters made half-width");
    let (status, body) =
        call(&client, "POST", &format!("/api/v1/staff/registrations/{registration}/confirm"), Some(&staff), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["establishment_number"].as_str().unwrap().starts_with("1301-9"));
    let (status, body) =
        call(&client, "POST", &format!("/api/v1/staff/registrations/{registration}/confirm"), Some(&staff), None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("already_decided")));
    let (_, mine) = call(&client, "GET", "/api/v1/mypage", Some(&token), None).await;
    assert_eq!(mine["status"], "active");
    assert_eq!(call(&client, "DELETE", "/api/v1/sessions/current", Some(&token), None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(call(&client, "GET", "/api/v1/mypage", Some(&token), None).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn r14_through_the_api_staff_of_another_office_get_not_found_on_every_registration_route() {
    let (kit, endpoint) = site().await;
    let id = crate::submitted_first_timer(&kit, "c@example.jp").await;
    let client = TestClient::new(endpoint);
    let (_, body) = call(
        &client,
        "POST",
        "/api/v1/staff/sessions",
        None,
        Some(json!({"login": "osaka.reviewer", "password": TEST_PASSWORD})),
    )
    .await;
    let osaka = body["token"].as_str().unwrap().to_owned();
    let (_, queue) = call(&client, "GET", "/api/v1/staff/queue", Some(&osaka), None).await;
    assert_eq!(queue, json!([]));
    let (status, body) = call(&client, "GET", &format!("/api/v1/staff/registrations/{id}"), Some(&osaka), None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "the detail");
    for action in ["confirm", "contact", "return", "reject"] {
        let (status, body) = call(
            &client,
            "POST",
            &format!("/api/v1/staff/registrations/{id}/{action}"),
            Some(&osaka),
            Some(json!({"note": "確認"})),
        )
        .await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{action}");
    }
    // An employer's token is not a staff token.
    let (_, body) = call(
        &client,
        "POST",
        "/api/v1/sessions",
        None,
        Some(json!({"email": "c@example.jp", "password": TEST_PASSWORD})),
    )
    .await;
    let employer = body["token"].as_str().unwrap().to_owned();
    assert_eq!(call(&client, "GET", "/api/v1/staff/queue", Some(&employer), None).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_openapi_document_describes_every_endpoint_with_its_errors() {
    let (_kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let (status, spec) = call(&client, "GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let paths = spec["paths"].as_object().unwrap();
    for path in [
        "/terms",
        "/offices",
        "/auth-keys",
        "/auth-keys/resend",
        "/passwords",
        "/password-resets",
        "/sessions",
        "/sessions/current",
        "/mypage",
        "/mypage/registration/history",
        "/mypage/registration/establishment",
        "/mypage/registration/job-offer",
        "/mypage/registration/submit",
        "/staff/sessions",
        "/staff/queue",
        "/staff/registrations/{id}",
        "/staff/registrations/{id}/confirm",
        "/staff/registrations/{id}/{decision}",
        "/staff/counter-registrations",
        "/staff/establishments",
        "/staff/admin/staff",
        "/staff/admin/offices",
        "/staff/admin/terms",
        "/staff/admin/dead-mails",
        "/staff/admin/dead-mails/{id}/requeue",
        "/staff/admin/staff/{id}/deactivate",
        "/staff/admin/staff/{id}/reactivate",
    ] {
        assert!(paths.contains_key(path), "{path} is not in the document");
    }
    // R11: a decision is one of three, and the document lists them.
    let decision = paths["/staff/registrations/{id}/{decision}"]["post"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "decision")
        .unwrap()["schema"]
        .clone();
    let decision = match decision["$ref"].as_str() {
        Some(r) => spec["components"]["schemas"][r.rsplit('/').next().unwrap()].clone(),
        None => decision,
    };
    assert_eq!(decision["enum"], serde_json::json!(["contact", "return", "reject"]), "{decision}");
    for (path, operations) in paths {
        for (method, operation) in operations.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            let errors = responses.keys().filter(|code| code.starts_with('4') || code.starts_with('5')).count();
            assert!(errors >= 1, "{method} {path} documents no error");
            for (code, response) in responses.iter().filter(|(c, _)| c.starts_with('4') || c.starts_with('5')) {
                let description = response["description"].as_str().unwrap_or_default();
                assert!(description.contains('`'), "{method} {path} {code}: the description names its error codes");
            }
        }
    }
}

#[tokio::test]
async fn r14_the_admin_steps_through_the_api_for_central_admins_and_each_staff_route_refuses_others() {
    use mypage_domain::ports::{Clock, MailQueue};
    use mypage_domain::values::StaffRole;

    let (kit, endpoint) = site().await;
    kit.staff("1301", "central.admin", &[StaffRole::CentralAdmin]).await;
    let client = TestClient::new(endpoint);
    let login = |who: &'static str| {
        let client = &client;
        async move {
            let (status, body) = call(
                client,
                "POST",
                "/api/v1/staff/sessions",
                None,
                Some(json!({"login": who, "password": TEST_PASSWORD})),
            )
            .await;
            assert_eq!(status, StatusCode::CREATED);
            body["token"].as_str().unwrap().to_owned()
        }
    };
    let admin = login("central.admin").await;
    let reviewer = login("iidabashi.reviewer").await;
    let osaka = login("osaka.reviewer").await;

    // Establishments: one's own office only, by name or number.
    let (status, found) = call(&client, "GET", "/api/v1/staff/establishments?q=ハロー", Some(&reviewer), None).await;
    assert_eq!((status, found[0]["number"].as_str()), (StatusCode::OK, Some("1301-123456-7")));
    let (_, none) = call(&client, "GET", "/api/v1/staff/establishments?q=1301-123456-7", Some(&osaka), None).await;
    assert_eq!(none, json!([]), "another office's establishment is not found");

    // Staff, offices and terms: created by an admin, refused to others.
    let member = json!({"office": "1301", "login": "iidabashi.new", "name": "新人 職員", "roles": ["counter"], "password": TEST_PASSWORD});
    let (status, body) = call(&client, "POST", "/api/v1/staff/admin/staff", Some(&admin), Some(member.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = call(&client, "POST", "/api/v1/staff/admin/staff", Some(&admin), Some(member.clone())).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("duplicate")));
    let mut weak = member.clone();
    weak["login"] = json!("iidabashi.weak");
    weak["password"] = json!("short");
    let (status, body) = call(&client, "POST", "/api/v1/staff/admin/staff", Some(&admin), Some(weak)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("password_too_short")));
    let (status, list) = call(&client, "GET", "/api/v1/staff/admin/staff", Some(&admin), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.as_array().unwrap().iter().any(|s| s["login"] == "iidabashi.new" && s["roles"] == json!(["counter"])));
    assert!(!list.to_string().contains("argon") && !list.to_string().contains("password"));
    let office = json!({"code": "1302", "name": "ハローワーク新宿", "phone": "03-3200-8609"});
    assert_eq!(
        call(&client, "POST", "/api/v1/staff/admin/offices", Some(&admin), Some(office)).await.0,
        StatusCode::CREATED
    );
    let terms = json!({"kind": "mypage_terms", "body": "第2版の本文"});
    let (status, body) = call(&client, "POST", "/api/v1/staff/admin/terms", Some(&admin), Some(terms.clone())).await;
    assert_eq!((status, body["id"].as_str()), (StatusCode::CREATED, Some("2")));

    // A dead mail, re-queued once.
    let now = kit.clock.now();
    kit.mypage
        .request_auth_key(
            &mypage_domain::usecases::KeyRequest {
                purpose: mypage_domain::model::FlowPurpose::SignUp,
                email: "dead@example.jp".into(),
                consent: Some(kit.consent().await),
            },
            &mypage_testkit::TestKit::client(),
        )
        .await
        .unwrap();
    let claimed = kit.store.claim(now, 10, now + chrono::Duration::minutes(5)).await.unwrap();
    let dead_id = claimed.iter().find(|c| c.mail.to.as_str() == "dead@example.jp").unwrap().mail.id;
    kit.store.mark_dead(dead_id, "550 5.1.1 no such user").await.unwrap();
    let (status, dead) = call(&client, "GET", "/api/v1/staff/admin/dead-mails", Some(&admin), None).await;
    assert_eq!((status, dead[0]["to"].as_str()), (StatusCode::OK, Some("de***@example.jp")));
    let requeue = format!("/api/v1/staff/admin/dead-mails/{dead_id}/requeue");
    assert_eq!(call(&client, "POST", &requeue, Some(&admin), None).await.0, StatusCode::NO_CONTENT);
    let (status, body) = call(&client, "POST", &requeue, Some(&admin), None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_dead")));

    // R14: each admin route refuses a reviewer (403) and an employer's or no token (401).
    let employer = {
        let flow = kit.request_key(mypage_domain::model::FlowPurpose::SignUp, "emp@example.jp").await;
        let entry = kit.entry(flow, "emp@example.jp").await;
        kit.mypage.register_password(&entry, &mypage_testkit::TestKit::client()).await.unwrap();
        let (_, body) = call(
            &client,
            "POST",
            "/api/v1/sessions",
            None,
            Some(json!({"email": "emp@example.jp", "password": TEST_PASSWORD})),
        )
        .await;
        body["token"].as_str().unwrap().to_owned()
    };
    let routes: [(&str, &str, Option<Value>); 6] = [
        ("GET", "/api/v1/staff/admin/staff", None),
        ("POST", "/api/v1/staff/admin/staff", Some(member)),
        ("POST", "/api/v1/staff/admin/offices", Some(json!({"code": "1303", "name": "x"}))),
        ("POST", "/api/v1/staff/admin/terms", Some(terms)),
        ("GET", "/api/v1/staff/admin/dead-mails", None),
        ("POST", requeue.as_str(), None),
    ];
    for (method, path, body) in routes {
        let (status, answer) = call(&client, method, path, Some(&reviewer), body.clone()).await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("not_permitted")),
            "{method} {path}"
        );
        assert_eq!(
            call(&client, method, path, Some(&employer), body.clone()).await.0,
            StatusCode::UNAUTHORIZED,
            "{method} {path}"
        );
        assert_eq!(call(&client, method, path, None, body).await.0, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
    assert_eq!(
        call(&client, "GET", "/api/v1/staff/establishments", Some(&employer), None).await.0,
        StatusCode::UNAUTHORIZED
    );
}

/// A staff member's API token.
async fn staff_token<E: poem::Endpoint>(client: &TestClient<E>, login: &str) -> String {
    let credentials = json!({"login": login, "password": TEST_PASSWORD});
    let (status, body) = call(client, "POST", "/api/v1/staff/sessions", None, Some(credentials)).await;
    assert_eq!(status, StatusCode::CREATED, "{login} logs in: {body}");
    body["token"].as_str().unwrap().to_owned()
}

/// A new staff member's request body.
fn member(office: &str, login: &str, roles: Value) -> Value {
    json!({"office": office, "login": login, "name": "新任 職員", "roles": roles, "password": TEST_PASSWORD})
}

#[tokio::test]
async fn r14_through_the_api_an_office_admin_acts_on_its_own_offices_staff_only_and_a_central_admin_on_any() {
    use mypage_domain::values::StaffRole;

    let (kit, endpoint) = site().await;
    kit.staff("1301", "iidabashi.admin", &[StaffRole::OfficeAdmin]).await;
    kit.staff("1301", "central.admin", &[StaffRole::CentralAdmin]).await;
    let client = TestClient::new(endpoint);
    let office = staff_token(&client, "iidabashi.admin").await;
    let central = staff_token(&client, "central.admin").await;
    let list = "/api/v1/staff/admin/staff";
    let logins = |body: &Value| -> Vec<String> {
        body.as_array().unwrap().iter().map(|s| s["login"].as_str().unwrap().to_owned()).collect()
    };
    let id_of = |body: &Value, login: &str| -> String {
        let member = body.as_array().unwrap().iter().find(|s| s["login"] == login).unwrap();
        member["staff_id"].as_str().unwrap().to_owned()
    };

    // The list: an office admin's own office, a central admin's every office.
    let (status, own) = call(&client, "GET", list, Some(&office), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(logins(&own), ["central.admin", "iidabashi.admin", "iidabashi.counter", "iidabashi.reviewer"]);
    let (_, all) = call(&client, "GET", list, Some(&central), None).await;
    assert!(logins(&all).contains(&"osaka.reviewer".to_owned()));
    assert!(all.as_array().unwrap().iter().any(|s| s["roles"] == json!(["office_admin"])), "{all}");
    let osaka = id_of(&all, "osaka.reviewer");
    let central_id = id_of(&all, "central.admin");

    // An office admin of 1301: nothing in 2701, no central admin, no offices, terms or dead mails.
    let refused = [
        (member("2701", "osaka.new", json!(["reviewer"])), "outside_office"),
        (member("2701", "osaka.admin", json!(["office_admin"])), "outside_office"),
        (member("1301", "iidabashi.central", json!(["central_admin"])), "not_permitted"),
    ];
    for (body, code) in refused {
        let (status, answer) = call(&client, "POST", list, Some(&office), Some(body)).await;
        assert_eq!((status, answer["code"].as_str()), (StatusCode::FORBIDDEN, Some(code)), "{answer}");
    }
    let (status, answer) =
        call(&client, "POST", list, Some(&office), Some(member("1301", "x.y", json!(["admin"])))).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request")),
        "no role `admin`"
    );
    let (status, body) =
        call(&client, "POST", list, Some(&office), Some(member("1301", "iidabashi.new", json!(["reviewer"])))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let stop = |id: &str| format!("/api/v1/staff/admin/staff/{id}/deactivate");
    let (status, answer) = call(&client, "POST", &stop(&osaka), Some(&office), None).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::FORBIDDEN, Some("outside_office")));
    let (status, answer) = call(&client, "POST", &stop(&central_id), Some(&office), None).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_permitted")), "the admin above");
    let across: [(&str, &str, Option<Value>); 4] = [
        ("POST", "/api/v1/staff/admin/offices", Some(json!({"code": "1302", "name": "ハローワーク新宿"}))),
        ("POST", "/api/v1/staff/admin/terms", Some(json!({"kind": "mypage_terms", "body": "第2版"}))),
        ("GET", "/api/v1/staff/admin/dead-mails", None),
        ("POST", "/api/v1/staff/admin/dead-mails/00000000-0000-0000-0000-000000000000/requeue", None),
    ];
    for (method, path, body) in &across {
        let (status, answer) = call(&client, method, path, Some(&office), body.clone()).await;
        assert_eq!((status, answer["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_permitted")), "{path}");
    }
    let osaka_id = mypage_domain::model::StaffId::from_uuid(osaka.parse().unwrap());
    assert!(kit.mypage.staff_view(osaka_id).await.unwrap().is_some(), "2701's reviewer keeps its access");

    // A central admin does all of it, in any office.
    for body in [
        member("2701", "osaka.new", json!(["reviewer"])),
        member("1301", "iidabashi.central", json!(["central_admin"])),
    ] {
        let (status, answer) = call(&client, "POST", list, Some(&central), Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }
    assert_eq!(call(&client, "POST", &stop(&osaka), Some(&central), None).await.0, StatusCode::NO_CONTENT);
    let (status, _) = call(&client, "POST", across[0].1, Some(&central), across[0].2.clone()).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = call(&client, "POST", across[1].1, Some(&central), across[1].2.clone()).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(call(&client, "GET", across[2].1, Some(&central), None).await.0, StatusCode::OK);
}

#[tokio::test]
async fn the_api_reference_page_is_served_from_the_binary() {
    let (_kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let response = client.get("/api/v1/docs").send().await;
    assert_eq!(response.0.status(), StatusCode::OK);
    let csp = response.0.headers().get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap().to_owned();
    let body = response.0.into_body().into_string().await.unwrap();
    assert!(body.contains("swagger"));
    assert!(
        !body.contains("src=\"http") && !body.contains("href=\"http"),
        "no CDN: script and style come with the page"
    );
    assert!(csp.contains("frame-ancestors 'none'"));
}

#[tokio::test]
async fn a_request_the_parser_refuses_gets_the_documented_json_error_not_plain_text() {
    let (_kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    for (method, path, body) in [
        ("POST", "/api/v1/auth-keys", json!({"purpose": "sign_up"})),
        ("POST", "/api/v1/auth-keys/resend", json!({"token": 1})),
        ("POST", "/api/v1/sessions", json!({"email": 5})),
        ("POST", "/api/v1/staff/sessions", json!([])),
        ("POST", "/api/v1/passwords", json!({})),
    ] {
        let (status, answer) = call(&client, method, path, None, Some(body)).await;
        assert_eq!((status, answer["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")), "{path}");
        assert!(answer["message"].as_str().is_some_and(|m| m.contains("形式")));
    }
    let not_json = client.post("/api/v1/sessions").content_type("text/plain").body("email=x").send().await;
    assert_eq!(not_json.0.status(), StatusCode::BAD_REQUEST);
    assert_eq!(not_json.0.headers().get(header::CONTENT_TYPE).unwrap(), "application/json; charset=utf-8");
    for (method, path) in [
        ("GET", "/api/v1/mypage"),
        ("GET", "/api/v1/staff/queue"),
        ("DELETE", "/api/v1/sessions/current"),
        ("GET", "/api/v1/staff/admin/dead-mails"),
    ] {
        let (status, answer) = call(&client, method, path, None, None).await;
        assert_eq!((status, answer["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")), "{path}");
    }
    let (status, answer) = call(&client, "PUT", "/api/v1/mypage/registration/history", None, Some(json!({}))).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")));
}

#[tokio::test]
async fn a_method_the_api_path_does_not_take_is_answered_405_with_the_methods_it_does() {
    let (_kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let response = client.put("/api/v1/auth-keys").send().await;
    assert_eq!(response.0.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.0.headers().get(header::ALLOW).unwrap(), "POST");
    let body: Value = serde_json::from_str(&response.0.into_body().into_string().await.unwrap()).unwrap();
    assert_eq!(body["code"], "method_not_allowed", "the documented JSON error: {body}");
    let (_, spec) = call(&client, "GET", "/api/v1/openapi.json", None, None).await;
    assert!(spec["info"]["description"].as_str().unwrap().contains("405"));
    assert_eq!(
        spec["components"]["responses"]["MethodNotAllowed"]["content"]["application/json; charset=utf-8"]["schema"]["$ref"],
        "#/components/schemas/ApiError"
    );
    let response = client.delete("/api/v1/staff/registrations/0195f3a2-6c1e-7b9a-8f00-123456789abc").send().await;
    assert_eq!(response.0.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.0.headers().get(header::ALLOW).unwrap(), "GET");
}
