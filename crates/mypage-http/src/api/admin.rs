//! The staff console's reads and the admin steps in the JSON API: establishments of one's own office, staff
//! accounts, offices, terms versions and dead mails (R1, R12, R14, R16). The domain checks each role.

use chrono::{DateTime, Utc};
use mypage_domain::model::{MailId, StaffId};
use mypage_domain::usecases::{
    AddOfficeError, AddStaffError, AdminActor, ConsoleError, NewOffice, NewStaffMember, PublishTermsError,
    StaffAccessError,
};
use mypage_domain::values::{Choice, StaffRole, TermsKind};
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use secrecy::SecretString;

use super::{Api, ApiError, Token, err, invalid_request, not_permitted, parse_errors, unauthenticated, unavailable};
use crate::client;

/// The admin and console endpoints, over the same state as [`Api`].
pub(crate) struct AdminApi(pub(crate) Api);

/// An establishment of the member's office.
#[derive(Object)]
struct EstablishmentDto {
    number: String,
    name: String,
    created_at: DateTime<Utc>,
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "parse_error_establishments_response")]
enum EstablishmentsResponse {
    /// At most 50, by number.
    #[oai(status = 200)]
    Ok(Json<Vec<EstablishmentDto>>),
    /// `unauthenticated`: no valid staff token.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `not_permitted`.
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    /// `unavailable`.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>),
}

/// A staff member (never a password hash).
#[derive(Object)]
struct StaffDto {
    staff_id: String,
    office: String,
    login: String,
    name: String,
    /// `counter`, `reviewer`, `admin`.
    roles: Vec<String>,
    active: bool,
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "parse_error_staff_list_response")]
enum StaffListResponse {
    /// Every member, by office and login.
    #[oai(status = 200)]
    Ok(Json<Vec<StaffDto>>),
    /// `unauthenticated`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `not_permitted`: admins only.
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    /// `unavailable`.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>),
}

/// A new staff member.
#[derive(Object)]
struct NewStaffDto {
    office: String,
    login: String,
    name: String,
    /// `counter`, `reviewer`, `admin`; at least one.
    roles: Vec<String>,
    /// The first password, under the same rule as employers' (R5).
    password: String,
}

/// What was created.
#[derive(Object)]
struct CreatedDto {
    /// The new staff member's id, the office's code, or the terms version.
    id: String,
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "parse_error_create_response")]
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
    /// `not_permitted`: admins only.
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    /// `duplicate` (login or office code taken) or `concurrent` (another terms version published at once).
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    /// `unavailable`.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>),
}

/// A new office.
#[derive(Object)]
struct NewOfficeDto {
    /// Four digits.
    code: String,
    name: String,
    phone: Option<String>,
}

/// A new version of a document (R1).
#[derive(Object)]
struct NewTermsDto {
    /// `privacy_policy` or `mypage_terms`.
    kind: String,
    body: String,
}

/// A mail given up (never its content).
#[derive(Object)]
struct DeadMailDto {
    mail_id: String,
    /// The recipient, masked (`ta***@example.jp`).
    to: String,
    template: String,
    attempts: u32,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "parse_error_dead_mails_response")]
enum DeadMailsResponse {
    /// Newest first, at most 200.
    #[oai(status = 200)]
    Ok(Json<Vec<DeadMailDto>>),
    /// `unauthenticated`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `not_permitted`: admins only.
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    /// `unavailable`.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>),
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "parse_error_requeue_response")]
enum RequeueResponse {
    /// Queued again; the dispatcher sends it at once.
    #[oai(status = 204)]
    Done,
    /// `unauthenticated`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `not_permitted`: admins only.
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    /// `not_dead`: no dead mail has this id (already re-queued, or unknown).
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// `unavailable`.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>),
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "parse_error_access_response")]
enum AccessResponse {
    /// Done (also when the member already was in that state).
    #[oai(status = 204)]
    Done,
    /// `unauthenticated`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `not_permitted`: admins only.
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    /// `not_found`: no staff member has this id.
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// `own_access` (an admin cannot stop their own access) or `concurrent` (changed by another admin at once).
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    /// `unavailable`.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>),
}

