//! The rest of the staff console: finding an establishment of one's own office by name or number (R12), and, for
//! admins, staff accounts, offices, terms versions (R1) and the mails that could not be sent (R16). Every page asks
//! the domain, which checks the member's role and office (R14).

use std::collections::HashMap;

use maud::{Markup, html};
use mypage_domain::model::{MailId, StaffId};
use mypage_domain::usecases::{
    AddOfficeError, AddStaffError, AdminActor, ConsoleError, ESTABLISHMENT_SEARCH_LIMIT, NewOffice, NewStaffMember,
    PublishTermsError, StaffAccessError, StaffView,
};
use mypage_domain::values::{Choice, StaffRole, TermsKind, jst};
use poem::web::{Data, Form, Path, Query};
use poem::{IntoResponse, Request, Response, handler};
use secrecy::SecretString;

use crate::page::{csrf, layout, multiline};
use crate::session::SessionHandle;
use crate::staff::{member, not_permitted};
use crate::{App, client, forbidden, unavailable};

type FormData = Form<HashMap<String, String>>;

fn field(form: &HashMap<String, String>, name: &str) -> String {
    form.get(name).cloned().unwrap_or_default()
}

/// The admin pages' shared frame: breadcrumb, title, an outcome message, then the body.
fn admin_page(app: &App, title: &str, message: Option<&(bool, String)>, body: Markup) -> Response {
    let body = html! {
        p.breadcrumb { a href="/staff" { "職員メニュー" } " > " (title) }
        h1 { (title) }
        @if let Some((ok, m)) = message {
            @if *ok { div.notice role="status" { p { (m) } } } @else { div.error-summary role="alert" { p { (m) } } }
        }
        (body)
    };
    layout(title, &app.config.help_desk, body).into_response()
}

/// The member, if an admin; otherwise the response to send (login page or "not permitted").
async fn admin(app: &App, session: &SessionHandle) -> Result<(StaffId, String), Response> {
    let (staff, token) = member(session).await?;
    match app.mypage.staff_view(staff).await {
        Ok(Some(view)) if view.roles.contains(&StaffRole::Admin) => Ok((staff, token)),
        Ok(_) => Err(not_permitted(app)),
        Err(e) => Err(unavailable(app, &e)),
    }
}

/// An admin's form: the member, if an admin and the form carries the session's CSRF token.
async fn admin_form(
    app: &App,
    session: &SessionHandle,
    form: &HashMap<String, String>,
) -> Result<(StaffId, String), Response> {
    let (staff, token) = admin(app, session).await?;
    if field(form, "csrf") != token {
        return Err(forbidden(app));
    }
    Ok((staff, token))
}

fn console_error(app: &App, e: ConsoleError) -> Response {
    match e {
        ConsoleError::NotPermitted => not_permitted(app),
        ConsoleError::Infrastructure(e) => unavailable(app, &e),
    }
}

/// A wide table that scrolls sideways on a narrow screen, reachable by keyboard.
fn scrolling(label: &str, table: Markup) -> Markup {
    html! { div.table-scroll tabindex="0" role="region" aria-label=(label) { (table) } }
}

#[handler]
pub(crate) async fn find_establishments(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let (staff, _) = match member(session).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let q = field(&query, "q");
    let found = match app.mypage.find_establishments(staff, &q).await {
        Ok(found) => found,
        Err(e) => return console_error(app, e),
    };
    let body = html! {
        form method="get" action="/staff/establishments" {
            div.field {
                label for="q" { "事業所名または事業所番号" }
                span.hint id="q-hint" { "名称の一部でも探せます。空欄のまま検索すると、担当する事業所を番号順に表示します。" }
                input type="search" id="q" name="q" value=(q) aria-describedby="q-hint";
            }
            div.actions { button type="submit" { "検索する" } }
        }
        @if found.is_empty() {
            p { "該当する事業所はありません。" }
        } @else {
            @if found.len() == ESTABLISHMENT_SEARCH_LIMIT {
                p { "表示は" (ESTABLISHMENT_SEARCH_LIMIT) "件までです。名称を詳しく入力して絞り込んでください。" }
            }
            (scrolling("事業所の一覧", html! {
                table {
                    tr { th scope="col" { "事業所番号" } th scope="col" { "事業所名称" } th scope="col" { "登録日" } th scope="col" { "操作" } }
                    @for e in &found {
                        tr {
                            td { (e.number) }
                            td { (e.name) }
                            td { (jst(e.created_at)) }
                            td { a href={"/staff/counter?number=" (e.number)} { "メールアドレスを登録" } }
                        }
                    }
                }
            }))
        }
    };
    admin_page(app, "事業所の検索", None, body)
}

