//! Counter registration of an e-mail for an existing establishment (R12, case A step 1), and its corrections:
//! counter staff look up a registration still awaiting its password, correct its address or withdraw it.

use chrono::{DateTime, Utc};

use crate::model::{
    Account, AccountId, AccountStatus, Actor, AuditAction, ClientInfo, DeathCause, Establishment, FlowPurpose,
    FlowTarget, StaffId, StaffMember,
};
use crate::ports::{InfrastructureError, RepositoryError, Transaction, Unique};
use crate::usecases::{MyPage, infrastructure_from_repository, staff_with_role};
use crate::values::{
    EmailAddress, EmailAddressError, EstablishmentNumber, EstablishmentNumberError, OfficeCode, StaffRole,
};

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
    /// The member's office is closed: it takes no new registrations (R14).
    #[error("the office is closed")]
    OfficeClosed,
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
        let mut tx = self.begin().await?;
        let (email, establishment) = counter_checks(&mut tx, staff, input).await?;
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

/// What counter registration checks before it writes (R12, R14): the address, the number, the member's role
/// and office, and the establishment of that office; the address already taken is left to the insert's unique
/// key, so that two registrations at once cannot both pass.
async fn counter_checks(
    tx: &mut Box<dyn Transaction>,
    staff: StaffId,
    input: &CounterRegistration,
) -> Result<(EmailAddress, Establishment), CounterRegistrationError> {
    let email = EmailAddress::parse(&input.email).map_err(CounterRegistrationError::InvalidEmail)?;
    let number = EstablishmentNumber::parse(&input.establishment_number)
        .map_err(CounterRegistrationError::InvalidEstablishmentNumber)?;
    let member = staff_with_role(tx, staff, StaffRole::Counter).await?.ok_or(CounterRegistrationError::NotPermitted)?;
    let establishment =
        tx.establishments().by_number(&number).await?.ok_or(CounterRegistrationError::EstablishmentNotFound)?;
    if &establishment.office() != member.office() {
        return Err(CounterRegistrationError::OutsideOffice);
    }
    if office_closed(tx, member.office()).await? {
        return Err(CounterRegistrationError::OfficeClosed);
    }
    Ok((email, establishment))
}

impl MyPage {
    /// What [`MyPage::register_email_at_counter`] would register, without registering it: the establishment the
    /// number names, so that the counter shows its name before the member confirms (R12). Nothing is written.
    ///
    /// # Errors
    /// See [`CounterRegistrationError`]: each error `register_email_at_counter` would answer, `EmailTaken`
    /// included.
    pub async fn check_counter_registration(
        &self,
        staff: StaffId,
        input: &CounterRegistration,
    ) -> Result<Establishment, CounterRegistrationError> {
        let mut tx = self.read().await?;
        let (email, establishment) = counter_checks(&mut tx, staff, input).await?;
        if tx.accounts().by_email(&email).await?.is_some() {
            return Err(CounterRegistrationError::EmailTaken);
        }
        Ok(establishment)
    }
}

/// A registration made at the counter that still waits for its password, as counter staff see it (R12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterRegistrationView {
    /// The account.
    pub account: AccountId,
    /// The address registered.
    pub email: EmailAddress,
    /// The establishment it was registered for.
    pub establishment_number: EstablishmentNumber,
    /// Its name.
    pub establishment_name: String,
    /// When it was registered.
    pub registered_at: DateTime<Utc>,
}

