//! Administration: terms versions (R1), offices, staff (R14) and establishments entered from the office's
//! records (R12). The command line acts as the system; the console as an admin (or counter) member.
//!
//! Only a central admin acts across offices: it adds offices, publishes terms versions and adds staff to any
//! office. An office admin adds staff to its own office only, and never a central admin (R14).

use secrecy::SecretString;

use crate::model::{
    Actor, AdminScope, AuditAction, ClientInfo, Establishment, EstablishmentId, Office, StaffId, StaffLogin,
    StaffMember,
};
use crate::ports::{InfrastructureError, RepositoryError, Transaction, Unique};
use crate::usecases::{MyPage, admin_scope, infrastructure_from_repository, staff_with_role};
use crate::values::{
    EstablishmentNumber, EstablishmentNumberError, NewPassword, OfficeCode, PasswordPolicyError, StaffRole,
    TermsDocument, TermsKind, TermsVersion,
};

/// Who performs an administrative step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminActor {
    /// The operator at the command line, or a set-up script: it may do what a central admin may.
    System,
    /// A staff member, whose roles are checked.
    Staff(StaffId),
}

impl AdminActor {
    pub(super) fn actor(self) -> Actor {
        match self {
            Self::System => Actor::System,
            Self::Staff(id) => Actor::Staff(id),
        }
    }

    /// Whether the actor may act with `role`, and, for a member, within `office` when one is given.
    pub(super) async fn allowed(
        self,
        tx: &mut Box<dyn Transaction>,
        role: StaffRole,
        office: Option<&OfficeCode>,
    ) -> Result<bool, RepositoryError> {
        match self {
            Self::System => Ok(true),
            Self::Staff(id) => {
                Ok(staff_with_role(tx, id, role).await?.is_some_and(|m| office.is_none_or(|o| o == m.office())))
            }
        }
    }

    /// What the actor administers (R14): everything for the system, a member's own scope for a member.
    pub(super) async fn scope(self, tx: &mut Box<dyn Transaction>) -> Result<Option<AdminScope>, RepositoryError> {
        match self {
            Self::System => Ok(Some(AdminScope::Central)),
            Self::Staff(id) => admin_scope(tx, id).await,
        }
    }

    /// Whether the actor acts across offices: the system or a central admin.
    pub(super) async fn is_central(self, tx: &mut Box<dyn Transaction>) -> Result<bool, RepositoryError> {
        Ok(self.scope(tx).await?.is_some_and(|s| s.is_central()))
    }
}