fn duplicate(message: &str) -> Json<ApiError> {
    err("duplicate", message)
}

#[OpenApi]
impl AdminApi {
    /// Establishments of the member's own office whose name contains `q`, or whose number is `q` (R12, R14).
    #[oai(path = "/staff/establishments", method = "get")]
    async fn establishments(&self, token: Token, q: Query<Option<String>>) -> EstablishmentsResponse {
        let Some(staff) = self.0.staff(&token).await else {
            return EstablishmentsResponse::Unauthorized(unauthenticated());
        };
        match self.0.app.mypage.find_establishments(staff, q.0.as_deref().unwrap_or_default()).await {
            Ok(found) => EstablishmentsResponse::Ok(Json(
                found
                    .into_iter()
                    .map(|e| EstablishmentDto { number: e.number.to_string(), name: e.name, created_at: e.created_at })
                    .collect(),
            )),
            Err(ConsoleError::NotPermitted) => EstablishmentsResponse::Forbidden(not_permitted()),
            Err(ConsoleError::Infrastructure(e)) => EstablishmentsResponse::Unavailable(unavailable(&e)),
        }
    }

    /// Every staff member (admins).
    #[oai(path = "/staff/admin/staff", method = "get")]
    async fn staff_list(&self, token: Token) -> StaffListResponse {
        let Some(staff) = self.0.staff(&token).await else {
            return StaffListResponse::Unauthorized(unauthenticated());
        };
        match self.0.app.mypage.staff_list(staff).await {
            Ok(list) => StaffListResponse::Ok(Json(
                list.into_iter()
                    .map(|s| StaffDto {
                        staff_id: s.id.to_string(),
                        office: s.office.to_string(),
                        login: s.login,
                        name: s.name,
                        roles: s.roles.iter().map(|r| r.code().to_owned()).collect(),
                        active: s.active,
                    })
                    .collect(),
            )),
            Err(ConsoleError::NotPermitted) => StaffListResponse::Forbidden(not_permitted()),
            Err(ConsoleError::Infrastructure(e)) => StaffListResponse::Unavailable(unavailable(&e)),
        }
    }

    /// Adds a staff member (admins, R14).
    #[oai(path = "/staff/admin/staff", method = "post")]
    async fn add_staff(&self, req: &Request, token: Token, body: Json<NewStaffDto>) -> CreateResponse {
        let Some(staff) = self.0.staff(&token).await else { return CreateResponse::Unauthorized(unauthenticated()) };
        let Some(roles) = body.0.roles.iter().map(|r| StaffRole::from_code(r)).collect::<Option<Vec<_>>>() else {
            return CreateResponse::BadRequest(err("unknown_role", "役割は counter、reviewer、admin のいずれかです。"));
        };
        let input = NewStaffMember {
            office: body.0.office,
            login: body.0.login,
            name: body.0.name,
            roles,
            password: SecretString::from(body.0.password),
        };
        match self.0.app.mypage.add_staff(AdminActor::Staff(staff), &input, &client(req)).await {
            Ok(id) => CreateResponse::Created(Json(CreatedDto { id: id.to_string() })),
            Err(AddStaffError::NotPermitted) => CreateResponse::Forbidden(not_permitted()),
            Err(AddStaffError::UnknownOffice) => {
                CreateResponse::BadRequest(err("unknown_office", "ハローワークのコードが正しくありません。"))
            }
            Err(AddStaffError::InvalidLogin) => CreateResponse::BadRequest(err(
                "invalid_login",
                "職員IDは3～64文字の半角英数字と「.」「_」「-」で入力してください。",
            )),
            Err(AddStaffError::InvalidName) => {
                CreateResponse::BadRequest(err("invalid_name", "氏名を60文字以内で入力してください。"))
            }
            Err(AddStaffError::NoRole) => CreateResponse::BadRequest(err("no_role", "役割を1つ以上選んでください。")),
            Err(AddStaffError::Password(e)) => CreateResponse::BadRequest(super::password_error(e)),
            Err(AddStaffError::Duplicate) => {
                CreateResponse::Conflict(duplicate("この職員IDは、すでに使われています。"))
            }
            Err(AddStaffError::Infrastructure(e)) => CreateResponse::Unavailable(unavailable(&e)),
        }
    }

