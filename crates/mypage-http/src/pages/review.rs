//! The reviewer's screen, 仮登録の審査 (R11): every field the employer entered, in the registration's sections
//! (求人申し込み実績, 事業所情報, 求人情報); for case B the establishment register's record (R18) beside the claim,
//! differences marked; the status in the office's words; and the decisions, 本登録 and 本登録しない each behind a
//! confirmation step. A job offer after opening (R20) is reviewed on the same page, marked as such, and accepted
//! (受理) rather than registered. A note the domain refuses comes back in its form as it was typed.

use maud::{Markup, html};
use mypage_domain::model::{
    ApplicationHistory, Establishment, NoteDecision, Office, ProvisionalRegistration, RegistrationId, RegistrationKind,
    RegistrationStatus, StaffId, StaffNote,
};
use mypage_domain::usecases::{ReviewCase, ReviewError};
use mypage_domain::values::{AgeRequirement, JobOffer, jst};
use poem::web::{Data, Redirect};
use poem::{IntoResponse, Request, Response, handler};
use serde::Deserialize;

use crate::app::App;
use crate::extract::{Client, CsrfForm, Staff};
use crate::pages::console::console_layout;
use crate::pages::forms::{NoFields, OCCUPATION};
use crate::pages::layout::{csrf, field_error, has_error, multiline, on_form, outcome, scrolling, stays_on_form};
use crate::pages::registration::{STATUS, SUBMITTED_AT};
use crate::pages::staff::{breadcrumb, establishment_label, label};
use crate::pages::summary::{self, JOB_OFFERS};
use crate::problem::{Explain, Problem};
use crate::session::SessionHandle;

/// The review page's title, which its outcomes keep.
const REVIEW_TITLE: &str = "仮登録の審査";
/// The review page's title for a job offer after opening (R20).
const JOB_OFFER_TITLE: &str = "求人申込みの審査";
/// The button that asks for 受理 of a job offer, and its confirmation page's title and button.
const ACCEPT: &str = "受理する";
const ACCEPT_TITLE: &str = "受理の確認";
const ACCEPT_FINAL: &str = "受理を確定する";
/// The note sent back on a decision's form, and its heading on the detail page.
const NOTE: &str = "連絡事項";
/// Where a registration came from, on the queue and the detail page.
pub(crate) const KIND: &str = "区分";
/// The button that asks for 本登録, and the confirmation page's title.
const CONFIRM: &str = "本登録する";
const CONFIRM_TITLE: &str = "本登録の確認";
/// The button that confirms 本登録 on the confirmation page.
const CONFIRM_FINAL: &str = "本登録を確定する";
/// The button that confirms a rejection on its confirmation page.
const REJECT_FINAL: &str = "本登録しないことを確定する";
/// A value the employer left empty.
const EMPTY: &str = "—";

/// The decisions with a note (R11), as the detail page offers them: the path segment, the heading and button, and
/// the note's label. The `decide` route reads its segment from this list, so a page and its route cannot drift.
const DECISIONS: [(NoteDecision, &str, &str, &str); 3] = [
    (NoteDecision::ContactNeeded, "contact", "連絡が必要", NOTE),
    (NoteDecision::Return, "return", "修正を依頼", "修正していただきたい事項"),
    (NoteDecision::Reject, "reject", "本登録しない", "理由"),
];

/// The decision a path segment names, if any.
fn decision_of(segment: &str) -> Option<NoteDecision> {
    DECISIONS.iter().find(|(_, s, _, _)| *s == segment).map(|(d, _, _, _)| *d)
}

/// Where a registration came from, as the queue and the review page show it.
pub(crate) fn history_kind(history: Option<&ApplicationHistory>) -> String {
    match history {
        Some(ApplicationHistory::PastApplicant { number }) => format!("既存事業所（{number}）"),
        _ => "新規事業所".to_owned(),
    }
}

