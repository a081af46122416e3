//! The account's care through the API (R19): change the password, change the address with an auth key, list and
//! end the sessions, close the account. Each takes the employer's bearer token; the flow token of an address change
//! travels in the JSON body, as the key endpoints' do.

use chrono::{DateTime, Utc};
use mypage_domain::model::AccountId;
use mypage_domain::ports::SessionSubject;
use mypage_domain::usecases::{KeyRequested, KeySent, SessionView};
use poem::Request;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use secrecy::{ExposeSecret, SecretString};

use super::dto::SessionDto;
use super::text::{Email, Secret, Text, Token};
use super::{Api, ApiError, EmployerToken, problem_response};
use crate::app::client;
use crate::pages::account_sessions::browser_name;
use crate::problem::{Explain, Problem};

/// The endpoints of the account's care.
pub(crate) struct AccountApi(pub(crate) Api);

/// A new password, with the current one.
#[derive(Object)]
struct PasswordChangeDto {
    current_password: Text<Secret>,
    password: Text<Secret>,
    confirmation: Text<Secret>,
}

/// The current password alone (closing the account).
#[derive(Object)]
struct CurrentPasswordDto {
    current_password: Text<Secret>,
}

/// A new address, with the current password.
#[derive(Object)]
struct EmailChangeDto {
    current_password: Text<Secret>,
    email: Text<Email>,
}

/// The flow of an address change.
#[derive(Object)]
struct ChangeFlowDto {
    flow_token: Text<Token>,
}

/// The key of an address change, in its flow.
#[derive(Object)]
struct EmailKeyDto {
    flow_token: Text<Token>,
    auth_key: Text<Secret>,
}

/// An address change started: a key went to the new address, or (when it has an account) a notice; the answer is
/// the same (R8).
#[derive(Object)]
struct ChangeRequestedDto {
    /// Keep it secret; send it back with the key.
    flow_token: String,
    email: String,
    expires_at: DateTime<Utc>,
    resends_left: u8,
}

impl From<KeyRequested> for ChangeRequestedDto {
    fn from(requested: KeyRequested) -> Self {
        let KeySent { email, expires_at, resends_left } = requested.sent;
        Self {
            flow_token: requested.flow_token.expose_secret().to_owned(),
            email: email.as_str().to_owned(),
            expires_at,
            resends_left,
        }
    }
}

/// Where another key went.
#[derive(Object)]
struct ChangeResentDto {
    email: String,
    expires_at: DateTime<Utc>,
    resends_left: u8,
}

/// The account's address now.
#[derive(Object)]
struct AccountEmailDto {
    email: String,
}

/// One live session of the account (ログイン中の端末).
#[derive(Object)]
struct SessionInfoDto {
    /// Names it for `DELETE /mypage/account/sessions/{handle}`; not its token.
    handle: String,
    created_at: DateTime<Utc>,
    last_used_at: DateTime<Utc>,
    #[oai(skip_serializing_if_is_none)]
    ip: Option<String>,
    /// The browser in plain words (「Chrome（Windows）」).
    browser: String,
    /// The session of this token.
    current: bool,
}

