//! The aggregates' state machines and the form parsers, driven directly.

use chrono::{Duration, TimeZone, Utc};
use mypage_domain::model::{
    Account, AccountId, AccountStatus, AdminScope, ApplicationHistory, AuthFlow, DeathCause, EstablishmentId, FlowId,
    FlowPurpose, FlowState, FlowStepError, FlowTarget, KeyCheckError, MissingPart, NoteDecision, PasswordHash,
    ProvisionalRegistration, RegistrationId, RegistrationRecord, RegistrationStatus, RegistrationStepError, StaffId,
    StaffLogin, StaffMember, StaffNote, StaffNoteError, UnknownFlowPurpose, UnknownMissingPart, UnknownNoteDecision,
};
use mypage_domain::ports::Digest;
use mypage_domain::values::{
    AgeRequirement, ContractPeriod, EmailAddress, EstablishmentInfo, EstablishmentNumber, FieldProblem, Industry,
    JobOffer, OfficeCode, StaffRole, TermsConsent, TermsVersion,
};
use mypage_testkit::fixtures;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap()
}

fn digest(s: &str) -> Digest {
    Digest::from_hex(s.into())
}

fn flow() -> AuthFlow {
    let email = EmailAddress::parse("a@example.jp").unwrap();
    let first = AuthFlow::key_window(now(), Duration::minutes(30), Some(digest("aa")));
    AuthFlow::start(
        FlowId::from_bytes([1; 16]),
        FlowPurpose::SignUp,
        email,
        digest("tt"),
        FlowTarget::Key { account: None },
        None,
        first,
        now(),
    )
}

#[test]
fn r3_a_spent_flow_refuses_keys_and_new_keys() {
    let mut f = flow();
    assert_eq!(f.check_key(&digest("aa"), now(), 5), Ok(()));
    f.spend();
    assert_eq!(f.check_key(&digest("aa"), now(), 5), Err(KeyCheckError::Spent));
    let next = AuthFlow::key_window(now(), Duration::minutes(30), Some(digest("bb")));
    assert_eq!(f.add_key(next, 3), Err(FlowStepError::Closed(FlowState::Spent)));
}

#[test]
fn r3_the_right_key_after_its_expiry_is_expired_and_an_unknown_key_after_all_expired_kills_the_flow() {
    let mut f = flow();
    assert_eq!(f.check_key(&digest("aa"), now() + Duration::minutes(30), 5), Err(KeyCheckError::Expired));
    assert_eq!(f.state(), FlowState::Open);
    assert_eq!(f.check_key(&digest("zz"), now() + Duration::minutes(31), 5), Err(KeyCheckError::Expired));
    assert_eq!(f.state(), FlowState::Dead(DeathCause::Expired));
    assert_eq!(f.wrong_attempts(), 0, "an expired flow does not count attempts");
}

#[test]
fn r3_killing_a_spent_flow_leaves_it_spent() {
    let mut f = flow();
    f.spend();
    f.kill(DeathCause::Superseded);
    assert_eq!(f.state(), FlowState::Spent);
}

#[test]
fn account_transitions_follow_the_state_machine() {
    let email = EmailAddress::parse("a@example.jp").unwrap();
    let est = mypage_domain::model::EstablishmentId::from_bytes([2; 16]);
    let mut a = Account::registered_at_counter(AccountId::from_bytes([1; 16]), email.clone(), est, now());
    assert!(a.replace_password(PasswordHash::new("$x$".into())).is_err(), "no password to replace yet");
    assert_eq!(a.activate(est).unwrap_err().from, AccountStatus::AwaitingPassword);
    let consent = TermsConsent { privacy_policy: TermsVersion(1), mypage_terms: TermsVersion(1), at: now() };
    a.set_first_password(PasswordHash::new("$x$".into()), consent).unwrap();
    assert_eq!(a.status(), AccountStatus::Active);
    assert_eq!(a.set_first_password(PasswordHash::new("$y$".into()), consent).unwrap_err().from, AccountStatus::Active);
    let mut p =
        Account::opened_online(AccountId::from_bytes([3; 16]), email, PasswordHash::new("$x$".into()), consent, now());
    p.activate(est).unwrap();
    assert_eq!((p.status(), p.establishment()), (AccountStatus::Active, Some(est)));
    assert_eq!(AccountStatus::from_code("provisional"), Some(AccountStatus::Provisional));
}

