//! The privacy policy, the My Page terms and an employer's consent to both (R1).

use chrono::{DateTime, Utc};

/// Which of the two documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TermsKind {
    /// プライバシーポリシー.
    PrivacyPolicy,
    /// マイページ利用規約.
    MyPageTerms,
}

impl TermsKind {
    /// Both kinds, in the order the page shows them.
    pub const ALL: [Self; 2] = [Self::PrivacyPolicy, Self::MyPageTerms];

    /// A stable code for storage and the API.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::PrivacyPolicy => "privacy_policy",
            Self::MyPageTerms => "mypage_terms",
        }
    }

    /// The kind with this code.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// A version number of one document; versions of a kind count up from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TermsVersion(pub u32);

/// A published version of one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermsDocument {
    /// Which document.
    pub kind: TermsKind,
    /// Its version.
    pub version: TermsVersion,
    /// The text shown to the employer, which must be scrolled to its end before the box can be ticked.
    pub body: String,
    /// When it took effect.
    pub published_at: DateTime<Utc>,
}

/// The versions in force, as the terms page shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentTerms {
    /// The privacy policy in force.
    pub privacy_policy: TermsDocument,
    /// The My Page terms in force.
    pub mypage_terms: TermsDocument,
}

/// What the terms page sends: the two boxes and the versions the employer was shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsentInput {
    /// The privacy-policy box was ticked.
    pub privacy_policy_agreed: bool,
    /// The My Page terms box was ticked.
    pub mypage_terms_agreed: bool,
    /// The privacy policy's version on the page.
    pub privacy_policy_version: TermsVersion,
    /// The My Page terms' version on the page.
    pub mypage_terms_version: TermsVersion,
}

/// Consent to both documents, with their versions and its time (R1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermsConsent {
    /// The privacy policy's version agreed to.
    pub privacy_policy: TermsVersion,
    /// The My Page terms' version agreed to.
    pub mypage_terms: TermsVersion,
    /// When.
    pub at: DateTime<Utc>,
}

/// Why a consent is refused (R1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TermsConsentError {
    /// The privacy-policy box was not ticked. The server never trusts the page's scroll check (R1).
    #[error("the privacy policy has not been agreed to")]
    PrivacyPolicyNotAgreed,
    /// The My Page terms box was not ticked.
    #[error("the My Page terms have not been agreed to")]
    MyPageTermsNotAgreed,
    /// A new version was published after the page was shown: the employer must read it.
    #[error("a newer version of the terms has been published")]
    Outdated,
}

impl TermsConsent {
    /// Checks the page's answer against the versions in force.
    ///
    /// # Errors
    /// [`TermsConsentError`] naming the first problem.
    pub fn parse(input: ConsentInput, current: &CurrentTerms, at: DateTime<Utc>) -> Result<Self, TermsConsentError> {
        if !input.privacy_policy_agreed {
            return Err(TermsConsentError::PrivacyPolicyNotAgreed);
        }
        if !input.mypage_terms_agreed {
            return Err(TermsConsentError::MyPageTermsNotAgreed);
        }
        if input.privacy_policy_version != current.privacy_policy.version
            || input.mypage_terms_version != current.mypage_terms.version
        {
            return Err(TermsConsentError::Outdated);
        }
        Ok(Self { privacy_policy: input.privacy_policy_version, mypage_terms: input.mypage_terms_version, at })
    }

    /// Whether this consent covers the versions in force: an employer who agreed to an older version of either
    /// document agrees to the new one at the next login, before doing anything else (R1).
    #[must_use]
    pub fn covers(&self, current: &CurrentTerms) -> bool {
        self.privacy_policy >= current.privacy_policy.version && self.mypage_terms >= current.mypage_terms.version
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn current() -> CurrentTerms {
        let at = Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap();
        let doc = |kind, v| TermsDocument { kind, version: TermsVersion(v), body: "…".into(), published_at: at };
        CurrentTerms { privacy_policy: doc(TermsKind::PrivacyPolicy, 2), mypage_terms: doc(TermsKind::MyPageTerms, 5) }
    }

    fn input(p: bool, t: bool, pv: u32, tv: u32) -> ConsentInput {
        ConsentInput {
            privacy_policy_agreed: p,
            mypage_terms_agreed: t,
            privacy_policy_version: TermsVersion(pv),
            mypage_terms_version: TermsVersion(tv),
        }
    }

    #[test]
    fn r1_both_documents_must_be_agreed() {
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap();
        assert_eq!(
            TermsConsent::parse(input(false, true, 2, 5), &current(), at),
            Err(TermsConsentError::PrivacyPolicyNotAgreed)
        );
        assert_eq!(
            TermsConsent::parse(input(true, false, 2, 5), &current(), at),
            Err(TermsConsentError::MyPageTermsNotAgreed)
        );
        let consent = TermsConsent::parse(input(true, true, 2, 5), &current(), at).unwrap();
        assert_eq!((consent.privacy_policy, consent.mypage_terms, consent.at), (TermsVersion(2), TermsVersion(5), at));
    }

    #[test]
    fn r1_a_consent_covers_the_versions_it_agreed_to_and_older_ones() {
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap();
        let agreed = |p, t| TermsConsent { privacy_policy: TermsVersion(p), mypage_terms: TermsVersion(t), at };
        assert!(agreed(2, 5).covers(&current()));
        assert!(!agreed(1, 5).covers(&current()), "an older privacy policy");
        assert!(!agreed(2, 4).covers(&current()), "older My Page terms");
    }

    #[test]
    fn r1_consent_to_an_older_version_is_refused() {
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap();
        assert_eq!(TermsConsent::parse(input(true, true, 2, 4), &current(), at), Err(TermsConsentError::Outdated));
    }
}