async fn staff_page(
    app: &App,
    me: StaffId,
    token: &str,
    list: &[StaffView],
    form: &HashMap<String, String>,
    message: Option<(bool, String)>,
) -> Response {
    let offices = app.offices().await;
    let checked = |role: StaffRole| form.contains_key(&format!("role_{}", role.code()));
    let body = html! {
        (scrolling("職員の一覧", html! {
            table {
                tr { th scope="col" { "ハローワーク" } th scope="col" { "職員ID" } th scope="col" { "氏名" } th scope="col" { "役割" } th scope="col" { "状態" } th scope="col" { "操作" } }
                @for s in list {
                    tr {
                        td { (s.office) }
                        td { (s.login) }
                        td { (s.name) }
                        td { (s.roles.iter().map(|r| r.label_ja()).collect::<Vec<_>>().join("・")) }
                        td { @if s.active { "有効" } @else { "停止中" } }
                        td {
                            @if s.id != me {
                                @let (action, label) = if s.active { ("deactivate", "利用を停止する") } else { ("reactivate", "利用を再開する") };
                                form method="post" action={"/staff/admin/staff/" (s.id) "/" (action)} {
                                    (csrf(token))
                                    button.secondary type="submit" aria-label={(s.login) "の" (label)} { (label) }
                                }
                            }
                        }
                    }
                }
            }
        }))
        h2 { "職員の追加" }
        form method="post" action="/staff/admin/staff" {
            (csrf(token))
            div.field {
                label for="office" { "ハローワーク" }
                select id="office" name="office" {
                    @for o in &offices {
                        option value=(o.code) selected[field(form, "office") == o.code.as_str()] { (o.code) " " (o.name) }
                    }
                }
            }
            div.field { label for="login" { "職員ID" } span.hint id="login-hint" { "3～64文字の半角英数字と「.」「_」「-」" } input type="text" id="login" name="login" autocomplete="off" value=(field(form, "login")) aria-describedby="login-hint"; }
            div.field { label for="name" { "氏名" } input type="text" id="name" name="name" autocomplete="off" value=(field(form, "name")); }
            fieldset.field {
                legend { "役割" }
                @for role in StaffRole::ALL {
                    div.check {
                        input type="checkbox" id={"role_" (role.code())} name={"role_" (role.code())} checked[checked(*role)];
                        label for={"role_" (role.code())} { (role.label_ja()) }
                    }
                }
            }
            div.field { label for="password" { "初期パスワード" } span.hint id="password-hint" { "職員のパスワードにも、事業所と同じ規則が適用されます。" } input type="password" id="password" name="password" autocomplete="new-password" aria-describedby="password-hint"; }
            div.actions { button type="submit" { "追加する" } }
        }
    };
    admin_page(app, "職員の管理", message.as_ref(), body)
}

#[handler]
pub(crate) async fn staff_accounts(Data(app): Data<&App>, Data(session): Data<&SessionHandle>) -> Response {
    let (staff, token) = match admin(app, session).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    match app.mypage.staff_list(staff).await {
        Ok(list) => staff_page(app, staff, &token, &list, &HashMap::new(), None).await,
        Err(e) => console_error(app, e),
    }
}

