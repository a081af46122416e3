//! The dispatcher's decisions, over the in-memory queue and a scripted transport (R16).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use mypage_domain::model::MailId;
use mypage_domain::ports::{Clock, MailQueue, MailState, UnitOfWork};
use mypage_smtp::{DispatchConfig, Dispatcher, Envelope, FileTransport, SendError, Transport};
use mypage_testkit::{ManualClock, MemoryStore};

use crate::every_template;

/// A transport that answers from a script (then accepts everything) and records what it was given.
#[derive(Default)]
pub(crate) struct Scripted {
    answers: Mutex<VecDeque<Result<(), SendError>>>,
    pub(crate) sent: Mutex<Vec<Envelope>>,
    delay: Duration,
}

impl Scripted {
    fn answering(answers: Vec<Result<(), SendError>>) -> Arc<Self> {
        Arc::new(Self { answers: Mutex::new(answers.into()), ..Self::default() })
    }
}

#[async_trait]
impl Transport for Scripted {
    async fn send_batch(&self, batch: &[Envelope]) -> Vec<Result<(), SendError>> {
        tokio::time::sleep(self.delay).await;
        let mut results = Vec::new();
        for e in batch {
            let answer = self.answers.lock().unwrap().pop_front().unwrap_or(Ok(()));
            if answer.is_ok() {
                self.sent.lock().unwrap().push(e.clone());
            }
            results.push(answer);
        }
        results
    }
}

pub(crate) async fn queue_every_template(store: &MemoryStore, to: &str) -> Vec<MailId> {
    let mut tx = store.begin().await.unwrap();
    let mut ids = Vec::new();
    for (_, mail) in every_template(to) {
        ids.push(mail.id);
        tx.outbox().enqueue(mail).await.unwrap();
    }
    tx.commit().await.unwrap();
    ids
}

fn dispatcher(
    store: &MemoryStore,
    transport: Arc<dyn Transport>,
    clock: &ManualClock,
    config: DispatchConfig,
) -> Dispatcher {
    Dispatcher::new(Arc::new(store.clone()), transport, Arc::new(clock.clone()), crate::config(), config)
}

async fn state_of(store: &MemoryStore, id: MailId) -> (MailState, u32) {
    let all = store.list(None, 100).await.unwrap();
    let m = all.into_iter().find(|m| m.id == id).unwrap();
    (m.state, m.attempts)
}

#[tokio::test]
async fn r16_due_mails_are_sent_and_marked_sent() {
    let store = MemoryStore::new();
    let clock = ManualClock::monday_morning();
    let ids = queue_every_template(&store, "a@example.jp").await;
    let transport = Scripted::answering(vec![]);
    let d =
        dispatcher(&store, transport.clone(), &clock, DispatchConfig { batch_size: 5, ..DispatchConfig::default() });
    let mut sent = 0;
    loop {
        let report = d.run_once().await.unwrap();
        if report.claimed == 0 {
            break;
        }
        sent += report.sent;
    }
    assert_eq!(sent, ids.len());
    for id in ids {
        assert_eq!(state_of(&store, id).await, (MailState::Sent, 1));
    }
    assert_eq!(transport.sent.lock().unwrap().len(), crate::every_template("a@example.jp").len());
}

#[tokio::test]
async fn r16_a_temporary_failure_is_retried_later_and_after_the_last_attempt_the_mail_is_dead() {
    let store = MemoryStore::new();
    let clock = ManualClock::monday_morning();
    let mut tx = store.begin().await.unwrap();
    let (_, mail) = every_template("a@example.jp").remove(0);
    let id = mail.id;
    tx.outbox().enqueue(mail).await.unwrap();
    tx.commit().await.unwrap();
    let temp = || Err(SendError::Temporary("451 4.3.0 try later".into()));
    let transport = Scripted::answering(vec![temp(), temp(), temp()]);
    let config = DispatchConfig { max_attempts: 3, backoff_base: Duration::from_secs(60), ..DispatchConfig::default() };
    let d = dispatcher(&store, transport, &clock, config);
    assert_eq!(d.run_once().await.unwrap().retried, 1);
    assert_eq!(state_of(&store, id).await, (MailState::Pending, 1));
    assert_eq!(d.run_once().await.unwrap().claimed, 0, "not due before its backoff");
    clock.advance(chrono::Duration::seconds(60));
    assert_eq!(d.run_once().await.unwrap().retried, 1);
    clock.advance(chrono::Duration::seconds(120));
    assert_eq!(d.run_once().await.unwrap().dead, 1);
    let summary = store.list(Some(MailState::Dead), 10).await.unwrap();
    assert_eq!(summary[0].last_error.as_deref(), Some("451 4.3.0 try later"));
    assert_eq!(summary[0].attempts, 3);
    let totals = d.totals();
    assert_eq!((totals.sent(), totals.retried(), totals.dead()), (0, 2, 1), "the totals the metrics read");
}

