//! The staff's errors explained: login, review (R11), counter registration (R12), and the console's admin steps
//! (R1, R14, R16).

use mypage_domain::usecases::{
    AddOfficeError, AddStaffError, ConfirmError, ConsoleError, CounterRegistrationError, EnrolmentError,
    PublishTermsError, QueueError, ReviewError, StaffAccessError, StaffLoginError,
};
use mypage_domain::values::PasswordPolicyError;
use poem::http::StatusCode;

use super::{Explain, Problem, email_message, establishment_number_message, password_problem, throttled};

impl Problem {
    /// No registration of the member's office has this id (R14): the same answer whether it exists elsewhere or not.
    pub(crate) fn registration_not_found() -> Self {
        Self::new(
            "not_found",
            StatusCode::NOT_FOUND,
            "指定された仮登録は見つからないか、ほかのハローワークの担当です。",
        )
    }

    /// No staff member has this id.
    pub(crate) fn staff_not_found() -> Self {
        Self::new("not_found", StatusCode::NOT_FOUND, "指定された職員は見つかりません。")
    }

    /// No dead mail has this id: re-queued already, or unknown.
    pub(crate) fn not_dead() -> Self {
        Self::new("not_dead", StatusCode::NOT_FOUND, "このメールは、すでに送信の待ち行列に戻されたか、見つかりません。")
    }

    /// A document kind that is neither of the two (R1).
    pub(crate) fn unknown_kind() -> Self {
        Self::new("unknown_kind", StatusCode::BAD_REQUEST, "文書を選んでください。").on("kind")
    }

    /// The password was right and the member must enrol a second factor first (R21): no session opens.
    pub(crate) fn enrolment_required() -> Self {
        Self::new(
            "enrolment_required",
            StatusCode::FORBIDDEN,
            "確認コードが設定されていません。先に認証アプリを登録して、確認コードを設定してください。",
        )
    }

    /// The member's roles log in without a second factor (R21): there is nothing to enrol.
    pub(crate) fn second_factor_not_required() -> Self {
        Self::new(
            "second_factor_not_required",
            StatusCode::CONFLICT,
            "この職員のログインには確認コードは必要ありません。",
        )
    }

    /// A role that does not exist (R14).
    pub(crate) fn unknown_role(role: &str) -> Self {
        Self::new("unknown_role", StatusCode::BAD_REQUEST, format!("「{role}」という役割はありません。")).on("roles")
    }
}

fn already_decided() -> Problem {
    Problem::new("already_decided", StatusCode::CONFLICT, "この仮登録は、すでにほかの職員が処理しています。")
}

fn concurrent(message: &str) -> Problem {
    Problem::new("concurrent", StatusCode::CONFLICT, message)
}

