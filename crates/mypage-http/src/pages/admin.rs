//! The rest of the staff console: finding an establishment of one's own office by name or number (R12), and, for
//! admins, staff accounts (R14); offices are in `offices.rs`, terms versions and dead mails in `terms_and_mail.rs`. The `Admin`
//! extractor refuses any member but an admin, and `CentralAdmin` an office admin too on the pages that act across
//! offices; every step is checked again in the domain (R14).
//!
//! A step that fails sends its page back with what was typed (never a password) and the problem in the outcome
//! line, and beside its field; a refusal or an outage is the problem's own page.

use maud::{Markup, html};
use mypage_domain::model::{AdminScope, StaffId};
use mypage_domain::usecases::{AdminActor, ESTABLISHMENT_SEARCH_LIMIT, NewStaffMember};
use mypage_domain::values::{Choice, StaffRole, jst};
use poem::http::StatusCode;
use poem::web::{Data, Query};
use poem::{IntoResponse, Request, Response, handler};
use secrecy::SecretString;
use serde::Deserialize;

pub(crate) use crate::pages::terms_and_mail::{dead_mails, publish_terms, requeue_mail, terms_versions};

use crate::app::App;
use crate::extract::{Admin, Client, CsrfForm, Staff, checkbox};
use crate::pages::console::console_layout;
use crate::pages::forms::NoFields;
use crate::pages::layout::{csrf, field_error, has_error, on_form, outcome, scrolling, stays_on_form, with_status};
use crate::pages::staff::{breadcrumb, establishment_label, label};
use crate::problem::{Explain, Problem};
use crate::session::SessionHandle;

/// A page of the console beside the menu: its path and title, by which the menu links it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConsolePage {
    /// Its path.
    pub(crate) path: &'static str,
    /// Its title, heading and link text.
    pub(crate) title: &'static str,
}

/// Finding an establishment (R12), for every member.
pub(crate) const SEARCH: ConsolePage = ConsolePage { path: "/staff/establishments", title: "事業所の検索" };
const STAFF: ConsolePage = ConsolePage { path: "/staff/admin/staff", title: "職員の管理" };
pub(crate) const OFFICES: ConsolePage =
    ConsolePage { path: "/staff/admin/offices", title: "ハローワークの管理" };
/// Publishing terms versions (R1).
pub(crate) const TERMS: ConsolePage = ConsolePage { path: "/staff/admin/terms", title: "利用規約の管理" };
/// The mails that could not be sent (R16).
pub(crate) const MAIL: ConsolePage =
    ConsolePage { path: "/staff/admin/mail", title: "送信できなかったメール" };

/// The admin pages a member may use, in the menu's order (R14): an office admin its own office's staff and the
/// office itself, a central admin every page; so that the menu links no page that would refuse them.
pub(crate) fn admin_pages(scope: Option<&AdminScope>) -> &'static [ConsolePage] {
    match scope {
        Some(AdminScope::Central) => &[STAFF, OFFICES, TERMS, MAIL],
        Some(AdminScope::Office(_)) => &[STAFF, OFFICES],
        None => &[],
    }
}

/// A member's roles by their names, as the staff list and the console's header show them.
pub(crate) fn role_names(roles: &[StaffRole]) -> String {
    roles.iter().map(|r| r.label_ja()).collect::<Vec<_>>().join("・")
}

/// The column of a list's buttons and links.
pub(crate) const ACTIONS: &str = "操作";
/// An office, as a column and a field.
const OFFICE: &str = "ハローワーク";
/// The button of an admin's form that adds something.
pub(crate) const ADD: &str = "追加する";

/// The admin pages' shared frame: breadcrumb, title, the outcome of the last step, then the body.
pub(crate) fn admin_page(page: ConsolePage, message: Option<&(bool, String)>, body: Markup) -> Markup {
    let body = html! {
        (breadcrumb(page.title))
        h1 { (page.title) }
        (outcome(message))
        (body)
    };
    console_layout(page.title, body)
}

/// Whether a step's problem is told in the outcome line of the page it came from (what the admin can put right,
/// or a member or mail that is no longer there), rather than as a page of its own (a refusal, an outage).
pub(crate) fn told_on_page(problem: &Problem) -> bool {
    stays_on_form(problem) || problem.code == "not_found"
}

/// The failed step's outcome line.
pub(crate) fn failed(problem: &Problem) -> (bool, String) {
    (false, problem.message.clone())
}

