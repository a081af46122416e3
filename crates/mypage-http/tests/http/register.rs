//! R18 on the console and in the API: counter staff upload the office's register file (Shift_JIS here, as an
//! office's system writes it), see each line that cannot be imported with its line number and reason before
//! anything is written, then import; the API reports the same, and refuses those who may not import (R14).

use mypage_testkit::TEST_PASSWORD;
use poem::http::{StatusCode, header};
use poem::test::TestClient;
use serde_json::{Value, json};

use crate::api::call;
use crate::{Browser, site};

/// A register file in Shift_JIS (CP932): `lines` after the header.
fn sjis_file(lines: &[&str]) -> Vec<u8> {
    let text = format!("事業所番号,事業所名称,事業所名称フリガナ,所在地\r\n{}\r\n", lines.join("\r\n"));
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
    assert!(!unmappable);
    bytes.into_owned()
}

const LINES: [&str; 3] = [
    "1301-000001-1,株式会社いろは,イロハ,東京都新宿区",
    "1301-0000,番号の誤り,,",
    "2701-000001-1,大阪の事業所,,大阪府大阪市",
];

#[tokio::test]
async fn r18_counter_staff_check_a_shift_jis_register_see_its_bad_lines_then_import_the_good_ones() {
    let (kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    b.get("/staff/login").await;
    b.post("/staff/login", &[("login", "iidabashi.counter"), ("password", TEST_PASSWORD)]).await;
    let menu = b.get("/staff").await;
    assert!(menu.body.contains("href=\"/staff/establishments/import\""), "the menu links the import");
    let form = b.get("/staff/establishments/import").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("enctype=\"multipart/form-data\""));

    let none = b.upload("/staff/establishments/import", &[], Some(("file", Vec::new()))).await;
    assert!(none.body.contains("事業所台帳ファイルを選んでください。"), "{}", none.body);

    let checked = b.upload("/staff/establishments/import", &[], Some(("file", sjis_file(&LINES)))).await;
    assert_eq!(checked.status, StatusCode::OK);
    assert!(checked.body.contains("Shift_JIS (CP932)"), "{}", checked.body);
    assert!(checked.body.contains("<td>3</td>") && checked.body.contains("事業所番号：事業所番号は11桁"));
    assert!(checked.body.contains("<td>4</td>") && checked.body.contains("ほかのハローワークの事業所番号です"));
    assert!(checked.body.contains("新規 0件、更新 0件、変更なし 0件、取り込めない行 2件"), "{}", checked.body);
    assert!(!checked.body.contains("/staff/establishments/import/commit"), "nothing to import while lines are wrong");
    let before = kit.store.read(|t| t.establishments().count()).await;

    let skipping =
        b.upload("/staff/establishments/import", &[("skip_invalid", "on")], Some(("file", sjis_file(&LINES)))).await;
    assert!(skipping.body.contains("新規 1件、更新 0件、変更なし 0件、取り込めない行 2件"), "{}", skipping.body);
    assert_eq!(kit.store.read(|t| t.establishments().count()).await, before, "a check writes nothing");
    let start = skipping.body.find("name=\"content\"").unwrap();
    let text = &skipping.body[skipping.body[start..].find('>').unwrap() + start + 1..];
    let text = text[..text.find("</textarea>").unwrap()].replace("&amp;", "&");
    let fields = [("content", text.as_str()), ("skip_invalid", "on")];
    let done = b.upload("/staff/establishments/import/commit", &fields, None).await;
    assert!(done.body.contains("事業所台帳を取り込みました。新規 1件"), "{}", done.body);
    assert_eq!(kit.store.read(|t| t.establishments().count()).await, before + 1);
    let found = b.get("/staff/establishments?q=%E3%81%84%E3%82%8D%E3%81%AF").await;
    assert!(found.body.contains("1301-000001-1"), "the imported establishment is found");
}

