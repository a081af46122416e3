//! The JSON API under `/api/v1` (poem-openapi): every employer and staff step as an endpoint with stable error
//! codes, described by the OpenAPI document at `/api/v1/openapi.json`.
//!
//! A client holds what a browser's session would: the flow token of an auth-key flow (in the JSON body, never a
//! URL), and a bearer token after login, kept in the same session store as the pages' sessions.

use chrono::{DateTime, Utc};
use mypage_domain::model::{AccountId, RegistrationId, RegistrationStatus, StaffId};
use mypage_domain::ports::{DigestPurpose, Session, SessionSubject};
use mypage_domain::usecases::{
    ConfirmError, CounterRegistration, CounterRegistrationError, DeclareHistoryError, HistoryInput, KeyRedemptionError,
    KeyRequest, LoginError, PasswordEntry, QueueError, RegisterPasswordError, RequestAuthKeyError, ResendAuthKeyError,
    ResetPasswordError, ReviewError, SaveEstablishmentError, SaveJobOfferError, StaffLoginError, SubmitError,
};
use mypage_domain::values::{
    ConsentInput, EstablishmentInfoInput, FieldErrors, JobOfferInput, PasswordPolicyError, TermsConsentError,
    TermsVersion,
};
use poem::Request;
use poem_openapi::auth::Bearer;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, SecurityScheme};
use secrecy::{ExposeSecret, SecretString};

mod admin;

pub(crate) use admin::AdminApi;

use crate::page::problem_ja;
use crate::session::SessionPorts;
use crate::{App, client};

/// A bearer token from `POST /api/v1/sessions` or `POST /api/v1/staff/sessions`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer")]
pub(crate) struct Token(Bearer);

/// An error: a stable `code` for programs, a Japanese `message` for people, and details where they apply.
#[derive(Object, Debug)]
pub(crate) struct ApiError {
    /// Stable code (`invalid_email`, `wrong_key`, `throttled`, …).
    code: String,
    /// A message in Japanese, as the pages show it.
    message: String,
    /// Wrong fields of a form, each with its own code.
    #[oai(skip_serializing_if_is_none)]
    fields: Option<Vec<FieldIssue>>,
    /// When a throttled request may be tried again.
    #[oai(skip_serializing_if_is_none)]
    retry_after: Option<DateTime<Utc>>,
    /// Wrong auth keys still allowed in this flow.
    #[oai(skip_serializing_if_is_none)]
    remaining_attempts: Option<u8>,
}

/// One wrong field.
#[derive(Object, Debug)]
pub(crate) struct FieldIssue {
    /// The field's name, as in the request.
    field: String,
    /// Stable code of the problem (`required`, `too_long`, …).
    code: String,
    /// The message in Japanese.
    message: String,
}

fn err(code: &str, message: &str) -> Json<ApiError> {
    Json(ApiError {
        code: code.into(),
        message: message.into(),
        fields: None,
        retry_after: None,
        remaining_attempts: None,
    })
}

fn unavailable(cause: &dyn std::fmt::Display) -> Json<ApiError> {
    tracing::error!(error = %cause, "an API request failed");
    err("unavailable", "システムで一時的な問題が発生しました。しばらくしてから、もう一度お試しください。")
}

/// This client asked for too many keys (R8).
fn client_limited(retry_after: DateTime<Utc>) -> Json<ApiError> {
    Json(ApiError {
        retry_after: Some(retry_after),
        ..err(
            "client_rate_limited",
            "この端末からの申込が続いたため、受付を一時停止しています。しばらくしてからお試しください。",
        )
        .0
    })
}

fn fields(errors: &FieldErrors) -> Json<ApiError> {
    let issues = errors
        .0
        .iter()
        .map(|e| FieldIssue { field: e.field.into(), code: e.problem.code().into(), message: problem_ja(&e.problem) })
        .collect();
    Json(ApiError {
        code: "invalid_fields".into(),
        message: "入力内容に誤りがあります。".into(),
        fields: Some(issues),
        retry_after: None,
        remaining_attempts: None,
    })
}

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

impl From<Purpose> for mypage_domain::model::FlowPurpose {
    fn from(p: Purpose) -> Self {
        match p {
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

#[derive(ApiResponse)]
enum TermsResponse {
    /// The documents in force.
    #[oai(status = 200)]
    Ok(Json<TermsDto>),
    /// `unavailable`: nothing published yet, or the store failed.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>),
}

/// The consent of R1: both documents, with the versions read.
#[derive(Object)]
struct ConsentDto {
    privacy_policy_agreed: bool,
    mypage_terms_agreed: bool,
    privacy_policy_version: u32,
    mypage_terms_version: u32,
}

/// A key request.
#[derive(Object)]
struct KeyRequestDto {
    purpose: Purpose,
    /// The address; at most 254 characters.
    email: String,
    /// Required for `open_mypage` and `sign_up`.
    consent: Option<ConsentDto>,
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

#[derive(ApiResponse)]
#[oai(bad_request_handler = "parse_error_key_request_response")]
enum KeyRequestResponse {
    /// The flow started; a mail is on its way if the address is eligible.
    #[oai(status = 202)]
    Accepted(Json<KeyRequestedDto>),
    /// `invalid_email`, `consent_required`, `terms_outdated`, or `invalid_request` (not JSON of this shape).
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    /// `too_many_requests` (this address) or `client_rate_limited` (this client), with `retry_after`.
    #[oai(status = 429)]
    TooMany(Json<ApiError>),
    /// `unavailable`.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>),
}

#[derive(Object)]
struct FlowTokenDto {
    flow_token: String,
}

#[derive(Object)]
struct KeySentDto {
    email: String,
    expires_at: DateTime<Utc>,
    resends_left: u8,
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "parse_error_resend_response")]
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
    TooMany(Json<ApiError>),
    /// `unavailable`.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>),
}

/// The key and the new password, with the flow's token.
#[derive(Object)]
struct PasswordDto {
    flow_token: String,
    auth_key: String,
    password: String,
    confirmation: String,
}

#[derive(Object)]
struct AccountDto {
    account_id: String,
    /// `awaiting_password`, `provisional` or `active`.
    status: String,
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "parse_error_password_response")]
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
    /// `key_expired`, `too_many_wrong_keys`, `flow_dead` or `already_used`: start again.
    #[oai(status = 410)]
    Gone(Json<ApiError>),
    /// `unavailable`.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>),
}

