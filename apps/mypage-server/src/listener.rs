//! The HTTP listener: accepts connections up to a bound, serves each with hyper (HTTP/1.1, and HTTP/2 with prior
//! knowledge) and closes those that stall, so that a client cannot hold a connection open by sending nothing.
//!
//! A connection is in one of three phases, and each has its own limit:
//! - waiting for a request's line and headers, from the connection's opening or the request's first byte: the header
//!   timeout, after which the connection is closed without an answer;
//! - serving requests: no limit of the connection's own, but a request's body must arrive within the body timeout
//!   of the end of its headers, or its read fails with `TimedOut` (the site answers 408, see `mypage-http`'s
//!   `security`) and the connection is closed;
//! - idle between requests, from the end of the last answer: the idle timeout.
//!
//! poem's `Server` has only an inactivity timeout, and hyper's `header_read_timeout` also runs while a kept-alive
//! connection waits, which would cut it at the header timeout; hence this loop of our own.
//!
//! The bound is a semaphore taken before `accept`: when every slot is in use, a new connection waits in the
//! operating system's queue and is served when one closes. On shutdown the loop stops accepting, every connection
//! finishes the requests it is serving (idle ones close at once), and the loop waits for all of them, at most the
//! grace period.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::body::{Body as _, Incoming};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use poem::endpoint::BoxEndpoint;
use poem::http::uri::Scheme;
use poem::web::{LocalAddr, RemoteAddr};
use poem::{Endpoint, EndpointExt};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::time::{Instant, Sleep};

/// The limits of one listener.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// From a connection's opening, or a request's first byte, to the end of its headers.
    pub(crate) header_timeout: Duration,
    /// From the end of a request's headers to the end of its body.
    pub(crate) body_timeout: Duration,
    /// From the end of an answer to the next request's first byte.
    pub(crate) idle_timeout: Duration,
    /// Connections served at once.
    pub(crate) max_connections: u32,
}

/// What a connection is doing, which decides the timeout that runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Waiting for a request's line and headers since this instant.
    Head(Instant),
    /// Serving this many requests (HTTP/2 may serve several at once); the body timeout runs in each body's read.
    Busy(usize),
    /// No request since the last answer ended at this instant.
    Idle(Instant),
}

/// Serves `ep` on `listener` until `stop` turns true, then waits for the connections to finish, at most `grace`.
pub(crate) async fn serve(
    listener: TcpListener,
    ep: impl Endpoint + 'static,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
    grace: Duration,
) {
    let ep: Arc<BoxEndpoint<'static>> = Arc::new(ep.map_to_response().boxed());
    let slots = Arc::new(Semaphore::new(limits.max_connections as usize));
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&slots).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = stopping(&mut stop) => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, most often: wait for connections to close rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = stopping(&mut stop) => break,
        };
        let (ep, stop) = (Arc::clone(&ep), stop.clone());
        tokio::spawn(async move {
            connection(stream, peer, ep, limits, stop).await;
            drop(permit);
        });
    }
    drop(listener);
    // Every slot back means every connection closed.
    if tokio::time::timeout(grace, slots.acquire_many(limits.max_connections)).await.is_err() {
        tracing::warn!(grace_seconds = grace.as_secs(), "connections still open after the grace period are cut");
    }
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    ep: Arc<BoxEndpoint<'static>>,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let Ok(local) = stream.local_addr() else { return };
    let phase = Arc::new(watch::Sender::new(Phase::Head(Instant::now())));
    let mut phases = phase.subscribe();
    let io = TokioIo::new(Watched { inner: stream, phase: Arc::clone(&phase) });
    let service = hyper::service::service_fn(move |req: poem::http::Request<Incoming>| {
        let (ep, phase) = (Arc::clone(&ep), Arc::clone(&phase));
        async move {
            let _busy = Busy::enter(phase);
            let has_body = !req.body().is_end_stream();
            let mut req: poem::Request = (req, LocalAddr(local.into()), RemoteAddr(peer.into()), Scheme::HTTP).into();
            if has_body {
                let body = req.take_body().into_async_read();
                req.set_body(poem::Body::from_async_read(Deadline::new(body, limits.body_timeout)));
            }
            Ok::<poem::http::Response<_>, Infallible>(ep.get_response(req).await.into())
        }
    });
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // Our header timeout replaces hyper's, which would also run between requests.
    builder.http1().header_read_timeout(None);
    // As poem's server: a bound on HTTP/2 streams reset by the client (the "rapid reset" attack) and on headers.
    builder.http2().max_pending_accept_reset_streams(Some(20)).max_header_list_size(16 * 1024);
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        why = stalled(&mut phases, limits) => {
            tracing::debug!(peer = %peer, why, "closing a stalled connection");
            return;
        }
        () = stopping(&mut stop) => {}
    }
    // Shutting down: an idle connection closes now, a busy one after its answers.
    conn.as_mut().graceful_shutdown();
    tokio::select! {
        _ = conn => {}
        why = stalled(&mut phases, limits) => tracing::debug!(peer = %peer, why, "closing a stalled connection"),
    }
}