/// What a filing is, as the queue and the review page show it: a registration by where it came from, or a job
/// offer of an existing establishment (R20).
pub(crate) fn filing_kind(r: &ProvisionalRegistration) -> String {
    match (r.kind(), r.history()) {
        (RegistrationKind::JobOffer, Some(ApplicationHistory::PastApplicant { number })) => {
            format!("{JOB_OFFERS}（事業所番号 {number}）")
        }
        (RegistrationKind::JobOffer, _) => JOB_OFFERS.to_owned(),
        (RegistrationKind::Opening, history) => history_kind(history),
    }
}

/// The review page's title, by what is reviewed.
fn review_title(kind: RegistrationKind) -> &'static str {
    match kind {
        RegistrationKind::Opening => REVIEW_TITLE,
        RegistrationKind::JobOffer => JOB_OFFER_TITLE,
    }
}

/// A decision's heading and button, in the words for what is reviewed: a job offer is not accepted (受理しない)
/// where a registration is not registered (本登録しない).
fn decision_title(decision: NoteDecision, title: &'static str, kind: RegistrationKind) -> &'static str {
    match (decision, kind) {
        (NoteDecision::Reject, RegistrationKind::JobOffer) => "受理しない",
        _ => title,
    }
}

/// The path of a registration's review page.
fn path(id: RegistrationId) -> String {
    format!("/staff/registrations/{id}")
}

/// The registration named by the path; one that cannot be an id is as unknown as one of another office.
fn registration_id(req: &Request) -> Result<RegistrationId, Problem> {
    req.raw_path_param("id")
        .and_then(|raw| raw.parse().ok())
        .map(RegistrationId::from_uuid)
        .ok_or_else(Problem::registration_not_found)
}

/// Two values the same once spaces are ignored and full-width forms folded.
fn same(a: &str, b: &str) -> bool {
    let fold = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
                'ー' | '‐' | '−' => '-',
                _ => c,
            })
            .collect()
    };
    fold(a) == fold(b)
}

/// Case B: the establishment register's record beside what the registration says, each difference marked; or
/// that the register holds no establishment of the claimed number.
fn claim_check(
    number: &str,
    claimed: Option<&Establishment>,
    job: Option<&JobOffer>,
    kind: RegistrationKind,
) -> Markup {
    let (filed, decision) = match kind {
        RegistrationKind::Opening => ("仮登録の内容", "本登録"),
        RegistrationKind::JobOffer => ("求人申込みの内容", "受理"),
    };
    let Some(e) = claimed else {
        return html! {
            div.error-summary role="alert" {
                p { "申告された事業所番号 " (number) " の事業所は、事業所台帳にありません。" (decision) "の前に求人者に確認してください。" }
            }
        };
    };
    let d = e.details();
    let postal = job.and_then(|j| j.workplace_postal_code.as_ref()).map(ToString::to_string);
    let address = job.map(|j| j.workplace_address.clone());
    let rows: [(&str, String, Option<String>); 6] = [
        (label::NUMBER, e.number().to_string(), Some(number.to_owned())),
        (establishment_label("name"), e.name().to_owned(), None),
        (establishment_label("name_kana"), d.name_kana.clone().unwrap_or_default(), None),
        (
            establishment_label("postal_code"),
            d.postal_code.as_ref().map(ToString::to_string).unwrap_or_default(),
            postal,
        ),
        (establishment_label("address"), d.address.clone().unwrap_or_default(), address),
        (establishment_label("phone"), d.phone.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default(), None),
    ];
    let table = html! {
        table.claim {
            tr { th scope="col" { "項目" } th scope="col" { "事業所台帳の登録内容" } th scope="col" { (filed) } }
            @for (name, register, entered) in &rows {
                @let differs = entered.as_ref().is_some_and(|v| !register.is_empty() && !same(register, v));
                tr.differs[differs] {
                    th scope="row" { (name) }
                    td { @if register.is_empty() { (EMPTY) } @else { (register) } }
                    td {
                        (entered.as_deref().filter(|v| !v.is_empty()).unwrap_or(EMPTY))
                        @if differs { " " strong.diff { "（台帳と異なります）" } }
                    }
                }
            }
        }
    };
    html! {
        h2 { "事業所台帳との照合" }
        p.hint { (filed) "の郵便番号・所在地は、求人情報の就業場所です。" }
        (scrolling("事業所台帳との照合", table))
    }
}

