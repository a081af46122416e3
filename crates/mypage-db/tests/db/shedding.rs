//! Load shed at SQLite's writer gate (issue 15): past `max_waiting_writers` a request's writer is refused at once
//! with `Overloaded` instead of queueing, and the writers that did queue still get their turn in order.

use std::time::{Duration, Instant};

use mypage_db::{Database, DbConfig};
use mypage_domain::ports::UnitOfWork;

use crate::harness::{TEST_OUTBOX_KEY, sqlite};

/// Polls `done` until it holds, failing after a generous deadline (a condition decides, not a sleep).
async fn until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "never happened: {what}");
        tokio::task::yield_now().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_past_the_writers_queue_bound_a_writer_is_refused_at_once_as_overloaded() {
    let fresh = sqlite().await;
    let db: Database =
        fresh.reopen(|url| DbConfig { max_waiting_writers: 2, ..DbConfig::new(url, TEST_OUTBOX_KEY) }).await;
    // One writer holds the turn, as a long transaction would: every other writer now queues or is refused.
    let holder = db.begin().await.unwrap();
    let writers: Vec<_> = (0..10)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { db.begin().await.map(drop) })
        })
        .collect();
    until("8 refused and 2 waiting", || {
        writers.iter().filter(|w| w.is_finished()).count() == 8 && db.writers_waiting() == 2
    })
    .await;
    let (refused, waiting): (Vec<_>, Vec<_>) = writers.into_iter().partition(tokio::task::JoinHandle::is_finished);
    for writer in refused {
        let err = writer.await.unwrap().unwrap_err();
        let overloaded = err.as_overloaded().expect("refused as overloaded");
        assert!(overloaded.retry_after >= Duration::from_secs(1), "{overloaded:?}");
    }
    assert_eq!(db.writers_refused(), 8);
    // A page that only reads is never refused: it does not queue at the gate.
    drop(db.begin_read().await.unwrap());
    // The turn given back, the two that queued write in their turn, and the queue is empty again.
    drop(holder);
    for writer in waiting {
        writer.await.unwrap().unwrap();
    }
    assert_eq!(db.writers_waiting(), 0);
    drop(db.begin().await.unwrap());
    drop(db);
    fresh.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_writer_dropped_while_it_waits_leaves_the_queue() {
    let fresh = sqlite().await;
    let db: Database =
        fresh.reopen(|url| DbConfig { max_waiting_writers: 1, ..DbConfig::new(url, TEST_OUTBOX_KEY) }).await;
    let holder = db.begin().await.unwrap();
    let waiter = {
        let db = db.clone();
        tokio::spawn(async move { db.begin().await.map(drop) })
    };
    until("one waiting", || db.writers_waiting() == 1).await;
    waiter.abort();
    until("the dropped writer gone from the queue", || db.writers_waiting() == 0).await;
    drop(holder);
    drop(db.begin().await.unwrap());
    assert_eq!(db.writers_refused(), 0);
    drop(db);
    fresh.finish().await;
}