/// Returns once `stop` is true (or its sender gone).
async fn stopping(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}

/// Returns when the connection has stayed in its waiting phase past that phase's limit, with the phase's name.
async fn stalled(phases: &mut watch::Receiver<Phase>, limits: Limits) -> &'static str {
    loop {
        let phase = *phases.borrow_and_update();
        let (deadline, why) = match phase {
            Phase::Head(since) => (since + limits.header_timeout, "no complete request headers in time"),
            Phase::Idle(since) => (since + limits.idle_timeout, "idle"),
            Phase::Busy(_) => {
                if phases.changed().await.is_err() {
                    std::future::pending::<()>().await;
                }
                continue;
            }
        };
        tokio::select! {
            () = tokio::time::sleep_until(deadline) => {
                if !phases.has_changed().unwrap_or(false) {
                    return why;
                }
            }
            changed = phases.changed() => {
                if changed.is_err() {
                    std::future::pending::<()>().await;
                }
            }
        }
    }
}

/// Marks a request in service for as long as it lives.
struct Busy(Arc<watch::Sender<Phase>>);

impl Busy {
    fn enter(phase: Arc<watch::Sender<Phase>>) -> Self {
        phase.send_modify(|p| *p = if let Phase::Busy(n) = *p { Phase::Busy(n + 1) } else { Phase::Busy(1) });
        Self(phase)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.send_modify(|p| {
            *p = match *p {
                Phase::Busy(n) if n > 1 => Phase::Busy(n - 1),
                _ => Phase::Idle(Instant::now()),
            }
        });
    }
}

/// The connection's socket, noting the first byte of a request that arrives on an idle connection.
struct Watched {
    inner: TcpStream,
    phase: Arc<watch::Sender<Phase>>,
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.phase.send_if_modified(|p| match *p {
                Phase::Idle(_) => {
                    *p = Phase::Head(Instant::now());
                    true
                }
                Phase::Head(_) | Phase::Busy(_) => false,
            });
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A request body that fails with `TimedOut` once its deadline has passed, however it trickles in.
struct Deadline<R> {
    inner: R,
    deadline: Pin<Box<Sleep>>,
}

impl<R> Deadline<R> {
    fn new(inner: R, limit: Duration) -> Self {
        Self { inner, deadline: Box::pin(tokio::time::sleep(limit)) }
    }

    fn timed_out() -> io::Error {
        io::Error::new(io::ErrorKind::TimedOut, "the request body did not arrive in time")
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for Deadline<R> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        if self.deadline.is_elapsed() {
            return Poll::Ready(Err(Self::timed_out()));
        }
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Pending if self.deadline.as_mut().poll(cx).is_ready() => Poll::Ready(Err(Self::timed_out())),
            polled => polled,
        }
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncReadExt;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_body_that_stops_half_way_fails_with_timed_out_at_its_deadline() {
        let (mut client, server) = tokio::io::duplex(64);
        tokio::io::AsyncWriteExt::write_all(&mut client, b"half").await.unwrap();
        let mut body = Deadline::new(server, Duration::from_secs(5));
        let mut buf = [0; 16];
        assert_eq!(body.read(&mut buf).await.unwrap(), 4);
        let started = Instant::now();
        let err = body.read(&mut buf).await.unwrap_err();
        assert_eq!((err.kind(), started.elapsed()), (io::ErrorKind::TimedOut, Duration::from_secs(5)));
    }

    #[tokio::test(start_paused = true)]
    async fn a_connection_is_stalled_by_the_limit_of_the_phase_it_waits_in() {
        let limits = Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(75),
            max_connections: 1,
        };
        let opened = Instant::now();
        let phase = Arc::new(watch::Sender::new(Phase::Head(opened)));
        let mut phases = phase.subscribe();
        assert_eq!(stalled(&mut phases, limits).await, "no complete request headers in time");
        assert_eq!(opened.elapsed(), Duration::from_secs(10));

        // A request in service is not cut, however long it takes; the idle time runs from its answer.
        let busy = Busy::enter(Arc::clone(&phase));
        let waiting = tokio::spawn(async move { stalled(&mut phases, limits).await });
        tokio::time::sleep(Duration::from_secs(600)).await;
        assert!(!waiting.is_finished());
        let answered = Instant::now();
        drop(busy);
        assert_eq!(waiting.await.unwrap(), "idle");
        assert_eq!(answered.elapsed(), Duration::from_secs(75));
    }
}
