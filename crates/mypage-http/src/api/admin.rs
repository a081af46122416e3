//! The staff console's reads and the admin steps in the JSON API: establishments of one's own office, staff
//! accounts, offices, terms versions and dead mails (R1, R12, R14, R16). The domain checks each role: an office
//! admin lists, adds, stops and restores its own office's staff; a central admin also other offices' staff,
//! offices, terms versions and dead mails.

use super::text::{Identifier, Role, Secret, TermsKinds, Text};
use chrono::{DateTime, Utc};
use mypage_domain::model::{Establishment, MailId, StaffId};
use mypage_domain::ports::MailSummary;
use mypage_domain::usecases::{AdminActor, NewOffice, NewStaffMember, StaffView};
use mypage_domain::values::{Choice, StaffRole, TermsKind};
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use secrecy::SecretString;

use super::{Api, ApiError, StaffToken, problem_response};
use crate::app::client;
use crate::problem::{Explain, Problem};

/// The admin and console endpoints.
pub(crate) struct AdminApi(pub(crate) Api);

/// An establishment of the member's office.
#[derive(Object)]
#[oai(rename = "EstablishmentDto")]
struct EstablishmentEntryDto {
    number: String,
    name: String,
    created_at: DateTime<Utc>,
}

impl From<Establishment> for EstablishmentEntryDto {
    fn from(e: Establishment) -> Self {
        Self { number: e.number().to_string(), name: e.name().to_owned(), created_at: e.created_at() }
    }
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "establishments_refused")]
enum EstablishmentsResponse {
    /// At most 50, by number.
    #[oai(status = 200)]
    Ok(Json<Vec<EstablishmentEntryDto>>),
    /// `unauthenticated`: no valid staff token.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `not_permitted`.
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(EstablishmentsResponse, establishments_refused {
    401 => Unauthorized,
    403 => Forbidden,
    503 => Unavailable + retry_after,
});

/// A staff member (never a password hash).
#[derive(Object)]
struct StaffDto {
    staff_id: String,
    office: String,
    login: String,
    name: String,
    /// `counter`, `reviewer`, `office_admin` (its own office's staff), `central_admin` (every office).
    roles: Vec<String>,
    active: bool,
    /// Whether the member has enrolled a second factor (R21).
    second_factor_enrolled: bool,
}

impl From<StaffView> for StaffDto {
    fn from(s: StaffView) -> Self {
        Self {
            staff_id: s.id.to_string(),
            office: s.office.to_string(),
            login: s.login,
            name: s.name,
            roles: s.roles.iter().map(|r| r.code().to_owned()).collect(),
            active: s.active,
            second_factor_enrolled: s.second_factor_enrolled,
        }
    }
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "staff_list_refused")]
enum StaffListResponse {
    /// By office and login: an office admin's own office, a central admin's every office.
    #[oai(status = 200)]
    Ok(Json<Vec<StaffDto>>),
    /// `unauthenticated`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `not_permitted`: office and central admins only.
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(StaffListResponse, staff_list_refused {
    401 => Unauthorized,
    403 => Forbidden,
    503 => Unavailable + retry_after,
});

/// A new staff member.
#[derive(Object)]
struct NewStaffDto {
    office: Text<Identifier>,
    login: Text<Identifier>,
    name: Text,
    /// `counter`, `reviewer`, `office_admin`, `central_admin`; at least one. Only a central admin gives
    /// `central_admin`.
    roles: Vec<Role>,
    /// The first password, under the same rule as employers' (R5).
    password: Text<Secret>,
}

impl TryFrom<NewStaffDto> for NewStaffMember {
    type Error = Problem;