/// Sends a register file to the API as `token`; the status and the body, checked against the document.
async fn import<E: poem::Endpoint>(
    client: &TestClient<E>,
    token: &str,
    query: &str,
    file: Vec<u8>,
) -> (StatusCode, Value) {
    let path = format!("/api/v1/staff/establishments/import{query}");
    let response = client
        .post(&path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .content_type("text/csv")
        .body(file)
        .send()
        .await;
    let status = response.0.status();
    let headers = response.0.headers().clone();
    let text = response.0.into_body().into_string().await.unwrap();
    crate::contract::contract(client).await.check("POST", &path, status, &headers, &text);
    (status, serde_json::from_str(&text).unwrap())
}

async fn token<E: poem::Endpoint>(client: &TestClient<E>, login: &str) -> String {
    let body = json!({"login": login, "password": TEST_PASSWORD});
    let (status, answer) = call(client, "POST", "/api/v1/staff/sessions", None, Some(body)).await;
    assert_eq!(status, StatusCode::CREATED);
    answer["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn r18_the_api_reports_each_line_imports_once_and_refuses_reviewers() {
    let (_kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let counter = token(&client, "iidabashi.counter").await;
    let (status, report) = import(&client, &counter, "", sjis_file(&LINES)).await;
    assert_eq!((status, report["written"].as_bool()), (StatusCode::OK, Some(false)), "{report}");
    assert_eq!(report["summary"], "imported 0, updated 0, unchanged 0, rejected 2");
    assert_eq!(report["rejected"][0]["line"], 3);
    assert_eq!(report["rejected"][0]["problems"][0]["code"], "invalid_establishment_number");
    assert_eq!(report["rejected"][1]["problems"][0]["code"], "outside_office");
    let (_, dry) = import(&client, &counter, "?dry_run=true&skip_invalid=true", sjis_file(&LINES)).await;
    assert_eq!(
        (dry["summary"].as_str(), dry["written"].as_bool()),
        (Some("imported 1, updated 0, unchanged 0, rejected 2"), Some(false))
    );
    let (_, done) = import(&client, &counter, "?skip_invalid=true", sjis_file(&LINES)).await;
    assert_eq!(
        (done["summary"].as_str(), done["written"].as_bool()),
        (Some("imported 1, updated 0, unchanged 0, rejected 2"), Some(true))
    );
    let (_, again) = import(&client, &counter, "?skip_invalid=true", sjis_file(&LINES)).await;
    assert_eq!(again["summary"], "imported 0, updated 0, unchanged 1, rejected 2");

    let (status, refused) = import(&client, &counter, "", b"\xff\xfe\x00garbage".to_vec()).await;
    assert_eq!((status, refused["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_register_file")));
    let (status, refused) = import(&client, &counter, "", "事業所番号,代表者\n".as_bytes().to_vec()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(refused["message"].as_str().unwrap().contains("「代表者」という列は取り込めません"), "{refused}");
    let reviewer = token(&client, "iidabashi.reviewer").await;
    let (status, refused) = import(&client, &reviewer, "", sjis_file(&LINES)).await;
    assert_eq!((status, refused["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_permitted")));
}

#[tokio::test]
async fn r18_only_a_staff_session_may_send_a_register_file_larger_than_any_form() {
    let (_kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    // 160 KiB of good lines: over the 64 KiB every other body is held to.
    let lines: Vec<String> = (1..=4000).map(|i| format!("1301-{i:06}-1,株式会社大きな台帳{i},,")).collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let file = sjis_file(&lines);
    assert!(file.len() > 100 * 1024);
    for token in [None, Some("not-a-session".to_owned())] {
        let mut request = client.post("/api/v1/staff/establishments/import?dry_run=true").content_type("text/csv");
        if let Some(t) = &token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let response = request.body(file.clone()).send().await;
        response.assert_status(StatusCode::PAYLOAD_TOO_LARGE);
    }
    let counter = token(&client, "iidabashi.counter").await;
    let (status, report) = import(&client, &counter, "?dry_run=true", file).await;
    assert_eq!((status, report["imported"].as_u64()), (StatusCode::OK, Some(4000)), "{report}");
}

#[tokio::test]
async fn r18_the_api_takes_csv_labelled_with_its_charset_and_refuses_other_bodies() {
    let (_kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let counter = token(&client, "iidabashi.counter").await;
    let send = |content_type: &'static str| {
        client
            .post("/api/v1/staff/establishments/import?dry_run=true")
            .header(header::AUTHORIZATION, format!("Bearer {counter}"))
            .content_type(content_type)
            .body(sjis_file(&LINES[..1]))
            .send()
    };
    send("text/csv; charset=Shift_JIS").await.assert_status(StatusCode::OK);
    send("TEXT/CSV").await.assert_status(StatusCode::OK);
    send("application/json").await.assert_status(StatusCode::BAD_REQUEST);
}
