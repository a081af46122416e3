//! R8 across instances: two instances of the service on one database (each with its own pool, as two processes
//! would have) share one client's key limit, since it is counted in the database. Requests alternate between the
//! instances, then race on both at once; the client gets exactly its limit, on SQLite and on PostgreSQL.

use std::sync::Arc;

use mypage_db::{Database, DbConfig};
use mypage_domain::model::{ClientInfo, FlowPurpose};
use mypage_domain::usecases::{AdminActor, KeyRequest, RequestAuthKeyError};
use mypage_domain::values::{ConsentInput, TermsKind};
use mypage_domain::{DomainConfig, MyPage, Ports};
use mypage_testkit::{DeterministicKeys, FakeSecondFactor, FastHasher, ManualClock, PlainDigest};

use crate::harness::{Fresh, TEST_OUTBOX_KEY};

/// Key requests one client may make in the window, in these tests.
const LIMIT: u32 = 5;

/// One instance: the use cases over its own pool of `db`, with its own keys, on the shared clock.
fn instance(db: &Database, clock: &ManualClock, seed: u64) -> MyPage {
    let ports = Ports {
        store: Arc::new(db.clone()),
        clock: Arc::new(clock.clone()),
        keys: Arc::new(DeterministicKeys::new(seed)),
        digest: Arc::new(PlainDigest),
        hasher: Arc::new(FastHasher::new()),
        numbers: Arc::new(db.clone()),
        outbox: Arc::new(db.clone()),
        sessions: Arc::new(db.clone()),
        second_factor: Arc::new(FakeSecondFactor::default()),
    };
    MyPage::new(ports, DomainConfig { key_requests_per_client: LIMIT, ..DomainConfig::default() })
}

/// Whether one request for `email` from `client` was accepted; any refusal but the client's limit fails the test.
async fn ask(mypage: &MyPage, consent: ConsentInput, email: String, client: &ClientInfo) -> bool {
    let request = KeyRequest { purpose: FlowPurpose::SignUp, email, consent: Some(consent) };
    match mypage.request_auth_key(&request, client).await {
        Ok(_) => true,
        Err(RequestAuthKeyError::ClientLimited { .. }) => false,
        Err(other) => panic!("only the client's limit may refuse: {other:?}"),
    }
}

async fn two_instances_share_one_clients_key_limit(fresh: &Fresh) {
    let clock = ManualClock::monday_morning();
    let other_pool = fresh.reopen(|url| DbConfig::new(url, TEST_OUTBOX_KEY)).await;
    let seed = u64::from(std::process::id()) << 8;
    let instances = [instance(&fresh.db, &clock, seed), instance(&other_pool, &clock, seed + 1)];
    let sys = ClientInfo::system();
    for kind in TermsKind::ALL {
        instances[0].publish_terms(AdminActor::System, kind, "本文", &sys).await.unwrap();
    }
    let terms = instances[1].current_terms().await.unwrap().unwrap();
    let consent = ConsentInput {
        privacy_policy_agreed: true,
        mypage_terms_agreed: true,
        privacy_policy_version: terms.privacy_policy.version,
        mypage_terms_version: terms.mypage_terms.version,
    };

    // One after another, alternating between the instances: each sees the other's requests.
    let script = ClientInfo::from_ip([198, 51, 100, 7].into());
    let mut accepted = Vec::new();
    for n in 0..12 {
        let mypage = &instances[n % 2];
        accepted.push(ask(mypage, consent, format!("list{n}@example.jp"), &script).await);
    }
    let expected: Vec<bool> = (0..12).map(|n| n < LIMIT as usize).collect();
    assert_eq!(accepted, expected, "R8: the first {LIMIT} requests pass, on whichever instance");

    // All at once, half on each instance, from another client.
    let other = ClientInfo::from_ip([198, 51, 100, 8].into());
    let tasks: Vec<_> = (0..24)
        .map(|n| {
            let (mypage, client) = (instances[n % 2].clone(), other.clone());
            tokio::spawn(async move { ask(&mypage, consent, format!("burst{n}@example.jp"), &client).await })
        })
        .collect();
    let mut passed = 0;
    for task in tasks {
        passed += u32::from(task.await.unwrap());
    }
    assert_eq!(passed, LIMIT, "R8: {passed} of 24 parallel requests on two instances passed a limit of {LIMIT}");
}

mod sqlite {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn r8_two_instances_on_one_database_share_one_clients_key_limit() {
        let fresh = crate::harness::sqlite().await;
        super::two_instances_share_one_clients_key_limit(&fresh).await;
        fresh.finish().await;
    }
}

mod postgres {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn r8_two_instances_on_one_database_share_one_clients_key_limit() {
        match crate::harness::postgres().await {
            Ok(fresh) => {
                super::two_instances_share_one_clients_key_limit(&fresh).await;
                fresh.finish().await;
            }
            Err(why) => crate::harness::skip(&why),
        }
    }
}
