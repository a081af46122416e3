//! # Embedding Employer My Page in a host service
//!
//! A host — here, an office's intranet portal built on poem — mounts My Page beside its own routes and brings its
//! own adapter for one port: new establishment numbers come from the host's establishment registry
//! ([`RegistryNumbers`]) instead of `mypage-db`'s counter. Everything else is the stock adapters, wired by the
//! host (`src/main.rs`); the tests wire the same host over the testkit.
//!
//! The pages link with absolute paths, so the site is nested at `/`; the host keeps its own routes under a prefix
//! of its own (`/portal`).

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;
use mypage_domain::ports::{EstablishmentNumberAllocator, InfrastructureError};
use mypage_domain::values::{EstablishmentNumber, OfficeCode};
use poem::web::Json;
use poem::{Endpoint, EndpointExt, Route, get, handler};

/// The host's establishment registry, as far as My Page needs it: the next free number of an office.
///
/// A real host would ask its registry service here (and that service would keep the counter); this one keeps the
/// counters in memory, with serials from `first_serial` and the host's own check digit (weights 7, 3, 1).
#[derive(Debug)]
pub struct RegistryNumbers {
    first_serial: u32,
    last: Mutex<BTreeMap<String, u32>>,
}

impl RegistryNumbers {
    /// A registry whose first new serial in each office is `first_serial`.
    #[must_use]
    pub fn new(first_serial: u32) -> Self {
        Self { first_serial, last: Mutex::new(BTreeMap::new()) }
    }

    /// The host's check digit: the digits weighted 7, 3, 1 in turn, summed, modulo 10.
    #[must_use]
    pub fn check_digit(office: &OfficeCode, serial: u32) -> u8 {
        let digits = format!("{}{serial:06}", office.as_str());
        let sum: u32 = digits.bytes().zip([7u32, 3, 1].iter().cycle()).map(|(b, w)| u32::from(b - b'0') * w).sum();
        u8::try_from(sum % 10).unwrap_or(0)
    }
}

#[async_trait]
impl EstablishmentNumberAllocator for RegistryNumbers {
    async fn allocate(&self, office: &OfficeCode) -> Result<EstablishmentNumber, InfrastructureError> {
        let serial = {
            let mut last = self.last.lock().map_err(|_| InfrastructureError::new("the registry lock is poisoned"))?;
            let entry = last.entry(office.as_str().to_owned()).or_insert(self.first_serial - 1);
            *entry += 1;
            *entry
        };
        EstablishmentNumber::from_parts(office, serial, Self::check_digit(office, serial))
            .map_err(|_| InfrastructureError::new("the office's numbers are used up"))
    }
}

/// What the host's `/portal/status` says.
#[derive(serde::Serialize)]
struct Status {
    service: &'static str,
    employer_mypage: &'static str,
}

#[handler]
fn portal_status() -> Json<Status> {
    Json(Status { service: "office portal", employer_mypage: "mounted at /" })
}

/// The host's routes with My Page's `site` (from `mypage_http::routes`) mounted at `/`.
pub fn host(site: impl Endpoint + 'static) -> impl Endpoint {
    Route::new().at("/portal/status", get(portal_status)).nest("/", site).with(poem::middleware::Tracing)
}
