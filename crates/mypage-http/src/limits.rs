//! A per-client limit kept in this instance's memory, for forms held across a login (see
//! `extract::HoldIfLoggedOut`): each is a stored session, so one client may hold only a few an hour. With several
//! instances, each counts its own, which bounds what one client can store on each. (The per-client limit on
//! auth-key requests, R8, is the domain's, counted in the database that every instance shares.)
//! An IPv6 client counts as its /64 network, as in the domain's limits.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use mypage_domain::ports::Clock;

/// Counts requests per client in a fixed window.
pub(crate) struct ClientLimiter {
    max: u32,
    window: Duration,
    clock: Arc<dyn Clock>,
    seen: Mutex<HashMap<IpAddr, (DateTime<Utc>, u32)>>,
}

/// Above this many clients, the expired entries are dropped before a new one is added.
const PRUNE_ABOVE: usize = 10_000;

impl ClientLimiter {
    /// `max` requests per client per `window`; `max == 0` turns the limit off.
    pub(crate) fn new(max: u32, window: Duration, clock: Arc<dyn Clock>) -> Self {
        Self { max, window, clock, seen: Mutex::new(HashMap::new()) }
    }

    /// Counts one request of `ip`; `Err(retry_after)` when the client is over its limit. A request without an
    /// address (not over TCP) is not limited here.
    pub(crate) fn check(&self, ip: Option<IpAddr>) -> Result<(), DateTime<Utc>> {
        let (Some(ip), true) = (ip, self.max > 0) else { return Ok(()) };
        let ip = client_of(ip);
        let now = self.clock.now();
        let Ok(mut seen) = self.seen.lock() else { return Ok(()) };
        if seen.len() > PRUNE_ABOVE {
            let window = self.window;
            seen.retain(|_, (start, _)| *start + window > now);
        }
        let entry = seen.entry(ip).or_insert((now, 0));
        if entry.0 + self.window <= now {
            *entry = (now, 0);
        }
        if entry.1 >= self.max {
            return Err(entry.0 + self.window);
        }
        entry.1 += 1;
        Ok(())
    }
}

/// The client an address stands for: an IPv4 address itself, an IPv6 address its /64 network, as the domain
/// counts clients.
fn client_of(ip: IpAddr) -> IpAddr {
    mypage_domain::ports::ThrottleKey::client_network(ip)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mypage_domain::ports::Clock;

    struct Fixed(Mutex<DateTime<Utc>>);
    impl Clock for Fixed {
        fn now(&self) -> DateTime<Utc> {
            *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
        }
    }

    #[test]
    fn r8_a_client_over_its_limit_waits_for_the_window_and_others_are_not_affected() {
        let t0 = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let clock = Arc::new(Fixed(Mutex::new(t0)));
        let limiter = ClientLimiter::new(3, Duration::hours(1), clock.clone());
        let a: IpAddr = [192, 0, 2, 1].into();
        let b: IpAddr = [192, 0, 2, 2].into();
        for _ in 0..3 {
            assert!(limiter.check(Some(a)).is_ok());
        }
        assert_eq!(limiter.check(Some(a)), Err(t0 + Duration::hours(1)));
        assert!(limiter.check(Some(b)).is_ok(), "another client has its own count");
        assert!(limiter.check(None).is_ok());
        *clock.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = t0 + Duration::hours(1);
        assert!(limiter.check(Some(a)).is_ok(), "a new window");
        let off = ClientLimiter::new(0, Duration::hours(1), clock);
        assert!((0..100).all(|_| off.check(Some(a)).is_ok()));
    }

    #[test]
    fn r8_the_addresses_of_one_ipv6_network_are_one_client() {
        let t0 = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let limiter = ClientLimiter::new(3, Duration::hours(1), Arc::new(Fixed(Mutex::new(t0))));
        let in_one_64 = |host: u16| IpAddr::from([0x2001, 0xdb8, 0, 1, 0, 0, 0, host]);
        for host in 1..=3 {
            assert!(limiter.check(Some(in_one_64(host))).is_ok());
        }
        assert!(limiter.check(Some(in_one_64(4))).is_err(), "a new address of the same /64 is the same client");
        assert!(limiter.check(Some(IpAddr::from([0x2001, 0xdb8, 0, 2, 0, 0, 0, 1]))).is_ok(), "another /64");
    }
}