/// Why a terms version was not published.
#[derive(Debug, thiserror::Error)]
pub enum PublishTermsError {
    /// Only a central admin publishes terms.
    #[error("not permitted")]
    NotPermitted,
    /// The text is empty.
    #[error("the text is empty")]
    EmptyBody,
    /// Someone published a version at the same moment; reload and try again.
    #[error("another version was published at the same time")]
    Concurrent,
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(PublishTermsError);

/// A new office.
#[derive(Debug, Clone, Default)]
pub struct NewOffice {
    /// The four-digit code.
    pub code: String,
    /// The name.
    pub name: String,
    /// The phone number employers are told to call.
    pub phone: Option<String>,
}

/// Why an office was not added.
#[derive(Debug, thiserror::Error)]
pub enum AddOfficeError {
    /// Only a central admin adds offices.
    #[error("not permitted")]
    NotPermitted,
    /// The code is not four digits.
    #[error("an office code is four digits")]
    InvalidCode,
    /// The name is empty or over 60 characters.
    #[error("an office name is 1 to 60 characters")]
    InvalidName,
    /// An office has this code.
    #[error("an office with this code exists")]
    Duplicate,
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(AddOfficeError);

/// A new staff member.
#[derive(Debug)]
pub struct NewStaffMember {
    /// The office's code.
    pub office: String,
    /// The login name.
    pub login: String,
    /// The name shown.
    pub name: String,
    /// Its roles; at least one.
    pub roles: Vec<StaffRole>,
    /// Its first password.
    pub password: SecretString,
}

/// Why a staff member was not added.
#[derive(Debug, thiserror::Error)]
pub enum AddStaffError {
    /// Only an admin adds staff, and only a central admin gives the central admin role.
    #[error("not permitted")]
    NotPermitted,
    /// An office admin names an office other than its own (R14).
    #[error("an office admin adds staff to their own office only")]
    OutsideOffice,
    /// No such office.
    #[error("no such office")]
    UnknownOffice,
    /// The login name is not valid.
    #[error("a staff login is 3 to 64 letters, digits, '.', '_' or '-'")]
    InvalidLogin,
    /// The name is empty or over 60 characters.
    #[error("a staff name is 1 to 60 characters")]
    InvalidName,
    /// No role given.
    #[error("a staff member needs at least one role")]
    NoRole,
    /// The password breaks the rule (R5).
    #[error(transparent)]
    Password(PasswordPolicyError),
    /// A member has this login.
    #[error("a staff member with this login exists")]
    Duplicate,
    /// The office is closed: it takes no new staff (R14).
    #[error("the office is closed")]
    OfficeClosed,
    /// The store or the hasher failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(AddStaffError);

/// Why an establishment was not entered.
#[derive(Debug, thiserror::Error)]
pub enum ImportEstablishmentError {
    /// Only counter staff or an office admin of its office, a central admin or the system enter establishments.
    #[error("not permitted")]
    NotPermitted,
    /// The number is malformed.
    #[error(transparent)]
    InvalidNumber(EstablishmentNumberError),
    /// The name is empty or over 60 characters.
    #[error("an establishment name is 1 to 60 characters")]
    InvalidName,
    /// The office of the number does not exist.
    #[error("no office has the number's first four digits")]
    UnknownOffice,
    /// An establishment has this number.
    #[error("an establishment with this number exists")]
    Duplicate,
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(ImportEstablishmentError);

fn name(raw: &str) -> Option<String> {
    let n = crate::text::nfkc(crate::text::trim(raw));
    (!n.is_empty() && n.chars().count() <= 60 && !n.chars().any(char::is_control)).then_some(n)
}

impl MyPage {
    /// Every office, by code: the list an employer chooses its office of jurisdiction from (case C).
    ///
    /// # Errors
    /// [`InfrastructureError`] when the store fails.
    pub async fn offices(&self) -> Result<Vec<Office>, InfrastructureError> {
        let mut tx = self.read().await?;
        Ok(tx.offices().all().await?)
    }

