//! Establishments (事業所), offices (ハローワーク) and their staff (R12, R14).

use chrono::{DateTime, Utc};

use crate::model::{EstablishmentId, PasswordHash, SecondFactorState, StaffId};
use crate::values::{
    EstablishmentInfo, EstablishmentNumber, OfficeArea, OfficeCode, OfficeDetails, RegisterDetails, RegisterEntry,
    StaffRole,
};

/// An establishment known to the office, with its number.
///
/// Read it through its getters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Establishment {
    /// Its id.
    id: EstablishmentId,
    /// 事業所番号; unique.
    number: EstablishmentNumber,
    /// 事業所名称.
    name: String,
    /// What a first-time applicant entered (case C); `None` for one imported from the office's records.
    info: Option<EstablishmentInfo>,
    /// What the office's register says of it besides number and name (R18).
    details: RegisterDetails,
    /// When it entered this system.
    created_at: DateTime<Utc>,
}

/// An establishment as stored: what a repository reads back to rebuild one with [`Establishment::restore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EstablishmentRecord {
    /// Its id.
    pub id: EstablishmentId,
    /// 事業所番号.
    pub number: EstablishmentNumber,
    /// 事業所名称.
    pub name: String,
    /// What a first-time applicant entered (case C).
    pub info: Option<EstablishmentInfo>,
    /// What the office's register says of it (R18).
    pub details: RegisterDetails,
    /// When it entered this system.
    pub created_at: DateTime<Utc>,
}

impl Establishment {
    /// An establishment the office already holds in its records, entered by staff or the command line (R12).
    #[must_use]
    pub fn imported(id: EstablishmentId, number: EstablishmentNumber, name: String, now: DateTime<Utc>) -> Self {
        Self { id, number, name, info: None, details: RegisterDetails::default(), created_at: now }
    }

    /// An establishment of the office's register file (R18).
    #[must_use]
    pub fn from_register(id: EstablishmentId, entry: RegisterEntry, now: DateTime<Utc>) -> Self {
        let RegisterEntry { number, name, details } = entry;
        Self { id, number, name, info: None, details, created_at: now }
    }

    /// Takes the register's name and details (R18); whether anything changed.
    pub fn update_from_register(&mut self, entry: &RegisterEntry) -> bool {
        let changed = self.name != entry.name || self.details != entry.details;
        if changed {
            self.name.clone_from(&entry.name);
            self.details = entry.details.clone();
        }
        changed
    }

    /// A first-time applicant's establishment, created when staff confirm its registration with a new number
    /// (case C, R11). Its name is the one the applicant entered.
    #[must_use]
    pub fn registered(
        id: EstablishmentId,
        number: EstablishmentNumber,
        info: EstablishmentInfo,
        now: DateTime<Utc>,
    ) -> Self {
        let details = RegisterDetails {
            name_kana: Some(info.name_kana.clone()),
            postal_code: Some(info.postal_code.clone()),
            address: Some(info.address.clone()),
            phone: Some(info.phone.clone()),
        };
        Self { id, number, name: info.name.clone(), info: Some(info), details, created_at: now }
    }

    /// Rebuilds a stored establishment. For repositories.
    #[must_use]
    pub fn restore(record: EstablishmentRecord) -> Self {
        let EstablishmentRecord { id, number, name, info, details, created_at } = record;
        Self { id, number, name, info, details, created_at }
    }

    /// Takes the establishment apart into its stored form.
    #[must_use]
    pub fn into_record(self) -> EstablishmentRecord {
        let Self { id, number, name, info, details, created_at } = self;
        EstablishmentRecord { id, number, name, info, details, created_at }
    }

    /// Its id.
    #[must_use]
    pub fn id(&self) -> EstablishmentId {
        self.id
    }

    /// 事業所番号.
    #[must_use]
    pub fn number(&self) -> &EstablishmentNumber {
        &self.number
    }

    /// 事業所名称.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What a first-time applicant entered (case C); `None` for one imported from the office's records.
    #[must_use]
    pub fn info(&self) -> Option<&EstablishmentInfo> {
        self.info.as_ref()
    }

    /// What the office's register says of it besides number and name (R18).
    #[must_use]
    pub fn details(&self) -> &RegisterDetails {
        &self.details
    }

