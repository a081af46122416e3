//! What a page handler takes as arguments: who is logged in, a form whose CSRF token was checked, the client, and
//! the typed parts of a path. Access is decided here, once; a handler that has its arguments may do its step.
//!
//! The API's bearer tokens have their own extractors in `api/mod.rs` (poem-openapi's security schemes), over the
//! same session service.

use std::str::FromStr;

use mypage_domain::model::{AccountId, AdminScope, ClientInfo, FlowPurpose, StaffId};
use poem::web::Redirect;
use poem::{FromRequest, IntoResponse, Request, RequestBody};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

use crate::app::{App, client};
use crate::problem::Problem;
use crate::session::{HeldForm, OWNER_FIELD, SessionHandle};

/// The name of the hidden field that carries the session's CSRF token; the page layout writes it.
pub(crate) const CSRF_FIELD: &str = "csrf";

fn session(req: &Request) -> poem::Result<&SessionHandle> {
    // The session middleware runs before every page; without it there is nobody to be.
    req.data::<SessionHandle>().ok_or_else(|| Problem::unauthenticated().into())
}

fn app(req: &Request) -> poem::Result<&App> {
    req.data::<App>().ok_or_else(|| Problem::unavailable(&"the routes were built without their state").into())
}

fn redirect(path: &'static str) -> poem::Error {
    poem::Error::from_response(Redirect::see_other(path).into_response())
}

/// A logged-in employer; anyone else is sent to the employer's login.
pub(crate) struct Employer(pub(crate) AccountId);

impl<'a> FromRequest<'a> for Employer {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        session(req)?.lock().await.employer().map(Self).ok_or_else(|| redirect("/login"))
    }
}

/// Put before [`Employer`] in a long form's handler: when the employer's session has ended (idle, R13), the form
/// sent is held in this browser's session and the login page asks to log in again, after which the form is shown
/// with what was typed. Only a form the site's own page sent is held (`Sec-Fetch-Site: same-origin`, or an
/// `Origin` naming the host), so that another site cannot plant values in a form; anything else is sent to the
/// login as [`Employer`] would.
pub(crate) struct HoldIfLoggedOut;

impl<'a> FromRequest<'a> for HoldIfLoggedOut {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let mut s = session(req)?.lock().await;
        if s.employer().is_some() {
            return Ok(Self);
        }
        let host = req.header("host");
        let same_origin = req.header("sec-fetch-site") == Some("same-origin")
            || req.header("origin").and_then(|o| o.split_once("://")).is_some_and(|(_, o)| Some(o) == host);
        // Each held form is a stored session: a client may have only a few held in an hour.
        if same_origin && app(req)?.held_forms.check(client(req).ip).is_ok() {
            let bytes = body.take()?.into_vec().await?;
            let fields: Vec<(String, String)> =
                serde_urlencoded::from_bytes(&bytes).map_err(|_| Problem::invalid_request())?;
            let owner = fields.iter().find(|(name, _)| name == OWNER_FIELD).map(|(_, v)| v.clone()).unwrap_or_default();
            let fields = fields.into_iter().filter(|(name, _)| name != CSRF_FIELD && name != OWNER_FIELD).collect();
            s.data.held = Some(HeldForm { path: req.uri().path().to_owned(), fields, owner });
            s.changed();
        }
        Err(redirect("/login"))
    }
}

/// A logged-in staff member; anyone else is sent to the staff login. Which office and role may do what is the
/// domain's to decide (R14).
pub(crate) struct Staff(pub(crate) StaffId);

impl<'a> FromRequest<'a> for Staff {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        session(req)?.lock().await.staff().map(Self).ok_or_else(|| redirect("/staff/login"))
    }
}

/// A logged-in staff member who holds either admin role, with what it administers; other members are refused
/// (R14), others sent to the login. The scope chooses what the staff page offers (offices, roles); every step is
/// checked again in the domain.
pub(crate) struct Admin(pub(crate) StaffId, pub(crate) AdminScope);

impl<'a> FromRequest<'a> for Admin {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let Staff(id) = Staff::from_request(req, body).await?;
        match app(req)?.mypage.staff_view(id).await {
            Ok(Some(view)) => match view.admin_scope() {
                Some(scope) => Ok(Self(id, scope)),
                None => Err(Problem::not_permitted().into()),
            },
            Ok(None) => Err(Problem::not_permitted().into()),
            Err(e) => Err(Problem::unavailable(&e).into()),
        }
    }
}

/// A logged-in central admin: the pages of offices, terms versions and dead mails, which act across offices (R14).
/// An office admin is refused like any other member; the office list, which the domain does not guard, is read
/// only past this check.
pub(crate) struct CentralAdmin(pub(crate) StaffId);

impl<'a> FromRequest<'a> for CentralAdmin {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        match Admin::from_request(req, body).await? {
            Admin(id, AdminScope::Central) => Ok(Self(id)),
            Admin(_, AdminScope::Office(_)) => Err(Problem::not_permitted().into()),
        }
    }
}

/// The client of the request, for the audit trail and the throttles (R13, R15).
pub(crate) struct Client(pub(crate) ClientInfo);

