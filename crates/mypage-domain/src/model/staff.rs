//! Staff members, their logins and what an admin among them reaches (R14, R21).

use crate::model::{PasswordHash, SecondFactorState, StaffId};
use crate::values::{OfficeCode, StaffRole};

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