#[test]
fn r10_a_registration_without_history_cannot_take_an_offer_or_be_submitted() {
    let history = ApplicationHistory::FirstTime { office: OfficeCode::parse("1301").unwrap() };
    let draft = ProvisionalRegistration::draft(
        RegistrationId::from_bytes([1; 16]),
        AccountId::from_bytes([2; 16]),
        history,
        now(),
    );
    // A stored row without history: no transition leads there, so the test restores one.
    let mut r = ProvisionalRegistration::restore(RegistrationRecord { history: None, ..draft.into_record() });
    let offer = JobOffer::parse(&fixtures::job_offer()).unwrap();
    assert_eq!(r.save_job_offer(offer, now()), Err(RegistrationStepError::HistoryNotDeclared));
    let info = EstablishmentInfo::parse(&fixtures::establishment_info()).unwrap();
    assert_eq!(r.save_establishment(info, now()), Err(RegistrationStepError::HistoryNotDeclared));
    assert!(matches!(r.submit(now()), Err(RegistrationStepError::Incomplete(_))));
}

#[test]
fn r11_only_a_pending_registration_can_be_decided_and_only_a_draft_expires() {
    let history = ApplicationHistory::PastApplicant { number: EstablishmentNumber::parse("1301-123456-7").unwrap() };
    let mut r = ProvisionalRegistration::draft(
        RegistrationId::from_bytes([1; 16]),
        AccountId::from_bytes([2; 16]),
        history,
        now(),
    );
    let staff = StaffId::from_bytes([3; 16]);
    let note = StaffNote::parse("連絡します").unwrap();
    assert_eq!(
        r.decide_with_note(staff, NoteDecision::ContactNeeded, note.clone(), now()),
        Err(RegistrationStepError::AlreadyDecided("draft"))
    );
    let number = EstablishmentNumber::parse("1301-123456-7").unwrap();
    let establishment = EstablishmentId::from_bytes([4; 16]);
    assert_eq!(
        r.confirm(staff, establishment, number.clone(), now()),
        Err(RegistrationStepError::AlreadyDecided("draft"))
    );
    r.save_job_offer(JobOffer::parse(&fixtures::job_offer()).unwrap(), now()).unwrap();
    r.submit(now()).unwrap();
    assert_eq!(r.expire(), Err(RegistrationStepError::NotEditable("submitted")));
    assert_eq!(r.office().unwrap().as_str(), "1301");
    r.decide_with_note(staff, NoteDecision::ContactNeeded, note.clone(), now()).unwrap();
    assert_eq!((r.status(), r.decided_by()), (&RegistrationStatus::ContactNeeded { note: note.clone() }, Some(staff)));
    r.confirm(staff, establishment, number.clone(), now()).unwrap();
    assert_eq!(r.status(), &RegistrationStatus::Confirmed { establishment, number });
    assert_eq!(
        r.decide_with_note(staff, NoteDecision::Reject, note, now()),
        Err(RegistrationStepError::AlreadyDecided("confirmed"))
    );
}

#[test]
fn r11_staff_decisions_have_stable_codes_and_an_unknown_code_is_an_error_never_a_rejection() {
    for decision in NoteDecision::ALL {
        assert_eq!(decision.as_str().parse::<NoteDecision>(), Ok(decision));
    }
    assert_eq!(
        NoteDecision::ALL.map(NoteDecision::as_str),
        ["contact_needed", "return", "reject"],
        "the codes are stored in forms and the API"
    );
    assert_eq!(NoteDecision::try_from("return"), Ok(NoteDecision::Return));
    for unknown in ["contact", "Reject", "", "reject "] {
        assert_eq!(unknown.parse::<NoteDecision>(), Err(UnknownNoteDecision), "{unknown:?}");
    }
    let note = StaffNote::parse("理由").unwrap();
    assert_eq!(NoteDecision::Reject.status(note.clone()), RegistrationStatus::Rejected { reason: note });
}

#[test]
fn flow_purposes_and_registration_parts_parse_back_from_their_codes() {
    for purpose in FlowPurpose::ALL {
        assert_eq!(purpose.code().parse::<FlowPurpose>(), Ok(purpose));
    }
    assert_eq!(FlowPurpose::try_from("reset"), Err(UnknownFlowPurpose));
    for part in MissingPart::ALL {
        assert_eq!(MissingPart::try_from(part.code()), Ok(part));
    }
    assert_eq!("submit".parse::<MissingPart>(), Err(UnknownMissingPart));
}