fn password_code(e: PasswordPolicyError) -> &'static str {
    match e {
        PasswordPolicyError::TooShort { .. } => "password_too_short",
        PasswordPolicyError::TooLong { .. } => "password_too_long",
        PasswordPolicyError::NotHalfWidth => "password_not_half_width",
        PasswordPolicyError::MissingDigit => "password_missing_digit",
        PasswordPolicyError::MissingLetter => "password_missing_letter",
        PasswordPolicyError::MissingSymbol => "password_missing_symbol",
        PasswordPolicyError::ControlCharacter => "password_control_character",
        PasswordPolicyError::ContainsEmail => "password_contains_email",
        PasswordPolicyError::TooCommon => "password_too_common",
        PasswordPolicyError::ConfirmationMismatch => "confirmation_mismatch",
    }
}

fn key_response(e: KeyRedemptionError) -> PasswordResponse {
    match e {
        KeyRedemptionError::InvalidKey(_) => {
            PasswordResponse::BadRequest(err("invalid_key", "認証キーは、メールに記載された10文字を入力してください。"))
        }
        KeyRedemptionError::WrongKey { remaining } => PasswordResponse::WrongKey(Json(ApiError {
            remaining_attempts: Some(remaining),
            ..err(
                "wrong_key",
                &format!("認証キーが正しくありません。あと{remaining}回間違えると、はじめからやり直しになります。"),
            )
            .0
        })),
        KeyRedemptionError::FlowNotFound => {
            PasswordResponse::NotFound(err("flow_not_found", "はじめからやり直してください。"))
        }
        KeyRedemptionError::KeyExpired => PasswordResponse::Gone(err(
            "key_expired",
            "認証キーの有効期限が過ぎています。はじめからやり直してください。",
        )),
        KeyRedemptionError::TooManyWrongKeys => PasswordResponse::Gone(err(
            "too_many_wrong_keys",
            "認証キーを続けて間違えたため、はじめからやり直してください。",
        )),
        KeyRedemptionError::FlowDead(_) => {
            PasswordResponse::Gone(err("flow_dead", "この申込は無効です。はじめからやり直してください。"))
        }
        KeyRedemptionError::AlreadyUsed => {
            PasswordResponse::Gone(err("already_used", "この認証キーはすでに使用されています。"))
        }
    }
}

#[derive(Object)]
struct LoginDto {
    email: String,
    password: String,
}

#[derive(Object)]
struct StaffLoginDto {
    login: String,
    password: String,
}

#[derive(Object)]
struct SessionDto {
    /// Send it as `Authorization: Bearer …`.
    token: String,
    subject_id: String,
    /// `provisional` or `active` for an employer; the office code for staff.
    status: String,
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "parse_error_login_response")]
enum LoginResponse {
    /// Logged in.
    #[oai(status = 201)]
    Created(Json<SessionDto>),
    /// `invalid_request`: the body is not JSON of the documented shape.
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    /// `invalid_credentials`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `throttled`, with `retry_after`.
    #[oai(status = 429)]
    Throttled(Json<ApiError>),
    /// `unavailable`.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>),
}

#[derive(Object)]
struct OverviewDto {
    email: String,
    status: String,
    establishment_number: Option<String>,
    registration_id: Option<String>,
    /// `draft`, `submitted`, `contact_needed`, `returned`, `confirmed`, `rejected` or `expired`.
    registration_status: Option<String>,
    /// The staff's note (contact needed, returned) or reason (rejected).
    note: Option<String>,
    draft_expires_at: Option<DateTime<Utc>>,
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "parse_error_overview_response")]
enum OverviewResponse {
    /// Where the account stands.
    #[oai(status = 200)]
    Ok(Json<OverviewDto>),
    /// `unauthenticated`: no valid employer token.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `unavailable`.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>),
}

/// The application history: `past` with an establishment number, or `first` with an office code.
#[derive(Object)]
struct HistoryDto {
    /// `past` or `first`.
    kind: String,
    establishment_number: Option<String>,
    office: Option<String>,
}

#[derive(Object)]
struct RegistrationRefDto {
    registration_id: String,
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "parse_error_step_response")]
enum StepResponse {
    /// Saved.
    #[oai(status = 200)]
    Ok(Json<RegistrationRefDto>),
    /// `invalid_establishment_number`, `unknown_office`, `invalid_kind`, or `invalid_request`.
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    /// `unauthenticated`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `not_provisional`: only a provisional account files a registration.
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    /// `establishment_not_found` (ask the office) or `no_draft`.
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// `not_editable`, `not_first_time` or `incomplete`.
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    /// `invalid_fields`, each field with its code.
    #[oai(status = 422)]
    Invalid(Json<ApiError>),
    /// `unavailable`.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>),
}

/// 事業所情報, every field a string as typed (see the domain's limits).
#[derive(Object, Default)]
#[oai(rename = "EstablishmentInfo")]
struct EstablishmentDto {
    name: String,
    name_kana: String,
    postal_code: String,
    address: String,
    phone: String,
    representative_title: String,
    representative_name: String,
    industry: String,
    employees_total: String,
    employees_here: String,
    founded_year: String,
    #[oai(default)]
    capital_yen: String,
    business: String,
    #[oai(default)]
    website: String,
    contact_name: String,
    #[oai(default)]
    contact_department: String,
    contact_phone: String,
    contact_email: String,
}

