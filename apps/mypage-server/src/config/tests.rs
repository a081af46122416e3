//! The settings read, refused out of range by name, and carried to the domain, the hasher and the sessions.

use chrono::Duration;
use mypage_domain::model::RegistrationStatus;
use mypage_domain::ports::Clock;
use mypage_domain::usecases::HistoryInput;
use mypage_testkit::TestKit;

use super::{Config, Source};

fn load(pairs: &[(&str, &str)]) -> anyhow::Result<Config> {
    Config::load(&Source::from_vars(pairs))
}

fn error(pairs: &[(&str, &str)]) -> String {
    match load(pairs) {
        Ok(_) => panic!("{pairs:?} was accepted"),
        Err(e) => format!("{e:#}"),
    }
}

#[test]
fn every_lifetime_and_limit_out_of_its_range_is_refused_by_name_with_its_range() {
    for (name, range) in [
        ("MYPAGE_AUTH_KEY_MINUTES", "5 to 120"),
        ("MYPAGE_DRAFT_DAYS", "1 to 90"),
        ("MYPAGE_DIGEST_MINUTES", "5 to 1440"),
        ("MYPAGE_SESSION_IDLE_MINUTES", "5 to 480"),
        ("MYPAGE_SESSION_ABSOLUTE_HOURS", "1 to 72"),
        ("MYPAGE_LOGIN_WINDOW_MINUTES", "1 to 1440"),
        ("MYPAGE_LOGIN_FAILURES_PER_ACCOUNT", "3 to 20"),
        ("MYPAGE_LOGIN_FAILURES_PER_CLIENT", "5 to 1000"),
        ("MYPAGE_KEY_REQUESTS_PER_ADDRESS", "3 to 50"),
        ("MYPAGE_ARGON2_MEMORY_KIB", "7168 to 1048576"),
        ("MYPAGE_ARGON2_ITERATIONS", "1 to 10"),
        ("MYPAGE_ARGON2_PARALLELISM", "1 to 16"),
    ] {
        for bad in ["0", "9999999", "-1", "ten"] {
            let message = error(&[(name, bad)]);
            assert_eq!(message, format!("{name}: expected a whole number from {range}, got {bad:?}"), "{name}={bad}");
        }
    }
}

#[test]
fn every_lifetime_and_limit_reaches_the_domain_the_hasher_and_the_sessions() {
    let config = load(&[
        ("MYPAGE_AUTH_KEY_MINUTES", "50"),
        ("MYPAGE_DRAFT_DAYS", "3"),
        ("MYPAGE_DIGEST_MINUTES", "15"),
        ("MYPAGE_SESSION_IDLE_MINUTES", "20"),
        ("MYPAGE_SESSION_ABSOLUTE_HOURS", "4"),
        ("MYPAGE_LOGIN_WINDOW_MINUTES", "30"),
        ("MYPAGE_LOGIN_FAILURES_PER_ACCOUNT", "10"),
        ("MYPAGE_LOGIN_FAILURES_PER_CLIENT", "100"),
        ("MYPAGE_KEY_REQUESTS_PER_ADDRESS", "8"),
        ("MYPAGE_KEY_REQUESTS_PER_CLIENT", "12"),
        ("MYPAGE_ARGON2_MEMORY_KIB", "47104"),
        ("MYPAGE_ARGON2_ITERATIONS", "1"),
        ("MYPAGE_ARGON2_PARALLELISM", "2"),
    ])
    .unwrap();
    let domain = config.domain_config().unwrap();
    assert_eq!(domain.auth_key_ttl, Duration::minutes(50));
    assert_eq!(domain.draft_ttl, Duration::days(3));
    assert_eq!(domain.digest_interval, Duration::minutes(15));
    assert_eq!(domain.login_window, Duration::minutes(30));
    assert_eq!((domain.login_failures_per_account, domain.login_failures_per_client), (10, 100));
    assert_eq!(domain.key_requests_per_address_per_hour, 8);
    assert_eq!(domain.key_requests_per_client, 12, "the per-client key limit is the domain's (R8)");
    assert_eq!((config.session_idle.as_secs(), config.session_absolute.as_secs()), (20 * 60, 4 * 3600));
    let argon2 = config.argon2;
    assert_eq!((argon2.memory_kib, argon2.iterations, argon2.parallelism), (47_104, 1, 2));
}

