//! The error catalogue: every failure the web adapter answers, as one [`Problem`] with a stable code, an HTTP
//! status, the field it belongs to, and its Japanese message.
//!
//! Each domain error enum is explained once, by its [`Explain`] implementation beside the other errors of its use
//! cases (`employer.rs`, `staff.rs`); pages show a problem next to its field, in the error summary or as a page of its
//! own, and the API sends it as its documented JSON body. So every message of the web adapter is written here once.

mod account;
mod consent;
mod corrections;
mod employer;
mod job_offers;
mod register;
mod staff;

pub(crate) use register::{line_problem_code, line_problem_column, line_problem_message};

use std::fmt;
use std::num::NonZeroU32;
use std::time::Duration;

use chrono::{DateTime, Utc};
use mypage_domain::ports::InfrastructureError;
use mypage_domain::values::{FieldErrors, FieldProblem, PasswordPolicyError, PasswordPolicyErrors, jst};
use poem::http::StatusCode;

/// How the message of a request shed under load begins, which an error summary recognises to head it as such.
pub(crate) const OVERLOADED_LEAD: &str = "ただいま混み合っているため";

/// One failure as the pages and the API tell it.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    /// The stable code programs read (`wrong_key`, `invalid_fields`, …).
    pub(crate) code: &'static str,
    /// The HTTP status.
    pub(crate) status: StatusCode,
    /// The form field it belongs to, when a page shows it beside one.
    pub(crate) field: Option<&'static str>,
    /// The message, in Japanese.
    pub(crate) message: String,
    /// When a refused request may be tried again.
    pub(crate) retry_after: Option<DateTime<Utc>>,
    /// In how many seconds a request shed under load may be tried again (`overloaded`), said as `Retry-After:
    /// <seconds>`.
    pub(crate) retry_in_seconds: Option<NonZeroU32>,
    /// Wrong auth keys still allowed in the flow (R3).
    pub(crate) remaining_attempts: Option<u8>,
    /// Each wrong field of a form (`invalid_fields`).
    pub(crate) fields: Vec<FieldIssue>,
    /// The flow cannot go on: a page says to start again from the entrance (R3, R4).
    pub(crate) start_again: bool,
    /// Where a page sends the browser instead of showing the message (a step that does not apply any more).
    pub(crate) next: Option<&'static str>,
}

/// One wrong field of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldIssue {
    /// The field's name, as in the form and the request body.
    pub(crate) field: String,
    /// The stable code of the problem (`required`, `too_long`, …).
    pub(crate) code: &'static str,
    /// The message, in Japanese, naming what to do.
    pub(crate) message: String,
    /// What is wrong, for a page that names the field by its label ([`named_field_message`]).
    pub(crate) problem: Option<FieldProblem>,
}

/// A domain error explained: implemented once for each use case's error enum.
pub(crate) trait Explain {
    /// The problem this error is, as pages and the API tell it.
    fn explain(self) -> Problem;
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.code, self.status.as_u16())
    }
}

impl std::error::Error for Problem {}

/// A handler's or extractor's problem travels through poem as its error; the pages' renderer and the API's
/// response types find it again with `downcast_ref`.
impl From<Problem> for poem::Error {
    fn from(problem: Problem) -> Self {
        let status = problem.status;
        poem::Error::new(problem, status)
    }
}

