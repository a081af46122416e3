//! Job offers after opening through the API (求人の申込み, R20): an Active employer's list of its job offers, a new
//! one (empty or copied from an earlier filing), one read back, its form saved (the body of the registration's
//! job-offer step), submitted to the office of jurisdiction, or discarded while a draft never sent.

use chrono::{DateTime, Utc};
use mypage_domain::model::{ApplicationHistory, ProvisionalRegistration, RegistrationId};
use mypage_domain::usecases::StartJobOfferError;
use mypage_domain::values::JobOfferInput;
use poem::Request;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::dto::{JobOfferDto, note_of};
use super::text::{Identifier, Text};
use super::{Api, ApiError, EmployerToken, problem_response};
use crate::app::client;
use crate::problem::{Explain, Problem};

/// The endpoints of an Active employer's job offers.
pub(crate) struct JobOffersApi(pub(crate) Api);

/// A job offer as its employer reads it back.
#[derive(Object)]
struct JobOfferItemDto {
    registration_id: String,
    /// `draft`, `submitted`, `contact_needed`, `returned`, `confirmed` (受理済み), `rejected`, `expired` or
    /// `withdrawn`.
    status: String,
    /// The establishment number it is filed for.
    establishment_number: String,
    /// The office of jurisdiction's code, whose queue reviews it.
    office: String,
    /// 職種, once the form was saved whole.
    #[oai(skip_serializing_if_is_none)]
    occupation: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    submitted_at: Option<DateTime<Utc>>,
    /// When a draft expires if left unsaved (R10).
    #[oai(skip_serializing_if_is_none)]
    draft_expires_at: Option<DateTime<Utc>>,
    /// The staff's note (contact needed, returned) or reason (rejected).
    #[oai(skip_serializing_if_is_none)]
    note: Option<String>,
    /// 求人情報 as saved (NFKC-normalised); only in the answer for one offer.
    #[oai(skip_serializing_if_is_none)]
    job_offer: Option<JobOfferDto>,
}

impl JobOfferItemDto {
    fn new(offer: &ProvisionalRegistration, expires: Option<DateTime<Utc>>, whole: bool) -> Self {
        let establishment_number = match offer.history() {
            Some(ApplicationHistory::PastApplicant { number }) => number.to_string(),
            _ => String::new(),
        };
        Self {
            registration_id: offer.id().to_string(),
            status: offer.status().code().to_owned(),
            establishment_number,
            office: offer.office().map(|o| o.to_string()).unwrap_or_default(),
            occupation: offer.job_offer().map(|j| j.occupation.clone()),
            submitted_at: offer.submitted_at(),
            draft_expires_at: expires,
            note: note_of(offer.status()),
            job_offer: offer.job_offer().filter(|_| whole).map(|j| JobOfferDto::from(j.to_input())),
        }
    }
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "list_refused")]
enum ListResponse {
    /// The employer's job offers, newest first.
    #[oai(status = 200)]
    Ok(Json<Vec<JobOfferItemDto>>),
    /// `unauthenticated`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(ListResponse, list_refused {
    401 => Unauthorized,
    503 => Unavailable + retry_after,
});

#[derive(ApiResponse)]
#[oai(bad_request_handler = "one_refused")]
enum OneResponse {
    /// The job offer, with its form as saved.
    #[oai(status = 200)]
    Ok(Json<Box<JobOfferItemDto>>),
    /// `unauthenticated`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `job_offer_not_found`: no job offer of this employer has this id.
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(OneResponse, one_refused {
    401 => Unauthorized,
    404 => NotFound,
    503 => Unavailable + retry_after,
});

/// A new job offer: empty, or with the job offer of one of the employer's earlier filings.
#[derive(Object)]
struct StartDto {
    /// The id of an earlier job offer (or of the provisional registration) whose 求人情報 the new draft copies.
    #[oai(skip_serializing_if_is_none)]
    copy_from: Option<Text<Identifier>>,
}

/// The job offer a step saved or started.
#[derive(Object)]
struct JobOfferRefDto {
    registration_id: String,
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "step_refused")]
enum StepResponse {
    /// Started, saved, submitted or discarded.
    #[oai(status = 200)]
    Ok(Json<JobOfferRefDto>),
    /// `invalid_request`: not JSON of the documented shape.
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    /// `unauthenticated`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `not_active`: only an Active account files job offers.
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    /// `job_offer_not_found`, or `copy_not_found` (the filing to copy is not the employer's or has no job offer).
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// `not_editable`, `incomplete`, `not_discardable`, `too_many_drafts` or `office_closed`.
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    /// `invalid_fields`, each field with its code; the valid ones are kept in the draft (R10).
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
    fn done(id: RegistrationId) -> Self {
        Self::Ok(Json(JobOfferRefDto { registration_id: id.to_string() }))
    }
}

