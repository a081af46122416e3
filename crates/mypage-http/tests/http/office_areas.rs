//! The office of jurisdiction found from where the employer works (issue 13, point 5; case C): an office's areas
//! (管轄区域) edited on its page and through the API, the lookup on the 求人申し込み実績 screen, and `GET /offices`
//! filtered by place.

use mypage_domain::usecases::AdminActor;
use mypage_domain::values::{OfficeAreaInput, OfficeDetailsInput, StaffRole};
use mypage_testkit::{TEST_PASSWORD, TestKit};
use poem::Endpoint;
use poem::http::StatusCode;
use poem::test::TestClient;
use serde_json::json;

use crate::api::call;
use crate::corrections::{api_login, staff_login};
use crate::{Browser, site};

/// Gives the office `code` the areas of `lines` (「都道府県 市区町村」), as its admin would.
async fn give_areas(kit: &TestKit, code: &str, name: &str, phone: &str, lines: &[&str]) {
    let areas = lines.iter().map(|l| OfficeAreaInput::from_line(l)).collect();
    let input = OfficeDetailsInput {
        name: name.into(),
        phone: phone.into(),
        areas: Some(areas),
        ..OfficeDetailsInput::default()
    };
    kit.mypage
        .edit_office(AdminActor::System, code, &input, &mypage_domain::model::ClientInfo::system())
        .await
        .unwrap();
}

/// A signed-up employer, logged in through the pages.
async fn employer<'a, E: Endpoint>(client: &'a TestClient<E>, kit: &TestKit, email: &str) -> Browser<'a, E> {
    kit.sign_up(email).await;
    let mut b = Browser::new(client);
    b.get("/login").await;
    let home = b.post("/login", &[("email", email), ("password", TEST_PASSWORD)]).await;
    assert_eq!(home.location.as_deref(), Some("/mypage"));
    b
}

