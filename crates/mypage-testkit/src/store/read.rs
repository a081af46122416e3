//! The read helpers tests use: the committed tables and outbox, and shortcuts such as
//! [`Tables::account_by_email`] and [`MemoryStore::last_auth_key_to`].

use mypage_domain::model::{Account, AuditEvent, AuthFlow, Establishment, ProvisionalRegistration, StaffMember};
use mypage_domain::values::{EmailAddress, EstablishmentNumber};

use super::{MemoryStore, RecordedMail, Tables};

impl Tables {
    /// The account with this address: the live one, or else a closed one that had it (R19).
    #[must_use]
    pub fn account_by_email(&self, email: &str) -> Option<&Account> {
        let email = EmailAddress::parse(email).ok()?;
        let holders: Vec<&Account> = self.accounts.0.values().filter(|a| *a.email() == email).collect();
        holders.iter().find(|a| a.status().is_live()).or_else(|| holders.first()).copied()
    }

    /// The staff member with this login.
    #[must_use]
    pub fn staff_by_login(&self, login: &str) -> Option<&StaffMember> {
        self.staff.0.values().find(|m| m.login().as_str() == login)
    }

    /// Every account.
    pub fn accounts(&self) -> impl Iterator<Item = &Account> {
        self.accounts.0.values()
    }

    /// Every flow.
    pub fn flows(&self) -> impl Iterator<Item = &AuthFlow> {
        self.flows.0.values()
    }

    /// Every registration.
    pub fn registrations(&self) -> impl Iterator<Item = &ProvisionalRegistration> {
        self.registrations.0.values()
    }

    /// Every establishment.
    pub fn establishments(&self) -> impl Iterator<Item = &Establishment> {
        self.establishments.0.values()
    }

    /// The audit trail, oldest first.
    #[must_use]
    pub fn audit(&self) -> &[AuditEvent] {
        &self.audit.0
    }
}

impl MemoryStore {
    /// Removes an establishment, as when it leaves the office's records through another system.
    pub async fn remove_establishment(&self, number: &str) {
        let Ok(number) = EstablishmentNumber::parse(number) else { return };
        self.state.lock().await.tables.establishments.0.retain(|_, e| *e.number() != number);
    }

    /// Reads the committed tables.
    pub async fn read<T>(&self, f: impl FnOnce(&Tables) -> T) -> T {
        f(&self.state.lock().await.tables)
    }

    /// Reads the committed outbox, oldest mail first.
    pub async fn read_outbox<T>(&self, f: impl FnOnce(&[RecordedMail]) -> T) -> T {
        f(&self.state.lock().await.outbox)
    }

    /// The template codes of the mails queued for an address, oldest first.
    pub async fn mail_codes_to(&self, email: &str) -> Vec<&'static str> {
        let Ok(email) = EmailAddress::parse(email) else { return Vec::new() };
        self.read_outbox(|mails| mails.iter().filter(|m| m.mail.to == email).map(RecordedMail::code).collect()).await
    }

    /// The auth key of the newest key mail to an address, as printed in it.
    pub async fn last_auth_key_to(&self, email: &str) -> Option<String> {
        let email = EmailAddress::parse(email).ok()?;
        self.read_outbox(|mails| mails.iter().rev().filter(|m| m.mail.to == email).find_map(RecordedMail::auth_key))
            .await
    }

    /// How many mails were queued in all.
    pub async fn mail_count(&self) -> usize {
        self.read_outbox(<[RecordedMail]>::len).await
    }
}
