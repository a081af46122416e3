//! The staff's work through the API: login (R14), the office's review queue and a registration's detail, the
//! decisions on it (R11), and registering an employer's e-mail at the counter (R12, case A). The domain decides
//! which office and role may do what (R14).

use super::text::{Email, Identifier, Secret, Text};
use chrono::{DateTime, Utc};
use mypage_domain::model::{
    Account, AccountStatus, ApplicationHistory, NoteDecision, ProvisionalRegistration, RegistrationId,
};
use mypage_domain::ports::SessionSubject;
use mypage_domain::usecases::{CounterRegistration, SecondFactorProof};
use poem::Request;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use secrecy::SecretString;

use super::dto::{AccountDto, EstablishmentDto, JobOfferDto, SessionDto, note_of};
use super::second_factor::StaffLoginResponse;
use super::{Api, ApiError, StaffToken, problem_response};
use crate::app::client;
use crate::problem::{Explain, Problem};

/// The staff endpoints of review and counter work.
pub(crate) struct StaffApi(pub(crate) Api);

/// A staff member's login.
#[derive(Object)]
struct StaffLoginDto {
    login: Text<Identifier>,
    password: Text<Secret>,
    /// The code the authenticator app shows, for a member who logs in with one (R21).
    #[oai(skip_serializing_if_is_none)]
    code: Option<Text<Secret>>,
    /// A recovery code instead of `code` (R21); it works once.
    #[oai(skip_serializing_if_is_none)]
    recovery_code: Option<Text<Secret>>,
}

/// One registration of the office's queue.
#[derive(Object)]
struct QueueItemDto {
    registration_id: String,
    /// `opening` (a provisional registration, cases B and C) or `job_offer` (a job offer of an existing
    /// establishment, R20).
    registration_kind: String,
    status: String,
    #[oai(skip_serializing_if_is_none)]
    submitted_at: Option<DateTime<Utc>>,
    #[oai(skip_serializing_if_is_none)]
    establishment_number: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    establishment_name: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    occupation: Option<String>,
}

impl From<ProvisionalRegistration> for QueueItemDto {
    fn from(r: ProvisionalRegistration) -> Self {
        let establishment_number = match r.history() {
            Some(ApplicationHistory::PastApplicant { number }) => Some(number.to_string()),
            Some(ApplicationHistory::FirstTime { .. }) | None => None,
        };
        Self {
            registration_id: r.id().to_string(),
            registration_kind: r.kind().code().to_owned(),
            status: r.status().code().to_owned(),
            submitted_at: r.submitted_at(),
            establishment_number,
            establishment_name: r.establishment().map(|e| e.name.clone()),
            occupation: r.job_offer().map(|j| j.occupation.clone()),
        }
    }
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "queue_refused")]
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
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(QueueResponse, queue_refused {
    401 => Unauthorized,
    403 => Forbidden,
    404 => NotFound,
    503 => Unavailable + retry_after,
});

/// One registration as the reviewer sees it, with what the employer entered.
#[derive(Object)]
struct RegistrationDetailDto {
    registration_id: String,
    /// `opening` (a provisional registration, cases B and C) or `job_offer` (a job offer of an existing
    /// establishment, R20); `confirm` accepts (受理) a job offer without touching its account.
    registration_kind: String,
    /// `submitted`, `contact_needed`, `returned`, `confirmed`, `rejected`, …
    status: String,
    /// The account's e-mail address.
    email: String,
    #[oai(skip_serializing_if_is_none)]
    submitted_at: Option<DateTime<Utc>>,
    /// `past` (an establishment number is claimed) or `first` (a new establishment under `office`).
    #[oai(skip_serializing_if_is_none)]
    kind: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    establishment_number: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    office: Option<String>,
    /// 事業所情報 of a first-time applicant, as kept (NFKC-normalised).
    #[oai(skip_serializing_if_is_none)]
    establishment: Option<EstablishmentDto>,
    /// 求人情報, as kept (NFKC-normalised).
    #[oai(skip_serializing_if_is_none)]
    job_offer: Option<JobOfferDto>,
    /// The staff's note (contact needed, returned) or reason (rejected).
    #[oai(skip_serializing_if_is_none)]
    note: Option<String>,
}