fn query(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

#[tokio::test]
async fn case_c_the_history_screen_finds_the_office_of_a_place_keeps_what_was_typed_and_links_to_choose_it() {
    let (kit, ep) = site().await;
    give_areas(&kit, "1301", "ハローワーク飯田橋", "03-3812-8609", &["東京都 千代田区", "東京都 八丈町"]).await;
    give_areas(&kit, "2701", "ハローワーク大阪東", "06-6942-4771", &["大阪府 大阪市中央区"]).await;
    let client = TestClient::new(ep);
    let mut b = employer(&client, &kit, "kankatsu@example.jp").await;

    let page = b.get("/mypage/history").await;
    assert!(page.body.contains("id=\"office-lookup\"") && page.body.contains("<option value=\"沖縄県\">"));
    assert!(!page.body.contains("id=\"lookup-result\""), "nothing is looked up before it is asked");

    let page =
        b.get(&format!("/mypage/history?{}", query(&[("prefecture", "大阪府"), ("municipality", "中央区")]))).await;
    assert_eq!(page.status, StatusCode::OK);
    let result = page.body.split("id=\"lookup-result\"").nth(1).expect("a result is shown");
    let result = result.split("</div>").next().unwrap();
    assert!(result.contains("ハローワーク大阪東") && result.contains("電話番号：06-6942-4771"), "{result}");
    assert!(!result.contains("ハローワーク飯田橋"));
    assert!(page.body.contains("<option value=\"大阪府\" selected>") && page.body.contains("value=\"中央区\""));
    assert!(page.body.contains("id=\"first\" name=\"choice\" value=\"first\" checked"), "the first-time answer shows");
    let choose = format!(
        "/mypage/history?{}#office",
        query(&[("prefecture", "大阪府"), ("municipality", "中央区"), ("office", "2701")])
    );
    assert!(page.body.contains(&choose.replace('&', "&amp;")), "{}", page.body);

    let page = b.get(&choose.replace("#office", "")).await;
    assert!(page.body.contains("<option value=\"2701\" selected>"), "the office found is chosen");
    assert!(page.body.contains("value=\"中央区\""), "and the place typed is kept");

    let nowhere = format!("/mypage/history?{}", query(&[("prefecture", "北海道"), ("municipality", "札幌市")]));
    let page = b.get(&nowhere).await;
    assert!(page.body.contains("北海道 札幌市を管轄するハローワークは見つかりませんでした"), "{}", page.body);
}

#[tokio::test]
async fn r14_an_office_admin_enters_its_areas_one_a_line_and_a_wrong_line_is_named_beside_the_field() {
    let (kit, endpoint) = site().await;
    kit.staff("1301", "iidabashi.admin", &[StaffRole::OfficeAdmin]).await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    staff_login(&mut b, "iidabashi.admin").await;
    let page = b.get("/staff/admin/offices/1301").await;
    assert!(page.body.contains("<textarea id=\"areas\" name=\"areas\""), "{}", page.body);

    let typed = "東京都 千代田区\n東京 中央区\n\n東京都";
    let page = b.post("/staff/admin/offices/1301", &[("name", "ハローワーク飯田橋"), ("areas", typed)]).await;
    assert_eq!(page.status, StatusCode::OK);
    let beside =
        page.body.split("id=\"areas-error\"").nth(1).expect("the areas' message").split("</p>").next().unwrap();
    assert!(beside.contains("2行目") && beside.contains("4行目") && !beside.contains("1行目"), "{beside}");
    assert!(page.body.contains(typed), "what was typed comes back");
    assert!(kit.mypage.offices_serving("東京都", "千代田区").await.unwrap().is_empty(), "nothing was saved");

    let page = b
        .post(
            "/staff/admin/offices/1301",
            &[("name", "ハローワーク飯田橋"), ("areas", "東京都　千代田区\r\n東京都文京区\r\n")],
        )
        .await;
    assert!(page.body.contains("ハローワークの情報を保存しました"), "{}", page.body);
    assert!(page.body.contains("東京都 千代田区\n東京都 文京区\n"), "the areas come back one a line");
    let found = kit.mypage.offices_serving("東京都", "文京").await.unwrap();
    assert_eq!(found.iter().map(|o| o.code().as_str()).collect::<Vec<_>>(), ["1301"]);
}

#[tokio::test]
async fn the_api_edits_an_offices_areas_and_lists_the_offices_serving_a_place() {
    let (kit, endpoint) = site().await;
    kit.staff("1301", "central.admin", &[StaffRole::CentralAdmin]).await;
    let client = TestClient::new(endpoint);
    let central = api_login(&client, "central.admin").await;
    let areas = json!({"name": "ハローワーク大阪東", "phone": "06-6942-4771",
        "areas": [{"prefecture": "大阪府", "municipality": "大阪市中央区"}, {"prefecture": "大阪府", "municipality": "大阪市浪速区"}]});
    let (status, office) = call(&client, "PUT", "/api/v1/staff/admin/offices/2701", Some(&central), Some(areas)).await;
    assert_eq!(status, StatusCode::OK, "{office}");
    assert_eq!(office["areas"][1], json!({"prefecture": "大阪府", "municipality": "大阪市浪速区"}));
    let kept = json!({"name": "ハローワーク大阪東", "phone": "06-6942-4771"});
    let (_, office) = call(&client, "PUT", "/api/v1/staff/admin/offices/2701", Some(&central), Some(kept)).await;
    assert_eq!(office["areas"].as_array().map(Vec::len), Some(2), "areas left out are kept");
    let bad = json!({"name": "ハローワーク大阪東", "areas": [{"prefecture": "大阪", "municipality": "中央区"}]});
    let (status, answer) = call(&client, "PUT", "/api/v1/staff/admin/offices/2701", Some(&central), Some(bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (answer["fields"][0]["field"].as_str(), answer["fields"][0]["code"].as_str()),
        (Some("areas"), Some("unknown_choice"))
    );

    let path = format!("/api/v1/offices?{}", query(&[("prefecture", "大阪府"), ("municipality", "浪速区")]));
    let (status, offices) = call(&client, "GET", &path, None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(offices, json!([{"code": "2701", "name": "ハローワーク大阪東", "phone": "06-6942-4771"}]));
    let path = format!("/api/v1/offices?{}", query(&[("prefecture", "東京都"), ("municipality", "浪速区")]));
    assert_eq!(call(&client, "GET", &path, None, None).await.1, json!([]));
    let path = format!("/api/v1/offices?{}", query(&[("prefecture", "大阪府")]));
    assert_eq!(call(&client, "GET", &path, None, None).await.1, json!([]), "a place needs its municipality");
    let (_, all) = call(&client, "GET", "/api/v1/offices", None, None).await;
    assert_eq!(all.as_array().map(Vec::len), Some(2), "without a place every open office is listed");
}
