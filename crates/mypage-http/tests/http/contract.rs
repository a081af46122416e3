//! The API's answers held to its own document: every response of every test that goes through [`crate::api::call`]
//! is checked against `/api/v1/openapi.json` (its status documented for the operation, its body valid against the
//! status's schema, with no field the schema does not name), and one test walks every documented operation.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, OnceLock};

use poem::http::{HeaderMap, StatusCode, header};
use poem::test::TestClient;
use serde_json::{Value, json};

/// The served document, and each operation's response checkers, compiled once.
pub(crate) struct Contract {
    document: Value,
    /// `(METHOD, path template segments)` of every operation.
    operations: Vec<(String, Vec<String>)>,
    validators: Mutex<HashMap<String, std::sync::Arc<jsonschema::Validator>>>,
}

static CONTRACT: OnceLock<Contract> = OnceLock::new();

/// The document of the API under `client`, read once for the test binary (every site serves the same one).
pub(crate) async fn contract<E: poem::Endpoint>(client: &TestClient<E>) -> &'static Contract {
    if let Some(contract) = CONTRACT.get() {
        return contract;
    }
    let response = client.get("/api/v1/openapi.json").send().await;
    assert_eq!(response.0.status(), StatusCode::OK);
    let document: Value = serde_json::from_str(&response.0.into_body().into_string().await.unwrap()).unwrap();
    let _ = CONTRACT.set(Contract::new(document));
    CONTRACT.get().unwrap()
}

impl Contract {
    fn new(mut document: Value) -> Self {
        closed(&mut document["components"]);
        let operations = document["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, item)| {
                let segments: Vec<String> = path.split('/').map(str::to_owned).collect();
                item.as_object().unwrap().keys().map(move |m| (m.to_ascii_uppercase(), segments.clone()))
            })
            .collect();
        Self { document, operations, validators: Mutex::new(HashMap::new()) }
    }

    /// Every documented operation, as `METHOD /template`.
    pub(crate) fn operations(&self) -> BTreeSet<String> {
        self.operations.iter().map(|(m, s)| format!("{m} {}", s.join("/"))).collect()
    }

    /// The documented path template that `path` (under `/api/v1`, without its query) matches.
    fn template(&self, path: &str) -> Option<&[String]> {
        let segments: Vec<&str> = path.split('/').collect();
        self.operations.iter().map(|(_, t)| t.as_slice()).find(|t| {
            t.len() == segments.len()
                && t.iter().zip(&segments).all(|(p, s)| p == s || (p.starts_with('{') && p.ends_with('}')))
        })
    }

    /// Checks one answer of the API against the document and returns its operation (`METHOD /template`), or
    /// `None` for what the document does not describe (the document itself, the reference page).
    pub(crate) fn check(
        &self,
        method: &str,
        uri: &str,
        status: StatusCode,
        headers: &HeaderMap,
        body: &str,
    ) -> Option<String> {
        let path = uri.split('?').next().unwrap_or_default().strip_prefix("/api/v1")?;
        if path == "/openapi.json" || path.starts_with("/docs") {
            return None;
        }
        let json: Value = if body.is_empty() {
            Value::Null
        } else {
            assert_eq!(
                headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()),
                Some("application/json; charset=utf-8"),
                "{method} {uri} answered {status} with a body that is not JSON"
            );
            serde_json::from_str(body).unwrap_or_else(|e| panic!("{method} {uri}: {e}: {body}"))
        };
        let Some(template) = self.template(path) else {
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {uri} is on no documented path");
            self.valid(&json, "#/components/schemas/ApiError", &format!("{method} {uri} {status}"));
            return None;
        };
        let template = template.join("/");
        let operation = &self.document["paths"][&template][method.to_ascii_lowercase()];
        if operation.is_null() {
            assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}: the path does not take {method}");
            assert!(headers.contains_key(header::ALLOW), "{method} {uri}: a 405 names the methods the path takes");
            self.valid(&json, "#/components/schemas/ApiError", &format!("{method} {uri} {status}"));
            return Some(format!("{method} {template} 405"));
        }
        let documented = &operation["responses"][status.as_str()];
        assert!(
            !documented.is_null(),
            "{method} {template} answered {status}, which its document does not list: {body}"
        );
        let key = format!("{method} {template} {}", status.as_str());
        match documented["content"].as_object().and_then(|c| c.values().next()) {
            Some(media) => {
                let schema = media["schema"].clone();
                self.valid_against(&json, &key, schema);
            }
            None => assert!(body.is_empty(), "{key} is documented without a body, but has one: {body}"),
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert!(headers.contains_key(header::RETRY_AFTER), "{key} without Retry-After");
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            let headers_documented = documented["headers"].as_object();
            assert!(
                headers_documented.is_some_and(|h| h.keys().any(|k| k.eq_ignore_ascii_case("retry-after"))),
                "{key}: the document does not say that a 503 may carry Retry-After"
            );
            if json["code"] == "overloaded" {
                let seconds = headers.get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
                assert!(seconds.is_some_and(|s| s >= 1), "{key} overloaded without Retry-After in seconds");
            }
        }
        Some(format!("{method} {template}"))
    }

    fn valid(&self, json: &Value, reference: &str, what: &str) {
        self.valid_against(json, what, json!({ "$ref": reference }));
    }

    fn valid_against(&self, json: &Value, key: &str, schema: Value) {
        let validator = {
            let mut cache = self.validators.lock().unwrap();
            let validator = cache.entry(key.to_owned()).or_insert_with(|| {
                let mut root = schema;
                closed(&mut root);
                root["components"] = self.document["components"].clone();
                let validator = jsonschema::options().should_validate_formats(true).build(&root);
                std::sync::Arc::new(validator.unwrap_or_else(|e| panic!("{key}: the document's schema: {e}")))
            });
            std::sync::Arc::clone(validator)
        };
        let errors: Vec<String> =
            validator.iter_errors(json).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{key}: the body breaks the document: {errors:?}\n{json}");
    }
}

