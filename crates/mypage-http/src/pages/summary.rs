//! A provisional registration written out whole, in the sections the employer filled in (求人申し込み実績,
//! 事業所情報, 求人情報): every field as an office would write it (「月給 220,000円～300,000円」), the office of
//! jurisdiction by name, and — while it may still be changed — a 修正 link per section.
//!
//! The confirmation screen shows it before sending, My Page shows it read-only afterwards; the labels are the
//! forms' own (`forms.rs`), so that a row reads as the field it came from.

use maud::{Markup, html};
use mypage_domain::model::{ApplicationHistory, Office, ProvisionalRegistration, RegistrationKind, RegistrationStatus};
use mypage_domain::values::{
    AgeRequirement, Choice as _, ContractPeriod, EstablishmentInfo, JobOffer, OfficeCode, jst,
};

use crate::pages::forms::{
    self, AGE_ANY, ESTABLISHMENT, Field, INSURANCE, INSURANCE_BOXES, JOB_OFFER, SELECTION, SELECTION_BOXES,
};
use crate::pages::layout::multiline;
use crate::pages::registration::{WAGE, wage_range};
use crate::pages::staff::label::NUMBER;

/// 求人申し込み実績: the history page's title and its section here.
pub(crate) const HISTORY: &str = "求人申し込み実績";
/// A job offer after opening (R20), as a kind of filing: the list's title, the queue's mark, the links' label.
pub(crate) const JOB_OFFERS: &str = "求人の申込み";
/// 事業所情報: the establishment's section.
pub(crate) const ESTABLISHMENT_INFO: &str = "事業所情報";
/// 求人情報: the job offer's section.
pub(crate) const JOB_OFFER_INFO: &str = "求人情報";
/// 管轄のハローワーク: the office of jurisdiction, on the history page and here.
pub(crate) const OFFICE: &str = "管轄のハローワーク";
/// The answer of a past applicant, on the history page and here.
pub(crate) const PAST: &str = "過去にハローワークに求人を申し込んだことがある";
/// The answer of a first-time applicant, on the history page and here.
pub(crate) const FIRST: &str = "初めて申し込む";

/// A number as offices write amounts: `220,000`.
pub(crate) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The label a form gives a field, for the row that shows it.
fn label(fields: &[Field], name: &str) -> &'static str {
    fields.iter().find(|f| f.name == name).map_or("", |f| f.label)
}

/// The office of `code` by name, or the code when it is not known here.
fn office_name(offices: &[Office], code: &OfficeCode) -> String {
    offices.iter().find(|o| o.code() == code).map_or_else(|| code.to_string(), |o| o.name().to_owned())
}

/// One section: its heading, the 修正 link while it may be changed, and its rows.
fn section(title: &str, edit: Option<&str>, rows: Markup) -> Markup {
    html! {
        section.summary {
            div.summary-head {
                h2 { (title) }
                @if let Some(href) = edit {
                    a href=(href) aria-label=(format!("{title}を修正")) { "修正" }
                }
            }
            dl.summary { (rows) }
        }
    }
}

/// A row of the summary.
fn row(term: &str, value: Markup) -> Markup {
    html! { div.summary-row { dt { (term) } dd { (value) } } }
}

/// An optional field left empty.
const UNFILLED: &str = "未入力";

/// An optional text: the text, or 未入力.
fn optional(text: Option<&str>) -> Markup {
    html! {
        @match text.filter(|t| !t.is_empty()) { Some(t) => { (multiline(t)) } None => { (UNFILLED) } }
    }
}

/// The ticked boxes' labels, joined, or `none`.
fn ticked(boxes: &[(&str, &str)], none: &str, is_ticked: impl Fn(&str) -> bool) -> String {
    let names: Vec<&str> = boxes.iter().filter(|(name, _)| is_ticked(name)).map(|(_, label)| *label).collect();
    if names.is_empty() { none.to_owned() } else { names.join("、") }
}

/// How a registration went, from what it keeps: begun, sent, and the office's decision (`status`, as the employer
/// reads it) when there is one; the office's note is shown beside the status on My Page.
pub(crate) fn timeline(reg: &ProvisionalRegistration, status: &str) -> Markup {
    let decided = !matches!(reg.status(), RegistrationStatus::Draft | RegistrationStatus::Submitted);
    html! {
        table.timeline {
            tr { th scope="col" { "日時" } th scope="col" { "経過" } }
            tr { td { (jst(reg.created_at())) } td { "入力を始めました" } }
            @if let Some(at) = reg.submitted_at() { tr { td { (jst(at)) } td { (sent(reg)) } } }
            @if decided { tr { td { (jst(reg.updated_at())) } td { (status) } } }
        }
    }
}

/// What the employer did when a filing was last sent, by its kind.
fn sent(reg: &ProvisionalRegistration) -> &'static str {
    match reg.kind() {
        RegistrationKind::Opening => "仮登録を送信しました",
        RegistrationKind::JobOffer => "求人を申し込みました",
    }
}

/// 申込みの事業所: a job offer's section naming the establishment and its office of jurisdiction (R20).
pub(crate) const OFFER_ESTABLISHMENT: &str = "申込みの事業所";

/// A job offer after opening (R20) in its sections: the establishment it is for, then the job offer; `edit` is the
/// form's path while it may still be changed.
pub(crate) fn job_offer(reg: &ProvisionalRegistration, offices: &[Office], edit: Option<&str>) -> Markup {
    html! {
        @if let Some(ApplicationHistory::PastApplicant { number }) = reg.history() {
            (section(OFFER_ESTABLISHMENT, None, html! {
                (row(NUMBER, html! { (number) }))
                (row(OFFICE, html! { (office_name(offices, &number.office())) }))
            }))
        }
        @if let Some(offer) = reg.job_offer() {
            (section(JOB_OFFER_INFO, edit, job_offer_rows(offer)))
        }
    }
}

