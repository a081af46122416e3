//! Admins edit an office's details (name, phone, address, opening hours) and close an office (R14): an office admin
//! its own office, a central admin (or the system) any. A closed office takes no new counter registrations, no
//! first-time applications naming it and no new staff; its staff keep read access. Each change is audited (R15).
//! An office keeps its areas (管轄区域), from which a first-time employer (case C) finds its office of
//! jurisdiction.

use crate::model::{AuditAction, ClientInfo, Office};
use crate::ports::{InfrastructureError, RepositoryError, Transaction};
use crate::usecases::{AdminActor, MyPage, infrastructure_from_repository};
use crate::values::{FieldError, FieldErrors, FieldProblem, OfficeCode, OfficeDetails, OfficeDetailsInput};

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
    /// The office, which the actor administers (boxed: an office is large beside the other answers).
    Office(Box<Office>),
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
    Ok(tx.offices().get(code).await?.map_or(Administered::Unknown, |o| Administered::Office(Box::new(o))))
}

impl MyPage {
    /// The open offices whose areas contain a place, by code: the office of jurisdiction of an employer working
    /// there (case C). The place is matched as [`crate::values::OfficeArea::contains`] says: exactly after NFKC,
    /// or with the municipality's suffix (市, 区, 町, 村) or a ward's city left out. An empty place matches none.
    ///
    /// # Errors
    /// [`InfrastructureError`] when the store fails.
    pub async fn offices_serving(
        &self,
        prefecture: &str,
        municipality: &str,
    ) -> Result<Vec<Office>, InfrastructureError> {
        let mut tx = self.read().await?;
        let offices = tx.offices().all().await?;
        Ok(offices.into_iter().filter(|o| o.closed_at().is_none() && o.serves(prefecture, municipality)).collect())
    }

    /// Replaces an office's name, phone, address and opening hours, and its areas when given (R14).
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
            Administered::Office(office) => *office,
            Administered::NotPermitted => return Err(EditOfficeError::NotPermitted),
            Administered::Unknown => return Err(EditOfficeError::UnknownOffice),
        };
        if let Some(areas) = details.areas() {
            // An area belongs to one open office: an admin cannot draw another office's employers to its own.
            let others: Vec<Office> = tx
                .offices()
                .all()
                .await?
                .into_iter()
                .filter(|o| o.code() != &code && o.closed_at().is_none())
                .collect();
            let taken: Vec<FieldError> = areas
                .iter()
                .enumerate()
                .filter(|(_, a)| others.iter().any(|o| o.areas().contains(a)))
                .map(|(i, _)| FieldError {
                    field: "areas",
                    problem: FieldProblem::InEntry { entry: i + 1, problem: Box::new(FieldProblem::Taken) },
                })
                .collect();
            if !taken.is_empty() {
                return Err(EditOfficeError::InvalidFields(FieldErrors(taken)));
            }
        }
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
            Administered::Office(office) => *office,
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