/// The job offer a path or body names; one that cannot be an id is as unknown as another employer's.
fn offer_id(raw: &str) -> Result<RegistrationId, Problem> {
    raw.parse().map(RegistrationId::from_uuid).map_err(|_| Problem::job_offer_not_found())
}

#[OpenApi]
impl JobOffersApi {
    /// The employer's job offers after opening, newest first (R20).
    #[oai(path = "/mypage/job-offers", method = "get")]
    async fn list(&self, token: EmployerToken) -> ListResponse {
        let m = &self.0.app.mypage;
        match m.job_offers(token.0).await {
            Ok(offers) => ListResponse::Ok(Json(
                offers.iter().map(|o| JobOfferItemDto::new(o, m.job_offer_expires_at(o), false)).collect(),
            )),
            Err(e) => e.explain().into(),
        }
    }

    /// Starts a job offer's draft for the employer's establishment (R20), empty or copied from `copy_from`.
    #[oai(path = "/mypage/job-offers", method = "post")]
    async fn start(&self, req: &Request, token: EmployerToken, body: Json<StartDto>) -> StepResponse {
        let copy_from = match body.0.copy_from.map(|raw| offer_id(&String::from(raw))).transpose() {
            Ok(copy_from) => copy_from,
            Err(_) => return StartJobOfferError::CopyNotFound.explain().into(),
        };
        match self.0.app.mypage.start_job_offer(token.0, copy_from, &client(req)).await {
            Ok(id) => StepResponse::done(id),
            Err(e) => e.explain().into(),
        }
    }

    /// One of the employer's job offers, with its form as saved.
    #[oai(path = "/mypage/job-offers/:id", method = "get")]
    async fn one(&self, token: EmployerToken, id: Path<String>) -> OneResponse {
        let id = match offer_id(&id.0) {
            Ok(id) => id,
            Err(problem) => return problem.into(),
        };
        let m = &self.0.app.mypage;
        match m.job_offer(token.0, id).await {
            Ok(offer) => {
                OneResponse::Ok(Json(Box::new(JobOfferItemDto::new(&offer, m.job_offer_expires_at(&offer), true))))
            }
            Err(e) => e.explain().into(),
        }
    }

    /// 求人情報 of a draft or returned job offer (R10's fields and limits); a form with wrong fields is kept without
    /// them.
    #[oai(path = "/mypage/job-offers/:id", method = "put")]
    async fn save(
        &self,
        req: &Request,
        token: EmployerToken,
        id: Path<String>,
        body: Json<JobOfferDto>,
    ) -> StepResponse {
        let id = match offer_id(&id.0) {
            Ok(id) => id,
            Err(problem) => return problem.into(),
        };
        let input = JobOfferInput::from(body.0);
        match self.0.app.mypage.save_job_offer_draft(token.0, id, &input, &client(req)).await {
            Ok(()) => StepResponse::done(id),
            Err(e) => e.explain().into(),
        }
    }

    /// Submits a job offer whole to the review queue of the office of jurisdiction; a receipt is mailed.
    #[oai(path = "/mypage/job-offers/:id/submit", method = "post")]
    async fn submit(&self, req: &Request, token: EmployerToken, id: Path<String>) -> StepResponse {
        let id = match offer_id(&id.0) {
            Ok(id) => id,
            Err(problem) => return problem.into(),
        };
        match self.0.app.mypage.submit_job_offer(token.0, id, &client(req)).await {
            Ok(()) => StepResponse::done(id),
            Err(e) => e.explain().into(),
        }
    }

    /// Discards a job offer's draft never submitted.
    #[oai(path = "/mypage/job-offers/:id", method = "delete")]
    async fn discard(&self, req: &Request, token: EmployerToken, id: Path<String>) -> StepResponse {
        let id = match offer_id(&id.0) {
            Ok(id) => id,
            Err(problem) => return problem.into(),
        };
        match self.0.app.mypage.discard_job_offer(token.0, id, &client(req)).await {
            Ok(()) => StepResponse::done(id),
            Err(e) => e.explain().into(),
        }
    }
}