impl Problem {
    /// A problem with its code, status and message.
    pub(crate) fn new(code: &'static str, status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            code,
            status,
            field: None,
            message: message.into(),
            retry_after: None,
            retry_in_seconds: None,
            remaining_attempts: None,
            fields: Vec::new(),
            start_again: false,
            next: None,
        }
    }

    /// The same problem, shown beside `field`.
    pub(crate) fn on(mut self, field: &'static str) -> Self {
        self.field = Some(field);
        self
    }

    /// The same problem, which ends the flow: a page says to start again.
    pub(crate) fn start_again(mut self) -> Self {
        self.start_again = true;
        self
    }

    /// The same problem, which a page answers by sending the browser to `path`.
    pub(crate) fn next(mut self, path: &'static str) -> Self {
        self.next = Some(path);
        self
    }

    /// The same problem, with the time from which to try again.
    pub(crate) fn retry_after(mut self, at: DateTime<Utc>) -> Self {
        self.retry_after = Some(at);
        self
    }

    /// The problem an error that is not the employer's or the member's doing: the cause goes to the log (domain
    /// errors carry no secret), the answer says only that it failed and that nothing was half saved.
    pub(crate) fn unavailable(cause: &dyn fmt::Display) -> Self {
        tracing::error!(error = %cause, "a request failed");
        Self::new(
            "unavailable",
            StatusCode::SERVICE_UNAVAILABLE,
            "システムで一時的な問題が発生しました。入力内容は保存されていません。しばらく時間をおいてから、もう一度お試しください。",
        )
    }

    /// The problem of an infrastructure failure: a request an adapter shed because its queue was full is
    /// [`Problem::overloaded`]; anything else is [`Problem::unavailable`].
    pub(crate) fn infrastructure(e: &InfrastructureError) -> Self {
        match e.as_overloaded() {
            Some(overloaded) => Self::overloaded(overloaded.retry_after),
            None => Self::unavailable(e),
        }
    }

    /// Too many requests already wait for the password hasher or the database (issue 15): this one was refused at
    /// once, with nothing done, and may be sent again after `retry_after` (said in whole seconds, at least 1).
    pub(crate) fn overloaded(retry_after: Duration) -> Self {
        let seconds =
            NonZeroU32::new(u32::try_from(retry_after.as_secs()).unwrap_or(u32::MAX)).unwrap_or(NonZeroU32::MIN);
        tracing::debug!(retry_after = seconds, "a request was shed: a queue is full");
        let wait = if seconds.get() <= 5 { "数秒".to_owned() } else { format!("{seconds}秒ほど") };
        let mut problem = Self::new(
            "overloaded",
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "{OVERLOADED_LEAD}、受け付けることができませんでした（お手続きは行われていません）。\
                 お手数ですが、{wait}たってから、もう一度お試しください。"
            ),
        );
        problem.retry_in_seconds = Some(seconds);
        problem
    }

    /// A request the parser refuses: a body of the wrong shape, an unknown choice in the path.
    pub(crate) fn invalid_request() -> Self {
        Self::new(
            "invalid_request",
            StatusCode::BAD_REQUEST,
            "リクエストの形式が正しくありません。API の説明（/api/v1/openapi.json）のとおりに送ってください。",
        )
    }

    /// No live session of the kind the request needs.
    pub(crate) fn unauthenticated() -> Self {
        Self::new("unauthenticated", StatusCode::UNAUTHORIZED, "ログインしてください。")
    }

    /// The member's role or office does not allow it (R14).
    pub(crate) fn not_permitted() -> Self {
        Self::new(
            "not_permitted",
            StatusCode::FORBIDDEN,
            "この操作を行う権限がありません。管理者にお問い合わせください。",
        )
    }

    /// A form whose CSRF token does not match the session's: the page is stale or forged.
    pub(crate) fn csrf() -> Self {
        Self::new(
            "csrf_mismatch",
            StatusCode::FORBIDDEN,
            "お手数ですが、前の画面に戻り、ページを読み込み直してから、もう一度操作してください。",
        )
    }

    /// A path that names nothing here.
    pub(crate) fn page_not_found() -> Self {
        Self::new("not_found", StatusCode::NOT_FOUND, "お探しのページは見つかりません。")
    }

    /// A request body over the limit every form and body here fits in several times.
    pub(crate) fn payload_too_large() -> Self {
        Self::new(
            "payload_too_large",
            StatusCode::PAYLOAD_TOO_LARGE,
            "送信された内容が大きすぎます。入力内容をご確認ください。",
        )
    }

    /// A method the path does not take (the answer names the ones it does in `Allow`).
    pub(crate) fn method_not_allowed() -> Self {
        Self::new("method_not_allowed", StatusCode::METHOD_NOT_ALLOWED, "この操作は受け付けていません。")
    }

    /// A body that stopped arriving before the server's body timeout.
    pub(crate) fn request_timeout() -> Self {
        Self::new(
            "request_timeout",
            StatusCode::REQUEST_TIMEOUT,
            "通信が途中で止まったため、受け付けられませんでした。もう一度送信してください。",
        )
    }

    /// This client asked for too many keys (R8).
    pub(crate) fn client_rate_limited(retry_after: DateTime<Utc>) -> Self {
        Self::new(
            "client_rate_limited",
            StatusCode::TOO_MANY_REQUESTS,
            "この端末からの申込が続いたため、受付を一時停止しています。しばらくしてからお試しください。",
        )
        .retry_after(retry_after)
    }

    /// The wrong fields of a form, each with its own message (R10).
    pub(crate) fn invalid_fields(errors: &FieldErrors) -> Self {
        let mut problem = Self::new("invalid_fields", StatusCode::UNPROCESSABLE_ENTITY, "入力内容に誤りがあります。");
        problem.fields = errors
            .0
            .iter()
            .map(|e| FieldIssue {
                field: e.field.to_owned(),
                code: e.problem.code(),
                message: field_message(&e.problem),
                problem: Some(e.problem.clone()),
            })
            .collect();
        problem
    }

    /// The `Retry-After` header's value (RFC 9110 §10.2.3), when the request may be tried again later: seconds
    /// for a request shed under load, else an HTTP-date.
    pub(crate) fn retry_after_header(&self) -> Option<String> {
        if let Some(seconds) = self.retry_in_seconds {
            return Some(seconds.to_string());
        }
        self.retry_after.map(|at| at.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
    }

    /// The problem as the (field, message) pairs a page shows: each wrong field, or the one field it belongs to,
    /// or the summary alone (field `""`).
    pub(crate) fn messages(&self) -> Vec<(String, String)> {
        if self.fields.is_empty() {
            vec![(self.field.unwrap_or_default().to_owned(), self.message.clone())]
        } else {
            self.fields.iter().map(|f| (f.field.clone(), f.message.clone())).collect()
        }
    }

    /// A poem error as the problem it carries, or as what the parser or the router refused.
    pub(crate) fn from_poem(error: &poem::Error) -> Self {
        if let Some(problem) = error.downcast_ref::<Problem>() {
            return problem.clone();
        }
        match error.status() {
            StatusCode::UNAUTHORIZED => Self::unauthenticated(),
            StatusCode::NOT_FOUND => Self::page_not_found(),
            status if status.is_server_error() => Self::unavailable(error),
            _ => Self::invalid_request(),
        }
    }
}