/// 求人情報, as typed; booleans for the boxes.
#[derive(Object, Default)]
#[oai(rename = "JobOffer")]
struct JobOfferDto {
    occupation: String,
    description: String,
    employment_type: String,
    contract: String,
    #[oai(default)]
    contract_months: String,
    #[oai(default)]
    contract_renewable: bool,
    #[oai(default)]
    workplace_postal_code: String,
    workplace_address: String,
    wage_kind: String,
    wage_min: String,
    wage_max: String,
    work_start: String,
    work_end: String,
    break_minutes: String,
    #[oai(default)]
    hours_note: String,
    holidays: String,
    #[oai(default)]
    annual_holidays: String,
    #[oai(default)]
    employment_insurance: bool,
    #[oai(default)]
    accident_insurance: bool,
    #[oai(default)]
    health_insurance: bool,
    #[oai(default)]
    pension: bool,
    openings: String,
    #[oai(default)]
    experience: String,
    #[oai(default)]
    licences: String,
    age: String,
    #[oai(default)]
    age_min: String,
    #[oai(default)]
    age_max: String,
    #[oai(default)]
    age_exception: String,
    #[oai(default)]
    trial_months: String,
    #[oai(default)]
    selection_documents: bool,
    #[oai(default)]
    selection_interview: bool,
    #[oai(default)]
    selection_written_test: bool,
    #[oai(default)]
    selection_other: bool,
}

/// The DTOs have the domain input's fields, so one JSON value converts into the other.
fn convert<F: poem_openapi::types::ToJSON, T: serde::de::DeserializeOwned + Default>(dto: &F) -> T {
    dto.to_json().and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default()
}

#[derive(Object)]
struct QueueItemDto {
    registration_id: String,
    status: String,
    submitted_at: Option<DateTime<Utc>>,
    establishment_number: Option<String>,
    establishment_name: Option<String>,
    occupation: Option<String>,
}

/// One registration as the reviewer sees it, with what the employer entered.
#[derive(Object)]
struct RegistrationDetailDto {
    registration_id: String,
    /// `submitted`, `contact_needed`, `returned`, `confirmed`, `rejected`, …
    status: String,
    /// The account's e-mail address.
    email: String,
    submitted_at: Option<DateTime<Utc>>,
    /// `past` (an establishment number is claimed) or `first` (a new establishment under `office`).
    kind: Option<String>,
    establishment_number: Option<String>,
    office: Option<String>,
    /// 事業所情報 of a first-time applicant, as kept (NFKC-normalised).
    establishment: Option<EstablishmentDto>,
    /// 求人情報, as kept (NFKC-normalised).
    job_offer: Option<JobOfferDto>,
    /// The staff's note (contact needed, returned) or reason (rejected).
    note: Option<String>,
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "parse_error_detail_response")]
enum DetailResponse {
    /// The registration.
    #[oai(status = 200)]
    Ok(Json<Box<RegistrationDetailDto>>),
    /// `unauthenticated`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `not_permitted`: reviewers only.
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    /// `not_found`: no registration of the member's office has this id (R14).
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// `unavailable`.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>),
}

/// A domain value's input form as an API object of the same fields.
fn to_dto<I: serde::Serialize, D: poem_openapi::types::ParseFromJSON>(input: &I) -> Option<D> {
    D::parse_from_json(serde_json::to_value(input).ok()).ok()
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "parse_error_queue_response")]
enum QueueResponse {
    /// The office's queue, oldest submission first.
    #[oai(status = 200)]
    Ok(Json<Vec<QueueItemDto>>),
    /// `unauthenticated`: no valid staff token.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `not_permitted`: the reviewer role is needed.
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    /// `not_found`: no such registration in the member's office.
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// `unavailable`.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>),
}

#[derive(Object)]
struct NoteDto {
    /// 1–1000 characters.
    note: String,
}

#[derive(Object)]
struct DecisionDto {
    registration_id: String,
    /// The establishment number, when confirmed.
    establishment_number: Option<String>,
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "parse_error_decision_response")]
enum DecisionResponse {
    /// Decided; the employer is mailed.
    #[oai(status = 200)]
    Ok(Json<DecisionDto>),
    /// `invalid_note`, or `invalid_request`.
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    /// `unauthenticated`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `not_permitted`.
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    /// `not_found`: no such registration in the member's office (R14).
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// `already_decided`, or `establishment_not_found` for a claimed number that left the records.
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    /// `unavailable`.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>),
}

#[derive(Object)]
struct CounterDto {
    email: String,
    establishment_number: String,
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "parse_error_counter_response")]
enum CounterResponse {
    /// Registered; the account waits for its password (case A).
    #[oai(status = 201)]
    Created(Json<AccountDto>),
    /// `invalid_email`, `invalid_establishment_number`, or `invalid_request`.
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    /// `unauthenticated`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `not_permitted` or `outside_office`.
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    /// `establishment_not_found`.
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// `email_taken`.
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    /// `unavailable`.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>),
}

#[derive(Object)]
struct OfficeDto {
    code: String,
    name: String,
}

#[derive(ApiResponse)]
enum OfficesResponse {
    /// Every office, by code.
    #[oai(status = 200)]
    Ok(Json<Vec<OfficeDto>>),
    /// `unavailable`.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>),
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "parse_error_logout_response")]
enum LogoutResponse {
    /// The token is void.
    #[oai(status = 204)]
    Done,
    /// `unauthenticated`: the token was not a live session.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
}

/// The API.
pub(crate) struct Api {
    pub(crate) app: App,
    pub(crate) sessions: SessionPorts,
}

/// A request poem-openapi could not parse (a body of the wrong shape or type, a missing or malformed bearer token)
/// becomes the endpoint's documented error, in the same JSON as every other: `invalid_request` (400) or
/// `unauthenticated` (401). The parser's own message is not passed on, since it may quote what was sent.
macro_rules! parse_errors {
    ($handler:ident -> $response:ident: bad_request) => {
        fn $handler(_: poem::Error) -> $response {
            $response::BadRequest(invalid_request())
        }
    };
    ($handler:ident -> $response:ident: unauthorized) => {
        fn $handler(_: poem::Error) -> $response {
            $response::Unauthorized(unauthenticated())
        }
    };
    ($handler:ident -> $response:ident: both) => {
        fn $handler(e: poem::Error) -> $response {
            if e.status() == poem::http::StatusCode::UNAUTHORIZED {
                $response::Unauthorized(unauthenticated())
            } else {
                $response::BadRequest(invalid_request())
            }
        }
    };
}
pub(crate) use parse_errors;