/// Why a counter registration could not be looked up.
#[derive(Debug, thiserror::Error)]
pub enum CounterLookupError {
    /// The staff member does not hold the counter role, or is disabled (R14).
    #[error("not permitted")]
    NotPermitted,
    /// The address looked for is not valid (R2).
    #[error(transparent)]
    InvalidEmail(EmailAddressError),
    /// No registration awaiting its password of the member's office has this id or address: the same answer
    /// whether it belongs to another office, has its password already, or does not exist (R14).
    #[error("no registration awaiting its password of this office")]
    NotFound,
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(CounterLookupError);

/// Why the address of a counter registration was not corrected.
#[derive(Debug, thiserror::Error)]
pub enum CorrectCounterEmailError {
    /// The staff member does not hold the counter role, or is disabled (R14).
    #[error("not permitted")]
    NotPermitted,
    /// The new address is not valid (R2).
    #[error(transparent)]
    InvalidEmail(EmailAddressError),
    /// No account of the member's office's establishments has this id (R14).
    #[error("no such registration of this office")]
    NotFound,
    /// The employer has set the password already: the account changes its own address now (R19).
    #[error("the account has its password already")]
    NotAwaitingPassword,
    /// The new address is the one registered.
    #[error("the address is the one registered")]
    SameEmail,
    /// Another account uses the new address (R12: one account per e-mail).
    #[error("an account already uses this e-mail address")]
    EmailTaken,
    /// The member's office is closed: it takes no new registrations, and a new address is one (R14).
    #[error("the office is closed")]
    OfficeClosed,
    /// Someone changed the account at the same moment (another correction, or the employer's password).
    #[error("the account changed at the same time")]
    Concurrent,
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(CorrectCounterEmailError);

/// Why a counter registration was not withdrawn.
#[derive(Debug, thiserror::Error)]
pub enum WithdrawCounterRegistrationError {
    /// The staff member does not hold the counter role, or is disabled (R14).
    #[error("not permitted")]
    NotPermitted,
    /// No account of the member's office's establishments has this id (R14).
    #[error("no such registration of this office")]
    NotFound,
    /// The employer has set the password already: the account is the employer's now.
    #[error("the account has its password already")]
    NotAwaitingPassword,
    /// Someone changed the account at the same moment.
    #[error("the account changed at the same time")]
    Concurrent,
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(WithdrawCounterRegistrationError);

/// What [`counter_account`] found: the account and its establishment, if the member may see it.
enum Reach {
    /// An account of one of the member's office's establishments, with that establishment.
    Own(Box<(Account, Establishment)>),
    /// The member lacks the counter role.
    NotPermitted,
    /// No such account, or another office's.
    Missing,
}

/// The account `id` if the member is counter staff of the office of its establishment (R14).
async fn counter_account(
    tx: &mut Box<dyn Transaction>,
    staff: StaffId,
    id: AccountId,
) -> Result<(Reach, Option<StaffMember>), RepositoryError> {
    let Some(member) = staff_with_role(tx, staff, StaffRole::Counter).await? else {
        return Ok((Reach::NotPermitted, None));
    };
    let Some(account) = tx.accounts().get(id).await? else { return Ok((Reach::Missing, Some(member))) };
    let Some(establishment_id) = account.establishment() else { return Ok((Reach::Missing, Some(member))) };
    let Some(establishment) = tx.establishments().get(establishment_id).await? else {
        return Ok((Reach::Missing, Some(member)));
    };
    if &establishment.office() != member.office() {
        return Ok((Reach::Missing, Some(member)));
    }
    Ok((Reach::Own(Box::new((account, establishment))), Some(member)))
}

/// Whether the office `code` is closed (R14). An office that is not stored is not closed: the foreign keys keep
/// a member's or an establishment's office stored.
pub(super) async fn office_closed(tx: &mut Box<dyn Transaction>, code: &OfficeCode) -> Result<bool, RepositoryError> {
    Ok(tx.offices().get(code).await?.is_some_and(|o| o.is_closed()))
}

/// Ends every open flow whose keys unlock `account` at its address `email`: a key mailed there dies with the
/// address (R3, R12).
async fn end_key_flows(
    tx: &mut Box<dyn Transaction>,
    email: &EmailAddress,
    account: AccountId,
) -> Result<(), RepositoryError> {
    for purpose in FlowPurpose::ALL {
        if let Some(mut flow) = tx.flows().open_for(email, purpose).await?
            && flow.target() == (FlowTarget::Key { account: Some(account) })
        {
            flow.kill(DeathCause::Withdrawn);
            tx.flows().update(&flow).await?;
        }
    }
    Ok(())
}

fn view(account: &Account, establishment: &Establishment) -> CounterRegistrationView {
    CounterRegistrationView {
        account: account.id(),
        email: account.email().clone(),
        establishment_number: establishment.number().clone(),
        establishment_name: establishment.name().to_owned(),
        registered_at: account.created_at(),
    }
}

impl MyPage {
    /// A registration of the member's office still awaiting its password, by its account id (R12, R14).
    ///
    /// # Errors
    /// See [`CounterLookupError`].
    pub async fn counter_registration(
        &self,
        staff: StaffId,
        id: AccountId,
    ) -> Result<CounterRegistrationView, CounterLookupError> {
        let mut tx = self.read().await?;
        match counter_account(&mut tx, staff, id).await?.0 {
            Reach::Own(found) if found.0.status() == AccountStatus::AwaitingPassword => Ok(view(&found.0, &found.1)),
            Reach::NotPermitted => Err(CounterLookupError::NotPermitted),
            Reach::Own(_) | Reach::Missing => Err(CounterLookupError::NotFound),
        }
    }