#[test]
fn r14_a_staff_member_is_stopped_and_restored_and_its_hash_upgraded_only_through_its_transitions() {
    let office = OfficeCode::parse("1301").unwrap();
    let login = StaffLogin::parse("iidabashi.admin").unwrap();
    let roles = [StaffRole::OfficeAdmin, StaffRole::Reviewer, StaffRole::OfficeAdmin];
    let hash = PasswordHash::new("$argon2id$v=19$m=8,t=1,p=1$old".into());
    let mut m = StaffMember::new(StaffId::from_bytes([5; 16]), office, login, "管理者".into(), &roles, hash);
    assert_eq!(m.roles(), [StaffRole::OfficeAdmin, StaffRole::Reviewer], "a role given twice is kept once");
    assert!(m.active() && m.may(StaffRole::Reviewer) && !m.may(StaffRole::Counter));
    assert_eq!(m.version(), 0);
    m.deactivate();
    assert!(!m.active() && !m.may(StaffRole::OfficeAdmin), "a stopped member may do nothing");
    assert_eq!(m.admin_scope(), None, "nor administer anything");
    m.reactivate();
    assert!(m.may(StaffRole::OfficeAdmin));
    let newer = PasswordHash::new("$argon2id$v=19$m=19456,t=2,p=1$new".into());
    m.rehash_password(newer.clone());
    assert_eq!(m.password(), &newer);
    m.mark_saved();
    assert_eq!(m.version(), 1);
    assert_eq!(StaffMember::restore(m.clone().into_record()), m, "a stored member is rebuilt as it was");
}

#[test]
fn staff_notes_refuse_control_characters_and_logins_are_checked() {
    assert_eq!(StaffNote::parse("連絡\u{7}します"), Err(StaffNoteError::ControlCharacter));
    assert_eq!(StaffLogin::parse(" Iidabashi.Counter ").unwrap().as_str(), "iidabashi.counter");
    assert!(StaffLogin::parse("ab").is_err());
    assert!(StaffLogin::parse("山田").is_err());
}

#[test]
fn the_sample_establishment_parses_with_normalised_fields() {
    let info = EstablishmentInfo::parse(&fixtures::establishment_info()).unwrap();
    assert_eq!(info.postal_code.to_string(), "162-0846");
    assert_eq!(info.capital_yen, Some(10_000_000));
    assert_eq!(info.industry, Industry::Manufacturing);
    assert_eq!(info.business, "精密部品の切削加工\n試作品の設計・製作");
}

#[test]
fn establishment_fields_have_lengths_and_formats() {
    let mut input = fixtures::establishment_info();
    input.name = "あ".repeat(61);
    input.name_kana = "株式会社".into();
    input.industry = "Z".into();
    input.website = "ftp://example.jp".into();
    input.founded_year = "1700".into();
    input.contact_email = "soumu".into();
    input.postal_code = "1620".into();
    let errors = EstablishmentInfo::parse(&input).unwrap_err();
    assert_eq!(errors.of("name"), Some(&FieldProblem::TooLong { max: 60 }));
    assert_eq!(errors.of("name_kana"), Some(&FieldProblem::NotKatakana));
    assert_eq!(errors.of("industry"), Some(&FieldProblem::UnknownChoice));
    assert_eq!(errors.of("website"), Some(&FieldProblem::InvalidUrl));
    assert_eq!(errors.of("founded_year"), Some(&FieldProblem::OutOfRange { min: 1800, max: 2100 }));
    assert!(matches!(errors.of("contact_email"), Some(FieldProblem::InvalidEmail(_))));
    assert_eq!(errors.of("postal_code"), Some(&FieldProblem::InvalidPostalCode));
    assert_eq!(errors.0.len(), 7);
}

#[test]
fn a_founding_year_after_this_year_in_japan_is_refused() {
    use chrono::TimeZone;
    let mut input = fixtures::establishment_info();
    // 2026-12-31 15:00 UTC is already 2027 in Japan.
    let new_year_in_tokyo = chrono::Utc.with_ymd_and_hms(2026, 12, 31, 15, 0, 0).unwrap();
    input.founded_year = "2027".into();
    assert!(EstablishmentInfo::parse_as_of(&input, new_year_in_tokyo).is_ok());
    let errors = EstablishmentInfo::parse_as_of(&input, new_year_in_tokyo - chrono::Duration::hours(1)).unwrap_err();
    assert_eq!(errors.of("founded_year"), Some(&FieldProblem::OutOfRange { min: 1800, max: 2026 }));
    assert_eq!(errors.0.len(), 1);
}

