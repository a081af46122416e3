//! The establishment and job-offer forms: their fields, labels and limits in one list each, rendered generically so
//! that the page, the field names and the error messages cannot drift apart; and the typed forms a browser sends,
//! converted explicitly into the domain's inputs.
//!
//! The establishment form has only text fields, so it is read straight into the domain's `EstablishmentInfoInput`
//! (which derives `Deserialize` with `serde(default)`); the job offer has checkboxes, read by [`JobOfferForm`].

use std::collections::HashMap;

use maud::{Markup, html};
use mypage_domain::values::{AgeException, Choice, EmploymentType, Industry, JobOfferInput, WageKind};
use serde::Deserialize;

use crate::extract::checkbox;
use crate::pages::layout::field_error;
use crate::problem::{
    Entry, LABEL_AGE_MIN, LABEL_EMPLOYEES_TOTAL, LABEL_EMPLOYMENT_TYPE, LABEL_WAGE_MIN, Problem, named_field_message,
};

/// The first option of every select: nothing chosen yet.
pub(crate) const CHOOSE: &str = "選択してください";

/// 年齢不問: the age choice of every offer but the legal exceptions, and its row on the summary.
pub(crate) const AGE_ANY: &str = "不問";

/// The occupation of a job offer: its field's label, and its row on the review page.
pub(crate) const OCCUPATION: &str = "職種";

/// The mark beside the label of a required field.
pub(crate) fn required_mark() -> Markup {
    html! { span.req { "必須" } }
}

/// A form that carries nothing but its CSRF token (logout, submit).
#[derive(Debug, Deserialize)]
pub(crate) struct NoFields {}

/// How a field is typed.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    Text(&'static str),
    Area,
    Select(fn() -> Vec<(&'static str, &'static str)>),
    Check,
    /// Boxes under one legend, each `(name, label)`; the group's name is the one its error is reported under.
    Checks(&'static [(&'static str, &'static str)]),
}

impl Kind {
    /// How the field is filled in, for the verb of its messages.
    fn entry(self) -> Entry {
        match self {
            Self::Text(_) | Self::Area => Entry::Typed,
            Self::Select(_) => Entry::Chosen,
            Self::Check | Self::Checks(_) => Entry::Ticked,
        }
    }
}

/// One field: its name (as in the domain's input struct), label, whether it is required, a hint, and its kind.
pub(crate) struct Field {
    pub(crate) name: &'static str,
    pub(crate) label: &'static str,
    pub(crate) required: bool,
    pub(crate) hint: &'static str,
    pub(crate) kind: Kind,
}

const fn f(name: &'static str, label: &'static str, required: bool, hint: &'static str, kind: Kind) -> Field {
    Field { name, label, required, hint, kind }
}

fn choices<C: Choice>() -> Vec<(&'static str, &'static str)> {
    C::ALL.iter().map(|c| (c.code(), c.label_ja())).collect()
}

fn industries() -> Vec<(&'static str, &'static str)> {
    choices::<Industry>()
}
fn employment_types() -> Vec<(&'static str, &'static str)> {
    choices::<EmploymentType>()
}
fn wage_kinds() -> Vec<(&'static str, &'static str)> {
    choices::<WageKind>()
}
fn age_exceptions() -> Vec<(&'static str, &'static str)> {
    choices::<AgeException>()
}
fn contract_kinds() -> Vec<(&'static str, &'static str)> {
    vec![("none", "雇用期間の定めなし"), ("fixed", "雇用期間の定めあり")]
}
fn age_kinds() -> Vec<(&'static str, &'static str)> {
    vec![("none", AGE_ANY), ("limited", "制限あり（例外事由に該当する場合のみ）")]
}