#[handler]
pub(crate) async fn add_staff(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Form(form): FormData,
) -> Response {
    let (staff, token) = match admin_form(app, session, &form).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let roles: Vec<StaffRole> =
        StaffRole::ALL.iter().copied().filter(|r| form.contains_key(&format!("role_{}", r.code()))).collect();
    let input = NewStaffMember {
        office: field(&form, "office"),
        login: field(&form, "login"),
        name: field(&form, "name"),
        roles,
        password: SecretString::from(field(&form, "password")),
    };
    let outcome = match app.mypage.add_staff(AdminActor::Staff(staff), &input, &client(req)).await {
        Ok(_) => Ok(format!(
            "{} さん（{}）を追加しました。初期パスワードは本人に直接お伝えください。",
            input.name, input.login
        )),
        Err(AddStaffError::NotPermitted) => return not_permitted(app),
        Err(AddStaffError::UnknownOffice) => Err("ハローワークを選んでください。".to_owned()),
        Err(AddStaffError::InvalidLogin) => {
            Err("職員IDは3～64文字の半角英数字と「.」「_」「-」で入力してください。".to_owned())
        }
        Err(AddStaffError::InvalidName) => Err("氏名を60文字以内で入力してください。".to_owned()),
        Err(AddStaffError::NoRole) => Err("役割を1つ以上選んでください。".to_owned()),
        Err(AddStaffError::Password(mypage_domain::values::PasswordPolicyError::ContainsEmail)) => {
            Err("初期パスワード：職員IDを含むパスワードは使えません。".to_owned())
        }
        Err(AddStaffError::Password(e)) => Err(format!("初期パスワード：{}", crate::page::password_problem(e).1)),
        Err(AddStaffError::Duplicate) => Err("この職員IDは、すでに使われています。".to_owned()),
        Err(AddStaffError::Infrastructure(e)) => return unavailable(app, &e),
    };
    let list = match app.mypage.staff_list(staff).await {
        Ok(list) => list,
        Err(e) => return console_error(app, e),
    };
    match outcome {
        Ok(message) => staff_page(app, staff, &token, &list, &HashMap::new(), Some((true, message))).await,
        // Everything typed comes back but the password, which is never echoed into a page.
        Err(message) => staff_page(app, staff, &token, &list, &form, Some((false, message))).await,
    }
}

/// `/staff/admin/staff/:id/deactivate` and `…/reactivate`.
#[handler]
pub(crate) async fn staff_access(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Path((id, action)): Path<(String, String)>,
    Form(form): FormData,
) -> Response {
    let (staff, token) = match admin_form(app, session, &form).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let active = match action.as_str() {
        "deactivate" => false,
        "reactivate" => true,
        _ => return poem::http::StatusCode::NOT_FOUND.into_response(),
    };
    let message = match id.parse().map(StaffId::from_uuid) {
        Err(_) => (false, "指定された職員は見つかりません。".to_owned()),
        Ok(member) => match app.mypage.set_staff_active(staff, member, active, &client(req)).await {
            Ok(()) if active => (true, "利用を再開しました。".to_owned()),
            Ok(()) => {
                (true, "利用を停止しました。この職員はログインできず、ログイン中の操作もできなくなります。".to_owned())
            }
            Err(StaffAccessError::NotPermitted) => return not_permitted(app),
            Err(StaffAccessError::NotFound) => (false, "指定された職員は見つかりません。".to_owned()),
            Err(StaffAccessError::OwnAccess) => (false, "ご自身の利用は停止できません。".to_owned()),
            Err(StaffAccessError::Concurrent) => {
                (false, "同時にほかの管理者が変更しました。一覧を確認してから、もう一度操作してください。".to_owned())
            }
            Err(StaffAccessError::Infrastructure(e)) => return unavailable(app, &e),
        },
    };
    match app.mypage.staff_list(staff).await {
        Ok(list) => staff_page(app, staff, &token, &list, &HashMap::new(), Some(message)).await,
        Err(e) => console_error(app, e),
    }
}

async fn offices_page(
    app: &App,
    token: &str,
    form: &HashMap<String, String>,
    message: Option<(bool, String)>,
) -> Response {
    let offices = app.offices().await;
    let body = html! {
        (scrolling("ハローワークの一覧", html! {
            table {
                tr { th scope="col" { "コード" } th scope="col" { "名称" } th scope="col" { "電話番号" } }
                @for o in &offices {
                    tr { td { (o.code) } td { (o.name) } td { (o.phone.clone().unwrap_or_default()) } }
                }
            }
        }))
        h2 { "ハローワークの追加" }
        form method="post" action="/staff/admin/offices" {
            (csrf(token))
            div.field { label for="code" { "コード" } span.hint id="code-hint" { "4桁の数字（事業所番号の最初の4桁）" } input type="text" id="code" name="code" inputmode="numeric" value=(field(form, "code")) aria-describedby="code-hint"; }
            div.field { label for="name" { "名称" } input type="text" id="name" name="name" value=(field(form, "name")); }
            div.field { label for="phone" { "電話番号" } span.hint id="phone-hint" { "事業所からの問い合わせ先として表示します（任意）" } input type="tel" id="phone" name="phone" value=(field(form, "phone")) aria-describedby="phone-hint"; }
            div.actions { button type="submit" { "追加する" } }
        }
    };
    admin_page(app, "ハローワークの管理", message.as_ref(), body)
}