/// Marks every object schema with properties as closed (`additionalProperties: false`), so that a field the
/// document does not name fails the check.
fn closed(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".to_owned(), Value::Bool(false));
            }
            map.values_mut().for_each(closed);
        }
        Value::Array(items) => items.iter_mut().for_each(closed),
        _ => {}
    }
}

/// A client that notes each operation it reached.
struct Walk<'a, E: poem::Endpoint> {
    client: &'a TestClient<E>,
    reached: BTreeSet<String>,
}

impl<E: poem::Endpoint> Walk<'_, E> {
    async fn call(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let (status, answer) = crate::api::call(self.client, method, path, token, body).await;
        let contract = contract(self.client).await;
        let template = contract.template(path.split('?').next().unwrap().strip_prefix("/api/v1").unwrap()).unwrap();
        self.reached.insert(format!("{method} {}", template.join("/")));
        (status, answer)
    }

    /// Sends a register file (R18), which is CSV, not JSON.
    async fn csv(&mut self, path: &str, token: &str, file: &str, want: u16) -> Value {
        let response = self
            .client
            .post(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .content_type("text/csv")
            .body(file.as_bytes().to_vec())
            .send()
            .await;
        let status = response.0.status();
        let headers = response.0.headers().clone();
        let text = response.0.into_body().into_string().await.unwrap();
        let operation = contract(self.client).await.check("POST", path, status, &headers, &text);
        self.reached.extend(operation);
        assert_eq!(status.as_u16(), want, "POST {path}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    async fn expect(&mut self, method: &str, path: &str, token: Option<&str>, body: Option<Value>, want: u16) -> Value {
        let (status, answer) = self.call(method, path, token, body).await;
        assert_eq!(status.as_u16(), want, "{method} {path}: {answer}");
        answer
    }
}

#[test]
fn every_documented_operation_answers_as_its_document_says() {
    // The walk is one long async fn whose poll, unoptimised, takes about 1.6 MiB of stack: it runs on a worker
    // thread with room for it and the requests it makes, not on the test thread's 2 MiB.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_stack_size(8 << 20)
        .enable_all()
        .build()
        .unwrap();
    let walk = runtime.spawn(walk_every_documented_operation());
    if let Err(e) = runtime.block_on(walk) {
        std::panic::resume_unwind(e.into_panic());
    }
}

async fn walk_every_documented_operation() {
    use mypage_domain::model::FlowPurpose;
    use mypage_domain::ports::{Clock as _, MailQueue as _};
    use mypage_domain::values::StaffRole;
    use mypage_testkit::{TEST_PASSWORD, TestKit, fixtures};

    let (kit, endpoint) = crate::site().await;
    kit.staff("1301", "central.admin", &[StaffRole::CentralAdmin]).await;
    let client = TestClient::new(endpoint);
    let mut walk = Walk { client: &client, reached: BTreeSet::new() };

    // Case C through every employer step, with an error answer on the way of each.
    let terms = walk.expect("GET", "/api/v1/terms", None, None, 200).await;
    walk.expect("GET", "/api/v1/offices", None, None, 200).await;
    let consent = json!({
        "privacy_policy_agreed": true, "mypage_terms_agreed": true,
        "privacy_policy_version": terms["privacy_policy_version"], "mypage_terms_version": terms["mypage_terms_version"],
    });
    let email = "contract@example.jp";
    let ask = json!({"purpose": "sign_up", "email": email, "consent": consent});
    walk.expect("POST", "/api/v1/auth-keys", None, Some(json!({"purpose": "sign_up", "email": 42})), 400).await;
    walk.expect("POST", "/api/v1/auth-keys", None, Some(json!({"purpose": "sign_up", "email": "x"})), 400).await;
    let flow = walk.expect("POST", "/api/v1/auth-keys", None, Some(ask), 202).await["flow_token"].clone();
    walk.expect("POST", "/api/v1/auth-keys/resend", None, Some(json!({"flow_token": flow})), 202).await;
    walk.expect("POST", "/api/v1/auth-keys/resend", None, Some(json!({"flow_token": "x"})), 404).await;
    let key = kit.store.last_auth_key_to(email).await.unwrap();
    let wrong = json!({"flow_token": flow, "auth_key": "ZZZZZ-22222", "password": TEST_PASSWORD, "confirmation": TEST_PASSWORD});
    walk.expect("POST", "/api/v1/passwords", None, Some(wrong), 401).await;
    let good = json!({"flow_token": flow, "auth_key": key, "password": TEST_PASSWORD, "confirmation": TEST_PASSWORD});
    walk.expect("POST", "/api/v1/passwords", None, Some(good), 201).await;
    let reset = kit.request_key(FlowPurpose::ResetPassword, email).await;
    let key = kit.store.last_auth_key_to(email).await.unwrap();
    let reset = json!({"flow_token": secrecy::ExposeSecret::expose_secret(&reset), "auth_key": key, "password": TEST_PASSWORD, "confirmation": TEST_PASSWORD});
    walk.expect("POST", "/api/v1/password-resets", None, Some(reset), 201).await;
    let login = json!({"email": email, "password": TEST_PASSWORD});
    walk.expect("POST", "/api/v1/sessions", None, Some(json!({"email": email, "password": "wrong"})), 401).await;
    let token =
        walk.expect("POST", "/api/v1/sessions", None, Some(login), 201).await["token"].as_str().unwrap().to_owned();
    let me = Some(token.as_str());
    walk.expect("GET", "/api/v1/mypage", None, None, 401).await;
    walk.expect("GET", "/api/v1/mypage", me, None, 200).await;
    let history = json!({"kind": "first", "office": "1301"});
    walk.expect("PUT", "/api/v1/mypage/registration/history", me, Some(history), 200).await;
    let mut info = serde_json::to_value(fixtures::establishment_info()).unwrap();
    info["phone"] = json!("12345");
    walk.expect("PUT", "/api/v1/mypage/registration/establishment", me, Some(info), 422).await;
    let info = serde_json::to_value(fixtures::establishment_info()).unwrap();
    walk.expect("PUT", "/api/v1/mypage/registration/establishment", me, Some(info), 200).await;
    let mut offer = serde_json::to_value(fixtures::job_offer()).unwrap();
    offer["employment_type"] = json!("boss");
    walk.expect("PUT", "/api/v1/mypage/registration/job-offer", me, Some(offer), 400).await;
    let offer = serde_json::to_value(fixtures::job_offer()).unwrap();
    walk.expect("PUT", "/api/v1/mypage/registration/job-offer", me, Some(offer), 200).await;
    let submitted = walk.expect("POST", "/api/v1/mypage/registration/submit", me, None, 200).await;
    let registration = submitted["registration_id"].as_str().unwrap().to_owned();
    walk.expect("GET", "/api/v1/mypage", me, None, 200).await;

    // The reviewer's steps: the queue, the registration, a decision with a note, the confirmation.
    let reviewer = json!({"login": "iidabashi.reviewer", "password": TEST_PASSWORD});
    let reviewer = walk.expect("POST", "/api/v1/staff/sessions", None, Some(reviewer), 201).await;
    let reviewer = reviewer["token"].as_str().unwrap().to_owned();
    let staff = Some(reviewer.as_str());
    walk.expect("GET", "/api/v1/staff/queue", staff, None, 200).await;
    walk.expect("GET", "/api/v1/staff/queue", me, None, 401).await;
    let detail = format!("/api/v1/staff/registrations/{registration}");
    walk.expect("GET", &detail, staff, None, 200).await;
    walk.expect("GET", "/api/v1/staff/registrations/not-an-id", staff, None, 404).await;
    let note = json!({"note": "賃金の記載についてお電話します。"});
    walk.expect("POST", &format!("{detail}/contact"), staff, Some(note), 200).await;
    walk.expect("POST", &format!("{detail}/contact"), staff, Some(json!({"note": ""})), 400).await;
    walk.expect("GET", &detail, staff, None, 200).await;
    walk.expect("POST", &format!("{detail}/confirm"), staff, None, 200).await;
    walk.expect("POST", &format!("{detail}/confirm"), staff, None, 409).await;
    walk.expect("GET", "/api/v1/mypage", me, None, 200).await;

    // R20: job offers of the account now Active, each step with an error answer on the way.
    let offers = "/api/v1/mypage/job-offers";
    walk.expect("GET", offers, me, None, 200).await;
    walk.expect("POST", offers, me, Some(json!({"copy_from": "not-an-id"})), 404).await;
    let started = walk.expect("POST", offers, me, Some(json!({})), 200).await["registration_id"].clone();
    let offer = format!("{offers}/{}", started.as_str().unwrap());
    let mut wrong = serde_json::to_value(fixtures::job_offer()).unwrap();
    wrong["wage_min"] = json!("400000");
    walk.expect("PUT", &offer, me, Some(wrong), 422).await;
    walk.expect("PUT", &offer, me, Some(serde_json::to_value(fixtures::job_offer()).unwrap()), 200).await;
    walk.expect("GET", &offer, me, None, 200).await;
    walk.expect("GET", &format!("{offers}/not-an-id"), me, None, 404).await;
    walk.expect("POST", &format!("{offer}/submit"), me, None, 200).await;
    walk.expect("POST", &format!("{offer}/submit"), me, None, 409).await;
    walk.expect("DELETE", &offer, me, None, 409).await;
    let copy = walk.expect("POST", offers, me, Some(json!({"copy_from": started})), 200).await;
    walk.expect("DELETE", &format!("{offers}/{}", copy["registration_id"].as_str().unwrap()), me, None, 200).await;
    walk.expect("GET", "/api/v1/staff/establishments?q=ハロー", staff, None, 200).await;

    // Case A at the counter.
    let counter = json!({"login": "iidabashi.counter", "password": TEST_PASSWORD});
    let counter = walk.expect("POST", "/api/v1/staff/sessions", None, Some(counter), 201).await;
    let counter = counter["token"].as_str().unwrap().to_owned();
    let at_counter = json!({"email": "counter@example.jp", "establishment_number": "1301-123456-7"});
    let registered =
        walk.expect("POST", "/api/v1/staff/counter-registrations", Some(&counter), Some(at_counter.clone()), 201).await;
    walk.expect("POST", "/api/v1/staff/counter-registrations", Some(&counter), Some(at_counter), 409).await;

    // Corrections at the counter (R12): look up, correct, withdraw, each with an error answer on the way.
    let account = registered["account_id"].as_str().unwrap().to_owned();
    let lookup = "/api/v1/staff/counter-registrations/lookup";
    walk.expect("POST", lookup, Some(&counter), Some(json!({"email": "counter@example.jp"})), 200).await;
    walk.expect("POST", lookup, Some(&counter), Some(json!({"email": "nobody@example.jp"})), 404).await;
    let registration = format!("/api/v1/staff/counter-registrations/{account}");
    walk.expect("GET", &registration, Some(&counter), None, 200).await;
    walk.expect("GET", "/api/v1/staff/counter-registrations/not-an-id", Some(&counter), None, 404).await;
    let corrected = json!({"email": "counter.fixed@example.jp"});
    walk.expect("PUT", &format!("{registration}/email"), Some(&counter), Some(json!({"email": 42})), 400).await;
    walk.expect("PUT", &format!("{registration}/email"), Some(&counter), Some(corrected), 204).await;
    walk.expect("DELETE", &registration, staff, None, 403).await;
    walk.expect("DELETE", &registration, Some(&counter), None, 204).await;
    walk.expect("DELETE", &registration, Some(&counter), None, 404).await;

    // R18: the office's register file, checked and imported by counter staff.
    let register = "/api/v1/staff/establishments/import";
    let file = "事業所番号,事業所名称\n1301-000001-1,株式会社いろは\n1301-00,番号の誤り\n";
    walk.csv(&format!("{register}?dry_run=true"), &counter, file, 200).await;
    walk.csv(&format!("{register}?skip_invalid=true"), &counter, file, 200).await;
    walk.csv(register, &counter, "事業所番号,代表者\n", 400).await;
    walk.csv(register, &reviewer, file, 403).await;

    // A central admin's steps.
    let admin = json!({"login": "central.admin", "password": TEST_PASSWORD});
    let admin = walk.expect("POST", "/api/v1/staff/sessions", None, Some(admin), 201).await;
    let admin = admin["token"].as_str().unwrap().to_owned();
    let admin = Some(admin.as_str());
    let member = json!({"office": "1301", "login": "iidabashi.new", "name": "新任 職員", "roles": ["counter"], "password": TEST_PASSWORD});
    walk.expect("POST", "/api/v1/staff/admin/staff", admin, Some(member.clone()), 201).await;
    walk.expect("POST", "/api/v1/staff/admin/staff", admin, Some(member), 409).await;
    let unknown = json!({"office": "1301", "login": "x.y", "name": "x", "roles": ["root"], "password": TEST_PASSWORD});
    walk.expect("POST", "/api/v1/staff/admin/staff", admin, Some(unknown), 400).await;
    let list = walk.expect("GET", "/api/v1/staff/admin/staff", admin, None, 200).await;
    let new = list.as_array().unwrap().iter().find(|s| s["login"] == "iidabashi.new").unwrap()["staff_id"].clone();
    let new = new.as_str().unwrap();
    walk.expect("POST", &format!("/api/v1/staff/admin/staff/{new}/deactivate"), admin, None, 204).await;
    walk.expect("POST", &format!("/api/v1/staff/admin/staff/{new}/reactivate"), admin, None, 204).await;
    walk.expect("POST", &format!("/api/v1/staff/admin/staff/{new}/reactivate"), staff, None, 403).await;
    let office = json!({"code": "1302", "name": "ハローワーク新宿", "phone": "03-3200-8609"});
    walk.expect("POST", "/api/v1/staff/admin/offices", admin, Some(office), 201).await;
    let shinjuku =
        json!({"name": "ハローワーク新宿", "phone": "03-3200-8609", "address": "東京都新宿区歌舞伎町2-42-10"});
    walk.expect("PUT", "/api/v1/staff/admin/offices/1302", admin, Some(json!({"name": ""})), 422).await;
    walk.expect("PUT", "/api/v1/staff/admin/offices/1302", admin, Some(shinjuku), 200).await;
    walk.expect("POST", "/api/v1/staff/admin/offices/1302/close", staff, None, 403).await;
    walk.expect("POST", "/api/v1/staff/admin/offices/1302/close", admin, None, 200).await;
    walk.expect("POST", "/api/v1/staff/admin/offices/1302/close", admin, None, 409).await;
    let terms = json!({"kind": "mypage_terms", "body": "第2版の本文"});
    walk.expect("POST", "/api/v1/staff/admin/terms", admin, Some(terms), 201).await;
    walk.expect("POST", "/api/v1/staff/admin/terms", admin, Some(json!({"kind": "eula", "body": "x"})), 400).await;
    let now = kit.clock.now();
    kit.request_key(FlowPurpose::SignUp, "dead@example.jp").await;
    let claimed = kit.store.claim(now, 10, now + chrono::Duration::minutes(5)).await.unwrap();
    let dead = claimed.iter().find(|c| c.mail.to.as_str() == "dead@example.jp").unwrap().mail.id;
    kit.store.mark_dead(dead, "550 5.1.1 no such user").await.unwrap();
    walk.expect("GET", "/api/v1/staff/admin/dead-mails", admin, None, 200).await;
    walk.expect("POST", &format!("/api/v1/staff/admin/dead-mails/{dead}/requeue"), admin, None, 204).await;
    walk.expect("POST", &format!("/api/v1/staff/admin/dead-mails/{dead}/requeue"), admin, None, 404).await;

    // The account's care (R19), on an account of its own.
    kit.sign_up("care@example.jp").await;
    let care = json!({"email": "care@example.jp", "password": TEST_PASSWORD});
    let first = walk.expect("POST", "/api/v1/sessions", None, Some(care.clone()), 201).await["token"].clone();
    let other = walk.expect("POST", "/api/v1/sessions", None, Some(care), 201).await["token"].clone();
    let (first, other) = (first.as_str().unwrap().to_owned(), other.as_str().unwrap().to_owned());
    let listed = walk.expect("GET", "/api/v1/mypage/account/sessions", Some(&first), None, 200).await;
    let others_handle =
        listed.as_array().unwrap().iter().find(|s| s["current"] == json!(false)).unwrap()["handle"].clone();
    let end_one = format!("/api/v1/mypage/account/sessions/{}", others_handle.as_str().unwrap());
    walk.expect("DELETE", &end_one, Some(&first), None, 204).await;
    walk.expect("DELETE", &end_one, Some(&first), None, 404).await;
    walk.expect("GET", "/api/v1/mypage/account/sessions", Some(&other), None, 401).await;
    walk.expect("DELETE", "/api/v1/mypage/account/other-sessions", Some(&first), None, 200).await;
    let change = |current: &str, new: &str| json!({"current_password": current, "password": new, "confirmation": new});
    let password = "/api/v1/mypage/account/password";
    walk.expect("PUT", password, Some(&first), Some(change("Wrong#Pass123", "Atarashii#Pass77")), 401).await;
    walk.expect("PUT", password, Some(&first), Some(change(TEST_PASSWORD, "short")), 400).await;
    let renewed =
        walk.expect("PUT", password, Some(&first), Some(change(TEST_PASSWORD, "Atarashii#Pass77")), 200).await;
    let care_token = renewed["token"].as_str().unwrap().to_owned();
    let mine = Some(care_token.as_str());
    let ask = |email: &str| json!({"current_password": "Atarashii#Pass77", "email": email});
    walk.expect("POST", "/api/v1/mypage/account/email", mine, Some(ask("x")), 400).await;
    let flow = walk.expect("POST", "/api/v1/mypage/account/email", mine, Some(ask("cared@example.jp")), 202).await;
    let flow = flow["flow_token"].clone();
    walk.expect("POST", "/api/v1/mypage/account/email/resend", mine, Some(json!({"flow_token": flow})), 202).await;
    walk.expect("POST", "/api/v1/mypage/account/email/resend", mine, Some(json!({"flow_token": "x"})), 404).await;
    let confirm = "/api/v1/mypage/account/email/confirm";
    let wrong = json!({"flow_token": flow, "auth_key": "ZZZZZ-22222"});
    walk.expect("POST", confirm, mine, Some(wrong), 401).await;
    let key = kit.store.last_auth_key_to("cared@example.jp").await.unwrap();
    walk.expect("POST", confirm, mine, Some(json!({"flow_token": flow, "auth_key": key})), 200).await;
    let close = "/api/v1/mypage/account/close";
    walk.expect("POST", close, mine, Some(json!({"current_password": "Wrong#Pass123"})), 401).await;
    walk.expect("POST", close, mine, Some(json!({"current_password": "Atarashii#Pass77"})), 204).await;
    walk.expect("GET", "/api/v1/mypage/account/sessions", mine, None, 401).await;

    // A method a path does not take, and the end of the session.
    walk.expect("PUT", "/api/v1/auth-keys", None, None, 405).await;
    walk.expect("DELETE", "/api/v1/sessions/current", me, None, 204).await;
    walk.expect("DELETE", "/api/v1/sessions/current", me, None, 401).await;

    // R21's enrolment, on a site where reviewers must have a second factor.
    let (kit, endpoint) = crate::site_with(mypage_domain::DomainConfig::default()).await;
    let client = TestClient::new(endpoint);
    let mut second = Walk { client: &client, reached: BTreeSet::new() };
    let credentials = json!({"login": "iidabashi.reviewer", "password": TEST_PASSWORD});
    let begun = second.expect("POST", "/api/v1/staff/second-factor", None, Some(credentials.clone()), 201).await;
    let secret = begun["secret"].as_str().unwrap();
    let mut confirm = credentials.clone();
    confirm["code"] = json!("000000");
    second.expect("POST", "/api/v1/staff/second-factor/confirm", None, Some(confirm.clone()), 400).await;
    confirm["code"] = json!(crate::second_factor::code_now(&kit, secret));
    second.expect("POST", "/api/v1/staff/second-factor/confirm", None, Some(confirm), 201).await;
    second.expect("POST", "/api/v1/staff/second-factor", None, Some(credentials.clone()), 409).await;
    second.expect("POST", "/api/v1/staff/sessions", None, Some(credentials), 401).await;
    let _ = TestKit::client();

    let reached: BTreeSet<String> = walk.reached.union(&second.reached).cloned().collect();
    let documented = contract(&client).await.operations();
    let missed: Vec<&String> = documented.difference(&reached).collect();
    assert!(missed.is_empty(), "operations the walk did not reach: {missed:?}");
}

#[tokio::test]
async fn the_check_refuses_a_null_string_an_unnamed_field_a_wrong_code_and_an_undocumented_status() {
    let (_kit, endpoint) = crate::site().await;
    let client = TestClient::new(endpoint);
    let contract = contract(&client).await;
    let json = HeaderMap::from_iter([(header::CONTENT_TYPE, "application/json; charset=utf-8".parse().unwrap())]);
    let fails = |status: StatusCode, body: &str| {
        let check = || contract.check("POST", "/api/v1/sessions", status, &json, body);
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(check)).is_err()
    };
    let error = r#"{"code": "wrong_credentials", "message": "メールアドレスまたはパスワードが正しくありません。"}"#;
    assert!(!fails(StatusCode::UNAUTHORIZED, error), "a documented error passes");
    assert!(fails(StatusCode::UNAUTHORIZED, r#"{"code": null, "message": "x"}"#), "null where a string is documented");
    assert!(fails(StatusCode::UNAUTHORIZED, r#"{"code": "x", "message": "x", "debug": "x"}"#), "a field not named");
    assert!(fails(StatusCode::UNAUTHORIZED, r#"{"message": "x"}"#), "a required field missing");
    assert!(fails(StatusCode::IM_A_TEAPOT, error), "a status the operation does not list");
    assert!(fails(StatusCode::UNAUTHORIZED, ""), "no body where one is documented");
    let overloaded = r#"{"code": "overloaded", "message": "ただいま混み合っています。"}"#;
    assert!(fails(StatusCode::SERVICE_UNAVAILABLE, overloaded), "a shed request without Retry-After");
    let mut with_retry = json.clone();
    with_retry.insert(header::RETRY_AFTER, "2".parse().unwrap());
    let check = contract.check("POST", "/api/v1/sessions", StatusCode::SERVICE_UNAVAILABLE, &with_retry, overloaded);
    assert_eq!(check.as_deref(), Some("POST /sessions"), "a shed request with Retry-After in seconds passes");
}
