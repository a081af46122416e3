//! The host, served: an office portal on 127.0.0.1:8090 with Employer My Page mounted at `/`, on SQLite in
//! `./data-embed`, mail written as `.eml` files there, and new establishment numbers from the host's registry.
//!
//! `cargo run -p mypage-embed-example`, then open http://127.0.0.1:8090/ (My Page) or
//! http://127.0.0.1:8090/portal/status (the host's own route).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use chrono::{DateTime, Utc};
use mypage_credentials::{Argon2Config, Argon2Hasher, ChaChaKeyGenerator, HmacKeyDigest, TotpSecondFactor};
use mypage_db::{Database, DbConfig};
use mypage_domain::model::ClientInfo;
use mypage_domain::ports::{Clock, KeyGenerator};
use mypage_domain::usecases::{AdminActor, NewOffice};
use mypage_domain::values::TermsKind;
use mypage_domain::{DomainConfig, MyPage, Ports};
use mypage_embed_example::{RegistryNumbers, host};
use mypage_http::{HttpConfig, HttpPorts};
use mypage_smtp::{DispatchConfig, Dispatcher, FileTransport, MailConfig};
use poem::Server;
use poem::listener::TcpListener;
use secrecy::ExposeSecret;

struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A 32-byte secret made now. A real host reads its secrets from its own secret store, so that sessions, pending
/// keys and queued key mails survive a restart; this example starts afresh each time.
fn fresh_secret(keys: &ChaChaKeyGenerator) -> Result<[u8; 32]> {
    let hex = keys.token();
    let bytes: Vec<u8> =
        (0..64).step_by(2).map(|i| u8::from_str_radix(&hex.expose_secret()[i..i + 2], 16)).collect::<Result<_, _>>()?;
    bytes.try_into().map_err(|_| anyhow::anyhow!("a token is 32 bytes"))
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt().with_target(false).init();
    std::fs::create_dir_all("data-embed/mail")?;
    let keys = Arc::new(ChaChaKeyGenerator::from_os()?);
    let db = Database::connect(&DbConfig::new("sqlite://data-embed/mypage.db?mode=rwc", fresh_secret(&keys)?)).await?;
    db.migrate().await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let digest = Arc::new(HmacKeyDigest::new(&fresh_secret(&keys)?)?);
    let ports = Ports {
        store: Arc::new(db.clone()),
        clock: clock.clone(),
        keys: keys.clone(),
        digest: digest.clone(),
        hasher: Arc::new(Argon2Hasher::new(Argon2Config::default())?),
        // The one port the host brings itself.
        numbers: Arc::new(RegistryNumbers::new(700_001)),
        outbox: Arc::new(db.clone()),
        sessions: Arc::new(db.clone()),
        second_factor: Arc::new(TotpSecondFactor::new("求人者マイページ")?),
    };
    let mypage = MyPage::new(ports, DomainConfig::default());

    if mypage.offices().await?.is_empty() {
        let sys = ClientInfo::system();
        mypage
            .publish_terms(AdminActor::System, TermsKind::PrivacyPolicy, "（ホストが定めるプライバシーポリシー）", &sys)
            .await?;
        mypage
            .publish_terms(AdminActor::System, TermsKind::MyPageTerms, "（ホストが定めるマイページ利用規約）", &sys)
            .await?;
        let office = NewOffice { code: "1301".into(), name: "ハローワーク飯田橋".into(), phone: None };
        mypage.add_office(AdminActor::System, &office, &sys).await?;
    }

    let (stop, stopped) = tokio::sync::watch::channel(false);
    let dispatcher = Dispatcher::new(
        Arc::new(db.clone()),
        Arc::new(FileTransport::new("data-embed/mail")),
        clock.clone(),
        MailConfig::hello_work()?,
        DispatchConfig::default(),
    );
    let sending = tokio::spawn(async move { dispatcher.run(stopped).await });

    let site =
        mypage_http::routes(mypage, HttpPorts { sessions: Arc::new(db), digest, keys, clock }, HttpConfig::default());
    tracing::info!("the office portal with Employer My Page: open http://127.0.0.1:8090/");
    Server::new(TcpListener::bind("127.0.0.1:8090"))
        .run_with_graceful_shutdown(
            host(site),
            async {
                let _ = tokio::signal::ctrl_c().await;
            },
            Some(Duration::from_secs(10)),
        )
        .await?;
    let _ = stop.send(true);
    let _ = sending.await;
    Ok(())
}
