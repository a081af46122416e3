//! The tables as sea-orm entities. Private to the crate: rows become domain values only through `convert`,
//! which parses them, so a corrupt row is an error and never an invalid value.
//!
//! Ids are UUIDs stored as text and times are `DateTime<Utc>`, so that SQLite and PostgreSQL share one code path.
#![expect(unreachable_pub, reason = "sea-orm's derives need public items; the module itself is private")]

macro_rules! no_relations {
    () => {
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    };
}

pub(crate) mod account {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "accounts")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub email: String,
        pub status: String,
        pub establishment_id: Option<String>,
        pub password_hash: Option<String>,
        pub consent_privacy: Option<i32>,
        pub consent_terms: Option<i32>,
        pub consent_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub version: i64,
    }
    no_relations!();
}

pub(crate) mod establishment {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "establishments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub number: String,
        pub office: String,
        pub name: String,
        pub info: Option<String>,
        pub name_kana: Option<String>,
        pub postal_code: Option<String>,
        pub address: Option<String>,
        pub phone: Option<String>,
        pub created_at: DateTimeUtc,
    }
    no_relations!();
}

pub(crate) mod office {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "offices")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub code: String,
        pub name: String,
        pub phone: Option<String>,
        pub address: Option<String>,
        pub opening_hours: Option<String>,
        /// A JSON array of `[prefecture, municipality]` pairs.
        pub areas: String,
        pub closed_at: Option<DateTimeUtc>,
        pub version: i64,
        /// Where the digest of waiting submissions goes (R20).
        pub notification_email: Option<String>,
        /// When the last digest was queued.
        pub last_digest_at: Option<DateTimeUtc>,
        /// The newest submission time a digest announced.
        pub digest_watermark: Option<DateTimeUtc>,
    }
    no_relations!();
}

pub(crate) mod staff {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "staff")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub office: String,
        pub login: String,
        pub name: String,
        pub roles: String,
        pub password_hash: String,
        pub active: bool,
        pub second_factor: String,
        pub totp_secret: Option<String>,
        pub totp_last_step: Option<i64>,
        pub recovery_codes: String,
        pub version: i64,
    }
    no_relations!();
}

pub(crate) mod terms {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "terms")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub kind: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub version: i32,
        pub body: String,
        pub published_at: DateTimeUtc,
    }
    no_relations!();
}

pub(crate) mod flow {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "flows")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub purpose: String,
        pub email: String,
        pub token_digest: String,
        pub target: String,
        pub consent_privacy: Option<i32>,
        pub consent_terms: Option<i32>,
        pub consent_at: Option<DateTimeUtc>,
        pub keys: String,
        pub wrong_attempts: i32,
        pub state: String,
        pub created_at: DateTimeUtc,
        pub expires_at: DateTimeUtc,
        pub version: i64,
    }
    no_relations!();
}

pub(crate) mod registration {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "registrations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub account_id: String,
        pub office: Option<String>,
        pub history: Option<String>,
        pub establishment: Option<String>,
        pub job_offer: Option<String>,
        pub unfinished: Option<String>,
        pub status: String,
        pub note: Option<String>,
        pub confirmed_establishment: Option<String>,
        pub confirmed_number: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub submitted_at: Option<DateTimeUtc>,
        pub decided_by: Option<String>,
        pub version: i64,
        /// `opening` or `job_offer` (R20).
        pub kind: String,
    }
    no_relations!();
}

pub(crate) mod throttle_hit {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "throttle_hits")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub key: String,
        pub at: DateTimeUtc,
    }
    no_relations!();
}

pub(crate) mod audit_event {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub seq: i64,
        pub id: String,
        pub at: DateTimeUtc,
        pub actor_kind: String,
        pub actor_id: Option<String>,
        pub action: String,
        pub subject: String,
        pub client_ip: Option<String>,
        pub user_agent: Option<String>,
    }
    no_relations!();
}

pub(crate) mod outbox {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "outbox")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub recipient: String,
        pub template: String,
        pub params: String,
        pub state: String,
        pub attempts: i32,
        pub next_attempt_at: DateTimeUtc,
        pub last_error: Option<String>,
        pub message_id: String,
        pub created_at: DateTimeUtc,
        pub sent_at: Option<DateTimeUtc>,
    }
    no_relations!();
}

pub(crate) mod session {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sessions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub subject_kind: String,
        pub subject_id: Option<String>,
        pub data: String,
        pub created_at: DateTimeUtc,
        pub expires_at: DateTimeUtc,
        pub idle_expires_at: DateTimeUtc,
        pub client_ip: Option<String>,
        pub client_agent: Option<String>,
        pub last_used_at: Option<DateTimeUtc>,
    }
    no_relations!();
}
