//! Corrections at the counter (R12) and the admins' office steps (R14) explained: looking up, correcting and
//! withdrawing a registration that waits for its password, editing and closing an office, and what a closed office
//! refuses.

use mypage_domain::usecases::{
    CloseOfficeError, CorrectCounterEmailError, CounterLookupError, EditOfficeError, WithdrawCounterRegistrationError,
};
use poem::http::StatusCode;

use super::{Explain, Problem, email_message};

impl Problem {
    /// The member's office is closed: counter staff register or correct no address (R14).
    pub(crate) fn office_closed_at_counter() -> Self {
        Self::new(
            "office_closed",
            StatusCode::CONFLICT,
            "このハローワークは閉庁したため、窓口でのメールアドレスの登録と訂正は受け付けていません。",
        )
    }

    /// The office an employer chose is closed: it takes no first-time application (R14).
    pub(crate) fn office_closed_for_applications() -> Self {
        Self::new(
            "office_closed",
            StatusCode::CONFLICT,
            "選択したハローワークは閉庁したため、新しい申し込みを受け付けていません。ほかのハローワークを選んでください。",
        )
        .on("office")
    }

    /// The office is closed: no member is added to it (R14).
    pub(crate) fn office_closed_for_staff() -> Self {
        Self::new("office_closed", StatusCode::CONFLICT, "このハローワークは閉庁したため、職員を追加できません。")
            .on("office")
    }

    /// No registration of the member's office waits for its password under this id or address (R14): the same
    /// answer whether it belongs to another office, has its password already, or does not exist.
    pub(crate) fn counter_registration_not_found() -> Self {
        Self::new(
            "not_found",
            StatusCode::NOT_FOUND,
            "パスワードの登録を待っている、このハローワークの登録は見つかりません。メールアドレスを確認してください。",
        )
    }

    /// No office has this code.
    pub(crate) fn office_not_found() -> Self {
        Self::new("office_not_found", StatusCode::NOT_FOUND, "指定されたハローワークは見つかりません。")
    }
}

fn invalid_email() -> Problem {
    Problem::new("invalid_email", StatusCode::BAD_REQUEST, email_message()).on("email")
}

fn account_changed() -> Problem {
    Problem::new(
        "concurrent",
        StatusCode::CONFLICT,
        "同時にほかの職員か事業所の方がこの登録を変更しました。登録内容を確認してから、もう一度操作してください。",
    )
}

fn office_changed() -> Problem {
    Problem::new(
        "concurrent",
        StatusCode::CONFLICT,
        "同時にほかの管理者がこのハローワークを変更しました。内容を確認してから、もう一度操作してください。",
    )
}

impl Explain for CounterLookupError {
    fn explain(self) -> Problem {
        match self {
            Self::NotPermitted => Problem::not_permitted(),
            Self::InvalidEmail(_) => invalid_email(),
            Self::NotFound => Problem::counter_registration_not_found().on("email"),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for CorrectCounterEmailError {
    fn explain(self) -> Problem {
        match self {
            Self::NotPermitted => Problem::not_permitted(),
            Self::InvalidEmail(_) => invalid_email(),
            Self::NotFound => Problem::counter_registration_not_found(),
            Self::NotAwaitingPassword => Problem::new(
                "not_awaiting_password",
                StatusCode::CONFLICT,
                "事業所の方がすでにパスワードを登録しているため、訂正できません。メールアドレスの変更は、事業所の方が求人者マイページで行います。",
            ),
            Self::SameEmail => Problem::new(
                "same_email",
                StatusCode::BAD_REQUEST,
                "登録されているメールアドレスと同じです。正しいメールアドレスを入力してください。",
            )
            .on("email"),
            Self::EmailTaken => Problem::new(
                "email_taken",
                StatusCode::CONFLICT,
                "訂正後のメールアドレスは、すでにほかのアカウントで使われています。",
            )
            .on("email"),
            Self::OfficeClosed => Problem::office_closed_at_counter(),
            Self::Concurrent => account_changed(),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for WithdrawCounterRegistrationError {
    fn explain(self) -> Problem {
        match self {
            Self::NotPermitted => Problem::not_permitted(),
            Self::NotFound => Problem::counter_registration_not_found(),
            Self::NotAwaitingPassword => Problem::new(
                "not_awaiting_password",
                StatusCode::CONFLICT,
                "事業所の方がすでにパスワードを登録しているため、取り消せません。",
            ),
            Self::Concurrent => account_changed(),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for EditOfficeError {
    fn explain(self) -> Problem {
        match self {
            Self::NotPermitted => Problem::not_permitted(),
            Self::UnknownOffice => Problem::office_not_found(),
            Self::InvalidFields(errors) => Problem::invalid_fields(&errors),
            Self::Concurrent => office_changed(),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for CloseOfficeError {
    fn explain(self) -> Problem {
        match self {
            Self::NotPermitted => Problem::not_permitted(),
            Self::UnknownOffice => Problem::office_not_found(),
            Self::AlreadyClosed => {
                Problem::new("already_closed", StatusCode::CONFLICT, "このハローワークは、すでに閉庁しています。")
            }
            Self::Concurrent => office_changed(),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}