    /// When it entered this system.
    #[must_use]
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    /// The office of jurisdiction, from the number (R9).
    #[must_use]
    pub fn office(&self) -> OfficeCode {
        self.number.office()
    }
}

/// A public employment office: the unit that owns establishments, staff and a review queue (R14).
///
/// Read it through its getters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Office {
    /// The four-digit code.
    code: OfficeCode,
    /// The name (ハローワーク飯田橋).
    name: String,
    /// The phone number employers are told to call.
    phone: Option<String>,
    /// Its address (所在地).
    address: Option<String>,
    /// Its opening hours (開庁時間), as employers read them.
    opening_hours: Option<String>,
    /// Its areas (管轄区域): where the employers it serves work.
    areas: Vec<OfficeArea>,
    /// When an admin closed it; a closed office takes no new registrations or staff, and its staff keep read access.
    closed_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency version; repositories refuse an update made from a stale copy.
    version: u64,
}

/// An office as stored: what a repository reads back to rebuild one with [`Office::restore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeRecord {
    /// The four-digit code.
    pub code: OfficeCode,
    /// The name.
    pub name: String,
    /// The phone number employers are told to call.
    pub phone: Option<String>,
    /// Its address.
    pub address: Option<String>,
    /// Its opening hours.
    pub opening_hours: Option<String>,
    /// Its areas (管轄区域).
    pub areas: Vec<OfficeArea>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency version.
    pub version: u64,
}

/// An office that is closed already cannot be closed again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the office is closed already")]
pub struct OfficeAlreadyClosed;

impl Office {
    /// A new, open office, its name already checked by the use case that adds it.
    #[must_use]
    pub fn new(code: OfficeCode, name: String, phone: Option<String>) -> Self {
        Self { code, name, phone, address: None, opening_hours: None, areas: Vec::new(), closed_at: None, version: 0 }
    }

    /// Rebuilds a stored office. For repositories.
    #[must_use]
    pub fn restore(record: OfficeRecord) -> Self {
        let OfficeRecord { code, name, phone, address, opening_hours, areas, closed_at, version } = record;
        Self { code, name, phone, address, opening_hours, areas, closed_at, version }
    }

    /// Takes the office apart into its stored form.
    #[must_use]
    pub fn into_record(self) -> OfficeRecord {
        let Self { code, name, phone, address, opening_hours, areas, closed_at, version } = self;
        OfficeRecord { code, name, phone, address, opening_hours, areas, closed_at, version }
    }

    /// An admin replaces its name, phone, address and opening hours, and its areas when they were given (R14).
    /// A closed office may be edited too: its details stay what employers of its past registrations are told.
    pub fn edit(&mut self, details: &OfficeDetails) {
        self.name = details.name().to_owned();
        self.phone = details.phone().map(str::to_owned);
        self.address = details.address().map(str::to_owned);
        self.opening_hours = details.opening_hours().map(str::to_owned);
        if let Some(areas) = details.areas() {
            self.areas = areas.to_vec();
        }
    }

    /// Its areas (管轄区域), in the order the office gave them.
    #[must_use]
    pub fn areas(&self) -> &[OfficeArea] {
        &self.areas
    }

    /// Whether a place (a prefecture and a municipality, as an employer typed them) lies in its areas.
    #[must_use]
    pub fn serves(&self, prefecture: &str, municipality: &str) -> bool {
        self.areas.iter().any(|a| a.contains(prefecture, municipality))
    }

    /// An admin closes it: from `at` on it takes no new registrations and no new staff (R14).
    ///
    /// # Errors
    /// [`OfficeAlreadyClosed`] when it was closed before.
    pub fn close(&mut self, at: DateTime<Utc>) -> Result<(), OfficeAlreadyClosed> {
        if self.closed_at.is_some() {
            return Err(OfficeAlreadyClosed);
        }
        self.closed_at = Some(at);
        Ok(())
    }

    /// The repository stored this copy with `update`: the copy now carries the stored version (one more), so that
    /// it can be updated again in the same transaction.
    pub fn mark_saved(&mut self) {
        self.version += 1;
    }

    /// The four-digit code.
    #[must_use]
    pub fn code(&self) -> &OfficeCode {
        &self.code
    }

    /// The name (ハローワーク飯田橋).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The phone number employers are told to call.
    #[must_use]
    pub fn phone(&self) -> Option<&str> {
        self.phone.as_deref()
    }

