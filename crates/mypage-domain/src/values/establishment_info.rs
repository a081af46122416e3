//! Establishment information (事業所情報), entered by a new employer (case C, R10).

use chrono::{DateTime, Datelike, FixedOffset, Utc};

use super::fields::{Choice as _, Fields, Need, PhoneNumber, PostalCode, choice_enum};
use crate::values::{EmailAddress, FieldErrors};

choice_enum! {
    /// Industry (産業分類): the divisions of the Japan Standard Industrial Classification.
    Industry {
        /// A.
        Agriculture = ("A", "農業，林業"),
        /// B.
        Fisheries = ("B", "漁業"),
        /// C.
        Mining = ("C", "鉱業，採石業，砂利採取業"),
        /// D.
        Construction = ("D", "建設業"),
        /// E.
        Manufacturing = ("E", "製造業"),
        /// F.
        Utilities = ("F", "電気・ガス・熱供給・水道業"),
        /// G.
        Information = ("G", "情報通信業"),
        /// H.
        Transport = ("H", "運輸業，郵便業"),
        /// I.
        Trade = ("I", "卸売業，小売業"),
        /// J.
        Finance = ("J", "金融業，保険業"),
        /// K.
        RealEstate = ("K", "不動産業，物品賃貸業"),
        /// L.
        Professional = ("L", "学術研究，専門・技術サービス業"),
        /// M.
        Hospitality = ("M", "宿泊業，飲食サービス業"),
        /// N.
        LivingServices = ("N", "生活関連サービス業，娯楽業"),
        /// O.
        Education = ("O", "教育，学習支援業"),
        /// P.
        Medical = ("P", "医療，福祉"),
        /// Q.
        CompoundServices = ("Q", "複合サービス事業"),
        /// R.
        OtherServices = ("R", "サービス業（他に分類されないもの）"),
        /// S.
        Government = ("S", "公務（他に分類されるものを除く）"),
        /// T.
        Unclassifiable = ("T", "分類不能の産業"),
    }
}

/// The establishment form as typed: every field a string, so that nothing is lost when it is sent back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct EstablishmentInfoInput {
    /// 事業所名称, 1–60 characters.
    pub name: String,
    /// 事業所名称フリガナ, 1–100 characters of katakana.
    pub name_kana: String,
    /// 郵便番号, seven digits.
    pub postal_code: String,
    /// 所在地, 1–120 characters.
    pub address: String,
    /// 電話番号.
    pub phone: String,
    /// 代表者役職, 1–30 characters.
    pub representative_title: String,
    /// 代表者氏名, 1–30 characters.
    pub representative_name: String,
    /// 産業分類: a code of [`Industry`].
    pub industry: String,
    /// 従業員数（企業全体）, 1–9,999,999.
    pub employees_total: String,
    /// 従業員数（就業場所）, 0–9,999,999, at most the whole company's.
    pub employees_here: String,
    /// 創業年 (western year), from 1800 to this year.
    pub founded_year: String,
    /// 資本金 in yen, optional (a sole proprietor has none).
    pub capital_yen: String,
    /// 事業内容, 1–300 characters, line breaks allowed.
    pub business: String,
    /// ホームページ, optional, `http(s)://`, at most 200 characters.
    pub website: String,
    /// 担当者氏名, 1–30 characters.
    pub contact_name: String,
    /// 担当者所属部署, optional, at most 30 characters.
    pub contact_department: String,
    /// 担当者電話番号.
    pub contact_phone: String,
    /// 担当者メールアドレス.
    pub contact_email: String,
}

/// Parsed establishment information.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EstablishmentInfo {
    /// 事業所名称.
    pub name: String,
    /// 事業所名称フリガナ, full-width katakana.
    pub name_kana: String,
    /// 郵便番号.
    pub postal_code: PostalCode,
    /// 所在地.
    pub address: String,
    /// 電話番号.
    pub phone: PhoneNumber,
    /// 代表者役職.
    pub representative_title: String,
    /// 代表者氏名.
    pub representative_name: String,
    /// 産業分類.
    pub industry: Industry,
    /// 従業員数（企業全体）.
    pub employees_total: u32,
    /// 従業員数（就業場所）.
    pub employees_here: u32,
    /// 創業年.
    pub founded_year: u16,
    /// 資本金 in yen.
    pub capital_yen: Option<u64>,
    /// 事業内容.
    pub business: String,
    /// ホームページ.
    pub website: Option<String>,
    /// 担当者氏名.
    pub contact_name: String,
    /// 担当者所属部署.
    pub contact_department: Option<String>,
    /// 担当者電話番号.
    pub contact_phone: PhoneNumber,
    /// 担当者メールアドレス.
    pub contact_email: EmailAddress,
}