#[handler]
pub(crate) async fn office_list(Data(app): Data<&App>, Data(session): Data<&SessionHandle>) -> Response {
    match admin(app, session).await {
        Ok((_, token)) => offices_page(app, &token, &HashMap::new(), None).await,
        Err(r) => r,
    }
}

#[handler]
pub(crate) async fn add_office(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Form(form): FormData,
) -> Response {
    let (staff, token) = match admin_form(app, session, &form).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let phone = Some(field(&form, "phone")).filter(|p| !p.trim().is_empty());
    let input = NewOffice { code: field(&form, "code"), name: field(&form, "name"), phone };
    let outcome = match app.mypage.add_office(AdminActor::Staff(staff), &input, &client(req)).await {
        Ok(code) => Ok(format!("ハローワーク（{code}）を追加しました。")),
        Err(AddOfficeError::NotPermitted) => return not_permitted(app),
        Err(AddOfficeError::InvalidCode) => Err("コードは4桁の数字で入力してください。"),
        Err(AddOfficeError::InvalidName) => Err("名称を60文字以内で入力してください。"),
        Err(AddOfficeError::Duplicate) => Err("このコードのハローワークは、すでに登録されています。"),
        Err(AddOfficeError::Infrastructure(e)) => return unavailable(app, &e),
    };
    match outcome {
        Ok(m) => offices_page(app, &token, &HashMap::new(), Some((true, m))).await,
        Err(m) => offices_page(app, &token, &form, Some((false, m.to_owned()))).await,
    }
}

fn kind_label(kind: TermsKind) -> &'static str {
    match kind {
        TermsKind::PrivacyPolicy => "プライバシーポリシー",
        TermsKind::MyPageTerms => "マイページ利用規約",
    }
}

async fn terms_page(
    app: &App,
    token: &str,
    form: &HashMap<String, String>,
    message: Option<(bool, String)>,
) -> Response {
    let current = match app.mypage.current_terms().await {
        Ok(c) => c,
        Err(e) => return unavailable(app, &e),
    };
    let body = html! {
        p { "新しい版を公開すると、それ以降に申し込む事業所は、新しい版に同意します。公開前の画面で同意した申込は、改定後の内容への同意を求められます。" }
        @if let Some(c) = &current {
            @for d in [&c.privacy_policy, &c.mypage_terms] {
                h2 { (kind_label(d.kind)) "（第" (d.version.0) "版、" (jst(d.published_at)) " 公開）" }
                div.terms tabindex="0" role="region" aria-label={(kind_label(d.kind)) "の本文"} { (multiline(&d.body)) }
            }
        } @else {
            p { "まだ公開されていません。両方を公開するまで、事業所は申し込めません。" }
        }
        h2 { "新しい版の公開" }
        form method="post" action="/staff/admin/terms" {
            (csrf(token))
            div.field {
                label for="kind" { "文書" }
                select id="kind" name="kind" {
                    @for kind in TermsKind::ALL {
                        option value=(kind.code()) selected[field(form, "kind") == kind.code()] { (kind_label(kind)) }
                    }
                }
            }
            div.field { label for="body" { "本文" } textarea id="body" name="body" rows="12" { (field(form, "body")) } }
            div.actions { button type="submit" { "公開する" } }
        }
    };
    admin_page(app, "利用規約の管理", message.as_ref(), body)
}

#[handler]
pub(crate) async fn terms_versions(Data(app): Data<&App>, Data(session): Data<&SessionHandle>) -> Response {
    match admin(app, session).await {
        Ok((_, token)) => terms_page(app, &token, &HashMap::new(), None).await,
        Err(r) => r,
    }
}

