//! The consent to newer terms explained (R1).

use mypage_domain::usecases::AgreeTermsError;
use poem::http::StatusCode;

use super::{Explain, Problem};

impl Problem {
    /// A login whose account agreed to an older version of the terms: nothing opens until the employer agrees to
    /// the versions in force (R1). The API's login answers it when no consent came with the password.
    pub(crate) fn terms_consent_required() -> Self {
        Problem::new(
            "terms_consent_required",
            StatusCode::FORBIDDEN,
            "プライバシーポリシーまたはマイページ利用規約が改定されました。改定後の内容をご確認のうえ、同意してください。",
        )
    }
}

impl Explain for AgreeTermsError {
    fn explain(self) -> Problem {
        match self {
            AgreeTermsError::Consent(e) => e.explain(),
            AgreeTermsError::AccountNotFound => Problem::unauthenticated(),
            e @ AgreeTermsError::TermsNotPublished => Problem::unavailable(&e),
            AgreeTermsError::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}
