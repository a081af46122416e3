//! 事業所台帳の取込み (`/staff/establishments/import`, R18): counter staff and admins upload the office's register
//! file, see every line that cannot be imported and what the import would do, then import it. The check is a dry
//! run of the import itself, so the page shows exactly what the import will do; the file's text travels to the
//! second step in the form, decoded, so that nothing is kept on the server between the two steps.

use maud::{Markup, html};
use mypage_domain::usecases::{AdminActor, ImportOptions, ImportReport};
use mypage_domain::values::RegisterFile;
use poem::web::Data;
use poem::{IntoResponse, Response, handler};

use crate::app::App;
use crate::extract::{Client, CsrfUpload, Staff};
use crate::pages::console::console_layout;
use crate::pages::layout::{csrf, field_error, outcome, scrolling};
use crate::pages::staff::{breadcrumb, label};
use crate::problem::{Explain, line_problem_message};
use crate::session::SessionHandle;

/// The page's path.
pub(crate) const REGISTER_PATH: &str = "/staff/establishments/import";
/// The second step's path.
pub(crate) const REGISTER_COMMIT_PATH: &str = "/staff/establishments/import/commit";
/// The page's title, as the menu links it.
pub(crate) const REGISTER_TITLE: &str = "事業所台帳の取込み";
/// The file field.
const FILE: &str = "file";
/// The option of importing the good lines of a file with wrong ones.
const SKIP_INVALID: &str = "取り込めない行を除いて取り込む";

/// The page: the upload form, and after a check or an import, its report.
fn page(token: &str, errors: &[(String, String)], body: Markup) -> Markup {
    let message = errors.iter().find(|(f, _)| f.is_empty()).map(|(_, m)| (false, m.clone()));
    let body = html! {
        (breadcrumb(REGISTER_TITLE))
        h1 { (REGISTER_TITLE) }
        (outcome(message.as_ref()))
        (body)
        h2 { "ファイルを選んで確認する" }
        p {
            "ハローワークのシステムから出力した事業所台帳のCSVファイル（UTF-8 または Shift_JIS、16MB以内）を選んでください。"
            "1行目は列名で、「事業所番号」「事業所名称」は必須、「事業所名称フリガナ」「郵便番号」「所在地」「電話番号」は任意です。"
            "確認の段階では、まだ取り込みません。"
        }
        form method="post" action=(REGISTER_PATH) enctype="multipart/form-data" {
            (csrf(token))
            div.field {
                label for=(FILE) { "事業所台帳ファイル" }
                (field_error(errors, FILE))
                input type="file" id=(FILE) name=(FILE) accept=".csv,text/csv" required
                    aria-describedby=[errors.iter().any(|(f, _)| f == FILE).then_some("file-error")];
            }
            div.field.checkbox {
                input type="checkbox" id="skip_invalid" name="skip_invalid" value="on";
                label for="skip_invalid" { (SKIP_INVALID) }
            }
            div.actions { button type="submit" { "内容を確認する" } }
        }
    };
    console_layout(REGISTER_TITLE, body)
}

/// The counts of a report, as a sentence.
fn counts(report: &ImportReport) -> String {
    format!(
        "新規 {}件、更新 {}件、変更なし {}件、取り込めない行 {}件",
        report.imported,
        report.updated,
        report.unchanged,
        report.rejected.len()
    )
}

/// Every line that cannot be imported, with its line number, number and reasons.
fn rejected_table(report: &ImportReport) -> Markup {
    html! {
        @if !report.rejected.is_empty() {
            h2 { "取り込めない行" }
            (scrolling("取り込めない行", html! {
                table {
                    tr { th scope="col" { "行" } th scope="col" { (label::NUMBER) } th scope="col" { "取り込めない理由" } }
                    @for line in &report.rejected {
                        tr {
                            td { (line.line) }
                            td { (line.number) }
                            td { @for p in &line.problems { p { (line_problem_message(p)) } } }
                        }
                    }
                }
            }))
        }
    }
}