    fn try_from(dto: NewStaffDto) -> Result<Self, Problem> {
        let roles = dto
            .roles
            .iter()
            .map(|r| StaffRole::from_code(r).ok_or_else(|| Problem::unknown_role(r)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            office: dto.office.into(),
            login: dto.login.into(),
            name: dto.name.into(),
            roles,
            password: SecretString::from(dto.password),
        })
    }
}

/// What was created.
#[derive(Object)]
struct CreatedDto {
    /// The new staff member's id, the office's code, or the terms version.
    id: String,
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "create_refused")]
enum CreateResponse {
    /// Created.
    #[oai(status = 201)]
    Created(Json<CreatedDto>),
    /// `unknown_office`, `invalid_login`, `invalid_name`, `no_role`, `unknown_role`, `invalid_code`,
    /// `unknown_kind`, `empty_body`, a password code (`password_too_short`, …), or `invalid_request`.
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    /// `unauthenticated`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `not_permitted`: offices and terms versions are a central admin's; staff an office or central admin's, and
    /// the role `central_admin` a central admin's to give. `outside_office`: an office admin names another office.
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    /// `duplicate` (login or office code taken), `concurrent` (another terms version published at once) or
    /// `office_closed` (a closed office takes no new staff).
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(CreateResponse, create_refused {
    400 => BadRequest,
    401 => Unauthorized,
    403 => Forbidden,
    409 => Conflict,
    503 => Unavailable + retry_after,
});

impl CreateResponse {
    /// Created: `id` names it.
    fn created(id: impl ToString) -> Self {
        Self::Created(Json(CreatedDto { id: id.to_string() }))
    }
}

/// A new office.
#[derive(Object)]
struct NewOfficeDto {
    /// Four digits.
    code: Text<Identifier>,
    name: Text,
    phone: Option<Text>,
}

impl From<NewOfficeDto> for NewOffice {
    fn from(dto: NewOfficeDto) -> Self {
        Self { code: dto.code.into(), name: dto.name.into(), phone: dto.phone.map(String::from) }
    }
}

/// A new version of a document (R1).
#[derive(Object)]
struct NewTermsDto {
    /// `privacy_policy` or `mypage_terms`.
    kind: Text<TermsKinds>,
    body: Text,
}

/// A mail given up (never its content).
#[derive(Object)]
struct DeadMailDto {
    mail_id: String,
    /// The recipient, masked (`ta***@example.jp`).
    to: String,
    template: String,
    attempts: u32,
    #[oai(skip_serializing_if_is_none)]
    last_error: Option<String>,
    created_at: DateTime<Utc>,
}

impl From<MailSummary> for DeadMailDto {
    fn from(m: MailSummary) -> Self {
        Self {
            mail_id: m.id.to_string(),
            to: m.to.masked(),
            template: m.template,
            attempts: m.attempts,
            last_error: m.last_error,
            created_at: m.created_at,
        }
    }
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "dead_mails_refused")]
enum DeadMailsResponse {
    /// Newest first, at most 200.
    #[oai(status = 200)]
    Ok(Json<Vec<DeadMailDto>>),
    /// `unauthenticated`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `not_permitted`: central admins only.
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(DeadMailsResponse, dead_mails_refused {
    401 => Unauthorized,
    403 => Forbidden,
    503 => Unavailable + retry_after,
});

#[derive(ApiResponse)]
#[oai(bad_request_handler = "requeue_refused")]
enum RequeueResponse {
    /// Queued again; the dispatcher sends it at once.
    #[oai(status = 204)]
    Done,
    /// `unauthenticated`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `not_permitted`: central admins only.
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    /// `not_dead`: no dead mail has this id (already re-queued, or unknown).
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(RequeueResponse, requeue_refused {
    401 => Unauthorized,
    403 => Forbidden,
    404 => NotFound,
    503 => Unavailable + retry_after,
});

#[derive(ApiResponse)]
#[oai(bad_request_handler = "access_refused")]
enum AccessResponse {
    /// Done (also when the member already was in that state).
    #[oai(status = 204)]
    Done,
    /// `unauthenticated`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `not_permitted`: office and central admins only, and a central admin's access a central admin's to change.
    /// `outside_office`: an office admin names a member of another office.
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    /// `not_found`: no staff member has this id.
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// `own_access` (an admin cannot stop their own access) or `concurrent` (changed by another admin at once).
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(AccessResponse, access_refused {
    401 => Unauthorized,
    403 => Forbidden,
    404 => NotFound,
    409 => Conflict,
    503 => Unavailable + retry_after,
});

#[OpenApi]
impl AdminApi {
    /// Establishments of the member's own office whose name contains `q`, or whose number is `q` (R12, R14).
    #[oai(path = "/staff/establishments", method = "get")]
    async fn establishments(&self, token: StaffToken, #[oai(default)] q: Query<String>) -> EstablishmentsResponse {
        match self.0.app.mypage.find_establishments(token.0, &q.0).await {
            Ok(found) => EstablishmentsResponse::Ok(Json(found.into_iter().map(EstablishmentEntryDto::from).collect())),
            Err(e) => e.explain().into(),
        }
    }

