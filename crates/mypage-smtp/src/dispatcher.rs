//! The dispatcher (R16): claims due mails from the outbox, sends them, and marks each sent, rescheduled with
//! exponential backoff, or dead after the configured attempts. Several dispatchers may run at once; on shutdown a
//! dispatcher finishes the batch it is sending and claims nothing more.
//!
//! A withheld mail (R8) stands in for a key mail so that a key request for an unknown address does the same work;
//! the dispatcher marks it sent without building or sending anything, so no transport ever sees one.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use mypage_domain::model::MailId;
use mypage_domain::ports::{Clock, InfrastructureError, MailQueue};
use tokio::sync::watch;

use crate::message::{Envelope, build};
use crate::render::MailConfig;
use crate::transport::{SendError, Transport};

/// How the dispatcher paces itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispatchConfig {
    /// Mails claimed and sent over one connection.
    pub batch_size: usize,
    /// How long a claimed mail is reserved for this dispatcher; after that another may send it.
    pub lease: Duration,
    /// Attempts before a mail is given up (dead).
    pub max_attempts: u32,
    /// The wait after the first failure; it doubles with each further failure.
    pub backoff_base: Duration,
    /// The longest wait between two attempts.
    pub backoff_cap: Duration,
    /// How long an idle dispatcher waits before looking again.
    pub idle_poll: Duration,
}

impl Default for DispatchConfig {
    fn default() -> Self {
        Self {
            batch_size: 50,
            lease: Duration::from_secs(300),
            max_attempts: 10,
            backoff_base: Duration::from_secs(30),
            backoff_cap: Duration::from_secs(3600),
            idle_poll: Duration::from_secs(2),
        }
    }
}

/// What one round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DispatchReport {
    /// Mails claimed.
    pub claimed: usize,
    /// Marked sent: accepted by the transport, or withheld.
    pub sent: usize,
    /// Of those marked sent, the withheld ones, settled without a transport (R8).
    pub withheld: usize,
    /// Rescheduled after a temporary failure.
    pub retried: usize,
    /// Given up.
    pub dead: usize,
}

/// What a dispatcher has done since it was made: figures for the metrics, read with [`Dispatcher::totals`].
#[derive(Debug, Default)]
pub struct DispatchTotals {
    sent: AtomicU64,
    retried: AtomicU64,
    dead: AtomicU64,
}

impl DispatchTotals {
    /// Mails marked sent: accepted by the transport, or withheld (R8). The two are counted together so that the
    /// figure moves the same whatever the address a key was asked for.
    #[must_use]
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Temporary failures, rescheduled.
    #[must_use]
    pub fn retried(&self) -> u64 {
        self.retried.load(Ordering::Relaxed)
    }

    /// Mails given up.
    #[must_use]
    pub fn dead(&self) -> u64 {
        self.dead.load(Ordering::Relaxed)
    }

    fn add(&self, report: &DispatchReport) {
        let n = |x: usize| u64::try_from(x).unwrap_or(u64::MAX);
        self.sent.fetch_add(n(report.sent), Ordering::Relaxed);
        self.retried.fetch_add(n(report.retried), Ordering::Relaxed);
        self.dead.fetch_add(n(report.dead), Ordering::Relaxed);
    }
}

/// Sends the outbox.
pub struct Dispatcher {
    queue: Arc<dyn MailQueue>,
    transport: Arc<dyn Transport>,
    clock: Arc<dyn Clock>,
    mail: MailConfig,
    config: DispatchConfig,
    totals: Arc<DispatchTotals>,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher").field("config", &self.config).finish_non_exhaustive()
    }
}

fn chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

impl Dispatcher {
    /// A dispatcher over these ports.
    #[must_use]
    pub fn new(
        queue: Arc<dyn MailQueue>,
        transport: Arc<dyn Transport>,
        clock: Arc<dyn Clock>,
        mail: MailConfig,
        config: DispatchConfig,
    ) -> Self {
        Self { queue, transport, clock, mail, config, totals: Arc::default() }
    }

    /// The running totals of this dispatcher, shared: keep the handle to read them while it runs.
    #[must_use]
    pub fn totals(&self) -> Arc<DispatchTotals> {
        Arc::clone(&self.totals)
    }