/// A note sent back to its decision's form, with why it was refused (none when the reviewer came back from the
/// confirmation step to change it).
struct KeptNote<'a> {
    decision: NoteDecision,
    note: &'a str,
    errors: Vec<(String, String)>,
}

/// What a registration holds, as its reviewer checks it: who filed it and where it stands, for case B the
/// register's record beside the claimed number, then every field in the employer's own sections (`summary.rs`).
fn sections(case: &ReviewCase, offices: &[Office]) -> Markup {
    let r = &case.registration;
    html! {
        table.kv {
            tr { th scope="row" { (label::EMAIL) } td { (case.account.email()) } }
            tr { th scope="row" { (STATUS) } td { strong { (r.status_label_ja()) } } }
            tr { th scope="row" { (KIND) } td { (filing_kind(r)) } }
            @if let Some(at) = r.submitted_at() { tr { th scope="row" { (SUBMITTED_AT) } td { (jst(at)) } } }
            @match r.status() {
                RegistrationStatus::ContactNeeded { note } | RegistrationStatus::Returned { note } | RegistrationStatus::Rejected { reason: note } => {
                    tr { th scope="row" { (NOTE) } td { (multiline(note.as_str())) } }
                }
                _ => {}
            }
        }
        @if let Some(ApplicationHistory::PastApplicant { number }) = r.history() {
            (claim_check(&number.to_string(), case.claimed.as_ref(), r.job_offer(), r.kind()))
        }
        @if let Some(AgeRequirement::Limited { .. }) = r.job_offer().map(|j| j.age) {
            div.notice { p { "年齢制限があります。例外事由が法令の定める場合に当たるか確認してください。" } }
        }
        (summary::registration(r, offices, false))
    }
}

/// A registration as its reviewer sees it, with its decisions' forms while it is pending; `kept` puts a note back
/// in its form.
fn detail_page(
    token: &str,
    case: &ReviewCase,
    offices: &[mypage_domain::model::Office],
    kept: Option<&KeptNote<'_>>,
) -> Markup {
    let r = &case.registration;
    let title = review_title(r.kind());
    let alert = kept.and_then(|k| k.errors.first()).map(|(_, m)| (false, m.clone()));
    let body = html! {
        (breadcrumb(title))
        h1 { (title) }
        (outcome(alert.as_ref()))
        (sections(case, offices))
        @if r.status().is_pending() {
            @if r.kind() == RegistrationKind::JobOffer {
                h2 { "受理" }
                p { "内容を確認したうえで受理してください。次の画面で確認してから確定します。" }
                div.actions { a.button href={(path(r.id())) "/confirm"} { (ACCEPT) } }
            } @else {
                h2 { "本登録" }
                p { "内容を確認したうえで本登録してください。次の画面で確認してから確定します。" }
                div.actions { a.button href={(path(r.id())) "/confirm"} { (CONFIRM) } }
            }
            @for (decision, segment, title, note_label) in DECISIONS {
                @let title = decision_title(decision, title, r.kind());
                @let this = kept.filter(|k| k.decision == decision);
                @let id = format!("{segment}-note");
                h2 { (title) }
                form method="post" action={(path(r.id())) "/" (segment)} {
                    (csrf(token))
                    div.field.invalid[this.is_some_and(|k| has_error(&k.errors, "note"))] {
                        label for=(id) { (note_label) }
                        @if let Some(k) = this { (field_error(&k.errors, "note")) }
                        textarea id=(id) name="note" aria-describedby=[this.filter(|k| !k.errors.is_empty()).map(|_| "note-error")] { (this.map_or("", |k| k.note)) }
                    }
                    button.secondary type="submit" { (title) }
                }
            }
        }
    };
    console_layout(title, body)
}

/// The registration and the offices, for its page.
async fn review_case(app: &App, staff: StaffId, id: RegistrationId) -> poem::Result<(ReviewCase, Vec<Office>)> {
    let case = app.mypage.review_case(staff, id).await.map_err(Explain::explain)?;
    Ok((case, app.offices().await?))
}