    /// Stops a staff member's access: no login, and no step of a session already open (admins, R14).
    #[oai(path = "/staff/admin/staff/:id/deactivate", method = "post")]
    async fn deactivate(&self, req: &Request, token: Token, id: Path<String>) -> AccessResponse {
        self.access(req, &token, &id.0, false).await
    }

    /// Restores a stopped staff member's access (admins).
    #[oai(path = "/staff/admin/staff/:id/reactivate", method = "post")]
    async fn reactivate(&self, req: &Request, token: Token, id: Path<String>) -> AccessResponse {
        self.access(req, &token, &id.0, true).await
    }

    /// Adds an office (admins).
    #[oai(path = "/staff/admin/offices", method = "post")]
    async fn add_office(&self, req: &Request, token: Token, body: Json<NewOfficeDto>) -> CreateResponse {
        let Some(staff) = self.0.staff(&token).await else { return CreateResponse::Unauthorized(unauthenticated()) };
        let input = NewOffice { code: body.0.code, name: body.0.name, phone: body.0.phone };
        match self.0.app.mypage.add_office(AdminActor::Staff(staff), &input, &client(req)).await {
            Ok(code) => CreateResponse::Created(Json(CreatedDto { id: code.to_string() })),
            Err(AddOfficeError::NotPermitted) => CreateResponse::Forbidden(not_permitted()),
            Err(AddOfficeError::InvalidCode) => {
                CreateResponse::BadRequest(err("invalid_code", "コードは4桁の数字で入力してください。"))
            }
            Err(AddOfficeError::InvalidName) => {
                CreateResponse::BadRequest(err("invalid_name", "名称を60文字以内で入力してください。"))
            }
            Err(AddOfficeError::Duplicate) => {
                CreateResponse::Conflict(duplicate("このコードのハローワークは、すでに登録されています。"))
            }
            Err(AddOfficeError::Infrastructure(e)) => CreateResponse::Unavailable(unavailable(&e)),
        }
    }

    /// Publishes a new version of the privacy policy or the My Page terms (admins, R1); `id` is the version.
    #[oai(path = "/staff/admin/terms", method = "post")]
    async fn publish_terms(&self, req: &Request, token: Token, body: Json<NewTermsDto>) -> CreateResponse {
        let Some(staff) = self.0.staff(&token).await else { return CreateResponse::Unauthorized(unauthenticated()) };
        let Some(kind) = TermsKind::ALL.into_iter().find(|k| k.code() == body.0.kind) else {
            return CreateResponse::BadRequest(err("unknown_kind", "kind は privacy_policy か mypage_terms です。"));
        };
        match self.0.app.mypage.publish_terms(AdminActor::Staff(staff), kind, &body.0.body, &client(req)).await {
            Ok(version) => CreateResponse::Created(Json(CreatedDto { id: version.0.to_string() })),
            Err(PublishTermsError::NotPermitted) => CreateResponse::Forbidden(not_permitted()),
            Err(PublishTermsError::EmptyBody) => {
                CreateResponse::BadRequest(err("empty_body", "本文を入力してください。"))
            }
            Err(PublishTermsError::Concurrent) => CreateResponse::Conflict(err(
                "concurrent",
                "同時にほかの版が公開されました。最新の内容を確認してから、もう一度公開してください。",
            )),
            Err(PublishTermsError::Infrastructure(e)) => CreateResponse::Unavailable(unavailable(&e)),
        }
    }