fn invalid_request() -> Json<ApiError> {
    err(
        "invalid_request",
        "リクエストの形式が正しくありません。API の説明（/api/v1/openapi.json）のとおりに送ってください。",
    )
}

fn unauthenticated() -> Json<ApiError> {
    err("unauthenticated", "ログインしてください。")
}

// The errors several endpoints share, so that each code always comes with the same message.

fn not_provisional() -> Json<ApiError> {
    err("not_provisional", "仮登録できるのは本登録前のアカウントです。")
}

fn not_editable() -> Json<ApiError> {
    err("not_editable", "送信済みのため変更できません。")
}

fn no_draft() -> Json<ApiError> {
    err("no_draft", "先に求人申し込み実績を登録してください。")
}

fn not_found() -> Json<ApiError> {
    err("not_found", "見つかりません。")
}

fn not_permitted() -> Json<ApiError> {
    err("not_permitted", "権限がありません。")
}

fn already_decided() -> Json<ApiError> {
    err("already_decided", "すでに処理されています。")
}

impl Api {
    async fn subject(&self, token: &Token) -> Option<SessionSubject> {
        let digest = self.sessions.digest.digest(DigestPurpose::SessionId, &SecretString::from(token.0.token.clone()));
        let now = self.sessions.clock.now();
        let session = self.sessions.store.load(&digest, now).await.ok().flatten()?;
        if session.idle_expires_at < now + self.sessions.idle - chrono::Duration::minutes(1) {
            let touched = Session { idle_expires_at: now + self.sessions.idle, ..session.clone() };
            let _ = self.sessions.store.save(&touched).await;
        }
        Some(session.subject)
    }

    async fn employer(&self, token: &Token) -> Option<AccountId> {
        match self.subject(token).await {
            Some(SessionSubject::Employer(id)) => Some(id),
            _ => None,
        }
    }

    async fn staff(&self, token: &Token) -> Option<StaffId> {
        match self.subject(token).await {
            Some(SessionSubject::Staff(id)) => Some(id),
            _ => None,
        }
    }

    async fn open_session(&self, subject: SessionSubject) -> Result<String, mypage_domain::ports::InfrastructureError> {
        let token = self.sessions.keys.token();
        let now = self.sessions.clock.now();
        let session = Session {
            id: self.sessions.digest.digest(DigestPurpose::SessionId, &token),
            subject,
            data: "{}".into(),
            created_at: now,
            expires_at: now + self.sessions.lifetime,
            idle_expires_at: now + self.sessions.idle,
        };
        self.sessions.store.save(&session).await?;
        Ok(token.expose_secret().to_owned())
    }

    async fn decide(&self, token: &Token, id: &str, req: &Request, action: &str, note: &str) -> DecisionResponse {
        let Some(staff) = self.staff(token).await else { return DecisionResponse::Unauthorized(unauthenticated()) };
        let Ok(uuid) = id.parse() else {
            return DecisionResponse::NotFound(not_found());
        };
        let id = RegistrationId::from_uuid(uuid);
        let c = client(req);
        let m = &self.app.mypage;
        let result = match action {
            "contact" => m.mark_contact_needed(staff, id, note, &c).await,
            "return" => m.return_registration(staff, id, note, &c).await,
            _ => m.reject_registration(staff, id, note, &c).await,
        };
        match result {
            Ok(()) => {
                DecisionResponse::Ok(Json(DecisionDto { registration_id: id.to_string(), establishment_number: None }))
            }
            Err(ReviewError::InvalidNote(_)) => {
                DecisionResponse::BadRequest(err("invalid_note", "1000文字以内で入力してください。"))
            }
            Err(ReviewError::NotPermitted) => DecisionResponse::Forbidden(not_permitted()),
            Err(ReviewError::RegistrationNotFound | ReviewError::OutsideOffice) => {
                DecisionResponse::NotFound(not_found())
            }
            Err(ReviewError::AlreadyDecided) => DecisionResponse::Conflict(already_decided()),
            Err(ReviewError::Infrastructure(e)) => DecisionResponse::Unavailable(unavailable(&e)),
        }
    }
}

#[OpenApi]
impl Api {
    /// The privacy policy and the My Page terms in force (R1).
    #[oai(path = "/terms", method = "get")]
    async fn terms(&self) -> TermsResponse {
        match self.app.mypage.current_terms().await {
            Ok(Some(t)) => TermsResponse::Ok(Json(TermsDto {
                privacy_policy_version: t.privacy_policy.version.0,
                privacy_policy: t.privacy_policy.body,
                mypage_terms_version: t.mypage_terms.version.0,
                mypage_terms: t.mypage_terms.body,
            })),
            Ok(None) => TermsResponse::Unavailable(unavailable(&"no terms published")),
            Err(e) => TermsResponse::Unavailable(unavailable(&e)),
        }
    }

    /// The offices, for the first-time applicant's choice (case C).
    #[oai(path = "/offices", method = "get")]
    async fn offices(&self) -> OfficesResponse {
        match self.app.mypage.offices().await {
            Ok(list) => OfficesResponse::Ok(Json(
                list.into_iter().map(|o| OfficeDto { code: o.code.to_string(), name: o.name }).collect(),
            )),
            Err(e) => OfficesResponse::Unavailable(unavailable(&e)),
        }
    }