/// A registration of the member's office (R11); one of another office is not found (R14).
#[handler]
pub(crate) async fn detail(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Staff(staff): Staff,
) -> poem::Result<Response> {
    let (case, offices) = review_case(app, staff, registration_id(req)?).await?;
    let token = session.lock().await.csrf();
    Ok(detail_page(&token, &case, &offices, None).into_response())
}

/// The establishment a confirmation will link or create, in a line.
fn establishment_line(r: &ProvisionalRegistration, claimed: Option<&Establishment>) -> String {
    match (r.history(), claimed, r.establishment()) {
        (Some(ApplicationHistory::PastApplicant { .. }), Some(e), _) => format!("{}（{}）", e.name(), e.number()),
        (Some(ApplicationHistory::FirstTime { .. }), _, Some(info)) => {
            format!("{}（新しい事業所番号を割り当てます）", info.name)
        }
        _ => EMPTY.to_owned(),
    }
}

/// The step before 本登録: what will be confirmed, and the button that does it. A registration no longer pending
/// goes back to its page.
#[handler]
pub(crate) async fn confirm_page(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Staff(staff): Staff,
) -> poem::Result<Response> {
    let id = registration_id(req)?;
    let (case, _) = review_case(app, staff, id).await?;
    let r = &case.registration;
    if !r.status().is_pending() {
        return Ok(Redirect::see_other(path(id)).into_response());
    }
    let token = session.lock().await.csrf();
    let job_offer = r.kind() == RegistrationKind::JobOffer;
    let (title, button) = if job_offer { (ACCEPT_TITLE, ACCEPT_FINAL) } else { (CONFIRM_TITLE, CONFIRM_FINAL) };
    let body = html! {
        (breadcrumb(title))
        h1 { (title) }
        @if job_offer {
            p { "次の求人を受理します。受理すると、求人者にメールでお知らせします。求人者のアカウントと事業所の登録内容は変わりません。" }
        } @else {
            p { "次の仮登録を本登録します。本登録すると、求人者のアカウントが利用できるようになり、求人者にメールでお知らせします。" }
        }
        table.kv {
            tr { th scope="row" { (label::EMAIL) } td { (case.account.email()) } }
            tr { th scope="row" { (KIND) } td { (filing_kind(r)) } }
            tr { th scope="row" { "事業所" } td { (establishment_line(r, case.claimed.as_ref())) } }
            @if let Some(offer) = r.job_offer().filter(|_| job_offer) {
                tr { th scope="row" { (OCCUPATION) } td { (offer.occupation) } }
            }
        }
        form method="post" action={(path(id)) "/confirm"} {
            (csrf(&token))
            div.actions {
                button type="submit" { (button) }
                a.button.secondary href=(path(id)) { "審査画面に戻る" }
            }
        }
    };
    Ok(console_layout(title, body).into_response())
}

/// The page after a decision: what was done, or why it could not be (someone else decided first).
fn result_page(message: &(bool, String)) -> Markup {
    let body = html! {
        h1 { (REVIEW_TITLE) }
        (outcome(Some(message)))
        p { a href="/staff" { "職員メニューへ戻る" } }
    };
    console_layout(REVIEW_TITLE, body)
}

/// A decision's problem: on the result page when the member only needs to know it, else the problem's own page
/// (not permitted, not found, unavailable).
fn decision_refused(problem: Problem) -> poem::Result<Response> {
    if !stays_on_form(&problem) {
        return Err(problem.into());
    }
    Ok(on_form(result_page(&(false, problem.message.clone())), &problem))
}

/// 本登録 (R11), once confirmed: the establishment number comes back on the result page.
#[handler]
pub(crate) async fn confirm(
    req: &Request,
    Data(app): Data<&App>,
    Staff(staff): Staff,
    Client(client): Client,
    CsrfForm(_): CsrfForm<NoFields>,
) -> poem::Result<Response> {
    let id = registration_id(req)?;
    let kind = review_case(app, staff, id).await?.0.registration.kind();
    match app.mypage.confirm_registration(staff, id, &client).await {
        Ok(_) if kind == RegistrationKind::JobOffer => {
            Ok(result_page(&(true, "求人を受理しました。求人者にメールでお知らせします。".to_owned())).into_response())
        }
        Ok(number) => Ok(result_page(&(true, format!("本登録しました。事業所番号は {number} です。"))).into_response()),
        Err(e) => decision_refused(e.explain()),
    }
}