impl<'a> FromRequest<'a> for Client {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        Ok(Self(client(req)))
    }
}

/// A form that carries the session's CSRF token, compared in constant time; then read into `T`. A missing or
/// wrong token is a 403, a body that is not a form of `T` a 400.
pub(crate) struct CsrfForm<T>(pub(crate) T);

#[derive(Deserialize)]
struct Token {
    #[serde(default)]
    csrf: String,
}

impl<'a, T: DeserializeOwned> FromRequest<'a> for CsrfForm<T> {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let bytes = body.take()?.into_vec().await?;
        let sent: Token = serde_urlencoded::from_bytes(&bytes).map_err(|_| Problem::invalid_request())?;
        check_csrf(req, &sent.csrf).await?;
        let form = serde_urlencoded::from_bytes(&bytes).map_err(|_| Problem::invalid_request())?;
        Ok(Self(form))
    }
}

/// Whether `sent` is the session's CSRF token, compared in constant time; a 403 when it is not.
async fn check_csrf(req: &Request, sent: &str) -> poem::Result<()> {
    let expected = session(req)?.lock().await.data.csrf.clone();
    if expected.is_empty() || !bool::from(sent.as_bytes().ct_eq(expected.as_bytes())) {
        return Err(Problem::csrf().into());
    }
    Ok(())
}

/// A multipart form (an upload) that carries the session's CSRF token, compared in constant time: its text fields
/// and its files by field name. A missing or wrong token is a 403, a body that is not multipart a 400.
pub(crate) struct CsrfUpload {
    /// The text fields.
    pub(crate) fields: std::collections::HashMap<String, String>,
    /// The files' contents.
    pub(crate) files: std::collections::HashMap<String, Vec<u8>>,
}

impl<'a> FromRequest<'a> for CsrfUpload {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        fn refused<E>(_: E) -> Problem {
            Problem::invalid_request()
        }
        let mut multipart = poem::web::Multipart::from_request(req, body).await.map_err(refused)?;
        let mut upload = Self { fields: std::collections::HashMap::new(), files: std::collections::HashMap::new() };
        while let Some(field) = multipart.next_field().await.map_err(refused)? {
            let Some(name) = field.name().map(str::to_owned) else { continue };
            if field.file_name().is_some() {
                upload.files.insert(name, field.bytes().await.map_err(refused)?);
            } else {
                upload.fields.insert(name, field.text().await.map_err(refused)?);
            }
        }
        check_csrf(req, upload.fields.get(CSRF_FIELD).map(String::as_str).unwrap_or_default()).await?;
        Ok(upload)
    }
}

/// A checkbox as a browser sends it: present (whatever its value) when checked, absent when not.
pub(crate) fn checkbox<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    let value: Option<String> = Option::deserialize(deserializer)?;
    Ok(value.is_some())
}

/// A typed segment of the path (`:name`), parsed by `FromStr`; one that does not parse names no page here (404).
pub(crate) fn path_param<T: FromStr>(req: &Request, name: &str) -> Result<T, Problem> {
    req.raw_path_param(name).and_then(|raw| raw.parse().ok()).ok_or_else(Problem::page_not_found)
}

/// The entrance of an auth-key flow, from its path segment: `open` (case A), `signup` (B and C), `reset` (R17).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entrance(pub(crate) FlowPurpose);

impl Entrance {
    /// The path segment of a purpose.
    pub(crate) fn segment(self) -> &'static str {
        match self.0 {
            FlowPurpose::OpenMyPage => "open",
            FlowPurpose::SignUp => "signup",
            FlowPurpose::ResetPassword => "reset",
            // Not an anonymous entrance: the e-mail change lives under /mypage/account/email (R19), and this segment
            // reads back as no entrance.
            FlowPurpose::ChangeEmail => "change-email",
        }
    }
}

impl FromStr for Entrance {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "open" => Ok(Self(FlowPurpose::OpenMyPage)),
            "signup" => Ok(Self(FlowPurpose::SignUp)),
            "reset" => Ok(Self(FlowPurpose::ResetPassword)),
            _ => Err(()),
        }
    }
}

impl<'a> FromRequest<'a> for Entrance {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        Ok(path_param(req, "purpose")?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entrance_reads_back_from_its_segment() {
        for purpose in [FlowPurpose::OpenMyPage, FlowPurpose::SignUp, FlowPurpose::ResetPassword] {
            let entrance = Entrance(purpose);
            assert_eq!(entrance.segment().parse::<Entrance>(), Ok(entrance));
        }
        assert!("admin".parse::<Entrance>().is_err());
    }

    #[derive(Deserialize)]
    struct Boxes {
        #[serde(default, deserialize_with = "checkbox")]
        ticked: bool,
        #[serde(default, deserialize_with = "checkbox")]
        left: bool,
    }

    #[test]
    fn a_checkbox_is_true_when_sent_whatever_its_value() {
        let boxes: Boxes = serde_urlencoded::from_str("ticked=on").unwrap_or(Boxes { ticked: false, left: true });
        assert!(boxes.ticked && !boxes.left);
    }
}
