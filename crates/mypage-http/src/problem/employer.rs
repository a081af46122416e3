//! The employer's errors explained: auth keys, passwords, login, and the provisional registration (R1–R10, R13,
//! R17).

use mypage_domain::usecases::{
    DeclareHistoryError, KeyRedemptionError, LoginError, OverviewError, RegisterPasswordError, RequestAuthKeyError,
    ResendAuthKeyError, ResetPasswordError, SaveEstablishmentError, SaveJobOfferError, SubmitError,
};
use mypage_domain::values::{PasswordPolicyError, PasswordPolicyErrors, TermsConsentError};
use poem::http::StatusCode;

use super::{
    Explain, Problem, email_message, establishment_number_message, password_problem, password_problems, throttled,
};

impl Problem {
    /// The key screen has no flow of its entrance in this browser session (R4): a page says to start again.
    pub(crate) fn flow_not_found() -> Self {
        flow_not_found()
    }

    /// The history form was sent with neither answer chosen (R9).
    pub(crate) fn history_not_chosen() -> Self {
        Problem::new("history_not_chosen", StatusCode::BAD_REQUEST, "いずれかを選択してください。").on("past")
    }
}

/// The key screen was opened in another browser, or the flow is unknown (R4).
fn flow_not_found() -> Problem {
    Problem::new(
        "flow_not_found",
        StatusCode::NOT_FOUND,
        "この画面は、メールアドレスを入力したブラウザーでのみ使用できます。",
    )
    .start_again()
}

fn flow_dead() -> Problem {
    Problem::new(
        "flow_dead",
        StatusCode::GONE,
        "この申込は無効になっています（新しい申込をした場合や、有効期限が過ぎた場合など）。",
    )
    .start_again()
}

fn already_used() -> Problem {
    Problem::new("already_used", StatusCode::GONE, "この認証キーはすでに使用されています。").start_again()
}

fn too_many_requests(message: &str, retry_after: chrono::DateTime<chrono::Utc>) -> Problem {
    Problem::new("too_many_requests", StatusCode::TOO_MANY_REQUESTS, message).on("email").retry_after(retry_after)
}

fn not_provisional() -> Problem {
    Problem::new("not_provisional", StatusCode::FORBIDDEN, "仮登録できるのは本登録前のアカウントです。").next("/mypage")
}

fn not_editable() -> Problem {
    Problem::new("not_editable", StatusCode::CONFLICT, "送信済みのため変更できません。").next("/mypage")
}

fn no_draft() -> Problem {
    Problem::new("no_draft", StatusCode::NOT_FOUND, "先に求人申し込み実績を登録してください。").next("/mypage/history")
}

impl Explain for TermsConsentError {
    fn explain(self) -> Problem {
        match self {
            TermsConsentError::Outdated => Problem::new(
                "terms_outdated",
                StatusCode::BAD_REQUEST,
                "利用規約が改定されました。改定後の内容をご確認のうえ、あらためて同意してください。",
            ),
            _ => Problem::new(
                "consent_required",
                StatusCode::BAD_REQUEST,
                "「プライバシーポリシー」と「マイページ利用規約」の両方に同意してください。",
            ),
        }
    }
}

