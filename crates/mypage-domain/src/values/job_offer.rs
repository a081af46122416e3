//! The job offer (求人情報) filed with a provisional registration (R10).

use chrono::NaiveTime;

use super::fields::{Choice as _, FieldProblem, Fields, Need, PostalCode, choice_enum};
use crate::values::FieldErrors;

choice_enum! {
    /// 雇用形態.
    EmploymentType {
        /// 正社員.
        Regular = ("regular", "正社員"),
        /// 正社員以外 (契約社員など).
        NonRegular = ("non_regular", "正社員以外"),
        /// 有期雇用派遣労働者.
        FixedTermDispatch = ("fixed_term_dispatch", "有期雇用派遣労働者"),
        /// 無期雇用派遣労働者.
        IndefiniteDispatch = ("indefinite_dispatch", "無期雇用派遣労働者"),
        /// パート労働者.
        PartTime = ("part_time", "パート労働者"),
    }
}

choice_enum! {
    /// 賃金形態.
    WageKind {
        /// 月給.
        Monthly = ("monthly", "月給"),
        /// 日給.
        Daily = ("daily", "日給"),
        /// 時給.
        Hourly = ("hourly", "時給"),
    }
}

choice_enum! {
    /// 年齢制限の例外事由 (労働施策総合推進法施行規則第1条の3第1項).
    AgeException {
        /// 1号: 定年年齢を上限.
        RetirementAge = ("1", "例外事由1号（定年年齢を上限として募集）"),
        /// 2号: 法令の規定.
        ByLaw = ("2", "例外事由2号（法令の規定により年齢制限がある）"),
        /// 3号イ: 長期勤続によるキャリア形成.
        CareerFormation = ("3i", "例外事由3号イ（長期勤続によるキャリア形成）"),
        /// 3号ロ: 技能・ノウハウの継承.
        SkillSuccession = ("3ro", "例外事由3号ロ（技能・ノウハウの継承）"),
        /// 3号ハ: 芸術・芸能.
        Arts = ("3ha", "例外事由3号ハ（芸術・芸能の分野における表現の真実性など）"),
        /// 3号ニ: 高年齢者等の雇用促進.
        OlderWorkers = ("3ni", "例外事由3号ニ（60歳以上の高年齢者または特定の年齢層の雇用促進）"),
    }
}

/// The job offer form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct JobOfferInput {
    /// 職種, 1–30 characters.
    pub occupation: String,
    /// 仕事内容, 1–500 characters, line breaks allowed.
    pub description: String,
    /// 雇用形態: a code of [`EmploymentType`].
    pub employment_type: String,
    /// 雇用期間の定め: "none" or "fixed".
    pub contract: String,
    /// 雇用期間 in months when fixed, 1–60.
    pub contract_months: String,
    /// 契約更新の可能性あり.
    pub contract_renewable: bool,
    /// 就業場所の郵便番号, optional.
    pub workplace_postal_code: String,
    /// 就業場所, 1–120 characters.
    pub workplace_address: String,
    /// 賃金形態: a code of [`WageKind`].
    pub wage_kind: String,
    /// 賃金の下限 in yen.
    pub wage_min: String,
    /// 賃金の上限 in yen, at least the minimum.
    pub wage_max: String,
    /// 始業時刻 `HH:MM`.
    pub work_start: String,
    /// 終業時刻 `HH:MM`; earlier than the start means the shift ends the next day.
    pub work_end: String,
    /// 休憩時間 in minutes, 0–480.
    pub break_minutes: String,
    /// 就業時間の補足, optional, at most 200 characters.
    pub hours_note: String,
    /// 休日等, 1–200 characters.
    pub holidays: String,
    /// 年間休日数, optional, 0–366.
    pub annual_holidays: String,
    /// 雇用保険.
    pub employment_insurance: bool,
    /// 労災保険.
    pub accident_insurance: bool,
    /// 健康保険.
    pub health_insurance: bool,
    /// 厚生年金.
    pub pension: bool,
    /// 採用人数, 1–999.
    pub openings: String,
    /// 必要な経験等, optional, at most 200 characters.
    pub experience: String,
    /// 必要な免許・資格, optional, at most 200 characters.
    pub licences: String,
    /// 年齢制限: "none" (不問) or "limited".
    pub age: String,
    /// 年齢の下限, 15–99, when limited.
    pub age_min: String,
    /// 年齢の上限, 15–99, when limited.
    pub age_max: String,
    /// 例外事由: a code of [`AgeException`], required when limited.
    pub age_exception: String,
    /// 試用期間 in months, optional, 1–12.
    pub trial_months: String,
    /// 選考方法: 書類選考.
    pub selection_documents: bool,
    /// 選考方法: 面接.
    pub selection_interview: bool,
    /// 選考方法: 筆記試験.
    pub selection_written_test: bool,
    /// 選考方法: その他.
    pub selection_other: bool,
}

