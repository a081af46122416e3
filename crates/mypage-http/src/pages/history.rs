//! The 求人申し込み実績 page as seed 002 draws it (R9): two answers, each revealing only its own fields — the
//! establishment number and 「求人情報を入力」 for a past applicant, the office of jurisdiction (with the offices
//! listed to help find it) and 「事業所情報を入力」 for a first-time one. The office can be found from the
//! prefecture and municipality of the workplace (its 管轄区域) by a GET form, which keeps what was typed and links
//! each office found to the page with it chosen.
//!
//! Without JavaScript: the stylesheet hides the section of the answer not chosen (`:has(:checked)`, only where the
//! browser supports it); a browser without it shows both sections under their own headings.

use maud::{Markup, html};
use mypage_domain::model::{ApplicationHistory, Office};
use mypage_domain::usecases::HistoryInput;
use mypage_domain::values::PREFECTURES;
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::pages::forms::CHOOSE;
use crate::pages::layout::{ask_office, csrf, error_summary, field_error, has_error, layout};
use crate::pages::registration::breadcrumb;
use crate::pages::staff::label::NUMBER;
use crate::pages::summary::{FIRST, HISTORY, OFFICE, PAST};
use crate::problem::Problem;

/// The button of a past applicant, as seed 002 names it.
pub(crate) const TO_JOB_OFFER: &str = "求人情報を入力";
/// The button of a first-time applicant.
pub(crate) const TO_ESTABLISHMENT: &str = "事業所情報を入力";

/// The two answers of the history page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum HistoryChoice {
    /// Has applied to Hello Work before: the establishment number (case B).
    Past,
    /// Applies for the first time: the office in charge (case C).
    First,
}

/// What the history page sends, and what it shows again.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct HistoryForm {
    pub(crate) choice: Option<HistoryChoice>,
    pub(crate) number: String,
    pub(crate) office: String,
}

/// The help that finds the office of jurisdiction from where the employer works (case C): the place typed in the
/// page's GET form, and the open offices whose areas (管轄区域) contain it once it was asked.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub(crate) struct OfficeLookup {
    /// 都道府県, one of the 47.
    pub(crate) prefecture: String,
    /// 市区町村, as typed.
    pub(crate) municipality: String,
    /// The offices found, when the employer asked.
    #[serde(skip)]
    pub(crate) found: Option<Vec<Office>>,
}

impl OfficeLookup {
    /// The history page with this place kept and `office` chosen: the link that uses an office found.
    fn choose(&self, office: &Office) -> String {
        let query = [
            ("prefecture", self.prefecture.as_str()),
            ("municipality", self.municipality.as_str()),
            ("office", office.code().as_str()),
        ];
        format!("/mypage/history?{}#office", serde_urlencoded::to_string(query).unwrap_or_default())
    }
}

/// The GET form that finds the office of jurisdiction, placed outside the page's POST form (forms do not nest);
/// its fields join it by their `form` attribute.
const LOOKUP_FORM: &str = "office-lookup";

/// The lookup by place: a prefecture, a municipality, and the offices found with their phone and a link to choose.
fn office_lookup(lookup: &OfficeLookup) -> Markup {
    html! {
        h3 { "所在地から探す" }
        p.hint { "就業場所（事業所）の都道府県と市区町村を入力すると、管轄のハローワークを表示します。" }
        div.field {
            label for="lookup-prefecture" { "都道府県" }
            select id="lookup-prefecture" name="prefecture" form=(LOOKUP_FORM) {
                option value="" { (CHOOSE) }
                @for p in PREFECTURES { option value=(p) selected[p == lookup.prefecture] { (p) } }
            }
        }
        div.field {
            label for="lookup-municipality" { "市区町村" }
            p.hint id="lookup-municipality-hint" { "例：千代田区、大阪市中央区" }
            input type="text" id="lookup-municipality" name="municipality" form=(LOOKUP_FORM) value=(lookup.municipality) aria-describedby="lookup-municipality-hint";
        }
        div.actions { button.secondary type="submit" form=(LOOKUP_FORM) { "管轄のハローワークを探す" } }
        @if let Some(found) = &lookup.found {
            div.lookup-result id="lookup-result" role="status" {
                @if found.is_empty() {
                    p { (lookup.prefecture) " " (lookup.municipality) "を管轄するハローワークは見つかりませんでした。都道府県と市区町村をご確認いただくか、次の一覧から最寄りのハローワークにお問い合わせください。" }
                } @else {
                    p { (lookup.prefecture) " " (lookup.municipality) "を管轄するハローワーク：" }
                    ul {
                        @for office in found {
                            li {
                                strong { (office.name()) }
                                @if let Some(phone) = office.phone() { br; (format!("電話番号：{phone}")) }
                                br; a href=(lookup.choose(office)) { (office.name()) "を選ぶ" }
                            }
                        }
                    }
                }
            }
        }
    }
}