#[tokio::test]
async fn r16_a_permanent_failure_is_dead_at_once_and_a_requeued_mail_is_sent() {
    let store = MemoryStore::new();
    let clock = ManualClock::monday_morning();
    let ids = queue_every_template(&store, "a@example.jp").await;
    let transport = Scripted::answering(vec![Err(SendError::Permanent("550 5.1.1 no such user".into()))]);
    let d =
        dispatcher(&store, transport.clone(), &clock, DispatchConfig { batch_size: 1, ..DispatchConfig::default() });
    assert_eq!(d.run_once().await.unwrap().dead, 1);
    assert_eq!(state_of(&store, ids[0]).await.0, MailState::Dead);
    assert!(store.requeue(ids[0], clock.now()).await.unwrap());
    while d.run_once().await.unwrap().claimed > 0 {}
    assert_eq!(state_of(&store, ids[0]).await, (MailState::Sent, 2));
    assert_eq!((d.totals().sent(), d.totals().dead()), (u64::try_from(ids.len()).unwrap(), 1));
}

#[test]
fn r16_backoff_doubles_up_to_the_cap_with_a_jitter_of_at_most_a_quarter() {
    let store = MemoryStore::new();
    let clock = ManualClock::monday_morning();
    let config = DispatchConfig {
        backoff_base: Duration::from_secs(30),
        backoff_cap: Duration::from_secs(600),
        ..DispatchConfig::default()
    };
    let d = dispatcher(&store, Scripted::answering(vec![]), &clock, config);
    for byte in [0u8, 128, 255] {
        let id = MailId::from_bytes([byte; 16]);
        let waits: Vec<u128> = (1..=8).map(|a| d.backoff(id, a).as_millis()).collect();
        for (attempt, wait) in waits.iter().enumerate() {
            let full = (30_000u128 << attempt).min(600_000);
            assert!(*wait <= full && *wait * 4 >= full * 3, "attempt {}: {wait} ms of {full} ms", attempt + 1);
        }
        assert!(waits.windows(2).all(|w| w[0] <= w[1]), "{waits:?}");
    }
}

