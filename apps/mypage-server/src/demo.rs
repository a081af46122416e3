//! Demo data for a fresh database, so that cases A, B and C can be tried at once: two offices with their areas
//! (管轄区域), two establishments the offices know, staff with each role, and a first version of the terms. Staff
//! passwords are generated and written to `data/demo-staff.txt` (mode 0600), never to the log.
//!
//! The demo's staff share that one password, so a production server (`MYPAGE_SECURE_COOKIES=true`) refuses a
//! database that holds them: [`refuse_demo_staff`].

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use anyhow::{Context, Result};
use mypage_credentials::ChaChaKeyGenerator;
use mypage_domain::MyPage;
use mypage_domain::model::ClientInfo;
use mypage_domain::model::StaffMember;
use mypage_domain::ports::{KeyGenerator, UnitOfWork};
use mypage_domain::usecases::{AdminActor, NewOffice, NewStaffMember};
use mypage_domain::values::{OfficeAreaInput, OfficeDetailsInput, StaffRole, TermsKind};
use secrecy::{ExposeSecret, SecretString};

/// The areas (管轄区域) of ハローワーク飯田橋, all in 東京都: three wards of central Tokyo and the Izu and Ogasawara
/// islands.
const IIDABASHI_AREAS: &[&str] = &[
    "千代田区",
    "中央区",
    "文京区",
    "大島町",
    "利島村",
    "新島村",
    "神津島村",
    "三宅村",
    "御蔵島村",
    "八丈町",
    "青ヶ島村",
    "小笠原村",
];
/// The areas of ハローワーク大阪東, in 大阪府: wards of Osaka city. A short list for the demo, possibly not the
/// office's whole area.
const OSAKA_EAST_AREAS: &[&str] = &["大阪市中央区", "大阪市天王寺区", "大阪市浪速区", "大阪市東成区"];

const PRIVACY: &str = include_str!("terms/privacy_policy.txt");
const TERMS: &str = include_str!("terms/mypage_terms.txt");

/// The demo's staff: office, login, name and role.
const STAFF: [(&str, &str, &str, StaffRole); 5] = [
    ("1301", "iidabashi.counter", "窓口 一郎", StaffRole::Counter),
    ("1301", "iidabashi.reviewer", "審査 花子", StaffRole::Reviewer),
    ("1301", "iidabashi.admin", "管理 太郎", StaffRole::OfficeAdmin),
    ("2701", "osaka.reviewer", "審査 次郎", StaffRole::Reviewer),
    // The central office of a real deployment is an office too; the demo puts its admin under 1301.
    ("1301", "central.admin", "全体 管理", StaffRole::CentralAdmin),
];

/// Whether a member is one the demo made: the same office, login, name and roles.
fn is_demo_member(member: &StaffMember, demo: &(&str, &str, &str, StaffRole)) -> bool {
    let (office, login, name, role) = demo;
    member.office().as_str() == *office
        && member.login().as_str() == *login
        && member.name() == *name
        && member.roles() == [*role]
}

/// Fails when the database holds the demo's staff and any of them may still log in: they share one password that
/// was written to a file, which a production server must not serve.
///
/// A member is the demo's when office, login, name and role are all the demo's; the database holds the demo when one
/// of its counter, reviewer or office-admin members is there, since the demo makes them all at once. The central
/// admin alone is not evidence: an office may well name its first admin `central.admin`.
pub(crate) async fn refuse_demo_staff(store: &dyn UnitOfWork) -> Result<()> {
    let mut tx = store.begin_read().await?;
    let all = tx.staff().all().await?;
    let found: Vec<(&StaffMember, bool)> = all
        .iter()
        .filter_map(|m| STAFF.iter().find(|d| is_demo_member(m, d)).map(|d| (m, d.3 != StaffRole::CentralAdmin)))
        .collect();
    if !found.iter().any(|(_, telling)| *telling) {
        return Ok(());
    }
    let active: Vec<String> =
        found.iter().filter(|(m, _)| m.active()).map(|(m, _)| m.login().as_str().to_owned()).collect();
    if active.is_empty() {
        return Ok(());
    }
    anyhow::bail!(
        "MYPAGE_SECURE_COOKIES=true, but this database holds the demo's staff ({}), who share one password written \
         to demo-staff.txt: serve a database made without the demo (MYPAGE_DEMO=false), or stop these accounts \
         (「利用を停止する」 in the console of a server without MYPAGE_SECURE_COOKIES) first",
        active.join(", ")
    )
}

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
    for (code, name, phone, prefecture, municipalities) in [
        ("1301", "ハローワーク飯田橋", "03-3812-8609", "東京都", IIDABASHI_AREAS),
        ("2701", "ハローワーク大阪東", "06-6942-4771", "大阪府", OSAKA_EAST_AREAS),
    ] {
        let office = NewOffice { code: code.into(), name: name.into(), phone: Some(phone.into()) };
        mypage.add_office(AdminActor::System, &office, &sys).await?;
        let areas = municipalities
            .iter()
            .map(|m| OfficeAreaInput { prefecture: prefecture.into(), municipality: (*m).into() })
            .collect();
        let details =
            OfficeDetailsInput { name: name.into(), phone: phone.into(), areas: Some(areas), ..Default::default() };
        mypage.edit_office(AdminActor::System, code, &details, &sys).await?;
    }
    mypage.import_establishment(AdminActor::System, "1301-123456-7", "株式会社ハローテスト", &sys).await?;
    mypage.import_establishment(AdminActor::System, "2701-654321-0", "大阪テスト株式会社", &sys).await?;
    // A generated password meets the office rule: hex digits and letters, and a symbol.
    let password = format!("Demo-{}-1", &keys.token().expose_secret()[..16]);
    for (office, login, name, role) in STAFF {
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
    for (office, login, _, role) in STAFF {
        writeln!(file, "  office {office}  login {login}  role {}", mypage_domain::values::Choice::code(role))?;
    }
    writeln!(file, "Establishments the offices know: 1301-123456-7 (office 1301), 2701-654321-0 (office 2701).")?;
    tracing::info!(path = %path.display(), "demo offices, establishments and staff created; staff logins written to the file");
    Ok(true)
}
