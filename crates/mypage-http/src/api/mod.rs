//! The JSON API under `/api/v1` (poem-openapi): every employer and staff step as an endpoint with stable error
//! codes, described by the OpenAPI document at `/api/v1/openapi.json`.
//!
//! A client holds what a browser's session would: the flow token of an auth-key flow (in the JSON body, never a
//! URL), and a bearer token after login, kept by the same session service as the pages' sessions. Each endpoint's
//! response type lists the statuses it can answer; a [`Problem`] becomes the variant of its status, and a request
//! the parser or the token check refuses becomes the same documented JSON error.

mod account;
mod admin;
mod corrections;
mod dto;
mod employer;
mod job_offers;
mod offices;
mod register;
mod registration;
mod second_factor;
mod staff;
mod text;

use chrono::{DateTime, Utc};
use mypage_domain::model::{AccountId, StaffId};
use mypage_domain::ports::SessionSubject;
use poem::Request;
use poem_openapi::auth::Bearer;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApiService, SecurityScheme};
use secrecy::SecretString;

use crate::app::App;
use crate::problem::Problem;
use crate::session::Sessions;

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

impl From<Problem> for Json<ApiError> {
    fn from(p: Problem) -> Self {
        let fields = (!p.fields.is_empty()).then(|| {
            p.fields
                .into_iter()
                .map(|f| FieldIssue { field: f.field, code: f.code.to_owned(), message: f.message })
                .collect()
        });
        Json(ApiError {
            code: p.code.to_owned(),
            message: p.message,
            fields,
            retry_after: p.retry_after,
            remaining_attempts: p.remaining_attempts,
        })
    }
}

/// A problem whose status the endpoint does not document is a defect here, not the client's: it is logged and
/// answered as the documented 503.
pub(crate) fn undocumented(problem: &Problem) -> Json<ApiError> {
    tracing::error!(code = problem.code, status = problem.status.as_u16(), "an API problem has no documented status");
    Problem::unavailable(&problem.code).into()
}

/// Maps a [`Problem`] to the response type's variant of its status, and names the response type's handler of
/// requests the parser or the token check refused (its `bad_request_handler`), which does the same. A variant
/// marked `+ retry_after` also carries the `Retry-After` header (a 429, and every 503: `overloaded` says in how many
/// seconds to try again).
macro_rules! problem_response {
    (@variant $ctor:path, $problem:ident) => {
        $ctor($problem.into())
    };
    (@variant $ctor:path, $problem:ident, retry_after) => {{
        let retry_after = $problem.retry_after_header();
        $ctor($problem.into(), retry_after)
    }};
    ($response:ident, $handler:ident { $($status:literal => $variant:ident $(+ $retry:ident)?),+ $(,)? }) => {
        impl From<$crate::problem::Problem> for $response {
            fn from(problem: $crate::problem::Problem) -> Self {
                match problem.status.as_u16() {
                    $($status => problem_response!(@variant Self::$variant, problem $(, $retry)?),)+
                    _ => Self::Unavailable($crate::api::undocumented(&problem), None),
                }
            }
        }

        fn $handler(error: poem::Error) -> $response {
            $crate::problem::Problem::from_poem(&error).into()
        }
    };
}
pub(crate) use problem_response;

/// The subject of the request's bearer token; a token that is no live session is 401, a store that fails 503.
async fn subject(req: &Request, bearer: &Bearer) -> poem::Result<SessionSubject> {
    let sessions = req.data::<Sessions>().ok_or_else(|| Problem::unavailable(&"no session service"))?;
    match sessions.bearer(&SecretString::from(bearer.token.clone())).await {
        Ok(Some(subject)) => Ok(subject),
        Ok(None) => Err(Problem::unauthenticated().into()),
        Err(e) => Err(Problem::unavailable(&e).into()),
    }
}

async fn employer_token(req: &Request, bearer: Bearer) -> poem::Result<AccountId> {
    match subject(req, &bearer).await? {
        SessionSubject::Employer(id) => Ok(id),
        _ => Err(Problem::unauthenticated().into()),
    }
}

async fn staff_token(req: &Request, bearer: Bearer) -> poem::Result<StaffId> {
    match subject(req, &bearer).await? {
        SessionSubject::Staff(id) => Ok(id),
        _ => Err(Problem::unauthenticated().into()),
    }
}

async fn any_token(req: &Request, bearer: Bearer) -> poem::Result<SecretString> {
    subject(req, &bearer).await?;
    Ok(SecretString::from(bearer.token))
}

/// A bearer token from `POST /api/v1/sessions` (employers) or `POST /api/v1/staff/sessions` (staff); each endpoint
/// says whose it takes. (The three schemes below are one scheme in the document, checked for the subject each
/// endpoint needs.)
#[derive(SecurityScheme)]
#[oai(rename = "Token", ty = "bearer", checker = "employer_token")]
pub(crate) struct EmployerToken(pub(crate) AccountId);