/// 事業所情報 (case C).
pub(crate) const ESTABLISHMENT: &[Field] = &[
    f("name", "事業所名称", true, "60文字以内（例：株式会社ハローテスト製作所）", Kind::Text("text")),
    f(
        "name_kana",
        "事業所名称（フリガナ）",
        true,
        "カタカナ100文字以内（ひらがなで入力してもカタカナに変換します）",
        Kind::Text("text"),
    ),
    f("postal_code", "郵便番号", true, "7桁（例：162-0846）", Kind::Text("text")),
    f("address", "所在地", true, "都道府県から番地まで、120文字以内", Kind::Text("text")),
    f("phone", "電話番号", true, "例：03-1234-5678", Kind::Text("tel")),
    f("representative_title", "代表者役職", true, "例：代表取締役", Kind::Text("text")),
    f("representative_name", "代表者氏名", true, "", Kind::Text("text")),
    f("industry", "産業分類", true, "日本標準産業分類の大分類", Kind::Select(industries)),
    f("employees_total", LABEL_EMPLOYEES_TOTAL, true, "人数", Kind::Text("text")),
    f("employees_here", "従業員数（この事業所）", true, "人数（企業全体以下）", Kind::Text("text")),
    f("founded_year", "創業年（西暦）", true, "例：1987", Kind::Text("text")),
    f("capital_yen", "資本金（円）", false, "個人事業の場合は空欄", Kind::Text("text")),
    f("business", "事業内容", true, "300文字以内", Kind::Area),
    f("website", "ホームページ", false, "https:// から始まるアドレス", Kind::Text("url")),
    f("contact_name", "担当者氏名", true, "", Kind::Text("text")),
    f("contact_department", "担当者所属部署", false, "", Kind::Text("text")),
    f("contact_phone", "担当者電話番号", true, "例：03-1234-5678", Kind::Text("tel")),
    f("contact_email", "担当者メールアドレス", true, "組織で共有可能なアドレスを推奨します", Kind::Text("email")),
];

/// 求人情報.
pub(crate) const JOB_OFFER: &[Field] = &[
    f("occupation", OCCUPATION, true, "30文字以内（例：NC旋盤オペレーター）", Kind::Text("text")),
    f("description", "仕事内容", true, "500文字以内", Kind::Area),
    f("employment_type", LABEL_EMPLOYMENT_TYPE, true, "", Kind::Select(employment_types)),
    f("contract", "雇用期間", true, "", Kind::Select(contract_kinds)),
    f("contract_months", "雇用期間（月数）", false, "定めありの場合：1～60", Kind::Text("text")),
    f("contract_renewable", "契約更新の可能性あり", false, "", Kind::Check),
    f("workplace_postal_code", "就業場所の郵便番号", false, "", Kind::Text("text")),
    f("workplace_address", "就業場所", true, "120文字以内", Kind::Text("text")),
    f("wage_kind", "賃金形態", true, "", Kind::Select(wage_kinds)),
    f("wage_min", LABEL_WAGE_MIN, true, "円（例：220000）", Kind::Text("text")),
    f("wage_max", "賃金（上限）", true, "円、下限以上（例：300000）", Kind::Text("text")),
    f("work_start", "始業時刻", true, "例：08:30", Kind::Text("text")),
    f("work_end", "終業時刻", true, "例：17:30（翌日にまたがる場合も終業時刻を入力）", Kind::Text("text")),
    f("break_minutes", "休憩時間（分）", true, "0～480", Kind::Text("text")),
    f("hours_note", "就業時間の補足", false, "200文字以内（例：シフト制）", Kind::Text("text")),
    f("holidays", "休日等", true, "200文字以内（例：土日祝）", Kind::Area),
    f("annual_holidays", "年間休日数", false, "0～366", Kind::Text("text")),
    f("insurance", INSURANCE, false, "加入するものすべて", Kind::Checks(INSURANCE_BOXES)),
    f("openings", "採用人数", true, "1～999", Kind::Text("text")),
    f("experience", "必要な経験等", false, "200文字以内", Kind::Area),
    f("licences", "必要な免許・資格", false, "200文字以内", Kind::Area),
    f("age", "年齢", true, "年齢制限は原則として禁止されています（労働施策総合推進法第9条）", Kind::Select(age_kinds)),
    f("age_min", LABEL_AGE_MIN, false, "制限ありの場合", Kind::Text("text")),
    f("age_max", "年齢（上限）", false, "制限ありの場合", Kind::Text("text")),
    f("age_exception", "年齢制限の例外事由", false, "制限ありの場合は必須", Kind::Select(age_exceptions)),
    f("trial_months", "試用期間（月数）", false, "1～12、なければ空欄", Kind::Text("text")),
    f("selection", SELECTION, true, "1つ以上", Kind::Checks(SELECTION_BOXES)),
];

/// 加入保険等: the group's legend.
pub(crate) const INSURANCE: &str = "加入保険等";
/// The insurance boxes, each `(name, label)`.
pub(crate) const INSURANCE_BOXES: &[(&str, &str)] = &[
    ("employment_insurance", "雇用保険"),
    ("accident_insurance", "労災保険"),
    ("health_insurance", "健康保険"),
    ("pension", "厚生年金"),
];
/// 選考方法: the group's legend.
pub(crate) const SELECTION: &str = "選考方法";
/// The selection boxes, each `(name, label)`.
pub(crate) const SELECTION_BOXES: &[(&str, &str)] = &[
    ("selection_documents", "書類選考"),
    ("selection_interview", "面接"),
    ("selection_written_test", "筆記試験"),
    ("selection_other", "その他"),
];

