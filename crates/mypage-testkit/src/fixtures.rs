//! Filled-in forms that parse, for tests that need a valid establishment or job offer and change one field.

use mypage_domain::values::{EstablishmentInfoInput, JobOfferInput};

/// A small manufacturer's establishment information (case C), every field valid.
#[must_use]
pub fn establishment_info() -> EstablishmentInfoInput {
    EstablishmentInfoInput {
        name: "株式会社ハローテスト製作所".into(),
        name_kana: "かぶしきがいしゃ ハローテストセイサクショ".into(),
        postal_code: "１６２－０８４６".into(),
        address: "東京都新宿区市谷左内町21-5".into(),
        phone: "03-1234-5678".into(),
        representative_title: "代表取締役".into(),
        representative_name: "山田 太郎".into(),
        industry: "E".into(),
        employees_total: "48".into(),
        employees_here: "30".into(),
        founded_year: "1987".into(),
        capital_yen: "10,000,000".into(),
        business: "精密部品の切削加工\n試作品の設計・製作".into(),
        website: "https://example.jp/".into(),
        contact_name: "佐藤 花子".into(),
        contact_department: "総務部".into(),
        contact_phone: "03-1234-5679".into(),
        contact_email: "soumu@example.jp".into(),
    }
}

/// A full-time machinist's job offer, every field valid.
#[must_use]
pub fn job_offer() -> JobOfferInput {
    JobOfferInput {
        occupation: "ＮＣ旋盤オペレーター".into(),
        description: "NC旋盤による精密部品の加工をお任せします。\n未経験の方も丁寧に指導します。".into(),
        employment_type: "regular".into(),
        contract: "none".into(),
        contract_months: String::new(),
        contract_renewable: false,
        workplace_postal_code: "162-0846".into(),
        workplace_address: "東京都新宿区市谷左内町21-5".into(),
        wage_kind: "monthly".into(),
        wage_min: "220000".into(),
        wage_max: "300000".into(),
        work_start: "08:30".into(),
        work_end: "17:30".into(),
        break_minutes: "60".into(),
        hours_note: String::new(),
        holidays: "土日祝\n年末年始、夏季休暇".into(),
        annual_holidays: "120".into(),
        employment_insurance: true,
        accident_insurance: true,
        health_insurance: true,
        pension: true,
        openings: "2".into(),
        experience: String::new(),
        licences: "普通自動車運転免許（AT限定可）".into(),
        age: "none".into(),
        age_min: String::new(),
        age_max: String::new(),
        age_exception: String::new(),
        trial_months: "3".into(),
        selection_documents: true,
        selection_interview: true,
        selection_written_test: false,
        selection_other: false,
    }
}