    /// Its address (所在地).
    #[must_use]
    pub fn address(&self) -> Option<&str> {
        self.address.as_deref()
    }

    /// Its opening hours (開庁時間).
    #[must_use]
    pub fn opening_hours(&self) -> Option<&str> {
        self.opening_hours.as_deref()
    }

    /// When an admin closed it, if it is closed.
    #[must_use]
    pub fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.closed_at
    }

    /// Whether it is closed: no new counter registrations, first-time applications naming it, or staff (R14).
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.closed_at.is_some()
    }

    /// Optimistic-concurrency version; repositories refuse an update made from a stale copy.
    #[must_use]
    pub fn version(&self) -> u64 {
        self.version
    }
}

/// A staff member's login name: 3–64 ASCII letters, digits, `.`, `_`, `-`, compared case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StaffLogin(String);

/// Why a login name is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a staff login is 3 to 64 letters, digits, '.', '_' or '-'")]
pub struct InvalidStaffLogin;

impl StaffLogin {
    /// Parses a login name, lower-cased.
    ///
    /// # Errors
    /// [`InvalidStaffLogin`].
    pub fn parse(raw: &str) -> Result<Self, InvalidStaffLogin> {
        let s = crate::text::fold_width(crate::text::trim(raw)).to_ascii_lowercase();
        let ok = (3..=64).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
        if ok { Ok(Self(s)) } else { Err(InvalidStaffLogin) }
    }

    /// The normalised login.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What an admin administers (R14). Only a central admin acts across offices; an office admin acts on the staff
/// and establishments of its own office.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminScope {
    /// Every office: offices, terms versions (R1), the staff of any office and the dead mails (R16). A central
    /// admin, or the operator at the command line.
    Central,
    /// The staff and establishments of this office: an office admin of it.
    Office(OfficeCode),
}

impl AdminScope {
    /// The scope of a member of `office` who holds `roles`; `None` for a member who holds neither admin role.
    /// A central admin who is an office admin too is a central admin.
    #[must_use]
    pub fn of(office: &OfficeCode, roles: &[StaffRole]) -> Option<Self> {
        if roles.contains(&StaffRole::CentralAdmin) {
            Some(Self::Central)
        } else if roles.contains(&StaffRole::OfficeAdmin) {
            Some(Self::Office(office.clone()))
        } else {
            None
        }
    }

    /// Whether it reaches every office.
    #[must_use]
    pub fn is_central(&self) -> bool {
        matches!(self, Self::Central)
    }

    /// Whether it reaches the staff and establishments of `office`.
    #[must_use]
    pub fn covers(&self, office: &OfficeCode) -> bool {
        match self {
            Self::Central => true,
            Self::Office(own) => own == office,
        }
    }

    /// Whether it may give `role` to a member: an office admin gives every role but the central admin's, so that
    /// nobody widens their own reach.
    #[must_use]
    pub fn may_grant(&self, role: StaffRole) -> bool {
        self.is_central() || role != StaffRole::CentralAdmin
    }

    /// Whether it may stop or restore the access of a member of `office` who holds `roles`: one of an office it
    /// covers, and a central admin only when it is central too.
    #[must_use]
    pub fn may_manage(&self, office: &OfficeCode, roles: &[StaffRole]) -> bool {
        self.covers(office) && roles.iter().all(|r| self.may_grant(*r))
    }
}

/// A member of an office's staff.
///
/// Read it through its getters; it changes only through its transitions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    /// Its id.
    id: StaffId,
    /// The office it belongs to; it sees and acts on this office only (R14).
    office: OfficeCode,
    /// The login name.
    login: StaffLogin,
    /// The name shown in the console and the audit trail.
    name: String,
    /// What it may do.
    roles: Vec<StaffRole>,
    /// Its password's hash.
    password: PasswordHash,
    /// A disabled member cannot log in or act.
    active: bool,
    /// Its second factor (R21).
    second_factor: SecondFactorState,
    /// Optimistic-concurrency version.
    version: u64,
}

