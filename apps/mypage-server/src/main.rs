//! # Employer My Page — the server
//!
//! The composition root: reads the configuration, opens the database (SQLite in `./data` by default), wires the
//! domain with the adapters, serves the pages on 127.0.0.1:8080, sends the outbox, and stops gracefully.
//!
//! `mypage-server [serve]` runs everything; `worker` runs the mail dispatcher alone; `migrate` applies the
//! migrations and exits; `check-config` reads the settings and says what would be used; `outbox [list | dead |
//! requeue ID]` shows the mail queue or re-queues a dead mail; `office add`, `staff add` (password on standard input)
//! and `demo` set up offices, staff and demo data; `establishments import FILE [--dry-run] [--skip-invalid]` loads
//! the office's establishment register (R18). `--config FILE` (or `MYPAGE_CONFIG`) names a TOML file of
//! settings.

mod config;
mod demo;
mod listener;
mod observe;
mod register;
mod secrets;
mod web;

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use mypage_credentials::{Argon2Hasher, ChaChaKeyGenerator, HmacKeyDigest, TotpSecondFactor};
use mypage_db::{Database, DbConfig};
use mypage_domain::ports::{Clock, MailQueue, SessionStore};
use mypage_domain::{MyPage, Ports};
use mypage_http::{HttpConfig, HttpPorts};
use mypage_smtp::{DispatchConfig, Dispatcher, FileTransport, MailConfig, SmtpConfig, SmtpTransport, Transport};
use secrecy::ExposeSecret;

use crate::config::{Config, MailSink};

/// The operating system's clock: the one place time enters the system.
struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
    tracing::info!("shutting down: finishing requests and mails in flight");
}

async fn open_database(config: &Config, secrets: &secrets::Secrets) -> Result<Database> {
    if config.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("MYPAGE_DATA_DIR: cannot create {}", config.data_dir.display()))?;
    }
    let mut db_config = DbConfig::new(config.database_url.clone(), *secrets.outbox.expose_secret())
        .with_previous_outbox_keys(secrets.outbox_previous.iter().map(|k| *k.expose_secret()));
    db_config.max_connections = config.db_max_connections;
    db_config.max_waiting_writers = config.db_max_waiting_writers;
    let db = Database::connect(&db_config).await.context("MYPAGE_DATABASE_URL")?;
    db.migrate().await?;
    Ok(db)
}

/// The domain wired with the adapters, as every command that acts needs it.
struct Wired {
    db: Database,
    mypage: MyPage,
    keys: Arc<ChaChaKeyGenerator>,
    digest: Arc<HmacKeyDigest>,
    clock: Arc<dyn Clock>,
    hasher: Argon2Hasher,
}

async fn wire(config: &Config) -> Result<Wired> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("MYPAGE_DATA_DIR: cannot create {}", config.data_dir.display()))?;
    let keys = Arc::new(ChaChaKeyGenerator::from_os()?);
    let secrets = secrets::Secrets::load_or_create(&config.data_dir, &keys)?;
    let db = open_database(config, &secrets).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let digest = Arc::new(HmacKeyDigest::new(secrets.digest.expose_secret())?);
    let hasher = Argon2Hasher::new(config.argon2).context("MYPAGE_ARGON2_*")?;
    let domain_config = config.domain_config()?;
    let ports = Ports {
        store: Arc::new(db.clone()),
        clock: clock.clone(),
        keys: keys.clone(),
        digest: digest.clone(),
        hasher: Arc::new(hasher.clone()),
        numbers: Arc::new(db.clone()),
        outbox: Arc::new(db.clone()),
        sessions: Arc::new(db.clone()),
        second_factor: Arc::new(TotpSecondFactor::new("求人者マイページ")?),
    };
    Ok(Wired { mypage: MyPage::new(ports, domain_config), db, keys, digest, clock, hasher })
}

fn mail_config(config: &Config) -> Result<MailConfig> {
    let mut mail = MailConfig::hello_work()?;
    mail.from_address = mypage_domain::values::EmailAddress::parse(&config.mail_from).context("MYPAGE_MAIL_FROM")?;
    mail.site_url = config.site_url.clone();
    mail.help_desk = config.help_desk.clone();
    Ok(mail)
}