/// A form's problem as the (field, message) pairs its page shows, each message naming its field by the label the
/// form gives it; a field the form does not list keeps the catalogue's message.
pub(crate) fn messages(problem: &Problem, fields: &[Field]) -> Vec<(String, String)> {
    if problem.fields.is_empty() {
        return problem.messages();
    }
    problem
        .fields
        .iter()
        .map(|issue| {
            let field = fields.iter().find(|f| f.name == issue.field);
            let message = match (field, &issue.problem) {
                (Some(f), Some(p)) => named_field_message(f.name, f.label, f.kind.entry(), p),
                _ => issue.message.clone(),
            };
            (issue.field.clone(), message)
        })
        .collect()
}

/// The job-offer form as a browser sends it: text as typed, each checkbox present only when ticked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct JobOfferForm {
    occupation: String,
    description: String,
    employment_type: String,
    contract: String,
    contract_months: String,
    #[serde(deserialize_with = "checkbox")]
    contract_renewable: bool,
    workplace_postal_code: String,
    workplace_address: String,
    wage_kind: String,
    wage_min: String,
    wage_max: String,
    work_start: String,
    work_end: String,
    break_minutes: String,
    hours_note: String,
    holidays: String,
    annual_holidays: String,
    #[serde(deserialize_with = "checkbox")]
    employment_insurance: bool,
    #[serde(deserialize_with = "checkbox")]
    accident_insurance: bool,
    #[serde(deserialize_with = "checkbox")]
    health_insurance: bool,
    #[serde(deserialize_with = "checkbox")]
    pension: bool,
    openings: String,
    experience: String,
    licences: String,
    age: String,
    age_min: String,
    age_max: String,
    age_exception: String,
    trial_months: String,
    #[serde(deserialize_with = "checkbox")]
    selection_documents: bool,
    #[serde(deserialize_with = "checkbox")]
    selection_interview: bool,
    #[serde(deserialize_with = "checkbox")]
    selection_written_test: bool,
    #[serde(deserialize_with = "checkbox")]
    selection_other: bool,
}

impl From<JobOfferForm> for JobOfferInput {
    fn from(form: JobOfferForm) -> Self {
        Self {
            occupation: form.occupation,
            description: form.description,
            employment_type: form.employment_type,
            contract: form.contract,
            contract_months: form.contract_months,
            contract_renewable: form.contract_renewable,
            workplace_postal_code: form.workplace_postal_code,
            workplace_address: form.workplace_address,
            wage_kind: form.wage_kind,
            wage_min: form.wage_min,
            wage_max: form.wage_max,
            work_start: form.work_start,
            work_end: form.work_end,
            break_minutes: form.break_minutes,
            hours_note: form.hours_note,
            holidays: form.holidays,
            annual_holidays: form.annual_holidays,
            employment_insurance: form.employment_insurance,
            accident_insurance: form.accident_insurance,
            health_insurance: form.health_insurance,
            pension: form.pension,
            openings: form.openings,
            experience: form.experience,
            licences: form.licences,
            age: form.age,
            age_min: form.age_min,
            age_max: form.age_max,
            age_exception: form.age_exception,
            trial_months: form.trial_months,
            selection_documents: form.selection_documents,
            selection_interview: form.selection_interview,
            selection_written_test: form.selection_written_test,
            selection_other: form.selection_other,
        }
    }
}

/// The values of an input struct, by field name, to fill a form back in.
pub(crate) fn values<T: serde::Serialize>(input: &T) -> HashMap<String, String> {
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(input) else { return HashMap::new() };
    map.into_iter()
        .filter_map(|(k, v)| match v {
            serde_json::Value::String(s) => Some((k, s)),
            serde_json::Value::Bool(true) => Some((k, "on".to_owned())),
            _ => None,
        })
        .collect()
}

