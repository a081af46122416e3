//! Admins edit an office's details (name, phone, address, opening hours) and close an office (R14): an office admin
//! its own office, a central admin (or the system) any. A closed office takes no new counter registrations, no
//! first-time applications naming it and no new staff; its staff keep read access. Each change is audited (R15).

use crate::model::{AuditAction, ClientInfo, Office};
use crate::ports::{InfrastructureError, RepositoryError, Transaction};
use crate::usecases::{AdminActor, MyPage, infrastructure_from_repository};
use crate::values::{FieldErrors, OfficeCode, OfficeDetails, OfficeDetailsInput};

/// Why an office was not edited.
#[derive(Debug, thiserror::Error)]
pub enum EditOfficeError {
    /// Only an office admin of this office or a central admin edits it (R14).
    #[error("not permitted")]
    NotPermitted,
    /// No office has this code.
    #[error("no such office")]
    UnknownOffice,
    /// Some fields are wrong, each named.
    #[error("invalid fields")]
    InvalidFields(FieldErrors),
    /// Another admin changed the office at the same moment.
    #[error("the office changed at the same time")]
    Concurrent,
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(EditOfficeError);

/// Why an office was not closed.
#[derive(Debug, thiserror::Error)]
pub enum CloseOfficeError {
    /// Only an office admin of this office or a central admin closes it (R14).
    #[error("not permitted")]
    NotPermitted,
    /// No office has this code.
    #[error("no such office")]
    UnknownOffice,
    /// It is closed already.
    #[error("the office is closed already")]
    AlreadyClosed,
    /// Another admin changed the office at the same moment.
    #[error("the office changed at the same time")]
    Concurrent,
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(CloseOfficeError);

/// What [`office_for_admin`] found.
enum Administered {
    /// The office, which the actor administers.
    Office(Office),
    /// The actor does not administer it.
    NotPermitted,
    /// No office has the code.
    Unknown,
}

/// The office `code` if `by` administers it (R14): the actor's scope is checked before the office is read, so that
/// an office admin learns nothing of other offices.
async fn office_for_admin(
    tx: &mut Box<dyn Transaction>,
    by: AdminActor,
    code: &OfficeCode,
) -> Result<Administered, RepositoryError> {
    if !by.scope(tx).await?.is_some_and(|s| s.covers(code)) {
        return Ok(Administered::NotPermitted);
    }
    Ok(tx.offices().get(code).await?.map_or(Administered::Unknown, Administered::Office))
}

impl MyPage {
    /// Replaces an office's name, phone, address and opening hours (R14).
    ///
    /// # Errors
    /// See [`EditOfficeError`].
    pub async fn edit_office(
        &self,
        by: AdminActor,
        code: &str,
        input: &OfficeDetailsInput,
        client: &ClientInfo,
    ) -> Result<(), EditOfficeError> {
        let code = OfficeCode::parse(code).map_err(|_| EditOfficeError::UnknownOffice)?;
        let details = OfficeDetails::parse(input).map_err(EditOfficeError::InvalidFields)?;
        let mut tx = self.begin().await?;
        let mut office = match office_for_admin(&mut tx, by, &code).await? {
            Administered::Office(office) => office,
            Administered::NotPermitted => return Err(EditOfficeError::NotPermitted),
            Administered::Unknown => return Err(EditOfficeError::UnknownOffice),
        };
        office.edit(&details);
        match tx.offices().update(&office).await {
            Err(RepositoryError::Conflict) => return Err(EditOfficeError::Concurrent),
            other => other?,
        }
        self.audit(&mut tx, by.actor(), AuditAction::OfficeEdited, format!("office:{code}"), client).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Closes an office (R14): it takes no new registrations or staff from now on, and its staff keep read access.
    ///
    /// # Errors
    /// See [`CloseOfficeError`].
    pub async fn close_office(&self, by: AdminActor, code: &str, client: &ClientInfo) -> Result<(), CloseOfficeError> {
        let code = OfficeCode::parse(code).map_err(|_| CloseOfficeError::UnknownOffice)?;
        let mut tx = self.begin().await?;
        let mut office = match office_for_admin(&mut tx, by, &code).await? {
            Administered::Office(office) => office,
            Administered::NotPermitted => return Err(CloseOfficeError::NotPermitted),
            Administered::Unknown => return Err(CloseOfficeError::UnknownOffice),
        };
        office.close(self.now()).map_err(|_| CloseOfficeError::AlreadyClosed)?;
        match tx.offices().update(&office).await {
            Err(RepositoryError::Conflict) => return Err(CloseOfficeError::Concurrent),
            other => other?,
        }
        self.audit(&mut tx, by.actor(), AuditAction::OfficeClosed, format!("office:{code}"), client).await?;
        tx.commit().await?;
        Ok(())
    }
}
