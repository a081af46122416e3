//! Black-box walks of the real binary over HTTP: cases A, B and C on SQLite with mail files (the embedded
//! defaults) and on PostgreSQL with a real SMTP server; a stop in the middle of case C, with nothing lost after the
//! restart; and two servers on one PostgreSQL database, where a session made on one is valid on the other and every
//! mail is sent exactly once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use mypage_testenv::smtp::SmtpServer;
use mypage_testkit::{TEST_PASSWORD, fixtures};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

/// Where the server's mail ends up: `.eml` files in its data folder, or a real SMTP server.
pub(crate) enum Mailbox {
    Files(PathBuf),
    Smtp(Box<SmtpServer>),
}

impl Mailbox {
    fn messages(&self) -> Vec<Vec<u8>> {
        match self {
            Self::Smtp(server) => server.messages(),
            Self::Files(folder) => std::fs::read_dir(folder)
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                        .filter_map(|e| std::fs::read(e.path()).ok())
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// Recipient and plain-text body of every message received.
    pub(crate) fn received(&self) -> Vec<(String, String)> {
        self.messages()
            .iter()
            .filter_map(|raw| {
                let message = mail_parser::MessageParser::default().parse(raw)?;
                let to = message.to()?.first()?.address()?.to_owned();
                Some((to, message.body_text(0)?.into_owned()))
            })
            .collect()
    }

    /// The newest auth key mailed to `to` beyond the first `seen` key mails, waiting for it up to 30 seconds.
    pub(crate) async fn key_for(&self, to: &str, seen: usize) -> String {
        let newest = || async {
            let keys: Vec<String> = self
                .received()
                .into_iter()
                .filter(|(rcpt, _)| rcpt == to)
                .filter_map(|(_, body)| {
                    body.lines().find_map(|l| l.trim().strip_prefix("認証キー：").map(|k| k.trim().to_owned()))
                })
                .collect();
            (keys.len() > seen).then(|| keys.last().cloned()).flatten()
        };
        mypage_testenv::eventually(Duration::from_secs(30), newest)
            .await
            .unwrap_or_else(|| panic!("no auth key mail reached {to}"))
    }

    /// How many messages each recipient got, once `done` holds of the counts (waiting up to 30 seconds) and two
    /// more seconds have passed, in which a mail sent twice would arrive.
    async fn settled(&self, done: impl Fn(&BTreeMap<String, usize>) -> bool) -> BTreeMap<String, usize> {
        let _ =
            mypage_testenv::eventually(Duration::from_secs(30), || async { done(&self.per_recipient()).then_some(()) })
                .await;
        // The window a mail sent twice would arrive in: an absence, which no condition can show has come.
        tokio::time::sleep(Duration::from_secs(2)).await;
        self.per_recipient()
    }

    /// How many messages each recipient got.
    fn per_recipient(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for (to, _) in self.received() {
            *counts.entry(to).or_insert(0) += 1;
        }
        counts
    }
}

/// The database and mail of one walk.
pub(crate) struct Backend {
    database_url: Option<String>,
    pub(crate) mailbox: Mailbox,
    _pg: Option<mypage_testenv::postgres::TestDatabase>,
}

impl Backend {
    pub(crate) fn sqlite(data: &Path) -> Self {
        Self { database_url: None, mailbox: Mailbox::Files(data.join("mail")), _pg: None }
    }

    /// PostgreSQL with a real SMTP server, or `None` after saying why they are missing.
    async fn postgres_and_smtp() -> Option<Self> {
        let pg = match mypage_testenv::postgres::database().await {
            Ok(pg) => pg,
            Err(why) => {
                mypage_testenv::skip(&format!("PostgreSQL is not available: {why}"));
                return None;
            }
        };
        let smtp = match SmtpServer::start().await {
            Ok(s) => s,
            Err(why) => {
                mypage_testenv::skip(&format!("no SMTP server: {why}"));
                return None;
            }
        };
        Some(Self { database_url: Some(pg.url.clone()), mailbox: Mailbox::Smtp(Box::new(smtp)), _pg: Some(pg) })
    }
}

/// One running `mypage-server`.
pub(crate) struct Instance {
    child: Child,
    base: String,
    data: PathBuf,
    port: u16,
}

impl Instance {
    async fn start(backend: &Backend, data: &Path) -> Self {
        Self::start_on(backend, data, mypage_testenv::free_port()).await
    }

    async fn start_on(backend: &Backend, data: &Path, port: u16) -> Self {
        Self::start_with_demo(backend, data, port, true).await
    }

    /// An instance with the demo loaded or not (`MYPAGE_DEMO`).
    pub(crate) async fn start_with_demo(backend: &Backend, data: &Path, port: u16, demo: bool) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_mypage-server"));
        command
            .env("MYPAGE_DATA_DIR", data)
            .env("MYPAGE_LISTEN", format!("127.0.0.1:{port}"))
            .env("MYPAGE_DEMO", demo.to_string())
            // Every request of these tests comes from 127.0.0.1: more than one real client would make.
            .env("MYPAGE_KEY_REQUESTS_PER_CLIENT", "1000")
            // The metrics' default address is one per machine, and tests and instances run side by side.
            .env("MYPAGE_METRICS", "false")
            .env_remove("MYPAGE_DATABASE_URL")
            .env_remove("MYPAGE_SMTP_HOST")
            .env_remove("MYPAGE_CONFIG")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        if let Some(url) = &backend.database_url {
            command.env("MYPAGE_DATABASE_URL", url);
        }
        if let Mailbox::Smtp(server) = &backend.mailbox {
            command
                .env("MYPAGE_SMTP_HOST", "127.0.0.1")
                .env("MYPAGE_SMTP_PORT", server.port.to_string())
                .env("MYPAGE_SMTP_SECURITY", "plain");
        }
        let child = command.spawn().expect("the server binary starts");
        let instance = Self { child, base: format!("http://127.0.0.1:{port}"), data: data.to_owned(), port };
        let http = reqwest::Client::new();
        let ready = || async {
            let answer = http.get(format!("{}/readyz", instance.base)).send().await.ok();
            answer.filter(|r| r.status() == 200)
        };
        assert!(
            mypage_testenv::eventually(Duration::from_secs(30), ready).await.is_some(),
            "the server on port {port} did not become ready"
        );
        instance
    }

    /// SIGTERM, and the exit code of a graceful stop.
    async fn stop(mut self) -> (PathBuf, u16) {
        let pid = self.child.id().expect("a running server has a pid");
        let killed = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().expect("kill runs");
        assert!(killed.success());
        let exit = tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .expect("it stops within 30 seconds")
            .expect("it exits");
        assert!(exit.success(), "a graceful stop exits with 0, got {exit:?}");
        (self.data, self.port)
    }

    /// SIGKILL, as a crash or a pulled plug would.
    async fn crash(mut self) -> (PathBuf, u16) {
        let _ = self.child.kill().await;
        (self.data, self.port)
    }

    pub(crate) async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let http = reqwest::Client::new();
        let url = format!("{}/api/v1{path}", self.base);
        let mut request = match method {
            "GET" => http.get(url),
            "PUT" => http.put(url),
            "DELETE" => http.delete(url),
            _ => http.post(url),
        };
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        if let Some(b) = body {
            request = request.json(&b);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    fn demo_password(&self) -> String {
        let text = std::fs::read_to_string(self.data.join("demo-staff.txt")).expect("the demo staff file");
        text.lines()
            .find_map(|l| l.split_once("Password of every demo account: ").map(|(_, p)| p.trim().to_owned()))
            .expect("the demo password line")
    }

    /// Logs a member in; a reviewer or admin without a second factor enrols first, as an authenticator app would
    /// (R21): the secret from `POST /staff/second-factor`, the current TOTP code to confirm it, and the session that
    /// the confirmation opens.
    pub(crate) async fn staff_login(&self, login: &str, password: &str) -> String {
        let credentials = json!({"login": login, "password": password});
        let (status, body) = self.call("POST", "/staff/sessions", None, Some(credentials.clone())).await;
        if status == 403 && body["code"] == "enrolment_required" {
            let (status, secret) = self.call("POST", "/staff/second-factor", None, Some(credentials)).await;
            assert_eq!(status, 201, "{login}: {secret}");
            let secret = secret["secret"].as_str().expect("the secret");
            let code = mypage_credentials::TotpSecondFactor::code_for_text(secret, chrono::Utc::now()).expect("a code");
            let confirm = json!({"login": login, "password": password, "code": code});
            let (status, body) = self.call("POST", "/staff/second-factor/confirm", None, Some(confirm)).await;
            assert_eq!(status, 201, "{login}: {body}");
            return body["session"]["token"].as_str().expect("a staff token").to_owned();
        }
        assert_eq!(status, 201, "{login}: {body}");
        body["token"].as_str().expect("a staff token").to_owned()
    }

    async fn consent(&self) -> Value {
        let (status, terms) = self.call("GET", "/terms", None, None).await;
        assert_eq!(status, 200);
        json!({
            "privacy_policy_agreed": true, "mypage_terms_agreed": true,
            "privacy_policy_version": terms["privacy_policy_version"],
            "mypage_terms_version": terms["mypage_terms_version"],
        })
    }

    /// Asks for an auth key; returns the flow token.
    pub(crate) async fn request_key(&self, purpose: &str, email: &str) -> String {
        let consent = self.consent().await;
        let (status, body) = self
            .call("POST", "/auth-keys", None, Some(json!({"purpose": purpose, "email": email, "consent": consent})))
            .await;
        assert_eq!(status, 202, "{email}: {body}");
        body["flow_token"].as_str().expect("a flow token").to_owned()
    }

    /// Registers the password with the key; returns the account's status.
    pub(crate) async fn register_password(&self, flow: &str, key: &str) -> String {
        let entry =
            json!({"flow_token": flow, "auth_key": key, "password": TEST_PASSWORD, "confirmation": TEST_PASSWORD});
        let (status, body) = self.call("POST", "/passwords", None, Some(entry)).await;
        assert_eq!(status, 201, "{body}");
        body["status"].as_str().expect("a status").to_owned()
    }

    pub(crate) async fn login(&self, email: &str) -> String {
        let (status, body) =
            self.call("POST", "/sessions", None, Some(json!({"email": email, "password": TEST_PASSWORD}))).await;
        assert_eq!(status, 201, "{email}: {body}");
        body["token"].as_str().expect("a token").to_owned()
    }

    async fn overview(&self, token: &str) -> Value {
        let (status, body) = self.call("GET", "/mypage", Some(token), None).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    pub(crate) async fn put(&self, token: &str, path: &str, body: Value) {
        let (status, answer) = self.call("PUT", path, Some(token), Some(body)).await;
        assert_eq!(status, 200, "{path}: {answer}");
    }

    async fn submit(&self, token: &str) -> String {
        let (status, body) = self.call("POST", "/mypage/registration/submit", Some(token), None).await;
        assert_eq!(status, 200, "{body}");
        body["registration_id"].as_str().expect("a registration id").to_owned()
    }

    /// A reviewer confirms the registration (本登録); returns the establishment number.
    async fn confirm(&self, staff: &str, registration: &str) -> String {
        let (_, queue) = self.call("GET", "/staff/queue", Some(staff), None).await;
        assert!(
            queue.as_array().is_some_and(|q| q.iter().any(|r| r["registration_id"] == registration)),
            "the registration is in the reviewer's queue: {queue}"
        );
        let (status, body) =
            self.call("POST", &format!("/staff/registrations/{registration}/confirm"), Some(staff), None).await;
        assert_eq!(status, 200, "{body}");
        body["establishment_number"].as_str().expect("a number").to_owned()
    }
}

/// Case A: the counter registers the e-mail, the employer sets the password with the mailed key.
async fn case_a(server: &Instance, mail: &Mailbox, email: &str) {
    let counter = server.staff_login("iidabashi.counter", &server.demo_password()).await;
    let (status, body) = server
        .call(
            "POST",
            "/staff/counter-registrations",
            Some(&counter),
            Some(json!({"email": email, "establishment_number": "1301-123456-7"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let flow = server.request_key("open_mypage", email).await;
    let key = mail.key_for(email, 0).await;
    assert_eq!(server.register_password(&flow, &key).await, "active");
    let token = server.login(email).await;
    let mine = server.overview(&token).await;
    assert_eq!(
        (mine["status"].as_str(), mine["establishment_number"].as_str()),
        (Some("active"), Some("1301-123456-7"))
    );
}

/// Case B: sign-up online with a known establishment number, confirmed by the office's reviewer.
async fn case_b(server: &Instance, mail: &Mailbox, email: &str) {
    let flow = server.request_key("sign_up", email).await;
    let key = mail.key_for(email, 0).await;
    assert_eq!(server.register_password(&flow, &key).await, "provisional");
    let token = server.login(email).await;
    server
        .put(&token, "/mypage/registration/history", json!({"kind": "past", "establishment_number": "2701-654321-0"}))
        .await;
    server
        .put(&token, "/mypage/registration/job-offer", serde_json::to_value(fixtures::job_offer()).expect("json"))
        .await;
    let registration = server.submit(&token).await;
    let reviewer = server.staff_login("osaka.reviewer", &server.demo_password()).await;
    assert_eq!(server.confirm(&reviewer, &registration).await, "2701-654321-0");
    let mine = server.overview(&token).await;
    assert_eq!(
        (mine["status"].as_str(), mine["establishment_number"].as_str()),
        (Some("active"), Some("2701-654321-0"))
    );
}

/// Case C up to the saved establishment information, stopping the server twice on the way: gracefully right after
/// the key is asked for, and by a crash after the establishment information is saved. Returns the session token.
async fn case_c_with_restarts(mut server: Instance, backend: &Backend, email: &str) -> (Instance, String) {
    let flow = server.request_key("sign_up", email).await;
    // Stopped before the employer reads the mail: the key mail is sent before the stop or after the restart.
    let (data, port) = server.stop().await;
    server = Instance::start_on(backend, &data, port).await;
    let key = backend.mailbox.key_for(email, 0).await;
    assert_eq!(server.register_password(&flow, &key).await, "provisional", "the flow survived the restart");
    let token = server.login(email).await;
    server.put(&token, "/mypage/registration/history", json!({"kind": "first", "office": "1301"})).await;
    server
        .put(
            &token,
            "/mypage/registration/establishment",
            serde_json::to_value(fixtures::establishment_info()).expect("json"),
        )
        .await;
    let (data, port) = server.crash().await;
    server = Instance::start_on(backend, &data, port).await;
    let mine = server.overview(&token).await;
    assert_eq!(mine["status"], "provisional", "the session survived the crash: {mine}");
    assert!(mine["registration_id"].is_string(), "the draft survived the crash: {mine}");
    (server, token)
}

/// Walks A, B and C on one backend, with the restarts of case C, and checks each mail arrived once.
async fn walk(backend: Backend, data: &Path) {
    let server = Instance::start(&backend, data).await;
    case_a(&server, &backend.mailbox, "case-a@example.jp").await;
    case_b(&server, &backend.mailbox, "case-b@example.jp").await;
    let (server, token) = case_c_with_restarts(server, &backend, "case-c@example.jp").await;
    server
        .put(&token, "/mypage/registration/job-offer", serde_json::to_value(fixtures::job_offer()).expect("json"))
        .await;
    let registration = server.submit(&token).await;
    let reviewer = server.staff_login("iidabashi.reviewer", &server.demo_password()).await;
    let number = server.confirm(&reviewer, &registration).await;
    let mine = server.overview(&token).await;
    assert_eq!(
        (mine["status"].as_str(), mine["establishment_number"].as_str()),
        (Some("active"), Some(number.as_str()))
    );

    // Each employer got each mail once: the key, then for B and C the receipt of the registration and its confirmation.
    let expected = [("case-a@example.jp", 1), ("case-b@example.jp", 3), ("case-c@example.jp", 3)];
    let counts = backend.mailbox.settled(|c| expected.iter().all(|(to, n)| c.get(*to) >= Some(n))).await;
    let counts: BTreeMap<String, usize> = counts.into_iter().filter(|(to, _)| to.starts_with("case-")).collect();
    let expected: BTreeMap<String, usize> = expected.iter().map(|(to, n)| ((*to).to_owned(), *n)).collect();
    assert_eq!(counts, expected, "every mail arrived exactly once");
    server.stop().await;
}

#[tokio::test]
async fn cases_a_b_and_c_on_sqlite_with_mail_files_across_a_stop_and_a_crash() {
    let data = tempfile::tempdir().expect("a temporary folder");
    walk(Backend::sqlite(data.path()), data.path()).await;
}

#[tokio::test]
async fn cases_a_b_and_c_on_postgresql_with_smtp_across_a_stop_and_a_crash() {
    let Some(backend) = Backend::postgres_and_smtp().await else { return };
    let data = tempfile::tempdir().expect("a temporary folder");
    walk(backend, data.path()).await;
}

#[tokio::test]
async fn two_servers_on_one_postgresql_share_sessions_and_send_each_mail_once() {
    let Some(backend) = Backend::postgres_and_smtp().await else { return };
    let (one_dir, two_dir) = (tempfile::tempdir().expect("a folder"), tempfile::tempdir().expect("a folder"));
    let one = Instance::start(&backend, one_dir.path()).await;
    // The instances share the server secrets, as docs/operations.md says; the demo is already loaded by the first.
    std::fs::copy(one_dir.path().join("secrets"), two_dir.path().join("secrets")).expect("copy the secrets");
    std::fs::copy(one_dir.path().join("demo-staff.txt"), two_dir.path().join("demo-staff.txt")).expect("copy");
    let two = Instance::start(&backend, two_dir.path()).await;

    // A staff session made on one is valid on the other, and so is an employer's; a logout on one ends it on both.
    let staff = one.staff_login("iidabashi.reviewer", &one.demo_password()).await;
    assert_eq!(two.call("GET", "/staff/queue", Some(&staff), None).await.0, 200);
    let flow = two.request_key("sign_up", "shared@example.jp").await;
    let key = backend.mailbox.key_for("shared@example.jp", 0).await;
    assert_eq!(one.register_password(&flow, &key).await, "provisional", "a flow begun on two ends on one");
    let token = one.login("shared@example.jp").await;
    assert_eq!(two.overview(&token).await["email"], "shared@example.jp");
    assert_eq!(two.call("DELETE", "/sessions/current", Some(&token), None).await.0, 204);
    assert_eq!(one.call("GET", "/mypage", Some(&token), None).await.0, 401);

    // Forty key requests alternating between the servers, whose dispatchers both send: each mail arrives exactly once.
    for i in 0..40 {
        let server = if i % 2 == 0 { &one } else { &two };
        server.request_key("sign_up", &format!("many{i:02}@example.jp")).await;
    }
    let counts = backend.mailbox.settled(|c| c.keys().filter(|k| k.starts_with("many")).count() == 40).await;
    let many: Vec<(&String, &usize)> = counts.iter().filter(|(k, _)| k.starts_with("many")).collect();
    assert_eq!(many.len(), 40, "every address got its mail: {counts:?}");
    assert!(many.iter().all(|(_, n)| **n == 1), "no mail was sent twice: {counts:?}");
    assert_eq!(counts.get("shared@example.jp"), Some(&1), "the key mail, once");
    one.stop().await;
    two.stop().await;
}
