//! Cases A, B and C walked in headless Chromium (Debian's `chromium` and `chromium-driver`, through WebDriver),
//! with a screenshot of every screen under `target/screenshots/` and axe-core (from npm) run on every page: the
//! walk fails on any WCAG 2.1 A/AA violation. Without Chromium or axe-core the tests print `SKIP`, or fail under
//! `MYPAGE_TEST_STRICT=1`.
#![expect(clippy::unwrap_used, clippy::expect_used, reason = "tests fail at once with the reason")]

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use mypage_credentials::TotpSecondFactor;
use mypage_domain::values::StaffRole;
use mypage_domain::{DomainConfig, MyPage, Ports};
use mypage_http::{HttpConfig, HttpPorts, routes};
use mypage_testkit::{DeterministicKeys, PlainDigest, SequentialNumbers, TEST_PASSWORD, TestKit, fixtures};
use serde_json::{Value, json};
use thirtyfour::prelude::*;
use tokio::process::{Child, Command};

const EXISTING: &str = "1301-123456-7";

mod account_life;
mod employer_screens;
mod kept;
mod review;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn skip(why: &str) {
    if std::env::var("MYPAGE_TEST_STRICT").as_deref() == Ok("1") {
        panic!("MYPAGE_TEST_STRICT=1 and the browser test cannot run: {why}");
    }
    #[expect(clippy::print_stdout, reason = "the one SKIP line is the test's report")]
    {
        println!("SKIP {why}");
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A site, a browser and what the walk has found.
struct Walk {
    name: &'static str,
    kit: TestKit,
    base: String,
    driver: WebDriver,
    _chromedriver: Child,
    axe: String,
    step: usize,
    violations: Vec<String>,
    /// The pages that scroll sideways, or squeeze a table, at 360 px.
    overflows: Vec<String>,
    /// The second-factor secrets the walk enrolled, by login (R21).
    secrets: Vec<(String, String)>,
}

impl Walk {
    async fn start(name: &'static str) -> Option<Self> {
        let axe_path = std::env::var("MYPAGE_AXE_JS")
            .map(PathBuf::from)
            .unwrap_or_else(|_| workspace().join("target/axe/node_modules/axe-core/axe.min.js"));
        let Ok(axe) = std::fs::read_to_string(&axe_path) else {
            skip(&format!("axe-core not found at {} (npm install --prefix target/axe axe-core)", axe_path.display()));
            return None;
        };
        let (chromium, chromedriver) = ("/usr/bin/chromium", "/usr/bin/chromedriver");
        if !std::path::Path::new(chromium).exists() || !std::path::Path::new(chromedriver).exists() {
            skip("Chromium not installed (apt-get install chromium chromium-driver)");
            return None;
        }
        let _ = rustls::crypto::ring::default_provider().install_default();

        let mut kit = TestKit::new();
        // The real TOTP adapter, so that the walk types the code an authenticator app would show (R21).
        let ports = Ports {
            store: Arc::new(kit.store.clone()),
            clock: Arc::new(kit.clock.clone()),
            keys: Arc::new(DeterministicKeys::new(7)),
            digest: Arc::new(PlainDigest),
            hasher: kit.hasher.clone(),
            numbers: Arc::new(SequentialNumbers::default()),
            outbox: Arc::new(kit.store.clone()),
            sessions: Arc::new(kit.store.clone()),
            second_factor: Arc::new(TotpSecondFactor::new("Employer My Page").unwrap()),
        };
        kit.mypage = MyPage::new(ports, DomainConfig::default());
        // Texts long enough to scroll, so that the boxes wait until each is read to its end (R1).
        let long: String = (1..=40).map(|n| format!("第{n}条　この規約の内容をご確認ください。\n")).collect();
        for kind in mypage_domain::values::TermsKind::ALL {
            let sys = mypage_domain::model::ClientInfo::system();
            kit.mypage.publish_terms(mypage_domain::usecases::AdminActor::System, kind, &long, &sys).await.unwrap();
        }
        kit.office("1301", "ハローワーク飯田橋").await;
        kit.establishment(EXISTING, "株式会社ハローテスト").await;
        kit.staff("1301", "iidabashi.counter", &[StaffRole::Counter]).await;
        kit.staff("1301", "iidabashi.reviewer", &[StaffRole::Reviewer]).await;
        // A central admin who serves at the counter too, so that one walk goes through the search and every admin
        // page (R14).
        kit.staff("1301", "central.admin", &[StaffRole::Counter, StaffRole::CentralAdmin]).await;
        let ports = HttpPorts {
            sessions: Arc::new(kit.store.clone()),
            digest: Arc::new(PlainDigest),
            keys: Arc::new(DeterministicKeys::new(5)),
            clock: Arc::new(kit.clock.clone()),
        };
        let site = routes(kit.mypage.clone(), ports, HttpConfig::default());
        // The site's socket listens before the browser is sent to it, so that the first page never races the
        // server's start (a refused connection on a busy machine).
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let acceptor = poem::listener::TcpAcceptor::from_std(listener).unwrap();
        tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(site));

        let driver_port = free_port();
        let child = Command::new(chromedriver)
            .args([format!("--port={driver_port}"), "--allowed-ips=127.0.0.1".into()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver starts");
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(chromium).unwrap();
        for arg in [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=390,900",
            "--lang=ja",
        ] {
            caps.add_arg(arg).unwrap();
        }
        let mut driver = None;
        for _ in 0..50 {
            if let Ok(d) = WebDriver::new(format!("http://127.0.0.1:{driver_port}"), caps.clone()).await {
                driver = Some(d);
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let driver = driver.expect("a WebDriver session");
        std::fs::create_dir_all(workspace().join("target/screenshots")).unwrap();
        Some(Self {
            name,
            kit,
            base: format!("http://127.0.0.1:{port}"),
            driver,
            _chromedriver: child,
            axe,
            step: 0,
            violations: Vec::new(),
            overflows: Vec::new(),
            secrets: Vec::new(),
        })
    }

    async fn goto(&mut self, path: &str) {
        self.driver.goto(format!("{}{path}", self.base)).await.unwrap();
        self.screen().await;
    }

    /// Makes the page `width` CSS pixels wide: the window is resized, then corrected by what the page reports, so
    /// that the layout viewport is exactly that wide whatever the browser adds around it.
    async fn set_width(&self, width: i64) {
        let mut outer = width;
        for _ in 0..3 {
            self.driver.set_window_rect(0, 0, u32::try_from(outer).unwrap(), 900).await.unwrap();
            let inner: i64 =
                self.driver.execute("return window.innerWidth;", Vec::<Value>::new()).await.unwrap().convert().unwrap();
            if inner == width {
                return;
            }
            outer += width - inner;
        }
        panic!("the window cannot be made {width} px wide");
    }

    /// Screenshots at 1280 px and 360 px wide, the 360 px page measured for sideways scrolling, and axe-core, on the
    /// page now shown. The walk goes on at 360 px, as on a small phone.
    async fn screen(&mut self) {
        self.step += 1;
        let url = self.driver.current_url().await.unwrap();
        let path = url.path().trim_matches('/').replace('/', "_");
        let shot = |width: u32| {
            workspace().join(format!(
                "target/screenshots/{}_{:02}_{}_{width}.png",
                self.name,
                self.step,
                if path.is_empty() { "top" } else { &path }
            ))
        };
        self.set_width(1280).await;
        self.driver.screenshot(&shot(1280)).await.unwrap();
        self.set_width(360).await;
        self.driver.screenshot(&shot(360)).await.unwrap();
        let widths: Vec<i64> = self
            .driver
            .execute("const e = document.documentElement; return [e.scrollWidth, e.clientWidth];", Vec::<Value>::new())
            .await
            .unwrap()
            .convert()
            .unwrap();
        // A table cell squeezed to fewer than three characters a line (its text longer than that) reads one
        // character per line: the table must scroll in its own region, or its cells stack.
        let squeezed: Vec<String> = self
            .driver
            .execute(
                "return [...document.querySelectorAll('th, td')].filter(c => {
                   const s = getComputedStyle(c);
                   const inner = c.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
                   return c.textContent.trim().length > 3 && inner < 3 * parseFloat(s.fontSize);
                 }).map(c => c.textContent.trim().slice(0, 20));",
                Vec::<Value>::new(),
            )
            .await
            .unwrap()
            .convert()
            .unwrap();
        if !squeezed.is_empty() {
            self.overflows.push(format!("{}: table cells squeezed at 360 px: {squeezed:?}", url.path()));
        }
        if widths[0] > widths[1] {
            let title = self.driver.title().await.unwrap();
            self.overflows.push(format!(
                "{} ({title}): {} px wide in a {} px window",
                url.path(),
                widths[0],
                widths[1]
            ));
        }
        self.driver.execute(format!("{}\nreturn true;", self.axe), Vec::<Value>::new()).await.unwrap();
        let result = self
            .driver
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                    .then(r => done(r.violations.map(v => v.id + ' (' + v.nodes.length + ')')));",
                Vec::<Value>::new(),
            )
            .await
            .unwrap();
        let found: Vec<String> = result.convert().unwrap();
        for v in found {
            self.violations.push(format!("{}: {v}", url.path()));
        }
    }

    async fn fill(&self, id: &str, value: &str) {
        let field = self.driver.find(By::Id(id)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    async fn press(&mut self, label: &str) {
        let button = self
            .driver
            .find(By::XPath(format!(
                "//main//button[normalize-space()='{label}'] | //main//a[normalize-space()='{label}']"
            )))
            .await
            .unwrap();
        button.click().await.unwrap();
        self.screen().await;
    }

    async fn text(&self) -> String {
        self.driver.find(By::Tag("main")).await.unwrap().text().await.unwrap()
    }

    /// Sets a whole form's fields at once (the job offer has 33), as a browser's autofill would.
    async fn fill_form(&self, values: &Value) {
        self.driver
            .execute(
                "const values = arguments[0];
                 for (const [name, value] of Object.entries(values)) {
                   const el = document.getElementById(name);
                   if (!el) { continue; }
                   if (el.type === 'checkbox') { el.checked = value === true; } else { el.value = value; }
                 }
                 return true;",
                vec![values.clone()],
            )
            .await
            .unwrap();
    }

    /// Terms (scroll each text to its end first: R1), e-mail, the key from the mail, the password.
    async fn open_account(&mut self, entrance: &str, email: &str) {
        self.goto("/").await;
        self.press(entrance).await;
        let privacy = self.driver.find(By::Id("privacy")).await.unwrap();
        assert!(!privacy.is_enabled().await.unwrap(), "R1: the box waits until the text was read");
        self.driver
            .execute(
                "document.querySelectorAll('.terms').forEach(e => { e.scrollTop = e.scrollHeight; e.dispatchEvent(new Event('scroll')); }); return true;",
                Vec::<Value>::new(),
            )
            .await
            .unwrap();
        assert!(privacy.is_enabled().await.unwrap());
        privacy.click().await.unwrap();
        self.driver.find(By::Id("terms")).await.unwrap().click().await.unwrap();
        self.press("次へ進む").await;
        self.fill("email", email).await;
        self.press("次へ進む").await;
        assert!(self.text().await.contains(email));
        let key = self.kit.store.last_auth_key_to(email).await.expect("the key mail");
        self.fill("password", TEST_PASSWORD).await;
        self.fill("confirmation", TEST_PASSWORD).await;
        self.fill("auth_key", &key.to_lowercase()).await;
        self.press("完了").await;
        assert!(self.text().await.contains("パスワード登録完了"));
        self.press("ログイン画面へ進む").await;
    }

    async fn log_in(&mut self, email: &str) {
        self.fill("email", email).await;
        self.fill("password", TEST_PASSWORD).await;
        self.press("ログイン").await;
        assert!(self.text().await.contains("求人者マイページ"));
    }

    /// Logs a member in. A reviewer or admin enrols at the first login: the walk reads the secret on the page, as
    /// one would type it into an authenticator app, types the app's code and keeps the secret; later logins type
    /// the code of a later time step (R21).
    async fn staff_log_in(&mut self, login: &str) {
        self.driver.delete_all_cookies().await.unwrap();
        self.goto("/staff/login").await;
        self.fill("login", login).await;
        self.fill("password", TEST_PASSWORD).await;
        self.press("ログイン").await;
        let path = self.driver.current_url().await.unwrap().path().to_owned();
        if path == "/staff/second-factor" {
            let secret = self.driver.find(By::Id("secret")).await.unwrap().text().await.unwrap();
            self.fill("code", &self.code(&secret)).await;
            self.press("確認する").await;
            let shown = self.text().await;
            assert!(shown.contains("回復コード"), "{shown}");
            assert_eq!(self.driver.find_all(By::Css("ul.recovery-codes li")).await.unwrap().len(), 10);
            self.secrets.push((login.to_owned(), secret));
            self.press("職員メニューへ進む").await;
        } else if path == "/staff/login/code" {
            // The code of the next time step: the one typed at the last login is refused as used.
            self.kit.clock.advance(chrono::Duration::seconds(30));
            let secret = self.secrets.iter().find(|(l, _)| l == login).map(|(_, s)| s.clone()).unwrap();
            self.fill("code", &self.code(&secret)).await;
            self.press("確認する").await;
        }
    }

    /// The code an authenticator app given `secret` shows at the kit's time.
    fn code(&self, secret: &str) -> String {
        use mypage_domain::ports::Clock as _;
        TotpSecondFactor::code_for_text(secret, self.kit.clock.now()).unwrap()
    }

    async fn confirm_first_in_queue(&mut self) -> String {
        self.staff_log_in("iidabashi.reviewer").await;
        let page = self.driver.find(By::Tag("html")).await.unwrap();
        self.driver.find(By::Css("main table a")).await.unwrap().click().await.unwrap();
        page.wait_until().stale().await.unwrap();
        self.screen().await;
        self.press("本登録する").await;
        self.press("本登録を確定する").await;
        self.text().await
    }

    async fn finish(self) {
        let Self { driver, violations, overflows, name, .. } = self;
        driver.quit().await.unwrap();
        assert!(overflows.is_empty(), "pages of {name} do not fit 360 px:\n{}", overflows.join("\n"));
        assert!(violations.is_empty(), "axe-core found violations in {name}:\n{}", violations.join("\n"));
    }
}

fn values<T: serde::Serialize>(input: &T) -> Value {
    serde_json::to_value(input).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_case_a_counter_registration_then_the_password_online() {
    let Some(mut w) = Walk::start("case_a").await else { return };
    w.staff_log_in("iidabashi.counter").await;
    w.goto("/staff/counter").await;
    w.fill("number", EXISTING).await;
    w.fill("email", "saiyou@example.jp").await;
    w.press("次へ進む").await;
    assert!(w.text().await.contains("株式会社ハローテスト"), "the establishment is named before registering");
    w.press("登録する").await;
    assert!(w.text().await.contains("を登録しました"));
    w.driver.delete_all_cookies().await.unwrap();
    w.open_account("求人者マイページ開設（パスワード登録）", "saiyou@example.jp").await;
    w.log_in("saiyou@example.jp").await;
    assert!(w.text().await.contains("新しい求人を申し込む"), "the Active home offers the next job offer");
    w.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_case_a_with_a_mistyped_address_corrected_at_the_counter() {
    let Some(mut w) = Walk::start("case_a_corrected").await else { return };
    w.staff_log_in("iidabashi.counter").await;
    w.goto("/staff/counter").await;
    w.fill("number", EXISTING).await;
    w.fill("email", "saiyuo@example.jp").await;
    w.press("次へ進む").await;
    w.press("登録する").await;
    w.press("登録したメールアドレスの訂正・取り消し").await;
    w.fill("email", "saiyuo@example.jp").await;
    w.press("登録を探す").await;
    assert!(w.text().await.contains("株式会社ハローテスト"));
    w.fill("email", "saiyou@example.jp").await;
    w.press("訂正する").await;
    assert!(w.text().await.contains("saiyou@example.jp に訂正しました"));
    w.driver.delete_all_cookies().await.unwrap();
    w.open_account("求人者マイページ開設（パスワード登録）", "saiyou@example.jp").await;
    w.log_in("saiyou@example.jp").await;
    assert!(w.text().await.contains("新しい求人を申し込む"), "the Active home offers the next job offer");
    w.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_case_b_past_applicant_files_a_job_offer_and_the_office_confirms() {
    let Some(mut w) = Walk::start("case_b").await else { return };
    w.open_account("事業所登録・求人申し込み（仮登録）", "tanaka@example.co.jp").await;
    w.log_in("tanaka@example.co.jp").await;
    w.press("事業所・求人情報を登録").await;
    w.driver.find(By::Id("past")).await.unwrap().click().await.unwrap();
    w.fill("number", "1301-123456-7").await;
    w.press("求人情報を入力").await;
    w.fill_form(&values(&fixtures::job_offer())).await;
    w.press("保存して次へ進む").await;
    w.press("この内容で仮登録する").await;
    assert!(w.text().await.contains("仮登録を受け付けました"));
    let confirmed = w.confirm_first_in_queue().await;
    assert!(confirmed.contains("事業所番号は 1301-123456-7"), "{confirmed}");
    w.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_case_c_first_time_applicant_is_given_a_new_number() {
    let Some(mut w) = Walk::start("case_c").await else { return };
    w.open_account("事業所登録・求人申し込み（仮登録）", "hajimete@example.jp").await;
    w.log_in("hajimete@example.jp").await;
    w.press("事業所・求人情報を登録").await;
    w.driver.find(By::Id("first")).await.unwrap().click().await.unwrap();
    w.driver.find(By::Css("#office option[value='1301']")).await.unwrap().click().await.unwrap();
    w.press("事業所情報を入力").await;
    let mut info = values(&fixtures::establishment_info());
    info["phone"] = json!("12345");
    w.fill_form(&info).await;
    w.press("保存して次へ進む").await;
    assert!(w.text().await.contains("入力内容に誤りがあります"), "a wrong field comes back with its message");
    w.fill("phone", "03-1234-5678").await;
    w.press("保存して次へ進む").await;
    w.fill_form(&values(&fixtures::job_offer())).await;
    w.press("保存して次へ進む").await;
    w.press("この内容で仮登録する").await;
    let confirmed = w.confirm_first_in_queue().await;
    assert!(confirmed.contains("事業所番号は 1301-9"), "{confirmed}");
    w.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_staff_console_search_and_admin_pages() {
    use mypage_domain::ports::{Clock, MailQueue};
    let Some(mut w) = Walk::start("console").await else { return };
    // A mail the server gave up on, for the dead-mail page.
    let now = w.kit.clock.now();
    w.kit.request_key(mypage_domain::model::FlowPurpose::SignUp, "todokanai@example.jp").await;
    let claimed = w.kit.store.claim(now, 10, now + chrono::Duration::minutes(5)).await.unwrap();
    w.kit.store.mark_dead(claimed[0].mail.id, "550 5.1.1 no such user").await.unwrap();

    w.staff_log_in("central.admin").await;
    w.press("事業所の検索").await;
    w.fill("q", "ハロー").await;
    w.press("検索する").await;
    assert!(w.text().await.contains("株式会社ハローテスト"));
    w.press("メールアドレスを登録").await;
    assert_eq!(w.driver.find(By::Id("number")).await.unwrap().value().await.unwrap().as_deref(), Some(EXISTING));

    w.goto("/staff/admin/staff").await;
    w.fill("login", "iidabashi.shinjin").await;
    w.fill("name", "新人 職員").await;
    w.driver.find(By::Id("role_counter")).await.unwrap().click().await.unwrap();
    w.fill("password", "short").await;
    w.press("追加する").await;
    assert!(w.text().await.contains("8文字以上"), "the password rule is said");
    assert_eq!(w.driver.find(By::Id("name")).await.unwrap().value().await.unwrap().as_deref(), Some("新人 職員"));
    w.fill("password", TEST_PASSWORD).await;
    w.press("追加する").await;
    assert!(w.text().await.contains("を追加しました"));
    w.press("利用を停止する").await;
    assert!(w.text().await.contains("利用を停止しました"));
    // A reset is offered only for a member who has a second factor: the new member enrols one, as an app would.
    let shinjin = w.kit.store.read(|t| t.staff_by_login("iidabashi.shinjin").map(|m| m.id())).await.unwrap();
    let enrolment = w.kit.mypage.begin_second_factor_enrolment(shinjin).await.unwrap();
    let secret = secrecy::ExposeSecret::expose_secret(&enrolment.provisioning.secret_text).to_owned();
    let code = TotpSecondFactor::code_for_text(&secret, w.kit.clock.now()).unwrap();
    w.kit.mypage.confirm_second_factor_enrolment(shinjin, &code, &mypage_testkit::TestKit::client()).await.unwrap();
    w.goto("/staff/admin/staff").await;
    w.press("確認コードの再設定").await;
    assert!(w.text().await.contains("確認コードを再設定しました"));

    w.goto("/staff/admin/offices").await;
    w.fill("code", "1302").await;
    w.fill("name", "ハローワーク新宿").await;
    w.press("追加する").await;
    assert!(w.text().await.contains("ハローワーク（1302）を追加しました"));

    w.goto("/staff/admin/terms").await;
    w.fill("body", "第2版の本文です。").await;
    w.press("公開する").await;
    assert!(w.text().await.contains("第2版を公開しました"));

    w.goto("/staff/admin/mail").await;
    assert!(w.text().await.contains("to***@example.jp"));
    w.press("もう一度送信する").await;
    assert!(w.text().await.contains("送信の待ち行列に戻しました"));
    w.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_an_admin_edits_and_closes_an_office() {
    let Some(mut w) = Walk::start("offices").await else { return };
    w.staff_log_in("central.admin").await;
    w.goto("/staff/admin/offices").await;
    w.fill("code", "1302").await;
    w.fill("name", "ハローワーク新宿").await;
    w.press("追加する").await;
    w.goto("/staff/admin/offices/1302").await;
    w.fill("address", "東京都新宿区歌舞伎町2-42-10").await;
    w.fill("opening_hours", "月曜から金曜 8時30分から17時15分").await;
    w.fill("phone", "12345").await;
    w.fill("areas", "東京都 新宿区\n東京 中野区").await;
    w.press("保存する").await;
    assert!(w.text().await.contains("電話番号は0から始まる"), "the phone's problem is said beside it");
    let beside = w.driver.query(By::Id("areas-error")).and_displayed().first().await.unwrap().text().await.unwrap();
    assert!(beside.starts_with("2行目"), "a wrong area is named by its line: {beside}");
    w.fill("phone", "03-3200-8609").await;
    w.fill("areas", "東京都 新宿区\n東京都 中野区").await;
    w.press("保存する").await;
    w.driver.query(By::XPath("//main//*[@role='status']")).first().await.unwrap();
    assert!(w.text().await.contains("ハローワークの情報を保存しました"));
    let found = w.kit.mypage.offices_serving("東京都", "中野区").await.unwrap();
    assert_eq!(found.iter().map(|o| o.code().as_str()).collect::<Vec<_>>(), ["1302"], "the areas were saved");
    w.press("閉庁する").await;
    assert!(w.text().await.contains("閉庁しました"));
    w.finish().await;
}