/// 雇用期間.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContractPeriod {
    /// 定めなし.
    Indefinite,
    /// 定めあり.
    Fixed {
        /// Length in months.
        months: u8,
        /// 契約更新の可能性あり.
        renewable: bool,
    },
}

/// 賃金.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wage {
    /// 月給・日給・時給.
    pub kind: WageKind,
    /// Lower bound in yen.
    pub min_yen: u32,
    /// Upper bound in yen.
    pub max_yen: u32,
}

/// 就業時間.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingHours {
    /// 始業.
    pub start: NaiveTime,
    /// 終業.
    pub end: NaiveTime,
    /// 休憩 in minutes.
    pub break_minutes: u16,
    /// 補足.
    pub note: Option<String>,
}

/// 加入保険等.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SocialInsurance {
    /// 雇用保険.
    pub employment: bool,
    /// 労災保険.
    pub accident: bool,
    /// 健康保険.
    pub health: bool,
    /// 厚生年金.
    pub pension: bool,
}

/// 年齢.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgeRequirement {
    /// 不問: the rule, since the law forbids age limits (労働施策総合推進法 第9条).
    Any,
    /// Limited under one of the exceptions.
    Limited {
        /// Lower bound.
        min: Option<u8>,
        /// Upper bound.
        max: Option<u8>,
        /// The exception that allows it.
        exception: AgeException,
    },
}

/// 選考方法.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Selection {
    /// 書類選考.
    pub documents: bool,
    /// 面接.
    pub interview: bool,
    /// 筆記試験.
    pub written_test: bool,
    /// その他.
    pub other: bool,
}

/// A parsed job offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobOffer {
    /// 職種.
    pub occupation: String,
    /// 仕事内容.
    pub description: String,
    /// 雇用形態.
    pub employment_type: EmploymentType,
    /// 雇用期間.
    pub contract: ContractPeriod,
    /// 就業場所の郵便番号.
    pub workplace_postal_code: Option<PostalCode>,
    /// 就業場所.
    pub workplace_address: String,
    /// 賃金.
    pub wage: Wage,
    /// 就業時間.
    pub hours: WorkingHours,
    /// 休日等.
    pub holidays: String,
    /// 年間休日数.
    pub annual_holidays: Option<u16>,
    /// 加入保険等.
    pub insurance: SocialInsurance,
    /// 採用人数.
    pub openings: u16,
    /// 必要な経験等.
    pub experience: Option<String>,
    /// 必要な免許・資格.
    pub licences: Option<String>,
    /// 年齢.
    pub age: AgeRequirement,
    /// 試用期間 in months.
    pub trial_months: Option<u8>,
    /// 選考方法.
    pub selection: Selection,
}

fn wage_range(kind: WageKind) -> (u64, u64) {
    match kind {
        WageKind::Monthly => (1, 10_000_000),
        WageKind::Daily => (1, 1_000_000),
        WageKind::Hourly => (1, 100_000),
    }
}