/// The message of a field problem.
fn field_message(problem: &FieldProblem) -> String {
    match problem {
        FieldProblem::Required => "入力してください。".into(),
        FieldProblem::TooLong { max } => format!("{max}文字以内で入力してください。"),
        FieldProblem::ControlCharacter => "使用できない文字が含まれています。".into(),
        FieldProblem::NotKatakana => "カタカナで入力してください。".into(),
        FieldProblem::InvalidPostalCode => "郵便番号は7桁の数字で入力してください（例：162-0846）。".into(),
        FieldProblem::InvalidPhone => {
            "電話番号は0から始まる10桁または11桁の数字で入力してください（例：03-1234-5678）。".into()
        }
        FieldProblem::InvalidUrl => "http:// または https:// から始まるアドレスを入力してください。".into(),
        FieldProblem::InvalidEmail(_) => email_message().into(),
        FieldProblem::NotANumber => "半角または全角の数字で入力してください。".into(),
        FieldProblem::OutOfRange { min, max } => format!("{min}から{max}までの数値で入力してください。"),
        FieldProblem::InvalidTime => "時刻は「09:00」のように入力してください。".into(),
        FieldProblem::UnknownChoice => "選択肢から選んでください。".into(),
        FieldProblem::Conflicts { with } => format!("「{}」の内容と矛盾しています。", conflicting_label(with)),
        FieldProblem::Taken => "ほかのハローワークの管轄区域として登録されています。".into(),
        FieldProblem::InEntry { entry, problem } => format!("{entry}行目：{}", area_message(problem)),
    }
}