    /// The wait before attempt `attempts + 1`: `base × 2^(attempts − 1)`, capped, less a jitter of up to a quarter
    /// drawn from the mail's id, so that mails failed together do not come back together.
    #[must_use]
    pub fn backoff(&self, id: MailId, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(30);
        let full = self.config.backoff_base.saturating_mul(1u32 << doublings).min(self.config.backoff_cap);
        let spread = u128::from(id.as_uuid().as_bytes()[0]) * full.as_millis() / 4 / 255;
        full.saturating_sub(Duration::from_millis(u64::try_from(spread).unwrap_or(0)))
    }

    /// Claims one batch, sends it and records each outcome.
    ///
    /// # Errors
    /// [`InfrastructureError`] when the queue cannot be read or written; a mail whose outcome could not be
    /// recorded is claimed again when its lease runs out (sent twice at worst, never lost).
    pub async fn run_once(&self) -> Result<DispatchReport, InfrastructureError> {
        let mut report = DispatchReport::default();
        let outcome = self.send_batch(&mut report).await;
        self.totals.add(&report);
        outcome.map(|()| report)
    }

    async fn send_batch(&self, report: &mut DispatchReport) -> Result<(), InfrastructureError> {
        let now = self.clock.now();
        let claimed = self.queue.claim(now, self.config.batch_size, now + chrono(self.config.lease)).await?;
        report.claimed = claimed.len();
        if claimed.is_empty() {
            return Ok(());
        }
        let mut envelopes: Vec<Envelope> = Vec::with_capacity(claimed.len());
        let mut attempts = Vec::with_capacity(claimed.len());
        for c in &claimed {
            // R8: a withheld mail is settled as sent and goes no further; `build` would refuse it anyway.
            if c.mail.template.is_withheld() {
                self.queue.mark_sent(c.mail.id, self.clock.now()).await?;
                report.sent += 1;
                report.withheld += 1;
                continue;
            }
            match build(&c.mail, &self.mail) {
                Ok(envelope) => {
                    envelopes.push(envelope);
                    attempts.push(c.attempts);
                }
                Err(e) => {
                    self.queue.mark_dead(c.mail.id, &format!("cannot build the message: {e}")).await?;
                    report.dead += 1;
                }
            }
        }
        if envelopes.is_empty() {
            return Ok(());
        }
        let results = self.transport.send_batch(&envelopes).await;
        for ((envelope, attempt), result) in envelopes.iter().zip(attempts).zip(results) {
            let id = envelope.id;
            match result {
                Ok(()) => {
                    self.queue.mark_sent(id, self.clock.now()).await?;
                    report.sent += 1;
                }
                Err(SendError::Temporary(why)) if attempt < self.config.max_attempts => {
                    let next = self.clock.now() + chrono(self.backoff(id, attempt));
                    tracing::warn!(mail = %id, to = %envelope.to_masked, attempt, error = %why, "mail will be retried");
                    self.queue.reschedule(id, next, &why).await?;
                    report.retried += 1;
                }
                Err(SendError::Temporary(why) | SendError::Permanent(why)) => {
                    tracing::error!(mail = %id, to = %envelope.to_masked, attempt, error = %why, "mail given up");
                    self.queue.mark_dead(id, &why).await?;
                    report.dead += 1;
                }
            }
        }
        Ok(())
    }

    /// Runs until `shutdown` turns true: a full batch is followed at once by the next, an empty one by a pause.
    /// A batch in progress when shutdown comes is finished, and nothing more is claimed.
    ///
    /// # Errors
    /// Never returns an error: a failing queue is logged and tried again after the idle pause.
    pub async fn run(&self, mut shutdown: watch::Receiver<bool>) {
        loop {
            if *shutdown.borrow() {
                return;
            }
            let pause = match self.run_once().await {
                Ok(report) if report.claimed == self.config.batch_size => Duration::ZERO,
                Ok(_) => self.config.idle_poll,
                Err(e) => {
                    tracing::error!(error = %e, "the mail queue failed; trying again");
                    self.config.idle_poll
                }
            };
            if !pause.is_zero() {
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
    }
}