impl From<(ProvisionalRegistration, Account)> for RegistrationDetailDto {
    fn from((r, account): (ProvisionalRegistration, Account)) -> Self {
        let (kind, establishment_number, office) = match r.history() {
            Some(ApplicationHistory::PastApplicant { number }) => {
                (Some("past"), Some(number.to_string()), Some(number.office().to_string()))
            }
            Some(ApplicationHistory::FirstTime { office }) => (Some("first"), None, Some(office.to_string())),
            None => (None, None, None),
        };
        Self {
            registration_id: r.id().to_string(),
            registration_kind: r.kind().code().to_owned(),
            status: r.status().code().to_owned(),
            email: account.email().as_str().to_owned(),
            submitted_at: r.submitted_at(),
            kind: kind.map(str::to_owned),
            establishment_number,
            office,
            establishment: r.establishment().map(|e| EstablishmentDto::from(e.to_input())),
            job_offer: r.job_offer().map(|j| JobOfferDto::from(j.to_input())),
            note: note_of(r.status()),
        }
    }
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "detail_refused")]
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
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(DetailResponse, detail_refused {
    401 => Unauthorized,
    403 => Forbidden,
    404 => NotFound,
    503 => Unavailable + retry_after,
});

/// A decision with a note on a registration of the member's office (R11).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
enum Decision {
    /// 連絡が必要: staff will contact the employer; the registration stays in the queue.
    Contact,
    /// 修正を依頼: sent back to the employer for correction.
    Return,
    /// 本登録しない: refused, for the reason given.
    Reject,
}

impl From<Decision> for NoteDecision {
    fn from(decision: Decision) -> Self {
        match decision {
            Decision::Contact => Self::ContactNeeded,
            Decision::Return => Self::Return,
            Decision::Reject => Self::Reject,
        }
    }
}

/// The note sent to the employer with a decision.
#[derive(Object)]
struct NoteDto {
    /// 1–1000 characters.
    note: Text,
}

/// What was decided.
#[derive(Object)]
struct DecisionDto {
    registration_id: String,
    /// The establishment number, when confirmed.
    #[oai(skip_serializing_if_is_none)]
    establishment_number: Option<String>,
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "decision_refused")]
enum DecisionResponse {
    /// Decided; the employer is mailed.
    #[oai(status = 200)]
    Ok(Json<DecisionDto>),
    /// `invalid_note`, or `invalid_request` (a body of the wrong shape, or a decision other than `contact`,
    /// `return` and `reject`).
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
    /// `already_decided`, `establishment_not_found` for a claimed number that left the records, or
    /// `account_not_active` for a job offer whose account no longer acts for its establishment.
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(DecisionResponse, decision_refused {
    400 => BadRequest,
    401 => Unauthorized,
    403 => Forbidden,
    404 => NotFound,
    409 => Conflict,
    503 => Unavailable + retry_after,
});

/// An employer's e-mail for an establishment of the member's office.
#[derive(Object)]
struct CounterDto {
    email: Text<Email>,
    establishment_number: Text<Identifier>,
}

impl From<CounterDto> for CounterRegistration {
    fn from(dto: CounterDto) -> Self {
        Self { email: dto.email.into(), establishment_number: dto.establishment_number.into() }
    }
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "counter_refused")]
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
    /// `email_taken`, or `office_closed` (the member's office takes no new registration).
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(CounterResponse, counter_refused {
    400 => BadRequest,
    401 => Unauthorized,
    403 => Forbidden,
    404 => NotFound,
    409 => Conflict,
    503 => Unavailable + retry_after,
});

/// The registration a path names; an id that is no id names no registration of the member's office.
fn registration_id(id: &str) -> Result<RegistrationId, Problem> {
    id.parse().map(RegistrationId::from_uuid).map_err(|_| Problem::registration_not_found())
}

