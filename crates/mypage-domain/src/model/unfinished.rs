//! What an employer typed in a form that did not validate, kept in the draft beside the validated forms (R10).
//!
//! A form sent back with errors keeps its valid fields, so that an employer who leaves and comes back finds them;
//! a field that failed is kept empty, so that the store never holds a value its rule refused. An unfinished form
//! takes the place of the validated one: the draft stays incomplete, and cannot be submitted, until the whole
//! form is valid again.

use crate::values::{EstablishmentInfoInput, FieldErrors, JobOfferInput};

/// The unfinished forms of a draft: for each step, the input last sent with errors, reduced to its valid fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unfinished {
    /// 事業所情報 sent with errors (case C).
    pub establishment: Option<EstablishmentInfoInput>,
    /// 求人情報 sent with errors.
    pub job_offer: Option<JobOfferInput>,
}

/// A form input reduced to the fields its parse did not refuse.
pub trait ValidFields {
    /// The input with every field named in `errors` emptied (a box unticked).
    #[must_use]
    fn valid_fields(&self, errors: &FieldErrors) -> Self;
}

/// Empties each text field that has an error.
fn clear(errors: &FieldErrors, fields: Vec<(&str, &mut String)>) {
    for (name, value) in fields {
        if errors.of(name).is_some() {
            value.clear();
        }
    }
}

impl ValidFields for EstablishmentInfoInput {
    fn valid_fields(&self, errors: &FieldErrors) -> Self {
        let mut kept = self.clone();
        // Named without `..`, so that a new field cannot be forgotten here.
        let Self {
            name,
            name_kana,
            postal_code,
            address,
            phone,
            representative_title,
            representative_name,
            industry,
            employees_total,
            employees_here,
            founded_year,
            capital_yen,
            business,
            website,
            contact_name,
            contact_department,
            contact_phone,
            contact_email,
        } = &mut kept;
        clear(
            errors,
            vec![
                ("name", name),
                ("name_kana", name_kana),
                ("postal_code", postal_code),
                ("address", address),
                ("phone", phone),
                ("representative_title", representative_title),
                ("representative_name", representative_name),
                ("industry", industry),
                ("employees_total", employees_total),
                ("employees_here", employees_here),
                ("founded_year", founded_year),
                ("capital_yen", capital_yen),
                ("business", business),
                ("website", website),
                ("contact_name", contact_name),
                ("contact_department", contact_department),
                ("contact_phone", contact_phone),
                ("contact_email", contact_email),
            ],
        );
        kept
    }
}

impl ValidFields for JobOfferInput {
    fn valid_fields(&self, errors: &FieldErrors) -> Self {
        let mut kept = self.clone();
        let Self {
            occupation,
            description,
            employment_type,
            contract,
            contract_months,
            contract_renewable,
            workplace_postal_code,
            workplace_address,
            wage_kind,
            wage_min,
            wage_max,
            work_start,
            work_end,
            break_minutes,
            hours_note,
            holidays,
            annual_holidays,
            employment_insurance,
            accident_insurance,
            health_insurance,
            pension,
            openings,
            experience,
            licences,
            age,
            age_min,
            age_max,
            age_exception,
            trial_months,
            selection_documents,
            selection_interview,
            selection_written_test,
            selection_other,
        } = &mut kept;
        clear(
            errors,
            vec![
                ("occupation", occupation),
                ("description", description),
                ("employment_type", employment_type),
                ("contract", contract),
                ("contract_months", contract_months),
                ("workplace_postal_code", workplace_postal_code),
                ("workplace_address", workplace_address),
                ("wage_kind", wage_kind),
                ("wage_min", wage_min),
                ("wage_max", wage_max),
                ("work_start", work_start),
                ("work_end", work_end),
                ("break_minutes", break_minutes),
                ("hours_note", hours_note),
                ("holidays", holidays),
                ("annual_holidays", annual_holidays),
                ("openings", openings),
                ("experience", experience),
                ("licences", licences),
                ("age", age),
                ("age_min", age_min),
                ("age_max", age_max),
                ("age_exception", age_exception),
                ("trial_months", trial_months),
            ],
        );
        // A box is one of two values and never wrong by itself; one named by an error is unticked all the same.
        for (name, ticked) in [
            ("contract_renewable", contract_renewable),
            ("employment_insurance", employment_insurance),
            ("accident_insurance", accident_insurance),
            ("health_insurance", health_insurance),
            ("pension", pension),
            ("selection_documents", selection_documents),
            ("selection_interview", selection_interview),
            ("selection_written_test", selection_written_test),
            ("selection_other", selection_other),
        ] {
            if errors.of(name).is_some() {
                *ticked = false;
            }
        }
        kept
    }
}