    /// Publishes a new version of a document; employers agree to it from then on (R1).
    ///
    /// # Errors
    /// See [`PublishTermsError`].
    pub async fn publish_terms(
        &self,
        by: AdminActor,
        kind: TermsKind,
        body: &str,
        client: &ClientInfo,
    ) -> Result<TermsVersion, PublishTermsError> {
        let body = body.trim();
        if body.is_empty() {
            return Err(PublishTermsError::EmptyBody);
        }
        let mut tx = self.begin().await?;
        if !by.is_central(&mut tx).await? {
            return Err(PublishTermsError::NotPermitted);
        }
        let version = TermsVersion(tx.terms().current(kind).await?.map_or(1, |d| d.version.0 + 1));
        let document = TermsDocument { kind, version, body: body.to_owned(), published_at: self.now() };
        match tx.terms().publish(&document).await {
            Err(RepositoryError::Duplicate(Unique::TermsVersion)) => return Err(PublishTermsError::Concurrent),
            other => other?,
        }
        self.audit(
            &mut tx,
            by.actor(),
            AuditAction::TermsPublished,
            format!("terms:{}:{}", kind.code(), version.0),
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Adds an office.
    ///
    /// # Errors
    /// See [`AddOfficeError`].
    pub async fn add_office(
        &self,
        by: AdminActor,
        input: &NewOffice,
        client: &ClientInfo,
    ) -> Result<OfficeCode, AddOfficeError> {
        let code = OfficeCode::parse(&input.code).map_err(|_| AddOfficeError::InvalidCode)?;
        let office_name = name(&input.name).ok_or(AddOfficeError::InvalidName)?;
        let mut tx = self.begin().await?;
        if !by.is_central(&mut tx).await? {
            return Err(AddOfficeError::NotPermitted);
        }
        let office = Office::new(code.clone(), office_name, input.phone.clone());
        match tx.offices().insert(&office).await {
            Err(RepositoryError::Duplicate(Unique::OfficeCode)) => return Err(AddOfficeError::Duplicate),
            other => other?,
        }
        self.audit(&mut tx, by.actor(), AuditAction::OfficeAdded, format!("office:{code}"), client).await?;
        tx.commit().await?;
        Ok(code)
    }

    /// Adds a staff member to an office (R14): a central admin (or the system) to any office, an office admin to its
    /// own, with any role but the central admin's.
    ///
    /// # Errors
    /// See [`AddStaffError`].
    pub async fn add_staff(
        &self,
        by: AdminActor,
        input: &NewStaffMember,
        client: &ClientInfo,
    ) -> Result<StaffId, AddStaffError> {
        let office = OfficeCode::parse(&input.office).map_err(|_| AddStaffError::UnknownOffice)?;
        let login = StaffLogin::parse(&input.login).map_err(|_| AddStaffError::InvalidLogin)?;
        let member_name = name(&input.name).ok_or(AddStaffError::InvalidName)?;
        if input.roles.is_empty() {
            return Err(AddStaffError::NoRole);
        }
        let password = NewPassword::parse_with_identity(
            &input.password,
            &input.password,
            login.as_str(),
            self.config.password_policy,
        )
        .map_err(AddStaffError::Password)?;
        let mut tx = self.begin().await?;
        let scope = by.scope(&mut tx).await?.ok_or(AddStaffError::NotPermitted)?;
        if !scope.covers(&office) {
            return Err(AddStaffError::OutsideOffice);
        }
        if !input.roles.iter().all(|r| scope.may_grant(*r)) {
            return Err(AddStaffError::NotPermitted);
        }
        match tx.offices().get(&office).await? {
            None => return Err(AddStaffError::UnknownOffice),
            Some(o) if o.is_closed() => return Err(AddStaffError::OfficeClosed),
            Some(_) => {}
        }
        drop(tx);
        let hash = self.ports.hasher.hash(password.secret()).await?;
        let member = StaffMember::new(self.new_id(StaffId::from_bytes), office, login, member_name, &input.roles, hash);
        let mut tx = self.begin().await?;
        match tx.staff().insert(&member).await {
            Err(RepositoryError::Duplicate(Unique::StaffLogin)) => return Err(AddStaffError::Duplicate),
            other => other?,
        }
        self.audit(&mut tx, by.actor(), AuditAction::StaffAdded, format!("staff:{}", member.id()), client).await?;
        tx.commit().await?;
        Ok(member.id())
    }

    /// Enters an establishment that the office already holds in its records, so that case A and B can refer to it.
    ///
    /// # Errors
    /// See [`ImportEstablishmentError`].
    pub async fn import_establishment(
        &self,
        by: AdminActor,
        number: &str,
        establishment_name: &str,
        client: &ClientInfo,
    ) -> Result<EstablishmentId, ImportEstablishmentError> {
        let number = EstablishmentNumber::parse(number).map_err(ImportEstablishmentError::InvalidNumber)?;
        let establishment_name = name(establishment_name).ok_or(ImportEstablishmentError::InvalidName)?;
        let office = number.office();
        let mut tx = self.begin().await?;
        let permitted = by.allowed(&mut tx, StaffRole::Counter, Some(&office)).await?
            || by.scope(&mut tx).await?.is_some_and(|s| s.covers(&office));
        if !permitted {
            return Err(ImportEstablishmentError::NotPermitted);
        }
        if tx.offices().get(&office).await?.is_none() {
            return Err(ImportEstablishmentError::UnknownOffice);
        }
        let establishment =
            Establishment::imported(self.new_id(EstablishmentId::from_bytes), number, establishment_name, self.now());
        match tx.establishments().insert(&establishment).await {
            Err(RepositoryError::Duplicate(Unique::EstablishmentNumber)) => {
                return Err(ImportEstablishmentError::Duplicate);
            }
            other => other?,
        }
        self.audit(
            &mut tx,
            by.actor(),
            AuditAction::EstablishmentImported,
            format!("establishment:{}", establishment.id()),
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(establishment.id())
    }
}
