//! ログイン中の端末 (R19): the account's live sessions, browsers and API clients, each with when it started, when it
//! was last used, from which address and which browser in plain words; this browser's marked 「この端末」. Each other
//! one can be logged out, or all of them at once. A session is named by its handle, never its id.

use maud::{Markup, html};
use mypage_domain::values::jst;
use poem::web::{Data, Redirect};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;

use crate::app::App;
use crate::extract::{Client, CsrfForm, Employer};
use crate::pages::account::{SESSIONS, SESSIONS_PATH, account_breadcrumb, back_to_settings};
use crate::pages::employer::LOGOUT;
use crate::pages::layout::{csrf, layout, scrolling};
use crate::problem::{Explain, Problem};
use crate::session::{SessionHandle, Sessions};

/// A browser in plain words from its User-Agent: 「Chrome（Windows）」, 「Safari（iPhone）」, or 「不明」.
pub(crate) fn browser_name(user_agent: Option<&str>) -> String {
    let Some(ua) = user_agent.filter(|ua| !ua.trim().is_empty()) else { return "不明".to_owned() };
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .into_iter()
    .find(|(mark, _)| ua.contains(mark))
    .map(|(_, name)| name);
    let system = [
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("CrOS", "ChromeOS"),
        ("Mac OS X", "Mac"),
        ("Macintosh", "Mac"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(mark, _)| ua.contains(mark))
    .map(|(_, name)| name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b}（{s}）"),
        (Some(b), None) => b.to_owned(),
        (None, Some(s)) => format!("その他のブラウザー（{s}）"),
        // A program through the API: its own name, shortened.
        (None, None) => format!("その他（{}）", ua.chars().take(40).collect::<String>()),
    }
}

/// The list, with a button for each other session and one for all others.
#[handler]
pub(crate) async fn list(
    Data(app): Data<&App>,
    Data(sessions): Data<&Sessions>,
    Data(session): Data<&SessionHandle>,
    Employer(account): Employer,
) -> poem::Result<Markup> {
    let live = app.mypage.sessions(account).await.map_err(|e| Problem::unavailable(&e))?;
    let mut s = session.lock().await;
    let own = s.handle(sessions);
    let notice = s.data.notice.take();
    if notice.is_some() {
        s.changed();
    }
    let token = s.csrf();
    let others = live.iter().filter(|v| Some(&v.handle) != own.as_ref()).count();
    let body = html! {
        (account_breadcrumb(SESSIONS))
        h1 { (SESSIONS) }
        @if let Some(notice) = notice { div.notice role="status" { p { (notice) } } }
        p { "このアカウントでログインしている端末（ブラウザーやAPIを使うプログラム）の一覧です。心当たりのない端末があれば、ログアウトさせたうえで、パスワードを変更してください。" }
        (scrolling(SESSIONS, html! {
            table {
                thead { tr { th scope="col" { "端末" } th scope="col" { "ログインした日時" } th scope="col" { "最後に使用した日時" } th scope="col" { "接続元のアドレス" } th scope="col" { (LOGOUT) } } }
                tbody {
                    @for view in &live {
                        @let mine = Some(&view.handle) == own.as_ref();
                        tr {
                            td { (browser_name(view.client.user_agent.as_deref())) @if mine { " " strong { "（この端末）" } } }
                            td { (jst(view.created_at)) }
                            td { (jst(view.last_used_at)) }
                            td { (view.client.ip.map_or_else(|| "不明".to_owned(), |ip| ip.to_string())) }
                            td {
                                @if mine {
                                    "—"
                                } @else {
                                    form method="post" action={(SESSIONS_PATH) "/end"} {
                                        (csrf(&token))
                                        input type="hidden" name="handle" value=(view.handle);
                                        button.secondary type="submit" { "ログアウトさせる" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }))
        @if others > 0 {
            form method="post" action={(SESSIONS_PATH) "/end-others"} {
                (csrf(&token))
                button type="submit" { "この端末以外をすべてログアウトさせる" }
            }
        }
        (back_to_settings())
    };
    Ok(layout(SESSIONS, &app.config.help_desk, body))
}

/// Which session to end.
#[derive(Debug, Deserialize)]
pub(crate) struct EndForm {
    #[serde(default)]
    handle: String,
}

/// Ends one session of the account; a handle of another account's session ends nothing.
#[handler]
pub(crate) async fn end(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Employer(account): Employer,
    Client(client): Client,
    CsrfForm(form): CsrfForm<EndForm>,
) -> poem::Result<Response> {
    let notice = match app.mypage.end_session(account, &form.handle, &client).await {
        Ok(()) => "選択した端末をログアウトさせました。".to_owned(),
        Err(e) => {
            let problem = e.explain();
            if problem.status.is_server_error() {
                return Err(problem.into());
            }
            problem.message
        }
    };
    let mut s = session.lock().await;
    s.data.notice = Some(notice);
    s.changed();
    Ok(Redirect::see_other(SESSIONS_PATH).into_response())
}

/// Ends every session of the account but this browser's.
#[handler]
pub(crate) async fn end_others(
    Data(app): Data<&App>,
    Data(sessions): Data<&Sessions>,
    Data(session): Data<&SessionHandle>,
    Employer(account): Employer,
    Client(client): Client,
    CsrfForm(_form): CsrfForm<crate::pages::forms::NoFields>,
) -> poem::Result<Response> {
    let mut s = session.lock().await;
    let own = s.handle(sessions).unwrap_or_default();
    let ended = app.mypage.end_other_sessions(account, &own, &client).await.map_err(|e| Problem::infrastructure(&e))?;
    s.data.notice = Some(format!("この端末以外の{ended}台の端末をログアウトさせました。"));
    s.changed();
    Ok(Redirect::see_other(SESSIONS_PATH).into_response())
}

#[cfg(test)]
mod tests {
    use super::browser_name;

    #[test]
    fn a_browser_is_named_in_plain_words() {
        let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";
        assert_eq!(browser_name(Some(chrome)), "Chrome（Windows）");
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(browser_name(Some(safari)), "Safari（iPhone）");
        let edge = "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/130.0 Safari/537.36 Edg/130.0";
        assert_eq!(browser_name(Some(edge)), "Edge（Windows）");
        assert_eq!(browser_name(Some("curl/8.5.0")), "その他（curl/8.5.0）");
        assert_eq!(browser_name(None), "不明");
    }
}