    /// A registration of the member's office still awaiting its password, by the address it was registered with
    /// (R12, R14): what counter staff look up when an employer says the mail never came.
    ///
    /// # Errors
    /// See [`CounterLookupError`].
    pub async fn find_counter_registration(
        &self,
        staff: StaffId,
        email: &str,
    ) -> Result<CounterRegistrationView, CounterLookupError> {
        let email = EmailAddress::parse(email).map_err(CounterLookupError::InvalidEmail)?;
        let mut tx = self.read().await?;
        let Some(account) = tx.accounts().by_email(&email).await? else {
            // The role is checked before the answer, whatever the address.
            return match staff_with_role(&mut tx, staff, StaffRole::Counter).await? {
                Some(_) => Err(CounterLookupError::NotFound),
                None => Err(CounterLookupError::NotPermitted),
            };
        };
        drop(tx);
        self.counter_registration(staff, account.id()).await
    }

    /// Counter staff correct the address of a registration of their office that still waits for its password
    /// (R12, case A step 1). A key already mailed to the old address dies with it; the employer asks for a new one
    /// at the new address. Audited (R15).
    ///
    /// # Errors
    /// See [`CorrectCounterEmailError`].
    pub async fn correct_counter_email(
        &self,
        staff: StaffId,
        id: AccountId,
        new_email: &str,
        client: &ClientInfo,
    ) -> Result<(), CorrectCounterEmailError> {
        let email = EmailAddress::parse(new_email).map_err(CorrectCounterEmailError::InvalidEmail)?;
        let mut tx = self.begin().await?;
        let (found, member) = counter_account(&mut tx, staff, id).await?;
        let mut account = match found {
            Reach::Own(found) => found.0,
            Reach::NotPermitted => return Err(CorrectCounterEmailError::NotPermitted),
            Reach::Missing => return Err(CorrectCounterEmailError::NotFound),
        };
        if let Some(member) = member
            && office_closed(&mut tx, member.office()).await?
        {
            return Err(CorrectCounterEmailError::OfficeClosed);
        }
        if account.email() == &email {
            return Err(CorrectCounterEmailError::SameEmail);
        }
        let old = account.email().clone();
        account.correct_email(email).map_err(|_| CorrectCounterEmailError::NotAwaitingPassword)?;
        // The flows first, then the account: the order a key's redemption takes them in, so that the two wait for
        // each other instead of deadlocking, and the one that loses finds the other's change.
        match end_key_flows(&mut tx, &old, id).await {
            Err(RepositoryError::Conflict) => return Err(CorrectCounterEmailError::Concurrent),
            other => other?,
        }
        match tx.accounts().update(&account).await {
            Err(RepositoryError::Duplicate(Unique::AccountEmail)) => {
                return Err(CorrectCounterEmailError::EmailTaken);
            }
            Err(RepositoryError::Conflict) => return Err(CorrectCounterEmailError::Concurrent),
            other => other?,
        }
        self.audit(&mut tx, Actor::Staff(staff), AuditAction::CounterEmailCorrected, format!("account:{id}"), client)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Counter staff withdraw a registration of their office that still waits for its password (R12): the account
    /// is deleted, so that its address is free again, and a key already mailed dies with it. Audited (R15); the
    /// account's audit events stay.
    ///
    /// # Errors
    /// See [`WithdrawCounterRegistrationError`].
    pub async fn withdraw_counter_registration(
        &self,
        staff: StaffId,
        id: AccountId,
        client: &ClientInfo,
    ) -> Result<(), WithdrawCounterRegistrationError> {
        let mut tx = self.begin().await?;
        let account = match counter_account(&mut tx, staff, id).await?.0 {
            Reach::Own(found) => found.0,
            Reach::NotPermitted => return Err(WithdrawCounterRegistrationError::NotPermitted),
            Reach::Missing => return Err(WithdrawCounterRegistrationError::NotFound),
        };
        if account.status() != AccountStatus::AwaitingPassword {
            return Err(WithdrawCounterRegistrationError::NotAwaitingPassword);
        }
        // The flows first, then the account, as a key's redemption takes them (see the correction above).
        match end_key_flows(&mut tx, account.email(), id).await {
            Err(RepositoryError::Conflict) => return Err(WithdrawCounterRegistrationError::Concurrent),
            other => other?,
        }
        match tx.accounts().remove(&account).await {
            Err(RepositoryError::Conflict) => return Err(WithdrawCounterRegistrationError::Concurrent),
            other => other?,
        }
        self.audit(
            &mut tx,
            Actor::Staff(staff),
            AuditAction::CounterRegistrationWithdrawn,
            format!("account:{id}"),
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
