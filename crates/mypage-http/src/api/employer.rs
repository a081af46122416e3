//! The employer's way in through the API: the terms and the offices, auth-key flows (R1–R4, R8, R17), setting a
//! password with the key (R5, R6), and the sessions of employers (R13).

use super::text::{Email, Secret, Text, Token};
use chrono::{DateTime, Utc};
use mypage_domain::model::{FlowPurpose, Office};
use mypage_domain::ports::SessionSubject;
use mypage_domain::usecases::{KeyRequest, KeyRequested, KeySent, PasswordEntry, PasswordRegistered};
use mypage_domain::values::{ConsentInput, CurrentTerms, TermsVersion};
use poem::Request;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use secrecy::{ExposeSecret, SecretString};

use super::dto::{AccountDto, LoginResponse, SessionDto};
use super::{AnyToken, Api, ApiError, problem_response};
use crate::app::client;
use crate::problem::{Explain, Problem};

/// The employer's endpoints before and around login.
pub(crate) struct EmployerApi(pub(crate) Api);

/// The entrance of an auth-key flow.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub(crate) enum Purpose {
    /// 求人者マイページ開設（パスワード登録）: case A.
    OpenMypage,
    /// 事業所登録・求人申し込み（仮登録）: cases B and C.
    SignUp,
    /// Password reset (R17).
    ResetPassword,
}

impl From<Purpose> for FlowPurpose {
    fn from(purpose: Purpose) -> Self {
        match purpose {
            Purpose::OpenMypage => Self::OpenMyPage,
            Purpose::SignUp => Self::SignUp,
            Purpose::ResetPassword => Self::ResetPassword,
        }
    }
}

/// The versions in force and their text.
#[derive(Object)]
struct TermsDto {
    privacy_policy_version: u32,
    privacy_policy: String,
    mypage_terms_version: u32,
    mypage_terms: String,
}

