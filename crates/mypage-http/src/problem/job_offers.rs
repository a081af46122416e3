//! The errors of job offers after opening explained (求人の申込み, R20): each use case's error enum once, as the
//! pages and the API tell it.

use mypage_domain::usecases::{
    DiscardJobOfferError, JobOffersError, MAX_JOB_OFFER_DRAFTS, SaveJobOfferDraftError, StartJobOfferError,
    SubmitJobOfferError,
};
use poem::http::StatusCode;

use super::{Explain, Problem};

/// The list of job offers, where a page goes when a step no longer applies.
const LIST: &str = "/mypage/job-offers";

fn not_active() -> Problem {
    Problem::new("not_active", StatusCode::FORBIDDEN, "求人の申込みは、本登録が完了したマイページから行えます。")
        .next("/mypage")
}

fn job_offer_not_found() -> Problem {
    Problem::new("job_offer_not_found", StatusCode::NOT_FOUND, "指定された求人は見つかりません。")
}

fn not_editable() -> Problem {
    Problem::new(
        "not_editable",
        StatusCode::CONFLICT,
        "この求人は申し込み済みのため変更できません。入力途中のまま期限が過ぎた求人は、もとにして新しく作成してください。",
    )
    .next(LIST)
}

fn office_closed() -> Problem {
    Problem::new(
        "office_closed",
        StatusCode::CONFLICT,
        "管轄のハローワークは現在、新しい求人の申込みを受け付けていません。管轄のハローワークにお問い合わせください。",
    )
}

impl Problem {
    /// A path that names no job offer of this employer: the same answer whether it is another's or none.
    pub(crate) fn job_offer_not_found() -> Self {
        job_offer_not_found()
    }
}

impl Explain for StartJobOfferError {
    fn explain(self) -> Problem {
        match self {
            Self::AccountNotFound => Problem::unauthenticated(),
            Self::NotActive => not_active(),
            Self::CopyNotFound => Problem::new(
                "copy_not_found",
                StatusCode::NOT_FOUND,
                "もとにする求人が見つかりません。求人の一覧から選び直してください。",
            ),
            Self::OfficeClosed => office_closed(),
            Self::TooManyDrafts => Problem::new(
                "too_many_drafts",
                StatusCode::CONFLICT,
                format!(
                    "入力途中の求人が{MAX_JOB_OFFER_DRAFTS}件あるため、新しく作成できません。入力途中の求人を申し込むか、不要な下書きを削除してから作成してください。"
                ),
            ),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for SaveJobOfferDraftError {
    fn explain(self) -> Problem {
        match self {
            Self::AccountNotFound => Problem::unauthenticated(),
            Self::NotActive => not_active(),
            Self::NotFound => job_offer_not_found(),
            Self::NotEditable => not_editable(),
            Self::Invalid(errors) => Problem::invalid_fields(&errors),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for SubmitJobOfferError {
    fn explain(self) -> Problem {
        match self {
            Self::AccountNotFound => Problem::unauthenticated(),
            Self::NotActive => not_active(),
            Self::NotFound => job_offer_not_found(),
            Self::NotEditable => not_editable(),
            Self::Incomplete => Problem::new(
                "incomplete",
                StatusCode::CONFLICT,
                "求人情報に入力していない項目や誤りのある項目があります。求人情報を入力し直してください。",
            ),
            Self::OfficeClosed => office_closed(),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for DiscardJobOfferError {
    fn explain(self) -> Problem {
        match self {
            Self::AccountNotFound => Problem::unauthenticated(),
            Self::NotActive => not_active(),
            Self::NotFound => job_offer_not_found(),
            Self::NotDiscardable => Problem::new(
                "not_discardable",
                StatusCode::CONFLICT,
                "申し込み済みの求人は削除できません。取り下げる場合は、管轄のハローワークにお問い合わせください。",
            )
            .next(LIST),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

impl Explain for JobOffersError {
    fn explain(self) -> Problem {
        match self {
            Self::AccountNotFound => Problem::unauthenticated(),
            Self::NotFound => job_offer_not_found(),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}
