//! Corrections at the counter through the API (R12): counter staff look up a registration of their office that still
//! waits for its password, correct its address, or withdraw it. A registration of another office is not found, as
//! one that does not exist (R14); the domain decides who may.

use chrono::{DateTime, Utc};
use mypage_domain::model::AccountId;
use mypage_domain::usecases::CounterRegistrationView;
use poem::Request;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::text::{Email, Text};
use super::{Api, ApiError, StaffToken, problem_response};
use crate::app::client;
use crate::problem::{Explain, Problem};

/// The counter staff's corrections.
pub(crate) struct CorrectionsApi(pub(crate) Api);

/// An address: the one to look for, or the corrected one.
#[derive(Object)]
struct EmailDto {
    email: Text<Email>,
}

/// A registration made at the counter that still waits for its password.
#[derive(Object)]
struct CounterRegistrationDto {
    account_id: String,
    email: String,
    establishment_number: String,
    establishment_name: String,
    registered_at: DateTime<Utc>,
}

impl From<CounterRegistrationView> for CounterRegistrationDto {
    fn from(view: CounterRegistrationView) -> Self {
        Self {
            account_id: view.account.to_string(),
            email: view.email.as_str().to_owned(),
            establishment_number: view.establishment_number.to_string(),
            establishment_name: view.establishment_name,
            registered_at: view.registered_at,
        }
    }
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "lookup_refused")]
enum LookupResponse {
    /// The registration.
    #[oai(status = 200)]
    Ok(Json<CounterRegistrationDto>),
    /// `invalid_email` or `invalid_request`.
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    /// `unauthenticated`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `not_permitted`: counter staff only.
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    /// `not_found`: no registration of the member's office waits for its password under this id or address.
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(LookupResponse, lookup_refused {
    400 => BadRequest,
    401 => Unauthorized,
    403 => Forbidden,
    404 => NotFound,
    503 => Unavailable + retry_after,
});

#[derive(ApiResponse)]
#[oai(bad_request_handler = "correction_refused")]
enum CorrectionResponse {
    /// Corrected, or withdrawn; the key mailed to the old address no longer works.
    #[oai(status = 204)]
    Done,
    /// `invalid_email`, `same_email` or `invalid_request`.
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    /// `unauthenticated`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `not_permitted`: counter staff only.
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    /// `not_found`: no registration of the member's office has this id.
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// `not_awaiting_password` (the employer has set the password), `email_taken`, `office_closed` (the member's
    /// office takes no new address) or `concurrent`.
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(CorrectionResponse, correction_refused {
    400 => BadRequest,
    401 => Unauthorized,
    403 => Forbidden,
    404 => NotFound,
    409 => Conflict,
    503 => Unavailable + retry_after,
});

/// The account a path names; an id that is no id names no registration of the member's office.
fn account_id(id: &str) -> Result<AccountId, Problem> {
    id.parse().map(AccountId::from_uuid).map_err(|_| Problem::counter_registration_not_found())
}

#[OpenApi]
impl CorrectionsApi {
    /// Finds a registration of the member's office that waits for its password by the address it was registered
    /// with (R12, R14). The address travels in the body, never in a URL.
    #[oai(path = "/staff/counter-registrations/lookup", method = "post")]
    async fn lookup(&self, token: StaffToken, body: Json<EmailDto>) -> LookupResponse {
        match self.0.app.mypage.find_counter_registration(token.0, &body.0.email).await {
            Ok(view) => LookupResponse::Ok(Json(view.into())),
            Err(e) => e.explain().into(),
        }
    }

    /// A registration of the member's office that waits for its password (R12, R14).
    #[oai(path = "/staff/counter-registrations/:account_id", method = "get")]
    async fn registration(&self, token: StaffToken, account_id: Path<String>) -> LookupResponse {
        let id = match self::account_id(&account_id.0) {
            Ok(id) => id,
            Err(problem) => return problem.into(),
        };
        match self.0.app.mypage.counter_registration(token.0, id).await {
            Ok(view) => LookupResponse::Ok(Json(view.into())),
            Err(e) => e.explain().into(),
        }
    }

    /// Corrects the address of a registration of the member's office that waits for its password (R12); the key
    /// mailed to the old address dies with it. Audited (R15).
    #[oai(path = "/staff/counter-registrations/:account_id/email", method = "put")]
    async fn correct(
        &self,
        req: &Request,
        token: StaffToken,
        account_id: Path<String>,
        body: Json<EmailDto>,
    ) -> CorrectionResponse {
        let id = match self::account_id(&account_id.0) {
            Ok(id) => id,
            Err(problem) => return problem.into(),
        };
        match self.0.app.mypage.correct_counter_email(token.0, id, &body.0.email, &client(req)).await {
            Ok(()) => CorrectionResponse::Done,
            Err(e) => e.explain().into(),
        }
    }

    /// Withdraws a registration of the member's office that waits for its password (R12): the account is deleted,
    /// its address free again, and the key mailed to it dies. Audited (R15).
    #[oai(path = "/staff/counter-registrations/:account_id", method = "delete")]
    async fn withdraw(&self, req: &Request, token: StaffToken, account_id: Path<String>) -> CorrectionResponse {
        let id = match self::account_id(&account_id.0) {
            Ok(id) => id,
            Err(problem) => return problem.into(),
        };
        match self.0.app.mypage.withdraw_counter_registration(token.0, id, &client(req)).await {
            Ok(()) => CorrectionResponse::Done,
            Err(e) => e.explain().into(),
        }
    }
}
