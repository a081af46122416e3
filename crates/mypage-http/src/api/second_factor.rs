//! The staff's second factor through the API (R21): the answer of a staff login that may need a code, and
//! enrolment, where a member who must enrol proves the password again at each step, gets the secret as text and as
//! an `otpauth://` URI, and confirms it with a first code for the recovery codes and a session.

use super::text::{Identifier, Secret, Text};
use mypage_domain::model::StaffId;
use mypage_domain::ports::SessionSubject;
use mypage_domain::usecases::{EnrolmentError, RecoveryCodes, StaffLoginError};
use poem::Request;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use secrecy::{ExposeSecret, SecretString};

use super::dto::SessionDto;
use super::{Api, ApiError, problem_response};
use crate::app::client;
use crate::problem::{Explain, Problem};

/// The endpoints of enrolment.
pub(crate) struct SecondFactorApi(pub(crate) Api);

/// The answer to a staff login.
#[derive(ApiResponse)]
#[oai(bad_request_handler = "staff_login_refused")]
pub(crate) enum StaffLoginResponse {
    /// Logged in.
    #[oai(status = 201)]
    Created(Json<SessionDto>),
    /// `invalid_request`: the body is not JSON of the documented shape.
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    /// `invalid_credentials`; `second_factor_required` when the member logs in with a code and sent none (send
    /// `code` or `recovery_code` with the password again); `wrong_second_factor` for a wrong or used one.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `enrolment_required`: the member must enrol a second factor first (`POST /staff/second-factor`); no
    /// session opens.
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    /// `throttled`, with `retry_after`.
    #[oai(status = 429)]
    Throttled(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(StaffLoginResponse, staff_login_refused {
    400 => BadRequest,
    401 => Unauthorized,
    403 => Forbidden,
    429 => Throttled + retry_after,
    503 => Unavailable + retry_after,
});

/// A member who must enrol, with the password.
#[derive(Object)]
struct EnrolDto {
    login: Text<Identifier>,
    password: Text<Secret>,
}

/// The secret to register in an authenticator app, shown once.
#[derive(Object)]
struct SecretDto {
    /// The secret as text (base32), for typing into the app.
    secret: String,
    /// The `otpauth://totp/…` URI a QR code carries.
    otpauth_uri: String,
}

/// A member confirming the secret with the first code the app shows.
#[derive(Object)]
struct ConfirmDto {
    login: Text<Identifier>,
    password: Text<Secret>,
    code: Text<Secret>,
}

/// Enrolment confirmed: the recovery codes, shown once, and a session.
#[derive(Object)]
struct EnrolledDto {
    /// Each works once in place of a code; keep them safe.
    recovery_codes: Vec<String>,
    /// The session the login opened.
    session: SessionDto,
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "enrolment_refused")]
enum SecretResponse {
    /// A new secret; starting again replaces it.
    #[oai(status = 201)]
    Created(Json<SecretDto>),
    /// `invalid_request`.
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    /// `invalid_credentials`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `not_permitted`.
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    /// `already_enrolled` (an admin resets it first), `second_factor_not_required`.
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    /// `throttled`, with `retry_after`.
    #[oai(status = 429)]
    Throttled(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(SecretResponse, enrolment_refused {
    400 => BadRequest,
    401 => Unauthorized,
    403 => Forbidden,
    409 => Conflict,
    429 => Throttled + retry_after,
    503 => Unavailable + retry_after,
});

#[derive(ApiResponse)]
#[oai(bad_request_handler = "confirm_refused")]
enum EnrolledResponse {
    /// Enrolled and logged in.
    #[oai(status = 201)]
    Created(Json<EnrolledDto>),
    /// `invalid_request`; `wrong_code`: not the current code of the secret.
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    /// `invalid_credentials`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `not_permitted`.
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    /// `already_enrolled`, `enrolment_not_started` (ask for a secret first), `second_factor_not_required`.
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    /// `throttled`, with `retry_after`.
    #[oai(status = 429)]
    Throttled(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(EnrolledResponse, confirm_refused {
    400 => BadRequest,
    401 => Unauthorized,
    403 => Forbidden,
    409 => Conflict,
    429 => Throttled + retry_after,
    503 => Unavailable + retry_after,
});

impl SecondFactorApi {
    /// The member who must enrol, by login and password (counted by the login throttle).
    async fn must_enrol(&self, req: &Request, login: &str, password: String) -> Result<StaffId, Problem> {
        let password = SecretString::from(password);
        match self.0.app.mypage.staff_login_with(login, &password, None, &client(req)).await {
            Ok(member) if member.must_enrol => Ok(member.staff),
            Ok(_) => Err(Problem::second_factor_not_required()),
            Err(StaffLoginError::SecondFactorRequired { .. }) => Err(EnrolmentError::AlreadyEnrolled.explain()),
            Err(e) => Err(e.explain()),
        }
    }
}

#[OpenApi]
impl SecondFactorApi {
    /// A member who must enrol a second factor (R21) gets a new secret for an authenticator app, once.
    #[oai(path = "/staff/second-factor", method = "post")]
    async fn begin(&self, req: &Request, body: Json<EnrolDto>) -> SecretResponse {
        let staff = match self.must_enrol(req, &body.0.login, body.0.password.into()).await {
            Ok(staff) => staff,
            Err(problem) => return problem.into(),
        };
        match self.0.app.mypage.begin_second_factor_enrolment(staff).await {
            Ok(enrolment) => SecretResponse::Created(Json(SecretDto {
                secret: enrolment.provisioning.secret_text.expose_secret().to_owned(),
                otpauth_uri: enrolment.provisioning.uri.expose_secret().to_owned(),
            })),
            Err(e) => e.explain().into(),
        }
    }

    /// The member confirms the secret with its current code (R21): the recovery codes, shown once, and a session.
    #[oai(path = "/staff/second-factor/confirm", method = "post")]
    async fn confirm(&self, req: &Request, body: Json<ConfirmDto>) -> EnrolledResponse {
        let ConfirmDto { login, password, code } = body.0;
        let staff = match self.must_enrol(req, &login, password.into()).await {
            Ok(staff) => staff,
            Err(problem) => return problem.into(),
        };
        let RecoveryCodes { codes, member } =
            match self.0.app.mypage.confirm_second_factor_enrolment(staff, &code, &client(req)).await {
                Ok(done) => done,
                Err(e) => return e.explain().into(),
            };
        let subject = SessionSubject::Staff(member.staff);
        let office = member.office.to_string();
        match SessionDto::open(&self.0.sessions, subject, member.staff.to_string(), &office, &client(req)).await {
            Ok(session) => EnrolledResponse::Created(Json(EnrolledDto {
                recovery_codes: codes.iter().map(|c| c.expose_secret().to_owned()).collect(),
                session,
            })),
            Err(problem) => problem.into(),
        }
    }
}