fn narrow<T: TryFrom<u64>>(n: u64) -> Option<T> {
    T::try_from(n).ok()
}

impl JobOffer {
    /// The form as it would be typed to give this value: `parse(&offer.to_input())` gives `offer` back.
    #[must_use]
    pub fn to_input(&self) -> JobOfferInput {
        let text = |n: Option<u8>| n.map(|n| n.to_string()).unwrap_or_default();
        let (contract, contract_months, contract_renewable) = match self.contract {
            ContractPeriod::Indefinite => ("none", String::new(), false),
            ContractPeriod::Fixed { months, renewable } => ("fixed", months.to_string(), renewable),
        };
        let (age, age_min, age_max, age_exception) = match self.age {
            AgeRequirement::Any => ("none", String::new(), String::new(), String::new()),
            AgeRequirement::Limited { min, max, exception } => {
                ("limited", text(min), text(max), exception.code().to_owned())
            }
        };
        JobOfferInput {
            occupation: self.occupation.clone(),
            description: self.description.clone(),
            employment_type: self.employment_type.code().to_owned(),
            contract: contract.to_owned(),
            contract_months,
            contract_renewable,
            workplace_postal_code: self.workplace_postal_code.as_ref().map(ToString::to_string).unwrap_or_default(),
            workplace_address: self.workplace_address.clone(),
            wage_kind: self.wage.kind.code().to_owned(),
            wage_min: self.wage.min_yen.to_string(),
            wage_max: self.wage.max_yen.to_string(),
            work_start: self.hours.start.format("%H:%M").to_string(),
            work_end: self.hours.end.format("%H:%M").to_string(),
            break_minutes: self.hours.break_minutes.to_string(),
            hours_note: self.hours.note.clone().unwrap_or_default(),
            holidays: self.holidays.clone(),
            annual_holidays: self.annual_holidays.map(|n| n.to_string()).unwrap_or_default(),
            employment_insurance: self.insurance.employment,
            accident_insurance: self.insurance.accident,
            health_insurance: self.insurance.health,
            pension: self.insurance.pension,
            openings: self.openings.to_string(),
            experience: self.experience.clone().unwrap_or_default(),
            licences: self.licences.clone().unwrap_or_default(),
            age: age.to_owned(),
            age_min,
            age_max,
            age_exception,
            trial_months: text(self.trial_months),
            selection_documents: self.selection.documents,
            selection_interview: self.selection.interview,
            selection_written_test: self.selection.written_test,
            selection_other: self.selection.other,
        }
    }

