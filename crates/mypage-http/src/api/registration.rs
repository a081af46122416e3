//! The employer's My Page through the API: where the account stands, and the provisional registration step by step
//! — application history, 事業所情報, 求人情報, submission (R9, R10).

use super::text::{Identifier, Text};
use chrono::{DateTime, Utc};
use mypage_domain::model::AccountId;
use mypage_domain::usecases::{HistoryInput, MyPageOverview};
use mypage_domain::values::{EstablishmentInfoInput, JobOfferInput};
use poem::Request;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};

use super::dto::{EstablishmentDto, JobOfferDto, note_of};
use super::{Api, ApiError, EmployerToken, problem_response};
use crate::app::client;
use crate::problem::{Explain, Problem};

/// The endpoints of a logged-in employer.
pub(crate) struct RegistrationApi(pub(crate) Api);

/// Where the account and its latest registration stand.
#[derive(Object)]
struct OverviewDto {
    email: String,
    /// `provisional` or `active`.
    status: String,
    #[oai(skip_serializing_if_is_none)]
    establishment_number: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    registration_id: Option<String>,
    /// `draft`, `submitted`, `contact_needed`, `returned`, `confirmed`, `rejected` or `expired`.
    #[oai(skip_serializing_if_is_none)]
    registration_status: Option<String>,
    /// The staff's note (contact needed, returned) or reason (rejected).
    #[oai(skip_serializing_if_is_none)]
    note: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    draft_expires_at: Option<DateTime<Utc>>,
}

impl From<MyPageOverview> for OverviewDto {
    fn from(o: MyPageOverview) -> Self {
        let registration = o.registration.as_ref();
        Self {
            email: o.account.email().as_str().to_owned(),
            status: o.account.status().code().to_owned(),
            establishment_number: o.establishment.as_ref().map(|e| e.number().to_string()),
            registration_id: registration.map(|r| r.id().to_string()),
            registration_status: registration.map(|r| r.status().code().to_owned()),
            note: registration.and_then(|r| note_of(r.status())),
            draft_expires_at: o.draft_expires_at,
        }
    }
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "overview_refused")]
enum OverviewResponse {
    /// Where the account stands.
    #[oai(status = 200)]
    Ok(Json<OverviewDto>),
    /// `unauthenticated`: no valid employer token.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(OverviewResponse, overview_refused {
    401 => Unauthorized,
    503 => Unavailable + retry_after,
});

/// Whether the establishment applied before.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
enum HistoryKind {
    /// 過去にハローワークに求人を申し込んだことがある: with its establishment number (case B).
    Past,
    /// 初めて申し込む: with the office chosen (case C).
    First,
}

/// The application history: `past` with an establishment number, or `first` with an office code.
#[derive(Object)]
struct HistoryDto {
    kind: HistoryKind,
    /// 事業所番号, for `past`.
    #[oai(default)]
    establishment_number: Text<Identifier>,
    /// The office's four-digit code, for `first`.
    #[oai(default)]
    office: Text<Identifier>,
}

impl From<HistoryDto> for HistoryInput {
    fn from(dto: HistoryDto) -> Self {
        match dto.kind {
            HistoryKind::Past => Self::PastApplicant { establishment_number: dto.establishment_number.into() },
            HistoryKind::First => Self::FirstTime { office: dto.office.into() },
        }
    }
}

/// The draft a step saved.
#[derive(Object)]
struct RegistrationRefDto {
    registration_id: String,
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "step_refused")]
enum StepResponse {
    /// Saved.
    #[oai(status = 200)]
    Ok(Json<RegistrationRefDto>),
    /// `invalid_establishment_number`, `unknown_office`, or `invalid_request` (not JSON of the documented shape,
    /// or a `kind` other than `past` and `first`).
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
    /// `not_editable`, `not_first_time`, `incomplete`, or `office_closed` (the office chosen takes no first-time
    /// application).
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    /// `invalid_fields`, each field with its code.
    #[oai(status = 422)]
    Invalid(Json<ApiError>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(StepResponse, step_refused {
    400 => BadRequest,
    401 => Unauthorized,
    403 => Forbidden,
    404 => NotFound,
    409 => Conflict,
    422 => Invalid,
    503 => Unavailable + retry_after,
});

impl StepResponse {
    /// The registration a step saved.
    fn saved(id: impl ToString) -> Self {
        Self::Ok(Json(RegistrationRefDto { registration_id: id.to_string() }))
    }
}

#[OpenApi]
impl RegistrationApi {
    /// Where the employer's account and registration stand.
    #[oai(path = "/mypage", method = "get")]
    async fn overview(&self, token: EmployerToken) -> OverviewResponse {
        match self.0.app.mypage.overview(token.0).await {
            Ok(overview) => OverviewResponse::Ok(Json(overview.into())),
            Err(e) => e.explain().into(),
        }
    }

    /// 求人申し込み実績: starts or changes the draft (R9, R10).
    #[oai(path = "/mypage/registration/history", method = "put")]
    async fn history(&self, req: &Request, token: EmployerToken, body: Json<HistoryDto>) -> StepResponse {
        match self.0.app.mypage.declare_history(token.0, &body.0.into(), &client(req)).await {
            Ok(id) => StepResponse::saved(id),
            Err(e) => e.explain().into(),
        }
    }

    /// 事業所情報 of a first-time applicant (case C).
    #[oai(path = "/mypage/registration/establishment", method = "put")]
    async fn establishment(&self, req: &Request, token: EmployerToken, body: Json<EstablishmentDto>) -> StepResponse {
        let input = EstablishmentInfoInput::from(body.0);
        match self.0.app.mypage.save_establishment_info(token.0, &input, &client(req)).await {
            Ok(()) => self.saved(token.0).await,
            Err(e) => e.explain().into(),
        }
    }

    /// 求人情報 of the draft.
    #[oai(path = "/mypage/registration/job-offer", method = "put")]
    async fn job_offer(&self, req: &Request, token: EmployerToken, body: Json<JobOfferDto>) -> StepResponse {
        let input = JobOfferInput::from(body.0);
        match self.0.app.mypage.save_job_offer(token.0, &input, &client(req)).await {
            Ok(()) => self.saved(token.0).await,
            Err(e) => e.explain().into(),
        }
    }

    /// Submits the provisional registration to the office's queue (R10).
    #[oai(path = "/mypage/registration/submit", method = "post")]
    async fn submit(&self, req: &Request, token: EmployerToken) -> StepResponse {
        match self.0.app.mypage.submit_registration(token.0, &client(req)).await {
            Ok(id) => StepResponse::saved(id),
            Err(e) => e.explain().into(),
        }
    }
}

impl RegistrationApi {
    /// The answer to a saved step: the draft's id, read back. A draft that cannot be read back right after it was
    /// saved is the store's failure (503), never an empty id.
    async fn saved(&self, account: AccountId) -> StepResponse {
        match self.0.app.mypage.overview(account).await {
            Ok(overview) => match overview.registration {
                Some(registration) => StepResponse::saved(registration.id()),
                None => Problem::unavailable(&"a saved draft is not in the overview").into(),
            },
            Err(e) => e.explain().into(),
        }
    }
}