impl From<&ApplicationHistory> for HistoryForm {
    fn from(history: &ApplicationHistory) -> Self {
        match history {
            ApplicationHistory::PastApplicant { number } => {
                Self { choice: Some(HistoryChoice::Past), number: number.to_string(), office: String::new() }
            }
            ApplicationHistory::FirstTime { office } => {
                Self { choice: Some(HistoryChoice::First), number: String::new(), office: office.to_string() }
            }
        }
    }
}

impl TryFrom<&HistoryForm> for HistoryInput {
    type Error = Problem;

    fn try_from(form: &HistoryForm) -> Result<Self, Problem> {
        match form.choice {
            Some(HistoryChoice::Past) => Ok(Self::PastApplicant { establishment_number: form.number.clone() }),
            Some(HistoryChoice::First) => Ok(Self::FirstTime { office: form.office.clone() }),
            None => Err(Problem::history_not_chosen()),
        }
    }
}

/// The open offices, each with its address and phone, for a first-time applicant who does not know its office,
/// after the lookup by place; open once the employer asked.
fn office_list(offices: &[Office], lookup: &OfficeLookup) -> Markup {
    html! {
        details.offices open[lookup.found.is_some()] {
            summary { "管轄のハローワークがわからない場合" }
            p {
                "事業所の所在地を管轄するハローワークを選んでください。わからない場合は、次の一覧から最寄りのハローワークにお問い合わせください。"
            }
            (office_lookup(lookup))
            h3 { "すべてのハローワーク" }
            ul {
                @for office in offices.iter().filter(|o| !o.is_closed()) {
                    li {
                        strong { (office.name()) }
                        @if let Some(address) = office.address() { br; "所在地：" (address) }
                        @if let Some(phone) = office.phone() { br; (format!("電話番号：{phone}")) }
                    }
                }
            }
        }
    }
}

/// The history page: an establishment number, or the office of a first-time applicant (R9).
/// `asking` is the office of jurisdiction of a number that is not on the register, which the page names with its
/// phone for the employer to ask.
pub(crate) fn history_page(
    app: &App,
    token: &str,
    form: &HistoryForm,
    offices: &[Office],
    errors: &[(String, String)],
    asking: Option<&Office>,
    lookup: &OfficeLookup,
) -> Markup {
    let body = html! {
        (breadcrumb(HISTORY))
        h1 { (HISTORY) }
        (error_summary(errors))
        form.history method="post" action="/mypage/history" novalidate {
            (csrf(token))
            fieldset {
                legend.label { "これまでにハローワークに求人を申し込んだことがありますか" }
                div.check {
                    input type="radio" id="past" name="choice" value="past" checked[form.choice == Some(HistoryChoice::Past)];
                    label for="past" { (PAST) }
                }
                div.check {
                    input type="radio" id="first" name="choice" value="first" checked[form.choice == Some(HistoryChoice::First)];
                    label for="first" { (FIRST) }
                }
                (field_error(errors, "past"))
            }
            p.hint { "ハローワークに求人を出したことがあるかわからない場合は、管轄のハローワークにお問い合わせください。" }
            section.for-past aria-labelledby="for-past" {
                h2 id="for-past" { "過去に申し込んだことがある場合" }
                div.field.invalid[has_error(errors, "number")] {
                    label for="number" { (NUMBER) }
                    p.hint id="number-hint" { "11桁（例：1301-123456-7）。事業所番号がわからない場合は、管轄のハローワークにお問い合わせください。" }
                    (field_error(errors, "number"))
                    @if asking.is_some() { p.hint { (ask_office(asking)) } }
                    input type="text" id="number" name="number" value=(form.number) inputmode="numeric" aria-describedby="number-hint number-error";
                }
                div.actions { button type="submit" { (TO_JOB_OFFER) } }
            }
            section.for-first aria-labelledby="for-first" {
                h2 id="for-first" { "初めて申し込む場合" }
                div.field.invalid[has_error(errors, "office")] {
                    label for="office" { (OFFICE) }
                    p.hint id="office-hint" { "事業所の所在地を管轄するハローワークを選んでください。" }
                    (field_error(errors, "office"))
                    select id="office" name="office" aria-describedby="office-hint office-error" {
                        option value="" { (CHOOSE) }
                        @for office in offices.iter().filter(|o| !o.is_closed()) {
                            @let code = office.code().to_string();
                            option value=(code) selected[code == form.office] { (office.name()) }
                        }
                    }
                }
                (office_list(offices, lookup))
                p { "事業所情報と求人情報の入力（仮登録）は、続けて行ってください。" }
                div.actions { button type="submit" { (TO_ESTABLISHMENT) } }
            }
        }
        form id=(LOOKUP_FORM) method="get" action="/mypage/history" {}
    };
    layout(HISTORY, &app.config.help_desk, body)
}