/// A bearer token from `POST /api/v1/sessions` (employers) or `POST /api/v1/staff/sessions` (staff); each endpoint
/// says whose it takes. (The three schemes below are one scheme in the document, checked for the subject each
/// endpoint needs.)
#[derive(SecurityScheme)]
#[oai(rename = "Token", ty = "bearer", checker = "staff_token")]
pub(crate) struct StaffToken(pub(crate) StaffId);

/// A bearer token from `POST /api/v1/sessions` (employers) or `POST /api/v1/staff/sessions` (staff); each endpoint
/// says whose it takes. (The three schemes below are one scheme in the document, checked for the subject each
/// endpoint needs.)
#[derive(SecurityScheme)]
#[oai(rename = "Token", ty = "bearer", checker = "any_token")]
pub(crate) struct AnyToken(pub(crate) SecretString);

/// The API's document as served: poem-openapi's, with the 413 that the body limit in front of every endpoint can
/// answer added to each operation that takes a body, as the `ApiError` it is, and the 405 of every path said once
/// (an operation cannot list it: it is the answer to a method the path has no operation for).
pub(crate) fn document(spec: &str) -> String {
    let Ok(mut doc) = serde_json::from_str::<serde_json::Value>(spec) else { return spec.to_owned() };
    doc["info"]["description"] = serde_json::Value::from(
        "Every path answers a method it does not take with 405 and the `ApiError` `method_not_allowed`, its `Allow` \
         header naming the methods it takes (the `MethodNotAllowed` response below); a body over 64 KiB is refused \
         with 413 `payload_too_large`; a body that stops arriving with 408 `request_timeout`. When the service sheds \
         load (too many requests already wait for a password hash or for the database), a request is answered at \
         once with 503 `overloaded` and a `Retry-After` header in seconds: nothing of it was done; send it again \
         after that time.",
    );
    doc["components"]["responses"]["MethodNotAllowed"] = serde_json::json!({
        "description": "`method_not_allowed`: the path does not take this method; `Allow` names those it takes.",
        "headers": { "Allow": { "schema": { "type": "string" } } },
        "content": { "application/json; charset=utf-8": { "schema": { "$ref": "#/components/schemas/ApiError" } } }
    });
    if let Some(paths) = doc.get_mut("paths").and_then(serde_json::Value::as_object_mut) {
        for (path, operation) in paths
            .iter_mut()
            .filter_map(|(path, ops)| Some((path.clone(), ops.as_object_mut()?)))
            .flat_map(|(path, ops)| ops.values_mut().map(move |op| (path.clone(), op)))
        {
            if operation.get("requestBody").is_none() {
                continue;
            }
            // The register file (R18) has a larger limit than every other body (see `security`).
            let limit = if path == "/staff/establishments/import" { "16 MiB" } else { "64 KiB" };
            if let Some(responses) = operation.get_mut("responses").and_then(serde_json::Value::as_object_mut) {
                responses.insert(
                    "413".to_owned(),
                    serde_json::json!({
                        "description": format!("`payload_too_large`: the body is over {limit}."),
                        "content": { "application/json; charset=utf-8": {
                            "schema": { "$ref": "#/components/schemas/ApiError" }
                        } }
                    }),
                );
            }
        }
    }
    doc.to_string()
}

/// What every endpoint group works with.
#[derive(Clone)]
pub(crate) struct Api {
    pub(crate) app: App,
    pub(crate) sessions: Sessions,
}

/// Every endpoint group, in the document's order.
type Groups = (
    employer::EmployerApi,
    registration::RegistrationApi,
    job_offers::JobOffersApi,
    account::AccountApi,
    staff::StaffApi,
    second_factor::SecondFactorApi,
    admin::AdminApi,
    register::RegisterApi,
    corrections::CorrectionsApi,
    offices::OfficesApi,
);

/// The API's endpoints with their document, to be nested at `/api/v1`.
pub(crate) fn service(app: &App, sessions: &Sessions) -> OpenApiService<Groups, ()> {
    let api = Api { app: app.clone(), sessions: sessions.clone() };
    OpenApiService::new(
        (
            employer::EmployerApi(api.clone()),
            registration::RegistrationApi(api.clone()),
            job_offers::JobOffersApi(api.clone()),
            account::AccountApi(api.clone()),
            staff::StaffApi(api.clone()),
            second_factor::SecondFactorApi(api.clone()),
            admin::AdminApi(api.clone()),
            register::RegisterApi(api.clone()),
            corrections::CorrectionsApi(api.clone()),
            offices::OfficesApi(api),
        ),
        "Employer My Page API",
        env!("CARGO_PKG_VERSION"),
    )
    .server("/api/v1")
}