/// The search box.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// Establishments of the member's office by name or number (R12), each with a link to register an address for it
/// when the member is counter staff, who may.
#[handler]
pub(crate) async fn find_establishments(
    Data(app): Data<&App>,
    Staff(staff): Staff,
    Query(SearchQuery { q }): Query<SearchQuery>,
) -> poem::Result<Response> {
    let found = app.mypage.find_establishments(staff, &q).await.map_err(Explain::explain)?;
    let view = app.mypage.staff_view(staff).await.map_err(|e| Problem::unavailable(&e))?;
    let is_counter = view.is_some_and(|v| v.roles.contains(&StaffRole::Counter));
    let name_label = establishment_label("name");
    let body = html! {
        form method="get" action=(SEARCH.path) {
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
                p { (format!("表示は{ESTABLISHMENT_SEARCH_LIMIT}件までです。名称を詳しく入力して絞り込んでください。")) }
            }
            (scrolling("事業所の一覧", html! {
                table {
                    tr { th scope="col" { (label::NUMBER) } th scope="col" { (name_label) } th scope="col" { "登録日" } @if is_counter { th scope="col" { (ACTIONS) } } }
                    @for e in &found {
                        tr {
                            td { (e.number()) }
                            td { (e.name()) }
                            td { (jst(e.created_at())) }
                            @if is_counter { td { a href={"/staff/counter?number=" (e.number())} { "メールアドレスを登録" } } }
                        }
                    }
                }
            }))
        }
    };
    Ok(admin_page(SEARCH, None, body).into_response())
}

/// The form that adds a member (R14): roles as checkboxes. No `Debug`: it holds the initial password.
#[derive(Default, Deserialize)]
pub(crate) struct StaffForm {
    #[serde(default)]
    office: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    name: String,
    #[serde(default, deserialize_with = "checkbox")]
    role_counter: bool,
    #[serde(default, deserialize_with = "checkbox")]
    role_reviewer: bool,
    #[serde(default, deserialize_with = "checkbox")]
    role_office_admin: bool,
    #[serde(default, deserialize_with = "checkbox")]
    role_central_admin: bool,
    #[serde(default)]
    password: String,
}

impl StaffForm {
    /// Whether the role's box was ticked.
    fn has(&self, role: StaffRole) -> bool {
        match role {
            StaffRole::Counter => self.role_counter,
            StaffRole::Reviewer => self.role_reviewer,
            StaffRole::OfficeAdmin => self.role_office_admin,
            StaffRole::CentralAdmin => self.role_central_admin,
        }
    }
}

impl From<StaffForm> for NewStaffMember {
    fn from(form: StaffForm) -> Self {
        let roles = StaffRole::ALL.iter().copied().filter(|r| form.has(*r)).collect();
        Self {
            office: form.office,
            login: form.login,
            name: form.name,
            roles,
            password: SecretString::from(form.password),
        }
    }
}

/// The step that resets a member's second factor (R21), and its button.
const RESET: &str = "reset-second-factor";
const RESET_LABEL: &str = "確認コードの再設定";