/// The whole registration in its sections; `editable` adds a 修正 link to each. A job offer after opening is
/// written as [`job_offer`] writes it, without links.
pub(crate) fn registration(reg: &ProvisionalRegistration, offices: &[Office], editable: bool) -> Markup {
    if reg.kind() == RegistrationKind::JobOffer {
        return job_offer(reg, offices, None);
    }
    let edit = |href: &'static str| editable.then_some(href);
    html! {
        @if let Some(history) = reg.history() {
            (section(HISTORY, edit("/mypage/history"), history_rows(history, offices)))
        }
        @if let Some(info) = reg.establishment() {
            (section(ESTABLISHMENT_INFO, edit("/mypage/establishment"), establishment_rows(info)))
        }
        @if let Some(offer) = reg.job_offer() {
            (section(JOB_OFFER_INFO, edit("/mypage/job"), job_offer_rows(offer)))
        }
    }
}

fn history_rows(history: &ApplicationHistory, offices: &[Office]) -> Markup {
    html! {
        @match history {
            ApplicationHistory::PastApplicant { number } => {
                (row(HISTORY, html! { (PAST) }))
                (row(NUMBER, html! { (number) }))
            }
            ApplicationHistory::FirstTime { .. } => { (row(HISTORY, html! { (FIRST) })) }
        }
        (row(OFFICE, html! { (office_name(offices, &history.office())) }))
    }
}

fn establishment_rows(e: &EstablishmentInfo) -> Markup {
    let l = |name| label(ESTABLISHMENT, name);
    html! {
        (row(l("name"), html! { (e.name) }))
        (row(l("name_kana"), html! { (e.name_kana) }))
        (row(l("address"), html! { "〒" (e.postal_code) br; (e.address) }))
        (row(l("phone"), html! { (e.phone.as_str()) }))
        (row(l("representative_title"), html! { (e.representative_title) }))
        (row(l("representative_name"), html! { (e.representative_name) }))
        (row(l("industry"), html! { (e.industry.label_ja()) }))
        (row(l("employees_total"), html! { (grouped(u64::from(e.employees_total))) "人" }))
        (row(l("employees_here"), html! { (grouped(u64::from(e.employees_here))) "人" }))
        (row(l("founded_year"), html! { (e.founded_year) "年" }))
        (row(l("capital_yen"), html! {
            @match e.capital_yen { Some(yen) => { (grouped(yen)) "円" } None => { (UNFILLED) } }
        }))
        (row(l("business"), html! { (multiline(&e.business)) }))
        (row(l("website"), optional(e.website.as_deref())))
        (row(l("contact_name"), html! { (e.contact_name) }))
        (row(l("contact_department"), optional(e.contact_department.as_deref())))
        (row(l("contact_phone"), html! { (e.contact_phone.as_str()) }))
        (row(l("contact_email"), html! { (e.contact_email) }))
    }
}

fn job_offer_rows(j: &JobOffer) -> Markup {
    let l = |name| label(JOB_OFFER, name);
    let values = forms::values(&j.to_input());
    let is_ticked = |name: &str| values.contains_key(name);
    html! {
        (row(l("occupation"), html! { (j.occupation) }))
        (row(l("description"), html! { (multiline(&j.description)) }))
        (row(l("employment_type"), html! { (j.employment_type.label_ja()) }))
        (row(l("contract"), html! {
            @match j.contract {
                ContractPeriod::Indefinite => { "定めなし" }
                ContractPeriod::Fixed { months, renewable } => {
                    (format!("定めあり（{months}か月、{}）", if renewable { l("contract_renewable") } else { "契約更新なし" }))
                }
            }
        }))
        (row(l("workplace_address"), html! {
            @if let Some(code) = &j.workplace_postal_code { "〒" (code) br; }
            (j.workplace_address)
        }))
        (row(WAGE, html! { (wage_range(&j.wage)) }))
        (row(HOURS, html! {
            (format!("{}～{}（休憩 {}分）", j.hours.start.format("%H:%M"), j.hours.end.format("%H:%M"), j.hours.break_minutes))
            @if let Some(note) = &j.hours.note { br; (note) }
        }))
        (row(l("holidays"), html! { (multiline(&j.holidays)) }))
        (row(l("annual_holidays"), html! {
            @match j.annual_holidays { Some(days) => { (days) "日" } None => { (UNFILLED) } }
        }))
        (row(INSURANCE, html! { (ticked(INSURANCE_BOXES, "加入なし", is_ticked)) }))
        (row(l("openings"), html! { (j.openings) "人" }))
        (row(l("experience"), optional(j.experience.as_deref())))
        (row(l("licences"), optional(j.licences.as_deref())))
        (row(l("age"), html! {
            @match j.age {
                AgeRequirement::Any => { (AGE_ANY) }
                AgeRequirement::Limited { min, max, exception } => {
                    @match (min, max) {
                        (Some(min), Some(max)) => { (min) "歳～" (max) "歳" }
                        (Some(min), None) => { (min) "歳以上" }
                        (None, Some(max)) => { (max) "歳以下" }
                        (None, None) => {}
                    }
                    br;
                    (exception.label_ja())
                }
            }
        }))
        (row(l("trial_months"), html! {
            @match j.trial_months { Some(months) => { (months) "か月" } None => { "試用期間なし" } }
        }))
        (row(SELECTION, html! { (ticked(SELECTION_BOXES, UNFILLED, is_ticked)) }))
    }
}

/// 就業時間: the hours' row, start, end and break together.
const HOURS: &str = "就業時間";