#[test]
fn the_defaults_are_the_rules_defaults() {
    let config = load(&[]).unwrap();
    let domain = config.domain_config().unwrap();
    assert_eq!(domain, mypage_domain::DomainConfig::default());
    assert_eq!(config.argon2, mypage_credentials::Argon2Config::default());
    assert_eq!((config.session_idle.as_secs(), config.session_absolute.as_secs()), (30 * 60, 8 * 3600));
    assert_eq!(config.help_desk, mypage_domain::HelpDesk::default());
}

#[test]
fn the_argon2_implementation_is_argon2_rust_unless_rustcrypto_is_named() {
    use mypage_credentials::Argon2Implementation;
    assert_eq!(load(&[]).unwrap().argon2.implementation, Argon2Implementation::Argon2Rust);
    let config = load(&[("MYPAGE_ARGON2_IMPLEMENTATION", "rustcrypto")]).unwrap();
    assert_eq!(config.argon2.implementation, Argon2Implementation::RustCrypto);
    let message = error(&[("MYPAGE_ARGON2_IMPLEMENTATION", "libsodium")]);
    assert_eq!(message, "MYPAGE_ARGON2_IMPLEMENTATION: expected argon2-rust, rustcrypto, got \"libsodium\"");
}

#[test]
fn a_weak_argon2_pair_and_a_session_cap_below_its_idle_time_are_refused() {
    let message = error(&[("MYPAGE_ARGON2_MEMORY_KIB", "7168"), ("MYPAGE_ARGON2_ITERATIONS", "2")]);
    assert!(message.starts_with("MYPAGE_ARGON2_MEMORY_KIB × MYPAGE_ARGON2_ITERATIONS: 7168 × 2 is below 35840"));
    assert!(load(&[("MYPAGE_ARGON2_MEMORY_KIB", "7168"), ("MYPAGE_ARGON2_ITERATIONS", "5")]).is_ok());
    let message = error(&[("MYPAGE_SESSION_IDLE_MINUTES", "180"), ("MYPAGE_SESSION_ABSOLUTE_HOURS", "2")]);
    assert!(message.starts_with("MYPAGE_SESSION_ABSOLUTE_HOURS: shorter than MYPAGE_SESSION_IDLE_MINUTES"));
}

#[test]
fn the_help_desk_is_seed_002s_unless_configured_and_none_turns_a_line_off() {
    let default = load(&[]).unwrap().help_desk;
    assert_eq!(default.hours, "月曜～金曜 9:30～18:00（年末年始、祝日除く）");
    assert_eq!(default.email.as_deref(), Some("helpdesk@hd.hellowork.mhlw.go.jp"));
    assert!(default.phone_note.is_some_and(|n| n.contains("ナビダイヤル")));
    let desk = load(&[
        ("MYPAGE_HELP_DESK_NAME", "マイページ相談窓口"),
        ("MYPAGE_HELP_DESK_PHONE", "03-1234-5678"),
        ("MYPAGE_HELP_DESK_HOURS", "平日 9:00～17:00"),
        ("MYPAGE_HELP_DESK_PHONE_NOTE", "none"),
        ("MYPAGE_HELP_DESK_EMAIL", "soudan@office.example.jp"),
    ])
    .unwrap()
    .help_desk;
    assert_eq!(
        (desk.name.as_str(), desk.phone.as_str(), desk.hours.as_str()),
        ("マイページ相談窓口", "03-1234-5678", "平日 9:00～17:00")
    );
    assert_eq!((desk.phone_note, desk.email.as_deref()), (None, Some("soudan@office.example.jp")));
    assert!(error(&[("MYPAGE_HELP_DESK_EMAIL", "not an address")]).starts_with("MYPAGE_HELP_DESK_EMAIL:"));
    assert!(error(&[("MYPAGE_HELP_DESK_PHONE", "call us")]).starts_with("MYPAGE_HELP_DESK_PHONE:"));
    let long = "あ".repeat(101);
    assert_eq!(
        error(&[("MYPAGE_HELP_DESK_NAME", &long)]),
        "MYPAGE_HELP_DESK_NAME: expected one line of 1 to 100 characters"
    );
}