impl Explain for StaffLoginError {
    fn explain(self) -> Problem {
        match self {
            Self::InvalidCredentials => Problem::new(
                "invalid_credentials",
                StatusCode::UNAUTHORIZED,
                "職員IDまたはパスワードが正しくありません。",
            ),
            Self::Throttled { retry_after } => throttled(retry_after),
            Self::SecondFactorRequired { .. } => Problem::new(
                "second_factor_required",
                StatusCode::UNAUTHORIZED,
                "確認コードを入力してください。",
            )
            .on("code"),
            Self::WrongSecondFactor => Problem::new(
                "wrong_second_factor",
                StatusCode::UNAUTHORIZED,
                "確認コードが正しくないか、すでに使われています。認証アプリに表示されている新しいコードを入力してください。",
            )
            .on("code"),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for EnrolmentError {
    fn explain(self) -> Problem {
        match self {
            Self::NotPermitted => Problem::not_permitted(),
            Self::AlreadyEnrolled => Problem::new(
                "already_enrolled",
                StatusCode::CONFLICT,
                "確認コードはすでに設定されています。設定し直すには、管理者にリセットを依頼してください。",
            ),
            Self::NotStarted | Self::Concurrent => Problem::new(
                "enrolment_not_started",
                StatusCode::CONFLICT,
                "確認コードの設定が始まっていないか、やり直されました。もう一度ログインしてください。",
            ),
            Self::WrongCode => Problem::new(
                "wrong_code",
                StatusCode::BAD_REQUEST,
                "確認コードが正しくありません。認証アプリに表示されている6桁の数字を入力してください。",
            )
            .on("code"),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for QueueError {
    fn explain(self) -> Problem {
        match self {
            Self::NotPermitted => Problem::not_permitted(),
            Self::RegistrationNotFound | Self::OutsideOffice => Problem::registration_not_found(),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for ConfirmError {
    fn explain(self) -> Problem {
        match self {
            Self::NotPermitted => Problem::not_permitted(),
            Self::RegistrationNotFound | Self::OutsideOffice => Problem::registration_not_found(),
            Self::AlreadyDecided => already_decided(),
            Self::EstablishmentNotFound => Problem::new(
                "establishment_not_found",
                StatusCode::CONFLICT,
                "申告された事業所番号の事業所が見つかりません。事業所情報を確認してください。",
            ),
            Self::AccountNotActive => Problem::new(
                "account_not_active",
                StatusCode::CONFLICT,
                "この求人を申し込んだマイページは、現在この事業所で利用されていません（廃止された場合など）。受理できません。",
            ),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for ReviewError {
    fn explain(self) -> Problem {
        match self {
            Self::NotPermitted => Problem::not_permitted(),
            Self::RegistrationNotFound | Self::OutsideOffice => Problem::registration_not_found(),
            Self::AlreadyDecided => already_decided(),
            Self::InvalidNote(_) => Problem::new(
                "invalid_note",
                StatusCode::BAD_REQUEST,
                "連絡事項・理由を1000文字以内で入力してください。",
            )
            .on("note"),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for CounterRegistrationError {
    fn explain(self) -> Problem {
        match self {
            Self::NotPermitted => Problem::not_permitted(),
            Self::InvalidEmail(_) => {
                Problem::new("invalid_email", StatusCode::BAD_REQUEST, email_message()).on("email")
            }
            Self::InvalidEstablishmentNumber(_) => {
                Problem::new("invalid_establishment_number", StatusCode::BAD_REQUEST, establishment_number_message())
                    .on("number")
            }
            Self::EstablishmentNotFound => Problem::new(
                "establishment_not_found",
                StatusCode::NOT_FOUND,
                "この事業所番号の事業所は登録されていません。",
            )
            .on("number"),
            Self::OutsideOffice => {
                Problem::new("outside_office", StatusCode::FORBIDDEN, "ほかのハローワークの事業所です。").on("number")
            }
            Self::EmailTaken => Problem::new(
                "email_taken",
                StatusCode::CONFLICT,
                "このメールアドレスは、すでにほかのアカウントで使われています。",
            )
            .on("email"),
            Self::OfficeClosed => Problem::office_closed_at_counter(),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for ConsoleError {
    fn explain(self) -> Problem {
        match self {
            Self::NotPermitted => Problem::not_permitted(),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for StaffAccessError {
    fn explain(self) -> Problem {
        match self {
            Self::NotPermitted => Problem::not_permitted(),
            Self::OutsideOffice => Problem::new(
                "outside_office",
                StatusCode::FORBIDDEN,
                "ほかのハローワークの職員です。利用の停止と再開は、所属ハローワークの職員についてだけ行えます。",
            ),
            Self::NotFound => Problem::staff_not_found(),
            Self::OwnAccess => Problem::new("own_access", StatusCode::CONFLICT, "ご自身の利用は停止できません。"),
            Self::Concurrent => {
                concurrent("同時にほかの管理者が変更しました。一覧を確認してから、もう一度操作してください。")
            }
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for AddStaffError {
    fn explain(self) -> Problem {
        match self {
            Self::NotPermitted => Problem::not_permitted(),
            Self::OutsideOffice => Problem::new(
                "outside_office",
                StatusCode::FORBIDDEN,
                "ほかのハローワークには職員を追加できません。所属ハローワークを選んでください。",
            )
            .on("office"),
            Self::UnknownOffice => {
                Problem::new("unknown_office", StatusCode::BAD_REQUEST, "ハローワークを選んでください。").on("office")
            }
            Self::InvalidLogin => Problem::new(
                "invalid_login",
                StatusCode::BAD_REQUEST,
                "職員IDは3～64文字の半角英数字と「.」「_」「-」で入力してください。",
            )
            .on("login"),
            Self::InvalidName => {
                Problem::new("invalid_name", StatusCode::BAD_REQUEST, "氏名を60文字以内で入力してください。").on("name")
            }
            Self::NoRole => {
                Problem::new("no_role", StatusCode::BAD_REQUEST, "役割を1つ以上選んでください。").on("roles")
            }
            // A member's login plays the part of the e-mail's local part in the rule.
            Self::Password(PasswordPolicyError::ContainsEmail) => Problem::new(
                "password_contains_email",
                StatusCode::BAD_REQUEST,
                "初期パスワード：職員IDを含むパスワードは使えません。",
            )
            .on("password"),
            Self::Password(e) => {
                let mut problem = password_problem(e);
                problem.message = format!("初期パスワード：{}", problem.message);
                problem.on("password")
            }
            Self::Duplicate => {
                Problem::new("duplicate", StatusCode::CONFLICT, "この職員IDは、すでに使われています。").on("login")
            }
            Self::OfficeClosed => Problem::office_closed_for_staff(),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for AddOfficeError {
    fn explain(self) -> Problem {
        match self {
            Self::NotPermitted => Problem::not_permitted(),
            Self::InvalidCode => {
                Problem::new("invalid_code", StatusCode::BAD_REQUEST, "コードは4桁の数字で入力してください。")
                    .on("code")
            }
            Self::InvalidName => {
                Problem::new("invalid_name", StatusCode::BAD_REQUEST, "名称を60文字以内で入力してください。").on("name")
            }
            Self::Duplicate => {
                Problem::new("duplicate", StatusCode::CONFLICT, "このコードのハローワークは、すでに登録されています。")
                    .on("code")
            }
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for PublishTermsError {
    fn explain(self) -> Problem {
        match self {
            Self::NotPermitted => Problem::not_permitted(),
            Self::EmptyBody => {
                Problem::new("empty_body", StatusCode::BAD_REQUEST, "本文を入力してください。").on("body")
            }
            Self::Concurrent => {
                concurrent("同時にほかの版が公開されました。最新の内容を確認してから、もう一度公開してください。")
            }
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}
