//! The holes a hostile tester found in the web adapter, each closed and attacked again here (issue #11).

use chrono::Duration;
use mypage_domain::ports::{Clock, SessionStore};
use poem::test::TestClient;

use crate::{Browser, site};

#[tokio::test]
async fn a_flood_of_anonymous_page_views_stores_no_session_and_their_forms_still_work() {
    let (kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    for _ in 0..50 {
        for path in ["/", "/login", "/start/signup", "/start/reset/email", "/staff/login", "/help"] {
            // Each view from a new client: no cookie sent back.
            let mut visitor = Browser::new(&client);
            visitor.get(path).await;
        }
    }
    let far = kit.clock.now() + Duration::days(3650);
    assert_eq!(kit.store.purge_expired(far).await.unwrap(), 0, "no session row was written");
    let mut visitor = Browser::new(&client);
    visitor.get("/login").await;
    let page = visitor.post("/login", &[("email", "nobody@example.jp"), ("password", "x")]).await;
    assert!(page.body.contains("メールアドレスまたはパスワードが正しくありません"), "the anonymous form is accepted");
    assert_eq!(kit.store.purge_expired(far).await.unwrap(), 0, "a refused login keeps nothing either");
}