/// The mail dispatcher, running until `stopped` turns true, and its running totals.
fn start_dispatcher(
    config: &Config,
    wired: &Wired,
    stopped: tokio::sync::watch::Receiver<bool>,
) -> Result<(tokio::task::JoinHandle<()>, Arc<mypage_smtp::DispatchTotals>)> {
    let transport: Arc<dyn Transport> = match &config.mail {
        MailSink::Files(folder) => {
            tracing::info!(folder = %folder.display(), "mail is written as .eml files (set MYPAGE_SMTP_HOST to send it)");
            Arc::new(FileTransport::new(folder.clone()))
        }
        MailSink::Smtp { host, port, security, user, password } => Arc::new(SmtpTransport::new(SmtpConfig {
            host: host.clone(),
            port: *port,
            security: *security,
            credentials: user
                .clone()
                .zip(password.as_ref().map(|p| secrecy::SecretString::from(p.expose_secret().to_owned()))),
            timeout: Duration::from_secs(30),
        })),
    };
    let queue: Arc<dyn MailQueue> = Arc::new(wired.db.clone());
    let dispatcher =
        Dispatcher::new(queue, transport, wired.clock.clone(), mail_config(config)?, DispatchConfig::default());
    let totals = dispatcher.totals();
    Ok((tokio::spawn(async move { dispatcher.run(stopped).await }), totals))
}

async fn serve(config: Config) -> Result<()> {
    let wired = wire(&config).await?;
    if config.demo && demo::seed(&wired.mypage, &config.data_dir, &wired.keys).await? {
        tracing::info!("demo data loaded (set MYPAGE_DEMO=false to start empty)");
    }
    if config.secure_cookies {
        demo::refuse_demo_staff(&wired.db).await?;
    }
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let (sending, totals) = start_dispatcher(&config, &wired, stopped)?;

    let upkeep = {
        let (mypage, sessions, clock) = (wired.mypage.clone(), wired.db.clone(), wired.clock.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(60)).await;
                if let Err(e) = mypage.expire_stale().await {
                    tracing::error!(error = %e, "expiring drafts and flows failed");
                }
                // Every minute: the interval between two digests decides whether an office gets one (R20).
                match mypage.send_office_digests().await {
                    Ok(report) if report.sent > 0 => tracing::info!(offices = report.sent, "office digests queued"),
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "queuing office digests failed"),
                }
                if let Err(e) = sessions.purge_expired(clock.now()).await {
                    tracing::error!(error = %e, "purging sessions failed");
                }
            }
        })
    };

    let mail = mail_config(&config)?;
    let http_config = HttpConfig {
        secure_cookies: config.secure_cookies,
        behind_proxy: config.behind_proxy,
        help_desk: mail.help_desk.clone(),
        system_address: mail.from_address.as_str().to_owned(),
        session_idle: chrono::Duration::from_std(config.session_idle)?,
        session_lifetime: chrono::Duration::from_std(config.session_absolute)?,
    };
    let Wired { db, mypage, keys, digest, clock, hasher } = wired;
    let http_ports = HttpPorts { sessions: Arc::new(db.clone()), digest, keys, clock };
    let site = mypage_http::routes(mypage, http_ports, http_config);
    let app = web::public(site, db.clone(), config.behind_proxy, config.secure_cookies);
    let limits = listener::Limits {
        header_timeout: config.header_timeout,
        body_timeout: config.body_timeout,
        idle_timeout: config.idle_timeout,
        max_connections: config.max_connections,
    };
    // Requests in flight may finish within this after Ctrl-C or SIGTERM.
    let grace = Duration::from_secs(10);
    let public = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("MYPAGE_LISTEN: cannot listen on {}", config.listen))?;
    let (closing, closed) = tokio::sync::watch::channel(false);
    let metrics = if config.metrics {
        let scrape = observe::Scrape { handle: observe::install_metrics()?, db: db.clone(), totals, hasher };
        let bound = tokio::net::TcpListener::bind(config.metrics_listen)
            .await
            .with_context(|| format!("MYPAGE_METRICS_LISTEN: cannot listen on {}", config.metrics_listen))?;
        tracing::info!(listen = %config.metrics_listen, "metrics at http://{}/metrics", config.metrics_listen);
        // A scraper needs few connections; its own bound keeps a flood of the site from reaching it.
        let limits = listener::Limits { max_connections: 16, ..limits };
        let app = web::metrics(scrape, config.secure_cookies);
        Some(tokio::spawn(listener::serve(bound, app, limits, closed.clone(), grace)))
    } else {
        None
    };
    tracing::info!(listen = %config.listen, "serving Employer My Page: open http://{}", config.listen);
    let serving = listener::serve(public, app, limits, closed, grace);
    tokio::pin!(serving);
    tokio::select! {
        () = &mut serving => {}
        () = shutdown_signal() => {
            let _ = closing.send(true);
            serving.await;
        }
    }
    let _ = closing.send(true);
    if let Some(metrics) = metrics {
        let _ = metrics.await;
    }
    let _ = stop.send(true);
    let _ = sending.await;
    upkeep.abort();
    Ok(())
}

/// `worker`: the mail dispatcher alone, for deployments that run it apart from the web instances.
async fn worker(config: Config) -> Result<()> {
    let wired = wire(&config).await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let (sending, _) = start_dispatcher(&config, &wired, stopped)?;
    tracing::info!("sending the outbox; stop with Ctrl-C or SIGTERM");
    shutdown_signal().await;
    let _ = stop.send(true);
    let _ = sending.await;
    Ok(())
}