/// The message of a wrong area (管轄区域), one 「都道府県 市区町村」 per line.
fn area_message(problem: &FieldProblem) -> String {
    match problem {
        FieldProblem::UnknownChoice => {
            "都道府県名を正しく入力し、市区町村名との間に空白を入れてください（例：東京都 千代田区）。".into()
        }
        FieldProblem::Required => "都道府県名に続けて市区町村名を入力してください（例：東京都 千代田区）。".into(),
        FieldProblem::ControlCharacter => "市区町村名に空白や使用できない文字が含まれています。".into(),
        other => field_message(other),
    }
}

/// How a field is filled in, which decides the verb of its message (入力 / 選択).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entry {
    /// Typed into a text field.
    Typed,
    /// Chosen from a list.
    Chosen,
    /// Boxes ticked, one or more.
    Ticked,
}

/// The message of a field problem, naming the field by its `label` as the page shows it, so that each line of an
/// error summary says which field it is about (「職種を入力してください。」).
pub(crate) fn named_field_message(field: &str, label: &str, entry: Entry, problem: &FieldProblem) -> String {
    match (problem, entry) {
        (FieldProblem::Required, Entry::Typed) => format!("{label}を入力してください。"),
        (FieldProblem::Required, Entry::Chosen) => format!("{label}を選択してください。"),
        (FieldProblem::Required, Entry::Ticked) => format!("{label}を1つ以上選択してください。"),
        (FieldProblem::TooLong { max }, _) => format!("{label}は{max}文字以内で入力してください。"),
        (FieldProblem::ControlCharacter, _) => format!("{label}に使用できない文字が含まれています。"),
        (FieldProblem::NotKatakana, _) => format!("{label}はカタカナで入力してください。"),
        (FieldProblem::InvalidPostalCode, _) => format!("{label}は7桁の数字で入力してください（例：162-0846）。"),
        (FieldProblem::InvalidPhone, _) => {
            format!("{label}は0から始まる10桁または11桁の数字で入力してください（例：03-1234-5678）。")
        }
        (FieldProblem::InvalidUrl, _) => {
            format!("{label}は http:// または https:// から始まるアドレスを入力してください。")
        }
        (FieldProblem::InvalidEmail(_), _) => {
            format!("{label}はメールアドレスの形式で入力してください（例：saiyou@example.jp）。")
        }
        (FieldProblem::NotANumber, _) => format!("{label}は数字で入力してください。"),
        (FieldProblem::OutOfRange { min, max }, _) => format!("{label}は{min}から{max}までの数値で入力してください。"),
        (FieldProblem::InvalidTime, _) => format!("{label}は「09:00」のように入力してください。"),
        (FieldProblem::UnknownChoice, _) => format!("{label}は選択肢から選んでください。"),
        (FieldProblem::Conflicts { with }, _) => match (field, *with) {
            ("wage_max", "wage_min") => format!("{label}は下限以上の金額を入力してください。"),
            ("age_max", "age_min") => format!("{label}は下限以上の年齢を入力してください。"),
            ("employees_here", "employees_total") => format!("{label}は企業全体の人数以下で入力してください。"),
            ("contract", "employment_type") => {
                format!("{}が正社員の場合は、{label}は「定めなし」を選択してください。", LABEL_EMPLOYMENT_TYPE)
            }
            _ => format!("{label}は「{}」の内容と矛盾しています。", conflicting_label(with)),
        },
        (FieldProblem::Taken, _) => format!("{label}は、ほかのハローワークのものとして登録されています。"),
        (FieldProblem::InEntry { entry, problem }, _) => format!("{label}の{entry}行目：{}", area_message(problem)),
    }
}

/// 従業員数（企業全体）: the form's label, which a cross-field message names too.
pub(crate) const LABEL_EMPLOYEES_TOTAL: &str = "従業員数（企業全体）";
/// 雇用形態.
pub(crate) const LABEL_EMPLOYMENT_TYPE: &str = "雇用形態";
/// 年齢（下限）.
pub(crate) const LABEL_AGE_MIN: &str = "年齢（下限）";
/// 賃金（下限）.
pub(crate) const LABEL_WAGE_MIN: &str = "賃金（下限）";

/// The label of a field that another field's message names.
fn conflicting_label(field: &str) -> &'static str {
    match field {
        "employees_total" => LABEL_EMPLOYEES_TOTAL,
        "employment_type" => LABEL_EMPLOYMENT_TYPE,
        "wage_min" => LABEL_WAGE_MIN,
        "age_min" => LABEL_AGE_MIN,
        _ => "関連する項目",
    }
}

