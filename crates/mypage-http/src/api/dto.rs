//! The request and response bodies shared by several endpoint groups: the two forms of a registration (事業所情報,
//! 求人情報) with their explicit conversions to and from the domain's inputs, an account, a session, and the login
//! answer that employers and staff share.

use mypage_domain::model::{AccountId, AccountStatus, RegistrationStatus};
use mypage_domain::ports::SessionSubject;
use mypage_domain::values::{AgeException, EmploymentType, EstablishmentInfoInput, Industry, JobOfferInput, WageKind};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};
use secrecy::ExposeSecret;

use super::text::{AgeCodes, ContractCodes, Email, OneOf, OneOfOrEmpty, Text};
use super::{ApiError, problem_response};
use crate::problem::Problem;
use crate::session::Sessions;

/// Declares an API object with the same fields as a domain input, and the two `From` conversions between them.
/// Each field is listed once; a field added to either side without the other is a compile error.
macro_rules! mirrored_object {
    (
        $(#[$meta:meta])*
        $dto:ident <=> $input:ident {
            $($(#[$field_meta:meta])* $field:ident: $ty:ty),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        pub(crate) struct $dto {
            $($(#[$field_meta])* pub(crate) $field: $ty),+
        }

        impl From<$input> for $dto {
            fn from(input: $input) -> Self {
                Self { $($field: input.$field.into()),+ }
            }
        }

        impl From<$dto> for $input {
            fn from(dto: $dto) -> Self {
                Self { $($field: dto.$field.into()),+ }
            }
        }
    };
}

mirrored_object! {
    /// 事業所情報, every field a string as typed (see the domain's limits).
    #[derive(Object, Debug, Clone)]
    #[oai(rename = "EstablishmentInfo")]
    EstablishmentDto <=> EstablishmentInfoInput {
        /// 事業所名称, 1–60 characters.
        name: Text,
        /// 事業所名称フリガナ, katakana.
        name_kana: Text,
        /// 郵便番号, seven digits.
        postal_code: Text,
        /// 所在地.
        address: Text,
        /// 電話番号.
        phone: Text,
        /// 代表者役職.
        representative_title: Text,
        /// 代表者氏名.
        representative_name: Text,
        /// 産業分類: its code.
        industry: Text<OneOf<Industry>>,
        /// 従業員数（企業全体）.
        employees_total: Text,
        /// 従業員数（就業場所）.
        employees_here: Text,
        /// 創業年 (western year).
        founded_year: Text,
        /// 資本金 in yen; optional.
        #[oai(default)]
        capital_yen: Text,
        /// 事業内容.
        business: Text,
        /// ホームページ; optional.
        #[oai(default)]
        website: Text,
        /// 担当者氏名.
        contact_name: Text,
        /// 担当者所属部署; optional.
        #[oai(default)]
        contact_department: Text,
        /// 担当者電話番号.
        contact_phone: Text,
        /// 担当者メールアドレス.
        contact_email: Text<Email>,
    }
}

mirrored_object! {
    /// 求人情報, as typed; booleans for the boxes.
    #[derive(Object, Debug, Clone)]
    #[oai(rename = "JobOffer")]
    JobOfferDto <=> JobOfferInput {
        /// 職種.
        occupation: Text,
        /// 仕事内容.
        description: Text,
        /// 雇用形態: its code.
        employment_type: Text<OneOf<EmploymentType>>,
        /// 雇用期間の定め: `none` or `fixed`.
        contract: Text<ContractCodes>,
        /// 雇用期間 in months, when fixed.
        #[oai(default)]
        contract_months: Text,
        /// 契約更新の可能性あり.
        #[oai(default)]
        contract_renewable: bool,
        /// 就業場所の郵便番号; optional.
        #[oai(default)]
        workplace_postal_code: Text,
        /// 就業場所.
        workplace_address: Text,
        /// 賃金形態: its code.
        wage_kind: Text<OneOf<WageKind>>,
        /// 賃金の下限 in yen.
        wage_min: Text,
        /// 賃金の上限 in yen.
        wage_max: Text,
        /// 始業時刻 `HH:MM`.
        work_start: Text,
        /// 終業時刻 `HH:MM`.
        work_end: Text,
        /// 休憩時間 in minutes.
        break_minutes: Text,
        /// 就業時間の補足; optional.
        #[oai(default)]
        hours_note: Text,
        /// 休日等.
        holidays: Text,
        /// 年間休日数; optional.
        #[oai(default)]
        annual_holidays: Text,
        /// 雇用保険.
        #[oai(default)]
        employment_insurance: bool,
        /// 労災保険.
        #[oai(default)]
        accident_insurance: bool,
        /// 健康保険.
        #[oai(default)]
        health_insurance: bool,
        /// 厚生年金.
        #[oai(default)]
        pension: bool,
        /// 採用人数.
        openings: Text,
        /// 必要な経験等; optional.
        #[oai(default)]
        experience: Text,
        /// 必要な免許・資格; optional.
        #[oai(default)]
        licences: Text,
        /// 年齢制限: `none` or `limited`.
        age: Text<AgeCodes>,
        /// 年齢の下限, when limited.
        #[oai(default)]
        age_min: Text,
        /// 年齢の上限, when limited.
        #[oai(default)]
        age_max: Text,
        /// 例外事由: its code, when limited.
        #[oai(default)]
        age_exception: Text<OneOfOrEmpty<AgeException>>,
        /// 試用期間 in months; optional.
        #[oai(default)]
        trial_months: Text,
        /// 選考方法: 書類選考.
        #[oai(default)]
        selection_documents: bool,
        /// 選考方法: 面接.
        #[oai(default)]
        selection_interview: bool,
        /// 選考方法: 筆記試験.
        #[oai(default)]
        selection_written_test: bool,
        /// 選考方法: その他.
        #[oai(default)]
        selection_other: bool,
    }
}

/// An account and where it stands.
#[derive(Object)]
pub(crate) struct AccountDto {
    /// The account's id.
    pub(crate) account_id: String,
    /// `awaiting_password`, `provisional` or `active`.
    pub(crate) status: String,
}

impl AccountDto {
    /// The account `id` in `status`.
    pub(crate) fn new(id: AccountId, status: AccountStatus) -> Self {
        Self { account_id: id.to_string(), status: status.code().to_owned() }
    }
}

/// A session opened by a login.
#[derive(Object)]
pub(crate) struct SessionDto {
    /// Send it as `Authorization: Bearer …`.
    pub(crate) token: String,
    /// The account's or the staff member's id.
    pub(crate) subject_id: String,
    /// `provisional` or `active` for an employer; the office code for staff.
    pub(crate) status: String,
}

impl SessionDto {
    /// Opens a session for `subject`, whose token only the client keeps; a store that fails is the login's 503.
    pub(crate) async fn open(
        sessions: &Sessions,
        subject: SessionSubject,
        subject_id: String,
        status: &str,
        client: &mypage_domain::model::ClientInfo,
    ) -> Result<Self, Problem> {
        let token = sessions.open_bearer(subject, client).await.map_err(|e| Problem::unavailable(&e))?;
        Ok(Self { token: token.expose_secret().to_owned(), subject_id, status: status.to_owned() })
    }
}

/// The answer to a login, an employer's or a staff member's.
#[derive(ApiResponse)]
#[oai(bad_request_handler = "login_refused")]
pub(crate) enum LoginResponse {
    /// Logged in.
    #[oai(status = 201)]
    Created(Json<SessionDto>),
    /// `invalid_request`: the body is not JSON of the documented shape; `consent_required` or `terms_outdated`: the
    /// `consent` sent does not agree to both documents in force.
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    /// `invalid_credentials`.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// `terms_consent_required`: the password was right, and the account agreed to an older version of the terms;
    /// send the login again with `consent` to the versions in force (R1).
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    /// `throttled`, with `retry_after`.
    #[oai(status = 429)]
    Throttled(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
    /// `unavailable`.
    /// `overloaded`: too many requests already wait; nothing was done. Send it again after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] Option<String>),
}

problem_response!(LoginResponse, login_refused {
    400 => BadRequest,
    401 => Unauthorized,
    403 => Forbidden,
    429 => Throttled + retry_after,
    503 => Unavailable + retry_after,
});

/// The staff's note (contact needed, returned) or reason (rejected) of a registration in that status.
pub(crate) fn note_of(status: &RegistrationStatus) -> Option<String> {
    match status {
        RegistrationStatus::ContactNeeded { note } | RegistrationStatus::Returned { note } => {
            Some(note.as_str().to_owned())
        }
        RegistrationStatus::Rejected { reason } => Some(reason.as_str().to_owned()),
        RegistrationStatus::Draft
        | RegistrationStatus::Submitted
        | RegistrationStatus::Confirmed { .. }
        | RegistrationStatus::Expired
        | RegistrationStatus::Withdrawn => None,
    }
}
