//! A staff member's second factor (R21): a TOTP secret (RFC 6238) shared with the member's authenticator app, the
//! last time step a code was accepted for, and the digests of the recovery codes not yet used.

use std::fmt;

use crate::values::Digest;

/// The shared secret of a TOTP authenticator. TOTP needs the secret itself to compute a code, so it cannot be
/// stored as a digest: the store keeps it sealed. It has no `Display`, and `Debug` prints `[REDACTED]`.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl TotpSecret {
    /// Wraps the secret's bytes: from the second-factor port, or from the store once unsealed.
    #[must_use]
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The secret's bytes, for the second-factor port and the store's sealer only.
    #[must_use]
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret([REDACTED])")
    }
}

/// Where a member stands with the second factor (R21).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SecondFactorState {
    /// Never enrolled, or reset by an admin: the member enrols at the next login when a role requires it.
    #[default]
    NotEnrolled,
    /// A secret was shown to the member, who has not yet confirmed it with a first code.
    Enrolling {
        /// The secret shown.
        secret: TotpSecret,
    },
    /// Enrolled: a login needs a code of this secret or one of the recovery codes.
    Enrolled {
        /// The shared secret.
        secret: TotpSecret,
        /// The last time step a code was accepted for; a code of this step or an earlier one is refused, so that a
        /// code seen over a shoulder cannot be used again.
        last_step: u64,
        /// The keyed digests of the recovery codes not yet used; each works once.
        recovery_codes: Vec<Digest>,
    },
}

impl SecondFactorState {
    /// Whether the member has a confirmed second factor.
    #[must_use]
    pub fn is_enrolled(&self) -> bool {
        matches!(self, Self::Enrolled { .. })
    }
}

/// Why a second-factor transition is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SecondFactorStepError {
    /// Enrolment over a confirmed second factor: an admin resets it first.
    #[error("the second factor is already enrolled")]
    AlreadyEnrolled,
    /// Confirming or using a second factor that was not started or enrolled.
    #[error("no second factor is enrolled")]
    NotEnrolled,
    /// A code of a time step already used, or an earlier one (a replay).
    #[error("this code was already used")]
    Replayed,
    /// A recovery code that is not one of the member's unused codes.
    #[error("not an unused recovery code")]
    UnknownRecoveryCode,
}

impl SecondFactorState {
    /// A new secret is shown to the member: enrolment starts, or starts again with another secret.
    ///
    /// # Errors
    /// [`SecondFactorStepError::AlreadyEnrolled`].
    pub fn start_enrolment(&mut self, secret: TotpSecret) -> Result<(), SecondFactorStepError> {
        if self.is_enrolled() {
            return Err(SecondFactorStepError::AlreadyEnrolled);
        }
        *self = Self::Enrolling { secret };
        Ok(())
    }

    /// The member confirmed the secret with a code of `step`: enrolled, with these recovery codes.
    ///
    /// # Errors
    /// [`SecondFactorStepError::NotEnrolled`] when no enrolment was started, `AlreadyEnrolled` after one was done.
    pub fn confirm_enrolment(&mut self, step: u64, recovery_codes: Vec<Digest>) -> Result<(), SecondFactorStepError> {
        match std::mem::take(self) {
            Self::Enrolling { secret } => {
                *self = Self::Enrolled { secret, last_step: step, recovery_codes };
                Ok(())
            }
            other => {
                let enrolled = other.is_enrolled();
                *self = other;
                Err(if enrolled { SecondFactorStepError::AlreadyEnrolled } else { SecondFactorStepError::NotEnrolled })
            }
        }
    }

    /// A code of `step` was accepted at login: later codes of the same step or earlier ones are refused.
    ///
    /// # Errors
    /// [`SecondFactorStepError::NotEnrolled`], [`SecondFactorStepError::Replayed`].
    pub fn use_code(&mut self, step: u64) -> Result<(), SecondFactorStepError> {
        let Self::Enrolled { last_step, .. } = self else { return Err(SecondFactorStepError::NotEnrolled) };
        if step <= *last_step {
            return Err(SecondFactorStepError::Replayed);
        }
        *last_step = step;
        Ok(())
    }

    /// A recovery code was used at login: it is spent.
    ///
    /// # Errors
    /// [`SecondFactorStepError::NotEnrolled`], [`SecondFactorStepError::UnknownRecoveryCode`].
    pub fn use_recovery_code(&mut self, digest: &Digest) -> Result<(), SecondFactorStepError> {
        let Self::Enrolled { recovery_codes, .. } = self else { return Err(SecondFactorStepError::NotEnrolled) };
        let Some(at) = recovery_codes.iter().position(|d| d == digest) else {
            return Err(SecondFactorStepError::UnknownRecoveryCode);
        };
        recovery_codes.remove(at);
        Ok(())
    }

    /// An admin reset it: the member enrols again at the next login.
    pub fn reset(&mut self) {
        *self = Self::NotEnrolled;
    }
}