/// A staff member as stored: what a repository reads back to rebuild one with [`StaffMember::restore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMemberRecord {
    /// Its id.
    pub id: StaffId,
    /// The office it belongs to.
    pub office: OfficeCode,
    /// The login name.
    pub login: StaffLogin,
    /// The name shown.
    pub name: String,
    /// What it may do.
    pub roles: Vec<StaffRole>,
    /// Its password's hash.
    pub password: PasswordHash,
    /// Whether it may log in and act.
    pub active: bool,
    /// Its second factor (R21).
    pub second_factor: SecondFactorState,
    /// Optimistic-concurrency version.
    pub version: u64,
}

impl StaffMember {
    /// A new, active member of `office` (R14). A role given twice is kept once.
    #[must_use]
    pub fn new(
        id: StaffId,
        office: OfficeCode,
        login: StaffLogin,
        name: String,
        roles: &[StaffRole],
        password: PasswordHash,
    ) -> Self {
        let mut distinct: Vec<StaffRole> = Vec::with_capacity(roles.len());
        for role in roles {
            if !distinct.contains(role) {
                distinct.push(*role);
            }
        }
        Self {
            id,
            office,
            login,
            name,
            roles: distinct,
            password,
            active: true,
            second_factor: SecondFactorState::NotEnrolled,
            version: 0,
        }
    }

    /// Rebuilds a stored member. For repositories: a new member is made by [`StaffMember::new`].
    #[must_use]
    pub fn restore(record: StaffMemberRecord) -> Self {
        let StaffMemberRecord { id, office, login, name, roles, password, active, second_factor, version } = record;
        Self { id, office, login, name, roles, password, active, second_factor, version }
    }

    /// Takes the member apart into its stored form: for a repository, or a test that needs a state the transitions
    /// do not reach.
    #[must_use]
    pub fn into_record(self) -> StaffMemberRecord {
        let Self { id, office, login, name, roles, password, active, second_factor, version } = self;
        StaffMemberRecord { id, office, login, name, roles, password, active, second_factor, version }
    }

    /// Whether it holds `role` and is active.
    #[must_use]
    pub fn may(&self, role: StaffRole) -> bool {
        self.active && self.roles.contains(&role)
    }

    /// What it administers, if it is active and holds an admin role (R14).
    #[must_use]
    pub fn admin_scope(&self) -> Option<AdminScope> {
        self.active.then(|| AdminScope::of(&self.office, &self.roles)).flatten()
    }

    /// An admin stops its access: it can no longer log in, and every step of a session already open is refused
    /// (R14).
    pub fn deactivate(&mut self) {
        self.active = false;
    }

    /// An admin gives a stopped member access again.
    pub fn reactivate(&mut self) {
        self.active = true;
    }

    /// Its password's hash, made again with the hasher's current parameters at login (R5).
    pub fn rehash_password(&mut self, hash: PasswordHash) {
        self.password = hash;
    }

    /// Its second factor, changed only through [`SecondFactorState`]'s transitions (enrol, confirm, use a code or
    /// a recovery code, reset) (R21).
    pub fn second_factor_mut(&mut self) -> &mut SecondFactorState {
        &mut self.second_factor
    }

    /// The repository stored this copy with `update`: the copy now carries the stored version (one more), so that
    /// it can be updated again in the same transaction.
    pub fn mark_saved(&mut self) {
        self.version += 1;
    }
}

/// Reading a staff member.
impl StaffMember {
    /// Its id.
    #[must_use]
    pub fn id(&self) -> StaffId {
        self.id
    }

    /// The office it belongs to; it sees and acts on this office only (R14).
    #[must_use]
    pub fn office(&self) -> &OfficeCode {
        &self.office
    }

    /// The login name.
    #[must_use]
    pub fn login(&self) -> &StaffLogin {
        &self.login
    }

    /// The name shown in the console and the audit trail.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What it may do, each role once.
    #[must_use]
    pub fn roles(&self) -> &[StaffRole] {
        &self.roles
    }

    /// Its password's hash.
    #[must_use]
    pub fn password(&self) -> &PasswordHash {
        &self.password
    }

    /// Whether it may log in and act; a stopped member may not.
    #[must_use]
    pub fn active(&self) -> bool {
        self.active
    }

    /// Its second factor (R21).
    #[must_use]
    pub fn second_factor(&self) -> &SecondFactorState {
        &self.second_factor
    }

    /// Optimistic-concurrency version; repositories refuse an update made from a stale copy.
    #[must_use]
    pub fn version(&self) -> u64 {
        self.version
    }
}