/// A decision's note, and for a rejection which step of its confirmation this is.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct NoteForm {
    note: String,
    /// Present when the reviewer confirmed the rejection.
    confirmed: String,
    /// Present when the reviewer went back from the confirmation to change the reason.
    back: String,
}

/// The step before 本登録しない: the reason as the employer will read it, the button that confirms, and one that
/// goes back to change it (the reason kept).
fn reject_confirmation(token: &str, id: RegistrationId, kind: RegistrationKind, note: &str) -> Markup {
    let job_offer = kind == RegistrationKind::JobOffer;
    let title = if job_offer { "受理しないことの確認" } else { "本登録しないことの確認" };
    let action = format!("{}/reject", path(id));
    let body = html! {
        (breadcrumb(title))
        h1 { (title) }
        @if job_offer {
            p { "この求人を受理しません。求人者には、次の理由をメールでお知らせします。確定すると取り消せません。" }
        } @else {
            p { "この仮登録を本登録しません。求人者には、次の理由をメールでお知らせします。確定すると取り消せません。" }
        }
        div.notice { p { (multiline(note)) } }
        div.actions {
            form method="post" action=(action) {
                (csrf(token))
                input type="hidden" name="note" value=(note);
                input type="hidden" name="confirmed" value="yes";
                button type="submit" { (if job_offer { "受理しないことを確定する" } else { REJECT_FINAL }) }
            }
            form method="post" action=(action) {
                (csrf(token))
                input type="hidden" name="note" value=(note);
                input type="hidden" name="back" value="yes";
                button.secondary type="submit" { "戻って理由を直す" }
            }
        }
    };
    console_layout(title, body)
}

/// `/staff/registrations/:id/contact`, `…/return` and `…/reject` (R11). Any other decision is a 400 that changes
/// nothing; a note the domain refuses comes back on the registration's page, as it was typed. A rejection first
/// shows its confirmation step, and is made only once confirmed.
#[handler]
pub(crate) async fn decide(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Staff(staff): Staff,
    Client(client): Client,
    CsrfForm(form): CsrfForm<NoteForm>,
) -> poem::Result<Response> {
    let decision = req.raw_path_param("decision").and_then(decision_of).ok_or_else(Problem::invalid_request)?;
    let id = registration_id(req)?;
    let token = session.lock().await.csrf();
    let unconfirmed = decision == NoteDecision::Reject && form.confirmed.is_empty();
    if unconfirmed && !form.back.is_empty() {
        let (case, offices) = review_case(app, staff, id).await?;
        let kept = KeptNote { decision, note: &form.note, errors: Vec::new() };
        return Ok(detail_page(&token, &case, &offices, Some(&kept)).into_response());
    }
    let outcome = if unconfirmed {
        match StaffNote::parse(&form.note) {
            // The registration is read first, so that one of another office or already decided is refused
            // before any confirmation is asked for.
            Ok(_) => {
                let reg = review_case(app, staff, id).await?.0.registration;
                match reg.status().is_pending() {
                    true => return Ok(reject_confirmation(&token, id, reg.kind(), &form.note).into_response()),
                    false => Err(ReviewError::AlreadyDecided.explain()),
                }
            }
            Err(e) => Err(ReviewError::InvalidNote(e).explain()),
        }
    } else {
        app.mypage.decide_with_note(staff, id, decision, &form.note, &client).await.map_err(Explain::explain)
    };
    let problem = match outcome {
        Ok(()) => {
            let done = (true, "処理しました。事業所にメールでお知らせします。".to_owned());
            return Ok(result_page(&done).into_response());
        }
        Err(problem) => problem,
    };
    if problem.field.is_none() || !stays_on_form(&problem) {
        return decision_refused(problem);
    }
    let (case, offices) = review_case(app, staff, id).await?;
    let kept = KeptNote { decision, note: &form.note, errors: problem.messages() };
    Ok(on_form(detail_page(&token, &case, &offices, Some(&kept)), &problem))
}