    /// Starts an auth-key flow (R1, R2, R3, R8): a key mail to an eligible address, the same answer for any other.
    #[oai(path = "/auth-keys", method = "post")]
    async fn request_key(&self, req: &Request, body: Json<KeyRequestDto>) -> KeyRequestResponse {
        let consent = body.0.consent.as_ref().map(|c| ConsentInput {
            privacy_policy_agreed: c.privacy_policy_agreed,
            mypage_terms_agreed: c.mypage_terms_agreed,
            privacy_policy_version: TermsVersion(c.privacy_policy_version),
            mypage_terms_version: TermsVersion(c.mypage_terms_version),
        });
        let client = client(req);
        if let Err(retry_after) = self.app.key_requests.check(client.ip) {
            return KeyRequestResponse::TooMany(client_limited(retry_after));
        }
        let request = KeyRequest { purpose: body.0.purpose.into(), email: body.0.email.clone(), consent };
        match self.app.mypage.request_auth_key(&request, &client).await {
            Ok(r) => KeyRequestResponse::Accepted(Json(KeyRequestedDto {
                flow_token: r.flow_token.expose_secret().to_owned(),
                email: r.sent.email.as_str().to_owned(),
                expires_at: r.sent.expires_at,
                resends_left: r.sent.resends_left,
            })),
            Err(RequestAuthKeyError::InvalidEmail(_)) => {
                KeyRequestResponse::BadRequest(err("invalid_email", "メールアドレスの形式で入力してください。"))
            }
            Err(RequestAuthKeyError::Consent(TermsConsentError::Outdated)) => KeyRequestResponse::BadRequest(err(
                "terms_outdated",
                "利用規約が改定されました。改定後の内容に同意してください。",
            )),
            Err(RequestAuthKeyError::Consent(_)) => KeyRequestResponse::BadRequest(err(
                "consent_required",
                "「プライバシーポリシー」と「マイページ利用規約」の両方に同意してください。",
            )),
            Err(RequestAuthKeyError::TooManyRequests { retry_after }) => KeyRequestResponse::TooMany(Json(ApiError {
                retry_after: Some(retry_after),
                ..err(
                    "too_many_requests",
                    "このメールアドレスへの申込が続いています。しばらくしてからやり直してください。",
                )
                .0
            })),
            Err(e @ (RequestAuthKeyError::TermsNotPublished | RequestAuthKeyError::Infrastructure(_))) => {
                KeyRequestResponse::Unavailable(unavailable(&e))
            }
        }
    }

    /// Sends another key in the same flow (R3).
    #[oai(path = "/auth-keys/resend", method = "post")]
    async fn resend(&self, req: &Request, body: Json<FlowTokenDto>) -> ResendResponse {
        let client = client(req);
        if let Err(retry_after) = self.app.key_requests.check(client.ip) {
            return ResendResponse::TooMany(client_limited(retry_after));
        }
        match self.app.mypage.resend_auth_key(&SecretString::from(body.0.flow_token), &client).await {
            Ok(sent) => ResendResponse::Accepted(Json(KeySentDto {
                email: sent.email.as_str().to_owned(),
                expires_at: sent.expires_at,
                resends_left: sent.resends_left,
            })),
            Err(ResendAuthKeyError::FlowNotFound) => {
                ResendResponse::NotFound(err("flow_not_found", "はじめからやり直してください。"))
            }
            Err(ResendAuthKeyError::KeyLimitReached) => {
                ResendResponse::Conflict(err("key_limit_reached", "認証キーの再送信は、これ以上できません。"))
            }
            Err(ResendAuthKeyError::FlowDead(_)) => {
                ResendResponse::Gone(err("flow_dead", "この申込は無効です。はじめからやり直してください。"))
            }
            Err(ResendAuthKeyError::AlreadyUsed) => {
                ResendResponse::Gone(err("already_used", "この認証キーはすでに使用されています。"))
            }
            Err(ResendAuthKeyError::TooManyRequests { retry_after }) => ResendResponse::TooMany(Json(ApiError {
                retry_after: Some(retry_after),
                ..err("too_many_requests", "しばらくしてからやり直してください。").0
            })),
            Err(ResendAuthKeyError::Infrastructure(e)) => ResendResponse::Unavailable(unavailable(&e)),
        }
    }

    /// Sets the password with the key (cases A, B, C; R4, R5, R6).
    #[oai(path = "/passwords", method = "post")]
    async fn register_password(&self, req: &Request, body: Json<PasswordDto>) -> PasswordResponse {
        let entry = entry(body.0);
        match self.app.mypage.register_password(&entry, &client(req)).await {
            Ok(done) => PasswordResponse::Created(Json(AccountDto {
                account_id: done.account.to_string(),
                status: done.status.code().to_owned(),
            })),
            Err(RegisterPasswordError::Key(k)) => key_response(k),
            Err(RegisterPasswordError::Password(e)) => PasswordResponse::BadRequest(password_error(e)),
            Err(RegisterPasswordError::EmailTaken) => PasswordResponse::Conflict(err(
                "email_taken",
                "このメールアドレスでは、すでにマイページが開設されています。",
            )),
            Err(RegisterPasswordError::Infrastructure(e)) => PasswordResponse::Unavailable(unavailable(&e)),
        }
    }

    /// Resets a forgotten password with the key of a reset flow (R17).
    #[oai(path = "/password-resets", method = "post")]
    async fn reset_password(&self, req: &Request, body: Json<PasswordDto>) -> PasswordResponse {
        let entry = entry(body.0);
        match self.app.mypage.reset_password(&entry, &client(req)).await {
            Ok(done) => PasswordResponse::Created(Json(AccountDto {
                account_id: done.account.to_string(),
                status: done.status.code().to_owned(),
            })),
            Err(ResetPasswordError::Key(k)) => key_response(k),
            Err(ResetPasswordError::Password(e)) => PasswordResponse::BadRequest(password_error(e)),
            Err(ResetPasswordError::Infrastructure(e)) => PasswordResponse::Unavailable(unavailable(&e)),
        }
    }

    /// Logs an employer in (R13); returns a bearer token.
    #[oai(path = "/sessions", method = "post")]
    async fn login(&self, req: &Request, body: Json<LoginDto>) -> LoginResponse {
        match self.app.mypage.login(&body.0.email, &SecretString::from(body.0.password), &client(req)).await {
            Ok(l) => match self.open_session(SessionSubject::Employer(l.account)).await {
                Ok(token) => LoginResponse::Created(Json(SessionDto {
                    token,
                    subject_id: l.account.to_string(),
                    status: l.status.code().to_owned(),
                })),
                Err(e) => LoginResponse::Unavailable(unavailable(&e)),
            },
            Err(LoginError::InvalidCredentials) => LoginResponse::Unauthorized(err(
                "invalid_credentials",
                "メールアドレスまたはパスワードが正しくありません。",
            )),
            Err(LoginError::Throttled { retry_after }) => LoginResponse::Throttled(Json(ApiError {
                retry_after: Some(retry_after),
                ..err("throttled", "ログインに続けて失敗したため、受け付けを停止しています。").0
            })),
            Err(LoginError::Infrastructure(e)) => LoginResponse::Unavailable(unavailable(&e)),
        }
    }