#[tokio::test]
async fn r16_on_shutdown_the_batch_in_flight_is_finished_and_nothing_more_is_claimed() {
    let store = MemoryStore::new();
    let clock = ManualClock::monday_morning();
    queue_every_template(&store, "a@example.jp").await;
    let transport = Arc::new(Scripted { delay: Duration::from_millis(300), ..Scripted::default() });
    let d = Arc::new(dispatcher(
        &store,
        transport.clone(),
        &clock,
        DispatchConfig { batch_size: 4, ..DispatchConfig::default() },
    ));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn({
        let d = d.clone();
        async move { d.run(stopped).await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), running).await.unwrap().unwrap();
    assert_eq!(transport.sent.lock().unwrap().len(), 4, "the first batch was finished");
    let depth = store.depth().await.unwrap();
    let left = u64::try_from(crate::every_template("a@example.jp").len() - 4).unwrap();
    assert!(depth.contains(&(MailState::Sent, 4)) && depth.contains(&(MailState::Pending, left)), "{depth:?}");
}

#[tokio::test]
async fn the_file_transport_writes_an_eml_and_a_readable_txt_file_per_mail_named_after_its_id() {
    let folder = tempfile::tempdir().unwrap();
    let store = MemoryStore::new();
    let clock = ManualClock::monday_morning();
    let ids = queue_every_template(&store, "a@example.jp").await;
    let d =
        dispatcher(&store, Arc::new(FileTransport::new(folder.path().join("mail"))), &clock, DispatchConfig::default());
    assert_eq!(d.run_once().await.unwrap().sent, crate::every_template("a@example.jp").len());
    let mut names: Vec<String> = std::fs::read_dir(folder.path().join("mail"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = ids.iter().flat_map(|id| [format!("{id}.eml"), format!("{id}.txt")]).collect();
    expected.sort();
    assert_eq!(names, expected);
    let first = std::fs::read(folder.path().join("mail").join(format!("{}.eml", ids[0]))).unwrap();
    let parsed = mail_parser::MessageParser::default().parse(&first).unwrap();
    assert!(parsed.body_text(0).unwrap().contains("認証キー：ABCDE-23456"));
    let readable = std::fs::read_to_string(folder.path().join("mail").join(format!("{}.txt", ids[0]))).unwrap();
    assert!(readable.starts_with("To: a@example.jp\nSubject: 【求人者マイページ】パスワード登録申込受付通知\n"));
    assert!(readable.contains("認証キー：ABCDE-23456"), "a newcomer reads the key with any editor");
}

/// A log sink for one test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn r3_the_file_transport_logs_one_line_per_mail_with_a_masked_address_and_never_the_key() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt().with_writer(move || sink.clone()).with_ansi(false).finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let folder = tempfile::tempdir().unwrap();
    let store = MemoryStore::new();
    let clock = ManualClock::monday_morning();
    queue_every_template(&store, "saiyou@example.jp").await;
    let d = dispatcher(&store, Arc::new(FileTransport::new(folder.path())), &clock, DispatchConfig::default());
    d.run_once().await.unwrap();
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert_eq!(log.lines().count(), crate::every_template("a@example.jp").len(), "{log}");
    assert!(log.contains("sa***@example.jp"));
    assert!(!log.contains("saiyou@example.jp"), "the address is masked");
    assert!(!log.contains("ABCDE") && !log.contains("23456"), "no key in the log");
}

/// R8: withheld mails, queued among real ones, are marked sent and never reach the transport; the totals count them
/// with the sent ones, so that no figure tells the addresses apart.
#[tokio::test]
async fn r8_a_withheld_mail_is_marked_sent_and_never_handed_to_a_transport() {
    let store = MemoryStore::new();
    let clock = ManualClock::monday_morning();
    let mut withheld = Vec::new();
    let mut tx = store.begin().await.unwrap();
    for n in 0..3 {
        let mail = crate::withheld(n, "nobody@example.jp");
        withheld.push(mail.id);
        tx.outbox().enqueue(mail).await.unwrap();
    }
    tx.commit().await.unwrap();
    let sendable = queue_every_template(&store, "a@example.jp").await;
    let transport = Scripted::answering(vec![]);
    let d =
        dispatcher(&store, transport.clone(), &clock, DispatchConfig { batch_size: 2, ..DispatchConfig::default() });
    let mut reports = Vec::new();
    loop {
        let report = d.run_once().await.unwrap();
        if report.claimed == 0 {
            break;
        }
        reports.push(report);
    }
    assert_eq!(reports.iter().map(|r| r.withheld).sum::<usize>(), 3);
    assert_eq!(reports.iter().map(|r| r.sent).sum::<usize>(), sendable.len() + 3);
    let handed = transport.sent.lock().unwrap().clone();
    assert_eq!(handed.len(), sendable.len());
    assert!(handed.iter().all(|e| e.to == "a@example.jp" && e.template != "withheld"), "{handed:?}");
    for id in withheld {
        assert_eq!(state_of(&store, id).await, (MailState::Sent, 1));
    }
    assert_eq!(d.totals().sent(), u64::try_from(sendable.len() + 3).unwrap());
}

#[tokio::test]
async fn r8_the_file_transport_writes_nothing_for_a_withheld_mail() {
    let folder = tempfile::tempdir().unwrap();
    let store = MemoryStore::new();
    let clock = ManualClock::monday_morning();
    let mut tx = store.begin().await.unwrap();
    tx.outbox().enqueue(crate::withheld(1, "nobody@example.jp")).await.unwrap();
    tx.commit().await.unwrap();
    let d =
        dispatcher(&store, Arc::new(FileTransport::new(folder.path().join("mail"))), &clock, DispatchConfig::default());
    let report = d.run_once().await.unwrap();
    assert_eq!((report.claimed, report.sent, report.withheld), (1, 1, 1));
    let written = std::fs::read_dir(folder.path().join("mail")).map(Iterator::count).unwrap_or(0);
    assert_eq!(written, 0, "no file, no log line: nothing was sent");
}