/// Renders the fields with their values and errors; nothing typed is lost when a form comes back.
pub(crate) fn render(fields: &[Field], values: &HashMap<String, String>, errors: &[(String, String)]) -> Markup {
    html! {
        @for field in fields {
            @let value = values.get(field.name).map(String::as_str).unwrap_or("");
            @let invalid = errors.iter().any(|(f, _)| f == field.name);
            @let described = format!("{}-hint {}-error", field.name, field.name);
            div.field.invalid[invalid] {
                @match field.kind {
                    Kind::Checks(boxes) => {
                        fieldset id=(field.name) tabindex="-1" aria-describedby=(described) {
                            legend.label {
                                (field.label)
                                @if field.required { (required_mark()) }
                            }
                            @if !field.hint.is_empty() { p.hint id={(field.name) "-hint"} { (field.hint) } }
                            (field_error(errors, field.name))
                            @for (name, label) in boxes {
                                @let ticked = values.get(*name).is_some_and(|v| !v.is_empty());
                                div.check {
                                    input type="checkbox" id=(name) name=(name) checked[ticked];
                                    label for=(name) { (label) }
                                }
                            }
                        }
                    }
                    Kind::Check => {
                        div.check {
                            input type="checkbox" id=(field.name) name=(field.name) checked[!value.is_empty()];
                            label for=(field.name) { (field.label) }
                        }
                    }
                    _ => {
                        label for=(field.name) {
                            (field.label)
                            @if field.required { (required_mark()) }
                        }
                        @if !field.hint.is_empty() { p.hint id={(field.name) "-hint"} { (field.hint) } }
                        (field_error(errors, field.name))
                        @match field.kind {
                            Kind::Area => {
                                textarea id=(field.name) name=(field.name) aria-describedby=(described) aria-invalid=[invalid.then_some("true")] { (value) }
                            }
                            Kind::Select(options) => {
                                select id=(field.name) name=(field.name) aria-describedby=(described) aria-invalid=[invalid.then_some("true")] {
                                    option value="" { (CHOOSE) }
                                    @for (code, label) in options() {
                                        option value=(code) selected[code == value] { (label) }
                                    }
                                }
                            }
                            Kind::Text(kind) => {
                                input type=(kind) id=(field.name) name=(field.name) value=(value) aria-describedby=(described) aria-invalid=[invalid.then_some("true")];
                            }
                            Kind::Check | Kind::Checks(_) => {}
                        }
                    }
                }
            }
        }
    }
}

/// Both forms' field lists must name every field of the domain's input structs, and what a form shows must read
/// back into the same input.
#[cfg(test)]
mod tests {
    use mypage_domain::values::{EstablishmentInfoInput, JobOfferInput};

    use super::*;

    #[test]
    fn the_field_lists_cover_every_input_field() {
        let est = values(&EstablishmentInfoInput { name: "x".into(), ..EstablishmentInfoInput::default() });
        let names: Vec<&str> = ESTABLISHMENT.iter().map(|f| f.name).collect();
        let all = serde_json::to_value(EstablishmentInfoInput::default()).unwrap();
        for key in all.as_object().unwrap().keys() {
            assert!(names.contains(&key.as_str()), "establishment field {key} has no form field");
        }
        assert_eq!(est.get("name").map(String::as_str), Some("x"));
        let all = serde_json::to_value(JobOfferInput::default()).unwrap();
        let names: Vec<&str> = JOB_OFFER
            .iter()
            .flat_map(|f| match f.kind {
                Kind::Checks(boxes) => boxes.iter().map(|(name, _)| *name).collect(),
                _ => vec![f.name],
            })
            .collect();
        for key in all.as_object().unwrap().keys() {
            assert!(names.contains(&key.as_str()), "job offer field {key} has no form field");
        }
    }

    /// The fields a page fills in, as the browser sends them back, with a field the form does not name (as the
    /// token is), which is ignored.
    fn sent_back<T: serde::Serialize>(input: &T) -> String {
        let mut pairs: Vec<(String, String)> = values(input).into_iter().collect();
        pairs.push(("token".into(), "t".into()));
        serde_urlencoded::to_string(pairs).unwrap()
    }

    #[test]
    fn a_job_offer_shown_and_sent_back_reads_as_the_same_input_with_its_ticked_boxes() {
        let input = mypage_testkit::fixtures::job_offer();
        let form: JobOfferForm = serde_urlencoded::from_str(&sent_back(&input)).unwrap();
        assert_eq!(JobOfferInput::from(form), input);
        let form: JobOfferForm = serde_urlencoded::from_str("pension=on&occupation=x").unwrap();
        let read = JobOfferInput::from(form);
        assert!(read.pension && !read.health_insurance);
        assert_eq!(read.occupation, "x");
    }

    #[test]
    fn an_establishment_shown_and_sent_back_reads_as_the_same_input() {
        let input = mypage_testkit::fixtures::establishment_info();
        let read: EstablishmentInfoInput = serde_urlencoded::from_str(&sent_back(&input)).unwrap();
        assert_eq!(read, input);
    }
}