    /// Ends the session of this token.
    #[oai(path = "/sessions/current", method = "delete")]
    async fn logout(&self, token: Token) -> LogoutResponse {
        if self.subject(&token).await.is_none() {
            return LogoutResponse::Unauthorized(unauthenticated());
        }
        let digest = self.sessions.digest.digest(DigestPurpose::SessionId, &SecretString::from(token.0.token));
        let _ = self.sessions.store.delete(&digest).await;
        LogoutResponse::Done
    }

    /// Where the employer's account and registration stand.
    #[oai(path = "/mypage", method = "get")]
    async fn overview(&self, token: Token) -> OverviewResponse {
        let Some(account) = self.employer(&token).await else {
            return OverviewResponse::Unauthorized(unauthenticated());
        };
        match self.app.mypage.overview(account).await {
            Ok(o) => {
                let note = o.registration.as_ref().and_then(|r| match &r.status {
                    RegistrationStatus::ContactNeeded { note } | RegistrationStatus::Returned { note } => {
                        Some(note.as_str().to_owned())
                    }
                    RegistrationStatus::Rejected { reason } => Some(reason.as_str().to_owned()),
                    _ => None,
                });
                OverviewResponse::Ok(Json(OverviewDto {
                    email: o.account.email.as_str().to_owned(),
                    status: o.account.status.code().to_owned(),
                    establishment_number: o.establishment.map(|e| e.number.to_string()),
                    registration_id: o.registration.as_ref().map(|r| r.id.to_string()),
                    registration_status: o.registration.as_ref().map(|r| r.status.code().to_owned()),
                    note,
                    draft_expires_at: o.draft_expires_at,
                }))
            }
            Err(e) => OverviewResponse::Unavailable(unavailable(&e)),
        }
    }

    /// 求人申し込み実績: starts or changes the draft (R9, R10).
    #[oai(path = "/mypage/registration/history", method = "put")]
    async fn history(&self, req: &Request, token: Token, body: Json<HistoryDto>) -> StepResponse {
        let Some(account) = self.employer(&token).await else { return StepResponse::Unauthorized(unauthenticated()) };
        let input = match body.0.kind.as_str() {
            "past" => {
                HistoryInput::PastApplicant { establishment_number: body.0.establishment_number.unwrap_or_default() }
            }
            "first" => HistoryInput::FirstTime { office: body.0.office.unwrap_or_default() },
            _ => return StepResponse::BadRequest(err("invalid_kind", "kind は past か first です。")),
        };
        match self.app.mypage.declare_history(account, &input, &client(req)).await {
            Ok(id) => StepResponse::Ok(Json(RegistrationRefDto { registration_id: id.to_string() })),
            Err(DeclareHistoryError::InvalidEstablishmentNumber(_)) => StepResponse::BadRequest(err(
                "invalid_establishment_number",
                "事業所番号は11桁の数字で入力してください。",
            )),
            Err(DeclareHistoryError::UnknownOffice) => {
                StepResponse::BadRequest(err("unknown_office", "管轄のハローワークを選んでください。"))
            }
            Err(DeclareHistoryError::EstablishmentNotFound) => StepResponse::NotFound(err(
                "establishment_not_found",
                "この事業所番号は登録されていません。管轄のハローワークにお問い合わせください。",
            )),
            Err(DeclareHistoryError::NotEditable) => StepResponse::Conflict(not_editable()),
            Err(DeclareHistoryError::NotProvisional | DeclareHistoryError::AccountNotFound) => {
                StepResponse::Forbidden(not_provisional())
            }
            Err(DeclareHistoryError::Infrastructure(e)) => StepResponse::Unavailable(unavailable(&e)),
        }
    }

    /// 事業所情報 of a first-time applicant (case C).
    #[oai(path = "/mypage/registration/establishment", method = "put")]
    async fn establishment(&self, req: &Request, token: Token, body: Json<EstablishmentDto>) -> StepResponse {
        let Some(account) = self.employer(&token).await else { return StepResponse::Unauthorized(unauthenticated()) };
        let input: EstablishmentInfoInput = convert(&body.0);
        match self.app.mypage.save_establishment_info(account, &input, &client(req)).await {
            Ok(()) => self.saved(account).await,
            Err(SaveEstablishmentError::Invalid(e)) => StepResponse::Invalid(fields(&e)),
            Err(SaveEstablishmentError::NoDraft) => StepResponse::NotFound(no_draft()),
            Err(SaveEstablishmentError::NotEditable) => StepResponse::Conflict(not_editable()),
            Err(SaveEstablishmentError::NotFirstTime) => {
                StepResponse::Conflict(err("not_first_time", "事業所情報は初めて申し込む場合に入力します。"))
            }
            Err(SaveEstablishmentError::NotProvisional | SaveEstablishmentError::AccountNotFound) => {
                StepResponse::Forbidden(not_provisional())
            }
            Err(SaveEstablishmentError::Infrastructure(e)) => StepResponse::Unavailable(unavailable(&e)),
        }
    }

    /// 求人情報 of the draft.
    #[oai(path = "/mypage/registration/job-offer", method = "put")]
    async fn job_offer(&self, req: &Request, token: Token, body: Json<JobOfferDto>) -> StepResponse {
        let Some(account) = self.employer(&token).await else { return StepResponse::Unauthorized(unauthenticated()) };
        let input: JobOfferInput = convert(&body.0);
        match self.app.mypage.save_job_offer(account, &input, &client(req)).await {
            Ok(()) => self.saved(account).await,
            Err(SaveJobOfferError::Invalid(e)) => StepResponse::Invalid(fields(&e)),
            Err(SaveJobOfferError::NoDraft) => StepResponse::NotFound(no_draft()),
            Err(SaveJobOfferError::NotEditable) => StepResponse::Conflict(not_editable()),
            Err(SaveJobOfferError::NotProvisional | SaveJobOfferError::AccountNotFound) => {
                StepResponse::Forbidden(not_provisional())
            }
            Err(SaveJobOfferError::Infrastructure(e)) => StepResponse::Unavailable(unavailable(&e)),
        }
    }

