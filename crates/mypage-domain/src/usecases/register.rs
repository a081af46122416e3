//! The establishment register (R18): an office loads the establishments it already knows from its own system's
//! file, so that case A's counter registration and case B's claimed number are checked against real records.
//!
//! The import is idempotent: a line whose establishment is already here with the same name and details changes
//! nothing, one whose name or details differ updates it (audited), a new number is imported (audited). Every line
//! is checked before anything is written; if any line is wrong nothing is written unless the caller asked to skip
//! wrong lines, and a dry run writes nothing and reports what the same import would do.

use std::collections::HashMap;

use crate::model::{AuditAction, ClientInfo, Establishment, EstablishmentId};
use crate::ports::{InfrastructureError, RepositoryError, Transaction, Unique};
use crate::usecases::{AdminActor, MyPage, infrastructure_from_repository, staff_with_role};
use crate::values::{
    LineProblem, OfficeCode, RegisterEncoding, RegisterEntry, RegisterFile, RegisterLine, RejectedLine, StaffRole,
};

/// How an import goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Check and count, write nothing.
    pub dry_run: bool,
    /// Import the good lines even when some are wrong.
    pub skip_invalid: bool,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// How the file was written.
    pub encoding: RegisterEncoding,
    /// New establishments.
    pub imported: usize,
    /// Establishments whose name or details changed.
    pub updated: usize,
    /// Establishments already here as the file states them.
    pub unchanged: usize,
    /// The wrong lines, in file order, with every reason.
    pub rejected: Vec<RejectedLine>,
    /// Whether anything was written: false for a dry run, and when wrong lines stopped the import.
    pub written: bool,
}

impl ImportReport {
    /// The last line the command prints: `imported N, updated N, unchanged N, rejected N`.
    #[must_use]
    pub fn summary(&self) -> String {
        format!(
            "imported {}, updated {}, unchanged {}, rejected {}",
            self.imported,
            self.updated,
            self.unchanged,
            self.rejected.len()
        )
    }
}

/// Why an import did not run.
#[derive(Debug, thiserror::Error)]
pub enum RegisterImportError {
    /// Only counter staff, office admins (their own office's numbers) and central admins import (R14).
    #[error("not permitted")]
    NotPermitted,
    /// Someone changed the register at the same moment; import the file again.
    #[error("the register changed during the import")]
    Concurrent,
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(RegisterImportError);

/// What one good line does.
enum Step {
    Import(Box<RegisterEntry>),
    Update(Box<Establishment>),
    Unchanged,
}

impl MyPage {
    /// Imports the office's register file (R18). See the module's documentation for what is written when.
    ///
    /// # Errors
    /// See [`RegisterImportError`]; a wrong line is in the report, not an error.
    pub async fn import_register(
        &self,
        by: AdminActor,
        file: RegisterFile,
        options: ImportOptions,
        client: &ClientInfo,
    ) -> Result<ImportReport, RegisterImportError> {
        let RegisterFile { encoding, lines, mut rejected } = file;
        // A dry run only reads: on SQLite it must not hold the one writer while a large file is checked.
        let mut tx = if options.dry_run { self.read().await? } else { self.begin().await? };
        let reach = Reach::of(by, &mut tx).await?;
        let mut offices: HashMap<OfficeCode, bool> = HashMap::new();
        let mut steps = Vec::with_capacity(lines.len());
        for RegisterLine { line, entry } in lines {
            let office = entry.number.office();
            let problem = if reach.covers(&office) {
                let known = match offices.get(&office) {
                    Some(&known) => known,
                    None => {
                        let known = tx.offices().get(&office).await?.is_some();
                        offices.insert(office, known);
                        known
                    }
                };
                (!known).then_some(LineProblem::UnknownOffice)
            } else {
                Some(LineProblem::OutsideOffice)
            };
            if let Some(problem) = problem {
                rejected.push(RejectedLine { line, number: entry.number.to_string(), problems: vec![problem] });
                continue;
            }
            let step = match tx.establishments().by_number(&entry.number).await? {
                None => Step::Import(Box::new(entry)),
                Some(mut existing) => {
                    if existing.update_from_register(&entry) {
                        Step::Update(Box::new(existing))
                    } else {
                        Step::Unchanged
                    }
                }
            };
            steps.push(step);
        }
        rejected.sort_by_key(|r| r.line);
        let proceed = rejected.is_empty() || options.skip_invalid;
        let count = |f: fn(&Step) -> bool| if proceed { steps.iter().filter(|s| f(s)).count() } else { 0 };
        let mut report = ImportReport {
            encoding,
            imported: count(|s| matches!(s, Step::Import(_))),
            updated: count(|s| matches!(s, Step::Update(_))),
            unchanged: count(|s| matches!(s, Step::Unchanged)),
            rejected,
            written: false,
        };
        if !proceed || options.dry_run {
            return Ok(report);
        }
        let actor = by.actor();
        for step in steps {
            let (id, action) = match step {
                Step::Import(entry) => {
                    let establishment =
                        Establishment::from_register(self.new_id(EstablishmentId::from_bytes), *entry, self.now());
                    match tx.establishments().insert(&establishment).await {
                        Err(RepositoryError::Duplicate(Unique::EstablishmentNumber)) => {
                            return Err(RegisterImportError::Concurrent);
                        }
                        other => other?,
                    }
                    (establishment.id(), AuditAction::EstablishmentImported)
                }
                Step::Update(establishment) => {
                    tx.establishments().update(&establishment).await?;
                    (establishment.id(), AuditAction::EstablishmentUpdated)
                }
                Step::Unchanged => continue,
            };
            self.audit(&mut tx, actor, action, format!("establishment:{id}"), client).await?;
        }
        tx.commit().await?;
        report.written = true;
        Ok(report)
    }
}

/// Whose numbers the importer may load (R14): a counter member its own office's, an admin those of its scope, the
/// command line any.
struct Reach {
    counter_office: Option<OfficeCode>,
    scope: Option<crate::model::AdminScope>,
}

impl Reach {
    async fn of(by: AdminActor, tx: &mut Box<dyn Transaction>) -> Result<Self, RegisterImportError> {
        let counter_office = match by {
            AdminActor::System => None,
            AdminActor::Staff(id) => staff_with_role(tx, id, StaffRole::Counter).await?.map(|m| m.office().clone()),
        };
        let scope = by.scope(tx).await?;
        if counter_office.is_none() && scope.is_none() {
            return Err(RegisterImportError::NotPermitted);
        }
        Ok(Self { counter_office, scope })
    }

    fn covers(&self, office: &OfficeCode) -> bool {
        self.counter_office.as_ref() == Some(office) || self.scope.as_ref().is_some_and(|s| s.covers(office))
    }
}
