//! R18: the establishment register, imported from the office's file: every line checked first, nothing written
//! while a line is wrong unless asked, idempotent, audited, and within the importer's office (R14).

use mypage_domain::model::AuditAction;
use mypage_domain::usecases::{AdminActor, CounterRegistration, ImportOptions, RegisterImportError};
use mypage_domain::values::{LineProblem, RegisterFile};

use crate::{client, world};

const HEADER: &str = "事業所番号,事業所名称,事業所名称フリガナ,郵便番号,所在地,電話番号\n";

fn file(lines: &[&str]) -> RegisterFile {
    RegisterFile::parse(format!("{HEADER}{}\n", lines.join("\n")).as_bytes()).unwrap()
}

const GOOD: [&str; 3] = [
    "1301-000001-1,株式会社いろは,イロハ,162-0846,東京都新宿区市谷左内町21,03-1111-2222",
    "1301-000002-1,有限会社にほへ,,,,",
    "1301-000003-1,合同会社とちり,トチリ,1000001,東京都千代田区,",
];

async fn events(w: &crate::World, action: AuditAction) -> usize {
    w.kit.store.read(|t| t.audit().iter().filter(|e| e.action == action).count()).await
}

async fn establishments(w: &crate::World) -> usize {
    w.kit.store.read(|t| t.establishments().count()).await
}

#[tokio::test]
async fn r18_a_file_imports_its_establishments_once_and_a_second_import_changes_nothing() {
    let w = world().await;
    let m = &w.kit.mypage;
    let c = client();
    let seeded = events(&w, AuditAction::EstablishmentImported).await;
    let report = m.import_register(AdminActor::Staff(w.counter), file(&GOOD), ImportOptions::default(), &c);
    let report = report.await.unwrap();
    assert_eq!(report.summary(), "imported 3, updated 0, unchanged 0, rejected 0");
    assert!(report.written);
    assert_eq!(events(&w, AuditAction::EstablishmentImported).await, seeded + 3);
    let again = m.import_register(AdminActor::Staff(w.counter), file(&GOOD), ImportOptions::default(), &c);
    assert_eq!(again.await.unwrap().summary(), "imported 0, updated 0, unchanged 3, rejected 0");
    assert_eq!(events(&w, AuditAction::EstablishmentImported).await, seeded + 3, "nothing for unchanged lines");

    let changed = [GOOD[0], "1301-000002-1,有限会社にほへ 本店,ニホヘ,,,", GOOD[2]];
    let report = m.import_register(AdminActor::System, file(&changed), ImportOptions::default(), &c);
    assert_eq!(report.await.unwrap().summary(), "imported 0, updated 1, unchanged 2, rejected 0");
    assert_eq!(events(&w, AuditAction::EstablishmentUpdated).await, 1);
    let stored = w.kit.store.read(|t| t.establishments().find(|e| e.number().digits() == "13010000021").cloned()).await;
    let stored = stored.unwrap();
    assert_eq!((stored.name(), stored.details().name_kana.as_deref()), ("有限会社にほへ 本店", Some("ニホヘ")));

    // Case A on an imported number.
    let at_counter =
        CounterRegistration { email: "iroha@example.jp".into(), establishment_number: "13010000011".into() };
    m.register_email_at_counter(w.counter, &at_counter, &c).await.unwrap();
}

#[tokio::test]
async fn r18_a_wrong_line_stops_the_import_unless_skipped_and_a_dry_run_writes_nothing() {
    let w = world().await;
    let m = &w.kit.mypage;
    let c = client();
    let lines = [GOOD[0], "1301-0000,名称,,,,", GOOD[1], "9999-000001-1,未知の安定所,,,,", GOOD[2]];
    let before = establishments(&w).await;
    let report = m.import_register(AdminActor::System, file(&lines), ImportOptions::default(), &c);
    let report = report.await.unwrap();
    assert_eq!(report.summary(), "imported 0, updated 0, unchanged 0, rejected 2");
    assert_eq!(report.rejected.iter().map(|r| r.line).collect::<Vec<_>>(), [3, 5]);
    assert_eq!(report.rejected[1].problems, [LineProblem::UnknownOffice]);
    assert!(!report.written);
    assert_eq!(establishments(&w).await, before, "nothing imported");

    let dry = ImportOptions { dry_run: true, skip_invalid: true };
    let report = m.import_register(AdminActor::System, file(&lines), dry, &c).await.unwrap();
    assert_eq!((report.summary().as_str(), report.written), ("imported 3, updated 0, unchanged 0, rejected 2", false));
    assert_eq!(establishments(&w).await, before, "a dry run writes nothing");

    let skip = ImportOptions { dry_run: false, skip_invalid: true };
    let report = m.import_register(AdminActor::System, file(&lines), skip, &c).await.unwrap();
    assert_eq!(report.summary(), "imported 3, updated 0, unchanged 0, rejected 2");
    assert_eq!(establishments(&w).await, before + 3);
}

#[tokio::test]
async fn r14_counter_staff_and_office_admins_import_their_own_office_only_and_reviewers_not_at_all() {
    let w = world().await;
    let m = &w.kit.mypage;
    let c = client();
    let lines = [GOOD[0], "2701-000001-1,大阪の事業所,,,,"];
    for member in [w.counter, w.office_admin] {
        let options = ImportOptions::default();
        let report = m.import_register(AdminActor::Staff(member), file(&lines), options, &c).await.unwrap();
        assert_eq!(report.rejected.len(), 1);
        assert_eq!((report.rejected[0].line, &report.rejected[0].problems[..]), (3, &[LineProblem::OutsideOffice][..]));
        assert!(!report.written);
    }
    let report = m.import_register(AdminActor::Staff(w.admin), file(&lines), ImportOptions::default(), &c);
    assert_eq!(report.await.unwrap().summary(), "imported 2, updated 0, unchanged 0, rejected 0");
    for member in [w.reviewer, w.osaka_reviewer] {
        let refused = m.import_register(AdminActor::Staff(member), file(&lines), ImportOptions::default(), &c).await;
        assert!(matches!(refused, Err(RegisterImportError::NotPermitted)));
    }
}
