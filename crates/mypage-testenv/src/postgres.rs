//! PostgreSQL for the tests: a fresh database per test, on the server of `MYPAGE_TEST_POSTGRES_URL` (a server URL
//! whose user may create databases) or, failing that, on a throwaway cluster made from Debian's `postgresql` binaries:
//! `initdb` and `pg_ctl` in a temporary folder, on a free loopback port, as the `postgres` user when run as root.
//! A watchdog stops the cluster and removes the folder when the test process ends.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use sea_orm::ConnectionTrait;
use tokio::sync::OnceCell;

static SERVER: OnceCell<Result<String, String>> = OnceCell::const_new();
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A database made for one test; [`TestDatabase::drop_database`] removes it.
#[derive(Debug)]
pub struct TestDatabase {
    /// `postgres://user@host:port/name`.
    pub url: String,
    admin_url: String,
    name: String,
}

impl TestDatabase {
    /// The number of rows of `table`, read directly, so that a test can say what a server left in its database.
    ///
    /// # Errors
    /// The database's error, as text.
    pub async fn rows(&self, table: &str) -> Result<i64, String> {
        let db = sea_orm::Database::connect(&self.url).await.map_err(|e| e.to_string())?;
        let sql = format!("SELECT COUNT(*) AS n FROM \"{table}\"");
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(sea_orm::DbBackend::Postgres, sql))
            .await
            .map_err(|e| e.to_string())?
            .ok_or("no row")?;
        row.try_get::<i64>("", "n").map_err(|e| e.to_string())
    }

    /// Drops the database, closing whatever connections are left.
    pub async fn drop_database(self) {
        if let Ok(admin) = sea_orm::Database::connect(&self.admin_url).await {
            let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
            let _ = admin.execute_unprepared(&sql).await;
        }
    }
}

/// A fresh, empty database, or why there is none.
///
/// # Errors
/// Why PostgreSQL is not available: no server URL and no Debian binaries, or the server refused.
pub async fn database() -> Result<TestDatabase, String> {
    let server = SERVER.get_or_init(|| async { server_url().await }).await.clone()?;
    let name = format!("mypage_test_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
    let admin_url = format!("{server}/postgres");
    let admin = sea_orm::Database::connect(&admin_url).await.map_err(|e| e.to_string())?;
    admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.map_err(|e| e.to_string())?;
    Ok(TestDatabase { url: format!("{server}/{name}"), admin_url, name })
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
