//! Counter registration of an e-mail for an existing establishment (R12, case A step 1).

use crate::model::{Account, AccountId, Actor, AuditAction, ClientInfo, StaffId};
use crate::ports::{InfrastructureError, RepositoryError, Unique};
use crate::usecases::{MyPage, infrastructure_from_repository, staff_with_role};
use crate::values::{EmailAddress, EmailAddressError, EstablishmentNumber, EstablishmentNumberError, StaffRole};

/// What counter staff enter.
#[derive(Debug, Clone, Default)]
pub struct CounterRegistration {
    /// The employer's e-mail address, as typed.
    pub email: String,
    /// The establishment's number, as typed.
    pub establishment_number: String,
}

/// Why a counter registration failed.
#[derive(Debug, thiserror::Error)]
pub enum CounterRegistrationError {
    /// The staff member does not hold the counter role, or is disabled (R14).
    #[error("not permitted")]
    NotPermitted,
    /// The address is not valid (R2).
    #[error(transparent)]
    InvalidEmail(EmailAddressError),
    /// The number is not valid (R9).
    #[error(transparent)]
    InvalidEstablishmentNumber(EstablishmentNumberError),
    /// No establishment has this number.
    #[error("no establishment has this number")]
    EstablishmentNotFound,
    /// The establishment belongs to another office (R14).
    #[error("the establishment belongs to another office")]
    OutsideOffice,
    /// An account already uses this address (R12: one account per e-mail).
    #[error("an account already uses this e-mail address")]
    EmailTaken,
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(CounterRegistrationError);

impl MyPage {
    /// Staff register an employer's e-mail for an establishment of their office; the account then waits for
    /// its password (R12, case A).
    ///
    /// # Errors
    /// See [`CounterRegistrationError`].
    pub async fn register_email_at_counter(
        &self,
        staff: StaffId,
        input: &CounterRegistration,
        client: &ClientInfo,
    ) -> Result<AccountId, CounterRegistrationError> {
        let email = EmailAddress::parse(&input.email).map_err(CounterRegistrationError::InvalidEmail)?;
        let number = EstablishmentNumber::parse(&input.establishment_number)
            .map_err(CounterRegistrationError::InvalidEstablishmentNumber)?;
        let mut tx = self.begin().await?;
        let member =
            staff_with_role(&mut tx, staff, StaffRole::Counter).await?.ok_or(CounterRegistrationError::NotPermitted)?;
        let establishment =
            tx.establishments().by_number(&number).await?.ok_or(CounterRegistrationError::EstablishmentNotFound)?;
        if &establishment.office() != member.office() {
            return Err(CounterRegistrationError::OutsideOffice);
        }
        let account =
            Account::registered_at_counter(self.new_id(AccountId::from_bytes), email, establishment.id(), self.now());
        match tx.accounts().insert(&account).await {
            Err(RepositoryError::Duplicate(Unique::AccountEmail)) => return Err(CounterRegistrationError::EmailTaken),
            other => other?,
        }
        self.audit(
            &mut tx,
            Actor::Staff(staff),
            AuditAction::EmailRegisteredAtCounter,
            format!("account:{}", account.id()),
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(account.id())
    }
}
