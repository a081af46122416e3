//! The admins' office steps through the API (R14): editing an office's name, phone, address, opening hours, areas
//! (管轄区域) and the address its digest of waiting submissions goes to (R20), and closing it. An office admin acts on its own office, a central admin on any; the domain checks each.

use chrono::{DateTime, Utc};
use mypage_domain::model::Office;
use mypage_domain::usecases::AdminActor;
use mypage_domain::values::{OfficeArea, OfficeAreaInput, OfficeDetailsInput};
use poem::Request;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::text::Text;
use super::{Api, ApiError, StaffToken, problem_response};
use crate::app::client;
use crate::problem::{Explain, Problem};

/// The admins' office endpoints.
pub(crate) struct OfficesApi(pub(crate) Api);

/// An office's details; a field left out or empty is cleared, but the name, which is required.
#[derive(Object)]
struct OfficeDetailsDto {
    /// 1 to 60 characters.
    name: Text,
    /// 10 or 11 digits starting with 0; hyphens and parentheses allowed.
    phone: Option<Text>,
    /// At most 120 characters, one line.
    address: Option<Text>,
    /// At most 100 characters, one line.
    opening_hours: Option<Text>,
    /// 管轄区域: replaces the office's areas when given (an empty list clears them); left out, they are kept. At
    /// most 300, repeated ones kept once; a wrong one is reported under the field `areas`.
    areas: Option<Vec<OfficeAreaDto>>,
    /// 通知先メールアドレス: where a digest goes when registrations or job offers wait in the office's review queue
    /// (R20), at most once per the configured interval. An e-mail address of at most 254 characters; left out or
    /// empty, no digest is sent.
    notification_email: Option<Text>,
}

/// One area (管轄区域) of an office.
#[derive(Object)]
pub(crate) struct OfficeAreaDto {
    /// One of the 47 prefectures, written in full (`東京都`).
    prefecture: String,
    /// A municipality of 1 to 30 characters, without spaces (`千代田区`, `大阪市中央区`).
    municipality: String,
}

impl From<&OfficeArea> for OfficeAreaDto {
    fn from(a: &OfficeArea) -> Self {
        Self { prefecture: a.prefecture().to_owned(), municipality: a.municipality().to_owned() }
    }
}

impl From<OfficeDetailsDto> for OfficeDetailsInput {
    fn from(dto: OfficeDetailsDto) -> Self {
        let text = |t: Option<Text>| t.map(String::from).unwrap_or_default();
        Self {
            name: dto.name.into(),
            phone: text(dto.phone),
            address: text(dto.address),
            opening_hours: text(dto.opening_hours),
            areas: dto.areas.map(|areas| {
                let area =
                    |a: OfficeAreaDto| OfficeAreaInput { prefecture: a.prefecture, municipality: a.municipality };
                areas.into_iter().map(area).collect()
            }),
            notification_email: text(dto.notification_email),
        }
    }
}

/// An office as its admins see it.
#[derive(Object)]
struct AdminOfficeDto {
    code: String,
    name: String,
    #[oai(skip_serializing_if_is_none)]
    phone: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    address: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    opening_hours: Option<String>,
    /// When it was closed; absent while it is open.
    #[oai(skip_serializing_if_is_none)]
    closed_at: Option<DateTime<Utc>>,
    /// 管轄区域, in the order the office gave them.
    areas: Vec<OfficeAreaDto>,
    /// 通知先メールアドレス; absent when no digest is sent (R20).
    #[oai(skip_serializing_if_is_none)]
    notification_email: Option<String>,
}

impl From<&Office> for AdminOfficeDto {
    fn from(o: &Office) -> Self {
        Self {
            code: o.code().to_string(),
            name: o.name().to_owned(),
            phone: o.phone().map(str::to_owned),
            address: o.address().map(str::to_owned),
            opening_hours: o.opening_hours().map(str::to_owned),
            closed_at: o.closed_at(),
            areas: o.areas().iter().map(OfficeAreaDto::from).collect(),
            notification_email: o.notification_email().map(ToString::to_string),
        }
    }
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "office_refused")]
enum OfficeResponse {
    /// The office as it is now.
    #[oai(status = 200)]
    Ok(Json<AdminOfficeDto>),
    /// `invalid_request`.
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    /// `unauthenticated`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `not_permitted`: an office admin of this office or a central admin only.
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    /// `office_not_found`.
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// `already_closed` or `concurrent` (another admin changed it at the same moment).
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    /// `invalid_fields`, with a code per field (`name`, `phone`, `address`, `opening_hours`, `areas`,
    /// `notification_email`).
    #[oai(status = 422)]
    UnprocessableEntity(Json<ApiError>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(OfficeResponse, office_refused {
    400 => BadRequest,
    401 => Unauthorized,
    403 => Forbidden,
    404 => NotFound,
    409 => Conflict,
    422 => UnprocessableEntity,
    503 => Unavailable + retry_after,
});

impl OfficesApi {
    /// The office `code` as stored now.
    async fn current(&self, code: &str) -> OfficeResponse {
        match self.0.app.offices().await {
            Ok(list) => match list.iter().find(|o| o.code().as_str() == code) {
                Some(office) => OfficeResponse::Ok(Json(office.into())),
                None => Problem::office_not_found().into(),
            },
            Err(problem) => problem.into(),
        }
    }
}

#[OpenApi]
impl OfficesApi {
    /// Replaces an office's name, phone, address, opening hours and notification address (R20), and its areas
    /// (管轄区域) when given (R14: an office admin its own office, a central admin any). Audited (R15).
    #[oai(path = "/staff/admin/offices/:code", method = "put")]
    async fn edit(
        &self,
        req: &Request,
        token: StaffToken,
        code: Path<String>,
        body: Json<OfficeDetailsDto>,
    ) -> OfficeResponse {
        let input = OfficeDetailsInput::from(body.0);
        match self.0.app.mypage.edit_office(AdminActor::Staff(token.0), &code.0, &input, &client(req)).await {
            Ok(()) => self.current(&code.0).await,
            Err(e) => e.explain().into(),
        }
    }

    /// Closes an office (R14: an office admin its own office, a central admin any): it takes no new counter
    /// registration, first-time application or staff member from now on; its staff keep read access. Audited (R15).
    #[oai(path = "/staff/admin/offices/:code/close", method = "post")]
    async fn close(&self, req: &Request, token: StaffToken, code: Path<String>) -> OfficeResponse {
        match self.0.app.mypage.close_office(AdminActor::Staff(token.0), &code.0, &client(req)).await {
            Ok(()) => self.current(&code.0).await,
            Err(e) => e.explain().into(),
        }
    }
}