/// How many sessions ended.
#[derive(Object)]
struct EndedDto {
    ended: u64,
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "password_change_refused")]
enum PasswordChangeResponse {
    /// Changed: every session of the account ended, this token's too; use the new token.
    #[oai(status = 200)]
    Ok(Json<SessionDto>),
    /// A `password_…` or `confirmation_mismatch` code (R5), or `invalid_request`.
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    /// `unauthenticated`, or `wrong_password` (the current password).
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `account_changed`: another change came in between; nothing was written.
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    /// `throttled`, with `retry_after`: too many wrong passwords (R13).
    #[oai(status = 429)]
    Throttled(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(PasswordChangeResponse, password_change_refused {
    400 => BadRequest,
    401 => Unauthorized,
    409 => Conflict,
    429 => Throttled + retry_after,
    503 => Unavailable + retry_after,
});

#[derive(ApiResponse)]
#[oai(bad_request_handler = "email_change_refused")]
enum EmailChangeResponse {
    /// A key went to the new address, or a notice if it has an account: the answer is the same (R8).
    #[oai(status = 202)]
    Accepted(Json<ChangeRequestedDto>),
    /// `invalid_email`, `same_email`, or `invalid_request`.
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    /// `unauthenticated`, or `wrong_password`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `throttled` (wrong passwords), `too_many_requests` (keys for the address) or `client_rate_limited`.
    #[oai(status = 429)]
    Throttled(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(EmailChangeResponse, email_change_refused {
    400 => BadRequest,
    401 => Unauthorized,
    429 => Throttled + retry_after,
    503 => Unavailable + retry_after,
});

#[derive(ApiResponse)]
#[oai(bad_request_handler = "change_resend_refused")]
enum ChangeResendResponse {
    /// Another key went to the new address (R3).
    #[oai(status = 202)]
    Accepted(Json<ChangeResentDto>),
    /// `invalid_request`.
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    /// `unauthenticated`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `flow_not_found`: no address change has this flow token (R4).
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// `key_limit_reached`.
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    /// `flow_dead` or `already_used`: start again.
    #[oai(status = 410)]
    Gone(Json<ApiError>),
    /// `too_many_requests` or `client_rate_limited`.
    #[oai(status = 429)]
    Throttled(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(ChangeResendResponse, change_resend_refused {
    400 => BadRequest,
    401 => Unauthorized,
    404 => NotFound,
    409 => Conflict,
    410 => Gone,
    429 => Throttled + retry_after,
    503 => Unavailable + retry_after,
});

#[derive(ApiResponse)]
#[oai(bad_request_handler = "email_confirm_refused")]
enum EmailConfirmResponse {
    /// The account's address is the new one; the old one was told.
    #[oai(status = 200)]
    Ok(Json<AccountEmailDto>),
    /// `invalid_key` or `invalid_request`.
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    /// `unauthenticated`, or `wrong_key` with `remaining_attempts` (R3).
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `flow_not_found`: this token's account has no address change with this flow token (R4).
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// `email_taken`: another account took the address meanwhile; nothing was changed.
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    /// `key_expired`, `too_many_wrong_keys`, `flow_dead` or `already_used`.
    #[oai(status = 410)]
    Gone(Json<ApiError>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(EmailConfirmResponse, email_confirm_refused {
    400 => BadRequest,
    401 => Unauthorized,
    404 => NotFound,
    409 => Conflict,
    410 => Gone,
    503 => Unavailable + retry_after,
});

#[derive(ApiResponse)]
#[oai(bad_request_handler = "sessions_refused")]
enum SessionsResponse {
    /// The account's live sessions, newest first.
    #[oai(status = 200)]
    Ok(Json<Vec<SessionInfoDto>>),
    /// `unauthenticated`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(SessionsResponse, sessions_refused {
    401 => Unauthorized,
    503 => Unavailable + retry_after,
});

#[derive(ApiResponse)]
#[oai(bad_request_handler = "end_session_refused")]
enum EndSessionResponse {
    /// It ended.
    #[oai(status = 204)]
    Done,
    /// `unauthenticated`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `session_not_found`: no live session of this account has that handle.
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(EndSessionResponse, end_session_refused {
    401 => Unauthorized,
    404 => NotFound,
    503 => Unavailable + retry_after,
});

#[derive(ApiResponse)]
#[oai(bad_request_handler = "end_others_refused")]
enum EndOthersResponse {
    /// Every other session of the account ended; this token's stays.
    #[oai(status = 200)]
    Ok(Json<EndedDto>),
    /// `unauthenticated`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(EndOthersResponse, end_others_refused {
    401 => Unauthorized,
    503 => Unavailable + retry_after,
});

#[derive(ApiResponse)]
#[oai(bad_request_handler = "close_refused")]
enum CloseResponse {
    /// Closed: its open registrations were withdrawn and every session ended, this token's too.
    #[oai(status = 204)]
    Done,
    /// `invalid_request`.
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    /// `unauthenticated`, or `wrong_password`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `account_changed`: another change came in between; nothing was written.
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

problem_response!(CloseResponse, close_refused {
    400 => BadRequest,
    401 => Unauthorized,
    409 => Conflict,
    429 => Throttled + retry_after,
    503 => Unavailable + retry_after,
});

impl AccountApi {
    /// The handle of the request's own bearer token, to mark and keep it.
    fn own_handle(&self, req: &Request) -> Option<String> {
        let token = crate::session::bearer_token(req)?;
        Some(self.0.sessions.handle_of(&SecretString::from(token.to_owned())))
    }
}

/// A session as the API lists it.
fn session_info(view: SessionView, own: Option<&str>) -> SessionInfoDto {
    SessionInfoDto {
        current: own == Some(view.handle.as_str()),
        browser: browser_name(view.client.user_agent.as_deref()),
        ip: view.client.ip.map(|ip| ip.to_string()),
        handle: view.handle,
        created_at: view.created_at,
        last_used_at: view.last_used_at,
    }
}

#[OpenApi]
impl AccountApi {
    /// パスワードの変更 (R19): with the current password. Every session of the account ends, this token's too; the
    /// answer carries a new token for this client.
    #[oai(path = "/mypage/account/password", method = "put")]
    async fn change_password(
        &self,
        req: &Request,
        token: EmployerToken,
        body: Json<PasswordChangeDto>,
    ) -> PasswordChangeResponse {
        let from = client(req);
        let PasswordChangeDto { current_password, password, confirmation } = body.0;
        let (current, new, confirmation) = (current_password.into(), password.into(), confirmation.into());
        let changed = self.0.app.mypage.change_password(token.0, &current, &new, &confirmation, &from).await;
        if let Err(e) = changed {
            return e.explain().into();
        }
        let status = match self.0.app.mypage.overview(token.0).await {
            Ok(overview) => overview.account.status().code(),
            Err(e) => return e.explain().into(),
        };
        let subject = SessionSubject::Employer(token.0);
        match SessionDto::open(&self.0.sessions, subject, token.0.to_string(), status, &from).await {
            Ok(session) => PasswordChangeResponse::Ok(Json(session)),
            Err(problem) => problem.into(),
        }
    }

    /// メールアドレスの変更 (R19), step 1: with the current password, a key to the new address.
    #[oai(path = "/mypage/account/email", method = "post")]
    async fn request_email_change(
        &self,
        req: &Request,
        token: EmployerToken,
        body: Json<EmailChangeDto>,
    ) -> EmailChangeResponse {
        let from = client(req);
        let current: SecretString = body.0.current_password.into();
        let email: String = body.0.email.into();
        match self.0.app.mypage.request_email_change(token.0, &current, &email, &from).await {
            Ok(requested) => EmailChangeResponse::Accepted(Json(requested.into())),
            Err(e) => e.explain().into(),
        }
    }

    /// Another key of an address change (R3).
    #[oai(path = "/mypage/account/email/resend", method = "post")]
    async fn resend_email_key(
        &self,
        req: &Request,
        token: EmployerToken,
        body: Json<ChangeFlowDto>,
    ) -> ChangeResendResponse {
        let from = client(req);
        match self.0.app.mypage.resend_email_change_key(token.0, &body.0.flow_token.into(), &from).await {
            Ok(KeySent { email, expires_at, resends_left }) => ChangeResendResponse::Accepted(Json(ChangeResentDto {
                email: email.as_str().to_owned(),
                expires_at,
                resends_left,
            })),
            Err(e) => e.explain().into(),
        }
    }

    /// メールアドレスの変更 (R19), step 2: the key mailed to the new address, in its flow.
    #[oai(path = "/mypage/account/email/confirm", method = "post")]
    async fn confirm_email_change(
        &self,
        req: &Request,
        token: EmployerToken,
        body: Json<EmailKeyDto>,
    ) -> EmailConfirmResponse {
        let (flow, key): (SecretString, SecretString) = (body.0.flow_token.into(), body.0.auth_key.into());
        match self.0.app.mypage.confirm_email_change(token.0, &flow, &key, &client(req)).await {
            Ok(changed) => EmailConfirmResponse::Ok(Json(AccountEmailDto { email: changed.email.as_str().to_owned() })),
            Err(e) => e.explain().into(),
        }
    }

    /// ログイン中の端末 (R19): the account's live sessions, browsers and API clients, newest first.
    #[oai(path = "/mypage/account/sessions", method = "get")]
    async fn sessions(&self, req: &Request, token: EmployerToken) -> SessionsResponse {
        let own = self.own_handle(req);
        match self.0.app.mypage.sessions(token.0).await {
            Ok(list) => SessionsResponse::Ok(Json(list.into_iter().map(|s| session_info(s, own.as_deref())).collect())),
            Err(e) => Problem::unavailable(&e).into(),
        }
    }

    /// Ends one session of the account, named by its handle (R19).
    #[oai(path = "/mypage/account/sessions/:handle", method = "delete")]
    async fn end_session(&self, req: &Request, token: EmployerToken, handle: Path<String>) -> EndSessionResponse {
        match self.0.app.mypage.end_session(token.0, &handle.0, &client(req)).await {
            Ok(()) => EndSessionResponse::Done,
            Err(e) => e.explain().into(),
        }
    }

    /// Ends every session of the account but this token's (R19).
    #[oai(path = "/mypage/account/other-sessions", method = "delete")]
    async fn end_other_sessions(&self, req: &Request, token: EmployerToken) -> EndOthersResponse {
        let own = self.own_handle(req).unwrap_or_default();
        match self.0.app.mypage.end_other_sessions(token.0, &own, &client(req)).await {
            Ok(ended) => EndOthersResponse::Ok(Json(EndedDto { ended })),
            Err(e) => Problem::infrastructure(&e).into(),
        }
    }

    /// アカウントの削除（利用の停止） (R19): with the current password.
    #[oai(path = "/mypage/account/close", method = "post")]
    async fn close(&self, req: &Request, token: EmployerToken, body: Json<CurrentPasswordDto>) -> CloseResponse {
        let current: SecretString = body.0.current_password.into();
        let account: AccountId = token.0;
        match self.0.app.mypage.close_account(account, &current, &client(req)).await {
            Ok(()) => CloseResponse::Done,
            Err(e) => e.explain().into(),
        }
    }
}
