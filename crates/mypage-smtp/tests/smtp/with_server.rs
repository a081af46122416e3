//! Delivery through a real SMTP server on loopback (aiosmtpd), including its failures (R7, R16).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use mail_parser::MessageParser;
use mypage_domain::model::{MailId, MailTemplate, OutgoingMail};
use mypage_domain::ports::{Clock, MailQueue, MailState, UnitOfWork};
use mypage_domain::values::EmailAddress;
use mypage_smtp::{DispatchConfig, Dispatcher, SmtpConfig, SmtpSecurity, SmtpTransport, Transport};
use mypage_testkit::{ManualClock, MemoryStore};

use crate::dispatcher::queue_every_template;
use crate::{config, every_template};
use mypage_testenv::skip;
use mypage_testenv::smtp::SmtpServer;

/// The wall clock, for the tests that wait on a real server.
struct Wall;

impl Clock for Wall {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

fn smtp(server: &SmtpServer) -> Arc<dyn Transport> {
    Arc::new(SmtpTransport::new(SmtpConfig {
        host: "127.0.0.1".into(),
        port: server.port,
        security: SmtpSecurity::Plain,
        credentials: None,
        timeout: Duration::from_secs(5),
    }))
}

fn message_ids(messages: &[Vec<u8>]) -> Vec<String> {
    messages
        .iter()
        .map(|m| MessageParser::default().parse(m).unwrap().message_id().unwrap_or_default().to_owned())
        .collect()
}

async fn server() -> Option<SmtpServer> {
    match SmtpServer::start().await {
        Ok(s) => Some(s),
        Err(why) => {
            skip(&why);
            None
        }
    }
}

#[tokio::test]
async fn r7_every_template_is_delivered_over_smtp_and_reads_back_as_sent() {
    let Some(server) = server().await else { return };
    let store = MemoryStore::new();
    queue_every_template(&store, "saiyou@example.jp").await;
    let clock = ManualClock::monday_morning();
    let d =
        Dispatcher::new(Arc::new(store.clone()), smtp(&server), Arc::new(clock), config(), DispatchConfig::default());
    assert_eq!(d.run_once().await.unwrap().sent, crate::every_template("a@example.jp").len());
    let messages = server.messages();
    assert_eq!(messages.len(), crate::every_template("a@example.jp").len());
    let mut subjects: Vec<String> =
        messages.iter().map(|m| MessageParser::default().parse(m).unwrap().subject().unwrap().to_owned()).collect();
    subjects.sort();
    let mut expected: Vec<String> =
        every_template("saiyou@example.jp").iter().map(|(_, m)| config().render(m).unwrap().subject).collect();
    expected.sort();
    assert_eq!(subjects, expected);
    let key_mail = messages
        .iter()
        .map(|m| MessageParser::default().parse(m).unwrap())
        .find(|p| p.subject() == Some("【求人者マイページ】パスワード登録申込受付通知"))
        .unwrap();
    assert!(key_mail.body_text(0).unwrap().contains("認証キー：ABCDE-23456"));
    assert_eq!(key_mail.to().unwrap().first().unwrap().address(), Some("saiyou@example.jp"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r16_a_queue_of_200_mails_survives_the_server_dying_midway_and_each_arrives_once() {
    let Some(mut server) = server().await else { return };
    let store = MemoryStore::new();
    let mut tx = store.begin().await.unwrap();
    let now = Utc::now();
    for i in 0..200u16 {
        let mut id = [0u8; 16];
        id[..2].copy_from_slice(&i.to_be_bytes());
        id[15] = 0xBB;
        let mail = OutgoingMail {
            id: MailId::from_bytes(id),
            to: EmailAddress::parse(&format!("m{i}@example.jp")).unwrap(),
            template: MailTemplate::PasswordChanged {
                at: now,
                how: mypage_domain::model::PasswordChange::Reset,
                office_name: None,
                office_phone: None,
            },
            created_at: now,
        };
        tx.outbox().enqueue(mail).await.unwrap();
    }
    tx.commit().await.unwrap();
    let config = DispatchConfig {
        batch_size: 10,
        lease: Duration::from_secs(30),
        max_attempts: 100,
        backoff_base: Duration::from_millis(100),
        backoff_cap: Duration::from_millis(400),
        idle_poll: Duration::from_millis(50),
    };
    let d = Arc::new(Dispatcher::new(Arc::new(store.clone()), smtp(&server), Arc::new(Wall), crate::config(), config));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn({
        let d = d.clone();
        async move { d.run(stopped).await }
    });
    assert!(server.wait_for(50, Duration::from_secs(30)).await >= 50);
    server.kill().await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    server.restart().await.unwrap();
    let arrived = server.wait_for(200, Duration::from_secs(60)).await;
    stop.send(true).unwrap();
    running.await.unwrap();
    let ids = message_ids(&server.messages());
    let distinct: HashSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), 200, "every mail arrived ({arrived} messages)");
    // SMTP allows one duplicate per interruption: a message accepted just before the server died, whose reply
    // never reached us, is sent again. No more than that.
    assert!(ids.len() <= 201, "{} messages for 200 mails", ids.len());
    assert!(store.depth().await.unwrap().contains(&(MailState::Sent, 200)));
}

#[tokio::test]
async fn r16_a_4xx_answer_gets_the_mail_retried_and_a_5xx_answer_makes_it_dead() {
    let Some(server) = server().await else { return };
    let store = MemoryStore::new();
    let clock = ManualClock::monday_morning();
    let mut tx = store.begin().await.unwrap();
    let mut ids = Vec::new();
    for (n, to) in [(1u8, "tempfail@example.jp"), (2, "reject@example.jp"), (3, "ok@example.jp")] {
        let mail = OutgoingMail {
            id: MailId::from_bytes([n; 16]),
            to: EmailAddress::parse(to).unwrap(),
            template: MailTemplate::PasswordChanged {
                at: clock.now(),
                how: mypage_domain::model::PasswordChange::Reset,
                office_name: None,
                office_phone: None,
            },
            created_at: clock.now(),
        };
        ids.push(mail.id);
        tx.outbox().enqueue(mail).await.unwrap();
    }
    tx.commit().await.unwrap();
    let d = Dispatcher::new(
        Arc::new(store.clone()),
        smtp(&server),
        Arc::new(clock.clone()),
        config(),
        DispatchConfig { max_attempts: 2, ..DispatchConfig::default() },
    );
    let report = d.run_once().await.unwrap();
    assert_eq!((report.sent, report.retried, report.dead), (1, 1, 1), "one connection carried the whole batch");
    assert_eq!(server.messages().len(), 1);
    clock.advance(chrono::Duration::hours(1));
    assert_eq!(d.run_once().await.unwrap().dead, 1, "the second 4xx was the last attempt");
    let dead = store.list(Some(MailState::Dead), 10).await.unwrap();
    let errors: HashSet<String> = dead.iter().filter_map(|m| m.last_error.clone()).collect();
    assert!(errors.iter().any(|e| e.starts_with("451")) && errors.iter().any(|e| e.starts_with("550")), "{errors:?}");
}

#[tokio::test]
async fn r16_a_mail_claimed_by_a_dispatcher_that_died_is_sent_once_its_lease_runs_out() {
    let Some(server) = server().await else { return };
    let store = MemoryStore::new();
    let clock = ManualClock::monday_morning();
    let (_, mail) = every_template("saiyou@example.jp").remove(0);
    let mut tx = store.begin().await.unwrap();
    tx.outbox().enqueue(mail).await.unwrap();
    tx.commit().await.unwrap();
    // A dispatcher claims the mail, then the process is killed before it sends.
    let lease = clock.now() + chrono::Duration::minutes(5);
    assert_eq!(store.claim(clock.now(), 10, lease).await.unwrap().len(), 1);
    let d = Dispatcher::new(
        Arc::new(store.clone()),
        smtp(&server),
        Arc::new(clock.clone()),
        config(),
        DispatchConfig::default(),
    );
    assert_eq!(d.run_once().await.unwrap().claimed, 0, "still leased to the dead dispatcher");
    clock.advance(chrono::Duration::minutes(6));
    assert_eq!(d.run_once().await.unwrap().sent, 1);
    assert_eq!(server.messages().len(), 1);
    assert!(store.depth().await.unwrap().contains(&(MailState::Sent, 1)));
}

#[tokio::test]
async fn r16_with_the_server_down_every_mail_of_the_batch_waits_for_the_next_attempt() {
    let Some(mut server) = server().await else { return };
    server.kill().await;
    let store = MemoryStore::new();
    let clock = ManualClock::monday_morning();
    queue_every_template(&store, "saiyou@example.jp").await;
    let d = Dispatcher::new(
        Arc::new(store.clone()),
        smtp(&server),
        Arc::new(clock.clone()),
        config(),
        DispatchConfig::default(),
    );
    assert_eq!(d.run_once().await.unwrap().retried, crate::every_template("a@example.jp").len());
    server.restart().await.unwrap();
    clock.advance(chrono::Duration::minutes(1));
    assert_eq!(d.run_once().await.unwrap().sent, crate::every_template("a@example.jp").len());
    assert_eq!(server.messages().len(), crate::every_template("a@example.jp").len());
}

/// R8: a real server receives the key mail of a batch and nothing for the withheld mails queued around it.
#[tokio::test]
async fn r8_a_withheld_mail_never_reaches_the_smtp_server() {
    let Some(server) = server().await else { return };
    let store = MemoryStore::new();
    let clock = ManualClock::monday_morning();
    let mut tx = store.begin().await.unwrap();
    tx.outbox().enqueue(crate::withheld(1, "nobody@example.jp")).await.unwrap();
    tx.outbox().enqueue(every_template("saiyou@example.jp").remove(0).1).await.unwrap();
    tx.outbox().enqueue(crate::withheld(2, "stranger@example.jp")).await.unwrap();
    tx.commit().await.unwrap();
    let d =
        Dispatcher::new(Arc::new(store.clone()), smtp(&server), Arc::new(clock), config(), DispatchConfig::default());
    let report = d.run_once().await.unwrap();
    assert_eq!((report.claimed, report.sent, report.withheld, report.dead), (3, 3, 2, 0));
    let messages = server.messages();
    assert_eq!(messages.len(), 1, "only the key mail");
    let parsed = MessageParser::default().parse(&messages[0]).unwrap();
    assert_eq!(parsed.to().unwrap().first().unwrap().address(), Some("saiyou@example.jp"));
    assert!(store.depth().await.unwrap().contains(&(MailState::Sent, 3)), "settled, and counted as the others");
}
