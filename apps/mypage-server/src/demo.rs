//! Demo data for a fresh database, so that cases A, B and C can be tried at once: two offices, two establishments
//! the offices know, staff with each role, and a first version of the terms. Staff passwords are generated and
//! written to `data/demo-staff.txt` (mode 0600), never to the log.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use anyhow::{Context, Result};
use mypage_credentials::ChaChaKeyGenerator;
use mypage_domain::MyPage;
use mypage_domain::model::ClientInfo;
use mypage_domain::ports::KeyGenerator;
use mypage_domain::usecases::{AdminActor, NewOffice, NewStaffMember};
use mypage_domain::values::{StaffRole, TermsKind};
use secrecy::{ExposeSecret, SecretString};

const PRIVACY: &str = include_str!("terms/privacy_policy.txt");
const TERMS: &str = include_str!("terms/mypage_terms.txt");

/// Seeds the demo when the database has no office yet; returns whether it did.
pub(crate) async fn seed(mypage: &MyPage, data_dir: &Path, keys: &ChaChaKeyGenerator) -> Result<bool> {
    if !mypage.offices().await?.is_empty() {
        return Ok(false);
    }
    let sys = ClientInfo::system();
    if mypage.current_terms().await?.is_none() {
        mypage.publish_terms(AdminActor::System, TermsKind::PrivacyPolicy, PRIVACY, &sys).await?;
        mypage.publish_terms(AdminActor::System, TermsKind::MyPageTerms, TERMS, &sys).await?;
    }
    for (code, name, phone) in
        [("1301", "ハローワーク飯田橋", "03-3812-8609"), ("2701", "ハローワーク大阪東", "06-6942-4771")]
    {
        let office = NewOffice { code: code.into(), name: name.into(), phone: Some(phone.into()) };
        mypage.add_office(AdminActor::System, &office, &sys).await?;
    }
    mypage.import_establishment(AdminActor::System, "1301-123456-7", "株式会社ハローテスト", &sys).await?;
    mypage.import_establishment(AdminActor::System, "2701-654321-0", "大阪テスト株式会社", &sys).await?;
    // A generated password meets the office rule: hex digits and letters, and a symbol.
    let password = format!("Demo-{}-1", &keys.token().expose_secret()[..16]);
    let staff = [
        ("1301", "iidabashi.counter", "窓口 一郎", StaffRole::Counter),
        ("1301", "iidabashi.reviewer", "審査 花子", StaffRole::Reviewer),
        ("1301", "iidabashi.admin", "管理 太郎", StaffRole::OfficeAdmin),
        ("2701", "osaka.reviewer", "審査 次郎", StaffRole::Reviewer),
        // The central office of a real deployment is an office too; the demo puts its admin under 1301.
        ("1301", "central.admin", "全体 管理", StaffRole::CentralAdmin),
    ];
    for (office, login, name, role) in staff {
        let member = NewStaffMember {
            office: office.into(),
            login: login.into(),
            name: name.into(),
            roles: vec![role],
            password: SecretString::from(password.clone()),
        };
        mypage.add_staff(AdminActor::System, &member, &sys).await?;
    }
    let path = data_dir.join("demo-staff.txt");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    writeln!(
        file,
        "Demo staff of Employer My Page (log in at /staff/login). Password of every demo account: {password}"
    )?;
    for (office, login, _, role) in staff {
        writeln!(file, "  office {office}  login {login}  role {}", mypage_domain::values::Choice::code(role))?;
    }
    writeln!(file, "Establishments the offices know: 1301-123456-7 (office 1301), 2701-654321-0 (office 2701).")?;
    tracing::info!(path = %path.display(), "demo offices, establishments and staff created; staff logins written to the file");
    Ok(true)
}