#[test]
fn the_demo_loads_by_default_only_on_the_embedded_database_and_never_with_secure_cookies() {
    assert!(load(&[]).unwrap().demo, "the embedded default tries the service at once");
    let postgres = ("MYPAGE_DATABASE_URL", "postgres://mypage@db.internal/mypage");
    assert!(!load(&[postgres]).unwrap().demo, "a database of one's own starts empty");
    assert!(load(&[postgres, ("MYPAGE_DEMO", "true")]).unwrap().demo, "unless the demo is asked for");
    assert!(!load(&[("MYPAGE_SECURE_COOKIES", "true")]).unwrap().demo);
    let message = error(&[("MYPAGE_SECURE_COOKIES", "true"), ("MYPAGE_DEMO", "true")]);
    assert!(message.starts_with("MYPAGE_DEMO: the demo's staff share one password"), "{message}");
}

// R10: the draft lifetime set for the server is the one the domain expires drafts by.
#[tokio::test]
async fn r10_a_draft_expires_after_the_configured_lifetime_not_the_default() {
    let config = load(&[("MYPAGE_DRAFT_DAYS", "1")]).unwrap();
    let kit = TestKit::with_config(config.domain_config().unwrap());
    kit.publish_terms().await;
    kit.office("1301", "ハローワーク飯田橋").await;
    let account = kit.sign_up("slow@example.jp").await;
    let first = HistoryInput::FirstTime { office: "1301".into() };
    kit.mypage.declare_history(account, &first, &TestKit::client()).await.unwrap();
    let expires = kit.mypage.overview(account).await.unwrap().draft_expires_at.unwrap();
    assert_eq!(expires - kit.clock.now(), Duration::days(1));

    kit.clock.advance(Duration::hours(23));
    kit.mypage.expire_stale().await.unwrap();
    let status = || async { kit.mypage.overview(account).await.unwrap().registration.unwrap().status().clone() };
    assert_eq!(status().await, RegistrationStatus::Draft, "still within the day");
    // Past the day: the upkeep expires drafts saved before now less the lifetime.
    kit.clock.advance(Duration::minutes(61));
    kit.mypage.expire_stale().await.unwrap();
    assert_eq!(status().await, RegistrationStatus::Expired, "a day after its last save, not 14");
}

#[test]
fn the_queue_bounds_of_load_shedding_are_64_hashes_and_256_writers_unless_configured() {
    let default = load(&[]).unwrap();
    assert_eq!((default.argon2.max_waiting, default.db_max_waiting_writers), (64, 256));
    let config = load(&[("MYPAGE_ARGON2_MAX_WAITING", "8"), ("MYPAGE_DB_MAX_WAITING_WRITERS", "0")]).unwrap();
    assert_eq!((config.argon2.max_waiting, config.db_max_waiting_writers), (8, 0));
    for name in ["MYPAGE_ARGON2_MAX_WAITING", "MYPAGE_DB_MAX_WAITING_WRITERS"] {
        let message = error(&[(name, "100001")]);
        assert_eq!(message, format!("{name}: expected a whole number from 0 to 100000, got \"100001\""));
    }
}