/// The one message for an address that is not an e-mail address (R2).
fn email_message() -> &'static str {
    "メールアドレスの形式で入力してください（例：saiyou@example.jp）。"
}

/// The one message for a number that is not an establishment number (R9).
fn establishment_number_message() -> &'static str {
    "事業所番号は11桁の数字で入力してください（例：1301-123456-7）。"
}

/// A password refused by the rule (R5): its code, the field it belongs to and its message.
pub(crate) fn password_problem(e: PasswordPolicyError) -> Problem {
    let (code, field, message) = match e {
        PasswordPolicyError::TooShort { min } => {
            ("password_too_short", "password", format!("{min}文字以上で入力してください。"))
        }
        PasswordPolicyError::TooLong { max } => {
            ("password_too_long", "password", format!("{max}文字以内で入力してください。"))
        }
        PasswordPolicyError::NotHalfWidth => (
            "password_not_half_width",
            "password",
            "全角の文字は使えません。半角入力に切り替えて、半角の英字、数字、記号で入力してください（空白は使えません）。"
                .into(),
        ),
        PasswordPolicyError::MissingDigit => {
            ("password_missing_digit", "password", "数字を1文字以上含めてください。".into())
        }
        PasswordPolicyError::MissingLetter => {
            ("password_missing_letter", "password", "英字を1文字以上含めてください。".into())
        }
        PasswordPolicyError::MissingSymbol => {
            ("password_missing_symbol", "password", "記号を1文字以上含めてください。".into())
        }
        PasswordPolicyError::ControlCharacter => {
            ("password_control_character", "password", "使用できない文字が含まれています。".into())
        }
        PasswordPolicyError::ContainsEmail => (
            "password_contains_email",
            "password",
            "メールアドレスの一部（@より前）を含むパスワードは使えません。".into(),
        ),
        PasswordPolicyError::TooCommon => (
            "password_too_common",
            "password",
            "よく使われていて推測されやすいパスワードです。別のパスワードにしてください。".into(),
        ),
        PasswordPolicyError::ConfirmationMismatch => {
            ("confirmation_mismatch", "confirmation", "確認用のパスワードが一致しません。".into())
        }
    };
    Problem::new(code, StatusCode::BAD_REQUEST, message).on(field)
}

/// Every refusal of a password at once (R5): the problem of the first, with each refusal as a field issue when
/// there are more, so that a page lists them all.
pub(crate) fn password_problems(errors: &PasswordPolicyErrors) -> Problem {
    let mut problem = password_problem(errors.first());
    if errors.all().len() > 1 {
        problem.fields = errors
            .all()
            .iter()
            .map(|e| {
                let one = password_problem(*e);
                FieldIssue {
                    field: one.field.unwrap_or_default().to_owned(),
                    code: one.code,
                    message: one.message,
                    problem: None,
                }
            })
            .collect();
    }
    problem
}

/// A throttled login (R13): when it may be tried again, in JST.
fn throttled(retry_after: DateTime<Utc>) -> Problem {
    Problem::new(
        "throttled",
        StatusCode::TOO_MANY_REQUESTS,
        format!("ログインに続けて失敗したため、{}まで受け付けを停止しています。", jst(retry_after)),
    )
    .retry_after(retry_after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_survives_the_trip_through_a_poem_error() {
        let error: poem::Error = Problem::not_permitted().on("x").into();
        assert_eq!(error.status(), StatusCode::FORBIDDEN);
        let back = Problem::from_poem(&error);
        assert_eq!((back.code, back.field), ("not_permitted", Some("x")));
    }

    #[test]
    fn an_error_of_the_parser_is_an_invalid_request_and_a_missing_token_unauthenticated() {
        let parse = poem::Error::from_status(StatusCode::BAD_REQUEST);
        assert_eq!(Problem::from_poem(&parse).code, "invalid_request");
        let auth = poem::Error::from_status(StatusCode::UNAUTHORIZED);
        assert_eq!(Problem::from_poem(&auth).code, "unauthenticated");
    }
}
