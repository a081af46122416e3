//! Typed identifiers. They are UUIDs made from the key generator port's randomness, so that several
//! instances on one database never need a round trip to number a record.

use std::fmt;

use uuid::Uuid;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps 16 random bytes (from the key generator port) as an id.
            #[must_use]
            pub fn from_bytes(bytes: [u8; 16]) -> Self {
                Self(uuid::Builder::from_random_bytes(bytes).into_uuid())
            }

            /// Wraps a stored UUID.
            #[must_use]
            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The UUID, for storage.
            #[must_use]
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0)
            }
        }
    };
}

id_type!(
    /// An employer account.
    AccountId
);
id_type!(
    /// An auth-key flow.
    FlowId
);
id_type!(
    /// A provisional registration.
    RegistrationId
);
id_type!(
    /// An establishment.
    EstablishmentId
);
id_type!(
    /// A staff member.
    StaffId
);
id_type!(
    /// An audit event.
    AuditEventId
);
id_type!(
    /// An outgoing mail.
    MailId
);