    /// Submits the provisional registration to the office's queue (R10).
    #[oai(path = "/mypage/registration/submit", method = "post")]
    async fn submit(&self, req: &Request, token: Token) -> StepResponse {
        let Some(account) = self.employer(&token).await else { return StepResponse::Unauthorized(unauthenticated()) };
        match self.app.mypage.submit_registration(account, &client(req)).await {
            Ok(id) => StepResponse::Ok(Json(RegistrationRefDto { registration_id: id.to_string() })),
            Err(SubmitError::Incomplete(_)) => {
                StepResponse::Conflict(err("incomplete", "入力していない項目があります。"))
            }
            Err(SubmitError::NoDraft) => StepResponse::NotFound(no_draft()),
            Err(SubmitError::NotEditable) => StepResponse::Conflict(err("not_editable", "送信済みです。")),
            Err(SubmitError::NotProvisional | SubmitError::AccountNotFound) => {
                StepResponse::Forbidden(not_provisional())
            }
            Err(SubmitError::Infrastructure(e)) => StepResponse::Unavailable(unavailable(&e)),
        }
    }

    /// Logs a staff member in (R14); returns a bearer token.
    #[oai(path = "/staff/sessions", method = "post")]
    async fn staff_login(&self, req: &Request, body: Json<StaffLoginDto>) -> LoginResponse {
        match self.app.mypage.staff_login(&body.0.login, &SecretString::from(body.0.password), &client(req)).await {
            Ok(m) => match self.open_session(SessionSubject::Staff(m.staff)).await {
                Ok(token) => LoginResponse::Created(Json(SessionDto {
                    token,
                    subject_id: m.staff.to_string(),
                    status: m.office.to_string(),
                })),
                Err(e) => LoginResponse::Unavailable(unavailable(&e)),
            },
            Err(StaffLoginError::InvalidCredentials) => {
                LoginResponse::Unauthorized(err("invalid_credentials", "職員IDまたはパスワードが正しくありません。"))
            }
            Err(StaffLoginError::Throttled { retry_after }) => LoginResponse::Throttled(Json(ApiError {
                retry_after: Some(retry_after),
                ..err("throttled", "ログインに続けて失敗したため、受け付けを停止しています。").0
            })),
            Err(StaffLoginError::Infrastructure(e)) => LoginResponse::Unavailable(unavailable(&e)),
        }
    }

    /// The review queue of the member's office (R10, R14).
    #[oai(path = "/staff/queue", method = "get")]
    async fn queue(&self, token: Token) -> QueueResponse {
        let Some(staff) = self.staff(&token).await else { return QueueResponse::Unauthorized(unauthenticated()) };
        match self.app.mypage.review_queue(staff).await {
            Ok(list) => QueueResponse::Ok(Json(
                list.into_iter()
                    .map(|r| QueueItemDto {
                        registration_id: r.id.to_string(),
                        status: r.status.code().to_owned(),
                        submitted_at: r.submitted_at,
                        establishment_number: match &r.history {
                            Some(mypage_domain::model::ApplicationHistory::PastApplicant { number }) => {
                                Some(number.to_string())
                            }
                            _ => None,
                        },
                        establishment_name: r.establishment.as_ref().map(|e| e.name.clone()),
                        occupation: r.job_offer.as_ref().map(|j| j.occupation.clone()),
                    })
                    .collect(),
            )),
            Err(QueueError::NotPermitted) => QueueResponse::Forbidden(not_permitted()),
            Err(QueueError::RegistrationNotFound | QueueError::OutsideOffice) => QueueResponse::NotFound(not_found()),
            Err(QueueError::Infrastructure(e)) => QueueResponse::Unavailable(unavailable(&e)),
        }
    }

    /// One registration of the member's office, with everything the employer entered (R11, R14).
    #[oai(path = "/staff/registrations/:id", method = "get")]
    async fn registration(&self, token: Token, id: Path<String>) -> DetailResponse {
        let Some(staff) = self.staff(&token).await else { return DetailResponse::Unauthorized(unauthenticated()) };
        let Ok(uuid) = id.0.parse() else { return DetailResponse::NotFound(not_found()) };
        match self.app.mypage.registration_for_review(staff, RegistrationId::from_uuid(uuid)).await {
            Ok((r, account)) => {
                let (kind, establishment_number, office) = match &r.history {
                    Some(mypage_domain::model::ApplicationHistory::PastApplicant { number }) => {
                        (Some("past"), Some(number.to_string()), Some(number.office().to_string()))
                    }
                    Some(mypage_domain::model::ApplicationHistory::FirstTime { office }) => {
                        (Some("first"), None, Some(office.to_string()))
                    }
                    None => (None, None, None),
                };
                let note = match &r.status {
                    RegistrationStatus::ContactNeeded { note } | RegistrationStatus::Returned { note } => {
                        Some(note.as_str().to_owned())
                    }
                    RegistrationStatus::Rejected { reason } => Some(reason.as_str().to_owned()),
                    _ => None,
                };
                DetailResponse::Ok(Json(Box::new(RegistrationDetailDto {
                    registration_id: r.id.to_string(),
                    status: r.status.code().to_owned(),
                    email: account.email.as_str().to_owned(),
                    submitted_at: r.submitted_at,
                    kind: kind.map(str::to_owned),
                    establishment_number,
                    office,
                    establishment: r.establishment.as_ref().and_then(|e| to_dto(&e.to_input())),
                    job_offer: r.job_offer.as_ref().and_then(|j| to_dto(&j.to_input())),
                    note,
                })))
            }
            Err(QueueError::NotPermitted) => DetailResponse::Forbidden(not_permitted()),
            Err(QueueError::RegistrationNotFound | QueueError::OutsideOffice) => DetailResponse::NotFound(not_found()),
            Err(QueueError::Infrastructure(e)) => DetailResponse::Unavailable(unavailable(&e)),
        }
    }