impl From<CurrentTerms> for TermsDto {
    fn from(terms: CurrentTerms) -> Self {
        Self {
            privacy_policy_version: terms.privacy_policy.version.0,
            privacy_policy: terms.privacy_policy.body,
            mypage_terms_version: terms.mypage_terms.version.0,
            mypage_terms: terms.mypage_terms.body,
        }
    }
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "terms_refused")]
enum TermsResponse {
    /// The documents in force.
    #[oai(status = 200)]
    Ok(Json<TermsDto>),
    /// `unavailable`: nothing published yet, or the store failed.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(TermsResponse, terms_refused { 503 => Unavailable + retry_after });

/// An office, for the first-time applicant's choice.
#[derive(Object)]
struct OfficeDto {
    code: String,
    name: String,
    /// The phone number employers are told to call, when the office gave one.
    #[oai(skip_serializing_if_is_none)]
    phone: Option<String>,
}

impl From<Office> for OfficeDto {
    fn from(office: Office) -> Self {
        let phone = office.phone().map(str::to_owned);
        Self { code: office.code().to_string(), name: office.name().to_owned(), phone }
    }
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "offices_refused")]
enum OfficesResponse {
    /// Every open office, or those serving the place asked for, by code.
    #[oai(status = 200)]
    Ok(Json<Vec<OfficeDto>>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(OfficesResponse, offices_refused { 503 => Unavailable + retry_after });

/// The consent of R1: both documents, with the versions read.
#[derive(Object)]
struct ConsentDto {
    privacy_policy_agreed: bool,
    mypage_terms_agreed: bool,
    privacy_policy_version: u32,
    mypage_terms_version: u32,
}

impl From<ConsentDto> for ConsentInput {
    fn from(c: ConsentDto) -> Self {
        Self {
            privacy_policy_agreed: c.privacy_policy_agreed,
            mypage_terms_agreed: c.mypage_terms_agreed,
            privacy_policy_version: TermsVersion(c.privacy_policy_version),
            mypage_terms_version: TermsVersion(c.mypage_terms_version),
        }
    }
}

/// A key request.
#[derive(Object)]
struct KeyRequestDto {
    purpose: Purpose,
    /// The address; at most 254 characters.
    email: Text<Email>,
    /// Required for `open_mypage` and `sign_up`.
    consent: Option<ConsentDto>,
}

impl From<KeyRequestDto> for KeyRequest {
    fn from(dto: KeyRequestDto) -> Self {
        Self { purpose: dto.purpose.into(), email: dto.email.into(), consent: dto.consent.map(ConsentInput::from) }
    }
}

/// The answer to a key request: the same whether or not a mail was sent (R8).
#[derive(Object)]
struct KeyRequestedDto {
    /// Keep it secret; send it back with the key and the password.
    flow_token: String,
    email: String,
    expires_at: DateTime<Utc>,
    resends_left: u8,
}

impl From<KeyRequested> for KeyRequestedDto {
    fn from(requested: KeyRequested) -> Self {
        let sent = KeySentDto::from(requested.sent);
        Self {
            flow_token: requested.flow_token.expose_secret().to_owned(),
            email: sent.email,
            expires_at: sent.expires_at,
            resends_left: sent.resends_left,
        }
    }
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "key_request_refused")]
enum KeyRequestResponse {
    /// The flow started; a mail is on its way if the address is eligible.
    #[oai(status = 202)]
    Accepted(Json<KeyRequestedDto>),
    /// `invalid_email`, `consent_required`, `terms_outdated`, or `invalid_request` (not JSON of this shape).
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    /// `too_many_requests` (this address) or `client_rate_limited` (this client), with `retry_after`.
    #[oai(status = 429)]
    TooMany(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(KeyRequestResponse, key_request_refused {
    400 => BadRequest,
    429 => TooMany + retry_after,
    503 => Unavailable + retry_after,
});

/// The flow's token, for another key.
#[derive(Object)]
struct FlowTokenDto {
    flow_token: Text<Token>,
}

/// Where the newest key went.
#[derive(Object)]
struct KeySentDto {
    email: String,
    expires_at: DateTime<Utc>,
    resends_left: u8,
}

impl From<KeySent> for KeySentDto {
    fn from(sent: KeySent) -> Self {
        Self { email: sent.email.as_str().to_owned(), expires_at: sent.expires_at, resends_left: sent.resends_left }
    }
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "resend_refused")]
enum ResendResponse {
    /// Another key is on its way.
    #[oai(status = 202)]
    Accepted(Json<KeySentDto>),
    /// `invalid_request`: the body is not JSON of the documented shape.
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    /// `flow_not_found`.
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// `key_limit_reached`.
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    /// `flow_dead` or `already_used`: start again.
    #[oai(status = 410)]
    Gone(Json<ApiError>),
    /// `too_many_requests` (this address) or `client_rate_limited` (this client), with `retry_after`.
    #[oai(status = 429)]
    TooMany(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(ResendResponse, resend_refused {
    400 => BadRequest,
    404 => NotFound,
    409 => Conflict,
    410 => Gone,
    429 => TooMany + retry_after,
    503 => Unavailable + retry_after,
});

/// The key and the new password, with the flow's token.
#[derive(Object)]
struct PasswordDto {
    flow_token: Text<Token>,
    auth_key: Text<Secret>,
    password: Text<Secret>,
    confirmation: Text<Secret>,
}

impl From<PasswordDto> for PasswordEntry {
    fn from(dto: PasswordDto) -> Self {
        Self {
            flow_token: SecretString::from(dto.flow_token),
            auth_key: SecretString::from(dto.auth_key),
            password: SecretString::from(dto.password),
            confirmation: SecretString::from(dto.confirmation),
        }
    }
}

impl From<PasswordRegistered> for AccountDto {
    fn from(done: PasswordRegistered) -> Self {
        Self::new(done.account, done.status)
    }
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "password_refused")]
enum PasswordResponse {
    /// The password is set.
    #[oai(status = 201)]
    Created(Json<AccountDto>),
    /// `invalid_key`, a password rule (`password_too_short`, `password_missing_symbol`, …), or `invalid_request`.
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    /// `wrong_key`, with `remaining_attempts`.
    #[oai(status = 401)]
    WrongKey(Json<ApiError>),
    /// `flow_not_found`.
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// `email_taken`.
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    /// `key_expired` (this key; a key mailed later in the same flow may still be good), or `too_many_wrong_keys`,
    /// `flow_dead` or `already_used` (start again).
    #[oai(status = 410)]
    Gone(Json<ApiError>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(PasswordResponse, password_refused {
    400 => BadRequest,
    401 => WrongKey,
    404 => NotFound,
    409 => Conflict,
    410 => Gone,
    503 => Unavailable + retry_after,
});

/// An employer's login.
#[derive(Object)]
struct LoginDto {
    email: Text<Email>,
    password: Text<Secret>,
    /// The consent to the versions of the terms in force (`GET /terms`), needed only when the login answered 403
    /// `terms_consent_required`: a newer version was published after the account agreed (R1).
    consent: Option<ConsentDto>,
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "logout_refused")]
enum LogoutResponse {
    /// The token is void.
    #[oai(status = 204)]
    Done,
    /// `unauthenticated`: the token was not a live session.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `unavailable`: the session store failed; the token may still be live.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(LogoutResponse, logout_refused {
    401 => Unauthorized,
    503 => Unavailable + retry_after,
});

#[OpenApi]
impl EmployerApi {
    /// The privacy policy and the My Page terms in force (R1).
    #[oai(path = "/terms", method = "get")]
    async fn terms(&self) -> TermsResponse {
        match self.0.app.mypage.current_terms().await {
            Ok(Some(terms)) => TermsResponse::Ok(Json(terms.into())),
            Ok(None) => Problem::unavailable(&"no terms published").into(),
            Err(e) => Problem::unavailable(&e).into(),
        }
    }