    /// Parses the whole form.
    ///
    /// # Errors
    /// [`FieldErrors`] listing every field that is wrong.
    pub fn parse(input: &JobOfferInput) -> Result<Self, FieldErrors> {
        let mut f = Fields::default();
        let occupation = f.line("occupation", &input.occupation, 30);
        let description = f.lines("description", &input.description, 500, Need::Required);
        let employment_type: Option<EmploymentType> = f.choice("employment_type", &input.employment_type);
        let contract = match input.contract.trim() {
            "none" => Some(ContractPeriod::Indefinite),
            "fixed" => f
                .number("contract_months", &input.contract_months, 1, 60, Need::Required)
                .and_then(narrow)
                .map(|months| ContractPeriod::Fixed { months, renewable: input.contract_renewable }),
            "" => {
                f.fail("contract", FieldProblem::Required);
                None
            }
            _ => {
                f.fail("contract", FieldProblem::UnknownChoice);
                None
            }
        };
        if employment_type == Some(EmploymentType::Regular) && matches!(contract, Some(ContractPeriod::Fixed { .. })) {
            f.fail("contract", FieldProblem::Conflicts { with: "employment_type" });
        }
        let workplace_postal_code = f.postal("workplace_postal_code", &input.workplace_postal_code, Need::Optional);
        let workplace_address = f.line("workplace_address", &input.workplace_address, 120);
        let wage_kind: Option<WageKind> = f.choice("wage_kind", &input.wage_kind);
        let (lo, hi) = wage_range(wage_kind.unwrap_or(WageKind::Monthly));
        let wage_min = f.number("wage_min", &input.wage_min, lo, hi, Need::Required);
        let wage_max = f.number("wage_max", &input.wage_max, lo, hi, Need::Required);
        if let (Some(min), Some(max)) = (wage_min, wage_max)
            && min > max
        {
            f.fail("wage_max", FieldProblem::Conflicts { with: "wage_min" });
        }
        let start = f.time("work_start", &input.work_start);
        let end = f.time("work_end", &input.work_end);
        let break_minutes = f.number("break_minutes", &input.break_minutes, 0, 480, Need::Required);
        let hours_note = f.opt_line("hours_note", &input.hours_note, 200);
        let holidays = f.lines("holidays", &input.holidays, 200, Need::Required);
        let annual_holidays = f.number("annual_holidays", &input.annual_holidays, 0, 366, Need::Optional);
        let openings = f.number("openings", &input.openings, 1, 999, Need::Required);
        let experience = f.lines("experience", &input.experience, 200, Need::Optional);
        let licences = f.lines("licences", &input.licences, 200, Need::Optional);
        let age = match input.age.trim() {
            "none" => Some(AgeRequirement::Any),
            "limited" => {
                let min = f.number("age_min", &input.age_min, 15, 99, Need::Optional).and_then(narrow);
                let max = f.number("age_max", &input.age_max, 15, 99, Need::Optional).and_then(narrow);
                let exception = f.choice("age_exception", &input.age_exception);
                if min.is_none() && max.is_none() && !f.has_error("age_min") && !f.has_error("age_max") {
                    f.fail("age_max", FieldProblem::Required);
                }
                if let (Some(a), Some(b)) = (min, max)
                    && a > b
                {
                    f.fail("age_max", FieldProblem::Conflicts { with: "age_min" });
                }
                exception.map(|exception| AgeRequirement::Limited { min, max, exception })
            }
            "" => {
                f.fail("age", FieldProblem::Required);
                None
            }
            _ => {
                f.fail("age", FieldProblem::UnknownChoice);
                None
            }
        };
        let trial_months = f.number("trial_months", &input.trial_months, 1, 12, Need::Optional).and_then(narrow);
        let selection = Selection {
            documents: input.selection_documents,
            interview: input.selection_interview,
            written_test: input.selection_written_test,
            other: input.selection_other,
        };
        if selection == Selection::default() {
            f.fail("selection", FieldProblem::Required);
        }
        let (
            Some(description),
            Some(employment_type),
            Some(contract),
            Some(kind),
            Some(min_yen),
            Some(max_yen),
            Some(start),
            Some(end),
            Some(break_minutes),
            Some(holidays),
            Some(openings),
            Some(age),
        ) = (
            description,
            employment_type,
            contract,
            wage_kind,
            wage_min.and_then(narrow),
            wage_max.and_then(narrow),
            start,
            end,
            break_minutes.and_then(narrow),
            holidays,
            openings.and_then(narrow),
            age,
        )
        else {
            return Err(f.into_errors());
        };
        f.finish(Self {
            occupation,
            description,
            employment_type,
            contract,
            workplace_postal_code,
            workplace_address,
            wage: Wage { kind, min_yen, max_yen },
            hours: WorkingHours { start, end, break_minutes, note: hours_note },
            holidays,
            annual_holidays: annual_holidays.and_then(narrow),
            insurance: SocialInsurance {
                employment: input.employment_insurance,
                accident: input.accident_insurance,
                health: input.health_insurance,
                pension: input.pension,
            },
            openings,
            experience,
            licences,
            age,
            trial_months,
            selection,
        })
    }
}
