//! The consent to newer terms (R1): after a login whose account agreed to an older version of the privacy policy or
//! the My Page terms, the browser's session is the employer's (so that a password change, a reset or a closing ends
//! it with the account's others) but opens nothing but this page until the employer agrees to the versions in force.
//! Then the login goes on as any other: to a held form, or to My Page.

use maud::{Markup, html};
use mypage_domain::model::AccountId;
use mypage_domain::ports::SessionSubject;
use mypage_domain::usecases::AgreeTermsError;
use mypage_domain::values::{ConsentInput, CurrentTerms, TermsVersion};
use poem::web::{Data, Redirect};
use poem::{IntoResponse, Response, handler};

use crate::app::App;
use crate::extract::{Client, CsrfForm};
use crate::pages::employer::{CONSENT_PATH, TermsForm, current_terms, terms_form};
use crate::pages::layout::layout;
use crate::problem::{Explain, Problem};
use crate::session::SessionHandle;

/// The page's title and heading.
const TITLE: &str = "利用規約改定のお知らせ";

/// The account whose consent the browser's session waits for.
async fn pending(session: &SessionHandle) -> Option<AccountId> {
    session.lock().await.pending_consent()
}

fn page(app: &App, token: &str, terms: &CurrentTerms, problem: Option<&Problem>) -> Markup {
    let body = html! {
        h1 { (TITLE) }
        @if let Some(problem) = problem { div.error-summary role="alert" tabindex="-1" { p { (problem.message) } } }
        p { "プライバシーポリシーまたはマイページ利用規約が改定されました。引き続き求人者マイページをご利用いただくには、改定後の内容をご確認のうえ、同意してください。" }
        p { "それぞれ最後までご覧いただくと、同意のチェックを付けられます。同意されない場合は、マイページをご利用いただけません。" }
        (terms_form(token, terms, CONSENT_PATH, ("/", "同意せずに戻る")))
    };
    layout(TITLE, &app.config.help_desk, body)
}

fn to_login() -> Response {
    Redirect::see_other("/login").into_response()
}

/// The terms to agree to, for a browser whose login waits for the consent; anyone else goes to the login page.
#[handler]
pub(crate) async fn consent_form(Data(app): Data<&App>, Data(session): Data<&SessionHandle>) -> poem::Result<Response> {
    if pending(session).await.is_none() {
        return Ok(to_login());
    }
    let terms = current_terms(app).await?;
    let token = session.lock().await.csrf();
    Ok(page(app, &token, &terms, None).into_response())
}

/// The consent sent: recorded (R1, R15), then the employer's session opens (a new id, R13) and the login goes on to
/// a held form or to My Page; or the page again with why.
#[handler]
pub(crate) async fn agree(
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Client(client): Client,
    CsrfForm(form): CsrfForm<TermsForm>,
) -> poem::Result<Response> {
    let Some(account) = pending(session).await else { return Ok(to_login()) };
    let terms = current_terms(app).await?;
    let shown = match form.agreed(&terms) {
        Ok(shown) => shown,
        Err(e) => {
            let mut s = session.lock().await;
            return Ok(page(app, &s.csrf(), &terms, Some(&e.explain())).into_response());
        }
    };
    let input = ConsentInput {
        privacy_policy_agreed: true,
        mypage_terms_agreed: true,
        privacy_policy_version: TermsVersion(shown.0),
        mypage_terms_version: TermsVersion(shown.1),
    };
    match app.mypage.agree_to_terms(account, &input, &client).await {
        Ok(()) => {}
        Err(AgreeTermsError::Consent(e)) => {
            let terms = current_terms(app).await?;
            let mut s = session.lock().await;
            return Ok(page(app, &s.csrf(), &terms, Some(&e.explain())).into_response());
        }
        Err(AgreeTermsError::AccountNotFound) => {
            session.lock().await.become_subject(SessionSubject::Anonymous);
            return Ok(to_login());
        }
        Err(e @ AgreeTermsError::TermsNotPublished) => return Err(Problem::unavailable(&e).into()),
        Err(AgreeTermsError::Infrastructure(e)) => return Err(Problem::infrastructure(&e).into()),
    }
    let mut s = session.lock().await;
    let owner = account.to_string();
    s.data.held.take_if(|h| h.owner != owner);
    let back = s.data.held.as_ref().map_or_else(|| "/mypage".to_owned(), |h| h.path.clone());
    s.become_subject(SessionSubject::Employer(account));
    Ok(Redirect::see_other(back).into_response())
}