/// The staff list, read afresh, and the form that adds a member, filled in with `typed` (never its password). The
/// list is what the domain gives the admin; the form offers the offices and roles `scope` may give, and each row
/// the buttons it may use (R14).
async fn staff_page(
    app: &App,
    session: &SessionHandle,
    me: StaffId,
    scope: &AdminScope,
    typed: Option<&NewStaffMember>,
    problem: Option<&Problem>,
    message: Option<&(bool, String)>,
) -> Result<Markup, Problem> {
    let list = app.mypage.staff_list(me).await.map_err(Explain::explain)?;
    let mut offices = app.offices().await?;
    offices.retain(|o| scope.covers(o.code()));
    let token = session.lock().await.csrf();
    let errors = problem.map(Problem::messages).unwrap_or_default();
    let value = |f: fn(&NewStaffMember) -> &str| typed.map_or("", f);
    let checked = |role: StaffRole| typed.is_some_and(|t| t.roles.contains(&role));
    let body = html! {
        (scrolling("職員の一覧", html! {
            table {
                tr { th scope="col" { (OFFICE) } th scope="col" { (label::LOGIN) } th scope="col" { "氏名" } th scope="col" { "役割" } th scope="col" { "状態" } th scope="col" { (ACTIONS) } }
                @for s in &list {
                    tr {
                        td { (s.office) }
                        td { (s.login) }
                        td { (s.name) }
                        td { (role_names(&s.roles)) }
                        td { @if s.active { "有効" } @else { "停止中" } }
                        td {
                            @if s.id != me && scope.may_manage(&s.office, &s.roles) {
                                @let (access, text) = if s.active { ("deactivate", "利用を停止する") } else { ("reactivate", "利用を再開する") };
                                form method="post" action={(STAFF.path) "/" (s.id) "/" (access)} {
                                    (csrf(&token))
                                    button.secondary type="submit" aria-label={(s.login) "の" (text)} { (text) }
                                }
                                @if s.second_factor_enrolled {
                                    form method="post" action={(STAFF.path) "/" (s.id) "/" (RESET)} {
                                        (csrf(&token))
                                        button.secondary type="submit" aria-label={(s.login) "の" (RESET_LABEL)} { (RESET_LABEL) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }))
        h2 { "職員の追加" }
        form method="post" action=(STAFF.path) {
            (csrf(&token))
            div.field.invalid[has_error(&errors, "office")] {
                label for="office" { (OFFICE) }
                (field_error(&errors, "office"))
                select id="office" name="office" {
                    @for o in &offices {
                        option value=(o.code()) selected[value(|t| &t.office) == o.code().as_str()] { (o.code()) " " (o.name()) }
                    }
                }
            }
            div.field.invalid[has_error(&errors, "login")] {
                label for="login" { (label::LOGIN) }
                span.hint id="login-hint" { "3～64文字の半角英数字と「.」「_」「-」" }
                (field_error(&errors, "login"))
                input type="text" id="login" name="login" autocomplete="off" value=(value(|t| &t.login)) aria-describedby="login-hint";
            }
            div.field.invalid[has_error(&errors, "name")] {
                label for="name" { "氏名" }
                (field_error(&errors, "name"))
                input type="text" id="name" name="name" autocomplete="off" value=(value(|t| &t.name));
            }
            fieldset.field.invalid[has_error(&errors, "roles")] {
                legend { "役割" }
                (field_error(&errors, "roles"))
                @for role in StaffRole::ALL.iter().filter(|r| scope.may_grant(**r)) {
                    div.check {
                        input type="checkbox" id={"role_" (role.code())} name={"role_" (role.code())} checked[checked(*role)];
                        label for={"role_" (role.code())} { (role.label_ja()) }
                    }
                }
            }
            div.field.invalid[has_error(&errors, "password")] {
                label for="password" { "初期パスワード" }
                span.hint id="password-hint" { "職員のパスワードにも、事業所と同じ規則が適用されます。" }
                (field_error(&errors, "password"))
                input type="password" id="password" name="password" autocomplete="new-password" aria-describedby="password-hint";
            }
            div.actions { button type="submit" { (ADD) } }
        }
    };
    Ok(admin_page(STAFF, message, body))
}

/// The staff list and the form that adds a member, for admins (R14).
#[handler]
pub(crate) async fn staff_accounts(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Admin(me, scope): Admin,
) -> poem::Result<Response> {
    Ok(staff_page(app, session, me, &scope, None, None, None).await?.into_response())
}

/// Adds a member (R14); the initial password is told to them in person.
#[handler]
pub(crate) async fn add_staff(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Admin(me, scope): Admin,
    Client(client): Client,
    CsrfForm(form): CsrfForm<StaffForm>,
) -> poem::Result<Response> {
    let input = NewStaffMember::from(form);
    match app.mypage.add_staff(AdminActor::Staff(me), &input, &client).await {
        Ok(_) => {
            let done = format!(
                "{} さん（{}）を追加しました。初期パスワードは本人に直接お伝えください。",
                input.name, input.login
            );
            Ok(staff_page(app, session, me, &scope, None, None, Some(&(true, done))).await?.into_response())
        }
        Err(e) => {
            let problem = e.explain();
            if !told_on_page(&problem) {
                return Err(problem.into());
            }
            let page =
                staff_page(app, session, me, &scope, Some(&input), Some(&problem), Some(&failed(&problem))).await?;
            Ok(on_form(page, &problem))
        }
    }
}

/// `/staff/admin/staff/:id/deactivate` and `…/reactivate` (R14), and `…/reset-second-factor` (R21); any other
/// step names no page.
#[handler]
pub(crate) async fn staff_access(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Admin(me, scope): Admin,
    Client(client): Client,
    CsrfForm(_): CsrfForm<NoFields>,
) -> poem::Result<Response> {
    let active = match req.raw_path_param("access") {
        Some("deactivate") => Some(false),
        Some("reactivate") => Some(true),
        Some(RESET) => None,
        _ => return Err(Problem::page_not_found().into()),
    };
    let member = req.raw_path_param("id").and_then(|raw| raw.parse().ok()).map(StaffId::from_uuid);
    let result = match (member, active) {
        (Some(member), Some(active)) => {
            app.mypage.set_staff_active(me, member, active, &client).await.map_err(Explain::explain)
        }
        (Some(member), None) => app.mypage.reset_second_factor(me, member, &client).await.map_err(Explain::explain),
        (None, _) => Err(Problem::staff_not_found()),
    };
    let (message, status) = match result {
        Ok(()) if active.is_none() => (
            (true, "確認コードを再設定しました。この職員は、次のログインで確認コードを設定し直します。".to_owned()),
            StatusCode::OK,
        ),
        Ok(()) if active == Some(true) => ((true, "利用を再開しました。".to_owned()), StatusCode::OK),
        Ok(()) => (
            (true, "利用を停止しました。この職員はログインできず、ログイン中の操作もできなくなります。".to_owned()),
            StatusCode::OK,
        ),
        Err(problem) if told_on_page(&problem) => (failed(&problem), StatusCode::OK),
        Err(problem) => return Err(problem.into()),
    };
    Ok(with_status(staff_page(app, session, me, &scope, None, None, Some(&message)).await?, status))
}