/// The upload form.
#[handler]
pub(crate) async fn upload_form(Data(session): Data<&SessionHandle>, Staff(_): Staff) -> Markup {
    page(&session.lock().await.csrf(), &[], html! {})
}

/// Checks an uploaded file: a dry run of the import, shown with a form that imports it.
#[handler]
pub(crate) async fn check(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Staff(staff): Staff,
    Client(client): Client,
    upload: CsrfUpload,
) -> poem::Result<Response> {
    let token = session.lock().await.csrf();
    let skip_invalid = upload.fields.contains_key("skip_invalid");
    let bytes = upload.files.get(FILE).filter(|b| !b.is_empty());
    let Some(bytes) = bytes else {
        let errors = [(FILE.to_owned(), "事業所台帳ファイルを選んでください。".to_owned())];
        return Ok(page(&token, &errors, html! {}).into_response());
    };
    let file = match RegisterFile::parse(bytes) {
        Ok(file) => file,
        Err(e) => return Ok(page(&token, &[(FILE.to_owned(), e.explain().message)], html! {}).into_response()),
    };
    let encoding = file.encoding;
    // The text as read, for the second step; it is UTF-8 from here on.
    let text = RegisterFile::decode(bytes).map(|(text, _)| text).unwrap_or_default();
    let options = ImportOptions { dry_run: true, skip_invalid };
    let report = app.mypage.import_register(AdminActor::Staff(staff), file, options, &client).await;
    let report = report.map_err(|e| poem::Error::from(e.explain()))?;
    let importable = report.imported + report.updated > 0 && (report.rejected.is_empty() || skip_invalid);
    let body = html! {
        h2 { "確認の結果" }
        p { "文字コード：" (encoding.name()) }
        p.summary { (counts(&report)) }
        (rejected_table(&report))
        @if importable {
            // Multipart, not urlencoded: the text travels as it is, not three times its size in %XX escapes.
            form method="post" action=(REGISTER_COMMIT_PATH) enctype="multipart/form-data" {
                (csrf(&token))
                textarea name="content" hidden aria-hidden="true" { (text) }
                @if skip_invalid { input type="hidden" name="skip_invalid" value="on"; }
                div.actions { button type="submit" { "この内容で取り込む" } }
            }
        } @else if report.rejected.is_empty() {
            p { "取り込む事業所はありません。すべて登録済みの内容と同じです。" }
        } @else {
            p { "取り込めない行を修正してから、もう一度ファイルを選んでください。取り込めない行を除いて取り込む場合は、「" (SKIP_INVALID) "」を選んでください。" }
        }
    };
    Ok(page(&token, &[], body).into_response())
}

/// Imports the checked file and shows what was done.
#[handler]
pub(crate) async fn commit(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Staff(staff): Staff,
    Client(client): Client,
    form: CsrfUpload,
) -> poem::Result<Response> {
    let token = session.lock().await.csrf();
    let content = form.fields.get("content").map(String::as_str).unwrap_or_default();
    let file = match RegisterFile::parse(content.as_bytes()) {
        Ok(file) => file,
        Err(e) => return Ok(page(&token, &[(FILE.to_owned(), e.explain().message)], html! {}).into_response()),
    };
    let options = ImportOptions { dry_run: false, skip_invalid: form.fields.contains_key("skip_invalid") };
    let report = app.mypage.import_register(AdminActor::Staff(staff), file, options, &client).await;
    let report = report.map_err(|e| poem::Error::from(e.explain()))?;
    let body = html! {
        h2 { "取込みの結果" }
        @if report.written {
            div.notice role="status" { p { "事業所台帳を取り込みました。" (counts(&report)) } }
        } @else {
            div.error-summary role="alert" { p { "取り込めない行があるため、取り込みませんでした。" (counts(&report)) } }
        }
        (rejected_table(&report))
    };
    Ok(page(&token, &[], body).into_response())
}
