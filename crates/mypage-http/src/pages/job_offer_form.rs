//! The form of a job offer after opening (R20): the provisional registration's job-offer form (`forms::JOB_OFFER`)
//! with its rules (R10). It starts with a form held across a login (R13), else the valid fields of the form last
//! sent with errors, else what was saved; a form sent with errors comes back with each wrong field, its valid
//! fields kept in the draft.

use maud::Markup;
use mypage_domain::values::JobOfferInput;
use poem::web::{Data, Redirect};
use poem::{IntoResponse, Request, Response, handler};

use crate::app::App;
use crate::extract::{Client, CsrfForm, Employer, HoldIfLoggedOut};
use crate::pages::forms::{self, JobOfferForm};
use crate::pages::job_offers::{edit_path, offer_id, path};
use crate::pages::kept::{self, Values};
use crate::pages::layout::{on_form, stays_on_form};
use crate::pages::registration::{JOB_OFFER, step_page};
use crate::problem::Explain;
use crate::session::SessionHandle;

/// The job-offer form at `action`, as the provisional registration's job step shows it, with the values and errors.
fn form_page(app: &App, action: &str, token: &str, values: &Values, errors: &[(String, String)]) -> Markup {
    step_page(app, JOB_OFFER, action, token, forms::JOB_OFFER, values, errors)
}

/// `GET /mypage/job-offers/:id/edit`: the form, filled in as it was left; an offer that may no longer be changed
/// goes to its page.
#[handler]
pub(crate) async fn edit_form(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    Employer(account): Employer,
) -> poem::Result<Response> {
    let id = offer_id(req)?;
    let offer = app.mypage.job_offer(account, id).await.map_err(Explain::explain)?;
    if !offer.status().is_editable() {
        return Ok(Redirect::see_other(path(id)).into_response());
    }
    let unfinished = offer.unfinished().job_offer.as_ref().map(forms::values);
    let saved = offer.job_offer().map(|j| forms::values(&j.to_input()));
    let action = edit_path(id);
    let mut s = session.lock().await;
    let values = kept::start_values(app, &mut s, &action, unfinished, saved);
    let token = s.data.csrf.clone();
    Ok(form_page(app, &action, &token, &values, &[]).into_response())
}

/// `POST /mypage/job-offers/:id/edit`: saved, then on to the confirmation; or the form again with each wrong field
/// (R10).
#[handler]
pub(crate) async fn save(
    req: &Request,
    Data(app): Data<&App>,
    Data(session): Data<&SessionHandle>,
    _: HoldIfLoggedOut,
    Employer(account): Employer,
    Client(client): Client,
    CsrfForm(form): CsrfForm<JobOfferForm>,
) -> poem::Result<Response> {
    let id = offer_id(req)?;
    let input = JobOfferInput::from(form);
    match app.mypage.save_job_offer_draft(account, id, &input, &client).await {
        Ok(()) => Ok(Redirect::see_other(path(id)).into_response()),
        Err(e) => {
            let problem = e.explain();
            if !stays_on_form(&problem) {
                return Err(problem.into());
            }
            let mut s = session.lock().await;
            let token = s.csrf();
            let values = kept::typed(app, &s, forms::values(&input));
            let errors = forms::messages(&problem, forms::JOB_OFFER);
            Ok(on_form(form_page(app, &edit_path(id), &token, &values, &errors), &problem))
        }
    }
}