/// Reads a password from the first line of standard input, so that it never appears in a command line.
fn password_from_stdin() -> Result<secrecy::SecretString> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    anyhow::ensure!(!password.is_empty(), "give the password on standard input");
    Ok(secrecy::SecretString::from(password))
}

/// `office add CODE NAME [PHONE]`, `staff add OFFICE LOGIN NAME ROLE[,ROLE…]` (password on standard input), `demo`.
#[expect(clippy::print_stdout, reason = "a command prints its answer")]
async fn admin(config: &Config, command: &str, args: &[String]) -> Result<()> {
    use mypage_domain::usecases::{AdminActor, NewOffice, NewStaffMember};
    use mypage_domain::values::{Choice, StaffRole};
    let wired = wire(config).await?;
    let sys = mypage_domain::model::ClientInfo::system();
    match (command, args.first().map(String::as_str)) {
        ("office", Some("add")) => {
            let (Some(code), Some(name)) = (args.get(1), args.get(2)) else {
                anyhow::bail!("usage: office add CODE NAME [PHONE]");
            };
            let office = NewOffice { code: code.clone(), name: name.clone(), phone: args.get(3).cloned() };
            let code = wired.mypage.add_office(AdminActor::System, &office, &sys).await?;
            println!("office {code} added");
        }
        ("staff", Some("add")) => {
            let codes = StaffRole::ALL.iter().map(|r| r.code()).collect::<Vec<_>>().join(", ");
            let (Some(office), Some(login), Some(name), Some(roles)) =
                (args.get(1), args.get(2), args.get(3), args.get(4))
            else {
                anyhow::bail!("usage: staff add OFFICE LOGIN NAME ROLE[,ROLE] ({codes}; password on standard input)");
            };
            // The command line acts as the system, which may give every role, `central_admin` too (R14).
            let roles = roles
                .split(',')
                .map(|r| StaffRole::from_code(r.trim()).with_context(|| format!("unknown role {r:?}: one of {codes}")))
                .collect::<Result<Vec<_>>>()?;
            let member = NewStaffMember {
                office: office.clone(),
                login: login.clone(),
                name: name.clone(),
                roles,
                password: password_from_stdin()?,
            };
            let id = wired.mypage.add_staff(AdminActor::System, &member, &sys).await?;
            println!("staff {login} added ({id})");
        }
        ("demo", _) => {
            // The demo's staff share one password written to a file: never in a deployment served over TLS.
            anyhow::ensure!(
                !config.secure_cookies,
                "demo: MYPAGE_SECURE_COOKIES=true marks a production deployment; the demo's staff share one password"
            );
            if demo::seed(&wired.mypage, &config.data_dir, &wired.keys).await? {
                println!("demo data loaded; staff logins in {}", config.data_dir.join("demo-staff.txt").display());
            } else {
                println!("the database already has offices; the demo was not loaded");
            }
        }
        _ => anyhow::bail!("usage: office add …, staff add … or demo"),
    }
    Ok(())
}

/// `outbox [list | dead | requeue ID]`: the queue's depth and its mails (never their content), or a dead mail
/// put back in the queue.
#[expect(clippy::print_stdout, reason = "a command prints its answer")]
async fn outbox(config: &Config, args: &[String]) -> Result<()> {
    use mypage_domain::ports::MailState;
    if args.first().map(String::as_str) == Some("requeue") {
        return requeue(config, args.get(1).map(String::as_str)).await;
    }
    let keys = ChaChaKeyGenerator::from_os()?;
    let secrets = secrets::Secrets::load_or_create(&config.data_dir, &keys)?;
    let db = open_database(config, &secrets).await?;
    match args.first().map(String::as_str).unwrap_or("list") {
        which @ ("list" | "dead") => {
            for (state, n) in db.depth().await? {
                println!("{:<8} {n}", state.code());
            }
            let state = (which == "dead").then_some(MailState::Dead);
            for m in db.list(state, 50).await? {
                println!(
                    "{}  {:<8} {:<22} {:<28} attempts {}  {}",
                    m.id,
                    m.state.code(),
                    m.template,
                    m.to.masked(),
                    m.attempts,
                    m.last_error.unwrap_or_default()
                );
            }
        }
        other => anyhow::bail!("outbox {other:?}: use list, dead or requeue ID"),
    }
    Ok(())
}