    /// The offices open to applications, for the first-time applicant's choice (case C); a closed office is not
    /// listed (R14).
    ///
    /// With `prefecture` or `municipality`, only the offices whose areas (管轄区域) contain that place: the office
    /// of jurisdiction of an employer working there. Both are compared after NFKC normalisation; the
    /// municipality may be written without its suffix (`千代田` for `千代田区`) and a designated city's ward without
    /// its city (`中央区` for `大阪市中央区`). A place no office serves, or one of the two left empty, gives `[]`.
    #[oai(path = "/offices", method = "get")]
    async fn offices(
        &self,
        /// One of the 47 prefectures, written in full (`東京都`).
        prefecture: Query<Option<String>>,
        /// The municipality of the workplace (`千代田区`).
        municipality: Query<Option<String>>,
    ) -> OfficesResponse {
        let found = match (prefecture.0, municipality.0) {
            (None, None) => {
                self.0.app.offices().await.map(|list| list.into_iter().filter(|o| !o.is_closed()).collect())
            }
            (p, m) => {
                let (p, m) = (p.unwrap_or_default(), m.unwrap_or_default());
                self.0.app.mypage.offices_serving(&p, &m).await.map_err(|e| Problem::unavailable(&e))
            }
        };
        match found {
            Ok(list) => OfficesResponse::Ok(Json(list.into_iter().map(OfficeDto::from).collect())),
            Err(problem) => problem.into(),
        }
    }

    /// Starts an auth-key flow (R1, R2, R3, R8): a key mail to an eligible address, the same answer for any other.
    #[oai(path = "/auth-keys", method = "post")]
    async fn request_key(&self, req: &Request, body: Json<KeyRequestDto>) -> KeyRequestResponse {
        let client = client(req);
        match self.0.app.mypage.request_auth_key(&body.0.into(), &client).await {
            Ok(requested) => KeyRequestResponse::Accepted(Json(requested.into())),
            Err(e) => e.explain().into(),
        }
    }

    /// Sends another key in the same flow (R3).
    #[oai(path = "/auth-keys/resend", method = "post")]
    async fn resend(&self, req: &Request, body: Json<FlowTokenDto>) -> ResendResponse {
        let client = client(req);
        match self.0.app.mypage.resend_auth_key(&SecretString::from(body.0.flow_token), &client).await {
            Ok(sent) => ResendResponse::Accepted(Json(sent.into())),
            Err(e) => e.explain().into(),
        }
    }

    /// Sets the password with the key (cases A, B, C; R4, R5, R6).
    #[oai(path = "/passwords", method = "post")]
    async fn register_password(&self, req: &Request, body: Json<PasswordDto>) -> PasswordResponse {
        match self.0.app.mypage.register_password(&body.0.into(), &client(req)).await {
            Ok(done) => PasswordResponse::Created(Json(done.into())),
            Err(e) => e.explain().into(),
        }
    }

    /// Resets a forgotten password with the key of a reset flow (R17).
    #[oai(path = "/password-resets", method = "post")]
    async fn reset_password(&self, req: &Request, body: Json<PasswordDto>) -> PasswordResponse {
        match self.0.app.mypage.reset_password(&body.0.into(), &client(req)).await {
            Ok(done) => PasswordResponse::Created(Json(done.into())),
            Err(e) => e.explain().into(),
        }
    }

    /// Logs an employer in (R13); returns a bearer token. When a newer version of the terms was published after the
    /// account agreed, the login answers 403 `terms_consent_required` until it is sent again with `consent` to the
    /// versions in force (R1).
    #[oai(path = "/sessions", method = "post")]
    async fn login(&self, req: &Request, body: Json<LoginDto>) -> LoginResponse {
        let password = SecretString::from(body.0.password);
        let from = client(req);
        let logged_in = match self.0.app.mypage.login(&body.0.email, &password, &from).await {
            Ok(logged_in) => logged_in,
            Err(e) => return e.explain().into(),
        };
        if logged_in.must_agree_terms {
            // Newer terms come before anything else (R1): no token until the consent is recorded.
            let Some(consent) = body.0.consent else { return Problem::terms_consent_required().into() };
            if let Err(e) = self.0.app.mypage.agree_to_terms(logged_in.account, &consent.into(), &from).await {
                return e.explain().into();
            }
        }
        let subject = SessionSubject::Employer(logged_in.account);
        let (id, status) = (logged_in.account.to_string(), logged_in.status.code());
        match SessionDto::open(&self.0.sessions, subject, id, status, &client(req)).await {
            Ok(session) => LoginResponse::Created(Json(session)),
            Err(problem) => problem.into(),
        }
    }

    /// Ends the session of this token, an employer's or a staff member's.
    #[oai(path = "/sessions/current", method = "delete")]
    async fn logout(&self, token: AnyToken) -> LogoutResponse {
        match self.0.sessions.end(&token.0).await {
            Ok(()) => LogoutResponse::Done,
            Err(e) => Problem::unavailable(&e).into(),
        }
    }
}