impl Explain for RequestAuthKeyError {
    fn explain(self) -> Problem {
        match self {
            Self::InvalidEmail(_) => {
                Problem::new("invalid_email", StatusCode::BAD_REQUEST, email_message()).on("email")
            }
            Self::Consent(e) => e.explain(),
            Self::TooManyRequests { retry_after } => too_many_requests(
                "このメールアドレスへの申込が続いたため、受付を一時停止しています。1時間ほど経ってからやり直してください。",
                retry_after,
            ),
            Self::ClientLimited { retry_after } => Problem::client_rate_limited(retry_after),
            e @ Self::TermsNotPublished => Problem::unavailable(&e),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for ResendAuthKeyError {
    fn explain(self) -> Problem {
        match self {
            Self::FlowNotFound => flow_not_found(),
            Self::FlowDead(_) => flow_dead(),
            Self::AlreadyUsed => already_used(),
            Self::KeyLimitReached => {
                Problem::new("key_limit_reached", StatusCode::CONFLICT, "認証キーの再送信は、これ以上できません。")
            }
            Self::TooManyRequests { retry_after } => too_many_requests(
                "このメールアドレスへの申込が続いたため、しばらく再送信できません。1時間ほど経ってからやり直してください。",
                retry_after,
            ),
            Self::ClientLimited { retry_after } => Problem::client_rate_limited(retry_after),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for KeyRedemptionError {
    fn explain(self) -> Problem {
        match self {
            Self::InvalidKey(_) => Problem::new(
                "invalid_key",
                StatusCode::BAD_REQUEST,
                "認証キーは、メールに記載された10文字を入力してください。",
            )
            .on("auth_key"),
            Self::WrongKey { remaining } => {
                let mut problem = Problem::new(
                    "wrong_key",
                    StatusCode::UNAUTHORIZED,
                    format!("認証キーが正しくありません。あと{remaining}回間違えると、はじめからやり直しになります。"),
                )
                .on("auth_key");
                problem.remaining_attempts = Some(remaining);
                problem
            }
            Self::FlowNotFound => flow_not_found(),
            // This key expired, but a key mailed later in the same flow may still be good (R3): the flow stays, and
            // only a flow whose every key has expired is dead (the next try then says to start again).
            Self::KeyExpired => Problem::new(
                "key_expired",
                StatusCode::GONE,
                "この認証キーは有効期限が過ぎています。後からお送りしたメールの認証キーが有効期限内であれば、そちらを入力してください。どの認証キーも有効期限を過ぎている場合は、はじめからやり直してください。",
            )
            .on("auth_key"),
            Self::TooManyWrongKeys => Problem::new(
                "too_many_wrong_keys",
                StatusCode::GONE,
                "認証キーを続けて間違えたため、この申込は無効になりました。",
            )
            .start_again(),
            Self::FlowDead(_) => flow_dead(),
            Self::AlreadyUsed => already_used(),
        }
    }
}

impl Explain for PasswordPolicyError {
    fn explain(self) -> Problem {
        password_problem(self)
    }
}

impl Explain for PasswordPolicyErrors {
    fn explain(self) -> Problem {
        password_problems(&self)
    }
}

impl Explain for RegisterPasswordError {
    fn explain(self) -> Problem {
        match self {
            Self::Key(e) => e.explain(),
            Self::Password(e) => e.explain(),
            Self::EmailTaken => Problem::new(
                "email_taken",
                StatusCode::CONFLICT,
                "このメールアドレスでは、すでにマイページが開設されています。ログインしてください。",
            )
            .start_again(),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for ResetPasswordError {
    fn explain(self) -> Problem {
        match self {
            Self::Key(e) => e.explain(),
            Self::Password(e) => e.explain(),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for LoginError {
    fn explain(self) -> Problem {
        match self {
            Self::InvalidCredentials => Problem::new(
                "invalid_credentials",
                StatusCode::UNAUTHORIZED,
                "メールアドレスまたはパスワードが正しくありません。",
            ),
            Self::Throttled { retry_after } => throttled(retry_after),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for OverviewError {
    fn explain(self) -> Problem {
        match self {
            // The account of a live session is gone: the session means nothing any more.
            Self::AccountNotFound => Problem::unauthenticated(),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for DeclareHistoryError {
    fn explain(self) -> Problem {
        match self {
            Self::InvalidEstablishmentNumber(_) => {
                Problem::new("invalid_establishment_number", StatusCode::BAD_REQUEST, establishment_number_message())
                    .on("number")
            }
            Self::EstablishmentNotFound => Problem::new(
                "establishment_not_found",
                StatusCode::NOT_FOUND,
                "この事業所番号は登録されていません。番号をご確認いただくか、管轄のハローワークにお問い合わせください。",
            )
            .on("number"),
            Self::UnknownOffice => {
                Problem::new("unknown_office", StatusCode::BAD_REQUEST, "管轄のハローワークを選んでください。")
                    .on("office")
            }
            Self::OfficeClosed => Problem::office_closed_for_applications(),
            Self::NotEditable => not_editable(),
            Self::AccountNotFound | Self::NotProvisional => not_provisional(),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for SaveEstablishmentError {
    fn explain(self) -> Problem {
        match self {
            Self::Invalid(errors) => Problem::invalid_fields(&errors),
            Self::NoDraft => no_draft(),
            Self::NotEditable => not_editable(),
            Self::NotFirstTime => {
                Problem::new("not_first_time", StatusCode::CONFLICT, "事業所情報は初めて申し込む場合に入力します。")
                    .next("/mypage/job")
            }
            Self::NotProvisional | Self::AccountNotFound => not_provisional(),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for SaveJobOfferError {
    fn explain(self) -> Problem {
        match self {
            Self::Invalid(errors) => Problem::invalid_fields(&errors),
            Self::NoDraft => no_draft(),
            Self::NotEditable => not_editable(),
            Self::NotProvisional | Self::AccountNotFound => not_provisional(),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for SubmitError {
    fn explain(self) -> Problem {
        match self {
            Self::Incomplete(_) => Problem::new("incomplete", StatusCode::CONFLICT, "入力していない項目があります。")
                .next("/mypage/history"),
            Self::NoDraft => no_draft(),
            Self::NotEditable => not_editable(),
            Self::NotProvisional | Self::AccountNotFound => not_provisional(),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}