/// `outbox requeue ID`: a dead mail back in the queue, through the domain's use case, so that the audit trail
/// records that the operator (the system) re-queued it (R15, R16).
#[expect(clippy::print_stdout, reason = "a command prints its answer")]
async fn requeue(config: &Config, id: Option<&str>) -> Result<()> {
    use mypage_domain::model::{ClientInfo, MailId};
    use mypage_domain::usecases::AdminActor;
    let id = id.context("outbox requeue: give the mail's id")?;
    let id = MailId::from_uuid(id.parse().context("outbox requeue: not a mail id")?);
    let wired = wire(config).await?;
    if wired.mypage.requeue_dead_mail(AdminActor::System, id, &ClientInfo::system()).await? {
        println!("{id} is queued again");
        Ok(())
    } else {
        anyhow::bail!("{id} is not a dead mail")
    }
}

/// `check-config`: reads every setting and says what the server would use, without starting it.
#[expect(clippy::print_stdout, reason = "a command prints its answer")]
fn check_config(config: &Config) {
    println!("listen          {}", config.listen);
    println!("data folder     {}", config.data_dir.display());
    let database = if config.database_url.starts_with("sqlite:") { "SQLite" } else { "PostgreSQL" };
    println!("database        {database}");
    match &config.mail {
        MailSink::Files(folder) => println!("mail            files in {}", folder.display()),
        MailSink::Smtp { host, port, .. } => println!("mail            SMTP {host}:{port}"),
    }
    println!("mail from       {}", config.mail_from);
    let desk = &config.help_desk;
    println!("help desk       {}, {}, {}", desk.name, desk.phone, desk.hours);
    println!("help desk note  {}", desk.phone_note.as_deref().unwrap_or("none"));
    println!("help desk mail  {}", desk.email.as_deref().unwrap_or("none"));
    println!("password policy {:?}", config.password_policy);
    let argon2 = &config.argon2;
    println!(
        "argon2id        m={} KiB, t={}, p={}, computed by {}",
        argon2.memory_kib, argon2.iterations, argon2.parallelism, argon2.implementation
    );
    println!(
        "load shedding   503 past {} requests waiting for a password hash, {} waiting to write (SQLite)",
        argon2.max_waiting, config.db_max_waiting_writers
    );
    println!("auth key        {} minutes", config.auth_key_ttl.as_secs() / 60);
    println!("key requests    {} per address per hour", config.key_requests_per_address);
    match config.key_requests_per_client {
        0 => println!("client keys     no limit per client"),
        n => println!("client keys     {n} per client per hour, shared by every instance"),
    }
    println!("draft           {} days", config.draft_ttl.as_secs() / 86_400);
    println!("office digest   at most every {} minutes", config.digest_interval.as_secs() / 60);
    println!(
        "session         idle {} minutes, at most {} hours",
        config.session_idle.as_secs() / 60,
        config.session_absolute.as_secs() / 3600
    );
    println!(
        "login lockout   {} failures per account, {} per client, in {} minutes",
        config.login_failures_per_account,
        config.login_failures_per_client,
        config.login_window.as_secs() / 60
    );
    println!("demo            {}", if config.demo { "on (an empty database gets the demo)" } else { "off" });
    if config.metrics {
        println!("metrics         http://{}/metrics", config.metrics_listen);
    } else {
        println!("metrics         off");
    }
    println!(
        "timeouts        headers {} s, body {} s, idle {} s",
        config.header_timeout.as_secs(),
        config.body_timeout.as_secs(),
        config.idle_timeout.as_secs()
    );
    println!("connections     at most {}", config.max_connections);
    println!("log             {} ({})", config.log, if config.log_json { "json" } else { "text" });
    println!("configuration is valid");
}

#[tokio::main]
async fn main() -> Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let config_file = match args.iter().position(|a| a == "--config") {
        Some(i) => {
            anyhow::ensure!(i + 1 < args.len(), "--config: give the TOML file's path");
            let file = args.remove(i + 1);
            args.remove(i);
            Some(file)
        }
        None => None,
    };
    let config = Config::load(&config::Source::load(config_file.as_deref())?)?;
    observe::init_logs(&config);
    match args.first().map(String::as_str) {
        None | Some("serve") => serve(config).await,
        Some("check-config") => {
            check_config(&config);
            Ok(())
        }
        Some("outbox") => outbox(&config, &args[1..]).await,
        Some("worker") => worker(config).await,
        Some(command @ ("office" | "staff" | "demo")) => admin(&config, command, &args[1..]).await,
        Some("establishments") => {
            if register::run(&config, &args[1..]).await? {
                Ok(())
            } else {
                // The summary was the last line printed; the status tells a script that lines were rejected.
                std::process::exit(1)
            }
        }
        Some("migrate") => {
            let keys = ChaChaKeyGenerator::from_os()?;
            std::fs::create_dir_all(&config.data_dir)?;
            let secrets = secrets::Secrets::load_or_create(&config.data_dir, &keys)?;
            open_database(&config, &secrets).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Some(other) => {
            anyhow::bail!(
                "unknown command {other:?}: use serve (the default), migrate, check-config, outbox, office, staff, demo or establishments"
            )
        }
    }
}
