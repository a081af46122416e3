//! The establishment register through the API (R18): a staff member sends the office's register file as it is
//! (CSV, UTF-8 or Shift_JIS) and gets the import's report: every line not imported with its reasons, and the
//! counts. `dry_run` writes nothing and reports what the import would do; wrong lines stop the import unless
//! `skip_invalid`. Counter staff and office admins import their own office's numbers, central admins any (R14).

use mypage_domain::usecases::{AdminActor, ImportOptions, ImportReport};
use mypage_domain::values::{LineProblem, RegisterFile, RejectedLine};
use poem::Request;
use poem::{FromRequest, RequestBody};
use poem_openapi::param::Query;
use poem_openapi::payload::{Json, ParsePayload, Payload};
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::{ApiRequest, ApiResponse, Object, OpenApi};

use super::{Api, ApiError, StaffToken, problem_response};
use crate::app::client;
use crate::problem::{Explain, line_problem_code, line_problem_column, line_problem_message};

/// The register endpoint.
pub(crate) struct RegisterApi(pub(crate) Api);

/// The office's register file as its system exports it: CSV in UTF-8 (with or without a byte-order mark) or
/// Shift_JIS (CP932), at most 16 MiB. The first row names the columns: `事業所番号` and `事業所名称` required;
/// `事業所名称フリガナ`, `郵便番号`, `所在地` and `電話番号` optional; no other.
#[derive(ApiRequest)]
enum RegisterUpload {
    /// The file.
    Csv(CsvFile),
}

/// A CSV body as sent: `text/csv`, with or without parameters (`text/csv; charset=Shift_JIS`); the encoding is
/// detected from the bytes whatever the label says (see the domain's `RegisterFile`).
struct CsvFile(Vec<u8>);

impl Payload for CsvFile {
    const CONTENT_TYPE: &'static str = "text/csv";

    fn check_content_type(content_type: &str) -> bool {
        content_type.split(';').next().is_some_and(|essence| essence.trim().eq_ignore_ascii_case("text/csv"))
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema { format: Some("binary"), ..MetaSchema::new("string") }))
    }
}

impl ParsePayload for CsvFile {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        Ok(Self(<Vec<u8> as FromRequest<'_>>::from_request(request, body).await?))
    }
}

/// One reason a line was not imported.
#[derive(Object)]
struct LineProblemDto {
    /// Stable code (`invalid_establishment_number`, `required`, `repeated_number`, `unknown_office`,
    /// `outside_office`, `column_count`, …).
    code: String,
    /// The column it belongs to, as named in the header.
    #[oai(skip_serializing_if_is_none)]
    column: Option<String>,
    /// The reason in Japanese.
    message: String,
}

impl From<&LineProblem> for LineProblemDto {
    fn from(p: &LineProblem) -> Self {
        Self {
            code: line_problem_code(p).to_owned(),
            column: line_problem_column(p).map(str::to_owned),
            message: line_problem_message(p),
        }
    }
}

/// A line not imported.
#[derive(Object)]
struct RejectedLineDto {
    /// Its line number (the header is line 1).
    line: u64,
    /// The 事業所番号 as written.
    number: String,
    /// Every reason.
    problems: Vec<LineProblemDto>,
}

impl From<&RejectedLine> for RejectedLineDto {
    fn from(r: &RejectedLine) -> Self {
        Self {
            line: u64::try_from(r.line).unwrap_or(u64::MAX),
            number: r.number.clone(),
            problems: r.problems.iter().map(LineProblemDto::from).collect(),
        }
    }
}

/// What the import did, or in a dry run would do.
#[derive(Object)]
struct ImportReportDto {
    /// How the file was written: `UTF-8`, `UTF-8 (BOM)` or `Shift_JIS (CP932)`.
    encoding: String,
    /// New establishments.
    imported: u64,
    /// Establishments whose name or details changed.
    updated: u64,
    /// Establishments already here as the file states them.
    unchanged: u64,
    /// The lines not imported, in file order.
    rejected: Vec<RejectedLineDto>,
    /// Whether anything was written: false for a dry run and when wrong lines stopped the import.
    written: bool,
    /// `imported N, updated N, unchanged N, rejected N`.
    summary: String,
}

impl From<&ImportReport> for ImportReportDto {
    fn from(r: &ImportReport) -> Self {
        let n = |v: usize| u64::try_from(v).unwrap_or(u64::MAX);
        Self {
            encoding: r.encoding.name().to_owned(),
            imported: n(r.imported),
            updated: n(r.updated),
            unchanged: n(r.unchanged),
            rejected: r.rejected.iter().map(RejectedLineDto::from).collect(),
            written: r.written,
            summary: r.summary(),
        }
    }
}

#[derive(ApiResponse)]
#[oai(bad_request_handler = "import_refused")]
enum ImportResponse {
    /// The report; `written` says whether the register changed.
    #[oai(status = 200)]
    Ok(Json<ImportReportDto>),
    /// `invalid_register_file`: not UTF-8 or Shift_JIS, no lines, or a header of unknown, missing or repeated
    /// columns; or `invalid_request`.
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    /// `unauthenticated`: no valid staff token.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `not_permitted`: neither counter staff nor an admin.
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    /// `conflict`: another import added one of the numbers at the same moment; send the file again.
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(ImportResponse, import_refused {
    400 => BadRequest,
    401 => Unauthorized,
    403 => Forbidden,
    409 => Conflict,
    503 => Unavailable + retry_after,
});

#[OpenApi]
impl RegisterApi {
    /// Imports the office's establishment register file (R18).
    #[oai(path = "/staff/establishments/import", method = "post")]
    async fn import(
        &self,
        req: &Request,
        token: StaffToken,
        /// Check and report, write nothing.
        #[oai(default)]
        dry_run: Query<bool>,
        /// Import the good lines even when some are wrong.
        #[oai(default)]
        skip_invalid: Query<bool>,
        body: RegisterUpload,
    ) -> ImportResponse {
        let RegisterUpload::Csv(bytes) = body;
        let file = match RegisterFile::parse(&bytes.0) {
            Ok(file) => file,
            Err(e) => return e.explain().into(),
        };
        let options = ImportOptions { dry_run: dry_run.0, skip_invalid: skip_invalid.0 };
        match self.0.app.mypage.import_register(AdminActor::Staff(token.0), file, options, &client(req)).await {
            Ok(report) => ImportResponse::Ok(Json(ImportReportDto::from(&report))),
            Err(e) => e.explain().into(),
        }
    }
}
