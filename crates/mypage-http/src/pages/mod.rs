//! The pages: server-rendered HTML (maud, which escapes every value) that works without JavaScript.

pub(crate) mod account;
pub(crate) mod account_email;
pub(crate) mod account_sessions;
pub(crate) mod admin;
pub(crate) mod consent;
pub(crate) mod console;
pub(crate) mod counter;
pub(crate) mod employer;
pub(crate) mod forms;
pub(crate) mod history;
pub(crate) mod home;
pub(crate) mod job_offer_form;
pub(crate) mod job_offers;
pub(crate) mod kept;
pub(crate) mod layout;
pub(crate) mod offices;
pub(crate) mod register;
pub(crate) mod registration;
pub(crate) mod review;
pub(crate) mod second_factor;
pub(crate) mod site;
pub(crate) mod staff;
pub(crate) mod summary;
pub(crate) mod terms_and_mail;
