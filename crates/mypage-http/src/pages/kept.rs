//! Nothing typed is lost on the long forms (事業所情報, 求人情報): until when the session lasts, with a warning
//! shortly before it ends, and the values a form starts with — a form held when the session had ended (R13), the
//! valid fields of a form sent with errors (R10), or what was saved.

use std::collections::HashMap;

use chrono::Duration;
use maud::{Markup, html};
use mypage_domain::values::jst;
use poem::http::header;
use poem::{Response, handler};

use crate::app::App;
use crate::session::SessionState;

/// Where the values a form starts with came from, when not from a saved form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Restored {
    /// Sent after the session had ended, kept until this login.
    Held,
    /// The valid fields of the form last sent with errors, kept in the draft.
    Unfinished,
}

/// The values of a form's fields, and the notices shown above them.
pub(crate) struct Values {
    pub(crate) fields: HashMap<String, String>,
    pub(crate) notices: Markup,
    /// The account the form is shown to, for its hidden `owner` field (see `HeldForm`).
    pub(crate) owner: String,
}

/// The values the form at `path` starts with: a form held for it in this session (taken, so shown once), else the
/// draft's unfinished form, else the saved one.
pub(crate) fn start_values(
    app: &App,
    s: &mut SessionState,
    path: &str,
    unfinished: Option<HashMap<String, String>>,
    saved: Option<HashMap<String, String>>,
) -> Values {
    let (fields, restored) = match (s.data.held.take_if(|h| h.path == path), unfinished) {
        (Some(held), _) => {
            s.changed();
            (held.fields.into_iter().collect(), Some(Restored::Held))
        }
        (None, Some(fields)) => (fields, Some(Restored::Unfinished)),
        (None, None) => (saved.unwrap_or_default(), None),
    };
    Values { fields, notices: notices(app, s, restored), owner: owner(s) }
}

/// The values of a form sent back with its errors: as they were typed.
pub(crate) fn typed(app: &App, s: &SessionState, fields: HashMap<String, String>) -> Values {
    Values { fields, notices: notices(app, s, None), owner: owner(s) }
}

/// The logged-in employer's account, as the form's `owner` field carries it.
fn owner(s: &SessionState) -> String {
    s.employer().map(|a| a.to_string()).unwrap_or_default()
}

/// The notices above a long form: where its values came from, and until when the session lasts without a request
/// (a minute early, since a request renews it at most once a minute), or its whole lifetime if that ends first.
fn notices(app: &App, s: &SessionState, restored: Option<Restored>) -> Markup {
    let now = app.now();
    let idle = app.config.session_idle;
    let until = (now + idle - Duration::minutes(1)).min(s.created_at() + app.config.session_lifetime);
    let seconds = (until - now).num_seconds().max(0);
    html! {
        @match restored {
            Some(Restored::Held) => div.notice role="status" {
                p { "ログインの有効期限が切れる前に入力していた内容を表示しています。まだ保存されていません。内容をご確認のうえ、「保存して次へ進む」を押してください。" }
            },
            Some(Restored::Unfinished) => div.notice role="status" {
                p { "入力途中の内容を表示しています。誤りのあった項目は空欄になっています。すべての項目を正しく入力して保存するまで、申し込むことはできません。" }
            },
            None => {}
        }
        div.notice id="session-notice" data-session-seconds=(seconds) {
            p {
                "操作のないまま" (idle.num_minutes()) "分が過ぎると、ログインの有効期限が切れます。"
                strong { (jst(until)) } " までに「保存して次へ進む」を押してください。"
            }
            p { "有効期限が切れた後に送信した場合も、もう一度ログインすると、入力した内容が表示されます。" }
            p.field-error id="session-warning" role="alert" hidden {
                "まもなくログインの有効期限が切れます。入力した内容を保存するため、「保存して次へ進む」を押してください。"
            }
        }
        script src="/assets/session.js" defer {}
    }
}

/// Shows the session notice's warning five minutes before the session ends, counted from the seconds the page was
/// given (so the device's clock does not matter); a page seen again after the device slept checks at once.
pub(crate) const SESSION_JS: &str = r#"
var notice = document.getElementById('session-notice');
var warning = document.getElementById('session-warning');
if (notice && warning) {
  var lead = Math.max(0, (parseInt(notice.getAttribute('data-session-seconds'), 10) - 300) * 1000);
  var at = Date.now() + lead;
  var show = function () { warning.hidden = false; };
  setTimeout(show, lead);
  document.addEventListener('visibilitychange', function () {
    if (!document.hidden && Date.now() >= at) { show(); }
  });
}
"#;

#[handler]
pub(crate) fn session_js() -> Response {
    Response::builder()
        .content_type("text/javascript; charset=utf-8")
        .header(header::CACHE_CONTROL, "public, max-age=3600")
        .body(SESSION_JS)
}

/// The login page's notice when a form is held for after the login.
pub(crate) fn held_notice() -> Markup {
    html! {
        div.notice role="status" {
            p { "ログインの有効期限が切れたため、入力した内容はまだ保存されていません。もう一度ログインすると、入力していた画面に戻り、入力した内容が表示されます。" }
        }
    }
}
