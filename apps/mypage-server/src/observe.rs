//! How operators see the server: logs (text for a terminal, JSON in production), a request id on every request
//! and its log lines, and Prometheus metrics at `/metrics`.
//!
//! Metrics go through the `metrics` facade into a Prometheus recorder: requests and their latency by route, and,
//! read at each scrape, the mail queue's depth by state, the mails sent, retried and given up by this instance's
//! dispatcher, and the password hashes waiting for a slot.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use mypage_credentials::Argon2Hasher;
use mypage_db::Database;
use mypage_domain::ports::{MailQueue, MailState};
use mypage_smtp::DispatchTotals;
use poem::http::{HeaderValue, StatusCode};
use poem::web::Data;
use poem::{Endpoint, IntoResponse, Request, Response, handler};
use tracing::Instrument;

use crate::config::Config;

/// Sets up logging: `MYPAGE_LOG` chooses the events, `MYPAGE_LOG_FORMAT` text or JSON.
pub(crate) fn init_logs(config: &Config) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter: tracing_subscriber::filter::Targets = config.log.parse().unwrap_or_default();
    let registry = tracing_subscriber::registry().with(filter);
    let _ = if config.log_json {
        registry.with(tracing_subscriber::fmt::layer().json().with_current_span(true).with_span_list(false)).try_init()
    } else {
        registry.with(tracing_subscriber::fmt::layer().with_target(false)).try_init()
    };
}

/// The latency buckets, in seconds: a page is a few milliseconds, a login one argon2 hash (tens of milliseconds),
/// and more than a second is worth seeing.
const BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Installs the Prometheus recorder of this process.
pub(crate) fn install_metrics() -> Result<PrometheusHandle> {
    Ok(PrometheusBuilder::new().set_buckets(BUCKETS)?.install_recorder()?)
}

/// What `/metrics` reads at each scrape.
#[derive(Clone)]
pub(crate) struct Scrape {
    pub(crate) handle: PrometheusHandle,
    pub(crate) db: Database,
    pub(crate) totals: Arc<DispatchTotals>,
    pub(crate) hasher: Argon2Hasher,
}

#[handler]
pub(crate) async fn scrape(Data(scrape): Data<&Scrape>) -> Response {
    match scrape.db.depth().await {
        Ok(depth) => {
            // Every state is reported, at zero when no mail is in it, so that an alert on "dead > 0" has a series.
            for state in [MailState::Pending, MailState::Sending, MailState::Sent, MailState::Dead] {
                let n = depth.iter().find(|(s, _)| *s == state).map_or(0, |(_, n)| *n);
                #[expect(clippy::cast_precision_loss, reason = "a queue depth is far below 2^52")]
                metrics::gauge!("mypage_mail_queue_depth", "state" => state.code()).set(n as f64);
            }
            metrics::gauge!("mypage_database_up").set(1.0);
        }
        Err(e) => {
            tracing::warn!(error = %e, "metrics: the mail queue could not be read");
            metrics::gauge!("mypage_database_up").set(0.0);
        }
    }
    let totals = &scrape.totals;
    metrics::counter!("mypage_mails_sent_total").absolute(totals.sent());
    metrics::counter!("mypage_mails_retried_total").absolute(totals.retried());
    metrics::counter!("mypage_mails_dead_total").absolute(totals.dead());
    #[expect(clippy::cast_precision_loss, reason = "a count of waiting requests is far below 2^52")]
    metrics::gauge!("mypage_password_hashes_waiting").set(scrape.hasher.waiting() as f64);
    // Requests shed under load (answered 503 `overloaded` at once), by the queue that was full (issue 15).
    metrics::counter!("mypage_requests_shed_total", "queue" => "password_hash").absolute(scrape.hasher.refused());
    metrics::counter!("mypage_requests_shed_total", "queue" => "database_writer").absolute(scrape.db.writers_refused());
    #[expect(clippy::cast_precision_loss, reason = "a count of waiting writers is far below 2^52")]
    metrics::gauge!("mypage_database_writers_waiting").set(scrape.db.writers_waiting() as f64);
    scrape.handle.run_upkeep();
    Response::builder().content_type("text/plain; version=0.0.4; charset=utf-8").body(scrape.handle.render())
}

/// The route of a path for the metrics' labels: ids become `:id`, so that the labels stay few.
fn route_label(path: &str, status: StatusCode) -> String {
    if status == StatusCode::NOT_FOUND {
        return "unmatched".into();
    }
    let segments: Vec<&str> = path
        .split('/')
        .map(|s| if s.len() >= 32 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-') { ":id" } else { s })
        .collect();
    segments.join("/")
}

/// A request id from the trusted proxy, if it looks like one.
fn forwarded_id(req: &Request) -> Option<String> {
    let id = req.header("x-request-id")?;
    (!id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)))
        .then(|| id.to_owned())
}

/// Gives every request an id (the trusted proxy's `X-Request-Id`, or a new one), runs it inside a span that
/// carries the id so that every log line of the request shows it, returns the id in `X-Request-Id`, logs the
/// outcome and records it in the metrics.
pub(crate) async fn around<E: Endpoint>(ep: Arc<E>, req: Request, trust_proxy: bool) -> poem::Result<Response> {
    let id =
        trust_proxy.then(|| forwarded_id(&req)).flatten().unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let span = tracing::info_span!("request", id = %id, method = %method, path = %path);
    let started = Instant::now();
    let result = ep.call(req).instrument(span.clone()).await;
    let mut response = match result {
        Ok(r) => r.into_response(),
        Err(e) => e.into_response(),
    };
    let elapsed = started.elapsed();
    let status = response.status();
    span.in_scope(|| {
        #[expect(clippy::cast_possible_truncation, reason = "milliseconds of one request fit in u64")]
        let ms = elapsed.as_millis() as u64;
        if status.is_server_error() {
            tracing::warn!(status = status.as_u16(), ms, "request failed");
        } else {
            tracing::info!(status = status.as_u16(), ms, "request");
        }
    });
    let route = route_label(&path, status);
    metrics::counter!("mypage_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status.as_u16().to_string()).increment(1);
    metrics::histogram!("mypage_http_request_duration_seconds", "method" => method, "route" => route)
        .record(elapsed.as_secs_f64());
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_in_paths_become_a_placeholder_and_unknown_paths_one_label() {
        let id = "0195f3a2-6c1e-7b9a-8f00-123456789abc";
        assert_eq!(
            route_label(&format!("/staff/registrations/{id}/confirm"), StatusCode::OK),
            "/staff/registrations/:id/confirm"
        );
        assert_eq!(route_label("/mypage", StatusCode::OK), "/mypage");
        assert_eq!(route_label("/wp-admin/x.php", StatusCode::NOT_FOUND), "unmatched");
    }
}