    /// 本登録 (R11): confirms a registration of the member's office.
    #[oai(path = "/staff/registrations/:id/confirm", method = "post")]
    async fn confirm(&self, req: &Request, token: Token, id: Path<String>) -> DecisionResponse {
        let Some(staff) = self.staff(&token).await else { return DecisionResponse::Unauthorized(unauthenticated()) };
        let Ok(uuid) = id.0.parse() else {
            return DecisionResponse::NotFound(not_found());
        };
        let id = RegistrationId::from_uuid(uuid);
        match self.app.mypage.confirm_registration(staff, id, &client(req)).await {
            Ok(number) => DecisionResponse::Ok(Json(DecisionDto {
                registration_id: id.to_string(),
                establishment_number: Some(number.to_string()),
            })),
            Err(ConfirmError::NotPermitted) => DecisionResponse::Forbidden(not_permitted()),
            Err(ConfirmError::RegistrationNotFound | ConfirmError::OutsideOffice) => {
                DecisionResponse::NotFound(not_found())
            }
            Err(ConfirmError::AlreadyDecided) => DecisionResponse::Conflict(already_decided()),
            Err(ConfirmError::EstablishmentNotFound) => DecisionResponse::Conflict(err(
                "establishment_not_found",
                "申告された事業所番号の事業所が見つかりません。",
            )),
            Err(ConfirmError::Infrastructure(e)) => DecisionResponse::Unavailable(unavailable(&e)),
        }
    }

    /// Marks a registration "contact needed" with a note (R11).
    #[oai(path = "/staff/registrations/:id/contact", method = "post")]
    async fn contact(&self, req: &Request, token: Token, id: Path<String>, body: Json<NoteDto>) -> DecisionResponse {
        self.decide(&token, &id.0, req, "contact", &body.0.note).await
    }

    /// Returns a registration for correction with a note (R11).
    #[oai(path = "/staff/registrations/:id/return", method = "post")]
    async fn return_it(&self, req: &Request, token: Token, id: Path<String>, body: Json<NoteDto>) -> DecisionResponse {
        self.decide(&token, &id.0, req, "return", &body.0.note).await
    }

    /// Rejects a registration with a reason (R11).
    #[oai(path = "/staff/registrations/:id/reject", method = "post")]
    async fn reject(&self, req: &Request, token: Token, id: Path<String>, body: Json<NoteDto>) -> DecisionResponse {
        self.decide(&token, &id.0, req, "reject", &body.0.note).await
    }

    /// Registers an employer's e-mail for an establishment of the member's office (R12, case A).
    #[oai(path = "/staff/counter-registrations", method = "post")]
    async fn counter(&self, req: &Request, token: Token, body: Json<CounterDto>) -> CounterResponse {
        let Some(staff) = self.staff(&token).await else { return CounterResponse::Unauthorized(unauthenticated()) };
        let input = CounterRegistration { email: body.0.email, establishment_number: body.0.establishment_number };
        match self.app.mypage.register_email_at_counter(staff, &input, &client(req)).await {
            Ok(id) => CounterResponse::Created(Json(AccountDto {
                account_id: id.to_string(),
                status: "awaiting_password".into(),
            })),
            Err(CounterRegistrationError::InvalidEmail(_)) => {
                CounterResponse::BadRequest(err("invalid_email", "メールアドレスの形式で入力してください。"))
            }
            Err(CounterRegistrationError::InvalidEstablishmentNumber(_)) => CounterResponse::BadRequest(err(
                "invalid_establishment_number",
                "事業所番号は11桁の数字で入力してください。",
            )),
            Err(CounterRegistrationError::NotPermitted) => CounterResponse::Forbidden(not_permitted()),
            Err(CounterRegistrationError::OutsideOffice) => {
                CounterResponse::Forbidden(err("outside_office", "ほかのハローワークの事業所です。"))
            }
            Err(CounterRegistrationError::EstablishmentNotFound) => CounterResponse::NotFound(err(
                "establishment_not_found",
                "この事業所番号の事業所は登録されていません。",
            )),
            Err(CounterRegistrationError::EmailTaken) => {
                CounterResponse::Conflict(err("email_taken", "このメールアドレスは使われています。"))
            }
            Err(CounterRegistrationError::Infrastructure(e)) => CounterResponse::Unavailable(unavailable(&e)),
        }
    }
}

impl Api {
    async fn saved(&self, account: AccountId) -> StepResponse {
        match self.app.mypage.overview(account).await {
            Ok(o) => StepResponse::Ok(Json(RegistrationRefDto {
                registration_id: o.registration.map(|r| r.id.to_string()).unwrap_or_default(),
            })),
            Err(e) => StepResponse::Unavailable(unavailable(&e)),
        }
    }
}

fn entry(dto: PasswordDto) -> PasswordEntry {
    PasswordEntry {
        flow_token: SecretString::from(dto.flow_token),
        auth_key: SecretString::from(dto.auth_key),
        password: SecretString::from(dto.password),
        confirmation: SecretString::from(dto.confirmation),
    }
}

fn password_error(e: PasswordPolicyError) -> Json<ApiError> {
    let (_, message) = crate::page::password_problem(e);
    err(password_code(e), &message)
}

parse_errors!(parse_error_key_request_response -> KeyRequestResponse: bad_request);
parse_errors!(parse_error_resend_response -> ResendResponse: bad_request);
parse_errors!(parse_error_password_response -> PasswordResponse: bad_request);
parse_errors!(parse_error_login_response -> LoginResponse: bad_request);
parse_errors!(parse_error_overview_response -> OverviewResponse: unauthorized);
parse_errors!(parse_error_step_response -> StepResponse: both);
parse_errors!(parse_error_detail_response -> DetailResponse: unauthorized);
parse_errors!(parse_error_queue_response -> QueueResponse: unauthorized);
parse_errors!(parse_error_decision_response -> DecisionResponse: both);
parse_errors!(parse_error_counter_response -> CounterResponse: both);
parse_errors!(parse_error_logout_response -> LogoutResponse: unauthorized);