#[OpenApi]
impl StaffApi {
    /// Logs a staff member in (R14), with a code or recovery code when a role requires one (R21); returns a bearer
    /// token.
    #[oai(path = "/staff/sessions", method = "post")]
    async fn staff_login(&self, req: &Request, body: Json<StaffLoginDto>) -> StaffLoginResponse {
        let StaffLoginDto { login, password, code, recovery_code } = body.0;
        let password = SecretString::from(password);
        let proof = match (recovery_code, code) {
            (Some(recovery), _) => Some(SecondFactorProof::RecoveryCode(SecretString::from(recovery))),
            (None, Some(code)) => Some(SecondFactorProof::Code(code.into())),
            (None, None) => None,
        };
        let member = match self.0.app.mypage.staff_login_with(&login, &password, proof.as_ref(), &client(req)).await {
            Ok(member) if member.must_enrol => return Problem::enrolment_required().into(),
            Ok(member) => member,
            Err(e) => return e.explain().into(),
        };
        let office = member.office.to_string();
        let subject = SessionSubject::Staff(member.staff);
        match SessionDto::open(&self.0.sessions, subject, member.staff.to_string(), &office, &client(req)).await {
            Ok(session) => StaffLoginResponse::Created(Json(session)),
            Err(problem) => problem.into(),
        }
    }

    /// The review queue of the member's office (R10, R14).
    #[oai(path = "/staff/queue", method = "get")]
    async fn queue(&self, token: StaffToken) -> QueueResponse {
        match self.0.app.mypage.review_queue(token.0).await {
            Ok(list) => QueueResponse::Ok(Json(list.into_iter().map(QueueItemDto::from).collect())),
            Err(e) => e.explain().into(),
        }
    }

    /// One registration of the member's office, with everything the employer entered (R11, R14).
    #[oai(path = "/staff/registrations/:id", method = "get")]
    async fn registration(&self, token: StaffToken, id: Path<String>) -> DetailResponse {
        let id = match registration_id(&id.0) {
            Ok(id) => id,
            Err(problem) => return problem.into(),
        };
        match self.0.app.mypage.registration_for_review(token.0, id).await {
            Ok(found) => DetailResponse::Ok(Json(Box::new(found.into()))),
            Err(e) => e.explain().into(),
        }
    }

    /// 本登録 (R11): confirms a registration of the member's office; for a job offer (R20), accepts it (受理), the
    /// account untouched.
    #[oai(path = "/staff/registrations/:id/confirm", method = "post")]
    async fn confirm(&self, req: &Request, token: StaffToken, id: Path<String>) -> DecisionResponse {
        let id = match registration_id(&id.0) {
            Ok(id) => id,
            Err(problem) => return problem.into(),
        };
        match self.0.app.mypage.confirm_registration(token.0, id, &client(req)).await {
            Ok(number) => DecisionResponse::decided(id, Some(number.to_string())),
            Err(e) => e.explain().into(),
        }
    }

    /// Answers a registration of the member's office with a note (R11): `contact` (contact needed; it stays in
    /// the queue), `return` (for correction) or `reject` (the note is the reason). The employer is mailed the note.
    #[oai(path = "/staff/registrations/:id/:decision", method = "post")]
    async fn decide(
        &self,
        req: &Request,
        token: StaffToken,
        id: Path<String>,
        decision: Path<Decision>,
        body: Json<NoteDto>,
    ) -> DecisionResponse {
        let id = match registration_id(&id.0) {
            Ok(id) => id,
            Err(problem) => return problem.into(),
        };
        match self.0.app.mypage.decide_with_note(token.0, id, decision.0.into(), &body.0.note, &client(req)).await {
            Ok(()) => DecisionResponse::decided(id, None),
            Err(e) => e.explain().into(),
        }
    }

    /// Registers an employer's e-mail for an establishment of the member's office (R12, case A).
    #[oai(path = "/staff/counter-registrations", method = "post")]
    async fn counter(&self, req: &Request, token: StaffToken, body: Json<CounterDto>) -> CounterResponse {
        match self.0.app.mypage.register_email_at_counter(token.0, &body.0.into(), &client(req)).await {
            Ok(account) => CounterResponse::Created(Json(AccountDto::new(account, AccountStatus::AwaitingPassword))),
            Err(e) => e.explain().into(),
        }
    }
}

impl DecisionResponse {
    /// The registration `id`, decided; with the establishment number when it was confirmed.
    fn decided(id: RegistrationId, establishment_number: Option<String>) -> Self {
        Self::Ok(Json(DecisionDto { registration_id: id.to_string(), establishment_number }))
    }
}
