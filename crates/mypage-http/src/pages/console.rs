//! The staff console's own shell: a header that says it is the office's console and who is logged in (name,
//! office, roles, logout), with, for a reviewer, how many submissions wait in the office's queue (R20); and a
//! footer without the public help desk, which is the employers' and not the staff's.
//!
//! Who is logged in is read once per request by [`around`], which wraps every page and keeps the member for the
//! request in a task-local; [`console_layout`] reads it there, so that the console's pages, which are sync
//! functions building markup, need no extra argument. A page outside a staff session (the login, the second
//! factor's steps) has the console's shell without a member.

use std::sync::Arc;

use maud::{DOCTYPE, Markup, html};
use poem::{Endpoint, IntoResponse, Request, Response};

use crate::app::App;
use crate::pages::admin::role_names;
use crate::pages::employer::LOGOUT;
use crate::pages::layout::{SERVICE, csrf};
use crate::session::SessionHandle;

/// The console's name, in its header and window titles.
const CONSOLE: &str = "職員用画面";

/// The member a console page is shown to.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    name: String,
    office: String,
    roles: String,
    /// How many registrations and job offers wait in the office's review queue; `None` for a member who does not
    /// review, or when the count could not be read.
    waiting: Option<u64>,
    /// The session's CSRF token, for the logout button.
    token: String,
}

tokio::task_local! {
    /// The member of the request being answered, set by [`around`] for a staff session.
    static MEMBER: Option<Member>;
}

/// Reads the logged-in member of a staff session, if any, for the console's header. A store that fails leaves
/// the header without the member: the page itself reads what it needs and answers the failure.
async fn member(req: &Request) -> Option<Member> {
    let app = req.data::<App>()?;
    let session = req.data::<SessionHandle>()?;
    let (staff, token) = {
        let mut s = session.lock().await;
        (s.staff()?, s.csrf())
    };
    let view = app.mypage.staff_view(staff).await.ok()??;
    // A count, not the queue: it is read on every console page (R20).
    let waiting = app.mypage.waiting_for_review(staff).await.ok().flatten();
    let office = match app.mypage.offices().await {
        Ok(offices) => offices.into_iter().find(|o| *o.code() == view.office).map(|o| o.name().to_owned()),
        Err(_) => None,
    };
    Some(Member {
        name: view.name,
        office: office.unwrap_or_else(|| view.office.to_string()),
        roles: role_names(&view.roles),
        waiting,
        token,
    })
}

/// Keeps the member of a staff session for the pages of `/staff`.
pub(crate) async fn around<E: Endpoint>(ep: Arc<E>, req: Request) -> poem::Result<Response> {
    let member = if req.uri().path().starts_with("/staff") { member(&req).await } else { None };
    MEMBER.scope(member, async move { ep.call(req).await.map(IntoResponse::into_response) }).await
}

/// The console's page shell: the console's header with the member, the page, and a footer without the public
/// help desk.
pub(crate) fn console_layout(title: &str, body: Markup) -> Markup {
    let member = MEMBER.try_with(Clone::clone).ok().flatten();
    html! {
        (DOCTYPE)
        html lang="ja" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " | " (CONSOLE) " | " (SERVICE) }
                link rel="stylesheet" href="/assets/site.css";
            }
            body.console {
                header.console {
                    div.console-name {
                        a href="/staff" { (SERVICE) " " (CONSOLE) }
                    }
                    @if let Some(m) = &member {
                        div.member {
                            p {
                                span { "職員：" (m.name) }
                                span { "所属：" (m.office) }
                                span { "権限：" (m.roles) }
                            }
                            @if let Some(n) = m.waiting {
                                p.waiting { a href="/staff" { (format!("審査待ち（{n}件）")) } }
                            }
                            form method="post" action="/logout" {
                                (csrf(&m.token))
                                button.secondary type="submit" { (LOGOUT) }
                            }
                        }
                    }
                }
                main id="main" { (body) }
                footer.console {
                    p { "この画面はハローワーク職員専用です。" }
                }
            }
        }
    }
}