#[handler]
pub(crate) async fn publish_terms(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Form(form): FormData,
) -> Response {
    let (staff, token) = match admin_form(app, session, &form).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let Some(kind) = TermsKind::ALL.into_iter().find(|k| k.code() == field(&form, "kind")) else {
        return terms_page(app, &token, &form, Some((false, "文書を選んでください。".into()))).await;
    };
    let outcome =
        match app.mypage.publish_terms(AdminActor::Staff(staff), kind, &field(&form, "body"), &client(req)).await {
            Ok(v) => Ok(format!("{}の第{}版を公開しました。", kind_label(kind), v.0)),
            Err(PublishTermsError::NotPermitted) => return not_permitted(app),
            Err(PublishTermsError::EmptyBody) => Err("本文を入力してください。"),
            Err(PublishTermsError::Concurrent) => {
                Err("同時にほかの版が公開されました。最新の内容を確認してから、もう一度公開してください。")
            }
            Err(PublishTermsError::Infrastructure(e)) => return unavailable(app, &e),
        };
    match outcome {
        Ok(m) => terms_page(app, &token, &HashMap::new(), Some((true, m))).await,
        Err(m) => terms_page(app, &token, &form, Some((false, m.to_owned()))).await,
    }
}

/// What a mail was, as the office calls it.
fn template_label(code: &str) -> &str {
    match code {
        "auth_key" => "認証キー",
        "account_notice" => "アカウントのお知らせ",
        "registration_received" => "仮登録の受付",
        "registration_confirmed" => "本登録の完了",
        "contact_needed" => "連絡のお願い",
        "registration_returned" => "修正のお願い",
        "registration_rejected" => "本登録の見送り",
        "password_changed" => "パスワード変更のお知らせ",
        other => other,
    }
}

async fn mail_page(app: &App, staff: StaffId, token: &str, message: Option<(bool, String)>) -> Response {
    let dead = match app.mypage.dead_mails(staff).await {
        Ok(d) => d,
        Err(e) => return console_error(app, e),
    };
    let body = html! {
        p { "送信を続けても届かなかったメールです。送信先や配信の設定を確認してから、もう一度送信できます。認証キーのメールは有効期限を過ぎていることがあります。その場合は、事業所に申込のやり直しをご案内ください。" }
        @if dead.is_empty() {
            p { "送信できなかったメールはありません。" }
        } @else {
            (scrolling("送信できなかったメールの一覧", html! {
                table {
                    tr { th scope="col" { "作成日時" } th scope="col" { "送信先" } th scope="col" { "種類" } th scope="col" { "試行回数" } th scope="col" { "最後の応答" } th scope="col" { "操作" } }
                    @for m in &dead {
                        tr {
                            td { (jst(m.created_at)) }
                            td { (m.to.masked()) }
                            td { (template_label(&m.template)) }
                            td { (m.attempts) }
                            td { (m.last_error.clone().unwrap_or_default()) }
                            td {
                                form method="post" action={"/staff/admin/mail/" (m.id) "/requeue"} {
                                    (csrf(token))
                                    button.secondary type="submit" aria-label={(jst(m.created_at)) "のメールをもう一度送信する"} { "もう一度送信する" }
                                }
                            }
                        }
                    }
                }
            }))
        }
    };
    admin_page(app, "送信できなかったメール", message.as_ref(), body)
}

#[handler]
pub(crate) async fn dead_mails(Data(app): Data<&App>, Data(session): Data<&SessionHandle>) -> Response {
    match admin(app, session).await {
        Ok((staff, token)) => mail_page(app, staff, &token, None).await,
        Err(r) => r,
    }
}

#[handler]
pub(crate) async fn requeue_mail(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Path(id): Path<String>,
    Form(form): FormData,
) -> Response {
    let (staff, token) = match admin_form(app, session, &form).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let Ok(uuid) = id.parse() else {
        return mail_page(app, staff, &token, Some((false, "指定されたメールは見つかりません。".into()))).await;
    };
    let message = match app.mypage.requeue_mail(staff, MailId::from_uuid(uuid), &client(req)).await {
        Ok(true) => (true, "送信の待ち行列に戻しました。まもなく送信します。".to_owned()),
        Ok(false) => (false, "このメールは、すでに送信の待ち行列に戻されています。".to_owned()),
        Err(e) => return console_error(app, e),
    };
    mail_page(app, staff, &token, Some(message)).await
}