impl EstablishmentInfo {
    /// The form as it would be typed to give this value: `parse(&info.to_input())` gives `info` back.
    /// Adapters use it to show a saved draft in its form and to store it.
    #[must_use]
    pub fn to_input(&self) -> EstablishmentInfoInput {
        EstablishmentInfoInput {
            name: self.name.clone(),
            name_kana: self.name_kana.clone(),
            postal_code: self.postal_code.to_string(),
            address: self.address.clone(),
            phone: self.phone.as_str().to_owned(),
            representative_title: self.representative_title.clone(),
            representative_name: self.representative_name.clone(),
            industry: self.industry.code().to_owned(),
            employees_total: self.employees_total.to_string(),
            employees_here: self.employees_here.to_string(),
            founded_year: self.founded_year.to_string(),
            capital_yen: self.capital_yen.map(|c| c.to_string()).unwrap_or_default(),
            business: self.business.clone(),
            website: self.website.clone().unwrap_or_default(),
            contact_name: self.contact_name.clone(),
            contact_department: self.contact_department.clone().unwrap_or_default(),
            contact_phone: self.contact_phone.as_str().to_owned(),
            contact_email: self.contact_email.as_str().to_owned(),
        }
    }

    /// Parses the whole form as it was stored: the founding year only within 1800–2100, since a stored form was
    /// checked against its day when it was entered (see [`EstablishmentInfo::parse_as_of`]).
    ///
    /// # Errors
    /// [`FieldErrors`] listing every field that is wrong.
    pub fn parse(input: &EstablishmentInfoInput) -> Result<Self, FieldErrors> {
        Self::parse_until(input, 2100)
    }

    /// Parses the whole form as entered at `now` (the domain's clock): a founding year after this year, in Japan,
    /// is refused with the rest.
    ///
    /// # Errors
    /// [`FieldErrors`] listing every field that is wrong.
    pub fn parse_as_of(input: &EstablishmentInfoInput, now: DateTime<Utc>) -> Result<Self, FieldErrors> {
        let year = FixedOffset::east_opt(9 * 3600).map_or(now.year(), |tokyo| now.with_timezone(&tokyo).year());
        Self::parse_until(input, u64::try_from(year).unwrap_or(2100).min(2100))
    }

    fn parse_until(input: &EstablishmentInfoInput, latest_year: u64) -> Result<Self, FieldErrors> {
        let mut f = Fields::default();
        let name = f.line("name", &input.name, 60);
        let name_kana = f.kana("name_kana", &input.name_kana, 100);
        let postal_code = f.postal("postal_code", &input.postal_code, Need::Required);
        let address = f.line("address", &input.address, 120);
        let phone = f.phone("phone", &input.phone, Need::Required);
        let representative_title = f.line("representative_title", &input.representative_title, 30);
        let representative_name = f.line("representative_name", &input.representative_name, 30);
        let industry = f.choice("industry", &input.industry);
        let total = f.number("employees_total", &input.employees_total, 1, 9_999_999, Need::Required);
        let here = f.number("employees_here", &input.employees_here, 0, 9_999_999, Need::Required);
        if let (Some(total), Some(here)) = (total, here)
            && here > total
        {
            f.fail("employees_here", super::FieldProblem::Conflicts { with: "employees_total" });
        }
        let founded_year = f.number("founded_year", &input.founded_year, 1800, latest_year, Need::Required);
        let capital_yen = f.number("capital_yen", &input.capital_yen, 0, 100_000_000_000_000, Need::Optional);
        let business = f.lines("business", &input.business, 300, Need::Required);
        let website = f.url("website", &input.website, 200);
        let contact_name = f.line("contact_name", &input.contact_name, 30);
        let contact_department = f.opt_line("contact_department", &input.contact_department, 30);
        let contact_phone = f.phone("contact_phone", &input.contact_phone, Need::Required);
        let contact_email = f.email("contact_email", &input.contact_email);
        let (
            Some(postal_code),
            Some(phone),
            Some(industry),
            Some(total),
            Some(here),
            Some(founded_year),
            Some(business),
            Some(contact_phone),
            Some(contact_email),
        ) = (postal_code, phone, industry, total, here, founded_year, business, contact_phone, contact_email)
        else {
            return Err(f.into_errors());
        };
        f.finish(Self {
            name,
            name_kana,
            postal_code,
            address,
            phone,
            representative_title,
            representative_name,
            industry,
            employees_total: u32::try_from(total).unwrap_or(u32::MAX),
            employees_here: u32::try_from(here).unwrap_or(u32::MAX),
            founded_year: u16::try_from(founded_year).unwrap_or(u16::MAX),
            capital_yen,
            business,
            website,
            contact_name,
            contact_department,
            contact_phone,
            contact_email,
        })
    }
}