    /// The staff an admin administers: an office admin's own office, a central admin's every office (R14).
    #[oai(path = "/staff/admin/staff", method = "get")]
    async fn staff_list(&self, token: StaffToken) -> StaffListResponse {
        match self.0.app.mypage.staff_list(token.0).await {
            Ok(list) => StaffListResponse::Ok(Json(list.into_iter().map(StaffDto::from).collect())),
            Err(e) => e.explain().into(),
        }
    }

    /// Adds a staff member (R14): an office admin to its own office, a central admin to any.
    #[oai(path = "/staff/admin/staff", method = "post")]
    async fn add_staff(&self, req: &Request, token: StaffToken, body: Json<NewStaffDto>) -> CreateResponse {
        let input = match NewStaffMember::try_from(body.0) {
            Ok(input) => input,
            Err(problem) => return problem.into(),
        };
        match self.0.app.mypage.add_staff(AdminActor::Staff(token.0), &input, &client(req)).await {
            Ok(id) => CreateResponse::created(id),
            Err(e) => e.explain().into(),
        }
    }

    /// Stops a staff member's access: no login, and no step of a session already open (R14: an office admin its own
    /// office's members, a central admin any office's).
    #[oai(path = "/staff/admin/staff/:id/deactivate", method = "post")]
    async fn deactivate(&self, req: &Request, token: StaffToken, id: Path<String>) -> AccessResponse {
        self.access(req, token.0, &id.0, false).await
    }

    /// Restores a stopped staff member's access (R14: as for stopping it).
    #[oai(path = "/staff/admin/staff/:id/reactivate", method = "post")]
    async fn reactivate(&self, req: &Request, token: StaffToken, id: Path<String>) -> AccessResponse {
        self.access(req, token.0, &id.0, true).await
    }

    /// Adds an office (central admins, R14).
    #[oai(path = "/staff/admin/offices", method = "post")]
    async fn add_office(&self, req: &Request, token: StaffToken, body: Json<NewOfficeDto>) -> CreateResponse {
        match self.0.app.mypage.add_office(AdminActor::Staff(token.0), &body.0.into(), &client(req)).await {
            Ok(code) => CreateResponse::created(code),
            Err(e) => e.explain().into(),
        }
    }

    /// Publishes a new version of the privacy policy or the My Page terms (central admins, R1, R14); `id` is the
    /// version.
    #[oai(path = "/staff/admin/terms", method = "post")]
    async fn publish_terms(&self, req: &Request, token: StaffToken, body: Json<NewTermsDto>) -> CreateResponse {
        let Some(kind) = TermsKind::from_code(&body.0.kind) else { return Problem::unknown_kind().into() };
        match self.0.app.mypage.publish_terms(AdminActor::Staff(token.0), kind, &body.0.body, &client(req)).await {
            Ok(version) => CreateResponse::created(version.0),
            Err(e) => e.explain().into(),
        }
    }

    /// The mails given up (central admins, R14, R16).
    #[oai(path = "/staff/admin/dead-mails", method = "get")]
    async fn dead_mails(&self, token: StaffToken) -> DeadMailsResponse {
        match self.0.app.mypage.dead_mails(token.0).await {
            Ok(list) => DeadMailsResponse::Ok(Json(list.into_iter().map(DeadMailDto::from).collect())),
            Err(e) => e.explain().into(),
        }
    }

    /// Puts a dead mail back in the queue (central admins, R14, R16).
    #[oai(path = "/staff/admin/dead-mails/:id/requeue", method = "post")]
    async fn requeue(&self, req: &Request, token: StaffToken, id: Path<String>) -> RequeueResponse {
        let Ok(uuid) = id.0.parse() else { return Problem::not_dead().into() };
        match self.0.app.mypage.requeue_mail(token.0, MailId::from_uuid(uuid), &client(req)).await {
            Ok(true) => RequeueResponse::Done,
            Ok(false) => Problem::not_dead().into(),
            Err(e) => e.explain().into(),
        }
    }
}

impl AdminApi {
    /// Stops or restores the access of the member `id`.
    async fn access(&self, req: &Request, admin: StaffId, id: &str, active: bool) -> AccessResponse {
        let Ok(uuid) = id.parse() else { return Problem::staff_not_found().into() };
        match self.0.app.mypage.set_staff_active(admin, StaffId::from_uuid(uuid), active, &client(req)).await {
            Ok(()) => AccessResponse::Done,
            Err(e) => e.explain().into(),
        }
    }
}