#[test]
fn job_offer_rules_tie_fields_together() {
    let mut input = fixtures::job_offer();
    input.contract = "fixed".into();
    input.contract_months = "6".into();
    let errors = JobOffer::parse(&input).unwrap_err();
    assert_eq!(errors.of("contract"), Some(&FieldProblem::Conflicts { with: "employment_type" }));
    input.employment_type = "non_regular".into();
    input.contract_renewable = true;
    assert_eq!(JobOffer::parse(&input).unwrap().contract, ContractPeriod::Fixed { months: 6, renewable: true });

    let mut input = fixtures::job_offer();
    input.age = "limited".into();
    input.age_max = "35".into();
    let errors = JobOffer::parse(&input).unwrap_err();
    assert_eq!(errors.of("age_exception"), Some(&FieldProblem::Required), "an age limit needs its legal exception");
    input.age_exception = "3i".into();
    assert!(matches!(JobOffer::parse(&input).unwrap().age, AgeRequirement::Limited { max: Some(35), min: None, .. }));

    let mut input = fixtures::job_offer();
    input.selection_documents = false;
    input.selection_interview = false;
    input.work_start = "25:00".into();
    input.wage_kind = "hourly".into();
    let errors = JobOffer::parse(&input).unwrap_err();
    assert_eq!(errors.of("selection"), Some(&FieldProblem::Required));
    assert_eq!(errors.of("work_start"), Some(&FieldProblem::InvalidTime));
    assert_eq!(errors.of("wage_min"), Some(&FieldProblem::OutOfRange { min: 1, max: 100_000 }));
}

#[test]
fn job_offer_age_is_not_limited_unless_chosen() {
    let offer = JobOffer::parse(&fixtures::job_offer()).unwrap();
    assert_eq!(offer.age, AgeRequirement::Any);
    assert_eq!(offer.hours.start.format("%H:%M").to_string(), "08:30");
    assert_eq!(offer.occupation, "NC旋盤オペレーター", "full-width letters folded");
}

#[test]
fn forms_parse_back_from_their_own_input_so_a_stored_draft_round_trips() {
    let info = EstablishmentInfo::parse(&fixtures::establishment_info()).unwrap();
    assert_eq!(EstablishmentInfo::parse(&info.to_input()).unwrap(), info);
    let mut input = fixtures::establishment_info();
    input.capital_yen = String::new();
    input.website = String::new();
    input.contact_department = String::new();
    let bare = EstablishmentInfo::parse(&input).unwrap();
    assert_eq!(EstablishmentInfo::parse(&bare.to_input()).unwrap(), bare);

    let offer = JobOffer::parse(&fixtures::job_offer()).unwrap();
    assert_eq!(JobOffer::parse(&offer.to_input()).unwrap(), offer);
    let mut input = fixtures::job_offer();
    input.employment_type = "part_time".into();
    input.contract = "fixed".into();
    input.contract_months = "12".into();
    input.contract_renewable = true;
    input.age = "limited".into();
    input.age_min = "60".into();
    input.age_exception = "3ni".into();
    input.trial_months = String::new();
    input.annual_holidays = String::new();
    input.workplace_postal_code = String::new();
    let other = JobOffer::parse(&input).unwrap();
    assert_eq!(JobOffer::parse(&other.to_input()).unwrap(), other);
}

#[test]
fn r14_only_a_central_admin_reaches_every_office_and_gives_the_central_admin_role() {
    use StaffRole::{CentralAdmin, Counter, OfficeAdmin, Reviewer};
    let iidabashi = OfficeCode::parse("1301").unwrap();
    let osaka = OfficeCode::parse("2701").unwrap();
    assert_eq!(AdminScope::of(&iidabashi, &[Counter, Reviewer]), None, "counter and reviewer administer nothing");
    let office = AdminScope::of(&iidabashi, &[Reviewer, OfficeAdmin]).unwrap();
    assert_eq!(office, AdminScope::Office(iidabashi.clone()));
    assert!(office.covers(&iidabashi) && !office.covers(&osaka) && !office.is_central());
    assert!(office.may_grant(OfficeAdmin) && office.may_grant(Counter) && !office.may_grant(CentralAdmin));
    assert!(office.may_manage(&iidabashi, &[Reviewer, OfficeAdmin]));
    assert!(!office.may_manage(&osaka, &[Reviewer]), "another office's member");
    assert!(!office.may_manage(&iidabashi, &[CentralAdmin]), "a central admin of its own office");
    let central = AdminScope::of(&iidabashi, &[OfficeAdmin, CentralAdmin]).unwrap();
    assert_eq!(central, AdminScope::Central, "central wins over office");
    assert!(central.covers(&osaka) && central.may_grant(CentralAdmin) && central.may_manage(&osaka, &[CentralAdmin]));
}
