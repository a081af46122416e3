//! The three backends the contract suite runs on, and a throwaway PostgreSQL cluster.
//!
//! PostgreSQL comes from `MYPAGE_TEST_POSTGRES_URL` (a server URL whose user may create databases) or, failing
//! that, from Debian's `postgresql` binaries: `initdb` and `pg_ctl` in a temporary folder, on a free loopback port,
//! as the `postgres` user when run as root. A watchdog stops the cluster and removes the folder when the test
//! process ends. Without either, PostgreSQL tests print `SKIP` — or fail under `MYPAGE_TEST_STRICT=1`.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use mypage_db::{Database, DbConfig};
use mypage_domain::ports::{MailQueue, SessionStore, UnitOfWork};
use mypage_testkit::MemoryStore;
use sea_orm::ConnectionTrait;
use tokio::sync::OnceCell;

/// The ports of one backend.
#[derive(Clone)]
pub(crate) struct Stores {
    pub(crate) uow: Arc<dyn UnitOfWork>,
    pub(crate) queue: Arc<dyn MailQueue>,
    pub(crate) sessions: Arc<dyn SessionStore>,
}

/// A database made for one test, removed at the end.
pub(crate) struct Fresh {
    pub(crate) db: Database,
    cleanup: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl Fresh {
    pub(crate) fn stores(&self) -> Stores {
        Stores { uow: Arc::new(self.db.clone()), queue: Arc::new(self.db.clone()), sessions: Arc::new(self.db.clone()) }
    }

    /// Drops the test's PostgreSQL database (a SQLite file goes with its folder).
    pub(crate) async fn finish(self) {
        let Self { db, cleanup, _dir } = self;
        drop(db);
        if let Some((admin_url, name)) = cleanup
            && let Ok(admin) = Database::connect(&DbConfig::new(admin_url, TEST_OUTBOX_KEY)).await
        {
            let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
            let _ = admin.connection().execute_unprepared(&sql).await;
        }
    }
}

pub(crate) fn memory() -> Stores {
    let store = MemoryStore::new();
    Stores { uow: Arc::new(store.clone()), queue: Arc::new(store.clone()), sessions: Arc::new(store) }
}

pub(crate) async fn sqlite() -> Fresh {
    let dir = tempfile::tempdir().expect("temporary folder");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("mypage.db").display());
    let db = Database::connect(&DbConfig::new(url, TEST_OUTBOX_KEY)).await.expect("open SQLite");
    db.migrate().await.expect("migrate SQLite");
    Fresh { db, cleanup: None, _dir: Some(dir) }
}

/// Says why PostgreSQL tests cannot run: a failure under `MYPAGE_TEST_STRICT=1`, one `SKIP` line otherwise.
pub(crate) fn skip(why: &str) {
    if std::env::var("MYPAGE_TEST_STRICT").as_deref() == Ok("1") {
        panic!("MYPAGE_TEST_STRICT=1 and PostgreSQL is not available: {why}");
    }
    #[expect(clippy::print_stdout, reason = "the one SKIP line is the test's report")]
    {
        println!("SKIP {why}");
    }
}

/// The outbox key of every test database.
pub(crate) const TEST_OUTBOX_KEY: [u8; 32] = [42; 32];

static SERVER: OnceCell<Result<String, String>> = OnceCell::const_new();
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh, migrated PostgreSQL database, or why there is none.
pub(crate) async fn postgres() -> Result<Fresh, String> {
    let server = SERVER.get_or_init(|| async { server_url().await }).await.clone()?;
    let name = format!("mypage_test_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
    let admin_url = format!("{server}/postgres");
    let admin =
        Database::connect(&DbConfig::new(admin_url.clone(), TEST_OUTBOX_KEY)).await.map_err(|e| e.to_string())?;
    admin.connection().execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.map_err(|e| e.to_string())?;
    drop(admin);
    let db = Database::connect(&DbConfig::new(format!("{server}/{name}"), TEST_OUTBOX_KEY))
        .await
        .map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    Ok(Fresh { db, cleanup: Some((admin_url, name)), _dir: None })
}

/// `postgres://user@host:port` without a database name.
async fn server_url() -> Result<String, String> {
    if let Ok(url) = std::env::var("MYPAGE_TEST_POSTGRES_URL") {
        let base = match url.rsplit_once('/') {
            Some((base, db)) if !base.ends_with('/') && !db.contains('@') => base.to_owned(),
            _ => url.trim_end_matches('/').to_owned(),
        };
        return Ok(base);
    }
    tokio::task::spawn_blocking(start_cluster).await.map_err(|e| e.to_string())?
}

fn bin_dir() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|d| d.join("initdb").exists() && d.join("pg_ctl").exists())
        .collect();
    dirs.sort();
    dirs.pop()
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs a PostgreSQL binary, as `postgres` when this process is root (initdb refuses root).
fn pg(bin: &std::path::Path, args: &[&str], as_postgres: bool) -> Command {
    if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin).args(args);
        c
    } else {
        let mut c = Command::new(bin);
        c.args(args);
        c
    }
}

fn start_cluster() -> Result<String, String> {
    let bin = bin_dir().ok_or("no initdb under /usr/lib/postgresql/*/bin (install Debian's postgresql)")?;
    let root = is_root();
    let dir = tempfile::Builder::new().prefix("mypage-pg-").tempdir().map_err(|e| e.to_string())?.keep();
    let data = dir.join("data");
    let dir_s = dir.display().to_string();
    let data_s = data.display().to_string();
    if root {
        let chown =
            Command::new("chown").args(["-R", "postgres:postgres", &dir_s]).status().map_err(|e| e.to_string())?;
        if !chown.success() {
            return Err("cannot give the temporary folder to the postgres user".into());
        }
    }
    let init =
        pg(&bin.join("initdb"), &["-D", &data_s, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"], root)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| e.to_string())?;
    if !init.status.success() {
        return Err(format!("initdb failed: {}", String::from_utf8_lossy(&init.stderr)));
    }
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
    let options = format!(
        "-p {port} -k {dir_s} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    );
    let log = format!("{dir_s}/postgres.log");
    let start = pg(&bin.join("pg_ctl"), &["-D", &data_s, "-o", &options, "-l", &log, "-w", "start"], root)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| e.to_string())?;
    if !start.status.success() {
        return Err(format!("pg_ctl start failed: {}", String::from_utf8_lossy(&start.stderr)));
    }
    // The watchdog outlives nothing: when this test process is gone, it stops the cluster and removes the folder.
    let stop = if root {
        format!("runuser -u postgres -- {} -D {data_s} -m immediate stop", bin.join("pg_ctl").display())
    } else {
        format!("{} -D {data_s} -m immediate stop", bin.join("pg_ctl").display())
    };
    let watchdog = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {dir_s}",
        pid = std::process::id()
    );
    Command::new("sh")
        .args(["-c", &watchdog])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    Ok(format!("postgres://postgres@127.0.0.1:{port}"))
}