    /// The mails given up (admins, R16).
    #[oai(path = "/staff/admin/dead-mails", method = "get")]
    async fn dead_mails(&self, token: Token) -> DeadMailsResponse {
        let Some(staff) = self.0.staff(&token).await else {
            return DeadMailsResponse::Unauthorized(unauthenticated());
        };
        match self.0.app.mypage.dead_mails(staff).await {
            Ok(list) => DeadMailsResponse::Ok(Json(
                list.into_iter()
                    .map(|m| DeadMailDto {
                        mail_id: m.id.to_string(),
                        to: m.to.masked(),
                        template: m.template,
                        attempts: m.attempts,
                        last_error: m.last_error,
                        created_at: m.created_at,
                    })
                    .collect(),
            )),
            Err(ConsoleError::NotPermitted) => DeadMailsResponse::Forbidden(not_permitted()),
            Err(ConsoleError::Infrastructure(e)) => DeadMailsResponse::Unavailable(unavailable(&e)),
        }
    }

    /// Puts a dead mail back in the queue (admins, R16).
    #[oai(path = "/staff/admin/dead-mails/:id/requeue", method = "post")]
    async fn requeue(&self, req: &Request, token: Token, id: Path<String>) -> RequeueResponse {
        let Some(staff) = self.0.staff(&token).await else { return RequeueResponse::Unauthorized(unauthenticated()) };
        let not_dead = || RequeueResponse::NotFound(err("not_dead", "この送信できなかったメールは見つかりません。"));
        let Ok(uuid) = id.0.parse() else { return not_dead() };
        match self.0.app.mypage.requeue_mail(staff, MailId::from_uuid(uuid), &client(req)).await {
            Ok(true) => RequeueResponse::Done,
            Ok(false) => not_dead(),
            Err(ConsoleError::NotPermitted) => RequeueResponse::Forbidden(not_permitted()),
            Err(ConsoleError::Infrastructure(e)) => RequeueResponse::Unavailable(unavailable(&e)),
        }
    }
}

impl AdminApi {
    async fn access(&self, req: &Request, token: &Token, id: &str, active: bool) -> AccessResponse {
        let Some(staff) = self.0.staff(token).await else { return AccessResponse::Unauthorized(unauthenticated()) };
        let not_found = || AccessResponse::NotFound(err("not_found", "指定された職員は見つかりません。"));
        let Ok(uuid) = id.parse() else { return not_found() };
        match self.0.app.mypage.set_staff_active(staff, StaffId::from_uuid(uuid), active, &client(req)).await {
            Ok(()) => AccessResponse::Done,
            Err(StaffAccessError::NotPermitted) => AccessResponse::Forbidden(not_permitted()),
            Err(StaffAccessError::NotFound) => not_found(),
            Err(StaffAccessError::OwnAccess) => {
                AccessResponse::Conflict(err("own_access", "ご自身の利用は停止できません。"))
            }
            Err(StaffAccessError::Concurrent) => {
                AccessResponse::Conflict(err("concurrent", "同時にほかの管理者が変更しました。"))
            }
            Err(StaffAccessError::Infrastructure(e)) => AccessResponse::Unavailable(unavailable(&e)),
        }
    }
}

parse_errors!(parse_error_access_response -> AccessResponse: unauthorized);
parse_errors!(parse_error_establishments_response -> EstablishmentsResponse: unauthorized);
parse_errors!(parse_error_staff_list_response -> StaffListResponse: unauthorized);
parse_errors!(parse_error_create_response -> CreateResponse: both);
parse_errors!(parse_error_dead_mails_response -> DeadMailsResponse: unauthorized);
parse_errors!(parse_error_requeue_response -> RequeueResponse: unauthorized);
