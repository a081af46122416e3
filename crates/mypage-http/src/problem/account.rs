//! The errors of the account's care explained (R19): the current password, a new password or address, a session,
//! closing the account.

use mypage_domain::usecases::{
    ChangePasswordError, CloseAccountError, ConfirmEmailChangeError, CurrentPasswordError, EndSessionError,
    RequestAuthKeyError, RequestEmailChangeError,
};
use poem::http::StatusCode;

use super::{Explain, Problem, email_message, throttled};

impl Explain for CurrentPasswordError {
    fn explain(self) -> Problem {
        match self {
            Self::WrongPassword => {
                Problem::new("wrong_password", StatusCode::UNAUTHORIZED, "現在のパスワードが正しくありません。")
                    .on("current_password")
            }
            Self::Throttled { retry_after } => throttled(retry_after).on("current_password"),
            // The account was closed or is gone while this session lived on: it is no longer logged in.
            Self::NotLoggedIn => Problem::unauthenticated(),
        }
    }
}

fn changed_meanwhile() -> Problem {
    Problem::new(
        "account_changed",
        StatusCode::CONFLICT,
        "アカウントの情報が別の操作で変更されました。お手数ですが、もう一度操作してください。",
    )
}

impl Explain for ChangePasswordError {
    fn explain(self) -> Problem {
        match self {
            Self::Current(e) => e.explain(),
            Self::Password(e) => super::password_problems(&e),
            Self::Conflict => changed_meanwhile(),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for RequestEmailChangeError {
    fn explain(self) -> Problem {
        match self {
            Self::Current(e) => e.explain(),
            Self::InvalidEmail(_) => {
                Problem::new("invalid_email", StatusCode::BAD_REQUEST, email_message()).on("email")
            }
            Self::SameEmail => Problem::new(
                "same_email",
                StatusCode::BAD_REQUEST,
                "現在のメールアドレスと同じです。変更後のメールアドレスを入力してください。",
            )
            .on("email"),
            // The same limit as any key request for the address (R3), told the same way.
            Self::TooManyRequests { retry_after } => RequestAuthKeyError::TooManyRequests { retry_after }.explain(),
            Self::ClientLimited { retry_after } => Problem::client_rate_limited(retry_after),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for ConfirmEmailChangeError {
    fn explain(self) -> Problem {
        match self {
            Self::Key(e) => e.explain(),
            Self::EmailTaken => Problem::new(
                "email_taken",
                StatusCode::CONFLICT,
                "このメールアドレスは、ほかのアカウントで使われるようになったため、変更できませんでした。別のメールアドレスで、はじめからやり直してください。",
            )
            .start_again(),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for EndSessionError {
    fn explain(self) -> Problem {
        match self {
            Self::NotFound => {
                Problem::new("session_not_found", StatusCode::NOT_FOUND, "その端末は、すでにログアウトしています。")
            }
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for CloseAccountError {
    fn explain(self) -> Problem {
        match self {
            Self::Current(e) => e.explain(),
            Self::Conflict => changed_meanwhile(),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}
